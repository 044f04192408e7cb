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
 * Postfix policy and content actions: the lines smtpd, postscreen and
 * cleanup write when an access rule, a milter or a header/body check acts.
 *
 *  smtpd	QID: reject: RCPT from name[addr]: 554 5.7.1 <x@y>: Relay
 *		access denied; from=<a@b> to=<x@y> proto=ESMTP helo=<h>
 *  postscreen	NOQUEUE: reject: RCPT from [addr]:port: 550 5.7.1 Service
 *		unavailable; client [addr] blocked using zen.spamhaus.org;
 *		from=<a@b>, to=<x@y>, proto=ESMTP, helo=<h>
 *  cleanup	QID: milter-reject: END-OF-MESSAGE from name[addr]: 5.7.1
 *		text; from=<a@b> to=<x@y> proto=ESMTP helo=<h>
 *  cleanup	QID: reject: header Subject: text from name[addr];
 *		from=<a@b> to=<x@y> proto=ESMTP helo=<h>: 550 5.7.1 text
 *
 * Every field after "from=<" is optional (a CONNECT reject has only
 * proto=).  Sender, recipient, HELO and the reply (which echoes one of
 * them) are the client's bytes and may contain "> ", "; to=<" and the
 * like, so the fields are found from the structure:
 *
 *  - proto= is a plain word: the last " proto=WORD" followed by the end,
 *    by " helo=" or (cleanup) by ": " ends the sender and recipient part;
 *    the HELO name is everything between "helo=<" and the final ">".
 *  - the reply ends at a "; from=<" or "; to=<"; where several splits fit,
 *    the first whose reply echoes the sender, recipient or HELO name as
 *    "<value>: " wins, else the first.
 *
 * A line cut short still yields what it holds; the fields it lost are
 * empty.
 */

#include "config.h"

#include <string.h>

#include "postfix_int.h"

/* Splits tried per line at most: bounds work on hostile lines. */
#define PF_SPLIT_MAX	64

/* Actions and the event each becomes. */
static const struct pf_action_type {
	const char	*word;
	enum ev_type	 type;
} pf_actions[] = {
	{ "reject", EV_REJECT },
	{ "milter-reject", EV_REJECT },
	{ "proxy-reject", EV_REJECT },
	{ "reject_warning", EV_WARNING },
	{ "warn", EV_WARNING },
	{ "warning", EV_WARNING },
	{ "info", EV_INFO },
	{ "discard", EV_INFO },
	{ "milter-discard", EV_INFO },
	{ "hold", EV_INFO },
	{ "milter-hold", EV_INFO },
	{ "filter", EV_INFO },
	{ "redirect", EV_INFO },
	{ "replace", EV_INFO },
	{ "prepend", EV_INFO },
	{ "strip", EV_INFO },
	{ "bcc", EV_INFO },
	{ "proxy-accept", EV_INFO },
	{ NULL, 0 }
};

/* Classes of cleanup content checks. */
static const char *const pf_content_classes[] = {
	"header ", "body ", "content ", "mime-header ", "nested-header ", NULL
};

/* span_at - s from offset i on. */
static struct span
span_at(struct span s, size_t i)
{
	s.p += i;
	s.n -= i;
	return (s);
}

/* span_head - the first n bytes of s. */
static struct span
span_head(struct span s, size_t n)
{
	s.n = n;
	return (s);
}

/* at - does s hold str at offset i? */
static bool
at(struct span s, size_t i, const char *str)
{
	size_t	n = strlen(str);

	return (i <= s.n && s.n - i >= n && memcmp(s.p + i, str, n) == 0);
}

/* trim_seps - s without trailing spaces and commas. */
static struct span
trim_seps(struct span s)
{
	while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == ','))
		s.n--;
	return (s);
}

/*
 * action_type - the table entry of an action word.  Milter and header
 * check variants ("milter-header-redirect") go by their last part.
 */
static const struct pf_action_type *
action_type(struct span w)
{
	const struct pf_action_type	*t;
	bool				 again;

	do {
		for (t = pf_actions; t->word != NULL; t++)
			if (span_eq_cstr(w, t->word))
				return (t);
		again = false;
		if (span_startswith(w, "milter-") ||
		    span_startswith(w, "header-") ||
		    span_startswith(w, "body-")) {
			while (w.p[0] != '-')
				w = span_at(w, 1);
			w = span_at(w, 1);
			again = true;
		}
	} while (again);
	return (NULL);
}

/*
 * pf_action_word - does body start with an action word and ": "?  Sets
 * word and the rest after ": ".
 */
bool
pf_action_word(struct span body, struct span *word, struct span *rest)
{
	size_t	i;

	for (i = 0; i < body.n && i < 40 && ((body.p[i] >= 'a' &&
	    body.p[i] <= 'z') || body.p[i] == '-' || body.p[i] == '_'); i++)
		;
	if (i == 0 || !at(body, i, ": ") ||
	    action_type(span_head(body, i)) == NULL)
		return (false);
	*word = span_head(body, i);
	*rest = span_at(body, i + 2);
	return (true);
}

/*
 * last_field - v is the value of the last field and its closing '>'.
 * strict: the '>' must be there; else a value cut short is taken whole.
 */
static bool
last_field(struct span v, bool strict, struct span *out)
{
	if (v.n > 0 && v.p[v.n - 1] == '>') {
		*out = span_head(v, v.n - 1);
		return (true);
	}
	if (strict)
		return (false);
	*out = v;
	return (true);
}

/*
 * sr_parse - "from=<S> to=<R>", "from=<S>" or "to=<R>" filling t, with
 * " " or ", " between, split the k-th way (the sender ending at the k-th
 * "> to=<" that fits, the last way being sender only).  false when there
 * is no k-th way.
 */
static bool
sr_parse(struct span t, bool strict, int k, struct span *s, struct span *r)
{
	struct span	v;
	size_t		i;
	int		n = 0;

	*s = *r = SPAN_NULL;
	if (at(t, 0, "to=<"))
		return (k == 0 && last_field(span_at(t, 4), strict, r));
	if (!at(t, 0, "from=<"))
		return (false);
	v = span_at(t, 6);
	for (i = 0; i < v.n; i++) {
		if (v.p[i] != '>')
			continue;
		if (at(v, i + 1, " to=<") && n++ == k) {
			*s = span_head(v, i);
			return (last_field(span_at(v, i + 6), strict, r));
		}
		if (at(v, i + 1, ", to=<") && n++ == k) {
			*s = span_head(v, i);
			return (last_field(span_at(v, i + 7), strict, r));
		}
	}
	return (n == k && last_field(v, strict, s));
}

/* echoes - does the reply text start with "<v>" for one of the values? */
static bool
echoes(struct span reply, const struct pf_action *a)
{
	const struct span	*vals[3] = { &a->rcpt, &a->sender, &a->helo };
	struct span		 dsn, text;
	int			 code, i;

	pf_reply(reply, &code, &dsn, &text);
	if (text.n == 0 || text.p[0] != '<')
		return (true);
	for (i = 0; i < 3; i++) {
		if (vals[i]->p == NULL)
			continue;
		if (text.n >= vals[i]->n + 2 &&
		    memcmp(text.p + 1, vals[i]->p, vals[i]->n) == 0 &&
		    text.p[vals[i]->n + 1] == '>')
			return (true);
	}
	return (false);
}

/*
 * proto_anchor - the last " proto=WORD" in s that follows a field or the
 * ';' and is followed by the end, " helo=", ", helo=" or (content) ": ".
 * Returns its offset (of "proto="), or s.n if none; *end is after WORD.
 */
static size_t
proto_anchor(struct span s, bool content, size_t *end)
{
	size_t	i, j;
	char	prev;

	for (i = s.n; i-- > 0;) {
		if (!at(s, i, "proto=") || i == 0 || s.p[i - 1] != ' ')
			continue;
		prev = i >= 2 ? s.p[i - 2] : ';';
		if (prev != '>' && prev != ';' && prev != ',')
			continue;
		for (j = i + 6; j < s.n && (ASCII_ISALPHA(s.p[j]) ||
		    ASCII_ISDIGIT(s.p[j])); j++)
			;
		if (j == i + 6)
			continue;
		if (j == s.n || at(s, j, " helo=") || at(s, j, ", helo=") ||
		    (content && at(s, j, ": "))) {
			*end = j;
			return (i);
		}
	}
	return (s.n);
}

/* helo_value - after "helo=": the value without its "<" and final ">". */
static struct span
helo_value(struct span v)
{
	if (v.n > 0 && v.p[0] == '<')
		v = span_at(v, 1);
	if (v.n > 0 && v.p[v.n - 1] == '>')
		v.n--;
	return (v);
}

/*
 * tail_proto - from the proto anchor of s on: proto, HELO and, for a
 * content line, the reply after it.  Returns the part before the anchor,
 * or s itself (and *strict false) when there is no anchor.
 */
static struct span
tail_proto(struct span s, bool content, struct pf_action *a, bool *strict)
{
	struct span	rest, v;
	size_t		i, end, k;

	if ((i = proto_anchor(s, content, &end)) == s.n) {
		*strict = false;
		return (s);
	}
	*strict = true;
	a->proto = span_head(span_at(s, i + 6), end - i - 6);
	rest = span_at(s, end);
	if (at(rest, 0, ","))
		rest = span_at(rest, 1);
	if (at(rest, 0, " helo=")) {
		v = span_at(rest, 6);
		if (content) {
			for (k = v.n; k-- > 0;)
				if (at(v, k, ">: "))
					break;
			if (k != (size_t)-1) {
				a->reply = span_at(v, k + 3);
				v = span_head(v, k + 1);
			}
		}
		a->helo = helo_value(v);
	} else if (content && at(rest, 0, ": "))
		a->reply = span_at(rest, 2);
	return (trim_seps(span_head(s, i)));
}

/*
 * tail_smtpd - "REPLY; from=<S> to=<R> proto=P helo=<H>" into a, as the
 * file comment describes.
 */
static void
tail_smtpd(struct span s, struct pf_action *a)
{
	struct pf_action	 first, try;
	struct span		 l;
	bool			 strict, have = false;
	size_t			 j;
	int			 k, tries = 0;

	l = tail_proto(s, false, a, &strict);
	first = *a;
	for (j = 0; j < l.n && tries < PF_SPLIT_MAX; j++) {
		if (l.p[j] != ';')
			continue;
		if (j + 1 == l.n && strict) {
			try = *a;
			try.reply = span_head(l, j);
			if (!have)
				first = try;
			have = true;
			if (echoes(try.reply, &try)) {
				*a = try;
				return;
			}
			continue;
		}
		if (!at(l, j + 1, " from=<") && !at(l, j + 1, " to=<"))
			continue;
		for (k = 0; tries < PF_SPLIT_MAX; k++, tries++) {
			try = *a;
			if (!sr_parse(span_at(l, j + 2), strict, k, &try.sender,
			    &try.rcpt))
				break;
			try.reply = span_head(l, j);
			if (!have)
				first = try;
			have = true;
			if (echoes(try.reply, &try)) {
				*a = try;
				return;
			}
		}
	}
	if (have) {
		*a = first;
		return;
	}
	if (l.n > 0 && l.p[l.n - 1] == ';')
		l.n--;
	a->reply = l;
}

/*
 * content_client - in "CLASS TEXT from CLIENT; ...", the offset of the
 * first " from " followed by a client (or "local", "unknown"), ';' and
 * the start of the fields, or of nothing.  TEXT is a header or body line
 * and may itself hold " from x[y];".
 */
static size_t
content_client(struct span s, struct pf_action *a)
{
	struct event	ev;
	struct span	tok;
	size_t		i, j;

	for (i = 0; i < s.n; i++) {
		if (!at(s, i, " from "))
			continue;
		for (j = i + 6; j < s.n && s.p[j] != ';' && s.p[j] != ' '; j++)
			;
		if (j == s.n || s.p[j] != ';')
			continue;
		if (j + 1 < s.n && !at(s, j + 1, " from=<") &&
		    !at(s, j + 1, " to=<") && !at(s, j + 1, " proto=") &&
		    !at(s, j + 1, " helo=") && !at(s, j + 1, ": "))
			continue;
		tok = span_head(span_at(s, i + 6), j - i - 6);
		if (pf_client(tok, &ev) || span_eq_cstr(tok, "local") ||
		    span_eq_cstr(tok, "unknown")) {
			a->client = tok;
			return (i);
		}
	}
	return (s.n);
}

/*
 * tail_content - "header TEXT from CLIENT; from=<S> to=<R> proto=P
 * helo=<H>: REPLY" into a; *what is TEXT.
 */
static bool
tail_content(struct span s, struct pf_action *a, struct span *what)
{
	struct span	t, l;
	size_t		i, cls;
	bool		strict;

	for (i = 0; pf_content_classes[i] != NULL; i++)
		if (at(s, 0, pf_content_classes[i]))
			break;
	if (pf_content_classes[i] == NULL)
		return (false);
	cls = strlen(pf_content_classes[i]);
	a->stage = span_head(s, cls - 1);
	if ((i = content_client(s, a)) == s.n || i < cls - 1)
		return (false);
	*what = i > cls ? span_head(span_at(s, cls), i - cls) : SPAN_NULL;
	t = span_at(s, i + 6 + a->client.n + 1);

	l = tail_proto(t, true, a, &strict);
	if (!strict) {
		for (i = l.n; i-- > 0;)
			if (at(l, i, ">: "))
				break;
		if (i != (size_t)-1) {
			a->reply = span_at(l, i + 3);
			l = span_head(l, i + 1);
			strict = true;
		} else if (at(l, 0, ": ")) {
			a->reply = span_at(l, 2);
			l = span_head(l, 0);
		}
	}
	while (l.n > 0 && l.p[0] == ' ')
		l = span_at(l, 1);
	if (l.n > 0)
		(void)sr_parse(l, strict, 0, &a->sender, &a->rcpt);
	return (true);
}

/*
 * pf_action - one action line, word being the action and rest what
 * follows "word: ".  Emits EV_REJECT for rejections, EV_WARNING for
 * reject_warning and warn, EV_INFO for the others; all carry the action
 * word as status.  Returns PARSE_BAD if rest has neither shape.
 */
enum parse_result
pf_action(const struct pf_ctx *c, struct span word, struct span rest)
{
	const struct pf_action_type	*t;
	struct pf_action		 a;
	struct rx_match			 m;
	struct event			 ev;
	struct span			 what = SPAN_NULL, dsn, text;
	int				 code;

	if ((t = action_type(word)) == NULL)
		return (PARSE_BAD);
	memset(&a, 0, sizeof(a));
	pf_event(c, &ev, t->type);

	if (tail_content(rest, &a, &what)) {
		if (a.client.n > 0)
			(void)pf_client(a.client, &ev);
	} else {
		if (span_eq_cstr(word, "warning") ||
		    !pf_match(c, PF_RX_ACTION, rest, &m))
			return (PARSE_BAD);
		a.stage = pf_group(c, PF_RX_ACTION, &m, "stage");
		a.client = pf_group(c, PF_RX_ACTION, &m, "client");
		if (a.client.p != NULL && !pf_client(a.client, &ev))
			return (PARSE_BAD);
		tail_smtpd(pf_group(c, PF_RX_ACTION, &m, "rest"), &a);
	}
	pf_reply(a.reply, &code, &dsn, &text);
	ev.stage = a.stage;
	ev.reply_code = code;
	ev.dsn = dsn;
	ev.text = text.n > 0 || what.p == NULL ? text : what;
	ev.sender = a.sender;
	ev.rcpt = a.rcpt;
	ev.proto = a.proto;
	ev.helo = a.helo;
	ev.status = word;
	pf_emit(c, &ev);
	return (PARSE_OK);
}
