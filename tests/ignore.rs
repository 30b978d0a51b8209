//! Ignore rules and baselines (`parkview::ignore`): the rule grammar from literal lines, what
//! each rule matches on literal dump lines, and what the report leaves out with them.

mod common;

use common::decode_text;
use parkview::ignore::{Rule, RuleError, Rules};
use parkview::report::{gates, report, ReportOptions};

/// Five parked kinds of goroutine, each waiting 30 minutes, and the main one running.
const DUMP: &str = "goroutine 1 [running]:
main.main()
\t/app/main.go:10 +0x1d

goroutine 7 [chan send, 30 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
runtime.chansend1(0x0?, 0x0?)
\t/usr/local/go/src/runtime/chan.go:161 +0x1d
main.(*Audit).Record.func1()
\t/app/audit.go:61 +0x2c
created by main.(*Audit).Record in goroutine 1
\t/app/audit.go:59 +0x85

goroutine 8 [chan send, 30 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
runtime.chansend1(0x0?, 0x0?)
\t/usr/local/go/src/runtime/chan.go:161 +0x1d
main.(*Audit).Record.func1()
\t/app/audit.go:61 +0x2c
created by main.(*Audit).Record in goroutine 1
\t/app/audit.go:59 +0x85

goroutine 9 [sync.Mutex.Lock, 30 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/sema.go:95 +0x25
sync.(*Mutex).lockSlow(0xc000010000)
\t/usr/local/go/src/sync/mutex.go:173 +0x15d
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:92
main.(*Cache).Get(0xc000010000)
\t/app/cache.go:20 +0x45
main.serve()
\t/app/serve.go:12 +0x1a
created by main.start in goroutine 1
\t/app/main.go:30 +0x1f

goroutine 10 [chan receive, 30 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
runtime.chanrecv1(0x0?, 0x0?)
\t/usr/local/go/src/runtime/chan.go:506 +0x12
main.consume()
\t/app/consume.go:8 +0x2e
created by main.start in goroutine 1
\t/app/main.go:31 +0x3a

goroutine 11 [chan receive (nil chan), 30 minutes]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:435 +0xce
runtime.chanrecv1(0x0?, 0x0?)
\t/usr/local/go/src/runtime/chan.go:506 +0x12
main.poll()
\t/app/poll.go:8 +0x2e
created by main.launch in goroutine 1
\t/app/main.go:40 +0x3a
";

fn rules(text: &str) -> Rules {
    Rules::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[test]
fn the_rule_grammar_reads_goleak_terms_and_names_the_first_bad_line() {
    let ok = rules("# known\n\n  top:main.(*Audit).Record.func1  \nany:main.serve\ncreator:main.start\nlabel:component = poller\n");
    assert_eq!(
        ok.0,
        vec![
            Rule::Top("main.(*Audit).Record.func1".into()),
            Rule::Any("main.serve".into()),
            Rule::Creator("main.start".into()),
            Rule::Label { key: "component".into(), value: "poller".into() },
        ]
    );
    assert_eq!(ok.to_string(), "top:main.(*Audit).Record.func1\nany:main.serve\ncreator:main.start\nlabel:component=poller\n");
    assert_eq!(Rules::parse(&ok.to_string()).unwrap(), ok, "a rule list reads back as it prints");
    for (text, want) in [
        ("top:main.a\nmain.b\n", RuleError::NotARule { line: 2, found: "main.b".into() }),
        ("bottom:main.a\n", RuleError::NotARule { line: 1, found: "bottom:main.a".into() }),
        ("# c\nany:\n", RuleError::NoFunction { line: 2, kind: "any" }),
        ("label:component\n", RuleError::NoLabelValue { line: 1, found: "component".into() }),
        ("label:=x\n", RuleError::NoLabelValue { line: 1, found: "=x".into() }),
    ] {
        assert_eq!(Rules::parse(text), Err(want), "{text:?}");
    }
    let many = "any:main.a\n".repeat(parkview::limits::MAX_IGNORE_RULES + 1);
    assert_eq!(Rules::parse(&many), Err(RuleError::TooMany { line: parkview::limits::MAX_IGNORE_RULES + 1 }));
    assert_eq!(Rules::parse(&"x".repeat(parkview::limits::MAX_LINE_BYTES + 1)), Err(RuleError::TooLong { line: 1 }));
}

/// The ids of the goroutines the rules leave out of the leak suspects.
fn silenced_ids(text: &str) -> Vec<u64> {
    let d = decode_text(DUMP);
    let r = report(&d, &ReportOptions { ignore: rules(text), ..Default::default() });
    let mut ids: Vec<u64> = r.groups.iter().filter(|g| g.silenced_by.is_some()).flat_map(|g| g.ids.clone().unwrap()).collect();
    ids.sort();
    ids
}

#[test]
fn each_rule_matches_what_goleak_would() {
    for (rule, want) in [
        // The first frame past the runtime's park frames, as goleak's IgnoreTopFunction.
        ("top:main.(*Audit).Record.func1", vec![7, 8]),
        // Or the leaf itself.
        ("top:runtime.gopark", vec![7, 8, 9, 10, 11]),
        // A frame below the top is not the top.
        ("top:main.serve", vec![]),
        ("any:main.serve", vec![9]),
        ("any:sync.(*Mutex).Lock", vec![9]),
        ("creator:main.start", vec![9, 10]),
        ("creator:main.(*Audit).Record", vec![7, 8]),
        // Names are compared whole.
        ("any:main.serv", vec![]),
        ("top:main.main", vec![1]),
    ] {
        assert_eq!(silenced_ids(rule), want, "{rule}");
    }
}

#[test]
fn label_rules_match_debug1_records() {
    let d = decode_text(
        "goroutine profile: total 250\n200 @ 0x1 0x2\n# labels: {\"component\":\"poller\"}\n#\t0x1\tmain.poll+0x1c\t/x/p.go:9\n#\t0x2\tmain.main+0x2\t/x/m.go:3\n\n50 @ 0x3\n#\t0x3\tmain.other+0x1\t/x/o.go:1\n",
    );
    let plain = report(&d, &ReportOptions::default());
    assert_eq!(plain.leak_suspects.len(), 1, "the outsized group is a suspect");
    assert_eq!(plain.leak_suspects[0].rule.as_deref(), Some("top:main.poll"));
    let quiet = report(&d, &ReportOptions { ignore: rules("label:component=poller"), ..Default::default() });
    assert!(quiet.leak_suspects.is_empty());
    assert_eq!(quiet.silenced.len(), 1);
    assert_eq!((quiet.silenced[0].rule.as_str(), quiet.silenced[0].goroutines), ("label:component=poller", 200));
    let other = report(&d, &ReportOptions { ignore: rules("label:component=other"), ..Default::default() });
    assert_eq!(other.leak_suspects.len(), 1);
}

#[test]
fn silenced_goroutines_are_no_suspects_and_the_report_says_how_many() {
    let d = decode_text(DUMP);
    let plain = report(&d, &ReportOptions::default());
    let sites: Vec<&str> = plain.leak_suspects.iter().map(|s| s.site.as_ref().unwrap().func.as_str()).collect();
    assert!(sites.contains(&"main.(*Audit).Record.func1") && sites.contains(&"main.poll"), "{sites:?}");
    // What "mark as expected" writes silences exactly its group.
    for suspect in &plain.leak_suspects {
        let rule = suspect.rule.clone().unwrap();
        let r = report(&d, &ReportOptions { ignore: rules(&rule), ..Default::default() });
        assert_eq!(r.leak_suspects.len(), plain.leak_suspects.len() - 1, "{rule}");
        assert!(r.leak_suspects.iter().all(|s| s.site != suspect.site), "{rule}");
        assert_eq!(r.silenced[0].goroutines, suspect.count, "{rule}");
    }
    // The mutex waiter's top past the runtime is the standard library's: the rule names its
    // user frame instead, so other goroutines queued on mutexes stay suspects.
    let mutex = plain.groups.iter().find(|g| g.state.as_deref() == Some("sync.Mutex.Lock")).unwrap();
    assert_eq!(mutex.rule.as_deref(), Some("any:main.(*Cache).Get"));
    let audit = plain.groups.iter().find(|g| g.state.as_deref() == Some("chan send")).unwrap();
    assert_eq!(audit.rule.as_deref(), Some("top:main.(*Audit).Record.func1"));
    // Every suspect silenced: the gate passes and says none is left.
    let all: String = plain.leak_suspects.iter().map(|s| format!("{}\n", s.rule.as_deref().unwrap())).collect();
    let r = report(&d, &ReportOptions { ignore: rules(&all), ..Default::default() });
    assert!(r.leak_suspects.is_empty());
    assert!(!gates(&r, None, true)[0].tripped);
}

#[test]
fn silenced_leaked_goroutines_do_not_trip_the_leaked_gate() {
    let d = decode_text("goroutine 5 [chan send (leaked)]:\nmain.a()\n\t/x/a.go:1 +0x1\n\ngoroutine 6 [chan receive (leaked)]:\nmain.b()\n\t/x/b.go:1 +0x1\n");
    let r = report(&d, &ReportOptions { ignore: rules("top:main.a"), ..Default::default() });
    assert_eq!(r.leaked, Some(2), "the runtime's count stays as it printed it");
    let gate = &gates(&r, Some(1), false)[0];
    assert!(gate.tripped);
    assert_eq!(gate.why, "1 goroutine marked leaked by the runtime, besides 1 silenced (limit 1)");
    assert!(!gates(&r, Some(2), false)[0].tripped);
}

#[test]
fn a_baseline_leaves_out_what_it_already_had() {
    let old = decode_text(
        "goroutine 7 [chan send]:\nmain.(*Audit).Record.func1()\n\t/app/audit.go:61 +0x2c\n\ngoroutine 11 [chan receive (nil chan)]:\nmain.poll()\n\t/app/poll.go:8 +0x2e\n",
    );
    let d = decode_text(DUMP);
    let r = report(&d, &ReportOptions { baseline: Some((&old.profile, "old".into())), ..Default::default() });
    // By id: goroutines 7 and 11 were there on the same functions; 8 is new.
    assert_eq!(r.silenced.len(), 1);
    assert_eq!((r.silenced[0].rule.as_str(), r.silenced[0].goroutines), ("baseline old", 2));
    assert!(r.leak_suspects.iter().all(|s| s.site.as_ref().unwrap().func != "main.poll"));
    let audit = r.leak_suspects.iter().find(|s| s.site.as_ref().unwrap().func == "main.(*Audit).Record.func1").unwrap();
    assert_eq!(audit.count, 1);

    // A baseline that lists no goroutines (debug=1) leaves out as many per stack as it counted.
    let counted = decode_text("goroutine profile: total 3\n2 @ 0x1\n#\t0x1\tmain.(*Audit).Record.func1+0x2c\t/app/audit.go:61\n\n1 @ 0x2\n#\t0x2\tmain.consume+0x1\t/app/consume.go:8\n");
    let r = report(&d, &ReportOptions { baseline: Some((&counted.profile, "old".into())), ..Default::default() });
    assert_eq!(r.silenced[0].goroutines, 3);
    assert!(r.leak_suspects.iter().all(|s| s.site.as_ref().unwrap().func != "main.(*Audit).Record.func1"));

    // An id that now runs other functions is another goroutine.
    let reused = decode_text("goroutine 8 [chan receive]:\nmain.elsewhere()\n\t/app/e.go:1 +0x1\n");
    let r = report(&d, &ReportOptions { baseline: Some((&reused.profile, "old".into())), ..Default::default() });
    assert!(r.silenced.is_empty());
}
