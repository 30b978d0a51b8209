//! Writes a realistic large input for benchmarks (a bench helper; not part of the page).
//!
//! cargo run --release --example generate -- FORMAT GOROUTINES [DISTINCT_STACKS] > FILE
//! FORMAT is debug2, debug1 or proto (gzipped).

#[path = "../benches/support/generate.rs"]
mod generate;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: generate debug2|debug1|proto GOROUTINES [DISTINCT_STACKS] > FILE";
    let (Some(format), Some(n)) = (args.first(), args.get(1).and_then(|n| n.replace('_', "").parse().ok())) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let mut spec = generate::Spec::new(n);
    if let Some(d) = args.get(2).and_then(|d| d.parse().ok()) {
        spec.distinct = d;
    }
    let bytes = match format.as_str() {
        "debug2" => generate::debug2(&spec),
        "debug1" => generate::debug1(&spec),
        "proto" => generate::proto(&spec),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    std::io::stdout().lock().write_all(&bytes).expect("write");
}
