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
 * Which of Exim's logs a line goes to, and the second copy of a line
 * that syslog gets when it goes to two.
 *
 * Exim writes a refusal with LOG_MAIN|LOG_REJECT (log_reject_target's
 * default): the same bytes to the mainlog and the rejectlog, the
 * rejectlog's copy followed by the message's headers after DATA.  Other
 * lines go to the mainlog only.  ex_form() tells the two kinds apart by
 * the words Exim writes (a client's HELO name could mislead it; that can
 * cost at most a pass order or the pairing of two identical lines).
 *
 * Through syslog (log_file_path with "syslog"), log.c's write_syslog()
 * sends the mainlog's copy at LOG_INFO and, with syslog_duplication true
 * (the default), the rejectlog's copy right after it at LOG_NOTICE, from
 * the same process.  An entry of several lines (the header dump) or of
 * more than 870 characters is sent in parts numbered "[n\m] " ('\' where
 * Exim's text had a newline, '/' where it was cut): the mainlog's copy is
 * then "TEXT", the rejectlog's "[1\m] TEXT" and its headers.  Priorities
 * are rarely in the file (RSYSLOG_FileFormat drops them), and a client
 * can send the same refused command twice in one second, which Exim logs
 * with the same bytes.  So a syslog line is taken as the second copy of
 * an earlier one (ex_syslog_copy) when:
 *
 *  - both come from the same host, program and process (syslog pid), and
 *    the earlier one was the last entry of that process: nothing from it
 *    came between but the later parts of the earlier entry, and no more
 *    than EV_COPY_WINDOW entries of any process;
 *  - the earlier one is of a form Exim writes to both logs (EX_FORM_REJECT)
 *    and is not a copy itself: each line has at most one copy;
 *  - the message (after Exim's numbering) is byte-identical;
 *  - the source has not shown more refusals of those forms without a copy
 *    than with one.  Exim with syslog_duplication writes every such line
 *    twice; a file that has them once (syslog_duplication false, or a
 *    filter that keeps one priority) shows that at once, and from then on
 *    two identical lines are a client's repeat.
 *
 * So a refusal a client really repeated counts as often as it happened:
 * in a file with copies its four lines are two pairs; in a file without,
 * both count once the file has shown a lone refusal.  The limit: a repeat
 * that comes before any other refusal in a file without copies counts
 * once (the file has shown nothing yet), and a file with copies that has
 * lost more of them than it kept (a rate limit) counts the rest twice.
 */

#include "config.h"

#include <string.h>

#include "exim_int.h"
#include "syslog.h"

#define EX_MSG_MAX	(64 * 1024)	/* a line's length at most */

/* Lines without a message id that only a mainlog has. */
static const char *const ex_main_only[] = {
	"SMTP connection from ", "no MAIL in SMTP connection from ",
	"SMTP syntax error in ", "SMTP protocol error in ",
	"unexpected disconnection while reading SMTP command from ",
	"SMTP command timeout on ", "SMTP data timeout ",
	"SMTP incomplete transaction lost",
	"SMTP connection lost after final dot",
	"Start queue run", "End queue run", "VRFY failed for ",
	NULL
};

/* Lines without fields in front that the rejectlog has too. */
static const char *const ex_both[] = {
	"SMTP protocol synchronization error", "refused connection from ",
	NULL
};

/* Words after the fields of a refusal the rejectlog has too. */
static const char *const ex_both_after[] = {
	"rejected ", "temporarily rejected ", "sender verify fail ",
	"sender verify defer ", NULL
};

/* ex_key_ch - a character of a KEY in KEY=value? */
static bool
ex_key_ch(char ch)
{
	return (ASCII_ISALPHA(ch) || ASCII_ISDIGIT(ch) || ch == '_');
}

/*
 * ex_skip_fields - s after the KEY=value fields Exim writes in front of
 * an action ("H=(helo) [ip]:port F=<sender> rejected ..."), by their
 * shape only: a quoted value to its quote, <...> to its '>', H= to the
 * ']' of its address (and a port), anything else to a space.
 */
static struct span
ex_skip_fields(struct span s)
{
	const char	*rb;
	size_t		 k, e;

	for (;;) {
		for (k = 0; k < s.n && ex_key_ch(s.p[k]); k++)
			;
		if (k == 0 || k + 1 >= s.n || s.p[k] != '=')
			return (s);
		e = k + 1;
		if (k == 1 && s.p[0] == 'H' &&
		    (rb = memchr(s.p + e, ']', s.n - e)) != NULL) {
			e = (size_t)(rb - s.p) + 1;
			if (e < s.n && (s.p[e] == ':' || s.p[e] == '.'))
				for (e++; e < s.n && ASCII_ISDIGIT(s.p[e]); e++)
					;
		} else if (s.p[e] == '"' && ex_quoted_end(s, e) > 0)
			e = ex_quoted_end(s, e);
		else if (s.p[e] == '<') {
			for (e++; e < s.n && !(s.p[e] == '>' && (e + 1 == s.n ||
			    s.p[e + 1] == ' ')); e++)
				;
			if (e < s.n)
				e++;
		}
		for (; e < s.n && s.p[e] != ' '; e++)
			;
		if (e >= s.n)
			return (ex_at(s, s.n));
		s = ex_at(s, e + 1);
	}
}

/*
 * ex_form - which logs a line of this body goes to (qid: it has a
 * message id).  Arrivals, deliveries, Completed, connections, syntax
 * errors, queue runs and the daemon's start are the mainlog's alone;
 * refusals ("rejected ...", failed authentication, sessions dropped for
 * errors, refused connections, failed sender verification) and discarded
 * recipients are in both.
 */
enum ex_form
ex_form(bool qid, struct span b)
{
	struct span	rest;
	int		i;

	if (qid && b.n >= 3 && b.p[2] == ' ' &&
	    (memcmp(b.p, "<=", 2) == 0 || memcmp(b.p, "=>", 2) == 0 ||
	    memcmp(b.p, "->", 2) == 0 || memcmp(b.p, "*>", 2) == 0 ||
	    memcmp(b.p, "**", 2) == 0 || memcmp(b.p, "==", 2) == 0))
		return (EX_FORM_MAIN);
	if (qid && (span_eq_cstr(b, "Completed") ||
	    span_startswith(b, "Completed ")))
		return (EX_FORM_MAIN);
	for (i = 0; ex_main_only[i] != NULL; i++)
		if (span_startswith(b, ex_main_only[i]))
			return (EX_FORM_MAIN);
	if (span_startswith(b, "exim ") &&
	    span_find(b, " daemon started") != NULL)
		return (EX_FORM_MAIN);
	for (i = 0; ex_both[i] != NULL; i++)
		if (span_startswith(b, ex_both[i]))
			return (EX_FORM_REJECT);
	if ((span_startswith(b, "SMTP call from ") &&
	    span_find(b, " dropped: ") != NULL) ||
	    (span_startswith(b, "connection from ") &&
	    span_endswith(b, " refused (IP options)")) ||
	    span_find(b, " authenticator failed for ") != NULL)
		return (EX_FORM_REJECT);
	rest = ex_skip_fields(b);
	for (i = 0; ex_both_after[i] != NULL; i++)
		if (span_startswith(rest, ex_both_after[i]))
			return (EX_FORM_REJECT);
	/* "RCPT <x>: discarded by RCPT ACL": dropped, but logged as refusals */
	if ((span_startswith(rest, "RCPT ") ||
	    span_startswith(rest, "MAIL ")) &&
	    span_find(rest, ": discarded by ") != NULL)
		return (EX_FORM_REJECT);
	return (EX_FORM_OTHER);
}

/*
 * ex_part - the number n of Exim's "[n\m] " or "[n/m] " at the start of
 * *msg, which is moved past it; 1 when there is none.
 */
unsigned
ex_part(struct span *msg)
{
	const struct span	s = *msg;
	unsigned		n = 0, m = 0;
	size_t			i;

	if (s.n < 6 || s.p[0] != '[')
		return (1);
	for (i = 1; i < s.n && i < 8 && ASCII_ISDIGIT(s.p[i]); i++)
		n = n * 10 + (unsigned)(s.p[i] - '0');
	if (i == 1 || i >= s.n || (s.p[i] != '\\' && s.p[i] != '/'))
		return (1);
	for (i++; i < s.n && i < 16 && ASCII_ISDIGIT(s.p[i]); i++)
		m = m * 10 + (unsigned)(s.p[i] - '0');
	if (m == 0 || n == 0 || n > m || i + 1 >= s.n || s.p[i] != ']' ||
	    s.p[i + 1] != ' ')
		return (1);
	*msg = ex_at(s, i + 2);
	return (n);
}

/* ex_key - host and program of sm, hashed (FNV-1a). */
static uint64_t
ex_key(const struct syslog_msg *sm)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < sm->host.n; i++)
		h = (h ^ (unsigned char)sm->host.p[i]) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (i = 0; i < sm->program.n; i++)
		h = (h ^ (unsigned char)sm->program.p[i]) * 1099511628211ULL;
	return (h);
}

/* ex_close - an open refusal gets no copy now: one more lone one. */
static void
ex_close(struct exim *ex, struct ex_recent *r)
{
	if (r->open)
		ex->lone++;
	r->open = false;
	buf_reset(&r->msg);
}

/* ex_last - the last entry of the process of sm, or NULL. */
static struct ex_recent *
ex_last(struct exim *ex, uint64_t key, int64_t pid)
{
	struct ex_recent	*r;
	size_t			 i, k;

	for (i = 1; i <= EV_COPY_WINDOW; i++) {
		k = (ex->next + EV_COPY_WINDOW - i) % EV_COPY_WINDOW;
		r = &ex->recent[k];
		if (r->line == 0)
			break;
		if (r->key == key && r->pid == pid)
			return (r);
	}
	return (NULL);
}

/*
 * ex_syslog_copy - note the entry at line of a syslog source, its message
 * msg (after Exim's numbering) of this form; the number of the earlier
 * line it is the second copy of, or 0 (see the top of the file).
 */
uint64_t
ex_syslog_copy(struct exim *ex, const struct syslog_msg *sm, uint64_t line,
    struct span msg, enum ex_form form)
{
	struct ex_recent	*r;
	uint64_t		 key = ex_key(sm), copy = 0;

	if ((r = ex_last(ex, key, sm->pid)) != NULL && r->open) {
		if (span_eq(msg, buf_span(&r->msg)) && ex->lone <= ex->paired) {
			copy = r->line;
			ex->paired++;
			r->open = false;
			buf_reset(&r->msg);
		} else
			ex_close(ex, r);
	}
	r = &ex->recent[ex->next];
	ex->next = (ex->next + 1) % EV_COPY_WINDOW;
	ex_close(ex, r);
	r->line = line;
	r->key = key;
	r->pid = sm->pid;
	if (copy == 0 && form == EX_FORM_REJECT && msg.n <= EX_MSG_MAX &&
	    buf_append(&r->msg, msg.p, msg.n) == 0)
		r->open = true;
	return (copy);
}

/* ex_logs_begin - a new source: nothing of the last one is remembered. */
void
ex_logs_begin(struct exim *ex)
{
	size_t	i;

	for (i = 0; i < EV_COPY_WINDOW; i++) {
		ex->recent[i].line = 0;
		ex->recent[i].open = false;
		buf_reset(&ex->recent[i].msg);
		ex->recent[i].msg.max = EX_MSG_MAX;
	}
	ex->next = 0;
	ex->paired = ex->lone = 0;
}

/* ex_logs_free - release what the last entries hold. */
void
ex_logs_free(struct exim *ex)
{
	size_t	i;

	for (i = 0; i < EV_COPY_WINDOW; i++)
		buf_free(&ex->recent[i].msg);
}
