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
 * A thin wrapper around PCRE2 for the log parsers.  Patterns are built in,
 * compiled once (JIT when the library has it) and matched against spans;
 * captures come back as spans into the subject.  pcre2.h stays inside
 * rx.c, so nothing that includes this header sees PCRE2.
 */

#ifndef RX_H
#define RX_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Most capture groups a pattern may have, counting group 0. */
#define RX_MAXGROUP	16

struct rx;

/*
 * The result of a match.  group[0] is the whole match.  A group that did
 * not take part has p == NULL; one that matched the empty string has
 * p != NULL and n == 0.
 */
struct rx_match {
	int		 ngroups;
	struct span	 group[RX_MAXGROUP];
};

struct rx	*rx_new(const char *, const char *);
void		 rx_free(struct rx *);
int		 rx_group(const struct rx *, const char *);
bool		 rx_exec(struct rx *, struct span, struct rx_match *);
uint64_t	 rx_errors(const struct rx *);

#endif /* RX_H */
