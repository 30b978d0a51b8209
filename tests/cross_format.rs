//! The debug=1, debug=2 and proto files of one snapshot give the same goroutines per stack
//! (on the functions-only key, which drops the frames the formats disagree on).

mod common;

use common::decode_fixture;
use parkview::group::{function_key, group, GroupBy, LabelKey, Similarity};
use parkview::model::Profile;
use std::collections::BTreeMap;

/// Leaf frames compared: deeper than this the formats shorten stacks differently (debug=2
/// elides the middle of a 160-deep recursion, protos and debug=1 keep the innermost 128).
const COMPARED_DEPTH: usize = 64;

fn per_stack(p: &Profile) -> BTreeMap<Vec<String>, i64> {
    let mut out = BTreeMap::new();
    for g in group(p, &GroupBy { similarity: Similarity::Functions, state: false, labels: LabelKey::Ignore, creator: false, only: None }) {
        let key: Vec<String> = function_key(p, g.stack).iter().take(COMPARED_DEPTH).map(|&s| p.strings.get(s).to_string()).collect();
        // The goroutine writing the profile runs different code for each format.
        if key.iter().any(|f| f.starts_with("runtime/pprof.write")) {
            continue;
        }
        *out.entry(key).or_insert(0) += g.count;
    }
    out
}

#[test]
fn three_formats_of_one_snapshot_agree() {
    for (dir, snapshot) in [("go1.27", "service.s1"), ("go1.27", "service.s3"), ("go1.27", "service.goroutineleak"), ("go1.26", "service.s1")] {
        let debug2 =
            per_stack(&decode_fixture(&format!("{dir}/{snapshot}.goroutine.debug2.txt").replace(".goroutineleak.goroutine", ".goroutineleak")).profile);
        let debug1 =
            per_stack(&decode_fixture(&format!("{dir}/{snapshot}.goroutine.debug1.txt").replace(".goroutineleak.goroutine", ".goroutineleak")).profile);
        assert!(!debug2.is_empty());
        if snapshot.ends_with("goroutineleak") {
            // debug=2 of goroutineleak lists every goroutine, debug=1 only the leaked ones.
            for (stack, n) in &debug1 {
                assert!(debug2.get(stack).is_some_and(|m| m >= n), "{dir}/{snapshot}: {stack:?}");
            }
            continue;
        }
        assert_eq!(debug1, debug2, "{dir}/{snapshot}: debug=1 vs debug=2");
        if dir == "go1.27" {
            let proto = per_stack(&decode_fixture(&format!("{dir}/{snapshot}.goroutine.pb.gz")).profile);
            assert_eq!(proto, debug2, "{dir}/{snapshot}: proto vs debug=2");
        }
    }
}
