/* SPDX-License-Identifier: MIT */
/*
 * rawtcp.h - build one TCP segment by hand (IPv4 or IPv6 header included)
 * and send it from an IPPROTO_RAW socket.
 *
 * Why IPPROTO_RAW: such a socket is send-only, so the kernel never queues
 * copies of received packets on it. A receiving raw socket would hold clones
 * of every TCP packet in the namespace and free them on close, and those
 * frees would show up as extra drops.
 */
#ifndef DROPGEN_RAWTCP_H
#define DROPGEN_RAWTCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RAWTCP_FIN 0x01
#define RAWTCP_SYN 0x02
#define RAWTCP_RST 0x04
#define RAWTCP_PSH 0x08
#define RAWTCP_ACK 0x10

/* an IPv4 or IPv6 loopback-style endpoint pair, both in network order */
struct rawtcp_addr {
	int family;			/* AF_INET or AF_INET6 */
	struct in6_addr addr;		/* IPv4 uses the first 4 bytes */
};

struct rawtcp_segment {
	struct rawtcp_addr src, dst;
	uint16_t sport, dport;		/* host order */
	uint32_t seq, ack;		/* host order */
	uint8_t flags;			/* RAWTCP_* */
	uint16_t window;		/* host order */
	const void *payload;
	size_t payload_len;
};

/* parse "127.0.0.1" or "::1"; returns 0 or -1 */
int rawtcp_parse_addr(const char *text, struct rawtcp_addr *out);

/* write the segment (IP header, TCP header, payload) into buf; returns its length or -1 */
ssize_t rawtcp_build(const struct rawtcp_segment *seg, uint8_t *buf, size_t cap);

/* an IPPROTO_RAW socket for the family (header included by us); -1 on error */
int rawtcp_socket(int family);

/* the sockaddr to pass to sendto()/sendmmsg() for dst */
socklen_t rawtcp_sockaddr(const struct rawtcp_addr *dst, struct sockaddr_storage *ss);

/* build and send one segment on a fresh raw socket; returns 0 or -1 (errno set) */
int rawtcp_send_one(const struct rawtcp_segment *seg);

#endif
