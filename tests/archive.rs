//! Support bundles (tests/fixtures/bundle): every member of a zip or a tar.gz decoded by its
//! content; what is no profile listed with what it looks like; a bomb refused in one sentence.

mod common;

use common::fixture;
use parkview::archive::{read, sniff, ArchiveError, Kind};
use parkview::Options;

fn members(rel: &str) -> Vec<(String, Result<Option<i64>, String>)> {
    let bytes = fixture(rel);
    let kind = sniff(&bytes).unwrap_or_else(|| panic!("{rel}: not an archive"));
    read(kind, &bytes, &Options::default())
        .unwrap()
        .into_iter()
        .map(|m| (m.name, m.outcome.map(|dumps| dumps[0].profile.goroutine_count()).map_err(|e| e.to_string())))
        .collect()
}

#[test]
fn a_debug_zip_gives_each_member_by_its_content() {
    assert_eq!(sniff(&fixture("bundle/debug-zip.zip")), Some(Kind::Zip));
    let m = members("bundle/debug-zip.zip");
    let names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["nodes/1/goroutines.txt", "nodes/1/status.json", "nodes/2/goroutine.pb.gz"], "directories are left out");
    assert_eq!(m[0].1, Ok(Some(53)));
    assert!(m[1].1.as_ref().is_err_and(|why| why.contains("JSON")), "{:?}", m[1].1);
    assert_eq!(m[2].1, Ok(Some(112)));
}

#[test]
fn a_consul_debug_tar_gz_gives_a_goroutine_profile_per_capture() {
    assert_eq!(sniff(&fixture("bundle/consul-debug.tar.gz")), Some(Kind::TarGz));
    let m = members("bundle/consul-debug.tar.gz");
    let read: Vec<(&str, Option<i64>)> = m.iter().filter_map(|(n, r)| r.as_ref().ok().map(|c| (n.as_str(), *c))).collect();
    assert_eq!(read, [("consul-debug-1764489600/1764489600/goroutine.prof", Some(53)), ("consul-debug-1764489600/1764489630/goroutine.prof", Some(112))]);
}

#[test]
fn plain_inputs_are_no_archives() {
    for rel in ["go1.27/service.s1.goroutine.debug2.txt", "go1.27/service.s1.goroutine.pb.gz", "go1.27/service.s1.goroutine.debug1.txt"] {
        assert_eq!(sniff(&fixture(rel)), None, "{rel}");
    }
}

#[test]
fn a_bomb_and_a_broken_archive_are_one_sentence() {
    let small = Options { max_inflated_bytes: 10_000 };
    let bytes = fixture("bundle/debug-zip.zip");
    let err = read(Kind::Zip, &bytes, &small).unwrap_err();
    assert_eq!(err, ArchiveError::TooLarge { limit: 10_000 });
    assert!(err.to_string().contains("zip bomb"));
    let tar = fixture("bundle/consul-debug.tar.gz");
    assert!(matches!(read(Kind::TarGz, &tar, &small), Err(ArchiveError::TooLarge { .. })));
    // Cut in half: the zip's directory is gone.
    let cut = read(Kind::Zip, &bytes[..bytes.len() / 2], &Options::default()).unwrap_err();
    assert!(matches!(cut, ArchiveError::Zip(_)), "{cut:?}");
    assert_eq!(cut.to_string().lines().count(), 1);
}
