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
 * pflog-gen: a synthetic Postfix log of a given size with a known relay
 * truth, for the benchmark (tests/bench/bench.sh).
 *
 *	pflog-gen [--seed N] [--size N[kMG]] [--truth FILE]
 *	    [--main-cf FILE] [-o FILE]
 *
 * The log is what Postfix 3.7 on Debian 12 writes through rsyslog
 * (RFC 3339 timestamps, host "mx"): postscreen in front of port 25,
 * dozens of smtpd and submission processes serving clients at once,
 * cleanup, qmgr, smtp, local, the relay transport and bounce working the
 * queue behind them.  Queue ids are Postfix's short ids (microseconds and
 * inode number), interleaved, and now and then reused.  The sessions are
 * in pflog-traffic.c, the queue in pflog-queue.c, who takes part in
 * pflog-cast.c; this file keeps time, processes, queue files and the
 * truth.  Size 0 or less than a few kilobytes still gives a
 * complete log: the size is where new connections stop, and what is in
 * flight then is finished.  At the default pace (ten connections a
 * second) 100 MB is about an hour of traffic.
 *
 * The server was an open relay for part of 198.51.100.0/24 (a mistyped
 * check_client_access entry) until it is fixed at 60% of the size: a
 * "postfix reload" line, after which the same spammers are refused.
 *
 * --truth FILE: per client IP and kind (auth-relay, open-relay,
 * relay-attempt, trusted-relay), the findings relaytrace should make, as
 * the README's rules give them for what was written: messages, foreign
 * recipients, and their final outcome (delivered, deferred, bounced).
 * Tab-separated with a header line, sorted by IP then kind (byte order),
 * so it compares with
 *
 *	relaytrace sql "SELECT client_ip, kind, count(*) AS messages,
 *	    sum(recipients) AS recipients, sum(delivered) AS delivered,
 *	    sum(deferred) AS deferred, sum(bounced) AS bounced FROM findings
 *	    WHERE kind IN ('auth-relay', 'open-relay', 'relay-attempt',
 *	    'trusted-relay') GROUP BY 1, 2 ORDER BY 1, 2"
 *
 * A refused transaction is what Postfix's log can show: the NOQUEUE
 * rejects of one session in a row with one sender (the generator never
 * repeats a sender in a row).  A recipient is an address: one given twice
 * in a transaction counts once.  Deferred is 0: every deferral is retried
 * to an end within the log.
 *
 * --main-cf FILE: the server's main.cf (mydestination, relay_domains,
 * mynetworks), for relaytrace --mta-config.
 *
 * The output is a pure function of the seed and the size.
 */

#include "config.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "pflog-gen.h"

#define GEN_T0		1796104800LL	/* 2026-12-01T06:00:00Z */
#define GEN_ARRIVAL	(100 * GEN_MS)	/* mean time between connections */
#define GEN_QFILES	65536		/* queue file inodes */
#define GEN_QINODE	0xA40000	/* first inode: 6 hex digits */
#define GEN_REUSE	0.02		/* a queue id of the past again */
#define GEN_FIX_AT	0.6		/* share of the size before the fix */

static const char *const kind_names[GEN_K__MAX] = {
	[GEN_K_AUTH] = "auth-relay",
	[GEN_K_OPEN] = "open-relay",
	[GEN_K_ATTEMPT] = "relay-attempt",
	[GEN_K_TRUSTED] = "trusted-relay",
};

/*
 * gen_rand - the next 64 random bits (splitmix64): the one source of
 * randomness, so the output is a function of the seed.
 */
uint64_t
gen_rand(struct gen *g)
{
	uint64_t	z;

	z = (g->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* gen_below - uniform in [0, n). */
uint32_t
gen_below(struct gen *g, uint32_t n)
{
	return ((uint32_t)(((gen_rand(g) >> 32) * (uint64_t)n) >> 32));
}

/* gen_chance - true with probability p. */
bool
gen_chance(struct gen *g, double p)
{
	return ((double)(gen_rand(g) >> 11) * 0x1.0p-53 < p);
}

/* gen_range - uniform in [lo, hi]. */
int64_t
gen_range(struct gen *g, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + (int64_t)(gen_rand(g) % (uint64_t)(hi - lo + 1)));
}

/* gen_exp - exponentially distributed with the given mean, at least 1. */
int64_t
gen_exp(struct gen *g, int64_t mean)
{
	double	u, v;
	int64_t	r;

	u = ((double)(gen_rand(g) >> 11) + 1.0) * 0x1.0p-53;
	v = -(double)mean * log(u);
	r = (int64_t)v;
	return (r < 1 ? 1 : r);
}

/* heap_less - record a comes before record b. */
static bool
heap_less(const struct gen_rec *a, const struct gen_rec *b)
{
	return (a->t < b->t || (a->t == b->t && a->seq < b->seq));
}

/* heap_push - queue a line for time t. */
static void
heap_push(struct gen *g, int64_t t, char *line, size_t len)
{
	struct gen_rec	r, tmp;
	size_t		i, p;

	if (g->nheap == g->capheap) {
		g->capheap = g->capheap ? g->capheap * 2 : 4096;
		g->heap = reallocarray(g->heap, g->capheap, sizeof(*g->heap));
		if (g->heap == NULL)
			err(1, "heap");
	}
	r.t = t;
	r.seq = g->seq++;
	r.line = line;
	r.len = len;
	g->pending += len + 33;
	i = g->nheap++;
	g->heap[i] = r;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!heap_less(&g->heap[i], &g->heap[p]))
			break;
		tmp = g->heap[p];
		g->heap[p] = g->heap[i];
		g->heap[i] = tmp;
		i = p;
	}
}

/* heap_pop - take the earliest line. */
static struct gen_rec
heap_pop(struct gen *g)
{
	struct gen_rec	top = g->heap[0], tmp;
	size_t		i = 0, l, r, m;

	g->heap[0] = g->heap[--g->nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < g->nheap && heap_less(&g->heap[l], &g->heap[m]))
			m = l;
		if (r < g->nheap && heap_less(&g->heap[r], &g->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = g->heap[m];
		g->heap[m] = g->heap[i];
		g->heap[i] = tmp;
		i = m;
	}
	return (top);
}

/* emit - write one line with its RFC 3339 timestamp. */
static void
emit(struct gen *g, const struct gen_rec *r)
{
	char		frac[24];
	int64_t		sec = r->t / GEN_SEC;
	time_t		tt;
	struct tm	tm;
	int		n;

	if (sec != g->tssec) {
		tt = (time_t)sec;
		if (gmtime_r(&tt, &tm) == NULL)
			errx(1, "gmtime");
		strftime(g->tsbuf, sizeof(g->tsbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		g->tssec = sec;
	}
	n = snprintf(frac, sizeof(frac), ".%06d+00:00 ",
	    (int)(r->t % GEN_SEC));
	if (fputs(g->tsbuf, g->out) == EOF ||
	    fwrite(frac, 1, (size_t)n, g->out) != (size_t)n ||
	    fwrite(r->line, 1, r->len, g->out) != r->len ||
	    putc('\n', g->out) == EOF)
		err(1, "write");
	g->bytes += strlen(g->tsbuf) + (size_t)n + r->len + 1;
	g->lines++;
}

/* flush_before - write every queued line earlier than t. */
static void
flush_before(struct gen *g, int64_t t)
{
	struct gen_rec	r;

	while (g->nheap > 0 && g->heap[0].t < t) {
		r = heap_pop(g);
		g->pending -= r.len + 33;
		emit(g, &r);
		free(r.line);
	}
}

/*
 * gen_log - queue the line "mx PROG[PID]: MESSAGE" for time t.  Lines of
 * one time keep the order they were queued in.
 */
void
gen_log(struct gen *g, int64_t t, const char *prog, int pid,
    const char *fmt, ...)
{
	char	buf[2048], *line;
	va_list	ap;
	int	n, m;

	if (t < g->now)
		errx(1, "%s: line in the past", __func__);
	n = snprintf(buf, sizeof(buf), "mx %s[%d]: ", prog, pid);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		errx(1, "%s: format", __func__);
	if ((size_t)(n + m) >= sizeof(buf))
		m = (int)(sizeof(buf) - 1) - n;
	if ((line = malloc((size_t)(n + m) + 1)) == NULL)
		err(1, "malloc");
	memcpy(line, buf, (size_t)(n + m) + 1);
	heap_push(g, t, line, (size_t)(n + m));
}

/* gen_pid - a new process id; the kernel hands them out in order. */
int
gen_pid(struct gen *g)
{
	g->next_pid += 1 + (int)gen_below(g, 6);
	if (g->next_pid >= 4194304)
		g->next_pid = 300 + (int)gen_below(g, 100);
	return (g->next_pid);
}

/* pool_add - a new process in the pool. */
static struct gen_proc *
pool_add(struct gen *g, struct gen_pool *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = reallocarray(p->v, p->cap, sizeof(*p->v));
		if (p->v == NULL)
			err(1, "pool");
	}
	p->v[p->n].pid = gen_pid(g);
	p->v[p->n].busy_until = 0;
	p->v[p->n].uses = 0;
	return (&p->v[p->n++]);
}

/*
 * gen_pool_any - the pid of one of the pool's processes (delivery agents,
 * cleanup: their lines are tied by queue id, not pid).  A process that
 * served max_use requests is replaced, as Postfix's master does.
 */
int
gen_pool_any(struct gen *g, struct gen_pool *p)
{
	struct gen_proc	*pr;

	if (p->n < p->want)
		pr = pool_add(g, p);
	else
		pr = &p->v[gen_below(g, (uint32_t)p->n)];
	if (++pr->uses > p->max_use) {
		pr->pid = gen_pid(g);
		pr->uses = 1;
	}
	return (pr->pid);
}

/*
 * gen_pool_idle - a process of the pool that is free at time t (an smtpd
 * serves one client at a time), chosen at random among the free ones; a
 * new one when all are busy.  One that reached max_use, or sat idle past
 * max_idle (100 s), has exited and is replaced by a new pid.  The caller
 * marks it busy until the session ends.
 */
struct gen_proc *
gen_pool_idle(struct gen *g, struct gen_pool *p, int64_t t)
{
	struct gen_proc	*pr = NULL;
	size_t		 i, nidle = 0, k;

	for (i = 0; i < p->n; i++)
		if (p->v[i].busy_until <= t)
			nidle++;
	if (nidle == 0)
		pr = pool_add(g, p);
	else {
		k = gen_below(g, (uint32_t)nidle);
		for (i = 0; i < p->n; i++)
			if (p->v[i].busy_until <= t && k-- == 0) {
				pr = &p->v[i];
				break;
			}
		if (pr->uses >= p->max_use || (pr->busy_until > 0 &&
		    t - pr->busy_until > 100 * GEN_SEC)) {
			pr->pid = gen_pid(g);
			pr->uses = 0;
		}
	}
	pr->uses++;
	pr->busy_until = INT64_MAX;
	return (pr);
}

/*
 * gen_qid - a queue id for a message that enters the queue at time t:
 * five hex digits of microseconds and the inode number of its queue file
 * (Postfix's short ids).  The file is one no message holds at t, often
 * one freed a moment ago (file systems hand freed inodes out again); now
 * and then it gets the very id of its last message, so ids are reused.
 * Returns the file, to be released by gen_qid_done() with the time of
 * "removed".
 */
uint32_t
gen_qid(struct gen *g, int64_t t, char *buf, size_t sz)
{
	uint32_t	i = 0, tries, usec;

	for (tries = 0; tries < 64; tries++) {
		if (tries < 8 && g->qring_n > 0 && gen_chance(g, 0.7))
			i = g->qring[(g->qring_n - 1 - gen_below(g, 16)) %
			    (sizeof(g->qring) / sizeof(g->qring[0]))];
		else
			i = gen_below(g, g->nq);
		if (g->qbusy[i] < t)
			break;
	}
	if (tries == 64) {
		for (i = 0; i < g->nq && g->qbusy[i] >= t; i++)
			continue;
		if (i == g->nq)
			errx(1, "%s: queue full", __func__);
	}
	usec = (uint32_t)(t % GEN_SEC);
	if (g->qusec[i] != 0 && gen_chance(g, GEN_REUSE))
		usec = g->qusec[i];
	g->qusec[i] = usec == 0 ? 1 : usec;
	g->qbusy[i] = INT64_MAX;
	(void)snprintf(buf, sz, "%05X%X", g->qusec[i], GEN_QINODE + i);
	return (i);
}

/* gen_qid_done - the message in file i was removed at time t. */
void
gen_qid_done(struct gen *g, uint32_t i, int64_t t)
{
	g->qbusy[i] = t;
	g->qring[g->qring_n++ % (sizeof(g->qring) / sizeof(g->qring[0]))] = i;
}

/* tally_hash - FNV-1a of an IP string. */
static uint64_t
tally_hash(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h);
}

/* tally_find - the tally of ip, made if new (open addressing). */
static struct gen_tally *
tally_find(struct gen *g, const char *ip)
{
	struct gen_tally	*old;
	size_t			 i, oldcap;

	if (2 * (g->ntally + 1) > g->captally) {
		old = g->tally;
		oldcap = g->captally;
		g->captally = oldcap ? oldcap * 2 : 1024;
		g->tally = calloc(g->captally, sizeof(*g->tally));
		if (g->tally == NULL)
			err(1, "tally");
		for (i = 0; i < oldcap; i++) {
			size_t	j;

			if (old[i].ip == NULL)
				continue;
			j = tally_hash(old[i].ip) & (g->captally - 1);
			while (g->tally[j].ip != NULL)
				j = (j + 1) & (g->captally - 1);
			g->tally[j] = old[i];
		}
		free(old);
	}
	i = tally_hash(ip) & (g->captally - 1);
	while (g->tally[i].ip != NULL && strcmp(g->tally[i].ip, ip) != 0)
		i = (i + 1) & (g->captally - 1);
	if (g->tally[i].ip == NULL) {
		if ((g->tally[i].ip = strdup(ip)) == NULL)
			err(1, "strdup");
		g->ntally++;
	}
	return (&g->tally[i]);
}

/*
 * gen_tally - count one message of client ip as a finding of this kind,
 * with n foreign recipients whose final outcomes are out[].
 */
void
gen_tally(struct gen *g, const char *ip, enum gen_kind k, unsigned int n,
    const unsigned int *out)
{
	struct gen_tally	*ta;
	int			 o;

	if (n == 0)
		return;
	ta = tally_find(g, ip);
	ta->n[k][0]++;
	ta->n[k][1] += n;
	for (o = 0; o < GEN_O__MAX; o++)
		ta->n[k][2 + o] += out != NULL ? out[o] : 0;
}

/* tally_cmp - by IP, byte order (SQLite's BINARY collation). */
static int
tally_cmp(const void *a, const void *b)
{
	const struct gen_tally	*x = a, *y = b;

	return (strcmp(x->ip, y->ip));
}

/* write_truth - the truth file, sorted as the findings query sorts. */
static void
write_truth(struct gen *g, const char *path)
{
	struct gen_tally	*v;
	FILE			*f;
	size_t			 i, n = 0;
	int			 k;

	if ((f = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	if ((v = calloc(g->ntally + 1, sizeof(*v))) == NULL)
		err(1, "truth");
	for (i = 0; i < g->captally; i++)
		if (g->tally[i].ip != NULL)
			v[n++] = g->tally[i];
	qsort(v, n, sizeof(*v), tally_cmp);
	fprintf(f, "client_ip\tkind\tmessages\trecipients\tdelivered\t"
	    "deferred\tbounced\n");
	for (i = 0; i < n; i++)
		for (k = 0; k < GEN_K__MAX; k++) {
			if (v[i].n[k][0] == 0)
				continue;
			fprintf(f, "%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
			    "\t%" PRIu64 "\t%" PRIu64 "\n", v[i].ip,
			    kind_names[k], v[i].n[k][0], v[i].n[k][1],
			    v[i].n[k][2], v[i].n[k][3], v[i].n[k][4]);
		}
	free(v);
	if (fclose(f) == EOF)
		err(1, "%s", path);
}

/* write_main_cf - the locality of the generated server. */
static void
write_main_cf(const char *path)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	fprintf(f,
	    "# mx.corp.example: the server of the generated log (pflog-gen),"
	    " Postfix 3.7, Debian 12\n"
	    "compatibility_level = 3.6\n"
	    "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n"
	    "biff = no\n"
	    "append_dot_mydomain = no\n"
	    "myhostname = mx.corp.example\n"
	    "mydomain = corp.example\n"
	    "myorigin = $mydomain\n"
	    "mydestination = $myhostname, localhost.$mydomain, localhost,"
	    " $mydomain, corp-group.example\n"
	    "# backup MX for two partners\n"
	    "relay_domains = partner.example, partner-two.example\n"
	    "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"
	    " 10.20.0.0/16 [2001:db8:20::]/48\n"
	    "alias_maps = hash:/etc/aliases\n"
	    "recipient_delimiter = +\n"
	    "smtpd_tls_cert_file = /etc/ssl/certs/mx.corp.example.pem\n"
	    "smtpd_tls_key_file = /etc/ssl/private/mx.corp.example.key\n"
	    "smtpd_tls_security_level = may\n"
	    "smtpd_tls_loglevel = 1\n"
	    "smtp_tls_security_level = may\n"
	    "smtp_tls_loglevel = 1\n"
	    "smtpd_sasl_auth_enable = yes\n"
	    "smtpd_sasl_type = cyrus\n"
	    "smtpd_sasl_local_domain = corp.example\n"
	    "postscreen_dnsbl_sites = zen.spamhaus.org*3"
	    " bl.spamcop.net*2 b.barracudacentral.org*2\n"
	    "postscreen_dnsbl_threshold = 3\n"
	    "postscreen_dnsbl_action = enforce\n"
	    "postscreen_greet_action = enforce\n"
	    "smtpd_client_restrictions = reject_unknown_reverse_client_"
	    "hostname\n"
	    "# The hole: relay_clients.cidr said 198.51.100.0/24 OK (a"
	    " partner's /29 mistyped)\n"
	    "# until it was corrected and Postfix reloaded.\n"
	    "smtpd_relay_restrictions = permit_mynetworks,"
	    " permit_sasl_authenticated,\n"
	    "    check_client_access cidr:/etc/postfix/relay_clients.cidr,"
	    " reject_unauth_destination\n");
	if (fclose(f) == EOF)
		err(1, "%s", path);
}

/* parse_size - "100M", "1G", "512k", "12345". */
static uint64_t
parse_size(const char *s)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		errx(2, "bad size: %s", s);
	switch (*end) {
	case 'k': case 'K':
		v <<= 10, end++;
		break;
	case 'm': case 'M':
		v <<= 20, end++;
		break;
	case 'g': case 'G':
		v <<= 30, end++;
		break;
	}
	if (*end != '\0')
		errx(2, "bad size: %s", s);
	return (v);
}

/* usage - how to run pflog-gen. */
static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: pflog-gen [--seed N] [--size N[kMG]]"
	    " [--truth FILE] [--main-cf FILE] [-o FILE]\n");
	exit(2);
}

/* pool_init - an empty pool of a program. */
static void
pool_init(struct gen_pool *p, const char *prog, size_t want, int max_use)
{
	memset(p, 0, sizeof(*p));
	p->prog = prog;
	p->want = want;
	p->max_use = max_use;
}

int
main(int argc, char *argv[])
{
	struct gen	 g;
	const char	*truth = NULL, *maincf = NULL, *out = NULL;
	uint64_t	 seed = 1;
	int64_t		 t;
	int		 i;

	memset(&g, 0, sizeof(g));
	g.target = 100ULL << 20;
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--size") == 0)
			g.target = parse_size(argv[++i]);
		else if (strcmp(argv[i], "--truth") == 0)
			truth = argv[++i];
		else if (strcmp(argv[i], "--main-cf") == 0)
			maincf = argv[++i];
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else
			usage();
	}
	g.out = stdout;
	if (out != NULL && (g.out = fopen(out, "w")) == NULL)
		err(1, "%s", out);
	(void)setvbuf(g.out, NULL, _IOFBF, 1 << 20);
	g.rng = seed * 0x2545f4914f6cdd1dULL + 1;
	g.tssec = -1;
	g.next_pid = 1200 + (int)(seed % 1000);
	g.t0 = g.now = GEN_T0 * GEN_SEC;
	g.nq = GEN_QFILES;
	g.qbusy = calloc(g.nq, sizeof(*g.qbusy));
	g.qusec = calloc(g.nq, sizeof(*g.qusec));
	if (g.qbusy == NULL || g.qusec == NULL)
		err(1, "queue");
	pool_init(&g.smtpd, "postfix/smtpd", 0, 100);
	pool_init(&g.submission, "postfix/submission/smtpd", 0, 100);
	pool_init(&g.smtp, "postfix/smtp", 24, 100);
	pool_init(&g.relay, "postfix/relay/smtp", 2, 100);
	pool_init(&g.local, "postfix/local", 4, 100);
	pool_init(&g.cleanup, "postfix/cleanup", 6, 100);
	pool_init(&g.bounce, "postfix/bounce", 2, 100);
	gen_cast(&g);

	t = g.t0;
	traffic_periodic(&g, t);
	while (g.bytes + g.pending < g.target) {
		t += gen_exp(&g, GEN_ARRIVAL);
		flush_before(&g, t);
		g.now = t;
		if (!g.fixed && g.bytes >= (uint64_t)(g.target * GEN_FIX_AT))
			traffic_fix(&g, t);
		traffic_periodic(&g, t);
		traffic_session(&g, t);
	}
	flush_before(&g, INT64_MAX);
	if (fflush(g.out) == EOF || (out != NULL && fclose(g.out) == EOF))
		err(1, "write");
	if (truth != NULL)
		write_truth(&g, truth);
	if (maincf != NULL)
		write_main_cf(maincf);
	fprintf(stderr, "pflog-gen: seed %" PRIu64 ": %" PRIu64 " bytes, %"
	    PRIu64 " lines, %" PRIu64 " sessions, %" PRIu64 " messages, %zu"
	    " clients with findings, %lld s of traffic\n", seed, g.bytes,
	    g.lines, g.sessions, g.messages, g.ntally,
	    (long long)((t - g.t0) / GEN_SEC));
	return (0);
}
