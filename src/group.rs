//! Grouping goroutines (or samples) that share a stack, at a chosen similarity.
//!
//! Hash-based and linear: every sample's key is built from interned ids, so a dump of
//! 200,000 goroutines groups in one pass.

use crate::classify::{state_of, WaitState};
use crate::gofunc::{hidden_runtime, mask_pointers};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::LabelValue;
use crate::model::{FrameId, Interner, LabelSetId, Profile, ProfileKind, StackId, StrId};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// How alike two stacks must be to share a group, finest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Similarity {
    /// Same frames (function, file, line) and the same argument text.
    Exact,
    /// Same frames; arguments equal once pointers are masked.
    AnyPointer,
    /// Same frames (function, file, line); arguments ignored.
    #[default]
    AnyValue,
    /// Same function names, leaf first, without the frames formats disagree on (see
    /// [`function_key`]): what makes a debug=2 dump and a proto of one moment comparable.
    Functions,
}

impl Similarity {
    pub const ALL: [Similarity; 4] = [Similarity::Exact, Similarity::AnyPointer, Similarity::AnyValue, Similarity::Functions];

    pub fn name(self) -> &'static str {
        match self {
            Similarity::Exact => "exact",
            Similarity::AnyPointer => "any-pointer",
            Similarity::AnyValue => "any-value",
            Similarity::Functions => "functions",
        }
    }

    /// What makes two goroutines one group at this level, in a sentence for a picker.
    pub fn explain(self) -> &'static str {
        match self {
            Similarity::Exact => "same functions, lines and argument values",
            Similarity::AnyPointer => "same functions and lines; arguments alike once pointers are masked",
            Similarity::AnyValue => "same functions and lines; arguments ignored",
            Similarity::Functions => "same functions, lines ignored: a debug=2 dump lines up with a proto",
        }
    }

    pub fn parse(s: &str) -> Option<Similarity> {
        match s {
            "exact" => Some(Similarity::Exact),
            "any-pointer" => Some(Similarity::AnyPointer),
            "any-value" => Some(Similarity::AnyValue),
            "functions" | "functions-only" => Some(Similarity::Functions),
            _ => None,
        }
    }
}

/// How labels take part in a group's key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LabelKey {
    /// Every label: goroutines with other labels are other groups.
    #[default]
    All,
    /// Labels are not part of the key.
    Ignore,
    /// Only this label's value (`--group-by label:tenant`).
    Key(String),
}

/// What goes into a group's key besides the stack, and which samples count at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBy {
    pub similarity: Similarity,
    pub state: bool,
    pub labels: LabelKey,
    /// Whether goroutines created at different places are told apart: their creator (its
    /// frame, or at [`Similarity::Functions`] its function) is part of the key, as panicparse's
    /// `Signature.similar` compares `CreatedBy` at every similarity. Dumps without creators
    /// (debug=1, protos) group the same either way.
    pub creator: bool,
    /// Only samples carrying this label with this value (`--filter label:route=GET /x`): the
    /// report, diff and series read the profile [`filtered`] by it, so that every figure counts
    /// only these.
    pub only: Option<(String, String)>,
}

impl Default for GroupBy {
    fn default() -> Self {
        GroupBy::report(None, None, None)
    }
}

impl GroupBy {
    /// The filter as the CLI takes it (`label:route=GET /x`), for reports to name it.
    pub fn filter_text(&self) -> Option<String> {
        self.only.as_ref().map(|(k, v)| format!("label:{k}={v}"))
    }

    /// How a report groups (the CLI's `report`, the page's groups): at `similarity` (any-value
    /// unless asked), by state, and by `labels` (all of them unless asked).
    pub fn report(similarity: Option<Similarity>, labels: Option<LabelKey>, only: Option<(String, String)>) -> GroupBy {
        GroupBy { similarity: similarity.unwrap_or(Similarity::AnyValue), state: true, labels: labels.unwrap_or(LabelKey::All), creator: true, only }
    }

    /// How leak suspects are grouped: at any-value by state, without labels (a leak is a
    /// stack, whatever the request) and without creator (a suspect names one creator only
    /// when its members share it).
    pub fn leaks() -> GroupBy {
        GroupBy { similarity: Similarity::AnyValue, state: true, labels: LabelKey::Ignore, creator: false, only: None }
    }

    /// How a comparison keys its rows (the CLI's `diff` and `series`, the page's diff): at
    /// `similarity` (functions unless asked: what lines formats up), by state only when asked,
    /// by `labels` only when asked, never by creator (debug=1 and protos do not print one).
    pub fn comparison(similarity: Option<Similarity>, state: bool, labels: Option<LabelKey>, only: Option<(String, String)>) -> GroupBy {
        GroupBy { similarity: similarity.unwrap_or(Similarity::Functions), state, labels: labels.unwrap_or(LabelKey::Ignore), creator: false, only }
    }
}

/// The text of label `key` in a label set, if it has it, as rows show it (at most
/// [`crate::limits::MAX_ROW_STRING`] bytes: values that differ only past that are one value).
pub fn label_value(profile: &Profile, set: LabelSetId, key: &str) -> Option<String> {
    profile.labels(set).iter().find(|(k, _)| profile.strings.get(*k) == key).map(|(_, v)| row_text(&profile.label_text(v)))
}

/// `profile` with only the samples (and the goroutines they are) whose label `key` has
/// `value`; borrowed as it is when there is no filter.
pub fn filtered<'p>(profile: &'p Profile, only: Option<&(String, String)>) -> std::borrow::Cow<'p, Profile> {
    let Some((key, value)) = only else { return std::borrow::Cow::Borrowed(profile) };
    let mut passes: HashMap<LabelSetId, bool> = HashMap::default();
    let mut out = profile.clone();
    out.samples.retain(|s| *passes.entry(s.labels).or_insert_with(|| label_value(profile, s.labels, key).as_deref() == Some(value.as_str())));
    keep_goroutines_of_samples(profile, &mut out);
    std::borrow::Cow::Owned(out)
}

/// After `out`, a clone of `profile`, kept only some of its samples: its goroutines become
/// those of the samples kept, in their order, and the samples point at them again.
pub fn keep_goroutines_of_samples(profile: &Profile, out: &mut Profile) {
    if profile.goroutines.is_empty() {
        return;
    }
    let mut goroutines = Vec::with_capacity(out.samples.len());
    for s in out.samples.iter_mut() {
        if let Some(g) = s.goroutine {
            goroutines.push(profile.goroutines[g as usize].clone());
            s.goroutine = Some(goroutines.len() as u32 - 1);
        }
    }
    out.goroutines = goroutines;
}

/// Goroutines (or the default sample type's value) per label key and value: as many values as `budget`
/// holds (the label sets with the most goroutines first), saying in `hits` when it held fewer.
pub fn label_totals(profile: &Profile, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> BTreeMap<String, BTreeMap<String, i64>> {
    // Per label set first: a dump repeats a few sets over hundreds of thousands of goroutines.
    let mut per_set: HashMap<LabelSetId, i64> = HashMap::default();
    // Weighed by the profile's default sample type, as pprof shows it (a heap delta profile's
    // `default_sample_type = alloc_space`).
    let at = profile.default_sample_type;
    for s in &profile.samples {
        let n = per_set.entry(s.labels).or_insert(0);
        *n = limits::sum([*n, s.values.get(at).or(s.values.first()).copied().unwrap_or(0)]);
    }
    let mut per_set: Vec<(LabelSetId, i64)> = per_set.into_iter().collect();
    per_set.sort_by_key(|&(set, n)| (std::cmp::Reverse(n), set));
    let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut pairs: HashMap<(StrId, &LabelValue), bool> = HashMap::default();
    for (set, value) in per_set {
        for (k, v) in profile.labels(set) {
            let key = row_text(profile.strings.get(*k));
            let text = row_text(&profile.label_text(v));
            let kept = *pairs.entry((*k, v)).or_insert_with(|| {
                out.get(&key).is_some_and(|values| values.contains_key(&text)) || budget.take(RowBudget::text_cost(&key) + RowBudget::text_cost(&text))
            });
            if kept {
                let n = out.entry(key).or_default().entry(text).or_insert(0);
                *n = limits::sum([*n, value]);
            }
        }
    }
    let total = pairs.len() as u64;
    let kept = pairs.values().filter(|&&k| k).count() as u64;
    if kept < total {
        limits::record(hits, LimitHit::Rows { what: "label values".into(), kept, total });
    }
    out
}

/// A group of goroutines (or of samples for aggregated inputs).
#[derive(Debug, Clone)]
pub struct Group<'p> {
    /// The stack of the first member.
    pub stack: StackId,
    pub state: Option<WaitState<'p>>,
    /// The label set all members share (0, the empty set, where they differ).
    pub labels: LabelSetId,
    /// With [`LabelKey::Key`]: the value of that label in this group.
    pub key_label: Option<String>,
    pub count: i64,
    pub leaked: i64,
    /// The smallest and largest wait minutes printed among the members.
    pub wait_minutes: Option<(u32, u32)>,
    /// The members' creator (with [`GroupBy::creator`], all members have it, but at
    /// [`Similarity::Functions`] maybe from different lines: see `creators_differ`).
    pub created_by: Option<FrameId>,
    /// Members were created by one function at different lines (or, without
    /// [`GroupBy::creator`], by different creators): `created_by` is the first member's.
    pub creators_differ: bool,
    /// Indexes into `Profile::goroutines`, for dumps that list goroutines one by one.
    pub goroutines: Vec<u32>,
}

/// The functions-only key of a stack, leaf first.
pub fn function_key(profile: &Profile, stack: StackId) -> Vec<StrId> {
    let frames = profile.stack(stack);
    let funcs =
        |keep: &dyn Fn(&str) -> bool| -> Vec<StrId> { frames.iter().map(|&f| profile.frames.get(f).func).filter(|&s| keep(profile.strings.get(s))).collect() };
    let key = funcs(&|f| !hidden_runtime(f));
    if !key.is_empty() {
        return key;
    }
    let key = funcs(&|f| f != "runtime.goexit");
    if key.is_empty() {
        funcs(&|_| true)
    } else {
        key
    }
}

#[derive(Hash, PartialEq, Eq)]
enum LabelPart {
    Set(LabelSetId),
    Value(Option<String>),
}

#[derive(Hash, PartialEq, Eq)]
enum StackKey<'p> {
    Stack(StackId),
    StackArgs(StackId, &'p str),
    StackMasked(StackId, u32),
    /// The number of the stack's [`function_key`] among the profile's distinct ones.
    Functions(u32),
}

/// Groups the profile's samples; biggest groups first, ties by the stack's leaf function.
pub fn group<'p>(profile: &'p Profile, by: &GroupBy) -> Vec<Group<'p>> {
    let leak_profile = profile.kind == ProfileKind::GoroutineLeak;
    let mut index: HashMap<(StackKey<'p>, Option<WaitState<'p>>, LabelPart, Option<u32>), usize> = HashMap::default();
    let mut label_parts: HashMap<LabelSetId, Option<String>> = HashMap::default();
    let mut function_keys: HashMap<StackId, u32> = HashMap::default();
    let mut distinct_keys: Interner<Vec<StrId>> = Interner::default();
    // Inferred states, per stack: inference reads a stack's frames.
    let mut inferred: HashMap<StackId, Option<WaitState<'p>>> = HashMap::default();
    let mut masked: HashMap<String, u32> = HashMap::default();
    let mut groups: Vec<Group<'p>> = Vec::new();
    for sample in &profile.samples {
        let count = sample.values.first().copied().unwrap_or(0);
        let goroutine = sample.goroutine.map(|g| &profile.goroutines[g as usize]);
        let stack_key = match by.similarity {
            Similarity::Functions => {
                StackKey::Functions(*function_keys.entry(sample.stack).or_insert_with(|| distinct_keys.intern(function_key(profile, sample.stack))))
            }
            Similarity::AnyValue => StackKey::Stack(sample.stack),
            Similarity::Exact => StackKey::StackArgs(sample.stack, goroutine.map_or("", |g| profile.args.run(g.args))),
            Similarity::AnyPointer => {
                let text = goroutine.map_or(String::new(), |g| profile.args.list(g.args).map(mask_pointers).collect::<Vec<_>>().join("\0"));
                let next = masked.len() as u32;
                StackKey::StackMasked(sample.stack, *masked.entry(text).or_insert(next))
            }
        };
        let state = match sample.goroutine {
            Some(_) => state_of(profile, sample),
            None => *inferred.entry(sample.stack).or_insert_with(|| state_of(profile, sample)),
        };
        let label_part = match &by.labels {
            LabelKey::All => LabelPart::Set(sample.labels),
            LabelKey::Ignore => LabelPart::Set(0),
            LabelKey::Key(k) => LabelPart::Value(label_parts.entry(sample.labels).or_insert_with(|| label_value(profile, sample.labels, k)).clone()),
        };
        let key_label = match &label_part {
            LabelPart::Value(v) => v.clone(),
            LabelPart::Set(_) => None,
        };
        let creator = goroutine.and_then(|g| g.created_by).filter(|_| by.creator).map(|f| match by.similarity {
            Similarity::Functions => profile.frames.get(f).func,
            _ => f,
        });
        let key = (stack_key, if by.state { state } else { None }, label_part, creator);
        let at = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                stack: sample.stack,
                state,
                labels: sample.labels,
                key_label,
                count: 0,
                leaked: 0,
                wait_minutes: None,
                created_by: goroutine.and_then(|g| g.created_by),
                creators_differ: false,
                goroutines: Vec::new(),
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        group.count = limits::sum([group.count, count]);
        if state != group.state {
            group.state = None;
        }
        if sample.labels != group.labels {
            group.labels = 0;
        }
        if goroutine.is_some_and(|g| g.created_by != group.created_by) {
            group.creators_differ = true;
        }
        if leak_profile {
            group.leaked = group.leaked.saturating_add(count);
        }
        if let (Some(g), Some(index)) = (goroutine, sample.goroutine) {
            group.goroutines.push(index);
            if g.leaked && !leak_profile {
                group.leaked += 1;
            }
            if let Some(m) = g.wait_minutes {
                group.wait_minutes = Some(group.wait_minutes.map_or((m, m), |(lo, hi)| (lo.min(m), hi.max(m))));
            }
        }
    }
    let leaf = |stack: StackId| profile.stack(stack).first().map_or(0, |&f| profile.frames.get(f).func);
    let ranks = name_ranks(groups.iter().map(|g| (leaf(g.stack), profile.strings.get(leaf(g.stack)))));
    groups.sort_by_key(|g| (std::cmp::Reverse(g.count), ranks[&leaf(g.stack)]));
    groups
}

/// The rank of each key's name in the order of the names' text, equal texts sharing a rank:
/// sorting by rank sorts by name, while each distinct name is compared only while ranking, not
/// at every comparison of a sort (names can be long).
pub fn name_ranks<'a, K: Copy + Eq + std::hash::Hash>(names: impl IntoIterator<Item = (K, &'a str)>) -> HashMap<K, u32> {
    let mut distinct: HashMap<K, &str> = HashMap::default();
    for (k, name) in names {
        distinct.entry(k).or_insert(name);
    }
    let mut sorted: Vec<(K, &str)> = distinct.into_iter().collect();
    sorted.sort_unstable_by(|a, b| a.1.cmp(b.1));
    let mut ranks = HashMap::default();
    let mut rank = 0u32;
    for (i, (k, name)) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1].1 != *name {
            rank += 1;
        }
        ranks.insert(*k, rank);
    }
    ranks
}
