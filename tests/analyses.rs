//! Analyses on small dumps written as columns, one column per stack, with the expected rows
//! inline. `columns` turns a table into a debug=2 dump: `count` goroutines per column, ids
//! numbered from `first id`.

use parkview::creators::{creators, parent_chain, WRAPPERS};
use parkview::diff::{default_key, diff, series};
use parkview::group::{group, label_totals, GroupBy, LabelKey, Similarity};
use parkview::leaks::leak_suspects;
use parkview::limits::RowBudget;
use parkview::model::Profile;
use parkview::rows::{Change, Pattern};
use parkview::waits::same_object_waits;
use parkview::{decode, Options};

/// Rows: `first id`, `count`, `state`, `minutes`, `labels` (`k=v k=v`), `args` (of the leaf),
/// `created` (`func in N`), `frames` (leaf first; continuation lines have an empty name).
fn columns(table: &str) -> Profile {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for line in table.lines().filter(|l| l.contains('|')) {
        let cells: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
        if cells[0].is_empty() {
            rows.last_mut().expect("a row before").1.iter_mut().zip(&cells[1..]).for_each(|(a, b)| {
                if !b.is_empty() {
                    a.push('\n');
                    a.push_str(b);
                }
            });
        } else {
            rows.push((cells[0].clone(), cells[1..].to_vec()));
        }
    }
    let get = |name: &str, col: usize| rows.iter().find(|(n, _)| n == name).map(|(_, c)| c[col].clone()).unwrap_or_default();
    let width = rows[0].1.len();
    let mut text = String::new();
    for col in 0..width {
        let first: u64 = get("first id", col).parse().expect("first id");
        let count: u64 = get("count", col).parse().unwrap_or(1);
        for id in first..first + count {
            let mut bracket = get("state", col);
            if !get("minutes", col).is_empty() {
                bracket += &format!(", {} minutes", get("minutes", col));
            }
            let labels = get("labels", col);
            let labels = if labels.is_empty() {
                String::new()
            } else {
                let pairs: Vec<String> = labels.split_whitespace().map(|kv| kv.replacen('=', ": ", 1)).collect();
                format!(" {{{}}}", pairs.join(", "))
            };
            text += &format!("goroutine {id} [{bracket}]{labels}:\n");
            for (i, frame) in get("frames", col).lines().enumerate() {
                let args = if i == 0 { get("args", col) } else { String::new() };
                text += &format!("{frame}({args})\n\t/src/{}.go:{} +0x1\n", frame.rsplit('.').next().unwrap(), 10 + i);
            }
            let created = get("created", col);
            if !created.is_empty() {
                let (func, parent) = created.split_once(" in ").map_or((created.as_str(), None), |(f, p)| (f, Some(p)));
                text += &format!("created by {func}{}\n\t/src/creator.go:7 +0x1\n", parent.map_or(String::new(), |p| format!(" in goroutine {p}")));
            }
            text += "\n";
        }
    }
    decode(text.as_bytes(), &Options::default()).expect("a dump").profile
}

fn counts(p: &Profile, by: &GroupBy) -> Vec<(i64, String)> {
    group(p, by).iter().map(|g| (g.count, p.func_name(p.stack(g.stack)[0]).to_string())).collect()
}

#[test]
fn similarity_levels_split_by_arguments_as_asked() {
    let p = columns(
        "
        first id | 1              | 3              | 5
        count    | 2              | 2              | 1
        state    | chan send      | chan send      | chan send
        args     | 0xc000010000   | 0xc000020000   | 0x1
        frames   | main.worker    | main.worker    | main.worker
                 | main.main      | main.main      | main.main
        ",
    );
    let by = |similarity| GroupBy { similarity, ..GroupBy::default() };
    assert_eq!(counts(&p, &by(Similarity::Exact)), vec![(2, "main.worker".into()), (2, "main.worker".into()), (1, "main.worker".into())]);
    assert_eq!(counts(&p, &by(Similarity::AnyPointer)), vec![(4, "main.worker".into()), (1, "main.worker".into())]);
    assert_eq!(counts(&p, &by(Similarity::AnyValue)), vec![(5, "main.worker".into())]);
}

#[test]
fn labels_are_a_dimension() {
    let p = columns(
        "
        first id | 1            | 4            | 6
        count    | 3            | 2            | 1
        state    | select       | select       | select
        labels   | tenant=acme route=a | tenant=acme route=b | tenant=initech route=a
        frames   | main.loop    | main.loop    | main.loop
        ",
    );
    let totals = label_totals(&p, &mut RowBudget::default(), &mut Vec::new());
    assert_eq!(totals["tenant"]["acme"], 5);
    assert_eq!(totals["route"]["a"], 4);
    let by_tenant = GroupBy { labels: LabelKey::Key("tenant".into()), ..GroupBy::default() };
    let groups = group(&p, &by_tenant);
    let rows: Vec<(i64, Option<String>)> = groups.iter().map(|g| (g.count, g.key_label.clone())).collect();
    assert_eq!(rows, vec![(5, Some("acme".into())), (1, Some("initech".into()))]);
    let only = ("route".to_string(), "a".to_string());
    let routed = parkview::group::filtered(&p, Some(&only));
    assert_eq!(counts(&routed, &GroupBy { labels: LabelKey::Ignore, ..GroupBy::default() }), vec![(4, "main.loop".into())]);
}

#[test]
fn leak_suspects_explain_themselves_and_name_the_pattern() {
    let p = columns(
        "
        first id | 100                        | 200                    | 300                  | 400           | 500
        count    | 30                         | 4                      | 2                    | 3             | 1
        state    | chan send                  | chan send              | chan receive (nil chan) | sync.WaitGroup.Wait | IO wait
        minutes  | 45                         | 12                     | 3                    | 30            | 60
        frames   | example.com/q.fetch        | example.com/a.Log.func1 | example.com/e.watch | sync.runtime_SemacquireWaitGroup | internal/poll.runtime_pollWait
                 | example.com/q.fetch.gowrap1 |                       |                      | sync.(*WaitGroup).Wait | net/http.(*Server).Serve
                 |                            |                        |                      | example.com/b.await |
        created  | example.com/q.Search in 1  | example.com/a.Log in 1 | example.com/e.Start in 1 | example.com/b.Run in 1 |
        ",
    );
    let suspects = leak_suspects(&p, &p, &Default::default(), &mut RowBudget::default(), &mut Vec::new());
    let summary: Vec<(i64, Vec<Pattern>)> = suspects.iter().map(|s| (s.count, s.patterns.clone())).collect();
    assert_eq!(
        summary,
        vec![
            (2, vec![Pattern::NilChannel]),
            (30, vec![Pattern::SendAfterCollectorReturned]),
            (4, vec![Pattern::FireAndForgetSend]),
            (3, vec![Pattern::WaitGroupNeverZero]),
        ],
        "{suspects:#?}"
    );
    assert!(
        suspects[1]
            .explanation
            .starts_with("30 goroutines blocked in chan send at fetch.go:10 (example.com/q.fetch), created by creator.go:7: waiting 45+ minutes; the goroutine that started them has returned."),
        "{}",
        suspects[1].explanation
    );
    // The accept loop in IO wait is no suspect: it waits by design.
    assert!(suspects.iter().all(|s| s.state.as_deref() != Some("IO wait")));
}

#[test]
fn growth_since_the_base_ranks_and_is_told() {
    let base = columns("first id | 1\ncount | 2\nstate | chan send\nframes | example.com/q.fetch\ncreated | example.com/q.Search in 1\n");
    let new = columns("first id | 1\ncount | 12\nstate | chan send\nframes | example.com/q.fetch\ncreated | example.com/q.Search in 1\n");
    let s = &leak_suspects(&new, &new, &parkview::diff::growth(&base, &new), &mut RowBudget::default(), &mut Vec::new())[0];
    assert_eq!(s.delta, Some(10));
    assert!(s.explanation.contains("+10 since the base snapshot"), "{}", s.explanation);
}

#[test]
fn creators_fold_wrappers_to_the_real_caller() {
    let p = columns(
        "
        first id | 1                                 | 10                      | 20
        count    | 1                                 | 3                       | 2
        state    | semacquire                        | chan send               | chan send
        frames   | sync.runtime_Semacquire           | example.com/w.work      | example.com/w.work
                 | golang.org/x/sync/errgroup.(*Group).Wait | example.com/w.work.func1 | example.com/w.work.func1
                 | example.com/w.fetchAll            |                         |
                 | main.main                         |                         |
        created  |                                   | golang.org/x/sync/errgroup.(*Group).Go in 1 | golang.org/x/sync/errgroup.(*Group).Go in 99
        ",
    );
    let rows = creators(&p, &p, WRAPPERS, &mut RowBudget::default(), &mut Vec::new());
    let view: Vec<(i64, Option<String>, Option<String>)> = rows.iter().map(|r| (r.count, r.creator.as_ref().map(|c| c.func.clone()), r.via.clone())).collect();
    assert_eq!(
        view,
        vec![
            (3, Some("example.com/w.fetchAll".into()), Some("golang.org/x/sync/errgroup.(*Group).Go".into())),
            // Parent 99 is not in the dump: the wrapper stays.
            (2, Some("golang.org/x/sync/errgroup.(*Group).Go".into()), None),
            (1, None, None),
        ]
    );
    assert_eq!(parent_chain(&p, 10), vec![10, 1]);
    assert_eq!(parent_chain(&p, 20), vec![20, 99]);
}

#[test]
fn goroutines_waiting_on_one_mutex_and_who_may_hold_it() {
    let p = columns(
        "
        first id | 1                    | 5                  | 9                   | 11
        count    | 3                    | 1                  | 1                   | 1
        state    | sync.Mutex.Lock      | chan send          | sync.Mutex.Lock     | chan receive
        args     | 0xc0000a0008         | 0xc0000a0008, 0x1  | 0xc0000b0000        | 0xc0000a00080
        frames   | sync.(*Mutex).Lock   | example.com/s.save | sync.(*Mutex).Lock  | example.com/s.near
                 | example.com/s.get    |                    | example.com/s.other |
        ",
    );
    let waits = same_object_waits(&p, &p, &mut RowBudget::default(), &mut Vec::new());
    assert_eq!(waits.len(), 1, "a mutex with one waiter is no queue");
    // 0xc0000a00080 starts with the mutex's address but is another pointer.
    assert_eq!(
        (waits[0].object.as_str(), waits[0].kind.as_str(), waits[0].ids.clone(), waits[0].maybe_held_by.clone()),
        ("0xc0000a0008", "sync.Mutex", vec![1, 2, 3], vec![5])
    );
}

#[test]
fn diff_marks_new_vanished_and_persisting_goroutines() {
    let base = columns(
        "
        first id | 1           | 10
        count    | 3           | 2
        state    | chan send   | select
        frames   | main.send   | main.loop
        ",
    );
    let new = columns(
        "
        first id | 2           | 20
        count    | 5           | 1
        state    | chan send   | sleep
        frames   | main.send   | main.nap
        ",
    );
    let d = diff(&base, &new, &default_key());
    let rows: Vec<(String, i64, i64, i64, Change, Option<i64>)> =
        d.rows.iter().map(|r| (r.frames[0].func.clone(), r.base, r.new, r.delta, r.change, r.persisted)).collect();
    assert_eq!(
        rows,
        vec![
            ("main.send".into(), 3, 5, 2, Change::Grew, Some(2)),
            ("main.nap".into(), 0, 1, 1, Change::New, Some(0)),
            ("main.loop".into(), 2, 0, -2, Change::Vanished, Some(0)),
        ]
    );
    let s = series(&[&base, &new, &new], &default_key());
    assert_eq!(s.rows[0].counts, vec![3, 5, 5]);
    assert_eq!(s.snapshots.iter().map(|t| t.goroutines).collect::<Vec<_>>(), vec![Some(5), Some(6), Some(6)]);
}

#[test]
fn a_diff_by_one_label_key_keeps_its_value_when_other_labels_differ() {
    let base = columns(
        "
        first id | 1                  | 10
        count    | 2                  | 2
        state    | chan send          | chan send
        labels   | route=a tenant=x   | route=b tenant=x
        frames   | main.send          | main.send
        ",
    );
    let new = columns(
        "
        first id | 1                  | 10                 | 20                 | 30
        count    | 3                  | 3                  | 3                  | 3
        state    | chan send          | chan send          | chan send          | chan send
        labels   | route=a tenant=x   | route=a tenant=y   | route=b tenant=x   | route=b tenant=y
        frames   | main.send          | main.send          | main.send          | main.send
        ",
    );
    let by = GroupBy::comparison(None, false, Some(LabelKey::Key("route".into())), None);
    let d = diff(&base, &new, &by);
    let rows: Vec<(Option<&str>, i64, i64)> = d.rows.iter().map(|r| (r.labels.get("route").map(String::as_str), r.base, r.new)).collect();
    assert_eq!(rows, vec![(Some("a"), 2, 6), (Some("b"), 2, 6)]);
    assert!(d.rows.iter().all(|r| r.labels.len() == 1), "only the key's value: {:?}", d.rows.iter().map(|r| &r.labels).collect::<Vec<_>>());
    let s = series(&[&base, &new], &by);
    assert_eq!(s.rows.iter().map(|r| r.counts.clone()).collect::<Vec<_>>(), vec![vec![2, 6], vec![2, 6]]);
}

#[test]
fn a_filter_narrows_the_suspects_not_what_is_known_of_the_others() {
    // The collector (tenant y) is still running; its senders (tenant x) wait on it. Filtered
    // to tenant x, the collector is out of the figures but still on a stack.
    let p = columns(
        "
        first id | 1            | 10           | 20
        count    | 1            | 6            | 2
        state    | select       | chan send    | sync.Mutex.Lock
        minutes  | 5            | 5            | 5
        labels   | tenant=y     | tenant=x     | tenant=x route=/a
        args     |              |              | 0xc000123450
        created  |              | main.collect in 1 |
        frames   | main.collect | main.send    | sync.(*Mutex).Lock
                 | main.main    | main.run     | main.handle
        ",
    );
    let only = Some(("tenant".to_string(), "x".to_string()));
    let narrowed = parkview::group::filtered(&p, only.as_ref());
    let patterns = |suspects: &[parkview::rows::Suspect], func: &str| suspects.iter().find(|s| s.frames[0].func == func).map(|s| s.patterns.clone());
    let whole = leak_suspects(&p, &p, &Default::default(), &mut RowBudget::default(), &mut Vec::new());
    let filtered = leak_suspects(&narrowed, &p, &Default::default(), &mut RowBudget::default(), &mut Vec::new());
    assert_eq!(patterns(&filtered, "main.send"), patterns(&whole, "main.send"));
    assert!(!patterns(&filtered, "main.send").unwrap().contains(&Pattern::SendAfterCollectorReturned));
    assert!(filtered.iter().all(|s| s.frames[0].func != "main.collect"), "the collector is filtered out");
}

#[test]
fn a_suspect_started_in_two_places_names_no_one_creator() {
    let p = columns(
        "
        first id | 1            | 10
        count    | 4            | 4
        state    | chan send    | chan send
        minutes  | 9            | 9
        created  | main.a in 1  | main.b in 1
        frames   | main.send    | main.send
                 | main.run     | main.run
        ",
    );
    let suspects = leak_suspects(&p, &p, &Default::default(), &mut RowBudget::default(), &mut Vec::new());
    assert_eq!(suspects[0].count, 8);
    assert_eq!(suspects[0].created_by, None);
    assert!(!suspects[0].explanation.contains("created by"), "{}", suspects[0].explanation);
}

#[test]
fn what_waits_by_design_is_told_from_where_it_waits() {
    let p = columns(
        "
        first id | 1                     | 2                              | 3                                | 4                                  | 5                            | 6                  | 7
        count    | 1                     | 1                              | 1                                | 1                                  | 1                            | 1                  | 1
        state    | chan receive          | IO wait                        | sync.Mutex.Lock                  | sleep                              | select                       | chan send          | chan receive
        frames   | testing.(*T).Run      | internal/poll.runtime_pollWait | sync.(*Mutex).Lock               | time.Sleep                         | example.com/w.(*Worker).loop | myapp/api.Search   | panic
                 | testing.runTests.func1 | net.(*conn).Read              | example.com/inv.(*Cache).Get     | k8s.io/klog/v2.(*flushDaemon).run.func1 | net/http.(*conn).serve | net/http.(*conn).serve | testing.tRunner.func1.1
                 | main.main             | net/http.(*persistConn).readLoop | net/http.HandlerFunc.ServeHTTP |                                    |                              |                    | testing.tRunner
                 |                       |                                | net/http.(*conn).serve           |                                    |                              |                    |
        ",
    );
    let mut background = parkview::leaks::Background::default();
    let why: Vec<Option<&str>> = p.goroutines.iter().map(|g| background.of(&p, g.stack)).collect();
    assert_eq!(
        why,
        [
            Some("the testing harness waits in (*T).Run for the test it started"),
            Some("an HTTP client's keep-alive connection waits for a response"),
            // A handler blocked in the user's code is the user's, though net/http started it.
            None,
            Some("klog's flush daemon"),
            None,
            // A module without a dot in its path (`module myapp`) is the user's.
            None,
            // A panicking test: the deferred closure of tRunner runs above `panic`.
            None,
        ]
    );
}
