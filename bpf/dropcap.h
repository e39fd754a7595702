/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dropcap.h - the ABI between dropcap.bpf.c, the native addon and the
 * capture file. Its TypeScript twin is packages/format/src/record-layout.ts;
 * test/format/layout.test.ts compiles this header and asserts both agree.
 *
 * Fields go largest first with explicit padding so the layout is the same
 * for the BPF target, x86_64 and arm64, and a reader can decode it with fixed
 * offsets. Changing it means a new layout version (see docs/capture-format.md).
 */
#ifndef __DROPCAP_H
#define __DROPCAP_H

#include <linux/types.h>

#define DROPCAP_LAYOUT_VERSION	1
#define DROPCAP_COMM_LEN	16
#define DROPCAP_MAX_STACK_DEPTH	64

/* dropcap_event.family: the IP version, not AF_* (those differ per OS) */
#define DROPCAP_FAMILY_IPV4	4
#define DROPCAP_FAMILY_IPV6	6

/* dropcap_event.sk_source: where the socket (and so the state) came from */
#define DROPCAP_SK_NONE		0	/* no socket: e.g. NO_SOCKET drops */
#define DROPCAP_SK_SKB		1	/* skb->sk */
#define DROPCAP_SK_RX		2	/* the tracepoint's rx_sk (6.x) */

/* dropcap_event.flags */
#define DROPCAP_F_STACK		(1 << 0)	/* a kernel stack follows in the ring record */
#define DROPCAP_F_STACK_BUDGET	(1 << 1)	/* stack skipped: per-CPU budget spent */
#define DROPCAP_F_STACK_ERROR	(1 << 2)	/* bpf_get_stack() failed */
#define DROPCAP_F_STACK_TRUNC	(1 << 3)	/* stack deeper than DROPCAP_MAX_STACK_DEPTH */
#define DROPCAP_F_NO_REASON	(1 << 4)	/* kernel has no reason argument (< 5.17) */
#define DROPCAP_F_NEW_SITE	(1 << 5)	/* first drop of this (location, reason) */

/* indexes into the per-CPU "counters" array map */
enum dropcap_counter {
	DROPCAP_CNT_SEEN = 0,		/* TCP drops that passed the filters */
	DROPCAP_CNT_RB_LOST,		/* bpf_ringbuf_reserve() failed: event lost */
	DROPCAP_CNT_STACK_BUDGET,	/* events recorded without stack: budget */
	DROPCAP_CNT_STACK_ERROR,	/* events recorded without stack: helper error */
	DROPCAP_CNT_FILTERED,		/* TCP drops rejected by the filters */
	DROPCAP_CNT_NOT_TCP,		/* drops of other protocols (ignored) */
	DROPCAP_CNT_BAD_HEADER,		/* skbs whose headers could not be read */
	DROPCAP_CNT_MAX,
};

/*
 * One drop. In the ring buffer, a record with DROPCAP_F_STACK set is
 * followed by stack_frames __u64 return addresses (innermost first). The
 * addon strips that tail, stores each distinct stack once and writes its
 * 1-based id into stack_id; in the ring stack_id is always 0.
 */
struct dropcap_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 location;		/* the tracepoint's location (caller of kfree_skb) */
	__u8  saddr[16];	/* IPv4 uses the first 4 bytes, network order */
	__u8  daddr[16];
	__u32 pid;		/* tgid of the current task (0 in softirq on idle) */
	__u32 tid;
	__u32 netns;		/* network namespace inode number */
	__u32 ifindex;		/* skb->skb_iif, else skb->dev->ifindex */
	__u32 reason;		/* raw enum skb_drop_reason value, host numbering */
	__u32 seq;		/* TCP sequence number, host order */
	__u32 ack_seq;		/* TCP acknowledgment number, host order */
	__u32 len;		/* skb->len */
	__u32 mark;		/* skb->mark (firewall mark) */
	__u32 stack_id;		/* 0: none; else an id in the capture's STACKS blocks */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u16 cpu;
	__u16 window;		/* TCP window field, host order, unscaled */
	__u8  family;		/* DROPCAP_FAMILY_IPV4 or _IPV6 */
	__u8  state;		/* TCP state (TCP_ESTABLISHED=1 ...), 0 without socket */
	__u8  tcp_flags;	/* byte 13 of the TCP header: CWR ECE URG ACK PSH RST SYN FIN */
	__u8  sk_source;	/* DROPCAP_SK_* */
	__u8  flags;		/* DROPCAP_F_* */
	__u8  stack_frames;	/* frames captured (even when the stack is deduplicated) */
	__u8  __pad[2];
	char  comm[DROPCAP_COMM_LEN];
};

#ifdef __cplusplus
static_assert(sizeof(struct dropcap_event) == 120, "dropcap_event ABI changed");
#else
_Static_assert(sizeof(struct dropcap_event) == 120, "dropcap_event ABI changed");
#endif

#endif /* __DROPCAP_H */
