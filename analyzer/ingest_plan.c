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
 * The order of reading: a rotated set oldest first, directories
 * expanded, and each source's pass (captures, then logs, then the logs
 * that name what others record: tracking logs, Exim's rejectlog); the
 * rebuild plan when a new source belongs before one stored earlier.
 */

#include "config.h"

#include "ingest.h"
#include "ingest_int.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "exim.h"
#include "log.h"
#include "source.h"
#include "store.h"
#include "xmalloc.h"

/* rot_key - split a path into its rotation base and its age. */
static void
rot_key(const char *path, size_t *baselen, long *age)
{
	size_t	n = strlen(path), i;

	*age = 0;
	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		n -= 3;
	i = n;
	while (i > 0 && ASCII_ISDIGIT(path[i - 1]))
		i--;
	if (i < n && i > 0 && n - i <= 6 && path[i - 1] == '.') {
		*age = strtol(path + i, NULL, 10);
		n = i - 1;
	} else if (n - i == 8 && i > 0 && path[i - 1] == '-') {
		/* mail.log-20261201: older dates are older. */
		*age = 100000000L - strtol(path + i, NULL, 10);
		n = i - 1;
	}
	*baselen = n;
}

/*
 * ingest_order - reorder paths in place so that each rotated set is read
 * oldest first (mail.log.2.gz, mail.log.1, mail.log).  Sets keep the
 * order in which their first member was given.
 */
void
ingest_order(char **paths, size_t n)
{
	size_t	*group, *baselen, i, j;
	long	*age;

	if (n < 2)
		return;
	group = xreallocarray(NULL, n, sizeof(*group));
	baselen = xreallocarray(NULL, n, sizeof(*baselen));
	age = xreallocarray(NULL, n, sizeof(*age));
	for (i = 0; i < n; i++) {
		rot_key(paths[i], &baselen[i], &age[i]);
		group[i] = i;
		for (j = 0; j < i; j++)
			if (baselen[j] == baselen[i] &&
			    strncmp(paths[j], paths[i], baselen[i]) == 0) {
				group[i] = group[j];
				break;
			}
	}
	/* Insertion sort by (group, age descending): stable, n is small. */
	for (i = 1; i < n; i++) {
		char	*p = paths[i];
		size_t	 g = group[i], bl = baselen[i];
		long	 a = age[i];

		for (j = i; j > 0 && (group[j - 1] > g ||
		    (group[j - 1] == g && age[j - 1] < a)); j--) {
			paths[j] = paths[j - 1];
			group[j] = group[j - 1];
			baselen[j] = baselen[j - 1];
			age[j] = age[j - 1];
		}
		paths[j] = p;
		group[j] = g;
		baselen[j] = bl;
		age[j] = a;
	}
	free(group);
	free(baselen);
	free(age);
}

/* path_cmp - qsort order of path strings. */
static int
path_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * ingest_expand_dirs - the paths to read: each argument, and for a
 * directory the regular files in it (not hidden ones), sorted.  The caller
 * frees the result with ingest_free_paths().  Returns the number of
 * directories that held no file.
 */
int
ingest_expand_dirs(char ***out, size_t *nout, char **args, size_t nargs)
{
	int		 empty = 0;
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		**v = NULL, *p;
	size_t		 n = 0, i, first;

	for (i = 0; i < nargs; i++) {
		if (strcmp(args[i], "-") == 0 || stat(args[i], &sb) == -1 ||
		    !S_ISDIR(sb.st_mode) || (d = opendir(args[i])) == NULL) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = xstrdup(args[i]);
			continue;
		}
		first = n;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			xasprintf(&p, "%s/%s", args[i], de->d_name);
			if (stat(p, &sb) == -1 || !S_ISREG(sb.st_mode)) {
				free(p);
				continue;
			}
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = p;
		}
		closedir(d);
		if (n == first) {
			log_warnx("%s: no files in the directory", args[i]);
			empty++;
		}
		if (n - first > 1)
			qsort(v + first, n - first, sizeof(*v), path_cmp);
	}
	*out = v;
	*nout = n;
	return (empty);
}

void
ingest_free_paths(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ingest_is_rejectlog - is path named as Exim names its rejectlog? */
static bool
ingest_is_rejectlog(const char *path)
{
	const char	*base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return (strncmp(base, "rejectlog", 9) == 0 &&
	    (base[9] == '\0' || base[9] == '.' || base[9] == '-'));
}

static bool	ingest_source_is_capture(const char *);

/*
 * ingest_pass - when to read a source: 0 captures, 1 logs, 2 message
 * tracking logs (Exchange), which name sessions other logs record, and
 * Exim's rejectlog, whose refusals its mainlog also has (read after the
 * mainlog they only add evidence to its rows).  A rejectlog is known by
 * its name (rejectlog, rejectlog.1, rejectlog.2.gz, ...) or by its first
 * lines, whatever its name (exim_sniff_*: refusals only; the reader
 * thread decides the same from the same lines, and stores the format
 * "exim-rejectlog" that ingest_rebuild_plan reads back).
 */
int
ingest_pass(const char *path)
{
	struct source		*s;
	struct source_line	 ln;
	struct exim_sniff	 sniff;
	char			 err[256];
	uint64_t		 i;
	int			 pass = 1;

	if (ingest_source_is_capture(path))
		return (0);
	if (ingest_is_rejectlog(path))
		return (2);
	if ((s = source_open(path, false, err, sizeof(err))) == NULL)
		return (1);
	exim_sniff_init(&sniff);
	for (i = 0; source_next_line(s, &ln) == 1; i++) {
		if (i < 4 && ln.text.n > 0 && ln.text.p[0] == '#' &&
		    span_find(ln.text, "Message Tracking Log") != NULL) {
			pass = 2;
			break;
		}
		if (!exim_sniff_line(&sniff, ln.text) && i >= 3)
			break;
	}
	if (exim_sniff_rejectlog(&sniff))
		pass = 2;
	source_close(s);
	return (pass);
}

/* ingest_source_is_capture - by its first bytes, plain or compressed. */
static bool
ingest_source_is_capture(const char *path)
{
	struct source		*s;
	enum source_kind	 k;
	char			 err[256];

	if ((s = source_open(path, false, err, sizeof(err))) == NULL)
		return (false);
	k = source_content_kind(s);
	source_close(s);
	return (k == SOURCE_PCAP || k == SOURCE_PCAPNG);
}

/* ingest_stored - are path's bytes those of a stored source? */
static bool
ingest_stored(struct store *st, const char *path)
{
	sqlite3_stmt	*s;
	char		 sha[65], err[512];
	uint64_t	 bytes;
	bool		 stored;

	if (source_hash_file(path, sha, &bytes, err, sizeof(err)) == -1)
		return (true);		/* not to be read: no reason */
	s = store_stmt(st, STMT_SOURCE_FIND);
	store_bind_text(s, 1, sha);
	stored = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return (stored);
}

/*
 * ingest_rebuild_plan - sources join what was read before them: a log
 * line finds the capture's rows, a message tracking log the protocol
 * log's sessions.  When paths bring a source that is read in an earlier
 * pass than one stored by an earlier run (a capture after logs, a
 * protocol log after tracking logs), the store must be made again with
 * everything read in the right order.  Returns 0 when it need not be, 1
 * with the stored sources' paths in *old (each still there with its
 * recorded SHA-256), -1 when it should be but cannot (a stored source was
 * standard input, or is gone or changed; said why).
 */
int
ingest_rebuild_plan(struct store *st, char **paths, size_t n, char ***old,
    size_t *nold, bool quiet)
{
	sqlite3_stmt	*s;
	struct stat	 sb;
	char		 err[512];
	const char	*path;
	char		**v = NULL, *found;
	size_t		 i, nv = 0;
	int		 rv = 1, p, newmin = 3, oldmax = -1;

	*old = NULL;
	*nold = 0;
	/*
	 * A stored source's pass from what the store says of it; only an
	 * Exchange log (tracking or protocol: one format) is looked at.
	 */
	s = store_prepare(st, "SELECT path, kind, format, abspath FROM"
	    " sources ORDER BY id");
	while (sqlite3_step(s) == SQLITE_ROW) {
		path = store_col_text(s, 0);
		if (strcmp(store_col_text(s, 1), "pcap") == 0)
			p = 0;
		else if (strcmp(store_col_text(s, 2), "exchange2003") == 0 ||
		    strcmp(store_col_text(s, 2), "exim-rejectlog") == 0 ||
		    ingest_is_rejectlog(path))
			p = 2;
		else if (strcmp(store_col_text(s, 2), "exchange") == 0 &&
		    strcmp(path, "-") != 0)
			/* From another directory: where it was read. */
			p = ingest_pass(access(path, R_OK) == -1 &&
			    sqlite3_column_type(s, 3) != SQLITE_NULL ?
			    store_col_text(s, 3) : path);
		else
			p = 1;
		if (p > oldmax)
			oldmax = p;
	}
	sqlite3_finalize(s);
	/* Only regular files: standard input and FIFOs are read once. */
	for (i = 0; i < n && newmin >= oldmax; i++)
		if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (p = ingest_pass(paths[i])) < oldmax &&
		    !ingest_stored(st, paths[i]))
			newmin = p;
	if (newmin >= oldmax)
		return (0);
	s = store_prepare(st, "SELECT path, sha256, bytes, abspath FROM"
	    " sources ORDER BY id");
	while (rv == 1 && sqlite3_step(s) == SQLITE_ROW) {
		path = store_col_text(s, 0);
		if (strcmp(path, "-") == 0) {
			log_warnx("a stored source was read from standard "
			    "input and cannot be read again");
			rv = -1;
		} else if ((found = ingest_find_stored(st, path,
		    (const char *)sqlite3_column_text(s, 3),
		    store_col_text(s, 1), (uint64_t)sqlite3_column_int64(s, 2),
		    paths, n, err, sizeof(err))) == NULL) {
			log_warnx("stored source %s", err);
			rv = -1;
		} else {
			if (!quiet && strcmp(found, path) != 0)
				log_info("stored source %s: read from %s (the "
				    "same SHA-256)", path, found);
			v = xreallocarray(v, nv + 1, sizeof(*v));
			v[nv++] = found;
		}
	}
	sqlite3_finalize(s);
	if (rv == -1) {
		if (!quiet)
			log_warnx("the new sources are stored beside those "
			    "read before, not joined to them; to join them, "
			    "ingest them all together into a new database");
		ingest_free_paths(v, nv);
		return (-1);
	}
	*old = v;
	*nold = nv;
	return (1);
}

/*
 * ingest_copy_locality - what the store at path knows of locality from
 * flags and configuration, into st (inferred entries are inferred again).
 */
int
ingest_copy_locality(struct store *st, const char *path)
{
	sqlite3_stmt	*s;
	int		 rc;

	s = store_prepare(st, "ATTACH DATABASE ?1 AS old");
	store_bind_text(s, 1, path);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (-1);
	rc = store_exec(st, "INSERT INTO local_domains SELECT * FROM"
	    " old.local_domains WHERE origin != 'inferred'");
	if (rc == 0)
		rc = store_exec(st, "INSERT INTO local_nets SELECT * FROM"
		    " old.local_nets WHERE origin != 'inferred'");
	(void)store_exec(st, "DETACH DATABASE old");
	return (rc);
}

