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
 * A hash map from byte-string keys to pointers.  Keys are copied; values
 * belong to the caller.  Open addressing with linear probing and
 * tombstones; grows at 70% load.
 */

#ifndef HMAP_H
#define HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	char		*key;		/* NULL empty; HMAP_TOMB deleted */
	size_t		 klen;
	uint64_t	 hash;
	void		*val;
};

struct hmap {
	struct hmap_slot	*slots;
	size_t			 cap;		/* power of two */
	size_t			 used;		/* live */
	size_t			 filled;	/* live + tombstones */
};

void	 hmap_init(struct hmap *);
void	 hmap_free(struct hmap *);
void	*hmap_get(const struct hmap *, const char *, size_t);
void	 hmap_put(struct hmap *, const char *, size_t, void *);
void	*hmap_del(struct hmap *, const char *, size_t);
size_t	 hmap_count(const struct hmap *);
int	 hmap_next(const struct hmap *, size_t *, void **);

#endif /* HMAP_H */
