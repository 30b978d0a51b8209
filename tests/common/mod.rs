//! Helpers shared by the integration tests.
#![allow(dead_code)]

use parkview::model::{Profile, StackId};
use parkview::{decode, Decoded, Options};
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every file below tests/fixtures (README.md aside), sorted, with its path from there.
pub fn fixture_files() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut dirs = vec![fixtures()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push((path.strip_prefix(fixtures()).expect("below fixtures").display().to_string(), path));
            }
        }
    }
    out.sort();
    out
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn decode_fixture(rel: &str) -> Decoded {
    decode(&fixture(rel), &Options::default()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The inflated bytes of a gzipped fixture.
pub fn gunzip(rel: &str) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&fixture(rel)[..]).read_to_end(&mut out).unwrap_or_else(|e| panic!("{rel}: {e}"));
    out
}

/// The shared corpus beside the checkout, when it is there (tests that need it are
/// `#[ignore]`d; scripts/test.sh runs them when it is there).
pub fn shared_corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// Decodes a text dump given inline.
pub fn decode_text(text: &str) -> Decoded {
    decode(text.as_bytes(), &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn stack_text(out: &mut String, p: &Profile, stack: StackId, args: Option<&[&str]>) {
    for (i, &f) in p.stack(stack).iter().enumerate() {
        let frame = p.frames.get(f);
        let args = args.and_then(|a| a.get(i)).map(|a| format!("({a})")).unwrap_or_default();
        let _ = writeln!(out, "    {}{} {}:{}", p.strings.get(frame.func), args, p.strings.get(frame.file), frame.line);
    }
}

fn labels_text(p: &Profile, set: u32) -> String {
    let labels = p.labels(set);
    if labels.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{}={:?}", p.strings.get(*k), p.label_text(v))).collect();
    format!(" {{{}}}", pairs.join(", "))
}

/// A canonical text dump of everything the model holds, for golden files.
pub fn canonical(d: &Decoded) -> String {
    let p = &d.profile;
    let mut out = String::new();
    let types: Vec<String> = p.sample_types.iter().map(|t| format!("{}/{}", t.kind, t.unit)).collect();
    let _ = writeln!(out, "format: {}{}", d.format.id(), if d.gzipped { " (gzipped)" } else { "" });
    let _ = writeln!(out, "kind: {}", p.kind.name());
    let _ = writeln!(out, "sample types: {} (default {})", types.join(", "), types.get(p.default_sample_type).map_or("-", |s| s));
    if let Some(pt) = &p.period_type {
        let _ = writeln!(out, "period: {} {}/{}", p.period, pt.kind, pt.unit);
    }
    let _ = writeln!(out, "goroutines: {:?}, samples: {}, stacks: {}, truncated: {}", p.goroutine_count(), p.samples.len(), p.stacks.len(), p.truncated);
    if let Some(c) = &p.crash {
        let _ = writeln!(out, "crash: panic={:?} fatal_error={:?} signal={:?} first_goroutine={:?}", c.panic, c.fatal_error, c.signal, c.first_goroutine);
    }
    for w in &d.warnings {
        let _ = writeln!(out, "warning: line {}: {}", w.line, w.message);
    }
    let _ = writeln!(out, "skipped: {}", d.skipped);
    for r in &p.races {
        let _ = writeln!(out, "data race (line {}){}", r.line, r.location.as_ref().map_or(String::new(), |l| format!(": {l}")));
        for a in &r.accesses {
            let _ = writeln!(out, "  {}{} at {:?} by goroutine {:?}:", if a.previous { "previous " } else { "" }, a.kind, a.address, a.goroutine);
            stack_text(&mut out, p, a.stack, None);
        }
        for g in &r.goroutines {
            let _ = writeln!(out, "  goroutine {} ({}) created at:", g.goroutine, g.status);
            stack_text(&mut out, p, g.created_at, None);
        }
        if let Some(s) = r.location_stack {
            let _ = writeln!(out, "  location allocated at:");
            stack_text(&mut out, p, s, None);
        }
    }
    if !p.goroutines.is_empty() {
        for g in &p.goroutines {
            let mut flags = Vec::new();
            if let Some(m) = g.wait_minutes {
                flags.push(format!("{m} minutes"));
            }
            for (on, name) in
                [(g.leaked, "leaked"), (g.durable, "durable"), (g.locked_to_thread, "locked to thread"), (g.stack_unavailable, "stack unavailable")]
            {
                if on {
                    flags.push(name.to_string());
                }
            }
            if let Some(b) = g.synctest_bubble {
                flags.push(format!("bubble {b}"));
            }
            let _ = writeln!(
                out,
                "goroutine {} [{}]{}{} (line {})",
                g.id,
                p.strings.get(g.state),
                if flags.is_empty() { String::new() } else { format!(" {}", flags.join(", ")) },
                labels_text(p, g.labels),
                g.line
            );
            let args: Vec<&str> = p.args.list(g.args).collect();
            stack_text(&mut out, p, g.stack, Some(&args));
            if g.elision != parkview::model::Elision::None {
                let _ = writeln!(out, "    elided: {:?}", g.elision);
            }
            if let Some(c) = g.created_by {
                let f = p.frames.get(c);
                let _ = writeln!(out, "  created by {} {}:{} in goroutine {:?}", p.strings.get(f.func), p.strings.get(f.file), f.line, g.parent);
            }
            for a in &g.ancestors {
                let _ = writeln!(out, "  originating from goroutine {}:", a.id);
                stack_text(&mut out, p, a.stack, None);
            }
        }
    } else {
        for s in &p.samples {
            let _ = writeln!(out, "sample {:?}{}", s.values, labels_text(p, s.labels));
            stack_text(&mut out, p, s.stack, None);
        }
    }
    out
}
