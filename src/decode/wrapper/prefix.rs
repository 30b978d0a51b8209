//! The prefixes log systems put in front of every line they store, one function per shape,
//! each quoting the prefix it accepts. Each gives where the line's own text starts and the
//! source the line comes from (a stream, a container, a program). Read by hand rather than by
//! a pattern: every line of a wrapped dump goes through one of them.

/// A reader of the start of a line.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(line: &'a [u8]) -> Self {
        Cursor { line, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.line.get(self.at).copied()
    }

    /// Takes `c` if it comes next.
    fn eat(&mut self, c: u8) -> bool {
        let next = self.peek() == Some(c);
        self.at += usize::from(next);
        next
    }

    fn byte(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// Takes the bytes that pass `f`, at least `min` of them; what was taken.
    fn many(&mut self, min: usize, f: impl Fn(u8) -> bool) -> Option<&'a [u8]> {
        let from = self.at;
        while self.peek().is_some_and(&f) {
            self.at += 1;
        }
        (self.at - from >= min).then(|| &self.line[from..self.at])
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<()> {
        let end = self.at + n;
        let ok = self.line.get(self.at..end).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        ok.then(|| self.at = end)
    }

    /// Bytes that match `shape`, where `d` stands for a digit.
    fn shape(&mut self, shape: &[u8]) -> Option<()> {
        let end = self.at + shape.len();
        let ok = self.line.get(self.at..end).is_some_and(|t| t.iter().zip(shape).all(|(&c, &s)| if s == b'd' { c.is_ascii_digit() } else { c == s }));
        ok.then(|| self.at = end)
    }

    /// A word up to the next space (or the end), at least one byte.
    fn word(&mut self) -> Option<&'a [u8]> {
        self.many(1, |c| c != b' ')
    }

    /// A space, or the end of the line: where a prefix ends.
    fn end(&mut self) -> Option<usize> {
        (self.eat(b' ') || self.peek().is_none()).then_some(self.at)
    }

    /// A terminal colour code (`\x1b[36m`, `\x1b[0m`), if one comes next.
    fn colour(&mut self) {
        let from = self.at;
        if !(self.eat(0x1b) && self.eat(b'[') && self.many(0, |c| c.is_ascii_digit() || c == b';').is_some() && self.eat(b'm')) {
            self.at = from;
        }
    }
}

/// The CRI prefix of a line, `2026-11-30T08:53:35.123456789Z stderr F ` (the kubelet's
/// container log format, `pkg/kubelet/kuberuntime/logs`: an RFC 3339 time with any fraction,
/// the stream, `F` for a full line or `P` for a partial one): where the line's own text starts,
/// the stream, and whether the record is partial.
pub fn cri(line: &[u8]) -> Option<(usize, &[u8], bool)> {
    let mut c = Cursor::new(line);
    rfc3339(&mut c)?;
    c.byte(b' ')?;
    let stream = c.word().filter(|s| *s == b"stdout" || *s == b"stderr")?;
    c.byte(b' ')?;
    let partial = c.eat(b'P');
    if !partial {
        c.byte(b'F')?;
    }
    Some((c.end()?, stream, partial))
}

/// `2026-11-30T08:53:35`, an optional fraction of any length, then `Z` or an offset (`+01:00`).
fn rfc3339(c: &mut Cursor<'_>) -> Option<()> {
    c.shape(b"dddd-dd-ddTdd:dd:dd")?;
    if c.eat(b'.') {
        c.many(1, |b| b.is_ascii_digit())?;
    }
    if c.eat(b'Z') {
        return Some(());
    }
    if !(c.eat(b'+') || c.eat(b'-')) {
        return None;
    }
    c.shape(b"dd:dd")
}

/// The syslog prefix of a line as journald and rsyslog write it (RFC 3164):
/// `Nov 30 08:53:35 host-a app[1234]: `, with microseconds (`journalctl -o short-precise`),
/// or with an ISO time
/// (`2026-11-30T08:53:35+0000 host-a app[1234]: `, `journalctl -o short-iso`). Where the text
/// starts, and the source: the host and the program without its pid (`host-a app`), which
/// changes when the program restarts.
pub fn syslog(line: &[u8]) -> Option<(usize, &[u8])> {
    let mut c = Cursor::new(line);
    if c.peek()?.is_ascii_uppercase() {
        // `Nov 30 08:53:35`, `Dec  1 00:00:01`.
        c.many(1, |b| b.is_ascii_uppercase()).filter(|m| m.len() == 1)?;
        c.many(2, |b| b.is_ascii_lowercase()).filter(|m| m.len() == 2)?;
        c.byte(b' ')?;
        if !c.eat(b' ') {
            c.digits(1)?;
        }
        c.shape(b"d dd:dd:dd")?;
        // `journalctl -o short-precise`: `Nov 30 08:53:35.123456`.
        if c.eat(b'.') {
            c.many(1, |b| b.is_ascii_digit())?;
        }
    } else {
        c.shape(b"dddd-dd-ddTdd:dd:dd")?;
        c.many(0, |b| b != b' ');
    }
    c.byte(b' ')?;
    let from = c.at;
    c.word()?;
    c.byte(b' ')?;
    c.many(1, |b| !b.is_ascii_whitespace() && b != b':' && b != b'[')?;
    let source = &line[from..c.at];
    if c.eat(b'[') {
        c.many(1, |b| b.is_ascii_digit())?;
        c.byte(b']')?;
    }
    c.byte(b':')?;
    Some((c.end()?, source))
}

/// The syslog prefix of RFC 5424, as rsyslog forwards it:
/// `<165>1 2026-11-30T08:53:35.003Z host-a app 1234 ID47 [origin ip="10.0.0.1"] ` (the PRI left
/// out by some collectors; structured data `-` or one or more `[id k="v"]`). Where the text
/// starts, and the source: the hostname and app-name (`host-a app`).
pub fn rfc5424(line: &[u8]) -> Option<(usize, &[u8])> {
    let mut c = Cursor::new(line);
    if c.eat(b'<') {
        c.many(1, |b| b.is_ascii_digit()).filter(|d| d.len() <= 3)?;
        c.byte(b'>')?;
    }
    c.byte(b'1')?;
    c.byte(b' ')?;
    c.shape(b"dddd-dd-ddT")?;
    c.word()?;
    c.byte(b' ')?;
    let from = c.at;
    c.word()?;
    c.byte(b' ')?;
    c.word()?;
    let source = &line[from..c.at];
    for _ in 0..2 {
        // The process id and the message id.
        c.byte(b' ')?;
        c.word()?;
    }
    c.byte(b' ')?;
    if !c.eat(b'-') {
        structured_data(&mut c)?;
    }
    Some((c.end()?, source))
}

/// One or more `[id k="v" …]` elements; a value may hold `]` and escaped quotes.
fn structured_data(c: &mut Cursor<'_>) -> Option<()> {
    let mut elements = 0;
    while c.eat(b'[') {
        loop {
            match c.peek()? {
                b']' => break,
                b'"' => {
                    c.at += 1;
                    loop {
                        match c.peek()? {
                            b'"' => break,
                            b'\\' => c.at += 2,
                            _ => c.at += 1,
                        }
                    }
                    c.at += 1;
                }
                _ => c.at += 1,
            }
        }
        c.at += 1;
        elements += 1;
    }
    (elements > 0).then_some(())
}

/// The prefix of `kubectl logs --prefix`: `[pod/api-7d9f/app] `. Where the text starts, and the
/// source: what the brackets name (`pod/api-7d9f/app`).
pub fn kubectl(line: &[u8]) -> Option<(usize, &[u8])> {
    let mut c = Cursor::new(line);
    c.byte(b'[')?;
    let from = c.at;
    c.many(1, |b| b != b']' && b != b'/' && !b.is_ascii_whitespace())?;
    c.byte(b'/')?;
    c.many(1, |b| b != b']' && !b.is_ascii_whitespace())?;
    let source = &line[from..c.at];
    c.byte(b']')?;
    c.byte(b' ')?;
    Some((c.at, source))
}

/// The prefix docker compose writes: `api-1  | `, in a terminal with colour codes around it
/// (`\x1b[36mapi-1  |\x1b[0m `). Where the text starts, and the source: the service (`api-1`).
pub fn compose(line: &[u8]) -> Option<(usize, &[u8])> {
    let mut c = Cursor::new(line);
    c.colour();
    let from = c.at;
    c.many(1, |b| b.is_ascii_alphanumeric()).map(|_| ())?;
    c.many(0, |b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    let source = &line[from..c.at];
    c.many(1, |b| b == b' ' || b == b'\t')?;
    c.byte(b'|')?;
    c.colour();
    c.eat(b' ');
    Some((c.at, source))
}

/// A Markdown quote, at any depth: `> `, `> > `, `>`. Where the text starts.
pub fn markdown(line: &[u8]) -> Option<usize> {
    let mut c = Cursor::new(line);
    while c.eat(b'>') {
        c.eat(b' ');
    }
    (c.at > 0).then_some(c.at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line and what [`cri`] makes of it.
    type CriCase = (&'static [u8], Option<(usize, &'static [u8], bool)>);

    #[test]
    fn cri_prefixes() {
        let table: [CriCase; 9] = [
            (b"2026-11-30T08:53:35.123456789Z stderr F goroutine 1 [running]:", Some((40, b"stderr", false))),
            (b"2026-11-30T08:53:35.123456Z stdout P main.", Some((37, b"stdout", true))),
            (b"2026-11-30T08:53:35Z stderr F", Some((29, b"stderr", false))),
            (b"2026-11-30T08:53:35+01:00 stderr F x", Some((35, b"stderr", false))),
            (b"2026-11-30T08:53:35. stderr F x", None),
            (b"2026-11-30 08:53:35Z stderr F x", None),
            (b"2026-11-30T08:53:35Z stdin F x", None),
            (b"2026-11-30T08:53:35Z stderr X x", None),
            (b"2026-11-30T08:53:35Z stderr Fx", None),
        ];
        for (line, want) in table {
            assert_eq!(cri(line), want, "{}", String::from_utf8_lossy(line));
        }
    }

    /// A line and what a prefix with a source makes of it.
    type SourceCase = (&'static [u8], Option<(usize, &'static [u8])>);

    #[test]
    fn syslog_prefixes() {
        let table: [SourceCase; 8] = [
            (b"Nov 30 08:53:35.123456 host-a app[1234]: x", Some((41, b"host-a app"))),
            (b"Nov 30 08:53:35 host-a app[1234]: goroutine 1 [running]:", Some((34, b"host-a app"))),
            (b"Dec  1 00:00:01 host-a kernel: oops", Some((31, b"host-a kernel"))),
            (b"2026-11-30T08:53:35+0000 host-a app[1]:", Some((39, b"host-a app"))),
            (b"Nov 30 08:53:35 host-a app[12a]: x", None),
            (b"Nov 30 08:53:35 host-a app x", None),
            (b"nov 30 08:53:35 host-a app: x", None),
            (b"Nov 30 8:53:35 host-a app: x", None),
        ];
        for (line, want) in table {
            assert_eq!(syslog(line), want, "{}", String::from_utf8_lossy(line));
        }
        let table: [SourceCase; 5] = [
            (b"<165>1 2026-11-30T08:53:35.003Z host-a app 1234 - - goroutine 1 [running]:", Some((52, b"host-a app"))),
            (b"1 2026-11-30T08:53:35Z host-a app - ID47 [origin ip=\"10.0.0.1\"][x a=\"]\\\"\"] main.main()", Some((75, b"host-a app"))),
            (b"<165>1 2026-11-30T08:53:35Z host-a app 1234 - -", Some((47, b"host-a app"))),
            (b"<1650>1 2026-11-30T08:53:35Z host-a app 1234 - - x", None),
            (b"<165>1 2026-11-30T08:53:35Z host-a app 1234 - [unclosed x", None),
        ];
        for (line, want) in table {
            assert_eq!(rfc5424(line), want, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn other_prefixes() {
        assert_eq!(kubectl(b"[pod/api-7d9f/app] goroutine 1"), Some((19, &b"pod/api-7d9f/app"[..])));
        assert_eq!(kubectl(b"[pod api/app] x"), None);
        assert_eq!(kubectl(b"[/app] x"), None);
        assert_eq!(kubectl(b"[signal SIGSEGV: segmentation violation]"), None);
        assert_eq!(compose(b"api-1  | goroutine 1"), Some((9, &b"api-1"[..])));
        assert_eq!(compose(b"\x1b[36mapi-1  |\x1b[0m goroutine 1"), Some((18, &b"api-1"[..])));
        assert_eq!(compose(b"api-1| x"), None);
        assert_eq!(compose(b"main.main()"), None);
        assert_eq!(markdown(b"> > goroutine 1"), Some(4));
        assert_eq!(markdown(b">"), Some(1));
        assert_eq!(markdown(b"goroutine 1"), None);
    }
}
