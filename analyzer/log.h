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
 * Diagnostics on standard error.  Untrusted bytes must go through
 * log_escape() before they reach any of these.
 */

#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

#define LOG_PRINTF(a, b)	__attribute__((__format__(__printf__, a, b)))

void	 log_init(const char *, int);
void	 log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	 log_info(const char *, ...) LOG_PRINTF(1, 2);
void	 log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	 log_warnx(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((__noreturn__)) void
	 fatal(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((__noreturn__)) void
	 fatalx(const char *, ...) LOG_PRINTF(1, 2);

/* Escape at most len bytes of p into dst (C-style, \ooo for the rest). */
char	*log_escape(char *, size_t, const char *, size_t);

/* Size for log_escape() of up to n input bytes, plus the NUL. */
#define LOG_ESCAPE_SIZE(n)	((n) * 4 + 1)

#endif /* LOG_H */
