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
 * Internals of tcpflow.c and tcpflow_stream.c: the flow table, a flow and
 * its two directions.
 */

#ifndef TCPFLOW_INT_H
#define TCPFLOW_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "tcpflow.h"

#define SEQ_LT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)
#define SEQ_WINDOW	(1U << 30)

#define TABLE_MIN	1024
#define RETAIN_MIN	2048

struct tcpflow_seg {
	struct tcpflow_seg	*next;
	uint32_t		 seq;
	uint32_t		 len;
	struct flow_pos		 pos;		/* the packet that carried it */
	uint8_t			 data[];
};

#define SEG_COST(n)	(sizeof(struct tcpflow_seg) + (n))

struct tcpflow_half {
	bool			 synced;	/* next is known */
	bool			 from_ack;	/* ... from the peer's ACK */
	bool			 have_isn;
	bool			 fin;		/* FIN seen, at fin_seq */
	uint32_t		 isn;
	uint32_t		 next;		/* next expected sequence */
	uint32_t		 fin_seq;
	uint64_t		 offset;	/* stream bytes, gaps too */
	struct tcpflow_seg	*held;		/* beyond next, sorted */
	struct tcpflow_seg	*tail;
	size_t			 nheld;
	uint8_t			*rbuf;		/* [next - rlen, next) */
	size_t			 rcap;
	size_t			 roff;
	size_t			 rlen;
};

struct tcpflow_key {
	uint8_t			 a[16];		/* the lower endpoint */
	uint8_t			 b[16];
	uint16_t		 pa;
	uint16_t		 pb;
	uint8_t			 family;
};

struct tcpflow_conn {
	struct tcpflow_conn	*hnext;
	TAILQ_ENTRY(tcpflow_conn) q;		/* lru (open) or tw (closed) */
	TAILQ_ENTRY(tcpflow_conn) all;		/* open flows, by id */
	struct tcpflow_key	 key;
	uint64_t		 hash;
	uint64_t		 id;
	void			*fs;
	bool			 a_is_client;
	bool			 saw_syn;
	bool			 closed;
	bool			 capped;
	unsigned		 nanomaly;
	size_t			 held;		/* both directions, with cost */
	int64_t			 closed_at;
	struct flow_pos		 last;		/* the flow's last packet */
	struct tcpflow_half	 half[2];
};

TAILQ_HEAD(tcpflow_list, tcpflow_conn);

struct tcpflow {
	struct flow_sink	 sink;
	struct tcpflow_limits	 lim;
	struct tcpflow_stats	 st;
	struct tcpflow_conn	**bucket;
	size_t			 nbucket;	/* a power of 2 */
	size_t			 nflows;
	uint64_t		 next_id;
	size_t			 mem;
	int64_t			 now;
	struct tcpflow_list	 lru;
	struct tcpflow_list	 tw;
	struct tcpflow_list	 all;
};

/* tcpflow.c */
void		 tf_mem_add(struct tcpflow *, size_t);
void		 tf_anomaly(struct tcpflow *, struct tcpflow_conn *,
		    enum flow_dir, const char *, const struct flow_pos *);

/* tcpflow_stream.c */
void		 tf_stream_data(struct tcpflow *, struct tcpflow_conn *,
		    enum flow_dir, uint32_t, const uint8_t *, size_t, size_t,
		    const struct flow_pos *);
void		 tf_stream_ack(struct tcpflow *, struct tcpflow_conn *,
		    enum flow_dir, uint32_t, const struct flow_pos *);
void		 tf_stream_flush(struct tcpflow *, struct tcpflow_conn *,
		    enum flow_dir, const struct flow_pos *);
bool		 tf_stream_done(const struct tcpflow_half *);
void		 tf_stream_release(struct tcpflow *, struct tcpflow_conn *,
		    struct tcpflow_half *);

#endif /* TCPFLOW_INT_H */
