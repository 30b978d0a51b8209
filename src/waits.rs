//! Goroutines waiting on the same object: the receiver pointer of the blocking frame in debug=2
//! arguments (`sync.(*WaitGroup).Wait(0xc000123450)`) names one mutex, WaitGroup or Cond. Other
//! goroutines whose arguments hold the same pointer may be the ones holding it.

use crate::gofunc::{receiver, UserCode};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{Goroutine, Profile, StackId};
use crate::rows::{frame_cost, frame_row, WaitRow};
use rustc_hash::FxHashMap;
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

/// The words of an argument text that may be addresses (`0x…`). They are only looked up in a
/// set of objects, which are pointers by [`crate::gofunc::pointer`]'s rule, so none needs
/// parsing: a word that is no pointer is in no such set.
fn hex_words(args: &str) -> impl Iterator<Item = &str> {
    args.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| word.starts_with("0x"))
}

/// The object a goroutine blocks on, as `(address as printed, type)`: the receiver of its
/// blocking frame (`sync.(*WaitGroup).Wait(0xc000123450)`), else, where that frame was inlined
/// and prints `(...)`, the receiver of the first frame of user code below it (the value that
/// holds the lock: `(*Catalog).Lookup(0xc0001a73b0, …)`). `None` without arguments (debug=1,
/// protos) or a blocking frame.
pub fn blocked_on<'p>(profile: &'p Profile, user_code: &UserCode, goroutine: &Goroutine) -> Option<(&'p str, &'static str)> {
    let stack = profile.stack(goroutine.stack);
    let (at, kind) = stack.iter().enumerate().find_map(|(at, &f)| {
        let name = profile.func_name(f);
        BLOCKING_RECEIVERS.iter().find(|(n, _)| *n == name).map(|(_, kind)| (at, *kind))
    })?;
    let own = profile.args.nth(goroutine.args, at).and_then(receiver);
    let holder = || {
        let below = stack.iter().enumerate().skip(at + 1).find(|(_, &f)| user_code.is_user(profile, f))?.0;
        profile.args.nth(goroutine.args, below).and_then(receiver)
    };
    own.or_else(holder).map(|object| (object, kind))
}

/// For each of `objects` (addresses as [`receiver`] gives them, so pointers by
/// [`crate::gofunc::pointer`]'s rule), the goroutines of `profile` (indexes) whose arguments
/// hold it: one pass over every goroutine's argument words.
pub fn holding<'p>(profile: &'p Profile, objects: &rustc_hash::FxHashSet<&str>) -> FxHashMap<&'p str, Vec<usize>> {
    let mut out: FxHashMap<&'p str, Vec<usize>> = FxHashMap::default();
    if objects.is_empty() {
        return out;
    }
    for (i, g) in profile.goroutines.iter().enumerate() {
        for word in hex_words(profile.args.run(g.args)) {
            if objects.contains(word) {
                let list = out.entry(word).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
    }
    out
}

/// Objects that two or more goroutines of `profile` wait on, most waiters first: as many rows
/// as `budget` holds, saying in `hits` when it held fewer. Who may hold each object is looked
/// for among all goroutines of `whole`, the profile `profile` was filtered from (the same one
/// when nothing was): a filter narrows the waiters, not the holders.
pub fn same_object_waits(profile: &Profile, whole: &Profile, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<WaitRow> {
    // Which frames of a stack block on their receiver: looked up once per distinct stack.
    let mut blocking: FxHashMap<StackId, Vec<(usize, &str)>> = FxHashMap::default();
    let mut waiting: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
    for (i, g) in profile.goroutines.iter().enumerate() {
        let frames = blocking.entry(g.stack).or_insert_with(|| {
            let stack = profile.stack(g.stack);
            let kind_of = |f: u32| BLOCKING_RECEIVERS.iter().find(|(name, _)| *name == profile.func_name(f)).map(|(_, kind)| *kind);
            stack.iter().enumerate().filter_map(|(at, &f)| kind_of(f).map(|kind| (at, kind))).collect()
        });
        if frames.is_empty() {
            continue;
        }
        let hit = frames.iter().find_map(|&(at, kind)| receiver(profile.args.nth(g.args, at)?).map(|r| (r, kind)));
        if let Some(key) = hit {
            waiting.entry(key).or_default().push(i);
        }
    }
    let waiting: BTreeMap<(&str, &str), Vec<usize>> = waiting.into_iter().filter(|(_, waiters)| waiters.len() >= 2).collect();
    // Who else holds each object's address in its arguments: one pass over every goroutine's
    // pointers, not one per object.
    let mut objects: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (row, (object, _)) in waiting.keys().enumerate() {
        objects.entry(object).or_default().push(row);
    }
    let mut holders: Vec<Vec<u64>> = vec![Vec::new(); waiting.len()];
    if !objects.is_empty() {
        for g in &whole.goroutines {
            for word in hex_words(whole.args.run(g.args)) {
                for &row in objects.get(word).into_iter().flatten() {
                    if holders[row].last() != Some(&g.id) {
                        holders[row].push(g.id);
                    }
                }
            }
        }
    }
    let mut found: Vec<(&str, &str, Vec<usize>, Vec<u64>)> =
        waiting.into_iter().zip(holders).map(|(((object, kind), waiters), holders)| (object, kind, waiters, holders)).collect();
    found.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then_with(|| a.0.cmp(b.0)));
    let total = found.len() as u64;
    let mut rows = Vec::new();
    let user_code = UserCode::of(profile);
    for (object, kind, waiters, holders) in found {
        let first = &profile.goroutines[waiters[0]];
        let site = user_code.first_frame(profile, first.stack);
        let cost = RowBudget::text_cost(object) + (waiters.len() + holders.len()) * 8 + site.map_or(0, |f| frame_cost(profile, f));
        if !budget.take(cost) {
            limits::record(hits, LimitHit::Rows { what: "same-object waits".into(), kept: rows.len() as u64, total });
            break;
        }
        let waiter_set: HashSet<u64> = waiters.iter().map(|&i| profile.goroutines[i].id).collect();
        rows.push(WaitRow {
            site: site.map(|f| frame_row(profile, f)),
            object: row_text(object),
            kind: kind.to_string(),
            count: waiters.len() as i64,
            ids: waiters.iter().map(|&i| profile.goroutines[i].id).collect(),
            maybe_held_by: holders.into_iter().filter(|id| !waiter_set.contains(id)).collect(),
        });
    }
    rows
}
