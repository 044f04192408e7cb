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
 * Postfix lines through mtalog_line(): every event form with its fields,
 * lines of other programs, malformed and hostile lines.  The lines have
 * the shape of real Postfix output with made-up hosts and addresses.
 * Clock: UTC, anchor 2026-12-05, so "Dec  1 20:31:02" is 1796157062
 * (date -u -d '2026-12-01 20:31:02' +%s).
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mtalog.h"
#include "tap.h"

#define T		1796157062
#define MAXEV		8
#define H		"Dec  1 20:31:02 mx postfix/"

static struct event	evs[MAXEV];
static int		nev;

/* sp - a span as a C string, "(null)" when absent. */
static const char *
sp(struct span s)
{
	static char	bufs[8][1024];
	static int	i;
	char		*b;

	if (s.p == NULL)
		return ("(null)");
	b = bufs[i++ % 8];
	if (s.n >= sizeof(bufs[0]))
		s.n = sizeof(bufs[0]) - 1;
	memcpy(b, s.p, s.n);
	b[s.n] = '\0';
	return (b);
}

/* collect - the test's sink; the lines outlive the events here. */
static void
collect(void *arg, const struct event *ev)
{
	(void)arg;
	if (nev < MAXEV)
		evs[nev] = *ev;
	nev++;
}

static enum parse_result
feed_n(struct mtalog *ml, const char *s, size_t n)
{
	struct ev_ref	ref;

	ref.source = 3;
	ref.line = 42;
	ref.offset = 1000;
	ref.raw.p = s;
	ref.raw.n = n;
	nev = 0;
	memset(evs, 0, sizeof(evs));
	return (mtalog_line(ml, &ref, collect, NULL));
}

static enum parse_result
feed(struct mtalog *ml, const char *s)
{
	return (feed_n(ml, s, strlen(s)));
}

/* one - feed s and check it gives exactly one event of type t. */
static const struct event *
one(struct mtalog *ml, const char *s, enum ev_type t, const char *what)
{
	enum parse_result	r;

	r = feed(ml, s);
	ok(r == PARSE_OK && nev == 1 && evs[0].type == t,
	    "%s: one %s event", what, ev_type_name(t));
	if (r != PARSE_OK || nev != 1)
		diag("result %s, %d events", mtalog_result_name(r), nev);
	return (&evs[0]);
}

static void
t_common(struct mtalog *ml)
{
	const struct event	*e;
	const char		*l;

	l = H "smtpd[4242]: connect from mail.example.net[198.51.100.7]";
	e = one(ml, l, EV_CONNECT, "connect");
	is_int(e->time, T, "common: time");
	is_int(e->usec, 0, "common: usec");
	is_int(e->ref.source, 3, "common: ref source");
	is_int(e->ref.line, 42, "common: ref line");
	is_int(e->ref.offset, 1000, "common: ref offset");
	ok(e->ref.raw.p == l && e->ref.raw.n == strlen(l), "common: ref raw");
	is_str(sp(e->host), "mx", "common: host");
	is_str(sp(e->program), "postfix/smtpd", "common: program");
	is_str(sp(e->instance), "postfix", "common: instance");
	is_str(sp(e->service), "smtpd", "common: service");
	is_int(e->pid, 4242, "common: pid");
	is_str(sp(e->queue_id), "(null)", "common: no queue id");
	is_int(e->size, -1, "common: size unknown");

	e = one(ml, "Dec  1 20:31:02 mx postfix/submission/smtpd[7]: "
	    "connect from unknown[192.0.2.10]", EV_CONNECT, "submission");
	is_str(sp(e->instance), "postfix/submission", "submission: instance");
	is_str(sp(e->service), "smtpd", "submission: service");
	e = one(ml, "Dec  1 20:31:02 mx postfix-10.20.30.40/smtp[7]: "
	    "warning: no MX host for example.org", EV_WARNING, "ip instance");
	is_str(sp(e->instance), "postfix-10.20.30.40", "ip instance: instance");
	is_str(sp(e->service), "smtp", "ip instance: service");
	e = one(ml, "2026-12-01T20:31:02.250000+00:00 mx postfix-out/qmgr[9]: "
	    "4F3A2B1C0D: removed", EV_REMOVED, "postfix-out rfc3339");
	is_str(sp(e->instance), "postfix-out", "postfix-out: instance");
	is_int(e->usec, 250000, "rfc3339: usec in the event");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "removed: queue id");
}

static void
t_smtpd(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "smtpd[4242]: connect from unknown[198.51.100.7]:50123",
	    EV_CONNECT, "connect with port");
	is_str(sp(e->client_name), "unknown", "connect: name");
	is_str(sp(e->client_ip), "198.51.100.7", "connect: ip");
	is_int(e->client_port, 50123, "connect: port");

	e = one(ml, H "smtpd[4242]: connect from mx.example.org[2001:db8::25]",
	    EV_CONNECT, "connect IPv6");
	is_str(sp(e->client_ip), "2001:db8::25", "connect IPv6: ip");
	is_int(e->client_port, 0, "connect IPv6: no port");

	e = one(ml, H "smtpd[4242]: disconnect from mail.example.net"
	    "[198.51.100.7] ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 "
	    "commands=3/4", EV_DISCONNECT, "disconnect");
	is_str(sp(e->client_name), "mail.example.net", "disconnect: name");
	is_str(sp(e->client_ip), "198.51.100.7", "disconnect: ip");
	is_str(sp(e->counters),
	    "ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/4",
	    "disconnect: counters");

	e = one(ml, H "smtpd[4242]: lost connection after DATA (0 bytes) from "
	    "unknown[203.0.113.5]", EV_INFO, "lost connection");
	is_str(sp(e->stage), "DATA", "lost connection: stage");
	is_str(sp(e->client_ip), "203.0.113.5", "lost connection: ip");
	e = one(ml, H "smtpd[4242]: timeout after END-OF-MESSAGE from "
	    "unknown[203.0.113.5]", EV_INFO, "timeout");
	is_str(sp(e->stage), "END-OF-MESSAGE", "timeout: stage");
	is_str(sp(e->text), "timeout after END-OF-MESSAGE from "
	    "unknown[203.0.113.5]", "timeout: text");

	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: client=mail.example.net"
	    "[198.51.100.7]", EV_CLIENT, "client");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "client: queue id");
	is_str(sp(e->client_name), "mail.example.net", "client: name");
	is_str(sp(e->client_ip), "198.51.100.7", "client: ip");
	is_str(sp(e->sasl_user), "(null)", "client: no sasl user");

	e = one(ml, H "submission/smtpd[77]: 4Fk2x1LzQ9z9sWL: client=unknown"
	    "[2001:db8::7]:41234, sasl_method=PLAIN, sasl_username=dave",
	    EV_CLIENT, "client sasl, long queue id");
	is_str(sp(e->queue_id), "4Fk2x1LzQ9z9sWL", "client sasl: queue id");
	is_str(sp(e->client_ip), "2001:db8::7", "client sasl: IPv6");
	is_int(e->client_port, 41234, "client sasl: port");
	is_str(sp(e->sasl_method), "PLAIN", "client sasl: method");
	is_str(sp(e->sasl_user), "dave", "client sasl: user");

	e = one(ml, H "smtpd[77]: 4F3A2B1C0D: client=unknown[192.0.2.3], "
	    "sasl_method=LOGIN, sasl_username=info@example.com, "
	    "sasl_sender=boss@example.com", EV_CLIENT, "client sasl_sender");
	is_str(sp(e->sasl_user), "info@example.com", "sasl_sender: user");

	e = one(ml, H "smtpd[77]: 9E8D7C6B5A: client=localhost[127.0.0.1], "
	    "orig_queue_id=4F3A2B1C0D, orig_client=mail.example.net"
	    "[198.51.100.7]", EV_CLIENT, "client orig_client");
	is_str(sp(e->client_ip), "127.0.0.1", "orig_client: the session's");

	e = one(ml, H "smtpd[77]: warning: unknown[203.0.113.66]: SASL LOGIN "
	    "authentication failed: UGFzc3dvcmQ6", EV_AUTH_FAIL, "sasl fail");
	is_str(sp(e->client_ip), "203.0.113.66", "sasl fail: ip");
	is_str(sp(e->sasl_method), "LOGIN", "sasl fail: method");
	is_str(sp(e->text), "UGFzc3dvcmQ6", "sasl fail: text");
	is_str(sp(e->sasl_user), "(null)", "sasl fail: no user");
	e = one(ml, H "smtps/smtpd[77]: warning: unknown[203.0.113.66]:4444: "
	    "SASL PLAIN authentication failed: (reason unavailable), "
	    "sasl_username=admin@example.com", EV_AUTH_FAIL, "sasl fail user");
	is_int(e->client_port, 4444, "sasl fail user: port");
	is_str(sp(e->text), "(reason unavailable)", "sasl fail user: text");
	is_str(sp(e->sasl_user), "admin@example.com", "sasl fail user: user");

	e = one(ml, H "smtpd[77]: improper command pipelining after EHLO from "
	    "unknown[203.0.113.8]: MAIL FROM:<a@example.net>\\r\\nRCPT TO:<b>",
	    EV_WARNING, "pipelining");
	is_str(sp(e->client_ip), "203.0.113.8", "pipelining: ip");
	is_str(sp(e->stage), "EHLO", "pipelining: stage");

	e = one(ml, H "smtpd[77]: warning: non-SMTP command from unknown"
	    "[203.0.113.8]: GET / HTTP/1.1", EV_WARNING, "non-SMTP warning");
	is_str(sp(e->client_ip), "203.0.113.8", "non-SMTP: ip");
	is_str(sp(e->text), "warning: non-SMTP command from unknown"
	    "[203.0.113.8]: GET / HTTP/1.1", "non-SMTP: text");
	e = one(ml, H "smtpd[77]: warning: hostname mail.example.net does not "
	    "resolve to address 198.51.100.7", EV_WARNING, "dns warning");
	is_str(sp(e->client_ip), "(null)", "dns warning: no client");

	e = one(ml, H "smtpd[77]: Anonymous TLS connection established from "
	    "mail.example.net[198.51.100.7]: TLSv1.3 with cipher "
	    "TLS_AES_256_GCM_SHA384 (256/256 bits)", EV_TLS, "tls");
	is_str(sp(e->client_ip), "198.51.100.7", "tls: ip");
	is_str(sp(e->text), "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 "
	    "(256/256 bits)", "tls: text");
	e = one(ml, H "smtpd[77]: TLS connection established from "
	    "unknown[192.0.2.4]: TLSv1.2 with cipher "
	    "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)", EV_TLS, "tls plain");
	is_str(sp(e->client_ip), "192.0.2.4", "tls plain: ip");
}

static void
t_reject(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <victim@example.org>: Relay access "
	    "denied; from=<spam@example.net> to=<victim@example.org> "
	    "proto=ESMTP helo=<ylmf-pc>", EV_REJECT, "relay denied");
	is_str(sp(e->queue_id), "(null)", "relay denied: NOQUEUE");
	is_str(sp(e->stage), "RCPT", "relay denied: stage");
	is_str(sp(e->client_name), "unknown", "relay denied: name");
	is_str(sp(e->client_ip), "203.0.113.9", "relay denied: ip");
	is_int(e->reply_code, 554, "relay denied: code");
	is_str(sp(e->dsn), "5.7.1", "relay denied: dsn");
	is_str(sp(e->text), "<victim@example.org>: Relay access denied",
	    "relay denied: text");
	is_str(sp(e->sender), "spam@example.net", "relay denied: sender");
	is_str(sp(e->rcpt), "victim@example.org", "relay denied: rcpt");
	is_str(sp(e->proto), "ESMTP", "relay denied: proto");
	is_str(sp(e->helo), "ylmf-pc", "relay denied: helo");
	is_str(sp(e->status), "reject", "relay denied: action");

	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: reject: DATA from mail.example"
	    ".net[198.51.100.7]: 550 5.5.3 <DATA>: Data command rejected: "
	    "Multi-recipient bounce; from=<> to=<a@example.com> proto=ESMTP "
	    "helo=<mail.example.net>", EV_REJECT, "reject DATA");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "reject DATA: queue id");
	is_str(sp(e->stage), "DATA", "reject DATA: stage");
	ok(e->sender.p != NULL && e->sender.n == 0,
	    "reject DATA: null sender is present and empty");

	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: reject: END-OF-MESSAGE from "
	    "mail.example.net[198.51.100.7]: 550 5.7.1 Message rejected; "
	    "from=<a@example.net> to=<b@example.com> proto=ESMTP "
	    "helo=<mail.example.net>", EV_REJECT, "reject END-OF-MESSAGE");
	is_str(sp(e->stage), "END-OF-MESSAGE", "END-OF-MESSAGE: stage");
	is_str(sp(e->text), "Message rejected", "END-OF-MESSAGE: text");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: CONNECT from unknown"
	    "[192.0.2.114]: 450 4.7.25 Client host rejected: cannot find your "
	    "hostname, [192.0.2.114]; proto=SMTP", EV_REJECT, "reject CONNECT");
	is_str(sp(e->stage), "CONNECT", "CONNECT: stage");
	is_int(e->reply_code, 450, "CONNECT: code");
	is_str(sp(e->dsn), "4.7.25", "CONNECT: dsn");
	is_str(sp(e->text), "Client host rejected: cannot find your hostname, "
	    "[192.0.2.114]", "CONNECT: text");
	is_str(sp(e->proto), "SMTP", "CONNECT: proto");
	is_str(sp(e->sender), "(null)", "CONNECT: no sender");
	is_str(sp(e->helo), "(null)", "CONNECT: no helo");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: EHLO from unknown"
	    "[192.0.2.50]: 504 5.5.2 <User>: Helo command rejected: need "
	    "fully-qualified hostname; proto=SMTP helo=<User>", EV_REJECT,
	    "reject EHLO");
	is_str(sp(e->stage), "EHLO", "EHLO: stage");
	is_str(sp(e->helo), "User", "EHLO: helo");
	is_str(sp(e->rcpt), "(null)", "EHLO: no rcpt");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: MAIL from unknown"
	    "[192.0.2.50]: 553 5.7.1 <x@example.com>: Sender address rejected: "
	    "not logged in; from=<x@example.com> proto=ESMTP helo=<pc>",
	    EV_REJECT, "reject MAIL");
	is_str(sp(e->stage), "MAIL", "MAIL: stage");
	is_str(sp(e->sender), "x@example.com", "MAIL: sender");
	is_str(sp(e->rcpt), "(null)", "MAIL: no rcpt");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: VRFY from unknown"
	    "[192.0.2.50]: 550 5.1.1 <root@example.com>: Recipient address "
	    "rejected: User unknown; to=<root@example.com> proto=SMTP "
	    "helo=<me>", EV_REJECT, "reject VRFY");
	is_str(sp(e->stage), "VRFY", "VRFY: stage");
	is_str(sp(e->rcpt), "root@example.com", "VRFY: rcpt");
	is_str(sp(e->sender), "(null)", "VRFY: no sender");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: ETRN from unknown"
	    "[192.0.2.50]: 554 5.7.1 <example.com>: Client host rejected: "
	    "Access denied; proto=ESMTP helo=<me>", EV_REJECT, "reject ETRN");
	is_str(sp(e->stage), "ETRN", "ETRN: stage");

	e = one(ml, H "smtpd[4242]: NOQUEUE: reject_warning: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <v@example.org>: Relay access denied; "
	    "from=<s@example.net> to=<v@example.org> proto=ESMTP helo=<h>",
	    EV_WARNING, "reject_warning");
	is_str(sp(e->status), "reject_warning", "reject_warning: action");
	is_int(e->reply_code, 554, "reject_warning: code");
	is_str(sp(e->rcpt), "v@example.org", "reject_warning: rcpt");

	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: discard: RCPT from unknown"
	    "[203.0.113.9]: <v@example.org>: Recipient address triggers "
	    "DISCARD action; from=<s@example.net> to=<v@example.org> "
	    "proto=ESMTP helo=<h>", EV_INFO, "discard");
	is_str(sp(e->status), "discard", "discard: action");
	is_int(e->reply_code, 0, "discard: no code");
	is_str(sp(e->dsn), "(null)", "discard: no dsn");
	is_str(sp(e->text), "<v@example.org>: Recipient address triggers "
	    "DISCARD action", "discard: text");
	is_str(sp(e->rcpt), "v@example.org", "discard: rcpt");

	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: hold: RCPT from unknown"
	    "[203.0.113.9]: <s@example.net>: Sender address triggers HOLD "
	    "action; from=<s@example.net> to=<v@example.org> proto=ESMTP "
	    "helo=<h>", EV_INFO, "hold");
	is_str(sp(e->status), "hold", "hold: action");
	e = one(ml, H "smtpd[4242]: NOQUEUE: filter: RCPT from unknown"
	    "[203.0.113.9]: <s@example.net>: Sender address triggers FILTER "
	    "smtp-amavis:[127.0.0.1]:10026; from=<s@example.net> "
	    "to=<v@example.org> proto=ESMTP helo=<h>", EV_INFO, "filter");
	is_str(sp(e->status), "filter", "filter: action");
	is_str(sp(e->text), "<s@example.net>: Sender address triggers FILTER "
	    "smtp-amavis:[127.0.0.1]:10026", "filter: text");
	e = one(ml, H "smtpd[4242]: 4F3A2B1C0D: redirect: RCPT from unknown"
	    "[203.0.113.9]: <v@example.org>: Recipient address triggers "
	    "REDIRECT abuse@example.com; from=<s@example.net> "
	    "to=<v@example.org> proto=ESMTP helo=<h>", EV_INFO, "redirect");
	is_str(sp(e->status), "redirect", "redirect: action");

	/* postscreen: commas between the fields. */
	e = one(ml, H "postscreen[1148]: NOQUEUE: reject: RCPT from "
	    "[203.0.113.77]:60591: 550 5.7.1 Service unavailable; client "
	    "[203.0.113.77] blocked using zen.spamhaus.org; "
	    "from=<s@example.net>, to=<v@example.org>, proto=ESMTP, "
	    "helo=<bot.example.net>", EV_REJECT, "postscreen reject");
	is_str(sp(e->service), "postscreen", "postscreen reject: service");
	is_str(sp(e->client_ip), "203.0.113.77", "postscreen reject: ip");
	is_int(e->client_port, 60591, "postscreen reject: port");
	is_str(sp(e->text), "Service unavailable; client [203.0.113.77] "
	    "blocked using zen.spamhaus.org", "postscreen reject: text");
	is_str(sp(e->sender), "s@example.net", "postscreen reject: sender");
	is_str(sp(e->rcpt), "v@example.org", "postscreen reject: rcpt");
	is_str(sp(e->proto), "ESMTP", "postscreen reject: proto");
	is_str(sp(e->helo), "bot.example.net", "postscreen reject: helo");
}

static void
t_cleanup(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: message-id=<20261201203102."
	    "1234@mail.example.net>", EV_MSGID, "message-id");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "message-id: queue id");
	is_str(sp(e->message_id), "20261201203102.1234@mail.example.net",
	    "message-id: without brackets");
	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: message-id=<>", EV_MSGID,
	    "empty message-id");
	ok(e->message_id.p != NULL && e->message_id.n == 0,
	    "message-id=<>: present, empty");
	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: message-id=", EV_MSGID,
	    "bare message-id=");
	is_int(e->message_id.n, 0, "message-id=: empty");
	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: message-id=garbage <x> y",
	    EV_MSGID, "garbage message-id");
	is_str(sp(e->message_id), "garbage <x> y", "garbage kept whole");
	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: resent-message-id=<r1@"
	    "example.net>", EV_INFO, "resent-message-id");
	is_str(sp(e->message_id), "r1@example.net", "resent-message-id: id");

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: reject: header Subject: "
	    "Cheap pills from mail.example.net[198.51.100.7]; "
	    "from=<s@example.net> to=<v@example.org> proto=ESMTP "
	    "helo=<mail.example.net>: 550 5.7.1 Spam subject", EV_REJECT,
	    "header check");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "header check: queue id");
	is_str(sp(e->stage), "header", "header check: stage");
	is_str(sp(e->client_ip), "198.51.100.7", "header check: ip");
	is_int(e->reply_code, 550, "header check: code");
	is_str(sp(e->dsn), "5.7.1", "header check: dsn");
	is_str(sp(e->text), "Spam subject", "header check: text");
	is_str(sp(e->sender), "s@example.net", "header check: sender");
	is_str(sp(e->rcpt), "v@example.org", "header check: rcpt");
	is_str(sp(e->helo), "mail.example.net", "header check: helo");

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: reject: body Click here now "
	    "from unknown[203.0.113.9]; from=<s@example.net> "
	    "to=<v@example.org> proto=SMTP helo=<pc>: 5.7.1 Message content "
	    "rejected", EV_REJECT, "body check");
	is_str(sp(e->stage), "body", "body check: stage");
	is_int(e->reply_code, 0, "body check: no code");
	is_str(sp(e->text), "Message content rejected", "body check: text");

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: warning: header X-Mailer: "
	    "BulkMail from unknown[203.0.113.9]; from=<s@example.net> "
	    "to=<v@example.org> proto=ESMTP helo=<pc>", EV_WARNING,
	    "header WARN");
	is_str(sp(e->status), "warning", "header WARN: action");
	is_str(sp(e->text), "X-Mailer: BulkMail", "header WARN: the header");
	is_str(sp(e->helo), "pc", "header WARN: helo");

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: milter-reject: END-OF-MESSAGE "
	    "from mail.example.net[198.51.100.7]: 5.7.1 Command rejected; "
	    "from=<s@example.net> to=<v@example.org> proto=ESMTP "
	    "helo=<mail.example.net>", EV_REJECT, "milter-reject");
	is_str(sp(e->stage), "END-OF-MESSAGE", "milter-reject: stage");
	is_int(e->reply_code, 0, "milter-reject: no 3-digit code");
	is_str(sp(e->dsn), "5.7.1", "milter-reject: dsn");
	is_str(sp(e->text), "Command rejected", "milter-reject: text");
	is_str(sp(e->status), "milter-reject", "milter-reject: action");
	is_str(sp(e->service), "cleanup", "milter-reject: service");

	e = one(ml, H "cleanup[501]: 4F3A2B1C0D: info: header Subject: hi "
	    "from local; from=<root@example.com> to=<ops@example.com>",
	    EV_INFO, "header INFO, local");
	is_str(sp(e->client_ip), "(null)", "local submission: no client");
	is_str(sp(e->rcpt), "ops@example.com", "local submission: rcpt");
}

static void
t_queue(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "qmgr[1789]: 4F3A2B1C0D: from=<s@example.net>, "
	    "size=5652, nrcpt=2 (queue active)", EV_MSGINFO, "msginfo");
	is_str(sp(e->sender), "s@example.net", "msginfo: sender");
	is_int(e->size, 5652, "msginfo: size");
	is_int(e->nrcpt, 2, "msginfo: nrcpt");
	e = one(ml, H "qmgr[1789]: 4F3A2B1C0D: from=<>, size=1999, nrcpt=1 "
	    "(queue active)", EV_MSGINFO, "msginfo null sender");
	is_int(e->sender.n, 0, "msginfo: null sender");
	e = one(ml, H "qmgr[1789]: 4F3A2B1C0D: from=<s@example.net>, "
	    "status=expired, returned to sender", EV_EXPIRED, "expired");
	is_str(sp(e->sender), "s@example.net", "expired: sender");
	is_str(sp(e->text), "expired, returned to sender", "expired: text");

	e = one(ml, H "smtp[6001]: 4F3A2B1C0D: to=<v@example.org>, "
	    "relay=mx.example.org[192.0.2.25]:25, delay=1.2, "
	    "delays=0.1/0.01/0.5/0.59, dsn=2.0.0, status=sent (250 2.0.0 Ok: "
	    "queued as 9A8B7C6D5E)", EV_DELIVERY, "delivery sent");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "sent: queue id");
	is_str(sp(e->rcpt), "v@example.org", "sent: rcpt");
	is_str(sp(e->orig_rcpt), "(null)", "sent: no orig_to");
	is_str(sp(e->relay), "mx.example.org[192.0.2.25]:25", "sent: relay");
	ok(e->delay_s > 1.19 && e->delay_s < 1.21, "sent: delay 1.2");
	is_str(sp(e->dsn), "2.0.0", "sent: dsn");
	is_str(sp(e->status), "sent", "sent: status");
	is_int(e->reply_code, 250, "sent: code");
	is_str(sp(e->text), "250 2.0.0 Ok: queued as 9A8B7C6D5E",
	    "sent: text");

	e = one(ml, H "smtp[6001]: 4F3A2B1C0D: to=<v@example.org>, "
	    "relay=mx.example.org[192.0.2.25]:25, delay=3, "
	    "delays=0.1/0/1.4/1.5, dsn=5.7.1, status=bounced (host "
	    "mx.example.org[192.0.2.25] said: 554 5.7.1 Service unavailable; "
	    "Client host [198.51.100.2] blocked using zen.spamhaus.org (in "
	    "reply to RCPT TO command))", EV_DELIVERY, "delivery bounced");
	is_str(sp(e->status), "bounced", "bounced: status");
	is_int(e->reply_code, 554, "bounced: code after said:");
	is_str(sp(e->text), "host mx.example.org[192.0.2.25] said: 554 5.7.1 "
	    "Service unavailable; Client host [198.51.100.2] blocked using "
	    "zen.spamhaus.org (in reply to RCPT TO command)",
	    "bounced: text inside the outer parentheses");

	e = one(ml, H "smtp[6001]: 4F3A2B1C0D: to=<v@example.org>, "
	    "relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, "
	    "status=deferred (connect to mx.example.org[192.0.2.25]:25: "
	    "Connection timed out)", EV_DELIVERY, "delivery deferred");
	is_str(sp(e->status), "deferred", "deferred: status");
	is_int(e->reply_code, 0, "deferred: no code");
	is_str(sp(e->relay), "none", "deferred: relay none");

	e = one(ml, H "local[7001]: 4F3A2B1C0D: to=<dave@example.com>, "
	    "orig_to=<postmaster@example.com>, relay=local, delay=0.02, "
	    "delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (delivered to "
	    "mailbox)", EV_DELIVERY, "local delivery");
	is_str(sp(e->orig_rcpt), "postmaster@example.com", "local: orig_to");
	is_str(sp(e->relay), "local", "local: relay");
	is_str(sp(e->text), "delivered to mailbox", "local: text");

	e = one(ml, H "smtp[6001]: 4F3A2B1C0D: host mx.example.org[192.0.2.25] "
	    "said: 450 4.2.0 Greylisted (in reply to RCPT TO command)",
	    EV_INFO, "agent note");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "agent note: queue id");

	e = one(ml, H "bounce[8001]: 4F3A2B1C0D: sender non-delivery "
	    "notification: 7E6D5C4B3A", EV_BOUNCE, "bounce");
	is_str(sp(e->queue_id), "4F3A2B1C0D", "bounce: original");
	is_str(sp(e->new_queue_id), "7E6D5C4B3A", "bounce: notification");
	is_str(sp(e->text), "sender non-delivery notification", "bounce: text");
	e = one(ml, H "bounce[8001]: 4F3A2B1C0D: postmaster non-delivery "
	    "notification: 7E6D5C4B3B", EV_BOUNCE, "postmaster bounce");
	is_str(sp(e->text), "postmaster non-delivery notification",
	    "postmaster bounce: text");
	e = one(ml, H "bounce[8001]: 4F3A2B1C0D: sender delivery status "
	    "notification: 7E6D5C4B3C", EV_BOUNCE, "dsn success");
	is_str(sp(e->new_queue_id), "7E6D5C4B3C", "dsn success: new id");

	e = one(ml, H "pickup[9001]: 4F3A2B1C0D: uid=0 from=<root>", EV_PICKUP,
	    "pickup");
	is_str(sp(e->sender), "root", "pickup: sender");
	is_str(sp(e->text), "uid=0", "pickup: uid");
}

static void
t_postscreen(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "postscreen[1148]: CONNECT from [203.0.113.77]:34764 to "
	    "[192.0.2.1]:25", EV_CONNECT, "postscreen connect");
	is_str(sp(e->client_ip), "203.0.113.77", "postscreen connect: ip");
	is_int(e->client_port, 34764, "postscreen connect: port");
	is_str(sp(e->service), "postscreen", "postscreen connect: service");
	e = one(ml, H "postscreen[1148]: PASS NEW [203.0.113.77]:34764",
	    EV_INFO, "pass new");
	is_str(sp(e->client_ip), "203.0.113.77", "pass new: ip");
	e = one(ml, H "postscreen[1148]: PASS OLD [2001:db8::77]:34764",
	    EV_INFO, "pass old");
	is_str(sp(e->client_ip), "2001:db8::77", "pass old: IPv6");
	e = one(ml, H "postscreen[1148]: DNSBL rank 3 for [203.0.113.77]:34764",
	    EV_INFO, "dnsbl");
	is_str(sp(e->text), "DNSBL rank 3 for [203.0.113.77]:34764",
	    "dnsbl: text");
	e = one(ml, H "postscreen[1148]: PREGREET 11 after 0.02 from "
	    "[203.0.113.77]:34764: EHLO USER\\r\\n", EV_INFO, "pregreet");
	is_int(e->client_port, 34764, "pregreet: port");
	(void)one(ml, H "postscreen[1148]: HANGUP after 0.5 from "
	    "[203.0.113.77]:34764 in tests after SMTP handshake", EV_INFO,
	    "hangup");
	e = one(ml, H "postscreen[1148]: DISCONNECT [203.0.113.77]:34764",
	    EV_DISCONNECT, "postscreen disconnect");
	is_int(e->client_port, 34764, "postscreen disconnect: port");
}

static void
t_other(struct mtalog *ml)
{
	const struct event	*e;

	e = one(ml, H "anvil[13314]: statistics: max connection rate 1/60s for "
	    "(smtp:203.0.113.9) at Dec  1 20:30:00", EV_INFO, "anvil");
	is_str(sp(e->service), "anvil", "anvil: service");
	(void)one(ml, H "master[1]: daemon started -- version 3.7.11, "
	    "configuration /etc/postfix", EV_INFO, "master");
	(void)one(ml, H "postfix-script[2]: starting the Postfix mail system",
	    EV_INFO, "postfix-script");
	(void)one(ml, H "postsuper[3]: 4F3A2B1C0D: removed", EV_INFO,
	    "postsuper removed is not qmgr's");

	is_int(feed(ml, "Dec  1 20:31:02 mx dovecot: imap-login: Login: "
	    "user=<dave>"), PARSE_SKIP, "dovecot: skip");
	is_int(feed(ml, "Dec  1 20:31:02 mx amavis[4336]: (04336-07) Passed "
	    "CLEAN"), PARSE_SKIP, "amavis: skip");
	is_int(feed(ml, "Dec  1 20:31:02 mx opendkim[289]: 4F3A2B1C0D: no "
	    "signature data"), PARSE_SKIP, "opendkim: skip");
	is_int(feed(ml, "Dec  1 20:31:02 mx last message repeated 2 times"),
	    PARSE_SKIP, "syslogd note: skip");
	is_int(feed(ml, ""), PARSE_SKIP, "blank line: skip");
	is_int(nev, 0, "skip: no events");

	is_int(feed(ml, "# a comment"), PARSE_BAD, "comment: bad");
	is_int(feed(ml, "Dec  1 20:3"), PARSE_BAD, "truncated stamp: bad");
	is_int(feed(ml, H "smtpd[4242]: 4F3A2B1C0D: frobnicated the queue"),
	    PARSE_BAD, "unknown smtpd form: bad");
	is_int(feed(ml, H "smtpd[4242]: connect from"), PARSE_BAD,
	    "connect without client: bad");
	is_int(feed(ml, H "smtpd[4242]: connect from unknown[192.0.2.1"),
	    PARSE_BAD, "connect, client cut short: bad");
	is_int(feed(ml, H "smtp[6001]: 4F3A2B1C0D: to=<v@example.org>, "
	    "relay=mx.example.org[192.0.2.25]:25, delay=1.2, delays=0.1/0/0/1, "
	    "dsn=2.0.0, status=se"), PARSE_BAD, "delivery cut in status: bad");
	is_int(feed(ml, H "smtp[6001]: 4F3A2B1C0D: to=<v@example.org>, rel"),
	    PARSE_BAD, "delivery cut early: bad");
	is_int(feed(ml, H "qmgr[1789]: 4F3A2B1C0D: from=<s@example.net>, "
	    "size=56"), PARSE_BAD, "msginfo cut short: bad");
	is_int(feed(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from"),
	    PARSE_BAD, "reject without client: bad");
	is_int(feed(ml, H "smtpd[4242]:"), PARSE_BAD, "empty message: bad");
	is_int(nev, 0, "bad: no events");
}

static void
t_hostile(struct mtalog *ml)
{
	const struct event	*e;
	char			*big;
	size_t			 n, i;
	enum parse_result	 r;

	/* HELO with '>', spaces and a fake field. */
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <v@example.org>: Relay access denied; "
	    "from=<s@example.net> to=<v@example.org> proto=ESMTP helo=<evil> "
	    "host; to=<x@example.com> x>", EV_REJECT, "hostile helo");
	is_str(sp(e->helo), "evil> host; to=<x@example.com> x",
	    "hostile helo: up to the final '>'");
	is_str(sp(e->rcpt), "v@example.org", "hostile helo: rcpt intact");
	is_str(sp(e->sender), "s@example.net", "hostile helo: sender intact");

	/* The same HELO echoed in the reply of a HELO reject. */
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 504 5.5.2 <evil; to=<x@y>: Helo command rejected: "
	    "need fully-qualified hostname; from=<s@example.net> "
	    "to=<v@example.org> proto=ESMTP helo=<evil; to=<x@y>", EV_REJECT,
	    "helo echoed in reply");
	is_str(sp(e->helo), "evil; to=<x@y", "echo: helo");
	is_str(sp(e->sender), "s@example.net", "echo: sender");
	is_str(sp(e->rcpt), "v@example.org", "echo: rcpt");
	is_str(sp(e->text), "<evil; to=<x@y>: Helo command rejected: need "
	    "fully-qualified hostname", "echo: reply text whole");

	/* A recipient holding "; to=<", echoed by the relay check. */
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <a; to=<b@example.org>: Relay access "
	    "denied; from=<s@example.net> to=<a; to=<b@example.org> "
	    "proto=ESMTP helo=<h>", EV_REJECT, "rcpt with ; to=<");
	is_str(sp(e->rcpt), "a; to=<b@example.org", "rcpt with ; to=<: rcpt");
	is_str(sp(e->sender), "s@example.net", "rcpt with ; to=<: sender");

	/* Quotes, '%' and '>' in addresses. */
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <\"john smith\"@example.org%relay."
	    "example.net>: Relay access denied; from=<\"a>b\"@example.net> "
	    "to=<\"john smith\"@example.org%relay.example.net> proto=ESMTP "
	    "helo=<[192.0.2.1]>", EV_REJECT, "quoted addresses");
	is_str(sp(e->sender), "\"a>b\"@example.net", "quoted: sender");
	is_str(sp(e->rcpt), "\"john smith\"@example.org%relay.example.net",
	    "quoted: rcpt with %%");
	is_str(sp(e->helo), "[192.0.2.1]", "quoted: address literal helo");

	/* Lines that end mid-field keep what they have. */
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <v@example.org>: Relay access denied; "
	    "from=<s@example.net> to=<v@example.org> proto=ESMTP helo=<bad.exa",
	    EV_REJECT, "cut in helo");
	is_str(sp(e->helo), "bad.exa", "cut in helo: partial helo");
	is_str(sp(e->rcpt), "v@example.org", "cut in helo: rcpt");
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <v@example.org>: Relay access denied; "
	    "from=<s@example.net> to=<v@exam", EV_REJECT, "cut in rcpt");
	is_str(sp(e->rcpt), "v@exam", "cut in rcpt: partial rcpt");
	is_str(sp(e->proto), "(null)", "cut in rcpt: no proto");
	e = one(ml, H "smtpd[4242]: NOQUEUE: reject: RCPT from unknown"
	    "[203.0.113.9]: 554 5.7.1 <v@example.org>: Relay acc", EV_REJECT,
	    "cut in reply");
	is_str(sp(e->text), "<v@example.org>: Relay acc", "cut in reply: text");
	is_str(sp(e->sender), "(null)", "cut in reply: no sender");

	/* NUL bytes are data. */
	{
		static const char	l[] = H "smtpd[4242]: NOQUEUE: reject: "
		    "RCPT from unknown[203.0.113.9]: 554 5.7.1 <v@x>: Relay "
		    "access denied; from=<s\0q@x> to=<v@x> proto=ESMTP "
		    "helo=<\0h>";

		r = feed_n(ml, l, sizeof(l) - 1);
		ok(r == PARSE_OK && nev == 1, "NUL bytes: parsed");
		is_int(evs[0].sender.n, 5, "NUL bytes: sender of 5 bytes");
		is_int(evs[0].helo.n, 2, "NUL bytes: helo of 2 bytes");
	}

	/* 64 KB lines: finish, and nothing overruns (sanitizers watch). */
	n = 64 * 1024;
	big = malloc(n + 1);
	if (big == NULL)
		exit(99);
	(void)snprintf(big, n, "%s", H "smtpd[4242]: NOQUEUE: reject: RCPT "
	    "from unknown[203.0.113.9]: 554 5.7.1 <");
	for (i = strlen(big); i < n; i++)
		big[i] = "; to=<>, "[i % 9];
	r = feed_n(ml, big, n);
	ok(r == PARSE_OK || r == PARSE_BAD, "64 KB reject: finished (%s)",
	    mtalog_result_name(r));
	(void)snprintf(big, n, "%s", H "smtp[1]: 4F3A2B1C0D: to=<");
	for (i = strlen(big); i < n; i++)
		big[i] = ">, relay=x"[i % 10];
	r = feed_n(ml, big, n);
	ok(r == PARSE_OK || r == PARSE_BAD, "64 KB delivery: finished (%s)",
	    mtalog_result_name(r));
	memset(big, 'x', n);
	r = feed_n(ml, big, n);
	is_int(r, PARSE_BAD, "64 KB of garbage: bad");
	free(big);
}

static void
t_format(void)
{
	struct mtalog_opts		 o = { 0, "UTC", NULL };
	const struct mtalog_stats	*st;
	struct mtalog			*ml;

	ml = mtalog_new(&o);
	mtalog_begin_source(ml, 1796428800);
	ok(mtalog_format(ml) == NULL, "no lines: no format");
	(void)feed(ml, "2026-12-01T20:31:02.1+00:00 mx postfix/qmgr[1]: "
	    "4F3A2B1C0D: removed");
	(void)feed(ml, "2026-12-01T20:31:03.1+00:00 mx postfix/qmgr[1]: "
	    "4F3A2B1C0E: removed");
	(void)feed(ml, "Dec 11 20:31:02 mx postfix/qmgr[1]: 4F3A2B1C0D: "
	    "removed");
	(void)feed(ml, "Dec 11 20:31:02 mx dovecot: x");
	(void)feed(ml, "junk");
	is_str(mtalog_format(ml), "postfix-rfc3339", "format: rfc3339");
	st = mtalog_stats(ml);
	is_int(st->lines, 5, "stats: lines");
	is_int(st->ok, 3, "stats: ok");
	is_int(st->skip, 1, "stats: skip");
	is_int(st->bad, 1, "stats: bad");
	is_int(st->bad_syslog, 1, "stats: not syslog");
	is_int(st->events, 3, "stats: events");

	mtalog_begin_source(ml, 1796428800);
	is_int(mtalog_stats(ml)->lines, 0, "new source: counters reset");
	(void)feed(ml, "Dec 01 20:31:02 mx postfix/qmgr[1]: 4F3A2B1C0D: "
	    "removed");
	(void)feed(ml, "Nov 21 20:31:02 mx postfix/qmgr[1]: 4F3A2B1C0D: "
	    "removed");
	(void)feed(ml, "Nov 22 20:31:02 mx postfix/qmgr[1]: 4F3A2B1C0D: "
	    "removed");
	is_str(mtalog_format(ml), "postfix-maillog",
	    "format: maillog_file (a zero-padded day decides)");

	mtalog_begin_source(ml, 1796428800);
	(void)feed(ml, "Nov 21 20:31:02 mx postfix/qmgr[1]: 4F3A2B1C0D: "
	    "removed");
	is_str(mtalog_format(ml), "postfix-bsd", "format: ambiguous is bsd");
	mtalog_free(ml);

	o.tz = "Nowhere/Special";
	ok(mtalog_new(&o) == NULL, "bad --tz: no parser");
	mtalog_free(NULL);
}

int
main(void)
{
	struct mtalog_opts	 o = { 0, "UTC", NULL };
	struct mtalog		*ml;

	if ((ml = mtalog_new(&o)) == NULL)
		return (99);
	mtalog_begin_source(ml, 1796428800);	/* 2026-12-05 00:00 UTC */
	t_common(ml);
	t_smtpd(ml);
	t_reject(ml);
	t_cleanup(ml);
	t_queue(ml);
	t_postscreen(ml);
	t_other(ml);
	t_hostile(ml);
	mtalog_free(ml);
	t_format();
	return (done_testing());
}
