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
 * Sendmail log messages to events.  sendmail_match() tells Sendmail's
 * syslog tags ("sm-mta", "sendmail", "sm-msp-queue", ...);
 * sendmail_parse() turns the message of such a line into events, filled
 * as event.h documents.  One Sendmail process serves one SMTP connection,
 * so a session is the tag and pid: its connect, STARTTLS, AUTH, refusals
 * and from= lines share them.  Events of that side carry service
 * "smtpd"; deliveries carry the mailer ("esmtp", "local", "prog") as
 * service; the rest carry the tag.  instance is always the tag.
 */

#ifndef SENDMAIL_H
#define SENDMAIL_H

#include <stdbool.h>

#include "event.h"
#include "mtalog.h"

struct syslog_msg;
struct sendmail;

struct sendmail	*sendmail_new(void);
void		 sendmail_free(struct sendmail *);
bool		 sendmail_match(const struct syslog_msg *);
enum parse_result sendmail_parse(struct sendmail *, const struct syslog_msg *,
		    const struct ev_ref *, ev_sink, void *);

#endif /* SENDMAIL_H */
