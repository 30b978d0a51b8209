//! The top functions of a profile, per sample type, as `go tool pprof -top` lists them: flat
//! (the samples whose leaf frame is the function) and cum (the samples whose stack holds it,
//! once per sample however often it recurses), and where each function is: the file and line
//! of its hottest location.

use crate::limits::{self, row_text};
use crate::model::{FrameId, Profile, StackId, StrId};
use crate::rows::TopRow;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// How many functions each `top` list keeps by flat, and by cum.
pub const TOP_ROWS: usize = 100;

/// Per sample type, functions by flat value (the leaf frame's), then cumulative value (every
/// sample whose stack holds the function, once per sample): the [`TOP_ROWS`] heaviest by flat
/// and the [`TOP_ROWS`] heaviest by cum (a function in both once), so that the list's first
/// [`TOP_ROWS`] are `pprof -top` and, sorted by cum, its first [`TOP_ROWS`] are `pprof -top
/// -cum` (whose `main.main` has no flat value and would miss a list cut by flat). Values are summed per distinct
/// stack first, so each stack's frames are read once, not once per sample and sample type.
pub fn top(profile: &Profile) -> BTreeMap<String, Vec<TopRow>> {
    let width = profile.sample_types.len();
    let mut per_stack: HashMap<StackId, Vec<i64>> = HashMap::default();
    for s in &profile.samples {
        let values = per_stack.entry(s.stack).or_insert_with(|| vec![0; width]);
        for (total, v) in values.iter_mut().zip(&s.values) {
            *total = limits::sum([*total, *v]);
        }
    }
    let mut flat: HashMap<StrId, Vec<i64>> = HashMap::default();
    let mut cum: HashMap<StrId, Vec<i64>> = HashMap::default();
    let add = |into: &mut Vec<i64>, values: &[i64]| {
        for (total, v) in into.iter_mut().zip(values) {
            *total = limits::sum([*total, *v]);
        }
    };
    let mut seen: HashSet<StrId> = HashSet::default();
    // Per location (a function at one line), the samples whose stack holds it, once each.
    let mut at: HashMap<FrameId, Vec<i64>> = HashMap::default();
    let mut seen_at: HashSet<FrameId> = HashSet::default();
    for (stack, values) in &per_stack {
        let frames = profile.stack(*stack);
        if let Some(&leaf) = frames.first() {
            add(flat.entry(profile.frames.get(leaf).func).or_insert_with(|| vec![0; width]), values);
        }
        seen.clear();
        seen_at.clear();
        for &f in frames {
            let func = profile.frames.get(f).func;
            if seen.insert(func) {
                add(cum.entry(func).or_insert_with(|| vec![0; width]), values);
            }
            if seen_at.insert(f) {
                add(at.entry(f).or_insert_with(|| vec![0; width]), values);
            }
        }
    }
    let mut locations: HashMap<StrId, Vec<FrameId>> = HashMap::default();
    for &f in at.keys() {
        locations.entry(profile.frames.get(f).func).or_default().push(f);
    }
    // The function's location with the most of sample type `i`; of equal ones the first line.
    let place = |func: &StrId, i: usize| {
        let frame = locations.get(func).and_then(|fs| {
            fs.iter().map(|f| (f, profile.frames.get(*f))).max_by(|(a, fa), (b, fb)| {
                at[a][i].cmp(&at[b][i]).then(fb.line.cmp(&fa.line)).then(profile.strings.get(fb.file).cmp(profile.strings.get(fa.file)))
            })
        });
        frame.map_or((String::new(), 0), |(_, f)| (row_text(profile.strings.get(f.file)), f.line))
    };
    let ranks = crate::group::name_ranks(cum.keys().map(|&f| (f, profile.strings.get(f))));
    let mut out = BTreeMap::new();
    for (i, t) in profile.sample_types.iter().enumerate() {
        let flat_of = |f: &StrId| flat.get(f).map_or(0, |v| v[i]);
        let mut funcs: Vec<(&StrId, &Vec<i64>)> = cum.iter().collect();
        funcs.sort_by_key(|(f, c)| (std::cmp::Reverse(c[i]), std::cmp::Reverse(flat_of(f)), ranks[f]));
        let by_cum: HashSet<StrId> = funcs.iter().take(TOP_ROWS).map(|(f, _)| **f).collect();
        funcs.sort_by_key(|(f, c)| (std::cmp::Reverse(flat_of(f)), std::cmp::Reverse(c[i]), ranks[f]));
        let rows = funcs
            .into_iter()
            .enumerate()
            .filter(|(n, (f, _))| *n < TOP_ROWS || by_cum.contains(*f))
            .map(|(_, row)| row)
            .map(|(f, c)| {
                let (file, line) = place(f, i);
                TopRow { func: row_text(profile.strings.get(*f)), flat: flat_of(f), cum: c[i], file, line }
            })
            .collect();
        out.insert(format!("{}/{}", t.kind, t.unit), rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProfileKind, Sample, SampleType};

    /// A CPU-like profile with two sample types: (stack leaf first, [samples, nanoseconds]).
    fn profile(stacks: &[(&[&str], [i64; 2])]) -> Profile {
        let mut p = Profile::new(ProfileKind::Cpu);
        p.sample_types = vec![SampleType { kind: "samples".into(), unit: "count".into() }, SampleType { kind: "cpu".into(), unit: "nanoseconds".into() }];
        for (funcs, values) in stacks {
            let frames: Vec<u32> = funcs.iter().map(|f| p.frame(f, "x.go", 1)).collect();
            let stack = p.stacks.intern(frames);
            p.samples.push(Sample { stack, values: smallvec::SmallVec::from_slice(values), labels: 0, goroutine: None });
        }
        p
    }

    fn rows(top: &BTreeMap<String, Vec<TopRow>>, kind: &str) -> Vec<(String, i64, i64)> {
        top[kind].iter().map(|r| (r.func.clone(), r.flat, r.cum)).collect()
    }

    #[test]
    fn flat_is_the_leaf_and_cum_every_stack_holding_the_function() {
        let p = profile(&[(&["a", "main.main"], [3, 30]), (&["b", "a", "main.main"], [5, 10]), (&["main.main"], [1, 100])]);
        let top = top(&p);
        assert_eq!(top.keys().collect::<Vec<_>>(), ["cpu/nanoseconds", "samples/count"]);
        // Sorted by flat, then cum, per sample type.
        assert_eq!(rows(&top, "samples/count"), [("b".into(), 5, 5), ("a".into(), 3, 8), ("main.main".into(), 1, 9)]);
        assert_eq!(rows(&top, "cpu/nanoseconds"), [("main.main".into(), 100, 140), ("a".into(), 30, 40), ("b".into(), 10, 10)]);
    }

    #[test]
    fn recursion_counts_once_in_cum_and_samples_of_one_stack_add_up() {
        let p = profile(&[(&["f", "f", "f", "main.main"], [2, 0]), (&["f", "f", "f", "main.main"], [3, 0])]);
        assert_eq!(rows(&top(&p), "samples/count"), [("f".into(), 5, 5), ("main.main".into(), 0, 5)]);
    }

    #[test]
    fn a_function_is_placed_at_its_hottest_line_per_sample_type() {
        let mut p = profile(&[]);
        let (a10, a20, main) = (p.frame("a", "a.go", 10), p.frame("a", "a.go", 20), p.frame("main.main", "main.go", 5));
        for (frames, values) in [(vec![a10, main], [3, 100]), (vec![a20, main], [5, 1]), (vec![a20, a10, main], [1, 1])] {
            let stack = p.stacks.intern(frames);
            p.samples.push(Sample { stack, values: smallvec::SmallVec::from_slice(&values), labels: 0, goroutine: None });
        }
        let rows = top(&p);
        let place = |kind: &str, func: &str| rows[kind].iter().find(|r| r.func == func).map(|r| (r.file.clone(), r.line));
        // Line 20 holds 6 samples, line 10 holds 4; in nanoseconds line 10 holds 101.
        assert_eq!(place("samples/count", "a"), Some(("a.go".into(), 20)));
        assert_eq!(place("cpu/nanoseconds", "a"), Some(("a.go".into(), 10)));
        assert_eq!(place("cpu/nanoseconds", "main.main"), Some(("main.go".into(), 5)));
        // No line given: none shown.
        let mut q = profile(&[]);
        let bare = q.frame("b", "", 0);
        let stack = q.stacks.intern(vec![bare]);
        q.samples.push(Sample { stack, values: smallvec::smallvec![1, 1], labels: 0, goroutine: None });
        assert_eq!(top(&q)["samples/count"][0].file, "");
        assert_eq!(top(&q)["samples/count"][0].line, 0);
    }

    #[test]
    fn the_heaviest_by_cum_are_kept_past_the_heaviest_by_flat() {
        // TOP_ROWS + 10 leaves of flat 2 each, all under main.main -> run, of flat 0.
        let names: Vec<String> = (0..TOP_ROWS + 10).map(|i| format!("f{i:03}")).collect();
        let mut p = profile(&[]);
        let (main, run) = (p.frame("main.main", "main.go", 1), p.frame("main.run", "main.go", 9));
        for name in &names {
            let leaf = p.frame(name, "x.go", 1);
            let stack = p.stacks.intern(vec![leaf, run, main]);
            p.samples.push(Sample { stack, values: smallvec::smallvec![2, 2], labels: 0, goroutine: None });
        }
        let listed = rows(&top(&p), "samples/count");
        // The first TOP_ROWS by flat, then the two heaviest by cum that flat left out.
        assert_eq!(listed.len(), TOP_ROWS + 2);
        assert_eq!(listed[TOP_ROWS - 1].0, format!("f{:03}", TOP_ROWS - 1));
        let total = 2 * (TOP_ROWS as i64 + 10);
        assert_eq!(listed[TOP_ROWS..], [("main.main".to_string(), 0, total), ("main.run".to_string(), 0, total)]);
    }

    #[test]
    fn ties_go_by_name_and_the_list_is_capped() {
        let names: Vec<String> = (0..TOP_ROWS + 10).map(|i| format!("f{i:03}")).collect();
        let stacks: Vec<(&[&str], [i64; 2])> = Vec::new();
        let mut p = profile(&stacks);
        for name in &names {
            let frame = p.frame(name, "x.go", 1);
            let stack = p.stacks.intern(vec![frame]);
            p.samples.push(Sample { stack, values: smallvec::smallvec![1, 1], labels: 0, goroutine: None });
        }
        let listed = rows(&top(&p), "samples/count");
        assert_eq!(listed.len(), TOP_ROWS);
        assert_eq!(listed.first().map(|r| r.0.as_str()), Some("f000"));
        assert_eq!(listed.last().map(|r| r.0.clone()), Some(format!("f{:03}", TOP_ROWS - 1)));
    }
}
