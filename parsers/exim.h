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
 * Exim log lines to events.  Exim writes its own files (mainlog,
 * rejectlog, paniclog), one line per entry:
 *
 *	2026-12-01 20:31:02 [pid] 1rABCd-000123-XY <= sender H=... P=esmtp ...
 *
 * local time, an optional zone (log_timezone) and an optional "[pid]"
 * (log_selector +pid), then a message id when the line is about a
 * message: 16 characters before Exim 4.97 (6-6-2), 23 after (6-11-4).
 * It can also log to syslog ("exim[123]: ..." with or without that date).
 * A syslog-style "HOST exim[PID]: " right after Exim's date (a template
 * that writes the date as Exim does; a severity may stand for the host)
 * or right before it (a journal entry shown as "HOST IDENT[PID]: ...")
 * is read as part of the native format, its host kept.
 * Both are parsed here: the files as a native format of mtalog.c
 * (exim_detect and the exim_native_* functions, whose signatures are the
 * struct mtalog_native ones), syslog lines as a program parser
 * (exim_match and the exim_syslog_* functions).  Events are filled as
 * event.h documents; see exim.c for each line form.
 *
 * A rejectlog is told from a mainlog by its first lines (exim_sniff_*:
 * refusals, never a line only a mainlog has), so that its file can be
 * read after the mainlog whatever its name; its source's format is then
 * "exim-rejectlog".  Through syslog, the second copy of a line Exim
 * writes to both logs (syslog_duplication) is marked (event.h, copy_of).
 */

#ifndef EXIM_H
#define EXIM_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"

struct mtalog;
struct syslog_clock;
struct syslog_msg;

/* Telling a rejectlog by its first lines: fed one line at a time. */
struct exim_sniff {
	uint32_t	 lines;		/* looked at */
	uint32_t	 entries;	/* of them, Exim's (time stamp first) */
	uint32_t	 refusals;	/* of them, the forms a rejectlog has */
	bool		 main;		/* one only a mainlog has */
};

void		 exim_sniff_init(struct exim_sniff *);
bool		 exim_sniff_line(struct exim_sniff *, struct span);
bool		 exim_sniff_rejectlog(const struct exim_sniff *);

/* The native format: Exim's own log files. */
bool		 exim_detect(struct span);
void		*exim_native_new(struct syslog_clock *);
void		 exim_native_free(void *);
void		 exim_native_begin(void *);
enum parse_result exim_native_parse(void *, struct mtalog *,
		    const struct ev_ref *, ev_sink, void *);
const char	*exim_native_format(void *);

/* Exim through syslog: program "exim" or "exim4". */
bool		 exim_match(const struct syslog_msg *);
void		*exim_syslog_new(void);
void		 exim_syslog_free(void *);
void		 exim_syslog_begin(void *);
enum parse_result exim_syslog_parse(void *, const struct syslog_msg *,
		    const struct ev_ref *, ev_sink, void *);

bool		 exim_is_msgid(struct span);

#endif /* EXIM_H */
