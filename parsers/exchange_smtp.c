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
 * Exchange SMTP protocol logs to events.  A row is one step of one
 * session (session-id): "+" connect, "-" disconnect, "<" a line the
 * server received, ">" a line it sent, "*" a note.  Sessions are rebuilt
 * by session-id; a command waits for its final reply ("250 x", not
 * "250-x"), in order, so pipelined commands match too.
 *
 * Receive sessions give events with program "exchange/smtpreceive"
 * (service "smtpreceive"), pid -1, host = the server part of
 * connector-id ("EX01" of "EX01\Default EX01"), flow = session-id (its
 * 16 hex digits; a hash of connector, id and remote endpoint when it is
 * not that), client_ip/port = remote-endpoint and server_ip/port =
 * local-endpoint on every event:
 *
 *  "+"			EV_CONNECT
 *  first ">" 220		EV_BANNER (reply_code, text)
 *  "<" EHLO/HELO	EV_HELO (stage = the verb, helo)
 *  "<" MAIL, RCPT,	EV_INFO (stage "command", text = the line, text2 =
 *  DATA, BDAT, AUTH,	the verb): evidence; the event proper comes with
 *  STARTTLS, RSET	the reply.  The initial response of AUTH is replaced
 *			by "<redacted>" in text and in ref.raw; the client's
 *			lines inside an AUTH exchange give no event
 *  other "<"		EV_INFO (stage = the verb, text = the line, text2 =
 *  commands		the argument): QUIT, NOOP, VRFY, unknown verbs
 *  reply to MAIL FROM	EV_MAIL (sender, reply_code, dsn, text)
 *  reply to RCPT TO	EV_RCPT (rcpt, reply_code, dsn, text)
 *  final reply to DATA	EV_DATA (stage "END-OF-MESSAGE", or "DATA" when
 *  or BDAT ... LAST	DATA itself was refused; reply_code, dsn, text;
 *			queue_id from "[InternalId=N", message_id from
 *			"<id>")
 *  reply to AUTH	EV_AUTH (235: sasl_method, sasl_user from the
 *			"authenticated" note) or EV_AUTH_FAIL (reply_code,
 *			text); a user named after the 235 gives a second
 *			EV_AUTH with it.  A 535 with no command waiting (the
 *			AUTH was before the log began) is EV_AUTH_FAIL too
 *  220 to STARTTLS	EV_TLS (text "STARTTLS", reply_code)
 *  reply to RSET	EV_RSET
 *  "*" Set Session	EV_WARNING (stage "open-relay-connector", text =
 *  Permissions		the permissions, text2 = connector-id) when an
 *			anonymous session is granted SMTPAcceptAnyRecipient;
 *			else EV_INFO (stage "permissions")
 *  "-"			EV_DISCONNECT (status = context: "Remote" or
 *			"Local"; text "QUIT" when the client sent QUIT)
 *
 * The user a session authenticated as is remembered by session id, so
 * that message tracking rows read later name it (exchange_msgtrk.c).
 *
 * Send sessions (this server as the client) are understood but give no
 * events: message tracking has their outcome.  Open sessions are bounded
 * (EXCH_SESS_MAX; a full table is emptied) and so are the commands
 * awaiting a reply.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "exchange_int.h"
#include "msft.h"
#include "xmalloc.h"

#define XS_PEND_MAX	64
#define XS_ARG_MAX	4096

enum xs_verb {
	XS_OTHER,
	XS_HELO,
	XS_MAIL,
	XS_RCPT,
	XS_DATA,
	XS_BDAT,
	XS_BDAT_LAST,
	XS_AUTH,
	XS_STARTTLS,
	XS_RSET,
	XS_QUIT
};

static const struct {
	const char	*word;
	enum xs_verb	 verb;
} xs_verbs[] = {
	{ "EHLO", XS_HELO },
	{ "HELO", XS_HELO },
	{ "MAIL", XS_MAIL },
	{ "RCPT", XS_RCPT },
	{ "DATA", XS_DATA },
	{ "BDAT", XS_BDAT },
	{ "AUTH", XS_AUTH },
	{ "X-EXPS", XS_AUTH },
	{ "STARTTLS", XS_STARTTLS },
	{ "X-ANONYMOUSTLS", XS_STARTTLS },
	{ "RSET", XS_RSET },
	{ "QUIT", XS_QUIT },
	{ NULL, XS_OTHER }
};

/* A command waiting for its reply; its argument is in the session. */
struct xs_pend {
	enum xs_verb	 verb;
	uint16_t	 off;
	uint16_t	 len;
};

struct xs_sess {
	uint64_t	 flow;
	bool		 send;		/* a Send connector's */
	bool		 banner;	/* the greeting went by */
	bool		 authed;
	bool		 in_auth;	/* a 334 was sent for AUTH */
	bool		 auth_told;	/* EV_AUTH went out */
	bool		 user_told;	/* ... with the user */
	bool		 data_go;	/* 354 to DATA went by */
	bool		 quit;		/* the client sent QUIT */
	char		 host[64];
	char		 client_ip[46];
	char		 server_ip[46];
	uint16_t	 client_port;
	uint16_t	 server_port;
	char		 user[256];
	char		 mech[32];
	struct xs_pend	 pend[XS_PEND_MAX];
	size_t		 head;
	size_t		 npend;
	char		 arg[XS_ARG_MAX];
	size_t		 arglen;
};

/* One protocol log row. */
struct xs_row {
	struct exch_line	*l;
	struct xs_sess		*se;
	struct span		 data;
	struct span		 context;
	struct span		 connector;
};

/* exch_smtp_free - release a session (the session table's destructor). */
void
exch_smtp_free(void *v)
{
	free(v);
}

/* xs_copy - sp into a fixed field, cut to fit. */
static void
xs_copy(char *dst, size_t size, struct span sp)
{
	size_t	n = sp.n < size - 1 ? sp.n : size - 1;

	if (n > 0)
		memcpy(dst, sp.p, n);
	dst[n] = '\0';
}

/* xs_flow - the session's flow: session-id's 16 hex digits, or a hash. */
static uint64_t
xs_flow(const struct exch_line *l, struct span sid)
{
	uint64_t	f, h;

	if (msft_hex64(sid, &f) == 0 && f != 0)
		return (f);
	h = msft_hash(0, exch_col(l, XC_CONNECTOR_ID));
	h = msft_hash(h, SPAN_LIT("\n"));
	h = msft_hash(h, sid);
	h = msft_hash(h, SPAN_LIT("\n"));
	return (msft_hash(h, exch_col(l, XC_REMOTE_ENDPOINT)) | 1);
}

/* xs_endpoints - fill what the session does not know yet from the row. */
static void
xs_endpoints(struct xs_row *r)
{
	struct xs_sess	*se = r->se;
	struct span	 ip;
	uint16_t	 port;

	if (se->client_ip[0] == '\0' &&
	    msft_endpoint(exch_col(r->l, XC_REMOTE_ENDPOINT), &ip, &port)) {
		xs_copy(se->client_ip, sizeof(se->client_ip), ip);
		se->client_port = port;
	}
	if (se->server_ip[0] == '\0' &&
	    msft_endpoint(exch_col(r->l, XC_LOCAL_ENDPOINT), &ip, &port)) {
		xs_copy(se->server_ip, sizeof(se->server_ip), ip);
		se->server_port = port;
	}
}

/* xs_open - a new session for flow, of the given kind. */
static struct xs_sess *
xs_open(struct xs_row *r, uint64_t flow, enum exch_kind kind)
{
	struct exchange	*ex = r->l->ex;
	struct xs_sess	*se;
	struct span	 conn = r->connector;
	const char	*bs;

	se = xcalloc(1, sizeof(*se));
	se->flow = flow;
	bs = conn.n > 0 ? memchr(conn.p, '\\', conn.n) : NULL;
	if (kind == EXCH_SEND || (kind != EXCH_RECV && bs == NULL))
		se->send = true;
	if (bs != NULL)
		xs_copy(se->host, sizeof(se->host),
		    (struct span){ conn.p, (size_t)(bs - conn.p) });
	if (msft_tab_put(ex->sessions, flow, se) == -1) {
		msft_tab_clear(ex->sessions, exch_smtp_free);
		(void)msft_tab_put(ex->sessions, flow, se);
	}
	r->se = se;
	xs_endpoints(r);
	return (se);
}

/* xs_event - an event of type t with the session's fields. */
static void
xs_event(const struct xs_row *r, struct event *ev, enum ev_type t)
{
	const struct xs_sess	*se = r->se;

	ev_init(ev, t);
	ev->time = r->l->time;
	ev->usec = r->l->usec;
	ev->ref = *r->l->ref;
	ev->host = span_from_cstr(se->host);
	ev->program = SPAN_LIT("exchange/smtpreceive");
	ev->instance = SPAN_LIT("exchange");
	ev->service = SPAN_LIT("smtpreceive");
	ev->flow = se->flow;
	ev->client_ip = span_from_cstr(se->client_ip);
	ev->client_port = se->client_port;
	ev->server_ip = span_from_cstr(se->server_ip);
	ev->server_port = se->server_port;
}

/* xs_push - remember a command until its reply; arg is kept. */
static void
xs_push(struct xs_sess *se, enum xs_verb verb, struct span arg)
{
	struct xs_pend	*p;

	if (se->npend == XS_PEND_MAX) {
		/* A flood of commands nobody answers: start over. */
		se->npend = se->head = se->arglen = 0;
	}
	if (se->npend == 0)
		se->head = se->arglen = 0;
	p = &se->pend[(se->head + se->npend++) % XS_PEND_MAX];
	p->verb = verb;
	p->off = (uint16_t)se->arglen;
	p->len = 0;
	if (arg.n > 0 && arg.n <= sizeof(se->arg) - se->arglen) {
		memcpy(se->arg + se->arglen, arg.p, arg.n);
		p->len = (uint16_t)arg.n;
		se->arglen += arg.n;
	}
}

/* xs_pop - the command answered by the final reply now seen. */
static void
xs_pop(struct xs_sess *se)
{
	if (se->npend == 0)
		return;
	se->head = (se->head + 1) % XS_PEND_MAX;
	if (--se->npend == 0)
		se->head = se->arglen = 0;
}

/* xs_word - does the space-separated list have word w? */
static bool
xs_word(struct span list, const char *w)
{
	size_t		n = strlen(w);
	const char	*p = list.p, *end = list.p + list.n;

	while (p != NULL && p < end) {
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) >= n && memcmp(p, w, n) == 0 &&
		    (p + n == end || p[n] == ' '))
			return (true);
		p = memchr(p, ' ', (size_t)(end - p));
	}
	return (false);
}

/* xs_star - a note: session permissions, the authenticated user. */
static enum parse_result
xs_star(struct xs_row *r)
{
	struct xs_sess	*se = r->se;
	struct event	 ev;
	bool		 authing;

	authing = se->npend > 0 && se->pend[se->head].verb == XS_AUTH;
	if (span_eq_cstr(r->context, "Set Session Permissions")) {
		if (xs_word(r->data, "SMTPAcceptAnyRecipient") &&
		    !se->authed && !authing) {
			xs_event(r, &ev, EV_WARNING);
			ev.stage = SPAN_LIT("open-relay-connector");
			ev.text2 = r->connector;
		} else {
			xs_event(r, &ev, EV_INFO);
			ev.stage = SPAN_LIT("permissions");
		}
		ev.text = r->data;
		exch_emit(r->l, &ev);
		return (PARSE_OK);
	}
	if (span_eq_cstr(r->context, "authenticated") && r->data.n > 0) {
		xs_copy(se->user, sizeof(se->user), r->data);
		/* For the message tracking rows of this session. */
		exch_tab_put(r->l->ex->auths, se->flow, exch_tmp(r->l,
		    span_from_cstr(se->mech), "\n", r->data, NULL));
		if (se->auth_told && !se->user_told) {
			xs_event(r, &ev, EV_AUTH);
			ev.sasl_method = span_from_cstr(se->mech);
			ev.sasl_user = span_from_cstr(se->user);
			exch_emit(r->l, &ev);
			se->user_told = true;
		}
	}
	return (PARSE_OK);
}

/* xs_data_ids - queue id and message id from "250 2.6.0 <id> [InternalId=N". */
static void
xs_data_ids(struct span text, struct event *ev)
{
	const char	*p, *end = text.p + text.n;
	size_t		 n;

	if (text.n > 0 && text.p[0] == '<') {
		for (n = 1; n < text.n && text.p[n] != '>'; n++)
			;
		if (n < text.n)
			ev->message_id = (struct span){ text.p + 1, n - 1 };
	}
	if ((p = span_find(text, "[InternalId=")) != NULL) {
		p += 12;
		for (n = 0; p + n < end && ASCII_ISDIGIT(p[n]); n++)
			;
		if (n > 0)
			ev->queue_id = (struct span){ p, n };
	}
}

/* xs_reply - a line the server sent: the reply to the oldest command. */
static enum parse_result
xs_reply(struct xs_row *r)
{
	struct xs_sess		*se = r->se;
	struct msft_reply	 rep;
	struct event		 ev;
	struct xs_pend		*p;
	struct span		 arg;

	msft_reply_parse(r->data, &rep);
	if (rep.code == 0)
		return (PARSE_OK);
	if (se->npend == 0) {
		/*
		 * 535 answers AUTH alone (RFC 4954, 6): a session whose AUTH
		 * came before this file began (rotation, an excerpt) still
		 * failed to authenticate.
		 */
		if (rep.code == 535 && rep.last) {
			se->banner = true;
			se->in_auth = false;
			xs_event(r, &ev, EV_AUTH_FAIL);
			ev.sasl_method = span_from_cstr(se->mech);
			if (se->user[0] != '\0')
				ev.sasl_user = span_from_cstr(se->user);
			ev.reply_code = rep.code;
			ev.dsn = rep.dsn;
			ev.text = rep.text;
			exch_emit(r->l, &ev);
			return (PARSE_OK);
		}
		if (!se->banner && rep.last) {
			se->banner = true;
			xs_event(r, &ev, EV_BANNER);
			ev.reply_code = rep.code;
			ev.text = r->data;
			exch_emit(r->l, &ev);
		}
		return (PARSE_OK);
	}
	se->banner = true;
	if (!rep.last)
		return (PARSE_OK);
	p = &se->pend[se->head];
	arg = (struct span){ se->arg + p->off, p->len };
	switch (p->verb) {
	case XS_MAIL:
	case XS_RCPT:
		xs_event(r, &ev, p->verb == XS_MAIL ? EV_MAIL : EV_RCPT);
		if (p->verb == XS_MAIL)
			ev.sender = arg;
		else
			ev.rcpt = arg;
		break;
	case XS_DATA:
	case XS_BDAT:
	case XS_BDAT_LAST:
		if (rep.code == 354 || (p->verb == XS_BDAT && rep.code < 300)) {
			if (rep.code != 354)
				xs_pop(se);
			else
				se->data_go = true;
			return (PARSE_OK);
		}
		xs_event(r, &ev, EV_DATA);
		ev.stage = p->verb == XS_DATA && !se->data_go ?
		    SPAN_LIT("DATA") : SPAN_LIT("END-OF-MESSAGE");
		xs_data_ids(rep.text, &ev);
		se->data_go = false;
		break;
	case XS_AUTH:
		if (rep.code == 334) {
			se->in_auth = true;
			return (PARSE_OK);
		}
		se->in_auth = false;
		if (rep.code < 300) {
			xs_event(r, &ev, EV_AUTH);
			se->authed = se->auth_told = true;
			if (se->user[0] != '\0') {
				ev.sasl_user = span_from_cstr(se->user);
				se->user_told = true;
			}
		} else {
			xs_event(r, &ev, EV_AUTH_FAIL);
			if (se->user[0] != '\0')
				ev.sasl_user = span_from_cstr(se->user);
		}
		ev.sasl_method = span_from_cstr(se->mech);
		break;
	case XS_STARTTLS:
		xs_pop(se);
		if (rep.code != 220)
			return (PARSE_OK);
		xs_event(r, &ev, EV_TLS);
		ev.text = SPAN_LIT("STARTTLS");
		ev.reply_code = rep.code;
		exch_emit(r->l, &ev);
		return (PARSE_OK);
	case XS_RSET:
		xs_event(r, &ev, EV_RSET);
		break;
	default:
		xs_pop(se);
		return (PARSE_OK);
	}
	xs_pop(se);
	ev.reply_code = rep.code;
	ev.dsn = rep.dsn;
	if (ev.text.p == NULL)
		ev.text = rep.text;
	exch_emit(r->l, &ev);
	return (PARSE_OK);
}

/*
 * xs_redact - the row with the AUTH initial response at cred replaced:
 * the text of the event and its ref.raw.  Returns false when the data is
 * not a view into the raw line (it was unquoted) and so cannot be cut.
 */
static bool
xs_redact(struct xs_row *r, struct span cred, struct event *ev)
{
	struct span	raw = r->l->ref->raw, head, tail, d = r->data;

	if (cred.p < raw.p || cred.p + cred.n > raw.p + raw.n)
		return (false);
	head = (struct span){ raw.p, (size_t)(cred.p - raw.p) };
	tail = (struct span){ cred.p + cred.n,
	    (size_t)(raw.p + raw.n - cred.p - cred.n) };
	ev->ref.raw = exch_tmp(r->l, head, "<redacted>", tail, NULL);
	ev->text = exch_tmp(r->l, (struct span){ d.p,
	    (size_t)(cred.p - d.p) }, "<redacted>", SPAN_NULL, NULL);
	return (ev->ref.raw.n > 0);
}

/* xs_command - a line the server received. */
static enum parse_result
xs_command(struct xs_row *r)
{
	struct xs_sess	*se = r->se;
	struct event	 ev;
	struct span	 d = span_trim(r->data), word, arg, mech, cred;
	enum xs_verb	 verb = XS_OTHER;
	size_t		 i;

	if (se->in_auth)		/* the client's credentials */
		return (PARSE_OK);
	if (d.p == NULL)		/* no data field: no arithmetic */
		d = SPAN_LIT("");
	for (i = 0; i < d.n && d.p[i] != ' '; i++)
		;
	word = (struct span){ d.p, i };
	arg = span_trim((struct span){ d.p + i, d.n - i });
	for (i = 0; xs_verbs[i].word != NULL; i++)
		if (span_caseeq_cstr(word, xs_verbs[i].word)) {
			verb = xs_verbs[i].verb;
			break;
		}
	xs_event(r, &ev, EV_INFO);
	ev.stage = SPAN_LIT("command");
	ev.text = r->data;
	ev.text2 = word;
	switch (verb) {
	case XS_HELO:
		ev.type = EV_HELO;
		ev.stage = word;
		ev.text = ev.text2 = SPAN_NULL;
		ev.helo = arg;
		xs_push(se, verb, SPAN_NULL);
		break;
	case XS_MAIL:
		xs_push(se, verb, msft_path(arg, "FROM:"));
		break;
	case XS_RCPT:
		xs_push(se, verb, msft_path(arg, "TO:"));
		break;
	case XS_BDAT:
		for (i = 0; i + 4 <= arg.n; i++)
			if (span_casestartswith((struct span){ arg.p + i,
			    arg.n - i }, "LAST"))
				verb = XS_BDAT_LAST;
		xs_push(se, verb, SPAN_NULL);
		break;
	case XS_AUTH:
		for (i = 0; i < arg.n && arg.p[i] != ' '; i++)
			;
		mech = (struct span){ arg.p, i };
		if (span_eq_cstr(word, "X-EXPS"))
			mech = arg;
		xs_copy(se->mech, sizeof(se->mech), mech);
		cred = span_trim((struct span){ arg.p + i, arg.n - i });
		if (cred.n > 0 && !span_eq_cstr(word, "X-EXPS") &&
		    !xs_redact(r, cred, &ev)) {
			xs_push(se, verb, SPAN_NULL);
			return (PARSE_OK);
		}
		xs_push(se, verb, SPAN_NULL);
		break;
	case XS_DATA:
	case XS_STARTTLS:
	case XS_RSET:
		xs_push(se, verb, SPAN_NULL);
		break;
	default:
		if (verb == XS_QUIT)
			se->quit = true;
		ev.stage = word;
		ev.text2 = arg;
		xs_push(se, verb, SPAN_NULL);
		break;
	}
	exch_emit(r->l, &ev);
	return (PARSE_OK);
}

/*
 * exch_smtp_row - one protocol log row (columns split, time parsed).
 * kind is EXCH_RECV or EXCH_SEND from the header, or EXCH_UNKNOWN: then
 * a connector-id naming a server ("EX01\Default EX01") is a Receive
 * connector.
 */
enum parse_result
exch_smtp_row(struct exch_line *l, enum exch_kind kind)
{
	struct exchange	*ex = l->ex;
	struct xs_row	 r;
	struct event	 ev;
	struct span	 sid = exch_col(l, XC_SESSION_ID);
	struct span	 evt = exch_col(l, XC_EVENT);
	uint64_t	 flow;

	if (sid.n == 0 || evt.n != 1 || strchr("+-<>*", evt.p[0]) == NULL)
		return (PARSE_BAD);
	memset(&r, 0, sizeof(r));
	r.l = l;
	r.data = exch_col(l, XC_DATA);
	r.context = exch_col(l, XC_CONTEXT);
	r.connector = exch_col(l, XC_CONNECTOR_ID);
	flow = xs_flow(l, sid);
	r.se = msft_tab_get(ex->sessions, flow);
	if (evt.p[0] == '+' && r.se != NULL) {
		free(msft_tab_del(ex->sessions, flow));
		r.se = NULL;
	}
	if (r.se == NULL)
		(void)xs_open(&r, flow, kind);
	else
		xs_endpoints(&r);
	if (r.se->send) {
		if (evt.p[0] == '-')
			free(msft_tab_del(ex->sessions, flow));
		return (PARSE_OK);
	}
	switch (evt.p[0]) {
	case '+':
		xs_event(&r, &ev, EV_CONNECT);
		exch_emit(l, &ev);
		return (PARSE_OK);
	case '-':
		xs_event(&r, &ev, EV_DISCONNECT);
		ev.status = r.context;
		if (r.se->quit)
			ev.text = SPAN_LIT("QUIT");
		exch_emit(l, &ev);
		free(msft_tab_del(ex->sessions, flow));
		return (PARSE_OK);
	case '*':
		return (xs_star(&r));
	case '<':
		return (xs_command(&r));
	default:
		return (xs_reply(&r));
	}
}
