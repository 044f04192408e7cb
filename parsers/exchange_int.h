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
 * Private to the Exchange parser (exchange.c, exchange_msgtrk.c,
 * exchange_smtp.c): the parser's state, the columns it knows by name, and
 * the per-line context.
 */

#ifndef EXCHANGE_INT_H
#define EXCHANGE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "msft.h"
#include "mtalog.h"

/* Bounded memory: entries kept in each look-up table, open sessions. */
#define EXCH_TAB_MAX		50000
#define EXCH_SESS_MAX		4096
/* Room per line for the strings the parser builds ("host[ip]"). */
#define EXCH_TMP_MAX		2048

/* What kind of log a source is, from "#Log-type:" or the row's shape. */
enum exch_kind {
	EXCH_UNKNOWN = 0,
	EXCH_MSGTRK,		/* Message Tracking Log */
	EXCH_RECV,		/* SMTP Receive Protocol Log */
	EXCH_SEND		/* SMTP Send Protocol Log */
};

/* The columns the parser uses, by "#Fields:" name. */
enum exch_col {
	XC_DATE_TIME,
	XC_CLIENT_IP,
	XC_CLIENT_HOSTNAME,
	XC_SERVER_IP,
	XC_SERVER_HOSTNAME,
	XC_SOURCE_CONTEXT,
	XC_CONNECTOR_ID,
	XC_SOURCE,
	XC_EVENT_ID,
	XC_INTERNAL_MESSAGE_ID,
	XC_MESSAGE_ID,
	XC_RECIPIENT_ADDRESS,
	XC_RECIPIENT_STATUS,
	XC_TOTAL_BYTES,
	XC_RECIPIENT_COUNT,
	XC_RELATED_RECIPIENT_ADDRESS,
	XC_REFERENCE,
	XC_SENDER_ADDRESS,
	XC_RETURN_PATH,
	XC_ORIGINAL_CLIENT_IP,
	XC_CUSTOM_DATA,
	XC_SESSION_ID,
	XC_SEQUENCE_NUMBER,
	XC_LOCAL_ENDPOINT,
	XC_REMOTE_ENDPOINT,
	XC_EVENT,
	XC_DATA,
	XC_CONTEXT,
	XC__MAX
};

struct exchange {
	enum exch_kind		 kind;		/* from "#Log-type:" */
	bool			 fields_seen;	/* "#Fields:" seen */
	enum exch_kind		 fields_kind;	/* what they are for */
	struct msft_fields	 fields;
	int			 col[XC__MAX];
	struct msft_row		 row;
	struct msft_tab		*msgids;	/* message-id -> id */
	struct msft_tab		*links;		/* fork -> original */
	struct msft_tab		*origs;		/* resolved -> given */
	struct msft_tab		*sessions;	/* protocol log */
	struct msft_tab		*auths;		/* session -> user */
	char			 tmp[EXCH_TMP_MAX];
	size_t			 tmplen;
};

/* One row being parsed. */
struct exch_line {
	struct exchange		*ex;
	const struct ev_ref	*ref;
	ev_sink			 sink;
	void			*arg;
	int64_t			 time;
	int32_t			 usec;
	uint64_t		 nevents;
};

struct span	 exch_col(const struct exch_line *, enum exch_col);
struct span	 exch_tmp(struct exch_line *, struct span, const char *,
		    struct span, const char *);
struct span	 exch_short_host(struct span);
void		 exch_emit(struct exch_line *, struct event *);
const char	*exch_tab_get(struct msft_tab *, uint64_t);
void		 exch_tab_put(struct msft_tab *, uint64_t, struct span);

enum parse_result exch_msgtrk_row(struct exch_line *);
enum parse_result exch_smtp_row(struct exch_line *, enum exch_kind);
void		 exch_smtp_free(void *);

#endif /* EXCHANGE_INT_H */
