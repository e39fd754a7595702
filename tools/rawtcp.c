// SPDX-License-Identifier: MIT
/* rawtcp.c - hand-built TCP segments sent from an IPPROTO_RAW socket. */
#include "rawtcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

int rawtcp_parse_addr(const char *text, struct rawtcp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->addr) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

/* one's-complement sum of 16-bit words, folded at the end by csum_fold() */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

ssize_t rawtcp_build(const struct rawtcp_segment *seg, uint8_t *buf, size_t cap)
{
	size_t iplen = seg->src.family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	size_t tcplen = sizeof(struct tcphdr) + seg->payload_len;
	struct tcphdr *th = (struct tcphdr *)(buf + iplen);
	uint32_t sum = 0;

	if (iplen + tcplen > cap || seg->src.family != seg->dst.family)
		return -1;
	memset(buf, 0, iplen + sizeof(*th));

	th->source = htons(seg->sport);
	th->dest = htons(seg->dport);
	th->seq = htonl(seg->seq);
	th->ack_seq = htonl(seg->ack);
	th->doff = sizeof(*th) / 4;
	((uint8_t *)th)[13] = seg->flags;
	th->window = htons(seg->window);
	if (seg->payload_len)
		memcpy(buf + iplen + sizeof(*th), seg->payload, seg->payload_len);

	/* the TCP checksum covers a pseudo-header: a wrong one would turn every
	 * drop into TCP_CSUM instead of the reason we want to provoke */
	if (seg->src.family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)buf;

		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->tot_len = htons((uint16_t)(iplen + tcplen));
		memcpy(&ip->saddr, &seg->src.addr, 4);
		memcpy(&ip->daddr, &seg->dst.addr, 4);
		/* the kernel fills ip->id and ip->check for IPPROTO_RAW sockets */
		sum = csum_add(sum, &ip->saddr, 8);
		sum += IPPROTO_TCP + (uint32_t)tcplen;
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)buf;

		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons((uint16_t)tcplen);
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = 64;
		ip6->ip6_src = seg->src.addr;
		ip6->ip6_dst = seg->dst.addr;
		sum = csum_add(sum, &ip6->ip6_src, 32);
		sum += (uint32_t)tcplen + IPPROTO_TCP;
	}
	sum = csum_add(sum, th, tcplen);
	th->check = csum_fold(sum);
	return (ssize_t)(iplen + tcplen);
}

int rawtcp_socket(int family)
{
	/* IPPROTO_RAW implies IP_HDRINCL (IPv4) and hdrincl (IPv6, since 4.5) */
	return socket(family, SOCK_RAW, IPPROTO_RAW);
}

socklen_t rawtcp_sockaddr(const struct rawtcp_addr *dst, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (dst->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, &dst->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = dst->addr;
	return sizeof(*sin6);
}

int rawtcp_send_one(const struct rawtcp_segment *seg)
{
	uint8_t buf[2048];
	struct sockaddr_storage ss;
	socklen_t sslen = rawtcp_sockaddr(&seg->dst, &ss);
	ssize_t len = rawtcp_build(seg, buf, sizeof(buf));
	int fd, saved;

	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	fd = rawtcp_socket(seg->dst.family);
	if (fd < 0)
		return -1;
	if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&ss, sslen) != len) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}
