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
 * The IIS SMTP service parser (W3C extended and NCSA lines) and the
 * Exchange 2000/2003 tracking log parser, through mtalog, field by field.
 * W3C and NCSA rows follow the Exchange 2000 excerpt in OSSEC's
 * documentation.  2006-10-09 05:00:15 UTC is 1160370015 (date -u -d).
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iis.h"
#include "msft.h"
#include "mtalog.h"
#include "tap.h"
#include "evtap.h"

#define T0	1160370015

static const char w3c_fields[] = "#Fields: date time c-ip cs-username "
    "s-sitename s-computername s-ip s-port cs-method cs-uri-stem "
    "cs-uri-query sc-status sc-win32-status sc-bytes cs-bytes time-taken "
    "cs-version cs-host cs(User-Agent) cs(Cookie) cs(Referer) ";

static const char trk_header[] = "# Date\tTime\tclient-ip\tClient-hostname\t"
    "Partner-Name\tServer-hostname\tserver-IP\tRecipient-Address\tEvent-ID\t"
    "MSGID\tPriority\tRecipient-Report-Status\ttotal-bytes\t"
    "Number-Recipients\tOrigination-Time\tEncryption\tservice-Version\t"
    "Linked-MSGID\tMessage-Subject\tSender-Address";

static struct mtalog *
new_ml(void)
{
	struct mtalog_opts	o = { 0, "UTC", NULL };

	return (mtalog_new(&o));
}

static void
t_detect(void)
{
	ok(iis_detect(span_from_cstr("#Software: Microsoft Internet "
	    "Information Services 6.0")), "detect the W3C header");
	ok(iis_detect(span_from_cstr("2006-10-09 05:00:15 24.118.118.106 "
	    "36A42160 SMTPSVC1 MEE-PDC 192.168.1.2 0 HELO - +36A42160 250 0 48 "
	    "13 0 SMTP - - - -")), "detect a header-less W3C row");
	ok(iis_detect(span_from_cstr("61.47.65.115 - 207.250.64.66 "
	    "[11/Oct/2006:13:16:40 -0600] \"HELO -?+207.250.64.66 SMTP\" 250 "
	    "46")), "detect an NCSA line");
	ok(!iis_detect(span_from_cstr("192.0.2.1 - - [11/Oct/2006:13:16:40 "
	    "-0600] \"GET / HTTP/1.1\" 200 46")), "not a web server's line");
	ok(iis_track_detect(span_from_cstr("# Message Tracking Log File")),
	    "detect the tracking log");
	ok(!iis_track_detect(span_from_cstr("#Software: Microsoft Exchange "
	    "Server")), "not Exchange 2007+");
}

/* w3c - feed a W3C row from its parts after the time. */
static enum parse_result
w3c(struct mtalog *ml, const char *tod, const char *ip, const char *user,
    const char *verb, const char *query, int status)
{
	char	line[1024];

	(void)snprintf(line, sizeof(line), "2006-10-09 %s %s %s SMTPSVC1 "
	    "MEE-PDC 192.168.1.2 0 %s - %s %d 0 48 13 0 SMTP - - - -", tod, ip,
	    user, verb, query, status);
	return (evt_feed(ml, line));
}

static void
t_w3c(struct mtalog *ml)
{
	const struct event	*e;
	uint64_t		 f1, f2;

	evt_source(ml);
	is_int(evt_feed(ml, "#Software: Microsoft Internet Information "
	    "Services 6.0"), PARSE_OK, "#Software");
	(void)evt_feed(ml, "#Version: 1.0");
	(void)evt_feed(ml, "#Date: 2006-10-09 05:00:15");
	is_int(evt_feed(ml, w3c_fields), PARSE_OK, "#Fields");
	is_str(mtalog_format(ml), "iis", "format name");

	is_int(w3c(ml, "05:00:15", "24.118.118.106", "-", "HELO",
	    "+36A42160", 250), PARSE_OK, "HELO");
	e = evt_get(EV_HELO, 0, "HELO");
	is_int(e->time, T0, "HELO: time (UTC)");
	is_str(S(e->host), "MEE-PDC", "HELO: host = s-computername");
	is_str(S(e->program), "iis/smtpsvc", "HELO: program");
	is_str(S(e->client_ip), "24.118.118.106", "HELO: client ip");
	is_str(S(e->server_ip), "192.168.1.2", "HELO: server ip");
	is_int(e->server_port, 0, "HELO: port 0 is unknown");
	is_str(S(e->helo), "36A42160", "HELO: name without the +");
	is_str(S(e->stage), "HELO", "HELO: stage");
	is_int(e->reply_code, 250, "HELO: reply");
	f1 = e->flow;
	ok(f1 != 0, "HELO: a flow");
	(void)w3c(ml, "05:00:16", "24.118.118.106", "36A42160", "MAIL",
	    "+FROM:+<EldonpyzWestoncusk@sbcglobal.net>", 250);
	e = evt_get(EV_MAIL, 0, "MAIL");
	is_str(S(e->sender), "EldonpyzWestoncusk@sbcglobal.net",
	    "MAIL: sender");
	is_int(e->flow, f1, "MAIL: same session");
	(void)w3c(ml, "05:00:16", "24.118.118.106", "36A42160", "RCPT",
	    "+TO:+<pamb@meelift.com>", 250);
	is_str(S(evt_get(EV_RCPT, 0, "RCPT")->rcpt), "pamb@meelift.com",
	    "RCPT: rcpt");
	(void)w3c(ml, "05:00:16", "24.118.118.106", "36A42160", "RCPT",
	    "+TO:<x@elsewhere.example>", 550);
	e = evt_get(EV_RCPT, 0, "refused RCPT");
	is_int(e->reply_code, 550, "RCPT: 550 refused");
	is_str(S(e->rcpt), "x@elsewhere.example", "RCPT: no + before <");
	(void)w3c(ml, "05:00:19", "24.118.118.106", "36A42160", "DATA",
	    "+<4F5002F2.860022@web.de>", 250);
	e = evt_get(EV_DATA, 0, "DATA");
	is_str(S(e->message_id), "4F5002F2.860022@web.de", "DATA: message id");
	is_str(S(e->queue_id), "4F5002F2.860022@web.de", "DATA: queue id");
	is_str(S(e->stage), "END-OF-MESSAGE", "DATA: stage");
	is_int(e->size, 13, "DATA: cs-bytes");
	(void)w3c(ml, "05:00:19", "24.118.118.106", "36A42160", "QUIT",
	    "36A42160", 240);
	e = evt_get(EV_DISCONNECT, 0, "QUIT");
	is_str(S(e->text), "QUIT", "QUIT: text");
	is_int(e->flow, f1, "QUIT: same session");
	(void)w3c(ml, "05:00:20", "24.118.118.106", "-", "EHLO", "+again",
	    250);
	f2 = evt_get(EV_HELO, 0, "after QUIT")->flow;
	ok(f2 != f1, "after QUIT: a new session");
	/* A second EHLO is a new session, but not after STARTTLS. */
	(void)w3c(ml, "05:00:21", "24.118.118.106", "again", "STARTTLS", "-",
	    220);
	is_str(S(evt_get(EV_TLS, 0, "STARTTLS")->text), "STARTTLS",
	    "STARTTLS: tls");
	(void)w3c(ml, "05:00:21", "24.118.118.106", "again", "EHLO", "+again",
	    250);
	is_int(evt_get(EV_HELO, 0, "EHLO after TLS")->flow, f2,
	    "EHLO after STARTTLS: same session");
	(void)w3c(ml, "05:00:22", "24.118.118.106", "again", "EHLO", "+other",
	    250);
	f1 = evt_get(EV_HELO, 0, "second EHLO")->flow;
	ok(f1 != f2, "another EHLO: a new session");
	(void)w3c(ml, "05:15:22", "24.118.118.106", "other", "MAIL",
	    "+FROM:<a@b>", 250);
	ok(evt_get(EV_MAIL, 0, "after 15 minutes")->flow != f1,
	    "after an idle gap: a new session");
	(void)w3c(ml, "05:15:23", "24.95.255.99", "-", "xxxx", "+rr.com", 500);
	e = evt_get(EV_INFO, 0, "xxxx");
	is_str(S(e->stage), "xxxx", "unknown command: stage");
	is_str(S(e->text2), "rr.com", "unknown command: argument");
	is_int(e->reply_code, 500, "unknown command: reply");
	(void)w3c(ml, "05:15:24", "24.95.255.99", "-", "AUTH", "+LOGIN", 235);
	is_str(S(evt_get(EV_AUTH, 0, "AUTH")->sasl_method), "LOGIN",
	    "AUTH: method");
	(void)w3c(ml, "05:15:25", "24.95.255.99", "-", "AUTH", "+LOGIN", 535);
	is_int(evt_get(EV_AUTH_FAIL, 0, "AUTH 535")->reply_code, 535,
	    "AUTH failed");
	(void)w3c(ml, "05:15:26", "24.95.255.99", "-", "RSET", "-", 250);
	ok(evt_find(EV_RSET, 0) != NULL, "RSET");
	is_int(w3c(ml, "05:15:27", "205.188.158.121",
	    "OutboundConnectionCommand", "EHLO", "-?x", 0), PARSE_OK,
	    "our own outbound line");
	is_int(nevt, 0, "outbound lines give no events");
	is_int(evt_feed(ml, "2006-10-09 05:15:28 192.0.2.7 - W3SVC1 WEB1 "
	    "192.168.1.2 80 GET /index.htm - 200 0 4000 300 15 HTTP/1.1 www - "
	    "- -"), PARSE_SKIP, "a web site's row");
	is_int(evt_feed(ml, "2006-10-09 05:15:28 192.0.2.7 - SMTPSVC1 MEE-PDC"
	    " 192.168.1.2 0 HELO"), PARSE_BAD, "a cut row");
	is_int(w3c(ml, "25:00:00", "192.0.2.7", "-", "HELO", "+x", 250),
	    PARSE_BAD, "hour 25");
	is_int(w3c(ml, "05:15:29", "not-an-ip", "-", "HELO", "+x", 250),
	    PARSE_BAD, "c-ip not an address");
	/* Fewer columns, no date: the day of #Date. */
	is_int(evt_feed(ml, "#Date: 2006-10-10 00:00:00"), PARSE_OK,
	    "a new #Date");
	is_int(evt_feed(ml, "#Fields: time c-ip cs-method cs-uri-query "
	    "sc-status"), PARSE_OK, "a shorter #Fields");
	is_int(evt_feed(ml, "00:00:05 192.0.2.8 MAIL +FROM:<z@y> 250"),
	    PARSE_OK, "a row without a date");
	e = evt_get(EV_MAIL, 0, "short row");
	is_int(e->time, T0 + 86400 - 5 * 3600 - 10, "short row: #Date's day");
	is_str(S(e->sender), "z@y", "short row: sender");
	ok(e->host.n == 0, "short row: no host column");
	is_int(evt_feed(ml, "#Fields: date c-ip"), PARSE_BAD,
	    "#Fields without time or method");
}

static void
t_w3c_headerless(struct mtalog *ml)
{
	evt_source(ml);
	is_int(w3c(ml, "05:00:15", "24.118.118.106", "-", "HELO", "+x", 250),
	    PARSE_OK, "header-less row");
	is_str(mtalog_format(ml), "iis", "header-less: detected");
	is_int(evt_feed(ml, "2006-10-09 05:00:16 24.118.118.106 - SMTPSVC1 "
	    "MEE-PDC 192.168.1.2 0 MAIL - +FROM:<a@b> 250"), PARSE_BAD,
	    "header-less: another width");
}

static void
t_ncsa(struct mtalog *ml)
{
	const struct event	*e;

	evt_source(ml);
	is_int(evt_feed(ml, "61.47.65.115 - 207.250.64.66 [11/Oct/2006:13:16:41"
	    " -0600] \"MAIL -?+FROM:+<Keith@boardermail.com> SMTP\" 250 46"),
	    PARSE_OK, "NCSA MAIL");
	e = evt_get(EV_MAIL, 0, "NCSA MAIL");
	is_int(e->time, 1160594201, "NCSA: local time with its offset");
	is_str(S(e->sender), "Keith@boardermail.com", "NCSA: sender");
	is_str(S(e->client_ip), "61.47.65.115", "NCSA: client");
	is_int(e->reply_code, 250, "NCSA: status");
	ok(e->host.n == 0, "NCSA: no host");
	is_int(evt_feed(ml, "205.188.158.121 - OutboundConnectionResponse "
	    "[11/Oct/2006:13:17:02 -0600] \"- -?354+START+MAIL+INPUT,+END+WITH"
	    "+\".\"+ON+A+LINE+BY+ITSELF SMTP\" 0 54"), PARSE_OK,
	    "NCSA with quotes inside the request");
	is_int(nevt, 0, "outbound: no events");
	is_int(evt_feed(ml, "61.47.65.115 - 207.250.64.66 [11/Oct/2006:13:16:50"
	    " -0600] \"DATA -?+<10100.marigold@cleat> SMTP\" 250 106"),
	    PARSE_OK, "NCSA DATA");
	is_str(S(evt_get(EV_DATA, 0, "NCSA DATA")->message_id),
	    "10100.marigold@cleat", "NCSA DATA: message id");
	is_int(evt_feed(ml, "61.47.65.115 - x [11/Oct/2006:13:16:50 -0600] "
	    "\"HELO -?x SMTP\""), PARSE_BAD, "NCSA without status");
	is_int(evt_feed(ml, "61.47.65.115 - x [11/Foo/2006:13:16:50 -0600] "
	    "\"HELO -?x SMTP\" 250 1"), PARSE_BAD, "NCSA bad month");
}

/* trk - a tracking row from its parts. */
static enum parse_result
trk(struct mtalog *ml, const char *cip, const char *cname, const char *rcpt,
    int id, const char *msgid, const char *linked, const char *sender)
{
	char	line[1024];

	(void)snprintf(line, sizeof(line), "2006-10-9\t5:0:15 GMT\t%s\t%s\t"
	    "SMTP\tMAIL2003.corp.example\t192.0.2.35\t%s\t%d\t%s\t0\t-\t2048\t2"
	    "\t2006-10-9 5:0:15 GMT\t0\tVersion: 6.0.3790.3959\t%s\tSubject\t%"
	    "s",
	    cip, cname, rcpt, id, msgid, linked, sender);
	return (evt_feed(ml, line));
}

static void
t_track(struct mtalog *ml)
{
	const struct event	*e;

	evt_source(ml);
	is_int(evt_feed(ml, "# Message Tracking Log File"), PARSE_OK,
	    "tracking header");
	(void)evt_feed(ml, "# Exchange System Attendant Version 6.5.7638.1");
	is_int(evt_feed(ml, trk_header), PARSE_OK, "tracking columns");
	is_str(mtalog_format(ml), "exchange2003", "format name");
	is_int(trk(ml, "203.0.113.21", "mail.example.net", "alice@corp.example",
	    1019, "id1@mail.example.net", "-", "news@example.net"), PARSE_OK,
	    "1019");
	is_int(nevt, 4, "first 1019: client, msgid, msginfo, rcpt");
	e = evt_get(EV_CLIENT, 0, "1019");
	is_int(e->time, T0, "1019: time (GMT, unpadded)");
	is_str(S(e->host), "MAIL2003", "1019: host");
	is_str(S(e->program), "exchange2003/msgtrk", "1019: program");
	is_str(S(e->queue_id), "id1@mail.example.net", "1019: queue id");
	is_str(S(e->client_ip), "203.0.113.21", "1019: client ip");
	is_str(S(e->client_name), "mail.example.net", "1019: client name");
	is_str(S(e->server_ip), "192.0.2.35", "1019: server ip");
	e = evt_get(EV_MSGINFO, 0, "1019");
	is_str(S(e->sender), "news@example.net", "1019: sender");
	is_int(e->size, 2048, "1019: size");
	is_int(e->nrcpt, 2, "1019: nrcpt");
	is_str(S(evt_get(EV_RCPT, 0, "1019")->rcpt), "alice@corp.example",
	    "1019: rcpt");
	(void)trk(ml, "203.0.113.21", "mail.example.net", "bob@corp.example",
	    1019, "id1@mail.example.net", "-", "news@example.net");
	is_int(nevt, 1, "second 1019 of a message: rcpt only");
	(void)trk(ml, "-", "-", "bob@corp.example", 1028,
	    "id1@mail.example.net", "-", "news@example.net");
	e = evt_get(EV_DELIVERY, 0, "1028");
	is_str(S(e->status), "sent", "1028: sent");
	is_str(S(e->relay), "MAIL2003", "1028: a local mailbox");
	(void)trk(ml, "198.18.0.11", "mx.victim-one.example",
	    "r1@victim-one.example", 1031, "id1@mail.example.net", "-",
	    "news@example.net");
	is_str(S(evt_get(EV_DELIVERY, 0, "1031")->relay),
	    "mx.victim-one.example[198.18.0.11]", "1031: the remote");
	(void)trk(ml, "198.18.0.15", "mx.blocked.example", "r3@blocked.example",
	    1030, "id1@mail.example.net", "-", "news@example.net");
	is_str(S(evt_get(EV_DELIVERY, 0, "1030")->status), "bounced",
	    "1030: bounced");
	(void)trk(ml, "192.0.2.35", "mail2003.corp.example", "news@example.net",
	    1019, "id1-NDR@mail2003.corp.example", "id1@mail.example.net",
	    "postmaster@corp.example");
	e = evt_get(EV_BOUNCE, 0, "NDR");
	is_str(S(e->queue_id), "id1@mail.example.net", "NDR: the original");
	is_str(S(e->new_queue_id), "id1-NDR@mail2003.corp.example",
	    "NDR: the report");
	e = evt_get(EV_MSGINFO, 0, "NDR");
	ok(e->sender.p != NULL && e->sender.n == 0, "NDR: null sender");
	(void)trk(ml, "-", "-", "x@corp.example", 1033, "id1@mail.example.net",
	    "-", "news@example.net");
	is_str(S(evt_get(EV_INFO, 0, "1033")->text), "1033", "1033: info");
	(void)trk(ml, "-", "-", "x@corp.example", 1027, "id2@corp.example", "-",
	    "alice@corp.example");
	e = evt_get(EV_PICKUP, 0, "1027");
	is_str(S(e->sender), "alice@corp.example", "1027: a store submission");
	is_int(trk(ml, "-", "-", "x@c", 0, "<id3@c>", "-", "a@c"), PARSE_OK,
	    "event 0");
	is_int(evt_feed(ml, "2006-10-9\t5:0:15 GMT\t-\t-\t-\tM\t1.2.3.4\tx@c\t"
	    "abc\tid\t0\t-\t1\t1\t-\t0\t-\t-\t-\ta@c"), PARSE_BAD,
	    "a non-numeric event id");
	is_int(evt_feed(ml, "2006-10-9\t5:61:15 GMT\t-\t-\t-\tM\t1.2.3.4\tx@c"
	    "\t1028\tid\t0\t-\t1\t1\t-\t0\t-\t-\t-\ta@c"), PARSE_BAD,
	    "minute 61");
	is_int(evt_feed(ml, "2006-10-9\t5:0:15 GMT\t-\t-\t-\tM\t1.2.3.4\tx@c\t"
	    "1028\tid\t0\t-\t1\t1\t-\t0\t-\t-\t-\ta@c\t"), PARSE_OK,
	    "a tab at the end");
	is_int(evt_feed(ml, "2006-10-9\t5:0:15 GMT\tx"), PARSE_BAD,
	    "too few columns");
	/* The list as "#Fields:", in another order. */
	is_int(evt_feed(ml, "#Fields: MSGID Event-ID Date Time "
	    "Recipient-Address Server-hostname"), PARSE_OK, "#Fields form");
	is_int(evt_feed(ml, "id9@c\t1028\t2006-10-09\t05:00:15\tz@corp.example"
	    "\tMAIL2003"), PARSE_OK, "a row in that order");
	e = evt_get(EV_DELIVERY, 0, "reordered");
	is_str(S(e->rcpt), "z@corp.example", "reordered: rcpt");
	is_str(S(e->queue_id), "id9@c", "reordered: queue id");
	is_int(e->time, T0, "reordered: padded time");
}

static int	tab_freed;

/* tab_free_one - count the values msft_tab_clear() hands back. */
static void
tab_free_one(void *v)
{
	tab_freed++;
}

/*
 * t_tab - the session table grows from 16 slots as it fills, keeps every
 * entry through each doubling, and refuses at two thirds of the slots its
 * limit gives: 1000 entries mean 2048 slots, so 1365 fit.
 */
static void
t_tab(void)
{
	static int	 vals[1400];
	struct msft_tab	*t;
	uint64_t	 k;
	int		 bad = 0;

	t = msft_tab_new(1000);
	for (k = 0; k < 1365; k++)
		if (msft_tab_put(t, k * 7919, &vals[k]) != 0)
			bad++;
	is_int(bad, 0, "table: 1365 entries put");
	is_int((int)msft_tab_count(t), 1365, "table: 1365 held");
	is_int(msft_tab_put(t, 1365 * 7919, &vals[1365]), -1,
	    "table: the 1366th refused");
	is_int(msft_tab_put(t, 5 * 7919, &vals[1399]), 0,
	    "table: full, a key held can still be replaced");
	for (k = 0, bad = 0; k < 1365; k++)
		if (msft_tab_get(t, k * 7919) != (k == 5 ? &vals[1399] :
		    &vals[k]))
			bad++;
	is_int(bad, 0, "table: every entry found after the doublings");
	for (k = 0; k < 1365; k += 2)
		(void)msft_tab_del(t, k * 7919);
	for (k = 1, bad = 0; k < 1365; k += 2)
		if (msft_tab_get(t, k * 7919) != (k == 5 ? &vals[1399] :
		    &vals[k]))
			bad++;
	is_int(bad, 0, "table: the odd ones found after deleting the even");
	ok(msft_tab_get(t, 2 * 7919) == NULL, "table: a deleted one is gone");
	msft_tab_clear(t, tab_free_one);
	is_int(tab_freed, 682, "table: clear hands back the 682 left");
	is_int((int)msft_tab_count(t), 0, "table: and empties it");
	msft_tab_free(t, tab_free_one);
	is_int(tab_freed, 682, "table: nothing more to free");
}

int
main(void)
{
	struct mtalog	*ml;

	t_detect();
	t_tab();
	ml = new_ml();
	t_w3c(ml);
	t_w3c_headerless(ml);
	t_ncsa(ml);
	t_track(ml);
	mtalog_free(ml);
	return (done_testing());
}
