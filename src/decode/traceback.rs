//! `?debug=2` goroutine dumps and crash tracebacks (panic, `fatal error:`, SIGQUIT, logs).
//!
//! [`grammar`] says what each kind of line looks like; the [`Decoder`] here is the state
//! machine ([`State`]) that says which kinds may come where, after panicparse's reading of
//! `runtime/traceback.go`'s output. What real pastes add is handled where it shows: per-line
//! timestamp prefixes are stripped, file lines indented with spaces or not at all are accepted,
//! a header glued to the text before it is found. A block cut short (a header with no frames,
//! a function or `created by` line with no file line) is kept as far as it goes, with a warning.

pub mod grammar;
pub mod race;

pub use grammar::{has_crash_line, has_goroutines, is_header_start, is_signal_line, parse_file_line, parse_func_line, parse_header, prefixes, Header};

use crate::decode::format::{DecodeError, Format};
use crate::decode::text::{first_line, looks_binary, parse_u64, trim, trim_end, Line, Lines, Warnings};
use grammar::{find_header, goleak_header, header_prefix, header_rest, is_known_trailer, split_func_line, strip_prefix_tokens, valid_func_name};
use race::{RaceReader, Read, RACE_START};

use crate::decode::stack::StackBuf;
use crate::limits::{LimitHit, MAX_ANCESTORS, MAX_FRAMES, MAX_GOROUTINES, MAX_LABELS, MAX_RACES};
use crate::model::{Ancestor, ArgList, Crash, Elision, FrameId, Goroutine, LabelSetId, LabelValue, Profile, ProfileKind, Sample, StrId};
use memchr::memmem;
use rustc_hash::FxHashMap;
use smallvec::smallvec;

/// The debug=2 formats: a dump whose first line that is not blank is a goroutine header
/// (`goroutine 1 [running]:`), or text with a header, a crash line or a race report anywhere
/// in it (a traceback after a log; `go test -race` output). Binary input is not read for headers.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if is_header_start(trim(first_line(bytes)?)) {
        return Some(Format::GoroutineDebug2);
    }
    (!looks_binary(bytes) && (has_goroutines(bytes) || has_crash_line(bytes) || race::has_race_report(bytes))).then_some(Format::Traceback)
}

/// Where the decoder is in a dump. From either state, a goroutine header
/// (`goroutine 8 [chan receive, 1 minutes]:`) starts a [`State::Block`], and a blank line
/// returns to [`State::Outside`].
// The block is large and there is one decoder per input: boxing it would cost an allocation
// per goroutine.
#[allow(clippy::large_enum_variant)]
enum State {
    /// Between blocks: the crash preamble is read (`panic: boom [recovered]`, `fatal error: all
    /// goroutines are asleep - deadlock!`, `[signal SIGSEGV: segmentation violation code=0x1
    /// addr=0x0 pc=0x48f1a5]`, `SIGQUIT: quit`); anything else is passed over (a log before the
    /// dump, `runtime stack:` and the system stack's frames, which belong to no goroutine).
    Outside,
    /// In a goroutine's block, reading frames into one of its [`Section`]s.
    Block(Block),
}

/// The part of a block that frames are read into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// The goroutine's frames: a function line (`main.worker(0xc000010000, 0x1)`) then its file
    /// line (`\t/src/main.go:42 +0x1c`), repeated; `...additional frames elided...` and
    /// `goroutine running on other thread; stack unavailable` are read here too.
    Stack,
    /// After `created by main.main in goroutine 1`: its file line.
    CreatedBy,
    /// After `[originating from goroutine 3]:` (GODEBUG=tracebackancestors=N): that
    /// ancestor's frames, as in [`Section::Stack`].
    Ancestor,
}

/// What a header says after the id, as the model keeps it. Headers repeat (`[chan send, 12
/// minutes] {route: "GET /x"}:` for thousands of goroutines), so each distinct one is parsed once.
#[derive(Clone, Copy)]
struct HeaderInfo {
    state: StrId,
    leaked: bool,
    durable: bool,
    wait_minutes: Option<u32>,
    locked_to_thread: bool,
    synctest_bubble: Option<u64>,
    labels: LabelSetId,
    has_unknown_parts: bool,
    /// The header had more than [`MAX_LABELS`] labels.
    labels_cut: bool,
}

struct Block {
    id: u64,
    /// Whether the goroutine goes into the profile: not when it is a re-print (GOTRACEBACK=crash)
    /// or past [`MAX_GOROUTINES`].
    keep: bool,
    info: HeaderInfo,
    /// The header from its `[` on, to name its unknown parts in a warning.
    unknown_header: Option<Box<[u8]>>,
    line: u32,
    frames: StackBuf,
    args: ArgList,
    created_by: Option<FrameId>,
    parent: Option<u64>,
    ancestors: Vec<Ancestor>,
    ancestor: Option<(u64, StackBuf)>,
    /// Ancestor stacks past [`MAX_ANCESTORS`] were dropped.
    ancestors_dropped: bool,
    elision: Elision,
    unavailable: bool,
    /// Started by a goleak line (`[Goroutine 52 in state select, with F on top of the
    /// stack:`), which names F: Go's own header for the same goroutine may follow and take its
    /// place, and a stack cut before its first frame keeps F.
    goleak: Option<StrId>,
    section: Section,
    /// A function line (or `created by` line) whose file line comes next (its arguments are
    /// in the arena already).
    pending: Option<StrId>,
}

/// The state machine, fed one line at a time, so that a dump can be decoded while it arrives.
pub struct Decoder {
    profile: Profile,
    warnings: Warnings,
    /// Whether every line carries a log prefix to strip (see [`prefixes`]).
    prefixed: bool,
    state: State,
    crash: Crash,
    saw_crash: bool,
    /// (id, gp) of goroutines seen, to count a re-printed one once.
    seen_gp: std::collections::HashSet<(u64, u64)>,
    /// Ids of this dump's goroutines printed with their stack.
    stacked_ids: rustc_hash::FxHashSet<u64>,
    /// Text other than blank lines came after this dump's last goroutine block.
    text_since_block: bool,
    /// In a test timeout's `running tests:` list.
    running_tests: bool,
    /// Crash lines read after this dump's goroutines: the next dump's preamble, if one follows.
    late_crash: Crash,
    saw_late_crash: bool,
    /// The dumps read before this one, each with the line it starts on; this one's first line.
    dumps: Vec<(Profile, u32)>,
    dump_from: u32,
    /// Whole headers whose bracket holds the labels (Go 1.26), each parsed once.
    headers: FxHashMap<Box<[u8]>, HeaderInfo>,
    /// Header brackets (`[chan send, 12 minutes]`) and what follows them (` {route: "GET /x"}:`),
    /// each parsed once: minutes and labels vary independently, so there are far fewer distinct
    /// halves than distinct headers.
    brackets: FxHashMap<Box<[u8]>, Option<HeaderInfo>>,
    label_tails: FxHashMap<Box<[u8]>, Option<LabelSetId>>,
    /// The frames buffer, handed from one block to the next.
    spare_frames: StackBuf,
    /// Names already found to be function names, by string id.
    func_names: Vec<bool>,
    /// Places where a header glued to other text was tried (see [`find_header`]).
    header_attempts: u64,
    /// The number of the line read last.
    last_line: u32,
    /// The race report being read (`WARNING: DATA RACE` up to its closing `=`s).
    race: Option<RaceReader>,
    /// Race reports read after this dump's goroutines: the next dump's, if one follows.
    late_races: Vec<crate::model::Race>,
    /// The tables race reports are read into, until it is known which dump they belong to
    /// (see [`race::transplant`]).
    race_tables: Profile,
}

/// A dump's profile with its crash preamble, if it had one: a crash profile, the crash record
/// naming the goroutine printed first.
fn close_crash(mut profile: Profile, mut crash: Crash, saw: bool) -> Profile {
    if saw {
        profile.kind = ProfileKind::Crash;
        crash.first_goroutine = profile.goroutines.first().map(|g| g.id);
        profile.crash = Some(crash);
    }
    profile
}

/// The header caches are cleared when one holds this many entries: a dump repeats a few
/// thousand distinct headers; only hostile input has more, and it must not grow them forever.
const MAX_CACHED_HEADERS: usize = 1 << 16;

/// Panic lines kept: a chain of recovered and re-raised panics prints one each.
const MAX_PANIC_LINES: usize = 100;

/// Decodes a whole debug=2 dump or traceback. Never fails: what cannot be read is warned about.
pub fn convert(bytes: &[u8], warnings: &mut Warnings) -> Result<Profile, DecodeError> {
    let mut decoder = Decoder::new(prefixes(bytes, true).unwrap_or(false));
    for line in Lines::new(bytes) {
        decoder.line(line);
    }
    let (profile, kept) = decoder.finish();
    *warnings = kept;
    Ok(profile)
}

impl Decoder {
    pub fn new(prefixed: bool) -> Self {
        Decoder {
            profile: Profile::goroutines(ProfileKind::Goroutine),
            warnings: Warnings::default(),
            prefixed,
            state: State::Outside,
            crash: Crash::default(),
            saw_crash: false,
            seen_gp: Default::default(),
            stacked_ids: Default::default(),
            text_since_block: false,
            running_tests: false,
            late_crash: Crash::default(),
            saw_late_crash: false,
            dumps: Vec::new(),
            dump_from: 1,
            headers: FxHashMap::default(),
            brackets: FxHashMap::default(),
            label_tails: FxHashMap::default(),
            spare_frames: StackBuf::default(),
            func_names: Vec::new(),
            header_attempts: 0,
            last_line: 0,
            race: None,
            late_races: Vec::new(),
            race_tables: Profile::new(ProfileKind::Goroutine),
        }
    }

    /// Reads the next line of the input.
    pub fn line(&mut self, line: Line<'_>) {
        let text = if self.prefixed { strip_prefix_tokens(line.text) } else { line.text };
        // A last line without its newline, inside a goroutine: the input was cut there.
        if !line.terminated && matches!(self.state, State::Block(_)) {
            self.profile.truncated = true;
        }
        if line.cut {
            self.warnings.limit(LimitHit::LineBytes { lines: 1 });
        }
        self.last_line = line.number;
        if line.ends_dump {
            self.note_cut_block();
        }
        self.text_line(text, line.number);
    }

    /// At the end of a dump: a block that ended on its header, or on a function line still
    /// waiting for its file line, was cut there.
    fn note_cut_block(&mut self) {
        if let State::Block(b) = &self.state {
            if b.pending.is_some() || b.frames.is_empty() && !b.unavailable {
                self.profile.truncated = true;
            }
        }
    }

    /// The profile of every line read, and what could not be read of them; for an input that
    /// holds several dumps, the last one (see [`Decoder::finish_all`]).
    pub fn finish(self) -> (Profile, Warnings) {
        let (mut dumps, warnings) = self.finish_all();
        (dumps.pop().expect("one dump at least").0, warnings)
    }

    /// Every dump of the input, in order, each with the number of the line it starts on (a
    /// new dump starts where goroutine ids restart after other text: see
    /// [`Decoder::starts_another_dump`]), and what could not be read of them.
    pub fn finish_all(mut self) -> (Vec<(Profile, u32)>, Warnings) {
        self.note_cut_block();
        self.close_race(self.last_line.saturating_add(1), true);
        self.finish_block(self.last_line.saturating_add(1));
        let late = std::mem::take(&mut self.late_crash);
        self.saw_crash |= self.saw_late_crash;
        self.crash.panic.extend(late.panic.into_iter().take(MAX_PANIC_LINES.saturating_sub(self.crash.panic.len())));
        self.crash.fatal_error = self.crash.fatal_error.take().or(late.fatal_error);
        self.crash.signal = self.crash.signal.take().or(late.signal);
        self.take_races();
        self.dumps.push((close_crash(self.profile, self.crash, self.saw_crash), self.dump_from));
        (self.dumps, self.warnings)
    }

    fn text_line(&mut self, text: &[u8], number: u32) {
        if let Some(race) = &mut self.race {
            match race.line(text, number, &mut self.race_tables, &mut self.warnings) {
                Read::Taken => return,
                Read::Closed => return self.close_race(number, false),
                Read::NotMine => self.close_race(number, true),
            }
        }
        if trim(text) == RACE_START {
            // Printed between goroutine blocks, or alone (`go test -race`); after this dump's
            // goroutines it is text between dumps, as a crash preamble is.
            self.finish_block(number);
            self.text_since_block |= !self.profile.goroutines.is_empty();
            let keep = self.profile.races.len() + self.late_races.len() < MAX_RACES;
            // A report that is not kept is read through, its frames not kept either.
            if !keep {
                self.warnings.limit(LimitHit::Races { skipped: 1 });
            }
            self.race = Some(RaceReader::new(number, keep));
            return;
        }
        // Every header ends with `:`; function and file lines never do, so most lines skip
        // the search for a header.
        let header = if trim_end(text).last() == Some(&b':') { find_header(text, &mut self.header_attempts) } else { None };
        if let Some(at) = header {
            if at > 0 {
                self.outside(&text[..at], number);
            }
            if let Some((id, gp, rest)) = header_prefix(&text[at..]) {
                if self.starts_another_dump(id, gp) && self.header_info(trim_end(rest)).is_some() {
                    self.next_dump(number);
                }
                if let Some(info) = self.header_info(trim_end(rest)) {
                    // goleak before 1.3 printed its line, then Go's header: the header holds more.
                    if matches!(&self.state, State::Block(b) if b.goleak.is_some() && b.id == id && b.frames.is_empty() && b.pending.is_none()) {
                        self.state = State::Outside;
                    }
                    self.finish_block(number);
                    self.start_block(id, gp, info, trim_end(rest), number);
                    return;
                }
            }
        }
        if header.is_none() && trim_end(text).last() == Some(&b':') {
            if let Some((id, state, top)) = goleak_header(text) {
                let bracket = [b"[", state, b"]:"].concat();
                if let Some(info) = self.header_info(&bracket) {
                    self.finish_block(number);
                    self.start_block(id, None, info, &bracket, number);
                    let top = self.profile.strings.intern_bytes(top);
                    if let State::Block(b) = &mut self.state {
                        b.goleak = Some(top);
                    }
                    return;
                }
            }
        }
        // The `]` that closes goleak's list of goroutines.
        if trim(text).is_empty() || trim(text) == b"]" {
            self.finish_block(number);
            return;
        }
        if matches!(self.state, State::Block(_)) {
            self.inside(text, number);
        } else {
            self.outside(text, number);
        }
    }

    /// The parsed header after its id, from the cache or parsed now.
    fn header_info(&mut self, rest: &[u8]) -> Option<HeaderInfo> {
        if self.brackets.len() + self.label_tails.len() + self.headers.len() > MAX_CACHED_HEADERS {
            self.brackets.clear();
            self.label_tails.clear();
            self.headers.clear();
        }
        // Split at the bracket's end, unless Go 1.26 put the labels inside the bracket. Labels
        // are read before the state, as for a whole header, so ids come in the same order.
        if let Some(close) = memchr::memchr(b']', rest) {
            let (bracket, tail) = rest.split_at(close + 1);
            if memmem::find(bracket, b" labels:{").is_none() {
                let labels = match self.label_tails.get(tail) {
                    Some(&labels) => labels,
                    None => {
                        let labels = self.parse_header_info(&[b"[]", tail].concat()).map(|info| info.labels);
                        self.label_tails.insert(tail.into(), labels);
                        labels
                    }
                };
                // Not a header: nothing of it is kept (a bracket alone always reads).
                let labels = labels?;
                let info = match self.brackets.get(bracket) {
                    Some(&info) => info,
                    None => {
                        let info = self.parse_header_info(&[bracket, b":"].concat());
                        self.brackets.insert(bracket.into(), info);
                        info
                    }
                };
                return Some(HeaderInfo { labels, ..info? });
            }
        }
        if let Some(info) = self.headers.get(rest) {
            return Some(*info);
        }
        let info = self.parse_header_info(rest)?;
        self.headers.insert(rest.into(), info);
        Some(info)
    }

    fn parse_header_info(&mut self, rest: &[u8]) -> Option<HeaderInfo> {
        let mut header = Header::default();
        header_rest(rest, &mut header)?;
        let profile = &mut self.profile;
        let labels_cut = header.labels.len() > MAX_LABELS;
        let labels = header.labels.iter().take(MAX_LABELS).map(|(k, v)| (profile.strings.intern(k), LabelValue::Str(profile.strings.intern(v)))).collect();
        let info = HeaderInfo {
            state: profile.strings.intern(&header.state),
            leaked: header.leaked,
            durable: header.durable,
            wait_minutes: header.wait_minutes,
            locked_to_thread: header.locked_to_thread,
            synctest_bubble: header.synctest_bubble,
            labels: profile.label_set(labels),
            has_unknown_parts: !header.unknown_parts.is_empty(),
            labels_cut,
        };
        Some(info)
    }

    /// Text outside goroutine blocks: the crash preamble, and anything else, passed over.
    fn outside(&mut self, text: &[u8], number: u32) {
        let t = trim(text);
        if t.is_empty() {
            return;
        }
        if t == b"runtime stack:" {
            // The crashing thread's system stack (g0): its frames belong to no goroutine.
            self.warnings.note(number, || "the `runtime stack:` section (the crashing thread's system stack) belongs to no goroutine and is not read".into());
            return;
        }
        // Text after this dump's goroutines: another dump may follow, whose preamble it is.
        let after_goroutines = !self.profile.goroutines.is_empty();
        self.text_since_block |= after_goroutines;
        let (crash, saw) = if after_goroutines { (&mut self.late_crash, &mut self.saw_late_crash) } else { (&mut self.crash, &mut self.saw_crash) };
        // `panic: test timed out after 5s` then `running tests:` and a line per test:
        // `TestDataLoaderSync (5s)`.
        if t == b"running tests:" {
            self.running_tests = true;
            return;
        }
        if self.running_tests {
            let line = String::from_utf8_lossy(t);
            if let Some((name, elapsed)) = line.strip_suffix(')').and_then(|l| l.rsplit_once(" (")).filter(|(name, _)| !name.contains(' ')) {
                if crash.running_tests.len() < MAX_PANIC_LINES {
                    crash.running_tests.push((name.to_string(), elapsed.to_string()));
                }
                return;
            }
            self.running_tests = false;
        }
        if let Some(pos) = memmem::find(t, b"panic: ").filter(|&p| p == 0 || (p == 1 && !t[0].is_ascii_alphanumeric())) {
            *saw = true;
            if crash.panic.len() < MAX_PANIC_LINES {
                crash.panic.push(String::from_utf8_lossy(&t[pos..]).into_owned());
            }
        } else if let Some(pos) = memmem::find(t, b"fatal error: ").filter(|&p| p <= 1) {
            *saw = true;
            if crash.fatal_error.is_none() {
                crash.fatal_error = Some(String::from_utf8_lossy(&t[pos + 13..]).into_owned());
            }
        } else if t.starts_with(b"[signal ") || is_signal_line(t) || t.starts_with(b"Exception 0x") {
            *saw = true;
            if crash.signal.is_none() {
                crash.signal = Some(String::from_utf8_lossy(t).into_owned());
            }
        }
    }

    /// Ends the race report being read, if any, at line `at`: `cut` when a line that is none
    /// of the report's (or the end of the input) came before its closing `=`s. A report after
    /// this dump's goroutines goes with the next dump, as crash lines there do; one cut before
    /// its first access says nothing and is left out.
    fn close_race(&mut self, at: u32, cut: bool) {
        let Some(reader) = self.race.take() else { return };
        let Some(race) = reader.finish(&mut self.race_tables, &mut self.warnings) else { return };
        if cut {
            let from = race.line;
            self.warnings.note(at, || format!("the data race report of line {from} ends here without its closing `==================` (cut off?)"));
        }
        if race.accesses.is_empty() {
            return;
        }
        self.late_races.push(race);
        if self.profile.goroutines.is_empty() {
            self.take_races();
        }
    }

    /// Moves the race reports read so far into the dump being read.
    fn take_races(&mut self) {
        for race in std::mem::take(&mut self.late_races) {
            let race = race::transplant(race, &self.race_tables, &mut self.profile, &mut self.warnings.limits);
            self.profile.races.push(race);
        }
        self.race_tables = Profile::new(ProfileKind::Goroutine);
    }

    /// Whether the header of goroutine `id` starts another dump: its id was read in this dump
    /// already with a stack (not only "stack unavailable"), it is no re-print of GOTRACEBACK=crash
    /// (the same `gp=`), it is not goroutine 0 (printed once per thread), and text came between
    /// (a log line, another dump's preamble). A log that got a dump appended per run, or a
    /// signal sent twice, holds several.
    fn starts_another_dump(&self, id: u64, gp: Option<u64>) -> bool {
        id != 0 && self.text_since_block && self.stacked_ids.contains(&id) && !gp.is_some_and(|gp| self.seen_gp.contains(&(id, gp)))
    }

    /// Ends the dump read so far and starts the next one, whose crash preamble is what was
    /// read after the last one's goroutines.
    fn next_dump(&mut self, at: u32) {
        self.finish_block(at);
        let profile = std::mem::replace(&mut self.profile, Profile::goroutines(ProfileKind::Goroutine));
        self.take_races();
        let crash = std::mem::take(&mut self.late_crash);
        let saw = std::mem::take(&mut self.saw_late_crash);
        let (crash, saw) = (std::mem::replace(&mut self.crash, crash), std::mem::replace(&mut self.saw_crash, saw));
        self.dumps.push((close_crash(profile, crash, saw), self.dump_from));
        self.dump_from = at;
        self.seen_gp.clear();
        self.stacked_ids.clear();
        self.headers.clear();
        self.brackets.clear();
        self.label_tails.clear();
        self.func_names.clear();
        self.text_since_block = false;
    }

    fn start_block(&mut self, id: u64, gp: Option<u64>, info: HeaderInfo, header_rest: &[u8], line: u32) {
        // GOTRACEBACK=crash prints the goroutine running on each thread again: a block whose
        // (id, gp) was seen is read and then dropped.
        let seen_again = gp.is_some_and(|gp| !self.seen_gp.insert((id, gp)));
        let full = self.profile.goroutines.len() >= MAX_GOROUTINES;
        if full && !seen_again {
            self.warnings.limit(LimitHit::Goroutines { kept: MAX_GOROUTINES as u64, skipped: 1 });
        }
        let mut frames = std::mem::take(&mut self.spare_frames);
        frames.clear();
        self.text_since_block = false;
        self.state = State::Block(Block {
            id,
            keep: !seen_again && !full,
            info,
            unknown_header: info.has_unknown_parts.then(|| header_rest.into()),
            line,
            frames,
            args: ArgList { first: self.profile.args.next_index(), count: 0 },
            created_by: None,
            parent: None,
            ancestors: Vec::new(),
            ancestor: None,
            ancestors_dropped: false,
            elision: Elision::None,
            unavailable: false,
            goleak: None,
            section: Section::Stack,
            pending: None,
        });
    }

    fn inside(&mut self, text: &[u8], number: u32) {
        let State::Block(block) = &mut self.state else { return };
        if let Some(func) = block.pending {
            if let Some((file, line)) = parse_file_line(text) {
                let file = self.profile.strings.intern_bytes(file);
                let frame = self.profile.frames.intern(crate::model::Frame { func, file, line });
                place(block, frame);
                return;
            }
            // A function line with no file line after it (cut, or a user's edit).
            let frame = self.profile.frames.intern(crate::model::Frame { func, file: 0, line: 0 });
            place(block, frame);
            let id = block.id;
            self.warnings.note(number, || format!("goroutine {id}: function line without its file line"));
        }
        let State::Block(block) = &mut self.state else { return };
        let t = trim(text);
        if let Some(rest) = t.strip_prefix(b"created by ") {
            // One searcher for every goroutine's `created by` line, not one per line.
            static IN_GOROUTINE: std::sync::LazyLock<memmem::Finder<'static>> = std::sync::LazyLock::new(|| memmem::Finder::new(b" in goroutine "));
            let (name, parent) = match IN_GOROUTINE.find(rest) {
                Some(at) => (&rest[..at], parse_u64(&rest[at + 14..])),
                None => (rest, None),
            };
            if block.section != Section::Ancestor {
                block.parent = parent;
                block.section = Section::CreatedBy;
            }
            block.pending = Some(self.profile.strings.intern_bytes(name));
            return;
        }
        if t.starts_with(b"...") && t.ends_with(b"frames elided...") {
            let count = t[3..].split(|&c| c == b' ').next().and_then(parse_u64);
            block.elision = match count {
                Some(n) => Elision::Frames(n as u32),
                None => Elision::Additional,
            };
            return;
        }
        if let Some(rest) = t.strip_prefix(b"[originating from goroutine ") {
            if let Some(id) = rest.strip_suffix(b"]:").and_then(parse_u64) {
                close_ancestor(&mut self.profile, &mut self.warnings, block);
                block.section = Section::Ancestor;
                block.ancestor = Some((id, StackBuf::default()));
                return;
            }
        }
        if t == b"goroutine running on other thread; stack unavailable" {
            block.unavailable = true;
            return;
        }
        if let Some((name, args)) = split_func_line(t) {
            let known = self.profile.strings.lookup(name).filter(|&id| self.func_names.get(id as usize) == Some(&true));
            let func = match known {
                Some(id) => Some(id),
                None if valid_func_name(name) => {
                    let id = self.profile.strings.intern_bytes(name);
                    if self.func_names.len() <= id as usize {
                        self.func_names.resize(id as usize + 1, false);
                    }
                    self.func_names[id as usize] = true;
                    Some(id)
                }
                None => None,
            };
            if let Some(func) = func {
                // Arguments go with the frames kept: all of a stack that fits, else the first half
                // (see `finish_block`); none for a goroutine that is not kept.
                if block.keep && block.section == Section::Stack && (block.args.count as usize) < MAX_FRAMES {
                    if !self.profile.args.push(args) {
                        self.warnings.limit(LimitHit::ArgBytes { args: 1 });
                    }
                    block.args.count += 1;
                }
                block.pending = Some(func);
                return;
            }
        }
        if is_known_trailer(t) {
            self.finish_block(number);
            self.outside(text, number);
            return;
        }
        let id = block.id;
        let shown = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
        self.warnings.skip(number, || format!("goroutine {id}: unexpected line, skipped: {shown}"));
        // Text no block holds (a log line right after the last frame): another dump may follow.
        self.text_since_block = true;
    }

    /// Ends the block being read, if any, at line `at` (the line after its last: a blank line,
    /// the next header, or the end of the input), where a cut is warned about.
    fn finish_block(&mut self, at: u32) {
        let State::Block(mut block) = std::mem::replace(&mut self.state, State::Outside) else { return };
        let id = block.id;
        if let Some(func) = block.pending {
            // `main.main()` or `created by main.main` and then the end of the block.
            let frame = self.profile.frames.intern(crate::model::Frame { func, file: 0, line: 0 });
            let what = if block.section == Section::CreatedBy { "`created by` line" } else { "function line" };
            self.warnings.note(at, || format!("goroutine {id}: the block ends after a {what}, without its file line (cut off?)"));
            place(&mut block, frame);
        } else if let Some(top) = block.goleak.filter(|_| block.frames.is_empty() && block.section == Section::Stack) {
            // goleak named the function on top; its frames were cut.
            self.warnings.note(at, || format!("goroutine {id}: the stack is cut; only the function goleak names on top of it is known"));
            let frame = self.profile.frames.intern(crate::model::Frame { func: top, file: 0, line: 0 });
            place(&mut block, frame);
        } else if block.frames.is_empty() && !block.unavailable && block.section == Section::Stack {
            // `goroutine 1 [running]:` and then the end of the block.
            self.warnings.note(at, || format!("goroutine {id}: no frames after the header (cut off?)"));
        }
        close_ancestor(&mut self.profile, &mut self.warnings, &mut block);
        if !block.keep {
            self.spare_frames = block.frames;
            return;
        }
        let profile = &mut self.profile;
        if block.frames.elided() {
            block.args.count = block.args.count.min(MAX_FRAMES as u32 / 2);
        }
        let stack = block.frames.finish(profile, &mut self.warnings.limits);
        self.spare_frames = block.frames;
        let info = block.info;
        if info.labels_cut {
            self.warnings.limit(LimitHit::Labels { sets: 1 });
        }
        if block.ancestors_dropped {
            self.warnings.limit(LimitHit::Ancestors { goroutines: 1 });
        }
        if let Some(rest) = &block.unknown_header {
            let id = block.id;
            self.warnings.note(block.line, || {
                let mut h = Header::default();
                header_rest(rest, &mut h);
                format!("goroutine {id}: unknown header part kept out of the state: {}", h.unknown_parts.join(", "))
            });
        }
        if !block.unavailable {
            self.stacked_ids.insert(block.id);
        }
        let index = profile.goroutines.len() as u32;
        profile.goroutines.push(Goroutine {
            id: block.id,
            state: info.state,
            leaked: info.leaked,
            durable: info.durable,
            wait_minutes: info.wait_minutes,
            locked_to_thread: info.locked_to_thread,
            synctest_bubble: info.synctest_bubble,
            labels: info.labels,
            stack,
            args: block.args,
            elision: block.elision,
            created_by: block.created_by,
            parent: block.parent,
            ancestors: block.ancestors,
            stack_unavailable: block.unavailable,
            line: block.line,
        });
        profile.samples.push(Sample { stack, values: smallvec![1], labels: info.labels, goroutine: Some(index) });
    }
}

/// Puts a completed frame where the block is reading.
fn place(block: &mut Block, frame: FrameId) {
    block.pending = None;
    match block.section {
        Section::Stack => block.frames.push(frame),
        Section::CreatedBy => block.created_by = Some(frame),
        Section::Ancestor => {
            if let Some((_, frames)) = block.ancestor.as_mut() {
                frames.push(frame);
            }
        }
    }
}

fn close_ancestor(profile: &mut Profile, warnings: &mut Warnings, block: &mut Block) {
    let Some((id, mut frames)) = block.ancestor.take() else { return };
    if !block.keep {
        return;
    }
    if block.ancestors.len() == MAX_ANCESTORS {
        block.ancestors_dropped = true;
        return;
    }
    let stack = frames.finish(profile, &mut warnings.limits);
    block.ancestors.push(Ancestor { id, stack });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_HEADER_ATTEMPTS;

    /// Decodes `text` line by line; the decoder afterwards.
    fn decoder_after(text: &[u8]) -> Decoder {
        let mut decoder = Decoder::new(false);
        for line in Lines::new(text) {
            decoder.line(line);
        }
        decoder
    }

    #[test]
    fn a_line_of_header_starts_is_searched_in_bounded_work() {
        // `goroutine 1 [` repeated after other text: each place that starts like a header used
        // to be parsed to the end of the line, 49 s for a line of 1 MB.
        for repeat in [10, 1_000, 80_000] {
            let line = format!("x{}]]:\n", "goroutine 1 [".repeat(repeat));
            let decoder = decoder_after(line.as_bytes());
            assert!(decoder.header_attempts <= MAX_HEADER_ATTEMPTS as u64, "{repeat}: {}", decoder.header_attempts);
            assert!(decoder.profile.goroutines.is_empty());
        }
        // A real glued header is still found.
        let decoder = decoder_after(b"dumping all stacksgoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n");
        assert_eq!(decoder.finish().0.goroutines.len(), 1);
    }
}
