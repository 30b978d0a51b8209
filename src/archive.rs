//! Support bundles: archives of many dumps and profiles (`cockroach debug zip`, `ipfs diag
//! profile` and Alloy support bundles are zip files; `consul debug` writes a tar.gz with one
//! `goroutine.prof` per capture folder). Read whole with the `zip` and `tar` crates; every
//! member is decoded by its content, whatever its name, and one that is no profile is listed
//! as skipped with what it looks like. The limits of [`crate::limits`] hold for every member,
//! and all members together inflate to at most [`MAX_WHOLE_BYTES`] (an archive is read whole,
//! as protobufs are) or [`Options::max_inflated_bytes`] where that is less.

use crate::capture::time_in_path;
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
