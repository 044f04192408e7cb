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
 * Fuzz target: the source reader (plain and gzip, every member, damage)
 * on bytes handed over through a memory file.
 */

#include "config.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

#define FUZZ_MAXLEN	(1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source		*s;
	struct source_line	 ln;
	char			 path[64], err[256];
	uint64_t		 last = 0;
	int			 fd;

	if (size > FUZZ_MAXLEN)
		return (0);
	if ((fd = memfd_create("fuzz", 0)) == -1)
		return (0);
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return (0);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((s = source_open(path, true, err, sizeof(err))) != NULL) {
		while (source_next_line(s, &ln) == 1) {
			if (ln.text.n > SOURCE_LINE_MAX || ln.lineno != last + 1)
				__builtin_trap();
			last = ln.lineno;
		}
		source_finish_hash(s);
		source_close(s);
	}
	close(fd);
	return (0);
}
