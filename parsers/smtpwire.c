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
 * SMTP on the wire: flows and detection, and the events this parser
 * makes.  The input is the two byte streams of one TCP connection as
 * reassembly delivers them (flow.h), written by strangers: any byte may
 * come, in any amount.  Framing is in smtpwire_frame.c, commands in
 * smtpwire_cmd.c, replies in smtpwire_reply.c, message content in
 * smtpwire_msg.c, AUTH in smtpwire_auth.c.
 *
 * Detection.  A flow is SMTP when the server's first line is a greeting
 * (220, or a 421/554 refusal; not an FTP server's 220) or the client's
 * first line is an SMTP verb; a first client byte 0x16 (a TLS record) on
 * port 465 is implicit TLS.  Anything else is ignored after one line, at
 * the cost of a comparison per packet.  A flow picked up without its
 * start (no SYN, or a gap first) is read from the first line that is a
 * reply, or a command with the right syntax.
 *
 * Framing.  Lines end at LF, with or without CR; a bare CR, a NUL or a
 * line longer than SMTPWIRE_LINE_MAX is an anomaly (EV_WARNING), the long
 * line being cut there and the rest of it skipped to the next LF.  A
 * multi-line reply ("250-...") ends at its line without the hyphen and
 * answers the oldest command waiting (RFC 2920): up to
 * SMTPWIRE_PENDING_MAX commands may wait; past that the oldest is taken
 * as unanswered and its reply, if it ever comes, skipped.  After DATA,
 * AUTH, a SASL response and STARTTLS the meaning of the client's next
 * bytes depends on the reply, so they are held (SW_HOLD_MAX) until it
 * comes.  When the server has sent nothing at all (a one-sided capture)
 * the positive reply is assumed instead.  After a gap the pending
 * commands are given up (unanswered), the client is read again only from
 * a command with the right syntax and replies are not paired blindly: a
 * reply of the wrong class for the oldest command, or a 2xx that is not
 * its own (221 to QUIT, 2.1.5 to RCPT), is dropped.  At any time a 354 or
 * 334 that finds DATA or AUTH waiting behind other commands goes to it,
 * the commands before it unanswered (the pairing had drifted).
 *
 * Events (event.h, "Wire events").  Every event has flow, client_ip/port,
 * server_ip/port, host = the server's address, program = service =
 * "smtp-wire", pid -1, and ref.source = the index given to smtpwire_new().
 * time and ref.line come from the packet that completed the line cited,
 * ref.offset is that line's offset in its direction's stream.  ref.raw
 * cites the line sent, "C: " for the client and "S: " for the server; an
 * event about a command and its reply cites both, one line each, joined
 * with "\n" ("C: RCPT TO:<a@b>\nS: 250 2.1.5 Ok"); a multi-line reply
 * gives all its lines (at most SW_REPLY_MAX bytes of them, then a note).
 * Lines made here, not sent, start with "* ".  Credentials never appear:
 * an AUTH line is "C: AUTH PLAIN <redacted>", a SASL response "C:
 * <redacted>".  For command events time/ref are the command's; reply
 * fields are reply_code (0 = no reply seen: the connection ended, the
 * reply fell in a gap, or the capture is one-sided), dsn (the enhanced
 * status code of the first line) and text (the text of each reply line
 * after its codes, joined with "\n").
 *
 *  EV_CONNECT	 once the flow is SMTP; time of the first packet; text
 *		 "mid-stream" when its start was not seen; raw
 *		 "* connect [client]:port -> [server]:port"
 *  EV_BANNER	 the greeting: reply_code, dsn, text (ref: the reply)
 *  EV_HELO	 stage "HELO" or "EHLO", helo = the argument, reply
 *  EV_TLS	 text "STARTTLS" with the 220 reply (reply_code 0 when
 *		 none was seen but a TLS record followed), or "implicit
 *		 TLS"; the rest of the connection is unreadable
 *  EV_AUTH	 2xx to AUTH: sasl_method (upper case), sasl_user when the
 *		 mechanism shows it (PLAIN authcid, LOGIN user name,
 *		 CRAM-MD5, XOAUTH2 user=, OAUTHBEARER a=, SCRAM n=), reply;
 *		 raw is the whole exchange, redacted, from the AUTH line
 *  EV_AUTH_FAIL	 4xx/5xx ending an AUTH: the same fields
 *  EV_MAIL	 sender (between < >, empty for <>), size (the SIZE=
 *		 parameter, -1 if none), text2 (the parameters), reply
 *  EV_RCPT	 rcpt exactly as written between < >, text2 (parameters),
 *		 reply
 *  EV_DATA	 stage "DATA" when DATA itself was refused (reply_code
 *		 4xx/5xx, no message), else "END-OF-MESSAGE": the reply to
 *		 the end of data (or to BDAT ... LAST), size = octets as
 *		 transmitted (dot-unstuffed), text2 = their SHA-256 in hex,
 *		 message_id (Message-ID header, without < >), nrcpt (RCPTs
 *		 accepted in the transaction), queue_id from a 2xx reply;
 *		 status "incomplete" (and no text2) when bytes are missing.
 *		 DATA: ref is the "." line, raw "C: DATA\nS: 354 ...\nC: .\n
 *		 S: 250 ...".  BDAT: ref and raw are the LAST chunk's
 *  EV_HEADER	 before the EV_DATA of its message: stage = header name as
 *		 written, text = value unfolded (first 998 bytes), raw
 *		 "C: Name: value", for From, To, Cc, Subject, Date,
 *		 Message-ID, Reply-To, X-Originating-IP, User-Agent,
 *		 X-Mailer and each Received
 *  EV_RSET	 the reply to RSET
 *  EV_INFO	 stage = the verb for the other commands (VRFY, EXPN,
 *		 HELP, NOOP, QUIT, ETRN, XCLIENT, XFORWARD, STARTTLS not
 *		 accepted, BDAT chunks but the LAST, malformed MAIL, RCPT or
 *		 BDAT with status "malformed", AUTH without a reply seen),
 *		 "UNKNOWN" for unknown commands, "REPLY" for a reply nothing
 *		 asked for (421 timeout; ref is the reply); text2 = the
 *		 argument (the line for UNKNOWN; "<redacted>" when it looks
 *		 like base64)
 *  EV_GAP	 size = bytes missing, text "client" or "server", raw
 *		 "* N bytes missing from the client"
 *  EV_WARNING	 status = the kind ("long-line", "bare-cr", "nul-byte",
 *		 "bad-reply", "reply-mismatch", "bad-bdat", "bad-base64",
 *		 "queue-full", "hold-overflow", "bare-lf-dot", "tcp"),
 *		 text = what; at most SW_WARN_MAX per flow, all counted.
 *		 A long line is flagged when it goes over the limit: ref
 *		 is that packet (a line may go on for gigabytes), the text
 *		 names the packet the line began in, raw cites its start
 *  EV_DISCONNECT	 at the end: status = "FIN", "RST", "timeout", "EOF" or
 *		 "truncated", text = "QUIT" when the client sent QUIT, else
 *		 the same; counters as Postfix writes them ("ehlo=1 mail=1
 *		 rcpt=0/1 quit=1 commands=3/4"); size = bytes unreadable
 *		 after TLS (-1 without TLS); raw "* close: FIN"
 *
 * Memory per flow is bounded by the constants in smtpwire_int.h; no size
 * sent by the client is ever used to allocate.
 */

#include "config.h"

#include "smtpwire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "smtpwire_int.h"
#include "xmalloc.h"

/* Ports where a TLS record first means SMTP over implicit TLS. */
static const uint16_t sw_tls_ports[] = { 465 };

static const char *const sw_end_names[] = {
	[FLOW_END_FIN] = "FIN",
	[FLOW_END_RST] = "RST",
	[FLOW_END_TIMEOUT] = "timeout",
	[FLOW_END_EOF] = "EOF",
	[FLOW_END_CAP] = "truncated",
};

/* sw_open - a new connection: its state, undecided. */
static void *
sw_open(void *arg, const struct flow_info *fi)
{
	struct smtpwire	*sw = arg;
	struct sw_flow	*f;
	int		 i;

	f = xcalloc(1, sizeof(*f));
	f->sw = sw;
	f->info = *fi;
	f->info.client_ip[sizeof(f->info.client_ip) - 1] = '\0';
	f->info.server_ip[sizeof(f->info.server_ip) - 1] = '\0';
	f->state = SW_DETECT;
	for (i = 0; i < 2; i++)
		buf_init(&f->d[i].line, SMTPWIRE_LINE_MAX);
	/* Twice the live limit: compaction moves less than it frees. */
	buf_init(&f->hold, 2 * SW_HOLD_MAX);
	buf_init(&f->ptext, 2 * SW_PTEXT_MAX);
	buf_init(&f->r.lines, SW_REPLY_MAX);
	buf_init(&f->r.text, SW_REPLY_MAX);
	buf_init(&f->auth.raw, SW_AUTH_RAW_MAX);
	f->next = sw->flows;
	if (sw->flows != NULL)
		sw->flows->prev = f;
	sw->flows = f;
	sw->st.flows++;
	return (f);
}

/* sw_flow_free - release a flow, wiping what may have held secrets. */
static void
sw_flow_free(struct sw_flow *f)
{
	struct smtpwire	*sw = f->sw;
	int		 i;

	while (f->qlen > 0) {
		sw_msg_free(f, f->q[f->qhead].msg);
		f->qhead = (f->qhead + 1) % f->qcap;
		f->qlen--;
	}
	free(f->q);
	if (f->msg != NULL)
		sw_msg_free(f, f->msg);
	if (f->md != NULL)
		EVP_MD_CTX_free(f->md);
	for (i = 0; i < 2; i++) {
		if (f->d[i].line.data != NULL)
			explicit_bzero(f->d[i].line.data, f->d[i].line.cap);
		buf_free(&f->d[i].line);
	}
	sw_hold_drop(f);
	buf_free(&f->hold);
	buf_free(&f->ptext);
	buf_free(&f->r.lines);
	buf_free(&f->r.text);
	sw_auth_reset(&f->auth);
	buf_free(&f->auth.raw);
	free(f->hsegs);
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		sw->flows = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	free(f);
}

/* sw_other - the flow is not SMTP: ignore the rest of it. */
static void
sw_other(struct sw_flow *f)
{
	if (f->state == SW_OTHER)
		return;
	f->state = SW_OTHER;
	f->sw->st.other_flows++;
}

/* sw_connect_raw - the made-up line EV_CONNECT cites. */
static struct span
sw_connect_raw(struct sw_flow *f)
{
	char	line[160];
	int	n;

	n = snprintf(line, sizeof(line), "connect [%s]:%u -> [%s]:%u%s",
	    f->info.client_ip, f->info.client_port, f->info.server_ip,
	    f->info.server_port, f->resync ? " (mid-stream)" : "");
	if (n < 0)
		line[0] = '\0';
	sw_raw_reset(&f->sw->raw);
	sw_raw_note(&f->sw->raw, line);
	return (buf_span(&f->sw->raw));
}

/* sw_detected - the flow is SMTP: say so and expect the greeting. */
static void
sw_detected(struct sw_flow *f)
{
	struct event	ev;

	f->state = SW_SMTP;
	f->sw->st.smtp_flows++;
	if (!f->info.saw_syn || f->gapped) {
		f->sw->st.midstream_flows++;
		f->resync = true;
		f->unsure = true;
	}
	sw_event(f, &ev, EV_CONNECT, &f->info.start);
	ev.ref.offset = 0;
	if (f->resync)
		ev.text = SPAN_LIT("mid-stream");
	ev.ref.raw = sw_connect_raw(f);
	sw_emit(f, &ev);
	if (!f->resync)
		(void)sw_queue(f, SW_V_CONNECT, SPAN_NULL, &f->info.start);
}

/* sw_go_tls - TLS started: the rest of both streams is unreadable. */
void
sw_go_tls(struct sw_flow *f)
{
	int	i;

	if (f->state != SW_TLS)
		f->sw->st.tls_flows++;
	f->state = SW_TLS;
	f->unreadable += f->hold.len;
	f->sw->st.unreadable_bytes += f->hold.len;
	sw_hold_drop(f);
	for (i = 0; i < 2; i++) {
		if (f->d[i].line.data != NULL)
			explicit_bzero(f->d[i].line.data, f->d[i].line.len);
		buf_reset(&f->d[i].line);
		f->d[i].cut = f->d[i].cut_warned = f->d[i].skip = false;
	}
}

/* sw_tls_port - is port one where SMTP starts in TLS? */
static bool
sw_tls_port(uint16_t port)
{
	size_t	i;

	for (i = 0; i < sizeof(sw_tls_ports) / sizeof(sw_tls_ports[0]); i++)
		if (sw_tls_ports[i] == port)
			return (true);
	return (false);
}

/*
 * sw_detect_first - look at the first bytes of a direction.  Returns true
 * when they settle the flow (implicit TLS, or not SMTP).
 */
static bool
sw_detect_first(struct sw_flow *f, enum flow_dir dir, const uint8_t *p,
    size_t n, const struct flow_pos *pos)
{
	struct event	ev;

	if (dir == FLOW_C2S && p[0] == 0x16 && (n < 2 || p[1] == 0x03)) {
		if (!sw_tls_port(f->info.server_port)) {
			sw_other(f);
			return (true);
		}
		sw_detected(f);
		sw_event(f, &ev, EV_TLS, pos);
		ev.text = SPAN_LIT("implicit TLS");
		sw_raw_reset(&f->sw->raw);
		sw_raw_note(&f->sw->raw, "TLS record from the client: "
		    "implicit TLS");
		ev.ref.raw = buf_span(&f->sw->raw);
		sw_emit(f, &ev);
		sw_go_tls(f);
		return (true);
	}
	if (!f->info.saw_syn || f->gapped || pos->offset != 0)
		return (false);
	if (dir == FLOW_C2S ? !ASCII_ISALPHA(p[0]) : !ASCII_ISDIGIT(p[0])) {
		sw_other(f);
		return (true);
	}
	return (false);
}

/* sw_banner_like - is line an SMTP greeting (not an FTP server's)? */
static bool
sw_banner_like(struct span line)
{
	struct span	text;

	if (!span_startswith(line, "220") && !span_startswith(line, "421") &&
	    !span_startswith(line, "554"))
		return (false);
	text = line;
	text.p += 3;
	text.n -= 3;
	return (span_find(text, "SMTP") != NULL || span_find(text, "smtp") !=
	    NULL || (span_find(text, "FTP") == NULL && span_find(text,
	    "ftp") == NULL));
}

/* sw_detect_line - decide from a complete line whether this is SMTP. */
void
sw_detect_line(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, bool cut)
{
	bool		 strict = f->info.saw_syn && !f->gapped;
	struct span	 arg;
	enum sw_verb	 v;

	f->detect_lines[dir]++;
	if (dir == FLOW_S2C) {
		if (!cut && sw_reply_like(line) &&
		    (!strict || sw_banner_like(line))) {
			sw_detected(f);
			sw_line_smtp(f, dir, line, at, cut);
			return;
		}
		if (strict || f->detect_lines[dir] >= SW_DETECT_SERVER_LINES)
			sw_other(f);
		return;
	}
	if (!cut) {
		v = sw_verb_lookup(line, &arg);
		if (v != SW_V_UNKNOWN && (strict || sw_verb_sync(v, arg))) {
			sw_detected(f);
			sw_line_smtp(f, dir, line, at, cut);
			return;
		}
	}
	if (strict || f->d[dir].bytes > SW_DETECT_CLIENT_MAX)
		sw_other(f);
}

/* sw_data - flow_sink data: in-order bytes of one direction. */
static void
sw_data(void *arg, void *fs, enum flow_dir dir, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct sw_flow	*f = fs;
	bool		 first;

	if (f == NULL || p == NULL || n == 0 || (dir != FLOW_C2S &&
	    dir != FLOW_S2C))
		return;
	first = f->d[dir].bytes == 0;
	f->d[dir].bytes += n;
	if (f->state == SW_OTHER || f->state == SW_TLS) {
		sw_unreadable(f, n);
		return;
	}
	if (f->state == SW_DETECT && first &&
	    sw_detect_first(f, dir, p, n, pos)) {
		sw_unreadable(f, n);
		return;
	}
	if (dir == FLOW_C2S)
		sw_client_input(f, p, n, pos);
	else
		sw_server_input(f, p, n, pos);
}

/*
 * sw_resync - the conversation lost its thread (a gap, an overflow): the
 * pending commands are unanswered, held bytes dropped, and the client is
 * read again from a command with the right syntax.
 */
void
sw_resync(struct sw_flow *f)
{
	sw_hold_drop(f);
	sw_queue_flush(f);
	f->skip_replies = 0;
	f->resync = true;
	f->unsure = true;
	if (f->cmode != SW_C_BODY && f->cmode != SW_C_BDAT)
		f->cmode = SW_C_CMD;
	sw_auth_reset(&f->auth);
}

/* sw_gap - flow_sink gap: n bytes of one direction are missing. */
static void
sw_gap(void *arg, void *fs, enum flow_dir dir, uint64_t n,
    const struct flow_pos *pos)
{
	struct sw_flow	*f = fs;
	struct sw_dir	*d;
	struct event	 ev;
	char		 note[96];

	if (f == NULL || (dir != FLOW_C2S && dir != FLOW_S2C))
		return;
	f->sw->st.gaps++;
	f->sw->st.gap_bytes += n;
	d = &f->d[dir];
	if (d->line.data != NULL)
		explicit_bzero(d->line.data, d->line.len);
	buf_reset(&d->line);
	d->cut = d->cut_warned = d->skip = false;
	if (f->state == SW_DETECT) {
		f->gapped = true;
		return;
	}
	if (f->state != SW_SMTP) {
		if (f->state == SW_TLS)
			f->unreadable += n;
		return;
	}
	sw_event(f, &ev, EV_GAP, pos);
	ev.size = n > INT64_MAX ? INT64_MAX : (int64_t)n;
	ev.text = dir == FLOW_C2S ? SPAN_LIT("client") : SPAN_LIT("server");
	(void)snprintf(note, sizeof(note), "%llu bytes missing from the %s",
	    (unsigned long long)n, dir == FLOW_C2S ? "client" : "server");
	sw_raw_reset(&f->sw->raw);
	sw_raw_note(&f->sw->raw, note);
	ev.ref.raw = buf_span(&f->sw->raw);
	sw_emit(f, &ev);
	if (dir == FLOW_S2C) {
		sw_reply_reset(&f->r);
		sw_resync(f);
		return;
	}
	if (f->cmode == SW_C_BODY) {
		sw_msg_gap(f, n);
		return;
	}
	if (f->cmode == SW_C_BDAT && (uint64_t)f->bdat_left > n) {
		sw_msg_gap(f, n);
		f->bdat_left -= (int64_t)n;
		return;
	}
	if (f->cmode == SW_C_BDAT) {
		/* The chunk ended inside the gap; so did some commands. */
		sw_msg_gap(f, 0);
		sw_bdat_end(f, pos);
	} else if (f->msg != NULL)
		sw_msg_gap(f, 0);
	sw_resync(f);
}

/* sw_anomaly - flow_sink anomaly: something reassembly wants recorded. */
static void
sw_anomaly(void *arg, void *fs, const char *what, const struct flow_pos *pos)
{
	struct sw_flow	*f = fs;
	struct span	 s;

	if (f == NULL)
		return;
	f->sw->st.anomalies++;
	if (f->state != SW_SMTP || what == NULL)
		return;
	s = span_from_cstr(what);
	if (s.n > 200)
		s.n = 200;
	sw_warn(f, pos, "tcp", what, "* ", s);
}

/* sw_disconnect - the EV_DISCONNECT closing a session. */
static void
sw_disconnect(struct sw_flow *f, enum flow_end end, const struct flow_pos *pos)
{
	struct event	 ev;
	const char	*word = "EOF";
	char		 note[64];

	if ((size_t)end < sizeof(sw_end_names) / sizeof(sw_end_names[0]) &&
	    sw_end_names[end] != NULL)
		word = sw_end_names[end];
	sw_event(f, &ev, EV_DISCONNECT, pos);
	ev.status = span_from_cstr(word);
	ev.text = f->quit ? SPAN_LIT("QUIT") : ev.status;
	if (f->state == SW_TLS)
		ev.size = f->unreadable > INT64_MAX ? INT64_MAX :
		    (int64_t)f->unreadable;
	sw_counters(f, &f->sw->raw2);
	ev.counters = buf_span(&f->sw->raw2);
	(void)snprintf(note, sizeof(note), "close: %s", word);
	sw_raw_reset(&f->sw->raw);
	sw_raw_note(&f->sw->raw, note);
	ev.ref.raw = buf_span(&f->sw->raw);
	sw_emit(f, &ev);
}

/* sw_close - flow_sink close: finish what is open and free the flow. */
static void
sw_close(void *arg, void *fs, enum flow_end end, const struct flow_pos *pos)
{
	struct sw_flow	*f = fs;
	struct span	 rest;
	struct flow_pos	 at;
	int		 dir;

	if (f == NULL)
		return;
	/* A last line without its LF still counts; commands first. */
	for (dir = FLOW_C2S; dir <= FLOW_S2C; dir++) {
		if (f->d[dir].line.len == 0 || (f->state != SW_DETECT &&
		    f->state != SW_SMTP) ||
		    f->blocked || (dir == FLOW_C2S && (f->cmode == SW_C_BODY ||
		    f->cmode == SW_C_BDAT)))
			continue;
		rest = buf_span(&f->d[dir].line);
		at = *pos;
		at.offset = f->d[dir].line_off;
		sw_line(f, dir, rest, &at, f->d[dir].cut);
		if (f->d[dir].line.data != NULL)
			explicit_bzero(f->d[dir].line.data,
			    f->d[dir].line.len);
		buf_reset(&f->d[dir].line);
	}
	if (f->state == SW_DETECT)
		sw_other(f);
	if (f->state == SW_SMTP || f->state == SW_TLS) {
		sw_queue_flush(f);
		sw_msg_close(f, pos);
		sw_disconnect(f, end, pos);
	}
	sw_flow_free(f);
}

/*
 * smtpwire_new - a parser for one source: events go to sink(arg, ev),
 * with ref.source = source.
 */
struct smtpwire *
smtpwire_new(ev_sink sink, void *arg, uint32_t source)
{
	struct smtpwire	*sw;

	sw = xcalloc(1, sizeof(*sw));
	sw->sink = sink;
	sw->arg = arg;
	sw->source = source;
	buf_init(&sw->raw, SW_RAW_MAX);
	buf_init(&sw->raw2, SW_RAW_MAX);
	return (sw);
}

/*
 * smtpwire_free - free the parser.  Flows still open (never closed by
 * reassembly) are freed without events; close them first to get those.
 */
void
smtpwire_free(struct smtpwire *sw)
{
	if (sw == NULL)
		return;
	while (sw->flows != NULL)
		sw_flow_free(sw->flows);
	buf_free(&sw->raw);
	buf_free(&sw->raw2);
	free(sw);
}

/* smtpwire_flow_sink - the callbacks to give TCP reassembly. */
struct flow_sink
smtpwire_flow_sink(struct smtpwire *sw)
{
	struct flow_sink	fs;

	memset(&fs, 0, sizeof(fs));
	fs.arg = sw;
	fs.open = sw_open;
	fs.data = sw_data;
	fs.gap = sw_gap;
	fs.anomaly = sw_anomaly;
	fs.close = sw_close;
	return (fs);
}

/* smtpwire_set_body - also hand each message's bytes to body (copied). */
void
smtpwire_set_body(struct smtpwire *sw, const struct smtpwire_body *body)
{
	if (body == NULL) {
		sw->has_body = false;
		return;
	}
	sw->body = *body;
	sw->has_body = true;
}

/* smtpwire_stats - the counters so far; valid until smtpwire_free(). */
const struct smtpwire_stats *
smtpwire_stats(const struct smtpwire *sw)
{
	return (&sw->st);
}
