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
 * Correlation: events in, sessions, messages, recipients and evidence
 * rows out.  Sessions are keyed by server, program and process id (and by
 * client address for postscreen, which serves many clients at once);
 * messages by server and queue id, which Postfix reuses, so a message ends
 * at "removed".  Only what is open is held in memory; everything is
 * written to the store as it happens, so a message whose lines span two
 * files (a rotated set) is one message.
 */

#ifndef CORRELATE_H
#define CORRELATE_H

#include <stdint.h>

#include "event.h"

struct locality;
struct store;
struct corr;

struct corr_stats {
	uint64_t	 sessions;
	uint64_t	 messages;
	uint64_t	 recipients;
	uint64_t	 evidence;
};

struct corr	*corr_new(struct store *);
void		 corr_set_source(struct corr *, int64_t);
void		 corr_set_locality(struct corr *, const struct locality *);
void		 corr_event(void *, const struct event *);
void		 corr_flush(struct corr *);
void		 corr_checkpoint(struct corr *);
void		 corr_stats(const struct corr *, struct corr_stats *);
void		 corr_free(struct corr *);

#endif /* CORRELATE_H */
