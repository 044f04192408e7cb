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
 * pflog-gen: the state shared by its parts: the core (pflog-gen.c: random
 * numbers, the time-ordered output, processes, queue ids, the truth), the
 * cast of hosts and users (pflog-cast.c), the queue (pflog-queue.c:
 * messages from qmgr to "removed") and the traffic (pflog-traffic.c:
 * client sessions as postscreen and smtpd log them).
 */

#ifndef PFLOG_GEN_H
#define PFLOG_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define GEN_SEC		1000000LL	/* times are microseconds */
#define GEN_MS		1000LL

#define GEN_RCPT_MAX	48		/* recipients of one message */
#define GEN_ADDR_LEN	128

#define GEN_SRV_IP4	"203.0.113.25"	/* the server, as others see it */
#define GEN_SRV_IP6	"2001:db8:1::25"
#define GEN_QMGR	"postfix/qmgr"

/* What the README's rules make of a foreign recipient. */
enum gen_kind {
	GEN_K_AUTH,			/* auth-relay */
	GEN_K_OPEN,			/* open-relay */
	GEN_K_ATTEMPT,			/* relay-attempt */
	GEN_K_TRUSTED,			/* trusted-relay */
	GEN_K__MAX
};

/* Final outcome of a recipient, as relaytrace counts it. */
enum gen_out {
	GEN_O_DELIVERED,
	GEN_O_DEFERRED,
	GEN_O_BOUNCED,
	GEN_O__MAX
};

/* How a recipient is delivered: local(8), the relay transport, smtp. */
enum gen_route { GEN_R_LOCAL, GEN_R_RELAY, GEN_R_SMTP };

/* How its delivery ends (after any deferrals). */
enum gen_fate { GEN_F_SENT, GEN_F_BOUNCED, GEN_F_BLOCKED, GEN_F_NOHOST };

/* Where a message came from. */
enum gen_origin { GEN_ORIG_SMTPD, GEN_ORIG_PICKUP, GEN_ORIG_BOUNCE };

/* A recipient of a message in the queue. */
struct gen_rcpt {
	char		 addr[GEN_ADDR_LEN];	/* as the client gave it */
	char		 final[GEN_ADDR_LEN];	/* to=, after aliases */
	bool		 orig;			/* log orig_to= */
	enum gen_route	 route;
	bool		 foreign;		/* the client's address */
	enum gen_fate	 fate;
	int		 defers;		/* deferrals before the fate */
};

/* A message in the queue. */
struct gen_msg {
	char		 qid[16];
	uint32_t	 qfile;
	char		 sender[GEN_ADDR_LEN];	/* "" is the null sender */
	bool		 slocal;
	enum gen_origin	 origin;
	const char	*ip;			/* the client, for the truth */
	bool		 auth, trusted;
	struct gen_rcpt	 r[GEN_RCPT_MAX];
	int		 nr;
	int		 size;
	int64_t		 tarr;			/* "client=" time */
};


/* A client: a host that connects to the server. */
struct gen_client {
	char		 ip[48];
	char		 name[80];	/* reverse name, "unknown" if none */
	char		 helo[80];
	int		 dom;		/* its mail domain (foreign), or -1 */
	bool		 seen;		/* postscreen: PASS OLD from now on */
	bool		 listed;	/* on a DNS blocklist */
	bool		 v6;
};

/* A user of the server, with the hosts it submits from. */
struct gen_user {
	char		 addr[64];
	struct gen_client *home[2];
	int		 nhome;
};

/* A pool of processes of one program (smtpd, smtp, cleanup, ...). */
struct gen_proc {
	int		 pid;
	int64_t		 busy_until;
	int		 uses;
};

struct gen_pool {
	const char	*prog;
	struct gen_proc	*v;
	size_t		 n, cap;
	size_t		 want;		/* gen_pool_any: pool size */
	int		 max_use;
};

/* A line waiting for its time. */
struct gen_rec {
	int64_t		 t;
	uint64_t	 seq;
	char		*line;
	size_t		 len;
};

/* Per client IP and kind: what the truth file says. */
struct gen_tally {
	char		*ip;
	uint64_t	 n[GEN_K__MAX][2 + GEN_O__MAX];	/* msgs, rcpts, outs */
};

struct gen {
	uint64_t	 rng;
	FILE		*out;
	uint64_t	 target, bytes, lines;
	uint64_t	 pending;	/* bytes of lines waiting in the heap */
	int64_t		 t0, now;

	struct gen_rec	*heap;
	size_t		 nheap, capheap;
	uint64_t	 seq;
	char		 tsbuf[40];	/* cached "YYYY-MM-DDTHH:MM:SS" */
	int64_t		 tssec;

	int		 next_pid;
	struct gen_pool	 smtpd, submission, smtp, relay, local, cleanup,
			 bounce;
	int		 master_pid, qmgr_pid, postscreen_pid, pickup_pid,
			 anvil_pid, scache_pid, dnsblog_pid;
	int64_t		 postscreen_last;

	int64_t		*qbusy;		/* per queue file inode */
	uint32_t	*qusec;
	uint32_t	 nq;
	uint32_t	 qring[256];	/* files freed last, a ring */
	uint32_t	 qring_n;

	bool		 fixed;		/* the relay hole is closed */
	int64_t		 next_anvil, next_scache, next_pscache;

	struct gen_tally *tally;
	size_t		 ntally, captally;

	/* The cast. */
	char		**dom;		/* foreign domains */
	int		 ndom;
	struct gen_client *mta, *spam, *probe, *stolen, *bot, *noise;
	int		 nmta, nspam, nprobe, nstolen, nbot, nnoise;
	struct gen_client *internal_hosts, *compromised;
	int		 ninternal;
	struct gen_user	*user;
	int		 nuser;
	int		 stolen_user;

	/* Counts for the summary on standard error. */
	uint64_t	 sessions, messages;
};

/* Local domains, relay domains and names (pflog-cast.c). */
extern const char *const gen_local_domains[];
extern const char *const gen_relay_domains[];
extern const char *const gen_first[];
extern const char *const gen_last[];
extern const int gen_nfirst, gen_nlast;

/* pflog-gen.c */
uint64_t	 gen_rand(struct gen *);
uint32_t	 gen_below(struct gen *, uint32_t);
bool		 gen_chance(struct gen *, double);
int64_t		 gen_range(struct gen *, int64_t, int64_t);
int64_t		 gen_exp(struct gen *, int64_t);
void		 gen_log(struct gen *, int64_t, const char *, int,
		    const char *, ...)
		    __attribute__((__format__(printf, 5, 6)));
int		 gen_pid(struct gen *);
int		 gen_pool_any(struct gen *, struct gen_pool *);
struct gen_proc	*gen_pool_idle(struct gen *, struct gen_pool *, int64_t);
uint32_t	 gen_qid(struct gen *, int64_t, char *, size_t);
void		 gen_qid_done(struct gen *, uint32_t, int64_t);
void		 gen_tally(struct gen *, const char *, enum gen_kind,
		    unsigned int, const unsigned int *);

/* pflog-cast.c */
void		 gen_cast(struct gen *);
const char	*gen_domain(struct gen *);
void		 gen_local_part(struct gen *, char *, size_t);

/* pflog-queue.c */
bool		 queue_is_ours(const char *);
const char	*queue_domain_of(const char *);
const char	*queue_syslog_time(char *, size_t, int64_t);
const char	*queue_local_user(struct gen *);
void		 queue_foreign_addr(struct gen *, char *, size_t);
void		 queue_fate(struct gen *, struct gen_rcpt *, bool);
void		 queue_msg_init(struct gen_msg *, enum gen_origin,
		    const char *, const char *);
struct gen_rcpt	*queue_msg_add(struct gen_msg *, const char *, const char *);
void		 queue_truth(struct gen *, const struct gen_msg *);
void		 queue_refused(struct gen *, const char *, unsigned int);
void		 queue_msgid_server(char *, size_t, int64_t, const char *);
void		 queue_msgid_client(struct gen *, char *, size_t,
		    const char *);
int64_t		 queue_deliver(struct gen *, struct gen_msg *, int64_t);

/* pflog-traffic.c */
void		 traffic_session(struct gen *, int64_t);
void		 traffic_periodic(struct gen *, int64_t);
void		 traffic_fix(struct gen *, int64_t);

#endif /* PFLOG_GEN_H */
