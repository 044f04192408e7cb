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
 * Private to the Postfix parser (postfix.c, postfix_smtpd.c,
 * postfix_action.c): the parser's state, the per-line context and the
 * helpers the files share.
 */

#ifndef POSTFIX_INT_H
#define POSTFIX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "mtalog.h"
#include "rx.h"

struct syslog_msg;

/* The built-in patterns, compiled once by postfix_new(). */
enum pf_rx {
	PF_RX_ACTION,		/* "STAGE from CLIENT: rest" */
	PF_RX_DELIVERY,		/* "to=<>, relay=, delay=, ..." */
	PF_RX_MSGINFO,		/* qmgr "from=<>, size=, nrcpt=" */
	PF_RX_EXPIRED,		/* qmgr "from=<>, status=expired, ..." */
	PF_RX_PICKUP,		/* pickup "uid= from=<>" */
	PF_RX_BOUNCE,		/* bounce "sender ... notification: QID" */
	PF_RX__MAX
};

struct postfix {
	struct rx	*rx[PF_RX__MAX];
};

/* One line being parsed. */
struct pf_ctx {
	struct postfix		*pf;
	const struct syslog_msg	*sm;
	const struct ev_ref	*ref;
	ev_sink			 sink;
	void			*arg;
	struct span		 instance;
	struct span		 service;
	struct span		 qid;		/* empty for NOQUEUE */
	bool			 has_qid;	/* QID or NOQUEUE prefix */
	struct span		 body;		/* after the prefix */
};

/* The fields of a policy or content action line ("reject: ..."). */
struct pf_action {
	struct span	 stage;
	struct span	 client;
	struct span	 reply;
	struct span	 sender;
	struct span	 rcpt;
	struct span	 proto;
	struct span	 helo;
};

/* postfix.c */
void		 pf_event(const struct pf_ctx *, struct event *, enum ev_type);
void		 pf_emit(const struct pf_ctx *, struct event *);
struct span	 pf_group(const struct pf_ctx *, enum pf_rx,
		    const struct rx_match *, const char *);
bool		 pf_match(const struct pf_ctx *, enum pf_rx, struct span,
		    struct rx_match *);
bool		 pf_is_qid(struct span);
bool		 pf_client(struct span, struct event *);
bool		 pf_client_find(struct span, struct event *);
void		 pf_reply(struct span, int *, struct span *, struct span *);
struct span	 pf_after(struct span, const char *);
bool		 pf_severity(struct span);
enum parse_result pf_note(const struct pf_ctx *, enum ev_type, bool);

/* postfix_action.c */
bool		 pf_action_word(struct span, struct span *, struct span *);
enum parse_result pf_action(const struct pf_ctx *, struct span,
		    struct span);

/* postfix_smtpd.c */
enum parse_result pf_smtpd(const struct pf_ctx *);
enum parse_result pf_postscreen(const struct pf_ctx *);

#endif /* POSTFIX_INT_H */
