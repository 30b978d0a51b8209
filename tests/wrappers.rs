//! Dumps as log systems store them: every text fixture wrapped in every shape of
//! `decode::wrapper` reads as the plain fixture does (the same report, the wrapper named).
//! The wrappers here are written from each log system's documented line format.

mod common;

use common::fixture_files;
use parkview::report::{report, ReportOptions};
use parkview::{decode, decode_all, Format, Options};
use serde_json::{json, Value};

/// Splits `line` into pieces of at most `n` bytes on character boundaries (at least one).
fn pieces(line: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while rest.len() > n {
        let mut at = n;
        while !rest.is_char_boundary(at) {
            at -= 1;
        }
        out.push(&rest[..at]);
        rest = &rest[at..];
    }
    out.push(rest);
    out
}

/// The lines of `text`, each with its newline (the last may have none: the input was cut).
fn lines_of(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|l| match l.strip_suffix('\n') {
        Some(line) => (line, "\n"),
        None => (l, ""),
    })
}

/// A Go-quoted string, as slog's text handler and logfmt write one.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How a shape keeps the input's lines.
#[derive(Clone, Copy, PartialEq)]
enum Keeps {
    /// One record per line: warnings name the same line numbers.
    Lines,
    /// Long lines split over several records: line numbers move down.
    Split,
    /// The whole dump in one string of one log line, after another log line.
    OneString,
}

/// A shape: the name the report gives it, how it keeps lines, and the wrapping.
type Wrap = (&'static str, Keeps, fn(&str) -> String);

fn shapes() -> Vec<Wrap> {
    vec![
        ("cri", Keeps::Split, |text| {
            // Long lines go out as `P` records of 40 bytes before the final `F` record.
            let mut out = String::new();
            for (line, end) in lines_of(text) {
                let parts = pieces(line, 40);
                for (i, part) in parts.iter().enumerate() {
                    let (tag, end) = if i + 1 < parts.len() { ('P', "\n") } else { ('F', end) };
                    out += &format!("2026-11-30T08:53:35.123456789Z stderr {tag} {part}{end}");
                }
            }
            out
        }),
        ("docker-json", Keeps::Split, |text| {
            // Docker splits a line longer than its buffer (16 KiB) into records without the
            // newline, and writes TAB as \u0009.
            let mut out = String::new();
            for (line, end) in lines_of(text) {
                let parts = pieces(line, 16 * 1024);
                for (i, part) in parts.iter().enumerate() {
                    let log = if i + 1 < parts.len() { part.to_string() } else { format!("{part}{end}") };
                    let record = json!({"log": log, "stream": "stderr", "time": "2026-11-30T08:53:35.123456789Z"}).to_string();
                    out += &record.replace("\\t", "\\u0009");
                    out.push('\n');
                }
            }
            out
        }),
        ("go-test-json", Keeps::Lines, |text| {
            let mut out = String::new();
            for (line, end) in lines_of(text) {
                out +=
                    &json!({"Time": "2026-11-30T08:53:35Z", "Action": "output", "Package": "example.com/p", "Test": "TestX", "Output": format!("{line}{end}")})
                        .to_string();
                out.push('\n');
            }
            out
        }),
        ("json-field", Keeps::OneString, |text| {
            format!("{}\n{}\n", json!({"level": "info", "msg": "starting"}), json!({"level": "error", "msg": "dump", "stacktrace": text}))
        }),
        ("syslog", Keeps::Lines, |text| lines_of(text).map(|(l, end)| format!("Nov 30 08:53:35 host-a app[1234]: {}{end}", l.replace('\t', "#011"))).collect()),
        ("syslog", Keeps::Lines, |text| {
            // RFC 5424, as rsyslog forwards it, with structured data on every other line.
            lines_of(text)
                .enumerate()
                .map(|(n, (l, end))| {
                    let data = if n % 2 == 0 { "-" } else { "[origin ip=\"10.0.0.1\"]" };
                    format!("<165>1 2026-11-30T08:53:35.003Z host-a app 1234 - {data} {}{end}", l.replace('\t', "#011"))
                })
                .collect()
        }),
        ("compose", Keeps::Lines, |text| lines_of(text).map(|(l, end)| format!("\x1b[36mapi-1  |\x1b[0m {l}{end}")).collect()),
        ("kubectl-prefix", Keeps::Lines, |text| lines_of(text).map(|(l, end)| format!("[pod/api-7d9f/app] {l}{end}")).collect()),
        ("compose", Keeps::Lines, |text| lines_of(text).map(|(l, end)| format!("api-1  | {l}{end}")).collect()),
        ("markdown-quote", Keeps::Lines, |text| lines_of(text).map(|(l, end)| if l.is_empty() { format!(">{end}") } else { format!("> {l}{end}") }).collect()),
        // A dump on stderr with the container's stdout between its records (between a line's
        // `P` and `F` records too): only the dump's stream is read.
        ("cri", Keeps::Split, |text| {
            let mut out = String::new();
            for (n, (line, end)) in lines_of(text).enumerate() {
                let parts = pieces(line, 40);
                for (i, part) in parts.iter().enumerate() {
                    if (n + i) % 3 == 0 {
                        out += "2026-11-30T08:53:35.1Z stdout P level=info msg=\"GET /healthz\"\n2026-11-30T08:53:35.1Z stdout F  status=200\n";
                    }
                    let (tag, end) = if i + 1 < parts.len() { ('P', "\n") } else { ('F', end) };
                    out += &format!("2026-11-30T08:53:35.123456789Z stderr {tag} {part}{end}");
                }
            }
            out
        }),
        ("docker-json", Keeps::Split, |text| {
            let mut out = String::new();
            for (n, (line, end)) in lines_of(text).enumerate() {
                if n % 3 == 0 {
                    out += &json!({"log": "level=info msg=\"GET /healthz\"\n", "stream": "stdout", "time": "2026-11-30T08:53:35Z"}).to_string();
                    out.push('\n');
                }
                out += &json!({"log": format!("{line}{end}"), "stream": "stderr", "time": "2026-11-30T08:53:35Z"}).to_string();
                out.push('\n');
            }
            out
        }),
        // A sidecar's lines, and another program's, between the dump's.
        ("kubectl-prefix", Keeps::Split, |text| {
            let noise = "[pod/api-7d9f/istio-proxy] [2026-11-30T08:53:35.000Z] \"GET /healthz HTTP/1.1\" 200\n";
            lines_of(text).enumerate().map(|(n, (l, end))| format!("{}[pod/api-7d9f/app] {l}{end}", if n % 3 == 0 { noise } else { "" })).collect()
        }),
        ("syslog", Keeps::Split, |text| {
            let noise = "Nov 30 08:53:35 host-a systemd[1]: Started Session 12 of user root.\n";
            lines_of(text)
                .enumerate()
                .map(|(n, (l, end))| format!("{}Nov 30 08:53:35 host-a app[1234]: {}{end}", if n % 3 == 0 { noise } else { "" }, l.replace('\t', "#011")))
                .collect()
        }),
        ("logfmt", Keeps::OneString, |text| {
            format!("time=2026-11-30T08:53:35Z level=INFO msg=start\ntime=2026-11-30T08:53:36Z level=ERROR msg=dump stack={}\n", go_quote(text))
        }),
    ]
}

/// The report as JSON, without what differs by construction: the wrapper's name; where lines
/// were split, the line numbers of warnings; where a whole dump sat in one string after a log
/// line, the format too (a dump after a log line is a traceback).
fn reading(bytes: &[u8], keeps: Keeps) -> Value {
    let all = decode_all(bytes, &Options::default()).unwrap();
    let mut messages: Vec<String> = Vec::new();
    let mut dumps: Vec<Value> = Vec::new();
    for decoded in &all {
        let mut value = serde_json::to_value(report(decoded, &ReportOptions::default())).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("wrapper");
        // The noise of other sources, left out and said so, is the wrapped input's own.
        let noise = |w: &Value| w["message"].as_str().is_some_and(|m| m.contains("from another source than the dump's"));
        let left_out: Vec<Value> = object["warnings"].as_array().unwrap().iter().filter(|w| noise(w)).cloned().collect();
        if let Some(first) = left_out.first() {
            let count: u64 = first["message"].as_str().unwrap().split(' ').nth(2).unwrap().parse().unwrap();
            object["skipped"] = json!(object["skipped"].as_u64().unwrap() - count);
            object["warnings"].as_array_mut().unwrap().retain(|w| !noise(w));
        }
        if keeps == Keeps::OneString {
            object.remove("format");
        }
        // Without their lines, warnings cannot tell which of several dumps they belong to:
        // all of the input's are compared together.
        if keeps != Keeps::Lines {
            // A race's line is the line of the input as given, as warnings' are.
            for race in object.get_mut("races").and_then(Value::as_array_mut).into_iter().flatten() {
                race.as_object_mut().unwrap().remove("line");
            }
            let warnings = object.remove("warnings").unwrap_or_default();
            messages.extend(warnings.as_array().into_iter().flatten().map(|w| w["message"].to_string()));
        }
        dumps.push(value);
    }
    messages.sort();
    json!({"dumps": dumps, "warnings": messages})
}

#[test]
fn every_text_fixture_reads_the_same_in_every_wrapper() {
    let mut checked = 0;
    for (rel, path) in fixture_files() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let Ok(plain) = decode(&bytes, &Options::default()) else { continue };
        let whole_dump_in_a_line = matches!(plain.format, Format::GoroutineDebug2 | Format::Traceback);
        if !whole_dump_in_a_line && !matches!(plain.format, Format::GoroutineDebug1 | Format::PprofDebug1) {
            continue;
        }
        for (name, keeps, wrap) in shapes() {
            if keeps == Keeps::OneString && !whole_dump_in_a_line {
                continue;
            }
            let wrapped = wrap(text);
            let decoded = decode(wrapped.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{rel} in {name}: {e}"));
            // A Markdown quote of a quote is one quote, two levels deep.
            let named = match &plain.wrapper {
                Some(inner) if name == "markdown-quote" && inner.starts_with(name) => inner.clone(),
                Some(inner) => format!("{name}+{inner}"),
                None => name.to_string(),
            };
            assert_eq!(decoded.wrapper, Some(named), "{rel}: the wrappers named, outermost first");
            let (got, want) = (reading(wrapped.as_bytes(), keeps), reading(&bytes, keeps));
            let differ: Vec<String> = want
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, v)| got.get(k.as_str()) != Some(*v))
                .map(|(k, v)| format!("{k}: {:.300} instead of {:.300}", got[k.as_str()].to_string(), v.to_string()))
                .collect();
            assert!(differ.is_empty(), "{rel} in {name}:\n{}", differ.join("\n"));
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} wrapped fixtures were checked");
}

#[test]
fn a_panic_quoted_by_another_stream_does_not_take_the_dump_away() {
    let text = "2026-11-30T08:53:35Z stdout F level=error msg=\"recovered from panic: boom\"\n\
                2026-11-30T08:53:36Z stderr F panic: real\n\
                2026-11-30T08:53:36Z stderr F \n\
                2026-11-30T08:53:36Z stderr F goroutine 1 [running]:\n\
                2026-11-30T08:53:36Z stdout F level=info msg=\"GET /healthz\"\n\
                2026-11-30T08:53:36Z stderr F main.main()\n\
                2026-11-30T08:53:36Z stderr F \t/m.go:3 +0x1\n";
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutines.len(), 1);
    assert_eq!(d.profile.crash.as_ref().unwrap().panic, ["panic: real"]);
    // The other stream's lines are left out, counted and said so.
    assert_eq!(d.skipped, 2);
    let w = d.warnings.iter().find(|w| w.message.contains("another source")).expect("a warning");
    assert_eq!((w.line, w.message.as_str()), (1, "left out 2 lines of the cri log that came from another source than the dump's (stderr)"));
}

#[test]
fn partial_records_are_bounded() {
    // One CRI line of 3 MiB in 1 KiB partial records: its first MAX_LINE_BYTES are read.
    let mut text = String::from("2026-11-30T08:53:35Z stderr F goroutine 1 [running]:\n2026-11-30T08:53:35Z stderr P main.f(");
    for _ in 0..3 * 1024 {
        text += &format!("\n2026-11-30T08:53:35Z stderr P {}", "x".repeat(1024));
    }
    text += "\n2026-11-30T08:53:35Z stderr F )\n2026-11-30T08:53:35Z stderr F \t/m.go:3 +0x1\n";
    let d = decode(text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.profile.goroutines.len(), 1);
    assert!(d.limits.iter().any(|l| matches!(l, parkview::limits::LimitHit::LineBytes { .. })), "{:?}", d.limits);
    // go test -json with a new test on every line, none finishing its line: each stands alone
    // past MAX_PARTIAL_SOURCES instead of being kept.
    let mut events = String::from("{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"goroutine 1 [running]:\\n\"}\n");
    for i in 0..20_000 {
        events += &format!("{{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T{i}\",\"Output\":\"unfinished\"}}\n");
    }
    let d = decode(events.as_bytes(), &Options::default()).unwrap();
    assert_eq!(d.wrapper.as_deref(), Some("go-test-json"));
}
