//! What every decoder shares: the formats by name, why an input could not be decoded, and the
//! one shape of a format's `convert` ([`Format::convert`], in the parent, picks the decoder).

use crate::decode::text;
use crate::limits::MAX_WHOLE_BYTES;
use crate::model::Profile;
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
    /// The id the report prints (`"format": "goroutine-debug2"`).
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
    #[error("a {format} input of more than {} MiB is more than parkview reads (MAX_WHOLE_BYTES): this format is read whole", MAX_WHOLE_BYTES >> 20)]
    WholeTooLarge { format: &'static str },
    #[error("broken protobuf at byte {offset}, in {field}: {reason}")]
    Protobuf { offset: usize, field: String, reason: String },
    #[error("broken legacy CPU profile at byte {offset}: {reason}")]
    Legacy { offset: usize, reason: String },
}

/// What every format's `convert` is: the whole (inflated) input in, the profile out, with
/// what could not be read noted in the [`text::Warnings`]; an error only for input that is
/// broken past reading (the text formats never fail).
pub type Convert = fn(&[u8], &mut text::Warnings) -> Result<Profile, DecodeError>;
