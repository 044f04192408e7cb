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
 * The Exchange parser through mtalog, every line form field by field:
 * message tracking rows (Exchange 2010 columns under a header, Exchange
 * 2013+ rows without one, from Elastic's test data), protocol log
 * sessions, and hostile rows.  2026-12-01T20:10:00Z is 1796155800.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "exchange.h"
#include "msft.h"
#include "mtalog.h"
#include "tap.h"
#include "evtap.h"

#define T0	1796155800

static const char trk_fields[] = "#Fields: date-time,client-ip,"
    "client-hostname,server-ip,server-hostname,source-context,connector-id,"
    "source,event-id,internal-message-id,message-id,recipient-address,"
    "recipient-status,total-bytes,recipient-count,related-recipient-address,"
    "reference,message-subject,sender-address,return-path,message-info,"
    "directionality,tenant-id,original-client-ip,original-server-ip,"
    "custom-data";

static const char proto_fields[] = "#Fields: date-time,connector-id,"
    "session-id,sequence-number,local-endpoint,remote-endpoint,event,data,"
    "context";

static struct mtalog *
new_ml(void)
{
	struct mtalog_opts	o = { 0, "UTC", NULL };

	return (mtalog_new(&o));
}

static void
t_detect(void)
{
	ok(exchange_detect(span_from_cstr("#Software: Microsoft Exchange "
	    "Server")), "detect #Software");
	ok(exchange_detect(span_from_cstr("\xef\xbb\xbf#Software: Microsoft "
	    "Exchange Server")), "detect #Software after a BOM");
	ok(exchange_detect(span_from_cstr("#Log-type: SMTP Receive Protocol "
	    "Log")), "detect #Log-type");
	ok(exchange_detect(span_from_cstr("2024-01-25T15:14:39.031Z,NETBIOS\\"
	    "Default Frontend NETBIOS,08DC1DB8591B229A,2,10.11.12.13:25,"
	    "10.11.12.14:53228,<,EHLO mgt.my.domain.tld,")),
	    "detect a header-less protocol row");
	ok(!exchange_detect(span_from_cstr("2024-01-25T15:14:39.031Z,a,b,c,"
	    "d,e,x,g,h")), "not a row with a bad event character");
	ok(!exchange_detect(span_from_cstr("#Software: Microsoft Internet "
	    "Information Services 6.0")), "not IIS");
	ok(!exchange_detect(span_from_cstr("2026-12-01T20:31:02.123456+00:00 "
	    "mx postfix/smtpd[1]: connect from x[192.0.2.1]")), "not syslog");
}

/* header - feed an Exchange header with the given #Fields line. */
static void
header(struct mtalog *ml, const char *type, const char *fields)
{
	char	lt[128];

	evt_source(ml);
	is_int(evt_feed(ml, "#Software: Microsoft Exchange Server"), PARSE_OK,
	    "#Software understood");
	(void)evt_feed(ml, "#Version: 14.03.0123.004");
	(void)snprintf(lt, sizeof(lt), "#Log-type: %s", type);
	is_int(evt_feed(ml, lt), PARSE_OK, "#Log-type understood");
	(void)evt_feed(ml, "#Date: 2026-12-01T20:10:00.000Z");
	is_int(evt_feed(ml, fields), PARSE_OK, "#Fields understood");
	is_int(nevt, 0, "header lines give no events");
}

static void
t_msgtrk(struct mtalog *ml)
{
	const struct event	*e;

	header(ml, "Message Tracking Log", trk_fields);
	is_str(mtalog_format(ml), "exchange", "format name");

	/* RECEIVE from an SMTP client. */
	is_int(evt_feed(ml, "2026-12-01T20:15:00.380Z,198.51.100.66,"
	    "198.51.100.66,192.0.2.26,EX01,08D3A1B2C3D40033;"
	    "2026-12-01T20:15:00.380Z;0,EX01\\Relay EX01,SMTP,RECEIVE,1003,"
	    "<s03.1003@bulk-offers.example>,r1@victim-one.example;"
	    "r3@blocked.example,,2048,2,,,Cheap meds,sales@bulk-offers.example,"
	    "sales@bulk-offers.example,04I:,Originating,,,,"), PARSE_OK,
	    "RECEIVE understood");
	is_int(nevt, 5, "RECEIVE: client, msgid, msginfo, 2 rcpt");
	e = evt_get(EV_CLIENT, 0, "RECEIVE");
	is_int(e->time, T0 + 300, "RECEIVE: time");
	is_int(e->usec, 380000, "RECEIVE: usec");
	is_str(S(e->host), "EX01", "RECEIVE: host is server-hostname");
	is_str(S(e->program), "exchange/msgtrk", "RECEIVE: program");
	is_str(S(e->service), "msgtrk", "RECEIVE: service");
	is_int(e->pid, -1, "RECEIVE: no pid");
	is_str(S(e->queue_id), "1003", "RECEIVE: queue id = internal id");
	is_str(S(e->client_ip), "198.51.100.66", "RECEIVE: client ip");
	is_str(S(e->client_name), "198.51.100.66", "RECEIVE: client name");
	is_str(S(e->server_ip), "192.0.2.26", "RECEIVE: server ip");
	is_int(e->flow, 0x08D3A1B2C3D40033ULL, "RECEIVE: flow = session id");
	is_str(S(e->proto), "SMTP", "RECEIVE: proto");
	is_str(S(e->text), "EX01\\Relay EX01", "RECEIVE: connector");
	e = evt_get(EV_MSGID, 0, "RECEIVE");
	is_str(S(e->message_id), "s03.1003@bulk-offers.example",
	    "RECEIVE: message-id without <>");
	e = evt_get(EV_MSGINFO, 0, "RECEIVE");
	is_str(S(e->sender), "sales@bulk-offers.example", "RECEIVE: sender");
	is_int(e->size, 2048, "RECEIVE: size");
	is_int(e->nrcpt, 2, "RECEIVE: nrcpt");
	is_str(S(evt_get(EV_RCPT, 0, "RECEIVE")->rcpt),
	    "r1@victim-one.example", "RECEIVE: first rcpt");
	e = evt_get(EV_RCPT, 1, "RECEIVE");
	is_str(S(e->rcpt), "r3@blocked.example", "RECEIVE: second rcpt");
	is_str(S(e->queue_id), "1003", "RECEIVE: rcpt's queue id");
	is_str(S(e->stage), "RECEIVE", "RECEIVE: rcpt stage");

	/* SEND to two recipients on one host. */
	is_int(evt_feed(ml, "2026-12-01T20:18:00.410Z,192.0.2.26,EX01,"
	    "198.18.0.16,mx.foreign-bank.example,;250 2.6.0 Ok;ClientSubmitTime"
	    ":"
	    ",Internet,SMTP,SEND,1003,<x@y>,pay1@foreign-bank.example;"
	    "pay2@foreign-bank.example,250 2.1.5 Ok;452 4.2.2 Over quota,2048,2"
	    ",,,Urgent,ceo@corp.example,ceo@corp.example,x,Originating,,,,"),
	    PARSE_OK, "SEND understood");
	is_int(nevt, 2, "SEND: a delivery per recipient");
	e = evt_get(EV_DELIVERY, 0, "SEND");
	is_str(S(e->host), "EX01", "SEND: host is client-hostname");
	is_str(S(e->queue_id), "1003", "SEND: queue id");
	is_str(S(e->rcpt), "pay1@foreign-bank.example", "SEND: rcpt");
	is_str(S(e->relay), "mx.foreign-bank.example[198.18.0.16]",
	    "SEND: relay host[ip]");
	is_str(S(e->status), "sent", "SEND: status");
	is_int(e->reply_code, 250, "SEND: reply code");
	is_str(S(e->dsn), "2.1.5", "SEND: dsn");
	is_str(S(e->text), "250 2.1.5 Ok", "SEND: text is its own status");
	e = evt_get(EV_DELIVERY, 1, "SEND");
	is_str(S(e->status), "deferred", "SEND: a 4xx status is deferred");
	is_str(S(e->text), "452 4.2.2 Over quota", "SEND: second status");

	/* FAIL with the LED= form, DEFER with a quoted comma. */
	is_int(evt_feed(ml, "2026-12-01T20:15:00.560Z,192.0.2.26,EX01,"
	    "198.18.0.15,mx.blocked.example,,Internet,SMTP,FAIL,1003,<x@y>,"
	    "r3@blocked.example,[{LRT=};{LED=550 5.7.1 Service unavailable "
	    "Client host [192.0.2.26] blocked using zen.spamhaus.org};"
	    "{FQDN=mx.blocked.example};{IP=198.18.0.15}],2048,1,,,s,"
	    "a@b.example,a@b.example,,Originating,,,,"), PARSE_OK, "FAIL");
	e = evt_get(EV_DELIVERY, 0, "FAIL");
	is_str(S(e->status), "bounced", "FAIL: bounced");
	is_int(e->reply_code, 550, "FAIL: code from LED=");
	is_str(S(e->dsn), "5.7.1", "FAIL: dsn from LED=");
	is_str(S(e->relay), "mx.blocked.example[198.18.0.15]", "FAIL: relay");
	ok(span_find(e->text, "zen.spamhaus.org") != NULL,
	    "FAIL: the text names the blocklist");
	is_int(evt_feed(ml, "2026-12-01T20:15:00.595Z,192.0.2.26,EX01,"
	    "198.18.0.13,mx.victim-three.example,Greylisted,Internet,SMTP,DEFER"
	    ",1003,<x@y>,r4@victim-three.example,\"451 4.7.1 Greylisted, please"
	    " "
	    "try again later\",2048,1,,,s,a@b.example,a@b.example,,Originating,"
	    ","
	    ",,"), PARSE_OK, "DEFER");
	e = evt_get(EV_DELIVERY, 0, "DEFER");
	is_str(S(e->status), "deferred", "DEFER: deferred");
	is_str(S(e->text), "451 4.7.1 Greylisted, please try again later",
	    "DEFER: quoted status with a comma");

	/* DSN: the bounce of 1003, by reference. */
	is_int(evt_feed(ml, "2026-12-01T20:15:00.580Z,,,,EX01,Failed,,DSN,DSN,"
	    "1004,<1004-ndr@ex01.corp.example>,sales@bulk-offers.example,,3100,"
	    "1,,1003,Undeliverable: Cheap meds,MicrosoftExchange329e71ec88ae461"
	    "5"
	    "bbc36ab6ce41109e@corp.example,<>,,Originating,,,,"), PARSE_OK,
	    "DSN");
	e = evt_get(EV_BOUNCE, 0, "DSN");
	is_str(S(e->queue_id), "1003", "DSN: the original message");
	is_str(S(e->new_queue_id), "1004", "DSN: the notification");
	is_str(S(e->text), "DSN Failed", "DSN: text");
	e = evt_get(EV_MSGINFO, 0, "DSN");
	ok(e->sender.p != NULL && e->sender.n == 0, "DSN: null sender");
	is_str(S(evt_get(EV_RCPT, 0, "DSN")->rcpt),
	    "sales@bulk-offers.example", "DSN: its recipient");

	/* RESOLVE, then DELIVER names the address the client gave. */
	is_int(evt_feed(ml, "2026-12-01T20:45:00.565Z,,,,EX01,,,CATEGORIZER,"
	    "RESOLVE,1009,<m@c>,carol@corp.example,,2048,1,"
	    "webmaster@corp.example,,s,o@c.example,o@c.example,,Incoming,,,,"),
	    PARSE_OK, "RESOLVE");
	e = evt_get(EV_INFO, 0, "RESOLVE");
	is_str(S(e->rcpt), "carol@corp.example", "RESOLVE: new address");
	is_str(S(e->orig_rcpt), "webmaster@corp.example", "RESOLVE: given");
	is_int(evt_feed(ml, "2026-12-01T20:45:00.605Z,,EX01,,EX01,"
	    "08D3A1B2C3D4FFFF;2026-12-01T20:45:00.605Z;0,,STOREDRIVER,DELIVER,"
	    "1009,<m@c>,dave@corp.example;carol@corp.example,,2048,2,,,s,"
	    "o@c.example,o@c.example,x,Incoming,,,,"), PARSE_OK, "DELIVER");
	e = evt_get(EV_DELIVERY, 0, "DELIVER");
	is_str(S(e->relay), "EX01", "DELIVER: relay is the mailbox server");
	is_str(S(e->status), "sent", "DELIVER: sent");
	ok(e->orig_rcpt.n == 0, "DELIVER: dave was not resolved");
	e = evt_get(EV_DELIVERY, 1, "DELIVER");
	is_str(S(e->rcpt), "carol@corp.example", "DELIVER: carol");
	is_str(S(e->orig_rcpt), "webmaster@corp.example",
	    "DELIVER: carol came from webmaster");

	/* A mailbox submission, and an agent adding a recipient to it. */
	is_int(evt_feed(ml, "2026-12-01T20:25:00.030Z,10.0.0.25,EX01,"
	    "10.0.0.25,EX01,MDB:9a1c,,STOREDRIVER,RECEIVE,1008,<m01@ex01>,"
	    "partner@customer.example,,1500,1,,,Offer,alice@corp.example,"
	    "alice@corp.example,04I:,Originating,,,,"), PARSE_OK,
	    "RECEIVE STOREDRIVER");
	e = evt_get(EV_PICKUP, 0, "STOREDRIVER");
	is_str(S(e->queue_id), "1008", "STOREDRIVER: queue id");
	is_str(S(e->sender), "alice@corp.example", "STOREDRIVER: sender");
	is_str(S(e->text), "STOREDRIVER", "STOREDRIVER: text is the source");
	ok(evt_find(EV_CLIENT, 0) == NULL, "STOREDRIVER: no client");
	is_int(evt_feed(ml, "2026-12-01T20:25:00.031Z,,,,EX01,Journal Agent,,"
	    "AGENT,RECEIVE,1008,<m01@ex01>,journal@corp.example,,1500,1,,,Offer"
	    ",alice@corp.example,alice@corp.example,,Originating,,,"
	    ","), PARSE_OK,
	    "RECEIVE AGENT of a known message");
	is_int(nevt, 1, "AGENT: one event");
	is_str(S(evt_get(EV_RCPT, 0, "AGENT")->rcpt), "journal@corp.example",
	    "AGENT: the added recipient");

	/* TRANSFER: the fork's events go to the original. */
	is_int(evt_feed(ml, "2026-12-01T20:25:00.040Z,,,,EX01,Content "
	    "conversion,,ROUTING,TRANSFER,2008,<m01@ex01>,a@x.example,,1500,1,,"
	    "1008,Offer,alice@corp.example,alice@corp.example,,Originating,,,"
	    ","),
	    PARSE_OK, "TRANSFER");
	is_str(S(evt_get(EV_INFO, 0, "TRANSFER")->queue_id), "1008",
	    "TRANSFER: evidence of the original");
	(void)evt_feed(ml, "2026-12-01T20:25:00.090Z,192.0.2.26,EX01,"
	    "198.18.0.19,mx.x.example,,Internet,SMTP,SEND,2008,<m01@ex01>,"
	    "a@x.example,250 2.1.5 Ok,1500,1,,,Offer,alice@corp.example,"
	    "alice@corp.example,,Originating,,,,");
	is_str(S(evt_get(EV_DELIVERY, 0, "fork SEND")->queue_id), "1008",
	    "the fork's SEND is the original's");

	/* Other event ids are evidence; a bad one is not understood. */
	is_int(evt_feed(ml, "2026-12-01T20:25:00.050Z,,,,EX01,,,AGENT,"
	    "AGENTINFO,1008,<m01@ex01>,a@x.example,,1500,1,,,Offer,a@c,a@c,,"
	    "Originating,,,,"), PARSE_OK, "AGENTINFO");
	e = evt_get(EV_INFO, 0, "AGENTINFO");
	is_str(S(e->text), "AGENTINFO", "AGENTINFO: text");
	is_str(S(e->stage), "AGENT", "AGENTINFO: stage = source");
	is_int(evt_feed(ml, "2026-12-01T20:25:00.050Z,,,,EX01,,,AGENT,"
	    "receive,1008,<m01@ex01>,a@x.example,,1500,1,,,Offer,a@c,a@c,,"
	    "Originating,,,,"), PARSE_BAD, "a lower-case event id");
	is_int(evt_feed(ml, "2026-12-01T20:25:00.050Z,,,,EX01,,,SMTP,"
	    "RECEIVE,,<m01@ex01>,a@x.example,,1500,1,,,Offer,a@c,a@c,,"
	    "Originating,,,,"), PARSE_BAD, "RECEIVE without an internal id");
}

static void
t_headerless(struct mtalog *ml)
{
	const struct event	*e;

	/* Exchange 2013+ rows as Elastic's test data has them. */
	evt_source(ml);
	is_int(evt_feed(ml, "2024-01-25T15:16:09.949Z,10.11.12.14,"
	    "exchange-mail.my.domain.com,10.11.12.14,exchange-mail,"
	    "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0,exchange-mail\\Default"
	    " "
	    "exchange-mail,SMTP,RECEIVE,70912345566403,<20240123200014.123F425E"
	    "2"
	    "8@host01.my.domain.com>,1e6eb197-c6b4-1234-1b69-56dc1db88f50,"
	    "mailuser@my.domain.com,,7229,1,,,vzdump backup status: backup "
	    "successful,root@host01.my.domain.com,root@host01.my.domain.com,0cA"
	    ":"
	    " ,Incoming,,10.11.12.13,10.11.12.14,S:ProxyHop1=exchange-mail.my.d"
	    "o"
	    "main.com(10.11.12.14);S:FromEntity=Internet;S:ProxiedClientIPAddre"
	    "ss=10.11.12.13;S:ProxiedClientHostname=host01.my.domain.com;S:Deli"
	    "veryPriority=Normal,Email,05503123-c5b9-46fe-1234-56dc1db88f8f,15."
	    "0"
	    "2.0330.005"), PARSE_OK, "header-less 2013+ RECEIVE");
	is_str(mtalog_format(ml), "exchange", "detected from a row");
	e = evt_get(EV_CLIENT, 0, "2013+ RECEIVE");
	is_str(S(e->client_ip), "10.11.12.13",
	    "2013+: the front end's proxied client");
	is_str(S(e->client_name), "host01.my.domain.com",
	    "2013+: the proxied client's name");
	is_str(S(e->queue_id), "70912345566403", "2013+: internal id");
	is_str(S(e->host), "exchange-mail", "2013+: host");
	is_int(e->flow, 0x08DC1DB12C345BE5ULL, "2013+: flow");
	is_int(evt_feed(ml, "2025-01-14T09:28:39.334Z,2a02:cf40::0000:1234:5678"
	    ":"
	    "9abc,HELLOWORLD,,,\"MDB:f4adaa08, Mailbox:84dd42d9, Event:19062089"
	    "3"
	    "\",,STOREDRIVER,NOTIFYMAPI,,,,,,,,,,,email@email.com,,2025-01-14T0"
	    "9:"
	    "28:39.321Z;LSRV=HELLOWORLD.foo.example.com:TOTAL-SUB=0.013,,,,,S:I"
	    "te"
	    "mEntryId=00-00,,74364e3b-32b7-4108-9a2c-6dda84007459,15.01.2507.03"
	    "9"),
	    PARSE_OK, "header-less NOTIFYMAPI");
	e = evt_get(EV_INFO, 0, "NOTIFYMAPI");
	ok(e->queue_id.n == 0, "NOTIFYMAPI: no queue id");
	is_int(evt_feed(ml, "2024-01-25T15:16:09.949Z,a,b,c"), PARSE_BAD,
	    "a row of no known width");
}

static void
t_fields_change(struct mtalog *ml)
{
	const struct event	*e;

	header(ml, "Message Tracking Log", trk_fields);
	/* A new #Fields line with another order, mid-file. */
	is_int(evt_feed(ml, "#Fields: event-id,date-time,internal-message-id,"
	    "recipient-address,server-hostname,recipient-status,source"),
	    PARSE_OK, "a second #Fields line");
	is_int(evt_feed(ml, "DELIVER,2026-12-01T20:10:00.000Z,77,"
	    "x@corp.example,MBX1,,STOREDRIVER"), PARSE_OK,
	    "a row in the new order");
	e = evt_get(EV_DELIVERY, 0, "new order");
	is_str(S(e->queue_id), "77", "new order: queue id");
	is_str(S(e->rcpt), "x@corp.example", "new order: rcpt");
	is_int(e->time, T0, "new order: time");
	is_int(evt_feed(ml, "#Fields: a,,b"), PARSE_BAD, "an empty field name");
	is_int(evt_feed(ml, "#Fields: a,b,c"), PARSE_BAD,
	    "a #Fields line without date-time");
	is_int(evt_feed(ml, "DELIVER,2026-12-01T20:10:00.000Z,77,x@c,M,,S"),
	    PARSE_BAD, "rows after a bad #Fields line: 7 columns, no layout");
}

static void
t_hostile(struct mtalog *ml)
{
	char	*big;
	size_t	 n, pl;

	header(ml, "Message Tracking Log", trk_fields);
	is_int(evt_feed(ml, "2026-12-01T20:10:00.000Z,\"open quote,,,,,,,,,,,,,"
	    ",,,,,,,,,,,,"), PARSE_BAD, "an unclosed quote");
	is_int(evt_feed(ml, "2026-12-01T20:10:00.000Z,\"a\"b,,,,,,SMTP,RECEIVE,"
	    "1,,,,,,,,,,,,,,,,"), PARSE_BAD, "bytes after a closing quote");
	is_int(evt_feed(ml, "2026-12-01T20:10:00.000Z,a\"b,,,,,,SMTP,RECEIVE,"
	    "1,,,,,,,,,,,,,,,,"), PARSE_BAD, "a quote inside a bare field");
	is_int(evt_feed(ml, "2026-12-01T20:10:00.000Z,,,,EX01,,,SMTP,DELIVER,1"
	    ",,x@c,,,,,,,,,,,,,,,extra"), PARSE_BAD, "one column too many");
	is_int(evt_feed(ml, "2026-13-01T20:10:00.000Z,,,,EX01,,,SMTP,DELIVER,1"
	    ",,x@c,,,,,,,,,,,,,,"), PARSE_BAD, "month 13");
	is_int(evt_feed(ml, "2026-12-01T20:10:00.000Z,,,,EX01,,,SMTP,DELIVER,1"
	    ",,\"x\"\"y@c\",,,,,,,,,,,,,,"), PARSE_OK, "a doubled quote");
	is_str(S(evt_get(EV_DELIVERY, 0, "doubled")->rcpt), "x\"y@c",
	    "a doubled quote is one quote");
	/* A 60 KB subject (column 18 of 26). */
	n = 60000;
	big = malloc(n + 200);
	(void)strlcpy(big, "2026-12-01T20:10:00.000Z,,,,EX01,,,SMTP,DELIVER,1,,"
	    "x@c,,,,,,\"", n + 200);
	pl = strlen(big);
	memset(big + pl, 'A', n);
	memcpy(big + pl + n, "\",,,,,,,,", 9);
	is_int(evt_feedn(ml, big, pl + n + 9), PARSE_OK, "a 60 KB field");
	is_int(nevt, 1, "a 60 KB field: its delivery");
	free(big);
	is_int(evt_feed(ml, ""), PARSE_SKIP, "an empty line");
	is_int(evt_feed(ml, "\xff\xfe\x01\x02"), PARSE_BAD, "binary junk");
}

static void
t_protocol(struct mtalog *ml)
{
	const struct event	*e;
	static const char	 P[] = "2026-12-01T20:15:00.0%02dZ,"
	    "EX01\\Relay EX01,08D3A1B2C3D40033,%d,192.0.2.26:25,"
	    "198.51.100.66:40166,%s";
	char			 line[512];
	int			 seq = 0;

#define FEED(rest) (snprintf(line, sizeof(line), P, seq, seq, rest), \
	seq++, evt_feed(ml, line))

	header(ml, "SMTP Receive Protocol Log", proto_fields);
	is_int(FEED("+,,"), PARSE_OK, "connect");
	e = evt_get(EV_CONNECT, 0, "connect");
	is_int(e->flow, 0x08D3A1B2C3D40033ULL, "connect: flow");
	is_str(S(e->client_ip), "198.51.100.66", "connect: client ip");
	is_int(e->client_port, 40166, "connect: client port");
	is_str(S(e->server_ip), "192.0.2.26", "connect: server ip");
	is_int(e->server_port, 25, "connect: server port");
	is_str(S(e->host), "EX01", "connect: host from the connector");
	is_str(S(e->program), "exchange/smtpreceive", "connect: program");
	is_int(e->time, T0 + 300, "connect: time");
	is_int(FEED("*,SMTPSubmit SMTPAcceptAnyRecipient SMTPAcceptAnySender,"
	    "Set Session Permissions"), PARSE_OK, "permissions");
	e = evt_get(EV_WARNING, 0, "anonymous relay permission");
	is_str(S(e->stage), "open-relay-connector", "warning: stage");
	is_str(S(e->text), "SMTPSubmit SMTPAcceptAnyRecipient "
	    "SMTPAcceptAnySender", "warning: the permissions");
	is_str(S(e->text2), "EX01\\Relay EX01", "warning: the connector");
	is_int(FEED(">,\"220 ex01.corp.example Microsoft ESMTP MAIL Service "
	    "ready at Tue, 1 Dec 2026 20:15:00 +0000\","), PARSE_OK, "banner");
	e = evt_get(EV_BANNER, 0, "banner");
	is_int(e->reply_code, 220, "banner: code");
	ok(span_startswith(e->text, "220 ex01.corp.example"), "banner: text");
	is_int(FEED("<,EHLO friend,"), PARSE_OK, "EHLO");
	e = evt_get(EV_HELO, 0, "EHLO");
	is_str(S(e->helo), "friend", "EHLO: helo");
	is_str(S(e->stage), "EHLO", "EHLO: stage");
	is_int(FEED(">,250-ex01.corp.example Hello [198.51.100.66],"), PARSE_OK,
	    "EHLO reply, more to come");
	is_int(nevt, 0, "a continuation line gives nothing");
	(void)FEED(">,250 CHUNKING,");
	is_int(nevt, 0, "the last EHLO line gives nothing");
	/* Pipelined: three commands, then their replies. */
	(void)FEED("<,MAIL FROM:<sales@bulk-offers.example> SIZE=2048,");
	e = evt_get(EV_INFO, 0, "MAIL command");
	is_str(S(e->stage), "command", "MAIL command: stage");
	is_str(S(e->text2), "MAIL", "MAIL command: verb");
	(void)FEED("<,RCPT TO:<r1@victim-one.example>,");
	(void)FEED("<,RCPT TO:<r2@victim-two.example> NOTIFY=NEVER,");
	(void)FEED(">,250 2.1.0 Sender OK,");
	e = evt_get(EV_MAIL, 0, "MAIL reply");
	is_str(S(e->sender), "sales@bulk-offers.example", "MAIL: sender");
	is_int(e->reply_code, 250, "MAIL: code");
	is_str(S(e->dsn), "2.1.0", "MAIL: dsn");
	is_str(S(e->text), "Sender OK", "MAIL: text");
	(void)FEED(">,250 2.1.5 Recipient OK,");
	is_str(S(evt_get(EV_RCPT, 0, "RCPT 1")->rcpt), "r1@victim-one.example",
	    "RCPT 1: rcpt");
	(void)FEED(">,550 5.7.1 Unable to relay,");
	e = evt_get(EV_RCPT, 0, "RCPT 2");
	is_str(S(e->rcpt), "r2@victim-two.example", "RCPT 2: rcpt");
	is_int(e->reply_code, 550, "RCPT 2: refused");
	is_str(S(e->dsn), "5.7.1", "RCPT 2: dsn");
	is_str(S(e->text), "Unable to relay", "RCPT 2: text");
	(void)FEED("<,DATA,");
	(void)FEED(">,354 Start mail input; end with <CRLF>.<CRLF>,");
	is_int(nevt, 0, "354 is not the end");
	(void)FEED(">,250 2.6.0 <s03@bulk-offers.example> [InternalId=1003] "
	    "Queued mail for delivery,");
	e = evt_get(EV_DATA, 0, "DATA");
	is_int(e->reply_code, 250, "DATA: code");
	is_str(S(e->stage), "END-OF-MESSAGE", "DATA: stage");
	is_str(S(e->message_id), "s03@bulk-offers.example", "DATA: message id");
	is_str(S(e->queue_id), "1003", "DATA: queue id from InternalId");
	(void)FEED("<,RSET,");
	(void)FEED(">,250 2.0.0 Resetting,");
	is_int(evt_get(EV_RSET, 0, "RSET")->reply_code, 250, "RSET: code");
	(void)FEED("<,DATA,");
	(void)FEED(">,503 5.5.2 Need mail command,");
	is_str(S(evt_get(EV_DATA, 0, "refused DATA")->stage), "DATA",
	    "DATA refused before 354: stage DATA");
	(void)FEED("<,QUIT,");
	e = evt_get(EV_INFO, 0, "QUIT");
	is_str(S(e->stage), "QUIT", "QUIT: stage is the verb");
	(void)FEED(">,221 2.0.0 Service closing transmission channel,");
	is_int(FEED("-,,Local"), PARSE_OK, "disconnect");
	e = evt_get(EV_DISCONNECT, 0, "disconnect");
	is_str(S(e->status), "Local", "disconnect: status");
	is_str(S(e->text), "QUIT", "disconnect: the client quit");
	is_str(S(e->client_ip), "198.51.100.66", "disconnect: client ip");
#undef FEED
}

static void
t_auth(struct mtalog *ml)
{
	const struct event	*e;
	static const char	 P[] = "2026-12-01T20:22:00.0%02dZ,"
	    "EX01\\Client EX01,08D3A1B2C3D40055,%d,192.0.2.25:587,"
	    "[2001:db8::45]:52045,%s";
	char			 line[512];
	int			 seq = 0;

#define FEED(rest) (snprintf(line, sizeof(line), P, seq, seq, rest), \
	seq++, evt_feed(ml, line))

	header(ml, "SMTP Receive Protocol Log", proto_fields);
	(void)FEED("+,,");
	is_str(S(evt_get(EV_CONNECT, 0, "v6")->client_ip), "2001:db8::45",
	    "an IPv6 endpoint");
	(void)FEED("*,None,Set Session Permissions");
	is_int(evt_get(EV_INFO, 0, "no rights")->type, EV_INFO,
	    "permissions without AcceptAnyRecipient: info");
	(void)FEED("<,STARTTLS,");
	(void)FEED(">,220 2.0.0 SMTP server ready,");
	e = evt_get(EV_TLS, 0, "STARTTLS");
	is_str(S(e->text), "STARTTLS", "TLS: text");
	(void)FEED("<,AUTH PLAIN AGRhdmUAZGF2ZTEyMzQ=,");
	e = evt_get(EV_INFO, 0, "AUTH PLAIN");
	is_str(S(e->text), "AUTH PLAIN <redacted>", "AUTH: response redacted");
	ok(span_find(e->ref.raw, "ZGF2ZTEyMzQ") == NULL &&
	    span_find(e->ref.raw, "<redacted>") != NULL,
	    "AUTH: evidence line redacted");
	(void)FEED(">,334 ,");
	(void)FEED("<,c2VjcmV0,");
	is_int(nevt, 0, "a client line inside AUTH gives nothing");
	(void)FEED("*,SMTPSubmit SMTPAcceptAnyRecipient,Set Session "
	    "Permissions");
	ok(evt_find(EV_WARNING, 0) == NULL,
	    "permissions granted while authenticating: no warning");
	(void)FEED("*,CORP\\dave,authenticated");
	(void)FEED(">,235 2.7.0 Authentication successful,");
	e = evt_get(EV_AUTH, 0, "AUTH");
	is_str(S(e->sasl_method), "PLAIN", "AUTH: method");
	is_str(S(e->sasl_user), "CORP\\dave", "AUTH: user");
	is_int(e->reply_code, 235, "AUTH: code");
	(void)FEED("*,SMTPSubmit SMTPAcceptAnyRecipient,Set Session "
	    "Permissions");
	ok(evt_find(EV_WARNING, 0) == NULL, "authenticated: no warning");
	(void)FEED("-,,Remote");
	is_str(S(evt_get(EV_DISCONNECT, 0, "v6 end")->status), "Remote",
	    "remote end");

	/* The tracking row of that session names the user. */
	header(ml, "Message Tracking Log", trk_fields);
	(void)evt_feed(ml, "2026-12-01T20:22:00.680Z,2001:db8::45,"
	    "2001:db8::45,192.0.2.25,EX01,08D3A1B2C3D40055;"
	    "2026-12-01T20:22:00.680Z;0,EX01\\Client EX01,SMTP,RECEIVE,1007,"
	    "<s05@corp.example>,friend@mail.example.org,,2048,1,,,Re: lunch,"
	    "dave@corp.example,dave@corp.example,04I:,Originating,,,,");
	e = evt_get(EV_CLIENT, 0, "authenticated RECEIVE");
	is_str(S(e->sasl_user), "CORP\\dave", "RECEIVE: user of the session");
	is_str(S(e->sasl_method), "PLAIN", "RECEIVE: method of the session");
	is_str(S(e->client_ip), "2001:db8::45", "RECEIVE: IPv6 client");
#undef FEED
}

static void
t_protocol_odd(struct mtalog *ml)
{
	const struct event	*e;
	uint64_t		 f1, f2;

	/* Header-less rows; a Send connector's session gives nothing. */
	evt_source(ml);
	is_int(evt_feed(ml, "2024-01-25T15:14:39.460Z,Inbound Proxy Internal "
	    "Send Connector,08DC1DB8591B22A0,1,,10.11.12.13:2525,*,,attempting "
	    "to connect"), PARSE_OK, "a Send connector row");
	is_int(nevt, 0, "Send sessions give no events");
	is_int(evt_feed(ml, "2024-01-25T15:14:39.460Z,Inbound Proxy Internal "
	    "Send Connector,08DC1DB8591B22A0,2,,10.11.12.13:2525,>,EHLO x,"),
	    PARSE_OK, "its EHLO");
	is_int(nevt, 0, "still nothing");
	/* CrowdSec's rows: a reply with no command seen. */
	is_int(evt_feed(ml, "2022-07-20T21:12:06.270Z,EXCHANGE-1\\Default "
	    "Frontend EXCHANGE-1,08DA4F7C11473A60,9,192.168.9.241:25,"
	    "192.168.9.212:53722,>,535 5.7.3 Authentication unsuccessful,"),
	    PARSE_OK, "a reply without its command");
	e = evt_get(EV_AUTH_FAIL, 0, "535 without AUTH");
	is_int(e->reply_code, 535, "535 without AUTH: a failed AUTH");
	/* A session first seen at its 535, twice; a 250 then is nothing. */
	(void)evt_feed(ml, "2026-12-01T20:30:01.000Z,EX02\\Client EX02,"
	    "08D3A1B2C3D4AAAA,7,192.0.2.30:587,198.51.100.40:40001,>,"
	    "535 5.7.8 Authentication credentials invalid,");
	e = evt_get(EV_AUTH_FAIL, 0, "first 535");
	is_str(S(e->client_ip), "198.51.100.40", "535: the client");
	is_str(S(e->dsn), "5.7.8", "535: the DSN");
	(void)evt_feed(ml, "2026-12-01T20:30:02.000Z,EX02\\Client EX02,"
	    "08D3A1B2C3D4AAAA,8,192.0.2.30:587,198.51.100.40:40001,>,"
	    "535 5.7.8 Authentication credentials invalid,");
	ok(evt_find(EV_AUTH_FAIL, 0) != NULL && nevt == 1,
	    "second 535: one more failure");
	(void)evt_feed(ml, "2026-12-01T20:30:03.000Z,EX02\\Client EX02,"
	    "08D3A1B2C3D4AAAA,9,192.0.2.30:587,198.51.100.40:40001,>,"
	    "250 2.0.0 OK,");
	is_int(nevt, 0, "another reply without its command: nothing");
	/* Anonymised session ids: sessions told apart by endpoint. */
	(void)evt_feed(ml, "2016-12-14T01:17:34.808Z,EX\\Default ,"
	    "0000000000000000,0,192.0.2.9:25,91.112.61.94:55171,+,,");
	f1 = evt_get(EV_CONNECT, 0, "zero id 1")->flow;
	(void)evt_feed(ml, "2016-12-14T01:17:34.808Z,EX\\Default ,"
	    "0000000000000000,0,192.0.2.9:25,91.112.61.95:55172,+,,");
	f2 = evt_get(EV_CONNECT, 0, "zero id 2")->flow;
	ok(f1 != 0 && f2 != 0 && f1 != f2, "zero session ids: distinct flows");
	e = NULL;
	is_int(evt_feed(ml, "2016-12-14T01:17:34.808Z,EX\\Default ,"
	    "0000000000000000,0,192.0.2.9:25,91.112.61.94:55171,?,,"),
	    PARSE_BAD, "an unknown event character");
	is_int(evt_feed(ml, "2016-12-14T01:17:34.808Z,EX\\Default ,,0,"
	    "192.0.2.9:25,91.112.61.94:55171,+,,"), PARSE_BAD,
	    "no session id");
	(void)e;
}

static void
t_helpers(void)
{
	struct msft_reply	r;
	struct span		ip;
	uint16_t		port;

	msft_reply_parse(span_from_cstr("250-SIZE 10485760"), &r);
	is_int(r.code, 250, "reply: code");
	ok(!r.last, "reply: 250- is not the last line");
	msft_reply_parse(span_from_cstr("550 5.7.54 SMTP; Unable to relay"),
	    &r);
	is_str(S(r.dsn), "5.7.54", "reply: three-digit detail");
	is_str(S(r.text), "SMTP; Unable to relay", "reply: text");
	msft_reply_parse(span_from_cstr("OK"), &r);
	is_int(r.code, 0, "not a reply");
	is_str(S(msft_path(span_from_cstr("FROM:<>"), "FROM:")), "",
	    "path: null sender");
	is_str(S(msft_path(span_from_cstr("TO:  <a@b> NOTIFY=NEVER"), "TO:")),
	    "a@b", "path: spaces before <");
	is_str(S(msft_path(span_from_cstr("to:a@b SIZE=1"), "TO:")), "a@b",
	    "path: no brackets, any case");
	ok(msft_path(span_from_cstr("TOO:a"), "TO:").p == NULL,
	    "path: wrong keyword");
	ok(!msft_endpoint(span_from_cstr("[::1]"), &ip, &port),
	    "endpoint without a port");
	ok(!msft_endpoint(span_from_cstr("a.b.c.d:25"), &ip, &port),
	    "endpoint that is not an address");
	ok(msft_endpoint(span_from_cstr("192.0.2.1:0"), &ip, &port) &&
	    port == 0, "endpoint port 0");
}

int
main(void)
{
	struct mtalog	*ml;

	t_detect();
	t_helpers();
	ml = new_ml();
	t_msgtrk(ml);
	t_headerless(ml);
	t_fields_change(ml);
	t_hostile(ml);
	t_protocol(ml);
	t_auth(ml);
	t_protocol_odd(ml);
	mtalog_free(ml);
	return (done_testing());
}
