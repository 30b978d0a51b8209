//! profile.proto, decoded with prost.
//!
//! The messages are in [`proto`]. The top-level message is walked field by field
//! (bounds-checked), and each embedded message decoded by prost on its own, so that a profile
//! is never held twice.

pub mod proto;

use crate::decode::format::{DecodeError, Format};
use crate::decode::stack::{elided_stack, intern_stack};
use crate::decode::text::{is_plain_text, looks_binary, Warnings};
use crate::limits::{LimitHit, MAX_FRAMES, MAX_GOROUTINES, MAX_LABELS, MAX_SAMPLE_TYPES, MAX_TABLE};
use crate::model::{ArgList, Elision, FrameId, Goroutine, LabelSetId, LabelValue, Profile, ProfileKind, Sample, SampleType, StackId, StrId};
use prost::Message;
use proto::{PbFunction, PbLocation, PbSample, PbValueType};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// Names of Profile's fields, for error messages.
const PROFILE_FIELDS: [&str; 16] = [
    "",
    "sample_type",
    "sample",
    "mapping",
    "location",
    "function",
    "string_table",
    "drop_frames",
    "keep_frames",
    "time_nanos",
    "duration_nanos",
    "period_type",
    "period",
    "comment",
    "default_sample_type",
    "doc_url",
];

/// A profile.proto: its first fields are Profile's ([`is_pprof`]), and it is binary or reads as
/// fields to its last byte (a log whose lines start with a digit can walk as 64 good fields).
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    (is_pprof(bytes) && !is_plain_text(bytes) && (looks_binary(bytes) || reads_to_end(bytes))).then_some(Format::Pprof)
}

/// Does this look like a Profile message? Walks the top-level fields of the first bytes: each
/// must be one of Profile's fields with its wire type, and at least one must be seen.
pub fn is_pprof(bytes: &[u8]) -> bool {
    let mut fields = Fields { bytes, pos: 0 };
    let mut seen = 0;
    while seen < 64 {
        match fields.next() {
            None => break,
            Some(Ok(f)) if expected_wire(f.tag).is_some_and(|w| w.contains(&f.wire)) => seen += 1,
            Some(Ok(_)) => return false,
            // Cut short after at least one good field: still a profile, a broken one.
            Some(Err(_)) => return seen > 0,
        }
    }
    seen > 0
}

/// Whether every top-level field of `bytes` reads, to the last byte, each of Profile's fields in
/// its own wire type.
pub fn reads_to_end(bytes: &[u8]) -> bool {
    (Fields { bytes, pos: 0 }).all(|f| f.is_ok_and(|f| expected_wire(f.tag).is_none_or(|w| w.contains(&f.wire))))
}

/// The wire types Profile's field `tag` may come in; `None` for a field Profile does not have.
fn expected_wire(tag: u64) -> Option<&'static [u8]> {
    match tag {
        1..=6 | 11 => Some(&[2]),
        7..=10 | 12 | 14 | 15 => Some(&[0]),
        // `comment` is repeated int64: packed (2) or not (0).
        13 => Some(&[0, 2]),
        _ => None,
    }
}

/// One field of a message: its number, wire type, and value (the bytes of a length-delimited
/// value, the number of a varint), with the offset of the value in the input.
struct Field<'a> {
    tag: u64,
    wire: u8,
    at: usize,
    body: &'a [u8],
    varint: u64,
}

/// The fields of a message, each bounds-checked before it is handed out: a length past the end
/// or a varint cut short is an error naming the byte offset, never a slice out of range.
struct Fields<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, (usize, Option<u64>, String)>;

    /// `Err((offset, tag if its key was read, why))`; after an error the walk ends.
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let field = read_field(self.bytes, self.pos);
        match &field {
            Ok(f) => self.pos = f.at + f.body.len(),
            Err(_) => self.pos = self.bytes.len(),
        }
        Some(field)
    }
}

/// Reads the field at `pos`.
fn read_field(bytes: &[u8], pos: usize) -> Result<Field<'_>, (usize, Option<u64>, String)> {
    let (key, at) = read_varint(bytes, pos).ok_or((pos, None, "a field key (varint) runs past the end".to_string()))?;
    let (tag, wire) = (key >> 3, (key & 7) as u8);
    if tag == 0 {
        return Err((pos, None, "field number 0 is not allowed".into()));
    }
    let err = |at: usize, why: String| (at, Some(tag), why);
    let (body_at, len, varint) = match wire {
        0 => {
            let (value, end) = read_varint(bytes, at).ok_or(err(at, "a varint runs past the end".into()))?;
            (at, end - at, value)
        }
        1 => (at, 8, 0),
        5 => (at, 4, 0),
        2 => {
            let (len, start) = read_varint(bytes, at).ok_or(err(at, "a length runs past the end".into()))?;
            let left = bytes.len() - start;
            let len =
                usize::try_from(len).ok().filter(|&l| l <= left).ok_or(err(at, format!("a length of {len} bytes runs past the end ({left} bytes left)")))?;
            (start, len, 0)
        }
        w => return Err(err(pos, format!("wire type {w} is not used by profile.proto"))),
    };
    let body = bytes.get(body_at..body_at + len).ok_or(err(body_at, format!("a {len}-byte value runs past the end")))?;
    Ok(Field { tag, wire, at: body_at, body, varint })
}

fn read_varint(bytes: &[u8], mut pos: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(pos)?;
        pos += 1;
        value |= ((b & 0x7f) as u64) << shift;
        if b < 0x80 {
            return Some((value, pos));
        }
    }
    None
}

fn field_name(tag: Option<u64>) -> String {
    match tag {
        Some(tag) => format!("Profile.{} (field {tag})", PROFILE_FIELDS.get(tag as usize).copied().unwrap_or("an unknown field")),
        None => "Profile".into(),
    }
}

/// A top-level field that does not read.
fn field_error((offset, tag, reason): (usize, Option<u64>, String)) -> DecodeError {
    DecodeError::Protobuf { offset, field: field_name(tag), reason }
}

/// An embedded message that prost rejected: the offset of its first field that does not read
/// (else of the message), and prost's reason.
fn message_error(f: &Field, e: prost::DecodeError) -> DecodeError {
    let inner = Fields { bytes: f.body, pos: 0 }.find_map(Result::err).map_or(0, |(offset, _, _)| offset);
    DecodeError::Protobuf { offset: f.at + inner, field: field_name(Some(f.tag)), reason: e.to_string() }
}

fn too_many(f: &Field, what: &str) -> DecodeError {
    DecodeError::Protobuf { offset: f.at, field: field_name(Some(f.tag)), reason: format!("more than {MAX_TABLE} {what} (MAX_TABLE), the most parkview reads") }
}

/// Decodes a profile.proto in three walks over its top-level fields, never holding more than
/// one sample's message at a time: first the string table, functions, sample types and
/// scalars; then the locations, expanded to frames; then the samples, each converted as it is
/// read. Go writes samples before the tables they name, so one walk would have to keep them all.
pub fn convert(bytes: &[u8], notes: &mut Warnings) -> Result<Profile, DecodeError> {
    let mut strings = StringTable::default();
    let mut functions: FxHashMap<u64, PbFunction> = FxHashMap::default();
    let mut types: Vec<PbValueType> = Vec::new();
    let mut period_type: Option<PbValueType> = None;
    let (mut period, mut duration_nanos, mut time_nanos, mut default_sample_type) = (0i64, 0i64, 0i64, 0i64);
    let mut sample_types_seen = 0u64;
    for field in (Fields { bytes, pos: 0 }) {
        let f = field.map_err(field_error)?;
        if expected_wire(f.tag).is_some_and(|w| !w.contains(&f.wire)) {
            return Err(DecodeError::Protobuf { offset: f.at, field: field_name(Some(f.tag)), reason: format!("wire type {} is not this field's", f.wire) });
        }
        match f.tag {
            1 => {
                sample_types_seen += 1;
                if types.len() < MAX_SAMPLE_TYPES {
                    types.push(PbValueType::decode(f.body).map_err(|e| message_error(&f, e))?);
                }
            }
            5 if functions.len() == MAX_TABLE => return Err(too_many(&f, "functions")),
            5 => {
                let function = PbFunction::decode(f.body).map_err(|e| message_error(&f, e))?;
                functions.insert(function.id, function);
            }
            6 if strings.len() == MAX_TABLE => return Err(too_many(&f, "strings")),
            6 => strings.push(f.body, u32::MAX),
            11 => period_type = Some(PbValueType::decode(f.body).map_err(|e| message_error(&f, e))?),
            9 => time_nanos = f.varint as i64,
            10 => duration_nanos = f.varint as i64,
            12 => period = f.varint as i64,
            14 => default_sample_type = f.varint as i64,
            _ => {}
        }
    }
    if sample_types_seen > MAX_SAMPLE_TYPES as u64 {
        notes.limit(LimitHit::SampleTypes { seen: sample_types_seen });
    }
    let text = |i: i64| String::from_utf8_lossy(strings.bytes(i)).into_owned();

    let sample_types: Vec<SampleType> = types.iter().map(|t| SampleType { kind: text(t.r#type), unit: text(t.unit) }).collect();
    let mut profile = Profile::new(ProfileKind::Other(String::new()));
    profile.period_type = period_type.as_ref().map(|t| SampleType { kind: text(t.r#type), unit: text(t.unit) });
    profile.period = period;
    profile.duration_nanos = duration_nanos;
    profile.time_nanos = (time_nanos != 0).then_some(time_nanos);
    let default_name = text(default_sample_type);
    profile.default_sample_type =
        sample_types.iter().position(|t| t.kind == default_name && !default_name.is_empty()).unwrap_or(sample_types.len().saturating_sub(1));

    // Each location expands to its lines, innermost (line[0]) first, kept in one buffer.
    let mut location_frames: Vec<FrameId> = Vec::new();
    let mut locations: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    for field in (Fields { bytes, pos: 0 }) {
        let f = field.map_err(field_error)?;
        if f.tag != 4 {
            continue;
        }
        if locations.len() == MAX_TABLE {
            return Err(too_many(&f, "locations"));
        }
        let location = PbLocation::decode(f.body).map_err(|e| message_error(&f, e))?;
        let start = location_frames.len();
        if location.line.len() > MAX_FRAMES {
            notes.limit(LimitHit::Frames { stacks: 1 });
        }
        for line in location.line.iter().take(MAX_FRAMES) {
            let function = functions.get(&line.function_id);
            let (name, file) = function.map_or((0, 0), |f| (f.name, f.filename));
            let line_no = u32::try_from(line.line).unwrap_or(0);
            let file = strings.id(&mut profile, file);
            let frame = if strings.bytes(name).is_empty() {
                let func = profile.strings.intern(&address_name(location.address));
                profile.frames.intern(crate::model::Frame { func, file, line: line_no })
            } else {
                let func = strings.id(&mut profile, name);
                if let Some(start) = function.and_then(|f| u32::try_from(f.start_line).ok()).filter(|&s| s > 0) {
                    profile.function_start_lines.insert(func, start);
                }
                profile.frames.intern(crate::model::Frame { func, file, line: line_no })
            };
            location_frames.push(frame);
        }
        if location.line.is_empty() {
            location_frames.push(profile.frame(&address_name(location.address), "", 0));
        }
        locations.insert(location.id, (start, location_frames.len() - start));
    }

    let width = sample_types.len();
    let mut missing_locations = 0usize;
    let mut skipped = 0u64;
    let mut frames: Vec<FrameId> = Vec::new();
    let mut stacks: FxHashMap<Vec<u64>, StackId> = FxHashMap::default();
    for field in (Fields { bytes, pos: 0 }) {
        let f = field.map_err(field_error)?;
        if f.tag != 2 {
            continue;
        }
        if profile.samples.len() == MAX_GOROUTINES {
            skipped += 1;
            continue;
        }
        let sample = PbSample::decode(f.body).map_err(|e| message_error(&f, e))?;
        // Samples that name the same locations have the same stack: read once, not per sample.
        let stack = match stacks.get(&sample.location_id) {
            Some(&stack) => stack,
            None => {
                let spans: Vec<(usize, usize)> = sample
                    .location_id
                    .iter()
                    .filter_map(|id| {
                        let span = locations.get(id).copied();
                        missing_locations += span.is_none() as usize;
                        span
                    })
                    .collect();
                let stack = sample_stack(&mut profile, &location_frames, &spans, &mut frames, &mut notes.limits);
                stacks.insert(sample.location_id.clone(), stack);
                stack
            }
        };
        if sample.label.len() > MAX_LABELS {
            notes.limit(LimitHit::Labels { sets: 1 });
        }
        let labels = sample
            .label
            .iter()
            .take(MAX_LABELS)
            .map(|l| {
                let key = strings.id(&mut profile, l.key);
                let value = if l.str != 0 {
                    LabelValue::Str(strings.id(&mut profile, l.str))
                } else {
                    let unit = (l.num_unit != 0).then(|| strings.id(&mut profile, l.num_unit));
                    LabelValue::Num { value: l.num, unit }
                };
                (key, value)
            })
            .collect();
        let labels = profile.label_set(labels);
        let mut values: SmallVec<[i64; 4]> = sample.value.iter().copied().take(width).collect();
        values.resize(width, 0);
        profile.samples.push(Sample { stack, values, labels, goroutine: None });
    }
    if missing_locations > 0 {
        return Err(DecodeError::Protobuf {
            offset: 0,
            field: "Profile.sample (field 2)".into(),
            reason: format!("{missing_locations} location ids name no location"),
        });
    }
    if skipped > 0 {
        notes.limit(LimitHit::Goroutines { kept: MAX_GOROUTINES as u64, skipped });
    }
    profile.kind = kind_of(&profile, &sample_types, &default_name);
    profile.sample_types = sample_types;
    if profile.kind.counts_goroutines() {
        per_goroutine(&mut profile);
    }
    Ok(profile)
}

/// The labels CockroachDB's per-goroutine goroutine profile (`goroutine?debug=3` of its Go
/// fork, cockroachdb/go `src/runtime/pprof/pprof.go`) puts before the user's own on each
/// sample: the goroutine's id, its parent's id (absent for goroutine 1), its wait reason as
/// debug=2 prints it, and its wait minutes (only when more than 0).
const GOROUTINE_ID: &str = "go::goroutine";
const GOROUTINE_PARENT: &str = "go::goroutine_created_by";
const GOROUTINE_STATE: &str = "go::goroutine_state";
const GOROUTINE_WAIT_MINUTES: &str = "go::goroutine_wait_minutes";

/// What the labels of one sample say of its goroutine: id, parent, state, wait minutes, and
/// the user's own labels.
type GoroutineLabels = (u64, Option<u64>, StrId, Option<u32>, LabelSetId);

/// Reads a per-goroutine goroutine profile (every sample labelled [`GOROUTINE_ID`], value 1)
/// as the goroutines it lists: reported states, wait minutes, ids and parents, and the user's
/// labels only, as a debug=2 dump of the same moment gives them. Other profiles are left as
/// they are.
fn per_goroutine(profile: &mut Profile) {
    let key = |p: &Profile, name: &str| p.strings.lookup(name.as_bytes());
    let Some(id_key) = key(profile, GOROUTINE_ID) else { return };
    let (parent_key, state_key, minutes_key) = (key(profile, GOROUTINE_PARENT), key(profile, GOROUTINE_STATE), key(profile, GOROUTINE_WAIT_MINUTES));
    let number = |labels: &[(StrId, LabelValue)], k: Option<StrId>| {
        labels.iter().find(|(key, _)| Some(*key) == k).and_then(|(_, v)| match v {
            LabelValue::Num { value, .. } => Some(*value),
            LabelValue::Str(_) => None,
        })
    };
    let listed = profile.samples.iter().all(|s| s.values.first() == Some(&1) && number(profile.labels(s.labels), Some(id_key)).is_some_and(|id| id >= 0));
    if !listed || profile.samples.is_empty() {
        return;
    }
    let unknown = profile.strings.intern("unknown");
    let mut sets: FxHashMap<LabelSetId, GoroutineLabels> = FxHashMap::default();
    let mut goroutines = Vec::with_capacity(profile.samples.len());
    for index in 0..profile.samples.len() {
        let set = profile.samples[index].labels;
        let (id, parent, state, wait_minutes, user) = match sets.get(&set) {
            Some(read) => *read,
            None => {
                let labels = profile.labels(set).to_vec();
                let id = number(&labels, Some(id_key)).unwrap_or(0) as u64;
                let parent = number(&labels, parent_key).and_then(|p| u64::try_from(p).ok());
                let state = labels.iter().find(|(k, _)| Some(*k) == state_key).and_then(|(_, v)| match v {
                    LabelValue::Str(s) => Some(*s),
                    LabelValue::Num { .. } => None,
                });
                let wait_minutes = number(&labels, minutes_key).and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0);
                let own: Vec<(StrId, LabelValue)> = labels.into_iter().filter(|(k, _)| !profile.strings.get(*k).starts_with("go::")).collect();
                let read = (id, parent, state.unwrap_or(unknown), wait_minutes, profile.label_set(own));
                sets.insert(set, read);
                read
            }
        };
        let sample = &mut profile.samples[index];
        sample.labels = user;
        sample.goroutine = Some(goroutines.len() as u32);
        goroutines.push(Goroutine {
            id,
            state,
            leaked: false,
            durable: false,
            wait_minutes,
            locked_to_thread: false,
            synctest_bubble: None,
            labels: user,
            stack: sample.stack,
            args: ArgList::default(),
            elision: Elision::None,
            created_by: None,
            parent,
            ancestors: Vec::new(),
            stack_unavailable: false,
            line: 0,
        });
    }
    profile.goroutines = goroutines;
}

/// The stack of a sample whose locations expand to `spans` of `location_frames`: all of it
/// when it fits [`MAX_FRAMES`], else its first and last halves. Only those frames are read,
/// so a sample naming a deep location many times costs its location ids, not their frames.
fn sample_stack(profile: &mut Profile, location_frames: &[FrameId], spans: &[(usize, usize)], frames: &mut Vec<FrameId>, hits: &mut Vec<LimitHit>) -> StackId {
    const HALF: usize = MAX_FRAMES / 2;
    let span = |&(start, len): &(usize, usize)| &location_frames[start..start + len];
    let total: u64 = spans.iter().map(|&(_, len)| len as u64).sum();
    frames.clear();
    // Past the budget of stack frames a new stack keeps only its leaf: then the frames it
    // would have are not gathered at all.
    if total.min(MAX_FRAMES as u64 + 1) as usize > profile.stack_frames_left() {
        crate::limits::record(hits, LimitHit::StackFrames { stacks: 1 });
        let leaf = spans.iter().flat_map(span).next().copied();
        return profile.cut_stack(leaf);
    }
    if total <= MAX_FRAMES as u64 {
        frames.extend(spans.iter().flat_map(span));
        return intern_stack(profile, frames, hits);
    }
    frames.extend(spans.iter().flat_map(span).take(HALF));
    let mut last: Vec<FrameId> = spans.iter().rev().flat_map(|s| span(s).iter().rev()).take(HALF).copied().collect();
    last.reverse();
    elided_stack(profile, frames, total - MAX_FRAMES as u64, &last, hits)
}

/// The profile's string table, each entry interned into the model once, when it is first
/// named: a long string named from every location or label is hashed once, not each time.
#[derive(Default)]
struct StringTable<'a> {
    bytes: Vec<&'a [u8]>,
    /// The model's id of each entry; `u32::MAX` until it is first named.
    ids: Vec<StrId>,
}

impl<'a> StringTable<'a> {
    fn push(&mut self, bytes: &'a [u8], id: StrId) {
        self.bytes.push(bytes);
        self.ids.push(id);
    }

    fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Entry `i`; an index out of the table names the empty string, as in pprof.
    fn bytes(&self, i: i64) -> &'a [u8] {
        usize::try_from(i).ok().and_then(|i| self.bytes.get(i).copied()).unwrap_or(b"")
    }

    fn id(&mut self, profile: &mut Profile, i: i64) -> StrId {
        let Some(at) = usize::try_from(i).ok().filter(|&i| i < self.ids.len()) else { return 0 };
        if self.ids[at] == u32::MAX {
            self.ids[at] = profile.strings.intern_bytes(self.bytes[at]);
        }
        self.ids[at]
    }
}

/// An unsymbolized location is named by its address, as pprof shows it; 0 and all-ones are
/// no address at all (the runtime's placeholder for a stack it could not unwind).
fn address_name(address: u64) -> String {
    match address {
        0 | u64::MAX => String::new(),
        a => format!("{a:#x}"),
    }
}

/// The endpoint a proto came from, told by its sample types (and, where two endpoints share
/// them, by what only one of them records).
fn kind_of(profile: &Profile, types: &[SampleType], default_name: &str) -> ProfileKind {
    let first = types.first().map_or("", |t| t.kind.as_str());
    let has = |name: &str| types.iter().any(|t| t.kind == name);
    match first {
        "goroutine" => ProfileKind::Goroutine,
        "goroutineleak" => ProfileKind::GoroutineLeak,
        "threadcreate" => ProfileKind::ThreadCreate,
        "samples" if has("cpu") => ProfileKind::Cpu,
        "alloc_objects" | "alloc_space" | "inuse_objects" | "inuse_space" => {
            if default_name.starts_with("alloc_") {
                ProfileKind::Allocs
            } else {
                ProfileKind::Heap
            }
        }
        "contentions" if has("delay") => {
            // Mutex profiles record the stack that unlocked; block profiles never end in an unlock.
            let unlocks = profile.samples.iter().any(|s| {
                profile.stack(s.stack).first().is_some_and(|&f| {
                    let name = profile.func_name(f);
                    name.ends_with("Unlock") || name == "runtime.unlock" || name == "runtime.unlock2"
                })
            });
            if unlocks {
                ProfileKind::Mutex
            } else {
                ProfileKind::Block
            }
        }
        "" => ProfileKind::Other("unknown".into()),
        other => ProfileKind::Other(other.into()),
    }
}
