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
 * Postfix smtpd and postscreen messages: the session side.  connect and
 * disconnect, "QID: client=" (with the SASL login), SASL failures, TLS,
 * the ways a session ends early, and the policy actions (handed to
 * postfix_action.c).  The client in "name[addr]" is written by Postfix
 * from a verified name and a numeric address, so it is parsed strictly;
 * the text around it may be the client's.
 */

#include "config.h"

#include <string.h>

#include "postfix_int.h"

/* smtpd messages that are notes: understood, no evidence of their own. */
static const char *const smtpd_notes[] = {
	"setting up TLS connection from ", "SSL_accept error from ",
	"discarding EHLO keywords", "TLS SNI ", "client certificate ",
	"connect to ", "proxy-", "Connection concurrency limit",
	"Connection rate limit", "abort: ", "sending ",
	"hostname ", "lost connection ",
	"Anonymous TLS connection established to ",
	"Untrusted TLS connection established to ",
	"Trusted TLS connection established to ",
	"Verified TLS connection established to ", NULL
};

/* "QID: client=..." keys, in the order Postfix writes them. */
static const char *const smtpd_client_keys[] = {
	", sasl_method=", ", sasl_username=", ", sasl_sender=",
	", orig_queue_id=", ", orig_client=", NULL
};
#define KEY_METHOD	0
#define KEY_USERNAME	1
#define KEY_NKEYS	5

/* sp_at - s from offset i on. */
static struct span
sp_at(struct span s, size_t i)
{
	s.p += i;
	s.n -= i;
	return (s);
}

/* sp_off - offset of p, a pointer into s. */
static size_t
sp_off(struct span s, const char *p)
{
	return ((size_t)(p - s.p));
}

/* key_at - the index of the key (from first on) at offset i of v, or -1. */
static int
key_at(struct span v, size_t i, int first)
{
	size_t	n;
	int	k;

	for (k = first; smtpd_client_keys[k] != NULL; k++) {
		n = strlen(smtpd_client_keys[k]);
		if (v.n - i >= n &&
		    memcmp(v.p + i, smtpd_client_keys[k], n) == 0)
			return (k);
	}
	return (-1);
}

/*
 * smtpd_client - "client=name[addr][, sasl_method=M, sasl_username=U]
 * [, sasl_sender=S][, orig_queue_id=Q, orig_client=C]".  A value runs to
 * the next key that may follow it.  EV_CLIENT; with NOQUEUE, EV_AUTH if
 * there is a SASL login and EV_INFO if not.
 */
static enum parse_result
smtpd_client(const struct pf_ctx *c)
{
	struct span	v, vals[KEY_NKEYS];
	struct event	ev;
	size_t		i, e, start;
	int		k;

	memset(vals, 0, sizeof(vals));
	v = pf_after(c->body, "client=");
	for (e = 0; e < v.n && !(v.p[e] == ',' && e + 1 < v.n &&
	    v.p[e + 1] == ' '); e++)
		;
	pf_event(c, &ev, EV_CLIENT);
	if (!pf_client((struct span){ v.p, e }, &ev))
		return (PARSE_BAD);
	for (i = e, k = 0; i < v.n;) {
		if ((k = key_at(v, i, k)) == -1)
			break;
		start = i + strlen(smtpd_client_keys[k]);
		for (i = start; i < v.n; i++)
			if (v.p[i] == ',' && key_at(v, i, k + 1) != -1)
				break;
		vals[k].p = v.p + start;
		vals[k].n = i - start;
		k++;
	}
	ev.sasl_method = vals[KEY_METHOD];
	ev.sasl_user = vals[KEY_USERNAME];
	/* NOQUEUE (a before-queue proxy): no message, only a session. */
	if (c->qid.n == 0) {
		ev.type = ev.sasl_user.p != NULL ? EV_AUTH : EV_INFO;
		if (ev.type == EV_INFO)
			ev.text = c->body;
	}
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * smtpd_connect - "connect from name[addr]" (or with ":port"); anything
 * after a space is ignored.
 */
static enum parse_result
smtpd_connect(const struct pf_ctx *c, struct span v)
{
	struct event	 ev;
	const char	*sp;

	if ((sp = memchr(v.p, ' ', v.n)) != NULL)
		v.n = sp_off(v, sp);
	pf_event(c, &ev, EV_CONNECT);
	if (!pf_client(v, &ev))
		return (PARSE_BAD);
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/* smtpd_disconnect - "disconnect from name[addr] ehlo=1 ... commands=5". */
static enum parse_result
smtpd_disconnect(const struct pf_ctx *c, struct span v)
{
	struct event	 ev;
	const char	*sp;
	struct span	 tok = v;

	pf_event(c, &ev, EV_DISCONNECT);
	if ((sp = memchr(v.p, ' ', v.n)) != NULL) {
		tok.n = sp_off(v, sp);
		ev.counters = span_trim(sp_at(v, tok.n + 1));
	}
	if (!pf_client(tok, &ev))
		return (PARSE_BAD);
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * smtpd_after - "lost connection after STAGE from CLIENT", "timeout
 * after", "too many errors after", "improper command pipelining after
 * STAGE from CLIENT: rest".  STAGE is the command word.
 */
static enum parse_result
smtpd_after(const struct pf_ctx *c, struct span v, enum ev_type t)
{
	struct event	 ev;
	const char	*from;
	size_t		 i;

	pf_event(c, &ev, t);
	for (i = 0; i < v.n && v.p[i] != ' '; i++)
		;
	ev.stage = (struct span){ v.p, i };
	if ((from = span_find(v, " from ")) == NULL ||
	    !pf_client_find(sp_at(v, sp_off(v, from) + 6), &ev))
		return (PARSE_BAD);
	ev.text = c->body;
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * smtpd_sasl_fail - "warning: CLIENT: SASL METHOD authentication failed:
 * REASON[, sasl_username=USER]".  Returns PARSE_SKIP if v is another
 * warning.
 */
static enum parse_result
smtpd_sasl_fail(const struct pf_ctx *c, struct span v)
{
	struct event	 ev;
	const char	*p, *u;
	struct span	 w;
	size_t		 i;

	if ((p = span_find(v, ": SASL ")) == NULL)
		return (PARSE_SKIP);
	pf_event(c, &ev, EV_AUTH_FAIL);
	if (!pf_client((struct span){ v.p, sp_off(v, p) }, &ev))
		return (PARSE_SKIP);
	w = sp_at(v, sp_off(v, p) + 7);
	for (i = 0; i < w.n && w.p[i] != ' '; i++)
		;
	ev.sasl_method = (struct span){ w.p, i };
	w = sp_at(w, i);
	if (!span_startswith(w, " authentication failed"))
		return (PARSE_SKIP);
	w = pf_after(w, " authentication failed");
	if (span_startswith(w, ":"))
		w = sp_at(w, 1);
	if (span_startswith(w, " "))
		w = sp_at(w, 1);
	if ((u = span_find(w, ", sasl_username=")) != NULL) {
		ev.sasl_user = sp_at(w, sp_off(w, u) + 16);
		w.n = sp_off(w, u);
	}
	ev.text = w;
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * smtpd_tls - "[Anonymous |Untrusted |Trusted |Verified ]TLS connection
 * established from CLIENT: TLSv1.3 with cipher ...".
 */
static enum parse_result
smtpd_tls(const struct pf_ctx *c, const char *p)
{
	struct event	 ev;
	struct span	 v;
	const char	*colon;

	pf_event(c, &ev, EV_TLS);
	v = sp_at(c->body, sp_off(c->body, p) +
	    strlen("TLS connection established from "));
	if (!pf_client_find(v, &ev))
		return (PARSE_BAD);
	if ((colon = span_find(v, "]: ")) != NULL)
		ev.text = sp_at(v, sp_off(v, colon) + 3);
	else if ((colon = span_find(v, ": ")) != NULL)
		ev.text = sp_at(v, sp_off(v, colon) + 2);
	pf_emit(c, &ev);
	return (PARSE_OK);
}

/* pf_smtpd - one smtpd message. */
enum parse_result
pf_smtpd(const struct pf_ctx *c)
{
	struct span	 b = c->body, word, rest;
	const char	*p;
	size_t		 i;

	if (c->has_qid && span_startswith(b, "client="))
		return (smtpd_client(c));
	if (pf_action_word(b, &word, &rest) && !span_eq_cstr(word, "warning"))
		return (pf_action(c, word, rest));
	if (span_startswith(b, "connect from "))
		return (smtpd_connect(c, pf_after(b, "connect from ")));
	if (span_startswith(b, "disconnect from "))
		return (smtpd_disconnect(c, pf_after(b, "disconnect from ")));
	if (span_startswith(b, "lost connection after "))
		return (smtpd_after(c, pf_after(b, "lost connection after "),
		    EV_INFO));
	if (span_startswith(b, "timeout after "))
		return (smtpd_after(c, pf_after(b, "timeout after "), EV_INFO));
	if (span_startswith(b, "too many errors after "))
		return (smtpd_after(c, pf_after(b, "too many errors after "),
		    EV_INFO));
	if (span_startswith(b, "bare <LF> received after "))
		return (smtpd_after(c, pf_after(b, "bare <LF> received after "),
		    EV_WARNING));
	if (span_startswith(b, "improper command pipelining after "))
		return (smtpd_after(c,
		    pf_after(b, "improper command pipelining after "),
		    EV_WARNING));
	if (span_startswith(b, "warning: ") &&
	    smtpd_sasl_fail(c, pf_after(b, "warning: ")) == PARSE_OK)
		return (PARSE_OK);
	if ((p = span_find(b, "TLS connection established from ")) != NULL)
		return (smtpd_tls(c, p));
	if (pf_severity(b))
		return (pf_note(c, EV_WARNING, true));
	for (i = 0; smtpd_notes[i] != NULL; i++)
		if (span_startswith(b, smtpd_notes[i]))
			return (pf_note(c, EV_INFO, true));
	return (PARSE_BAD);
}

/* pf_postscreen - one postscreen message. */
enum parse_result
pf_postscreen(const struct pf_ctx *c)
{
	struct span	 b = c->body, word, rest, tok;
	struct event	 ev;
	const char	*to;

	if (span_startswith(b, "CONNECT from ")) {
		tok = pf_after(b, "CONNECT from ");
		if ((to = span_find(tok, " to ")) != NULL)
			tok.n = sp_off(tok, to);
		pf_event(c, &ev, EV_CONNECT);
		if (!pf_client(tok, &ev))
			return (PARSE_BAD);
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (span_startswith(b, "DISCONNECT ")) {
		pf_event(c, &ev, EV_DISCONNECT);
		if (!pf_client(span_trim(pf_after(b, "DISCONNECT ")), &ev))
			return (PARSE_BAD);
		pf_emit(c, &ev);
		return (PARSE_OK);
	}
	if (c->has_qid && pf_action_word(b, &word, &rest) &&
	    !span_eq_cstr(word, "warning"))
		return (pf_action(c, word, rest));
	if (pf_severity(b))
		return (pf_note(c, EV_WARNING, true));
	if ((b.p[0] >= 'A' && b.p[0] <= 'Z') || span_startswith(b, "cache "))
		return (pf_note(c, EV_INFO, true));
	return (PARSE_BAD);
}
