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
 * Unit tests: sources.  Plain and gzip input (multi-member, truncated,
 * corrupt), line numbers and byte offsets, CRLF, a missing final newline,
 * over-long lines, NUL bytes, SHA-256 of the stored bytes, and the order
 * in which a rotated set is read.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "compat.h"
#include "ingest.h"
#include "source.h"
#include "tap.h"

static char	dir[] = "/tmp/t_source.XXXXXX";

static char *
path(const char *name)
{
	static char	p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return (p);
}

static void
put(const char *name, const void *data, size_t n)
{
	FILE	*fp = fopen(path(name), "wb");

	if (fp == NULL || fwrite(data, 1, n, fp) != n || fclose(fp) != 0) {
		perror(name);
		exit(99);
	}
}

static void
putgz(const char *name, const char *mode, const char *data)
{
	gzFile	gz = gzopen(path(name), mode);

	if (gz == NULL || gzputs(gz, data) < 0 || gzclose(gz) != Z_OK) {
		perror(name);
		exit(99);
	}
}

/* readall - every line of a source joined with '|', and the status. */
static int
readall(const char *name, char *out, size_t outlen, uint64_t *lastoff)
{
	struct source		*s;
	struct source_line	 ln;
	char			 err[256];
	int			 rc;

	out[0] = '\0';
	if ((s = source_open(path(name), true, err, sizeof(err))) == NULL)
		return (-2);
	while ((rc = source_next_line(s, &ln)) == 1) {
		if (out[0] != '\0')
			strlcat(out, "|", outlen);
		strncat(out, ln.text.p, outlen - strlen(out) - 1 <
		    ln.text.n ? outlen - strlen(out) - 1 : ln.text.n);
		if (lastoff != NULL)
			*lastoff = ln.offset;
	}
	source_close(s);
	return (rc);
}

static void
test_plain(void)
{
	char		 out[256], hex[65], err[256];
	uint64_t	 off = 0, bytes;
	struct source	*s;
	struct source_line ln;

	put("a.log", "one\r\ntwo\nthree", 14);
	is_int(readall("a.log", out, sizeof(out), &off), 0, "plain: clean end");
	is_str(out, "one|two|three", "CRLF dropped, last line without LF");
	is_int(off, 9, "offset of the third line");

	put("abc", "abc\n", 4);
	ok(source_hash_file(path("abc"), hex, &bytes, err, sizeof(err)) == 0,
	    "hash a file");
	is_str(hex, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf"
	    "0efd18cb", "SHA-256 of \"abc\\n\"");
	is_int(bytes, 4, "size");

	put("nul", "a\0b\nc\n", 6);
	s = source_open(path("nul"), false, err, sizeof(err));
	ok(s != NULL && source_next_line(s, &ln) == 1 && ln.text.n == 3 &&
	    ln.has_nul, "NUL byte kept and flagged");
	ok(source_next_line(s, &ln) == 1 && ln.lineno == 2 && ln.offset == 4,
	    "line after NUL: number 2 at offset 4");
	source_close(s);

	put("empty", "", 0);
	is_int(readall("empty", out, sizeof(out), NULL), 0, "empty file: end");

	ok(source_open(path("missing"), false, err, sizeof(err)) == NULL &&
	    strstr(err, "No such file") != NULL, "missing file: clear error");
	ok(source_open(dir, false, err, sizeof(err)) == NULL &&
	    strstr(err, "directory") != NULL, "directory refused");
}

static void
test_long(void)
{
	size_t		 n = 1024 * 1024 + 10;
	char		*big = malloc(n + 8), err[256];
	struct source	*s;
	struct source_line ln;

	memset(big, 'x', n);
	memcpy(big + n, "\nnext\n", 6);
	put("long", big, n + 6);
	s = source_open(path("long"), false, err, sizeof(err));
	ok(s != NULL && source_next_line(s, &ln) == 1 && ln.truncated &&
	    ln.text.n == SOURCE_LINE_MAX, "1 MB line cut and flagged");
	ok(source_next_line(s, &ln) == 1 && ln.text.n == 4 &&
	    memcmp(ln.text.p, "next", 4) == 0 && ln.lineno == 2 &&
	    ln.offset == n + 1, "the next line intact, offset exact");
	ok(source_next_line(s, &ln) == 0, "then the end");
	source_close(s);
	free(big);
}

static void
test_gzip(void)
{
	char		 out[256], err[256], *buf;
	FILE		*fp;
	long		 sz;
	struct source	*s;

	putgz("m.gz", "wb", "first\nsecond\n");
	putgz("m.gz", "ab", "third\n");
	is_int(readall("m.gz", out, sizeof(out), NULL), 0, "multi-member ok");
	is_str(out, "first|second|third", "both members read");
	s = source_open(path("m.gz"), false, err, sizeof(err));
	ok(s != NULL && source_kind(s) == SOURCE_GZIP, "sniffed as gzip");
	source_close(s);

	/* Truncate a larger member half way. */
	buf = malloc(200000);
	for (sz = 0; sz < 199990; sz += 10)
		memcpy(buf + sz, "line12345\n", 10);
	buf[sz] = '\0';
	putgz("t.gz", "wb1", buf);
	free(buf);
	fp = fopen(path("t.gz"), "rb+");
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	fclose(fp);
	ok(truncate(path("t.gz"), sz / 2) == 0, "truncate the .gz");
	{
		struct source_line ln;
		uint64_t	n = 0;
		int		rc;

		s = source_open(path("t.gz"), true, err, sizeof(err));
		while ((rc = source_next_line(s, &ln)) == 1)
			n++;
		is_int(rc, -1, "truncated .gz: error at the end");
		ok(source_error(s) != NULL &&
		    strstr(source_error(s), "truncated") != NULL,
		    "says truncated");
		ok(n > 1000, "lines before the damage kept (%llu)",
		    (unsigned long long)n);
		source_finish_hash(s);
		is_int(strlen(source_sha256(s)), 64, "hash still covers it");
		source_close(s);
	}
	put("g.gz", "\x1f\x8b\x08\x00garbage-garbage", 19);
	is_int(readall("g.gz", out, sizeof(out), NULL), -1,
	    "corrupt gzip: error, no crash");
}

static void
test_order(void)
{
	char	*p[] = { "mail.log", "mail.log.1", "other.log",
		    "mail.log.2.gz", "mail.log.10.gz" };
	char	*q[] = { "x/mail.log-20261201", "x/mail.log",
		    "x/mail.log-20261124.gz" };

	ingest_order(p, 5);
	is_str(p[0], "mail.log.10.gz", "oldest rotation first");
	is_str(p[1], "mail.log.2.gz", "then .2.gz");
	is_str(p[2], "mail.log.1", "then .1");
	is_str(p[3], "mail.log", "live file last");
	is_str(p[4], "other.log", "unrelated file keeps its place after");
	ingest_order(q, 3);
	is_str(q[0], "x/mail.log-20261124.gz", "dateext: oldest date first");
	is_str(q[2], "x/mail.log", "dateext: live file last");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (99);
	}
	test_plain();
	test_long();
	test_gzip();
	test_order();
	{
		char	cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)system(cmd);
	}
	return (done_testing());
}
