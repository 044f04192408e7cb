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
 * The SQLite store.  store_open() creates the schema on an empty database
 * and refuses a database of another schema version.  Every statement the
 * program runs more than once is prepared once from an enum-indexed table
 * and cycled with bind, step, reset.  Text from the input is bound with its
 * length, never formatted into SQL.
 */

#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"

#define STORE_SCHEMA_VERSION	2

extern const char store_schema[];

enum store_stmt {
	STMT_SOURCE_FIND,
	STMT_SOURCE_FIND_SIZE,
	STMT_SOURCE_INSERT,
	STMT_SOURCE_UPDATE,
	STMT_SESSION_INSERT,
	STMT_SESSION_UPDATE,
	STMT_SESSION_FIND_WIRE,
	STMT_MESSAGE_INSERT,
	STMT_MESSAGE_UPDATE,
	STMT_MESSAGE_FIND_WIRE,
	STMT_MESSAGE_FIND_WIRE_REFUSED,
	STMT_MESSAGE_LOAD,
	STMT_MESSAGE_RESUME,
	STMT_SESSION_RESUME,
	STMT_SESSION_RESUME_FLOW,
	STMT_MESSAGE_FIND_TXN,
	STMT_NEXT_IDS,
	STMT_RCPT_LOAD,
	STMT_RCPT_INSERT,
	STMT_RCPT_UPDATE,
	STMT_HEADER_INSERT,
	STMT_EVIDENCE_INSERT,
	STMT_EVBLOCK_INSERT,
	STMT_ANOMALY_INSERT,
	STMT__MAX
};

#define STORE_RDONLY	0x01

/*
 * Indexes a new store makes after its first ingest, from sorted keys,
 * rather than row by row during it: a query that needs one during the
 * ingest makes it first (store_index_need()).
 */
enum store_index {
	IDX_SESSIONS_CLIENT,
	IDX_MESSAGES_QUEUE,
	IDX_MESSAGES_CLIENT,
	IDX_RECIPIENTS_VERDICT,
	IDX_EVIDENCE_SESSION,
	IDX_EVIDENCE_MESSAGE,
	IDX__MAX
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT__MAX];
	char		*path;
	int		 flags;
	unsigned	 deferred;	/* 1 << enum store_index: not made */
	bool		 has_hops;	/* it has the hop columns (hop.c) */
};

struct store	*store_open(const char *, int, char *, size_t);
void		 store_close(struct store *);
int		 store_exec(struct store *, const char *);
int		 store_begin(struct store *);
int		 store_commit(struct store *);
int		 store_rollback(struct store *);
sqlite3_stmt	*store_stmt(struct store *, enum store_stmt);
int		 store_step_done(struct store *, sqlite3_stmt *);
sqlite3_stmt	*store_prepare(struct store *, const char *);
bool		 store_has_column(struct store *, const char *, const char *);
int		 store_table_indexes(struct store *, const char *, bool);
void		 store_index_need(struct store *, enum store_index);
int		 store_index_all(struct store *);

/* Binding helpers: NULL / empty spans bind SQL NULL. */
void		 store_bind_span(sqlite3_stmt *, int, struct span);
void		 store_bind_text(sqlite3_stmt *, int, const char *);
void		 store_bind_blob(sqlite3_stmt *, int, struct span);
void		 store_bind_i64(sqlite3_stmt *, int, int64_t);
void		 store_bind_opt_i64(sqlite3_stmt *, int, int64_t, bool);

const char	*store_col_text(sqlite3_stmt *, int);

void		 store_time_iso(int64_t, char [32]);

#endif /* STORE_H */
