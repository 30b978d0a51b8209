//! A peer's own test suite: every fixture of DataDog/gostackparse (tests/fixtures/peer, copied
//! from ../shared/corpus/peer) decodes, goroutine by goroutine, to what that parser's golden
//! file says: state, wait, locked to thread, frames with file and line, elision, creator.
//! Where the golden lists errors (and drops goroutines), parkview keeps what it can and warns
//! on each line the peer names. The report's groups keep each member's creator.

mod common;

use parkview::group::Similarity;
use parkview::model::Profile;
use parkview::report::{report, ReportOptions};
use parkview::{decode, Decoded, Options};
use serde_json::Value;

fn frame_of(p: &Profile, id: u32) -> (String, String, u64) {
    let f = p.frames.get(id);
    (p.strings.get(f.func).to_string(), p.strings.get(f.file).to_string(), f.line as u64)
}

fn golden_frame(v: &Value) -> (String, String, u64) {
    (v["Func"].as_str().unwrap_or("").to_string(), v["File"].as_str().unwrap_or("").to_string(), v["Line"].as_u64().unwrap_or(0))
}

/// The line a golden error names: `invalid file:line ref on line 5: ""` gives 5.
fn error_line(error: &str) -> u32 {
    let after = error.split(" on line ").nth(1).unwrap_or_else(|| panic!("no line in {error:?}"));
    after.split(':').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("no line in {error:?}"))
}

/// Every goroutine the golden keeps, as the golden says it.
fn check_goroutines(name: &str, p: &Profile, want: &[Value]) {
    for g in want {
        let id = g["ID"].as_u64().unwrap();
        let got = p.goroutines.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("{name}: goroutine {id} is missing"));
        assert_eq!(p.strings.get(got.state), g["State"].as_str().unwrap(), "{name} goroutine {id}: state");
        let wait_minutes = g["Wait"].as_u64().unwrap_or(0) / 60_000_000_000;
        assert_eq!(got.wait_minutes.unwrap_or(0) as u64, wait_minutes, "{name} goroutine {id}: wait");
        assert_eq!(got.locked_to_thread, g["LockedToThread"].as_bool().unwrap_or(false), "{name} goroutine {id}: locked");
        let frames: Vec<_> = p.stack(got.stack).iter().map(|&f| frame_of(p, f)).collect();
        let want_frames: Vec<_> = g["Stack"].as_array().map(|s| s.iter().map(golden_frame).collect()).unwrap_or_default();
        assert_eq!(frames, want_frames, "{name} goroutine {id}: frames");
        assert_eq!(got.elision != parkview::model::Elision::None, g["FramesElided"].as_bool().unwrap_or(false), "{name} goroutine {id}: elided");
        let creator = got.created_by.map(|c| frame_of(p, c));
        let want_creator = g.get("CreatedBy").filter(|c| !c.is_null()).map(golden_frame);
        assert_eq!(creator, want_creator, "{name} goroutine {id}: creator");
    }
}

/// At every similarity, each group's creator is each member's (at functions, its function).
fn check_group_creators(name: &str, decoded: &Decoded) {
    let p = &decoded.profile;
    for similarity in [Similarity::Exact, Similarity::AnyPointer, Similarity::AnyValue, Similarity::Functions] {
        let options = ReportOptions { by: parkview::group::GroupBy::report(Some(similarity), None, None), ..Default::default() };
        for g in report(decoded, &options).groups {
            for id in g.ids.iter().flatten() {
                let member = p.goroutines.iter().find(|x| x.id == *id).unwrap();
                let creator = member.created_by.map(|c| frame_of(p, c));
                let shown = g.created_by.as_ref().map(|f| (f.func.clone(), f.file.clone(), f.line as u64));
                match (similarity, creator, shown) {
                    (Similarity::Functions, Some(c), Some(s)) if s.1.is_empty() => assert_eq!(c.0, s.0, "{name} {similarity:?} goroutine {id}"),
                    (_, c, s) => assert_eq!(c, s, "{name} {similarity:?} goroutine {id}: creator"),
                }
            }
        }
    }
}

#[test]
fn gostackparse_fixtures_decode_as_its_goldens_say() {
    let dir = common::fixtures().join("peer/gostackparse");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("peer folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let golden: Value = serde_json::from_str(&std::fs::read_to_string(path.with_extension("golden.json")).expect("golden")).expect("json");
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let want = golden["Goroutines"].as_array().cloned().unwrap_or_default();
        let errors: Vec<&str> = golden["Errors"].as_array().map(|e| e.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        checked.push(name.clone());
        let decoded = match decode(&std::fs::read(&path).expect("fixture"), &Options::default()) {
            Ok(d) => d,
            Err(e) => {
                assert!(want.is_empty() && errors.is_empty(), "{name}: {e}, but the golden holds {} goroutines", want.len());
                continue;
            }
        };
        let p = &decoded.profile;
        for error in &errors {
            let line = error_line(error);
            assert!(decoded.warnings.iter().any(|w| w.line == line), "{name}: the peer reports {error:?}; parkview warns {:?}", decoded.warnings);
        }
        check_goroutines(&name, p, &want);
        if errors.is_empty() {
            assert_eq!(p.goroutines.len(), want.len(), "{name}: goroutine count");
            assert!(decoded.warnings.is_empty(), "{name}: {:?}", decoded.warnings);
        }
        check_group_creators(&name, &decoded);
    }
    checked.sort();
    assert_eq!(checked.len(), 13, "{checked:?}");
}

#[test]
fn cut_blocks_keep_what_they_hold() {
    let d = common::decode_fixture("peer/gostackparse/partial_createdby.txt");
    let p = &d.profile;
    let creators: Vec<_> = p.goroutines.iter().map(|g| g.created_by.map(|c| frame_of(p, c))).collect();
    assert_eq!(creators, vec![Some(("main.main".into(), String::new(), 0)), Some(("main.foo".into(), String::new(), 0))]);
    let d = common::decode_fixture("peer/gostackparse/partial_stack.txt");
    assert!(d.profile.goroutines.iter().all(|g| d.profile.stack(g.stack).len() == 1));
    let d = common::decode_fixture("peer/gostackparse/empty_stack.txt");
    assert_eq!(d.profile.goroutines.len(), 2);
}

#[test]
fn one_stack_created_at_two_places_is_two_groups() {
    // waitsince: goroutines 1 and 20 share a stack; `main.main` created one and
    // `main.indirectShortSleepLoop2` the other.
    let d = common::decode_fixture("peer/gostackparse/waitsince.txt");
    let r = report(&d, &ReportOptions::default());
    let creators: Vec<String> = r.groups.iter().filter_map(|g| g.created_by.as_ref()).map(|c| c.func.clone()).collect();
    assert!(creators.contains(&"main.main".to_string()) && creators.contains(&"main.indirectShortSleepLoop2".to_string()), "{creators:?}");
}
