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
 * Unit tests: evidence blocks.  Lines of every shape go into blocks, and
 * the view evidence must give each back byte for byte; blocks are cut at
 * EVBLOCK_SIZE, a line added twice is stored once, bytes that do not
 * compress are stored as they are; one thread or two give the same
 * store; sqlar_uncompress() keeps results of several blocks in one row
 * apart and refuses a damaged block; a version 1 store (one row per
 * line, text included) is upgraded with its rows as they were.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evblock.h"
#include "store.h"
#include "tap.h"

#define NLINES	3000

static char	 dir[] = "/tmp/t_evblock.XXXXXX";

/* line_make - line i's bytes (any byte value, lengths 0 to ~700). */
static size_t
line_make(int i, unsigned char *p)
{
	uint32_t	x = (uint32_t)i * 2654435761u + 7;
	size_t		n, k;

	n = i % 97 == 0 ? 0 : 1 + (x >> 7) % 700;
	for (k = 0; k < n; k++) {
		x = x * 1103515245u + 12345;
		/* Mostly text, as a log is; some bytes of every value. */
		p[k] = k % 50 == 49 ? (unsigned char)(x >> 24) :
		    (unsigned char)("abcdefgh ijk=<>@.:[]0123"[(x >> 16) % 24]);
	}
	return (n);
}

static struct store *
open_new(const char *name)
{
	struct store	*st;
	char		 path[128], err[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((st = store_open(path, 0, err, sizeof(err))) == NULL) {
		diag("%s", err);
		exit(1);
	}
	if (store_exec(st, "INSERT INTO sources (id, path, sha256, bytes,"
	    " kind, format, lines, parsed, other, unparsed, long_lines,"
	    " ingested_at) VALUES (1, 'x', 'h1', 0, 'text', 'postfix', 0, 0,"
	    " 0, 0, 0, 'now'), (2, 'y', 'h2', 0, 'text', 'postfix', 0, 0, 0,"
	    " 0, 0, 'now')") == -1)
		exit(1);
	return (st);
}

static void
line_row(struct store *st, int64_t src, int64_t line, int64_t block,
    size_t pos, size_t len)
{
	sqlite3_stmt	*s = store_stmt(st, STMT_EVIDENCE_INSERT);

	store_bind_i64(s, 1, src);
	store_bind_i64(s, 2, line);
	store_bind_i64(s, 3, line * 10);
	store_bind_i64(s, 4, 1796000000 + line);
	store_bind_text(s, 5, "connect");
	store_bind_i64(s, 6, line);
	store_bind_opt_i64(s, 7, 0, false);
	store_bind_i64(s, 8, block);
	store_bind_i64(s, 9, (int64_t)pos);
	store_bind_i64(s, 10, (int64_t)len);
	store_step_done(st, s);
}

/* fill - NLINES lines of source 1 through the blocks; each line twice. */
static void
fill(struct store *st)
{
	struct evblock	 b;
	unsigned char	 buf[800];
	size_t		 n, pos, pos2;
	int		 i, shared = 0;

	evblock_init(&b);
	evblock_start(&b, 1, 1);
	for (i = 1; i <= NLINES; i++) {
		n = line_make(i, buf);
		if (evblock_full(&b, n))
			evblock_next(&b, st);
		pos = evblock_add(&b, (uint64_t)i, (uint64_t)i * 10, buf, n);
		line_row(st, 1, i, b.id, pos, b.last_len);
		/* The same line for a second row: stored once. */
		pos2 = evblock_add(&b, (uint64_t)i, (uint64_t)i * 10, buf, n);
		shared += pos2 == pos;
	}
	evblock_flush(&b, st);
	evblock_free(&b);
	ok(shared == NLINES, "a line added twice in a row is stored once "
	    "(%d of %d)", shared, NLINES);
}

/* check_lines - every view row is its line; returns the rows seen. */
static int
check_lines(struct store *st, const char *what)
{
	sqlite3_stmt	*s;
	unsigned char	 buf[800];
	size_t		 n;
	int		 rows = 0, bad = 0, nulls = 0;

	s = store_prepare(st, "SELECT line, text FROM evidence ORDER BY id");
	while (sqlite3_step(s) == SQLITE_ROW) {
		int	i = sqlite3_column_int(s, 0);

		rows++;
		n = line_make(i, buf);
		if (sqlite3_column_type(s, 1) == SQLITE_NULL)
			nulls++;
		else if ((size_t)sqlite3_column_bytes(s, 1) != n ||
		    (n > 0 && memcmp(sqlite3_column_blob(s, 1), buf, n) != 0))
			bad++;
	}
	sqlite3_finalize(s);
	ok(rows == NLINES && bad == 0 && nulls == 0, "%s: %d rows, every "
	    "line byte for byte (%d differ, %d NULL)", what, rows, bad,
	    nulls);
	return (rows);
}

static int64_t
q_i64(struct store *st, const char *sql)
{
	sqlite3_stmt	*s = store_prepare(st, sql);
	int64_t		 v = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (v);
}

static void
t_blocks(void)
{
	struct store	*st = open_new("a.db");
	int64_t		 total, nblocks;

	fill(st);
	check_lines(st, "blocks");
	/* Lines 1..NLINES, ~350 bytes on average plus a newline each. */
	total = q_i64(st, "SELECT sum(size) FROM evidence_blocks");
	nblocks = q_i64(st, "SELECT count(*) FROM evidence_blocks");
	ok(nblocks >= total / EVBLOCK_SIZE && nblocks <= total /
	    EVBLOCK_SIZE + 2, "%lld blocks for %lld bytes, about one per %d",
	    (long long)nblocks, (long long)total, EVBLOCK_SIZE);
	ok(q_i64(st, "SELECT count(*) FROM evidence_blocks WHERE size > "
	    "65536") == 0, "no block over EVBLOCK_SIZE");
	ok(q_i64(st, "SELECT count(*) FROM evidence_blocks WHERE"
	    " length(data) >= size") == 0, "text-like lines are compressed");
	ok(q_i64(st, "SELECT count(*) FROM evidence WHERE text IS NULL OR"
	    " (line % 97 = 0) != (length(text) = 0)") == 0,
	    "the empty lines are empty blobs, the others not");
	ok(q_i64(st, "SELECT count(*) FROM evidence WHERE time IS NOT"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', epoch, 'unixepoch')") == 0 &&
	    q_i64(st, "SELECT count(*) FROM evidence WHERE line = 1 AND"
	    " time = '2026-11-30T00:53:21Z'") == 1,
	    "time is the epoch in ISO form (1796000001 = 20787 days + 3201 s = 2026-11-30T00:53:21Z)");
	/* Three blocks in one row: each result stays its own. */
	ok(q_i64(st, "SELECT count(*) FROM (SELECT sqlar_uncompress(a.data,"
	    " a.size) AS x, sqlar_uncompress(b.data, b.size) AS y,"
	    " sqlar_uncompress(c.data, c.size) AS z, a.size AS sa, b.size AS"
	    " sb, c.size AS sc FROM evidence_blocks a, evidence_blocks b,"
	    " evidence_blocks c WHERE a.id = 1 AND b.id = 2 AND c.id = 3)"
	    " WHERE length(x) = sa AND length(y) = sb AND length(z) = sc AND"
	    " x != y AND y != z") == 1,
	    "three blocks inflated in one row keep their own bytes");
	store_close(st);
}

static void
t_raw_and_long(void)
{
	struct store	*st = open_new("b.db");
	struct evblock	 b;
	unsigned char	*big;
	sqlite3_stmt	*s;
	uint32_t	 x = 99;
	size_t		 i, pos;
	char		 err[64] = "";

	big = malloc(70000);
	for (i = 0; i < 70000; i++) {
		x = x * 1103515245u + 12345;
		big[i] = (unsigned char)(x >> 24);
	}
	evblock_init(&b);
	evblock_start(&b, 1, 2);
	pos = evblock_add(&b, 1, 0, "short", 5);
	line_row(st, 2, 1, b.id, pos, b.last_len);
	ok(evblock_full(&b, 70000), "a 70000-byte line does not join a "
	    "block with lines");
	evblock_next(&b, st);
	ok(!evblock_full(&b, 70000), "it starts an empty block");
	pos = evblock_add(&b, 2, 5, big, 70000);
	line_row(st, 2, 2, b.id, pos, b.last_len);
	evblock_flush(&b, st);
	evblock_free(&b);
	ok(q_i64(st, "SELECT count(*) FROM evidence_blocks WHERE id = 2 AND"
	    " size = 70000 AND length(data) = 70000") == 1,
	    "random bytes are stored as they are (length(data) = size)");
	s = store_prepare(st, "SELECT text FROM evidence WHERE line = 2");
	ok(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) ==
	    70000 && memcmp(sqlite3_column_blob(s, 0), big, 70000) == 0,
	    "a line over the block size comes back whole");
	sqlite3_finalize(s);
	/* A damaged block: an error, not garbage. */
	(void)store_exec(st, "UPDATE evidence_blocks SET data = x'789c0102'"
	    " WHERE id = 1");
	s = store_prepare(st, "SELECT text FROM evidence WHERE line = 1");
	if (sqlite3_step(s) != SQLITE_ROW)
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	is_str(err, "error in uncompress()", "a damaged block is an error");
	free(big);
	store_close(st);
}

/* dump - the store's evidence, as text, to compare two stores. */
static char *
dump(struct store *st)
{
	sqlite3_stmt	*s;
	struct buf	 out;
	int		 i;

	buf_init(&out, 64 * 1024 * 1024);
	s = store_prepare(st, "SELECT id, source_id, size, hex(data) FROM"
	    " evidence_blocks ORDER BY id");
	while (sqlite3_step(s) == SQLITE_ROW)
		for (i = 0; i < 4; i++)
			(void)buf_printf(&out, "%s%c",
			    sqlite3_column_text(s, i), i == 3 ? '\n' : ' ');
	sqlite3_finalize(s);
	return (out.data);
}

static void
t_threads(void)
{
	struct store	*a, *b;
	char		*da, *db;

	unsetenv("RELAYTRACE_THREADS");
	a = open_new("t2.db");
	fill(a);
	setenv("RELAYTRACE_THREADS", "1", 1);
	b = open_new("t1.db");
	fill(b);
	unsetenv("RELAYTRACE_THREADS");
	da = dump(a);
	db = dump(b);
	ok(da != NULL && db != NULL && strcmp(da, db) == 0,
	    "one thread and two make the same blocks");
	free(da);
	free(db);
	store_close(a);
	store_close(b);
}

/* The evidence table of schema version 1, as it was. */
static const char v1_sql[] =
	"CREATE TABLE evidence_old (id INTEGER PRIMARY KEY, source_id"
	" INTEGER NOT NULL REFERENCES sources(id), line INTEGER NOT NULL,"
	" offset INTEGER NOT NULL, time TEXT, epoch INTEGER, event TEXT NOT"
	" NULL, session_id INTEGER REFERENCES sessions(id), message_id"
	" INTEGER REFERENCES messages(id), text BLOB NOT NULL) STRICT;"
	"INSERT INTO evidence_old SELECT * FROM evidence;"
	"DROP VIEW evidence; DROP TABLE evidence_lines;"
	"DROP TABLE evidence_blocks;"
	"ALTER TABLE evidence_old RENAME TO evidence;"
	"CREATE INDEX evidence_session ON evidence(session_id);"
	"CREATE INDEX evidence_message ON evidence(message_id);"
	/* Its sources, which did not keep their content. */
	"CREATE TABLE sources_old (id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
	" sha256 TEXT NOT NULL UNIQUE, bytes INTEGER NOT NULL, kind TEXT NOT"
	" NULL, format TEXT NOT NULL, host TEXT, first_time TEXT, first_epoch"
	" INTEGER, last_time TEXT, last_epoch INTEGER, lines INTEGER NOT NULL,"
	" parsed INTEGER NOT NULL, other INTEGER NOT NULL, unparsed INTEGER"
	" NOT NULL, long_lines INTEGER NOT NULL, error TEXT, ingested_at TEXT"
	" NOT NULL) STRICT;"
	"INSERT INTO sources_old SELECT id, path, sha256, bytes, kind, format,"
	" host, first_time, first_epoch, last_time, last_epoch, lines, parsed,"
	" other, unparsed, long_lines, error, ingested_at FROM sources;"
	"DROP TABLE sources; ALTER TABLE sources_old RENAME TO sources;"
	"PRAGMA user_version = 1;";

static void
t_upgrade(int rdonly)
{
	struct store	*st;
	char		 path[128], err[256];

	st = open_new(rdonly ? "v1r.db" : "v1.db");
	fill(st);
	/* Lines of source 2 between: blocks are per source. */
	ok(store_index_all(st) == 0 && store_exec(st, v1_sql) == 0 &&
	    store_exec(st, "UPDATE evidence"
	    " SET source_id = 2 WHERE line % 500 = 0") == 0 && q_i64(st,
	    "SELECT count(*) FROM evidence WHERE source_id = 1") == NLINES -
	    NLINES / 500, "a version 1 store made");
	store_close(st);
	snprintf(path, sizeof(path), "%s/%s", dir, rdonly ? "v1r.db" :
	    "v1.db");
	st = store_open(path, rdonly ? STORE_RDONLY : 0, err, sizeof(err));
	ok(st != NULL, "%s opens a version 1 store: %s", rdonly ? "a reader"
	    : "a writer", st != NULL ? "yes" : err);
	if (st == NULL)
		return;
	ok(q_i64(st, "PRAGMA user_version") == 2 && q_i64(st, "SELECT"
	    " count(*) FROM sqlite_schema WHERE name = 'evidence' AND type ="
	    " 'view'") == 1, "upgraded to version 2");
	check_lines(st, "upgraded");
	ok(q_i64(st, "SELECT count(DISTINCT source_id) FROM"
	    " evidence_blocks") == 2, "a block per source");
	ok(q_i64(st, "SELECT count(*) FROM evidence_lines WHERE id != line")
	    == 0, "row ids kept");
	ok(q_i64(st, "SELECT count(*) FROM pragma_table_info('sources') WHERE"
	    " name IN ('content_sha256', 'content_bytes', 'head', 'continues',"
	    " 'from_line')") == 5 && q_i64(st, "SELECT count(*) FROM sources"
	    " WHERE content_sha256 IS NULL") == 2,
	    "its sources get the content columns, empty");
	store_close(st);
}

int
main(void)
{
	char	cmd[64];

	if (mkdtemp(dir) == NULL)
		return (1);
	t_blocks();
	t_raw_and_long();
	t_threads();
	t_upgrade(0);
	t_upgrade(1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
	return (done_testing());
}
