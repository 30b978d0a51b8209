//! The fragment codec: round trips, redaction that leaves no redacted value in the payload,
//! and malformed or hostile fragments that give one sentence, never a panic.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::decode_fixture;
use flate2::read::{DeflateDecoder, DeflateEncoder};
use flate2::Compression;
use parkview::limits::MAX_LINK_BYTES as MAX_INFLATED;
use parkview::report::{report, ReportOptions};
use parkview::share::{from_fragment, redact, to_fragment, Redaction, ShareError, Shared};
use std::io::Read;

fn share_of(files: &[&str], redaction: &Redaction) -> Shared {
    Shared {
        view: r#"{"view":"groups","search":"queryBackend"}"#.into(),
        snapshots: {
            let decoded: Vec<_> = files.iter().map(|f| decode_fixture(f)).collect();
            let named: Vec<(&str, &parkview::Decoded)> = files.iter().copied().zip(&decoded).collect();
            redact(&named, redaction)
        },
    }
}

fn payload_text(fragment: &str) -> String {
    let deflated = URL_SAFE_NO_PAD.decode(fragment.strip_prefix("v1.").unwrap()).unwrap();
    let mut json = String::new();
    DeflateDecoder::new(&deflated[..]).read_to_string(&mut json).unwrap();
    json
}

#[test]
fn a_link_round_trips_to_the_same_report() {
    let files = ["go1.27/service.s1.goroutine.debug2.txt", "go1.27/service.s3.goroutine.pb.gz", "crash/nil-deref.txt", "go1.27/service.heap.pb.gz"];
    let shared = share_of(&files, &Redaction::default());
    let fragment = to_fragment(&shared).expect("a link");
    let back = from_fragment(&format!("#{fragment}"), MAX_INFLATED).expect("reads back");
    assert_eq!(back.view, shared.view);
    for (a, b) in shared.snapshots.iter().zip(&back.snapshots) {
        assert_eq!(a.name, b.name);
        assert_eq!(report(&a.decoded, &ReportOptions::default()), report(&b.decoded, &ReportOptions::default()), "{}", a.name);
    }
    // A share file holds the same text after its header line.
    let file = format!("{}{fragment}\n", parkview::share::SHARE_FILE_HEADER);
    assert_eq!(from_fragment(&file, MAX_INFLATED).unwrap().snapshots.len(), 4);
}

#[test]
fn redaction_removes_every_redacted_value_from_the_payload() {
    let files = ["go1.27/service.s3.goroutine.debug2.txt", "crash/nil-deref.txt"];
    let all = Redaction { snapshot_names: false, ..Redaction::all() };
    let json = payload_text(&to_fragment(&share_of(&files, &all)).expect("a link"));
    for secret in ["0x20d8bc1a7590", "/src/corpusgen/internal", "globex corp", "GET /api/search", "/usr/local/go/src", "nil pointer dereference"] {
        assert!(!json.contains(secret), "{secret} is still in the payload");
    }
    // Ids are renumbered 1..N; groups still split the same way.
    let original = decode_fixture("go1.27/service.s3.goroutine.debug2.txt");
    let redacted = redact(&[("s3", &original)], &all).remove(0).decoded;
    let ids: Vec<u64> = redacted.profile.goroutines.iter().map(|g| g.id).collect();
    assert_eq!(ids, (1..=112).collect::<Vec<_>>());
    let counts = |d: &parkview::Decoded| report(d, &ReportOptions::default()).groups.iter().map(|g| g.count).collect::<Vec<_>>();
    assert_eq!(counts(&original), counts(&redacted));
    // Functions stay: they are what the link is for.
    assert!(json.contains("queryBackend"));
}

#[test]
fn malformed_and_hostile_fragments_fail_cleanly() {
    let fragment = to_fragment(&share_of(&["crash/deadlock.txt"], &Redaction::default())).expect("a link");
    for cut in (4..fragment.len()).step_by(fragment.len() / 40 + 1) {
        let err = from_fragment(&fragment[..cut], MAX_INFLATED);
        assert!(err.is_err(), "a link cut at {cut} must not read");
        assert!(!err.unwrap_err().to_string().contains('\n'));
    }
    assert_eq!(from_fragment("#", MAX_INFLATED).unwrap_err(), ShareError::NotAShare);
    assert!(matches!(from_fragment(&fragment, 100), Err(ShareError::TooLarge(100))));
    // Valid JSON whose ids point nowhere.
    let mut json = payload_text(&fragment);
    json = json.replacen("\"stack\":0", "\"stack\":99999", 1);
    let mut deflated = Vec::new();
    DeflateEncoder::new(json.as_bytes(), Compression::fast()).read_to_end(&mut deflated).unwrap();
    let hostile = format!("v1.{}", URL_SAFE_NO_PAD.encode(deflated));
    assert!(matches!(from_fragment(&hostile, MAX_INFLATED), Err(ShareError::Payload(_))));
}

#[test]
fn links_made_before_races_and_capture_times_were_kept_still_open() {
    let shared = share_of(&["go1.27/service.s1.goroutine.pb.gz"], &Redaction::default());
    let mut value = serde_json::to_value(&shared).unwrap();
    for snapshot in value["snapshots"].as_array_mut().unwrap() {
        let profile = snapshot["decoded"]["profile"].as_object_mut().unwrap();
        assert!(profile.remove("races").is_some() && profile.remove("time_nanos").is_some());
    }
    let old: Shared = serde_json::from_value(value).unwrap();
    let profile = &old.snapshots[0].decoded.profile;
    assert!(profile.races.is_empty());
    assert_eq!(profile.time_nanos, None);
    assert_eq!(profile.goroutine_count(), shared.snapshots[0].decoded.profile.goroutine_count());
}

/// A dump whose goroutines each hold one line that does not parse: `count` warnings.
fn dump_with_broken_lines(count: usize, first_id: usize) -> String {
    (0..count).map(|i| format!("goroutine {} [running]:\nmain.main)(\n\tmain.go:1 +0x1\n\n", first_id + i)).collect()
}

#[test]
fn warnings_added_after_the_decoder_keep_the_cap_and_the_link_reads_back() {
    let max = parkview::decode::MAX_WARNINGS;
    // Each kind of warning the stream adds once the decoder is done: several dumps in one
    // input, lines of other sources left out of a wrapped dump, a gzip stream that breaks.
    let two_dumps = format!("goroutine 1 [running]:\nmain.main()\n\tmain.go:1 +0x1\n\nsome log line\n{}", dump_with_broken_lines(max + 50, 1));
    let wrapped: String = dump_with_broken_lines(max + 50, 1)
        .lines()
        .enumerate()
        .flat_map(|(i, l)| {
            let mine = format!("2024-01-02T03:04:05.000000000Z stderr F {l}\n");
            let other = format!("2024-01-02T03:04:05.000000000Z stdout F request {i} served\n");
            [mine, other]
        })
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    std::io::Write::write_all(&mut gz, dump_with_broken_lines(max + 50, 1).as_bytes()).unwrap();
    let mut broken_gzip = gz.finish().unwrap();
    let len = broken_gzip.len();
    broken_gzip[len - 6] ^= 0xff;
    for (what, bytes) in [("two dumps", two_dumps.into_bytes()), ("wrapped", wrapped.into_bytes()), ("broken gzip", broken_gzip)] {
        let decoded = parkview::decode(&bytes, &parkview::Options::default()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(decoded.warnings.len(), max, "{what}");
        let shared = Shared { view: String::new(), snapshots: redact(&[("a", &decoded)], &Redaction::default()) };
        from_fragment(&to_fragment(&shared).unwrap(), MAX_INFLATED).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}
