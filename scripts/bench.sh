#!/usr/bin/env bash
# Regenerates the figures of BENCHMARKS.md: criterion (native) and the in-browser benchmark,
# each beside `wc -l` of the same file. Inputs are generated (no Go needed) into $BENCH_DIR.
# Takes about 10 minutes on 2 cores, plus generating the inputs the first time. Usage: bash scripts/bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
runs=${1:-5}
dir=${BENCH_DIR:-/tmp/parkview-bench}
mkdir -p "$dir"
cargo build --release -q -p parkview-cli
cargo build --release -q -p parkview --example generate
gen=target/release/examples/generate
for n in 100000 300000; do
  k=$((n / 1000))k
  [ -f "$dir/g$k.debug2.txt" ] || $gen debug2 $n > "$dir/g$k.debug2.txt"
  [ -f "$dir/g$k.debug2.txt.gz" ] || gzip -1 -c "$dir/g$k.debug2.txt" > "$dir/g$k.debug2.txt.gz"
  [ -f "$dir/g$k.debug1.txt" ] || $gen debug1 $n > "$dir/g$k.debug1.txt"
  [ -f "$dir/g$k.pb.gz" ] || $gen proto $n > "$dir/g$k.pb.gz"
done
[ -f "$dir/g310k.debug2.txt" ] || $gen debug2 310000 > "$dir/g310k.debug2.txt"
[ -f "$dir/g1000k.debug2.txt" ] || $gen debug2 1000000 > "$dir/g1000k.debug2.txt"

echo "== native (criterion)"
cargo bench -q -p parkview --bench decode 2>&1 | grep -E '^[a-z+]|time:|thrpt:' | tee "$dir/criterion.txt"
echo "== wc -l"
for f in "$dir"/g300k.debug2.txt; do
  for i in $(seq "$runs"); do /usr/bin/time -f "%e" wc -l "$f" 2>&1 >/dev/null; done | sort -n | sed -n "$(( (runs + 1) / 2 ))p" | sed "s|^|wc -l $(basename "$f") median s: |"
done | tee "$dir/wc.txt"
echo "== in the browser"
trunk build --release --quiet
# The small fixture first: its peak memory is about what the page takes before any large file.
node e2e/bench/browser.js --runs "$runs" --out "$dir/browser.md" tests/fixtures/go1.27/service.s3.goroutine.debug2.txt \
  "$dir/g100k.debug2.txt" "$dir/g300k.debug2.txt" "$dir/g100k.debug2.txt.gz" "$dir/g300k.debug2.txt.gz" \
  "$dir/g100k.debug1.txt" "$dir/g300k.debug1.txt" "$dir/g100k.pb.gz" "$dir/g300k.pb.gz" \
  --diff "$dir/g300k.debug2.txt" "$dir/g310k.debug2.txt"
node e2e/bench/browser.js --runs 1 --out "$dir/browser-1m.md" "$dir/g1000k.debug2.txt" || echo "the 1M dump did not load"
