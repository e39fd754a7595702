#!/usr/bin/env bash
# Installs everything dropcap needs on a fresh Debian machine, then builds it.
# Idempotent: packages already present are not reinstalled. Run as root
# (apt-get), as the README's quick start and .ci/run do.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang/llvm + libbpf + bpftool build the BPF program and the addon;
# clang + lld (wasm-ld) the analyzer's WebAssembly module;
# nftables, iproute2 provoke drops in tests and the demo;
# linux-perf, bpftrace, trace-cmd are the benchmark's peers.
APT_PACKAGES=(clang llvm lld libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config make g++ python3
  nftables iproute2 linux-perf bpftrace trace-cmd)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages: ${missing[*]}; run as root (sudo npm run setup) or apt-get install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# tracefs is where the classic tracepoint lives; some VMs do not mount it
if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies"
  # nodedir: node-gyp must build against the local Node headers (no download)
  npm ci --no-audit --no-fund --nodedir=/usr
fi

bash scripts/build.sh
