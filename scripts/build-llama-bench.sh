#!/usr/bin/env bash
# Builds the real llama-bench from the llama.cpp source that node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle), so `npm run bench:engine` can compare the
# bundled engine against it on the same commit. Cached per commit under
#   ${KVLENS_CACHE:-~/.cache/kvlens}/llama-bench/<commit>/llama-bench
# Prints that path on the last line of stdout. ~13 min on 2 cores; run once, reuse.
#
# Build options chosen to match the prebuilt node-llama-cpp binary for a fair comparison:
#  - that binary ships one CPU backend per ISA level and loads the best one for this CPU at run time;
#    GGML_NATIVE=ON compiles for this CPU, the same ISA level the loader picks;
#  - it does not link OpenMP (ldd libggml-cpu-*.so shows no libgomp), it uses ggml's own thread pool,
#    so GGML_OPENMP=OFF here too.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle"
CACHE="${KVLENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvlens}/llama-bench"
JOBS="${JOBS:-$(nproc)}"
[ -f "$BUNDLE" ] || { echo "missing $BUNDLE (npm install node-llama-cpp first)" >&2; exit 2; }
mkdir -p "$CACHE"
SRC="$CACHE/src"
if [ ! -d "$SRC/.git" ]; then
  rm -rf "$SRC.tmp"
  git clone --quiet "$BUNDLE" "$SRC.tmp"
  mv "$SRC.tmp" "$SRC"
fi
COMMIT="$(git -C "$SRC" rev-parse HEAD)"
OUT="$CACHE/$COMMIT"
# A second llama-bench linked against node-llama-cpp's own prebuilt libraries (same kernels as the bundled
# engine): comparing the runner with it isolates the runner's overhead from differences between builds.
link_prebuilt() {
  local bins
  bins="$(ls -d "$ROOT"/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64 2>/dev/null | head -1)"
  [ -n "$bins" ] || { echo "no prebuilt linux-x64 binaries; skipping llama-bench-prebuilt" >&2; return 0; }
  local dir="$OUT/prebuilt"
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  # ggml loads its CPU variants (libggml-cpu-<isa>.so) from the executable's folder.
  for f in "$bins"/*.so "$bins"/*.node; do ln -s "$f" "$dir.tmp/$(basename "$f")"; done
  g++ -o "$dir.tmp/llama-bench" \
    "$BUILD/tools/llama-bench/CMakeFiles/llama-bench.dir/main.cpp.o" \
    "$BUILD/tools/llama-bench/CMakeFiles/llama-bench-impl.dir/llama-bench.cpp.o" \
    -L"$bins" -l:libllama-common.so -l:libllama.v0.5.0.so -l:libggml.v0.5.0.so -l:libggml-base.so \
    -Wl,-rpath,"$bins" -lpthread >&2
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}
BUILD="$CACHE/build-$COMMIT"
if [ -x "$OUT/llama-bench" ]; then
  [ -x "$OUT/prebuilt/llama-bench" ] || link_prebuilt || true
  echo "$OUT/llama-bench"; exit 0
fi
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DGGML_NATIVE=ON -DGGML_OPENMP=OFF >&2
cmake --build "$BUILD" --config Release --target llama-bench -j "$JOBS" >&2
mkdir -p "$OUT.tmp"
cp "$BUILD/bin/llama-bench" "$OUT.tmp/llama-bench"
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
link_prebuilt || true
echo "$OUT/llama-bench"
