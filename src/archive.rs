//! Support bundles: archives of many dumps and profiles (`cockroach debug zip`, `ipfs diag
//! profile` and Alloy support bundles are zip files; `consul debug` writes a tar.gz with one
//! `goroutine.prof` per capture folder). Read whole with the `zip` and `tar` crates; every
//! member is decoded by its content, whatever its name, and one that is no profile is listed
//! as skipped with what it looks like. The limits of [`crate::limits`] hold for every member,
//! and all members together inflate to at most [`MAX_WHOLE_BYTES`] (an archive is read whole,
//! as protobufs are) or [`Options::max_inflated_bytes`] where that is less.

use crate::decode::sniff::archive_magic;
use crate::decode::{decode_all, gzip, DecodeError, Decoded, Options};
use crate::limits::{MAX_MEMBERS, MAX_NESTING, MAX_WHOLE_BYTES};
use std::io::Read;
use thiserror::Error;

/// The archive formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `PK\x03\x04` (or an empty archive's `PK\x05\x06`).
    Zip,
    /// POSIX tar: `ustar` at byte 257 of the first header.
    Tar,
    /// A tar inside gzip.
    TarGz,
}

/// The archive `start` (the first bytes of an input, a kilobyte is enough) begins, if any.
pub fn sniff(start: &[u8]) -> Option<Kind> {
    match archive_magic(start) {
        Some("zip") => return Some(Kind::Zip),
        Some(_) => return Some(Kind::Tar),
        None => {}
    }
    // A tar header block is 512 bytes: its magic is in the first of them inflated.
    if gzip::is_gzip(start) && gzip::inflate_head(start, 512).is_ok_and(|head| archive_magic(&head) == Some("tar")) {
        return Some(Kind::TarGz);
    }
    None
}

/// One member of an archive: its path, and the snapshots it holds or why it holds none.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub outcome: Result<Vec<Decoded>, DecodeError>,
}

/// The dumps of one input named as a bundle names them: `name` alone for one dump, `name#N`
/// (from 1) for the N-th of several.
pub fn named_dumps(name: &str, dumps: Vec<Decoded>) -> Vec<(String, Decoded)> {
    let several = dumps.len() > 1;
    dumps.into_iter().enumerate().map(|(i, d)| (if several { format!("{name}#{}", i + 1) } else { name.to_string() }, d)).collect()
}

/// The entries of an archive's members: each snapshot named by [`named_dumps`] after its
/// member's path, oldest first when every snapshot carries a time (the profile's own, else
/// one in its path: [`time_in_path`]), else in archive order; then each member that holds none,
/// with why.
pub fn entries(members: Vec<Member>) -> Vec<(String, Result<Decoded, DecodeError>)> {
    let mut snapshots = Vec::new();
    let mut skipped = Vec::new();
    for m in members {
        match m.outcome {
            Ok(dumps) => {
                let path_time = time_in_path(&m.name);
                snapshots.extend(named_dumps(&m.name, dumps).into_iter().map(|(n, d)| (d.profile.time_nanos.or(path_time), n, d)));
            }
            Err(why) => skipped.push((m.name, Err(why))),
        }
    }
    if snapshots.iter().all(|(time, _, _)| time.is_some()) {
        // Stable: the dumps of one text keep their order.
        snapshots.sort_by_key(|(time, _, _)| *time);
    }
    snapshots.into_iter().map(|(_, n, d)| (n, Ok(d))).chain(skipped).collect()
}

/// When a path says its file was taken, in nanoseconds since the Unix epoch: the last
/// timestamp in it, a date and time with or without separators (`2026-11-30T08-53-35Z/`,
/// `goroutines-20261130-085335.txt`, `2026-11-30 08.53/`), a date alone (`2026-11-30/`), or Unix
/// seconds between 2001 and 2096 (`consul debug`'s capture folders, `1764489630/goroutine.prof`).
/// Times without a zone are read as UTC: they order the snapshots of one bundle.
pub fn time_in_path(path: &str) -> Option<i64> {
    static STAMP: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
        regex_lite::Regex::new(
            r"(?:^|[^0-9])(?:(\d{4})-?(\d{2})-?(\d{2})(?:[T_ .-]?(\d{2})[:.-]?(\d{2})(?:[:.-]?(\d{2}))?)?|(1[0-9]{9}|[2-3][0-9]{9}))(?:[^0-9]|$)",
        )
        .expect("a valid pattern")
    });
    let mut last = None;
    let mut at = 0;
    while let Some(c) = STAMP.captures_at(path, at) {
        let whole = c.get(0).expect("the match");
        // The next search starts at the character that ended this match (a separator can
        // start the next timestamp).
        at = whole.end().saturating_sub(1).max(whole.start() + 1);
        let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
        let time = match number(7) {
            Some(seconds) => Some(seconds.saturating_mul(1_000_000_000)),
            None => date_time([number(1), number(2), number(3), number(4), number(5), number(6)]),
        };
        last = time.or(last);
        if at >= path.len() {
            break;
        }
    }
    last
}

/// A calendar date and time of day (year, month, day, hour, minute, second; the time may be
/// missing) in nanoseconds since the Unix epoch, if it is one.
fn date_time([year, month, day, hour, minute, second]: [Option<i64>; 6]) -> Option<i64> {
    // Eight digits that are no date of this century or the next are no timestamp.
    let year = year.filter(|y| (2000..2200).contains(y));
    let month = time::Month::try_from(u8::try_from(month?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(year?).ok()?, month, u8::try_from(day?).ok()?).ok()?;
    let part = |v: Option<i64>| u8::try_from(v.unwrap_or(0)).ok();
    let clock = time::Time::from_hms(part(hour)?, part(minute)?, part(second)?).ok()?;
    i64::try_from(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp_nanos()).ok()
}

/// Why an archive could not be read at all. Each message is one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchiveError {
    #[error("broken zip archive: {0}")]
    Zip(String),
    #[error("broken tar archive: {0}")]
    Tar(String),
    #[error("broken gzip stream around the tar archive: {0}")]
    Gzip(DecodeError),
    #[error("the archive's members inflate to more than {limit} bytes, the most parkview reads (a zip bomb?)")]
    TooLarge { limit: u64 },
}

/// The members of an archive of `kind`, in archive order, directories left out; past
/// [`MAX_MEMBERS`] the rest are listed as not read. A member that is an archive itself (a
/// node's zip inside a cluster's) is read in its place, its members named
/// `outer/path/inner/path`, down to [`MAX_NESTING`] archives deep.
pub fn read(kind: Kind, bytes: &[u8], options: &Options) -> Result<Vec<Member>, ArchiveError> {
    let limit = options.max_inflated_bytes.min(MAX_WHOLE_BYTES);
    let mut budget = Budget { left: limit, limit };
    let mut members = Vec::new();
    read_into(kind, bytes, &mut Reading { options, budget: &mut budget, depth: 1, prefix: String::new() }, &mut members)?;
    Ok(members)
}

/// What reading one archive needs besides its bytes.
struct Reading<'a> {
    options: &'a Options,
    budget: &'a mut Budget,
    /// How many archives deep this one is (the outermost is 1).
    depth: usize,
    /// The path of this archive inside the outer ones, with a trailing `/`.
    prefix: String,
}

fn read_into(kind: Kind, bytes: &[u8], reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    match kind {
        Kind::Zip => read_zip(bytes, reading, members),
        Kind::Tar => read_tar(bytes, reading, members),
        Kind::TarGz => {
            let limit = reading.budget.left;
            let mut inflater = gzip::Inflater::default();
            let mut tar = Vec::new();
            let mut sink = |out: &[u8]| {
                if (tar.len() + out.len()) as u64 > limit {
                    return Err(DecodeError::TooLarge { limit });
                }
                tar.extend_from_slice(out);
                Ok(())
            };
            let inflated = inflater.write(bytes, &mut sink).and_then(|()| inflater.finish(&mut sink));
            match inflated {
                Err(DecodeError::TooLarge { .. }) => return Err(ArchiveError::TooLarge { limit: reading.budget.limit }),
                Err(e) => return Err(ArchiveError::Gzip(e)),
                Ok(()) => {}
            }
            reading.budget.left = reading.budget.left.saturating_sub(tar.len() as u64);
            read_tar(&tar, reading, members)
        }
    }
}

/// What the members may still inflate to, of the archive's limit.
struct Budget {
    left: u64,
    limit: u64,
}

/// A member's bytes, read up to what is left of `budget` (a member past it is an error);
/// `broken` says what a read error means. A member's stated size is not trusted for more than
/// a first allocation of 1 MiB.
fn take(mut reader: impl Read, size: u64, budget: &mut Budget, broken: fn(String) -> ArchiveError) -> Result<Vec<u8>, ArchiveError> {
    let too_large = ArchiveError::TooLarge { limit: budget.limit };
    if size > budget.left {
        return Err(too_large);
    }
    let mut out = Vec::with_capacity(size.min(1 << 20) as usize);
    (&mut reader).take(budget.left + 1).read_to_end(&mut out).map_err(|e| broken(e.to_string()))?;
    if out.len() as u64 > budget.left {
        return Err(too_large);
    }
    budget.left -= out.len() as u64;
    Ok(out)
}

/// Adds the member `name` of the archive being read: its snapshots, or why it holds none, or
/// the members of the archive it is.
fn add(name: String, bytes: &[u8], reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    let name = format!("{}{name}", reading.prefix);
    match sniff(bytes) {
        Some(kind) if reading.depth < MAX_NESTING => {
            // The archive's members are counted as they are read, not the archive as well.
            reading.budget.left += bytes.len() as u64;
            let mut inner = Reading { options: reading.options, budget: &mut *reading.budget, depth: reading.depth + 1, prefix: format!("{name}/") };
            match read_into(kind, bytes, &mut inner, members) {
                // The whole budget is the whole input's: spent inside, it is spent.
                Err(e @ ArchiveError::TooLarge { .. }) => return Err(e),
                Err(e) => members.push(Member { name, outcome: Err(DecodeError::NotAProfile(format!("not read: {e}"))) }),
                Ok(()) => {}
            }
        }
        Some(_) => members
            .push(Member { name, outcome: Err(DecodeError::NotAProfile(format!("not read: an archive more than {MAX_NESTING} archives deep (MAX_NESTING)"))) }),
        None => members.push(Member { name, outcome: decode_all(bytes, reading.options) }),
    }
    Ok(())
}

fn not_read(name: String) -> Member {
    Member { name, outcome: Err(DecodeError::NotAProfile(format!("not read: the archive has more than {MAX_MEMBERS} members (MAX_MEMBERS)"))) }
}

fn read_zip(bytes: &[u8], reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ArchiveError::Zip(e.to_string()))?;
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(|e| ArchiveError::Zip(e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_string();
        if members.len() >= MAX_MEMBERS {
            members.push(not_read(format!("{}{name}", reading.prefix)));
            continue;
        }
        let size = file.size();
        let content = take(file, size, reading.budget, ArchiveError::Zip)?;
        add(name, &content, reading, members)?;
    }
    Ok(())
}

fn read_tar(bytes: &[u8], reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().map_err(|e| ArchiveError::Tar(e.to_string()))? {
        let entry = entry.map_err(|e| ArchiveError::Tar(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().map(|p| p.display().to_string()).unwrap_or_else(|_| String::from_utf8_lossy(&entry.path_bytes()).into_owned());
        if members.len() >= MAX_MEMBERS {
            members.push(not_read(format!("{}{name}", reading.prefix)));
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        let content = take(entry, size, reading.budget, ArchiveError::Tar)?;
        add(name, &content, reading, members)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_paths() {
        let at = |y, mo, d, h, mi, s| date_time([Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)]);
        let table: [(&str, Option<i64>); 11] = [
            ("captures/2026-11-30T08-53-35Z/goroutine.txt", at(2026, 11, 30, 8, 53, 35)),
            ("captures/2026-11-30T08:53:35Z/goroutine.txt", at(2026, 11, 30, 8, 53, 35)),
            ("goroutines-20261130-085335.txt", at(2026, 11, 30, 8, 53, 35)),
            ("dumps/2026-11-30 08.53/goroutine.txt", at(2026, 11, 30, 8, 53, 0)),
            ("2026-11-30/goroutine.txt", at(2026, 11, 30, 0, 0, 0)),
            // The last one is the most particular.
            ("consul-debug-1764489600/1764489630/goroutine.prof", Some(1_764_489_630_000_000_000)),
            ("2026-11-29/run-2026-11-30T01-00-00/g.txt", at(2026, 11, 30, 1, 0, 0)),
            ("nodes/1/goroutines.txt", None),
            ("node-12345678/goroutines.txt", None),
            ("build-123456789012/g.txt", None),
            ("v1.27.3/goroutine.txt", None),
        ];
        for (path, want) in table {
            assert_eq!(time_in_path(path), want, "{path}");
        }
        assert_eq!(at(2026, 11, 30, 0, 0, 0), Some(1_795_996_800_000_000_000));
    }
}
