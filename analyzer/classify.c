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
 * Classification: a pass over the whole store, after ingest, that decides
 * which domains and networks are ours (flags, configuration, then what
 * the logs themselves show), gives every recipient its direction,
 * authority and verdict, and derives the findings.  It is recomputed from
 * scratch every time, so the result depends only on the stored events and
 * the locality, never on the order of runs.
 *
 * Verdict of a recipient whose (decoded) domain is not ours:
 *	server-made bounce			backscatter
 *	no authority, refused			relay-attempt
 *	no authority, accepted			open-relay
 *	SASL authenticated			auth-relay
 *	trusted network, foreign sender		trusted-relay
 * Independently: address-trick when the surface domain is ours but the
 * decoded one is not, and blacklisted when a remote server refused our
 * delivery naming a blocklist.
 *
 * A recipient another of our MTAs handed over (hop.c) is not judged
 * again: its authority is 'hop', and what its message still shows is
 * laid at the door of the client the message came in from.  A finding
 * counts what became of its recipients at the last of our hosts.
 */

#include "config.h"

#include "classify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "hop.h"
#include "locality.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* Thresholds that make an account's relaying suspicious. */
#define AUTH_MANY_IPS		3
#define AUTH_VOLUME		100

/* classify_load_stored - add the stored flag and config locality. */
static void
classify_load_stored(struct store *st, struct locality *loc)
{
	sqlite3_stmt	*s;

	s = store_prepare(st, "SELECT domain, class, origin, detail"
	    " FROM local_domains WHERE origin != 'inferred' ORDER BY domain");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char	*cls = store_col_text(s, 1);
		const char	*org = store_col_text(s, 2);

		(void)locality_add_domain(loc, store_col_text(s, 0),
		    strcmp(cls, "relay") == 0 ? LOC_RELAY :
		    strcmp(cls, "foreign") == 0 ? LOC_FOREIGN : LOC_LOCAL,
		    strcmp(org, "flag") == 0 ? LOC_ORIGIN_FLAG :
		    LOC_ORIGIN_CONFIG, store_col_text(s, 3));
	}
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT cidr, origin, detail FROM local_nets"
	    " WHERE origin != 'inferred' ORDER BY cidr");
	while (sqlite3_step(s) == SQLITE_ROW)
		(void)locality_add_net(loc, store_col_text(s, 0),
		    strcmp(store_col_text(s, 1), "flag") == 0 ?
		    LOC_ORIGIN_FLAG : LOC_ORIGIN_CONFIG, store_col_text(s, 2));
	sqlite3_finalize(s);
}

/*
 * classify_infer - domains the server delivered to a mailbox itself are
 * local; domains it refused with "Relay access denied" are foreign.  Only
 * domains not known otherwise are added, marked inferred.
 */
static void
classify_infer(struct store *st, struct locality *loc)
{
	sqlite3_stmt	*s;
	char		 detail[128];

	s = store_prepare(st, "SELECT lower(final_domain), count(*)"
	    " FROM recipients WHERE outcome = 'delivered'"
	    " AND final_domain IS NOT NULL AND relay IS NOT NULL"
	    " AND relay != 'none' AND (instr(relay, '[') = 0"
	    " OR instr(relay, '[private/') > 0 OR instr(relay, '[/') > 0)"
	    " GROUP BY 1 ORDER BY 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char	*d = store_col_text(s, 0);

		if (*d == '\0' || *d == '[' || locality_domain_known(loc, d))
			continue;
		snprintf(detail, sizeof(detail),
		    "delivered to local mailboxes (%d recipients)",
		    sqlite3_column_int(s, 1));
		(void)locality_add_domain(loc, d, LOC_LOCAL,
		    LOC_ORIGIN_INFERRED, detail);
	}
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT lower(rcpt_domain), count(*)"
	    " FROM recipients WHERE outcome = 'rejected'"
	    " AND rcpt_domain IS NOT NULL"
	    " AND (reply_text LIKE '%Relay access denied%'"
	    " OR reply_text LIKE '%Relaying denied%'"
	    " OR reply_text LIKE '%relay not permitted%')"
	    " GROUP BY 1 ORDER BY 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char	*d = store_col_text(s, 0);

		if (*d == '\0' || *d == '[' || locality_domain_known(loc, d))
			continue;
		snprintf(detail, sizeof(detail),
		    "refused by the server as relaying (%d recipients)",
		    sqlite3_column_int(s, 1));
		(void)locality_add_domain(loc, d, LOC_FOREIGN,
		    LOC_ORIGIN_INFERRED, detail);
	}
	sqlite3_finalize(s);
}

struct save_ctx {
	struct store	*st;
	sqlite3_stmt	*s;
};

/* classify_save_domain - locality_foreach_domain callback. */
static void
classify_save_domain(void *arg, const char *domain, enum loc_class cls,
    enum loc_origin origin, const char *detail)
{
	struct save_ctx	*sc = arg;

	sqlite3_reset(sc->s);
	store_bind_text(sc->s, 1, domain);
	store_bind_text(sc->s, 2, locality_class_name(cls));
	store_bind_text(sc->s, 3, locality_origin_name(origin));
	store_bind_text(sc->s, 4, detail);
	store_step_done(sc->st, sc->s);
}

/* classify_save_net - locality_foreach_net callback. */
static void
classify_save_net(void *arg, const char *cidr, enum loc_origin origin,
    const char *detail)
{
	struct save_ctx	*sc = arg;

	sqlite3_reset(sc->s);
	store_bind_text(sc->s, 1, cidr);
	store_bind_text(sc->s, 2, locality_origin_name(origin));
	store_bind_text(sc->s, 3, detail);
	store_step_done(sc->st, sc->s);
}

/* classify_save_locality - replace the stored locality with loc. */
static void
classify_save_locality(struct store *st, const struct locality *loc)
{
	struct save_ctx	sc = { st, NULL };

	(void)store_exec(st, "DELETE FROM local_domains");
	(void)store_exec(st, "DELETE FROM local_nets");
	sc.s = store_prepare(st, "INSERT INTO local_domains (domain, class,"
	    " origin, detail) VALUES (?1, ?2, ?3, ?4)");
	locality_foreach_domain(loc, classify_save_domain, &sc);
	sqlite3_finalize(sc.s);
	sc.s = store_prepare(st, "INSERT INTO local_nets (cidr, origin,"
	    " detail) VALUES (?1, ?2, ?3)");
	locality_foreach_net(loc, classify_save_net, &sc);
	sqlite3_finalize(sc.s);
}

/* classify_is_local - is this (possibly NULL) domain ours? */
static bool
classify_is_local(const struct locality *loc, const char *d, bool relay_ok)
{
	enum loc_class	c;

	if (d == NULL || *d == '\0')
		return (true);	/* unqualified: the server qualifies it */
	c = locality_domain(loc, d);
	return (c == LOC_LOCAL || (relay_ok && c == LOC_RELAY));
}

/* same_text - is column i what v is (both NULL, or equal)? */
static bool
same_text(sqlite3_stmt *q, int i, const char *v)
{
	const char	*t = (const char *)sqlite3_column_text(q, i);

	if (t == NULL || v == NULL)
		return (t == NULL && v == NULL);
	return (strcmp(t, v) == 0);
}

/*
 * classify_judge - direction, authority and verdict of one recipient.
 * Here for the whole-store pass, and for the correlator, which judges
 * each recipient it writes by what is known then, so that the pass
 * rewrites only what inference changed.
 */
void
classify_judge(const struct locality *loc, const struct judge_in *in,
    struct judgement *j)
{
	const char	*rd = in->rcpt_domain, *sd = in->surface_domain;
	const char	*sraw = in->sender_raw, *ip = in->client_ip;
	const char	*user = in->auth_user, *outcome = in->outcome;
	const char	*origin = in->origin != NULL ? in->origin : "";
	bool		 rlocal, slocal, nullsender;

	memset(j, 0, sizeof(*j));
	rlocal = classify_is_local(loc, rd, true);
	nullsender = sraw != NULL && *sraw == '\0';
	slocal = sraw != NULL && !nullsender &&
	    classify_is_local(loc, in->sender_domain, false);
	if (rlocal)
		j->direction = slocal ? "local" : "inbound";
	else
		j->direction = slocal ? "outbound" : "relay";

	if (strcmp(origin, "bounce") == 0)
		j->authority = "server";
	else if (strcmp(origin, "pickup") == 0)
		j->authority = "trusted";
	else if (user != NULL && *user != '\0')
		j->authority = "auth";
	else if (ip == NULL || *ip == '\0')
		j->authority = "unknown";
	else if (locality_ip_trusted(loc, ip))
		j->authority = "trusted";
	else
		j->authority = "none";

	if (!rlocal) {
		if (strcmp(j->authority, "server") == 0)
			j->verdict = nullsender ? "backscatter" : NULL;
		else if (strcmp(j->authority, "none") == 0) {
			j->verdict = strcmp(outcome, "rejected") == 0 ?
			    "relay-attempt" : "open-relay";
			/*
			 * 503 is "bad sequence of commands": the server
			 * never judged the recipient.
			 */
			if (strcmp(outcome, "rejected") == 0 &&
			    in->reply_code == 503)
				j->verdict = NULL;
		} else if (strcmp(j->authority, "auth") == 0)
			j->verdict = "auth-relay";
		else if (strcmp(j->authority, "trusted") == 0 &&
		    !slocal && !nullsender)
			j->verdict = "trusted-relay";
		else if (strcmp(j->authority, "unknown") == 0)
			j->unattributed = true;
	}
	j->tricked = in->trick != NULL && *in->trick != '\0' && !rlocal &&
	    sd != NULL && classify_is_local(loc, sd, true);
}

/* classify_recipients - direction, authority and verdict of each. */
static void
classify_recipients(struct store *st, const struct locality *loc,
    struct classify_stats *cs)
{
	sqlite3_stmt	*q, *u;

	q = store_prepare(st, "SELECT r.id, r.rcpt_domain, r.surface_domain,"
	    " r.trick, r.outcome, m.origin, m.sender_raw, m.sender_domain,"
	    " m.client_ip, m.auth_user, r.reply_code, r.direction,"
	    " r.authority, r.verdict, r.tricked, r.upstream_id IS NOT NULL"
	    " FROM recipients r JOIN messages m ON m.id = r.message_id"
	    " ORDER BY r.id");
	u = store_prepare(st, "UPDATE recipients SET direction = ?2,"
	    " authority = ?3, verdict = ?4, tricked = ?5 WHERE id = ?1");
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct judge_in		in;
		struct judgement	j;

		in.rcpt_domain = (const char *)sqlite3_column_text(q, 1);
		in.surface_domain = (const char *)sqlite3_column_text(q, 2);
		in.trick = (const char *)sqlite3_column_text(q, 3);
		in.outcome = store_col_text(q, 4);
		in.origin = store_col_text(q, 5);
		in.sender_raw = (const char *)sqlite3_column_text(q, 6);
		in.sender_domain = (const char *)sqlite3_column_text(q, 7);
		in.client_ip = (const char *)sqlite3_column_text(q, 8);
		in.auth_user = (const char *)sqlite3_column_text(q, 9);
		in.reply_code = sqlite3_column_int(q, 10);
		classify_judge(loc, &in, &j);
		if (sqlite3_column_int(q, 15)) {
			/* Judged where it came in, on another host. */
			j.authority = "hop";
			j.verdict = NULL;
			j.unattributed = false;
			cs->hops++;
		}
		if (j.unattributed)
			cs->unattributed++;
		cs->recipients++;
		/* A store judged before: write only what changed. */
		if (same_text(q, 11, j.direction) &&
		    same_text(q, 12, j.authority) &&
		    same_text(q, 13, j.verdict) &&
		    (sqlite3_column_int(q, 14) != 0) == j.tricked)
			continue;
		sqlite3_reset(u);
		store_bind_i64(u, 1, sqlite3_column_int64(q, 0));
		store_bind_text(u, 2, j.direction);
		store_bind_text(u, 3, j.authority);
		store_bind_text(u, 4, j.verdict);
		store_bind_i64(u, 5, j.tricked);
		store_step_done(st, u);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(u);
}

/* classify_flagged_accounts - accounts whose relaying looks stolen. */
static void
classify_flagged_accounts(struct store *st)
{
	sqlite3_stmt	*s;

	(void)store_exec(st, "DELETE FROM account_flags");
	s = store_prepare(st, "INSERT INTO account_flags (auth_user, why)"
	    " SELECT m.auth_user, rtrim("
	    "  CASE WHEN count(DISTINCT m.client_ip) >= ?1"
	    "   THEN printf('%d client IPs; ', count(DISTINCT m.client_ip))"
	    "   ELSE '' END ||"
	    "  CASE WHEN sum(r.direction = 'relay') > 0"
	    "   THEN printf('%d recipients with foreign senders; ',"
	    "    sum(r.direction = 'relay')) ELSE '' END ||"
	    "  CASE WHEN count(*) >= ?2"
	    "   THEN printf('%d foreign recipients; ', count(*))"
	    "   ELSE '' END, '; ')"
	    " FROM recipients r JOIN messages m ON m.id = r.message_id"
	    " WHERE r.verdict = 'auth-relay' GROUP BY m.auth_user"
	    " HAVING count(DISTINCT m.client_ip) >= ?1"
	    "  OR sum(r.direction = 'relay') > 0 OR count(*) >= ?2"
	    " ORDER BY m.auth_user");
	store_bind_i64(s, 1, AUTH_MANY_IPS);
	store_bind_i64(s, 2, AUTH_VOLUME);
	store_step_done(st, s);
	sqlite3_finalize(s);
}

/* classify_severity - how bad one finding is. */
static const char *
classify_severity(const char *kind, int64_t accepted, int64_t delivered,
    bool flagged)
{
	if (strcmp(kind, "open-relay") == 0 ||
	    strcmp(kind, "trusted-relay") == 0)
		return (delivered > 0 ? "high" : "medium");
	if (strcmp(kind, "relay-attempt") == 0)
		return ("low");
	if (strcmp(kind, "auth-relay") == 0)
		return (flagged ? "high" : "info");
	if (strcmp(kind, "address-trick") == 0)
		return (accepted > 0 ? "high" : "low");
	if (strcmp(kind, "backscatter") == 0)
		return ("medium");
	if (strcmp(kind, "blacklisted") == 0)
		return ("high");
	return ("info");
}

/* classify_trick_summary - name the tricked recipients of a message. */
static void
classify_trick_summary(struct store *st, sqlite3_stmt *tq, struct buf *sum,
    int64_t mid, int64_t n)
{
	int	i = 0;

	(void)buf_printf(sum, ": %lld recipient%s hiding a foreign "
	    "destination behind a local domain:", (long long)n,
	    n == 1 ? "" : "s");
	sqlite3_reset(tq);
	store_bind_i64(tq, 1, mid);
	while (sqlite3_step(tq) == SQLITE_ROW) {
		(void)buf_printf(sum, "%s <%s> (%s, really %s, %s)",
		    i++ > 0 ? ";" : "", store_col_text(tq, 0),
		    store_col_text(tq, 1), store_col_text(tq, 2),
		    strcmp(store_col_text(tq, 3), "rejected") == 0 ?
		    "refused" : "accepted");
	}
	if (n > i)
		(void)buf_printf(sum, "; and %lld more", (long long)(n - i));
}

/*
 * Findings are made in one pass over the recipients that have one, in
 * message order: per message, each kind (a recipient's verdict,
 * "address-trick" for a tricked one, "blacklisted" for one refused naming
 * a blocklist) gathers its counts, and the message's findings are written
 * in kind order.  The same rows a GROUP BY message, kind would give,
 * without sorting every such recipient first (a 1 GB log: 2.6 s).
 */
#define FKIND_MAX	16

/* A text value kept for min()/max() as SQLite compares them (BINARY). */
struct ftext {
	char	*p;
	size_t	 n;
	bool	 set;
};

struct fkind {
	char		 kind[32];
	int64_t		 n, delivered, deferred, bounced, accepted;
	int64_t		 followed;	/* outcome at another of our hosts */
	bool		 outbound;
	struct ftext	 min_rcpt;	/* min(rcpt) */
	struct ftext	 bl_relay;	/* max(relay) of the blocklisted */
	struct ftext	 bl_reply;	/* max(reply_text) of the blocklisted */
	struct ftext	 fate_at;	/* max(server) of the followed */
};

struct fmsg {
	int64_t		 id;
	int64_t		 first_epoch;
	int64_t		 session_id;	/* 0: none */
	char		*client_ip, *auth_user, *sender, *first_time;
	bool		 has_sender;
	bool		 flagged;
	bool		 hop;		/* handed over by one of ours */
	char		*came_in, *seen_on;	/* its servers (hop.c) */
	struct fkind	 k[FKIND_MAX];
	int		 nk;
};

/* ftext_cmp - SQLite's BINARY order: bytes, then the shorter first. */
static int
ftext_cmp(const void *a, size_t an, const void *b, size_t bn)
{
	int	c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return (c);
	return (an < bn ? -1 : an > bn);
}

/* ftext_keep - t becomes column i of q if it is not NULL and wins. */
static void
ftext_keep(struct ftext *t, sqlite3_stmt *q, int i, int want)
{
	const void	*v;
	size_t		 n;

	if (sqlite3_column_type(q, i) == SQLITE_NULL)
		return;
	v = sqlite3_column_text(q, i);
	n = (size_t)sqlite3_column_bytes(q, i);
	if (t->set && ftext_cmp(v, n, t->p, t->n) * want <= 0)
		return;
	free(t->p);
	t->p = xmalloc(n + 1);
	memcpy(t->p, v, n);
	t->p[n] = '\0';
	t->n = n;
	t->set = true;
}

static const char *
ftext_str(const struct ftext *t)
{
	return (t->set ? t->p : "");
}

static char *
col_strdup(sqlite3_stmt *q, int i)
{
	return (xstrdup(store_col_text(q, i)));
}

static void
fmsg_clear(struct fmsg *fm)
{
	int	i;

	for (i = 0; i < fm->nk; i++) {
		free(fm->k[i].min_rcpt.p);
		free(fm->k[i].bl_relay.p);
		free(fm->k[i].bl_reply.p);
		free(fm->k[i].fate_at.p);
	}
	free(fm->came_in);
	free(fm->seen_on);
	free(fm->client_ip);
	free(fm->auth_user);
	free(fm->sender);
	free(fm->first_time);
	memset(fm, 0, sizeof(*fm));
}

/* fmsg_kind - the message's entry for kind, made if new. */
static struct fkind *
fmsg_kind(struct fmsg *fm, const char *kind)
{
	struct fkind	*k;
	int		 i;

	for (i = 0; i < fm->nk; i++)
		if (strcmp(fm->k[i].kind, kind) == 0)
			return (&fm->k[i]);
	if (fm->nk == FKIND_MAX)
		fatalx("%s: more than %d kinds of finding", __func__,
		    FKIND_MAX);
	k = &fm->k[fm->nk++];
	memset(k, 0, sizeof(*k));
	strlcpy(k->kind, kind, sizeof(k->kind));
	return (k);
}

/* Columns of the pass's query. */
enum {
	FQ_MID, FQ_VERDICT, FQ_TRICKED, FQ_BLOCKLISTED, FQ_OUTCOME,
	FQ_DIRECTION, FQ_RCPT, FQ_RELAY, FQ_REPLY, FQ_EPOCH, FQ_IP, FQ_USER,
	FQ_SESSION, FQ_SENDER, FQ_TIME, FQ_FLAGGED, FQ_FATE, FQ_FATE_AT,
	FQ_HOP, FQ_CAME_IN, FQ_SEEN_ON
};

/* fkind_add - count the recipient of row q under k. */
static void
fkind_add(struct fkind *k, sqlite3_stmt *q)
{
	const char	*outcome = store_col_text(q, FQ_OUTCOME);
	const char	*fate = store_col_text(q, FQ_FATE);

	k->n++;
	k->delivered += strcmp(fate, "delivered") == 0;
	k->deferred += strcmp(fate, "deferred") == 0;
	k->bounced += strcmp(fate, "bounced") == 0;
	k->accepted += strcmp(outcome, "rejected") != 0;
	if (sqlite3_column_type(q, FQ_FATE_AT) != SQLITE_NULL) {
		k->followed++;
		ftext_keep(&k->fate_at, q, FQ_FATE_AT, 1);
	}
	if (strcmp(store_col_text(q, FQ_DIRECTION), "outbound") == 0)
		k->outbound = true;
	ftext_keep(&k->min_rcpt, q, FQ_RCPT, -1);
	if (sqlite3_column_int(q, FQ_BLOCKLISTED) != 0) {
		ftext_keep(&k->bl_relay, q, FQ_RELAY, 1);
		ftext_keep(&k->bl_reply, q, FQ_REPLY, 1);
	}
}

/* fmsg_start - a new message: its columns from row q. */
static void
fmsg_start(struct fmsg *fm, sqlite3_stmt *q)
{
	fm->id = sqlite3_column_int64(q, FQ_MID);
	fm->first_epoch = sqlite3_column_int64(q, FQ_EPOCH);
	fm->session_id = sqlite3_column_type(q, FQ_SESSION) == SQLITE_NULL ?
	    0 : sqlite3_column_int64(q, FQ_SESSION);
	fm->client_ip = col_strdup(q, FQ_IP);
	fm->auth_user = col_strdup(q, FQ_USER);
	fm->has_sender = sqlite3_column_type(q, FQ_SENDER) != SQLITE_NULL;
	fm->sender = col_strdup(q, FQ_SENDER);
	fm->first_time = col_strdup(q, FQ_TIME);
	fm->flagged = sqlite3_column_int(q, FQ_FLAGGED) != 0;
	fm->hop = sqlite3_column_int(q, FQ_HOP) != 0;
	fm->came_in = col_strdup(q, FQ_CAME_IN);
	fm->seen_on = col_strdup(q, FQ_SEEN_ON);
}

static int
fkind_cmp(const void *a, const void *b)
{
	const struct fkind	*x = a, *y = b;

	return (ftext_cmp(x->kind, strlen(x->kind), y->kind,
	    strlen(y->kind)));
}

/* finding_summary - the one-line summary of finding k of message fm. */
static void
finding_summary(struct store *st, sqlite3_stmt *tq, struct buf *sum,
    const struct fmsg *fm, const struct fkind *k)
{
	buf_reset(sum);
	(void)buf_printf(sum, "%s", *fm->client_ip != '\0' ? fm->client_ip :
	    "(no client)");
	if (*fm->auth_user != '\0')
		(void)buf_printf(sum, " as %s", fm->auth_user);
	(void)buf_printf(sum, " from <%s>", fm->has_sender ? fm->sender :
	    "?");
	if (fm->hop)
		(void)buf_printf(sum, " (came in at %s, seen on %s)",
		    *fm->came_in != '\0' ? fm->came_in : "?",
		    *fm->seen_on != '\0' ? fm->seen_on : "?");
	if (strcmp(k->kind, "blacklisted") == 0) {
		(void)buf_printf(sum, ": %lld recipients refused by %s naming "
		    "a blocklist: %s", (long long)k->n, ftext_str(&k->bl_relay),
		    ftext_str(&k->bl_reply));
		return;
	}
	if (strcmp(k->kind, "address-trick") == 0) {
		classify_trick_summary(st, tq, sum, fm->id, k->n);
		return;
	}
	(void)buf_printf(sum, " to %lld foreign recipient%s (first %s)",
	    (long long)k->n, k->n == 1 ? "" : "s", ftext_str(&k->min_rcpt));
	if (strcmp(k->kind, "relay-attempt") == 0)
		(void)buf_printf(sum, ": refused");
	else
		(void)buf_printf(sum, ": %lld delivered, %lld deferred, %lld "
		    "bounced", (long long)k->delivered, (long long)k->deferred,
		    (long long)k->bounced);
	if (k->outbound && (strcmp(k->kind, "open-relay") == 0 ||
	    strcmp(k->kind, "relay-attempt") == 0))
		(void)buf_printf(sum, "; spoofed local sender");
	if (fm->flagged)
		(void)buf_printf(sum, "; account flagged");
	if (k->followed > 0)
		(void)buf_printf(sum, "; %lld handed on, outcome as %s logged "
		    "it", (long long)k->followed, ftext_str(&k->fate_at));
}

/* fmsg_write - the message's findings, in kind order. */
static void
fmsg_write(struct store *st, sqlite3_stmt *ins, sqlite3_stmt *tq,
    struct buf *sum, struct fmsg *fm, struct classify_stats *cs)
{
	const struct fkind	*k;
	int			 i;

	qsort(fm->k, (size_t)fm->nk, sizeof(fm->k[0]), fkind_cmp);
	for (i = 0; i < fm->nk; i++) {
		k = &fm->k[i];
		finding_summary(st, tq, sum, fm, k);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		store_bind_text(ins, 1, k->kind);
		store_bind_text(ins, 2, classify_severity(k->kind, k->accepted,
		    k->delivered, fm->flagged));
		store_bind_text(ins, 3, fm->client_ip);
		store_bind_text(ins, 4, fm->auth_user);
		store_bind_opt_i64(ins, 5, fm->session_id, fm->session_id != 0);
		store_bind_i64(ins, 6, fm->id);
		store_bind_text(ins, 7, fm->first_time);
		store_bind_i64(ins, 8, fm->first_epoch);
		store_bind_i64(ins, 9, k->n);
		store_bind_i64(ins, 10, k->delivered);
		store_bind_i64(ins, 11, k->deferred);
		store_bind_i64(ins, 12, k->bounced);
		sqlite3_bind_text(ins, 13, sum->data, (int)sum->len,
		    SQLITE_TRANSIENT);
		store_step_done(st, ins);
		cs->findings++;
	}
}

/* classify_findings - one finding per message and kind. */
static void
classify_findings(struct store *st, struct classify_stats *cs)
{
	sqlite3_stmt	*q, *ins, *tq;
	struct buf	 sum;
	struct fmsg	 fm;
	const char	*verdict;

	/*
	 * A recipient's outcome is the one at the last of our hosts
	 * (temp.hop_fate); a message another of our MTAs handed over is
	 * blamed on the client it came in from (temp.hop_root: c).
	 */
	q = store_prepare(st, "SELECT r.message_id, r.verdict, r.tricked,"
	    " r.blocklisted, r.outcome, r.direction, r.rcpt, r.relay,"
	    " r.reply_text, m.first_epoch,"
	    " CASE WHEN hr.id IS NULL THEN m.client_ip ELSE c.client_ip END,"
	    " CASE WHEN hr.id IS NULL THEN m.auth_user ELSE c.auth_user END,"
	    " CASE WHEN hr.id IS NULL THEN m.session_id ELSE c.session_id END,"
	    " m.sender_raw, m.first_time, fa.why IS NOT NULL,"
	    " coalesce(hf.outcome, r.outcome), hf.server, hr.id IS NOT NULL,"
	    " c.server, m.server"
	    " FROM recipients r JOIN messages m ON m.id = r.message_id"
	    " LEFT JOIN temp.hop_fate hf ON hf.id = r.id"
	    " LEFT JOIN temp.hop_root hr ON hr.id = m.id"
	    " LEFT JOIN messages c ON c.id = hr.root"
	    " LEFT JOIN account_flags fa ON fa.auth_user ="
	    "  CASE WHEN hr.id IS NULL THEN m.auth_user ELSE c.auth_user END"
	    " WHERE r.verdict IS NOT NULL OR r.tricked OR r.blocklisted"
	    " ORDER BY r.message_id");
	ins = store_prepare(st, "INSERT INTO findings (kind, severity,"
	    " client_ip, auth_user, session_id, message_id, time, epoch,"
	    " recipients, delivered, deferred, bounced, summary) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	tq = store_prepare(st, "SELECT rcpt_raw, trick, rcpt, outcome FROM"
	    " recipients WHERE message_id = ?1 AND tricked ORDER BY id"
	    " LIMIT 3");
	buf_init(&sum, 4096);
	memset(&fm, 0, sizeof(fm));
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (fm.id != sqlite3_column_int64(q, FQ_MID)) {
			if (fm.id != 0)
				fmsg_write(st, ins, tq, &sum, &fm, cs);
			fmsg_clear(&fm);
			fmsg_start(&fm, q);
		}
		if ((verdict = (const char *)sqlite3_column_text(q,
		    FQ_VERDICT)) != NULL)
			fkind_add(fmsg_kind(&fm, verdict), q);
		if (sqlite3_column_int(q, FQ_TRICKED) != 0)
			fkind_add(fmsg_kind(&fm, "address-trick"), q);
		if (sqlite3_column_int(q, FQ_BLOCKLISTED) != 0)
			fkind_add(fmsg_kind(&fm, "blacklisted"), q);
	}
	if (fm.id != 0)
		fmsg_write(st, ins, tq, &sum, &fm, cs);
	fmsg_clear(&fm);
	buf_free(&sum);
	sqlite3_finalize(tq);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
}

/* classify_count_net - locality_foreach_net callback: count. */
static void
classify_count_net(void *arg, const char *cidr, enum loc_origin origin,
    const char *detail)
{
	(*(int *)arg)++;
}

/*
 * classify_default_nets - with no trusted network known at all, trust the
 * server itself (loopback), as every MTA does by default.
 */
static void
classify_default_nets(struct locality *loc)
{
	int	n = 0;

	locality_foreach_net(loc, classify_count_net, &n);
	if (n > 0)
		return;
	(void)locality_add_net(loc, "127.0.0.1/32", LOC_ORIGIN_INFERRED,
	    "the server itself (no --local-net or mynetworks given)");
	(void)locality_add_net(loc, "::1/128", LOC_ORIGIN_INFERRED,
	    "the server itself (no --local-net or mynetworks given)");
}

/*
 * classify_prepare - loc (this run's flags and configuration) with what
 * the store knows from earlier runs and the default networks: the
 * locality an ingest judges by as it writes, before inference.
 */
void
classify_prepare(struct store *st, struct locality *loc)
{
	classify_load_stored(st, loc);
	classify_default_nets(loc);
}

/*
 * classify_run - recompute locality, verdicts and findings for the whole
 * store in one transaction.  loc holds the flags and configuration of
 * this run; stored flags and configuration of earlier runs are added, and
 * inference fills in the rest.  Returns 0, or -1 if the transaction could
 * not be committed.
 */
/* classify_lap - with -vv, how long the step since the last took. */
static void
classify_lap(struct timespec *t, const char *what)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	log_debug("%s: %.3f s", what, (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9);
	*t = now;
}

int
classify_run(struct store *st, struct locality *loc,
    struct classify_stats *cs)
{
	struct hop_stats	hs;
	struct timespec		t;

	memset(cs, 0, sizeof(*cs));
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* The indexes a new store made after its ingest (store.h). */
	if (store_index_all(st) == -1 || store_begin(st) == -1)
		return (-1);
	classify_lap(&t, "indexes made after the ingest");
	classify_load_stored(st, loc);
	classify_infer(st, loc);
	classify_default_nets(loc);
	classify_save_locality(st, loc);
	classify_lap(&t, "locality");
	/* Findings are made anew, then indexed (store_table_indexes()). */
	if (store_table_indexes(st, "findings", false) == -1)
		goto fail;
	(void)store_exec(st, "DELETE FROM findings");
	hop_link(st, loc, &hs);
	cs->unseen = hs.unseen;
	classify_lap(&t, "hops between our MTAs");
	classify_recipients(st, loc, cs);
	classify_lap(&t, "recipients judged");
	classify_flagged_accounts(st);
	classify_findings(st, cs);
	hop_end(st);
	if (store_table_indexes(st, "findings", true) == -1)
		goto fail;
	classify_lap(&t, "findings");
	if (store_commit(st) == -1)
		goto fail;
	classify_lap(&t, "commit");
	return (0);
fail:
	(void)store_rollback(st);
	return (-1);
}
