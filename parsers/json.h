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
 * A small, bounded reader of one flat JSON object (RFC 8259), as
 * journalctl -o json writes one per line: keys and string values are
 * decoded into the object's own room; an array of byte values (how
 * journald writes a value that is not UTF-8) is decoded to those bytes.
 * Nested values are checked and skipped.
 */

#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_INPUT_MAX		(64 * 1024)
#define JSON_DEPTH_MAX		16
#define JSON_FIELDS_MAX		256

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,		/* value: the number as written */
	JSON_STRING,		/* value: decoded UTF-8 */
	JSON_BYTES,		/* value: the bytes of [104,105] */
	JSON_OTHER		/* an object, or another array: skipped */
};

struct json_field {
	struct span	 key;
	enum json_type	 type;
	struct span	 value;
};

struct json_obj {
	size_t		 n;
	struct json_field f[JSON_FIELDS_MAX];
	uint64_t	 replaced;	/* lone surrogates made U+FFFD */
	char		*room;
	size_t		 cap;
	size_t		 len;
};

void		 json_obj_init(struct json_obj *);
void		 json_obj_free(struct json_obj *);
int		 json_obj_parse(struct json_obj *, struct span);
const struct json_field *json_obj_get(const struct json_obj *, const char *);

#endif /* JSON_H */
