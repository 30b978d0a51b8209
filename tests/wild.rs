//! Every file of ../shared/corpus/wild decodes without panic, and its goroutine count matches
//! the independent count in SOURCES.md, or the table below says why it differs. The tests are
//! `#[ignore]`d, so that a checkout without ../shared counts them as skipped; scripts/test.sh
//! runs them (`-- --ignored`) when ../shared is there.

mod common;

use parkview::{decode, decode_all, Options};
use std::collections::HashMap;

/// Files whose right answer is not the plain line-start header count of SOURCES.md.
const EXPLAINED: &[(&str, Expect, &str)] = &[
    ("009-", Expect::NotGoroutines, "a threadcreate profile: its total counts threads, not goroutines"),
    ("022-", Expect::Count(11), "one header is glued to the text before it (`...stacksgoroutine 1 [running]:`); SOURCES counts 11 with mid-line ones"),
    ("051-", Expect::Count(2), "every line carries a CI timestamp, so no header starts a line; SOURCES counts 2 mid-line"),
    ("072-", Expect::Count(2), "every line carries a log line number and a timestamp; SOURCES counts 2 mid-line"),
    ("028-", Expect::Races(2), "two race detector reports, the second cut: no goroutine headers at all"),
    ("053-", Expect::Races(2), "two race detector reports in a README: no goroutine headers at all"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Count(i64),
    NotGoroutines,
    /// Race reports alone: this many races, no goroutine.
    Races(usize),
}

/// The independent count of SOURCES.md: line-start headers, or the debug=1 records' sum.
fn independent_counts(sources: &str) -> HashMap<String, Option<i64>> {
    let mut out = HashMap::new();
    for line in sources.lines().filter(|l| l.starts_with("| 0")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (file, count) = (cells[1], cells[8]);
        let number =
            |after: &str| count.split(after).nth(1).and_then(|r| r.split(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty())).and_then(|n| n.parse().ok());
        let value = if count.contains("sum of record counts") {
            number("sum of record counts ")
        } else if count.contains("line-start") {
            count.split_whitespace().next().and_then(|n| n.parse().ok())
        } else {
            None
        };
        out.insert(file.to_string(), value);
    }
    out
}

#[test]
#[ignore = "reads ../shared/corpus: scripts/test.sh runs it when that is there"]
fn wild_dumps_decode_and_count_as_the_independent_count_says() {
    let corpus = common::shared_corpus().expect("../shared/corpus");
    let wild = corpus.join("wild");
    let counts = independent_counts(&std::fs::read_to_string(wild.join("SOURCES.md")).expect("SOURCES.md"));
    assert!(counts.len() >= 70, "SOURCES.md lists {} files", counts.len());
    let mut checked = 0;
    for (file, independent) in &counts {
        let bytes = std::fs::read(wild.join(file)).expect("a listed file");
        // A file holding several dumps (a report that quotes its crash again, a signal sent
        // twice) counts the goroutines of all of them, as the independent count does.
        let result = decode_all(&bytes, &Options::default()).map(|all| {
            let count = all.iter().filter_map(|d| d.profile.goroutine_count()).reduce(|a, b| a + b);
            (all.into_iter().next().expect("one at least"), count)
        });
        let expect = match EXPLAINED.iter().find(|(prefix, _, _)| file.starts_with(prefix)) {
            Some((_, e, _)) => *e,
            None => match independent {
                Some(n) if *n > 0 || file.ends_with(".txt") => Expect::Count(*n),
                _ => continue,
            },
        };
        match (expect, &result) {
            (Expect::Count(n), Ok((_, got))) => {
                let got = *got;
                // Crash excerpts without any goroutine (only `runtime stack:`) report 0.
                assert_eq!(got.unwrap_or(0), n, "{file}");
            }
            (Expect::NotGoroutines, Ok((d, _))) => assert_eq!(d.profile.goroutine_count(), None, "{file}"),
            (Expect::Races(n), Ok((d, count))) => {
                assert_eq!((d.profile.races.len(), count.unwrap_or(0)), (n, 0), "{file}");
                assert!(d.profile.races.iter().all(|r| r.accesses.len() == 2), "{file}");
            }
            (e, r) => panic!("{file}: expected {e:?}, got {:?}", r.as_ref().map(|(_, n)| *n)),
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} files checked");
}

#[test]
#[ignore = "reads ../shared/corpus: scripts/test.sh runs it when that is there"]
fn every_wild_file_decodes_or_fails_cleanly() {
    let corpus = common::shared_corpus().expect("../shared/corpus");
    for entry in std::fs::read_dir(corpus.join("wild")).expect("wild") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        // A panic here fails the test; an error must be one sentence.
        if let Err(e) = decode(&bytes, &Options::default()) {
            let text = e.to_string();
            assert!(!text.is_empty() && !text.contains('\n'), "{}: {text}", path.display());
        }
    }
}
