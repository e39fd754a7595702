#!/usr/bin/env bash
# Builds the analyzer's WebAssembly modules (wasm/NAME.c -> wasm/NAME.wasm:
# the import's per-drop lookups, the leaf pages of its bulk tables, records
# from deflate-planes bodies) with
# clang and wasm-ld (Debian: clang, lld). A .wasm is platform-neutral: the
# analyzer loads it wherever it runs.
set -euo pipefail
# resolved before the cd: a module older than this script is rebuilt too
script="$(realpath "$0")"
cd "$(dirname "$0")/../packages/analyzer/wasm"
for src in *.c; do
  out="${src%.c}.wasm"
  if [ "$out" -nt "$src" ] && [ "$out" -nt "$script" ]; then continue; fi
  # -mbulk-memory: memset/memcpy become memory.fill/copy (there is no libc);
  # -msimd128: 128-bit SIMD, which V8 has had since Node 16 (plane-records.c);
  # --max-memory: all of wasm32's 4 GiB, for tables that grow with a capture
  clang --target=wasm32 -O3 -std=c11 -Wall -Wextra -Werror -nostdlib -mbulk-memory -msimd128 \
    -Wl,--no-entry -Wl,--max-memory=4294967296 -Wl,--strip-all \
    -o "$out.tmp" "$src"
  mv "$out.tmp" "$out"
done
