//! Throughput of detect+decode per format, grouping, the diff of two snapshots and the report
//! rows, on generated inputs (300,000 goroutines by default; PARKVIEW_BENCH_GOROUTINES sets
//! another count) and on the dev corpus's 100k dump when ../shared is there.
//! `cargo bench` measures; CI runs `cargo bench -- --test` once on small inputs.

#[path = "support/generate.rs"]
mod generate;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use parkview::diff::{default_key, diff};
use parkview::group::{group, GroupBy};
use parkview::report::{report, ReportOptions};
use parkview::rows::distinctions;
use parkview::{decode, Options};
use std::hint::black_box;
use std::path::Path;

fn goroutines() -> usize {
    std::env::var("PARKVIEW_BENCH_GOROUTINES").ok().and_then(|n| n.parse().ok()).unwrap_or(300_000)
}

/// (name, bytes) of every input measured.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let n = goroutines();
    let spec = generate::Spec::new(n);
    let mut out = vec![
        (format!("generated {n} debug2"), generate::debug2(&spec)),
        (format!("generated {n} debug1"), generate::debug1(&spec)),
        (format!("generated {n} proto"), generate::proto(&spec)),
    ];
    let large = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/large");
    for (name, file) in [("corpus g100k debug2.txt.gz", "g100k.goroutine.debug2.txt.gz"), ("corpus g100k pb.gz", "g100k.goroutine.pb.gz")] {
        if let Ok(bytes) = std::fs::read(large.join(file)) {
            out.push((name.to_string(), bytes));
        }
    }
    out
}

fn decoding(c: &mut Criterion) {
    let mut g = c.benchmark_group("detect+decode");
    g.sample_size(10);
    for (name, bytes) in inputs() {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(&name), &bytes, |b, bytes| b.iter(|| decode(black_box(bytes), &Options::default()).expect("decodes")));
    }
    g.finish();
}

fn decode_and_group(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode+group");
    g.sample_size(10);
    let n = goroutines();
    let bytes = generate::debug2(&generate::Spec::new(n));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function(format!("generated {n} debug2"), |b| {
        b.iter(|| {
            let d = decode(black_box(&bytes), &Options::default()).expect("decodes");
            group(&d.profile, &GroupBy::default()).len()
        })
    });
    g.finish();
}

fn analyses(c: &mut Criterion) {
    let n = goroutines();
    let base = decode(&generate::debug2(&generate::Spec { seed: 2, ..generate::Spec::new(n) }), &Options::default()).expect("decodes");
    let new = decode(&generate::debug2(&generate::Spec::new(n)), &Options::default()).expect("decodes");
    let mut g = c.benchmark_group("analyses");
    g.sample_size(10);
    g.bench_function(format!("group {n} (any-value)"), |b| b.iter(|| group(black_box(&new.profile), &GroupBy::default())));
    g.bench_function(format!("diff two {n} snapshots"), |b| b.iter(|| diff(black_box(&base.profile), black_box(&new.profile), &default_key())));
    g.bench_function(format!("report rows {n}"), |b| b.iter(|| report(black_box(&new), &ReportOptions::default())));
    let rows = report(&new, &ReportOptions::default()).groups;
    g.bench_function(format!("distinctions of {} group rows", rows.len()), |b| b.iter(|| distinctions(black_box(&rows))));
    g.finish();
}

criterion_group!(benches, decoding, decode_and_group, analyses);
criterion_main!(benches);
