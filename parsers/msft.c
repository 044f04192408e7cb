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
 * Helpers for Microsoft's log formats.  Exchange 2007 and later write
 * W3C-style headers ("#Software:", "#Version:", "#Log-type:", "#Date:",
 * "#Fields:") over comma-separated rows in which a field holding a comma
 * or a quote is quoted and its quotes doubled; IIS and Exchange 2000/2003
 * write the same header over space or tab separated rows.  The column
 * order is whatever the "#Fields:" line says.
 *
 * Input is hostile: a row with broken quoting, more columns than the
 * table holds, or a time that is not a time is refused (-1), never
 * guessed at.  Times are UTC as these logs write them; the civil-date
 * arithmetic is syslog.c's.
 */

#include "config.h"

#include "msft.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "syslog.h"
#include "xmalloc.h"

struct msft_slot {
	uint64_t	 key;
	void		*val;		/* NULL: free */
};

struct msft_tab {
	struct msft_slot	*slot;
	size_t			 cap;	/* a power of two */
	size_t			 cap_max; /* what it may grow to */
	size_t			 n;
};

/* msft_fields_set - fill f from a NULL-terminated list of names. */
void
msft_fields_set(struct msft_fields *f, const char *const *names)
{
	size_t	i;

	memset(f, 0, sizeof(*f));
	for (i = 0; names[i] != NULL && i < MSFT_FIELDS_MAX; i++)
		(void)strlcpy(f->name[i], names[i], sizeof(f->name[i]));
	f->n = i;
}

/*
 * msft_fields_parse - the column names of a "#Fields:" list (the text
 * after the colon), separated by sep (',' for Exchange; ' ' means any run
 * of spaces and tabs, as IIS and Exchange 2003 write).  Names are stored
 * lower-cased.  Returns 0, or -1 (f cleared) for an empty list, an empty
 * or overlong name, or more than MSFT_FIELDS_MAX columns.
 */
int
msft_fields_parse(struct msft_fields *f, struct span list, char sep)
{
	const char	*p = list.p, *end = list.p + list.n, *q;
	size_t		 i, len;

	memset(f, 0, sizeof(*f));
	list = span_trim(list);
	p = list.p;
	end = list.p + list.n;
	if (list.n == 0)
		return (-1);
	while (p < end) {
		if (sep == ' ') {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end)
				break;
			for (q = p; q < end && *q != ' ' && *q != '\t'; q++)
				;
		} else
			for (q = p; q < end && *q != sep; q++)
				;
		len = (size_t)(q - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len == 0 || len >= MSFT_NAME_MAX || f->n == MSFT_FIELDS_MAX)
			goto bad;
		for (i = 0; i < len; i++)
			f->name[f->n][i] = ASCII_TOLOWER(p[i]);
		f->name[f->n][len] = '\0';
		f->n++;
		p = q < end ? q + 1 : q;
	}
	if (f->n == 0)
		goto bad;
	return (0);
bad:
	memset(f, 0, sizeof(*f));
	return (-1);
}

/* msft_fields_index - the column of name (lower case), or -1. */
int
msft_fields_index(const struct msft_fields *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return ((int)i);
	return (-1);
}

/* msft_row_init - a row whose unquoting room fits lines of max bytes. */
void
msft_row_init(struct msft_row *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->cap = max + 1;
	r->scratch = xmalloc(r->cap);
}

/* msft_row_free - release the row's room. */
void
msft_row_free(struct msft_row *r)
{
	free(r->scratch);
	memset(r, 0, sizeof(*r));
}

/* msft_row_get - field i, or an empty span when the row is shorter. */
struct span
msft_row_get(const struct msft_row *r, int i)
{
	if (i < 0 || (size_t)i >= r->n)
		return (SPAN_NULL);
	return (r->f[i]);
}

/*
 * msft_csv_split - split line at commas into r.  A field that starts
 * with a quote runs to the matching quote ("" inside is one quote) and
 * must be followed by a comma or the end; such a field with doubled
 * quotes is unquoted into r's room.  Returns 0, or -1 for an unclosed
 * quote, bytes after a closing quote, or too many fields.
 */
int
msft_csv_split(struct msft_row *r, struct span line)
{
	const char	*p = line.p, *end = line.p + line.n, *q;
	size_t		 used = 0, n;
	bool		 doubled;

	r->n = 0;
	if (line.p == NULL)
		return (-1);
	for (;;) {
		if (r->n == MSFT_FIELDS_MAX)
			return (-1);
		if (p < end && *p == '"') {
			doubled = false;
			for (q = ++p; q < end; q++) {
				if (*q != '"')
					continue;
				if (q + 1 < end && q[1] == '"') {
					doubled = true;
					q++;
					continue;
				}
				break;
			}
			if (q == end)
				return (-1);
			if (!doubled)
				r->f[r->n] = (struct span){ p,
				    (size_t)(q - p) };
			else {
				n = 0;
				for (; p < q; p++) {
					if (used + n >= r->cap)
						return (-1);
					r->scratch[used + n++] = *p;
					if (*p == '"')
						p++;
				}
				r->f[r->n] = (struct span){
				    r->scratch + used, n };
				used += n;
			}
			r->n++;
			p = q + 1;
			if (p == end)
				return (0);
			if (*p != ',')
				return (-1);
			p++;
			continue;
		}
		for (q = p; q < end && *q != ','; q++)
			if (*q == '"')
				return (-1);
		r->f[r->n++] = (struct span){ p, (size_t)(q - p) };
		if (q == end)
			return (0);
		p = q + 1;
	}
}

/*
 * msft_sep_split - split line at every sep (' ' or '\t'); no quoting.  A
 * space at the very end adds no empty field (W3C writes '-' for empty);
 * a tab does.  Returns 0, or -1 for too many fields.
 */
int
msft_sep_split(struct msft_row *r, struct span line, char sep)
{
	const char	*p = line.p, *end = line.p + line.n, *q;

	r->n = 0;
	if (line.p == NULL)
		return (-1);
	while (p <= end) {
		for (q = p; q < end && *q != sep; q++)
			;
		if (q == end && q == p && r->n > 0 && sep == ' ')
			break;
		if (r->n == MSFT_FIELDS_MAX)
			return (-1);
		r->f[r->n++] = (struct span){ p, (size_t)(q - p) };
		if (q == end)
			break;
		p = q + 1;
	}
	return (0);
}

/* num - up to max digits at *pp as a number, *pp moved on; -1 if none. */
static int
num(const char **pp, const char *end, int max)
{
	const char	*p = *pp;
	int		 v = 0, n = 0;

	while (p < end && ASCII_ISDIGIT(*p) && n < max) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || (p < end && ASCII_ISDIGIT(*p)))
		return (-1);
	*pp = p;
	return (v);
}

/* frac - ".ddd" at *pp as microseconds, *pp moved past it. */
static int32_t
frac(const char **pp, const char *end)
{
	const char	*p = *pp;
	int32_t		 us = 0;
	int		 nd = 0;

	if (p >= end || *p != '.')
		return (0);
	for (p++; p < end && ASCII_ISDIGIT(*p); p++, nd++)
		if (nd < 6)
			us = us * 10 + (*p - '0');
	for (; nd < 6; nd++)
		us *= 10;
	*pp = p;
	return (us);
}

/* civil_ok - a plausible date and time of day. */
static bool
civil_ok(int y, int mo, int d, int h, int mi, int s)
{
	static const int	mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 60)
		return (false);
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return (false);
	return (true);
}

/* to_epoch - UTC seconds of a checked civil time. */
static int64_t
to_epoch(int y, int mo, int d, int h, int mi, int s)
{
	return (syslog_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + s);
}

/*
 * msft_iso_time - "YYYY-MM-DDTHH:MM:SS[.fff][Z]", the whole span, as UTC
 * seconds and microseconds (Exchange writes UTC, with or without the Z).
 * Returns 0 or -1.
 */
int
msft_iso_time(struct span s, int64_t *t, int32_t *us)
{
	const char	*p = s.p, *end = s.p + s.n;
	int		 y, mo, d, h, mi, se;

	if (s.n < 19 || s.p[4] != '-' || s.p[7] != '-' ||
	    (s.p[10] != 'T' && s.p[10] != 't' && s.p[10] != ' ') ||
	    s.p[13] != ':' || s.p[16] != ':')
		return (-1);
	y = num(&p, end, 4);
	p = s.p + 5;
	mo = num(&p, end, 2);
	p = s.p + 8;
	d = num(&p, end, 2);
	p = s.p + 11;
	h = num(&p, end, 2);
	p = s.p + 14;
	mi = num(&p, end, 2);
	p = s.p + 17;
	se = num(&p, end, 2);
	if (p != s.p + 19 || !civil_ok(y, mo, d, h, mi, se))
		return (-1);
	*us = frac(&p, end);
	if (p < end && (*p == 'Z' || *p == 'z'))
		p++;
	if (p != end)
		return (-1);
	*t = to_epoch(y, mo, d, h, mi, se);
	return (0);
}

/*
 * msft_ymd_hms - a date "YYYY-M[M]-D[D]" and a time "H[H]:M[M]:S[S]" with
 * an optional fraction and " GMT" (IIS W3C logs and Exchange 2000/2003
 * tracking logs, both UTC) as UTC seconds.  Returns 0 or -1.
 */
int
msft_ymd_hms(struct span date, struct span tod, int64_t *t, int32_t *us)
{
	const char	*p = date.p, *end = date.p + date.n;
	int		 y, mo, d, h, mi, s;

	if (date.p == NULL || tod.p == NULL)
		return (-1);
	if ((y = num(&p, end, 4)) < 0 || p == end || *p++ != '-' ||
	    (mo = num(&p, end, 2)) < 0 || p == end || *p++ != '-' ||
	    (d = num(&p, end, 2)) < 0 || p != end)
		return (-1);
	p = tod.p;
	end = tod.p + tod.n;
	if ((h = num(&p, end, 2)) < 0 || p == end || *p++ != ':' ||
	    (mi = num(&p, end, 2)) < 0 || p == end || *p++ != ':' ||
	    (s = num(&p, end, 2)) < 0)
		return (-1);
	*us = frac(&p, end);
	if (end - p == 4 && memcmp(p, " GMT", 4) == 0)
		p += 4;
	if (p != end || !civil_ok(y, mo, d, h, mi, s))
		return (-1);
	*t = to_epoch(y, mo, d, h, mi, s);
	return (0);
}

/*
 * msft_reply_parse - split an SMTP reply line: three digits, then a space
 * (the last line), a dash (more follow) or the end; an enhanced status
 * code "c.s.d" if one follows; the rest is the text.  A line that does
 * not start with a reply code gives code 0 and the whole line as text.
 */
void
msft_reply_parse(struct span s, struct msft_reply *r)
{
	const char	*p = s.p, *end, *q;
	int		 dots = 0;

	memset(r, 0, sizeof(*r));
	r->text = s;
	if (s.p == NULL)
		return;
	end = s.p + s.n;
	if (s.n < 3 || !ASCII_ISDIGIT(p[0]) || !ASCII_ISDIGIT(p[1]) ||
	    !ASCII_ISDIGIT(p[2]) || p[0] < '1' || p[0] > '5' ||
	    (s.n > 3 && p[3] != ' ' && p[3] != '-'))
		return;
	r->code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	r->last = s.n == 3 || p[3] == ' ';
	p += s.n > 3 ? 4 : 3;
	if (p < end && ASCII_ISDIGIT(*p) && (*p == '2' || *p == '4' ||
	    *p == '5')) {
		for (q = p; q < end && (ASCII_ISDIGIT(*q) || *q == '.'); q++)
			if (*q == '.')
				dots++;
		if (dots == 2 && q[-1] != '.' && q - p <= 11) {
			r->dsn = (struct span){ p, (size_t)(q - p) };
			p = q;
			while (p < end && *p == ' ')
				p++;
		}
	}
	r->text = (struct span){ p, (size_t)(end - p) };
}

/*
 * msft_path - the address of "FROM:<a@b> SIZE=1" (kw "FROM:", matched
 * without regard to case, the command word already skipped) without its
 * angle brackets; empty for "<>".  Spaces, and the '+' that IIS writes
 * for a space, may come before the '<'.  An address without brackets
 * runs to the next space.  Returns a span with p NULL when kw does not
 * start s.
 */
struct span
msft_path(struct span s, const char *kw)
{
	const char	*p, *end, *q;
	size_t		 n = strlen(kw);

	if (s.p == NULL)
		return (SPAN_NULL);
	end = s.p + s.n;
	while (s.n > 0 && (*s.p == ' ' || *s.p == '+')) {
		s.p++;
		s.n--;
	}
	if (!span_casestartswith(s, kw))
		return (SPAN_NULL);
	p = s.p + n;
	end = s.p + s.n;
	for (q = p; q < end && (*q == ' ' || *q == '+'); q++)
		;
	if (q < end && *q == '<') {
		p = q + 1;
		for (q = p; q < end && *q != '>'; q++)
			;
		return ((struct span){ p, (size_t)(q - p) });
	}
	while (p < end && *p == ' ')
		p++;
	for (q = p; q < end && *q != ' '; q++)
		;
	return ((struct span){ p, (size_t)(q - p) });
}

/* msft_is_ip - does s look like an IPv4 or IPv6 address? */
bool
msft_is_ip(struct span s)
{
	size_t	i, dots = 0, colons = 0;

	if (s.n < 2 || s.n > 45)
		return (false);
	for (i = 0; i < s.n; i++) {
		if (s.p[i] == '.')
			dots++;
		else if (s.p[i] == ':')
			colons++;
		else if (!ASCII_ISDIGIT(s.p[i]) && !(colons > 0 &&
		    ((s.p[i] | 0x20) >= 'a' && (s.p[i] | 0x20) <= 'f')) &&
		    !(colons == 0 && i == 0 && ((s.p[i] | 0x20) >= 'a' &&
		    (s.p[i] | 0x20) <= 'f')))
			return (false);
	}
	if (colons == 0)
		return (dots == 3 && ASCII_ISDIGIT(s.p[0]) &&
		    ASCII_ISDIGIT(s.p[s.n - 1]));
	return (colons >= 2);
}

/*
 * msft_endpoint - "192.0.2.1:25" or "[2001:db8::1]:25" into its address
 * and port.  Returns false (ip empty, port 0) when s is not one.
 */
bool
msft_endpoint(struct span s, struct span *ip, uint16_t *port)
{
	const char	*c = NULL;
	size_t		 i;
	int64_t		 v;

	*ip = SPAN_NULL;
	*port = 0;
	if (s.n == 0)
		return (false);
	if (s.p[0] == '[') {
		for (i = 1; i < s.n && s.p[i] != ']'; i++)
			;
		if (i == s.n || i + 1 >= s.n || s.p[i + 1] != ':')
			return (false);
		*ip = (struct span){ s.p + 1, i - 1 };
		c = s.p + i + 1;
	} else {
		for (i = s.n; i > 0; i--)
			if (s.p[i - 1] == ':') {
				c = s.p + i - 1;
				break;
			}
		if (c == NULL)
			return (false);
		*ip = (struct span){ s.p, (size_t)(c - s.p) };
	}
	if (span_to_i64((struct span){ c + 1, (size_t)(s.p + s.n - c - 1) },
	    &v) == -1 || v < 0 || v > 65535 || !msft_is_ip(*ip)) {
		*ip = SPAN_NULL;
		return (false);
	}
	*port = (uint16_t)v;
	return (true);
}

/* msft_bom - s without a leading UTF-8 byte order mark. */
struct span
msft_bom(struct span s)
{
	if (s.n >= 3 && (unsigned char)s.p[0] == 0xef &&
	    (unsigned char)s.p[1] == 0xbb && (unsigned char)s.p[2] == 0xbf) {
		s.p += 3;
		s.n -= 3;
	}
	return (s);
}

/* msft_hash - FNV-1a over s, continuing from h (0 to start afresh). */
uint64_t
msft_hash(uint64_t h, struct span s)
{
	size_t	i;

	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (i = 0; i < s.n; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/*
 * msft_hex64 - exactly 16 hex digits (an Exchange session id) as a
 * number.  Returns 0, or -1 for anything else.
 */
int
msft_hex64(struct span s, uint64_t *v)
{
	uint64_t	f = 0;
	size_t		i;
	char		c;

	if (s.n != 16)
		return (-1);
	for (i = 0; i < 16; i++) {
		c = ASCII_TOLOWER(s.p[i]);
		if (ASCII_ISDIGIT(c))
			f = f << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			f = f << 4 | (uint64_t)(c - 'a' + 10);
		else
			return (-1);
	}
	*v = f;
	return (0);
}

/* --- a table of open sessions --------------------------------------- */

/* tab_home - the slot a key starts probing at. */
static size_t
tab_home(const struct msft_tab *t, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return ((size_t)key & (t->cap - 1));
}

/*
 * msft_tab_new - a table that holds up to max entries.  It starts small
 * and doubles as it fills: most of the tables a run makes stay empty
 * (an Exchange parser's, reading a Postfix log).
 */
struct msft_tab *
msft_tab_new(size_t max)
{
	struct msft_tab	*t;
	size_t		 cap = 16;

	while (cap < max + max / 2 + 1)
		cap *= 2;
	t = xcalloc(1, sizeof(*t));
	t->cap_max = cap;
	t->cap = 16;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	return (t);
}

/* tab_grow - twice the slots, every entry placed again. */
static void
tab_grow(struct msft_tab *t)
{
	struct msft_slot	*old = t->slot;
	size_t			 ocap = t->cap, i, j;

	t->cap = ocap * 2;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < ocap; i++) {
		if (old[i].val == NULL)
			continue;
		for (j = tab_home(t, old[i].key); t->slot[j].val != NULL;
		    j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

/* msft_tab_clear - drop every entry, calling fn on each value. */
void
msft_tab_clear(struct msft_tab *t, void (*fn)(void *))
{
	size_t	i;

	if (t->n == 0)
		return;
	for (i = 0; i < t->cap; i++) {
		if (t->slot[i].val != NULL && fn != NULL)
			fn(t->slot[i].val);
		t->slot[i].val = NULL;
	}
	t->n = 0;
}

/* msft_tab_free - release t, calling fn on each value; NULL is fine. */
void
msft_tab_free(struct msft_tab *t, void (*fn)(void *))
{
	if (t == NULL)
		return;
	msft_tab_clear(t, fn);
	free(t->slot);
	free(t);
}

/* msft_tab_get - the value stored under key, or NULL. */
void *
msft_tab_get(const struct msft_tab *t, uint64_t key)
{
	size_t	i;

	for (i = tab_home(t, key); t->slot[i].val != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i].key == key)
			return (t->slot[i].val);
	return (NULL);
}

/*
 * msft_tab_put - store val (not NULL) under key, replacing what was
 * there.  Returns -1 when the table is full (two thirds of the slots it
 * may grow to).
 */
int
msft_tab_put(struct msft_tab *t, uint64_t key, void *val)
{
	size_t	i;

	for (i = tab_home(t, key); t->slot[i].val != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i].key == key) {
			t->slot[i].val = val;
			return (0);
		}
	if ((t->n + 1) * 3 > t->cap * 2) {
		if (t->cap >= t->cap_max)
			return (-1);
		tab_grow(t);
		for (i = tab_home(t, key); t->slot[i].val != NULL;
		    i = (i + 1) & (t->cap - 1))
			;
	}
	t->slot[i].key = key;
	t->slot[i].val = val;
	t->n++;
	return (0);
}

/* msft_tab_del - remove key; returns its value, or NULL. */
void *
msft_tab_del(struct msft_tab *t, uint64_t key)
{
	size_t	 i, j, h;
	void	*v;

	for (i = tab_home(t, key); t->slot[i].val != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i].key == key)
			break;
	if ((v = t->slot[i].val) == NULL)
		return (NULL);
	/* Backward shift: close the gap so probes stay unbroken. */
	j = i;
	for (;;) {
		t->slot[i].val = NULL;
		for (;;) {
			j = (j + 1) & (t->cap - 1);
			if (t->slot[j].val == NULL) {
				t->n--;
				return (v);
			}
			h = tab_home(t, t->slot[j].key);
			if (i <= j ? (h <= i || h > j) : (h <= i && h > j))
				break;
		}
		t->slot[i] = t->slot[j];
		i = j;
	}
}

/* msft_tab_count - how many entries t holds. */
size_t
msft_tab_count(const struct msft_tab *t)
{
	return (t->n);
}
