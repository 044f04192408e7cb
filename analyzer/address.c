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
 * Mail address decoding (see address.h for the terms).  The input is
 * hostile and never written to: every step reads spans of it and copies
 * what it keeps into fixed fields or into two bounded work buffers on the
 * stack, so decoding costs no allocation and is safe to call per
 * recipient.  The parser is deliberately forgiving where MTAs are (mixed
 * quoting, odd dots in the local part, 8-bit bytes) and strict where a
 * relay check depends on it (domain syntax, brackets, quotes, control
 * bytes): anything it had to guess about is flagged ADDR_F_BAD, never
 * silently repaired.
 */

#include "config.h"

#include "address.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <string.h>

/* Work space for one decode: layers alternate between the two buffers. */
struct addr_work {
	char	 buf[2][ADDR_WORK_MAX + 1];
	int	 cur;
};

static const char *const addr_trick_names[] = {
	[ADDR_TRICK_NONE] = "none",
	[ADDR_TRICK_PERCENT] = "percent",
	[ADDR_TRICK_BANG] = "bang",
	[ADDR_TRICK_SOURCE_ROUTE] = "source-route",
	[ADDR_TRICK_QUOTED_AT] = "quoted-at",
	[ADDR_TRICK_DOUBLE_AT] = "double-at",
	[ADDR_TRICK_IMCEA] = "imcea",
};

/* addr_isctl - a byte that has no business in an address. */
static bool
addr_isctl(unsigned char c)
{
	return (c < 0x20 || c == 0x7f);
}

/* addr_isatext - RFC 5322 atext, plus 8-bit bytes (RFC 6531). */
static bool
addr_isatext(unsigned char c)
{
	if (ASCII_ISALPHA(c) || ASCII_ISDIGIT(c) || c >= 0x80)
		return (true);
	return (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* addr_hexval - value of one hex digit, or -1. */
static int
addr_hexval(unsigned char c)
{
	if (ASCII_ISDIGIT(c))
		return (c - '0');
	c = ASCII_TOLOWER(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* addr_rfind - last occurrence of c in s, or NULL. */
static const char *
addr_rfind(struct span s, char c)
{
	size_t	i;

	for (i = s.n; i > 0; i--)
		if (s.p[i - 1] == c)
			return (s.p + i - 1);
	return (NULL);
}

/* addr_unbracket - the path inside one pair of angle brackets. */
static struct span
addr_unbracket(struct span s, unsigned int *flags)
{
	struct span	 rest;
	size_t		 i;
	bool		 inq = false;

	if (s.n > 0 && s.p[0] == '<') {
		for (i = 1; i < s.n; i++) {
			if (inq && s.p[i] == '\\')
				i++;
			else if (s.p[i] == '"')
				inq = !inq;
			else if (!inq && s.p[i] == '>')
				break;
		}
		if (i >= s.n) {
			*flags |= ADDR_F_BAD;
			return ((struct span){ s.p + 1, s.n - 1 });
		}
		rest.p = s.p + i + 1;
		rest.n = s.n - i - 1;
		if (span_trim(rest).n != 0)
			*flags |= ADDR_F_BAD;
		return ((struct span){ s.p + 1, i - 1 });
	}
	if (s.n > 0 && s.p[s.n - 1] == '>') {
		*flags |= ADDR_F_BAD;
		s.n--;
	}
	return (s);
}

/* addr_literal - normalise a domain literal [1.2.3.4] or [IPv6:...]. */
static int
addr_literal(struct span d, char *dst, unsigned int *flags)
{
	char		 tmp[64];
	uint8_t		 bin[16];
	struct span	 in;
	size_t		 i, o;
	int		 af = AF_INET;

	*flags |= ADDR_F_IPLITERAL;
	in.p = d.p + 1;
	in.n = d.n - 1;
	if (in.n > 0 && in.p[in.n - 1] == ']')
		in.n--;
	else
		*flags |= ADDR_F_BAD;
	if (span_casestartswith(in, "IPv6:")) {
		af = AF_INET6;
		in.p += 5;
		in.n -= 5;
	}
	if (in.n < sizeof(tmp)) {
		memcpy(tmp, in.p, in.n);
		tmp[in.n] = '\0';
		if (strlen(tmp) == in.n && inet_pton(af, tmp, bin) == 1 &&
		    !(*flags & ADDR_F_BAD)) {
			o = 0;
			dst[o++] = '[';
			if (af == AF_INET6) {
				memcpy(dst + o, "IPv6:", 5);
				o += 5;
			}
			for (i = 0; i < in.n; i++)
				dst[o++] = ASCII_TOLOWER(tmp[i]);
			dst[o++] = ']';
			dst[o] = '\0';
			return (0);
		}
	}
	/* Not an address: keep it visible, flagged. */
	*flags |= ADDR_F_BAD;
	for (i = o = 0; i < d.n && o < ADDR_DOMAIN_MAX; i++)
		dst[o++] = addr_isctl(d.p[i]) ? '?' : ASCII_TOLOWER(d.p[i]);
	dst[o] = '\0';
	if (d.n > ADDR_DOMAIN_MAX)
		*flags |= ADDR_F_TRUNCATED | ADDR_F_LONG;
	return (-1);
}

/*
 * addr_domain - normalise a domain into dst (ADDR_DOMAIN_MAX + 1 bytes):
 * lower case, one trailing dot dropped.  -1 and ADDR_F_BAD when it is not
 * a host name or address literal; dst is filled all the same.
 */
static int
addr_domain(struct span d, char *dst, unsigned int *flags)
{
	size_t		 i, o = 0, label = 0;
	unsigned char	 c;
	bool		 bad = false;

	if (d.n > 1 && d.p[d.n - 1] == '.' && d.p[d.n - 2] != '.')
		d.n--;
	if (d.n == 0) {
		dst[0] = '\0';
		*flags |= ADDR_F_BAD;
		return (-1);
	}
	if (d.p[0] == '[')
		return (addr_literal(d, dst, flags));
	for (i = 0; i < d.n; i++) {
		c = d.p[i];
		if (c == '.') {
			if (label == 0)
				bad = true;
			label = 0;
		} else {
			if (++label == 64)
				*flags |= ADDR_F_LONG;
			if (c >= 0x80)
				*flags |= ADDR_F_8BIT;
			else if (!ASCII_ISALPHA(c) && !ASCII_ISDIGIT(c) &&
			    c != '-' && c != '_')
				bad = true;
		}
		if (o < ADDR_DOMAIN_MAX)
			dst[o++] = addr_isctl(c) ? '?' : ASCII_TOLOWER(c);
	}
	dst[o] = '\0';
	if (label == 0)
		bad = true;
	if (d.n > ADDR_DOMAIN_MAX)
		*flags |= ADDR_F_TRUNCATED | ADDR_F_LONG;
	if (bad) {
		*flags |= ADDR_F_BAD;
		return (-1);
	}
	return (0);
}

/*
 * addr_route - parse "@hop1,@hop2:mailbox".  Returns -1 when s is not a
 * source route at all (no ':' after the hops); otherwise 0, with the
 * first hop normalised into surface and the mailbox in *mbox.  Bad hops
 * are flagged, not fatal.
 */
static int
addr_route(struct span s, char *surface, unsigned int *flags,
    struct span *mbox)
{
	char		 scratch[ADDR_DOMAIN_MAX + 1];
	struct span	 hop;
	size_t		 i, start, colon;
	int		 depth = 0, nhop = 0;

	for (colon = 0; colon < s.n; colon++) {
		if (s.p[colon] == '[')
			depth++;
		else if (s.p[colon] == ']' && depth > 0)
			depth--;
		else if (s.p[colon] == ':' && depth == 0)
			break;
		else if (s.p[colon] == '"')
			return (-1);
	}
	if (colon == s.n)
		return (-1);
	for (start = i = 0; i <= colon; i++) {
		if (i < colon && s.p[i] != ',')
			continue;
		hop.p = s.p + start;
		hop.n = i - start;
		if (hop.n < 2 || hop.p[0] != '@') {
			*flags |= ADDR_F_BAD;
			if (nhop == 0)
				surface[0] = '\0';
		} else {
			hop.p++;
			hop.n--;
			(void)addr_domain(hop, nhop == 0 ? surface : scratch,
			    flags);
		}
		nhop++;
		start = i + 1;
	}
	mbox->p = s.p + colon + 1;
	mbox->n = s.n - colon - 1;
	return (0);
}

/*
 * addr_split - split at the last unquoted '@'.  *dom is SPAN_NULL and the
 * result false when there is none.
 */
static bool
addr_split(struct span s, struct span *local, struct span *dom)
{
	size_t	 i, at = s.n;
	bool	 inq = false;

	for (i = 0; i < s.n; i++) {
		if (inq && s.p[i] == '\\')
			i++;
		else if (s.p[i] == '"')
			inq = !inq;
		else if (!inq && s.p[i] == '@')
			at = i;
	}
	if (at == s.n) {
		*local = s;
		*dom = SPAN_NULL;
		return (false);
	}
	local->p = s.p;
	local->n = at;
	dom->p = s.p + at + 1;
	dom->n = s.n - at - 1;
	return (true);
}

/*
 * addr_dequote - the local part without quotes and escapes, into dst
 * (ADDR_WORK_MAX + 1 bytes).  *at_quoted tells whether the last '@' in it
 * came from inside quotes.  -1 when it does not fit.
 */
static int
addr_dequote(struct span l, char *dst, size_t *lenp, bool *at_quoted,
    unsigned int *flags)
{
	size_t		 i, o = 0;
	unsigned char	 c;
	bool		 inq = false;

	for (i = 0; i < l.n; i++) {
		c = l.p[i];
		if (c == '"') {
			inq = !inq;
			*flags |= ADDR_F_QUOTED;
			continue;
		}
		if (inq && c == '\\') {
			if (i + 1 == l.n) {
				*flags |= ADDR_F_BAD;
				break;
			}
			c = l.p[++i];
		} else if (!inq && !addr_isatext(c) && c != '.' && c != '@')
			*flags |= ADDR_F_BAD;
		if (addr_isctl(c)) {
			*flags |= ADDR_F_BAD;
			c = '?';
		} else if (c >= 0x80)
			*flags |= ADDR_F_8BIT;
		if (c == '@')
			*at_quoted = inq;
		if (o == ADDR_WORK_MAX) {
			dst[o] = '\0';
			*lenp = o;
			return (-1);
		}
		dst[o++] = c;
	}
	if (inq)
		*flags |= ADDR_F_BAD;
	dst[o] = '\0';
	*lenp = o;
	return (0);
}

/*
 * addr_imcea - unwrap IMCEASMTP-user+40domain: +XX is a hex-encoded byte.
 * Other IMCEA types (EX, X400, NOTES, ...) are not SMTP addresses: they
 * are flagged ADDR_F_ENCAPSULATED and left alone, as is anything that does
 * not decode to user@domain.
 */
static bool
addr_imcea(struct span l, struct addr_work *w, struct span *nl,
    struct span *nd, unsigned int *flags)
{
	struct span	 type, enc, dec;
	const char	*at;
	char		*dst;
	size_t		 i, o;
	int		 hi, lo;

	if (!span_casestartswith(l, "IMCEA"))
		return (false);
	for (i = 5; i < l.n && (ASCII_ISALPHA(l.p[i]) ||
	    ASCII_ISDIGIT(l.p[i])); i++)
		;
	if (i == 5 || i == l.n || l.p[i] != '-')
		return (false);
	type.p = l.p + 5;
	type.n = i - 5;
	if (!span_caseeq_cstr(type, "SMTP")) {
		*flags |= ADDR_F_ENCAPSULATED;
		return (false);
	}
	enc.p = l.p + i + 1;
	enc.n = l.n - i - 1;
	dst = w->buf[w->cur ^ 1];
	for (i = o = 0; i < enc.n; i++) {
		if (enc.p[i] != '+') {
			dst[o++] = enc.p[i];
			continue;
		}
		if (i + 2 >= enc.n)
			return (false);
		hi = addr_hexval(enc.p[i + 1]);
		lo = addr_hexval(enc.p[i + 2]);
		if (hi == -1 || lo == -1)
			return (false);
		dst[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	dec.p = dst;
	dec.n = o;
	if ((at = addr_rfind(dec, '@')) == NULL || at == dst ||
	    at == dst + o - 1)
		return (false);
	for (i = 0; i < o; i++) {
		if (addr_isctl(dst[i])) {
			*flags |= ADDR_F_BAD;
			dst[i] = '?';
		} else if ((unsigned char)dst[i] >= 0x80)
			*flags |= ADDR_F_8BIT;
	}
	dst[o] = '\0';
	w->cur ^= 1;
	nl->p = dst;
	nl->n = (size_t)(at - dst);
	nd->p = at + 1;
	nd->n = o - nl->n - 1;
	return (true);
}

/*
 * addr_unwrap - unwrap one routing layer of the decoded local part l.
 * Returns the trick and the next hop's local part and domain, or
 * ADDR_TRICK_NONE when l carries no usable routing operator.
 */
static enum addr_trick
addr_unwrap(struct span l, bool at_quoted, struct addr_work *w,
    struct span *nl, struct span *nd, unsigned int *flags)
{
	enum addr_trick	 t;
	const char	*p;

	if ((p = addr_rfind(l, '@')) != NULL) {
		t = at_quoted ? ADDR_TRICK_QUOTED_AT : ADDR_TRICK_DOUBLE_AT;
		nl->p = l.p;
		nl->n = (size_t)(p - l.p);
		nd->p = p + 1;
		nd->n = l.n - nl->n - 1;
	} else if (addr_imcea(l, w, nl, nd, flags))
		return (ADDR_TRICK_IMCEA);
	else if ((p = memchr(l.p, '!', l.n)) != NULL) {
		t = ADDR_TRICK_BANG;
		nd->p = l.p;
		nd->n = (size_t)(p - l.p);
		nl->p = p + 1;
		nl->n = l.n - nd->n - 1;
	} else if ((p = addr_rfind(l, '%')) != NULL) {
		t = ADDR_TRICK_PERCENT;
		nl->p = l.p;
		nl->n = (size_t)(p - l.p);
		nd->p = p + 1;
		nd->n = l.n - nl->n - 1;
	} else
		return (ADDR_TRICK_NONE);
	if (nl->n == 0 || nd->n == 0) {
		*flags |= ADDR_F_BAD;
		return (ADDR_TRICK_NONE);
	}
	return (t);
}

/* addr_next_local - may the layer under a hop to this domain be opened? */
static bool
addr_next_local(const struct address *a, bool (*is_local)(void *,
    const char *), void *arg)
{
	if (a->domain[0] == '\0')
		return (true);
	if (is_local != NULL)
		return (is_local(arg, a->domain));
	return (strcmp(a->domain, a->surface) == 0);
}

/* addr_set_local - copy the final local part, flagging its size. */
static void
addr_set_local(struct address *a, struct span l)
{
	size_t	n = l.n;

	if (n > 64)
		a->flags |= ADDR_F_LONG;
	if (n > ADDR_LOCAL_MAX) {
		a->flags |= ADDR_F_TRUNCATED;
		n = ADDR_LOCAL_MAX;
	}
	memcpy(a->local, l.p, n);
	a->local[n] = '\0';
	if (memchr(a->local, '@', n) != NULL ||
	    memchr(a->local, '%', n) != NULL ||
	    memchr(a->local, '!', n) != NULL)
		a->flags |= ADDR_F_ROUTED;
}

/*
 * address_resolve - decode raw into out, opening inner layers while
 * is_local(arg, domain) says the next hop is one of ours (NULL: while it
 * equals the surface).  out->raw keeps pointing at raw's bytes.  Returns
 * 0, or -1 with ADDR_F_BAD when the address is malformed; out is filled
 * as far as it could be parsed in both cases.
 */
int
address_resolve(struct span raw, struct address *out,
    bool (*is_local)(void *, const char *), void *arg)
{
	struct addr_work	 w;
	struct span		 s, local, dom, nl, nd;
	enum addr_trick		 t;
	size_t			 n;
	int			 hops = 0;
	bool			 at_quoted = false, fresh = true;

	memset(out, 0, sizeof(*out));
	out->raw = raw;
	if (raw.p == NULL)
		raw = SPAN_LIT("");
	s = addr_unbracket(span_trim(raw), &out->flags);
	if (s.n == 0) {
		out->flags |= ADDR_F_NULL;
		return (out->flags & ADDR_F_BAD ? -1 : 0);
	}
	if (s.n > 256)
		out->flags |= ADDR_F_LONG;
	if (s.p[0] == '@' && addr_route(s, out->surface, &out->flags,
	    &s) == 0) {
		out->trick = ADDR_TRICK_SOURCE_ROUTE;
		hops = 1;
	}
	if (addr_split(s, &local, &dom)) {
		(void)addr_domain(dom, out->domain, &out->flags);
		if (hops == 0)
			memcpy(out->surface, out->domain,
			    sizeof(out->surface));
	}
	if (local.n == 0)
		out->flags |= ADDR_F_BAD;
	w.cur = 0;
	if (addr_dequote(local, w.buf[0], &n, &at_quoted,
	    &out->flags) == -1) {
		out->flags |= ADDR_F_TRUNCATED | ADDR_F_BAD;
		addr_set_local(out, (struct span){ w.buf[0], n });
		goto done;
	}
	local.p = w.buf[0];
	local.n = n;

	while (hops < ADDR_LAYERS_MAX) {
		if (hops > 0 && !addr_next_local(out, is_local, arg))
			break;
		t = addr_unwrap(local, fresh && at_quoted, &w, &nl, &nd,
		    &out->flags);
		if (t == ADDR_TRICK_NONE)
			break;
		(void)addr_domain(nd, out->domain, &out->flags);
		if (out->trick == ADDR_TRICK_NONE)
			out->trick = t;
		local = nl;
		fresh = false;
		hops++;
	}
	if (hops > 1)
		out->flags |= ADDR_F_NESTED;
	addr_set_local(out, local);

done:
	out->flags &= ~ADDR_F_IPLITERAL;
	if (out->domain[0] == '[')
		out->flags |= ADDR_F_IPLITERAL;
	if (out->domain[0] == '\0')
		out->flags |= ADDR_F_NODOMAIN;
	if (strlen(out->local) + 1 + strlen(out->domain) > 256)
		out->flags |= ADDR_F_LONG;
	return (out->flags & ADDR_F_BAD ? -1 : 0);
}

/*
 * address_decode - decode raw into out, presuming only the surface domain
 * local (see address.h).  Returns 0, or -1 with ADDR_F_BAD set.
 */
int
address_decode(struct span raw, struct address *out)
{
	return (address_resolve(raw, out, NULL, NULL));
}

/* address_trick_name - "percent", "bang", ...; "none" for no trick. */
const char *
address_trick_name(enum addr_trick t)
{
	if ((unsigned int)t >= sizeof(addr_trick_names) /
	    sizeof(addr_trick_names[0]))
		return ("unknown");
	return (addr_trick_names[t]);
}

/* addr_dotatom - can this local part be written without quotes? */
static bool
addr_dotatom(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	bool			 dot = true;

	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (dot)
				return (false);
			dot = true;
		} else if (addr_isatext(*p))
			dot = false;
		else
			return (false);
	}
	return (!dot);
}

/*
 * address_format - write the decoded address as local@domain (local only
 * when there is no domain, "" for the null sender), quoting the local
 * part when it is not a dot-atom.  Like strlcpy(), returns the length it
 * needed and truncates to size - 1 bytes.
 */
size_t
address_format(const struct address *a, char *dst, size_t size)
{
	const char	*p;
	size_t		 n = 0;
	bool		 quote;

#define ADDR_PUT(c) do {				\
	if (n + 1 < size)				\
		dst[n] = (c);				\
	n++;						\
} while (0)

	if (!(a->flags & ADDR_F_NULL)) {
		quote = !addr_dotatom(a->local);
		if (quote)
			ADDR_PUT('"');
		for (p = a->local; *p != '\0'; p++) {
			if (quote && (*p == '"' || *p == '\\'))
				ADDR_PUT('\\');
			ADDR_PUT(*p);
		}
		if (quote)
			ADDR_PUT('"');
		if (a->domain[0] != '\0') {
			ADDR_PUT('@');
			for (p = a->domain; *p != '\0'; p++)
				ADDR_PUT(*p);
		}
	}
#undef ADDR_PUT
	if (size > 0)
		dst[n < size ? n : size - 1] = '\0';
	return (n);
}

/*
 * address_domain_differs - does the decoded domain differ from the
 * surface?  An empty surface (no domain written) differs from any decoded
 * domain.  False for the null sender.
 */
bool
address_domain_differs(const struct address *a)
{
	if (a->flags & ADDR_F_NULL)
		return (false);
	return (strcmp(a->surface, a->domain) != 0);
}
