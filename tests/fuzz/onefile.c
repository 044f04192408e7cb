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
 * A main() for fuzz targets built without libFuzzer: run the target once
 * on each file named on the command line, so that every corpus is a
 * regression suite in `make check`.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	FILE	*fp;
	uint8_t	*buf;
	long	 n;
	int	 i;

	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return (99);
		}
		if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
		    fseek(fp, 0, SEEK_SET) == -1) {
			perror(argv[i]);
			fclose(fp);
			return (99);
		}
		if ((buf = malloc((size_t)n + 1)) == NULL) {
			fclose(fp);
			return (99);
		}
		if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			perror(argv[i]);
			free(buf);
			fclose(fp);
			return (99);
		}
		fclose(fp);
		(void)LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
	}
	return (0);
}
