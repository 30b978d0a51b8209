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
        return "this looks like JSON with no goroutine dump in it (no string holds a `goroutine N [state]:` line): expected a goroutine dump (debug=1 or debug=2), a pprof profile, or log lines whose field holds a dump".into();
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
    match text_kind(head) {
        TextKind::Log => "this looks like a log with no goroutine dump in it: expected the dump itself, which starts with `goroutine 1 [running]:` (or a crash's `panic:` line), or a pprof profile".into(),
        TextKind::Prose => "this looks like prose, not a dump: paste the goroutine dump itself (it starts with `goroutine 1 [running]:`) or drop a pprof profile".into(),
        TextKind::Other => "no goroutine header (`goroutine N [state]:`) or profile header found: expected a goroutine dump or a pprof profile".into(),
    }
}

/// What text that is no dump is, to say so.
#[derive(Debug, PartialEq, Eq)]
enum TextKind {
    /// Most lines start with a time or a level (`2026-11-30T08:53:35Z`, `Nov 30 08:53:35`,
    /// `I1130 08:53:35.123`, `level=info`, `[INFO]`, `ERROR`).
    Log,
    /// Sentences: words and spaces, hardly any code punctuation.
    Prose,
    Other,
}

fn text_kind(head: &[u8]) -> TextKind {
    let lines: Vec<&[u8]> = crate::decode::text::Lines::new(head).map(|l| trim_start(l.text)).filter(|l| !l.is_empty()).take(200).collect();
    if lines.is_empty() {
        return TextKind::Other;
    }
    let log_line = |l: &[u8]| {
        let start = &l[..l.len().min(40)];
        let lower: Vec<u8> = start.iter().map(|b| b.to_ascii_lowercase()).collect();
        let keys: [&[u8]; 3] = [b"level=", b"time=", b"ts="];
        // A level as a word of its own (`INFO `, `[warn]`, `error:`), not `information`.
        let level = ["info", "warn", "warning", "error", "debug"].iter().any(|l| {
            let word = lower.strip_prefix(b"[").unwrap_or(&lower);
            word.strip_prefix(l.as_bytes()).is_some_and(|rest| rest.first().is_none_or(|c| !c.is_ascii_alphanumeric()))
        });
        // A time near the start: digits on both sides of a `:`, within its first 32 bytes.
        let clock = start.windows(3).take(32).any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
        clock || level || keys.iter().any(|p| lower.starts_with(p))
    };
    let prose_line = |l: &[u8]| {
        let words = l.split(|&c| c == b' ').filter(|w| !w.is_empty()).count();
        let plain = l.iter().filter(|&&c| c.is_ascii_alphabetic() || c == b' ' || b".,;?!'\"-".contains(&c) || !c.is_ascii()).count();
        words >= 3 && plain * 10 >= l.len() * 9
    };
    let logs = lines.iter().filter(|l| log_line(l)).count();
    let prose = lines.iter().filter(|l| prose_line(l)).count();
    if logs * 2 >= lines.len() {
        TextKind::Log
    } else if prose * 2 >= lines.len() {
        TextKind::Prose
    } else {
        TextKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_no_dump_is_named() {
        let table: [(&str, TextKind); 9] = [
            ("information about the outage follows\nwarnings were ignored for weeks\n", TextKind::Prose),
            ("INFO starting\n[warn] slow disk\nerror: lost connection\n", TextKind::Log),
            ("hello, can you look at this?\nour service is stuck since the deploy\n", TextKind::Prose),
            ("2026-11-30T08:53:35Z INFO starting server\n2026-11-30T08:53:36Z WARN slow request path=/x\n", TextKind::Log),
            ("level=info msg=\"starting\"\nlevel=error msg=\"lost connection\"\n", TextKind::Log),
            ("I1130 08:53:35.123456    1 main.go:42] starting\n", TextKind::Log),
            ("Nov 30 08:53:35 host-a app[1234]: ready\n", TextKind::Log),
            ("main.main()\n\t/src/main.go:12 +0x1d\n", TextKind::Other),
            ("x=1\ny=2\n", TextKind::Other),
        ];
        for (text, want) in table {
            assert_eq!(text_kind(text.as_bytes()), want, "{text}");
        }
        assert!(what_it_looks_like(b"{\"level\":\"info\",\"msg\":\"up\"}\n").starts_with("this looks like JSON with no goroutine dump"));
    }
}
