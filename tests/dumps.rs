//! Inputs that hold several dumps one after another: a new dump starts where goroutine ids
//! restart after other text, and not where one dump prints a goroutine twice.

mod common;

use common::fixture;
use parkview::{decode, decode_all, Options};

fn counts(text: &str) -> Vec<(usize, bool)> {
    decode_all(text.as_bytes(), &Options::default()).unwrap().iter().map(|d| (d.profile.goroutines.len(), d.profile.crash.is_some())).collect()
}

const BLOCK: &str = "main.main()\n\t/m.go:3 +0x1\n";

#[test]
fn ids_that_restart_after_other_text_start_another_dump() {
    let two_runs = format!("run 1\ngoroutine 1 [running]:\n{BLOCK}\ngoroutine 2 [select]:\n{BLOCK}\nrun 2\ngoroutine 1 [running]:\n{BLOCK}");
    assert_eq!(counts(&two_runs), [(2, false), (1, false)]);
    // A log line right after the last frame, with no blank line, is text between too.
    let glued = format!("goroutine 1 [running]:\n{BLOCK}run 2 at 12:00\n\ngoroutine 1 [running]:\n{BLOCK}");
    assert_eq!(counts(&glued), [(1, false), (1, false)]);
    // The second dump's crash preamble is its own, not the first's.
    let signal_twice = format!("SIGQUIT: quit\n\ngoroutine 1 [running]:\n{BLOCK}\nSIGQUIT: quit\n\ngoroutine 1 [select]:\n{BLOCK}");
    assert_eq!(counts(&signal_twice), [(1, true), (1, true)]);
    let panic_then_dump = format!("goroutine 1 [running]:\n{BLOCK}\npanic: boom\n\ngoroutine 1 [running]:\n{BLOCK}");
    assert_eq!(counts(&panic_then_dump), [(1, false), (1, true)]);
}

#[test]
fn one_dump_that_prints_a_goroutine_twice_stays_one() {
    // GOTRACEBACK=crash prints the running goroutine again, with the same gp=.
    let reprint =
        format!("goroutine 1 gp=0xc000002380 m=0 mp=0x1 [running]:\n{BLOCK}\nruntime stack:\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x1 [running]:\n{BLOCK}");
    assert_eq!(counts(&reprint), [(1, false)]);
    // "stack unavailable" first, its stack later (concurrent map writes).
    let unavailable =
        format!("goroutine 7 [running]:\n\tgoroutine running on other thread; stack unavailable\n\nfatal error: x\n\ngoroutine 7 [running]:\n{BLOCK}");
    assert_eq!(counts(&unavailable).len(), 1);
    // Goroutine 0 is printed once per thread.
    let threads = "goroutine 0 [idle]:\nruntime.futex()\n\t/p.go:1 +0x1\n\nrax 0x1\n\ngoroutine 0 [idle]:\nruntime.futex()\n\t/p.go:1 +0x1\n";
    assert_eq!(counts(threads).len(), 1);
    // Ids that repeat with nothing between are one dump's.
    let back_to_back = format!("goroutine 3 [select]:\n{BLOCK}\ngoroutine 3 [select]:\n{BLOCK}");
    assert_eq!(counts(&back_to_back), [(2, false)]);
}

#[test]
fn a_panic_log_with_a_dump_per_run_is_six_snapshots() {
    let bytes = fixture("wild2/091-fcavani-droute-panic-log-6-runs-appended-custom-log-header.txt");
    let all = decode_all(&bytes, &Options::default()).unwrap();
    assert_eq!(all.iter().map(|d| d.profile.goroutines.len()).collect::<Vec<_>>(), [6; 6]);
    // Fed in pieces, the same.
    let mut stream = parkview::Stream::new(&Options::default());
    for piece in bytes.chunks(97) {
        stream.feed(piece).unwrap();
    }
    assert_eq!(stream.finish_all().unwrap().len(), 6);
    // Read as one, the last, saying so.
    let last = decode(&bytes, &Options::default()).unwrap();
    assert_eq!(last.profile.goroutines.len(), 6);
    assert!(last.warnings[0].message.contains("holds 6 dumps"), "{:?}", last.warnings[0]);
}
