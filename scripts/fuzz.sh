#!/usr/bin/env bash
# Fuzz smoke: runs each cargo-fuzz target of fuzz/ (decode, share_import, analyses) for
# ${FUZZ_SECONDS:-30} seconds, one after the other and one process each, and fails if any run
# finds a crash, a timeout or an out-of-memory (libFuzzer leaves the input in fuzz/artifacts/).
# Needs nightly Rust; without it the smoke is skipped. Installs cargo-fuzz when it is missing.
# An empty corpus is seeded first with the small fixtures of tests/fixtures (and, for
# share_import, with share fragments of a few of them when the release CLI is built).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz smoke skipped: no nightly toolchain"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz || exit 1
fi

seconds=${FUZZ_SECONDS:-30}
targets=(decode share_import analyses)
# Fixtures up to libFuzzer's -max_len (longer ones would be cut anyway).
max_len=65536

# Copies (not links) every small fixture of every folder of tests/fixtures into the corpus.
seed() {
  local target=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  find tests/fixtures -mindepth 2 -type f ! -name README.md -size -$((max_len + 1))c -print0 |
    while IFS= read -r -d '' f; do
      cp "$f" "$dir/$(echo "${f#tests/fixtures/}" | tr / _)"
    done
  if [ "$target" = share_import ] && [ -x target/release/parkview ]; then
    local f
    for f in tests/fixtures/crash/deadlock.txt tests/fixtures/go1.27/service.threadcreate.pb.gz \
             tests/fixtures/go1.27/service.goroutineleak.debug1.txt tests/fixtures/wild/001-DataDog-gostackparse-ancestors.txt; do
      [ -f "$f" ] && target/release/parkview share "$f" >"$dir/share-$(basename "$f").txt" 2>/dev/null
      [ -f "$f" ] && target/release/parkview share --redact "$f" >"$dir/share-redacted-$(basename "$f").txt" 2>/dev/null
    done
    # The JSON inside each fragment too: the target also reads its input as a link's JSON.
    command -v python3 >/dev/null && python3 - "$dir" <<'PY'
import base64, pathlib, sys, zlib
for f in pathlib.Path(sys.argv[1]).glob("share-*.txt"):
    data = f.read_text().strip().removeprefix("#v1.")
    json = zlib.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)), -15)
    f.with_suffix(".json").write_bytes(json)
PY
  fi
}

failed=()
for t in "${targets[@]}"; do
  if [ -z "$(ls -A "fuzz/corpus/$t" 2>/dev/null)" ]; then
    seed "$t"
  fi
  echo "[fuzz] $t for ${seconds}s" >&2
  if ! cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=$max_len \
      -timeout=10 -dict="fuzz/dicts/$t.dict" -print_final_stats=1; then
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz smoke failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz smoke: ${targets[*]} ran ${seconds}s each without a finding"
