//! Support bundles: archives of many dumps and profiles (`cockroach debug zip`, `ipfs diag
//! profile` and Alloy support bundles are zip files; `consul debug` writes a tar.gz with one
//! `goroutine.prof` per capture folder). Read whole with the `zip` and `tar` crates; every
//! member is decoded by its content, whatever its name, and one that is no profile is listed
//! as skipped with what it looks like. The limits of [`crate::limits`] hold for every member,
//! and all members together inflate to at most [`MAX_WHOLE_BYTES`] (an archive is read whole,
//! as protobufs are) or [`Options::max_inflated_bytes`] where that is less.

use crate::decode::sniff::archive_magic;
use crate::decode::{decode_all, gzip, DecodeError, Decoded, Options};
use crate::limits::{MAX_MEMBERS, MAX_WHOLE_BYTES};
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

/// The entries of an archive's members, in order: each snapshot named by [`named_dumps`] after
/// its member's path, and each member that holds none with why.
pub fn entries(members: Vec<Member>) -> Vec<(String, Result<Decoded, DecodeError>)> {
    let mut out = Vec::new();
    for m in members {
        match m.outcome {
            Ok(dumps) => out.extend(named_dumps(&m.name, dumps).into_iter().map(|(n, d)| (n, Ok(d)))),
            Err(why) => out.push((m.name, Err(why))),
        }
    }
    out
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
/// [`MAX_MEMBERS`] the rest are listed as not read.
pub fn read(kind: Kind, bytes: &[u8], options: &Options) -> Result<Vec<Member>, ArchiveError> {
    let limit = options.max_inflated_bytes.min(MAX_WHOLE_BYTES);
    let mut budget = Budget { left: limit, limit };
    match kind {
        Kind::Zip => read_zip(bytes, options, &mut budget),
        Kind::Tar => read_tar(bytes, options, &mut budget),
        Kind::TarGz => {
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
                Err(DecodeError::TooLarge { limit }) => return Err(ArchiveError::TooLarge { limit }),
                Err(e) => return Err(ArchiveError::Gzip(e)),
                Ok(()) => {}
            }
            budget.left = budget.left.saturating_sub(tar.len() as u64);
            read_tar(&tar, options, &mut budget)
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

fn member(name: String, bytes: &[u8], options: &Options) -> Member {
    Member { name, outcome: decode_all(bytes, options) }
}

fn not_read(name: String) -> Member {
    Member { name, outcome: Err(DecodeError::NotAProfile(format!("not read: the archive has more than {MAX_MEMBERS} members (MAX_MEMBERS)"))) }
}

fn read_zip(bytes: &[u8], options: &Options, budget: &mut Budget) -> Result<Vec<Member>, ArchiveError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ArchiveError::Zip(e.to_string()))?;
    let mut members = Vec::new();
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(|e| ArchiveError::Zip(e.to_string()))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_string();
        if members.len() >= MAX_MEMBERS {
            members.push(not_read(name));
            continue;
        }
        let size = file.size();
        let content = take(file, size, budget, ArchiveError::Zip)?;
        members.push(member(name, &content, options));
    }
    Ok(members)
}

fn read_tar(bytes: &[u8], options: &Options, budget: &mut Budget) -> Result<Vec<Member>, ArchiveError> {
    let mut archive = tar::Archive::new(bytes);
    let mut members = Vec::new();
    for entry in archive.entries().map_err(|e| ArchiveError::Tar(e.to_string()))? {
        let entry = entry.map_err(|e| ArchiveError::Tar(e.to_string()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().map(|p| p.display().to_string()).unwrap_or_else(|_| String::from_utf8_lossy(&entry.path_bytes()).into_owned());
        if members.len() >= MAX_MEMBERS {
            members.push(not_read(name));
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        let content = take(entry, size, budget, ArchiveError::Tar)?;
        members.push(member(name, &content, options));
    }
    Ok(members)
}
