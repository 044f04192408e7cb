/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/*
 * TCP reassembly: decoded segments in, per-direction byte streams out
 * through a flow_sink (flow.h), with memory bounded by tcpflow_limits.
 */

#ifndef TCPFLOW_H
#define TCPFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define TCPFLOW_HOLD_MAX	(16 * 1024 * 1024)
#define TCPFLOW_RETAIN_MAX	(64 * 1024)
#define TCPFLOW_MEMCAP		(256 * 1024 * 1024)
#define TCPFLOW_FLOWS_MAX	262144
#define TCPFLOW_IDLE_TIMEOUT	600
#define TCPFLOW_TIMEWAIT	10
#define TCPFLOW_HOLD_SEGS_MAX	4096	/* held pieces per direction */
#define TCPFLOW_ANOMALY_MAX	32	/* per flow through the sink */

struct tcpflow_limits {
	size_t		 hold_max;	/* out-of-order bytes held, per flow */
	size_t		 retain_max;	/* delivered bytes kept per direction
					   to compare retransmissions */
	size_t		 memcap;	/* held and kept bytes, all flows */
	size_t		 flows_max;	/* flows in the table, closed too */
	uint32_t	 idle_timeout;	/* seconds of capture time */
	uint32_t	 timewait;	/* seconds a closed tuple is kept */
};

struct tcpflow_stats {
	uint64_t	 segments;	/* segments given */
	uint64_t	 flows;		/* flows opened */
	uint64_t	 flows_capped;	/* flows that hit a cap */
	uint64_t	 flows_evicted;	/* closed early: table full */
	uint64_t	 ends[FLOW_END_CAP + 1];	/* closes by flow_end */
	uint64_t	 bytes[2];	/* delivered, by flow_dir */
	uint64_t	 out_of_order;	/* segments held */
	uint64_t	 retransmitted;	/* segments (or parts) seen before */
	uint64_t	 overlaps_differ; /* ... with different bytes */
	uint64_t	 gaps;
	uint64_t	 gap_bytes;
	uint64_t	 stray;		/* control segments of no known flow */
	uint64_t	 late;		/* segments on a closed flow */
	uint64_t	 out_of_window;	/* far beyond the expected sequence */
	uint64_t	 anomalies;	/* also those past the flow limit */
	size_t		 mem;		/* held and kept bytes now */
	size_t		 mem_peak;	/* ... at most */
	size_t		 flows_now;	/* flows in the table now */
	size_t		 flows_peak;	/* ... at most */
};

struct decoded;
struct tcpflow;

void		 tcpflow_limits_default(struct tcpflow_limits *);
struct tcpflow	*tcpflow_new(const struct flow_sink *,
		    const struct tcpflow_limits *);
void		 tcpflow_add_segment(struct tcpflow *, const struct decoded *,
		    const struct flow_pos *);
void		 tcpflow_expire(struct tcpflow *, int64_t);
void		 tcpflow_finish(struct tcpflow *);
const struct tcpflow_stats *tcpflow_stats(struct tcpflow *);
void		 tcpflow_free(struct tcpflow *);

#endif /* TCPFLOW_H */
