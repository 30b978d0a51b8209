//! Leak suspects: groups of parked goroutines ranked by how much they look like a leak, each
//! with a sentence that says why, and, where the group has the shape of a known leak pattern,
//! its name and the usual fix.
//!
//! Signals and their weights (a score is their sum; all but the runtime's verdict are scaled by
//! the state factor). No signal, no suspect: a dump with no leaked flag, no nil channel, no wait
//! minutes, no growth and no outsized group has none.
//!
//! | signal | weight | source |
//! |---|---|---|
//! | marked leaked by the runtime (`(leaked)`, or a goroutineleak profile) | 100 × leaked / count | runtime/mgcleak.go (Go 1.26+): the garbage collector's own proof |
//! | parked on a nil channel (blocked forever by construction) | 60 | runtime/chan.go: `chan receive (nil chan)` |
//! | grew since the base snapshot | 25 + 25 × delta / largest delta | leaks accumulate; what waits by design stays level |
//! | waiting long: the largest printed wait minutes m | 40 × min(log2(1 + m) / log2(61), 1), × [`SPREAD_MINUTES`] when the members parked at different times | runtime/traceback.go prints minutes past one |
//! | outsized: at least [`OUTSIZED_MIN`] goroutines and [`OUTSIZED_SHARE`] of the parked ones | 30 + 20 × share | thousands on one stack beside groups of a few: the strongest signal a debug=1 profile gives (wild2 088) |
//!
//! State factors, by the state's [`Family`] ([`factors`]): growth and outsized counts weigh 1
//! for every wait but `IO wait`, `sleep`, `syscall` and the runtime's own (0.25), and 0.75 for
//! an unknown state (debug=1 hides the runtime frames that would tell); wait minutes weigh 1
//! for `chan send` and locks, 0.75 for other waits, 0.5 for `chan receive`,
//! `sync.WaitGroup.Wait` and an unknown state, 0.25 for `select` and `sync.Cond.Wait`
//! (long-lived loops and pools idle there by design), 0.1 for I/O, sleep, syscalls and the
//! runtime's own waits.
//! Groups that run (`running`, `runnable`) are not suspects.
//!
//! Goroutines that wait by design ([`BACKGROUND`]: the runtime's workers, servers' accept and
//! connection loops, client read loops, signal and log-flush loops, the testing harness) are no
//! suspects on their own: for them wait minutes do not count, growth, outsized counts and the
//! runtime's verdict still do.

use crate::diff::Growth;
use crate::gofunc::{base_name, is_closure, is_go_distribution, Family, UserCode};
use crate::group::{function_key, group, GroupBy};
use crate::limits::{self, row_text, LimitHit, RowBudget};
use crate::model::{FrameId, LabelSetId, Profile, ProfileKind, StackId, StrId};
use crate::rows::{frame_cost, frame_row, frame_rows, stack_cost, Pattern, Suspect};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The factor of a group whose state is unknown (debug=1 dumps whose leaf frames cannot
/// tell): a little less than for a known wait.
const UNKNOWN_STATE_FACTOR: f64 = 0.75;

/// An outsized group holds at least this many goroutines
pub const OUTSIZED_MIN: i64 = 100;
/// and at least this share of the parked ones.
pub const OUTSIZED_SHARE: f64 = 0.2;

/// Goroutines that wait by design: a function that starts with the first text, and why such
/// goroutines wait. Matched by [`Background::of`]; earlier entries win.
pub const BACKGROUND: &[(&str, &str)] = &[
    ("testing.(*T).Run", "the testing harness waits in (*T).Run for the test it started"),
    ("testing.(*M).Run", "the test binary's main goroutine waits for its tests"),
    ("testing.runTests", "the test binary's main goroutine waits for its tests"),
    ("testing.(*M).startAlarm", "the test timeout's alarm"),
    ("testing.tRunner", "a test waiting for its subtests or cleanups"),
    ("internal/synctest.Run", "a synctest bubble's root waits for its bubble"),
    ("testing/synctest.", "a synctest bubble's root waits for its bubble"),
    ("runtime.gcBgMarkWorker", "the runtime's garbage collector workers"),
    ("runtime.bgsweep", "the runtime's background sweeper"),
    ("runtime.bgscavenge", "the runtime's background scavenger"),
    ("runtime.forcegchelper", "the runtime's forced-GC helper"),
    ("runtime.runfinq", "the runtime's finalizer goroutine"),
    ("runtime.runFinalizers", "the runtime's finalizer goroutine (Go 1.25+)"),
    ("runtime.updateMaxProcsGoroutine", "the runtime's GOMAXPROCS updater"),
    ("runtime.runCleanups", "the runtime's cleanup goroutine"),
    ("runtime.ensureSigM", "the runtime's signal mask goroutine"),
    ("os/signal.signal_recv", "os/signal's loop waits for signals"),
    ("os/signal.loop", "os/signal's loop waits for signals"),
    ("net/http.(*Server).Serve", "an HTTP server's accept loop"),
    ("net/http.(*conn).serve", "an HTTP server's connection waits for its next request"),
    ("net/http.(*persistConn).readLoop", "an HTTP client's keep-alive connection waits for a response"),
    ("net/http.(*persistConn).writeLoop", "an HTTP client's keep-alive connection waits for a request"),
    ("net/http.(*http2ClientConn).readLoop", "an HTTP/2 client connection's read loop"),
    ("net/http.(*http2serverConn).serve", "an HTTP/2 server connection's loop"),
    ("golang.org/x/net/http2.(*ClientConn).readLoop", "an HTTP/2 client connection's read loop"),
    ("golang.org/x/net/http2.(*serverConn).serve", "an HTTP/2 server connection's loop"),
    ("google.golang.org/grpc/internal/transport.(*controlBuffer).get", "a gRPC transport's writer waits for frames to send"),
    ("google.golang.org/grpc/internal/transport.(*http2Client).keepalive", "a gRPC client transport's keepalive loop"),
    ("google.golang.org/grpc/internal/transport.(*http2Server).keepalive", "a gRPC server transport's keepalive loop"),
    ("golang.org/x/net/http2.readFrameHeader", "an HTTP/2 (or gRPC) connection's read loop waits for a frame"),
    ("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run", "gRPC's callback serializer"),
    ("google.golang.org/grpc.(*Server).Serve", "a gRPC server's accept loop"),
    ("google.golang.org/grpc.(*addrConn)", "a gRPC client connection's loop"),
    ("google.golang.org/grpc.(*ccBalancerWrapper)", "a gRPC balancer's loop"),
    ("database/sql.(*DB).connectionOpener", "database/sql's connection opener"),
    ("database/sql.(*DB).connectionCleaner", "database/sql's connection cleaner"),
    ("k8s.io/klog/v2.(*flushDaemon).run", "klog's flush daemon"),
    ("k8s.io/klog/v2.(*loggingT).flushDaemon", "klog's flush daemon"),
    ("k8s.io/klog.(*loggingT).flushDaemon", "klog's flush daemon"),
    ("github.com/golang/glog.(*loggingT).flushDaemon", "glog's flush daemon"),
    ("github.com/golang/glog.(*fileSink).flushDaemon", "glog's flush daemon"),
    ("go.opencensus.io/stats/view.(*worker).start", "OpenCensus's stats worker"),
];

/// Tells which stacks wait by design ([`BACKGROUND`]), each function looked up once.
#[derive(Default)]
pub struct Background {
    /// Per function: the [`BACKGROUND`] entry it matches, or whether it is the standard
    /// library's (passed over) or other code (which ends the look).
    by_func: HashMap<StrId, Look>,
}

#[derive(Clone, Copy)]
enum Look {
    Entry(usize),
    PassOver,
    Stop,
}

impl Background {
    /// Why a stack waits by design, if it does: walking from the leaf over the standard
    /// library's frames, the first other frame matches an entry of [`BACKGROUND`] (a handler
    /// blocked in the user's code under `net/http.(*conn).serve` is the user's, not the
    /// server's). A panicking goroutine never is: the deferred closures of an entry
    /// (`testing.tRunner.func1.1`) run above `panic`.
    pub fn of(&mut self, profile: &Profile, stack: StackId) -> Option<&'static str> {
        for &f in profile.stack(stack) {
            let func = profile.frames.get(f).func;
            let look = *self.by_func.entry(func).or_insert_with(|| {
                let name = profile.strings.get(func);
                if name == "panic" || name == "runtime.gopanic" {
                    return Look::Stop;
                }
                match BACKGROUND.iter().position(|(prefix, _)| name.starts_with(prefix)) {
                    Some(entry) => Look::Entry(entry),
                    None if is_go_distribution(name) => Look::PassOver,
                    None => Look::Stop,
                }
            });
            match look {
                Look::Entry(entry) => return Some(BACKGROUND[entry].1),
                Look::PassOver => {}
                Look::Stop => return None,
            }
        }
        None
    }
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
            Pattern::ReceiveNeverClosed => "a receive (or `range`) on a channel that nobody sends on or closes any more",
            Pattern::DatabasePoolExhausted => "goroutines waiting for a database/sql connection from a pool that is used up",
            Pattern::HttpClientWithoutTimeout => "HTTP client calls waiting for a response for minutes: a client without a timeout",
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
            Pattern::MutexHeldByBlockedGoroutine => "release the lock before blocking on a channel, I/O or another lock (copy what is needed under the lock, then unlock)",
            Pattern::ReceiveNeverClosed => "have the sender `close(ch)` when it is done (`defer close(ch)`), or receive in a select with `case <-ctx.Done(): return`",
            Pattern::DatabasePoolExhausted => "close every *sql.Rows (`defer rows.Close()`) and end every *sql.Tx (Commit or Rollback) so connections return to the pool, and query with a context that has a deadline",
            Pattern::HttpClientWithoutTimeout => "set `http.Client{Timeout: …}`, or make the request with a context that has a deadline (`http.NewRequestWithContext`)",
        }
    }
}

/// The factors of a state (`None`: unknown) for growth and outsized counts, and for wait
/// minutes (see the module's table). A sender blocked for minutes, or a goroutine queued on a
/// lock, means the other side is gone or stuck; receivers, `select` loops and pools on a
/// sync.Cond wait for work by design, for as long as the process runs.
fn factors(state: Option<&str>) -> (f64, f64) {
    let minutes = match state.unwrap_or_default() {
        s if s.starts_with("chan send") => 1.0,
        s if s.starts_with("sync.Mutex.") || s.starts_with("sync.RWMutex.") || s == "semacquire" => 1.0,
        s if s.starts_with("chan receive") || s == "sync.WaitGroup.Wait" => 0.5,
        "sync.Cond.Wait" => 0.25,
        _ => 0.0,
    };
    match Family::of(state) {
        Family::Running => (0.0, 0.0),
        Family::Unknown => (UNKNOWN_STATE_FACTOR, 0.5),
        Family::Io | Family::Sleep | Family::Syscall | Family::Runtime => (0.25, 0.1),
        Family::Select => (1.0, 0.25),
        Family::Other => (1.0, 0.75),
        Family::Channel | Family::Lock => (1.0, minutes),
    }
}

/// Calls that park their goroutine until another side answers: `database/sql` waiting for a
/// free connection (sql.go, `(*DB).conn`), an HTTP client waiting for its response
/// (net/http/transport.go, `(*persistConn).roundTrip`).
const CALLS_AWAITING: &[&str] = &["database/sql.(*DB).conn", "net/http.(*persistConn).roundTrip"];

/// Wait minutes count this many times more when a group's members parked at different times
/// (its minutes range over more than one value): they accumulate, as a leak does, where
/// workers started together wait alike.
const SPREAD_MINUTES: f64 = 1.5;

/// Ranks the groups of `profile` as leak suspects; `growth` ([`crate::diff::growth`] of a base
/// snapshot against `profile`, or of the profile `profile` was silenced from, which shares
/// its tables; empty without a base) adds the growth signal. As many as
/// `budget` holds are listed, saying in `hits` when it held fewer. Parents, and whether a
/// creator is still on some stack, are looked for among all goroutines of `whole`, the
/// profile `profile` was filtered from (the same one when nothing was; both share their
/// tables): a filter narrows the suspects, not what is known of the rest.
pub fn leak_suspects(profile: &Profile, whole: &Profile, growth: &Growth, budget: &mut RowBudget, hits: &mut Vec<LimitHit>) -> Vec<Suspect> {
    if !profile.kind.counts_goroutines() {
        return Vec::new();
    }
    let by = GroupBy::leaks();
    let groups = group(profile, &by);
    let leak_profile = profile.kind == ProfileKind::GoroutineLeak;

    // Functions on some stack right now: a creator that is on none has returned.
    let stacks: HashSet<u32> = whole.goroutines.iter().map(|g| g.stack).collect();
    let on_stacks: HashSet<u32> = stacks.into_iter().flat_map(|s| whole.stack(s).iter().map(|&f| whole.frames.get(f).func)).collect();
    let user_code = UserCode::of(profile);
    // What is read of a name or a parent's stack, once per name or stack, not per group.
    let mut closures: HashMap<StrId, bool> = HashMap::default();
    let mut handlers: HashMap<StrId, bool> = HashMap::default();
    let mut serving: HashMap<StackId, bool> = HashMap::default();
    let mut routes: HashMap<LabelSetId, bool> = HashMap::default();
    let mut background = Background::default();
    let sides = OtherSides::of(profile, whole, &groups, &user_code);

    // Outsized against the parked goroutines.
    let parked_total = limits::sum(groups.iter().filter(|g| factors(g.state.map(|s| s.name)).0 > 0.0).map(|g| g.count)).max(1);
    let largest_growth = growth.values().map(|(_, d)| *d).max().unwrap_or(0).max(1);
    // Ranked without their frames, which are copied into rows for the top ones only.
    let mut suspects: Vec<(Suspect, StackId, Option<FrameId>, Option<FrameId>)> = Vec::new();
    for g in &groups {
        let state = g.state.map(|s| s.name);
        let (factor, minutes_factor) = factors(state);
        if factor == 0.0 {
            continue;
        }
        let by_design = background.of(profile, g.stack);
        let stack = profile.stack(g.stack);
        let funcs: Vec<&str> = stack.iter().map(|&f| profile.func_name(f)).collect();
        // A select inside a call that waits for the other side (a pool's connection, a
        // server's response) is no idle loop: its minutes weigh as a blocked send's.
        let awaits_call = funcs.iter().any(|f| CALLS_AWAITING.contains(f));
        let minutes_factor = if awaits_call { minutes_factor.max(1.0) } else { minutes_factor };
        let max_minutes = g.wait_minutes.map_or(0, |(_, hi)| hi);
        let nil_channel = state.is_some_and(|s| s.contains("(nil chan)"));
        let grew = growth.get(&function_key(profile, g.stack)).copied();
        let share = g.count as f64 / parked_total as f64;
        let outsized = g.count >= OUTSIZED_MIN && share >= OUTSIZED_SHARE;

        // The signals that fired, in words, and the score they add up to.
        let mut signals: Vec<String> = Vec::new();
        let mut score = 0.0;
        if let Some((_, d)) = grew.filter(|(_, d)| *d > 0) {
            score += factor * (25.0 + 25.0 * d as f64 / largest_growth as f64);
            signals.push(format!("{d:+} since the base snapshot"));
        }
        if max_minutes > 0 && by_design.is_none() {
            let spread = g.wait_minutes.is_some_and(|(lo, hi)| hi > lo) && g.count >= 3;
            let weight = if spread { minutes_factor * SPREAD_MINUTES } else { minutes_factor };
            score += weight * 40.0 * ((1.0 + max_minutes as f64).log2() / 61f64.log2()).min(1.0);
            signals.push(match g.wait_minutes {
                Some((lo, hi)) if spread => format!("parked {lo} to {hi} minutes ago, one after another"),
                _ => format!("waiting {max_minutes}+ minutes"),
            });
        }
        if outsized {
            score += factor * (30.0 + 20.0 * share);
            signals.push(format!("{} of {} parked goroutines", g.count, parked_total));
        }
        if nil_channel {
            score += 60.0;
            signals.push("a nil channel".into());
        }
        if g.leaked > 0 {
            score += 100.0 * g.leaked as f64 / g.count.max(1) as f64;
            signals.push(format!("{} marked leaked by the runtime", g.leaked));
        }
        if score < MIN_SCORE {
            continue;
        }

        let site = user_code.first_frame(profile, g.stack);
        // One creator for the group, or none named where members were started in different
        // places (the group is keyed without its creator).
        let created_by = g.created_by.filter(|_| !g.creators_differ);
        let creator_func = created_by.map(|c| profile.frames.get(c).func);
        let mut patterns = Vec::new();
        // What the dump shows of the other side of the wait, in words.
        let mut other_side: Option<String> = None;
        let user_frames = stack.iter().filter(|&&f| user_code.is_user(profile, f)).take(2).count();
        let leaking = max_minutes >= 1 || grew.is_some_and(|(_, d)| d > 0) || g.leaked > 0;
        let members = || g.goroutines.iter().map(|&i| &profile.goroutines[i as usize]);
        if nil_channel {
            patterns.push(Pattern::NilChannel);
        } else if funcs.contains(&CALLS_AWAITING[0]) {
            patterns.push(Pattern::DatabasePoolExhausted);
        } else if max_minutes >= 1 && funcs.contains(&CALLS_AWAITING[1]) {
            patterns.push(Pattern::HttpClientWithoutTimeout);
        } else if state == Some("chan receive") && leaking {
            patterns.push(Pattern::ReceiveNeverClosed);
            other_side = sides.starters(&user_code, creator_func, members());
        } else if state == Some("chan send") {
            other_side = sides.starters(&user_code, creator_func, members());
            let closure = site.is_some_and(|f| {
                let func = profile.frames.get(f).func;
                *closures.entry(func).or_insert_with(|| is_closure(profile.strings.get(func)))
            });
            if closure && user_frames <= 1 {
                patterns.push(Pattern::FireAndForgetSend);
            } else if creator_func.is_some_and(|c| !on_stacks.contains(&c)) {
                patterns.push(Pattern::SendAfterCollectorReturned);
            }
        } else if state == Some("select") && leaking {
            patterns.push(Pattern::SelectLoopWithoutDone);
        } else if state.is_some_and(|s| s == "sync.WaitGroup.Wait") || state == Some("semacquire") && funcs.contains(&"sync.(*WaitGroup).Wait") {
            let (words, borne_out) = sides.wait_group(profile, &user_code, members());
            other_side = Some(words);
            if borne_out {
                patterns.push(Pattern::WaitGroupNeverZero);
            }
        } else if state.is_some_and(|s| s.starts_with("sync.Mutex.") || s.starts_with("sync.RWMutex.")) {
            let (words, borne_out) = sides.lock(profile, &user_code, members());
            other_side = Some(words);
            if borne_out {
                patterns.push(Pattern::MutexHeldByBlockedGoroutine);
            }
        }
        // Started under an HTTP handler: the parent's stack serves a connection, or the
        // creator is a handler.
        let parent_serves_http =
            g.goroutines.first().and_then(|&i| profile.goroutines[i as usize].parent).and_then(|p| sides.by_id.get(&p)).is_some_and(|&pi| {
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
            // Started under a handler is the cause of a receive that never ends: named first.
            let at = if patterns.first() == Some(&Pattern::ReceiveNeverClosed) { 0 } else { patterns.len() };
            patterns.insert(at, Pattern::OutlivesHttpRequest);
        }

        let mut sentence = format!("{} goroutine{}", g.count, if g.count == 1 { "" } else { "s" });
        match state.map(row_text) {
            Some(s) => sentence += &format!(" blocked in {s}"),
            None => sentence += " parked",
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
        sentence += &format!(": {}", signals.join(", "));
        if let Some(words) = other_side {
            sentence += &format!("; {words}");
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
            signals,
            rule: crate::ignore::rule_for(profile, &user_code, g.stack).map(|r| r.to_string()),
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

/// What the whole dump shows of the other side of the groups' waits: which goroutines hold the
/// address of the object a lock or WaitGroup group waits on, and which goroutines each
/// goroutine started (`created by F in goroutine N`, Go 1.21+). Gathered in one pass, and only
/// when some group waits on a lock or a WaitGroup.
struct OtherSides<'p> {
    whole: &'p Profile,
    by_id: HashMap<u64, usize>,
    holding: HashMap<&'p str, Vec<usize>>,
    children: HashMap<u64, Vec<usize>>,
    /// Whether the dump names parents at all (Go 1.21+ prints `in goroutine N`).
    parents_known: bool,
}

impl<'p> OtherSides<'p> {
    fn of(profile: &'p Profile, whole: &'p Profile, groups: &[crate::group::Group], user_code: &UserCode) -> OtherSides<'p> {
        let by_id = whole.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        let parents_known = whole.goroutines.iter().any(|g| g.parent.is_some());
        let mut objects: HashSet<&str> = HashSet::default();
        let mut wait_groups = false;
        for g in groups {
            let Some(state) = g.state.map(|s| s.name) else { continue };
            if Family::of(Some(state)) != Family::Lock {
                continue;
            }
            wait_groups |= state == "sync.WaitGroup.Wait" || state == "semacquire";
            if let Some((object, _)) = g.goroutines.first().and_then(|&i| crate::waits::blocked_on(profile, user_code, &profile.goroutines[i as usize])) {
                objects.insert(object);
            }
        }
        let holding = crate::waits::holding(whole, &objects);
        let mut children: HashMap<u64, Vec<usize>> = HashMap::default();
        if wait_groups {
            for (i, g) in whole.goroutines.iter().enumerate() {
                if let Some(parent) = g.parent {
                    children.entry(parent).or_default().push(i);
                }
            }
        }
        OtherSides { whole, by_id, holding, children, parents_known }
    }

    /// `goroutine 68 is blocked in chan send at inventory.go:91 (…(*Catalog).Export)`, and how
    /// many more there are.
    fn about(&self, user_code: &UserCode, goroutines: &[usize]) -> String {
        let whole = self.whole;
        let Some(&first) = goroutines.first() else { return String::new() };
        let g = &whole.goroutines[first];
        let state = whole.strings.get(g.state);
        let doing = if Family::of(Some(state)) == Family::Running { format!("{} ", row_text(state)) } else { format!("blocked in {}", row_text(state)) };
        let site = user_code.first_frame(whole, g.stack).map_or(String::new(), |f| {
            let frame = whole.frames.get(f);
            format!(" at {}:{} ({})", row_text(base_name(whole.strings.get(frame.file))), frame.line, row_text(whole.strings.get(frame.func)))
        });
        let more = match goroutines.len() - 1 {
            0 => String::new(),
            n => format!(", and {n} more"),
        };
        format!("goroutine {} is {}{site}{more}", g.id, doing.trim_end())
    }

    /// Whether the goroutines that started a channel group's members are left, and still in
    /// the function that started them (`creator`): the one that would usually receive what they
    /// send, or send what they wait for. `None` where the dump names no parents.
    fn starters<'g>(&self, user_code: &UserCode, creator: Option<StrId>, members: impl Iterator<Item = &'g crate::model::Goroutine>) -> Option<String> {
        if !self.parents_known {
            return None;
        }
        let mut parents: Vec<u64> = members.filter_map(|g| g.parent).collect();
        parents.sort_unstable();
        parents.dedup();
        if parents.is_empty() {
            return None;
        }
        let alive: Vec<usize> = parents.iter().filter_map(|p| self.by_id.get(p).copied()).collect();
        let whole = self.whole;
        let (still, moved): (Vec<usize>, Vec<usize>) =
            alive.iter().partition(|&&i| creator.is_some_and(|c| whole.stack(whole.goroutines[i].stack).iter().any(|&f| whole.frames.get(f).func == c)));
        let one = parents.len() == 1;
        Some(if !still.is_empty() {
            format!("the goroutine that started them is still in the function that did: {}", self.about(user_code, &still))
        } else if !moved.is_empty() {
            format!(
                "the goroutine{} that started them {} moved on: {}",
                if one { "" } else { "s" },
                if one { "has" } else { "have" },
                self.about(user_code, &moved)
            )
        } else {
            format!("the goroutine{} that started them {} returned", if one { "" } else { "s" }, if one { "has" } else { "have" })
        })
    }

    /// What a WaitGroup group waits for: the goroutines its members started, or that hold the
    /// WaitGroup's address, when any is left (then no missing `Done` is claimed); else that none
    /// is. `true` when the dump bears out a WaitGroup that never reaches zero.
    fn wait_group<'g>(&self, profile: &Profile, user_code: &UserCode, members: impl Iterator<Item = &'g crate::model::Goroutine> + Clone) -> (String, bool) {
        let ids: HashSet<u64> = members.clone().map(|g| g.id).collect();
        let object = members.clone().next().and_then(|g| crate::waits::blocked_on(profile, user_code, g)).map(|(o, _)| o);
        let waiting =
            |i: &usize| ids.contains(&self.whole.goroutines[*i].id) || self.whole.strings.get(self.whole.goroutines[*i].state) == "sync.WaitGroup.Wait";
        let mut alive: Vec<usize> = ids.iter().flat_map(|id| self.children.get(id).into_iter().flatten().copied()).filter(|i| !waiting(i)).collect();
        alive.extend(object.and_then(|o| self.holding.get(o)).into_iter().flatten().copied().filter(|i| !waiting(i)));
        alive.sort_unstable();
        alive.dedup();
        if !alive.is_empty() {
            return (format!("the goroutines it may wait for are still there: {}", self.about(user_code, &alive)), false);
        }
        if object.is_some() || self.parents_known {
            return ("no goroutine it started, and none that holds the WaitGroup's address, is left".to_string(), true);
        }
        ("the dump does not show which goroutines it waits for".to_string(), false)
    }

    /// Who likely holds a lock group's mutex: goroutines that hold its address (or the value
    /// that holds it) in their arguments and do not wait on a lock themselves. `true` when one
    /// of them is itself blocked: the dump bears out a lock held across a blocking call.
    fn lock<'g>(&self, profile: &Profile, user_code: &UserCode, mut members: impl Iterator<Item = &'g crate::model::Goroutine> + Clone) -> (String, bool) {
        let Some((object, _)) = members.clone().next().and_then(|g| crate::waits::blocked_on(profile, user_code, g)) else {
            return ("the dump prints no arguments that would tell who holds the lock".to_string(), false);
        };
        let ids: HashSet<u64> = members.by_ref().map(|g| g.id).collect();
        let family = |i: usize| Family::of(Some(self.whole.strings.get(self.whole.goroutines[i].state)));
        let others: Vec<usize> = self
            .holding
            .get(object)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| !ids.contains(&self.whole.goroutines[i].id) && family(i) != Family::Lock)
            .collect();
        let blocked: Vec<usize> = others.iter().copied().filter(|&i| family(i) != Family::Running).collect();
        if !blocked.is_empty() {
            return (format!("its likely holder (its arguments hold {object}): {}", self.about(user_code, &blocked)), true);
        }
        if !others.is_empty() {
            return (format!("its likely holder (its arguments hold {object}): {}: a busy lock, not a lost one", self.about(user_code, &others)), false);
        }
        (format!("no other goroutine holds {object} in its arguments: the holder may have returned without unlocking"), false)
    }
}
