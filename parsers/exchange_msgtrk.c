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
 * Exchange message tracking rows to events.  Every event carries program
 * "exchange/msgtrk" (instance "exchange", service "msgtrk"), pid -1, the
 * row's UTC time, host = the short name of the server that wrote the row
 * and queue_id = internal-message-id (a fork made by TRANSFER is mapped
 * back to the message it was forked from).  Per event-id:
 *
 *  RECEIVE, source SMTP	EV_CLIENT (client_ip = the proxied client of a
 *			front end, else client-ip; client_name likewise;
 *			server_ip; flow = the SMTP session id of
 *			source-context; proto "SMTP"; text = connector-id;
 *			sasl_method and sasl_user when a protocol log read
 *			earlier had that session authenticate),
 *			EV_MSGID (message_id without <>), EV_MSGINFO (sender
 *			= return-path, the envelope sender, else
 *			sender-address; size = total-bytes; nrcpt =
 *			recipient-count), then EV_RCPT per recipient (rcpt;
 *			stage "RECEIVE": accepted into the queue)
 *  RECEIVE, other	EV_PICKUP (sender, text = source: STOREDRIVER is
 *  source		a mailbox submission, PICKUP the pickup directory),
 *			then EV_MSGID, EV_MSGINFO, EV_RCPT as above; a later
 *			RECEIVE of a known message (an agent adding a
 *			recipient) gives EV_RCPT only
 *  SEND, SENDEXTERNAL	EV_DELIVERY per recipient: rcpt, orig_rcpt (what
 *			RESOLVE/REDIRECT/EXPAND resolved it from), relay =
 *			"server-hostname[server-ip]", status "sent" (a 4xx
 *			status "deferred", 5xx "bounced"), reply_code, dsn,
 *			text = recipient-status
 *  DELIVER		EV_DELIVERY status "sent", relay = the mailbox
 *			server (no brackets: a local mailbox)
 *  FAIL, DEFER		EV_DELIVERY status "bounced" / "deferred"; relay
 *			the remote server for source SMTP, else "none"
 *  DSN			EV_BOUNCE (queue_id = the message the DSN is
 *			about,
 *			from reference; new_queue_id = the DSN's own id;
 *			text "DSN " + source-context), then EV_MSGID,
 *			EV_MSGINFO and EV_RCPT of the DSN
 *  RESOLVE, REDIRECT,	EV_INFO (rcpt = the new address, orig_rcpt = the
 *  EXPAND		one it came from, text = event-id)
 *  anything else	EV_INFO (text = event-id, stage = source, queue_id
 *			if the row has one): TRANSFER, SUBMIT, AGENTINFO,
 *			HAREDIRECT, NOTIFYMAPI, BADMAIL, ...
 *
 * Recipients are ';'-separated; so are their statuses, which may hold
 * ';' themselves, so a status is split only before a reply code.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "exchange_int.h"
#include "msft.h"

/* What a tracking row is about, from its event-id. */
enum trk_kind {
	TRK_INFO,
	TRK_RECEIVE,
	TRK_SEND,
	TRK_DELIVER,
	TRK_FAIL,
	TRK_DEFER,
	TRK_DSN,
	TRK_RESOLVE,
	TRK_REDIRECT,
	TRK_EXPAND,
	TRK_TRANSFER
};

static const struct {
	const char	*name;
	enum trk_kind	 kind;
} trk_events[] = {
	{ "RECEIVE", TRK_RECEIVE },
	{ "SEND", TRK_SEND },
	{ "SENDEXTERNAL", TRK_SEND },
	{ "DELIVER", TRK_DELIVER },
	{ "FAIL", TRK_FAIL },
	{ "DEFER", TRK_DEFER },
	{ "DSN", TRK_DSN },
	{ "RESOLVE", TRK_RESOLVE },
	{ "REDIRECT", TRK_REDIRECT },
	{ "EXPAND", TRK_EXPAND },
	{ "TRANSFER", TRK_TRANSFER },
	{ NULL, TRK_INFO }
};

/* Most recipients split out of one row; a longer list is cut. */
#define TRK_RCPT_MAX	1000

/* One row's common facts. */
struct trk_row {
	struct exch_line	*l;
	enum trk_kind		 kind;
	struct span		 event;
	struct span		 source;
	struct span		 host;
	struct span		 qid;
};

/* trk_key - a look-up key: the server, a kind byte, then the parts. */
static uint64_t
trk_key(const struct trk_row *t, char kind, struct span a, struct span b)
{
	uint64_t	h;
	size_t		i;
	char		c;

	h = msft_hash(0, t->host);
	h = msft_hash(h, (struct span){ &kind, 1 });
	h = msft_hash(h, a);
	h = msft_hash(h, SPAN_LIT("\n"));
	for (i = 0; i < b.n; i++) {
		c = ASCII_TOLOWER(b.p[i]);
		h = msft_hash(h, (struct span){ &c, 1 });
	}
	return (h);
}

/* trk_unbracket - s without one pair of surrounding angle brackets. */
static struct span
trk_unbracket(struct span s)
{
	s = span_trim(s);
	if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>') {
		s.p++;
		s.n -= 2;
	}
	return (s);
}

/* trk_event - an event of type t with the row's common fields. */
static void
trk_event(const struct trk_row *t, struct event *ev, enum ev_type type)
{
	ev_init(ev, type);
	ev->time = t->l->time;
	ev->usec = t->l->usec;
	ev->ref = *t->l->ref;
	ev->host = t->host;
	ev->program = SPAN_LIT("exchange/msgtrk");
	ev->instance = SPAN_LIT("exchange");
	ev->service = SPAN_LIT("msgtrk");
	ev->queue_id = t->qid;
}

/* trk_custom - the value of "S:name=value" in custom-data, or empty. */
static struct span
trk_custom(const struct exch_line *l, const char *name)
{
	struct span	cd = exch_col(l, XC_CUSTOM_DATA), r;
	const char	*p, *end, *q;
	size_t		 n = strlen(name);

	if (cd.p == NULL)
		return (SPAN_NULL);
	end = cd.p + cd.n;

	for (p = cd.p; p != NULL && p < end; ) {
		r = (struct span){ p, (size_t)(end - p) };
		if (span_startswith(r, "S:"))
			r = (struct span){ p + 2, r.n - 2 };
		if (r.n > n && memcmp(r.p, name, n) == 0 && r.p[n] == '=') {
			for (q = r.p + n + 1; q < end && *q != ';'; q++)
				;
			return ((struct span){ r.p + n + 1,
			    (size_t)(q - r.p - n - 1) });
		}
		p = memchr(p, ';', (size_t)(end - p));
		if (p != NULL)
			p++;
	}
	return (SPAN_NULL);
}

/* trk_next - the next ';'-separated item of *rest (trimmed). */
static bool
trk_next(struct span *rest, struct span *item)
{
	const char	*p;

	if (rest->p == NULL || rest->n == 0)
		return (false);
	p = memchr(rest->p, ';', rest->n);
	if (p == NULL) {
		*item = span_trim(*rest);
		*rest = SPAN_NULL;
	} else {
		*item = span_trim((struct span){ rest->p,
		    (size_t)(p - rest->p) });
		rest->n -= (size_t)(p - rest->p) + 1;
		rest->p = p + 1;
	}
	return (true);
}

/* trk_status_start - does a recipient status start at p? */
static bool
trk_status_start(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	if (end - p >= 2 && p[0] == '[' && p[1] == '{')
		return (true);
	return (end - p >= 4 && p[0] >= '2' && p[0] <= '5' &&
	    ASCII_ISDIGIT(p[1]) && ASCII_ISDIGIT(p[2]) &&
	    (p[3] == ' ' || p[3] == '-' || p[3] == '.'));
}

/*
 * trk_status - the status of recipient i of n.  One status for several
 * recipients applies to each of them.
 */
static struct span
trk_status(struct span all, size_t i, size_t n)
{
	const char	*p = all.p, *end, *start = all.p;
	size_t		 k = 0;
	bool		 split = false;

	if (all.p == NULL || all.n == 0 || n <= 1)
		return (span_trim(all));
	end = all.p + all.n;
	for (; p < end; p++)
		if (*p == ';' && trk_status_start(p + 1, end)) {
			split = true;
			if (k == i)
				return (span_trim((struct span){ start,
				    (size_t)(p - start) }));
			k++;
			start = p + 1;
		}
	if (!split || k == i)
		return (span_trim((struct span){ start,
		    (size_t)(end - start) }));
	return (SPAN_NULL);
}

/*
 * trk_reply - the reply in a recipient status: "550 5.1.1 text", or the
 * LED= part of "[{LRT=};{LED=550 5.1.1 text};{FQDN=};{IP=}]".
 */
static void
trk_reply(struct span st, struct msft_reply *r)
{
	const char	*p;
	size_t		 n;

	if ((p = span_find(st, "{LED=")) != NULL) {
		p += 5;
		for (n = 0; p + n < st.p + st.n && p[n] != '}'; n++)
			;
		st = (struct span){ p, n };
	}
	msft_reply_parse(span_trim(st), r);
}

/* trk_count - how many ';'-separated recipients a list has. */
static size_t
trk_count(struct span list)
{
	struct span	item;
	size_t		n = 0;

	while (n < TRK_RCPT_MAX && trk_next(&list, &item))
		if (item.n > 0)
			n++;
	return (n);
}

/* trk_sender - the envelope sender: return-path, else sender-address. */
static struct span
trk_sender(const struct exch_line *l)
{
	struct span	rp = span_trim(exch_col(l, XC_RETURN_PATH));

	if (rp.n > 0)
		return (trk_unbracket(rp));
	return (trk_unbracket(exch_col(l, XC_SENDER_ADDRESS)));
}

/* trk_message - EV_MSGID, EV_MSGINFO and EV_RCPT per recipient. */
static void
trk_message(struct trk_row *t, bool info)
{
	struct exch_line	*l = t->l;
	struct event		 ev;
	struct span		 rest, item, mid;
	int64_t			 v;
	size_t			 n = 0;

	mid = trk_unbracket(exch_col(l, XC_MESSAGE_ID));
	if (info && mid.n > 0) {
		trk_event(t, &ev, EV_MSGID);
		ev.message_id = mid;
		exch_emit(l, &ev);
		exch_tab_put(l->ex->msgids, trk_key(t, 'm', mid, SPAN_NULL),
		    t->qid);
	}
	if (info) {
		trk_event(t, &ev, EV_MSGINFO);
		ev.sender = trk_sender(l);
		if (span_to_i64(exch_col(l, XC_TOTAL_BYTES), &v) == 0 &&
		    v >= 0)
			ev.size = v;
		if (span_to_i64(exch_col(l, XC_RECIPIENT_COUNT), &v) == 0 &&
		    v >= 0)
			ev.nrcpt = v;
		exch_emit(l, &ev);
	}
	rest = exch_col(l, XC_RECIPIENT_ADDRESS);
	while (n < TRK_RCPT_MAX && trk_next(&rest, &item)) {
		if (item.n == 0)
			continue;
		n++;
		trk_event(t, &ev, EV_RCPT);
		ev.rcpt = trk_unbracket(item);
		ev.stage = SPAN_LIT("RECEIVE");
		exch_emit(l, &ev);
	}
}

/*
 * trk_auth - the SASL mechanism and user of the SMTP session a message
 * came in, when its protocol log was read before ("mech\nuser").
 */
static void
trk_auth(struct exch_line *l, struct event *ev)
{
	const char	*a, *nl;

	if (ev->flow == 0 ||
	    (a = exch_tab_get(l->ex->auths, ev->flow)) == NULL ||
	    (nl = strchr(a, '\n')) == NULL)
		return;
	ev->sasl_method = (struct span){ a, (size_t)(nl - a) };
	ev->sasl_user = span_from_cstr(nl + 1);
}

/* trk_receive - a message entered this server's queue. */
static enum parse_result
trk_receive(struct trk_row *t)
{
	struct exch_line	*l = t->l;
	struct event		 ev;
	struct span		 sc, ip, name;
	uint64_t		 seen, flow;
	size_t			 i;

	if (t->qid.n == 0)
		return (PARSE_BAD);
	seen = trk_key(t, 'q', t->qid, SPAN_NULL);
	if (!span_eq_cstr(t->source, "SMTP") &&
	    exch_tab_get(l->ex->msgids, seen) != NULL) {
		trk_message(t, false);
		return (PARSE_OK);
	}
	exch_tab_put(l->ex->msgids, seen, SPAN_LIT("1"));
	if (span_eq_cstr(t->source, "SMTP")) {
		trk_event(t, &ev, EV_CLIENT);
		ip = trk_custom(l, "ProxiedClientIPAddress");
		name = trk_custom(l, "ProxiedClientHostname");
		ev.client_ip = ip.n > 0 ? ip : exch_col(l, XC_CLIENT_IP);
		ev.client_name = name.n > 0 ? name :
		    exch_col(l, XC_CLIENT_HOSTNAME);
		ev.server_ip = exch_col(l, XC_SERVER_IP);
		ev.proto = SPAN_LIT("SMTP");
		ev.text = exch_col(l, XC_CONNECTOR_ID);
		sc = exch_col(l, XC_SOURCE_CONTEXT);
		for (i = 0; i < sc.n && sc.p[i] != ';'; i++)
			;
		if (msft_hex64((struct span){ sc.p, i }, &flow) == 0)
			ev.flow = flow;
		trk_auth(l, &ev);
	} else {
		trk_event(t, &ev, EV_PICKUP);
		ev.sender = trk_sender(l);
		ev.text = t->source;
	}
	exch_emit(l, &ev);
	trk_message(t, true);
	return (PARSE_OK);
}

/* trk_remote - "server-hostname[server-ip]" of a row about a remote. */
static struct span
trk_remote(struct trk_row *t)
{
	struct span	h = exch_col(t->l, XC_SERVER_HOSTNAME);
	struct span	ip = exch_col(t->l, XC_SERVER_IP);

	if (h.n == 0 && ip.n == 0)
		return (SPAN_LIT("none"));
	return (exch_tmp(t->l, h, "[", ip, "]"));
}

/* trk_delivery - one delivery event per recipient of the row. */
static enum parse_result
trk_delivery(struct trk_row *t)
{
	struct exch_line	*l = t->l;
	struct event		 ev;
	struct msft_reply	 rep;
	struct span		 rest, item, st, relay, all;
	const char		*orig;
	size_t			 i = 0, n;

	if (t->qid.n == 0)
		return (PARSE_BAD);
	if (t->kind == TRK_DELIVER)
		relay = exch_short_host(exch_col(l, XC_SERVER_HOSTNAME));
	else if (t->kind == TRK_SEND || span_eq_cstr(t->source, "SMTP"))
		relay = trk_remote(t);
	else
		relay = SPAN_LIT("none");
	if (relay.n == 0)
		relay = SPAN_LIT("none");
	rest = exch_col(l, XC_RECIPIENT_ADDRESS);
	all = exch_col(l, XC_RECIPIENT_STATUS);
	n = trk_count(rest);
	while (i < TRK_RCPT_MAX && trk_next(&rest, &item)) {
		if (item.n == 0)
			continue;
		st = trk_status(all, i++, n);
		trk_reply(st, &rep);
		trk_event(t, &ev, EV_DELIVERY);
		ev.rcpt = trk_unbracket(item);
		orig = exch_tab_get(l->ex->origs, trk_key(t, 'o', t->qid,
		    ev.rcpt));
		if (orig != NULL)
			ev.orig_rcpt = span_from_cstr(orig);
		ev.relay = relay;
		ev.reply_code = rep.code;
		ev.dsn = rep.dsn;
		ev.text = st;
		switch (t->kind) {
		case TRK_FAIL:
			ev.status = SPAN_LIT("bounced");
			break;
		case TRK_DEFER:
			ev.status = SPAN_LIT("deferred");
			break;
		default:
			ev.status = rep.code >= 500 ? SPAN_LIT("bounced") :
			    rep.code >= 400 ? SPAN_LIT("deferred") :
			    SPAN_LIT("sent");
			break;
		}
		exch_emit(l, &ev);
	}
	return (PARSE_OK);
}

/* trk_id - an internal id, or the internal id of a message-id. */
static struct span
trk_id(struct trk_row *t, struct span ref)
{
	const char	*id;
	int64_t		 v;

	ref = trk_unbracket(ref);
	if (ref.n == 0 || span_to_i64(ref, &v) == 0)
		return (ref);
	id = exch_tab_get(t->l->ex->msgids, trk_key(t, 'm', ref, SPAN_NULL));
	return (id != NULL ? span_from_cstr(id) : ref);
}

/* trk_dsn - the server made a delivery status notification. */
static enum parse_result
trk_dsn(struct trk_row *t)
{
	struct exch_line	*l = t->l;
	struct event		 ev;
	struct span		 parent;

	if (t->qid.n == 0)
		return (PARSE_BAD);
	parent = trk_id(t, exch_col(l, XC_REFERENCE));
	trk_event(t, &ev, EV_BOUNCE);
	if (parent.n > 0) {
		ev.queue_id = parent;
		ev.new_queue_id = t->qid;
	}
	ev.text = exch_tmp(l, SPAN_LIT("DSN"), " ",
	    exch_col(l, XC_SOURCE_CONTEXT), NULL);
	exch_emit(l, &ev);
	exch_tab_put(l->ex->msgids, trk_key(t, 'q', t->qid, SPAN_NULL),
	    SPAN_LIT("1"));
	trk_message(t, true);
	return (PARSE_OK);
}

/*
 * trk_resolve - RESOLVE (recipient-address is what related-recipient-
 * address resolved to), REDIRECT (the other way round) and EXPAND (a
 * group in related-recipient-address to its members): remember where
 * each new address came from, through earlier steps too.
 */
static enum parse_result
trk_resolve(struct trk_row *t)
{
	struct exch_line	*l = t->l;
	struct event		 ev;
	struct span		 rest, item, from, to;
	const char		*o;
	size_t			 n = 0;

	if (t->kind == TRK_REDIRECT) {
		from = trk_unbracket(exch_col(l, XC_RECIPIENT_ADDRESS));
		rest = exch_col(l, XC_RELATED_RECIPIENT_ADDRESS);
	} else {
		from = trk_unbracket(exch_col(l, XC_RELATED_RECIPIENT_ADDRESS));
		rest = exch_col(l, XC_RECIPIENT_ADDRESS);
	}
	o = exch_tab_get(l->ex->origs, trk_key(t, 'o', t->qid, from));
	/* Copied: a full table is emptied below. */
	if (o != NULL)
		from = exch_tmp(l, span_from_cstr(o), NULL, SPAN_NULL, NULL);
	trk_event(t, &ev, EV_INFO);
	ev.orig_rcpt = from;
	ev.text = t->event;
	while (n < TRK_RCPT_MAX && trk_next(&rest, &item)) {
		to = trk_unbracket(item);
		if (to.n == 0)
			continue;
		if (n++ == 0)
			ev.rcpt = to;
		if (t->qid.n > 0 && from.n > 0 && !span_caseeq(from, to))
			exch_tab_put(l->ex->origs, trk_key(t, 'o', t->qid, to),
			    from);
	}
	exch_emit(l, &ev);
	return (PARSE_OK);
}

/* trk_info - a row that is evidence but no delivery fact. */
static enum parse_result
trk_info(struct trk_row *t)
{
	struct event	ev;

	trk_event(t, &ev, EV_INFO);
	ev.text = t->event;
	ev.stage = t->source;
	exch_emit(t->l, &ev);
	return (PARSE_OK);
}

/*
 * trk_transfer - recipients moved to a forked message: events of the
 * fork (internal-message-id) go to the message it came from (reference).
 */
static enum parse_result
trk_transfer(struct trk_row *t)
{
	struct exch_line	*l = t->l;
	struct span		 ref;
	const char		*root;
	int64_t			 v;

	ref = trk_unbracket(exch_col(l, XC_REFERENCE));
	if (t->qid.n > 0 && ref.n > 0 && span_to_i64(ref, &v) == 0 &&
	    !span_eq(ref, t->qid)) {
		root = exch_tab_get(l->ex->links, trk_key(t, 'l', ref,
		    SPAN_NULL));
		if (root != NULL)
			ref = exch_tmp(l, span_from_cstr(root), NULL,
			    SPAN_NULL, NULL);
		exch_tab_put(l->ex->links, trk_key(t, 'l', t->qid, SPAN_NULL),
		    ref);
		t->qid = ref;
	}
	return (trk_info(t));
}

/* trk_host - the server that wrote the row, by who is local in it. */
static struct span
trk_host(const struct trk_row *t)
{
	struct span	c = exch_col(t->l, XC_CLIENT_HOSTNAME);
	struct span	s = exch_col(t->l, XC_SERVER_HOSTNAME);
	bool		client;

	client = t->kind == TRK_SEND || t->kind == TRK_DELIVER ||
	    t->kind == TRK_DEFER || (t->kind == TRK_FAIL &&
	    span_eq_cstr(t->source, "SMTP")) ||
	    span_eq_cstr(t->event, "DUPLICATEDELIVER");
	if (client)
		return (exch_short_host(c.n > 0 ? c : s));
	return (exch_short_host(s.n > 0 ? s : c));
}

/*
 * exch_msgtrk_row - one message tracking row (columns already split and
 * the time parsed) into events.
 */
enum parse_result
exch_msgtrk_row(struct exch_line *l)
{
	struct trk_row	 t;
	const char	*root;
	size_t		 i;

	memset(&t, 0, sizeof(t));
	t.l = l;
	t.event = exch_col(l, XC_EVENT_ID);
	t.source = exch_col(l, XC_SOURCE);
	if (t.event.n == 0 || t.event.n > 32)
		return (PARSE_BAD);
	for (i = 0; i < t.event.n; i++)
		if (t.event.p[i] < 'A' || t.event.p[i] > 'Z')
			return (PARSE_BAD);
	t.kind = TRK_INFO;
	for (i = 0; trk_events[i].name != NULL; i++)
		if (span_eq_cstr(t.event, trk_events[i].name)) {
			t.kind = trk_events[i].kind;
			break;
		}
	t.host = trk_host(&t);
	t.qid = span_trim(exch_col(l, XC_INTERNAL_MESSAGE_ID));
	if (t.qid.n > 0 && t.kind != TRK_TRANSFER &&
	    (root = exch_tab_get(l->ex->links, trk_key(&t, 'l', t.qid,
	    SPAN_NULL))) != NULL)
		t.qid = exch_tmp(l, span_from_cstr(root), NULL, SPAN_NULL,
		    NULL);
	switch (t.kind) {
	case TRK_RECEIVE:
		return (trk_receive(&t));
	case TRK_SEND:
	case TRK_DELIVER:
	case TRK_FAIL:
	case TRK_DEFER:
		return (trk_delivery(&t));
	case TRK_DSN:
		return (trk_dsn(&t));
	case TRK_RESOLVE:
	case TRK_REDIRECT:
	case TRK_EXPAND:
		return (trk_resolve(&t));
	case TRK_TRANSFER:
		return (trk_transfer(&t));
	default:
		return (trk_info(&t));
	}
}
