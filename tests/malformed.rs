//! Inputs the fuzzers found (fuzz/, `scripts/fuzz.sh`), minimised, in tests/fixtures/malformed/:
//! each is named `<target>-<kind>-<what>.<ext>`, and tests/fixtures/malformed/README.md says
//! what it is, the fault it found and the fix. One test per kind of fault runs every file of
//! that kind through the path that failed and asserts what the fix gives; a file of a kind no
//! test knows fails `every_file_has_a_kind_and_a_row`.

mod common;

use parkview::limits::MAX_LINK_BYTES;
use parkview::share::{from_fragment, redact, to_fragment, Redaction, Shared};
use parkview::{decode, DecodeError, Decoded, Options, Stream};

/// The kinds of fault, as file names give them, each with its test below.
const KINDS: &[&str] = &["divergence", "unreadable-link"];

fn folder() -> std::path::PathBuf {
    common::fixtures().join("malformed")
}

/// The files of the folder (without README.md), by name.
fn all_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder())
        .expect("tests/fixtures/malformed")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "README.md")
        .map(|name| {
            let bytes = std::fs::read(folder().join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// The kind a file name gives: the part after the target (`decode-divergence-gzip-offset.bin`
/// is of kind `divergence`).
fn kind_of(name: &str) -> Option<&'static str> {
    let rest = name.split_once('-')?.1;
    KINDS.iter().copied().find(|k| rest.strip_prefix(k).is_some_and(|r| r.starts_with(['-', '.'])))
}

/// The files of one kind. A kind without files yet is no failure: the test has nothing to run.
fn files(kind: &str) -> Vec<(String, Vec<u8>)> {
    all_files().into_iter().filter(|(name, _)| kind_of(name) == Some(kind)).collect()
}

#[test]
fn every_file_has_a_kind_and_a_row() {
    let readme = std::fs::read_to_string(folder().join("README.md")).expect("tests/fixtures/malformed/README.md");
    let files = all_files();
    if files.is_empty() {
        eprintln!("tests/fixtures/malformed holds only its README: nothing to run");
        return;
    }
    for (name, _) in files {
        assert!(kind_of(&name).is_some(), "{name}: no test knows its kind (the kinds: {KINDS:?})");
        assert!(readme.contains(&format!("`{name}`")), "{name}: tests/fixtures/malformed/README.md does not describe it");
    }
}

/// The input fed to a stream in pieces of `size` bytes.
fn in_pieces(bytes: &[u8], size: usize) -> Result<Decoded, DecodeError> {
    let mut stream = Stream::new(&Options::default());
    for piece in bytes.chunks(size) {
        stream.feed(piece)?;
    }
    stream.finish()
}

/// What a user reads of a decoding: the same JSON for the same result.
fn seen(decoded: &Result<Decoded, DecodeError>) -> String {
    match decoded {
        Ok(d) => serde_json::to_value(d).expect("serializes").to_string(),
        Err(e) => format!("error: {e:?}"),
    }
}

/// The whole input and the same input fed in pieces decoded differently. Each file must now
/// decode the same however it is cut; the gzip one is a broken stream whose error names the
/// same offset every way (it named 0 bytes whole and 2 in pieces: flate2's writer held back
/// the output of its last step).
#[test]
fn divergence() {
    for (name, bytes) in files("divergence") {
        let whole = decode(&bytes, &Options::default());
        for size in 1..=bytes.len().min(64) {
            assert_eq!(seen(&in_pieces(&bytes, size)), seen(&whole), "{name} in pieces of {size}");
        }
        if name.contains("-gzip-") {
            assert!(matches!(whole, Err(DecodeError::Gzip { .. })), "{name}: {whole:?}");
        }
        if name == "decode-divergence-gzip-offset.bin" {
            // Two bytes inflate before the fault, and the error says so every way.
            assert!(matches!(whole, Err(DecodeError::Gzip { offset: 2, .. })), "{name}: {whole:?}");
        }
    }
}

/// A link made of a decoded input did not read back: the dump held function names that are not
/// UTF-8 and differ only in their invalid bytes, so the string table held their one lossy text
/// twice, and a link's reader refuses a table with repeats. Each file must now decode to a
/// table without repeats, and its link, redacted or not, must read back.
#[test]
fn unreadable_link() {
    for (name, bytes) in files("unreadable-link") {
        let decoded = decode(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let strings: Vec<&str> = (0..decoded.profile.strings.len() as u32).map(|id| decoded.profile.strings.get(id)).collect();
        let distinct: std::collections::HashSet<&str> = strings.iter().copied().collect();
        assert_eq!(distinct.len(), strings.len(), "{name}: the string table repeats a text");
        for redaction in [Redaction::default(), Redaction::all()] {
            let link = to_fragment(&Shared { view: String::new(), snapshots: redact(&[(name.as_str(), &decoded)], &redaction) }).expect("a link");
            let back = from_fragment(&link, MAX_LINK_BYTES).unwrap_or_else(|e| panic!("{name}, {redaction:?}: {e}"));
            assert_eq!(back.snapshots[0].decoded.profile.goroutines.len(), decoded.profile.goroutines.len(), "{name}");
        }
    }
}
