//! The one model every decoder fills and every analysis reads.
//!
//! Names, frames, stacks and label sets are interned: equal values share one id, so a dump of
//! 300,000 goroutines that park on a few thousand stacks holds a few thousand stacks, and
//! grouping compares integers. Stacks are leaf first, exactly as the input names its frames
//! (runtime frames included).

use crate::limits::{
    self, MAX_ANCESTORS, MAX_ARG_BYTES, MAX_FRAMES, MAX_GOROUTINES, MAX_LABELS, MAX_RACE_PARTS, MAX_SAMPLE_TYPES, MAX_STACK_FRAMES, MAX_TABLE,
};
use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::hash::Hash;

/// Index of an interned string.
pub type StrId = u32;
/// Index of an interned frame (function, file, line).
pub type FrameId = u32;
/// Index of an interned stack (a leaf-first list of frames).
pub type StackId = u32;
/// Index of an interned label set.
pub type LabelSetId = u32;

/// Equal values get equal ids; ids are dense indexes into `values`. Each value is kept once:
/// the index holds ids, hashed by the value they name.
#[derive(Clone)]
pub struct Interner<T: Eq + Hash + Clone> {
    values: Vec<T>,
    ids: HashTable<u32>,
}

impl<T: Eq + Hash + Clone + std::fmt::Debug> std::fmt::Debug for Interner<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.values).finish()
    }
}

/// Serialized as the list of values; the index is rebuilt when read.
impl<T: Eq + Hash + Clone + Serialize> Serialize for Interner<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.values.serialize(s)
    }
}

/// Read from an untrusted model (a link): at most [`MAX_TABLE`] values, none repeated (an
/// interner never holds one twice).
impl<'de, T: Eq + Hash + Clone + Deserialize<'de>> Deserialize<'de> for Interner<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut interner = Interner::default();
        for v in limits::bounded_vec::<_, T, MAX_TABLE>(d)? {
            if interner.lookup(&v).is_some() {
                return Err(D::Error::custom("a table holds the same entry twice"));
            }
            interner.push(v);
        }
        Ok(interner)
    }
}

impl<T: Eq + Hash + Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner { values: Vec::new(), ids: HashTable::new() }
    }
}

fn hash_of<Q: Hash + ?Sized>(value: &Q) -> u64 {
    FxBuildHasher.hash_one(value)
}

impl<T: Eq + Hash + Clone> Interner<T> {
    pub fn intern(&mut self, value: T) -> u32 {
        match self.lookup(&value) {
            Some(id) => id,
            None => self.push(value),
        }
    }
    /// The id of a value equal to `key` (which hashes as the value does), if there is one.
    fn find<Q: Hash + ?Sized>(&self, key: &Q, eq: impl Fn(&T) -> bool) -> Option<u32> {
        self.ids.find(hash_of(key), |&id| eq(&self.values[id as usize])).copied()
    }
    fn lookup(&self, value: &T) -> Option<u32> {
        self.find(value, |v| v == value)
    }
    /// Adds a value that is not in the table.
    fn push(&mut self, value: T) -> u32 {
        let id = self.values.len() as u32;
        let values = &self.values;
        self.ids.insert_unique(hash_of(&value), id, |&i| hash_of(&values[i as usize]));
        self.values.push(value);
        id
    }
    pub fn get(&self, id: u32) -> &T {
        &self.values[id as usize]
    }
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.values.iter()
    }
}

impl Interner<Vec<FrameId>> {
    /// The id of a stack given as a slice, if it was interned.
    pub fn lookup_slice(&self, frames: &[FrameId]) -> Option<StackId> {
        self.find(frames, |v| v.as_slice() == frames)
    }
    /// Interns a stack given as a slice: allocates only for a stack not seen before.
    pub fn intern_slice(&mut self, frames: &[FrameId]) -> StackId {
        match self.lookup_slice(frames) {
            Some(id) => id,
            None => self.push(frames.to_vec()),
        }
    }
}

/// Strings, interned; looked up by bytes without allocating or validating UTF-8 again. Each
/// text is in the table once: bytes that are not UTF-8 are stored as their lossy text, and
/// other bytes with the same lossy text get the same id (a link carries the texts, and reads
/// back only a table without repeats).
#[derive(Debug, Clone, Default)]
pub struct Strings {
    values: Vec<Box<str>>,
    /// By the text's bytes, and by the input's bytes where they are not UTF-8.
    ids: FxHashMap<Box<[u8]>, StrId>,
}

impl Serialize for Strings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.values.serialize(s)
    }
}

/// Read from an untrusted model (a link): at most [`MAX_TABLE`] strings, none repeated.
impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut strings = Strings::default();
        for v in limits::bounded_vec::<_, Box<str>, MAX_TABLE>(d)? {
            let id = strings.values.len() as StrId;
            if strings.ids.insert(v.as_bytes().into(), id).is_some() {
                return Err(D::Error::custom("the string table holds the same string twice"));
            }
            strings.values.push(v);
        }
        Ok(strings)
    }
}

impl Strings {
    pub fn intern(&mut self, s: &str) -> StrId {
        self.intern_bytes(s.as_bytes())
    }
    /// Interns bytes from the input; invalid UTF-8 is replaced, never rejected. The same bytes
    /// always give the same id, and so do bytes whose lossy text is the same.
    pub fn intern_bytes(&mut self, b: &[u8]) -> StrId {
        if let Some(&id) = self.ids.get(b) {
            return id;
        }
        let id = match std::str::from_utf8(b) {
            Ok(text) => self.push(text),
            Err(_) => {
                let text = String::from_utf8_lossy(b);
                let id = match self.ids.get(text.as_bytes()) {
                    Some(&id) => id,
                    None => self.push(&text),
                };
                // The input's own bytes find the text next time without converting again.
                self.ids.insert(b.into(), id);
                id
            }
        };
        id
    }
    /// Adds a text that is not in the table.
    fn push(&mut self, text: &str) -> StrId {
        let id = self.values.len() as StrId;
        self.values.push(text.into());
        self.ids.insert(text.as_bytes().into(), id);
        id
    }
    /// The id of these bytes, if they were interned.
    pub fn lookup(&self, b: &[u8]) -> Option<StrId> {
        self.ids.get(b).copied()
    }
    pub fn get(&self, id: StrId) -> &str {
        &self.values[id as usize]
    }
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Function arguments as dumps print them, kept in one buffer: most are unique (pointers), so
/// interning them would only cost. Each goroutine's arguments are one run of spans, and in the
/// text one run separated by NUL bytes, so that the run compares as one string.
#[derive(Debug, Clone, Default)]
pub struct ArgArena {
    text: String,
    spans: Vec<(u32, u32)>,
}

/// Serialized as the list of argument texts (a NUL separator would cost six characters in JSON).
impl Serialize for ArgArena {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((0..self.spans.len() as u32).map(|i| self.get(i)))
    }
}

/// Read from an untrusted model (a link) one argument at a time into the arena, at most
/// [`MAX_TABLE`] × 4 of them and [`MAX_ARG_BYTES`] of text.
impl<'de> Deserialize<'de> for ArgArena {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Args;
        impl<'de> serde::de::Visitor<'de> for Args {
            type Value = ArgArena;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of argument texts")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ArgArena, A::Error> {
                let mut arena = ArgArena::default();
                while let Some(arg) = seq.next_element::<Cow<'de, str>>()? {
                    if arena.spans.len() == MAX_TABLE * 4 || !arena.push(arg.as_bytes()) {
                        return Err(A::Error::custom("the arguments are more than parkview reads (MAX_TABLE, MAX_ARG_BYTES)"));
                    }
                }
                Ok(arena)
            }
        }
        d.deserialize_seq(Args)
    }
}

/// A goroutine's arguments: `count` spans of the arena from `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArgList {
    pub first: u32,
    pub count: u32,
}

impl ArgArena {
    /// Appends one argument text (invalid UTF-8 replaced). Past [`MAX_ARG_BYTES`] of text it
    /// appends an empty one and says so (`false`): span offsets are 32 bits.
    pub fn push(&mut self, bytes: &[u8]) -> bool {
        let text = String::from_utf8_lossy(bytes);
        let fits = self.text.len() + text.len() < MAX_ARG_BYTES;
        let start = self.text.len() as u32;
        if fits {
            self.text.push_str(&text);
        }
        let len = self.text.len() as u32 - start;
        self.text.push('\0');
        self.spans.push((start, len));
        fits
    }
    pub fn next_index(&self) -> u32 {
        self.spans.len() as u32
    }
    pub fn get(&self, span: u32) -> &str {
        let (start, len) = self.spans[span as usize];
        &self.text[start as usize..(start + len) as usize]
    }
    pub fn list(&self, args: ArgList) -> impl Iterator<Item = &str> {
        (args.first..args.first + args.count).map(|i| self.get(i))
    }
    /// The argument text of frame `i` of a goroutine's arguments, if it has one.
    pub fn nth(&self, args: ArgList, i: usize) -> Option<&str> {
        (i < args.count as usize).then(|| self.get(args.first + i as u32))
    }
    /// All of a goroutine's arguments as one string (NUL-separated), for equality.
    pub fn run(&self, args: ArgList) -> &str {
        if args.count == 0 {
            return "";
        }
        let (start, _) = self.spans[args.first as usize];
        let (last, len) = self.spans[(args.first + args.count - 1) as usize];
        &self.text[start as usize..(last + len) as usize]
    }
    fn check(&self) -> Result<(), String> {
        for &(start, len) in &self.spans {
            let end = start as usize + len as usize;
            if end > self.text.len() || !self.text.is_char_boundary(start as usize) || !self.text.is_char_boundary(end) {
                return Err("an argument span is outside its text".into());
            }
        }
        Ok(())
    }
}

/// One frame of a stack: the function, and where in the source it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Frame {
    pub func: StrId,
    pub file: StrId,
    /// 0 where the input gives no line.
    pub line: u32,
}

/// A label value: pprof labels are strings; protos may also carry numbers with a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LabelValue {
    Str(StrId),
    Num { value: i64, unit: Option<StrId> },
}

/// Label key-value pairs, sorted by key id for interning.
pub type LabelSet = Vec<(StrId, LabelValue)>;

/// The profile kind a user would name: the endpoint it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileKind {
    Goroutine,
    GoroutineLeak,
    Heap,
    Allocs,
    Cpu,
    Mutex,
    Block,
    ThreadCreate,
    /// A panic, `fatal error:` or signal traceback.
    Crash,
    /// Anything else, by the name the input gives it.
    Other(String),
}

impl ProfileKind {
    pub fn name(&self) -> &str {
        match self {
            ProfileKind::Goroutine => "goroutine",
            ProfileKind::GoroutineLeak => "goroutineleak",
            ProfileKind::Heap => "heap",
            ProfileKind::Allocs => "allocs",
            ProfileKind::Cpu => "cpu",
            ProfileKind::Mutex => "mutex",
            ProfileKind::Block => "block",
            ProfileKind::ThreadCreate => "threadcreate",
            ProfileKind::Crash => "crash",
            ProfileKind::Other(name) => name,
        }
    }
    /// Goroutine-style profiles count goroutines; the others measure something else.
    pub fn counts_goroutines(&self) -> bool {
        matches!(self, ProfileKind::Goroutine | ProfileKind::GoroutineLeak | ProfileKind::Crash)
    }
}

/// A sample type such as `goroutine/count` or `inuse_space/bytes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleType {
    pub kind: String,
    pub unit: String,
}

/// One sample: a stack, its values (one per sample type), its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub stack: StackId,
    /// Inline for up to four sample types: one allocation less per goroutine.
    pub values: SmallVec<[i64; 4]>,
    pub labels: LabelSetId,
    /// For dumps that list goroutines one by one: the goroutine this sample is.
    pub goroutine: Option<u32>,
}

/// How a printed stack was shortened by the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Elision {
    #[default]
    None,
    /// `...N frames elided...` (Go 1.21+ keeps the outermost frames).
    Frames(u32),
    /// `...additional frames elided...` (older Go keeps only the first 100).
    Additional,
}

/// An ancestor stack printed under `GODEBUG=tracebackancestors=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ancestor {
    pub id: u64,
    pub stack: StackId,
}

/// What a debug=2 dump or a traceback says about one goroutine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goroutine {
    pub id: u64,
    /// The wait reason exactly as Go prints it (`chan receive`, `chan receive (nil chan)`,
    /// `select (no cases)`), without `(leaked)`, `(scan)`, minutes and thread notes.
    pub state: StrId,
    pub leaked: bool,
    /// `(durable)`: blocked inside a synctest bubble on something only the bubble can wake.
    pub durable: bool,
    pub wait_minutes: Option<u32>,
    pub locked_to_thread: bool,
    pub synctest_bubble: Option<u64>,
    pub labels: LabelSetId,
    pub stack: StackId,
    /// Argument text of each frame of `stack`, in the same order (`0x1c, {0x0?, 0x1}` or `...`),
    /// in [`Profile::args`].
    pub args: ArgList,
    pub elision: Elision,
    pub created_by: Option<FrameId>,
    /// `created by F in goroutine N`: N (Go 1.21+).
    pub parent: Option<u64>,
    pub ancestors: Vec<Ancestor>,
    /// `goroutine running on other thread; stack unavailable`.
    pub stack_unavailable: bool,
    /// 1-based line of the header in the input.
    pub line: u32,
}

/// What a crashing process printed before its goroutines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Crash {
    /// Every `panic:` line in order (the first 100), leading white space removed.
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, 100>")]
    pub panic: Vec<String>,
    pub fatal_error: Option<String>,
    /// `[signal SIGSEGV: segmentation violation ...]` or `SIGQUIT: quit`.
    pub signal: Option<String>,
    /// The id of the goroutine printed first: the one that panicked.
    pub first_goroutine: Option<u64>,
    /// `running tests:` after a test timeout's panic: each test's name and how long it ran
    /// (testing/testing.go, `runningList`); the first 100.
    #[serde(default, deserialize_with = "limits::bounded_vec::<_, _, 100>")]
    pub running_tests: Vec<(String, String)>,
}

/// A data race the race detector reported (`WARNING: DATA RACE` up to the `==================`
/// that closes it), as the Go flavour of ThreadSanitizer prints it (compiler-rt
/// `lib/tsan/rtl/tsan_report.cpp`, `SANITIZER_GO`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Race {
    /// The line of `WARNING: DATA RACE` (1-based).
    pub line: u32,
    /// The racing accesses in the order printed: the current one (`Write at 0x00c0002a60c0 by
    /// goroutine 21:`), then the previous one (`Previous read at … by main goroutine:`).
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, { limits::MAX_RACE_PARTS }>")]
    pub accesses: Vec<RaceAccess>,
    /// Where the goroutines of the accesses were started: `Goroutine 21 (running) created at:`.
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, { limits::MAX_RACE_PARTS }>")]
    pub goroutines: Vec<RaceGoroutine>,
    /// What the racing address is: `Global var x of size 8 at 0x… declared at /src/x.go:9`, or
    /// `Heap block of size 8 at 0x… allocated by goroutine 7:` and where ([`Race::location_stack`]).
    pub location: Option<String>,
    /// The stack that allocated a heap block the accesses raced on.
    pub location_stack: Option<StackId>,
}

/// One access of a [`Race`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaceAccess {
    /// `write` or `read`.
    pub kind: String,
    /// Printed as `Previous …`: the access that came first.
    pub previous: bool,
    /// The address as printed (`0x00c0002a60c0`); empty in old reports (`Read by goroutine 5:`).
    pub address: String,
    /// The race detector's number for the goroutine (`by goroutine 21`), which is not Go's
    /// goroutine id; `None` for `by main goroutine`.
    pub goroutine: Option<u64>,
    /// Where the access happened, innermost frame first.
    pub stack: StackId,
}

/// Where a goroutine of a [`Race`] was started: `Goroutine 21 (running) created at:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaceGoroutine {
    /// The race detector's number for the goroutine, as in [`RaceAccess::goroutine`].
    pub goroutine: u64,
    /// `running` or `finished` when the race was found.
    pub status: String,
    /// The `go` statement that started it and its callers, innermost first.
    pub created_at: StackId,
}

/// A line of input that was skipped or read with doubt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// 1-based line number in the (decompressed) input; 0 for binary input.
    pub line: u32,
    pub message: String,
}

/// The frame that stands for the frames of a stack not kept past [`MAX_STACK_FRAMES`].
pub const STACK_NOT_KEPT: &str = "...frames not kept (MAX_STACK_FRAMES)...";

/// The profile: what the input says, interned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub kind: ProfileKind,
    pub strings: Strings,
    pub frames: Interner<Frame>,
    pub stacks: Interner<Vec<FrameId>>,
    pub label_sets: Interner<LabelSet>,
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, MAX_SAMPLE_TYPES>")]
    pub sample_types: Vec<SampleType>,
    /// Index into `sample_types` of the one a viewer shows first.
    pub default_sample_type: usize,
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, MAX_GOROUTINES>")]
    pub samples: Vec<Sample>,
    /// For dumps that list goroutines one by one (debug=2, tracebacks); empty otherwise.
    #[serde(deserialize_with = "limits::bounded_vec::<_, _, MAX_GOROUTINES>")]
    pub goroutines: Vec<Goroutine>,
    /// The goroutines' function arguments.
    pub args: ArgArena,
    pub crash: Option<Crash>,
    /// Data races reported in the input (the first [`limits::MAX_RACES`]); absent from links
    /// made before races were read.
    #[serde(default, deserialize_with = "limits::bounded_vec::<_, _, { limits::MAX_RACES }>")]
    pub races: Vec<Race>,
    /// The input ended in the middle of a goroutine.
    pub truncated: bool,
    pub period_type: Option<SampleType>,
    pub period: i64,
    pub duration_nanos: i64,
    /// When the profile was taken, in nanoseconds since the Unix epoch (pprof's `time_nanos`);
    /// `None` where the input does not say (text dumps, a proto with 0).
    #[serde(default)]
    pub time_nanos: Option<i64>,
    /// Where each function starts (pprof's `Function.start_line`), for inference that
    /// depends on where in a function a goroutine parked.
    pub function_start_lines: HashMap<StrId, u32>,
    /// Frames in all stacks interned through [`Profile::intern_stack`].
    #[serde(skip)]
    stack_frames: usize,
}

impl Profile {
    pub fn new(kind: ProfileKind) -> Profile {
        let mut profile = Profile {
            kind,
            strings: Strings::default(),
            frames: Interner::default(),
            stacks: Interner::default(),
            label_sets: Interner::default(),
            sample_types: Vec::new(),
            default_sample_type: 0,
            samples: Vec::new(),
            goroutines: Vec::new(),
            args: ArgArena::default(),
            crash: None,
            races: Vec::new(),
            truncated: false,
            period_type: None,
            period: 0,
            duration_nanos: 0,
            time_nanos: None,
            function_start_lines: HashMap::new(),
            stack_frames: 0,
        };
        // Id 0 is the empty string and id 0 the empty label set, so "none" needs no Option.
        profile.strings.intern("");
        profile.label_sets.intern(Vec::new());
        profile
    }

    /// A profile whose one sample type counts goroutines.
    pub fn goroutines(kind: ProfileKind) -> Profile {
        let mut profile = Profile::new(kind);
        let name = match profile.kind {
            ProfileKind::GoroutineLeak => "goroutineleak",
            _ => "goroutine",
        };
        profile.sample_types = vec![SampleType { kind: name.into(), unit: "count".into() }];
        profile
    }

    pub fn frame(&mut self, func: &str, file: &str, line: u32) -> FrameId {
        let frame = Frame { func: self.strings.intern(func), file: self.strings.intern(file), line };
        self.frames.intern(frame)
    }

    pub fn func_name(&self, frame: FrameId) -> &str {
        self.strings.get(self.frames.get(frame).func)
    }

    pub fn stack(&self, stack: StackId) -> &[FrameId] {
        self.stacks.get(stack)
    }

    pub fn labels(&self, set: LabelSetId) -> &LabelSet {
        self.label_sets.get(set)
    }

    /// Interns a label set given in any order (kept sorted by key id: equal sets are one set).
    pub fn label_set(&mut self, mut labels: LabelSet) -> LabelSetId {
        labels.sort_by_key(|l| l.0);
        self.label_sets.intern(labels)
    }

    /// The text of a label value as a user reads it (borrowed from the string table for text).
    pub fn label_text(&self, value: &LabelValue) -> Cow<'_, str> {
        match value {
            LabelValue::Str(s) => Cow::Borrowed(self.strings.get(*s)),
            LabelValue::Num { value, unit: Some(unit) } => Cow::Owned(format!("{value} {}", self.strings.get(*unit))),
            LabelValue::Num { value, unit: None } => Cow::Owned(value.to_string()),
        }
    }

    /// Interns a stack read from input. Past [`MAX_STACK_FRAMES`] frames in all distinct stacks,
    /// a stack not seen before keeps only its leaf and a frame saying the rest was not kept;
    /// the second value says so.
    pub fn intern_stack(&mut self, frames: &[FrameId]) -> (StackId, bool) {
        if let Some(id) = self.stacks.lookup_slice(frames) {
            return (id, false);
        }
        if frames.len() <= self.stack_frames_left() {
            self.stack_frames += frames.len();
            return (self.stacks.intern_slice(frames), false);
        }
        (self.cut_stack(frames.first().copied()), true)
    }

    /// The stack that stands for a stack not kept past [`MAX_STACK_FRAMES`]: its leaf (if it
    /// has one) and a frame saying the rest was not kept.
    pub fn cut_stack(&mut self, leaf: Option<FrameId>) -> StackId {
        let marker = self.frame(STACK_NOT_KEPT, "", 0);
        let cut: Vec<FrameId> = leaf.into_iter().chain([marker]).collect();
        self.stacks.intern_slice(&cut)
    }

    /// Frames that new stacks may still take before [`MAX_STACK_FRAMES`].
    pub fn stack_frames_left(&self) -> usize {
        MAX_STACK_FRAMES - self.stack_frames
    }

    /// Goroutines counted by this profile: the sum of the first sample value for goroutine
    /// profiles; `None` where the profile counts something else.
    pub fn goroutine_count(&self) -> Option<i64> {
        if !self.kind.counts_goroutines() {
            return None;
        }
        Some(limits::sum(self.samples.iter().map(|s| s.values.first().copied().unwrap_or(0))))
    }
}

impl Profile {
    /// Checks that every id points into its table and every table keeps its limit (see
    /// [`crate::limits`]), for a profile read from outside (a shared link): a hostile link
    /// must give an error, not a panic. Says what is wrong first.
    pub fn check(&self) -> Result<(), String> {
        let (strings, frames, stacks, label_sets) =
            (self.strings.len() as u32, self.frames.len() as u32, self.stacks.len() as u32, self.label_sets.len() as u32);
        if strings == 0 || label_sets == 0 {
            return Err("the string and label set tables must start with the empty entry".into());
        }
        let string = |id: StrId, what: &str| if id < strings { Ok(()) } else { Err(format!("{what} names string {id} of {strings}")) };
        for f in self.frames.iter() {
            string(f.func, "a frame")?;
            string(f.file, "a frame")?;
        }
        let mut in_stacks = 0usize;
        for stack in self.stacks.iter() {
            if let Some(bad) = stack.iter().find(|&&f| f >= frames) {
                return Err(format!("a stack names frame {bad} of {frames}"));
            }
            in_stacks += stack.len();
            if in_stacks > MAX_STACK_FRAMES {
                return Err(format!("the stacks hold more than {MAX_STACK_FRAMES} frames (MAX_STACK_FRAMES)"));
            }
            // The frames kept and the one that marks the elision.
            if stack.len() > MAX_FRAMES + 1 {
                return Err(format!("a stack has {} frames, more than {MAX_FRAMES} (MAX_FRAMES)", stack.len()));
            }
        }
        for set in self.label_sets.iter() {
            if set.len() > MAX_LABELS {
                return Err(format!("a label set has {} labels, more than {MAX_LABELS} (MAX_LABELS)", set.len()));
            }
            for (k, v) in set {
                string(*k, "a label")?;
                match v {
                    LabelValue::Str(s) => string(*s, "a label")?,
                    LabelValue::Num { unit: Some(u), .. } => string(*u, "a label unit")?,
                    LabelValue::Num { .. } => {}
                }
            }
        }
        if !self.sample_types.is_empty() && self.default_sample_type >= self.sample_types.len() {
            return Err("the default sample type is not one of the sample types".into());
        }
        let mut named = vec![false; self.goroutines.len()];
        for s in &self.samples {
            if s.stack >= stacks || s.labels >= label_sets || s.values.len() != self.sample_types.len() {
                return Err("a sample names a stack or label set that is not there, or has the wrong number of values".into());
            }
            if let Some(g) = s.goroutine {
                // Each goroutine is one sample, as the decoders write them.
                match named.get_mut(g as usize) {
                    None => return Err("a sample names a goroutine that is not there".into()),
                    Some(true) => return Err("two samples name the same goroutine".into()),
                    Some(seen) => *seen = true,
                }
            }
        }
        // Each goroutine's arguments follow the last one's, as a decoder writes them: read once
        // per goroutine, they add up to the arena, never to goroutines times the arena.
        let mut args_end = 0u64;
        for g in &self.goroutines {
            string(g.state, "a goroutine's state")?;
            if g.args.count > 0 {
                if (g.args.first as u64) < args_end {
                    return Err(format!("goroutine {} names arguments another goroutine names", g.id));
                }
                args_end = g.args.first as u64 + g.args.count as u64;
            }
            if g.stack >= stacks || g.labels >= label_sets || g.created_by.is_some_and(|f| f >= frames) || g.ancestors.iter().any(|a| a.stack >= stacks) {
                return Err(format!("goroutine {} names a stack, frame or label set that is not there", g.id));
            }
            if g.args.first as usize + g.args.count as usize > self.args.next_index() as usize {
                return Err(format!("goroutine {} names arguments that are not there", g.id));
            }
            if g.ancestors.len() > MAX_ANCESTORS {
                return Err(format!("goroutine {} has more than {MAX_ANCESTORS} ancestors (MAX_ANCESTORS)", g.id));
            }
        }
        for race in &self.races {
            let stacks_named = race.accesses.iter().map(|a| a.stack).chain(race.goroutines.iter().map(|g| g.created_at)).chain(race.location_stack);
            if stacks_named.into_iter().any(|s| s >= stacks) {
                return Err(format!("the data race of line {} names a stack that is not there", race.line));
            }
            if race.accesses.len() > MAX_RACE_PARTS || race.goroutines.len() > MAX_RACE_PARTS {
                return Err(format!("the data race of line {} has more than {MAX_RACE_PARTS} accesses or goroutines (MAX_RACE_PARTS)", race.line));
            }
        }
        self.args.check()?;
        for &f in self.function_start_lines.keys() {
            string(f, "a function start line")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_with_the_same_lossy_text_are_one_string() {
        let mut strings = Strings::default();
        let a = strings.intern_bytes(b"main.\xff");
        assert_eq!(strings.intern_bytes(b"main.\xfe"), a);
        assert_eq!(strings.intern("main.\u{fffd}"), a);
        assert_eq!(strings.lookup(b"main.\xfe"), Some(a));
        assert_eq!(strings.get(a), "main.\u{fffd}");
        assert_eq!(strings.len(), 1);
        let json = serde_json::to_string(&strings).unwrap();
        assert_eq!(serde_json::from_str::<Strings>(&json).unwrap().len(), 1);
    }
}
