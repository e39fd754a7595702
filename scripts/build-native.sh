#!/usr/bin/env bash
# Builds the BPF object + skeleton (bpf/build/) and then the node addon
# (native/build/Release/dropcap.node), which compiles the skeleton in.
# Called by scripts/build.sh; safe to run on its own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

make -s -C "$root/bpf"

# nodedir=/usr: build against the installed Node headers, never a download
cd "$root/native"
npx --no-install node-gyp rebuild --nodedir=/usr --loglevel=warn
