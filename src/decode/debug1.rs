//! `?debug=1` text: goroutine (and goroutineleak) profiles, and the legacy text of heap/allocs,
//! mutex/block contention and threadcreate.
//!
//! Every profile here is a header line, then records: a record line `COUNTS @ 0xPC 0xPC ...`,
//! an optional `# labels: {...}` line, and one `#\t0xPC\tfunc+0xOFF\tfile:line` line per
//! symbolized frame. A record without `#` lines keeps its addresses as frames, as pprof does.

use super::text::{parse_i64, parse_label_map, parse_u64, trim, Lines, Warnings};
use crate::model::{FrameId, LabelSetId, LabelValue, Profile, ProfileKind, Sample, SampleType};

/// What the header line announced.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `goroutine profile: total N`, `threadcreate profile: total N`, any `X profile: total N`.
    Count,
    /// `heap profile: 514: 8209912 [108747: 76458168] @ heap/1024`.
    Heap { rate: i64 },
    /// `--- mutex:` or `--- contention:`, then `cycles/second=N` and `sampling period=N`.
    Contention,
}

struct Record {
    values: Vec<i64>,
    addresses: Vec<u64>,
    frames: Vec<FrameId>,
    labels: LabelSetId,
}

pub fn convert(bytes: &[u8], warnings: &mut Warnings) -> Profile {
    let mut profile = Profile::new(ProfileKind::Goroutine);
    let mut kind = Kind::Count;
    let mut headers = 0u32;
    let mut announced_total: i64 = 0;
    let mut cycles_per_second: i64 = 0;
    let mut sampling_period: i64 = 1;
    let mut record: Option<Record> = None;
    let mut records: Vec<Record> = Vec::new();
    let mut writes_allocs = false;

    for line in Lines::new(bytes) {
        let t = trim(line.text);
        let number = line.number;
        if t.is_empty() {
            records.extend(record.take());
            continue;
        }
        if let Some(rest) = t.strip_prefix(b"#") {
            let rest = trim(rest);
            if let Some(labels) = rest.strip_prefix(b"labels: ") {
                match (record.as_mut(), parse_label_map(labels)) {
                    (Some(r), Some((pairs, _))) => {
                        let set = pairs
                            .iter()
                            .map(|(k, v)| (profile.strings.intern(k), LabelValue::Str(profile.strings.intern(v))))
                            .collect();
                        r.labels = profile.label_set(set);
                    }
                    _ => warnings.skip(number, || "a `# labels:` line that could not be read, skipped".into()),
                }
                continue;
            }
            if line.text.get(1) == Some(&b'\t') {
                match record.as_mut() {
                    Some(r) => {
                        if let Some(frame) = frame_line(&mut profile, rest) {
                            writes_allocs |= profile.func_name(frame) == "runtime/pprof.writeAlloc";
                            r.frames.push(frame);
                        }
                    }
                    None => warnings.skip(number, || "a frame line outside any record, skipped".into()),
                }
            }
            // `# runtime.MemStats` and the lines after it are comments.
            continue;
        }
        if let Some(header) = header_line(t) {
            records.extend(record.take());
            headers += 1;
            match header {
                Header::Count { name, total } => {
                    if headers == 1 {
                        profile.kind = match name.as_str() {
                            "goroutine" => ProfileKind::Goroutine,
                            "goroutineleak" => ProfileKind::GoroutineLeak,
                            "threadcreate" => ProfileKind::ThreadCreate,
                            _ => ProfileKind::Other(name.clone()),
                        };
                        profile.sample_types = vec![SampleType { kind: name, unit: "count".into() }];
                    }
                    announced_total += total;
                }
                Header::Heap { rate } => {
                    kind = Kind::Heap { rate };
                    profile.kind = ProfileKind::Heap;
                    profile.sample_types = ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]
                        .iter()
                        .map(|s| {
                            let (kind, unit) = s.split_once('/').expect("kind/unit");
                            SampleType { kind: kind.into(), unit: unit.into() }
                        })
                        .collect();
                    profile.default_sample_type = 3;
                    profile.period_type = Some(SampleType { kind: "space".into(), unit: "bytes".into() });
                    profile.period = rate;
                }
                Header::Contention { mutex } => {
                    kind = Kind::Contention;
                    profile.kind = if mutex { ProfileKind::Mutex } else { ProfileKind::Block };
                    profile.sample_types = vec![
                        SampleType { kind: "contentions".into(), unit: "count".into() },
                        SampleType { kind: "delay".into(), unit: "nanoseconds".into() },
                    ];
                    profile.period_type = Some(SampleType { kind: "contentions".into(), unit: "count".into() });
                }
            }
            continue;
        }
        if kind == Kind::Contention {
            if let Some(v) = t.strip_prefix(b"cycles/second=") {
                cycles_per_second = parse_i64(v).unwrap_or(0);
                continue;
            }
            if let Some(v) = t.strip_prefix(b"sampling period=") {
                sampling_period = parse_i64(v).unwrap_or(1);
                continue;
            }
        }
        if headers == 0 {
            warnings.skip(number, || "text before the profile header, skipped".into());
            continue;
        }
        match record_line(t, kind) {
            Some((values, addresses)) => {
                records.extend(record.take());
                record = Some(Record { values, addresses, frames: Vec::new(), labels: 0 });
            }
            None => {
                let shown = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
                warnings.skip(number, || format!("expected a record line `COUNT @ 0x...`, skipped: {shown}"));
            }
        }
    }
    records.extend(record.take());

    if headers > 1 && kind == Kind::Count {
        warnings.note(0, || format!("{headers} profiles were concatenated in this file; their records are counted together"));
    }
    if writes_allocs && profile.kind == ProfileKind::Heap {
        // Heap and allocs print the same text; only /debug/pprof/allocs runs writeAlloc, and the
        // profile records the allocations of its own writer.
        profile.kind = ProfileKind::Allocs;
        profile.default_sample_type = 1;
    }
    if matches!(kind, Kind::Contention) {
        profile.period = sampling_period;
    }
    for r in records {
        let frames = if r.frames.is_empty() {
            r.addresses.iter().filter(|&&a| a != 0).map(|&a| profile.frame(&format!("{a:#x}"), "", 0)).collect()
        } else {
            r.frames
        };
        let stack = profile.stacks.intern(frames);
        let values = match kind {
            Kind::Count => r.values,
            Kind::Heap { rate } => {
                let (inuse_objects, inuse_bytes) = unsample_heap(r.values[0], r.values[1], rate);
                let (alloc_objects, alloc_bytes) = unsample_heap(r.values[2], r.values[3], rate);
                vec![alloc_objects, alloc_bytes, inuse_objects, inuse_bytes]
            }
            Kind::Contention => {
                // As pprof does: counts times the sampling period; cycles to nanoseconds.
                let (cycles, count) = (r.values[0], r.values[1]);
                let nanos = if cycles_per_second > 0 {
                    (cycles as f64 * sampling_period as f64 / (cycles_per_second as f64 / 1e9)) as i64
                } else {
                    cycles
                };
                vec![count.saturating_mul(sampling_period), nanos]
            }
        };
        profile.samples.push(Sample { stack, values: values.into(), labels: r.labels, goroutine: None });
    }
    if kind == Kind::Count {
        let sum: i64 = profile.samples.iter().map(|s| s.values[0]).sum();
        if sum != announced_total {
            warnings.note(1, || format!("the header announces {announced_total} in all, the records add up to {sum}"));
        }
    }
    profile
}

enum Header {
    Count { name: String, total: i64 },
    Heap { rate: i64 },
    Contention { mutex: bool },
}

fn header_line(t: &[u8]) -> Option<Header> {
    if t.starts_with(b"--- mutex:") {
        return Some(Header::Contention { mutex: true });
    }
    if t.starts_with(b"--- contention:") {
        return Some(Header::Contention { mutex: false });
    }
    if let Some(rest) = t.strip_prefix(b"heap profile: ") {
        // `514: 8209912 [108747: 76458168] @ heap/1024`: the rate is twice the sampling rate.
        let at = memchr::memmem::find(rest, b"@ heap/")?;
        let rate = parse_i64(trim(&rest[at + 7..])).unwrap_or(0) / 2;
        return Some(Header::Heap { rate });
    }
    let at = memchr::memmem::find(t, b" profile: total ")?;
    let name = String::from_utf8_lossy(&t[..at]).into_owned();
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    let total = parse_i64(trim(&t[at + 16..]))?;
    Some(Header::Count { name, total })
}

/// `12 @ 0x1 0x2`, `0: 0 [1: 1280] @ 0x1`, `3087882954 21 @ 0x1`.
fn record_line(t: &[u8], kind: Kind) -> Option<(Vec<i64>, Vec<u64>)> {
    let at = memchr::memmem::find(t, b"@")?;
    let (counts, addresses) = (&t[..at], &t[at + 1..]);
    let numbers: Vec<i64> = counts
        .split(|&c| c == b' ' || c == b':' || c == b'[' || c == b']')
        .filter(|s| !s.is_empty())
        .map(parse_i64)
        .collect::<Option<_>>()?;
    let expected = match kind {
        Kind::Count => 1,
        Kind::Heap { .. } => 4,
        Kind::Contention => 2,
    };
    if numbers.len() != expected {
        return None;
    }
    let addresses = addresses
        .split(|&c| c == b' ')
        .filter(|s| !s.is_empty())
        .map(|s| s.strip_prefix(b"0x").and_then(|h| u64::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()))
        .collect::<Option<_>>()?;
    Some((numbers, addresses))
}

/// `0x70050e\texample.com/x.(*A).f+0xae\t/src/x.go:66` (tabs may repeat).
fn frame_line(profile: &mut Profile, rest: &[u8]) -> Option<FrameId> {
    let mut fields = rest.split(|&c| c == b'\t').filter(|f| !f.is_empty());
    let address = fields.next()?;
    let Some(func) = fields.next() else {
        let address = address.strip_prefix(b"0x")?;
        let value = u64::from_str_radix(std::str::from_utf8(address).ok()?, 16).ok()?;
        return (value != 0).then(|| profile.frame(&format!("{value:#x}"), "", 0));
    };
    let func = match memchr::memmem::rfind(func, b"+0x") {
        Some(at) => &func[..at],
        None => func,
    };
    let location = fields.next().unwrap_or(b"");
    let (file, line) = match location.iter().rposition(|&c| c == b':') {
        Some(colon) => (&location[..colon], parse_u64(&location[colon + 1..]).unwrap_or(0)),
        None => (location, 0),
    };
    let func = profile.strings.intern_bytes(func);
    let file = profile.strings.intern_bytes(file);
    Some(profile.frames.intern(crate::model::Frame { func, file, line: line.min(u32::MAX as u64) as u32 }))
}

/// Undoes heap sampling as pprof does for legacy heap profiles: each sampled object stands for
/// `1 / (1 - exp(-size/rate))` objects.
fn unsample_heap(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let average = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-average / rate as f64).exp());
    ((count as f64 * scale) as i64, (size as f64 * scale) as i64)
}
