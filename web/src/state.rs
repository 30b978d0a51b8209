//! The page's state: loaded snapshots, inputs being read, and errors. Changed only through
//! [`Action`]s, in the reducer.

use parkview::report::Report;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub id: u32,
    pub name: String,
    pub size: usize,
    pub report: Rc<Report>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub id: u32,
    pub name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub snapshots: Vec<Snapshot>,
    pub errors: Vec<LoadError>,
    /// Inputs being read or analysed: (id, name).
    pub pending: Vec<(u32, String)>,
    /// The snapshot shown; the newest loaded unless the user picks another.
    pub active: Option<u32>,
}

pub enum Action {
    Started { id: u32, name: String },
    Loaded { id: u32, name: String, size: usize, report: Report },
    Failed { id: u32, name: String, message: String },
    Select(u32),
    Remove(u32),
    DismissError(u32),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Started { id, name } => next.pending.push((id, name)),
            Action::Loaded { id, name, size, report } => {
                next.pending.retain(|(p, _)| *p != id);
                next.snapshots.push(Snapshot { id, name, size, report: Rc::new(report) });
                next.active = Some(id);
            }
            Action::Failed { id, name, message } => {
                next.pending.retain(|(p, _)| *p != id);
                next.errors.push(LoadError { id, name, message });
            }
            Action::Select(id) => next.active = Some(id),
            Action::Remove(id) => {
                next.snapshots.retain(|s| s.id != id);
                if next.active == Some(id) {
                    next.active = next.snapshots.last().map(|s| s.id);
                }
            }
            Action::DismissError(id) => next.errors.retain(|e| e.id != id),
        }
        Rc::new(next)
    }
}

impl State {
    pub fn active_snapshot(&self) -> Option<&Snapshot> {
        self.active.and_then(|id| self.snapshots.iter().find(|s| s.id == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn report() -> Report {
        crate::agent::analyse(b"goroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\n").expect("a dump")
    }

    #[wasm_bindgen_test]
    fn a_failed_load_keeps_the_loaded_snapshots() {
        let s = Rc::new(State::default());
        let s = s.reduce(Action::Started { id: 1, name: "a".into() });
        let s = s.reduce(Action::Loaded { id: 1, name: "a".into(), size: 10, report: report() });
        let s = s.reduce(Action::Started { id: 2, name: "b".into() });
        let s = s.reduce(Action::Failed { id: 2, name: "b".into(), message: "bad".into() });
        assert_eq!(s.snapshots.len(), 1);
        assert_eq!(s.errors.len(), 1);
        assert!(s.pending.is_empty());
        assert_eq!(s.active_snapshot().map(|a| a.id), Some(1));
    }
}
