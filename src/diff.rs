//! Comparing snapshots of any formats on one key: by default the stack's functions alone
//! (without labels or state), so that a debug=2 dump and a proto of the same moment line up;
//! at the other similarities the frames (function, file, line) and, for `exact` and
//! `any-pointer`, the arguments (pointers masked for `any-pointer`).

use crate::gofunc::{mask_pointers, UserCode};
use crate::group::{filtered, function_key, group, GroupBy, LabelKey, Similarity};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{Interner, LabelSetId, LabelValue, Profile, StackId, StrId};
use crate::rows::{frame_rows, site_row, stack_cost, Change, DiffRow, LimitRow, SeriesRow, Totals};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const DIFF_SCHEMA: &str = "parkview.diff/v1";
pub const SERIES_SCHEMA: &str = "parkview.series/v1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Diff {
    pub schema: String,
    pub base: Totals,
    pub new: Totals,
    pub rows: Vec<DiffRow>,
    /// Rows left out past [`limits::MAX_ROW_BYTES`], if any.
    #[serde(default)]
    pub limits: Vec<LimitRow>,
    /// With three or more snapshots compared ([`compare`]): the totals of each, in order.
    #[serde(default)]
    pub timeline: Option<Vec<Totals>>,
    /// The label filter every figure was counted under (`label:route=GET /x`), if any.
    #[serde(default)]
    pub filter: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub schema: String,
    pub snapshots: Vec<Totals>,
    pub rows: Vec<SeriesRow>,
    /// Rows left out past [`limits::MAX_ROW_BYTES`], if any.
    #[serde(default)]
    pub limits: Vec<LimitRow>,
    /// The label filter every figure was counted under (`label:route=GET /x`), if any.
    #[serde(default)]
    pub filter: Option<String>,
}

/// The key of a group as a comparison sees it: the numbers, in [`Texts`], of its stack as the
/// similarity reads it (function names, or frames, and arguments), of its state and of its
/// labels (when asked). Texts, not a snapshot's ids, so that profiles with their own string
/// tables compare.
type Key = (u32, Option<u32>, u32);

/// The texts that keys number, shared by the snapshots of one comparison. Each snapshot
/// numbers each of its distinct stacks, states and label sets once, not once per group.
#[derive(Default)]
struct Texts<'p> {
    /// Function names, file names, argument texts, label keys and label values.
    words: Interner<Cow<'p, str>>,
    /// Stacks as the similarity reads them, in words (and line numbers).
    stacks: Interner<Vec<u32>>,
    states: Interner<String>,
    /// Label sets as (key, value) pairs of words, sorted.
    labels: Interner<Vec<(u32, u32)>>,
}

impl Texts<'_> {
    /// A label set as rows show it.
    fn label_map(&self, labels: u32) -> BTreeMap<String, String> {
        self.labels.get(labels).iter().map(|&(k, v)| (row_text(self.words.get(k)), row_text(self.words.get(v)))).collect()
    }

    /// What [`Texts::label_map`] costs in a [`RowBudget`].
    fn labels_cost(&self, labels: u32) -> usize {
        self.labels.get(labels).iter().map(|&(k, v)| RowBudget::text_cost(self.words.get(k)) + RowBudget::text_cost(self.words.get(v))).sum()
    }
}

/// One snapshot's rows by key: count, the stack and state shown (the biggest member's), and
/// the goroutine ids behind each key.
struct Side<'p> {
    profile: &'p Profile,
    user_code: UserCode,
    rows: HashMap<Key, SideRow>,
    listed: bool,
}

struct SideRow {
    count: i64,
    stack: StackId,
    state: Option<String>,
    biggest: i64,
    ids: Vec<u64>,
}

fn side<'p>(profile: &'p Profile, by: &GroupBy, texts: &mut Texts<'p>) -> Side<'p> {
    let groups = group(profile, by);
    let mut rows: HashMap<Key, SideRow> = HashMap::default();
    // This snapshot's ids to the shared numbers.
    let mut numbers: HashMap<StrId, u32> = HashMap::default();
    let mut stacks: HashMap<StackId, u32> = HashMap::default();
    let mut labels: HashMap<LabelSetId, u32> = HashMap::default();
    // A state's text is the profile's own (or a constant): where it lies tells it apart.
    let mut states: HashMap<(usize, usize), u32> = HashMap::default();
    let mut word = |texts: &mut Texts<'p>, s: StrId| *numbers.entry(s).or_insert_with(|| texts.words.intern(Cow::Borrowed(profile.strings.get(s))));
    let value = |texts: &mut Texts<'p>, word: &mut dyn FnMut(&mut Texts<'p>, StrId) -> u32, v: &LabelValue| match v {
        LabelValue::Str(s) => word(texts, *s),
        v => texts.words.intern(Cow::Owned(profile.label_text(v).into_owned())),
    };
    for g in groups {
        let mut stack_words = |texts: &mut Texts<'p>| -> Vec<u32> {
            match by.similarity {
                Similarity::Functions => function_key(profile, g.stack).into_iter().map(|s| word(texts, s)).collect(),
                _ => profile
                    .stack(g.stack)
                    .iter()
                    .flat_map(|&f| {
                        let frame = profile.frames.get(f);
                        [word(texts, frame.func), word(texts, frame.file), frame.line]
                    })
                    .collect(),
            }
        };
        let stack_key = match (by.similarity, g.goroutines.first()) {
            // Groups at these similarities share their arguments too.
            (Similarity::Exact | Similarity::AnyPointer, Some(&first)) => {
                let args = profile.args.run(profile.goroutines[first as usize].args);
                let args = match by.similarity {
                    Similarity::Exact => Cow::Borrowed(args),
                    _ => Cow::Owned(args.split('\0').map(mask_pointers).collect::<Vec<_>>().join("\0")),
                };
                let mut key = stack_words(texts);
                key.push(texts.words.intern(args));
                texts.stacks.intern(key)
            }
            _ => match stacks.get(&g.stack) {
                Some(&key) => key,
                None => {
                    let key = stack_words(texts);
                    let key = texts.stacks.intern(key);
                    stacks.insert(g.stack, key);
                    key
                }
            },
        };
        let state = g
            .state
            .filter(|_| by.state)
            .map(|s| *states.entry((s.name.as_ptr() as usize, s.name.len())).or_insert_with(|| texts.states.intern(row_text(s.name))));
        let label_key = match &by.labels {
            // The group's value of the key: its members may differ in their other labels, so the
            // set they share may be empty.
            LabelKey::Key(key) => {
                let pair = g.key_label.as_ref().map(|v| (texts.words.intern(Cow::Owned(key.clone())), texts.words.intern(Cow::Owned(v.clone()))));
                texts.labels.intern(pair.into_iter().collect())
            }
            LabelKey::All | LabelKey::Ignore => *labels.entry(g.labels).or_insert_with(|| {
                let chosen: &[(StrId, LabelValue)] = if by.labels == LabelKey::All { profile.labels(g.labels) } else { &[] };
                let mut pairs: Vec<(u32, u32)> = chosen.iter().map(|(k, v)| (word(texts, *k), value(texts, &mut word, v))).collect();
                pairs.sort_unstable();
                texts.labels.intern(pairs)
            }),
        };
        let row = rows.entry((stack_key, state, label_key)).or_insert_with(|| SideRow { count: 0, stack: g.stack, state: None, biggest: 0, ids: Vec::new() });
        row.count = limits::sum([row.count, g.count]);
        row.ids.extend(g.goroutines.iter().map(|&i| profile.goroutines[i as usize].id));
        if g.count > row.biggest {
            row.stack = g.stack;
            row.state = g.state.map(|s| row_text(s.name));
            row.biggest = g.count;
        }
    }
    Side { profile, user_code: UserCode::of(profile), rows, listed: !profile.goroutines.is_empty() }
}

/// Counts of every key across snapshots, in the order given, and the texts the keys number.
fn table<'p>(profiles: &[&'p Profile], by: &GroupBy) -> (Vec<Side<'p>>, Vec<Key>, Texts<'p>) {
    let mut texts = Texts::default();
    let sides: Vec<Side> = profiles.iter().map(|p| side(p, by, &mut texts)).collect();
    let mut keys: Vec<Key> = Vec::new();
    let mut seen: HashSet<Key> = HashSet::default();
    for s in &sides {
        for k in s.rows.keys() {
            if seen.insert(*k) {
                keys.push(*k);
            }
        }
    }
    (sides, keys, texts)
}

/// The snapshot and row a key shows the frames and state of: the newest snapshot that has it.
fn shown<'a, 'p>(sides: &'a [Side<'p>], key: &Key) -> (&'a Side<'p>, &'a SideRow) {
    sides.iter().rev().find_map(|s| s.rows.get(key).map(|r| (s, r))).expect("every key comes from some side")
}

/// The rank of the leaf function's name of the row each key shows (see
/// [`crate::group::name_ranks`]), for ordering rows with equal counts by name.
fn leaf_ranks<'k>(sides: &[Side], keys: impl IntoIterator<Item = &'k Key>) -> HashMap<&'k Key, u32> {
    let leaves: Vec<(&Key, (usize, StrId), &str)> = keys
        .into_iter()
        .map(|key| {
            let at = sides.iter().rposition(|s| s.rows.contains_key(key)).expect("every key comes from some side");
            let (profile, row) = (sides[at].profile, &sides[at].rows[key]);
            let func = profile.stack(row.stack).first().map_or(0, |&f| profile.frames.get(f).func);
            (key, (at, func), profile.strings.get(func))
        })
        .collect();
    let ranks = crate::group::name_ranks(leaves.iter().map(|&(_, id, name)| (id, name)));
    leaves.into_iter().map(|(key, id, _)| (key, ranks[&id])).collect()
}

/// Per functions-only key of a profile ([`function_key`], in its string ids): the goroutines
/// in a base snapshot and the change since.
pub type Growth = HashMap<Vec<StrId>, (i64, i64)>;

/// The [`Growth`] of `new` since `base`.
pub fn growth(base: &Profile, new: &Profile) -> Growth {
    let (sides, ..) = table(&[base, new], &default_key());
    sides[1]
        .rows
        .iter()
        .map(|(key, row)| {
            let b = sides[0].rows.get(key).map_or(0, |r| r.count);
            (function_key(new, row.stack), (b, row.count.saturating_sub(b)))
        })
        .collect()
}

/// Compares two profiles; rows sorted by delta (biggest growth first), then by new count; as
/// many as [`limits::MAX_ROW_BYTES`] holds.
pub fn diff(base: &Profile, new: &Profile, by: &GroupBy) -> Diff {
    compare(&[base, new], 0, 1, by)
}

/// Compares snapshot `base` of `profiles` with snapshot `new`, as [`diff`] does; with three
/// or more snapshots, each row also carries its count in every one (its timeline) and the diff
/// the totals of every one, on the same keys.
pub fn compare(profiles: &[&Profile], base: usize, new: usize, by: &GroupBy) -> Diff {
    let filtered: Vec<Cow<Profile>> = profiles.iter().map(|p| filtered(p, by.only.as_ref())).collect();
    let profiles: Vec<&Profile> = filtered.iter().map(|p| &**p).collect();
    let (sides, keys, texts) = table(&profiles, by);
    let (b, n) = (&sides[base], &sides[new]);
    let both_listed = b.listed && n.listed;
    let count = |s: &Side, key: &Key| s.rows.get(key).map_or(0, |r| r.count);
    let timelines = profiles.len() >= 3;
    let mut keys: Vec<&Key> = keys.iter().filter(|k| b.rows.contains_key(*k) || n.rows.contains_key(*k)).collect();
    let delta = |key: &Key| count(n, key).saturating_sub(count(b, key));
    let ranks = leaf_ranks(&sides, keys.iter().copied());
    keys.sort_by_key(|k| (std::cmp::Reverse(delta(k)), std::cmp::Reverse(count(n, k)), ranks[k]));
    let mut budget = RowBudget::default();
    let mut hits = Vec::new();
    let mut rows: Vec<DiffRow> = Vec::new();
    for key in &keys {
        let (base_count, new_count) = (count(b, key), count(n, key));
        let (side, row) = shown(&sides, key);
        let profile = side.profile;
        let cost = stack_cost(profile, row.stack) + texts.labels_cost(key.2) + if timelines { sides.len() * 8 } else { 0 };
        if !budget.take(cost) {
            limits::record(&mut hits, LimitHit::Rows { what: "diff rows".into(), kept: rows.len() as u64, total: keys.len() as u64 });
            break;
        }
        let persisted = both_listed.then(|| {
            let before: HashSet<u64> = b.rows.get(*key).map(|r| r.ids.iter().copied().collect()).unwrap_or_default();
            n.rows.get(*key).map_or(0, |r| r.ids.iter().filter(|id| before.contains(id)).count() as i64)
        });
        let change = match (base_count, new_count) {
            (0, n) if n > 0 => Change::New,
            (b, 0) if b > 0 => Change::Vanished,
            (b, n) if n > b => Change::Grew,
            (b, n) if n < b => Change::Shrank,
            _ => Change::Same,
        };
        rows.push(DiffRow {
            frames: frame_rows(profile, row.stack),
            site: site_row(profile, &side.user_code, row.stack),
            state: row.state.clone(),
            labels: texts.label_map(key.2),
            base: base_count,
            new: new_count,
            delta: new_count.saturating_sub(base_count),
            growth: (base_count > 0).then(|| new_count as f64 / base_count as f64),
            change,
            persisted,
            timeline: timelines.then(|| sides.iter().map(|s| count(s, key)).collect()),
        });
    }
    Diff {
        schema: DIFF_SCHEMA.to_string(),
        base: Totals { goroutines: profiles[base].goroutine_count() },
        new: Totals { goroutines: profiles[new].goroutine_count() },
        rows,
        limits: hits.iter().map(LimitRow::from).collect(),
        timeline: timelines.then(|| profiles.iter().map(|p| Totals { goroutines: p.goroutine_count() }).collect()),
        filter: by.filter_text(),
    }
}

/// Counts per key across two or more snapshots; rows sorted by growth from first to last; as
/// many as [`limits::MAX_ROW_BYTES`] holds.
pub fn series(profiles: &[&Profile], by: &GroupBy) -> Series {
    let filtered: Vec<Cow<Profile>> = profiles.iter().map(|p| filtered(p, by.only.as_ref())).collect();
    let profiles: Vec<&Profile> = filtered.iter().map(|p| &**p).collect();
    let (sides, keys, texts) = table(&profiles, by);
    let counts = |key: &Key| -> Vec<i64> { sides.iter().map(|s| s.rows.get(key).map_or(0, |r| r.count)).collect() };
    let mut keyed: Vec<(&Key, Vec<i64>)> = keys.iter().map(|k| (k, counts(k))).collect();
    let delta = |c: &[i64]| c.last().copied().unwrap_or(0).saturating_sub(c.first().copied().unwrap_or(0));
    let ranks = leaf_ranks(&sides, keys.iter());
    keyed.sort_by_key(|(k, c)| (std::cmp::Reverse(delta(c)), std::cmp::Reverse(c.last().copied()), ranks[k]));
    let mut budget = RowBudget::default();
    let mut hits = Vec::new();
    let mut rows = Vec::new();
    let total = keyed.len() as u64;
    for (key, counts) in keyed {
        let (side, row) = shown(&sides, key);
        let profile = side.profile;
        let cost = stack_cost(profile, row.stack) + counts.len() * 8 + texts.labels_cost(key.2);
        if !budget.take(cost) {
            limits::record(&mut hits, LimitHit::Rows { what: "series rows".into(), kept: rows.len() as u64, total });
            break;
        }
        let delta = delta(&counts);
        rows.push(SeriesRow {
            frames: frame_rows(profile, row.stack),
            site: site_row(profile, &side.user_code, row.stack),
            state: row.state.clone(),
            labels: texts.label_map(key.2),
            counts,
            delta,
        });
    }
    Series {
        schema: SERIES_SCHEMA.to_string(),
        snapshots: profiles.iter().map(|p| Totals { goroutines: p.goroutine_count() }).collect(),
        rows,
        limits: hits.iter().map(LimitRow::from).collect(),
        filter: by.filter_text(),
    }
}

/// The diff key that DESIGN.md names as the default: functions only, no state, no labels.
pub fn default_key() -> GroupBy {
    GroupBy::comparison(None, false, None, None)
}
