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
 * Postfix log messages to events.  postfix_match() tells a Postfix program
 * tag ("postfix/smtpd", "postfix-out/qmgr", "postfix/submission/smtpd");
 * postfix_parse() turns the message of such a line into events, filled as
 * event.h documents.
 */

#ifndef POSTFIX_H
#define POSTFIX_H

#include <stdbool.h>

#include "event.h"
#include "mtalog.h"

struct syslog_msg;
struct postfix;

struct postfix	*postfix_new(void);
void		 postfix_free(struct postfix *);
bool		 postfix_match(const struct syslog_msg *);
enum parse_result postfix_parse(struct postfix *, const struct syslog_msg *,
		    const struct ev_ref *, ev_sink, void *);

#endif /* POSTFIX_H */
