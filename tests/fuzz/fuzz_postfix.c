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
 * Fuzz target: text log lines (every format mtalog detects) through the
 * parsers and the correlator into an in-memory store.  The input is split
 * at newlines, so one input is a small log.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "correlate.h"
#include "mtalog.h"
#include "store.h"

#define FUZZ_MAXLEN	(256 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtalog_opts	 mo = { 2026, "UTC", NULL };
	struct mtalog		*ml;
	struct store		*st;
	struct corr		*corr;
	struct ev_ref		 ref;
	char			 err[256];
	size_t			 i = 0, j;

	if (size > FUZZ_MAXLEN)
		return (0);
	if ((st = store_open(":memory:", 0, err, sizeof(err))) == NULL)
		return (0);
	ml = mtalog_new(&mo);
	corr = corr_new(st);
	(void)store_begin(st);
	mtalog_begin_source(ml, 1764620000);
	memset(&ref, 0, sizeof(ref));
	while (i < size) {
		for (j = i; j < size && data[j] != '\n'; j++)
			;
		ref.line++;
		ref.offset = i;
		ref.raw.p = (const char *)data + i;
		ref.raw.n = j - i;
		(void)mtalog_line(ml, &ref, corr_event, corr);
		i = j + 1;
	}
	corr_flush(corr);
	(void)store_commit(st);
	corr_free(corr);
	mtalog_free(ml);
	store_close(st);
	return (0);
}
