//! The rows every front end renders: the JSON contract of DESIGN.md section 5. The CLI prints
//! them and the page draws them, so the two cannot disagree on a number.

use crate::creators::{creators, CreatorRow, WRAPPERS};
use crate::decode::Decoded;
use crate::flame::{flame, FlameNode};
use crate::group::{group, label_totals, GroupBy, LabelKey};
use crate::leaks::{leak_suspects, Suspect};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{FrameId, LabelSetId, Profile, StackId, StrId};
use crate::waits::{same_object_waits, WaitRow};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const REPORT_SCHEMA: &str = "parkview.report/v1";

/// How many functions each `top` list keeps.
pub const TOP_ROWS: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrameRow {
    pub func: String,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupRow {
    pub count: i64,
    pub state: Option<String>,
    pub inferred: bool,
    pub leaked: i64,
    pub wait_minutes: Option<[u32; 2]>,
    pub labels: BTreeMap<String, String>,
    pub frames: Vec<FrameRow>,
    pub created_by: Option<FrameRow>,
    pub ids: Option<Vec<u64>>,
    /// The argument text of each frame of the first member (dumps that print arguments).
    pub args: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CrashRow {
    pub panic: Vec<String>,
    pub fatal_error: Option<String>,
    pub signal: Option<String>,
    pub first_goroutine: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TopRow {
    pub func: String,
    pub flat: i64,
    pub cum: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WarningRow {
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema: String,
    pub format: String,
    pub gzipped: bool,
    pub profile: String,
    pub samples: usize,
    pub sample_types: Vec<[String; 2]>,
    pub default_sample_type: Option<String>,
    pub totals: BTreeMap<String, i64>,
    pub goroutines: Option<i64>,
    pub states: Option<BTreeMap<String, i64>>,
    pub states_inferred: bool,
    pub wait_minutes: Option<BTreeMap<String, i64>>,
    pub leaked: Option<i64>,
    pub locked_to_thread: Option<i64>,
    pub truncated: bool,
    pub crash: Option<CrashRow>,
    pub groups: Vec<GroupRow>,
    /// Goroutines (or the first sample value) per label key and value.
    pub labels: BTreeMap<String, BTreeMap<String, i64>>,
    pub leak_suspects: Vec<Suspect>,
    /// Goroutines per creator site x blocking site (dumps that list goroutines).
    pub creators: Vec<CreatorRow>,
    /// Objects two or more goroutines wait on (debug=2 arguments).
    pub waits: Vec<WaitRow>,
    pub top: BTreeMap<String, Vec<TopRow>>,
    /// The call tree for a flame graph (default sample type; goroutines for goroutine
    /// profiles), in preorder.
    pub flame: Vec<FlameNode>,
    pub warnings: Vec<WarningRow>,
    pub skipped: u64,
    /// The limits the input or these rows reached (see [`crate::limits`]), each with what was
    /// kept.
    pub limits: Vec<LimitRow>,
}

/// A limit that was reached: its name in [`crate::limits`] and the sentence that says what
/// was kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LimitRow {
    pub limit: String,
    pub message: String,
}

impl From<&LimitHit> for LimitRow {
    fn from(hit: &LimitHit) -> LimitRow {
        let limit = serde_json::to_value(hit).ok().and_then(|v| v.get("limit").and_then(|l| l.as_str()).map(str::to_string)).unwrap_or_default();
        LimitRow { limit, message: hit.to_string() }
    }
}

/// A file path's last element, as rows name files (`search.go`), for Unix and Windows paths.
pub fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A frame as rows name it; names longer than [`limits::MAX_ROW_STRING`] are cut.
pub fn frame_row(profile: &Profile, frame: FrameId) -> FrameRow {
    let f = profile.frames.get(frame);
    FrameRow { func: row_text(profile.strings.get(f.func)), file: row_text(profile.strings.get(f.file)), line: f.line }
}

pub fn frame_rows(profile: &Profile, stack: StackId) -> Vec<FrameRow> {
    profile.stack(stack).iter().map(|&f| frame_row(profile, f)).collect()
}

/// What [`frame_row`] costs in a [`RowBudget`].
pub fn frame_cost(profile: &Profile, frame: FrameId) -> usize {
    let f = profile.frames.get(frame);
    RowBudget::text_cost(profile.strings.get(f.func)) + RowBudget::text_cost(profile.strings.get(f.file))
}

/// What [`frame_rows`] costs in a [`RowBudget`].
pub fn stack_cost(profile: &Profile, stack: StackId) -> usize {
    profile.stack(stack).iter().map(|&f| frame_cost(profile, f)).sum()
}

pub fn label_map(profile: &Profile, set: LabelSetId) -> BTreeMap<String, String> {
    profile.labels(set).iter().map(|(k, v)| (row_text(profile.strings.get(*k)), row_text(&profile.label_text(v)))).collect()
}

/// What [`label_map`] costs in a [`RowBudget`].
pub fn labels_cost(profile: &Profile, set: LabelSetId) -> usize {
    profile.labels(set).iter().map(|(k, v)| RowBudget::text_cost(profile.strings.get(*k)) + RowBudget::text_cost(&profile.label_text(v))).sum()
}

/// What a report is built with, besides the input.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions<'a> {
    pub by: GroupBy,
    /// An earlier snapshot: leak suspects then also weigh growth since it.
    pub base: Option<&'a Profile>,
    /// Functions that start goroutines for their caller, besides [`WRAPPERS`].
    pub wrappers: Vec<String>,
}

/// Builds the report of one decoded input.
pub fn report(decoded: &Decoded, options: &ReportOptions) -> Report {
    let (by, base) = (&options.by, options.base);
    let mut wrappers: Vec<&str> = WRAPPERS.to_vec();
    wrappers.extend(options.wrappers.iter().map(String::as_str));
    let profile = &decoded.profile;
    let goroutine_style = profile.kind.counts_goroutines();
    let listed = !profile.goroutines.is_empty() || matches!(decoded.format, crate::decode::Format::GoroutineDebug2 | crate::decode::Format::Traceback);

    let totals = profile
        .sample_types
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("{}/{}", t.kind, t.unit), limits::sum(profile.samples.iter().map(|s| s.values.get(i).copied().unwrap_or(0)))))
        .collect();

    let mut budget = RowBudget::default();
    let mut limits: Vec<LimitHit> = decoded.limits.clone();
    let groups = if goroutine_style { group(profile, by) } else { Vec::new() };
    let mut group_rows: Vec<GroupRow> = Vec::new();
    for g in &groups {
        let args = g.goroutines.first().map(|&i| profile.goroutines[i as usize].args);
        let cost = stack_cost(profile, g.stack)
            + g.created_by.map_or(0, |f| frame_cost(profile, f))
            + labels_cost(profile, g.labels)
            + if listed { g.goroutines.len() * 8 } else { 0 }
            + args.map_or(0, |a| profile.args.list(a).map(RowBudget::text_cost).sum());
        if !budget.take(cost) {
            limits::record(&mut limits, LimitHit::Rows { what: "groups".into(), kept: group_rows.len() as u64, total: groups.len() as u64 });
            break;
        }
        group_rows.push(GroupRow {
            count: g.count,
            state: g.state.map(|s| s.name.to_string()),
            inferred: g.state.is_some_and(|s| s.inferred),
            leaked: g.leaked,
            wait_minutes: g.wait_minutes.map(|(lo, hi)| [lo, hi]),
            labels: match (&by.labels, &g.key_label) {
                (LabelKey::Key(k), Some(v)) => BTreeMap::from([(k.clone(), row_text(v))]),
                (LabelKey::Key(_), None) => BTreeMap::new(),
                _ => label_map(profile, g.labels),
            },
            frames: frame_rows(profile, g.stack),
            created_by: g.created_by.map(|f| frame_row(profile, f)),
            ids: listed.then(|| g.goroutines.iter().map(|&i| profile.goroutines[i as usize].id).collect()),
            args: args.map(|a| profile.args.list(a).map(row_text).collect()),
        });
    }

    let mut states = BTreeMap::new();
    let mut minutes: HashMap<u32, i64> = HashMap::default();
    for g in &groups {
        let name = g.state.map_or("unknown", |s| s.name);
        let n = states.entry(row_text(name)).or_insert(0i64);
        *n = n.saturating_add(g.count);
    }
    for g in &profile.goroutines {
        if let Some(m) = g.wait_minutes {
            *minutes.entry(m).or_insert(0) += 1;
        }
    }
    let wait_minutes: BTreeMap<String, i64> = minutes.into_iter().map(|(m, n)| (m.to_string(), n)).collect();
    let leaked = goroutine_style.then(|| groups.iter().fold(0i64, |sum, g| sum.saturating_add(g.leaked)));
    let leak_suspects = leak_suspects(profile, base, &mut budget, &mut limits);
    let creators = creators(profile, &wrappers, &mut budget, &mut limits);
    let waits = same_object_waits(profile, &mut budget, &mut limits);
    let flame = flame(profile, &mut budget, &mut limits);
    let labels = label_totals(profile, &mut budget, &mut limits);

    Report {
        schema: REPORT_SCHEMA.to_string(),
        format: decoded.format.id().to_string(),
        gzipped: decoded.gzipped,
        profile: profile.kind.name().to_string(),
        samples: profile.samples.len(),
        sample_types: profile.sample_types.iter().map(|t| [t.kind.clone(), t.unit.clone()]).collect(),
        default_sample_type: profile.sample_types.get(profile.default_sample_type).map(|t| t.kind.clone()),
        totals,
        goroutines: profile.goroutine_count(),
        states: goroutine_style.then_some(states),
        states_inferred: goroutine_style && !listed,
        wait_minutes: listed.then_some(wait_minutes),
        leaked,
        locked_to_thread: listed.then(|| profile.goroutines.iter().filter(|g| g.locked_to_thread).count() as i64),
        truncated: profile.truncated,
        crash: profile.crash.as_ref().map(|c| CrashRow {
            panic: c.panic.iter().map(|p| row_text(p)).collect(),
            fatal_error: c.fatal_error.as_deref().map(row_text),
            signal: c.signal.as_deref().map(row_text),
            first_goroutine: c.first_goroutine,
        }),
        groups: group_rows,
        labels,
        leak_suspects,
        creators,
        waits,
        top: if goroutine_style { BTreeMap::new() } else { top(profile) },
        flame,
        warnings: decoded.warnings.iter().take(limits::MAX_WARNINGS).map(|w| WarningRow { line: w.line, message: row_text(&w.message) }).collect(),
        skipped: decoded.skipped,
        limits: limits.iter().map(LimitRow::from).collect(),
    }
}

/// Per sample type, functions by flat value (the leaf frame's), then cumulative value (every
/// sample whose stack holds the function, once per sample). Values are summed per distinct
/// stack first, so each stack's frames are read once, not once per sample and sample type.
pub fn top(profile: &Profile) -> BTreeMap<String, Vec<TopRow>> {
    let width = profile.sample_types.len();
    let mut per_stack: HashMap<StackId, Vec<i64>> = HashMap::default();
    for s in &profile.samples {
        let values = per_stack.entry(s.stack).or_insert_with(|| vec![0; width]);
        for (total, v) in values.iter_mut().zip(&s.values) {
            *total = limits::sum([*total, *v]);
        }
    }
    let mut flat: HashMap<StrId, Vec<i64>> = HashMap::default();
    let mut cum: HashMap<StrId, Vec<i64>> = HashMap::default();
    let add = |into: &mut Vec<i64>, values: &[i64]| {
        for (total, v) in into.iter_mut().zip(values) {
            *total = limits::sum([*total, *v]);
        }
    };
    let mut seen: HashSet<StrId> = HashSet::default();
    for (stack, values) in &per_stack {
        let frames = profile.stack(*stack);
        if let Some(&leaf) = frames.first() {
            add(flat.entry(profile.frames.get(leaf).func).or_insert_with(|| vec![0; width]), values);
        }
        seen.clear();
        for &f in frames {
            let func = profile.frames.get(f).func;
            if seen.insert(func) {
                add(cum.entry(func).or_insert_with(|| vec![0; width]), values);
            }
        }
    }
    let ranks = crate::group::name_ranks(cum.keys().map(|&f| (f, profile.strings.get(f))));
    let mut out = BTreeMap::new();
    for (i, t) in profile.sample_types.iter().enumerate() {
        let flat_of = |f: &StrId| flat.get(f).map_or(0, |v| v[i]);
        let mut funcs: Vec<(&StrId, &Vec<i64>)> = cum.iter().collect();
        funcs.sort_by_key(|(f, c)| (std::cmp::Reverse(flat_of(f)), std::cmp::Reverse(c[i]), ranks[f]));
        let rows = funcs.into_iter().take(TOP_ROWS).map(|(f, c)| TopRow { func: row_text(profile.strings.get(*f)), flat: flat_of(f), cum: c[i] }).collect();
        out.insert(format!("{}/{}", t.kind, t.unit), rows);
    }
    out
}
