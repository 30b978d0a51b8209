//! profile.proto, decoded with prost.
//!
//! The message structs are written out with prost's derive (no protoc at build time). They
//! follow google/pprof `proto/profile.proto` as of 2024 (fields 1-15 of Profile, including
//! `doc_url`; Line.column; Location.is_folded). Unknown fields are skipped, as protobuf allows.

use super::DecodeError;
use crate::model::{FrameId, LabelValue, Profile, ProfileKind, Sample, SampleType};
use prost::Message;
use std::collections::HashMap;

#[derive(Clone, PartialEq, Message)]
pub struct PbProfile {
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<PbValueType>,
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<PbSample>,
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<PbMapping>,
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<PbLocation>,
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<PbFunction>,
    #[prost(string, repeated, tag = "6")]
    pub string_table: Vec<String>,
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<PbValueType>,
    #[prost(int64, tag = "12")]
    pub period: i64,
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbValueType {
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbSample {
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<PbLabel>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbLabel {
    #[prost(int64, tag = "1")]
    pub key: i64,
    #[prost(int64, tag = "2")]
    pub str: i64,
    #[prost(int64, tag = "3")]
    pub num: i64,
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbMapping {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    #[prost(int64, tag = "5")]
    pub filename: i64,
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbLocation {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    #[prost(uint64, tag = "3")]
    pub address: u64,
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<PbLine>,
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbLine {
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    #[prost(int64, tag = "2")]
    pub line: i64,
    #[prost(int64, tag = "3")]
    pub column: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct PbFunction {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(int64, tag = "2")]
    pub name: i64,
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    #[prost(int64, tag = "4")]
    pub filename: i64,
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

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

/// Does this look like a Profile message? Walks the top-level fields of the first bytes: each
/// must be one of Profile's fields with its wire type, and at least one must be seen.
pub fn is_pprof(bytes: &[u8]) -> bool {
    let mut pos = 0;
    let mut fields = 0;
    while pos < bytes.len() && fields < 64 {
        match read_field(bytes, pos) {
            Ok((tag, wire, next)) => {
                let expected_wire = match tag {
                    1..=6 | 11 => 2,
                    7..=10 | 12 | 14 | 15 => 0,
                    13 => {
                        if wire == 0 || wire == 2 {
                            wire
                        } else {
                            return false;
                        }
                    }
                    _ => return false,
                };
                if wire != expected_wire {
                    return false;
                }
                fields += 1;
                pos = next;
            }
            // Cut short after at least one good field: still a profile, a broken one.
            Err(_) => return fields > 0,
        }
    }
    fields > 0
}

/// Reads one field's key and skips its value: (tag, wire type, offset after it).
fn read_field(bytes: &[u8], pos: usize) -> Result<(u64, u8, usize), (usize, String)> {
    let (key, mut next) = read_varint(bytes, pos).ok_or((pos, "a field key (varint) runs past the end".to_string()))?;
    let (tag, wire) = (key >> 3, (key & 7) as u8);
    if tag == 0 {
        return Err((pos, "field number 0 is not allowed".into()));
    }
    match wire {
        0 => next = read_varint(bytes, next).ok_or((next, "a varint runs past the end".to_string()))?.1,
        1 => next = next.checked_add(8).filter(|&n| n <= bytes.len()).ok_or((next, "a fixed64 runs past the end".to_string()))?,
        5 => next = next.checked_add(4).filter(|&n| n <= bytes.len()).ok_or((next, "a fixed32 runs past the end".to_string()))?,
        2 => {
            let (len, start) = read_varint(bytes, next).ok_or((next, "a length runs past the end".to_string()))?;
            let end = (start as u64).checked_add(len).filter(|&e| e <= bytes.len() as u64);
            next = end.ok_or((next, format!("a length of {len} bytes runs past the end ({} bytes left)", bytes.len() - start)))? as usize;
        }
        w => return Err((pos, format!("wire type {w} is not used by profile.proto"))),
    }
    Ok((tag, wire, next))
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

/// Where a broken message breaks: the first top-level field that does not read, or, inside a
/// repeated message field that prost rejected, the field that holds the bad bytes.
fn locate_error(bytes: &[u8], reason: String) -> DecodeError {
    let mut pos = 0;
    while pos < bytes.len() {
        match read_field(bytes, pos) {
            Ok((tag, wire, next)) => {
                let name = PROFILE_FIELDS.get(tag as usize).copied().unwrap_or("an unknown field");
                if wire == 2 && tag <= 5 || tag == 11 {
                    let (len, start) = read_varint(bytes, read_varint(bytes, pos).map_or(pos, |(_, p)| p)).unwrap_or((0, next));
                    let body = &bytes[start..start + len as usize];
                    if let Some((inner, why)) = first_bad_field(body) {
                        return DecodeError::Protobuf { offset: start + inner, field: format!("Profile.{name} (field {tag})"), reason: why };
                    }
                }
                pos = next;
            }
            Err((offset, why)) => {
                let field = read_varint(bytes, pos)
                    .map(|(key, _)| key >> 3)
                    .map(|tag| format!("Profile.{} (field {tag})", PROFILE_FIELDS.get(tag as usize).copied().unwrap_or("?")))
                    .unwrap_or_else(|| "Profile".into());
                return DecodeError::Protobuf { offset, field, reason: why };
            }
        }
    }
    DecodeError::Protobuf { offset: 0, field: "Profile".into(), reason }
}

/// The first field of an embedded message that does not read, as (offset, why).
fn first_bad_field(body: &[u8]) -> Option<(usize, String)> {
    let mut pos = 0;
    while pos < body.len() {
        match read_field(body, pos) {
            Ok((_, _, next)) => pos = next,
            Err(e) => return Some(e),
        }
    }
    None
}

pub fn convert(bytes: &[u8]) -> Result<Profile, DecodeError> {
    let pb = PbProfile::decode(bytes).map_err(|e| locate_error(bytes, e.to_string()))?;
    let string = |i: i64| -> &str { usize::try_from(i).ok().and_then(|i| pb.string_table.get(i)).map_or("", |s| s.as_str()) };

    let sample_types: Vec<SampleType> =
        pb.sample_type.iter().map(|t| SampleType { kind: string(t.r#type).into(), unit: string(t.unit).into() }).collect();
    let mut profile = Profile::new(ProfileKind::Other(String::new()));
    profile.period_type = pb.period_type.as_ref().map(|t| SampleType { kind: string(t.r#type).into(), unit: string(t.unit).into() });
    profile.period = pb.period;
    profile.duration_nanos = pb.duration_nanos;
    let default_name = string(pb.default_sample_type);
    profile.default_sample_type = sample_types.iter().position(|t| t.kind == default_name && !default_name.is_empty()).unwrap_or(sample_types.len().saturating_sub(1));

    let functions: HashMap<u64, &PbFunction> = pb.function.iter().map(|f| (f.id, f)).collect();
    // Each location expands to its lines, innermost (line[0]) first.
    let mut location_frames: HashMap<u64, Vec<FrameId>> = HashMap::with_capacity(pb.location.len());
    for location in &pb.location {
        let mut frames = Vec::with_capacity(location.line.len().max(1));
        for line in &location.line {
            let (name, file) = match functions.get(&line.function_id) {
                Some(f) => (string(f.name), string(f.filename)),
                None => ("", ""),
            };
            let line_no = u32::try_from(line.line).unwrap_or(0);
            if let Some(start) = functions.get(&line.function_id).and_then(|f| u32::try_from(f.start_line).ok()).filter(|&s| s > 0) {
                let func = profile.strings.intern(name);
                profile.function_start_lines.insert(func, start);
            }
            if name.is_empty() {
                frames.push(profile.frame(&address_name(location.address), file, line_no));
            } else {
                frames.push(profile.frame(name, file, line_no));
            }
        }
        if frames.is_empty() {
            frames.push(profile.frame(&address_name(location.address), "", 0));
        }
        location_frames.insert(location.id, frames);
    }

    let width = sample_types.len();
    let mut missing_locations = 0usize;
    for sample in &pb.sample {
        let mut frames = Vec::with_capacity(sample.location_id.len());
        for id in &sample.location_id {
            match location_frames.get(id) {
                Some(f) => frames.extend_from_slice(f),
                None => missing_locations += 1,
            }
        }
        let labels = sample
            .label
            .iter()
            .map(|l| {
                let key = profile.strings.intern(string(l.key));
                let value = if l.str != 0 {
                    LabelValue::Str(profile.strings.intern(string(l.str)))
                } else {
                    let unit = (l.num_unit != 0).then(|| profile.strings.intern(string(l.num_unit)));
                    LabelValue::Num { value: l.num, unit }
                };
                (key, value)
            })
            .collect();
        let labels = profile.label_set(labels);
        let stack = profile.stacks.intern(frames);
        let mut values = sample.value.clone();
        values.resize(width, 0);
        profile.samples.push(Sample { stack, values: values.into(), labels, goroutine: None });
    }
    if missing_locations > 0 {
        return Err(DecodeError::Protobuf {
            offset: 0,
            field: "Profile.sample (field 2)".into(),
            reason: format!("{missing_locations} location ids name no location"),
        });
    }
    profile.kind = kind_of(&profile, &sample_types, default_name);
    profile.sample_types = sample_types;
    Ok(profile)
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
