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
 * Growable byte buffers with a hard maximum, and read-only spans.  All
 * comparisons are ASCII-only and ignore the locale: the bytes come from
 * logs and packets written by strangers.
 */

#include "config.h"

#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* buf_init - an empty buffer that refuses to grow past max bytes. */
void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* buf_grow - make room for extra more bytes plus the NUL; -1 past max. */
static int
buf_grow(struct buf *b, size_t extra)
{
	size_t	need, ncap;

	if (extra > b->max || b->len > b->max - extra)
		return (-1);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return (0);
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	b->data = xreallocarray(b->data, ncap, 1);
	b->cap = ncap;
	return (0);
}

/*
 * buf_append - append n bytes.  Returns -1 and changes nothing when the
 * result would exceed the buffer's maximum.
 */
int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) == -1)
		return (-1);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (0);
}

int
buf_append_span(struct buf *b, struct span sp)
{
	return (buf_append(b, sp.p, sp.n));
}

int
buf_putc(struct buf *b, char c)
{
	return (buf_append(b, &c, 1));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256], *big = NULL;
	int	 n, rv;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	if ((size_t)n < sizeof(small))
		return (buf_append(b, small, (size_t)n));
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rv = buf_append(b, big, (size_t)n);
	free(big);
	return (rv);
}

struct span
buf_span(const struct buf *b)
{
	struct span	sp = { b->data, b->len };

	if (sp.p == NULL)
		sp.p = "";
	return (sp);
}

struct span
span_from_cstr(const char *s)
{
	struct span	sp = { s, s != NULL ? strlen(s) : 0 };

	return (sp);
}

bool
span_eq(struct span a, struct span b)
{
	return (a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0));
}

bool
span_eq_cstr(struct span a, const char *s)
{
	return (span_eq(a, span_from_cstr(s)));
}

bool
span_caseeq(struct span a, struct span b)
{
	size_t	i;

	if (a.n != b.n)
		return (false);
	for (i = 0; i < a.n; i++)
		if (ASCII_TOLOWER(a.p[i]) != ASCII_TOLOWER(b.p[i]))
			return (false);
	return (true);
}

bool
span_caseeq_cstr(struct span a, const char *s)
{
	return (span_caseeq(a, span_from_cstr(s)));
}

bool
span_startswith(struct span a, const char *s)
{
	size_t	n = strlen(s);

	return (a.n >= n && memcmp(a.p, s, n) == 0);
}

bool
span_casestartswith(struct span a, const char *s)
{
	size_t	n = strlen(s);

	if (a.n < n)
		return (false);
	a.n = n;
	return (span_caseeq_cstr(a, s));
}

bool
span_endswith(struct span a, const char *s)
{
	size_t	n = strlen(s);

	return (a.n >= n && memcmp(a.p + a.n - n, s, n) == 0);
}

/* span_find - first occurrence of s in a, or NULL. */
const char *
span_find(struct span a, const char *s)
{
	size_t	n = strlen(s), i;

	if (n == 0)
		return (a.p);
	if (a.n < n)
		return (NULL);
	for (i = 0; i + n <= a.n; i++)
		if (a.p[i] == s[0] && memcmp(a.p + i, s, n) == 0)
			return (a.p + i);
	return (NULL);
}

/* span_trim - drop ASCII white space at both ends. */
struct span
span_trim(struct span a)
{
	while (a.n > 0 && ASCII_ISSPACE(a.p[0])) {
		a.p++;
		a.n--;
	}
	while (a.n > 0 && ASCII_ISSPACE(a.p[a.n - 1]))
		a.n--;
	return (a);
}

/*
 * span_to_i64 - parse an optionally signed decimal number filling the whole
 * span.  Returns -1 on anything else, including overflow.
 */
int
span_to_i64(struct span a, int64_t *out)
{
	int64_t	v = 0;
	size_t	i = 0;
	bool	neg = false;

	if (a.n > 0 && (a.p[0] == '-' || a.p[0] == '+')) {
		neg = a.p[0] == '-';
		i = 1;
	}
	if (i == a.n)
		return (-1);
	for (; i < a.n; i++) {
		int	d;

		if (!ASCII_ISDIGIT(a.p[i]))
			return (-1);
		d = a.p[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return (-1);
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return (0);
}

/* span_dup - a NUL-terminated heap copy; the caller frees it. */
char *
span_dup(struct span a)
{
	return (xstrndup(a.p != NULL ? a.p : "", a.n));
}
