#!/usr/bin/env bash
# Builds the analyzer's WebAssembly modules (wasm/NAME.c -> wasm/NAME.wasm:
# the import's per-drop lookups, the leaf pages of its bulk tables) with
# clang and wasm-ld (Debian: clang, lld). A .wasm is platform-neutral: the
# analyzer loads it wherever it runs.
set -euo pipefail
cd "$(dirname "$0")/../packages/analyzer/wasm"
for src in *.c; do
  out="${src%.c}.wasm"
  if [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then continue; fi
  # -mbulk-memory: memset/memcpy become memory.fill/copy (there is no libc);
  # --max-memory: all of wasm32's 4 GiB, for tables that grow with a capture
  clang --target=wasm32 -O3 -std=c11 -Wall -Wextra -Werror -nostdlib -mbulk-memory \
    -Wl,--no-entry -Wl,--max-memory=4294967296 -Wl,--strip-all \
    -o "$out.tmp" "$src"
  mv "$out.tmp" "$out"
done
