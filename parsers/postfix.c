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
 * Postfix log messages to events: the dispatch by service and the queue
 * side (cleanup, qmgr, the delivery agents, bounce, pickup).  smtpd and
 * postscreen are in postfix_smtpd.c, policy and content actions
 * ("reject: ...") in postfix_action.c.
 *
 * The program tag names the service: its part after the last '/' (smtpd),
 * with the instance before it (postfix, postfix-out, postfix/submission).
 * A message may start with a queue id ("4Fk2x1Lz: ") or NOQUEUE.  Each
 * service has a few message shapes that carry evidence; those are parsed
 * strictly, and a line that starts like one but does not fit is refused
 * (PARSE_BAD).  Diagnostics ("warning: ...") become EV_WARNING and the
 * daemons' other chatter EV_INFO.
 *
 * Every field is a span into the line.  Sender, recipient, HELO and reply
 * text are the client's (or a remote server's) bytes and may hold
 * anything; they are delimited by the structure Postfix writes around
 * them, never by their content.
 */

#include "config.h"

#include "postfix.h"

#include <stdlib.h>
#include <string.h>

#include "postfix_int.h"
#include "rx.h"
#include "syslog.h"
#include "xmalloc.h"

/* Longest queue id taken: short ids grow with the inode number. */
#define PF_QID_MAX	25

static const struct {
	const char	*name;
	const char	*pattern;
} pf_rx_table[PF_RX__MAX] = {
	[PF_RX_ACTION] = { "action",
	    "^(?<stage>[A-Za-z][A-Za-z0-9-]*)"
	    "(?: from (?<client>[^ \\[]*\\[[^\\] ]*\\](?::[0-9]+)?))?"
	    ": (?<rest>.*)$" },
	[PF_RX_DELIVERY] = { "delivery",
	    "^to=(?:<(?<to>.*?)>|(?<to2>[^<][^ ,]*)), "
	    "(?:orig_to=(?:<(?<orig>.*?)>|(?<orig2>[^<][^ ,]*)), )?"
	    "relay=(?<relay>[^ ,]*), (?:[a-z_]+=[^ ,]*, )*?"
	    "delay=(?<delay>[0-9]+(?:\\.[0-9]+)?), "
	    "(?:delays=[0-9./]+, )?(?:[a-z_]+=[^ ,]*, )*?"
	    "(?:dsn=(?<dsn>[0-9]\\.[0-9]{1,3}\\.[0-9]{1,3}), )?"
	    "status=(?<status>[A-Za-z-]+)(?: \\((?<text>.*?)\\)?)?$" },
	[PF_RX_MSGINFO] = { "msginfo",
	    "^from=<(?<from>.*)>, size=(?<size>[0-9]+), "
	    "nrcpt=(?<nrcpt>[0-9]+) \\(queue active\\)$" },
	[PF_RX_EXPIRED] = { "expired",
	    "^from=<(?<from>.*)>, status=(?<text>expired, .*)$" },
	[PF_RX_PICKUP] = { "pickup",
	    "^(?<uid>uid=[0-9]+) from=<(?<from>.*)>"
	    "(?: orig_id=[0-9A-Za-z]+)?$" },
	[PF_RX_BOUNCE] = { "bounce",
	    "^(?<text>(?:sender|postmaster) [a-z -]*notification): "
	    "(?<qid>[0-9A-Za-z]+)$" },
};

/* Delivery status words Postfix writes after "status=". */
static const char *const pf_statuses[] = {
	"sent", "deferred", "bounced", "expired", "undeliverable",
	"deliverable", "undeliverable-but-not-cached",
	"deliverable-but-not-cached", "SOFTBOUNCE", NULL
};

static enum parse_result pf_generic(const struct pf_ctx *);
static enum parse_result pf_cleanup(const struct pf_ctx *);
static enum parse_result pf_qmgr(const struct pf_ctx *);
static enum parse_result pf_agent(const struct pf_ctx *);
static enum parse_result pf_bounce(const struct pf_ctx *);
static enum parse_result pf_pickup(const struct pf_ctx *);
static enum parse_result pf_guess(const struct pf_ctx *);

/* Services by name, sorted for bsearch; unknown ones are pf_generic. */
static const struct pf_service {
	const char	*name;
	enum parse_result (*parse)(const struct pf_ctx *);
} pf_services[] = {
	{ "bounce", pf_bounce },
	{ "cleanup", pf_cleanup },
	{ "defer", pf_bounce },
	{ "discard", pf_agent },
	{ "error", pf_agent },
	{ "lmtp", pf_agent },
	{ "local", pf_agent },
	{ "nqmgr", pf_qmgr },
	{ "oqmgr", pf_qmgr },
	{ "pickup", pf_pickup },
	{ "pipe", pf_agent },
	{ "postscreen", pf_postscreen },
	{ "qmgr", pf_qmgr },
	{ "relay", pf_agent },
	{ "retry", pf_agent },
	{ "smtp", pf_agent },
	{ "smtpd", pf_smtpd },
	{ "trace", pf_bounce },
	{ "virtual", pf_agent },
};

/* Informational messages of the delivery agents without a queue id. */
static const char *const pf_agent_notes[] = {
	"connect to ", "TLS connection established to ",
	"TLS connection reused to ", "discarding EHLO keywords",
	"SSL_connect error to ", "certificate verification failed for ",
	"setting up TLS connection to ", "Host offered STARTTLS",
	"server certificate ", "lost connection with ", "conversation with ",
	"host ", "statistics: ", "mapping DSN status", "enabling PIX",
	"unable to look up host ", "Untrusted TLS", "Trusted TLS",
	"Verified TLS", "Anonymous TLS", "smtp_", "lmtp_", NULL
};

/* postfix_new - a Postfix parser, its patterns compiled. */
struct postfix *
postfix_new(void)
{
	struct postfix	*pf;
	int		 i;

	pf = xcalloc(1, sizeof(*pf));
	for (i = 0; i < PF_RX__MAX; i++)
		pf->rx[i] = rx_new(pf_rx_table[i].name, pf_rx_table[i].pattern);
	return (pf);
}

/* postfix_free - release pf; NULL is fine. */
void
postfix_free(struct postfix *pf)
{
	int	i;

	if (pf == NULL)
		return;
	for (i = 0; i < PF_RX__MAX; i++)
		rx_free(pf->rx[i]);
	free(pf);
}

/* pf_split_tag - instance and service of a program tag; false if no '/'. */
static bool
pf_split_tag(struct span tag, struct span *instance, struct span *service)
{
	size_t	i;

	for (i = tag.n; i > 0; i--)
		if (tag.p[i - 1] == '/')
			break;
	if (i <= 1 || i == tag.n)
		return (false);
	instance->p = tag.p;
	instance->n = i - 1;
	service->p = tag.p + i;
	service->n = tag.n - i;
	return (true);
}

/*
 * postfix_match - is sm from a Postfix program?  The tag's instance part
 * (before the last '/') starts with "postfix": postfix/smtpd,
 * postfix-out/qmgr, postfix/submission/smtpd, postfix-10.20.30.40/smtp.
 * A bare "postfix" tag (a relay that dropped the service) is one too.
 */
bool
postfix_match(const struct syslog_msg *sm)
{
	struct span	inst, svc;

	if (!span_casestartswith(sm->program, "postfix"))
		return (false);
	return (span_caseeq_cstr(sm->program, "postfix") ||
	    pf_split_tag(sm->program, &inst, &svc));
}

/* pf_service_cmp - bsearch comparison of a span key with a table entry. */
static int
pf_service_cmp(const void *key, const void *elem)
{
	const struct span		*k = key;
	const struct pf_service		*s = elem;
	size_t				 n = strlen(s->name);
	int				 r;

	r = memcmp(k->p, s->name, k->n < n ? k->n : n);
	if (r != 0)
		return (r);
	return (k->n < n ? -1 : k->n > n ? 1 : 0);
}

/*
 * postfix_parse - turn the message of one Postfix line into events for
 * sink.  ref is copied into every event.  Returns PARSE_OK when the line
 * was understood (even if it gave no event) and PARSE_BAD when not.
 */
enum parse_result
postfix_parse(struct postfix *pf, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	const struct pf_service	*svc;
	struct pf_ctx		 c;
	struct span		 tok;
	size_t			 i;

	memset(&c, 0, sizeof(c));
	c.pf = pf;
	c.sm = sm;
	c.ref = ref;
	c.sink = sink;
	c.arg = arg;
	if (!pf_split_tag(sm->program, &c.instance, &c.service)) {
		if (!span_caseeq_cstr(sm->program, "postfix"))
			return (PARSE_SKIP);
		c.instance = sm->program;
	}
	c.body = sm->msg;

	/* "QID: " or "NOQUEUE: " */
	for (i = 0; i <= PF_QID_MAX && i < c.body.n && c.body.p[i] != ':'; i++)
		;
	if (i < c.body.n && i + 1 < c.body.n && c.body.p[i] == ':' &&
	    c.body.p[i + 1] == ' ') {
		tok.p = c.body.p;
		tok.n = i;
		if (span_eq_cstr(tok, "NOQUEUE") || pf_is_qid(tok)) {
			c.has_qid = true;
			if (!span_eq_cstr(tok, "NOQUEUE"))
				c.qid = tok;
			c.body.p += i + 2;
			c.body.n -= i + 2;
		}
	}
	while (c.body.n > 0 && (c.body.p[c.body.n - 1] == ' ' ||
	    c.body.p[c.body.n - 1] == '\t'))
		c.body.n--;
	if (c.body.n == 0)
		return (PARSE_BAD);

	if (c.service.p == NULL)
		return (pf_guess(&c));
	svc = bsearch(&c.service, pf_services,
	    sizeof(pf_services) / sizeof(pf_services[0]),
	    sizeof(pf_services[0]), pf_service_cmp);
	if (svc == NULL)
		return (pf_generic(&c));
	return (svc->parse(&c));
}

/* --- helpers shared by the Postfix files --------------------------- */

/* pf_event - ev initialised for this line: time, server and program. */
void
pf_event(const struct pf_ctx *c, struct event *ev, enum ev_type t)
{
	ev_init(ev, t);
	ev->time = c->sm->time;
	ev->usec = c->sm->usec;
	ev->ref = *c->ref;
	ev->host = c->sm->host;
	ev->program = c->sm->program;
	ev->instance = c->instance;
	ev->service = c->service;
	ev->pid = c->sm->pid;
	ev->queue_id = c->qid;
}

/* pf_emit - hand ev to the sink. */
void
pf_emit(const struct pf_ctx *c, struct event *ev)
{
	c->sink(c->arg, ev);
}

/* pf_match - match the built-in pattern which against s. */
bool
pf_match(const struct pf_ctx *c, enum pf_rx which, struct span s,
    struct rx_match *m)
{
	return (rx_exec(c->pf->rx[which], s, m));
}

/* pf_group - the named group of a match of pattern which. */
struct span
pf_group(const struct pf_ctx *c, enum pf_rx which, const struct rx_match *m,
    const char *name)
{
	return (m->group[rx_group(c->pf->rx[which], name)]);
}

/*
 * pf_is_qid - a Postfix queue id: 5 to 25 upper-case hex digits (short
 * form) or 10 to 25 characters of the vowel-free base-52 alphabet (long
 * form, enable_long_queue_ids).
 */
bool
pf_is_qid(struct span s)
{
	bool	hex = true, lng = true;
	size_t	i;
	char	ch;

	if (s.n < 5 || s.n > PF_QID_MAX)
		return (false);
	for (i = 0; i < s.n; i++) {
		ch = s.p[i];
		if (!ASCII_ISDIGIT(ch) && !(ch >= 'A' && ch <= 'F'))
			hex = false;
		if ((!ASCII_ISDIGIT(ch) && !ASCII_ISALPHA(ch)) ||
		    strchr("AEIOUaeiou", ch) != NULL)
			lng = false;
	}
	return (hex || (lng && s.n >= 10));
}

/* pf_hostname_ch - may ch appear in a client name Postfix logs? */
static bool
pf_hostname_ch(char ch)
{
	return (ASCII_ISALPHA(ch) || ASCII_ISDIGIT(ch) || ch == '.' ||
	    ch == '-' || ch == '_');
}

/* pf_addr_ch - may ch appear in a client address Postfix logs? */
static bool
pf_addr_ch(char ch)
{
	return (ASCII_ISDIGIT(ch) || (ASCII_TOLOWER(ch) >= 'a' &&
	    ASCII_TOLOWER(ch) <= 'f') || ch == ':' || ch == '.' || ch == '%');
}

/*
 * pf_client - s is exactly a Postfix client: "name[addr]", "[addr]" or
 * either with ":port", addr being numeric (with a '.' or ':').  "unknown"
 * for an address is kept as no address; an "IPv6:" prefix is dropped.
 * Fills ev's client fields.
 */
bool
pf_client(struct span s, struct event *ev)
{
	struct span	name, addr;
	size_t		i, j;
	uint32_t	port = 0;

	for (i = 0; i < s.n && s.p[i] != '['; i++)
		if (!pf_hostname_ch(s.p[i]))
			return (false);
	if (i == s.n)
		return (false);
	name.p = s.p;
	name.n = i;
	for (j = i + 1; j < s.n && s.p[j] != ']'; j++)
		;
	if (j == s.n)
		return (false);
	addr.p = s.p + i + 1;
	addr.n = j - i - 1;
	if (span_casestartswith(addr, "IPv6:")) {
		addr.p += 5;
		addr.n -= 5;
	}
	if (span_eq_cstr(addr, "unknown"))
		addr.n = 0;
	for (i = 0; i < addr.n; i++)
		if (!pf_addr_ch(addr.p[i]))
			return (false);
	if (addr.n > 0 && memchr(addr.p, '.', addr.n) == NULL &&
	    memchr(addr.p, ':', addr.n) == NULL)
		return (false);
	j++;
	if (j < s.n) {
		if (s.p[j] != ':' || j + 1 == s.n || s.n - j > 6)
			return (false);
		for (j++; j < s.n; j++) {
			if (!ASCII_ISDIGIT(s.p[j]))
				return (false);
			port = port * 10 + (uint32_t)(s.p[j] - '0');
		}
		if (port > 65535)
			return (false);
	}
	ev->client_name = name;
	ev->client_ip = addr;
	ev->client_port = (uint16_t)port;
	return (true);
}

/*
 * pf_client_find - the first Postfix client named in free text ("from
 * name[addr]", "name[addr]: ...", "[addr]:port"), into ev.
 */
bool
pf_client_find(struct span s, struct event *ev)
{
	struct span	tok;
	size_t		i, b, e;

	for (i = 0; i < s.n; i++) {
		if (s.p[i] != '[')
			continue;
		for (b = i; b > 0 && s.p[b - 1] != ' ' && s.p[b - 1] != '(';
		    b--)
			;
		for (e = i; e < s.n && s.p[e] != ']'; e++)
			;
		if (e == s.n)
			return (false);
		e++;
		if (e + 1 < s.n && s.p[e] == ':' && ASCII_ISDIGIT(s.p[e + 1]))
			for (e++; e < s.n && ASCII_ISDIGIT(s.p[e]); e++)
				;
		if (e < s.n && s.p[e] != ' ' && s.p[e] != ':' &&
		    s.p[e] != ',' && s.p[e] != ';' && s.p[e] != ')')
			continue;
		tok.p = s.p + b;
		tok.n = e - b;
		if (pf_client(tok, ev))
			return (true);
	}
	return (false);
}

/*
 * pf_reply - split an SMTP reply as Postfix logs it ("554 5.7.1 text",
 * "5.7.1 text", "text") into its code (0 if none), enhanced status code
 * and text.
 */
void
pf_reply(struct span r, int *code, struct span *dsn, struct span *text)
{
	size_t	i, n;
	int	part;

	*code = 0;
	*dsn = SPAN_NULL;
	if (r.n >= 3 && r.p[0] >= '2' && r.p[0] <= '5' &&
	    ASCII_ISDIGIT(r.p[1]) && ASCII_ISDIGIT(r.p[2]) &&
	    (r.n == 3 || r.p[3] == ' ' || r.p[3] == '-')) {
		*code = (r.p[0] - '0') * 100 + (r.p[1] - '0') * 10 +
		    (r.p[2] - '0');
		n = r.n == 3 ? 3 : 4;
		r.p += n;
		r.n -= n;
	}
	/* d.ddd.ddd */
	for (i = 0, part = 0; part < 3; part++) {
		n = 0;
		while (i < r.n && ASCII_ISDIGIT(r.p[i]) && n < 4) {
			i++;
			n++;
		}
		if (n == 0 || (part == 0 && n != 1) || n > 3)
			break;
		if (part < 2 && (i == r.n || r.p[i] != '.'))
			break;
		if (part < 2)
			i++;
	}
	if (part == 3 && (r.p[0] == '2' || r.p[0] == '4' || r.p[0] == '5') &&
	    (i == r.n || r.p[i] == ' ')) {
		dsn->p = r.p;
		dsn->n = i;
		if (i < r.n)
			i++;
		r.p += i;
		r.n -= i;
	}
	*text = r;
}

/* pf_skip - s past its first n bytes (n known to be there). */
static struct span
pf_skip(struct span s, size_t n)
{
	s.p += n;
	s.n -= n;
	return (s);
}

/* pf_after - s past prefix, which the caller knows s starts with. */
struct span
pf_after(struct span s, const char *prefix)
{
	return (pf_skip(s, strlen(prefix)));
}

/* pf_severity - does s start with a Postfix severity ("warning: ")? */
bool
pf_severity(struct span s)
{
	return (span_startswith(s, "warning: ") ||
	    span_startswith(s, "error: ") || span_startswith(s, "fatal: ") ||
	    span_startswith(s, "panic: "));
}

/*
 * pf_note - one EV_INFO or EV_WARNING with the message as text and, if
 * client, the SMTP client it names, if any.
 */
enum parse_result
pf_note(const struct pf_ctx *c, enum ev_type t, bool client)
{
	struct event	ev;

	pf_event(c, &ev, t);
	ev.text = c->body;
	if (client)
		(void)pf_client_find(c->body, &ev);
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/* pf_decimal - "12" or "1.25" as a double, without the locale. */
static double
pf_decimal(struct span s)
{
	double	v = 0, scale = 1;
	size_t	i = 0;

	for (; i < s.n && ASCII_ISDIGIT(s.p[i]); i++)
		v = v * 10 + (s.p[i] - '0');
	if (i < s.n && s.p[i] == '.')
		for (i++; i < s.n && ASCII_ISDIGIT(s.p[i]); i++) {
			scale /= 10;
			v += (s.p[i] - '0') * scale;
		}
	return (v);
}

/* pf_code_at - the 3-digit reply code right after marker in s, or 0. */
static int
pf_code_at(struct span s, const char *marker)
{
	const char	*p;
	struct span	 r, dsn, text;
	int		 code;

	if ((p = span_find(s, marker)) == NULL)
		return (0);
	r.p = p + strlen(marker);
	r.n = (size_t)(s.p + s.n - r.p);
	pf_reply(r, &code, &dsn, &text);
	return (code);
}

/* --- services ------------------------------------------------------- */

/* pf_generic - daemons that log no message evidence: all notes. */
static enum parse_result
pf_generic(const struct pf_ctx *c)
{
	return (pf_note(c, pf_severity(c->body) ? EV_WARNING : EV_INFO, true));
}

/* pf_delivery - "QID: to=<>, relay=, delay=, ..., status=X (text)". */
static enum parse_result
pf_delivery(const struct pf_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;
	struct span	 status;
	size_t		 i;

	if (!pf_match(c, PF_RX_DELIVERY, c->body, &m))
		return (PARSE_BAD);
	status = pf_group(c, PF_RX_DELIVERY, &m, "status");
	for (i = 0; pf_statuses[i] != NULL; i++)
		if (span_eq_cstr(status, pf_statuses[i]))
			break;
	if (pf_statuses[i] == NULL)
		return (PARSE_BAD);
	pf_event(c, &ev, EV_DELIVERY);
	if ((ev.rcpt = pf_group(c, PF_RX_DELIVERY, &m, "to")).p == NULL)
		ev.rcpt = pf_group(c, PF_RX_DELIVERY, &m, "to2");
	if ((ev.orig_rcpt = pf_group(c, PF_RX_DELIVERY, &m, "orig")).p == NULL)
		ev.orig_rcpt = pf_group(c, PF_RX_DELIVERY, &m, "orig2");
	ev.relay = pf_group(c, PF_RX_DELIVERY, &m, "relay");
	ev.delay_s = pf_decimal(pf_group(c, PF_RX_DELIVERY, &m, "delay"));
	ev.dsn = pf_group(c, PF_RX_DELIVERY, &m, "dsn");
	ev.status = status;
	ev.text = pf_group(c, PF_RX_DELIVERY, &m, "text");
	if ((ev.reply_code = pf_code_at(ev.text, "said: ")) == 0 &&
	    (ev.reply_code = pf_code_at(ev.text, "refused to talk to me: ")) ==
	    0)
		ev.reply_code = pf_code_at(ev.text, "");
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/* pf_agent - smtp, lmtp, local, virtual, pipe, error, discard, ... */
static enum parse_result
pf_agent(const struct pf_ctx *c)
{
	size_t	i;

	if (c->has_qid && span_startswith(c->body, "to="))
		return (pf_delivery(c));
	if (pf_severity(c->body))
		return (pf_note(c, EV_WARNING, false));
	/* Other "QID: ..." lines are diagnostics of a delivery attempt. */
	if (c->has_qid)
		return (pf_note(c, EV_INFO, false));
	for (i = 0; pf_agent_notes[i] != NULL; i++)
		if (span_find(c->body, pf_agent_notes[i]) != NULL)
			return (pf_note(c, EV_INFO, false));
	return (PARSE_BAD);
}

/* pf_qmgr - queue manager: message info, removal, expiry, deferrals. */
static enum parse_result
pf_qmgr(const struct pf_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;
	int64_t		 v;

	if (pf_severity(c->body))
		return (pf_note(c, EV_WARNING, false));
	if (!c->has_qid)
		return (pf_note(c, EV_INFO, false));
	if (span_eq_cstr(c->body, "removed")) {
		pf_event(c, &ev, EV_REMOVED);
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(c->body, "to=<"))
		return (pf_delivery(c));
	if (pf_match(c, PF_RX_MSGINFO, c->body, &m)) {
		pf_event(c, &ev, EV_MSGINFO);
		ev.sender = pf_group(c, PF_RX_MSGINFO, &m, "from");
		if (span_to_i64(pf_group(c, PF_RX_MSGINFO, &m, "size"),
		    &v) == 0)
			ev.size = v;
		if (span_to_i64(pf_group(c, PF_RX_MSGINFO, &m, "nrcpt"),
		    &v) == 0)
			ev.nrcpt = v;
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (pf_match(c, PF_RX_EXPIRED, c->body, &m)) {
		pf_event(c, &ev, EV_EXPIRED);
		ev.sender = pf_group(c, PF_RX_EXPIRED, &m, "from");
		ev.text = pf_group(c, PF_RX_EXPIRED, &m, "text");
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(c->body, "skipped, still being delivered"))
		return (pf_note(c, EV_INFO, false));
	return (PARSE_BAD);
}

/*
 * pf_message_id - cleanup "message-id=<id>" (or resent-message-id): the
 * id without its angle brackets; a value without them is kept whole.
 */
static enum parse_result
pf_message_id(const struct pf_ctx *c, struct span v, enum ev_type t)
{
	struct event	ev;

	pf_event(c, &ev, t);
	if (v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>') {
		v.p++;
		v.n -= 2;
	}
	ev.message_id = v;
	if (t == EV_INFO)
		ev.text = c->body;
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/* pf_cleanup - message ids, header/body checks, milter actions. */
static enum parse_result
pf_cleanup(const struct pf_ctx *c)
{
	struct span	word, rest;

	if (c->has_qid) {
		if (span_startswith(c->body, "message-id="))
			return (pf_message_id(c,
			    pf_after(c->body, "message-id="), EV_MSGID));
		if (span_startswith(c->body, "resent-message-id="))
			return (pf_message_id(c,
			    pf_after(c->body, "resent-message-id="), EV_INFO));
		if (pf_action_word(c->body, &word, &rest) &&
		    pf_action(c, word, rest) == PARSE_OK)
			return (PARSE_OK);
	}
	if (pf_severity(c->body))
		return (pf_note(c, EV_WARNING, true));
	if (!c->has_qid)
		return (pf_note(c, EV_INFO, true));
	return (PARSE_BAD);
}

/* pf_bounce - "QID: sender non-delivery notification: NEWQID". */
static enum parse_result
pf_bounce(const struct pf_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;

	if (c->has_qid && pf_match(c, PF_RX_BOUNCE, c->body, &m)) {
		pf_event(c, &ev, EV_BOUNCE);
		ev.new_queue_id = pf_group(c, PF_RX_BOUNCE, &m, "qid");
		ev.text = pf_group(c, PF_RX_BOUNCE, &m, "text");
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (pf_severity(c->body))
		return (pf_note(c, EV_WARNING, false));
	if (!c->has_qid)
		return (pf_note(c, EV_INFO, false));
	return (PARSE_BAD);
}

/* pf_pickup - "QID: uid=0 from=<root>": a locally submitted message. */
static enum parse_result
pf_pickup(const struct pf_ctx *c)
{
	struct rx_match	 m;
	struct event	 ev;

	if (c->has_qid && pf_match(c, PF_RX_PICKUP, c->body, &m)) {
		pf_event(c, &ev, EV_PICKUP);
		ev.sender = pf_group(c, PF_RX_PICKUP, &m, "from");
		ev.text = pf_group(c, PF_RX_PICKUP, &m, "uid");
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (pf_severity(c->body))
		return (pf_note(c, EV_WARNING, false));
	if (!c->has_qid)
		return (pf_note(c, EV_INFO, false));
	return (PARSE_BAD);
}

/*
 * pf_guess - a bare "postfix" tag: pick the service by the message.
 * smtpd's messages get service "smtpd"; for the others it stays empty.
 */
static enum parse_result
pf_guess(const struct pf_ctx *c)
{
	static const char *const smtpd_starts[] = {
		"client=", "connect from ", "disconnect from ",
		"lost connection after ", "timeout after ",
		"too many errors after ", "improper command pipelining after ",
		NULL
	};
	struct pf_ctx	 g = *c;
	struct span	 b = c->body, word, rest;
	size_t		 i;

	for (i = 0; smtpd_starts[i] != NULL; i++)
		if (span_startswith(b, smtpd_starts[i]))
			break;
	if (smtpd_starts[i] != NULL ||
	    span_find(b, "TLS connection established from ") != NULL ||
	    (span_startswith(b, "warning: ") &&
	    span_find(b, ": SASL ") != NULL) ||
	    (c->has_qid && pf_action_word(b, &word, &rest) &&
	    !span_startswith(rest, "header ") &&
	    !span_startswith(rest, "body "))) {
		g.service = SPAN_LIT("smtpd");
		return (pf_smtpd(&g));
	}
	if (!c->has_qid)
		return (pf_generic(c));
	if (span_startswith(b, "from=<") || span_eq_cstr(b, "removed"))
		return (pf_qmgr(c));
	if (span_startswith(b, "message-id=") ||
	    pf_action_word(b, &word, &rest))
		return (pf_cleanup(c));
	if (span_startswith(b, "uid="))
		return (pf_pickup(c));
	if (span_find(b, " notification: ") != NULL)
		return (pf_bounce(c));
	return (pf_agent(c));
}
