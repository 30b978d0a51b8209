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

/// A zip of `members` (path, bytes), stored, in the order given.
fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, bytes) in members {
        zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).unwrap();
        std::io::Write::write_all(&mut zip, bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn entry_names(bytes: &[u8]) -> Vec<(String, Option<i64>)> {
    let members = read(sniff(bytes).expect("an archive"), bytes, &Options::default()).unwrap();
    parkview::archive::entries(members).into_iter().map(|(name, d)| (name, d.ok().and_then(|d| d.profile.goroutine_count()))).collect()
}

#[test]
fn snapshots_are_ordered_by_the_times_they_carry() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug2.txt"), fixture("go1.27/service.s3.goroutine.debug2.txt"));
    // Times in the paths, newest stored first.
    let by_path =
        zip_of(&[("c/2026-11-30T09-00-00Z/goroutine.txt", s3.clone()), ("c/2026-11-30T08-00-00Z/goroutine.txt", s1.clone()), ("c/index.json", b"{}".to_vec())]);
    let names = entry_names(&by_path);
    assert_eq!(
        names,
        [
            ("c/2026-11-30T08-00-00Z/goroutine.txt".to_string(), Some(53)),
            ("c/2026-11-30T09-00-00Z/goroutine.txt".to_string(), Some(112)),
            ("c/index.json".to_string(), None)
        ]
    );
    // Protos carry their own time.
    let (p1, p3) = (fixture("go1.27/service.s1.goroutine.pb.gz"), fixture("go1.27/service.s3.goroutine.pb.gz"));
    let by_profile = zip_of(&[("b.pb.gz", p3.clone()), ("a.pb.gz", p1.clone())]);
    assert_eq!(entry_names(&by_profile).iter().map(|(_, n)| *n).collect::<Vec<_>>(), [Some(53), Some(112)]);
    // One snapshot without a time: archive order.
    let mixed = zip_of(&[("c/2026-11-30T09-00-00Z/goroutine.txt", s3), ("later.txt", s1)]);
    assert_eq!(entry_names(&mixed).iter().map(|(_, n)| *n).collect::<Vec<_>>(), [Some(112), Some(53)]);
}

#[test]
fn an_archive_inside_an_archive_is_read_in_its_place() {
    let inner = fixture("bundle/consul-debug.tar.gz");
    let outer = zip_of(&[("nodes/1/debug.tar.gz", inner.clone()), ("README.txt", b"support bundle of 2026-11-30\n".to_vec())]);
    let names = entry_names(&outer);
    assert_eq!(names[0], ("nodes/1/debug.tar.gz/consul-debug-1764489600/1764489600/goroutine.prof".to_string(), Some(53)));
    assert_eq!(names[1].0, "nodes/1/debug.tar.gz/consul-debug-1764489600/1764489630/goroutine.prof");
    // Nested deeper than MAX_NESTING: named, not read.
    let mut deep = inner;
    for i in 0..parkview::limits::MAX_NESTING {
        deep = zip_of(&[(&format!("level{i}.zip"), deep)]);
    }
    let members = read(Kind::Zip, &deep, &Options::default()).unwrap();
    assert_eq!(members.len(), 1);
    assert!(members[0].outcome.as_ref().is_err_and(|e| e.to_string().contains("MAX_NESTING")), "{:?}", members[0].outcome);
    // The budget is one for all levels.
    let small = Options { max_inflated_bytes: 20_000 };
    assert!(matches!(read(Kind::Zip, &outer, &small), Err(ArchiveError::TooLarge { .. })));
}

fn gzip_of(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bytes).unwrap();
    gz.finish().unwrap()
}

fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, &bytes[..]).unwrap();
    }
    tar.into_inner().unwrap()
}

#[test]
fn gzipped_members_count_what_they_inflate_to() {
    let s1 = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let budget = Options { max_inflated_bytes: (s1.len() * 5 / 2) as u64 };
    // Each inflates to a dump; the compressed bytes are a tenth of it.
    let zip = zip_of(&[("a.txt.gz", gzip_of(&s1)), ("b.txt.gz", gzip_of(&s1)), ("c.txt.gz", gzip_of(&s1))]);
    let members = read(Kind::Zip, &zip, &budget).unwrap();
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a.txt.gz", "b.txt.gz", parkview::archive::REST]);
    assert!(members[2].outcome.as_ref().is_err_and(|e| e.to_string().contains("zip bomb")));
    // A tar.gz counts its tar once, not again for each member.
    let tar_gz = gzip_of(&tar_of(&[("a.txt", s1.clone()), ("b.txt", s1.clone())]));
    let members = read(Kind::TarGz, &tar_gz, &budget).unwrap();
    assert_eq!(members.iter().filter(|m| m.outcome.is_ok()).count(), 2);
}

#[test]
fn a_cut_tar_keeps_the_members_before_the_cut() {
    let s1 = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let tar = tar_of(&[("a.txt", s1.clone()), ("b.txt", s1.clone())]);
    let cut = &tar[..tar.len() - s1.len() / 2 - 1024];
    let members = read(Kind::Tar, cut, &Options::default()).unwrap();
    assert_eq!(members[0].name, "a.txt");
    assert!(members[0].outcome.is_ok());
    assert_eq!(members.last().unwrap().name, parkview::archive::REST);
}

#[test]
fn members_past_the_limit_are_one_entry() {
    let many: Vec<(String, Vec<u8>)> = (0..parkview::limits::MAX_MEMBERS + 50).map(|i| (format!("m{i}.txt"), b"x".to_vec())).collect();
    let named: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let members = read(Kind::Zip, &zip_of(&named), &Options::default()).unwrap();
    assert_eq!(members.len(), parkview::limits::MAX_MEMBERS + 1);
    assert!(members.last().unwrap().outcome.as_ref().is_err_and(|e| e.to_string().contains("MAX_MEMBERS")));
}
