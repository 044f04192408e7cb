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
 * The Exim parser, one line form at a time, field by field.  Lines are
 * real: from samples/exim/mainlog and mail.log, and shapes from Exim's
 * own test suite, fail2ban's and CrowdSec's Exim samples.  Times are
 * local in zone UTC (--tz UTC): 2026-12-01 21:09:50 is 1796159390.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exim.h"
#include "mtalog.h"
#include "tap.h"

#define T	1796159390
#define MAXEV	16

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

/* collect - the test's sink. */
static void
collect(void *arg, const struct event *ev)
{
	(void)arg;
	if (nev < MAXEV)
		evs[nev] = *ev;
	nev++;
}

/* feed_at - line n of its source; the events land in evs[]. */
static enum parse_result
feed_at(struct mtalog *ml, uint64_t n, const char *s)
{
	struct ev_ref	ref;

	memset(&ref, 0, sizeof(ref));
	ref.line = n;
	ref.raw.p = s;
	ref.raw.n = strlen(s);
	nev = 0;
	memset(evs, 0, sizeof(evs));
	return (mtalog_line(ml, &ref, collect, NULL));
}

/* feed - one line, as line 1. */
static enum parse_result
feed(struct mtalog *ml, const char *s)
{
	return (feed_at(ml, 1, s));
}

/* find - the first event of type t, or NULL. */
static const struct event *
find(enum ev_type t)
{
	int	i;

	for (i = 0; i < nev && i < MAXEV; i++)
		if (evs[i].type == t)
			return (&evs[i]);
	return (NULL);
}

static const struct event	none;

/* get - the event of type t, a blank one (and a failure) if missing. */
static const struct event *
get(enum ev_type t, const char *what)
{
	const struct event	*e = find(t);

	if (!ok(e != NULL, "%s: %s event", what, ev_type_name(t)))
		return (&none);
	return (e);
}

static void
t_ids(void)
{
	ok(exim_is_msgid(span_from_cstr("1xYV6k-0004w3-0u")), "old id");
	ok(exim_is_msgid(span_from_cstr("10HmaX-000000005vi-0000")),
	    "4.97 id");
	ok(!exim_is_msgid(span_from_cstr("1xYV6k-0004w3-0")), "short id");
	ok(!exim_is_msgid(span_from_cstr("1xYV6k_0004w3-0u")), "bad id");
	ok(exim_detect(span_from_cstr("2026-12-01 21:09:47 1xYV6h-0004uz-38 "
	    "Completed")), "detect an id line");
	ok(exim_detect(span_from_cstr("2026-12-01 21:09:47 SMTP connection "
	    "from [127.0.0.1]:58235 (TCP/IP connection count = 1)")),
	    "detect a connection line");
	ok(!exim_detect(span_from_cstr("2026-12-01 21:09:47 10.0.0.1 GET / "
	    "200")), "not a W3C line");
}

static void
t_arrival(struct mtalog *ml)
{
	const struct event	*e;

	is_int(feed(ml, "2026-12-01 21:09:50 1xYV6k-0004w3-0u <= "
	    "alice@corp.example H=(alice-laptop) [127.0.0.30]:39333 P=esmtpa "
	    "A=plain_server:alice S=552 id=92a9bb275c.p1-05@corp.example "
	    "T=\"Photos from the weekend\" for friend@freemail.example"),
	    PARSE_OK, "arrival: ok");
	e = get(EV_CLIENT, "arrival");
	is_str(sp(e->queue_id), "1xYV6k-0004w3-0u", "client: queue id");
	is_str(sp(e->client_ip), "127.0.0.30", "client: ip");
	is_int(e->client_port, 39333, "client: port");
	is_str(sp(e->helo), "alice-laptop", "client: helo");
	is_str(sp(e->proto), "esmtpa", "client: proto");
	is_str(sp(e->sasl_method), "plain_server", "client: authenticator");
	is_str(sp(e->sasl_user), "alice", "client: user");
	is_str(sp(e->service), "smtpd", "client: service");
	is_str(sp(e->program), "exim", "client: program");
	is_int(e->pid, -1, "client: no pid");
	is_int(e->time, T, "client: time");
	e = get(EV_MSGINFO, "arrival");
	is_str(sp(e->sender), "alice@corp.example", "msginfo: sender");
	is_int(e->size, 552, "msginfo: size");
	is_int(e->nrcpt, 1, "msginfo: nrcpt");
	e = get(EV_MSGID, "arrival");
	is_str(sp(e->message_id), "92a9bb275c.p1-05@corp.example", "msgid");
	e = get(EV_RCPT, "arrival");
	is_str(sp(e->rcpt), "friend@freemail.example", "rcpt: address");
	is_int(e->reply_code, 250, "rcpt: 250");
	is_str(sp(e->queue_id), "1xYV6k-0004w3-0u", "rcpt: queue id");

	feed(ml, "2026-12-01 21:09:49 1xYV6j-0004vp-0q <= "
	    "buyer@customer.example H=(smtp.customer.example) "
	    "[127.0.0.22]:35837 P=esmtps X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_"
	    "SHA256__AES_256_GCM:256 CV=no S=590 id=be484aceeb.p1-03@customer"
	    ".example T=\"Order 4711\" for alice@corp.example");
	e = get(EV_TLS, "tls arrival");
	is_str(sp(e->client_ip), "127.0.0.22", "tls: ip");
	ok(span_startswith(e->text, "TLS1.3:"), "tls: cipher text");

	feed(ml, "2026-12-01 21:09:51 1xYV6l-0004wB-1e <= root@corp.example "
	    "U=root P=local S=505 id=62671225b6.p1-07@corp.example "
	    "T=\"Cron <root@mx> backup report\" for bob@corp.example");
	e = get(EV_PICKUP, "local submission");
	is_str(sp(e->sender), "root@corp.example", "pickup: sender");
	is_str(sp(e->text), "root", "pickup: user");
	ok(find(EV_CLIENT) == NULL, "pickup: no client");
	is_str(sp(get(EV_RCPT, "pickup")->rcpt), "bob@corp.example",
	    "pickup: rcpt");

	feed(ml, "2026-12-01 21:09:52 1xYV6m-0004xI-0U <= <> "
	    "R=1xYV6m-0004xE-0P U=Debian-exim P=local S=3684 T=\"Mail delivery "
	    "failed: returning message to sender\" for promo@cheap-meds.example");
	e = get(EV_BOUNCE, "bounce");
	is_str(sp(e->queue_id), "1xYV6m-0004xE-0P", "bounce: parent");
	is_str(sp(e->new_queue_id), "1xYV6m-0004xI-0U", "bounce: new id");
	e = get(EV_MSGINFO, "bounce");
	ok(e->sender.n == 0, "bounce: null sender");

	feed(ml, "2026-12-01 21:10:02 1xYV6w-000541-1U <= "
	    "relay-check@trick-tester.example H=(mx.corp.example) "
	    "[127.0.0.77]:56797 P=esmtp S=536 id=f9cf615674.p1-25@trick-tester"
	    ".example T=\"relay \\\"test\\\" for x\" for route@foreign.example "
	    "IMCEASMTP-imcea+40foreign.example@corp.example");
	is_int(get(EV_MSGINFO, "two rcpts")->nrcpt, 2, "for list: 2 rcpts");
	is_str(sp(evs[nev - 1].rcpt),
	    "IMCEASMTP-imcea+40foreign.example@corp.example",
	    "for list: second rcpt, after a quoted subject with \" for \"");

	/* Exim's test suite: a name, a HELO and 4.97 ids */
	feed(ml, "1999-03-02 09:44:33 10HmaY-000000005vi-0000 <= "
	    "CALLER@myhost.test.ex H=localhost (myhost.test.ex) [127.0.0.1] "
	    "P=esmtp L S=sss id=E10HmaX-000000005vi-0000@myhost.test.ex");
	e = get(EV_CLIENT, "test suite arrival");
	is_str(sp(e->client_name), "localhost", "name");
	is_str(sp(e->helo), "myhost.test.ex", "helo");
	is_str(sp(e->queue_id), "10HmaY-000000005vi-0000", "long id");
	is_int(e->client_port, 0, "no port");
	is_int(get(EV_MSGINFO, "size sss")->size, -1, "unknown size");
}

static void
t_delivery(struct mtalog *ml)
{
	const struct event	*e;

	feed(ml, "2026-12-01 21:09:49 1xYV6j-0004vx-2A -> sales@partner."
	    "example R=hubbed_hosts T=remote_smtp H=127.0.0.3 [127.0.0.3] "
	    "C=\"250 2.0.0 Ok: queued as S00001\"");
	e = get(EV_DELIVERY, "->");
	is_str(sp(e->rcpt), "sales@partner.example", "->: rcpt");
	is_str(sp(e->status), "sent", "->: sent");
	is_str(sp(e->relay), "127.0.0.3 [127.0.0.3]", "->: relay");
	is_int(e->reply_code, 250, "->: code");
	is_str(sp(e->dsn), "2.0.0", "->: dsn");
	is_str(sp(e->text), "250 2.0.0 Ok: queued as S00001", "->: C=");

	feed(ml, "2026-12-01 21:09:47 1xYV6h-0004uz-38 => carol "
	    "<carol@corp.example> R=local_user T=mail_spool");
	e = get(EV_DELIVERY, "=> local");
	is_str(sp(e->rcpt), "carol", "=>: local part");
	is_str(sp(e->orig_rcpt), "carol@corp.example", "=>: orig");
	is_str(sp(e->relay), "mail_spool", "=>: transport as relay");

	feed(ml, "2026-12-01 21:09:52 1xYV6m-0004xE-0P ** x@blocked.example "
	    "R=smarthost T=remote_smtp_smarthost H=127.0.0.2 [127.0.0.2]: SMTP "
	    "error from remote mail server after RCPT TO:<x@blocked.example>: "
	    "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked "
	    "using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1");
	e = get(EV_DELIVERY, "**");
	is_str(sp(e->status), "bounced", "**: bounced");
	is_str(sp(e->relay), "127.0.0.2 [127.0.0.2]", "**: relay");
	is_int(e->reply_code, 554, "**: code");
	is_str(sp(e->dsn), "5.7.1", "**: dsn");
	ok(span_startswith(e->text, "SMTP error from remote mail server"),
	    "**: reason");

	feed(ml, "2026-12-01 21:09:52 1xYV6m-0004xE-0P == z@slow.example "
	    "R=smarthost T=remote_smtp_smarthost defer (-44) H=127.0.0.2 "
	    "[127.0.0.2]: SMTP error from remote mail server after RCPT "
	    "TO:<z@slow.example>: 451 4.7.1 Greylisted, please try again later");
	e = get(EV_DELIVERY, "==");
	is_str(sp(e->status), "deferred", "==: deferred");
	is_int(e->reply_code, 451, "==: code");
	is_str(sp(e->relay), "127.0.0.2 [127.0.0.2]", "==: relay");

	feed(ml, "2026-12-01 21:10:01 1xYV6v-000539-0n ** |/bin/false "
	    "<bouncer@corp.example> R=system_aliases T=address_pipe: Child "
	    "process of address_pipe transport returned 1 from command: "
	    "/bin/false");
	e = get(EV_DELIVERY, "** pipe");
	is_str(sp(e->rcpt), "|/bin/false", "pipe: rcpt");
	is_str(sp(e->orig_rcpt), "bouncer@corp.example", "pipe: orig");
	is_str(sp(e->relay), "address_pipe", "pipe: transport");
	ok(span_startswith(e->text, "Child process"), "pipe: reason");

	feed(ml, "2026-12-01 21:10:02 1xYV6w-000541-1U ** imceasmtp-imcea+40"
	    "foreign.example@corp.example <IMCEASMTP-imcea+40foreign.example@"
	    "corp.example>: Unrouteable address");
	e = get(EV_DELIVERY, "** unrouteable");
	is_str(sp(e->orig_rcpt), "IMCEASMTP-imcea+40foreign.example@corp."
	    "example", "unrouteable: orig");
	is_str(sp(e->text), "Unrouteable address", "unrouteable: reason");

	feed(ml, "1999-03-02 09:44:33 10HmaX-000000005vi-0000 *> "
	    "x@ten-1.test.ex R=r1 T=t1 H=ten-1.test.ex [V4NET.0.0.1] "
	    "C=\"delivery bypassed by -N option\"");
	is_str(sp(get(EV_DELIVERY, "*>")->status), "suppressed",
	    "*>: suppressed");

	feed(ml, "2026-12-01 21:09:47 1xYV6h-0004uz-38 Completed");
	is_str(sp(get(EV_REMOVED, "Completed")->queue_id),
	    "1xYV6h-0004uz-38", "Completed: queue id");
	feed(ml, "2026-12-01 21:10:25 1xYV7J-0005Kj-0L Frozen (delivery "
	    "error message)");
	get(EV_WARNING, "Frozen");
}

static void
t_session(struct mtalog *ml)
{
	const struct event	*e;

	feed(ml, "2026-12-01 21:09:47 SMTP connection from [127.0.0.1]:58235 "
	    "(TCP/IP connection count = 1)");
	e = get(EV_CONNECT, "connect");
	is_str(sp(e->client_ip), "127.0.0.1", "connect: ip");
	is_int(e->client_port, 58235, "connect: port");
	feed(ml, "2026-12-01 21:09:47 SMTP connection from (localhost) "
	    "[127.0.0.1]:58235 closed by QUIT");
	e = get(EV_DISCONNECT, "closed by QUIT");
	is_int(e->client_port, 58235, "disconnect: port");
	is_str(sp(e->text), "closed by QUIT", "disconnect: text");
	feed(ml, "2026-12-01 21:09:56 SMTP connection from [127.0.0.88]:55893 "
	    "lost D=0s");
	get(EV_DISCONNECT, "lost");
	feed(ml, "2026-12-01 21:09:55 no MAIL in SMTP connection from "
	    "[127.0.0.88]:54281 D=0s C=QUIT");
	is_int(get(EV_INFO, "no MAIL")->client_port, 54281, "no MAIL: port");
	feed(ml, "2026-12-01 21:09:52 no host name found for IP address "
	    "127.0.0.66");
	is_str(sp(get(EV_INFO, "no host name")->client_ip), "127.0.0.66",
	    "no host name: ip");
	feed(ml, "2026-12-01 21:09:46 exim 4.96 daemon started: pid=18802, "
	    "-q30m, listening for SMTP on [127.0.0.1]:{25,587}");
	get(EV_INFO, "daemon started");

	feed(ml, "2026-12-01 21:09:59 plain_server authenticator failed for "
	    "(ylmf-pc) [127.0.0.105]:54831: 535 Incorrect authentication data "
	    "(set_id=dave)");
	e = get(EV_AUTH_FAIL, "auth failure");
	is_str(sp(e->sasl_method), "plain_server", "auth: authenticator");
	is_str(sp(e->sasl_user), "dave", "auth: set_id");
	is_int(e->reply_code, 535, "auth: code");
	is_str(sp(e->client_ip), "127.0.0.105", "auth: ip");
	is_int(e->client_port, 54831, "auth: port");
	is_str(sp(e->helo), "ylmf-pc", "auth: helo");
	/* fail2ban: a verified name, no port */
	feed(ml, "2013-01-04 17:03:46 login authenticator failed for "
	    "rrcs-24-106-174-74.se.biz.rr.com ([192.168.2.33]) "
	    "[24.106.174.74]: 535 Incorrect authentication data (set_id=brian)");
	e = get(EV_AUTH_FAIL, "fail2ban auth failure");
	is_str(sp(e->client_ip), "24.106.174.74", "fail2ban: ip");
	is_str(sp(e->client_name), "rrcs-24-106-174-74.se.biz.rr.com",
	    "fail2ban: name");
	is_str(sp(e->helo), "[192.168.2.33]", "fail2ban: helo literal");
}

static void
t_reject(struct mtalog *ml)
{
	const struct event	*e;

	feed(ml, "2026-12-01 21:10:12 H=(friend) [127.0.0.66]:44581 "
	    "F=<promo@cheap-meds.example> rejected RCPT "
	    "<buyer1@mailbox-one.example>: relay not permitted");
	e = get(EV_REJECT, "relay not permitted");
	is_str(sp(e->stage), "RCPT", "reject: stage");
	is_str(sp(e->rcpt), "buyer1@mailbox-one.example", "reject: rcpt");
	is_str(sp(e->sender), "promo@cheap-meds.example", "reject: sender");
	is_str(sp(e->text), "relay not permitted", "reject: text");
	is_int(e->reply_code, 550, "reject: 550");
	is_str(sp(e->client_ip), "127.0.0.66", "reject: ip");
	is_int(e->client_port, 44581, "reject: port");
	is_str(sp(e->helo), "friend", "reject: helo");
	ok(e->queue_id.n == 0, "reject: no queue id");
	is_str(sp(e->status), "reject", "reject: status");

	feed(ml, "2026-12-01 21:10:15 H=(mx.corp.example) [127.0.0.77]:46819 "
	    "F=<relay-check@trick-tester.example> rejected RCPT "
	    "<@corp.example:route@foreign.example>: relay not permitted");
	is_str(sp(get(EV_REJECT, "source route")->rcpt),
	    "@corp.example:route@foreign.example", "source route kept");

	feed(ml, "2026-12-01 21:10:02 SMTP syntax error in \"RCPT "
	    "TO:<double@foreign.example@corp.example>\" H=(mx.corp.example) "
	    "[127.0.0.77]:56797 malformed address: @corp.example> may not "
	    "follow <double@foreign.example");
	e = get(EV_REJECT, "syntax error in RCPT");
	is_str(sp(e->stage), "RCPT", "syntax: stage");
	is_str(sp(e->rcpt), "double@foreign.example@corp.example",
	    "syntax: rcpt");
	is_int(e->reply_code, 501, "syntax: 501");
	ok(e->sender.p == NULL, "syntax: sender unknown");

	feed(ml, "2026-12-01 21:09:57 SMTP syntax error in \"XYZZY\" "
	    "H=(scanner.example) [127.0.0.88]:40697 unrecognized command");
	e = get(EV_REJECT, "unknown command");
	is_str(sp(e->stage), "UNKNOWN", "unknown command: stage");
	is_int(e->reply_code, 500, "unknown command: 500");
	is_str(sp(e->text), "unrecognized command", "unknown command: text");

	feed(ml, "2026-12-01 21:09:54 SMTP protocol error in \"RCPT "
	    "TO:<relaytest@scan-results.example>\" H=[127.0.0.88]:55371 "
	    "sender not yet given");
	e = get(EV_REJECT, "protocol error");
	is_int(e->reply_code, 503, "protocol: 503");
	ok(e->rcpt.n == 0, "protocol: no recipient (no transaction)");

	feed(ml, "2026-12-01 21:09:54 rejected EHLO from [127.0.0.88]:55371: "
	    "syntactically invalid argument(s): '; DROP TABLE sessions;--");
	e = get(EV_REJECT, "rejected EHLO");
	is_str(sp(e->stage), "HELO", "EHLO: stage");
	is_str(sp(e->helo), "'; DROP TABLE sessions;--", "EHLO: the name");
	is_int(e->reply_code, 501, "EHLO: 501");
	is_int(e->client_port, 55371, "EHLO: port");

	feed(ml, "2026-12-01 21:09:54 rejected MAIL from [127.0.0.88]:55371: "
	    "no HELO/EHLO given");
	e = get(EV_REJECT, "rejected MAIL");
	is_str(sp(e->stage), "MAIL", "MAIL: stage");
	is_int(e->reply_code, 503, "MAIL: 503");

	feed(ml, "2026-12-01 21:09:56 SMTP call from [127.0.0.88]:60045 "
	    "dropped: too many syntax or protocol errors (last command was "
	    "\"DATA\",  C=EHLO,MAIL,RCPT,RCPT,DATA)");
	is_int(nev, 2, "dropped: two events");
	e = get(EV_REJECT, "dropped");
	is_int(e->reply_code, 421, "dropped: 421");
	get(EV_DISCONNECT, "dropped");

	feed(ml, "1999-03-02 09:44:33 SMTP protocol synchronization error "
	    "(next input sent too soon: pipelining was not advertised): "
	    "rejected \"ehlo abcd\" H=[127.0.0.1] next input=\"mail fr"
	    "<suppressed>");
	e = get(EV_REJECT, "sync error");
	is_int(e->reply_code, 554, "sync: 554");
	is_str(sp(e->stage), "EHLO", "sync: stage");

	feed(ml, "1999-03-02 09:44:33 10HmaX-000000005vi-0000 U=CALLER "
	    "F=<x@y> rejected after DATA: domain missing or malformed: "
	    "failing address in \"From:\" header is: @");
	e = get(EV_REJECT, "after DATA");
	is_str(sp(e->stage), "END-OF-MESSAGE", "after DATA: stage");
	is_str(sp(e->queue_id), "10HmaX-000000005vi-0000", "after DATA: id");

	feed(ml, "1999-03-02 09:44:33 H=localhost (myhost.test.ex) "
	    "[127.0.0.1] F=<CALLER@myhost.test.ex> temporarily rejected RCPT "
	    "<B@test.ex>: 452 4.5.3 Try again");
	e = get(EV_REJECT, "temporarily");
	is_int(e->reply_code, 452, "temporarily: logged code");
	is_str(sp(e->dsn), "4.5.3", "temporarily: dsn");
	is_str(sp(e->text), "Try again", "temporarily: text");

	/* CrowdSec: an RBL refusal in quotes after TLS fields */
	feed(ml, "2022-06-29 14:34:58 H=imfo.test.biz [1.2.3.4]:35328 "
	    "X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<jack@test.biz> "
	    "rejected RCPT <sales@toto.com.au>: No Such User Here");
	e = get(EV_REJECT, "crowdsec reject");
	is_str(sp(e->client_name), "imfo.test.biz", "crowdsec: name");
	is_str(sp(e->rcpt), "sales@toto.com.au", "crowdsec: rcpt");
}

static void
t_forms(void)
{
	struct mtalog_opts	 o = { 0, "UTC", NULL };
	struct mtalog		*ml;
	const struct event	*e;

	/* syslog, with Exim's own date in the message */
	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	is_int(feed(ml, "2026-12-01T21:09:50.819022+00:00 mx exim[18802]: "
	    "2026-12-01 21:09:50 1xYV6k-0004w3-0u Completed"), PARSE_OK,
	    "syslog: ok");
	e = get(EV_REMOVED, "syslog");
	is_str(sp(e->host), "mx", "syslog: host");
	is_int(e->usec, 819022, "syslog: the header's time");
	is_int(e->pid, -1, "syslog: pid not a session key");
	is_str(mtalog_format(ml), "exim-syslog-rfc3339", "syslog: format");
	/* syslog without the date (syslog_timestamp = false) */
	is_int(feed(ml, "Jun 29 16:04:05 server exim[1234]: dovecot_plain "
	    "authenticator failed for (mail.test.com) [202.137.142.181]:47807: "
	    "535 Incorrect authentication data (set_id=dave)"), PARSE_OK,
	    "syslog without date: ok");
	is_str(sp(get(EV_AUTH_FAIL, "syslog bsd")->sasl_user), "dave",
	    "syslog without date: user");
	mtalog_free(ml);

	/* the native file: pid, zone, milliseconds */
	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	feed(ml, "2026-12-01 21:09:50 [1234] 1xYV6h-0004uz-38 Completed");
	is_int(get(EV_REMOVED, "pid")->time, T, "[pid]: time");
	is_str(mtalog_format(ml), "exim", "native: format");
	feed(ml, "2026-12-01 22:09:50 +0100 1xYV6h-0004uz-38 Completed");
	is_int(get(EV_REMOVED, "zone")->time, T, "+0100: time");
	feed(ml, "2026-12-01 21:09:50.712 1xYV6h-0004uz-38 Completed");
	is_int(get(EV_REMOVED, "ms")->usec, 712000, "milliseconds");
	/* a rejectlog header dump continues its entry */
	is_int(feed(ml, "Envelope-from: <x@y>"), PARSE_OK, "Envelope-from");
	is_int(feed(ml, "P Received: from CALLER (helo=test)"), PARSE_OK,
	    "header line");
	is_int(feed(ml, "\tby myhost.test.ex with local-smtp (Exim x.yz)"),
	    PARSE_OK, "folded header");
	is_int(feed(ml, "******** SERVER ********"), PARSE_BAD, "junk: bad");
	is_int(feed(ml, "  Date: Tue, 2 Mar 1999"), PARSE_BAD,
	    "no continuation after a bad line");
	/* hostile: truncated and overlong fields never crash */
	is_int(feed(ml, "2026-12-01 21:09:50 1xYV6h-0004uz-38 <= "),
	    PARSE_OK, "empty arrival: a note about the message");
	ok(find(EV_MSGINFO) == NULL, "empty arrival: no arrival events");
	feed(ml, "2026-12-01 21:09:50 1xYV6h-0004uz-38 <= a H=(x [1.2.3.4 "
	    "T=\"unterminated for b");
	ok(1, "unterminated quote survives");
	feed(ml, "2026-12-01 21:09:50 1xYV6h-0004uz-38 ** <");
	ok(1, "lone bracket survives");
	is_int(feed(ml, "2026-12-01 21:09:50 H=(x) [1.2.3.4]:1 F=<a> rejected "
	    "RCPT <b"), PARSE_OK, "unclosed rcpt: a note");
	mtalog_free(ml);
}

/* Lines the corpus showed that the parser did not read, in our own words. */
static void
t_more(void)
{
	struct mtalog_opts	 o = { 0, "UTC", NULL };
	struct mtalog		*ml;
	const struct event	*e;

	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	/* a template that writes Exim's date, then "HOST exim[PID]: " */
	is_int(feed(ml, "2026-12-01 21:09:50 relay2.corp.example exim[4021]: "
	    "cram_md5 authenticator failed for (pc7) [203.0.113.9]: 535 "
	    "Incorrect authentication data (set_id=erin)"), PARSE_OK,
	    "tag after the date: ok");
	e = get(EV_AUTH_FAIL, "tag after the date");
	is_str(sp(e->sasl_method), "cram_md5", "tag: the authenticator alone");
	is_str(sp(e->host), "relay2.corp.example", "tag: the host");
	is_str(sp(e->client_ip), "203.0.113.9", "tag: the client");
	is_int(e->time, T, "tag: Exim's date");
	/* refusals alone so far: the source reads as a rejectlog */
	is_str(mtalog_format(ml), "exim-rejectlog", "tag: the native format");
	/* ... a severity where the host goes, then Exim's own "[pid]" */
	is_int(feed(ml, "2026-12-01 21:09:50 notice exim4[77]: [77] SMTP "
	    "syntax error in \"FOO\" H=(pc7) [203.0.113.9]:4410 "
	    "unrecognized command"), PARSE_OK, "severity tag: ok");
	e = get(EV_REJECT, "severity tag");
	is_str(sp(e->host), "(null)", "severity tag: no host");
	is_int(e->client_port, 4410, "severity tag: the client's port");
	is_str(sp(e->stage), "UNKNOWN", "severity tag: stage");
	/* a syntax error is written to the mainlog only */
	is_str(mtalog_format(ml), "exim",
	    "a mainlog's line: the mainlog's format");
	/* a journal entry shown as "HOST IDENT[PID]: MESSAGE" */
	is_int(feed(ml, "relay2.corp.example exim[4021]: 2026-12-01 21:09:50 "
	    "cram_md5 authenticator failed for [203.0.113.10]: 535 "
	    "Incorrect authentication data"), PARSE_OK, "tag first: ok");
	e = get(EV_AUTH_FAIL, "tag first");
	is_int(e->time, T, "tag first: the date after it");
	is_str(sp(e->client_ip), "203.0.113.10", "tag first: the client");
	ok(exim_detect(span_from_cstr("relay2 exim[1]: 2026-12-01 21:09:50 "
	    "1xYV6h-0004uz-38 Completed")), "tag first: detected");
	ok(!exim_detect(span_from_cstr("relay2 eximstats[1]: 2026-12-01 "
	    "21:09:50 1xYV6h-0004uz-38 Completed")), "another program: not");

	/* host_reject_connection, IP options */
	is_int(feed(ml, "2026-12-01 21:09:50 refused connection from "
	    "[198.51.100.23]:6112 (host_reject_connection)"), PARSE_OK,
	    "refused connection: ok");
	e = get(EV_REJECT, "refused connection");
	is_str(sp(e->stage), "CONNECT", "refused connection: stage");
	is_int(e->reply_code, 554, "refused connection: 554");
	is_str(sp(e->client_ip), "198.51.100.23", "refused connection: ip");
	is_int(e->client_port, 6112, "refused connection: port");
	is_int(feed(ml, "2026-12-01 21:09:50 connection from "
	    "[198.51.100.24]:6113 refused (IP options)"), PARSE_OK,
	    "IP options: ok");
	is_str(sp(get(EV_REJECT, "IP options")->client_ip), "198.51.100.24",
	    "IP options: ip");

	/* a message refused while it came in */
	is_int(feed(ml, "2026-12-01 21:09:50 rejected from <big@bulk.example> "
	    "H=(pc7) [203.0.113.9]:4410: message too large: 3 recipients "
	    "size=90000000 max=52428800"), PARSE_OK, "too large: ok");
	e = get(EV_REJECT, "too large");
	is_str(sp(e->stage), "END-OF-MESSAGE", "too large: stage");
	is_int(e->reply_code, 552, "too large: 552");
	is_str(sp(e->sender), "big@bulk.example", "too large: sender");
	is_str(sp(e->client_ip), "203.0.113.9", "too large: client");
	is_str(sp(e->text), "message too large: 3 recipients size=90000000 "
	    "max=52428800", "too large: text");
	is_int(feed(ml, "2026-12-01 21:09:50 rejected from <> U=erin: bad"),
	    PARSE_OK, "local, null sender: ok");
	e = get(EV_REJECT, "local, null sender");
	is_str(sp(e->sender), "", "null sender");
	is_int(e->reply_code, 554, "another refusal: 554");
	ok(e->client_ip.n == 0, "local: no client");

	/* XCLIENT */
	is_int(feed(ml, "2026-12-01 21:09:50 rejected XCLIENT from (pc7) "
	    "[203.0.113.9]:4410: XCLIENT not permitted"), PARSE_OK,
	    "XCLIENT: ok");
	e = get(EV_REJECT, "XCLIENT");
	is_str(sp(e->stage), "XCLIENT", "XCLIENT: stage");
	is_str(sp(e->client_ip), "203.0.113.9", "XCLIENT: client");
	is_str(sp(e->text), "XCLIENT not permitted", "XCLIENT: text");

	/* VRFY probing: the client is the last H= (the address is its) */
	is_int(feed(ml, "2026-12-01 21:09:50 VRFY failed for "
	    "<root H=[10.9.9.9]> H=(pc7) [203.0.113.9]:4410"), PARSE_OK,
	    "VRFY: ok");
	e = get(EV_REJECT, "VRFY");
	is_str(sp(e->stage), "VRFY", "VRFY: stage");
	is_int(e->reply_code, 550, "VRFY: 550");
	is_str(sp(e->client_ip), "203.0.113.9", "VRFY: the real client");

	/* ETRN and ATRN: notes of the session */
	is_int(feed(ml, "2026-12-01 21:09:50 ETRN #corp.example received from "
	    "(pc7) [203.0.113.9]:4410"), PARSE_OK, "ETRN: ok");
	e = get(EV_INFO, "ETRN");
	is_str(sp(e->client_ip), "203.0.113.9", "ETRN: client");
	is_int(feed(ml, "2026-12-01 21:09:50 ATRN 'corp.example' received from "
	    "[203.0.113.9]"), PARSE_OK, "ATRN: ok");

	/* named queues, on-demand relay */
	is_int(feed(ml, "2026-12-01 21:09:50 Start 'slow' queue run: pid=99"),
	    PARSE_OK, "named queue run: ok");
	is_int(feed(ml, "2026-12-01 21:09:50 End 'slow' queue run: pid=99"),
	    PARSE_OK, "named queue run end: ok");
	is_int(feed(ml, "2026-12-01 21:09:50 Start ODMR queue run: pid=98 -qq "
	    "-Rr @(corp.example)"), PARSE_OK, "ODMR queue run: ok");

	/* the paniclog's notes */
	is_int(feed(ml, "2026-12-01 21:09:50 sender verify defer (making "
	    "callout connection): T=smtp Network Error"), PARSE_OK,
	    "verify defer: ok");
	is_int(feed(ml, "2026-12-01 21:09:50 expansion of tls_certificate "
	    "failed"), PARSE_OK, "expansion failure: ok");
	is_int(feed(ml, "2026-12-01 21:09:50 ignoring AUTH=erin@corp.example "
	    "from U=erin (client not authenticated)"), PARSE_OK,
	    "ignored AUTH=: ok");
	ok(find(EV_INFO) != NULL, "ignored AUTH=: a note");

	/* a local SMTP session (exim -bs): a user, not a client */
	is_int(feed(ml, "2026-12-01 21:09:50 SMTP connection from erin"),
	    PARSE_OK, "local session: ok");
	e = get(EV_INFO, "local session");
	ok(e->client_ip.n == 0, "local session: no client");
	is_int(feed(ml, "2026-12-01 21:09:50 SMTP connection from erin D=3s "
	    "closed by QUIT"), PARSE_OK, "local session end: ok");
	ok(find(EV_DISCONNECT) == NULL, "local session end: no session");
	is_int(feed(ml, "2026-12-01 21:09:50 no MAIL in SMTP connection from "
	    "erin D=1s C=QUIT"), PARSE_OK, "local, no MAIL: ok");
	is_int(feed(ml, "2026-12-01 21:09:50 SMTP connection from (x"),
	    PARSE_BAD, "neither a client nor a user: bad");

	/* the rejectlog's header dump: only Exim's flags */
	feed(ml, "2026-12-01 21:09:50 1xYV6h-0004uz-38 H=(pc7) [203.0.113.9] "
	    "F=<a@b.example> rejected after DATA: spam");
	is_int(feed(ml, "F From     : someone"), PARSE_OK,
	    "header, blanks before the colon");
	is_int(feed(ml, "* X-Old: replaced"), PARSE_OK, "replaced header");
	is_int(feed(ml, "# note: not a header"), PARSE_BAD,
	    "a comment is no header");
	is_int(feed(ml, "  Subject: hello"), PARSE_BAD,
	    "nothing continues a bad line");
	feed(ml, "2026-12-01 21:09:50 1xYV6h-0004uz-38 H=(pc7) [203.0.113.9] "
	    "F=<a@b.example> rejected after DATA: spam");
	is_int(feed(ml, "X Spam: no such flag"), PARSE_BAD, "an unknown flag");
	is_int(feed(ml, "T : no name"), PARSE_BAD, "a flag without a name");
	mtalog_free(ml);
}

/* The syslog header and Exim's date of the copy tests. */
#define SL(usec, pid)	"2026-12-01T21:09:50." usec "+00:00 mx exim[" pid \
			"]: 2026-12-01 21:09:50 "
#define RCPT66	"H=(friend) [127.0.0.66]:51491 " \
		"F=<promo@cheap-meds.example> rejected RCPT " \
		"<buyer1@mailbox-one.example>: relay not permitted"
#define AUTH105	"plain_server authenticator failed for (ylmf-pc) " \
		"[127.0.0.105]:58667: 535 Incorrect authentication data " \
		"(set_id=dave)"

/* copy - feed line n; the copy_of of its first event (-1: no event). */
static int64_t
copy(struct mtalog *ml, uint64_t n, const char *s)
{
	(void)feed_at(ml, n, s);
	return (nev > 0 ? (int64_t)evs[0].copy_of : -1);
}

/*
 * Syslog with syslog_duplication: the second copy of a line Exim writes
 * to its mainlog and its rejectlog (lines 250/251 and 158/159 of
 * samples/exim/mail-dup.log, their microseconds kept).
 */
static void
t_syslog_copy(void)
{
	struct mtalog_opts	 o = { 0, "UTC", NULL };
	struct mtalog		*ml;
	int			 i;
	char			 line[512];

	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	is_int(copy(ml, 1, SL("266613", "2016") RCPT66), 0, "first copy");
	is_int(copy(ml, 2, SL("266627", "2016") RCPT66), 1,
	    "second copy: of line 1");
	is_int(evs[0].type, EV_REJECT, "second copy: still a refusal");
	/* a client that sent it again: two more lines, a pair of their own */
	is_int(copy(ml, 3, SL("267075", "2016") RCPT66), 0,
	    "a repeat: a first copy (line 2 was a copy)");
	is_int(copy(ml, 4, SL("267111", "2016") RCPT66), 3,
	    "the repeat's copy: of line 3");
	/* another process's line between the two copies */
	is_int(copy(ml, 5, SL("498475", "1412") AUTH105), 0, "auth: first");
	is_int(copy(ml, 6, SL("498500", "1413") "SMTP connection from "
	    "[127.0.0.1]:58235 (TCP/IP connection count = 1)"), 0,
	    "another process");
	is_int(copy(ml, 7, SL("498668", "1412") AUTH105), 5,
	    "auth: second, of line 5 across another process's line");
	is_int(evs[0].type, EV_AUTH_FAIL, "auth: its event");
	/* after DATA: the rejectlog's copy is numbered, its headers follow */
	is_int(copy(ml, 8, SL("600001", "1420") "1xYV6k-0004w3-0u H=(x) "
	    "[127.0.0.77]:4410 F=<a@b.example> rejected after DATA: spam"),
	    0, "after DATA: first");
	is_int(copy(ml, 10, "2026-12-01T21:09:50.600030+00:00 mx exim[1420]: "
	    "[1\\3] 2026-12-01 21:09:50 1xYV6k-0004w3-0u H=(x) "
	    "[127.0.0.77]:4410 F=<a@b.example> rejected after DATA: spam"), 8,
	    "after DATA: \"[1\\3] \" and the line, a copy of line 8");
	is_int(feed_at(ml, 11, "2026-12-01T21:09:50.600031+00:00 mx "
	    "exim[1420]: [2\\3] Envelope-from: <a@b.example>"), PARSE_OK,
	    "part 2: part of the entry");
	is_int(nev, 0, "part 2: no event");
	is_int(feed_at(ml, 12, "2026-12-01T21:09:50.600032+00:00 mx "
	    "exim[1420]: [3/3] Envelope-to: <c@d.example>"), PARSE_OK,
	    "part 3: part of the entry");
	is_int(nev, 0, "part 3: no event");
	/* a line written to the mainlog alone is never paired */
	is_int(copy(ml, 13, SL("700001", "1430") "SMTP syntax error in "
	    "\"RCPT TO:<a@b@c>\" H=(x) [127.0.0.77]:4411 malformed address"), 0,
	    "syntax error: first");
	is_int(copy(ml, 14, SL("700002", "1430") "SMTP syntax error in "
	    "\"RCPT TO:<a@b@c>\" H=(x) [127.0.0.77]:4411 malformed address"), 0,
	    "syntax error again: a repeat (the mainlog's alone)");
	/* a line of the same process between: the refusal had no copy */
	is_int(copy(ml, 15, SL("800001", "1440") AUTH105), 0, "lone: first");
	is_int(copy(ml, 16, SL("800002", "1440") "SMTP connection from "
	    "(ylmf-pc) [127.0.0.105]:58667 closed by QUIT"), 0,
	    "lone: its process goes on");
	is_int(copy(ml, 17, SL("800003", "1440") AUTH105), 0,
	    "lone: the same line after it is a repeat");
	/* more than EV_COPY_WINDOW entries between: not a copy */
	is_int(copy(ml, 18, SL("900001", "1450") RCPT66), 0, "far: first");
	for (i = 0; i < EV_COPY_WINDOW; i++) {
		snprintf(line, sizeof(line), SL("900002", "%d") "SMTP "
		    "connection from [127.0.0.1]:%d (TCP/IP connection count "
		    "= 1)", 2000 + i, 3000 + i);
		(void)feed_at(ml, (uint64_t)(19 + i), line);
	}
	is_int(copy(ml, 19 + EV_COPY_WINDOW, SL("900003", "1450") RCPT66), 0,
	    "far: 16 entries later, a repeat");
	mtalog_free(ml);

	/*
	 * syslog_duplication = false: each line once.  A refusal alone
	 * shows it; from then on the same line twice is a client's repeat.
	 */
	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	is_int(copy(ml, 1, SL("100001", "10") "rejected EHLO from "
	    "[127.0.0.88]:55371: syntactically invalid argument(s): a b c"), 0,
	    "once: EHLO");
	is_int(copy(ml, 2, SL("100002", "10") "rejected MAIL from "
	    "[127.0.0.88]:55371: no HELO/EHLO given"), 0, "once: MAIL");
	is_int(copy(ml, 3, SL("100003", "10") "rejected MAIL from "
	    "[127.0.0.88]:55371: no HELO/EHLO given"), 0,
	    "once: MAIL again, a repeat (two lone refusals shown)");
	mtalog_free(ml);

	/* the same, before the file has shown anything: taken as a copy */
	ml = mtalog_new(&o);
	mtalog_begin_source(ml, T);
	(void)copy(ml, 1, SL("100002", "10") "rejected MAIL from "
	    "[127.0.0.88]:55371: no HELO/EHLO given");
	is_int(copy(ml, 2, SL("100003", "10") "rejected MAIL from "
	    "[127.0.0.88]:55371: no HELO/EHLO given"), 1,
	    "first lines: the limit, a repeat taken as a copy");
	/* a new source remembers nothing of the last */
	mtalog_begin_source(ml, T);
	is_int(copy(ml, 3, SL("100004", "10") "rejected MAIL from "
	    "[127.0.0.88]:55371: no HELO/EHLO given"), 0,
	    "a new source: its own lines only");
	mtalog_free(ml);
}

/* sniff - is the text of lines (NULL-ended) a rejectlog's? */
static bool
sniff(const char *const *lines)
{
	struct exim_sniff	s;

	exim_sniff_init(&s);
	for (; *lines != NULL; lines++)
		if (!exim_sniff_line(&s, span_from_cstr(*lines)))
			break;
	return (exim_sniff_rejectlog(&s));
}

/* A rejectlog by its lines: refusals, never a line only a mainlog has. */
static void
t_sniff(void)
{
	static const char *const rej[] = {
		"2026-12-01 21:09:54 rejected EHLO from [127.0.0.88]:55371: "
		"syntactically invalid argument(s): a b c",
		"2026-12-01 21:09:59 plain_server authenticator failed for "
		"(ylmf-pc) [127.0.0.105]:54831: 535 Incorrect authentication "
		"data (set_id=dave)",
		"1999-03-02 09:44:33 10HmaX-000000005vi-0000 U=CALLER F=<x@y> "
		"rejected after DATA: domain missing or malformed",
		"Envelope-from: <x@y>",
		"P Received: from CALLER (helo=test)",
		"2026-12-01 21:10:12 H=(friend) [127.0.0.66]:44581 "
		"F=<promo@cheap-meds.example> rejected RCPT "
		"<buyer1@mailbox-one.example>: relay not permitted",
		NULL
	};
	static const char *const main1[] = {
		"2026-12-01 21:09:54 rejected EHLO from [127.0.0.88]:55371: "
		"syntactically invalid argument(s): a b c",
		"2026-12-01 21:09:47 1xYV6h-0004uz-38 <= alice@corp.example "
		"H=(localhost) [127.0.0.1]:58235 P=esmtp S=505",
		NULL
	};
	static const char *const main2[] = {
		"2026-12-01 21:09:46 exim 4.96 daemon started: pid=18802, "
		"-q30m",
		NULL
	};
	static const char *const main3[] = {
		"2026-12-01 21:10:12 H=(friend) [127.0.0.66]:44581 "
		"F=<promo@cheap-meds.example> rejected RCPT <x@y>: no",
		"2026-12-01 21:10:13 SMTP syntax error in \"RCPT TO:<a@b@c>\" "
		"H=(x) [127.0.0.77]:4411 malformed address",
		NULL
	};
	static const char *const notes[] = {
		"2026-12-01 21:10:12 Warning: something to say",
		NULL
	};
	static const char *const sys[] = {
		"2026-12-01T21:10:12.1+00:00 mx exim[1]: 2026-12-01 21:10:12 "
		"H=(friend) [127.0.0.66]:44581 F=<a@b> rejected RCPT <x@y>: no",
		NULL
	};
	static const char *const hostile[] = {
		"2026-12-01 21:10:12 H=(rejected ) [127.0.0.66]:44581 "
		"F=<a@b> Warning: not a refusal",
		NULL
	};

	ok(sniff(rej), "refusals and a header dump: a rejectlog");
	ok(!sniff(main1), "an arrival: a mainlog");
	ok(!sniff(main2), "the daemon's start: a mainlog");
	ok(!sniff(main3), "a syntax error (the mainlog's alone): a mainlog");
	ok(!sniff(notes), "no refusal: not a rejectlog");
	ok(!sniff(sys), "syslog lines: not Exim's files");
	ok(!sniff(hostile), "a HELO that says rejected: not a refusal");
}

int
main(void)
{
	struct mtalog_opts	 o = { 0, "UTC", NULL };
	struct mtalog		*ml;

	if ((ml = mtalog_new(&o)) == NULL)
		return (99);
	mtalog_begin_source(ml, T);
	t_ids();
	t_arrival(ml);
	t_delivery(ml);
	t_session(ml);
	t_reject(ml);
	mtalog_free(ml);
	t_forms();
	t_more();
	t_syslog_copy();
	t_sniff();
	return (done_testing());
}
