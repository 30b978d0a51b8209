//! Known goroutines silenced before leak suspects are ranked and gates checked, in goleak's
//! terms (go.uber.org/goleak, options.go: `IgnoreTopFunction`, `IgnoreAnyFunction`,
//! `IgnoreCreatedBy`, `IgnoreCurrent`).
//!
//! An ignore file holds one rule a line; `#` starts a comment, blank lines are skipped:
//!
//! ```text
//! # the metrics exporter's flush loop waits by design
//! top:go.opencensus.io/stats/view.(*worker).start
//! any:github.com/segmentio/kafka-go.(*Reader).run
//! creator:google.golang.org/grpc.newClientStreamWithParams
//! label:component=poller
//! ```
//!
//! | rule | silences a goroutine whose |
//! |---|---|
//! | `top:FUNC` | first frame outside the runtime's park frames is `FUNC` (or whose leaf is): goleak's `IgnoreTopFunction` |
//! | `any:FUNC` | stack holds `FUNC` anywhere: `IgnoreAnyFunction` |
//! | `creator:FUNC` | `created by FUNC` line names it: `IgnoreCreatedBy` |
//! | `label:KEY=VALUE` | pprof label `KEY` has the value `VALUE` |
//!
//! Function names are compared whole, as Go prints them (`main.(*pool).run.func1`). A
//! baseline snapshot ([`silence`]) silences what it already had: `IgnoreCurrent`.

use crate::gofunc::{is_go_distribution, UserCode};
use crate::group::{function_key, keep_goroutines_of_samples, label_value};
use crate::limits::{self, MAX_IGNORE_RULES, MAX_LINE_BYTES};
use crate::model::{FrameId, LabelSetId, Profile, StackId};
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::fmt;

/// One rule of an ignore file (see the module's table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Top(String),
    Any(String),
    Creator(String),
    Label { key: String, value: String },
}

impl fmt::Display for Rule {
    /// The rule as an ignore file writes it: `top:main.worker`, `label:k=v`.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Rule::Top(func) => write!(f, "top:{func}"),
            Rule::Any(func) => write!(f, "any:{func}"),
            Rule::Creator(func) => write!(f, "creator:{func}"),
            Rule::Label { key, value } => write!(f, "label:{key}={value}"),
        }
    }
}

/// Why an ignore file does not read: the first line that is not a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("line {line}: expected a rule (`top:FUNC`, `any:FUNC`, `creator:FUNC` or `label:KEY=VALUE`), found `{found}`")]
    NotARule { line: usize, found: String },
    #[error("line {line}: `{kind}:` needs a function name after it")]
    NoFunction { line: usize, kind: &'static str },
    #[error("line {line}: `label:` needs KEY=VALUE after it, found `{found}`")]
    NoLabelValue { line: usize, found: String },
    #[error("line {line}: more than {MAX_IGNORE_RULES} rules, the most parkview reads (MAX_IGNORE_RULES)")]
    TooMany { line: usize },
    #[error("line {line}: longer than {MAX_LINE_BYTES} bytes, the longest rule parkview reads")]
    TooLong { line: usize },
}

/// The rules of an ignore file, in order; empty silences nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules(pub Vec<Rule>);

impl Rules {
    /// Reads an ignore file's text (see the module's example).
    ///
    /// Errors: the first line that is not a rule, with its 1-based number; more than
    /// [`MAX_IGNORE_RULES`] rules; a line over [`MAX_LINE_BYTES`].
    pub fn parse(text: &str) -> Result<Rules, RuleError> {
        let mut rules = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.len() > MAX_LINE_BYTES {
                return Err(RuleError::TooLong { line: line_no });
            }
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if rules.len() == MAX_IGNORE_RULES {
                return Err(RuleError::TooMany { line: line_no });
            }
            let Some((kind, rest)) = line.split_once(':') else {
                return Err(RuleError::NotARule { line: line_no, found: limits::row_text(line) });
            };
            let rest = rest.trim();
            let func = |kind: &'static str| if rest.is_empty() { Err(RuleError::NoFunction { line: line_no, kind }) } else { Ok(rest.to_string()) };
            rules.push(match kind.trim() {
                "top" => Rule::Top(func("top")?),
                "any" => Rule::Any(func("any")?),
                "creator" => Rule::Creator(func("creator")?),
                "label" => match rest.split_once('=') {
                    Some((key, value)) if !key.trim().is_empty() => Rule::Label { key: key.trim().to_string(), value: value.trim().to_string() },
                    _ => return Err(RuleError::NoLabelValue { line: line_no, found: limits::row_text(rest) }),
                },
                _ => return Err(RuleError::NotARule { line: line_no, found: limits::row_text(line) }),
            });
        }
        Ok(Rules(rules))
    }

    /// The first rule that silences a goroutine (or a group of them) with this stack, creator
    /// and label set, by its index.
    pub fn matching(&self, profile: &Profile, stack: StackId, created_by: Option<FrameId>, labels: LabelSetId) -> Option<usize> {
        self.0.iter().position(|rule| match rule {
            Rule::Top(func) => {
                let frames = profile.stack(stack);
                let leaf = frames.first().is_some_and(|&f| profile.func_name(f) == func);
                leaf || function_key(profile, stack).first().is_some_and(|&s| profile.strings.get(s) == func)
            }
            Rule::Any(func) => profile.stack(stack).iter().any(|&f| profile.func_name(f) == func),
            Rule::Creator(func) => created_by.is_some_and(|c| profile.func_name(c) == func),
            Rule::Label { key, value } => label_value(profile, labels, key).is_some_and(|v| v == *value),
        })
    }
}

impl fmt::Display for Rules {
    /// One rule a line, as an ignore file holds them.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for rule in &self.0 {
            writeln!(f, "{rule}")?;
        }
        Ok(())
    }
}

/// The rule "mark as expected" writes for a group with this stack: `top:` its first frame
/// outside the runtime's park frames when that is the user's own code (or all the stack has),
/// else `any:` its innermost frame of user code, so that a goroutine parked in the standard
/// library (`sync.runtime_SemacquireMutex`) is not silenced with every other one parked there.
pub fn rule_for(profile: &Profile, user_code: &UserCode, stack: StackId) -> Option<Rule> {
    let top = function_key(profile, stack).first().map(|&s| profile.strings.get(s).to_string())?;
    if !is_go_distribution(&top) {
        return Some(Rule::Top(top));
    }
    match user_code.first_frame(profile, stack).filter(|&f| user_code.is_user(profile, f)) {
        Some(f) => Some(Rule::Any(profile.func_name(f).to_string())),
        None => Some(Rule::Top(top)),
    }
}

/// What [`silence`] left out: goroutines, and how many of them the runtime had marked leaked,
/// per rule (by index into the rules, in order) and as already in the baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Silenced {
    pub by_rule: Vec<(usize, Count)>,
    pub by_baseline: Count,
}

/// Goroutines left out, and how many of them were marked leaked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub goroutines: i64,
    pub leaked: i64,
}

impl Count {
    fn add(&mut self, goroutines: i64, leaked: i64) {
        self.goroutines = limits::sum([self.goroutines, goroutines]);
        self.leaked = limits::sum([self.leaked, leaked]);
    }
}

/// `profile` without the goroutines `rules` silence and, when a `baseline` is given, without
/// what it already had: goroutines of the same id on the same functions when both list them
/// (goleak's `IgnoreCurrent`), else as many goroutines per stack's functions as the baseline
/// counted there. Borrowed as it is when nothing is left out.
pub fn silence<'p>(profile: &'p Profile, rules: &Rules, baseline: Option<&Profile>) -> (Cow<'p, Profile>, Silenced) {
    let mut silenced = Silenced::default();
    if rules.0.is_empty() && baseline.is_none() {
        return (Cow::Borrowed(profile), silenced);
    }
    let names = |p: &Profile, stack: StackId| -> Vec<String> { function_key(p, stack).iter().map(|&s| p.strings.get(s).to_string()).collect() };
    // By id where both list goroutines; else how many the baseline had per functions.
    let by_id = baseline.is_some_and(|b| !b.goroutines.is_empty() && !profile.goroutines.is_empty());
    let mut baseline_ids: HashMap<u64, StackId> = HashMap::default();
    let mut baseline_counts: HashMap<Vec<String>, i64> = HashMap::default();
    if let Some(b) = baseline {
        if by_id {
            baseline_ids = b.goroutines.iter().map(|g| (g.id, g.stack)).collect();
        } else {
            for s in &b.samples {
                let n = baseline_counts.entry(names(b, s.stack)).or_insert(0);
                *n = limits::sum([*n, s.values.first().copied().unwrap_or(0)]);
            }
        }
    }
    let mut same_functions: HashMap<(StackId, StackId), bool> = HashMap::default();
    let mut keys: HashMap<StackId, Vec<String>> = HashMap::default();
    let mut per_rule: HashMap<usize, Count> = HashMap::default();
    let mut matched: HashMap<(StackId, Option<FrameId>, LabelSetId), Option<usize>> = HashMap::default();
    let mut out = profile.clone();
    out.samples.retain_mut(|s| {
        let goroutine = s.goroutine.map(|i| &profile.goroutines[i as usize]);
        let count = s.values.first().copied().unwrap_or(0);
        let leaked = goroutine.map_or(if profile.kind == crate::model::ProfileKind::GoroutineLeak { count } else { 0 }, |g| i64::from(g.leaked));
        let created_by = goroutine.and_then(|g| g.created_by);
        if let Some(rule) = *matched.entry((s.stack, created_by, s.labels)).or_insert_with(|| rules.matching(profile, s.stack, created_by, s.labels)) {
            per_rule.entry(rule).or_default().add(count, leaked);
            return false;
        }
        if let (Some(b), Some(g)) = (baseline, goroutine.filter(|_| by_id)) {
            let had =
                baseline_ids.get(&g.id).is_some_and(|&old| *same_functions.entry((g.stack, old)).or_insert_with(|| names(profile, g.stack) == names(b, old)));
            if had {
                silenced.by_baseline.add(count, leaked);
                return false;
            }
        } else if baseline.is_some() {
            let key = keys.entry(s.stack).or_insert_with(|| names(profile, s.stack));
            if let Some(left) = baseline_counts.get_mut(key).filter(|left| **left > 0) {
                let taken = count.min(*left);
                *left -= taken;
                silenced.by_baseline.add(taken, taken.min(leaked));
                if taken == count {
                    return false;
                }
                if let Some(v) = s.values.first_mut() {
                    *v -= taken;
                }
            }
        }
        true
    });
    keep_goroutines_of_samples(profile, &mut out);
    let mut by_rule: Vec<(usize, Count)> = per_rule.into_iter().collect();
    by_rule.sort_unstable_by_key(|(rule, _)| *rule);
    silenced.by_rule = by_rule;
    (Cow::Owned(out), silenced)
}
