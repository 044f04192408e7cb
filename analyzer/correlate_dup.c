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
 * Lines one MTA writes to two files.  Exim writes every refusal to its
 * mainlog and again to its rejectlog (log_write with LOG_MAIN|LOG_REJECT:
 * the same bytes, time stamp included; the rejectlog then adds the
 * message's headers, which the parser takes as part of the entry).  Read
 * together, each refusal would count twice.
 *
 * So the refusal lines of Exim sources (the first event of the line is
 * EV_REJECT, EV_AUTH_FAIL, or an EV_WARNING naming a client) are
 * remembered by a 64-bit hash of their bytes, with the session and message
 * their evidence went to and how many times the source had the line.  A
 * line from another source whose hash is remembered, while copies are
 * left, is a copy: every event of it only adds its evidence row, tied to
 * the first copy's rows, and counts nothing.  Lines within one source are
 * never copies of each other (a client may be refused twice in the same
 * second for the same address).  The refusal lines an earlier run stored
 * from Exim sources are remembered too, from their evidence rows, at the
 * first line of a run that could be a copy.
 *
 * Whichever file is read first counts.  Read the mainlog first (a
 * directory or a shell glob lists it before the rejectlog), and the store
 * is the mainlog's alone, plus the rejectlog's lines as evidence.  A
 * rejectlog read first in the same run opens sessions of its own; the
 * mainlog's connect then takes such a session over (corr_dup_adopt), so
 * refusals and findings are the same, but a session the rejectlog closed
 * ("dropped: too many ...") is not taken over: the mainlog's lines of it
 * make a second session row.
 *
 * Through syslog, with syslog_duplication (Exim's default), the two
 * copies are in one file: Exim sends the mainlog's copy and then the
 * rejectlog's, and the syslog header (its time stamp to the microsecond)
 * tells them apart.  The parser, which sees the syslog process ids and
 * headers, marks the second copy (copy_of, the line of the first:
 * parsers/exim_logs.c has the rule and its limit); it is handled as a
 * copy from another file is, tied to the rows of that line of this source,
 * which the last EV_COPY_WINDOW refusal lines keep (dup_line_note).
 *
 * Memory is bounded: the table holds at most DUP_SLOTS_MAX / 2 lines (a
 * warning says when it is full; lines past that are not remembered, and a
 * copy of them read later counts again).  A hash collision between two
 * different lines can only tie an evidence row to the wrong copy: each
 * copy still takes one remembered line, so counts stay those of one file.
 */

#include "config.h"

#include "correlate.h"
#include "correlate_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define DUP_SLOTS_MIN	1024
#define DUP_SLOTS_MAX	((size_t)1 << 20)	/* 40 MB of slots at most */
#define DUP_ADOPT_MAX	86400		/* seconds from connect to a refusal */

struct corr_dup_slot {
	uint64_t	 hash;		/* 0: empty */
	int64_t		 source;	/* the stored source that had it */
	int64_t		 session;	/* where its evidence went */
	int64_t		 message;
	uint32_t	 left;		/* copies not yet matched */
};

/* dup_hash - FNV-1a over the line's bytes; never 0. */
static uint64_t
dup_hash(const void *p, size_t n)
{
	const unsigned char	*b = p;
	uint64_t		 h = 14695981039346656037ULL;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return (h != 0 ? h : 1);
}

/* dup_exim - is ev from an Exim log line? */
static bool
dup_exim(const struct event *ev)
{
	return (ev->flow == 0 && (span_caseeq_cstr(ev->program, "exim") ||
	    span_caseeq_cstr(ev->program, "exim4")));
}

/* dup_candidate - could ev's line be written to two files? */
static bool
dup_candidate(const struct event *ev)
{
	if (!dup_exim(ev) || ev->ref.raw.n == 0)
		return (false);
	return (ev->type == EV_REJECT || ev->type == EV_AUTH_FAIL ||
	    (ev->type == EV_WARNING && ev->client_ip.n > 0));
}

/* dup_find - the slot of hash h: its own, or the empty one to take. */
static struct corr_dup_slot *
dup_find(const struct corr_dup *d, uint64_t h)
{
	size_t	i = (size_t)h & (d->cap - 1);

	while (d->slots[i].hash != 0 && d->slots[i].hash != h)
		i = (i + 1) & (d->cap - 1);
	return (&d->slots[i]);
}

/* dup_grow - twice the slots (the first ones); false at the maximum. */
static bool
dup_grow(struct corr_dup *d)
{
	struct corr_dup_slot	*old = d->slots, *s;
	size_t			 ocap = d->cap, i;

	if (ocap >= DUP_SLOTS_MAX)
		return (false);
	d->cap = ocap == 0 ? DUP_SLOTS_MIN : ocap * 2;
	d->slots = xreallocarray(NULL, d->cap, sizeof(*d->slots));
	memset(d->slots, 0, d->cap * sizeof(*d->slots));
	for (i = 0; i < ocap; i++)
		if (old[i].hash != 0) {
			s = dup_find(d, old[i].hash);
			*s = old[i];
		}
	free(old);
	return (true);
}

/*
 * dup_match - a remembered copy of line h from a source other than
 * source, taken (NULL if none is left).
 */
static struct corr_dup_slot *
dup_match(struct corr_dup *d, uint64_t h, int64_t source)
{
	struct corr_dup_slot	*s;

	if (d->cap == 0)
		return (NULL);
	s = dup_find(d, h);
	if (s->hash == 0 || s->source == source || s->left == 0)
		return (NULL);
	s->left--;
	return (s);
}

/* dup_remember - note that source had line h, its evidence in these rows. */
static void
dup_remember(struct corr_dup *d, uint64_t h, int64_t source,
    int64_t session, int64_t message)
{
	struct corr_dup_slot	*s;

	if (d->cap == 0 && !dup_grow(d))
		return;
	s = dup_find(d, h);
	if (s->hash == 0) {
		if ((d->used + 1) * 2 > d->cap && !dup_grow(d)) {
			if (!d->full) {
				log_warnx("more than %zu refusal lines: "
				    "copies of later ones in another file "
				    "(an Exim rejectlog) count again",
				    d->used);
				d->full = true;
			}
			return;
		}
		s = dup_find(d, h);
		d->used++;
	} else if (s->source == source) {
		if (s->left < UINT32_MAX)
			s->left++;
		return;
	}
	/* New, or another source's line whose copies were all taken. */
	s->hash = h;
	s->source = source;
	s->session = session;
	s->message = message;
	s->left = 1;
}

/* dup_line_note - line of this source had its evidence in these rows. */
static void
dup_line_note(struct corr_dup *d, uint64_t line, int64_t session,
    int64_t message)
{
	struct corr_dup_line	*l = &d->lines[d->nlines];

	d->nlines = (d->nlines + 1) % EV_COPY_WINDOW;
	l->line = line;
	l->session = session;
	l->message = message;
}

/* dup_line_find - the rows of line of this source, if it is kept. */
static const struct corr_dup_line *
dup_line_find(const struct corr_dup *d, uint64_t line)
{
	size_t	i;

	for (i = 0; i < EV_COPY_WINDOW; i++)
		if (d->lines[i].line == line)
			return (&d->lines[i]);
	return (NULL);
}

/* col_id - column i as a row id, 0 for NULL. */
static int64_t
col_id(sqlite3_stmt *st, int i)
{
	return (sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(st, i));
}

/*
 * dup_seed - remember the refusal lines of Exim sources an earlier run
 * stored, as if they had been read in this run (in the order of their
 * sources): a rejectlog read after its mainlog was ingested counts
 * nothing again.  Done once, at the first line that could be a copy.
 */
static void
dup_seed(struct corr *c)
{
	struct corr_dup	*d = &c->dup;
	sqlite3_stmt	*st;
	int64_t		 src, line, psrc = 0, pline = -1;
	const void	*text;
	uint64_t	 h;
	int		 n;

	d->seeded = true;
	st = store_prepare(c->st, "SELECT EXISTS (SELECT 1 FROM sources"
	    " WHERE id != ?1 AND (format = 'exim' OR"
	    " format LIKE 'exim-%'))");
	store_bind_i64(st, 1, c->source_id);
	n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (n == 0)
		return;
	/* By file: a source that continues another is the same file. */
	st = store_prepare(c->st, "WITH RECURSIVE root(id, r) AS ("
	    " SELECT id, id FROM sources WHERE continues IS NULL"
	    " UNION ALL SELECT s.id, root.r FROM sources s"
	    " JOIN root ON s.continues = root.id)"
	    " SELECT root.r, e.line, e.session_id,"
	    " e.message_id, e.text FROM evidence e"
	    " JOIN sources s ON s.id = e.source_id"
	    " JOIN root ON root.id = e.source_id"
	    " WHERE root.r != ?1 AND (s.format = 'exim' OR"
	    " s.format LIKE 'exim-%')"
	    " AND e.event IN ('reject', 'auth-fail', 'warning')"
	    " ORDER BY root.r, e.line, e.id");
	store_bind_i64(st, 1, c->file_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		src = sqlite3_column_int64(st, 0);
		line = sqlite3_column_int64(st, 1);
		/* Several rows of one line: its first event decided. */
		if (src == psrc && line == pline)
			continue;
		psrc = src;
		pline = line;
		text = sqlite3_column_blob(st, 4);
		n = sqlite3_column_bytes(st, 4);
		if (text == NULL || n <= 0)
			continue;
		h = dup_hash(text, (size_t)n);
		if (dup_match(d, h, src) == NULL)
			dup_remember(d, h, src, col_id(st, 2), col_id(st, 3));
	}
	sqlite3_finalize(st);
}

/*
 * dup_syslog_copy - is ev's line the second copy of an earlier line of
 * this source (copy_of) whose rows are kept?  Then d holds them.
 */
static bool
dup_syslog_copy(struct corr_dup *d, const struct event *ev)
{
	const struct corr_dup_line	*l;

	if (ev->copy_of == 0 || ev->copy_of >= ev->ref.line || !dup_exim(ev) ||
	    (l = dup_line_find(d, ev->copy_of)) == NULL)
		return (false);
	d->copy = d->syslog_copy = true;
	d->session = l->session;
	d->message = l->message;
	return (true);
}

/*
 * dup_other_copy - is ev's line a copy of one another source had (in
 * this run or, from the store, an earlier one)?  Then d holds its rows;
 * else d->hash is the line's, to remember it.
 */
static bool
dup_other_copy(struct corr *c, const struct event *ev)
{
	struct corr_dup		*d = &c->dup;
	struct corr_dup_slot	*s;

	if (!d->seeded)
		dup_seed(c);
	d->hash = dup_hash(ev->ref.raw.p, ev->ref.raw.n);
	if ((s = dup_match(d, d->hash, c->file_id)) == NULL)
		return (false);
	d->copy = true;
	d->session = s->session;
	d->message = s->message;
	dup_line_note(d, ev->ref.line, d->session, d->message);
	if (d->main && !d->order_told) {
		log_warnx("refusals of an Exim mainlog were read before from "
		    "another file (its rejectlog): they count once, in the "
		    "sessions of that file; read the mainlog first");
		d->order_told = true;
	}
	return (true);
}

/*
 * corr_dup_taken - is ev part of a line that copies one another source
 * had, or an earlier line of this one (a syslog copy)?  Then its evidence
 * is stored, tied to the first copy's rows, and nothing else is done with
 * it.  The first event of a line decides for all of them.
 */
bool
corr_dup_taken(struct corr *c, const struct event *ev)
{
	struct corr_dup		*d = &c->dup;

	if (ev->ref.line != d->line || ev->ref.offset != d->offset ||
	    c->source_id != d->source || !d->decided) {
		if (c->source_id != d->source) {
			d->main = false;
			memset(d->lines, 0, sizeof(d->lines));
			d->nlines = 0;
		}
		d->line = ev->ref.line;
		d->offset = ev->ref.offset;
		d->source = c->source_id;
		d->decided = true;
		d->copy = d->syslog_copy = d->record = false;
		if ((ev->type == EV_CONNECT || ev->type == EV_CLIENT) &&
		    dup_exim(ev))
			d->main = true;
		if (c->source_id == 0 || !dup_candidate(ev))
			return (false);
		if (!dup_syslog_copy(d, ev))
			d->record = !dup_other_copy(c, ev);
	}
	if (!d->copy)
		return (false);
	corr_evidence(c, ev, d->session, d->message);
	/* The first copy of a syslog line ended its session already. */
	if (ev->type == EV_DISCONNECT && !d->syslog_copy)
		corr_sess_end(c, ev);
	return (true);
}

/*
 * corr_dup_adopt - should the connect ev take over se, the open session of
 * its key, instead of closing it?  Yes when se was opened, without a
 * connect, by another Exim source and starts after ev: a rejectlog read
 * before its mainlog.  The mainlog's copies of the refusals then add
 * evidence to the session they were counted in, and its other lines
 * (syntax errors, messages, the disconnect) join it.  Logs read in time
 * order never meet this: an open session started before a later connect.
 */
bool
corr_dup_adopt(const struct corr *c, const struct csess *se,
    const struct event *ev)
{
	if (ev->type != EV_CONNECT || !dup_exim(ev) || ev->pid >= 0 ||
	    se->wire || !se->implicit || se->source == c->source_id)
		return (false);
	return (se->start_epoch >= ev->time &&
	    se->start_epoch - ev->time <= DUP_ADOPT_MAX);
}

/*
 * corr_dup_done - after the first event of a line that could be copied
 * elsewhere was handled: remember it with the rows its evidence went to.
 */
void
corr_dup_done(struct corr *c, const struct event *ev)
{
	struct corr_dup	*d = &c->dup;
	bool		 same;

	if (!d->record)
		return;
	d->record = false;
	same = c->ev_source == c->source_id && c->ev_line == ev->ref.line &&
	    c->ev_offset == ev->ref.offset;
	dup_remember(d, d->hash, c->file_id, same ? c->ev_session : 0,
	    same ? c->ev_message : 0);
	dup_line_note(d, ev->ref.line, same ? c->ev_session : 0,
	    same ? c->ev_message : 0);
}

/* corr_dup_free - release the table. */
void
corr_dup_free(struct corr *c)
{
	free(c->dup.slots);
	memset(&c->dup, 0, sizeof(c->dup));
}
