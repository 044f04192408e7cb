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
 * Writing untrusted text out.  Everything that came from a log line or a
 * packet goes through one of these: out_text() for a terminal (control
 * bytes, backslash and non-ASCII become C escapes, so nothing can move the
 * cursor or forge a line), out_json_str() for JSON (a quoted string,
 * always valid UTF-8: bytes that are not become U+FFFD).
 */

#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdio.h>

void	 out_text(FILE *, const char *);
void	 out_text_n(FILE *, const char *, size_t);
void	 out_text_max(FILE *, const char *, size_t);
void	 out_json_str(FILE *, const char *);
void	 out_json_str_n(FILE *, const char *, size_t);

#endif /* OUTPUT_H */
