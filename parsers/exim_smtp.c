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
 * Exim's session-side lines: connections, refusals, protocol and syntax
 * errors, authentication failures, and the daemon's notes.  Forms:
 *
 *  SMTP connection from HOST [(TCP/IP connection count = N)]
 *	EV_CONNECT (log_selector +smtp_connection)
 *  SMTP connection from HOST closed by QUIT | lost [...] | closed by DROP ...
 *  unexpected disconnection while reading SMTP command from HOST ...
 *  SMTP command timeout on connection from HOST, SMTP data timeout ...
 *	EV_DISCONNECT, text the rest
 *  [H=HOST] [F=<sender>] [fields] [temporarily] rejected STAGE [arg][: text]
 *	EV_REJECT: stage RCPT (rcpt = arg), MAIL, DATA, END-OF-MESSAGE
 *	("after DATA"), CONNECT ("connection"), HELO, VRFY, ...; reply_code
 *	from the text when it starts with one, else 550 (451 when
 *	temporarily); status "reject"; queue_id when the line has one
 *  rejected EHLO|HELO|MAIL from HOST: text      EV_REJECT (501, 503)
 *  SMTP protocol error in "CMD" H=HOST text     EV_REJECT stage the verb, 503
 *  SMTP syntax error in "CMD" H=HOST text       EV_REJECT stage the verb, 500
 *  SMTP protocol synchronization error (...): rejected "CMD" H=HOST ...
 *	EV_REJECT, 554
 *  SMTP call from HOST dropped: too many ...    EV_REJECT stage CONNECT,
 *	421, then EV_DISCONNECT
 *  refused connection from HOST (host_reject_connection), connection from
 *  HOST refused (IP options)                    EV_REJECT stage CONNECT, 554
 *  rejected from <sender> [H=HOST] [U=user]: text (message too large, a
 *  header line not ended by CRLF under CHUNKING)
 *	EV_REJECT stage END-OF-MESSAGE, 552 when too large, else 554
 *  VRFY failed for ADDR H=HOST                  EV_REJECT stage VRFY, 550
 *  ETRN|ATRN ARG received from HOST             EV_INFO with the client
 *  NAME authenticator failed for HOST: 535 ... (set_id=USER)
 *	EV_AUTH_FAIL: sasl_method NAME, sasl_user USER, reply_code, text
 *  H=HOST sender verify fail for <x>: ...        EV_WARNING
 *  no MAIL in SMTP connection from HOST ..., no host name found for IP
 *  address X, and the daemon's notes (see ex_notes[])   EV_INFO
 *
 * A local SMTP session (exim -bs) names its user where a client would be
 * ("SMTP connection from root", "no MAIL in SMTP connection from CALLER
 * D=0s C=QUIT"): its lines are EV_INFO, with no client.
 *
 * The command quoted in protocol and syntax errors is the client's: it is
 * not copied into any field but the evidence line (an AUTH argument there
 * is the client's credentials, as Exim logged them).
 */

#include "config.h"

#include <string.h>

#include "exim_int.h"

/* Lines Exim writes without a message id that are notes: EV_INFO. */
static const char *const ex_notes[] = {
	"exim ", "Start queue run", "End queue run", "pid ", "cwd=",
	"daemon ", "Connection from ", "no host name found for IP address ",
	"no IP address found for host ", "no MAIL in SMTP connection from ",
	"Exim configuration", "SIGHUP", "TLS error on ", "TLS session ",
	"Warning: ", "LOG: ", "REJECT ", "DKIM: ", "Received from ",
	"H=", "U=", "F=", "SMTP ", "rejected ", "temporarily rejected ",
	"unexpected disconnection ", "ratelimit ", "spam acl ",
	"malware acl ", "host name alias list ", "failed to ", "Failed to ",
	"unable to ", "Unable to ", "sender verify fail ", "Spool file ",
	"Message ", "TLS ", "Sender ", "Tainted ", "Socket ", "socket ",
	"Expansion of ", "lowest numbered MX record ", "dnslookup ",
	"Queue run ", "queue_run ", "smtp_accept_", "mua_wrapper ",
	"accept: ", "select() failed", "fork ", "Deleting ", "Retry ",
	"LMTP ", "sender address ", "ident connection ", "delay ",
	"Start '", "End '", "Start ODMR ", "End ODMR ", "refused connection ",
	"VRFY failed for ", "ETRN ", "ATRN ", "ignoring AUTH=",
	"sender verify defer ", "recipient verify defer ", "expansion of ",
	"spool directory space check failed", "timed out while reading ",
	NULL
};

/* ex_note - does s start like a line Exim writes without a message id? */
bool
ex_note(struct span s)
{
	size_t	i;

	for (i = 0; ex_notes[i] != NULL; i++)
		if (span_startswith(s, ex_notes[i]))
			return (true);
	return (span_find(s, " authenticator failed for ") != NULL);
}

/* Refusal stages after "rejected ", longest first where they overlap. */
static const struct {
	const char	*word;
	const char	*stage;
	bool		 arg;		/* an argument follows the word */
} ex_stages[] = {
	{ "after DATA", "END-OF-MESSAGE", false },
	{ "after end of data", "END-OF-MESSAGE", false },
	{ "connection in ", "CONNECT", true },
	{ "connection", "CONNECT", false },
	{ "EHLO or HELO ", "HELO", true },
	{ "EHLO from ", "HELO", true },
	{ "HELO from ", "HELO", true },
	{ "MAIL from ", "MAIL", true },
	{ "XCLIENT from ", "XCLIENT", true },
	{ "RCPT ", "RCPT", true },
	{ "MAIL ", "MAIL", true },
	{ "DATA", "DATA", false },
	{ "VRFY ", "VRFY", true },
	{ "EXPN ", "EXPN", true },
	{ "ETRN ", "ETRN", true },
	{ "AUTH ", "AUTH", true },
	{ "STARTTLS", "STARTTLS", false },
	{ "non-SMTP ", "NON-SMTP", true },
	{ "QUIT", "QUIT", false },
	{ "NOTQUIT", "NOTQUIT", false },
	{ "BDAT", "END-OF-MESSAGE", false },
	{ NULL, NULL, false }
};

/* SMTP verbs, to name the stage of a protocol or syntax error. */
static const char *const ex_verbs[] = {
	"HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP",
	"QUIT", "VRFY", "EXPN", "ETRN", "AUTH", "STARTTLS", "HELP", NULL
};

/* ex_after - s after the prefix word (which s starts with). */
static struct span
ex_after(struct span s, const char *word)
{
	return (ex_at(s, strlen(word)));
}

/* ex_verb - the SMTP verb a quoted command starts with, or "UNKNOWN". */
static struct span
ex_verb(struct span cmd)
{
	size_t	i, n;
	int	k;

	for (k = 0; ex_verbs[k] != NULL; k++) {
		n = strlen(ex_verbs[k]);
		if (cmd.n < n)
			continue;
		for (i = 0; i < n; i++)
			if (ASCII_TOLOWER(cmd.p[i]) !=
			    ASCII_TOLOWER(ex_verbs[k][i]))
				break;
		if (i == n && (cmd.n == n || cmd.p[n] == ' ' ||
		    cmd.p[n] == ':'))
			return (span_from_cstr(ex_verbs[k]));
	}
	return (SPAN_LIT("UNKNOWN"));
}

/* ex_code_text - a leading "NNN [x.y.z] " of text into ev, else dflt. */
static void
ex_code_text(struct span text, struct event *ev, int dflt)
{
	size_t	i;

	ev->text = text;
	ev->reply_code = dflt;
	if (text.n >= 4 && (text.p[0] >= '2' && text.p[0] <= '5') &&
	    ASCII_ISDIGIT(text.p[1]) && ASCII_ISDIGIT(text.p[2]) &&
	    (text.p[3] == ' ' || text.p[3] == '-')) {
		ev->reply_code = (text.p[0] - '0') * 100 +
		    (text.p[1] - '0') * 10 + (text.p[2] - '0');
		text = ex_at(text, 4);
		for (i = 0; i < text.n && (ASCII_ISDIGIT(text.p[i]) ||
		    text.p[i] == '.'); i++)
			;
		if (i >= 5 && i < text.n && text.p[i] == ' ' &&
		    text.p[1] == '.') {
			ev->dsn.p = text.p;
			ev->dsn.n = i;
			text = ex_at(text, i + 1);
		}
		ev->text = text;
	}
}

/* ex_unquote_end - offset after the quoted command at s[0] == '"'. */
static size_t
ex_unquote_end(struct span s)
{
	size_t	i;

	/* The command is the client's: it ends at the last '" H=' or '"'. */
	for (i = s.n; i > 1; i--)
		if (s.p[i - 1] == '"' && (i == s.n || s.p[i] == ' ' ||
		    s.p[i] == ':'))
			if (i + 2 < s.n && s.p[i + 1] == 'H' &&
			    s.p[i + 2] == '=')
				return (i);
	for (i = 1; i < s.n; i++)
		if (s.p[i] == '"')
			return (i + 1);
	return (0);
}

/* ex_cmd_rcpt - the <address> of a quoted "RCPT TO:<address>" into ev. */
static void
ex_cmd_rcpt(struct span cmd, struct event *ev)
{
	const char	*lt, *gt;

	if ((lt = memchr(cmd.p, '<', cmd.n)) == NULL)
		return;
	for (gt = cmd.p + cmd.n; gt > lt && gt[-1] != '>'; gt--)
		;
	if (gt - 1 <= lt)
		return;
	ev->rcpt.p = lt + 1;
	ev->rcpt.n = (size_t)(gt - 1 - lt - 1);
}

/* ex_cmd_error - "SMTP protocol|syntax error in "CMD" H=HOST text". */
static enum parse_result
ex_cmd_error(const struct ex_ctx *c, struct span s, int code)
{
	struct event	 ev;
	struct ex_host	 h;
	struct span	 cmd;
	size_t		 e;

	if (s.n < 2 || s.p[0] != '"' || (e = ex_unquote_end(s)) == 0)
		return (PARSE_BAD);
	cmd.p = s.p + 1;
	cmd.n = e - 2;
	s = span_trim(ex_at(s, e));
	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.stage = ex_verb(cmd);
	if (span_startswith(s, "H=") && ex_host(c, ex_at(s, 2), &h)) {
		ex_set_host(&ev, &h);
		s = span_trim(ex_at(s, 2 + h.len));
	}
	ex_code_text(s, &ev, code == 500 && span_startswith(s, "malformed") ?
	    501 : code);
	/*
	 * A RCPT refused for its syntax is a recipient the client gave (the
	 * address tricks land here); one refused for the protocol (no MAIL
	 * yet) never reached a recipient check.
	 */
	if (code == 500 && span_eq_cstr(ev.stage, "RCPT"))
		ex_cmd_rcpt(cmd, &ev);
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_sync - "SMTP protocol synchronization error (why): rejected ...". */
static enum parse_result
ex_sync(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;
	const char	*p;

	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.reply_code = 554;
	ev.stage = SPAN_LIT("CONNECT");
	ev.text = s;
	if ((p = span_find(s, " H=")) != NULL &&
	    ex_host(c, ex_at(s, (size_t)(p - s.p) + 3), &h))
		ex_set_host(&ev, &h);
	if ((p = span_find(s, "rejected \"")) != NULL)
		ev.stage = ex_verb(ex_at(s, (size_t)(p - s.p) + 10));
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_reject - "[fields] [temporarily] rejected STAGE [arg][: text]". */
static enum parse_result
ex_reject(const struct ex_ctx *c, const struct ex_fields *f, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;
	struct span	 arg = SPAN_NULL, text = SPAN_NULL;
	bool		 temp = false;
	size_t		 i, e;
	int		 k;

	if (span_startswith(s, "temporarily ")) {
		temp = true;
		s = ex_after(s, "temporarily ");
	}
	s = ex_after(s, "rejected ");
	for (k = 0; ex_stages[k].word != NULL; k++)
		if (span_startswith(s, ex_stages[k].word))
			break;
	if (ex_stages[k].word == NULL)
		return (PARSE_BAD);
	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.stage = span_from_cstr(ex_stages[k].stage);
	if (f->have_host)
		ex_set_host(&ev, &f->host);
	if (f->have_sender)
		ev.sender = f->sender;
	ev.proto = f->proto;
	s = ex_after(s, ex_stages[k].word);
	if (ex_stages[k].arg) {
		if (span_eq_cstr(ev.stage, "RCPT") ||
		    (span_eq_cstr(ev.stage, "MAIL") && s.n > 0 &&
		    s.p[0] == '<')) {
			/* "<address>" then ": text" or the end */
			for (e = 1; e < s.n; e++)
				if (s.p[e] == '>' && (e + 1 == s.n ||
				    (s.p[e + 1] == ':' && (e + 2 == s.n ||
				    s.p[e + 2] == ' '))))
					break;
			if (s.n > 0 && s.p[0] != '<') {
				/* a bare address, as -bs clients give it */
				for (e = 0; e < s.n && !(s.p[e] == ':' &&
				    (e + 1 == s.n || s.p[e + 1] == ' ')); e++)
					;
				arg.p = s.p;
				arg.n = e;
				s = ex_at(s, e);
			} else if (s.n == 0 || e >= s.n)
				return (PARSE_BAD);
			else {
				arg.p = s.p + 1;
				arg.n = e - 1;
				s = ex_at(s, e + 1);
			}
		} else if (span_endswith(ev.stage, "HELO") ||
		    span_eq_cstr(ev.stage, "XCLIENT") ||
		    (span_eq_cstr(ev.stage, "MAIL") &&
		    strncmp(ex_stages[k].word, "MAIL from", 9) == 0)) {
			if (ex_host(c, s, &h)) {
				ex_set_host(&ev, &h);
				s = ex_at(s, h.len);
			} else if (strncmp(ex_stages[k].word, "EHLO or",
			    7) == 0) {
				for (e = 0; e < s.n && !(s.p[e] == ':' &&
				    (e + 1 == s.n || s.p[e + 1] == ' ')); e++)
					;
				ev.helo.p = s.p;
				ev.helo.n = e;
				s = ex_at(s, e);
			}
		}
		for (i = 0; i < s.n && !(s.p[i] == ':' && (i + 1 == s.n ||
		    s.p[i + 1] == ' ')); i++)
			;
		s = ex_at(s, i);
	}
	if (s.n > 0 && s.p[0] == ':')
		text = span_trim(ex_at(s, 1));
	if (span_eq_cstr(ev.stage, "RCPT"))
		ev.rcpt = arg;
	else if (arg.p != NULL)
		ev.sender = arg;
	/* The invalid HELO argument is what the text quotes. */
	if (span_eq_cstr(ev.stage, "HELO") && ev.helo.p == NULL &&
	    span_startswith(text, "syntactically invalid argument(s): "))
		ev.helo = ex_after(text, "syntactically invalid argument(s): ");
	ex_code_text(text, &ev, temp ? 451 :
	    span_eq_cstr(ev.stage, "HELO") &&
	    span_startswith(text, "syntactically") ? 501 :
	    span_find(text, "no HELO/EHLO given") != NULL ? 503 : 550);
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_auth_fail - "NAME authenticator failed for HOST: 535 ... (set_id=U)". */
static enum parse_result
ex_auth_fail(const struct ex_ctx *c, struct span s, const char *at)
{
	struct event	 ev;
	struct ex_host	 h;
	struct span	 rest;
	const char	*p;
	size_t		 i;

	ex_event(c, &ev, EV_AUTH_FAIL, true);
	ev.sasl_method.p = s.p;
	ev.sasl_method.n = (size_t)(at - s.p);
	rest = ex_at(s, (size_t)(at - s.p) + strlen(" authenticator failed for "));
	if (!ex_host(c, rest, &h))
		return (PARSE_BAD);
	ex_set_host(&ev, &h);
	rest = ex_at(rest, h.len);
	if (rest.n > 0 && rest.p[0] == ':')
		rest = span_trim(ex_at(rest, 1));
	ex_code_text(rest, &ev, 535);
	if ((p = span_find(rest, "(set_id=")) != NULL) {
		ev.sasl_user.p = p + 8;
		for (i = 0; p + 8 + i < rest.p + rest.n && p[8 + i] != ')'; i++)
			;
		ev.sasl_user.n = i;
	}
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * ex_local - does s start with the user of a local SMTP session (a login
 * name, then the end or a space) rather than a client?
 */
static bool
ex_local(struct span s)
{
	size_t	i;

	for (i = 0; i < s.n && i < 64 && (ASCII_ISALPHA(s.p[i]) ||
	    ASCII_ISDIGIT(s.p[i]) || s.p[i] == '_' || s.p[i] == '-' ||
	    s.p[i] == '.'); i++)
		;
	return (i > 0 && (i == s.n || s.p[i] == ' '));
}

/* ex_local_note - a line of a local SMTP session: EV_INFO, no client. */
static enum parse_result
ex_local_note(const struct ex_ctx *c)
{
	struct event	ev;

	ex_event(c, &ev, EV_INFO, false);
	ev.text = c->body;
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_conn - "... from HOST rest" lines of a session: connect and ends. */
static enum parse_result
ex_conn(const struct ex_ctx *c, struct span s, enum ev_type t)
{
	struct event	 ev;
	struct ex_host	 h;

	if (!ex_host(c, s, &h))
		return (ex_local(s) ? ex_local_note(c) : PARSE_BAD);
	ex_event(c, &ev, t, true);
	ex_set_host(&ev, &h);
	ev.helo = SPAN_NULL;
	ev.text = span_trim(ex_at(s, h.len));
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_conn_from - the part after "SMTP connection from ". */
static enum parse_result
ex_conn_from(const struct ex_ctx *c, struct span s)
{
	struct ex_host	 h;
	struct span	 rest;

	if (!ex_host(c, s, &h))
		return (ex_local(s) ? ex_local_note(c) : PARSE_BAD);
	rest = span_trim(ex_at(s, h.len));
	/* "I=[local]:port" may follow the client */
	if (span_startswith(rest, "I=[")) {
		while (rest.n > 0 && rest.p[0] != ' ')
			rest = ex_at(rest, 1);
		rest = span_trim(rest);
	}
	if (rest.n == 0 || span_startswith(rest, "(TCP/IP connection count"))
		return (ex_conn(c, s, EV_CONNECT));
	if (span_startswith(rest, "closed ") || span_startswith(rest, "lost") ||
	    span_startswith(rest, "D=") || span_startswith(rest, "refused"))
		return (ex_conn(c, s, EV_DISCONNECT));
	return (ex_conn(c, s, EV_INFO));
}

/*
 * ex_refused - "refused connection from HOST (host_reject_connection)" or
 * "connection from HOST refused (IP options)": the client got 554.
 */
static enum parse_result
ex_refused(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;

	if (!ex_host(c, s, &h))
		return (PARSE_BAD);
	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.stage = SPAN_LIT("CONNECT");
	ev.reply_code = 554;
	ex_set_host(&ev, &h);
	ev.text = span_trim(ex_at(s, h.len));
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/*
 * ex_rejected_from - "rejected from <sender>[ H=HOST][ U=user]: text", a
 * message refused while it was received (too large, bad CHUNKING).
 */
static enum parse_result
ex_rejected_from(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;
	size_t		 e, i;

	/* The sender is the client's: it ends at the last "> H=" or ">:". */
	for (e = s.n; e > 1; e--)
		if (s.p[e - 1] == '>' && e < s.n && (s.p[e] == ':' ||
		    (s.p[e] == ' ' && e + 2 < s.n && (s.p[e + 1] == 'H' ||
		    s.p[e + 1] == 'U') && s.p[e + 2] == '=')))
			break;
	if (s.n == 0 || s.p[0] != '<' || e <= 1)
		return (PARSE_BAD);
	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.stage = SPAN_LIT("END-OF-MESSAGE");
	ev.sender.p = s.p + 1;
	ev.sender.n = e - 2;
	s = ex_at(s, e);
	if (span_startswith(s, " H=") && ex_host(c, ex_at(s, 3), &h)) {
		ex_set_host(&ev, &h);
		s = ex_at(s, 3 + h.len);
	}
	for (i = 0; i < s.n && !(s.p[i] == ':' && (i + 1 == s.n ||
	    s.p[i + 1] == ' ')); i++)
		;
	s = span_trim(ex_at(s, i + 1));
	ex_code_text(s, &ev, span_startswith(s, "message too large") ?
	    552 : 554);
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_vrfy - "VRFY failed for ADDR H=HOST [U=ident]": 550 to VRFY. */
static enum parse_result
ex_vrfy(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;
	size_t		 i;

	ex_event(c, &ev, EV_REJECT, true);
	ev.status = SPAN_LIT("reject");
	ev.stage = SPAN_LIT("VRFY");
	ev.reply_code = 550;
	ev.text = c->body;
	/* The address is the client's: the client is the last " H=". */
	for (i = s.n; i > 3; i--)
		if (memcmp(s.p + i - 3, " H=", 3) == 0)
			break;
	if (i > 3 && ex_host(c, ex_at(s, i), &h))
		ex_set_host(&ev, &h);
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_received - "ETRN|ATRN ARG received from HOST": a note of the session. */
static enum parse_result
ex_received(const struct ex_ctx *c, struct span s)
{
	struct event	 ev;
	struct ex_host	 h;
	const char	*p;

	if ((p = span_find(s, " received from ")) == NULL)
		return (PARSE_BAD);
	s = ex_at(s, (size_t)(p - s.p) + 15);
	if (!ex_host(c, s, &h))
		return (ex_local(s) ? ex_local_note(c) : PARSE_BAD);
	ex_event(c, &ev, EV_INFO, true);
	ex_set_host(&ev, &h);
	ev.text = c->body;
	ex_emit(c, &ev);
	return (PARSE_OK);
}

/* ex_ends - "<phrase> from HOST ..." lines that end a session. */
static const char *const ex_ends[] = {
	"unexpected disconnection while reading SMTP command from ",
	"SMTP command timeout on connection from ",
	"SMTP command timeout on TLS connection from ",
	"SMTP data timeout (message abandoned) on connection from ",
	"SMTP incomplete transaction lost",
	"SMTP connection lost after final dot",
	NULL
};

/*
 * ex_smtp - a line without a message id (or an id line that is a
 * refusal after DATA).  PARSE_BAD when it is none of the known forms.
 */
enum parse_result
ex_smtp(const struct ex_ctx *c)
{
	struct span	 b = c->body, rest;
	struct ex_fields f;
	struct event	 ev;
	struct ex_host	 h;
	const char	*p;
	size_t		 i;
	enum parse_result r;

	if (span_startswith(b, "SMTP connection from "))
		return (ex_conn_from(c, ex_after(b, "SMTP connection from ")));
	for (i = 0; ex_ends[i] != NULL; i++)
		if (span_startswith(b, ex_ends[i])) {
			rest = ex_after(b, ex_ends[i]);
			if (span_startswith(rest, " from "))
				rest = ex_after(rest, " from ");
			if (ex_conn(c, rest, EV_DISCONNECT) == PARSE_OK)
				return (PARSE_OK);
			/* no client named: a note, not a session's end */
			ex_event(c, &ev, EV_INFO, false);
			ev.text = b;
			ex_emit(c, &ev);
			return (PARSE_OK);
		}
	if (span_startswith(b, "SMTP protocol error in "))
		return (ex_cmd_error(c, ex_after(b, "SMTP protocol error in "),
		    503));
	if (span_startswith(b, "SMTP syntax error in "))
		return (ex_cmd_error(c, ex_after(b, "SMTP syntax error in "),
		    500));
	if (span_startswith(b, "SMTP protocol synchronization error"))
		return (ex_sync(c, b));
	if (span_startswith(b, "SMTP call from ") &&
	    (p = span_find(b, " dropped: ")) != NULL) {
		rest = ex_after(b, "SMTP call from ");
		ex_event(c, &ev, EV_REJECT, true);
		ev.status = SPAN_LIT("reject");
		ev.stage = SPAN_LIT("CONNECT");
		ev.reply_code = 421;
		if (ex_host(c, rest, &h))
			ex_set_host(&ev, &h);
		ev.text = span_trim(ex_at(b, (size_t)(p - b.p) + 10));
		ex_emit(c, &ev);
		ex_event(c, &ev, EV_DISCONNECT, true);
		if (ex_host(c, rest, &h))
			ex_set_host(&ev, &h);
		ev.helo = SPAN_NULL;
		ev.text = span_trim(ex_at(b, (size_t)(p - b.p) + 1));
		ex_emit(c, &ev);
		return (PARSE_OK);
	}
	if ((p = span_find(b, " authenticator failed for ")) != NULL &&
	    (r = ex_auth_fail(c, b, p)) == PARSE_OK)
		return (r);
	if (span_startswith(b, "refused connection from "))
		return (ex_refused(c, ex_after(b, "refused connection from ")));
	if (span_startswith(b, "connection from ") &&
	    span_endswith(b, " refused (IP options)"))
		return (ex_refused(c, ex_after(b, "connection from ")));
	if (span_startswith(b, "rejected from <"))
		return (ex_rejected_from(c, ex_after(b, "rejected from ")));
	if (span_startswith(b, "VRFY failed for "))
		return (ex_vrfy(c, ex_after(b, "VRFY failed for ")));
	if ((span_startswith(b, "ETRN ") || span_startswith(b, "ATRN ")) &&
	    (r = ex_received(c, b)) == PARSE_OK)
		return (r);
	if (span_startswith(b, "no MAIL in SMTP connection from "))
		return (ex_conn(c, ex_after(b, "no MAIL in SMTP connection from "),
		    EV_INFO));
	if (span_startswith(b, "no host name found for IP address ")) {
		ex_event(c, &ev, EV_INFO, true);
		ev.client_ip = span_trim(ex_after(b,
		    "no host name found for IP address "));
		ev.text = b;
		ex_emit(c, &ev);
		return (PARSE_OK);
	}

	/* "[H=... F=<...> ...] [temporarily] rejected ..." and friends */
	i = ex_fields(c, b, &f);
	rest = ex_at(b, i);
	if (span_startswith(rest, "rejected ") ||
	    span_startswith(rest, "temporarily rejected ")) {
		if (ex_reject(c, &f, rest) == PARSE_OK)
			return (PARSE_OK);
	}
	if (i > 0 && (f.have_host || f.user.n > 0 || f.have_sender)) {
		ex_event(c, &ev, span_startswith(rest, "Warning") ||
		    span_startswith(rest, "sender verify fail") ||
		    span_startswith(rest, "sender verify defer") ?
		    EV_WARNING : EV_INFO, true);
		if (f.have_host)
			ex_set_host(&ev, &f.host);
		if (f.have_sender)
			ev.sender = f.sender;
		ev.text = rest;
		ex_emit(c, &ev);
		return (PARSE_OK);
	}
	if (c->qid.n == 0 && ex_note(b) && !span_startswith(b, "H=") &&
	    !span_startswith(b, "U=") && !span_startswith(b, "F=") &&
	    !span_startswith(b, "rejected ") &&
	    !span_startswith(b, "temporarily rejected ")) {
		ex_event(c, &ev, span_startswith(b, "Warning") ||
		    span_startswith(b, "TLS error") ? EV_WARNING : EV_INFO,
		    false);
		ev.text = b;
		ex_emit(c, &ev);
		return (PARSE_OK);
	}
	return (PARSE_BAD);
}
