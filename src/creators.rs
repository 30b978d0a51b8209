//! Who started the goroutines: creator sites (folded through wrappers such as
//! `errgroup.(*Group).Go` to the real caller when the parent is in the dump), goroutines per
//! creator site x blocking site, and the parent chain of a goroutine.

use crate::gofunc::{package_of, UserCode};
use crate::limits::{self, LimitHit, RowBudget};
use crate::model::{FrameId, Profile, StackId, StrId};
use crate::rows::{frame_cost, frame_row, site_row, ChainRow, CreatorRow};
use rustc_hash::FxHashMap as HashMap;

/// Functions that start goroutines on their caller's behalf: the caller is the real creator.
pub const WRAPPERS: &[&str] = &[
    "sync.(*WaitGroup).Go",
    "golang.org/x/sync/errgroup.(*Group).Go",
    "golang.org/x/sync/errgroup.(*Group).TryGo",
    "github.com/sourcegraph/conc.(*WaitGroup).Go",
    "github.com/sourcegraph/conc/pool.(*Pool).Go",
];

/// What folding creators through wrappers reads once: which functions are user code, which
/// are in a wrapper's package (by wrapper and function), and the caller found in each (parent
/// stack, wrapper).
struct Folding {
    user_code: UserCode,
    in_package: HashMap<(StrId, StrId), bool>,
    callers: HashMap<(StackId, StrId), Option<FrameId>>,
}

/// The creator of goroutine `index`, folded through a wrapper when its parent is in the dump:
/// the parent's innermost frame outside the wrapper's package and the standard library.
fn real_creator(
    profile: &Profile,
    whole: &Profile,
    index: usize,
    wrappers: &[&str],
    by_id: &HashMap<u64, usize>,
    folding: &mut Folding,
) -> (Option<FrameId>, Option<String>) {
    let g = &profile.goroutines[index];
    let Some(created_by) = g.created_by else { return (None, None) };
    let name = profile.func_name(created_by);
    if !wrappers.contains(&name) {
        return (Some(created_by), None);
    }
    let caller = g.parent.and_then(|p| by_id.get(&p)).and_then(|&pi| {
        let stack = whole.goroutines[pi].stack;
        let Folding { user_code, in_package, callers } = folding;
        let wrapper = profile.frames.get(created_by).func;
        *callers.entry((stack, wrapper)).or_insert_with(|| {
            profile.stack(stack).iter().copied().find(|&f| {
                let func = profile.frames.get(f).func;
                user_code.is_user(profile, f)
                    && !*in_package.entry((wrapper, func)).or_insert_with(|| package_of(profile.strings.get(func)) == package_of(name))
            })
        })
    });
    match caller {
        Some(frame) => (Some(frame), Some(limits::row_text(name))),
        None => (Some(created_by), None),
    }
}

/// A creator row's key: the creator site (after folding), the wrapper folded through, the
/// blocking site, the state.
type RowKey<'p> = (Option<FrameId>, Option<String>, Option<FrameId>, Option<&'p str>);

/// What decides a goroutine's creator row: created by, parent (for wrappers), stack, state.
type Shape = (Option<FrameId>, Option<u64>, StackId, StrId);

/// Goroutines of `profile` per (creator site, blocking site, state), biggest first: as many
/// rows as `budget` holds, saying in `hits` when it held fewer. A creator behind a wrapper is
/// found in its parent's stack, looked for among all goroutines of `whole`, the profile
/// `profile` was filtered from (the same one when nothing was; both share their tables).
pub fn creators(profile: &Profile, whole: &Profile, wrappers: &[&str], budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<CreatorRow> {
    let by_id: HashMap<u64, usize> = whole.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    // Goroutines that share creator, parent (it matters for wrappers), stack and state share
    // a row: counted by those ids first, so that each is looked at once.
    let mut shapes: HashMap<Shape, (usize, i64)> = HashMap::default();
    for sample in &profile.samples {
        let Some(index) = sample.goroutine else { continue };
        let g = &profile.goroutines[index as usize];
        let parent = g.parent.filter(|_| g.created_by.is_some_and(|c| wrappers.contains(&profile.func_name(c))));
        shapes.entry((g.created_by, parent, sample.stack, g.state)).or_insert((index as usize, 0)).1 += 1;
    }
    let mut counts: HashMap<RowKey, i64> = HashMap::default();
    let mut folding = Folding { user_code: UserCode::of(profile), in_package: HashMap::default(), callers: HashMap::default() };
    for ((_, _, stack, state), (index, count)) in shapes {
        let (creator, via) = real_creator(profile, whole, index, wrappers, &by_id, &mut folding);
        let blocking = folding.user_code.first_frame(profile, stack);
        let n = counts.entry((creator, via, blocking, Some(profile.strings.get(state)))).or_insert(0);
        *n = n.saturating_add(count);
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    let func = |f: &Option<FrameId>| f.map_or(0, |f| profile.frames.get(f).func);
    let ranks = crate::group::name_ranks(counts.iter().flat_map(|(k, _)| [func(&k.0), func(&k.2)]).map(|id| (id, profile.strings.get(id))));
    let name = |f: &Option<FrameId>| (ranks[&func(f)], f.map_or(0, |f| profile.frames.get(f).line));
    counts.sort_by(|(a, n), (b, m)| m.cmp(n).then_with(|| name(&a.0).cmp(&name(&b.0))).then_with(|| name(&a.2).cmp(&name(&b.2))));
    let total = counts.len() as u64;
    let mut rows = Vec::new();
    for ((creator, via, blocking, state), count) in counts {
        let cost = [creator, blocking].iter().flatten().map(|&f| frame_cost(profile, f)).sum::<usize>() + via.as_deref().map_or(0, RowBudget::text_cost);
        if !budget.take(cost) {
            limits::record(hits, LimitHit::Rows { what: "creator rows".into(), kept: rows.len() as u64, total });
            break;
        }
        rows.push(CreatorRow {
            creator: creator.map(|f| frame_row(profile, f)),
            via,
            blocking: blocking.map(|f| frame_row(profile, f)),
            state: state.map(limits::row_text),
            count,
        });
    }
    rows
}

/// The parent chain of goroutine `id` as rows: each goroutine with its state, site and
/// creator; a goroutine the dump does not hold (it exited) with none of them.
pub fn parent_chain_rows(profile: &Profile, id: u64) -> Vec<ChainRow> {
    let by_id: HashMap<u64, usize> = profile.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let user_code = UserCode::of(profile);
    parent_chain(profile, id)
        .into_iter()
        .map(|gid| match by_id.get(&gid).map(|&i| &profile.goroutines[i]) {
            Some(g) => ChainRow {
                goroutine: gid,
                state: Some(limits::row_text(profile.strings.get(g.state))),
                site: site_row(profile, &user_code, g.stack),
                created_by: g.created_by.map(|f| frame_row(profile, f)),
            },
            None => ChainRow { goroutine: gid, state: None, site: None, created_by: None },
        })
        .collect()
}

/// The ids from a goroutine up through its parents, as far as the dump holds them. Linear in
/// the chain's length.
pub fn parent_chain(profile: &Profile, id: u64) -> Vec<u64> {
    let by_id: HashMap<u64, usize> = profile.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let mut chain = vec![id];
    let mut seen: rustc_hash::FxHashSet<u64> = [id].into_iter().collect();
    let mut current = id;
    while let Some(parent) = by_id.get(&current).and_then(|&i| profile.goroutines[i].parent) {
        // A parent id that comes round again would loop: ids are reused after goroutines exit.
        if !seen.insert(parent) {
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
