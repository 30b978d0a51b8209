//! Golden files: every fixture decodes to a checked-in canonical dump of the model, and reports
//! to a checked-in report JSON, the contract the CLI prints and the page draws (tests/snapshots/;
//! update with `INSTA_UPDATE=always cargo test` and review the diff).

mod common;

use common::canonical;
use parkview::report::{report, ReportOptions};
use parkview::{decode, Options};
use std::path::PathBuf;

/// The fixtures that are inputs (a peer's expected outputs aside), by snapshot name.
fn inputs() -> Vec<(String, PathBuf)> {
    let files: Vec<(String, PathBuf)> =
        common::fixture_files().into_iter().filter(|(name, _)| !name.ends_with(".golden.json")).map(|(name, path)| (name.replace('/', "__"), path)).collect();
    assert!(files.len() > 40, "the fixtures are missing");
    files
}

#[test]
fn every_fixture_decodes_to_its_golden_dump() {
    for (name, path) in inputs() {
        let text = match decode(&std::fs::read(&path).expect("read"), &Options::default()) {
            Ok(d) => canonical(&d),
            Err(e) => format!("error: {e}\n"),
        };
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_fixture_reports_to_its_golden_json() {
    for (name, path) in inputs() {
        let Ok(decoded) = decode(&std::fs::read(&path).expect("read"), &Options::default()) else { continue };
        let json = serde_json::to_string_pretty(&report(&decoded, &ReportOptions::default())).expect("JSON");
        insta::assert_snapshot!(format!("report__{name}"), json);
    }
}
