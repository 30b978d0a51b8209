#!/usr/bin/env bash
# Runs every test: native (core and CLI: unit, golden, table, property, corpus), the corpus
# checker (when ../shared is there), component tests in headless Chromium, and end-to-end tests
# of the built site in Chromium. Installs what it needs first. Ends with `steps: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "steps: 0 passed, 1 failed"; exit 1; }
export PATH="$PWD/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

passed=0 failed=0 failures=()
step() {
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf '=== %s: ok (%ds)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1)); failures+=("$name"); printf '=== %s: FAILED (%ds)\n' "$name" $((SECONDS - start))
  fi
}

step "format (rustfmt.toml) and lints (clippy, warnings are errors)" bash -c 'cargo fmt --all --check && cargo clippy --quiet --all-targets -- -D warnings && cd web && cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings'
step "native tests (core and CLI)" cargo test --quiet
step "release CLI" cargo build --release --quiet -p parkview-cli
step "fuzz smoke (30 s a target)" bash scripts/fuzz.sh
if [ -f ../shared/tools/check-report.py ] && [ -d ../shared/corpus ]; then
  step "dev corpus against the CLI" python3 ../shared/tools/check-report.py ../shared/corpus --bin target/release/parkview
  step "wild corpus smoke test" python3 ../shared/tools/check-report.py --smoke ../shared/corpus/wild --bin target/release/parkview
  step "native tests that read ../shared (ignored by a plain cargo test)" cargo test --quiet --test wild -- --ignored
else
  echo "(../shared is absent: skipped the corpus checks and the $(grep -c '^#\[ignore = "reads ../shared' tests/*.rs | awk -F: '{s+=$2} END {print s}') native tests that read it)"
fi
step "component tests in headless Chromium" bash -c 'cd web && cargo test --target wasm32-unknown-unknown'
step "site build (trunk --release)" trunk build --release --quiet
step "end-to-end tests in Chromium" bash -c 'cd e2e && node --test --test-concurrency=1 tests/'
step "benchmarks still run (small inputs)" env PARKVIEW_BENCH_GOROUTINES=5000 cargo bench --quiet -p parkview --bench decode -- --test
step "in-browser benchmark still runs (one small file)" node e2e/bench/browser.js --runs 1 tests/fixtures/go1.27/service.s3.goroutine.debug2.txt

printf '\n'
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
