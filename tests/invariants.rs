//! Invariants of the analyses, over generated dumps: grouping keeps the total, a coarser
//! similarity never gives more groups, diff(a, a) is all zeros, diff(a, b) = -diff(b, a).

use parkview::diff::{default_key, diff};
use parkview::group::{group, GroupBy, Similarity};
use parkview::{decode, Options};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// A debug=2 dump from (stack, state, argument, label) choices.
fn dump(goroutines: &[(u8, u8, u8, u8)]) -> Vec<u8> {
    const STATES: [&str; 4] = ["chan receive", "select", "sync.Mutex.Lock", "IO wait"];
    const LEAVES: [&str; 3] = ["main.worker", "main.reader", "example.com/q.(*Queue).Push"];
    let mut out = String::new();
    for (i, (stack, state, arg, label)) in goroutines.iter().enumerate() {
        let labels = if label % 2 == 0 { String::new() } else { format!(" {{tenant: t{}}}", label % 3) };
        out += &format!("goroutine {} [{}]{}:\n", i + 1, STATES[*state as usize % 4], labels);
        out += &format!("{}(0xc{:09x}, 0x{:x})\n\t/src/app.go:{} +0x1c\n", LEAVES[*stack as usize % 3], (*arg as u64) << 12, arg % 4, 10 + stack % 2);
        out += "main.main()\n\t/src/main.go:5 +0x20\n\n";
    }
    out.into_bytes()
}

fn deltas(d: &parkview::diff::Diff) -> BTreeMap<Vec<String>, i64> {
    d.rows.iter().map(|r| (r.frames.iter().map(|f| f.func.clone()).collect(), r.delta)).collect()
}

proptest! {
    #[test]
    fn grouping_keeps_the_total_and_coarser_is_never_finer(g in proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 1..80)) {
        let d = decode(&dump(&g), &Options::default()).unwrap();
        let mut previous = usize::MAX;
        for similarity in [Similarity::Exact, Similarity::AnyPointer, Similarity::AnyValue, Similarity::Functions] {
            let groups = group(&d.profile, &GroupBy { similarity, ..GroupBy::default() });
            prop_assert_eq!(groups.iter().map(|g| g.count).sum::<i64>(), g.len() as i64);
            prop_assert!(groups.len() <= previous, "{:?} gave more groups", similarity);
            previous = groups.len();
        }
    }

    #[test]
    fn diff_is_zero_on_itself_and_antisymmetric(a in proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 0..40), b in proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 0..40)) {
        let (a, b) = (dump(&a), dump(&b));
        let (a, b) = match (decode(&a, &Options::default()), decode(&b, &Options::default())) {
            (Ok(a), Ok(b)) => (a.profile, b.profile),
            _ => return Ok(()),
        };
        prop_assert!(diff(&a, &a, &default_key()).rows.iter().all(|r| r.delta == 0));
        let forward = deltas(&diff(&a, &b, &default_key()));
        let backward: BTreeMap<_, _> = deltas(&diff(&b, &a, &default_key())).into_iter().map(|(k, v)| (k, -v)).collect();
        prop_assert_eq!(forward, backward);
    }
}
