//! `parkview`: the core's reports in a terminal and in CI. The only crate that touches the
//! file system.

use clap::{Parser, Subcommand};
use parkview::diff::{default_key, diff, Diff};
use parkview::group::{GroupBy, Similarity};
use parkview::report::{report, Report};
use parkview::{decode, DecodeError, Decoded, Options};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "parkview", version, about = "Where are your goroutines parked? Reads goroutine dumps and pprof profiles.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise one dump or profile (`-` reads standard input).
    Report {
        /// Print the JSON report (schema parkview.report/v1).
        #[arg(long)]
        json: bool,
        /// How alike stacks must be to share a group: exact, any-pointer, any-value, functions.
        #[arg(long, default_value = "any-value", value_parser = parse_similarity)]
        similarity: Similarity,
        file: PathBuf,
    },
    /// Compare two snapshots, grouped on the stack's functions.
    Diff {
        #[arg(long)]
        json: bool,
        /// Exit with status 3 when any group grew by this many goroutines or more.
        #[arg(long, value_name = "N")]
        fail_on_growth: Option<i64>,
        base: PathBuf,
        new: PathBuf,
    },
}

fn parse_similarity(s: &str) -> Result<Similarity, String> {
    Similarity::parse(s).ok_or_else(|| format!("expected exact, any-pointer, any-value or functions, got {s:?}"))
}

/// Why the CLI stopped: a file it could not read, or an input it could not decode.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Decode { path: String, source: DecodeError },
}

fn load(path: &Path) -> Result<Decoded, CliError> {
    let shown = path.display().to_string();
    let mut bytes = Vec::new();
    let read = if shown == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|source| CliError::Read { path: shown.clone(), source })?;
    decode(&bytes, &Options::default()).map_err(|source| CliError::Decode { path: shown, source })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Report { json, similarity, file } => load(&file).map(|decoded| {
            let r = report(&decoded, GroupBy { similarity, ..GroupBy::default() });
            if json {
                print_json(&mut out, &r);
            } else {
                print_report(&mut out, &r);
            }
            ExitCode::SUCCESS
        }),
        Command::Diff { json, fail_on_growth, base, new } => load(&base).and_then(|b| {
            let n = load(&new)?;
            let d = diff(&b.profile, &n.profile, default_key());
            if json {
                print_json(&mut out, &d);
            } else {
                print_diff(&mut out, &d);
            }
            let grew = fail_on_growth.is_some_and(|limit| d.rows.iter().any(|r| r.delta >= limit));
            Ok(if grew { ExitCode::from(3) } else { ExitCode::SUCCESS })
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parkview: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_json<T: serde::Serialize>(out: &mut impl Write, value: &T) {
    // A closed pipe (`parkview ... | head`) is not an error worth a message.
    let _ = serde_json::to_writer(&mut *out, value).map(|_| writeln!(out));
}

fn leaf(frames: &[parkview::report::FrameRow]) -> String {
    let user = frames.iter().find(|f| !is_std(&f.func)).or(frames.first());
    user.map_or_else(|| "(no frames)".into(), |f| format!("{} ({}:{})", f.func, base_name(&f.file), f.line))
}

fn is_std(func: &str) -> bool {
    let pkg = func.split('.').next().unwrap_or("");
    !pkg.contains('/') || pkg.starts_with("internal/") || pkg.starts_with("runtime/") || pkg.starts_with("net/") && !pkg.contains('.')
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

fn print_report(out: &mut impl Write, r: &Report) {
    let _ = (|| -> std::io::Result<()> {
        writeln!(out, "{} {} profile{}", r.format, r.profile, if r.gzipped { " (gzipped)" } else { "" })?;
        if let Some(c) = &r.crash {
            for p in &c.panic {
                writeln!(out, "  {p}")?;
            }
            if let Some(f) = &c.fatal_error {
                writeln!(out, "  fatal error: {f}")?;
            }
            if let Some(s) = &c.signal {
                writeln!(out, "  {s}")?;
            }
        }
        match r.goroutines {
            Some(n) => writeln!(out, "{n} goroutines in {} groups{}", r.groups.len(), if r.truncated { " (the dump is cut off)" } else { "" })?,
            None => {
                for (k, v) in &r.totals {
                    writeln!(out, "total {k}: {v}")?;
                }
            }
        }
        if let Some(states) = &r.states {
            let mut states: Vec<_> = states.iter().collect();
            states.sort_by(|a, b| b.1.cmp(a.1));
            writeln!(out, "\nwait states{}:", if r.states_inferred { " (inferred from the leaf frames)" } else { "" })?;
            for (s, n) in states {
                writeln!(out, "  {n:>8}  {s}")?;
            }
        }
        if let Some(l) = r.leaked.filter(|&l| l > 0) {
            writeln!(out, "\nleaked: {l}")?;
        }
        if !r.groups.is_empty() {
            writeln!(out, "\nbiggest groups:")?;
            for g in r.groups.iter().take(15) {
                let minutes = g.wait_minutes.map_or(String::new(), |[lo, hi]| if lo == hi { format!(", {lo} min") } else { format!(", {lo}-{hi} min") });
                let labels = if g.labels.is_empty() {
                    String::new()
                } else {
                    format!(" {{{}}}", g.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
                };
                let state = g.state.as_deref().unwrap_or("unknown");
                writeln!(out, "  {:>8}  [{state}{minutes}] {}{labels}", g.count, leaf(&g.frames))?;
            }
            if r.groups.len() > 15 {
                writeln!(out, "  ... and {} more groups", r.groups.len() - 15)?;
            }
        }
        for (kind, rows) in &r.top {
            writeln!(out, "\ntop by {kind} (flat, cum):")?;
            for t in rows.iter().take(10) {
                writeln!(out, "  {:>14} {:>14}  {}", t.flat, t.cum, t.func)?;
            }
        }
        if !r.warnings.is_empty() {
            writeln!(out, "\n{} warnings ({} lines skipped); the first:", r.warnings.len(), r.skipped)?;
            for w in r.warnings.iter().take(5) {
                writeln!(out, "  line {}: {}", w.line, w.message)?;
            }
        }
        Ok(())
    })();
}

fn print_diff(out: &mut impl Write, d: &Diff) {
    let _ = (|| -> std::io::Result<()> {
        let n = |t: Option<i64>| t.map_or("?".to_string(), |v| v.to_string());
        writeln!(out, "goroutines: {} -> {}", n(d.base.goroutines), n(d.new.goroutines))?;
        writeln!(out, "{:>8} {:>8} {:>8}  group", "base", "new", "delta")?;
        for r in d.rows.iter().filter(|r| r.delta != 0).take(25) {
            writeln!(out, "{:>8} {:>8} {:>+8}  [{}] {}", r.base, r.new, r.delta, r.state.as_deref().unwrap_or("unknown"), leaf(&r.frames))?;
        }
        Ok(())
    })();
}
