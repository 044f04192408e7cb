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
 * The systemd journal as a native mtalog format ("journald"): the output
 * of journalctl -o json and -o export.  Each entry becomes a syslog
 * message (syslog.h) handed to the MTA parser of its program through
 * mtalog_syslog_dispatch(), so a Postfix, Exim or Sendmail line reads
 * the same from the journal as from a file, with the journal's own time.
 */

#ifndef JOURNALD_H
#define JOURNALD_H

#include <stdbool.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"

struct syslog_clock;

bool		 journald_detect(struct span);
void		*journald_create(struct syslog_clock *);
void		 journald_destroy(void *);
void		 journald_begin(void *);
enum parse_result journald_parse(void *, struct mtalog *,
		    const struct ev_ref *, ev_sink, void *);

#endif /* JOURNALD_H */
