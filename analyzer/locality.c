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
 * Local domains and trusted networks (see locality.h).  Domain names come
 * from flags, configuration files and hostile logs alike, so every name
 * is validated and normalised before it is stored; lookups normalise into
 * a stack buffer and never allocate.  Domains live in an open-addressing
 * hash table keyed by the normalised name (patterns keep their leading
 * dot), so a lookup is one probe for the exact name plus one per dot.
 *
 * Networks are few (a mynetworks line, a cidr table), so they are a plain
 * array scanned per lookup, most specific match kept.
 */

#include "config.h"

#include "locality.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define LOC_NAME_MAX	256	/* a domain (255) plus a pattern's dot */
#define LOC_WARN_MAX	200	/* warnings kept; the rest are counted */

struct loc_domain {
	char		*name;		/* normalised; ".x" is a pattern */
	size_t		 len;
	uint32_t	 hash;
	enum loc_class	 class;
	enum loc_origin	 origin;
	char		*detail;
};

struct loc_net {
	uint8_t		 addr[16];
	int		 family;
	unsigned int	 prefix;
	bool		 negate;
	enum loc_origin	 origin;
	char		*cidr;		/* normalised text */
	char		*detail;
};

struct locality {
	struct loc_domain	*dom;
	size_t			 ndom, domcap;
	size_t			*slot;		/* index + 1; 0 is empty */
	size_t			 nslot;		/* power of two */
	struct loc_net		*net;
	size_t			 nnet, netcap;
	char			**warn;
	size_t			 nwarn;
	size_t			 nwarn_dropped;
};

static const char *const loc_origin_names[] = {
	[LOC_ORIGIN_FLAG] = "flag",
	[LOC_ORIGIN_CONFIG] = "config",
	[LOC_ORIGIN_INFERRED] = "inferred",
};

static const char *const loc_class_names[] = {
	[LOC_FOREIGN] = "foreign",
	[LOC_LOCAL] = "local",
	[LOC_RELAY] = "relay",
};

/* locality_new - an empty locality; free it with locality_free(). */
struct locality *
locality_new(void)
{
	return (xcalloc(1, sizeof(struct locality)));
}

/* locality_free - free everything; NULL is a no-op. */
void
locality_free(struct locality *loc)
{
	size_t	i;

	if (loc == NULL)
		return;
	for (i = 0; i < loc->ndom; i++) {
		free(loc->dom[i].name);
		free(loc->dom[i].detail);
	}
	for (i = 0; i < loc->nnet; i++) {
		free(loc->net[i].cidr);
		free(loc->net[i].detail);
	}
	for (i = 0; i < loc->nwarn; i++)
		free(loc->warn[i]);
	free(loc->dom);
	free(loc->slot);
	free(loc->net);
	free(loc->warn);
	free(loc);
}

/* loc_ishex - a hex letter or digit. */
static bool
loc_ishex(char c)
{
	c = ASCII_TOLOWER(c);
	return (ASCII_ISDIGIT(c) || (c >= 'a' && c <= 'f'));
}

/* loc_hash - FNV-1a of a normalised name. */
static uint32_t
loc_hash(const char *p, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return (h);
}

/* loc_find - the entry for exactly this normalised key, or NULL. */
static struct loc_domain *
loc_find(const struct locality *loc, const char *p, size_t n)
{
	struct loc_domain	*d;
	uint32_t		 h;
	size_t			 i;

	if (loc->nslot == 0)
		return (NULL);
	h = loc_hash(p, n);
	for (i = h & (loc->nslot - 1); loc->slot[i] != 0;
	    i = (i + 1) & (loc->nslot - 1)) {
		d = &loc->dom[loc->slot[i] - 1];
		if (d->hash == h && d->len == n && memcmp(d->name, p, n) == 0)
			return (d);
	}
	return (NULL);
}

/* loc_rehash - grow the slot table to keep it at most half full. */
static void
loc_rehash(struct locality *loc)
{
	size_t	i, j, n = loc->nslot == 0 ? 64 : loc->nslot * 2;

	free(loc->slot);
	loc->slot = xcalloc(n, sizeof(*loc->slot));
	loc->nslot = n;
	for (i = 0; i < loc->ndom; i++) {
		for (j = loc->dom[i].hash & (n - 1); loc->slot[j] != 0;
		    j = (j + 1) & (n - 1))
			;
		loc->slot[j] = i + 1;
	}
}

/*
 * loc_norm_lookup - lower-case name into out without its trailing dot;
 * the length, or -1 when it cannot be a stored name.
 */
static int
loc_norm_lookup(const char *name, char out[LOC_NAME_MAX + 1])
{
	size_t	n, i;

	if (name == NULL)
		return (-1);
	n = strnlen(name, LOC_NAME_MAX + 2);
	if (n > 1 && name[n - 1] == '.' && name[n - 2] != '.')
		n--;
	if (n == 0 || n > LOC_NAME_MAX)
		return (-1);
	for (i = 0; i < n; i++)
		out[i] = ASCII_TOLOWER(name[i]);
	out[n] = '\0';
	return ((int)n);
}

/*
 * loc_norm_domain - validate and normalise a domain or pattern for
 * storing: host-name bytes (letters, digits, '-', '_', 8-bit), no empty
 * labels, at most 255 octets; or an address literal in brackets.
 * "*.x" becomes ".x".  The length, or -1.
 */
static int
loc_norm_domain(const char *name, char out[LOC_NAME_MAX + 1])
{
	unsigned char	c;
	size_t		i, label = 0, start = 0;
	int		n;

	if (name != NULL && name[0] == '*' && name[1] == '.')
		name++;
	if ((n = loc_norm_lookup(name, out)) == -1)
		return (-1);
	if (out[0] == '[') {
		if (n < 3 || out[n - 1] != ']')
			return (-1);
		for (i = 1; i < (size_t)n - 1; i++)
			if (!ASCII_ISDIGIT(out[i]) && !ASCII_ISALPHA(out[i]) &&
			    out[i] != '.' && out[i] != ':')
				return (-1);
		return (n);
	}
	if (out[0] == '.')
		start = 1;
	if ((size_t)n - start > 255 || (size_t)n == start)
		return (-1);
	for (i = start; i < (size_t)n; i++) {
		c = out[i];
		if (c == '.') {
			if (label == 0)
				return (-1);
			label = 0;
			continue;
		}
		if (!ASCII_ISALPHA(c) && !ASCII_ISDIGIT(c) && c != '-' &&
		    c != '_' && c < 0x80)
			return (-1);
		label++;
	}
	return (label == 0 ? -1 : n);
}

/*
 * locality_add_domain - list domain (or ".pattern") with a class, origin
 * and detail (NULL for none).  An entry already present changes only for
 * a higher-priority origin.  Returns 0, or -1 without change when the
 * name is not a domain.
 */
int
locality_add_domain(struct locality *loc, const char *domain,
    enum loc_class class, enum loc_origin origin, const char *detail)
{
	char			 key[LOC_NAME_MAX + 1];
	struct loc_domain	*d;
	int			 n;

	if ((n = loc_norm_domain(domain, key)) == -1)
		return (-1);
	if ((d = loc_find(loc, key, (size_t)n)) != NULL) {
		if (origin < d->origin) {
			d->class = class;
			d->origin = origin;
			free(d->detail);
			d->detail = xstrdup(detail != NULL ? detail : "");
		}
		return (0);
	}
	if (loc->ndom == loc->domcap) {
		loc->domcap = loc->domcap == 0 ? 32 : loc->domcap * 2;
		loc->dom = xreallocarray(loc->dom, loc->domcap,
		    sizeof(*loc->dom));
	}
	d = &loc->dom[loc->ndom++];
	d->name = xstrdup(key);
	d->len = (size_t)n;
	d->hash = loc_hash(key, d->len);
	d->class = class;
	d->origin = origin;
	d->detail = xstrdup(detail != NULL ? detail : "");
	if (loc->ndom * 2 > loc->nslot)
		loc_rehash(loc);
	else {
		size_t	j;

		for (j = d->hash & (loc->nslot - 1); loc->slot[j] != 0;
		    j = (j + 1) & (loc->nslot - 1))
			;
		loc->slot[j] = loc->ndom;
	}
	return (0);
}

/* loc_match - the most specific entry for a domain, or NULL. */
static const struct loc_domain *
loc_match(const struct locality *loc, const char *domain)
{
	char			 key[LOC_NAME_MAX + 1];
	struct loc_domain	*d;
	int			 n, i;

	if ((n = loc_norm_lookup(domain, key)) == -1)
		return (NULL);
	if ((d = loc_find(loc, key, (size_t)n)) != NULL && key[0] != '.')
		return (d);
	for (i = 1; i < n; i++)
		if (key[i] == '.' &&
		    (d = loc_find(loc, key + i, (size_t)(n - i))) != NULL)
			return (d);
	return (NULL);
}

/*
 * locality_domain - the class of a domain: its most specific entry's, or
 * LOC_FOREIGN when none matches (also for NULL and "").
 */
enum loc_class
locality_domain(const struct locality *loc, const char *domain)
{
	const struct loc_domain	*d = loc_match(loc, domain);

	return (d != NULL ? d->class : LOC_FOREIGN);
}

/* locality_domain_known - is the domain matched by any entry at all? */
bool
locality_domain_known(const struct locality *loc, const char *domain)
{
	return (loc_match(loc, domain) != NULL);
}

/*
 * locality_domain_lookup - the matching entry's class, origin and detail
 * (each pointer may be NULL; the detail stays valid until the locality
 * is freed).  False, with nothing set, when no entry matches.
 */
bool
locality_domain_lookup(const struct locality *loc, const char *domain,
    enum loc_class *class, enum loc_origin *origin, const char **detail)
{
	const struct loc_domain	*d = loc_match(loc, domain);

	if (d == NULL)
		return (false);
	if (class != NULL)
		*class = d->class;
	if (origin != NULL)
		*origin = d->origin;
	if (detail != NULL)
		*detail = d->detail;
	return (true);
}

/*
 * locality_parse_ip - parse an IPv4 or IPv6 address, optionally in
 * brackets, with an "IPv6:" tag or a "%zone" suffix (both ignored).
 * IPv4 fills out[0..3] and zeroes the rest.  No leading zeros in IPv4
 * (010 could mean 8), no spaces.  0 and the family (AF_INET, AF_INET6),
 * or -1.
 */
int
locality_parse_ip(const char *ip, uint8_t out[16], int *family)
{
	char	tmp[64];
	size_t	n, i;

	if (ip == NULL || (n = strnlen(ip, sizeof(tmp))) >= sizeof(tmp))
		return (-1);
	memcpy(tmp, ip, n + 1);
	if (n >= 2 && tmp[0] == '[' && tmp[n - 1] == ']') {
		memmove(tmp, tmp + 1, n - 2);
		tmp[n -= 2] = '\0';
	}
	if (span_casestartswith((struct span){ tmp, n }, "IPv6:")) {
		memmove(tmp, tmp + 5, n - 4);
		n -= 5;
	}
	for (i = 0; i < n; i++) {
		if (tmp[i] == '%' && i > 0 && memchr(tmp, ':', i) != NULL) {
			tmp[n = i] = '\0';
			break;
		}
		if (!ASCII_ISDIGIT(tmp[i]) && !loc_ishex(tmp[i]) &&
		    tmp[i] != '.' && tmp[i] != ':')
			return (-1);
	}
	memset(out, 0, 16);
	if (memchr(tmp, ':', n) != NULL) {
		if (inet_pton(AF_INET6, tmp, out) != 1)
			return (-1);
		*family = AF_INET6;
		return (0);
	}
	if (inet_pton(AF_INET, tmp, out) != 1)
		return (-1);
	*family = AF_INET;
	return (0);
}

/* loc_net_match - is addr (of family) inside net? */
static bool
loc_net_match(const struct loc_net *net, const uint8_t addr[16], int family)
{
	unsigned int	full = net->prefix / 8, bits = net->prefix % 8;
	uint8_t		mask;

	if (net->family != family)
		return (false);
	if (memcmp(net->addr, addr, full) != 0)
		return (false);
	if (bits == 0)
		return (true);
	mask = (uint8_t)(0xff << (8 - bits));
	return ((net->addr[full] & mask) == (addr[full] & mask));
}

/*
 * loc_parse_cidr - parse "[!]address[/len]": IPv4 or IPv6, the address
 * optionally in brackets ("[::1]/128").  Host bits are cleared.  Returns
 * 0, 1 when host bits had to be cleared, or -1.
 */
static int
loc_parse_cidr(const char *s, struct loc_net *net)
{
	char		 tmp[64], text[INET6_ADDRSTRLEN];
	const char	*slash, *len;
	unsigned int	 max, i;
	size_t		 n;
	uint8_t		 orig[16];
	int		 rv = 0;

	memset(net, 0, sizeof(*net));
	if (s == NULL)
		return (-1);
	if (s[0] == '!') {
		net->negate = true;
		s++;
	}
	if ((slash = strchr(s, '/')) != NULL)
		n = (size_t)(slash - s);
	else
		n = strlen(s);
	if (n == 0 || n >= sizeof(tmp))
		return (-1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strchr(tmp, '%') != NULL ||
	    locality_parse_ip(tmp, net->addr, &net->family) == -1)
		return (-1);
	max = net->family == AF_INET ? 32 : 128;
	net->prefix = max;
	if (slash != NULL) {
		len = slash + 1;
		n = strlen(len);
		if (n == 0 || n > 3 || (len[0] == '0' && n > 1))
			return (-1);
		for (net->prefix = 0, i = 0; i < n; i++) {
			if (!ASCII_ISDIGIT(len[i]))
				return (-1);
			net->prefix = net->prefix * 10 +
			    (unsigned int)(len[i] - '0');
		}
		if (net->prefix > max)
			return (-1);
	}
	memcpy(orig, net->addr, sizeof(orig));
	for (i = 0; i < 16; i++) {
		if (i * 8 >= net->prefix)
			net->addr[i] = 0;
		else if (i * 8 + 8 > net->prefix)
			net->addr[i] &= (uint8_t)(0xff <<
			    (8 - net->prefix % 8));
	}
	if (memcmp(orig, net->addr, sizeof(orig)) != 0)
		rv = 1;
	if (inet_ntop(net->family, net->addr, text, sizeof(text)) == NULL)
		return (-1);
	(void)xasprintf(&net->cidr, "%s%s/%u", net->negate ? "!" : "", text,
	    net->prefix);
	return (rv);
}

/*
 * locality_add_net - trust (or with "!", exclude) a CIDR block: IPv4 or
 * IPv6, a bare address meaning /32 or /128, brackets allowed as in
 * Postfix's "[::1]/128".  Host bits are cleared, with a warning.  An
 * existing block changes only for a higher-priority origin.  Returns 0,
 * or -1 without change on bad input.
 */
int
locality_add_net(struct locality *loc, const char *cidr,
    enum loc_origin origin, const char *detail)
{
	struct loc_net	 net, *o;
	size_t		 i;
	int		 rv;

	if ((rv = loc_parse_cidr(cidr, &net)) == -1)
		return (-1);
	if (rv == 1)
		locality_add_warning(loc, "%.60s: host bits set, using %s",
		    cidr, net.cidr);
	for (i = 0; i < loc->nnet; i++) {
		o = &loc->net[i];
		if (o->family == net.family && o->prefix == net.prefix &&
		    o->negate == net.negate &&
		    memcmp(o->addr, net.addr, sizeof(net.addr)) == 0) {
			if (origin < o->origin) {
				o->origin = origin;
				free(o->detail);
				o->detail = xstrdup(detail != NULL ?
				    detail : "");
			}
			free(net.cidr);
			return (0);
		}
	}
	if (loc->nnet == loc->netcap) {
		loc->netcap = loc->netcap == 0 ? 8 : loc->netcap * 2;
		loc->net = xreallocarray(loc->net, loc->netcap,
		    sizeof(*loc->net));
	}
	net.origin = origin;
	net.detail = xstrdup(detail != NULL ? detail : "");
	loc->net[loc->nnet++] = net;
	return (0);
}

/* loc_is_mapped - is this IPv6 address ::ffff:a.b.c.d? */
static bool
loc_is_mapped(const uint8_t a[16])
{
	static const uint8_t	pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };

	return (memcmp(a, pfx, sizeof(pfx)) == 0);
}

/* loc_ip_match - the block that decides for this client, or NULL. */
static const struct loc_net *
loc_ip_match(const struct locality *loc, const char *ip)
{
	const struct loc_net	*n, *best = NULL;
	uint8_t			 a[16], m[16];
	unsigned int		 eff, beff = 0;
	size_t			 i;
	int			 fam;

	if (locality_parse_ip(ip, a, &fam) == -1)
		return (NULL);
	if (fam == AF_INET6 && loc_is_mapped(a)) {
		memmove(a, a + 12, 4);
		memset(a + 4, 0, 12);
		fam = AF_INET;
	}
	memset(m, 0, sizeof(m));
	m[10] = m[11] = 0xff;
	memcpy(m + 12, a, 4);
	for (i = 0; i < loc->nnet; i++) {
		n = &loc->net[i];
		if (fam == AF_INET && n->family == AF_INET6) {
			if (n->prefix < 96 || !loc_net_match(n, m, AF_INET6))
				continue;
			eff = n->prefix - 96;
		} else if (loc_net_match(n, a, fam))
			eff = n->prefix;
		else
			continue;
		if (best == NULL || eff > beff || (eff == beff &&
		    (n->origin < best->origin || (n->origin == best->origin &&
		    n->negate && !best->negate)))) {
			best = n;
			beff = eff;
		}
	}
	return (best);
}

/*
 * locality_ip_trusted - is the client address inside a trusted block?
 * False for anything that is not an address.
 */
bool
locality_ip_trusted(const struct locality *loc, const char *ip)
{
	const struct loc_net	*n = loc_ip_match(loc, ip);

	return (n != NULL && !n->negate);
}

/*
 * locality_ip_lookup - like locality_ip_trusted(), and when a block
 * decided (an exclusion too) its normalised text, origin and detail
 * (each pointer may be NULL; valid until the locality is freed).
 */
bool
locality_ip_lookup(const struct locality *loc, const char *ip,
    const char **cidr, enum loc_origin *origin, const char **detail)
{
	const struct loc_net	*n = loc_ip_match(loc, ip);

	if (n == NULL)
		return (false);
	if (cidr != NULL)
		*cidr = n->cidr;
	if (origin != NULL)
		*origin = n->origin;
	if (detail != NULL)
		*detail = n->detail;
	return (!n->negate);
}

/* loc_dom_cmp - qsort: by name without a pattern's dot, exact first. */
static int
loc_dom_cmp(const void *a, const void *b)
{
	const struct loc_domain	*x = *(const struct loc_domain *const *)a;
	const struct loc_domain	*y = *(const struct loc_domain *const *)b;
	int			 c;

	c = strcmp(x->name + (x->name[0] == '.'),
	    y->name + (y->name[0] == '.'));
	if (c != 0)
		return (c);
	return ((x->name[0] == '.') - (y->name[0] == '.'));
}

/*
 * locality_foreach_domain - call fn for every domain entry, sorted by
 * name (a pattern after its parent), so output is reproducible.
 */
void
locality_foreach_domain(const struct locality *loc,
    void (*fn)(void *, const char *, enum loc_class, enum loc_origin,
    const char *), void *arg)
{
	const struct loc_domain	**v;
	size_t			  i;

	if (loc->ndom == 0)
		return;
	v = xreallocarray(NULL, loc->ndom, sizeof(*v));
	for (i = 0; i < loc->ndom; i++)
		v[i] = &loc->dom[i];
	qsort(v, loc->ndom, sizeof(*v), loc_dom_cmp);
	for (i = 0; i < loc->ndom; i++)
		fn(arg, v[i]->name, v[i]->class, v[i]->origin, v[i]->detail);
	free(v);
}

/* loc_net_cmp - qsort: IPv4 first, then by address, length, exclusion. */
static int
loc_net_cmp(const void *a, const void *b)
{
	const struct loc_net	*x = *(const struct loc_net *const *)a;
	const struct loc_net	*y = *(const struct loc_net *const *)b;
	int			 c;

	if (x->family != y->family)
		return (x->family == AF_INET ? -1 : 1);
	if ((c = memcmp(x->addr, y->addr, sizeof(x->addr))) != 0)
		return (c);
	if (x->prefix != y->prefix)
		return (x->prefix < y->prefix ? -1 : 1);
	return ((int)x->negate - (int)y->negate);
}

/*
 * locality_foreach_net - call fn for every block, sorted, with its
 * normalised text ("192.0.2.0/24", "!2001:db8::1/128").
 */
void
locality_foreach_net(const struct locality *loc,
    void (*fn)(void *, const char *, enum loc_origin, const char *),
    void *arg)
{
	const struct loc_net	**v;
	size_t			  i;

	if (loc->nnet == 0)
		return;
	v = xreallocarray(NULL, loc->nnet, sizeof(*v));
	for (i = 0; i < loc->nnet; i++)
		v[i] = &loc->net[i];
	qsort(v, loc->nnet, sizeof(*v), loc_net_cmp);
	for (i = 0; i < loc->nnet; i++)
		fn(arg, v[i]->cidr, v[i]->origin, v[i]->detail);
	free(v);
}

/*
 * locality_add_warning - record a problem met while loading (a table
 * that cannot be read, an entry skipped).  The text may hold bytes from
 * a configuration file: escape it before printing.
 */
void
locality_add_warning(struct locality *loc, const char *fmt, ...)
{
	va_list	 ap;
	char	 s[512];

	if (loc->nwarn == LOC_WARN_MAX) {
		loc->nwarn_dropped++;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	loc->warn = xreallocarray(loc->warn, loc->nwarn + 1,
	    sizeof(*loc->warn));
	loc->warn[loc->nwarn++] = xstrdup(s);
}

/* locality_nwarnings - how many warnings were recorded, dropped ones too. */
size_t
locality_nwarnings(const struct locality *loc)
{
	return (loc->nwarn + loc->nwarn_dropped);
}

/*
 * locality_foreach_warning - call fn for every warning, in order, the
 * ones beyond LOC_WARN_MAX summed up in one.
 */
void
locality_foreach_warning(const struct locality *loc,
    void (*fn)(void *, const char *), void *arg)
{
	char	more[64];
	size_t	i;

	for (i = 0; i < loc->nwarn; i++)
		fn(arg, loc->warn[i]);
	if (loc->nwarn_dropped > 0) {
		(void)snprintf(more, sizeof(more), "%zu more warnings",
		    loc->nwarn_dropped);
		fn(arg, more);
	}
}

/* locality_origin_name - "flag", "config", "inferred" ("unknown"). */
const char *
locality_origin_name(enum loc_origin o)
{
	if ((unsigned int)o >= sizeof(loc_origin_names) /
	    sizeof(loc_origin_names[0]))
		return ("unknown");
	return (loc_origin_names[o]);
}

/* locality_class_name - "foreign", "local", "relay" ("unknown"). */
const char *
locality_class_name(enum loc_class c)
{
	if ((unsigned int)c >= sizeof(loc_class_names) /
	    sizeof(loc_class_names[0]))
		return ("unknown");
	return (loc_class_names[c]);
}

/*
 * locality_conf_open - open a file that the configuration at confpath
 * names, looked for in the configuration's directory only, by its last
 * component (so a hostile "../x" stays there too).  Configurations are
 * usually copied off the server, so the analysing machine's own /etc is
 * never read in the server's stead.  NULL, with errno set, when it is
 * not there.
 */
FILE *
locality_conf_open(const char *confpath, const char *name)
{
	const char	*slash, *base;
	char		*p;
	FILE		*f;
	int		 dlen;

	if (name == NULL || *name == '\0') {
		errno = ENOENT;
		return (NULL);
	}
	base = (slash = strrchr(name, '/')) != NULL ? slash + 1 : name;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		errno = ENOENT;
		return (NULL);
	}
	slash = strrchr(confpath, '/');
	dlen = slash != NULL ? (int)(slash - confpath) : 1;
	(void)xasprintf(&p, "%.*s/%s", dlen, slash != NULL ? confpath : ".",
	    base);
	f = fopen(p, "r");
	free(p);
	return (f);
}

/*
 * locality_conf_line - the next line of f into buf (of len bytes, at
 * least 2) without its line end (LF or CRLF).  A NUL byte ends what the
 * callers see of the line.  Returns 1, 0 at the end of the file, or -1
 * for a line that does not fit: the rest of it is skipped, and buf holds
 * its beginning.
 */
int
locality_conf_line(FILE *f, char *buf, size_t len)
{
	size_t	n = 0;
	int	c;
	bool	over = false;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 < len)
			buf[n++] = (char)c;
		else
			over = true;
	}
	if (c == EOF && n == 0 && !over)
		return (0);
	if (n > 0 && buf[n - 1] == '\r' && !over)
		n--;
	buf[n] = '\0';
	return (over ? -1 : 1);
}

/*
 * locality_load_mta - --mta-config: Exim's configuration (either kind),
 * Sendmail's sendmail.cf or sendmail.mc, OpenSMTPD's smtpd.conf, or
 * Postfix's main.cf, told apart by their content.  Returns what the
 * loader returns.
 */
int
locality_load_mta(struct locality *loc, const char *path, char *err,
    size_t errlen)
{
	if (locality_is_exim(path))
		return (locality_load_exim(loc, path, err, errlen));
	if (locality_is_sendmail(path))
		return (locality_load_sendmail(loc, path, err, errlen));
	if (locality_is_opensmtpd(path))
		return (locality_load_opensmtpd(loc, path, err, errlen));
	return (locality_load_postfix(loc, path, err, errlen));
}
