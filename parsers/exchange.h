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
 * Microsoft Exchange 2007-2019 logs as a native mtalog format
 * ("exchange"): message tracking logs (MSGTRK*.LOG) and SMTP Receive and
 * Send protocol logs (RECV*.LOG, SEND*.LOG).  Events are filled as
 * event.h documents; exchange.c says which event each line form gives.
 */

#ifndef EXCHANGE_H
#define EXCHANGE_H

#include <stdbool.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"

struct syslog_clock;

bool		 exchange_detect(struct span);
void		*exchange_create(struct syslog_clock *);
void		 exchange_destroy(void *);
void		 exchange_begin(void *);
enum parse_result exchange_parse(void *, struct mtalog *,
		    const struct ev_ref *, ev_sink, void *);

#endif /* EXCHANGE_H */
