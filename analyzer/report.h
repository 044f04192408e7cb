/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Reports, sessions, transcripts and read-only queries over the store. */

#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

struct store;

struct sessions_filter {
	const char	*client;
	const char	*finding;
	const char	*since;
	const char	*until;
	const char	*user;
	int64_t		 limit;
};

int	 report_write(struct store *, FILE *, const char *, const char *);
int	 show_sessions(struct store *, FILE *, const struct sessions_filter *);
int	 show_session(struct store *, FILE *, int64_t);
int	 show_sql(struct store *, FILE *, const char *);

#endif /* REPORT_H */
