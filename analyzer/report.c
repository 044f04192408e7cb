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
 * The report: the incident at a glance, from the store alone.  Text for a
 * person, JSON for programs (docs/report-json.md is its contract).  Every
 * query orders its rows completely, so the same database gives the same
 * report byte for byte.  Stored text came from the input and is escaped
 * on the way out (output.h).
 */

#include "config.h"

#include "report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "output.h"
#include "store.h"

/* Kinds of finding in report order. */
static const char *const report_kinds[] = {
	"open-relay", "relay-attempt", "auth-relay", "trusted-relay",
	"address-trick", "backscatter", "blacklisted", NULL
};

/* Accepted relaying: what makes a client an abuser in the ranking. */
/* Clients whose HELO names and accounts the text report lists. */
#define CLIENT_DETAIL_MAX	50

#define ABUSE_KINDS \
	"('open-relay', 'trusted-relay', 'address-trick', 'backscatter')"

/* col - text of column i or NULL. */
static const char *
col(sqlite3_stmt *s, int i)
{
	return ((const char *)sqlite3_column_text(s, i));
}

static int64_t
coli(sqlite3_stmt *s, int i)
{
	return (sqlite3_column_int64(s, i));
}

/* report_db_arg - the -d argument to repeat in suggested commands. */
static void
report_db_arg(FILE *fp, const char *db)
{
	const char	*p;

	if (db == NULL || strcmp(db, "relaytrace.db") == 0 ||
	    strcmp(db, "./relaytrace.db") == 0)
		return;
	fputs(" -d '", fp);
	for (p = db; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", fp);
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fputc('?', fp);
		else
			fputc(*p, fp);
	}
	fputc('\'', fp);
}

/* --- text ----------------------------------------------------------- */

static void
text_sources(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;

	fputs("Sources\n", fp);
	s = store_prepare(st, store_has_column(st, "sources", "continues") ?
	    "SELECT s.path, s.format, s.lines, s.unparsed,"
	    " substr(s.sha256, 1, 16), s.first_time, s.last_time, s.error,"
	    " s.other, c.path, s.from_line FROM sources s"
	    " LEFT JOIN sources c ON c.id = s.continues ORDER BY s.id" :
	    "SELECT path, format, lines, unparsed, substr(sha256, 1, 16),"
	    " first_time, last_time, error, other, NULL, NULL FROM sources"
	    " ORDER BY id");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("  ", fp);
		out_text(fp, col(s, 0));
		fprintf(fp, "\n    %s, %" PRId64 " lines (%" PRId64
		    " not understood, %" PRId64 " from other programs),"
		    " sha256 %s...\n", col(s, 1), coli(s, 2), coli(s, 3),
		    coli(s, 8), col(s, 4));
		if (col(s, 9) != NULL) {
			fprintf(fp, "    read from line %" PRId64 " on: the"
			    " lines before are those of ", coli(s, 10));
			out_text(fp, col(s, 9));
			fputc('\n', fp);
		}
		if (col(s, 5) != NULL)
			fprintf(fp, "    %s .. %s\n", col(s, 5), col(s, 6));
		if (col(s, 7) != NULL) {
			fputs("    READ ERROR: ", fp);
			out_text(fp, col(s, 7));
			fputc('\n', fp);
		}
	}
	sqlite3_finalize(s);
	fputc('\n', fp);
}

static void
text_locality(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	fputs("Local domains (how we know)\n", fp);
	s = store_prepare(st, "SELECT domain, class, origin, detail"
	    " FROM local_domains ORDER BY class = 'foreign', class, domain");
	while (sqlite3_step(s) == SQLITE_ROW) {
		bool	inferred = strcmp(col(s, 2), "inferred") == 0;

		fputs("  ", fp);
		out_text(fp, col(s, 0));
		fprintf(fp, "  %s, %s", strcmp(col(s, 1), "relay") == 0 ?
		    "authorized relay destination" : col(s, 1), col(s, 2));
		if (col(s, 3) != NULL) {
			fputs(": ", fp);
			out_text(fp, col(s, 3));
		}
		if (inferred)
			fputs("  [inferred: please confirm]", fp);
		fputc('\n', fp);
		if (strcmp(col(s, 1), "foreign") != 0)
			n++;
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("  NONE: no local domain is known, so every recipient "
		    "counts as foreign.\n  Give --local-domain or "
		    "--mta-config.\n", fp);
	fputs("Local networks (trusted clients)\n", fp);
	s = store_prepare(st, "SELECT cidr, origin, detail FROM local_nets"
	    " ORDER BY cidr");
	n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("  ", fp);
		out_text(fp, col(s, 0));
		fprintf(fp, "  %s", col(s, 1));
		if (col(s, 2) != NULL) {
			fputs(": ", fp);
			out_text(fp, col(s, 2));
		}
		fputc('\n', fp);
		n++;
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("  none\n", fp);
	fputc('\n', fp);
}

static void
text_totals(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;

	s = store_prepare(st, "SELECT (SELECT count(*) FROM sessions),"
	    " (SELECT count(*) FROM messages WHERE accepted),"
	    " (SELECT count(*) FROM messages WHERE NOT accepted),"
	    " (SELECT count(*) FROM recipients)");
	if (sqlite3_step(s) == SQLITE_ROW)
		fprintf(fp, "Totals: %" PRId64 " sessions, %" PRId64
		    " messages accepted, %" PRId64 " refused transactions, %"
		    PRId64 " recipients\n", coli(s, 0), coli(s, 1),
		    coli(s, 2), coli(s, 3));
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT sum(evidence_kind = 'log'),"
	    " sum(evidence_kind = 'wire'), sum(evidence_kind = 'both'),"
	    " (SELECT count(*) FROM sessions WHERE unreadable),"
	    " (SELECT count(*) FROM sessions WHERE incomplete)"
	    " FROM messages");
	if (sqlite3_step(s) == SQLITE_ROW && (coli(s, 1) > 0 ||
	    coli(s, 2) > 0)) {
		fprintf(fp, "Evidence per message: log only %" PRId64
		    ", capture only %" PRId64 ", both %" PRId64 "\n",
		    coli(s, 0), coli(s, 1), coli(s, 2));
		if (coli(s, 3) > 0)
			fprintf(fp, "Sessions unreadable on the wire (STARTTLS):"
			    " %" PRId64 "\n", coli(s, 3));
		if (coli(s, 4) > 0)
			fprintf(fp, "Sessions with bytes missing from the "
			    "capture: %" PRId64 "\n", coli(s, 4));
	}
	sqlite3_finalize(s);
	fputs("Recipients by direction:", fp);
	s = store_prepare(st, "SELECT coalesce(direction, '?'), count(*)"
	    " FROM recipients GROUP BY 1 ORDER BY 1");
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(fp, " %s %" PRId64, col(s, 0), coli(s, 1));
	sqlite3_finalize(s);
	fputs("\n\nFindings              messages  recipients  delivered\n",
	    fp);
	s = store_prepare(st, "SELECT kind, count(*), sum(recipients),"
	    " sum(delivered) FROM findings GROUP BY kind ORDER BY kind");
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(fp, "  %-18s %9" PRId64 "  %10" PRId64 "  %9" PRId64
		    "\n", col(s, 0), coli(s, 1), coli(s, 2), coli(s, 3));
	sqlite3_finalize(s);
	fputc('\n', fp);
}

/*
 * text_hops - messages one of our MTAs handed to another (hop.c): how
 * many between which hosts, and the hand-offs to one of ours whose copy
 * is not in the store (that host's logs are missing).
 */
static void
text_hops(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0, u = 0;

	if (!st->has_hops)
		return;
	s = store_prepare(st, "SELECT coalesce(u.server, '?'),"
	    " coalesce(m.server, '?'), count(DISTINCT m.id), count(r.id)"
	    " FROM messages m JOIN messages u ON u.id = m.upstream_id"
	    " LEFT JOIN recipients r ON r.message_id = m.id"
	    " AND r.upstream_id IS NOT NULL"
	    " GROUP BY u.server, m.server ORDER BY 1, 2");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0)
			fputs("Hops between our MTAs (a message is judged "
			    "once, where it came in)\n", fp);
		fputs("  ", fp);
		out_text_max(fp, col(s, 0), 64);
		fputs(" -> ", fp);
		out_text_max(fp, col(s, 1), 64);
		fprintf(fp, ": %" PRId64 " messages, %" PRId64
		    " recipients\n", coli(s, 2), coli(s, 3));
	}
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT relay, count(DISTINCT message_id),"
	    " count(*) FROM recipients WHERE handoff = 'unseen'"
	    " GROUP BY relay ORDER BY 3 DESC, 1 LIMIT 10");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (u++ == 0)
			fputs("Handed to one of our MTAs whose copy is not in "
			    "these logs (add that host's logs)\n", fp);
		fputs("  ", fp);
		out_text_max(fp, col(s, 0), 100);
		fprintf(fp, ": %" PRId64 " messages, %" PRId64
		    " recipients\n", coli(s, 1), coli(s, 2));
	}
	sqlite3_finalize(s);
	if (n + u > 0)
		fputc('\n', fp);
}

/* text_client_detail - HELO names and accounts of one client. */
static void
text_client_detail(struct store *st, FILE *fp, const char *ip)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	s = store_prepare(st, "SELECT helo, count(*) FROM (SELECT helo FROM"
	    " sessions WHERE client_ip = ?1 AND helo IS NOT NULL UNION ALL"
	    " SELECT helo FROM messages WHERE client_ip = ?1 AND session_id"
	    " IS NULL AND helo IS NOT NULL) GROUP BY helo"
	    " ORDER BY 2 DESC, 1 LIMIT 8");
	store_bind_text(s, 1, ip);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ == 0 ? "      HELO: " : ", ", fp);
		out_text_max(fp, col(s, 0), 80);
	}
	if (n > 0)
		fputc('\n', fp);
	sqlite3_finalize(s);
	n = 0;
	s = store_prepare(st, "SELECT DISTINCT auth_user FROM messages"
	    " WHERE client_ip = ?1 AND auth_user IS NOT NULL ORDER BY 1"
	    " LIMIT 8");
	store_bind_text(s, 1, ip);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ == 0 ? "      accounts: " : ", ", fp);
		out_text_max(fp, col(s, 0), 80);
	}
	if (n > 0)
		fputc('\n', fp);
	sqlite3_finalize(s);
}

static void
text_clients(struct store *st, FILE *fp, const char *db)
{
	sqlite3_stmt	*s;
	char		*top = NULL;
	int		 n = 0;

	fputs("Clients that relayed through the server (accepted)\n", fp);
	s = store_prepare(st, "SELECT f.client_ip, count(*),"
	    " sum(f.recipients), sum(f.delivered), sum(f.deferred),"
	    " sum(f.bounced), min(f.time), max(f.time),"
	    " group_concat(DISTINCT f.kind),"
	    " (SELECT count(*) FROM sessions WHERE client_ip = f.client_ip)"
	    " FROM findings f WHERE f.client_ip IS NOT NULL AND (f.kind IN "
	    ABUSE_KINDS " OR (f.kind = 'auth-relay' AND f.severity = 'high'))"
	    " AND f.kind != 'backscatter'"
	    " GROUP BY f.client_ip ORDER BY 3 DESC, 2 DESC, 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0) {
			top = strdup(col(s, 0));
			fputs("  client IP        sessions  messages  foreign"
			    " rcpts  delivered  deferred  bounced\n", fp);
		}
		fputs("  ", fp);
		out_text_max(fp, col(s, 0), 45);
		fprintf(fp, "%*s%8" PRId64 "  %8" PRId64 "  %13" PRId64 "  %9"
		    PRId64 "  %8" PRId64 "  %7" PRId64 "\n",
		    (int)(col(s, 0) != NULL && strlen(col(s, 0)) < 15 ?
		    15 - strlen(col(s, 0)) : 0), "", coli(s, 9), coli(s, 1),
		    coli(s, 2), coli(s, 3), coli(s, 4), coli(s, 5));
		fprintf(fp, "      %s: first %s, last %s\n", col(s, 8),
		    col(s, 6), col(s, 7));
		if (n <= CLIENT_DETAIL_MAX)
			text_client_detail(st, fp, col(s, 0));
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("  none\n", fp);
	else if (n > CLIENT_DETAIL_MAX)
		fprintf(fp, "  (HELO names and accounts for the first %d; "
		    "relaytrace sessions --client IP for any)\n",
		    CLIENT_DETAIL_MAX);
	fputc('\n', fp);

	fputs("Clients refused when they tried to relay\n", fp);
	n = 0;
	s = store_prepare(st, "SELECT client_ip, count(*), sum(recipients),"
	    " min(time), max(time) FROM findings WHERE kind = 'relay-attempt'"
	    " GROUP BY client_ip ORDER BY 3 DESC, 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("  ", fp);
		out_text_max(fp, col(s, 0), 45);
		fprintf(fp, ": %" PRId64 " attempts, %" PRId64
		    " recipients refused, %s .. %s\n", coli(s, 1), coli(s, 2),
		    col(s, 3), col(s, 4));
		n++;
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("  none\n", fp);
	fputc('\n', fp);

	if (top != NULL) {
		int64_t	sid = 0;

		s = store_prepare(st, "SELECT session_id FROM findings WHERE"
		    " client_ip = ?1 AND session_id IS NOT NULL AND kind IN "
		    ABUSE_KINDS " ORDER BY epoch, id LIMIT 1");
		store_bind_text(s, 1, top);
		if (sqlite3_step(s) == SQLITE_ROW)
			sid = coli(s, 0);
		sqlite3_finalize(s);
		fputs("Evidence for the top abuser:\n  relaytrace sessions",
		    fp);
		report_db_arg(fp, db);
		fputs(" --client ", fp);
		out_text(fp, top);
		fputc('\n', fp);
		if (sid > 0) {
			fputs("  relaytrace show", fp);
			report_db_arg(fp, db);
			fprintf(fp, " %" PRId64 "\n", sid);
		}
		fputc('\n', fp);
		free(top);
	}
}

static void
text_accounts(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	fputs("Authenticated accounts sending to foreign recipients\n", fp);
	s = store_prepare(st, "SELECT f.auth_user, count(*),"
	    " sum(f.recipients), sum(f.delivered),"
	    " count(DISTINCT f.client_ip), min(f.time), max(f.time), a.why"
	    " FROM findings f LEFT JOIN account_flags a"
	    " ON a.auth_user = f.auth_user WHERE f.kind = 'auth-relay'"
	    " GROUP BY f.auth_user ORDER BY a.why IS NULL, 3 DESC, 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("  ", fp);
		out_text_max(fp, col(s, 0), 64);
		fprintf(fp, ": %" PRId64 " messages, %" PRId64
		    " recipients, %" PRId64 " delivered, from %" PRId64
		    " IPs, %s .. %s\n", coli(s, 1), coli(s, 2), coli(s, 3),
		    coli(s, 4), col(s, 5), col(s, 6));
		if (col(s, 7) != NULL) {
			fputs("      FLAGGED (stolen credentials?): ", fp);
			out_text(fp, col(s, 7));
			fputc('\n', fp);
		}
		n++;
	}
	sqlite3_finalize(s);
	if (n == 0)
		fputs("  none\n", fp);
	/* A scan: through sessions_client it read every session at random. */
	s = store_prepare(st, "SELECT client_ip, sum(auth_failures)"
	    " FROM sessions NOT INDEXED WHERE auth_failures > 0"
	    " GROUP BY client_ip ORDER BY 2 DESC, 1 LIMIT 10");
	n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ == 0 ? "  failed logins: " : ", ", fp);
		out_text_max(fp, col(s, 0), 45);
		fprintf(fp, " %" PRId64, coli(s, 1));
	}
	if (n > 0)
		fputc('\n', fp);
	sqlite3_finalize(s);
	fputc('\n', fp);
}

/* text_kind_list - the findings of one kind, briefly. */
static void
text_kind_list(struct store *st, FILE *fp, const char *title,
    const char *kind)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	s = store_prepare(st, "SELECT time, summary, count(*) OVER ()"
	    " FROM findings WHERE kind = ?1 ORDER BY epoch, id LIMIT 10");
	store_bind_text(s, 1, kind);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ == 0)
			fprintf(fp, "%s (%" PRId64 ")\n", title, coli(s, 2));
		fprintf(fp, "  %s  ", col(s, 0));
		out_text_max(fp, col(s, 1), 300);
		fputc('\n', fp);
	}
	sqlite3_finalize(s);
	if (n > 0)
		fputc('\n', fp);
}

static void
text_timeline(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	const char	*prev = NULL;
	char		*last = NULL;

	fputs("Timeline (UTC, messages per hour)\n", fp);
	s = store_prepare(st, "SELECT hour, kind, messages FROM"
	    " timeline_hourly ORDER BY hour, kind");
	while (sqlite3_step(s) == SQLITE_ROW) {
		prev = col(s, 0);
		if (last == NULL || strcmp(last, prev) != 0) {
			if (last != NULL)
				fputc('\n', fp);
			fprintf(fp, "  %s", prev);
			free(last);
			last = strdup(prev);
		}
		fprintf(fp, "  %s %" PRId64, col(s, 1), coli(s, 2));
	}
	sqlite3_finalize(s);
	if (last == NULL)
		fputs("  no findings", fp);
	free(last);
	fputs("\n\n", fp);
}

/*
 * The open relaying a server accepted (every server when ?1 is 0) and the
 * relay attempts refused after the last of it: last time and epoch,
 * refusals, clients refused, last refusal, end of the logs.  A message of
 * no known server (a capture alone) counts for every server.
 */
#define STATUS_SERVER \
	" JOIN messages m ON m.id = f.message_id" \
	" WHERE (?1 = 0 OR m.server IS ?2 OR m.server IS NULL) AND "
static const char status_sql[] =
	"SELECT o.t, o.e,"
	" (SELECT count(*) FROM findings f" STATUS_SERVER
	"  f.kind = 'relay-attempt' AND f.epoch > o.e),"
	" (SELECT count(DISTINCT f.client_ip) FROM findings f" STATUS_SERVER
	"  f.kind = 'relay-attempt' AND f.epoch > o.e),"
	" (SELECT max(f.time) FROM findings f" STATUS_SERVER
	"  f.kind = 'relay-attempt' AND f.epoch > o.e),"
	" (SELECT max(last_time) FROM sources)"
	" FROM (SELECT max(f.time) AS t, max(f.epoch) AS e FROM findings f"
	STATUS_SERVER " f.kind = 'open-relay') o";

/*
 * status_servers - the servers whose open relaying is judged apart, for
 * a store with the logs of more than one MTA (hop.c): one server's
 * refusals say nothing of another's hole.  NULL for a store of one.
 */
static sqlite3_stmt *
status_servers(struct store *st)
{
	sqlite3_stmt	*s;
	bool		 many = false;

	s = store_prepare(st, "SELECT count(DISTINCT server) > 1"
	    " FROM messages WHERE server IS NOT NULL");
	if (sqlite3_step(s) == SQLITE_ROW)
		many = coli(s, 0) != 0;
	sqlite3_finalize(s);
	if (!many)
		return (NULL);
	return (store_prepare(st, "SELECT DISTINCT m.server FROM findings f"
	    " JOIN messages m ON m.id = f.message_id WHERE f.kind ="
	    " 'open-relay' AND m.server IS NOT NULL ORDER BY 1"));
}

/* text_hole - the state of the hole of one server (NULL: all). */
static void
text_hole(struct store *st, FILE *fp, const char *server)
{
	sqlite3_stmt	*s;

	s = store_prepare(st, status_sql);
	store_bind_i64(s, 1, server != NULL);
	store_bind_text(s, 2, server);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (server != NULL) {
			fputs("  On ", fp);
			out_text_max(fp, server, 64);
			fputs(":\n", fp);
		}
		if (col(s, 0) == NULL)
			fputs("  No unauthenticated relaying was accepted in "
			    "these logs.\n", fp);
		else if (coli(s, 2) > 0)
			fprintf(fp, "  Open relaying was last accepted at %s."
			    "\n  After that %" PRId64 " relay attempts from %"
			    PRId64 " clients were refused (the last at %s):"
			    "\n  the hole looks CLOSED since %s.\n",
			    col(s, 0), coli(s, 2), coli(s, 3), col(s, 4),
			    col(s, 0));
		else
			fprintf(fp, "  Open relaying was still accepted at %s "
			    "and no refusal followed\n  (logs end %s): the "
			    "hole looks OPEN.\n", col(s, 0),
			    col(s, 5) != NULL ? col(s, 5) : "?");
	}
	sqlite3_finalize(s);
}

/* text_status - is the hole closed (on each server)? */
static void
text_status(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s, *sv;
	int		 n = 0;

	fputs("Is the hole closed?\n", fp);
	if ((sv = status_servers(st)) != NULL) {
		while (sqlite3_step(sv) == SQLITE_ROW) {
			text_hole(st, fp, col(sv, 0));
			n++;
		}
		sqlite3_finalize(sv);
	}
	if (sv == NULL || n == 0)
		text_hole(st, fp, NULL);
	s = store_prepare(st, "SELECT max(time) FROM findings"
	    " WHERE kind = 'trusted-relay'");
	if (sqlite3_step(s) == SQLITE_ROW && col(s, 0) != NULL)
		fprintf(fp, "  A trusted network relayed foreign mail until "
		    "%s: check the host behind it\n  (a compromised machine,"
		    " a web form, or NAT making outsiders look internal).\n",
		    col(s, 0));
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT a.auth_user, max(f.time) FROM"
	    " account_flags a JOIN findings f ON f.auth_user = a.auth_user"
	    " AND f.kind = 'auth-relay' GROUP BY a.auth_user ORDER BY 1");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs("  Flagged account ", fp);
		out_text_max(fp, col(s, 0), 64);
		fprintf(fp, " last relayed at %s: change its password.\n",
		    col(s, 1));
	}
	sqlite3_finalize(s);
	fputc('\n', fp);
}

static void
report_text(struct store *st, FILE *fp, const char *db)
{
	sqlite3_stmt	*s;

	fputs("relaytrace report\n=================\n\n", fp);
	text_sources(st, fp);
	text_locality(st, fp);
	text_totals(st, fp);
	text_hops(st, fp);
	text_clients(st, fp, db);
	text_accounts(st, fp);
	text_kind_list(st, fp, "Address tricks", "address-trick");
	text_kind_list(st, fp, "Backscatter (bounces to forged senders)",
	    "backscatter");
	text_kind_list(st, fp, "Blocklisting of our deliveries",
	    "blacklisted");
	text_timeline(st, fp);
	text_status(st, fp);
	s = store_prepare(st, "SELECT coalesce(sum(unparsed), 0),"
	    " coalesce(sum(long_lines), 0),"
	    " (SELECT count(*) FROM recipients WHERE authority = 'unknown'"
	    "  AND direction IN ('relay', 'outbound'))"
	    " FROM sources");
	if (sqlite3_step(s) == SQLITE_ROW) {
		fprintf(fp, "Lines not understood: %" PRId64, coli(s, 0));
		if (coli(s, 1) > 0)
			fprintf(fp, " (%" PRId64 " over-long lines cut)",
			    coli(s, 1));
		fputs("  (relaytrace sql 'SELECT * FROM anomalies')\n", fp);
		if (coli(s, 2) > 0)
			fprintf(fp, "Foreign recipients of messages whose "
			    "client is not in these logs: %" PRId64 "\n",
			    coli(s, 2));
	}
	sqlite3_finalize(s);
}

/* --- JSON ----------------------------------------------------------- */

/* json_kv - "key": string value, with a leading comma unless first. */
static void
json_kv(FILE *fp, const char *key, const char *val, bool first)
{
	fprintf(fp, "%s\"%s\": ", first ? "" : ", ", key);
	out_json_str(fp, val);
}

static void
json_ki(FILE *fp, const char *key, int64_t v, bool first)
{
	fprintf(fp, "%s\"%s\": %" PRId64, first ? "" : ", ", key, v);
}

/* json_str_array - the first column of a query as an array of strings. */
static void
json_str_array(FILE *fp, sqlite3_stmt *s)
{
	int	n = 0;

	fputc('[', fp);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n++ > 0)
			fputs(", ", fp);
		out_json_str(fp, col(s, 0));
	}
	fputc(']', fp);
	sqlite3_finalize(s);
}

/* json_findings - {"kind": {messages, recipients, ...}} for a filter. */
static void
json_findings(struct store *st, FILE *fp, const char *column,
    const char *value)
{
	sqlite3_stmt	*s;
	char		 sql[512];
	int		 n = 0;

	/* column is one of two fixed names, never input. */
	snprintf(sql, sizeof(sql), "SELECT kind, count(*), sum(recipients),"
	    " sum(delivered), sum(deferred), sum(bounced), min(time),"
	    " max(time), max(severity = 'high') FROM findings"
	    " WHERE %s = ?1 GROUP BY kind ORDER BY kind", column);
	s = store_prepare(st, sql);
	store_bind_text(s, 1, value);
	fputc('{', fp);
	while (sqlite3_step(s) == SQLITE_ROW) {
		bool	refused = strcmp(col(s, 0), "relay-attempt") == 0;

		fprintf(fp, "%s", n++ > 0 ? ", " : "");
		out_json_str(fp, col(s, 0));
		fputs(": {", fp);
		json_ki(fp, "messages", coli(s, 1), true);
		json_ki(fp, "recipients", coli(s, 2), false);
		if (!refused) {
			json_ki(fp, "delivered", coli(s, 3), false);
			json_ki(fp, "deferred", coli(s, 4), false);
			json_ki(fp, "bounced", coli(s, 5), false);
		}
		json_kv(fp, "first", col(s, 6), false);
		json_kv(fp, "last", col(s, 7), false);
		fprintf(fp, ", \"high\": %s}", coli(s, 8) ? "true" : "false");
	}
	fputc('}', fp);
	sqlite3_finalize(s);
}

static void
json_sources(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	fputs("  \"sources\": [", fp);
	s = store_prepare(st, store_has_column(st, "sources", "continues") ?
	    "SELECT s.path, s.sha256, s.bytes, s.kind, s.format, s.host,"
	    " s.first_time, s.last_time, s.lines, s.parsed, s.other,"
	    " s.unparsed, s.long_lines, s.error, c.path, s.from_line"
	    " FROM sources s LEFT JOIN sources c ON c.id = s.continues"
	    " ORDER BY s.id" :
	    "SELECT path, sha256, bytes, kind, format, host, first_time,"
	    " last_time, lines, parsed, other, unparsed, long_lines, error,"
	    " NULL, NULL FROM sources ORDER BY id");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "path", col(s, 0), true);
		json_kv(fp, "sha256", col(s, 1), false);
		json_ki(fp, "bytes", coli(s, 2), false);
		json_kv(fp, "kind", col(s, 3), false);
		json_kv(fp, "format", col(s, 4), false);
		json_kv(fp, "host", col(s, 5), false);
		json_kv(fp, "first_time", col(s, 6), false);
		json_kv(fp, "last_time", col(s, 7), false);
		json_ki(fp, "lines", coli(s, 8), false);
		json_ki(fp, "parsed", coli(s, 9), false);
		json_ki(fp, "other", coli(s, 10), false);
		json_ki(fp, "unparsed", coli(s, 11), false);
		json_ki(fp, "long_lines", coli(s, 12), false);
		json_kv(fp, "error", col(s, 13), false);
		if (col(s, 14) != NULL) {
			json_kv(fp, "continues", col(s, 14), false);
			json_ki(fp, "from_line", coli(s, 15), false);
		}
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n", fp);
}

static void
json_locality(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	fputs("  \"local_domains\": [", fp);
	s = store_prepare(st, "SELECT domain, class, origin, detail"
	    " FROM local_domains ORDER BY domain");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "value", col(s, 0), true);
		json_kv(fp, "class", col(s, 1), false);
		json_kv(fp, "origin", col(s, 2), false);
		json_kv(fp, "detail", col(s, 3), false);
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n  \"local_nets\": [", fp);
	n = 0;
	s = store_prepare(st, "SELECT cidr, origin, detail FROM local_nets"
	    " ORDER BY cidr");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "value", col(s, 0), true);
		json_kv(fp, "origin", col(s, 1), false);
		json_kv(fp, "detail", col(s, 2), false);
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n", fp);
}

/*
 * json_hops - ", "hops": {messages, recipients, unseen_recipients}":
 * handed on between our MTAs (hop.c), and to one of ours not stored.
 */
static void
json_hops(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;

	fputs(", \"hops\": {", fp);
	if (st->has_hops) {
		s = store_prepare(st, "SELECT"
		    " (SELECT count(*) FROM messages"
		    "  WHERE upstream_id IS NOT NULL),"
		    " (SELECT count(*) FROM recipients"
		    "  WHERE upstream_id IS NOT NULL),"
		    " (SELECT count(*) FROM recipients"
		    "  WHERE handoff = 'unseen')");
		if (sqlite3_step(s) == SQLITE_ROW) {
			json_ki(fp, "messages", coli(s, 0), true);
			json_ki(fp, "recipients", coli(s, 1), false);
			json_ki(fp, "unseen_recipients", coli(s, 2), false);
		}
		sqlite3_finalize(s);
	} else {
		json_ki(fp, "messages", 0, true);
		json_ki(fp, "recipients", 0, false);
		json_ki(fp, "unseen_recipients", 0, false);
	}
	fputc('}', fp);
}

static void
json_totals(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	const char	*const *k;
	int		 n = 0;

	s = store_prepare(st, "SELECT (SELECT count(*) FROM sessions),"
	    " (SELECT count(*) FROM messages WHERE accepted),"
	    " (SELECT count(*) FROM messages WHERE NOT accepted),"
	    " (SELECT count(*) FROM recipients),"
	    " (SELECT coalesce(sum(unparsed), 0) FROM sources),"
	    " (SELECT count(*) FROM messages WHERE evidence_kind = 'log'),"
	    " (SELECT count(*) FROM messages WHERE evidence_kind = 'wire'),"
	    " (SELECT count(*) FROM messages WHERE evidence_kind = 'both'),"
	    " (SELECT count(*) FROM sessions WHERE unreadable)");
	fputs("  \"totals\": {", fp);
	if (sqlite3_step(s) == SQLITE_ROW) {
		json_ki(fp, "sessions", coli(s, 0), true);
		fputs(", \"evidence\": {", fp);
		json_ki(fp, "log", coli(s, 5), true);
		json_ki(fp, "wire", coli(s, 6), false);
		json_ki(fp, "both", coli(s, 7), false);
		fputc('}', fp);
		json_ki(fp, "sessions_unreadable", coli(s, 8), false);
		json_ki(fp, "messages_accepted", coli(s, 1), false);
		json_ki(fp, "transactions_refused", coli(s, 2), false);
		json_ki(fp, "recipients", coli(s, 3), false);
		json_ki(fp, "unparsed_lines", coli(s, 4), false);
	}
	sqlite3_finalize(s);
	json_hops(st, fp);
	fputs(", \"findings\": {", fp);
	for (k = report_kinds; *k != NULL; k++) {
		s = store_prepare(st, "SELECT count(*),"
		    " coalesce(sum(recipients), 0),"
		    " coalesce(sum(delivered), 0) FROM findings"
		    " WHERE kind = ?1");
		store_bind_text(s, 1, *k);
		if (sqlite3_step(s) == SQLITE_ROW) {
			fprintf(fp, "%s\"%s\": {", n++ > 0 ? ", " : "", *k);
			json_ki(fp, "messages", coli(s, 0), true);
			json_ki(fp, "recipients", coli(s, 1), false);
			json_ki(fp, "delivered", coli(s, 2), false);
			fputc('}', fp);
		}
		sqlite3_finalize(s);
	}
	fputs("}},\n", fp);
}

static void
json_clients(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s, *q;
	int		 n = 0;

	fputs("  \"clients\": [", fp);
	s = store_prepare(st, "SELECT ip, sum(sessions), min(first),"
	    " max(last), sum(auth_failures) FROM ("
	    " SELECT client_ip AS ip, 1 AS sessions, start_time AS first,"
	    "  coalesce(end_time, start_time) AS last, auth_failures"
	    "  FROM sessions WHERE client_ip IS NOT NULL"
	    " UNION ALL SELECT client_ip, 0, first_time, last_time, 0"
	    "  FROM messages WHERE client_ip IS NOT NULL"
	    "  AND session_id IS NULL)"
	    " GROUP BY ip ORDER BY ip");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char	*ip = col(s, 0);

		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "ip", ip, true);
		json_ki(fp, "sessions", coli(s, 1), false);
		json_kv(fp, "first_seen", col(s, 2), false);
		json_kv(fp, "last_seen", col(s, 3), false);
		json_ki(fp, "auth_failures", coli(s, 4), false);
		fputs(", \"helos\": ", fp);
		q = store_prepare(st, "SELECT DISTINCT helo FROM (SELECT helo"
		    " FROM sessions WHERE client_ip = ?1 UNION ALL SELECT helo"
		    " FROM messages WHERE client_ip = ?1) WHERE helo IS NOT"
		    " NULL ORDER BY 1");
		store_bind_text(q, 1, ip);
		json_str_array(fp, q);
		fputs(", \"auth_users\": ", fp);
		q = store_prepare(st, "SELECT DISTINCT auth_user FROM messages"
		    " WHERE client_ip = ?1 AND auth_user IS NOT NULL"
		    " ORDER BY 1");
		store_bind_text(q, 1, ip);
		json_str_array(fp, q);
		fputs(", \"findings\": ", fp);
		json_findings(st, fp, "client_ip", ip);
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n", fp);
}

static void
json_accounts(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s, *q;
	int		 n = 0;

	fputs("  \"accounts\": [", fp);
	s = store_prepare(st, "SELECT m.auth_user, count(DISTINCT"
	    " m.session_id), count(DISTINCT m.client_ip), a.why,"
	    " min(m.first_time), max(m.last_time) FROM messages m"
	    " LEFT JOIN account_flags a ON a.auth_user = m.auth_user"
	    " WHERE m.auth_user IS NOT NULL GROUP BY m.auth_user"
	    " ORDER BY m.auth_user");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char	*user = col(s, 0);

		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "user", user, true);
		json_ki(fp, "sessions", coli(s, 1), false);
		json_ki(fp, "client_ip_count", coli(s, 2), false);
		json_kv(fp, "first_seen", col(s, 4), false);
		json_kv(fp, "last_seen", col(s, 5), false);
		fprintf(fp, ", \"flagged\": %s", col(s, 3) != NULL ? "true" :
		    "false");
		json_kv(fp, "flag_reason", col(s, 3), false);
		fputs(", \"client_ips\": ", fp);
		q = store_prepare(st, "SELECT DISTINCT client_ip FROM messages"
		    " WHERE auth_user = ?1 AND client_ip IS NOT NULL"
		    " ORDER BY 1");
		store_bind_text(q, 1, user);
		json_str_array(fp, q);
		fputs(", \"findings\": ", fp);
		json_findings(st, fp, "auth_user", user);
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n", fp);
}

static void
json_timeline(struct store *st, FILE *fp)
{
	sqlite3_stmt	*s;
	int		 n = 0;

	fputs("  \"timeline\": [", fp);
	s = store_prepare(st, "SELECT hour, kind, messages, recipients"
	    " FROM timeline_hourly ORDER BY hour, kind");
	while (sqlite3_step(s) == SQLITE_ROW) {
		fputs(n++ > 0 ? ",\n    {" : "\n    {", fp);
		json_kv(fp, "hour", col(s, 0), true);
		json_kv(fp, "kind", col(s, 1), false);
		json_ki(fp, "messages", coli(s, 2), false);
		json_ki(fp, "recipients", coli(s, 3), false);
		fputc('}', fp);
	}
	sqlite3_finalize(s);
	fputs("\n  ],\n", fp);
}

/* One server's hole (or the store's), for the JSON report. */
struct hole {
	const char	*state;		/* not-seen, closed, open */
	char		 last[32];	/* last accepted, "" if none */
	int64_t		 refused;	/* relay attempts refused after */
	char		 end[32];	/* end of the logs */
};

/* hole_get - the state of one server's hole (NULL: all servers). */
static void
hole_get(struct store *st, const char *server, struct hole *h)
{
	sqlite3_stmt	*s;

	memset(h, 0, sizeof(*h));
	h->state = "not-seen";
	s = store_prepare(st, status_sql);
	store_bind_i64(s, 1, server != NULL);
	store_bind_text(s, 2, server);
	if (sqlite3_step(s) == SQLITE_ROW) {
		if (col(s, 0) != NULL) {
			h->state = coli(s, 2) > 0 ? "closed" : "open";
			strlcpy(h->last, col(s, 0), sizeof(h->last));
		}
		h->refused = coli(s, 2);
		if (col(s, 5) != NULL)
			strlcpy(h->end, col(s, 5), sizeof(h->end));
	}
	sqlite3_finalize(s);
}

/* json_hole - {state, last_accepted, refused_after, logs_end} inside. */
static void
json_hole(FILE *fp, const struct hole *h, bool first)
{
	json_kv(fp, "state", h->state, first);
	json_kv(fp, "last_accepted", *h->last != '\0' ? h->last : NULL, false);
	json_ki(fp, "refused_after", h->refused, false);
	json_kv(fp, "logs_end", *h->end != '\0' ? h->end : NULL, false);
}

/*
 * json_status - "open_relay".  In a store with the logs of more than one
 * MTA each server that accepted open relaying is judged apart (one
 * server's refusals say nothing of another's hole) and listed in
 * "servers"; the store's state is then open when one of them is open,
 * last_accepted the latest and refused_after the sum.
 */
static void
json_status(struct store *st, FILE *fp)
{
	sqlite3_stmt	*sv;
	struct hole	 all, h;
	int		 n = 0;

	hole_get(st, NULL, &all);
	if ((sv = status_servers(st)) != NULL) {
		all.state = "not-seen";
		all.last[0] = '\0';
		all.refused = 0;
		while (sqlite3_step(sv) == SQLITE_ROW) {
			hole_get(st, col(sv, 0), &h);
			if (strcmp(h.state, "open") == 0 ||
			    strcmp(all.state, "not-seen") == 0)
				all.state = h.state;
			if (strcmp(h.last, all.last) > 0)
				strlcpy(all.last, h.last, sizeof(all.last));
			all.refused += h.refused;
		}
		sqlite3_reset(sv);
	}
	fputs("  \"open_relay\": {", fp);
	json_hole(fp, &all, true);
	fputs(", \"servers\": [", fp);
	while (sv != NULL && sqlite3_step(sv) == SQLITE_ROW) {
		hole_get(st, col(sv, 0), &h);
		fputs(n++ > 0 ? ", {" : "{", fp);
		json_kv(fp, "server", col(sv, 0), true);
		json_hole(fp, &h, false);
		fputc('}', fp);
	}
	sqlite3_finalize(sv);
	fputs("]}\n", fp);
}

static void
report_json(struct store *st, FILE *fp)
{
	fputs("{\n  \"relaytrace_report\": 1,\n", fp);
	json_sources(st, fp);
	json_locality(st, fp);
	json_totals(st, fp);
	json_clients(st, fp);
	json_accounts(st, fp);
	json_timeline(st, fp);
	json_status(st, fp);
	fputs("}\n", fp);
}

/*
 * report_write - write the report in format fmt ("text" or "json") to fp.
 * db is the database path as the user gave it, repeated in the commands
 * the text report suggests.  Returns -1 for an unknown format.
 */
int
report_write(struct store *st, FILE *fp, const char *fmt, const char *db)
{
	if (strcmp(fmt, "text") == 0)
		report_text(st, fp, db);
	else if (strcmp(fmt, "json") == 0)
		report_json(st, fp);
	else
		return (-1);
	return (0);
}
