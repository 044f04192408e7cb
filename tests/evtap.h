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
 * Test helpers for parsers that go through mtalog: a sink that keeps a
 * deep copy of every event of a line (spans are valid only during the
 * callback, and some point into parser state that the next line or a
 * closed session frees), feeding lines with their number and offset, and
 * finding events by type.  Include after tap.h.
 */

#ifndef EVTAP_H
#define EVTAP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "mtalog.h"

#define EVTAP_MAX	64
#define EVTAP_ROOM	8192

struct evtap {
	struct event	 ev;
	char		 room[EVTAP_ROOM];
	size_t		 used;
};

static struct evtap	evt[EVTAP_MAX];
static int		nevt;
static uint64_t		evt_line, evt_off;

/* evt_keep - a copy of span s in the event's room. */
static struct span
evt_keep(struct evtap *t, struct span s)
{
	struct span	r;

	if (s.p == NULL)
		return (SPAN_NULL);
	if (t->used >= sizeof(t->room) - 1)
		return ((struct span){ t->room + sizeof(t->room) - 1, 0 });
	if (s.n > sizeof(t->room) - t->used - 1)
		s.n = sizeof(t->room) - t->used - 1;
	memcpy(t->room + t->used, s.p, s.n);
	r.p = t->room + t->used;
	r.n = s.n;
	t->used += s.n;
	t->room[t->used++] = '\0';
	return (r);
}

/* evt_collect - the test's sink: a deep copy of each event. */
static void
evt_collect(void *arg, const struct event *ev)
{
	struct evtap	*t;
	struct event	*e;

	(void)arg;
	if (nevt >= EVTAP_MAX) {
		nevt++;
		return;
	}
	t = &evt[nevt++];
	t->used = 0;
	t->ev = *ev;
	e = &t->ev;
	e->ref.raw = evt_keep(t, ev->ref.raw);
	e->host = evt_keep(t, ev->host);
	e->program = evt_keep(t, ev->program);
	e->instance = evt_keep(t, ev->instance);
	e->service = evt_keep(t, ev->service);
	e->queue_id = evt_keep(t, ev->queue_id);
	e->new_queue_id = evt_keep(t, ev->new_queue_id);
	e->client_name = evt_keep(t, ev->client_name);
	e->client_ip = evt_keep(t, ev->client_ip);
	e->server_ip = evt_keep(t, ev->server_ip);
	e->helo = evt_keep(t, ev->helo);
	e->proto = evt_keep(t, ev->proto);
	e->sasl_method = evt_keep(t, ev->sasl_method);
	e->sasl_user = evt_keep(t, ev->sasl_user);
	e->sender = evt_keep(t, ev->sender);
	e->rcpt = evt_keep(t, ev->rcpt);
	e->orig_rcpt = evt_keep(t, ev->orig_rcpt);
	e->message_id = evt_keep(t, ev->message_id);
	e->stage = evt_keep(t, ev->stage);
	e->dsn = evt_keep(t, ev->dsn);
	e->status = evt_keep(t, ev->status);
	e->relay = evt_keep(t, ev->relay);
	e->text = evt_keep(t, ev->text);
	e->text2 = evt_keep(t, ev->text2);
	e->counters = evt_keep(t, ev->counters);
}

/* evt_feedn - one line of n bytes (no newline); its events land in evt[]. */
static enum parse_result
evt_feedn(struct mtalog *ml, const char *s, size_t n)
{
	struct ev_ref	ref;

	memset(&ref, 0, sizeof(ref));
	ref.line = ++evt_line;
	ref.offset = evt_off;
	ref.raw.p = s;
	ref.raw.n = n;
	evt_off += n + 1;
	nevt = 0;
	return (mtalog_line(ml, &ref, evt_collect, NULL));
}

/* evt_feed - one line given as a C string. */
static enum parse_result
evt_feed(struct mtalog *ml, const char *s)
{
	return (evt_feedn(ml, s, strlen(s)));
}

/* evt_source - a new source for ml: line numbers and offsets restart. */
static void
evt_source(struct mtalog *ml)
{
	mtalog_begin_source(ml, 1800000000);
	evt_line = evt_off = 0;
}

/* evt_find - the k-th (from 0) event of type t of the last line, or NULL. */
static const struct event *
evt_find(enum ev_type t, int k)
{
	int	i;

	for (i = 0; i < nevt && i < EVTAP_MAX; i++)
		if (evt[i].ev.type == t && k-- == 0)
			return (&evt[i].ev);
	return (NULL);
}

static const struct event	evt_none;

/* evt_get - the k-th event of type t; a blank one and a failure if none. */
static const struct event *
evt_get(enum ev_type t, int k, const char *what)
{
	const struct event	*e = evt_find(t, k);

	if (!ok(e != NULL, "%s: %s event", what, ev_type_name(t)))
		return (&evt_none);
	return (e);
}

/* S - a span as a C string; "(null)" when absent. */
static const char *
S(struct span s)
{
	static char	bufs[16][1024];
	static int	i;
	char		*b;

	if (s.p == NULL)
		return ("(null)");
	b = bufs[i++ % 16];
	if (s.n >= sizeof(bufs[0]))
		s.n = sizeof(bufs[0]) - 1;
	memcpy(b, s.p, s.n);
	b[s.n] = '\0';
	return (b);
}

#endif /* EVTAP_H */
