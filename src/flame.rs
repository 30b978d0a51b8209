//! The call tree behind a flame graph: every sample's stack from the root down, weighted by
//! the default sample type (goroutines for goroutine profiles). Nodes below a thousandth of
//! the total are folded away so that the tree stays small for any input.
//!
//! The tree is built top down, one node at a time from an explicit work list (no recursion,
//! so a stack of any depth costs memory, never the thread's stack): a node holds the distinct
//! stacks that pass through it, and splits them by their next frame's function into children;
//! children lighter than the threshold are never built, so the work is bounded by the frames of
//! the stacks under kept nodes and the memory by the stacks, however many paths they spell.

use crate::group::name_ranks;
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{Profile, StackId, StrId};
use crate::rows::FlameNode;
use rustc_hash::FxHashMap as HashMap;

/// Nodes lighter than this share of the total are dropped (their weight stays in the parent).
pub const MIN_SHARE: f64 = 0.001;

/// A node to emit: its function (`None` for the root), depth and value, and the stacks under
/// it (indexes into the distinct stacks).
struct Pending {
    func: Option<StrId>,
    depth: u32,
    value: i64,
    members: Vec<u32>,
}

/// The tree of `profile`'s samples in preorder, root ("all") first; as much of it as `budget`
/// holds (a prefix in preorder is still a tree), saying in `hits` when it held less.
pub fn flame(profile: &Profile, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<FlameNode> {
    let index = if profile.kind.counts_goroutines() { 0 } else { profile.default_sample_type };
    let mut weights: HashMap<StackId, i64> = HashMap::default();
    for s in &profile.samples {
        let v = s.values.get(index).copied().unwrap_or(0);
        if v != 0 {
            let w = weights.entry(s.stack).or_insert(0);
            *w = limits::sum([*w, v]);
        }
    }
    let mut stacks: Vec<(StackId, i64)> = weights.into_iter().collect();
    stacks.sort_unstable();
    let total = limits::sum(stacks.iter().map(|s| s.1));
    let min = ((total as f64 * MIN_SHARE).ceil() as i64).max(1);
    let ranks = name_ranks(profile.frames.iter().map(|f| (f.func, profile.strings.get(f.func))));
    // The function at `depth` (1 = the root's child) of a stack, counted from its outermost frame.
    let func_at = |stack: StackId, depth: u32| {
        let frames = profile.stack(stack);
        frames.len().checked_sub(depth as usize).map(|i| profile.frames.get(frames[i]).func)
    };
    let mut out = Vec::new();
    // Past the budget the tree is still walked, to count the nodes left out.
    let mut nodes = 0u64;
    let mut full = false;
    let mut work = vec![Pending { func: None, depth: 0, value: total, members: (0..stacks.len() as u32).collect() }];
    while let Some(node) = work.pop() {
        nodes += 1;
        let name = node.func.map_or("all", |f| profile.strings.get(f));
        full = full || !budget.take(RowBudget::text_cost(name));
        if !full {
            out.push(FlameNode { func: row_text(name), value: node.value, depth: node.depth });
        }
        let mut children: HashMap<StrId, Pending> = HashMap::default();
        for m in node.members {
            let (stack, weight) = stacks[m as usize];
            if let Some(func) = func_at(stack, node.depth + 1) {
                let child = children.entry(func).or_insert_with(|| Pending { func: Some(func), depth: node.depth + 1, value: 0, members: Vec::new() });
                child.value = limits::sum([child.value, weight]);
                child.members.push(m);
            }
        }
        let mut children: Vec<Pending> = children.into_values().filter(|c| c.value >= min).collect();
        // Heaviest first in the output, so pushed last-first.
        children.sort_by_key(|c| (std::cmp::Reverse(c.value), c.func.map(|f| ranks[&f])));
        work.extend(children.into_iter().rev());
    }
    if full {
        limits::record(hits, LimitHit::Rows { what: "flame graph nodes".into(), kept: out.len() as u64, total: nodes });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProfileKind, Sample};

    fn profile(stacks: &[(&[&str], i64)]) -> Profile {
        let mut p = Profile::goroutines(ProfileKind::Goroutine);
        for (funcs, count) in stacks {
            let frames: Vec<u32> = funcs.iter().map(|f| p.frame(f, "x.go", 1)).collect();
            let stack = p.stacks.intern(frames);
            p.samples.push(Sample { stack, values: smallvec::smallvec![*count], labels: 0, goroutine: None });
        }
        p
    }

    #[test]
    fn the_tree_is_preorder_heaviest_first() {
        // Stacks are leaf first: main.main is the root's child.
        let p = profile(&[(&["a", "main.main"], 3), (&["b", "main.main"], 5), (&["c"], 1)]);
        let tree: Vec<(String, i64, u32)> = flame(&p, &mut RowBudget::default(), &mut Vec::new()).into_iter().map(|n| (n.func, n.value, n.depth)).collect();
        let want = [("all", 9, 0), ("main.main", 8, 1), ("b", 5, 2), ("a", 3, 2), ("c", 1, 1)];
        assert_eq!(tree, want.map(|(f, v, d)| (f.to_string(), v, d)));
    }

    #[test]
    fn light_nodes_fold_into_their_parent() {
        let p = profile(&[(&["heavy", "main.main"], 10_000), (&["light", "main.main"], 1)]);
        let funcs: Vec<String> = flame(&p, &mut RowBudget::default(), &mut Vec::new()).into_iter().map(|n| n.func).collect();
        assert_eq!(funcs, ["all", "main.main", "heavy"]);
    }

    #[test]
    fn a_stack_a_hundred_thousand_deep_needs_no_recursion() {
        let names: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let p = profile(&[(&refs, 1)]);
        let tree = flame(&p, &mut RowBudget::default(), &mut Vec::new());
        assert_eq!(tree.len(), 100_001);
        assert_eq!(tree.last().map(|n| (n.func.as_str(), n.depth)), Some(("f0", 100_000)));
    }
}
