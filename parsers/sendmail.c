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
 * Sendmail (8.x) log messages to events.  A message may start with a
 * queue id ("6B1L25hh005297: ") or NOQUEUE; a bounce line starts with two
 * ("QID: NEWQID: DSN: ...").  The shapes that carry evidence:
 *
 *	NOQUEUE: connect from NAME [IP]			EV_CONNECT
 *	AUTH=server, relay=, authid=, mech=, bits=	EV_AUTH
 *	QID: AUTH failure (MECH): ..., user=, relay=	EV_AUTH_FAIL
 *	STARTTLS=server, relay=, version=, ...		EV_TLS
 *	QID: from=<>, size=, class=, nrcpts=, msgid=, ..., relay=
 *		EV_CLIENT (an SMTP client) or EV_PICKUP (relay=user@localhost),
 *		then EV_MSGINFO and EV_MSGID; nrcpts=0 is an aborted
 *		transaction: EV_CLIENT only, no message info
 *	QID: to=<a>,<b>, ctladdr=, delay=, mailer=, relay=, dsn=, reply=,
 *		stat=					EV_DELIVERY per recipient
 *	QID: ruleset=check_*, arg1=, relay=, reject=	EV_REJECT
 *	QID: <addr>... User unknown			EV_REJECT (RCPT)
 *	QID: NEWQID: DSN: ...				EV_BOUNCE, and
 *		EV_MSGINFO for NEWQID with the null sender
 *	QID: done; delay=, ntries=			EV_REMOVED
 *
 * (and "Milter: data, reject=..." as EV_REJECT, status milter-reject),
 * and the ways a session ends early or is refused (pre-greeting traffic,
 * "did not issue MAIL", lost input channel, rate limits), which name the
 * client.  Sendmail does not log the reply code of a refused recipient
 * that failed address resolution ("User unknown"): reply_code is 0 there.
 * The queue id of session-level refusals (CONNECT, HELO, VRFY, EXPN) names
 * an envelope that never exists, so those events carry none.
 *
 * Addresses, the message id, HELO names and reply texts are the client's
 * (or a remote server's) bytes.  Fields are split on the structure
 * Sendmail writes around them: the patterns anchor on the fixed keys that
 * follow a hostile value, and take the last "relay=" of a line, which
 * Sendmail writes itself.
 */

#include "config.h"

#include "sendmail.h"

#include <stdlib.h>
#include <string.h>

#include "rx.h"
#include "syslog.h"
#include "xmalloc.h"

/* Queue ids: 8 characters of time and sequence, then the pid. */
#define SM_QID_MIN	12
#define SM_QID_MAX	24

enum sm_rx {
	SM_RX_FROM,		/* from=<>, size=, class=, nrcpts=, ... */
	SM_RX_TO,		/* to=, ctladdr=, delay=, ..., stat= */
	SM_RX_RULESET_ECHO,	/* ruleset= whose reply repeats arg1 */
	SM_RX_RULESET,		/* ruleset=, arg1=, [arg2=,] relay=, reject= */
	SM_RX_AUTH,		/* AUTH=server, relay=, authid=, mech=, bits= */
	SM_RX_RELAY,		/* NAME [IP] [(may be forged)] */
	SM_RX_ADDR_ERR,		/* <addr>... text */
	SM_RX__MAX
};

static const struct {
	const char	*name;
	const char	*pattern;
} sm_rx_table[SM_RX__MAX] = {
	[SM_RX_FROM] = { "sendmail-from",
	    "^from=(?<from>.*), size=(?<size>[0-9]+), class=-?[0-9]+, "
	    "nrcpts=(?<nrcpts>[0-9]+)"
	    "(?:, msgid=(?<msgid><.*?>|[^,<]*))?"
	    "(?:, bodytype=[A-Za-z0-9]+)?(?:, proto=(?<proto>[A-Za-z0-9]+))?"
	    "(?:, daemon=[A-Za-z0-9_.+-]+)?"
	    "(?:, [a-z_]+=[^ ,]*)*"
	    ", relay=(?<relay>[^,]*)$" },
	[SM_RX_TO] = { "sendmail-to",
	    "^to=(?<to>.*?), (?:orig_to=(?<orig>.*?), )?"
	    "(?:ctladdr=(?<ctl>.*?) \\([0-9]+/[0-9]+\\), )?"
	    "delay=(?<delay>[0-9]+\\+?[0-9:]*), "
	    "(?:xdelay=[0-9+:]+, )?mailer=(?<mailer>[A-Za-z0-9_.-]+), "
	    "(?:pri=[0-9]+, )?(?:relay=(?<relay>[^,]*), )?"
	    "(?:dsn=(?<dsn>[0-9]\\.[0-9]{1,3}\\.[0-9]{1,3}), )?"
	    "(?:reply=(?<reply>.*), )?stat=(?<stat>.*)$" },
	[SM_RX_RULESET_ECHO] = { "sendmail-ruleset-echo",
	    "^ruleset=(?<ruleset>[A-Za-z0-9_]+), arg1=(?<arg1>.*), "
	    "relay=(?<relay>[^,]*), (?<action>reject|discard|quarantine)="
	    "(?<reply>[245][0-9][0-9] [245]\\.[0-9]{1,3}\\.[0-9]{1,3} "
	    "\\k<arg1>\\.\\.\\. .*)$" },
	[SM_RX_RULESET] = { "sendmail-ruleset",
	    "^ruleset=(?<ruleset>[A-Za-z0-9_]+), arg1=(?<arg1>.*?)"
	    "(?:, arg2=(?<arg2>[^,]*))?, "
	    "relay=(?<relay>[^,]*), (?<action>reject|discard|quarantine)="
	    "(?<reply>.*)$" },
	[SM_RX_AUTH] = { "sendmail-auth",
	    "^AUTH=server, relay=(?<relay>[^,]*), authid=(?<authid>.*), "
	    "mech=(?<mech>[A-Za-z0-9_-]+), bits=[0-9]+$" },
	[SM_RX_RELAY] = { "sendmail-relay",
	    "^(?:(?<name>[^ \\[]*|\\[[^\\] ]*\\]) ?)?"
	    "\\[(?:IPv6:)?(?<ip>[0-9A-Fa-f.:]+)\\]"
	    "(?: \\(may be forged\\))?$" },
	[SM_RX_ADDR_ERR] = { "sendmail-addr-error",
	    "^(?<addr><.*>|[^ <]+)\\.\\.\\. (?<text>.+)$" },
};

struct sendmail {
	struct rx	*rx[SM_RX__MAX];
};

/* One line being parsed. */
struct sm_ctx {
	struct sendmail		*sm;
	const struct syslog_msg	*msg;
	const struct ev_ref	*ref;
	ev_sink			 sink;
	void			*arg;
	struct span		 qid;		/* empty for NOQUEUE or none */
	struct span		 body;		/* after the queue id */
};

/* Sendmail's syslog tags (with -L, the daemon's is "sm-mta"). */
static const char *const sm_tags[] = {
	"sendmail", "sendmail-mta", "sendmail-msp", "sm-mta",
	"sm-msp-queue", "sm-acceptingconnections", NULL
};

/* Messages that are notes: understood, no evidence of their own. */
static const struct sm_note {
	const char	*prefix;
	enum ev_type	 type;
	bool		 client;	/* names a client */
} sm_notes[] = {
	{ "starting daemon ", EV_INFO, false },
	{ "started as: ", EV_INFO, false },
	{ "restarting ", EV_INFO, false },
	{ "stopping daemon", EV_INFO, false },
	{ "alias database ", EV_INFO, false },
	{ "/etc/", EV_INFO, false },
	{ "tls_srv_features=", EV_INFO, true },
	{ "tls_clt_features=", EV_INFO, false },
	{ "STARTTLS=client", EV_INFO, false },
	{ "STARTTLS: ", EV_WARNING, false },
	{ "STARTTLS=server, error", EV_WARNING, true },
	{ "AUTH=client", EV_INFO, false },
	{ "AUTH: ", EV_WARNING, false },
	{ "accepting connections again", EV_INFO, false },
	{ "rejecting connections on daemon ", EV_WARNING, false },
	{ "runqueue", EV_INFO, false },
	{ "grew WorkList", EV_INFO, false },
	{ "SYSERR", EV_WARNING, true },
	{ "Losing ", EV_WARNING, false },
	{ "savemail panic", EV_WARNING, false },
	{ "Saved message in ", EV_INFO, false },
	{ "collect: ", EV_WARNING, true },
	{ "Milter", EV_INFO, false },
	{ "milter", EV_INFO, false },
	{ "clone ", EV_INFO, false },
	{ "sender notify: ", EV_INFO, false },
	{ "postmaster notify: ", EV_INFO, false },
	{ "return to sender: ", EV_INFO, false },
	{ "DSN: ", EV_INFO, false },
	{ "timeout waiting for input ", EV_INFO, true },
	{ "lost input channel ", EV_INFO, true },
	{ "discarded", EV_INFO, false },
	{ "Authentication-Warning", EV_INFO, false },
	{ "setsender: ", EV_WARNING, false },
	{ "makeconnection ", EV_WARNING, false },
	{ "Syntax error in mailbox address", EV_WARNING, false },
	{ "Too many ", EV_WARNING, false },
	{ "unable to ", EV_WARNING, false },
	{ "Fatal ", EV_WARNING, false },
	{ "WARNING: ", EV_WARNING, false },
	{ NULL, EV_INFO, false }
};

/* Texts after which a bounce line names its new message. */
static const char *const sm_bounce_words[] = {
	"DSN: ", "return to sender: ", "postmaster notify: ",
	"sender notify: ", NULL
};

/* sendmail_new - a Sendmail parser, its patterns compiled. */
struct sendmail *
sendmail_new(void)
{
	struct sendmail	*sm;
	int		 i;

	sm = xcalloc(1, sizeof(*sm));
	for (i = 0; i < SM_RX__MAX; i++)
		sm->rx[i] = rx_new(sm_rx_table[i].name, sm_rx_table[i].pattern);
	return (sm);
}

/* sendmail_free - release sm; NULL is fine. */
void
sendmail_free(struct sendmail *sm)
{
	int	i;

	if (sm == NULL)
		return;
	for (i = 0; i < SM_RX__MAX; i++)
		rx_free(sm->rx[i]);
	free(sm);
}

/* sendmail_match - is sm from one of Sendmail's tags? */
bool
sendmail_match(const struct syslog_msg *msg)
{
	size_t	i;

	if (msg->program.n < 6 || (msg->program.p[0] != 's' &&
	    msg->program.p[0] != 'S'))
		return (false);
	for (i = 0; sm_tags[i] != NULL; i++)
		if (span_caseeq_cstr(msg->program, sm_tags[i]))
			return (true);
	return (false);
}

/* sm_at - s from offset i on (i known to be within s). */
static struct span
sm_at(struct span s, size_t i)
{
	s.p += i;
	s.n -= i;
	return (s);
}

/* sm_after - s past prefix, which the caller knows s starts with. */
static struct span
sm_after(struct span s, const char *prefix)
{
	return (sm_at(s, strlen(prefix)));
}

/* sm_group - the named group of a match of pattern which. */
static struct span
sm_group(const struct sm_ctx *c, enum sm_rx which, const struct rx_match *m,
    const char *name)
{
	return (m->group[rx_group(c->sm->rx[which], name)]);
}

/* sm_match - match the built-in pattern which against s. */
static bool
sm_match(const struct sm_ctx *c, enum sm_rx which, struct span s,
    struct rx_match *m)
{
	return (rx_exec(c->sm->rx[which], s, m));
}

/* sm_is_qid - a Sendmail queue id: 12 to 24 letters and digits. */
static bool
sm_is_qid(struct span s)
{
	size_t	i;

	if (s.n < SM_QID_MIN || s.n > SM_QID_MAX)
		return (false);
	for (i = 0; i < s.n; i++)
		if (!ASCII_ISDIGIT(s.p[i]) && !ASCII_ISALPHA(s.p[i]))
			return (false);
	/* The id ends in the process id. */
	return (ASCII_ISDIGIT(s.p[s.n - 1]) && ASCII_ISDIGIT(s.p[s.n - 2]));
}

/* sm_qid_prefix - if s starts with "QID: ", the id; else an empty span. */
static struct span
sm_qid_prefix(struct span s)
{
	size_t	i;

	for (i = 0; i < s.n && i <= SM_QID_MAX && s.p[i] != ':'; i++)
		;
	if (i + 1 < s.n && s.p[i] == ':' && s.p[i + 1] == ' ' &&
	    sm_is_qid((struct span){ s.p, i }))
		return ((struct span){ s.p, i });
	return (SPAN_NULL);
}

/* sm_event - ev initialised for this line: time, server, program. */
static void
sm_event(const struct sm_ctx *c, struct event *ev, enum ev_type t,
    const char *service)
{
	ev_init(ev, t);
	ev->time = c->msg->time;
	ev->usec = c->msg->usec;
	ev->ref = *c->ref;
	ev->host = c->msg->host;
	ev->program = c->msg->program;
	ev->instance = c->msg->program;
	ev->service = service != NULL ? span_from_cstr(service) :
	    c->msg->program;
	ev->pid = c->msg->pid;
	ev->queue_id = c->qid;
}

/* sm_emit - hand ev to the sink. */
static void
sm_emit(const struct sm_ctx *c, struct event *ev)
{
	c->sink(c->arg, ev);
}

/* sm_unbracket - an address without its angle brackets. */
static struct span
sm_unbracket(struct span a)
{
	if (a.n >= 2 && a.p[0] == '<' && a.p[a.n - 1] == '>') {
		a.p++;
		a.n -= 2;
	}
	return (a);
}

/*
 * sm_relay - "NAME [IP]", "[IP]", "[IP] [IP]", "NAME [IP] (may be
 * forged)" into ev's client fields.  A name that is the bracketed address
 * (no name known) is kept as Sendmail wrote it.
 */
static bool
sm_relay(const struct sm_ctx *c, struct span v, struct event *ev)
{
	struct rx_match	m;

	if (!sm_match(c, SM_RX_RELAY, span_trim(v), &m))
		return (false);
	ev->client_name = sm_group(c, SM_RX_RELAY, &m, "name");
	ev->client_ip = sm_group(c, SM_RX_RELAY, &m, "ip");
	if (ev->client_name.p == NULL)
		ev->client_name = SPAN_LIT("");
	return (true);
}

/* sm_last_relay - the value of the last ", relay=" in s (to its end). */
static bool
sm_last_relay(struct span s, struct span *before, struct span *value)
{
	const char	*p, *last = NULL;
	struct span	 r = s;

	while ((p = span_find(r, "relay=")) != NULL) {
		if (p == s.p || (p - s.p >= 2 && p[-1] == ' ' && p[-2] == ','))
			last = p;
		r = sm_at(r, (size_t)(p - r.p) + 6);
	}
	if (last == NULL)
		return (false);
	before->p = s.p;
	before->n = (size_t)(last - s.p);
	if (before->n >= 2)
		before->n -= 2;
	*value = sm_at(s, (size_t)(last - s.p) + 6);
	return (true);
}

/* sm_client_after - the client "NAME [IP]" after marker in s, to end. */
static bool
sm_client_after(const struct sm_ctx *c, struct span s, const char *marker,
    const char *end, struct event *ev)
{
	const char	*p, *q;
	struct span	 v;

	if ((p = span_find(s, marker)) == NULL)
		return (false);
	v = sm_at(s, (size_t)(p - s.p) + strlen(marker));
	if (end != NULL && (q = span_find(v, end)) != NULL)
		v.n = (size_t)(q - v.p);
	return (sm_relay(c, v, ev));
}

/* sm_client_find - the first "[IP]" of s with the name before it. */
static bool
sm_client_find(const struct sm_ctx *c, struct span s, struct event *ev)
{
	size_t	i, b, e;

	for (i = 0; i < s.n; i++) {
		if (s.p[i] != '[')
			continue;
		for (e = i; e < s.n && s.p[e] != ']'; e++)
			;
		if (e == s.n)
			return (false);
		b = i;
		if (b >= 2 && s.p[b - 1] == ' ' && s.p[b - 2] != ' ' &&
		    s.p[b - 2] != ':' && s.p[b - 2] != ',')
			for (b -= 2; b > 0 && s.p[b - 1] != ' '; b--)
				;
		if (sm_relay(c, (struct span){ s.p + b, e + 1 - b }, ev))
			return (true);
		i = e;
	}
	return (false);
}

/*
 * sm_reply - split "550 5.7.1 text" into code, enhanced code and text;
 * a part that is not there is left empty (code 0).
 */
static void
sm_reply(struct span r, int *code, struct span *dsn, struct span *text)
{
	size_t	i;

	*code = 0;
	*dsn = SPAN_NULL;
	if (r.n >= 3 && r.p[0] >= '2' && r.p[0] <= '5' &&
	    ASCII_ISDIGIT(r.p[1]) && ASCII_ISDIGIT(r.p[2]) &&
	    (r.n == 3 || r.p[3] == ' ' || r.p[3] == '-')) {
		*code = (r.p[0] - '0') * 100 + (r.p[1] - '0') * 10 +
		    (r.p[2] - '0');
		r = sm_at(r, r.n == 3 ? 3 : 4);
	}
	if (r.n >= 5 && r.p[0] >= '2' && r.p[0] <= '5' && r.p[1] == '.' &&
	    ASCII_ISDIGIT(r.p[2])) {
		for (i = 2; i < r.n && (ASCII_ISDIGIT(r.p[i]) ||
		    r.p[i] == '.'); i++)
			;
		if (i == r.n || r.p[i] == ' ') {
			dsn->p = r.p;
			dsn->n = i;
			r = sm_at(r, i < r.n ? i + 1 : i);
		}
	}
	*text = r;
}

/* sm_delay - "HH:MM:SS" or "D+HH:MM:SS" as seconds, or -1. */
static double
sm_delay(struct span s)
{
	int64_t	v = 0, days = 0, part = 0;
	size_t	i;
	int	nparts = 0;

	for (i = 0; i < s.n; i++) {
		if (ASCII_ISDIGIT(s.p[i]))
			part = part * 10 + (s.p[i] - '0');
		else if (s.p[i] == '+') {
			days = part;
			part = 0;
		} else if (s.p[i] == ':') {
			v = v * 60 + part;
			part = 0;
			nparts++;
		} else
			return (-1);
		if (part > 1000000)
			return (-1);
	}
	if (nparts != 2)
		return (-1);
	return ((double)(days * 86400 + v * 60 + part));
}

/* sm_note - one EV_INFO or EV_WARNING, with the client it names. */
static enum parse_result
sm_note(const struct sm_ctx *c, enum ev_type t, bool client)
{
	struct event	ev;
	struct span	before, v;

	sm_event(c, &ev, t, client ? "smtpd" : NULL);
	ev.text = c->body;
	if (client) {
		if (!(sm_last_relay(c->body, &before, &v) &&
		    sm_relay(c, v, &ev)))
			(void)sm_client_find(c, c->body, &ev);
	}
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* --- the session side ------------------------------------------------ */

/* sm_connect - "connect from NAME [IP]" or "connect from user@localhost". */
static enum parse_result
sm_connect(const struct sm_ctx *c)
{
	struct event	ev;
	struct span	v = sm_after(c->body, "connect from ");

	sm_event(c, &ev, EV_CONNECT, "smtpd");
	if (!sm_relay(c, v, &ev)) {
		/* A local submission: no network client. */
		if (memchr(v.p, '[', v.n) != NULL || v.n == 0)
			return (PARSE_BAD);
		ev.type = EV_INFO;
		ev.service = c->msg->program;
		ev.text = c->body;
	}
	ev.queue_id = SPAN_NULL;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* sm_auth - "AUTH=server, relay=R, authid=U, mech=M, bits=N". */
static enum parse_result
sm_auth(const struct sm_ctx *c)
{
	struct rx_match	m;
	struct event	ev;

	if (!sm_match(c, SM_RX_AUTH, c->body, &m))
		return (PARSE_BAD);
	sm_event(c, &ev, EV_AUTH, "smtpd");
	if (!sm_relay(c, sm_group(c, SM_RX_AUTH, &m, "relay"), &ev))
		return (PARSE_BAD);
	ev.sasl_user = sm_group(c, SM_RX_AUTH, &m, "authid");
	ev.sasl_method = sm_group(c, SM_RX_AUTH, &m, "mech");
	ev.reply_code = 235;
	ev.queue_id = SPAN_NULL;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * sm_auth_fail - "AUTH failure (MECH): TEXT[, user=U], relay=R".  The user
 * name is the client's and may itself hold ", relay=": the real relay is
 * the last one, the user runs from the first ", user=" to it.
 */
static enum parse_result
sm_auth_fail(const struct sm_ctx *c)
{
	struct event	 ev;
	struct span	 v, before, relay;
	const char	*p, *u;

	v = sm_after(c->body, "AUTH failure (");
	if ((p = memchr(v.p, ')', v.n)) == NULL || (size_t)(p - v.p) + 2 >
	    v.n || p[1] != ':')
		return (PARSE_BAD);
	sm_event(c, &ev, EV_AUTH_FAIL, "smtpd");
	ev.sasl_method = (struct span){ v.p, (size_t)(p - v.p) };
	v = span_trim(sm_at(v, (size_t)(p - v.p) + 2));
	if (!sm_last_relay(v, &before, &relay) || !sm_relay(c, relay, &ev))
		return (PARSE_BAD);
	if ((u = span_find(before, ", user=")) != NULL) {
		ev.sasl_user = sm_at(before, (size_t)(u - before.p) + 7);
		before.n = (size_t)(u - before.p);
	}
	ev.text = before;
	ev.reply_code = 535;
	ev.queue_id = SPAN_NULL;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* sm_tls - "STARTTLS=server, relay=R, version=..., cipher=..., bits=". */
static enum parse_result
sm_tls(const struct sm_ctx *c)
{
	struct event	 ev;
	struct span	 v = sm_after(c->body, "STARTTLS=server, relay=");
	const char	*p;

	if ((p = span_find(v, ", version=")) == NULL)
		return (sm_note(c, EV_INFO, true));
	sm_event(c, &ev, EV_TLS, "smtpd");
	if (!sm_relay(c, (struct span){ v.p, (size_t)(p - v.p) }, &ev))
		return (PARSE_BAD);
	ev.text = sm_at(v, (size_t)(p - v.p) + 2);
	ev.queue_id = SPAN_NULL;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* sm_stage - the SMTP stage a ruleset checks. */
static struct span
sm_stage(struct span ruleset)
{
	if (span_eq_cstr(ruleset, "check_rcpt"))
		return (SPAN_LIT("RCPT"));
	if (span_eq_cstr(ruleset, "check_mail"))
		return (SPAN_LIT("MAIL"));
	if (span_eq_cstr(ruleset, "check_relay"))
		return (SPAN_LIT("CONNECT"));
	if (span_eq_cstr(ruleset, "check_data") ||
	    span_eq_cstr(ruleset, "check_eom"))
		return (SPAN_LIT("DATA"));
	if (span_eq_cstr(ruleset, "check_etrn"))
		return (SPAN_LIT("ETRN"));
	if (span_eq_cstr(ruleset, "check_vrfy"))
		return (SPAN_LIT("VRFY"));
	if (span_eq_cstr(ruleset, "check_expn"))
		return (SPAN_LIT("EXPN"));
	if (span_eq_cstr(ruleset, "tls_client") ||
	    span_eq_cstr(ruleset, "tls_server"))
		return (SPAN_LIT("STARTTLS"));
	return (ruleset);
}

/* sm_message_stage - does a refusal at this stage belong to an envelope? */
static bool
sm_message_stage(struct span stage)
{
	return (span_eq_cstr(stage, "RCPT") || span_eq_cstr(stage, "MAIL") ||
	    span_eq_cstr(stage, "DATA"));
}

/*
 * sm_ruleset - "ruleset=check_rcpt, arg1=<r>, relay=R, reject=550 5.7.1
 * <r>... Relaying denied" (check_mail: arg1 is the sender; check_relay:
 * arg1 the client name, arg2 its address).
 */
static enum parse_result
sm_ruleset(const struct sm_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 arg1, reply, text;
	enum sm_rx	 which = SM_RX_RULESET_ECHO;

	if (!sm_match(c, which, c->body, &m)) {
		which = SM_RX_RULESET;
		if (!sm_match(c, which, c->body, &m))
			return (PARSE_BAD);
	}
	sm_event(c, &ev, EV_REJECT, "smtpd");
	if (!sm_relay(c, sm_group(c, which, &m, "relay"), &ev))
		return (PARSE_BAD);
	ev.stage = sm_stage(sm_group(c, which, &m, "ruleset"));
	ev.status = sm_group(c, which, &m, "action");
	if (!span_eq_cstr(ev.status, "reject"))
		ev.type = EV_WARNING;
	arg1 = sm_group(c, which, &m, "arg1");
	if (span_eq_cstr(ev.stage, "RCPT"))
		ev.rcpt = sm_unbracket(arg1);
	else if (span_eq_cstr(ev.stage, "MAIL"))
		ev.sender = sm_unbracket(arg1);
	reply = sm_group(c, which, &m, "reply");
	sm_reply(reply, &ev.reply_code, &ev.dsn, &text);
	ev.text = text;
	if (!sm_message_stage(ev.stage))
		ev.queue_id = SPAN_NULL;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* sm_is_addr_error - does s start "<addr>... " or "addr... "? */
static bool
sm_is_addr_error(struct span s)
{
	const char	*p;

	if (s.n > 0 && s.p[0] == '<')
		return (span_find(s, ">... ") != NULL);
	if ((p = span_find(s, "... ")) == NULL)
		return (false);
	return (memchr(s.p, ' ', (size_t)(p - s.p)) == NULL);
}

/*
 * sm_addr_error - "<addr>... User unknown": an address the server refused
 * while resolving it, at RCPT.  Deliveries that report on an address this
 * way ("<a>... Deferred: ...") are notes.
 */
static enum parse_result
sm_addr_error(const struct sm_ctx *c)
{
	struct rx_match	m;
	struct event	ev;
	struct span	text;

	if (!sm_match(c, SM_RX_ADDR_ERR, c->body, &m))
		return (PARSE_BAD);
	text = sm_group(c, SM_RX_ADDR_ERR, &m, "text");
	if (span_startswith(text, "Deferred") ||
	    span_startswith(text, "Connecting to ") ||
	    span_startswith(text, "Sent") || span_startswith(text, "queued"))
		return (sm_note(c, EV_INFO, false));
	sm_event(c, &ev, EV_REJECT, "smtpd");
	ev.stage = SPAN_LIT("RCPT");
	ev.status = SPAN_LIT("reject");
	ev.rcpt = sm_unbracket(sm_group(c, SM_RX_ADDR_ERR, &m, "addr"));
	ev.text = text;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * sm_session_end - "NAME [IP] did not issue MAIL/EXPN/VRFY/ETRN during
 * connection to D", "lost input channel from NAME [IP] to D after S",
 * "timeout waiting for input from NAME [IP] during S".
 */
static enum parse_result
sm_session_end(const struct sm_ctx *c, const char *marker, const char *end,
    enum ev_type t)
{
	struct event	 ev;
	const char	*p;

	sm_event(c, &ev, t, "smtpd");
	if (marker == NULL) {
		if ((p = span_find(c->body, end)) == NULL ||
		    !sm_relay(c, (struct span){ c->body.p,
		    (size_t)(p - c->body.p) }, &ev))
			return (PARSE_BAD);
	} else if (!sm_client_after(c, c->body, marker, end, &ev))
		return (PARSE_BAD);
	if ((p = span_find(c->body, " after ")) != NULL)
		ev.stage = sm_at(c->body, (size_t)(p - c->body.p) + 7);
	ev.text = c->body;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * sm_refusal - a session-level refusal: "rejecting commands from NAME
 * [IP] due to pre-greeting traffic ...", "rejecting server EHLO from ...
 * due to traffic before response", "invalid domain name (H) from [IP]",
 * "[IP]: VRFY x [rejected]", "tcpwrappers (N, IP) rejection".
 */
static enum parse_result
sm_refusal(const struct sm_ctx *c, const char *stage, int code,
    const char *marker, const char *end)
{
	struct event	 ev;
	const char	*p, *q;
	struct span	 v;

	sm_event(c, &ev, EV_REJECT, "smtpd");
	ev.stage = span_from_cstr(stage);
	ev.status = SPAN_LIT("reject");
	ev.reply_code = code;
	ev.text = c->body;
	ev.queue_id = SPAN_NULL;
	if (span_startswith(c->body, "invalid domain name (")) {
		/* The name is the client's: the last ") from " is ours. */
		v = sm_after(c->body, "invalid domain name (");
		for (p = NULL, q = v.p; (q = span_find((struct span){ q,
		    (size_t)(v.p + v.n - q) }, ") from ")) != NULL; q++)
			p = q;
		if (p == NULL || !sm_relay(c, sm_at(v, (size_t)(p - v.p) + 7),
		    &ev))
			return (PARSE_BAD);
		ev.helo = (struct span){ v.p, (size_t)(p - v.p) };
	} else if (marker != NULL) {
		if (!sm_client_after(c, c->body, marker, end, &ev))
			return (PARSE_BAD);
	} else if (!sm_client_find(c, c->body, &ev))
		return (PARSE_BAD);
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * sm_milter - "Milter: data, reject=550 5.7.1 text" (also "from=<s>, ",
 * "to=<r>, ", "connect: ..., "): a milter refused the transaction.
 */
static enum parse_result
sm_milter(const struct sm_ctx *c)
{
	struct event	 ev;
	struct span	 v = sm_after(c->body, "Milter: "), text;
	const char	*p;

	if ((p = span_find(v, "reject=")) == NULL)
		return (sm_note(c, EV_INFO, false));
	sm_event(c, &ev, EV_REJECT, "smtpd");
	ev.status = SPAN_LIT("milter-reject");
	if (span_startswith(v, "data") || span_startswith(v, "eom"))
		ev.stage = SPAN_LIT("DATA");
	else if (span_startswith(v, "from="))
		ev.stage = SPAN_LIT("MAIL");
	else if (span_startswith(v, "to=")) {
		ev.stage = SPAN_LIT("RCPT");
		ev.rcpt = (struct span){ v.p + 3, (size_t)(p - v.p) - 3 };
		if (ev.rcpt.n >= 2 && ev.rcpt.p[ev.rcpt.n - 2] == ',')
			ev.rcpt.n -= 2;
		ev.rcpt = sm_unbracket(ev.rcpt);
	} else if (span_startswith(v, "helo"))
		ev.stage = SPAN_LIT("HELO");
	else {
		ev.stage = SPAN_LIT("CONNECT");
		ev.queue_id = SPAN_NULL;
	}
	sm_reply(sm_at(v, (size_t)(p - v.p) + 7), &ev.reply_code, &ev.dsn,
	    &text);
	ev.text = text;
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/* --- the queue side -------------------------------------------------- */

/*
 * sm_from - "from=<s>, size=N, class=N, nrcpts=N, msgid=<id>, proto=P,
 * daemon=D, relay=R".  A client in relay= is an SMTP session's message;
 * "relay=user@localhost" is a local submission.
 */
static enum parse_result
sm_from(const struct sm_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 relay, sender, v;
	int64_t		 size = -1, nrcpt = -1, n;
	bool		 local;

	if (!sm_match(c, SM_RX_FROM, c->body, &m) || c->qid.n == 0)
		return (PARSE_BAD);
	relay = sm_group(c, SM_RX_FROM, &m, "relay");
	sender = sm_unbracket(sm_group(c, SM_RX_FROM, &m, "from"));
	if (span_to_i64(sm_group(c, SM_RX_FROM, &m, "size"), &n) == 0)
		size = n;
	if (span_to_i64(sm_group(c, SM_RX_FROM, &m, "nrcpts"), &n) == 0)
		nrcpt = n;

	sm_event(c, &ev, EV_CLIENT, "smtpd");
	local = !sm_relay(c, relay, &ev);
	if (local) {
		if (memchr(relay.p, '[', relay.n) != NULL)
			return (PARSE_BAD);
		sm_event(c, &ev, EV_PICKUP, NULL);
		ev.sender = sender;
		ev.text = relay;
	} else
		ev.proto = sm_group(c, SM_RX_FROM, &m, "proto");
	sm_emit(c, &ev);
	/* An aborted transaction: no recipient was accepted, no message. */
	if (!local && nrcpt == 0)
		return (PARSE_OK);

	sm_event(c, &ev, EV_MSGINFO, local ? NULL : "smtpd");
	ev.sender = sender;
	ev.size = size;
	ev.nrcpt = nrcpt;
	sm_emit(c, &ev);
	v = sm_group(c, SM_RX_FROM, &m, "msgid");
	if (v.p != NULL) {
		sm_event(c, &ev, EV_MSGID, local ? NULL : "smtpd");
		ev.message_id = sm_unbracket(v);
		sm_emit(c, &ev);
	}
	return (PARSE_OK);
}

/* sm_next_rcpt - the next recipient of a to= list from *pos on. */
static bool
sm_next_rcpt(struct span list, size_t *pos, struct span *out)
{
	size_t	i = *pos, start;
	int	depth = 0;
	bool	quoted = false;

	if (i >= list.n)
		return (false);
	for (start = i; i < list.n; i++) {
		if (list.p[i] == '\\' && quoted && i + 1 < list.n)
			i++;
		else if (list.p[i] == '"')
			quoted = !quoted;
		else if (!quoted && list.p[i] == '<')
			depth++;
		else if (!quoted && list.p[i] == '>' && depth > 0)
			depth--;
		else if (!quoted && depth == 0 && list.p[i] == ',')
			break;
	}
	out->p = list.p + start;
	out->n = i - start;
	*pos = i + 1;
	return (true);
}

/* sm_status - our status word for a stat= text and its dsn. */
static const char *
sm_status(struct span stat, struct span dsn)
{
	if (span_startswith(stat, "Sent"))
		return ("sent");
	if (span_startswith(stat, "Deferred"))
		return ("deferred");
	if (span_startswith(stat, "queued") || span_startswith(stat, "quarantined"))
		return (NULL);
	if (dsn.n > 0 && dsn.p[0] == '4')
		return ("deferred");
	if (dsn.n > 0 && dsn.p[0] == '2')
		return ("sent");
	return ("bounced");
}

/*
 * sm_to - "to=<a>,<b>, ctladdr=<c> (u/g), delay=, xdelay=, mailer=M,
 * pri=, relay=R, dsn=D, reply=TEXT, stat=S": one EV_DELIVERY for each
 * recipient.  An alias or forward delivers to the expanded address and
 * names the address it came from in ctladdr=, which becomes orig_rcpt for
 * deliveries by the local and prog mailers.  Without relay= the relay is
 * the mailer ("local", "prog").
 */
static enum parse_result
sm_to(const struct sm_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 list, ctl, stat, reply, mailer, relay, text, dsn,
			 rcpt, rtext;
	const char	*status;
	size_t		 pos = 0;
	int		 code;
	bool		 expanded;

	if (!sm_match(c, SM_RX_TO, c->body, &m) || c->qid.n == 0)
		return (PARSE_BAD);
	list = sm_group(c, SM_RX_TO, &m, "to");
	ctl = sm_group(c, SM_RX_TO, &m, "ctl");
	stat = sm_group(c, SM_RX_TO, &m, "stat");
	reply = sm_group(c, SM_RX_TO, &m, "reply");
	mailer = sm_group(c, SM_RX_TO, &m, "mailer");
	relay = sm_group(c, SM_RX_TO, &m, "relay");
	dsn = sm_group(c, SM_RX_TO, &m, "dsn");
	if ((status = sm_status(stat, dsn)) == NULL)
		return (sm_note(c, EV_INFO, false));
	code = 0;
	if (reply.p != NULL)
		sm_reply(reply, &code, &rtext, &text);
	else if (span_startswith(stat, "Deferred: ")) {
		sm_reply(sm_after(stat, "Deferred: "), &code, &rtext, &text);
	}
	expanded = ctl.n > 0 && (span_eq_cstr(mailer, "prog") ||
	    span_eq_cstr(mailer, "*file*") || span_eq_cstr(mailer, "file") ||
	    span_eq_cstr(mailer, "*include*"));
	while (sm_next_rcpt(list, &pos, &rcpt)) {
		rcpt = span_trim(rcpt);
		if (rcpt.n == 0)
			continue;
		sm_event(c, &ev, EV_DELIVERY, NULL);
		ev.service = mailer;
		ev.rcpt = sm_unbracket(rcpt);
		/*
		 * ctladdr= is the address the delivery runs as: for a
		 * program or file an alias names, that alias; for mail to a
		 * local user, a local sender (so it is not a recipient).
		 */
		if (expanded && memchr(ctl.p, '@', ctl.n) != NULL)
			ev.orig_rcpt = sm_unbracket(ctl);
		ev.relay = relay.p != NULL ? relay : mailer;
		ev.delay_s = sm_delay(sm_group(c, SM_RX_TO, &m, "delay"));
		ev.dsn = dsn;
		ev.status = span_from_cstr(status);
		ev.reply_code = code;
		ev.text = reply.p != NULL ? reply : stat;
		sm_emit(c, &ev);
	}
	return (PARSE_OK);
}

/* sm_bounce - "QID: NEWQID: DSN: text" and the other notifications. */
static enum parse_result
sm_bounce(const struct sm_ctx *c, struct span newqid, struct span rest)
{
	struct event	ev;
	size_t		i;

	for (i = 0; sm_bounce_words[i] != NULL; i++)
		if (span_startswith(rest, sm_bounce_words[i]))
			break;
	if (sm_bounce_words[i] == NULL)
		return (PARSE_BAD);
	sm_event(c, &ev, EV_BOUNCE, NULL);
	ev.new_queue_id = newqid;
	ev.text = rest;
	sm_emit(c, &ev);
	/*
	 * Sendmail logs no from= line for the notification it makes; its
	 * envelope sender is the null reverse-path (RFC 5321, 4.5.5).
	 */
	sm_event(c, &ev, EV_MSGINFO, NULL);
	ev.queue_id = newqid;
	ev.sender = SPAN_LIT("");
	sm_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * sendmail_parse - turn the message of one Sendmail line into events for
 * sink.  ref is copied into every event.  Returns PARSE_OK when the line
 * was understood (even if it gave no event) and PARSE_BAD when not.
 */
enum parse_result
sendmail_parse(struct sendmail *sm, const struct syslog_msg *msg,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	struct sm_ctx	 c;
	struct span	 b, q2;
	struct event	 ev;
	size_t		 i;

	memset(&c, 0, sizeof(c));
	c.sm = sm;
	c.msg = msg;
	c.ref = ref;
	c.sink = sink;
	c.arg = arg;
	c.body = msg->msg;
	while (c.body.n > 0 && (c.body.p[c.body.n - 1] == ' ' ||
	    c.body.p[c.body.n - 1] == '\t'))
		c.body.n--;
	if (span_startswith(c.body, "NOQUEUE: "))
		c.body = sm_after(c.body, "NOQUEUE: ");
	else if ((c.qid = sm_qid_prefix(c.body)).n > 0)
		c.body = sm_at(c.body, c.qid.n + 2);
	if (c.body.n == 0)
		return (PARSE_BAD);
	b = c.body;

	if (c.qid.n > 0 && (q2 = sm_qid_prefix(b)).n > 0)
		return (sm_bounce(&c, q2, sm_at(b, q2.n + 2)));
	if (span_startswith(b, "from="))
		return (sm_from(&c));
	if (span_startswith(b, "to="))
		return (sm_to(&c));
	if (span_startswith(b, "ruleset="))
		return (sm_ruleset(&c));
	if (span_startswith(b, "connect from "))
		return (sm_connect(&c));
	if (span_startswith(b, "AUTH=server, "))
		return (sm_auth(&c));
	if (span_startswith(b, "AUTH failure ("))
		return (sm_auth_fail(&c));
	if (span_startswith(b, "STARTTLS=server, relay="))
		return (sm_tls(&c));
	if (span_startswith(b, "done; ") || span_eq_cstr(b, "done")) {
		sm_event(&c, &ev, EV_REMOVED, NULL);
		if (c.qid.n == 0)
			return (PARSE_BAD);
		sm_emit(&c, &ev);
		return (PARSE_OK);
	}
	if (sm_is_addr_error(b))
		return (sm_addr_error(&c));
	if (span_find(b, " did not issue MAIL/EXPN/VRFY/ETRN") != NULL)
		return (sm_session_end(&c, NULL, " did not issue ", EV_INFO));
	if (span_startswith(b, "lost input channel from "))
		return (sm_session_end(&c, "lost input channel from ", " to ",
		    EV_INFO));
	if (span_startswith(b, "timeout waiting for input from "))
		return (sm_session_end(&c, "timeout waiting for input from ",
		    " during ", EV_INFO));
	if (span_startswith(b, "rejecting commands from "))
		return (sm_refusal(&c, "CONNECT", 554,
		    "rejecting commands from ", " due to "));
	if (span_startswith(b, "rejecting server EHLO from ") ||
	    span_startswith(b, "rejecting server HELO from "))
		return (sm_refusal(&c, "HELO", 554, " from ", " due to "));
	if (span_startswith(b, "invalid domain name ("))
		return (sm_refusal(&c, "HELO", 501, ") from ", NULL));
	if (span_startswith(b, "tcpwrappers ("))
		return (sm_refusal(&c, "CONNECT", 550, NULL, NULL));
	if (span_endswith(b, " [rejected]")) {
		if (span_find(b, ": VRFY ") != NULL ||
		    span_find(b, ": vrfy ") != NULL)
			return (sm_refusal(&c, "VRFY", 252, NULL, NULL));
		if (span_find(b, ": EXPN ") != NULL ||
		    span_find(b, ": expn ") != NULL)
			return (sm_refusal(&c, "EXPN", 502, NULL, NULL));
	}
	if (span_startswith(b, "Milter: "))
		return (sm_milter(&c));
	if (span_find(b, ": possible SMTP attack: ") != NULL ||
	    span_find(b, ": Possible SMTP RCPT flood") != NULL)
		return (sm_note(&c, EV_WARNING, true));
	for (i = 0; sm_notes[i].prefix != NULL; i++)
		if (span_startswith(b, sm_notes[i].prefix))
			return (sm_note(&c, sm_notes[i].type,
			    sm_notes[i].client));
	return (PARSE_BAD);
}
