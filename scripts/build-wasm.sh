#!/usr/bin/env bash
# Builds the analyzer's WebAssembly module (the import's per-drop lookups)
# from C with clang and wasm-ld (Debian: clang, lld). The .wasm is
# platform-neutral: the analyzer loads it wherever it runs.
set -euo pipefail
cd "$(dirname "$0")/../packages/analyzer/wasm"
out=drop-keys.wasm
if [ "$out" -nt drop-keys.c ] && [ "$out" -nt "$0" ]; then exit 0; fi
# -mbulk-memory: memset/memcpy become memory.fill/copy (there is no libc);
# --max-memory: all of wasm32's 4 GiB, the tables grow as a capture needs
clang --target=wasm32 -O3 -std=c11 -Wall -Wextra -Werror -nostdlib -mbulk-memory \
  -Wl,--no-entry -Wl,--max-memory=4294967296 -Wl,--strip-all \
  -o "$out.tmp" drop-keys.c
mv "$out.tmp" "$out"
