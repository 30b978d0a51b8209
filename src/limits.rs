//! Every limit parkview puts on what it reads, in one place.
//!
//! Input comes from anywhere: a dump from wherever a terminal held it, a link or a share file
//! from someone else. No input may take unbounded memory or time, so each table the model and
//! the rows can grow is capped here. Past a limit parkview keeps what it read, stops growing
//! that table, and says so in one sentence ([`LimitHit`]) that names the limit and what was
//! kept; it never aborts. The README lists these limits.
//!
//! | limit | value | past it |
//! |---|---|---|
//! | [`MAX_FILE_BYTES`] | 2 GiB | a gzip stream that inflates past it is an error (a gzip bomb) |
//! | [`MAX_WHOLE_BYTES`] | 256 MiB | protobuf, debug=1 and legacy input (read whole) past it is an error |
//! | [`MAX_LINK_BYTES`] | 64 MiB | a link or share file that inflates past it is an error |
//! | [`MAX_GOROUTINES`] | 4,000,000 | later goroutines (or samples) are counted, not kept |
//! | [`MAX_FRAMES`] | 1,024 | the first and last 512 frames of a stack are kept, with `...N frames elided...` between, as Go does |
//! | [`MAX_LABELS`] | 64 | later labels of a goroutine or sample are dropped |
//! | [`MAX_SAMPLE_TYPES`] | 8 | later sample types of a profile are dropped |
//! | [`MAX_STACK_FRAMES`] | 16,000,000 | a stack not seen before keeps only its leaf and a frame that says so |
//! | [`MAX_ANCESTORS`] | 100 | later ancestor stacks of a goroutine are dropped |
//! | [`MAX_LINE_BYTES`] | 1 MiB | the rest of a longer line is not read |
//! | [`MAX_ARG_BYTES`] | 1 GiB | later function arguments are kept empty |
//! | [`MAX_WARNINGS`] | 200 | later warnings are counted, not kept |
//! | [`MAX_ROW_STRING`] | 4 KiB | longer names in rows end in `…` |
//! | [`MAX_ROW_BYTES`] | 64 MiB | rows past it are left out of a report (biggest groups first) |
//! | [`MAX_TABLE`] | 4,000,000 | a link or protobuf whose strings, frames, stacks, label sets, functions or locations are more is an error |
//! | [`MAX_SNAPSHOTS`] | 64 | a link holding more snapshots is an error |
//! | [`MAX_MEMBERS`] | 10,000 | later members of an archive are counted, not read |
//! | [`MAX_IGNORE_RULES`] | 1,000 | an ignore file with more rules is an error |
//! | [`MAX_HEADER_ATTEMPTS`] | 4 | a line is searched for a goroutine header glued to other text at most this many times |

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The most bytes a file (a gzip stream) may inflate to: a million-goroutine debug=2 dump is
/// about 800 MB of text.
pub const MAX_FILE_BYTES: u64 = 2 << 30;
/// The most bytes of an input that is decoded whole rather than line by line (protobuf, debug=1
/// text, legacy CPU profiles): a 300,000-goroutine proto is 40 KB, a large heap profile a few MB.
pub const MAX_WHOLE_BYTES: u64 = 256 << 20;
/// The most bytes a link or share file may inflate to: the JSON of a 40 MB debug=2 dump (what a
/// 2 MiB link holds) is 32 MB.
pub const MAX_LINK_BYTES: u64 = 64 << 20;
/// Goroutines (debug=2, tracebacks) or samples (the other formats) kept from one input: more
/// than any real dump under [`MAX_FILE_BYTES`] holds.
pub const MAX_GOROUTINES: usize = 4_000_000;
/// Frames kept per stack. Go prints at most 100 (the first and last 50,
/// runtime/traceback.go's `tracebackInnerFrames`/`tracebackOuterFrames`); protos hold 128 by
/// default (`profstackdepth`, up to 1024).
pub const MAX_FRAMES: usize = 1024;
/// Frames in all the distinct stacks of a profile: a protobuf can name a deep location from
/// every sample for a few bytes each, so the stacks, not the input, would set the memory.
pub const MAX_STACK_FRAMES: usize = 16_000_000;
/// Labels kept per goroutine or sample.
pub const MAX_LABELS: usize = 64;
/// Sample types kept per profile (Go writes at most 4): every sample type costs a pass of the
/// top functions over every stack.
pub const MAX_SAMPLE_TYPES: usize = 8;
/// Ancestor stacks kept per goroutine (`GODEBUG=tracebackancestors=N`).
pub const MAX_ANCESTORS: usize = 100;
/// Bytes of argument text kept per profile (its spans are 32-bit offsets); past it, arguments
/// are kept empty.
pub const MAX_ARG_BYTES: usize = 1 << 30;
/// Bytes of one line of text that are read.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Rules read from an ignore file ([`crate::ignore`]): each is checked against every distinct
/// stack, so thousands would make a large dump slow.
pub const MAX_IGNORE_RULES: usize = 1000;
/// Warnings kept per input; every skipped line is still counted.
pub const MAX_WARNINGS: usize = 200;
/// Bytes of one name (function, file, label) in report rows. Go prints type parameters as
/// `[...]`, so real names stay far below this.
pub const MAX_ROW_STRING: usize = 4096;
/// What the rows of one report, diff or series may hold, counted as the bytes of their text
/// plus [`ROW_OVERHEAD`] per frame, argument and id.
pub const MAX_ROW_BYTES: usize = 64 << 20;
/// What a frame, argument or id costs in [`MAX_ROW_BYTES`] besides its text (the row's own
/// memory).
pub const ROW_OVERHEAD: usize = 64;
/// Entries of one table of a link's model or of a protobuf (strings, frames, stacks, label
/// sets, functions, locations).
pub const MAX_TABLE: usize = 4_000_000;
/// Snapshots in one link or share file.
pub const MAX_SNAPSHOTS: usize = 64;
/// The most members of an archive read (a support bundle holds a few hundred).
pub const MAX_MEMBERS: usize = 10_000;
/// Data races kept per input: a test run that races in a loop prints thousands of reports of
/// a few races.
pub const MAX_RACES: usize = 1_000;
/// Accesses, and goroutines, kept per race: the race detector prints two of each.
pub const MAX_RACE_PARTS: usize = 8;
/// Archives read inside archives (a node's zip in a cluster's bundle), the outermost counted.
pub const MAX_NESTING: usize = 3;
/// Places in one line where a goroutine header glued to other text is tried
/// (`dumping all stacksgoroutine 1 [running]:`): keeps the header search linear in the line.
pub const MAX_HEADER_ATTEMPTS: usize = 4;

/// A limit that an input reached, and what was kept: one sentence each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
#[serde(tag = "limit", rename_all = "snake_case")]
pub enum LimitHit {
    #[error("only the first {kept} goroutines or samples were read (MAX_GOROUTINES = {}); {skipped} more were skipped", MAX_GOROUTINES)]
    Goroutines { kept: u64, skipped: u64 },
    #[error("{stacks} stacks had more than {} frames (MAX_FRAMES): their first and last {} frames were kept", MAX_FRAMES, MAX_FRAMES / 2)]
    Frames { stacks: u64 },
    #[error("{sets} goroutines or samples had more than {} labels (MAX_LABELS): their first {} were kept", MAX_LABELS, MAX_LABELS)]
    Labels { sets: u64 },
    #[error("the profile has {seen} sample types: the first {} were read (MAX_SAMPLE_TYPES)", MAX_SAMPLE_TYPES)]
    SampleTypes { seen: u64 },
    #[error("{goroutines} goroutines printed more than {} ancestor stacks (MAX_ANCESTORS): their first {} were kept", MAX_ANCESTORS, MAX_ANCESTORS)]
    Ancestors { goroutines: u64 },
    #[error("the stacks reached {} frames in all (MAX_STACK_FRAMES): {stacks} later stacks kept only their leaf frame", MAX_STACK_FRAMES)]
    StackFrames { stacks: u64 },
    #[error("the function arguments reached {} MiB (MAX_ARG_BYTES): {args} later arguments were kept empty", MAX_ARG_BYTES >> 20)]
    ArgBytes { args: u64 },
    #[error("{lines} lines were longer than {} bytes (MAX_LINE_BYTES): only their start was read", MAX_LINE_BYTES)]
    LineBytes { lines: u64 },
    #[error("the input reports more than {} data races (MAX_RACES): {skipped} more were skipped", MAX_RACES)]
    Races { skipped: u64 },
    #[error("the rows list {kept} of {total} {what} (MAX_ROW_BYTES = {} MiB of rows): the rest are counted in the totals but not listed", MAX_ROW_BYTES >> 20)]
    Rows { what: String, kept: u64, total: u64 },
}

impl LimitHit {
    /// Adds `other` into `self` when both are the same limit; gives `other` back otherwise.
    fn merge(&mut self, other: LimitHit) -> Option<LimitHit> {
        use LimitHit::*;
        match (self, other) {
            (Goroutines { kept, skipped }, Goroutines { kept: k, skipped: s }) => {
                *kept = (*kept).max(k);
                *skipped = skipped.saturating_add(s);
            }
            (Frames { stacks }, Frames { stacks: n }) => *stacks = stacks.saturating_add(n),
            (Labels { sets }, Labels { sets: n }) => *sets = sets.saturating_add(n),
            (SampleTypes { seen }, SampleTypes { seen: n }) => *seen = (*seen).max(n),
            (Ancestors { goroutines }, Ancestors { goroutines: n }) => *goroutines = goroutines.saturating_add(n),
            (StackFrames { stacks }, StackFrames { stacks: n }) => *stacks = stacks.saturating_add(n),
            (ArgBytes { args }, ArgBytes { args: n }) => *args = args.saturating_add(n),
            (LineBytes { lines }, LineBytes { lines: n }) => *lines = lines.saturating_add(n),
            (Races { skipped }, Races { skipped: n }) => *skipped = skipped.saturating_add(n),
            (Rows { what, kept, total }, Rows { what: w, kept: k, total: t }) if *what == w => {
                *kept = (*kept).max(k);
                *total = (*total).max(t);
            }
            (_, other) => return Some(other),
        }
        None
    }
}

/// Records `hit` in `hits`, merged with an earlier hit of the same limit: one sentence per
/// limit, however often it was reached.
pub fn record(hits: &mut Vec<LimitHit>, hit: LimitHit) {
    let mut hit = Some(hit);
    for h in hits.iter_mut() {
        hit = hit.and_then(|x| h.merge(x));
    }
    hits.extend(hit);
}

/// The sum of `values`, at most `i64::MAX` and at least `i64::MIN`, whatever their order
/// (summed wide, then clamped).
pub fn sum(values: impl IntoIterator<Item = i64>) -> i64 {
    let total: i128 = values.into_iter().map(i128::from).sum();
    total.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// `text` cut to at most [`MAX_ROW_STRING`] bytes (at a character boundary, ending in `…`).
pub fn row_text(text: &str) -> String {
    if text.len() <= MAX_ROW_STRING {
        return text.to_string();
    }
    let mut end = MAX_ROW_STRING - '…'.len_utf8();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// What the rows of one report, diff or series may still hold ([`MAX_ROW_BYTES`]).
#[derive(Debug, Clone)]
pub struct RowBudget {
    left: usize,
}

impl Default for RowBudget {
    fn default() -> Self {
        RowBudget { left: MAX_ROW_BYTES }
    }
}

impl RowBudget {
    /// Takes `cost` from the budget; `false` (and nothing taken) when it does not fit.
    pub fn take(&mut self, cost: usize) -> bool {
        match self.left.checked_sub(cost) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }

    /// The cost of one name in a row: its text, as [`row_text`] cuts it, and the overhead.
    pub fn text_cost(text: &str) -> usize {
        text.len().min(MAX_ROW_STRING) + ROW_OVERHEAD
    }
}

/// Deserializes a sequence of at most `MAX` elements, failing at the first one past it rather
/// than allocating for all of them (for tables of untrusted models).
pub fn bounded_vec<'de, D, T, const MAX: usize>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Bounded<T, const MAX: usize>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>, const MAX: usize> serde::de::Visitor<'de> for Bounded<T, MAX> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX} entries")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(x) = seq.next_element()? {
                if out.len() == MAX {
                    return Err(serde::de::Error::custom(format_args!("a list holds more than {MAX} entries, the most parkview reads")));
                }
                out.push(x);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded::<T, MAX>(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let name = "é".repeat(5000);
        let cut = row_text(&name);
        assert!(cut.len() <= MAX_ROW_STRING && cut.ends_with('…'));
        assert_eq!(row_text("main.main"), "main.main");
    }

    #[test]
    fn hits_of_one_limit_merge_into_one_sentence() {
        let mut hits = Vec::new();
        record(&mut hits, LimitHit::Frames { stacks: 1 });
        record(&mut hits, LimitHit::Labels { sets: 2 });
        record(&mut hits, LimitHit::Frames { stacks: 3 });
        assert_eq!(hits, vec![LimitHit::Frames { stacks: 4 }, LimitHit::Labels { sets: 2 }]);
        assert!(hits[0].to_string().contains("MAX_FRAMES"));
    }
}
