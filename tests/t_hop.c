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
 * Unit tests: hops between our MTAs (hop.c).  The queue id in the reply
 * forms of Postfix, Exim, Sendmail and OpenSMTPD, next hops as each MTA
 * logs them, and the join over an in-memory store of hand-built events
 * (as the Postfix parser emits them) from several hosts: what is joined,
 * what is not (another sender, recipient or host, too late, a reply that
 * names no queue id), a content filter on one host, a chain of three.
 * Every expected value follows from the rules in hop.c, worked out by
 * hand.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "correlate.h"
#include "event.h"
#include "hop.h"
#include "locality.h"
#include "store.h"
#include "tap.h"

static struct store	*st;
static struct corr	*corr;
static int64_t		 now = 1764620000;
static uint64_t		 lineno;
static int		 pids = 1000;

/* ev - an event of host's program with queue id qid, one second on. */
static struct event *
ev(enum ev_type t, const char *host, const char *prog, int pid,
    const char *qid)
{
	static struct event	e;
	static char		raw[64];
	const char		*slash = strrchr(prog, '/');

	ev_init(&e, t);
	e.time = now++;
	e.ref.line = ++lineno;
	e.ref.offset = lineno * 100;
	snprintf(raw, sizeof(raw), "line %llu", (unsigned long long)lineno);
	e.ref.raw = span_from_cstr(raw);
	e.host = span_from_cstr(host);
	e.program = span_from_cstr(prog);
	e.service = span_from_cstr(slash != NULL ? slash + 1 : prog);
	e.pid = pid;
	e.queue_id = span_from_cstr(qid);
	return (&e);
}

/*
 * arrive - a message from client ip at host, queue id qid, sender from.
 * Its recipients come with deliver().
 */
static void
arrive(const char *host, const char *ip, const char *qid, const char *from)
{
	struct event	*e;
	int		 pid = pids++;

	e = ev(EV_CONNECT, host, "postfix/smtpd", pid, "");
	e->client_ip = span_from_cstr(ip);
	e->client_name = SPAN_LIT("unknown");
	corr_event(corr, e);
	e = ev(EV_CLIENT, host, "postfix/smtpd", pid, qid);
	e->client_ip = span_from_cstr(ip);
	e->client_name = SPAN_LIT("unknown");
	corr_event(corr, e);
	e = ev(EV_MSGINFO, host, "postfix/qmgr", 1, qid);
	e->sender = span_from_cstr(from);
	e->size = 100;
	e->nrcpt = 1;
	corr_event(corr, e);
	e = ev(EV_DISCONNECT, host, "postfix/smtpd", pid, "");
	e->client_ip = span_from_cstr(ip);
	corr_event(corr, e);
}

/* deliver - one delivery line of message qid at host. */
static void
deliver(const char *host, const char *qid, const char *to,
    const char *relay, const char *status, const char *reply)
{
	struct event	*e;

	e = ev(EV_DELIVERY, host, "postfix/smtp", 2, qid);
	e->rcpt = span_from_cstr(to);
	e->relay = span_from_cstr(relay);
	e->status = span_from_cstr(status);
	e->text = span_from_cstr(reply);
	corr_event(corr, e);
}

static void
removed(const char *host, const char *qid)
{
	corr_event(corr, ev(EV_REMOVED, host, "postfix/qmgr", 1, qid));
}

/* one - the first value of a query as text ("" for none). */
static const char *
one(const char *sql)
{
	static char	 out[512];
	sqlite3_stmt	*s = store_prepare(st, sql);

	out[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return (out);
}

/* hop_of - "server:queue id" of the upstream of host's message qid. */
static const char *
hop_of(const char *host, const char *qid)
{
	char	sql[256];

	snprintf(sql, sizeof(sql), "SELECT coalesce(u.server, '-') || ':' ||"
	    " u.queue_id FROM messages m JOIN messages u ON u.id ="
	    " m.upstream_id WHERE m.server = '%s' AND m.queue_id = '%s'",
	    host, qid);
	return (one(sql));
}

static void
test_qid(void)
{
	static const struct {
		const char	*reply;
		const char	*want;	/* NULL: none */
	} t[] = {
		{ "250 2.0.0 Ok: queued as 4F2A1B3C9D", "4F2A1B3C9D" },
		{ "250 2.0.0 Ok: queued as 4Rz0Kq1xYvz5mB1",
		    "4Rz0Kq1xYvz5mB1" },
		{ "250 OK id=1xYV6j-0004vx-2A", "1xYV6j-0004vx-2A" },
		{ "Sent (6B1LLDi8030672 Message accepted for delivery)",
		    "6B1LLDi8030672" },
		{ "250 2.0.0 6B1LLDi8030672 Message accepted for delivery",
		    "6B1LLDi8030672" },
		{ "250 2.0.0 575848b1 Message accepted for delivery",
		    "575848b1" },
		{ "Sent (Ok: queued as S00001)", "S00001" },
		{ "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok:"
		    " queued as 3B9C72E1A2", "3B9C72E1A2" },
		{ "250 2.6.0 <abc@example> [InternalId=123, Hostname=x]"
		    " Queued mail for delivery", NULL },
		{ "250 2.0.0 Ok", NULL },
		{ "delivered to mailbox", NULL },
		{ "250 ok uid=12345678", NULL },
		{ "250 queued as ab", NULL },
		{ "250 queued as 0123456789012345678901234567890123456789"
		    "01234567890123456789012345", NULL },
		{ "250 queued as ABCDE; more text", "ABCDE" },
		{ "250 Message accepted for delivery", NULL },
		{ "", NULL },
	};
	char	out[65];
	size_t	i;
	bool	got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = hop_reply_qid(t[i].reply, out, sizeof(out));
		if (t[i].want == NULL)
			ok(!got, "no queue id in \"%s\"", t[i].reply);
		else
			is_str(got ? out : "(none)", t[i].want,
			    "queue id in \"%s\"", t[i].reply);
	}
	ok(!hop_reply_qid(NULL, out, sizeof(out)), "no reply, no queue id");
	ok(!hop_reply_qid("250 queued as ABCDEFGH", out, 6),
	    "a queue id longer than the buffer is none");
}

static void
test_relay(void)
{
	static const struct {
		const char	*relay, *name, *addr;
	} t[] = {
		{ "inner.corp.example[127.0.0.3]:25", "inner.corp.example",
		    "127.0.0.3" },
		{ "127.0.0.3 [127.0.0.3]", "127.0.0.3", "127.0.0.3" },
		{ "inner.corp.example. [10.0.0.3]", "inner.corp.example",
		    "10.0.0.3" },
		{ "[127.0.0.3] [127.0.0.3]", "127.0.0.3", "127.0.0.3" },
		{ "mx.example[2001:db8::25]:25", "mx.example", "2001:db8::25" },
		{ "local", "local", "" },
		{ "mail.corp.example[private/dovecot-lmtp]",
		    "mail.corp.example", "private/dovecot-lmtp" },
		{ "[broken", "", "" },
		{ "", "", "" },
	};
	char	name[64], addr[64];
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		hop_relay_split(t[i].relay, name, sizeof(name), addr,
		    sizeof(addr));
		is_str(name, t[i].name, "next hop \"%s\": name", t[i].relay);
		is_str(addr, t[i].addr, "next hop \"%s\": address",
		    t[i].relay);
	}
	hop_relay_split("a-very-long-name.example[192.0.2.1]", name, 8, addr,
	    sizeof(addr));
	is_str(name, "a-very-", "a long name is cut to fit");
}

/* The hosts: a, b and c are ours (10.0.0.1, .2, .3). */
static void
feed_incident(void)
{
	/* 1: a hands a spam to b, which delivers it: joined. */
	arrive("a", "203.0.113.66", "A0001", "spam@foreign.example");
	arrive("b", "10.0.0.1", "B0001", "spam@foreign.example");
	deliver("a", "A0001", "v1@other.example", "b.corp.example[10.0.0.2]:25",
	    "sent", "250 2.0.0 Ok: queued as B0001");
	deliver("b", "B0001", "v1@other.example", "mx.other[192.0.2.25]:25",
	    "sent", "250 2.0.0 Ok: queued as REMOTE1");
	removed("a", "A0001");
	removed("b", "B0001");

	/* 2: Exim's reply form, to an address in our networks. */
	arrive("a", "203.0.113.66", "A0002", "spam@foreign.example");
	arrive("b", "10.0.0.1", "1xYV6j-0004vx-2A", "spam@foreign.example");
	deliver("a", "A0002", "v2@other.example", "10.0.0.2[10.0.0.2]:25",
	    "sent", "250 OK id=1xYV6j-0004vx-2A");
	deliver("b", "1xYV6j-0004vx-2A", "v2@other.example",
	    "mx.other[192.0.2.25]:25", "deferred", "451 4.7.1 try later");
	removed("a", "A0002");

	/* 3: another sender on b with the queue id named: not joined. */
	arrive("a", "203.0.113.66", "A0003", "spam@foreign.example");
	arrive("b", "10.0.0.1", "B0003", "other@foreign.example");
	deliver("a", "A0003", "v3@other.example", "b.corp.example[10.0.0.2]:25",
	    "sent", "250 2.0.0 Ok: queued as B0003");
	deliver("b", "B0003", "v3@other.example", "mx.other[192.0.2.25]:25",
	    "sent", "250 ok");
	removed("a", "A0003");
	removed("b", "B0003");

	/* 4: another recipient: not joined. */
	arrive("a", "203.0.113.66", "A0004", "spam@foreign.example");
	arrive("b", "10.0.0.1", "B0004", "spam@foreign.example");
	deliver("a", "A0004", "v4@other.example", "b.corp.example[10.0.0.2]:25",
	    "sent", "250 2.0.0 Ok: queued as B0004");
	deliver("b", "B0004", "w4@other.example", "mx.other[192.0.2.25]:25",
	    "sent", "250 ok");
	removed("a", "A0004");
	removed("b", "B0004");

	/*
	 * 5: the next hop is not b (a foreign host that answered with b's
	 * queue id): not joined, and not one of ours either.
	 */
	arrive("a", "203.0.113.66", "A0005", "spam@foreign.example");
	arrive("b", "10.0.0.1", "B0005", "spam@foreign.example");
	deliver("a", "A0005", "v5@other.example", "mx.evil[198.51.100.5]:25",
	    "sent", "250 2.0.0 Ok: queued as B0005");
	deliver("b", "B0005", "v5@other.example", "mx.other[192.0.2.25]:25",
	    "sent", "250 ok");
	removed("a", "A0005");
	removed("b", "B0005");

	/* 6: b's copy began more than HOP_WINDOW after: not joined. */
	arrive("a", "203.0.113.66", "A0006", "spam@foreign.example");
	deliver("a", "A0006", "v6@other.example", "b.corp.example[10.0.0.2]:25",
	    "sent", "250 2.0.0 Ok: queued as B0006");
	removed("a", "A0006");
	now += 3600;
	arrive("b", "10.0.0.1", "B0006", "spam@foreign.example");
	deliver("b", "B0006", "v6@other.example", "mx.other[192.0.2.25]:25",
	    "sent", "250 ok");
	removed("b", "B0006");

	/* 7: a content filter on c (same host): joined. */
	arrive("c", "203.0.113.77", "C0007", "x@foreign.example");
	arrive("c", "127.0.0.1", "C0008", "x@foreign.example");
	deliver("c", "C0007", "v7@other.example", "127.0.0.1[127.0.0.1]:10024",
	    "sent", "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0"
	    " Ok: queued as C0008");
	deliver("c", "C0008", "v7@other.example", "mx.other[192.0.2.25]:25",
	    "bounced", "550 5.1.1 unknown user");
	removed("c", "C0007");
	removed("c", "C0008");

	/* 8: a chain a, b, c, the last one bounces. */
	arrive("a", "203.0.113.88", "A0009", "z@foreign.example");
	arrive("b", "10.0.0.1", "B0009", "z@foreign.example");
	arrive("c", "10.0.0.2", "C0009", "z@foreign.example");
	deliver("a", "A0009", "v9@other.example", "b.corp.example[10.0.0.2]:25",
	    "sent", "250 2.0.0 Ok: queued as B0009");
	deliver("b", "B0009", "v9@other.example", "c[10.0.0.3]:25",
	    "sent", "250 2.0.0 Ok: queued as C0009");
	deliver("c", "C0009", "v9@other.example", "mx.other[192.0.2.25]:25",
	    "bounced", "554 5.7.1 blocked using zen.spamhaus.org");
	removed("a", "A0009");
	removed("b", "B0009");
	removed("c", "C0009");

	/*
	 * 9: a hands to d, ours by name, whose log is not here: unseen (as
	 * are 3, 4 and 6: handed to b, ours, with no copy there that
	 * matches).
	 */
	arrive("a", "203.0.113.66", "A0010", "spam@foreign.example");
	deliver("a", "A0010", "v10@other.example",
	    "d.corp.example[172.16.0.4]:25", "sent",
	    "250 2.0.0 Ok: queued as D0010");
	removed("a", "A0010");
}

static void
test_join(void)
{
	struct locality		*loc;
	struct classify_stats	 cs;
	char			 err[256];

	if ((st = store_open(":memory:", 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(99);
	}
	if (store_begin(st) == -1)
		exit(99);
	corr = corr_new(st);
	corr_set_source(corr, 0);
	feed_incident();
	corr_flush(corr);
	if (store_commit(st) == -1)
		exit(99);
	loc = locality_new();
	locality_add_domain(loc, "corp.example", LOC_LOCAL, LOC_ORIGIN_FLAG,
	    "test");
	locality_add_net(loc, "10.0.0.0/8", LOC_ORIGIN_FLAG, "test");
	ok(classify_run(st, loc, &cs) == 0, "classification runs");

	is_str(hop_of("b", "B0001"), "a:A0001", "1: Postfix reply, by name");
	is_str(hop_of("b", "1xYV6j-0004vx-2A"), "a:A0002",
	    "2: Exim reply, by an address of ours");
	is_str(hop_of("b", "B0003"), "", "3: another sender: not joined");
	is_str(hop_of("b", "B0004"), "", "4: another recipient: not joined");
	is_str(hop_of("b", "B0005"), "", "5: another next hop: not joined");
	is_str(hop_of("b", "B0006"), "", "6: too late: not joined");
	is_str(hop_of("c", "C0008"), "c:C0007", "7: content filter, one host");
	is_str(hop_of("b", "B0009"), "a:A0009", "8: a to b");
	is_str(hop_of("c", "C0009"), "b:B0009", "8: b to c");

	is_str(one("SELECT count(*) FROM recipients WHERE authority = 'hop'"),
	    "5", "5 recipients are hops");
	is_str(one("SELECT group_concat(client_ip || ' ' || kind, ', ') FROM"
	    " (SELECT DISTINCT client_ip, kind FROM findings WHERE client_ip"
	    " LIKE '10.%' ORDER BY 1, 2)"), "10.0.0.1 trusted-relay",
	    "our hosts: only the unjoined copies on b are findings of a's");
	is_str(one("SELECT count(*) FROM findings WHERE client_ip ="
	    " '10.0.0.1' AND kind = 'trusted-relay'"), "4",
	    "... 3, 4, 5 and 6");
	is_str(one("SELECT count(*) FROM findings WHERE client_ip ="
	    " '10.0.0.2'"), "0", "b is not c's client in the chain");
	is_str(one("SELECT sum(delivered) || '/' || sum(deferred) || '/' ||"
	    " sum(bounced) FROM findings WHERE kind = 'open-relay' AND"
	    " client_ip = '203.0.113.66' AND message_id IN (SELECT id FROM"
	    " messages WHERE queue_id IN ('A0001', 'A0002'))"), "1/1/0",
	    "1 and 2: the outcome at b");
	is_str(one("SELECT delivered || '/' || bounced || ' ' || summary FROM"
	    " findings WHERE kind = 'open-relay' AND client_ip ="
	    " '203.0.113.88'"), "0/1 203.0.113.88 from <z@foreign.example>"
	    " to 1 foreign recipient (first v9@other.example): 0 delivered,"
	    " 0 deferred, 1 bounced; 1 handed on, outcome as c logged it",
	    "8: the outcome at the end of the chain");
	is_str(one("SELECT client_ip || ' ' || summary FROM findings WHERE"
	    " kind = 'blacklisted'"), "203.0.113.88 203.0.113.88 from"
	    " <z@foreign.example> (came in at a, seen on c): 1 recipients"
	    " refused by mx.other[192.0.2.25]:25 naming a blocklist: 554"
	    " 5.7.1 blocked using zen.spamhaus.org",
	    "8: c's blocklist refusal is the entering client's");
	is_str(one("SELECT count(*) FROM findings WHERE client_ip ="
	    " '127.0.0.1'"), "0", "7: the filter's reinjection is no finding");
	is_str(one("SELECT group_concat(q) FROM (SELECT m.queue_id AS q FROM"
	    " recipients r JOIN messages m ON m.id = r.message_id WHERE"
	    " r.handoff = 'unseen' ORDER BY 1)"),
	    "A0003,A0004,A0006,A0010",
	    "3, 4, 6, 9: hand-offs to one of ours whose copy is missing");
	is_str(one("SELECT count(*) FROM recipients WHERE handoff ="
	    " 'joined'"), "5", "5 hand-offs joined");
	ok(cs.hops == 5 && cs.unseen == 4, "the pass counts 5 hops, 4 unseen");

	/* Judging again writes nothing. */
	{
		char	before[512];

		snprintf(before, sizeof(before), "%s", one("SELECT"
		    " group_concat(id || ':' || coalesce(upstream_id, '-') ||"
		    " ':' || coalesce(handoff, '-') || ':' || authority) FROM"
		    " recipients"));
		ok(classify_run(st, loc, &cs) == 0, "second run");
		is_str(one("SELECT group_concat(id || ':' ||"
		    " coalesce(upstream_id, '-') || ':' || coalesce(handoff,"
		    " '-') || ':' || authority) FROM recipients"), before,
		    "the same hops");
	}
	locality_free(loc);
	corr_free(corr);
	store_close(st);
}

int
main(void)
{
	test_qid();
	test_relay();
	test_join();
	return (done_testing());
}
