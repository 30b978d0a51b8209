//! What the text formats share: line splitting over bytes, warnings, and Go's quoted strings
//! (label values are printed with `%q`).

use crate::limits::{self, LimitHit, MAX_LINE_BYTES, MAX_WARNINGS};
use crate::model::Warning;
use memchr::{memchr, memrchr};

/// What a decoder noted besides the profile: the first [`MAX_WARNINGS`] warnings (all skipped
/// lines counted), and the limits the input reached.
#[derive(Debug, Default)]
pub struct Warnings {
    pub kept: Vec<Warning>,
    pub skipped: u64,
    pub limits: Vec<LimitHit>,
}

impl Warnings {
    /// A line that was skipped.
    pub fn skip(&mut self, line: u32, message: impl FnOnce() -> String) {
        self.skipped += 1;
        self.note(line, message);
    }
    /// Something read with doubt, nothing skipped.
    pub fn note(&mut self, line: u32, message: impl FnOnce() -> String) {
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(Warning { line, message: message() });
        }
    }
    /// A limit the input reached (see [`crate::limits`]).
    pub fn limit(&mut self, hit: LimitHit) {
        limits::record(&mut self.limits, hit);
    }
}

/// Lines over bytes: each without its `\n` and `\r`, with its 1-based number, whether it
/// ended with a newline (a last line without one may have been cut off), and whether it was
/// longer than [`MAX_LINE_BYTES`] (then only its start is given).
pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: u32,
}

impl<'a> Lines<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, pos: 0, number: 0 }
    }
}

#[derive(Clone, Copy)]
pub struct Line<'a> {
    pub text: &'a [u8],
    pub number: u32,
    pub terminated: bool,
    /// The line was longer than [`MAX_LINE_BYTES`]: `text` is its start.
    pub cut: bool,
    /// A blank line that ends a dump held in one string of a log line
    /// ([`crate::decode::wrapper`]): a goroutine block still open there was cut, as at the end
    /// of the input.
    pub ends_dump: bool,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let (mut text, terminated) = match memchr(b'\n', rest) {
            Some(end) => {
                self.pos += end + 1;
                (&rest[..end], true)
            }
            None => {
                self.pos = self.bytes.len();
                (rest, false)
            }
        };
        if let [head @ .., b'\r'] = text {
            text = head;
        }
        let cut = text.len() > MAX_LINE_BYTES;
        if cut {
            text = &text[..MAX_LINE_BYTES];
        }
        self.number = self.number.saturating_add(1);
        Some(Line { text, number: self.number, terminated, cut, ends_dump: false })
    }
}

/// Lines of an input that arrives in pieces (a file read in slices, a gzip stream inflating):
/// the same lines, numbers and flags as [`Lines`] over the whole input. A line cut between two
/// pieces is carried over, at most [`MAX_LINE_BYTES`] of it; nothing else is copied.
#[derive(Debug, Default)]
pub struct LineSplitter {
    carry: Vec<u8>,
    /// Bytes of the carried line were dropped past [`MAX_LINE_BYTES`].
    dropped: bool,
    number: u32,
}

impl LineSplitter {
    /// Hands every line that `piece` completes to `each`.
    pub fn feed(&mut self, mut piece: &[u8], mut each: impl FnMut(Line<'_>)) {
        if !self.carry.is_empty() {
            let end = memchr(b'\n', piece);
            self.carry_on(&piece[..end.unwrap_or(piece.len())]);
            let Some(end) = end else { return };
            self.carry.push(b'\n');
            piece = &piece[end + 1..];
            self.emit_carry(&mut each);
        }
        let complete = memrchr(b'\n', piece).map_or(0, |end| end + 1);
        let mut lines = Lines { bytes: &piece[..complete], pos: 0, number: self.number };
        for line in lines.by_ref() {
            each(line);
        }
        self.number = lines.number;
        self.carry_on(&piece[complete..]);
    }

    /// Keeps a byte more than [`MAX_LINE_BYTES`], so that [`Lines`] sees the line is cut.
    fn carry_on(&mut self, bytes: &[u8]) {
        let room = (MAX_LINE_BYTES + 1).saturating_sub(self.carry.len());
        self.dropped |= bytes.len() > room;
        self.carry.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn emit_carry(&mut self, each: impl FnOnce(Line<'_>)) {
        let mut lines = Lines { bytes: &self.carry, pos: 0, number: self.number };
        if let Some(mut line) = lines.next() {
            line.cut |= self.dropped;
            each(line);
        }
        self.number = lines.number;
        self.carry.clear();
        self.dropped = false;
    }

    /// The last line, if the input did not end with a newline.
    pub fn finish(mut self, each: impl FnOnce(Line<'_>)) {
        self.emit_carry(each);
    }
}

/// The first line of `bytes` that is not blank.
pub fn first_line(bytes: &[u8]) -> Option<&[u8]> {
    Lines::new(bytes).map(|l| l.text).find(|t| !trim(t).is_empty())
}

/// A byte NUL or mostly non-text bytes in the first KiB.
/// Whether the start of `bytes` is text through and through: UTF-8 (a character cut at the
/// end aside) without a control character other than white space. No protobuf is: its field
/// keys and lengths are such bytes (a sample is field 2, byte 0x12).
pub fn is_plain_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() == 1024.min(bytes.len()),
    };
    utf8 && head.iter().all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t' | 0x1b | 0x0c))
}

pub fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let odd = head.iter().filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b | 0x0c))).count();
    odd > 0 && odd * 20 > head.len().min(200)
}

pub fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

pub fn trim_end(b: &[u8]) -> &[u8] {
    let n = b.iter().rev().take_while(|c| c.is_ascii_whitespace()).count();
    &b[..b.len() - n]
}

pub fn trim(b: &[u8]) -> &[u8] {
    trim_end(trim_start(b))
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Parses a decimal number that fits in u64; `None` for anything else.
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(n)
}

pub fn parse_i64(b: &[u8]) -> Option<i64> {
    match b.first() {
        Some(b'-') => parse_u64(&b[1..]).and_then(|n| i64::try_from(n).ok()).map(|n| -n),
        _ => parse_u64(b).and_then(|n| i64::try_from(n).ok()),
    }
}

/// Reads a Go-quoted string (`"a \"b\" \x41 \u00e9"`) at the start of `b`; returns the value and
/// the bytes after the closing quote.
pub fn go_unquote(b: &[u8]) -> Option<(String, &[u8])> {
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut out: Vec<u8> = Vec::new();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), &b[i + 1..])),
            b'\\' => {
                let esc = *b.get(i + 1)?;
                i += 2;
                match esc {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'\\' | b'"' | b'\'' => out.push(esc),
                    b'x' => {
                        out.push(u8::from_str_radix(std::str::from_utf8(b.get(i..i + 2)?).ok()?, 16).ok()?);
                        i += 2;
                    }
                    b'u' | b'U' => {
                        let len = if esc == b'u' { 4 } else { 8 };
                        let code = u32::from_str_radix(std::str::from_utf8(b.get(i..i + len)?).ok()?, 16).ok()?;
                        let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        i += len;
                    }
                    b'0'..=b'7' => {
                        let digits = std::str::from_utf8(b.get(i - 1..i + 2)?).ok()?;
                        out.push(u8::from_str_radix(digits, 8).ok()?);
                        i += 2;
                    }
                    _ => return None,
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

/// Label keys and values as a dump prints them, in order.
pub type LabelPairs = Vec<(String, String)>;

/// Reads a label map as the runtime prints it, on the bytes starting at `{`:
/// Go 1.27 headers `{route: "GET /x", tenant: acme}` (bare when only `[A-Za-z0-9./_]`),
/// Go 1.26 headers `{"handler": "/api", "tenant": "a b"}`, debug=1 `{"route":"GET /x", "k":"v"}`.
/// Returns the pairs and the bytes after the closing `}`.
pub fn parse_label_map(b: &[u8]) -> Option<(LabelPairs, &[u8])> {
    let mut rest = b.strip_prefix(b"{")?;
    let mut pairs = Vec::new();
    loop {
        rest = trim_start(rest);
        if let Some(after) = rest.strip_prefix(b"}") {
            return Some((pairs, after));
        }
        let (key, after) = label_token(rest, b':')?;
        rest = trim_start(after.strip_prefix(b":")?);
        let (value, after) = label_token(rest, b',')?;
        pairs.push((key, value));
        rest = trim_start(after);
        if let Some(after) = rest.strip_prefix(b",") {
            rest = after;
        } else if !rest.starts_with(b"}") {
            return None;
        }
    }
}

/// A quoted string, or a bare run up to `stop`, `}` or white space.
fn label_token(b: &[u8], stop: u8) -> Option<(String, &[u8])> {
    if b.first() == Some(&b'"') {
        return go_unquote(b);
    }
    let end = b.iter().position(|&c| c == stop || c == b'}' || c.is_ascii_whitespace())?;
    if end == 0 {
        return None;
    }
    Some((String::from_utf8_lossy(&b[..end]).into_owned(), &b[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_go_escapes() {
        let (s, rest) = go_unquote(br#""a \"b\" \\ \x41 \u00e9 \U0001F600 \101"tail"#).unwrap();
        assert_eq!(s, "a \"b\" \\ A \u{e9} \u{1F600} A");
        assert_eq!(rest, b"tail");
        assert!(go_unquote(b"\"open").is_none());
    }

    #[test]
    fn reads_label_maps_of_every_go_version() {
        let go127 = br#"{route: "GET /api/search", tenant: "globex corp"}:"#;
        let (pairs, rest) = parse_label_map(go127).unwrap();
        assert_eq!(pairs, vec![("route".into(), "GET /api/search".into()), ("tenant".into(), "globex corp".into())]);
        assert_eq!(rest, b":");
        let bare = br#"{job: nightly-reconcile, tenant: initech}"#;
        assert_eq!(parse_label_map(bare).unwrap().0[1], ("tenant".into(), "initech".into()));
        let go126 = br#"{"route": "POST /api/accounts/{id}", "tenant": "a b"}]"#;
        let (pairs, rest) = parse_label_map(go126).unwrap();
        assert_eq!(pairs[0].1, "POST /api/accounts/{id}");
        assert_eq!(rest, b"]");
        let debug1 = br#"{"route":"GET /x", "tenant":"acme"}"#;
        assert_eq!(parse_label_map(debug1).unwrap().0.len(), 2);
        assert_eq!(parse_label_map(b"{}").unwrap().0.len(), 0);
        assert!(parse_label_map(b"{route: ").is_none());
    }

    #[test]
    fn splits_lines_with_crlf_and_a_cut_last_line() {
        let lines: Vec<_> = Lines::new(b"a\r\nb\n\nc").map(|l| (l.text.to_vec(), l.number, l.terminated)).collect();
        assert_eq!(lines, vec![(b"a".to_vec(), 1, true), (b"b".to_vec(), 2, true), (b"".to_vec(), 3, true), (b"c".to_vec(), 4, false)]);
    }

    #[test]
    fn a_line_past_the_limit_is_cut_alike_whole_and_in_pieces() {
        let mut input = b"goroutine 1 [running]:\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\r\nlast\n");
        let whole: Vec<_> = Lines::new(&input).map(|l| (l.text.len(), l.number, l.cut)).collect();
        assert_eq!(whole, vec![(22, 1, false), (MAX_LINE_BYTES, 2, true), (4, 3, false)]);
        for cut in [1, 30, 1000, MAX_LINE_BYTES, MAX_LINE_BYTES + 23, MAX_LINE_BYTES + 33, input.len() - 2] {
            let mut split = Vec::new();
            let mut splitter = LineSplitter::default();
            for piece in [&input[..cut], &input[cut..]] {
                splitter.feed(piece, |l| split.push((l.text.len(), l.number, l.cut)));
            }
            splitter.finish(|l| split.push((l.text.len(), l.number, l.cut)));
            assert_eq!(split, whole, "cut at {cut}");
        }
    }

    #[test]
    fn lines_in_pieces_are_the_lines_of_the_whole() {
        let input = b"goroutine 1 [running]:\r\nmain.main()\n\n\tmain.go:7 +0x1\nlast";
        let whole: Vec<_> = Lines::new(input).map(|l| (l.text.to_vec(), l.number, l.terminated)).collect();
        for cut in 0..=input.len() {
            for second_cut in cut..=input.len() {
                let mut split = Vec::new();
                let mut splitter = LineSplitter::default();
                for piece in [&input[..cut], &input[cut..second_cut], &input[second_cut..]] {
                    splitter.feed(piece, |l| split.push((l.text.to_vec(), l.number, l.terminated)));
                }
                splitter.finish(|l| split.push((l.text.to_vec(), l.number, l.terminated)));
                assert_eq!(split, whole, "cut at {cut} and {second_cut}");
            }
        }
    }
}
