//! Feeds arbitrary bytes to `parkview::decode` and, when they decode, to every analysis a front
//! end runs: the report at every similarity (`Similarity::ALL`), grouped by one label key and
//! with the profile as its own base, the diff and series of the profile against itself, the
//! parent chain of the first goroutine, and a share link of it (redacted with every switch on,
//! and not redacted) that must read back. Asserts that nothing panics, that a profile diffed
//! against itself has no change, and that every link made of a decoded input reads back (`Ok`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parkview::creators::parent_chain;
use parkview::diff::{default_key, diff, series};
use parkview::rows::Change;
use parkview::group::{GroupBy, LabelKey, Similarity};
use parkview::limits::MAX_LINK_BYTES;
use parkview::report::{report, ReportOptions};
use parkview::share::{from_fragment, redact, to_fragment, Redaction, Shared};
use parkview::{decode, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = decode(data, &Options::default()) else { return };
    let profile = &decoded.profile;
    for similarity in Similarity::ALL {
        let by = GroupBy { similarity, ..GroupBy::default() };
        let _ = report(&decoded, &ReportOptions { by, ..Default::default() });
    }
    let by_key = GroupBy { labels: LabelKey::Key("k".into()), ..GroupBy::default() };
    let _ = report(&decoded, &ReportOptions { by: by_key.clone(), ..Default::default() });
    let _ = report(&decoded, &ReportOptions { base: Some((profile, "base".into())), ..Default::default() });
    for by in [default_key(), GroupBy::default(), by_key] {
        let d = diff(profile, profile, &by);
        assert!(d.rows.iter().all(|r| r.change == Change::Same && r.delta == 0), "a profile diffed against itself changed");
        let _ = series(&[profile, profile], &by);
    }
    if let Some(g) = profile.goroutines.first() {
        let chain = parent_chain(profile, g.id);
        assert!(chain.len() <= profile.goroutines.len() + 1);
    }
    for redaction in [Redaction::all(), Redaction::default()] {
        let shared = Shared { view: String::new(), snapshots: redact(&[("a", &decoded)], &redaction) };
        let fragment = to_fragment(&shared).expect("a link");
        if let Err(e) = from_fragment(&fragment, MAX_LINK_BYTES) {
            panic!("a link of a decoded input does not read back ({redaction:?}): {e}");
        }
    }
});
