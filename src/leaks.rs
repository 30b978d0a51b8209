//! Leak suspects: groups of parked goroutines ranked by how much they look like a leak, each
//! with a sentence that says why, and, where the group has the shape of a known leak pattern,
//! its name and the usual fix.
//!
//! Signals and their weights (a score is their sum, times the state factor):
//!
//! | signal | weight |
//! |---|---|
//! | proven leaked by the runtime (`(leaked)`, or a goroutineleak profile) | 100 × leaked / count |
//! | parked on a nil channel (blocked forever by construction) | 60 |
//! | waiting long: the largest printed wait minutes m, on a log scale that reaches 40 at an hour | 40 × min(log2(1 + m) / log2(61), 1) |
//! | size: the group against the largest parked group of the snapshot | 30 × count / largest |
//! | growth since the base snapshot, against the group that grew most | 40 × delta / largest delta |
//!
//! State factor, by the state's [`Family`]: 1 for channel, select and sync waits and any other
//! wait reason (`Family::Other`); 0.25 for `IO wait`, `sleep`, `syscall` and the runtime's own
//! waits (`Family::Runtime`: long-lived accept loops, tickers and the runtime's workers park
//! there by design); 0.6 for an unknown state (`UNKNOWN_STATE_FACTOR`), 1 when the runtime
//! marked the goroutines leaked; groups that run (`running`, `runnable`) are not suspects. A group needs a score of at least [`MIN_SCORE`].

use crate::gofunc::{base_name, hidden_runtime, is_closure, package_of, Family, UserCode};
use crate::group::{function_key, group, GroupBy};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{FrameId, LabelSetId, Profile, ProfileKind, StackId, StrId};
use crate::rows::{frame_cost, frame_row, frame_rows, stack_cost, Pattern, Suspect};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The state factor of a group whose state is unknown and that the runtime did not mark
/// leaked (debug=1 dumps whose leaf frames cannot tell): only its size and growth speak for it.
/// At 0.6 a group as large as the largest scores 18, above [`MIN_SCORE`], and one of less
/// than half the largest is not listed: thousands of goroutines on one stack beside groups of
/// hundreds are the leak (wild2 088), a few on each stack are not.
const UNKNOWN_STATE_FACTOR: f64 = 0.6;

/// Whether a stack waits by design: its top frame (below the runtime's own) is the testing
/// package's (goroutine 1 of a test binary in `testing.(*T).Run`, waiting for the test), or a
/// synctest bubble's root waiting for its bubble (`internal/synctest.Run`,
/// `testing/synctest.Test`).
fn waits_by_design(profile: &Profile, stack: StackId) -> bool {
    let top = profile.stack(stack).iter().map(|&f| profile.func_name(f)).find(|name| !hidden_runtime(name));
    top.is_some_and(|name| package_of(name) == "testing" || name.starts_with("internal/synctest.") || name.starts_with("testing/synctest."))
}

/// Suspects below this score are not listed.
pub const MIN_SCORE: f64 = 15.0;
/// At most this many suspects are listed.
pub const MAX_SUSPECTS: usize = 25;

impl Pattern {
    pub fn describe(self) -> &'static str {
        match self {
            Pattern::SendAfterCollectorReturned => "senders blocked after the goroutine that would receive returned (its creator is on no stack any more)",
            Pattern::FireAndForgetSend => "a fire-and-forget `go func() { ch <- x }()` into a channel nobody drains",
            Pattern::NilChannel => "a receive or send on a nil channel, which blocks forever",
            Pattern::SelectLoopWithoutDone => "a `for { select }` loop that nothing stops",
            Pattern::OutlivesHttpRequest => "goroutines started by an HTTP handler that outlive the request",
            Pattern::WaitGroupNeverZero => "a sync.WaitGroup that never reaches zero",
            Pattern::MutexHeldByBlockedGoroutine => "goroutines queued on a mutex whose holder is itself blocked",
        }
    }

    pub fn fix(self) -> &'static str {
        match self {
            Pattern::SendAfterCollectorReturned => "buffer the channel for every sender (make(chan T, n)), or send with `select { case ch <- v: case <-ctx.Done(): }`",
            Pattern::FireAndForgetSend => "make sure a reader drains the channel, or send with `select { case ch <- v: case <-ctx.Done(): }` (or drop the goroutine and send synchronously)",
            Pattern::NilChannel => "initialise the channel with make before use; if a nil channel disables a select case on purpose, make sure another case can fire",
            Pattern::SelectLoopWithoutDone => "add `case <-ctx.Done(): return` (or a quit channel) to the loop's select",
            Pattern::OutlivesHttpRequest => "pass the request's context and return on ctx.Done(), or hand the work to a bounded worker pool owned by the server",
            Pattern::WaitGroupNeverZero => "call `defer wg.Done()` first thing in every goroutine counted with wg.Add, and Add before the go statement",
            Pattern::MutexHeldByBlockedGoroutine => "find the goroutine holding the lock (the waits view lists who else holds the same pointer) and never block on a channel or I/O while holding it",
        }
    }
}

/// The state factor of the score (see the module's table), by the state's [`Family`].
fn state_factor(state: &str) -> f64 {
    match Family::of(Some(state)) {
        Family::Running | Family::Unknown => 0.0,
        Family::Io | Family::Sleep | Family::Syscall | Family::Runtime => 0.25,
        Family::Channel | Family::Select | Family::Lock | Family::Other => 1.0,
    }
}

/// Ranks the groups of `profile` as leak suspects; `base` adds the growth signal. As many as
/// `budget` holds are listed, saying in `hits` when it held fewer. Parents, and whether a
/// creator is still on some stack, are looked for among all goroutines of `whole`, the
/// profile `profile` was filtered from (the same one when nothing was; both share their
/// tables): a filter narrows the suspects, not what is known of the rest.
pub fn leak_suspects(profile: &Profile, whole: &Profile, base: Option<&Profile>, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<Suspect> {
    if !profile.kind.counts_goroutines() {
        return Vec::new();
    }
    let by = GroupBy::leaks();
    let groups = group(profile, &by);
    let leak_profile = profile.kind == ProfileKind::GoroutineLeak;

    // Growth per functions-only key since the base.
    let growth = base.map(|base| crate::diff::growth(base, profile)).unwrap_or_default();
    // Functions on some stack right now: a creator that is on none has returned.
    let stacks: HashSet<u32> = whole.goroutines.iter().map(|g| g.stack).collect();
    let on_stacks: HashSet<u32> = stacks.into_iter().flat_map(|s| whole.stack(s).iter().map(|&f| whole.frames.get(f).func)).collect();
    let by_id: HashMap<u64, usize> = whole.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let user_code = UserCode::of(profile);
    // What is read of a name or a parent's stack, once per name or stack, not per group.
    let mut closures: HashMap<StrId, bool> = HashMap::default();
    let mut handlers: HashMap<StrId, bool> = HashMap::default();
    let mut serving: HashMap<StackId, bool> = HashMap::default();
    let mut routes: HashMap<LabelSetId, bool> = HashMap::default();

    // A group's size is weighed against the largest parked group of known state; a group of
    // unknown state against the largest of all.
    let largest_known = groups.iter().filter(|g| g.state.is_some_and(|s| state_factor(s.name) > 0.0)).map(|g| g.count).max().unwrap_or(1).max(1);
    let largest_any = groups.iter().filter(|g| g.state.is_none_or(|s| state_factor(s.name) > 0.0)).map(|g| g.count).max().unwrap_or(1).max(1);
    let largest_growth = growth.values().map(|(_, d)| *d).max().unwrap_or(0).max(1);
    // Ranked without their frames, which are copied into rows for the top ones only.
    let mut suspects: Vec<(Suspect, StackId, Option<FrameId>, Option<FrameId>)> = Vec::new();
    for g in &groups {
        let state = g.state.map(|s| s.name);
        let factor = match state {
            Some(s) => state_factor(s),
            // Unknown states (debug=1 hides the runtime frames): parked somewhere, but where the
            // waiting is by design cannot be told; leaked ones count in full.
            None if g.leaked > 0 => 1.0,
            None => UNKNOWN_STATE_FACTOR,
        };
        if factor == 0.0 || waits_by_design(profile, g.stack) {
            continue;
        }
        let stack = profile.stack(g.stack);
        let funcs: Vec<&str> = stack.iter().map(|&f| profile.func_name(f)).collect();
        let max_minutes = g.wait_minutes.map_or(0, |(_, hi)| hi);
        let nil_channel = state.is_some_and(|s| s.contains("(nil chan)"));
        let grew = growth.get(&function_key(profile, g.stack)).copied();

        let mut score = 0.0;
        score += 100.0 * g.leaked as f64 / g.count.max(1) as f64;
        if nil_channel {
            score += 60.0;
        }
        score += 40.0 * ((1.0 + max_minutes as f64).log2() / 61f64.log2()).min(1.0);
        let largest = if state.is_some() { largest_known } else { largest_any };
        score += 30.0 * g.count as f64 / largest as f64;
        if let Some((_, d)) = grew.filter(|(_, d)| *d > 0) {
            score += 40.0 * d as f64 / largest_growth as f64;
        }
        score *= factor;
        if score < MIN_SCORE {
            continue;
        }

        let site = user_code.first_frame(profile, g.stack);
        // One creator for the group, or none named where members were started in different
        // places (the group is keyed without its creator).
        let created_by = g.created_by.filter(|_| !g.creators_differ);
        let creator_func = created_by.map(|c| profile.frames.get(c).func);
        let mut patterns = Vec::new();
        let user_frames = stack.iter().filter(|&&f| user_code.is_user(profile, f)).take(2).count();
        if nil_channel {
            patterns.push(Pattern::NilChannel);
        } else if state == Some("chan send") {
            let closure = site.is_some_and(|f| {
                let func = profile.frames.get(f).func;
                *closures.entry(func).or_insert_with(|| is_closure(profile.strings.get(func)))
            });
            if closure && user_frames <= 1 {
                patterns.push(Pattern::FireAndForgetSend);
            } else if creator_func.is_some_and(|c| !on_stacks.contains(&c)) {
                patterns.push(Pattern::SendAfterCollectorReturned);
            }
        } else if state == Some("select") && (max_minutes >= 1 || grew.is_some_and(|(_, d)| d > 0) || g.leaked > 0) {
            patterns.push(Pattern::SelectLoopWithoutDone);
        } else if state.is_some_and(|s| s == "sync.WaitGroup.Wait") || state == Some("semacquire") && funcs.contains(&"sync.(*WaitGroup).Wait") {
            patterns.push(Pattern::WaitGroupNeverZero);
        } else if state.is_some_and(|s| s.starts_with("sync.Mutex.") || s.starts_with("sync.RWMutex.")) {
            patterns.push(Pattern::MutexHeldByBlockedGoroutine);
        }
        // Started under an HTTP handler: the parent's stack serves a connection, or the
        // creator is a handler.
        let parent_serves_http = g.goroutines.first().and_then(|&i| profile.goroutines[i as usize].parent).and_then(|p| by_id.get(&p)).is_some_and(|&pi| {
            let stack = whole.goroutines[pi].stack;
            *serving.entry(stack).or_insert_with(|| profile.stack(stack).iter().any(|&f| profile.func_name(f).starts_with("net/http.(*conn).serve")))
        });
        let creator_is_handler = creator_func.is_some_and(|c| {
            *handlers.entry(c).or_insert_with(|| {
                let name = profile.strings.get(c);
                name.contains("ServeHTTP") || name.contains("Handler") || name.contains(".handle")
            })
        });
        // Any member labelled with a route: the set all members share is empty where their
        // other labels differ. Inputs that list no goroutines have only that set.
        let mut routed = |set: LabelSetId| {
            *routes
                .entry(set)
                .or_insert_with(|| profile.labels(set).iter().any(|(k, _)| matches!(profile.strings.get(*k), "route" | "http.route" | "handler" | "path")))
        };
        let has_route_label =
            if g.goroutines.is_empty() { routed(g.labels) } else { g.goroutines.iter().any(|&i| routed(profile.goroutines[i as usize].labels)) };
        if parent_serves_http || creator_is_handler || has_route_label && !patterns.contains(&Pattern::MutexHeldByBlockedGoroutine) {
            patterns.push(Pattern::OutlivesHttpRequest);
        }

        let mut sentence = format!("{} goroutine{}", g.count, if g.count == 1 { "" } else { "s" });
        match (state.map(row_text), max_minutes) {
            (Some(s), m) if m > 0 => sentence += &format!(" blocked {}+ minutes in {s}", g.wait_minutes.map_or(m, |(lo, _)| lo)),
            (Some(s), _) => sentence += &format!(" blocked in {s}"),
            (None, _) => sentence += " parked",
        }
        if let Some(f) = site {
            let frame = profile.frames.get(f);
            let file = profile.strings.get(frame.file);
            if file.is_empty() && frame.line == 0 {
                // A frame whose file line the input does not give.
                sentence += &format!(" in {}", row_text(profile.strings.get(frame.func)));
            } else {
                sentence += &format!(" at {}:{} ({})", row_text(base_name(file)), frame.line, row_text(profile.strings.get(frame.func)));
            }
        }
        if let Some(c) = created_by {
            let frame = profile.frames.get(c);
            sentence += &format!(", created by {}:{}", row_text(base_name(profile.strings.get(frame.file))), frame.line);
        }
        match grew {
            Some((_, 0)) => sentence += ", as many as in the base snapshot",
            Some((_, d)) => sentence += &format!(", {d:+} since the base snapshot"),
            None => {}
        }
        if g.leaked > 0 {
            sentence += &format!("; {} proven leaked by the runtime", g.leaked);
        }
        if let Some(p) = patterns.first() {
            sentence += &format!(". Looks like {}: {}", p.describe(), p.fix());
        }
        let suspect = Suspect {
            score: (score * 10.0).round() / 10.0,
            count: g.count,
            leaked: if leak_profile { g.count } else { g.leaked },
            state: state.map(row_text),
            wait_minutes: g.wait_minutes.map(|(lo, hi)| [lo, hi]),
            site: None,
            created_by: None,
            delta: grew.map(|(_, d)| d),
            patterns,
            explanation: sentence,
            frames: Vec::new(),
        };
        suspects.push((suspect, g.stack, site, created_by));
    }
    // Ties keep the groups' order (biggest first, then by leaf name).
    suspects.sort_by(|(a, ..), (b, ..)| b.score.total_cmp(&a.score).then(b.count.cmp(&a.count)));
    let total = suspects.len().min(MAX_SUSPECTS) as u64;
    let mut rows = Vec::new();
    for (mut suspect, stack, site, created_by) in suspects.into_iter().take(MAX_SUSPECTS) {
        let cost = stack_cost(profile, stack) + [site, created_by].iter().flatten().map(|&f| frame_cost(profile, f)).sum::<usize>() + suspect.explanation.len();
        if !budget.take(cost) {
            limits::record(hits, LimitHit::Rows { what: "leak suspects".into(), kept: rows.len() as u64, total });
            break;
        }
        suspect.site = site.map(|f| frame_row(profile, f));
        suspect.created_by = created_by.map(|c| frame_row(profile, c));
        suspect.frames = frame_rows(profile, stack);
        rows.push(suspect);
    }
    rows
}
