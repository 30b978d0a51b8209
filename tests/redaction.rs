//! A link shared with every redaction ticked carries none of what was redacted: a dump and a
//! proto that hold a distinct secret in every field the model keeps (and in the text the
//! decoders only warn about) are shared, and the inflated payload is searched for each secret.

use flate2::write::GzEncoder;
use flate2::Compression;
use parkview::decode::pprof::proto::{PbFunction, PbLabel, PbLine, PbLocation, PbProfile, PbSample, PbValueType};
use parkview::limits::MAX_LINK_BYTES;
use parkview::report::{report, ReportOptions};
use parkview::share::{from_fragment, inflate_fragment, redact, to_fragment, Redaction, Shared};
use parkview::{decode, Decoded, Options};
use prost::Message;
use std::io::Write;

/// Every secret, and where it is in the inputs below.
const SECRETS: &[(&str, &str)] = &[
    ("hunter2", "panic message"),
    ("SECRET_FATAL", "fatal error text"),
    ("0xdeadbeef1337", "signal line address"),
    ("918273645", "goroutine id"),
    ("918273600", "parent goroutine id"),
    ("918273500", "ancestor goroutine id"),
    ("5551212", "synctest bubble id"),
    ("48611", "header line number"),
    ("SECRET_UNKNOWN_PART", "unknown header part"),
    ("SECRET_LABEL", "string label value"),
    ("4242424242", "numeric-looking label value"),
    ("0xc0ffee123450", "argument"),
    ("SECRET_USER", "file path directory"),
    ("SECRET_SKIPPED", "skipped line text"),
    ("SECRET_NAME", "snapshot name"),
    ("7777123", "proto numeric label value"),
    ("SECRET_UNIT", "proto numeric label unit"),
    ("SECRET_PROTO_LABEL", "proto string label value"),
];

fn dump() -> String {
    let mut text = "panic: password=hunter2\n\
[recovered]\n\
\tpanic: again hunter2\n\
fatal error: dial postgres://admin:SECRET_FATAL@db:5432\n\
[signal SIGSEGV: segmentation violation code=0x1 addr=0xdeadbeef1337 pc=0x47d2a6]\n"
        .to_string();
    // The header of the goroutine lands on line 48611.
    text += &"log line\n".repeat(48_605);
    text += "goroutine 918273645 gp=0xc000001 m=nil [chan receive, 5 minutes, synctest bubble 5551212, SECRET_UNKNOWN_PART] {tenant: \"SECRET_LABEL\", n: \"4242424242\"}:\n\
main.worker(0xc0ffee123450, 0x2)\n\
\t/home/SECRET_USER/src/app/worker.go:42 +0x1c\n\
this line is SECRET_SKIPPED\n\
created by main.start in goroutine 918273600\n\
\t/home/SECRET_USER/src/app/start.go:7 +0x1\n\
[originating from goroutine 918273500]:\n\
main.origin(...)\n\
\t/home/SECRET_USER/src/app/origin.go:3 +0x1\n";
    text
}

fn proto() -> Vec<u8> {
    let strings = ["", "goroutine", "count", "main.f", "/home/SECRET_USER/f.go", "tenant", "SECRET_PROTO_LABEL", "bytes_in_flight", "SECRET_UNIT"];
    let p = PbProfile {
        sample_type: vec![PbValueType { r#type: 1, unit: 2 }],
        string_table: strings.iter().map(|s| s.to_string()).collect(),
        function: vec![PbFunction { id: 1, name: 3, system_name: 3, filename: 4, start_line: 1 }],
        location: vec![PbLocation { id: 1, line: vec![PbLine { function_id: 1, line: 9, column: 0 }], ..Default::default() }],
        sample: vec![PbSample {
            location_id: vec![1],
            value: vec![3],
            label: vec![PbLabel { key: 5, str: 6, num: 0, num_unit: 0 }, PbLabel { key: 7, str: 0, num: 7777123, num_unit: 8 }],
        }],
        ..Default::default()
    };
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(&p.encode_to_vec()).unwrap();
    e.finish().unwrap()
}

fn inputs() -> Vec<(&'static str, Decoded)> {
    let d = decode(dump().as_bytes(), &Options::default()).unwrap();
    let p = decode(&proto(), &Options::default()).unwrap();
    vec![("SECRET_NAME.txt", d), ("SECRET_NAME.pb.gz", p)]
}

fn payload(redaction: &Redaction) -> String {
    let inputs = inputs();
    let named: Vec<(&str, &Decoded)> = inputs.iter().map(|(n, d)| (*n, d)).collect();
    let fragment = to_fragment(&Shared { view: String::new(), snapshots: redact(&named, redaction) }).expect("a link");
    String::from_utf8(inflate_fragment(&fragment, MAX_LINK_BYTES).unwrap()).unwrap()
}

#[test]
fn every_secret_is_in_the_unredacted_payload() {
    // The test means something only if each secret reached the model in the first place
    // (skipped lines and unknown header parts reach it as warnings).
    let json = payload(&Redaction::default());
    for (secret, field) in SECRETS {
        assert!(json.contains(secret), "{field} ({secret}) never reached the payload");
    }
}

#[test]
fn with_every_box_ticked_no_secret_travels() {
    let json = payload(&Redaction::all());
    for (secret, field) in SECRETS {
        assert!(!json.contains(secret), "the {field} ({secret}) travels in a fully redacted link");
    }
}

#[test]
fn redacted_snapshots_still_group_compare_and_explain() {
    let inputs = inputs();
    let named: Vec<(&str, &Decoded)> = inputs.iter().map(|(n, d)| (*n, d)).collect();
    let shared = redact(&named, &Redaction::all());
    assert_eq!(shared[0].name, "snapshot 1");
    let g = &shared[0].decoded.profile.goroutines[0];
    assert_eq!((g.id, g.parent, g.ancestors[0].id, g.synctest_bubble, g.line), (1, Some(2), 3, Some(1), 0));
    let crash = shared[0].decoded.profile.crash.as_ref().unwrap();
    assert_eq!(crash.signal.as_deref(), Some("[signal SIGSEGV: segmentation violation]"));
    assert_eq!(crash.fatal_error.as_deref(), Some("[redacted]"));
    let labels = &report(&shared[0].decoded, &ReportOptions::default()).groups[0].labels;
    assert_eq!(labels.get("tenant").map(String::as_str), Some("tenant#1"));
    let proto_labels = &report(&shared[1].decoded, &ReportOptions::default()).labels;
    assert_eq!(proto_labels["bytes_in_flight"].keys().collect::<Vec<_>>(), ["bytes_in_flight#1"]);
    // The runtime's own fatal texts are not user data and stay.
    let deadlock =
        decode(b"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/x.go:1 +0x1\n", &Options::default())
            .unwrap();
    let kept = redact(&[("d", &deadlock)], &Redaction::all());
    assert_eq!(kept[0].decoded.profile.crash.as_ref().unwrap().fatal_error.as_deref(), Some("all goroutines are asleep - deadlock!"));
    // And the link reads back.
    let fragment = to_fragment(&Shared { view: String::new(), snapshots: shared }).expect("a link");
    assert_eq!(from_fragment(&fragment, MAX_LINK_BYTES).unwrap().snapshots.len(), 2);
}

#[test]
fn pseudonyms_and_ids_agree_across_the_snapshots_of_a_share() {
    let s1 = decode(
        b"goroutine 7 [select] {tenant: acme}:\nmain.a()\n\t/x.go:1 +0x1\n\ngoroutine 9 [select] {tenant: globex}:\nmain.a()\n\t/x.go:1 +0x1\n",
        &Options::default(),
    )
    .unwrap();
    let s2 = decode(
        b"goroutine 9 [select] {tenant: globex}:\nmain.a()\n\t/x.go:1 +0x1\n\ngoroutine 11 [select] {tenant: initech}:\nmain.a()\n\t/x.go:1 +0x1\n",
        &Options::default(),
    )
    .unwrap();
    let shared = redact(&[("a", &s1), ("b", &s2)], &Redaction::all());
    let ids = |i: usize| shared[i].decoded.profile.goroutines.iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!((ids(0), ids(1)), (vec![1, 2], vec![2, 3]));
    let tenants = |i: usize| report(&shared[i].decoded, &ReportOptions::default()).labels["tenant"].keys().cloned().collect::<Vec<_>>();
    assert_eq!((tenants(0), tenants(1)), (vec!["tenant#1".to_string(), "tenant#2".into()], vec!["tenant#2".to_string(), "tenant#3".into()]));
    // The goroutine blocked through both snapshots is still one goroutine in the diff.
    let d = parkview::diff::diff(&shared[0].decoded.profile, &shared[1].decoded.profile, &parkview::diff::default_key());
    assert_eq!(d.rows[0].persisted, Some(1));
}
