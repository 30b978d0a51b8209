//! CockroachDB's per-goroutine goroutine profile (tests/fixtures/pergoroutine, from
//! ../shared/corpus/pergoroutine): read as the goroutines it lists, as a debug=2 dump of the
//! same moment is.

mod common;

use common::decode_fixture;
use parkview::diff::diff;
use parkview::group::GroupBy;
use parkview::report::{report, ReportOptions};
use parkview::rows::Change;

#[test]
fn each_sample_is_a_goroutine_with_its_reported_state_minutes_and_parent() {
    let d = decode_fixture("pergoroutine/fanout.s3.pergoroutine.pb.gz");
    let p = &d.profile;
    assert_eq!(p.goroutines.len(), 193);
    let r = report(&d, &ReportOptions::default());
    assert_eq!(r.goroutines, Some(193));
    assert!(!r.states_inferred, "states are the ones the runtime reported");
    assert_eq!(r.states.as_ref().unwrap()["chan send"], 186);
    // The go:: labels are the goroutine's facts, not user labels.
    assert!(r.labels.keys().all(|k| !k.starts_with("go::")), "{:?}", r.labels.keys());
    assert!(r.groups.iter().all(|g| g.labels.keys().all(|k| !k.starts_with("go::"))));
    let waiting = r.wait_minutes.as_ref().expect("wait minutes");
    assert!(waiting.values().sum::<i64>() > 0, "{waiting:?}");
    // Every goroutine but the first names its parent.
    let one = p.goroutines.iter().find(|g| g.id == 1).expect("goroutine 1");
    assert_eq!(one.parent, None);
    assert!(p.goroutines.iter().filter(|g| g.id != 1).all(|g| g.parent.is_some()));
}

#[test]
fn it_groups_as_the_debug2_dump_of_the_same_moment() {
    let text = decode_fixture("pergoroutine/fanout.s3.goroutine.debug2.txt");
    let proto = decode_fixture("pergoroutine/fanout.s3.pergoroutine.pb.gz");
    let d = diff(&text.profile, &proto.profile, &GroupBy::comparison(None, true, None, None));
    // Only the profile writer's own stack differs: one wrote the dump, the other the proto.
    let differ: Vec<_> =
        d.rows.iter().filter(|r| r.change != Change::Same).filter(|r| !r.frames.iter().any(|f| f.func.starts_with("runtime/pprof."))).collect();
    assert!(differ.is_empty(), "{:?}", differ.iter().map(|r| (&r.frames[0].func, r.base, r.new)).collect::<Vec<_>>());
    assert_eq!((d.base.goroutines, d.new.goroutines), (Some(193), Some(193)));
}

#[test]
fn a_profile_without_the_labels_stays_a_profile_of_stacks() {
    let d = decode_fixture("go1.27/service.s1.goroutine.pb.gz");
    assert!(d.profile.goroutines.is_empty());
}
