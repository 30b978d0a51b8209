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
use crate::gofunc::base_name;
use crate::limits::{self, MAX_SNAPSHOTS};
use crate::model::{Ancestor, ArgList, Crash, Frame, Goroutine, LabelValue, Profile, Race, RaceAccess, RaceGoroutine, Sample, StrId};
use crate::report::Report;
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
    #[error("these snapshots make {0} bytes of link data, more than parkview reads back from a link (MAX_LINK_BYTES = 64 MiB): share fewer snapshots, or take out arguments and paths")]
    WouldBeTooLarge(u64),
}

/// Encodes a share as a URL fragment (without the `#`). A share that would inflate past
/// [`crate::limits::MAX_LINK_BYTES`] is refused: no parkview would read it back.
pub fn to_fragment(shared: &Shared) -> Result<String, ShareError> {
    let json = serde_json::to_vec(shared).expect("a share serializes");
    if json.len() as u64 > limits::MAX_LINK_BYTES {
        return Err(ShareError::WouldBeTooLarge(json.len() as u64));
    }
    let mut deflated = Vec::new();
    DeflateEncoder::new(&json[..], Compression::best()).read_to_end(&mut deflated).expect("deflating into memory");
    Ok(format!("{FRAGMENT_PREFIX}{}", URL_SAFE_NO_PAD.encode(deflated)))
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
    /// Function arguments (values and pointers), and the addresses of data races.
    pub args: bool,
    /// File paths, keeping the base name; a data race's location (`Global var x … declared at
    /// /src/x.go:9`) keeps only what kind of memory it is.
    pub paths: bool,
    /// Label values, text and numbers, replaced by ordinal pseudonyms (`tenant#3`) so that
    /// groups still split the same way; the page also leaves its search text out of the link.
    pub label_values: bool,
    /// Goroutine ids (renumbered from 1 in the order printed, the same in every snapshot),
    /// synctest bubble ids and the race detector's goroutine numbers (renumbered), and where
    /// each goroutine's header and each data race report was in the input.
    pub goroutine_ids: bool,
    /// What a crash printed: panic messages, a `fatal error:` that is not one of the runtime's
    /// own fixed texts, and all of the signal line but the signal's name and Go's description.
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

/// What each switch of [`Redaction`] would do to a snapshot, as (before, after) text from its
/// report's first group (or crash, or its name) that shows it, in the order of the switches
/// (args, paths, label values, goroutine ids, crash text, snapshot names); empty texts where
/// the snapshot has nothing of the kind.
pub fn preview(report: &Report, name: &str) -> [(String, String); 6] {
    let none = || (String::new(), String::new());
    let groups = report.groups.as_slice();
    let args = groups.iter().find_map(|g| g.args.as_ref().and_then(|a| a.iter().find(|x| !x.is_empty() && x.as_str() != "...")).cloned());
    let path = groups.iter().flat_map(|g| g.frames.iter()).map(|f| f.file.clone()).find(|f| f.contains('/'));
    let label = groups.iter().find_map(|g| g.labels.iter().next().map(|(k, v)| (k.clone(), v.clone())));
    let ids = groups.iter().find_map(|g| g.ids.as_ref().and_then(|i| i.first().copied()));
    let crash = report.crash.as_ref().and_then(|c| {
        let fatal = |f: &String| (format!("fatal error: {f}"), format!("fatal error: {}", redact_fatal_error(f)));
        let signal = |s: &String| (s.clone(), redact_signal(s));
        c.panic
            .first()
            .map(|p| (p.clone(), "panic: [redacted]".to_string()))
            .or_else(|| c.fatal_error.as_ref().map(fatal))
            .or_else(|| c.signal.as_ref().map(signal))
    });
    [
        args.map_or_else(none, |a| (format!("({a})"), "(…)".into())),
        path.map_or_else(none, |p| (p.clone(), base_name(&p).to_string())),
        label.map_or_else(none, |(k, v)| (format!("{k}={v}"), format!("{k}={}", label_pseudonym(&k, 1)))),
        ids.map_or_else(none, |i| (format!("goroutine {i}"), "goroutine 1".into())),
        crash.unwrap_or_else(none),
        (name.to_string(), "snapshot 1".into()),
    ]
}

/// A `fatal error:` text as a redacted link carries it: the runtime's own fixed texts stay.
fn redact_fatal_error(text: &str) -> String {
    if RUNTIME_FATAL_ERRORS.contains(&text.trim()) {
        text.to_string()
    } else {
        "[redacted]".into()
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

/// What Go prints after each signal's name (runtime/sigtab_linux_generic.go): a line that
/// names a signal keeps its name and this description, nothing else.
const SIGNALS: &[(&str, &str)] = &[
    ("SIGHUP", "terminal line hangup"),
    ("SIGINT", "interrupt"),
    ("SIGQUIT", "quit"),
    ("SIGILL", "illegal instruction"),
    ("SIGTRAP", "trace trap"),
    ("SIGABRT", "abort"),
    ("SIGBUS", "bus error"),
    ("SIGFPE", "floating-point exception"),
    ("SIGKILL", "kill"),
    ("SIGUSR1", "user-defined signal 1"),
    ("SIGSEGV", "segmentation violation"),
    ("SIGUSR2", "user-defined signal 2"),
    ("SIGPIPE", "write to broken pipe"),
    ("SIGALRM", "alarm clock"),
    ("SIGTERM", "termination"),
    ("SIGSTKFLT", "stack fault"),
    ("SIGCHLD", "child status has changed"),
    ("SIGXCPU", "cpu limit exceeded"),
    ("SIGXFSZ", "file size limit exceeded"),
    ("SIGVTALRM", "virtual alarm clock"),
    ("SIGPROF", "profiling alarm clock"),
    ("SIGSYS", "bad system call"),
];

/// A signal line as a redacted link carries it: the signal's name and Go's description of it
/// (`[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47d2a6]` keeps `[signal
/// SIGSEGV: segmentation violation]`), or a Windows exception's code; nothing the line held
/// besides.
fn redact_signal(line: &str) -> String {
    if line.starts_with("Exception ") {
        return line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    }
    let name = line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| w.len() > 3 && w.starts_with("SIG") && w[3..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    let Some(name) = name else { return "[redacted]".into() };
    let named = match SIGNALS.iter().find(|(n, _)| *n == name) {
        Some((_, description)) => format!("{name}: {description}"),
        None => name.to_string(),
    };
    if line.starts_with('[') {
        format!("[signal {named}]")
    } else {
        named
    }
}

/// Numbers given out in order of first appearance, the same across every snapshot of a share:
/// goroutine ids (so a goroutine blocked through two snapshots is still one), bubble ids, and
/// each label key's values.
#[derive(Default)]
struct Pseudonyms {
    ids: HashMap<u64, u64>,
    bubbles: HashMap<u64, u64>,
    /// The race detector's goroutine numbers, which are not Go's ids: numbered apart.
    race_goroutines: HashMap<u64, u64>,
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

/// A source profile's strings, frames, stacks and label sets interned again into a new one,
/// each once however often it is named (file paths cut to their base names, label values
/// replaced by pseudonyms, when asked).
struct Rebuild<'p> {
    source: &'p Profile,
    redaction: Redaction,
    strings: HashMap<StrId, StrId>,
    frames: HashMap<u32, u32>,
    stacks: HashMap<u32, u32>,
    label_sets: HashMap<u32, u32>,
    /// The pseudonym of each (key, value) of this profile, in the new string table.
    pseudonyms: HashMap<(StrId, LabelValue), StrId>,
}

impl<'p> Rebuild<'p> {
    fn new(source: &'p Profile, redaction: Redaction) -> Self {
        Rebuild {
            source,
            redaction,
            strings: HashMap::new(),
            frames: HashMap::new(),
            stacks: HashMap::new(),
            label_sets: HashMap::new(),
            pseudonyms: HashMap::new(),
        }
    }

    fn string(&mut self, out: &mut Profile, id: StrId) -> StrId {
        let p = self.source;
        *self.strings.entry(id).or_insert_with(|| out.strings.intern(p.strings.get(id)))
    }

    fn frame(&mut self, out: &mut Profile, id: u32) -> u32 {
        if let Some(&new) = self.frames.get(&id) {
            return new;
        }
        let f = *self.source.frames.get(id);
        let func = self.string(out, f.func);
        let file = match self.redaction.paths {
            true => out.strings.intern(base_name(self.source.strings.get(f.file))),
            false => self.string(out, f.file),
        };
        let new = out.frames.intern(Frame { func, file, line: f.line });
        self.frames.insert(id, new);
        new
    }

    fn stack(&mut self, out: &mut Profile, id: u32) -> u32 {
        if let Some(&new) = self.stacks.get(&id) {
            return new;
        }
        let frames: Vec<u32> = self.source.stack(id).iter().map(|&f| self.frame(out, f)).collect();
        let new = out.stacks.intern(frames);
        self.stacks.insert(id, new);
        new
    }

    fn label_set(&mut self, out: &mut Profile, names: &mut Pseudonyms, id: u32) -> u32 {
        if let Some(&new) = self.label_sets.get(&id) {
            return new;
        }
        let p = self.source;
        let set = p
            .labels(id)
            .iter()
            .map(|(k, v)| {
                let key = self.string(out, *k);
                let value = match v {
                    v if self.redaction.label_values => LabelValue::Str(
                        *self
                            .pseudonyms
                            .entry((*k, v.clone()))
                            .or_insert_with(|| out.strings.intern(&names.value(p.strings.get(*k), p.label_text(v).into_owned()))),
                    ),
                    LabelValue::Str(s) => LabelValue::Str(self.string(out, *s)),
                    LabelValue::Num { value, unit } => LabelValue::Num { value: *value, unit: unit.map(|u| self.string(out, u)) },
                };
                (key, value)
            })
            .collect();
        let new = out.label_set(set);
        self.label_sets.insert(id, new);
        new
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
    out.time_nanos = p.time_nanos;
    out.truncated = p.truncated;

    let mut rebuild = Rebuild::new(p, *r);
    let id = |names: &mut Pseudonyms, old: u64| if r.goroutine_ids { Pseudonyms::ordinal(&mut names.ids, old) } else { old };
    let race_id = |names: &mut Pseudonyms, old: u64| if r.goroutine_ids { Pseudonyms::ordinal(&mut names.race_goroutines, old) } else { old };
    for g in &p.goroutines {
        let new_stack = rebuild.stack(&mut out, g.stack);
        let args = ArgList { first: out.args.next_index(), count: g.args.count };
        for a in p.args.list(g.args) {
            // The copy holds what the original held, within the same limit.
            out.args.push(if r.args { "…".as_bytes() } else { a.as_bytes() });
        }
        let goroutine = Goroutine {
            id: id(names, g.id),
            state: rebuild.string(&mut out, g.state),
            labels: rebuild.label_set(&mut out, names, g.labels),
            stack: new_stack,
            args,
            created_by: g.created_by.map(|f| rebuild.frame(&mut out, f)),
            parent: g.parent.map(|p| id(names, p)),
            ancestors: g.ancestors.iter().map(|a| Ancestor { id: id(names, a.id), stack: rebuild.stack(&mut out, a.stack) }).collect(),
            synctest_bubble: g.synctest_bubble.map(|b| if r.goroutine_ids { Pseudonyms::ordinal(&mut names.bubbles, b) } else { b }),
            line: if r.goroutine_ids { 0 } else { g.line },
            ..g.clone()
        };
        out.goroutines.push(goroutine);
    }
    for s in &p.samples {
        let new_stack = rebuild.stack(&mut out, s.stack);
        let labels = rebuild.label_set(&mut out, names, s.labels);
        out.samples.push(Sample { stack: new_stack, values: s.values.clone(), labels, goroutine: s.goroutine });
    }
    for (&f, &line) in &p.function_start_lines {
        let f = rebuild.string(&mut out, f);
        out.function_start_lines.insert(f, line);
    }
    out.crash = p.crash.as_ref().map(|c| {
        let fatal_error = c.fatal_error.as_deref().map(|f| if r.crash_text { redact_fatal_error(f) } else { f.to_string() });
        Crash {
            panic: if r.crash_text { c.panic.iter().map(|_| "panic: [redacted]".to_string()).collect() } else { c.panic.clone() },
            fatal_error,
            signal: c.signal.as_deref().map(|s| if r.crash_text { redact_signal(s) } else { s.to_string() }),
            first_goroutine: c.first_goroutine.map(|g| id(names, g)),
            // Test names are what a crash printed: they go when it is redacted.
            running_tests: if r.crash_text { Vec::new() } else { c.running_tests.clone() },
        }
    });
    for race in &p.races {
        let race = Race {
            line: if r.goroutine_ids { 0 } else { race.line },
            accesses: race
                .accesses
                .iter()
                .map(|a| RaceAccess {
                    // An address is a pointer value, as arguments are.
                    address: if r.args && !a.address.is_empty() { "…".into() } else { a.address.clone() },
                    goroutine: a.goroutine.map(|g| race_id(names, g)),
                    stack: rebuild.stack(&mut out, a.stack),
                    ..a.clone()
                })
                .collect(),
            goroutines: race
                .goroutines
                .iter()
                .map(|g| RaceGoroutine { goroutine: race_id(names, g.goroutine), created_at: rebuild.stack(&mut out, g.created_at), ..g.clone() })
                .collect(),
            // `Global var secretKey of size 8 at 0x… declared at /home/me/x.go:9`: a name, an
            // address and a path; what kind of memory it is stays.
            location: race.location.as_deref().map(|l| if r.paths || r.args { redact_location(l) } else { l.to_string() }),
            location_stack: race.location_stack.map(|s| rebuild.stack(&mut out, s)),
        };
        out.races.push(race);
    }
    Decoded {
        format: decoded.format,
        gzipped: decoded.gzipped,
        profile: out,
        // Warnings quote the input; with anything redacted only their count travels.
        warnings: Vec::new(),
        skipped: decoded.skipped,
        limits: decoded.limits.clone(),
        wrapper: decoded.wrapper.clone(),
    }
}

/// A race report's location without names, addresses and paths: `Global var`, `Heap block`.
fn redact_location(location: &str) -> String {
    let kind: Vec<&str> = location.split(' ').take(2).collect();
    format!("{} [redacted]", kind.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::MAX_LINK_BYTES;

    #[test]
    fn signal_lines_keep_the_signal_and_lose_codes_and_addresses() {
        assert_eq!(redact_signal("[signal SIGSEGV: segmentation violation code=0x1 addr=0xdeadbeef pc=0x47d2a6]"), "[signal SIGSEGV: segmentation violation]");
        assert_eq!(redact_signal("SIGQUIT: quit"), "SIGQUIT: quit");
        assert_eq!(redact_signal("SIGTERM: draining for customer acme password hunter2"), "SIGTERM: termination");
        assert_eq!(redact_signal("^\\SIGQUIT: quit"), "SIGQUIT: quit");
        assert_eq!(redact_signal("PC=0x46ec41 m=0 sigcode=0"), "[redacted]");
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
