// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * core_fallback_check - proves the CO-RE guards of core_fixes.bpf.h on this
 * machine: loads each attach method of dropcap.bpf.o with CO-RE relocated
 * against a BTF that looks like an older kernel (no `reason`, no `rx_sk` in
 * the kfree_skb trace record), then checks that a provoked drop arrives with
 * reason 0, DROPCAP_F_NO_REASON and no rx_sk socket.
 *
 * usage: core_fallback_check OLD_BTF_FILE NETNS_INODE 'COMMAND THAT DROPS'
 * Run by check-core-fallback.sh, which builds OLD_BTF_FILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dropcap.h"
#include "dropcap.skel.h"

#define RING_BYTES	(256 * 1024)
#define MAX_CPUS	4096

static int events, bad;

static int on_event(void *ctx, void *data, size_t size)
{
	const struct dropcap_event *e = data;

	(void)ctx;
	(void)size;
	events++;
	if (e->reason != 0 || !(e->flags & DROPCAP_F_NO_REASON) || e->sk_source == DROPCAP_SK_RX)
		bad++;
	printf("  event: v%u %u -> %u reason=%u flags=%#x sk_source=%u\n", e->family, e->sport,
	       e->dport, e->reason, e->flags, e->sk_source);
	return 0;
}

static int check(const char *btf_path, __u32 netns, const char *provoke, int method)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct dropcap_bpf *skel = dropcap_bpf__open_opts(&opts);
	struct bpf_program *progs[3];
	struct ring_buffer *rb = NULL;
	struct bpf_link *link = NULL;
	int nr_cpus = libbpf_num_possible_cpus();
	int ring_fds[MAX_CPUS];
	int err = 1;

	for (int i = 0; i < MAX_CPUS; i++)
		ring_fds[i] = -1;
	if (!skel || nr_cpus <= 0 || nr_cpus > MAX_CPUS) {
		dropcap_bpf__destroy(skel);
		return 1;
	}
	progs[0] = skel->progs.dropcap_tp_btf;
	progs[1] = skel->progs.dropcap_raw_tp;
	progs[2] = skel->progs.dropcap_tracepoint;
	skel->rodata->filter_netns = netns;
	skel->rodata->stack_mode = 0;
	bpf_program__set_autoload(progs[method], true);
	bpf_map__set_max_entries(skel->maps.rings, nr_cpus);
	/* one ring per possible CPU, as the addon does it; CPU 0's is the
	 * inner map template (libbpf 1.1.2 crashes sizing its own) */
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		ring_fds[cpu] = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "dropcap_ring", 0, 0,
					       RING_BYTES, NULL);
		if (ring_fds[cpu] < 0) {
			printf("  ring %d: %d\n", cpu, -errno);
			goto out;
		}
	}
	bpf_map__set_inner_map_fd(skel->maps.rings, ring_fds[0]);
	printf("%s:\n", bpf_program__name(progs[method]));
	if (dropcap_bpf__load(skel)) {
		printf("  load failed\n");
		goto out;
	}
	for (int cpu = 0; cpu < nr_cpus; cpu++) {
		__u32 key = cpu;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.rings), &key, &ring_fds[cpu], 0)) {
			printf("  ring %d: %d\n", cpu, -errno);
			goto out;
		}
		if (cpu == 0)
			rb = ring_buffer__new(ring_fds[cpu], on_event, NULL, NULL);
		else if (rb && ring_buffer__add(rb, ring_fds[cpu], on_event, NULL))
			goto out;
	}
	link = bpf_program__attach(progs[method]);
	if (!link) {
		printf("  attach failed: %d\n", -errno);
		goto out;
	}
	events = bad = 0;
	if (!rb || system(provoke) != 0)
		goto out;
	usleep(100000);
	ring_buffer__consume(rb);
	err = events == 0 || bad != 0;
	printf("  %d events, %d wrong\n", events, bad);
out:
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	dropcap_bpf__destroy(skel);
	for (int i = 0; i < MAX_CPUS; i++)
		if (ring_fds[i] >= 0)
			close(ring_fds[i]);
	return err;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s OLD_BTF NETNS_INODE COMMAND\n", argv[0]);
		return 2;
	}
	for (int method = 0; method < 3; method++)
		failed |= check(argv[1], (__u32)strtoul(argv[2], NULL, 10), argv[3], method);
	printf(failed ? "FAIL\n" : "OK\n");
	return failed;
}
