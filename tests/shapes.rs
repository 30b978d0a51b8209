//! One table per header and body shape of DESIGN.md section 2, each row a literal dump line
//! (or a few) and what the model must hold.

mod common;

use common::decode_text;
use parkview::decode::traceback::{parse_file_line, parse_func_line, parse_header, Header};
use parkview::model::Elision;
use parkview::Format;

fn header(line: &str) -> Header {
    parse_header(line.as_bytes()).unwrap_or_else(|| panic!("not read as a header: {line}"))
}

#[test]
fn header_shapes() {
    struct Row {
        line: &'static str,
        id: u64,
        state: &'static str,
        minutes: Option<u32>,
        leaked: bool,
        locked: bool,
        labels: &'static [(&'static str, &'static str)],
    }
    let rows = [
        Row { line: "goroutine 8 [chan receive, 1 minutes]:", id: 8, state: "chan receive", minutes: Some(1), leaked: false, locked: false, labels: &[] },
        Row {
            line: r#"goroutine 8 [chan receive, 1 minutes] {route: "GET /x", tenant: acme}:"#,
            id: 8,
            state: "chan receive",
            minutes: Some(1),
            leaked: false,
            locked: false,
            labels: &[("route", "GET /x"), ("tenant", "acme")],
        },
        Row {
            line: r#"goroutine 9 [select] {path: "a\"b\\c\x41\u00e9", k: v.1/x_y}:"#,
            id: 9,
            state: "select",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[("path", "a\"b\\cA\u{e9}"), ("k", "v.1/x_y")],
        },
        Row {
            line: r#"goroutine 23 [chan receive labels:{"handler": "/api", "tenant": "a b"}]:"#,
            id: 23,
            state: "chan receive",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[("handler", "/api"), ("tenant", "a b")],
        },
        Row {
            line: r#"goroutine 24 [select labels:{"route": "POST /a/{id}]x", "t": "y"}]:"#,
            id: 24,
            state: "select",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[("route", "POST /a/{id}]x"), ("t", "y")],
        },
        Row {
            line: "goroutine 1 gp=0xc000002380 m=0 mp=0xa45da0 [running]:",
            id: 1,
            state: "running",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[],
        },
        Row {
            line: "goroutine 38 gp=0xc00019ee00 m=nil [GC worker (idle)]:",
            id: 38,
            state: "GC worker (idle)",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[],
        },
        Row { line: "goroutine 182 [chan send (leaked)]:", id: 182, state: "chan send", minutes: None, leaked: true, locked: false, labels: &[] },
        Row {
            line: "goroutine 5 [chan receive (nil chan)]:",
            id: 5,
            state: "chan receive (nil chan)",
            minutes: None,
            leaked: false,
            locked: false,
            labels: &[],
        },
        Row { line: "goroutine 6 [select (no cases)]:", id: 6, state: "select (no cases)", minutes: None, leaked: false, locked: false, labels: &[] },
        Row { line: "goroutine 7 [GC assist marking (scan)]:", id: 7, state: "GC assist marking", minutes: None, leaked: false, locked: false, labels: &[] },
        Row { line: "goroutine 20 [chan receive, locked to thread]:", id: 20, state: "chan receive", minutes: None, leaked: false, locked: true, labels: &[] },
        Row {
            line: "goroutine 21 [select, 5 minutes, locked to thread]:",
            id: 21,
            state: "select",
            minutes: Some(5),
            leaked: false,
            locked: true,
            labels: &[],
        },
        Row {
            line: "goroutine 3 [chan receive (leaked), 4 minutes]:",
            id: 3,
            state: "chan receive",
            minutes: Some(4),
            leaked: true,
            locked: false,
            labels: &[],
        },
    ];
    for row in rows {
        let h = header(row.line);
        assert_eq!(
            (h.id, h.state.as_str(), h.wait_minutes, h.leaked, h.locked_to_thread),
            (row.id, row.state, row.minutes, row.leaked, row.locked),
            "{}",
            row.line
        );
        let labels: Vec<(&str, &str)> = h.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(labels, row.labels, "{}", row.line);
    }
}

#[test]
fn the_decoder_reads_every_header_as_the_header_parser_does() {
    // Brackets and label tails are cached apart in the decoder: the same bracket with other
    // labels, the same labels after other brackets, and labels inside a bracket (Go 1.26).
    let lines = [
        "goroutine 1 [chan receive, 1 minutes]:",
        r#"goroutine 2 [chan receive, 1 minutes] {route: "GET /x", tenant: acme}:"#,
        r#"goroutine 3 [chan receive, 2 minutes] {route: "GET /x", tenant: acme}:"#,
        r#"goroutine 4 [select] {route: "GET /x", tenant: acme}:"#,
        r#"goroutine 5 [select] {route: "a]b}c", tenant: "x, 3 minutes"}:"#,
        r#"goroutine 6 [select labels:{"route": "POST /a/{id}]x", "t": "y"}]:"#,
        r#"goroutine 7 [select labels:{"route": "GET /x"}] {tenant: acme}:"#,
        "goroutine 8 [chan send (leaked), 4 minutes, locked to thread]:",
        "goroutine 9 [chan receive, 1 minutes]:",
        "goroutine 10 [chan receive, bogus part]:",
    ];
    let dump: String = lines.iter().map(|l| format!("{l}\nmain.f()\n\t/src/x.go:1 +0x1\n\n")).collect();
    let d = decode_text(&dump);
    let p = &d.profile;
    assert_eq!(p.goroutines.len(), lines.len());
    for (g, line) in p.goroutines.iter().zip(lines) {
        let Some(h) = parse_header(line.as_bytes()) else { panic!("{line}") };
        let labels: Vec<(String, String)> = parkview::rows::label_map(p, g.labels).into_iter().collect();
        let mut expected = h.labels.clone();
        expected.sort();
        assert_eq!(
            (g.id, p.strings.get(g.state), g.wait_minutes, g.leaked, g.locked_to_thread, labels),
            (h.id, h.state.as_str(), h.wait_minutes, h.leaked, h.locked_to_thread, expected),
            "{line}"
        );
    }
    assert!(d.warnings.iter().any(|w| w.message.contains("bogus part")), "{:?}", d.warnings);
}

#[test]
fn synctest_and_durable_states() {
    let h = header("goroutine 11 [chan receive (durable), synctest bubble 3]:");
    assert_eq!((h.state.as_str(), h.durable, h.synctest_bubble), ("chan receive", true, Some(3)));
    let h = header("goroutine 12 [sleep, synctest group 7]:");
    assert_eq!((h.state.as_str(), h.synctest_bubble), ("sleep", Some(7)));
}

#[test]
fn lines_that_are_not_headers() {
    for line in [
        "goroutine os.(*Process).blockUntilWaitable1( [0xc00001a1e0chan receive, ]:",
        "[originating from goroutine 24]:",
        "goroutine 5 [chan receive",
        "goroutine x [running]:",
        " Goroutine 179341 in state chan receive, with x on top of the stack:",
    ] {
        assert!(parse_header(line.as_bytes()).is_none(), "{line}");
    }
}

#[test]
fn function_line_shapes() {
    let rows: &[(&str, &str, &str)] = &[
        ("main.main()", "main.main", ""),
        ("example.com/x/pkg.(*T).Method.func1(0xc000010000, 0x1)", "example.com/x/pkg.(*T).Method.func1", "0xc000010000, 0x1"),
        ("runtime/pprof.writeGoroutine({0xafe480?, 0x20d8bc1a7590?}, 0x408c95?)", "runtime/pprof.writeGoroutine", "{0xafe480?, 0x20d8bc1a7590?}, 0x408c95?"),
        ("main.foo(...)", "main.foo", "..."),
        ("github.com/smallnest/chanx.process[...](0xc0880dccc0)", "github.com/smallnest/chanx.process[...]", "0xc0880dccc0"),
        ("context.func·001()", "context.func·001", ""),
        ("net.funcВ·028()", "net.funcВ·028", ""),
        ("type..eq.[2]interface {}(0x1, 0x2)", "type..eq.[2]interface {}", "0x1, 0x2"),
        ("runtime.goexit({})", "runtime.goexit", "{}"),
        ("runfinq()", "runfinq", ""),
        // Cut off inside its arguments (a log excerpt).
        ("gvisor.dev/x.(*T).WriteFromBlocks(0xc420ef06e0, 0x7fe2a3453200, 0x", "gvisor.dev/x.(*T).WriteFromBlocks", "0xc420ef06e0, 0x7fe2a3453200, 0x"),
    ];
    for (line, name, args) in rows {
        let (n, a) = parse_func_line(line.as_bytes()).unwrap_or_else(|| panic!("not a function line: {line}"));
        assert_eq!((std::str::from_utf8(n).unwrap(), std::str::from_utf8(a).unwrap()), (*name, *args), "{line}");
    }
    for line in ["main.main)(", "PC=runtime.findrunnable0x489f38( m=0xc0000200000,  sigcode=0x0128)", "panic: boom (x)"] {
        assert!(parse_func_line(line.as_bytes()).is_none(), "{line}");
    }
}

#[test]
fn file_line_shapes() {
    let rows: &[(&str, &str, u32)] = &[
        ("\t/src/x/search.go:41 +0x1c", "/src/x/search.go", 41),
        ("\t/usr/local/go/src/runtime/proc.go:1985", "/usr/local/go/src/runtime/proc.go", 1985),
        (
            "\t/usr/local/go/src/runtime/sys_linux_amd64.s:575 +0x21 fp=0x7ffd150afc28 sp=0x7ffd150afc20 pc=0x48be41",
            "/usr/local/go/src/runtime/sys_linux_amd64.s",
            575,
        ),
        ("\t/usr/local/go/src/runtime/proc.go:259 fp=0x10939f8c sp=0x10939f78", "/usr/local/go/src/runtime/proc.go", 259),
        ("        /home/x/main.go:12 +0x5a", "/home/x/main.go", 12),
        ("syzkaller/pkg/image/compression_optimized.go:65 +0x5cb", "syzkaller/pkg/image/compression_optimized.go", 65),
        ("\tC:/Users/felixge/pprof.go:693 +0x9f", "C:/Users/felixge/pprof.go", 693),
        ("\tC:/Program Files/Go/src/runtime/proc.go:250 +0x1", "C:/Program Files/Go/src/runtime/proc.go", 250),
        ("\t??:0 +0x5a", "??", 0),
        ("\t<autogenerated>:1 +0x2b", "<autogenerated>", 1),
        ("\t/home/andrey/Рабочий стол/Дамп горутин.go:23 +0x3d", "/home/andrey/Рабочий стол/Дамп горутин.go", 23),
    ];
    for (line, file, number) in rows {
        let (f, n) = parse_file_line(line.as_bytes()).unwrap_or_else(|| panic!("not a file line: {line}"));
        assert_eq!((std::str::from_utf8(f).unwrap(), n), (*file, *number), "{line}");
    }
    assert!(parse_file_line(b"main.main()").is_none());
}

/// Body shapes: each dump holds one shape; the goroutine must come out whole.
#[test]
fn body_shapes() {
    let d = decode_text("goroutine 5 [chan send]:\nmain.worker()\n\t/x/main.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/x/main.go:4 +0x2\n");
    let g = &d.profile.goroutines[0];
    assert_eq!((g.parent, d.profile.frames.get(g.created_by.unwrap()).line), (Some(1), 4));

    let d = decode_text("goroutine 5 [chan send]:\nmain.worker()\n\t/x/main.go:9 +0x1\ncreated by main.main\n\t/x/main.go:4 +0x2\n");
    assert_eq!(d.profile.goroutines[0].parent, None, "pre-1.21 creators name no parent");

    let d = decode_text("goroutine 5 [running]:\nmain.f()\n\t/x/main.go:9 +0x1\n...12 frames elided...\nmain.main()\n\t/x/main.go:2\n");
    assert_eq!((d.profile.goroutines[0].elision, d.profile.stack(d.profile.goroutines[0].stack).len()), (Elision::Frames(12), 2));

    let d = decode_text("goroutine 5 [running]:\nmain.f()\n\t/x/main.go:9 +0x1\n...additional frames elided...\n");
    assert_eq!(d.profile.goroutines[0].elision, Elision::Additional);

    let d = decode_text("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:3\n\ngoroutine 7 [running]:\n\tgoroutine running on other thread; stack unavailable\ncreated by main.main\n\t/x/main.go:5 +0x1\n");
    assert!(d.profile.goroutines[1].stack_unavailable);
    assert!(d.profile.goroutines[1].created_by.is_some());

    let d = decode_text("goroutine 25 [chan receive]:\nmain.bar()\n\t/x/a.go:57 +0x11c\ncreated by main.d1\n\t/x/a.go:69 +0x34\n[originating from goroutine 24]:\nmain.d1(...)\n\t/x/a.go:70 +0x34\n[originating from goroutine 23]:\nmain.d1(...)\n\t/x/a.go:73 +0x54\n");
    let g = &d.profile.goroutines[0];
    assert_eq!(g.ancestors.iter().map(|a| a.id).collect::<Vec<_>>(), vec![24, 23]);
    assert_eq!(d.profile.func_name(g.created_by.unwrap()), "main.d1");

    let d = decode_text("goroutine 1 [running]:\r\nmain.main()\r\n\t/x/main.go:3 +0x1\r\n\r\ngoroutine 2 [select]:\r\nmain.w()\r\n\t/x/main.go:8 +0x1\r\n");
    assert_eq!(d.profile.goroutines.len(), 2);
    assert_eq!(d.profile.strings.get(d.profile.frames.get(d.profile.stack(d.profile.goroutines[1].stack)[0]).file), "/x/main.go");

    let d = decode_text("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\n\ngoroutine 2 [select]:\nmain.w(");
    assert_eq!(d.profile.goroutines.len(), 2);
    assert!(d.profile.truncated, "a last goroutine cut off mid-way");
}

#[test]
fn real_paste_shapes() {
    // Timestamps on every line (CI logs).
    let d = decode_text(
        "2022-12-25T16:09:45.9555252Z goroutine 7 [chan receive]:\n2022-12-25T16:09:45.9555427Z main.p(0x1)\n2022-12-25T16:09:45.9555654Z \t/x/a.go:55 +0xd8\n",
    );
    assert_eq!((d.profile.goroutines.len(), d.profile.stack(d.profile.goroutines[0].stack).len()), (1, 1));
    // A header glued to the text before it.
    let d = decode_text("dumping all stacksgoroutine 1 [running]:\nmain.main()\n\t/x/main.go:26 +0x228\n");
    assert_eq!(d.profile.goroutines[0].id, 1);
    // A log prefix before a panic makes a traceback, with its crash record.
    let d = decode_text("2024/01/02 10:00:00 starting\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\nexit status 2\n");
    assert_eq!(d.format, Format::Traceback);
    let crash = d.profile.crash.as_ref().unwrap();
    assert_eq!((crash.panic.clone(), crash.first_goroutine), (vec!["panic: boom".to_string()], Some(1)));
    // A panic during a panic prints its second line indented.
    let d = decode_text("panic: first [recovered]\n\tpanic: second\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1\n");
    assert_eq!(d.profile.crash.as_ref().unwrap().panic, vec!["panic: first [recovered]", "panic: second"]);
    // SIGQUIT, a register dump after the last goroutine.
    let d = decode_text("SIGQUIT: quit\nPC=0x48be41 m=0 sigcode=0\n\ngoroutine 1 [sleep]:\ntime.Sleep(0x1)\n\t/go/time.go:1 +0x1\n\nrax    0x0\nrbx    0x1\n");
    assert_eq!((d.skipped, d.profile.crash.as_ref().unwrap().signal.as_deref()), (0, Some("SIGQUIT: quit")));
    // The same goroutine printed twice with the same gp= (GOTRACEBACK=crash) counts once.
    let d = decode_text("goroutine 1 gp=0xc0 m=0 mp=0x1 [running]:\nmain.main()\n\t/x/m.go:1 +0x1\n\ngoroutine 1 gp=0xc0 m=0 mp=0x1 [running]:\nmain.main()\n\t/x/m.go:1 +0x1\n");
    assert_eq!(d.profile.goroutines.len(), 1);
    // A stack logged by a recovering handler is no crash.
    let d = decode_text("2024/01/02 handler recovered\ngoroutine 9 [running]:\nmain.h()\n\t/x/h.go:1 +0x1\n");
    assert!(d.profile.crash.is_none());
}

#[test]
fn a_broken_line_becomes_a_warning_and_the_rest_is_read() {
    let d = decode_text("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:152 +0x3d2\n\ngoroutine 2 [running]:\nmain.main)(\n\t/x/main.go:152 +0x3d2\n\ngoroutine 3 [running]:\nmain.foo()\n\t/x/main.go:182 +0x123\n");
    assert_eq!(d.profile.goroutines.len(), 3);
    assert_eq!(d.skipped, 2);
    assert!(d.warnings[0].line == 6 && d.warnings[0].message.contains("goroutine 2"), "{:?}", d.warnings);
}

#[test]
fn debug1_shapes() {
    let d = decode_text("goroutine profile: total 3\n2 @ 0x1 0x2\n# labels: {\"route\":\"GET /x\", \"tenant\":\"a b\"}\n#\t0x1\tmain.worker+0x1c\t/x/w.go:9\n#\t0x2\tmain.main+0x2\t\t\t/x/m.go:3\n\n1 @ 0x47a541\n");
    let p = &d.profile;
    assert_eq!(p.goroutine_count(), Some(3));
    assert_eq!(p.samples.len(), 2);
    assert_eq!(p.label_text(&p.labels(p.samples[0].labels)[0].1), "GET /x");
    assert_eq!(p.func_name(p.stack(p.samples[1].stack)[0]), "0x47a541", "a record without symbols keeps its address");
    let d = decode_text("goroutineleak profile: total 1\n1 @ 0x1\n#\t0x1\tmain.leak+0x1\t/x/l.go:1\n");
    assert_eq!(d.profile.kind.name(), "goroutineleak");
    let d = decode_text(
        "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.a+0x1\t/x/a.go:1\n\ngoroutine profile: total 1\n1 @ 0x2\n#\t0x2\tmain.b+0x1\t/x/b.go:1\n",
    );
    assert_eq!(d.profile.goroutine_count(), Some(2), "concatenated profiles count together");
    assert!(d.warnings.iter().any(|w| w.message.contains("concatenated")));
}

#[test]
fn debug1_record_lines_abbreviated_by_hand_keep_their_count() {
    // (record lines of a goroutineleak profile as pasted, the goroutines and frames read)
    let table: &[(&str, i64, &[&str])] = &[
        ("7 @ 0x100eb475c 0x100e946d4 ...\n#\t0x101051680\tmain.(*Stats).Record+0x20\t./main.go:56\n", 7, &["main.(*Stats).Record"]),
        ("1 @ ...\tmain.main+0x2bb\t\t./main.go:185       <- main, [chan receive]\n", 1, &["main.main"]),
        ("1 @ ...\tsync.(*WaitGroup).Wait+0xa7 ... main.main.func2+0x23  ./main.go:160\n", 1, &["sync.(*WaitGroup).Wait", "main.main.func2"]),
    ];
    for (record, count, frames) in table {
        let d = decode_text(&format!("goroutineleak profile: total {count}\n{record}"));
        let p = &d.profile;
        assert_eq!(p.samples.len(), 1, "{record}");
        assert_eq!(p.samples[0].values[0], *count, "{record}");
        let names: Vec<&str> = p.stack(p.samples[0].stack).iter().map(|&f| p.func_name(f)).collect();
        assert_eq!(names, *frames, "{record}");
        assert_eq!(d.skipped, 0, "{record}");
        assert!(d.warnings.iter().any(|w| w.line == 2 && w.message.contains("not addresses")), "{record}: {:?}", d.warnings);
    }
    let named = decode_text("goroutine profile: total 1\n1 @ ...\tmain.main+0x2bb\t./main.go:185\n");
    let p = &named.profile;
    let frame = p.frames.get(p.stack(p.samples[0].stack)[0]);
    assert_eq!((p.strings.get(frame.file), frame.line), ("./main.go", 185));
}

#[test]
fn a_heap_profile_whose_records_do_not_add_up_to_its_header_says_so() {
    let text = "heap profile: 2: 262656 [808: 1065536] @ heap/1048576\n1: 262144 [1: 262144] @ 0x1\n#\t0x1\tmain.f+0x1\t/m.go:3\n";
    let d = decode_text(text);
    let w: Vec<&str> = d.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        ["the header announces 2 in-use objects / 262656 B and 808 / 1065536 B allocated (as sampled); the records add up to 1 / 262144 B and 1 / 262144 B"]
    );
    let whole = decode_text("heap profile: 1: 262144 [1: 262144] @ heap/1048576\n1: 262144 [1: 262144] @ 0x1\n#\t0x1\tmain.f+0x1\t/m.go:3\n");
    assert!(whole.warnings.is_empty(), "{:?}", whole.warnings);
}

#[test]
fn goleak_lines_stand_for_a_header_and_give_way_to_one() {
    // goleak 1.3 and later: its line alone.
    let alone = decode_text("[Goroutine 7 in state chan receive, with main.wait on top of the stack:\nmain.wait()\n\t/m.go:3 +0x1\n]\n");
    let p = &alone.profile;
    assert_eq!(p.goroutines.len(), 1);
    assert_eq!((p.goroutines[0].id, p.strings.get(p.goroutines[0].state)), (7, "chan receive"));
    assert!(alone.warnings.is_empty(), "{:?}", alone.warnings);
    // Earlier goleak: its line, then Go's header, which is read instead.
    let both = decode_text(
        "Goroutine 7 in state chan receive, with main.wait on top of the stack:\ngoroutine 7 [chan receive, 3 minutes]:\nmain.wait()\n\t/m.go:3 +0x1\n",
    );
    let p = &both.profile;
    assert_eq!(p.goroutines.len(), 1);
    assert_eq!(p.goroutines[0].wait_minutes, Some(3));
    assert!(both.warnings.is_empty(), "{:?}", both.warnings);
}

#[test]
fn text_is_never_read_as_a_protobuf() {
    // Short prose and log lines can walk as protobuf fields; text holds none of the control
    // bytes a profile's field keys are.
    for text in ["hello, can you look at this?", "2026-11-30 starting service", "hi", "jj:", "ok then\n"] {
        match parkview::decode(text.as_bytes(), &parkview::Options::default()) {
            Err(parkview::DecodeError::NotAProfile(_)) => {}
            other => panic!("{text:?}: {:?}", other.map(|d| d.format)),
        }
    }
}

#[test]
fn the_runtime_stack_section_is_named_not_dropped_silently() {
    let d = decode_text("fatal error: unexpected signal during runtime execution\n\nruntime stack:\nruntime.throw({0x1, 0x2})\n\t/go/src/runtime/panic.go:1198 +0x71\n\ngoroutine 1 [syscall]:\nmain.main()\n\t/m.go:3 +0x1\n");
    assert_eq!(d.profile.goroutines.len(), 1);
    assert!(d.warnings.iter().any(|w| w.line == 3 && w.message.contains("runtime stack:")), "{:?}", d.warnings);
}
