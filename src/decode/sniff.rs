//! Telling the formats apart from the bytes alone: each format's module answers for its own
//! (`sniff`), and [`detect`] asks them in one fixed order. Input that none claims gets one
//! sentence saying what it looks like instead: "not my format" ([`DecodeError::NotAProfile`])
//! is a different error from "broken" (the others), as in google/pprof's `profile` package.

use crate::decode::format::{DecodeError, Format};
use crate::decode::text::{contains, looks_binary, trim_start};
use crate::decode::{debug1, legacy, pprof, traceback};

/// How much of the start of an input is gathered before its format is first looked at.
pub const SNIFF_LEN: usize = 1 << 20;

/// What every format's `sniff` is: the input (or its start) in, the format if it is this
/// module's.
pub type Sniff = fn(&[u8]) -> Option<Format>;

/// The format of `bytes` (the whole input, or its start). The order matters where two could
/// claim an input: the legacy CPU profile's header words first (binary, but they would walk as
/// protobuf fields), then the text formats by their first line, a traceback anywhere in text,
/// and last the protobuf, which text only passes for if every byte of it reads as fields.
pub fn detect(bytes: &[u8]) -> Result<Format, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some(kind) = archive_magic(bytes) {
        return Err(DecodeError::NotAProfile(format!(
            "this is a {kind} archive, not one profile: parkview reads each of its members as a snapshot (parkview report, or drop it on the page)"
        )));
    }
    let sniffs: [Sniff; 4] = [legacy::sniff, debug1::sniff, traceback::sniff, pprof::sniff];
    sniffs.iter().find_map(|sniff| sniff(bytes)).ok_or_else(|| DecodeError::NotAProfile(what_it_looks_like(bytes)))
}

/// Where the tar magic sits in a header block (POSIX.1-1988 `ustar`).
const TAR_MAGIC_AT: usize = 257;

/// The archive format `start` begins with, by its magic: `zip` (`PK\x03\x04`, or an empty
/// archive's `PK\x05\x06`) or `tar` (`ustar` at byte 257).
pub fn archive_magic(start: &[u8]) -> Option<&'static str> {
    if start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06") {
        return Some("zip");
    }
    (start.get(TAR_MAGIC_AT..TAR_MAGIC_AT + 5) == Some(b"ustar")).then_some("tar")
}

/// One sentence for input that is no profile: what it looks like instead.
pub fn what_it_looks_like(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = trim_start(head).iter().take(512).map(|b| b.to_ascii_lowercase()).collect();
    if lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html") || contains(&lower, b"<head") {
        if contains(&lower, b"/debug/pprof") {
            return "this is HTML, not a profile: did you save the pprof index page instead of a profile it links to?".into();
        }
        return "this is HTML, not a profile: expected a goroutine dump or a pprof profile".into();
    }
    if lower.starts_with(b"{") || lower.starts_with(b"[") {
        return "this looks like JSON, not a profile: expected a goroutine dump (debug=1 or debug=2) or a pprof profile".into();
    }
    if head.starts_with(b"%PDF") {
        return "this is a PDF, not a profile: expected a goroutine dump or a pprof profile".into();
    }
    if head.starts_with(b"PK\x03\x04") {
        return "this is a zip archive, not a profile: unzip it and open the profile inside".into();
    }
    if head.starts_with(b"\x89PNG") || head.starts_with(b"\xff\xd8\xff") || head.starts_with(b"GIF8") {
        return "this is an image, not a profile: expected a goroutine dump or a pprof profile".into();
    }
    if head.starts_with(b"\x7fELF") || head.starts_with(b"MZ") {
        return "this is a program binary, not a profile: expected a goroutine dump or a pprof profile".into();
    }
    if head.starts_with(b"go 1.") && contains(head, b"trace") {
        return "this is an execution trace (go tool trace), not a profile or goroutine dump".into();
    }
    if looks_binary(head) {
        return "these bytes are neither text nor a pprof protobuf: expected a goroutine dump or a pprof profile".into();
    }
    if contains(head, b"WARNING: DATA RACE") {
        return "this mentions a data race but holds no race report to read: expected `WARNING: DATA RACE` on a line of its own, as the race detector prints it".into();
    }
    "no goroutine header (`goroutine N [state]:`) or profile header found: expected a goroutine dump or a pprof profile".into()
}
