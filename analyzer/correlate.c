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
 * Correlation of events into sessions, messages and recipients.
 *
 * A session opens at connect and closes at disconnect; a line about a
 * session whose connect we never saw (the log starts in the middle) opens
 * it implicitly.  A message opens at its first line (client=, pickup,
 * cleanup message-id, or anything naming its queue id) and closes at
 * "removed".  Refused transactions (NOQUEUE) have no queue id: the
 * refusals of one session with the same sender in a row form one
 * attempt, held by the session.  Each gets its row id when it opens, so
 * evidence lines can point at it at once, and its row when first written
 * (close, or the checkpoint before its source's commit); see
 * correlate_int.h.
 * Everything here is untrusted text: it is stored, never interpreted
 * beyond the fields the parser split out.
 */

#include "config.h"

#include "correlate.h"
#include "correlate_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "classify.h"
#include "evpipe.h"
#include "compat.h"
#include "hmap.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* Room for a decoded address as address_format() writes it. */
#define ADDR_TEXT_MAX	(2 * ADDR_LOCAL_MAX + ADDR_DOMAIN_MAX + 8)

static struct csess	*sess_find(struct corr *, const struct event *);
static void		 rindex_free(struct cmsg *);

/* corr_set_str - replace *dst with a copy of sp when sp is not empty. */
void
corr_set_str(char **dst, struct span sp)
{
	if (sp.n == 0)
		return;
	if (*dst != NULL && strlen(*dst) == sp.n &&
	    memcmp(*dst, sp.p, sp.n) == 0)
		return;
	free(*dst);
	*dst = span_dup(sp);
}

/* corr_fill_str - set *dst from sp only if it has no value yet. */
void
corr_fill_str(char **dst, struct span sp)
{
	if (*dst == NULL)
		corr_set_str(dst, sp);
}

/* cbytes_set - *b becomes a copy of sp's bytes (NULL when sp is empty). */
static void
cbytes_set(struct cbytes *b, struct span sp)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
	if (sp.p == NULL || sp.n == 0)
		return;
	b->p = xmalloc(sp.n);
	memcpy(b->p, sp.p, sp.n);
	b->n = sp.n;
}

static struct span
cbytes_span(const struct cbytes *b)
{
	return ((struct span){ b->p, b->n });
}

/* corr_copy_str - replace *dst with a copy of the C string s (or NULL). */
void
corr_copy_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

struct corr *
corr_new(struct store *st)
{
	struct corr	*c;

	c = xcalloc(1, sizeof(*c));
	c->st = st;
	hmap_init(&c->sessions);
	hmap_init(&c->messages);
	buf_init(&c->key, 4096);
	evblock_init(&c->evblk);
	c->have_txn_log = -1;
	return (c);
}

/* corr_set_source - the stored source the following events come from. */
void
corr_set_source(struct corr *c, int64_t source_id)
{
	sqlite3_stmt	*s;

	corr_evidence_flush(c);
	/* Every row of the sources before is written (corr_checkpoint()). */
	s = store_stmt(c->st, STMT_NEXT_IDS);
	if (sqlite3_step(s) != SQLITE_ROW)
		fatalx("%s: cannot read the row ids", __func__);
	c->next_session = sqlite3_column_int64(s, 0) + 1;
	c->next_message = sqlite3_column_int64(s, 1) + 1;
	c->next_rcpt = sqlite3_column_int64(s, 2) + 1;
	evblock_start(&c->evblk, sqlite3_column_int64(s, 3) + 1, source_id);
	sqlite3_reset(s);
	c->source_id = source_id;
	/* The file: the first source of the chain it continues. */
	c->file_id = source_id;
	s = store_prepare(c->st, "WITH RECURSIVE up(id, cont) AS (SELECT id,"
	    " continues FROM sources WHERE id = ?1 UNION ALL SELECT s.id,"
	    " s.continues FROM sources s JOIN up ON s.id = up.cont)"
	    " SELECT id FROM up WHERE cont IS NULL LIMIT 1");
	store_bind_i64(s, 1, source_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		c->file_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	/*
	 * Messages an earlier run left open, which a line may continue.
	 * Those of this run are in memory until closed: one closed before
	 * its removal can be continued too (msg_close()).
	 */
	if (!c->resume_known) {
		s = store_prepare(c->st, "SELECT EXISTS (SELECT 1 FROM"
		    " messages WHERE removed = 0 AND evidence_kind != 'wire')");
		c->resumable = evpipe_plain() || (sqlite3_step(s) ==
		    SQLITE_ROW && sqlite3_column_int(s, 0) != 0);
		sqlite3_finalize(s);
		c->resume_known = true;
	}
	snprintf(c->source_tag, sizeof(c->source_tag), "source %lld",
	    (long long)source_id);
	corr_check_wire(c);
	c->have_txn_log = -1;
}

/*
 * corr_set_locality - judge each recipient by loc as it is written, so
 * that the whole-store pass after the ingest rewrites only the rows
 * inference changes.  loc must outlive the correlator's use.
 */
void
corr_set_locality(struct corr *c, const struct locality *loc)
{
	c->loc = loc;
}

void
corr_stats(const struct corr *c, struct corr_stats *out)
{
	*out = c->stats;
}

/* corr_bind_time - bind epoch t as ISO text at i and integer at i + 1. */
static void
corr_bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	char	iso[32];

	store_time_iso(t, iso);
	store_bind_text(s, i, iso);
	store_bind_i64(s, i + 1, t);
}

/* corr_bind_id - bind a row id, or NULL for 0. */
static void
corr_bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	store_bind_opt_i64(s, i, id, id != 0);
}

/* ev_bind - bind evidence row i of the batch at parameter base + 1..10. */
static void
ev_bind(struct corr *c, sqlite3_stmt *s, int base, size_t i)
{
	store_bind_i64(s, base + 1, c->evb[i].source);
	store_bind_i64(s, base + 2, c->evb[i].line);
	store_bind_i64(s, base + 3, c->evb[i].offset);
	store_bind_i64(s, base + 4, c->evb[i].epoch);
	sqlite3_bind_text(s, base + 5, c->evb[i].event, -1, SQLITE_STATIC);
	corr_bind_id(s, base + 6, c->evb[i].session);
	corr_bind_id(s, base + 7, c->evb[i].message);
	store_bind_i64(s, base + 8, c->evb[i].block);
	store_bind_i64(s, base + 9, (int64_t)c->evb[i].pos);
	store_bind_i64(s, base + 10, (int64_t)c->evb[i].len);
}

/*
 * corr_evidence_rows - write the evidence rows kept back: a full batch
 * with one statement, the rest one by one.  In the order they came, so
 * the rows and their ids are those one INSERT each would give.  Enough
 * for queries on evidence_lines; their text may still be in the block
 * being filled.
 */
void
corr_evidence_rows(struct corr *c)
{
	struct buf	 sql;
	sqlite3_stmt	*s;
	size_t		 i;

	if (c->nevb == CORR_EVBATCH) {
		if (c->evins == NULL) {
			buf_init(&sql, 64 * 1024);
			(void)buf_printf(&sql, "INSERT INTO evidence_lines"
			    " (source_id, line, offset, epoch, event,"
			    " session_id, message_id, block_id, pos, len)"
			    " VALUES");
			for (i = 0; i < CORR_EVBATCH; i++)
				(void)buf_printf(&sql,
				    "%s(?,?,?,?,?,?,?,?,?,?)", i > 0 ? "," : "");
			(void)buf_putc(&sql, '\0');
			c->evins = store_prepare(c->st, sql.data);
			buf_free(&sql);
		}
		s = c->evins;
		for (i = 0; i < CORR_EVBATCH; i++)
			ev_bind(c, s, (int)i * 10, i);
		store_step_done(c->st, s);
	} else
		for (i = 0; i < c->nevb; i++) {
			s = store_stmt(c->st, STMT_EVIDENCE_INSERT);
			ev_bind(c, s, 0, i);
			store_step_done(c->st, s);
		}
	c->nevb = 0;
}

/*
 * corr_evidence_flush - write the evidence rows kept back and the block
 * of their lines (the next lines go to a new block).
 */
void
corr_evidence_flush(struct corr *c)
{
	corr_evidence_rows(c);
	evblock_flush(&c->evblk, c->st);
}

/* corr_evidence - store the event's line, tied to a session/message. */
void
corr_evidence(struct corr *c, const struct event *ev, int64_t session_id,
    int64_t message_id)
{
	struct evblock	*b = &c->evblk;
	struct span	 raw = ev->ref.raw;
	size_t		 i;

	if (c->source_id == 0)
		return;
	/* Several events of one line, about the same rows: one line. */
	if (ev->ref.line == c->ev_line && ev->ref.offset == c->ev_offset &&
	    session_id == c->ev_session && message_id == c->ev_message &&
	    c->source_id == c->ev_source)
		return;
	c->ev_line = ev->ref.line;
	c->ev_offset = ev->ref.offset;
	c->ev_session = session_id;
	c->ev_message = message_id;
	c->ev_source = c->source_id;
	if (evblock_full(b, raw.n))
		evblock_next(b, c->st);
	i = c->nevb++;
	c->evb[i].source = c->source_id;
	c->evb[i].line = (int64_t)ev->ref.line;
	c->evb[i].offset = (int64_t)ev->ref.offset;
	c->evb[i].epoch = ev->time;
	c->evb[i].event = ev_type_name(ev->type);
	c->evb[i].session = session_id;
	c->evb[i].message = message_id;
	c->evb[i].block = b->id;
	c->evb[i].pos = evblock_add(b, ev->ref.line, ev->ref.offset,
	    raw.p != NULL ? raw.p : "", raw.n);
	c->evb[i].len = b->last_len;
	c->stats.evidence++;
	if (c->nevb == CORR_EVBATCH)
		corr_evidence_rows(c);
}

/* corr_key - build "a NUL b NUL c" in c->key; returns its span. */
static struct span
corr_key(struct corr *c, struct span a, struct span b, struct span d)
{
	buf_reset(&c->key);
	(void)buf_append_span(&c->key, a);
	(void)buf_putc(&c->key, '\0');
	(void)buf_append_span(&c->key, b);
	(void)buf_putc(&c->key, '\0');
	(void)buf_append_span(&c->key, d);
	return (buf_span(&c->key));
}

/* --- messages ------------------------------------------------------- */

/* msg_has_taken - has any recipient of m not been refused? */
static bool
msg_has_taken(const struct cmsg *m)
{
	size_t	i;

	for (i = 0; i < m->nrcpts; i++)
		if (!m->rcpts[i].refused)
			return (true);
	return (false);
}

/* nonempty - s, or NULL when it is empty (as store_bind_text() stores it). */
static const char *
nonempty(const char *s)
{
	return (s != NULL && *s != '\0' ? s : NULL);
}

/*
 * rcpt_write - store recipient r of message m, if new or changed, judged
 * by the correlator's locality; sdom is the domain of m's sender.
 */
static void
rcpt_write(struct corr *c, const struct cmsg *m, struct crcpt *r,
    const char *sdom)
{
	sqlite3_stmt		*s;
	struct address		 a, fa;
	struct judge_in		 in;
	struct judgement	 j;
	char			 dec[ADDR_TEXT_MAX];

	if (!r->fresh && !r->dirty)
		return;
	s = store_stmt(c->st, r->fresh ? STMT_RCPT_INSERT : STMT_RCPT_UPDATE);
	store_bind_i64(s, 1, r->id);
	store_bind_span(s, 2, cbytes_span(&r->stage));
	store_bind_opt_i64(s, 3, r->reply_code, r->reply_code > 0);
	store_bind_span(s, 4, cbytes_span(&r->reply_text));
	store_bind_span(s, 5, cbytes_span(&r->dsn));
	store_bind_text(s, 6, r->outcome != NULL ? r->outcome : "accepted");
	store_bind_span(s, 7, cbytes_span(&r->relay));
	store_bind_i64(s, 8, r->attempts);
	store_bind_i64(s, 9, r->blocklisted);
	store_bind_i64(s, 10, r->last_epoch);
	if (r->final != NULL) {
		sqlite3_bind_text(s, 11, r->final, -1, SQLITE_TRANSIENT);
		(void)address_decode(span_from_cstr(r->final), &fa);
		store_bind_text(s, 12, fa.domain);
	}
	(void)address_decode(span_from_cstr(r->orig), &a);
	if (r->fresh) {
		store_bind_i64(s, 13, m->id);
		sqlite3_bind_text(s, 14, r->orig, -1, SQLITE_TRANSIENT);
		address_format(&a, dec, sizeof(dec));
		store_bind_text(s, 15, dec);
		store_bind_text(s, 16, a.domain);
		store_bind_text(s, 17, a.surface);
		if (a.trick != ADDR_TRICK_NONE)
			store_bind_text(s, 18, address_trick_name(a.trick));
		store_bind_i64(s, 19, r->first_epoch);
	}
	if (c->loc != NULL) {
		in.rcpt_domain = nonempty(a.domain);
		in.surface_domain = nonempty(a.surface);
		in.trick = a.trick != ADDR_TRICK_NONE ?
		    address_trick_name(a.trick) : NULL;
		in.outcome = r->outcome != NULL ? r->outcome : "accepted";
		in.origin = m->origin;
		in.sender_raw = m->sender_raw;
		in.sender_domain = sdom;
		in.client_ip = nonempty(m->client_ip);
		in.auth_user = nonempty(m->auth_user);
		in.reply_code = r->reply_code > 0 ? r->reply_code : 0;
		classify_judge(c->loc, &in, &j);
		store_bind_text(s, 20, j.direction);
		store_bind_text(s, 21, j.authority);
		store_bind_text(s, 22, j.verdict);
		store_bind_i64(s, 23, j.tricked);
	} else
		store_bind_i64(s, 23, 0);
	store_step_done(c->st, s);
	r->fresh = r->dirty = false;
}

/* corr_msg_write - store the message's current state, and its recipients'. */
void
corr_msg_write(struct corr *c, struct cmsg *m)
{
	sqlite3_stmt	*s;
	struct address	 a;
	char		 dec[ADDR_TEXT_MAX];
	char		 iso[32];
	const char	*sdom;
	size_t		 i;

	s = store_stmt(c->st, m->fresh ? STMT_MESSAGE_INSERT :
	    STMT_MESSAGE_UPDATE);
	store_bind_i64(s, 1, m->id);
	corr_bind_id(s, 2, m->session_id);
	store_bind_text(s, 3, m->origin);
	corr_bind_id(s, 4, m->parent_id);
	store_bind_text(s, 5, m->client_ip);
	store_bind_text(s, 6, m->client_name);
	store_bind_text(s, 7, m->helo);
	store_bind_text(s, 8, m->auth_user);
	sdom = NULL;
	if (m->sender_raw != NULL) {
		sqlite3_bind_text(s, 9, m->sender_raw, -1, SQLITE_TRANSIENT);
		(void)address_decode(span_from_cstr(m->sender_raw), &a);
		if (!(a.flags & ADDR_F_NULL)) {
			address_format(&a, dec, sizeof(dec));
			store_bind_text(s, 10, dec);
			store_bind_text(s, 11, a.domain);
			sdom = nonempty(a.domain);
		}
	}
	store_bind_opt_i64(s, 12, m->size, m->size >= 0);
	store_bind_opt_i64(s, 13, m->nrcpt, m->nrcpt >= 0);
	store_bind_text(s, 14, m->message_id);
	/*
	 * A queue file that never got its data (the client quit after RCPT:
	 * no cleanup, qmgr or delivery line) was not accepted mail.
	 */
	store_bind_i64(s, 15, m->accepted && (m->adopted ||
	    !(m->origin != NULL && strcmp(m->origin, "smtpd") == 0 &&
	    m->size < 0 && m->message_id == NULL && !msg_has_taken(m))));
	store_bind_i64(s, 16, m->removed);
	store_time_iso(m->last_epoch, iso);
	store_bind_text(s, 17, iso);
	store_bind_i64(s, 18, m->last_epoch);
	if (m->queue_id != NULL)
		store_bind_text(s, 19, m->queue_id);
	else if (m->key != NULL)
		store_bind_text(s, 19, m->key + strlen(m->key) + 1);
	store_bind_text(s, 20, m->subject);
	store_bind_text(s, 21, m->header_from);
	store_bind_text(s, 22, m->body_sha256);
	store_bind_text(s, 23, m->evidence != NULL ? m->evidence : "log");
	if (m->fresh) {
		store_bind_text(s, 24, m->server);
		corr_bind_time(s, 25, m->first_epoch);
	}
	store_step_done(c->st, s);
	m->fresh = false;
	for (i = 0; i < m->nrcpts; i++)
		rcpt_write(c, m, &m->rcpts[i], sdom);
}

/* corr_msg_free - release a message's memory (its row stays). */
void
corr_msg_free(struct cmsg *m)
{
	size_t	i;

	if (m == NULL)
		return;
	rindex_free(m);
	for (i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i].orig);
		free(m->rcpts[i].final);
		free(m->rcpts[i].stage.p);
		free(m->rcpts[i].reply_text.p);
		free(m->rcpts[i].dsn.p);
		free(m->rcpts[i].relay.p);
	}
	free(m->rcpts);
	free(m->key);
	free(m->server);
	free(m->client_ip);
	free(m->client_name);
	free(m->helo);
	free(m->auth_user);
	free(m->sender_raw);
	free(m->message_id);
	free(m->queue_id);
	free(m->subject);
	free(m->header_from);
	free(m->body_sha256);
	free(m);
}

/*
 * corr_msg_new - a new message (its row is written later) and its
 * in-memory state.  The row takes its queue id from m->key or m->queue_id.
 */
struct cmsg *
corr_msg_new(struct corr *c, const struct event *ev, const char *origin,
    int64_t session_id, bool accepted)
{
	struct cmsg	*m;

	m = xcalloc(1, sizeof(*m));
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	m->origin = origin;
	m->session_id = session_id;
	m->accepted = accepted;
	m->size = m->nrcpt = -1;
	m->last_epoch = ev->time;
	m->evidence = span_eq_cstr(ev->program, "smtp-wire") ? "wire" : "log";
	m->first_epoch = ev->time;
	m->fresh = true;
	m->id = c->next_message++;
	c->stats.messages++;
	return (m);
}

/* msg_close - write a message for the last time and forget it. */
static void
msg_close(struct corr *c, struct cmsg *m)
{
	if (m == NULL)
		return;
	corr_msg_write(c, m);
	if (!m->removed)
		c->resumable = true;
	if (m->key != NULL)
		(void)hmap_del(&c->messages, m->key, m->klen);
	corr_msg_free(m);
}

/* msg_find - the open message with this queue id on this server. */
static struct cmsg *
msg_find(struct corr *c, const struct event *ev, struct span queue_id)
{
	struct span	k;

	k = corr_key(c, ev->host, queue_id, SPAN_NULL);
	return (hmap_get(&c->messages, k.p, k.n));
}

/* msg_track - keep m open under ev's server and queue_id. */
static void
msg_track(struct corr *c, struct cmsg *m, const struct event *ev,
    struct span queue_id)
{
	struct span	k;

	k = corr_key(c, ev->host, queue_id, SPAN_NULL);
	m->key = xmalloc(k.n);
	memcpy(m->key, k.p, k.n);
	m->klen = k.n;
	hmap_put(&c->messages, m->key, m->klen, m);
}

/* msg_open - open a new queued message, closing a reused queue id. */
static struct cmsg *
msg_open(struct corr *c, const struct event *ev, struct span queue_id,
    const char *origin, int64_t session_id)
{
	struct cmsg	*m;
	struct csess	*se;

	if ((m = msg_find(c, ev, queue_id)) != NULL) {
		/*
		 * Sendmail logs a transaction's refusals before its from=
		 * line, with the same queue id: that is this message, not
		 * an earlier one whose queue id is reused.
		 */
		if (strcmp(origin, "smtpd") == 0 &&
		    strcmp(m->origin, "unknown") == 0 && m->size < 0 &&
		    (m->session_id == 0 || m->session_id == session_id)) {
			m->origin = "smtpd";
			m->session_id = session_id;
			return (m);
		}
		msg_close(c, m);
	}
	if (c->have_wire && strcmp(origin, "smtpd") == 0 &&
	    (m = corr_adopt_message(c, ev, queue_id)) != NULL)
		session_id = m->session_id;
	else if (ev->flow != 0 && strcmp(origin, "smtpd") == 0 &&
	    (se = sess_find(c, ev)) != NULL && se->resumed &&
	    (m = corr_adopt_txn(c, se, ev)) != NULL)
		session_id = m->session_id;
	else
		m = corr_msg_new(c, ev, origin, session_id, true);
	msg_track(c, m, ev, queue_id);
	return (m);
}

/* msg_get - the open message for queue_id, opened as "unknown" if new. */
static struct cmsg *
msg_get(struct corr *c, const struct event *ev, struct span queue_id)
{
	struct cmsg	*m;

	if ((m = msg_find(c, ev, queue_id)) != NULL)
		return (m);
	if ((m = corr_resume_message(c, ev, queue_id)) != NULL) {
		msg_track(c, m, ev, queue_id);
		return (m);
	}
	return (msg_open(c, ev, queue_id, "unknown", 0));
}

/*
 * Finding a message's recipient.  A message has a few recipients, or (a
 * spammer's transaction) tens of thousands: up to RINDEX_MIN they are
 * searched in order, beyond it through hash maps over the same array,
 * which give the same answer as the search in order:
 *   orig        the first recipient given as orig;
 *   final       orig NUL final: the first with that final address;
 *   decoded     local NUL domain of orig decoded: the first so decoded
 *               (made when the message is first joined to a capture).
 * Values are indexes into rcpts plus one.  A recipient whose final
 * address is unknown is always the first given as its orig: one is only
 * added without a final address when no recipient has that orig yet.
 */
#define RINDEX_MIN	256

struct rindex {
	struct hmap	orig;
	struct hmap	final;
	struct hmap	decoded;
	bool		have_decoded;
	struct buf	key;
};

/* rindex_key2 - "a NUL b" in ri->key. */
static struct span
rindex_key2(struct rindex *ri, const char *a, size_t an, const char *b,
    size_t bn)
{
	buf_reset(&ri->key);
	(void)buf_append(&ri->key, a, an);
	(void)buf_putc(&ri->key, '\0');
	(void)buf_append(&ri->key, b, bn);
	return (buf_span(&ri->key));
}

/* rindex_first - put key -> i unless the key is there (first wins). */
static void
rindex_first(struct hmap *h, struct span k, size_t i)
{
	if (hmap_get(h, k.p, k.n) == NULL)
		hmap_put(h, k.p, k.n, (void *)(uintptr_t)(i + 1));
}

static void
rindex_decoded_add(struct rindex *ri, const struct crcpt *r, size_t i)
{
	struct address	a;

	(void)address_decode(span_from_cstr(r->orig), &a);
	rindex_first(&ri->decoded, rindex_key2(ri, a.local, strlen(a.local),
	    a.domain, strlen(a.domain)), i);
}

/* rindex_add - index recipient i of m. */
static void
rindex_add(struct cmsg *m, size_t i)
{
	struct rindex	*ri = m->ri;
	struct crcpt	*r = &m->rcpts[i];
	size_t		 on = strlen(r->orig);

	rindex_first(&ri->orig, (struct span){ r->orig, on }, i);
	if (r->final != NULL)
		rindex_first(&ri->final, rindex_key2(ri, r->orig, on,
		    r->final, strlen(r->final)), i);
	if (ri->have_decoded)
		rindex_decoded_add(ri, r, i);
}

/*
 * corr_rcpt_added - the last of m->rcpts is new (here, or loaded from
 * the store): index it, or all of them once there are enough.
 */
void
corr_rcpt_added(struct cmsg *m)
{
	size_t	i;

	if (m->ri != NULL) {
		rindex_add(m, m->nrcpts - 1);
		return;
	}
	if (m->nrcpts < RINDEX_MIN)
		return;
	m->ri = xcalloc(1, sizeof(*m->ri));
	hmap_init(&m->ri->orig);
	hmap_init(&m->ri->final);
	hmap_init(&m->ri->decoded);
	buf_init(&m->ri->key, ADDR_TEXT_MAX * 2 + 2);
	for (i = 0; i < m->nrcpts; i++)
		rindex_add(m, i);
}

/* rindex_free - release m's index. */
static void
rindex_free(struct cmsg *m)
{
	if (m->ri == NULL)
		return;
	hmap_free(&m->ri->orig);
	hmap_free(&m->ri->final);
	hmap_free(&m->ri->decoded);
	buf_free(&m->ri->key);
	free(m->ri);
	m->ri = NULL;
}

/* rindex_val - the recipient a map gives for key, or NULL. */
static struct crcpt *
rindex_val(struct cmsg *m, struct hmap *h, struct span k)
{
	uintptr_t	v = (uintptr_t)hmap_get(h, k.p, k.n);

	return (v == 0 ? NULL : &m->rcpts[v - 1]);
}

/* rcpt_set_final - r's final address is now known. */
static void
rcpt_set_final(struct cmsg *m, struct crcpt *r, struct span final)
{
	size_t	i = (size_t)(r - m->rcpts);

	r->final = span_dup(final);
	if (m->ri == NULL)
		return;
	rindex_first(&m->ri->final, rindex_key2(m->ri, r->orig,
	    strlen(r->orig), final.p, final.n), i);
}

/*
 * rcpt_find - the first recipient of m given as orig whose final address
 * is final, or is unknown, or either when final is empty.
 */
static struct crcpt *
rcpt_find(struct cmsg *m, struct span orig, struct span final)
{
	struct crcpt	*r;
	size_t		 i;

	if (m->ri == NULL) {
		for (i = 0; i < m->nrcpts; i++) {
			r = &m->rcpts[i];
			if (span_eq_cstr(orig, r->orig) && (r->final == NULL ||
			    final.n == 0 || span_eq_cstr(final, r->final)))
				return (r);
		}
		return (NULL);
	}
	r = rindex_val(m, &m->ri->orig, orig);
	if (final.n == 0 || r == NULL || r->final == NULL)
		return (r);
	return (rindex_val(m, &m->ri->final, rindex_key2(m->ri, orig.p,
	    orig.n, final.p, final.n)));
}

/* corr_rcpt_decoded - the recipient of m whose decoded address is orig's. */
static struct crcpt *
corr_rcpt_decoded(struct cmsg *m, struct span orig)
{
	struct address	a, b;
	size_t		i;

	(void)address_decode(orig, &a);
	if (m->ri != NULL) {
		if (!m->ri->have_decoded) {
			m->ri->have_decoded = true;
			for (i = 0; i < m->nrcpts; i++)
				rindex_decoded_add(m->ri, &m->rcpts[i], i);
		}
		return (rindex_val(m, &m->ri->decoded, rindex_key2(m->ri,
		    a.local, strlen(a.local), a.domain, strlen(a.domain))));
	}
	for (i = 0; i < m->nrcpts; i++) {
		(void)address_decode(span_from_cstr(m->rcpts[i].orig), &b);
		if (strcmp(a.local, b.local) == 0 &&
		    strcmp(a.domain, b.domain) == 0)
			return (&m->rcpts[i]);
	}
	return (NULL);
}

/* corr_msg_rcpt - find or add the recipient (orig, final) of message m. */
struct crcpt *
corr_msg_rcpt(struct corr *c, struct cmsg *m, const struct event *ev,
    struct span orig, struct span final)
{
	struct crcpt	*r;

	/*
	 * The same recipient: the same address as given, and the same final
	 * address unless one side does not know it yet (an accepted RCPT
	 * before its delivery line).  A row from a capture holds the address
	 * exactly as sent, which the log may show rewritten (a source route
	 * stripped): then the decoded forms must agree.
	 */
	if ((r = rcpt_find(m, orig, final)) != NULL ||
	    (m->adopted && (r = corr_rcpt_decoded(m, orig)) != NULL)) {
		if (r->final == NULL && final.n > 0)
			rcpt_set_final(m, r, final);
		return (r);
	}
	if (m->nrcpts == m->rcap) {
		m->rcap = m->rcap == 0 ? 4 : m->rcap * 2;
		m->rcpts = xreallocarray(m->rcpts, m->rcap, sizeof(*r));
	}
	r = &m->rcpts[m->nrcpts++];
	memset(r, 0, sizeof(*r));
	r->orig = span_dup(orig);
	r->final = final.n > 0 ? span_dup(final) : NULL;
	corr_rcpt_added(m);

	r->fresh = true;
	r->outcome = "accepted";
	r->first_epoch = r->last_epoch = ev->time;
	r->id = c->next_rcpt++;
	c->stats.recipients++;
	return (r);
}

/* corr_blocklisted - does a remote reply name a DNS blocklist? */
static bool
corr_blocklisted(struct span text)
{
	static const char *const words[] = {
		"spamhaus", "spamcop", "barracuda", "blocked using",
		"listed at", "listed in", "blocklist", "blacklist", "dnsbl",
		"sorbs", "rbl", "block list", "black list", NULL
	};
	char	low[1024];
	size_t	i, n = text.n < sizeof(low) - 1 ? text.n : sizeof(low) - 1;

	for (i = 0; i < n; i++)
		low[i] = ASCII_TOLOWER(text.p[i]);
	low[n] = '\0';
	for (i = 0; words[i] != NULL; i++)
		if (span_find((struct span){ low, n }, words[i]) != NULL)
			return (true);
	return (false);
}

/* corr_outcome - our outcome word for a delivery status. */
static const char *
corr_outcome(const struct event *ev)
{
	if (span_eq_cstr(ev->status, "sent")) {
		if (span_eq_cstr(ev->relay, "none") &&
		    span_find(ev->text, "discarded") != NULL)
			return ("discarded");
		return ("delivered");
	}
	if (span_eq_cstr(ev->status, "deferred"))
		return ("deferred");
	if (span_eq_cstr(ev->status, "bounced") ||
	    span_eq_cstr(ev->status, "expired") ||
	    span_eq_cstr(ev->status, "undeliverable"))
		return ("bounced");
	return (NULL);
}

/*
 * corr_rcpt_update - record one result for recipient r: a reply to RCPT,
 * an arrival that names it (Exim's "for", a tracking log's RECEIVE), or a
 * delivery attempt.  Only a delivery attempt counts as one.
 */
void
corr_rcpt_update(struct corr *c, struct crcpt *r, const struct event *ev,
    const char *outcome, bool blocklisted)
{
	(void)c;
	if (ev->type == EV_DELIVERY)
		r->attempts++;
	r->refused = strcmp(outcome, "rejected") == 0;
	cbytes_set(&r->stage, ev->stage);
	r->reply_code = ev->reply_code;
	cbytes_set(&r->reply_text, ev->text);
	cbytes_set(&r->dsn, ev->dsn);
	r->outcome = outcome;
	cbytes_set(&r->relay, ev->relay);
	r->blocklisted = blocklisted;
	r->last_epoch = ev->time;
	r->dirty = true;
}

/* --- sessions ------------------------------------------------------- */

/* sess_key - the session key of the process that logged ev. */
static struct span
sess_key(struct corr *c, const struct event *ev)
{
	char	pid[24];

	if (ev->flow != 0) {
		/*
		 * A connection in a capture (its id is the source's), or a
		 * session id a log names (the same across rotated files).
		 */
		snprintf(pid, sizeof(pid), "#%llu", (unsigned long long)ev->flow);
		return (corr_key(c, span_eq_cstr(ev->program, "smtp-wire") ?
		    span_from_cstr(c->source_tag) : ev->host, ev->program,
		    span_from_cstr(pid)));
	}
	if (span_eq_cstr(ev->service, "postscreen") || ev->pid < 0) {
		char	port[8];

		snprintf(port, sizeof(port), "%u", ev->client_port);
		buf_reset(&c->key);
		(void)buf_append_span(&c->key, ev->host);
		(void)buf_putc(&c->key, '\0');
		(void)buf_append_span(&c->key, ev->program);
		(void)buf_putc(&c->key, '\0');
		(void)buf_append_span(&c->key, ev->client_ip);
		(void)buf_putc(&c->key, '\0');
		(void)buf_append(&c->key, port, strlen(port));
		return (buf_span(&c->key));
	}
	snprintf(pid, sizeof(pid), "%lld", (long long)ev->pid);
	return (corr_key(c, ev->host, ev->program, span_from_cstr(pid)));
}

/* sess_write - store the session's current state. */
static void
sess_write(struct corr *c, struct csess *se)
{
	sqlite3_stmt	*s;

	s = store_stmt(c->st, se->fresh ? STMT_SESSION_INSERT :
	    STMT_SESSION_UPDATE);
	store_bind_i64(s, 1, se->id);
	store_bind_text(s, 2, se->client_ip);
	store_bind_opt_i64(s, 3, se->client_port, se->client_port > 0);
	store_bind_text(s, 4, se->client_name);
	store_bind_text(s, 5, se->helo);
	store_bind_i64(s, 6, se->tls);
	store_bind_text(s, 7, se->auth_method);
	store_bind_text(s, 8, se->auth_user);
	store_bind_i64(s, 9, se->auth_failures);
	if (se->end_epoch != INT64_MIN)
		corr_bind_time(s, 10, se->end_epoch);
	store_bind_text(s, 12, se->counters);
	store_bind_i64(s, 13, se->messages);
	store_bind_i64(s, 14, se->rejects);
	store_bind_text(s, 15, se->kind);
	store_bind_text(s, 16, se->banner);
	store_bind_i64(s, 17, se->unreadable);
	store_bind_i64(s, 18, se->incomplete);
	if (se->fresh) {
		store_bind_text(s, 19, se->server);
		store_bind_text(s, 20, se->program);
		store_bind_opt_i64(s, 21, se->pid, se->pid >= 0);
		corr_bind_time(s, 22, se->start_epoch);
		if (se->flow != 0)
			store_bind_i64(s, 24, (int64_t)se->flow);
		store_bind_text(s, 25, se->server_ip);
		store_bind_opt_i64(s, 26, se->server_port,
		    se->server_port > 0);
	}
	store_step_done(c->st, s);
	se->fresh = false;
}

/* corr_sess_close_attempt - end the session's current refused transaction. */
void
corr_sess_close_attempt(struct corr *c, struct csess *se)
{
	if (se->attempt != NULL) {
		corr_msg_write(c, se->attempt);
		corr_msg_free(se->attempt);
		se->attempt = NULL;
	}
}

/* corr_sess_close - write a session for the last time and forget it. */
void
corr_sess_close(struct corr *c, struct csess *se)
{
	size_t	slot;

	corr_sess_close_attempt(c, se);
	sess_write(c, se);
	if (se->client_ip != NULL) {
		slot = c->nrecent++ % CORR_RECENT;
		strlcpy(c->recent[slot].ip, se->client_ip,
		    sizeof(c->recent[slot].ip));
		c->recent[slot].port = (uint16_t)se->client_port;
		c->recent[slot].id = se->id;
	}
	(void)hmap_del(&c->sessions, se->key, se->klen);
	free(se->key);
	free(se->client_ip);
	free(se->client_name);
	free(se->helo);
	free(se->auth_method);
	free(se->auth_user);
	free(se->counters);
	free(se->banner);
	free(se->server);
	free(se->program);
	free(se->server_ip);
	free(se);
}

/* corr_sess_open - open a session for ev's process, closing a stale one. */
struct csess *
corr_sess_open(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	struct span	 k;

	k = sess_key(c, ev);
	if ((se = hmap_get(&c->sessions, k.p, k.n)) != NULL) {
		if (corr_dup_adopt(c, se, ev)) {
			/* Its refusals came from a file read before. */
			se->implicit = false;
			se->source = c->source_id;
			corr_fill_str(&se->client_name, ev->client_name);
			return (se);
		}
		corr_sess_close(c, se);
		k = sess_key(c, ev);
	}
	se = xcalloc(1, sizeof(*se));
	se->key = xmalloc(k.n);
	memcpy(se->key, k.p, k.n);
	se->klen = k.n;
	se->end_epoch = INT64_MIN;
	se->source = c->source_id;
	se->implicit = ev->type != EV_CONNECT;
	corr_set_str(&se->client_ip, ev->client_ip);
	corr_set_str(&se->client_name, ev->client_name);
	se->client_port = ev->client_port;
	se->wire = span_eq_cstr(ev->program, "smtp-wire");
	se->kind = se->wire ? "wire" : "log";
	hmap_put(&c->sessions, se->key, se->klen, se);
	if (!se->wire && c->have_wire && ev->type == EV_CONNECT &&
	    corr_adopt_session(c, se, ev))
		return (se);
	if (!se->wire && (ev->type != EV_CONNECT || ev->flow != 0) &&
	    corr_resume_session(c, se, ev))
		return (se);
	/* What only the insert sets, for when the row is written. */
	se->fresh = true;
	se->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	se->program = ev->program.n > 0 ? span_dup(ev->program) : NULL;
	se->pid = ev->pid;
	se->start_epoch = ev->time;
	se->flow = ev->flow;
	se->server_ip = ev->server_ip.n > 0 ? span_dup(ev->server_ip) : NULL;
	se->server_port = ev->server_port;
	se->id = c->next_session++;
	c->stats.sessions++;
	return (se);
}

/* sess_find - the open session of ev's process, or NULL. */
static struct csess *
sess_find(struct corr *c, const struct event *ev)
{
	struct span	k = sess_key(c, ev);

	return (hmap_get(&c->sessions, k.p, k.n));
}

/*
 * corr_sess_end - a disconnect that only adds evidence (its line copies
 * another file's): close ev's open session if the current source opened
 * or took it, never open one.
 */
void
corr_sess_end(struct corr *c, const struct event *ev)
{
	struct csess	*se;

	if ((se = sess_find(c, ev)) == NULL || se->source != c->source_id)
		return;
	corr_set_str(&se->counters, ev->counters);
	se->end_epoch = ev->time;
	corr_sess_close(c, se);
}

/* corr_sess_get - the open session of ev's process, opened if there is none. */
struct csess *
corr_sess_get(struct corr *c, const struct event *ev)
{
	struct csess	*se;

	if ((se = sess_find(c, ev)) == NULL)
		se = corr_sess_open(c, ev);
	corr_fill_str(&se->client_ip, ev->client_ip);
	corr_fill_str(&se->client_name, ev->client_name);
	if (se->client_port == 0)
		se->client_port = ev->client_port;
	return (se);
}

/* corr_msg_from_session - copy who sent it from the session into m. */
void
corr_msg_from_session(struct cmsg *m, const struct csess *se)
{
	m->session_id = se->id;
	corr_copy_str(&m->client_ip, se->client_ip);
	corr_copy_str(&m->client_name, se->client_name);
	corr_copy_str(&m->helo, se->helo);
	corr_copy_str(&m->auth_user, se->auth_user);
}

/* --- event handlers ------------------------------------------------- */

/* corr_reject - a refusal: of a recipient, a message or a session. */
static void
corr_reject(struct corr *c, const struct event *ev)
{
	struct csess	*se = NULL;
	struct cmsg	*m;
	struct crcpt	*r;
	bool		 smtpd;

	smtpd = span_eq_cstr(ev->service, "smtpd") ||
	    span_eq_cstr(ev->service, "postscreen") || ev->flow != 0 ||
	    (ev->queue_id.n == 0 && ev->client_ip.n > 0);
	if (smtpd) {
		se = corr_sess_get(c, ev);
		corr_fill_str(&se->helo, ev->helo);
		se->rejects++;
	}
	if (ev->queue_id.n > 0) {
		m = msg_get(c, ev, ev->queue_id);
		if (se != NULL && m->session_id == 0)
			corr_msg_from_session(m, se);
		if (!span_eq_cstr(ev->stage, "RCPT") && ev->reply_code >= 500)
			m->accepted = false;
	} else if (se != NULL) {
		m = se->attempt;
		/* A line that does not name the sender keeps the attempt. */
		if (m != NULL && ev->sender.p != NULL &&
		    (m->sender_raw == NULL ||
		    !span_eq_cstr(ev->sender, m->sender_raw)))
			corr_sess_close_attempt(c, se);
		if (se->attempt == NULL && c->have_wire &&
		    (m = corr_adopt_refused(c, se, ev)) != NULL)
			se->attempt = m;
		if (se->attempt == NULL) {
			m = corr_msg_new(c, ev, "smtpd", se->id, false);
			corr_msg_from_session(m, se);
			m->sender_raw = span_dup(ev->sender);
			se->attempt = m;
		}
		m = se->attempt;
		corr_fill_str(&m->helo, ev->helo);
	} else {
		corr_evidence(c, ev, 0, 0);
		return;
	}
	if (m->sender_raw == NULL && ev->sender.p != NULL)
		m->sender_raw = span_dup(ev->sender);
	m->last_epoch = ev->time;
	if (ev->rcpt.n > 0) {
		r = corr_msg_rcpt(c, m, ev, ev->rcpt, SPAN_NULL);
		corr_rcpt_update(c, r, ev, ev->reply_code >= 400 ||
		    ev->reply_code == 0 ? "rejected" : "accepted", false);
	}
	corr_evidence(c, ev, se != NULL ? se->id : m->session_id, m->id);
}

/* corr_delivery - one delivery attempt for one recipient. */
static void
corr_delivery(struct corr *c, const struct event *ev)
{
	struct cmsg	*m;
	struct crcpt	*r;
	const char	*outcome;
	struct span	 orig, final;
	bool		 bl;

	m = msg_get(c, ev, ev->queue_id);
	m->last_epoch = ev->time;
	if ((outcome = corr_outcome(ev)) != NULL && ev->rcpt.n > 0) {
		orig = ev->orig_rcpt.n > 0 ? ev->orig_rcpt : ev->rcpt;
		final = ev->rcpt;
		r = corr_msg_rcpt(c, m, ev, orig, final);
		bl = strcmp(outcome, "delivered") != 0 &&
		    corr_blocklisted(ev->text);
		corr_rcpt_update(c, r, ev, outcome, bl);
	}
	corr_evidence(c, ev, m->session_id, m->id);
}

/*
 * corr_recent - a session of ev's client that closed a moment ago (some
 * MTAs log a note about a connection after its close), or 0.
 */
static int64_t
corr_recent(struct corr *c, const struct event *ev)
{
	size_t	i, n, slot;

	if (ev->client_ip.n == 0)
		return (0);
	n = c->nrecent < CORR_RECENT ? c->nrecent : CORR_RECENT;
	for (i = 0; i < n; i++) {
		slot = (c->nrecent - 1 - i) % CORR_RECENT;
		if (span_eq_cstr(ev->client_ip, c->recent[slot].ip) &&
		    (ev->client_port == 0 ||
		    ev->client_port == c->recent[slot].port))
			return (c->recent[slot].id);
	}
	return (0);
}

/* corr_session_event - connect, disconnect, TLS, AUTH and the like. */
static void
corr_session_event(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	int64_t		 sid;

	switch (ev->type) {
	case EV_CONNECT:
		se = corr_sess_open(c, ev);
		corr_evidence(c, ev, se->id, 0);
		return;
	case EV_DISCONNECT:
		se = corr_sess_get(c, ev);
		corr_set_str(&se->counters, ev->counters);
		se->end_epoch = ev->time;
		sid = se->id;
		corr_evidence(c, ev, sid, 0);
		corr_sess_close(c, se);
		return;
	case EV_HELO:
		se = corr_sess_get(c, ev);
		corr_set_str(&se->helo, ev->helo);
		break;
	case EV_TLS:
		se = corr_sess_get(c, ev);
		se->tls = true;
		break;
	case EV_AUTH:
		se = corr_sess_get(c, ev);
		corr_set_str(&se->auth_method, ev->sasl_method);
		corr_set_str(&se->auth_user, ev->sasl_user);
		/* Authenticated, but the log does not say as whom (IIS). */
		if (se->auth_user == NULL)
			corr_set_str(&se->auth_user,
			    SPAN_LIT("(unnamed account)"));
		break;
	case EV_AUTH_FAIL:
		se = corr_sess_get(c, ev);
		se->auth_failures++;
		break;
	default:
		/* Warnings and notes: evidence if they name a session. */
		if ((se = sess_find(c, ev)) == NULL) {
			if ((sid = corr_recent(c, ev)) != 0)
				corr_evidence(c, ev, sid, 0);
			return;
		}
		/*
		 * postscreen hands a client that passed to smtpd and logs
		 * no DISCONNECT for it: its session ends here.
		 */
		if (span_eq_cstr(ev->service, "postscreen") &&
		    (span_find(ev->text, "PASS NEW") != NULL ||
		    span_find(ev->text, "PASS OLD") != NULL)) {
			se->end_epoch = ev->time;
			corr_evidence(c, ev, se->id, 0);
			corr_sess_close(c, se);
			return;
		}
		break;
	}
	corr_evidence(c, ev, se->id, 0);
}

/* corr_route - route one event. */
static void
corr_route(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	struct cmsg	*m, *parent;

	/*
	 * Transaction-shaped events (a capture, or a protocol log that
	 * records commands and replies) follow the SMTP conversation.
	 */
	if (ev->flow != 0 && (span_eq_cstr(ev->program, "smtp-wire") ||
	    ev->type == EV_MAIL || ev->type == EV_DATA ||
	    ev->type == EV_RSET || ev->type == EV_HEADER ||
	    ev->type == EV_BANNER || ev->type == EV_GAP ||
	    (ev->type == EV_RCPT && ev->queue_id.n == 0))) {
		corr_wire_event(c, ev);
		return;
	}
	switch (ev->type) {
	case EV_CLIENT:
		/*
		 * A log without sessions (pid and flow unknown) whose message
		 * another log of the server recorded command by command: the
		 * message is that transaction, in that log's session.
		 */
		if (ev->flow == 0 && ev->pid < 0 &&
		    msg_find(c, ev, ev->queue_id) == NULL &&
		    (m = corr_join_logged(c, ev)) != NULL) {
			msg_track(c, m, ev, ev->queue_id);
			if (ev->sasl_user.n > 0)
				corr_fill_str(&m->auth_user, ev->sasl_user);
			corr_evidence(c, ev, m->session_id, m->id);
			return;
		}
		se = corr_sess_get(c, ev);
		if (ev->sasl_user.n > 0) {
			corr_set_str(&se->auth_method, ev->sasl_method);
			corr_set_str(&se->auth_user, ev->sasl_user);
		}
		corr_sess_close_attempt(c, se);
		se->messages++;
		m = msg_open(c, ev, ev->queue_id, "smtpd", se->id);
		if (!m->adopted)
			corr_msg_from_session(m, se);
		else
			corr_fill_str(&m->auth_user,
			    span_from_cstr(se->auth_user));
		corr_evidence(c, ev, m->session_id, m->id);
		return;
	case EV_REJECT:
		corr_reject(c, ev);
		return;
	case EV_DELIVERY:
		corr_delivery(c, ev);
		return;
	case EV_PICKUP:
		m = msg_open(c, ev, ev->queue_id, "pickup", 0);
		m->sender_raw = span_dup(ev->sender);
		break;
	case EV_MSGID:
		m = msg_get(c, ev, ev->queue_id);
		corr_set_str(&m->message_id, ev->message_id);
		break;
	case EV_MSGINFO:
		m = msg_get(c, ev, ev->queue_id);
		free(m->sender_raw);
		m->sender_raw = span_dup(ev->sender);
		if (ev->size >= 0)
			m->size = ev->size;
		if (ev->nrcpt >= 0)
			m->nrcpt = ev->nrcpt;
		break;
	case EV_BOUNCE:
		parent = msg_get(c, ev, ev->queue_id);
		if (ev->new_queue_id.n == 0) {
			corr_evidence(c, ev, parent->session_id, parent->id);
			return;
		}
		m = msg_get(c, ev, ev->new_queue_id);
		m->origin = "bounce";
		m->parent_id = parent->id;
		corr_copy_str(&m->client_ip, parent->client_ip);
		corr_copy_str(&m->client_name, parent->client_name);
		corr_copy_str(&m->helo, parent->helo);
		corr_copy_str(&m->auth_user, parent->auth_user);
		m->session_id = parent->session_id;
		corr_evidence(c, ev, m->session_id, m->id);
		return;
	case EV_EXPIRED:
		m = msg_get(c, ev, ev->queue_id);
		break;
	case EV_REMOVED:
		if ((m = msg_find(c, ev, ev->queue_id)) == NULL)
			m = msg_get(c, ev, ev->queue_id);
		m->removed = true;
		m->last_epoch = ev->time;
		corr_evidence(c, ev, m->session_id, m->id);
		msg_close(c, m);
		return;
	case EV_RCPT:
		if (ev->queue_id.n == 0) {
			corr_session_event(c, ev);
			return;
		}
		/* A log that lists accepted recipients (Exim's "for"). */
		m = msg_get(c, ev, ev->queue_id);
		corr_rcpt_update(c, corr_msg_rcpt(c, m, ev, ev->rcpt,
		    SPAN_NULL), ev, ev->reply_code >= 400 ? "rejected" :
		    "accepted", false);
		break;
	case EV_QUEUED:
	case EV_MAIL:
		return;
	default:
		if (ev->queue_id.n > 0 &&
		    (m = msg_find(c, ev, ev->queue_id)) != NULL) {
			corr_evidence(c, ev, m->session_id, m->id);
			return;
		}
		corr_session_event(c, ev);
		return;
	}
	m->last_epoch = ev->time;
	corr_evidence(c, ev, m->session_id, m->id);
}

/*
 * corr_event - the ev_sink: route one event, unless its line is a copy of
 * one another source had (correlate_dup.c).  arg is the struct corr.
 */
void
corr_event(void *arg, const struct event *ev)
{
	struct corr	*c = arg;

	if (corr_dup_taken(c, ev))
		return;
	corr_route(c, ev);
	corr_dup_done(c, ev);
}

/* sess_cmp - order open sessions by row id. */
static int
sess_cmp(const void *a, const void *b)
{
	const struct csess	*x = *(struct csess *const *)a;
	const struct csess	*y = *(struct csess *const *)b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/* msg_cmp - order open messages by row id. */
static int
msg_cmp(const void *a, const void *b)
{
	const struct cmsg	*x = *(struct cmsg *const *)a;
	const struct cmsg	*y = *(struct cmsg *const *)b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/*
 * corr_flush - write out everything still open (sessions without a
 * disconnect, messages still queued when the logs end) and forget it.
 */
void
corr_flush(struct corr *c)
{
	void	**v;
	size_t	 pos, n, i;

	corr_evidence_flush(c);
	/* Collect first: closing changes the maps. Close in id order. */
	n = hmap_count(&c->sessions) + hmap_count(&c->messages);
	if (n == 0)
		return;
	v = xreallocarray(NULL, n, sizeof(*v));
	i = pos = 0;
	while (i < n && hmap_next(&c->sessions, &pos, &v[i]))
		i++;
	qsort(v, i, sizeof(*v), sess_cmp);
	n = i;
	for (i = 0; i < n; i++)
		corr_sess_close(c, v[i]);
	n = hmap_count(&c->messages);
	i = pos = 0;
	while (i < n && hmap_next(&c->messages, &pos, &v[i]))
		i++;
	qsort(v, i, sizeof(*v), msg_cmp);
	n = i;
	for (i = 0; i < n; i++)
		msg_close(c, v[i]);
	free(v);
	corr_evidence_flush(c);
}

/*
 * corr_checkpoint - write the current state of everything open, so that
 * the store is complete at the end of each source's transaction: a run
 * cut off later loses nothing, and the next run resumes what is open.
 */
void
corr_checkpoint(struct corr *c)
{
	size_t	 pos = 0;
	void	*v;

	while (hmap_next(&c->sessions, &pos, &v)) {
		struct csess	*se = v;

		sess_write(c, se);
		if (se->attempt != NULL)
			corr_msg_write(c, se->attempt);
	}
	pos = 0;
	while (hmap_next(&c->messages, &pos, &v))
		corr_msg_write(c, v);
	corr_evidence_flush(c);
}

/* corr_free - free the correlator; call corr_flush() first to keep data. */
void
corr_free(struct corr *c)
{
	size_t	 pos = 0;
	void	*v;

	if (c == NULL)
		return;
	while (hmap_next(&c->messages, &pos, &v))
		corr_msg_free(v);
	hmap_free(&c->messages);
	hmap_free(&c->sessions);
	buf_free(&c->key);
	evblock_free(&c->evblk);
	sqlite3_finalize(c->evins);
	sqlite3_finalize(c->join_logged);
	corr_dup_free(c);
	free(c);
}
