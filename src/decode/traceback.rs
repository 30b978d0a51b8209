//! `?debug=2` goroutine dumps and crash tracebacks (panic, `fatal error:`, SIGQUIT, logs).
//!
//! The grammar is a state machine over lines. Outside a goroutine block the decoder reads the
//! crash preamble (`panic: ...`, `fatal error: ...`, `[signal ...]`) and passes over other
//! text; a header (`goroutine 8 [chan receive, 1 minutes]:`) opens a block; inside it a
//! function line (`main.worker(0xc000010000, 0x1)`) waits for its file line
//! (`\t/src/main.go:42 +0x1c`); a blank line closes the block. What real pastes add is handled
//! where it shows: per-line timestamp prefixes are stripped, file lines indented with spaces
//! or not at all are accepted, a header glued to the text before it is found.

use super::text::{contains, parse_label_map, parse_u64, trim, trim_end, trim_start, Line, Lines, Warnings};
use crate::limits::{LimitHit, StackBuf, MAX_ANCESTORS, MAX_FRAMES, MAX_GOROUTINES, MAX_HEADER_ATTEMPTS, MAX_LABELS};
use crate::model::{Ancestor, ArgList, Crash, Elision, FrameId, Goroutine, LabelSetId, LabelValue, Profile, ProfileKind, Sample, StrId};
use memchr::memmem;
use rustc_hash::FxHashMap;
use smallvec::smallvec;

/// What a goroutine header says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub id: u64,
    /// `gp=0x...` (GOTRACEBACK=system and later): tells a re-printed goroutine from another.
    pub gp: Option<u64>,
    pub state: String,
    pub leaked: bool,
    pub durable: bool,
    pub scan: bool,
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    pub synctest_bubble: Option<u64>,
    pub labels: Vec<(String, String)>,
    /// Parts of the bracket this decoder does not know (kept so that nothing is lost silently).
    pub unknown_parts: Vec<String>,
}

/// `goroutine 8 [` or `goroutine 1 gp=0x... m=0 mp=0x... [` at the start of `line`.
pub fn is_header_start(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"goroutine ") else { return false };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && (rest[digits..].starts_with(b" [") || rest[digits..].starts_with(b" gp="))
}

/// Whether any line of `head` holds a goroutine header, at its start or after other text.
pub fn has_goroutines(head: &[u8]) -> bool {
    Lines::new(head).any(|l| find_header(l.text, &mut 0).is_some())
}

/// Parses a whole header line: `goroutine 23 [chan receive, 2 minutes] {route: "GET /x"}:`.
pub fn parse_header(line: &[u8]) -> Option<Header> {
    let (id, gp, rest) = header_prefix(line)?;
    let mut header = Header { id, gp, ..Header::default() };
    header_rest(rest, &mut header)?;
    Some(header)
}

/// `goroutine 8 ` and `gp=0xc000007c00 m=nil mp=0x... ` (Go 1.23+ with GOTRACEBACK=system or a
/// crash): the id, the gp, and the bytes from `[` on.
fn header_prefix(line: &[u8]) -> Option<(u64, Option<u64>, &[u8])> {
    let rest = line.strip_prefix(b"goroutine ")?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let id = parse_u64(&rest[..digits])?;
    let mut gp = None;
    let mut rest = rest[digits..].strip_prefix(b" ")?;
    while !rest.starts_with(b"[") {
        let end = rest.iter().position(|&c| c == b' ')?;
        let (key, value) = rest[..end].split_at(rest[..end].iter().position(|&c| c == b'=')?);
        if key == b"gp" {
            gp = value[1..].strip_prefix(b"0x").and_then(|h| u64::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        }
        rest = &rest[end + 1..];
    }
    Some((id, gp, rest))
}

/// What a header says from its `[` on: state, flags, minutes, labels.
fn header_rest(rest: &[u8], header: &mut Header) -> Option<()> {
    // The bracket; Go 1.26 puts ` labels:{...}` inside it, and a label may hold `]`.
    let mut content: Vec<u8> = Vec::with_capacity(32);
    let mut i = 1;
    loop {
        let c = *rest.get(i)?;
        if c == b']' {
            break;
        }
        if rest[i..].starts_with(b" labels:{") {
            let (pairs, after) = parse_label_map(&rest[i + 8..])?;
            header.labels = pairs;
            i = rest.len() - after.len();
            continue;
        }
        content.push(c);
        i += 1;
    }
    let mut after = &rest[i + 1..];
    // Go 1.27 prints labels after the bracket.
    if after.starts_with(b" {") {
        let (pairs, tail) = parse_label_map(&after[1..])?;
        header.labels = pairs;
        after = tail;
    }
    if trim_end(after) != b":" {
        return None;
    }
    let content = String::from_utf8_lossy(&content);
    let mut parts = content.split(", ");
    let mut state = parts.next().unwrap_or("").trim_end();
    loop {
        if let Some(s) = state.strip_suffix(" (leaked)") {
            header.leaked = true;
            state = s;
        } else if let Some(s) = state.strip_suffix(" (scan)") {
            header.scan = true;
            state = s;
        } else if let Some(s) = state.strip_suffix(" (durable)") {
            header.durable = true;
            state = s;
        } else {
            break;
        }
    }
    header.state = state.to_string();
    for part in parts {
        let part = part.trim();
        if let Some(n) = part.strip_suffix(" minutes") {
            header.wait_minutes = n.parse().ok();
            if header.wait_minutes.is_none() {
                header.unknown_parts.push(part.to_string());
            }
        } else if part == "locked to thread" {
            header.locked_to_thread = true;
        } else if let Some(n) = part.strip_prefix("synctest bubble ").or_else(|| part.strip_prefix("synctest group ")) {
            header.synctest_bubble = n.parse().ok();
        } else if part == "durable" {
            header.durable = true;
        } else if !part.is_empty() {
            header.unknown_parts.push(part.to_string());
        }
    }
    Some(())
}

/// Finds a header in a line: at its start, or glued to text before it
/// (`dumping all stacksgoroutine 1 [running]:`). Returns where it starts. A glued header is
/// tried at the first [`MAX_HEADER_ATTEMPTS`] places that start like one, each try reading the
/// rest of the line once, so a line of `goroutine 1 [` repeated costs linear time, not
/// quadratic; `attempts` counts the tries.
fn find_header(line: &[u8], attempts: &mut u64) -> Option<usize> {
    if is_header_start(line) {
        return Some(0);
    }
    let end = trim_end(line);
    if !(end.ends_with(b"]:") || end.ends_with(b"}:")) || line.len() < 14 {
        return None;
    }
    memmem::find_iter(line, b"goroutine ").filter(|&at| at > 0 && is_header_start(&line[at..])).take(MAX_HEADER_ATTEMPTS).find(|&at| {
        *attempts += 1;
        parse_header(&line[at..]).is_some()
    })
}

/// A function line: `pkg.(*T).Method(0x1, {0x2, 0x3})` gives the name and the argument text.
/// A line cut inside its arguments (`pkg.F(0xc4, 0x`) still gives the name.
pub fn parse_func_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    split_func_line(line).filter(|(name, _)| valid_func_name(name))
}

/// [`parse_func_line`] without checking the name, for callers that remember names already
/// checked (a dump repeats a few thousand names hundreds of thousands of times).
fn split_func_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let t = trim(line);
    if t.last() == Some(&b')') {
        // Arguments hold no parentheses (`(0xc000010000, {0x1, 0x2}, ...)`): then the last `(`
        // opens them. Otherwise the parentheses are counted from the end.
        if let Some(open) = memchr::memrchr(b'(', t) {
            if !t[open + 1..t.len() - 1].contains(&b')') {
                return Some((&t[..open], &t[open + 1..t.len() - 1]));
            }
        }
        let mut depth = 0i32;
        for (i, &c) in t.iter().enumerate().rev() {
            match c {
                b')' => depth += 1,
                b'(' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((&t[..i], &t[i + 1..t.len() - 1]));
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    // Cut off: the arguments start at the first `(` that does not follow a `.` (`.(*T)` is
    // part of a method name).
    let open = t.iter().enumerate().position(|(i, &c)| c == b'(' && i > 0 && t[i - 1] != b'.')?;
    let name = &t[..open];
    let args = &t[open + 1..];
    let args_like = args.iter().all(|c| c.is_ascii_hexdigit() || b"xX{}?,. ".contains(c));
    args_like.then_some((name, args))
}

/// Names have balanced parentheses and brackets and start like an identifier or a path.
fn valid_func_name(name: &[u8]) -> bool {
    if name.is_empty() || name.contains(&b'\t') || name.starts_with(b" ") {
        return false;
    }
    let (mut paren, mut bracket) = (0i32, 0i32);
    for &c in name {
        match c {
            b'(' => paren += 1,
            b')' => paren -= 1,
            b'[' => bracket += 1,
            b']' => bracket -= 1,
            _ => {}
        }
        if paren < 0 || bracket < 0 {
            return false;
        }
    }
    paren == 0 && bracket == 0 && !name.starts_with(b"goroutine ") && !name.contains(&b':') && !name.contains(&b'=')
}

/// A file line: `\t/src/x.go:42 +0x1c fp=0x.. sp=0x.. pc=0x..`, also indented with spaces or
/// not at all, with Windows paths (`C:/Users/x.go:7`), `??:0` and `<autogenerated>:1`.
pub fn parse_file_line(line: &[u8]) -> Option<(&[u8], u32)> {
    let mut t = trim(line);
    // Trailing `+0x1c`, `fp=`, `sp=`, `pc=` tokens, in any combination.
    while let Some(space) = memchr::memrchr(b' ', t) {
        let token = &t[space + 1..];
        if token.starts_with(b"+0x") || token.starts_with(b"fp=") || token.starts_with(b"sp=") || token.starts_with(b"pc=") {
            t = trim_end(&t[..space]);
        } else {
            break;
        }
    }
    let colon = memchr::memrchr(b':', t)?;
    let line_no = parse_u64(&t[colon + 1..])?;
    let file = &t[..colon];
    if file.is_empty() || file.ends_with(b")") {
        return None;
    }
    Some((file, u32::try_from(line_no).unwrap_or(u32::MAX)))
}

/// Per-line prefixes that CI logs and log shippers add: line numbers and timestamps
/// (` 618283 2021-09-15T07:40:15.1455272Z goroutine 177 [chan receive]:`).
fn strip_prefix_tokens(line: &[u8]) -> &[u8] {
    let mut rest = line;
    loop {
        let start = trim_start(rest);
        let end = start.iter().position(|&c| c == b' ' || c == b'\t').unwrap_or(start.len());
        let token = &start[..end];
        let prefix_like = !token.is_empty() && token.iter().any(u8::is_ascii_digit) && token.iter().all(|c| c.is_ascii_digit() || b":.-+/TZ,".contains(c));
        if !prefix_like {
            return rest;
        }
        if end == start.len() {
            // Only a prefix: an empty line of the log (or one cut off inside its timestamp).
            return &start[end..];
        }
        // The token and the one space that separates it from the line's own text.
        rest = &start[end + 1..];
    }
}

/// Whether this input prefixes every line: true when the first header (within the first
/// 100,000 lines) stands after a prefix. `None` while `head`, the start of an input still
/// arriving, cannot tell yet; with `complete`, `head` is the whole input and the answer is final.
pub fn prefixes(head: &[u8], complete: bool) -> Option<bool> {
    let mut read = 0;
    for line in Lines::new(head).take(100_000) {
        if !line.terminated && !complete {
            return None;
        }
        read += 1;
        if is_header_start(line.text) {
            return Some(false);
        }
        if let Some(at) = memmem::find(line.text, b"goroutine ") {
            let stripped = strip_prefix_tokens(line.text);
            if stripped.len() < line.text.len() && is_header_start(stripped) && at > 0 {
                return Some(true);
            }
        }
    }
    (complete || read == 100_000).then_some(false)
}

/// Register dumps and other lines that follow a SIGQUIT or crash traceback: `go test` and
/// `go run` verdicts, separators, the fences of a pasted Markdown block. Any of them ends a block.
fn is_known_trailer(t: &[u8]) -> bool {
    let t = trim(t);
    let known = [&b"PC="[..], b"exit status ", b"-----", b"FAIL", b"```", b"--- FAIL", b"panic: ", b"fatal error: "];
    if known.iter().any(|k| t.starts_with(k)) || is_signal_line(t) {
        return true;
    }
    // `rax    0x0`, `r10    0x8`, `trap    0x0`, `eflags 0x246`
    let name = t.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    name > 0 && name <= 8 && trim_start(&t[name..]).starts_with(b"0x") && t[name..].first().is_some_and(|c| c.is_ascii_whitespace())
}

/// The section of a block that frames are being read into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Stack,
    CreatedBy,
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
    section: Section,
    /// A function line waiting for its file line (its arguments are in the arena already).
    pending: Option<StrId>,
}

/// The state machine, fed one line at a time, so that a dump can be decoded while it arrives.
pub struct Decoder {
    profile: Profile,
    warnings: Warnings,
    /// Whether every line carries a log prefix to strip (see [`prefixes`]).
    prefixed: bool,
    block: Option<Block>,
    crash: Crash,
    saw_crash: bool,
    /// Inside a `runtime stack:` section (system stack frames with no goroutine).
    in_runtime_stack: bool,
    /// (id, gp) of goroutines seen, to count a re-printed one once.
    seen_gp: std::collections::HashSet<(u64, u64)>,
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
}

/// The header caches are cleared when one holds this many entries: a dump repeats a few
/// thousand distinct headers; only hostile input has more, and it must not grow them forever.
const MAX_CACHED_HEADERS: usize = 1 << 16;

/// Panic lines kept: a chain of recovered and re-raised panics prints one each.
const MAX_PANIC_LINES: usize = 100;

/// Decodes a whole debug=2 dump or traceback. Never fails: what cannot be read is warned about.
pub fn convert(bytes: &[u8], warnings: &mut Warnings) -> Profile {
    let mut decoder = Decoder::new(prefixes(bytes, true).unwrap_or(false));
    for line in Lines::new(bytes) {
        decoder.line(line);
    }
    let (profile, kept) = decoder.finish();
    *warnings = kept;
    profile
}

impl Decoder {
    pub fn new(prefixed: bool) -> Self {
        Decoder {
            profile: Profile::goroutines(ProfileKind::Goroutine),
            warnings: Warnings::default(),
            prefixed,
            block: None,
            crash: Crash::default(),
            saw_crash: false,
            in_runtime_stack: false,
            seen_gp: Default::default(),
            headers: FxHashMap::default(),
            brackets: FxHashMap::default(),
            label_tails: FxHashMap::default(),
            spare_frames: StackBuf::default(),
            func_names: Vec::new(),
            header_attempts: 0,
        }
    }

    /// Reads the next line of the input.
    pub fn line(&mut self, line: Line<'_>) {
        let text = if self.prefixed { strip_prefix_tokens(line.text) } else { line.text };
        // A last line without its newline, inside a goroutine: the input was cut there.
        if !line.terminated && self.block.is_some() {
            self.profile.truncated = true;
        }
        if line.cut {
            self.warnings.limit(LimitHit::LineBytes { lines: 1 });
        }
        self.text_line(text, line.number);
    }

    /// The profile of every line read, and what could not be read of them.
    pub fn finish(mut self) -> (Profile, Warnings) {
        // Or it ended on a header, or on a function line still waiting for its file line.
        if self.block.as_ref().is_some_and(|b| b.pending.is_some() || b.frames.is_empty() && !b.unavailable) {
            self.profile.truncated = true;
        }
        self.finish_block();
        let mut profile = self.profile;
        if self.saw_crash {
            profile.kind = ProfileKind::Crash;
            self.crash.first_goroutine = profile.goroutines.first().map(|g| g.id);
            profile.crash = Some(self.crash);
        }
        (profile, self.warnings)
    }

    fn text_line(&mut self, text: &[u8], number: u32) {
        // Every header ends with `:`; function and file lines never do, so most lines skip
        // the search for a header.
        let header = if trim_end(text).last() == Some(&b':') { find_header(text, &mut self.header_attempts) } else { None };
        if let Some(at) = header {
            if at > 0 {
                self.outside(&text[..at], number);
            }
            if let Some((id, gp, rest)) = header_prefix(&text[at..]) {
                if let Some(info) = self.header_info(trim_end(rest)) {
                    self.finish_block();
                    self.in_runtime_stack = false;
                    self.start_block(id, gp, info, trim_end(rest), number);
                    return;
                }
            }
        }
        if trim(text).is_empty() {
            self.finish_block();
            self.in_runtime_stack = false;
            return;
        }
        if self.block.is_some() {
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
    fn outside(&mut self, text: &[u8], _number: u32) {
        let t = trim(text);
        if let Some(pos) = memmem::find(t, b"panic: ").filter(|&p| p == 0 || (p == 1 && !t[0].is_ascii_alphanumeric())) {
            self.saw_crash = true;
            if self.crash.panic.len() < MAX_PANIC_LINES {
                self.crash.panic.push(String::from_utf8_lossy(&t[pos..]).into_owned());
            }
        } else if let Some(pos) = memmem::find(t, b"fatal error: ").filter(|&p| p <= 1) {
            self.saw_crash = true;
            if self.crash.fatal_error.is_none() {
                self.crash.fatal_error = Some(String::from_utf8_lossy(&t[pos + 13..]).into_owned());
            }
        } else if t.starts_with(b"[signal ") || is_signal_line(t) || t.starts_with(b"Exception 0x") {
            self.saw_crash = true;
            if self.crash.signal.is_none() {
                self.crash.signal = Some(String::from_utf8_lossy(t).into_owned());
            }
        } else if t == b"runtime stack:" {
            self.in_runtime_stack = true;
        }
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
        self.block = Some(Block {
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
            section: Section::Stack,
            pending: None,
        });
    }

    fn inside(&mut self, text: &[u8], number: u32) {
        let block = self.block.as_mut().expect("inside a block");
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
        let block = self.block.as_mut().expect("inside a block");
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
        if self.in_runtime_stack {
            return;
        }
        if is_known_trailer(t) {
            self.finish_block();
            self.outside(text, number);
            return;
        }
        let id = block.id;
        let shown = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
        self.warnings.skip(number, || format!("goroutine {id}: unexpected line, skipped: {shown}"));
    }

    fn finish_block(&mut self) {
        let Some(mut block) = self.block.take() else { return };
        if let Some(func) = block.pending {
            let frame = self.profile.frames.intern(crate::model::Frame { func, file: 0, line: 0 });
            place(&mut block, frame);
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

/// `SIGQUIT: quit`, `SIGABRT: abort`, `SIGSEGV: segmentation violation` (also after a stray `^\`).
pub fn is_signal_line(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"^\\").or_else(|| t.strip_prefix(b"\\")).unwrap_or(t);
    t.starts_with(b"SIG") && contains(&t[..t.len().min(12)], b": ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
