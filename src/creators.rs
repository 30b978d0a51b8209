//! Who started the goroutines: creator sites (folded through wrappers such as
//! `errgroup.(*Group).Go` to the real caller when the parent is in the dump), goroutines per
//! creator site x blocking site, and the parent chain of a goroutine.

use crate::leaks::{first_user_frame, is_standard_library};
use crate::model::{FrameId, Profile, StackId, StrId};
use crate::report::{frame_row, FrameRow};
use serde::{Deserialize, Serialize};
use rustc_hash::FxHashMap as HashMap;

/// Functions that start goroutines on their caller's behalf: the caller is the real creator.
pub const WRAPPERS: &[&str] = &[
    "sync.(*WaitGroup).Go",
    "golang.org/x/sync/errgroup.(*Group).Go",
    "golang.org/x/sync/errgroup.(*Group).TryGo",
    "github.com/sourcegraph/conc.(*WaitGroup).Go",
    "github.com/sourcegraph/conc/pool.(*Pool).Go",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreatorRow {
    /// The creator site (after folding), or `None` for goroutines the dump gives no creator.
    pub creator: Option<FrameRow>,
    /// The wrapper the creator was folded through, if any.
    pub via: Option<String>,
    /// The innermost frame of user code where the goroutines are parked.
    pub blocking: Option<FrameRow>,
    pub state: Option<String>,
    pub count: i64,
}

/// The package part of a function name: `golang.org/x/sync/errgroup.(*Group).Go` ->
/// `golang.org/x/sync/errgroup`.
fn package_of(func: &str) -> &str {
    let slash = func.rfind('/').map_or(0, |s| s + 1);
    match func[slash..].find('.') {
        Some(dot) => &func[..slash + dot],
        None => func,
    }
}

/// The creator of goroutine `index`, folded through a wrapper when its parent is in the dump:
/// the parent's innermost frame outside the wrapper's package and the standard library.
pub fn real_creator(profile: &Profile, index: usize, wrappers: &[&str], by_id: &HashMap<u64, usize>) -> (Option<FrameId>, Option<String>) {
    let g = &profile.goroutines[index];
    let Some(created_by) = g.created_by else { return (None, None) };
    let name = profile.func_name(created_by);
    if !wrappers.contains(&name) {
        return (Some(created_by), None);
    }
    let wrapper_package = package_of(name);
    let caller = g.parent.and_then(|p| by_id.get(&p)).and_then(|&pi| {
        profile.stack(profile.goroutines[pi].stack).iter().copied().find(|&f| {
            let func = profile.func_name(f);
            package_of(func) != wrapper_package && !is_standard_library(func)
        })
    });
    match caller {
        Some(frame) => (Some(frame), Some(name.to_string())),
        None => (Some(created_by), None),
    }
}

/// What decides a goroutine's creator row: created by, parent (for wrappers), stack, state.
type Shape = (Option<FrameId>, Option<u64>, StackId, StrId);

/// Goroutines per (creator site, blocking site, state), biggest first.
pub fn creators(profile: &Profile, wrappers: &[&str]) -> Vec<CreatorRow> {
    let by_id: HashMap<u64, usize> = profile.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    // Goroutines that share creator, parent (it matters for wrappers), stack and state share
    // a row: counted by those ids first, so that each is looked at once.
    let mut shapes: HashMap<Shape, (usize, i64)> = HashMap::default();
    for sample in &profile.samples {
        let Some(index) = sample.goroutine else { continue };
        let g = &profile.goroutines[index as usize];
        let parent = g.parent.filter(|_| g.created_by.is_some_and(|c| wrappers.contains(&profile.func_name(c))));
        shapes.entry((g.created_by, parent, sample.stack, g.state)).or_insert((index as usize, 0)).1 += 1;
    }
    let mut counts: HashMap<(Option<FrameId>, Option<String>, Option<FrameId>, Option<&str>), i64> = HashMap::default();
    for ((_, _, stack, state), (index, count)) in shapes {
        let (creator, via) = real_creator(profile, index, wrappers, &by_id);
        let blocking = first_user_frame(profile, stack);
        *counts.entry((creator, via, blocking, Some(profile.strings.get(state)))).or_insert(0) += count;
    }
    let mut rows: Vec<CreatorRow> = counts
        .into_iter()
        .map(|((creator, via, blocking, state), count)| CreatorRow {
            creator: creator.map(|f| frame_row(profile, f)),
            via,
            blocking: blocking.map(|f| frame_row(profile, f)),
            state: state.map(str::to_string),
            count,
        })
        .collect();
    let name = |f: &Option<FrameRow>| f.as_ref().map(|f| (f.func.clone(), f.line)).unwrap_or_default();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| name(&a.creator).cmp(&name(&b.creator))).then_with(|| name(&a.blocking).cmp(&name(&b.blocking))));
    rows
}

/// The ids from a goroutine up through its parents, as far as the dump holds them.
pub fn parent_chain(profile: &Profile, id: u64) -> Vec<u64> {
    let by_id: HashMap<u64, usize> = profile.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let mut chain = vec![id];
    let mut current = id;
    while let Some(parent) = by_id.get(&current).and_then(|&i| profile.goroutines[i].parent) {
        // A parent id that comes round again would loop: ids are reused after goroutines exit.
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        if !by_id.contains_key(&parent) {
            break;
        }
        current = parent;
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_of_names() {
        assert_eq!(package_of("golang.org/x/sync/errgroup.(*Group).Go"), "golang.org/x/sync/errgroup");
        assert_eq!(package_of("sync.(*WaitGroup).Go"), "sync");
        assert_eq!(package_of("main.main"), "main");
    }
}
