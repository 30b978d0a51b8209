//! Comparing snapshots of any formats on one key: by default the stack's functions alone
//! (without labels or state), so that a debug=2 dump and a proto of the same moment line up.

use crate::group::{function_key, group, GroupBy, Similarity};
use crate::model::{Profile, StrId};
use crate::report::{frame_rows, label_map, FrameRow};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub const DIFF_SCHEMA: &str = "parkview.diff/v1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    pub goroutines: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiffRow {
    pub frames: Vec<FrameRow>,
    pub state: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub base: i64,
    pub new: i64,
    pub delta: i64,
    /// new / base; `None` for a group that is new (base 0).
    pub growth: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Diff {
    pub schema: String,
    pub base: Totals,
    pub new: Totals,
    pub rows: Vec<DiffRow>,
}

/// One side's groups, by key: (count, frames, state, labels) of the biggest member group.
struct Side {
    rows: HashMap<(Vec<StrId>, Option<String>, BTreeMap<String, String>), (i64, Vec<FrameRow>, Option<String>, i64)>,
}

/// The key of a group as the diff sees it: function names (through each profile's own string
/// table, so that two profiles compare by text), plus state and labels when asked.
fn side(profile: &Profile, by: GroupBy, names: &mut HashMap<String, StrId>) -> Side {
    let groups = group(profile, GroupBy { similarity: Similarity::Functions, ..by });
    let mut rows: Side = Side { rows: HashMap::new() };
    for g in groups {
        let funcs: Vec<StrId> = function_key(profile, g.stack)
            .into_iter()
            .map(|s| {
                let next = names.len() as StrId;
                *names.entry(profile.strings.get(s).to_string()).or_insert(next)
            })
            .collect();
        let state = if by.state { g.state.map(|s| s.name.to_string()) } else { None };
        let labels = if by.labels { label_map(profile, g.labels) } else { BTreeMap::new() };
        let shown_state = g.state.map(|s| s.name.to_string());
        let entry = rows.rows.entry((funcs, state, labels)).or_insert((0, frame_rows(profile, g.stack), shown_state, 0));
        entry.0 += g.count;
        // Show the frames and state of the biggest member.
        if g.count > entry.3 {
            entry.1 = frame_rows(profile, g.stack);
            entry.2 = g.state.map(|s| s.name.to_string());
            entry.3 = g.count;
        }
    }
    rows
}

/// Compares two profiles; rows sorted by delta (biggest growth first), then by new count.
pub fn diff(base: &Profile, new: &Profile, by: GroupBy) -> Diff {
    let mut names = HashMap::new();
    let base_side = side(base, by, &mut names);
    let new_side = side(new, by, &mut names);
    let mut rows: Vec<DiffRow> = Vec::new();
    for (key, (n, frames, state, _)) in &new_side.rows {
        let b = base_side.rows.get(key).map_or(0, |r| r.0);
        rows.push(row(frames.clone(), state.clone(), key.2.clone(), b, *n));
    }
    for (key, (b, frames, state, _)) in &base_side.rows {
        if !new_side.rows.contains_key(key) {
            rows.push(row(frames.clone(), state.clone(), key.2.clone(), *b, 0));
        }
    }
    rows.sort_by(|a, b| {
        b.delta.cmp(&a.delta).then_with(|| b.new.cmp(&a.new)).then_with(|| {
            let leaf = |r: &DiffRow| r.frames.first().map(|f| f.func.clone()).unwrap_or_default();
            leaf(a).cmp(&leaf(b))
        })
    });
    Diff { schema: DIFF_SCHEMA.to_string(), base: Totals { goroutines: base.goroutine_count() }, new: Totals { goroutines: new.goroutine_count() }, rows }
}

fn row(frames: Vec<FrameRow>, state: Option<String>, labels: BTreeMap<String, String>, base: i64, new: i64) -> DiffRow {
    DiffRow { frames, state, labels, base, new, delta: new - base, growth: (base > 0).then(|| new as f64 / base as f64) }
}

/// The diff key that DESIGN.md names as the default: functions only, no state, no labels.
pub fn default_key() -> GroupBy {
    GroupBy { similarity: Similarity::Functions, state: false, labels: false }
}
