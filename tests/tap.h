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
 * A tiny TAP producer for unit tests run by Automake's tap-driver.sh.
 * ok() records one assertion; done_testing() prints the plan and exits
 * non-zero if anything failed.  Exit 77 skips, 99 is a hard error.
 */

#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	tap_n, tap_failed;

static int __attribute__((__format__(__printf__, 2, 3), __unused__))
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return (cond);
}

static void __attribute__((__format__(__printf__, 1, 2), __unused__))
diag(const char *fmt, ...)
{
	va_list	ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* is_str - string equality with both sides shown on failure. */
#define is_str(got, want, ...) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	if (!ok(tap_g_ != NULL && tap_w_ != NULL ?			\
	    strcmp(tap_g_, tap_w_) == 0 : tap_g_ == tap_w_, __VA_ARGS__)) \
		diag("got '%s', want '%s'", tap_g_ ? tap_g_ : "(null)",	\
		    tap_w_ ? tap_w_ : "(null)");			\
} while (0)

/* is_int - integer equality with both sides shown on failure. */
#define is_int(got, want, ...) do {					\
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__))				\
		diag("got %lld, want %lld", tap_g_, tap_w_);		\
} while (0)

static int __attribute__((__unused__))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return (tap_failed == 0 ? 0 : 1);
}

#endif /* TAP_H */
