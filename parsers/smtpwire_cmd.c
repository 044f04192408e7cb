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
 * SMTP on the wire: the client's commands.  A command line is looked up
 * in sw_cmds[] (ASCII, case-insensitive), queued to wait for its reply
 * and given to the verb's handler, which may change how the client's
 * next bytes are read (DATA, BDAT, STARTTLS).  The queue keeps the text
 * of each waiting command (AUTH lines redacted before they get here) in
 * one arena, both bounded; when either is full the oldest command is
 * taken as unanswered and its reply, should it come, skipped.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpwire_int.h"
#include "xmalloc.h"

/* Reply classes a command may get: bit n for a first digit n. */
#define C2	(1u << 2)
#define C3	(1u << 3)
#define C4	(1u << 4)
#define C5	(1u << 5)

static void	 sw_c_reset(struct sw_flow *, struct sw_pend *, struct span);
static void	 sw_c_data(struct sw_flow *, struct sw_pend *, struct span);
static void	 sw_c_bdat(struct sw_flow *, struct sw_pend *, struct span);
static void	 sw_c_quit(struct sw_flow *, struct sw_pend *, struct span);
static void	 sw_c_starttls(struct sw_flow *, struct sw_pend *,
		    struct span);

/*
 * The verbs.  SW_K_SYNC marks the commands that may start a resynchronised
 * conversation (after a gap, mid-stream) when their syntax is right.
 */
const struct sw_cmd sw_cmds[SW_V__MAX] = {
	[SW_V_UNKNOWN] = { "UNKNOWN", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_HELO] = { "HELO", SW_K_SYNC, SW_SYN_WORD, NULL,
	    C2 | C4 | C5, 0, NULL, 0, sw_c_reset, sw_r_helo },
	[SW_V_EHLO] = { "EHLO", SW_K_SYNC, SW_SYN_WORD, NULL,
	    C2 | C4 | C5, 0, NULL, 0, sw_c_reset, sw_r_helo },
	[SW_V_MAIL] = { "MAIL", SW_K_SYNC, SW_SYN_PREFIX, "FROM:",
	    C2 | C4 | C5, 0, "2.1.0", 0, sw_c_reset, sw_r_mail },
	[SW_V_RCPT] = { "RCPT", SW_K_SYNC, SW_SYN_PREFIX, "TO:",
	    C2 | C4 | C5, 0, "2.1.5", 0, NULL, sw_r_rcpt },
	[SW_V_DATA] = { "DATA", SW_K_SYNC, SW_SYN_NONE, NULL,
	    C3 | C4 | C5, 0, NULL, 354, sw_c_data, sw_r_data },
	[SW_V_BDAT] = { "BDAT", SW_K_SYNC, SW_SYN_BDAT, NULL,
	    C2 | C4 | C5, 0, NULL, 0, sw_c_bdat, sw_r_bdat },
	[SW_V_RSET] = { "RSET", SW_K_SYNC, SW_SYN_NONE, NULL,
	    C2 | C4 | C5, 0, NULL, 0, sw_c_reset, sw_r_rset },
	[SW_V_VRFY] = { "VRFY", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_EXPN] = { "EXPN", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_HELP] = { "HELP", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_NOOP] = { "NOOP", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_QUIT] = { "QUIT", SW_K_SYNC, SW_SYN_NONE, NULL,
	    C2 | C4 | C5, 221, NULL, 0, sw_c_quit, sw_r_info },
	[SW_V_STARTTLS] = { "STARTTLS", SW_K_SYNC, SW_SYN_NONE, NULL,
	    C2 | C4 | C5, 220, NULL, 0, sw_c_starttls, sw_r_starttls },
	[SW_V_AUTH] = { "AUTH", SW_K_SYNC, SW_SYN_MECH, NULL,
	    C2 | C3 | C4 | C5, 235, NULL, 334, NULL, sw_auth_reply },
	[SW_V_ETRN] = { "ETRN", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_XCLIENT] = { "XCLIENT", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_XFORWARD] = { "XFORWARD", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_info },
	[SW_V_CONNECT] = { "CONNECT", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 220, NULL, 0, NULL, sw_r_banner },
	[SW_V_EOM] = { "END-OF-MESSAGE", 0, SW_SYN_ANY, NULL,
	    C2 | C4 | C5, 0, NULL, 0, NULL, sw_r_eom },
	[SW_V_SASL] = { "AUTH", 0, SW_SYN_ANY, NULL,
	    C2 | C3 | C4 | C5, 235, NULL, 334, NULL, sw_auth_reply },
};

/* Longest verb looked up. */
#define SW_VERB_MAX	10

/*
 * sw_verb_lookup - the verb of a command line, and its argument (after
 * blanks, trailing blanks trimmed).  SW_V_UNKNOWN when not one of ours.
 */
enum sw_verb
sw_verb_lookup(struct span line, struct span *arg)
{
	struct span	word;
	size_t		i, n;
	int		v;

	for (n = 0; n < line.n && line.p[n] != ' ' && line.p[n] != '\t'; n++)
		continue;
	word.p = line.p;
	word.n = n;
	for (i = n; i < line.n && (line.p[i] == ' ' || line.p[i] == '\t'); i++)
		continue;
	arg->p = line.p + i;
	arg->n = line.n - i;
	while (arg->n > 0 && (arg->p[arg->n - 1] == ' ' ||
	    arg->p[arg->n - 1] == '\t'))
		arg->n--;
	if (n == 0 || n > SW_VERB_MAX)
		return (SW_V_UNKNOWN);
	for (v = SW_V_HELO; v < SW_V_CONNECT; v++)
		if (span_caseeq_cstr(word, sw_cmds[v].name))
			return ((enum sw_verb)v);
	arg->p = line.p;
	arg->n = line.n;
	return (SW_V_UNKNOWN);
}

/* sw_word_like - one token of visible ASCII, as HELO names are. */
static bool
sw_word_like(struct span s, size_t max)
{
	size_t	i;

	if (s.n == 0 || s.n > max)
		return (false);
	for (i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] <= ' ' ||
		    (unsigned char)s.p[i] >= 0x7f)
			return (false);
	return (true);
}

/* sw_mech_like - a SASL mechanism name (RFC 4422: 1 to 20 characters). */
static bool
sw_mech_like(struct span s)
{
	size_t	i;

	for (i = 0; i < s.n && s.p[i] != ' '; i++)
		if (!ASCII_ISALPHA(s.p[i]) && !ASCII_ISDIGIT(s.p[i]) &&
		    s.p[i] != '-' && s.p[i] != '_')
			return (false);
	return (i > 0 && i <= 20);
}

/*
 * sw_bdat_parse - "chunk-size [LAST]" (RFC 3030).  Returns -1 for anything
 * else: a sign, a non-digit, a size past INT64_MAX, words after LAST.
 */
int
sw_bdat_parse(struct span arg, int64_t *size, bool *last)
{
	struct span	rest;
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < arg.n && ASCII_ISDIGIT(arg.p[i]); i++) {
		if (v > ((uint64_t)INT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(arg.p[i] - '0');
	}
	if (i == 0 || (i < arg.n && arg.p[i] != ' '))
		return (-1);
	rest.p = arg.p + i;
	rest.n = arg.n - i;
	rest = span_trim(rest);
	if (rest.n == 0)
		*last = false;
	else if (span_caseeq_cstr(rest, "LAST"))
		*last = true;
	else
		return (-1);
	*size = (int64_t)v;
	return (0);
}

/* sw_verb_sync - may verb with arg start a resynchronised conversation? */
bool
sw_verb_sync(enum sw_verb v, struct span arg)
{
	const struct sw_cmd	*c = &sw_cmds[v];
	int64_t			 size;
	bool			 last;

	if (v <= SW_V_UNKNOWN || v >= SW_V_CONNECT || !(c->flags & SW_K_SYNC))
		return (false);
	switch (c->syntax) {
	case SW_SYN_NONE:
		return (arg.n == 0);
	case SW_SYN_WORD:
		return (sw_word_like(arg, 255));
	case SW_SYN_PREFIX:
		return (span_casestartswith(arg, c->prefix));
	case SW_SYN_BDAT:
		return (sw_bdat_parse(arg, &size, &last) == 0);
	case SW_SYN_MECH:
		return (sw_mech_like(arg));
	default:
		return (true);
	}
}

/* sw_verb_name - the verb's name as events give it (stage). */
const char *
sw_verb_name(enum sw_verb v)
{
	if (v < 0 || v >= SW_V__MAX)
		return ("UNKNOWN");
	return (sw_cmds[v].name);
}

/* sw_pend_text - the text kept for a waiting command. */
struct span
sw_pend_text(const struct sw_flow *f, const struct sw_pend *pd)
{
	struct span	s;

	if (pd->tlen == 0 || f->ptext.data == NULL)
		return (SPAN_LIT(""));
	s.p = f->ptext.data + pd->toff;
	s.n = pd->tlen;
	return (s);
}

/* sw_pend_arg - the argument of a waiting command's line. */
struct span
sw_pend_arg(const struct sw_flow *f, const struct sw_pend *pd)
{
	struct span	arg;

	(void)sw_verb_lookup(sw_pend_text(f, pd), &arg);
	return (arg);
}

/* sw_pop - drop the oldest waiting command. */
void
sw_pop(struct sw_flow *f)
{
	struct sw_pend	*pd;

	if (f->qlen == 0)
		return;
	pd = &f->q[f->qhead];
	if (pd->msg != NULL)
		sw_msg_free(f, pd->msg);
	pd->msg = NULL;
	f->qhead = (f->qhead + 1) % f->qcap;
	if (--f->qlen == 0) {
		f->qhead = 0;
		buf_reset(&f->ptext);
	}
}

/*
 * sw_ptext_compact - move the texts of waiting commands to the front.
 * The arena is twice SW_PTEXT_MAX and at most SW_PTEXT_MAX of it lives,
 * so when it is full at least half of it is dead.
 */
static void
sw_ptext_compact(struct sw_flow *f)
{
	size_t	i, start;

	if (f->qlen == 0) {
		buf_reset(&f->ptext);
		return;
	}
	start = f->q[f->qhead].toff;
	if (start == 0)
		return;
	memmove(f->ptext.data, f->ptext.data + start, f->ptext.len - start);
	f->ptext.len -= start;
	f->ptext.data[f->ptext.len] = '\0';
	for (i = 0; i < f->qlen; i++)
		f->q[(f->qhead + i) % f->qcap].toff -= (uint32_t)start;
}

/* sw_evict - take the oldest waiting command as unanswered. */
static void
sw_evict(struct sw_flow *f)
{
	struct sw_pend	*pd = &f->q[f->qhead];

	sw_warn(f, &pd->at, "queue-full", "too many commands without a "
	    "reply: the oldest is taken as unanswered", "C: ",
	    sw_pend_text(f, pd));
	f->sw->st.unanswered++;
	sw_cmds[pd->verb].reply(f, pd, NULL);
	sw_pop(f);
	f->skip_replies++;
}

/* sw_queue_grow - room for more waiting commands, in the same order. */
static void
sw_queue_grow(struct sw_flow *f)
{
	struct sw_pend	*nq;
	size_t		 i, ncap;

	ncap = f->qcap == 0 ? 8 : f->qcap * 2;
	if (ncap > SMTPWIRE_PENDING_MAX)
		ncap = SMTPWIRE_PENDING_MAX;
	nq = xreallocarray(NULL, ncap, sizeof(*nq));
	for (i = 0; i < f->qlen; i++)
		nq[i] = f->q[(f->qhead + i) % f->qcap];
	free(f->q);
	f->q = nq;
	f->qcap = ncap;
	f->qhead = 0;
}

/*
 * sw_queue - a command (or pseudo-command) that waits for its reply, with
 * the text its events will cite.  The result is valid until the queue
 * changes.
 */
struct sw_pend *
sw_queue(struct sw_flow *f, enum sw_verb v, struct span text,
    const struct flow_pos *at)
{
	struct sw_pend	*pd;

	if (text.n > SMTPWIRE_LINE_MAX)
		text.n = SMTPWIRE_LINE_MAX;
	while (f->qlen >= SMTPWIRE_PENDING_MAX)
		sw_evict(f);
	while (f->qlen > 0 && f->ptext.len - f->q[f->qhead].toff + text.n >
	    SW_PTEXT_MAX)
		sw_evict(f);
	if (text.n > f->ptext.max - f->ptext.len)
		sw_ptext_compact(f);
	if (f->qlen == f->qcap)
		sw_queue_grow(f);
	pd = &f->q[(f->qhead + f->qlen) % f->qcap];
	memset(pd, 0, sizeof(*pd));
	pd->verb = v;
	pd->size = -1;
	pd->at = *at;
	pd->toff = (uint32_t)f->ptext.len;
	if (text.n > 0 && buf_append(&f->ptext, text.p, text.n) == 0)
		pd->tlen = (uint32_t)text.n;
	f->qlen++;
	return (pd);
}

/* sw_queue_flush - every waiting command is unanswered (end, gap). */
void
sw_queue_flush(struct sw_flow *f)
{
	struct sw_pend	*pd;

	while (f->qlen > 0) {
		pd = &f->q[f->qhead];
		if (pd->verb != SW_V_CONNECT)
			f->sw->st.unanswered++;
		sw_cmds[pd->verb].reply(f, pd, NULL);
		sw_pop(f);
		if (f->replay)
			sw_hold_release(f);
	}
	f->skip_replies = 0;
}

/* sw_msg_drop - a new transaction or RSET discards unfinished BDAT data. */
static void
sw_msg_drop(struct sw_flow *f)
{
	if (f->msg != NULL && f->msg_owned && f->cmode != SW_C_BODY)
		sw_msg_free(f, f->msg);
}

/* sw_c_reset - HELO, EHLO, MAIL, RSET: an unfinished BDAT message ends. */
static void
sw_c_reset(struct sw_flow *f, struct sw_pend *pd, struct span arg)
{
	sw_msg_drop(f);
}

/* sw_c_quit - QUIT: remembered for EV_DISCONNECT. */
static void
sw_c_quit(struct sw_flow *f, struct sw_pend *pd, struct span arg)
{
	f->quit = true;
}

/* sw_c_starttls - STARTTLS: what follows depends on the reply. */
static void
sw_c_starttls(struct sw_flow *f, struct sw_pend *pd, struct span arg)
{
	if (sw_server_silent(f))
		f->cmode = SW_C_TLS_GUESS;
	else
		f->blocked = true;
}

/*
 * sw_data_start - DATA got (or is assumed to have got) 354: the message
 * begins.  r is the reply, NULL when assumed.
 */
void
sw_data_start(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	sw_msg_drop(f);
	if (f->msg != NULL && !f->msg_owned)
		f->msg = NULL;
	sw_msg_begin(f);
	sw_raw_line(&f->msg->prefix, "C: ", sw_pend_text(f, pd));
	if (r != NULL)
		sw_raw_reply(&f->msg->prefix, r);
	f->cmode = SW_C_BODY;
	f->b_state = SW_B_BOL;
	f->b_crlf = true;
}

/* sw_data_assume - no 354 seen but the message must be read: assume it. */
void
sw_data_assume(struct sw_flow *f, struct sw_pend *pd)
{
	sw_data_start(f, pd, NULL);
	pd->flags |= SW_P_STARTED;
}

/* sw_c_data - DATA: the client's next bytes depend on the reply. */
static void
sw_c_data(struct sw_flow *f, struct sw_pend *pd, struct span arg)
{
	if (sw_server_silent(f))
		sw_data_assume(f, pd);
	else
		f->blocked = true;
}

/*
 * sw_c_bdat - BDAT n [LAST]: exactly n octets follow at once, whatever
 * the reply.  A malformed size is flagged and no octets are taken.
 */
static void
sw_c_bdat(struct sw_flow *f, struct sw_pend *pd, struct span arg)
{
	int64_t	size;
	bool	last;

	if (sw_bdat_parse(arg, &size, &last) == -1) {
		pd->flags |= SW_P_BAD;
		sw_warn(f, &pd->at, "bad-bdat", "BDAT chunk size is not a "
		    "number that fits: not trusted", "C: ",
		    sw_pend_text(f, pd));
		return;
	}
	pd->size = size;
	if (f->msg != NULL && !f->msg_owned)
		f->msg = NULL;
	if (f->msg == NULL)
		sw_msg_begin(f);
	if (last) {
		pd->flags |= SW_P_LAST;
		pd->msg = f->msg;
		f->msg_owned = false;
	}
	f->bdat_left = size;
	f->bdat_last = last;
	f->cmode = SW_C_BDAT;
	if (size == 0)
		sw_bdat_end(f, &pd->at);
}

/*
 * sw_client_line - a complete command-mode line from the client, without
 * its line end.  cut: it was longer than SMTPWIRE_LINE_MAX.
 */
void
sw_client_line(struct sw_flow *f, struct span line, const struct flow_pos *at,
    bool cut)
{
	struct sw_pend	*pd;
	struct span	 arg, text;
	enum sw_verb	 v;

	switch (f->cmode) {
	case SW_C_SASL:
		f->cmode = SW_C_CMD;
		sw_auth_response(f, line, at);
		return;
	case SW_C_SASL_GUESS:
		v = sw_verb_lookup(line, &arg);
		if (!sw_verb_sync(v, arg)) {
			sw_auth_response(f, line, at);
			return;
		}
		f->cmode = SW_C_CMD;
		break;
	default:
		v = sw_verb_lookup(line, &arg);
		break;
	}
	if (f->resync && !sw_verb_sync(v, arg)) {
		f->sw->st.skipped_lines++;
		return;
	}
	f->resync = false;
	f->sw->st.commands++;
	if (v == SW_V_AUTH) {
		sw_auth_command(f, arg, at);
		return;
	}
	text = line;
	if (v == SW_V_UNKNOWN && sw_b64_like(line))
		text = SPAN_LIT("<redacted>");
	pd = sw_queue(f, v, text, at);
	if (cut)
		pd->flags |= SW_P_LONG;
	if (sw_cmds[v].cmd != NULL)
		sw_cmds[v].cmd(f, pd, arg);
}
