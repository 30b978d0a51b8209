//! The call tree behind a flame graph: every sample's stack from the root down, weighted by
//! the default sample type (goroutines for goroutine profiles). Nodes below a thousandth of
//! the total are folded away so that the tree stays small for any input.

use crate::model::Profile;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Nodes lighter than this share of the total are dropped (their weight stays in the parent).
pub const MIN_SHARE: f64 = 0.001;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlameNode {
    pub func: String,
    pub value: i64,
    pub children: Vec<FlameNode>,
}

struct Building {
    value: i64,
    children: HashMap<u32, Building>,
}

/// The tree of `profile`'s samples, root first, children heaviest first.
pub fn flame(profile: &Profile) -> FlameNode {
    let index = if profile.kind.counts_goroutines() { 0 } else { profile.default_sample_type };
    let mut root = Building { value: 0, children: HashMap::new() };
    for s in &profile.samples {
        let v = s.values.get(index).copied().unwrap_or(0);
        if v == 0 {
            continue;
        }
        root.value += v;
        let mut node = &mut root;
        for &f in profile.stack(s.stack).iter().rev() {
            node = node.children.entry(profile.frames.get(f).func).or_insert_with(|| Building { value: 0, children: HashMap::new() });
            node.value += v;
        }
    }
    let min = (root.value as f64 * MIN_SHARE).ceil() as i64;
    finish(profile, "all", root, min)
}

fn finish(profile: &Profile, func: &str, node: Building, min: i64) -> FlameNode {
    let mut children: Vec<FlameNode> = node
        .children
        .into_iter()
        .filter(|(_, c)| c.value >= min.max(1))
        .map(|(f, c)| finish(profile, profile.strings.get(f), c, min))
        .collect();
    children.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.func.cmp(&b.func)));
    FlameNode { func: func.to_string(), value: node.value, children }
}
