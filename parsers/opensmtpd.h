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
 * OpenSMTPD log messages to events.  opensmtpd_match() tells the "smtpd"
 * tag of OpenSMTPD from other programs called smtpd by the shape of the
 * message (a 16-digit hex session id, or "smtp-in:"/"info:"/"warn:");
 * opensmtpd_parse() turns the message into events, filled as event.h
 * documents.  One smtpd process serves every session, so each event of a
 * session carries the session id in flow (parsed from hex) and the
 * client the session's "smtp connected" line named; the message id (8
 * hex digits, the first half of every envelope id) is the queue id.
 * Events of the SMTP server side carry service "smtpd", deliveries "mta"
 * or "mda".
 */

#ifndef OPENSMTPD_H
#define OPENSMTPD_H

#include <stdbool.h>

#include "event.h"
#include "mtalog.h"

struct syslog_msg;
struct opensmtpd;

struct opensmtpd *opensmtpd_new(void);
void		 opensmtpd_free(struct opensmtpd *);
bool		 opensmtpd_match(const struct syslog_msg *);
enum parse_result opensmtpd_parse(struct opensmtpd *,
		    const struct syslog_msg *, const struct ev_ref *, ev_sink,
		    void *);

#endif /* OPENSMTPD_H */
