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
 * attempt, held by the session.  Each row is inserted when it opens, so
 * evidence lines can point at it at once, and updated when it closes.
 * Everything here is untrusted text: it is stored, never interpreted
 * beyond the fields the parser split out.
 */

#include "config.h"

#include "correlate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "hmap.h"
#include "store.h"
#include "xmalloc.h"

/* Room for a decoded address as address_format() writes it. */
#define ADDR_TEXT_MAX	(2 * ADDR_LOCAL_MAX + ADDR_DOMAIN_MAX + 8)

struct crcpt {
	char		*orig;		/* as the client gave it */
	char		*final;		/* after rewriting */
	int64_t		 id;
	int		 attempts;
};

struct cmsg {
	int64_t		 id;
	char		*key;		/* server NUL queue id */
	size_t		 klen;
	char		*server;
	int64_t		 session_id;
	const char	*origin;
	int64_t		 parent_id;
	char		*client_ip;
	char		*client_name;
	char		*helo;
	char		*auth_user;
	char		*sender_raw;	/* NULL unknown, "" null sender */
	int64_t		 size;
	int64_t		 nrcpt;
	char		*message_id;
	bool		 accepted;
	bool		 removed;
	int64_t		 last_epoch;
	struct crcpt	*rcpts;
	size_t		 nrcpts;
	size_t		 rcap;
};

struct csess {
	int64_t		 id;
	char		*key;
	size_t		 klen;
	char		*client_ip;
	int64_t		 client_port;
	char		*client_name;
	char		*helo;
	char		*auth_method;
	char		*auth_user;
	char		*counters;
	bool		 tls;
	int64_t		 auth_failures;
	int64_t		 end_epoch;
	int64_t		 messages;
	int64_t		 rejects;
	struct cmsg	*attempt;	/* current refused transaction */
};

struct corr {
	struct store		*st;
	int64_t			 source_id;
	struct hmap		 sessions;
	struct hmap		 messages;
	struct buf		 key;
	struct corr_stats	 stats;
};

/* corr_set_str - replace *dst with a copy of sp when sp is not empty. */
static void
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
static void
corr_fill_str(char **dst, struct span sp)
{
	if (*dst == NULL)
		corr_set_str(dst, sp);
}

/* corr_copy_str - replace *dst with a copy of the C string s (or NULL). */
static void
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
	return (c);
}

/* corr_set_source - the stored source the following events come from. */
void
corr_set_source(struct corr *c, int64_t source_id)
{
	c->source_id = source_id;
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

/* corr_evidence - store the event's line, tied to a session/message. */
static void
corr_evidence(struct corr *c, const struct event *ev, int64_t session_id,
    int64_t message_id)
{
	sqlite3_stmt	*s;

	if (c->source_id == 0)
		return;
	s = store_stmt(c->st, STMT_EVIDENCE_INSERT);
	store_bind_i64(s, 1, c->source_id);
	store_bind_i64(s, 2, (int64_t)ev->ref.line);
	store_bind_i64(s, 3, (int64_t)ev->ref.offset);
	corr_bind_time(s, 4, ev->time);
	store_bind_text(s, 6, ev_type_name(ev->type));
	corr_bind_id(s, 7, session_id);
	corr_bind_id(s, 8, message_id);
	store_bind_blob(s, 9, ev->ref.raw);
	store_step_done(c->st, s);
	c->stats.evidence++;
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

/* msg_write - store the message's current state. */
static void
msg_write(struct corr *c, struct cmsg *m)
{
	sqlite3_stmt	*s;
	struct address	 a;
	char		 dec[ADDR_TEXT_MAX];
	char		 iso[32];

	s = store_stmt(c->st, STMT_MESSAGE_UPDATE);
	store_bind_i64(s, 1, m->id);
	corr_bind_id(s, 2, m->session_id);
	store_bind_text(s, 3, m->origin);
	corr_bind_id(s, 4, m->parent_id);
	store_bind_text(s, 5, m->client_ip);
	store_bind_text(s, 6, m->client_name);
	store_bind_text(s, 7, m->helo);
	store_bind_text(s, 8, m->auth_user);
	if (m->sender_raw != NULL) {
		sqlite3_bind_text(s, 9, m->sender_raw, -1, SQLITE_TRANSIENT);
		(void)address_decode(span_from_cstr(m->sender_raw), &a);
		if (!(a.flags & ADDR_F_NULL)) {
			address_format(&a, dec, sizeof(dec));
			store_bind_text(s, 10, dec);
			store_bind_text(s, 11, a.domain);
		}
	}
	store_bind_opt_i64(s, 12, m->size, m->size >= 0);
	store_bind_opt_i64(s, 13, m->nrcpt, m->nrcpt >= 0);
	store_bind_text(s, 14, m->message_id);
	/*
	 * A queue file that never got its data (the client quit after RCPT:
	 * no cleanup, qmgr or delivery line) was not accepted mail.
	 */
	store_bind_i64(s, 15, m->accepted && !(m->origin != NULL &&
	    strcmp(m->origin, "smtpd") == 0 && m->size < 0 &&
	    m->message_id == NULL && m->nrcpts == 0));
	store_bind_i64(s, 16, m->removed);
	store_time_iso(m->last_epoch, iso);
	store_bind_text(s, 17, iso);
	store_bind_i64(s, 18, m->last_epoch);
	store_step_done(c->st, s);
}

/* msg_free - release a message's memory (its row stays). */
static void
msg_free(struct cmsg *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrcpts; i++) {
		free(m->rcpts[i].orig);
		free(m->rcpts[i].final);
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
	free(m);
}

/* msg_new - insert a new message row and return its in-memory state. */
static struct cmsg *
msg_new(struct corr *c, const struct event *ev, struct span queue_id,
    const char *origin, int64_t session_id, bool accepted)
{
	struct cmsg	*m;
	sqlite3_stmt	*s;

	m = xcalloc(1, sizeof(*m));
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	m->origin = origin;
	m->session_id = session_id;
	m->accepted = accepted;
	m->size = m->nrcpt = -1;
	m->last_epoch = ev->time;
	s = store_stmt(c->st, STMT_MESSAGE_INSERT);
	corr_bind_id(s, 1, session_id);
	store_bind_span(s, 2, ev->host);
	store_bind_span(s, 3, queue_id);
	store_bind_text(s, 4, origin);
	store_bind_i64(s, 5, accepted);
	corr_bind_time(s, 6, ev->time);
	store_step_done(c->st, s);
	m->id = sqlite3_last_insert_rowid(c->st->db);
	c->stats.messages++;
	return (m);
}

/* msg_close - write a message for the last time and forget it. */
static void
msg_close(struct corr *c, struct cmsg *m)
{
	if (m == NULL)
		return;
	msg_write(c, m);
	if (m->key != NULL)
		(void)hmap_del(&c->messages, m->key, m->klen);
	msg_free(m);
}

/* msg_find - the open message with this queue id on this server. */
static struct cmsg *
msg_find(struct corr *c, const struct event *ev, struct span queue_id)
{
	struct span	k;

	k = corr_key(c, ev->host, queue_id, SPAN_NULL);
	return (hmap_get(&c->messages, k.p, k.n));
}

/* msg_open - open a new queued message, closing a reused queue id. */
static struct cmsg *
msg_open(struct corr *c, const struct event *ev, struct span queue_id,
    const char *origin, int64_t session_id)
{
	struct cmsg	*m;
	struct span	 k;

	if ((m = msg_find(c, ev, queue_id)) != NULL)
		msg_close(c, m);
	m = msg_new(c, ev, queue_id, origin, session_id, true);
	k = corr_key(c, ev->host, queue_id, SPAN_NULL);
	m->key = xmalloc(k.n);
	memcpy(m->key, k.p, k.n);
	m->klen = k.n;
	hmap_put(&c->messages, m->key, m->klen, m);
	return (m);
}

/* msg_get - the open message for queue_id, opened as "unknown" if new. */
static struct cmsg *
msg_get(struct corr *c, const struct event *ev, struct span queue_id)
{
	struct cmsg	*m;

	if ((m = msg_find(c, ev, queue_id)) != NULL)
		return (m);
	return (msg_open(c, ev, queue_id, "unknown", 0));
}

/* msg_rcpt - find or add the recipient (orig, final) of message m. */
static struct crcpt *
msg_rcpt(struct corr *c, struct cmsg *m, const struct event *ev,
    struct span orig, struct span final)
{
	struct crcpt	*r;
	struct address	 a, fa;
	struct span	 given;
	sqlite3_stmt	*s;
	char		 dec[ADDR_TEXT_MAX];
	size_t		 i;

	for (i = 0; i < m->nrcpts; i++) {
		r = &m->rcpts[i];
		if (span_eq_cstr(orig, r->orig) &&
		    span_eq_cstr(final, r->final != NULL ? r->final : ""))
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

	given = orig;
	(void)address_decode(given, &a);
	s = store_stmt(c->st, STMT_RCPT_INSERT);
	store_bind_i64(s, 1, m->id);
	sqlite3_bind_text(s, 2, r->orig, -1, SQLITE_TRANSIENT);
	if (final.n > 0) {
		store_bind_span(s, 3, final);
		(void)address_decode(final, &fa);
		store_bind_text(s, 4, fa.domain);
	}
	address_format(&a, dec, sizeof(dec));
	store_bind_text(s, 5, dec);
	store_bind_text(s, 6, a.domain);
	store_bind_text(s, 7, a.surface);
	if (a.trick != ADDR_TRICK_NONE)
		store_bind_text(s, 8, address_trick_name(a.trick));
	store_bind_text(s, 13, "accepted");
	store_bind_i64(s, 15, 0);
	store_bind_i64(s, 16, 0);
	store_bind_i64(s, 17, ev->time);
	store_bind_i64(s, 18, ev->time);
	store_step_done(c->st, s);
	r->id = sqlite3_last_insert_rowid(c->st->db);
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

/* rcpt_update - record one attempt's result for recipient r. */
static void
rcpt_update(struct corr *c, struct crcpt *r, const struct event *ev,
    const char *outcome, bool blocklisted)
{
	sqlite3_stmt	*s;

	r->attempts++;
	s = store_stmt(c->st, STMT_RCPT_UPDATE);
	store_bind_i64(s, 1, r->id);
	store_bind_span(s, 2, ev->stage);
	store_bind_opt_i64(s, 3, ev->reply_code, ev->reply_code > 0);
	store_bind_span(s, 4, ev->text);
	store_bind_span(s, 5, ev->dsn);
	store_bind_text(s, 6, outcome);
	store_bind_span(s, 7, ev->relay);
	store_bind_i64(s, 8, ev->type == EV_DELIVERY ? r->attempts : 0);
	store_bind_i64(s, 9, blocklisted);
	store_bind_i64(s, 10, ev->time);
	store_step_done(c->st, s);
}

/* --- sessions ------------------------------------------------------- */

/* sess_key - the session key of the process that logged ev. */
static struct span
sess_key(struct corr *c, const struct event *ev)
{
	char	pid[24];

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

	s = store_stmt(c->st, STMT_SESSION_UPDATE);
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
	store_step_done(c->st, s);
}

/* sess_close_attempt - end the session's current refused transaction. */
static void
sess_close_attempt(struct corr *c, struct csess *se)
{
	if (se->attempt != NULL) {
		msg_write(c, se->attempt);
		msg_free(se->attempt);
		se->attempt = NULL;
	}
}

/* sess_close - write a session for the last time and forget it. */
static void
sess_close(struct corr *c, struct csess *se)
{
	sess_close_attempt(c, se);
	sess_write(c, se);
	(void)hmap_del(&c->sessions, se->key, se->klen);
	free(se->key);
	free(se->client_ip);
	free(se->client_name);
	free(se->helo);
	free(se->auth_method);
	free(se->auth_user);
	free(se->counters);
	free(se);
}

/* sess_open - open a session for ev's process, closing a stale one. */
static struct csess *
sess_open(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	struct span	 k;
	sqlite3_stmt	*s;

	k = sess_key(c, ev);
	if ((se = hmap_get(&c->sessions, k.p, k.n)) != NULL) {
		sess_close(c, se);
		k = sess_key(c, ev);
	}
	se = xcalloc(1, sizeof(*se));
	se->key = xmalloc(k.n);
	memcpy(se->key, k.p, k.n);
	se->klen = k.n;
	se->end_epoch = INT64_MIN;
	corr_set_str(&se->client_ip, ev->client_ip);
	corr_set_str(&se->client_name, ev->client_name);
	se->client_port = ev->client_port;
	s = store_stmt(c->st, STMT_SESSION_INSERT);
	store_bind_text(s, 1, "log");
	store_bind_span(s, 2, ev->host);
	store_bind_span(s, 3, ev->program);
	store_bind_opt_i64(s, 4, ev->pid, ev->pid >= 0);
	store_bind_span(s, 5, ev->client_ip);
	store_bind_opt_i64(s, 6, ev->client_port, ev->client_port > 0);
	store_bind_span(s, 7, ev->client_name);
	corr_bind_time(s, 8, ev->time);
	store_step_done(c->st, s);
	se->id = sqlite3_last_insert_rowid(c->st->db);
	hmap_put(&c->sessions, se->key, se->klen, se);
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

/* sess_get - the open session of ev's process, opened if there is none. */
static struct csess *
sess_get(struct corr *c, const struct event *ev)
{
	struct csess	*se;

	if ((se = sess_find(c, ev)) == NULL)
		se = sess_open(c, ev);
	corr_fill_str(&se->client_ip, ev->client_ip);
	corr_fill_str(&se->client_name, ev->client_name);
	if (se->client_port == 0)
		se->client_port = ev->client_port;
	return (se);
}

/* msg_from_session - copy who sent it from the session into m. */
static void
msg_from_session(struct cmsg *m, const struct csess *se)
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
	    span_eq_cstr(ev->service, "postscreen");
	if (smtpd) {
		se = sess_get(c, ev);
		corr_fill_str(&se->helo, ev->helo);
		se->rejects++;
	}
	if (ev->queue_id.n > 0) {
		m = msg_get(c, ev, ev->queue_id);
		if (se != NULL && m->session_id == 0)
			msg_from_session(m, se);
		if (!span_eq_cstr(ev->stage, "RCPT") && ev->reply_code >= 500)
			m->accepted = false;
	} else if (se != NULL) {
		m = se->attempt;
		if (m != NULL && (m->sender_raw == NULL ||
		    !span_eq_cstr(ev->sender, m->sender_raw)))
			sess_close_attempt(c, se);
		if (se->attempt == NULL) {
			m = msg_new(c, ev, SPAN_NULL, "smtpd", se->id, false);
			msg_from_session(m, se);
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
		r = msg_rcpt(c, m, ev, ev->rcpt, SPAN_NULL);
		rcpt_update(c, r, ev, ev->reply_code >= 400 ||
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
		r = msg_rcpt(c, m, ev, orig, final);
		bl = strcmp(outcome, "delivered") != 0 &&
		    corr_blocklisted(ev->text);
		rcpt_update(c, r, ev, outcome, bl);
	}
	corr_evidence(c, ev, m->session_id, m->id);
}

/* corr_session_event - connect, disconnect, TLS, AUTH and the like. */
static void
corr_session_event(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	int64_t		 sid;

	switch (ev->type) {
	case EV_CONNECT:
		se = sess_open(c, ev);
		corr_evidence(c, ev, se->id, 0);
		return;
	case EV_DISCONNECT:
		se = sess_get(c, ev);
		corr_set_str(&se->counters, ev->counters);
		se->end_epoch = ev->time;
		sid = se->id;
		corr_evidence(c, ev, sid, 0);
		sess_close(c, se);
		return;
	case EV_HELO:
		se = sess_get(c, ev);
		corr_set_str(&se->helo, ev->helo);
		break;
	case EV_TLS:
		se = sess_get(c, ev);
		se->tls = true;
		break;
	case EV_AUTH:
		se = sess_get(c, ev);
		corr_set_str(&se->auth_method, ev->sasl_method);
		corr_set_str(&se->auth_user, ev->sasl_user);
		break;
	case EV_AUTH_FAIL:
		se = sess_get(c, ev);
		se->auth_failures++;
		break;
	default:
		/* Warnings and notes: evidence if they name a session. */
		if ((se = sess_find(c, ev)) == NULL)
			return;
		break;
	}
	corr_evidence(c, ev, se->id, 0);
}

/*
 * corr_event - the ev_sink: route one event.  arg is the struct corr.
 */
void
corr_event(void *arg, const struct event *ev)
{
	struct corr	*c = arg;
	struct csess	*se;
	struct cmsg	*m, *parent;

	switch (ev->type) {
	case EV_CLIENT:
		se = sess_get(c, ev);
		if (ev->sasl_user.n > 0) {
			corr_set_str(&se->auth_method, ev->sasl_method);
			corr_set_str(&se->auth_user, ev->sasl_user);
		}
		sess_close_attempt(c, se);
		se->messages++;
		m = msg_open(c, ev, ev->queue_id, "smtpd", se->id);
		msg_from_session(m, se);
		corr_evidence(c, ev, se->id, m->id);
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
	case EV_QUEUED:
	case EV_MAIL:
	case EV_RCPT:
		/* Wire transactions: joined in the capture issue. */
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
		sess_close(c, v[i]);
	n = hmap_count(&c->messages);
	i = pos = 0;
	while (i < n && hmap_next(&c->messages, &pos, &v[i]))
		i++;
	qsort(v, i, sizeof(*v), msg_cmp);
	n = i;
	for (i = 0; i < n; i++)
		msg_close(c, v[i]);
	free(v);
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
		msg_free(v);
	hmap_free(&c->messages);
	hmap_free(&c->sessions);
	buf_free(&c->key);
	free(c);
}
