//! The rows every front end renders: the JSON contract of DESIGN.md section 5. The CLI prints
//! them and the page draws them, so the two cannot disagree on a number.

use crate::capture::same_program;
use crate::creators::{creators, WRAPPERS};
use crate::decode::Decoded;
use crate::flame::{flame, sample_type_index};
use crate::gofunc::{Family, UserCode};
use crate::group::{filtered, group, label_totals, GroupBy, LabelKey};
use crate::ignore::{rule_for, silence, Rules};
use crate::leaks::{leak_suspects, Background};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::Profile;
use crate::rows::{
    distinctions, frame_cost, frame_row, frame_rows, label_map, labels_cost, race_rows, site_row, stack_cost, CrashRow, CrashedRow, CreatorRow, FlameNode,
    FrameRow, GateRow, GroupRow, LimitRow, RaceRow, RunningTest, SilencedRow, Suspect, TestTimeoutRow, TopRow, WaitRow, WarningRow,
};
use crate::top::top;
use crate::waits::same_object_waits;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const REPORT_SCHEMA: &str = "parkview.report/v1";

/// The schema of a [`Bundle`].
pub const BUNDLE_SCHEMA: &str = "parkview.bundle/v1";

/// The reports of an input that holds several snapshots (a text with several dumps one after
/// another; an archive), one entry each, in order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bundle {
    pub schema: String,
    pub entries: Vec<BundleEntry>,
}

/// One snapshot of a [`Bundle`]: its name (`FILE#N` for the N-th dump of a text file, from 1;
/// a member's path in an archive), and its report, or why it was skipped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BundleEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<Report>>,
    /// Why the entry holds no report: what it is instead (`not a profile: JSON`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema: String,
    pub format: String,
    pub gzipped: bool,
    /// The log wrappers removed from every line, outermost first (`cri`, `cri+json-field`):
    /// see [`crate::decode::wrapper::Shape`].
    #[serde(default)]
    pub wrapper: Option<String>,
    pub profile: String,
    /// When the snapshot was taken, as the input says (pprof's `time_nanos`), in nanoseconds
    /// since the Unix epoch; see [`crate::capture::taken`] for the times other inputs get.
    /// (Never skipped when absent: the page and its worker speak bincode, which counts fields.)
    #[serde(default)]
    pub time_nanos: Option<i64>,
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
    /// For `panic: test timed out`: the running tests, their goroutines and what they wait on
    /// (see [`crate::timeouts`]).
    #[serde(default)]
    pub test_timeout: Option<TestTimeoutRow>,
    /// The data races the input reports (`WARNING: DATA RACE`), in order.
    #[serde(default)]
    pub races: Vec<RaceRow>,
    pub groups: Vec<GroupRow>,
    /// Goroutines (or the first sample value) per label key and value.
    pub labels: BTreeMap<String, BTreeMap<String, i64>>,
    pub leak_suspects: Vec<Suspect>,
    /// Goroutines per creator site x blocking site (dumps that list goroutines).
    pub creators: Vec<CreatorRow>,
    /// Objects two or more goroutines wait on (debug=2 arguments).
    pub waits: Vec<WaitRow>,
    pub top: BTreeMap<String, Vec<TopRow>>,
    /// The call tree for a flame graph (goroutines for goroutine profiles; else the sample
    /// type [`ReportOptions::sample_type`] asked for, by default the default), in preorder.
    pub flame: Vec<FlameNode>,
    /// The kind of the sample type the flame graph weighs (`inuse_space`, `goroutine`).
    #[serde(default)]
    pub flame_sample_type: Option<String>,
    pub warnings: Vec<WarningRow>,
    pub skipped: u64,
    /// The label filter every figure was counted under (`label:route=GET /x`), if any.
    #[serde(default)]
    pub filter: Option<String>,
    /// The snapshot the leak suspects' growth is measured against, if any.
    #[serde(default)]
    pub growth_base: Option<String>,
    /// The limits the input or these rows reached (see [`crate::limits`]), each with what was
    /// kept.
    pub limits: Vec<LimitRow>,
    /// Goroutines the ignore rules and the baseline left out of the leak suspects and gates,
    /// per rule that silenced any (see [`crate::ignore`]).
    #[serde(default)]
    pub silenced: Vec<SilencedRow>,
    /// The CI gates checked (empty unless a front end was asked to: see [`gates`]).
    #[serde(default)]
    pub gates: Vec<GateRow>,
}

/// Equality is reflexive: a report's floats (suspect scores, growth ratios) are computed from
/// counts and are never NaN. Being `Eq`, an `Rc<Report>` compares equal to itself by pointer,
/// without walking every row (what the page's components do on each render).
impl Eq for Report {}

/// Checks `report` against the gates asked for: `fail_on_leaked` (goroutines the runtime
/// marked leaked, at least this many, those silenced by an ignore rule or the baseline not
/// counted) and `fail_on_suspects` (any leak suspect left after them); one row per gate,
/// tripped or not.
pub fn gates(report: &Report, fail_on_leaked: Option<i64>, fail_on_suspects: bool) -> Vec<GateRow> {
    let mut rows = Vec::new();
    if let Some(limit) = fail_on_leaked {
        rows.push(match report.leaked {
            Some(all) => {
                let silenced = limits::sum(report.silenced.iter().map(|s| s.leaked));
                let leaked = all.saturating_sub(silenced);
                let besides = if silenced > 0 { format!(", besides {silenced} silenced") } else { String::new() };
                GateRow {
                    gate: format!("fail-on-leaked {limit}"),
                    tripped: leaked >= limit,
                    why: format!("{leaked} goroutine{} marked leaked by the runtime{besides} (limit {limit})", if leaked == 1 { "" } else { "s" }),
                }
            }
            None => GateRow {
                gate: format!("fail-on-leaked {limit}"),
                tripped: false,
                why: format!("not checked: a {} profile counts no goroutines", report.profile),
            },
        });
    }
    if fail_on_suspects {
        let n = report.leak_suspects.len();
        let why = match report.leak_suspects.first() {
            Some(first) => format!("{n} leak suspect{}, the first: {}", if n == 1 { "" } else { "s" }, first.explanation),
            None => "no leak suspect".to_string(),
        };
        rows.push(GateRow { gate: "fail-on-suspects".into(), tripped: n > 0, why });
    }
    rows
}

/// What a report is built with, besides the input.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions<'a> {
    pub by: GroupBy,
    /// The snapshot growth is measured against, and its name: leak suspects then also weigh
    /// growth since it, if it is of the same program ([`same_program`]). The rule every front end follows: the base a diff of the two would
    /// use (the CLI's `--base`; the page's diff base, the user's pick or else the oldest).
    pub base: Option<(&'a Profile, String)>,
    /// Functions that start goroutines for their caller, besides [`WRAPPERS`].
    pub wrappers: Vec<String>,
    /// Goroutines known to be fine ([`crate::ignore`]): left out of the leak suspects and
    /// gates, their groups marked.
    pub ignore: Rules,
    /// An earlier snapshot whose goroutines are left out of the leak suspects and gates (the
    /// CLI's `--baseline`, goleak's `IgnoreCurrent`), and its name.
    pub baseline: Option<(&'a Profile, String)>,
    /// The kind of the sample type the flame graph weighs (`alloc_space`), for profiles with
    /// several; `None` (or a kind the profile does not have) for the default. One tree is
    /// made, for the type asked: the page asks again when its user picks another, rather than
    /// every report carrying a tree per sample type (four for a heap profile) that is rarely
    /// looked at. The top tables, a hundred rows per type, carry every type.
    pub sample_type: Option<String>,
}

/// Builds the report of one decoded input.
pub fn report(decoded: &Decoded, options: &ReportOptions) -> Report {
    let (by, base) = (&options.by, options.base.as_ref());
    let mut wrappers: Vec<&str> = WRAPPERS.to_vec();
    wrappers.extend(options.wrappers.iter().map(String::as_str));
    let profile = &*filtered(&decoded.profile, by.only.as_ref());
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
    let user_code = UserCode::of(profile);
    let mut background = Background::default();
    for g in &groups {
        let args = g.goroutines.first().map(|&i| profile.goroutines[i as usize].args);
        let cost = stack_cost(profile, g.stack)
            + user_code.first_frame(profile, g.stack).map_or(0, |f| frame_cost(profile, f))
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
            site: site_row(profile, &user_code, g.stack),
            created_by: match (g.created_by, g.creators_differ) {
                (Some(f), false) => Some(frame_row(profile, f)),
                // One creator function at different lines: the function alone.
                (Some(f), true) if by.creator => Some(FrameRow { file: String::new(), line: 0, ..frame_row(profile, f) }),
                _ => None,
            },
            ids: listed.then(|| g.goroutines.iter().map(|&i| profile.goroutines[i as usize].id).collect()),
            args: args.map(|a| profile.args.list(a).map(row_text).collect()),
            durable: !g.goroutines.is_empty() && g.goroutines.iter().all(|&i| profile.goroutines[i as usize].durable),
            synctest_bubble: {
                let mut bubbles = g.goroutines.iter().map(|&i| profile.goroutines[i as usize].synctest_bubble);
                let first = bubbles.next().flatten();
                first.filter(|b| bubbles.all(|o| o == Some(*b)))
            },
            // A running goroutine waits for nothing, by design or not.
            background: if g.state.is_some_and(|s| Family::of(Some(s.name)) == Family::Running) {
                None
            } else {
                background.of(profile, g.stack).map(str::to_string)
            },
            silenced_by: options
                .ignore
                .matching(profile, g.stack, g.created_by.filter(|_| !g.creators_differ), g.labels)
                .map(|i| options.ignore.0[i].to_string()),
            rule: rule_for(profile, &user_code, g.stack).map(|r| r.to_string()),
            distinctions: Vec::new(),
        });
    }
    for (i, told) in distinctions(&group_rows).into_iter().enumerate() {
        group_rows[i].distinctions = told;
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
    // Growth is measured only against a snapshot of the same program: between unrelated ones
    // (two pasted crashes) every stack would be "new".
    let base = base.filter(|(b, _)| same_program(b, &decoded.profile));
    let growth_base = base.map(|(_, name)| name.clone());
    let base = base.map(|(b, _)| filtered(b, by.only.as_ref()));
    let baseline = options.baseline.as_ref().map(|(b, name)| (filtered(b, by.only.as_ref()), name));
    let (quiet, silenced) = silence(profile, &options.ignore, baseline.as_ref().map(|(b, _)| &**b));
    // Growth of what was counted, silenced or not: what a baseline leaves is growth.
    let growth = base.as_ref().map(|b| crate::diff::growth(b, profile)).unwrap_or_default();
    let leak_suspects = leak_suspects(&quiet, &decoded.profile, &growth, &mut budget, &mut limits);
    let mut silenced_rows: Vec<SilencedRow> = silenced
        .by_rule
        .iter()
        .map(|(i, c)| SilencedRow { rule: row_text(&options.ignore.0[*i].to_string()), goroutines: c.goroutines, leaked: c.leaked })
        .collect();
    if let Some((_, name)) = baseline.filter(|_| silenced.by_baseline.goroutines > 0) {
        silenced_rows.push(SilencedRow {
            rule: format!("baseline {}", row_text(name)),
            goroutines: silenced.by_baseline.goroutines,
            leaked: silenced.by_baseline.leaked,
        });
    }
    let creators = creators(profile, &decoded.profile, &wrappers, &mut budget, &mut limits);
    let waits = same_object_waits(profile, &decoded.profile, &mut budget, &mut limits);
    let races = race_rows(profile, &user_code, &mut budget, &mut limits);
    let test_timeout = crate::timeouts::test_timeout(profile, &mut budget);
    let flame_index = sample_type_index(profile, options.sample_type.as_deref());
    let flame = flame(profile, flame_index, &mut budget, &mut limits);
    let labels = label_totals(profile, &mut budget, &mut limits);

    Report {
        schema: REPORT_SCHEMA.to_string(),
        format: decoded.format.id().to_string(),
        gzipped: decoded.gzipped,
        wrapper: decoded.wrapper.clone(),
        profile: profile.kind.name().to_string(),
        time_nanos: decoded.profile.time_nanos,
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
            running_tests: c.running_tests.iter().map(|(name, elapsed)| RunningTest { name: row_text(name), elapsed: row_text(elapsed) }).collect(),
            goroutine: c.first_goroutine.and_then(|id| profile.goroutines.iter().find(|g| g.id == id)).map(|g| CrashedRow {
                id: g.id,
                state: row_text(profile.strings.get(g.state)),
                frames: frame_rows(profile, g.stack),
                args: profile.args.list(g.args).map(row_text).collect(),
                site: site_row(profile, &user_code, g.stack),
                created_by: g.created_by.map(|f| frame_row(profile, f)),
            }),
        }),
        test_timeout,
        races,
        groups: group_rows,
        labels,
        leak_suspects,
        creators,
        waits,
        top: if goroutine_style { BTreeMap::new() } else { top(profile) },
        flame,
        flame_sample_type: profile.sample_types.get(flame_index).map(|t| t.kind.clone()),
        warnings: decoded.warnings.iter().take(limits::MAX_WARNINGS).map(|w| WarningRow { line: w.line, message: row_text(&w.message) }).collect(),
        skipped: decoded.skipped,
        filter: by.filter_text(),
        growth_base,
        limits: limits.iter().map(LimitRow::from).collect(),
        silenced: silenced_rows,
        gates: Vec::new(),
    }
}
