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
 * Private to the Exim parser (exim.c, exim_smtp.c): the parser's state,
 * the per-line context and the helpers the two files share.
 */

#ifndef EXIM_INT_H
#define EXIM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"
#include "rx.h"

struct syslog_clock;

/* The built-in patterns, compiled once. */
enum ex_rx {
	EX_RX_HOST,		/* "name (helo) [ip]:port" */
	EX_RX_REPLY,		/* "... 554 5.7.1 text" in a reason */
	EX_RX__MAX
};

struct exim {
	struct rx		*rx[EX_RX__MAX];
	struct syslog_clock	*clock;		/* native: local stamps */
	char			 stamp[20];	/* last local stamp seen */
	int64_t			 stamp_time;	/* and its UTC time */
	bool			 in_entry;	/* the last line was Exim's */
};

/* One line being parsed. */
struct ex_ctx {
	struct exim		*ex;
	const struct ev_ref	*ref;
	ev_sink			 sink;
	void			*arg;
	int64_t			 time;
	int32_t			 usec;
	struct span		 host;
	struct span		 program;
	struct span		 qid;		/* empty when none */
	struct span		 body;		/* after stamp, pid and id */
};

/* A client as Exim writes it: "name (helo) [ip]:port". */
struct ex_host {
	struct span	 name;
	struct span	 helo;
	struct span	 ip;
	uint16_t	 port;
	size_t		 len;		/* bytes of the text it took */
};

/* The KEY=value fields in front of an action ("H=... F=<...> rejected"). */
struct ex_fields {
	bool		 have_host;
	struct ex_host	 host;
	struct span	 sender;	/* F=<...>, without the brackets */
	bool		 have_sender;
	struct span	 user;		/* U= */
	struct span	 auth;		/* A= */
	struct span	 proto;		/* P= */
	struct span	 tls;		/* X= */
};

/* exim.c */
void		 ex_event(const struct ex_ctx *, struct event *, enum ev_type,
		    bool);
void		 ex_emit(const struct ex_ctx *, struct event *);
bool		 ex_host(const struct ex_ctx *, struct span, struct ex_host *);
void		 ex_set_host(struct event *, const struct ex_host *);
void		 ex_reply(const struct ex_ctx *, struct span, struct event *);
struct span	 ex_at(struct span, size_t);
bool		 ex_kv(const struct ex_ctx *, struct span, size_t *,
		    struct span *, struct span *, struct ex_host *);
size_t		 ex_fields(const struct ex_ctx *, struct span,
		    struct ex_fields *);

/* exim_smtp.c */
enum parse_result ex_smtp(const struct ex_ctx *);
bool		 ex_note(struct span);

#endif /* EXIM_INT_H */
