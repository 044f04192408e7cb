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
 * Pieces shared by the Microsoft log parsers (exchange.c, iis.c): the
 * W3C-style "#Fields:" table, splitting a row into fields (Exchange's CSV
 * with quotes, IIS's space or tab separated columns), ISO 8601 times, SMTP
 * replies and paths as Microsoft logs them, and a small table of open
 * sessions keyed by a 64-bit id.  Everything here reads hostile bytes,
 * never writes into them and never reads past a span's end.
 */

#ifndef MSFT_H
#define MSFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Columns kept from a "#Fields:" line; a longer list is refused. */
#define MSFT_FIELDS_MAX		64
#define MSFT_NAME_MAX		40

/* The column names of a log, lower-cased, in file order. */
struct msft_fields {
	size_t	 n;
	char	 name[MSFT_FIELDS_MAX][MSFT_NAME_MAX];
};

/* One row split into fields; quoted CSV fields are unquoted into scratch. */
struct msft_row {
	size_t		 n;
	struct span	 f[MSFT_FIELDS_MAX];
	char		*scratch;
	size_t		 cap;
};

/* An SMTP reply as logged: "550 5.7.1 Unable to relay". */
struct msft_reply {
	int		 code;		/* 0 when the text has none */
	bool		 last;		/* "250 x", not "250-x" */
	struct span	 dsn;		/* "5.7.1", or empty */
	struct span	 text;		/* after the codes */
};

struct msft_tab;

int		 msft_fields_parse(struct msft_fields *, struct span, char);
int		 msft_fields_index(const struct msft_fields *, const char *);
void		 msft_fields_set(struct msft_fields *, const char *const *);

void		 msft_row_init(struct msft_row *, size_t);
void		 msft_row_free(struct msft_row *);
int		 msft_csv_split(struct msft_row *, struct span);
int		 msft_sep_split(struct msft_row *, struct span, char);
struct span	 msft_row_get(const struct msft_row *, int);

int		 msft_iso_time(struct span, int64_t *, int32_t *);
int		 msft_ymd_hms(struct span, struct span, int64_t *,
		    int32_t *);
void		 msft_reply_parse(struct span, struct msft_reply *);
struct span	 msft_path(struct span, const char *);
bool		 msft_endpoint(struct span, struct span *, uint16_t *);
bool		 msft_is_ip(struct span);
struct span	 msft_bom(struct span);
uint64_t	 msft_hash(uint64_t, struct span);
int		 msft_hex64(struct span, uint64_t *);

struct msft_tab	*msft_tab_new(size_t);
void		 msft_tab_free(struct msft_tab *, void (*)(void *));
void		*msft_tab_get(const struct msft_tab *, uint64_t);
int		 msft_tab_put(struct msft_tab *, uint64_t, void *);
void		*msft_tab_del(struct msft_tab *, uint64_t);
size_t		 msft_tab_count(const struct msft_tab *);
void		 msft_tab_clear(struct msft_tab *, void (*)(void *));

#endif /* MSFT_H */
