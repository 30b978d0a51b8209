//! Stacks as decoders read them: bounded in depth ([`MAX_FRAMES`]) as Go bounds a printed
//! traceback, and in frames in all ([`crate::limits::MAX_STACK_FRAMES`]) as the model bounds them,
//! each cut recorded as a [`LimitHit`].

use crate::limits::{self, LimitHit, MAX_FRAMES};
use crate::model::{FrameId, Profile, StackId};

/// A stack being read, kept to [`MAX_FRAMES`] frames as Go keeps a deep traceback: the first
/// half and the last half, and between them a frame named `...N frames elided...` (the line
/// Go prints there). The last half is kept in a ring, so a stack of any depth costs
/// [`MAX_FRAMES`] slots.
#[derive(Debug, Default, Clone)]
pub struct StackBuf {
    frames: Vec<FrameId>,
    seen: usize,
}

impl StackBuf {
    /// Empties the buffer for the next stack.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.seen = 0;
    }

    /// Adds the next frame (leaf first); past [`MAX_FRAMES`] it replaces the oldest of the
    /// last half.
    pub fn push(&mut self, frame: FrameId) {
        const HALF: usize = MAX_FRAMES / 2;
        if self.frames.len() < MAX_FRAMES {
            self.frames.push(frame);
        } else {
            self.frames[HALF + (self.seen - HALF) % HALF] = frame;
        }
        self.seen += 1;
    }

    /// Whether no frame was pushed since the last clear.
    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// Whether frames were dropped.
    pub fn elided(&self) -> bool {
        self.seen > MAX_FRAMES
    }

    /// Interns the frames kept, in order, with the elision frame where frames were dropped
    /// (see [`Profile::intern_stack`]), recording in `hits` the limits reached. The buffer is
    /// left empty for the next stack.
    pub fn finish(&mut self, profile: &mut Profile, hits: &mut Vec<LimitHit>) -> StackId {
        const HALF: usize = MAX_FRAMES / 2;
        let stack = if self.seen > MAX_FRAMES {
            self.frames[HALF..].rotate_left((self.seen - HALF) % HALF);
            elided_stack(profile, &self.frames[..HALF], (self.seen - MAX_FRAMES) as u64, &self.frames[HALF..], hits)
        } else {
            intern_stack(profile, &self.frames, hits)
        };
        self.clear();
        stack
    }
}

/// Interns a stack read from input ([`Profile::intern_stack`]), recording in `hits` when it
/// was cut past [`MAX_STACK_FRAMES`].
pub fn intern_stack(profile: &mut Profile, frames: &[FrameId], hits: &mut Vec<LimitHit>) -> StackId {
    let (stack, cut) = profile.intern_stack(frames);
    if cut {
        limits::record(hits, LimitHit::StackFrames { stacks: 1 });
    }
    stack
}

/// Interns a stack of which only the first and the last frames were kept, `elided` frames
/// between them standing in one frame named as Go names the gap: `...N frames elided...`.
pub fn elided_stack(profile: &mut Profile, first: &[FrameId], elided: u64, last: &[FrameId], hits: &mut Vec<LimitHit>) -> StackId {
    limits::record(hits, LimitHit::Frames { stacks: 1 });
    let marker = profile.frame(&format!("...{elided} frames elided..."), "", 0);
    let frames: Vec<FrameId> = first.iter().copied().chain([marker]).chain(last.iter().copied()).collect();
    intern_stack(profile, &frames, hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProfileKind;

    #[test]
    fn a_deep_stack_keeps_its_first_and_last_frames() {
        let mut p = Profile::new(ProfileKind::Goroutine);
        let frames: Vec<FrameId> = (0..3000).map(|i| p.frame(&format!("f{i}"), "", 0)).collect();
        let mut buf = StackBuf::default();
        for &f in &frames {
            buf.push(f);
        }
        assert!(buf.elided());
        let mut hits = Vec::new();
        let stack = buf.finish(&mut p, &mut hits);
        assert_eq!(hits, vec![LimitHit::Frames { stacks: 1 }]);
        let kept = p.stack(stack).to_vec();
        assert_eq!(kept.len(), MAX_FRAMES + 1);
        assert_eq!(&kept[..512], &frames[..512]);
        assert_eq!(p.func_name(kept[512]), "...1976 frames elided...");
        assert_eq!(&kept[513..], &frames[3000 - 512..]);
        for n in [0, 1, 1024, 1025, 1536, 1537] {
            let mut buf = StackBuf::default();
            for &f in &frames[..n] {
                buf.push(f);
            }
            let stack = buf.finish(&mut p, &mut Vec::new());
            let kept = p.stack(stack).to_vec();
            if n <= MAX_FRAMES {
                assert_eq!(kept, frames[..n]);
            } else {
                assert_eq!(&kept[513..], &frames[n - 512..n], "{n}");
            }
        }
    }
}
