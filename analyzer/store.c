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
 * SQLite storage.  The schema (schema/schema.sql) is compiled into the
 * program and applied to an empty database; a database with another
 * user_version is refused rather than guessed at.  All repeated SQL is in
 * stmt_sql[], prepared once with SQLITE_PREPARE_PERSISTENT.  A read-only
 * store is opened SQLITE_OPEN_READONLY with query_only set, so nothing the
 * user types into `relaytrace sql` can write.
 */

#include "config.h"

#include "store.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "evblock.h"
#include "evpipe.h"
#include "log.h"
#include "xmalloc.h"

static const char *const stmt_sql[STMT__MAX] = {
	/* STMT_SOURCE_FIND */
	"SELECT id FROM sources WHERE sha256 = ?1",
	/* STMT_SOURCE_FIND_SIZE */
	"SELECT id FROM sources WHERE bytes = ?1 LIMIT 1",
	/* STMT_SOURCE_INSERT */
	"INSERT INTO sources (path, sha256, bytes, kind, format, lines,"
	" parsed, other, unparsed, long_lines, ingested_at, abspath)"
	" VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0, 0, 0, ?6, ?7)",
	/* STMT_SOURCE_UPDATE */
	"UPDATE sources SET sha256 = ?2, bytes = ?3, format = ?4, host = ?5,"
	" first_time = ?6, first_epoch = ?7, last_time = ?8,"
	" last_epoch = ?9, lines = ?10, parsed = ?11, other = ?12,"
	" unparsed = ?13, long_lines = ?14, error = ?15,"
	" content_sha256 = ?16, content_bytes = ?17, head = ?18,"
	" continues = ?19, from_line = ?20 WHERE id = ?1",
	/* STMT_SESSION_INSERT: ?1-?18 as in the update */
	"INSERT INTO sessions (id, client_ip, client_port, client_name,"
	" helo, tls, auth_method, auth_user, auth_failures, end_time,"
	" end_epoch, counters, messages, rejects, kind, banner, unreadable,"
	" incomplete, server, program, pid, start_time, start_epoch, flow,"
	" server_ip, server_port) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
	" ?22, ?23, ?24, ?25, ?26)",
	/* STMT_SESSION_UPDATE */
	"UPDATE sessions SET client_ip = ?2, client_port = ?3,"
	" client_name = ?4, helo = ?5, tls = ?6, auth_method = ?7,"
	" auth_user = ?8, auth_failures = ?9, end_time = ?10,"
	" end_epoch = ?11, counters = ?12, messages = ?13, rejects = ?14,"
	" kind = ?15, banner = ?16, unreadable = ?17, incomplete = ?18"
	" WHERE id = ?1",
	/* STMT_SESSION_FIND_WIRE */
	"SELECT id, client_port, client_name, helo, tls, auth_method,"
	" auth_user, auth_failures, end_epoch, counters, messages, rejects,"
	" banner, unreadable, incomplete FROM sessions"
	" WHERE kind = 'wire' AND client_ip = ?1"
	" AND start_epoch BETWEEN ?2 - 2 AND ?2 + 2"
	" ORDER BY abs(start_epoch - ?2), id LIMIT 1",
	/* STMT_MESSAGE_INSERT: ?1-?23 as in the update */
	"INSERT INTO messages (id, session_id, origin, parent_id, client_ip,"
	" client_name, helo, auth_user, sender_raw, sender, sender_domain,"
	" size, nrcpt, message_id, accepted, removed, last_time, last_epoch,"
	" queue_id, subject, header_from, body_sha256, evidence_kind,"
	" server, first_time, first_epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	" ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	" ?21, ?22, ?23, ?24, ?25, ?26)",
	/* STMT_MESSAGE_UPDATE */
	"UPDATE messages SET session_id = ?2, origin = ?3, parent_id = ?4,"
	" client_ip = ?5, client_name = ?6, helo = ?7, auth_user = ?8,"
	" sender_raw = ?9, sender = ?10, sender_domain = ?11, size = ?12,"
	" nrcpt = ?13, message_id = ?14, accepted = ?15, removed = ?16,"
	" last_time = ?17, last_epoch = ?18, queue_id = ?19,"
	" subject = ?20, header_from = ?21, body_sha256 = ?22,"
	" evidence_kind = ?23 WHERE id = ?1",
	/* STMT_MESSAGE_FIND_WIRE */
	"SELECT id FROM messages WHERE queue_id = ?1"
	" AND evidence_kind = 'wire'"
	" AND first_epoch BETWEEN ?2 - 600 AND ?2 + 600"
	" ORDER BY abs(first_epoch - ?2), id LIMIT 1",
	/* STMT_MESSAGE_FIND_WIRE_REFUSED */
	"SELECT id FROM messages WHERE session_id = ?1"
	" AND evidence_kind = 'wire' AND queue_id IS NULL AND id > ?2"
	" AND sender_raw IS ?3 ORDER BY id LIMIT 1",
	/* STMT_MESSAGE_LOAD */
	"SELECT session_id, origin, parent_id, client_ip, client_name, helo,"
	" auth_user, sender_raw, size, nrcpt, message_id, accepted, removed,"
	" last_epoch, subject, header_from, body_sha256, queue_id,"
	" evidence_kind FROM messages WHERE id = ?1",
	/* STMT_MESSAGE_RESUME */
	"SELECT id FROM messages WHERE server IS ?1 AND queue_id = ?2"
	" AND removed = 0 AND evidence_kind != 'wire'"
	" AND last_epoch >= ?3 - 432000 ORDER BY id DESC LIMIT 1",
	/* STMT_SESSION_RESUME */
	"SELECT id, client_port, client_name, helo, tls, auth_method,"
	" auth_user, auth_failures, end_epoch, counters, messages, rejects,"
	" banner, unreadable, incomplete, kind, client_ip FROM sessions"
	" WHERE server IS ?1 AND program IS ?2 AND pid = ?3"
	" AND flow IS NULL AND end_epoch IS NULL AND kind != 'wire'"
	" AND start_epoch >= ?4 - 86400 ORDER BY id DESC LIMIT 1",
	/* STMT_SESSION_RESUME_FLOW */
	"SELECT id, client_port, client_name, helo, tls, auth_method,"
	" auth_user, auth_failures, end_epoch, counters, messages, rejects,"
	" banner, unreadable, incomplete, kind, client_ip FROM sessions"
	" WHERE server IS ?1 AND flow = ?2 AND kind != 'wire'"
	" AND start_epoch >= ?3 - 86400 ORDER BY id DESC LIMIT 1",
	/* STMT_MESSAGE_FIND_TXN */
	"SELECT id FROM messages WHERE session_id = ?1 AND accepted"
	" AND id > ?2 AND evidence_kind = 'log' ORDER BY id LIMIT 1",
	/* STMT_NEXT_IDS */
	"SELECT (SELECT coalesce(max(id), 0) FROM sessions),"
	" (SELECT coalesce(max(id), 0) FROM messages),"
	" (SELECT coalesce(max(id), 0) FROM recipients),"
	" (SELECT coalesce(max(id), 0) FROM evidence_blocks)",
	/* STMT_RCPT_LOAD */
	"SELECT id, rcpt_raw, final_raw, attempts FROM recipients"
	" WHERE message_id = ?1 ORDER BY id",
	/* STMT_RCPT_INSERT: ?1-?12 and ?20-?23 as in the update */
	"INSERT INTO recipients (id, stage, reply_code, reply_text, dsn,"
	" outcome, relay, attempts, blocklisted, last_epoch, final_raw,"
	" final_domain, message_id, rcpt_raw, rcpt, rcpt_domain,"
	" surface_domain, trick, first_epoch, direction, authority, verdict,"
	" tricked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	" ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
	/* STMT_RCPT_UPDATE */
	"UPDATE recipients SET stage = ?2, reply_code = ?3, reply_text = ?4,"
	" dsn = ?5, outcome = ?6, relay = ?7, attempts = ?8,"
	" blocklisted = ?9, last_epoch = ?10,"
	" final_raw = coalesce(?11, final_raw),"
	" final_domain = coalesce(?12, final_domain),"
	" direction = ?20, authority = ?21, verdict = ?22, tricked = ?23"
	" WHERE id = ?1",
	/* STMT_HEADER_INSERT */
	"INSERT INTO headers (message_id, name, value) VALUES (?1, ?2, ?3)",
	/* STMT_EVIDENCE_INSERT */
	"INSERT INTO evidence_lines (source_id, line, offset, epoch, event,"
	" session_id, message_id, block_id, pos, len) VALUES (?1, ?2, ?3, ?4,"
	" ?5, ?6, ?7, ?8, ?9, ?10)",
	/* STMT_EVBLOCK_INSERT */
	"INSERT INTO evidence_blocks (id, source_id, size, data)"
	" VALUES (?1, ?2, ?3, ?4)",
	/* STMT_ANOMALY_INSERT */
	"INSERT INTO anomalies (source_id, line, offset, kind, text)"
	" VALUES (?1, ?2, ?3, ?4, ?5)",
};

static int	store_defer_indexes(struct store *);
static void	store_missing_indexes(struct store *);

/* The deferred indexes, by the start of their line in the schema. */
static const char *const index_ddl[IDX__MAX] = {
	"CREATE INDEX sessions_client ",
	"CREATE INDEX messages_queue ",
	"CREATE INDEX messages_client ",
	"CREATE INDEX recipients_verdict ",
	"CREATE INDEX evidence_session ",
	"CREATE INDEX evidence_message ",
};
static const char *const index_name[IDX__MAX] = {
	"sessions_client", "messages_queue", "messages_client",
	"recipients_verdict", "evidence_session", "evidence_message",
};

/* The deferred index each repeated statement needs, plus one (0: none). */
static const int stmt_index[STMT__MAX] = {
	[STMT_SESSION_FIND_WIRE] = 1 + IDX_SESSIONS_CLIENT,
	[STMT_MESSAGE_FIND_WIRE] = 1 + IDX_MESSAGES_QUEUE,
	[STMT_MESSAGE_RESUME] = 1 + IDX_MESSAGES_QUEUE,
};

/* store_user_version - the database's PRAGMA user_version, -1 on error. */
static int
store_user_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* store_table_count - number of tables in the database, -1 on error. */
static int
store_table_count(struct store *st)
{
	sqlite3_stmt	*s;
	int		 n = -1;

	if (sqlite3_prepare_v2(st->db,
	    "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", -1, &s,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return (n);
}

/*
 * store_connect - open the connection.  The program uses a connection
 * from one thread at a time, so SQLite's own mutexes are not needed.
 */
static int
store_connect(struct store *st, const char *name, int oflags, char *err,
    size_t errlen)
{
	static int	configured;

	/*
	 * Before SQLite's first use: no memory statistics (a global mutex
	 * taken on every allocation).  Connections are used by one thread
	 * at a time; the reader and hashing threads never call SQLite.
	 */
	if (!configured) {
		configured = 1;
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		(void)sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	}
	if (sqlite3_open_v2(name, &st->db, oflags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", st->path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		return (-1);
	}
	sqlite3_extended_result_codes(st->db, 1);
	(void)sqlite3_busy_timeout(st->db, 5000);
	if (evblock_register(st->db) == -1) {
		snprintf(err, errlen, "%s: cannot define sqlar_uncompress: %s",
		    st->path, sqlite3_errmsg(st->db));
		return (-1);
	}
	return (0);
}

/*
 * store_readonly_wal - reopen a database left in WAL mode (by an earlier
 * version) that cannot be read as it is: on read-only media SQLite can
 * neither create its -shm file nor replay the WAL.  Opened immutable, the
 * main file is read as it stands, which is what the last checkpoint (at
 * the close of the writing connection) left there.  0 when reopened.
 */
static int
store_readonly_wal(struct store *st, const char *path, char *err,
    size_t errlen)
{
	const char	*p;
	char		*uri, *q;
	int		 rc;

	q = uri = xmalloc(strlen(path) * 3 + sizeof("file:?immutable=1"));
	q += sprintf(q, "file:");
	for (p = path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			q += sprintf(q, "%%%02X", (unsigned char)*p);
		else
			*q++ = *p;
	}
	strcpy(q, "?immutable=1");
	sqlite3_close(st->db);
	st->db = NULL;
	rc = store_connect(st, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    err, errlen);
	free(uri);
	return (rc);
}

/*
 * store_recover - an ingest that was killed leaves a hot journal beside
 * the database, and only a connection that can write plays it back: a
 * read-only one would read the half-written pages.  Let a writable
 * connection roll it back first.  -1 (with a message) when there is a
 * journal and it cannot be played back (read-only media).
 */
static int
store_recover(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	sqlite3		*db = NULL;
	char		*j;
	int		 rc = 0;

	j = xmalloc(strlen(path) + sizeof("-journal"));
	sprintf(j, "%s-journal", path);
	if (stat(j, &sb) == 0 && sb.st_size > 0) {
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL,
		    NULL) != SQLITE_OK || (stat(j, &sb) == 0 &&
		    sb.st_size > 0 && access(path, W_OK) == -1)) {
			snprintf(err, errlen, "%s: an interrupted ingest left "
			    "%s, which cannot be rolled back here (%s): the "
			    "database is not consistent until it is", path, j,
			    db != NULL ? sqlite3_errmsg(db) : "out of memory");
			rc = -1;
		}
		sqlite3_close(db);
	}
	free(j);
	return (rc);
}

/* Columns added since the first stores were made, in schema order. */
static const struct {
	const char	*table;
	const char	*column;
	const char	*decl;
} store_added[] = {
	{ "sources", "content_sha256", "TEXT" },
	{ "sources", "content_bytes", "INTEGER" },
	{ "sources", "head", "BLOB" },
	{ "sources", "continues", "INTEGER REFERENCES sources(id)" },
	{ "sources", "from_line", "INTEGER" },
	{ "sources", "abspath", "TEXT" },
	{ "messages", "upstream_id", "INTEGER REFERENCES messages(id)" },
	{ "recipients", "upstream_id", "INTEGER REFERENCES recipients(id)" },
	{ "recipients", "handoff", "TEXT" },
};

/* The indexes on them (partial: most rows have none). */
static const char store_added_indexes[] =
	"CREATE INDEX IF NOT EXISTS messages_upstream ON messages(upstream_id)"
	" WHERE upstream_id IS NOT NULL;"
	" CREATE INDEX IF NOT EXISTS messages_parent ON messages(parent_id)"
	" WHERE parent_id IS NOT NULL;"
	" CREATE INDEX IF NOT EXISTS recipients_upstream ON"
	" recipients(upstream_id) WHERE upstream_id IS NOT NULL;"
	" CREATE INDEX IF NOT EXISTS recipients_handoff ON"
	" recipients(handoff) WHERE handoff IS NOT NULL";

/* store_add_columns - add the columns of store_added[] a store lacks. */
static int
store_add_columns(struct store *st)
{
	char	sql[256];
	size_t	i;
	bool	began = false;

	for (i = 0; i < sizeof(store_added) / sizeof(store_added[0]); i++) {
		if (store_has_column(st, store_added[i].table,
		    store_added[i].column))
			continue;
		if (!began && store_begin(st) == -1)
			return (-1);
		began = true;
		/* Names from the table above, never from input. */
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s",
		    store_added[i].table, store_added[i].column,
		    store_added[i].decl);
		if (store_exec(st, sql) == -1) {
			(void)store_rollback(st);
			return (-1);
		}
	}
	if (!began)
		return (0);
	if (store_exec(st, store_added_indexes) == -1) {
		(void)store_rollback(st);
		return (-1);
	}
	return (store_commit(st));
}

/*
 * store_upgrade - bring a store made by an earlier version to this
 * schema: the columns added since (store_added[]; the sources of such a
 * store keep no content, so none is a later copy's start), and
 * messages_queue made again where it led with the server (the joins of
 * captures to logs look a queue id up alone: with the server first,
 * each was a scan).
 */
static int
store_upgrade(struct store *st)
{
	sqlite3_stmt	*s;
	bool		 old = false;

	if (store_add_columns(st) == -1)
		return (-1);
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM"
	    " pragma_index_info('messages_queue') WHERE seqno = 0", -1, &s,
	    NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW)
		old = strcmp(store_col_text(s, 0), "server") == 0;
	sqlite3_finalize(s);
	if (!old)
		return (0);
	return (store_exec(st, "BEGIN IMMEDIATE; DROP INDEX messages_queue;"
	    " CREATE INDEX messages_queue ON messages(queue_id, server);"
	    " COMMIT"));
}

/*
 * The evidence of a version 1 store: one row per line, text included.
 * Version 2 keeps the lines in compressed blocks (evidence_blocks) with
 * a row each in evidence_lines, and the view evidence gives the old rows
 * back.  The upgrade keeps every row id.
 */
static const char upgrade_v2_sql[] =
	"ALTER TABLE evidence RENAME TO evidence_v1;"
	"DROP INDEX evidence_session;"
	"DROP INDEX evidence_message;";

/*
 * store_schema_part - run the statement of the compiled-in schema that
 * starts a line with prefix (it ends with the first ";" ending a line).
 */
static int
store_schema_part(struct store *st, const char *prefix)
{
	const char	*p, *e;
	char		*sql;
	int		 rc;

	for (p = store_schema; (p = strstr(p, prefix)) != NULL; p++)
		if (p == store_schema || p[-1] == '\n')
			break;
	if (p == NULL || (e = strstr(p, ";\n")) == NULL)
		fatalx("%s: no \"%s\" in the schema", __func__, prefix);
	sql = xstrndup(p, (size_t)(e - p + 1));
	rc = store_exec(st, sql);
	free(sql);
	return (rc);
}

/* store_upgrade_evidence - copy version 1 evidence rows into blocks. */
static int
store_upgrade_evidence(struct store *st)
{
	struct evblock	 b;
	sqlite3_stmt	*q, *ins;
	int64_t		 src;
	const void	*text;
	size_t		 n, pos;
	int		 i, rc;

	if (store_exec(st, upgrade_v2_sql) == -1)
		return (-1);
	if (store_schema_part(st, "CREATE TABLE evidence_blocks") == -1 ||
	    store_schema_part(st, "CREATE TABLE evidence_lines") == -1 ||
	    store_schema_part(st, "CREATE INDEX evidence_session") == -1 ||
	    store_schema_part(st, "CREATE INDEX evidence_message") == -1 ||
	    store_schema_part(st, "CREATE VIEW evidence") == -1)
		return (-1);
	if (sqlite3_prepare_v2(st->db, "SELECT id, source_id, line, offset,"
	    " epoch, event, session_id, message_id, text FROM evidence_v1"
	    " ORDER BY source_id, id", -1, &q, NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_prepare_v2(st->db, "INSERT INTO evidence_lines (id,"
	    " source_id, line, offset, epoch, event, session_id, message_id,"
	    " block_id, pos, len) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11)", -1, &ins, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return (-1);
	}
	evblock_init(&b);
	evblock_start(&b, 1, 0);
	src = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (sqlite3_column_int64(q, 1) != src) {
			evblock_flush(&b, st);
			src = sqlite3_column_int64(q, 1);
			evblock_start(&b, b.id, src);
		}
		text = sqlite3_column_blob(q, 8);
		n = (size_t)sqlite3_column_bytes(q, 8);
		if (evblock_full(&b, n))
			evblock_next(&b, st);
		pos = evblock_add(&b, (uint64_t)sqlite3_column_int64(q, 2),
		    (uint64_t)sqlite3_column_int64(q, 3), text != NULL ? text :
		    "", n);
		for (i = 0; i < 8; i++)
			sqlite3_bind_value(ins, i + 1, sqlite3_column_value(q, i));
		store_bind_i64(ins, 9, b.id);
		store_bind_i64(ins, 10, (int64_t)pos);
		store_bind_i64(ins, 11, (int64_t)b.last_len);
		store_step_done(st, ins);
	}
	evblock_flush(&b, st);
	evblock_free(&b);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	if (rc != SQLITE_DONE)
		return (-1);
	return (store_exec(st, "DROP TABLE evidence_v1;"
	    " PRAGMA user_version = 2"));
}

/*
 * store_writer_pragmas - how an ingest writes.  A rollback journal, not
 * WAL: ingest appends, and appended pages need no journal, where WAL
 * writes every page twice (log, then checkpoint); the file is also
 * readable from read-only media.  Foreign keys are declared in the schema
 * for readers and for `PRAGMA foreign_key_check` (the tests run it), and
 * not checked on each insert: every row is written by this program in
 * parent-first order.  An 8 MB page cache (SQLite's default is 2 MB)
 * holds the indexes' hot pages longer.
 */
static int
store_writer_pragmas(struct store *st)
{
	if (store_exec(st, "PRAGMA journal_mode = DELETE") == -1 ||
	    store_exec(st, "PRAGMA synchronous = NORMAL") == -1 ||
	    store_exec(st, "PRAGMA cache_size = -8192") == -1)
		return (-1);
	return (0);
}

/*
 * store_reopen_upgraded - a reader of a version 1 store: upgrade it
 * through a writable connection first (as an ingest would), then open
 * it again as asked.  Consumes st.
 */
static struct store *
store_reopen_upgraded(struct store *st, char *err, size_t errlen)
{
	struct store	*w;
	char		*path = xstrdup(st->path);
	int		 flags = st->flags;

	store_close(st);
	if ((w = store_open(path, flags & ~STORE_RDONLY, err, errlen)) ==
	    NULL) {
		free(path);
		return (NULL);
	}
	store_close(w);
	st = store_open(path, flags, err, errlen);
	free(path);
	return (st);
}

/*
 * store_open - open (and, unless STORE_RDONLY, create) the database at
 * path.  Returns NULL with a message in err when the file cannot be opened,
 * is not a relaytrace database, or has another schema version.
 */
struct store *
store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store	*st;
	int		 oflags, v, n;

	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->flags = flags;
	oflags = (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if ((flags & STORE_RDONLY) && store_recover(path, err, errlen) == -1)
		goto fail;
	if (store_connect(st, path, oflags, err, errlen) == -1)
		goto fail;
	if ((v = store_user_version(st)) == -1 && (flags & STORE_RDONLY) &&
	    store_readonly_wal(st, path, err, errlen) == 0)
		v = store_user_version(st);
	if (v == -1 || (n = store_table_count(st)) == -1) {
		snprintf(err, errlen, "%s: not a readable database: %s", path,
		    sqlite3_errmsg(st->db));
		goto fail;
	}
	if (v == 0 && n == 0) {
		if (flags & STORE_RDONLY) {
			snprintf(err, errlen, "%s: empty database (nothing "
			    "ingested yet)", path);
			goto fail;
		}
		/*
		 * 16 KB pages: a shallower tree and a quarter of the reads
		 * and writes of 4 KB ones when a big ingest's indexes no
		 * longer fit the cache (a 1 GB log: 81 s before, 54 s).
		 */
		if (store_exec(st, "PRAGMA page_size = 16384") == -1 ||
		    store_begin(st) == -1)
			goto bad;
		if (sqlite3_exec(st->db, store_schema, NULL, NULL, NULL) !=
		    SQLITE_OK || store_defer_indexes(st) == -1) {
			snprintf(err, errlen, "%s: cannot create schema: %s",
			    path, sqlite3_errmsg(st->db));
			(void)store_rollback(st);
			goto fail;
		}
		if (store_commit(st) == -1)
			goto bad;
	} else if (v == 1 && (flags & STORE_RDONLY))
		return (store_reopen_upgraded(st, err, errlen));
	else if (v == 1) {
		if (store_begin(st) == -1)
			goto bad;
		if (store_upgrade_evidence(st) == -1) {
			snprintf(err, errlen, "%s: cannot upgrade the store "
			    "from schema version 1: %s", path,
			    sqlite3_errmsg(st->db));
			(void)store_rollback(st);
			goto fail;
		}
		if (store_commit(st) == -1)
			goto bad;
		log_info("%s: upgraded from schema version 1 (evidence "
		    "lines compressed)", path);
	} else if (v != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %d, this program "
		    "reads version %d%s", path, v, STORE_SCHEMA_VERSION,
		    v == 0 ? " (not a relaytrace database?)" : "");
		goto fail;
	}
	if (flags & STORE_RDONLY) {
		if (store_exec(st, "PRAGMA query_only = ON") == -1)
			goto bad;
	} else if (store_writer_pragmas(st) == -1 || store_upgrade(st) == -1)
		goto bad;
	else if (v != 0) {
		store_missing_indexes(st);
		if (store_index_all(st) == -1)
			goto bad;
	}
	/* A store an earlier version made, read-only: no hops to show. */
	st->has_hops = store_has_column(st, "recipients", "handoff");
	return (st);
bad:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
fail:
	store_close(st);
	return (NULL);
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	/* Whatever the way out, a writer leaves every index made. */
	if (st->deferred != 0 && !(st->flags & STORE_RDONLY) &&
	    sqlite3_get_autocommit(st->db) && store_index_all(st) == -1)
		log_warnx("%s: cannot make the indexes: %s", st->path,
		    sqlite3_errmsg(st->db));
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("%s: closing database: %s", st->path,
		    sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

/* store_exec - run SQL without results; -1 (with a warning) on error. */
int
store_exec(struct store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s", st->path, msg != NULL ? msg :
		    sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return (-1);
	}
	return (0);
}

int
store_begin(struct store *st)
{
	return (store_exec(st, "BEGIN IMMEDIATE"));
}

int
store_commit(struct store *st)
{
	if (store_exec(st, "COMMIT") == -1) {
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return (-1);
	}
	return (0);
}

int
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return (0);
	return (store_exec(st, "ROLLBACK"));
}

/*
 * store_stmt - the prepared statement for id, reset and with its bindings
 * cleared.  A statement that does not compile is a bug: fatal.
 */
sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt id)
{
	sqlite3_stmt	*s = st->stmt[id];

	if (st->deferred != 0 && stmt_index[id] != 0)
		store_index_need(st, (enum store_index)(stmt_index[id] - 1));
	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
			fatalx("%s: preparing statement %d: %s", st->path,
			    (int)id, sqlite3_errmsg(st->db));
		st->stmt[id] = s;
	} else {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	return (s);
}

/*
 * store_defer_indexes - a new store: drop the secondary indexes that no
 * query of a log ingest needs, to be made at its end from sorted keys.
 * That is quicker than row by row (a 100 MB log: 4.0 s, then 3.15 s),
 * above all once the indexes with random keys (IPs, queue ids) no longer
 * fit the page cache (a 1 GB log: 58 s, then 41 s).
 */
static int
store_defer_indexes(struct store *st)
{
	char	sql[96];
	int	i;

	if (evpipe_plain())
		return (0);
	for (i = 0; i < IDX__MAX; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX %s", index_name[i]);
		if (store_exec(st, sql) == -1)
			return (-1);
		st->deferred |= 1U << i;
	}
	return (0);
}

/*
 * store_missing_indexes - an ingest that was cut off leaves a store
 * without them: note which are missing so the writer makes them.
 */
static void
store_missing_indexes(struct store *st)
{
	sqlite3_stmt	*s;
	int		 i;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_schema WHERE"
	    " type = 'index' AND name = ?1", -1, &s, NULL) != SQLITE_OK)
		return;
	for (i = 0; i < IDX__MAX; i++) {
		sqlite3_bind_text(s, 1, index_name[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW)
			st->deferred |= 1U << i;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

/* store_index_need - make deferred index i now: a query needs it. */
void
store_index_need(struct store *st, enum store_index i)
{
	if ((st->deferred & (1U << i)) == 0)
		return;
	if (store_schema_part(st, index_ddl[i]) == -1)
		fatalx("%s: cannot make index %s", st->path, index_name[i]);
	st->deferred &= ~(1U << i);
}

/*
 * store_index_all - make every deferred index (in the transaction open,
 * or in one of its own).  -1 on error.
 */
int
store_index_all(struct store *st)
{
	bool	own;
	int	i;

	if (st->deferred == 0)
		return (0);
	own = sqlite3_get_autocommit(st->db) != 0;
	if (own && store_begin(st) == -1)
		return (-1);
	for (i = 0; i < IDX__MAX; i++)
		if (st->deferred & (1U << i))
			store_index_need(st, (enum store_index)i);
	return (own ? store_commit(st) : 0);
}

/*
 * store_table_indexes - drop (make false) or make again (make true) the
 * schema's indexes on table: a table rewritten whole (findings, at every
 * classification) is written quicker without them, then indexed from
 * sorted keys.  -1 on error.
 */
int
store_table_indexes(struct store *st, const char *table, bool make)
{
	const char	*p, *on, *e;
	char		 name[64], want[80], sql[96];
	size_t		 n;

	snprintf(want, sizeof(want), " ON %s(", table);
	for (p = store_schema; (p = strstr(p, "CREATE INDEX ")) != NULL;
	    p = e) {
		if ((e = strstr(p, ";\n")) == NULL)
			break;
		on = strstr(p, want);
		if (on == NULL || on > e || (p > store_schema && p[-1] != '\n'))
			continue;
		p += strlen("CREATE INDEX ");
		n = strcspn(p, " ");
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		if (make) {
			if (store_schema_part(st, p - strlen("CREATE INDEX ")) ==
			    -1)
				return (-1);
		} else {
			snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s",
			    name);
			if (store_exec(st, sql) == -1)
				return (-1);
		}
	}
	return (0);
}

/* store_has_column - has table a column of that name (an older store)? */
bool
store_has_column(struct store *st, const char *table, const char *column)
{
	sqlite3_stmt	*s;
	bool		 has = false;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM pragma_table_info(?1)"
	    " WHERE name = ?2", -1, &s, NULL) != SQLITE_OK)
		return (false);
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	has = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return (has);
}

/* store_prepare - a one-off statement the caller finalizes. */
sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt	*s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		fatalx("%s: preparing query: %s", st->path,
		    sqlite3_errmsg(st->db));
	return (s);
}

/*
 * store_step_done - step a statement that returns no rows.  A failure
 * here means the database cannot take our writes (disk full, I/O error):
 * fatal, so that the open transaction is never committed half done.
 */
int
store_step_done(struct store *st, sqlite3_stmt *s)
{
	int	rc;

	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_warnx("%s: writing: %s", st->path, sqlite3_errmsg(st->db));
		/*
		 * Undo from the journal now where SQLite can; where it
		 * cannot, the next connection does (store_recover()).
		 */
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		fatalx("%s: nothing of the source being read is kept",
		    st->path);
	}
	sqlite3_reset(s);
	return (0);
}

void
store_bind_span(sqlite3_stmt *s, int i, struct span sp)
{
	if (sp.p == NULL || sp.n == 0 || sp.n > INT32_MAX)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, sp.p, (int)sp.n, SQLITE_TRANSIENT);
}

void
store_bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t == NULL || *t == '\0')
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

void
store_bind_blob(sqlite3_stmt *s, int i, struct span sp)
{
	if (sp.n > INT32_MAX)
		sp.n = INT32_MAX;
	sqlite3_bind_blob(s, i, sp.p != NULL ? sp.p : "", (int)sp.n,
	    SQLITE_TRANSIENT);
}

void
store_bind_i64(sqlite3_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s, i, v);
}

/* store_bind_opt_i64 - bind v, or NULL when have is false. */
void
store_bind_opt_i64(sqlite3_stmt *s, int i, int64_t v, bool have)
{
	if (have)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* store_col_text - column i as text, "" for NULL. */
const char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return (t != NULL ? (const char *)t : "");
}

/* store_time_iso - epoch seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void
store_time_iso(int64_t t, char out[32])
{
	static _Thread_local int64_t	last_t = INT64_MIN;
	static _Thread_local char	last[32];
	struct tm	tm;
	time_t		tt = (time_t)t;

	/* Lines come many to a second: format each second once. */
	if (t == last_t) {
		memcpy(out, last, sizeof(last));
		return;
	}
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy(out, "?", 32);
	last_t = t;
	memcpy(last, out, sizeof(last));
}
