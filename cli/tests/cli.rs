//! The CLI as a user and a CI job run it: exit codes, standard input, the JSON contract.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(rel)
}

fn parkview(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parkview")).args(args).output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = parkview(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

#[test]
fn report_json_keeps_the_contract() {
    let s3 = fixture("go1.27/service.s3.goroutine.debug2.txt");
    let r = json(&["report", "--json", s3.to_str().unwrap()]);
    assert_eq!(r["schema"], "parkview.report/v1");
    assert_eq!(r["format"], "goroutine-debug2");
    assert_eq!(r["goroutines"], 112);
    assert_eq!(r["states"]["chan send"], 72);
    let sum: i64 = r["groups"].as_array().unwrap().iter().map(|g| g["count"].as_i64().unwrap()).sum();
    assert_eq!(sum, 112, "groups sum to goroutines");
    assert_eq!(r["crash"], serde_json::Value::Null);
    let suspects = r["leak_suspects"].as_array().unwrap();
    assert!(suspects[0]["patterns"].as_array().unwrap().contains(&serde_json::json!("nil-channel")), "{}", suspects[0]);
    let senders =
        suspects.iter().find(|s| s["explanation"].as_str().unwrap().starts_with("64 goroutines blocked in chan send at search.go:66")).expect("the senders");
    assert_eq!(senders["signals"], serde_json::json!(["parked 1 to 2 minutes ago, one after another"]));
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_parkview")).args(["report", "--json", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("runs");
    child.stdin.take().unwrap().write_all(&std::fs::read(fixture("crash/deadlock.txt")).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["crash"]["fatal_error"], "all goroutines are asleep - deadlock!");
    assert_eq!(r["crash"]["first_goroutine"], 1);
}

#[test]
fn unreadable_and_undecodable_files_exit_1_with_one_line() {
    let (code, _, err) = parkview(&["report", "/no/such/file"]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = parkview(&["report", fixture("bad/pprof-index.html").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("this is HTML, not a profile"), "{err}");
}

#[test]
fn diff_fails_on_growth_for_ci() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug2.txt"), fixture("go1.27/service.s3.goroutine.pb.gz"));
    let (s1, s3) = (s1.to_str().unwrap(), s3.to_str().unwrap());
    let d = json(&["diff", "--json", s1, s3]);
    assert_eq!(d["schema"], "parkview.diff/v1");
    assert_eq!((d["base"]["goroutines"].as_i64(), d["new"]["goroutines"].as_i64()), (Some(53), Some(112)));
    let top = &d["rows"][0];
    // The frames shown are the newest snapshot's (a proto: runtime frames included).
    assert!(top["frames"].as_array().unwrap().iter().any(|f| f["func"] == "example.com/corpusgen/internal/search.(*Aggregator).queryBackend"));
    assert_eq!((top["base"].as_i64(), top["new"].as_i64(), top["delta"].as_i64()), (Some(22), Some(64), Some(42)));
    assert_eq!(parkview(&["diff", "--fail-on-growth", "42", s1, s3]).0, 3);
    assert_eq!(parkview(&["diff", "--fail-on-growth", "43", s1, s3]).0, 0);
}

#[test]
fn series_and_label_grouping() {
    let files = ["go1.27/service.s1.goroutine.debug1.txt", "go1.27/service.s3.goroutine.debug1.txt"].map(fixture);
    let s = json(&["series", "--json", files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
    assert_eq!(s["rows"][0]["counts"], serde_json::json!([22, 64]));
    let by_tenant = json(&["report", "--json", "--group-by", "label:tenant", files[1].to_str().unwrap()]);
    let acme: i64 = by_tenant["groups"].as_array().unwrap().iter().filter(|g| g["labels"]["tenant"] == "acme").map(|g| g["count"].as_i64().unwrap()).sum();
    assert_eq!(acme, by_tenant["labels"]["tenant"]["acme"].as_i64().unwrap());
    let only = json(&["report", "--json", "--filter", "label:tenant=initech", files[1].to_str().unwrap()]);
    let sum: i64 = only["groups"].as_array().unwrap().iter().map(|g| g["count"].as_i64().unwrap()).sum();
    assert_eq!(sum, by_tenant["labels"]["tenant"]["initech"].as_i64().unwrap());
}

#[test]
fn report_opens_links_and_share_files_under_the_link_limits() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug2.txt"), fixture("crash/deadlock.txt"));
    let (code, fragment, err) = parkview(&["share", "--redact", s1.to_str().unwrap(), s3.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let link = format!("https://parkview.example/some/path/{}", fragment.trim());
    // The last snapshot by default, the one asked for with --snapshot, each as a file reports it.
    let last = json(&["report", "--json", &link]);
    assert_eq!(last["crash"]["fatal_error"], "all goroutines are asleep - deadlock!");
    let first = json(&["report", "--json", "--snapshot", "1", &link]);
    assert_eq!(first["goroutines"], 53);
    let (code, _, err) = parkview(&["report", "--snapshot", "3", &link]);
    assert_eq!((code, err.trim()), (1, format!("parkview: {link}: it holds 2 snapshots; --snapshot 3 is not one of them").as_str()));
    // The same data as a share file.
    let dir = std::env::temp_dir().join(format!("parkview-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("share.txt");
    std::fs::write(&file, format!("parkview share v1\n{}", fragment.trim().trim_start_matches('#'))).unwrap();
    assert_eq!(json(&["report", "--json", "--snapshot", "1", file.to_str().unwrap()])["goroutines"], 53);
    // A series over a share counts its snapshots.
    let s = json(&["series", "--json", file.to_str().unwrap()]);
    assert_eq!(s["snapshots"].as_array().unwrap().len(), 2);
    // A cut link is one sentence.
    let (code, _, err) = parkview(&["report", &link[..link.len() / 2]]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("the link's data"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_deep_dump_and_mixed_debug1_profiles_end_cleanly() {
    // 100,000 frames once overflowed the CLI's stack; a goroutine profile followed by a heap
    // profile once panicked.
    let dir = std::env::temp_dir().join(format!("parkview-cli-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deep = dir.join("deep.txt");
    let mut text = String::from("goroutine 1 [chan receive]:\n");
    for i in 0..100_000 {
        text += &format!("main.recurse()\n\t/src/main.go:{}\n", i % 9 + 1);
    }
    std::fs::write(&deep, text).unwrap();
    let r = json(&["report", "--json", deep.to_str().unwrap()]);
    assert_eq!(r["groups"][0]["frames"].as_array().unwrap().len(), 1025);
    assert!(r["limits"].as_array().unwrap().iter().any(|l| l["limit"] == "frames"), "{}", r["limits"]);
    let mixed = dir.join("mixed.txt");
    std::fs::write(&mixed, "goroutine profile: total 1\n1 @ 0x1\nheap profile: 1: 1 [1: 1] @ heap/1024\n").unwrap();
    assert_eq!(json(&["report", "--json", mixed.to_str().unwrap()])["goroutines"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sums of a comparison's rows per side, as `(base, new)` or one per snapshot.
fn row_sums(v: &serde_json::Value, field: &str) -> i64 {
    v["rows"].as_array().unwrap().iter().map(|r| r[field].as_i64().unwrap()).sum()
}

#[test]
fn diff_and_series_honour_the_similarity_and_the_rows_add_up() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug2.txt"), fixture("go1.27/service.s3.goroutine.debug2.txt"));
    let (s1, s3) = (s1.to_str().unwrap(), s3.to_str().unwrap());
    let functions = json(&["diff", "--json", s1, s3]);
    let exact = json(&["diff", "--json", "--similarity", "exact", s1, s3]);
    for d in [&functions, &exact] {
        assert_eq!((row_sums(d, "base"), row_sums(d, "new")), (53, 112), "rows add up to the totals");
    }
    // Exact keeps arguments: goroutines waiting on different channels fall into more rows.
    let n = |d: &serde_json::Value| d["rows"].as_array().unwrap().len();
    assert!(n(&exact) > n(&functions), "{} exact rows vs {} by functions", n(&exact), n(&functions));
    let series = json(&["series", "--json", "--similarity", "exact", s1, s3]);
    assert_eq!(series["rows"].as_array().unwrap().len(), n(&exact), "series keys as diff does");
    let firsts: i64 = series["rows"].as_array().unwrap().iter().map(|r| r["counts"][0].as_i64().unwrap()).sum();
    assert_eq!(firsts, 53);
}

#[test]
fn a_filter_reaches_every_goroutine_figure_and_is_named() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug1.txt"), fixture("go1.27/service.s3.goroutine.debug1.txt"));
    let (s1, s3) = (s1.to_str().unwrap(), s3.to_str().unwrap());
    let all = json(&["report", "--json", s3]);
    let initech = all["labels"]["tenant"]["initech"].as_i64().unwrap();
    let only = json(&["report", "--json", "--filter", "label:tenant=initech", s3]);
    assert_eq!(only["goroutines"].as_i64(), Some(initech), "the total is the filtered one");
    assert_eq!(only["filter"], "label:tenant=initech");
    let groups: i64 = only["groups"].as_array().unwrap().iter().map(|g| g["count"].as_i64().unwrap()).sum();
    let states: i64 = only["states"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
    assert_eq!((groups, states), (initech, initech));
    let d = json(&["diff", "--json", "--filter", "label:tenant=initech", s1, s3]);
    assert_eq!(d["filter"], "label:tenant=initech");
    assert_eq!(d["new"]["goroutines"].as_i64(), Some(initech));
    assert_eq!((row_sums(&d, "base"), row_sums(&d, "new")), (d["base"]["goroutines"].as_i64().unwrap(), initech));
    let (code, text, _) = parkview(&["report", "--filter", "label:tenant=initech", s3]);
    assert_eq!(code, 0);
    assert!(text.contains(&format!("{initech} goroutines with label:tenant=initech in ")), "{text}");
}

#[test]
fn leak_growth_is_measured_against_the_base_the_page_would_use() {
    let (s1, s3) = (fixture("go1.27/service.s1.goroutine.debug2.txt"), fixture("go1.27/service.s3.goroutine.debug2.txt"));
    let (s1, s3) = (s1.to_str().unwrap(), s3.to_str().unwrap());
    let (code, fragment, err) = parkview(&["share", s1, s3]);
    assert_eq!(code, 0, "{err}");
    let link = format!("https://parkview.example/{}", fragment.trim());
    let scores = |r: &serde_json::Value| r["leak_suspects"].as_array().unwrap().iter().map(|s| s["score"].as_f64().unwrap()).collect::<Vec<_>>();
    // The files given apart: the base is the one named.
    let files = json(&["report", "--json", "--base", s1, s3]);
    assert_eq!(files["growth_base"], "service.s1.goroutine.debug2.txt");
    // A share of both: its last snapshot against its oldest, as the page's diff compares them.
    let shared = json(&["report", "--json", &link]);
    assert_eq!(shared["growth_base"], "service.s1.goroutine.debug2.txt");
    assert_eq!(scores(&shared), scores(&files));
    // --base of a share is its oldest snapshot, never the one reported.
    assert_eq!(scores(&json(&["report", "--json", "--base", &link, &link])), scores(&files));
    // The oldest snapshot itself has nothing older.
    assert_eq!(json(&["report", "--json", "--snapshot", "1", &link])["growth_base"], serde_json::Value::Null);
    let (_, text, _) = parkview(&["report", &link]);
    assert!(text.contains("leak suspects (growth since service.s1.goroutine.debug2.txt):"), "{text}");
}

#[test]
fn a_file_of_several_dumps_reports_as_a_bundle() {
    let f = fixture("wild2/091-fcavani-droute-panic-log-6-runs-appended-custom-log-header.txt");
    let f = f.to_str().unwrap();
    let bundle = json(&["report", "--json", f]);
    assert_eq!(bundle["schema"], "parkview.bundle/v1");
    let entries = bundle["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    let name = "091-fcavani-droute-panic-log-6-runs-appended-custom-log-header.txt";
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["name"], format!("{name}#{}", i + 1));
        assert_eq!(e["report"]["schema"], "parkview.report/v1");
        assert_eq!(e["report"]["goroutines"], 6);
    }
    // Later dumps are measured against the first, as the page measures snapshots dropped together.
    assert_eq!(entries[1]["report"]["growth_base"], format!("{name}#1"));
    // One of them, as a share's snapshot is picked.
    assert_eq!(json(&["report", "--json", "--snapshot", "2", f])["goroutines"], 6);
    // A series counts its dumps as snapshots.
    assert_eq!(json(&["series", "--json", f])["snapshots"].as_array().unwrap().len(), 6);
    let (_, text, _) = parkview(&["report", f]);
    assert_eq!(text.matches("\n== ").count() + usize::from(text.starts_with("== ")), 6, "{text}");
}

#[test]
fn a_support_bundle_reports_each_member() {
    let zip = fixture("bundle/debug-zip.zip");
    let bundle = json(&["report", "--json", zip.to_str().unwrap()]);
    assert_eq!(bundle["schema"], "parkview.bundle/v1");
    let entries = bundle["entries"].as_array().unwrap();
    assert_eq!(entries[0]["name"], "nodes/1/goroutines.txt");
    assert_eq!(entries[0]["report"]["goroutines"], 53);
    assert_eq!(entries[1]["report"]["goroutines"], 112);
    assert_eq!(entries[1]["report"]["growth_base"], "nodes/1/goroutines.txt");
    // What holds no snapshot comes after the snapshots.
    assert_eq!(entries[2]["name"], "nodes/1/status.json");
    assert!(entries[2]["skipped"].as_str().unwrap().contains("JSON"));
    // A series over a tar.gz counts its captures; what holds none is named on stderr.
    let tar = fixture("bundle/consul-debug.tar.gz");
    let (code, out, err) = parkview(&["series", "--json", tar.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["snapshots"].as_array().unwrap().len(), 2);
    assert!(err.contains("skipped consul-debug-1764489600/index.json"), "{err}");
}

#[test]
fn gates_fail_a_ci_job_on_leaks_and_say_why() {
    let leak = fixture("go1.27/service.goroutineleak.pb.gz");
    let leak = leak.to_str().unwrap();
    let (code, out, err) = parkview(&["report", "--json", "--fail-on-leaked", "1", leak]);
    assert_eq!(code, 3, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["gates"], serde_json::json!([{"gate": "fail-on-leaked 1", "tripped": true, "why": "75 goroutines marked leaked by the runtime (limit 1)"}]));
    assert!(err.contains("--fail-on-leaked 1 tripped: 75 goroutines marked leaked by the runtime"), "{err}");
    // Below the limit: checked, not tripped.
    let (code, out, _) = parkview(&["report", "--json", "--fail-on-leaked", "100", leak]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["gates"][0]["tripped"], false);

    let s1 = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let s3 = fixture("go1.27/service.s3.goroutine.debug2.txt");
    let (code, _, err) = parkview(&["report", "--fail-on-suspects", "--base", s1.to_str().unwrap(), s3.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(err.contains("--fail-on-suspects tripped: 8 leak suspects, the first: "), "{err}");
    // A test timeout whose goroutines wait by design: no suspect, no trip.
    let timeout = fixture("wild2/079-golang-go-issue75626-go1.25-synctest-durable-bubble-timeout.txt");
    let (code, out, err) = parkview(&["report", "--json", "--fail-on-suspects", timeout.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["gates"][0]["why"], "no leak suspect");
    // A profile that counts no goroutines is not checked for leaks; 0 is no limit.
    let heap = fixture("go1.27/service.heap.pb.gz");
    let (code, out, _) = parkview(&["report", "--json", "--fail-on-leaked", "1", heap.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["gates"][0]["why"], "not checked: a heap profile counts no goroutines");
    assert_eq!(parkview(&["report", "--fail-on-leaked", "0", heap.to_str().unwrap()]).0, 2);
    // Every snapshot of a bundle is checked.
    let zip = fixture("bundle/debug-zip.zip");
    let (code, _, err) = parkview(&["report", "--fail-on-suspects", zip.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("nodes/2/goroutine.pb.gz: --fail-on-suspects tripped"), "{err}");
}

#[test]
fn ignore_files_and_baselines_silence_known_goroutines_for_the_gates() {
    let s1 = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let s3 = fixture("go1.27/service.s3.goroutine.debug2.txt");
    let (s1, s3) = (s1.to_str().unwrap(), s3.to_str().unwrap());
    let r = json(&["report", "--json", "--base", s1, s3]);
    let suspects = r["leak_suspects"].as_array().unwrap();
    assert!(!suspects.is_empty());
    // Every suspect's rule, written to an ignore file: the gate passes and says what it silenced.
    let dir = std::env::temp_dir().join(format!("parkview-ignore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules: String = suspects.iter().map(|s| format!("# {}\n{}\n", s["site"]["func"], s["rule"].as_str().unwrap())).collect();
    let file = dir.join("known.goleak");
    std::fs::write(&file, &rules).unwrap();
    let (code, out, err) = parkview(&["report", "--fail-on-suspects", "--ignore", file.to_str().unwrap(), "--base", s1, s3]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("silenced, not suspects: "), "{out}");
    assert!(out.contains("(silenced by top:"), "{out}");
    // A line that is no rule: exit 1 and the sentence that says where.
    std::fs::write(&file, "top:main.main\nmain.worker\n").unwrap();
    let (code, _, err) = parkview(&["report", "--ignore", file.to_str().unwrap(), s3]);
    assert_eq!(code, 1);
    assert!(err.contains("known.goleak: line 2: expected a rule"), "{err}");
    // The baseline leaves out what it had, and growth is measured against it.
    let r = json(&["report", "--json", "--baseline", s1, s3]);
    assert_eq!(r["growth_base"], "service.s1.goroutine.debug2.txt");
    let silenced = &r["silenced"][0];
    assert_eq!(silenced["rule"], "baseline service.s1.goroutine.debug2.txt");
    assert!(silenced["goroutines"].as_i64().unwrap() > 0);
    // A snapshot against itself as baseline: nothing left to suspect.
    let (code, _, err) = parkview(&["report", "--fail-on-suspects", "--baseline", s3, s3]);
    assert_eq!(code, 0, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_base_of_another_program_is_named_and_measures_no_growth() {
    // A crash of another program (a benchmark's concurrent map writes), not of the service.
    let crash = fixture("wild/054-joshcarp-benchmarks-concurrent-map-writes-go1.16-README.txt");
    let s3 = fixture("go1.27/service.s3.goroutine.debug2.txt");
    let s1 = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let (code, out, err) = parkview(&["report", "--json", "--base", crash.to_str().unwrap(), s3.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("looks like another program's snapshot"), "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(r["growth_base"], serde_json::Value::Null);
    assert!(r["leak_suspects"].as_array().unwrap().iter().all(|s| s["delta"].is_null()));
    // One program's snapshots: no note, and growth is measured.
    let (_, _, err) = parkview(&["report", "--json", "--base", s1.to_str().unwrap(), s3.to_str().unwrap()]);
    assert!(!err.contains("another program"), "{err}");
    let (code, _, err) = parkview(&["diff", crash.to_str().unwrap(), s3.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("look like two programs"), "{err}");
    let (_, _, err) = parkview(&["diff", s1.to_str().unwrap(), s3.to_str().unwrap()]);
    assert!(!err.contains("two programs"), "{err}");
}
