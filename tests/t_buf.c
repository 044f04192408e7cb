/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Unit tests: byte buffers, spans, escaping and the hash map. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hmap.h"
#include "log.h"
#include "tap.h"

static void
test_buf(void)
{
	struct buf	b;
	int64_t		v;

	buf_init(&b, 8);
	ok(buf_append(&b, "abcd", 4) == 0, "append within max");
	ok(buf_append(&b, "efgh", 4) == 0, "append up to max");
	ok(buf_append(&b, "i", 1) == -1, "append past max fails");
	is_int(b.len, 8, "failed append leaves length");
	ok(b.data[8] == '\0', "always NUL-terminated");
	buf_reset(&b);
	ok(buf_append(&b, "a\0b", 3) == 0 && b.len == 3 && b.data[1] == '\0',
	    "binary safe");
	buf_free(&b);

	buf_init(&b, 1 << 20);
	ok(buf_printf(&b, "%0300d", 7) == 0 && b.len == 300 &&
	    b.data[299] == '7', "printf longer than the small buffer");
	buf_free(&b);

	ok(span_caseeq_cstr(SPAN_LIT("RelayTrace"), "relaytrace"),
	    "case-insensitive compare");
	ok(!span_caseeq_cstr(SPAN_LIT("relaytrac"), "relaytrace"),
	    "lengths differ");
	ok(span_find(SPAN_LIT("to=<a@b>, relay"), ", relay") != NULL,
	    "find substring");
	ok(span_find(SPAN_LIT("abc"), "abcd") == NULL, "find longer needle");
	ok(span_to_i64(SPAN_LIT("12345"), &v) == 0 && v == 12345, "number");
	ok(span_to_i64(SPAN_LIT("-7"), &v) == 0 && v == -7, "negative");
	ok(span_to_i64(SPAN_LIT("99999999999999999999"), &v) == -1,
	    "overflow refused");
	ok(span_to_i64(SPAN_LIT("12a"), &v) == -1, "trailing junk refused");
	ok(span_to_i64(SPAN_LIT(""), &v) == -1, "empty refused");
	ok(span_eq(span_trim(SPAN_LIT("  x y \t")), SPAN_LIT("x y")),
	    "trim");
}

static void
test_escape(void)
{
	char	out[LOG_ESCAPE_SIZE(16)];

	is_str(log_escape(out, sizeof(out), "a\x1b[2Jb", 6), "a\\033[2Jb",
	    "terminal escape neutralised");
	is_str(log_escape(out, sizeof(out), "x\ny", 3), "x\\ny",
	    "newline cannot forge a line");
	is_str(log_escape(out, sizeof(out), "\0\xff", 2), "\\000\\377",
	    "NUL and high bytes octal");
	is_str(log_escape(out, 5, "abcdefgh", 8), "abcd",
	    "cut at the destination size");
	is_str(log_escape(out, 4, "\x01\x02", 2), "",
	    "no partial escape at the end");
}

static void
test_hmap(void)
{
	struct hmap	 m;
	char		 k[32];
	int		 i, vals[1000], bad = 0;
	size_t		 pos = 0;
	void		*v;

	hmap_init(&m);
	for (i = 0; i < 1000; i++) {
		vals[i] = i;
		snprintf(k, sizeof(k), "key%d", i);
		hmap_put(&m, k, strlen(k), &vals[i]);
	}
	is_int(hmap_count(&m), 1000, "1000 keys");
	for (i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		if (hmap_get(&m, k, strlen(k)) != &vals[i])
			bad++;
	}
	is_int(bad, 0, "every key finds its value");
	for (i = 0; i < 1000; i += 2) {
		snprintf(k, sizeof(k), "key%d", i);
		(void)hmap_del(&m, k, strlen(k));
	}
	is_int(hmap_count(&m), 500, "half deleted");
	ok(hmap_get(&m, "key2", 4) == NULL && hmap_get(&m, "key3", 4) ==
	    &vals[3], "deleted gone, others stay");
	hmap_put(&m, "a\0b", 3, &vals[0]);
	ok(hmap_get(&m, "a\0c", 3) == NULL && hmap_get(&m, "a\0b", 3) ==
	    &vals[0], "keys with NUL bytes");
	i = 0;
	while (hmap_next(&m, &pos, &v))
		i++;
	is_int(i, 501, "iteration sees every live value");
	hmap_free(&m);

	/*
	 * Churn: a million keys pass through, at most 100 at once (open
	 * sessions).  The table stays the size those 100 need: 256 slots
	 * (100 live is over 70% of 128), not one doubled at every 70%
	 * of tombstones.
	 */
	hmap_init(&m);
	for (i = 0; i < 1000000; i++) {
		snprintf(k, sizeof(k), "s%d", i);
		hmap_put(&m, k, strlen(k), &vals[i % 1000]);
		if (i >= 99) {
			snprintf(k, sizeof(k), "s%d", i - 99);
			if (hmap_del(&m, k, strlen(k)) != &vals[(i - 99) % 1000])
				bad++;
		}
	}
	ok(bad == 0 && hmap_count(&m) == 99 && m.cap <= 256,
	    "a million keys through, 99 live: %zu slots", m.cap);
	snprintf(k, sizeof(k), "s%d", 999999);
	ok(hmap_get(&m, k, strlen(k)) == &vals[999], "the last key is found");
	hmap_free(&m);
}

int
main(void)
{
	test_buf();
	test_escape();
	test_hmap();
	return (done_testing());
}
