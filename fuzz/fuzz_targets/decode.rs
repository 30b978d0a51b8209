//! Feeds arbitrary bytes to format detection and every decoder: `parkview::decode` of the whole
//! input, and the same bytes fed to `parkview::Stream` in pieces cut at positions taken from
//! the input's first bytes (up to eight cuts, two bytes each, so a cut can land anywhere in a
//! 64 KiB input). Asserts that nothing panics, that both ways give the same result (format,
//! gzipped, skipped lines, warnings, limits hit, truncation, crash record, goroutine count,
//! number of samples and goroutines; or the same error), and builds the report of a success.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parkview::report::{report, ReportOptions};
use parkview::{decode, DecodeError, Decoded, Options, Stream};

/// Up to eight cut positions from the first sixteen bytes, in order.
fn cuts(data: &[u8]) -> Vec<usize> {
    let mut cuts: Vec<usize> = data.chunks_exact(2).take(8).map(|c| u16::from_le_bytes([c[0], c[1]]) as usize % (data.len() + 1)).collect();
    cuts.sort_unstable();
    cuts
}

/// The input fed to a stream in the pieces `cuts` makes; the first error ends it.
fn in_pieces(data: &[u8], cuts: &[usize]) -> Result<Decoded, DecodeError> {
    let mut stream = Stream::new(&Options::default());
    let mut at = 0;
    for &cut in cuts {
        stream.feed(&data[at..cut])?;
        at = cut;
    }
    stream.feed(&data[at..])?;
    stream.finish()
}

/// What both ways of decoding must agree on.
fn summary(d: &Decoded) -> impl PartialEq + std::fmt::Debug + '_ {
    let p = &d.profile;
    (d.format, d.gzipped, d.skipped, &d.warnings, &d.limits, p.truncated, &p.crash, p.goroutine_count(), p.samples.len(), p.goroutines.len())
}

fuzz_target!(|data: &[u8]| {
    let whole = decode(data, &Options::default());
    let pieces = in_pieces(data, &cuts(data));
    match (&whole, &pieces) {
        (Ok(w), Ok(p)) => assert_eq!(summary(w), summary(p), "the whole input and its pieces decode differently"),
        (Err(w), Err(p)) => assert_eq!(w, p, "the whole input and its pieces fail differently"),
        (w, p) => panic!("the whole input gives {:?}, its pieces {:?}", w.as_ref().map(|d| d.format), p.as_ref().map(|d| d.format)),
    }
    if let Ok(decoded) = &whole {
        let _ = report(decoded, &ReportOptions::default());
    }
});
