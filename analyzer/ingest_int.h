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
 * What ingest.c, ingest_capture.c and ingest_plan.c share: the state of
 * the source being read, and the consumer of its events.
 */

#ifndef INGEST_INT_H
#define INGEST_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "evpipe.h"
#include "ingest.h"

struct corr;
struct event;
struct store;

/*
 * Unparsed lines (bad packets) stored per source as anomalies, and the
 * first few shown on stderr.
 */
#define INGEST_ANOMALIES_MAX	1000
#define INGEST_WARN_MAX		5
#define INGEST_ANOMALY_TEXT_MAX	4096
/*
 * A log whose time goes back by more than this is warned about: syslog
 * lines from several processes are not strictly in order, a clock that
 * was stepped back is (and makes "first" and "last" misleading).
 */
#define INGEST_CLOCK_SLACK_US	(60 * 1000000LL)

struct ingest_src {
	struct corr	*corr;
	const char	*display;
	bool		 quiet;
	bool		 capture;
	int64_t		 first;
	int64_t		 last;
	bool		 have_time;
	char		*host;
	uint64_t	 long_lines;	/* a capture's overlong SMTP lines */

	/* Logs: the clock going backwards. */
	int64_t		 prev_us;	/* time of the last event */
	bool		 have_prev;
	uint64_t	 back;		/* steps back beyond the slack */
	uint64_t	 back_line;	/* the first one's line */
	int64_t		 back_from;	/* ... its times (seconds) */
	int64_t		 back_to;
	int64_t		 back_us;	/* ... and by how much */
};

/* The consumer of a source's events: the correlator and the store. */
struct ingest_dest {
	struct store		*st;
	int64_t			 sid;
	struct ingest_src	*is;
};

void	ingest_sink(void *, const struct event *);
void	ingest_anomaly(void *, const struct evpipe_anomaly *);
void	ingest_dest_event(void *, const struct event *);
void	ingest_bind_abspath(sqlite3_stmt *, int, const char *, const char *);
bool	ingest_known_size(struct store *, uint64_t);
void	ingest_same_sha(struct store *, const char *, const char *);
int	ingest_pass(const char *);
int	ingest_capture(struct store *, struct corr *, const char *,
	    const char *, uint32_t, const char *, uint64_t,
	    struct ingest_totals *, const struct ingest_opts *);

#endif /* INGEST_INT_H */
