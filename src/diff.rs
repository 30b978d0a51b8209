//! Comparing snapshots of any formats on one key: by default the stack's functions alone
//! (without labels or state), so that a debug=2 dump and a proto of the same moment line up.

use crate::group::{function_key, group, label_value, GroupBy, LabelKey, Similarity};
use crate::model::Profile;
use crate::report::{frame_rows, label_map, FrameRow};
use serde::{Deserialize, Serialize};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

pub const DIFF_SCHEMA: &str = "parkview.diff/v1";
pub const SERIES_SCHEMA: &str = "parkview.series/v1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    pub goroutines: Option<i64>,
}

/// How a group changed between the base and the new snapshot.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    New,
    Vanished,
    Grew,
    Shrank,
    Same,
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
    pub change: Change,
    /// For two dumps that list goroutines: how many of `new` were already in the base with
    /// this key (the same id, blocked through both snapshots).
    pub persisted: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Diff {
    pub schema: String,
    pub base: Totals,
    pub new: Totals,
    pub rows: Vec<DiffRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeriesRow {
    pub frames: Vec<FrameRow>,
    pub state: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// One count per snapshot, in the order given.
    pub counts: Vec<i64>,
    /// Last minus first.
    pub delta: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub schema: String,
    pub snapshots: Vec<Totals>,
    pub rows: Vec<SeriesRow>,
}

/// The key of a group as a comparison sees it, by text, so that profiles with their own string
/// tables compare: function names, plus state and labels when asked.
type Key = (Vec<u32>, Option<String>, BTreeMap<String, String>);

/// One snapshot's rows by key: count, the frames and state shown (the biggest member's), and
/// the goroutine ids behind each key.
struct Side {
    rows: HashMap<Key, SideRow>,
    listed: bool,
}

struct SideRow {
    count: i64,
    frames: Vec<FrameRow>,
    state: Option<String>,
    biggest: i64,
    ids: Vec<u64>,
}

fn side(profile: &Profile, by: &GroupBy, names: &mut HashMap<String, u32>) -> Side {
    let groups = group(profile, &GroupBy { similarity: Similarity::Functions, ..by.clone() });
    let mut rows: HashMap<Key, SideRow> = HashMap::default();
    for g in groups {
        let funcs: Vec<u32> = function_key(profile, g.stack)
            .into_iter()
            .map(|s| {
                let next = names.len() as u32;
                *names.entry(profile.strings.get(s).to_string()).or_insert(next)
            })
            .collect();
        let state = if by.state { g.state.map(|s| s.name.to_string()) } else { None };
        let labels = match &by.labels {
            LabelKey::All => label_map(profile, g.labels),
            LabelKey::Ignore => BTreeMap::new(),
            LabelKey::Key(k) => label_value(profile, g.labels, k).map(|v| BTreeMap::from([(k.clone(), v)])).unwrap_or_default(),
        };
        let row = rows.entry((funcs, state, labels)).or_insert_with(|| SideRow { count: 0, frames: Vec::new(), state: None, biggest: 0, ids: Vec::new() });
        row.count += g.count;
        row.ids.extend(g.goroutines.iter().map(|&i| profile.goroutines[i as usize].id));
        if g.count > row.biggest {
            row.frames = frame_rows(profile, g.stack);
            row.state = g.state.map(|s| s.name.to_string());
            row.biggest = g.count;
        }
    }
    Side { rows, listed: !profile.goroutines.is_empty() }
}

/// Counts of every key across snapshots, in the order given.
fn table(profiles: &[&Profile], by: &GroupBy) -> (Vec<Side>, Vec<Key>) {
    let mut names = HashMap::default();
    let sides: Vec<Side> = profiles.iter().map(|p| side(p, by, &mut names)).collect();
    let mut keys: Vec<Key> = Vec::new();
    let mut seen: HashSet<&Key> = HashSet::default();
    for s in &sides {
        for k in s.rows.keys() {
            if seen.insert(k) {
                keys.push(k.clone());
            }
        }
    }
    (sides, keys)
}

/// The frames and state a row shows: those of the newest snapshot that has the key.
fn shown<'a>(sides: &'a [Side], key: &Key) -> &'a SideRow {
    sides.iter().rev().find_map(|s| s.rows.get(key)).expect("every key comes from some side")
}

fn leaf(frames: &[FrameRow]) -> &str {
    frames.first().map_or("", |f| f.func.as_str())
}

/// Compares two profiles; rows sorted by delta (biggest growth first), then by new count.
pub fn diff(base: &Profile, new: &Profile, by: &GroupBy) -> Diff {
    let (sides, keys) = table(&[base, new], by);
    let (b, n) = (&sides[0], &sides[1]);
    let both_listed = b.listed && n.listed;
    let mut rows: Vec<DiffRow> = keys
        .iter()
        .map(|key| {
            let base_count = b.rows.get(key).map_or(0, |r| r.count);
            let new_count = n.rows.get(key).map_or(0, |r| r.count);
            let persisted = both_listed.then(|| {
                let before: HashSet<u64> = b.rows.get(key).map(|r| r.ids.iter().copied().collect()).unwrap_or_default();
                n.rows.get(key).map_or(0, |r| r.ids.iter().filter(|id| before.contains(id)).count() as i64)
            });
            let change = match (base_count, new_count) {
                (0, n) if n > 0 => Change::New,
                (b, 0) if b > 0 => Change::Vanished,
                (b, n) if n > b => Change::Grew,
                (b, n) if n < b => Change::Shrank,
                _ => Change::Same,
            };
            let row = shown(&sides, key);
            DiffRow {
                frames: row.frames.clone(),
                state: row.state.clone(),
                labels: key.2.clone(),
                base: base_count,
                new: new_count,
                delta: new_count - base_count,
                growth: (base_count > 0).then(|| new_count as f64 / base_count as f64),
                change,
                persisted,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.delta.cmp(&a.delta).then_with(|| b.new.cmp(&a.new)).then_with(|| leaf(&a.frames).cmp(leaf(&b.frames))));
    Diff { schema: DIFF_SCHEMA.to_string(), base: Totals { goroutines: base.goroutine_count() }, new: Totals { goroutines: new.goroutine_count() }, rows }
}

/// Counts per key across two or more snapshots; rows sorted by growth from first to last.
pub fn series(profiles: &[&Profile], by: &GroupBy) -> Series {
    let (sides, keys) = table(profiles, by);
    let mut rows: Vec<SeriesRow> = keys
        .iter()
        .map(|key| {
            let counts: Vec<i64> = sides.iter().map(|s| s.rows.get(key).map_or(0, |r| r.count)).collect();
            let row = shown(&sides, key);
            let delta = counts.last().copied().unwrap_or(0) - counts.first().copied().unwrap_or(0);
            SeriesRow { frames: row.frames.clone(), state: row.state.clone(), labels: key.2.clone(), counts, delta }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.delta.cmp(&a.delta).then_with(|| b.counts.last().cmp(&a.counts.last())).then_with(|| leaf(&a.frames).cmp(leaf(&b.frames)))
    });
    Series { schema: SERIES_SCHEMA.to_string(), snapshots: profiles.iter().map(|p| Totals { goroutines: p.goroutine_count() }).collect(), rows }
}

/// The diff key that DESIGN.md names as the default: functions only, no state, no labels.
pub fn default_key() -> GroupBy {
    GroupBy { similarity: Similarity::Functions, state: false, labels: LabelKey::Ignore, only: None }
}
