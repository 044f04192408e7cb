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
 * One direction of a TCP flow: bytes in sequence order to the sink.
 *
 * Bytes at the expected sequence number are delivered at
 * once, straight from the packet.  Bytes before it were seen already
 * (retransmission): they are compared with the last retain_max delivered
 * bytes the peer has not yet acknowledged and dropped, with the anomaly
 * "overlap-different-data" if they differ.  Bytes beyond it are held, in
 * order, until the hole before them fills; where held pieces overlap, the
 * first copy is kept and a difference is the same anomaly.  A hole is
 * given up (gap(n), then the held bytes) when the peer acknowledges bytes
 * beyond it, when holding more would pass hold_max for the flow, memcap
 * for all flows or TCPFLOW_HOLD_SEGS_MAX pieces ("reassembly-cap" or
 * "memcap"; the flow is capped and closes with FLOW_END_CAP, but keeps
 * streaming), and when the flow closes.  A segment cut by the snapshot
 * length delivers what was captured and a gap for the rest.  Data beyond
 * a FIN is dropped ("data-after-fin").  A one-byte segment just before
 * the expected byte is a keepalive probe and is not compared.
 */

#include "config.h"

#include "tcpflow_int.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void	half_inorder(struct tcpflow *, struct tcpflow_conn *,
		    enum flow_dir, const uint8_t *, size_t,
		    const struct flow_pos *);

/* half_retain - keep delivered bytes to compare retransmissions with. */
static void
half_retain(struct tcpflow *tf, struct tcpflow_half *h, const uint8_t *p,
    size_t n)
{
	size_t	 max = tf->lim.retain_max, drop, ncap;
	uint8_t	*nbuf;

	if (max == 0)
		return;
	if (n >= max) {
		p += n - max;
		n = max;
		h->roff = h->rlen = 0;
	} else if (h->rlen + n > max) {
		drop = h->rlen + n - max;
		h->roff += drop;
		h->rlen -= drop;
	}
	if (h->roff + h->rlen + n > h->rcap) {
		if (h->rlen + n <= h->rcap) {
			memmove(h->rbuf, h->rbuf + h->roff, h->rlen);
			h->roff = 0;
		} else {
			ncap = h->rcap < RETAIN_MIN ? RETAIN_MIN : h->rcap;
			while (ncap < h->rlen + n)
				ncap *= 2;
			if (ncap > max)
				ncap = max;
			if (tf->mem + ncap - h->rcap > tf->lim.memcap) {
				h->roff = h->rlen = 0;	/* cannot compare */
				return;
			}
			nbuf = xmalloc(ncap);
			if (h->rlen > 0)
				memcpy(nbuf, h->rbuf + h->roff, h->rlen);
			free(h->rbuf);
			tf_mem_add(tf, ncap - h->rcap);
			h->rbuf = nbuf;
			h->rcap = ncap;
			h->roff = 0;
		}
	}
	memcpy(h->rbuf + h->roff + h->rlen, p, n);
	h->rlen += n;
}

/* half_deliver - pass bytes at next to the sink. */
static void
half_deliver(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    const uint8_t *p, size_t n, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	struct flow_pos		 fp = *pos;

	if (n == 0)
		return;
	fp.offset = h->offset;
	if (tf->sink.data != NULL)
		tf->sink.data(tf->sink.arg, c->fs, dir, p, n, &fp);
	h->offset += n;
	h->next += (uint32_t)n;
	tf->st.bytes[dir] += n;
	half_retain(tf, h, p, n);
}

/* half_gap - give up n bytes at next. */
static void
half_gap(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t n, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	struct flow_pos		 fp = *pos;

	if (n == 0)
		return;
	fp.offset = h->offset;
	if (tf->sink.gap != NULL)
		tf->sink.gap(tf->sink.arg, c->fs, dir, n, &fp);
	h->offset += n;
	h->next += n;
	h->roff = h->rlen = 0;
	tf->st.gaps++;
	tf->st.gap_bytes += n;
}

/* seg_free - free a held piece and its accounting. */
static void
seg_free(struct tcpflow *tf, struct tcpflow_conn *c, struct tcpflow_half *h,
    struct tcpflow_seg *s)
{
	c->held -= SEG_COST(s->len);
	tf->mem -= SEG_COST(s->len);
	h->nheld--;
	free(s);
}

/* half_drain - deliver held pieces that start at (or before) next. */
static void
half_drain(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir)
{
	struct tcpflow_half	*h = &c->half[dir];
	struct tcpflow_seg	*s;
	uint32_t		 skip;

	while ((s = h->held) != NULL && SEQ_LEQ(s->seq, h->next)) {
		if ((h->held = s->next) == NULL)
			h->tail = NULL;
		if (SEQ_GT(s->seq + s->len, h->next)) {
			skip = h->next - s->seq;
			half_deliver(tf, c, dir, s->data + skip, s->len - skip,
			    &s->pos);
		}
		seg_free(tf, c, h, s);
	}
}

/* half_advance - give up everything before target, held bytes delivered. */
static void
half_advance(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t target, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];

	while (h->held != NULL && SEQ_LT(h->held->seq, target)) {
		if (SEQ_GT(h->held->seq, h->next))
			half_gap(tf, c, dir, h->held->seq - h->next, pos);
		half_drain(tf, c, dir);
	}
	if (SEQ_GT(target, h->next))
		half_gap(tf, c, dir, target - h->next, pos);
	half_drain(tf, c, dir);
}

/* tf_stream_flush - at close: everything held, gaps between, up to the FIN. */
void
tf_stream_flush(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];

	while (h->held != NULL)
		half_advance(tf, c, dir, h->held->seq, pos);
	if (h->fin && SEQ_LT(h->next, h->fin_seq))
		half_gap(tf, c, dir, h->fin_seq - h->next, pos);
}

/* half_compare - bytes already delivered again: compare what is kept. */
static void
half_compare(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t seq, const uint8_t *p, size_t n, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	uint32_t		 base = h->next - (uint32_t)h->rlen, skip;

	tf->st.retransmitted++;
	if (h->rlen == 0 || n == 0)
		return;
	if (SEQ_LT(seq, base)) {
		skip = base - seq;
		if (skip >= n)
			return;
		p += skip;
		n -= skip;
		seq = base;
	}
	if (n > (size_t)(h->next - seq))
		n = h->next - seq;
	if (memcmp(h->rbuf + h->roff + (seq - base), p, n) != 0) {
		tf->st.overlaps_differ++;
		tf_anomaly(tf, c, dir, "overlap-different-data", pos);
	}
}

/* seg_new - a held piece with a copy of n bytes. */
static struct tcpflow_seg *
seg_new(struct tcpflow *tf, struct tcpflow_conn *c, struct tcpflow_half *h,
    uint32_t seq, const uint8_t *p, size_t n, const struct flow_pos *pos)
{
	struct tcpflow_seg	*s;

	s = xmalloc(SEG_COST(n));
	s->next = NULL;
	s->seq = seq;
	s->len = (uint32_t)n;
	s->pos = *pos;
	memcpy(s->data, p, n);
	c->held += SEG_COST(n);
	tf_mem_add(tf, SEG_COST(n));
	h->nheld++;
	return (s);
}

/* half_cap - a cap is reached: mark the flow and say which. */
static void
half_cap(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    const char *what, const struct flow_pos *pos)
{
	if (!c->capped) {
		c->capped = true;
		tf->st.flows_capped++;
	}
	tf_anomaly(tf, c, dir, what, pos);
}

/*
 * half_hold_cost - what holding [seq, e) costs: the new pieces (one per
 * hole it fills among those held), each with its own header.
 */
static size_t
half_hold_cost(const struct tcpflow_half *h, uint32_t seq, uint32_t e,
    size_t *pieces)
{
	const struct tcpflow_seg	*cur;
	uint32_t			 cend;
	size_t				 cost = 0;

	*pieces = 1;
	if (h->tail != NULL && SEQ_GEQ(seq, h->tail->seq + h->tail->len))
		return (SEG_COST(e - seq));
	*pieces = 0;
	for (cur = h->held; cur != NULL && SEQ_LT(seq, e); cur = cur->next) {
		cend = cur->seq + cur->len;
		if (SEQ_LEQ(cend, seq))
			continue;
		if (SEQ_LT(seq, cur->seq)) {
			cost += SEG_COST((SEQ_LT(e, cur->seq) ? e : cur->seq) -
			    seq);
			(*pieces)++;
		}
		seq = SEQ_LT(e, cend) ? e : cend;
	}
	if (SEQ_LT(seq, e)) {
		cost += SEG_COST(e - seq);
		(*pieces)++;
	}
	return (cost);
}

/*
 * half_hold - keep bytes beyond next until the hole before them fills,
 * pieces already held winning where they overlap.  Past a cap, the hole
 * is given up instead and the bytes delivered.
 */
static void
half_hold(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t seq, const uint8_t *p, size_t n, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	struct tcpflow_seg	**pp, *cur, *s;
	uint32_t		 e = seq + (uint32_t)n, cend, pe;
	size_t			 cost, pieces;

	if (n == 0)
		return;
	cost = half_hold_cost(h, seq, e, &pieces);
	if (c->held + cost > tf->lim.hold_max ||
	    h->nheld + pieces > TCPFLOW_HOLD_SEGS_MAX ||
	    tf->mem + cost > tf->lim.memcap) {
		half_cap(tf, c, dir, tf->mem + cost > tf->lim.memcap ?
		    "memcap" : "reassembly-cap", pos);
		half_advance(tf, c, dir, seq, pos);
		tf_stream_data(tf, c, dir, seq, p, n, n, pos);
		return;
	}
	tf->st.out_of_order++;
	if (h->tail != NULL && SEQ_GEQ(seq, h->tail->seq + h->tail->len)) {
		s = seg_new(tf, c, h, seq, p, n, pos);
		h->tail->next = s;
		h->tail = s;
		return;
	}
	pp = &h->held;
	while ((cur = *pp) != NULL && SEQ_LT(seq, e)) {
		cend = cur->seq + cur->len;
		if (SEQ_LEQ(cend, seq)) {
			pp = &cur->next;
			continue;
		}
		if (SEQ_LT(seq, cur->seq)) {
			pe = SEQ_LT(e, cur->seq) ? e : cur->seq;
			s = seg_new(tf, c, h, seq, p, pe - seq, pos);
			s->next = cur;
			*pp = s;
			pp = &s->next;
			p += pe - seq;
			seq = pe;
			continue;
		}
		pe = SEQ_LT(e, cend) ? e : cend;
		if (memcmp(p, cur->data + (seq - cur->seq), pe - seq) != 0) {
			tf->st.overlaps_differ++;
			tf_anomaly(tf, c, dir, "overlap-different-data", pos);
		}
		p += pe - seq;
		seq = pe;
		pp = &cur->next;
	}
	if (SEQ_LT(seq, e)) {
		s = seg_new(tf, c, h, seq, p, e - seq, pos);
		*pp = s;
		h->tail = s;
	}
}

/*
 * half_inorder - bytes starting at next: delivered, except where a held
 * piece (the first copy) already has them; then held pieces that follow.
 */
static void
half_inorder(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    const uint8_t *p, size_t n, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	struct tcpflow_seg	*s;
	size_t			 pre, ov;

	while (n > 0) {
		s = h->held;
		if (s == NULL || SEQ_GEQ(s->seq, h->next + (uint32_t)n)) {
			half_deliver(tf, c, dir, p, n, pos);
			break;
		}
		pre = s->seq - h->next;
		half_deliver(tf, c, dir, p, pre, pos);
		p += pre;
		n -= pre;
		ov = n < s->len ? n : s->len;
		if (memcmp(p, s->data, ov) != 0) {
			tf->st.overlaps_differ++;
			tf_anomaly(tf, c, dir, "overlap-different-data", pos);
		}
		p += ov;
		n -= ov;
		/* The held piece is the first copy: it goes out whole. */
		if ((h->held = s->next) == NULL)
			h->tail = NULL;
		half_deliver(tf, c, dir, s->data, s->len, &s->pos);
		seg_free(tf, c, h, s);
	}
	half_drain(tf, c, dir);
}

/*
 * tf_stream_data - a segment's payload in direction dir: seq, n bytes
 * captured at p of wire bytes sent.  Delivers what is in order (and the
 * held pieces it uncovers) and holds what is beyond; p is not kept.
 */
void
tf_stream_data(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t seq, const uint8_t *p, size_t n, size_t wire,
    const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	uint32_t		 skip;
	size_t			 old;

	if (h->fin && SEQ_GT(seq + (uint32_t)wire, h->fin_seq)) {
		tf_anomaly(tf, c, dir, "data-after-fin", pos);
		wire = SEQ_GT(h->fin_seq, seq) ? h->fin_seq - seq : 0;
		if (n > wire)
			n = wire;
		if (wire == 0)
			return;
	}
	if (h->from_ack) {
		/* Synced from the peer's ACK only: trust it within a window. */
		h->from_ack = false;
		if (seq - h->next > SEQ_WINDOW && h->next - seq > SEQ_WINDOW)
			h->next = seq;
	}
	if (SEQ_GT(seq, h->next) && seq - h->next > SEQ_WINDOW) {
		tf->st.out_of_window++;
		tf_anomaly(tf, c, dir, "segment-out-of-window", pos);
		return;
	}
	if (SEQ_LT(seq, h->next)) {
		skip = h->next - seq;
		old = n < skip ? n : skip;
		/* A keepalive repeats one byte before next, often garbage. */
		if (!(wire == 1 && skip == 1))
			half_compare(tf, c, dir, seq, p, old, pos);
		if (skip >= wire)
			return;
		p += old;
		n -= old;
		wire -= skip;
		seq = h->next;
	}
	if (seq != h->next) {
		half_hold(tf, c, dir, seq, p, n, pos);
		return;
	}
	half_inorder(tf, c, dir, p, n, pos);
	if (n < wire && SEQ_LT(h->next, seq + (uint32_t)wire))
		half_advance(tf, c, dir, seq + (uint32_t)wire, pos);
}

/*
 * tf_stream_ack - the peer acknowledged up to ack: forget kept bytes below
 * it, and give up holes the peer has evidently received.
 */
void
tf_stream_ack(struct tcpflow *tf, struct tcpflow_conn *c, enum flow_dir dir,
    uint32_t ack, const struct flow_pos *pos)
{
	struct tcpflow_half	*h = &c->half[dir];
	uint32_t		 base, n;

	if (!h->synced) {
		h->synced = true;
		h->from_ack = true;
		h->next = ack;
		return;
	}
	base = h->next - (uint32_t)h->rlen;
	if (h->rlen > 0 && SEQ_GT(ack, base)) {
		n = ack - base;
		if (n >= h->rlen)
			h->roff = h->rlen = 0;
		else {
			h->roff += n;
			h->rlen -= n;
		}
	}
	if (SEQ_LEQ(ack, h->next) || ack - h->next > SEQ_WINDOW)
		return;
	while (h->held != NULL && SEQ_GEQ(ack, h->held->seq))
		half_advance(tf, c, dir, h->held->seq, pos);
	if (h->held == NULL && h->fin && SEQ_GEQ(ack, h->fin_seq) &&
	    SEQ_LT(h->next, h->fin_seq))
		half_gap(tf, c, dir, h->fin_seq - h->next, pos);
}

/* tf_stream_done - everything up to the FIN was delivered. */
bool
tf_stream_done(const struct tcpflow_half *h)
{
	return (h->fin && h->next == h->fin_seq && h->held == NULL);
}

/* tf_stream_release - free a direction's buffers. */
void
tf_stream_release(struct tcpflow *tf, struct tcpflow_conn *c,
    struct tcpflow_half *h)
{
	struct tcpflow_seg	*s;

	while ((s = h->held) != NULL) {
		h->held = s->next;
		seg_free(tf, c, h, s);
	}
	h->tail = NULL;
	free(h->rbuf);
	tf->mem -= h->rcap;
	h->rbuf = NULL;
	h->rcap = h->roff = h->rlen = 0;
}

