/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Reading sources into the store; see ingest.c. */

#ifndef INGEST_H
#define INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct locality;
struct store;

struct ingest_opts {
	int		 year;		/* 0: infer */
	const char	*tz;		/* NULL: local zone */
	const char	*format;	/* --format, NULL: detect */
	const char	*extract;	/* --extract DIR, or NULL */
	bool		 quiet;
	/*
	 * This run's flags and configuration, or NULL: what recipients are
	 * judged by as they are written (with the store's, added here).
	 */
	struct locality	*loc;
};

struct ingest_totals {
	uint64_t	 sources;
	uint64_t	 skipped;	/* already ingested */
	uint64_t	 failed;	/* could not be read at all or fully */
	uint64_t	 lines;
	uint64_t	 parsed;
	uint64_t	 other;
	uint64_t	 unparsed;
	uint64_t	 sessions;
	uint64_t	 messages;
	uint64_t	 recipients;
};

void	 ingest_order(char **, size_t);
int	 ingest_expand_dirs(char ***, size_t *, char **, size_t);
void	 ingest_free_paths(char **, size_t);
int	 ingest_files(struct store *, char **, size_t,
	    const struct ingest_opts *, struct ingest_totals *);
int	 ingest_rebuild_plan(struct store *, char **, size_t, char ***,
	    size_t *, bool);
int	 ingest_copy_locality(struct store *, const char *);

/* ingest_find.c */
char	*ingest_find_stored(struct store *, const char *, const char *,
	    const char *, uint64_t, char **, size_t, char *, size_t);

#endif /* INGEST_H */
