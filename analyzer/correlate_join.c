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
 * Correlation of SMTP conversations: events from packet captures (and
 * from protocol logs that record commands and replies).  A transaction
 * starts at MAIL, collects its recipients with the server's reply to each
 * RCPT, and ends at the reply to the end of data (queued, with the queue
 * id the server named, or refused), at RSET, or with the session.
 *
 * Joining: captures are read before logs, so when a log line names a
 * session or a message that a capture already showed, the log's facts are
 * added to the capture's rows instead of making new ones.  A log session
 * joins the capture session from the same client address that started
 * within two seconds of it; a logged message joins the captured one with
 * the same queue id (within ten minutes); a logged refusal joins the next
 * refused captured transaction of the joined session with the same
 * sender.  Joined rows are marked "both", so nothing is counted twice.
 *
 * Logs of one server join the same way: a message tracking log's message
 * becomes the transaction its protocol log recorded, by the session id
 * both name (Exchange 2007 and later) or, where no log names a session,
 * by the Message-ID, client and time (IIS W3C and the Exchange 2000/2003
 * tracking log).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate_int.h"
#include "store.h"
#include "xmalloc.h"

/* corr_check_wire - are there capture rows that log lines could join? */
void
corr_check_wire(struct corr *c)
{
	sqlite3_stmt	*s;

	s = store_prepare(c->st, "SELECT EXISTS (SELECT 1 FROM sessions"
	    " WHERE kind = 'wire')");
	c->have_wire = sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
}

/* col_dup - column i as a heap string, or NULL. */
static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return (t != NULL ? xstrdup((const char *)t) : NULL);
}

/*
 * corr_adopt_session - make the log session se the capture's session of
 * the same connection, if there is one: se takes its row and what it
 * knew.  Returns false (se untouched) when there is none.
 */
bool
corr_adopt_session(struct corr *c, struct csess *se, const struct event *ev)
{
	sqlite3_stmt	*s;
	bool		 found = false;

	if (ev->client_ip.n == 0)
		return (false);
	s = store_stmt(c->st, STMT_SESSION_FIND_WIRE);
	store_bind_span(s, 1, ev->client_ip);
	store_bind_i64(s, 2, ev->time);
	if (sqlite3_step(s) == SQLITE_ROW) {
		found = true;
		se->id = sqlite3_column_int64(s, 0);
		if (se->client_port == 0)
			se->client_port = sqlite3_column_int64(s, 1);
		if (se->client_name == NULL)
			se->client_name = col_dup(s, 2);
		se->helo = col_dup(s, 3);
		se->tls = sqlite3_column_int(s, 4) != 0;
		se->auth_method = col_dup(s, 5);
		se->auth_user = col_dup(s, 6);
		se->auth_failures = sqlite3_column_int64(s, 7);
		if (sqlite3_column_type(s, 8) != SQLITE_NULL)
			se->end_epoch = sqlite3_column_int64(s, 8);
		se->counters = col_dup(s, 9);
		se->banner = col_dup(s, 12);
		se->unreadable = sqlite3_column_int(s, 13) != 0;
		se->incomplete = sqlite3_column_int(s, 14) != 0;
		se->kind = "both";
		/* The log recounts what the capture counted. */
		se->messages = se->rejects = 0;
		se->auth_failures = 0;
	}
	sqlite3_reset(s);
	if (found) {
		/* Mark it now, so no other log session takes it. */
		s = store_prepare(c->st, "UPDATE sessions SET kind = 'both'"
		    " WHERE id = ?1");
		store_bind_i64(s, 1, se->id);
		store_step_done(c->st, s);
		sqlite3_finalize(s);
	}
	return (found);
}

/*
 * corr_adopt_load - the in-memory state of message row id: joined to a log
 * message (join), or resumed as it was left by an earlier run.
 */
static struct cmsg *
corr_adopt_load(struct corr *c, int64_t id, bool join)
{
	struct cmsg	*m;
	sqlite3_stmt	*s;
	static const char *const origins[] = { "smtpd", "pickup", "bounce",
		"unknown", NULL };
	size_t		 i;

	s = store_stmt(c->st, STMT_MESSAGE_LOAD);
	store_bind_i64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return (NULL);
	}
	m = xcalloc(1, sizeof(*m));
	m->id = id;
	m->adopted = join;
	m->evidence = "both";
	if (!join)
		m->evidence = strcmp(store_col_text(s, 18), "both") == 0 ?
		    "both" : "log";
	m->session_id = sqlite3_column_int64(s, 0);
	m->origin = "smtpd";
	for (i = 0; origins[i] != NULL; i++)
		if (strcmp(store_col_text(s, 1), origins[i]) == 0)
			m->origin = origins[i];
	m->parent_id = sqlite3_column_int64(s, 2);
	m->client_ip = col_dup(s, 3);
	m->client_name = col_dup(s, 4);
	m->helo = col_dup(s, 5);
	m->auth_user = col_dup(s, 6);
	m->sender_raw = col_dup(s, 7);
	m->size = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(s, 8);
	m->nrcpt = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(s, 9);
	m->message_id = col_dup(s, 10);
	m->accepted = sqlite3_column_int(s, 11) != 0;
	m->removed = sqlite3_column_int(s, 12) != 0;
	m->last_epoch = sqlite3_column_int64(s, 13);
	m->subject = col_dup(s, 14);
	m->header_from = col_dup(s, 15);
	m->body_sha256 = col_dup(s, 16);
	m->queue_id = col_dup(s, 17);
	sqlite3_reset(s);

	s = store_stmt(c->st, STMT_RCPT_LOAD);
	store_bind_i64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct crcpt	*r;

		if (m->nrcpts == m->rcap) {
			m->rcap = m->rcap == 0 ? 4 : m->rcap * 2;
			m->rcpts = xreallocarray(m->rcpts, m->rcap,
			    sizeof(*m->rcpts));
		}
		r = &m->rcpts[m->nrcpts++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(s, 0);
		r->orig = xstrdup(store_col_text(s, 1));
		r->final = col_dup(s, 2);
		/* Joined: delivery attempts count from the log's first. */
		r->attempts = join ? 0 : sqlite3_column_int(s, 3);
		corr_rcpt_added(m);
	}
	sqlite3_reset(s);
	return (m);
}

/*
 * corr_adopt_message - the captured message the server queued under
 * queue_id around ev's time, as a joined message; NULL if none.
 */
struct cmsg *
corr_adopt_message(struct corr *c, const struct event *ev,
    struct span queue_id)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;
	struct cmsg	*m;

	s = store_stmt(c->st, STMT_MESSAGE_FIND_WIRE);
	store_bind_span(s, 1, queue_id);
	store_bind_i64(s, 2, ev->time);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id == 0 || (m = corr_adopt_load(c, id, true)) == NULL)
		return (NULL);
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	m->last_epoch = ev->time;
	return (m);
}

/*
 * corr_adopt_refused - for a logged refusal in a joined session, the next
 * refused captured transaction of that session with the same sender.
 */
struct cmsg *
corr_adopt_refused(struct corr *c, struct csess *se, const struct event *ev)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;

	if (strcmp(se->kind, "both") != 0)
		return (NULL);
	s = store_stmt(c->st, STMT_MESSAGE_FIND_WIRE_REFUSED);
	store_bind_i64(s, 1, se->id);
	store_bind_i64(s, 2, se->last_adopted);
	if (ev->sender.p != NULL)
		sqlite3_bind_text(s, 3, ev->sender.p, (int)ev->sender.n,
		    SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id == 0)
		return (NULL);
	se->last_adopted = id;
	return (corr_adopt_load(c, id, true));
}

/*
 * corr_resume_message - a message an earlier run left open (still queued
 * when its log ended, or a run that was cut off), so that the lines of the
 * next log continue it; NULL if there is none.
 */
struct cmsg *
corr_resume_message(struct corr *c, const struct event *ev,
    struct span queue_id)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;
	struct cmsg	*m;

	/* Nothing to resume: no lookup (its index may not be made yet). */
	if (!c->resumable)
		return (NULL);
	s = store_stmt(c->st, STMT_MESSAGE_RESUME);
	store_bind_span(s, 1, ev->host);
	store_bind_span(s, 2, queue_id);
	store_bind_i64(s, 3, ev->time);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id == 0 || (m = corr_adopt_load(c, id, false)) == NULL)
		return (NULL);
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	return (m);
}

/*
 * corr_resume_session - a session of ev's process that an earlier run
 * left open; fills se and returns true, or false if there is none.
 */
bool
corr_resume_session(struct corr *c, struct csess *se, const struct event *ev)
{
	sqlite3_stmt	*s;
	bool		 found = false;

	if (ev->flow != 0) {
		/*
		 * A session id logged by one log of a server (Exchange's
		 * protocol log) and named again by another (its tracking
		 * log), or continued in the next rotated file.
		 */
		s = store_stmt(c->st, STMT_SESSION_RESUME_FLOW);
		store_bind_span(s, 1, ev->host);
		store_bind_i64(s, 2, (int64_t)ev->flow);
		store_bind_i64(s, 3, ev->time);
	} else if (ev->pid < 0)
		return (false);
	else {
		s = store_stmt(c->st, STMT_SESSION_RESUME);
		store_bind_span(s, 1, ev->host);
		store_bind_span(s, 2, ev->program);
		store_bind_i64(s, 3, ev->pid);
		store_bind_i64(s, 4, ev->time);
	}
	if (sqlite3_step(s) == SQLITE_ROW) {
		found = true;
		se->resumed = true;
		se->id = sqlite3_column_int64(s, 0);
		se->client_port = sqlite3_column_int64(s, 1);
		free(se->client_name);
		se->client_name = col_dup(s, 2);
		se->helo = col_dup(s, 3);
		se->tls = sqlite3_column_int(s, 4) != 0;
		se->auth_method = col_dup(s, 5);
		se->auth_user = col_dup(s, 6);
		se->auth_failures = sqlite3_column_int64(s, 7);
		se->counters = col_dup(s, 9);
		se->messages = sqlite3_column_int64(s, 10);
		se->rejects = sqlite3_column_int64(s, 11);
		se->banner = col_dup(s, 12);
		se->unreadable = sqlite3_column_int(s, 13) != 0;
		se->incomplete = sqlite3_column_int(s, 14) != 0;
		se->kind = strcmp(store_col_text(s, 15), "both") == 0 ?
		    "both" : "log";
		free(se->client_ip);
		se->client_ip = col_dup(s, 16);
	}
	sqlite3_reset(s);
	return (found);
}

/*
 * corr_adopt_txn - for a logged message of a session that another log of
 * the server already recorded command by command, that log's next
 * accepted transaction of the session (they come in the same order).
 */
struct cmsg *
corr_adopt_txn(struct corr *c, struct csess *se, const struct event *ev)
{
	sqlite3_stmt	*s;
	int64_t		 id = 0;
	struct cmsg	*m;

	s = store_stmt(c->st, STMT_MESSAGE_FIND_TXN);
	store_bind_i64(s, 1, se->id);
	store_bind_i64(s, 2, se->last_adopted);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id == 0 || (m = corr_adopt_load(c, id, true)) == NULL)
		return (NULL);
	se->last_adopted = id;
	m->evidence = "log";
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	m->last_epoch = ev->time;
	return (m);
}

/*
 * corr_join_logged - for the first line of a message in a log that keys
 * messages by their Message-ID and names no session (the Exchange
 * 2000/2003 tracking log), the transaction another log of the server
 * recorded command by command (IIS's W3C log, whose DATA line names the
 * same id): from the same client, accepted within ten minutes of ev, and
 * not yet claimed by another log's arrival line.  Returns it as an open
 * message, or NULL when there is none.  A Message-ID is the client's
 * choice, so the client address and the time must agree too.
 */
struct cmsg *
corr_join_logged(struct corr *c, const struct event *ev)
{
	sqlite3_stmt	*s;
	struct cmsg	*m;
	char		*kind = NULL;
	int64_t		 id = 0;
	int		 try;

	/* A Message-ID has an '@'; the queue ids of other logs never do. */
	if (ev->queue_id.n == 0 || ev->client_ip.n == 0 ||
	    memchr(ev->queue_id.p, '@', ev->queue_id.n) == NULL)
		return (NULL);
	if (c->have_txn_log < 0) {
		s = store_prepare(c->st, "SELECT EXISTS (SELECT 1 FROM"
		    " sessions WHERE kind != 'wire' AND flow IS NOT NULL)");
		c->have_txn_log = sqlite3_step(s) == SQLITE_ROW &&
		    sqlite3_column_int(s, 0) != 0;
		sqlite3_finalize(s);
	}
	if (!c->have_txn_log)
		return (NULL);
	if (c->join_logged == NULL)
		c->join_logged = store_prepare(c->st, "SELECT m.id,"
		    " m.evidence_kind FROM messages m"
		    " JOIN sessions s ON s.id = m.session_id"
		    " WHERE m.server IS ?1 AND m.queue_id = ?2 AND m.accepted"
		    " AND m.client_ip = ?3 AND m.evidence_kind != 'wire'"
		    " AND s.kind != 'wire' AND s.flow IS NOT NULL"
		    " AND m.first_epoch BETWEEN ?4 - 600 AND ?4 + 600"
		    " AND NOT EXISTS (SELECT 1 FROM evidence_lines e"
		    " WHERE e.message_id = m.id AND e.event = 'client')"
		    " ORDER BY abs(m.first_epoch - ?4), m.id LIMIT 1");
	s = c->join_logged;
	/* The claims this query looks for may still be in the batch. */
	corr_evidence_rows(c);
	store_index_need(c->st, IDX_MESSAGES_QUEUE);
	store_index_need(c->st, IDX_EVIDENCE_MESSAGE);
	/* A W3C log without s-computername stored no server name. */
	for (try = 0; try < 2 && id == 0; try++) {
		if (try == 1 && ev->host.n == 0)
			break;
		sqlite3_clear_bindings(s);
		if (try == 0)
			store_bind_span(s, 1, ev->host);
		store_bind_span(s, 2, ev->queue_id);
		store_bind_span(s, 3, ev->client_ip);
		store_bind_i64(s, 4, ev->time);
		if (sqlite3_step(s) == SQLITE_ROW) {
			id = sqlite3_column_int64(s, 0);
			kind = col_dup(s, 1);
		}
		sqlite3_reset(s);
	}
	if (id == 0 || (m = corr_adopt_load(c, id, true)) == NULL) {
		free(kind);
		return (NULL);
	}
	m->evidence = kind != NULL && strcmp(kind, "both") == 0 ? "both" :
	    "log";
	free(kind);
	m->server = ev->host.n > 0 ? span_dup(ev->host) : NULL;
	m->last_epoch = ev->time;
	return (m);
}

/* wire_txn - the session's current transaction, begun if there is none. */
static struct cmsg *
wire_txn(struct corr *c, struct csess *se, const struct event *ev)
{
	struct cmsg	*m;

	if (se->attempt != NULL)
		return (se->attempt);
	m = corr_msg_new(c, ev, "smtpd", se->id, false);
	corr_msg_from_session(m, se);
	se->attempt = m;
	return (m);
}

/* wire_reply_outcome - a recipient's outcome from the reply to RCPT. */
static const char *
wire_reply_outcome(int code)
{
	if (code >= 200 && code < 400)
		return ("accepted");
	if (code >= 400)
		return ("rejected");
	return ("unanswered");
}

/* wire_data - the reply to the end of a message's data. */
static void
wire_data(struct corr *c, struct csess *se, const struct event *ev)
{
	struct cmsg	*m = wire_txn(c, se, ev);
	size_t		 i;

	if (ev->size >= 0)
		m->size = ev->size;
	corr_set_str(&m->body_sha256, ev->text2);
	corr_fill_str(&m->message_id, ev->message_id);
	if (ev->reply_code >= 200 && ev->reply_code < 300) {
		m->accepted = true;
		corr_set_str(&m->queue_id, ev->queue_id);
		se->messages++;
	} else if (ev->reply_code >= 400) {
		/* Refused at the end: none of it was accepted. */
		for (i = 0; i < m->nrcpts; i++)
			corr_rcpt_update(c, &m->rcpts[i], ev, "rejected",
			    false);
	}
	corr_evidence(c, ev, se->id, m->id);
	corr_sess_close_attempt(c, se);
}

/* wire_header - one header of the current message. */
static void
wire_header(struct corr *c, struct csess *se, const struct event *ev)
{
	struct cmsg	*m = wire_txn(c, se, ev);
	sqlite3_stmt	*s;
	struct span	 v = ev->text;

	s = store_stmt(c->st, STMT_HEADER_INSERT);
	store_bind_i64(s, 1, m->id);
	sqlite3_bind_text(s, 2, ev->stage.p != NULL ? ev->stage.p : "",
	    (int)ev->stage.n, SQLITE_TRANSIENT);
	store_bind_blob(s, 3, v);
	store_step_done(c->st, s);
	if (span_caseeq_cstr(ev->stage, "Subject"))
		corr_fill_str(&m->subject, v);
	else if (span_caseeq_cstr(ev->stage, "From"))
		corr_fill_str(&m->header_from, v);
	else if (span_caseeq_cstr(ev->stage, "Message-ID")) {
		v = span_trim(v);
		if (v.n >= 2 && v.p[0] == '<' && v.p[v.n - 1] == '>') {
			v.p++;
			v.n -= 2;
		}
		corr_fill_str(&m->message_id, v);
	}
}

/*
 * corr_wire_event - one event of an SMTP conversation (see the top of
 * this file).
 */
void
corr_wire_event(struct corr *c, const struct event *ev)
{
	struct csess	*se;
	struct cmsg	*m;
	struct crcpt	*r;

	if (ev->type == EV_CONNECT) {
		se = corr_sess_open(c, ev);
		corr_evidence(c, ev, se->id, 0);
		return;
	}
	se = corr_sess_get(c, ev);
	switch (ev->type) {
	case EV_BANNER:
		corr_fill_str(&se->banner, ev->text);
		break;
	case EV_HELO:
		corr_set_str(&se->helo, ev->helo);
		break;
	case EV_TLS:
		se->tls = true;
		/* On the wire the rest is encrypted; a log still reads. */
		if (se->wire)
			se->unreadable = true;
		break;
	case EV_AUTH:
		if (ev->reply_code == 0 || (ev->reply_code >= 200 &&
		    ev->reply_code < 300)) {
			corr_set_str(&se->auth_method, ev->sasl_method);
			corr_set_str(&se->auth_user, ev->sasl_user);
			if (se->auth_user == NULL)
				corr_set_str(&se->auth_user,
				    SPAN_LIT("(unnamed account)"));
		}
		break;
	case EV_AUTH_FAIL:
		se->auth_failures++;
		break;
	case EV_MAIL:
		corr_sess_close_attempt(c, se);
		m = wire_txn(c, se, ev);
		m->sender_raw = span_dup(ev->sender);
		if (ev->reply_code >= 400)
			se->rejects++;
		corr_evidence(c, ev, se->id, m->id);
		return;
	case EV_RCPT:
		m = wire_txn(c, se, ev);
		r = corr_msg_rcpt(c, m, ev, ev->rcpt, SPAN_NULL);
		corr_rcpt_update(c, r, ev, wire_reply_outcome(ev->reply_code),
		    false);
		if (ev->reply_code >= 400)
			se->rejects++;
		m->last_epoch = ev->time;
		corr_evidence(c, ev, se->id, m->id);
		return;
	case EV_HEADER:
		wire_header(c, se, ev);
		return;
	case EV_DATA:
		wire_data(c, se, ev);
		return;
	case EV_RSET:
		corr_evidence(c, ev, se->id, se->attempt != NULL ?
		    se->attempt->id : 0);
		corr_sess_close_attempt(c, se);
		return;
	case EV_GAP:
		se->incomplete = true;
		break;
	case EV_DISCONNECT:
		corr_set_str(&se->counters, ev->counters);
		se->end_epoch = ev->time;
		corr_evidence(c, ev, se->id, se->attempt != NULL ?
		    se->attempt->id : 0);
		corr_sess_close(c, se);
		return;
	default:
		break;
	}
	corr_evidence(c, ev, se->id, se->attempt != NULL ? se->attempt->id :
	    0);
}
