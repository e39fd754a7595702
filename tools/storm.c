// SPDX-License-Identifier: MIT
/*
 * storm.c - the benchmark's load: identical segments to a closed port over
 * loopback, from IPPROTO_RAW sockets with sendmmsg(), one socket per thread.
 *
 * Kernel path of one packet: raw send -> ip_local_out -> loopback_xmit ->
 * netif_rx -> (softirq on the sending CPU, usually at local_bh_enable() in
 * the same syscall) -> tcp_v4_rcv/tcp_v6_rcv -> no socket -> kfree_skb with
 * NO_SOCKET. A RST gets no answer (RFC 793: never reset a reset), so each
 * RST is exactly one drop. A SYN is answered with a RST to the unbound
 * source port, which is itself dropped with NO_SOCKET: two drops per SYN.
 * Because the receive side runs in the sender's softirq, the sender's
 * system time includes the cost of the drop path (and of any tracer on it).
 */
#define _GNU_SOURCE
#include "storm.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define STORM_MAX_BATCH 1024

struct storm_thread {
	pthread_t tid;
	const struct storm_opts *opts;
	uint64_t count;		/* this thread's share */
	uint64_t rate;		/* this thread's share; 0 = unpaced */
	uint64_t sent;
	int err;		/* errno of a fatal send error, else 0 */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until_ns(uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ull),
		.tv_nsec = (long)(deadline % 1000000000ull),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *storm_thread_main(void *arg)
{
	struct storm_thread *t = arg;
	const struct storm_opts *o = t->opts;
	struct rawtcp_segment seg = {
		.src = o->addr, .dst = o->addr,
		.sport = o->sport, .dport = o->dport,
		.seq = 1000, .ack = 0, .flags = o->flags, .window = 65535,
	};
	static __thread struct mmsghdr msgs[STORM_MAX_BATCH];
	uint8_t pkt[128];
	struct sockaddr_storage ss;
	socklen_t sslen = rawtcp_sockaddr(&o->addr, &ss);
	struct iovec iov;
	ssize_t len = rawtcp_build(&seg, pkt, sizeof(pkt));
	unsigned batch = o->batch;
	uint64_t start;
	int fd;

	if (len < 0) {
		t->err = EINVAL;
		return NULL;
	}
	fd = rawtcp_socket(o->addr.family);
	if (fd < 0) {
		t->err = errno;
		return NULL;
	}
	/* pacing: keep wakeups near 1000/s so low rates stay smooth */
	if (t->rate && t->rate / 1000 < batch)
		batch = t->rate / 1000 ? (unsigned)(t->rate / 1000) : 1;

	iov.iov_base = pkt;
	iov.iov_len = (size_t)len;
	for (unsigned i = 0; i < batch; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &ss;
		msgs[i].msg_hdr.msg_namelen = sslen;
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_ns();
	while (t->sent < t->count) {
		uint64_t left = t->count - t->sent;
		unsigned n = left < batch ? (unsigned)left : batch;
		int r;

		if (t->rate)
			sleep_until_ns(start + t->sent * 1000000000ull / t->rate);
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			/* transient: a full socket buffer; anything else is fatal */
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			t->err = errno;
			break;
		}
		t->sent += (uint64_t)r;
	}
	close(fd);
	return NULL;
}

/* a counter from /proc/net/snmp ("Tcp:" header line, then values line) */
static long long snmp_tcp(const char *field)
{
	char names[4096], values[4096];
	FILE *f = fopen("/proc/net/snmp", "r");
	long long result = -1;

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f)) {
		if (strncmp(names, "Tcp:", 4) || !fgets(values, sizeof(values), f))
			continue;
		char *ns, *vs;
		char *n = strtok_r(names, " \n", &ns);
		char *v = strtok_r(values, " \n", &vs);

		for (; n && v; n = strtok_r(NULL, " \n", &ns), v = strtok_r(NULL, " \n", &vs))
			if (!strcmp(n, field))
				result = atoll(v);
		break;
	}
	fclose(f);
	return result;
}

/* lo's receive drops in this netns: backlog overflows would show here */
static long long lo_rx_dropped(void)
{
	FILE *f = fopen("/sys/class/net/lo/statistics/rx_dropped", "r");
	long long v = -1;

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int storm_run(const struct storm_opts *o)
{
	struct storm_thread *threads = calloc(o->threads, sizeof(*threads));
	long long segs0 = snmp_tcp("InSegs"), drop0 = lo_rx_dropped();
	struct rusage ru0, ru1;
	uint64_t t0, t1, sent = 0;
	int err = 0;

	if (!threads)
		return -1;
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	for (unsigned i = 0; i < o->threads; i++) {
		threads[i].opts = o;
		threads[i].count = o->count / o->threads + (i < o->count % o->threads);
		threads[i].rate = o->rate / o->threads + (i < o->rate % o->threads);
		if (o->rate && !threads[i].rate)
			threads[i].rate = 1;
		if (pthread_create(&threads[i].tid, NULL, storm_thread_main, &threads[i])) {
			fprintf(stderr, "dropgen storm: pthread_create failed\n");
			exit(1);
		}
	}
	for (unsigned i = 0; i < o->threads; i++) {
		pthread_join(threads[i].tid, NULL);
		sent += threads[i].sent;
		if (threads[i].err)
			err = threads[i].err;
	}
	t1 = now_ns();
	getrusage(RUSAGE_SELF, &ru1);
	free(threads);

	double elapsed = (double)(t1 - t0) / 1e9;
	double user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime);
	double sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
	unsigned per = o->flags & RAWTCP_SYN ? 2 : 1;
	long long segs1 = snmp_tcp("InSegs"), drop1 = lo_rx_dropped();

	printf("{\"sent\":%" PRIu64 ",\"elapsed_s\":%.6f,\"rate\":%.1f,"
	       "\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,\"cpu_ns_per_packet\":%.1f,"
	       "\"threads\":%u,\"flags\":\"%s\",\"drops_per_packet\":%u,"
	       "\"expected_drops\":%" PRIu64 ",\"tcp_in_segs\":%lld,\"lo_rx_dropped\":%lld,"
	       "\"error\":%s%s%s}\n",
	       sent, elapsed, elapsed > 0 ? (double)sent / elapsed : 0.0,
	       user, sys, sent ? (user + sys) * 1e9 / (double)sent : 0.0,
	       o->threads, o->flags & RAWTCP_SYN ? "SYN" : "RST", per,
	       sent * per, segs0 >= 0 && segs1 >= 0 ? segs1 - segs0 : -1,
	       drop0 >= 0 && drop1 >= 0 ? drop1 - drop0 : -1,
	       err ? "\"" : "null", err ? strerror(err) : "", err ? "\"" : "");
	fflush(stdout);
	return err ? -1 : 0;
}
