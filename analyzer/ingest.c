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
 * Ingest: sources in, rows out.  Each source is hashed before it is read;
 * a source whose SHA-256 is already stored is skipped, so ingesting the
 * same bytes twice adds nothing.  Standard input is first copied to a
 * temporary file (hashing as it goes) so that it gets the same treatment.
 * Each source is one transaction: a source that breaks off half way (a
 * truncated .gz) keeps every line read before the damage, and the error
 * is recorded with it.  A rotated set (mail.log mail.log.1 mail.log.2.gz)
 * is read oldest first whatever order it was given in, through one
 * correlator, so a message whose lines span two files is one message.
 * The order of reading and the rebuild plan are in ingest_plan.c, the
 * capture reader in ingest_capture.c.
 */

#include "config.h"

#include "ingest.h"
#include "ingest_int.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "compat.h"
#include "correlate.h"
#include "event.h"
#include "evpipe.h"
#include "log.h"
#include "mtalog.h"
#include "source.h"
#include "store.h"
#include "xmalloc.h"

/*
 * ingest_clock - a log event's time: count the steps back by more than
 * INGEST_CLOCK_SLACK_US from the event before, keeping the first.
 */
static void
ingest_clock(struct ingest_src *is, const struct event *ev)
{
	int64_t	us;

	/* Hostile times: out of this range they cannot be compared. */
	if (ev->time <= -((int64_t)1 << 40) || ev->time >= (int64_t)1 << 40)
		return;
	us = ev->time * 1000000 + ev->usec;
	if (is->have_prev && is->prev_us - us > INGEST_CLOCK_SLACK_US &&
	    is->back++ == 0) {
		is->back_line = ev->ref.line;
		is->back_from = is->prev_us / 1000000;
		is->back_to = ev->time;
		is->back_us = is->prev_us - us;
	}
	is->prev_us = us;
	is->have_prev = true;
}

/* ingest_long_line - a capture's overlong SMTP line: say where. */
static void
ingest_long_line(struct ingest_src *is, const struct event *ev)
{
	char	cip[LOG_ESCAPE_SIZE(46)], sip[LOG_ESCAPE_SIZE(46)];
	char	text[LOG_ESCAPE_SIZE(200)];

	if (is->long_lines++ >= INGEST_WARN_MAX || is->quiet)
		return;
	log_warnx("%s: packet %llu: %s ([%s]:%u -> [%s]:%u)", is->display,
	    (unsigned long long)ev->ref.line,
	    log_escape(text, sizeof(text), ev->text.p,
	    ev->text.n < 200 ? ev->text.n : 200),
	    log_escape(cip, sizeof(cip), ev->client_ip.p,
	    ev->client_ip.n < 46 ? ev->client_ip.n : 46),
	    ev->client_port,
	    log_escape(sip, sizeof(sip), ev->server_ip.p,
	    ev->server_ip.n < 46 ? ev->server_ip.n : 46),
	    ev->server_port);
}

/* ingest_sink - note times and host, then pass the event on. */
void
ingest_sink(void *arg, const struct event *ev)
{
	struct ingest_src	*is = arg;

	if (!is->have_time || ev->time < is->first)
		is->first = ev->time;
	if (!is->have_time || ev->time > is->last)
		is->last = ev->time;
	is->have_time = true;
	if (is->host == NULL && ev->host.n > 0)
		is->host = span_dup(ev->host);
	if (!is->capture)
		ingest_clock(is, ev);
	else if (ev->type == EV_WARNING &&
	    span_eq_cstr(ev->status, "long-line"))
		ingest_long_line(is, ev);
	corr_event(is->corr, ev);
}

/*
 * ingest_spool_stdin - copy standard input (path NULL) or a FIFO or
 * device at path to a temporary file, and return its name.
 */
static char *
ingest_spool_stdin(const char *path)
{
	const char	*dir = getenv("TMPDIR");
	char		*tmpl, buf[65536];
	ssize_t		 n;
	int		 fd, in = STDIN_FILENO;

	if (path != NULL && (in = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s", path);
		return (NULL);
	}
	xasprintf(&tmpl, "%s/relaytrace-stdin-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	if ((fd = mkstemp(tmpl)) == -1) {
		log_warn("%s", tmpl);
		free(tmpl);
		if (path != NULL)
			close(in);
		return (NULL);
	}
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (write(fd, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	if (path != NULL)
		close(in);
	if (n < 0 || close(fd) == -1) {
		log_warn("%s: spooling to %s", path != NULL ? path :
		    "standard input", tmpl);
		(void)unlink(tmpl);
		free(tmpl);
		return (NULL);
	}
	return (tmpl);
}


/* ingest_anomaly - remember a line we could not use. */
void
ingest_anomaly(void *arg, const struct evpipe_anomaly *a)
{
	struct ingest_dest	*d = arg;
	sqlite3_stmt		*s;

	s = store_stmt(d->st, STMT_ANOMALY_INSERT);
	store_bind_i64(s, 1, d->sid);
	store_bind_i64(s, 2, (int64_t)a->line);
	store_bind_i64(s, 3, (int64_t)a->offset);
	store_bind_text(s, 4, a->kind);
	store_bind_blob(s, 5, a->text);
	store_step_done(d->st, s);
}

void
ingest_dest_event(void *arg, const struct event *ev)
{
	struct ingest_dest	*d = arg;

	ingest_sink(d->is, ev);
}

/* line_anomaly - pass a line on as an anomaly, its text bounded. */
static void
line_anomaly(struct evpipe *p, const struct source_line *ln,
    const char *kind)
{
	struct evpipe_anomaly	a;

	a.line = ln->lineno;
	a.offset = ln->offset;
	a.kind = kind;
	a.text = ln->text;
	if (a.text.n > INGEST_ANOMALY_TEXT_MAX)
		a.text.n = INGEST_ANOMALY_TEXT_MAX;
	evpipe_anomaly(p, &a);
}

/*
 * ingest_bind_abspath - bind sources.abspath: path made absolute (links
 * resolved), where a later run looks for the source first after the path
 * as given.  NULL for what was spooled (standard input, a FIFO): path is
 * then not display.
 */
void
ingest_bind_abspath(sqlite3_stmt *s, int i, const char *path,
    const char *display)
{
	char	*abs = NULL;

	if (strcmp(path, display) == 0)
		abs = realpath(path, NULL);
	store_bind_text(s, i, abs);
	free(abs);
}

/*
 * ingest_known_size - could a source of this many bytes be stored
 * already?  Only then must it be hashed before it is read: otherwise the
 * hash is made as it is read (logs) or beside the reading (captures).
 */
bool
ingest_known_size(struct store *st, uint64_t bytes)
{
	sqlite3_stmt	*s;
	bool		 known;

	s = store_stmt(st, STMT_SOURCE_FIND_SIZE);
	store_bind_i64(s, 1, (int64_t)bytes);
	known = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return (known);
}

/*
 * ingest_same_sha - after a source hashed while it was read: a stored
 * source with the same bytes means the file changed between the size
 * check and the reading.  What was read is in the open transaction and
 * in the correlator's memory, so the only safe way out is to stop here
 * (the transaction is rolled back).
 */
void
ingest_same_sha(struct store *st, const char *display, const char *sha)
{
	sqlite3_stmt	*s;
	long long	 id;

	s = store_stmt(st, STMT_SOURCE_FIND);
	store_bind_text(s, 1, sha);
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		(void)store_rollback(st);
		fatalx("%s: changed while it was read, into the bytes of "
		    "source %lld: nothing of it is kept; run again", display,
		    id);
	}
	sqlite3_reset(s);
}

/* The reader's side of a log: lines to events, and what it counted. */
struct log_reader {
	struct source	*src;
	struct mtalog	*ml;
	uint32_t	 index;
	const char	*display;
	bool		 quiet;
	uint64_t	 parsed;
	uint64_t	 other;
	uint64_t	 unparsed;
	uint64_t	 longl;
	uint64_t	 warned;
	uint64_t	 from;		/* content offset reading starts at */
	uint64_t	 skipped;	/* lines before it */
};

/* log_read - read, split and parse the log; source_next_line()'s end. */
static int
log_read(void *arg, struct evpipe *p)
{
	struct log_reader	*lr = arg;
	struct source_line	 ln;
	struct ev_ref		 ref;
	char			 esc[LOG_ESCAPE_SIZE(100)];
	int			 rc;

	while ((rc = source_next_line(lr->src, &ln)) == 1) {
		/* What a stored source had already (ingest_continues()). */
		if (ln.offset < lr->from) {
			lr->skipped++;
			continue;
		}
		memset(&ref, 0, sizeof(ref));
		ref.source = lr->index;
		ref.line = ln.lineno;
		ref.offset = ln.offset;
		ref.raw = ln.text;
		if (ln.truncated) {
			lr->longl++;
			line_anomaly(p, &ln, "long-line");
		}
		switch (mtalog_line(lr->ml, &ref, evpipe_event, p)) {
		case PARSE_OK:
			lr->parsed++;
			break;
		case PARSE_SKIP:
			lr->other++;
			break;
		default:
			lr->unparsed++;
			if (lr->unparsed <= INGEST_ANOMALIES_MAX &&
			    !ln.truncated)
				line_anomaly(p, &ln, ln.has_nul ?
				    "nul-byte" : "unparsed");
			if (!lr->quiet && lr->warned < INGEST_WARN_MAX) {
				lr->warned++;
				log_warnx("%s:%llu: line not understood: "
				    "\"%.100s\"", lr->display,
				    (unsigned long long)ln.lineno,
				    log_escape(esc, sizeof(esc), ln.text.p,
				    ln.text.n < 100 ? ln.text.n : 100));
			}
			break;
		}
	}
	return (rc);
}

/* A stored source whose content a new one starts with. */
struct ingest_cont {
	int64_t		 id;
	uint64_t	 bytes;
	char		*path;
};

/*
 * ingest_continues - does path's content start with all of a stored
 * log's (the log has grown since, or was rotated and compressed)?  The
 * stored sources whose first bytes it starts with are hashed as far as
 * their length (source_scan_prefixes()), and the longest that matches
 * wins.  0 when none, 1 when path holds just that content (nothing new),
 * 2 when it goes on (ic says from where).
 */
static int
ingest_continues(struct store *st, const char *path, struct ingest_cont *ic)
{
	struct source_prefix	*p = NULL;
	sqlite3_stmt		*s;
	int64_t			*ids = NULL;
	char			**paths = NULL, err[512];
	size_t			 n = 0, i, best;
	bool			 more;
	int			 rc = 0;

	memset(ic, 0, sizeof(*ic));
	s = store_prepare(st, "SELECT id, content_bytes, content_sha256,"
	    " head, path FROM sources WHERE content_sha256 IS NOT NULL AND"
	    " content_bytes > 0 AND length(head) > 0"
	    " ORDER BY content_bytes, id");
	while (sqlite3_step(s) == SQLITE_ROW) {
		size_t	hn = (size_t)sqlite3_column_bytes(s, 3);
		char	*h;

		if (hn > SOURCE_HEAD_MAX)
			continue;
		p = xreallocarray(p, n + 1, sizeof(*p));
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		paths = xreallocarray(paths, n + 1, sizeof(*paths));
		memset(&p[n], 0, sizeof(p[n]));
		ids[n] = sqlite3_column_int64(s, 0);
		p[n].bytes = (uint64_t)sqlite3_column_int64(s, 1);
		strlcpy(p[n].sha256, store_col_text(s, 2), sizeof(p[n].sha256));
		h = xmalloc(hn + 1);
		memcpy(h, sqlite3_column_blob(s, 3), hn);
		p[n].head = (struct span){ h, hn };
		paths[n] = xstrdup(store_col_text(s, 4));
		n++;
	}
	sqlite3_finalize(s);
	if (n > 0 && source_scan_prefixes(path, p, n, &more, err,
	    sizeof(err)) == 0) {
		for (best = n, i = 0; i < n; i++)
			if (p[i].match)
				best = i;
		if (best < n) {
			ic->id = ids[best];
			ic->bytes = p[best].bytes;
			ic->path = xstrdup(paths[best]);
			rc = more ? 2 : 1;
		}
	}
	for (i = 0; i < n; i++) {
		free((void *)p[i].head.p);
		free(paths[i]);
	}
	free(p);
	free(ids);
	free(paths);
	return (rc);
}

/*
 * ingest_one - read one source into the store.  display is the name to
 * show and record ("-" for standard input).  Returns 0, 1 when skipped as
 * already ingested, or -1 when it could not be read (fully).
 */
static int
ingest_one(struct store *st, struct corr *corr, struct mtalog *ml,
    const char *path, const char *display, uint32_t index,
    struct ingest_totals *tot, const struct ingest_opts *o)
{
	struct ingest_src	 is;
	struct ingest_dest	 dest;
	struct evpipe_consumer	 cons = { &dest, ingest_dest_event,
				    ingest_anomaly };
	struct log_reader	 lr;
	struct ingest_cont	 ic;
	struct source		*src;
	struct stat		 sb;
	sqlite3_stmt		*s;
	char			 err[512], sha[65];
	bool			 prehash;
	char			 now[32], t1[32], t2[32];
	uint64_t		 bytes, parsed = 0, other = 0, unparsed = 0;
	uint64_t		 longl = 0, warned = 0;
	int64_t			 sid, anchor;
	int			 rc;

	prehash = stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    ingest_known_size(st, (uint64_t)sb.st_size);
	sha[0] = '\0';
	bytes = prehash ? 0 : (uint64_t)sb.st_size;
	if (prehash) {
		if (source_hash_file(path, sha, &bytes, err, sizeof(err)) ==
		    -1) {
			log_warnx("%s", err);
			tot->failed++;
			return (-1);
		}
		s = store_stmt(st, STMT_SOURCE_FIND);
		store_bind_text(s, 1, sha);
		if (sqlite3_step(s) == SQLITE_ROW) {
			if (!o->quiet)
				log_warnx("%s: already ingested (same SHA-256 "
				    "as source %lld): skipped", display,
				    (long long)sqlite3_column_int64(s, 0));
			sqlite3_reset(s);
			tot->skipped++;
			return (1);
		}
		sqlite3_reset(s);
	}
	if ((src = source_open(path, !prehash, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		tot->failed++;
		return (-1);
	}
	if (source_content_kind(src) == SOURCE_PCAP ||
	    source_content_kind(src) == SOURCE_PCAPNG) {
		source_close(src);
		return (ingest_capture(st, corr, path, display, index,
		    prehash ? sha : NULL, bytes, tot, o));
	}
	switch (ingest_continues(st, path, &ic)) {
	case 1:
		if (!o->quiet)
			log_warnx("%s: already ingested (its content is that "
			    "of source %lld, %s): skipped", display,
			    (long long)ic.id, ic.path);
		free(ic.path);
		source_close(src);
		tot->skipped++;
		return (1);
	case 2:
		if (!o->quiet)
			log_info("%s: starts with the content of source %lld "
			    "(%s, %llu bytes): read from there on", display,
			    (long long)ic.id, ic.path,
			    (unsigned long long)ic.bytes);
		break;
	}

	if (store_begin(st) == -1)
		fatalx("%s: cannot start a transaction", display);
	store_time_iso((int64_t)time(NULL), now);
	s = store_stmt(st, STMT_SOURCE_INSERT);
	store_bind_text(s, 1, display);
	store_bind_text(s, 2, prehash ? sha : "(being read)");
	store_bind_i64(s, 3, (int64_t)bytes);
	store_bind_text(s, 4, source_kind_name(source_kind(src)));
	store_bind_text(s, 5, "unknown");
	store_bind_text(s, 6, now);
	ingest_bind_abspath(s, 7, path, display);
	store_step_done(st, s);
	sid = sqlite3_last_insert_rowid(st->db);
	if (ic.id != 0) {
		s = store_prepare(st, "UPDATE sources SET continues = ?2"
		    " WHERE id = ?1");
		store_bind_i64(s, 1, sid);
		store_bind_i64(s, 2, ic.id);
		store_step_done(st, s);
		sqlite3_finalize(s);
	}
	corr_set_source(corr, sid);

	memset(&is, 0, sizeof(is));
	is.corr = corr;
	is.display = display;
	is.quiet = o->quiet;
	anchor = source_mtime(src);
	mtalog_begin_source(ml, anchor >= 0 ? anchor : (int64_t)time(NULL));
	memset(&lr, 0, sizeof(lr));
	lr.src = src;
	lr.ml = ml;
	lr.index = index;
	lr.display = display;
	lr.quiet = o->quiet;
	lr.from = ic.bytes;
	dest.st = st;
	dest.sid = sid;
	dest.is = &is;
	rc = evpipe_run(log_read, &lr, &cons);
	parsed = lr.parsed;
	other = lr.other;
	unparsed = lr.unparsed;
	longl = lr.longl;
	warned = lr.warned;
	if (rc == -1)
		log_warnx("%s: after line %llu: %s; the %llu lines before it "
		    "are kept", display, (unsigned long long)source_lines(src),
		    source_error(src), (unsigned long long)source_lines(src));
	if (!o->quiet && unparsed > warned)
		log_warnx("%s: %llu lines not understood in all", display,
		    (unsigned long long)unparsed);
	if (!o->quiet && is.back > 0) {
		store_time_iso(is.back_from, t1);
		store_time_iso(is.back_to, t2);
		log_warnx("%s:%llu: time goes back %lld s, from %s to %s (%llu "
		    "such step%s back of more than %lld s in this source; "
		    "times are kept as logged)", display,
		    (unsigned long long)is.back_line,
		    (long long)((is.back_us + 500000) / 1000000), t1, t2,
		    (unsigned long long)is.back, is.back == 1 ? "" : "s",
		    (long long)(INGEST_CLOCK_SLACK_US / 1000000));
	}
	if (!prehash) {
		source_finish_hash(src);
		strlcpy(sha, source_sha256(src), sizeof(sha));
		bytes = source_bytes(src);
		ingest_same_sha(st, display, sha);
	}

	s = store_stmt(st, STMT_SOURCE_UPDATE);
	store_bind_i64(s, 1, sid);
	store_bind_text(s, 2, sha);
	store_bind_i64(s, 3, (int64_t)bytes);
	store_bind_text(s, 4, mtalog_format(ml) != NULL ? mtalog_format(ml) :
	    "unknown");
	store_bind_text(s, 5, is.host);
	if (is.have_time) {
		store_time_iso(is.first, t1);
		store_time_iso(is.last, t2);
		store_bind_text(s, 6, t1);
		store_bind_i64(s, 7, is.first);
		store_bind_text(s, 8, t2);
		store_bind_i64(s, 9, is.last);
	}
	store_bind_i64(s, 10, (int64_t)(source_lines(src) - lr.skipped));
	store_bind_i64(s, 11, (int64_t)parsed);
	store_bind_i64(s, 12, (int64_t)other);
	store_bind_i64(s, 13, (int64_t)unparsed);
	store_bind_i64(s, 14, (int64_t)longl);
	store_bind_text(s, 15, source_error(src));
	if (source_content_bytes(src) > 0) {
		store_bind_text(s, 16, source_content_sha256(src));
		store_bind_i64(s, 17, (int64_t)source_content_bytes(src));
		store_bind_blob(s, 18, source_head(src));
	}
	store_bind_opt_i64(s, 19, ic.id, ic.id != 0);
	store_bind_i64(s, 20, (int64_t)lr.skipped + 1);
	store_step_done(st, s);
	corr_checkpoint(corr);
	if (store_commit(st) == -1)
		fatalx("%s: cannot commit", display);

	if (!o->quiet)
		log_info("%s: read as %s (%llu lines)", display,
		    mtalog_format(ml) != NULL ? mtalog_format(ml) : "unknown",
		    (unsigned long long)(source_lines(src) - lr.skipped));
	free(ic.path);
	tot->sources++;
	tot->lines += source_lines(src) - lr.skipped;
	tot->parsed += parsed;
	tot->other += other;
	tot->unparsed += unparsed;
	free(is.host);
	source_close(src);
	if (rc == -1) {
		tot->failed++;
		return (-1);
	}
	return (0);
}

/*
 * ingest_files - read paths (already in reading order) into the store.
 * Returns 0 when every source was read completely (or skipped as already
 * ingested), -1 when at least one could not be (what could be read is
 * stored either way), -2 for a bad --tz or --year, before reading.
 */
int
ingest_files(struct store *st, char **paths, size_t n,
    const struct ingest_opts *o, struct ingest_totals *tot)
{
	struct mtalog_opts	 mo;
	struct mtalog		*ml;
	struct corr		*corr;
	struct corr_stats	 cst;
	char			**real;
	const char		**shown;
	bool			*spooled;
	int			*passes;
	size_t			 i;
	int			 rv = 0, pass;

	memset(tot, 0, sizeof(*tot));
	memset(&mo, 0, sizeof(mo));
	mo.year = o->year;
	mo.tz = o->tz;
	mo.format = o->format;
	if (o->format != NULL && !mtalog_format_known(o->format)) {
		log_warnx("--format %s: not a format this version reads",
		    o->format);
		return (-2);
	}
	if ((ml = mtalog_new(&mo)) == NULL) {
		log_warnx("--tz %s: not a time zone (UTC, +0100, Europe/Berlin)",
		    o->tz != NULL ? o->tz : "");
		return (-2);
	}
	corr = corr_new(st);
	if (o->loc != NULL) {
		classify_prepare(st, o->loc);
		corr_set_locality(corr, o->loc);
	}

	/*
	 * Standard input is spooled first; then captures are read before
	 * logs, so that log lines can join the sessions the captures show,
	 * and message tracking logs last, after the protocol logs whose
	 * sessions they name.
	 */
	real = xcalloc(n + 1, sizeof(*real));
	shown = xcalloc(n + 1, sizeof(*shown));
	spooled = xcalloc(n + 1, sizeof(*spooled));
	passes = xcalloc(n + 1, sizeof(*passes));
	for (i = 0; i < n; i++) {
		struct stat	sb;

		shown[i] = paths[i];
		/*
		 * Standard input, a FIFO or a device can be read once only:
		 * copied to a file first, they are hashed and read like one.
		 */
		if (strcmp(paths[i], "-") == 0)
			real[i] = ingest_spool_stdin(NULL);
		else if (stat(paths[i], &sb) == 0 && !S_ISREG(sb.st_mode) &&
		    !S_ISDIR(sb.st_mode))
			real[i] = ingest_spool_stdin(paths[i]);
		else
			real[i] = xstrdup(paths[i]);
		spooled[i] = real[i] != NULL && strcmp(real[i], paths[i]) != 0;
		/* Looked at once: a spooled standard input by its bytes. */
		passes[i] = real[i] != NULL ? ingest_pass(real[i]) : -1;
	}
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < n; i++) {
			if (real[i] == NULL) {
				if (pass == 0) {
					tot->failed++;
					rv = -1;
				}
				continue;
			}
			if (passes[i] != pass)
				continue;
			if (ingest_one(st, corr, ml, real[i], shown[i],
			    (uint32_t)i, tot, o) == -1)
				rv = -1;
		}
	for (i = 0; i < n; i++) {
		if (real[i] != NULL && spooled[i])
			(void)unlink(real[i]);
		free(real[i]);
	}
	free(real);
	free(shown);
	free(spooled);
	free(passes);
	if (store_begin(st) == -1)
		fatalx("cannot start a transaction");
	corr_flush(corr);
	if (store_commit(st) == -1)
		fatalx("cannot commit");
	corr_stats(corr, &cst);
	tot->sessions = cst.sessions;
	tot->messages = cst.messages;
	tot->recipients = cst.recipients;
	corr_free(corr);
	mtalog_free(ml);
	return (rv);
}
