//! The call tree behind a flame graph: every sample's stack from the root down, weighted by
//! one sample type (goroutines for goroutine profiles; else the one asked for, by default the
//! profile's default). Nodes below a thousandth of the total are folded away so that the tree
//! stays small for any input. For goroutine profiles each node also names its dominant wait
//! state: the state of the most goroutines under it, which the page colours it by.
//!
//! The tree is built top down, one node at a time from an explicit work list (no recursion,
//! so a stack of any depth costs memory, never the thread's stack): a node holds the distinct
//! stacks that pass through it, and splits them by their next frame's function into children;
//! children lighter than the threshold are never built, so the work is bounded by the frames of
//! the stacks under kept nodes and the memory by the stacks, however many paths they spell.

use crate::classify::state_of;
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

/// The index of the sample type a flame graph weighs: goroutines (the first) for goroutine
/// profiles; else the one whose kind is `asked` (`inuse_space`), else the profile's default.
pub fn sample_type_index(profile: &Profile, asked: Option<&str>) -> usize {
    if profile.kind.counts_goroutines() {
        return 0;
    }
    asked.and_then(|k| profile.sample_types.iter().position(|t| t.kind == k)).unwrap_or(profile.default_sample_type)
}

/// The tree of `profile`'s samples weighed by sample type `index` ([`sample_type_index`]) in
/// preorder, root ("all") first; as much of it as `budget` holds (a prefix in preorder is
/// still a tree), saying in `hits` when it held less.
pub fn flame(profile: &Profile, index: usize, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<FlameNode> {
    let goroutine_style = profile.kind.counts_goroutines();
    // Weights per distinct stack and, for goroutine profiles, wait state: a node's dominant
    // state is read off the stacks under it.
    let mut inferred: HashMap<StackId, Option<&str>> = HashMap::default();
    let mut weights: HashMap<(StackId, Option<&str>), i64> = HashMap::default();
    for s in &profile.samples {
        let v = s.values.get(index).copied().unwrap_or(0);
        if v != 0 {
            let state = match (goroutine_style, s.goroutine) {
                (false, _) => None,
                (true, Some(_)) => state_of(profile, s).map(|w| w.name),
                (true, None) => *inferred.entry(s.stack).or_insert_with(|| state_of(profile, s).map(|w| w.name)),
            };
            let w = weights.entry((s.stack, state)).or_insert(0);
            *w = limits::sum([*w, v]);
        }
    }
    let mut stacks: Vec<((StackId, Option<&str>), i64)> = weights.into_iter().collect();
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
        let mut children: HashMap<StrId, Pending> = HashMap::default();
        // Goroutines per wait state under this node: a handful of states at most.
        let mut states: Vec<(Option<&str>, i64)> = Vec::new();
        for &m in &node.members {
            let ((stack, state), weight) = stacks[m as usize];
            if goroutine_style {
                match states.iter_mut().find(|s| s.0 == state) {
                    Some(s) => s.1 = limits::sum([s.1, weight]),
                    None => states.push((state, weight)),
                }
            }
            if let Some(func) = func_at(stack, node.depth + 1) {
                let child = children.entry(func).or_insert_with(|| Pending { func: Some(func), depth: node.depth + 1, value: 0, members: Vec::new() });
                child.value = limits::sum([child.value, weight]);
                child.members.push(m);
            }
        }
        // The most goroutines; of equal counts, the state named first, so the pick is stable.
        let state = states.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).and_then(|s| s.0);
        let name = node.func.map_or("all", |f| profile.strings.get(f));
        full = full || !budget.take(RowBudget::text_cost(name) + state.map_or(0, RowBudget::text_cost));
        if !full {
            out.push(FlameNode { func: row_text(name), value: node.value, depth: node.depth, state: state.map(row_text) });
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
        let tree: Vec<(String, i64, u32)> = flame(&p, 0, &mut RowBudget::default(), &mut Vec::new()).into_iter().map(|n| (n.func, n.value, n.depth)).collect();
        let want = [("all", 9, 0), ("main.main", 8, 1), ("b", 5, 2), ("a", 3, 2), ("c", 1, 1)];
        assert_eq!(tree, want.map(|(f, v, d)| (f.to_string(), v, d)));
    }

    #[test]
    fn a_node_names_the_state_of_most_goroutines_under_it() {
        // Stacks leaf first; the states are inferred from the park frames.
        let recv = ["runtime.gopark", "runtime.chanrecv1"];
        let sleep = ["runtime.gopark", "time.Sleep"];
        let p = profile(&[
            (&[recv[0], recv[1], "main.a", "main.main"], 3),
            (&[sleep[0], sleep[1], "main.b", "main.main"], 5),
            (&[recv[0], recv[1], "main.c", "main.main"], 4),
            (&["main.d"], 9),
        ]);
        let states: Vec<(String, Option<String>)> = flame(&p, 0, &mut RowBudget::default(), &mut Vec::new()).into_iter().map(|n| (n.func, n.state)).collect();
        let state = |f: &str| states.iter().find(|s| s.0 == f).and_then(|s| s.1.clone());
        // 7 receiving against 5 sleeping under main.main; the root: 9 of no known state.
        assert_eq!(state("main.main").as_deref(), Some("chan receive"));
        assert_eq!(state("main.b").as_deref(), Some("sleep"));
        assert_eq!(state("time.Sleep").as_deref(), Some("sleep"));
        assert_eq!(state("all"), None);
        assert_eq!(state("main.d"), None);
        // Other profiles name no state.
        let mut cpu = p.clone();
        cpu.kind = ProfileKind::Cpu;
        assert!(flame(&cpu, 0, &mut RowBudget::default(), &mut Vec::new()).iter().all(|n| n.state.is_none()));
    }

    #[test]
    fn the_sample_type_asked_for_weighs_the_tree() {
        let mut p = Profile::new(ProfileKind::Heap);
        p.sample_types = ["alloc_objects", "inuse_space"].map(|k| crate::model::SampleType { kind: k.into(), unit: "x".into() }).to_vec();
        p.default_sample_type = 1;
        let a = p.frame("main.a", "x.go", 1);
        let stack = p.stacks.intern(vec![a]);
        p.samples.push(Sample { stack, values: smallvec::smallvec![7, 4096], labels: 0, goroutine: None });
        let root = |i: usize| flame(&p, i, &mut RowBudget::default(), &mut Vec::new())[0].value;
        assert_eq!(sample_type_index(&p, None), 1);
        assert_eq!(sample_type_index(&p, Some("alloc_objects")), 0);
        assert_eq!(sample_type_index(&p, Some("no such type")), 1);
        assert_eq!((root(0), root(1)), (7, 4096));
    }

    #[test]
    fn light_nodes_fold_into_their_parent() {
        let p = profile(&[(&["heavy", "main.main"], 10_000), (&["light", "main.main"], 1)]);
        let funcs: Vec<String> = flame(&p, 0, &mut RowBudget::default(), &mut Vec::new()).into_iter().map(|n| n.func).collect();
        assert_eq!(funcs, ["all", "main.main", "heavy"]);
    }

    #[test]
    fn a_stack_a_hundred_thousand_deep_needs_no_recursion() {
        let names: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let p = profile(&[(&refs, 1)]);
        let tree = flame(&p, 0, &mut RowBudget::default(), &mut Vec::new());
        assert_eq!(tree.len(), 100_001);
        assert_eq!(tree.last().map(|n| (n.func.as_str(), n.depth)), Some(("f0", 100_000)));
    }
}
