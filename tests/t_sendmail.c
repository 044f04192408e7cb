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
 * Sendmail lines through mtalog_line(): every line form with its fields.
 * The RFC 3339 lines are real lines of samples/sendmail/mail.log (Debian
 * 12's sendmail 8.17.1.9); the BSD-syslog ones have the shapes of
 * published Sendmail logs (older versions, other ports) with made-up
 * hosts and addresses.  Then lines of other programs, malformed and
 * hostile ones.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mtalog.h"
#include "tap.h"

#define MAXEV		8
#define R		"2026-12-01T21:07:45.138364+00:00 mx "
#define B		"Feb 23 21:36:14 mail sm-mta[22248]: "

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
feed(struct mtalog *ml, const char *s)
{
	struct ev_ref	ref;

	ref.source = 1;
	ref.line = 7;
	ref.offset = 700;
	ref.raw.p = s;
	ref.raw.n = strlen(s);
	nev = 0;
	memset(evs, 0, sizeof(evs));
	return (mtalog_line(ml, &ref, collect, NULL));
}

/* some - feed s and check it gives n events, the first of type t. */
static const struct event *
some(struct mtalog *ml, const char *s, int n, enum ev_type t,
    const char *what)
{
	enum parse_result	r;

	r = feed(ml, s);
	ok(r == PARSE_OK && nev == n && evs[0].type == t,
	    "%s: %d event%s, first %s", what, n, n == 1 ? "" : "s",
	    ev_type_name(t));
	if (r != PARSE_OK || nev != n || evs[0].type != t)
		diag("result %s, %d events, first %s", mtalog_result_name(r),
		    nev, ev_type_name(evs[0].type));
	return (&evs[0]);
}

static void
t_session(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, R "sm-mta[11943]: NOQUEUE: connect from mail.example.net "
	    "[127.0.0.21]", 1, EV_CONNECT, "connect");
	is_str(sp(e->host), "mx", "connect: host");
	is_str(sp(e->program), "sm-mta", "connect: program");
	is_str(sp(e->instance), "sm-mta", "connect: instance");
	is_str(sp(e->service), "smtpd", "connect: service");
	is_int(e->pid, 11943, "connect: pid");
	is_int(e->usec, 138364, "connect: usec");
	is_str(sp(e->client_name), "mail.example.net", "connect: name");
	is_str(sp(e->client_ip), "127.0.0.21", "connect: ip");
	is_str(sp(e->queue_id), "(null)", "connect: no queue id");
	is_int(e->ref.line, 7, "connect: ref line");

	e = some(ml, R "sm-mta[12000]: NOQUEUE: connect from [127.0.0.66]", 1,
	    EV_CONNECT, "connect without name");
	is_str(sp(e->client_name), "", "connect without name: name empty");
	is_str(sp(e->client_ip), "127.0.0.66", "connect without name: ip");

	e = some(ml, R "sendmail[12069]: NOQUEUE: connect from root@localhost",
	    1, EV_INFO, "local connect");
	is_str(sp(e->client_ip), "(null)", "local connect: no client");

	e = some(ml, R "sm-mta[13455]: AUTH=server, relay=[127.0.0.101], "
	    "authid=dave, mech=PLAIN, bits=0", 1, EV_AUTH, "auth");
	is_str(sp(e->sasl_user), "dave", "auth: user");
	is_str(sp(e->sasl_method), "PLAIN", "auth: method");
	is_str(sp(e->client_ip), "127.0.0.101", "auth: ip");
	is_int(e->pid, 13455, "auth: pid (the session)");
	is_int(e->reply_code, 235, "auth: code");

	e = some(ml, R "sm-mta[16896]: 6B1L8fPE016896: AUTH failure (PLAIN): "
	    "user not found (-20) SASL(-13): user not found: Password "
	    "verification failed, user=admin, relay=[127.0.0.105]", 1,
	    EV_AUTH_FAIL, "auth failure");
	is_str(sp(e->sasl_method), "PLAIN", "auth failure: method");
	is_str(sp(e->sasl_user), "admin", "auth failure: user");
	is_str(sp(e->client_ip), "127.0.0.105", "auth failure: ip");
	is_str(sp(e->text), "user not found (-20) SASL(-13): user not found: "
	    "Password verification failed", "auth failure: text");
	is_str(sp(e->queue_id), "(null)", "auth failure: no queue id");
	is_int(e->reply_code, 535, "auth failure: code");

	e = some(ml, "Feb 25 04:02:28 relay1 sendmail[16665]: 06I02CNi016765: "
	    "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): "
	    "authentication failure: checkpass failed, user=crook, "
	    "relay=[192.0.2.100], relay=[192.0.2.4] (may be forged)", 1,
	    EV_AUTH_FAIL, "auth failure, injected relay");
	is_str(sp(e->sasl_user), "crook, relay=[192.0.2.100]",
	    "injected relay: stays in the user name");
	is_str(sp(e->client_ip), "192.0.2.4", "injected relay: the real one");

	e = some(ml, "May 29 23:14:05 mail sendmail[25411]: 26H8MRrS025411: "
	    "AUTH failure (LOGIN): authentication failure (-13) SASL(-13): "
	    "authentication failure: checkpass failed, relay=[192.0.2.9]", 1,
	    EV_AUTH_FAIL, "auth failure without user");
	is_str(sp(e->sasl_user), "(null)", "without user: no user");
	is_str(sp(e->client_ip), "192.0.2.9", "without user: ip");

	e = some(ml, R "sm-mta[11964]: STARTTLS=server, relay=smtp.customer."
	    "example [127.0.0.22], version=TLSv1.3, verify=NO, cipher="
	    "TLS_AES_256_GCM_SHA384, bits=256/256", 1, EV_TLS, "starttls");
	is_str(sp(e->client_ip), "127.0.0.22", "starttls: ip");
	is_str(sp(e->text), "version=TLSv1.3, verify=NO, cipher="
	    "TLS_AES_256_GCM_SHA384, bits=256/256", "starttls: text");

	e = some(ml, R "sm-mta[11964]: tls_srv_features=empty, stat=0, "
	    "relay=smtp.customer.example [127.0.0.22]", 1, EV_INFO,
	    "tls_srv_features");
	is_str(sp(e->client_ip), "127.0.0.22", "tls_srv_features: ip");
}

static void
t_message(struct mtalog *ml)
{
	const struct event	*e;

	some(ml, R "sm-mta[11881]: 6B1L7XND011881: from=<alice@corp.example>, "
	    "size=314, class=0, nrcpts=2, msgid=<ee0b77d70e.p1-01@corp.example>"
	    ", proto=ESMTP, daemon=MTA-v4, relay=localhost [127.0.0.1]", 3,
	    EV_CLIENT, "from");
	is_str(sp(evs[0].queue_id), "6B1L7XND011881", "from: queue id");
	is_str(sp(evs[0].client_name), "localhost", "from: client name");
	is_str(sp(evs[0].client_ip), "127.0.0.1", "from: client ip");
	is_str(sp(evs[0].proto), "ESMTP", "from: proto");
	is_int(evs[0].pid, 11881, "from: pid (the session)");
	is_str(sp(evs[0].service), "smtpd", "from: service");
	ok(evs[1].type == EV_MSGINFO, "from: second is msginfo");
	is_str(sp(evs[1].sender), "alice@corp.example", "from: sender");
	is_int(evs[1].size, 314, "from: size");
	is_int(evs[1].nrcpt, 2, "from: nrcpt");
	ok(evs[2].type == EV_MSGID, "from: third is msgid");
	is_str(sp(evs[2].message_id), "ee0b77d70e.p1-01@corp.example",
	    "from: message id");

	e = some(ml, R "sm-mta[16693]: 6B1L8FHW016693: from=<promo@cheap-meds."
	    "example>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA-v4, "
	    "relay=[127.0.0.66]", 1, EV_CLIENT, "aborted transaction");
	is_str(sp(e->client_ip), "127.0.0.66", "aborted: ip");
	is_str(sp(e->queue_id), "6B1L8FHW016693", "aborted: queue id");

	some(ml, R "sendmail[12069]: 6B1L7elp012069: from=root@corp.example, "
	    "size=329, class=0, nrcpts=1, msgid=<62671225b6.p1-07@corp."
	    "example>, relay=root@localhost", 3, EV_PICKUP, "local from");
	is_str(sp(evs[0].sender), "root@corp.example", "local from: sender");
	is_str(sp(evs[0].text), "root@localhost", "local from: text");
	is_str(sp(evs[0].client_ip), "(null)", "local from: no client");
	ok(evs[1].type == EV_MSGINFO && evs[1].nrcpt == 1,
	    "local from: msginfo");

	some(ml, "Jun 17 14:37:39 robin sm-mta[2794]: 55HIbcGI002794: "
	    "from=<>, size=108, class=0, nrcpts=1, bodytype=8BITMIME, "
	    "proto=ESMTP, daemon=MTA-v4, relay=host.example.com [192.0.2.44] "
	    "(may be forged)", 2, EV_CLIENT, "from, no msgid, may be forged");
	is_str(sp(evs[0].client_name), "host.example.com", "forged: name");
	is_str(sp(evs[0].client_ip), "192.0.2.44", "forged: ip");
	is_str(sp(evs[1].sender), "", "forged: null sender");

	some(ml, R "sm-mta[1]: 6B1L7XND011881: from=<a@b.example>, size=1, "
	    "class=0, nrcpts=1, msgid=<x, proto=ESMTP, daemon=MTA, relay=evil "
	    "[192.0.2.66]>, proto=ESMTP, daemon=MTA-v4, relay=[127.0.0.9]", 3,
	    EV_CLIENT, "hostile message id");
	is_str(sp(evs[0].client_ip), "127.0.0.9", "hostile msgid: real relay");

	some(ml, R "sm-mta[12138]: 6B1L7i14012136: to=<user@freemail.example>,"
	    "<buyer2@mailbox-one.example>,<buyer1@mailbox-one.example>, "
	    "delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=240348, "
	    "relay=[127.0.0.2] [127.0.0.2], dsn=2.0.0, stat=Sent (Ok: queued "
	    "as S00004)", 3, EV_DELIVERY, "to, three recipients");
	is_str(sp(evs[0].rcpt), "user@freemail.example", "to: first");
	is_str(sp(evs[1].rcpt), "buyer2@mailbox-one.example", "to: second");
	is_str(sp(evs[2].rcpt), "buyer1@mailbox-one.example", "to: third");
	is_str(sp(evs[0].queue_id), "6B1L7i14012136", "to: queue id");
	is_str(sp(evs[0].status), "sent", "to: status");
	is_str(sp(evs[0].relay), "[127.0.0.2] [127.0.0.2]", "to: relay");
	is_str(sp(evs[0].dsn), "2.0.0", "to: dsn");
	is_str(sp(evs[0].service), "esmtp", "to: service is the mailer");
	is_str(sp(evs[0].text), "Sent (Ok: queued as S00004)", "to: text");
	ok(evs[0].delay_s == 0, "to: delay");

	e = some(ml, R "sm-mta[12138]: 6B1L7i14012136: to=<y@blocked.example>, "
	    "delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=240348, relay="
	    "[127.0.0.2] [127.0.0.2], dsn=5.7.1, reply=554 5.7.1 Service "
	    "unavailable; Client host [127.0.0.1] blocked using zen.spamhaus."
	    "org; https://www.spamhaus.org/query/ip/127.0.0.1, stat=Service "
	    "unavailable", 1, EV_DELIVERY, "to, refused with reply");
	is_str(sp(e->status), "bounced", "refused: status");
	is_int(e->reply_code, 554, "refused: code");
	is_str(sp(e->dsn), "5.7.1", "refused: dsn");
	is_str(sp(e->text), "554 5.7.1 Service unavailable; Client host "
	    "[127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus."
	    "org/query/ip/127.0.0.1", "refused: text is the reply");

	e = some(ml, R "sm-mta[12138]: 6B1L7i14012136: to=<z@slow.example>, "
	    "delay=00:00:28, xdelay=00:00:00, mailer=esmtp, pri=240348, relay="
	    "[127.0.0.2] [127.0.0.2], dsn=4.7.1, reply=451 4.7.1 Greylisted, "
	    "please try again later, stat=Deferred: 451 4.7.1 Greylisted, "
	    "please try again later", 1, EV_DELIVERY, "to, deferred");
	is_str(sp(e->status), "deferred", "deferred: status");
	is_int(e->reply_code, 451, "deferred: code");
	ok(e->delay_s == 28, "deferred: delay 28 s");

	e = some(ml, R "sm-mta[15019]: 6B1L83gV014866: to=\"|/bin/false\", "
	    "ctladdr=<bouncer@corp.example> (8/0), delay=00:00:00, xdelay="
	    "00:00:00, mailer=prog, pri=30520, dsn=5.3.0, stat=unknown mailer "
	    "error 1", 1, EV_DELIVERY, "to, program");
	is_str(sp(e->rcpt), "\"|/bin/false\"", "program: rcpt");
	is_str(sp(e->orig_rcpt), "bouncer@corp.example",
	    "program: the alias it came from");
	is_str(sp(e->relay), "prog", "program: relay is the mailer");
	is_str(sp(e->status), "bounced", "program: bounced");

	e = some(ml, R "sm-mta[12074]: 6B1L7eM2012073: to=carol, ctladdr="
	    "<www-data@corp.example> (33/33), delay=00:00:00, xdelay=00:00:00,"
	    " mailer=local, pri=30596, dsn=2.0.0, stat=Sent", 1, EV_DELIVERY,
	    "to, local");
	is_str(sp(e->rcpt), "carol", "local: rcpt");
	is_str(sp(e->orig_rcpt), "(null)", "local: ctladdr is the sender");
	is_str(sp(e->relay), "local", "local: relay");
	is_str(sp(e->status), "sent", "local: sent");

	e = some(ml, "Sep  7 02:10:11 mail sm-mta[6361]: k875n5Bb006359: "
	    "to=<x@example.org>, delay=5+00:01:02, xdelay=00:00:01, "
	    "mailer=esmtp, pri=1234, relay=mx.example.org. [192.0.2.25], "
	    "dsn=4.0.0, stat=Deferred: Connection timed out with "
	    "mx.example.org.", 1, EV_DELIVERY, "to, days in delay");
	ok(e->delay_s == 5 * 86400 + 62, "days: delay");
	is_str(sp(e->status), "deferred", "days: deferred");
	is_int(e->reply_code, 0, "days: no code");

	some(ml, R "sm-mta[12138]: 6B1L7i14012136: 6B1L7j14012138: DSN: "
	    "Service unavailable", 2, EV_BOUNCE, "dsn");
	is_str(sp(evs[0].queue_id), "6B1L7i14012136", "dsn: original");
	is_str(sp(evs[0].new_queue_id), "6B1L7j14012138", "dsn: new");
	is_str(sp(evs[0].text), "DSN: Service unavailable", "dsn: text");
	ok(evs[1].type == EV_MSGINFO, "dsn: then msginfo");
	is_str(sp(evs[1].queue_id), "6B1L7j14012138", "dsn: of the new one");
	ok(evs[1].sender.p != NULL && evs[1].sender.n == 0,
	    "dsn: null sender");

	some(ml, R "sm-mta[16917]: 6B1L8mjG016917: 6B1L8mjH016917: return to "
	    "sender: Service unavailable", 2, EV_BOUNCE, "return to sender");

	e = some(ml, R "sm-mta[11882]: 6B1L7XND011881: done; delay=00:00:00, "
	    "ntries=1", 1, EV_REMOVED, "done");
	is_str(sp(e->queue_id), "6B1L7XND011881", "done: queue id");
}

static void
t_refusals(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, R "sm-mta[16693]: 6B1L8FHW016693: ruleset=check_rcpt, "
	    "arg1=<buyer1@mailbox-one.example>, relay=[127.0.0.66], reject="
	    "550 5.7.1 <buyer1@mailbox-one.example>... Relaying denied. IP "
	    "name lookup failed [127.0.0.66]", 1, EV_REJECT, "check_rcpt");
	is_str(sp(e->stage), "RCPT", "check_rcpt: stage");
	is_str(sp(e->queue_id), "6B1L8FHW016693", "check_rcpt: queue id");
	is_str(sp(e->rcpt), "buyer1@mailbox-one.example", "check_rcpt: rcpt");
	is_str(sp(e->client_ip), "127.0.0.66", "check_rcpt: ip");
	is_int(e->reply_code, 550, "check_rcpt: code");
	is_str(sp(e->dsn), "5.7.1", "check_rcpt: dsn");
	is_str(sp(e->text), "<buyer1@mailbox-one.example>... Relaying denied."
	    " IP name lookup failed [127.0.0.66]", "check_rcpt: text");
	is_str(sp(e->status), "reject", "check_rcpt: status");
	is_str(sp(e->service), "smtpd", "check_rcpt: service");

	e = some(ml, R "sm-mta[16808]: 6B1L8KTk016808: ruleset=check_rcpt, "
	    "arg1=<\"quoted@foreign.example\"@corp.example>, relay=static-77."
	    "hosting.example [127.0.0.77], reject=550 5.7.1 <\"quoted@foreign."
	    "example\"@corp.example>... Relaying denied. Proper "
	    "authentication required.", 1, EV_REJECT, "check_rcpt quoted");
	is_str(sp(e->rcpt), "\"quoted@foreign.example\"@corp.example",
	    "quoted: rcpt");
	is_str(sp(e->client_name), "static-77.hosting.example",
	    "quoted: name");

	e = some(ml, B "s1NLaDQT022248: ruleset=check_rcpt, arg1=<x@example."
	    "net>, relay=int0.example.org [192.0.2.119] (may be forged), "
	    "reject=550 5.7.1 <x@example.net>... Relaying denied. IP name "
	    "possibly forged [192.0.2.119]", 1, EV_REJECT, "may be forged");
	is_str(sp(e->client_ip), "192.0.2.119", "may be forged: ip");

	e = some(ml, B "55IC59VD017002: ruleset=check_rcpt, arg1=<s@example."
	    "it>, relay=[192.0.2.67], reject=450 4.4.0 <s@example.it>... "
	    "Relaying temporarily denied. Cannot resolve PTR record for "
	    "192.0.2.67", 1, EV_REJECT, "temporary relaying refusal");
	is_int(e->reply_code, 450, "temporary: code");

	e = some(ml, B "56CF8Qni004012: ruleset=check_rcpt, arg1=<u@example."
	    "com>, relay=[192.0.2.100] (may be forged), reject=451 4.1.8 "
	    "Domain of sender address t@example.org does not resolve", 1,
	    EV_REJECT, "reply without the address");
	is_int(e->reply_code, 451, "no echo: code");
	is_str(sp(e->rcpt), "u@example.com", "no echo: rcpt");

	e = some(ml, B "k79IaGJL011761: ruleset=check_mail, arg1=<d@example."
	    "com.br>, relay=mkt1.example.com.br [192.0.2.4], reject=553 5.3.0 "
	    "<d@example.com.br>... SPAM REJECT", 1, EV_REJECT, "check_mail");
	is_str(sp(e->stage), "MAIL", "check_mail: stage");
	is_str(sp(e->sender), "d@example.com.br", "check_mail: sender");
	is_str(sp(e->rcpt), "(null)", "check_mail: no rcpt");
	is_str(sp(e->queue_id), "k79IaGJL011761", "check_mail: queue id");

	e = some(ml, R "sm-mta[16855]: ruleset=check_relay, arg1=[127.0.0.89]"
	    ", arg2=127.0.0.89, relay=[127.0.0.89], reject=421 4.3.2 "
	    "Connection rate limit exceeded.", 1, EV_REJECT, "check_relay");
	is_str(sp(e->stage), "CONNECT", "check_relay: stage");
	is_int(e->reply_code, 421, "check_relay: code");
	is_str(sp(e->client_ip), "127.0.0.89", "check_relay: ip");
	is_str(sp(e->text), "Connection rate limit exceeded.",
	    "check_relay: text");

	e = some(ml, R "sm-mta[12076]: 6B1L7f3c012076: <admin@corp.example>... "
	    "User unknown", 1, EV_REJECT, "user unknown");
	is_str(sp(e->stage), "RCPT", "user unknown: stage");
	is_str(sp(e->rcpt), "admin@corp.example", "user unknown: rcpt");
	is_str(sp(e->text), "User unknown", "user unknown: text");
	is_int(e->reply_code, 0, "user unknown: code not logged");
	is_int(e->pid, 12076, "user unknown: pid (the session)");

	e = some(ml, R "sm-mta[15259]: 6B1L869j015259: <double@foreign.example"
	    "@corp.example>... Invalid route address", 1, EV_REJECT,
	    "invalid route");
	is_str(sp(e->rcpt), "double@foreign.example@corp.example",
	    "invalid route: rcpt");

	e = some(ml, R "sm-mta[16836]: 6B1L8RYq016836: rejecting commands from "
	    "[127.0.0.88] [127.0.0.88] due to pre-greeting traffic after 0 "
	    "seconds", 1, EV_REJECT, "pre-greeting");
	is_str(sp(e->stage), "CONNECT", "pre-greeting: stage");
	is_str(sp(e->client_ip), "127.0.0.88", "pre-greeting: ip");
	is_str(sp(e->queue_id), "(null)", "pre-greeting: no envelope");

	e = some(ml, "Feb 27 10:53:06 batman sm-mta[44307]: s1R9r60D044307: "
	    "rejecting commands from  [192.0.2.253] due to pre-greeting "
	    "traffic after 0 seconds", 1, EV_REJECT, "pre-greeting, no name");
	is_str(sp(e->client_ip), "192.0.2.253", "no name: ip");

	e = some(ml, R "sm-mta[13308]: 6B1L7raL013308: rejecting server EHLO "
	    "from [127.0.0.88] [127.0.0.88] due to traffic before response",
	    1, EV_REJECT, "EHLO pipelining");
	is_str(sp(e->stage), "HELO", "EHLO pipelining: stage");
	is_int(e->reply_code, 554, "EHLO pipelining: code");

	e = some(ml, R "sm-mta[16809]: 6B1L8Pc8016809: invalid domain name "
	    "(<script>alert(1)</script>) from [127.0.0.88]", 1, EV_REJECT,
	    "invalid HELO");
	is_str(sp(e->helo), "<script>alert(1)</script>", "invalid HELO: helo");
	is_str(sp(e->client_ip), "127.0.0.88", "invalid HELO: ip");

	e = some(ml, R "sm-mta[1]: 6B1L8Pc8016809: invalid domain name (x) "
	    "from [192.0.2.6]) from [127.0.0.88]", 1, EV_REJECT,
	    "hostile HELO");
	is_str(sp(e->helo), "x) from [192.0.2.6]", "hostile HELO: helo");
	is_str(sp(e->client_ip), "127.0.0.88", "hostile HELO: the last from");

	e = some(ml, B "s1NKIkZa093301: [192.0.2.70]: EXPN root [rejected]", 1,
	    EV_REJECT, "expn");
	is_str(sp(e->stage), "EXPN", "expn: stage");
	is_str(sp(e->client_ip), "192.0.2.70", "expn: ip");
	e = some(ml, B "s1MD2hsd004030: rrcs.example.com [192.0.2.194]: VRFY "
	    "root [rejected]", 1, EV_REJECT, "vrfy");
	is_str(sp(e->stage), "VRFY", "vrfy: stage");
	is_str(sp(e->client_name), "rrcs.example.com", "vrfy: name");
}

static void
t_notes(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, R "sm-mta[12076]: 6B1L7f3c012076: [127.0.0.50]: Possible "
	    "SMTP RCPT flood, throttling.", 1, EV_WARNING, "rcpt flood");
	is_str(sp(e->client_ip), "127.0.0.50", "rcpt flood: ip");
	is_str(sp(e->queue_id), "6B1L7f3c012076", "rcpt flood: queue id");

	e = some(ml, R "sm-mta[13547]: 6B1L7x1e013547: [127.0.0.105]: possible "
	    "SMTP attack: command=AUTH, count=3", 1, EV_WARNING,
	    "smtp attack");
	is_str(sp(e->client_ip), "127.0.0.105", "smtp attack: ip");
	e = some(ml, "Feb 16 23:40:36 smtp1 sm-mta[5178]: s1GNeNqe005178: cpe-"
	    "1.example.com [192.0.2.191]: possible SMTP attack: command=AUTH, "
	    "count=5", 1, EV_WARNING, "smtp attack with name");
	is_str(sp(e->client_name), "cpe-1.example.com", "with name: name");

	e = some(ml, R "sm-mta[12329]: 6B1L7pat012329: [127.0.0.88] did not "
	    "issue MAIL/EXPN/VRFY/ETRN during connection to MTA-v4", 1,
	    EV_INFO, "did not issue");
	is_str(sp(e->client_ip), "127.0.0.88", "did not issue: ip");
	e = some(ml, "Mar  7 15:04:37 h sm-mta[18624]: v27K4Vj8018624: some-"
	    "host.example.org [192.0.2.195] (may be forged) did not issue "
	    "MAIL/EXPN/VRFY/ETRN during connection to MSP-v4", 1, EV_INFO,
	    "did not issue, forged");
	is_str(sp(e->client_name), "some-host.example.org", "forged: name");
	e = some(ml, "Mar 29 22:51:46 server sm-mta[50438]: 06QDQnNf050438: "
	    "example.com [IPv6:2001:DB8::1] did not issue MAIL/EXPN/VRFY/ETRN "
	    "during connection to IPv6", 1, EV_INFO, "did not issue, IPv6");
	is_str(sp(e->client_ip), "2001:DB8::1", "IPv6: address");

	e = some(ml, "Jul 31 13:03:43 alarmpi sm-mta[24291]: 56VFYCxS024291: "
	    "lost input channel from mail.example.org [192.0.2.196] to "
	    "MTA-v4 after rcpt", 1, EV_INFO, "lost input channel");
	is_str(sp(e->client_ip), "192.0.2.196", "lost input: ip");
	is_str(sp(e->stage), "rcpt", "lost input: stage");

	e = some(ml, "Jul 31 13:03:43 h sm-mta[1]: 56VFYCxS024291: timeout "
	    "waiting for input from [192.0.2.9] during server cmd read", 1,
	    EV_INFO, "timeout");
	is_str(sp(e->client_ip), "192.0.2.9", "timeout: ip");

	some(ml, R "sm-mta[11805]: starting daemon (8.17.1.9): SMTP+queueing@"
	    "00:10:00", 1, EV_INFO, "starting daemon");
	some(ml, R "sm-mta[11805]: restarting /usr/sbin/sendmail-mta due to "
	    "signal", 1, EV_INFO, "restarting");
	some(ml, "Sep  7 05:40:15 mail sm-mta[643]: rejecting connections on "
	    "daemon MTA: load average: 12", 1, EV_WARNING, "load average");
	e = some(ml, "Sep  7 02:43:30 mail sm-mta[63495]: k876hJS0063495: "
	    "Milter: data, reject=550 5.7.1 Blocked by SpamAssassin", 1,
	    EV_REJECT, "milter reject");
	is_str(sp(e->stage), "DATA", "milter: stage");
	is_str(sp(e->status), "milter-reject", "milter: status");
	is_int(e->reply_code, 550, "milter: code");
	is_str(sp(e->text), "Blocked by SpamAssassin", "milter: text");
	e = some(ml, "Sep  7 02:43:30 mail sm-mta[63495]: k876hJS0063495: "
	    "Milter: to=<v@example.org>, reject=550 5.1.1 no", 1, EV_REJECT,
	    "milter reject rcpt");
	is_str(sp(e->rcpt), "v@example.org", "milter rcpt: rcpt");
	some(ml, "Sep  7 02:43:30 mail sm-mta[63495]: k876hJS0063495: "
	    "Milter add: header: X-Spam-Status: No", 1, EV_INFO, "milter add");
	some(ml, "Sep 24 01:32:57 gatekeeper sendmail[19921]: h8O5WptI019921: "
	    "Losing ./qfh8O5WptI0 19921: savemail panic", 1, EV_WARNING,
	    "savemail panic");
}

static void
t_other(struct mtalog *ml)
{
	ok(feed(ml, R "mail.local: lockmailbox bob failed; error code 75") ==
	    PARSE_SKIP, "mail.local: another program");
	ok(feed(ml, R "sm-notify[3]: Version 2.6.2 starting") == PARSE_SKIP,
	    "sm-notify is not sendmail");
	ok(feed(ml, R "sm-mta[1]: 6B1L7XND011881: from=<a@b>, size=x") ==
	    PARSE_BAD, "broken from= line");
	ok(feed(ml, R "sm-mta[1]: 6B1L7XND011881: to=<a@b>, stat=Sent") ==
	    PARSE_BAD, "to= without delay");
	ok(feed(ml, R "sm-mta[1]: NOQUEUE: connect from x [1.2.3") ==
	    PARSE_BAD, "broken connect");
	ok(feed(ml, R "sm-mta[1]: something nobody logs") == PARSE_BAD,
	    "unknown message");
	ok(feed(ml, R "sm-mta[1]: ") == PARSE_BAD, "empty message");
	ok(feed(ml, R "sm-mta[1]: 6B1L7XND011881: ruleset=check_rcpt, arg1=<a"
	    ">, relay=[1.2.3.4], reject=550 5.7.1 <a>... Relaying denied") ==
	    PARSE_OK, "short relay refusal");
	ok(feed(ml, R "sm-mta[1]: 6B1L7XND011881: to=<a\"b,<c>\"@d>,<e@f>, "
	    "delay=00:00:00, mailer=esmtp, relay=[1.2.3.4] [1.2.3.4], stat=Sent")
	    == PARSE_OK && nev == 2, "quoted comma in a recipient list");
	is_str(sp(evs[0].rcpt), "a\"b,<c>\"@d", "quoted comma: first");
}

int
main(void)
{
	struct mtalog_opts	 o = { 2026, "UTC", NULL };
	struct mtalog		*ml;

	if ((ml = mtalog_new(&o)) == NULL)
		return (99);
	mtalog_begin_source(ml, 1796515200);
	t_session(ml);
	t_message(ml);
	t_refusals(ml);
	t_notes(ml);
	t_other(ml);
	is_str(mtalog_format(ml), "sendmail-rfc3339", "format named");
	mtalog_free(ml);
	return (done_testing());
}
