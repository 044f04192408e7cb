/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Escaping writers for terminal text and JSON; see output.h. */

#include "config.h"

#include "output.h"

#include <stdint.h>
#include <string.h>


/*
 * out_text_n - n bytes of untrusted text for a terminal: printable ASCII
 * as it is, backslash doubled, everything else (control bytes, DEL,
 * bytes above 0x7f) as C escapes.  Quotes stay quotes: they are common in
 * addresses and harmless on a terminal.
 */
void
out_text_n(FILE *fp, const char *s, size_t n)
{
	static const char	 oct[] = "01234567";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		unsigned char	c = p[i];

		if (c == '\\')
			fputs("\\\\", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, fp);
		else {
			fputc('\\', fp);
			fputc(oct[(c >> 6) & 7], fp);
			fputc(oct[(c >> 3) & 7], fp);
			fputc(oct[c & 7], fp);
		}
	}
}

void
out_text(FILE *fp, const char *s)
{
	if (s != NULL)
		out_text_n(fp, s, strlen(s));
}

/* out_text_max - like out_text(), cut after max bytes with "...". */
void
out_text_max(FILE *fp, const char *s, size_t max)
{
	size_t	n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n <= max)
		out_text_n(fp, s, n);
	else {
		out_text_n(fp, s, max);
		fputs("...", fp);
	}
}

/* utf8_len - length of a valid UTF-8 sequence at p, 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		len, i;

	if (p[0] < 0x80)
		return (1);
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (len);
}

/* out_json_str_n - n bytes as a JSON string literal, quotes included. */
void
out_json_str_n(FILE *fp, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, l;

	fputc('"', fp);
	while (p != NULL && i < n) {
		unsigned char	c = p[i];

		switch (c) {
		case '"':	fputs("\\\"", fp); i++; continue;
		case '\\':	fputs("\\\\", fp); i++; continue;
		case '\n':	fputs("\\n", fp); i++; continue;
		case '\r':	fputs("\\r", fp); i++; continue;
		case '\t':	fputs("\\t", fp); i++; continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			/* '<' too, so the text can sit inside HTML. */
			if (c == '<')
				fputs("\\u003c", fp);
			else
				fputc(c, fp);
			i++;
		} else if ((l = utf8_len(p + i, n - i)) == 0) {
			fputs("\\ufffd", fp);
			i++;
		} else {
			fwrite(p + i, 1, l, fp);
			i += l;
		}
	}
	fputc('"', fp);
}

void
out_json_str(FILE *fp, const char *s)
{
	if (s == NULL)
		fputs("null", fp);
	else
		out_json_str_n(fp, s, strlen(s));
}
