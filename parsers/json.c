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
 * One JSON object per call, strictly by RFC 8259: the text must be valid
 * UTF-8, strings may not hold raw control characters, numbers follow the
 * grammar, nothing but white space may follow the object.  A \uXXXX
 * escape is decoded, a surrogate pair to its one code point; a lone
 * surrogate becomes U+FFFD and is counted (json_obj.replaced), since
 * journald never writes one and a stranger might.
 *
 * Limits, each refusing the whole object (-1): JSON_INPUT_MAX bytes,
 * JSON_DEPTH_MAX levels of nesting, JSON_FIELDS_MAX members.  Decoded
 * text never outgrows the input, so the room is allocated once.
 *
 * Top-level values: strings, numbers, true/false/null; an array of
 * integers 0-255 is JSON_BYTES (journald's form for a value that is not
 * UTF-8); an array whose first element is a string or such an array is
 * that first element (journald's form for a field with several values);
 * other arrays and objects are JSON_OTHER.
 */

#include "config.h"

#include "json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct json_cur {
	const char	*p;
	const char	*end;
	struct json_obj	*o;
};

/* json_obj_init - an object reader with room for JSON_INPUT_MAX bytes. */
void
json_obj_init(struct json_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->cap = JSON_INPUT_MAX + 1;
	o->room = xmalloc(o->cap);
}

/* json_obj_free - release the reader's room. */
void
json_obj_free(struct json_obj *o)
{
	free(o->room);
	memset(o, 0, sizeof(*o));
}

/* json_obj_get - the first member called key, or NULL. */
const struct json_field *
json_obj_get(const struct json_obj *o, const char *key)
{
	size_t	i;

	for (i = 0; i < o->n; i++)
		if (span_eq_cstr(o->f[i].key, key))
			return (&o->f[i]);
	return (NULL);
}

/* ws - skip white space. */
static void
ws(struct json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* put - one byte into the room. */
static int
put(struct json_cur *c, unsigned char b)
{
	if (c->o->len >= c->o->cap)
		return (-1);
	c->o->room[c->o->len++] = (char)b;
	return (0);
}

/* put_cp - a code point as UTF-8. */
static int
put_cp(struct json_cur *c, uint32_t cp)
{
	if (cp < 0x80)
		return (put(c, (unsigned char)cp));
	if (cp < 0x800)
		return (put(c, 0xc0 | (cp >> 6)) == -1 ? -1 :
		    put(c, 0x80 | (cp & 0x3f)));
	if (cp < 0x10000) {
		if (put(c, 0xe0 | (cp >> 12)) == -1 ||
		    put(c, 0x80 | ((cp >> 6) & 0x3f)) == -1)
			return (-1);
		return (put(c, 0x80 | (cp & 0x3f)));
	}
	if (put(c, 0xf0 | (cp >> 18)) == -1 ||
	    put(c, 0x80 | ((cp >> 12) & 0x3f)) == -1 ||
	    put(c, 0x80 | ((cp >> 6) & 0x3f)) == -1)
		return (-1);
	return (put(c, 0x80 | (cp & 0x3f)));
}

/* utf8_len - the length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	uint32_t	cp;
	size_t		n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if ((size_t)(end - p) < n)
		return (0);
	cp = p[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (n);
}

/* hex4 - four hex digits at p as a number, or -1. */
static int32_t
hex4(const char *p, const char *end)
{
	int32_t	v = 0;
	int	i;
	char	ch;

	if (end - p < 4)
		return (-1);
	for (i = 0; i < 4; i++) {
		ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= ch - '0';
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			v |= (ch | 0x20) - 'a' + 10;
		else
			return (-1);
	}
	return (v);
}

/*
 * string - a string at c->p, decoded into the room when out is not NULL
 * (else only checked).  Returns 0 or -1.
 */
static int
string(struct json_cur *c, struct span *out)
{
	const char	*start;
	size_t		 n;
	int32_t		 u, lo;
	size_t		 at = c->o->len;

	if (c->p >= c->end || *c->p != '"')
		return (-1);
	c->p++;
	for (;;) {
		if (c->p >= c->end)
			return (-1);
		if (*c->p == '"') {
			c->p++;
			break;
		}
		if ((unsigned char)*c->p < 0x20)
			return (-1);
		if (*c->p != '\\') {
			start = c->p;
			n = utf8_len((const unsigned char *)c->p,
			    (const unsigned char *)c->end);
			if (n == 0)
				return (-1);
			c->p += n;
			if (out != NULL)
				for (; start < c->p; start++)
					if (put(c, (unsigned char)*start) == -1)
						return (-1);
			continue;
		}
		if (++c->p >= c->end)
			return (-1);
		switch (*c->p++) {
		case '"':	u = '"'; break;
		case '\\':	u = '\\'; break;
		case '/':	u = '/'; break;
		case 'b':	u = '\b'; break;
		case 'f':	u = '\f'; break;
		case 'n':	u = '\n'; break;
		case 'r':	u = '\r'; break;
		case 't':	u = '\t'; break;
		case 'u':
			if ((u = hex4(c->p, c->end)) < 0)
				return (-1);
			c->p += 4;
			if (u >= 0xd800 && u <= 0xdbff && c->end - c->p >= 6 &&
			    c->p[0] == '\\' && c->p[1] == 'u' &&
			    (lo = hex4(c->p + 2, c->end)) >= 0xdc00 &&
			    lo <= 0xdfff) {
				c->p += 6;
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (u >= 0xd800 && u <= 0xdfff) {
				u = 0xfffd;
				c->o->replaced++;
			}
			break;
		default:
			return (-1);
		}
		if (out != NULL && put_cp(c, (uint32_t)u) == -1)
			return (-1);
	}
	if (out != NULL)
		*out = (struct span){ c->o->room + at, c->o->len - at };
	return (0);
}

/* number - a number by the grammar; its text in *out. */
static int
number(struct json_cur *c, struct span *out)
{
	const char	*s = c->p;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p >= c->end || !ASCII_ISDIGIT(*c->p))
		return (-1);
	if (*c->p == '0')
		c->p++;
	else
		while (c->p < c->end && ASCII_ISDIGIT(*c->p))
			c->p++;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p >= c->end || !ASCII_ISDIGIT(*c->p))
			return (-1);
		while (c->p < c->end && ASCII_ISDIGIT(*c->p))
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || !ASCII_ISDIGIT(*c->p))
			return (-1);
		while (c->p < c->end && ASCII_ISDIGIT(*c->p))
			c->p++;
	}
	*out = (struct span){ s, (size_t)(c->p - s) };
	return (0);
}

/* literal - true, false or null. */
static int
literal(struct json_cur *c, enum json_type *t)
{
	size_t	left = (size_t)(c->end - c->p);

	if (left >= 4 && memcmp(c->p, "true", 4) == 0) {
		c->p += 4;
		*t = JSON_BOOL;
	} else if (left >= 5 && memcmp(c->p, "false", 5) == 0) {
		c->p += 5;
		*t = JSON_BOOL;
	} else if (left >= 4 && memcmp(c->p, "null", 4) == 0) {
		c->p += 4;
		*t = JSON_NULL;
	} else
		return (-1);
	return (0);
}

/* skip - check and skip any value, at most depth levels deep. */
static int
skip(struct json_cur *c, int depth)
{
	struct span	s;
	enum json_type	t;
	char		close;

	ws(c);
	if (c->p >= c->end)
		return (-1);
	if (*c->p == '"')
		return (string(c, NULL));
	if (*c->p != '[' && *c->p != '{')
		return (*c->p == '-' || ASCII_ISDIGIT(*c->p) ? number(c, &s) :
		    literal(c, &t));
	if (depth >= JSON_DEPTH_MAX)
		return (-1);
	close = *c->p == '[' ? ']' : '}';
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return (0);
	}
	for (;;) {
		if (close == '}') {
			ws(c);
			if (string(c, NULL) == -1)
				return (-1);
			ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return (-1);
		}
		if (skip(c, depth + 1) == -1)
			return (-1);
		ws(c);
		if (c->p >= c->end)
			return (-1);
		if (*c->p == close) {
			c->p++;
			return (0);
		}
		if (*c->p++ != ',')
			return (-1);
	}
}

/*
 * bytes - an array of integers 0-255 at c->p into the room; -1 (with
 * c->p where it was) when it is not one.
 */
static int
bytes(struct json_cur *c, struct span *out)
{
	const char	*save = c->p;
	size_t		 at = c->o->len;
	int		 v;

	c->p++;
	for (;;) {
		ws(c);
		if (c->p >= c->end || !ASCII_ISDIGIT(*c->p))
			goto no;
		for (v = 0; c->p < c->end && ASCII_ISDIGIT(*c->p); c->p++)
			if ((v = v * 10 + (*c->p - '0')) > 255)
				goto no;
		if (put(c, (unsigned char)v) == -1)
			goto no;
		ws(c);
		if (c->p < c->end && *c->p == ']') {
			c->p++;
			*out = (struct span){ c->o->room + at, c->o->len - at };
			return (0);
		}
		if (c->p >= c->end || *c->p++ != ',')
			goto no;
	}
no:
	c->p = save;
	c->o->len = at;
	return (-1);
}

/* array - a top-level array value, as the comment at the top says. */
static int
array(struct json_cur *c, struct json_field *f)
{
	const char	*save = c->p;

	if (bytes(c, &f->value) == 0) {
		f->type = JSON_BYTES;
		return (0);
	}
	c->p++;
	ws(c);
	f->type = JSON_OTHER;
	if (c->p < c->end && *c->p == '"') {
		if (string(c, &f->value) == -1)
			return (-1);
		f->type = JSON_STRING;
	} else if (c->p < c->end && *c->p == '[' &&
	    bytes(c, &f->value) == 0)
		f->type = JSON_BYTES;
	else {
		c->p = save;
		return (skip(c, 0));
	}
	/* The rest of the elements are checked, not kept. */
	for (;;) {
		ws(c);
		if (c->p >= c->end)
			return (-1);
		if (*c->p == ']') {
			c->p++;
			return (0);
		}
		if (*c->p++ != ',' || skip(c, 1) == -1)
			return (-1);
	}
}

/*
 * json_obj_parse - read the object in s into o (replacing what it held).
 * Returns 0, or -1 when s is not exactly one valid JSON object within
 * the limits.  Spans in o point into o's room, valid until the next call.
 */
int
json_obj_parse(struct json_obj *o, struct span s)
{
	struct json_cur		 c = { s.p, s.p + s.n, o };
	struct json_field	*f;

	o->n = 0;
	o->len = 0;
	o->replaced = 0;
	if (s.p == NULL || s.n > JSON_INPUT_MAX)
		return (-1);
	ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return (-1);
	ws(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
		goto end;
	}
	for (;;) {
		if (o->n == JSON_FIELDS_MAX)
			return (-1);
		f = &o->f[o->n];
		memset(f, 0, sizeof(*f));
		ws(&c);
		if (string(&c, &f->key) == -1)
			return (-1);
		ws(&c);
		if (c.p >= c.end || *c.p++ != ':')
			return (-1);
		ws(&c);
		if (c.p >= c.end)
			return (-1);
		if (*c.p == '"') {
			f->type = JSON_STRING;
			if (string(&c, &f->value) == -1)
				return (-1);
		} else if (*c.p == '[') {
			if (array(&c, f) == -1)
				return (-1);
		} else if (*c.p == '{') {
			f->type = JSON_OTHER;
			if (skip(&c, 0) == -1)
				return (-1);
		} else if (*c.p == '-' || ASCII_ISDIGIT(*c.p)) {
			f->type = JSON_NUMBER;
			if (number(&c, &f->value) == -1)
				return (-1);
		} else if (literal(&c, &f->type) == -1)
			return (-1);
		o->n++;
		ws(&c);
		if (c.p >= c.end)
			return (-1);
		if (*c.p == '}') {
			c.p++;
			break;
		}
		if (*c.p++ != ',')
			return (-1);
	}
end:
	ws(&c);
	if (c.p != c.end) {
		o->n = 0;
		return (-1);
	}
	return (0);
}
