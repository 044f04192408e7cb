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
 * pflog-gen traffic: one client connection at a time, written out whole
 * (postscreen, smtpd, and behind it cleanup, qmgr, the delivery agents,
 * bounce; the queue side is pflog-queue.c) into the time-ordered
 * output, where the lines of concurrent sessions and of the queue
 * interleave by time.  The shapes are Postfix
 * 3.7's (samples/postfix/mail.log, and the lightmeter corpus of real
 * logs): postscreen PASS OLD/NEW, PREGREET, DNSBL rank and its refusals,
 * dnsblog, smtpd connect/disconnect with its command counters, TLS,
 * SASL logins and failures, NOQUEUE and queue-id rejects, delivery lines
 * with delay and delays, deferral and retry from the queue, bounces with
 * their non-delivery notification, pickup, anvil and scache statistics.
 *
 * The cast (pflog-cast.c): mail servers sending to our users; our users
 * submitting from home or the office; one account whose password was
 * stolen, used from hundreds of addresses; spammers in the hole range,
 * relaying until the fix and refused after it; relay probers; DNSBL-listed
 * bots and password guessers stopped by postscreen or SASL; our own hosts
 * in mynetworks, one of them abused; scanners and broken clients.
 *
 * Every message's truth is counted where it is made (queue_truth,
 * queue_refused), by the README's rules.
 */

#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "pflog-gen.h"

#define PROG_PS		"postfix/postscreen"

/* smtpd's command counters, in the order it logs them. */
enum cmd {
	C_HELO, C_EHLO, C_STARTTLS, C_AUTH, C_MAIL, C_RCPT, C_DATA, C_BDAT,
	C_RSET, C_NOOP, C_VRFY, C_ETRN, C_QUIT, C_UNKNOWN, C__MAX
};
static const char *const cmd_names[C__MAX] = {
	"helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "bdat",
	"rset", "noop", "vrfy", "etrn", "quit", "unknown"
};

struct sess {
	struct gen_client *c;
	struct gen_proc	*proc;
	const char	*prog;
	int		 pid;
	char		 client[160];		/* name[addr] */
	int		 port;			/* postscreen's view */
	int		 cnt[C__MAX][2];	/* succeeded, tried */
	int64_t		 t;
};

/* pick - a random element of n. */
#define pick(g, v, n)	(&(v)[gen_below((g), (uint32_t)(n))])

/* sess_cmd - count an SMTP command, succeeded or not. */
static void
sess_cmd(struct sess *s, enum cmd c, int ok, int tried)
{
	s->cnt[c][0] += ok;
	s->cnt[c][1] += tried;
}

/*
 * sess_open - client c connects at t: through postscreen (port 25 from
 * outside) or straight to an smtpd of the pool.  postscreen lets a known
 * client pass at once and makes a new one wait out the greeting test.
 */
static void
sess_open(struct gen *g, struct sess *s, struct gen_client *c,
    struct gen_pool *pool, bool postscreen, int64_t t)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->prog = pool->prog;
	s->port = (int)gen_range(g, 1025, 65535);
	g->sessions++;
	if (postscreen) {
		if (t - g->postscreen_last > 100 * GEN_SEC)
			g->postscreen_pid = gen_pid(g);
		g->postscreen_last = t;
		gen_log(g, t, PROG_PS, g->postscreen_pid, "CONNECT from"
		    " [%s]:%d to [%s]:25", c->ip, s->port,
		    c->v6 ? GEN_SRV_IP6 : GEN_SRV_IP4);
		if (c->listed) {
			t += gen_range(g, 2 * GEN_MS, 300 * GEN_MS);
			gen_log(g, t, "postfix/dnsblog", g->dnsblog_pid,
			    "addr %s listed by domain bl.spamcop.net as"
			    " 127.0.0.2", c->ip);
		}
		if (c->seen)
			t += gen_range(g, 1 * GEN_MS, 900 * GEN_MS);
		else
			t += gen_range(g, 6 * GEN_SEC, 6500 * GEN_MS);
		gen_log(g, t, PROG_PS, g->postscreen_pid, "PASS %s [%s]:%d",
		    c->seen ? "OLD" : "NEW", c->ip, s->port);
		c->seen = true;
	}
	t += gen_range(g, 200, 20 * GEN_MS);
	s->proc = gen_pool_idle(g, pool, t);
	s->pid = s->proc->pid;
	if (strcmp(c->name, "unknown") == 0 && gen_chance(g, 0.2))
		gen_log(g, t, s->prog, s->pid, "warning: hostname"
		    " %s.rev.%s does not resolve to address %s: Name or"
		    " service not known", c->v6 ? "host" : "static",
		    g->dom[gen_below(g, 40)], c->ip);
	(void)snprintf(s->client, sizeof(s->client), "%s[%s]", c->name,
	    c->ip);
	gen_log(g, t, s->prog, s->pid, "connect from %s", s->client);
	s->t = t;
}

/* sess_ehlo - EHLO, and STARTTLS with its log line if tls. */
static void
sess_ehlo(struct gen *g, struct sess *s, bool tls)
{
	s->t += gen_range(g, 5 * GEN_MS, 200 * GEN_MS);
	sess_cmd(s, C_EHLO, 1, 1);
	if (!tls)
		return;
	s->t += gen_range(g, 20 * GEN_MS, 150 * GEN_MS);
	if (gen_chance(g, 0.7))
		gen_log(g, s->t, s->prog, s->pid, "Anonymous TLS connection"
		    " established from %s: TLSv1.3 with cipher"
		    " TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519"
		    " server-signature RSA-PSS (2048 bits) server-digest"
		    " SHA256", s->client);
	else
		gen_log(g, s->t, s->prog, s->pid, "Anonymous TLS connection"
		    " established from %s: TLSv1.2 with cipher"
		    " ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)", s->client);
	sess_cmd(s, C_STARTTLS, 1, 1);
	sess_cmd(s, C_EHLO, 1, 1);
}

/*
 * sess_close - the client quits (how NULL), the session ends early
 * ("lost connection after DATA", "timeout after RCPT"), or smtpd drops
 * it (how ""): the disconnect line with its counters, and the smtpd is
 * free again.
 */
static void
sess_close(struct gen *g, struct sess *s, const char *how, const char *after)
{
	char	buf[256];
	size_t	n = 0;
	int	i, ok = 0, all = 0;

	s->t += gen_range(g, 100, 30 * GEN_MS);
	if (how == NULL)
		sess_cmd(s, C_QUIT, 1, 1);
	else if (*how != '\0')
		gen_log(g, s->t, s->prog, s->pid, "%s after %s from %s", how,
		    after, s->client);
	buf[0] = '\0';
	for (i = 0; i < C__MAX; i++) {
		if (s->cnt[i][1] == 0)
			continue;
		ok += s->cnt[i][0];
		all += s->cnt[i][1];
		if (s->cnt[i][0] == s->cnt[i][1])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    " %s=%d", cmd_names[i], s->cnt[i][0]);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    " %s=%d/%d", cmd_names[i], s->cnt[i][0],
			    s->cnt[i][1]);
	}
	if (ok == all && all > 0)
		gen_log(g, s->t, s->prog, s->pid, "disconnect from %s%s"
		    " commands=%d", s->client, buf, ok);
	else
		gen_log(g, s->t, s->prog, s->pid, "disconnect from %s%s"
		    " commands=%d/%d", s->client, buf, ok, all);
	s->proc->busy_until = s->t;
}

/*
 * sess_message - message m through session s: MAIL, the refused
 * recipients in rej[] (before the first accepted one: NOQUEUE, after it:
 * the queue id), "client=" with the SASL login, cleanup, DATA, qmgr; then
 * the queue works it.  The refused ones are local users that do not
 * exist.  Returns false if nothing was accepted (a refused transaction).
 */
static bool
sess_message(struct gen *g, struct sess *s, struct gen_msg *m, const char *sasl,
    char rej[][GEN_ADDR_LEN], int nrej, bool spam)
{
	char		id[160];
	const char	*proto = s->cnt[C_EHLO][0] > 0 ? "ESMTP" : "SMTP";
	int		i, before = nrej > 0 ? (int)gen_below(g,
			    (uint32_t)nrej + 1) : 0;
	int64_t		tq, tr;

	s->t += gen_range(g, 2 * GEN_MS, 80 * GEN_MS);
	sess_cmd(s, C_MAIL, 1, 1);
	if (m->nr == 0)
		before = nrej;
	for (i = 0; i < before; i++) {
		s->t += gen_range(g, 2 * GEN_MS, 60 * GEN_MS);
		gen_log(g, s->t, s->prog, s->pid, "NOQUEUE: reject: RCPT from"
		    " %s: 550 5.1.1 <%s>: Recipient address rejected: User"
		    " unknown in local recipient table; from=<%s> to=<%s>"
		    " proto=%s helo=<%s>", s->client, rej[i], m->sender,
		    rej[i], proto, s->c->helo);
		sess_cmd(s, C_RCPT, 0, 1);
	}
	if (m->nr == 0)
		return (false);
	s->t += gen_range(g, 2 * GEN_MS, 60 * GEN_MS);
	m->qfile = gen_qid(g, s->t, m->qid, sizeof(m->qid));
	m->tarr = s->t;
	if (sasl != NULL)
		gen_log(g, s->t, s->prog, s->pid, "%s: client=%s,"
		    " sasl_method=%s, sasl_username=%s", m->qid, s->client,
		    gen_chance(g, 0.7) ? "PLAIN" : "LOGIN", sasl);
	else
		gen_log(g, s->t, s->prog, s->pid, "%s: client=%s", m->qid,
		    s->client);
	for (i = 0; i < m->nr; i++) {
		s->t += gen_range(g, 1 * GEN_MS, 40 * GEN_MS);
		sess_cmd(s, C_RCPT, 1, 1);
	}
	for (i = before; i < nrej; i++) {
		s->t += gen_range(g, 2 * GEN_MS, 60 * GEN_MS);
		gen_log(g, s->t, s->prog, s->pid, "%s: reject: RCPT from %s:"
		    " 550 5.1.1 <%s>: Recipient address rejected: User unknown"
		    " in local recipient table; from=<%s> to=<%s> proto=%s"
		    " helo=<%s>", m->qid, s->client, rej[i], m->sender, rej[i],
		    proto, s->c->helo);
		sess_cmd(s, C_RCPT, 0, 1);
	}
	s->t += gen_range(g, 5 * GEN_MS, 300 * GEN_MS);
	queue_msgid_client(g, id, sizeof(id), *m->sender != '\0' ?
	    queue_domain_of(m->sender) : "localhost.localdomain");
	gen_log(g, s->t, "postfix/cleanup", gen_pool_any(g, &g->cleanup),
	    "%s: message-id=<%s>", m->qid, id);
	m->size = spam ? (int)gen_range(g, 900, 9000) :
	    (int)gen_range(g, 1500, gen_chance(g, 0.1) ? 4000000 : 90000);
	s->t += gen_range(g, 1 * GEN_MS, 10 * GEN_MS) + m->size / 4;
	sess_cmd(s, C_DATA, 1, 1);
	tq = s->t + gen_range(g, 100, 2 * GEN_MS);
	gen_log(g, tq, GEN_QMGR, g->qmgr_pid, "%s: from=<%s>, size=%d,"
	    " nrcpt=%d (queue active)", m->qid, m->sender, m->size, m->nr);
	for (i = 0; i < m->nr; i++)
		queue_fate(g, &m->r[i], spam);
	queue_truth(g, m);
	g->messages++;
	tr = queue_deliver(g, m, tq);
	gen_qid_done(g, m->qfile, tr);
	return (true);
}

/*
 * sess_refused - a transaction refused recipient by recipient: MAIL from
 * sender, then each of rc[] answered "554 5.7.1 <rcpt>: " and reply
 * ("Relay access denied"), perhaps DATA refused.  A recipient given twice
 * is refused twice but is one recipient.
 */
static void
sess_refused(struct gen *g, struct sess *s, const char *sender,
    char rc[][GEN_ADDR_LEN], int n, const char *reply)
{
	char		 text[300];
	const char	*proto = s->cnt[C_EHLO][0] > 0 ? "ESMTP" : "SMTP";
	unsigned int	 nf = 0;
	int		 i, k;

	s->t += gen_range(g, 2 * GEN_MS, 80 * GEN_MS);
	sess_cmd(s, C_MAIL, 1, 1);
	for (i = 0; i < n; i++) {
		for (k = 0; k < i && strcmp(rc[k], rc[i]) != 0; k++)
			continue;
		if (k == i)
			nf++;
		s->t += gen_range(g, 1 * GEN_MS, 40 * GEN_MS);
		(void)snprintf(text, sizeof(text), "554 5.7.1 <%s>: %s", rc[i],
		    reply);
		gen_log(g, s->t, s->prog, s->pid, "NOQUEUE: reject: RCPT from"
		    " %s: %s; from=<%s> to=<%s> proto=%s helo=<%s>", s->client,
		    text, sender, rc[i], proto, s->c->helo);
		sess_cmd(s, C_RCPT, 0, 1);
	}
	if (gen_chance(g, 0.4)) {
		s->t += gen_range(g, 1 * GEN_MS, 40 * GEN_MS);
		sess_cmd(s, C_DATA, 0, 1);
	}
	queue_refused(g, s->c->ip, nf);
}

/* spam_sender - a forged sender: foreign, ours (spoofed) or null. */
static void
spam_sender(struct gen *g, char *buf, size_t sz)
{
	uint32_t	u = gen_below(g, 10);

	if (u < 7)
		queue_foreign_addr(g, buf, sz);
	else if (u < 9)
		(void)strlcpy(buf, gen_chance(g, 0.5) ? "ceo@corp.example" :
		    queue_local_user(g), sz);
	else
		buf[0] = '\0';
}

/* s_inbound - a mail server delivers to our users and partners. */
static void
s_inbound(struct gen *g, int64_t t)
{
	struct gen_client	*c = &g->mta[gen_below(g, gen_below(g,
				    (uint32_t)g->nmta) + 1)];
	struct sess		 s;
	struct gen_msg		 m;
	char			 a[GEN_ADDR_LEN], f[GEN_ADDR_LEN], lp[64];
	char			 rej[4][GEN_ADDR_LEN];
	int			 nmsg, i, j, n, nrej;

	sess_open(g, &s, c, &g->smtpd, true, t);
	sess_ehlo(g, &s, gen_chance(g, 0.75));
	nmsg = gen_chance(g, 0.9) ? 1 : 2 + (int)gen_below(g, 2);
	for (i = 0; i < nmsg; i++) {
		gen_local_part(g, lp, sizeof(lp));
		(void)snprintf(a, sizeof(a), "%s@%s", lp, g->dom[c->dom]);
		queue_msg_init(&m, GEN_ORIG_SMTPD, gen_chance(g, 0.03) ? "" :
		    a, c->ip);
		n = 1 + (int)gen_below(g, gen_below(g, 5) + 1);
		for (j = 0; j < n; j++) {
			uint32_t	u = gen_below(g, 100);

			if (u < 82)
				(void)queue_msg_add(&m, queue_local_user(g),
				    NULL);
			else if (u < 88) {
				(void)snprintf(a, sizeof(a), "%s@corp.example",
				    j & 1 ? "sales" : "office");
				(void)queue_msg_add(&m, a, queue_local_user(g));
			} else if (u < 92) {
				(void)snprintf(a, sizeof(a),
				    "%s.fwd@corp.example",
				    gen_first[gen_below(g,
				    (uint32_t)gen_nfirst)]);
				queue_foreign_addr(g, f, sizeof(f));
				(void)queue_msg_add(&m, a, f);
			} else {
				gen_local_part(g, lp, sizeof(lp));
				(void)snprintf(a, sizeof(a), "%s@%s", lp,
				    gen_relay_domains[u & 1]);
				(void)queue_msg_add(&m, a, NULL);
			}
		}
		nrej = gen_chance(g, 0.08) ? 1 + (int)gen_below(g, 3) : 0;
		for (j = 0; j < nrej; j++) {
			gen_local_part(g, lp, sizeof(lp));
			(void)snprintf(rej[j], sizeof(rej[j]),
			    "%s%u@corp.example", lp, gen_below(g, 100));
		}
		if (gen_chance(g, 0.03))
			m.nr = 0;
		if (!sess_message(g, &s, &m, NULL, rej, nrej, false))
			break;
		if (i + 1 < nmsg && gen_chance(g, 0.3))
			sess_cmd(&s, C_RSET, 1, 1);
	}
	if (gen_chance(g, 0.03))
		sess_close(g, &s, "lost connection", "END-OF-MESSAGE");
	else
		sess_close(g, &s, NULL, NULL);
}

/* s_submit - one of our users sends mail, authenticated. */
static void
s_submit(struct gen *g, int64_t t)
{
	struct gen_user		*u = &g->user[gen_below(g, (uint32_t)g->nuser)];
	struct gen_client	*c;
	struct sess		 s;
	struct gen_msg		 m;
	char			 a[GEN_ADDR_LEN];
	int			 nmsg, i, j, n;

	if (u == &g->user[g->stolen_user])
		u = &g->user[g->stolen_user + 1];
	c = u->home[gen_below(g, (uint32_t)u->nhome)];
	sess_open(g, &s, c, &g->submission, false, t);
	sess_ehlo(g, &s, true);
	s.t += gen_range(g, 10 * GEN_MS, 100 * GEN_MS);
	sess_cmd(&s, C_AUTH, 1, 1);
	nmsg = gen_chance(g, 0.85) ? 1 : 2;
	for (i = 0; i < nmsg; i++) {
		queue_msg_init(&m, GEN_ORIG_SMTPD, u->addr, c->ip);
		m.auth = true;
		n = 1 + (int)gen_below(g, gen_below(g, 6) + 1);
		for (j = 0; j < n; j++) {
			if (gen_chance(g, 0.65)) {
				queue_foreign_addr(g, a, sizeof(a));
				(void)queue_msg_add(&m, a, NULL);
			} else
				(void)queue_msg_add(&m, queue_local_user(g),
				    NULL);
		}
		(void)sess_message(g, &s, &m, u->addr, NULL, 0, false);
	}
	sess_close(g, &s, NULL, NULL);
}

/*
 * s_stolen - the stolen account: from one of hundreds of addresses, by
 * submission or port 25, spam to many foreign recipients, often with a
 * foreign sender; now and then a few wrong passwords first.
 */
static void
s_stolen(struct gen *g, int64_t t)
{
	struct gen_user		*u = &g->user[g->stolen_user];
	struct gen_client	*c = pick(g, g->stolen, g->nstolen);
	struct sess		 s;
	struct gen_msg		 m;
	char			 a[GEN_ADDR_LEN];
	bool			 sub = gen_chance(g, 0.5);
	int			 nmsg, i, j, n;

	sess_open(g, &s, c, sub ? &g->submission : &g->smtpd, !sub, t);
	sess_ehlo(g, &s, true);
	if (gen_chance(g, 0.1)) {
		s.t += gen_range(g, 100 * GEN_MS, 2 * GEN_SEC);
		gen_log(g, s.t, s.prog, s.pid, "warning: SASL authentication"
		    " failure: Password verification failed");
		gen_log(g, s.t + 7, s.prog, s.pid, "warning: %s: SASL LOGIN"
		    " authentication failed: authentication failure,"
		    " sasl_username=%s", s.client, u->addr);
		sess_cmd(&s, C_AUTH, 0, 1);
	}
	s.t += gen_range(g, 10 * GEN_MS, 300 * GEN_MS);
	sess_cmd(&s, C_AUTH, 1, 1);
	nmsg = 1 + (int)gen_below(g, 4);
	for (i = 0; i < nmsg; i++) {
		if (gen_chance(g, 0.5))
			queue_foreign_addr(g, a, sizeof(a));
		else
			(void)strlcpy(a, u->addr, sizeof(a));
		queue_msg_init(&m, GEN_ORIG_SMTPD, a, c->ip);
		m.auth = true;
		n = 5 + (int)gen_below(g, 36);
		for (j = 0; j < n; j++) {
			queue_foreign_addr(g, a, sizeof(a));
			(void)queue_msg_add(&m, a, NULL);
		}
		(void)sess_message(g, &s, &m, u->addr, NULL, 0, true);
	}
	sess_close(g, &s, NULL, NULL);
}

/* s_guess - a bot guesses passwords; SASL says no. */
static void
s_guess(struct gen *g, int64_t t)
{
	static const char *const names[] = {
		"admin", "info", "test", "office@corp.example",
		"admin@corp.example", "postmaster@corp.example", "user"
	};
	struct gen_client	*c = pick(g, g->bot, g->nbot);
	struct sess		 s;
	bool			 sub = gen_chance(g, 0.6);
	int			 i, n = 1 + (int)gen_below(g, 3);

	sess_open(g, &s, c, sub ? &g->submission : &g->smtpd, !sub, t);
	sess_ehlo(g, &s, sub);
	for (i = 0; i < n; i++) {
		s.t += gen_range(g, 500 * GEN_MS, 3 * GEN_SEC);
		gen_log(g, s.t, s.prog, s.pid, "warning: SASL authentication"
		    " failure: Password verification failed");
		gen_log(g, s.t + 9, s.prog, s.pid, "warning: %s: SASL %s"
		    " authentication failed: authentication failure,"
		    " sasl_username=%s", s.client, gen_chance(g, 0.5) ?
		    "LOGIN" : "PLAIN", gen_chance(g, 0.5) ?
		    queue_local_user(g) : names[gen_below(g, 7)]);
		sess_cmd(&s, C_AUTH, 0, 1);
	}
	if (gen_chance(g, 0.5))
		sess_close(g, &s, "lost connection", "AUTH");
	else
		sess_close(g, &s, NULL, NULL);
}

/* s_internal - our own hosts send notifications (local senders). */
static void
s_internal(struct gen *g, int64_t t)
{
	static const char *const senders[] = {
		"www-data@corp.example", "noreply@corp.example",
		"app@corp.example", "scanner@corp.example",
		"monitoring@corp.example"
	};
	struct gen_client	*c = pick(g, g->internal_hosts, g->ninternal);
	struct sess		 s;
	struct gen_msg		 m;
	char			 a[GEN_ADDR_LEN];
	int			 j, n;

	sess_open(g, &s, c, &g->smtpd, false, t);
	sess_ehlo(g, &s, false);
	queue_msg_init(&m, GEN_ORIG_SMTPD, senders[gen_below(g, 5)], c->ip);
	m.trusted = true;
	n = 1 + (int)gen_below(g, 3);
	for (j = 0; j < n; j++) {
		if (gen_chance(g, 0.6)) {
			queue_foreign_addr(g, a, sizeof(a));
			(void)queue_msg_add(&m, a, NULL);
		} else
			(void)queue_msg_add(&m, queue_local_user(g), NULL);
	}
	(void)sess_message(g, &s, &m, NULL, NULL, 0, false);
	sess_close(g, &s, NULL, NULL);
}

/* s_abused - the abused host in mynetworks sends spam. */
static void
s_abused(struct gen *g, int64_t t)
{
	struct sess	s;
	struct gen_msg	m;
	char		a[GEN_ADDR_LEN];
	int		j, n;

	sess_open(g, &s, g->compromised, &g->smtpd, false, t);
	sess_ehlo(g, &s, false);
	queue_foreign_addr(g, a, sizeof(a));
	queue_msg_init(&m, GEN_ORIG_SMTPD, a, g->compromised->ip);
	m.trusted = true;
	n = 3 + (int)gen_below(g, 25);
	for (j = 0; j < n; j++) {
		queue_foreign_addr(g, a, sizeof(a));
		(void)queue_msg_add(&m, a, NULL);
	}
	(void)sess_message(g, &s, &m, NULL, NULL, 0, true);
	sess_close(g, &s, NULL, NULL);
}

/* s_pickup - cron and web scripts on the server itself (sendmail). */
static void
s_pickup(struct gen *g, int64_t t)
{
	struct gen_msg	m;
	char		id[96], a[GEN_ADDR_LEN];
	bool		root = gen_chance(g, 0.5);
	int64_t		tq;

	queue_msg_init(&m, GEN_ORIG_PICKUP, root ? "root@corp.example" :
	    "www-data@corp.example", "");
	m.trusted = true;
	if (root)
		(void)queue_msg_add(&m, "root", g->user[0].addr);
	else {
		queue_foreign_addr(g, a, sizeof(a));
		(void)queue_msg_add(&m, a, NULL);
	}
	m.qfile = gen_qid(g, t, m.qid, sizeof(m.qid));
	m.tarr = t;
	gen_log(g, t, "postfix/pickup", g->pickup_pid, "%s: uid=%d from=<%s>",
	    m.qid, root ? 0 : 33, root ? "root" : "www-data");
	queue_msgid_server(id, sizeof(id), t, m.qid);
	t += gen_range(g, 200, 2000);
	gen_log(g, t, "postfix/cleanup", gen_pool_any(g, &g->cleanup),
	    "%s: message-id=<%s>", m.qid, id);
	m.size = (int)gen_range(g, 400, 6000);
	tq = t + gen_range(g, 200, 2000);
	gen_log(g, tq, GEN_QMGR, g->qmgr_pid, "%s: from=<%s>, size=%d,"
	    " nrcpt=1 (queue active)", m.qid, m.sender, m.size);
	queue_fate(g, &m.r[0], false);
	g->messages++;
	gen_qid_done(g, m.qfile, queue_deliver(g, &m, tq));
}

/*
 * s_spammer - a spammer from the hole range: relays through us until the
 * fix, is refused "Relay access denied" after it.
 */
static void
s_spammer(struct gen *g, int64_t t)
{
	struct gen_client	*c = pick(g, g->spam, g->nspam);
	struct sess		 s;
	struct gen_msg		 m;
	char			 a[GEN_ADDR_LEN], prev[GEN_ADDR_LEN] = "";
	char			 rc[12][GEN_ADDR_LEN];
	int			 nmsg, i, j, n;

	sess_open(g, &s, c, &g->smtpd, true, t);
	sess_ehlo(g, &s, gen_chance(g, 0.2));
	nmsg = 1 + (int)gen_below(g, 3);
	for (i = 0; i < nmsg; i++) {
		do {
			spam_sender(g, a, sizeof(a));
		} while (strcmp(a, prev) == 0);
		(void)strlcpy(prev, a, sizeof(prev));
		if (g->fixed) {
			n = 1 + (int)gen_below(g, 12);
			for (j = 0; j < n; j++)
				queue_foreign_addr(g, rc[j], sizeof(rc[j]));
			sess_refused(g, &s, a, rc, n, "Relay access denied");
		} else {
			queue_msg_init(&m, GEN_ORIG_SMTPD, a, c->ip);
			n = 3 + (int)gen_below(g, 38);
			for (j = 0; j < n; j++) {
				queue_foreign_addr(g, a, sizeof(a));
				(void)queue_msg_add(&m, a, NULL);
			}
			(void)sess_message(g, &s, &m, NULL, NULL, 0, true);
		}
		if (i + 1 < nmsg)
			sess_cmd(&s, C_RSET, 1, 1);
	}
	sess_close(g, &s, NULL, NULL);
}

/* s_probe - a relay prober: refused, sometimes with address tricks. */
static void
s_probe(struct gen *g, int64_t t)
{
	struct gen_client	*c = pick(g, g->probe, g->nprobe);
	struct sess		 s;
	char			 a[GEN_ADDR_LEN], prev[GEN_ADDR_LEN] = "";
	char			 rc[4][GEN_ADDR_LEN], lp[64];
	int			 nt, i, j, n;

	sess_open(g, &s, c, &g->smtpd, true, t);
	sess_ehlo(g, &s, false);
	if (gen_chance(g, 0.1)) {
		queue_foreign_addr(g, a, sizeof(a));
		gen_log(g, s.t, s.prog, s.pid, "improper command pipelining"
		    " after EHLO from %s: MAIL FROM:<%s>\\r\\nRCPT"
		    " TO:<%s>\\r\\n", s.client, a, a);
	}
	nt = gen_chance(g, 0.8) ? 1 : 2;
	for (i = 0; i < nt; i++) {
		do {
			queue_foreign_addr(g, a, sizeof(a));
		} while (strcmp(a, prev) == 0);
		(void)strlcpy(prev, a, sizeof(prev));
		n = 1 + (int)gen_below(g, 3);
		for (j = 0; j < n; j++) {
			gen_local_part(g, lp, sizeof(lp));
			switch (gen_below(g, 12)) {
			case 0:
				(void)snprintf(rc[j], sizeof(rc[j]),
				    "%s%%%s@corp.example", lp, gen_domain(g));
				break;
			case 1:
				(void)snprintf(rc[j], sizeof(rc[j]),
				    "%s!%s@corp.example", gen_domain(g), lp);
				break;
			default:
				(void)snprintf(rc[j], sizeof(rc[j]), "%s@%s",
				    lp, gen_domain(g));
				break;
			}
		}
		sess_refused(g, &s, a, rc, n, "Relay access denied");
		if (i + 1 < nt)
			sess_cmd(&s, C_RSET, 1, 1);
	}
	sess_close(g, &s, NULL, NULL);
}

/*
 * s_screened - a listed bot that postscreen stops: PREGREET, hang-up, or
 * a DNSBL rank over the threshold and every RCPT refused (the recipient
 * ours, or now and then somebody else's: a relay attempt too).
 */
static void
s_screened(struct gen *g, int64_t t)
{
	struct gen_client	*c = pick(g, g->bot, g->nbot);
	char			 from[GEN_ADDR_LEN], to[GEN_ADDR_LEN];
	char			 fto[4][GEN_ADDR_LEN];
	unsigned int		 nf = 0, k;
	int			 port = (int)gen_range(g, 1025, 65535), i, n;
	uint32_t		 u = gen_below(g, 10);

	g->sessions++;
	if (t - g->postscreen_last > 100 * GEN_SEC)
		g->postscreen_pid = gen_pid(g);
	g->postscreen_last = t;
	gen_log(g, t, PROG_PS, g->postscreen_pid, "CONNECT from [%s]:%d to"
	    " [%s]:25", c->ip, port, c->v6 ? GEN_SRV_IP6 : GEN_SRV_IP4);
	if (u < 2) {
		t += gen_range(g, 0, 50 * GEN_MS);
		gen_log(g, t, PROG_PS, g->postscreen_pid, "PREGREET %d after"
		    " 0.%02u from [%s]:%d: EHLO %s\\r\\n",
		    (int)strlen(c->helo) + 7, gen_below(g, 100), c->ip, port,
		    c->helo);
	} else if (u < 3) {
		t += gen_range(g, 100 * GEN_MS, 3 * GEN_SEC);
		gen_log(g, t, PROG_PS, g->postscreen_pid, "HANGUP after %u.%u"
		    " from [%s]:%d in tests before SMTP handshake",
		    (unsigned)((t % (3 * GEN_SEC)) / GEN_SEC), gen_below(g, 10),
		    c->ip, port);
	} else {
		n = 1 + (int)gen_below(g, 3);
		for (i = 0; i < n; i++) {
			t += gen_range(g, 1 * GEN_MS, 80 * GEN_MS);
			gen_log(g, t, "postfix/dnsblog", g->dnsblog_pid,
			    "addr %s listed by domain zen.spamhaus.org as"
			    " 127.0.0.%d", c->ip, i == 0 ? 2 : 9 + i);
		}
		t += gen_range(g, 5 * GEN_SEC, 6 * GEN_SEC);
		gen_log(g, t, PROG_PS, g->postscreen_pid, "DNSBL rank %d for"
		    " [%s]:%d", 3 + n, c->ip, port);
		if (gen_chance(g, 0.8))
			(void)snprintf(from, sizeof(from), "%s",
			    queue_local_user(g));
		else
			queue_foreign_addr(g, from, sizeof(from));
		n = gen_chance(g, 0.7) ? 1 : 2 + (int)gen_below(g, 3);
		for (i = 0; i < n; i++) {
			if (gen_chance(g, 0.2)) {
				do {
					queue_foreign_addr(g, to, sizeof(to));
					for (k = 0; k < nf &&
					    strcmp(fto[k], to) != 0; k++)
						continue;
				} while (k < nf);
				(void)strlcpy(fto[nf++], to, sizeof(fto[0]));
			} else
				(void)strlcpy(to, queue_local_user(g),
				    sizeof(to));
			t += gen_range(g, 50 * GEN_MS, 900 * GEN_MS);
			gen_log(g, t, PROG_PS, g->postscreen_pid, "NOQUEUE:"
			    " reject: RCPT from [%s]:%d: 550 5.7.1 Service"
			    " unavailable; client [%s] blocked using"
			    " zen.spamhaus.org; from=<%s>, to=<%s>,"
			    " proto=ESMTP, helo=<%s>", c->ip, port, c->ip,
			    from, to, c->helo);
		}
		queue_refused(g, c->ip, nf);
	}
	t += gen_range(g, 1 * GEN_MS, 500 * GEN_MS);
	gen_log(g, t, PROG_PS, g->postscreen_pid, "DISCONNECT [%s]:%d", c->ip,
	    port);
}

/* s_noise - scanners, web browsers on port 587, broken TLS, timeouts. */
static void
s_noise(struct gen *g, int64_t t)
{
	struct gen_client	*c = pick(g, g->noise, g->nnoise);
	struct sess		 s;
	bool			 sub = gen_chance(g, 0.3);

	sess_open(g, &s, c, sub ? &g->submission : &g->smtpd, !sub, t);
	switch (gen_below(g, 5)) {
	case 0:
		s.t += gen_range(g, 10 * GEN_MS, 500 * GEN_MS);
		gen_log(g, s.t, s.prog, s.pid, "warning: non-SMTP command from"
		    " %s: GET / HTTP/1.1", s.client);
		sess_cmd(&s, C_UNKNOWN, 0, 1);
		sess_close(g, &s, "", NULL);
		break;
	case 1:
		s.t += gen_range(g, 10 * GEN_MS, 10 * GEN_SEC);
		sess_close(g, &s, "lost connection", "CONNECT");
		break;
	case 2:
		sess_ehlo(g, &s, false);
		s.t += gen_range(g, 10 * GEN_SEC, 300 * GEN_SEC);
		sess_close(g, &s, "timeout", "EHLO");
		break;
	case 3:
		sess_ehlo(g, &s, false);
		s.t += gen_range(g, 10 * GEN_MS, 200 * GEN_MS);
		gen_log(g, s.t, s.prog, s.pid, "warning: TLS library problem:"
		    " error:0A00010B:SSL routines::wrong version number:"
		    "../ssl/record/ssl3_record.c:354:");
		sess_cmd(&s, C_STARTTLS, 0, 1);
		sess_close(g, &s, "lost connection", "STARTTLS");
		break;
	default:
		sess_ehlo(g, &s, false);
		sess_close(g, &s, NULL, NULL);
		break;
	}
}

static const struct {
	void		(*fn)(struct gen *, int64_t);
	int		  permille;
} kinds[] = {
	{ s_inbound, 340 },
	{ s_screened, 120 },
	{ s_submit, 160 },
	{ s_stolen, 25 },
	{ s_guess, 50 },
	{ s_internal, 60 },
	{ s_abused, 8 },
	{ s_pickup, 30 },
	{ s_spammer, 50 },
	{ s_probe, 97 },
	{ s_noise, 60 },
};

/* traffic_session - the next connection, at time t. */
void
traffic_session(struct gen *g, int64_t t)
{
	size_t		i;
	int		u = (int)gen_below(g, 1000);

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) - 1; i++) {
		if (u < kinds[i].permille)
			break;
		u -= kinds[i].permille;
	}
	kinds[i].fn(g, t);
}

/*
 * traffic_periodic - the daemons' own lines: start-up, anvil's and
 * scache's statistics, postscreen's cache cleanup.
 */
void
traffic_periodic(struct gen *g, int64_t t)
{
	char	when[32];

	if (g->next_anvil == 0) {
		g->master_pid = gen_pid(g);
		gen_log(g, t, "postfix/postfix-script", gen_pid(g),
		    "starting the Postfix mail system");
		gen_log(g, t + 4321, "postfix/master", g->master_pid,
		    "daemon started -- version 3.7.11, configuration"
		    " /etc/postfix");
		g->qmgr_pid = gen_pid(g);
		g->pickup_pid = gen_pid(g);
		g->postscreen_pid = gen_pid(g);
		g->dnsblog_pid = gen_pid(g);
		g->anvil_pid = gen_pid(g);
		g->scache_pid = gen_pid(g);
		g->next_anvil = t + 600 * GEN_SEC;
		g->next_scache = t + 1800 * GEN_SEC;
		g->next_pscache = t + 1000 * GEN_SEC;
		return;
	}
	if (t >= g->next_anvil) {
		struct gen_client	*c = pick(g, g->mta, 20);

		(void)queue_syslog_time(when, sizeof(when), t -
		    gen_range(g, 1, 590) * GEN_SEC);
		gen_log(g, t, "postfix/anvil", g->anvil_pid, "statistics:"
		    " max connection rate %u/60s for (smtp:%s) at %s",
		    2 + gen_below(g, 20), c->ip, when);
		gen_log(g, t, "postfix/anvil", g->anvil_pid, "statistics:"
		    " max connection count %u for (smtp:%s) at %s",
		    1 + gen_below(g, 5), c->ip, when);
		gen_log(g, t, "postfix/anvil", g->anvil_pid, "statistics:"
		    " max cache size %u at %s", 20 + gen_below(g, 80), when);
		g->next_anvil = t + 600 * GEN_SEC;
	}
	if (t >= g->next_scache) {
		unsigned int	h = gen_below(g, 500), mi = gen_below(g, 900);

		(void)queue_syslog_time(when, sizeof(when), t - 1800 * GEN_SEC);
		gen_log(g, t, "postfix/scache", g->scache_pid, "statistics:"
		    " start interval %s", when);
		gen_log(g, t, "postfix/scache", g->scache_pid, "statistics:"
		    " domain lookup hits=%u miss=%u success=%u%%", h, mi + 1,
		    100 * h / (h + mi + 1));
		gen_log(g, t, "postfix/scache", g->scache_pid, "statistics:"
		    " address lookup hits=%u miss=%u success=%u%%", h / 2,
		    mi + 3, 100 * (h / 2) / (h / 2 + mi + 3));
		gen_log(g, t, "postfix/scache", g->scache_pid, "statistics:"
		    " max simultaneous domains=%u addresses=%u connection=%u",
		    1 + gen_below(g, 8), 1 + gen_below(g, 9),
		    1 + gen_below(g, 12));
		g->next_scache = t + 1800 * GEN_SEC;
	}
	if (t >= g->next_pscache) {
		gen_log(g, t, PROG_PS, g->postscreen_pid, "cache"
		    " btree:/var/lib/postfix/postscreen_cache full cleanup:"
		    " retained=%u dropped=%u entries",
		    1000 + gen_below(g, 9000), gen_below(g, 400));
		g->next_pscache = t + 1000 * GEN_SEC;
	}
}

/* traffic_fix - the administrator closes the hole and reloads. */
void
traffic_fix(struct gen *g, int64_t t)
{
	gen_log(g, t, "postfix/postfix-script", gen_pid(g),
	    "refreshing the Postfix mail system");
	gen_log(g, t + 3912, "postfix/master", g->master_pid, "reload --"
	    " version 3.7.11, configuration /etc/postfix");
	g->fixed = true;
}
