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
 * Byte strings.  A span is a read-only view (pointer and length) into bytes
 * owned by someone else; it is never assumed to be NUL-terminated.  A buf
 * is a growable, binary-safe byte buffer with a hard maximum: appending past
 * the maximum fails and leaves the buffer as it was.  A buf's data is always
 * followed by a NUL as a safety net, but may hold NULs itself.
 */

#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct span {
	const char	*p;
	size_t		 n;
};

#define SPAN_NULL		((struct span){ NULL, 0 })
#define SPAN_LIT(s)		((struct span){ (s), sizeof(s) - 1 })
#define SPAN_EMPTY(sp)		((sp).n == 0)

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};

void		 buf_init(struct buf *, size_t);
void		 buf_free(struct buf *);
void		 buf_reset(struct buf *);
int		 buf_append(struct buf *, const void *, size_t);
int		 buf_append_span(struct buf *, struct span);
int		 buf_putc(struct buf *, char);
int		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
struct span	 buf_span(const struct buf *);

struct span	 span_from_cstr(const char *);
bool		 span_eq(struct span, struct span);
bool		 span_eq_cstr(struct span, const char *);
bool		 span_caseeq(struct span, struct span);
bool		 span_caseeq_cstr(struct span, const char *);
bool		 span_startswith(struct span, const char *);
bool		 span_casestartswith(struct span, const char *);
bool		 span_endswith(struct span, const char *);
const char	*span_find(struct span, const char *);
struct span	 span_trim(struct span);
int		 span_to_i64(struct span, int64_t *);
char		*span_dup(struct span);

/* Locale-free ASCII classification for untrusted bytes. */
#define ASCII_ISDIGIT(c)	((c) >= '0' && (c) <= '9')
#define ASCII_ISALPHA(c)	(((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define ASCII_ISSPACE(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || \
				    (c) == '\n' || (c) == '\v' || (c) == '\f')
#define ASCII_TOLOWER(c)	(((c) >= 'A' && (c) <= 'Z') ? (c) | 0x20 : (c))

#endif /* BUF_H */
