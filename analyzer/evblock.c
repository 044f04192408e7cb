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
 * Evidence blocks.  Most of a log is evidence, and a log line stored as a
 * row of its own cost more than its bytes again (a 100 MB Postfix log
 * made 108 MB of evidence table).  Lines are instead collected, in the
 * order they are tied to rows, into blocks of about EVBLOCK_SIZE bytes,
 * each compressed with zlib (Postfix lines shrink about five times) by a
 * thread of its own, and written as one row by the store's thread, in id
 * order; each evidence_lines row names its block and its place there.  A
 * line tied to several rows is stored once.
 *
 * Reading goes through sqlar_uncompress(data, size), the sqlite3 shell's
 * function, which relaytrace defines for its own connections with a cache
 * of the last two blocks inflated: the lines of one block are read
 * together, and each would otherwise inflate the whole block again.
 */

#include "config.h"

#include "evblock.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "evpipe.h"
#include "store.h"
#include "xmalloc.h"

/* A block's lines, at most this many bytes (one line may be 64 KiB). */
#define EVBLOCK_MAX	(64 * 1024 * 1024)
/* zlib's default level: blocks are compressed beside the store's work. */
#define EVBLOCK_LEVEL	6

enum { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_DONE };

/* The compressing thread: it takes queued slots in ring order. */
struct evzip {
	struct evblock	*b;
	pthread_t	 t;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* a slot was queued, or stop */
	pthread_cond_t	 done;		/* a slot was compressed */
	size_t		 next;		/* the slot it compresses next */
	bool		 stop;
};

void
evblock_init(struct evblock *b)
{
	size_t	i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < EVBLOCK_DEPTH; i++)
		buf_init(&b->slot[i].raw, EVBLOCK_MAX);
	b->slot[0].state = SLOT_FILLING;
}

void
evblock_free(struct evblock *b)
{
	struct evzip	*zp = b->zip;
	size_t		 i;

	if (zp != NULL) {
		pthread_mutex_lock(&zp->mu);
		zp->stop = true;
		pthread_cond_signal(&zp->work);
		pthread_mutex_unlock(&zp->mu);
		pthread_join(zp->t, NULL);
		pthread_mutex_destroy(&zp->mu);
		pthread_cond_destroy(&zp->work);
		pthread_cond_destroy(&zp->done);
		free(zp);
		b->zip = NULL;
	}
	for (i = 0; i < EVBLOCK_DEPTH; i++) {
		buf_free(&b->slot[i].raw);
		free(b->slot[i].z);
	}
}

/*
 * evblock_start - the filling block gets row id id and holds lines of
 * source.  Only with nothing pending (after evblock_flush()).
 */
void
evblock_start(struct evblock *b, int64_t id, int64_t source)
{
	struct evslot	*sl = &b->slot[b->cur];

	b->id = sl->id = id;
	sl->source = source;
	b->nlines = 0;
	buf_reset(&sl->raw);
}

/* evblock_full - must the block be written before a line of n bytes? */
int
evblock_full(const struct evblock *b, size_t n)
{
	const struct evslot	*sl = &b->slot[b->cur];

	return (b->nlines > 0 && (sl->raw.len + 1 + n > EVBLOCK_SIZE ||
	    n > EVBLOCK_MAX - sl->raw.len - 1));
}

/*
 * evblock_add - add a line (line number and offset in its source) and
 * return its position in the block.  The line added just before, added
 * again (one line, several rows), is not stored twice.  A line longer
 * than the block can hold is cut there (b->last_len says how long).
 */
size_t
evblock_add(struct evblock *b, uint64_t line, uint64_t offset,
    const void *p, size_t n)
{
	struct buf	*raw = &b->slot[b->cur].raw;

	if (b->nlines > 0 && line == b->last_line &&
	    offset == b->last_offset && n == b->last_len &&
	    memcmp(raw->data + b->last_pos, p, n) == 0)
		return (b->last_pos);
	if (b->nlines > 0)
		(void)buf_putc(raw, '\n');
	if (n > EVBLOCK_MAX - raw->len)
		n = EVBLOCK_MAX - raw->len;
	b->last_pos = raw->len;
	b->last_len = n;
	b->last_line = line;
	b->last_offset = offset;
	b->nlines++;
	(void)buf_append(raw, p, n);
	return (b->last_pos);
}

/*
 * slot_compress - compress the slot's lines, unless that would not make
 * them smaller (the sqlar rule: stored as they are when length(data) =
 * size; zn = 0 says so).
 */
static void
slot_compress(struct evslot *sl)
{
	uLongf	zn;

	zn = compressBound((uLong)sl->raw.len);
	if (sl->zcap < zn) {
		sl->z = xreallocarray(sl->z, zn, 1);
		sl->zcap = zn;
	}
	if (sl->raw.len == 0 || compress2(sl->z, &zn,
	    (const Bytef *)sl->raw.data, (uLong)sl->raw.len,
	    EVBLOCK_LEVEL) != Z_OK || zn >= sl->raw.len)
		zn = 0;
	sl->zn = zn;
}

static void *
zip_run(void *arg)
{
	struct evzip	*zp = arg;
	struct evslot	*sl;

	pthread_mutex_lock(&zp->mu);
	for (;;) {
		sl = &zp->b->slot[zp->next];
		if (sl->state != SLOT_QUEUED) {
			if (zp->stop)
				break;
			pthread_cond_wait(&zp->work, &zp->mu);
			continue;
		}
		pthread_mutex_unlock(&zp->mu);
		slot_compress(sl);
		pthread_mutex_lock(&zp->mu);
		sl->state = SLOT_DONE;
		zp->next = (zp->next + 1) % EVBLOCK_DEPTH;
		pthread_cond_signal(&zp->done);
	}
	pthread_mutex_unlock(&zp->mu);
	return (NULL);
}

/* zip_start - the compressing thread, or NULL: compress in this one. */
static struct evzip *
zip_start(struct evblock *b)
{
	struct evzip	*zp;

	if (!evpipe_threads())
		return (NULL);
	zp = xcalloc(1, sizeof(*zp));
	zp->b = b;
	zp->next = b->cur;
	pthread_mutex_init(&zp->mu, NULL);
	pthread_cond_init(&zp->work, NULL);
	pthread_cond_init(&zp->done, NULL);
	if (pthread_create(&zp->t, NULL, zip_run, zp) != 0) {
		pthread_mutex_destroy(&zp->mu);
		pthread_cond_destroy(&zp->work);
		pthread_cond_destroy(&zp->done);
		free(zp);
		return (NULL);
	}
	return (zp);
}

/* slot_set - a slot's state, which the compressing thread reads too. */
static void
slot_set(struct evblock *b, struct evslot *sl, int state)
{
	if (b->zip == NULL) {
		sl->state = state;
		return;
	}
	pthread_mutex_lock(&b->zip->mu);
	sl->state = state;
	if (state == SLOT_QUEUED)
		pthread_cond_signal(&b->zip->work);
	pthread_mutex_unlock(&b->zip->mu);
}

/* evblock_store_oldest - wait for the oldest handed-over block; store it. */
static void
evblock_store_oldest(struct evblock *b, struct store *st)
{
	struct evslot	*sl = &b->slot[b->oldest];
	sqlite3_stmt	*s;

	if (b->zip != NULL) {
		pthread_mutex_lock(&b->zip->mu);
		while (sl->state != SLOT_DONE)
			pthread_cond_wait(&b->zip->done, &b->zip->mu);
		pthread_mutex_unlock(&b->zip->mu);
	}
	s = store_stmt(st, STMT_EVBLOCK_INSERT);
	store_bind_i64(s, 1, sl->id);
	store_bind_i64(s, 2, sl->source);
	store_bind_i64(s, 3, (int64_t)sl->raw.len);
	if (sl->zn > 0)
		sqlite3_bind_blob(s, 4, sl->z, (int)sl->zn, SQLITE_STATIC);
	else
		sqlite3_bind_blob(s, 4, sl->raw.data != NULL ? sl->raw.data :
		    "", (int)sl->raw.len, SQLITE_STATIC);
	store_step_done(st, s);
	sqlite3_clear_bindings(s);
	slot_set(b, sl, SLOT_FREE);
	b->oldest = (b->oldest + 1) % EVBLOCK_DEPTH;
	b->pending--;
}

/*
 * evblock_next - the filling block is complete (if it has lines): hand
 * it over to be compressed and stored, and fill the next.  The block
 * ids follow each other.
 */
void
evblock_next(struct evblock *b, struct store *st)
{
	struct evslot	*sl = &b->slot[b->cur];
	int64_t		 source = sl->source;

	if (b->nlines == 0)
		return;
	if (b->zip == NULL && evpipe_threads())
		b->zip = zip_start(b);
	if (b->zip != NULL)
		slot_set(b, sl, SLOT_QUEUED);
	else {
		slot_compress(sl);
		sl->state = SLOT_DONE;
	}
	/* Every slot handed over: the next to fill is the oldest. */
	if (++b->pending == EVBLOCK_DEPTH)
		evblock_store_oldest(b, st);
	b->cur = (b->cur + 1) % EVBLOCK_DEPTH;
	slot_set(b, &b->slot[b->cur], SLOT_FILLING);
	evblock_start(b, b->id + 1, source);
}

/*
 * evblock_flush - hand the filling block over and store every block
 * handed over: after it, the store has the text of every line added.
 */
void
evblock_flush(struct evblock *b, struct store *st)
{
	evblock_next(b, st);
	while (b->pending > 0)
		evblock_store_oldest(b, st);
}

/*
 * The inflate cache.  A result points into a cached block, which is
 * reference counted: the cache holds one reference, each result one more,
 * released by SQLite when it is done with the value, so a block evicted
 * while a row still holds a result of it stays alive until then.
 */
struct evbuf {
	size_t		 refs;
	size_t		 zn;		/* the compressed bytes, then the */
	size_t		 n;		/* inflated ones */
	unsigned char	 data[];
};

struct evcache {
	struct evbuf	*slot[2];
	int		 last;		/* the slot used last */
};

static void
evbuf_unref(struct evbuf *e)
{
	if (e != NULL && --e->refs == 0)
		free(e);
}

/* The destructor SQLite calls on a result; the entry is just before. */
static void
evbuf_result_done(void *p)
{
	struct evbuf	*e;

	memcpy(&e, (unsigned char *)p - sizeof(e), sizeof(e));
	evbuf_unref(e);
}

static void
evcache_free(void *arg)
{
	struct evcache	*c = arg;
	int		 i;

	for (i = 0; i < 2; i++)
		evbuf_unref(c->slot[i]);
	free(c);
}

/*
 * evbuf_inflate - a cache entry for z: the compressed bytes, a pointer
 * back to the entry, then the n inflated bytes.  NULL if z is not a zlib
 * stream of n bytes.
 */
static struct evbuf *
evbuf_inflate(const void *z, size_t zn, size_t n)
{
	struct evbuf	*e;
	unsigned char	*out;
	uLongf		 got = (uLongf)n;

	if (n > EVBLOCK_MAX || zn > EVBLOCK_MAX)
		return (NULL);
	e = malloc(sizeof(*e) + zn + sizeof(e) + n + 1);
	if (e == NULL)
		return (NULL);
	e->refs = 1;
	e->zn = zn;
	e->n = n;
	memcpy(e->data, z, zn);
	memcpy(e->data + zn, &e, sizeof(e));
	out = e->data + zn + sizeof(e);
	if (uncompress(out, &got, z, (uLong)zn) != Z_OK || got != n) {
		free(e);
		return (NULL);
	}
	return (e);
}

/*
 * ev_uncompress - sqlar_uncompress(X, SZ): X itself when SZ <= 0 or X is
 * SZ bytes long (stored as it was), else X inflated, which must give SZ
 * bytes.
 */
static void
ev_uncompress(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct evcache	*c = sqlite3_user_data(ctx);
	struct evbuf	*e;
	const void	*z;
	sqlite3_int64	 sz;
	size_t		 zn;
	int		 i;

	(void)argc;
	sz = sqlite3_value_int64(argv[1]);
	z = sqlite3_value_blob(argv[0]);
	zn = (size_t)sqlite3_value_bytes(argv[0]);
	if (sz <= 0 || (size_t)sz == zn) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	e = NULL;
	for (i = 0; i < 2 && e == NULL; i++)
		if (c->slot[i] != NULL && c->slot[i]->zn == zn &&
		    c->slot[i]->n == (size_t)sz &&
		    memcmp(c->slot[i]->data, z, zn) == 0) {
			e = c->slot[i];
			c->last = i;
		}
	if (e == NULL) {
		if ((e = evbuf_inflate(z, zn, (size_t)sz)) == NULL) {
			sqlite3_result_error(ctx, "error in uncompress()", -1);
			return;
		}
		i = c->last ^ 1;
		evbuf_unref(c->slot[i]);
		c->slot[i] = e;
		c->last = i;
	}
	e->refs++;
	sqlite3_result_blob(ctx, e->data + e->zn + sizeof(e), (int)e->n,
	    evbuf_result_done);
}

/* evblock_register - define sqlar_uncompress() on db; -1 on error. */
int
evblock_register(sqlite3 *db)
{
	struct evcache	*c;

	c = xcalloc(1, sizeof(*c));
	if (sqlite3_create_function_v2(db, "sqlar_uncompress", 2,
	    SQLITE_UTF8, c, ev_uncompress, NULL, NULL, evcache_free) !=
	    SQLITE_OK)
		return (-1);
	return (0);
}
