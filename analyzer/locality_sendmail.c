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
 * Local domains and networks from Sendmail's configuration, copied off
 * the server.  Either file will do:
 *
 *  - sendmail.cf: class w ("Cw" words, "Fw" files such as
 *    local-host-names: the names this host delivers for) and class
 *    {VirtHost} (virtusertable domains), both local; $j ("Dj", the
 *    canonical name, always in class w); class R ("CR", "FR": relay-
 *    domains), relay destinations; the access and mailertable maps of
 *    the K lines ("Kaccess hash -T<TMPF> -o /etc/mail/access"), read from
 *    their source text (the map's path without ".db").
 *  - sendmail.mc: the m4 macros that make those lines: FEATURE(`use_cw_file')
 *    with confCW_FILE, LOCAL_DOMAIN, RELAY_DOMAIN, RELAY_DOMAIN_FILE,
 *    confCR_FILE, VIRTUSER_DOMAIN, VIRTUSER_DOMAIN_FILE, confDOMAIN_NAME,
 *    FEATURE(`access_db'), FEATURE(`mailertable'), with sendmail's file
 *    names under /etc/mail, and "localhost", which the generated class w
 *    always holds.  relay-domains is read as every sendmail.cf does.
 *
 * Class R and the access map's "To:" entries cover subdomains unless
 * FEATURE(`relay_hosts_only') is in sendmail.mc (a sendmail.cf does not
 * say).  A dotted-number entry of class R ("192.168.1") is a prefix of
 * client addresses that may relay.
 *
 * The access map: "Connect:a.b.c.d RELAY" (a prefix at a dot, or an
 * "IPv6:" address or prefix at a colon) trusts those clients; "To:domain
 * RELAY" makes a relay destination; an untagged key (the old form)
 * counts as both.  Other right-hand sides (OK, REJECT, ...) and tags
 * (GreetPause:, ClientRate:, ...) do not change who may relay.
 * "Connect:hostname" (a client by its DNS name), "From:x RELAY"
 * (relaying by the sender, FEATURE(`relay_mail_from')) and "To:user@x"
 * name no domain or network and are warned about, as are the features
 * that relay by DNS or by sender, and FEATURE(`promiscuous_relay').
 * Mailertable keys with the local mailer are local domains; the others
 * only route mail, which does not let it be relayed.
 *
 * Files are looked for next to the configuration only, by their last
 * path component (locality_conf_open()).  Every line is bounded; a line
 * too long is skipped with a warning; sendmail.mc is read up to SM_MC_MAX
 * bytes.
 */

#include "config.h"

#include "locality.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "xmalloc.h"

#define SM_LINE_MAX	4096
#define SM_MC_MAX	(1024 * 1024)
#define SM_ARGS_MAX	8
#define SM_ARG_MAX	2048
#define SM_FILES_MAX	16
#define SM_WORDS_MAX	64

enum sm_class {
	SM_W,		/* local: class w and {VirtHost} */
	SM_R		/* relay: class R */
};

/* A class file to read: "Fw-o /etc/mail/local-host-names". */
struct sm_file {
	enum sm_class	 class;
	char		*name;		/* as configured */
	bool		 optional;
};

/* One load. */
struct sm {
	struct locality	*loc;
	const char	*path;
	const char	*base;		/* the configuration's file name */
	bool		 mc;		/* sendmail.mc, not sendmail.cf */
	bool		 hosts_only;	/* FEATURE(`relay_hosts_only') */
	bool		 use_cw;	/* FEATURE(`use_cw_file') */
	bool		 have_j;	/* the canonical name is known */
	bool		 warned_names;	/* relay names also name clients */
	char		*cw_file;	/* confCW_FILE */
	char		*cr_file;	/* confCR_FILE */
	char		*access;	/* the access map's source text */
	char		*mailertable;
	struct sm_file	 files[SM_FILES_MAX];
	size_t		 nfiles;
	struct {			/* LOCAL_DOMAIN(`a b') and the like */
		enum sm_class	 class;
		char		*detail;
		char		*words;
	}		 words[SM_WORDS_MAX];
	size_t		 nwords;
};

#define sm_warn(x, ...)	locality_add_warning((x)->loc, __VA_ARGS__)

/* sm_trim - s without leading and trailing white space, in place. */
static char *
sm_trim(char *s)
{
	char	*e;

	while (ASCII_ISSPACE(*s))
		s++;
	e = s + strlen(s);
	while (e > s && ASCII_ISSPACE(e[-1]))
		*--e = '\0';
	return (s);
}

/* sm_word - the next white-space separated word of *p, NUL-ended. */
static char *
sm_word(char **p)
{
	char	*s = *p, *w;

	while (ASCII_ISSPACE(*s))
		s++;
	if (*s == '\0') {
		*p = s;
		return (NULL);
	}
	w = s;
	while (*s != '\0' && !ASCII_ISSPACE(*s))
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return (w);
}

/*
 * sm_ipv4_prefix - "10", "10.1", "10.1.2" or "10.1.2.3" as "10.1.0.0/16"
 * into out; false when s is not such a prefix.
 */
static bool
sm_ipv4_prefix(const char *s, char *out, size_t outlen)
{
	unsigned int	 oct[4] = { 0, 0, 0, 0 }, n = 0, v;
	const char	*p = s, *d;

	for (;;) {
		if (n == 4)
			return (false);
		for (v = 0, d = p; ASCII_ISDIGIT(*p) && p - d < 4; p++)
			v = v * 10 + (unsigned int)(*p - '0');
		/* No leading zeros: 010 could mean 8. */
		if (p == d || p - d > 3 || v > 255 || (*d == '0' && p - d > 1))
			return (false);
		oct[n++] = v;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return (false);
	}
	(void)snprintf(out, outlen, "%u.%u.%u.%u/%u", oct[0], oct[1], oct[2],
	    oct[3], n * 8);
	return (true);
}

/*
 * sm_ipv6_prefix - an access map's IPv6 key (after "IPv6:"): a whole
 * address, or leading groups without "::" ("2001:db8" is /32), as CIDR
 * text into out; false when it is neither.
 */
static bool
sm_ipv6_prefix(const char *s, char *out, size_t outlen)
{
	unsigned int	 groups = 1;
	const char	*p;
	size_t		 n = 0;

	if (strstr(s, "::") != NULL || strchr(s, '.') != NULL) {
		(void)snprintf(out, outlen, "%s/128", s);
		return (strlen(s) < 46);
	}
	for (p = s; *p != '\0'; p++) {
		if (*p == ':') {
			if (n == 0)
				return (false);
			groups++;
			n = 0;
			continue;
		}
		if (!ASCII_ISDIGIT(*p) && !((*p | 0x20) >= 'a' &&
		    (*p | 0x20) <= 'f'))
			return (false);
		if (++n > 4)
			return (false);
	}
	if (n == 0 || groups > 8)
		return (false);
	if (groups == 8)
		(void)snprintf(out, outlen, "%s/128", s);
	else
		(void)snprintf(out, outlen, "%s::/%u", s, groups * 16);
	return (true);
}

/* sm_net - trust a client prefix; false when it is not one. */
static bool
sm_net(struct sm *x, const char *key, const char *detail)
{
	char	cidr[80];

	if (span_casestartswith(span_from_cstr(key), "IPv6:")) {
		if (!sm_ipv6_prefix(key + 5, cidr, sizeof(cidr)))
			return (false);
	} else if (!sm_ipv4_prefix(key, cidr, sizeof(cidr)))
		return (false);
	return (locality_add_net(x->loc, cidr, LOC_ORIGIN_CONFIG, detail) == 0);
}

/* sm_numeric - is key meant as an address ("IPv6:", digits and dots)? */
static bool
sm_numeric(const char *key)
{
	if (span_casestartswith(span_from_cstr(key), "IPv6:"))
		return (true);
	for (; *key != '\0'; key++)
		if (!ASCII_ISDIGIT(*key) && *key != '.')
			return (false);
	return (true);
}

/*
 * sm_relay_domain - a relay destination, with its subdomains unless
 * relay_hosts_only; false when name is not a domain.
 */
static bool
sm_relay_domain(struct sm *x, const char *name, const char *detail)
{
	char	pat[300];

	if (locality_add_domain(x->loc, name, LOC_RELAY, LOC_ORIGIN_CONFIG,
	    detail) == -1)
		return (false);
	if (!x->hosts_only && name[0] != '[' && name[0] != '.') {
		(void)snprintf(pat, sizeof(pat), ".%s", name);
		(void)locality_add_domain(x->loc, pat, LOC_RELAY,
		    LOC_ORIGIN_CONFIG, detail);
	}
	return (true);
}

/* sm_names_clients - warn once: a relay name also names clients. */
static void
sm_names_clients(struct sm *x, const char *what)
{
	if (x->warned_names)
		return;
	x->warned_names = true;
	sm_warn(x, "%s: a name there also lets clients whose DNS name is in "
	    "that domain relay, which cannot be known off the server", what);
}

/* sm_class_word - one word of class w or R. */
static void
sm_class_word(struct sm *x, enum sm_class class, const char *w,
    const char *detail)
{
	if (class == SM_R) {
		if (sm_net(x, w, detail))
			return;
		if (sm_numeric(w)) {
			sm_warn(x, "%s: %.80s: not an address or prefix, "
			    "skipped", detail, w);
			return;
		}
		if (sm_relay_domain(x, w, detail)) {
			sm_names_clients(x, detail);
			return;
		}
	} else if (locality_add_domain(x->loc, w, LOC_LOCAL,
	    LOC_ORIGIN_CONFIG, detail) == 0)
		return;
	sm_warn(x, "%s: %.80s: not a domain%s, skipped", detail, w,
	    class == SM_R ? " or network" : "");
}

/* sm_class_words - every word of text into the class. */
static void
sm_class_words(struct sm *x, enum sm_class class, char *text,
    const char *detail)
{
	char	*w;

	while ((w = sm_word(&text)) != NULL)
		sm_class_word(x, class, w, detail);
}

/* sm_add_file - remember a class file to read at the end. */
static void
sm_add_file(struct sm *x, enum sm_class class, const char *name,
    bool optional)
{
	size_t	i;

	for (i = 0; i < x->nfiles; i++)
		if (x->files[i].class == class &&
		    strcmp(x->files[i].name, name) == 0)
			return;
	if (x->nfiles == SM_FILES_MAX) {
		sm_warn(x, "%s: more than %d class files, %.80s skipped",
		    x->base, SM_FILES_MAX, name);
		return;
	}
	x->files[x->nfiles].class = class;
	x->files[x->nfiles].name = xstrdup(name);
	x->files[x->nfiles].optional = optional;
	x->nfiles++;
}

/*
 * sm_file_spec - an F line's or confCW_FILE's value: "[-o] path
 * [pattern]" into the class files.  A program ("|/bin/x") is warned
 * about.
 */
static void
sm_file_spec(struct sm *x, enum sm_class class, char *spec,
    const char *what)
{
	bool	 optional = false;
	char	*w;

	spec = sm_trim(spec);
	if (strncmp(spec, "-o", 2) == 0) {
		optional = true;
		spec += 2;
	}
	spec = sm_trim(spec);
	if (*spec == '|') {
		sm_warn(x, "%s: %s: %.80s: a program's output cannot be known "
		    "off the server", x->base, what, spec);
		return;
	}
	if ((w = sm_word(&spec)) == NULL)
		return;
	if (*sm_trim(spec) != '\0')
		sm_warn(x, "%s: %s: %.80s: the pattern is not applied, every "
		    "word of a line is read", x->base, what, spec);
	sm_add_file(x, class, w, optional);
}

/*
 * sm_map_spec - a map's source text from "type [flags] path": the path,
 * without ".db" for a database.  NULL (warned about) for a map that is
 * not a file.
 */
static char *
sm_map_spec(struct sm *x, const char *map, char *spec)
{
	static const char *const files[] = { "hash", "btree", "dbm", "cdb",
		"text", NULL };
	char	*type, *w, *path = NULL;
	size_t	 i, n;

	if ((type = sm_word(&spec)) == NULL)
		return (NULL);
	while ((w = sm_word(&spec)) != NULL)
		if (w[0] != '-')
			path = w;
	for (i = 0; files[i] != NULL; i++)
		if (strcmp(type, files[i]) == 0)
			break;
	if (files[i] == NULL || path == NULL) {
		sm_warn(x, "%s: %s: a %.40s map cannot be read off the server",
		    x->base, map, type);
		return (NULL);
	}
	n = strlen(path);
	if (strcmp(type, "text") != 0 && n > 3 &&
	    strcmp(path + n - 3, ".db") == 0)
		path[n - 3] = '\0';
	return (xstrdup(path));
}

/* --- sendmail.cf ---------------------------------------------------- */

/*
 * sm_cf_class - the class an F or C line names, its words after it in
 * *rest; false for a class we do not read.
 */
static bool
sm_cf_class(char *line, enum sm_class *class, const char **cname,
    char **rest)
{
	char	*p = line + 1, *e;

	if (*p == '{') {
		if ((e = strchr(p, '}')) == NULL)
			return (false);
		*e = '\0';
		*rest = e + 1;
		*cname = p + 1;
		if (strcmp(p + 1, "w") == 0 || strcmp(p + 1, "VirtHost") == 0)
			*class = SM_W;
		else if (strcmp(p + 1, "R") == 0)
			*class = SM_R;
		else
			return (false);
		return (true);
	}
	*rest = p + 1;
	*cname = *p == 'w' ? "w" : "R";
	if (*p == 'w')
		*class = SM_W;
	else if (*p == 'R')
		*class = SM_R;
	else
		return (false);
	return (true);
}

/* sm_cf_line - one line of sendmail.cf. */
static void
sm_cf_line(struct sm *x, char *line)
{
	enum sm_class	 class;
	const char	*cname;
	char		*rest, *name, detail[128];

	switch (line[0]) {
	case 'C':
	case 'F':
		if (!sm_cf_class(line, &class, &cname, &rest))
			return;
		(void)snprintf(detail, sizeof(detail), "%s class %.40s",
		    x->base, cname);
		if (line[0] == 'C')
			sm_class_words(x, class, rest, detail);
		else
			sm_file_spec(x, class, rest, detail + strlen(x->base) +
			    1);
		return;
	case 'D':
		if (line[1] != 'j')
			return;
		rest = sm_trim(line + 2);
		(void)snprintf(detail, sizeof(detail), "%s $j", x->base);
		if (strchr(rest, '$') != NULL) {
			sm_warn(x, "%s: %.80s: macros cannot be expanded off "
			    "the server", detail, rest);
			return;
		}
		if (*rest != '\0') {
			x->have_j = true;
			sm_class_word(x, SM_W, rest, detail);
		}
		return;
	case 'K':
		rest = line + 1;
		if ((name = sm_word(&rest)) == NULL)
			return;
		if (strcmp(name, "access") == 0 && x->access == NULL)
			x->access = sm_map_spec(x, "access", rest);
		else if (strcmp(name, "mailertable") == 0 &&
		    x->mailertable == NULL)
			x->mailertable = sm_map_spec(x, "mailertable", rest);
		return;
	default:
		return;
	}
}

/* sm_read_cf - sendmail.cf, line by line. */
static int
sm_read_cf(struct sm *x, FILE *f)
{
	char	line[SM_LINE_MAX];
	long	n = 0;
	int	rc;

	while ((rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		n++;
		if (rc == -1) {
			sm_warn(x, "%s:%ld: line too long, skipped", x->base,
			    n);
			continue;
		}
		sm_cf_line(x, line);
	}
	return (0);
}

/* --- sendmail.mc ---------------------------------------------------- */

/*
 * sm_mc_clean - the m4 text without comments ("#" to the end of the
 * line) and "dnl" (to and with the newline) outside quotes, in place.
 */
static void
sm_mc_clean(char *t)
{
	char	*r = t, *w = t;
	int	 q = 0;

	while (*r != '\0') {
		if (*r == '`') {
			q++;
		} else if (*r == '\'' && q > 0) {
			q--;
		} else if (q == 0 && *r == '#') {
			while (*r != '\0' && *r != '\n')
				r++;
			continue;
		} else if (q == 0 && strncmp(r, "dnl", 3) == 0 &&
		    (r == t || !(ASCII_ISALPHA(r[-1]) || ASCII_ISDIGIT(r[-1]) ||
		    r[-1] == '_')) && !(ASCII_ISALPHA(r[3]) ||
		    ASCII_ISDIGIT(r[3]) || r[3] == '_')) {
			while (*r != '\0' && *r != '\n')
				r++;
			if (*r == '\n')
				r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/*
 * sm_mc_args - the arguments of a macro call whose '(' is at *pp, one
 * level of quotes removed, into args (at most SM_ARGS_MAX); *pp moves
 * past the ')'.  The count, -1 when the call does not end, or -2 when an
 * argument is longer than SM_ARG_MAX (a cut list would be wrong).
 */
static int
sm_mc_args(char **pp, char args[SM_ARGS_MAX][SM_ARG_MAX])
{
	char	*p = *pp + 1;
	size_t	 n = 0;
	int	 q = 0, paren = 0, na = 0;
	bool	 lead = true, cut = false;

	args[0][0] = '\0';
	for (; *p != '\0'; p++) {
		if (q == 0 && lead && ASCII_ISSPACE(*p))
			continue;
		lead = false;
		if (*p == '`') {
			if (q++ == 0)
				continue;
		} else if (*p == '\'' && q > 0) {
			if (--q == 0)
				continue;
		} else if (q == 0 && *p == '(') {
			paren++;
		} else if (q == 0 && *p == ')' && paren > 0) {
			paren--;
		} else if (q == 0 && (*p == ')' || (*p == ',' && paren == 0))) {
			if (na < SM_ARGS_MAX)
				args[na][n] = '\0';
			na++;
			if (*p == ')') {
				*pp = p + 1;
				if (cut)
					return (-2);
				return (na < SM_ARGS_MAX ? na : SM_ARGS_MAX);
			}
			n = 0;
			lead = true;
			if (na < SM_ARGS_MAX)
				args[na][0] = '\0';
			continue;
		}
		if (na < SM_ARGS_MAX && n < SM_ARG_MAX - 1)
			args[na][n++] = *p;
		else if (na < SM_ARGS_MAX)
			cut = true;
	}
	*pp = p;
	return (-1);
}

/* sm_mc_feature - FEATURE(name, args...). */
static void
sm_mc_feature(struct sm *x, char args[SM_ARGS_MAX][SM_ARG_MAX], int na)
{
	static const struct {
		const char	*name;
		const char	*why;
	} warn[] = {
		{ "promiscuous_relay", "every destination is relayed for "
		    "every client (an open relay)" },
		{ "relay_entire_domain", "hosts in the server's own domain "
		    "($m) may relay, which the file does not name" },
		{ "relay_based_on_MX", "domains whose MX is this server are "
		    "relayed, which needs DNS" },
		{ "relay_local_from", "mail with a local sender address is "
		    "relayed: by sender, not by client or destination" },
		{ "relay_mail_from", "senders listed in the access map are "
		    "relayed: by sender, not by client or destination" },
		{ "loose_relay_check", "the % hack is relayed" },
	};
	char	*name = sm_trim(args[0]), *spec, none[1] = "";
	size_t	 i;

	for (i = 0; i < sizeof(warn) / sizeof(warn[0]); i++)
		if (strcmp(name, warn[i].name) == 0)
			sm_warn(x, "%s: FEATURE(%s): %s", x->base, name,
			    warn[i].why);
	spec = na > 1 ? sm_trim(args[1]) : none;
	if (strcmp(name, "use_cw_file") == 0)
		x->use_cw = true;
	else if (strcmp(name, "relay_hosts_only") == 0)
		x->hosts_only = true;
	else if (strcmp(name, "access_db") == 0) {
		free(x->access);
		x->access = *spec != '\0' ? sm_map_spec(x, "access_db", spec) :
		    xstrdup("/etc/mail/access");
	} else if (strcmp(name, "mailertable") == 0) {
		free(x->mailertable);
		x->mailertable = *spec != '\0' ? sm_map_spec(x, "mailertable",
		    spec) : xstrdup("/etc/mail/mailertable");
	}
}

/* sm_mc_call - one macro call of sendmail.mc. */
static void
sm_mc_call(struct sm *x, const char *name, char args[SM_ARGS_MAX][SM_ARG_MAX],
    int na)
{
	char	 detail[128], *v;

	(void)snprintf(detail, sizeof(detail), "%s %s", x->base, name);
	if (strcmp(name, "FEATURE") == 0)
		sm_mc_feature(x, args, na);
	else if (strcmp(name, "LOCAL_DOMAIN") == 0 ||
	    strcmp(name, "VIRTUSER_DOMAIN") == 0 ||
	    strcmp(name, "RELAY_DOMAIN") == 0) {
		/* Kept for the end: a later FEATURE may change their sense. */
		if (x->nwords == SM_WORDS_MAX) {
			sm_warn(x, "%s: more than %d %s calls, the rest are "
			    "skipped", x->base, SM_WORDS_MAX, name);
			return;
		}
		x->words[x->nwords].class = name[0] == 'R' ? SM_R : SM_W;
		x->words[x->nwords].detail = xstrdup(detail);
		x->words[x->nwords].words = xstrdup(args[0]);
		x->nwords++;
	} else if (strcmp(name, "RELAY_DOMAIN_FILE") == 0)
		sm_file_spec(x, SM_R, args[0], name);
	else if (strcmp(name, "VIRTUSER_DOMAIN_FILE") == 0)
		sm_file_spec(x, SM_W, args[0], name);
	else if (strcmp(name, "define") == 0 && na >= 2) {
		name = sm_trim(args[0]);
		v = sm_trim(args[1]);
		(void)snprintf(detail, sizeof(detail), "%s %s", x->base, name);
		if (strcmp(name, "confCW_FILE") == 0) {
			free(x->cw_file);
			x->cw_file = xstrdup(v);
		} else if (strcmp(name, "confCR_FILE") == 0) {
			free(x->cr_file);
			x->cr_file = xstrdup(v);
		} else if (strcmp(name, "confDOMAIN_NAME") == 0) {
			if (strchr(v, '$') != NULL)
				sm_warn(x, "%s: %.80s: macros cannot be "
				    "expanded off the server", detail, v);
			else if (*v != '\0') {
				x->have_j = true;
				sm_class_word(x, SM_W, v, detail);
			}
		}
	}
}

/* sm_read_mc - sendmail.mc: its macro calls, wherever they are. */
static int
sm_read_mc(struct sm *x, FILE *f)
{
	static char	 args[SM_ARGS_MAX][SM_ARG_MAX];
	char		*t, *p, *s, name[64], spec[SM_ARG_MAX];
	size_t		 n, len;
	int		 na;

	t = xmalloc(SM_MC_MAX + 1);
	n = fread(t, 1, SM_MC_MAX, f);
	t[n] = '\0';
	if (n == SM_MC_MAX && getc(f) != EOF)
		sm_warn(x, "%s: longer than %d bytes, the rest is not read",
		    x->base, SM_MC_MAX);
	if (memchr(t, '\0', n) != NULL)
		sm_warn(x, "%s: holds a NUL byte, the rest is not read",
		    x->base);
	sm_mc_clean(t);
	for (p = t; *p != '\0'; ) {
		if (!(ASCII_ISALPHA(*p) || *p == '_') || (p > t &&
		    (ASCII_ISALPHA(p[-1]) || ASCII_ISDIGIT(p[-1]) ||
		    p[-1] == '_'))) {
			p++;
			continue;
		}
		for (s = p; ASCII_ISALPHA(*s) || ASCII_ISDIGIT(*s) ||
		    *s == '_'; s++)
			;
		len = (size_t)(s - p);
		if (*s != '(' || len >= sizeof(name)) {
			p = s;
			continue;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p = s;
		if ((na = sm_mc_args(&p, args)) == -1) {
			sm_warn(x, "%s: %s( does not end", x->base, name);
			break;
		}
		if (na == -2)
			sm_warn(x, "%s: %s(: an argument longer than %d bytes, "
			    "skipped", x->base, name, SM_ARG_MAX);
		else
			sm_mc_call(x, name, args, na);
	}
	free(t);
	for (n = 0; n < x->nwords; n++)
		sm_class_words(x, x->words[n].class, x->words[n].words,
		    x->words[n].detail);
	/* What the generated sendmail.cf always has. */
	(void)snprintf(spec, sizeof(spec), "%s class w (Cwlocalhost)",
	    x->base);
	(void)locality_add_domain(x->loc, "localhost", LOC_LOCAL,
	    LOC_ORIGIN_CONFIG, spec);
	if (x->use_cw) {
		(void)strlcpy(spec, x->cw_file != NULL ? x->cw_file :
		    "/etc/mail/local-host-names", sizeof(spec));
		sm_file_spec(x, SM_W, spec, "confCW_FILE");
	}
	(void)strlcpy(spec, x->cr_file != NULL ? x->cr_file :
	    "-o /etc/mail/relay-domains", sizeof(spec));
	sm_file_spec(x, SM_R, spec, "confCR_FILE");
	return (0);
}

/* --- the files the configuration names ------------------------------ */

/* sm_open - a file the configuration names; NULL after a warning. */
static FILE *
sm_open(struct sm *x, const char *name, const char *what, bool optional)
{
	FILE	*f;

	if ((f = locality_conf_open(x->path, name)) != NULL)
		return (f);
	sm_warn(x, "%s: %s %.80s%s: %s next to %s: copy it from the server",
	    x->base, what, name, optional ? " (optional)" : "",
	    strerror(errno), x->base);
	return (NULL);
}

/* sm_read_class_file - every word of every line into the class. */
static void
sm_read_class_file(struct sm *x, const struct sm_file *cf)
{
	char	 line[SM_LINE_MAX], detail[160], *p;
	FILE	*f;
	long	 n = 0;
	int	 rc;

	if ((f = sm_open(x, cf->name, cf->class == SM_W ? "class w file" :
	    "class R file", cf->optional)) == NULL)
		return;
	(void)snprintf(detail, sizeof(detail), "%s class %s (%s)", x->base,
	    cf->class == SM_W ? "w" : "R", cf->name);
	while ((rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		n++;
		if (rc == -1) {
			sm_warn(x, "%s:%ld: line too long, skipped", cf->name,
			    n);
			continue;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		sm_class_words(x, cf->class, line, detail);
	}
	(void)fclose(f);
}

/* sm_access_entry - one "key value" line of the access map. */
static void
sm_access_entry(struct sm *x, char *key, const char *value)
{
	char		 detail[160], *tag = NULL, *c;
	struct span	 k = span_from_cstr(key);

	if (!span_caseeq_cstr(span_from_cstr(value), "RELAY"))
		return;
	if ((c = strchr(key, ':')) != NULL &&
	    (span_casestartswith(k, "Connect:") ||
	    span_casestartswith(k, "To:") || span_casestartswith(k, "From:"))) {
		tag = key;
		*c = '\0';
		key = c + 1;
	} else if (c != NULL && !span_casestartswith(k, "IPv6:")) {
		return;			/* another tag: not about relaying */
	}
	(void)snprintf(detail, sizeof(detail), "%s access (%s%sRELAY)",
	    x->base, tag != NULL ? tag : "", tag != NULL ? ": " : "");
	if (*key == '\0')
		return;
	if (tag != NULL && span_caseeq_cstr(span_from_cstr(tag), "From")) {
		sm_warn(x, "%s: From:%.80s RELAY: relaying by the sender's "
		    "address, not by client or destination, skipped", x->base,
		    key);
		return;
	}
	if (tag == NULL || span_caseeq_cstr(span_from_cstr(tag), "Connect")) {
		if (sm_net(x, key, detail))
			return;
		if (sm_numeric(key)) {
			sm_warn(x, "%s: %s%s%.80s RELAY: not an address or "
			    "prefix, skipped", x->base, tag != NULL ? tag : "",
			    tag != NULL ? ":" : "", key);
			return;
		}
		if (tag != NULL) {
			sm_warn(x, "%s: Connect:%.80s RELAY: a client by its "
			    "DNS name cannot be known off the server, skipped",
			    x->base, key);
			return;
		}
	}
	if (strchr(key, '@') != NULL) {
		sm_warn(x, "%s: %s%s%.80s RELAY: one address, not a domain, "
		    "skipped", x->base, tag != NULL ? tag : "",
		    tag != NULL ? ":" : "", key);
		return;
	}
	if (!sm_relay_domain(x, key, detail)) {
		sm_warn(x, "%s: %s%s%.80s RELAY: not a domain, skipped",
		    x->base, tag != NULL ? tag : "", tag != NULL ? ":" : "",
		    key);
		return;
	}
	if (tag == NULL)
		sm_names_clients(x, detail);
}

/*
 * sm_read_map - the source text of a map, "key value" per line, each
 * entry given to fn.
 */
static void
sm_read_map(struct sm *x, const char *name, const char *what,
    void (*fn)(struct sm *, char *, const char *))
{
	char	 line[SM_LINE_MAX], *p, *key;
	FILE	*f;
	long	 n = 0;
	int	 rc;

	if ((f = sm_open(x, name, what, false)) == NULL)
		return;
	while ((rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		n++;
		if (rc == -1) {
			sm_warn(x, "%s:%ld: line too long, skipped", name, n);
			continue;
		}
		p = sm_trim(line);
		if (*p == '#' || *p == '\0')
			continue;
		if ((key = sm_word(&p)) == NULL)
			continue;
		fn(x, key, sm_trim(p));
	}
	(void)fclose(f);
}

/* sm_mailertable_entry - a domain routed to the local mailer is local. */
static void
sm_mailertable_entry(struct sm *x, char *key, const char *value)
{
	char	detail[160];

	if (strncmp(value, "local:", 6) != 0 && strcmp(value, "local") != 0)
		return;
	(void)snprintf(detail, sizeof(detail), "%s mailertable (local mailer)",
	    x->base);
	if (locality_add_domain(x->loc, key, LOC_LOCAL, LOC_ORIGIN_CONFIG,
	    detail) == -1)
		sm_warn(x, "%s: mailertable %.80s: not a domain, skipped",
		    x->base, key);
}

/*
 * locality_is_sendmail - does path look like sendmail.cf (its version
 * line, class and map lines) or sendmail.mc (the m4 macros every one
 * has)?
 */
bool
locality_is_sendmail(const char *path)
{
	FILE	*f;
	char	 line[1024], *l;
	bool	 yes = false;
	int	 n = 0, rc;

	if ((f = fopen(path, "r")) == NULL)
		return (false);
	while (!yes && n++ < 5000 &&
	    (rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		l = line;
		if ((line[0] == 'V' && ASCII_ISDIGIT(line[1])) ||
		    strncmp(l, "Fw", 2) == 0 || strncmp(l, "Cw", 2) == 0 ||
		    strncmp(l, "Kaccess ", 8) == 0 ||
		    strncmp(l, "O QueueDirectory", 16) == 0)
			yes = true;
		l = sm_trim(line);
		if (strncmp(l, "OSTYPE(", 7) == 0 ||
		    strncmp(l, "FEATURE(", 8) == 0 ||
		    strncmp(l, "MAILER(", 7) == 0 ||
		    strncmp(l, "VERSIONID(", 10) == 0)
			yes = true;
	}
	(void)fclose(f);
	return (yes);
}

/* sm_is_mc - does the text of f (rewound after) look like m4? */
static bool
sm_is_mc(FILE *f)
{
	char	 line[1024], *l;
	bool	 yes = false;
	int	 n = 0, rc;

	while (!yes && n++ < 5000 &&
	    (rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		l = sm_trim(line);
		if (strncmp(l, "OSTYPE(", 7) == 0 ||
		    strncmp(l, "FEATURE(", 8) == 0 ||
		    strncmp(l, "MAILER(", 7) == 0 ||
		    strncmp(l, "divert(", 7) == 0 ||
		    strncmp(l, "VERSIONID(", 10) == 0 ||
		    strncmp(l, "define(", 7) == 0)
			yes = true;
		if (line[0] == 'V' && ASCII_ISDIGIT(line[1]))
			break;
	}
	rewind(f);
	return (yes);
}

/*
 * locality_load_sendmail - add the domains and networks a sendmail.cf or
 * sendmail.mc (and the files it names) declares, as LOC_ORIGIN_CONFIG.
 * Returns -1 when the file cannot be read (err: "path: reason"),
 * otherwise the number of warnings, the first of which goes to err (""
 * when there is none).
 */
int
locality_load_sendmail(struct locality *loc, const char *path, char *err,
    size_t errlen)
{
	struct sm	 x;
	FILE		*f;
	const char	*slash;
	size_t		 i, before = locality_nwarnings(loc);

	if (errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	memset(&x, 0, sizeof(x));
	x.loc = loc;
	x.path = path;
	x.base = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	x.mc = sm_is_mc(f);
	if (ferror(f)) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)fclose(f);
		return (-1);
	}
	if (x.mc)
		(void)sm_read_mc(&x, f);
	else
		(void)sm_read_cf(&x, f);
	(void)fclose(f);
	for (i = 0; i < x.nfiles; i++)
		sm_read_class_file(&x, &x.files[i]);
	if (x.access != NULL)
		sm_read_map(&x, x.access, "access map", sm_access_entry);
	if (x.mailertable != NULL)
		sm_read_map(&x, x.mailertable, "mailertable",
		    sm_mailertable_entry);
	if (!x.have_j)
		sm_warn(&x, "%s: class w also holds the server's own host "
		    "name and addresses, which the file does not name: add "
		    "them with --local-domain", x.base);
	for (i = 0; i < x.nfiles; i++)
		free(x.files[i].name);
	for (i = 0; i < x.nwords; i++) {
		free(x.words[i].detail);
		free(x.words[i].words);
	}
	free(x.cw_file);
	free(x.cr_file);
	free(x.access);
	free(x.mailertable);
	if (locality_nwarnings(loc) > before && errlen > 0)
		(void)snprintf(err, errlen, "%s: warnings (see the report)",
		    path);
	return ((int)(locality_nwarnings(loc) - before));
}
