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
 * Evidence blocks: a source's evidence lines, joined by newlines and
 * compressed a block at a time (schema: evidence_blocks, evidence_lines,
 * the view evidence).  The compressed form is the sqlite3 shell's sqlar
 * one, a zlib stream or the bytes as they are when that is not smaller,
 * so the shell reads the view too.
 */

#ifndef EVBLOCK_H
#define EVBLOCK_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"

/* Bytes of lines a block holds before it is written (one line may pass). */
#define EVBLOCK_SIZE	(64 * 1024)
/* Blocks being compressed or waiting to be stored, and the one filling. */
#define EVBLOCK_DEPTH	4

struct store;

struct evslot {
	int64_t		 id;
	int64_t		 source;
	struct buf	 raw;		/* the lines, newline-separated */
	unsigned char	*z;		/* compressed */
	size_t		 zcap;
	size_t		 zn;		/* 0: store raw as it is */
	int		 state;
};

/*
 * The blocks of an ingest.  The lines go into slot[cur]; a full block is
 * compressed by a thread of its own (or at once, with one thread) and
 * stored by the caller's thread, in id order, when its slot is needed
 * again or at evblock_flush().
 */
struct evblock {
	struct evslot	 slot[EVBLOCK_DEPTH];
	size_t		 cur;		/* the slot being filled */
	size_t		 oldest;	/* the oldest slot not yet stored */
	size_t		 pending;	/* slots handed over, not stored */
	int64_t		 id;		/* the row id of the filling block */
	int		 nlines;	/* lines in it */
	size_t		 last_pos;	/* the line added last, to share it */
	size_t		 last_len;
	uint64_t	 last_line;
	uint64_t	 last_offset;
	struct evzip	*zip;		/* the compressing thread, or NULL */
};

void	evblock_init(struct evblock *);
void	evblock_free(struct evblock *);
void	evblock_start(struct evblock *, int64_t, int64_t);
int	evblock_full(const struct evblock *, size_t);
size_t	evblock_add(struct evblock *, uint64_t, uint64_t, const void *,
	    size_t);
void	evblock_next(struct evblock *, struct store *);
void	evblock_flush(struct evblock *, struct store *);
int	evblock_register(sqlite3 *);

#endif /* EVBLOCK_H */
