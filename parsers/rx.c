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
 * PCRE2 behind spans.  Every pattern is a constant of the program, so a
 * pattern that does not compile is a bug and ends the program with the
 * library's message and the offset.  Subjects are hostile log lines: they
 * are matched as bytes (no UTF mode, so invalid UTF-8 is not an error),
 * with '.' matching every byte, and under a match limit so that no line
 * can make a match run for long.  A match that hits the limit counts as
 * no match and is counted in rx_errors().
 */

#include "config.h"

#include "rx.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH	8
#include <pcre2.h>

#include "log.h"
#include "xmalloc.h"

/* Backtracking budget per match; a real log line needs a few thousand. */
#define RX_MATCH_LIMIT		500000
#define RX_DEPTH_LIMIT		10000
#define RX_JIT_STACK_START	(32 * 1024)
#define RX_JIT_STACK_MAX	(512 * 1024)

struct rx {
	char			*name;
	pcre2_code		*code;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;
	int			 ngroups;
	uint64_t		 errors;
};

/*
 * rx_new - compile pattern, called name in diagnostics.  Never returns
 * NULL: a pattern that does not compile ends the program.
 */
struct rx *
rx_new(const char *name, const char *pattern)
{
	struct rx	*rx;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	uint32_t	 ncap;
	int		 err;

	rx = xcalloc(1, sizeof(*rx));
	rx->name = xstrdup(name);
	rx->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
	if (rx->code == NULL) {
		(void)pcre2_get_error_message(err, msg, sizeof(msg));
		fatalx("%s: pattern %s: %s at offset %zu", __func__, name,
		    (const char *)msg, (size_t)off);
	}
	if (pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &ncap) != 0)
		fatalx("%s: pattern %s: no capture count", __func__, name);
	if (ncap + 1 > RX_MAXGROUP)
		fatalx("%s: pattern %s: %u groups, at most %d", __func__, name,
		    ncap, RX_MAXGROUP - 1);
	rx->ngroups = (int)ncap + 1;

	rx->md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	rx->mctx = pcre2_match_context_create(NULL);
	if (rx->md == NULL || rx->mctx == NULL)
		fatalx("%s: pattern %s: out of memory", __func__, name);
	(void)pcre2_set_match_limit(rx->mctx, RX_MATCH_LIMIT);
	(void)pcre2_set_depth_limit(rx->mctx, RX_DEPTH_LIMIT);

	/* JIT is an optimisation: without it the interpreter does the work. */
	if (pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0) {
		rx->jstack = pcre2_jit_stack_create(RX_JIT_STACK_START,
		    RX_JIT_STACK_MAX, NULL);
		if (rx->jstack != NULL)
			pcre2_jit_stack_assign(rx->mctx, NULL, rx->jstack);
	}
	return (rx);
}

/* rx_free - release rx; NULL is fine. */
void
rx_free(struct rx *rx)
{
	if (rx == NULL)
		return;
	pcre2_jit_stack_free(rx->jstack);
	pcre2_match_context_free(rx->mctx);
	pcre2_match_data_free(rx->md);
	pcre2_code_free(rx->code);
	free(rx->name);
	free(rx);
}

/*
 * rx_group - the number of the named group in rx.  Asking for a name the
 * pattern does not have is a bug.
 */
int
rx_group(const struct rx *rx, const char *name)
{
	int	n;

	n = pcre2_substring_number_from_name(rx->code, (PCRE2_SPTR)name);
	if (n <= 0 || n >= rx->ngroups)
		fatalx("%s: pattern %s has no group %s", __func__, rx->name,
		    name);
	return (n);
}

/*
 * rx_exec - match rx against the whole of subj.  On a match, fills m with
 * every group as a span into subj and returns true; otherwise m is left
 * with ngroups 0.
 */
bool
rx_exec(struct rx *rx, struct span subj, struct rx_match *m)
{
	PCRE2_SIZE	*ov;
	const char	*p = subj.p != NULL ? subj.p : "";
	int		 rc, i;

	m->ngroups = 0;
	rc = pcre2_match(rx->code, (PCRE2_SPTR)p, subj.n, 0, 0, rx->md,
	    rx->mctx);
	if (rc < 0) {
		if (rc != PCRE2_ERROR_NOMATCH)
			rx->errors++;
		return (false);
	}
	ov = pcre2_get_ovector_pointer(rx->md);
	for (i = 0; i < rx->ngroups; i++) {
		if (ov[2 * i] == PCRE2_UNSET || ov[2 * i + 1] < ov[2 * i] ||
		    ov[2 * i + 1] > subj.n) {
			m->group[i] = SPAN_NULL;
			continue;
		}
		m->group[i].p = p + ov[2 * i];
		m->group[i].n = ov[2 * i + 1] - ov[2 * i];
	}
	m->ngroups = rx->ngroups;
	return (true);
}

/* rx_errors - matches given up (match or depth limit) so far. */
uint64_t
rx_errors(const struct rx *rx)
{
	return (rx->errors);
}
