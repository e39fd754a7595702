// SPDX-License-Identifier: MIT
/*
 * dropgen - provoke kernel TCP drops whose reason and count are known in
 * advance, for dropcap's kernel tests, demo and benchmark.
 *
 * Run it inside a private network namespace (ip netns exec NS dropgen ...):
 * it talks only to the loopback address it is given. Each subcommand prints
 * one JSON line on stdout describing what it sent (ports, sequence numbers),
 * so the caller can predict the exact tuples of the drops. Why each recipe
 * gives its reason, and how many drops, is documented above its function and
 * in packages/recorder/src/provoke/scenarios.ts.
 */
#define _GNU_SOURCE
#include "rawtcp.h"
#include "storm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP -1
#endif

struct args {
	struct rawtcp_addr addr;
	const char *addr_text;
	uint16_t dport, sport;
	unsigned count, timeout_ms, threads, batch;
	uint64_t rate, storm_count;
	const char *mode;
	int syn;
};

static void die(const char *what)
{
	fprintf(stderr, "dropgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage_error(const char *msg)
{
	fprintf(stderr, "dropgen: %s\n"
		"usage: dropgen connect|flags|filter|abort|oow|overflow|storm [options]\n"
		"  --addr A        loopback address to use (127.0.0.1 or ::1)\n"
		"  --dport P       destination port (required)\n"
		"  --sport S       source port of raw segments (default 45000)\n"
		"  --count N       connect: attempts; storm: packets\n"
		"  --timeout-ms MS connect: give up and close after MS (default 1000)\n"
		"  --mode M        oow: old|future\n"
		"  --rate R        storm: packets/s in total, 0 = unpaced\n"
		"  --threads T     storm: sender threads (default 1)\n"
		"  --batch B       storm: packets per sendmmsg (default 64)\n"
		"  --syn           storm: send SYNs (2 drops each) instead of RSTs (1)\n",
		msg);
	exit(2);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static socklen_t sockaddr_for(const struct args *a, uint16_t port, struct sockaddr_storage *ss)
{
	socklen_t len = rawtcp_sockaddr(&a->addr, ss);

	if (a->addr.family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return len;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int tcp_socket(const struct args *a)
{
	int fd = socket(a->addr.family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static int listener(const struct args *a, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(a, a->dport, &ss);
	int fd = tcp_socket(a), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind listener");
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

/* bind to an ephemeral port first: after a RST the kernel unbinds the
 * socket, and getsockname() would then report port 0 */
static uint16_t bind_ephemeral(const struct args *a, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(a, 0, &ss);

	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind client");
	return local_port(fd);
}

static void connect_blocking(const struct args *a, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(a, a->dport, &ss);

	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
}

/*
 * Close with a RST (SO_LINGER 0). A graceful close is not drop-free: the
 * peer's FIN reaches the closer's socket after it became a TIME_WAIT
 * mini-socket, and tcp_v4_rcv/tcp_v6_rcv free it through discard_it with
 * NOT_SPECIFIED after answering. A RST received in ESTABLISHED is consumed.
 */
static void abortive_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("SO_LINGER");
	close(fd);
}

static void print_addr_fields(const struct args *a)
{
	printf("\"family\":%d,\"addr\":\"%s\"", a->addr.family == AF_INET ? 4 : 6, a->addr_text);
}

/*
 * connect: a non-blocking connect() per attempt, closed after --timeout-ms
 * if it has not finished. To a closed port: the SYN finds no socket in
 * tcp_v4_rcv/tcp_v6_rcv (NO_SOCKET, one drop), the kernel answers with a
 * RST that the SYN_SENT client consumes (ECONNREFUSED, not a drop). Behind
 * an nftables drop rule: the SYN is dropped in the input hook
 * (NETFILTER_DROP) and, closed before the first retransmit (1 s), exactly
 * one drop; closing a SYN_SENT socket sends nothing.
 */
static int cmd_connect(const struct args *a)
{
	printf("{\"scenario\":\"connect\",");
	print_addr_fields(a);
	printf(",\"dport\":%u,\"attempts\":[", a->dport);
	for (unsigned i = 0; i < a->count; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sockaddr_for(a, a->dport, &ss);
		int fd = socket(a->addr.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		const char *result = "connected";
		uint16_t sport;

		if (fd < 0)
			die("socket");
		sport = bind_ephemeral(a, fd);
		if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
			result = errno == ECONNREFUSED ? "refused" : strerror(errno);
		} else {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t elen = sizeof(err);

			if (poll(&p, 1, (int)a->timeout_ms) == 0) {
				result = "timeout";
			} else {
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
				if (err)
					result = err == ECONNREFUSED ? "refused" : strerror(err);
			}
		}
		close(fd);
		printf("%s{\"sport\":%u,\"result\":\"%s\"}", i ? "," : "", sport, result);
	}
	printf("]}\n");
	return 0;
}

/*
 * flags: a raw SYN|FIN to a listener. tcp_rcv_state_process() in
 * TCP_LISTEN discards a SYN that also carries FIN with TCP_FLAGS and sends
 * nothing back: exactly one drop.
 */
static int cmd_flags(const struct args *a)
{
	int lfd = listener(a, 16);
	struct rawtcp_segment seg = {
		.src = a->addr, .dst = a->addr, .sport = a->sport, .dport = a->dport,
		.seq = 1000, .flags = RAWTCP_SYN | RAWTCP_FIN, .window = 65535,
	};

	if (rawtcp_send_one(&seg))
		die("raw send");
	sleep_ms(50);
	close(lfd);
	printf("{\"scenario\":\"flags\",");
	print_addr_fields(a);
	printf(",\"sport\":%u,\"dport\":%u,\"seq\":%u}\n", seg.sport, seg.dport, seg.seq);
	return 0;
}

/*
 * filter: a listener with a classic BPF socket filter that returns 0
 * (accept nothing). tcp_v4_rcv/tcp_v6_rcv run tcp_filter() on the listener
 * before any TCP processing, so a raw SYN is dropped with SOCKET_FILTER. A
 * raw SYN is never retransmitted (a connect()ed client would retransmit it
 * and add one drop per retry): exactly one drop.
 */
static int cmd_filter(const struct args *a)
{
	int lfd = listener(a, 16);
	struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = code };
	struct rawtcp_segment seg = {
		.src = a->addr, .dst = a->addr, .sport = a->sport, .dport = a->dport,
		.seq = 2000, .flags = RAWTCP_SYN, .window = 65535,
	};

	if (setsockopt(lfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER");
	if (rawtcp_send_one(&seg))
		die("raw send");
	sleep_ms(50);
	close(lfd);
	printf("{\"scenario\":\"filter\",");
	print_addr_fields(a);
	printf(",\"sport\":%u,\"dport\":%u,\"seq\":%u}\n", seg.sport, seg.dport, seg.seq);
	return 0;
}

/*
 * abort: the server calls shutdown(SHUT_RDWR) (sends FIN, sets
 * RCV_SHUTDOWN); once the client has read that FIN it sends one byte. The
 * server, in FIN_WAIT2 with RCV_SHUTDOWN, resets the connection and drops
 * the data segment with TCP_ABORT_ON_DATA (tcp_rcv_state_process, RFC 1122
 * "MUST send a reset"). What the client does with the RST is measured, not
 * assumed: see scenarios.ts.
 */
static int cmd_abort(const struct args *a)
{
	int lfd = listener(a, 16), cfd = tcp_socket(a), sfd;
	uint16_t sport = bind_ephemeral(a, cfd);
	char c = 'x';
	struct pollfd p = { .fd = cfd, .events = POLLIN };
	const char *client_result = "no-reset";

	connect_blocking(a, cfd);
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die("accept");
	if (shutdown(sfd, SHUT_RDWR))
		die("shutdown");
	/* wait for the FIN: read() returning 0 means the client is in CLOSE_WAIT
	 * and has ACKed it, so the server is in FIN_WAIT2 */
	if (poll(&p, 1, 1000) != 1 || read(cfd, &c, 1) != 0)
		die("waiting for the server's FIN");
	if (write(cfd, "x", 1) != 1)
		die("write");
	/* the RST comes back within the same softirq; give it a moment anyway */
	for (int i = 0; i < 100; i++) {
		int err = 0;
		socklen_t elen = sizeof(err);

		getsockopt(cfd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err) {
			/* EPIPE: tcp_reset() in CLOSE_WAIT reports EPIPE */
			client_result = err == ECONNRESET || err == EPIPE ? "reset" : strerror(err);
			break;
		}
		sleep_ms(5);
	}
	close(cfd);
	close(sfd);
	close(lfd);
	printf("{\"scenario\":\"abort\",");
	print_addr_fields(a);
	printf(",\"sport\":%u,\"dport\":%u,\"client\":\"%s\"}\n", sport, a->dport, client_result);
	return 0;
}

/*
 * oow: an established connection whose client initial sequence number we
 * chose (TCP_REPAIR lets root set write_seq while the socket is closed, and
 * tcp_v4_connect keeps a non-zero write_seq), then a raw ACK from the
 * client's address and port with a sequence number outside the server's
 * receive window. tcp_validate_incoming() -> tcp_sequence():
 *   future: seq = rcv_nxt + 2^30, far after rcv_nxt + window -> TCP_INVALID_SEQUENCE
 *   old:    seq = rcv_nxt - 2^20, end_seq before rcv_wup       -> TCP_OLD_SEQUENCE
 * The server answers with a duplicate ACK, which the client accepts.
 */
static int cmd_oow(const struct args *a)
{
	const uint32_t isn = 0x10000000u;
	int lfd = listener(a, 16), cfd = tcp_socket(a), sfd;
	int on = 1, off = TCP_REPAIR_OFF_NO_WP, q = TCP_SEND_QUEUE;
	uint32_t seq0 = isn;
	uint16_t sport;
	int future;

	if (!a->mode || (strcmp(a->mode, "old") && strcmp(a->mode, "future")))
		usage_error("oow needs --mode old|future");
	future = !strcmp(a->mode, "future");
	sport = bind_ephemeral(a, cfd);
	if (setsockopt(cfd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)) ||
	    setsockopt(cfd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &q, sizeof(q)) ||
	    setsockopt(cfd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq0, sizeof(seq0)) ||
	    setsockopt(cfd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)))
		die("TCP_REPAIR (needs CAP_NET_ADMIN)");
	connect_blocking(a, cfd);
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		die("accept");

	/* the SYN consumed isn; nothing else was sent, so rcv_nxt = isn + 1 */
	uint32_t rcv_nxt = isn + 1;
	struct rawtcp_segment seg = {
		.src = a->addr, .dst = a->addr, .sport = sport, .dport = a->dport,
		.seq = future ? rcv_nxt + (1u << 30) : rcv_nxt - (1u << 20),
		.ack = 0, .flags = RAWTCP_ACK, .window = 512,
	};

	if (rawtcp_send_one(&seg))
		die("raw send");
	sleep_ms(50);
	abortive_close(cfd);
	sleep_ms(20);
	close(sfd);
	close(lfd);
	printf("{\"scenario\":\"oow\",");
	print_addr_fields(a);
	printf(",\"mode\":\"%s\",\"sport\":%u,\"dport\":%u,\"isn\":%u,\"seq\":%u}\n",
	       a->mode, sport, a->dport, isn, seg.seq);
	return 0;
}

/* a non-blocking connect() whose final handshake ACK is held back: on a
 * client socket TCP_DEFER_ACCEPT makes tcp_rcv_synsent_state_process delay
 * the ACK (up to 200 ms) so it can ride on the first data segment */
static int connect_holding_ack(const struct args *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(a, a->dport, &ss);
	int fd = tcp_socket(a), secs = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)))
		die("TCP_DEFER_ACCEPT");
	bind_ephemeral(a, fd);
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	return fd;
}

/*
 * overflow: a listener with backlog 1 (accept queue full at 2 sockets).
 * One client connects normally (1 queued). Two more connect with their final
 * ACK held back, so the listener has two requests in SYN_RECV and no more
 * queued sockets: neither SYN met a full queue (those are consumed, not
 * dropped). The first sends a byte: its request completes and the accept
 * queue is full. The second sends a byte: tcp_check_req finds the queue full
 * and frees the segment with TCP_LISTEN_OVERFLOW (since 6.15). Then the
 * server accepts everything, so the second client's retransmission (RTO
 * >= 200 ms) completes its connection instead of overflowing again: one drop.
 */
static int cmd_overflow(const struct args *a)
{
	int lfd = listener(a, 1), first = tcp_socket(a), held1, held2, fds[3], n = 0;
	uint16_t sport;
	char c;

	connect_blocking(a, first);
	held1 = connect_holding_ack(a);
	held2 = connect_holding_ack(a);
	sport = local_port(held2);
	if (write(held1, "a", 1) != 1)
		die("write");
	sleep_ms(20);
	if (write(held2, "b", 1) != 1)
		die("write");
	sleep_ms(20);
	/* drain the queue; the dropped byte comes back by retransmission */
	for (int tries = 0; n < 3 && tries < 300; tries++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (poll(&p, 1, 10) == 1) {
			fds[n] = accept(lfd, NULL, NULL);
			if (fds[n] < 0)
				die("accept");
			n++;
		}
	}
	if (n != 3) {
		fprintf(stderr, "dropgen: overflow: only %d of 3 connections accepted\n", n);
		return 1;
	}
	/* the third accepted socket is the overflowed one: wait for its byte */
	struct pollfd p = { .fd = fds[2], .events = POLLIN };
	if (poll(&p, 1, 3000) != 1 || read(fds[2], &c, 1) != 1)
		die("waiting for the retransmitted byte");
	abortive_close(first);
	abortive_close(held1);
	abortive_close(held2);
	sleep_ms(20);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(lfd);
	printf("{\"scenario\":\"overflow\",");
	print_addr_fields(a);
	printf(",\"sport\":%u,\"dport\":%u,\"retransmitted\":\"%c\"}\n", sport, a->dport, c);
	return 0;
}

static int cmd_storm(const struct args *a)
{
	struct storm_opts o = {
		.addr = a->addr, .sport = a->sport, .dport = a->dport,
		.flags = a->syn ? RAWTCP_SYN : RAWTCP_RST,
		.count = a->storm_count, .rate = a->rate,
		.threads = a->threads, .batch = a->batch,
	};

	if (!o.count)
		usage_error("storm needs --count N (N > 0)");
	if (!o.threads || o.threads > 64 || !o.batch || o.batch > 1024)
		usage_error("storm: --threads 1..64, --batch 1..1024");
	return storm_run(&o) ? 1 : 0;
}

static unsigned long long parse_num(const char *s, const char *name, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v > max) {
		fprintf(stderr, "dropgen: bad %s '%s'\n", name, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "dport", required_argument, NULL, 'd' },
		{ "sport", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "rate", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 'T' },
		{ "batch", required_argument, NULL, 'b' },
		{ "syn", no_argument, NULL, 'S' },
		{ "v6", no_argument, NULL, '6' },
		{ 0 },
	};
	struct args a = {
		.addr_text = "127.0.0.1", .sport = 45000, .count = 1,
		.timeout_ms = 1000, .threads = 1, .batch = 64,
	};
	const char *cmd;
	int c;

	if (argc < 2)
		usage_error("missing subcommand");
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': a.addr_text = optarg; break;
		case 'd': a.dport = (uint16_t)parse_num(optarg, "--dport", 65535); break;
		case 's': a.sport = (uint16_t)parse_num(optarg, "--sport", 65535); break;
		case 'c':
			a.storm_count = parse_num(optarg, "--count", 1ull << 40);
			a.count = (unsigned)(a.storm_count > 1000 ? 1000 : a.storm_count);
			break;
		case 't': a.timeout_ms = (unsigned)parse_num(optarg, "--timeout-ms", 600000); break;
		case 'm': a.mode = optarg; break;
		case 'r': a.rate = parse_num(optarg, "--rate", 1ull << 32); break;
		case 'T': a.threads = (unsigned)parse_num(optarg, "--threads", 64); break;
		case 'b': a.batch = (unsigned)parse_num(optarg, "--batch", 1024); break;
		case 'S': a.syn = 1; break;
		case '6': a.addr_text = "::1"; break;
		default: usage_error("unknown option");
		}
	}
	if (rawtcp_parse_addr(a.addr_text, &a.addr))
		usage_error("--addr must be an IPv4 or IPv6 address");
	if (!a.dport)
		usage_error("--dport is required");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (!strcmp(cmd, "connect"))
		return cmd_connect(&a);
	if (!strcmp(cmd, "flags"))
		return cmd_flags(&a);
	if (!strcmp(cmd, "filter"))
		return cmd_filter(&a);
	if (!strcmp(cmd, "abort"))
		return cmd_abort(&a);
	if (!strcmp(cmd, "oow"))
		return cmd_oow(&a);
	if (!strcmp(cmd, "overflow"))
		return cmd_overflow(&a);
	if (!strcmp(cmd, "storm"))
		return cmd_storm(&a);
	usage_error("unknown subcommand");
	return 2;
}
