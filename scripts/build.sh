#!/usr/bin/env bash
# Builds everything: the BPF object and its skeleton, the native addon, the
# test and benchmark tools, the analyzer's WebAssembly module and the
# TypeScript packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-native.sh
make -s -C tools
bash scripts/build-wasm.sh
npx --no-install tsc -b
chmod +x packages/cli/dist/main.js
