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
 * Local domains and networks from a Postfix main.cf, often read on a
 * machine that is not the mail server (the files were copied off it).
 *
 * postconf.c reads the file and expands $name references (bounded, so a
 * loop ends in a warning, not a hang).  An entry that is a single $name
 * is loaded as that parameter's own list, so one unknown entry does not
 * take its neighbours with it.
 *
 * Read: mydestination, virtual_alias_domains, virtual_mailbox_domains
 * (local), relay_domains (relay) and mynetworks, with Postfix's defaults
 * for the file's compatibility_level (unset: 0, the legacy ones).  What
 * cannot be known off the server is not invented: without myhostname,
 * entries built on it are skipped with a warning; without mynetworks only
 * loopback is trusted.  "!domain" excludes: it is listed as foreign.
 * Lists named in parent_domain_matches_subdomains also get ".domain"
 * patterns.  An unset relay_domains is skipped: its legacy default only
 * repeats mydestination.
 *
 * Tables: hash, btree, dbm, sdbm, lmdb, cdb, texthash and cidr are read
 * from their source text, keys being each line's first word (keys with
 * '@' are addresses and are skipped); inline:{...} is read in place and
 * proxy: looked through; other types (ldap:, regexp:, ...) are warned
 * about.  $config_directory is main.cf's directory.  Files are looked for
 * next to main.cf first, where copies land: a relative name there, an
 * absolute /etc/postfix/x as x there, any other absolute name by its last
 * component there, and only then at the absolute name itself, so that an
 * analyst's own /etc/postfix never stands in for the server's.  Details
 * name a table as main.cf wrote it, so they do not depend on where the
 * analysis ran.
 */

#include "config.h"

#include "locality.h"

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "postconf.h"
#include "xmalloc.h"

/* One load. */
struct pf {
	struct locality	*loc;
	struct postconf	*pc;
	const char	*dir;		/* main.cf's directory */
	const char	*base;		/* main.cf's file name */
};

/* What a list is loaded into. */
struct pf_target {
	const char	*param;
	enum loc_class	 class;
	bool		 nets;
	bool		 parent;	/* entries match subdomains too */
};

/* Where pf_nth() copies the first warning of a load. */
struct pf_err {
	size_t	 i, n;
	char	*err;
	size_t	 len;
};

/* Table types whose source is a text file of "key value" lines. */
static const char *const pf_text_tables[] = {
	"btree", "cdb", "cidr", "dbm", "hash", "lmdb", "sdbm", "texthash",
};

static void	pf_final(struct pf *, const struct pf_target *, const char *,
		    const char *, const char *);

#define pf_warn(pf, ...)	locality_add_warning((pf)->loc, __VA_ARGS__)

/* pf_postconf_warn - postconf_read() callback: keep its warnings. */
static void
pf_postconf_warn(void *arg, const char *msg)
{
	locality_add_warning(arg, "%s", msg);
}

/*
 * pf_list - load every item of a list value into t.  An item that is a
 * single parameter reference is loaded as that parameter's own list, so
 * one unknown entry ($myhostname) does not take its neighbours with it.
 */
static void
pf_list(struct pf *pf, const struct pf_target *t, const char *text,
    size_t n, int depth)
{
	struct span	 item, name, sub;
	struct buf	 e;
	const char	*v;
	char		*s, *raw;
	size_t		 pos = 0, epos;
	int		 rv;

	while (postconf_next_item(text, n, &pos, &item)) {
		if (depth > POSTCONF_DEPTH_MAX) {
			pf_warn(pf, "%s %s: skipped \"%.*s\": expansion "
			    "nested too deep (a loop?)", pf->base, t->param,
			    (int)(item.n > 80 ? 80 : item.n), item.p);
			return;
		}
		if (postconf_sole_ref(item, &name) &&
		    (v = postconf_raw(pf->pc, name.p, name.n)) != NULL) {
			pf_list(pf, t, v, strlen(v), depth + 1);
			continue;
		}
		buf_init(&e, POSTCONF_EXPAND_MAX);
		rv = postconf_expand(pf->pc, item.p, item.n, depth, &e);
		if (rv != POSTCONF_OK)
			pf_warn(pf, "%s %s: skipped \"%.*s\": %s", pf->base,
			    t->param, (int)(item.n > 80 ? 80 : item.n),
			    item.p, postconf_why(pf->pc));
		else {
			raw = span_dup(item);
			epos = 0;
			while (postconf_next_item(buf_span(&e).p, e.len, &epos,
			    &sub)) {
				s = span_dup(sub);
				pf_final(pf, t, s, raw, NULL);
				free(s);
			}
			free(raw);
		}
		buf_free(&e);
	}
}

/* pf_try - open dir/name (name "" for dir itself) into used. */
static FILE *
pf_try(const char *dir, const char *name, char *used, size_t usedlen)
{
	(void)snprintf(used, usedlen, "%s%s%s", dir, *dir != '\0' ? "/" : "",
	    name);
	return (fopen(used, "r"));
}

/*
 * pf_open - open a file main.cf names, looking next to main.cf first
 * (see the top of this file).  The name opened, or the name as given
 * when none could be, goes to used; errno is that of the last attempt.
 */
static FILE *
pf_open(struct pf *pf, const char *path, char *used, size_t usedlen)
{
	static const char	 etc[] = "/etc/postfix/";
	FILE			*fp;

	if (path[0] != '/')
		return (pf_try(pf->dir, path, used, usedlen));
	if (strncmp(path, etc, sizeof(etc) - 1) == 0 &&
	    (fp = pf_try(pf->dir, path + sizeof(etc) - 1, used,
	    usedlen)) != NULL)
		return (fp);
	if ((fp = pf_try(pf->dir, strrchr(path, '/') + 1, used,
	    usedlen)) != NULL)
		return (fp);
	return (pf_try("", path, used, usedlen));
}

/* pf_domain - list one domain of t, and its subdomains if t says so. */
static bool
pf_domain(struct pf *pf, const struct pf_target *t, const char *name,
    const char *detail)
{
	char	pat[300];

	if (locality_add_domain(pf->loc, name, t->class, LOC_ORIGIN_CONFIG,
	    detail) == -1)
		return (false);
	if (t->parent && name[0] != '.') {
		(void)snprintf(pat, sizeof(pat), ".%s", name);
		(void)locality_add_domain(pf->loc, pat, t->class,
		    LOC_ORIGIN_CONFIG, detail);
	}
	return (true);
}

/* pf_key - one key of a table: a network, or a domain unless it has '@'. */
static void
pf_key(struct pf *pf, const struct pf_target *t, const char *key,
    const char *detail, const char *where, unsigned long line)
{
	if (t->nets) {
		if (locality_add_net(pf->loc, key, LOC_ORIGIN_CONFIG,
		    detail) == -1)
			pf_warn(pf, "%s, line %lu: \"%.80s\" is not a "
			    "network", where, line, key);
		return;
	}
	if (strchr(key, '@') != NULL)
		return;			/* an address, not a domain */
	if (!pf_domain(pf, t, key, detail))
		pf_warn(pf, "%s, line %lu: \"%.80s\" is not a domain", where,
		    line, key);
}

/*
 * pf_file - read a list file (/file/name in a list: words) or a table's
 * source (first word of each line that is not a comment or a
 * continuation).
 */
static void
pf_file(struct pf *pf, const struct pf_target *t, const char *type,
    const char *path, const char *raw)
{
	char		 used[1024], detail[1200], *line = NULL, *s;
	struct span	 sp, word;
	FILE		*fp;
	size_t		 cap = 0, pos;
	ssize_t		 len;
	unsigned long	 lineno = 0;

	if ((fp = pf_open(pf, path, used, sizeof(used))) == NULL) {
		pf_warn(pf, "%s %s: cannot read %s: %s; its entries are "
		    "unknown", pf->base, t->param, path, strerror(errno));
		return;
	}
	(void)snprintf(detail, sizeof(detail), "%s %s %s", pf->base,
	    t->param, raw);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		sp = span_trim((struct span){ line, (size_t)len });
		if (sp.n == 0 || sp.p[0] == '#')
			continue;
		if (memchr(sp.p, '\0', sp.n) != NULL) {
			pf_warn(pf, "%s, line %lu: NUL byte, line ignored",
			    used, lineno);
			continue;
		}
		if (type != NULL) {
			/* A table: the key is the first word. */
			if (ASCII_ISSPACE(line[0]))
				continue;	/* continues a value */
			for (word = sp, word.n = 0; word.n < sp.n &&
			    !ASCII_ISSPACE(sp.p[word.n]); word.n++)
				;
			s = span_dup(word);
			if (strcmp(s, "if") != 0 && strcmp(s, "endif") != 0)
				pf_key(pf, t, s, detail, used, lineno);
			free(s);
			continue;
		}
		pos = 0;
		while (postconf_next_item(sp.p, sp.n, &pos, &word)) {
			s = span_dup(word);
			pf_final(pf, t, s, s, raw);
			free(s);
		}
	}
	if (ferror(fp))
		pf_warn(pf, "%s: read error: %s", used, strerror(errno));
	free(line);
	(void)fclose(fp);
}

/* pf_inline - the keys of inline:{ key=value, { key = value } }. */
static void
pf_inline(struct pf *pf, const struct pf_target *t, const char *spec,
    const char *item, const char *raw)
{
	struct span	 it, key;
	char		 detail[600], *s;
	size_t		 n = strlen(spec), pos = 0;

	if (n < 2 || spec[0] != '{' || spec[n - 1] != '}') {
		pf_warn(pf, "%s %s: \"%.80s\": inline table without {}",
		    pf->base, t->param, item);
		return;
	}
	(void)snprintf(detail, sizeof(detail), "%s %s %s", pf->base,
	    t->param, raw);
	while (postconf_next_item(spec + 1, n - 2, &pos, &it)) {
		if (it.n >= 2 && it.p[0] == '{' && it.p[it.n - 1] == '}') {
			it.p++;
			it.n -= 2;
		}
		it = span_trim(it);
		for (key = it, key.n = 0; key.n < it.n &&
		    it.p[key.n] != '=' && !ASCII_ISSPACE(it.p[key.n]);
		    key.n++)
			;
		if (key.n == 0)
			continue;
		s = span_dup(key);
		pf_key(pf, t, s, detail, "inline table", 0);
		free(s);
	}
}

/* pf_table - load the keys of a type:name table, when it can be read. */
static void
pf_table(struct pf *pf, const struct pf_target *t, const char *item,
    const char *raw)
{
	const char	*colon = strchr(item, ':'), *name = colon + 1;
	char		 type[32];
	size_t		 i, n = (size_t)(colon - item);

	if (n >= sizeof(type))
		n = sizeof(type) - 1;
	memcpy(type, item, n);
	type[n] = '\0';
	if (strcmp(type, "proxy") == 0 && strchr(name, ':') != NULL) {
		pf_table(pf, t, name, raw);
		return;
	}
	if (strcmp(type, "inline") == 0) {
		pf_inline(pf, t, name, item, raw);
		return;
	}
	for (i = 0; i < sizeof(pf_text_tables) / sizeof(pf_text_tables[0]);
	    i++)
		if (strcmp(type, pf_text_tables[i]) == 0) {
			pf_file(pf, t, type, name, raw);
			return;
		}
	pf_warn(pf, "%s %s: %.80s: a %s table cannot be read here; its "
	    "entries are unknown", pf->base, t->param, item, type);
}

/* pf_is_table - does item look like type:name? */
static bool
pf_is_table(const char *item)
{
	size_t	i;

	if (!ASCII_ISALPHA(item[0]))
		return (false);
	for (i = 1; ASCII_ISALPHA(item[i]) || ASCII_ISDIGIT(item[i]) ||
	    item[i] == '_'; i++)
		;
	return (item[i] == ':');
}

/*
 * pf_final - one expanded list item, written raw in main.cf, or in the
 * list file from: a domain or network, "!" exclusion, /file/name (not
 * inside a file) or table.
 */
static void
pf_final(struct pf *pf, const struct pf_target *t, const char *item,
    const char *raw, const char *from)
{
	char	detail[600];

	(void)snprintf(detail, sizeof(detail), "%s %s%s%s", pf->base, t->param,
	    from != NULL ? " " : "", from != NULL ? from : "");
	if (t->nets && locality_add_net(pf->loc, item, LOC_ORIGIN_CONFIG,
	    detail) == 0)
		return;
	if (item[0] == '/' && from == NULL) {
		pf_file(pf, t, NULL, item, raw);
		return;
	}
	if (pf_is_table(item)) {
		pf_table(pf, t, item, raw);
		return;
	}
	if (t->nets) {
		pf_warn(pf, "%s %s: \"%.80s\" is not a network", pf->base,
		    t->param, item);
		return;
	}
	if (item[0] == '!') {
		(void)strlcat(detail, " (excluded)", sizeof(detail));
		if (locality_add_domain(pf->loc, item + 1, LOC_FOREIGN,
		    LOC_ORIGIN_CONFIG, detail) == 0)
			return;
	} else if (pf_domain(pf, t, item, detail))
		return;
	pf_warn(pf, "%s %s: \"%.80s\" is not a domain", pf->base, t->param,
	    item);
}

/* pf_parent - is param listed in parent_domain_matches_subdomains? */
static bool
pf_parent(struct pf *pf, const char *param)
{
	struct buf	 b;
	struct span	 item;
	size_t		 pos = 0;
	bool		 found = false;

	buf_init(&b, POSTCONF_EXPAND_MAX);
	if (postconf_value(pf->pc, "parent_domain_matches_subdomains", 32, 0,
	    &b) == POSTCONF_OK)
		while (!found && postconf_next_item(buf_span(&b).p, b.len, &pos,
		    &item))
			found = span_eq_cstr(item, param);
	buf_free(&b);
	return (found);
}

/* pf_nth - locality_foreach_warning() callback: copy warning n to err. */
static void
pf_nth(void *arg, const char *msg)
{
	struct pf_err	*e = arg;

	if (e->i++ == e->n && e->len > 0)
		(void)snprintf(e->err, e->len, "%s", msg);
}

/* pf_mynetworks_default - Postfix's default, as far as it can be known. */
static void
pf_mynetworks_default(struct pf *pf)
{
	struct buf	style;
	char		detail[128];

	buf_init(&style, 64);
	if (postconf_value(pf->pc, "mynetworks_style", 16, 0, &style) !=
	    POSTCONF_OK ||
	    style.len == 0)
		(void)buf_append(&style, "subnet", 6);
	(void)snprintf(detail, sizeof(detail), "%s mynetworks unset: "
	    "loopback only", pf->base);
	(void)locality_add_net(pf->loc, "127.0.0.0/8", LOC_ORIGIN_CONFIG,
	    detail);
	(void)locality_add_net(pf->loc, "::1/128", LOC_ORIGIN_CONFIG, detail);
	pf_warn(pf, "%s: mynetworks is not set: Postfix trusts what "
	    "mynetworks_style = %.20s finds on the server's interfaces, "
	    "unknown here; trusting loopback only (add networks with "
	    "--local-net)", pf->base, buf_span(&style).p);
	buf_free(&style);
}

/*
 * locality_load_postfix - add the domains and networks a Postfix main.cf
 * declares, as LOC_ORIGIN_CONFIG.  Returns -1 when the file cannot be
 * read (err: "path: reason"), otherwise the number of warnings (tables
 * that cannot be read, entries skipped), which locality_foreach_warning()
 * lists; the first goes to err, which is "" when there is none.
 */
int
locality_load_postfix(struct locality *loc, const char *path, char *err,
    size_t errlen)
{
	static const struct pf_target	 targets[] = {
		{ "mydestination", LOC_LOCAL, false, false },
		{ "virtual_alias_domains", LOC_LOCAL, false, false },
		{ "virtual_mailbox_domains", LOC_LOCAL, false, false },
		{ "relay_domains", LOC_RELAY, false, false },
		{ "mynetworks", LOC_FOREIGN, true, false },
	};
	struct pf_err			 e;
	struct pf_target		 t;
	struct pf			 pf;
	const char			*v;
	char				 ref[64];
	size_t				 i, before = locality_nwarnings(loc);
	int				 rv;

	if (errlen > 0)
		err[0] = '\0';
	pf.loc = loc;
	if ((pf.pc = postconf_read(path, pf_postconf_warn, loc, err,
	    errlen)) == NULL)
		return (-1);
	pf.dir = postconf_dir(pf.pc);
	pf.base = postconf_file(pf.pc);
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		t = targets[i];
		t.parent = !t.nets && pf_parent(&pf, t.param);
		v = postconf_get(pf.pc, t.param, strlen(t.param));
		if (v == NULL && t.class == LOC_RELAY)
			continue;	/* the default repeats mydestination */
		if (v == NULL && t.nets) {
			pf_mynetworks_default(&pf);
			continue;
		}
		(void)snprintf(ref, sizeof(ref), "$%s", t.param);
		pf_list(&pf, &t, ref, strlen(ref), 0);
	}
	rv = (int)(locality_nwarnings(loc) - before);
	e.i = 0;
	e.n = before;
	e.err = err;
	e.len = errlen;
	if (rv > 0)
		locality_foreach_warning(loc, pf_nth, &e);
	postconf_free(pf.pc);
	return (rv);
}
