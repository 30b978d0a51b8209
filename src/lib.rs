//! parkview's core: decode Go goroutine dumps and pprof profiles into one model, and analyse
//! them. Pure: no I/O, no clock, no threads, no web crates. The CLI and the web app render the
//! rows of [`report`] and [`diff`], so they cannot disagree on a number.
#![forbid(unsafe_code)]

pub mod archive;
pub mod capture;
pub mod classify;
pub mod creators;
pub mod decode;
pub mod diff;
pub mod export;
pub mod flame;
pub mod gofunc;
pub mod group;
pub mod ignore;
pub mod leaks;
pub mod limits;
pub mod model;
pub mod report;
pub mod rows;
pub mod search;
pub mod share;
pub mod timeouts;
pub mod top;
pub mod waits;

pub use decode::{decode, decode_all, DecodeError, Decoded, Format, Options, Stream};
