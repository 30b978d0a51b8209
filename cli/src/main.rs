//! `parkview`: the core's reports in a terminal and in CI. The only crate that touches the
//! file system.

use clap::{Parser, Subcommand};
use parkview::archive;
use parkview::diff::{diff, series, Diff, Series};
use parkview::group::{GroupBy, LabelKey, Similarity};
use parkview::limits::{MAX_FILE_BYTES, MAX_LINK_BYTES};
use parkview::report::{gates, report, Bundle, BundleEntry, Report, ReportOptions, BUNDLE_SCHEMA};
use parkview::rows::{FrameRow, GroupRow, LimitRow, RaceRow};
use parkview::share::{self, Redaction, ShareError, Shared, SHARE_FILE_HEADER};
use parkview::{DecodeError, Decoded, Options, Stream};
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
    /// Summarise one dump or profile (`-` reads standard input), or a snapshot of a share file or
    /// a link (`'https://host/#v1.…'`).
    Report {
        /// Print the JSON report (schema parkview.report/v1).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        key: KeyArgs,
        /// An earlier snapshot (of a share: its oldest): leak suspects then also weigh growth
        /// since it. Without it, a share holding several snapshots measures the one reported
        /// against its oldest, as the page does.
        #[arg(long, value_name = "FILE")]
        base: Option<PathBuf>,
        /// A function that starts goroutines for its caller (like errgroup.(*Group).Go); creators
        /// are folded through it to the real caller. Repeat for more.
        #[arg(long = "wrapper", value_name = "FUNC")]
        wrappers: Vec<String>,
        /// Which snapshot of a share file or link to report, from 1 (default: the last).
        #[arg(long, value_name = "N")]
        snapshot: Option<usize>,
        /// Exit with status 3 when the runtime marked N or more goroutines leaked (`(leaked)`
        /// in a Go 1.26+ dump, or a goroutineleak profile).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
        fail_on_leaked: Option<i64>,
        /// Exit with status 3 when there is any leak suspect.
        #[arg(long)]
        fail_on_suspects: bool,
        /// An ignore file: goroutines it names are left out of the leak suspects and gates, one
        /// rule a line in goleak's terms (`top:FUNC`, `any:FUNC`, `creator:FUNC`,
        /// `label:KEY=VALUE`; `#` comments). Repeat for more.
        #[arg(long = "ignore", value_name = "FILE")]
        ignore: Vec<PathBuf>,
        /// An earlier snapshot (of several: the newest) whose goroutines are left out of the
        /// leak suspects and gates: those of the same id on the same functions, or, where a
        /// snapshot does not list goroutines, as many per stack as it had. Growth is measured
        /// against it too, unless --base names another snapshot.
        #[arg(long, value_name = "OLD")]
        baseline: Option<PathBuf>,
        /// List the groups that wait by design too (the runtime's workers, servers' and clients'
        /// loops, the testing harness): the text summary leaves them out.
        #[arg(long)]
        show_background: bool,
        file: PathBuf,
    },
    /// Compare two snapshots (any formats), grouped on the stack's functions by default.
    Diff {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        key: KeyArgs,
        /// Keep the wait state in the key (a report always groups by state).
        #[arg(long)]
        by_state: bool,
        /// Exit with status 3 when any group grew by this many goroutines or more.
        #[arg(long, value_name = "N")]
        fail_on_growth: Option<i64>,
        base: PathBuf,
        new: PathBuf,
    },
    /// Print a share link's fragment (`#v1.…`) holding these snapshots; open it after the
    /// address of any copy of the site. Its length goes to standard error.
    Share {
        /// Take out arguments, file paths, label values, goroutine ids and header lines, what a crash
        /// printed, and the file names.
        #[arg(long)]
        redact: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Counts per group across two or more snapshots, oldest first (a share file or link counts
    /// as its snapshots).
    Series {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        key: KeyArgs,
        /// Keep the wait state in the key.
        #[arg(long)]
        by_state: bool,
        /// Two or more snapshots: files, share files or links.
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
    },
}

/// What groups goroutines together.
#[derive(clap::Args)]
struct KeyArgs {
    /// How alike stacks must be: exact, any-pointer, any-value, functions
    /// (default: any-value for report, functions for diff and series).
    #[arg(long, value_parser = parse_similarity)]
    similarity: Option<Similarity>,
    /// Group by `label:KEY` (one label's value), `labels` (all labels) or `no-labels`.
    #[arg(long, value_name = "label:KEY|labels|no-labels", value_parser = parse_label_key)]
    group_by: Option<LabelKey>,
    /// Only goroutines with this label value: `label:KEY=VALUE`.
    #[arg(long, value_name = "label:KEY=VALUE", value_parser = parse_filter)]
    filter: Option<(String, String)>,
}

impl KeyArgs {
    fn for_report(&self) -> GroupBy {
        GroupBy::report(self.similarity, self.group_by.clone(), self.filter.clone())
    }
    fn for_comparison(&self, by_state: bool) -> GroupBy {
        GroupBy::comparison(self.similarity, by_state, self.group_by.clone(), self.filter.clone())
    }
}

fn parse_label_key(s: &str) -> Result<LabelKey, String> {
    match s {
        "labels" => Ok(LabelKey::All),
        "no-labels" => Ok(LabelKey::Ignore),
        _ => s
            .strip_prefix("label:")
            .filter(|k| !k.is_empty())
            .map(|k| LabelKey::Key(k.to_string()))
            .ok_or_else(|| format!("expected label:KEY, labels or no-labels, got {s:?}")),
    }
}

fn parse_filter(s: &str) -> Result<(String, String), String> {
    s.strip_prefix("label:")
        .and_then(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected label:KEY=VALUE, got {s:?}"))
}

fn parse_similarity(s: &str) -> Result<Similarity, String> {
    Similarity::parse(s).ok_or_else(|| format!("expected exact, any-pointer, any-value or functions, got {s:?}"))
}

/// Why the CLI stopped: a file it could not read, an input it could not decode, a share it
/// could not open.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Decode { path: String, source: DecodeError },
    #[error("{path}: {source}")]
    Share { path: String, source: ShareError },
    #[error("{path}: it holds {count} snapshots; --snapshot {wanted} is not one of them")]
    NoSuchSnapshot { path: String, count: usize, wanted: usize },
    #[error("{path}: {source}")]
    Archive { path: String, source: parkview::archive::ArchiveError },
    #[error("a series needs two or more snapshots; these arguments hold {0}")]
    TooFewSnapshots(usize),
    #[error("{path}: {source}")]
    Ignore { path: String, source: parkview::ignore::RuleError },
    #[error("{path}: no member could be read, so no gate could be checked")]
    NothingToGate { path: String },
}

/// Files are fed to the decoder in pieces of this size: a file is never held whole.
const READ_PIECE: usize = 4 << 20;

/// The snapshots an argument names, each with its name: a dump or profile (a file, or `-` for
/// standard input) is one; a share file or a link (`https://host/#v1.…`, or just `#v1.…`) holds
/// one or more, read under the link limits.
fn load(path: &Path) -> Result<Vec<(String, Decoded)>, CliError> {
    let (entries, _) = load_entries(path)?;
    let mut snapshots = Vec::new();
    for (name, entry) in entries {
        match entry {
            Ok(decoded) => snapshots.push((name, decoded)),
            Err(why) => eprintln!("parkview: {}: skipped {name}: {why}", path.display()),
        }
    }
    Ok(snapshots)
}

/// An entry of an argument: a snapshot, or why a member of an archive holds none.
type Entry = (String, Result<Decoded, String>);

/// Every entry of an argument, in order, and whether it is a share (whose snapshots are
/// picked one at a time; other inputs holding several are reported as a bundle). A dump or
/// profile is one entry; a text holding several dumps one per dump (`FILE#N`, from 1); an
/// archive one per member (its path; `PATH#N` for a member holding several dumps).
fn load_entries(path: &Path) -> Result<(Vec<Entry>, bool), CliError> {
    let shown = path.display().to_string();
    let read_error = |source| CliError::Read { path: shown.clone(), source };
    let share_error = |source| CliError::Share { path: shown.clone(), source };
    if !path.exists() && shown != "-" {
        if let Some(at) = shown.find(&format!("#{}", share::FRAGMENT_PREFIX)) {
            return open_share(&shown[at..]).map_err(share_error).map(|all| (all.into_iter().map(|(n, d)| (n, Ok(d))).collect(), true));
        }
    }
    let mut input: Box<dyn Read> = if shown == "-" { Box::new(std::io::stdin().lock()) } else { Box::new(std::fs::File::open(path).map_err(read_error)?) };
    let mut stream = Stream::new(&Options::default());
    let mut piece = vec![0u8; READ_PIECE];
    let mut first = true;
    loop {
        let n = read_full(&mut input, &mut piece).map_err(read_error)?;
        if first && piece[..n].starts_with(SHARE_FILE_HEADER.as_bytes()) {
            // A share file: base64 text no longer than the link limit allows, read whole.
            let most = MAX_LINK_BYTES as usize / 3 * 4 + (1 << 20);
            let mut text = piece[..n].to_vec();
            input.take(most as u64).read_to_end(&mut text).map_err(read_error)?;
            return open_share(&String::from_utf8_lossy(&text)).map_err(share_error).map(|all| (all.into_iter().map(|(n, d)| (n, Ok(d))).collect(), true));
        }
        if let Some(kind) = first.then(|| archive::sniff(&piece[..n])).flatten() {
            // An archive is read whole (a zip's directory is at its end), up to the file limit.
            let mut bytes = piece[..n].to_vec();
            input.take(MAX_FILE_BYTES).read_to_end(&mut bytes).map_err(read_error)?;
            let members = archive::read(kind, &bytes, &Options::default()).map_err(|source| CliError::Archive { path: shown.clone(), source })?;
            return Ok((archive::entries(members).into_iter().map(|(n, e)| (n, e.map_err(|why| why.to_string()))).collect(), false));
        }
        first = false;
        if n == 0 {
            break;
        }
        stream.feed(&piece[..n]).map_err(|source| CliError::Decode { path: shown.clone(), source })?;
    }
    let name = path.file_name().map_or_else(|| "stdin".to_string(), |n| n.to_string_lossy().into_owned());
    let dumps = stream.finish_all().map_err(|source| CliError::Decode { path: shown.clone(), source })?;
    Ok((archive::named_dumps(&name, dumps).into_iter().map(|(n, d)| (n, Ok(d))).collect(), false))
}

/// Fills `buf` as far as the input goes; the bytes read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn open_share(text: &str) -> Result<Vec<(String, Decoded)>, ShareError> {
    let shared = share::from_fragment(text, MAX_LINK_BYTES)?;
    Ok(shared.snapshots.into_iter().map(|s| (s.name, s.decoded)).collect())
}

/// One snapshot of an argument: the `snapshot`th (from 1) of a share, else its last.
fn load_one(path: &Path, snapshot: Option<usize>) -> Result<Decoded, CliError> {
    pick(path, load(path)?, snapshot).map(|(decoded, _)| decoded)
}

/// The snapshot [`load_one`] gives of an argument's snapshots `all`, and with it the oldest
/// snapshot and its name when that is another one.
fn pick(path: &Path, mut all: Vec<(String, Decoded)>, snapshot: Option<usize>) -> Result<(Decoded, Option<(String, Decoded)>), CliError> {
    let count = all.len();
    let wanted = snapshot.unwrap_or(count);
    if wanted == 0 || wanted > count {
        return Err(CliError::NoSuchSnapshot { path: path.display().to_string(), count, wanted });
    }
    if count > 1 && snapshot.is_none() {
        let names: Vec<String> = all.iter().enumerate().map(|(i, (n, _))| format!("{}. {n}", i + 1)).collect();
        eprintln!("parkview: {} holds {count} snapshots ({}); reporting the last (--snapshot N picks another)", path.display(), names.join(", "));
    }
    let chosen = all.swap_remove(wanted - 1).1;
    let oldest = (wanted != 1).then(|| all.swap_remove(0));
    Ok((chosen, oldest))
}

/// The reports of an input holding several snapshots, each measured for leak growth against
/// `--base`'s oldest snapshot, else the input's first (as the page measures snapshots dropped
/// together).
fn bundle(all: Vec<Entry>, base: Option<&Path>, key: &KeyArgs, wrappers: &[String], quiet: &Quiet) -> Result<Bundle, CliError> {
    let base = match base {
        Some(path) => growth_base(Some(path), None)?,
        None => None,
    };
    let first = all.iter().position(|(_, e)| e.is_ok());
    let mut entries = Vec::new();
    for (i, (name, entry)) in all.iter().enumerate() {
        let decoded = match entry {
            Ok(decoded) => decoded,
            Err(why) => {
                entries.push(BundleEntry { name: name.clone(), report: None, skipped: Some(why.clone()) });
                continue;
            }
        };
        let growth: Option<(&parkview::model::Profile, String)> = match (base.as_ref().or(quiet.baseline.as_ref()), first) {
            (Some((n, b)), _) => Some((&b.profile, n.clone())),
            (None, Some(f)) if f != i => all[f].1.as_ref().ok().map(|d| (&d.profile, all[f].0.clone())),
            _ => None,
        };
        let options = ReportOptions {
            by: key.for_report(),
            base: growth,
            wrappers: wrappers.to_vec(),
            ignore: quiet.rules.clone(),
            baseline: quiet.baseline.as_ref().map(|(name, b)| (&b.profile, name.clone())),
            sample_type: None,
        };
        let r = report(decoded, &options);
        if let Some((_, base_name)) = &options.base {
            unrelated_base(name, base_name, &r);
        }
        entries.push(BundleEntry { name: name.clone(), report: Some(Box::new(r)), skipped: None });
    }
    Ok(Bundle { schema: BUNDLE_SCHEMA.to_string(), entries })
}

/// Says so when a report was asked to measure growth against `base_name` and did not: the
/// base looks like another program's snapshot ([`parkview::capture::same_program`]), so leak
/// suspects claim no growth since it.
fn unrelated_base(name: &str, base_name: &str, r: &Report) {
    if r.growth_base.is_none() && r.profile == "goroutine" {
        eprintln!(
            "parkview: {name}: {base_name} looks like another program's snapshot (they share little of their own code): no growth is measured against it"
        );
    }
}

/// What `--ignore` and `--baseline` silence.
struct Quiet {
    rules: parkview::ignore::Rules,
    baseline: Option<(String, Decoded)>,
}

/// Reads the ignore files (their rules in order) and the baseline's newest snapshot.
fn quiet(ignore: &[PathBuf], baseline: Option<&Path>) -> Result<Quiet, CliError> {
    let mut rules = parkview::ignore::Rules::default();
    for path in ignore {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::Read { path: path.display().to_string(), source })?;
        let more = parkview::ignore::Rules::parse(&text).map_err(|source| CliError::Ignore { path: path.display().to_string(), source })?;
        rules.0.extend(more.0);
        if rules.0.len() > parkview::limits::MAX_IGNORE_RULES {
            let source = parkview::ignore::RuleError::TooMany { line: text.lines().count() };
            return Err(CliError::Ignore { path: path.display().to_string(), source });
        }
    }
    let baseline = match baseline {
        Some(path) => {
            let mut all = load(path)?;
            let count = all.len();
            Some(all.pop().ok_or_else(|| CliError::NoSuchSnapshot { path: path.display().to_string(), count, wanted: 1 })?)
        }
        None => None,
    };
    Ok(Quiet { rules, baseline })
}

/// The base of a report's leak growth, by [`ReportOptions::base`]'s rule (what the page's diff
/// would compare against): `--base`'s oldest snapshot, else the reported share's oldest.
fn growth_base(base: Option<&Path>, oldest: Option<(String, Decoded)>) -> Result<Option<(String, Decoded)>, CliError> {
    match base {
        Some(path) => {
            let all = load(path)?;
            let count = all.len();
            all.into_iter().next().map(Some).ok_or_else(|| CliError::NoSuchSnapshot { path: path.display().to_string(), count, wanted: 1 })
        }
        None => Ok(oldest),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Report { json, key, base, wrappers, snapshot, fail_on_leaked, fail_on_suspects, ignore, baseline, show_background, file } => {
            quiet(&ignore, baseline.as_deref()).and_then(|quiet| load_entries(&file).map(|loaded| (quiet, loaded))).and_then(|(quiet, (entries, share))| {
                // Each report checked against the gates asked for; whether one tripped.
                let mut tripped = false;
                let mut check = |name: &str, r: &mut Report| {
                    r.gates = gates(r, fail_on_leaked, fail_on_suspects);
                    for g in r.gates.iter().filter(|g| g.tripped) {
                        tripped = true;
                        eprintln!("parkview: {name}: --{} tripped: {}", g.gate, g.why);
                    }
                };
                if entries.len() > 1 && snapshot.is_none() && !share {
                    let mut bundle = bundle(entries, base.as_deref(), &key, &wrappers, &quiet)?;
                    // Gates over a bundle of which nothing could be read would pass unread.
                    if (fail_on_leaked.is_some() || fail_on_suspects) && bundle.entries.iter().all(|e| e.report.is_none()) {
                        return Err(CliError::NothingToGate { path: file.display().to_string() });
                    }
                    for entry in &mut bundle.entries {
                        if let Some(r) = entry.report.as_mut() {
                            check(&entry.name, r);
                        }
                    }
                    if json {
                        print_json(&mut out, &bundle);
                    } else {
                        for entry in &bundle.entries {
                            let _ = writeln!(out, "== {}", entry.name);
                            match (&entry.report, &entry.skipped) {
                                (Some(r), _) => print_report(&mut out, r, show_background),
                                (None, why) => {
                                    let _ = writeln!(out, "skipped: {}", why.as_deref().unwrap_or("not read"));
                                }
                            }
                            let _ = writeln!(out);
                        }
                    }
                    return Ok(if tripped { ExitCode::from(3) } else { ExitCode::SUCCESS });
                }
                let all = entries.into_iter().filter_map(|(name, e)| e.ok().map(|d| (name, d))).collect();
                let (decoded, oldest) = pick(&file, all, snapshot)?;
                // `--base`, else the baseline, else the share's oldest.
                let base = if base.is_none() && quiet.baseline.is_some() { None } else { growth_base(base.as_deref(), oldest)? };
                let options = ReportOptions {
                    by: key.for_report(),
                    base: base.as_ref().or(quiet.baseline.as_ref()).map(|(name, b)| (&b.profile, name.clone())),
                    wrappers,
                    ignore: quiet.rules,
                    baseline: quiet.baseline.as_ref().map(|(name, b)| (&b.profile, name.clone())),
                    sample_type: None,
                };
                let mut r = report(&decoded, &options);
                if let Some((_, base_name)) = &options.base {
                    unrelated_base(&file.display().to_string(), base_name, &r);
                }
                check(&file.display().to_string(), &mut r);
                if json {
                    print_json(&mut out, &r);
                } else {
                    print_report(&mut out, &r, show_background);
                }
                Ok(if tripped { ExitCode::from(3) } else { ExitCode::SUCCESS })
            })
        }
        Command::Diff { json, key, by_state, fail_on_growth, base, new } => load_one(&base, None).and_then(|b| {
            let n = load_one(&new, None)?;
            let d = diff(&b.profile, &n.profile, &key.for_comparison(by_state));
            if !parkview::capture::same_program(&b.profile, &n.profile) {
                eprintln!(
                    "parkview: {} and {} look like two programs (they share little of their own code): every stack of one is new in the other",
                    base.display(),
                    new.display()
                );
            }
            if json {
                print_json(&mut out, &d);
            } else {
                print_diff(&mut out, &d);
            }
            let grew = fail_on_growth.is_some_and(|limit| d.rows.iter().any(|r| r.delta >= limit));
            if grew {
                eprintln!("parkview: a group grew by {} or more", fail_on_growth.unwrap_or_default());
            }
            Ok(if grew { ExitCode::from(3) } else { ExitCode::SUCCESS })
        }),
        Command::Share { redact, files } => load_all(&files).and_then(|loaded| {
            let redaction = if redact { Redaction::all() } else { Redaction::default() };
            let named: Vec<(&str, &Decoded)> = loaded.iter().map(|(n, d)| (n.as_str(), d)).collect();
            let fragment = share::to_fragment(&Shared { view: String::new(), snapshots: share::redact(&named, &redaction) })
                .map_err(|source| CliError::Share { path: files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "), source })?;
            eprintln!("{} characters", fragment.len() + 1);
            let _ = writeln!(out, "#{fragment}");
            Ok(ExitCode::SUCCESS)
        }),
        Command::Series { json, key, by_state, files } => {
            load_all(&files).and_then(|loaded| if loaded.len() < 2 { Err(CliError::TooFewSnapshots(loaded.len())) } else { Ok(loaded) }).map(|loaded| {
                let profiles: Vec<_> = loaded.iter().map(|(_, d)| &d.profile).collect();
                let s = series(&profiles, &key.for_comparison(by_state));
                if json {
                    print_json(&mut out, &s);
                } else {
                    print_series(&mut out, &s);
                }
                ExitCode::SUCCESS
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parkview: {e}");
            ExitCode::from(1)
        }
    }
}

/// Every snapshot the arguments name, in order.
fn load_all(files: &[PathBuf]) -> Result<Vec<(String, Decoded)>, CliError> {
    let mut all = Vec::new();
    for f in files {
        all.extend(load(f)?);
    }
    Ok(all)
}

fn print_json<T: serde::Serialize>(out: &mut impl Write, value: &T) {
    // A closed pipe (`parkview ... | head`) is not an error worth a message.
    let _ = serde_json::to_writer(&mut *out, value).map(|_| writeln!(out));
}

/// `1 goroutine`, `2 goroutines`.
fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Where a row's goroutines are: its site (the first frame of user code).
fn site(site: &Option<FrameRow>) -> String {
    site.as_ref().map_or_else(|| "(no frames)".into(), |f| format!("{} ({})", f.func, f.place().unwrap_or_else(|| "no file line".into())))
}

/// The tests running at a test binary's timeout, what their goroutines wait on, and the
/// goroutines that keep a synctest bubble's clock still.
fn print_test_timeout(out: &mut impl Write, t: &parkview::rows::TestTimeoutRow) -> std::io::Result<()> {
    writeln!(out, "\ntest timed out after {}; running tests:", t.after)?;
    if t.tests.is_empty() {
        writeln!(out, "  (the dump names no running test)")?;
    }
    for test in &t.tests {
        let elapsed = if test.elapsed.is_empty() { String::new() } else { format!(" ({})", test.elapsed) };
        let subtests: Vec<String> = test.subtests.iter().map(|s| format!("{} ({})", s.name, s.elapsed)).collect();
        let subtests = if subtests.is_empty() { String::new() } else { format!(", running {}", subtests.join(", ")) };
        writeln!(out, "  {}{elapsed}{subtests}: {}", test.name, plural(test.goroutines as u64, "goroutine"))?;
        for w in &test.waits {
            let ids: Vec<String> = w.ids.iter().map(u64::to_string).collect();
            writeln!(out, "  {:>8}  [{}] {}  ids {}", w.count, w.state.as_deref().unwrap_or("unknown"), site(&w.site), ids.join(", "))?;
        }
    }
    for u in &t.unsettled {
        writeln!(
            out,
            "  synctest bubble {}: goroutine {} is blocked in {} at {}, not durably: it keeps the bubble's fake clock from advancing",
            u.bubble,
            u.id,
            u.state,
            site(&u.site)
        )?;
    }
    Ok(())
}

/// How a figure names the filter it was counted under: " with label:k=v".
fn only(filter: &Option<String>) -> String {
    filter.as_ref().map_or(String::new(), |f| format!(" with {f}"))
}

/// The text summary of a report; groups that wait by design are listed only with
/// `show_background`.
fn print_report(out: &mut impl Write, r: &Report, show_background: bool) {
    let _ = (|| -> std::io::Result<()> {
        let wrapper = r.wrapper.as_ref().map(|w| format!(" (in a {w} log, unwrapped)")).unwrap_or_default();
        writeln!(out, "{} {} profile{}{wrapper}", r.format, r.profile, if r.gzipped { " (gzipped)" } else { "" })?;
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
            if !c.running_tests.is_empty() && r.test_timeout.is_none() {
                let tests: Vec<String> = c.running_tests.iter().map(|t| format!("{} ({})", t.name, t.elapsed)).collect();
                writeln!(out, "  running tests: {}", tests.join(", "))?;
            }
        }
        if let Some(t) = &r.test_timeout {
            print_test_timeout(out, t)?;
        }
        match r.goroutines {
            Some(0) if !r.races.is_empty() && r.groups.is_empty() => {
                writeln!(out, "no goroutine dump: {} only", plural(r.races.len() as u64, "data race report"))?
            }
            Some(n) => writeln!(
                out,
                "{}{} in {}{}",
                plural(n as u64, "goroutine"),
                only(&r.filter),
                plural(r.groups.len() as u64, "group"),
                if r.truncated { " (the dump is cut off)" } else { "" }
            )?,
            None => {
                for (k, v) in &r.totals {
                    writeln!(out, "total {k}: {v}")?;
                }
            }
        }
        print_races(out, &r.races)?;
        if let Some(states) = &r.states.as_ref().filter(|s| !s.is_empty()) {
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
        if !r.leak_suspects.is_empty() {
            match &r.growth_base {
                Some(base) => writeln!(out, "\nleak suspects (growth since {base}):")?,
                None => writeln!(out, "\nleak suspects:")?,
            }
            for (i, l) in r.leak_suspects.iter().take(5).enumerate() {
                writeln!(out, "  {}. [{:.0}] {}", i + 1, l.score, l.explanation)?;
            }
        }
        if !r.silenced.is_empty() {
            let each: Vec<String> = r.silenced.iter().map(|s| format!("{} by {}", plural(s.goroutines as u64, "goroutine"), s.rule)).collect();
            writeln!(
                out,
                "
silenced, not suspects: {}",
                each.join(", ")
            )?;
        }
        let listed: Vec<&GroupRow> = r.groups.iter().filter(|g| show_background || g.background.is_none()).collect();
        if !listed.is_empty() {
            writeln!(out, "\nbiggest groups:")?;
            for g in listed.iter().take(15) {
                let minutes = g.wait_minutes.map_or(String::new(), |[lo, hi]| if lo == hi { format!(", {lo} min") } else { format!(", {lo}-{hi} min") });
                let labels = if g.labels.is_empty() {
                    String::new()
                } else {
                    format!(" {{{}}}", g.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
                };
                let state = g.state.as_deref().unwrap_or("unknown");
                let silenced = g.silenced_by.as_ref().map(|rule| format!(" (silenced by {rule})")).unwrap_or_default();
                // What tells the row from others that read alike, less the labels printed after it.
                let differs: String =
                    g.distinctions.iter().filter(|d| !g.labels.iter().any(|(k, v)| **d == format!("{k}={v}"))).map(|d| format!(" · {d}")).collect();
                writeln!(out, "  {:>8}  [{state}{minutes}] {}{differs}{labels}{silenced}", g.count, site(&g.site))?;
            }
            if listed.len() > 15 {
                writeln!(out, "  ... and {} more groups", listed.len() - 15)?;
            }
        }
        let hidden: Vec<&GroupRow> = r.groups.iter().filter(|g| !show_background && g.background.is_some()).collect();
        if !hidden.is_empty() {
            let goroutines: i64 = hidden.iter().map(|g| g.count).sum();
            writeln!(
                out,
                "  ({} in {} that wait by design not listed: --show-background lists them)",
                plural(goroutines as u64, "goroutine"),
                plural(hidden.len() as u64, "group")
            )?;
        }
        for (kind, rows) in &r.top {
            writeln!(out, "\ntop by {kind} (flat, cum):")?;
            for t in rows.iter().take(10) {
                let place =
                    if t.file.is_empty() && t.line == 0 { String::new() } else { format!(" {}:{}", t.file.rsplit('/').next().unwrap_or(&t.file), t.line) };
                writeln!(out, "  {:>14} {:>14}  {}{place}", t.flat, t.cum, t.func)?;
            }
        }
        if !r.warnings.is_empty() {
            writeln!(out, "\n{} ({} skipped); the first:", plural(r.warnings.len() as u64, "warning"), plural(r.skipped, "line"))?;
            for w in r.warnings.iter().take(5) {
                writeln!(out, "  line {}: {}", w.line, w.message)?;
            }
        }
        print_limits(out, &r.limits)
    })();
}

/// Each data race: its accesses where they happened, and where their goroutines were started.
fn print_races(out: &mut impl Write, races: &[RaceRow]) -> std::io::Result<()> {
    if races.is_empty() {
        return Ok(());
    }
    writeln!(out, "\ndata races ({}):", races.len())?;
    let by = |goroutine: Option<u64>| goroutine.map_or_else(|| "the main goroutine".to_string(), |g| format!("goroutine {g}"));
    for (i, race) in races.iter().take(10).enumerate() {
        if race.accesses.is_empty() {
            writeln!(out, "{:>3}. a race report of line {} without its accesses", i + 1, race.line)?;
        }
        for (j, a) in race.accesses.iter().enumerate() {
            let lead = if j == 0 { format!("{:>3}.", i + 1) } else { "    ".into() };
            let at = if a.address.is_empty() { String::new() } else { format!(" at {}", a.address) };
            let prefix = if a.previous { "previous " } else { "" };
            let site = site(&a.site.clone().or_else(|| a.frames.first().cloned()));
            writeln!(out, "{lead} {prefix}{}{at} by {} in {site}", a.kind, by(a.goroutine))?;
        }
        for g in &race.goroutines {
            writeln!(out, "     goroutine {} ({}) created at {}", g.goroutine, g.status, site(&g.created_at.first().cloned()))?;
        }
        if let Some(l) = &race.location {
            writeln!(out, "     {l}")?;
        }
    }
    if races.len() > 10 {
        writeln!(out, "  ... and {} more data races", races.len() - 10)?;
    }
    Ok(())
}

/// The limits reached, one sentence each.
fn print_limits(out: &mut impl Write, limits: &[LimitRow]) -> std::io::Result<()> {
    if !limits.is_empty() {
        writeln!(out, "\nlimits reached:")?;
        for l in limits {
            writeln!(out, "  {}", l.message)?;
        }
    }
    Ok(())
}

fn print_series(out: &mut impl Write, s: &Series) {
    let _ = (|| -> std::io::Result<()> {
        let totals: Vec<String> = s.snapshots.iter().map(|t| t.goroutines.map_or("?".into(), |g| g.to_string())).collect();
        writeln!(out, "goroutines{}: {}", only(&s.filter), totals.join(" -> "))?;
        for r in s.rows.iter().filter(|r| r.counts.iter().any(|&c| c != r.counts[0])).take(25) {
            let counts: Vec<String> = r.counts.iter().map(|c| format!("{c:>6}")).collect();
            writeln!(out, "{} {:>+7}  [{}] {}", counts.join(""), r.delta, r.state.as_deref().unwrap_or("unknown"), site(&r.site))?;
        }
        print_limits(out, &s.limits)
    })();
}

fn print_diff(out: &mut impl Write, d: &Diff) {
    let _ = (|| -> std::io::Result<()> {
        let n = |t: Option<i64>| t.map_or("?".to_string(), |v| v.to_string());
        writeln!(out, "goroutines{}: {} -> {}", only(&d.filter), n(d.base.goroutines), n(d.new.goroutines))?;
        writeln!(out, "{:>8} {:>8} {:>8}  group", "base", "new", "delta")?;
        for r in d.rows.iter().filter(|r| r.delta != 0).take(25) {
            let persisted = r.persisted.map_or(String::new(), |p| format!(", {p} still there"));
            let change = format!("{:?}", r.change).to_lowercase();
            writeln!(out, "{:>8} {:>8} {:>+8}  [{}] {} ({change}{persisted})", r.base, r.new, r.delta, r.state.as_deref().unwrap_or("unknown"), site(&r.site))?;
        }
        print_limits(out, &d.limits)
    })();
}
