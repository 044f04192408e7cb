/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Verdicts and findings over the whole store; see classify.c. */

#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdint.h>

struct store;
struct locality;

struct classify_stats {
	uint64_t	 recipients;
	uint64_t	 findings;
	uint64_t	 unattributed;	/* foreign rcpts of unknown origin */
};

int	 classify_run(struct store *, struct locality *,
	    struct classify_stats *);

#endif /* CLASSIFY_H */
