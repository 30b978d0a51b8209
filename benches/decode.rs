//! Decode, group and diff throughput on the test fixtures (run `cargo bench`; CI runs it once
//! with `-- --test` to prove it still runs).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use parkview::diff::{default_key, diff};
use parkview::group::{group, GroupBy};
use parkview::{decode, Options};
use std::hint::black_box;
use std::path::Path;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)).expect("fixture")
}

fn decoding(c: &mut Criterion) {
    let mut g = c.benchmark_group("detect+decode");
    for rel in ["go1.27/service.s3.goroutine.debug2.txt", "go1.27/service.s3.goroutine.debug1.txt", "go1.27/service.s3.goroutine.pb.gz", "crash/sigquit.txt"] {
        let bytes = fixture(rel);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(rel, |b| b.iter(|| decode(black_box(&bytes), &Options::default()).expect("decodes")));
    }
    g.finish();
}

fn analyses(c: &mut Criterion) {
    let base = decode(&fixture("go1.27/service.s1.goroutine.debug2.txt"), &Options::default()).expect("decodes");
    let new = decode(&fixture("go1.27/service.s3.goroutine.debug2.txt"), &Options::default()).expect("decodes");
    c.bench_function("group debug2 (any-value)", |b| b.iter(|| group(black_box(&new.profile), &GroupBy::default())));
    c.bench_function("diff two debug2 snapshots", |b| b.iter(|| diff(black_box(&base.profile), black_box(&new.profile), &default_key())));
}

criterion_group!(benches, decoding, analyses);
criterion_main!(benches);
