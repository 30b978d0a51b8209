//! Goroutines waiting on the same object: the receiver pointer of the blocking frame in debug=2
//! arguments (`sync.(*WaitGroup).Wait(0xc000123450)`) names one mutex, WaitGroup or Cond. Other
//! goroutines whose arguments hold the same pointer may be the ones holding it.

use crate::leaks::first_user_frame;
use crate::model::Profile;
use crate::report::{frame_row, FrameRow};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Frames that block on their receiver, and the kind of object it is.
const BLOCKING_RECEIVERS: &[(&str, &str)] = &[
    ("sync.(*Mutex).Lock", "sync.Mutex"),
    ("sync.(*Mutex).lockSlow", "sync.Mutex"),
    ("internal/sync.(*Mutex).Lock", "sync.Mutex"),
    ("internal/sync.(*Mutex).lockSlow", "sync.Mutex"),
    ("sync.(*RWMutex).Lock", "sync.RWMutex"),
    ("sync.(*RWMutex).RLock", "sync.RWMutex"),
    ("sync.(*WaitGroup).Wait", "sync.WaitGroup"),
    ("sync.(*Cond).Wait", "sync.Cond"),
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WaitRow {
    /// The object's address as the dump prints it.
    pub object: String,
    pub kind: String,
    pub count: i64,
    pub ids: Vec<u64>,
    /// Where the first waiter is parked, in user code.
    pub site: Option<FrameRow>,
    /// Goroutines not waiting on the object whose arguments hold its address.
    pub maybe_held_by: Vec<u64>,
}

/// The first argument of an argument list when it is a real pointer: `0xc000123450`.
fn receiver(args: &str) -> Option<&str> {
    let first = args.split(',').next()?.trim().trim_start_matches('{').trim_end_matches('?');
    let hex = first.strip_prefix("0x")?;
    (u64::from_str_radix(hex, 16).ok()? >= 0x1000).then_some(first)
}

/// Objects that two or more goroutines wait on, most waiters first.
pub fn same_object_waits(profile: &Profile) -> Vec<WaitRow> {
    let mut waiting: BTreeMap<(String, &str), Vec<usize>> = BTreeMap::new();
    for (i, g) in profile.goroutines.iter().enumerate() {
        let stack = profile.stack(g.stack);
        let hit = stack.iter().zip(profile.args.list(g.args)).find_map(|(&f, a)| {
            let kind = BLOCKING_RECEIVERS.iter().find(|(name, _)| *name == profile.func_name(f))?.1;
            receiver(a).map(|r| (r.to_string(), kind))
        });
        if let Some(key) = hit {
            waiting.entry(key).or_default().push(i);
        }
    }
    let mut rows: Vec<WaitRow> = waiting
        .into_iter()
        .filter(|(_, waiters)| waiters.len() >= 2)
        .map(|((object, kind), waiters)| {
            let waiter_set: HashSet<usize> = waiters.iter().copied().collect();
            let maybe_held_by = profile
                .goroutines
                .iter()
                .enumerate()
                .filter(|(i, g)| !waiter_set.contains(i) && profile.args.run(g.args).contains(object.as_str()))
                .map(|(_, g)| g.id)
                .collect();
            let first = &profile.goroutines[waiters[0]];
            WaitRow {
                site: first_user_frame(profile, first.stack).map(|f| frame_row(profile, f)),
                object,
                kind: kind.to_string(),
                count: waiters.len() as i64,
                ids: waiters.iter().map(|&i| profile.goroutines[i].id).collect(),
                maybe_held_by,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.object.cmp(&b.object)));
    rows
}

#[cfg(test)]
mod tests {
    use super::receiver;

    #[test]
    fn reads_receivers() {
        assert_eq!(receiver("0xc000123450"), Some("0xc000123450"));
        assert_eq!(receiver("0xc000123450?, 0x1"), Some("0xc000123450"));
        assert_eq!(receiver("{0xc000123450, 0x1}"), Some("0xc000123450"));
        assert_eq!(receiver("..."), None);
        assert_eq!(receiver("0x0?"), None);
    }
}
