//! Binary CPU profiles from Go before 1.9 (the gperftools layout pprof still reads).
//!
//! Machine words, 32 or 64 bits, little or big endian: a header `0, 3, 0, period_us, 0`, then
//! records `count, depth, pc...`, then the trailer `0, 1, 0`, then the text of
//! /proc/self/maps. The profile carries addresses only; frames are named by address.

use crate::decode::format::{DecodeError, Format};
use crate::decode::stack::StackBuf;
use crate::decode::text::Warnings;
use crate::limits::{LimitHit, MAX_GOROUTINES};
use crate::model::{Profile, ProfileKind, Sample, SampleType};

#[derive(Clone, Copy)]
struct Layout {
    word: usize,
    big_endian: bool,
}

impl Layout {
    fn read(self, bytes: &[u8], at: usize) -> Option<u64> {
        let w = bytes.get(at..at.checked_add(self.word)?)?;
        let mut v: u64 = 0;
        for i in 0..self.word {
            let b = if self.big_endian { w[i] } else { w[self.word - 1 - i] };
            v = (v << 8) | b as u64;
        }
        Some(v)
    }
}

fn layout(bytes: &[u8]) -> Option<Layout> {
    [8, 4].into_iter().flat_map(|word| [false, true].map(|big_endian| Layout { word, big_endian })).find(|&l| {
        l.read(bytes, 0) == Some(0) && l.read(bytes, l.word) == Some(3) && l.read(bytes, 2 * l.word) == Some(0) && l.read(bytes, 4 * l.word) == Some(0)
    })
}

/// The binary CPU profile of Go before 1.9: header words 0, 3, 0, a sampling period, 0, in
/// 32- or 64-bit words of either byte order (`runtime/pprof`'s legacy format).
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    layout(bytes).is_some_and(|l| l.read(bytes, 3 * l.word).is_some_and(|period| period > 0)).then_some(Format::PprofLegacy)
}

pub fn convert(bytes: &[u8], notes: &mut Warnings) -> Result<Profile, DecodeError> {
    let l = layout(bytes).ok_or(DecodeError::Legacy { offset: 0, reason: "expected the header words 0, 3, 0, period, 0".into() })?;
    let period_us = l.read(bytes, 3 * l.word).unwrap_or(0) as i64;
    let mut profile = Profile::new(ProfileKind::Cpu);
    profile.sample_types = vec![SampleType { kind: "samples".into(), unit: "count".into() }, SampleType { kind: "cpu".into(), unit: "nanoseconds".into() }];
    profile.default_sample_type = 1;
    profile.period_type = Some(SampleType { kind: "cpu".into(), unit: "nanoseconds".into() });
    profile.period = period_us.saturating_mul(1000);
    let mut at = 5 * l.word;
    loop {
        let cut = |offset| DecodeError::Legacy { offset, reason: "the profile ends inside a sample record (expected the trailer 0, 1, 0)".into() };
        let count = l.read(bytes, at).ok_or(cut(at))?;
        let depth = l.read(bytes, at + l.word).ok_or(cut(at))?;
        if count == 0 && depth == 1 && l.read(bytes, at + 2 * l.word) == Some(0) {
            break;
        }
        let remaining_words = (bytes.len() - at) / l.word;
        if depth as usize > remaining_words.saturating_sub(2) {
            return Err(DecodeError::Legacy { offset: at, reason: format!("a record claims {depth} addresses, more than the file holds") });
        }
        let next = at + (2 + depth as usize) * l.word;
        if profile.samples.len() == MAX_GOROUTINES {
            notes.limit(LimitHit::Goroutines { kept: MAX_GOROUTINES as u64, skipped: 1 });
            at = next;
            continue;
        }
        let mut frames = StackBuf::default();
        for i in 0..depth as usize {
            let pc = l.read(bytes, at + (2 + i) * l.word).ok_or(cut(at))?;
            frames.push(profile.frame(&format!("{pc:#x}"), "", 0));
        }
        let stack = frames.finish(&mut profile, &mut notes.limits);
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        profile.samples.push(Sample { stack, values: smallvec::smallvec![count, count.saturating_mul(profile.period)], labels: 0, goroutine: None });
        at = next;
    }
    Ok(profile)
}
