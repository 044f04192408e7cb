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
 * Syslog line headers: the time stamp, the host, the program tag and its
 * process id, and the message after them.  Three time stamp forms:
 *
 *  SYSLOG_RFC3339	2026-12-01T20:31:02.123456+00:00 (rsyslog on
 *			Debian 12, journalctl -o short-iso; zone in the line)
 *  SYSLOG_BSD		Dec  1 20:31:02 (traditional syslog: no year, no
 *			zone, the day padded with a space)
 *  SYSLOG_MAILLOG	Dec 01 20:31:02 (Postfix maillog_file, written by
 *			postlogd with strftime "%b %d %H:%M:%S" in local
 *			time; journalctl -o short looks the same)
 *  SYSLOG_RFC5424	<34>1 2026-12-01T20:31:02.123456+00:00 mx postfix/smtpd
 *			123 - [sd@1 a="b"] message (RFC 5424; also without
 *			"<PRI>", as rsyslog's RSYSLOG_SyslogProtocol23Format
 *			files may hold it; "-" for a value not given)
 *
 * A day of 10 or more looks the same in the last two forms; such lines
 * are reported as SYSLOG_BSD with form_sure false.  The first three may
 * also come after an RFC 3164 "<PRI>" (a line as it was sent), and with
 * "<facility.priority> " before or after the host ("Dec  1 20:31:02
 * <mail.info> mx ...", "Dec  1 20:31:02 mx <mail.info> ..."), which is
 * skipped.  Yearless times are
 * resolved by a syslog_clock (see syslog.c).
 */

#ifndef SYSLOG_H
#define SYSLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum syslog_form {
	SYSLOG_NONE = 0,
	SYSLOG_RFC3339,
	SYSLOG_BSD,
	SYSLOG_MAILLOG,
	SYSLOG_RFC5424,
	SYSLOG__MAX
};

struct syslog_msg {
	enum syslog_form form;
	bool		 form_sure;	/* the day's padding told BSD/maillog */
	int64_t		 time;		/* UTC seconds since the epoch */
	int32_t		 usec;		/* 0 if the stamp has no fraction */
	struct span	 host;
	struct span	 program;	/* tag without "[pid]"; empty for
					   syslogd's own notes */
	int64_t		 pid;		/* -1 if the tag has none */
	struct span	 msg;		/* everything after "tag[pid]: " */
};

struct syslog_clock;

struct syslog_clock *syslog_clock_new(int, const char *);
void		 syslog_clock_begin(struct syslog_clock *, int64_t);
void		 syslog_clock_free(struct syslog_clock *);
int		 syslog_parse(struct syslog_clock *, struct span,
		    struct syslog_msg *);
const char	*syslog_form_name(enum syslog_form);

int64_t		 syslog_days_from_civil(int64_t, int, int);

#endif /* SYSLOG_H */
