//! One table test per leak pattern parkview names, each built from literal dump lines: the
//! first suspect's patterns, and what its explanation says of the other side of the wait. A
//! pattern is named only where the dump bears it out; the rows marked "not named" are the
//! same waits where the dump contradicts the pattern.

mod common;

use common::decode_text;
use parkview::report::{report, ReportOptions};
use parkview::rows::Pattern;

/// The main goroutine, alive and elsewhere: the starter of most goroutines below.
const MAIN: &str = "goroutine 1 [select]:
main.main()
\t/app/main.go:10 +0x1d
";

/// Three goroutines on one stack (`{id}` replaced by 11, 12, 13), parked 10, 20 and 30 minutes.
fn three(block: &str) -> String {
    [("11", "10"), ("12", "20"), ("13", "30")].iter().map(|(id, m)| block.replace("{id}", id).replace("{m}", m) + "\n").collect()
}

#[test]
fn each_pattern_is_named_where_the_dump_bears_it_out() {
    let cases: Vec<(&str, String, Vec<Pattern>, &str)> = vec![
        (
            "senders whose collector returned",
            three("goroutine {id} [chan send, {m} minutes]:\nmain.fetch(0xc000100000)\n\t/app/fetch.go:12 +0x2c\ncreated by main.search in goroutine 1\n\t/app/search.go:20 +0x85\n"),
            vec![Pattern::SendAfterCollectorReturned],
            "the goroutine that started them has moved on: goroutine 1 is blocked in select at main.go:10 (main.main)",
        ),
        (
            "fire and forget",
            three("goroutine {id} [chan send, {m} minutes]:\nmain.(*Audit).Record.func1()\n\t/app/audit.go:61 +0x2c\ncreated by main.(*Audit).Record in goroutine 7\n\t/app/audit.go:59 +0x85\n"),
            vec![Pattern::FireAndForgetSend],
            "the goroutine that started them has returned",
        ),
        (
            "nil channel",
            "goroutine 11 [chan receive (nil chan), 30 minutes]:\nmain.watch()\n\t/app/watch.go:8 +0x2e\ncreated by main.start in goroutine 1\n\t/app/main.go:31 +0x3a\n".into(),
            vec![Pattern::NilChannel],
            "a nil channel",
        ),
        (
            "select loop that nothing stops",
            "goroutine 11 [select (leaked), 30 minutes]:\nmain.(*Poller).loop()\n\t/app/poll.go:40 +0x2e\ncreated by main.start in goroutine 1\n\t/app/main.go:31 +0x3a\n".into(),
            vec![Pattern::SelectLoopWithoutDone],
            "1 marked leaked by the runtime",
        ),
        (
            "receive on a channel nobody closes",
            three("goroutine {id} [chan receive, {m} minutes]:\nmain.consume()\n\t/app/consume.go:8 +0x2e\ncreated by main.start in goroutine 1\n\t/app/main.go:31 +0x3a\n"),
            vec![Pattern::ReceiveNeverClosed],
            "the goroutine that started them has moved on",
        ),
        (
            "started by a handler, outliving the request",
            three("goroutine {id} [chan receive, {m} minutes]:\nmain.pump()\n\t/app/pump.go:8 +0x2e\ncreated by main.(*API).ServeHTTP in goroutine 1\n\t/app/api.go:31 +0x3a\n"),
            vec![Pattern::OutlivesHttpRequest, Pattern::ReceiveNeverClosed],
            "Looks like goroutines started by an HTTP handler",
        ),
        (
            "a WaitGroup whose goroutines are all gone",
            "goroutine 10 [sync.WaitGroup.Wait, 30 minutes]:\nsync.runtime_SemacquireWaitGroup(0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:114 +0x2e\nsync.(*WaitGroup).Wait(0xc000012340)\n\t/usr/local/go/src/sync/waitgroup.go:118 +0x48\nmain.await(0xc000012340)\n\t/app/batch.go:56 +0x37\ncreated by main.run in goroutine 1\n\t/app/batch.go:40 +0x1ac\n".into(),
            vec![Pattern::WaitGroupNeverZero],
            "no goroutine it started, and none that holds the WaitGroup's address, is left",
        ),
        (
            "a WaitGroup whose goroutines are alive (not named)",
            "goroutine 10 [sync.WaitGroup.Wait, 30 minutes]:\nsync.runtime_SemacquireWaitGroup(0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:114 +0x2e\nsync.(*WaitGroup).Wait(0xc000012340)\n\t/usr/local/go/src/sync/waitgroup.go:118 +0x48\nmain.await(0xc000012340)\n\t/app/batch.go:56 +0x37\ncreated by main.run in goroutine 1\n\t/app/batch.go:40 +0x1ac\n\ngoroutine 20 [IO wait, 30 minutes]:\ninternal/poll.runtime_pollWait(0x7f0000000000, 0x72)\n\t/usr/local/go/src/runtime/netpoll.go:351 +0x85\nmain.callDBus(0xc000200000)\n\t/app/dbus.go:77 +0x45\ncreated by main.await in goroutine 10\n\t/app/batch.go:50 +0x1f\n".into(),
            vec![],
            "the goroutines it may wait for are still there: goroutine 20 is blocked in IO wait at dbus.go:77 (main.callDBus)",
        ),
        (
            "a mutex whose holder is blocked",
            "goroutine 21 [sync.Mutex.Lock, 30 minutes]:\nsync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:95 +0x25\nsync.(*Mutex).lockSlow(0xc000020000)\n\t/usr/local/go/src/sync/mutex.go:173 +0x15d\nsync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:92\nmain.(*Cache).Get(0xc000020000)\n\t/app/cache.go:20 +0x45\ncreated by main.start in goroutine 1\n\t/app/main.go:30 +0x1f\n\ngoroutine 30 [chan send, 30 minutes]:\nmain.(*Cache).refresh(0xc000020000, 0xc000300000)\n\t/app/cache.go:44 +0x45\ncreated by main.start in goroutine 1\n\t/app/main.go:33 +0x1f\n".into(),
            vec![Pattern::MutexHeldByBlockedGoroutine],
            "its likely holder (its arguments hold 0xc000020000): goroutine 30 is blocked in chan send at cache.go:44 (main.(*Cache).refresh)",
        ),
        (
            "a mutex whose holder runs (not named)",
            "goroutine 21 [sync.Mutex.Lock, 30 minutes]:\nsync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/sema.go:95 +0x25\nsync.(*Mutex).lockSlow(0xc000020000)\n\t/usr/local/go/src/sync/mutex.go:173 +0x15d\nsync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:92\nmain.(*Cache).Get(0xc000020000)\n\t/app/cache.go:20 +0x45\ncreated by main.start in goroutine 1\n\t/app/main.go:30 +0x1f\n\ngoroutine 30 [runnable]:\nsync.(*Mutex).Unlock(0xc000020000)\n\t/usr/local/go/src/sync/mutex.go:223 +0x1d\nmain.(*Cache).refresh(0xc000020000, 0xc000300000)\n\t/app/cache.go:46 +0x45\ncreated by main.start in goroutine 1\n\t/app/main.go:33 +0x1f\n".into(),
            vec![],
            "goroutine 30 is runnable at cache.go:46 (main.(*Cache).refresh): a busy lock, not a lost one",
        ),
        (
            "a mutex nobody else holds (not named)",
            "goroutine 21 [sync.Mutex.Lock, 30 minutes]:\nsync.(*Mutex).Lock(0xc000020000)\n\t/usr/local/go/src/sync/mutex.go:92 +0x25\nmain.(*Cache).Get(0xc000020000)\n\t/app/cache.go:20 +0x45\ncreated by main.start in goroutine 1\n\t/app/main.go:30 +0x1f\n".into(),
            vec![],
            "no other goroutine holds 0xc000020000 in its arguments: the holder may have returned without unlocking",
        ),
        (
            "database/sql pool used up",
            three("goroutine {id} [select, {m} minutes]:\ndatabase/sql.(*DB).conn(0xc000400000, {0xa0a0a0, 0xc000500000}, 0x1)\n\t/usr/local/go/src/database/sql/sql.go:1369 +0x425\ndatabase/sql.(*DB).query(0xc000400000, {0xa0a0a0, 0xc000500000}, {0x7e0000, 0x20}, {0x0, 0x0, 0x0}, 0x0?)\n\t/usr/local/go/src/database/sql/sql.go:1730 +0x57\nmain.listOrders(0xc000400000)\n\t/app/orders.go:31 +0x8e\ncreated by main.start in goroutine 1\n\t/app/main.go:35 +0x1f\n"),
            vec![Pattern::DatabasePoolExhausted],
            "parked 10 to 30 minutes ago, one after another",
        ),
        (
            "HTTP client without a timeout",
            three("goroutine {id} [select, {m} minutes]:\nnet/http.(*persistConn).roundTrip(0xc000600000, 0xc000700000)\n\t/usr/local/go/src/net/http/transport.go:2813 +0x8e8\nnet/http.(*Transport).roundTrip(0xb0b0b0, 0xc000800000)\n\t/usr/local/go/src/net/http/transport.go:754 +0xa24\nnet/http.(*Client).Do(...)\n\t/usr/local/go/src/net/http/client.go:590\nmain.fetchQuote(0xc000900000)\n\t/app/quote.go:18 +0x5a\ncreated by main.start in goroutine 1\n\t/app/main.go:36 +0x1f\n"),
            vec![Pattern::HttpClientWithoutTimeout],
            "set `http.Client{Timeout: …}`",
        ),
    ];
    for (name, goroutines, patterns, phrase) in cases {
        let dump = format!("{MAIN}\n{goroutines}");
        let r = report(&decode_text(&dump), &ReportOptions::default());
        // The suspect of the case's own group: its goroutines come first in the dump.
        let first_id = goroutines.split_whitespace().nth(1).unwrap();
        let first = r
            .leak_suspects
            .iter()
            .find(|s| r.groups.iter().any(|g| g.frames == s.frames && g.ids.as_ref().is_some_and(|ids| ids.iter().any(|id| id.to_string() == first_id))))
            .unwrap_or_else(|| panic!("{name}: no suspect of goroutine {first_id}: {:#?}", r.leak_suspects));
        assert_eq!(first.patterns, patterns, "{name}: {}", first.explanation);
        assert!(first.explanation.contains(phrase), "{name}: {}", first.explanation);
        if let Some(p) = patterns.first() {
            assert!(first.explanation.contains(&format!("Looks like {}: {}", p.describe(), p.fix())), "{name}: {}", first.explanation);
        } else {
            assert!(!first.explanation.contains("Looks like"), "{name}: {}", first.explanation);
        }
    }
}
