//! Real pastes from `tests/fixtures/wild2` (copied from ../shared/corpus/wild2, whose README
//! gives the right reading of each), read as that README says.

mod common;

use common::decode_fixture;
use parkview::report::{report, ReportOptions};

fn frames(rel: &str) -> (parkview::Decoded, Vec<(String, String, u32)>) {
    let decoded = decode_fixture(rel);
    let p = &decoded.profile;
    let g = &p.goroutines[0];
    let stack = p.stack(g.stack).iter().map(|&f| (p.func_name(f).to_string(), p.strings.get(p.frames.get(f).file).to_string(), p.frames.get(f).line)).collect();
    (decoded, stack)
}

#[test]
fn a_markdown_quoted_panic_serving_reads_without_the_quote_marks() {
    let rel = "wild2/078-block-ftl-issue2045-blockquote-prefixed-http-panic-serving.txt";
    let (decoded, stack) = frames(rel);
    assert_eq!(decoded.wrapper.as_deref(), Some("markdown-quote"));
    assert_eq!(decoded.profile.goroutines.len(), 1);
    assert_eq!(decoded.profile.goroutines[0].id, 19853);
    assert!(decoded.profile.crash.is_none(), "net/http recovered the panic");
    let want = [
        ("net/http.(*conn).serve.func1", "server.go", 1898),
        ("panic", "panic.go", 770),
        ("github.com/TBD54566975/ftl/backend/controller.(*Service).callWithRequest", "controller.go", 1004),
        ("github.com/TBD54566975/ftl/backend/controller/ingress.Handle", "handler.go", 54),
    ];
    for (i, (func, file, line)) in want.iter().enumerate() {
        assert_eq!(stack[i].0, *func, "frame {i}");
        assert!(stack[i].1.ends_with(file) && stack[i].2 == *line, "frame {i}: {:?}", stack[i]);
    }
    assert!(stack.iter().all(|(f, file, _)| !f.contains("> ") && !file.starts_with('>')), "{stack:?}");
    let r = report(&decoded, &ReportOptions::default());
    assert_eq!(r.wrapper.as_deref(), Some("markdown-quote"));
}

#[test]
fn a_stack_escaped_in_a_slog_value_reads_as_a_dump() {
    let rel = "wild2/092-auvitly-go-tools-slog-text-escaped-stack-in-log-line.txt";
    let (decoded, stack) = frames(rel);
    assert_eq!(decoded.wrapper.as_deref(), Some("logfmt"));
    let p = &decoded.profile;
    assert_eq!(p.goroutines.len(), 1);
    assert_eq!(p.goroutines[0].id, 6);
    assert!(p.crash.is_none(), "a recovered panic logged, not a crash");
    let names: Vec<&str> = stack.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "runtime/debug.Stack",
            "main.convert.log.func1",
            "github.com/auvitly/go-tools/recovery.Builder.useAsync",
            "github.com/auvitly/go-tools/recovery.Builder.handle.func1"
        ]
    );
    assert_eq!(stack.iter().map(|s| s.2).collect::<Vec<_>>(), [24, 23, 175, 253]);
    assert!(stack[0].1.starts_with("C:/Program Files/Go/"), "{:?}", stack[0]);
    let created_by = p.goroutines[0].created_by.expect("a creator");
    assert_eq!(p.func_name(created_by), "github.com/auvitly/go-tools/recovery.Builder.handle");
    assert_eq!(p.frames.get(created_by).line, 250);
    assert_eq!(p.goroutines[0].parent, Some(1));
}

#[test]
fn a_goroutineleak_profile_abbreviated_by_hand_keeps_every_record() {
    let d = decode_fixture("wild2/081-goroutineleak-debug1-hand-elided-README.txt");
    let r = report(&d, &ReportOptions::default());
    assert_eq!((r.goroutines, r.leaked), (Some(11), Some(11)));
    let groups: Vec<(i64, String, u32)> = r.groups.iter().map(|g| (g.count, g.site.as_ref().unwrap().func.clone(), g.site.as_ref().unwrap().line)).collect();
    assert_eq!(groups[0], (7, "main.(*Stats).Record".to_string(), 56));
    assert_eq!(groups[1], (1, "main.(*Stats).noteCritical".to_string(), 67));
    assert_eq!(groups.len(), 5, "{groups:?}");
    assert_eq!(d.skipped, 0);
    assert_eq!(d.warnings.iter().filter(|w| w.message.contains("not addresses")).count(), 5);
}

#[test]
fn a_heap_profile_cut_by_hand_keeps_its_totals_and_says_the_header_disagrees() {
    let d = decode_fixture("wild2/084-blog-heap-debug1-go1.15-memstats-annotated-cut.txt");
    let r = report(&d, &ReportOptions::default());
    assert_eq!((r.totals["inuse_objects/count"], r.totals["inuse_space/bytes"]), (2, 666237));
    assert!(d.warnings.iter().any(|w| w.message.contains("announces 2 in-use objects / 262656 B and 808 / 1065536 B allocated")), "{:?}", d.warnings);
}

#[test]
fn a_goleak_report_without_go_headers_reads_as_its_goroutines() {
    let d = decode_fixture("wild2/080-jaegertracing-jaeger-issue5006-goleak-headerless-tlog-indented.txt");
    let p = &d.profile;
    let read: Vec<(u64, &str, &str)> = p.goroutines.iter().map(|g| (g.id, p.strings.get(g.state), p.func_name(p.stack(g.stack)[0]))).collect();
    let run = "google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run";
    assert_eq!(read, [(52, "select", run), (53, "select", run)]);
    let first = &p.goroutines[0];
    assert_eq!(p.frames.get(p.stack(first.stack)[0]).line, 88);
    assert_eq!(first.parent, Some(22));
    assert_eq!(p.func_name(first.created_by.expect("a creator")), "google.golang.org/grpc/internal/grpcsync.NewCallbackSerializer");
    assert!(d.warnings.iter().any(|w| w.message.contains("goroutine 53: the stack is cut")), "{:?}", d.warnings);
}

#[test]
fn label_totals_follow_the_default_sample_type() {
    let d = decode_fixture("wild2/087-grafana-pyroscope-heap-delta-default-alloc_space.pb.gz");
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.default_sample_type.as_deref(), Some("alloc_space"));
    let at = d.profile.default_sample_type;
    let by_label: i64 = r.labels["bytes"].values().sum();
    let labelled: i64 = d.profile.samples.iter().filter(|s| !d.profile.labels(s.labels).is_empty()).map(|s| s.values[at]).sum();
    assert_eq!(by_label, labelled, "the bytes label sums alloc_space");
}

#[test]
fn thousands_on_one_stack_rank_first_though_their_state_is_unknown() {
    let d = decode_fixture("wild2/088-twmb-franz-go-issue1030-debug1-7802-user-dotted-elision.txt");
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.goroutines, Some(7223));
    assert!(d.warnings.iter().any(|w| w.message.contains("announces 7802")), "{:?}", d.warnings);
    let top: Vec<(i64, &str)> = r.leak_suspects.iter().map(|s| (s.count, s.frames[0].func.as_str())).collect();
    assert_eq!(
        top[..2],
        [(3483, "github.com/twmb/franz-go/pkg/kgo.(*Client).reapConnectionsLoop"), (3465, "github.com/twmb/franz-go/pkg/kgo.(*Client).updateMetadataLoop")]
    );
    assert!(r.leak_suspects.iter().all(|s| s.count > 1000), "the groups of 275 and fewer are no suspects: {top:?}");
}

#[test]
fn a_test_timeout_names_its_running_tests_and_the_bubble_and_suspects_no_harness() {
    let d = decode_fixture("wild2/079-golang-go-issue75626-go1.25-synctest-durable-bubble-timeout.txt");
    let r = report(&d, &ReportOptions::default());
    let crash = r.crash.as_ref().expect("a crash");
    assert_eq!(crash.panic, ["panic: test timed out after 5s"]);
    assert_eq!(crash.running_tests.iter().map(|t| (t.name.as_str(), t.elapsed.as_str())).collect::<Vec<_>>(), [("TestDataLoaderSync", "5s")]);
    let bubble = r.groups.iter().find(|g| g.state.as_deref() == Some("synctest.Run")).expect("the bubble's root");
    assert!(bubble.durable);
    assert_eq!(bubble.synctest_bubble, Some(1));
    assert_eq!(r.goroutines, Some(3));
    // Goroutine 1 waits for the test and the root for its bubble, by design.
    assert!(r.leak_suspects.is_empty(), "{:?}", r.leak_suspects.iter().map(|s| &s.explanation).collect::<Vec<_>>());
}
