//! Data race reports (`WARNING: DATA RACE`): read alone, in front of a dump, cut, and inside a
//! log wrapper; their rows, and what redaction leaves of them.

mod common;

use common::fixture;
use parkview::report::{report, ReportOptions};
use parkview::share::{redact, Redaction};
use parkview::{decode, Options};

fn frames(d: &parkview::Decoded, stack: parkview::model::StackId) -> Vec<String> {
    let p = &d.profile;
    p.stack(stack).iter().map(|&f| p.strings.get(p.frames.get(f).func).to_string()).collect()
}

#[test]
fn a_race_report_in_front_of_a_dump_is_read_with_the_dump() {
    let d = decode(&fixture("race/race-then-panic.txt"), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutines.len(), 4);
    assert_eq!(d.profile.crash.as_ref().unwrap().panic, ["panic: giving up after the race"]);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let races = &d.profile.races;
    assert_eq!(races.len(), 3);
    let first = &races[0];
    assert_eq!(first.line, 2);
    let accesses: Vec<(&str, bool, &str, Option<u64>)> =
        first.accesses.iter().map(|a| (a.kind.as_str(), a.previous, a.address.as_str(), a.goroutine)).collect();
    assert_eq!(accesses, [("read", false, "0x0000005ae058", Some(7)), ("write", true, "0x0000005ae058", Some(9))]);
    assert_eq!(frames(&d, first.accesses[0].stack), ["main.worker", "main.main.gowrap1"]);
    let goroutines: Vec<(u64, &str, Vec<String>)> = first.goroutines.iter().map(|g| (g.goroutine, g.status.as_str(), frames(&d, g.created_at))).collect();
    assert_eq!(goroutines, [(7, "running", vec!["main.main".to_string()]), (9, "running", vec!["main.main".to_string()])]);
    // `Write at 0x00c00007c060 by main goroutine:`
    assert_eq!(races[2].accesses[0].goroutine, None);
    assert_eq!(frames(&d, races[2].accesses[0].stack), ["runtime.mapassign_faststr", "main.main"]);
}

#[test]
fn the_report_lists_each_race_with_the_site_of_each_access() {
    let d = decode(&fixture("race/race-then-panic.txt"), &Options::default()).unwrap();
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.races.len(), 3);
    // The first frame of user code, past the runtime's map functions.
    assert_eq!(r.races[2].accesses[0].site.as_ref().map(|f| (f.func.as_str(), f.line)), Some(("main.main", 33)));
    // An access whose stack the race detector kept only in the runtime: its first frame, as
    // for a group of runtime frames.
    assert_eq!(r.races[2].accesses[1].site.as_ref().map(|f| f.func.as_str()), Some("runtime.mapaccess2_faststr"));
    assert_eq!(r.races[2].accesses[1].frames.len(), 2);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["races"][0]["accesses"][1]["kind"], "write");
    assert_eq!(json["races"][0]["accesses"][1]["previous"], true);
    assert_eq!(json["races"][0]["goroutines"][0]["status"], "running");
}

const ALONE: &str = "==================
WARNING: DATA RACE
Write at 0x00c0002a60c0 by goroutine 21:
  runtime.mapassign_faststr()
      /usr/local/go/src/runtime/map_faststr.go:202 +0x0
  example.com/m.TestConcurrentWrite.func1()
      /src/m/test_test.go:27 +0x50

Previous read at 0x00c0002a60c0 by main goroutine:
  example.com/m.load()
      /src/m/m.go:12 +0x3c

Heap block of size 48 at 0x00c0002a60c0 allocated by main goroutine:
  example.com/m.newCache()
      /src/m/m.go:5 +0x28

Goroutine 21 (finished) created at:
  example.com/m.TestConcurrentWrite()
      /src/m/test_test.go:26 +0xc4
  testing.tRunner()
      /usr/local/go/src/testing/testing.go:1259 +0x22f
==================
    testing.go:1152: race detected during execution of test
--- FAIL: TestConcurrentWrite (0.05s)
";

#[test]
fn a_race_report_alone_is_read_not_refused() {
    let d = decode(ALONE.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutines.len(), 0);
    let race = &d.profile.races[0];
    assert_eq!(race.accesses.len(), 2);
    assert_eq!((race.accesses[1].kind.as_str(), race.accesses[1].previous, race.accesses[1].goroutine), ("read", true, None));
    assert_eq!(race.goroutines[0].status, "finished");
    assert_eq!(frames(&d, race.goroutines[0].created_at), ["example.com/m.TestConcurrentWrite", "testing.tRunner"]);
    assert_eq!(race.location.as_deref(), Some("Heap block of size 48 at 0x00c0002a60c0 allocated by main goroutine"));
    assert_eq!(frames(&d, race.location_stack.unwrap()), ["example.com/m.newCache"]);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn a_cut_race_report_keeps_what_it_read_and_says_where_it_ends() {
    let cut = &ALONE[..ALONE.find("Heap block").unwrap()];
    let d = decode(cut.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.races[0].accesses.len(), 2);
    assert!(d.warnings.iter().any(|w| w.message.contains("without its closing")), "{:?}", d.warnings);
    // Cut by a goroutine header: the report ends there and the goroutine is read.
    let then_dump = format!("{cut}goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n");
    let d = decode(then_dump.as_bytes(), &Options::default()).unwrap();
    assert_eq!((d.profile.races.len(), d.profile.goroutines.len()), (1, 1));
}

#[test]
fn a_race_report_in_a_container_log_is_unwrapped() {
    let cri: String = ALONE.lines().map(|l| format!("2026-11-30T08:53:35.123456789Z stderr F {l}\n")).collect();
    let d = decode(cri.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.wrapper.as_deref(), Some("cri"));
    assert_eq!(d.profile.races.len(), 1);
    assert_eq!(d.profile.races[0].accesses.len(), 2);
}

#[test]
fn redaction_takes_addresses_paths_and_names_out_of_races() {
    let d = decode(ALONE.as_bytes(), &Options::default()).unwrap();
    let redacted = redact(&[("t", &d)], &Redaction::all());
    let p = &redacted[0].decoded.profile;
    let race = &p.races[0];
    assert_eq!(race.accesses[0].address, "…");
    assert_eq!(race.location.as_deref(), Some("Heap block [redacted]"));
    let files: Vec<&str> = p.frames.iter().map(|f| p.strings.get(f.file)).collect();
    assert!(files.iter().all(|f| !f.contains("/src/m/")), "{files:?}");
}

const BLOCK: &str = "goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\ngoroutine 2 [select]:\nmain.loop()\n\t/m.go:9 +0x1\n";

#[test]
fn a_race_between_two_dumps_goes_with_the_second() {
    // `go test -race ./...` over two packages: a panic and its dump each, a race between.
    let race = &ALONE[ALONE.find("WARNING").unwrap()..];
    let text = format!("panic: one\n\n{BLOCK}\n{race}\npanic: two\n\n{BLOCK}");
    let all = parkview::decode_all(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(all.iter().map(|d| (d.profile.goroutines.len(), d.profile.races.len())).collect::<Vec<_>>(), [(2, 0), (2, 1)]);
    let second = &all[1];
    assert_eq!(frames(second, second.profile.races[0].accesses[0].stack), ["runtime.mapassign_faststr", "example.com/m.TestConcurrentWrite.func1"]);
    second.profile.check().unwrap();
    // The race alone between them, without its opening `=`s, still tells the dumps apart.
    let bare = format!("{BLOCK}\n{race}{BLOCK}");
    let all = parkview::decode_all(bare.as_bytes(), &Options::default()).unwrap();
    assert_eq!(all.iter().map(|d| (d.profile.goroutines.len(), d.profile.races.len())).collect::<Vec<_>>(), [(2, 0), (2, 1)]);
    // After the last dump: the last dump's.
    let after = format!("{BLOCK}\n{race}");
    let d = decode(after.as_bytes(), &Options::default()).unwrap();
    assert_eq!((d.profile.goroutines.len(), d.profile.races.len()), (2, 1));
    d.profile.check().unwrap();
}

#[test]
fn a_race_report_cut_before_its_first_access_is_left_out() {
    let d = decode(format!("WARNING: DATA RACE\nsomething else\n{BLOCK}").as_bytes(), &Options::default()).unwrap();
    assert!(d.profile.races.is_empty());
    assert!(d.warnings.iter().any(|w| w.message.contains("without its closing")), "{:?}", d.warnings);
}

#[test]
fn races_past_the_limit_are_counted_not_kept() {
    let race = &ALONE[ALONE.find("WARNING").unwrap()..ALONE.find("    testing.go").unwrap()];
    let text = race.repeat(parkview::limits::MAX_RACES + 5);
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.races.len(), parkview::limits::MAX_RACES);
    assert!(d.limits.iter().any(|l| matches!(l, parkview::limits::LimitHit::Races { skipped: 5 })), "{:?}", d.limits);
}

#[test]
fn a_linked_race_that_names_a_missing_stack_is_refused() {
    let mut d = decode(ALONE.as_bytes(), &Options::default()).unwrap();
    d.profile.races[0].accesses[0].stack = 9999;
    assert!(d.profile.check().unwrap_err().contains("data race"));
}
