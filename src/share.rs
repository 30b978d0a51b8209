//! Sharing without uploading: the snapshots and the view, compressed into the part of a URL
//! after `#`, which browsers never send to a server; and redaction before sharing.
//!
//! A fragment is `v1.` followed by base64url (no padding) of the raw-deflated JSON of a
//! [`Shared`]: the view (opaque to the core: the page's own JSON) and each snapshot's decoded
//! model, so that the receiver reads exactly what the sender saw. A share file is the text
//! [`SHARE_FILE_HEADER`] followed by a fragment. Links are untrusted input: sizes are capped,
//! every id of a model is checked, and every failure is one sentence.

use crate::decode::Decoded;
use crate::report::base_name;
use crate::model::{Ancestor, ArgList, Crash, Frame, Goroutine, LabelValue, Profile, Sample, StrId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use flate2::read::{DeflateDecoder, DeflateEncoder};
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use thiserror::Error;

/// The version prefix of a fragment.
pub const FRAGMENT_PREFIX: &str = "v1.";
/// The first line of a share file.
pub const SHARE_FILE_HEADER: &str = "parkview share v1\n";
/// The most bytes a shared payload may inflate to.
pub const MAX_INFLATED: u64 = 512 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharedSnapshot {
    pub name: String,
    pub decoded: Decoded,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shared {
    /// The page's view state, as the page wrote it.
    pub view: String,
    pub snapshots: Vec<SharedSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShareError {
    #[error("this link holds no parkview data: expected `#v1.` followed by the data")]
    NotAShare,
    #[error("the link's data is not base64url (bad character near position {0}): it may have been cut or changed")]
    Base64(usize),
    #[error("the link's data does not inflate ({0}): it may have been cut off")]
    Inflate(String),
    #[error("the link's data inflates to more than {0} bytes, the most parkview reads")]
    TooLarge(u64),
    #[error("the link's data is not a parkview share ({0})")]
    Payload(String),
}

/// Encodes a share as a URL fragment (without the `#`).
pub fn to_fragment(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).expect("a share serializes");
    let mut deflated = Vec::new();
    DeflateEncoder::new(&json[..], Compression::best()).read_to_end(&mut deflated).expect("deflating into memory");
    format!("{FRAGMENT_PREFIX}{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// Reads a fragment (with or without its `#`), or the text of a share file.
pub fn from_fragment(text: &str, max_inflated: u64) -> Result<Shared, ShareError> {
    let text = text.trim();
    let text = text.strip_prefix(SHARE_FILE_HEADER.trim_end()).map(str::trim_start).unwrap_or(text);
    let data = text.strip_prefix('#').unwrap_or(text).strip_prefix(FRAGMENT_PREFIX).ok_or(ShareError::NotAShare)?;
    let deflated = URL_SAFE_NO_PAD.decode(data.trim_end_matches('=')).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, _) => ShareError::Base64(at),
        base64::DecodeError::InvalidLastSymbol(at, _) => ShareError::Base64(at),
        _ => ShareError::Base64(data.len()),
    })?;
    let mut json = Vec::new();
    DeflateDecoder::new(&deflated[..]).take(max_inflated.saturating_add(1)).read_to_end(&mut json).map_err(|e| ShareError::Inflate(e.to_string()))?;
    if json.len() as u64 > max_inflated {
        return Err(ShareError::TooLarge(max_inflated));
    }
    let shared: Shared = serde_json::from_slice(&json).map_err(|e| ShareError::Payload(e.to_string()))?;
    for s in &shared.snapshots {
        s.decoded.profile.check().map_err(|e| ShareError::Payload(format!("{}: {e}", s.name)))?;
    }
    Ok(shared)
}

/// What to take out before sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Redaction {
    /// Function arguments (values and pointers).
    pub args: bool,
    /// File paths, keeping the base name.
    pub paths: bool,
    /// Label values, replaced by stable short hashes so that groups still split the same way.
    pub label_values: bool,
    /// Goroutine ids, renumbered from 1 in the order printed.
    pub goroutine_ids: bool,
    /// The panic message.
    pub panic_message: bool,
}

impl Redaction {
    pub fn any(&self) -> bool {
        self.args || self.paths || self.label_values || self.goroutine_ids || self.panic_message
    }
}

/// A stable short hash of a label value: the same value always gives the same text.
pub fn label_hash(value: &str) -> String {
    // FNV-1a, 64 bits: stable across runs and platforms.
    let hash = value.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    format!("#{:08x}", (hash >> 32) as u32)
}

/// Frames and stacks of a source profile, interned again into a new one (file paths cut to
/// their base names when asked).
struct FrameMap<'p> {
    source: &'p Profile,
    paths: bool,
    done: HashMap<u32, u32>,
}

impl FrameMap<'_> {
    fn frame(&mut self, out: &mut Profile, id: u32) -> u32 {
        let (p, paths) = (self.source, self.paths);
        *self.done.entry(id).or_insert_with(|| {
            let f = p.frames.get(id);
            let file = p.strings.get(f.file);
            let file = if paths { base_name(file) } else { file };
            let frame = Frame { func: out.strings.intern(p.strings.get(f.func)), file: out.strings.intern(file), line: f.line };
            out.frames.intern(frame)
        })
    }

    fn stack(&mut self, out: &mut Profile, id: u32) -> u32 {
        let new: Vec<u32> = self.source.stack(id).iter().map(|&f| self.frame(out, f)).collect();
        out.stacks.intern(new)
    }
}

/// A copy of `decoded` with the redacted values gone from every table: the profile is rebuilt
/// from its parts, so a value no longer referenced is not carried along.
pub fn redact(decoded: &Decoded, r: &Redaction) -> Decoded {
    if !r.any() {
        return decoded.clone();
    }
    let p = &decoded.profile;
    let mut out = Profile::new(p.kind.clone());
    out.sample_types = p.sample_types.clone();
    out.default_sample_type = p.default_sample_type;
    out.period_type = p.period_type.clone();
    out.period = p.period;
    out.duration_nanos = p.duration_nanos;
    out.truncated = p.truncated;

    let string = |out: &mut Profile, id: StrId| out.strings.intern(p.strings.get(id));
    let mut frames = FrameMap { source: p, paths: r.paths, done: HashMap::new() };
    let label_set = |out: &mut Profile, id: u32| -> u32 {
        let set = p
            .labels(id)
            .iter()
            .map(|(k, v)| {
                let key = out.strings.intern(p.strings.get(*k));
                let value = match v {
                    LabelValue::Str(s) if r.label_values => LabelValue::Str(out.strings.intern(&label_hash(p.strings.get(*s)))),
                    LabelValue::Str(s) => LabelValue::Str(out.strings.intern(p.strings.get(*s))),
                    LabelValue::Num { value, unit } => LabelValue::Num { value: *value, unit: unit.map(|u| out.strings.intern(p.strings.get(u))) },
                };
                (key, value)
            })
            .collect();
        out.label_set(set)
    };
    // Ids renumbered in the order printed; a parent that is not in the dump gets a number too.
    let mut ids: HashMap<u64, u64> = HashMap::new();
    for g in &p.goroutines {
        let next = ids.len() as u64 + 1;
        ids.entry(g.id).or_insert(next);
    }
    let mut id = |old: u64| -> u64 {
        if !r.goroutine_ids {
            return old;
        }
        let next = ids.len() as u64 + 1;
        *ids.entry(old).or_insert(next)
    };
    for g in &p.goroutines {
        let new_stack = frames.stack(&mut out, g.stack);
        let args = ArgList { first: out.args.next_index(), count: g.args.count };
        for a in p.args.list(g.args) {
            out.args.push(if r.args { "…".as_bytes() } else { a.as_bytes() });
        }
        let goroutine = Goroutine {
            id: id(g.id),
            state: string(&mut out, g.state),
            labels: label_set(&mut out, g.labels),
            stack: new_stack,
            args,
            created_by: g.created_by.map(|f| frames.frame(&mut out, f)),
            parent: g.parent.map(&mut id),
            ancestors: g.ancestors.iter().map(|a| Ancestor { id: id(a.id), stack: frames.stack(&mut out, a.stack) }).collect(),
            ..g.clone()
        };
        out.goroutines.push(goroutine);
    }
    for s in &p.samples {
        let new_stack = frames.stack(&mut out, s.stack);
        let labels = label_set(&mut out, s.labels);
        out.samples.push(Sample { stack: new_stack, values: s.values.clone(), labels, goroutine: s.goroutine });
    }
    for (&f, &line) in &p.function_start_lines {
        let f = string(&mut out, f);
        out.function_start_lines.insert(f, line);
    }
    out.crash = p.crash.as_ref().map(|c| Crash {
        panic: if r.panic_message { c.panic.iter().map(|_| "panic: [redacted]".to_string()).collect() } else { c.panic.clone() },
        first_goroutine: c.first_goroutine.map(&mut id),
        ..c.clone()
    });
    Decoded {
        format: decoded.format,
        gzipped: decoded.gzipped,
        profile: out,
        // Warnings quote the input; with anything redacted only their count travels.
        warnings: Vec::new(),
        skipped: decoded.skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_hashes_are_stable_and_short() {
        assert_eq!(label_hash("acme"), label_hash("acme"));
        assert_ne!(label_hash("acme"), label_hash("globex corp"));
        assert_eq!(label_hash("acme").len(), 9);
    }

    #[test]
    fn malformed_fragments_are_one_sentence_each() {
        assert_eq!(from_fragment("#view=summary", MAX_INFLATED).unwrap_err(), ShareError::NotAShare);
        assert!(matches!(from_fragment("#v1.ab$cd", MAX_INFLATED), Err(ShareError::Base64(2))));
        assert!(matches!(from_fragment("#v1.AAAA", MAX_INFLATED), Err(ShareError::Inflate(_) | ShareError::Payload(_))));
    }
}
