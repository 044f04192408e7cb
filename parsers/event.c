/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Event names and initialisation. */

#include "config.h"

#include "event.h"

#include <string.h>

static const char *const ev_names[EV__MAX] = {
	[EV_CONNECT] = "connect",
	[EV_DISCONNECT] = "disconnect",
	[EV_HELO] = "helo",
	[EV_TLS] = "tls",
	[EV_AUTH] = "auth",
	[EV_AUTH_FAIL] = "auth-fail",
	[EV_CLIENT] = "client",
	[EV_MAIL] = "mail",
	[EV_RCPT] = "rcpt",
	[EV_REJECT] = "reject",
	[EV_QUEUED] = "queued",
	[EV_PICKUP] = "pickup",
	[EV_MSGID] = "msgid",
	[EV_MSGINFO] = "msginfo",
	[EV_DELIVERY] = "delivery",
	[EV_BOUNCE] = "bounce",
	[EV_EXPIRED] = "expired",
	[EV_REMOVED] = "removed",
	[EV_WARNING] = "warning",
	[EV_INFO] = "info",
	[EV_BANNER] = "banner",
	[EV_RSET] = "rset",
	[EV_DATA] = "data",
	[EV_HEADER] = "header",
	[EV_GAP] = "gap",
};

/* ev_type_name - the event's name for diagnostics and dumps. */
const char *
ev_type_name(enum ev_type t)
{
	if (t <= 0 || t >= EV__MAX || ev_names[t] == NULL)
		return ("unknown");
	return (ev_names[t]);
}

/* ev_init - an event of type t with every field empty or unknown. */
void
ev_init(struct event *ev, enum ev_type t)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = t;
	ev->pid = -1;
	ev->size = -1;
	ev->nrcpt = -1;
	ev->delay_s = -1;
}
