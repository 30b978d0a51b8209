#!/usr/bin/env bash
# Builds the site and serves it on http://127.0.0.1:${PORT:-8080}/ (installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release
echo "parkview is at http://127.0.0.1:${PORT:-8080}/ (Ctrl+C stops it)"
exec python3 -m http.server "${PORT:-8080}" --bind 127.0.0.1 --directory dist
