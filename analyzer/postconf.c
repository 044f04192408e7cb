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
 * Postfix main.cf parameters (see postconf.h).  The file is an
 * administrator's, but it may have been edited by an intruder or damaged
 * in the copy, so lines are bounded (POSTCONF_LINE_MAX), bytes are never
 * written back into what was read, and everything odd is reported through
 * the caller's warn() rather than guessed at.
 *
 * Syntax (postconf(5), readlline(3)): "name = value"; a line starting
 * with white space continues the logical line before it; blank lines and
 * lines whose first non-blank is '#' are skipped without ending a
 * continued line; a later setting of a name replaces an earlier one.
 * List values split on commas and white space, "{...}" kept whole.
 */

#include "config.h"

#include "postconf.h"

#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define POSTCONF_LINE_MAX	(1024 * 1024)	/* one logical line */
#define POSTCONF_SEP		", \t\r\n"

struct pc_param {
	char	*name;
	char	*value;
};

struct postconf {
	char		*path;
	char		*dir;		/* absolute when it can be made so */
	const char	*file;		/* last component of path */
	struct pc_param	*par;
	size_t		 npar;
	int		 level;		/* compatibility_level, major */
	char		 why[128];	/* why the last expansion failed */
	void		(*warn)(void *, const char *);
	void		*arg;
};

/* Postfix defaults: the legacy one below compatibility level "level". */
static const struct {
	const char	*name;
	int		 level;
	const char	*legacy;
	const char	*modern;
} pc_defaults[] = {
	{ "mydestination", 0, "",
	    "$myhostname, localhost.$mydomain, localhost" },
	{ "myorigin", 0, "", "$myhostname" },
	{ "relay_domains", 2, "$mydestination", "" },
	{ "virtual_alias_domains", 0, "", "$virtual_alias_maps" },
	{ "virtual_alias_maps", 0, "", "$virtual_maps" },
	{ "virtual_maps", 0, "", "" },
	{ "virtual_mailbox_domains", 0, "", "$virtual_mailbox_maps" },
	{ "virtual_mailbox_maps", 0, "", "" },
	{ "parent_domain_matches_subdomains", 1,
	    "debug_peer_list,fast_flush_domains,mynetworks,"
	    "permit_mx_backup_networks,qmqpd_authorized_clients,"
	    "relay_domains,smtpd_access_maps", "" },
	{ "compatibility_level", 0, "", "0" },
	{ "mynetworks_style", 2, "subnet", "host" },
	{ "inet_interfaces", 0, "", "all" },
	{ "proxy_interfaces", 0, "", "" },
};

/* pc_warn - pass a formatted warning to the caller. */
static void __attribute__((__format__(__printf__, 2, 3)))
pc_warn(struct postconf *pc, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	if (pc->warn == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pc->warn(pc->arg, msg);
}

/* pc_isname - a byte of a parameter name. */
static bool
pc_isname(char c)
{
	return (ASCII_ISALPHA(c) || ASCII_ISDIGIT(c) || c == '_');
}

/* postconf_get - the value the file sets for name, or NULL. */
const char *
postconf_get(const struct postconf *pc, const char *name, size_t n)
{
	size_t	i;

	for (i = 0; i < pc->npar; i++)
		if (strlen(pc->par[i].name) == n &&
		    memcmp(pc->par[i].name, name, n) == 0)
			return (pc->par[i].value);
	return (NULL);
}

/*
 * postconf_raw - the unexpanded value of name: as set, else Postfix's
 * default text; NULL when neither is known (myhostname unset) or the
 * default is computed (mydomain, config_directory).
 */
const char *
postconf_raw(const struct postconf *pc, const char *name, size_t n)
{
	const char	*v;
	size_t		 i;

	if ((v = postconf_get(pc, name, n)) != NULL)
		return (v);
	for (i = 0; i < sizeof(pc_defaults) / sizeof(pc_defaults[0]); i++)
		if (strlen(pc_defaults[i].name) == n &&
		    memcmp(pc_defaults[i].name, name, n) == 0)
			return (pc->level < pc_defaults[i].level ?
			    pc_defaults[i].legacy : pc_defaults[i].modern);
	return (NULL);
}

/* pc_set - remember name = value; a later setting replaces it. */
static void
pc_set(struct postconf *pc, struct span name, struct span value)
{
	size_t	i;

	for (i = 0; i < pc->npar; i++)
		if (span_eq_cstr(name, pc->par[i].name)) {
			free(pc->par[i].value);
			pc->par[i].value = span_dup(value);
			return;
		}
	pc->par = xreallocarray(pc->par, pc->npar + 1, sizeof(*pc->par));
	pc->par[pc->npar].name = span_dup(name);
	pc->par[pc->npar].value = span_dup(value);
	pc->npar++;
}

/*
 * postconf_value - append the expanded value of parameter name to out,
 * depth being the number of references followed so far (0 at the top).
 * POSTCONF_UNDEF when it has no value that can be known here,
 * POSTCONF_FAIL on a loop or overflow; postconf_why() says which.
 */
int
postconf_value(struct postconf *pc, const char *name, size_t n, int depth,
    struct buf *out)
{
	struct buf	 host;
	const char	*v, *dot;
	int		 rv;

	if (depth > POSTCONF_DEPTH_MAX) {
		(void)snprintf(pc->why, sizeof(pc->why),
		    "expansion nested too deep at $%.*s (a loop?)",
		    (int)(n > 64 ? 64 : n), name);
		return (POSTCONF_FAIL);
	}
	if (postconf_get(pc, name, n) == NULL) {
		if (n == 16 && memcmp(name, "config_directory", n) == 0)
			return (buf_append(out, pc->dir, strlen(pc->dir)) ==
			    -1 ? POSTCONF_FAIL : POSTCONF_OK);
		if (n == 8 && memcmp(name, "mydomain", n) == 0) {
			buf_init(&host, POSTCONF_EXPAND_MAX);
			rv = postconf_value(pc, "myhostname", 10, depth + 1,
			    &host);
			v = buf_span(&host).p;
			if ((dot = strchr(v, '.')) != NULL)
				v = dot + 1;
			else
				v = "localdomain";
			if (rv == POSTCONF_OK &&
			    buf_append(out, v, strlen(v)) == -1)
				rv = POSTCONF_FAIL;
			buf_free(&host);
			return (rv);
		}
	}
	if ((v = postconf_raw(pc, name, n)) != NULL)
		return (postconf_expand(pc, v, strlen(v), depth, out));
	(void)snprintf(pc->why, sizeof(pc->why), "%.*s is not set",
	    (int)(n > 64 ? 64 : n), name);
	return (POSTCONF_UNDEF);
}

/* pc_close - index of the bracket closing the one at text[i], or n. */
static size_t
pc_close(const char *text, size_t n, size_t i)
{
	char	open = text[i], close = open == '{' ? '}' : ')';
	int	depth = 0;

	for (; i < n; i++) {
		if (text[i] == open)
			depth++;
		else if (text[i] == close && --depth == 0)
			return (i);
	}
	return (n);
}

/* pc_cond - ${name?text} (text if name is not empty) or ${name:text}. */
static int
pc_cond(struct postconf *pc, const char *name, size_t n, char op,
    const char *arg, size_t argn, int depth, struct buf *out)
{
	struct buf	val;
	int		rv;
	bool		set;

	buf_init(&val, POSTCONF_EXPAND_MAX);
	rv = postconf_value(pc, name, n, depth + 1, &val);
	set = rv == POSTCONF_OK && val.len > 0;
	buf_free(&val);
	if (rv == POSTCONF_FAIL)
		return (POSTCONF_FAIL);
	if (argn >= 2 && arg[0] == '{' && arg[argn - 1] == '}') {
		arg++;
		argn -= 2;
	}
	if ((op == '?') != set)
		return (POSTCONF_OK);
	return (postconf_expand(pc, arg, argn, depth, out));
}

/*
 * postconf_expand - append text with every parameter reference expanded.
 * Returns as postconf_value() does.
 */
int
postconf_expand(struct postconf *pc, const char *text, size_t n, int depth,
    struct buf *out)
{
	const char	*in;
	size_t		 i, j, k, inn;
	int		 rv;

	for (i = 0; i < n; i++) {
		if (text[i] != '$' || i + 1 == n) {
			if (buf_putc(out, text[i]) == -1)
				goto toolong;
			continue;
		}
		if (text[i + 1] == '$') {	/* $$ is one '$' */
			if (buf_putc(out, '$') == -1)
				goto toolong;
			i++;
			continue;
		}
		if (text[i + 1] == '{' || text[i + 1] == '(') {
			if ((j = pc_close(text, n, i + 1)) == n) {
				(void)snprintf(pc->why, sizeof(pc->why),
				    "unterminated $%c", text[i + 1]);
				return (POSTCONF_FAIL);
			}
			in = text + i + 2;
			inn = j - i - 2;
			for (k = 0; k < inn && pc_isname(in[k]); k++)
				;
			if (k == 0 || (k < inn && in[k] != '?' &&
			    in[k] != ':')) {
				(void)snprintf(pc->why, sizeof(pc->why),
				    "unsupported expression $%c%.*s",
				    text[i + 1], (int)(inn > 40 ? 40 : inn),
				    in);
				return (POSTCONF_FAIL);
			}
			if (k == inn)
				rv = postconf_value(pc, in, k, depth + 1, out);
			else
				rv = pc_cond(pc, in, k, in[k], in + k + 1,
				    inn - k - 1, depth, out);
			if (rv != POSTCONF_OK)
				return (rv);
			i = j;
			continue;
		}
		for (k = i + 1; k < n && pc_isname(text[k]); k++)
			;
		if (k == i + 1) {
			if (buf_putc(out, '$') == -1)
				goto toolong;
			continue;
		}
		if ((rv = postconf_value(pc, text + i + 1, k - i - 1,
		    depth + 1, out)) != POSTCONF_OK)
			return (rv);
		i = k - 1;
	}
	return (POSTCONF_OK);
toolong:
	(void)snprintf(pc->why, sizeof(pc->why),
	    "expands to more than %d octets", POSTCONF_EXPAND_MAX);
	return (POSTCONF_FAIL);
}

/* postconf_why - why the last expansion failed. */
const char *
postconf_why(const struct postconf *pc)
{
	return (pc->why);
}

/*
 * postconf_next_item - the next list item of text from *pos: split on
 * commas and white space, "{...}" kept whole.  False at the end.
 */
bool
postconf_next_item(const char *text, size_t n, size_t *pos,
    struct span *item)
{
	size_t	i = *pos, start;
	int	depth = 0;

	while (i < n && strchr(POSTCONF_SEP, text[i]) != NULL)
		i++;
	if (i >= n)
		return (false);
	for (start = i; i < n; i++) {
		if (text[i] == '{')
			depth++;
		else if (text[i] == '}' && depth > 0)
			depth--;
		else if (depth == 0 && strchr(POSTCONF_SEP, text[i]) != NULL)
			break;
	}
	item->p = text + start;
	item->n = i - start;
	*pos = i;
	return (true);
}

/* postconf_sole_ref - is item exactly one $name, ${name} or $(name)? */
bool
postconf_sole_ref(struct span item, struct span *name)
{
	size_t	i, start = 1, end = item.n;

	if (item.n < 2 || item.p[0] != '$')
		return (false);
	if (item.p[1] == '{' || item.p[1] == '(') {
		if (item.p[item.n - 1] != (item.p[1] == '{' ? '}' : ')'))
			return (false);
		start = 2;
		end = item.n - 1;
	}
	if (end <= start)
		return (false);
	for (i = start; i < end; i++)
		if (!pc_isname(item.p[i]))
			return (false);
	name->p = item.p + start;
	name->n = end - start;
	return (true);
}

/* pc_logical - one logical line: name = value. */
static void
pc_logical(struct postconf *pc, const struct buf *lb, unsigned long lineno,
    bool overflow)
{
	struct span	 sp = buf_span(lb), name, value;
	size_t		 i;

	if (sp.n == 0)
		return;
	if (overflow || memchr(sp.p, '\0', sp.n) != NULL) {
		pc_warn(pc, "%s, line %lu: %s, ignored", pc->path, lineno,
		    overflow ? "logical line too long" : "NUL byte");
		return;
	}
	for (i = 0; i < sp.n && !ASCII_ISSPACE(sp.p[i]) && sp.p[i] != '=';
	    i++)
		;
	name.p = sp.p;
	name.n = i;
	while (i < sp.n && ASCII_ISSPACE(sp.p[i]))
		i++;
	if (name.n == 0 || i == sp.n || sp.p[i] != '=') {
		pc_warn(pc, "%s, line %lu: not \"name = value\": %.40s",
		    pc->path, lineno, sp.p);
		return;
	}
	value = span_trim((struct span){ sp.p + i + 1, sp.n - i - 1 });
	pc_set(pc, name, value);
}

/* pc_lines - read the logical lines of fp; -1 on a read error. */
static int
pc_lines(struct postconf *pc, FILE *fp)
{
	struct buf	 lb;
	struct span	 sp, t;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned long	 lineno = 0, start = 0;
	bool		 overflow = false;
	int		 rv = 0;

	buf_init(&lb, POSTCONF_LINE_MAX);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		sp.p = line;
		sp.n = (size_t)len;
		if (sp.n > 0 && sp.p[sp.n - 1] == '\n')
			sp.n--;
		t = span_trim(sp);
		if (t.n == 0 || t.p[0] == '#')
			continue;
		if (ASCII_ISSPACE(sp.p[0])) {
			if (lb.len == 0 && !overflow)
				pc_warn(pc, "%s, line %lu: continuation line "
				    "without text before it, ignored",
				    pc->path, lineno);
			else if (buf_append_span(&lb, sp) == -1)
				overflow = true;
			continue;
		}
		pc_logical(pc, &lb, start, overflow);
		buf_reset(&lb);
		start = lineno;
		overflow = buf_append_span(&lb, sp) == -1;
	}
	if (ferror(fp))
		rv = -1;
	else
		pc_logical(pc, &lb, start, overflow);
	buf_free(&lb);
	free(line);
	return (rv);
}

/*
 * postconf_read - read a main.cf.  Problems with single lines go to
 * warn(arg, message) (NULL: dropped); a file that cannot be read gives
 * NULL, with "path: reason" in err.
 */
struct postconf *
postconf_read(const char *path, void (*warn)(void *, const char *),
    void *arg, char *err, size_t errlen)
{
	struct postconf	*pc;
	struct buf	 b;
	const char	*slash, *p;
	char		*dir;
	FILE		*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	pc = xcalloc(1, sizeof(*pc));
	pc->path = xstrdup(path);
	pc->warn = warn;
	pc->arg = arg;
	if ((slash = strrchr(pc->path, '/')) == NULL) {
		dir = xstrdup(".");
		pc->file = pc->path;
	} else {
		dir = slash == pc->path ? xstrdup("/") :
		    xstrndup(pc->path, (size_t)(slash - pc->path));
		pc->file = slash + 1;
	}
	if ((pc->dir = realpath(dir, NULL)) == NULL)
		pc->dir = xstrdup(dir);
	free(dir);
	if (pc_lines(pc, fp) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)fclose(fp);
		postconf_free(pc);
		return (NULL);
	}
	(void)fclose(fp);
	buf_init(&b, POSTCONF_EXPAND_MAX);
	if (postconf_value(pc, "compatibility_level", 19, 0, &b) ==
	    POSTCONF_OK)
		for (p = buf_span(&b).p; ASCII_ISDIGIT(*p) &&
		    pc->level < 1000; p++)
			pc->level = pc->level * 10 + (*p - '0');
	buf_free(&b);
	return (pc);
}

/* postconf_free - free everything; NULL is a no-op. */
void
postconf_free(struct postconf *pc)
{
	size_t	i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->npar; i++) {
		free(pc->par[i].name);
		free(pc->par[i].value);
	}
	free(pc->par);
	free(pc->path);
	free(pc->dir);
	free(pc);
}

/* postconf_dir - the directory of the file read ($config_directory). */
const char *
postconf_dir(const struct postconf *pc)
{
	return (pc->dir);
}

/* postconf_file - the file name read, without its directory. */
const char *
postconf_file(const struct postconf *pc)
{
	return (pc->file);
}

/* postconf_level - compatibility_level's major number ("3.6" is 3). */
int
postconf_level(const struct postconf *pc)
{
	return (pc->level);
}
