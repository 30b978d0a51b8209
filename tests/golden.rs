//! Golden files: every fixture decodes to a checked-in canonical dump of the model
//! (tests/snapshots/; update with `INSTA_UPDATE=always cargo test` and review the diff).

mod common;

use common::{canonical, fixtures};
use parkview::{decode, Options};

#[test]
fn every_fixture_decodes_to_its_golden_dump() {
    let mut files = Vec::new();
    for dir in ["go1.27", "go1.26", "crash", "wild", "bad"] {
        for entry in std::fs::read_dir(fixtures().join(dir)).expect("fixture folder") {
            files.push(entry.expect("entry").path());
        }
    }
    files.sort();
    assert!(files.len() > 30, "the fixtures are missing");
    for path in files {
        let name = format!("{}__{}", path.parent().unwrap().file_name().unwrap().to_string_lossy(), path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).expect("read");
        let text = match decode(&bytes, &Options::default()) {
            Ok(d) => canonical(&d),
            Err(e) => format!("error: {e}\n"),
        };
        insta::assert_snapshot!(name, text);
    }
}
