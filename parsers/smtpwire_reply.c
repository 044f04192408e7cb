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
 * SMTP on the wire: the server's replies.  Reply lines ("250-...",
 * "250 ...") are put together into one reply, which answers the oldest
 * command waiting (RFC 2920); the verb's reply handler then emits the
 * command's event with the reply's code, enhanced status code and text.
 * A handler called with no reply (NULL) emits the event with reply_code
 * 0: the connection ended or the thread was lost first.  The queue id of
 * an accepted message is taken from the reply forms the common MTAs use
 * (sw_qid_forms[]).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpwire_int.h"

static struct span	 sw_qid_queued(struct span);
static struct span	 sw_qid_internal(struct span);
static struct span	 sw_qid_exim(struct span);
static struct span	 sw_qid_accepted(struct span);
static struct span	 sw_qid_msgid(struct span);

/* Queue ids in accepting replies, tried in this order. */
static const struct {
	const char	*mta;
	struct span	 (*find)(struct span);
} sw_qid_forms[] = {
	{ "Postfix, generic: queued as X", sw_qid_queued },
	{ "Exchange: [InternalId=N", sw_qid_internal },
	{ "Exim: OK id=X", sw_qid_exim },
	{ "Sendmail, OpenSMTPD: X Message accepted", sw_qid_accepted },
	{ "Exchange: <msgid> Queued mail for delivery", sw_qid_msgid },
};

/* The order Postfix gives its disconnect counters in. */
static const struct {
	enum sw_verb	 verb;
	const char	*name;
} sw_counter_names[] = {
	{ SW_V_HELO, "helo" }, { SW_V_EHLO, "ehlo" },
	{ SW_V_XCLIENT, "xclient" }, { SW_V_XFORWARD, "xforward" },
	{ SW_V_STARTTLS, "starttls" }, { SW_V_AUTH, "auth" },
	{ SW_V_MAIL, "mail" }, { SW_V_RCPT, "rcpt" }, { SW_V_DATA, "data" },
	{ SW_V_BDAT, "bdat" }, { SW_V_RSET, "rset" }, { SW_V_NOOP, "noop" },
	{ SW_V_VRFY, "vrfy" }, { SW_V_EXPN, "expn" }, { SW_V_HELP, "help" },
	{ SW_V_ETRN, "etrn" }, { SW_V_QUIT, "quit" },
	{ SW_V_UNKNOWN, "unknown" },
};

/* sw_reply_like - a reply line: three digits, then SP, '-' or the end. */
bool
sw_reply_like(struct span line)
{
	return (line.n >= 3 && line.p[0] >= '1' && line.p[0] <= '5' &&
	    ASCII_ISDIGIT(line.p[1]) && ASCII_ISDIGIT(line.p[2]) &&
	    (line.n == 3 || line.p[3] == ' ' || line.p[3] == '-'));
}

/* sw_reply_reset - ready for the next reply. */
void
sw_reply_reset(struct sw_reply *r)
{
	r->code = 0;
	r->nlines = 0;
	r->dropped = 0;
	r->dsn[0] = '\0';
	buf_reset(&r->lines);
	buf_reset(&r->text);
}

/*
 * sw_dsn - an enhanced status code (RFC 3463) of the reply's class at the
 * start of *text: copied to out (if any) and skipped.
 */
static void
sw_dsn(struct span *text, int code, char *out, size_t outlen)
{
	size_t	i = 0, part, digits;

	if (text->n < 5 || text->p[0] != '0' + code / 100 || text->p[1] != '.')
		return;
	for (i = 2, part = 0; part < 2; part++) {
		for (digits = 0; i < text->n && ASCII_ISDIGIT(text->p[i]);
		    i++)
			digits++;
		if (digits == 0 || digits > 3)
			return;
		if (part == 0 && (i >= text->n || text->p[i++] != '.'))
			return;
	}
	if (i < text->n && text->p[i] != ' ')
		return;
	if (out != NULL && i < outlen) {
		memcpy(out, text->p, i);
		out[i] = '\0';
	}
	while (i < text->n && text->p[i] == ' ')
		i++;
	text->p += i;
	text->n -= i;
}

/* sw_raw_reply - append a reply's lines (and a note of dropped ones). */
void
sw_raw_reply(struct buf *b, const struct sw_reply *r)
{
	char	note[64];

	if (r == NULL)
		return;
	if (r->lines.len > 0) {
		if (b->len > 0)
			sw_raw_put(b, SPAN_LIT("\n"));
		sw_raw_put(b, buf_span(&r->lines));
	}
	if (r->dropped > 0) {
		(void)snprintf(note, sizeof(note), "%u more reply lines",
		    r->dropped);
		sw_raw_note(b, note);
	}
}

/* sw_pair_event - an event about a waiting command and its reply. */
static void
sw_pair_event(struct sw_flow *f, struct event *ev, enum ev_type t,
    const struct sw_pend *pd, const struct sw_reply *r)
{
	sw_event(f, ev, t, &pd->at);
	sw_reply_fields(ev, r);
	sw_raw_reset(&f->sw->raw);
	sw_raw_line(&f->sw->raw, "C: ", sw_pend_text(f, pd));
	sw_raw_reply(&f->sw->raw, r);
	ev->ref.raw = buf_span(&f->sw->raw);
}

/* sw_reply_fields - reply_code, dsn and text of r (none when NULL). */
void
sw_reply_fields(struct event *ev, const struct sw_reply *r)
{
	if (r == NULL)
		return;
	ev->reply_code = r->code;
	if (r->dsn[0] != '\0')
		ev->dsn = span_from_cstr(r->dsn);
	ev->text = buf_span(&r->text);
}

/* sw_r_banner - the greeting answers the connection. */
void
sw_r_banner(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;
	struct flow_pos	at;

	if (r == NULL)
		return;
	at = r->at;
	at.offset = r->first.offset;
	sw_event(f, &ev, EV_BANNER, &at);
	sw_reply_fields(&ev, r);
	sw_raw_reset(&f->sw->raw);
	sw_raw_reply(&f->sw->raw, r);
	ev.ref.raw = buf_span(&f->sw->raw);
	f->banner_seen = true;
	sw_emit(f, &ev);
}

/* sw_r_info - a command with nothing to add but its reply: EV_INFO. */
void
sw_r_info(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;

	sw_pair_event(f, &ev, EV_INFO, pd, r);
	ev.stage = span_from_cstr(sw_verb_name(pd->verb));
	ev.text2 = pd->verb == SW_V_UNKNOWN ? sw_pend_text(f, pd) :
	    sw_pend_arg(f, pd);
	if (pd->flags & SW_P_BAD)
		ev.status = SPAN_LIT("malformed");
	if (pd->verb == SW_V_BDAT)
		ev.size = pd->size;
	sw_emit(f, &ev);
}

/* sw_r_malformed - MAIL or RCPT without a path: EV_INFO, malformed. */
static void
sw_r_malformed(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	pd->flags |= SW_P_BAD;
	sw_r_info(f, pd, r);
}

/* sw_r_helo - HELO and EHLO start over: EV_HELO. */
void
sw_r_helo(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;

	sw_pair_event(f, &ev, EV_HELO, pd, r);
	ev.stage = span_from_cstr(sw_verb_name(pd->verb));
	ev.helo = sw_pend_arg(f, pd);
	f->nrcpt_ok = 0;
	sw_emit(f, &ev);
}

/*
 * sw_path - the address of "<path> params": between < and the > that is
 * not inside a quoted string, exactly as written; without brackets the
 * first word.  Returns -1 when there is none.
 */
static int
sw_path(struct span s, struct span *addr, struct span *params)
{
	size_t	i;
	bool	inq = false;

	while (s.n > 0 && s.p[0] == ' ') {
		s.p++;
		s.n--;
	}
	if (s.n == 0)
		return (-1);
	if (s.p[0] != '<') {
		for (i = 0; i < s.n && s.p[i] != ' '; i++)
			continue;
		addr->p = s.p;
		addr->n = i;
	} else {
		for (i = 1; i < s.n; i++) {
			if (inq && s.p[i] == '\\' && i + 1 < s.n)
				i++;
			else if (s.p[i] == '"')
				inq = !inq;
			else if (!inq && s.p[i] == '>')
				break;
		}
		if (i == s.n)
			return (-1);
		addr->p = s.p + 1;
		addr->n = i - 1;
		i++;
	}
	params->p = s.p + i;
	params->n = s.n - i;
	*params = span_trim(*params);
	return (0);
}

/* sw_param_size - the SIZE= of ESMTP parameters, -1 if none or bad. */
static int64_t
sw_param_size(struct span params)
{
	struct span	w;
	size_t		i, j;
	int64_t		v;

	for (i = 0; i < params.n; i = j + 1) {
		for (j = i; j < params.n && params.p[j] != ' '; j++)
			continue;
		w.p = params.p + i;
		w.n = j - i;
		if (!span_casestartswith(w, "SIZE="))
			continue;
		w.p += 5;
		w.n -= 5;
		for (v = 0, i = 0; i < w.n && ASCII_ISDIGIT(w.p[i]); i++) {
			if (v > (INT64_MAX - 9) / 10)
				return (-1);
			v = v * 10 + (w.p[i] - '0');
		}
		return (i > 0 && i == w.n ? v : -1);
	}
	return (-1);
}

/* sw_r_mail - MAIL FROM: EV_MAIL. */
void
sw_r_mail(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;
	struct span	arg, addr, params;

	arg = sw_pend_arg(f, pd);
	if (!span_casestartswith(arg, "FROM:")) {
		sw_r_malformed(f, pd, r);
		return;
	}
	arg.p += 5;
	arg.n -= 5;
	if (sw_path(arg, &addr, &params) == -1) {
		sw_r_malformed(f, pd, r);
		return;
	}
	sw_pair_event(f, &ev, EV_MAIL, pd, r);
	ev.sender = addr;
	ev.text2 = params;
	ev.size = sw_param_size(params);
	f->nrcpt_ok = 0;
	sw_emit(f, &ev);
}

/* sw_r_rcpt - RCPT TO: EV_RCPT. */
void
sw_r_rcpt(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;
	struct span	arg, addr, params;

	arg = sw_pend_arg(f, pd);
	if (!span_casestartswith(arg, "TO:")) {
		sw_r_malformed(f, pd, r);
		return;
	}
	arg.p += 3;
	arg.n -= 3;
	if (sw_path(arg, &addr, &params) == -1) {
		sw_r_malformed(f, pd, r);
		return;
	}
	sw_pair_event(f, &ev, EV_RCPT, pd, r);
	ev.rcpt = addr;
	ev.text2 = params;
	if (r != NULL && r->code / 100 == 2)
		f->nrcpt_ok++;
	sw_emit(f, &ev);
}

/* sw_r_rset - RSET: EV_RSET. */
void
sw_r_rset(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;

	sw_pair_event(f, &ev, EV_RSET, pd, r);
	f->nrcpt_ok = 0;
	sw_emit(f, &ev);
}

/*
 * sw_tls_assumed - no 220 to STARTTLS seen, but the client's next bytes
 * are a TLS record: EV_TLS without a reply, and the rest is TLS.
 */
void
sw_tls_assumed(struct sw_flow *f)
{
	struct event	 ev;
	struct sw_pend	*pd;

	/* What waits before STARTTLS will get no reply now: in order. */
	while (f->qlen > 1) {
		f->sw->st.unanswered++;
		sw_cmds[f->q[f->qhead].verb].reply(f, &f->q[f->qhead], NULL);
		sw_pop(f);
	}
	pd = f->qlen > 0 ? &f->q[f->qhead] : NULL;
	if (pd != NULL && pd->verb == SW_V_STARTTLS &&
	    !(pd->flags & SW_P_STARTED)) {
		pd->flags |= SW_P_STARTED;
		sw_pair_event(f, &ev, EV_TLS, pd, NULL);
		ev.text = SPAN_LIT("STARTTLS");
		sw_emit(f, &ev);
	}
	sw_go_tls(f);
}

/* sw_r_starttls - STARTTLS: 220 and the rest is TLS. */
void
sw_r_starttls(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;

	if (pd->flags & SW_P_STARTED)
		return;
	if ((r != NULL && r->code == 220) || (r == NULL && f->blocked &&
	    f->hold.len > 0 && f->hold.data[0] == 0x16)) {
		sw_pair_event(f, &ev, EV_TLS, pd, r);
		ev.text = SPAN_LIT("STARTTLS");
		sw_emit(f, &ev);
		sw_go_tls(f);
		return;
	}
	sw_r_info(f, pd, r);
	if (f->blocked)
		f->replay = true;
}

/*
 * sw_data_event - the headers and EV_DATA of message m (may be NULL),
 * ended by waiting command pd and answered by r.
 */
static void
sw_data_event(struct sw_flow *f, struct sw_pend *pd, struct sw_msg *m,
    const struct sw_reply *r)
{
	struct event	ev;
	struct span	text;

	sw_event(f, &ev, EV_DATA, &pd->at);
	sw_reply_fields(&ev, r);
	ev.stage = SPAN_LIT("END-OF-MESSAGE");
	ev.nrcpt = f->nrcpt_ok;
	if (m != NULL) {
		ev.size = m->size;
		ev.message_id = sw_msg_msgid(m);
	}
	if (m != NULL && m->done && !m->gap)
		ev.text2 = span_from_cstr(m->sha);
	else
		ev.status = SPAN_LIT("incomplete");
	if (r != NULL && r->code / 100 == 2) {
		ev.queue_id = sw_queue_id(buf_span(&r->text));
		if (pd->verb == SW_V_EOM)
			f->cnt_ok[SW_V_DATA]++;
	}
	sw_raw_reset(&f->sw->raw);
	if (m != NULL && m->prefix.len > 0)
		sw_raw_put(&f->sw->raw, buf_span(&m->prefix));
	text = sw_pend_text(f, pd);
	if (text.n > 0)
		sw_raw_line(&f->sw->raw, "C: ", text);
	else
		sw_raw_note(&f->sw->raw, "end of data not seen (missing "
		    "bytes)");
	sw_raw_reply(&f->sw->raw, r);
	ev.ref.raw = buf_span(&f->sw->raw);
	sw_msg_headers(f, m);
	sw_emit(f, &ev);
	f->nrcpt_ok = 0;
}

/*
 * sw_r_data - DATA: 354 starts the message; anything else refuses it
 * (EV_DATA, stage DATA) and what the client sent after it is commands.
 */
void
sw_r_data(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct event	ev;

	if (pd->flags & SW_P_STARTED)
		return;
	if ((r != NULL && r->code == 354) || (r == NULL && f->blocked &&
	    f->hold.len > 0)) {
		sw_data_start(f, pd, r);
		if (f->blocked)
			f->replay = true;
		return;
	}
	sw_pair_event(f, &ev, EV_DATA, pd, r);
	ev.stage = SPAN_LIT("DATA");
	ev.nrcpt = f->nrcpt_ok;
	sw_emit(f, &ev);
	if (f->blocked)
		f->replay = true;
}

/* sw_r_eom - the reply to the end of data: the message's fate. */
void
sw_r_eom(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	sw_data_event(f, pd, pd->msg, r);
}

/* sw_r_bdat - a BDAT chunk: EV_INFO, or the message's fate at LAST. */
void
sw_r_bdat(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	if (pd->flags & SW_P_LAST)
		sw_data_event(f, pd, pd->msg, r);
	else
		sw_r_info(f, pd, r);
}

/*
 * sw_unsolicited - a reply no command waits for: the end of a message
 * whose end fell in a gap, a greeting seen mid-stream, or the server
 * speaking unasked (421 on timeout).
 */
static void
sw_unsolicited(struct sw_flow *f, struct sw_reply *r)
{
	struct event	 ev;
	struct sw_pend	*pd;
	struct sw_msg	*m;
	struct flow_pos	 at;

	if (f->cmode == SW_C_BODY && f->msg != NULL && f->msg_owned &&
	    r->code >= 200) {
		m = f->msg;
		m->gap = true;
		sw_msg_finish(f, &r->at);
		f->cmode = SW_C_CMD;
		f->resync = true;
		pd = sw_queue(f, SW_V_EOM, SPAN_NULL, &r->at);
		pd->msg = m;
		sw_answer(f, pd, r);
		return;
	}
	if (r->code == 220 && !f->banner_seen && f->d[FLOW_C2S].lines == 0) {
		sw_r_banner(f, NULL, r);
		return;
	}
	f->sw->st.unpaired++;
	if (f->unsure)
		return;
	at = r->at;
	at.offset = r->first.offset;
	sw_event(f, &ev, EV_INFO, &at);
	sw_reply_fields(&ev, r);
	ev.stage = SPAN_LIT("REPLY");
	sw_raw_reset(&f->sw->raw);
	sw_raw_reply(&f->sw->raw, r);
	ev.ref.raw = buf_span(&f->sw->raw);
	sw_emit(f, &ev);
}

/* sw_answer - r answers the oldest waiting command pd. */
void
sw_answer(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	enum sw_verb	v = pd->verb;

	if (v < SW_V_CONNECT && v != SW_V_AUTH) {
		f->cnt_total[v]++;
		if (r->code < 400 && v != SW_V_DATA)
			f->cnt_ok[v]++;
	}
	sw_cmds[v].reply(f, pd, r);
	sw_pop(f);
}

/*
 * sw_reply_fits - could r answer verb?  Its class must fit; when unsure
 * (after a gap) a 2xx must also be the verb's own code and enhanced code
 * when it has one (221 to QUIT, 2.1.5 to RCPT), or it is taken to answer
 * a command that was lost.
 */
static bool
sw_reply_fits(enum sw_verb verb, const struct sw_reply *r, bool unsure)
{
	const struct sw_cmd	*c = &sw_cmds[verb];

	if (!(c->classes & (1u << (r->code / 100))))
		return (false);
	if (!unsure || r->code / 100 != 2)
		return (true);
	if (c->ok_code != 0 && r->code != c->ok_code)
		return (false);
	if (c->ok_dsn != NULL && r->dsn[0] != '\0' &&
	    strcmp(r->dsn, c->ok_dsn) != 0)
		return (false);
	return (true);
}

/*
 * sw_anchor - 354 answers only DATA, 334 only AUTH: when such a reply
 * comes and the command it answers waits behind others, the pairing has
 * drifted (a reply without its line end, a lost one).  The commands
 * before it are taken as unanswered and the reply goes to its command.
 */
static void
sw_anchor(struct sw_flow *f, const struct sw_reply *r)
{
	size_t	i;

	if (sw_cmds[f->q[f->qhead].verb].anchor == r->code)
		return;
	for (i = 1; i < f->qlen; i++)
		if (sw_cmds[f->q[(f->qhead + i) % f->qcap].verb].anchor ==
		    r->code)
			break;
	if (i == f->qlen)
		return;
	sw_warn(f, &r->at, "reply-mismatch", "replies and commands drifted "
	    "apart: the commands before this reply's are unanswered", "",
	    buf_span(&r->lines));
	while (i-- > 0) {
		f->sw->st.unanswered++;
		sw_cmds[f->q[f->qhead].verb].reply(f, &f->q[f->qhead], NULL);
		sw_pop(f);
	}
}

/* sw_reply_done - a complete reply: pair it with its command. */
static void
sw_reply_done(struct sw_flow *f)
{
	struct sw_reply	*r = &f->r;
	struct sw_pend	*pd;

	f->sw->st.replies++;
	if (f->skip_replies > 0) {
		f->skip_replies--;
		f->sw->st.unpaired++;
	} else if (f->qlen == 0)
		sw_unsolicited(f, r);
	else {
		sw_anchor(f, r);
		pd = &f->q[f->qhead];
		if (!sw_reply_fits(pd->verb, r, f->unsure)) {
			if (f->unsure) {
				f->sw->st.unpaired++;
				goto out;
			}
			sw_warn(f, &r->at, "reply-mismatch", "the reply does "
			    "not fit the command waiting for it", "",
			    buf_span(&r->lines));
		} else
			f->unsure = false;
		sw_answer(f, pd, r);
	}
out:
	sw_reply_reset(r);
	if (f->replay)
		sw_hold_release(f);
}

/*
 * sw_server_line - a complete line from the server, without its line
 * end: one line of a reply.
 */
void
sw_server_line(struct sw_flow *f, struct span line, const struct flow_pos *at,
    bool cut)
{
	struct sw_reply	*r = &f->r;
	struct span	 text = SPAN_LIT("");
	int		 code;

	if (!sw_reply_like(line)) {
		f->sw->st.bad_lines++;
		sw_warn(f, at, "bad-reply", "a server line that is not a reply",
		    "S: ", line);
		return;
	}
	code = (line.p[0] - '0') * 100 + (line.p[1] - '0') * 10 +
	    (line.p[2] - '0');
	if (r->nlines > 0 && code != r->code) {
		/* A reply cut short: the code changed, so a new one began. */
		sw_warn(f, at, "bad-reply", "a multi-line reply ended without "
		    "its last line", "S: ", line);
		r->at = *at;
		sw_reply_done(f);
	}
	if (line.n > 4) {
		text.p = line.p + 4;
		text.n = line.n - 4;
	}
	if (r->nlines == 0) {
		r->first = *at;
		sw_dsn(&text, code, r->dsn, sizeof(r->dsn));
	} else
		sw_dsn(&text, code, NULL, 0);
	if (r->lines.len < SW_REPLY_MAX && r->text.len < SW_REPLY_MAX) {
		sw_raw_line(&r->lines, "S: ", line);
		if (r->nlines > 0)
			sw_raw_put(&r->text, SPAN_LIT("\n"));
		sw_raw_put(&r->text, text);
	} else
		r->dropped++;
	r->nlines++;
	r->code = code;
	if (line.n > 3 && line.p[3] == '-')
		return;
	r->at = *at;
	sw_reply_done(f);
}

/* sw_counters - Postfix-style command counters: "ehlo=1 rcpt=0/1 ...". */
void
sw_counters(const struct sw_flow *f, struct buf *b)
{
	char		 w[48];
	uint32_t	 ok = 0, total = 0, o, t;
	size_t		 i;
	int		 n;

	buf_reset(b);
	for (i = 0; i < sizeof(sw_counter_names) /
	    sizeof(sw_counter_names[0]); i++) {
		o = f->cnt_ok[sw_counter_names[i].verb];
		t = f->cnt_total[sw_counter_names[i].verb];
		if (t == 0)
			continue;
		ok += o;
		total += t;
		n = o == t ? snprintf(w, sizeof(w), "%s%s=%u", b->len ? " " :
		    "", sw_counter_names[i].name, t) : snprintf(w, sizeof(w),
		    "%s%s=%u/%u", b->len ? " " : "", sw_counter_names[i].name,
		    o, t);
		if (n > 0)
			sw_raw_put(b, span_from_cstr(w));
	}
	n = ok == total ? snprintf(w, sizeof(w), "%scommands=%u",
	    b->len ? " " : "", total) : snprintf(w, sizeof(w),
	    "%scommands=%u/%u", b->len ? " " : "", ok, total);
	if (n > 0)
		sw_raw_put(b, span_from_cstr(w));
}

/* sw_qid_token - the id at the start of s: letters, digits, . _ -. */
static struct span
sw_qid_token(struct span s)
{
	struct span	id;

	id.p = s.p;
	for (id.n = 0; id.n < s.n && (ASCII_ISALPHA(s.p[id.n]) ||
	    ASCII_ISDIGIT(s.p[id.n]) || s.p[id.n] == '.' || s.p[id.n] == '_' ||
	    s.p[id.n] == '-'); id.n++)
		continue;
	while (id.n > 0 && id.p[id.n - 1] == '.')
		id.n--;
	return (id.n > 0 && id.n <= 64 ? id : SPAN_NULL);
}

/* sw_casefind - where key first occurs in s, ignoring ASCII case. */
static const char *
sw_casefind(struct span s, const char *key)
{
	size_t		klen = strlen(key), i, j;

	for (i = 0; klen > 0 && i + klen <= s.n; i++) {
		for (j = 0; j < klen; j++)
			if (ASCII_TOLOWER((unsigned char)s.p[i + j]) !=
			    ASCII_TOLOWER((unsigned char)key[j]))
				break;
		if (j == klen)
			return (s.p + i);
	}
	return (NULL);
}

/* sw_after - s from the end of the first key in it (NULL span: none). */
static struct span
sw_after(struct span s, const char *key)
{
	const char	*at;
	struct span	 r;

	if ((at = sw_casefind(s, key)) == NULL)
		return (SPAN_NULL);
	r.p = at + strlen(key);
	r.n = s.n - (size_t)(r.p - s.p);
	return (r);
}

/* sw_qid_queued - Postfix "Ok: queued as 4F3A2B1C0D", and the like. */
static struct span
sw_qid_queued(struct span s)
{
	s = sw_after(s, "queued as ");
	while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '<')) {
		s.p++;
		s.n--;
	}
	return (s.p == NULL ? SPAN_NULL : sw_qid_token(s));
}

/* sw_qid_internal - Exchange "[InternalId=123, Hostname=...]". */
static struct span
sw_qid_internal(struct span s)
{
	struct span	id;

	s = sw_after(s, "InternalId=");
	if (s.p == NULL)
		return (SPAN_NULL);
	id.p = s.p;
	for (id.n = 0; id.n < s.n && ASCII_ISDIGIT(s.p[id.n]); id.n++)
		continue;
	return (id.n > 0 && id.n <= 24 ? id : SPAN_NULL);
}

/* sw_qid_exim - Exim "OK id=1rABCd-000123-XY" ("id=" starting a word). */
static struct span
sw_qid_exim(struct span s)
{
	struct span	rest;
	const char	*at;

	while ((at = sw_casefind(s, "id=")) != NULL) {
		rest.p = at + 3;
		rest.n = s.n - (size_t)(rest.p - s.p);
		if (at == s.p || at[-1] == ' ')
			return (sw_qid_token(rest));
		s = rest;
	}
	return (SPAN_NULL);
}

/*
 * sw_qid_accepted - Sendmail "x1234567890 Message accepted for delivery",
 * OpenSMTPD "5a7bc1d2 Message accepted for delivery" (also after ":").
 */
static struct span
sw_qid_accepted(struct span s)
{
	const char	*at, *w;
	struct span	 id;

	if ((at = sw_casefind(s, " Message accepted")) == NULL)
		return (SPAN_NULL);
	for (w = at; w > s.p && w[-1] != ' ' && w[-1] != ':'; w--)
		continue;
	id.p = w;
	id.n = (size_t)(at - w);
	id = sw_qid_token(id);
	return (id.n == (size_t)(at - w) ? id : SPAN_NULL);
}

/* sw_qid_msgid - Exchange "<id@host> Queued mail for delivery". */
static struct span
sw_qid_msgid(struct span s)
{
	const char	*gt;
	struct span	 id;

	if (sw_casefind(s, "Queued mail for delivery") == NULL ||
	    s.n < 3 || s.p[0] != '<' ||
	    (gt = memchr(s.p, '>', s.n)) == NULL)
		return (SPAN_NULL);
	id.p = s.p + 1;
	id.n = (size_t)(gt - id.p);
	return (id.n > 0 && id.n <= 255 ? id : SPAN_NULL);
}

/* sw_queue_id - the queue id in the text of an accepting reply. */
struct span
sw_queue_id(struct span text)
{
	struct span	id;
	size_t		i;

	for (i = 0; i < sizeof(sw_qid_forms) / sizeof(sw_qid_forms[0]); i++) {
		id = sw_qid_forms[i].find(text);
		if (id.n > 0)
			return (id);
	}
	return (SPAN_NULL);
}
