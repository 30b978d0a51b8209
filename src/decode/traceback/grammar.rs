//! The line grammar of debug=2 dumps and tracebacks: what each kind of line looks like and
//! what it says, one function per kind, each quoting the lines it accepts. The decoder in
//! [`super`] decides which kind a line may be from where it is in a dump.

use crate::decode::text::{contains, parse_label_map, parse_u64, trim, trim_end, trim_start, Lines};
use crate::limits::MAX_HEADER_ATTEMPTS;
use memchr::memmem;

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
    Lines::new(head).any(|l| find_header(l.text, &mut 0).is_some() || goleak_header(l.text).is_some())
}

/// A goroutine as go.uber.org/goleak (1.3 and later) names it, in place of Go's header:
/// `[Goroutine 52 in state select, with google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run on top of the stack:`
/// (the first of a report starts with `[`; earlier goleak versions printed Go's header on the
/// next line as well). The id, the state, and the function on top of the stack.
pub fn goleak_header(line: &[u8]) -> Option<(u64, &[u8], &[u8])> {
    let t = trim(line);
    let t = t.strip_prefix(b"[").unwrap_or(t);
    let rest = t.strip_prefix(b"Goroutine ")?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let id = parse_u64(&rest[..digits])?;
    let rest = rest[digits..].strip_prefix(b" in state ")?;
    if !rest.ends_with(b" on top of the stack:") {
        return None;
    }
    let comma = memchr::memmem::find(rest, b", with ")?;
    let top = &rest[comma + b", with ".len()..rest.len() - b" on top of the stack:".len()];
    Some((id, &rest[..comma], top))
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
pub(super) fn header_prefix(line: &[u8]) -> Option<(u64, Option<u64>, &[u8])> {
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
pub(super) fn header_rest(rest: &[u8], header: &mut Header) -> Option<()> {
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
pub(super) fn find_header(line: &[u8], attempts: &mut u64) -> Option<usize> {
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
pub(super) fn split_func_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
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
pub(super) fn valid_func_name(name: &[u8]) -> bool {
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
pub(super) fn strip_prefix_tokens(line: &[u8]) -> &[u8] {
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
pub(super) fn is_known_trailer(t: &[u8]) -> bool {
    let t = trim(t);
    let known = [&b"PC="[..], b"exit status ", b"-----", b"FAIL", b"```", b"--- FAIL", b"panic: ", b"fatal error: "];
    if known.iter().any(|k| t.starts_with(k)) || is_signal_line(t) {
        return true;
    }
    // `rax    0x0`, `r10    0x8`, `trap    0x0`, `eflags 0x246`
    let name = t.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    name > 0 && name <= 8 && trim_start(&t[name..]).starts_with(b"0x") && t[name..].first().is_some_and(|c| c.is_ascii_whitespace())
}

/// `SIGQUIT: quit`, `SIGABRT: abort`, `SIGSEGV: segmentation violation` (also after a stray `^\`).
pub fn is_signal_line(t: &[u8]) -> bool {
    let t = t.strip_prefix(b"^\\").or_else(|| t.strip_prefix(b"\\")).unwrap_or(t);
    t.starts_with(b"SIG") && contains(&t[..t.len().min(12)], b": ")
}

/// A line that only a crashing Go program prints (`fatal error: stack overflow` with only a
/// `runtime stack:` after it is still a crash worth reading, even with no goroutine).
pub fn has_crash_line(head: &[u8]) -> bool {
    Lines::new(head).any(|l| {
        let t = l.text;
        t.starts_with(b"fatal error: ") || t.starts_with(b"panic: ") || t.starts_with(b"Exception 0x") || is_signal_line(t)
    })
}
