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
 * pflog-gen queue: a message from the moment qmgr has it until
 * "removed", as the delivery agents log it: local delivery (aliases show
 * as orig_to=), the relay transport for the partners, smtp to the world
 * with TLS, replies of several kinds of receiving server, deferral and
 * retry passes, bounces (user unknown, no such domain, refused naming a
 * blocklist) and the non-delivery notification they cause.  Also where
 * each message's truth is counted, by the README's rules.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "pflog-gen.h"

/* queue_is_ours - d is a local or relay domain. */
bool
queue_is_ours(const char *d)
{
	int	i;

	for (i = 0; gen_local_domains[i] != NULL; i++)
		if (strcmp(d, gen_local_domains[i]) == 0)
			return (true);
	for (i = 0; gen_relay_domains[i] != NULL; i++)
		if (strcmp(d, gen_relay_domains[i]) == 0)
			return (true);
	return (false);
}

/* queue_domain_of - the part after the last '@', or "". */
const char *
queue_domain_of(const char *a)
{
	const char	*p = strrchr(a, '@');

	return (p != NULL ? p + 1 : "");
}

/* fmt_delay - seconds as Postfix logs them (0, 0.01, 1.2, 17, 2071). */
static const char *
fmt_delay(char *buf, size_t sz, int64_t us)
{
	double	s = (double)us / GEN_SEC;
	char	*p;

	if (s >= 10)
		(void)snprintf(buf, sz, "%.0f", s);
	else if (s >= 1)
		(void)snprintf(buf, sz, "%.1f", s);
	else
		(void)snprintf(buf, sz, "%.2f", s);
	if (strchr(buf, '.') != NULL) {
		p = buf + strlen(buf) - 1;
		while (*p == '0')
			*p-- = '\0';
		if (*p == '.')
			*p = '\0';
	}
	return (buf);
}

/* queue_syslog_time - "Dec  1 06:10:00", as anvil and scache write it. */
const char *
queue_syslog_time(char *buf, size_t sz, int64_t t)
{
	time_t		tt = (time_t)(t / GEN_SEC);
	struct tm	tm;

	(void)gmtime_r(&tt, &tm);
	(void)strftime(buf, sz, "%b %e %H:%M:%S", &tm);
	return (buf);
}

/* mx_of - the mail exchanger of a foreign domain, name and address. */
static void
mx_of(const char *dom, char *name, size_t nsz, char *ip, size_t isz,
    int *style)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	const char	*p;

	for (p = dom; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	(void)snprintf(name, nsz, "%s.%s", (h & 3) == 0 ? "mx" :
	    (h & 3) == 1 ? "mx1" : (h & 3) == 2 ? "mail" : "smtp-in", dom);
	(void)snprintf(ip, isz, "%u.%u.%u.%u", 20 + (unsigned)(h >> 8) % 100,
	    (unsigned)(h >> 16) & 0xff, (unsigned)(h >> 24) & 0xff,
	    1 + (unsigned)(h >> 32) % 250);
	*style = (int)((h >> 40) % 5);
}

/* queue_local_user - one of our users' addresses. */
const char *
queue_local_user(struct gen *g)
{
	return (g->user[gen_below(g, (uint32_t)g->nuser)].addr);
}

/* queue_foreign_addr - an address somewhere else. */
void
queue_foreign_addr(struct gen *g, char *buf, size_t sz)
{
	char	lp[64];

	gen_local_part(g, lp, sizeof(lp));
	(void)snprintf(buf, sz, "%s@%s", lp, gen_domain(g));
}

/* rcpt_set - recipient addr delivered as final (NULL: the same). */
static void
rcpt_set(struct gen_rcpt *r, const char *addr, const char *final)
{
	memset(r, 0, sizeof(*r));
	(void)strlcpy(r->addr, addr, sizeof(r->addr));
	(void)strlcpy(r->final, final != NULL ? final : addr,
	    sizeof(r->final));
	r->orig = final != NULL && strcmp(addr, final) != 0;
	r->foreign = !queue_is_ours(queue_domain_of(addr));
	if (queue_is_ours(queue_domain_of(r->final))) {
		const char	*d = queue_domain_of(r->final);
		int		 i;

		r->route = GEN_R_LOCAL;
		for (i = 0; gen_relay_domains[i] != NULL; i++)
			if (strcmp(d, gen_relay_domains[i]) == 0)
				r->route = GEN_R_RELAY;
	} else
		r->route = GEN_R_SMTP;
}

/*
 * queue_fate - how delivery of r goes: deferred a few times, then sent
 * or bounced.  Spam goes worse, and once the spam has run for a while
 * big receivers refuse us naming a blocklist.
 */
void
queue_fate(struct gen *g, struct gen_rcpt *r, bool spam)
{
	double	u = (double)gen_below(g, 1000000) / 1e6;

	r->fate = GEN_F_SENT;
	r->defers = 0;
	if (r->route == GEN_R_LOCAL)
		return;
	if (gen_chance(g, spam ? 0.08 : 0.03))
		r->defers = 1 + (int)gen_below(g, 3);
	if (u < (spam ? 0.06 : 0.015))
		r->fate = GEN_F_BOUNCED;
	else if (u < (spam ? 0.09 : 0.02))
		r->fate = GEN_F_NOHOST;
	else if (u < (spam ? 0.12 : 0.03) && r->route == GEN_R_SMTP)
		r->fate = GEN_F_BLOCKED;
	if (r->defers > 0 && r->fate == GEN_F_SENT && gen_chance(g, 0.2))
		r->fate = GEN_F_BOUNCED;
}

/* queue_msg_init - an empty message from sender. */
void
queue_msg_init(struct gen_msg *m, enum gen_origin o, const char *sender,
    const char *ip)
{
	memset(m, 0, sizeof(*m));
	m->origin = o;
	(void)strlcpy(m->sender, sender, sizeof(m->sender));
	m->slocal = *sender != '\0' && queue_is_ours(queue_domain_of(sender));
	m->ip = ip;
}

/* queue_msg_add - add a recipient, unless it is there already. */
struct gen_rcpt *
queue_msg_add(struct gen_msg *m, const char *addr, const char *final)
{
	int	i;

	if (m->nr == GEN_RCPT_MAX)
		return (NULL);
	for (i = 0; i < m->nr; i++)
		if (strcmp(m->r[i].addr, addr) == 0)
			return (NULL);
	rcpt_set(&m->r[m->nr], addr, final);
	return (&m->r[m->nr++]);
}

/*
 * queue_truth - count the message's findings, by the README's rules: a
 * foreign recipient from a SASL client is auth-relay; from a trusted
 * network with a foreign sender, trusted-relay; from anyone else,
 * accepted, open-relay.  Bounces the server made are not counted here.
 */
void
queue_truth(struct gen *g, const struct gen_msg *m)
{
	unsigned int	n = 0, out[GEN_O__MAX] = { 0 };
	enum gen_kind	k;
	int		i;

	if (m->origin != GEN_ORIG_SMTPD || m->ip == NULL || *m->ip == '\0')
		return;
	if (m->auth)
		k = GEN_K_AUTH;
	else if (m->trusted) {
		if (m->slocal || *m->sender == '\0')
			return;
		k = GEN_K_TRUSTED;
	} else
		k = GEN_K_OPEN;
	for (i = 0; i < m->nr; i++) {
		if (!m->r[i].foreign)
			continue;
		n++;
		out[m->r[i].fate == GEN_F_SENT ? GEN_O_DELIVERED :
		    GEN_O_BOUNCED]++;
	}
	gen_tally(g, m->ip, k, n, out);
}

/* queue_refused - a refused transaction with n foreign recipients. */
void
queue_refused(struct gen *g, const char *ip, unsigned int n)
{
	gen_tally(g, ip, GEN_K_ATTEMPT, n, NULL);
}

/* queue_msgid_server - a Message-ID the server makes (bounces, pickup). */
void
queue_msgid_server(char *buf, size_t sz, int64_t t, const char *qid)
{
	time_t		tt = (time_t)(t / GEN_SEC);
	struct tm	tm;
	char		d[24];

	(void)gmtime_r(&tt, &tm);
	(void)strftime(d, sizeof(d), "%Y%m%d%H%M%S", &tm);
	(void)snprintf(buf, sz, "%s.%s@mx.corp.example", d, qid);
}

/* queue_msgid_client - a Message-ID as mail programs make them. */
void
queue_msgid_client(struct gen *g, char *buf, size_t sz, const char *dom)
{
	switch (gen_below(g, 3)) {
	case 0:
		(void)snprintf(buf, sz, "%08x-%04x-%04x-%04x-%08x%04x@%s",
		    (unsigned)gen_rand(g), gen_below(g, 0x10000),
		    gen_below(g, 0x10000), gen_below(g, 0x10000),
		    (unsigned)gen_rand(g), gen_below(g, 0x10000), dom);
		break;
	case 1:
		(void)snprintf(buf, sz, "%016llx.%u@%s",
		    (unsigned long long)gen_rand(g), gen_below(g, 100000), dom);
		break;
	default:
		(void)snprintf(buf, sz, "%llx$%x@mail.%s",
		    (unsigned long long)(gen_rand(g) >> 16),
		    gen_below(g, 0xfffff), dom);
		break;
	}
}

/*
 * ndr - the server's bounce of m to its sender, made at *tp: cleanup,
 * bounce's "sender non-delivery notification", qmgr; *tp moves past them
 * (m's "removed" comes after).
 */
static void
ndr(struct gen *g, const struct gen_msg *m, int64_t *tp)
{
	struct gen_msg	 n;
	struct gen_rcpt	*r;
	char		 id[96];
	int64_t		 t = *tp;

	queue_msg_init(&n, GEN_ORIG_BOUNCE, "", m->ip);
	r = queue_msg_add(&n, m->sender, NULL);
	queue_fate(g, r, !m->slocal);
	if (r->route == GEN_R_SMTP && gen_chance(g, 0.5))
		r->fate = GEN_F_NOHOST;	/* forged senders' domains */
	n.qfile = gen_qid(g, t, n.qid, sizeof(n.qid));
	n.tarr = t;
	n.size = (int)gen_range(g, 2400, m->size + 2400);
	queue_msgid_server(id, sizeof(id), t, n.qid);
	gen_log(g, t, "postfix/cleanup", gen_pool_any(g, &g->cleanup),
	    "%s: message-id=<%s>", n.qid, id);
	t += gen_range(g, 100, 900);
	gen_log(g, t, "postfix/bounce", gen_pool_any(g, &g->bounce),
	    "%s: sender non-delivery notification: %s", m->qid, n.qid);
	t += gen_range(g, 20, 300);
	gen_log(g, t, GEN_QMGR, g->qmgr_pid,
	    "%s: from=<>, size=%d, nrcpt=1 (queue active)", n.qid, n.size);
	gen_qid_done(g, n.qfile, queue_deliver(g, &n, t));
	*tp = t;
}

/* delivery_line - one delivery attempt of r: deferred or its fate. */
static void
delivery_line(struct gen *g, const struct gen_msg *m, const struct gen_rcpt *r,
    int64_t t, int64_t tq, bool deferred, const char **prev)
{
	char		 dl[16], d1[16], d2[16], d3[16], d4[16], mx[160];
	char		 mxip[48], relay[240], orig[GEN_ADDR_LEN + 16];
	char		 text[512];
	const char	*prog, *dsn, *status = deferred ? "deferred" : "sent";
	const char	*fdom = queue_domain_of(r->final);
	int		 pid, style;
	int64_t		 rem = t - tq, qa, cs;

	if (r->orig)
		(void)snprintf(orig, sizeof(orig), "orig_to=<%s>, ", r->addr);
	else
		orig[0] = '\0';
	/* delays=a/b/c/d: before qmgr, in the active queue, connection
	 * set-up, transmission; they add up to delay. */
	qa = rem * gen_range(g, 0, 10) / 100;
	cs = (rem - qa) * gen_range(g, 0, 60) / 100;
	(void)fmt_delay(dl, sizeof(dl), t - m->tarr);
	(void)fmt_delay(d1, sizeof(d1), tq - m->tarr);
	(void)fmt_delay(d2, sizeof(d2), qa);
	(void)fmt_delay(d3, sizeof(d3), cs);
	(void)fmt_delay(d4, sizeof(d4), rem - qa - cs);
	if (r->route == GEN_R_LOCAL) {
		(void)fmt_delay(d4, sizeof(d4), rem - qa);
		gen_log(g, t, "postfix/local", gen_pool_any(g, &g->local),
		    "%s: to=<%s>, %srelay=local, delay=%s, delays=%s/%s/0/%s,"
		    " dsn=2.0.0, status=sent (delivered to %s)", m->qid,
		    r->final, orig, dl, d1, d2, d4, gen_chance(g, 0.9) ?
		    "mailbox" : "command: /usr/bin/procmail -a \"$EXTENSION\"");
		return;
	}
	if (r->route == GEN_R_RELAY) {
		prog = "postfix/relay/smtp";
		pid = gen_pool_any(g, &g->relay);
		(void)snprintf(mx, sizeof(mx), "mx.%s", fdom);
		(void)strlcpy(mxip, "192.0.2.40", sizeof(mxip));
		style = 0;
	} else {
		prog = "postfix/smtp";
		pid = gen_pool_any(g, &g->smtp);
		mx_of(fdom, mx, sizeof(mx), mxip, sizeof(mxip), &style);
	}
	(void)snprintf(relay, sizeof(relay), "%s[%s]:25", mx, mxip);
	dsn = "2.0.0";
	if (deferred) {
		switch (gen_below(g, 4)) {
		case 0:
			(void)strlcpy(relay, "none", sizeof(relay));
			dsn = "4.4.1";
			(void)snprintf(text, sizeof(text), "connect to"
			    " %s[%s]:25: Connection refused", mx, mxip);
			break;
		case 1:
			dsn = "4.7.1";
			(void)snprintf(text, sizeof(text), "host %s[%s] said:"
			    " 451 4.7.1 Greylisted, please try again later"
			    " (in reply to RCPT TO command)", mx, mxip);
			break;
		case 2:
			dsn = "4.7.0";
			(void)snprintf(text, sizeof(text), "host %s[%s] said:"
			    " 421 4.7.0 Try again later, closing connection."
			    " (in reply to MAIL FROM command)", mx, mxip);
			break;
		default:
			(void)strlcpy(relay, "none", sizeof(relay));
			dsn = "4.4.3";
			(void)snprintf(text, sizeof(text), "Host or domain"
			    " name not found. Name service error for name=%s"
			    " type=MX: Host not found, try again", fdom);
			break;
		}
	} else if (r->fate == GEN_F_BOUNCED) {
		status = "bounced";
		dsn = "5.1.1";
		(void)snprintf(text, sizeof(text), "host %s[%s] said: 550 5.1.1"
		    " <%s>: Recipient address rejected: User unknown in virtual"
		    " mailbox table (in reply to RCPT TO command)", mx, mxip,
		    r->final);
	} else if (r->fate == GEN_F_BLOCKED) {
		status = "bounced";
		dsn = "5.7.1";
		if (style & 1)
			(void)snprintf(text, sizeof(text), "host %s[%s] said:"
			    " 554 5.7.1 Service unavailable; Client host ["
			    GEN_SRV_IP4 "] blocked using zen.spamhaus.org;"
			    " https://www.spamhaus.org/query/ip/" GEN_SRV_IP4
			    " (in reply to RCPT TO command)", mx, mxip);
		else
			(void)snprintf(text, sizeof(text), "host %s[%s] said:"
			    " 550 5.7.1 Mail from " GEN_SRV_IP4 " refused - see"
			    " http://www.spamcop.net/bl.shtml?" GEN_SRV_IP4
			    " (listed at bl.spamcop.net) (in reply to RCPT TO"
			    " command)", mx, mxip);
	} else if (r->fate == GEN_F_NOHOST) {
		status = "bounced";
		dsn = "5.4.4";
		(void)strlcpy(relay, "none", sizeof(relay));
		(void)snprintf(text, sizeof(text), "Host or domain name not"
		    " found. Name service error for name=%s type=A: Host not"
		    " found", fdom);
	} else {
		switch (style) {
		case 0:
			(void)snprintf(text, sizeof(text), "250 2.0.0 Ok:"
			    " queued as %05X%05X", gen_below(g, 0xfffff),
			    gen_below(g, 0xfffff));
			break;
		case 1:
			(void)snprintf(text, sizeof(text), "250 2.0.0 OK  %lld"
			    " %llxsi%u.%u - gsmtp", (long long)(t / GEN_SEC),
			    (unsigned long long)(gen_rand(g) >> 24),
			    gen_below(g, 10000), gen_below(g, 1000));
			break;
		case 2:
			(void)strlcpy(text, "250 ok dirdel", sizeof(text));
			break;
		case 3:
			(void)snprintf(text, sizeof(text), "250 Requested mail"
			    " action okay, completed: id=1M%07X-1%07X",
			    gen_below(g, 0xfffffff), gen_below(g, 0xfffffff));
			break;
		default:
			(void)snprintf(text, sizeof(text), "250 2.0.0 %08X"
			    " Message accepted for delivery",
			    (unsigned)gen_rand(g));
			break;
		}
	}
	if (strcmp(relay, "none") != 0 && (*prev == NULL ||
	    strcmp(*prev, fdom) != 0) && gen_chance(g, 0.6))
		gen_log(g, t - gen_range(g, 1, 200), prog, pid, "%s TLS"
		    " connection established to %s: TLSv1.3 with cipher"
		    " TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519"
		    " server-signature %s server-digest SHA256", style & 1 ?
		    "Trusted" : "Untrusted", relay, style & 2 ?
		    "ECDSA (P-256)" : "RSA-PSS (2048 bits)");
	*prev = fdom;
	if (strcmp(relay, "none") != 0 && gen_chance(g, 0.05))
		gen_log(g, t, prog, pid, "%s: to=<%s>, %srelay=%s,"
		    " conn_use=%u, delay=%s, delays=%s/%s/%s/%s, dsn=%s,"
		    " status=%s (%s)", m->qid, r->final, orig, relay,
		    2 + gen_below(g, 8), dl, d1, d2, d3, d4, dsn, status, text);
	else
		gen_log(g, t, prog, pid, "%s: to=<%s>, %srelay=%s, delay=%s,"
		    " delays=%s/%s/%s/%s, dsn=%s, status=%s (%s)", m->qid,
		    r->final, orig, relay, dl, d1, d2, d3, d4, dsn, status,
		    text);
}

/*
 * queue_deliver - work message m through the queue from time t, when qmgr
 * logged its "from=".  Each pass tries the recipients still pending;
 * deferred ones wait (5, 10, 20 minutes, a bit more) for the next pass,
 * which qmgr announces again.  Bounced recipients of a pass make a
 * non-delivery notification unless the sender is null.  Returns the time
 * of "removed".
 */
int64_t
queue_deliver(struct gen *g, struct gen_msg *m, int64_t t)
{
	bool		 done[GEN_RCPT_MAX] = { false };
	const char	*prev;
	int		 pass, i, left = m->nr, bounced;
	int64_t		 tq = t;

	for (pass = 0; left > 0; pass++) {
		if (pass > 0) {
			t += (300LL << (pass - 1)) * GEN_SEC +
			    gen_range(g, 0, 120 * GEN_SEC);
			tq = t;
			gen_log(g, t, GEN_QMGR, g->qmgr_pid, "%s: from=<%s>,"
			    " size=%d, nrcpt=%d (queue active)", m->qid,
			    m->sender, m->size, m->nr);
		}
		bounced = 0;
		prev = NULL;
		for (i = 0; i < m->nr; i++) {
			struct gen_rcpt	*r = &m->r[i];

			if (done[i])
				continue;
			t += r->route == GEN_R_LOCAL ? gen_range(g, 300, 4000) :
			    gen_range(g, 20 * GEN_MS, 900 * GEN_MS);
			if (pass < r->defers) {
				delivery_line(g, m, r, t, tq, true, &prev);
				continue;
			}
			delivery_line(g, m, r, t, tq, false, &prev);
			done[i] = true;
			left--;
			if (r->fate != GEN_F_SENT)
				bounced++;
		}
		if (bounced > 0 && *m->sender != '\0') {
			t += gen_range(g, 200, 3000);
			ndr(g, m, &t);
		}
	}
	t += gen_range(g, 50, 800);
	gen_log(g, t, GEN_QMGR, g->qmgr_pid, "%s: removed", m->qid);
	return (t);
}
