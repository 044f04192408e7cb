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
 * The SMTP service of IIS (Exchange 2000/2003 and Windows Server) as two
 * native mtalog formats: "iis", its W3C extended and NCSA logs (iis.c),
 * and "exchange2003", the Exchange 2000/2003 message tracking log
 * (iis_track.c).  Events are filled as event.h documents; each file says
 * which event each line form gives.
 */

#ifndef IIS_H
#define IIS_H

#include <stdbool.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"

struct syslog_clock;

/* Seconds of silence after which a client's next command is a new session. */
#define IIS_IDLE_MAX	600

bool		 iis_detect(struct span);
void		*iis_create(struct syslog_clock *);
void		 iis_destroy(void *);
void		 iis_begin(void *);
enum parse_result iis_parse(void *, struct mtalog *, const struct ev_ref *,
		    ev_sink, void *);

bool		 iis_track_detect(struct span);
void		*iis_track_create(struct syslog_clock *);
void		 iis_track_destroy(void *);
void		 iis_track_begin(void *);
enum parse_result iis_track_parse(void *, struct mtalog *,
		    const struct ev_ref *, ev_sink, void *);

#endif /* IIS_H */
