//! Hostile input, one test per kind: what an attacker (or a terminal that held a dump) hands
//! parkview must give a clear sentence or a bounded read with the limit named, never a panic,
//! a stack overflow, a hang or an unbounded allocation. Each input is built here, small, as
//! the kind was first found (see issue 12); the limits are those of `parkview::limits`.

mod common;

use common::fixture;
use flate2::write::GzEncoder;
use flate2::Compression;
use parkview::decode::pprof::proto::{PbFunction, PbLabel, PbLine, PbLocation, PbProfile, PbSample, PbValueType};
use parkview::diff::{default_key, diff, series};
use parkview::limits::{LimitHit, MAX_FRAMES, MAX_GOROUTINES, MAX_LINK_BYTES, MAX_ROW_STRING};
use parkview::model::{Goroutine, Profile, ProfileKind, Sample};
use parkview::report::{report, ReportOptions};
use parkview::share::{from_fragment, to_fragment, Redaction, ShareError, Shared, SharedSnapshot};
use parkview::{decode, DecodeError, Decoded, Format, Options};
use prost::Message;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn has_limit(d: &Decoded, f: impl Fn(&LimitHit) -> bool) -> bool {
    d.limits.iter().any(f)
}

/// A link holding one snapshot with this profile.
fn link_of(profile: Profile) -> String {
    let decoded = Decoded { format: Format::GoroutineDebug2, gzipped: false, profile, warnings: Vec::new(), skipped: 0, limits: Vec::new(), wrapper: None };
    to_fragment(&Shared { view: String::new(), snapshots: vec![SharedSnapshot { name: "hostile".into(), decoded }] }).expect("a link")
}

/// One goroutine parked on `frames` (leaf first).
fn one_goroutine(p: &mut Profile, frames: Vec<u32>) {
    let stack = p.stacks.intern(frames);
    let state = p.strings.intern("chan receive");
    p.goroutines.push(Goroutine {
        id: 1,
        state,
        leaked: false,
        durable: false,
        wait_minutes: None,
        locked_to_thread: false,
        synctest_bubble: None,
        labels: 0,
        stack,
        args: Default::default(),
        elision: Default::default(),
        created_by: None,
        parent: None,
        ancestors: Vec::new(),
        stack_unavailable: false,
        line: 1,
    });
    let index = p.goroutines.len() as u32 - 1;
    p.samples.push(Sample { stack, values: smallvec::smallvec![1], labels: 0, goroutine: Some(index) });
}

#[test]
fn deep_stack_in_a_link_is_refused_before_any_analysis() {
    // 986 characters in the original: 200,000 frames of one function deflate to almost nothing.
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let f = p.frame("main.recurse", "main.go", 7);
    one_goroutine(&mut p, vec![f; 200_000]);
    let link = link_of(p);
    assert!(link.len() < 2000, "{}", link.len());
    let err = from_fragment(&link, MAX_LINK_BYTES).unwrap_err();
    assert!(matches!(&err, ShareError::Payload(m) if m.contains("MAX_FRAMES")), "{err}");
}

#[test]
fn deep_stack_in_a_dump_keeps_its_ends_and_says_so() {
    // 100,000 frames: the CLI overflowed its stack in the flame graph.
    let mut text = String::from("goroutine 1 [chan receive]:\n");
    for i in 0..100_000 {
        text += &format!("main.recurse(0x{i:x})\n\t/src/main.go:{}\n", i % 50 + 1);
    }
    text += "created by main.main in goroutine 1\n\t/src/main.go:3 +0x1\n";
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert!(has_limit(&d, |h| matches!(h, LimitHit::Frames { stacks: 1 })), "{:?}", d.limits);
    let p = &d.profile;
    let stack = p.stack(p.goroutines[0].stack);
    assert_eq!(stack.len(), MAX_FRAMES + 1);
    assert_eq!(p.func_name(stack[MAX_FRAMES / 2]), "...98976 frames elided...");
    // The outermost frames are the last ones printed.
    assert_eq!(p.frames.get(*stack.last().unwrap()).line, 99_999 % 50 + 1);
    // Arguments stay with the frames they belong to: the first half.
    assert_eq!(p.args.list(p.goroutines[0].args).count(), MAX_FRAMES / 2);
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.groups[0].frames.len(), MAX_FRAMES + 1);
    assert!(r.limits.iter().any(|l| l.limit == "frames" && l.message.contains("MAX_FRAMES")), "{:?}", r.limits);
}

#[test]
fn a_ten_megabyte_function_name_is_cut_in_rows() {
    // 13 KB of link: one name of 10 MB on every frame of a 1,024-frame stack asked for ~10 GB
    // of rows.
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let name = format!("main.{}", "x".repeat(10 << 20));
    let f = p.frame(&name, "main.go", 7);
    one_goroutine(&mut p, vec![f; MAX_FRAMES]);
    let link = link_of(p);
    assert!(link.len() < 20_000, "{}", link.len());
    let shared = from_fragment(&link, MAX_LINK_BYTES).expect("a valid model");
    let r = report(&shared.snapshots[0].decoded, &ReportOptions::default());
    assert!(r.groups[0].frames.iter().all(|f| f.func.len() <= MAX_ROW_STRING && f.func.ends_with('…')));
    assert!(r.leak_suspects.iter().all(|s| s.explanation.len() < 3 * MAX_ROW_STRING));
}

#[test]
fn a_link_whose_tables_repeat_entries_is_refused() {
    // 694 KB of link: millions of empty stacks asked for 6 GB while parsing.
    let link = link_of(Profile::goroutines(ProfileKind::Goroutine));
    let json = String::from_utf8(parkview::share::inflate_fragment(&link, MAX_LINK_BYTES).unwrap()).unwrap();
    let empty = format!("[{}[]]", "[],".repeat(1_000_000));
    let hostile = json.replacen("\"stacks\":[]", &format!("\"stacks\":{empty}"), 1);
    assert_ne!(hostile, json);
    let err = from_fragment(&fragment_of_json(&hostile), MAX_LINK_BYTES).unwrap_err();
    assert!(matches!(&err, ShareError::Payload(m) if m.contains("twice")), "{err}");
}

#[test]
fn a_link_of_a_million_warnings_is_refused() {
    // 88 KB of link rendered 1,000,000 list items.
    let link = link_of(Profile::goroutines(ProfileKind::Goroutine));
    let json = String::from_utf8(parkview::share::inflate_fragment(&link, MAX_LINK_BYTES).unwrap()).unwrap();
    let warnings = format!("[{}{{\"line\":1,\"message\":\"x\"}}]", "{\"line\":1,\"message\":\"x\"},".repeat(1_000_000));
    let hostile = json.replacen("\"warnings\":[]", &format!("\"warnings\":{warnings}"), 1);
    let err = from_fragment(&fragment_of_json(&hostile), MAX_LINK_BYTES).unwrap_err();
    assert!(matches!(&err, ShareError::Payload(m) if m.contains("more than 200 entries")), "{err}");
}

fn fragment_of_json(json: &str) -> String {
    use base64::Engine as _;
    use std::io::Read;
    let mut deflated = Vec::new();
    flate2::read::DeflateEncoder::new(json.as_bytes(), Compression::best()).read_to_end(&mut deflated).unwrap();
    format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated))
}

#[test]
fn debug1_records_are_read_under_their_own_header() {
    // `cat service.s1.goroutine.debug1.txt service.heap.debug1.txt | parkview report -` panicked:
    // goroutine records were converted as heap records.
    let d = decode(b"goroutine profile: total 1\n1 @ 0x1\nheap profile: 1: 1 [1: 1] @ heap/1024\n1: 1 [1: 1] @ 0x2\n", &Options::default()).unwrap();
    assert_eq!(d.profile.goroutine_count(), Some(1));
    assert!(d.warnings.iter().any(|w| w.line == 3 && w.message.contains("a heap profile after the goroutine profile")), "{:?}", d.warnings);
    assert_eq!(d.skipped, 2);
    let mut both = fixture("go1.27/service.s1.goroutine.debug1.txt");
    both.extend(fixture("go1.27/service.heap.debug1.txt"));
    let d = decode(&both, &Options::default()).unwrap();
    let alone = decode(&fixture("go1.27/service.s1.goroutine.debug1.txt"), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutine_count(), alone.profile.goroutine_count());
    // The other order reads the heap profile and skips the goroutine records.
    let mut both = fixture("go1.27/service.heap.debug1.txt");
    both.extend(fixture("go1.27/service.s1.goroutine.debug1.txt"));
    let d = decode(&both, &Options::default()).unwrap();
    assert_eq!(d.profile.kind, ProfileKind::Heap);
}

#[test]
fn a_protobuf_field_in_the_wrong_wire_type_is_an_error() {
    // 130 bytes: 64 valid fields (enough for detection), then field 11 sent as a varint reached
    // an unchecked slice.
    let mut bytes = [0x38u8, 0x01].repeat(64);
    bytes.extend_from_slice(&[0x58, 0x01]);
    assert_eq!(bytes.len(), 130);
    let err = decode(&bytes, &Options::default()).unwrap_err();
    let DecodeError::Protobuf { offset, field, .. } = &err else { panic!("{err}") };
    assert_eq!((*offset, field.as_str()), (129, "Profile.period_type (field 11)"), "{err}");
}

fn proto(p: &PbProfile) -> Vec<u8> {
    gzip(&p.encode_to_vec())
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_deep_location_named_many_times_costs_its_ends() {
    // 597 bytes of .pb.gz: one location of 50,000 lines, named 50,000 times by one sample,
    // asked for 6.5 GB.
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings(&["", "goroutine", "count", "main.f", "main.go"]),
        function: vec![PbFunction { id: 1, name: 3, system_name: 3, filename: 4, start_line: 1 }],
        location: vec![PbLocation { id: 1, line: vec![PbLine { function_id: 1, line: 9, column: 0 }; 50_000], ..Default::default() }],
        sample: vec![PbSample { location_id: vec![1; 50_000], value: vec![1], label: Vec::new() }],
        ..Default::default()
    };
    let bytes = proto(&p);
    assert!(bytes.len() < 2000, "{}", bytes.len());
    let d = decode(&bytes, &Options::default()).unwrap();
    let stack = d.profile.stack(d.profile.samples[0].stack);
    assert_eq!(stack.len(), MAX_FRAMES + 1);
    assert!(has_limit(&d, |h| matches!(h, LimitHit::Frames { .. })));
    let _ = report(&d, &ReportOptions::default());
}

#[test]
fn empty_samples_past_the_limit_are_counted_not_kept() {
    // 97 KB of .pb.gz: millions of empty samples asked for 4.8 GB.
    let mut bytes =
        PbProfile { sample_type: vec![PbValueType { r#type: 1, unit: 2 }], string_table: strings(&["", "goroutine", "count"]), ..Default::default() }
            .encode_to_vec();
    bytes.extend([0x12, 0x00].repeat(MAX_GOROUTINES + 1000));
    let d = decode(&gzip(&bytes), &Options::default()).unwrap();
    assert_eq!(d.profile.samples.len(), MAX_GOROUTINES);
    assert!(has_limit(&d, |h| matches!(h, LimitHit::Goroutines { skipped: 1000, .. })), "{:?}", d.limits);
}

#[test]
fn a_whole_format_past_its_limit_is_an_error() {
    // Protobuf and debug=1 text are read whole: past MAX_WHOLE_BYTES they are refused.
    let mut text = b"goroutine profile: total 1\n".to_vec();
    text.extend(b"1 @ 0x1\n".repeat((parkview::limits::MAX_WHOLE_BYTES as usize) / 8 + 1));
    let err = decode(&gzip(&text), &Options::default()).unwrap_err();
    assert_eq!(err, DecodeError::WholeTooLarge { format: "goroutine-debug1" });
    assert!(err.to_string().contains("MAX_WHOLE_BYTES"));
}

#[test]
fn sums_saturate_instead_of_wrapping() {
    let text = format!("goroutine profile: total 1\n{} @ 0x1\n\n{} @ 0x2\n", i64::MAX, i64::MAX);
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutine_count(), Some(i64::MAX));
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.totals["goroutine/count"], i64::MAX);
    let empty = decode(b"goroutine profile: total 0\n", &Options::default()).unwrap();
    let back = diff(&empty.profile, &d.profile, &default_key());
    assert!(back.rows.iter().all(|r| r.delta == i64::MAX));
    let s = series(&[&d.profile, &empty.profile], &default_key());
    assert!(s.rows.iter().all(|r| r.delta == -i64::MAX));
}

#[test]
fn a_line_without_end_is_read_up_to_the_line_limit() {
    let mut text = b"goroutine 1 [running]:\nmain.main(".to_vec();
    text.extend(std::iter::repeat_n(b'0', 3 << 20));
    let d = decode(&text, &Options::default()).unwrap();
    assert!(has_limit(&d, |h| matches!(h, LimitHit::LineBytes { lines: 1 })), "{:?}", d.limits);
    assert_eq!(d.profile.goroutine_count(), Some(1));
}

#[test]
fn a_redacted_share_of_hostile_names_still_reads() {
    // Redaction rebuilds the model: it must keep every limit the original kept.
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let frames = (0..MAX_FRAMES as u32).map(|i| p.frame(&format!("main.f{i}"), "/src/main.go", i)).collect();
    one_goroutine(&mut p, frames);
    let d = Decoded { format: Format::GoroutineDebug2, gzipped: false, profile: p, warnings: Vec::new(), skipped: 0, limits: Vec::new(), wrapper: None };
    let snapshots = parkview::share::redact(&[("a", &d)], &Redaction::all());
    let link = to_fragment(&Shared { view: String::new(), snapshots }).expect("a link");
    assert!(from_fragment(&link, MAX_LINK_BYTES).is_ok());
}

// Found by an adversarial review of the limits (each was minutes, gigabytes, a leak or a
// wrong number on a small input).

/// A profile with one string-table entry named from every location or label: the entry is
/// interned once, so a long one costs its length once, not once per name.
#[test]
fn a_long_string_named_from_everywhere_is_read_once() {
    let name = format!("main.{}", "x".repeat(1 << 20));
    let locations: Vec<PbLocation> =
        (1..=2000u64).map(|id| PbLocation { id, line: vec![PbLine { function_id: 1, line: id as i64, column: 0 }], ..Default::default() }).collect();
    let samples: Vec<PbSample> =
        (1..=2000u64).map(|id| PbSample { location_id: vec![id], value: vec![1], label: vec![PbLabel { key: 5, str: 3, num: 0, num_unit: 0 }] }).collect();
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: vec!["".into(), "goroutine".into(), "count".into(), name.clone(), "main.go".into(), "k".into()],
        function: vec![PbFunction { id: 1, name: 3, system_name: 3, filename: 4, start_line: 1 }],
        location: locations,
        sample: samples,
        ..Default::default()
    };
    let d = decode(&proto(&p), &Options::default()).unwrap();
    assert_eq!(d.profile.samples.len(), 2000);
    // Groups tie on count and sort by that long leaf name, which is ranked once.
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.goroutines, Some(2000));
    assert!(r.groups.iter().all(|g| g.frames[0].func.len() <= MAX_ROW_STRING));
}

#[test]
fn distinct_deep_stacks_past_the_frame_budget_keep_their_leaf() {
    // Each sample: its own one-line location, then a shared 1,023-line location: 1,024 frames
    // for a few bytes of input each.
    let n = parkview::limits::MAX_STACK_FRAMES / 1024 + 100;
    let mut location = vec![PbLocation { id: 1, line: vec![PbLine { function_id: 1, line: 1, column: 0 }; 1023], ..Default::default() }];
    location.extend((2..n as u64 + 2).map(|id| PbLocation { id, line: vec![PbLine { function_id: 2, line: id as i64, column: 0 }], ..Default::default() }));
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings(&["", "goroutine", "count", "main.deep", "main.leaf", "main.go"]),
        function: vec![
            PbFunction { id: 1, name: 3, system_name: 3, filename: 5, start_line: 1 },
            PbFunction { id: 2, name: 4, system_name: 4, filename: 5, start_line: 1 },
        ],
        location,
        sample: (2..n as u64 + 2).map(|id| PbSample { location_id: vec![id, 1], value: vec![1], label: Vec::new() }).collect(),
        ..Default::default()
    };
    let d = decode(&proto(&p), &Options::default()).unwrap();
    assert_eq!(d.profile.samples.len(), n);
    assert!(has_limit(&d, |h| matches!(h, LimitHit::StackFrames { stacks } if *stacks >= 100)), "{:?}", d.limits);
    let frames: usize = d.profile.stacks.iter().map(Vec::len).sum();
    assert!(frames <= parkview::limits::MAX_STACK_FRAMES + 2 * n, "{frames}");
    let last = d.profile.stack(d.profile.samples[n - 1].stack);
    assert_eq!(d.profile.func_name(last[1]), parkview::model::STACK_NOT_KEPT);
}

#[test]
fn a_link_whose_goroutines_share_arguments_is_refused() {
    // Every goroutine naming the same long argument made grouping and redaction quadratic.
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let f = p.frame("sync.(*Mutex).Lock", "mutex.go", 1);
    one_goroutine(&mut p, vec![f]);
    one_goroutine(&mut p, vec![f]);
    p.args.push(&[b'0'; 1000]);
    p.goroutines[0].args = parkview::model::ArgList { first: 0, count: 1 };
    p.goroutines[1].args = parkview::model::ArgList { first: 0, count: 1 };
    let err = from_fragment(&link_of(p), MAX_LINK_BYTES).unwrap_err();
    assert!(matches!(&err, ShareError::Payload(m) if m.contains("names arguments another goroutine names")), "{err}");
}

#[test]
fn rows_keep_their_budget_whatever_the_label_values() {
    // 64 labels of 4 KB on each of 400 goroutines: 100 MB of label text in rows unless cut.
    let values: Vec<String> = (0..400).map(|i| format!("{i:04}{}", "v".repeat(4090))).collect();
    let mut strings = vec!["".to_string(), "goroutine".into(), "count".into(), "main.f".into(), "main.go".into()];
    strings.extend((0..64).map(|k| format!("k{k}")));
    strings.extend(values);
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings,
        function: vec![PbFunction { id: 1, name: 3, system_name: 3, filename: 4, start_line: 1 }],
        location: vec![PbLocation { id: 1, line: vec![PbLine { function_id: 1, line: 1, column: 0 }], ..Default::default() }],
        sample: (0..400i64)
            .map(|i| PbSample {
                location_id: vec![1],
                value: vec![1],
                label: (0..64i64).map(|k| PbLabel { key: 5 + k, str: 69 + (i + k) % 400, num: 0, num_unit: 0 }).collect(),
            })
            .collect(),
        ..Default::default()
    };
    let d = decode(&proto(&p), &Options::default()).unwrap();
    let r = report(&d, &ReportOptions::default());
    assert!(r.groups.len() < 400, "{} groups listed", r.groups.len());
    assert!(r.limits.iter().any(|l| l.limit == "rows" && l.message.contains("groups")), "{:?}", r.limits);
    let json = serde_json::to_vec(&r).unwrap();
    assert!(json.len() < parkview::limits::MAX_ROW_BYTES + (8 << 20), "{} bytes of report", json.len());
}

#[test]
fn a_traceback_after_megabytes_of_log_is_a_traceback() {
    // Log lines that start with a digit once walked as 64 good protobuf fields.
    let mut text = "2024-01-01T00:00:00Z INFO request 1 served in 3ms\n".repeat(60_000);
    text += "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:7 +0x1\n";
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!((d.format, d.profile.goroutine_count()), (Format::Traceback, Some(1)));
}

#[test]
fn negative_goroutine_counts_are_skipped_and_sums_do_not_depend_on_order() {
    let text = format!("goroutine profile: total 3\n{max} @ 0x1\n\n{max} @ 0x2\n\n-{max} @ 0x3\n\n-5 @ 0x4\n", max = i64::MAX);
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutine_count(), Some(i64::MAX));
    assert_eq!(d.warnings.iter().filter(|w| w.message.contains("negative count")).count(), 2);
    assert_eq!(parkview::limits::sum([i64::MAX, i64::MAX, -i64::MAX]), i64::MAX);
    assert_eq!(parkview::limits::sum([i64::MAX, -i64::MAX, i64::MAX]), i64::MAX);
}

// Found by a second adversarial review.

#[test]
fn wait_states_are_inferred_once_per_stack() {
    // 1,024 runtime frames inference looks through, named by every sample.
    let strings: Vec<String> =
        ["", "goroutine", "count", "x.go"].iter().map(|s| s.to_string()).chain((0..1024).map(|i| format!("runtime.lookthrough{i}"))).collect();
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings,
        function: (0..1024u64).map(|i| PbFunction { id: i + 1, name: 4 + i as i64, system_name: 0, filename: 3, start_line: 0 }).collect(),
        location: vec![PbLocation { id: 1, line: (0..1024u64).map(|i| PbLine { function_id: i + 1, line: 1, column: 0 }).collect(), ..Default::default() }],
        sample: (0..20_000).map(|_| PbSample { location_id: vec![1], value: vec![1], label: Vec::new() }).collect(),
        ..Default::default()
    };
    let d = decode(&proto(&p), &Options::default()).unwrap();
    let r = report(&d, &ReportOptions::default());
    assert_eq!((r.goroutines, r.groups.len()), (Some(20_000), 1));
}

#[test]
fn a_link_whose_samples_share_a_goroutine_is_refused() {
    // One goroutine counted as many: wrong totals, and its arguments grouped once per sample.
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let f = p.frame("main.f", "main.go", 1);
    one_goroutine(&mut p, vec![f]);
    let again = p.samples[0].clone();
    p.samples.push(again);
    let err = from_fragment(&link_of(p), MAX_LINK_BYTES).unwrap_err();
    assert!(matches!(&err, ShareError::Payload(m) if m.contains("two samples name the same goroutine")), "{err}");
}

#[test]
fn a_link_too_large_to_read_back_is_not_made() {
    let mut p = Profile::goroutines(ProfileKind::Goroutine);
    let f = p.frame(&format!("main.{}", "x".repeat(MAX_LINK_BYTES as usize)), "main.go", 1);
    one_goroutine(&mut p, vec![f]);
    let decoded = Decoded { format: Format::GoroutineDebug2, gzipped: false, profile: p, warnings: Vec::new(), skipped: 0, limits: Vec::new(), wrapper: None };
    let err = to_fragment(&Shared { view: String::new(), snapshots: vec![SharedSnapshot { name: "big".into(), decoded }] }).unwrap_err();
    assert!(matches!(err, ShareError::WouldBeTooLarge(n) if n > MAX_LINK_BYTES), "{err}");
    assert!(err.to_string().contains("MAX_LINK_BYTES"));
}

#[test]
fn diffs_by_label_number_each_label_set_once() {
    // Every sample its own label set of 64 labels, 63 of them one 4,000-byte value.
    let big = "v".repeat(4000);
    let mut strings = vec!["".to_string(), "goroutine".into(), "count".into(), "main.f".into(), "main.go".into(), big];
    strings.extend((0..64).map(|k| format!("k{k}")));
    strings.extend((0..2000).map(|i| format!("id{i}")));
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings,
        function: vec![PbFunction { id: 1, name: 3, system_name: 3, filename: 4, start_line: 1 }],
        location: vec![PbLocation { id: 1, line: vec![PbLine { function_id: 1, line: 1, column: 0 }], ..Default::default() }],
        sample: (0..2000i64)
            .map(|i| PbSample {
                location_id: vec![1],
                value: vec![1],
                label: (0..64i64).map(|k| PbLabel { key: 6 + k, str: if k == 63 { 70 + i } else { 5 }, num: 0, num_unit: 0 }).collect(),
            })
            .collect(),
        ..Default::default()
    };
    let d = decode(&proto(&p), &Options::default()).unwrap();
    let by = parkview::group::GroupBy { labels: parkview::group::LabelKey::All, ..default_key() };
    let back = diff(&d.profile, &d.profile, &by);
    assert!(back.rows.iter().all(|r| r.delta == 0 && r.base == 1));
    // Each row holds 256 KB of labels: the row budget lists about 256 of the 2,000.
    assert!(back.limits.iter().any(|l| l.message.contains("of 2000 diff rows")), "{:?}", back.limits);
}
