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
 * OpenSMTPD lines through mtalog_line(): every line form with its fields,
 * the session table that puts the client on every line of a session, and
 * the bounce inferred from a local message from <>.  The RFC 3339 lines
 * are real lines of samples/opensmtpd/mail.log (Debian 12's OpenSMTPD
 * 6.8.0p2); the BSD-syslog ones have the shapes of published OpenSMTPD
 * logs (the 6.x "brief" form and the older "smtp-in:" form) with
 * made-up hosts and addresses.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mtalog.h"
#include "tap.h"

#define MAXEV		8
#define R		"2026-12-01T21:14:13.660812+00:00 mx smtpd[6689]: "
#define B		"Aug 17 01:26:02 ix smtpd[22704]: "

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

	ref.source = 2;
	ref.line = 9;
	ref.offset = 900;
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

	e = some(ml, R "3681d2f259d26c12 smtp connected address=127.0.0.21 "
	    "host=mail.example.net", 1, EV_CONNECT, "connected");
	is_str(sp(e->host), "mx", "connected: host");
	is_str(sp(e->program), "smtpd", "connected: program");
	is_str(sp(e->service), "smtpd", "connected: service");
	is_int(e->pid, 6689, "connected: pid");
	ok(e->flow == 0x3681d2f259d26c12ULL, "connected: flow is the session");
	is_str(sp(e->client_ip), "127.0.0.21", "connected: ip");
	is_str(sp(e->client_name), "mail.example.net", "connected: name");

	some(ml, R "3681d2f259d26c12 smtp message msgid=6eef0216 size=457 "
	    "nrcpt=2 proto=ESMTP", 2, EV_CLIENT, "message");
	is_str(sp(evs[0].queue_id), "6eef0216", "message: queue id");
	is_str(sp(evs[0].client_ip), "127.0.0.21", "message: the session's ip");
	is_str(sp(evs[0].client_name), "mail.example.net",
	    "message: the session's name");
	is_str(sp(evs[0].proto), "ESMTP", "message: proto");
	ok(evs[0].flow == 0x3681d2f259d26c12ULL, "message: flow");
	ok(evs[1].type == EV_MSGINFO, "message: then msginfo");
	is_int(evs[1].size, 457, "message: size");
	is_int(evs[1].nrcpt, 2, "message: nrcpt");

	some(ml, R "3681d2f259d26c12 smtp envelope evpid=6eef02162799f595 "
	    "from=<alice@corp.example> to=<bob@corp.example>", 2, EV_MSGINFO,
	    "envelope");
	is_str(sp(evs[0].queue_id), "6eef0216", "envelope: queue id");
	is_str(sp(evs[0].sender), "alice@corp.example", "envelope: sender");
	ok(evs[1].type == EV_RCPT, "envelope: then rcpt");
	is_str(sp(evs[1].rcpt), "bob@corp.example", "envelope: rcpt");
	is_int(evs[1].reply_code, 250, "envelope: accepted");
	is_str(sp(evs[1].client_ip), "127.0.0.21", "envelope: ip");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"RCPT "
	    "TO:<buyer1@mailbox-one.example>\" result=\"550 Invalid recipient:"
	    " <buyer1@mailbox-one.example>\"", 1, EV_REJECT, "failed RCPT");
	is_str(sp(e->stage), "RCPT", "failed RCPT: stage");
	is_str(sp(e->rcpt), "buyer1@mailbox-one.example", "failed RCPT: rcpt");
	is_int(e->reply_code, 550, "failed RCPT: code");
	is_str(sp(e->dsn), "(null)", "failed RCPT: no dsn");
	is_str(sp(e->text), "Invalid recipient: <buyer1@mailbox-one.example>",
	    "failed RCPT: text");
	is_str(sp(e->queue_id), "(null)", "failed RCPT: no queue id");
	is_str(sp(e->client_ip), "127.0.0.21", "failed RCPT: ip");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"RCPT "
	    "TO:<@corp.example:route@foreign.example>\" result=\"550 Invalid "
	    "recipient: <route@foreign.example>\"", 1, EV_REJECT,
	    "failed RCPT, source route");
	is_str(sp(e->rcpt), "@corp.example:route@foreign.example",
	    "source route: as the client wrote it");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"RCPT "
	    "TO:<\"quoted@foreign.example\"@corp.example>\" result=\"501 5.1.3 "
	    "Recipient address syntax error\"", 1, EV_REJECT,
	    "failed RCPT, quoted");
	is_str(sp(e->rcpt), "\"quoted@foreign.example\"@corp.example",
	    "quoted: rcpt");
	is_int(e->reply_code, 501, "quoted: code");
	is_str(sp(e->dsn), "5.1.3", "quoted: dsn");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"RCPT "
	    "TO:<a@b.example> NOTIFY=NEVER\" result=\"550 Invalid recipient: "
	    "<a@b.example>\"", 1, EV_REJECT, "failed RCPT with parameters");
	is_str(sp(e->rcpt), "a@b.example", "parameters: rcpt");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"AUTH "
	    "PLAIN AGRhdmUAZGF2ZTEyMzQ=\" result=\"503 5.5.1 Invalid command: "
	    "Command not supported\"", 1, EV_REJECT, "failed AUTH");
	is_str(sp(e->stage), "AUTH", "failed AUTH: stage");
	is_str(sp(e->text), "Invalid command: Command not supported",
	    "failed AUTH: text");
	ok(strstr(sp(e->text), "AGRh") == NULL &&
	    strstr(sp(e->helo), "AGRh") == NULL &&
	    strstr(sp(e->sasl_user), "AGRh") == NULL,
	    "failed AUTH: no event field holds the credentials");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"EHLO "
	    "<script>alert(1)</script>\" result=\"501 5.5.4 Invalid command "
	    "arguments: Invalid domain name\"", 1, EV_REJECT, "failed EHLO");
	is_str(sp(e->stage), "HELO", "failed EHLO: stage");
	is_str(sp(e->helo), "<script>alert(1)</script>", "failed EHLO: helo");

	e = some(ml, R "3681d2f259d26c12 smtp failed-command command=\"MAIL "
	    "FROM:<relaytest@scanner.example>\" result=\"503 5.5.1 Invalid "
	    "command: Command not allowed at this point.\"", 1, EV_REJECT,
	    "failed MAIL");
	is_str(sp(e->stage), "MAIL", "failed MAIL: stage");
	is_str(sp(e->sender), "relaytest@scanner.example", "failed MAIL: from");

	e = some(ml, R "3681d2f259d26c12 smtp bad-input result=\"500 5.5.1 "
	    "Invalid command: Pipelining not supported\"", 1, EV_WARNING,
	    "bad input");
	is_int(e->reply_code, 500, "bad input: code");
	is_str(sp(e->text), "Invalid command: Pipelining not supported",
	    "bad input: text");

	e = some(ml, R "3681d2f259d26c12 smtp tls ciphers=TLSv1.2:ECDHE-RSA-"
	    "AES256-GCM-SHA384:256", 1, EV_TLS, "tls");
	is_str(sp(e->text), "TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256",
	    "tls: text");

	e = some(ml, R "3681d2f259d26c12 smtp authentication user=dave "
	    "result=ok", 1, EV_AUTH, "authentication ok");
	is_str(sp(e->sasl_user), "dave", "auth ok: user");
	is_int(e->reply_code, 235, "auth ok: code");
	e = some(ml, R "3681d2f259d26c12 smtp authentication user=admin "
	    "result=permfail", 1, EV_AUTH_FAIL, "authentication permfail");
	is_str(sp(e->sasl_user), "admin", "auth fail: user");
	is_int(e->reply_code, 535, "auth fail: code");

	e = some(ml, R "3681d2f259d26c12 smtp disconnected reason=quit", 1,
	    EV_DISCONNECT, "disconnected");
	is_str(sp(e->counters), "reason=quit", "disconnected: counters");
	is_str(sp(e->client_ip), "127.0.0.21", "disconnected: ip");
	e = some(ml, R "3681d2f259d26c12 smtp message msgid=6eef0217 size=1 "
	    "nrcpt=1 proto=ESMTP", 2, EV_CLIENT, "after the disconnect");
	is_str(sp(e->client_ip), "(null)", "forgotten session: no client");

	some(ml, R "3681d2f967ce2873 smtp connected address=127.0.0.22 "
	    "host=smtp.customer.example", 1, EV_CONNECT, "TLS session");
	e = some(ml, R "3681d2f967ce2873 smtp disconnected reason=\"io-error: "
	    "error:0A080006:SSL routines::EVP lib\"", 1, EV_DISCONNECT,
	    "disconnected, TLS failed");
	is_str(sp(e->counters), "reason=\"io-error: error:0A080006:SSL "
	    "routines::EVP lib\"", "TLS failed: reason");

	e = some(ml, R "3681d31a36e06ffd smtp connected address=2001:db8::25 "
	    "host=<unknown>", 1, EV_CONNECT, "IPv6, no name");
	is_str(sp(e->client_ip), "2001:db8::25", "IPv6: ip");
	is_str(sp(e->client_name), "<unknown>", "IPv6: name as logged");
}

static void
t_local(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, R "3681d30326d60e19 smtp connected address=local "
	    "host=mx.corp.example", 1, EV_INFO, "local session");
	is_str(sp(e->client_ip), "(null)", "local session: no client");
	some(ml, R "3681d30326d60e19 smtp message msgid=7b0532c4 size=499 "
	    "nrcpt=1 proto=ESMTP", 2, EV_PICKUP, "local message");
	is_str(sp(evs[0].queue_id), "7b0532c4", "local message: queue id");
	e = some(ml, R "3681d30326d60e19 smtp disconnected reason=quit", 1,
	    EV_INFO, "local disconnect is a note");
}

static void
t_delivery(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, R "3681d2fd46971dda mta delivery evpid=cf2bb9949f4c7728 "
	    "from=<orders@backup-sender.example> to=<sales@partner.example> "
	    "rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.3 (127.0.0.3)\" "
	    "delay=0s result=\"Ok\" stat=\"250 2.0.0 Ok: queued as S00001\"",
	    1, EV_DELIVERY, "mta delivery");
	is_str(sp(e->queue_id), "cf2bb994", "mta: queue id");
	is_str(sp(e->rcpt), "sales@partner.example", "mta: rcpt");
	is_str(sp(e->orig_rcpt), "(null)", "mta: rcpt=<-> is no original");
	is_str(sp(e->relay), "127.0.0.3[127.0.0.3]", "mta: relay");
	is_str(sp(e->status), "sent", "mta: status");
	is_int(e->reply_code, 250, "mta: code");
	is_str(sp(e->dsn), "2.0.0", "mta: dsn");
	is_str(sp(e->text), "250 2.0.0 Ok: queued as S00001", "mta: text");
	is_str(sp(e->service), "mta", "mta: service");
	is_str(sp(e->client_ip), "(null)", "mta: no client");
	ok(e->delay_s == 0, "mta: delay");

	e = some(ml, R "3681d3015406da0b mta delivery evpid=de13a2ac14e3c954 "
	    "from=<promo@cheap-meds.example> to=<z@slow.example> rcpt=<-> "
	    "source=\"127.0.0.1\" relay=\"127.0.0.2 (127.0.0.2)\" delay=1h2m3s"
	    " result=\"TempFail\" stat=\"451 4.7.1 Greylisted, please try "
	    "again later\"", 1, EV_DELIVERY, "mta tempfail");
	is_str(sp(e->status), "deferred", "tempfail: deferred");
	is_int(e->reply_code, 451, "tempfail: code");
	ok(e->delay_s == 3723, "tempfail: delay 1h2m3s");

	e = some(ml, R "3681d3015406da0b mta delivery evpid=de13a2ac0b5a84f3 "
	    "from=<promo@cheap-meds.example> to=<x@blocked.example> rcpt=<-> "
	    "source=\"127.0.0.1\" relay=\"127.0.0.2 (127.0.0.2)\" delay=0s "
	    "result=\"PermFail\" stat=\"554 5.7.1 Service unavailable; Client "
	    "host [127.0.0.1] blocked using zen.spamhaus.org; https://www."
	    "spamhaus.org/query/ip/127.0.0.1\"", 1, EV_DELIVERY,
	    "mta permfail");
	is_str(sp(e->status), "bounced", "permfail: bounced");
	is_int(e->reply_code, 554, "permfail: code");

	e = some(ml, R "3681d2ef39dbb874 mda delivery evpid=6eef021665cb0f26 "
	    "from=<alice@corp.example> to=<carol@corp.example> rcpt=<carol@"
	    "corp.example> user=carol delay=0s result=Ok stat=Delivered", 1,
	    EV_DELIVERY, "mda delivery");
	is_str(sp(e->relay), "local", "mda: relay");
	is_str(sp(e->status), "sent", "mda: sent");
	is_str(sp(e->orig_rcpt), "(null)", "mda: same rcpt, no original");
	is_str(sp(e->service), "mda", "mda: service");

	e = some(ml, B "5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f "
	    "from=<g@example.org> to=<gilles@example.org> rcpt=<postmaster@"
	    "example.org> user=gilles delay=0s result=Ok stat=Delivered", 1,
	    EV_DELIVERY, "mda delivery of an alias");
	is_str(sp(e->orig_rcpt), "postmaster@example.org", "alias: original");

	e = some(ml, R "3681d324c344cde9 mda delivery evpid=a2cd5c98d8da86dd "
	    "from=<victim1@forged-one.example> to=<bouncer@corp.example> rcpt="
	    "<bouncer@corp.example> user=opensmtpd delay=0s result=PermFail "
	    "stat=Error (exited abnormally)", 1, EV_DELIVERY, "mda permfail");
	is_str(sp(e->status), "bounced", "mda permfail: bounced");
	is_int(e->reply_code, 0, "mda permfail: no code");

	/* The bounce: a local message from <> to the failed sender. */
	some(ml, R "3681d3101827dd8e smtp connected address=local "
	    "host=mx.corp.example", 1, EV_INFO, "bounce session");
	some(ml, R "3681d3101827dd8e smtp message msgid=bc8ac86c size=2506 "
	    "nrcpt=1 proto=ESMTP", 2, EV_PICKUP, "bounce message");
	some(ml, R "3681d3101827dd8e smtp envelope evpid=bc8ac86c6810673d "
	    "from=<> to=<victim1@forged-one.example>", 3, EV_MSGINFO,
	    "bounce envelope");
	ok(evs[2].type == EV_BOUNCE, "bounce envelope: bounce linked");
	is_str(sp(evs[2].queue_id), "a2cd5c98", "bounce: the bounced message");
	is_str(sp(evs[2].new_queue_id), "bc8ac86c", "bounce: the notification");
	is_str(sp(evs[2].text), "bounce (inferred)", "bounce: text");
	some(ml, R "3681d3111827dd8e smtp connected address=local "
	    "host=mx.corp.example", 1, EV_INFO, "second bounce session");
	some(ml, R "3681d3111827dd8e smtp envelope evpid=cc8ac86c6810673d "
	    "from=<> to=<victim1@forged-one.example>", 2, EV_MSGINFO,
	    "the failure is used once");

	some(ml, R "3681d2fd46971dda mta connecting address=smtp://127.0.0.3:"
	    "2525 host=127.0.0.3", 1, EV_INFO, "mta connecting");
	e = some(ml, R "3681d2fd46971dda mta disconnected reason=quit "
	    "messages=1", 1, EV_INFO, "mta disconnected is a note");
	is_str(sp(e->service), "mta", "mta note: service");
}

static void
t_daemon(struct mtalog *ml)
{
	some(ml, R "info: OpenSMTPD 6.8.0p2 starting", 1, EV_INFO, "starting");
	some(ml, R "Exiting", 1, EV_INFO, "exiting");
	some(ml, R "warn: queue: no return path!", 1, EV_WARNING,
	    "no return path");
	some(ml, R "warn: smtpd: parent_forward_open: /nonexistent: No such "
	    "file or directory", 1, EV_WARNING, "forward file");
	some(ml, R "commands executed from aliases run with opensmtpd "
	    "privileges", 1, EV_INFO, "aliases note");
}

static void
t_old(struct mtalog *ml)
{
	const struct event	*e;

	e = some(ml, B "smtp-in: New session 08d856b172f69c5d from host "
	    "mx.example.org [192.0.2.9]", 1, EV_CONNECT, "old new session");
	is_str(sp(e->client_ip), "192.0.2.9", "old session: ip");
	ok(e->flow == 0x08d856b172f69c5dULL, "old session: flow");
	some(ml, B "smtp-in: Accepted message 4296f490 on session "
	    "08d856b172f69c5d: from=<root@example.org>, to=<ddp@example.org>, "
	    "size=1746, ndest=1, proto=ESMTP", 4, EV_CLIENT, "old accepted");
	is_str(sp(evs[0].queue_id), "4296f490", "old accepted: queue id");
	is_str(sp(evs[0].client_ip), "192.0.2.9", "old accepted: ip");
	is_str(sp(evs[2].sender), "root@example.org", "old accepted: sender");
	is_str(sp(evs[3].rcpt), "ddp@example.org", "old accepted: rcpt");
	e = some(ml, "Aug 14 10:15:25 j smtpd[28882]: smtp-in: Failed command "
	    "on session 08d856b172f69c5d: \"MAIL FROM:<root@example.org>  \" "
	    "=> 421 4.3.0: Temporary Error", 1, EV_REJECT, "old failed");
	is_str(sp(e->stage), "MAIL", "old failed: stage");
	is_int(e->reply_code, 421, "old failed: code");
	is_str(sp(e->dsn), "4.3.0", "old failed: dsn");
	is_str(sp(e->text), "Temporary Error", "old failed: text");
	e = some(ml, "Mar  4 00:13:55 ix smtpd[22421]: smtp-in: Started TLS "
	    "on session 08d856b172f69c5d: version=TLSv1.2, cipher=EDH-RSA-DES-"
	    "CBC3-SHA, bits=112", 1, EV_TLS, "old started TLS");
	is_str(sp(e->text), "version=TLSv1.2, cipher=EDH-RSA-DES-CBC3-SHA, "
	    "bits=112", "old TLS: text");
	some(ml, B "smtp-in: Closing session 08d856b172f69c5d", 1,
	    EV_DISCONNECT, "old closing");
	some(ml, "Mar  4 00:11:00 ix smtpd[22421]: smtp-in: Received "
	    "disconnect from session 427e7493ebe154ae", 1, EV_DISCONNECT,
	    "old received disconnect");
	some(ml, B "smtp-in: New session 08d856b172f69c5c from host "
	    "ix.example.com [local]", 1, EV_INFO, "old local session");
}

static void
t_other(struct mtalog *ml)
{
	ok(feed(ml, R "3681d2f259d26c12 smtp message msgid=zz size=1") ==
	    PARSE_BAD, "broken message line");
	ok(feed(ml, R "3681d2f259d26c12 mta delivery evpid=1 result=Ok") ==
	    PARSE_BAD, "broken delivery line");
	ok(feed(ml, R "3681d2f259d26c12 frobnicate") == PARSE_BAD,
	    "unknown session line");
	ok(feed(ml, "Dec  1 20:31:02 mx smtpd[5]: connect from x[1.2.3.4]") ==
	    PARSE_SKIP, "another program called smtpd");
	ok(feed(ml, R "3681d2f259d26c12 smtp envelope evpid=6eef02162799f595 "
	    "from=<a> to=<b> to=<c>") == PARSE_OK && nev == 2,
	    "hostile envelope parses");
	is_str(sp(evs[0].sender), "a> to=<b", "hostile envelope: sender");
}

int
main(void)
{
	struct mtalog_opts	 o = { 2026, "UTC", NULL };
	struct mtalog		*ml;
	int			 i;
	char			 line[256];

	if ((ml = mtalog_new(&o)) == NULL)
		return (99);
	mtalog_begin_source(ml, 1796515200);
	t_session(ml);
	t_local(ml);
	t_delivery(ml);
	t_daemon(ml);
	t_old(ml);
	t_other(ml);
	/* More open sessions than the table holds: the oldest go first. */
	for (i = 0; i < 1100; i++) {
		snprintf(line, sizeof(line), R "%016x smtp connected "
		    "address=192.0.2.%d host=h", 0x100000 + i, i % 250);
		(void)feed(ml, line);
	}
	snprintf(line, sizeof(line), R "%016x smtp disconnected reason=quit",
	    0x100000 + 1099);
	some(ml, line, 1, EV_DISCONNECT, "newest session remembered");
	is_str(sp(evs[0].client_ip), "192.0.2.99", "newest session: its ip");
	snprintf(line, sizeof(line), R "%016x smtp disconnected reason=quit",
	    0x100000);
	some(ml, line, 1, EV_DISCONNECT, "oldest session forgotten");
	is_str(sp(evs[0].client_ip), "(null)", "oldest session: no ip");
	is_str(mtalog_format(ml), "opensmtpd-rfc3339", "format named");
	mtalog_free(ml);
	return (done_testing());
}
