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
 * An event pipe: a reader thread (read, inflate, split, parse, reassemble)
 * hands events to the thread that correlates and writes the database, so
 * that the two halves of an ingest run on two cores.  Each event is copied
 * with the bytes its spans point at into a block; full blocks pass through
 * a bounded queue, so memory stays flat however far the reader is ahead.
 * The consumer sees the events in the order they were produced, with the
 * same contents (a NULL span stays NULL, an empty one stays empty), which
 * is what makes the database the same as when one thread does both
 * (evpipe_run() with threads off, RELAYTRACE_THREADS=1).
 */

#ifndef EVPIPE_H
#define EVPIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"

struct evpipe;

/* A line the reader could not use, for the anomalies table. */
struct evpipe_anomaly {
	uint64_t	 line;
	uint64_t	 offset;
	const char	*kind;		/* a string constant */
	struct span	 text;
};

struct evpipe_consumer {
	void	*arg;
	ev_sink	 event;
	void	(*anomaly)(void *, const struct evpipe_anomaly *);
};

/* Producer side (the reader thread). */
bool	 evpipe_plain(void);
bool	 evpipe_threads(void);
void	 evpipe_event(void *, const struct event *);	/* an ev_sink */
void	 evpipe_anomaly(struct evpipe *, const struct evpipe_anomaly *);

/*
 * evpipe_run - run produce(parg, pipe) in a reader thread while this
 * thread hands what it produces to the consumer; returns produce()'s
 * value once both are done.  With threads off (or when no thread can be
 * made) produce() runs here and each event reaches the consumer as it is
 * produced.
 */
int	 evpipe_run(int (*)(void *, struct evpipe *), void *,
	    const struct evpipe_consumer *);

#endif /* EVPIPE_H */
