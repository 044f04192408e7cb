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
 * Local domains and networks from OpenSMTPD's smtpd.conf (smtpd.conf(5),
 * the syntax of OpenSMTPD 6.4 and later, and the older "accept" rules),
 * usually copied off the server.
 *
 * Statements read: macros ("name = value", used as $name), "include",
 * "table name type:path" and "table name { a, b }" / "{ k = v, ... }",
 * "action name method ...", and the rules:
 *
 *	match [!] from any | local | src <t> | socket | auth | rdns | ...
 *	    [!] for any | local | domain <t> | rcpt-to <t> | ...
 *	    [auth] [tls] [mail-from <t>] ... action name | reject
 *
 * with OpenSMTPD's defaults "from local" and "for local"; <t> is a table
 * name, an inline { list } or one value.  A rule whose action delivers
 * (mbox, maildir, lmtp, mda, forward-only, expand-only) makes its "for
 * domain" entries local; "for local" is localhost and the server's host
 * name, which the file does not name (warned about).  A rule whose
 * action relays makes, when any client may use it ("from any", no auth,
 * no sender or recipient condition), its "for domain" entries relay
 * destinations; and when it relays "for any", its "from src" entries are
 * trusted networks, "from local" the loopback addresses (127.0.0.1 and
 * ::1; the server's other addresses are warned about), and "from any" is
 * an open relay (warned about).  Rules that only authenticated clients
 * match say nothing about locality.  The older syntax ("accept from ...
 * for ... deliver to mbox", "... relay") is read the same way, with
 * "source" for "src".
 *
 * Table files: file: (or a bare path) is read a line at a time, the
 * first word being the entry; db: is read from its source text (the path
 * without ".db"); other backends (ldap:, sqlite:, ...) cannot be read off
 * the server and are warned about.  Files are looked for next to
 * smtpd.conf only (locality_conf_open()).  Everything is bounded: a
 * statement (OS_STMT_MAX bytes, continued lines and multi-line braces
 * included), its tokens, the tables, rules and macros, and include depth.
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

#define OS_LINE_MAX	8192
#define OS_STMT_MAX	65536
#define OS_TOKS_MAX	4096
#define OS_MACROS_MAX	256
#define OS_TABLES_MAX	256
#define OS_ACTIONS_MAX	256
#define OS_RULES_MAX	1024
#define OS_DEPTH_MAX	8
#define OS_EXPAND_MAX	8

enum os_kind {
	OS_UNKNOWN = 0,
	OS_DELIVER,		/* mbox, maildir, lmtp, mda, ... */
	OS_RELAY
};

enum os_ref_kind {
	OS_REF_NONE = 0,
	OS_REF_NAME,		/* <name> */
	OS_REF_LIST,		/* { a, b }: entries '\n'-separated */
	OS_REF_VALUE		/* one value */
};

struct os_ref {
	enum os_ref_kind	 kind;
	char			*text;
};

enum os_from {
	OS_FROM_LOCAL = 0,	/* the default */
	OS_FROM_ANY,
	OS_FROM_SRC,
	OS_FROM_OTHER		/* socket, auth, rdns, mail-from */
};

enum os_for {
	OS_FOR_LOCAL = 0,	/* the default */
	OS_FOR_ANY,
	OS_FOR_DOMAIN,
	OS_FOR_OTHER		/* rcpt-to, domain regex */
};

struct os_rule {
	long		 line;
	enum os_from	 from;
	bool		 from_neg;
	struct os_ref	 src;
	enum os_for	 rcpt;
	bool		 for_neg;
	struct os_ref	 domains;
	bool		 auth;		/* only authenticated clients */
	bool		 narrowed;	/* a sender, recipient, helo, tag... */
	bool		 reject;
	char		*action;	/* NULL: kind is inline (accept) */
	enum os_kind	 kind;
};

struct os_table {
	char		*name;
	struct os_ref	 ref;		/* a LIST, or a VALUE "type:path" */
};

struct os_kv {
	char		*name;
	char		*value;
};

struct os_tok {
	char		*s;
	bool		 quoted;
};

/* One load. */
struct os {
	struct locality	*loc;
	const char	*path;		/* smtpd.conf */
	const char	*base;
	const char	*file;		/* the file being read (an include) */
	long		 line;
	struct os_kv	 macros[OS_MACROS_MAX];
	size_t		 nmacros;
	struct os_table	 tables[OS_TABLES_MAX];
	size_t		 ntables;
	struct os_kv	 actions[OS_ACTIONS_MAX];	/* value: "d" or "r" */
	size_t		 nactions;
	struct os_rule	 rules[OS_RULES_MAX];
	size_t		 nrules;
	bool		 warned_hostname;
	bool		 warned_ifaddrs;
	struct os_tok	 toks[OS_TOKS_MAX];
	size_t		 ntoks;
	bool		 too_many_toks;
};

#define os_warn(x, ...)	locality_add_warning((x)->loc, __VA_ARGS__)

static void	os_read(struct os *, const char *, FILE *, int);

/* os_kv_get - the value of name, or NULL. */
static const char *
os_kv_get(const struct os_kv *t, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return (t[i].value);
	return (NULL);
}

/* os_kv_set - name = value; a later definition replaces an earlier one. */
static bool
os_kv_set(struct os_kv *t, size_t *n, size_t max, const char *name,
    const char *value)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp(t[i].name, name) == 0) {
			free(t[i].value);
			t[i].value = xstrdup(value);
			return (true);
		}
	if (*n == max)
		return (false);
	t[*n].name = xstrdup(name);
	t[*n].value = xstrdup(value);
	(*n)++;
	return (true);
}

/* os_word_ch - may ch be part of a macro name? */
static bool
os_word_ch(char ch)
{
	return (ASCII_ISALPHA(ch) || ASCII_ISDIGIT(ch) || ch == '_');
}

/*
 * os_expand - the statement with $name macros replaced outside quotes,
 * into out; false (warned about) when it grows past OS_STMT_MAX.
 */
static bool
os_expand(struct os *x, const char *in, struct buf *out)
{
	struct buf	 cur;
	const char	*p, *v;
	char		 name[64];
	size_t		 n;
	int		 round;
	bool		 changed = true, q;

	buf_init(&cur, OS_STMT_MAX);
	if (buf_append(&cur, in, strlen(in)) == -1) {
		buf_free(&cur);
		return (false);
	}
	for (round = 0; changed && round < OS_EXPAND_MAX; round++) {
		changed = false;
		q = false;
		buf_reset(out);
		for (p = cur.data; p < cur.data + cur.len; ) {
			if (*p == '"' && (p == cur.data || p[-1] != '\\'))
				q = !q;
			if (!q && *p == '$' && os_word_ch(p[1])) {
				for (n = 0; os_word_ch(p[1 + n]) &&
				    n + 1 < sizeof(name); n++)
					name[n] = p[1 + n];
				name[n] = '\0';
				if ((v = os_kv_get(x->macros, x->nmacros,
				    name)) != NULL) {
					if (buf_append(out, v, strlen(v)) ==
					    -1)
						goto toolong;
					p += 1 + n;
					changed = true;
					continue;
				}
				if (round == 0)
					os_warn(x, "%s:%ld: $%s: no such "
					    "macro", x->file, x->line, name);
			}
			if (buf_putc(out, *p++) == -1)
				goto toolong;
		}
		buf_reset(&cur);
		if (buf_append(&cur, out->data, out->len) == -1)
			goto toolong;
	}
	if (changed) {
		os_warn(x, "%s:%ld: macros nest too deep (a loop?), statement "
		    "skipped", x->file, x->line);
		buf_free(&cur);
		return (false);
	}
	buf_free(&cur);
	return (true);
toolong:
	os_warn(x, "%s:%ld: statement longer than %d bytes after macros, "
	    "skipped", x->file, x->line, OS_STMT_MAX);
	buf_free(&cur);
	return (false);
}

/* os_tok_free - forget the tokens of the last statement. */
static void
os_tok_free(struct os *x)
{
	size_t	i;

	for (i = 0; i < x->ntoks; i++) {
		free(x->toks[i].s);
		x->toks[i].s = NULL;
	}
	x->ntoks = 0;
	x->too_many_toks = false;
}

/* os_tok_add - one token. */
static void
os_tok_add(struct os *x, const char *p, size_t n, bool quoted)
{
	if (x->ntoks == OS_TOKS_MAX) {
		x->too_many_toks = true;
		return;
	}
	x->toks[x->ntoks].s = xmalloc(n + 1);
	memcpy(x->toks[x->ntoks].s, p, n);
	x->toks[x->ntoks].s[n] = '\0';
	x->toks[x->ntoks].quoted = quoted;
	x->ntoks++;
}

/*
 * os_tokenize - split a statement: words, "quoted strings" (\" and \\
 * inside), and { } < > , = ! as tokens of their own.
 */
static void
os_tokenize(struct os *x, const char *s)
{
	static const char	 single[] = "{}<>,=!";
	struct buf		 q;
	const char		*p = s, *w;

	os_tok_free(x);
	buf_init(&q, OS_STMT_MAX);
	while (*p != '\0') {
		if (ASCII_ISSPACE(*p)) {
			p++;
			continue;
		}
		if (*p == '"') {
			buf_reset(&q);
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				(void)buf_putc(&q, *p);
			}
			if (*p == '"')
				p++;
			os_tok_add(x, q.data != NULL ? q.data : "", q.len,
			    true);
			continue;
		}
		if (strchr(single, *p) != NULL) {
			os_tok_add(x, p, 1, false);
			p++;
			continue;
		}
		for (w = p; *p != '\0' && !ASCII_ISSPACE(*p) && *p != '"' &&
		    strchr(single, *p) == NULL; p++)
			;
		os_tok_add(x, w, (size_t)(p - w), false);
	}
	buf_free(&q);
}

/* os_is - is token i the unquoted word w? */
static bool
os_is(const struct os *x, size_t i, const char *w)
{
	return (i < x->ntoks && !x->toks[i].quoted &&
	    strcmp(x->toks[i].s, w) == 0);
}

/*
 * os_ref_parse - a table argument at token *i: <name>, { list } (a
 * mapping's keys), or one value; *i moves past it.  False when there is
 * none.
 */
static bool
os_ref_parse(struct os *x, size_t *i, struct os_ref *r)
{
	struct buf	 b;
	size_t		 j = *i;
	bool		 key = true;

	memset(r, 0, sizeof(*r));
	if (j >= x->ntoks)
		return (false);
	if (os_is(x, j, "<")) {
		if (j + 2 >= x->ntoks || !os_is(x, j + 2, ">"))
			return (false);
		r->kind = OS_REF_NAME;
		r->text = xstrdup(x->toks[j + 1].s);
		*i = j + 3;
		return (true);
	}
	if (os_is(x, j, "{")) {
		buf_init(&b, OS_STMT_MAX);
		for (j++; j < x->ntoks && !os_is(x, j, "}"); j++) {
			if (os_is(x, j, ",")) {
				key = true;
				continue;
			}
			if (os_is(x, j, "=")) {
				key = false;
				continue;
			}
			/* Of a mapping "k = v", the key is the entry. */
			if (!key)
				continue;
			(void)buf_append(&b, x->toks[j].s,
			    strlen(x->toks[j].s));
			(void)buf_putc(&b, '\n');
		}
		if (j == x->ntoks) {
			buf_free(&b);
			return (false);
		}
		r->kind = OS_REF_LIST;
		r->text = xstrdup(b.data != NULL ? b.data : "");
		buf_free(&b);
		*i = j + 1;
		return (true);
	}
	if (!x->toks[j].quoted && strchr("}>,=!", x->toks[j].s[0]) != NULL)
		return (false);
	r->kind = OS_REF_VALUE;
	r->text = xstrdup(x->toks[j].s);
	*i = j + 1;
	return (true);
}

/* os_ref_free - release a reference. */
static void
os_ref_free(struct os_ref *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* --- statements ----------------------------------------------------- */

/* os_stmt_table - "table name spec". */
static void
os_stmt_table(struct os *x)
{
	struct os_table	*t;
	size_t		 i = 2, k;

	if (x->ntoks < 3 || x->toks[1].quoted) {
		os_warn(x, "%s:%ld: table: no name or value", x->file,
		    x->line);
		return;
	}
	for (k = 0; k < x->ntables; k++)
		if (strcmp(x->tables[k].name, x->toks[1].s) == 0) {
			os_warn(x, "%s:%ld: table %.60s: defined again, the "
			    "first one is kept", x->file, x->line,
			    x->toks[1].s);
			return;
		}
	if (x->ntables == OS_TABLES_MAX) {
		os_warn(x, "%s:%ld: more than %d tables, %.60s skipped",
		    x->file, x->line, OS_TABLES_MAX, x->toks[1].s);
		return;
	}
	t = &x->tables[x->ntables];
	if (!os_ref_parse(x, &i, &t->ref) || t->ref.kind == OS_REF_NAME) {
		os_ref_free(&t->ref);
		os_warn(x, "%s:%ld: table %.60s: no value", x->file, x->line,
		    x->toks[1].s);
		return;
	}
	t->name = xstrdup(x->toks[1].s);
	x->ntables++;
}

/* os_method - the kind of an action method (or an old rule's word). */
static enum os_kind
os_method(const char *m)
{
	static const char *const deliver[] = { "mbox", "maildir", "lmtp",
		"mda", "forward-only", "expand-only", "deliver", NULL };
	size_t	i;

	for (i = 0; deliver[i] != NULL; i++)
		if (strcmp(m, deliver[i]) == 0)
			return (OS_DELIVER);
	if (strcmp(m, "relay") == 0)
		return (OS_RELAY);
	return (OS_UNKNOWN);
}

/* os_stmt_action - "action name method ...". */
static void
os_stmt_action(struct os *x)
{
	enum os_kind	k;

	if (x->ntoks < 3) {
		os_warn(x, "%s:%ld: action: no name or method", x->file,
		    x->line);
		return;
	}
	if ((k = os_method(x->toks[2].s)) == OS_UNKNOWN)
		os_warn(x, "%s:%ld: action %.60s: %.40s: not a method, the "
		    "action is ignored", x->file, x->line, x->toks[1].s,
		    x->toks[2].s);
	if (!os_kv_set(x->actions, &x->nactions, OS_ACTIONS_MAX,
	    x->toks[1].s, k == OS_DELIVER ? "d" : k == OS_RELAY ? "r" : "?"))
		os_warn(x, "%s:%ld: more than %d actions, %.60s skipped",
		    x->file, x->line, OS_ACTIONS_MAX, x->toks[1].s);
}

/*
 * os_stmt_rule - a "match" rule, or an old "accept" or "reject" one:
 * what it matches and what it does, kept for os_apply().
 */
static void
os_stmt_rule(struct os *x)
{
	struct os_rule	*r;
	struct os_ref	 skip = { OS_REF_NONE, NULL };
	size_t		 i = 1;
	bool		 old = !os_is(x, 0, "match"), neg;

	if (x->nrules == OS_RULES_MAX) {
		os_warn(x, "%s:%ld: more than %d rules, the rest are skipped",
		    x->file, x->line, OS_RULES_MAX);
		return;
	}
	r = &x->rules[x->nrules];
	memset(r, 0, sizeof(*r));
	r->line = x->line;
	r->reject = os_is(x, 0, "reject");
	while (i < x->ntoks) {
		neg = false;
		if (os_is(x, i, "!")) {
			neg = true;
			if (++i == x->ntoks)
				break;
		}
		if (os_is(x, i, "from")) {
			i++;
			r->from_neg = neg;
			if (os_is(x, i, "any")) {
				r->from = OS_FROM_ANY;
				i++;
			} else if (os_is(x, i, "local")) {
				r->from = OS_FROM_LOCAL;
				i++;
			} else if (os_is(x, i, "src") || os_is(x, i,
			    "source")) {
				i++;
				r->from = OS_FROM_SRC;
				if (os_is(x, i, "regex")) {
					r->from = OS_FROM_OTHER;
					i++;
				}
				os_ref_free(&r->src);
				if (!os_ref_parse(x, &i, &r->src))
					r->from = OS_FROM_OTHER;
			} else
				r->from = OS_FROM_OTHER;
		} else if (os_is(x, i, "for")) {
			i++;
			r->for_neg = neg;
			if (os_is(x, i, "any")) {
				r->rcpt = OS_FOR_ANY;
				i++;
			} else if (os_is(x, i, "local")) {
				r->rcpt = OS_FOR_LOCAL;
				i++;
			} else if (os_is(x, i, "domain")) {
				i++;
				r->rcpt = OS_FOR_DOMAIN;
				if (os_is(x, i, "regex")) {
					r->rcpt = OS_FOR_OTHER;
					i++;
				}
				os_ref_free(&r->domains);
				if (!os_ref_parse(x, &i, &r->domains))
					r->rcpt = OS_FOR_OTHER;
			} else
				r->rcpt = OS_FOR_OTHER;
		} else if (os_is(x, i, "auth")) {
			/* "auth" in an old rule's "from" is from auth */
			if (!neg)
				r->auth = true;
			i++;
		} else if (os_is(x, i, "action") && !old) {
			if (i + 1 < x->ntoks) {
				free(r->action);
				r->action = xstrdup(x->toks[i + 1].s);
			}
			i += 2;
		} else if (os_is(x, i, "reject") && !old) {
			r->reject = true;
			i++;
		} else if (old && os_method(x->toks[i].s) != OS_UNKNOWN &&
		    !x->toks[i].quoted) {
			if (r->kind == OS_UNKNOWN ||
			    os_method(x->toks[i].s) == OS_RELAY)
				r->kind = os_method(x->toks[i].s);
			i++;
		} else if (os_is(x, i, "<") || os_is(x, i, "{")) {
			/* another option's table: none of our words */
			os_ref_free(&skip);
			if (!os_ref_parse(x, &i, &skip))
				i++;
		} else {
			if (os_is(x, i, "mail-from") || os_is(x, i,
			    "rcpt-to") || os_is(x, i, "helo") ||
			    os_is(x, i, "tag") || os_is(x, i, "tagged") ||
			    os_is(x, i, "sender") || os_is(x, i, "recipient"))
				r->narrowed = true;
			i++;
		}
	}
	os_ref_free(&skip);
	if (!old && r->action == NULL && !r->reject) {
		os_warn(x, "%s:%ld: match without action or reject, skipped",
		    x->file, x->line);
		os_ref_free(&r->src);
		os_ref_free(&r->domains);
		return;
	}
	x->nrules++;
}

/* os_stmt_include - "include file". */
static void
os_stmt_include(struct os *x, int depth)
{
	const char	*file, *saved = x->file;
	long		 line = x->line;
	char		*name;
	FILE		*f;

	if (x->ntoks < 2) {
		os_warn(x, "%s:%ld: include: no file", x->file, x->line);
		return;
	}
	if (depth >= OS_DEPTH_MAX) {
		os_warn(x, "%s:%ld: includes nest too deep", x->file, x->line);
		return;
	}
	file = x->toks[1].s;
	if ((f = locality_conf_open(x->path, file)) == NULL) {
		os_warn(x, "%s:%ld: include %.80s: %s next to %s: copy it from "
		    "the server", x->file, x->line, file, strerror(errno),
		    x->base);
		return;
	}
	name = xstrdup(file);
	os_tok_free(x);
	os_read(x, name, f, depth + 1);
	(void)fclose(f);
	free(name);
	x->file = saved;
	x->line = line;
}

/* os_statement - one statement, comments and continuations gone. */
static void
os_statement(struct os *x, const char *text, int depth)
{
	struct buf	 e;
	size_t		 i;

	buf_init(&e, OS_STMT_MAX);
	if (!os_expand(x, text, &e)) {
		buf_free(&e);
		return;
	}
	os_tokenize(x, e.data != NULL ? e.data : "");
	buf_free(&e);
	if (x->ntoks == 0)
		return;
	if (x->too_many_toks) {
		os_warn(x, "%s:%ld: more than %d tokens, statement skipped",
		    x->file, x->line, OS_TOKS_MAX);
		os_tok_free(x);
		return;
	}
	if (x->ntoks >= 3 && os_is(x, 1, "=") && !x->toks[0].quoted) {
		for (i = 0; x->toks[0].s[i] != '\0' &&
		    os_word_ch(x->toks[0].s[i]); i++)
			;
		if (x->toks[0].s[i] == '\0' && !os_kv_set(x->macros,
		    &x->nmacros, OS_MACROS_MAX, x->toks[0].s, x->toks[2].s))
			os_warn(x, "%s:%ld: more than %d macros, %.60s "
			    "skipped", x->file, x->line, OS_MACROS_MAX,
			    x->toks[0].s);
	} else if (os_is(x, 0, "table"))
		os_stmt_table(x);
	else if (os_is(x, 0, "action"))
		os_stmt_action(x);
	else if (os_is(x, 0, "match") || os_is(x, 0, "accept") ||
	    os_is(x, 0, "reject"))
		os_stmt_rule(x);
	else if (os_is(x, 0, "include"))
		os_stmt_include(x, depth);
	os_tok_free(x);
}

/*
 * os_read - the statements of f: a '#' outside quotes starts a comment,
 * a '\' at the end of a line continues it, and a line inside an open
 * '{' goes on on the next one.
 */
static void
os_read(struct os *x, const char *name, FILE *f, int depth)
{
	struct buf	 stmt;
	char		 line[OS_LINE_MAX], *p;
	long		 n = 0, first = 0;
	int		 rc, braces = 0;
	bool		 q, cont, skip = false;
	size_t		 len;

	x->file = name;
	buf_init(&stmt, OS_STMT_MAX);
	while ((rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		n++;
		if (rc == -1) {
			os_warn(x, "%s:%ld: line too long, its statement is "
			    "skipped", name, n);
			skip = true;
		}
		if (stmt.len == 0)
			first = n;
		for (p = line, q = false; *p != '\0'; p++) {
			if (*p == '"' && (p == line || p[-1] != '\\'))
				q = !q;
			else if (!q && *p == '#') {
				*p = '\0';
				break;
			} else if (!q && *p == '{')
				braces++;
			else if (!q && *p == '}' && braces > 0)
				braces--;
		}
		len = strlen(line);
		cont = len > 0 && line[len - 1] == '\\';
		if (cont)
			line[--len] = '\0';
		if (buf_append(&stmt, line, len) == -1 ||
		    buf_putc(&stmt, ' ') == -1) {
			if (!skip)
				os_warn(x, "%s:%ld: statement longer than %d "
				    "bytes, skipped", name, first,
				    OS_STMT_MAX);
			skip = true;
		}
		if (cont || braces > 0)
			continue;
		if (!skip) {
			x->file = name;
			x->line = first;
			os_statement(x, stmt.data, depth);
		}
		buf_reset(&stmt);
		skip = false;
	}
	if (stmt.len > 0 && !skip) {
		os_warn(x, "%s:%ld: statement does not end (an open '{'?)",
		    name, first);
	}
	buf_free(&stmt);
}

/* --- applying the rules --------------------------------------------- */

/* os_table - the table called name, or NULL. */
static const struct os_table *
os_table(const struct os *x, const char *name)
{
	size_t	i;

	for (i = 0; i < x->ntables; i++)
		if (strcmp(x->tables[i].name, name) == 0)
			return (&x->tables[i]);
	return (NULL);
}

/* An entry goes to a local or relay domain, or a trusted network. */
enum os_use {
	OS_USE_LOCAL,
	OS_USE_RELAY,
	OS_USE_NET
};

/* os_entry - one table entry into the locality. */
static void
os_entry(struct os *x, enum os_use use, const char *e, const char *detail)
{
	int	rc;

	if (*e == '\0')
		return;
	if (use == OS_USE_NET)
		rc = locality_add_net(x->loc, e, LOC_ORIGIN_CONFIG, detail);
	else
		rc = locality_add_domain(x->loc, e, use == OS_USE_LOCAL ?
		    LOC_LOCAL : LOC_RELAY, LOC_ORIGIN_CONFIG, detail);
	if (rc == -1)
		os_warn(x, "%s: %.80s: not %s, skipped", detail, e,
		    use == OS_USE_NET ? "an address or network (a host name "
		    "cannot be known off the server)" : "a domain");
}

/* os_entries - the '\n'-separated entries of text. */
static void
os_entries(struct os *x, enum os_use use, const char *text,
    const char *detail)
{
	const char	*p = text, *e;
	char		*one;

	while (*p != '\0') {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		one = xmalloc((size_t)(e - p) + 1);
		memcpy(one, p, (size_t)(e - p));
		one[e - p] = '\0';
		os_entry(x, use, one, detail);
		free(one);
		p = *e == '\n' ? e + 1 : e;
	}
}

/* os_table_file - a table's file, "file:path", "db:path" or "path". */
static void
os_table_file(struct os *x, enum os_use use, const char *spec,
    const char *detail)
{
	char		 line[OS_LINE_MAX], *path, *p, *w;
	FILE		*f;
	size_t		 n;
	long		 ln = 0;
	int		 rc;
	bool		 db = false;

	if (strncmp(spec, "db:", 3) == 0) {
		db = true;
		spec += 3;
	} else if (strncmp(spec, "file:", 5) == 0)
		spec += 5;
	else if (spec[0] != '/' && strchr(spec, ':') != NULL) {
		os_warn(x, "%s: %.80s: this table backend cannot be read off "
		    "the server", detail, spec);
		return;
	}
	path = xstrdup(spec);
	n = strlen(path);
	if (db && n > 3 && strcmp(path + n - 3, ".db") == 0)
		path[n - 3] = '\0';
	if ((f = locality_conf_open(x->path, path)) == NULL) {
		os_warn(x, "%s: %.80s: %s next to %s: copy it from the server",
		    detail, path, strerror(errno), x->base);
		free(path);
		return;
	}
	while ((rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		ln++;
		if (rc == -1) {
			os_warn(x, "%s:%ld: line too long, skipped", path, ln);
			continue;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = line;
		while (ASCII_ISSPACE(*p))
			p++;
		w = p;
		while (*p != '\0' && !ASCII_ISSPACE(*p))
			p++;
		*p = '\0';
		os_entry(x, use, w, detail);
	}
	(void)fclose(f);
	free(path);
}

/* os_ref_apply - every entry a rule's table argument names. */
static void
os_ref_apply(struct os *x, const struct os_rule *r, const struct os_ref *ref,
    enum os_use use, const char *why)
{
	const struct os_table	*t;
	char			 detail[160];

	switch (ref->kind) {
	case OS_REF_NAME:
		(void)snprintf(detail, sizeof(detail), "%s <%.40s> (%s)",
		    x->base, ref->text, why);
		if ((t = os_table(x, ref->text)) == NULL) {
			os_warn(x, "%s:%ld: <%.60s>: no such table", x->base,
			    r->line, ref->text);
			return;
		}
		if (t->ref.kind == OS_REF_LIST)
			os_entries(x, use, t->ref.text, detail);
		else
			os_table_file(x, use, t->ref.text, detail);
		return;
	case OS_REF_LIST:
	case OS_REF_VALUE:
		(void)snprintf(detail, sizeof(detail), "%s line %ld (%s)",
		    x->base, r->line, why);
		os_entries(x, use, ref->text, detail);
		return;
	default:
		return;
	}
}

/* os_apply - what one rule says about locality (see the top). */
static void
os_apply(struct os *x, const struct os_rule *r)
{
	enum os_kind	 kind = r->kind;
	const char	*v;
	char		 detail[160];
	bool		 anyone;

	if (r->reject)
		return;
	if (r->action != NULL) {
		if ((v = os_kv_get(x->actions, x->nactions, r->action)) ==
		    NULL) {
			os_warn(x, "%s:%ld: action %.60s: not defined, the "
			    "rule is skipped", x->base, r->line, r->action);
			return;
		}
		kind = v[0] == 'd' ? OS_DELIVER : v[0] == 'r' ? OS_RELAY :
		    OS_UNKNOWN;
	}
	if (kind == OS_DELIVER && !r->for_neg) {
		if (r->rcpt == OS_FOR_DOMAIN)
			os_ref_apply(x, r, &r->domains, OS_USE_LOCAL,
			    "delivered here");
		else if (r->rcpt == OS_FOR_LOCAL) {
			(void)snprintf(detail, sizeof(detail), "%s for local",
			    x->base);
			(void)locality_add_domain(x->loc, "localhost",
			    LOC_LOCAL, LOC_ORIGIN_CONFIG, detail);
			if (!x->warned_hostname)
				os_warn(x, "%s:%ld: for local: the server's "
				    "host name is local too, which the file "
				    "does not name: add it with --local-domain",
				    x->base, r->line);
			x->warned_hostname = true;
		}
		return;
	}
	if (kind != OS_RELAY || r->auth || r->narrowed || r->for_neg ||
	    r->from_neg)
		return;
	anyone = r->from == OS_FROM_ANY;
	if (r->rcpt == OS_FOR_DOMAIN && anyone)
		os_ref_apply(x, r, &r->domains, OS_USE_RELAY,
		    "relayed for any client");
	if (r->rcpt != OS_FOR_ANY)
		return;
	if (r->from == OS_FROM_SRC)
		os_ref_apply(x, r, &r->src, OS_USE_NET, "may relay anywhere");
	else if (r->from == OS_FROM_LOCAL) {
		(void)snprintf(detail, sizeof(detail), "%s from local (may "
		    "relay anywhere)", x->base);
		(void)locality_add_net(x->loc, "127.0.0.1", LOC_ORIGIN_CONFIG,
		    detail);
		(void)locality_add_net(x->loc, "::1", LOC_ORIGIN_CONFIG,
		    detail);
		if (!x->warned_ifaddrs)
			os_warn(x, "%s:%ld: from local: the server's own "
			    "addresses may relay too, which the file does not "
			    "name: add them with --local-net", x->base,
			    r->line);
		x->warned_ifaddrs = true;
	} else if (anyone)
		os_warn(x, "%s:%ld: every client may relay to any domain: an "
		    "open relay", x->base, r->line);
}

/*
 * locality_is_opensmtpd - does path look like smtpd.conf: its rules,
 * actions or listeners at the start of a line?
 */
bool
locality_is_opensmtpd(const char *path)
{
	FILE	*f;
	char	 line[1024];
	bool	 yes = false;
	int	 n = 0, rc;

	if ((f = fopen(path, "r")) == NULL)
		return (false);
	while (!yes && n++ < 5000 &&
	    (rc = locality_conf_line(f, line, sizeof(line))) != 0) {
		if (strncmp(line, "match ", 6) == 0 ||
		    strncmp(line, "action ", 7) == 0 ||
		    strncmp(line, "listen on ", 10) == 0 ||
		    strncmp(line, "accept from ", 12) == 0 ||
		    strncmp(line, "accept for ", 11) == 0)
			yes = true;
	}
	(void)fclose(f);
	return (yes);
}

/*
 * locality_load_opensmtpd - add the domains and networks an smtpd.conf
 * (and the files it names) declares, as LOC_ORIGIN_CONFIG.  Returns -1
 * when the file cannot be read (err: "path: reason"), otherwise the
 * number of warnings, the first of which goes to err ("" when there is
 * none).
 */
int
locality_load_opensmtpd(struct locality *loc, const char *path, char *err,
    size_t errlen)
{
	struct os	*x;
	FILE		*f;
	const char	*slash;
	size_t		 i, before = locality_nwarnings(loc);
	bool		 bad;

	if (errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	x = xcalloc(1, sizeof(*x));
	x->loc = loc;
	x->path = path;
	x->base = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	os_read(x, x->base, f, 0);
	if ((bad = ferror(f)))
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
	(void)fclose(f);
	for (i = 0; !bad && i < x->nrules; i++)
		os_apply(x, &x->rules[i]);
	for (i = 0; i < x->nrules; i++) {
		os_ref_free(&x->rules[i].src);
		os_ref_free(&x->rules[i].domains);
		free(x->rules[i].action);
	}
	for (i = 0; i < x->ntables; i++) {
		free(x->tables[i].name);
		os_ref_free(&x->tables[i].ref);
	}
	for (i = 0; i < x->nmacros; i++) {
		free(x->macros[i].name);
		free(x->macros[i].value);
	}
	for (i = 0; i < x->nactions; i++) {
		free(x->actions[i].name);
		free(x->actions[i].value);
	}
	os_tok_free(x);
	free(x);
	if (bad)
		return (-1);
	if (locality_nwarnings(loc) > before && errlen > 0)
		(void)snprintf(err, errlen, "%s: warnings (see the report)",
		    path);
	return ((int)(locality_nwarnings(loc) - before));
}
