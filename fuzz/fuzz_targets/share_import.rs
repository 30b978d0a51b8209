//! Feeds arbitrary bytes to the share-link reader: `parkview::share::from_fragment` of the input
//! as text (lossy UTF-8), and of `v1.` + base64url(raw deflate(input)), so that the input's
//! bytes reach the JSON parser and `Profile::check` as they are. Whatever a link reads back is
//! then analysed as a receiver would: the report of every snapshot, the diff of each snapshot
//! against the next and the series of all of them, and the flame graph of each. Asserts that
//! nothing panics (every bad link must be a `ShareError`).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use parkview::diff::{default_key, diff, series};
use parkview::flame::flame;
use parkview::group::GroupBy;
use parkview::limits::{RowBudget, MAX_LINK_BYTES};
use parkview::report::{report, ReportOptions};
use parkview::share::{from_fragment, Shared};
use std::io::Write;

fn analyse(shared: &Shared) {
    let profiles: Vec<_> = shared.snapshots.iter().map(|s| &s.decoded.profile).collect();
    for s in &shared.snapshots {
        let _ = report(&s.decoded, &ReportOptions::default());
        let _ = flame(&s.decoded.profile, 0, &mut RowBudget::default(), &mut Vec::new());
    }
    for pair in profiles.windows(2) {
        let _ = diff(pair[0], pair[1], &default_key());
        let _ = diff(pair[0], pair[1], &GroupBy::default());
        let _ = report(&shared.snapshots[0].decoded, &ReportOptions { base: Some((pair[0], "base".into())), ..Default::default() });
    }
    if !profiles.is_empty() {
        let _ = series(&profiles, &default_key());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(shared) = from_fragment(&String::from_utf8_lossy(data), MAX_LINK_BYTES) {
        analyse(&shared);
    }
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::fast());
    deflate.write_all(data).expect("deflating into memory");
    let fragment = format!("v1.{}", URL_SAFE_NO_PAD.encode(deflate.finish().expect("deflating into memory")));
    if let Ok(shared) = from_fragment(&fragment, MAX_LINK_BYTES) {
        analyse(&shared);
    }
});
