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
 * Unit tests: correlation and the verdict rules.  Events are built by hand
 * (as the Postfix parser would emit them for the lines in the comments),
 * fed to the correlator over an in-memory store, judged, and the verdicts
 * and findings read back with SQL.  Every expected value follows from the
 * rules in classify.c, worked out by hand.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "correlate.h"
#include "event.h"
#include "locality.h"
#include "store.h"
#include "tap.h"

static struct store	*st;
static struct corr	*corr;
static int64_t		 clock_t0 = 1764620000;
static uint64_t		 lineno;
static int		 keep_queued;	/* no "removed" line */

/* ev - a Postfix event from program prog[pid] with queue id qid. */
static struct event *
ev(enum ev_type t, const char *prog, int pid, const char *qid)
{
	static struct event	e;
	static char		raw[64];
	const char		*slash = strrchr(prog, '/');

	ev_init(&e, t);
	e.time = clock_t0 + (int64_t)lineno;
	e.ref.line = ++lineno;
	e.ref.offset = lineno * 100;
	snprintf(raw, sizeof(raw), "line %llu", (unsigned long long)lineno);
	e.ref.raw = span_from_cstr(raw);
	e.host = SPAN_LIT("mx");
	e.program = span_from_cstr(prog);
	e.service = span_from_cstr(slash != NULL ? slash + 1 : prog);
	e.pid = pid;
	e.queue_id = span_from_cstr(qid);
	return (&e);
}

static void
feed(struct event *e)
{
	corr_event(corr, e);
}

/* smtp_session - connect, client=, from=, one delivery per rcpt, done. */
static void
smtp_message(const char *ip, int pid, const char *qid, const char *user,
    const char *from, const char *const *rcpts, const char *status,
    const char *reply)
{
	struct event	*e;
	size_t		 i;

	e = ev(EV_CONNECT, "postfix/smtpd", pid, "");
	e->client_ip = span_from_cstr(ip);
	e->client_name = SPAN_LIT("unknown");
	feed(e);
	e = ev(EV_CLIENT, "postfix/smtpd", pid, qid);
	e->client_ip = span_from_cstr(ip);
	e->client_name = SPAN_LIT("unknown");
	if (user != NULL) {
		e->sasl_method = SPAN_LIT("PLAIN");
		e->sasl_user = span_from_cstr(user);
	}
	feed(e);
	e = ev(EV_MSGINFO, "postfix/qmgr", 100, qid);
	e->sender = span_from_cstr(from);
	e->size = 1234;
	e->nrcpt = 1;
	feed(e);
	e = ev(EV_DISCONNECT, "postfix/smtpd", pid, "");
	e->client_ip = span_from_cstr(ip);
	feed(e);
	for (i = 0; rcpts[i] != NULL; i++) {
		const char	*to = rcpts[i], *orig = NULL, *sep;
		char		 buf[256];

		/* "orig>final" gives an orig_to. */
		if ((sep = strchr(rcpts[i], '>')) != NULL) {
			snprintf(buf, sizeof(buf), "%.*s",
			    (int)(sep - rcpts[i]), rcpts[i]);
			orig = buf;
			to = sep + 1;
		}
		e = ev(EV_DELIVERY, "postfix/smtp", 200, qid);
		e->rcpt = span_from_cstr(to);
		if (orig != NULL)
			e->orig_rcpt = span_from_cstr(orig);
		e->relay = strstr(to, "@corp.example") != NULL ?
		    SPAN_LIT("local") : SPAN_LIT("mx.other[192.0.2.25]:25");
		e->status = span_from_cstr(status);
		e->text = span_from_cstr(reply);
		feed(e);
	}
	if (!keep_queued)
		feed(ev(EV_REMOVED, "postfix/qmgr", 100, qid));
}

/* reject - "NOQUEUE: reject: RCPT from unknown[ip]: 554 ... denied". */
static void
reject(const char *ip, int pid, const char *from, const char *to)
{
	struct event	*e;

	e = ev(EV_REJECT, "postfix/smtpd", pid, "");
	e->client_ip = span_from_cstr(ip);
	e->stage = SPAN_LIT("RCPT");
	e->reply_code = 554;
	e->dsn = SPAN_LIT("5.7.1");
	e->text = SPAN_LIT("<x>: Relay access denied");
	e->sender = span_from_cstr(from);
	e->rcpt = span_from_cstr(to);
	e->helo = SPAN_LIT("probe.example");
	feed(e);
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

int
main(void)
{
	static const char *const r_foreign[] = { "v1@other.example",
		"v2@other.example", NULL };
	static const char *const r_one[] = { "v3@third.example", NULL };
	static const char *const r_local[] = { "alice@corp.example", NULL };
	static const char *const r_partner[] = { "bob@partner.example",
		NULL };
	static const char *const r_trick[] = {
		"victim%trick.example@corp.example>victim@trick.example",
		NULL };
	struct locality		*loc;
	struct classify_stats	 cs;
	struct event		*e;
	char			 err[256];

	if ((st = store_open(":memory:", 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return (99);
	}
	if (store_begin(st) == -1)
		return (99);
	corr = corr_new(st);
	corr_set_source(corr, 0);

	/* Open relay: foreign to foreign from an outsider, delivered. */
	smtp_message("203.0.113.5", 11, "AAA1", NULL, "spam@foreign.example",
	    r_foreign, "sent", "250 2.0.0 Ok");
	/* The same queue id reused for a second open-relay message. */
	smtp_message("203.0.113.5", 11, "AAA1", NULL, "spam@foreign.example",
	    r_one, "deferred", "451 4.3.0 try later");
	/* Probing, refused twice in one session, then another sender. */
	reject("203.0.113.6", 12, "a@foreign.example", "x@other.example");
	reject("203.0.113.6", 12, "a@foreign.example", "y@other.example");
	reject("203.0.113.6", 12, "b@foreign.example", "x@other.example");
	/* Trusted network: foreign sender relayed; local sender is fine. */
	smtp_message("10.1.2.3", 13, "BBB1", NULL, "x@foreign.example",
	    r_one, "sent", "250 ok");
	smtp_message("10.1.2.3", 13, "BBB2", NULL, "web@corp.example",
	    r_one, "sent", "250 ok");
	/* Authenticated: dave from three addresses, alice from one. */
	smtp_message("198.51.100.1", 14, "CCC1", "dave", "dave@corp.example",
	    r_one, "sent", "250 ok");
	smtp_message("198.51.100.2", 14, "CCC2", "dave", "dave@corp.example",
	    r_one, "sent", "250 ok");
	smtp_message("198.51.100.3", 14, "CCC3", "dave", "dave@corp.example",
	    r_one, "bounced", "554 5.7.1 Service unavailable; Client host "
	    "[192.0.2.1] blocked using zen.spamhaus.org");
	smtp_message("198.51.100.9", 15, "CCC4", "alice",
	    "alice@corp.example", r_one, "sent", "250 ok");
	/* Inbound, and to an authorized relay destination. */
	smtp_message("192.0.2.77", 16, "DDD1", NULL, "friend@foreign.example",
	    r_local, "sent", "delivered to mailbox");
	smtp_message("192.0.2.78", 17, "DDD2", NULL, "friend@foreign.example",
	    r_partner, "sent", "250 ok");
	/* Spoofed local sender from an outsider. */
	smtp_message("203.0.113.7", 18, "EEE1", NULL, "ceo@corp.example",
	    r_one, "sent", "250 ok");
	/* Percent hack: looks local, is not. */
	smtp_message("203.0.113.8", 19, "FFF1", NULL, "x@foreign.example",
	    r_trick, "sent", "250 ok");
	/* Backscatter: a bounce our server made for an outsider's mail. */
	keep_queued = 1;
	smtp_message("203.0.113.9", 20, "GGG1", NULL, "forged@victim.example",
	    r_local, "bounced", "unknown user");
	keep_queued = 0;
	e = ev(EV_BOUNCE, "postfix/bounce", 300, "GGG1");
	e->new_queue_id = SPAN_LIT("GGG2");
	feed(e);
	e = ev(EV_MSGINFO, "postfix/qmgr", 100, "GGG2");
	e->sender = SPAN_LIT("");
	feed(e);
	e = ev(EV_DELIVERY, "postfix/smtp", 200, "GGG2");
	e->rcpt = SPAN_LIT("forged@victim.example");
	e->relay = SPAN_LIT("mx.victim[192.0.2.9]:25");
	e->status = SPAN_LIT("sent");
	feed(e);
	feed(ev(EV_REMOVED, "postfix/qmgr", 100, "GGG1"));
	feed(ev(EV_REMOVED, "postfix/qmgr", 100, "GGG2"));
	/*
	 * After a finding with a session, one without: a local submission
	 * (pickup, no session) refused naming a blocklist.  Its finding
	 * has no session either (it once took the one before's).
	 */
	smtp_message("203.0.113.10", 21, "HHH1", NULL, "x@foreign.example",
	    r_one, "sent", "250 ok");
	e = ev(EV_PICKUP, "postfix/pickup", 400, "HHH2");
	e->sender = SPAN_LIT("www-data@corp.example");
	e->text = SPAN_LIT("uid=33");
	feed(e);
	e = ev(EV_MSGINFO, "postfix/qmgr", 100, "HHH2");
	e->sender = SPAN_LIT("www-data@corp.example");
	feed(e);
	e = ev(EV_DELIVERY, "postfix/smtp", 200, "HHH2");
	e->rcpt = SPAN_LIT("someone@third.example");
	e->relay = SPAN_LIT("mx.third[192.0.2.30]:25");
	e->status = SPAN_LIT("bounced");
	e->text = SPAN_LIT("host mx.third[192.0.2.30] said: 554 5.7.1 Client "
	    "host [192.0.2.1] blocked using zen.spamhaus.org");
	feed(e);
	feed(ev(EV_REMOVED, "postfix/qmgr", 100, "HHH2"));

	corr_flush(corr);
	if (store_commit(st) == -1)
		return (99);

	loc = locality_new();
	locality_add_domain(loc, "corp.example", LOC_LOCAL, LOC_ORIGIN_FLAG,
	    "test");
	locality_add_domain(loc, "partner.example", LOC_RELAY,
	    LOC_ORIGIN_FLAG, "test");
	locality_add_net(loc, "10.0.0.0/8", LOC_ORIGIN_FLAG, "test");
	ok(classify_run(st, loc, &cs) == 0, "classification runs");

	is_str(one("SELECT count(*) FROM messages WHERE queue_id = 'AAA1'"),
	    "2", "reused queue id: two messages");
	is_str(one("SELECT count(*) || '/' || sum(recipients) || '/' ||"
	    " sum(delivered) || '/' || sum(deferred) FROM findings WHERE"
	    " kind = 'open-relay' AND client_ip = '203.0.113.5'"), "2/3/2/1",
	    "open relay: 2 messages, 3 recipients, 2 delivered, 1 deferred");
	is_str(one("SELECT severity FROM findings WHERE kind = 'open-relay'"
	    " AND client_ip = '203.0.113.5' ORDER BY id LIMIT 1"), "high",
	    "delivered open relay is high");
	is_str(one("SELECT count(*) || '/' || sum(recipients) FROM findings"
	    " WHERE kind = 'relay-attempt' AND client_ip = '203.0.113.6'"),
	    "2/3", "probes: 2 refused transactions (sender changed), 3 rcpts");
	is_str(one("SELECT count(*) FROM messages WHERE NOT accepted"),
	    "2", "refused transactions are not accepted messages");
	is_str(one("SELECT count(*) FROM findings WHERE kind ="
	    " 'trusted-relay'"), "1", "trusted net: only the foreign sender");
	is_str(one("SELECT direction || ',' || authority || ',' ||"
	    " coalesce(verdict, '-') FROM recipients r JOIN messages m ON"
	    " m.id = r.message_id WHERE m.queue_id = 'BBB2'"),
	    "outbound,trusted,-", "trusted local sender: plain outbound");
	is_str(one("SELECT count(*) || '/' || sum(severity = 'high') FROM"
	    " findings WHERE kind = 'auth-relay' AND auth_user = 'dave'"),
	    "3/3", "dave from 3 IPs: flagged high");
	is_str(one("SELECT why FROM account_flags WHERE auth_user = 'dave'"),
	    "3 client IPs", "dave's flag says why");
	is_str(one("SELECT severity FROM findings WHERE kind = 'auth-relay'"
	    " AND auth_user = 'alice'"), "info", "alice is not flagged");
	is_str(one("SELECT count(*) FROM findings WHERE client_ip IN"
	    " ('192.0.2.77', '192.0.2.78')"), "0",
	    "inbound and backup-MX mail: no finding");
	is_str(one("SELECT direction FROM recipients WHERE rcpt_raw ="
	    " 'bob@partner.example'"), "inbound", "relay_domains is inbound");
	is_str(one("SELECT summary FROM findings WHERE client_ip ="
	    " '203.0.113.7'"), "203.0.113.7 from <ceo@corp.example> to 1"
	    " foreign recipient (first v3@third.example): 1 delivered, 0"
	    " deferred, 0 bounced; spoofed local sender",
	    "spoofed local sender is open relay, and says so");
	is_str(one("SELECT group_concat(kind) FROM (SELECT kind FROM findings"
	    " WHERE client_ip = '203.0.113.8' ORDER BY kind)"),
	    "address-trick,open-relay", "percent hack: trick and relay");
	is_str(one("SELECT rcpt || ' ' || trick || ' ' || surface_domain FROM"
	    " recipients WHERE rcpt_raw LIKE 'victim%%'"),
	    "victim@trick.example percent corp.example",
	    "trick recipient decoded, surface kept");
	is_str(one("SELECT client_ip || ' ' || recipients FROM findings"
	    " WHERE kind = 'backscatter'"), "203.0.113.9 1",
	    "backscatter blamed on the forger's client");
	is_str(one("SELECT group_concat(coalesce(client_ip, '-') || ' ' ||"
	    " coalesce(auth_user, '-'), ', ') FROM (SELECT * FROM findings"
	    " WHERE kind = 'blacklisted' ORDER BY id)"),
	    "198.51.100.3 dave, - -", "blocklisted deliveries found");
	is_str(one("SELECT count(*) || ' ' || count(f.session_id) FROM"
	    " findings f JOIN messages m ON m.id = f.message_id WHERE"
	    " m.queue_id = 'HHH1' OR m.queue_id = 'HHH2'"), "2 1",
	    "the open relay's finding has its session, the pickup's none");
	is_str(one("SELECT count(*) FROM findings f JOIN messages m ON"
	    " m.id = f.message_id WHERE f.session_id IS NOT m.session_id"),
	    "0", "every finding names its message's session");
	is_str(one("SELECT count(*) FROM evidence"), "0",
	    "no source, no evidence rows");

	/* Judging again gives the same findings. */
	{
		char	before[512];

		snprintf(before, sizeof(before), "%s", one("SELECT count(*) ||"
		    " '/' || sum(recipients) FROM findings"));
		ok(classify_run(st, loc, &cs) == 0, "second run");
		is_str(one("SELECT count(*) || '/' || sum(recipients) FROM"
		    " findings"), before, "idempotent");
	}
	locality_free(loc);
	corr_free(corr);
	store_close(st);
	return (done_testing());
}
