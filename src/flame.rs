//! The call tree behind a flame graph: every sample's stack from the root down, weighted by
//! the default sample type (goroutines for goroutine profiles). Nodes below a thousandth of
//! the total are folded away so that the tree stays small for any input.

use crate::model::Profile;
use serde::{Deserialize, Serialize};
use rustc_hash::FxHashMap as HashMap;

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

struct Building {
    value: i64,
    children: HashMap<u32, Building>,
}

/// The tree of `profile`'s samples in preorder, root ("all") first.
pub fn flame(profile: &Profile) -> Vec<FlameNode> {
    let index = if profile.kind.counts_goroutines() { 0 } else { profile.default_sample_type };
    let mut root = Building { value: 0, children: HashMap::default() };
    for s in &profile.samples {
        let v = s.values.get(index).copied().unwrap_or(0);
        if v == 0 {
            continue;
        }
        root.value += v;
        let mut node = &mut root;
        for &f in profile.stack(s.stack).iter().rev() {
            node = node.children.entry(profile.frames.get(f).func).or_insert_with(|| Building { value: 0, children: HashMap::default() });
            node.value += v;
        }
    }
    let min = ((root.value as f64 * MIN_SHARE).ceil() as i64).max(1);
    let mut out = Vec::new();
    flatten(profile, "all", &root, 0, min, &mut out);
    out
}

fn flatten(profile: &Profile, func: &str, node: &Building, depth: u32, min: i64, out: &mut Vec<FlameNode>) {
    out.push(FlameNode { func: func.to_string(), value: node.value, depth });
    let mut children: Vec<(&str, &Building)> = node.children.iter().filter(|(_, c)| c.value >= min).map(|(&f, c)| (profile.strings.get(f), c)).collect();
    children.sort_by(|a, b| b.1.value.cmp(&a.1.value).then_with(|| a.0.cmp(b.0)));
    for (f, c) in children {
        flatten(profile, f, c, depth + 1, min, out);
    }
}
