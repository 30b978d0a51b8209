//! The top functions of a profile, per sample type, as `go tool pprof -top` lists them: flat
//! (the samples whose leaf frame is the function) and cum (the samples whose stack holds it,
//! once per sample however often it recurses).

use crate::limits::{self, row_text};
use crate::model::{Profile, StackId, StrId};
use crate::rows::TopRow;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// How many functions each `top` list keeps.
pub const TOP_ROWS: usize = 100;

/// Per sample type, functions by flat value (the leaf frame's), then cumulative value (every
/// sample whose stack holds the function, once per sample). Values are summed per distinct
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
    for (stack, values) in &per_stack {
        let frames = profile.stack(*stack);
        if let Some(&leaf) = frames.first() {
            add(flat.entry(profile.frames.get(leaf).func).or_insert_with(|| vec![0; width]), values);
        }
        seen.clear();
        for &f in frames {
            let func = profile.frames.get(f).func;
            if seen.insert(func) {
                add(cum.entry(func).or_insert_with(|| vec![0; width]), values);
            }
        }
    }
    let ranks = crate::group::name_ranks(cum.keys().map(|&f| (f, profile.strings.get(f))));
    let mut out = BTreeMap::new();
    for (i, t) in profile.sample_types.iter().enumerate() {
        let flat_of = |f: &StrId| flat.get(f).map_or(0, |v| v[i]);
        let mut funcs: Vec<(&StrId, &Vec<i64>)> = cum.iter().collect();
        funcs.sort_by_key(|(f, c)| (std::cmp::Reverse(flat_of(f)), std::cmp::Reverse(c[i]), ranks[f]));
        let rows = funcs.into_iter().take(TOP_ROWS).map(|(f, c)| TopRow { func: row_text(profile.strings.get(*f)), flat: flat_of(f), cum: c[i] }).collect();
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
