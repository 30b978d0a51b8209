//! Data race reports, as the Go flavour of ThreadSanitizer prints them (compiler-rt
//! `lib/tsan/rtl/tsan_report.cpp` under `SANITIZER_GO`), before a dump, inside `go test` output,
//! or alone:
//!
//! ```text
//! ==================
//! WARNING: DATA RACE
//! Write at 0x00c0002a60c0 by goroutine 21:
//!   main.worker()
//!       /src/main.go:27 +0x50
//!
//! Previous read at 0x00c0002a60c0 by main goroutine:
//!   main.main()
//!       /src/main.go:31 +0x9c
//!
//! Goroutine 21 (running) created at:
//!   main.main()
//!       /src/main.go:26 +0xc4
//! ==================
//! ```
//!
//! [`race_line`] says what each line of a report opens; [`RaceReader`] reads one report's
//! lines into a [`Race`] for the traceback decoder, which hands it every line from
//! [`RACE_START`] on until the reader has had its last.

use crate::decode::stack::{intern_stack, StackBuf};
use crate::decode::text::{parse_u64, trim, Lines, Warnings};
use crate::limits::{LimitHit, MAX_RACE_PARTS};
use crate::model::{Frame, FrameId, Profile, Race, RaceAccess, RaceGoroutine, StackId, StrId};

use super::grammar::{parse_file_line, split_func_line, valid_func_name};

/// The line that opens a report.
pub const RACE_START: &[u8] = b"WARNING: DATA RACE";

/// The line that closes a report (and opens the next one's `WARNING`).
const RACE_END: &[u8] = b"==================";

/// Whether `head` holds a race report: its first line, and an access on the next
/// (`Read at 0x00c000014128 by goroutine 7:`), not the words alone in other text.
pub fn has_race_report(head: &[u8]) -> bool {
    let mut lines = Lines::new(head).map(|l| trim(l.text)).peekable();
    while let Some(line) = lines.next() {
        if line == RACE_START && lines.peek().is_some_and(|next| matches!(race_line(next), Some(RaceLine::Access { .. }))) {
            return true;
        }
    }
    false
}

/// What a line of a race report opens, each followed by a stack unless said otherwise.
#[derive(Debug, PartialEq, Eq)]
pub enum RaceLine<'a> {
    /// `Read at 0x00c000014128 by goroutine 7:`, `Previous write at 0x… by main goroutine:`,
    /// `Read by goroutine 5:` (Go 1.1, no address).
    Access { kind: String, previous: bool, address: &'a [u8], goroutine: Option<u64> },
    /// `Goroutine 7 (running) created at:`, `Goroutine 20 (finished) created at:`.
    Goroutine { goroutine: u64, status: &'a [u8] },
    /// `Heap block of size 8 at 0x00c00001c0f8 allocated by goroutine 7:` (a stack follows),
    /// `Global var x of size 8 at 0x… declared at /src/x.go:9` (none follows).
    Location { text: &'a [u8], stack_follows: bool },
}

/// Reads one line of a race report (without its indentation); `None` for a line that opens
/// nothing (a frame, a blank line, the closing `=`s).
pub fn race_line(line: &[u8]) -> Option<RaceLine<'_>> {
    let t = trim(line);
    if t.starts_with(b"Heap block ") || t.starts_with(b"Global var ") {
        return Some(RaceLine::Location { text: t.strip_suffix(b":").unwrap_or(t), stack_follows: t.ends_with(b":") });
    }
    let body = t.strip_suffix(b":")?;
    if let Some(rest) = body.strip_prefix(b"Goroutine ") {
        let (number, status) = rest.split_at(rest.iter().position(|&c| c == b' ')?);
        let status = status.strip_prefix(b" (")?.strip_suffix(b") created at")?;
        return Some(RaceLine::Goroutine { goroutine: parse_u64(number)?, status });
    }
    let (previous, rest) = match body.strip_prefix(b"Previous ") {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (kind, rest) = [(&b"read"[..], "read"), (b"write", "write")].into_iter().find_map(|(word, kind)| {
        let head = rest.get(..word.len())?;
        head.eq_ignore_ascii_case(word).then(|| (kind, &rest[word.len()..]))
    })?;
    let (address, by) = match rest.strip_prefix(b" at ") {
        Some(rest) => rest.split_at(rest.iter().position(|&c| c == b' ')?),
        None => (&b""[..], rest),
    };
    let goroutine = match by.strip_prefix(b" by ")? {
        b"main goroutine" => None,
        who => Some(parse_u64(who.strip_prefix(b"goroutine ")?)?),
    };
    Some(RaceLine::Access { kind: kind.to_string(), previous, address, goroutine })
}

/// The part of a report whose stack is being read.
enum Part {
    Access(RaceAccess),
    Goroutine(RaceGoroutine),
    Location,
}

/// One race report being read.
pub struct RaceReader {
    race: Race,
    /// Whether the report is kept: past [`crate::limits::MAX_RACES`] it is read through, and
    /// nothing of it goes into the tables.
    keep: bool,
    part: Option<Part>,
    frames: StackBuf,
    /// A function line whose file line comes next.
    pending: Option<StrId>,
}

/// What [`RaceReader::line`] made of a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// The line belongs to the report.
    Taken,
    /// The line closes the report.
    Closed,
    /// The line is none of the report's: the report was cut before it.
    NotMine,
}

impl RaceReader {
    /// A report whose [`RACE_START`] line is line `line`, kept or read through.
    pub fn new(line: u32, keep: bool) -> Self {
        RaceReader {
            race: Race { line, accesses: Vec::new(), goroutines: Vec::new(), location: None, location_stack: None },
            keep,
            part: None,
            frames: StackBuf::default(),
            pending: None,
        }
    }

    /// Reads the next line of the report, interning its frames into `profile`.
    pub fn line(&mut self, text: &[u8], number: u32, profile: &mut Profile, warnings: &mut Warnings) -> Read {
        let t = trim(text);
        if t.starts_with(RACE_END) && t.iter().all(|&c| c == b'=') {
            return Read::Closed;
        }
        if !self.keep {
            let mine =
                t.is_empty() || race_line(t).is_some() || parse_file_line(t).is_some() || split_func_line(t).is_some_and(|(name, _)| valid_func_name(name));
            return if mine { Read::Taken } else { Read::NotMine };
        }
        if let Some(func) = self.pending.take() {
            if let Some((file, line)) = parse_file_line(t) {
                let file = profile.strings.intern_bytes(file);
                self.frames.push(profile.frames.intern(Frame { func, file, line }));
                return Read::Taken;
            }
            self.frames.push(profile.frames.intern(Frame { func, file: 0, line: 0 }));
            warnings.note(number, || "data race: function line without its file line".into());
        }
        if t.is_empty() {
            self.end_part(profile, warnings);
            return Read::Taken;
        }
        if let Some(opened) = race_line(t) {
            self.end_part(profile, warnings);
            self.part = Some(match opened {
                RaceLine::Access { kind, previous, address, goroutine } => {
                    Part::Access(RaceAccess { kind, previous, address: String::from_utf8_lossy(address).into_owned(), goroutine, stack: 0 })
                }
                RaceLine::Goroutine { goroutine, status } => {
                    Part::Goroutine(RaceGoroutine { goroutine, status: String::from_utf8_lossy(status).into_owned(), created_at: 0 })
                }
                RaceLine::Location { text, stack_follows } => {
                    self.race.location = Some(String::from_utf8_lossy(text).into_owned());
                    if !stack_follows {
                        return Read::Taken;
                    }
                    Part::Location
                }
            });
            return Read::Taken;
        }
        if self.part.is_some() {
            // `[failed to restore the stack]`: the race detector lost this access's stack.
            if t == b"[failed to restore the stack]" {
                return Read::Taken;
            }
            if let Some((name, _)) = split_func_line(t).filter(|(name, _)| valid_func_name(name)) {
                self.pending = Some(profile.strings.intern_bytes(name));
                return Read::Taken;
            }
        }
        Read::NotMine
    }

    /// The report read, its last part ended (a report cut before its closing line is kept as
    /// far as it goes); `None` for one that is not kept.
    pub fn finish(mut self, profile: &mut Profile, warnings: &mut Warnings) -> Option<Race> {
        if let Some(func) = self.pending.take() {
            self.frames.push(profile.frames.intern(Frame { func, file: 0, line: 0 }));
        }
        self.end_part(profile, warnings);
        self.keep.then_some(self.race)
    }

    fn end_part(&mut self, profile: &mut Profile, warnings: &mut Warnings) {
        let Some(part) = self.part.take() else { return };
        let stack = self.frames.finish(profile, &mut warnings.limits);
        self.frames.clear();
        let race = &mut self.race;
        match part {
            Part::Access(access) if race.accesses.len() < MAX_RACE_PARTS => race.accesses.push(RaceAccess { stack, ..access }),
            Part::Goroutine(goroutine) if race.goroutines.len() < MAX_RACE_PARTS => race.goroutines.push(RaceGoroutine { created_at: stack, ..goroutine }),
            Part::Location => race.location_stack = Some(stack),
            Part::Access(_) | Part::Goroutine(_) => {}
        }
    }
}

/// `race`, whose stacks are in `from`'s tables, with its stacks in `to`'s: a report is read
/// before it is known which dump it goes with.
pub fn transplant(race: Race, from: &Profile, to: &mut Profile, hits: &mut Vec<LimitHit>) -> Race {
    let mut stack = |id: StackId| {
        let frames: Vec<FrameId> = from
            .stack(id)
            .iter()
            .map(|&f| {
                let frame = from.frames.get(f);
                let func = to.strings.intern(from.strings.get(frame.func));
                let file = to.strings.intern(from.strings.get(frame.file));
                to.frames.intern(Frame { func, file, line: frame.line })
            })
            .collect();
        intern_stack(to, &frames, hits)
    };
    Race {
        accesses: race.accesses.into_iter().map(|a| RaceAccess { stack: stack(a.stack), ..a }).collect(),
        goroutines: race.goroutines.into_iter().map(|g| RaceGoroutine { created_at: stack(g.created_at), ..g }).collect(),
        location_stack: race.location_stack.map(&mut stack),
        ..race
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_that_opens_a_part_of_a_report() {
        let access = |kind: &str, previous, address: &'static [u8], goroutine| Some(RaceLine::Access { kind: kind.into(), previous, address, goroutine });
        let table: [(&[u8], Option<RaceLine>); 11] = [
            (b"Read at 0x00c000014128 by goroutine 7:", access("read", false, b"0x00c000014128", Some(7))),
            (b"Write at 0x00c0002a60c0 by goroutine 21:", access("write", false, b"0x00c0002a60c0", Some(21))),
            (b"Previous write at 0x00c000014128 by main goroutine:", access("write", true, b"0x00c000014128", None)),
            (b"Previous read at 0x00c420e3a1b8 by goroutine 221:", access("read", true, b"0x00c420e3a1b8", Some(221))),
            (b"Read by goroutine 5:", access("read", false, b"", Some(5))),
            (b"Goroutine 21 (running) created at:", Some(RaceLine::Goroutine { goroutine: 21, status: b"running" })),
            (b"Goroutine 20 (finished) created at:", Some(RaceLine::Goroutine { goroutine: 20, status: b"finished" })),
            (
                b"Heap block of size 8 at 0x00c00001c0f8 allocated by goroutine 7:",
                Some(RaceLine::Location { text: b"Heap block of size 8 at 0x00c00001c0f8 allocated by goroutine 7", stack_follows: true }),
            ),
            (
                b"Global var counter of size 8 at 0x0000011b6a40 declared at /src/main.go:9",
                Some(RaceLine::Location { text: b"Global var counter of size 8 at 0x0000011b6a40 declared at /src/main.go:9", stack_follows: false }),
            ),
            (b"  main.main.func1()", None),
            (b"Read at 0x00c000014128 by someone:", None),
        ];
        for (line, want) in table {
            assert_eq!(race_line(line), want, "{}", String::from_utf8_lossy(line));
        }
        assert!(has_race_report(b"==================\nWARNING: DATA RACE\nRead at 0x00c000014128 by goroutine 7:\n"));
        assert!(!has_race_report(b"we saw a WARNING: DATA RACE in CI\nWARNING: DATA RACE\nand then it went away\n"));
    }
}
