//! An input fed in pieces (a file read in slices, a gzip stream inflating) decodes exactly as
//! the whole input does: every fixture, cut at every size, plain and gzipped.

mod common;

use flate2::write::GzEncoder;
use flate2::Compression;
use parkview::{decode, DecodeError, Decoded, Options, Stream};
use proptest::prelude::*;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn in_pieces(bytes: &[u8], cuts: impl IntoIterator<Item = usize>) -> Result<Decoded, DecodeError> {
    let mut stream = Stream::new(&Options::default());
    let mut at = 0;
    for cut in cuts {
        let cut = cut.clamp(at, bytes.len());
        stream.feed(&bytes[at..cut])?;
        at = cut;
    }
    stream.feed(&bytes[at..])?;
    stream.finish()
}

fn every(size: usize, len: usize) -> impl Iterator<Item = usize> {
    (1..=len / size).map(move |i| i * size)
}

/// What a user reads of a decoded input: the same JSON for the same input (maps sorted).
fn seen(decoded: &Result<Decoded, DecodeError>) -> String {
    match decoded {
        Ok(d) => serde_json::to_value(d).unwrap().to_string(),
        Err(e) => format!("error: {e}"),
    }
}

fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    common::fixture_files().into_iter().map(|(name, path)| (name, std::fs::read(path).unwrap())).collect()
}

#[test]
fn every_fixture_in_pieces_decodes_as_the_whole() {
    for (name, bytes) in all_fixtures() {
        let whole = seen(&decode(&bytes, &Options::default()));
        let gzipped = gzip(&bytes);
        let whole_gzipped = seen(&decode(&gzipped, &Options::default()));
        for size in [1, 2, 3, 61, 4096, 65536] {
            if size < 61 && bytes.len() > 80_000 {
                continue;
            }
            assert!(seen(&in_pieces(&bytes, every(size, bytes.len()))) == whole, "{name} in pieces of {size}");
            assert!(seen(&in_pieces(&gzipped, every(size, gzipped.len()))) == whole_gzipped, "{name}, gzipped, in pieces of {size}");
        }
    }
}

#[test]
fn log_prefixes_are_found_after_a_long_log() {
    // A crash line, then 1.7 MB of log before the first goroutine: more than the head the
    // format is told from, so the stream must wait for the header to know lines are prefixed.
    let mut input = String::from("panic: boom\n");
    for i in 0..20_000 {
        input += &format!("2024-05-01T10:00:00.{i:06}Z level=info msg=\"request served\" path=/api/items/{i}\n");
    }
    input += "2024-05-01T10:00:01.000000Z goroutine 1 [running]:\n2024-05-01T10:00:01.000000Z main.main()\n";
    input += "2024-05-01T10:00:01.000000Z \t/src/main.go:5 +0x20\n";
    let bytes = input.as_bytes();
    assert!(bytes.len() > 1_500_000);
    let whole = decode(bytes, &Options::default()).unwrap();
    assert_eq!(whole.profile.goroutines.len(), 1);
    assert_eq!(whole.profile.stack(whole.profile.goroutines[0].stack).len(), 1);
    assert_eq!(whole.profile.crash.as_ref().map(|c| c.panic.clone()), Some(vec!["panic: boom".to_string()]));
    assert!(seen(&in_pieces(bytes, every(65536, bytes.len()))) == seen(&Ok(whole)));
}

proptest! {
    #[test]
    fn any_cuts_give_the_same_decoding(
        which in 0usize..64,
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        gzipped in any::<bool>(),
    ) {
        let fixtures = all_fixtures();
        let (name, bytes) = &fixtures[which % fixtures.len()];
        let bytes = if gzipped { gzip(bytes) } else { bytes.clone() };
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort();
        prop_assert!(seen(&in_pieces(&bytes, cuts.clone())) == seen(&decode(&bytes, &Options::default())), "{} cut at {:?}", name, cuts);
    }
}
