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
 * IIS SMTP service logs (Exchange 2000/2003, Windows Server's SMTPSVC):
 * one line per command with the reply code the server gave.  Two forms:
 *
 *  W3C extended	"#Software: Microsoft Internet Information Services
 *			6.0", "#Version:", "#Date:", "#Fields: date time c-ip
 *			cs-username s-sitename ... cs-method cs-uri-stem
 *			cs-uri-query sc-status ..." then space separated
 *			rows in that order, times in UTC, '-' for empty and
 *			'+' for a space in cs-uri-query ("+FROM:+<a@b>")
 *  NCSA		'192.0.2.7 - helo.name [01/Dec/2026:20:42:57 +0100]
 *			"MAIL -?+FROM:<a@b> SMTP" 250 46', local time with
 *			its offset
 *
 * There is no session id, so sessions are rebuilt per client address
 * (and server address and site): a new one starts at the client's first
 * line, at a HELO/EHLO after one was already seen (but not the EHLO after
 * STARTTLS), after QUIT, and after IIS_IDLE_MAX seconds of silence; each
 * gets the next number of a counter as event.flow.  Lines of the server's
 * own outgoing connections (cs-username OutboundConnectionCommand or
 * OutboundConnectionResponse) are understood but give no events, and so
 * are header lines; rows of a web site's log (no SMTP verb, no SMTPSVC
 * site) are PARSE_SKIP.
 *
 * Every event has program "iis/smtpsvc" (service "smtpsvc"), pid -1,
 * host = s-computername (empty in NCSA), client_ip = c-ip, server_ip =
 * s-ip, server_port = s-port when not 0, flow, reply_code = sc-status:
 *
 *  HELO, EHLO		EV_HELO (stage = the verb, helo = the argument)
 *  MAIL		EV_MAIL (sender without <>)
 *  RCPT		EV_RCPT (rcpt without <>): 550 is a refusal
 *  DATA		EV_DATA (stage "END-OF-MESSAGE", message_id = the
 *			<id> IIS logs, queue_id = the same, as Exchange
 *			2000/2003 tracking logs key messages by it; size =
 *			cs-bytes)
 *  AUTH		EV_AUTH (2xx, sasl_method) or EV_AUTH_FAIL (4xx,
 *			5xx); a 334 gives EV_INFO
 *  STARTTLS		EV_TLS (text "STARTTLS") when 220
 *  RSET		EV_RSET
 *  QUIT		EV_DISCONNECT (text "QUIT")
 *  anything else	EV_INFO (stage = the verb as logged, "xxxx" for what
 *			IIS did not recognise; text2 = the argument)
 */

#include "config.h"

#include "iis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msft.h"
#include "source.h"
#include "xmalloc.h"

#define IIS_SESS_MAX	8192

enum iis_col {
	IC_DATE,
	IC_TIME,
	IC_C_IP,
	IC_CS_USERNAME,
	IC_S_SITENAME,
	IC_S_COMPUTERNAME,
	IC_S_IP,
	IC_S_PORT,
	IC_CS_METHOD,
	IC_CS_URI_QUERY,
	IC_SC_STATUS,
	IC_CS_BYTES,
	IC_CS_VERSION,
	IC__MAX
};

static const char *const iis_col_names[IC__MAX] = {
	[IC_DATE] = "date",
	[IC_TIME] = "time",
	[IC_C_IP] = "c-ip",
	[IC_CS_USERNAME] = "cs-username",
	[IC_S_SITENAME] = "s-sitename",
	[IC_S_COMPUTERNAME] = "s-computername",
	[IC_S_IP] = "s-ip",
	[IC_S_PORT] = "s-port",
	[IC_CS_METHOD] = "cs-method",
	[IC_CS_URI_QUERY] = "cs-uri-query",
	[IC_SC_STATUS] = "sc-status",
	[IC_CS_BYTES] = "cs-bytes",
	[IC_CS_VERSION] = "cs-version",
};

/* The full W3C field list, for rows that come without a header. */
static const char *const iis_w3c_all[] = {
	"date", "time", "c-ip", "cs-username", "s-sitename", "s-computername",
	"s-ip", "s-port", "cs-method", "cs-uri-stem", "cs-uri-query",
	"sc-status", "sc-win32-status", "sc-bytes", "cs-bytes", "time-taken",
	"cs-version", "cs-host", "cs(user-agent)", "cs(cookie)",
	"cs(referer)", NULL
};

/* SMTP verbs IIS logs, for telling an SMTP row from a web one. */
static const char *const iis_verbs[] = {
	"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "AUTH", "STARTTLS",
	"RSET", "QUIT", "NOOP", "VRFY", "EXPN", "TURN", "ETRN", "ATRN",
	"HELP", "X-EXPS", "X-LINK2STATE", "XEXCH50", "xxxx", NULL
};

struct iis_sess {
	uint64_t	 flow;
	int64_t		 last;
	bool		 helo;		/* a HELO/EHLO was seen */
	bool		 tls;		/* STARTTLS was accepted */
};

struct iis {
	bool			 fields_seen;
	struct msft_fields	 fields;
	int			 col[IC__MAX];
	struct msft_row		 row;
	struct msft_tab		*sessions;
	uint64_t		 next_flow;
	char			 day[11];	/* of "#Date:", for rows
						   without a date column */
};

/* One command line, whichever form it came in. */
struct iis_cmd {
	int64_t		 time;
	int32_t		 usec;
	struct span	 cip;
	struct span	 user;
	struct span	 host;
	struct span	 sip;
	uint16_t	 sport;
	struct span	 site;
	struct span	 verb;
	struct span	 query;
	int		 status;
	int64_t		 bytes;
};

/* iis_dash - a W3C value: "-" is empty. */
static struct span
iis_dash(struct span s)
{
	if (s.n == 1 && s.p[0] == '-')
		return ((struct span){ s.p, 0 });
	return (s);
}

/* iis_is_verb - is v an SMTP verb IIS logs? */
static bool
iis_is_verb(struct span v)
{
	size_t	i;

	for (i = 0; iis_verbs[i] != NULL; i++)
		if (span_caseeq_cstr(v, iis_verbs[i]))
			return (true);
	return (false);
}

/* --- NCSA ----------------------------------------------------------- */

/*
 * iis_ncsa_split - the parts of an NCSA line.  The request may hold
 * quotes itself (a logged 354 reply does), so it runs from the first
 * quote after the time to the quote before the final "status bytes".
 * Returns false when the line is not of that shape.
 */
static bool
iis_ncsa_split(struct span l, struct iis_cmd *c, struct span *when,
    struct span *req)
{
	const char	*p = l.p, *end = l.p + l.n, *q, *r;
	int64_t		 v;
	int		 sp = 0;

	memset(c, 0, sizeof(*c));
	for (q = p; q < end && *q != ' '; q++)
		;
	c->cip = (struct span){ p, (size_t)(q - p) };
	if (!msft_is_ip(c->cip) || end - q < 4 || memcmp(q, " - ", 3) != 0)
		return (false);
	p = q + 3;
	for (q = p; q < end && *q != ' '; q++)
		;
	c->user = iis_dash((struct span){ p, (size_t)(q - p) });
	if (end - q < 3 || q[1] != '[')
		return (false);
	p = q + 2;
	for (q = p; q < end && *q != ']'; q++)
		;
	if (q == end || end - q < 3 || q[1] != ' ' || q[2] != '"')
		return (false);
	*when = (struct span){ p, (size_t)(q - p) };
	p = q + 3;
	for (r = end; r > p; r--)
		if (r[-1] == ' ' && ++sp == 2)
			break;
	if (sp != 2 || r - p < 2 || r[-2] != '"')
		return (false);
	*req = (struct span){ p, (size_t)(r - 2 - p) };
	for (q = r; q < end && *q != ' '; q++)
		;
	if (span_to_i64((struct span){ r, (size_t)(q - r) }, &v) == -1 ||
	    v < 0 || v > 999)
		return (false);
	c->status = (int)v;
	if (q < end && span_to_i64((struct span){ q + 1,
	    (size_t)(end - q - 1) }, &v) == 0)
		c->bytes = v;
	return (true);
}

/* iis_ncsa_time - "01/Dec/2026:20:42:57 +0100" as UTC seconds. */
static int
iis_ncsa_time(struct span w, int64_t *t)
{
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOct"
	    "NovDec";
	char			 date[32], tod[16];
	const char		*m;
	int64_t			 off = 0, v;
	int32_t			 us;
	int			 mo;

	if (w.n != 26 || w.p[2] != '/' || w.p[6] != '/' || w.p[11] != ':' ||
	    w.p[20] != ' ' || (w.p[21] != '+' && w.p[21] != '-'))
		return (-1);
	for (m = months, mo = 1; *m != '\0'; m += 3, mo++)
		if (memcmp(m, w.p + 3, 3) == 0)
			break;
	if (*m == '\0')
		return (-1);
	(void)snprintf(date, sizeof(date), "%.4s-%02d-%.2s", w.p + 7, mo, w.p);
	(void)snprintf(tod, sizeof(tod), "%.8s", w.p + 12);
	if (msft_ymd_hms(span_from_cstr(date), span_from_cstr(tod), t,
	    &us) == -1 ||
	    span_to_i64((struct span){ w.p + 22, 4 }, &v) == -1)
		return (-1);
	off = (v / 100) * 3600 + (v % 100) * 60;
	if (v % 100 > 59 || v / 100 > 23)
		return (-1);
	*t -= w.p[21] == '-' ? -off : off;
	return (0);
}

/* --- life cycle and detection --------------------------------------- */

/*
 * iis_detect - a W3C header of IIS, a header-less W3C row of the SMTP
 * service, or an NCSA line with an SMTP request.
 */
bool
iis_detect(struct span line)
{
	struct iis_cmd	c;
	struct span	when, req;
	size_t		n = 0, i;

	line = msft_bom(line);
	if (span_startswith(line, "#Software: Microsoft Internet Information "
	    "Services"))
		return (true);
	if (line.n > 20 && ASCII_ISDIGIT(line.p[0]) && line.p[4] == '-' &&
	    line.p[10] == ' ') {
		for (i = 0; i < line.n; i++)
			n += line.p[i] == ' ';
		return (n == 20 && span_find(line, " SMTPSVC") != NULL);
	}
	return (iis_ncsa_split(line, &c, &when, &req) &&
	    span_endswith(req, " SMTP"));
}

/* iis_sess_free - release a session. */
static void
iis_sess_free(void *v)
{
	free(v);
}

/* iis_create - the parser's state. */
void *
iis_create(struct syslog_clock *clock)
{
	struct iis	*ii;

	(void)clock;
	ii = xcalloc(1, sizeof(*ii));
	msft_row_init(&ii->row, SOURCE_LINE_MAX);
	ii->sessions = msft_tab_new(IIS_SESS_MAX);
	ii->next_flow = 1;
	iis_begin(ii);
	return (ii);
}

/* iis_destroy - release the parser; NULL is fine. */
void
iis_destroy(void *v)
{
	struct iis	*ii = v;

	if (ii == NULL)
		return;
	msft_row_free(&ii->row);
	msft_tab_free(ii->sessions, iis_sess_free);
	free(ii);
}

/*
 * iis_begin - a new source: its header is still to come.  Sessions are
 * kept (a daily log rolls over at midnight, in the middle of sessions);
 * the flow counter goes on.
 */
void
iis_begin(void *v)
{
	struct iis	*ii = v;
	size_t		 i;

	ii->fields_seen = false;
	ii->day[0] = '\0';
	memset(&ii->fields, 0, sizeof(ii->fields));
	for (i = 0; i < IC__MAX; i++)
		ii->col[i] = -1;
}

/* iis_map - the columns of ii->fields; -1 without time, c-ip or method. */
static int
iis_map(struct iis *ii)
{
	size_t	i;

	for (i = 0; i < IC__MAX; i++)
		ii->col[i] = msft_fields_index(&ii->fields, iis_col_names[i]);
	if (ii->col[IC_TIME] < 0 || ii->col[IC_C_IP] < 0 ||
	    ii->col[IC_CS_METHOD] < 0)
		return (-1);
	return (0);
}

/* --- events --------------------------------------------------------- */

/* iis_session - the session c belongs to, opened or renewed as needed. */
static struct iis_sess *
iis_session(struct iis *ii, const struct iis_cmd *c, bool helo)
{
	struct iis_sess	*se;
	uint64_t	 key;

	key = msft_hash(0, c->cip);
	key = msft_hash(key, SPAN_LIT("\n"));
	key = msft_hash(key, c->sip);
	key = msft_hash(key, SPAN_LIT("\n"));
	key = msft_hash(key, c->site);
	if ((se = msft_tab_get(ii->sessions, key)) != NULL &&
	    (c->time - se->last > IIS_IDLE_MAX || c->time < se->last - 60 ||
	    (helo && se->helo && !se->tls))) {
		free(msft_tab_del(ii->sessions, key));
		se = NULL;
	}
	if (se == NULL) {
		se = xcalloc(1, sizeof(*se));
		se->flow = ii->next_flow++;
		if (msft_tab_put(ii->sessions, key, se) == -1) {
			msft_tab_clear(ii->sessions, iis_sess_free);
			(void)msft_tab_put(ii->sessions, key, se);
		}
	}
	se->last = c->time;
	return (se);
}

/* iis_arg - a logged argument: without the '+' IIS writes for a space. */
static struct span
iis_arg(struct span q)
{
	while (q.n > 0 && q.p[0] == '+') {
		q.p++;
		q.n--;
	}
	return (q);
}

/* iis_command - one command line into its event. */
static enum parse_result
iis_command(struct iis *ii, const struct iis_cmd *c,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	struct iis_sess	*se;
	struct event	 ev;
	struct span	 a = iis_arg(c->query), q;
	bool		 helo;
	uint64_t	 key;
	size_t		 n;

	if (span_eq_cstr(c->user, "OutboundConnectionCommand") ||
	    span_eq_cstr(c->user, "OutboundConnectionResponse"))
		return (PARSE_OK);
	if (c->cip.n == 0 || c->verb.n == 0)
		return (PARSE_BAD);
	helo = span_caseeq_cstr(c->verb, "HELO") ||
	    span_caseeq_cstr(c->verb, "EHLO");
	se = iis_session(ii, c, helo);
	ev_init(&ev, EV_INFO);
	ev.time = c->time;
	ev.usec = c->usec;
	ev.ref = *ref;
	ev.host = c->host;
	ev.program = SPAN_LIT("iis/smtpsvc");
	ev.instance = SPAN_LIT("iis");
	ev.service = SPAN_LIT("smtpsvc");
	ev.flow = se->flow;
	ev.client_ip = c->cip;
	ev.server_ip = c->sip;
	ev.server_port = c->sport;
	ev.reply_code = c->status;
	if (helo) {
		ev.type = EV_HELO;
		ev.stage = c->verb;
		ev.helo = a;
		se->helo = true;
		se->tls = false;
	} else if (span_caseeq_cstr(c->verb, "MAIL")) {
		ev.type = EV_MAIL;
		ev.sender = msft_path(c->query, "FROM:");
	} else if (span_caseeq_cstr(c->verb, "RCPT")) {
		ev.type = EV_RCPT;
		ev.rcpt = msft_path(c->query, "TO:");
	} else if (span_caseeq_cstr(c->verb, "DATA") ||
	    span_caseeq_cstr(c->verb, "BDAT")) {
		ev.type = EV_DATA;
		ev.stage = SPAN_LIT("END-OF-MESSAGE");
		q = a;
		if (q.n > 1 && q.p[0] == '<') {
			for (n = 1; n < q.n && q.p[n] != '>'; n++)
				;
			ev.message_id = (struct span){ q.p + 1, n - 1 };
			ev.queue_id = ev.message_id;
		}
		ev.size = c->bytes;
	} else if (span_caseeq_cstr(c->verb, "AUTH")) {
		for (n = 0; n < a.n && a.p[n] != ' ' && a.p[n] != '+'; n++)
			;
		ev.sasl_method = (struct span){ a.p, n };
		if (c->status >= 200 && c->status < 300)
			ev.type = EV_AUTH;
		else if (c->status >= 400)
			ev.type = EV_AUTH_FAIL;
		else
			ev.stage = c->verb;
	} else if (span_caseeq_cstr(c->verb, "STARTTLS") &&
	    c->status == 220) {
		ev.type = EV_TLS;
		ev.text = SPAN_LIT("STARTTLS");
		se->tls = true;
	} else if (span_caseeq_cstr(c->verb, "RSET")) {
		ev.type = EV_RSET;
	} else if (span_caseeq_cstr(c->verb, "QUIT")) {
		ev.type = EV_DISCONNECT;
		ev.text = SPAN_LIT("QUIT");
	} else {
		ev.stage = c->verb;
		ev.text2 = a;
	}
	sink(arg, &ev);
	if (ev.type == EV_DISCONNECT) {
		key = msft_hash(0, c->cip);
		key = msft_hash(key, SPAN_LIT("\n"));
		key = msft_hash(key, c->sip);
		key = msft_hash(key, SPAN_LIT("\n"));
		key = msft_hash(key, c->site);
		free(msft_tab_del(ii->sessions, key));
	}
	return (PARSE_OK);
}

/* iis_w3c - a W3C row into a command. */
static enum parse_result
iis_w3c(struct iis *ii, struct span line, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct msft_row	*r = &ii->row;
	struct iis_cmd	 c;
	struct span	 ver, date;
	int64_t		 v;

	if (msft_sep_split(r, line, ' ') == -1)
		return (PARSE_BAD);
	if (!ii->fields_seen) {
		if (r->n != 21)
			return (PARSE_BAD);
		msft_fields_set(&ii->fields, iis_w3c_all);
		(void)iis_map(ii);
	}
	if (r->n != ii->fields.n)
		return (PARSE_BAD);
	memset(&c, 0, sizeof(c));
	c.verb = iis_dash(msft_row_get(r, ii->col[IC_CS_METHOD]));
	c.site = iis_dash(msft_row_get(r, ii->col[IC_S_SITENAME]));
	ver = msft_row_get(r, ii->col[IC_CS_VERSION]);
	if (!iis_is_verb(c.verb) && !span_casestartswith(c.site, "SMTPSVC") &&
	    !span_caseeq_cstr(ver, "SMTP"))
		return (PARSE_SKIP);
	date = msft_row_get(r, ii->col[IC_DATE]);
	if (ii->col[IC_DATE] < 0)
		date = span_from_cstr(ii->day);
	if (msft_ymd_hms(date, msft_row_get(r, ii->col[IC_TIME]), &c.time,
	    &c.usec) == -1)
		return (PARSE_BAD);
	c.cip = iis_dash(msft_row_get(r, ii->col[IC_C_IP]));
	c.user = iis_dash(msft_row_get(r, ii->col[IC_CS_USERNAME]));
	c.host = iis_dash(msft_row_get(r, ii->col[IC_S_COMPUTERNAME]));
	c.sip = iis_dash(msft_row_get(r, ii->col[IC_S_IP]));
	if (span_to_i64(msft_row_get(r, ii->col[IC_S_PORT]), &v) == 0 &&
	    v > 0 && v <= 65535)
		c.sport = (uint16_t)v;
	c.query = iis_dash(msft_row_get(r, ii->col[IC_CS_URI_QUERY]));
	if (span_to_i64(msft_row_get(r, ii->col[IC_SC_STATUS]), &v) == -1 ||
	    v < 0 || v > 999)
		return (PARSE_BAD);
	c.status = (int)v;
	c.bytes = -1;
	if (span_to_i64(msft_row_get(r, ii->col[IC_CS_BYTES]), &v) == 0 &&
	    v >= 0)
		c.bytes = v;
	if (!msft_is_ip(c.cip))
		return (PARSE_BAD);
	return (iis_command(ii, &c, ref, sink, arg));
}

/* iis_ncsa - an NCSA line into a command. */
static enum parse_result
iis_ncsa(struct iis *ii, struct span line, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct iis_cmd	 c;
	struct span	 when, req;
	const char	*p, *end, *q;

	if (!iis_ncsa_split(line, &c, &when, &req))
		return (PARSE_BAD);
	if (!span_endswith(req, " SMTP"))
		return (PARSE_SKIP);
	req.n -= 5;
	if (iis_ncsa_time(when, &c.time) == -1)
		return (PARSE_BAD);
	p = req.p;
	end = req.p + req.n;
	for (q = p; q < end && *q != ' '; q++)
		;
	c.verb = iis_dash((struct span){ p, (size_t)(q - p) });
	if (q < end)
		q++;
	for (p = q; q < end && *q != '?' && *q != ' '; q++)
		;
	if (q < end && *q == '?')
		c.query = (struct span){ q + 1, (size_t)(end - q - 1) };
	c.bytes = -1;
	if (c.verb.n == 0)		/* a response line of our own */
		return (PARSE_OK);
	return (iis_command(ii, &c, ref, sink, arg));
}

/*
 * iis_parse - one line of an IIS SMTP log: a W3C header or row, or an
 * NCSA line.
 */
enum parse_result
iis_parse(void *v, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct iis	*ii = v;
	struct span	 line = msft_bom(ref->raw);

	(void)ml;
	if (line.n > 0 && line.p[0] == '#') {
		if (span_startswith(line, "#Fields:")) {
			ii->fields_seen = false;
			if (msft_fields_parse(&ii->fields, (struct span){
			    line.p + 8, line.n - 8 }, ' ') == -1 ||
			    iis_map(ii) == -1)
				return (PARSE_BAD);
			ii->fields_seen = true;
		} else if (span_startswith(line, "#Date: ") && line.n >= 17 &&
		    line.p[11] == '-' && line.p[14] == '-') {
			memcpy(ii->day, line.p + 7, 10);
			ii->day[10] = '\0';
		}
		return (PARSE_OK);
	}
	if (line.n > 10 && ASCII_ISDIGIT(line.p[0]) && line.p[4] == '-')
		return (iis_w3c(ii, line, ref, sink, arg));
	if (ii->fields_seen && line.n > 8 && ASCII_ISDIGIT(line.p[0]) &&
	    line.p[2] == ':')
		return (iis_w3c(ii, line, ref, sink, arg));
	return (iis_ncsa(ii, line, ref, sink, arg));
}
