//! Wait states: reported by the dump's headers, or inferred from the leaf frames.
//!
//! Reported states are kept exactly as Go prints them. Where the runtime printed no state
//! (pprof protos, debug=1), the leaf frames are read leaf first, through the runtime and
//! standard-library frames only, and the first frame found in [`INFERENCE`] names the state.
//! Where nothing in that table is found the state is `None`: unknown is honest, a guess is not.

use crate::model::{Profile, Sample};

/// A wait state and whether it was inferred rather than printed by the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WaitState<'a> {
    pub name: &'a str,
    pub inferred: bool,
}

/// Function -> the state Go reports for a goroutine parked in it. One row per function;
/// the frames are those a goroutine parks under (Go 1.5 through 1.27).
pub const INFERENCE: &[(&str, &str)] = &[
    ("runtime.chanrecv1", "chan receive"),
    ("runtime.chanrecv2", "chan receive"),
    ("runtime.chansend1", "chan send"),
    ("runtime.selectgo", "select"),
    ("runtime.block", "select (no cases)"),
    ("runtime.selectnbrecv", "chan receive"),
    ("time.Sleep", "sleep"),
    ("runtime.timeSleep", "sleep"),
    ("internal/poll.runtime_pollWait", "IO wait"),
    ("runtime.netpollblock", "IO wait"),
    ("sync.runtime_notifyListWait", "sync.Cond.Wait"),
    ("sync.(*Cond).Wait", "sync.Cond.Wait"),
    ("sync.runtime_SemacquireWaitGroup", "sync.WaitGroup.Wait"),
    ("sync.runtime_SemacquireMutex", "sync.Mutex.Lock"),
    ("internal/sync.runtime_SemacquireMutex", "sync.Mutex.Lock"),
    ("sync.runtime_SemacquireRWMutexR", "sync.RWMutex.RLock"),
    ("sync.runtime_SemacquireRWMutex", "sync.RWMutex.Lock"),
    ("sync.runtime_Semacquire", "semacquire"),
    ("internal/synctest.Wait", "synctest.Wait"),
    ("runtime.gcBgMarkWorker", "GC worker (idle)"),
    ("runtime.forcegchelper", "force gc (idle)"),
    ("runtime.bgsweep", "GC sweep wait"),
    ("runtime.bgscavenge", "GC scavenge wait"),
    ("runtime.runfinq", "finalizer wait"),
    ("runtime.(*cleanupQueue).dequeue", "cleanup wait"),
    ("syscall.Syscall", "syscall"),
    ("syscall.Syscall6", "syscall"),
    ("syscall.RawSyscall", "syscall"),
    ("syscall.RawSyscall6", "syscall"),
    ("internal/runtime/syscall.Syscall6", "syscall"),
    ("runtime/internal/syscall.Syscall6", "syscall"),
    ("syscall.syscall", "syscall"),
    ("syscall.syscall6", "syscall"),
    // Blocks in a system call with the P released (os/signal's receiver loop).
    ("runtime.notetsleepg", "syscall"),
    // The goroutine that writes a goroutine profile is the one running.
    ("runtime/pprof.runtime_goroutineProfileWithLabels", "running"),
    ("runtime.goroutineProfileWithLabels", "running"),
    ("runtime/pprof.writeGoroutineStacks", "running"),
];

/// The state of a goroutine parked on a nil channel: `runtime.chanrecv`/`chansend` park at
/// their very start when the channel is nil, far from where they park on a real channel.
const NIL_CHANNEL: &[(&str, &str)] = &[("runtime.chanrecv", "chan receive (nil chan)"), ("runtime.chansend", "chan send (nil chan)")];

/// Lines from a function's start within which `chanrecv`/`chansend` handle a nil channel.
const NIL_CHANNEL_LINES: u32 = 20;

/// Frames through which inference may look: the runtime and the standard library's waiting
/// primitives. The first frame of any other package ends the search.
fn may_look_through(func: &str) -> bool {
    func.starts_with("runtime.")
        || func.starts_with("runtime/")
        || func.starts_with("internal/")
        || func.starts_with("sync.")
        || func.starts_with("time.")
        || func.starts_with("syscall.")
}

/// The state named by the leaf frames of a stack, if the table knows them.
pub fn infer(profile: &Profile, stack: &[u32]) -> Option<&'static str> {
    for &frame_id in stack {
        let frame = profile.frames.get(frame_id);
        let func = profile.strings.get(frame.func);
        if let Some((_, state)) = NIL_CHANNEL.iter().find(|(f, _)| *f == func) {
            if let Some(&start) = profile.function_start_lines.get(&frame.func) {
                if frame.line >= start && frame.line - start <= NIL_CHANNEL_LINES {
                    return Some(state);
                }
            }
            continue;
        }
        if let Some((_, state)) = INFERENCE.iter().find(|(f, _)| *f == func) {
            return Some(state);
        }
        if !may_look_through(func) {
            return None;
        }
    }
    None
}

/// The state of a sample: reported for goroutines a dump lists, inferred otherwise.
pub fn state_of<'p>(profile: &'p Profile, sample: &Sample) -> Option<WaitState<'p>> {
    match sample.goroutine {
        Some(g) => {
            let name = profile.strings.get(profile.goroutines[g as usize].state);
            Some(WaitState { name, inferred: false })
        }
        None => infer(profile, profile.stack(sample.stack)).map(|name| WaitState { name, inferred: true }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProfileKind;

    fn stack_of(profile: &mut Profile, funcs: &[&str]) -> Vec<u32> {
        funcs.iter().map(|f| profile.frame(f, "x.go", 1)).collect()
    }

    #[test]
    fn every_row_of_the_table_names_its_state() {
        for (func, state) in INFERENCE {
            let mut p = Profile::goroutines(ProfileKind::Goroutine);
            let stack = stack_of(&mut p, &["runtime.gopark", func, "example.com/app.worker"]);
            assert_eq!(infer(&p, &stack), Some(*state), "{func}");
        }
    }

    #[test]
    fn user_frames_end_the_search() {
        let mut p = Profile::goroutines(ProfileKind::Goroutine);
        // debug=1 hides the runtime frames: a receive in user code cannot be told.
        let stack = stack_of(&mut p, &["example.com/app.worker", "time.Sleep"]);
        assert_eq!(infer(&p, &stack), None);
    }

    #[test]
    fn nil_channels_are_told_by_where_chanrecv_parks() {
        let mut p = Profile::goroutines(ProfileKind::Goroutine);
        let func = p.strings.intern("runtime.chanrecv");
        p.function_start_lines.insert(func, 500);
        let near = vec![p.frame("runtime.gopark", "proc.go", 400), p.frame("runtime.chanrecv", "chan.go", 512), p.frame("runtime.chanrecv1", "chan.go", 490)];
        assert_eq!(infer(&p, &near), Some("chan receive (nil chan)"));
        let far = vec![p.frame("runtime.gopark", "proc.go", 400), p.frame("runtime.chanrecv", "chan.go", 640), p.frame("runtime.chanrecv1", "chan.go", 490)];
        assert_eq!(infer(&p, &far), Some("chan receive"));
    }
}
