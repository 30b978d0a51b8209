//! Telling formats apart from the bytes alone, and decoding them into a [`Profile`].
//!
//! Each format has its own module with an `is_x`/`convert_x` pair in spirit: [`detect`] asks
//! the cheap questions in a fixed order (gzip magic, then text sniffing, then the binary
//! shapes), and [`decode`] hands the bytes to the one decoder that claimed them. "Not my
//! format" ([`DecodeError::NotAProfile`]) is a different error from "broken" (the others).

pub mod debug1;
pub mod gzip;
pub mod legacy;
pub mod pprof;
pub mod text;
pub mod traceback;

use crate::model::{Profile, Warning};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The input formats of DESIGN.md section 2, by the id the report prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// profile.proto, gzipped or not.
    #[serde(rename = "pprof")]
    Pprof,
    /// `goroutine profile: total N` (also goroutineleak).
    #[serde(rename = "goroutine-debug1")]
    GoroutineDebug1,
    /// Legacy text of heap/allocs, mutex, block and threadcreate.
    #[serde(rename = "pprof-debug1")]
    PprofDebug1,
    /// `?debug=2`: one block per goroutine, nothing before the first one.
    #[serde(rename = "goroutine-debug2")]
    GoroutineDebug2,
    /// Goroutine blocks after other text: panics, fatal errors, SIGQUIT, logs.
    #[serde(rename = "traceback")]
    Traceback,
    /// Binary CPU profiles from Go before 1.9.
    #[serde(rename = "pprof-legacy")]
    PprofLegacy,
}

impl Format {
    pub fn id(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::GoroutineDebug1 => "goroutine-debug1",
            Format::PprofDebug1 => "pprof-debug1",
            Format::GoroutineDebug2 => "goroutine-debug2",
            Format::Traceback => "traceback",
            Format::PprofLegacy => "pprof-legacy",
        }
    }
}

/// What [`detect`] found: the format of the content, and whether it came gzipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub format: Format,
    pub gzipped: bool,
}

/// Limits that keep hostile input from taking unbounded memory.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The most bytes a gzip stream may inflate to.
    pub max_inflated_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        // A million-goroutine debug=2 dump is about 800 MB of text.
        Options { max_inflated_bytes: 2 << 30 }
    }
}

/// A decoded input: the profile, and what could not be read of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Decoded {
    pub format: Format,
    pub gzipped: bool,
    pub profile: Profile,
    /// The first warnings (at most [`MAX_WARNINGS`]), with line numbers.
    pub warnings: Vec<Warning>,
    /// Lines (or records) that were skipped, all of them counted.
    pub skipped: u64,
}

/// At most this many warnings are kept; `skipped` still counts every skipped line.
pub const MAX_WARNINGS: usize = 200;

/// Why an input could not be decoded. Each message is one sentence that says what was
/// expected and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Not one of the formats: what it looks like instead.
    #[error("{0}")]
    NotAProfile(String),
    #[error("the input is empty: expected a goroutine dump or a pprof profile")]
    Empty,
    #[error("broken gzip stream after {offset} bytes of output: {reason}")]
    Gzip { offset: u64, reason: String },
    #[error("the gzip stream inflates to more than {limit} bytes, the most parkview reads (a gzip bomb?)")]
    TooLarge { limit: u64 },
    #[error("broken protobuf at byte {offset}, in {field}: {reason}")]
    Protobuf { offset: usize, field: String, reason: String },
    #[error("broken legacy CPU profile at byte {offset}: {reason}")]
    Legacy { offset: usize, reason: String },
}

/// Tells the format from the bytes alone: gzip magic first, then text, then binary shapes.
/// For gzip, only the start of the stream is inflated to look inside.
pub fn detect(bytes: &[u8]) -> Result<Detected, DecodeError> {
    if gzip::is_gzip(bytes) {
        let head = gzip::inflate_head(bytes, 64 << 10)?;
        let format = detect_plain(&head)?;
        return Ok(Detected { format, gzipped: true });
    }
    Ok(Detected { format: detect_plain(bytes)?, gzipped: false })
}

fn detect_plain(bytes: &[u8]) -> Result<Format, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if legacy::is_legacy_cpu(bytes) {
        return Ok(Format::PprofLegacy);
    }
    if let Some(format) = text::sniff(bytes) {
        return Ok(format);
    }
    if pprof::is_pprof(bytes) {
        return Ok(Format::Pprof);
    }
    Err(DecodeError::NotAProfile(text::what_it_looks_like(bytes)))
}

/// Detects the format and decodes the input.
pub fn decode(bytes: &[u8], options: &Options) -> Result<Decoded, DecodeError> {
    if gzip::is_gzip(bytes) {
        let inflated = gzip::inflate(bytes, options.max_inflated_bytes)?;
        let mut decoded = decode_plain(&inflated)?;
        decoded.gzipped = true;
        return Ok(decoded);
    }
    decode_plain(bytes)
}

fn decode_plain(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let format = detect_plain(bytes)?;
    let mut warnings = text::Warnings::default();
    let profile = match format {
        Format::Pprof => pprof::convert(bytes)?,
        Format::PprofLegacy => legacy::convert(bytes)?,
        Format::GoroutineDebug1 | Format::PprofDebug1 => debug1::convert(bytes, &mut warnings),
        Format::GoroutineDebug2 | Format::Traceback => traceback::convert(bytes, &mut warnings),
    };
    Ok(Decoded { format, gzipped: false, profile, warnings: warnings.kept, skipped: warnings.skipped })
}
