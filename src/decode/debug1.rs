//! `?debug=1` text: goroutine (and goroutineleak) profiles, and the legacy text of heap/allocs,
//! mutex/block contention and threadcreate.
//!
//! Every profile here is a header line, then records: a record line `COUNTS @ 0xPC 0xPC ...`,
//! an optional `# labels: {...}` line, and one `#\t0xPC\tfunc+0xOFF\tfile:line` line per
//! symbolized frame. A record without `#` lines keeps its addresses as frames, as pprof does.

use crate::decode::format::{DecodeError, Format};
use crate::decode::stack::{elided_stack, intern_stack, StackBuf};
use crate::decode::text::{contains, first_line, parse_i64, parse_label_map, parse_u64, trim, trim_start, Lines, Warnings};
use crate::limits::{LimitHit, MAX_FRAMES, MAX_GOROUTINES, MAX_LABELS};
use crate::model::{FrameId, LabelSetId, LabelValue, Profile, ProfileKind, Sample, SampleType};

/// What a header line announced; each record is read and converted under the kind of the
/// header above it.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// `goroutine profile: total N`, `threadcreate profile: total N`, any `X profile: total N`.
    Count { name: String },
    /// `heap profile: 514: 8209912 [108747: 76458168] @ heap/1024`: in-use objects and bytes,
    /// then allocated objects and bytes, as sampled (`announced`, when they read).
    Heap { rate: i64, announced: Option<[i64; 4]> },
    /// `--- mutex:` or `--- contention:`, then `cycles/second=N` and `sampling period=N`.
    Contention { mutex: bool, cycles_per_second: i64, sampling_period: i64 },
}

impl Kind {
    /// Whether records of `other` can join a profile of this kind: the same values per record.
    fn same_shape(&self, other: &Kind) -> bool {
        match (self, other) {
            (Kind::Count { name: a }, Kind::Count { name: b }) => a == b,
            (Kind::Heap { .. }, Kind::Heap { .. }) => true,
            (Kind::Contention { mutex: a, .. }, Kind::Contention { mutex: b, .. }) => a == b,
            _ => false,
        }
    }

    fn name(&self) -> &str {
        match self {
            Kind::Count { name } => name,
            Kind::Heap { .. } => "heap",
            Kind::Contention { mutex: true, .. } => "mutex",
            Kind::Contention { mutex: false, .. } => "contention",
        }
    }

    /// How many numbers precede the `@` of a record line.
    fn counts(&self) -> usize {
        match self {
            Kind::Count { .. } => 1,
            Kind::Heap { .. } => 4,
            Kind::Contention { .. } => 2,
        }
    }
}

struct Record {
    values: Vec<i64>,
    addresses: Vec<u64>,
    frames: StackBuf,
    labels: LabelSetId,
    /// Read to its end (its frame and label lines belong to it), then dropped.
    skip: bool,
}

/// The profile being built: the kind of its first header, and the records read so far.
struct Builder {
    profile: Profile,
    /// The kind of the first header; records under a header of another shape are skipped.
    kind: Option<Kind>,
    /// The header above the records being read, when its records are read.
    current: Option<Kind>,
    record: Option<Record>,
    headers: u32,
    /// Headers of the first header's shape: profiles concatenated into one (`cat a.txt b.txt`).
    concatenated: u32,
    announced_total: i64,
    /// Heap headers: what they announce, and what the records add up to (as sampled).
    announced_heap: Option<[i64; 4]>,
    heap_sums: [i64; 4],
    writes_allocs: bool,
}

/// The debug=1 formats, told from the first line that is not blank: `goroutine profile: total
/// 12` (also goroutineleak) or the header of heap, mutex, block or threadcreate text.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    let first = trim_start(first_line(bytes)?);
    if first.starts_with(b"goroutine profile: total ") || first.starts_with(b"goroutineleak profile: total ") {
        return Some(Format::GoroutineDebug1);
    }
    let legacy_text = first.starts_with(b"heap profile: ")
        || first.starts_with(b"--- mutex:")
        || first.starts_with(b"--- contention:")
        || first.starts_with(b"threadcreate profile: total ")
        || (first.ends_with(b" profile: total") || contains(first, b" profile: total ")) && !first.starts_with(b"goroutine");
    legacy_text.then_some(Format::PprofDebug1)
}

/// Decodes debug=1 text of any kind; never fails: what cannot be read is warned about.
pub fn convert(bytes: &[u8], warnings: &mut Warnings) -> Result<Profile, DecodeError> {
    let mut b = Builder {
        profile: Profile::new(ProfileKind::Goroutine),
        kind: None,
        current: None,
        record: None,
        headers: 0,
        concatenated: 0,
        announced_total: 0,
        announced_heap: None,
        heap_sums: [0; 4],
        writes_allocs: false,
    };
    for line in Lines::new(bytes) {
        let t = trim(line.text);
        let number = line.number;
        if line.cut {
            warnings.limit(LimitHit::LineBytes { lines: 1 });
        }
        if t.is_empty() {
            b.flush(warnings);
            continue;
        }
        if let Some(rest) = t.strip_prefix(b"#") {
            let rest = trim(rest);
            if let Some(labels) = rest.strip_prefix(b"labels: ") {
                let profile = &mut b.profile;
                match (b.record.as_mut(), parse_label_map(labels)) {
                    (Some(r), Some((pairs, _))) => {
                        if pairs.len() > MAX_LABELS {
                            warnings.limit(LimitHit::Labels { sets: 1 });
                        }
                        let set = pairs.iter().take(MAX_LABELS).map(|(k, v)| (profile.strings.intern(k), LabelValue::Str(profile.strings.intern(v)))).collect();
                        r.labels = profile.label_set(set);
                    }
                    (None, _) if b.current.is_none() && b.headers > 0 => warnings.skipped += 1,
                    _ => warnings.skip(number, || "a `# labels:` line that could not be read, skipped".into()),
                }
                continue;
            }
            if line.text.get(1) == Some(&b'\t') {
                match b.record.as_mut() {
                    Some(r) => {
                        if let Some(frame) = frame_line(&mut b.profile, rest) {
                            b.writes_allocs |= b.profile.func_name(frame) == "runtime/pprof.writeAlloc";
                            r.frames.push(frame);
                        }
                    }
                    None if b.current.is_none() && b.headers > 0 => warnings.skipped += 1,
                    None => warnings.skip(number, || "a frame line outside any record, skipped".into()),
                }
            }
            // `# runtime.MemStats` and the lines after it are comments.
            continue;
        }
        if let Some((header, total)) = header_line(t) {
            b.flush(warnings);
            b.header(header, total, number, warnings);
            continue;
        }
        if let Some(Kind::Contention { cycles_per_second, sampling_period, .. }) = b.current.as_mut() {
            if let Some(v) = t.strip_prefix(b"cycles/second=") {
                *cycles_per_second = parse_i64(v).unwrap_or(0);
                continue;
            }
            if let Some(v) = t.strip_prefix(b"sampling period=") {
                *sampling_period = parse_i64(v).unwrap_or(1);
                b.profile.period = *sampling_period;
                continue;
            }
        }
        let Some(kind) = &b.current else {
            if b.headers == 0 {
                warnings.skip(number, || "text before the profile header, skipped".into());
            } else {
                // A record of a profile of another kind (its header was warned about).
                warnings.skipped += 1;
            }
            continue;
        };
        match record_line(t, kind.counts()) {
            Some(RecordLine { values, addresses, frames, unread }) => {
                // Counts of goroutines and threads are never negative.
                let negative = matches!(kind, Kind::Count { .. }) && values[0] < 0;
                b.flush(warnings);
                if negative {
                    warnings.skip(number, || format!("a record with a negative count ({}), skipped", values[0]));
                }
                if unread > 0 || !frames.is_empty() {
                    let named = if frames.is_empty() { String::new() } else { format!(", and the {} frame(s) it names", frames.len()) };
                    warnings.note(number, || {
                        format!("the record line holds {unread} token(s) that are not addresses (abbreviated by hand?): its count is kept{named}")
                    });
                }
                let mut stack = StackBuf::default();
                for (func, location) in frames {
                    stack.push(named_frame(&mut b.profile, func, location));
                }
                b.record = Some(Record { values, addresses, frames: stack, labels: 0, skip: negative });
            }
            None => {
                let shown = String::from_utf8_lossy(&t[..t.len().min(80)]).into_owned();
                warnings.skip(number, || format!("expected a record line `COUNT @ 0x...`, skipped: {shown}"));
            }
        }
    }
    b.flush(warnings);
    Ok(b.finish(warnings))
}

impl Builder {
    /// A header line: the first one sets the profile's kind; a later one of the same shape
    /// continues it (`cat a.txt b.txt`), one of another shape is skipped with its records.
    fn header(&mut self, header: Kind, total: i64, number: u32, warnings: &mut Warnings) {
        self.headers += 1;
        if let Kind::Heap { announced: Some(a), .. } = &header {
            if self.kind.as_ref().is_none_or(|k| k.same_shape(&header)) {
                let sum = self.announced_heap.get_or_insert([0; 4]);
                for (s, v) in sum.iter_mut().zip(a) {
                    *s = s.saturating_add(*v);
                }
            }
        }
        let Some(kind) = &self.kind else {
            self.start(&header);
            self.kind = Some(header.clone());
            self.current = Some(header);
            self.announced_total = total;
            self.concatenated = 1;
            return;
        };
        if kind.same_shape(&header) {
            self.announced_total = self.announced_total.saturating_add(total);
            self.concatenated += 1;
            self.current = Some(header);
        } else {
            let (first, other) = (kind.name().to_string(), header.name().to_string());
            warnings.skip(number, || {
                format!("a {other} profile after the {first} profile: parkview reads one kind of profile per input, so its records are skipped")
            });
            self.current = None;
        }
    }

    /// Sample types and kind from the first header.
    fn start(&mut self, kind: &Kind) {
        let profile = &mut self.profile;
        match kind {
            Kind::Count { name } => {
                profile.kind = match name.as_str() {
                    "goroutine" => ProfileKind::Goroutine,
                    "goroutineleak" => ProfileKind::GoroutineLeak,
                    "threadcreate" => ProfileKind::ThreadCreate,
                    _ => ProfileKind::Other(name.clone()),
                };
                profile.sample_types = vec![SampleType { kind: name.clone(), unit: "count".into() }];
            }
            Kind::Heap { rate, .. } => {
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
                profile.period = *rate;
            }
            Kind::Contention { mutex, .. } => {
                profile.kind = if *mutex { ProfileKind::Mutex } else { ProfileKind::Block };
                profile.sample_types =
                    vec![SampleType { kind: "contentions".into(), unit: "count".into() }, SampleType { kind: "delay".into(), unit: "nanoseconds".into() }];
                profile.period_type = Some(SampleType { kind: "contentions".into(), unit: "count".into() });
                profile.period = 1;
            }
        }
    }

    /// Converts the record being read, under the kind of its header, into a sample.
    fn flush(&mut self, warnings: &mut Warnings) {
        let (Some(mut r), Some(kind)) = (self.record.take(), self.current.as_ref()) else { return };
        if r.skip {
            return;
        }
        let profile = &mut self.profile;
        if profile.samples.len() >= MAX_GOROUTINES {
            warnings.limit(LimitHit::Goroutines { kept: MAX_GOROUTINES as u64, skipped: 1 });
            return;
        }
        let stack = if r.frames.is_empty() {
            // A record with no `#` lines: its addresses are its frames, and only those kept
            // (the first and last of a deep one) are named.
            let addresses: Vec<u64> = r.addresses.into_iter().filter(|&a| a != 0).collect();
            let mut name = |a: &u64| profile.frame(&format!("{a:#x}"), "", 0);
            if addresses.len() > MAX_FRAMES {
                let first: Vec<FrameId> = addresses[..MAX_FRAMES / 2].iter().map(&mut name).collect();
                let last: Vec<FrameId> = addresses[addresses.len() - MAX_FRAMES / 2..].iter().map(&mut name).collect();
                elided_stack(profile, &first, (addresses.len() - MAX_FRAMES) as u64, &last, &mut warnings.limits)
            } else {
                let frames: Vec<FrameId> = addresses.iter().map(name).collect();
                intern_stack(profile, &frames, &mut warnings.limits)
            }
        } else {
            r.frames.finish(profile, &mut warnings.limits)
        };
        let values = match kind {
            Kind::Count { .. } => r.values,
            Kind::Heap { rate, .. } => {
                for (sum, v) in self.heap_sums.iter_mut().zip(&r.values) {
                    *sum = sum.saturating_add(*v);
                }
                let (inuse_objects, inuse_bytes) = unsample_heap(r.values[0], r.values[1], *rate);
                let (alloc_objects, alloc_bytes) = unsample_heap(r.values[2], r.values[3], *rate);
                vec![alloc_objects, alloc_bytes, inuse_objects, inuse_bytes]
            }
            Kind::Contention { cycles_per_second, sampling_period, .. } => {
                // As pprof does: counts times the sampling period; cycles to nanoseconds.
                let (cycles, count) = (r.values[0], r.values[1]);
                let nanos = if *cycles_per_second > 0 { (cycles as f64 * *sampling_period as f64 / (*cycles_per_second as f64 / 1e9)) as i64 } else { cycles };
                vec![count.saturating_mul(*sampling_period), nanos]
            }
        };
        profile.samples.push(Sample { stack, values: values.into(), labels: r.labels, goroutine: None });
    }

    fn finish(self, warnings: &mut Warnings) -> Profile {
        let mut profile = self.profile;
        if self.writes_allocs && profile.kind == ProfileKind::Heap {
            // Heap and allocs print the same text; only /debug/pprof/allocs runs writeAlloc, and
            // the profile records the allocations of its own writer.
            profile.kind = ProfileKind::Allocs;
            profile.default_sample_type = 1;
        }
        if let (Some(Kind::Count { .. }), n @ 2..) = (&self.kind, self.concatenated) {
            warnings.note(0, || format!("{n} profiles were concatenated in this file; their records are counted together"));
        }
        if let Some(Kind::Count { .. }) = self.kind {
            let sum = crate::limits::sum(profile.samples.iter().map(|s| s.values[0]));
            let announced = self.announced_total;
            if sum != announced {
                warnings.note(1, || format!("the header announces {announced} in all, the records add up to {sum}"));
            }
        }
        if let Some(a) = self.announced_heap.filter(|a| *a != self.heap_sums) {
            let s = self.heap_sums;
            warnings.note(1, || {
                format!(
                    "the header announces {} in-use objects / {} B and {} / {} B allocated (as sampled); the records add up to {} / {} B and {} / {} B",
                    a[0], a[1], a[2], a[3], s[0], s[1], s[2], s[3]
                )
            });
        }
        profile
    }
}

/// A header line: its kind, and for count profiles the total it announces.
fn header_line(t: &[u8]) -> Option<(Kind, i64)> {
    if t.starts_with(b"--- mutex:") {
        return Some((Kind::Contention { mutex: true, cycles_per_second: 0, sampling_period: 1 }, 0));
    }
    if t.starts_with(b"--- contention:") {
        return Some((Kind::Contention { mutex: false, cycles_per_second: 0, sampling_period: 1 }, 0));
    }
    if let Some(rest) = t.strip_prefix(b"heap profile: ") {
        // `514: 8209912 [108747: 76458168] @ heap/1024`: the rate is twice the sampling rate.
        let at = memchr::memmem::find(rest, b"@ heap/")?;
        let rate = parse_i64(trim(&rest[at + 7..])).unwrap_or(0) / 2;
        let numbers: Option<Vec<i64>> =
            rest[..at].split(|&c| c == b' ' || c == b':' || c == b'[' || c == b']').filter(|s| !s.is_empty()).map(parse_i64).collect();
        let announced = numbers.and_then(|n| <[i64; 4]>::try_from(n).ok());
        return Some((Kind::Heap { rate, announced }, 0));
    }
    let at = memchr::memmem::find(t, b" profile: total ")?;
    let name = String::from_utf8_lossy(&t[..at]).into_owned();
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    let total = parse_i64(trim(&t[at + 16..]))?;
    Some((Kind::Count { name }, total))
}

/// `12 @ 0x1 0x2`, `0: 0 [1: 1280] @ 0x1`, `3087882954 21 @ 0x1`: `expected` numbers before
/// the `@`, addresses after it.
/// A record line as read: its counts, its addresses, and what a hand-abbreviated paste put
/// in place of addresses (`7 @ 0x100eb475c 0x100e946d4 ...`, `1 @ ... main.main+0x2bb
/// ./main.go:185`): the frames it names (`func+0xoff`, then maybe `file:line`), and how many
/// other tokens were not read.
struct RecordLine<'a> {
    values: Vec<i64>,
    addresses: Vec<u64>,
    frames: Vec<(&'a [u8], &'a [u8])>,
    unread: usize,
}

/// `COUNT @ 0x… 0x…` (goroutine, threadcreate), `C: B [C: B] @ 0x…` (heap), `CYCLES COUNT @
/// 0x…` (contention): the counts must all read; the rest is kept as far as it reads.
fn record_line(t: &[u8], expected: usize) -> Option<RecordLine<'_>> {
    let at = memchr::memmem::find(t, b"@")?;
    let (counts, rest) = (&t[..at], &t[at + 1..]);
    let values: Vec<i64> =
        counts.split(|&c| c == b' ' || c == b':' || c == b'[' || c == b']').filter(|s| !s.is_empty()).map(parse_i64).collect::<Option<_>>()?;
    if values.len() != expected {
        return None;
    }
    let mut line = RecordLine { values, addresses: Vec::new(), frames: Vec::new(), unread: 0 };
    let mut tokens = rest.split(|&c| c == b' ' || c == b'\t').filter(|s| !s.is_empty()).peekable();
    while let Some(token) = tokens.next() {
        if let Some(address) = token.strip_prefix(b"0x").and_then(|h| u64::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
            line.addresses.push(address);
        } else if let Some(at) = memchr::memmem::rfind(token, b"+0x").filter(|&at| at > 0) {
            let location =
                tokens.next_if(|next| next.iter().rposition(|&c| c == b':').is_some_and(|colon| parse_u64(&next[colon + 1..]).is_some())).unwrap_or(b"");
            line.frames.push((&token[..at], location));
        } else {
            line.unread += 1;
        }
    }
    Some(line)
}

/// A frame named by its function and `file:line` (or nothing).
fn named_frame(profile: &mut Profile, func: &[u8], location: &[u8]) -> FrameId {
    let (file, line) = match location.iter().rposition(|&c| c == b':') {
        Some(colon) => (&location[..colon], parse_u64(&location[colon + 1..]).unwrap_or(0)),
        None => (location, 0),
    };
    let func = profile.strings.intern_bytes(func);
    let file = profile.strings.intern_bytes(file);
    profile.frames.intern(crate::model::Frame { func, file, line: line.min(u32::MAX as u64) as u32 })
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
    Some(named_frame(profile, func, fields.next().unwrap_or(b"")))
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
