//! Realistic large inputs for benchmarks, so that they need no Go: a service's goroutines
//! parked in the shapes the dev corpus shows (fan-out sends, worker pools in select, handlers
//! behind a mutex, sleeps, WaitGroups, IO waits, a deep recursion), with Go 1.27 label headers,
//! wait minutes and creators; thousands of distinct stacks. Written as debug=2, debug=1 or a
//! gzipped pprof proto of the same goroutines.

use flate2::write::GzEncoder;
use flate2::Compression;
use parkview::decode::pprof::proto::{PbFunction, PbLabel, PbLine, PbLocation, PbProfile, PbSample, PbValueType};
use prost::Message;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub goroutines: usize,
    /// About how many distinct stacks.
    pub distinct: usize,
    pub seed: u64,
}

impl Spec {
    pub fn new(goroutines: usize) -> Spec {
        Spec { goroutines, distinct: 3000, seed: 1 }
    }
}

/// xorshift64*: deterministic, fast, good enough for shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A parking shape: its state, the runtime frames a proto shows above it, and user frames.
struct Shape {
    state: &'static str,
    runtime: &'static [&'static str],
    frames: &'static [(&'static str, &'static str)],
    weight: u64,
    labelled: bool,
}

const SHAPES: &[Shape] = &[
    Shape {
        state: "chan send",
        runtime: &["runtime.gopark", "runtime.chansend", "runtime.chansend1"],
        frames: &[
            ("github.com/acme/orders/internal/search.(*Fanout).query", "search/fanout.go"),
            ("github.com/acme/orders/internal/search.(*Fanout).Run.gowrap1", "search/fanout.go"),
        ],
        weight: 30,
        labelled: true,
    },
    Shape {
        state: "select",
        runtime: &["runtime.gopark", "runtime.selectgo"],
        frames: &[
            ("github.com/acme/orders/internal/pool.(*Worker).loop", "pool/worker.go"),
            ("github.com/acme/orders/internal/pool.(*Pool).Start.func1", "pool/pool.go"),
        ],
        weight: 20,
        labelled: true,
    },
    Shape {
        state: "sync.Mutex.Lock",
        runtime: &["runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "internal/sync.runtime_SemacquireMutex"],
        frames: &[
            ("internal/sync.(*Mutex).lockSlow", "/usr/local/go/src/internal/sync/mutex.go"),
            ("sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go"),
            ("github.com/acme/orders/internal/cache.(*Prices).Get", "cache/prices.go"),
            ("github.com/acme/orders/internal/api.(*Server).handlePrice", "api/prices.go"),
            ("net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go"),
            ("net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go"),
        ],
        weight: 10,
        labelled: true,
    },
    Shape {
        state: "sleep",
        runtime: &["runtime.gopark", "time.Sleep"],
        frames: &[
            ("github.com/acme/orders/internal/retry.(*Loop).Run", "retry/loop.go"),
            ("github.com/acme/orders/internal/retry.Start.func1", "retry/loop.go"),
        ],
        weight: 8,
        labelled: false,
    },
    Shape {
        state: "sync.WaitGroup.Wait",
        runtime: &["runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1", "sync.runtime_SemacquireWaitGroup"],
        frames: &[
            ("sync.(*WaitGroup).Wait", "/usr/local/go/src/sync/waitgroup.go"),
            ("github.com/acme/orders/internal/walk.(*Walker).visit", "walk/walker.go"),
            ("github.com/acme/orders/internal/walk.(*Walker).visit", "walk/walker.go"),
            ("github.com/acme/orders/internal/walk.(*Walker).Walk", "walk/walker.go"),
        ],
        weight: 6,
        labelled: true,
    },
    Shape {
        state: "IO wait",
        runtime: &["runtime.gopark", "runtime.netpollblock", "internal/poll.runtime_pollWait"],
        frames: &[
            ("internal/poll.(*pollDesc).wait", "/usr/local/go/src/internal/poll/fd_poll_runtime.go"),
            ("internal/poll.(*pollDesc).waitRead", "/usr/local/go/src/internal/poll/fd_poll_runtime.go"),
            ("internal/poll.(*FD).Read", "/usr/local/go/src/internal/poll/fd_unix.go"),
            ("net.(*netFD).Read", "/usr/local/go/src/net/fd_posix.go"),
            ("net.(*conn).Read", "/usr/local/go/src/net/net.go"),
            ("net/http.(*persistConn).Read", "/usr/local/go/src/net/http/transport.go"),
            ("bufio.(*Reader).fill", "/usr/local/go/src/bufio/bufio.go"),
            ("net/http.(*persistConn).readLoop", "/usr/local/go/src/net/http/transport.go"),
        ],
        weight: 4,
        labelled: false,
    },
    Shape {
        state: "chan receive",
        runtime: &["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1"],
        frames: &[
            ("github.com/acme/orders/internal/events.(*Bus).pump", "events/bus.go"),
            ("github.com/acme/orders/internal/events.(*Bus).Subscribe.gowrap1", "events/bus.go"),
        ],
        weight: 12,
        labelled: true,
    },
    Shape {
        state: "sync.Cond.Wait",
        runtime: &["runtime.gopark", "runtime.goparkunlock", "sync.runtime_notifyListWait"],
        frames: &[
            ("sync.(*Cond).Wait", "/usr/local/go/src/sync/cond.go"),
            ("github.com/acme/orders/internal/queue.(*Queue).Pop", "queue/queue.go"),
            ("github.com/acme/orders/internal/queue.(*Consumer).run", "queue/consumer.go"),
        ],
        weight: 6,
        labelled: false,
    },
    Shape {
        state: "chan receive (nil chan)",
        runtime: &["runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1"],
        frames: &[("github.com/acme/orders/internal/export.(*Job).watch", "export/job.go")],
        weight: 1,
        labelled: false,
    },
];

const ROUTES: &[&str] = &["GET /api/orders", "POST /api/orders", "GET /api/orders/{id}", "GET /api/prices", "POST /api/checkout", "GET /api/search"];
const TENANTS: &[&str] = &["acme", "globex corp", "initech", "umbrella", "hooli"];

/// One distinct stack: a shape, a variant (line numbers and a recursion depth), labels.
struct Stack {
    shape: usize,
    lines: Vec<u32>,
    depth: usize,
    labels: Option<(usize, usize)>,
}

fn stacks(spec: &Spec, rng: &mut Rng) -> Vec<Stack> {
    let total: u64 = SHAPES.iter().map(|s| s.weight).sum();
    (0..spec.distinct.max(1))
        .map(|i| {
            let mut pick = rng.below(total);
            let shape = SHAPES.iter().position(|s| {
                if pick < s.weight {
                    return true;
                }
                pick -= s.weight;
                false
            });
            let shape = shape.unwrap_or(0);
            let frames = SHAPES[shape].frames.len();
            let lines = (0..frames).map(|f| 20 + (f as u32) * 17 + (i as u32 % 40)).collect();
            // Every seventh stack of a recursive shape goes deep, as real walkers do.
            let depth = if SHAPES[shape].state == "sync.WaitGroup.Wait" && i % 7 == 0 { 40 + i % 90 } else { 0 };
            let labels = SHAPES[shape].labelled.then(|| (rng.below(ROUTES.len() as u64) as usize, rng.below(TENANTS.len() as u64) as usize));
            Stack { shape, lines, depth, labels }
        })
        .collect()
}

/// The user frames of a stack, leaf first: (func, file, line).
fn user_frames(st: &Stack) -> Vec<(&'static str, String, u32)> {
    let shape = &SHAPES[st.shape];
    let mut out = Vec::new();
    for (i, (func, file)) in shape.frames.iter().enumerate() {
        let file = if file.starts_with('/') { file.to_string() } else { format!("/src/orders/internal/{file}") };
        out.push((*func, file.clone(), st.lines[i]));
        if i == 1 && st.depth > 0 {
            for d in 0..st.depth {
                out.push((*func, file.clone(), st.lines[i] + (d as u32 % 3)));
            }
        }
    }
    out
}

fn label_value(v: &str) -> String {
    if v.bytes().all(|c| c.is_ascii_alphanumeric() || b"./_".contains(&c)) {
        v.to_string()
    } else {
        format!("{v:?}")
    }
}

/// Which stack each goroutine has: a few stacks hold most goroutines, as in a leak.
fn assignment(spec: &Spec, rng: &mut Rng, distinct: usize) -> Vec<usize> {
    (0..spec.goroutines)
        .map(|_| {
            let r = rng.below(1000);
            if r < 600 {
                (rng.below(20) as usize).min(distinct - 1)
            } else {
                rng.below(distinct as u64) as usize
            }
        })
        .collect()
}

/// A `?debug=2` dump.
pub fn debug2(spec: &Spec) -> Vec<u8> {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let all = stacks(spec, &mut rng);
    let mut out = String::with_capacity(spec.goroutines * 800);
    out += "goroutine 1 [running]:\nmain.main()\n\t/src/orders/cmd/ordersd/main.go:88 +0x1d\n\n";
    for (n, &s) in assignment(spec, &mut rng, all.len()).iter().enumerate() {
        let st = &all[s];
        let shape = &SHAPES[st.shape];
        let id = n as u64 + 20;
        let minutes = if rng.below(4) == 0 { String::new() } else { format!(", {} minutes", 1 + rng.below(90)) };
        let labels = st.labels.map_or(String::new(), |(r, t)| format!(" {{route: {}, tenant: {}}}", label_value(ROUTES[r]), label_value(TENANTS[t])));
        let _ = writeln!(out, "goroutine {id} [{}{minutes}]{labels}:", shape.state);
        for (func, file, line) in user_frames(st) {
            let _ = writeln!(out, "{func}(0xc{:09x}, 0x{:x})\n\t{file}:{line} +0x{:x}", rng.below(1 << 36), rng.below(64), 0x20 + rng.below(0x400));
        }
        let creator = shape.frames.last().map_or("main.main", |f| f.0);
        let _ = writeln!(
            out,
            "created by {creator} in goroutine {}\n\t/src/orders/internal/start.go:{} +0x{:x}\n",
            1 + rng.below(20),
            40 + st.shape,
            0x80 + rng.below(0x100)
        );
    }
    out.into_bytes()
}

/// The same moment as `?debug=1`: records per stack and label set.
pub fn debug1(spec: &Spec) -> Vec<u8> {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let all = stacks(spec, &mut rng);
    let mut counts: HashMap<usize, u64> = HashMap::new();
    for s in assignment(spec, &mut rng, all.len()) {
        *counts.entry(s).or_insert(0) += 1;
    }
    let mut records: Vec<(usize, u64)> = counts.into_iter().collect();
    records.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = format!("goroutine profile: total {}\n", spec.goroutines + 1);
    out += "1 @ 0x4a1b2c\n#\t0x4a1b2b\tmain.main+0x1c\t/src/orders/cmd/ordersd/main.go:88\n\n";
    for (s, count) in records {
        let st = &all[s];
        let frames = user_frames(st);
        let pcs: Vec<String> = (0..frames.len() + SHAPES[st.shape].runtime.len()).map(|i| format!("0x{:x}", 0x40_0000 + s * 4096 + i * 16)).collect();
        let _ = writeln!(out, "{count} @ {}", pcs.join(" "));
        if let Some((r, t)) = st.labels {
            let _ = writeln!(out, "# labels: {{\"route\":{:?}, \"tenant\":{:?}}}", ROUTES[r], TENANTS[t]);
        }
        for (i, (func, file, line)) in frames.iter().enumerate() {
            let _ = writeln!(out, "#\t0x{:x}\t{func}+0x{:x}\t\t{file}:{line}", 0x40_0000 + s * 4096 + i * 16, 0x20 + i);
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Builds a profile.proto: interned strings, functions and locations.
#[derive(Default)]
struct ProtoBuilder {
    p: PbProfile,
    strings: HashMap<String, i64>,
    functions: HashMap<(String, String), u64>,
    locations: HashMap<(u64, u32), u64>,
}

impl ProtoBuilder {
    fn string(&mut self, s: &str) -> i64 {
        if let Some(&id) = self.strings.get(s) {
            return id;
        }
        if self.p.string_table.is_empty() {
            self.p.string_table.push(String::new());
            self.strings.insert(String::new(), 0);
        }
        self.p.string_table.push(s.to_string());
        let id = self.p.string_table.len() as i64 - 1;
        self.strings.insert(s.to_string(), id);
        id
    }

    fn location(&mut self, func: &str, file: &str, line: u32) -> u64 {
        let fid = match self.functions.get(&(func.to_string(), file.to_string())) {
            Some(&id) => id,
            None => {
                let id = self.functions.len() as u64 + 1;
                let (name, filename) = (self.string(func), self.string(file));
                self.p.function.push(PbFunction { id, name, system_name: name, filename, start_line: line.saturating_sub(10) as i64 });
                self.functions.insert((func.to_string(), file.to_string()), id);
                id
            }
        };
        let next = self.locations.len() as u64 + 1;
        let p = &mut self.p;
        *self.locations.entry((fid, line)).or_insert_with(|| {
            p.location.push(PbLocation {
                id: next,
                mapping_id: 0,
                address: 0x40_0000 + next * 16,
                line: vec![PbLine { function_id: fid, line: line as i64, column: 0 }],
                is_folded: false,
            });
            next
        })
    }
}

/// The same moment as a gzipped goroutine profile proto.
pub fn proto(spec: &Spec) -> Vec<u8> {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let all = stacks(spec, &mut rng);
    let mut counts: HashMap<usize, i64> = HashMap::new();
    for s in assignment(spec, &mut rng, all.len()) {
        *counts.entry(s).or_insert(0) += 1;
    }
    let mut b = ProtoBuilder::default();
    let (goroutine, count) = (b.string("goroutine"), b.string("count"));
    b.p.sample_type = vec![PbValueType { r#type: goroutine, unit: count }];
    b.p.period_type = Some(PbValueType { r#type: goroutine, unit: count });
    b.p.period = 1;
    let (route, tenant) = (b.string("route"), b.string("tenant"));
    let mut records: Vec<(usize, i64)> = counts.into_iter().collect();
    records.sort();
    for (s, n) in records {
        let st = &all[s];
        let mut ids: Vec<u64> = SHAPES[st.shape].runtime.iter().map(|f| b.location(f, "/usr/local/go/src/runtime/proc.go", 400)).collect();
        for (func, file, line) in user_frames(st) {
            ids.push(b.location(func, &file, line));
        }
        ids.push(b.location("runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s", 1700));
        let label = st.labels.map_or(Vec::new(), |(r, t)| {
            vec![PbLabel { key: route, str: b.string(ROUTES[r]), num: 0, num_unit: 0 }, PbLabel { key: tenant, str: b.string(TENANTS[t]), num: 0, num_unit: 0 }]
        });
        b.p.sample.push(PbSample { location_id: ids, value: vec![n], label });
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&b.p.encode_to_vec()).expect("into memory");
    gz.finish().expect("into memory")
}
