#!/usr/bin/env bash
# Checks that dropcap.bpf.o still loads and reports DROPCAP_F_NO_REASON on a
# kernel whose kfree_skb tracepoint has neither `reason` (< 5.17) nor `rx_sk`
# (< 6.11). Such a kernel is not at hand, so CO-RE is pointed at this kernel's
# BTF with those two fields removed (libbpf's btf_custom_path): the guards in
# core_fixes.bpf.h must turn the optional reads off and every attach method
# must still load, attach and deliver. Needs root and `make` done in bpf/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bpf="$(dirname "$here")"
work="$(mktemp -d)"
ns="dc-corefb-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# this kernel's types, minus the two optional trace record fields
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h"
python3 - "$work/vmlinux.h" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
def strip(m):
    body = re.sub(r'\n\t(void \*rx_sk|enum skb_drop_reason reason);', '', m.group(0))
    return body
new = re.sub(r'struct trace_event_raw_kfree_skb \{.*?\n\};', strip, text, count=1, flags=re.S)
assert new != text, 'trace_event_raw_kfree_skb has neither reason nor rx_sk here'
open(path, 'w').write(new)
PY
# a BTF blob holding complete definitions of the types dropcap reads
cat > "$work/old_btf.c" <<'C'
#include "vmlinux.h"
struct sk_buff a; struct sock b; struct net_device c; struct net d;
struct trace_event_raw_kfree_skb e; struct sock_common f; struct ns_common g;
C
clang -g -O2 -target bpf -c "$work/old_btf.c" -I"$work" -o "$work/old_btf.o"

cc -O1 -Wall -I"$bpf" -I"$bpf/build" "$here/core_fallback_check.c" -o "$work/check" -lbpf -lelf -lz

ip netns add "$ns"
ip -n "$ns" link set lo up
inode="$(stat -Lc %i "/run/netns/$ns")"
# a SYN to a closed port: one NO_SOCKET drop per run
provoke="ip netns exec $ns node -e \"require('net').connect(9, '127.0.0.1').on('error', () => {})\""
"$work/check" "$work/old_btf.o" "$inode" "$provoke"
