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
 * An input source: a file or standard input, plain or gzip-compressed
 * (multi-member too), read as lines with their number and byte offset in
 * the uncompressed stream.  The raw bytes as stored are hashed (SHA-256)
 * while they are read, for chain of custody.
 */

#ifndef SOURCE_H
#define SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Longest line kept; the rest of a longer line is skipped and flagged. */
#define SOURCE_LINE_MAX		(64 * 1024)

enum source_kind {
	SOURCE_TEXT,
	SOURCE_GZIP,
	SOURCE_PCAP,
	SOURCE_PCAPNG
};

struct source_line {
	struct span	 text;		/* without the newline (and CR) */
	uint64_t	 lineno;	/* 1-based */
	uint64_t	 offset;	/* of the line in the uncompressed data */
	bool		 truncated;	/* longer than SOURCE_LINE_MAX */
	bool		 has_nul;	/* held NUL bytes */
};

/* The first bytes of content kept, to find a longer copy's candidates. */
#define SOURCE_HEAD_MAX		64

/* A content the source may start with (source_scan_prefixes()). */
struct source_prefix {
	uint64_t	 bytes;		/* its length, through a newline */
	char		 sha256[65];	/* of those bytes */
	struct span	 head;		/* its first bytes (SOURCE_HEAD_MAX) */
	bool		 match;		/* out: the content starts with it */
};

struct source;

struct source	*source_open(const char *, bool, char *, size_t);
int		 source_next_line(struct source *, struct source_line *);
enum source_kind source_kind(const struct source *);
enum source_kind source_content_kind(struct source *);
const char	*source_kind_name(enum source_kind);
const char	*source_path(const struct source *);
int64_t		 source_mtime(const struct source *);
void		 source_finish_hash(struct source *);
const char	*source_sha256(const struct source *);
uint64_t	 source_bytes(const struct source *);
const char	*source_content_sha256(struct source *);
uint64_t	 source_content_bytes(const struct source *);
struct span	 source_head(const struct source *);
int		 source_scan_prefixes(const char *, struct source_prefix *,
		    size_t, bool *, char *, size_t);
uint64_t	 source_lines(const struct source *);
const char	*source_error(const struct source *);
void		 source_close(struct source *);

int		 source_hash_file(const char *, char [65], uint64_t *,
		    char *, size_t);

#endif /* SOURCE_H */
