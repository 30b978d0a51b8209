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

/// When a path says its file was taken, in nanoseconds since the Unix epoch: the last date in
/// it, with or without a time and separators (`2026-11-30T08-53-35Z/`, `08:53:35+02:00`,
/// `goroutines-20261130-085335.txt`, CockroachDB's `memprof.2026-11-30T08_53_35.360.52838048`,
/// `2026-11-30/`); where there is none, the last Unix time in seconds between 2001 and 2100
/// (`consul debug`'s capture folders, `1764489630/goroutine.prof`). A time with no zone is read
/// as UTC: it orders the snapshots of one bundle.
pub fn time_in_path(path: &str) -> Option<i64> {
    static STAMP: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
        regex_lite::Regex::new(
            r"(?:^|[^0-9])(?:(\d{4})-?(\d{2})-?(\d{2})(?:[T_ .-]?(\d{2})[:._-]?(\d{2})(?:[:._-]?(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?|(\d{10}))(?:[^0-9]|$)",
        )
        .expect("a valid pattern")
    });
    let (mut date, mut epoch) = (None, None);
    let mut at = 0;
    while let Some(c) = STAMP.captures_at(path, at) {
        let whole = c.get(0).expect("the match");
        // The next search starts at the character that ended this match (a separator can
        // start the next timestamp).
        at = whole.end().saturating_sub(1).max(whole.start() + 1);
        let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
        match number(8) {
            Some(seconds) if (978_307_200..4_102_444_800).contains(&seconds) => epoch = Some(seconds * 1_000_000_000),
            Some(_) => {}
            None => {
                let zone = c.get(7).map_or(Some(0), |z| zone_seconds(z.as_str()));
                let local = date_time([number(1), number(2), number(3), number(4), number(5), number(6)]);
                date = local.zip(zone).map(|(t, z)| t - z * 1_000_000_000).or(date);
            }
        }
        if at >= path.len() {
            break;
        }
    }
    date.or(epoch)
}

/// The offset of `Z`, `+02:00`, `-0530` from UTC, in seconds.
fn zone_seconds(zone: &str) -> Option<i64> {
    if zone == "Z" {
        return Some(0);
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone.chars().filter(char::is_ascii_digit).collect();
    let (hours, minutes) = (digits.get(..2)?.parse::<i64>().ok()?, digits.get(2..)?.parse::<i64>().ok()?);
    (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
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
///
/// An archive that breaks, or whose members inflate past the budget, after some members were
/// read keeps them, with why the rest was not read as its last entry; before any, it is an
/// error.
pub fn read(kind: Kind, bytes: &[u8], options: &Options) -> Result<Vec<Member>, ArchiveError> {
    let limit = options.max_inflated_bytes.min(MAX_WHOLE_BYTES);
    let mut budget = Budget { left: limit, limit };
    let mut members = Vec::new();
    match read_into(kind, bytes, &mut Reading { options, budget: &mut budget, depth: 1, prefix: String::new() }, &mut members) {
        Ok(()) => Ok(members),
        Err(e) if members.iter().any(|m| m.outcome.is_ok()) => {
            members.push(Member { name: REST.into(), outcome: Err(DecodeError::NotAProfile(format!("not read: {e}"))) });
            Ok(members)
        }
        Err(e) => Err(e),
    }
}

/// The name of the entry that stands for the members not read.
pub const REST: &str = "(the rest of the archive)";

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
        Kind::Tar => read_tar(bytes, false, reading, members),
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
            // The members are pieces of the tar, counted with it.
            read_tar(&tar, true, reading, members)
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

/// How many bytes a gzip stream inflates to, counted as it inflates: past `limit`, the
/// archive's budget is spent; a broken stream counts what it gave.
fn inflated_len(bytes: &[u8], limit: u64) -> Result<u64, ArchiveError> {
    let mut inflater = gzip::Inflater::default();
    let mut total = 0u64;
    let mut count = |out: &[u8]| {
        total += out.len() as u64;
        if total > limit {
            return Err(DecodeError::TooLarge { limit });
        }
        Ok(())
    };
    match inflater.write(bytes, &mut count).and_then(|()| inflater.finish(&mut count)) {
        Err(DecodeError::TooLarge { limit }) => Err(ArchiveError::TooLarge { limit }),
        _ => Ok(total),
    }
}

/// Adds the member `name` of the archive being read: its snapshots, or why it holds none, or
/// the members of the archive it is. A gzipped member counts what it inflates to, not its
/// compressed bytes; `counted` says whether its bytes were counted against the budget (they
/// were not when they are a piece of a tar counted whole).
fn add(name: String, bytes: &[u8], counted: bool, reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    let name = format!("{}{name}", reading.prefix);
    let refund = if counted { bytes.len() as u64 } else { 0 };
    match sniff(bytes) {
        Some(kind) if reading.depth < MAX_NESTING => {
            // The archive's members are counted as they are read, not the archive as well.
            reading.budget.left += refund;
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
        None => {
            if gzip::is_gzip(bytes) {
                let budget = &mut *reading.budget;
                budget.left += refund;
                let inflated = inflated_len(bytes, budget.left).map_err(|_| ArchiveError::TooLarge { limit: budget.limit })?;
                budget.left -= inflated;
            }
            members.push(Member { name, outcome: decode_all(bytes, reading.options) });
        }
    }
    Ok(())
}

/// The entry that stands for a member past [`MAX_MEMBERS`] and all after it, which are not
/// looked at.
fn not_read(name: String) -> Member {
    Member {
        name,
        outcome: Err(DecodeError::NotAProfile(format!("not read, nor the members after it: the archive has more than {MAX_MEMBERS} members (MAX_MEMBERS)"))),
    }
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
            break;
        }
        let size = file.size();
        let content = take(file, size, reading.budget, ArchiveError::Zip)?;
        add(name, &content, true, reading, members)?;
    }
    Ok(())
}

/// Reads a tar's members; `counted` when the tar's bytes were counted against the budget
/// already (inflated from a tar.gz), so that its members are not counted again.
fn read_tar(bytes: &[u8], counted: bool, reading: &mut Reading<'_>, members: &mut Vec<Member>) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().map_err(|e| ArchiveError::Tar(e.to_string()))? {
        let entry = entry.map_err(|e| ArchiveError::Tar(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().map(|p| p.display().to_string()).unwrap_or_else(|_| String::from_utf8_lossy(&entry.path_bytes()).into_owned());
        if members.len() >= MAX_MEMBERS {
            members.push(not_read(format!("{}{name}", reading.prefix)));
            break;
        }
        let size = entry.header().size().unwrap_or(0);
        let content = if counted {
            // At most the tar's own bytes, which were counted.
            let mut content = Vec::with_capacity(size.min(1 << 20) as usize);
            (&mut { entry }).take(bytes.len() as u64).read_to_end(&mut content).map_err(|e| ArchiveError::Tar(e.to_string()))?;
            content
        } else {
            take(entry, size, reading.budget, ArchiveError::Tar)?
        };
        add(name, &content, !counted, reading, members)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_paths() {
        let at = |y, mo, d, h, mi, s| date_time([Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)]);
        let table: [(&str, Option<i64>); 16] = [
            ("c/2026-11-30T10:53:35+02:00/g.txt", at(2026, 11, 30, 8, 53, 35)),
            ("memprof.2026-11-30T08_53_35.360.1764489630.pprof", at(2026, 11, 30, 8, 53, 35)),
            ("goroutine_dump.2026-11-30T08_53_35.360.double_since_last_dump.000000123.txt.gz", at(2026, 11, 30, 8, 53, 35)),
            ("app-3000000000/g.txt", Some(3_000_000_000_000_000_000)),
            ("app-4200000000/g.txt", None),
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
