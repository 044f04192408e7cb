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
 * The event pipe (evpipe.h).  A record is a header, a copy of the event
 * (or anomaly) structure whose span pointers are replaced by offsets, and
 * the bytes: first the raw line, then each span that does not lie inside
 * it.  Most spans of a log event point into its line and cost nothing
 * more.  Offsets are stored plus one, so that 0 keeps a NULL span NULL.
 */

#include "config.h"

#include "evpipe.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#define EVPIPE_BLOCK	(256 * 1024)	/* bytes per block */
#define EVPIPE_QUEUED	8		/* full blocks waiting, at most */

enum { REC_EVENT = 1, REC_ANOMALY };

struct rec {
	uint32_t	type;
	uint32_t	size;		/* of the whole record, aligned */
};

struct block {
	struct block	*next;
	size_t		 cap;
	size_t		 used;
	max_align_t	 data[];
};

struct evpipe {
	const struct evpipe_consumer	*c;
	bool				 threaded;
	pthread_mutex_t			 mu;
	pthread_cond_t			 room;	/* the queue has room */
	pthread_cond_t			 work;	/* a block, or done */
	struct block			*head;	/* full blocks, oldest first */
	struct block			*tail;
	size_t				 queued;
	struct block			*spare;	/* one block to reuse */
	struct block			*cur;	/* being filled */
	bool				 done;
	int				 (*produce)(void *, struct evpipe *);
	void				*parg;
	int				 rc;
};

/* Every span of struct event. */
static const size_t ev_spans[] = {
	offsetof(struct event, host),
	offsetof(struct event, program),
	offsetof(struct event, instance),
	offsetof(struct event, service),
	offsetof(struct event, queue_id),
	offsetof(struct event, new_queue_id),
	offsetof(struct event, client_name),
	offsetof(struct event, client_ip),
	offsetof(struct event, server_ip),
	offsetof(struct event, helo),
	offsetof(struct event, proto),
	offsetof(struct event, sasl_method),
	offsetof(struct event, sasl_user),
	offsetof(struct event, sender),
	offsetof(struct event, rcpt),
	offsetof(struct event, orig_rcpt),
	offsetof(struct event, message_id),
	offsetof(struct event, stage),
	offsetof(struct event, dsn),
	offsetof(struct event, status),
	offsetof(struct event, relay),
	offsetof(struct event, text),
	offsetof(struct event, text2),
	offsetof(struct event, counters),
};
#define NSPANS	(sizeof(ev_spans) / sizeof(ev_spans[0]))

#define SPAN_AT(base, off)	((struct span *)(void *)((char *)(base) + (off)))

static size_t
align8(size_t n)
{
	return ((n + 7) & ~(size_t)7);
}

/* inside - does sp lie within the n bytes at p? */
static bool
inside(struct span sp, const char *p, size_t n)
{
	return (p != NULL && sp.p >= p && sp.p + sp.n <= p + n);
}

static const char *
enc(size_t off)
{
	return ((const char *)(uintptr_t)(off + 1));
}

/* dec - the pointer an encoded span stands for, bytes at base. */
static void
dec(struct span *sp, const char *base)
{
	uintptr_t	v = (uintptr_t)sp->p;

	sp->p = v == 0 ? NULL : base + (v - 1);
}

/* --- the queue ------------------------------------------------------ */

/* pipe_ship - hand the current block to the consumer (waits for room). */
static void
pipe_ship(struct evpipe *p)
{
	struct block	*b = p->cur;

	p->cur = NULL;
	if (b == NULL)
		return;
	if (b->used == 0) {
		free(b);
		return;
	}
	pthread_mutex_lock(&p->mu);
	while (p->queued >= EVPIPE_QUEUED)
		pthread_cond_wait(&p->room, &p->mu);
	b->next = NULL;
	if (p->tail != NULL)
		p->tail->next = b;
	else
		p->head = b;
	p->tail = b;
	p->queued++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* pipe_reserve - room for a record of size bytes in the current block. */
static struct rec *
pipe_reserve(struct evpipe *p, uint32_t type, size_t size)
{
	struct block	*b;
	struct rec	*r;
	size_t		 cap;

	if (p->cur != NULL && p->cur->cap - p->cur->used < size)
		pipe_ship(p);
	if (p->cur == NULL) {
		cap = size > EVPIPE_BLOCK ? size : EVPIPE_BLOCK;
		b = NULL;
		if (cap == EVPIPE_BLOCK) {
			pthread_mutex_lock(&p->mu);
			b = p->spare;
			p->spare = NULL;
			pthread_mutex_unlock(&p->mu);
		}
		if (b == NULL)
			b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->used = 0;
		p->cur = b;
	}
	r = (struct rec *)(void *)((char *)p->cur->data + p->cur->used);
	r->type = type;
	r->size = (uint32_t)size;
	p->cur->used += size;
	return (r);
}

/* --- producer ------------------------------------------------------- */

void
evpipe_event(void *arg, const struct event *ev)
{
	struct evpipe	*p = arg;
	struct event	*e;
	struct rec	*r;
	struct span	 sp, raw = ev->ref.raw;
	char		*bytes;
	size_t		 i, n, extra = 0;

	if (!p->threaded) {
		p->c->event(p->c->arg, ev);
		return;
	}
	for (i = 0; i < NSPANS; i++) {
		sp = *SPAN_AT(ev, ev_spans[i]);
		if (sp.p != NULL && !inside(sp, raw.p, raw.n))
			extra += sp.n;
	}
	n = align8(sizeof(*r)) + align8(sizeof(*e)) + raw.n + extra;
	r = pipe_reserve(p, REC_EVENT, align8(n));
	e = (struct event *)(void *)((char *)r + align8(sizeof(*r)));
	bytes = (char *)e + align8(sizeof(*e));
	*e = *ev;
	n = 0;
	if (raw.p != NULL) {
		memcpy(bytes, raw.p, raw.n);
		e->ref.raw.p = enc(0);
		n = raw.n;
	}
	for (i = 0; i < NSPANS; i++) {
		sp = *SPAN_AT(ev, ev_spans[i]);
		if (sp.p == NULL)
			continue;
		if (inside(sp, raw.p, raw.n))
			SPAN_AT(e, ev_spans[i])->p = enc((size_t)(sp.p - raw.p));
		else {
			memcpy(bytes + n, sp.p, sp.n);
			SPAN_AT(e, ev_spans[i])->p = enc(n);
			n += sp.n;
		}
	}
}

void
evpipe_anomaly(struct evpipe *p, const struct evpipe_anomaly *a)
{
	struct evpipe_anomaly	*x;
	struct rec		*r;
	size_t			 n;

	if (!p->threaded) {
		p->c->anomaly(p->c->arg, a);
		return;
	}
	n = align8(sizeof(*r)) + align8(sizeof(*x)) + a->text.n;
	r = pipe_reserve(p, REC_ANOMALY, align8(n));
	x = (struct evpipe_anomaly *)(void *)((char *)r + align8(sizeof(*r)));
	*x = *a;
	if (a->text.p != NULL) {
		memcpy((char *)x + align8(sizeof(*x)), a->text.p, a->text.n);
		x->text.p = enc(0);
	}
}

/* --- consumer ------------------------------------------------------- */

/* pipe_consume - hand one block's records to the consumer. */
static void
pipe_consume(struct evpipe *p, struct block *b)
{
	const struct evpipe_consumer	*c = p->c;
	struct evpipe_anomaly		 a;
	struct event			 ev;
	const char			*q = (const char *)b->data;
	const char			*end = q + b->used;
	const struct rec		*r;
	const char			*body, *bytes;
	size_t				 i;

	while (q < end) {
		r = (const struct rec *)(const void *)q;
		body = q + align8(sizeof(*r));
		switch (r->type) {
		case REC_EVENT:
			memcpy(&ev, body, sizeof(ev));
			bytes = body + align8(sizeof(ev));
			dec(&ev.ref.raw, bytes);
			for (i = 0; i < NSPANS; i++)
				dec(SPAN_AT(&ev, ev_spans[i]), bytes);
			c->event(c->arg, &ev);
			break;
		case REC_ANOMALY:
			memcpy(&a, body, sizeof(a));
			dec(&a.text, body + align8(sizeof(a)));
			c->anomaly(c->arg, &a);
			break;
		default:
			fatalx("%s: record type %u", __func__, r->type);
		}
		q += r->size;
	}
}

static void *
pipe_reader(void *arg)
{
	struct evpipe	*p = arg;

	p->rc = p->produce(p->parg, p);
	pipe_ship(p);
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return (NULL);
}

/*
 * evpipe_plain - RELAYTRACE_PLAIN=1: the plain path, for comparing with
 * (tests/t_threads.sh): one thread, every index kept row by row, every
 * lookup made.  Slower, and the same database.
 */
bool
evpipe_plain(void)
{
	const char	*v = getenv("RELAYTRACE_PLAIN");

	return (v != NULL && strcmp(v, "1") == 0);
}

/* evpipe_threads - may an ingest use more than one thread? */
bool
evpipe_threads(void)
{
	const char	*v = getenv("RELAYTRACE_THREADS");

	return ((v == NULL || strcmp(v, "1") != 0) && !evpipe_plain());
}

int
evpipe_run(int (*produce)(void *, struct evpipe *), void *parg,
    const struct evpipe_consumer *c)
{
	struct evpipe	 p;
	struct block	*b;
	pthread_t	 t;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.produce = produce;
	p.parg = parg;
	if (!evpipe_threads())
		return (produce(parg, &p));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.room, NULL);
	pthread_cond_init(&p.work, NULL);
	p.threaded = true;
	if (pthread_create(&t, NULL, pipe_reader, &p) != 0) {
		log_warnx("cannot start a reader thread: reading in one");
		p.threaded = false;
		p.rc = produce(parg, &p);
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&p.mu);
		while (p.head == NULL && !p.done)
			pthread_cond_wait(&p.work, &p.mu);
		if ((b = p.head) == NULL) {
			pthread_mutex_unlock(&p.mu);
			break;
		}
		if ((p.head = b->next) == NULL)
			p.tail = NULL;
		p.queued--;
		pthread_cond_signal(&p.room);
		pthread_mutex_unlock(&p.mu);
		pipe_consume(&p, b);
		pthread_mutex_lock(&p.mu);
		if (p.spare == NULL && b->cap == EVPIPE_BLOCK) {
			p.spare = b;
			b = NULL;
		}
		pthread_mutex_unlock(&p.mu);
		free(b);
	}
	pthread_join(t, NULL);
out:
	free(p.spare);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.room);
	pthread_cond_destroy(&p.work);
	return (p.rc);
}
