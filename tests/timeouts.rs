//! A test binary's timeout (`parkview::timeouts`): the running tests, the goroutines of each
//! and what they wait on, and the goroutine that keeps a synctest bubble's clock still, on a
//! real `go test -timeout` dump (tests/fixtures/timeout/README.md gives its program and reading).

mod common;

use common::{decode_fixture, decode_text};
use parkview::report::{report, ReportOptions};
use parkview::timeouts::test_of;

#[test]
fn a_function_names_its_test() {
    for (func, test) in [
        ("example.com/hang.TestHangs", Some("TestHangs")),
        ("example.com/hang.TestHangs.func1.2", Some("TestHangs")),
        ("github.com/x/y/v2/pkg.BenchmarkParse", Some("BenchmarkParse")),
        ("main.TestMain", Some("TestMain")),
        ("example.com/hang.worker", None),
        ("testing.tRunner", None),
        ("example.com/testutil.Helper", None),
    ] {
        assert_eq!(test_of(func), test, "{func}");
    }
}

#[test]
fn the_running_tests_their_goroutines_and_the_unsettled_bubble_are_told() {
    let r = report(&decode_fixture("timeout/test-timeout-synctest.txt"), &ReportOptions::default());
    let t = r.test_timeout.expect("a timeout section");
    assert_eq!(t.after, "3s");
    let names: Vec<(&str, &str, usize)> = t.tests.iter().map(|t| (t.name.as_str(), t.elapsed.as_str(), t.subtests.len())).collect();
    assert_eq!(names, vec![("TestBubble", "3s", 0), ("TestHangs", "3s", 1)]);
    let hangs = &t.tests[1];
    assert_eq!(hangs.subtests[0].name, "TestHangs/sub");
    // 7 in (*T).Run, 9 the subtest, 10-12 its workers.
    assert_eq!(hangs.goroutines, 5);
    let waits: Vec<(i64, Option<&str>, &str, &[u64])> =
        hangs.waits.iter().map(|w| (w.count, w.state.as_deref(), w.site.as_ref().unwrap().func.as_str(), w.ids.as_slice())).collect();
    assert_eq!(
        waits,
        vec![
            (3, Some("chan send"), "example.com/hang.worker", &[10, 11, 12][..]),
            (1, Some("sync.WaitGroup.Wait"), "example.com/hang.TestHangs.func1", &[9][..]),
        ]
    );
    assert_eq!(t.tests[0].goroutines, 4);
    assert_eq!(t.unsettled.len(), 1);
    let u = &t.unsettled[0];
    assert_eq!((u.id, u.bubble, u.state.as_str()), (19, 1, "chan receive"));
    assert_eq!(u.site.as_ref().unwrap().func, "example.com/hang.TestBubble.func1.1");
}

#[test]
fn only_a_test_timeout_has_the_section() {
    assert!(report(&decode_fixture("crash/deadlock.txt"), &ReportOptions::default()).test_timeout.is_none());
    // Older Go prints no `running tests:` list: the tests are the functions tRunner runs.
    let d = decode_text(
        "panic: test timed out after 10m0s\n\ngoroutine 7 [chan receive, 9 minutes]:\nexample.com/p.waitReady(0xc000010000)\n\t/src/p/p.go:30 +0x45\nexample.com/p.TestServe(0xc000100000)\n\t/src/p/p_test.go:12 +0x2b\ntesting.tRunner(0xc000100000, 0x7e0000)\n\t/usr/local/go/src/testing/testing.go:1439 +0x102\ncreated by testing.(*T).Run\n\t/usr/local/go/src/testing/testing.go:1486 +0x35f\n",
    );
    let t = report(&d, &ReportOptions::default()).test_timeout.unwrap();
    assert_eq!((t.tests.len(), t.tests[0].name.as_str(), t.tests[0].elapsed.as_str(), t.tests[0].goroutines), (1, "TestServe", "", 1));
    assert_eq!(t.tests[0].waits[0].site.as_ref().unwrap().func, "example.com/p.waitReady");
}
