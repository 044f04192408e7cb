/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/* Verdicts and findings over the whole store; see classify.c. */

#ifndef CLASSIFY_H
#define CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct locality;

struct classify_stats {
	uint64_t	 recipients;
	uint64_t	 findings;
	uint64_t	 unattributed;	/* foreign rcpts of unknown origin */
	uint64_t	 hops;		/* handed over by one of ours */
	uint64_t	 unseen;	/* handed to one of ours, not stored */
};

/* What one recipient is judged on ("" and NULL alike mean unknown). */
struct judge_in {
	const char	*rcpt_domain;	/* of the decoded destination */
	const char	*surface_domain;
	const char	*trick;		/* NULL: none */
	const char	*outcome;
	const char	*origin;	/* smtpd, pickup, bounce, unknown */
	const char	*sender_raw;	/* NULL unknown, "" the null sender */
	const char	*sender_domain;
	const char	*client_ip;
	const char	*auth_user;
	int		 reply_code;
};

struct judgement {
	const char	*direction;	/* string constants */
	const char	*authority;
	const char	*verdict;	/* NULL: none */
	bool		 tricked;
	bool		 unattributed;	/* foreign, of unknown origin */
};

int	 classify_run(struct store *, struct locality *,
	    struct classify_stats *);
void	 classify_prepare(struct store *, struct locality *);
void	 classify_judge(const struct locality *, const struct judge_in *,
	    struct judgement *);

#endif /* CLASSIFY_H */
