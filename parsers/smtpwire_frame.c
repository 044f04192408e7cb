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
 * SMTP on the wire: framing and events.  Each direction's bytes are cut
 * at LF into lines (one bounded buffer per direction for a line that
 * spans packets; a line within one packet is read in place), checked
 * (cut, bare CR, NUL) and handed to the client or server side.  Client
 * bytes whose meaning depends on a reply not yet seen are held, with the
 * packets they came in, and read again once it is known.  The events'
 * common fields and their ref.raw renderings are made here too.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpwire_int.h"
#include "xmalloc.h"

/* sw_event - an event of type t about flow f, at position at. */
void
sw_event(struct sw_flow *f, struct event *ev, enum ev_type t,
    const struct flow_pos *at)
{
	ev_init(ev, t);
	ev->time = at->sec;
	ev->usec = at->usec;
	ev->ref.source = f->sw->source;
	ev->ref.line = at->packet;
	ev->ref.offset = at->offset;
	ev->host = span_from_cstr(f->info.server_ip);
	ev->program = SPAN_LIT("smtp-wire");
	ev->service = SPAN_LIT("smtp-wire");
	ev->pid = -1;
	ev->flow = f->info.id;
	ev->client_ip = span_from_cstr(f->info.client_ip);
	ev->client_port = f->info.client_port;
	ev->server_ip = span_from_cstr(f->info.server_ip);
	ev->server_port = f->info.server_port;
}

/* sw_emit - hand ev to the sink. */
void
sw_emit(struct sw_flow *f, struct event *ev)
{
	f->sw->st.events++;
	f->sw->sink(f->sw->arg, ev);
}

/* sw_raw_reset - empty a raw rendering. */
void
sw_raw_reset(struct buf *b)
{
	buf_reset(b);
}

/* sw_raw_put - append as much of s as fits. */
void
sw_raw_put(struct buf *b, struct span s)
{
	size_t	room;

	room = b->max - b->len;
	if (s.n > room)
		s.n = room;
	if (s.n > 0)
		(void)buf_append(b, s.p, s.n);
}

/* sw_raw_line - append one line "<prefix><s>", after a newline if needed. */
void
sw_raw_line(struct buf *b, const char *prefix, struct span s)
{
	if (b->len > 0)
		sw_raw_put(b, SPAN_LIT("\n"));
	sw_raw_put(b, span_from_cstr(prefix));
	sw_raw_put(b, s);
}

/* sw_raw_note - append a line made here, not sent: "* <s>". */
void
sw_raw_note(struct buf *b, const char *s)
{
	sw_raw_line(b, "* ", span_from_cstr(s));
}

/*
 * sw_warn - an anomaly of kind (EV_WARNING status) described by text,
 * citing line after prefix ("C: ", "S: ", "* ").  Callers pass a
 * redacted line for anything that may hold credentials.
 */
void
sw_warn(struct sw_flow *f, const struct flow_pos *at, const char *kind,
    const char *text, const char *prefix, struct span line)
{
	struct event	ev;

	f->sw->st.warnings++;
	if (f->warnings >= SW_WARN_MAX || f->state != SW_SMTP)
		return;
	f->warnings++;
	sw_event(f, &ev, EV_WARNING, at);
	ev.status = span_from_cstr(kind);
	ev.text = span_from_cstr(text);
	sw_raw_reset(&f->sw->raw2);
	if (line.n > SMTPWIRE_LINE_MAX)
		line.n = SMTPWIRE_LINE_MAX;
	sw_raw_line(&f->sw->raw2, prefix, line);
	ev.ref.raw = buf_span(&f->sw->raw2);
	sw_emit(f, &ev);
}

/* sw_server_silent - true while the server has sent nothing at all. */
bool
sw_server_silent(const struct sw_flow *f)
{
	return (f->d[FLOW_S2C].bytes == 0);
}

/*
 * sw_line_warn - flag a line of one direction, citing it (redacted when
 * it may hold credentials).
 */
static void
sw_line_warn(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, const char *kind, const char *text)
{
	struct span	show;

	f->sw->st.bad_lines++;
	if (dir == FLOW_S2C)
		show = line;
	else if (f->cmode == SW_C_SASL || f->cmode == SW_C_SASL_GUESS ||
	    span_casestartswith(line, "AUTH") || sw_b64_like(line))
		show = SPAN_LIT("<redacted>");
	else
		show = line;
	sw_warn(f, at, kind, text, dir == FLOW_S2C ? "S: " : "C: ", show);
}

/*
 * sw_line_long - flag the line being framed as too long.  at is the
 * packet it went over the limit in, or (at_end) the one it ended in when
 * it could not be flagged then; the text names the packet it began in.
 */
static void
sw_line_long(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, bool at_end)
{
	struct sw_dir	*d = &f->d[dir];
	char		 text[160];
	const char	*who = dir == FLOW_C2S ? "client" : "server";

	d->cut_warned = true;
	if (d->line_pkt == at->packet)
		(void)snprintf(text, sizeof(text), "%s line longer than %d "
		    "octets: cut, %s this packet, where it began", who,
		    SMTPWIRE_LINE_MAX, at_end ? "ending in" : "in");
	else
		(void)snprintf(text, sizeof(text), "%s line longer than %d "
		    "octets: cut, %s this packet, begun in packet %llu", who,
		    SMTPWIRE_LINE_MAX, at_end ? "ending in" : "in",
		    (unsigned long long)d->line_pkt);
	sw_line_warn(f, dir, line, at, "long-line", text);
}

/*
 * sw_line_check - flag a cut line (unless it was flagged when it went
 * over the limit), a bare CR or a NUL byte.
 */
static void
sw_line_check(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, bool cut)
{
	if (cut) {
		if (!f->d[dir].cut_warned)
			sw_line_long(f, dir, line, at, true);
	} else if (memchr(line.p, '\r', line.n) != NULL)
		sw_line_warn(f, dir, line, at, "bare-cr", "bare CR in a line");
	else if (memchr(line.p, '\0', line.n) != NULL)
		sw_line_warn(f, dir, line, at, "nul-byte",
		    "NUL byte in a line");
}

/* sw_line_smtp - a line of an SMTP flow: check it, then read it. */
void
sw_line_smtp(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, bool cut)
{
	sw_line_check(f, dir, line, at, cut);
	if (dir == FLOW_C2S)
		sw_client_line(f, line, at, cut);
	else
		sw_server_line(f, line, at, cut);
}

/* sw_line - a complete line of one direction, without its LF. */
void
sw_line(struct sw_flow *f, enum flow_dir dir, struct span line,
    const struct flow_pos *at, bool cut)
{
	if (line.n > 0 && line.p[line.n - 1] == '\r')
		line.n--;
	if (f->state == SW_DETECT) {
		sw_detect_line(f, dir, line, at, cut);
		return;
	}
	if (f->state == SW_SMTP)
		sw_line_smtp(f, dir, line, at, cut);
}

/*
 * sw_frame - take bytes up to and including the next LF from p; a
 * complete line goes to sw_line().  Returns the bytes consumed.
 */
static size_t
sw_frame(struct sw_flow *f, enum flow_dir dir, const uint8_t *p, size_t n,
    const struct flow_pos *at)
{
	struct sw_dir	*d = &f->d[dir];
	const uint8_t	*lf;
	struct flow_pos	 lpos;
	struct span	 line;
	size_t		 len, max, room, take;
	bool		 cut;

	lf = memchr(p, '\n', n);
	len = lf != NULL ? (size_t)(lf - p) : n;
	if (d->skip) {
		if (lf == NULL)
			return (n);
		d->skip = false;
		return (len + 1);
	}
	max = f->state == SW_DETECT ? SW_DETECT_LINE_MAX : SMTPWIRE_LINE_MAX;
	if (d->line.len == 0 && !d->cut) {
		d->line_off = at->offset;
		d->line_pkt = at->packet;
	}
	if (lf != NULL && d->line.len == 0 && !d->cut && len <= max) {
		line.p = (const char *)p;
		line.n = len;
		cut = false;
	} else {
		room = d->line.len < max ? max - d->line.len : 0;
		take = len < room ? len : room;
		if (take > 0 && buf_append(&d->line, p, take) == -1)
			take = 0;
		if (take < len && !d->cut) {
			/* Flagged where it goes over, not where it ends. */
			d->cut = true;
			if (f->state == SW_SMTP) {
				lpos = *at;
				lpos.offset = d->line_off;
				sw_line_long(f, dir, buf_span(&d->line),
				    &lpos, false);
			}
		}
		if (lf == NULL)
			return (n);
		line = buf_span(&d->line);
		cut = d->cut;
	}
	lpos = *at;
	lpos.offset = d->line_off;
	d->lines++;
	sw_line(f, dir, line, &lpos, cut);
	if (d->line.len > 0) {
		if (dir == FLOW_C2S)
			explicit_bzero(d->line.data, d->line.len);
		buf_reset(&d->line);
	}
	d->cut = d->cut_warned = false;
	return (len + 1);
}

/* sw_unreadable - count bytes that cannot be read (TLS, or ignored). */
void
sw_unreadable(struct sw_flow *f, size_t n)
{
	if (f->state == SW_TLS) {
		f->unreadable += n;
		f->sw->st.unreadable_bytes += n;
	} else
		f->sw->st.other_bytes += n;
}

/*
 * sw_hold_compact - move the held bytes not yet read (and their segments)
 * to the front.  Called only when at least half the buffer, or of the
 * segments, is dead, so each byte moves a bounded number of times.
 */
static void
sw_hold_compact(struct sw_flow *f)
{
	size_t	live = f->hold.len - f->hold_off;

	if (f->hold_off > 0) {
		memmove(f->hold.data, f->hold.data + f->hold_off, live);
		f->hold.len = live;
		f->hold.data[live] = '\0';
		f->hold_off = 0;
	}
	if (f->hseg_first > 0) {
		memmove(f->hsegs, f->hsegs + f->hseg_first,
		    (f->nhsegs - f->hseg_first) * sizeof(f->hsegs[0]));
		f->nhsegs -= f->hseg_first;
		f->hseg_first = 0;
	}
}

/*
 * sw_hold_put - keep n more client bytes and the packet they came in;
 * false when they do not fit.
 */
static bool
sw_hold_put(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *at)
{
	struct sw_hold_seg	*s;
	bool			 extend;

	if (n > SW_HOLD_MAX - (f->hold.len - f->hold_off))
		return (false);
	if (f->hsegs == NULL)
		f->hsegs = xcalloc(SW_HOLD_SEGS, sizeof(*f->hsegs));
	s = f->nhsegs > f->hseg_first ? &f->hsegs[f->nhsegs - 1] : NULL;
	extend = s != NULL && s->pos.packet == at->packet &&
	    s->pos.offset + s->len == at->offset;
	if (!extend && f->nhsegs == SW_HOLD_SEGS) {
		if (f->hseg_first < SW_HOLD_SEGS / 2)
			return (false);
		sw_hold_compact(f);
	}
	if (n > f->hold.max - f->hold.len)
		sw_hold_compact(f);
	if (buf_append(&f->hold, p, n) == -1)
		return (false);
	if (extend)
		f->hsegs[f->nhsegs - 1].len += n;
	else {
		s = &f->hsegs[f->nhsegs++];
		s->len = n;
		s->pos = *at;
	}
	return (true);
}

/*
 * sw_hold_overflow - a reply did not come before SW_HOLD_MAX more client
 * bytes: assume the usual one (354, 220) or give the thread up.
 */
static void
sw_hold_overflow(struct sw_flow *f, const struct flow_pos *at)
{
	struct sw_pend	*pd;

	sw_warn(f, at, "hold-overflow", "no reply to the command before "
	    "64 KiB more from the client", "* ", SPAN_LIT("hold overflow"));
	pd = f->qlen > 0 ? &f->q[(f->qhead + f->qlen - 1) % f->qcap] : NULL;
	if (pd != NULL && pd->verb == SW_V_DATA) {
		sw_data_assume(f, pd);
		sw_hold_release(f);
	} else if (pd != NULL && pd->verb == SW_V_STARTTLS)
		sw_tls_assumed(f);
	else
		sw_resync(f);
}

/* sw_hold_drop - forget held bytes (wiped: they may be credentials). */
void
sw_hold_drop(struct sw_flow *f)
{
	if (f->hold.data != NULL)
		explicit_bzero(f->hold.data, f->hold.len);
	buf_reset(&f->hold);
	f->hold_off = 0;
	f->nhsegs = f->hseg_first = 0;
	f->blocked = false;
	f->replay = false;
}

/*
 * sw_client_take - client bytes read in the current mode, in stream
 * order, until the client must wait for a reply.  Returns the bytes
 * taken (all of them unless it blocked).
 */
static size_t
sw_client_take(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct flow_pos	at = *pos;
	size_t		k, used = 0;

	while (used < n) {
		if (f->state == SW_TLS || f->state == SW_OTHER) {
			sw_unreadable(f, n - used);
			return (n);
		}
		if (f->blocked)
			break;
		switch (f->cmode) {
		case SW_C_BODY:
			k = sw_body_data(f, p + used, n - used, &at);
			break;
		case SW_C_BDAT:
			k = sw_bdat_data(f, p + used, n - used, &at);
			break;
		case SW_C_TLS_GUESS:
			if (p[used] == 0x16) {
				sw_tls_assumed(f);
				continue;
			}
			f->cmode = SW_C_CMD;
			/* FALLTHROUGH */
		default:
			k = sw_frame(f, FLOW_C2S, p + used, n - used, &at);
			break;
		}
		used += k;
		at.offset += k;
	}
	return (used);
}

/*
 * sw_hold_release - read the held bytes now that their reply is known,
 * in place, until they are done or the client must wait again.
 */
void
sw_hold_release(struct sw_flow *f)
{
	struct sw_hold_seg	*s;
	size_t			 k;

	f->replay = false;
	f->blocked = false;
	while (f->hseg_first < f->nhsegs && !f->blocked) {
		s = &f->hsegs[f->hseg_first];
		k = sw_client_take(f, (const uint8_t *)f->hold.data +
		    f->hold_off, s->len, &s->pos);
		if (f->nhsegs == 0)
			return;		/* dropped meanwhile */
		f->hold_off += k;
		if (k < s->len) {
			s->len -= k;
			s->pos.offset += k;
			break;
		}
		f->hseg_first++;
	}
	if (f->hseg_first == f->nhsegs) {
		if (f->hold.data != NULL)
			explicit_bzero(f->hold.data, f->hold.len);
		buf_reset(&f->hold);
		f->hold_off = 0;
		f->nhsegs = f->hseg_first = 0;
	}
}

/* sw_client_input - client bytes as reassembly delivers them. */
void
sw_client_input(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct flow_pos	at = *pos;
	size_t		k;

	while (n > 0) {
		if (!f->blocked) {
			k = sw_client_take(f, p, n, &at);
			p += k;
			n -= k;
			at.offset += k;
			if (n == 0)
				return;
		}
		if (sw_hold_put(f, p, n, &at))
			return;
		sw_hold_overflow(f, &at);
	}
}

/* sw_server_input - server bytes, in stream order. */
void
sw_server_input(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct flow_pos	at = *pos;
	size_t		k;

	while (n > 0) {
		if (f->state == SW_TLS || f->state == SW_OTHER) {
			sw_unreadable(f, n);
			return;
		}
		k = sw_frame(f, FLOW_S2C, p, n, &at);
		p += k;
		n -= k;
		at.offset += k;
	}
}
