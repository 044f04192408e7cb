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
 * Hops between our own MTAs.  With the logs of two of the organisation's
 * MTAs in one store (an edge host that hands its mail to the mailbox
 * host, or one host through a content filter), a message one of them
 * handed to the other is stored twice: on the first as delivered to the
 * second, whose reply named the queue id it got there ("250 2.0.0 Ok:
 * queued as QID"), and on the second as a new message from the first's
 * address, which it trusts.  Judged apart, the copy would make our own
 * host a trusted client relaying foreign mail, and count the message
 * twice.
 *
 * hop_link() is part of classification, a pass over the whole store, so
 * the order in which the logs were read makes no difference.  A recipient
 * A delivered to the next hop is joined to recipient B of message M when
 * all of these hold:
 *	the reply to A's delivery names a queue id (Postfix "queued as QID",
 *	Exim "id=QID", Sendmail and OpenSMTPD "QID Message accepted for
 *	delivery") and M has it;
 *	M was received (not a bounce or a local submission), is not A's own
 *	message, and began within HOP_WINDOW seconds of the delivery (the
 *	clocks of two hosts differ);
 *	M has A's envelope sender, and B is the address A was delivered to;
 *	A's next hop is M's host: the same host (a content filter), a host
 *	name that is M's syslog host or begins with it and a dot, the
 *	address M's session was captured at, or an address in our networks.
 * B's row then names A's as its upstream_id, M's row names A's message,
 * and A's row says handoff 'joined'.  Classification does not judge B
 * again (authority 'hop'): the client accountable for it is the one A's
 * message came from, and a finding M still has (our host refused by a
 * blocklist, a bounce it made) is laid at that client's door.  A's
 * findings count the outcome at the end of the chain, not the hand-off.
 * A recipient delivered with a queue id to a next hop that looks like
 * one of ours (an address in our networks, a host name in a local
 * domain) whose copy is not in the store gets handoff 'unseen': that
 * host's logs are missing.  A message whose upstream is not in the store
 * is judged as any other.
 *
 * Reply texts and next-hop names come from remote servers.  They are
 * only compared: a forged "queued as" must also match the queue id,
 * sender, recipient and time of a message one of our hosts logged, and a
 * next hop that is ours.
 */

#include "config.h"

#include "hop.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "locality.h"
#include "output.h"
#include "store.h"

#define HOP_WINDOW	600	/* seconds between hand-off and arrival */
#define HOP_DEPTH	8	/* hops followed at most */
#define HOP_QID_MIN	5
#define HOP_QID_MAX	64

#define HOP_STR(x)	HOP_STR1(x)
#define HOP_STR1(x)	#x

/* Made at each pass, dropped by hop_end(). */
#define HOP_DROP \
	"DROP TABLE IF EXISTS temp.hop_pair;" \
	" DROP TABLE IF EXISTS temp.hop_unseen;" \
	" DROP TABLE IF EXISTS temp.hop_up;" \
	" DROP TABLE IF EXISTS temp.hop_off;" \
	" DROP TABLE IF EXISTS temp.hop_msg;" \
	" DROP TABLE IF EXISTS temp.hop_fate;" \
	" DROP TABLE IF EXISTS temp.hop_root;"
static const char hop_tables[] = HOP_DROP
	/* A delivered recipient and its copy on the next hop. */
	" CREATE TEMP TABLE hop_pair (up INTEGER PRIMARY KEY,"
	"  down INTEGER NOT NULL);"
	" CREATE TEMP TABLE hop_unseen (id INTEGER PRIMARY KEY);"
	" CREATE TEMP TABLE hop_up (id INTEGER PRIMARY KEY,"
	"  up INTEGER NOT NULL);"
	" CREATE TEMP TABLE hop_off (id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL);"
	" CREATE TEMP TABLE hop_msg (id INTEGER PRIMARY KEY,"
	"  up INTEGER NOT NULL);"
	/* For findings: a recipient's outcome at the end of its hops. */
	" CREATE TEMP TABLE hop_fate (id INTEGER PRIMARY KEY,"
	"  outcome TEXT NOT NULL, server TEXT);"
	/* For findings: the message a hop (or its bounce) came in as. */
	" CREATE TEMP TABLE hop_root (id INTEGER PRIMARY KEY,"
	"  root INTEGER NOT NULL)";

/* Delivered recipients whose reply may name the next hop's queue id. */
static const char hop_candidates[] =
	"SELECT r.id, r.message_id, m.server,"
	" coalesce(r.final_raw, r.rcpt_raw), r.reply_text, r.relay,"
	" r.last_epoch, m.sender_raw, m.sender"
	" FROM recipients r JOIN messages m ON m.id = r.message_id"
	" WHERE r.outcome = 'delivered' AND instr(r.relay, '[') > 0"
	" AND r.last_epoch IS NOT NULL AND m.sender_raw IS NOT NULL"
	" AND (r.reply_text LIKE '%queued as %' OR r.reply_text LIKE '%id=%'"
	" OR r.reply_text LIKE '%Message accepted for delivery%')"
	" ORDER BY r.id";

/* Messages with the queue id that may be the copy (queue id index). */
static const char hop_messages[] =
	"SELECT b.id, b.server, s.server_ip FROM messages b"
	" LEFT JOIN sessions s ON s.id = b.session_id"
	" WHERE b.queue_id = ?1 AND b.id != ?2 AND b.accepted"
	" AND b.origin NOT IN ('bounce', 'pickup')"
	" AND b.first_epoch BETWEEN ?3 - ?6 AND ?3 + ?6"
	" AND ((?4 = '' AND b.sender_raw = '')"
	"  OR (?5 IS NOT NULL AND b.sender = ?5 COLLATE NOCASE))"
	" ORDER BY abs(b.first_epoch - ?3), b.id";

static const char hop_recipient[] =
	"SELECT id FROM recipients WHERE message_id = ?1"
	" AND rcpt_raw = ?2 COLLATE NOCASE ORDER BY id LIMIT 1";

/* What the pairs say, into the rows; only what changed is written. */
static const char hop_apply[] =
	"INSERT INTO temp.hop_up SELECT down, min(up) FROM temp.hop_pair"
	" GROUP BY down;"
	" UPDATE recipients SET upstream_id = NULL WHERE upstream_id IS NOT"
	" NULL AND id NOT IN (SELECT id FROM temp.hop_up);"
	" UPDATE recipients SET upstream_id = u.up FROM temp.hop_up u"
	" WHERE recipients.id = u.id AND recipients.upstream_id IS NOT u.up;"
	" INSERT INTO temp.hop_off SELECT up, 'joined' FROM temp.hop_pair"
	" UNION ALL SELECT id, 'unseen' FROM temp.hop_unseen;"
	" UPDATE recipients SET handoff = NULL WHERE handoff IS NOT NULL"
	" AND id NOT IN (SELECT id FROM temp.hop_off);"
	" UPDATE recipients SET handoff = o.kind FROM temp.hop_off o"
	" WHERE recipients.id = o.id AND recipients.handoff IS NOT o.kind;"
	" INSERT INTO temp.hop_msg SELECT rb.message_id, min(ra.message_id)"
	" FROM temp.hop_pair p JOIN recipients rb ON rb.id = p.down"
	" JOIN recipients ra ON ra.id = p.up GROUP BY rb.message_id;"
	" UPDATE messages SET upstream_id = NULL WHERE upstream_id IS NOT NULL"
	" AND id NOT IN (SELECT id FROM temp.hop_msg);"
	" UPDATE messages SET upstream_id = h.up FROM temp.hop_msg h"
	" WHERE messages.id = h.id AND messages.upstream_id IS NOT h.up";

/*
 * For the findings: each handed-on recipient's outcome at the end of its
 * chain, and the message each hop, or a bounce of one (messages_parent),
 * came in as, up its hops and bounces' parents.  The deepest row of each
 * chain is taken (SQLite gives a bare column the values of the row max()
 * picked).
 */
static const char hop_derive[] =
	"INSERT INTO temp.hop_fate (id, outcome, server)"
	" WITH RECURSIVE chain(top, cur, depth) AS ("
	"  SELECT up, down, 1 FROM temp.hop_pair"
	"  UNION ALL SELECT c.top, p.down, c.depth + 1 FROM chain c"
	"  JOIN temp.hop_pair p ON p.up = c.cur WHERE c.depth < "
	HOP_STR(HOP_DEPTH) ")"
	" SELECT x.top, r.outcome, m.server FROM"
	" (SELECT top, max(depth), cur FROM chain GROUP BY top) x"
	" JOIN recipients r ON r.id = x.cur"
	" JOIN messages m ON m.id = r.message_id;"
	" INSERT INTO temp.hop_root (id, root)"
	" WITH RECURSIVE down(id) AS ("
	"  SELECT id FROM messages WHERE upstream_id IS NOT NULL"
	"  UNION SELECT b.id FROM down d JOIN messages b"
	"  ON b.parent_id = d.id WHERE b.origin = 'bounce'),"
	" up(id, cur, depth) AS ("
	"  SELECT id, id, 0 FROM down"
	"  UNION ALL SELECT u.id, coalesce(m.upstream_id, m.parent_id),"
	"  u.depth + 1 FROM up u JOIN messages m ON m.id = u.cur"
	"  WHERE (m.upstream_id IS NOT NULL OR (m.origin = 'bounce'"
	"  AND m.parent_id IS NOT NULL)) AND u.depth < " HOP_STR(HOP_DEPTH)
	")"
	" SELECT id, cur FROM (SELECT id, max(depth), cur FROM up"
	" GROUP BY id)";

struct hop_ctx {
	struct store		*st;
	const struct locality	*loc;
	char			 last[256];	/* the last next hop judged */
	bool			 last_ours;
	sqlite3_stmt		*msg;
	sqlite3_stmt		*rcpt;
	sqlite3_stmt		*pair;
	sqlite3_stmt		*unseen;
	struct hop_stats	*hs;
};

/* hop_qid_char - may c be part of a queue id? */
static bool
hop_qid_char(char c)
{
	return (ASCII_ISDIGIT(c) || ASCII_ISALPHA(c) || c == '-');
}

/* hop_copy_qid - the queue id that starts at p, into out. */
static bool
hop_copy_qid(const char *p, char *out, size_t outlen)
{
	size_t	n = 0;

	while (hop_qid_char(p[n]) && n < HOP_QID_MAX)
		n++;
	if (n < HOP_QID_MIN || n >= outlen || hop_qid_char(p[n]))
		return (false);
	memcpy(out, p, n);
	out[n] = '\0';
	return (true);
}

/*
 * hop_reply_qid - the queue id a server's reply to the end of data names
 * (Postfix "queued as QID", Exim "OK id=QID", Sendmail and OpenSMTPD
 * "QID Message accepted for delivery"), into out as a C string.  False
 * when it names none.
 */
bool
hop_reply_qid(const char *reply, char *out, size_t outlen)
{
	static const char	 acc[] = " Message accepted for delivery";
	const char		*p;

	if (reply == NULL)
		return (false);
	if ((p = strstr(reply, "queued as ")) != NULL &&
	    hop_copy_qid(p + 10, out, outlen))
		return (true);
	for (p = reply; (p = strstr(p, "id=")) != NULL; p += 3)
		if ((p == reply || p[-1] == ' ') &&
		    hop_copy_qid(p + 3, out, outlen))
			return (true);
	if ((p = strstr(reply, acc)) != NULL) {
		const char	*q = p;

		while (q > reply && hop_qid_char(q[-1]))
			q--;
		if ((q == reply || q[-1] == ' ' || q[-1] == '(') &&
		    hop_copy_qid(q, out, outlen) && q + strlen(out) == p)
			return (true);
	}
	return (false);
}

/* hop_copy - bytes [p, e) into out as a C string, cut to fit. */
static void
hop_copy(const char *p, const char *e, char *out, size_t outlen)
{
	size_t	n = (size_t)(e - p);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/*
 * hop_relay_split - the host name and the address of a next hop as the
 * MTAs log it: Postfix "name[addr]:port", Exim "name [addr]", Sendmail
 * "name. [addr]" or "[addr] [addr]".  The name loses a trailing dot and,
 * written as "[addr]", its brackets.  Either comes back "" when absent.
 */
void
hop_relay_split(const char *relay, char *name, size_t namelen, char *addr,
    size_t addrlen)
{
	const char	*lb, *rb, *e;

	*name = *addr = '\0';
	if (relay == NULL)
		return;
	if ((lb = strrchr(relay, '[')) != NULL &&
	    (rb = strchr(lb, ']')) != NULL)
		hop_copy(lb + 1, rb, addr, addrlen);
	if (*relay == '[') {
		if ((rb = strchr(relay, ']')) != NULL)
			hop_copy(relay + 1, rb, name, namelen);
		return;
	}
	for (e = relay; *e != '\0' && *e != '[' && *e != ' '; e++)
		;
	if (e > relay && e[-1] == '.')
		e--;
	hop_copy(relay, e, name, namelen);
}

/* hop_is_addr - is this name an IP address? */
static bool
hop_is_addr(const char *name)
{
	uint8_t	a[16];
	int	fam;

	return (locality_parse_ip(name, a, &fam) == 0);
}

/*
 * hop_to_host - is the next hop (name, addr) of a delivery logged by
 * aserver the host bserver, whose session was captured at bip?
 */
static bool
hop_to_host(const struct hop_ctx *hc, const char *name, const char *addr,
    const char *aserver, const char *bserver, const char *bip)
{
	size_t	n;

	if (aserver == NULL || bserver == NULL) {
		if (aserver == bserver)
			return (true);
	} else if (span_caseeq_cstr(span_from_cstr(aserver), bserver))
		return (true);
	if (bserver != NULL && *name != '\0' && !hop_is_addr(name) &&
	    (n = strlen(bserver)) > 0 && strlen(name) >= n &&
	    span_caseeq_cstr((struct span){ name, n }, bserver) &&
	    (name[n] == '\0' || name[n] == '.'))
		return (true);
	if (*addr == '\0')
		return (false);
	if (bip != NULL && strcmp(addr, bip) == 0)
		return (true);
	return (locality_ip_trusted(hc->loc, addr));
}

/*
 * hop_ours - does a next hop look like one of our MTAs: an address in our
 * networks, or a host name in one of our domains?
 */
static bool
hop_ours(const struct hop_ctx *hc, const char *name, const char *addr)
{
	const char	*p;

	if (*addr != '\0' && locality_ip_trusted(hc->loc, addr))
		return (true);
	if (*name == '\0' || hop_is_addr(name))
		return (false);
	for (p = name; p != NULL; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (*p != '\0' && locality_domain(hc->loc, p) == LOC_LOCAL)
			return (true);
	}
	return (false);
}

/*
 * hop_ours_cached - hop_ours() of next hop relay, remembered for the next
 * delivery (a message's recipients go to one next hop).
 */
static bool
hop_ours_cached(struct hop_ctx *hc, const char *relay, const char *name,
    const char *addr)
{
	if (relay != NULL && strcmp(relay, hc->last) == 0)
		return (hc->last_ours);
	hc->last_ours = hop_ours(hc, name, addr);
	if (relay == NULL || strlcpy(hc->last, relay, sizeof(hc->last)) >=
	    sizeof(hc->last))
		hc->last[0] = '\0';
	return (hc->last_ours);
}

/*
 * hop_copy_of - the recipient that is the copy of delivered recipient q
 * (a row of hop_candidates) on its next hop, or 0.
 */
static int64_t
hop_copy_of(struct hop_ctx *hc, sqlite3_stmt *q, const char *qid,
    const char *name, const char *addr)
{
	sqlite3_stmt	*m = hc->msg, *r = hc->rcpt;
	const char	*aserver = (const char *)sqlite3_column_text(q, 2);
	const char	*to = (const char *)sqlite3_column_text(q, 3);
	int64_t		 id = 0;

	if (to == NULL)
		return (0);
	sqlite3_reset(m);
	store_bind_text(m, 1, qid);
	store_bind_i64(m, 2, sqlite3_column_int64(q, 1));
	store_bind_i64(m, 3, sqlite3_column_int64(q, 6));
	sqlite3_bind_text(m, 4, store_col_text(q, 7), -1, SQLITE_TRANSIENT);
	store_bind_text(m, 5, (const char *)sqlite3_column_text(q, 8));
	store_bind_i64(m, 6, HOP_WINDOW);
	while (id == 0 && sqlite3_step(m) == SQLITE_ROW) {
		if (!hop_to_host(hc, name, addr, aserver,
		    (const char *)sqlite3_column_text(m, 1),
		    (const char *)sqlite3_column_text(m, 2)))
			continue;
		sqlite3_reset(r);
		store_bind_i64(r, 1, sqlite3_column_int64(m, 0));
		store_bind_text(r, 2, to);
		if (sqlite3_step(r) == SQLITE_ROW)
			id = sqlite3_column_int64(r, 0);
	}
	sqlite3_reset(m);
	sqlite3_reset(r);
	return (id);
}

/* hop_candidate - pair one delivered recipient with its copy, if any. */
static void
hop_candidate(struct hop_ctx *hc, sqlite3_stmt *q)
{
	char		 qid[HOP_QID_MAX + 1], name[256], addr[64];
	int64_t		 rid = sqlite3_column_int64(q, 0), down;
	sqlite3_stmt	*s;

	if (!hop_reply_qid((const char *)sqlite3_column_text(q, 4), qid,
	    sizeof(qid)))
		return;
	hop_relay_split((const char *)sqlite3_column_text(q, 5), name,
	    sizeof(name), addr, sizeof(addr));
	if ((down = hop_copy_of(hc, q, qid, name, addr)) > 0) {
		s = hc->pair;
		sqlite3_reset(s);
		store_bind_i64(s, 1, rid);
		store_bind_i64(s, 2, down);
		store_step_done(hc->st, s);
		hc->hs->joined++;
	} else if (hop_ours_cached(hc, (const char *)sqlite3_column_text(q,
	    5), name, addr)) {
		s = hc->unseen;
		sqlite3_reset(s);
		store_bind_i64(s, 1, rid);
		store_step_done(hc->st, s);
		hc->hs->unseen++;
	}
}

/*
 * hop_link - find the hops between our MTAs in the whole store and write
 * them into its rows (recipients.upstream_id and handoff,
 * messages.upstream_id), then make the tables classify_findings() reads
 * (temp.hop_fate, temp.hop_root) until hop_end().  loc is the locality
 * of the pass, inference included.  Inside the pass's transaction.
 */
void
hop_link(struct store *st, const struct locality *loc, struct hop_stats *hs)
{
	struct hop_ctx	 hc;
	sqlite3_stmt	*q;

	memset(hs, 0, sizeof(*hs));
	memset(&hc, 0, sizeof(hc));
	hc.st = st;
	hc.loc = loc;
	hc.hs = hs;
	(void)store_exec(st, hop_tables);
	hc.msg = store_prepare(st, hop_messages);
	hc.rcpt = store_prepare(st, hop_recipient);
	hc.pair = store_prepare(st, "INSERT OR IGNORE INTO temp.hop_pair"
	    " (up, down) VALUES (?1, ?2)");
	hc.unseen = store_prepare(st, "INSERT OR IGNORE INTO temp.hop_unseen"
	    " (id) VALUES (?1)");
	q = store_prepare(st, hop_candidates);
	while (sqlite3_step(q) == SQLITE_ROW)
		hop_candidate(&hc, q);
	sqlite3_finalize(q);
	sqlite3_finalize(hc.msg);
	sqlite3_finalize(hc.rcpt);
	sqlite3_finalize(hc.pair);
	sqlite3_finalize(hc.unseen);
	(void)store_exec(st, hop_apply);
	(void)store_exec(st, hop_derive);
}

/* hop_end - drop what hop_link() made for the pass. */
void
hop_end(struct store *st)
{
	(void)store_exec(st, HOP_DROP);
}

/* hop_show_host - " on HOST" for a message's server, when known. */
static void
hop_show_host(FILE *fp, const char *server)
{
	if (server == NULL)
		return;
	fputs(" on ", fp);
	out_text_max(fp, server, 255);
}

/*
 * hop_show_from - for `show`: where message id came from when another of
 * our MTAs handed it over, up to where it entered.
 */
void
hop_show_from(struct store *st, FILE *fp, int64_t id)
{
	sqlite3_stmt	*s;
	int		 depth;

	if (!st->has_hops)
		return;
	s = store_prepare(st, "SELECT u.id, u.server, u.queue_id,"
	    " u.session_id, u.client_ip, u.origin FROM messages m"
	    " JOIN messages u ON u.id = m.upstream_id WHERE m.id = ?1");
	for (depth = 0; depth < HOP_DEPTH; depth++) {
		sqlite3_reset(s);
		store_bind_i64(s, 1, id);
		if (sqlite3_step(s) != SQLITE_ROW)
			break;
		id = sqlite3_column_int64(s, 0);
		fprintf(fp, "    %scame from message %lld", depth == 0 ?
		    "" : "  which ", (long long)id);
		hop_show_host(fp, (const char *)sqlite3_column_text(s, 1));
		if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
			fputs(" queue id ", fp);
			out_text_max(fp, store_col_text(s, 2), 64);
		}
		if (sqlite3_column_type(s, 3) != SQLITE_NULL)
			fprintf(fp, " (session %lld)",
			    (long long)sqlite3_column_int64(s, 3));
		if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
			fputs(" from ", fp);
			out_text_max(fp, store_col_text(s, 4), 64);
		} else if (strcmp(store_col_text(s, 5), "smtpd") != 0)
			fprintf(fp, " (%s)", store_col_text(s, 5));
		fputc('\n', fp);
	}
	sqlite3_finalize(s);
}

/*
 * hop_show_to - for `show`: where recipient id went when it was handed
 * to another of our MTAs, and what became of it there.
 */
void
hop_show_to(struct store *st, FILE *fp, int64_t id)
{
	sqlite3_stmt	*s;

	if (!st->has_hops)
		return;
	s = store_prepare(st, "SELECT r.handoff, d.outcome, dm.id,"
	    " dm.server, dm.queue_id, dm.session_id FROM recipients r"
	    " LEFT JOIN recipients d ON d.upstream_id = r.id"
	    " LEFT JOIN messages dm ON dm.id = d.message_id"
	    " WHERE r.id = ?1 AND r.handoff IS NOT NULL"
	    " ORDER BY d.id LIMIT 1");
	store_bind_i64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 2) == SQLITE_NULL)
			fputs("        handed to one of our MTAs, whose copy is"
			    " not in these logs\n", fp);
		else {
			fprintf(fp, "        handed on as message %lld",
			    (long long)sqlite3_column_int64(s, 2));
			hop_show_host(fp, (const char *)sqlite3_column_text(s,
			    3));
			if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
				fputs(" queue id ", fp);
				out_text_max(fp, store_col_text(s, 4), 64);
			}
			if (sqlite3_column_type(s, 5) != SQLITE_NULL)
				fprintf(fp, " (session %lld)", (long long)
				    sqlite3_column_int64(s, 5));
			fprintf(fp, ": %s there\n", store_col_text(s, 1));
		}
	}
	sqlite3_finalize(s);
}
