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
 * Text MTA logs: the one entry point for a line of a mail log.  The line's
 * syslog header is parsed (syslog.h), the program tag picks the MTA parser
 * (Postfix today), and that parser hands events (event.h) to the caller's
 * sink.  Counters are kept per source.
 */

#ifndef MTALOG_H
#define MTALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* What became of one line; the same three answers for every parser. */
enum parse_result {
	PARSE_OK = 0,		/* understood: zero or more events */
	PARSE_SKIP,		/* a syslog line of a program we don't parse */
	PARSE_BAD		/* not a syslog line, or not understood */
};

struct mtalog_opts {
	int		 year;		/* forced year (--year), or 0 */
	const char	*tz;		/* --tz, or NULL for the local zone */
	const char	*format;	/* --format, or NULL to detect */
};

struct mtalog_stats {
	uint64_t	 lines;		/* every line given */
	uint64_t	 ok;		/* PARSE_OK */
	uint64_t	 skip;		/* PARSE_SKIP: other programs */
	uint64_t	 blank;		/* of skip: empty or white space */
	uint64_t	 bad;		/* PARSE_BAD */
	uint64_t	 bad_syslog;	/* of bad: no syslog header */
	uint64_t	 events;	/* events handed to the sink */
};

struct mtalog;

struct mtalog	*mtalog_new(const struct mtalog_opts *);
void		 mtalog_begin_source(struct mtalog *, int64_t);
enum parse_result mtalog_line(struct mtalog *, const struct ev_ref *,
		    ev_sink, void *);
const char	*mtalog_format(const struct mtalog *);
const struct mtalog_stats *mtalog_stats(const struct mtalog *);
const char	*mtalog_result_name(enum parse_result);
bool		 mtalog_format_known(const char *);
void		 mtalog_free(struct mtalog *);

#endif /* MTALOG_H */
