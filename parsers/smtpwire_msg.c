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
 * SMTP on the wire: message content.  DATA's body is scanned with
 * memchr() for line ends; only a line that starts with a dot is looked
 * at more closely: "." alone ends the message (RFC 5321 4.1.1.4, with a
 * bare LF accepted as Postfix does, and flagged), another leading dot is
 * stuffing and dropped (4.5.2).  BDAT chunks (RFC 3030) are counted, not
 * scanned.  What remains is the message as transmitted: it is hashed
 * (SHA-256), counted, handed to the optional body sink, and its header
 * section (up to the first empty line, SW_HDR_SCAN_MAX at most) is parsed
 * for the fields in sw_hdr_wanted[], unfolded and cut at 998 bytes, and
 * kept with the message until its reply so that the EV_HEADERs come just
 * before its EV_DATA.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "smtpwire_int.h"
#include "log.h"
#include "xmalloc.h"

/* Header fields made into EV_HEADER events. */
static const char *const sw_hdr_wanted[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
	"X-Originating-IP", "User-Agent", "X-Mailer", "Received",
};

/* A kept header field: this, then the name, then the value. */
struct sw_hrec {
	uint16_t	 nlen;
	uint16_t	 vlen;
	struct flow_pos	 at;
};

/* sw_msg_begin - a message starts: hash, counters, header parser. */
void
sw_msg_begin(struct sw_flow *f)
{
	struct sw_msg	*m;

	m = xcalloc(1, sizeof(*m));
	buf_init(&m->hdrs, SW_HDR_STORE_MAX);
	buf_init(&m->prefix, SW_REPLY_MAX + SMTPWIRE_LINE_MAX);
	m->keep = f->msgs_live < SW_MSG_LIVE_MAX;
	f->msgs_live++;
	if (f->md == NULL && (f->md = EVP_MD_CTX_new()) == NULL)
		fatalx("%s: EVP_MD_CTX_new failed", __func__);
	if (EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1)
		fatalx("%s: SHA-256 unavailable", __func__);
	buf_init(&m->hdr.line, SW_HDR_NAME_MAX + SW_HDR_VALUE_MAX + 2);
	m->hdr.active = true;
	m->hdr.first = true;
	f->msg = m;
	f->msg_owned = true;
	if (f->sw->has_body) {
		m->sink_open = true;
		if (f->sw->body.begin != NULL)
			f->sw->body.begin(f->sw->body.arg, f->info.id);
	}
}

/* sw_sink_end - tell the body sink the message is over. */
static void
sw_sink_end(struct sw_flow *f, struct sw_msg *m, const char *sha)
{
	if (!m->sink_open)
		return;
	m->sink_open = false;
	if (f->sw->body.end != NULL)
		f->sw->body.end(f->sw->body.arg, f->info.id, sha);
}

/* sw_msg_free - forget a message (the active one, or one kept for reply). */
void
sw_msg_free(struct sw_flow *f, struct sw_msg *m)
{
	if (m == NULL)
		return;
	sw_sink_end(f, m, NULL);
	if (f->msg == m)
		f->msg = NULL;
	buf_free(&m->hdrs);
	buf_free(&m->prefix);
	buf_free(&m->hdr.line);
	f->msgs_live--;
	free(m);
}

/* sw_hdr_flush - keep the header field read so far, if wanted. */
static void
sw_hdr_flush(struct sw_flow *f)
{
	struct sw_msg	*m = f->msg;
	struct sw_hdr	*h;
	struct sw_hrec	 rec;

	if (m == NULL || !m->hdr.keep)
		return;
	h = &m->hdr;
	h->keep = false;
	if (!m->keep || m->nhdrs >= SW_HDR_KEEP_MAX || m->hdrs.max -
	    m->hdrs.len < sizeof(rec) + h->name_len + h->value_len)
		return;
	rec.nlen = (uint16_t)h->name_len;
	rec.vlen = (uint16_t)h->value_len;
	rec.at = h->at;
	(void)buf_append(&m->hdrs, &rec, sizeof(rec));
	(void)buf_append(&m->hdrs, h->name, h->name_len);
	(void)buf_append(&m->hdrs, h->value, h->value_len);
	m->nhdrs++;
}

/* sw_hdr_value - add to the value of the field being read (cut at 998). */
static void
sw_hdr_value(struct sw_hdr *h, struct span s)
{
	size_t	room = sizeof(h->value) - h->value_len;

	if (s.n > room)
		s.n = room;
	memcpy(h->value + h->value_len, s.p, s.n);
	h->value_len += s.n;
}

/* sw_hdr_wanted_name - is name one of the fields we report? */
static bool
sw_hdr_wanted_name(struct span name)
{
	size_t	i;

	for (i = 0; i < sizeof(sw_hdr_wanted) / sizeof(sw_hdr_wanted[0]); i++)
		if (span_caseeq_cstr(name, sw_hdr_wanted[i]))
			return (true);
	return (false);
}

/*
 * sw_hdr_line - one physical line of the header section (without its
 * line end).  RFC 5322 2.2.3: a line starting with a blank continues the
 * field (unfolding keeps the blank); an empty line, or one that is not a
 * field, ends the section.
 */
static void
sw_hdr_line(struct sw_flow *f, struct span l, const struct flow_pos *at)
{
	struct sw_hdr	*h = &f->msg->hdr;
	struct span	 name, value;
	size_t		 i;
	bool		 first = h->first;

	h->first = false;
	if (l.n > 0 && l.p[l.n - 1] == '\r')
		l.n--;
	if (l.n == 0) {
		sw_hdr_flush(f);
		h->active = false;
		return;
	}
	if (l.p[0] == ' ' || l.p[0] == '\t') {
		if (h->keep)
			sw_hdr_value(h, l);
		return;
	}
	sw_hdr_flush(f);
	for (i = 0; i < l.n && l.p[i] != ':'; i++)
		if ((unsigned char)l.p[i] <= ' ' ||
		    (unsigned char)l.p[i] >= 0x7f)
			break;
	if (i == 0 || i == l.n || l.p[i] != ':') {
		/* Not a field: the body starts here (an mbox "From " too). */
		if (!first || !span_startswith(l, "From "))
			h->active = false;
		return;
	}
	name.p = l.p;
	name.n = i;
	if (name.n >= sizeof(h->name) || !sw_hdr_wanted_name(name))
		return;
	memcpy(h->name, name.p, name.n);
	h->name_len = name.n;
	value.p = l.p + i + 1;
	value.n = l.n - i - 1;
	while (value.n > 0 && (value.p[0] == ' ' || value.p[0] == '\t')) {
		value.p++;
		value.n--;
	}
	h->value_len = 0;
	sw_hdr_value(h, value);
	h->at = *at;
	h->keep = true;
}

/* sw_hdr_feed - message bytes while still in the header section. */
static void
sw_hdr_feed(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct sw_hdr	*h = &f->msg->hdr;
	struct flow_pos	 at = *pos;
	const uint8_t	*lf;
	uint64_t	 off = pos->offset;
	size_t		 len, room, take;

	while (n > 0 && h->active) {
		lf = memchr(p, '\n', n);
		len = lf != NULL ? (size_t)(lf - p) : n;
		if (h->line.len == 0 && !h->cut)
			h->line_off = off;
		room = h->line.max - h->line.len;
		take = len < room ? len : room;
		if (take > 0)
			(void)buf_append(&h->line, p, take);
		if (take < len)
			h->cut = true;
		h->scanned += len + (lf != NULL);
		if (lf == NULL)
			return;
		at.offset = h->line_off;
		sw_hdr_line(f, buf_span(&h->line), &at);
		buf_reset(&h->line);
		h->cut = false;
		p += len + 1;
		n -= len + 1;
		off += len + 1;
		if (h->active && h->scanned > SW_HDR_SCAN_MAX) {
			sw_hdr_flush(f);
			h->active = false;
		}
	}
}

/* sw_msg_feed - message bytes as transmitted: hash, count, headers. */
static void
sw_msg_feed(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *at)
{
	struct sw_msg	*m = f->msg;

	if (m == NULL || n == 0)
		return;
	(void)EVP_DigestUpdate(f->md, p, n);
	m->size += (int64_t)n;
	if (m->sink_open && f->sw->body.data != NULL)
		f->sw->body.data(f->sw->body.arg, f->info.id, p, n);
	if (m->hdr.active)
		sw_hdr_feed(f, p, n, at);
}

/*
 * sw_msg_finish - the active message ended (at the line at): the hash is
 * taken unless bytes are missing.  The message stays where it is owned.
 */
void
sw_msg_finish(struct sw_flow *f, const struct flow_pos *at)
{
	static const char	 hex[] = "0123456789abcdef";
	struct sw_msg		*m = f->msg;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;

	if (m == NULL)
		return;
	if (m->hdr.active) {
		sw_hdr_flush(f);
		m->hdr.active = false;
	}
	buf_free(&m->hdr.line);
	m->done = true;
	m->end = *at;
	if (!m->gap && EVP_DigestFinal_ex(f->md, md, &mdlen) == 1 &&
	    mdlen == 32) {
		for (i = 0; i < mdlen; i++) {
			m->sha[2 * i] = hex[md[i] >> 4];
			m->sha[2 * i + 1] = hex[md[i] & 0xf];
		}
		m->sha[64] = '\0';
		f->sw->st.messages++;
		sw_sink_end(f, m, m->sha);
	} else {
		f->sw->st.incomplete++;
		sw_sink_end(f, m, NULL);
	}
	f->msg = NULL;
}

/* sw_msg_msgid - the Message-ID of a message, without its < >. */
struct span
sw_msg_msgid(const struct sw_msg *m)
{
	struct sw_hrec	rec;
	struct span	name, v;
	size_t		off;

	for (off = 0; off + sizeof(rec) <= m->hdrs.len; ) {
		memcpy(&rec, m->hdrs.data + off, sizeof(rec));
		name.p = m->hdrs.data + off + sizeof(rec);
		name.n = rec.nlen;
		v.p = name.p + rec.nlen;
		v.n = rec.vlen;
		off += sizeof(rec) + rec.nlen + rec.vlen;
		if (!span_caseeq_cstr(name, "Message-ID"))
			continue;
		v = span_trim(v);
		if (v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>') {
			v.p++;
			v.n -= 2;
		}
		return (v);
	}
	return (SPAN_NULL);
}

/* sw_msg_headers - the EV_HEADER events of a message, in order. */
void
sw_msg_headers(struct sw_flow *f, const struct sw_msg *m)
{
	struct sw_hrec	rec;
	struct event	ev;
	size_t		off;

	if (m == NULL)
		return;
	for (off = 0; off + sizeof(rec) <= m->hdrs.len; ) {
		memcpy(&rec, m->hdrs.data + off, sizeof(rec));
		sw_event(f, &ev, EV_HEADER, &rec.at);
		ev.stage.p = m->hdrs.data + off + sizeof(rec);
		ev.stage.n = rec.nlen;
		ev.text.p = ev.stage.p + rec.nlen;
		ev.text.n = rec.vlen;
		off += sizeof(rec) + rec.nlen + rec.vlen;
		sw_raw_reset(&f->sw->raw2);
		sw_raw_line(&f->sw->raw2, "C: ", ev.stage);
		sw_raw_put(&f->sw->raw2, SPAN_LIT(": "));
		sw_raw_put(&f->sw->raw2, ev.text);
		ev.ref.raw = buf_span(&f->sw->raw2);
		sw_emit(f, &ev);
	}
}

/* sw_body_run - message bytes p[from, to) of the current chunk. */
static void
sw_body_run(struct sw_flow *f, const uint8_t *p, size_t from, size_t to,
    const struct flow_pos *at)
{
	struct flow_pos	pos;

	if (to <= from)
		return;
	pos = *at;
	pos.offset += from;
	sw_msg_feed(f, p + from, to - from, &pos);
}

/* sw_body_end - the "." line ended the message; its reply will come. */
static void
sw_body_end(struct sw_flow *f, const struct flow_pos *at, bool crlf)
{
	struct sw_pend	*pd;
	struct sw_msg	*m = f->msg;
	struct flow_pos	 pos = *at;

	pos.offset = f->b_dot_off;
	if (!crlf || !f->b_crlf)
		sw_warn(f, &pos, "bare-lf-dot", "end of data with a bare LF "
		    "(the shape of SMTP smuggling)", "C: ", SPAN_LIT("."));
	f->cmode = SW_C_CMD;
	f->b_state = SW_B_BOL;
	if (m != NULL)
		sw_msg_finish(f, &pos);
	pd = sw_queue(f, SW_V_EOM, SPAN_LIT("."), &pos);
	pd->msg = m;
}

/*
 * sw_body_data - DATA body bytes; returns how many belong to the message
 * (up to and including its "." line).
 */
size_t
sw_body_data(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *at)
{
	const uint8_t	*lf;
	size_t		 i = 0, run = 0;

	while (i < n) {
		switch (f->b_state) {
		case SW_B_BOL:
			if (p[i] == '.') {
				sw_body_run(f, p, run, i, at);
				f->b_dot_off = at->offset + i;
				f->b_state = SW_B_DOT;
				run = ++i;
				continue;
			}
			break;
		case SW_B_DOT:
			if (p[i] == '\n' || p[i] == '\r') {
				if (p[i] == '\r') {
					f->b_state = SW_B_DOTCR;
					run = ++i;
					continue;
				}
				sw_body_end(f, at, false);
				return (i + 1);
			}
			break;		/* a stuffed dot, dropped */
		case SW_B_DOTCR:
			if (p[i] == '\n') {
				sw_body_end(f, at, true);
				return (i + 1);
			}
			/* ".\r" then more: the dot was stuffing. */
			sw_msg_feed(f, (const uint8_t *)"\r", 1, at);
			break;
		default:
			break;
		}
		f->b_state = SW_B_MID;
		lf = memchr(p + i, '\n', n - i);
		if (lf == NULL) {
			i = n;
			break;
		}
		f->b_crlf = lf > p ? lf[-1] == '\r' : f->b_lastcr;
		i = (size_t)(lf - p) + 1;
		f->b_state = SW_B_BOL;
	}
	sw_body_run(f, p, run, n, at);
	f->b_lastcr = p[n - 1] == '\r';
	return (n);
}

/* sw_bdat_end - the current BDAT chunk is complete. */
void
sw_bdat_end(struct sw_flow *f, const struct flow_pos *at)
{
	f->cmode = SW_C_CMD;
	f->bdat_left = 0;
	if (f->bdat_last && f->msg != NULL)
		sw_msg_finish(f, at);
	f->bdat_last = false;
}

/* sw_bdat_data - octets of a BDAT chunk; returns how many it takes. */
size_t
sw_bdat_data(struct sw_flow *f, const uint8_t *p, size_t n,
    const struct flow_pos *at)
{
	struct flow_pos	pos;
	size_t		k;

	k = (uint64_t)f->bdat_left < n ? (size_t)f->bdat_left : n;
	sw_msg_feed(f, p, k, at);
	f->bdat_left -= (int64_t)k;
	if (f->bdat_left == 0) {
		pos = *at;
		pos.offset += k;
		sw_bdat_end(f, &pos);
	}
	return (k);
}

/* sw_msg_gap - bytes of the active message are missing. */
void
sw_msg_gap(struct sw_flow *f, uint64_t n)
{
	if (f->msg == NULL)
		return;
	f->msg->gap = true;
	f->msg->hdr.active = false;
	f->msg->hdr.keep = false;
	f->b_state = SW_B_MID;
}

/* sw_msg_close - at the end of the flow, a message never finished. */
void
sw_msg_close(struct sw_flow *f, const struct flow_pos *pos)
{
	struct sw_pend	*pd;
	struct sw_msg	*m = f->msg;

	if (m == NULL || !f->msg_owned)
		return;
	if (m->hdr.active) {
		sw_hdr_flush(f);
		m->hdr.active = false;
	}
	f->msg = NULL;
	f->sw->st.incomplete++;
	sw_sink_end(f, m, NULL);
	pd = sw_queue(f, SW_V_EOM, SPAN_NULL, pos);
	pd->msg = m;
	sw_r_eom(f, pd, NULL);
	sw_pop(f);
}
