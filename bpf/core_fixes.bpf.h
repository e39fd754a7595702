/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * core_fixes.bpf.h - one entry per kernel difference dropcap.bpf.c must
 * survive, in the style of bcc's libbpf-tools/core_fixes.bpf.h: a flavoured
 * struct (the "___x" suffix is ignored by libbpf when matching kernel types)
 * and a has_...() helper built on bpf_core_field_exists(). Each helper is a
 * load-time constant: libbpf rewrites it to 0 or 1 from the running kernel's
 * BTF and the verifier removes the dead branch, so one object serves kernels
 * with and without the feature.
 */
#ifndef __DROPCAP_CORE_FIXES_BPF_H
#define __DROPCAP_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>
#include "kernel_types.h"

/*
 * Kernel 5.17, commit c504e5c2f964 ("net: skb: introduce kfree_skb_reason()"),
 * added `enum skb_drop_reason reason` to the skb:kfree_skb tracepoint, as
 * the 3rd argument of the raw tracepoint and a field of its trace record.
 * Older kernels (4.7-5.16) report no reason: events carry
 * DROPCAP_F_NO_REASON, and TCP's own drops there go through tcp_drop(),
 * which calls __kfree_skb() and never reaches this tracepoint (see the
 * kprobe/tcp_drop fallback in dropcap.bpf.c).
 */
struct trace_event_raw_kfree_skb___reason {
	enum skb_drop_reason reason;
} __attribute__((preserve_access_index));

static __always_inline bool has_kfree_skb_reason(void)
{
	return bpf_core_field_exists(struct trace_event_raw_kfree_skb___reason, reason);
}

/*
 * Kernel 6.11, the series "net: pass receive socket to drop tracepoint"
 * ("net: add rx_sk to trace_kfree_skb"), added `struct sock *rx_sk` as the
 * 4th raw tracepoint argument and a field
 * of the trace record: the receiving socket, which tcp_v4_rcv() has already
 * taken off skb->sk by the time it drops. Without it, drops found after the
 * socket lookup carry no state (sk_source = DROPCAP_SK_NONE).
 */
struct trace_event_raw_kfree_skb___rx_sk {
	void *rx_sk;
} __attribute__((preserve_access_index));

static __always_inline bool has_kfree_skb_rx_sk(void)
{
	return bpf_core_field_exists(struct trace_event_raw_kfree_skb___rx_sk, rx_sk);
}

/*
 * Kernel 5.11, commit 3ca1032ab7ab ("bpf: Add bpf_get_current_task_btf()
 * helper"), lets a program load fields of the current task directly. The
 * tp_btf program uses it for pid, tid and comm (plain loads instead of two
 * helper calls); where it is missing (tp_btf exists from 5.5) the program
 * falls back to bpf_get_current_pid_tgid() and bpf_get_current_comm(). The
 * helper's id in the kernel's enum bpf_func_id tells whether it exists.
 */
static __always_inline bool has_get_current_task_btf(void)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf);
}

/*
 * The raw tracepoint arguments have no BTF record of their own to probe
 * (only the btf_trace_kfree_skb typedef), so the trace record's fields above
 * stand in for them: both changes added the argument and the record field
 * in the same commit. A tp_btf or raw_tp program that reads ctx[2] or ctx[3]
 * on a kernel without that argument is rejected by the verifier (tp_btf) or
 * at attach (raw_tp, max_ctx_offset); guarded by these helpers the read is
 * removed before either looks.
 */

#endif /* __DROPCAP_CORE_FIXES_BPF_H */
