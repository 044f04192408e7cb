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
 * Session listings, one session's story with its evidence lines, and the
 * read-only `sql` command.  All stored text is escaped on output.
 */

#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hop.h"
#include "log.h"
#include "output.h"
#include "report.h"
#include "store.h"

static const char *
col(sqlite3_stmt *s, int i)
{
	return ((const char *)sqlite3_column_text(s, i));
}

static int64_t
coli(sqlite3_stmt *s, int i)
{
	return (sqlite3_column_int64(s, i));
}

/* show_field - " label value" when value is set. */
static void
show_field(FILE *fp, const char *label, const char *value, size_t max)
{
	if (value == NULL)
		return;
	fprintf(fp, " %s ", label);
	out_text_max(fp, value, max);
}

/*
 * show_sessions - one line per session matching the filter, oldest first.
 */
int
show_sessions(struct store *st, FILE *fp, const struct sessions_filter *f)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	s = store_prepare(st, "SELECT s.id, s.start_time, s.client_ip,"
	    " s.client_name, s.helo, s.auth_user, s.messages, s.rejects,"
	    " (SELECT group_concat(kind, ',') FROM (SELECT DISTINCT kind"
	    "  FROM findings WHERE session_id = s.id ORDER BY kind)),"
	    " s.program FROM sessions s"
	    " WHERE (?1 IS NULL OR s.client_ip = ?1)"
	    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM findings"
	    "  WHERE session_id = s.id AND kind = ?2))"
	    " AND (?3 IS NULL OR s.start_time >= ?3)"
	    " AND (?4 IS NULL OR s.start_time <= ?4)"
	    " AND (?5 IS NULL OR s.auth_user = ?5)"
	    " ORDER BY s.id LIMIT ?6");
	store_bind_text(s, 1, f->client);
	store_bind_text(s, 2, f->finding);
	store_bind_text(s, 3, f->since);
	store_bind_text(s, 4, f->until);
	store_bind_text(s, 5, f->user);
	store_bind_i64(s, 6, f->limit > 0 ? f->limit : INT64_MAX);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0)
			fputs("session  start                 client"
			    "           msgs rejects  findings / details\n", fp);
		fprintf(fp, "%7" PRId64 "  %-20s  ", coli(s, 0),
		    col(s, 1) != NULL ? col(s, 1) : "?");
		out_text_max(fp, col(s, 2) != NULL ? col(s, 2) : "?", 45);
		fprintf(fp, "%*s %4" PRId64 " %7" PRId64 "  %s",
		    (int)(col(s, 2) != NULL && strlen(col(s, 2)) < 15 ?
		    15 - strlen(col(s, 2)) : 0), "", coli(s, 6), coli(s, 7),
		    col(s, 8) != NULL ? col(s, 8) : "-");
		show_field(fp, "helo", col(s, 4), 60);
		show_field(fp, "auth", col(s, 5), 60);
		fputc('\n', fp);
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("no matching sessions\n", fp);
	return (0);
}

/* show_recipients - the recipients of one message with their verdicts. */
static void
show_recipients(struct store *st, FILE *fp, int64_t mid)
{
	sqlite3_stmt	*s;

	s = store_prepare(st, "SELECT rcpt_raw, rcpt, trick, outcome,"
	    " reply_code, reply_text, direction, authority, verdict, relay,"
	    " tricked, final_raw, id FROM recipients WHERE message_id = ?1"
	    " ORDER BY id");
	store_bind_i64(s, 1, mid);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("      rcpt <", fp);
		out_text_max(fp, col(s, 0), 200);
		fputc('>', fp);
		if (col(s, 2) != NULL) {
			fprintf(fp, " (%s, really ", col(s, 2));
			out_text_max(fp, col(s, 1), 200);
			fputc(')', fp);
		} else if (col(s, 11) != NULL &&
		    strcmp(col(s, 11), col(s, 0)) != 0) {
			fputs(" (delivered as ", fp);
			out_text_max(fp, col(s, 11), 200);
			fputc(')', fp);
		}
		fprintf(fp, "\n        %s", col(s, 3));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			fprintf(fp, " %" PRId64, coli(s, 4));
		show_field(fp, "via", col(s, 9), 100);
		fprintf(fp, "; %s, %s", col(s, 6) != NULL ? col(s, 6) : "?",
		    col(s, 7) != NULL ? col(s, 7) : "?");
		if (col(s, 8) != NULL)
			fprintf(fp, " => %s", col(s, 8));
		if (coli(s, 10))
			fputs(" + address-trick", fp);
		fputc('\n', fp);
		if (col(s, 5) != NULL) {
			fputs("        reply: ", fp);
			out_text_max(fp, col(s, 5), 300);
			fputc('\n', fp);
		}
		hop_show_to(st, fp, coli(s, 12));
	}
	sqlite3_finalize(s);
}

/*
 * show_evidence - the session's original lines: the wire transcript
 * (packet numbers) or the log lines (file:line).
 */
static void
show_evidence(struct store *st, FILE *fp, int64_t id, bool wire)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	s = store_prepare(st, "SELECT DISTINCT src.path, e.line, e.text,"
	    " e.source_id, e.time FROM evidence e"
	    " JOIN sources src ON src.id = e.source_id"
	    " WHERE (e.session_id = ?1 OR e.message_id IN"
	    "  (SELECT id FROM messages WHERE session_id = ?1))"
	    " AND (src.kind IN ('pcap', 'pcapng')) = ?2"
	    " ORDER BY e.source_id, e.line, e.text");
	store_bind_i64(s, 1, id);
	store_bind_i64(s, 2, wire);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0)
			fputs(wire ? "\n  Wire transcript (packet: line)\n" :
			    "\n  Log lines (file:line)\n", fp);
		fputs("    ", fp);
		out_text(fp, col(s, 0));
		if (wire)
			fprintf(fp, " #%" PRId64 " %s ", coli(s, 1),
			    col(s, 4) != NULL ? col(s, 4) : "");
		else
			fprintf(fp, ":%" PRId64 ": ", coli(s, 1));
		out_text_n(fp, sqlite3_column_blob(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2));
		fputc('\n', fp);
	}
	sqlite3_finalize(s);
}

/*
 * show_session - the story of session id: who connected, what they said,
 * what was decided, then the original lines as file:line.  Returns -1 if
 * there is no such session.
 */
int
show_session(struct store *st, FILE *fp, int64_t id)
{
	sqlite3_stmt	*s;

	s = store_prepare(st, "SELECT client_ip, client_port, client_name,"
	    " helo, tls, auth_method, auth_user, auth_failures, start_time,"
	    " end_time, counters, server, program, pid, kind, banner,"
	    " unreadable, incomplete, server_ip, server_port FROM sessions"
	    " WHERE id = ?1");
	store_bind_i64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return (-1);
	}
	fprintf(fp, "Session %" PRId64 " (evidence: %s)\n  client  ", id,
	    strcmp(col(s, 14), "both") == 0 ? "log and capture" :
	    strcmp(col(s, 14), "wire") == 0 ? "capture" : "log");
	out_text_max(fp, col(s, 0) != NULL ? col(s, 0) : "?", 64);
	if (col(s, 2) != NULL) {
		fputs(" (", fp);
		out_text_max(fp, col(s, 2), 255);
		fputc(')', fp);
	}
	fputs("\n  server  ", fp);
	out_text_max(fp, col(s, 11) != NULL ? col(s, 11) : "?", 255);
	fputc(' ', fp);
	out_text_max(fp, col(s, 12) != NULL ? col(s, 12) : "?", 64);
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		fprintf(fp, "[%" PRId64 "]", coli(s, 13));
	fprintf(fp, "\n  time    %s .. %s\n", col(s, 8) != NULL ? col(s, 8) :
	    "?", col(s, 9) != NULL ? col(s, 9) : "(no disconnect seen)");
	if (col(s, 3) != NULL) {
		fputs("  helo    ", fp);
		out_text_max(fp, col(s, 3), 255);
		fputc('\n', fp);
	}
	if (col(s, 18) != NULL) {
		fputs("  wire    server ", fp);
		out_text_max(fp, col(s, 18), 64);
		fprintf(fp, " port %" PRId64 "\n", coli(s, 19));
	}
	if (col(s, 15) != NULL) {
		fputs("  banner  ", fp);
		out_text_max(fp, col(s, 15), 255);
		fputc('\n', fp);
	}
	fprintf(fp, "  tls     %s\n", coli(s, 4) ? (coli(s, 16) ?
	    "yes (STARTTLS: the rest of the capture is unreadable)" :
	    "yes") : "no");
	if (coli(s, 17))
		fputs("  capture incomplete: bytes were missing\n", fp);
	fputs("  auth    ", fp);
	if (col(s, 6) != NULL) {
		out_text_max(fp, col(s, 6), 255);
		show_field(fp, "with", col(s, 5), 32);
	} else
		fputs("none", fp);
	if (coli(s, 7) > 0)
		fprintf(fp, " (%" PRId64 " failed attempts)", coli(s, 7));
	fputc('\n', fp);
	if (col(s, 10) != NULL) {
		fputs("  counts  ", fp);
		out_text_max(fp, col(s, 10), 255);
		fputc('\n', fp);
	}
	sqlite3_finalize(s);

	s = store_prepare(st, "SELECT id, queue_id, origin, sender_raw,"
	    " size, message_id, accepted, removed, first_time, parent_id"
	    " FROM messages WHERE session_id = ?1 ORDER BY id");
	store_bind_i64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fprintf(fp, "\n  %s %" PRId64 " at %s",
		    coli(s, 6) ? "message" : "refused transaction",
		    coli(s, 0), col(s, 8) != NULL ? col(s, 8) : "?");
		if (col(s, 1) != NULL) {
			fputs(" queue id ", fp);
			out_text_max(fp, col(s, 1), 64);
		}
		if (strcmp(col(s, 2), "smtpd") != 0)
			fprintf(fp, " (%s)", col(s, 2));
		if (sqlite3_column_type(s, 9) != SQLITE_NULL)
			fprintf(fp, " for message %" PRId64, coli(s, 9));
		fputs("\n    from <", fp);
		out_text_max(fp, col(s, 3) != NULL ? col(s, 3) : "?", 255);
		fputc('>', fp);
		if (sqlite3_column_type(s, 4) != SQLITE_NULL)
			fprintf(fp, " size %" PRId64, coli(s, 4));
		show_field(fp, "message-id", col(s, 5), 200);
		fprintf(fp, "%s\n", coli(s, 6) && !coli(s, 7) ?
		    " (still queued at the end of the logs)" : "");
		hop_show_from(st, fp, coli(s, 0));
		show_recipients(st, fp, coli(s, 0));
	}
	sqlite3_finalize(s);

	fputs("\n  Findings\n", fp);
	/* Also those laid at another session's door (hop.c). */
	s = store_prepare(st, "SELECT kind, severity, summary FROM findings"
	    " WHERE session_id = ?1 OR message_id IN (SELECT id FROM"
	    " messages WHERE session_id = ?1) ORDER BY id");
	store_bind_i64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fprintf(fp, "    %s (%s): ", col(s, 0), col(s, 1));
		out_text_max(fp, col(s, 2), 400);
		fputc('\n', fp);
	}
	sqlite3_finalize(s);

	show_evidence(st, fp, id, true);
	show_evidence(st, fp, id, false);
	return (0);
}

/*
 * show_sql_auth - the authorizer for user queries: reading only.  The
 * database is already opened read-only with query_only set; this also
 * keeps out ATTACH (other files) and pragmas that change the connection.
 */
static int
show_sql_auth(void *arg, int action, const char *a, const char *b,
    const char *db, const char *trigger)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return (SQLITE_OK);
	case SQLITE_PRAGMA:
		/* Schema questions only, without a value to set. */
		if (b == NULL && a != NULL && (strcmp(a, "table_info") == 0 ||
		    strcmp(a, "table_xinfo") == 0 ||
		    strcmp(a, "index_list") == 0 ||
		    strcmp(a, "index_info") == 0 ||
		    strcmp(a, "user_version") == 0 ||
		    strcmp(a, "integrity_check") == 0 ||
		    strcmp(a, "quick_check") == 0))
			return (SQLITE_OK);
		return (SQLITE_DENY);
	default:
		return (SQLITE_DENY);
	}
}

/*
 * show_sql - run one read-only statement from the user and print its rows
 * tab-separated with a header.  The store must have been opened
 * STORE_RDONLY.  Returns -1 (with a message) on a bad statement.
 */
int
show_sql(struct store *st, FILE *fp, const char *sql)
{
	sqlite3_stmt	*s;
	const char	*tail;
	int		 i, n, rc;

	if (sqlite3_set_authorizer(st->db, show_sql_auth, NULL) != SQLITE_OK) {
		log_warnx("sql: cannot install the authorizer");
		return (-1);
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, &tail) != SQLITE_OK) {
		log_warnx("sql: %s", sqlite3_errmsg(st->db));
		return (-1);
	}
	if (s == NULL) {
		log_warnx("sql: empty statement");
		return (-1);
	}
	while (tail != NULL && (*tail == ' ' || *tail == '\n' ||
	    *tail == '\t' || *tail == ';' || *tail == '\r'))
		tail++;
	if (tail != NULL && *tail != '\0') {
		log_warnx("sql: one statement at a time");
		sqlite3_finalize(s);
		return (-1);
	}
	if (!sqlite3_stmt_readonly(s)) {
		log_warnx("sql: the database is opened read-only; this "
		    "statement would write");
		sqlite3_finalize(s);
		return (-1);
	}
	n = sqlite3_column_count(s);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('\t', fp);
		out_text(fp, sqlite3_column_name(s, i));
	}
	if (n > 0)
		fputc('\n', fp);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc('\t', fp);
			if (sqlite3_column_type(s, i) == SQLITE_NULL)
				fputs("NULL", fp);
			else
				out_text_n(fp, sqlite3_column_blob(s, i),
				    (size_t)sqlite3_column_bytes(s, i));
		}
		fputc('\n', fp);
	}
	if (rc != SQLITE_DONE) {
		log_warnx("sql: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return (-1);
	}
	sqlite3_finalize(s);
	return (0);
}
