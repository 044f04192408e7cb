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
 * journalctl -o json and -o export through mtalog: entries become the
 * Postfix events of their MESSAGE, with the journal's time; the JSON
 * reader on its own (escapes, surrogates, byte arrays, limits) and
 * hostile input.  Lines are in the shape of samples/journald (Debian 12,
 * systemd 252).  1796157777821480 us is 2026-12-01T20:42:57.821480Z.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journald.h"
#include "json.h"
#include "mtalog.h"
#include "tap.h"
#include "evtap.h"

#define T	1796157777

static struct mtalog *
new_ml(void)
{
	struct mtalog_opts	o = { 0, "UTC", NULL };

	return (mtalog_new(&o));
}

static void
t_json_reader(void)
{
	struct json_obj			 o;
	const struct json_field		*f;
	char				*big;
	size_t				 i;

	json_obj_init(&o);
	is_int(json_obj_parse(&o, span_from_cstr("{\"A\":\"x\\u00e9\\ud83d"
	    "\\ude00\\n\\\"\\\\\\/\",\"B\":[104,105],\"C\":null,\"D\":-1.5e3,"
	    "\"E\":{\"n\":[1,{\"m\":true}]},\"F\":[\"one\",\"two\"],\"G\":false"
	    ","
	    "\"H\":[[1,2],3]} ")), 0, "a valid object");
	is_int(o.n, 8, "eight members");
	f = json_obj_get(&o, "A");
	is_str(S(f->value), "x\xc3\xa9\xf0\x9f\x98\x80\n\"\\/",
	    "escapes, BMP and a surrogate pair");
	f = json_obj_get(&o, "B");
	is_int(f->type, JSON_BYTES, "a byte array");
	is_str(S(f->value), "hi", "its bytes");
	is_int(json_obj_get(&o, "C")->type, JSON_NULL, "null");
	f = json_obj_get(&o, "D");
	is_int(f->type, JSON_NUMBER, "a number");
	is_str(S(f->value), "-1.5e3", "as written");
	is_int(json_obj_get(&o, "E")->type, JSON_OTHER, "an object: skipped");
	f = json_obj_get(&o, "F");
	is_int(f->type, JSON_STRING, "several values: the first");
	is_str(S(f->value), "one", "the first value");
	is_int(json_obj_get(&o, "G")->type, JSON_BOOL, "false");
	f = json_obj_get(&o, "H");
	is_int(f->type, JSON_BYTES, "an array of byte arrays: the first");
	is_int(f->value.n, 2, "its two bytes");
	ok(json_obj_get(&o, "Z") == NULL, "no such member");

	is_int(json_obj_parse(&o, span_from_cstr("{\"A\":\"\\ud800x\","
	    "\"B\":\"\\udc00\"}")), 0, "lone surrogates");
	is_str(S(json_obj_get(&o, "A")->value), "\xef\xbf\xbdx",
	    "a lone high surrogate is U+FFFD");
	is_int(o.replaced, 2, "both counted");

	is_int(json_obj_parse(&o, span_from_cstr("{}")), 0, "empty object");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":1}x")), -1,
	    "junk after the object");
	is_int(json_obj_parse(&o, span_from_cstr("[1]")), -1, "not an object");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\xff\"}")), -1,
	    "invalid UTF-8");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\xc0\xaf\"}")), -1,
	    "overlong UTF-8");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\xed\xa0\x80\"}")),
	    -1, "an encoded surrogate");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\x01\"}")), -1,
	    "a raw control character");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\\x\"}")), -1,
	    "an unknown escape");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"\\u12g4\"}")), -1,
	    "a bad \\u escape");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":01}")), -1,
	    "a leading zero");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":1,}")), -1,
	    "a trailing comma");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\" 1}")), -1,
	    "no colon");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":tru}")), -1,
	    "a cut literal");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":\"x")), -1,
	    "an unclosed string");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":[256]}")), 0,
	    "256 is a number, not a byte");
	is_int(json_obj_get(&o, "a")->type, JSON_OTHER, "so the array is othe"
	    "r");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":[[[[[[[[[[[[[[[[[[1"
	    "]]]]]]]]]]]]]]]]]]}")), -1, "nested too deep");
	is_int(json_obj_parse(&o, span_from_cstr("{\"a\":[[[[[[[[[[1]]]]]]]]]"
	    "]}")), 0, "nested within the limit");
	big = malloc(JSON_INPUT_MAX + 16);
	memcpy(big, "{\"a\":\"", 6);
	for (i = 6; i < JSON_INPUT_MAX + 8; i++)
		big[i] = 'x';
	memcpy(big + i, "\"}", 2);
	is_int(json_obj_parse(&o, (struct span){ big, i + 2 }), -1,
	    "over 64 KB");
	free(big);
	json_obj_free(&o);
}

static void
t_json(struct mtalog *ml)
{
	const struct event	*e;
	char			 line[2048];

	ok(journald_detect(span_from_cstr("{\"__CURSOR\":\"s=1\","
	    "\"__REALTIME_TIMESTAMP\":\"1\"}")), "detect a JSON entry");
	ok(!journald_detect(span_from_cstr("{\"events\":[]}")),
	    "not any JSON");
	ok(journald_detect(span_from_cstr("__CURSOR=s=1;i=2")),
	    "detect an export entry");
	evt_source(ml);
	is_int(evt_feed(ml, "{\"_PID\":\"27215\",\"_COMM\":\"python3\","
	    "\"SYSLOG_TIMESTAMP\":\"Dec  1 20:42:57 \",\"__REALTIME_TIMESTAMP\""
	    ":"
	    "\"1796157777821480\",\"PRIORITY\":\"6\",\"_HOSTNAME\":\"mx\","
	    "\"SYSLOG_FACILITY\":\"2\",\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\","
	    "\"SYSLOG_PID\":\"13384\",\"MESSAGE\":\"connect from "
	    "localhost[127.0.0.1]\",\"_TRANSPORT\":\"syslog\"}"), PARSE_OK,
	    "a Postfix entry");
	is_str(mtalog_format(ml), "journald", "format name");
	e = evt_get(EV_CONNECT, 0, "JSON entry");
	is_int(e->time, T, "time from __REALTIME_TIMESTAMP");
	is_int(e->usec, 821480, "its microseconds");
	is_str(S(e->host), "mx", "host from _HOSTNAME");
	is_str(S(e->program), "postfix/smtpd", "program");
	is_str(S(e->service), "smtpd", "service");
	is_int(e->pid, 13384, "SYSLOG_PID, not the writer's _PID");
	is_str(S(e->client_ip), "127.0.0.1", "the message parsed");
	ok(span_startswith(e->ref.raw, "{\"_PID\""), "evidence is the line");

	/* Non-UTF-8 MESSAGE as bytes; _COMM and _PID when that is all. */
	(void)snprintf(line, sizeof(line), "{\"__REALTIME_TIMESTAMP\":"
	    "\"1796157777000000\",\"_HOSTNAME\":\"mx\",\"_COMM\":\"postfix/qmgr"
	    "\",\"_PID\":\"13390\",\"MESSAGE\":[52,70,49,50,51,52,53,54,55,56,5"
	    "8,"
	    "32,114,101,109,111,118,101,100]}");
	is_int(evt_feed(ml, line), PARSE_OK, "a byte-array MESSAGE");
	e = evt_get(EV_REMOVED, 0, "byte-array entry");
	is_str(S(e->queue_id), "4F12345678", "bytes decoded");
	is_int(e->pid, 13390, "_PID without SYSLOG_PID");
	is_int(e->usec, 0, "no fraction");

	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"1796157777000000\","
	    "\"SYSLOG_IDENTIFIER\":\"systemd\",\"MESSAGE\":\"Started x\"}"),
	    PARSE_SKIP, "another program's entry");
	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"1796157777000000\","
	    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"MESSAGE\":null}"),
	    PARSE_BAD, "MESSAGE null (too big for journalctl)");
	is_int(evt_feed(ml, "{\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\","
	    "\"MESSAGE\":\"connect from x[192.0.2.1]\"}"), PARSE_BAD,
	    "no time");
	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"-5\","
	    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"MESSAGE\":\"x\"}"),
	    PARSE_BAD, "a negative time");
	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"1796157777000000\","
	    "\"_SOURCE_REALTIME_TIMESTAMP\":\"1\",\"SYSLOG_IDENTIFIER\":"
	    "\"postfix/smtpd\",\"MESSAGE\":\"connect from x[192.0.2.1]\"}"),
	    PARSE_OK, "no host, no pid");
	e = evt_get(EV_CONNECT, 0, "no host");
	ok(e->host.n == 0, "empty host");
	is_int(e->pid, -1, "unknown pid");
	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"1796157777000000\","
	    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"MESSAGE\":\"\xff\"}"),
	    PARSE_BAD, "invalid UTF-8 in a string");
	is_int(evt_feed(ml, "{\"__REALTIME_TIMESTAMP\":\"1796157777000000\","
	    "\"SYSLOG_IDENTIFIER\":\"postfix/smtpd\",\"MESSAGE\":\"connect from"
	    " x[192.0.2.1]\"} trailing"), PARSE_BAD, "junk after the entry");
	is_int(evt_feed(ml, "{\"MESSAGE\":\"connect from"), PARSE_BAD,
	    "a cut entry");
}

/* exfeed - several export lines given as one string with newlines. */
static enum parse_result
exfeed(struct mtalog *ml, const char *s, size_t n, int *events)
{
	enum parse_result	 r = PARSE_OK, x;
	const char		*p = s, *end = s + n, *nl;

	*events = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		x = evt_feedn(ml, p, (size_t)(nl - p));
		*events += nevt;
		if (x != PARSE_OK && x != PARSE_SKIP && r == PARSE_OK)
			r = x;
		p = nl + 1;
	}
	return (r);
}

static void
t_export(struct mtalog *ml)
{
	static const char	 rec1[] = "__CURSOR=s=3d9d;i=3\n"
	    "__REALTIME_TIMESTAMP=1796157777821480\n"
	    "_HOSTNAME=mx\n_PID=27215\nSYSLOG_IDENTIFIER=postfix/smtpd\n"
	    "MESSAGE=connect from localhost[127.0.0.1]\nSYSLOG_PID=13384\n"
	    "_COMM=python3\n\n";
	static const char	 rec2[] = "__CURSOR=s=3d9d;i=4\n"
	    "__REALTIME_TIMESTAMP=1796157778000000\n"
	    "SYSLOG_IDENTIFIER=postfix/smtpd\nMESSAGE=disconnect from "
	    "localhost[127.0.0.1] ehlo=1 quit=1 commands=2\n_PID=13384\n"
	    "_HOSTNAME=mx\n\n";
	char			 bin[256];
	const struct event	*e;
	size_t			 n;
	int			 events;

	evt_source(ml);
	is_int(exfeed(ml, rec1, sizeof(rec1) - 1, &events), PARSE_OK,
	    "an export entry");
	is_int(events, 1, "one event, once SYSLOG_PID came");
	is_str(mtalog_format(ml), "journald", "export: format name");
	/* rec2 has no SYSLOG_PID: it goes out at the next entry. */
	is_int(exfeed(ml, rec2, sizeof(rec2) - 1, &events), PARSE_OK,
	    "an entry without SYSLOG_PID");
	is_int(events, 0, "waits for its end");
	is_int(evt_feed(ml, "__CURSOR=s=3d9d;i=5"), PARSE_OK, "the next one");
	e = evt_get(EV_DISCONNECT, 0, "at the next entry");
	is_int(e->pid, 13384, "_PID");
	is_int(e->time, T + 1, "its time");
	ok(span_startswith(e->ref.raw, "MESSAGE=disconnect"),
	    "evidence is the MESSAGE line");
	is_int(e->ref.line, 13, "its line number");
	is_str(S(e->counters), "ehlo=1 quit=1 commands=2", "counters");

	/* A binary MESSAGE whose length holds a newline byte (10). */
	n = 0;
	n += (size_t)snprintf(bin + n, sizeof(bin) - n,
	    "__REALTIME_TIMESTAMP=1796157779000000\n_HOSTNAME=mx\n"
	    "SYSLOG_IDENTIFIER=postfix/qmgr\nSYSLOG_PID=13390\nMESSAGE\n");
	memcpy(bin + n, "\n\0\0\0\0\0\0\0", 8);
	n += 8;
	memcpy(bin + n, "warning: x\n", 11);
	n += 11;
	is_int(exfeed(ml, bin, n, &events), PARSE_OK, "a binary MESSAGE");
	is_int(events, 1, "its event");
	e = &evt[0].ev;
	is_str(S(e->program), "postfix/qmgr", "binary: program");
	is_int(e->pid, 13390, "binary: pid");
	is_str(S(e->text), "warning: x", "binary: the message, its length from "
	    "the "
	    "newline byte");
	ok(span_eq_cstr(e->ref.raw, "MESSAGE"), "binary: evidence line");
	/* A binary field longer than kept is skipped to its end. */
	n = 0;
	n += (size_t)snprintf(bin + n, sizeof(bin) - n, "__CURSOR=s=1;i=9\n"
	    "DATA\n");
	memcpy(bin + n, "\xff\xff\xff\x7f\0\0\0\0abc\n", 12);
	n += 12;
	n += (size_t)snprintf(bin + n, sizeof(bin) - n, "MESSAGE=x\n");
	is_int(exfeed(ml, bin, n, &events), PARSE_OK, "an overlong field");
	is_int(evt_feed(ml, "bad line"), PARSE_OK,
	    "still inside the overlong field");
	evt_source(ml);
	(void)evt_feed(ml, "__CURSOR=s=1");
	is_int(evt_feed(ml, "not a field"), PARSE_BAD, "not KEY=value");
	is_int(evt_feed(ml, "lower=case"), PARSE_BAD, "a lower-case name");
}

int
main(void)
{
	struct mtalog	*ml;

	t_json_reader();
	ml = new_ml();
	t_json(ml);
	t_export(ml);
	mtalog_free(ml);
	return (done_testing());
}
