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
 * Private to the Exim parser (exim.c, exim_smtp.c, exim_logs.c): the
 * parser's state, the per-line context and the helpers the files share.
 */

#ifndef EXIM_INT_H
#define EXIM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "exim.h"
#include "mtalog.h"
#include "rx.h"

struct syslog_clock;
struct syslog_msg;

/* The built-in patterns, compiled once. */
enum ex_rx {
	EX_RX_HOST,		/* "name (helo) [ip]:port" */
	EX_RX_REPLY,		/* "... 554 5.7.1 text" in a reason */
	EX_RX__MAX
};

/* Which of Exim's logs a line of this form goes to (ex_form). */
enum ex_form {
	EX_FORM_OTHER,		/* not known, or either */
	EX_FORM_MAIN,		/* the mainlog only */
	EX_FORM_REJECT		/* the mainlog and the rejectlog */
};

/* One of the last entries of a syslog source (exim_logs.c). */
struct ex_recent {
	uint64_t		 line;		/* 0: the slot is empty */
	uint64_t		 key;		/* host and program, hashed */
	int64_t			 pid;		/* -1 unknown */
	bool			 open;		/* a refusal, its copy to come */
	struct buf		 msg;		/* its message, while open */
};

struct exim {
	struct rx		*rx[EX_RX__MAX];
	struct syslog_clock	*clock;		/* native: local stamps */
	char			 stamp[20];	/* last local stamp seen */
	int64_t			 stamp_time;	/* and its UTC time */
	bool			 in_entry;	/* the last line was Exim's */
	struct exim_sniff	 sniff;		/* native: rejectlog or not */
	/* Syslog: the last entries, to tell a second copy (exim_logs.c). */
	struct ex_recent	 recent[EV_COPY_WINDOW];
	size_t			 next;		/* the slot to take next */
	uint64_t		 paired;	/* refusals that had a copy */
	uint64_t		 lone;		/* and that had none */
};

/* A parsed "YYYY-MM-DD HH:MM:SS[.fff][ +hhmm] " stamp. */
struct ex_stamp {
	int		 y, mo, d;
	int64_t		 sod;
	int32_t		 usec;
	bool		 zone;
	int32_t		 off;
	size_t		 len;		/* with the space after it */
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
	uint64_t		 copy_of;	/* a syslog copy of that line */
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
bool		 ex_untag(struct span, struct ex_stamp *, struct span *,
		    struct span *, struct span *);
bool		 ex_head(struct ex_ctx *, struct span);
size_t		 ex_quoted_end(struct span, size_t);
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

/* exim_logs.c */
enum ex_form	 ex_form(bool, struct span);
unsigned	 ex_part(struct span *);
uint64_t	 ex_syslog_copy(struct exim *, const struct syslog_msg *,
		    uint64_t, struct span, enum ex_form);
void		 ex_logs_begin(struct exim *);
void		 ex_logs_free(struct exim *);

#endif /* EXIM_INT_H */
