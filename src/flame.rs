//! The call tree behind a flame graph: every sample's stack from the root down, weighted by
//! the default sample type (goroutines for goroutine profiles). Nodes below a thousandth of
//! the total are folded away so that the tree stays small for any input.
//!
//! The tree is built in an arena (nodes by index, children found through one map keyed by
//! parent and function) and walked with an explicit stack: no recursion, so a stack of any
//! depth costs memory, never the thread's stack.

use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{Profile, StrId};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

/// Nodes lighter than this share of the total are dropped (their weight stays in the parent).
pub const MIN_SHARE: f64 = 0.001;

/// One node of the tree. The tree is a flat list in preorder (a node, then its children,
/// heaviest first), so that a 160-deep recursion is no 160-deep JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlameNode {
    pub func: String,
    pub value: i64,
    /// 0 for the root.
    pub depth: u32,
}

struct Node {
    func: StrId,
    value: i64,
    depth: u32,
    children: Vec<u32>,
}

/// The tree of `profile`'s samples in preorder, root ("all") first; as much of it as `budget`
/// holds (a prefix in preorder is still a tree), saying in `hits` when it held less.
pub fn flame(profile: &Profile, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<FlameNode> {
    let index = if profile.kind.counts_goroutines() { 0 } else { profile.default_sample_type };
    let mut nodes = vec![Node { func: 0, value: 0, depth: 0, children: Vec::new() }];
    let mut child_of: HashMap<(u32, StrId), u32> = HashMap::default();
    for s in &profile.samples {
        let v = s.values.get(index).copied().unwrap_or(0);
        if v == 0 {
            continue;
        }
        nodes[0].value = nodes[0].value.saturating_add(v);
        let mut at = 0u32;
        for &f in profile.stack(s.stack).iter().rev() {
            let func = profile.frames.get(f).func;
            at = *child_of.entry((at, func)).or_insert_with(|| {
                let id = nodes.len() as u32;
                let depth = nodes[at as usize].depth + 1;
                nodes.push(Node { func, value: 0, depth, children: Vec::new() });
                nodes[at as usize].children.push(id);
                id
            });
            let node = &mut nodes[at as usize];
            node.value = node.value.saturating_add(v);
        }
    }
    let min = ((nodes[0].value as f64 * MIN_SHARE).ceil() as i64).max(1);
    let mut out = Vec::new();
    let mut pending = vec![0u32];
    while let Some(at) = pending.pop() {
        let node = &nodes[at as usize];
        let func = if at == 0 { "all" } else { profile.strings.get(node.func) };
        if !budget.take(RowBudget::text_cost(func)) {
            let total = nodes.iter().filter(|n| n.value >= min).count() as u64;
            limits::record(hits, LimitHit::Rows { what: "flame graph nodes".into(), kept: out.len() as u64, total });
            break;
        }
        out.push(FlameNode { func: row_text(func), value: node.value, depth: node.depth });
        let mut children: Vec<u32> = node.children.iter().copied().filter(|&c| nodes[c as usize].value >= min).collect();
        // Heaviest first in the output, so pushed last-first.
        children.sort_by(|&a, &b| {
            let (a, b) = (&nodes[a as usize], &nodes[b as usize]);
            b.value.cmp(&a.value).then_with(|| profile.strings.get(a.func).cmp(profile.strings.get(b.func)))
        });
        pending.extend(children.into_iter().rev());
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
