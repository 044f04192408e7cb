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
 * The SMTP wire parser driven through its flow_sink with byte strings:
 * detection, framing, pipelining, every command, DATA and BDAT with their
 * hashes (computed independently with sha256sum), headers, STARTTLS and
 * implicit TLS, AUTH with the password nowhere in any event, gaps,
 * mid-stream pickup, one-sided captures, queue ids of the common MTAs,
 * and hostile input.  Clock: 2026-12-01 20:31:02 UTC (1796157062), one
 * millisecond per packet; packets are numbered from 1 across the test.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapin.h"
#include "smtpwire.h"
#include "smtpwire_int.h"
#include "tap.h"
#include "xmalloc.h"

#define T0		1796157062
#define MAXEV		8192

/* An event with every span copied to a C string. */
struct tev {
	enum ev_type	 type;
	int64_t		 time;
	int32_t		 usec;
	uint32_t	 source;
	uint64_t	 line, offset, flow;
	char		*raw, *host, *program, *service, *client_ip;
	char		*server_ip;
	char		*helo, *sasl_method, *sasl_user, *sender, *rcpt;
	char		*queue_id, *message_id, *stage, *dsn, *status;
	char		*text, *text2, *counters, *client_name, *instance;
	uint16_t	 client_port, server_port;
	int64_t		 pid, size, nrcpt;
	int		 reply_code;
};

static struct tev	 evs[MAXEV];
static int		 nev;
static char		*all;		/* every byte of every span */
static size_t		 all_len, all_cap;

/* cp - a span as a new C string ("" when empty), kept in all as well. */
static char *
cp(struct span s)
{
	char	*p;

	if (all_len + s.n + 1 > all_cap) {
		all_cap = (all_len + s.n + 1) * 2;
		all = xreallocarray(all, all_cap, 1);
	}
	if (s.n > 0)
		memcpy(all + all_len, s.p, s.n);
	all_len += s.n;
	all[all_len++] = '\n';
	p = xmalloc(s.n + 1);
	if (s.n > 0)
		memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	return (p);
}

static void
tev_free(struct tev *t)
{
	free(t->raw); free(t->host); free(t->program); free(t->service);
	free(t->client_ip); free(t->server_ip); free(t->helo);
	free(t->sasl_method); free(t->sasl_user); free(t->sender);
	free(t->rcpt); free(t->queue_id); free(t->message_id); free(t->stage);
	free(t->dsn); free(t->status); free(t->text); free(t->text2);
	free(t->counters); free(t->client_name); free(t->instance);
}

/* collect - the sink: copy everything, the spans die after the call. */
static void
collect(void *arg, const struct event *ev)
{
	struct tev	*t;

	(void)arg;
	if (nev >= MAXEV) {
		nev++;
		return;
	}
	t = &evs[nev++];
	t->type = ev->type;
	t->time = ev->time;
	t->usec = ev->usec;
	t->source = ev->ref.source;
	t->line = ev->ref.line;
	t->offset = ev->ref.offset;
	t->flow = ev->flow;
	t->raw = cp(ev->ref.raw);
	t->host = cp(ev->host);
	t->program = cp(ev->program);
	t->service = cp(ev->service);
	t->instance = cp(ev->instance);
	t->client_ip = cp(ev->client_ip);
	t->server_ip = cp(ev->server_ip);
	t->client_name = cp(ev->client_name);
	t->helo = cp(ev->helo);
	t->sasl_method = cp(ev->sasl_method);
	t->sasl_user = cp(ev->sasl_user);
	t->sender = cp(ev->sender);
	t->rcpt = cp(ev->rcpt);
	t->queue_id = cp(ev->queue_id);
	t->message_id = cp(ev->message_id);
	t->stage = cp(ev->stage);
	t->dsn = cp(ev->dsn);
	t->status = cp(ev->status);
	t->text = cp(ev->text);
	t->text2 = cp(ev->text2);
	t->counters = cp(ev->counters);
	free(cp(ev->orig_rcpt));
	free(cp(ev->proto));
	free(cp(ev->relay));
	free(cp(ev->new_queue_id));
	t->client_port = ev->client_port;
	t->server_port = ev->server_port;
	t->pid = ev->pid;
	t->size = ev->size;
	t->nrcpt = ev->nrcpt;
	t->reply_code = ev->reply_code;
}

/* reset_events - forget the events, keep their bytes for in_all(). */
static void
reset_events(void)
{
	int	i;

	for (i = 0; i < nev && i < MAXEV; i++)
		tev_free(&evs[i]);
	nev = 0;
}

static void
reset(void)
{
	reset_events();
	all_len = 0;
}

/* in_all - does needle occur anywhere in the bytes of the events? */
static bool
in_all(const char *needle)
{
	size_t	n = strlen(needle), i;

	for (i = 0; i + n <= all_len; i++)
		if (memcmp(all + i, needle, n) == 0)
			return (true);
	return (false);
}

/* The test's side of reassembly: one connection. */
struct drv {
	struct smtpwire		*sw;
	struct flow_sink	 fs;
	void			*f;
	struct flow_info	 fi;
	uint64_t		 off[2];
	int32_t			 chunk;		/* 0: whole */
};

static uint64_t		 packet;
static int64_t		 clock_us;

static struct flow_pos
next_pos(void)
{
	struct flow_pos	p;

	packet++;
	clock_us += 1000;
	p.packet = packet;
	p.sec = T0 + clock_us / 1000000;
	p.usec = (int32_t)(clock_us % 1000000);
	p.offset = 0;
	return (p);
}

static void
d_open(struct drv *d, struct smtpwire *sw, uint64_t id, const char *cip,
    uint16_t cport, const char *sip, uint16_t sport, bool syn)
{
	memset(d, 0, sizeof(*d));
	d->sw = sw;
	d->fs = smtpwire_flow_sink(sw);
	d->fi.id = id;
	d->fi.family = strchr(cip, ':') != NULL ? 6 : 4;
	(void)snprintf(d->fi.client_ip, sizeof(d->fi.client_ip), "%s", cip);
	(void)snprintf(d->fi.server_ip, sizeof(d->fi.server_ip), "%s", sip);
	d->fi.client_port = cport;
	d->fi.server_port = sport;
	d->fi.saw_syn = syn;
	d->fi.start = next_pos();
	d->f = d->fs.open(d->fs.arg, &d->fi);
}

/* d_send - bytes of one direction in one packet (or in d->chunk pieces). */
static void
d_send(struct drv *d, enum flow_dir dir, const void *p, size_t n)
{
	struct flow_pos	 pos;
	const uint8_t	*b = p;
	size_t		 k;

	while (n > 0) {
		k = d->chunk > 0 && (size_t)d->chunk < n ? (size_t)d->chunk : n;
		pos = next_pos();
		pos.offset = d->off[dir];
		d->fs.data(d->fs.arg, d->f, dir, b, k, &pos);
		d->off[dir] += k;
		b += k;
		n -= k;
	}
}

#define C(d, s)	d_send((d), FLOW_C2S, (s), sizeof(s) - 1)
#define S(d, s)	d_send((d), FLOW_S2C, (s), sizeof(s) - 1)

static void
d_gap(struct drv *d, enum flow_dir dir, uint64_t n)
{
	struct flow_pos	pos = next_pos();

	pos.offset = d->off[dir];
	d->fs.gap(d->fs.arg, d->f, dir, n, &pos);
	d->off[dir] += n;
}

static void
d_close(struct drv *d, enum flow_end e)
{
	struct flow_pos	pos = next_pos();

	pos.offset = d->off[FLOW_C2S];
	d->fs.close(d->fs.arg, d->f, e, &pos);
	d->f = NULL;
}

/* find - the n-th (from 0) event of type t, or NULL. */
static struct tev *
find(enum ev_type t, int n)
{
	int	i;

	for (i = 0; i < nev && i < MAXEV; i++)
		if (evs[i].type == t && n-- == 0)
			return (&evs[i]);
	return (NULL);
}

static int
count(enum ev_type t)
{
	int	i, c = 0;

	for (i = 0; i < nev && i < MAXEV; i++)
		c += evs[i].type == t;
	return (c);
}

/* must - find() that never returns NULL (a blank event instead). */
static struct tev *
must(enum ev_type t, int n, const char *what)
{
	static struct tev	 blank;
	static char		 empty[] = "";
	struct tev		*e;

	if ((e = find(t, n)) != NULL)
		return (e);
	ok(0, "%s: %s #%d exists", what, ev_type_name(t), n);
	blank.raw = blank.host = blank.program = blank.service = empty;
	blank.client_ip = blank.server_ip = blank.helo = empty;
	blank.sasl_method = blank.sasl_user = blank.sender = empty;
	blank.rcpt = blank.queue_id = blank.message_id = blank.stage = empty;
	blank.dsn = blank.status = blank.text = blank.text2 = empty;
	blank.counters = blank.client_name = blank.instance = empty;
	return (&blank);
}

/* types - the event types in order, as "connect banner helo ...". */
static const char *
types(void)
{
	static char	b[4096];
	size_t		len = 0;
	int		i;

	b[0] = '\0';
	for (i = 0; i < nev && i < MAXEV && len + 20 < sizeof(b); i++)
		len += (size_t)snprintf(b + len, sizeof(b) - len, "%s%s",
		    i ? " " : "", ev_type_name(evs[i].type));
	return (b);
}

#define BANNER	"220 mx.corp.example ESMTP Postfix (Debian/GNU)\r\n"
#define EHLO_REPLY \
	"250-mx.corp.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
	"250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-ENHANCEDSTATUSCODES\r\n" \
	"250-8BITMIME\r\n250 CHUNKING\r\n"

/* The message of t_basic as sent (dot-stuffed). */
#define BODY_WIRE \
	"From: alice@corp.example\r\n" \
	"To: bob@corp.example,\r\n carol@corp.example\r\n" \
	"Subject: Lunch\r\n\ton Friday?\r\n" \
	"Date: Tue, 01 Dec 2026 20:42:54 -0000\r\n" \
	"Message-ID: <ee0b77d70e.p1-01@corp.example>\r\n" \
	"MIME-Version: 1.0\r\n" \
	"\r\n" \
	"Lunch on Friday?\r\n" \
	"...dotted line\r\n" \
	"....\r\n" \
	"end\r\n" \
	".\r\n"
/* sha256sum of it unstuffed (247 octets). */
#define BODY_SHA \
	"ac80d03d9cd38239e49da268e2aad5c59afbc188ae1690dd06492ab7b04a0650"

/* basic_session - t_basic's conversation, each write one packet. */
static void
basic_session(struct drv *d)
{
	S(d, BANNER);
	C(d, "EHLO localhost\r\n");
	S(d, EHLO_REPLY);
	C(d, "MAIL FROM:<alice@corp.example> SIZE=247 BODY=8BITMIME\r\n");
	S(d, "250 2.1.0 Ok\r\n");
	C(d, "RCPT TO:<bob@corp.example>\r\nRCPT TO:<carol@corp.example>\r\n");
	S(d, "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n");
	C(d, "DATA\r\n");
	S(d, "354 End data with <CR><LF>.<CR><LF>\r\n");
	C(d, BODY_WIRE);
	S(d, "250 2.0.0 Ok: queued as E68E6A72459\r\n");
	C(d, "QUIT\r\n");
	S(d, "221 2.0.0 Bye\r\n");
}

static void
t_basic(void)
{
	struct smtpwire		*sw;
	struct drv		 d;
	struct tev		*e;
	uint64_t		 p0;

	reset();
	sw = smtpwire_new(collect, NULL, 7);
	p0 = packet;
	d_open(&d, sw, 42, "127.0.0.21", 55635, "127.0.0.1", 25, true);
	basic_session(&d);
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo mail rcpt rcpt header header "
	    "header header header data info disconnect", "basic: events");

	e = must(EV_CONNECT, 0, "basic");
	is_int(e->line, p0 + 1, "connect: packet of the SYN");
	is_int(e->time, T0, "connect: time");
	is_int(e->usec, (int)((p0 + 1) * 1000 % 1000000), "connect: usec");
	is_int(e->source, 7, "connect: source index");
	is_int(e->flow, 42, "connect: flow");
	is_str(e->client_ip, "127.0.0.21", "connect: client ip");
	is_int(e->client_port, 55635, "connect: client port");
	is_str(e->server_ip, "127.0.0.1", "connect: server ip");
	is_int(e->server_port, 25, "connect: server port");
	is_str(e->host, "127.0.0.1", "connect: host is the server");
	is_str(e->program, "smtp-wire", "connect: program");
	is_str(e->service, "smtp-wire", "connect: service");
	is_int(e->pid, -1, "connect: pid");
	is_str(e->text, "", "connect: not mid-stream");
	is_str(e->raw, "* connect [127.0.0.21]:55635 -> [127.0.0.1]:25",
	    "connect: raw");

	e = must(EV_BANNER, 0, "basic");
	is_int(e->reply_code, 220, "banner: code");
	is_str(e->text, "mx.corp.example ESMTP Postfix (Debian/GNU)",
	    "banner: text");
	is_str(e->raw, "S: 220 mx.corp.example ESMTP Postfix (Debian/GNU)",
	    "banner: raw");
	is_int(e->line, p0 + 2, "banner: packet");
	is_int(e->offset, 0, "banner: offset");

	e = must(EV_HELO, 0, "basic");
	is_str(e->stage, "EHLO", "helo: stage");
	is_str(e->helo, "localhost", "helo: name");
	is_int(e->reply_code, 250, "helo: code");
	is_str(e->text, "mx.corp.example\nPIPELINING\nSIZE 10240000\n"
	    "AUTH PLAIN LOGIN CRAM-MD5\nENHANCEDSTATUSCODES\n8BITMIME\n"
	    "CHUNKING", "helo: text of every line");
	is_str(e->raw, "C: EHLO localhost\nS: 250-mx.corp.example\n"
	    "S: 250-PIPELINING\nS: 250-SIZE 10240000\n"
	    "S: 250-AUTH PLAIN LOGIN CRAM-MD5\nS: 250-ENHANCEDSTATUSCODES\n"
	    "S: 250-8BITMIME\nS: 250 CHUNKING", "helo: raw, all lines");
	is_int(e->line, p0 + 3, "helo: packet of the command");
	is_int(e->offset, 0, "helo: offset");

	e = must(EV_MAIL, 0, "basic");
	is_str(e->sender, "alice@corp.example", "mail: sender");
	is_int(e->size, 247, "mail: SIZE=");
	is_str(e->text2, "SIZE=247 BODY=8BITMIME", "mail: parameters");
	is_int(e->reply_code, 250, "mail: code");
	is_str(e->dsn, "2.1.0", "mail: dsn");
	is_str(e->text, "Ok", "mail: text");
	is_str(e->raw, "C: MAIL FROM:<alice@corp.example> SIZE=247 "
	    "BODY=8BITMIME\nS: 250 2.1.0 Ok", "mail: raw");
	is_int(e->offset, 16, "mail: offset");
	is_int(e->line, p0 + 5, "mail: packet");

	e = must(EV_RCPT, 1, "basic");
	is_str(e->rcpt, "carol@corp.example", "rcpt 2: address");
	is_int(e->reply_code, 250, "rcpt 2: code");
	is_int(e->offset, 16 + 55 + 28, "rcpt 2: offset");
	is_int(e->line, p0 + 7, "rcpt 2: packet (pipelined with rcpt 1)");

	e = must(EV_HEADER, 0, "basic");
	is_str(e->stage, "From", "header 1: name");
	is_str(e->text, "alice@corp.example", "header 1: value");
	is_str(e->raw, "C: From: alice@corp.example", "header 1: raw");
	is_int(e->offset, 16 + 55 + 28 + 30 + 6, "header 1: offset");
	e = must(EV_HEADER, 1, "basic");
	is_str(e->stage, "To", "header 2: name");
	is_str(e->text, "bob@corp.example, carol@corp.example",
	    "header 2: unfolded");
	e = must(EV_HEADER, 2, "basic");
	is_str(e->text, "Lunch\ton Friday?", "header 3: unfolded with tab");
	e = must(EV_HEADER, 4, "basic");
	is_str(e->stage, "Message-ID", "header 5: name");

	e = must(EV_DATA, 0, "basic");
	is_str(e->stage, "END-OF-MESSAGE", "data: stage");
	is_int(e->size, 247, "data: size unstuffed");
	is_str(e->text2, BODY_SHA, "data: SHA-256");
	is_str(e->queue_id, "E68E6A72459", "data: queue id");
	is_str(e->message_id, "ee0b77d70e.p1-01@corp.example",
	    "data: message id");
	is_int(e->nrcpt, 2, "data: nrcpt");
	is_int(e->reply_code, 250, "data: code");
	is_str(e->dsn, "2.0.0", "data: dsn");
	is_str(e->status, "", "data: complete");
	is_str(e->raw, "C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n"
	    "C: .\nS: 250 2.0.0 Ok: queued as E68E6A72459", "data: raw");
	is_int(e->offset, 16 + 55 + 28 + 30 + 6 + sizeof(BODY_WIRE) - 4,
	    "data: offset of the dot line");
	is_int(e->line, p0 + 11, "data: packet of the dot line");

	e = must(EV_INFO, 0, "basic");
	is_str(e->stage, "QUIT", "quit: stage");
	is_int(e->reply_code, 221, "quit: code");

	e = must(EV_DISCONNECT, 0, "basic");
	is_str(e->text, "QUIT", "disconnect: QUIT");
	is_str(e->status, "FIN", "disconnect: FIN");
	is_str(e->counters, "ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6",
	    "disconnect: counters");
	is_int(e->size, -1, "disconnect: no TLS");
	is_str(e->raw, "* close: FIN", "disconnect: raw");

	is_int(smtpwire_stats(sw)->smtp_flows, 1, "stats: smtp flow");
	is_int(smtpwire_stats(sw)->messages, 1, "stats: message");
	is_int(smtpwire_stats(sw)->commands, 6, "stats: commands");
	is_int(smtpwire_stats(sw)->replies, 8, "stats: replies");
	is_int(smtpwire_stats(sw)->bad_lines, 0, "stats: no bad line");
	smtpwire_free(sw);
}

/* t_bytewise - the same session one byte per packet gives the same. */
static void
t_bytewise(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	int		 chunk;

	for (chunk = 1; chunk <= 7; chunk += 3) {
		reset();
		sw = smtpwire_new(collect, NULL, 0);
		d_open(&d, sw, 1, "192.0.2.1", 1000, "198.51.100.1", 25, true);
		d.chunk = chunk;
		basic_session(&d);
		d_close(&d, FLOW_END_FIN);
		is_str(types(), "connect banner helo mail rcpt rcpt header "
		    "header header header header data info disconnect",
		    "%d-byte packets: events", chunk);
		e = must(EV_DATA, 0, "bytewise");
		is_str(e->text2, BODY_SHA, "%d-byte packets: SHA-256", chunk);
		is_int(e->size, 247, "%d-byte packets: size", chunk);
		is_str(e->queue_id, "E68E6A72459", "%d-byte packets: qid",
		    chunk);
		e = must(EV_HEADER, 2, "bytewise");
		is_str(e->text, "Lunch\ton Friday?", "%d-byte packets: "
		    "folded subject", chunk);
		e = must(EV_HELO, 0, "bytewise");
		ok(strstr(e->raw, "S: 250 CHUNKING") != NULL,
		    "%d-byte packets: multi-line reply", chunk);
		smtpwire_free(sw);
	}
}

/* t_pipelining - RFC 2920 groups, replies paired in order. */
static void
t_pipelining(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 2, "127.0.0.66", 49717, "127.0.0.1", 25, true);
	S(&d, BANNER);
	C(&d, "EHLO friend\r\n");
	S(&d, EHLO_REPLY);
	/* The whole group and the message before any reply (early DATA). */
	C(&d, "MAIL FROM:<promo@cheap-meds.example>\r\n"
	    "RCPT TO:<p1@freemail.example>\r\n"
	    "RCPT TO:<victim@blocked.example>\r\n"
	    "RCPT TO:<p3@mailbox-one.example>\r\n"
	    "DATA\r\n"
	    "Subject: cheap\r\n\r\nbuy\r\n.\r\n"
	    "QUIT\r\n");
	/* Replies split in the middle of a line. */
	S(&d, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n554 5.7.1 <victim@blocked.ex");
	S(&d, "ample>: Relay access denied\r\n250 2.1.5 Ok\r\n354 End data"
	    " with <CR><LF>.<CR><LF>\r\n");
	S(&d, "250 2.0.0 Ok: queued as 4F3A2B1C0D\r\n221 2.0.0 Bye\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo mail rcpt rcpt rcpt header data "
	    "info disconnect", "pipelining: events");
	e = must(EV_RCPT, 0, "pipelining");
	is_str(e->rcpt, "p1@freemail.example", "rcpt 1: address");
	is_int(e->reply_code, 250, "rcpt 1: 250");
	e = must(EV_RCPT, 1, "pipelining");
	is_str(e->rcpt, "victim@blocked.example", "rcpt 2: address");
	is_int(e->reply_code, 554, "rcpt 2: 554");
	is_str(e->dsn, "5.7.1", "rcpt 2: dsn");
	is_str(e->text, "<victim@blocked.example>: Relay access denied",
	    "rcpt 2: text across packets");
	e = must(EV_RCPT, 2, "pipelining");
	is_int(e->reply_code, 250, "rcpt 3: 250");
	e = must(EV_DATA, 0, "pipelining");
	is_str(e->queue_id, "4F3A2B1C0D", "data: queue id");
	is_int(e->nrcpt, 2, "data: two accepted rcpts");
	is_int(e->size, 23, "data: size of the held body");
	/* printf 'Subject: cheap\r\n\r\nbuy\r\n' | sha256sum */
	is_str(e->text2, "585c71771abf22d78b1ace8fdecdb326b2d25a272e271b8e0"
	    "ec091afff105f5b", "data: SHA-256 of the held body");
	e = must(EV_HEADER, 0, "pipelining");
	is_str(e->text, "cheap", "header: subject");
	e = must(EV_DISCONNECT, 0, "pipelining");
	is_str(e->counters, "ehlo=1 mail=1 rcpt=2/3 data=1 quit=1 "
	    "commands=6/7", "pipelining: counters");
	smtpwire_free(sw);
}

/* t_data_refused - DATA refused, the body sent anyway is read as commands. */
static void
t_data_refused(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 3, "127.0.0.66", 41535, "127.0.0.1", 25, true);
	S(&d, BANNER);
	C(&d, "HELO friend\r\n");
	S(&d, "250 mx.corp.example\r\n");
	C(&d, "MAIL FROM:<a@spam.example>\r\nRCPT TO:<x@foreign.example>\r\n"
	    "DATA\r\nSubject: hi\r\n.\r\n");
	S(&d, "250 2.1.0 Ok\r\n554 5.7.1 <x@foreign.example>: Relay access "
	    "denied\r\n554 5.5.1 Error: no valid recipients\r\n");
	S(&d, "502 5.5.2 Error: command not recognized\r\n"
	    "502 5.5.2 Error: command not recognized\r\n");
	d_close(&d, FLOW_END_RST);
	is_str(types(), "connect banner helo mail rcpt data info info "
	    "disconnect", "data refused: events");
	e = must(EV_HELO, 0, "data refused");
	is_str(e->stage, "HELO", "helo: HELO");
	is_str(e->helo, "friend", "helo: name");
	e = must(EV_DATA, 0, "data refused");
	is_str(e->stage, "DATA", "data: refused at DATA");
	is_int(e->reply_code, 554, "data: 554");
	is_str(e->text, "Error: no valid recipients", "data: text");
	is_int(e->size, -1, "data: no message");
	is_str(e->text2, "", "data: no hash");
	is_str(e->raw, "C: DATA\nS: 554 5.5.1 Error: no valid recipients",
	    "data: raw");
	e = must(EV_INFO, 0, "data refused");
	is_str(e->stage, "UNKNOWN", "body line 1: unknown command");
	is_str(e->text2, "Subject: hi", "body line 1: the line");
	is_int(e->reply_code, 502, "body line 1: 502");
	e = must(EV_INFO, 1, "data refused");
	is_str(e->text2, ".", "body line 2: the dot");
	e = must(EV_DISCONNECT, 0, "data refused");
	is_str(e->text, "RST", "disconnect: RST");
	is_str(e->counters, "helo=1 mail=1 rcpt=0/1 data=0/1 unknown=0/2 "
	    "commands=2/6", "data refused: counters");
	smtpwire_free(sw);
}

/* t_transactions - RSET, a second message, VRFY/EXPN/NOOP/HELP/unknown. */
static void
t_transactions(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 4, "2001:db8::7", 40000, "2001:db8::25", 2525, true);
	S(&d, "220 mail.example.net ESMTP Exim 4.96\r\n");
	C(&d, "EHLO client.example\r\n");
	S(&d, "250-mail.example.net Hello\r\n250 HELP\r\n");
	C(&d, "VRFY root\r\n");
	S(&d, "252 2.0.0 root\r\n");
	C(&d, "EXPN staff\r\n");
	S(&d, "502 5.5.1 EXPN not available\r\n");
	C(&d, "NOOP\r\n");
	S(&d, "250 OK\r\n");
	C(&d, "HELP\r\n");
	S(&d, "214-Commands supported:\r\n214 HELO EHLO MAIL\r\n");
	C(&d, "XYZZY magic\r\n");
	S(&d, "500 5.5.1 Unrecognized command\r\n");
	C(&d, "MAIL FROM:<>\r\n");
	S(&d, "250 OK\r\n");
	C(&d, "RSET\r\n");
	S(&d, "250 Reset OK\r\n");
	C(&d, "mail from:<bounce@x.example>\r\n");
	S(&d, "250 OK\r\n");
	C(&d, "rcpt to:<@corp.example,@relay.example:route@foreign.example>"
	    " NOTIFY=NEVER\r\n");
	S(&d, "250 Accepted\r\n");
	C(&d, "RCPT TO:<\"quoted@foreign.example\"@corp.example>\r\n");
	S(&d, "550 relay not permitted\r\n");
	C(&d, "RCPT TO:<\"a>b\"@corp.example>\r\n");
	S(&d, "250 Accepted\r\n");
	C(&d, "RCPT bogus\r\n");
	S(&d, "501 5.5.2 syntax\r\n");
	C(&d, "data\r\n");
	S(&d, "354 Enter message, ending with \".\" on a line by itself\r\n");
	C(&d, "x\r\n.\r\n");
	S(&d, "250 OK id=1rABCd-000123-XY\r\n");
	d_close(&d, FLOW_END_TIMEOUT);
	is_str(types(), "connect banner helo info info info info info mail "
	    "rset mail rcpt rcpt rcpt info data disconnect",
	    "transactions: events");
	e = must(EV_CONNECT, 0, "transactions");
	is_str(e->raw, "* connect [2001:db8::7]:40000 -> [2001:db8::25]:2525",
	    "ipv6 connect raw");
	e = must(EV_INFO, 0, "transactions");
	is_str(e->stage, "VRFY", "vrfy: stage");
	is_str(e->text2, "root", "vrfy: argument");
	is_int(e->reply_code, 252, "vrfy: 252");
	e = must(EV_INFO, 1, "transactions");
	is_str(e->stage, "EXPN", "expn: stage");
	is_int(e->reply_code, 502, "expn: 502");
	e = must(EV_INFO, 2, "transactions");
	is_str(e->stage, "NOOP", "noop: stage");
	e = must(EV_INFO, 3, "transactions");
	is_str(e->stage, "HELP", "help: stage");
	is_int(e->reply_code, 214, "help: 214");
	is_str(e->text, "Commands supported:\nHELO EHLO MAIL", "help: text");
	e = must(EV_INFO, 4, "transactions");
	is_str(e->stage, "UNKNOWN", "unknown: stage");
	is_str(e->text2, "XYZZY magic", "unknown: the line");
	e = must(EV_MAIL, 0, "transactions");
	is_str(e->sender, "", "null sender");
	is_int(e->size, -1, "no SIZE");
	e = must(EV_RSET, 0, "transactions");
	is_int(e->reply_code, 250, "rset: 250");
	is_str(e->raw, "C: RSET\nS: 250 Reset OK", "rset: raw");
	e = must(EV_MAIL, 1, "transactions");
	is_str(e->sender, "bounce@x.example", "lower-case verb");
	e = must(EV_RCPT, 0, "transactions");
	is_str(e->rcpt, "@corp.example,@relay.example:route@foreign.example",
	    "source route kept");
	is_str(e->text2, "NOTIFY=NEVER", "rcpt parameters");
	e = must(EV_RCPT, 1, "transactions");
	is_str(e->rcpt, "\"quoted@foreign.example\"@corp.example",
	    "quoted local part kept");
	is_int(e->reply_code, 550, "quoted: 550");
	e = must(EV_RCPT, 2, "transactions");
	is_str(e->rcpt, "\"a>b\"@corp.example", "> inside quotes");
	e = must(EV_INFO, 5, "transactions");
	is_str(e->stage, "RCPT", "malformed rcpt: EV_INFO");
	is_str(e->status, "malformed", "malformed rcpt: status");
	e = must(EV_DATA, 0, "transactions");
	is_str(e->queue_id, "1rABCd-000123-XY", "exim queue id");
	is_int(e->nrcpt, 2, "second transaction: two accepted");
	e = must(EV_DISCONNECT, 0, "transactions");
	is_str(e->text, "timeout", "disconnect: timeout");
	smtpwire_free(sw);
}

/* t_framing - bare LF, bare CR, NUL, long lines, lines across packets. */
static void
t_framing(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	char		*longl;
	size_t		 n;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 5, "192.0.2.9", 1111, "192.0.2.25", 25, true);
	S(&d, "220 mx ESMTP\n");
	C(&d, "EHLO bare-lf\n");
	S(&d, "250 mx\n");
	C(&d, "MAIL FROM:<a\r@b.example>\r\n");
	S(&d, "250 ok\r\n");
	n = 5000;
	longl = xmalloc(n + 22);
	memcpy(longl, "RCPT TO:<", 9);
	memset(longl + 9, 'x', n);
	memcpy(longl + 9 + n, "@b.example>\r\n", 13);
	d_send(&d, FLOW_C2S, longl, n + 22);
	S(&d, "500 5.5.0 line too long\r\n");
	memset(longl + 9, 'y', 1990);
	memcpy(longl + 9 + 1990, "@b.example>\r\n", 13);
	d_send(&d, FLOW_C2S, longl, 1990 + 22);
	S(&d, "250 ok\r\n");
	free(longl);
	C(&d, "NOOP \0x\r\n");
	S(&d, "250 ok\r\n");
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	/* A bare-LF end of data (the SMTP smuggling shape). */
	C(&d, "line\n.\n");
	S(&d, "250 ok queued as 7AB12\r\n");
	C(&d, "QUIT");
	S(&d, "221 bye");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo warning mail warning info rcpt "
	    "warning info warning data info disconnect", "framing: events");
	e = must(EV_HELO, 0, "framing");
	is_str(e->helo, "bare-lf", "bare LF line");
	e = must(EV_WARNING, 0, "framing");
	is_str(e->status, "bare-cr", "bare CR flagged");
	is_str(e->raw, "C: MAIL FROM:<a\r@b.example>", "bare CR raw");
	e = must(EV_MAIL, 0, "framing");
	is_str(e->sender, "a\r@b.example", "bare CR kept in the address");
	e = must(EV_WARNING, 1, "framing");
	is_str(e->status, "long-line", "long line flagged");
	is_int(strlen(e->raw), 3 + SMTPWIRE_LINE_MAX, "long line: raw cut");
	is_str(e->text, "client line longer than 4096 octets: cut, in this "
	    "packet, where it began", "long line in one packet: says so");
	e = must(EV_INFO, 0, "framing");
	is_str(e->stage, "RCPT", "long rcpt cut before its >: malformed");
	is_int(strlen(e->text2), SMTPWIRE_LINE_MAX - 5, "long rcpt: cut");
	is_int(e->reply_code, 500, "long rcpt got its own reply");
	e = must(EV_RCPT, 0, "framing");
	is_int(strlen(e->rcpt), 1990 + 10, "2012-octet line taken whole");
	is_int(e->reply_code, 250, "next rcpt paired right");
	e = must(EV_WARNING, 2, "framing");
	is_str(e->status, "nul-byte", "NUL flagged");
	e = must(EV_WARNING, 3, "framing");
	is_str(e->status, "bare-lf-dot", "bare-LF end of data flagged");
	e = must(EV_DATA, 0, "framing");
	is_int(e->size, 5, "bare-LF body size");
	is_str(e->queue_id, "7AB12", "generic queued as");
	e = must(EV_INFO, 1, "framing");
	is_str(e->stage, "NOOP", "NOOP with a NUL");
	e = must(EV_INFO, 2, "framing");
	is_str(e->stage, "QUIT", "last line without LF");
	is_int(e->reply_code, 221, "last reply without LF");
	is_int(smtpwire_stats(sw)->bad_lines, 3, "framing: bad lines");
	smtpwire_free(sw);
}

/* sha256sum of t_bdat's first message, "From: x@y\r\nSubject: chunked..." */
#define BDAT_SHA \
	"da48a99f7eca622de60b00b317b5dd2d1639124ec85a64142cac173b29a56d4c"

/*
 * t_longline - a line that spans packets is flagged in the packet where it
 * goes over SMTPWIRE_LINE_MAX, naming the packet it began in, once; the
 * same when the connection closes before its end.
 */
static void
t_longline(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	char		 xs[3000];

	reset();
	packet = 0;
	memset(xs, 'x', sizeof(xs));
	sw = smtpwire_new(collect, NULL, 0);
	/* Packets 1 (open), 2 banner, 3 EHLO, 4 its reply. */
	d_open(&d, sw, 6, "192.0.2.10", 1112, "192.0.2.25", 25, true);
	S(&d, "220 mx ESMTP\r\n");
	C(&d, "EHLO long\r\n");
	S(&d, "250 mx\r\n");
	/* 5: 11 octets, 6: 3011, 7: 6011, over 4096; 8 more, 9 the end. */
	C(&d, "MAIL FROM:<");
	d_send(&d, FLOW_C2S, xs, sizeof(xs));
	d_send(&d, FLOW_C2S, xs, sizeof(xs));
	d_send(&d, FLOW_C2S, xs, sizeof(xs));
	C(&d, ">\r\n");
	S(&d, "500 5.5.0 line too long\r\n");
	/* 11: 9 octets, 12: 3009, 13: 6009, then the close (14). */
	C(&d, "RCPT TO:<");
	d_send(&d, FLOW_C2S, xs, sizeof(xs));
	d_send(&d, FLOW_C2S, xs, sizeof(xs));
	d_close(&d, FLOW_END_FIN);
	is_int(count(EV_WARNING), 2, "long lines: each flagged once");
	e = must(EV_WARNING, 0, "long lines");
	is_str(e->status, "long-line", "long MAIL: long-line");
	is_int(e->line, 7, "long MAIL: the packet it went over in");
	is_int(e->offset, 11, "long MAIL: the offset of its start");
	is_str(e->text, "client line longer than 4096 octets: cut, in this "
	    "packet, begun in packet 5", "long MAIL: where it began");
	is_int(strlen(e->raw), 3 + SMTPWIRE_LINE_MAX, "long MAIL: raw cut");
	ok(strncmp(e->raw, "C: MAIL FROM:<xxx", 17) == 0,
	    "long MAIL: raw is its start");
	e = must(EV_WARNING, 1, "long lines");
	is_int(e->line, 13, "unended RCPT: the packet it went over in");
	is_str(e->text, "client line longer than 4096 octets: cut, in this "
	    "packet, begun in packet 11", "unended RCPT: where it began");
	smtpwire_free(sw);
	reset();
}

/* t_bdat - RFC 3030 chunks, LAST, pipelined next mail, bad sizes. */
static void
t_bdat(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 6, "172.19.0.1", 35826, "172.19.0.3", 25, true);
	S(&d, BANNER);
	C(&d, "EHLO c.example\r\n");
	S(&d, EHLO_REPLY);
	C(&d, "MAIL FROM:<alice@example.com>\r\n");
	S(&d, "250 2.1.0 Ok\r\n");
	C(&d, "RCPT TO:<bob@example.com>\r\n");
	S(&d, "250 2.1.5 Ok\r\n");
	/* Two chunks and the next envelope in one write. */
	C(&d, "BDAT 21\r\nFrom: x@y\r\nSubject: cBDAT 23 LAST\r\n"
	    "hunked\r\n\r\nhello world\r\nMAIL FROM:<bob@example.com>\r\n"
	    "RCPT TO:<alice@example.com>\r\n");
	S(&d, "250 2.0.0 Ok: 21 bytes\r\n250 2.0.0 Ok: 44 bytes queued as "
	    "0FC095E1DF7D\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
	C(&d, "BDAT 0 LAST\r\n");
	S(&d, "250 2.0.0 Ok: 0 bytes queued as 0FC095E1DF7E\r\n");
	C(&d, "MAIL FROM:<c@example.com>\r\nRCPT TO:<d@example.com>\r\n");
	S(&d, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
	C(&d, "BDAT -1 LAST\r\nBDAT 15555555557777777777 LAST\r\n"
	    "BDAT 12abc\r\nBDAT 10 LAST junk\r\nQUIT\r\n");
	S(&d, "521 5.5.4 Syntax: BDAT count [LAST]\r\n"
	    "521 5.5.4 Syntax: BDAT count [LAST]\r\n"
	    "521 5.5.4 Syntax: BDAT count [LAST]\r\n"
	    "521 5.5.4 Syntax: BDAT count [LAST]\r\n221 2.0.0 Bye\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo mail rcpt info header header data "
	    "mail rcpt data mail rcpt warning warning warning warning info "
	    "info info info info disconnect", "bdat: events");
	e = must(EV_INFO, 0, "bdat");
	is_str(e->stage, "BDAT", "chunk 1: stage");
	is_int(e->size, 21, "chunk 1: size");
	is_str(e->text, "Ok: 21 bytes", "chunk 1: reply");
	e = must(EV_DATA, 0, "bdat");
	is_int(e->size, 44, "message 1: both chunks");
	is_str(e->text2, BDAT_SHA, "message 1: SHA-256");
	is_str(e->queue_id, "0FC095E1DF7D", "message 1: queue id");
	is_str(e->raw, "C: BDAT 23 LAST\nS: 250 2.0.0 Ok: 44 bytes queued as "
	    "0FC095E1DF7D", "message 1: raw is the LAST chunk");
	e = must(EV_HEADER, 1, "bdat");
	is_str(e->text, "chunked", "header across the chunk boundary");
	e = must(EV_MAIL, 1, "bdat");
	is_str(e->sender, "bob@example.com", "next mail after the chunk");
	is_int(e->reply_code, 250, "next mail: its own reply");
	e = must(EV_DATA, 1, "bdat");
	is_int(e->size, 0, "BDAT 0 LAST: empty message");
	is_str(e->text2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4959"
	    "91b7852b855", "BDAT 0 LAST: SHA-256 of nothing");
	is_str(e->queue_id, "0FC095E1DF7E", "BDAT 0 LAST: queue id");
	e = must(EV_WARNING, 0, "bdat");
	is_str(e->status, "bad-bdat", "negative size flagged");
	is_str(e->raw, "C: BDAT -1 LAST", "negative size: raw");
	e = must(EV_INFO, 1, "bdat");
	is_str(e->stage, "BDAT", "bad bdat: EV_INFO");
	is_str(e->status, "malformed", "bad bdat: malformed");
	is_int(e->reply_code, 521, "bad bdat: 521");
	e = must(EV_INFO, 5, "bdat");
	is_str(e->stage, "QUIT", "QUIT after bad BDATs read as a command");
	is_int(e->reply_code, 221, "QUIT: 221");
	is_int(smtpwire_stats(sw)->messages, 2, "bdat: two messages");
	smtpwire_free(sw);
}

/* t_tls - STARTTLS accepted and refused, implicit TLS, not SMTP. */
static void
t_tls(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	static const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc";

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 7, "127.0.0.22", 50201, "127.0.0.1", 25, true);
	S(&d, BANNER);
	C(&d, "EHLO smtp.customer.example\r\n");
	S(&d, "250-mx\r\n250 STARTTLS\r\n");
	C(&d, "STARTTLS\r\n");
	S(&d, "454 4.7.0 TLS not available due to local problem\r\n");
	C(&d, "STARTTLS\r\n");
	d_send(&d, FLOW_C2S, hello, sizeof(hello) - 1);
	S(&d, "220 2.0.0 Ready to start TLS\r\n");
	d_send(&d, FLOW_S2C, "\x16\x03\x03\x00\x7a\x02", 6);
	C(&d, "\x17\x03\x03 EHLO in TLS\r\nMAIL FROM:<x@y>\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo info tls disconnect",
	    "starttls: events");
	e = must(EV_INFO, 0, "starttls");
	is_str(e->stage, "STARTTLS", "refused starttls: EV_INFO");
	is_int(e->reply_code, 454, "refused starttls: 454");
	e = must(EV_TLS, 0, "starttls");
	is_str(e->text, "STARTTLS", "tls: text");
	is_int(e->reply_code, 220, "tls: 220");
	is_str(e->raw, "C: STARTTLS\nS: 220 2.0.0 Ready to start TLS",
	    "tls: raw");
	e = must(EV_DISCONNECT, 0, "starttls");
	is_int(e->size, (int64_t)(sizeof(hello) - 1 + 6 + 34),
	    "disconnect: unreadable bytes");
	is_str(e->counters, "ehlo=1 starttls=1/2 commands=2/3",
	    "starttls: counters");

	reset();
	d_open(&d, sw, 8, "127.0.0.30", 40001, "127.0.0.1", 465, true);
	d_send(&d, FLOW_C2S, hello, sizeof(hello) - 1);
	d_send(&d, FLOW_S2C, "\x16\x03\x03\x00\x7a\x02", 6);
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect tls disconnect", "implicit tls: events");
	e = must(EV_TLS, 0, "implicit tls");
	is_str(e->text, "implicit TLS", "implicit tls: text");

	/* One-sided: STARTTLS, then a TLS record, no reply seen. */
	reset();
	d_open(&d, sw, 24, "127.0.0.22", 50202, "127.0.0.1", 25, true);
	C(&d, "EHLO smtp.customer.example\r\nSTARTTLS\r\n");
	d_send(&d, FLOW_C2S, hello, sizeof(hello) - 1);
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect helo tls disconnect", "one-sided starttls: "
	    "events");
	e = must(EV_TLS, 0, "one-sided starttls");
	is_int(e->reply_code, 0, "one-sided starttls: no reply");
	is_str(e->raw, "C: STARTTLS", "one-sided starttls: raw");
	is_int(must(EV_DISCONNECT, 0, "one-sided starttls")->size,
	    (int64_t)(sizeof(hello) - 1), "one-sided starttls: unreadable");

	/* Blocked on STARTTLS, the client keeps sending TLS: no reply. */
	reset();
	d_open(&d, sw, 25, "127.0.0.22", 50203, "127.0.0.1", 25, true);
	S(&d, BANNER);
	C(&d, "STARTTLS\r\n");
	{
		static char	tls[70000];

		memset(tls, 0x17, sizeof(tls));
		tls[0] = 0x16;
		d_send(&d, FLOW_C2S, tls, sizeof(tls));
	}
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner warning tls disconnect",
	    "starttls hold overflow: events");
	is_str(must(EV_WARNING, 0, "starttls overflow")->status,
	    "hold-overflow", "starttls hold overflow: flagged");

	reset();
	d_open(&d, sw, 9, "10.0.0.1", 40002, "10.0.0.2", 443, true);
	d_send(&d, FLOW_C2S, hello, sizeof(hello) - 1);
	d_close(&d, FLOW_END_FIN);
	d_open(&d, sw, 10, "10.0.0.1", 40003, "10.0.0.2", 80, true);
	C(&d, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
	S(&d, "HTTP/1.1 200 OK\r\n\r\n");
	d_close(&d, FLOW_END_FIN);
	d_open(&d, sw, 11, "10.0.0.1", 40004, "10.0.0.2", 22, true);
	S(&d, "SSH-2.0-OpenSSH_9.2\r\n");
	C(&d, "SSH-2.0-OpenSSH_9.2\r\n");
	d_close(&d, FLOW_END_FIN);
	d_open(&d, sw, 12, "10.0.0.1", 40005, "10.0.0.2", 21, true);
	S(&d, "220 ProFTPD Server (Debian) [10.0.0.2]\r\n");
	C(&d, "USER anonymous\r\n");
	d_close(&d, FLOW_END_FIN);
	d_open(&d, sw, 13, "10.0.0.1", 40006, "10.0.0.2", 25, true);
	d_close(&d, FLOW_END_FIN);
	is_int(nev, 0, "https, http, ssh, ftp, silent: no events");
	is_int(smtpwire_stats(sw)->other_flows, 5, "not smtp: counted");
	is_int(smtpwire_stats(sw)->tls_flows, 4, "tls flows");
	smtpwire_free(sw);
}

/* Credentials of t_auth: none may appear in any event. */
static const char *const secrets[] = {
	"Wonderland-2026",
	"AGFsaWNlQGNvcnAuZXhhbXBsZQBXb25kZXJsYW5kLTIwMjY=",
	"bobs-Secret-99", "Ym9icy1TZWNyZXQtOTk=",
	"Y2Fyb2wgOWIyZjNjMWQwZThhN2Y2YjVjNGQzZTJmMWEwYjljOGQ=",
	"9b2f3c1d0e8a7f6b5c4d3e2f1a0b9c8d",
	"dave1234", "AGRhdmVAY29ycC5leGFtcGxlAGRhdmUxMjM0",
	"ya29.SECRET-TOKEN-42", "dXNlcj1lcmluQGNvcnAuZXhhbXBsZQFhdXRoPUJl",
	"FRANK-TOKEN-7", "bixhPWZyYW5rQGNvcnAuZXhhbXBsZSwBaG9zdD1teAFw",
	"Ym9iQGNvcnAuZXhhbXBsZQ==",
};

/* auth_session - the AUTH exchanges of t_auth, on one connection. */
static void
auth_session(struct drv *d)
{
	S(d, BANNER);
	C(d, "EHLO alice-laptop\r\n");
	S(d, EHLO_REPLY);
	/* PLAIN with an initial response. */
	C(d, "AUTH PLAIN AGFsaWNlQGNvcnAuZXhhbXBsZQBXb25kZXJsYW5kLTIwMjY=\r\n");
	S(d, "235 2.7.0 Authentication successful\r\n");
	/* LOGIN, the user name pipelined before the 334, split password. */
	C(d, "AUTH LOGIN\r\nYm9iQGNvcnAuZXhhbXBsZQ==\r\n");
	S(d, "334 VXNlcm5hbWU6\r\n");
	S(d, "334 UGFzc3dvcmQ6\r\n");
	C(d, "Ym9icy1TZWNy");
	C(d, "ZXQtOTk=\r\n");
	S(d, "235 2.7.0 Authentication successful\r\n");
	/* CRAM-MD5, refused. */
	C(d, "AUTH CRAM-MD5\r\n");
	S(d, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n");
	C(d, "Y2Fyb2wgOWIyZjNjMWQwZThhN2Y2YjVjNGQzZTJmMWEwYjljOGQ=\r\n");
	S(d, "535 5.7.8 Error: authentication failed: authentication "
	    "failure\r\n");
	/* PLAIN without an initial response, refused. */
	C(d, "auth plain\r\n");
	S(d, "334 \r\n");
	C(d, "AGRhdmVAY29ycC5leGFtcGxlAGRhdmUxMjM0\r\n");
	S(d, "535 5.7.8 Error: authentication failed\r\n");
	/* XOAUTH2 and OAUTHBEARER with initial responses. */
	C(d, "AUTH XOAUTH2 dXNlcj1lcmluQGNvcnAuZXhhbXBsZQFhdXRoPUJlYXJlciB5YTI5"
	    "LlNFQ1JFVC1UT0tFTi00MgEB\r\n");
	S(d, "235 2.7.0 Accepted\r\n");
	C(d, "AUTH OAUTHBEARER bixhPWZyYW5rQGNvcnAuZXhhbXBsZSwBaG9zdD1teAFwb3J0"
	    "PTU4NwFhdXRoPUJlYXJlciBGUkFOSy1UT0tFTi03AQE=\r\n");
	S(d, "334 eyJzdGF0dXMiOiI0MDEifQ==\r\n");
	C(d, "AQ==\r\n");
	S(d, "535 5.7.8 Authentication credentials invalid\r\n");
	/* SCRAM gives n=; a mechanism we do not know gives its name. */
	C(d, "AUTH SCRAM-SHA-256 biwsbj1naW5hLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hk"
	    "YXdM\r\n");
	S(d, "535 5.7.8 no\r\n");
	C(d, "AUTH NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAA"
	    "Dw==\r\n");
	S(d, "504 5.5.4 Unrecognized authentication type\r\n");
	/* Cancelled, and garbage that is not base64. */
	C(d, "AUTH LOGIN\r\n");
	S(d, "334 VXNlcm5hbWU6\r\n");
	C(d, "*\r\n");
	S(d, "501 5.7.0 Authentication aborted\r\n");
	C(d, "AUTH PLAIN !!not*base64!!\r\n");
	S(d, "501 5.5.2 Cannot decode response\r\n");
	C(d, "QUIT\r\n");
	S(d, "221 2.0.0 Bye\r\n");
}

static void
t_auth(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	size_t		 i;
	int		 chunk, bad;

	for (chunk = 0; chunk <= 1; chunk++) {
		reset();
		sw = smtpwire_new(collect, NULL, 0);
		d_open(&d, sw, 14, "127.0.0.30", 47663, "127.0.0.1", 587, true);
		d.chunk = chunk;
		auth_session(&d);
		d_close(&d, FLOW_END_FIN);
		is_str(types(), "connect banner helo auth auth auth-fail "
		    "auth-fail auth auth-fail auth-fail auth-fail auth-fail "
		    "warning auth-fail info disconnect",
		    "auth (%s): events", chunk ? "bytewise" : "whole");
		for (i = 0, bad = 0; i < sizeof(secrets) / sizeof(secrets[0]);
		    i++)
			if (in_all(secrets[i])) {
				bad++;
				diag("found: %s", secrets[i]);
			}
		is_int(bad, 0, "auth (%s): no credential in any event",
		    chunk ? "bytewise" : "whole");
		smtpwire_free(sw);
	}
	e = must(EV_AUTH, 0, "auth");
	is_str(e->sasl_method, "PLAIN", "plain: method");
	is_str(e->sasl_user, "alice@corp.example", "plain: user (authcid)");
	is_int(e->reply_code, 235, "plain: 235");
	is_str(e->raw, "C: AUTH PLAIN <redacted>\nS: 235 2.7.0 Authentication "
	    "successful", "plain: raw redacted");
	e = must(EV_AUTH, 1, "auth");
	is_str(e->sasl_method, "LOGIN", "login: method");
	is_str(e->sasl_user, "bob@corp.example", "login: user");
	is_str(e->raw, "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: <redacted>\n"
	    "S: 334 UGFzc3dvcmQ6\nC: <redacted>\nS: 235 2.7.0 Authentication "
	    "successful", "login: the whole exchange, redacted");
	e = must(EV_AUTH_FAIL, 0, "auth");
	is_str(e->sasl_method, "CRAM-MD5", "cram: method");
	is_str(e->sasl_user, "carol", "cram: user");
	is_int(e->reply_code, 535, "cram: 535");
	is_str(e->dsn, "5.7.8", "cram: dsn");
	is_str(e->text, "Error: authentication failed: authentication failure",
	    "cram: text");
	e = must(EV_AUTH_FAIL, 1, "auth");
	is_str(e->sasl_method, "PLAIN", "plain after 334: method upper case");
	is_str(e->sasl_user, "dave@corp.example", "plain after 334: user");
	is_str(e->raw, "C: AUTH PLAIN\nS: 334 \nC: <redacted>\nS: 535 5.7.8 "
	    "Error: authentication failed", "plain after 334: raw");
	e = must(EV_AUTH, 2, "auth");
	is_str(e->sasl_method, "XOAUTH2", "xoauth2: method");
	is_str(e->sasl_user, "erin@corp.example", "xoauth2: user");
	e = must(EV_AUTH_FAIL, 2, "auth");
	is_str(e->sasl_method, "OAUTHBEARER", "oauthbearer: method");
	is_str(e->sasl_user, "frank@corp.example", "oauthbearer: a=");
	e = must(EV_AUTH_FAIL, 3, "auth");
	is_str(e->sasl_user, "gina", "scram: n=");
	e = must(EV_AUTH_FAIL, 4, "auth");
	is_str(e->sasl_method, "NTLM", "other mechanism: name");
	is_str(e->sasl_user, "", "other mechanism: no user");
	is_int(e->reply_code, 504, "other mechanism: 504");
	e = must(EV_AUTH_FAIL, 5, "auth");
	is_str(e->raw, "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: *\n"
	    "S: 501 5.7.0 Authentication aborted", "cancel: raw");
	e = must(EV_WARNING, 0, "auth");
	is_str(e->status, "bad-base64", "garbage: flagged");
	is_str(e->raw, "C: <redacted>", "garbage: not shown");
	e = must(EV_AUTH_FAIL, 6, "auth");
	is_str(e->raw, "C: AUTH PLAIN <redacted>\nS: 501 5.5.2 Cannot decode "
	    "response", "garbage: raw");
	e = must(EV_DISCONNECT, 0, "auth");
	is_str(e->counters, "ehlo=1 auth=3/10 quit=1 commands=5/12",
	    "auth: counters");
}

/* t_auth_onesided - only the client's half: credentials still hidden. */
static void
t_auth_onesided(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 15, "127.0.0.31", 35667, "127.0.0.1", 587, true);
	C(&d, "EHLO bob-laptop\r\nAUTH LOGIN\r\nYm9iQGNvcnAuZXhhbXBsZQ==\r\n"
	    "Ym9icy1TZWNyZXQtOTk=\r\nMAIL FROM:<bob@corp.example>\r\n"
	    "RCPT TO:<x@foreign.example>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n"
	    ".\r\nQUIT\r\n");
	d_close(&d, FLOW_END_EOF);
	is_str(types(), "connect helo info mail rcpt header data info "
	    "disconnect", "one-sided: events");
	ok(!in_all("bobs-Secret-99") && !in_all("Ym9icy1TZWNyZXQtOTk="),
	    "one-sided: no password");
	e = must(EV_INFO, 0, "one-sided");
	is_str(e->stage, "AUTH", "one-sided auth: EV_INFO");
	is_str(e->sasl_user, "bob@corp.example", "one-sided auth: user");
	is_int(e->reply_code, 0, "one-sided auth: no reply");
	e = must(EV_MAIL, 0, "one-sided");
	is_int(e->reply_code, 0, "one-sided mail: no reply");
	is_str(e->raw, "C: MAIL FROM:<bob@corp.example>", "one-sided mail: "
	    "raw without reply");
	e = must(EV_DATA, 0, "one-sided");
	is_int(e->size, 17, "one-sided data: size");
	/* printf 'Subject: s\r\n\r\nb\r\n' | sha256sum */
	is_str(e->text2, "cd6563fb22b2c1f6123bdee7bba5fe66049fb029dcb7f29e5"
	    "f16966583b202ca", "one-sided data: SHA-256");
	is_int(e->reply_code, 0, "one-sided data: no reply");
	e = must(EV_DISCONNECT, 0, "one-sided");
	is_str(e->text, "QUIT", "one-sided: QUIT");
	is_str(e->status, "EOF", "one-sided: EOF");
	smtpwire_free(sw);
}

/* t_gaps - missing bytes: resync, unanswered commands, incomplete data. */
static void
t_gaps(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 16, "192.0.2.50", 5000, "192.0.2.25", 25, true);
	S(&d, BANNER);
	C(&d, "EHLO x\r\n");
	S(&d, "250 mx\r\n");
	C(&d, "MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n");
	d_gap(&d, FLOW_S2C, 14);
	S(&d, "250 2.1.5 Ok\r\n");
	C(&d, "junk after the gap\r\nRCPT TO:<c@y.example>\r\n");
	S(&d, "550 5.1.1 no\r\n");
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	C(&d, "Subject: part one\r\n\r\nsome");
	d_gap(&d, FLOW_C2S, 1000);
	C(&d, "the rest\r\n.\r\n");
	S(&d, "250 2.0.0 Ok: queued as 1A2B3C\r\n");
	C(&d, "MAIL FROM:<d@x.example>\r\n");
	S(&d, "250 ok\r\n");
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	C(&d, "body");
	d_gap(&d, FLOW_C2S, 500);
	S(&d, "250 2.0.0 Ok: queued as 4D5E6F\r\n");
	C(&d, "RSET\r\n");
	d_gap(&d, FLOW_C2S, 100);
	C(&d, "ATA\r\nQUIT\r\n");
	S(&d, "250 ok\r\n221 bye\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo gap mail rcpt rcpt gap header "
	    "data mail gap data gap rset info disconnect", "gaps: events");
	e = must(EV_GAP, 0, "gaps");
	is_int(e->size, 14, "gap 1: size");
	is_str(e->text, "server", "gap 1: server side");
	is_str(e->raw, "* 14 bytes missing from the server", "gap 1: raw");
	e = must(EV_MAIL, 0, "gaps");
	is_int(e->reply_code, 0, "mail: reply lost in the gap");
	e = must(EV_RCPT, 0, "gaps");
	is_int(e->reply_code, 0, "rcpt 1: unanswered, not paired blindly");
	e = must(EV_RCPT, 1, "gaps");
	is_str(e->rcpt, "c@y.example", "rcpt 2: resync at a command");
	is_int(e->reply_code, 550, "rcpt 2: its reply");
	e = must(EV_DATA, 0, "gaps");
	is_str(e->status, "incomplete", "data 1: incomplete");
	is_str(e->text2, "", "data 1: no hash");
	is_str(e->queue_id, "1A2B3C", "data 1: queue id all the same");
	e = must(EV_HEADER, 0, "gaps");
	is_str(e->text, "part one", "data 1: header before the gap");
	e = must(EV_DATA, 1, "gaps");
	is_str(e->status, "incomplete", "data 2: end in the gap");
	is_str(e->queue_id, "4D5E6F", "data 2: the reply ends it");
	is_str(e->raw, "C: DATA\nS: 354 go\n* end of data not seen (missing "
	    "bytes)\nS: 250 2.0.0 Ok: queued as 4D5E6F", "data 2: raw");
	e = must(EV_RSET, 0, "gaps");
	is_int(e->reply_code, 0, "rset: flushed at the gap");
	e = must(EV_INFO, 0, "gaps");
	is_str(e->stage, "QUIT", "quit after resync");
	is_int(e->reply_code, 221, "quit: 221, the 250 was dropped");
	is_int(smtpwire_stats(sw)->gaps, 4, "stats: gaps");
	smtpwire_free(sw);
}

/* t_midstream - a capture that starts inside a conversation. */
static void
t_midstream(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 17, "192.0.2.60", 6000, "192.0.2.25", 2525, false);
	C(&d, "OM:<x@y.example>\r\n");
	C(&d, "RCPT TO:<a@b.example>\r\n");
	S(&d, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	C(&d, "Subject: mid\r\n\r\nx\r\n.\r\n");
	S(&d, "250 2.0.0 Ok: queued as 99AA\r\n");
	d_close(&d, FLOW_END_EOF);
	is_str(types(), "connect rcpt header data disconnect",
	    "mid-stream: events");
	e = must(EV_CONNECT, 0, "mid-stream");
	is_str(e->text, "mid-stream", "connect: mid-stream");
	is_str(e->raw, "* connect [192.0.2.60]:6000 -> [192.0.2.25]:2525 "
	    "(mid-stream)", "connect: raw");
	e = must(EV_RCPT, 0, "mid-stream");
	is_int(e->reply_code, 250, "rcpt: the reply after the lost one");
	e = must(EV_DATA, 0, "mid-stream");
	is_str(e->queue_id, "99AA", "data: queue id");
	is_int(smtpwire_stats(sw)->midstream_flows, 1, "stats: mid-stream");

	/* Mid-stream, but the greeting is the first thing seen. */
	reset();
	d_open(&d, sw, 18, "192.0.2.61", 6001, "192.0.2.25", 25, false);
	S(&d, BANNER);
	C(&d, "EHLO a\r\n");
	S(&d, "250 ok\r\n");
	d_close(&d, FLOW_END_EOF);
	is_str(types(), "connect banner helo disconnect",
	    "mid-stream from the greeting");
	smtpwire_free(sw);
}

/* t_unsolicited - the server speaks unasked; a reply that does not fit. */
static void
t_unsolicited(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 19, "192.0.2.70", 7000, "192.0.2.25", 25, true);
	S(&d, "554-mx.corp.example\r\n554 5.7.1 go away\r\n");
	C(&d, "NOOP\r\n");
	S(&d, "354 what\r\n");
	S(&d, "421 4.4.2 mx Error: timeout exceeded\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner warning info info disconnect",
	    "unsolicited: events");
	e = must(EV_BANNER, 0, "unsolicited");
	is_int(e->reply_code, 554, "554 greeting");
	is_str(e->raw, "S: 554-mx.corp.example\nS: 554 5.7.1 go away",
	    "554 greeting: raw");
	e = must(EV_WARNING, 0, "unsolicited");
	is_str(e->status, "reply-mismatch", "354 to NOOP flagged");
	e = must(EV_INFO, 1, "unsolicited");
	is_str(e->stage, "REPLY", "421 unasked: REPLY");
	is_int(e->reply_code, 421, "421 unasked: code");
	smtpwire_free(sw);
}

/* t_queue - more commands than may wait: the oldest are unanswered. */
static void
t_queue(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	int		 i, zero = 0, answered = 0;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 20, "192.0.2.80", 8000, "192.0.2.25", 25, true);
	S(&d, BANNER);
	for (i = 0; i < 1500; i++)
		C(&d, "NOOP\r\n");
	for (i = 0; i < 1500; i++)
		S(&d, "250 2.0.0 Ok\r\n");
	d_close(&d, FLOW_END_FIN);
	for (i = 0; i < nev && i < MAXEV; i++) {
		if (evs[i].type != EV_INFO)
			continue;
		if (evs[i].reply_code == 0)
			zero++;
		else if (evs[i].reply_code == 250)
			answered++;
	}
	is_int(zero, 500, "queue: 500 taken as unanswered");
	is_int(answered, 1000, "queue: 1000 paired");
	is_int(smtpwire_stats(sw)->unpaired, 500, "queue: their replies "
	    "skipped");
	is_int(count(EV_WARNING), SW_WARN_MAX, "queue: warnings capped");
	ok(smtpwire_stats(sw)->warnings == 500, "queue: all counted");
	smtpwire_free(sw);
}

/* t_headers - limits and shapes of the header section. */
static void
t_headers(void)
{
	struct smtpwire	*sw;
	struct drv	 d;
	struct tev	*e;
	char		 big[1200];

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	d_open(&d, sw, 21, "192.0.2.90", 9000, "192.0.2.25", 25, true);
	S(&d, BANNER);
	C(&d, "HELO h\r\n");
	S(&d, "250 ok\r\n");
	C(&d, "MAIL FROM:<a@b>\r\n");
	S(&d, "250 ok\r\n");
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	C(&d, "Received: from a by b; Tue, 1 Dec 2026\r\n"
	    "Received: from c\r\n by d\r\n"
	    "X-Originating-IP: [203.0.113.9]\r\n"
	    "x-mailer: PHPMailer 6.0\r\n"
	    "User-Agent: Mutt\r\n"
	    "Reply-To: <r@x.example>\r\n"
	    "Cc: c@x.example\r\n"
	    "X-Spam: not reported\r\n");
	memset(big, 'S', sizeof(big));
	memcpy(big, "Subject: ", 9);
	d_send(&d, FLOW_C2S, big, sizeof(big));
	C(&d, "\r\nthis is not a header\r\nFrom: in the body\r\n\r\n.\r\n");
	S(&d, "250 2.6.0 <msg1@mx.example> [InternalId=1099511627777, "
	    "Hostname=MX01] Queued mail for delivery\r\n");
	d_close(&d, FLOW_END_FIN);
	is_str(types(), "connect banner helo mail header header header header "
	    "header header header header data disconnect", "headers: events");
	e = must(EV_HEADER, 1, "headers");
	is_str(e->text, "from c by d", "second Received unfolded");
	e = must(EV_HEADER, 3, "headers");
	is_str(e->stage, "x-mailer", "name as written");
	e = must(EV_HEADER, 7, "headers");
	is_str(e->stage, "Subject", "long subject");
	is_int(strlen(e->text), SW_HDR_VALUE_MAX, "value cut at 998");
	e = must(EV_DATA, 0, "headers");
	is_str(e->queue_id, "1099511627777", "exchange InternalId");
	is_str(e->message_id, "", "no Message-ID header");
	smtpwire_free(sw);
}

/* t_queue_ids - the accepting reply forms of the common MTAs. */
static void
t_queue_ids(void)
{
	static const struct {
		const char	*text, *id;
	} cases[] = {
		{ "Ok: queued as 4F3A2B1C0D", "4F3A2B1C0D" },
		{ "Ok: queued as 4Fk2x1LzQvz9g3", "4Fk2x1LzQvz9g3" },
		{ "OK id=1rABCd-000123-XY", "1rABCd-000123-XY" },
		{ "x1234567890 Message accepted for delivery", "x1234567890" },
		{ "5a7bc1d2 Message accepted for delivery", "5a7bc1d2" },
		{ ": 5a7bc1d2 Message accepted for delivery", "5a7bc1d2" },
		{ "<msgid@host> [InternalId=123] Queued mail for delivery",
		    "123" },
		{ "<msgid@host> Queued mail for delivery", "msgid@host" },
		{ "message queued as <ABC123>.", "ABC123" },
		{ "Requested mail action okay, queued as 12345.", "12345" },
		{ "ok 1712345678 qp 12345", "" },
		{ "Ok", "" },
		{ "valid=1 id=", "" },
	};
	char		id[128];
	struct span	s;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = sw_queue_id(span_from_cstr(cases[i].text));
		(void)snprintf(id, sizeof(id), "%.*s", (int)s.n,
		    s.p != NULL ? s.p : "");
		is_str(id, cases[i].id, "queue id of \"%s\"", cases[i].text);
	}
}

/* t_base64 - the SASL decoder takes base64 and nothing else. */
static void
t_base64(void)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*out;
	} cases[] = {
		{ "dGVzdA==", 0, "test" }, { "dGVzdA", 0, "test" },
		{ "dGVzdDE=", 0, "test1" }, { "=", 0, "" }, { "", 0, "" },
		{ "dGVz dA==", -1, NULL }, { "dGVzdA=x", -1, NULL },
		{ "dGVzd", -1, NULL }, { "dGVzdA===", -1, NULL },
		{ "d*Vz", -1, NULL }, { "dG=Vz", -1, NULL },
	};
	uint8_t	out[64];
	size_t	i, n;
	int	rc;
	char	*big;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = sw_b64_decode(span_from_cstr(cases[i].in), out,
		    sizeof(out), &n);
		ok(rc == cases[i].rc && (rc == -1 || (n ==
		    strlen(cases[i].out) && memcmp(out, cases[i].out, n) ==
		    0)), "base64 \"%s\"", cases[i].in);
	}
	big = xmalloc(SW_SASL_B64_MAX + 5);
	memset(big, 'A', SW_SASL_B64_MAX + 4);
	big[SW_SASL_B64_MAX + 4] = '\0';
	ok(sw_b64_decode(span_from_cstr(big), out, sizeof(out), &n) == -1,
	    "base64: too long refused");
	free(big);
	ok(sw_b64_like(SPAN_LIT("Ym9icy1TZWNyZXQtOTk=")) &&
	    !sw_b64_like(SPAN_LIT("MAIL FROM:<a@b>")), "base64-like lines");
}

/* Counters for t_body_sink. */
static int	 sink_begin, sink_end, sink_null;
static size_t	 sink_bytes;
static char	 sink_sha[65];

static void
bs_begin(void *arg, uint64_t flow)
{
	sink_begin++;
}

static void
bs_data(void *arg, uint64_t flow, const uint8_t *p, size_t n)
{
	sink_bytes += n;
}

static void
bs_end(void *arg, uint64_t flow, const char *sha)
{
	sink_end++;
	if (sha == NULL)
		sink_null++;
	else
		(void)snprintf(sink_sha, sizeof(sink_sha), "%s", sha);
}

/* t_body_sink - the message bytes are handed out, hash at the end. */
static void
t_body_sink(void)
{
	struct smtpwire		*sw;
	struct smtpwire_body	 b;
	struct drv		 d;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	memset(&b, 0, sizeof(b));
	b.begin = bs_begin;
	b.data = bs_data;
	b.end = bs_end;
	smtpwire_set_body(sw, &b);
	d_open(&d, sw, 22, "192.0.2.1", 1000, "198.51.100.1", 25, true);
	basic_session(&d);
	d_close(&d, FLOW_END_FIN);
	d_open(&d, sw, 23, "192.0.2.1", 1001, "198.51.100.1", 25, true);
	S(&d, BANNER);
	C(&d, "DATA\r\n");
	S(&d, "354 go\r\n");
	C(&d, "cut short");
	d_close(&d, FLOW_END_RST);
	is_int(sink_begin, 2, "body sink: two messages");
	is_int(sink_end, 2, "body sink: both ended");
	is_int(sink_null, 1, "body sink: the cut one without hash");
	is_int(sink_bytes, 247 + 9, "body sink: bytes");
	is_str(sink_sha, BODY_SHA, "body sink: hash");
	is_str(must(EV_DATA, 1, "body sink")->status, "incomplete",
	    "cut message: incomplete EV_DATA");
	smtpwire_free(sw);
}

/* rnd - a small deterministic generator for the hostile test. */
static uint32_t
rnd(void)
{
	static uint32_t	x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return (x);
}

/* t_hostile - random bytes, random pieces, random gaps: no crash. */
static void
t_hostile(void)
{
	static const char *const bits[] = {
		"220 ok\r\n", "250-x\r\n", "250 ok\r\n", "354 go\r\n",
		"334 VXNlcm5hbWU6\r\n", "235 ok\r\n", "535 no\r\n", "\r\n",
		"EHLO x\r\n", "MAIL FROM:<a@b>\r\n", "RCPT TO:<c@d>\r\n",
		"DATA\r\n", ".\r\n", "..\r\n", "BDAT 5\r\n", "BDAT 3 LAST\r\n",
		"AUTH LOGIN\r\n", "AUTH PLAIN AGEAYg==\r\n", "STARTTLS\r\n",
		"RSET\r\n", "\n", "\r", ".", "BDAT 99999999999999999999\r\n",
		"Subject: x\r\n", " folded\r\n", "\x16\x03", "\0",
	};
	struct smtpwire	*sw;
	struct drv	 d;
	uint8_t		 buf[600];
	size_t		 n, i, k;
	int		 flow, step;

	reset();
	sw = smtpwire_new(collect, NULL, 0);
	for (flow = 0; flow < 400; flow++) {
		d_open(&d, sw, 100 + flow, "198.51.100.7", 1024 + flow,
		    "203.0.113.1", flow % 7 == 0 ? 465 : 25, rnd() % 4 != 0);
		for (step = 0; step < 60; step++) {
			n = 0;
			k = 1 + rnd() % 6;
			for (i = 0; i < k; i++) {
				const char	*s = bits[rnd() %
				    (sizeof(bits) / sizeof(bits[0]))];
				size_t		 l = strlen(s);

				if (s[0] == '\0')
					l = 1;
				if (rnd() % 5 == 0) {
					l = 1 + rnd() % 40;
					if (n + l <= sizeof(buf))
						for (size_t j = 0; j < l; j++)
							buf[n + j] = rnd();
				} else if (n + l <= sizeof(buf))
					memcpy(buf + n, s, l);
				if (n + l <= sizeof(buf))
					n += l;
			}
			if (rnd() % 23 == 0)
				d_gap(&d, rnd() % 2, 1 + rnd() % 3000);
			d.chunk = rnd() % 3 == 0 ? (int32_t)(1 + rnd() % 7) : 0;
			if (n > 0)
				d_send(&d, rnd() % 2 ? FLOW_C2S : FLOW_S2C, buf,
				    n);
			if (nev > MAXEV / 2)
				reset();
		}
		if (flow % 50 == 0)
			d_close(&d, FLOW_END_CAP);
		else if (flow % 3 == 0)
			d_close(&d, FLOW_END_RST);
		else if (flow % 5 != 0)
			d_close(&d, FLOW_END_FIN);
		/* every fifth flow is left open for smtpwire_free() */
	}
	ok(smtpwire_stats(sw)->flows == 400, "hostile: 400 flows, no crash");
	smtpwire_free(sw);
	reset();
}

/* Counts of t_replay, kept by replay_sink. */
struct replay {
	int	 types[EV__MAX];
	int	 rcpt_ok, rcpt_bad, auth_ok, auth_bad;
	char	 qids[64][16];
	int	 nqids;
};

/* replay_sink - count, keep queue ids, and keep the bytes for in_all(). */
static void
replay_sink(void *arg, const struct event *ev)
{
	struct replay	*rp = arg;

	if (nev >= MAXEV)
		reset_events();
	collect(NULL, ev);
	rp->types[ev->type]++;
	if (ev->type == EV_RCPT && ev->reply_code / 100 == 2)
		rp->rcpt_ok++;
	else if (ev->type == EV_RCPT)
		rp->rcpt_bad++;
	if (ev->type == EV_AUTH)
		rp->auth_ok++;
	if (ev->type == EV_AUTH_FAIL)
		rp->auth_bad++;
	if (ev->type == EV_DATA && ev->queue_id.n > 0 &&
	    ev->queue_id.n < sizeof(rp->qids[0]) && rp->nqids < 64) {
		memcpy(rp->qids[rp->nqids], ev->queue_id.p, ev->queue_id.n);
		rp->qids[rp->nqids++][ev->queue_id.n] = '\0';
	}
}

/*
 * t_replay - the sample incident's real capture (48 sessions made by
 * Postfix 3.7, samples/README.md) through pcapin and tcpflow: the queue
 * ids match what the clients were told (run/client-results.tsv), the
 * counts match expected.md less the 3 STARTTLS sessions and the local
 * submission, and no password of accounts.tsv leaves the parser.
 */
static void
t_replay(void)
{
	static const char *const pw[] = {
		"Wonderland-2026", "Builder-2026", "dave1234",
		"V29uZGVybGFuZC0yMDI2", "QnVpbGRlci0yMDI2", "ZGF2ZTEyMzQ",
		"AGFsaWNlAFdvbmRlcmxhbmQtMjAyNg==", "AGRhdmUAZGF2ZTEyMzQ=",
	};
	struct replay		 rp;
	struct smtpwire		*sw;
	struct flow_sink	 fs;
	struct pcapin		*pc;
	struct pcapin_stats	 ps;
	const char		*top = getenv("top_srcdir");
	char			 path[1024], line[1024], err[256], *q;
	FILE			*fp;
	size_t			 i;
	int			 j, want = 0, found = 0, leaks = 0;

	reset();
	memset(&rp, 0, sizeof(rp));
	(void)snprintf(path, sizeof(path), "%s/samples/pcap/incident.pcap",
	    top != NULL ? top : ".");
	if ((pc = pcapin_open(path, err, sizeof(err))) == NULL) {
		ok(0, "replay: open %s: %s", path, err);
		return;
	}
	sw = smtpwire_new(replay_sink, &rp, 1);
	fs = smtpwire_flow_sink(sw);
	memset(&ps, 0, sizeof(ps));
	is_int(pcapin_run(pc, &fs, &ps), 0, "replay: capture read");
	pcapin_close(pc);
	is_int(smtpwire_stats(sw)->smtp_flows, 48, "replay: 48 sessions");
	is_int(smtpwire_stats(sw)->tls_flows, 3, "replay: 3 went TLS");
	is_int(smtpwire_stats(sw)->messages, 34, "replay: 34 messages read");
	is_int(smtpwire_stats(sw)->bad_lines, 0, "replay: no bad line");
	is_int(smtpwire_stats(sw)->unpaired, 0, "replay: every reply paired");
	is_int(smtpwire_stats(sw)->unanswered, 0, "replay: and every command");
	is_int(rp.types[EV_BANNER], 48, "replay: 48 greetings");
	is_int(rp.types[EV_DISCONNECT], 48, "replay: 48 ends");
	is_int(rp.rcpt_ok, 91 - 3 - 1, "replay: RCPTs accepted");
	is_int(rp.rcpt_bad, 20, "replay: RCPTs refused");
	is_int(rp.auth_ok, 10, "replay: AUTH accepted");
	is_int(rp.auth_bad, 4, "replay: AUTH refused (expected.md: 4)");
	is_int(rp.nqids, 34, "replay: 34 queue ids");
	(void)snprintf(path, sizeof(path), "%s/samples/run/client-results.tsv",
	    top != NULL ? top : ".");
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			/* The 7th column; the STARTTLS sessions are hidden. */
			for (q = line, j = 0; j < 6 && q != NULL; j++)
				if ((q = strchr(q, '\t')) != NULL)
					q++;
			if (q == NULL || line[0] == '#' || strstr(line,
			    "starttls=220") != NULL)
				continue;
			q[strcspn(q, "\t\n")] = '\0';
			if (*q == '\0' || *q == '-')
				continue;
			want++;
			for (j = 0; j < rp.nqids; j++)
				if (strcmp(rp.qids[j], q) == 0)
					found++;
		}
		fclose(fp);
	}
	ok(want == 34 && found == 34, "replay: the queue ids the clients "
	    "were given (%d of %d)", found, want);
	for (i = 0; i < sizeof(pw) / sizeof(pw[0]); i++)
		if (in_all(pw[i])) {
			diag("found %s", pw[i]);
			leaks++;
		}
	is_int(leaks, 0, "replay: no password nor its base64 in any event");
	smtpwire_free(sw);
	reset();
}

int
main(void)
{
	t_basic();
	t_bytewise();
	t_pipelining();
	t_data_refused();
	t_transactions();
	t_framing();
	t_longline();
	t_bdat();
	t_tls();
	t_auth();
	t_auth_onesided();
	t_gaps();
	t_midstream();
	t_unsolicited();
	t_queue();
	t_headers();
	t_queue_ids();
	t_base64();
	t_body_sink();
	t_hostile();
	t_replay();
	reset();
	free(all);
	return (done_testing());
}
