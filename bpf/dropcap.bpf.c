// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dropcap.bpf.c - records every TCP packet the kernel drops.
 *
 * One handler, three ways in (the loader turns on autoload for exactly one;
 * all are "?"-prefixed so none loads unless asked):
 *   tp_btf/kfree_skb         BTF-typed raw tracepoint (5.5+, needs vmlinux BTF);
 *                            dropcap_tp_btf_pkt also reads packet bytes by
 *                            plain loads (6.17+, see read_packet)
 *   raw_tp/kfree_skb         raw tracepoint (4.17+)
 *   tracepoint/skb/kfree_skb classic tracepoint, reads the trace record
 * All three carry (skb, location[, reason][, rx_sk]); the optional arguments
 * are guarded by core_fixes.bpf.h so one object loads on every kernel.
 *
 * Kernels 4.7-5.16 (no drop reason), the documented fallback:
 *   - attach the classic tracepoint (or raw_tp/tp_btf where present); events
 *     carry reason 0 and DROPCAP_F_NO_REASON, and the capture header names
 *     the attach method so the analyzer does not print a reason name;
 *   - TCP's own drops (checksum, state, backlog...) went through tcp_drop(),
 *     which calls __kfree_skb() and so never hits the tracepoint. The
 *     SEC("?kprobe/tcp_drop") program below catches them with the socket as
 *     its first argument (fentry/tcp_drop would be the cheaper choice where
 *     BPF trampolines work: 5.5+ on x86). From 5.17 tcp_drop() calls
 *     kfree_skb_reason() and is later removed, so it must not be attached
 *     together with a reason-aware program (it would double count).
 *   - the BPF ring buffer itself needs 5.8; 4.7-5.7 would need a perf buffer
 *     variant of this program, which dropcap does not ship.
 * This VM (6.18) has no kprobes and refuses fentry with EPERM, so that path
 * is compiled and verified by build only; it is off unless the loader asks.
 *
 * Body rhythm per drop: parse (is it TCP?), filter, count, reserve, fill,
 * maybe stack, submit with a batched wakeup.
 *
 * Cost: with return-thunk mitigations (AMD "Safe RET" here) every helper
 * call is dear, so the tp_btf program reads kernel objects with plain loads
 * (see KREAD) and a stackless drop makes five calls: one packet read,
 * ktime, current task, ring reserve and submit. Measured on the 2-vCPU test
 * VM in a 2-thread RST storm: ~0.4 us per run against ~0.8 us with
 * BPF_CORE_READ and separate header reads everywhere. On 6.17+
 * dropcap_tp_btf_pkt reads the packet by plain loads too (read_packet):
 * four calls, and ~50 ns less per run (bpf_stats, interleaved runs:
 * 299-313 against 347-373 ns). Counting wakeup bytes per CPU instead of
 * asking bpf_ringbuf_query() saved another call: 467 against 503 ns median
 * over 14 interleaved pairs on a busier day.
 */
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "kernel_types.h"
#include "core_fixes.bpf.h"
#include "dropcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IPPROTO_TCP	6
#define NSEC_PER_SEC	1000000000ULL

/* ask bpf_get_stack() for one frame more than we keep: getting it back
 * proves the stack was deeper, so DROPCAP_F_STACK_TRUNC is never a guess */
#define STACK_PROBE_DEPTH	(DROPCAP_MAX_STACK_DEPTH + 1)

/*
 * Kernel object reads, in the flavour of the program being built. tp_btf
 * hands the program BTF-typed pointers (skb, rx_sk and what they point to),
 * so a plain load is allowed: the JIT emits it as a guarded load (PROBE_MEM,
 * an exception-table entry) with no helper call. raw_tp, tracepoint and
 * kprobe programs only get untyped pointers and must use
 * bpf_probe_read_kernel(), one call per hop. Both forms are CO-RE relocated.
 * `direct` is a constant in each program, so each keeps only its own form.
 * ___arrow (libbpf's bpf_core_read.h) spells BPF_CORE_READ's field list as
 * the equivalent a->b->c expression.
 */
#define KREAD(direct, src, a, ...)						\
	((direct) ? __builtin_preserve_access_index(___arrow(src, a, ##__VA_ARGS__)) \
		  : BPF_CORE_READ(src, a, ##__VA_ARGS__))

#define STACK_MODE_NONE		0
#define STACK_MODE_DEFAULT	1
#define STACK_MODE_ALL		2

/* tunables, written by the loader into .rodata before load; the verifier
 * sees them as constants and removes the branches of unused filters */
const volatile __u8 filter_family = 0;		/* 0 any, 4, 6 */
const volatile __u16 filter_port = 0;		/* either side, host order */
const volatile __u16 filter_sport = 0;
const volatile __u16 filter_dport = 0;
const volatile __u8 filter_host_family = 0;	/* 0: no host filter */
const volatile __u32 filter_host[4] = {};	/* 16 bytes, network order */
const volatile __u32 filter_netns = 0;
const volatile __u32 filter_nr_reasons = 0;
const volatile __u32 filter_reasons[16] = {};
const volatile __u8 filter_reason_exclude = 0;
const volatile __u32 stack_mode = STACK_MODE_DEFAULT;
const volatile __u32 stack_budget_per_sec = 1000;	/* per CPU */
const volatile __u64 wakeup_bytes = 0;		/* 0: kernel's own wakeup policy */

/* one ring buffer per CPU, so that CPUs never contend for a ring's
 * spinlock (with one shared ring ~25-30% of a storm's program time went to
 * bpf_ringbuf_reserve). The loader sizes the outer array to the number of
 * possible CPUs, creates one ring per CPU (CPU 0's also serves as the inner
 * map template, in place of the one declared here) and stores each at its
 * CPU's index. Lookups in an array of maps are inlined by the verifier. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);			/* the loader sets nr_cpus */
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 4096);	/* the loader's rings replace it */
	});
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROPCAP_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* (location, reason) pairs that already got a stack; LRU so an endless
 * variety of sites cannot fill it, at worst a site gets a second stack */
struct site_key {
	__u64 location;
	__u32 reason;
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct site_key);
	__type(value, __u8);
} stack_sites SEC(".maps");

/* per-CPU state, looked up once per drop (an inlined array access).
 * The stack policy keeps the budget of the current one-second window and
 * the last site this CPU found in stack_sites: in a storm nearly every drop
 * comes from one site and the budget is spent within milliseconds, so "same
 * site as last time, budget spent" settles the drop without the shared LRU
 * hash (its lookup was ~50 ns, the dearest step of a stackless drop). A
 * cached site is one that already has its first stack; if the LRU evicts it
 * meanwhile, the site merely misses the second stack the comment above
 * allows. unwoken_bytes counts what this CPU submitted to its ring since it
 * last woke the reader (see wakeup_flag). */
struct cpu_state {
	__u64 window_end;	/* budget window [window_end - 1 s, window_end) */
	__u64 used;
	struct site_key known;	/* valid when known.location != 0 */
	__u64 unwoken_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_states SEC(".maps");

/* a ring record with a stack: the event, then the frames (the addon reads
 * only stack_frames of them; the extra slot is the truncation probe) */
struct event_with_stack {
	struct dropcap_event event;
	__u64 frames[STACK_PROBE_DEPTH];
};

/* wire formats, read from the packet; naturally aligned because the
 * verifier insists on aligned stack accesses */
struct ipv4_hdr {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6_hdr {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__be32 saddr[4];
	__be32 daddr[4];
};

struct ipv6_ext_hdr {
	__u8 nexthdr;
	__u8 len;
	__be16 frag_off;	/* fragment header only */
};

struct tcp_hdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_res;
	__u8 flags;
	__be16 window;
	__u16 check;
	__u16 urg_ptr;
};

/* what the packet itself says, in host order except the addresses */
struct packet {
	__be32 saddr[4];
	__be32 daddr[4];
	__u32 seq;
	__u32 ack_seq;
	__u16 sport;
	__u16 dport;
	__u16 window;
	__u8 family;
	__u8 tcp_flags;
};

enum parse_result {
	PARSE_TCP,
	PARSE_NOT_TCP,
	PARSE_BAD_HEADER,
};

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	/* per-CPU and never nested (tracepoint programs skip recursion), so
	 * a plain increment is exact */
	if (value)
		*value += 1;
}

static __always_inline bool is_ipv6_ext_hdr(__u8 nexthdr)
{
	/* hop-by-hop, routing, fragment, auth, destination options */
	return nexthdr == 0 || nexthdr == 43 || nexthdr == 44 ||
	       nexthdr == 51 || nexthdr == 60;
}

/* a header that was never set reads as garbage: only call it bad when the
 * skb claims to be IP, otherwise it is some other protocol's buffer */
static __always_inline enum parse_result unreadable(__be16 proto)
{
	if (proto == bpf_htons(ETH_P_IP) || proto == bpf_htons(ETH_P_IPV6))
		return PARSE_BAD_HEADER;
	return PARSE_NOT_TCP;
}

/*
 * Packet bytes live in skb->head, which no BTF type describes, so even
 * tp_btf reads them with bpf_probe_read_kernel(): a helper call, with the
 * return-thunk mitigations here ~60 ns of a ~330 ns drop. From 6.17,
 * bpf_rdonly_cast(p, 0) makes any address read-only untrusted memory that
 * a program may load from directly: the JIT emits guarded loads (a faulting
 * one reads as zero) and the kfunc itself costs nothing. Only
 * dropcap_tp_btf_pkt reads packets that way (`pkt_loads`); the loader tries
 * it first and falls back to dropcap_tp_btf where the verifier refuses the
 * cast (6.2-6.16) or the kfunc does not exist. __weak: an object that
 * mentions a kfunc the kernel lacks still loads its other programs.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* bpf_probe_read_kernel(), or plain loads with pkt_loads: then a fault reads
 * as zeros rather than failing. `size` is a constant; `dst` is 4-byte
 * aligned (the verifier wants aligned stack stores, and every header struct
 * here holds 32-bit fields). */
static __always_inline long read_packet(bool pkt_loads, void *dst, __u32 size, const void *src)
{
	const __u8 *from;
	__u8 *to = dst;
	__u32 i = 0;

	if (!pkt_loads)
		return bpf_probe_read_kernel(dst, size, src);
	from = bpf_rdonly_cast(src, 0);
#pragma unroll
	for (; i + 4 <= size; i += 4)
		*(__u32 *)(to + i) = *(const __u32 *)(from + i);
#pragma unroll
	for (; i < size; i++)
		to[i] = from[i];
	return 0;
}

static __always_inline enum parse_result
parse_ipv6_tail(bool pkt_loads, unsigned char *head, __u32 *l4_off, __u8 nexthdr)
{
	/* 4-aligned: read_packet stores 32-bit words */
	struct ipv6_ext_hdr ext __attribute__((aligned(4)));
	__u32 off = *l4_off;

	/* walk at most four extension headers; deeper chains are rare
	 * enough to count as unreadable rather than cost a longer loop */
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (!is_ipv6_ext_hdr(nexthdr))
			break;
		if (read_packet(pkt_loads, &ext, sizeof(ext), head + off))
			return PARSE_BAD_HEADER;
		if (nexthdr == 44) {
			/* a non-first fragment has no TCP header */
			if (bpf_ntohs(ext.frag_off) & 0xfff8)
				return PARSE_BAD_HEADER;
			off += 8;
		} else if (nexthdr == 51) {
			off += ((__u32)ext.len + 2) * 4;
		} else {
			off += ((__u32)ext.len + 1) * 8;
		}
		nexthdr = ext.nexthdr;
	}
	if (nexthdr != IPPROTO_TCP)
		return is_ipv6_ext_hdr(nexthdr) ? PARSE_BAD_HEADER : PARSE_NOT_TCP;
	*l4_off = off;
	return PARSE_TCP;
}

/* the IP header and the fixed part of the TCP header right after it: the
 * common case (IPv4 without options, IPv6 without extension headers) is a
 * single read_packet() */
union net_hdrs {
	struct {
		struct ipv4_hdr ip;
		struct tcp_hdr tcp;
	} v4;
	struct {
		struct ipv6_hdr ip;
		struct tcp_hdr tcp;
	} v6;
};

/* decide from the packet bytes, not from skb->protocol (0 on some output
 * paths) nor the socket (absent for NO_SOCKET drops). Packet bytes live in
 * skb->head, which no BTF type describes: read_packet() reads them, with a
 * helper call except in dropcap_tp_btf_pkt; the fields of the skb itself
 * come through KREAD. */
static __always_inline enum parse_result
parse_packet(bool direct, bool pkt_loads, struct sk_buff *skb, struct packet *pkt)
{
	unsigned char *head = KREAD(direct, skb, head);
	__u16 network_header = KREAD(direct, skb, network_header);
	__be16 proto = KREAD(direct, skb, protocol);
	union net_hdrs hdr;
	struct tcp_hdr tcp_buf, *tcp = NULL;
	unsigned char *ip_start;
	__u32 l4_off;
	__u8 version;

	if (proto && proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return PARSE_NOT_TCP;
	/* ~0 means never set; 0 is the fresh-skb value of a buffer that
	 * never got an IP header (real packets always have headroom) */
	if (!head || network_header == 0 || network_header == (__u16)~0U)
		return unreadable(proto);
	ip_start = head + network_header;

	/* 60 bytes may run past a short packet's end, but not past the head
	 * buffer: struct skb_shared_info (over 300 bytes) always follows the
	 * linear data. Should the read still fail (a helper read; plain loads
	 * read a fault as zeros, which no version check passes), fall back to
	 * the bare IPv4 header and read the rest separately, as if the TCP
	 * header were further away. */
	if (!read_packet(pkt_loads, &hdr, sizeof(hdr.v6), ip_start))
		tcp = &hdr.v6.tcp;	/* provisional: bytes 40..59 were read */
	else if (read_packet(pkt_loads, &hdr, sizeof(hdr.v4.ip), ip_start))
		return unreadable(proto);

	version = hdr.v4.ip.ver_ihl >> 4;
	if (version == 4) {
		__u32 ihl = hdr.v4.ip.ver_ihl & 0xf;

		if (proto == bpf_htons(ETH_P_IPV6) || ihl < 5)
			return unreadable(proto);
		if (hdr.v4.ip.protocol != IPPROTO_TCP)
			return PARSE_NOT_TCP;
		/* a non-first fragment has no TCP header */
		if (bpf_ntohs(hdr.v4.ip.frag_off) & 0x1fff)
			return PARSE_BAD_HEADER;
		pkt->family = DROPCAP_FAMILY_IPV4;
		pkt->saddr[0] = hdr.v4.ip.saddr;
		pkt->daddr[0] = hdr.v4.ip.daddr;
		l4_off = network_header + ihl * 4;
		/* with IP options the TCP header is further on */
		tcp = (tcp && ihl == 5) ? &hdr.v4.tcp : NULL;
	} else if (version == 6) {
		enum parse_result res;

		if (proto == bpf_htons(ETH_P_IP))
			return unreadable(proto);
		if (!tcp &&
		    read_packet(pkt_loads, (void *)&hdr + sizeof(hdr.v4.ip),
				sizeof(hdr.v6.ip) - sizeof(hdr.v4.ip), ip_start + sizeof(hdr.v4.ip)))
			return PARSE_BAD_HEADER;
		l4_off = network_header + sizeof(hdr.v6.ip);
		if (hdr.v6.ip.nexthdr != IPPROTO_TCP) {
			/* extension headers: the TCP header is further on */
			tcp = NULL;
			res = parse_ipv6_tail(pkt_loads, head, &l4_off, hdr.v6.ip.nexthdr);
			if (res != PARSE_TCP)
				return res;
		}
		pkt->family = DROPCAP_FAMILY_IPV6;
		__builtin_memcpy(pkt->saddr, hdr.v6.ip.saddr, 16);
		__builtin_memcpy(pkt->daddr, hdr.v6.ip.daddr, 16);
	} else {
		return unreadable(proto);
	}

	if (!tcp) {
		if (read_packet(pkt_loads, &tcp_buf, sizeof(tcp_buf), head + l4_off))
			return PARSE_BAD_HEADER;
		tcp = &tcp_buf;
	}
	pkt->sport = bpf_ntohs(tcp->source);
	pkt->dport = bpf_ntohs(tcp->dest);
	pkt->seq = bpf_ntohl(tcp->seq);
	pkt->ack_seq = bpf_ntohl(tcp->ack_seq);
	pkt->window = bpf_ntohs(tcp->window);
	pkt->tcp_flags = tcp->flags;
	return PARSE_TCP;
}

static __always_inline bool reason_passes(__u32 reason)
{
	bool listed = false;

	if (!filter_nr_reasons)
		return true;
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (i >= filter_nr_reasons)
			break;
		if (filter_reasons[i] == reason) {
			listed = true;
			break;
		}
	}
	return filter_reason_exclude ? !listed : listed;
}

static __always_inline bool addr_matches(const __be32 *addr, __u8 family)
{
	if (addr[0] != filter_host[0])
		return false;
	if (family == DROPCAP_FAMILY_IPV4)
		return true;
	return addr[1] == filter_host[1] && addr[2] == filter_host[2] &&
	       addr[3] == filter_host[3];
}

static __always_inline bool packet_passes(const struct packet *pkt)
{
	if (filter_family && pkt->family != filter_family)
		return false;
	if (filter_port && pkt->sport != filter_port && pkt->dport != filter_port)
		return false;
	if (filter_sport && pkt->sport != filter_sport)
		return false;
	if (filter_dport && pkt->dport != filter_dport)
		return false;
	if (filter_host_family) {
		if (pkt->family != filter_host_family)
			return false;
		if (!addr_matches(pkt->saddr, pkt->family) &&
		    !addr_matches(pkt->daddr, pkt->family))
			return false;
	}
	return true;
}

/* whether this drop gets a stack; sets NEW_SITE or STACK_BUDGET in *flags.
 * Cheapest first: the per-CPU state settles a storm's drops, the shared
 * stack_sites hash is only asked about a site this CPU has not seen last. */
static __always_inline bool want_stack(struct cpu_state *st, const struct site_key *site,
				       __u64 now, __u8 *flags)
{
	__u8 one = 1;

	if (stack_mode == STACK_MODE_NONE)
		return false;
	if (stack_mode == STACK_MODE_ALL)
		return true;

	if (st->known.location != site->location || st->known.reason != site->reason) {
		/* the first drop of each (location, reason) always pays;
		 * NOEXIST makes exactly one CPU the winner when two race on
		 * a new site. The winner does not cache the site yet: if its
		 * record is lost it deletes the entry so the site retries. */
		if (!bpf_map_lookup_elem(&stack_sites, site) &&
		    !bpf_map_update_elem(&stack_sites, site, &one, BPF_NOEXIST)) {
			*flags |= DROPCAP_F_NEW_SITE;
			return true;
		}
		st->known = *site;
	}

	/* windows are aligned seconds of bpf_ktime_get_ns(); keeping the
	 * window's end saves a 64-bit division on every drop */
	if (now >= st->window_end) {
		st->window_end = (now / NSEC_PER_SEC + 1) * NSEC_PER_SEC;
		st->used = 0;
	}
	if (st->used < stack_budget_per_sec) {
		st->used++;
		return true;
	}
	*flags |= DROPCAP_F_STACK_BUDGET;
	return false;
}

/* wake the reader once per wakeup_bytes this CPU submits: a wakeup costs
 * ~5 us (irq_work), so records go with BPF_RB_NO_WAKEUP in between. Counting
 * here instead of asking bpf_ringbuf_query() how much data is pending saves
 * a helper call per drop; a stalled reader with a full ring still costs
 * nothing, since a record that cannot be reserved is never submitted. Each
 * CPU has its own ring, so the threshold applies per ring; the reader's
 * timed consume picks up what waits below it. */
static __always_inline __u64 wakeup_flag(struct cpu_state *st, __u64 record_bytes)
{
	if (!wakeup_bytes)
		return 0;
	st->unwoken_bytes += record_bytes;
	if (st->unwoken_bytes < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	st->unwoken_bytes = 0;
	return BPF_RB_FORCE_WAKEUP;
}

/* pid, tid and comm of the task the drop happened in (in softirq, whatever
 * task was interrupted), as bpf_get_current_pid_tgid() and
 * bpf_get_current_comm() give them */
static __always_inline void fill_task(bool direct, struct dropcap_event *e)
{
	if (direct && has_get_current_task_btf()) {
		struct task_struct *task = bpf_get_current_task_btf();
		char c = 1;

		/* one helper call and plain loads instead of
		 * bpf_get_current_pid_tgid() and bpf_get_current_comm() (which
		 * calls on into strscpy_pad()). comm comes out byte for byte
		 * as that helper makes it: up to the first NUL, zero-padded,
		 * the last byte always NUL */
		e->pid = __builtin_preserve_access_index(task->tgid);
		e->tid = __builtin_preserve_access_index(task->pid);
#pragma unroll
		for (int i = 0; i < DROPCAP_COMM_LEN; i++) {
			if (c && i < DROPCAP_COMM_LEN - 1)
				c = __builtin_preserve_access_index(task->comm[i]);
			else
				c = 0;
			e->comm[i] = c;
		}
	} else {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		e->pid = pid_tgid >> 32;
		e->tid = (__u32)pid_tgid;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}
}

/* everything but the stack; the ring record is not zeroed, so every byte
 * is written, padding included */
static __always_inline void fill_event(bool direct, struct dropcap_event *e,
				       const struct packet *pkt, __u64 now, __u64 location,
				       __u32 reason, __u32 netns, __u32 ifindex, __u32 len,
				       __u32 mark, __u8 state, __u8 sk_source, __u8 flags,
				       __u32 cpu)
{
	e->ts_ns = now;
	e->location = location;
	__builtin_memcpy(e->saddr, pkt->saddr, 16);
	__builtin_memcpy(e->daddr, pkt->daddr, 16);
	e->netns = netns;
	e->ifindex = ifindex;
	e->reason = reason;
	e->seq = pkt->seq;
	e->ack_seq = pkt->ack_seq;
	e->len = len;
	e->mark = mark;
	e->stack_id = 0;
	e->sport = pkt->sport;
	e->dport = pkt->dport;
	e->cpu = cpu;
	e->window = pkt->window;
	e->family = pkt->family;
	e->state = state;
	e->tcp_flags = pkt->tcp_flags;
	e->sk_source = sk_source;
	e->flags = flags;
	e->stack_frames = 0;
	e->__pad[0] = 0;
	e->__pad[1] = 0;
	fill_task(direct, e);
}

static __always_inline int handle_drop(bool direct, bool pkt_loads, void *ctx, struct sk_buff *skb,
				       __u64 location, __u32 reason, struct sock *rx_sk,
				       __u8 flags)
{
	struct packet pkt = {};
	struct site_key site = {};
	struct net_device *dev;
	struct sock *sk;
	__u32 netns = 0, ifindex, len, mark;
	__u8 state = 0, sk_source = DROPCAP_SK_NONE;
	enum parse_result parsed;
	struct cpu_state *st;
	__u32 cpu, zero = 0;
	void *ring;
	__u64 now;

	if (!skb)
		return 0;
	parsed = parse_packet(direct, pkt_loads, skb, &pkt);
	if (parsed != PARSE_TCP) {
		count(parsed == PARSE_NOT_TCP ? DROPCAP_CNT_NOT_TCP : DROPCAP_CNT_BAD_HEADER);
		return 0;
	}
	if (!reason_passes(reason) || !packet_passes(&pkt))
		goto filtered;

	/* tcp_v4_rcv() has taken the socket off the skb by the time most
	 * drops happen; the tracepoint hands it over as rx_sk (6.11+) */
	sk = KREAD(direct, skb, sk);
	if (sk) {
		sk_source = DROPCAP_SK_SKB;
	} else if (rx_sk) {
		sk = rx_sk;
		sk_source = DROPCAP_SK_RX;
	}
	dev = KREAD(direct, skb, dev);
	if (sk)
		netns = KREAD(direct, sk, __sk_common.skc_net.net, ns.inum);
	else if (dev)
		netns = KREAD(direct, dev, nd_net.net, ns.inum);
	if (filter_netns && netns != filter_netns)
		goto filtered;

	count(DROPCAP_CNT_SEEN);
	/* this CPU's ring; a missing one (the loader could not fill the slot)
	 * loses the event like a full ring would, so seen = delivered + lost */
	cpu = bpf_get_smp_processor_id();
	ring = bpf_map_lookup_elem(&rings, &cpu);
	st = bpf_map_lookup_elem(&cpu_states, &zero);
	if (!ring || !st) {
		count(DROPCAP_CNT_RB_LOST);
		return 0;
	}
	if (sk)
		state = KREAD(direct, sk, __sk_common.skc_state);
	ifindex = KREAD(direct, skb, skb_iif);
	if (!ifindex && dev)
		ifindex = KREAD(direct, dev, ifindex);
	len = KREAD(direct, skb, len);
	mark = KREAD(direct, skb, mark);
	now = bpf_ktime_get_ns();
	site.location = location;
	site.reason = reason;

	if (want_stack(st, &site, now, &flags)) {
		struct event_with_stack *rec;
		long bytes;
		__u8 frames = 0;

		/* ring reservations must have a constant size, hence two */
		rec = bpf_ringbuf_reserve(ring, sizeof(*rec), 0);
		if (!rec) {
			count(DROPCAP_CNT_RB_LOST);
			/* let the next drop of a new site retry its stack */
			if (flags & DROPCAP_F_NEW_SITE)
				bpf_map_delete_elem(&stack_sites, &site);
			return 0;
		}
		/* the stack goes into this very record: a stack map bucket
		 * read later could have been reused by another drop */
		bytes = bpf_get_stack(ctx, rec->frames, sizeof(rec->frames), 0);
		if (bytes > 0) {
			flags |= DROPCAP_F_STACK;
			if (bytes / 8 > DROPCAP_MAX_STACK_DEPTH) {
				flags |= DROPCAP_F_STACK_TRUNC;
				frames = DROPCAP_MAX_STACK_DEPTH;
			} else {
				frames = bytes / 8;
			}
		} else {
			flags |= DROPCAP_F_STACK_ERROR;
			count(DROPCAP_CNT_STACK_ERROR);
		}
		fill_event(direct, &rec->event, &pkt, now, location, reason, netns, ifindex,
			   len, mark, state, sk_source, flags, cpu);
		rec->event.stack_frames = frames;
		bpf_ringbuf_submit(rec, wakeup_flag(st, sizeof(*rec)));
	} else {
		struct dropcap_event *e;

		e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
		if (!e) {
			count(DROPCAP_CNT_RB_LOST);
			return 0;
		}
		if (flags & DROPCAP_F_STACK_BUDGET)
			count(DROPCAP_CNT_STACK_BUDGET);
		fill_event(direct, e, &pkt, now, location, reason, netns, ifindex,
			   len, mark, state, sk_source, flags, cpu);
		bpf_ringbuf_submit(e, wakeup_flag(st, sizeof(*e)));
	}
	return 0;

filtered:
	count(DROPCAP_CNT_FILTERED);
	return 0;
}

static __always_inline int handle_tp_btf(bool pkt_loads, __u64 *ctx)
{
	__u32 reason = 0;
	__u8 flags = DROPCAP_F_NO_REASON;
	struct sock *rx_sk = NULL;

	if (has_kfree_skb_reason()) {
		reason = (__u32)ctx[2];
		flags = 0;
	}
	if (has_kfree_skb_rx_sk())
		rx_sk = (struct sock *)ctx[3];
	return handle_drop(true, pkt_loads, ctx, (struct sk_buff *)ctx[0], ctx[1], reason, rx_sk,
			   flags);
}

SEC("?tp_btf/kfree_skb")
int dropcap_tp_btf(__u64 *ctx)
{
	return handle_tp_btf(false, ctx);
}

/* the same, with packet bytes read by plain loads (read_packet) */
SEC("?tp_btf/kfree_skb")
int dropcap_tp_btf_pkt(__u64 *ctx)
{
	return handle_tp_btf(true, ctx);
}

SEC("?raw_tp/kfree_skb")
int dropcap_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 reason = 0;
	__u8 flags = DROPCAP_F_NO_REASON;
	struct sock *rx_sk = NULL;

	if (has_kfree_skb_reason()) {
		reason = (__u32)ctx->args[2];
		flags = 0;
	}
	if (has_kfree_skb_rx_sk())
		rx_sk = (struct sock *)ctx->args[3];
	return handle_drop(false, false, ctx, (struct sk_buff *)ctx->args[0], ctx->args[1],
			   reason, rx_sk, flags);
}

SEC("?tracepoint/skb/kfree_skb")
int dropcap_tracepoint(struct trace_event_raw_kfree_skb *ctx)
{
	__u32 reason = 0;
	__u8 flags = DROPCAP_F_NO_REASON;
	struct sock *rx_sk = NULL;

	if (has_kfree_skb_reason()) {
		reason = ((struct trace_event_raw_kfree_skb___reason *)ctx)->reason;
		flags = 0;
	}
	if (has_kfree_skb_rx_sk())
		rx_sk = ((struct trace_event_raw_kfree_skb___rx_sk *)ctx)->rx_sk;
	return handle_drop(false, false, ctx, ctx->skbaddr, (__u64)ctx->location, reason, rx_sk,
			   flags);
}

/*
 * Fallback for 4.7-5.16 only (see the top of this file): tcp_drop(sk, skb)
 * is where TCP freed segments it refused, without the tracepoint. The socket
 * is reported as rx_sk (DROPCAP_SK_RX: the socket the drop happened on); the
 * location is tcp_drop's return address, i.e. its caller, like the
 * tracepoint's. Never autoloaded; cannot load on kernels without kprobes.
 */
SEC("?kprobe/tcp_drop")
int BPF_KPROBE(dropcap_kprobe_tcp_drop, struct sock *sk, struct sk_buff *skb)
{
	__u64 location = 0;

#if defined(__TARGET_ARCH_x86)
	/* on entry the return address is at the top of the stack */
	bpf_probe_read_kernel(&location, sizeof(location), (void *)PT_REGS_SP(ctx));
#else
	location = PT_REGS_RET(ctx);
#endif
	return handle_drop(false, false, ctx, skb, location, 0, sk, DROPCAP_F_NO_REASON);
}
