//! The page's end of the engine. One worker holds the user's snapshots; when it dies (a panic,
//! a trap, memory exhausted) it is started again and every input is read again from what the
//! page kept of it (the `File` handle, the pasted bytes, the link's text), and the page says
//! what happened. Inputs are loaded one at a time, so that a death is blamed on the input being
//! read, which is not read again. Links and share files come from someone else: each is first
//! read in a throwaway worker, and reaches the one holding the snapshots only if that worked.

use crate::agent::{WorkerLink, WorkerSource};
use crate::protocol::{Grouping, Request, Response};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen_futures::spawn_local;
use yew::Callback;

/// What the page keeps of an input, to read it again.
#[derive(Clone)]
pub enum Source {
    /// A file the user picked or dropped (a handle: the page never holds its bytes).
    File(web_sys::File),
    /// Pasted or dropped text, or a sample.
    Bytes(Rc<[u8]>),
    /// A link's data or a share file's text, already read once in a throwaway worker.
    Link(Rc<str>),
}

/// An input and the id of its (first) snapshot.
#[derive(Clone)]
struct Input {
    id: u32,
    name: String,
    source: Source,
    /// Snapshots of a link the user removed: forgotten again after it is read again.
    forgotten: Vec<u32>,
}

/// What the host tells the page besides the engine's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum HostEvent {
    /// The worker died and was started again; every input but `blamed` is being read again.
    Restarted { message: String, blamed: Option<String> },
    /// The worker died again and again with no input to blame: it is not started again.
    GaveUp { message: String },
}

/// Deaths in a row with no input to blame after which the worker is not started again.
const MAX_UNBLAMED_RESTARTS: u32 = 2;

pub struct Host {
    me: Weak<Host>,
    source: WorkerSource,
    worker: RefCell<Option<WorkerLink>>,
    /// Read successfully, in the order they were loaded.
    inputs: RefCell<Vec<Input>>,
    queue: RefCell<VecDeque<Input>>,
    loading: RefCell<Option<Input>>,
    /// Workers reading a link before it reaches the main one, by the link's first id.
    throwaways: RefCell<Vec<(u32, WorkerLink)>>,
    grouping: RefCell<Grouping>,
    unblamed: Cell<u32>,
    respond: Callback<Response>,
    events: Callback<HostEvent>,
}

impl Host {
    /// Starts the main worker; `respond` gets the engine's answers, `events` what befell it.
    pub fn start(source: WorkerSource, respond: Callback<Response>, events: Callback<HostEvent>) -> Option<Rc<Host>> {
        let host = Rc::new_cyclic(|me| Host {
            me: me.clone(),
            source,
            worker: RefCell::new(None),
            inputs: RefCell::default(),
            queue: RefCell::default(),
            loading: RefCell::new(None),
            throwaways: RefCell::default(),
            grouping: RefCell::default(),
            unblamed: Cell::new(0),
            respond,
            events,
        });
        let worker = host.spawn_main()?;
        *host.worker.borrow_mut() = Some(worker);
        Some(host)
    }

    fn spawn_main(&self) -> Option<WorkerLink> {
        let (on_response, on_death) = (self.me.clone(), self.me.clone());
        WorkerLink::spawn(
            &self.source,
            move |r| {
                if let Some(host) = on_response.upgrade() {
                    host.answered(r);
                }
            },
            move |why| {
                if let Some(host) = on_death.upgrade() {
                    host.died(why);
                }
            },
        )
        .ok()
    }

    /// The grouping that inputs read again are reported with.
    pub fn set_grouping(&self, grouping: &Grouping) {
        grouping.clone_into(&mut self.grouping.borrow_mut());
    }

    /// A request about loaded snapshots (not a load).
    pub fn send(&self, request: Request) {
        if let Request::Forget { id } = &request {
            self.forget(*id);
        }
        if let Some(worker) = self.worker.borrow().as_ref() {
            worker.send(&request, None);
        }
    }

    /// Reads an input as snapshot `id` once those before it are read.
    pub fn load(&self, id: u32, name: String, source: Source) {
        self.queue.borrow_mut().push_back(Input { id, name, source, forgotten: Vec::new() });
        self.pump();
    }

    /// Reads a link or share file first in a throwaway worker; only if that worked, in the main
    /// one (its snapshots numbered from `first_id`).
    pub fn import(&self, text: Rc<str>, first_id: u32) {
        let done = Rc::new({
            let text = text.clone();
            move |host: &Host, outcome: Result<(), String>| {
                host.drop_throwaway(first_id);
                match outcome {
                    Ok(()) => host.load(first_id, "shared link".into(), Source::Link(text.clone())),
                    Err(message) => host.respond.emit(Response::ImportFailed { first_id, message }),
                }
            }
        });
        let (me, me_too, on_death) = (self.me.clone(), self.me.clone(), done.clone());
        let worker = WorkerLink::spawn(
            &self.source,
            move |r| {
                let Some(host) = me.upgrade() else { return };
                match r {
                    Response::Imported { .. } => done(&host, Ok(())),
                    Response::ImportFailed { message, .. } => done(&host, Err(message)),
                    _ => {}
                }
            },
            move |why| {
                if let Some(host) = me_too.upgrade() {
                    on_death(&host, Err(format!("parkview's engine stopped while reading it ({why}); nothing of it was loaded")));
                }
            },
        );
        match worker {
            Ok(worker) => {
                worker.send(&Request::Import { text: text.to_string(), first_id, grouping: self.grouping.borrow().clone() }, None);
                self.throwaways.borrow_mut().push((first_id, worker));
            }
            Err(_) => self.respond.emit(Response::ImportFailed { first_id, message: "no worker could be started to read it".into() }),
        }
    }

    /// Drops a throwaway worker, after the callback that reports on it has returned.
    fn drop_throwaway(&self, first_id: u32) {
        let me = self.me.clone();
        spawn_local(async move {
            if let Some(host) = me.upgrade() {
                host.throwaways.borrow_mut().retain(|(id, _)| *id != first_id);
            }
        });
    }

    fn forget(&self, id: u32) {
        let mut inputs = self.inputs.borrow_mut();
        if let Some(at) = inputs.iter().position(|i| i.id == id && !matches!(i.source, Source::Link(_))) {
            inputs.remove(at);
        } else if let Some(link) = inputs.iter_mut().filter(|i| matches!(i.source, Source::Link(_)) && i.id <= id).max_by_key(|i| i.id) {
            link.forgotten.push(id);
        }
    }

    /// Sends the next input when none is being read.
    fn pump(&self) {
        if self.loading.borrow().is_some() {
            return;
        }
        let Some(input) = self.queue.borrow_mut().pop_front() else { return };
        let grouping = self.grouping.borrow().clone();
        if let Some(worker) = self.worker.borrow().as_ref() {
            match &input.source {
                Source::File(file) => worker.send(&Request::Read { id: input.id, grouping }, Some(file)),
                Source::Bytes(bytes) => worker.send(&Request::Load { id: input.id, bytes: bytes.to_vec(), grouping }, None),
                Source::Link(text) => worker.send(&Request::Import { text: text.to_string(), first_id: input.id, grouping }, None),
            }
        }
        *self.loading.borrow_mut() = Some(input);
    }

    /// An answer of the main worker: passed on; one that ends the load in progress sends the next.
    fn answered(&self, response: Response) {
        let loading = self.loading.borrow().as_ref().map(|i| i.id);
        let ended = match &response {
            Response::Report { id, .. } | Response::Failed { id, .. } | Response::Bundle { id, .. } => Some(*id) == loading,
            Response::Imported { snapshots, .. } => snapshots.first().map(|s| s.0) == loading,
            Response::ImportFailed { first_id, .. } => Some(*first_id) == loading,
            _ => false,
        };
        let succeeded = matches!(response, Response::Report { .. } | Response::Imported { .. } | Response::Bundle { .. });
        self.respond.emit(response);
        if ended {
            let input = self.loading.borrow_mut().take();
            if let Some(input) = input.filter(|_| succeeded) {
                self.unblamed.set(0);
                if let Some(worker) = self.worker.borrow().as_ref() {
                    for &id in &input.forgotten {
                        worker.send(&Request::Forget { id }, None);
                    }
                }
                self.inputs.borrow_mut().push(input);
            }
            self.pump();
        }
    }

    /// The main worker died: the input being read (if any) is blamed and dropped; a new worker
    /// reads every other input again.
    fn died(&self, message: String) {
        let blamed = self.loading.borrow_mut().take();
        if blamed.is_none() {
            self.unblamed.set(self.unblamed.get() + 1);
            if self.unblamed.get() > MAX_UNBLAMED_RESTARTS {
                self.events.emit(HostEvent::GaveUp { message });
                return;
            }
        }
        if let Some(b) = &blamed {
            let why = format!("parkview's engine stopped while reading it ({message}); it was not loaded");
            self.respond.emit(match b.source {
                Source::Link(_) => Response::ImportFailed { first_id: b.id, message: why },
                _ => Response::Failed { id: b.id, message: why },
            });
        }
        // Everything read so far goes first, in its order, then what was still waiting.
        let mut again: VecDeque<Input> = self.inputs.take().into();
        again.extend(self.queue.take());
        *self.queue.borrow_mut() = again;
        self.events.emit(HostEvent::Restarted { message, blamed: blamed.map(|b| b.name) });
        // The dead worker's link goes once its own callback has returned.
        let me = self.me.clone();
        spawn_local(async move {
            let Some(host) = me.upgrade() else { return };
            let worker = host.spawn_main();
            *host.worker.borrow_mut() = worker;
            host.pump();
        });
    }
}
