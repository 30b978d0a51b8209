//! Dumps as log systems store them: the wrappers around each line of a dump, learnt from the
//! input itself and removed before the text decoders see a line.
//!
//! A dump reaches a user through a log system far more often than through `curl`. Each
//! [`Shape`] here is one way a log system wraps a line; [`learn`] reads the first line that
//! holds a goroutine header or a crash line, names the shape around it, removes it and looks
//! again (a CRI log of a JSON logger is two shapes), and an [`Unwrapper`] then removes the same
//! shapes from every line. Lines keep the number they had in the input, so warnings point at
//! the original line. A line that does not have the shape goes on as it is: log systems mix
//! their own lines in.

pub mod prefix;

use crate::decode::text::{go_unquote, trim_start, Line, Lines};
use crate::limits::MAX_LINE_BYTES;
use memchr::memmem;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

/// One way a log system wraps the lines it stores, by the name the report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Kubernetes container logs (CRI): `2026-11-30T08:53:35.123456789Z stderr F <line>`; a
    /// long line is split into `P` (partial) records before its final `F` record.
    Cri,
    /// Docker's json-file driver: `{"log":"<line>\n","stream":"stderr","time":"…"}`; a line
    /// longer than 16 KiB is split over records whose `log` does not end in `\n`.
    DockerJson,
    /// `go test -json`: `{"Action":"output","Package":"p","Test":"TestX","Output":"<text>"}`,
    /// the output of each package and test joined on its own.
    GoTestJson,
    /// A JSON log line (zap, logrus, slog's JSON handler) with a whole dump in one string field
    /// of any name (`stacktrace`, `stack`, `msg`).
    JsonField,
    /// journald and syslog: `Nov 30 08:53:35 host-a app[1234]: <line>` (RFC 3164, journalctl),
    /// `<165>1 2026-11-30T08:53:35.003Z host-a app 1234 - - <line>` (RFC 5424); rsyslog's `#011`
    /// for TAB.
    Syslog,
    /// `kubectl logs --prefix`: `[pod/name/container] <line>`.
    KubectlPrefix,
    /// docker-compose: `service-1  | <line>`, with the colour codes `docker compose up` writes
    /// around the name in a terminal (`\x1b[36mservice-1  |\x1b[0m <line>`).
    Compose,
    /// A Markdown quote: `> <line>`, at any depth.
    Markdown,
    /// slog's text handler or logfmt with a whole dump in one quoted value:
    /// `stack="goroutine 6 [running]:\nruntime/debug.Stack()\n\t…"`.
    Logfmt,
}

impl Shape {
    /// The name the report gives the shape (`"wrapper": "cri"`).
    pub fn id(self) -> &'static str {
        match self {
            Shape::Cri => "cri",
            Shape::DockerJson => "docker-json",
            Shape::GoTestJson => "go-test-json",
            Shape::JsonField => "json-field",
            Shape::Syslog => "syslog",
            Shape::KubectlPrefix => "kubectl-prefix",
            Shape::Compose => "compose",
            Shape::Markdown => "markdown-quote",
            Shape::Logfmt => "logfmt",
        }
    }
}

/// The most shapes one input is wrapped in (a CRI log of a JSON logger is two).
const MAX_SHAPES: usize = 3;

/// The bytes of a piece of a line Docker's json-file driver writes as one record.
const DOCKER_PIECE_BYTES: usize = 16 * 1024;

/// The most lines [`learn`] reads looking for the first line of a dump: more than a head of
/// `decode`'s 64 MiB holds in practice, so that a dump after a long log is still found.
const LEARN_LINES: usize = 4_000_000;

/// The shape of a line that holds the start of a dump, if it is wrapped.
fn shape_of(line: &[u8]) -> Option<Shape> {
    let text = std::str::from_utf8(line).ok()?;
    if trim_start(line).first() == Some(&b'{') {
        let object: Map<String, Value> = serde_json::from_str(text).ok()?;
        return Some(if object.get("log").is_some_and(Value::is_string) {
            Shape::DockerJson
        } else if object.contains_key("Action") && object.get("Output").is_some_and(Value::is_string) {
            Shape::GoTestJson
        } else {
            Shape::JsonField
        });
    }
    let prefixed = [
        (prefix::cri(line).is_some(), Shape::Cri),
        (prefix::syslog(line).is_some() || prefix::rfc5424(line).is_some(), Shape::Syslog),
        (prefix::kubectl(line).is_some(), Shape::KubectlPrefix),
        (prefix::compose(line).is_some(), Shape::Compose),
        (prefix::markdown(line).is_some(), Shape::Markdown),
    ];
    if let Some((_, shape)) = prefixed.iter().find(|(is, _)| *is) {
        return Some(*shape);
    }
    quoted_dumps(line).next().map(|_| Shape::Logfmt)
}

/// Whether a line holds the start of a dump anywhere in it, escaped or not: what
/// [`opens_dump`] takes, or a crash line (`panic: `, `fatal error: `).
fn holds_dump(line: &[u8]) -> bool {
    const CRASH: [&[u8]; 2] = [b"panic: ", b"fatal error: "];
    CRASH.iter().any(|s| memmem::find(line, s).is_some()) || opens_dump(line)
}

/// Whether a line holds what only a dump prints: a goroutine header (`goroutine 6 [running]:`,
/// `goroutine 6 gp=…`), goleak's line for one (`Goroutine 6 in state`), a debug=1 profile's
/// first line or a race report's. A crash line alone is not enough to tell which source a dump
/// is in: log messages quote panics (`msg="recovered from panic: boom"`).
fn opens_dump(line: &[u8]) -> bool {
    // `goroutine profile: total 11`, `heap profile: 2: 666237 [808: 1065536] @ heap/1048576`,
    // `--- mutex:`, `WARNING: DATA RACE`.
    const STARTS: [&[u8]; 5] = [b" profile: total ", b"heap profile: ", b"--- mutex:", b"--- contention:", b"WARNING: DATA RACE"];
    if STARTS.iter().any(|s| memmem::find(line, s).is_some()) {
        return true;
    }
    let after_id = |word: &[u8], next: &[&[u8]]| {
        memmem::find_iter(line, word).any(|at| {
            let rest = &line[at + word.len()..];
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            digits > 0 && next.iter().any(|n| rest[digits..].starts_with(n))
        })
    };
    after_id(b"goroutine ", &[b" [", b" gp="]) || after_id(b"Goroutine ", &[b" in state "])
}

/// The Go-quoted values of a logfmt line (`key="…"`) that hold a dump, unescaped.
fn quoted_dumps(line: &[u8]) -> impl Iterator<Item = String> + '_ {
    memmem::find_iter(line, b"=\"")
        .filter_map(|at| go_unquote(&line[at + 1..]).map(|(text, _)| text))
        .filter(|text| holds_dump(text.as_bytes()) && text.contains('\n'))
}

/// What [`learn`] found around the lines of an input's head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learnt {
    /// The shapes found, each with the dump's source in it.
    pub wrapping: Wrapping,
    /// The head with the shapes removed (none when there were none), to tell its format by.
    pub head: Option<Vec<u8>>,
}

/// The shapes around every line of an input, outermost first, each with the source the dump
/// is in where the shape names one (a stream, a container, a program): what an [`Unwrapper`]
/// removes and keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wrapping(Vec<(Shape, Option<Vec<u8>>)>);

impl Wrapping {
    /// No shape: the lines are the dump's own.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The shapes `head` is wrapped in, outermost first; `None` while `head` does not show yet
/// and is not `complete` (more may show it).
///
/// Shapes that join records (CRI, Docker, `go test -json`) are told by the first line, since
/// their records may cut every header in two; the others by the first line that holds the
/// start of a dump. Each shape found is removed from the whole head and the result looked at
/// again.
pub fn learn(head: &[u8], complete: bool) -> Option<Learnt> {
    let mut layers = Vec::new();
    let mut text = std::borrow::Cow::Borrowed(head);
    let done = |layers: Vec<(Shape, Option<Vec<u8>>)>, text: std::borrow::Cow<'_, [u8]>| {
        let head = (!layers.is_empty()).then(|| text.into_owned());
        Learnt { wrapping: Wrapping(layers), head }
    };
    while layers.len() < MAX_SHAPES {
        let ready = |l: &Line<'_>| l.terminated || complete;
        let first = Lines::new(&text).take(LEARN_LINES).find(|l| !trim_start(l.text).is_empty());
        let joining = first.filter(ready).and_then(|l| shape_of(l.text)).filter(|s| matches!(s, Shape::Cri | Shape::DockerJson | Shape::GoTestJson));
        let shape = match joining {
            Some(shape) => shape,
            None => {
                let mut seen = 0;
                let Some(line) = Lines::new(&text).inspect(|_| seen += 1).take(LEARN_LINES).find(|l| ready(l) && holds_dump(l.text)) else {
                    return (complete || seen >= LEARN_LINES || !layers.is_empty()).then(|| done(layers, text));
                };
                match shape_of(line.text) {
                    Some(shape) => shape,
                    None => return Some(done(layers, text)),
                }
            }
        };
        let (mut inner, source) = unwrap_layer(Layer::new(shape), &text);
        // Lines of other sources before the dump's first line showed its source: without them.
        if source.is_some() {
            inner = unwrap_layer(Layer { source: source.clone(), ..Layer::new(shape) }, &text).0;
        }
        layers.push((shape, source));
        if inner[..] == text[..] {
            break;
        }
        text = std::borrow::Cow::Owned(inner);
    }
    Some(done(layers, text))
}

/// `text` with one layer removed, and the source of the dump that layer found.
fn unwrap_layer(mut layer: Layer, text: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut inner = Vec::with_capacity(text.len());
    let mut push = |l: Line<'_>| {
        inner.extend_from_slice(l.text);
        inner.push(b'\n');
    };
    for line in Lines::new(text) {
        layer.feed(line, &mut push);
    }
    layer.finish(&mut push);
    (inner, layer.source)
}

/// A line split over records, and the number of the record it started on.
#[derive(Default)]
struct Partial {
    text: Vec<u8>,
    from: u32,
    /// The line grew past [`MAX_LINE_BYTES`]: only its start is kept.
    cut: bool,
}

impl Partial {
    fn push(&mut self, piece: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.text.len());
        self.cut |= piece.len() > room;
        self.text.extend_from_slice(&piece[..piece.len().min(room)]);
    }
}

/// Sources whose lines may be unfinished at once: `go test -json` has one per package and
/// test running; past this many (hostile input), a record's unfinished text stands alone.
const MAX_PARTIAL_SOURCES: usize = 4096;

/// One shape being removed, with the partial lines it holds.
struct Layer {
    shape: Shape,
    /// Lines split over records, by the source they come from: CRI `P` records and Docker's
    /// 16 KiB pieces per stream, `go test -json` output per package and test.
    partials: FxHashMap<Vec<u8>, Partial>,
    /// The source the dump is in (a stream, a container, a program), once a line that opens a
    /// dump ([`opens_dump`]) showed it: lines of other sources are then left out. Go writes a
    /// dump to one stream, while a container's other stream, a sidecar or another program log
    /// between its lines.
    source: Option<Vec<u8>>,
    /// Lines left out as another source's: how many, and the first one's number.
    left_out: (u64, u32),
    /// A Docker record ended in `\n`: records without one are pieces of longer lines.
    newlines: bool,
    /// A line with its escapes undone.
    scratch: Vec<u8>,
}

impl Layer {
    fn new(shape: Shape) -> Layer {
        Layer { shape, partials: FxHashMap::default(), source: None, left_out: (0, 0), newlines: false, scratch: Vec::new() }
    }

    /// Whether line `number`, of `source`, goes on: every line until the first line of a dump
    /// shows the source it is in, then only that source's lines.
    fn admits(&mut self, source: &[u8], text: &[u8], number: u32) -> bool {
        match &self.source {
            Some(known) if known == source => true,
            Some(_) => {
                if self.left_out.0 == 0 {
                    self.left_out.1 = number;
                }
                self.left_out.0 += 1;
                false
            }
            None => {
                if opens_dump(text) {
                    self.source = Some(source.to_vec());
                }
                true
            }
        }
    }

    /// Hands on a whole line of `source`, if [`Layer::admits`] it.
    fn line_of(&mut self, source: &[u8], filter: bool, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        if !filter || self.admits(source, line.text, line.number) {
            emit(line);
        }
    }

    /// Adds a record's text to the line of `source` it continues, handing on that line when
    /// the record `ends` it (CRI's `P` and `F` records).
    fn join(&mut self, source: &[u8], record: &[u8], ends: bool, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        if ends {
            // Most records are whole lines: handed on as they are, nothing copied.
            return match self.partials.remove(source) {
                Some(mut p) => {
                    p.push(record);
                    self.line_of(source, true, Line { text: &p.text, number: p.from, cut: p.cut || line.cut, ..line }, emit);
                }
                None => self.line_of(source, true, Line { text: record, ..line }, emit),
            };
        }
        self.start_or_continue(source, record, line, emit);
    }

    /// Adds text that does not end its line to the partial line of `source`.
    fn start_or_continue(&mut self, source: &[u8], piece: &[u8], line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        if let Some(p) = self.partials.get_mut(source) {
            return p.push(piece);
        }
        if self.partials.len() >= MAX_PARTIAL_SOURCES {
            // Hostile input: the unfinished text stands alone rather than be kept.
            return self.line_of(source, true, Line { text: piece, terminated: false, ..line }, emit);
        }
        let mut p = Partial { from: line.number, ..Partial::default() };
        p.push(piece);
        self.partials.insert(source.to_vec(), p);
    }

    /// Removes the shape from one line, handing on the lines inside it (none while a partial
    /// record waits for its end, several for a dump in one string).
    fn feed(&mut self, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        let text = line.text;
        match self.shape {
            Shape::Cri => {
                let Some((end, stream, partial)) = prefix::cri(text) else { return emit(line) };
                self.join(stream, &text[end..], !partial, line, emit);
            }
            Shape::Syslog => {
                let Some((end, source)) = prefix::syslog(text).or_else(|| prefix::rfc5424(text)) else { return emit(line) };
                let rest = &text[end..];
                if !self.admits(source, rest, line.number) {
                    return;
                }
                if memmem::find(rest, b"#011").is_none() {
                    return emit(Line { text: rest, ..line });
                }
                self.scratch.clear();
                let mut from = 0;
                for at in memmem::find_iter(rest, b"#011") {
                    self.scratch.extend_from_slice(&rest[from..at]);
                    self.scratch.push(b'\t');
                    from = at + 4;
                }
                self.scratch.extend_from_slice(&rest[from..]);
                emit(Line { text: &self.scratch, ..line });
            }
            Shape::KubectlPrefix | Shape::Compose | Shape::Markdown => {
                let found = match self.shape {
                    Shape::KubectlPrefix => prefix::kubectl(text),
                    Shape::Compose => prefix::compose(text),
                    _ => prefix::markdown(text).map(|end| (end, &[][..])),
                };
                match found {
                    Some((end, source)) => {
                        if self.admits(source, &text[end..], line.number) {
                            emit(Line { text: &text[end..], ..line })
                        }
                    }
                    None => emit(line),
                }
            }
            Shape::DockerJson | Shape::GoTestJson | Shape::JsonField => {
                let object =
                    std::str::from_utf8(text).ok().filter(|t| t.trim_start().starts_with('{')).and_then(|t| serde_json::from_str::<Map<String, Value>>(t).ok());
                let Some(object) = object else { return emit(line) };
                self.json(object, line, emit);
            }
            Shape::Logfmt => {
                let dumps: Vec<String> = quoted_dumps(text).collect();
                if dumps.is_empty() {
                    return emit(line);
                }
                for dump in dumps {
                    whole_dump(dump.as_bytes(), line, emit);
                }
            }
        }
    }

    fn json(&mut self, object: Map<String, Value>, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        let string = |key: &str| object.get(key).and_then(Value::as_str);
        match self.shape {
            Shape::DockerJson => {
                let Some(log) = string("log") else { return emit(line) };
                // A record that names no stream goes with the dump's.
                let stream = string("stream").map(|s| s.as_bytes().to_vec()).or_else(|| self.source.clone()).unwrap_or_default();
                // Docker splits a longer line into pieces of 16 KiB (daemon/logger/copier.go),
                // each but the last without its `\n`; shippers that drop every `\n` (Fluent
                // Bit's `{"log":"<line>"}`) write whole lines shorter than that, and no `\n` at all.
                self.newlines |= log.ends_with('\n');
                let ends = !self.newlines && log.len() < DOCKER_PIECE_BYTES;
                self.records(&stream, log.as_bytes(), true, ends, line, emit);
            }
            Shape::GoTestJson => {
                let Some(output) = string("Output") else { return };
                // Each package's and test's output is a text of its own.
                let key = [string("Package").unwrap_or_default(), string("Test").unwrap_or_default()].join("\n");
                self.records(key.as_bytes(), output.as_bytes(), false, false, line, emit);
            }
            _ => {
                let mut any = false;
                for value in object.values().filter_map(Value::as_str).filter(|v| holds_dump(v.as_bytes())) {
                    any = true;
                    whole_dump(value.as_bytes(), line, emit);
                }
                if !any {
                    emit(line);
                }
            }
        }
    }

    /// Adds a record that holds pieces of lines (`\n` ends a line) to the text of `source`,
    /// handing on the lines it completes, each numbered by the record it started on; `filter`
    /// leaves out the lines of other sources than the dump's.
    /// `ends` when the record ends its last line though it holds no `\n` for it.
    fn records(&mut self, source: &[u8], record: &[u8], filter: bool, ends: bool, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        let mut pieces = record.split(|&c| c == b'\n');
        let unfinished = if ends { &[][..] } else { pieces.next_back().unwrap_or_default() };
        for piece in pieces {
            let whole = Line { terminated: true, ..line };
            match self.partials.remove(source) {
                Some(mut p) => {
                    p.push(piece);
                    self.line_of(source, filter, Line { text: &p.text, number: p.from, cut: p.cut, ..whole }, emit);
                }
                None => self.line_of(source, filter, Line { text: piece, ..whole }, emit),
            }
        }
        if !unfinished.is_empty() {
            self.start_or_continue(source, unfinished, line, emit);
        }
    }

    /// Hands on what partial records still hold, once the input ended, oldest first.
    fn finish(&mut self, emit: &mut dyn FnMut(Line<'_>)) {
        let last = Line { text: &[], number: 0, terminated: false, cut: false, ends_dump: false };
        let mut partials: Vec<_> = self.partials.drain().collect();
        partials.sort_by_key(|(_, p)| p.from);
        let filter = matches!(self.shape, Shape::Cri | Shape::DockerJson);
        for (source, p) in partials {
            self.line_of(&source, filter, Line { text: &p.text, number: p.from, cut: p.cut, ..last }, emit);
        }
    }
}

/// The lines of a dump escaped into one string, numbered by the line that held it, and a
/// blank line after them: the string ends the dump. A string that does not end in a newline
/// was cut there, as a file that does not.
fn whole_dump(dump: &[u8], line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
    let (body, terminated) = match dump.strip_suffix(b"\n") {
        Some(body) => (body, true),
        None => (dump, false),
    };
    let count = body.split(|&c| c == b'\n').count();
    for (i, piece) in body.split(|&c| c == b'\n').enumerate() {
        emit(Line { text: piece, terminated: terminated || i + 1 < count, ..line });
    }
    emit(Line { text: &[], terminated: true, ends_dump: true, ..line });
}

/// Removes the shapes [`learn`] found from every line of an input.
pub struct Unwrapper {
    layers: Vec<Layer>,
}

impl Unwrapper {
    /// An unwrapper of what [`learn`] found.
    pub fn new(wrapping: &Wrapping) -> Unwrapper {
        let layers = wrapping.0.iter().map(|(shape, source)| Layer { source: source.clone(), ..Layer::new(*shape) }).collect();
        Unwrapper { layers }
    }

    /// The shapes as the report names them, outermost first: `cri+json-field`.
    pub fn id(&self) -> String {
        self.layers.iter().map(|l| l.shape.id()).collect::<Vec<_>>().join("+")
    }

    /// The lines left out as other sources' than the dump's (a container's other stream, a
    /// sidecar, another program), if any: one sentence for a warning, and the first one's line.
    pub fn left_out(&self) -> Option<(u64, u32, String)> {
        let layer = self.layers.iter().find(|l| l.left_out.0 > 0)?;
        let (count, first) = layer.left_out;
        let source = String::from_utf8_lossy(layer.source.as_deref().unwrap_or_default()).into_owned();
        let lines = if count == 1 { "line" } else { "lines" };
        Some((count, first, format!("left out {count} {lines} of the {} log that came from another source than the dump's ({source})", layer.shape.id())))
    }

    /// Hands on the lines inside one line of the input.
    pub fn line(&mut self, line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
        feed_from(&mut self.layers, line, emit);
    }

    /// Hands on what the wrappers still hold, once the input ended.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Line<'_>)) {
        for i in 0..self.layers.len() {
            let (layer, inner) = self.layers[i..].split_first_mut().expect("a layer");
            layer.finish(&mut |l| feed_from(inner, l, emit));
        }
    }
}

/// Feeds a line through `layers`, outermost first (at most [`MAX_SHAPES`] deep).
fn feed_from(layers: &mut [Layer], line: Line<'_>, emit: &mut dyn FnMut(Line<'_>)) {
    match layers.split_first_mut() {
        None => emit(line),
        Some((layer, inner)) => layer.feed(line, &mut |l| feed_from(inner, l, emit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes learnt from `input` and the lines inside it, with their numbers.
    fn unwrapped(input: &str) -> (String, Vec<(u32, String)>) {
        let learnt = learn(input.as_bytes(), true).expect("complete");
        let mut unwrap = Unwrapper::new(&learnt.wrapping);
        let mut out = Vec::new();
        let mut push = |l: Line<'_>| out.push((l.number, String::from_utf8_lossy(l.text).into_owned()));
        for line in Lines::new(input.as_bytes()) {
            unwrap.line(line, &mut push);
        }
        unwrap.finish(&mut push);
        (unwrap.id(), out)
    }

    fn lines(pairs: &[(u32, &str)]) -> Vec<(u32, String)> {
        pairs.iter().map(|&(n, t)| (n, t.to_string())).collect()
    }

    /// An input, the shapes' name, and the lines inside it with their numbers.
    type Case<'a> = (&'a str, &'a str, &'a [(u32, &'a str)]);

    #[test]
    fn each_shape_gives_back_the_lines_of_the_dump() {
        let table: &[Case] = &[
            (
                "2026-11-30T08:53:35.123456789Z stderr P goroutine 7 [chan \n2026-11-30T08:53:35.123456789Z stderr F receive]:\n2026-11-30T08:53:35.1Z stderr F main.main()\n",
                "cri",
                &[(1, "goroutine 7 [chan receive]:"), (3, "main.main()")],
            ),
            (
                "{\"log\":\"goroutine 7 [select]:\\n\",\"stream\":\"stderr\"}\n{\"log\":\"main.f()\\n\",\"stream\":\"stderr\"}\n{\"log\":\"\\u0009/m.go:3 +0x1\\n\"}\n",
                "docker-json",
                &[(1, "goroutine 7 [select]:"), (2, "main.f()"), (3, "\t/m.go:3 +0x1")],
            ),
            (
                // Fluent Bit's records drop the `\n` of each line.
                "{\"log\":\"goroutine 7 [select]:\"}\n{\"log\":\"main.f()\"}\n{\"log\":\"\\t/m.go:3 +0x1\"}\n",
                "docker-json",
                &[(1, "goroutine 7 [select]:"), (2, "main.f()"), (3, "\t/m.go:3 +0x1")],
            ),
            (
                "{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestA\",\"Output\":\"goroutine 7 [\"}\n{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestB\",\"Output\":\"=== RUN TestB\\n\"}\n{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestA\",\"Output\":\"running]:\\n\"}\n",
                "go-test-json",
                &[(2, "=== RUN TestB"), (1, "goroutine 7 [running]:")],
            ),
            (
                "Nov 30 08:53:35 host-a app[1234]: goroutine 7 [running]:\nNov 30 08:53:35 host-a app[1234]: #011/m.go:3 +0x1\n",
                "syslog",
                &[(1, "goroutine 7 [running]:"), (2, "\t/m.go:3 +0x1")],
            ),
            ("[pod/api-1/app] goroutine 7 [running]:\n[pod/api-1/app] main.main()\n", "kubectl-prefix", &[(1, "goroutine 7 [running]:"), (2, "main.main()")]),
            ("api-1  | goroutine 7 [running]:\napi-1  | main.main()\n", "compose", &[(1, "goroutine 7 [running]:"), (2, "main.main()")]),
            (
                "\x1b[36mapi-1  |\x1b[0m goroutine 7 [running]:\n\x1b[33mdb-1   |\x1b[0m ready\n\x1b[36mapi-1  |\x1b[0m main.main()\n",
                "compose",
                &[(1, "goroutine 7 [running]:"), (3, "main.main()")],
            ),
            (
                "<165>1 2026-11-30T08:53:35.003Z host-a app 1234 - - goroutine 7 [running]:\n<30>1 2026-11-30T08:53:35.004Z host-a systemd 1 - - Started.\n1 2026-11-30T08:53:35.005Z host-a app 1234 ID47 [origin ip=\"10.0.0.1\"] main.main()\n",
                "syslog",
                &[(1, "goroutine 7 [running]:"), (3, "main.main()")],
            ),
            ("> > goroutine 7 [running]:\n>\n> main.main()\n", "markdown-quote", &[(1, "goroutine 7 [running]:"), (2, ""), (3, "main.main()")]),
            (
                "level=INFO msg=up\nlevel=ERROR stack=\"goroutine 7 [running]:\\nmain.main()\\n\\t/m.go:3 +0x1\\n\" n=1\n",
                "logfmt",
                &[(1, "level=INFO msg=up"), (2, "goroutine 7 [running]:"), (2, "main.main()"), (2, "\t/m.go:3 +0x1"), (2, "")],
            ),
            (
                "2026-11-30T08:53:35Z stdout F {\"level\":\"error\",\"stacktrace\":\"goroutine 7 [running]:\\nmain.main()\"}\n",
                "cri+json-field",
                &[(1, "goroutine 7 [running]:"), (1, "main.main()"), (1, "")],
            ),
            ("goroutine 7 [running]:\nmain.main()\n", "", &[(1, "goroutine 7 [running]:"), (2, "main.main()")]),
        ];
        for (input, id, want) in table {
            assert_eq!(unwrapped(input), (id.to_string(), lines(want)), "{input}");
        }
    }

    #[test]
    fn lines_without_the_shape_go_on_as_they_are() {
        let (id, out) = unwrapped("[pod/api-1/app] goroutine 7 [running]:\nkubectl: lost connection\n[pod/api-1/app] main.main()\n");
        assert_eq!(id, "kubectl-prefix");
        assert_eq!(out[1], (2, "kubectl: lost connection".to_string()));
    }

    #[test]
    fn lines_of_other_sources_than_the_dump_are_left_out() {
        let table: &[Case] = &[
            (
                "2026-11-30T08:53:35Z stdout F starting\n2026-11-30T08:53:35Z stderr P goroutine 7 [chan \n2026-11-30T08:53:35Z stdout F GET /healthz\n2026-11-30T08:53:35Z stderr F receive]:\n",
                "cri",
                &[(2, "goroutine 7 [chan receive]:")],
            ),
            (
                "[pod/api/istio-proxy] ready\n[pod/api/app] goroutine 7 [running]:\n[pod/api/istio-proxy] GET /healthz 200\n[pod/api/app] main.main()\n",
                "kubectl-prefix",
                &[(2, "goroutine 7 [running]:"), (4, "main.main()")],
            ),
            ("api-1  | goroutine 7 [running]:\ndb-1   | checkpoint\napi-1  | main.main()\n", "compose", &[(1, "goroutine 7 [running]:"), (3, "main.main()")]),
            (
                "Nov 30 08:53:35 host-a app[1234]: goroutine 7 [running]:\nNov 30 08:53:35 host-a systemd[1]: Started.\nNov 30 08:53:35 host-a app[1234]: main.main()\n",
                "syslog",
                &[(1, "goroutine 7 [running]:"), (3, "main.main()")],
            ),
        ];
        for (input, id, want) in table {
            assert_eq!(unwrapped(input), (id.to_string(), lines(want)), "{input}");
        }
    }

    #[test]
    fn docker_joins_a_long_line_from_its_16_kib_pieces() {
        let long = format!("main.f({})", "x".repeat(40_000));
        let mut input = "{\"log\":\"goroutine 7 [select]:\\n\",\"stream\":\"stderr\"}\n".to_string();
        for (i, piece) in long.as_bytes().chunks(DOCKER_PIECE_BYTES).enumerate() {
            let end = if (i + 1) * DOCKER_PIECE_BYTES >= long.len() { "\\n" } else { "" };
            input += &format!("{{\"log\":\"{}{end}\",\"stream\":\"stderr\"}}\n", std::str::from_utf8(piece).unwrap());
        }
        let (id, out) = unwrapped(&input);
        assert_eq!(id, "docker-json");
        assert_eq!(out, [(1, "goroutine 7 [select]:".to_string()), (2, long)]);
    }

    #[test]
    fn a_head_without_a_dump_yet_waits() {
        assert_eq!(learn(b"level=INFO msg=starting\n", false), None);
        assert_eq!(learn(b"level=INFO msg=starting\n", true), Some(Learnt::default()));
    }
}
