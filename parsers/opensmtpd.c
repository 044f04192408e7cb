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
 * OpenSMTPD (6.4 and later) log messages to events.  Every line of a
 * session starts with its id, 16 hex digits:
 *
 *	SID smtp connected address=IP host=NAME		EV_CONNECT
 *	SID smtp tls ciphers=...			EV_TLS
 *	SID smtp authentication user=U result=ok	EV_AUTH (else AUTH_FAIL)
 *	SID smtp failed-command command="C" result="R"	EV_REJECT
 *	SID smtp bad-input result="R"			EV_WARNING
 *	SID smtp message msgid=M size=N nrcpt=K proto=P	EV_CLIENT, EV_MSGINFO
 *	SID smtp envelope evpid=E from=<s> to=<r>	EV_MSGINFO, EV_RCPT
 *	SID smtp disconnected reason=R			EV_DISCONNECT
 *	SID mta delivery evpid=E ... result="Ok" stat="250 ..."   EV_DELIVERY
 *	SID mda delivery evpid=E ... result=Ok stat=Delivered	  EV_DELIVERY
 *
 * and the older (5.x, 6.0) form "smtp-in: New session SID from host NAME
 * [IP]", "smtp-in: Accepted message M on session SID: from=<>, to=<>,
 * ...", "smtp-in: Failed command on session SID: "C" => R", "delivery: Ok
 * for E: ...", "relay: Ok for E: ...".  The relay refusal is only "550
 * Invalid recipient"; telling it from an unknown local user is the
 * classifier's job.
 *
 * Only "smtp connected" names the client, so the parser remembers the
 * open sessions (at most OS_SESS_MAX, the oldest forgotten first) and
 * puts the client on every event of a session.  A session from
 * "address=local" is a local submission (sendmail(8), or the server's
 * own bounce): its message is EV_PICKUP, its other lines notes.  A bounce
 * is logged as such a local message from <> and names neither the
 * bounced message nor the client: when its recipient is the sender of an
 * envelope that failed permanently a moment before (the last OS_FAIL_MAX
 * failures are kept), the parser links the two with EV_BOUNCE, text
 * "bounce (inferred)".
 *
 * Addresses, commands and reply texts are the client's (or a remote
 * server's); OpenSMTPD writes them inside <> or "" without escaping, so
 * the patterns anchor on the fixed keys that follow them.  A failed AUTH
 * command is logged with its argument (base64 credentials): no event
 * carries that argument.
 */

#include "config.h"

#include "opensmtpd.h"

#include <stdlib.h>
#include <string.h>

#include "rx.h"
#include "syslog.h"
#include "xmalloc.h"

/* Open sessions remembered, and permanent failures kept for bounces. */
#define OS_SESS_MAX	1024
#define OS_FAIL_MAX	256
#define OS_IP_MAX	64
#define OS_NAME_MAX	256
#define OS_ADDR_MAX	512
#define OS_RELAY_MAX	(OS_IP_MAX + OS_NAME_MAX + 4)

enum os_rx {
	OS_RX_CONNECTED,	/* address= host= */
	OS_RX_AUTH,		/* user= result= */
	OS_RX_FAILED,		/* command="" result="" */
	OS_RX_MESSAGE,		/* msgid= size= nrcpt= proto= */
	OS_RX_ENVELOPE,		/* evpid= from=<> to=<> */
	OS_RX_MTA,		/* mta delivery evpid= ... stat="" */
	OS_RX_MDA,		/* mda delivery evpid= ... stat= */
	OS_RX_OLD_SESSION,	/* New session SID from host NAME [IP] */
	OS_RX_OLD_ACCEPTED,	/* Accepted message M on session SID: ... */
	OS_RX_OLD_FAILED,	/* Failed command on session SID: "C" => R */
	OS_RX_OLD_DELIVERY,	/* delivery: / relay: RESULT for E: ... */
	OS_RX__MAX
};

static const struct {
	const char	*name;
	const char	*pattern;
} os_rx_table[OS_RX__MAX] = {
	[OS_RX_CONNECTED] = { "opensmtpd-connected",
	    "^address=(?<addr>[0-9A-Fa-f.:]+|local) host=(?<host>[^ ]*)$" },
	[OS_RX_AUTH] = { "opensmtpd-auth",
	    "^user=(?<user>.*) result=(?<result>[a-z]+)$" },
	[OS_RX_FAILED] = { "opensmtpd-failed-command",
	    "^command=\"(?<cmd>.*)\" result=\"(?<result>[^\"]*)\"$" },
	[OS_RX_MESSAGE] = { "opensmtpd-message",
	    "^msgid=(?<msgid>[0-9a-f]{8}) size=(?<size>[0-9]+) "
	    "nrcpt=(?<nrcpt>[0-9]+) proto=(?<proto>[A-Za-z0-9]+)$" },
	[OS_RX_ENVELOPE] = { "opensmtpd-envelope",
	    "^evpid=(?<evpid>[0-9a-f]{16}) from=<(?<from>.*)> "
	    "to=<(?<to>.*)>$" },
	[OS_RX_MTA] = { "opensmtpd-mta-delivery",
	    "^evpid=(?<evpid>[0-9a-f]{16}) from=<(?<from>.*)> "
	    "to=<(?<to>.*)> rcpt=<(?<rcpt>.*)> source=\"(?<source>[^\"]*)\" "
	    "relay=\"(?<relay>[^\"]*)\" delay=(?<delay>[0-9dhms]+) "
	    "result=\"(?<result>[A-Za-z]+)\" stat=\"(?<stat>.*)\"$" },
	[OS_RX_MDA] = { "opensmtpd-mda-delivery",
	    "^evpid=(?<evpid>[0-9a-f]{16}) from=<(?<from>.*)> "
	    "to=<(?<to>.*)> rcpt=<(?<rcpt>.*)> user=(?<user>[^ ]*) "
	    "delay=(?<delay>[0-9dhms]+) result=(?<result>[A-Za-z]+) "
	    "stat=(?<stat>.*)$" },
	[OS_RX_OLD_SESSION] = { "opensmtpd-old-session",
	    "^New session (?<sid>[0-9a-f]{16}) from host (?<host>[^ ]*) "
	    "\\[(?<addr>[^\\]]*)\\]$" },
	[OS_RX_OLD_ACCEPTED] = { "opensmtpd-old-accepted",
	    "^Accepted message (?<msgid>[0-9a-f]{8}) on session "
	    "(?<sid>[0-9a-f]{16}): from=<(?<from>.*)>, to=<(?<to>.*)>, "
	    "size=(?<size>[0-9]+), ndest=(?<nrcpt>[0-9]+), "
	    "proto=(?<proto>[A-Za-z0-9]+)$" },
	[OS_RX_OLD_FAILED] = { "opensmtpd-old-failed",
	    "^Failed command on session (?<sid>[0-9a-f]{16}): "
	    "\"(?<cmd>.*)\" => (?<result>.*)$" },
	[OS_RX_OLD_DELIVERY] = { "opensmtpd-old-delivery",
	    "^(?<result>Ok|TempFail|PermFail|Loop) for "
	    "(?<evpid>[0-9a-f]{16}): (?:session=[0-9a-f]+, )?"
	    "from=<(?<from>.*)>, to=<(?<to>.*)>, "
	    "(?:rcpt=<(?<rcpt>.*)>, )?(?:user=(?<user>[^,]*), )?"
	    "(?:method=[a-z]+, )?(?:source=(?<source>[^,]*), )?"
	    "(?:relay=(?<relay>.*?), )?delay=(?<delay>[0-9dhms]+), "
	    "(?:stat=(?<stat>.*))$" },
};

/* A session the parser has seen connect. */
struct os_sess {
	uint64_t	 id;
	uint64_t	 seq;		/* 0: the slot is free */
	bool		 local;
	char		 ip[OS_IP_MAX];
	size_t		 iplen;
	char		 name[OS_NAME_MAX];
	size_t		 namelen;
};

/* An envelope that failed for good: its sender may get a bounce. */
struct os_fail {
	uint64_t	 seq;		/* 0: the slot is free */
	char		 msgid[9];
	char		 sender[OS_ADDR_MAX];
	size_t		 senderlen;
};

struct opensmtpd {
	struct rx	*rx[OS_RX__MAX];
	struct os_sess	 sess[OS_SESS_MAX];
	struct os_fail	 fail[OS_FAIL_MAX];
	uint64_t	 seq;
	char		 relay[OS_RELAY_MAX];
};

/* One line being parsed. */
struct os_ctx {
	struct opensmtpd	*os;
	const struct syslog_msg	*msg;
	const struct ev_ref	*ref;
	ev_sink			 sink;
	void			*arg;
	uint64_t		 sid;
	struct span		 sidtext;
	struct span		 body;		/* after "SID " */
	struct os_sess		*s;		/* the session, if known */
};

/* Notes without a session id: the daemon's own chatter. */
static const struct {
	const char	*prefix;
	enum ev_type	 type;
} os_notes[] = {
	{ "info: ", EV_INFO },
	{ "warn: ", EV_WARNING },
	{ "error: ", EV_WARNING },
	{ "fatal: ", EV_WARNING },
	{ "debug: ", EV_INFO },
	{ "Exiting", EV_INFO },
	{ "commands executed from aliases", EV_INFO },
	{ "smtp-in: ", EV_INFO },
	{ "smtp-out: ", EV_INFO },
	{ "mta: ", EV_INFO },
	{ "queue: ", EV_INFO },
	{ "scheduler: ", EV_INFO },
	{ "lka: ", EV_INFO },
	{ "control: ", EV_INFO },
	{ "pony: ", EV_INFO },
	{ "parent: ", EV_INFO },
	{ NULL, EV_INFO }
};

/* opensmtpd_new - an OpenSMTPD parser, its patterns compiled. */
struct opensmtpd *
opensmtpd_new(void)
{
	struct opensmtpd	*os;
	int			 i;

	os = xcalloc(1, sizeof(*os));
	for (i = 0; i < OS_RX__MAX; i++)
		os->rx[i] = rx_new(os_rx_table[i].name, os_rx_table[i].pattern);
	return (os);
}

/* opensmtpd_free - release os; NULL is fine. */
void
opensmtpd_free(struct opensmtpd *os)
{
	int	i;

	if (os == NULL)
		return;
	for (i = 0; i < OS_RX__MAX; i++)
		rx_free(os->rx[i]);
	free(os);
}

/* os_hex - s as a hex number if it is exactly n hex digits. */
static bool
os_hex(struct span s, size_t n, uint64_t *v)
{
	size_t	i;
	char	ch;

	if (s.n != n)
		return (false);
	*v = 0;
	for (i = 0; i < n; i++) {
		ch = ASCII_TOLOWER(s.p[i]);
		if (ASCII_ISDIGIT(ch))
			*v = *v << 4 | (uint64_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			*v = *v << 4 | (uint64_t)(ch - 'a' + 10);
		else
			return (false);
	}
	return (true);
}

/* os_sid_prefix - the session id starting s ("SID "), or false. */
static bool
os_sid_prefix(struct span s, uint64_t *sid)
{
	return (s.n > 17 && s.p[16] == ' ' &&
	    os_hex((struct span){ s.p, 16 }, 16, sid));
}

/*
 * opensmtpd_match - is msg from OpenSMTPD?  The tag is "smtpd" and the
 * message has one of OpenSMTPD's shapes (other daemons are called smtpd
 * too).
 */
bool
opensmtpd_match(const struct syslog_msg *msg)
{
	uint64_t	sid;
	size_t		i;

	if (!span_eq_cstr(msg->program, "smtpd"))
		return (false);
	if (os_sid_prefix(msg->msg, &sid))
		return (true);
	for (i = 0; os_notes[i].prefix != NULL; i++)
		if (span_startswith(msg->msg, os_notes[i].prefix))
			return (true);
	return (span_startswith(msg->msg, "delivery: ") ||
	    span_startswith(msg->msg, "relay: "));
}

/* os_at - s from offset i on. */
static struct span
os_at(struct span s, size_t i)
{
	s.p += i;
	s.n -= i;
	return (s);
}

/* os_group - the named group of a match of pattern which. */
static struct span
os_group(const struct os_ctx *c, enum os_rx which, const struct rx_match *m,
    const char *name)
{
	return (m->group[rx_group(c->os->rx[which], name)]);
}

/* os_match - match the built-in pattern which against s. */
static bool
os_match(const struct os_ctx *c, enum os_rx which, struct span s,
    struct rx_match *m)
{
	return (rx_exec(c->os->rx[which], s, m));
}

/* os_sess_find - the open session with this id, or NULL. */
static struct os_sess *
os_sess_find(struct opensmtpd *os, uint64_t id)
{
	size_t	i;

	for (i = 0; i < OS_SESS_MAX; i++)
		if (os->sess[i].seq != 0 && os->sess[i].id == id)
			return (&os->sess[i]);
	return (NULL);
}

/* os_copy - copy s into dst (of size max), cut to fit; returns length. */
static size_t
os_copy(char *dst, size_t max, struct span s)
{
	size_t	n = s.n < max ? s.n : max;

	if (n > 0)
		memcpy(dst, s.p, n);
	return (n);
}

/* os_sess_open - remember a session; the oldest one makes room. */
static struct os_sess *
os_sess_open(struct opensmtpd *os, uint64_t id, struct span ip,
    struct span name, bool local)
{
	struct os_sess	*s, *old = NULL;
	size_t		 i;

	if ((s = os_sess_find(os, id)) == NULL) {
		for (i = 0; i < OS_SESS_MAX; i++) {
			if (os->sess[i].seq == 0) {
				s = &os->sess[i];
				break;
			}
			if (old == NULL || os->sess[i].seq < old->seq)
				old = &os->sess[i];
		}
		if (s == NULL)
			s = old;
	}
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->seq = ++os->seq;
	s->local = local;
	s->iplen = os_copy(s->ip, sizeof(s->ip), ip);
	s->namelen = os_copy(s->name, sizeof(s->name), name);
	return (s);
}

/* os_event - ev initialised for this line and its session. */
static void
os_event(const struct os_ctx *c, struct event *ev, enum ev_type t,
    const char *service)
{
	ev_init(ev, t);
	ev->time = c->msg->time;
	ev->usec = c->msg->usec;
	ev->ref = *c->ref;
	ev->host = c->msg->host;
	ev->program = c->msg->program;
	ev->instance = c->msg->program;
	ev->service = span_from_cstr(service);
	ev->pid = c->msg->pid;
	ev->flow = c->sid;
	if (c->s != NULL && !c->s->local) {
		ev->client_ip = (struct span){ c->s->ip, c->s->iplen };
		ev->client_name = (struct span){ c->s->name, c->s->namelen };
	}
}

/* os_emit - hand ev to the sink. */
static void
os_emit(const struct os_ctx *c, struct event *ev)
{
	c->sink(c->arg, ev);
}

/* os_note - one EV_INFO or EV_WARNING with the line as text. */
static enum parse_result
os_note(const struct os_ctx *c, enum ev_type t, const char *service)
{
	struct event	ev;

	os_event(c, &ev, t, service);
	ev.text = c->body;
	os_emit(c, &ev);
	return (PARSE_OK);
}

/* os_reply - split "550 5.7.1 text" into code, enhanced code and text. */
static void
os_reply(struct span r, int *code, struct span *dsn, struct span *text)
{
	size_t	i;

	*code = 0;
	*dsn = SPAN_NULL;
	if (r.n >= 3 && r.p[0] >= '2' && r.p[0] <= '5' &&
	    ASCII_ISDIGIT(r.p[1]) && ASCII_ISDIGIT(r.p[2]) &&
	    (r.n == 3 || r.p[3] == ' ' || r.p[3] == '-')) {
		*code = (r.p[0] - '0') * 100 + (r.p[1] - '0') * 10 +
		    (r.p[2] - '0');
		r = os_at(r, r.n == 3 ? 3 : 4);
	}
	if (r.n >= 5 && r.p[0] >= '2' && r.p[0] <= '5' && r.p[1] == '.' &&
	    ASCII_ISDIGIT(r.p[2])) {
		for (i = 2; i < r.n && (ASCII_ISDIGIT(r.p[i]) ||
		    r.p[i] == '.'); i++)
			;
		if (i == r.n || r.p[i] == ' ' || r.p[i] == ':') {
			dsn->p = r.p;
			dsn->n = i;
			if (i < r.n && r.p[i] == ':')
				i++;
			r = os_at(r, i < r.n ? i + 1 : i);
		}
	}
	*text = r;
}

/* os_delay - "1d2h3m4s" (any of the parts) as seconds, or -1. */
static double
os_delay(struct span s)
{
	int64_t	v = 0, part = 0;
	size_t	i;

	for (i = 0; i < s.n; i++) {
		if (ASCII_ISDIGIT(s.p[i])) {
			part = part * 10 + (s.p[i] - '0');
			if (part > 100000000)
				return (-1);
			continue;
		}
		switch (s.p[i]) {
		case 'd':
			v += part * 86400;
			break;
		case 'h':
			v += part * 3600;
			break;
		case 'm':
			v += part * 60;
			break;
		case 's':
			v += part;
			break;
		default:
			return (-1);
		}
		part = 0;
	}
	return ((double)v);
}

/* os_qid - the message id: the first 8 digits of an envelope id. */
static struct span
os_qid(struct span evpid)
{
	if (evpid.n < 8)
		return (SPAN_NULL);
	return ((struct span){ evpid.p, 8 });
}

/* --- bounces ---------------------------------------------------------- */

/* os_fail_add - remember that sender's envelope of msgid failed for good. */
static void
os_fail_add(struct opensmtpd *os, struct span msgid, struct span sender)
{
	struct os_fail	*f = NULL, *old = NULL;
	size_t		 i;

	if (msgid.n != 8 || sender.n == 0 || sender.n > OS_ADDR_MAX)
		return;
	for (i = 0; i < OS_FAIL_MAX; i++) {
		if (os->fail[i].seq == 0) {
			f = &os->fail[i];
			break;
		}
		if (old == NULL || os->fail[i].seq < old->seq)
			old = &os->fail[i];
	}
	if (f == NULL)
		f = old;
	f->seq = ++os->seq;
	memcpy(f->msgid, msgid.p, 8);
	f->msgid[8] = '\0';
	f->senderlen = os_copy(f->sender, sizeof(f->sender), sender);
}

/*
 * os_fail_take - the message whose permanent failure a bounce to rcpt
 * answers (the latest such), forgetting every failure of that message to
 * that sender; NULL if none.
 */
static const char *
os_fail_take(struct opensmtpd *os, struct span rcpt, char *msgid)
{
	struct os_fail	*best = NULL;
	size_t		 i;

	for (i = 0; i < OS_FAIL_MAX; i++)
		if (os->fail[i].seq != 0 && os->fail[i].senderlen == rcpt.n &&
		    span_caseeq((struct span){ os->fail[i].sender, rcpt.n },
		    rcpt) && (best == NULL || os->fail[i].seq > best->seq))
			best = &os->fail[i];
	if (best == NULL)
		return (NULL);
	memcpy(msgid, best->msgid, 9);
	for (i = 0; i < OS_FAIL_MAX; i++)
		if (os->fail[i].seq != 0 && os->fail[i].senderlen == rcpt.n &&
		    strcmp(os->fail[i].msgid, msgid) == 0 &&
		    span_caseeq((struct span){ os->fail[i].sender, rcpt.n },
		    rcpt))
			os->fail[i].seq = 0;
	return (msgid);
}

/* --- the smtp side -------------------------------------------------- */

/* os_connected - "smtp connected address=IP host=NAME". */
static enum parse_result
os_connected(struct os_ctx *c, struct span v)
{
	struct rx_match	m;
	struct event	ev;
	struct span	addr, host;

	if (!os_match(c, OS_RX_CONNECTED, v, &m))
		return (PARSE_BAD);
	addr = os_group(c, OS_RX_CONNECTED, &m, "addr");
	host = os_group(c, OS_RX_CONNECTED, &m, "host");
	c->s = os_sess_open(c->os, c->sid, addr, host,
	    span_eq_cstr(addr, "local"));
	if (c->s->local)
		return (os_note(c, EV_INFO, "smtpd"));
	os_event(c, &ev, EV_CONNECT, "smtpd");
	os_emit(c, &ev);
	return (PARSE_OK);
}

/* os_stage - the SMTP stage of a command line, and its argument. */
static struct span
os_stage(struct span cmd, struct span *arg)
{
	static const struct {
		const char	*verb;
		const char	*stage;
	} verbs[] = {
		{ "RCPT", "RCPT" }, { "MAIL", "MAIL" }, { "DATA", "DATA" },
		{ "EHLO", "HELO" }, { "HELO", "HELO" }, { "AUTH", "AUTH" },
		{ "STARTTLS", "STARTTLS" }, { "VRFY", "VRFY" },
		{ "EXPN", "EXPN" }, { "ETRN", "ETRN" }, { "RSET", "RSET" },
		{ "NOOP", "NOOP" }, { "QUIT", "QUIT" }, { "HELP", "HELP" },
		{ "BDAT", "DATA" }, { NULL, NULL }
	};
	size_t	i, n;

	for (n = 0; n < cmd.n && cmd.p[n] != ' '; n++)
		;
	*arg = n < cmd.n ? os_at(cmd, n + 1) : SPAN_NULL;
	for (i = 0; verbs[i].verb != NULL; i++)
		if (span_caseeq((struct span){ cmd.p, n },
		    span_from_cstr(verbs[i].verb)))
			return (span_from_cstr(verbs[i].stage));
	return ((struct span){ cmd.p, n });
}

/* os_path - the address of "TO:<a> PARAMS" / "FROM:<a>", or empty. */
static struct span
os_path(struct span arg)
{
	size_t	i, e;

	for (i = 0; i < arg.n && arg.p[i] != ':'; i++)
		;
	if (i == arg.n)
		return (SPAN_NULL);
	arg = span_trim(os_at(arg, i + 1));
	if (arg.n == 0 || arg.p[0] != '<') {
		for (e = 0; e < arg.n && arg.p[e] != ' '; e++)
			;
		return ((struct span){ arg.p, e });
	}
	/* The address ends at the last '>' before parameters or the end. */
	for (e = arg.n; e > 1; e--)
		if (arg.p[e - 1] == '>' && (e == arg.n || arg.p[e] == ' '))
			break;
	if (e <= 1)
		return (os_at(arg, 1));
	return ((struct span){ arg.p + 1, e - 2 });
}

/*
 * os_redact - the line with the argument of a logged AUTH command (the
 * credentials, in base64) replaced by "<redacted>": OpenSMTPD writes it
 * into failed-command lines, and the evidence must not keep it.  The copy
 * lives until the next call.
 */
static struct span
os_redact(struct span raw)
{
	static char	 out[65536 + 64];
	const char	*p, *mech, *end, *q;
	size_t		 n, o;

	if ((p = span_find(raw, "command=\"AUTH ")) == NULL)
		return (raw);
	mech = p + strlen("command=\"AUTH ");
	end = raw.p + raw.n;
	for (q = mech; q < end && *q != ' ' && *q != '"'; q++)
		;
	/* Keep up to the mechanism, drop up to the closing quote. */
	n = (size_t)(q - raw.p);
	if (n > sizeof(out) - 64)
		n = sizeof(out) - 64;
	memcpy(out, raw.p, n);
	o = n;
	if (q < end && *q == ' ') {
		memcpy(out + o, " <redacted>", 11);
		o += 11;
		while (q < end && *q != '"')
			q++;
	}
	n = (size_t)(end - q);
	if (n > sizeof(out) - o)
		n = sizeof(out) - o;
	memcpy(out + o, q, n);
	o += n;
	return ((struct span){ out, o });
}

/*
 * os_refused - a failed command: EV_REJECT at the command's stage, with
 * the recipient, sender or HELO name it carried.  The argument of AUTH
 * (credentials) is not kept.
 */
static enum parse_result
os_refused(const struct os_ctx *c, struct span cmd, struct span result)
{
	struct event	ev;
	struct span	arg, text;

	os_event(c, &ev, EV_REJECT, "smtpd");
	ev.stage = os_stage(cmd, &arg);
	ev.status = SPAN_LIT("reject");
	if (span_eq_cstr(ev.stage, "AUTH"))
		ev.ref.raw = os_redact(c->ref->raw);
	if (span_eq_cstr(ev.stage, "RCPT"))
		ev.rcpt = os_path(arg);
	else if (span_eq_cstr(ev.stage, "MAIL"))
		ev.sender = os_path(arg);
	else if (span_eq_cstr(ev.stage, "HELO"))
		ev.helo = arg;
	os_reply(result, &ev.reply_code, &ev.dsn, &text);
	ev.text = text;
	if (ev.reply_code > 0 && ev.reply_code < 400)
		ev.type = EV_WARNING;
	os_emit(c, &ev);
	return (PARSE_OK);
}

/* os_auth - "smtp authentication user=U result=ok|permfail|tempfail". */
static enum parse_result
os_auth(const struct os_ctx *c, struct span v)
{
	struct rx_match	m;
	struct event	ev;
	struct span	result;

	if (!os_match(c, OS_RX_AUTH, v, &m))
		return (PARSE_BAD);
	result = os_group(c, OS_RX_AUTH, &m, "result");
	os_event(c, &ev, span_eq_cstr(result, "ok") ? EV_AUTH : EV_AUTH_FAIL,
	    "smtpd");
	ev.sasl_user = os_group(c, OS_RX_AUTH, &m, "user");
	if (ev.type == EV_AUTH)
		ev.reply_code = 235;
	else {
		ev.reply_code = span_eq_cstr(result, "tempfail") ? 454 : 535;
		ev.text = result;
	}
	os_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * os_message - "smtp message msgid=M size=N nrcpt=K proto=P": the
 * message is queued.  EV_CLIENT (EV_PICKUP for a local submission), then
 * EV_MSGINFO.
 */
static enum parse_result
os_message(const struct os_ctx *c, struct span msgid, struct span size,
    struct span nrcpt, struct span proto)
{
	struct event	ev;
	int64_t		v;
	bool		local = c->s != NULL && c->s->local;

	os_event(c, &ev, local ? EV_PICKUP : EV_CLIENT, "smtpd");
	ev.queue_id = msgid;
	ev.proto = proto;
	if (local)
		ev.text = SPAN_LIT("address=local");
	os_emit(c, &ev);
	os_event(c, &ev, EV_MSGINFO, "smtpd");
	ev.queue_id = msgid;
	if (span_to_i64(size, &v) == 0)
		ev.size = v;
	if (span_to_i64(nrcpt, &v) == 0)
		ev.nrcpt = v;
	os_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * os_envelope - "smtp envelope evpid=E from=<s> to=<r>": one accepted
 * recipient of message E.  EV_MSGINFO with the sender, EV_RCPT with the
 * recipient; a local message from <> to the sender of a failed envelope
 * is that message's bounce (EV_BOUNCE).
 */
static enum parse_result
os_envelope(const struct os_ctx *c, struct span qid, struct span from,
    struct span to)
{
	struct event	 ev;
	char		 parent[9];

	os_event(c, &ev, EV_MSGINFO, "smtpd");
	ev.queue_id = qid;
	ev.sender = from;
	os_emit(c, &ev);
	os_event(c, &ev, EV_RCPT, "smtpd");
	ev.queue_id = qid;
	ev.sender = from;
	ev.rcpt = to;
	ev.reply_code = 250;
	os_emit(c, &ev);
	if (c->s != NULL && c->s->local && from.n == 0 &&
	    os_fail_take(c->os, to, parent) != NULL) {
		os_event(c, &ev, EV_BOUNCE, "queue");
		ev.queue_id = (struct span){ parent, 8 };
		ev.new_queue_id = qid;
		ev.text = SPAN_LIT("bounce (inferred)");
		os_emit(c, &ev);
	}
	return (PARSE_OK);
}

/* os_smtp - "SID smtp ..." */
static enum parse_result
os_smtp(struct os_ctx *c, struct span v)
{
	struct rx_match	 m;
	struct event	 ev;
	bool		 local = c->s != NULL && c->s->local;

	if (span_startswith(v, "connected "))
		return (os_connected(c, os_at(v, 10)));
	if (span_startswith(v, "message ")) {
		if (!os_match(c, OS_RX_MESSAGE, os_at(v, 8), &m))
			return (PARSE_BAD);
		return (os_message(c, os_group(c, OS_RX_MESSAGE, &m, "msgid"),
		    os_group(c, OS_RX_MESSAGE, &m, "size"),
		    os_group(c, OS_RX_MESSAGE, &m, "nrcpt"),
		    os_group(c, OS_RX_MESSAGE, &m, "proto")));
	}
	if (span_startswith(v, "envelope ")) {
		if (!os_match(c, OS_RX_ENVELOPE, os_at(v, 9), &m))
			return (PARSE_BAD);
		return (os_envelope(c,
		    os_qid(os_group(c, OS_RX_ENVELOPE, &m, "evpid")),
		    os_group(c, OS_RX_ENVELOPE, &m, "from"),
		    os_group(c, OS_RX_ENVELOPE, &m, "to")));
	}
	if (span_startswith(v, "failed-command ")) {
		if (!os_match(c, OS_RX_FAILED, os_at(v, 15), &m))
			return (PARSE_BAD);
		return (os_refused(c, os_group(c, OS_RX_FAILED, &m, "cmd"),
		    os_group(c, OS_RX_FAILED, &m, "result")));
	}
	if (span_startswith(v, "authentication "))
		return (os_auth(c, os_at(v, 15)));
	if (span_startswith(v, "tls ciphers=")) {
		os_event(c, &ev, local ? EV_INFO : EV_TLS, "smtpd");
		ev.text = os_at(v, 12);
		os_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(v, "bad-input result=\"") && span_endswith(v,
	    "\"")) {
		os_event(c, &ev, EV_WARNING, "smtpd");
		ev.stage = SPAN_LIT("PIPELINING");
		v = os_at(v, 18);
		v.n--;
		os_reply(v, &ev.reply_code, &ev.dsn, &ev.text);
		os_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(v, "disconnected ")) {
		os_event(c, &ev, local ? EV_INFO : EV_DISCONNECT, "smtpd");
		ev.counters = os_at(v, 13);
		ev.text = ev.counters;
		os_emit(c, &ev);
		if (c->s != NULL)
			c->s->seq = 0;
		return (PARSE_OK);
	}
	/* filter reports, timeouts, other session notes */
	return (os_note(c, EV_INFO, "smtpd"));
}

/* os_status - our status word for OpenSMTPD's result. */
static const char *
os_status(struct span result)
{
	if (span_caseeq_cstr(result, "Ok"))
		return ("sent");
	if (span_caseeq_cstr(result, "TempFail"))
		return ("deferred");
	if (span_caseeq_cstr(result, "PermFail") ||
	    span_caseeq_cstr(result, "Loop"))
		return ("bounced");
	return (NULL);
}

/*
 * os_relay - "IP (NAME)" as Postfix writes a relay, "NAME[IP]", into the
 * parser's buffer; anything else as it is.
 */
static struct span
os_relay(struct opensmtpd *os, struct span r)
{
	const char	*sp;
	struct span	 ip, name;
	size_t		 n;

	if ((sp = memchr(r.p, ' ', r.n)) == NULL || r.n < 4 ||
	    sp[1] != '(' || r.p[r.n - 1] != ')')
		return (r);
	ip = (struct span){ r.p, (size_t)(sp - r.p) };
	name = (struct span){ sp + 2, r.n - ip.n - 3 };
	if (ip.n + name.n + 3 > sizeof(os->relay))
		return (r);
	n = os_copy(os->relay, sizeof(os->relay), name);
	os->relay[n++] = '[';
	memcpy(os->relay + n, ip.p, ip.n);
	n += ip.n;
	os->relay[n++] = ']';
	return ((struct span){ os->relay, n });
}

/*
 * os_delivery - a delivery attempt: "mta delivery ..." (to another
 * server: relay="IP (NAME)", stat="250 ...") or "mda delivery ..." (to a
 * local user: user=, stat=Delivered).  rcpt= is the address the client
 * gave when an alias or forward changed it ("<->": unchanged).
 */
static enum parse_result
os_delivery(struct os_ctx *c, enum os_rx which, struct span v,
    const char *service)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 result, rcpt, dsn, text, relay;
	const char	*status;

	if (!os_match(c, which, v, &m))
		return (PARSE_BAD);
	result = os_group(c, which, &m, "result");
	if ((status = os_status(result)) == NULL)
		return (PARSE_BAD);
	os_event(c, &ev, EV_DELIVERY, service);
	ev.client_ip = ev.client_name = SPAN_NULL;
	ev.queue_id = os_qid(os_group(c, which, &m, "evpid"));
	ev.rcpt = os_group(c, which, &m, "to");
	rcpt = os_group(c, which, &m, "rcpt");
	if (rcpt.p != NULL && !span_eq_cstr(rcpt, "-") &&
	    !span_eq(rcpt, ev.rcpt))
		ev.orig_rcpt = rcpt;
	ev.sender = os_group(c, which, &m, "from");
	relay = which == OS_RX_MDA ? SPAN_NULL :
	    os_group(c, which, &m, "relay");
	ev.relay = relay.p != NULL ? os_relay(c->os, relay) :
	    SPAN_LIT("local");
	ev.delay_s = os_delay(os_group(c, which, &m, "delay"));
	ev.status = span_from_cstr(status);
	ev.text = os_group(c, which, &m, "stat");
	os_reply(ev.text, &ev.reply_code, &dsn, &text);
	ev.dsn = dsn;
	os_emit(c, &ev);
	if (strcmp(status, "bounced") == 0)
		os_fail_add(c->os, ev.queue_id, ev.sender);
	return (PARSE_OK);
}

/* --- the older (smtp-in:) form --------------------------------------- */

/* os_old - "smtp-in: ..." session lines of OpenSMTPD 5.x and 6.0. */
static enum parse_result
os_old(struct os_ctx *c, struct span v)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 t, addr;
	uint64_t	 sid;
	const char	*p;

	if (os_match(c, OS_RX_OLD_SESSION, v, &m)) {
		if (!os_hex(os_group(c, OS_RX_OLD_SESSION, &m, "sid"), 16,
		    &c->sid))
			return (PARSE_BAD);
		addr = os_group(c, OS_RX_OLD_SESSION, &m, "addr");
		c->s = os_sess_open(c->os, c->sid, addr,
		    os_group(c, OS_RX_OLD_SESSION, &m, "host"),
		    span_eq_cstr(addr, "local"));
		if (c->s->local)
			return (os_note(c, EV_INFO, "smtpd"));
		os_event(c, &ev, EV_CONNECT, "smtpd");
		os_emit(c, &ev);
		return (PARSE_OK);
	}
	if (os_match(c, OS_RX_OLD_ACCEPTED, v, &m)) {
		if (!os_hex(os_group(c, OS_RX_OLD_ACCEPTED, &m, "sid"), 16,
		    &c->sid))
			return (PARSE_BAD);
		c->s = os_sess_find(c->os, c->sid);
		t = os_group(c, OS_RX_OLD_ACCEPTED, &m, "msgid");
		(void)os_message(c, t,
		    os_group(c, OS_RX_OLD_ACCEPTED, &m, "size"),
		    os_group(c, OS_RX_OLD_ACCEPTED, &m, "nrcpt"),
		    os_group(c, OS_RX_OLD_ACCEPTED, &m, "proto"));
		return (os_envelope(c, t,
		    os_group(c, OS_RX_OLD_ACCEPTED, &m, "from"),
		    os_group(c, OS_RX_OLD_ACCEPTED, &m, "to")));
	}
	if (os_match(c, OS_RX_OLD_FAILED, v, &m)) {
		if (!os_hex(os_group(c, OS_RX_OLD_FAILED, &m, "sid"), 16,
		    &c->sid))
			return (PARSE_BAD);
		c->s = os_sess_find(c->os, c->sid);
		return (os_refused(c, span_trim(os_group(c, OS_RX_OLD_FAILED,
		    &m, "cmd")), os_group(c, OS_RX_OLD_FAILED, &m, "result")));
	}
	/* "Closing session SID", "Disconnecting session SID: why", ... */
	if ((p = span_find(v, "session ")) == NULL ||
	    (size_t)(v.p + v.n - p) < 8 + 16 ||
	    !os_hex((struct span){ p + 8, 16 }, 16, &sid))
		return (os_note(c, EV_INFO, "smtpd"));
	c->sid = sid;
	c->s = os_sess_find(c->os, sid);
	if (span_startswith(v, "Started TLS on session ")) {
		os_event(c, &ev, EV_TLS, "smtpd");
		t = os_at(v, (size_t)(p - v.p) + 24);
		ev.text = span_startswith(t, ": ") ? os_at(t, 2) : t;
		os_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(v, "Closing session ") ||
	    span_startswith(v, "Received disconnect from session ") ||
	    span_startswith(v, "Disconnecting session ")) {
		os_event(c, &ev, c->s != NULL && c->s->local ? EV_INFO :
		    EV_DISCONNECT, "smtpd");
		ev.text = v;
		os_emit(c, &ev);
		if (c->s != NULL)
			c->s->seq = 0;
		return (PARSE_OK);
	}
	return (os_note(c, EV_INFO, "smtpd"));
}

/*
 * opensmtpd_parse - turn the message of one OpenSMTPD line into events
 * for sink.  ref is copied into every event.  Returns PARSE_OK when the
 * line was understood (even if it gave no event) and PARSE_BAD when not.
 */
enum parse_result
opensmtpd_parse(struct opensmtpd *os, const struct syslog_msg *msg,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	struct os_ctx	 c;
	struct span	 b;
	size_t		 i;

	memset(&c, 0, sizeof(c));
	c.os = os;
	c.msg = msg;
	c.ref = ref;
	c.sink = sink;
	c.arg = arg;
	b = msg->msg;
	while (b.n > 0 && (b.p[b.n - 1] == ' ' || b.p[b.n - 1] == '\t'))
		b.n--;
	if (b.n == 0)
		return (PARSE_BAD);
	if (os_sid_prefix(b, &c.sid)) {
		c.sidtext = (struct span){ b.p, 16 };
		c.body = os_at(b, 17);
		c.s = os_sess_find(os, c.sid);
		if (span_startswith(c.body, "smtp "))
			return (os_smtp(&c, os_at(c.body, 5)));
		if (span_startswith(c.body, "mta delivery "))
			return (os_delivery(&c, OS_RX_MTA, os_at(c.body, 13),
			    "mta"));
		if (span_startswith(c.body, "mda delivery "))
			return (os_delivery(&c, OS_RX_MDA, os_at(c.body, 13),
			    "mda"));
		c.s = NULL;
		if (span_startswith(c.body, "mta ") ||
		    span_startswith(c.body, "mda "))
			return (os_note(&c, EV_INFO, "mta"));
		return (PARSE_BAD);
	}
	c.body = b;
	if (span_startswith(b, "smtp-in: "))
		return (os_old(&c, os_at(b, 9)));
	if (span_startswith(b, "delivery: "))
		return (os_delivery(&c, OS_RX_OLD_DELIVERY, os_at(b, 10), "mda"));
	if (span_startswith(b, "relay: "))
		return (os_delivery(&c, OS_RX_OLD_DELIVERY, os_at(b, 7), "mta"));
	for (i = 0; os_notes[i].prefix != NULL; i++)
		if (span_startswith(b, os_notes[i].prefix))
			return (os_note(&c, os_notes[i].type, "smtpd"));
	return (PARSE_BAD);
}
