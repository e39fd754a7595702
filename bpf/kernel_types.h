/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kernel_types.h - the few kernel structs dropcap.bpf.c reads, written by
 * hand instead of a 3 MB generated vmlinux.h (as selftests progs/kfree_skb.c
 * does). Every struct is marked preserve_access_index, so clang emits CO-RE
 * relocations and libbpf fixes each field offset against the running
 * kernel's BTF at load time: the layout below does not have to match any
 * kernel, only the field names and kinds do. Nested anonymous unions and
 * structs in the real kernel (sk_buff has several) are found by name.
 */
#ifndef __DROPCAP_KERNEL_TYPES_H
#define __DROPCAP_KERNEL_TYPES_H

#include <linux/types.h>
#include <stdbool.h>

#define __kernel_struct __attribute__((preserve_access_index))

/*
 * CO-RE matches a local field only against a compatible kernel type: an int
 * `reason` is rejected ("non-matching candidate") where the kernel has an
 * enum, so the local type must be an enum of the same name. Its enumerators
 * are never used: drop-reason values are numbered per kernel and user space
 * names them from the recording host's BTF.
 */
enum skb_drop_reason {
	__DROPCAP_SKB_DROP_REASON_UNUSED = 0,
};

struct ns_common {
	unsigned int inum;
} __kernel_struct;

struct net {
	struct ns_common ns;
} __kernel_struct;

/* possible_net_t in the kernel: a struct wrapping the pointer */
typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} __kernel_struct;

struct sock_common {
	unsigned short skc_family;
	unsigned char skc_state;
	possible_net_t skc_net;
} __kernel_struct;

struct sock {
	struct sock_common __sk_common;
} __kernel_struct;

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned int len;
	int skb_iif;
	__u32 mark;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	unsigned char *head;
} __kernel_struct;

/* read through bpf_get_current_task_btf() in the tp_btf program only */
struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __kernel_struct;

/* the classic tracepoint's record (tracefs events/skb/kfree_skb/format) */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
} __kernel_struct;

/* only the fields every kernel since the tracepoint appeared has; the
 * optional ones live in core_fixes.bpf.h as flavoured structs */
struct trace_event_raw_kfree_skb {
	struct trace_entry ent;
	void *skbaddr;
	void *location;
	unsigned short protocol;
} __kernel_struct;

#endif /* __DROPCAP_KERNEL_TYPES_H */
