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
	int err = 1;

	if (!skel)
		return 1;
	progs[0] = skel->progs.dropcap_tp_btf;
	progs[1] = skel->progs.dropcap_raw_tp;
	progs[2] = skel->progs.dropcap_tracepoint;
	skel->rodata->filter_netns = netns;
	skel->rodata->stack_mode = 0;
	bpf_program__set_autoload(progs[method], true);
	printf("%s:\n", bpf_program__name(progs[method]));
	if (dropcap_bpf__load(skel)) {
		printf("  load failed\n");
		goto out;
	}
	link = bpf_program__attach(progs[method]);
	if (!link) {
		printf("  attach failed: %d\n", -errno);
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
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
