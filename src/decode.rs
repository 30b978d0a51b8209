//! Decoding inputs into a [`Profile`]: gzip is inflated as it arrives, [`sniff::detect`]
//! tells the format once, and the format's module converts it.
//!
//! Each format has its own module with a `sniff`/`convert` pair (as Firefox Profiler's
//! importers have `is_x`/`convert_x`), every `convert` of one shape ([`Convert`]). "Not my
//! format" ([`DecodeError::NotAProfile`]) is a different error from "broken" (the others).

pub mod debug1;
pub mod format;
pub mod gzip;
pub mod legacy;
pub mod pprof;
pub mod sniff;
pub mod stack;
pub mod text;
pub mod traceback;
pub mod wrapper;

use crate::limits::{self, LimitHit, MAX_WHOLE_BYTES};
use crate::model::{Profile, Warning};
use serde::{Deserialize, Serialize};
use wrapper::{Unwrapper, Wrapping};

pub use crate::limits::MAX_WARNINGS;
pub use format::{Convert, DecodeError, Format};

/// Limits that keep hostile input from taking unbounded memory (the others are constants of
/// [`crate::limits`]).
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The most bytes a gzip stream may inflate to ([`limits::MAX_FILE_BYTES`] by default).
    pub max_inflated_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_inflated_bytes: limits::MAX_FILE_BYTES }
    }
}

/// A decoded input: the profile, and what could not be read of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Decoded {
    pub format: Format,
    pub gzipped: bool,
    pub profile: Profile,
    /// The first warnings (at most [`MAX_WARNINGS`]), with line numbers.
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, MAX_WARNINGS>")]
    pub warnings: Vec<Warning>,
    /// Lines (or records) that were skipped, all of them counted.
    pub skipped: u64,
    /// The limits the input reached, and what was kept.
    #[serde(default, deserialize_with = "limits::bounded_vec::<_, _, 16>")]
    pub limits: Vec<LimitHit>,
    /// The log wrappers removed from every line ([`wrapper::Shape::id`], outermost first,
    /// joined by `+`: `cri+json-field`), if the dump came wrapped.
    #[serde(default)]
    pub wrapper: Option<String>,
}

impl Format {
    /// The decoder of this format.
    pub fn convert(self) -> Convert {
        match self {
            Format::Pprof => pprof::convert,
            Format::PprofLegacy => legacy::convert,
            Format::GoroutineDebug1 | Format::PprofDebug1 => debug1::convert,
            Format::GoroutineDebug2 | Format::Traceback => traceback::convert,
        }
    }
}

/// Detects the format and decodes the input.
pub fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, DecodeError> {
    let mut stream = Stream::new(options);
    stream.feed(bytes)?;
    stream.finish()
}

/// Detects the format and decodes every dump the input holds (see [`Stream::finish_all`]).
pub fn decode_all(bytes: &[u8], options: &Options) -> Result<Vec<Decoded>, DecodeError> {
    let mut stream = Stream::new(options);
    stream.feed(bytes)?;
    stream.finish_all()
}

/// An input decoded while it arrives, piece by piece (a file read in slices): gzip is inflated
/// as it comes, and goroutine dumps and tracebacks are decoded line by line, so that neither
/// the input nor its inflated text is ever held whole. The other formats are small; they are
/// gathered and decoded at the end. Feeding an input in any pieces gives what [`decode`] gives.
pub struct Stream {
    /// The first bytes, until there are enough to see the gzip magic.
    start: Vec<u8>,
    input: Option<Input>,
    max_inflated_bytes: u64,
    /// The error that ended the stream: every later call gives it again.
    failed: Option<DecodeError>,
    /// The gzip stream broke after some output: what it inflated is read, with a warning.
    broken: Option<DecodeError>,
}

enum Input {
    Plain(Plain),
    Gzip(Box<(gzip::Inflater, Plain)>),
}

/// Plain (or inflated) bytes on their way to a decoder.
struct Plain {
    stage: Stage,
    /// Bytes received so far.
    received: u64,
    /// Gzip output past this is refused (a gzip bomb).
    limit: Option<u64>,
}

enum Stage {
    /// The start of the input, until the format can be told ([`sniff::SNIFF_LEN`] bytes, or
    /// the first goroutine header when lines may carry log prefixes). It is looked at again
    /// each time it doubles, up to [`MAX_HEAD`].
    Head { head: Vec<u8>, next_look: usize },
    Lines {
        format: Format,
        lines: text::LineSplitter,
        /// The log wrappers removed from each line before the decoder reads it.
        unwrap: Option<Box<Unwrapper>>,
        decoder: Box<traceback::Decoder>,
    },
    /// An input decoded whole: the formats not read line by line (their format told from the
    /// head), and binary input the head could not tell (told from the whole). Wrapped text
    /// is unwrapped whole at the end.
    Whole { format: Option<Format>, bytes: Vec<u8>, wrapping: Wrapping },
    /// The whole input grew past [`MAX_WHOLE_BYTES`].
    Failed(DecodeError),
}

/// The most of an input's start kept while looking for the first goroutine header after log
/// prefixes; past it the head is judged on what it holds.
const MAX_HEAD: usize = 64 << 20;

impl Plain {
    fn new(limit: Option<u64>) -> Self {
        Plain { stage: Stage::Head { head: Vec::new(), next_look: sniff::SNIFF_LEN }, received: 0, limit }
    }

    fn feed(&mut self, piece: &[u8]) {
        self.received += piece.len() as u64;
        self.feed_stage(piece);
    }

    fn feed_stage(&mut self, piece: &[u8]) {
        match &mut self.stage {
            Stage::Head { head, next_look } => {
                // Only what the head needs is copied; the rest goes on once the format is known.
                let wanted = (*next_look - head.len()).min(piece.len());
                head.extend_from_slice(&piece[..wanted]);
                if head.len() < *next_look {
                    return;
                }
                *next_look = (head.len() * 2).min(MAX_HEAD);
                self.decide(false);
                self.feed_stage(&piece[wanted..]);
            }
            Stage::Lines { lines, unwrap: None, decoder, .. } => lines.feed(piece, |line| decoder.line(line)),
            Stage::Lines { lines, unwrap: Some(unwrap), decoder, .. } => lines.feed(piece, |line| unwrap.line(line, &mut |l| decoder.line(l))),
            Stage::Whole { format, bytes, .. } if (bytes.len() + piece.len()) as u64 > MAX_WHOLE_BYTES => {
                let error = match format.ok_or(()).or_else(|()| sniff::detect(bytes)) {
                    Ok(format) => DecodeError::WholeTooLarge { format: format.id() },
                    Err(e) => e,
                };
                self.stage = Stage::Failed(error);
            }
            Stage::Whole { bytes, .. } => bytes.extend_from_slice(piece),
            Stage::Failed(_) => {}
        }
    }

    /// Leaves the head stage once the head tells the format (or, `complete`, once the input
    /// ended): dumps and tracebacks are decoded from here on; anything else, a detection error
    /// included, is judged on the whole input. A dump wrapped by a log system is told by the
    /// head unwrapped ([`wrapper::learn`]).
    fn decide(&mut self, complete: bool) {
        let Stage::Head { head, .. } = &mut self.stage else { return };
        let complete = complete || head.len() >= MAX_HEAD;
        let raw = sniff::detect(head);
        let text = !text::looks_binary(head);
        let learnt = match raw {
            Ok(_) | Err(DecodeError::NotAProfile(_)) if text => match wrapper::learn(head, complete) {
                Some(learnt) => learnt,
                None => return,
            },
            _ => wrapper::Learnt::default(),
        };
        let (wrapping, unwrapped) = (learnt.wrapping, learnt.head);
        let format = match &unwrapped {
            Some(view) => sniff::detect(view),
            None => raw,
        };
        // Text that shows nothing yet (a log before the dump) is looked at again when it doubles.
        if matches!(format, Err(DecodeError::NotAProfile(_))) && !complete && text {
            return;
        }
        let streamed = matches!(format, Ok(Format::GoroutineDebug2 | Format::Traceback));
        let prefixed = if streamed { traceback::prefixes(unwrapped.as_deref().unwrap_or(head), complete) } else { Some(false) };
        let Some(prefixed) = prefixed else { return };
        let head = std::mem::take(head);
        self.stage = match format {
            Ok(format) if streamed => {
                let mut lines = text::LineSplitter::default();
                let mut unwrap = (!wrapping.is_empty()).then(|| Box::new(Unwrapper::new(&wrapping)));
                let mut decoder = Box::new(traceback::Decoder::new(prefixed));
                match &mut unwrap {
                    Some(unwrap) => lines.feed(&head, |line| unwrap.line(line, &mut |l| decoder.line(l))),
                    None => lines.feed(&head, |line| decoder.line(line)),
                }
                Stage::Lines { format, lines, unwrap, decoder }
            }
            _ => Stage::Whole { format: format.ok(), bytes: head, wrapping },
        };
    }

    /// Decodes what is left, once the input ended (a head never decided on is decided now):
    /// every dump the input holds, in order.
    fn finish(mut self) -> Result<Vec<Decoded>, DecodeError> {
        self.decide(true);
        match self.stage {
            Stage::Head { .. } => unreachable!("a complete head is decided"),
            Stage::Whole { format, bytes, wrapping } => {
                let wrapper = (!wrapping.is_empty()).then(|| Unwrapper::new(&wrapping).id());
                let (bytes, left_out) = if wrapping.is_empty() { (bytes, None) } else { unwrap_all(&wrapping, &bytes) };
                let format = match format {
                    Some(format) => format,
                    None => sniff::detect(&bytes)?,
                };
                let mut decoded = Decoded { wrapper, ..convert(format, &bytes)? };
                if let Some((count, first, message)) = left_out {
                    decoded.skipped += count;
                    decoded.warn_first(Warning { line: first, message });
                }
                Ok(vec![decoded])
            }
            Stage::Lines { format, lines, mut unwrap, mut decoder } => {
                match &mut unwrap {
                    Some(unwrap) => {
                        lines.finish(|line| unwrap.line(line, &mut |l| decoder.line(l)));
                        unwrap.finish(&mut |l| decoder.line(l));
                    }
                    None => lines.finish(|line| decoder.line(line)),
                }
                let (dumps, mut warnings) = decoder.finish_all();
                if let Some((count, first, message)) = unwrap.as_ref().and_then(|u| u.left_out()) {
                    warnings.skipped += count;
                    warnings.note(first, || message);
                }
                let wrapper = unwrap.map(|u| u.id());
                Ok(split_warnings(dumps, warnings)
                    .into_iter()
                    .map(|(profile, warnings)| Decoded { wrapper: wrapper.clone(), ..Decoded::plain(format, profile, warnings) })
                    .collect())
            }
            Stage::Failed(e) => Err(e),
        }
    }
}

/// Each dump with the warnings on its lines (dumps start at the line given); what has no line
/// goes with the first.
fn split_warnings(dumps: Vec<(Profile, u32)>, warnings: text::Warnings) -> Vec<(Profile, text::Warnings)> {
    let starts: Vec<u32> = dumps.iter().map(|(_, from)| *from).collect();
    let mut out: Vec<(Profile, text::Warnings)> = dumps.into_iter().map(|(p, _)| (p, text::Warnings::default())).collect();
    out[0].1.skipped = warnings.skipped;
    out[0].1.limits = warnings.limits;
    for w in warnings.kept {
        let at = starts.iter().rposition(|&from| from <= w.line).unwrap_or(0);
        out[at].1.kept.push(w);
    }
    out
}

/// `bytes` with the wrappers of `wrapping` removed from every line, lines joined by newlines,
/// and what was left out as other sources' lines ([`Unwrapper::left_out`]).
fn unwrap_all(wrapping: &Wrapping, bytes: &[u8]) -> (Vec<u8>, Option<(u64, u32, String)>) {
    let mut unwrap = Unwrapper::new(wrapping);
    let mut out = Vec::with_capacity(bytes.len());
    let mut push = |l: text::Line<'_>| {
        out.extend_from_slice(l.text);
        out.push(b'\n');
    };
    for line in text::Lines::new(bytes) {
        unwrap.line(line, &mut push);
    }
    unwrap.finish(&mut push);
    let left_out = unwrap.left_out();
    (out, left_out)
}

impl Plain {
    /// Inflated text goes to the decoder as the gzip stream gives it, up to the limit.
    fn inflated(&mut self, piece: &[u8]) -> Result<(), DecodeError> {
        if let Some(limit) = self.limit.filter(|&limit| self.received + piece.len() as u64 > limit) {
            return Err(DecodeError::TooLarge { limit });
        }
        self.feed(piece);
        Ok(())
    }
}

impl Stream {
    pub fn new(options: &Options) -> Self {
        Stream { start: Vec::new(), input: None, max_inflated_bytes: options.max_inflated_bytes, failed: None, broken: None }
    }

    /// Reads the next piece of the input. An error ends the stream (the gzip stream is broken,
    /// or inflates past the limit): later pieces are not read, and [`Stream::finish`] gives it.
    /// A gzip stream that breaks after some output (a cut `.txt.gz`) is no error here: what it
    /// inflated is read, and [`Stream::finish`] decides.
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), DecodeError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.broken.is_some() {
            return Ok(());
        }
        match self.feed_input(piece) {
            Err(e @ DecodeError::Gzip { offset: 1.., .. }) => {
                self.broken = Some(e);
                Ok(())
            }
            Err(e) => {
                self.failed = Some(e.clone());
                Err(e)
            }
            Ok(()) => Ok(()),
        }
    }

    fn feed_input(&mut self, piece: &[u8]) -> Result<(), DecodeError> {
        let Some(input) = &mut self.input else {
            self.start.extend_from_slice(piece);
            if self.start.len() >= 3 {
                self.begin()?;
            }
            return Ok(());
        };
        match input {
            Input::Plain(plain) => plain.feed(piece),
            Input::Gzip(gzip) => {
                let (inflater, plain) = &mut **gzip;
                inflater.write(piece, &mut |out| plain.inflated(out))?;
            }
        }
        Ok(())
    }

    /// Sees whether the input is gzipped, and feeds what arrived so far.
    fn begin(&mut self) -> Result<(), DecodeError> {
        let gzipped = gzip::is_gzip(&self.start);
        self.input = Some(if gzipped {
            Input::Gzip(Box::new((gzip::Inflater::default(), Plain::new(Some(self.max_inflated_bytes)))))
        } else {
            Input::Plain(Plain::new(None))
        });
        let start = std::mem::take(&mut self.start);
        self.feed_input(&start)
    }

    /// Decodes what is left, once the last piece was fed. An input that holds several dumps
    /// (see [`Stream::finish_all`]) gives its last, with a warning that says so.
    pub fn finish(self) -> Result<Decoded, DecodeError> {
        let mut all = self.finish_all()?;
        let count = all.len();
        let mut last = all.pop().expect("one dump at least");
        if count > 1 {
            let message = format!("the input holds {count} dumps (goroutine ids restart after other text); this is the last of them");
            let line = last.profile.goroutines.first().map_or(0, |g| g.line);
            last.warn_first(Warning { line, message });
        }
        Ok(last)
    }

    /// Decodes what is left, once the last piece was fed: every dump the input holds, in
    /// order. A text that holds several dumps one after another (a log that got a dump
    /// appended per run, a signal sent twice: goroutine ids restart after other text) gives
    /// one each; warnings go with the dump whose lines they name, counts of skipped lines and
    /// limits with the first.
    pub fn finish_all(mut self) -> Result<Vec<Decoded>, DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if self.input.is_none() {
            self.begin()?;
        }
        match self.input.expect("begun") {
            Input::Plain(plain) => plain.finish(),
            Input::Gzip(gzip) => {
                let (mut inflater, mut plain) = *gzip;
                let broken = match self.broken {
                    Some(e) => Some(e),
                    None => match inflater.finish(&mut |out| plain.inflated(out)) {
                        Err(e @ DecodeError::Gzip { offset: 1.., .. }) => Some(e),
                        Err(e) => return Err(e),
                        Ok(()) => None,
                    },
                };
                // What a broken stream inflated is read when it reads as something; else the
                // break is the clearer sentence.
                let mut all = match (plain.finish(), broken.clone()) {
                    (Ok(all), _) => all,
                    (Err(_), Some(e)) => return Err(e),
                    (Err(e), None) => return Err(e),
                };
                for decoded in &mut all {
                    decoded.gzipped = true;
                }
                if let (Some(e), Some(last)) = (broken, all.last_mut()) {
                    last.profile.truncated = true;
                    last.warn_last(Warning { line: 0, message: format!("{e}; what was inflated before it is read") });
                }
                Ok(all)
            }
        }
    }
}

/// Converts a whole input of a known format.
fn convert(format: Format, bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let mut warnings = text::Warnings::default();
    let profile = format.convert()(bytes, &mut warnings)?;
    Ok(Decoded::plain(format, profile, warnings))
}

impl Decoded {
    /// A decoded input that was not gzipped, with what its decoder noted.
    fn plain(format: Format, profile: Profile, warnings: text::Warnings) -> Decoded {
        Decoded { format, gzipped: false, profile, warnings: warnings.kept, skipped: warnings.skipped, limits: warnings.limits, wrapper: None }
    }

    /// Puts a warning about the whole input in front of the others; the list stays at
    /// [`MAX_WARNINGS`] (the last one gives way), since a share link refuses longer ones.
    fn warn_first(&mut self, warning: Warning) {
        self.warnings.insert(0, warning);
        self.warnings.truncate(MAX_WARNINGS);
    }

    /// Adds a warning after the others when fewer than [`MAX_WARNINGS`] are kept.
    fn warn_last(&mut self, warning: Warning) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        }
    }
}
