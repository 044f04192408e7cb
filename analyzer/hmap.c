/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* String-keyed hash map (FNV-1a, linear probing). */

#include "config.h"

#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static char	hmap_tomb_key;
#define HMAP_TOMB	(&hmap_tomb_key)

/* hmap_hash - FNV-1a over the key bytes. */
static uint64_t
hmap_hash(const char *k, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return (h);
}

void
hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof(*m));
}

/* hmap_free - free the keys and table; values are the caller's. */
void
hmap_free(struct hmap *m)
{
	size_t	i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL && m->slots[i].key != HMAP_TOMB)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* hmap_find - slot index of key, or of the slot to insert it at. */
static size_t
hmap_find(const struct hmap *m, const char *k, size_t n, uint64_t h,
    int *found)
{
	size_t	i = (size_t)h & (m->cap - 1), tomb = SIZE_MAX;

	*found = 0;
	for (;;) {
		const struct hmap_slot	*s = &m->slots[i];

		if (s->key == NULL)
			return (tomb != SIZE_MAX ? tomb : i);
		if (s->key == HMAP_TOMB) {
			if (tomb == SIZE_MAX)
				tomb = i;
		} else if (s->hash == h && s->klen == n &&
		    memcmp(s->key, k, n) == 0) {
			*found = 1;
			return (i);
		}
		i = (i + 1) & (m->cap - 1);
	}
}

/*
 * hmap_grow - rehash into a table twice as big (or the first one), or
 * as big as it is when most of what fills it is tombstones: a map whose
 * keys come and go (open sessions, queued messages) stays the size of
 * what it holds at most at once, however many keys pass through it.
 */
static void
hmap_grow(struct hmap *m)
{
	struct hmap_slot	*old = m->slots;
	size_t			 ocap = m->cap, i;

	if (ocap == 0)
		m->cap = 64;
	else if (m->used * 10 >= ocap * 4)
		m->cap = ocap * 2;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->filled = m->used;
	for (i = 0; i < ocap; i++) {
		int	found;
		size_t	j;

		if (old[i].key == NULL || old[i].key == HMAP_TOMB)
			continue;
		j = hmap_find(m, old[i].key, old[i].klen, old[i].hash, &found);
		m->slots[j] = old[i];
	}
	free(old);
}

void *
hmap_get(const struct hmap *m, const char *k, size_t n)
{
	int	found;
	size_t	i;

	if (m->cap == 0)
		return (NULL);
	i = hmap_find(m, k, n, hmap_hash(k, n), &found);
	return (found ? m->slots[i].val : NULL);
}

/* hmap_put - set key to val, replacing any value it had. */
void
hmap_put(struct hmap *m, const char *k, size_t n, void *val)
{
	uint64_t	h = hmap_hash(k, n);
	int		found;
	size_t		i;

	if (m->cap == 0 || (m->filled + 1) * 10 > m->cap * 7)
		hmap_grow(m);
	i = hmap_find(m, k, n, h, &found);
	if (!found) {
		if (m->slots[i].key == NULL)
			m->filled++;
		m->slots[i].key = xstrndup(k, n);
		m->slots[i].klen = n;
		m->slots[i].hash = h;
		m->used++;
	}
	m->slots[i].val = val;
}

/* hmap_del - remove key; returns its value, or NULL if it was absent. */
void *
hmap_del(struct hmap *m, const char *k, size_t n)
{
	int	 found;
	size_t	 i;
	void	*val;

	if (m->cap == 0)
		return (NULL);
	i = hmap_find(m, k, n, hmap_hash(k, n), &found);
	if (!found)
		return (NULL);
	val = m->slots[i].val;
	free(m->slots[i].key);
	m->slots[i].key = HMAP_TOMB;
	m->slots[i].val = NULL;
	m->used--;
	return (val);
}

size_t
hmap_count(const struct hmap *m)
{
	return (m->used);
}

/*
 * hmap_next - iterate: start with *pos = 0; returns 1 with the next value
 * in *val, 0 at the end.  The map must not change during the walk.
 */
int
hmap_next(const struct hmap *m, size_t *pos, void **val)
{
	while (*pos < m->cap) {
		const struct hmap_slot	*s = &m->slots[(*pos)++];

		if (s->key != NULL && s->key != HMAP_TOMB) {
			*val = s->val;
			return (1);
		}
	}
	return (0);
}
