/* SPDX-License-Identifier: MIT */
/* storm.h - a flood of identical segments to a closed loopback port. */
#ifndef DROPGEN_STORM_H
#define DROPGEN_STORM_H

#include "rawtcp.h"

struct storm_opts {
	struct rawtcp_addr addr;	/* source and destination (loopback) */
	uint16_t sport, dport;
	uint8_t flags;			/* RAWTCP_RST (1 drop each) or RAWTCP_SYN (2) */
	uint64_t count;			/* packets in total, split over threads */
	uint64_t rate;			/* packets/s in total; 0 = as fast as possible */
	unsigned threads;
	unsigned batch;			/* packets per sendmmsg() */
};

/* runs the storm and prints one JSON line on stdout; returns 0 or -1 */
int storm_run(const struct storm_opts *opts);

#endif
