//! A test binary's timeout (`panic: test timed out after 10m0s`, testing/testing.go's
//! `startAlarm`): which tests were running, which goroutines belong to each and what they are
//! blocked on, and, in a synctest bubble, which goroutine keeps the fake clock from advancing.
//!
//! Go's testing package writes no pprof labels for tests (testing.go, Go 1.27), so a goroutine
//! belongs to a test when its stack passes through the test's function (`pkg.TestX`, its
//! closures `pkg.TestX.func1`), when it was created there, or when its parent belongs to it.
//! The tests are those of the `running tests:` list (Go 1.20+); older dumps give the functions
//! `testing.tRunner` runs.

use crate::gofunc::Family;
use crate::leaks::Background;
use crate::limits::{row_text, RowBudget};
use crate::model::{FrameId, Profile, StackId};
use crate::rows::{frame_row, RunningTest, TestTimeoutRow, TestWaitRow, TimedOutTestRow, UnsettledRow};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Groups of a test's blocked goroutines listed per test, most goroutines first.
pub const MAX_TEST_WAITS: usize = 10;
/// Goroutine ids listed per group of a test and per bubble.
const MAX_IDS: usize = 20;

/// A test's goroutines that wait alike: their wait state and their site.
type WaitKey<'p> = (Option<&'p str>, Option<FrameId>);

/// The test a function is part of: `TestX` for `example.com/pkg.TestX` and its closures
/// (`pkg.TestX.func1.2`), as `go test` names top-level tests, benchmarks, fuzz tests and
/// examples.
pub fn test_of(func: &str) -> Option<&str> {
    let last = func.rsplit('/').next().unwrap_or(func);
    let (_, rest) = last.split_once('.')?;
    let name = rest.split('.').next()?;
    ["Test", "Benchmark", "Fuzz", "Example"].iter().any(|p| name.starts_with(p)).then_some(name)
}

/// The timeout section of a dump whose panic says a test timed out; `None` otherwise.
pub fn test_timeout(profile: &Profile, budget: &mut RowBudget) -> Option<TestTimeoutRow> {
    let crash = profile.crash.as_ref()?;
    // `panic: test timed out after 10m0s` (testing.go's alarm), as the crash keeps it.
    let after = crash.panic.iter().find_map(|p| p.strip_prefix("panic: ").unwrap_or(p).strip_prefix("test timed out after "))?.trim().to_string();
    // The running tests, top-level ones first as the list gives them; else the functions
    // `testing.tRunner` runs.
    let mut tests: Vec<(String, String)> = crash.running_tests.clone();
    if tests.is_empty() {
        let mut seen = HashSet::default();
        for g in &profile.goroutines {
            let stack = profile.stack(g.stack);
            let at = stack.iter().position(|&f| profile.func_name(f) == "testing.tRunner");
            if let Some(name) = at.and_then(|at| at.checked_sub(1)).and_then(|i| test_of(profile.func_name(stack[i]))) {
                if seen.insert(name.to_string()) {
                    tests.push((name.to_string(), String::new()));
                }
            }
        }
    }
    let top_level: HashSet<&str> = tests.iter().map(|(name, _)| name.split('/').next().unwrap_or(name)).collect();

    // Each goroutine's test, by its stack, its creator, then its parent.
    let mut by_stack: HashMap<StackId, Option<&str>> = HashMap::default();
    let mut of: Vec<Option<&str>> = profile
        .goroutines
        .iter()
        .map(|g| {
            let on_stack = *by_stack
                .entry(g.stack)
                .or_insert_with(|| profile.stack(g.stack).iter().find_map(|&f| test_of(profile.func_name(f)).filter(|t| top_level.contains(t))));
            on_stack.or_else(|| g.created_by.and_then(|c| test_of(profile.func_name(c))).filter(|t| top_level.contains(t)))
        })
        .collect();
    let index: HashMap<u64, usize> = profile.goroutines.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::default();
    for (i, g) in profile.goroutines.iter().enumerate() {
        if let Some(&p) = g.parent.and_then(|p| index.get(&p)) {
            children.entry(p).or_default().push(i);
        }
    }
    let mut queue: Vec<usize> = (0..of.len()).filter(|&i| of[i].is_some()).collect();
    while let Some(i) = queue.pop() {
        for &c in children.get(&i).into_iter().flatten() {
            if of[c].is_none() {
                of[c] = of[i];
                queue.push(c);
            }
        }
    }

    let mut background = Background::default();
    let user_code = crate::gofunc::UserCode::of(profile);
    let mut rows = Vec::new();
    let mut subtests: HashMap<&str, Vec<RunningTest>> = HashMap::default();
    for (name, elapsed) in &tests {
        if let Some((top, _)) = name.split_once('/') {
            subtests.entry(top).or_default().push(RunningTest { name: row_text(name), elapsed: row_text(elapsed) });
        }
    }
    // Each top-level test once, where the list (or the stacks) first names it.
    let mut listed: HashSet<&str> = HashSet::default();
    let firsts = tests.iter().map(|(name, elapsed)| (name.split('/').next().unwrap_or(name), if name.contains('/') { "" } else { elapsed.as_str() }));
    let firsts: Vec<(&str, &str)> = firsts.filter(|(top, _)| listed.insert(top)).collect();
    for (top, elapsed) in firsts {
        let members: Vec<usize> = (0..of.len()).filter(|&i| of[i] == Some(top)).collect();
        // What the test's goroutines wait on, past the harness (a parent in `(*T).Run`
        // waiting for its subtest): per state and site.
        let mut waits: HashMap<WaitKey, (i64, Vec<u64>)> = HashMap::default();
        for &i in &members {
            let g = &profile.goroutines[i];
            let state = Some(profile.strings.get(g.state)).filter(|s| !s.is_empty());
            if background.of(profile, g.stack).is_some() && state.is_some_and(|s| Family::of(Some(s)) != Family::Running) {
                continue;
            }
            let site = user_code.first_frame(profile, g.stack);
            let entry = waits.entry((state, site)).or_default();
            entry.0 += 1;
            if entry.1.len() < MAX_IDS {
                entry.1.push(g.id);
            }
        }
        let mut waits: Vec<_> = waits.into_iter().collect();
        waits.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        let waits: Vec<TestWaitRow> = waits
            .into_iter()
            .take(MAX_TEST_WAITS)
            .filter(|((_, site), _)| budget.take(RowBudget::text_cost(top) + site.map_or(0, |f| crate::rows::frame_cost(profile, f))))
            .map(|((state, site), (count, ids))| TestWaitRow { count, state: state.map(row_text), site: site.map(|f| frame_row(profile, f)), ids })
            .collect();
        let subtests = subtests.remove(top).unwrap_or_default();
        rows.push(TimedOutTestRow { name: row_text(top), elapsed: row_text(elapsed), subtests, goroutines: members.len() as i64, waits });
    }

    // A bubble's fake clock advances only once every goroutine in it is durably blocked
    // (testing/synctest): one blocked but not `(durable)` keeps it still.
    let mut unsettled = Vec::new();
    for g in &profile.goroutines {
        let Some(bubble) = g.synctest_bubble else { continue };
        let state = profile.strings.get(g.state);
        if g.durable || Family::of(Some(state)) == Family::Running || unsettled.len() == MAX_IDS {
            continue;
        }
        let site = user_code.first_frame(profile, g.stack);
        unsettled.push(UnsettledRow { id: g.id, bubble, state: row_text(state), site: site.map(|f| frame_row(profile, f)) });
    }
    Some(TestTimeoutRow { after, tests: rows, unsettled })
}
