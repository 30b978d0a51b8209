//! Go's names, one rule each: what a function name says (standard library or not, package,
//! closure, runtime frames hidden by some formats, short name), what a file path's base name
//! is, when an argument word is a pointer, and which family a wait state belongs to.
//!
//! The vocabulary follows panicparse (`stack/stack.go`: `Func.IsExported`, `Call.IsStdlib`,
//! `Arg.IsPtr`) and Go's own runtime (`runtime/runtime2.go`'s wait reasons); every analysis and
//! front end asks here rather than keep its own copy of a rule.

use crate::model::{FrameId, Profile, StackId};

/// Whether a function is the runtime's or the standard library's: the first element of its
/// import path has no dot (`net/http`, `sync`), and it is not `main`.
pub fn is_standard_library(func: &str) -> bool {
    let path = func.split(".(").next().unwrap_or(func);
    let package = match path.rfind('/') {
        Some(slash) => &path[..slash + path[slash..].find('.').unwrap_or(path.len() - slash)],
        None => path.split('.').next().unwrap_or(path),
    };
    let first = package.split('/').next().unwrap_or(package);
    !first.contains('.') && first != "main"
}

/// The package part of a function name: `golang.org/x/sync/errgroup.(*Group).Go` ->
/// `golang.org/x/sync/errgroup`.
pub fn package_of(func: &str) -> &str {
    let slash = func.rfind('/').map_or(0, |s| s + 1);
    match func[slash..].find('.') {
        Some(dot) => &func[..slash + dot],
        None => func,
    }
}

/// A closure's name, as the compiler names them: `pkg.F.func1`, `pkg.(*T).M.func2.1`,
/// `pkg.F.gowrap1` (the wrapper of a `go` statement's call, Go 1.21+).
pub fn is_closure(func: &str) -> bool {
    func.rsplit('.').take(3).any(|part| {
        let part = part.trim_end_matches(|c: char| c.is_ascii_digit());
        part == "func" || part == "gowrap"
    })
}

/// Frames the formats disagree on: debug=1 hides leading runtime frames, debug=2 hides
/// unexported ones, protos keep all. `runtime.goexit` and unexported `runtime.*` frames, which
/// dropping everywhere lines the formats up.
pub fn hidden_runtime(func: &str) -> bool {
    func == "runtime.goexit" || func.strip_prefix("runtime.").and_then(|rest| rest.chars().next()).is_some_and(|c| !c.is_uppercase())
}

/// The first elements of the Go distribution's import paths (`go list std`): a module whose
/// path has no dot (`module myapp`) is the user's, though [`is_standard_library`] cannot tell.
const GO_DISTRIBUTION: &[&str] = &[
    "archive",
    "bufio",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "weak",
];

/// Whether a function is the Go distribution's: the standard library's by its path, and of
/// one of its top-level packages ([`GO_DISTRIBUTION`]).
pub fn is_go_distribution(func: &str) -> bool {
    let top = func.split(['/', '.']).next().unwrap_or(func);
    is_standard_library(func) && GO_DISTRIBUTION.contains(&top)
}

/// A file path's last element, as rows name files (`search.go`), for Unix and Windows paths.
pub fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A function without its import path (`search.(*Aggregator).queryBackend`), for narrow cells.
pub fn short_name(func: &str) -> &str {
    let path_end = func.find(".(").unwrap_or(func.len());
    match func[..path_end].rfind('/') {
        Some(slash) => &func[slash + 1..],
        None => func,
    }
}

/// The lowest value an argument word takes to be read as a pointer: Go's heap never sits in
/// the first 64 KiB, and smaller words are lengths, flags and counts.
pub const MIN_POINTER: u64 = 0x10000;

/// The value of an argument word (`0xc000123450`, `{0xc000123450?`, `0x1}`) when it is a
/// pointer (see [`MIN_POINTER`]).
pub fn pointer(word: &str) -> Option<u64> {
    let bare = word.trim().trim_start_matches('{').trim_end_matches('}').trim_end_matches('?');
    u64::from_str_radix(bare.strip_prefix("0x")?, 16).ok().filter(|&v| v >= MIN_POINTER)
}

/// Argument text with the pointers masked: `0xc000123456, 0x1, {0xc000010000?, 0x2}` ->
/// `*, 0x1, {*?, 0x2}`.
pub fn mask_pointers(args: &str) -> String {
    args.split(", ")
        .map(|a| match pointer(a) {
            Some(_) => {
                let bare = a.trim_start_matches('{').trim_end_matches('}').trim_end_matches('?');
                a.replace(bare, "*")
            }
            None => a.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first argument of an argument list when it is a pointer: a method's receiver.
pub fn receiver(args: &str) -> Option<&str> {
    let first = args.split(',').next()?.trim();
    pointer(first)?;
    Some(first.trim_start_matches('{').trim_end_matches('?'))
}

/// The family of a wait state: what the goroutine waits on, by the wait reasons of Go's
/// runtime/runtime2.go (`waitReasonStrings`). The page colours by it; the leak score weighs
/// by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `chan receive`, `chan send`, and their `(nil chan)` forms.
    Channel,
    /// `select`, `select (no cases)`.
    Select,
    /// `sync.Mutex.Lock`, `sync.RWMutex.RLock`, `sync.WaitGroup.Wait`, `sync.Cond.Wait`,
    /// `semacquire`.
    Lock,
    /// `IO wait`.
    Io,
    /// `sleep`.
    Sleep,
    /// `syscall`: in a system call (or blocked in one with the P released).
    Syscall,
    /// `running`, `runnable`, `preempted`.
    Running,
    /// The runtime's own waits: `idle`, states starting `GC ` or ending `(idle)`, and the other
    /// states that contain `wait` (`finalizer wait`, `GC sweep wait`, `force gc (idle)`).
    Runtime,
    /// No state known (debug=1 and protos where the leaf frames cannot tell).
    Unknown,
    /// Any other wait reason (`synctest.Wait`, `debug call`, `trace reader (blocked)`…).
    Other,
}

impl Family {
    /// The family of a wait state as the dump prints it (`None`: not known).
    pub fn of(state: Option<&str>) -> Family {
        match state {
            None | Some("unknown") => Family::Unknown,
            Some(s) if s.starts_with("chan ") => Family::Channel,
            Some(s) if s.starts_with("select") => Family::Select,
            Some(s) if s.starts_with("sync.") || s.starts_with("semacquire") => Family::Lock,
            Some("IO wait") => Family::Io,
            Some("sleep") => Family::Sleep,
            Some("syscall") => Family::Syscall,
            Some("running" | "runnable" | "preempted") => Family::Running,
            Some(s) if s == "idle" || s.starts_with("GC ") || s.ends_with("(idle)") || s.contains("wait") => Family::Runtime,
            Some(_) => Family::Other,
        }
    }

    /// A short lowercase name: `channel`, `select`, `lock`, `io`, `sleep`, `syscall`,
    /// `running`, `runtime`, `unknown`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Channel => "channel",
            Family::Select => "select",
            Family::Lock => "lock",
            Family::Io => "io",
            Family::Sleep => "sleep",
            Family::Syscall => "syscall",
            Family::Running => "running",
            Family::Runtime => "runtime",
            Family::Unknown => "unknown",
            Family::Other => "other",
        }
    }
}

/// Which function names of a profile are user code ([`is_standard_library`] is false), each
/// name read once: analyses ask about every frame of every group, so the cost of a long name
/// must not be paid per frame.
pub struct UserCode {
    /// By string id; true for the names of user functions.
    user: Vec<bool>,
}

impl UserCode {
    /// The names of `profile`'s frames, each judged once.
    pub fn of(profile: &Profile) -> UserCode {
        let mut user = vec![false; profile.strings.len()];
        let mut done = vec![false; profile.strings.len()];
        for f in profile.frames.iter() {
            let at = f.func as usize;
            if !done[at] {
                done[at] = true;
                user[at] = !is_standard_library(profile.strings.get(f.func));
            }
        }
        UserCode { user }
    }

    /// Whether `frame`'s function is user code.
    pub fn is_user(&self, profile: &Profile, frame: FrameId) -> bool {
        self.user.get(profile.frames.get(frame).func as usize).copied().unwrap_or(false)
    }

    /// The innermost frame of user code of a stack (the site rows show), or its leaf when it
    /// has none.
    pub fn first_frame(&self, profile: &Profile, stack: StackId) -> Option<FrameId> {
        let frames = profile.stack(stack);
        frames.iter().copied().find(|&f| self.is_user(profile, f)).or(frames.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_user_code_from_the_standard_library() {
        assert!(is_standard_library("runtime.gopark"));
        assert!(is_standard_library("net/http.(*conn).serve"));
        assert!(is_standard_library("internal/poll.runtime_pollWait"));
        assert!(!is_standard_library("main.main"));
        assert!(!is_standard_library("example.com/x/search.(*Aggregator).queryBackend"));
        assert!(!is_standard_library("github.com/a/b.F"));
    }

    #[test]
    fn knows_closures_packages_and_short_names() {
        assert!(is_closure("example.com/audit.(*Logger).Record.func1"));
        assert!(is_closure("main.deadlock.func1.2"));
        assert!(is_closure("example.com/search.(*A).Search.gowrap1"));
        assert!(!is_closure("example.com/search.(*A).queryBackend"));
        assert_eq!(package_of("golang.org/x/sync/errgroup.(*Group).Go"), "golang.org/x/sync/errgroup");
        assert_eq!(package_of("sync.(*WaitGroup).Go"), "sync");
        assert_eq!(package_of("main.main"), "main");
        assert_eq!(short_name("example.com/x/search.(*Aggregator).queryBackend"), "search.(*Aggregator).queryBackend");
        assert_eq!(base_name("C:\\src\\x.go"), "x.go");
    }

    #[test]
    fn hides_unexported_runtime_frames_only() {
        assert!(hidden_runtime("runtime.gopark"));
        assert!(hidden_runtime("runtime.goexit"));
        assert!(!hidden_runtime("runtime.Gosched"));
        assert!(!hidden_runtime("runtime/pprof.writeGoroutineStacks"));
    }

    #[test]
    fn one_pointer_rule_for_masking_and_receivers() {
        assert_eq!(mask_pointers("0xc000123456, 0x1, {0xc000010000?, 0x2}"), "*, 0x1, {*?, 0x2}");
        assert_eq!(receiver("0xc000123450"), Some("0xc000123450"));
        assert_eq!(receiver("0xc000123450?, 0x1"), Some("0xc000123450"));
        assert_eq!(receiver("{0xc000123450, 0x1}"), Some("0xc000123450"));
        assert_eq!((receiver("..."), receiver("0x0?"), receiver("0xffff")), (None, None, None));
    }

    #[test]
    fn families_of_the_runtime_wait_reasons() {
        let family = |s| Family::of(Some(s));
        assert_eq!(family("chan receive (nil chan)"), Family::Channel);
        assert_eq!(family("select (no cases)"), Family::Select);
        assert_eq!(family("sync.WaitGroup.Wait"), Family::Lock);
        assert_eq!(family("semacquire"), Family::Lock);
        assert_eq!(family("GC worker (idle)"), Family::Runtime);
        assert_eq!(family("finalizer wait"), Family::Runtime);
        assert_eq!(family("preempted"), Family::Running);
        assert_eq!(family("synctest.Wait"), Family::Other);
        assert_eq!(Family::of(None), Family::Unknown);
    }
}
