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
 * Exim log lines to events: the line header (time stamp, zone, pid,
 * message id), the entry points for Exim's own files and for syslog, and
 * the message side.  Lines without a message id (connections, refusals,
 * authentication failures) are in exim_smtp.c.
 *
 * Message lines, after the id:
 *
 *  <= sender [R=parent] [U=user] [H=host] [P=proto] [X=tls] [A=auth:user]
 *     [S=size] [id=msgid] [T="subject"] [for rcpt ...]
 *	an arrival.  With H=: EV_HELO, EV_TLS (X=), EV_CLIENT (queue id,
 *	client, proto, sasl_method/sasl_user from A=).  With R= (a bounce
 *	Exim made for message R): EV_BOUNCE (queue_id R, new_queue_id this
 *	id).  Otherwise (local submission): EV_PICKUP.  Then EV_MSGINFO
 *	(sender, S=, the number of "for" addresses), EV_MSGID (id=) and one
 *	EV_RCPT per "for" address, reply_code 250.
 *  => addr [(parent)] [<orig>] R= T= [H=host] [C="reply"]   delivered
 *  -> ...	another address of the same delivery
 *  *> ...	delivery suppressed (-N): status "suppressed"
 *  ** addr [<orig>] [R= T= H=]: reason	failed: status "bounced"
 *  == addr [<orig>] R= T= defer (errno) [H=]: reason   status "deferred"
 *	EV_DELIVERY: rcpt addr, orig_rcpt orig, relay the H= host (else
 *	the transport, else the router), reply_code and dsn from C= or the
 *	reason, text C= or the reason.
 *  Completed	EV_REMOVED
 *  anything else with an id: refusals after DATA (exim_smtp.c), else
 *	EV_WARNING ("Warning: ...", frozen) or EV_INFO.
 *
 * Every event has program "exim" (the syslog tag for syslog lines), host
 * the syslog host (empty in Exim's own files, which do not name it) and
 * pid -1: sessions are keyed by the client's address and port, because
 * the daemon, the receiving process and the delivery processes of one
 * message log under different pids.  Session-side events have service
 * "smtpd".  Lines are hostile: fields are delimited by the structure
 * Exim writes around them, quoted values are taken to their closing
 * quote, and nothing is read past the line.
 */

#include "config.h"

#include "exim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exim_int.h"
#include "mtalog_int.h"
#include "syslog.h"
#include "xmalloc.h"

#define EX_DAY		86400

static const struct {
	const char	*name;
	const char	*pattern;
} ex_rx_table[EX_RX__MAX] = {
	[EX_RX_HOST] = { "exim-host",
	    "^(?:(?<name>[^ ()\\[\\]]+) )?(?:\\((?<helo>.*?)\\) )?"
	    "\\[(?<ip>[0-9A-Za-z:.]+)\\](?:[:.](?<port>[0-9]{1,5}))?" },
	[EX_RX_REPLY] = { "exim-reply",
	    "(?:^|: |\\()(?<code>[245][0-9][0-9])"
	    "(?:[ -](?<dsn>[245]\\.[0-9]{1,3}\\.[0-9]{1,3}))?(?:[ -]|$)" },
};

/* A rejectlog is told within this many of its first entries and lines. */
#define EX_SNIFF_ENTRIES	200
#define EX_SNIFF_LINES		4000

static enum parse_result ex_dispatch(struct ex_ctx *);

/* ex_new - a parser, its patterns compiled; clock may be NULL. */
static struct exim *
ex_new(struct syslog_clock *clock)
{
	struct exim	*ex;
	int		 i;

	ex = xcalloc(1, sizeof(*ex));
	ex->clock = clock;
	for (i = 0; i < EX_RX__MAX; i++)
		ex->rx[i] = rx_new(ex_rx_table[i].name, ex_rx_table[i].pattern);
	exim_sniff_init(&ex->sniff);
	ex_logs_begin(ex);
	return (ex);
}

/* ex_free - release ex; NULL is fine. */
static void
ex_free(struct exim *ex)
{
	int	i;

	if (ex == NULL)
		return;
	for (i = 0; i < EX_RX__MAX; i++)
		rx_free(ex->rx[i]);
	ex_logs_free(ex);
	free(ex);
}

/* exim_native_new - the native parser; times are resolved with clock. */
void *
exim_native_new(struct syslog_clock *clock)
{
	return (ex_new(clock));
}

/* exim_native_free - release a native parser. */
void
exim_native_free(void *p)
{
	ex_free(p);
}

/* exim_native_begin - a new source starts. */
void
exim_native_begin(void *p)
{
	struct exim	*ex = p;

	ex->in_entry = false;
	ex->stamp[0] = '\0';
	exim_sniff_init(&ex->sniff);
	ex_logs_begin(ex);
}

/*
 * exim_native_format - the source's format when it is more than "exim":
 * "exim-rejectlog" for a rejectlog (exim_sniff_rejectlog), else NULL.
 */
const char *
exim_native_format(void *p)
{
	struct exim	*ex = p;

	return (exim_sniff_rejectlog(&ex->sniff) ? "exim-rejectlog" : NULL);
}

/* exim_syslog_new - the syslog program parser (times come from syslog). */
void *
exim_syslog_new(void)
{
	return (ex_new(NULL));
}

/* exim_syslog_free - release a syslog program parser. */
void
exim_syslog_free(void *p)
{
	ex_free(p);
}

/* exim_syslog_begin - a new source starts: its entries are its own. */
void
exim_syslog_begin(void *p)
{
	ex_logs_begin(p);
}

/* ex_digits - the value of n ASCII digits at p, or -1. */
static int
ex_digits(const char *p, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!ASCII_ISDIGIT(p[i]))
			return (-1);
		v = v * 10 + (p[i] - '0');
	}
	return (v);
}

/* ex_stamp - Exim's time stamp at the start of s, or false. */
static bool
ex_stamp(struct span s, struct ex_stamp *st)
{
	const char	*p = s.p;
	size_t		 i = 19;
	int		 hh, mm, ss, oh, om, nd = 0;

	memset(st, 0, sizeof(*st));
	if (s.n < 21 || p[4] != '-' || p[7] != '-' || p[10] != ' ' ||
	    p[13] != ':' || p[16] != ':')
		return (false);
	st->y = ex_digits(p, 4);
	st->mo = ex_digits(p + 5, 2);
	st->d = ex_digits(p + 8, 2);
	hh = ex_digits(p + 11, 2);
	mm = ex_digits(p + 14, 2);
	ss = ex_digits(p + 17, 2);
	if (st->y < 1970 || st->mo < 1 || st->mo > 12 || st->d < 1 ||
	    st->d > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
	    ss > 60)
		return (false);
	st->sod = hh * 3600 + mm * 60 + ss;
	if (i < s.n && p[i] == '.') {
		for (i++; i < s.n && ASCII_ISDIGIT(p[i]); i++, nd++)
			if (nd < 6)
				st->usec = st->usec * 10 + (p[i] - '0');
		if (nd == 0)
			return (false);
		for (; nd < 6; nd++)
			st->usec *= 10;
	}
	if (i >= s.n || p[i] != ' ')
		return (false);
	i++;
	if (s.n - i >= 6 && (p[i] == '+' || p[i] == '-') &&
	    (oh = ex_digits(p + i + 1, 2)) >= 0 &&
	    (om = ex_digits(p + i + 3, 2)) >= 0 && p[i + 5] == ' ' &&
	    oh < 24 && om < 60) {
		st->zone = true;
		st->off = (p[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		i += 6;
	}
	st->len = i;
	return (true);
}

/*
 * ex_time - UTC seconds of a stamp.  A stamp without a zone is local
 * time in the clock's zone (--tz, else the machine's); the clock is asked
 * through a zone-less RFC 3339 stamp, which it reads as exactly that.
 */
static int64_t
ex_time(struct exim *ex, const struct ex_stamp *st, struct span s)
{
	struct syslog_msg	 sm;
	char			 tmp[40];
	int			 n;

	if (st->zone || ex->clock == NULL)
		return (syslog_days_from_civil(st->y, st->mo, st->d) * EX_DAY +
		    st->sod - st->off);
	if (memcmp(ex->stamp, s.p, 19) == 0)
		return (ex->stamp_time);
	n = snprintf(tmp, sizeof(tmp), "%.10sT%.8s x exim: x", s.p, s.p + 11);
	if (n <= 0 || (size_t)n >= sizeof(tmp) ||
	    syslog_parse(ex->clock, span_from_cstr(tmp), &sm) == -1)
		return (syslog_days_from_civil(st->y, st->mo, st->d) * EX_DAY +
		    st->sod);
	memcpy(ex->stamp, s.p, 19);
	ex->stamp[19] = '\0';
	ex->stamp_time = sm.time;
	return (sm.time);
}

/* ex_id_ch - a character of Exim's base-62 message ids? */
static bool
ex_id_ch(char ch)
{
	return (ASCII_ISDIGIT(ch) || ASCII_ISALPHA(ch));
}

/*
 * exim_is_msgid - s is an Exim message id: 6-6-2 characters (before 4.97)
 * or 6-11-4 (4.97 and later), base 62, joined by '-'.
 */
bool
exim_is_msgid(struct span s)
{
	size_t	a, b, i;

	if (s.n == 16) {
		a = 6;
		b = 13;
	} else if (s.n == 23) {
		a = 6;
		b = 18;
	} else
		return (false);
	for (i = 0; i < s.n; i++) {
		if (i == a || i == b) {
			if (s.p[i] != '-')
				return (false);
		} else if (!ex_id_ch(s.p[i]))
			return (false);
	}
	return (true);
}

/* ex_head - split pid and message id off body into c; false if empty. */
bool
ex_head(struct ex_ctx *c, struct span body)
{
	struct span	tok;
	size_t		i;

	if (body.n > 2 && body.p[0] == '[') {
		for (i = 1; i < body.n && ASCII_ISDIGIT(body.p[i]); i++)
			;
		if (i > 1 && i + 1 < body.n && body.p[i] == ']' &&
		    body.p[i + 1] == ' ')
			body = ex_at(body, i + 2);
	}
	for (i = 0; i < body.n && body.p[i] != ' '; i++)
		;
	tok.p = body.p;
	tok.n = i;
	c->qid = SPAN_NULL;
	if (exim_is_msgid(tok)) {
		c->qid = tok;
		body = ex_at(body, i < body.n ? i + 1 : i);
	}
	while (body.n > 0 && (body.p[body.n - 1] == ' ' ||
	    body.p[body.n - 1] == '\r'))
		body.n--;
	c->body = body;
	return (body.n > 0);
}

/* Syslog severities, which some templates write where the host goes. */
static const char *const ex_levels[] = {
	"emerg", "alert", "crit", "err", "error", "warning", "warn", "notice",
	"info", "debug", NULL
};

/*
 * ex_tag - the length of a syslog-style "HOST exim[PID]: " (or "exim4",
 * or no "[PID]") at the start of s, 0 if there is none; *host is HOST,
 * empty when it is a severity ("info exim[8001]: ", as a syslog-ng
 * template writes it).  Lines of this shape follow Exim's own time stamp
 * (a template with an ISO date) or come before it (a journal entry shown
 * as "HOST IDENT[PID]: MESSAGE", Exim's stamp in the message).
 */
static size_t
ex_tag(struct span s, struct span *host)
{
	size_t	i, h;
	int	k;

	*host = SPAN_NULL;
	for (h = 0; h < s.n && h < 256 && s.p[h] != ' ' && s.p[h] != ':' &&
	    s.p[h] != '[' && s.p[h] != '<'; h++)
		;
	if (h == 0 || h >= s.n || s.p[h] != ' ')
		return (0);
	i = h + 1;
	if (s.n - i >= 5 && memcmp(s.p + i, "exim4", 5) == 0)
		i += 5;
	else if (s.n - i >= 4 && memcmp(s.p + i, "exim", 4) == 0)
		i += 4;
	else
		return (0);
	if (i < s.n && s.p[i] == '[') {
		size_t	d;

		for (d = i + 1; d < s.n && d - i <= 10 &&
		    ASCII_ISDIGIT(s.p[d]); d++)
			;
		if (d == i + 1 || d >= s.n || s.p[d] != ']')
			return (0);
		i = d + 1;
	}
	if (s.n - i < 2 || s.p[i] != ':' || s.p[i + 1] != ' ')
		return (0);
	host->p = s.p;
	host->n = h;
	for (k = 0; ex_levels[k] != NULL; k++)
		if (span_eq_cstr(*host, ex_levels[k]))
			*host = SPAN_NULL;
	return (i + 2);
}

/*
 * ex_untag - line with Exim's time stamp: the stamp into *st and *at (the
 * line from the stamp on), the rest (after a syslog-style tag, whose host
 * goes into *host) into *body.  The tag may also come before the stamp.
 * False if there is no stamp at either place.
 */
bool
ex_untag(struct span line, struct ex_stamp *st, struct span *at,
    struct span *host, struct span *body)
{
	size_t	n;

	if (ex_stamp(line, st)) {
		*at = line;
		*body = ex_at(line, st->len);
		if ((n = ex_tag(*body, host)) > 0)
			*body = ex_at(*body, n);
		return (true);
	}
	if ((n = ex_tag(line, host)) == 0 || !ex_stamp(ex_at(line, n), st))
		return (false);
	*at = ex_at(line, n);
	*body = ex_at(*at, st->len);
	return (true);
}

/*
 * exim_detect - is line from Exim's own log files: a time stamp, then a
 * message id or one of the entries Exim writes without one?
 */
bool
exim_detect(struct span line)
{
	struct ex_stamp	st;
	struct ex_ctx	c;
	struct span	at, host, body;

	if (!ex_untag(line, &st, &at, &host, &body))
		return (false);
	memset(&c, 0, sizeof(c));
	if (!ex_head(&c, body))
		return (false);
	return (c.qid.n > 0 || ex_note(c.body));
}

/* exim_sniff_init - nothing looked at yet. */
void
exim_sniff_init(struct exim_sniff *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * exim_sniff_line - look at a source's next line, to tell a rejectlog
 * from a mainlog.  Returns whether more lines could change the answer:
 * false once a line only a mainlog has was seen, or after
 * EX_SNIFF_ENTRIES of Exim's entries or EX_SNIFF_LINES lines.  Lines
 * without Exim's time stamp (header dumps, blanks, other programs') only
 * count as lines.
 */
bool
exim_sniff_line(struct exim_sniff *s, struct span line)
{
	struct ex_stamp	st;
	struct ex_ctx	c;
	struct span	at, host, body;

	if (s->main || s->entries >= EX_SNIFF_ENTRIES ||
	    s->lines >= EX_SNIFF_LINES)
		return (false);
	s->lines++;
	memset(&c, 0, sizeof(c));
	if (!ex_untag(line, &st, &at, &host, &body) || !ex_head(&c, body))
		return (true);
	s->entries++;
	switch (ex_form(c.qid.n > 0, c.body)) {
	case EX_FORM_MAIN:
		s->main = true;
		return (false);
	case EX_FORM_REJECT:
		s->refusals++;
		break;
	case EX_FORM_OTHER:
		break;
	}
	return (s->entries < EX_SNIFF_ENTRIES && s->lines < EX_SNIFF_LINES);
}

/*
 * exim_sniff_rejectlog - do the lines looked at make a rejectlog: Exim's
 * refusals (at least one) and their header dumps, and no line of the
 * forms only a mainlog has (arrivals, deliveries, Completed, connections,
 * syntax errors, queue runs, the daemon's start)?
 */
bool
exim_sniff_rejectlog(const struct exim_sniff *s)
{
	return (!s->main && s->refusals > 0);
}

/*
 * ex_continuation - a line of the header dump the rejectlog writes after
 * a refusal: "Envelope-from: <>", "Envelope-to: <...>", a header line
 * with the flag Exim keeps on its spool ("P Received: ...": one of
 * "FTCBIRPS*", a space, the field name and its colon), a header line
 * without one (two spaces first), or a folded continuation.
 */
static bool
ex_continuation(struct span s)
{
	size_t	i;

	if (span_startswith(s, "Envelope-from: ") ||
	    span_startswith(s, "Envelope-to: "))
		return (true);
	if (s.n >= 2 && (s.p[0] == ' ' || s.p[0] == '\t'))
		return (true);
	if (s.n < 4 || strchr("FTCBIRPS*", s.p[0]) == NULL || s.p[0] == '\0' ||
	    s.p[1] != ' ')
		return (false);
	/*
	 * A field name: printable ASCII but the colon (RFC 5322, 3.6.8),
	 * maybe blanks before the colon (the obsolete syntax, 4.5.8).
	 */
	for (i = 2; i < s.n && s.p[i] > ' ' && s.p[i] < 127 && s.p[i] != ':';
	    i++)
		;
	if (i == 2)
		return (false);
	while (i < s.n && (s.p[i] == ' ' || s.p[i] == '\t'))
		i++;
	return (i < s.n && s.p[i] == ':');
}

/*
 * exim_native_parse - one line of an Exim log file.  Lines that Exim
 * wrote through syslog are taken too (so --format exim reads both).  A
 * rejectlog's header dump continues the entry before it.
 */
enum parse_result
exim_native_parse(void *p, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct exim		*ex = p;
	struct ex_stamp		 st;
	struct ex_ctx		 c;
	struct syslog_msg	 sm;
	struct span		 at, host, body;
	enum parse_result	 r;

	(void)exim_sniff_line(&ex->sniff, ref->raw);
	if (!ex_untag(ref->raw, &st, &at, &host, &body)) {
		if (ex->in_entry && ex_continuation(ref->raw))
			return (PARSE_OK);
		ex->in_entry = false;
		if (ex->clock != NULL &&
		    syslog_parse(ex->clock, ref->raw, &sm) == 0 &&
		    exim_match(&sm))
			return (exim_syslog_parse(ex, &sm, ref, sink, arg));
		return (PARSE_BAD);
	}
	memset(&c, 0, sizeof(c));
	c.ex = ex;
	c.ref = ref;
	c.sink = sink;
	c.arg = arg;
	c.program = SPAN_LIT("exim");
	c.host = host;
	c.time = ex_time(ex, &st, at);
	c.usec = st.usec;
	if (!ex_head(&c, body)) {
		ex->in_entry = false;
		return (PARSE_BAD);
	}
	r = ex_dispatch(&c);
	ex->in_entry = r == PARSE_OK;
	return (r);
}

/* exim_match - is sm from Exim: program "exim" or "exim4"? */
bool
exim_match(const struct syslog_msg *sm)
{
	return (span_caseeq_cstr(sm->program, "exim") ||
	    span_caseeq_cstr(sm->program, "exim4"));
}

/*
 * exim_syslog_parse - the message of one syslog line from Exim.  Its own
 * time stamp (syslog_timestamp, the default) is skipped: the syslog
 * header's time is the one with a zone or a year rule.  The later parts
 * of an entry Exim split ("[2\5] ...": a rejectlog's header dump, the
 * rest of a long line) belong to its first part; the second copy of a
 * line Exim writes to both its logs is marked (exim_logs.c).
 */
enum parse_result
exim_syslog_parse(void *p, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	struct exim	*ex = p;
	struct ex_stamp	 st;
	struct ex_ctx	 c;
	struct span	 body = sm->msg, msg;

	if (ex_part(&body) > 1)
		return (PARSE_OK);
	msg = body;
	memset(&c, 0, sizeof(c));
	c.ex = ex;
	c.ref = ref;
	c.sink = sink;
	c.arg = arg;
	c.time = sm->time;
	c.usec = sm->usec;
	c.host = sm->host;
	c.program = sm->program;
	if (ex_stamp(body, &st))
		body = ex_at(body, st.len);
	if (!ex_head(&c, body))
		return (PARSE_BAD);
	c.copy_of = ex_syslog_copy(ex, sm, ref->line, msg,
	    ex_form(c.qid.n > 0, c.body));
	return (ex_dispatch(&c));
}

/* --- helpers shared with exim_smtp.c -------------------------------- */

/* ex_at - s from offset i on (i <= s.n). */
struct span
ex_at(struct span s, size_t i)
{
	if (i > s.n)
		i = s.n;
	s.p += i;
	s.n -= i;
	return (s);
}

/* ex_event - ev initialised for this line; smtpd for session events. */
void
ex_event(const struct ex_ctx *c, struct event *ev, enum ev_type t,
    bool smtpd)
{
	ev_init(ev, t);
	ev->time = c->time;
	ev->usec = c->usec;
	ev->ref = *c->ref;
	ev->copy_of = c->copy_of;
	ev->host = c->host;
	ev->program = c->program;
	ev->instance = c->program;
	if (smtpd)
		ev->service = SPAN_LIT("smtpd");
	ev->queue_id = c->qid;
}

/* ex_emit - hand ev to the sink. */
void
ex_emit(const struct ex_ctx *c, struct event *ev)
{
	c->sink(c->arg, ev);
}

/*
 * ex_host - the client at the start of s, as Exim writes it ("[ip]",
 * "name [ip]", "(helo) [ip]", "name (helo) [ip]", each with ":port"),
 * followed by the end, a space or a colon.
 */
bool
ex_host(const struct ex_ctx *c, struct span s, struct ex_host *h)
{
	struct rx_match	 m;
	struct rx	*rx = c->ex->rx[EX_RX_HOST];
	struct span	 port;
	int64_t		 v;

	memset(h, 0, sizeof(*h));
	if (!rx_exec(rx, s, &m))
		return (false);
	h->len = m.group[0].n;
	if (h->len < s.n && s.p[h->len] != ' ' && s.p[h->len] != ':')
		return (false);
	h->name = m.group[rx_group(rx, "name")];
	h->helo = m.group[rx_group(rx, "helo")];
	h->ip = m.group[rx_group(rx, "ip")];
	if (memchr(h->ip.p, '.', h->ip.n) == NULL &&
	    memchr(h->ip.p, ':', h->ip.n) == NULL)
		return (false);
	port = m.group[rx_group(rx, "port")];
	if (port.p != NULL) {
		if (span_to_i64(port, &v) == -1 || v < 0 || v > 65535)
			return (false);
		h->port = (uint16_t)v;
	}
	return (true);
}

/* ex_set_host - the client fields of ev from h. */
void
ex_set_host(struct event *ev, const struct ex_host *h)
{
	ev->client_name = h->name;
	ev->client_ip = h->ip;
	ev->client_port = h->port;
	if (h->helo.p != NULL)
		ev->helo = h->helo;
}

/* ex_reply - reply code and DSN found in text ("...: 554 5.7.1 ..."). */
void
ex_reply(const struct ex_ctx *c, struct span text, struct event *ev)
{
	struct rx_match	 m;
	struct rx	*rx = c->ex->rx[EX_RX_REPLY];
	int64_t		 v;

	if (text.n == 0 || !rx_exec(rx, text, &m))
		return;
	if (span_to_i64(m.group[rx_group(rx, "code")], &v) == 0)
		ev->reply_code = (int)v;
	if (m.group[rx_group(rx, "dsn")].p != NULL)
		ev->dsn = m.group[rx_group(rx, "dsn")];
}

/* ex_quoted_end - offset after the closing quote of s[i] == '"', or 0. */
size_t
ex_quoted_end(struct span s, size_t i)
{
	for (i++; i < s.n; i++) {
		if (s.p[i] == '\\' && i + 1 < s.n)
			i++;
		else if (s.p[i] == '"')
			return (i + 1);
	}
	return (0);
}

/*
 * ex_kv - a KEY=value field at *ip of s: the key, the value (a quoted one
 * without its quotes, F=<...> without its brackets, H= a whole client
 * into *h).  *ip moves past it.  False if there is none at *ip.
 */
bool
ex_kv(const struct ex_ctx *c, struct span s, size_t *ip, struct span *key,
    struct span *val, struct ex_host *h)
{
	size_t	i = *ip, k, e;

	for (k = i; k < s.n && (ex_id_ch(s.p[k]) || s.p[k] == '_'); k++)
		;
	if (k == i || k >= s.n || s.p[k] != '=')
		return (false);
	key->p = s.p + i;
	key->n = k - i;
	k++;
	if (span_eq_cstr(*key, "H") && h != NULL &&
	    ex_host(c, ex_at(s, k), h)) {
		val->p = s.p + k;
		val->n = h->len;
		*ip = k + h->len;
		return (true);
	}
	if (k < s.n && s.p[k] == '"' && (e = ex_quoted_end(s, k)) > 0) {
		val->p = s.p + k + 1;
		val->n = e - k - 2;
		*ip = e;
		return (true);
	}
	if (k < s.n && s.p[k] == '<') {
		for (e = k + 1; e < s.n; e++)
			if (s.p[e] == '>' && (e + 1 == s.n || s.p[e + 1] == ' '))
				break;
		if (e < s.n) {
			val->p = s.p + k + 1;
			val->n = e - k - 1;
			*ip = e + 1;
			return (true);
		}
	}
	for (e = k; e < s.n && s.p[e] != ' '; e++)
		;
	val->p = s.p + k;
	val->n = e - k;
	*ip = e;
	return (true);
}

/*
 * ex_fields - the KEY=value fields at the start of s into f; returns the
 * offset of the first word that is not one (its leading space skipped).
 */
size_t
ex_fields(const struct ex_ctx *c, struct span s, struct ex_fields *f)
{
	struct span	key, val;
	struct ex_host	h;
	size_t		i = 0, j;

	memset(f, 0, sizeof(*f));
	while (i < s.n) {
		j = i;
		if (!ex_kv(c, s, &j, &key, &val, &h))
			break;
		if (span_eq_cstr(key, "H") && val.p != NULL &&
		    val.n == h.len && h.len > 0 && !f->have_host) {
			f->have_host = true;
			f->host = h;
		} else if (span_eq_cstr(key, "F")) {
			f->sender = val;
			f->have_sender = true;
		} else if (span_eq_cstr(key, "U"))
			f->user = val;
		else if (span_eq_cstr(key, "A"))
			f->auth = val;
		else if (span_eq_cstr(key, "P"))
			f->proto = val;
		else if (span_eq_cstr(key, "X"))
			f->tls = val;
		i = j;
		while (i < s.n && s.p[i] == ' ')
			i++;
	}
	return (i);
}

/* --- the message side ------------------------------------------------ */

/* ex_split_auth - "authenticator:user" of A= into method and user. */
static void
ex_split_auth(struct span a, struct event *ev)
{
	const char	*colon;

	if (a.n == 0)
		return;
	if ((colon = memchr(a.p, ':', a.n)) == NULL) {
		ev->sasl_method = a;
		return;
	}
	ev->sasl_method.p = a.p;
	ev->sasl_method.n = (size_t)(colon - a.p);
	ev->sasl_user.p = colon + 1;
	ev->sasl_user.n = a.n - ev->sasl_method.n - 1;
}

/* ex_addr - an address token at *ip (quoted local parts kept whole). */
static struct span
ex_addr(struct span s, size_t *ip)
{
	struct span	a;
	size_t		i = *ip, e;

	if (i < s.n && s.p[i] == '"' && (e = ex_quoted_end(s, i)) > 0)
		for (; e < s.n && s.p[e] != ' '; e++)
			;
	else if (i < s.n && s.p[i] == '|') {
		/* a pipe command may hold spaces: it ends before <orig> */
		for (e = i; e < s.n; e++)
			if (s.p[e] == ' ' && e + 1 < s.n &&
			    (s.p[e + 1] == '<' || (e + 2 < s.n &&
			    s.p[e + 2] == '=' && ASCII_ISALPHA(s.p[e + 1]))))
				break;
	} else
		for (e = i; e < s.n && s.p[e] != ' '; e++)
			;
	a.p = s.p + i;
	a.n = e - i;
	*ip = e;
	return (a);
}

/* ex_arrival - "<= sender fields [for rcpt ...]". */
static enum parse_result
ex_arrival(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct span	 sender, key, val, parent = SPAN_NULL, user = SPAN_NULL;
	struct span	 proto = SPAN_NULL, auth = SPAN_NULL, tls = SPAN_NULL;
	struct span	 msgid = SPAN_NULL, list = SPAN_NULL, a;
	struct ex_host	 h, host;
	bool		 have_host = false;
	int64_t		 size = -1, nrcpt = -1, v;
	size_t		 i = 0;

	if (s.n == 0)
		return (PARSE_BAD);
	sender = ex_addr(s, &i);
	if (span_eq_cstr(sender, "<>"))
		sender.n = 0;
	while (i < s.n) {
		while (i < s.n && s.p[i] == ' ')
			i++;
		if (i == s.n)
			break;
		if (s.n - i >= 4 && memcmp(s.p + i, "for ", 4) == 0) {
			list = ex_at(s, i + 4);
			break;
		}
		if (!ex_kv(c, s, &i, &key, &val, &h)) {
			while (i < s.n && s.p[i] != ' ')
				i++;
			continue;
		}
		if (span_eq_cstr(key, "H") && val.n == h.len && h.len > 0) {
			host = h;
			have_host = true;
		} else if (span_eq_cstr(key, "R"))
			parent = val;
		else if (span_eq_cstr(key, "U"))
			user = val;
		else if (span_eq_cstr(key, "P"))
			proto = val;
		else if (span_eq_cstr(key, "A"))
			auth = val;
		else if (span_eq_cstr(key, "X"))
			tls = val;
		else if (span_eq_cstr(key, "id"))
			msgid = val;
		else if (span_eq_cstr(key, "S") && span_to_i64(val, &v) == 0)
			size = v;
	}
	if (list.p != NULL) {
		for (nrcpt = 0, i = 0; i < list.n; ) {
			while (i < list.n && list.p[i] == ' ')
				i++;
			if (i == list.n)
				break;
			(void)ex_addr(list, &i);
			nrcpt++;
		}
	}

	if (parent.n > 0 && exim_is_msgid(parent)) {
		ex_event(c, &ev, EV_BOUNCE, false);
		ev.queue_id = parent;
		ev.new_queue_id = c->qid;
		ev.text = SPAN_LIT("non-delivery notification");
		ex_emit(c, &ev);
	} else if (have_host) {
		if (host.helo.n > 0) {
			ex_event(c, &ev, EV_HELO, true);
			ev.queue_id = SPAN_NULL;
			ex_set_host(&ev, &host);
			ex_emit(c, &ev);
		}
		if (tls.n > 0) {
			ex_event(c, &ev, EV_TLS, true);
			ev.queue_id = SPAN_NULL;
			ex_set_host(&ev, &host);
			ev.text = tls;
			ex_emit(c, &ev);
		}
		ex_event(c, &ev, EV_CLIENT, true);
		ex_set_host(&ev, &host);
		ev.proto = proto;
		ex_split_auth(auth, &ev);
		ex_emit(c, &ev);
	} else {
		ex_event(c, &ev, EV_PICKUP, false);
		ev.sender = sender;
		ev.text = user;
		ev.proto = proto;
		ex_emit(c, &ev);
	}
	ex_event(c, &ev, EV_MSGINFO, false);
	ev.sender = sender;
	ev.size = size;
	ev.nrcpt = nrcpt;
	ex_emit(c, &ev);
	if (msgid.n > 0) {
		ex_event(c, &ev, EV_MSGID, false);
		ev.message_id = msgid;
		ex_emit(c, &ev);
	}
	for (i = 0; list.p != NULL && i < list.n; ) {
		while (i < list.n && list.p[i] == ' ')
			i++;
		if (i == list.n)
			break;
		a = ex_addr(list, &i);
		ex_event(c, &ev, EV_RCPT, false);
		ev.rcpt = a;
		ev.sender = sender;
		ev.reply_code = 250;
		ex_emit(c, &ev);
	}
	return (PARSE_OK);
}

/* ex_reason_at - does a reason (": text" or ":" at the end) start at i? */
static bool
ex_reason_at(struct span s, size_t i)
{
	return (i < s.n && s.p[i] == ':' && (i + 1 == s.n || s.p[i + 1] == ' '));
}

/* ex_delivery - "=> addr ...", "-> ", "*> ", "** ", "== ". */
static enum parse_result
ex_delivery(const struct ex_ctx *c, struct span s, const char *status)
{
	struct event	 ev;
	struct span	 addr, orig = SPAN_NULL, key, val, reason = SPAN_NULL;
	struct span	 router = SPAN_NULL, transport = SPAN_NULL;
	struct span	 relay = SPAN_NULL, conf = SPAN_NULL;
	struct ex_host	 h;
	size_t		 i = 0, e, j;
	int		 depth;

	addr = ex_addr(s, &i);
	if (addr.n > 0 && addr.p[addr.n - 1] == ':' &&
	    (i == s.n || s.p[i] == ' ')) {
		addr.n--;
		reason = span_trim(ex_at(s, i));
		i = s.n;
	}
	if (addr.n == 0)
		return (PARSE_BAD);
	while (i < s.n) {
		while (i < s.n && s.p[i] == ' ')
			i++;
		if (i == s.n)
			break;
		if (ex_reason_at(s, i)) {
			reason = span_trim(ex_at(s, i + 1));
			break;
		}
		if (s.p[i] == '(') {
			for (depth = 0, e = i; e < s.n; e++) {
				if (s.p[e] == '(')
					depth++;
				else if (s.p[e] == ')' && --depth == 0)
					break;
			}
			i = e < s.n ? e + 1 : s.n;
			continue;
		}
		if (s.p[i] == '<' && orig.p == NULL) {
			for (e = i + 1; e < s.n; e++)
				if (s.p[e] == '>' && (e + 1 == s.n ||
				    s.p[e + 1] == ' ' || s.p[e + 1] == ':'))
					break;
			if (e < s.n) {
				orig.p = s.p + i + 1;
				orig.n = e - i - 1;
				i = e + 1;
				continue;
			}
		}
		j = i;
		if (ex_kv(c, s, &j, &key, &val, &h)) {
			i = j;
			if (val.n > 0 && val.p[val.n - 1] == ':' &&
			    (i == s.n || s.p[i] == ' ') &&
			    val.p + val.n == s.p + i) {
				val.n--;
				i--;
			}
			if (span_eq_cstr(key, "R"))
				router = val;
			else if (span_eq_cstr(key, "T"))
				transport = val;
			else if (span_eq_cstr(key, "H"))
				relay = val;
			else if (span_eq_cstr(key, "C"))
				conf = val;
			continue;
		}
		for (e = i; e < s.n && s.p[e] != ' ' && !ex_reason_at(s, e);
		    e++)
			;
		i = e;
	}

	ex_event(c, &ev, EV_DELIVERY, false);
	ev.rcpt = addr;
	ev.orig_rcpt = orig;
	ev.relay = relay.n > 0 ? relay : transport.n > 0 ? transport : router;
	ev.status = span_from_cstr(status);
	ev.text = conf.n > 0 ? conf : reason;
	ex_reply(c, ev.text, &ev);
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_dispatch - one line's body, after the header. */
static enum parse_result
ex_dispatch(struct ex_ctx *c)
{
	struct span	 b = c->body;
	struct event	 ev;

	if (c->qid.n == 0)
		return (ex_smtp(c));
	if (b.n >= 3 && b.p[2] == ' ') {
		if (b.p[0] == '<' && b.p[1] == '=')
			return (ex_arrival(c, ex_at(b, 3)));
		if (b.p[0] == '=' && b.p[1] == '>')
			return (ex_delivery(c, ex_at(b, 3), "sent"));
		if (b.p[0] == '-' && b.p[1] == '>')
			return (ex_delivery(c, ex_at(b, 3), "sent"));
		if (b.p[0] == '*' && b.p[1] == '>')
			return (ex_delivery(c, ex_at(b, 3), "suppressed"));
		if (b.p[0] == '*' && b.p[1] == '*')
			return (ex_delivery(c, ex_at(b, 3), "bounced"));
		if (b.p[0] == '=' && b.p[1] == '=')
			return (ex_delivery(c, ex_at(b, 3), "deferred"));
	}
	if (span_eq_cstr(b, "Completed") ||
	    span_startswith(b, "Completed QT=")) {
		ex_event(c, &ev, EV_REMOVED, false);
		ex_emit(c, &ev);
		return (PARSE_OK);
	}
	if (ex_smtp(c) == PARSE_OK)
		return (PARSE_OK);
	/* Any other line about a message is Exim's: a note or a warning. */
	ex_event(c, &ev, span_startswith(b, "Warning") ||
	    span_find(b, "rozen") != NULL ||
	    span_startswith(b, "error ") ? EV_WARNING : EV_INFO, false);
	ev.text = b;
	ex_emit(c, &ev);
	return (PARSE_OK);
}
