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
 * TCP reassembly into the flow_sink of flow.h.
 *
 * Segments come from decode_frame() and are hostile: any sequence
 * numbers, flags and lengths.  All sequence arithmetic is modulo 2^32
 * (SEQ_LT and friends); a segment starting more than SEQ_WINDOW beyond
 * the expected byte is dropped as out of window.
 *
 * Flows.  A hash table on the 4-tuple, both directions mapping to one
 * flow.  A flow is made by a SYN (its sender is the client), a SYN-ACK
 * whose SYN was missed (its receiver is the client) or, picked up
 * mid-stream (saw_syn false), by a segment carrying data: then the server
 * is the side on a known SMTP port (25, 465, 587, 2525, 225, 8025), else
 * the lower port, else the receiver.  Bare ACK, FIN or RST segments of no
 * known flow make none (counted as stray).  A direction's stream starts
 * after its SYN, else at the peer's ACK or its own first data, whichever
 * is seen first.
 *
 * Directions.  See tcpflow_stream.c: in-order delivery, holes, overlaps,
 * caps.
 *
 * Ends.  close() is called exactly once per flow: FLOW_END_FIN when both
 * directions' FINs are reached, FLOW_END_RST at a reset, FLOW_END_TIMEOUT
 * after idle_timeout seconds of capture time without a segment (or when a
 * new SYN reuses the tuple of a flow that never closed:
 * "syn-on-open-flow"), FLOW_END_EOF from tcpflow_finish(), FLOW_END_CAP
 * when the flow was capped or evicted to make room in a full table
 * ("flow-table-full").  A closed flow's buffers are freed at once; its
 * tuple is remembered for timewait seconds so that late segments (the
 * last ACK, a retransmitted FIN) are ignored, while a SYN with another
 * ISN starts a new flow with a new id (port reuse).
 *
 * Positions.  data() gets the position of the packet that carried the
 * bytes (a held piece keeps its own); gap() that of the packet that made
 * the hole be given up; anomaly() that of the packet concerned, offset in
 * its direction; close() the closing packet (for TIMEOUT, EOF and CAP the
 * flow's last packet) with offset = the client stream's length.  At most
 * TCPFLOW_ANOMALY_MAX anomalies per flow reach the sink; all are counted.
 */

#include "config.h"

#include "tcpflow.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "tcpflow_int.h"
#include "xmalloc.h"

#define TIME_LIMIT	((int64_t)1 << 40)	/* seconds around 1970 */

/* tcpflow_limits_default - the TCPFLOW_* defaults. */
void
tcpflow_limits_default(struct tcpflow_limits *lim)
{
	lim->hold_max = TCPFLOW_HOLD_MAX;
	lim->retain_max = TCPFLOW_RETAIN_MAX;
	lim->memcap = TCPFLOW_MEMCAP;
	lim->flows_max = TCPFLOW_FLOWS_MAX;
	lim->idle_timeout = TCPFLOW_IDLE_TIMEOUT;
	lim->timewait = TCPFLOW_TIMEWAIT;
}

/* tf_mem_add - account n more bytes held or kept. */
void
tf_mem_add(struct tcpflow *tf, size_t n)
{
	tf->mem += n;
	if (tf->mem > tf->st.mem_peak)
		tf->st.mem_peak = tf->mem;
}

/* flow_hash - mix the key (fixed seed; order of output never depends on it). */
static uint64_t
flow_hash(const struct tcpflow_key *k)
{
	uint64_t	w[4], h;
	int		i;

	memcpy(w, k->a, 16);
	memcpy(w + 2, k->b, 16);
	h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)k->pa << 32 |
	    (uint64_t)k->pb << 16 | k->family);
	for (i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return (h ^ (h >> 32));
}

/* tf_anomaly - count an anomaly and pass the first ones on. */
void
tf_anomaly(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    const char *what, const struct flow_pos *pos)
{
	struct flow_pos	fp = *pos;

	tf->st.anomalies++;
	if (c->nanomaly++ >= TCPFLOW_ANOMALY_MAX || tf->sink.anomaly == NULL)
		return;
	fp.offset = c->half[dir].offset;
	tf->sink.anomaly(tf->sink.arg, c->fs, what, &fp);
}

/* flow_close - deliver what is held and close the flow, exactly once. */
static void
flow_close(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_end how,
    const struct flow_pos *pos)
{
	struct flow_pos	fp = *pos;

	if (c->closed)
		return;
	tf_stream_flush(tf, c, FLOW_C2S, pos);
	tf_stream_flush(tf, c, FLOW_S2C, pos);
	if (c->capped)
		how = FLOW_END_CAP;
	fp.offset = c->half[FLOW_C2S].offset;
	if (tf->sink.close != NULL)
		tf->sink.close(tf->sink.arg, c->fs, how, &fp);
	tf->st.ends[how]++;
	tf_stream_release(tf, c, &c->half[0]);
	tf_stream_release(tf, c, &c->half[1]);
	c->closed = true;
	c->closed_at = tf->now;
	TAILQ_REMOVE(&tf->lru, c, q);
	TAILQ_REMOVE(&tf->all, c, all);
	TAILQ_INSERT_TAIL(&tf->tw, c, q);
}

/* flow_free - forget a closed flow's tuple. */
static void
flow_free(struct tcpflow *tf, struct tcpflow_conn *c)
{
	struct tcpflow_conn	**pp;

	for (pp = &tf->bucket[c->hash & (tf->nbucket - 1)]; *pp != c;
	    pp = &(*pp)->hnext)
		;
	*pp = c->hnext;
	TAILQ_REMOVE(&tf->tw, c, q);
	tf->nflows--;
	free(c);
}

/* flow_idle_end - how an idle flow ends: FIN if both FINs were seen. */
static enum flow_end
flow_idle_end(const struct tcpflow_conn *c)
{
	return (c->half[0].fin && c->half[1].fin ? FLOW_END_FIN :
	    FLOW_END_TIMEOUT);
}

/*
 * tcpflow_expire - close flows idle for idle_timeout seconds of capture
 * time before now, and forget closed tuples older than timewait.
 */
void
tcpflow_expire(struct tcpflow *tf, int64_t now)
{
	struct tcpflow_conn	*c;

	while ((c = TAILQ_FIRST(&tf->lru)) != NULL &&
	    now - c->last.sec > (int64_t)tf->lim.idle_timeout) {
		/* No tombstone: a later segment may start a flow anew. */
		flow_close(tf, c, flow_idle_end(c), &c->last);
		flow_free(tf, c);
	}
	while ((c = TAILQ_FIRST(&tf->tw)) != NULL &&
	    now - c->closed_at >= (int64_t)tf->lim.timewait)
		flow_free(tf, c);
}

/* table_grow - double the buckets while flows outnumber them. */
static void
table_grow(struct tcpflow *tf)
{
	struct tcpflow_conn	**nb, *c, *next;
	size_t			  i, n = tf->nbucket * 2;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < tf->nbucket; i++)
		for (c = tf->bucket[i]; c != NULL; c = next) {
			next = c->hnext;
			c->hnext = nb[c->hash & (n - 1)];
			nb[c->hash & (n - 1)] = c;
		}
	free(tf->bucket);
	tf->bucket = nb;
	tf->nbucket = n;
}

/* smtp_port - a port SMTP servers listen on. */
static bool
smtp_port(uint16_t port)
{
	switch (port) {
	case 25: case 225: case 465: case 587: case 2525: case 8025:
		return (true);
	default:
		return (false);
	}
}

/* flow_make_room - one slot in a full table: oldest closed, else LRU. */
static void
flow_make_room(struct tcpflow *tf)
{
	struct tcpflow_conn	*c;

	if ((c = TAILQ_FIRST(&tf->tw)) == NULL) {
		c = TAILQ_FIRST(&tf->lru);
		tf_anomaly(tf, c, FLOW_C2S, "flow-table-full", &c->last);
		c->capped = true;
		tf->st.flows_capped++;
		tf->st.flows_evicted++;
		flow_close(tf, c, FLOW_END_CAP, &c->last);
	}
	flow_free(tf, c);
}

/* flow_new - a new flow; client_is_src says which side is the client. */
static struct tcpflow_conn *
flow_new(struct tcpflow *tf, const struct tcpflow_key *k, uint64_t hash,
    const struct decoded *d, bool from_a, bool client_is_src, bool syn,
    const struct flow_pos *pos)
{
	struct tcpflow_conn	*c;
	struct flow_info	 fi;
	const uint8_t		*cip, *sip;
	int			 af = d->family == 6 ? AF_INET6 : AF_INET;

	if (tf->nflows >= tf->lim.flows_max && tf->nflows > 0)
		flow_make_room(tf);
	if (tf->nflows >= tf->nbucket && tf->nbucket < tf->lim.flows_max)
		table_grow(tf);
	c = xcalloc(1, sizeof(*c));
	c->key = *k;
	c->hash = hash;
	c->id = ++tf->next_id;
	c->saw_syn = syn;
	c->a_is_client = from_a == client_is_src;
	c->last = *pos;
	c->hnext = tf->bucket[hash & (tf->nbucket - 1)];
	tf->bucket[hash & (tf->nbucket - 1)] = c;
	TAILQ_INSERT_TAIL(&tf->lru, c, q);
	TAILQ_INSERT_TAIL(&tf->all, c, all);
	if (++tf->nflows > tf->st.flows_peak)
		tf->st.flows_peak = tf->nflows;
	tf->st.flows++;

	memset(&fi, 0, sizeof(fi));
	fi.id = c->id;
	fi.family = d->family;
	cip = client_is_src ? d->src : d->dst;
	sip = client_is_src ? d->dst : d->src;
	(void)inet_ntop(af, cip, fi.client_ip, sizeof(fi.client_ip));
	(void)inet_ntop(af, sip, fi.server_ip, sizeof(fi.server_ip));
	fi.client_port = client_is_src ? d->sport : d->dport;
	fi.server_port = client_is_src ? d->dport : d->sport;
	fi.saw_syn = syn;
	fi.start = *pos;
	fi.start.offset = 0;
	if (tf->sink.open != NULL)
		c->fs = tf->sink.open(tf->sink.arg, &fi);
	return (c);
}

/* flow_lookup - the flow of a key, or NULL. */
static struct tcpflow_conn *
flow_lookup(struct tcpflow *tf, const struct tcpflow_key *k, uint64_t hash)
{
	struct tcpflow_conn	*c;

	for (c = tf->bucket[hash & (tf->nbucket - 1)]; c != NULL; c = c->hnext)
		if (c->hash == hash && memcmp(&c->key, k, sizeof(*k)) == 0)
			return (c);
	return (NULL);
}

/*
 * flow_find - the flow a segment belongs to, made if the segment may
 * start one; NULL if it is to be ignored.  A SYN with a new ISN on a
 * remembered or still open tuple ends the old flow (port reuse).
 */
static struct tcpflow_conn *
flow_find(struct tcpflow *tf, const struct decoded *d,
    const struct flow_pos *pos, bool *from_a)
{
	struct tcpflow_key	 k;
	struct tcpflow_conn	*c;
	struct tcpflow_half	*h;
	uint64_t		 hash;
	int			 cmp;
	bool			 syn = (d->flags & DECODE_TH_SYN) != 0;
	bool			 ack = (d->flags & DECODE_TH_ACK) != 0;
	bool			 server_dst, sd, ss;

	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)d->family;
	cmp = memcmp(d->src, d->dst, 16);
	*from_a = cmp < 0 || (cmp == 0 && d->sport <= d->dport);
	memcpy(k.a, *from_a ? d->src : d->dst, 16);
	memcpy(k.b, *from_a ? d->dst : d->src, 16);
	k.pa = *from_a ? d->sport : d->dport;
	k.pb = *from_a ? d->dport : d->sport;
	hash = flow_hash(&k);

	if ((c = flow_lookup(tf, &k, hash)) != NULL) {
		h = &c->half[(*from_a == c->a_is_client) ? FLOW_C2S : FLOW_S2C];
		if (!syn || ack || (h->have_isn && h->isn == d->seq)) {
			if (!c->closed)
				return (c);
			tf->st.late++;
			return (NULL);
		}
		if (!c->closed) {
			if (!(c->half[0].fin && c->half[1].fin))
				tf_anomaly(tf, c, FLOW_C2S,
				    "syn-on-open-flow", pos);
			flow_close(tf, c, flow_idle_end(c), pos);
		}
		flow_free(tf, c);
	}
	if (syn)
		return (flow_new(tf, &k, hash, d, *from_a, !ack, true, pos));
	if (d->wirelen == 0 || (d->flags & DECODE_TH_RST)) {
		tf->st.stray++;
		return (NULL);
	}
	sd = smtp_port(d->dport);
	ss = smtp_port(d->sport);
	if (sd != ss)
		server_dst = sd;
	else if (d->sport != d->dport)
		server_dst = d->dport < d->sport;
	else
		server_dst = true;
	return (flow_new(tf, &k, hash, d, *from_a, server_dst, false, pos));
}

/*
 * tcpflow_add_segment - one decoded TCP segment (DECODE_TCP) seen at pos
 * (its offset is ignored).  Calls the sink as bytes become deliverable;
 * the payload is not used after the call returns.
 */
void
tcpflow_add_segment(struct tcpflow *tf, const struct decoded *d,
    const struct flow_pos *pos)
{
	struct tcpflow_conn	*c;
	struct tcpflow_half	*h, *peer;
	struct flow_pos		 fp = *pos;
	enum flow_dir		 dir;
	uint32_t		 seq = d->seq;
	bool			 from_a;

	/* Hostile time stamps must not overflow the idle arithmetic. */
	if (fp.sec > TIME_LIMIT)
		fp.sec = TIME_LIMIT;
	else if (fp.sec < -TIME_LIMIT)
		fp.sec = -TIME_LIMIT;
	pos = &fp;
	tf->st.segments++;
	if (pos->sec > tf->now) {
		tf->now = pos->sec;
		tcpflow_expire(tf, tf->now);
	}
	if ((c = flow_find(tf, d, pos, &from_a)) == NULL)
		return;
	dir = from_a == c->a_is_client ? FLOW_C2S : FLOW_S2C;
	h = &c->half[dir];
	peer = &c->half[!dir];
	c->last = *pos;
	TAILQ_REMOVE(&tf->lru, c, q);
	TAILQ_INSERT_TAIL(&tf->lru, c, q);

	if (d->flags & DECODE_TH_SYN) {
		if (!h->have_isn) {
			h->have_isn = true;
			h->isn = d->seq;
			if (!h->synced) {
				h->synced = true;
				h->next = d->seq + 1;
			}
		}
		seq++;
	}
	if (d->flags & DECODE_TH_ACK)
		tf_stream_ack(tf, c, !dir, d->ack, pos);
	if (d->wirelen > 0) {
		if (!h->synced) {
			h->synced = true;
			h->next = seq;
		}
		tf_stream_data(tf, c, dir, seq, d->payload, d->paylen,
		    d->wirelen,
		    pos);
	}
	if ((d->flags & DECODE_TH_FIN) && !h->fin) {
		if (!h->synced) {
			h->synced = true;
			h->next = seq + (uint32_t)d->wirelen;
		}
		h->fin = true;
		h->fin_seq = seq + (uint32_t)d->wirelen;
		if (SEQ_LT(h->fin_seq, h->next))
			h->fin_seq = h->next;
	}
	if (d->flags & DECODE_TH_RST)
		flow_close(tf, c, FLOW_END_RST, pos);
	else if (tf_stream_done(h) && tf_stream_done(peer))
		flow_close(tf, c, FLOW_END_FIN, pos);
}

/*
 * tcpflow_new - an empty flow table calling sink (copied; any callback
 * may be NULL) within lim (NULL: the TCPFLOW_* defaults).
 */
struct tcpflow *
tcpflow_new(const struct flow_sink *sink, const struct tcpflow_limits *lim)
{
	struct tcpflow	*tf;

	tf = xcalloc(1, sizeof(*tf));
	tf->sink = *sink;
	if (lim != NULL)
		tf->lim = *lim;
	else
		tcpflow_limits_default(&tf->lim);
	if (tf->lim.flows_max == 0)
		tf->lim.flows_max = 1;
	tf->nbucket = TABLE_MIN;
	tf->bucket = xcalloc(tf->nbucket, sizeof(*tf->bucket));
	tf->now = INT64_MIN;
	TAILQ_INIT(&tf->lru);
	TAILQ_INIT(&tf->tw);
	TAILQ_INIT(&tf->all);
	return (tf);
}

/* tcpflow_finish - the capture ended: close every open flow, by id. */
void
tcpflow_finish(struct tcpflow *tf)
{
	struct tcpflow_conn	*c;

	while ((c = TAILQ_FIRST(&tf->all)) != NULL)
		flow_close(tf, c, FLOW_END_EOF, &c->last);
}

/* tcpflow_stats - counters so far; valid until tcpflow_free(). */
const struct tcpflow_stats *
tcpflow_stats(struct tcpflow *tf)
{
	tf->st.mem = tf->mem;
	tf->st.flows_now = tf->nflows;
	return (&tf->st);
}

/* tcpflow_free - free the table; open flows are dropped unclosed. */
void
tcpflow_free(struct tcpflow *tf)
{
	struct tcpflow_conn	*c;

	if (tf == NULL)
		return;
	while ((c = TAILQ_FIRST(&tf->all)) != NULL) {
		TAILQ_REMOVE(&tf->all, c, all);
		TAILQ_REMOVE(&tf->lru, c, q);
		tf_stream_release(tf, c, &c->half[0]);
		tf_stream_release(tf, c, &c->half[1]);
		TAILQ_INSERT_TAIL(&tf->tw, c, q);
	}
	while ((c = TAILQ_FIRST(&tf->tw)) != NULL)
		flow_free(tf, c);
	free(tf->bucket);
	free(tf);
}
