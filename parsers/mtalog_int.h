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
 * Inside parsers/: how a log format that is not syslog (Exim's mainlog,
 * Exchange's CSV logs, IIS W3C logs, journald JSON) plugs into mtalog.c.
 * A native format recognises its own lines (detect), keeps per-parser
 * state (create/destroy, begin at each new source), turns one line into
 * events (parse) and may name the source's format more closely than its
 * own name once it has read it (format, NULL if it never does).  One that
 * carries syslog messages (journald) hands them to
 * mtalog_syslog_dispatch().
 */

#ifndef MTALOG_INT_H
#define MTALOG_INT_H

#include <stdbool.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"

struct syslog_clock;
struct syslog_msg;

struct mtalog_native {
	const char	*name;		/* format name, for --format too */
	bool		 (*detect)(struct span);
	void		*(*create)(struct syslog_clock *);
	void		 (*destroy)(void *);
	void		 (*begin)(void *);	/* a new source starts */
	enum parse_result (*parse)(void *, struct mtalog *,
			    const struct ev_ref *, ev_sink, void *);
	const char	*(*format)(void *);	/* a closer name, or NULL */
};

enum parse_result mtalog_syslog_dispatch(struct mtalog *,
		    const struct syslog_msg *, const struct ev_ref *, ev_sink,
		    void *);
struct syslog_clock *mtalog_clock(struct mtalog *);

#endif /* MTALOG_INT_H */
