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
 * Microsoft Exchange 2007-2019 logs.  Every file starts with a W3C-style
 * header:
 *
 *	#Software: Microsoft Exchange Server
 *	#Version: 15.01.2507.035
 *	#Log-type: Message Tracking Log   (or SMTP Receive/Send Protocol Log)
 *	#Date: 2026-12-01T20:42:00.000Z
 *	#Fields: date-time,client-ip,...
 *
 * and rows are CSV in the order the "#Fields:" line gives (a new
 * "#Fields:" line mid-file replaces it).  Rows without any header (as
 * log shippers forward them) are read with the default column lists of
 * Exchange 2007, 2010 and 2013-2019, told apart by their number of
 * columns.  Times are UTC.
 *
 * Message tracking rows (exchange_msgtrk.c) become message events keyed
 * by internal-message-id, per server; protocol log rows
 * (exchange_smtp.c) become SMTP session events keyed by session-id in
 * event.flow.  Header lines are understood (PARSE_OK, no events); a row
 * whose quoting is broken, whose column count differs from the
 * "#Fields:" line, or whose time is not a time is PARSE_BAD.
 *
 * All of it is hostile input: addresses, HELO names and reply texts are
 * passed on as spans, never interpreted beyond splitting.
 */

#include "config.h"

#include "exchange.h"

#include <stdlib.h>
#include <string.h>

#include "exchange_int.h"
#include "msft.h"
#include "source.h"
#include "xmalloc.h"

static const char *const exch_col_names[XC__MAX] = {
	[XC_DATE_TIME] = "date-time",
	[XC_CLIENT_IP] = "client-ip",
	[XC_CLIENT_HOSTNAME] = "client-hostname",
	[XC_SERVER_IP] = "server-ip",
	[XC_SERVER_HOSTNAME] = "server-hostname",
	[XC_SOURCE_CONTEXT] = "source-context",
	[XC_CONNECTOR_ID] = "connector-id",
	[XC_SOURCE] = "source",
	[XC_EVENT_ID] = "event-id",
	[XC_INTERNAL_MESSAGE_ID] = "internal-message-id",
	[XC_MESSAGE_ID] = "message-id",
	[XC_RECIPIENT_ADDRESS] = "recipient-address",
	[XC_RECIPIENT_STATUS] = "recipient-status",
	[XC_TOTAL_BYTES] = "total-bytes",
	[XC_RECIPIENT_COUNT] = "recipient-count",
	[XC_RELATED_RECIPIENT_ADDRESS] = "related-recipient-address",
	[XC_REFERENCE] = "reference",
	[XC_SENDER_ADDRESS] = "sender-address",
	[XC_RETURN_PATH] = "return-path",
	[XC_ORIGINAL_CLIENT_IP] = "original-client-ip",
	[XC_CUSTOM_DATA] = "custom-data",
	[XC_SESSION_ID] = "session-id",
	[XC_SEQUENCE_NUMBER] = "sequence-number",
	[XC_LOCAL_ENDPOINT] = "local-endpoint",
	[XC_REMOTE_ENDPOINT] = "remote-endpoint",
	[XC_EVENT] = "event",
	[XC_DATA] = "data",
	[XC_CONTEXT] = "context",
};

/* Default columns of rows that come without a header. */
static const char *const exch_trk15[] = {
	"date-time", "client-ip", "client-hostname", "server-ip",
	"server-hostname", "source-context", "connector-id", "source",
	"event-id", "internal-message-id", "message-id", "network-message-id",
	"recipient-address", "recipient-status", "total-bytes",
	"recipient-count", "related-recipient-address", "reference",
	"message-subject", "sender-address", "return-path", "message-info",
	"directionality", "tenant-id", "original-client-ip",
	"original-server-ip", "custom-data", "transport-traffic-type",
	"log-id", "schema-version", NULL
};
static const char *const exch_trk14[] = {
	"date-time", "client-ip", "client-hostname", "server-ip",
	"server-hostname", "source-context", "connector-id", "source",
	"event-id", "internal-message-id", "message-id", "recipient-address",
	"recipient-status", "total-bytes", "recipient-count",
	"related-recipient-address", "reference", "message-subject",
	"sender-address", "return-path", "message-info", "directionality",
	"tenant-id", "original-client-ip", "original-server-ip", "custom-data",
	NULL
};
static const char *const exch_trk8[] = {
	"date-time", "client-ip", "client-hostname", "server-ip",
	"server-hostname", "source-context", "connector-id", "source",
	"event-id", "internal-message-id", "message-id", "recipient-address",
	"recipient-status", "total-bytes", "recipient-count",
	"related-recipient-address", "reference", "message-subject",
	"sender-address", "return-path", "message-info", NULL
};
static const char *const exch_proto[] = {
	"date-time", "connector-id", "session-id", "sequence-number",
	"local-endpoint", "remote-endpoint", "event", "data", "context", NULL
};

/* --- shared helpers ------------------------------------------------- */

/* exch_col - column c of the current row, or an empty span. */
struct span
exch_col(const struct exch_line *l, enum exch_col c)
{
	return (msft_row_get(&l->ex->row, l->ex->col[c]));
}

/*
 * exch_tmp - a + m + b + e (m and e C strings, may be NULL) built in the
 * line's room; an empty span when it does not fit.  Valid until the next
 * line.
 */
struct span
exch_tmp(struct exch_line *l, struct span a, const char *m, struct span b,
    const char *e)
{
	struct exchange	*ex = l->ex;
	size_t		 mn = m != NULL ? strlen(m) : 0;
	size_t		 en = e != NULL ? strlen(e) : 0;
	char		*p;

	if (a.n + mn + b.n + en > sizeof(ex->tmp) - ex->tmplen)
		return (SPAN_NULL);
	p = ex->tmp + ex->tmplen;
	if (a.n > 0)
		memcpy(p, a.p, a.n);
	if (mn > 0)
		memcpy(p + a.n, m, mn);
	if (b.n > 0)
		memcpy(p + a.n + mn, b.p, b.n);
	if (en > 0)
		memcpy(p + a.n + mn + b.n, e, en);
	ex->tmplen += a.n + mn + b.n + en;
	return ((struct span){ p, a.n + mn + b.n + en });
}

/*
 * exch_short_host - the first label of a host name ("EX01" of
 * "EX01.corp.example"): Exchange logs its own name short in some columns
 * and fully qualified in others, and messages are keyed per server.
 */
struct span
exch_short_host(struct span h)
{
	size_t	i;

	if (msft_is_ip(h))
		return (h);
	for (i = 0; i < h.n; i++)
		if (h.p[i] == '.')
			return ((struct span){ h.p, i });
	return (h);
}

/* exch_emit - hand one event to the caller's sink. */
void
exch_emit(struct exch_line *l, struct event *ev)
{
	l->nevents++;
	l->sink(l->arg, ev);
}

/* exch_tab_get - the string stored under key in t, or NULL. */
const char *
exch_tab_get(struct msft_tab *t, uint64_t key)
{
	return (msft_tab_get(t, key));
}

/*
 * exch_tab_put - store a copy of v under key.  A full table is emptied
 * first: what it held is old, and memory stays bounded.
 */
void
exch_tab_put(struct msft_tab *t, uint64_t key, struct span v)
{
	char	*old, *s = span_dup(v);

	if ((old = msft_tab_get(t, key)) != NULL) {
		(void)msft_tab_put(t, key, s);
		free(old);
		return;
	}
	if (msft_tab_put(t, key, s) == -1) {
		msft_tab_clear(t, free);
		(void)msft_tab_put(t, key, s);
	}
}

/* --- detection ------------------------------------------------------ */

/*
 * exch_row_shape - does line look like a header-less row: an ISO time,
 * then either 8 more columns with an event character in the seventh
 * (protocol log), or 20 or more with an upper-case event word in the
 * ninth (message tracking)?  Quotes are skipped, not unquoted.
 */
static bool
exch_row_shape(struct span line)
{
	const char	*p = line.p, *end = line.p + line.n, *f[32], *q;
	size_t		 n = 0, len[32], i;
	int64_t		 t;
	int32_t		 us;

	if (line.n < 25 || line.p[24] != ',' ||
	    msft_iso_time((struct span){ line.p, 24 }, &t, &us) == -1)
		return (false);
	while (p <= end && n < 32) {
		q = p;
		if (q < end && *q == '"') {
			for (q++; q < end; q++)
				if (*q == '"') {
					if (q + 1 < end && q[1] == '"')
						q++;
					else
						break;
				}
			if (q < end)
				q++;
		}
		while (q < end && *q != ',')
			q++;
		f[n] = p;
		len[n++] = (size_t)(q - p);
		if (q >= end)
			break;
		p = q + 1;
	}
	if (n == 9)
		return (len[6] == 1 && strchr("+-<>*", f[6][0]) != NULL);
	if (n < 20 || len[8] < 3 || len[8] > 24)
		return (false);
	for (i = 0; i < len[8]; i++)
		if (f[8][i] < 'A' || f[8][i] > 'Z')
			return (false);
	return (true);
}

/*
 * exchange_detect - is line one of an Exchange log: its "#Software:" or
 * "#Log-type:" header, or a header-less row of either kind?
 */
bool
exchange_detect(struct span line)
{
	line = msft_bom(line);
	if (span_startswith(line, "#Software: Microsoft Exchange") ||
	    span_startswith(line, "#Log-type: Message Tracking Log") ||
	    span_startswith(line, "#Log-type: SMTP Receive Protocol Log") ||
	    span_startswith(line, "#Log-type: SMTP Send Protocol Log"))
		return (true);
	return (exch_row_shape(line));
}

/* --- life cycle ----------------------------------------------------- */

/* exchange_create - the parser's state (the clock is not needed: UTC). */
void *
exchange_create(struct syslog_clock *clock)
{
	struct exchange	*ex;

	(void)clock;
	ex = xcalloc(1, sizeof(*ex));
	msft_row_init(&ex->row, SOURCE_LINE_MAX);
	ex->msgids = msft_tab_new(EXCH_TAB_MAX);
	ex->links = msft_tab_new(EXCH_TAB_MAX);
	ex->origs = msft_tab_new(EXCH_TAB_MAX);
	ex->sessions = msft_tab_new(EXCH_SESS_MAX);
	ex->auths = msft_tab_new(EXCH_TAB_MAX);
	exchange_begin(ex);
	return (ex);
}

/* exchange_destroy - release the parser; NULL is fine. */
void
exchange_destroy(void *v)
{
	struct exchange	*ex = v;

	if (ex == NULL)
		return;
	msft_row_free(&ex->row);
	msft_tab_free(ex->msgids, free);
	msft_tab_free(ex->links, free);
	msft_tab_free(ex->origs, free);
	msft_tab_free(ex->sessions, exch_smtp_free);
	msft_tab_free(ex->auths, free);
	free(ex);
}

/*
 * exchange_begin - a new source: its header is still to come.  Open
 * protocol sessions and the message look-ups are kept, since a log rolls
 * over to its next file in the middle of sessions and messages.
 */
void
exchange_begin(void *v)
{
	struct exchange	*ex = v;
	size_t		 i;

	ex->kind = EXCH_UNKNOWN;
	ex->fields_seen = false;
	ex->fields_kind = EXCH_UNKNOWN;
	memset(&ex->fields, 0, sizeof(ex->fields));
	for (i = 0; i < XC__MAX; i++)
		ex->col[i] = -1;
}

/* exch_map - look up the columns of ex->fields; what they are for. */
static enum exch_kind
exch_map(struct exchange *ex)
{
	size_t	i;

	for (i = 0; i < XC__MAX; i++)
		ex->col[i] = msft_fields_index(&ex->fields, exch_col_names[i]);
	if (ex->col[XC_DATE_TIME] < 0)
		return (EXCH_UNKNOWN);
	if (ex->col[XC_EVENT_ID] >= 0)
		return (EXCH_MSGTRK);
	if (ex->col[XC_SESSION_ID] >= 0 && ex->col[XC_EVENT] >= 0)
		return (EXCH_RECV);
	return (EXCH_UNKNOWN);
}

/* exch_header - a "#..." line: the header fields that matter. */
static enum parse_result
exch_header(struct exchange *ex, struct span line)
{
	struct span	v;

	if (span_startswith(line, "#Log-type:")) {
		v = span_trim((struct span){ line.p + 10, line.n - 10 });
		if (span_caseeq_cstr(v, "Message Tracking Log"))
			ex->kind = EXCH_MSGTRK;
		else if (span_find(v, "Receive") != NULL)
			ex->kind = EXCH_RECV;
		else if (span_find(v, "Send") != NULL)
			ex->kind = EXCH_SEND;
		else
			ex->kind = EXCH_UNKNOWN;
		return (PARSE_OK);
	}
	if (span_startswith(line, "#Fields:")) {
		v = (struct span){ line.p + 8, line.n - 8 };
		ex->fields_seen = false;
		if (msft_fields_parse(&ex->fields, v, ',') == -1 ||
		    (ex->fields_kind = exch_map(ex)) == EXCH_UNKNOWN)
			return (PARSE_BAD);
		ex->fields_seen = true;
		return (PARSE_OK);
	}
	return (PARSE_OK);
}

/* exch_guess - columns for a header-less row, by its shape. */
static enum exch_kind
exch_guess(struct exchange *ex)
{
	const struct msft_row	*r = &ex->row;

	if (r->n == 9)
		msft_fields_set(&ex->fields, exch_proto);
	else if (r->n == 30)
		msft_fields_set(&ex->fields, exch_trk15);
	else if (r->n == 26)
		msft_fields_set(&ex->fields, exch_trk14);
	else if (r->n == 21)
		msft_fields_set(&ex->fields, exch_trk8);
	else
		return (EXCH_UNKNOWN);
	return (exch_map(ex));
}

/*
 * exchange_parse - one line of an Exchange log: a header line, or a row
 * turned into events (see exchange_msgtrk.c and exchange_smtp.c).
 */
enum parse_result
exchange_parse(void *v, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct exchange		*ex = v;
	struct exch_line	 l;
	struct span		 line = msft_bom(ref->raw);
	enum exch_kind		 kind;

	(void)ml;
	if (line.n > 0 && line.p[0] == '#')
		return (exch_header(ex, line));
	if (msft_csv_split(&ex->row, line) == -1)
		return (PARSE_BAD);
	if (ex->fields_seen)
		kind = ex->fields_kind;
	else if ((kind = exch_guess(ex)) == EXCH_UNKNOWN)
		return (PARSE_BAD);
	if (ex->row.n != ex->fields.n)
		return (PARSE_BAD);
	memset(&l, 0, sizeof(l));
	l.ex = ex;
	l.ref = ref;
	l.sink = sink;
	l.arg = arg;
	ex->tmplen = 0;
	if (msft_iso_time(exch_col(&l, XC_DATE_TIME), &l.time, &l.usec) == -1)
		return (PARSE_BAD);
	if (kind == EXCH_MSGTRK)
		return (exch_msgtrk_row(&l));
	return (exch_smtp_row(&l, ex->kind == EXCH_MSGTRK ? EXCH_UNKNOWN :
	    ex->kind));
}
