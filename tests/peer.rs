//! A peer's own test suite: every fixture of DataDog/gostackparse (../shared/corpus/peer)
//! decodes, goroutine by goroutine, to what that parser's golden file says: state, wait,
//! locked to thread, frames with file and line, creator. Where the golden lists errors (and
//! drops goroutines), parkview keeps at least the goroutines it kept, and warns.

mod common;

use parkview::model::Profile;
use parkview::{decode, Options};
use serde_json::Value;

fn frame_of(p: &Profile, id: u32) -> (String, String, u64) {
    let f = p.frames.get(id);
    (p.strings.get(f.func).to_string(), p.strings.get(f.file).to_string(), f.line as u64)
}

fn golden_frame(v: &Value) -> (String, String, u64) {
    (v["Func"].as_str().unwrap_or("").to_string(), v["File"].as_str().unwrap_or("").to_string(), v["Line"].as_u64().unwrap_or(0))
}

#[test]
fn gostackparse_fixtures_decode_as_its_goldens_say() {
    let Some(corpus) = common::shared_corpus() else { return };
    let dir = corpus.join("peer/gostackparse");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("peer folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let golden_path = path.with_extension("golden.json");
        let golden: Value = serde_json::from_str(&std::fs::read_to_string(&golden_path).expect("golden")).expect("json");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).expect("fixture");
        let want = golden["Goroutines"].as_array().cloned().unwrap_or_default();
        let decoded = match decode(&bytes, &Options::default()) {
            Ok(d) => d,
            Err(e) => {
                assert!(want.is_empty(), "{name}: {e}, but the golden holds {} goroutines", want.len());
                checked += 1;
                continue;
            }
        };
        let p = &decoded.profile;
        let has_errors = golden["Errors"].as_array().is_some_and(|e| !e.is_empty());
        if has_errors {
            assert!(!decoded.warnings.is_empty() || p.truncated, "{name}: the golden lists errors; parkview must warn");
        }
        for g in &want {
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
        if !has_errors {
            assert_eq!(p.goroutines.len(), want.len(), "{name}: goroutine count");
        }
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} peer fixtures");
}
