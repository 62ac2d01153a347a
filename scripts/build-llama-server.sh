#!/usr/bin/env bash
# Builds the real llama-server from the llama.cpp source that node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle), so the load-test client (src/engine/loadtest/) is tested
# against a real OpenAI-compatible server. Cached per source commit under
#   ${KVLENS_CACHE:-~/.cache/kvlens}/llama-server/<commit>/llama-server
# and prints that path on the last line of stdout. ~5 min on 2 cores (one target only: llama-server and what it
# links; no tests, examples, web UI, OpenSSL or curl), a ~15 MB static binary. Run once, reuse.
#
# On the shared development machine run it under the team's heavy-work lock:
#   flock /tmp/kvlens-heavy.lock bash scripts/build-llama-server.sh
# The tests call it when the binary is missing (they already run under that lock via `npm test`), so this script
# takes only its own build lock: two callers at once build once, the second waits and reuses the result.
#
# Build options as scripts/build-llama-bench.sh (same CPU kernels as the bundled engine): GGML_NATIVE=ON picks
# this CPU's ISA level, GGML_OPENMP=OFF uses ggml's own thread pool like the prebuilt node-llama-cpp binary.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="${KVLENS_LLAMA_BUNDLE:-$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle}"
CACHE="${KVLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvlens}/llama-server"
JOBS="${JOBS:-$(nproc)}"
[ -f "$BUNDLE" ] || { echo "missing $BUNDLE (npm install node-llama-cpp first)" >&2; exit 2; }
for t in git cmake g++ flock; do command -v "$t" >/dev/null 2>&1 || { echo "build-llama-server: '$t' is not installed (Debian: apt-get install git cmake g++ util-linux)" >&2; exit 2; }; done

# The commit is read from the bundle's HEAD without cloning, so a cached build costs nothing to find.
COMMIT="$(git bundle list-heads "$BUNDLE" | awk '$2 == "HEAD" { print $1; exit }')"
[ -n "$COMMIT" ] || { echo "cannot read HEAD from $BUNDLE" >&2; exit 2; }
OUT="$CACHE/$COMMIT"
if [ -x "$OUT/llama-server" ]; then echo "$OUT/llama-server"; exit 0; fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9
# Someone else may have finished the same build while we waited for the lock.
if [ -x "$OUT/llama-server" ]; then echo "$OUT/llama-server"; exit 0; fi

SRC="$CACHE/src-$COMMIT"
if [ ! -d "$SRC/.git" ]; then
  rm -rf "$SRC.tmp"
  git clone --quiet "$BUNDLE" "$SRC.tmp" >&2
  mv "$SRC.tmp" "$SRC"
fi
BUILD="$CACHE/build-$COMMIT"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF \
  -DGGML_NATIVE=ON -DGGML_OPENMP=OFF >&2
cmake --build "$BUILD" --config Release --target llama-server -j "$JOBS" >&2
rm -rf "$OUT.tmp"; mkdir -p "$OUT.tmp"
cp "$BUILD/bin/llama-server" "$OUT.tmp/llama-server"
printf '{"source":"node-llama-cpp gitRelease.bundle","commit":"%s","builtAt":"%s","flags":"GGML_NATIVE=ON GGML_OPENMP=OFF static"}\n' \
  "$COMMIT" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$OUT.tmp/build.json"
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
# The sources and objects are only needed to build; the binary is what is reused.
rm -rf "$BUILD" "$SRC"
echo "$OUT/llama-server"
