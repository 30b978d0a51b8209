//! The rows every front end renders, and how they are cut from the model: the JSON contract
//! of DESIGN.md section 5, in one place below the analyses that fill them ([`crate::report`],
//! [`crate::diff`] and the others). The CLI prints them and the page draws them, so the two
//! cannot disagree on a number; names in rows are cut to [`crate::limits::MAX_ROW_STRING`],
//! and what rows copy is counted in a [`RowBudget`].

use crate::gofunc::{base_name, UserCode};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{FrameId, LabelSetId, Profile, StackId};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A frame as the input names it: `func` (`main.(*T).run.func1`), `file` (the full path) and
/// `line`; a frame whose file line the input does not give (a cut block, a creator that is one
/// function at several lines) has an empty file and line 0.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrameRow {
    pub func: String,
    pub file: String,
    pub line: u32,
}

impl FrameRow {
    /// Where the frame is, as rows show it: `main.go:42` (the file's base name), or `None`
    /// where the input gives no file line.
    pub fn place(&self) -> Option<String> {
        (!self.file.is_empty() || self.line > 0).then(|| format!("{}:{}", base_name(&self.file), self.line))
    }
}

/// A group of goroutines (or samples) alike at the report's similarity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GroupRow {
    /// Goroutines in the group (for aggregated inputs: the first sample value).
    pub count: i64,
    /// The wait state all members share (`chan receive`), `None` where they differ or it is
    /// unknown.
    pub state: Option<String>,
    /// The state was inferred from the leaf frames, not printed by the dump.
    pub inferred: bool,
    /// Members marked `(leaked)` (goroutineleak profiles).
    pub leaked: i64,
    /// The smallest and largest wait minutes printed among the members.
    pub wait_minutes: Option<[u32; 2]>,
    /// The labels all members share (with a label key: that key's value).
    pub labels: BTreeMap<String, String>,
    /// The stack, leaf first.
    pub frames: Vec<FrameRow>,
    /// The innermost frame of user code (else the leaf): where a user looks first.
    pub site: Option<FrameRow>,
    /// Where the members were created (`created by` lines of debug=2 dumps; the creator is
    /// part of a report's group key). At the functions similarity, members created by one
    /// function at different lines give the function with an empty file and line 0.
    pub created_by: Option<FrameRow>,
    /// The members' goroutine ids, for dumps that list goroutines one by one.
    pub ids: Option<Vec<u64>>,
    /// Every member is `(durable)`: blocked inside a synctest bubble on something only the
    /// bubble can wake (Go 1.25).
    #[serde(default)]
    pub durable: bool,
    /// The synctest bubble every member is in (`synctest bubble 1`, Go 1.25; Go 1.24's
    /// `synctest group 6`), if they share one.
    #[serde(default)]
    pub synctest_bubble: Option<u64>,
    /// Why the group waits by design, where it does (`an HTTP server's accept loop`): expected
    /// background, never a leak suspect on its own (see [`crate::leaks::BACKGROUND`]).
    #[serde(default)]
    pub background: Option<String>,
    /// The ignore rule that silences the group (`top:main.worker`), when one of the report's
    /// rules does (see [`crate::ignore`]): never a leak suspect.
    #[serde(default)]
    pub silenced_by: Option<String>,
    /// The rule "mark as expected" writes for the group ([`crate::ignore::rule_for`]).
    #[serde(default)]
    pub rule: Option<String>,
    /// The argument text of each frame of the first member (dumps that print arguments).
    pub args: Option<Vec<String>>,
    /// What tells the group from others whose rows read alike (same state, same site): at
    /// most three items (`via main.(*pool).get pool.go:88`, `tenant=acme`), empty when no
    /// other group reads like it. Filled by the report from [`distinctions`].
    #[serde(default)]
    pub distinctions: Vec<String>,
}

/// What a crash traceback says before its goroutines (runtime/panic.go, runtime/signal_unix.go).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CrashRow {
    /// Each `panic: ` line, in order (a re-raised panic prints one per panic).
    pub panic: Vec<String>,
    /// The text after `fatal error: `.
    pub fatal_error: Option<String>,
    /// The signal line (`[signal SIGSEGV: segmentation violation code=… addr=… pc=…]`).
    pub signal: Option<String>,
    /// The goroutine printed first: the one that crashed.
    pub first_goroutine: Option<u64>,
    /// A test binary's timeout panic lists the tests still running, with how long each ran.
    #[serde(default)]
    pub running_tests: Vec<RunningTest>,
    /// The goroutine printed first, whole: what a crash view shows before anything else.
    #[serde(default)]
    pub goroutine: Option<CrashedRow>,
}

/// The goroutine that crashed (runtime/traceback.go prints it first), with its own arguments
/// rather than those of a group's first member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CrashedRow {
    pub id: u64,
    /// Its state as printed (`running`, `chan send`).
    pub state: String,
    /// The stack, leaf first.
    pub frames: Vec<FrameRow>,
    /// The argument text of each frame of `frames`, as printed (`0x1c, {0x0?, 0x1}`).
    pub args: Vec<String>,
    /// The innermost frame of user code: where it crashed.
    pub site: Option<FrameRow>,
    pub created_by: Option<FrameRow>,
}

/// A test still running when `panic: test timed out` was printed: `TestDataLoaderSync (5s)`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunningTest {
    pub name: String,
    pub elapsed: String,
}

/// A test binary's timeout (see [`crate::timeouts`]): how long the tests ran, each running test
/// with its goroutines, and the goroutines that keep a synctest bubble's clock still.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TestTimeoutRow {
    /// The timeout as the panic gives it: `10m0s` of `panic: test timed out after 10m0s`.
    pub after: String,
    pub tests: Vec<TimedOutTestRow>,
    /// Goroutines in a synctest bubble blocked but not `(durable)`: each keeps its bubble's
    /// fake clock from advancing.
    pub unsettled: Vec<UnsettledRow>,
}

/// A test still running at the timeout, the goroutines that belong to it (its function on the
/// stack, created there, or by one of its goroutines), and what they are blocked on, past the
/// testing harness's own waits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimedOutTestRow {
    /// A top-level test: `TestX`.
    pub name: String,
    /// `10m0s`; empty where the dump has no `running tests:` list (Go before 1.20).
    pub elapsed: String,
    /// Its subtests still running (`TestX/sub`), as `running tests:` lists them: their
    /// goroutines are counted with the test's, since a stack does not tell which subtest's
    /// closure it runs.
    pub subtests: Vec<RunningTest>,
    pub goroutines: i64,
    /// Per wait state and site, most goroutines first (at most [`crate::timeouts::MAX_TEST_WAITS`]).
    pub waits: Vec<TestWaitRow>,
}

/// Goroutines of a timed-out test that share a wait state and a site, and their first ids.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TestWaitRow {
    pub count: i64,
    pub state: Option<String>,
    pub site: Option<FrameRow>,
    pub ids: Vec<u64>,
}

/// A goroutine in synctest bubble `bubble` blocked on something outside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnsettledRow {
    pub id: u64,
    pub bubble: u64,
    pub state: String,
    pub site: Option<FrameRow>,
}

/// A data race report (`WARNING: DATA RACE`): see [`crate::model::Race`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RaceRow {
    /// The line of `WARNING: DATA RACE` in the input.
    pub line: u32,
    /// The racing accesses, the current one first, then the `Previous` one.
    pub accesses: Vec<RaceAccessRow>,
    /// Where the goroutines of the accesses were started (the main goroutine has no entry).
    pub goroutines: Vec<RaceGoroutineRow>,
    /// `Heap block of size 8 at 0x… allocated by goroutine 7`, `Global var x of size 8 at 0x… declared at /src/x.go:9`.
    pub location: Option<String>,
    /// The stack that allocated the heap block; empty otherwise.
    pub location_frames: Vec<FrameRow>,
}

/// One access of a [`RaceRow`]: `Write at 0x00c0002a60c0 by goroutine 21:` and its stack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RaceAccessRow {
    /// `read` or `write`.
    pub kind: String,
    /// The access that came first (`Previous write at …`).
    pub previous: bool,
    /// As printed (`0x00c0002a60c0`); empty when the report gives none.
    pub address: String,
    /// The race detector's number for the goroutine, which is not Go's goroutine id; `null`
    /// for the main goroutine.
    pub goroutine: Option<u64>,
    /// Where the access happened, innermost first.
    pub frames: Vec<FrameRow>,
    /// The first frame of user code in `frames`, as for groups.
    pub site: Option<FrameRow>,
}

/// `Goroutine 21 (running) created at:` and the stack that started it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RaceGoroutineRow {
    /// The race detector's number for the goroutine, as in [`RaceAccessRow::goroutine`].
    pub goroutine: u64,
    /// `running` or `finished` when the race was found.
    pub status: String,
    /// The `go` statement that started it and its callers, innermost first.
    pub created_at: Vec<FrameRow>,
}

/// The rows of the profile's data races, as many as `budget` holds, saying in `hits` when it
/// held fewer.
pub fn race_rows(profile: &Profile, user_code: &UserCode, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<RaceRow> {
    let mut rows = Vec::new();
    for race in &profile.races {
        let site_cost = |stack| user_code.first_frame(profile, stack).map_or(0, |f| frame_cost(profile, f));
        let cost = race
            .accesses
            .iter()
            .map(|a| stack_cost(profile, a.stack) + site_cost(a.stack) + RowBudget::text_cost(&a.kind) + RowBudget::text_cost(&a.address))
            .sum::<usize>()
            + race.goroutines.iter().map(|g| stack_cost(profile, g.created_at) + RowBudget::text_cost(&g.status)).sum::<usize>()
            + race.location.as_deref().map_or(0, RowBudget::text_cost)
            + race.location_stack.map_or(0, |s| stack_cost(profile, s));
        if !budget.take(cost) {
            limits::record(hits, LimitHit::Rows { what: "data races".into(), kept: rows.len() as u64, total: profile.races.len() as u64 });
            break;
        }
        rows.push(RaceRow {
            line: race.line,
            accesses: race
                .accesses
                .iter()
                .map(|a| RaceAccessRow {
                    kind: row_text(&a.kind),
                    previous: a.previous,
                    address: row_text(&a.address),
                    goroutine: a.goroutine,
                    frames: frame_rows(profile, a.stack),
                    site: site_row(profile, user_code, a.stack),
                })
                .collect(),
            goroutines: race
                .goroutines
                .iter()
                .map(|g| RaceGoroutineRow { goroutine: g.goroutine, status: row_text(&g.status), created_at: frame_rows(profile, g.created_at) })
                .collect(),
            location: race.location.as_deref().map(row_text),
            location_frames: race.location_stack.map(|s| frame_rows(profile, s)).unwrap_or_default(),
        });
    }
    rows
}

/// A function's share of one sample type, pprof's `top`: `flat` in the function itself,
/// `cum` in it and what it called (in the sample type's unit).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TopRow {
    pub func: String,
    pub flat: i64,
    pub cum: i64,
    /// Where the function is: the file and line of its location with the most of this sample
    /// type (its hottest line; of equal ones, the first line), empty and 0 where the profile
    /// gives none.
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub line: u32,
}

/// A line of the input that could not be read as the format says, and why (`line` from 1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WarningRow {
    pub line: u32,
    pub message: String,
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

/// A frame as rows name it; names longer than [`limits::MAX_ROW_STRING`] are cut.
pub fn frame_row(profile: &Profile, frame: FrameId) -> FrameRow {
    let f = profile.frames.get(frame);
    FrameRow { func: row_text(profile.strings.get(f.func)), file: row_text(profile.strings.get(f.file)), line: f.line }
}

/// The frames of a stack, leaf first, as rows name them.
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

/// A label set as rows give it: key to value text (numbers in decimal), each cut to
/// [`crate::limits::MAX_ROW_STRING`].
pub fn label_map(profile: &Profile, set: LabelSetId) -> BTreeMap<String, String> {
    profile.labels(set).iter().map(|(k, v)| (row_text(profile.strings.get(*k)), row_text(&profile.label_text(v)))).collect()
}

/// What [`label_map`] costs in a [`RowBudget`].
pub fn labels_cost(profile: &Profile, set: LabelSetId) -> usize {
    profile.labels(set).iter().map(|(k, v)| RowBudget::text_cost(profile.strings.get(*k)) + RowBudget::text_cost(&profile.label_text(v))).sum()
}

/// Goroutines started at one place and parked at one place, in one state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreatorRow {
    /// The creator site (after folding), or `None` for goroutines the dump gives no creator.
    pub creator: Option<FrameRow>,
    /// The wrapper the creator was folded through, if any.
    pub via: Option<String>,
    /// The innermost frame of user code where the goroutines are parked.
    pub blocking: Option<FrameRow>,
    /// The wait state they share.
    pub state: Option<String>,
    /// Goroutines in the row.
    pub count: i64,
}

/// Goroutines waiting on one object: the receiver of their blocking frame.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WaitRow {
    /// The object's address as the dump prints it.
    pub object: String,
    /// Its type: `sync.Mutex`, `sync.RWMutex`, `sync.WaitGroup` or `sync.Cond`.
    pub kind: String,
    /// Goroutines waiting on it, and their ids.
    pub count: i64,
    pub ids: Vec<u64>,
    /// Where the first waiter is parked, in user code.
    pub site: Option<FrameRow>,
    /// Goroutines not waiting on the object whose arguments hold its address.
    pub maybe_held_by: Vec<u64>,
}

/// A known shape of goroutine leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// Senders blocked after the goroutine that would receive returned (on ctx.Done or an error).
    SendAfterCollectorReturned,
    /// `go func() { ch <- x }()` into a channel nobody drains.
    FireAndForgetSend,
    /// A receive or send on a nil channel.
    NilChannel,
    /// A `for { select { ... } }` loop with no `ctx.Done()` case.
    SelectLoopWithoutDone,
    /// Started by an HTTP handler, still running after the request ended.
    OutlivesHttpRequest,
    /// `wg.Wait()` on a WaitGroup that never reaches zero.
    WaitGroupNeverZero,
    /// Queued on a mutex whose holder is itself blocked.
    MutexHeldByBlockedGoroutine,
    /// A receive (or `range`) on a channel that nobody sends on or closes any more.
    ReceiveNeverClosed,
    /// Waiting in `database/sql.(*DB).conn` for a connection of a pool that is used up.
    DatabasePoolExhausted,
    /// An HTTP client call waiting for minutes in `net/http.(*persistConn).roundTrip`.
    HttpClientWithoutTimeout,
}

/// A group ranked as a leak suspect (the signals and weights are documented in
/// [`crate::leaks`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Suspect {
    /// The rank's score: higher is more suspect.
    pub score: f64,
    /// Goroutines in the group, and how many of them the runtime marked `(leaked)`.
    pub count: i64,
    pub leaked: i64,
    pub state: Option<String>,
    /// The smallest and largest wait minutes printed among the members.
    pub wait_minutes: Option<[u32; 2]>,
    /// The innermost frame of user code, where the goroutines are parked.
    pub site: Option<FrameRow>,
    /// Where the members were created, when they share one creator.
    pub created_by: Option<FrameRow>,
    /// Growth since the base snapshot, when one was given.
    pub delta: Option<i64>,
    /// The known leak shapes the group looks like.
    pub patterns: Vec<Pattern>,
    /// The signals that made it a suspect, in words (`+42 since the base snapshot`, `waiting
    /// 9+ minutes`, `64 of 112 parked goroutines`, `7 marked leaked by the runtime`): see
    /// [`crate::leaks`].
    #[serde(default)]
    pub signals: Vec<String>,
    /// The ignore rule that would silence the group ([`crate::ignore::rule_for`]): what "mark as
    /// expected" writes.
    #[serde(default)]
    pub rule: Option<String>,
    /// One sentence: what, where, since when, and the usual fix of each pattern.
    pub explanation: String,
    /// The stack, leaf first.
    pub frames: Vec<FrameRow>,
}

/// Goroutines left out of the leak suspects and gates: by an ignore rule (`top:main.worker`)
/// or as already in the baseline (`baseline NAME`); see [`crate::ignore`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SilencedRow {
    pub rule: String,
    pub goroutines: i64,
    /// How many of them the runtime marked leaked.
    pub leaked: i64,
}

/// A CI gate a front end checked a report against (the CLI's `--fail-on-leaked N`,
/// `--fail-on-suspects`), and whether it tripped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateRow {
    /// The option, as given: `fail-on-leaked 1`, `fail-on-suspects`.
    pub gate: String,
    pub tripped: bool,
    /// What was found, in one sentence: `3 goroutines marked leaked by the runtime (limit 1)`.
    pub why: String,
}

/// The totals of one side of a diff: goroutines (`None` for profiles that do not count them).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    pub goroutines: Option<i64>,
}

/// How a group changed between the base and the new snapshot.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Not in the base.
    New,
    /// Not in the new snapshot.
    Vanished,
    Grew,
    Shrank,
    Same,
}

/// One key of a diff (stack at the similarity, and state or label when asked) in both
/// snapshots.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DiffRow {
    /// The stack of the largest group with this key, leaf first.
    pub frames: Vec<FrameRow>,
    /// The innermost frame of user code (else the leaf).
    pub site: Option<FrameRow>,
    pub state: Option<String>,
    /// The labels of the key (with a label key: that key's value).
    pub labels: BTreeMap<String, String>,
    /// Goroutines (or the first sample value) in the base and the new snapshot, and new - base.
    pub base: i64,
    pub new: i64,
    pub delta: i64,
    /// new / base; `None` for a group that is new (base 0).
    pub growth: Option<f64>,
    pub change: Change,
    /// For two dumps that list goroutines: how many of `new` were already in the base with
    /// this key (the same id, blocked through both snapshots).
    pub persisted: Option<i64>,
    /// With three or more snapshots compared: the count in each, in order.
    #[serde(default)]
    pub timeline: Option<Vec<i64>>,
}

/// One key of a series (as [`DiffRow`] keys) across every snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeriesRow {
    /// The stack, leaf first.
    pub frames: Vec<FrameRow>,
    /// The innermost frame of user code (else the leaf).
    pub site: Option<FrameRow>,
    pub state: Option<String>,
    /// The labels of the key.
    pub labels: BTreeMap<String, String>,
    /// One count per snapshot, in the order given.
    pub counts: Vec<i64>,
    /// Last minus first.
    pub delta: i64,
}

/// One node of the tree. The tree is a flat list in preorder (a node, then its children,
/// heaviest first), so that a 160-deep recursion is no 160-deep JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlameNode {
    pub func: String,
    pub value: i64,
    /// 0 for the root.
    pub depth: u32,
    /// For goroutine profiles: the wait state of the most goroutines under the node (of equal
    /// counts, the state named first), `None` where most have no known state. (Always
    /// written: the page's worker sends rows as bincode, which cannot skip a field.)
    #[serde(default)]
    pub state: Option<String>,
}

/// One goroutine of a parent chain, as the creators view lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChainRow {
    pub goroutine: u64,
    /// `None` when the dump does not hold this goroutine (it exited, or is another dump's).
    pub state: Option<String>,
    pub site: Option<FrameRow>,
    pub created_by: Option<FrameRow>,
}

/// The innermost frame of user code of a stack (else its leaf), as rows name it.
pub fn site_row(profile: &Profile, user_code: &UserCode, stack: StackId) -> Option<FrameRow> {
    user_code.first_frame(profile, stack).map(|f| frame_row(profile, f))
}

/// At most this many differences are told for one group: past them the stack says the rest.
const MAX_DISTINCTIONS: usize = 3;

/// What tells apart groups whose rows read the same: the same state and the same first user
/// frame (`7500 sync.Mutex.Lock app.go:141` four times, differing five frames down or by a
/// label). One list per group, in the order of `groups`, empty for a group no other reads
/// like; each item is the first frame below where the others differ (`via main.(*pool).get
/// pool.go:88`, `stack ends here`), else a label (`tenant=acme`, `no tenant`), else the
/// creator (`created by main.serve`). At most [`MAX_DISTINCTIONS`] items a group. Groups that
/// share a frame there are told apart again further down, as panicparse's buckets split.
pub fn distinctions(groups: &[GroupRow]) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); groups.len()];
    // Hashed, not ordered: which set is told apart first changes nothing, and ordering keys
    // compares long function names byte by byte (slow in WebAssembly, where the worker runs this).
    let mut alike: FxHashMap<(Option<&str>, Option<FrameKey>), Vec<usize>> = FxHashMap::default();
    for (i, g) in groups.iter().enumerate() {
        alike.entry((g.state.as_deref(), g.site.as_ref().map(frame_key))).or_default().push(i);
    }
    // The frames of groups that read alike, as numbers: stacks are compared frame by frame
    // down to where they part, often through deep recursion, and a number compares at once.
    let mut ids: FxHashMap<FrameKey, u32> = FxHashMap::default();
    let mut stacks: Vec<Vec<u32>> = vec![Vec::new(); groups.len()];
    let sets: Vec<Vec<usize>> = alike.into_values().filter(|m| m.len() > 1).collect();
    for &i in sets.iter().flatten() {
        stacks[i] = groups[i]
            .frames
            .iter()
            .map(|f| {
                let next = ids.len() as u32;
                *ids.entry(frame_key(f)).or_insert(next)
            })
            .collect();
    }
    for members in sets {
        split(groups, &stacks, members, 0, &mut out);
    }
    out
}

/// A frame as rows compare it: function, file, line.
type FrameKey<'a> = (&'a str, &'a str, u32);

fn frame_key(f: &FrameRow) -> FrameKey<'_> {
    (f.func.as_str(), f.file.as_str(), f.line)
}

/// Tells `members` apart from frame `from` down (`stacks` holds their frames as numbers),
/// then by labels and creator (see [`distinctions`]).
fn split(groups: &[GroupRow], stacks: &[Vec<u32>], members: Vec<usize>, from: usize, out: &mut [Vec<String>]) {
    if members.len() < 2 || members.iter().any(|&i| out[i].len() >= MAX_DISTINCTIONS) {
        return;
    }
    let depth = members.iter().map(|&i| stacks[i].len()).max().unwrap_or(0);
    let frame = |i: usize, at: usize| stacks[i].get(at).copied();
    let same = |at: usize| members.iter().all(|&i| frame(i, at) == frame(members[0], at));
    if let Some(at) = (from..depth).find(|&at| !same(at)) {
        let mut parts: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
        for &i in &members {
            parts.entry(frame(i, at)).or_default().push(i);
        }
        for part in parts.into_values() {
            let told = match groups[part[0]].frames.get(at) {
                Some(f) => format!("via {}{}", crate::gofunc::short_name(&f.func), f.place().map(|p| format!(" {p}")).unwrap_or_default()),
                None => "stack ends here".to_string(),
            };
            for &i in &part {
                out[i].push(told.clone());
            }
            split(groups, stacks, part, at + 1, out);
        }
        return;
    }
    // The label keys any member has, in order; each subset is then told apart by the keys
    // after the one that split it (those before are the same across the whole set).
    let mut keys: Vec<&str> = members.iter().flat_map(|&i| groups[i].labels.keys().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    split_labels(groups, &keys, members, 0, out);
}

/// Tells `members` (whose stacks are the same) apart by the first of `keys[from..]` whose
/// value differs among them, then (past the last key) by creator.
fn split_labels(groups: &[GroupRow], keys: &[&str], members: Vec<usize>, from: usize, out: &mut [Vec<String>]) {
    if members.len() < 2 || members.iter().any(|&i| out[i].len() >= MAX_DISTINCTIONS) {
        return;
    }
    // Each label key, then (`None`) the creator.
    let value = |key: Option<&str>, i: usize| match key {
        Some(k) => groups[i].labels.get(k).map(String::as_str),
        None => groups[i].created_by.as_ref().map(|c| c.func.as_str()),
    };
    let candidates = keys.iter().enumerate().skip(from).map(|(at, &k)| (at, Some(k))).chain([(keys.len(), None)]);
    for (at, key) in candidates {
        let first = value(key, members[0]);
        if members.iter().any(|&i| value(key, i) != first) {
            let mut parts: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
            for &i in &members {
                parts.entry(value(key, i)).or_default().push(i);
            }
            for (v, part) in parts {
                let told = match (key, v) {
                    (Some(k), Some(v)) => format!("{k}={v}"),
                    (Some(k), None) => format!("no {k}"),
                    (None, Some(c)) => format!("created by {}", crate::gofunc::short_name(c)),
                    (None, None) => "no creator".to_string(),
                };
                for &i in &part {
                    out[i].push(told.clone());
                }
                split_labels(groups, keys, part, at + 1, out);
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(func: &str, line: u32) -> FrameRow {
        FrameRow { func: func.into(), file: "/src/app/app.go".into(), line }
    }

    /// A group as a row shows it: `count state` at the leaf `sync.(*Mutex).Lock`, called
    /// from the given frames.
    fn group(callers: &[(&str, u32)], labels: &[(&str, &str)]) -> GroupRow {
        let mut frames = vec![frame("sync.(*Mutex).Lock", 0), frame("main.(*cache).get", 141)];
        frames.extend(callers.iter().map(|&(f, l)| frame(f, l)));
        GroupRow {
            count: 7500,
            state: Some("sync.Mutex.Lock".into()),
            labels: labels.iter().map(|&(k, v)| (k.to_string(), v.to_string())).collect(),
            site: Some(frames[1].clone()),
            frames,
            ..GroupRow::default()
        }
    }

    #[test]
    fn groups_that_read_the_same_are_told_apart_by_the_first_frame_that_differs_then_labels() {
        let groups = [
            group(&[("main.a", 1), ("main.handler", 10), ("main.serve", 20)], &[]),
            group(&[("main.a", 1), ("main.handler", 11), ("main.serve", 20)], &[]),
            group(&[("main.b", 2)], &[("tenant", "acme")]),
            group(&[("main.b", 2)], &[("tenant", "initech")]),
            group(&[("main.b", 2)], &[]),
        ];
        let told = distinctions(&groups);
        assert_eq!(told[0], ["via main.a app.go:1", "via main.handler app.go:10"]);
        assert_eq!(told[1], ["via main.a app.go:1", "via main.handler app.go:11"]);
        assert_eq!(told[2], ["via main.b app.go:2", "tenant=acme"]);
        assert_eq!(told[3], ["via main.b app.go:2", "tenant=initech"]);
        assert_eq!(told[4], ["via main.b app.go:2", "no tenant"]);
    }

    #[test]
    fn a_group_alone_at_its_site_or_in_another_state_needs_no_distinction() {
        let mut other = group(&[("main.b", 2)], &[]);
        other.state = Some("chan send".into());
        let groups = [group(&[("main.a", 1)], &[]), other, group(&[], &[])];
        let told = distinctions(&groups);
        assert!(told[1].is_empty());
        assert_eq!(told[0], ["via main.a app.go:1"]);
        assert_eq!(told[2], ["stack ends here"]);
    }
}
