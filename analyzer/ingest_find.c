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
 * Finding a stored source again, for the rebuild plan (ingest.c), which
 * reads the stored sources again with the new ones.  A source is stored
 * with its path as given, which may be relative to the directory an
 * earlier run was started in, and that path made absolute.  When neither
 * is the stored file any more (a run from another directory, an incident
 * folder moved or copied), it is looked for by its name, with up to
 * FIND_TAIL of the directories it was in, beside each new source and the
 * database, and in up to FIND_UP directories above them.  Only a regular
 * file of the stored size and SHA-256 is taken: the size is compared
 * first, so a file is hashed only when it may be the one.
 */

#include "config.h"

#include "ingest.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "source.h"
#include "store.h"
#include "xmalloc.h"

#define FIND_TAIL	3	/* components of the name kept, at most */
#define FIND_UP		3	/* directories above a place, looked in */
#define FIND_DIRS_MAX	64	/* places looked in */

struct find {
	const char	*sha;
	uint64_t	 bytes;
	char		*found;
	char		*dirs[FIND_DIRS_MAX];
	size_t		 ndirs;
};

/* find_is - is the file at path the stored one? */
static bool
find_is(struct find *f, const char *path)
{
	struct stat	sb;
	char		sha[65], err[512];
	uint64_t	bytes;

	if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size != f->bytes)
		return (false);
	if (source_hash_file(path, sha, &bytes, err, sizeof(err)) == -1 ||
	    strcmp(sha, f->sha) != 0)
		return (false);
	f->found = xstrdup(path);
	return (true);
}

/* find_add_dir - look in the directory of path too (once). */
static void
find_add_dir(struct find *f, const char *path)
{
	char	*rp, *slash;
	size_t	 i;

	if (f->ndirs == FIND_DIRS_MAX || (rp = realpath(path, NULL)) == NULL)
		return;
	if ((slash = strrchr(rp, '/')) == NULL) {
		free(rp);
		return;
	}
	slash[slash == rp ? 1 : 0] = '\0';
	for (i = 0; i < f->ndirs; i++)
		if (strcmp(f->dirs[i], rp) == 0) {
			free(rp);
			return;
		}
	f->dirs[f->ndirs++] = rp;
}

/*
 * find_tail - the last k components of path ("mail.log", "logs/mail.log",
 * ...), or NULL when it has fewer, or one of them is "." or "..".
 */
static const char *
find_tail(const char *path, int k)
{
	const char	*p = path + strlen(path), *start;
	size_t		 n;

	while (k-- > 0) {
		while (p > path && p[-1] == '/')
			p--;
		if (p == path)
			return (NULL);
		for (start = p; start > path && start[-1] != '/'; start--)
			;
		n = (size_t)(p - start);
		if ((n == 1 && start[0] == '.') ||
		    (n == 2 && start[0] == '.' && start[1] == '.'))
			return (NULL);
		p = start;
	}
	return (p);
}

/* find_below - the stored file under dir, by tails of name; true if so. */
static bool
find_below(struct find *f, const char *dir, const char *name)
{
	char		 cand[PATH_MAX];
	const char	*tail;
	int		 k;

	for (k = 1; k <= FIND_TAIL; k++) {
		if ((tail = find_tail(name, k)) == NULL)
			break;
		if (snprintf(cand, sizeof(cand), "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", tail) >=
		    (int)sizeof(cand))
			continue;
		if (find_is(f, cand))
			return (true);
	}
	return (false);
}

/* find_around - the stored file below dir or up to FIND_UP above it. */
static bool
find_around(struct find *f, const char *dir, const char *name)
{
	char	 d[PATH_MAX], *slash;
	int	 up;

	if (strlcpy(d, dir, sizeof(d)) >= sizeof(d))
		return (false);
	for (up = 0; up <= FIND_UP; up++) {
		if (find_below(f, d, name))
			return (true);
		if ((slash = strrchr(d, '/')) == NULL || slash == d)
			break;
		*slash = '\0';
	}
	return (false);
}

/*
 * ingest_find_stored - where stored source path (as given then; abspath
 * the absolute path recorded, or NULL; sha256 and size as stored) is now:
 * path itself if it still holds those bytes, else abspath, else a file
 * of its name beside the sources in paths or the database of st, or in
 * the directories above them.  Returns the path found, which the caller
 * frees, or NULL with the reason in err.
 */
char *
ingest_find_stored(struct store *st, const char *path, const char *abspath,
    const char *sha, uint64_t bytes, char **paths, size_t n, char *err,
    size_t errlen)
{
	struct find	 f;
	struct stat	 sb;
	const char	*name = abspath != NULL ? abspath : path;
	size_t		 i;
	int		 there;

	memset(&f, 0, sizeof(f));
	f.sha = sha;
	f.bytes = bytes;
	there = stat(path, &sb) == 0 ? 0 : errno;
	if (find_is(&f, path) ||
	    (abspath != NULL && strcmp(abspath, path) != 0 &&
	    find_is(&f, abspath)))
		return (f.found);
	for (i = 0; i < n; i++)
		if (strcmp(paths[i], "-") != 0)
			find_add_dir(&f, paths[i]);
	if (st->path != NULL && strcmp(st->path, ":memory:") != 0)
		find_add_dir(&f, st->path);
	for (i = 0; i < f.ndirs && f.found == NULL; i++)
		(void)find_around(&f, f.dirs[i], name);
	for (i = 0; i < f.ndirs; i++)
		free(f.dirs[i]);
	if (f.found == NULL) {
		if (there == 0)
			snprintf(err, errlen, "%s: not the bytes stored "
			    "(changed since)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(there));
	}
	return (f.found);
}
