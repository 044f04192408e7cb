/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Hops between our own MTAs; see hop.c. */

#ifndef HOP_H
#define HOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct locality;
struct store;

struct hop_stats {
	uint64_t	 joined;	/* recipients linked to their copy */
	uint64_t	 unseen;	/* handed to one of ours, copy absent */
};

void	 hop_link(struct store *, const struct locality *,
	    struct hop_stats *);
void	 hop_end(struct store *);
bool	 hop_reply_qid(const char *, char *, size_t);
void	 hop_relay_split(const char *, char *, size_t, char *, size_t);
void	 hop_show_from(struct store *, FILE *, int64_t);
void	 hop_show_to(struct store *, FILE *, int64_t);

#endif /* HOP_H */
