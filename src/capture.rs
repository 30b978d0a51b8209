//! When a snapshot was taken, and whether two snapshots are of one program: what puts
//! snapshots in the order they were taken, and what keeps a diff or a leak's growth from
//! comparing unrelated programs. Pure: the front end passes in the file's modification time and
//! the time it was loaded; nothing here reads a clock.

use crate::gofunc::is_standard_library;
use crate::model::Profile;
use std::collections::HashSet;

/// Where a snapshot's time comes from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeSource {
    /// The profile says when it was taken (pprof's `time_nanos`).
    Profile,
    /// A timestamp in its name or path ([`time_in_path`]).
    Name,
    /// Its file's modification time.
    Modified,
    /// When it was loaded: nothing else tells.
    Loaded,
}

impl TimeSource {
    /// How a front end names where the time came from.
    pub fn describe(self) -> &'static str {
        match self {
            TimeSource::Profile => "from the profile",
            TimeSource::Name => "from the file name",
            TimeSource::Modified => "file modified",
            TimeSource::Loaded => "loaded",
        }
    }
}

/// When a snapshot was taken, in nanoseconds since the Unix epoch, and where that came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub nanos: i64,
    pub source: TimeSource,
}

/// When a snapshot was taken: the profile's own time, else a timestamp in its name or path,
/// else its file's modification time, else when it was loaded (all in nanoseconds since the
/// Unix epoch). Snapshots sorted by it (stably, so that the dumps of one input keep their
/// order) are in the order they were taken, as far as their inputs tell.
pub fn taken(profile_time: Option<i64>, name: &str, modified: Option<i64>, loaded: i64) -> Taken {
    let (nanos, source) = match (profile_time, time_in_path(name), modified) {
        (Some(t), _, _) => (t, TimeSource::Profile),
        (None, Some(t), _) => (t, TimeSource::Name),
        (None, None, Some(t)) => (t, TimeSource::Modified),
        (None, None, None) => (loaded, TimeSource::Loaded),
    };
    Taken { nanos, source }
}

/// The code a profile's stacks run, as `function file` pairs: its own (not the standard
/// library's or the runtime's) where it has any, else all of it.
fn code(profile: &Profile) -> HashSet<(&str, &str)> {
    let all = || profile.frames.iter().map(|f| (profile.strings.get(f.func), profile.strings.get(f.file)));
    let own: HashSet<(&str, &str)> = all().filter(|(func, _)| !is_standard_library(func)).collect();
    if own.is_empty() {
        all().collect()
    } else {
        own
    }
}

/// Whether two snapshots look like one program's, so that counting what grew between them
/// means something. The rule: more than half of the code the smaller snapshot runs (its own
/// functions, each with its file, as [`code`] gathers them; every function where it has none of
/// its own) is also run in the other. A program's goroutines come and go between snapshots,
/// but most of its code stays on some stack; two different programs share the standard library
/// and the runtime, which the rule leaves out, and rarely a function in one file (both have a
/// `main.main`, in different files). A snapshot with no frame at all tells nothing against
/// it: that counts as one program.
pub fn same_program(a: &Profile, b: &Profile) -> bool {
    let (a, b) = (code(a), code(b));
    let (small, large) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    small.is_empty() || small.iter().filter(|c| large.contains(*c)).count() * 2 > small.len()
}

/// When a path says its file was taken, in nanoseconds since the Unix epoch: the last date in
/// it, with or without a time and separators (`2026-11-30T08-53-35Z/`, `08:53:35+02:00`,
/// `goroutines-20261130-085335.txt`, CockroachDB's `memprof.2026-11-30T08_53_35.360.52838048`,
/// `2026-11-30/`); where there is none, the last Unix time in seconds between 2001 and 2100
/// (`consul debug`'s capture folders, `1764489630/goroutine.prof`). A time with no zone is read
/// as UTC: it orders the snapshots of one bundle.
pub fn time_in_path(path: &str) -> Option<i64> {
    static STAMP: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
        regex_lite::Regex::new(
            r"(?:^|[^0-9])(?:(\d{4})-?(\d{2})-?(\d{2})(?:[T_ .-]?(\d{2})[:._-]?(\d{2})(?:[:._-]?(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?|(\d{10}))(?:[^0-9]|$)",
        )
        .expect("a valid pattern")
    });
    let (mut date, mut epoch) = (None, None);
    let mut at = 0;
    while let Some(c) = STAMP.captures_at(path, at) {
        let whole = c.get(0).expect("the match");
        // The next search starts at the character that ended this match (a separator can
        // start the next timestamp).
        at = whole.end().saturating_sub(1).max(whole.start() + 1);
        let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
        match number(8) {
            Some(seconds) if (978_307_200..4_102_444_800).contains(&seconds) => epoch = Some(seconds * 1_000_000_000),
            Some(_) => {}
            None => {
                let zone = c.get(7).map_or(Some(0), |z| zone_seconds(z.as_str()));
                let local = date_time([number(1), number(2), number(3), number(4), number(5), number(6)]);
                date = local.zip(zone).map(|(t, z)| t - z * 1_000_000_000).or(date);
            }
        }
        if at >= path.len() {
            break;
        }
    }
    date.or(epoch)
}

/// The offset of `Z`, `+02:00`, `-0530` from UTC, in seconds.
fn zone_seconds(zone: &str) -> Option<i64> {
    if zone == "Z" {
        return Some(0);
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone.chars().filter(char::is_ascii_digit).collect();
    let (hours, minutes) = (digits.get(..2)?.parse::<i64>().ok()?, digits.get(2..)?.parse::<i64>().ok()?);
    (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// A calendar date and time of day (year, month, day, hour, minute, second; the time may be
/// missing) in nanoseconds since the Unix epoch, if it is one.
fn date_time([year, month, day, hour, minute, second]: [Option<i64>; 6]) -> Option<i64> {
    // Eight digits that are no date of this century or the next are no timestamp.
    let year = year.filter(|y| (2000..2200).contains(y));
    let month = time::Month::try_from(u8::try_from(month?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(year?).ok()?, month, u8::try_from(day?).ok()?).ok()?;
    let part = |v: Option<i64>| u8::try_from(v.unwrap_or(0)).ok();
    let clock = time::Time::from_hms(part(hour)?, part(minute)?, part(second)?).ok()?;
    i64::try_from(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, Options};

    fn dump(text: &str) -> Profile {
        decode(text.as_bytes(), &Options::default()).expect("a dump").profile
    }

    const SERVICE_EARLY: &str = "goroutine 1 [chan receive]:
main.main()
	/src/shop/main.go:40 +0x1d
goroutine 7 [IO wait]:
internal/poll.runtime_pollWait(0x7f, 0x72)
	/usr/local/go/src/runtime/netpoll.go:351 +0x85
net/http.(*Server).Serve(0xc000100000, {0x9a, 0xc0})
	/usr/local/go/src/net/http/server.go:3330 +0x30c
example.com/shop/api.Listen()
	/src/shop/api/listen.go:22 +0x45
created by main.main in goroutine 1
	/src/shop/main.go:31 +0x96
";

    /// The same service a while later: one more goroutine, parked on a send.
    fn service_later() -> String {
        format!(
            "{SERVICE_EARLY}goroutine 90 [chan send, 3 minutes]:
example.com/shop/orders.(*Queue).push(0xc0001)
	/src/shop/orders/queue.go:57 +0x3b
created by example.com/shop/orders.Start in goroutine 1
	/src/shop/orders/start.go:12 +0x77
"
        )
    }

    const OTHER_CRASH: &str = "panic: runtime error: index out of range [3] with length 3

goroutine 1 [running]:
main.parse(...)
	/home/dev/tool/main.go:18
main.main()
	/home/dev/tool/main.go:9 +0x1d
exit status 2
";

    #[test]
    fn snapshots_of_one_program_are_told_from_unrelated_ones() {
        let (early, later, other) = (dump(SERVICE_EARLY), dump(&service_later()), dump(OTHER_CRASH));
        assert!(same_program(&early, &later), "a later snapshot of the service runs more, and all the earlier ran");
        assert!(same_program(&later, &early), "the rule is symmetric");
        // Both have a main.main, in different files; the rest is the standard library.
        assert!(!same_program(&early, &other));
        assert!(!same_program(&other, &later));
        assert!(same_program(&other, &other));
    }

    #[test]
    fn a_report_measures_growth_only_against_a_snapshot_of_the_same_program() {
        use crate::report::{report, ReportOptions};
        let later = decode(service_later().as_bytes(), &Options::default()).expect("a dump");
        let (early, other) = (dump(SERVICE_EARLY), dump(OTHER_CRASH));
        let with_base = |base: &Profile| report(&later, &ReportOptions { base: Some((base, "base".into())), ..ReportOptions::default() }).growth_base;
        assert_eq!(with_base(&early).as_deref(), Some("base"));
        assert_eq!(with_base(&other), None);
    }

    #[test]
    fn snapshots_that_run_only_the_standard_library_are_compared_on_it() {
        let runtime_only = "goroutine 2 [force gc (idle)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
	/usr/local/go/src/runtime/proc.go:435 +0xce
runtime.forcegchelper()
	/usr/local/go/src/runtime/proc.go:348 +0xb3
";
        let http_only = "goroutine 7 [IO wait]:
internal/poll.runtime_pollWait(0x7f, 0x72)
	/usr/local/go/src/runtime/netpoll.go:351 +0x85
net/http.(*Server).Serve(0xc000100000, {0x9a, 0xc0})
	/usr/local/go/src/net/http/server.go:3330 +0x30c
";
        assert!(same_program(&dump(runtime_only), &dump(runtime_only)));
        assert!(!same_program(&dump(runtime_only), &dump(http_only)));
    }

    #[test]
    fn the_time_a_snapshot_was_taken_comes_from_the_most_trusted_source() {
        let stamped = "goroutines-20261130-085335.txt";
        let at = date_time([Some(2026), Some(11), Some(30), Some(8), Some(53), Some(35)]).unwrap();
        assert_eq!(taken(Some(5), stamped, Some(7), 9), Taken { nanos: 5, source: TimeSource::Profile });
        assert_eq!(taken(None, stamped, Some(7), 9), Taken { nanos: at, source: TimeSource::Name });
        assert_eq!(taken(None, "pasted text", Some(7), 9), Taken { nanos: 7, source: TimeSource::Modified });
        assert_eq!(taken(None, "pasted text", None, 9), Taken { nanos: 9, source: TimeSource::Loaded });
        assert_eq!(TimeSource::Modified.describe(), "file modified");
    }

    #[test]
    fn timestamps_in_paths() {
        let at = |y, mo, d, h, mi, s| date_time([Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)]);
        let table: [(&str, Option<i64>); 16] = [
            ("c/2026-11-30T10:53:35+02:00/g.txt", at(2026, 11, 30, 8, 53, 35)),
            ("memprof.2026-11-30T08_53_35.360.1764489630.pprof", at(2026, 11, 30, 8, 53, 35)),
            ("goroutine_dump.2026-11-30T08_53_35.360.double_since_last_dump.000000123.txt.gz", at(2026, 11, 30, 8, 53, 35)),
            ("app-3000000000/g.txt", Some(3_000_000_000_000_000_000)),
            ("app-4200000000/g.txt", None),
            ("captures/2026-11-30T08-53-35Z/goroutine.txt", at(2026, 11, 30, 8, 53, 35)),
            ("captures/2026-11-30T08:53:35Z/goroutine.txt", at(2026, 11, 30, 8, 53, 35)),
            ("goroutines-20261130-085335.txt", at(2026, 11, 30, 8, 53, 35)),
            ("dumps/2026-11-30 08.53/goroutine.txt", at(2026, 11, 30, 8, 53, 0)),
            ("2026-11-30/goroutine.txt", at(2026, 11, 30, 0, 0, 0)),
            // The last one is the most particular.
            ("consul-debug-1764489600/1764489630/goroutine.prof", Some(1_764_489_630_000_000_000)),
            ("2026-11-29/run-2026-11-30T01-00-00/g.txt", at(2026, 11, 30, 1, 0, 0)),
            ("nodes/1/goroutines.txt", None),
            ("node-12345678/goroutines.txt", None),
            ("build-123456789012/g.txt", None),
            ("v1.27.3/goroutine.txt", None),
        ];
        for (path, want) in table {
            assert_eq!(time_in_path(path), want, "{path}");
        }
        assert_eq!(at(2026, 11, 30, 0, 0, 0), Some(1_795_996_800_000_000_000));
    }
}
