//! Sharing without uploading: the snapshots and the view, compressed into the part of a URL
//! after `#`, which browsers never send to a server; and redaction before sharing.
//!
//! A fragment is `v1.` followed by base64url (no padding) of the raw-deflated JSON of a
//! [`Shared`]: the view (opaque to the core: the page's own JSON) and each snapshot's decoded
//! model, so that the receiver reads exactly what the sender saw. A share file is the text
//! [`SHARE_FILE_HEADER`] followed by a fragment. Links are untrusted input: sizes are capped
//! ([`crate::limits::MAX_LINK_BYTES`], and each table by [`crate::limits`]), every id of a model is checked,
//! and every failure is one sentence.

use crate::decode::Decoded;
use crate::limits::{self, MAX_SNAPSHOTS};
use crate::model::{Ancestor, ArgList, Crash, Frame, Goroutine, LabelValue, Profile, Sample, StrId};
use crate::report::base_name;
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharedSnapshot {
    pub name: String,
    pub decoded: Decoded,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shared {
    /// The page's view state, as the page wrote it.
    pub view: String,
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, MAX_SNAPSHOTS>")]
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
    #[error("the link's data inflates to more than {0} bytes, the most parkview reads from a link (MAX_LINK_BYTES)")]
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

/// The JSON a fragment (with or without its `#`) or a share file holds, inflated to at most
/// `max_inflated` bytes ([`crate::limits::MAX_LINK_BYTES`] for links and share files).
pub fn inflate_fragment(text: &str, max_inflated: u64) -> Result<Vec<u8>, ShareError> {
    let text = text.trim();
    let text = text.strip_prefix(SHARE_FILE_HEADER.trim_end()).map(str::trim_start).unwrap_or(text);
    let data = text.strip_prefix('#').unwrap_or(text).strip_prefix(FRAGMENT_PREFIX).ok_or(ShareError::NotAShare)?;
    // Deflate never grows data by more than 5 bytes per 16 KiB block: longer text cannot
    // inflate within the limit, and is not decoded at all.
    let most = (max_inflated + max_inflated / 1000 + 1024) / 3 * 4 + 4;
    if data.len() as u64 > most {
        return Err(ShareError::TooLarge(max_inflated));
    }
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
    Ok(json)
}

/// Reads a fragment (with or without its `#`), or the text of a share file, and checks every
/// snapshot's model ([`Profile::check`]).
pub fn from_fragment(text: &str, max_inflated: u64) -> Result<Shared, ShareError> {
    let json = inflate_fragment(text, max_inflated)?;
    let shared: Shared = serde_json::from_slice(&json).map_err(|e| ShareError::Payload(e.to_string()))?;
    for s in &shared.snapshots {
        s.decoded.profile.check().map_err(|e| ShareError::Payload(format!("{}: {e}", s.name)))?;
    }
    Ok(shared)
}

/// What to take out before sharing. With every switch on, what travels is the functions, the
/// files' base names and line numbers, the wait states and flags, label keys, counts and sample
/// values: the shape of the program, not its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Redaction {
    /// Function arguments (values and pointers).
    pub args: bool,
    /// File paths, keeping the base name.
    pub paths: bool,
    /// Label values, text and numbers, replaced by ordinal pseudonyms (`tenant#3`) so that
    /// groups still split the same way; the page also leaves its search text out of the link.
    pub label_values: bool,
    /// Goroutine ids (renumbered from 1 in the order printed, the same in every snapshot),
    /// synctest bubble ids (renumbered), and where each goroutine's header was in the input.
    pub goroutine_ids: bool,
    /// What a crash printed: panic messages, a `fatal error:` that is not one of the runtime's
    /// own fixed texts, and the signal line's codes and addresses.
    pub crash_text: bool,
    /// The snapshots' names (often file names), replaced by `snapshot 1`, `snapshot 2`, ….
    pub snapshot_names: bool,
}

impl Redaction {
    /// Every switch on.
    pub fn all() -> Redaction {
        Redaction { args: true, paths: true, label_values: true, goroutine_ids: true, crash_text: true, snapshot_names: true }
    }

    pub fn any(&self) -> bool {
        *self != Redaction::default()
    }
}

/// The pseudonym of the `n`th distinct value (from 1) of label `key`.
pub fn label_pseudonym(key: &str, n: usize) -> String {
    format!("{key}#{n}")
}

/// `fatal error:` texts the runtime prints itself (runtime.fatal and runtime.throw with a
/// constant message, Go 1.5 to 1.27): they name no user data, so they survive redaction.
const RUNTIME_FATAL_ERRORS: &[&str] = &[
    "all goroutines are asleep - deadlock!",
    "no goroutines (main called runtime.Goexit) - deadlock!",
    "concurrent map writes",
    "concurrent map read and map write",
    "concurrent map iteration and map write",
    "concurrent map clone and map write",
    "stack overflow",
    "out of memory",
    "runtime: out of memory",
    "runtime: cannot allocate memory",
    "unexpected signal during runtime execution",
    "sync: unlock of unlocked mutex",
    "sync: Unlock of unlocked RWMutex",
    "sync: RUnlock of unlocked RWMutex",
    "sync: inconsistent mutex state",
    "morestack on g0",
    "found bad pointer in Go heap",
    "invalid pointer found on stack",
    "checkdead: inconsistent counts",
    "malloc deadlock",
    "fault",
    "index out of range",
    "schedule: holding locks",
    "stopm holding locks",
    "systemstack called from unexpected goroutine",
    "bad g in signal handler",
    "non-Go code disabled sigaltstack",
    "traceback did not unwind completely",
    "unknown pc",
];

/// A signal line without its codes and addresses: `[signal SIGSEGV: segmentation violation
/// code=0x1 addr=0x0 pc=0x47d2a6]` keeps `[signal SIGSEGV: segmentation violation]`, and a
/// Windows `Exception 0xc0000005 0x0 0xc0001 0x7ff…` its exception code.
fn redact_signal(line: &str) -> String {
    if line.starts_with("Exception ") {
        return line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    }
    let bracketed = line.starts_with('[') && line.ends_with(']');
    let inner = if bracketed { &line[1..line.len() - 1] } else { line };
    let kept: Vec<&str> = inner.split_whitespace().filter(|t| !t.contains('=') && !t.starts_with("0x")).collect();
    if bracketed {
        format!("[{}]", kept.join(" "))
    } else {
        kept.join(" ")
    }
}

/// Numbers given out in order of first appearance, the same across every snapshot of a share:
/// goroutine ids (so a goroutine blocked through two snapshots is still one), bubble ids, and
/// each label key's values.
#[derive(Default)]
struct Pseudonyms {
    ids: HashMap<u64, u64>,
    bubbles: HashMap<u64, u64>,
    values: HashMap<String, HashMap<String, usize>>,
}

impl Pseudonyms {
    fn ordinal(map: &mut HashMap<u64, u64>, old: u64) -> u64 {
        let next = map.len() as u64 + 1;
        *map.entry(old).or_insert(next)
    }

    fn value(&mut self, key: &str, value: String) -> String {
        let values = self.values.entry(key.to_string()).or_default();
        let next = values.len() + 1;
        label_pseudonym(key, *values.entry(value).or_insert(next))
    }
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

/// Copies of the named snapshots with the redacted values gone from every table: each profile
/// is rebuilt from its parts, so a value no longer referenced is not carried along. Pseudonyms
/// are shared by the snapshots, so that they still compare.
pub fn redact(snapshots: &[(&str, &Decoded)], r: &Redaction) -> Vec<SharedSnapshot> {
    let mut names = Pseudonyms::default();
    if r.goroutine_ids {
        for g in snapshots.iter().flat_map(|(_, d)| &d.profile.goroutines) {
            Pseudonyms::ordinal(&mut names.ids, g.id);
        }
    }
    snapshots
        .iter()
        .enumerate()
        .map(|(i, (name, decoded))| SharedSnapshot {
            name: if r.snapshot_names { format!("snapshot {}", i + 1) } else { name.to_string() },
            decoded: if r.any() { redact_one(decoded, r, &mut names) } else { (*decoded).clone() },
        })
        .collect()
}

fn redact_one(decoded: &Decoded, r: &Redaction, names: &mut Pseudonyms) -> Decoded {
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
    let label_set = |out: &mut Profile, names: &mut Pseudonyms, id: u32| -> u32 {
        let set = p
            .labels(id)
            .iter()
            .map(|(k, v)| {
                let key_text = p.strings.get(*k);
                let key = out.strings.intern(key_text);
                let value = match v {
                    v if r.label_values => LabelValue::Str(out.strings.intern(&names.value(key_text, p.label_text(v)))),
                    LabelValue::Str(s) => LabelValue::Str(out.strings.intern(p.strings.get(*s))),
                    LabelValue::Num { value, unit } => LabelValue::Num { value: *value, unit: unit.map(|u| out.strings.intern(p.strings.get(u))) },
                };
                (key, value)
            })
            .collect();
        out.label_set(set)
    };
    let id = |names: &mut Pseudonyms, old: u64| if r.goroutine_ids { Pseudonyms::ordinal(&mut names.ids, old) } else { old };
    for g in &p.goroutines {
        let new_stack = frames.stack(&mut out, g.stack);
        let args = ArgList { first: out.args.next_index(), count: g.args.count };
        for a in p.args.list(g.args) {
            out.args.push(if r.args { "…".as_bytes() } else { a.as_bytes() });
        }
        let goroutine = Goroutine {
            id: id(names, g.id),
            state: string(&mut out, g.state),
            labels: label_set(&mut out, names, g.labels),
            stack: new_stack,
            args,
            created_by: g.created_by.map(|f| frames.frame(&mut out, f)),
            parent: g.parent.map(|p| id(names, p)),
            ancestors: g.ancestors.iter().map(|a| Ancestor { id: id(names, a.id), stack: frames.stack(&mut out, a.stack) }).collect(),
            synctest_bubble: g.synctest_bubble.map(|b| if r.goroutine_ids { Pseudonyms::ordinal(&mut names.bubbles, b) } else { b }),
            line: if r.goroutine_ids { 0 } else { g.line },
            ..g.clone()
        };
        out.goroutines.push(goroutine);
    }
    for s in &p.samples {
        let new_stack = frames.stack(&mut out, s.stack);
        let labels = label_set(&mut out, names, s.labels);
        out.samples.push(Sample { stack: new_stack, values: s.values.clone(), labels, goroutine: s.goroutine });
    }
    for (&f, &line) in &p.function_start_lines {
        let f = string(&mut out, f);
        out.function_start_lines.insert(f, line);
    }
    out.crash = p.crash.as_ref().map(|c| {
        let fatal_error = match &c.fatal_error {
            Some(f) if r.crash_text && !RUNTIME_FATAL_ERRORS.contains(&f.trim()) => Some("[redacted]".to_string()),
            f => f.clone(),
        };
        Crash {
            panic: if r.crash_text { c.panic.iter().map(|_| "panic: [redacted]".to_string()).collect() } else { c.panic.clone() },
            fatal_error,
            signal: c.signal.as_deref().map(|s| if r.crash_text { redact_signal(s) } else { s.to_string() }),
            first_goroutine: c.first_goroutine.map(|g| id(names, g)),
        }
    });
    Decoded {
        format: decoded.format,
        gzipped: decoded.gzipped,
        profile: out,
        // Warnings quote the input; with anything redacted only their count travels.
        warnings: Vec::new(),
        skipped: decoded.skipped,
        limits: decoded.limits.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_LINK_BYTES;

    #[test]
    fn signal_lines_keep_the_signal_and_lose_codes_and_addresses() {
        assert_eq!(redact_signal("[signal SIGSEGV: segmentation violation code=0x1 addr=0xdeadbeef pc=0x47d2a6]"), "[signal SIGSEGV: segmentation violation]");
        assert_eq!(redact_signal("SIGQUIT: quit"), "SIGQUIT: quit");
        assert_eq!(redact_signal("PC=0x46ec41 m=0 sigcode=0"), "");
        assert_eq!(redact_signal("Exception 0xc0000005 0x0 0x7ff6a1b2 0x7ff6a1b3"), "Exception 0xc0000005");
    }

    #[test]
    fn malformed_fragments_are_one_sentence_each() {
        assert_eq!(from_fragment("#view=summary", MAX_LINK_BYTES).unwrap_err(), ShareError::NotAShare);
        assert!(matches!(from_fragment("#v1.ab$cd", MAX_LINK_BYTES), Err(ShareError::Base64(2))));
        assert!(matches!(from_fragment("#v1.AAAA", MAX_LINK_BYTES), Err(ShareError::Inflate(_) | ShareError::Payload(_))));
        let long = format!("#v1.{}", "A".repeat(5000));
        assert_eq!(from_fragment(&long, 1000).unwrap_err(), ShareError::TooLarge(1000));
    }
}
