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
 * Postfix configuration parameters, as postconf(5) defines them: reading
 * a main.cf and expanding $name, ${name}, $(name), ${name?text} and
 * ${name:text} references, with Postfix's defaults for the parameters
 * relaytrace looks at (for the file's compatibility_level).  Expansion
 * is bounded by POSTCONF_DEPTH_MAX levels and POSTCONF_EXPAND_MAX octets,
 * so loops end in POSTCONF_FAIL.  $config_directory is the directory of
 * the file read; myhostname has no default (it cannot be known off the
 * server), and mydomain's is derived from myhostname.
 */

#ifndef POSTCONF_H
#define POSTCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define POSTCONF_DEPTH_MAX	20	/* nested expansions */
#define POSTCONF_EXPAND_MAX	65536	/* octets a value may expand to */

/* postconf_value() and postconf_expand() results. */
#define POSTCONF_OK	0
#define POSTCONF_UNDEF	-1	/* refers to a parameter with no value */
#define POSTCONF_FAIL	-2	/* a loop, too long, or bad syntax */

struct postconf;

struct postconf	*postconf_read(const char *, void (*)(void *, const char *),
		    void *, char *, size_t);
void		 postconf_free(struct postconf *);
const char	*postconf_dir(const struct postconf *);
const char	*postconf_file(const struct postconf *);
int		 postconf_level(const struct postconf *);
const char	*postconf_get(const struct postconf *, const char *, size_t);
const char	*postconf_raw(const struct postconf *, const char *, size_t);
int		 postconf_value(struct postconf *, const char *, size_t, int,
		    struct buf *);
int		 postconf_expand(struct postconf *, const char *, size_t, int,
		    struct buf *);
const char	*postconf_why(const struct postconf *);
bool		 postconf_next_item(const char *, size_t, size_t *,
		    struct span *);
bool		 postconf_sole_ref(struct span, struct span *);

#endif /* POSTCONF_H */
