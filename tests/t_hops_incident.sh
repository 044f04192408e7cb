#!/bin/sh
# End-to-end on the two-host sample (samples/hops/): the edge host, an
# open relay, hands everything to the inner host, which trusts it.  With
# both logs in the store a message is judged once, where it came in, and
# the edge is not a client that relayed; with one log alone each host is
# judged as before.  The counts are worked out by hand from the plan
# (samples/hops/plan.tsv), and are the same whichever log is read first,
# in one run or two, and from the central log host's merged copy.
. "${top_srcdir:-.}/tests/tap.sh"
H="$top_srcdir/samples/hops"
RT=$RELAYTRACE
cfg="$H/inner/main.cf"
E="$H/edge/mail.log"
I="$H/inner/mail.log"

# f DB IP KIND: "messages/recipients/delivered/deferred/bounced".
f() {
	"$RT" sql -d "$1" "SELECT count(*) || '/' ||
	    coalesce(sum(recipients), 0) || '/' || coalesce(sum(delivered), 0)
	    || '/' || coalesce(sum(deferred), 0) || '/' ||
	    coalesce(sum(bounced), 0) FROM findings WHERE client_ip = '$2'
	    AND kind = '$3'" | sed -n 2p
}
Q() { "$RT" sql -d "$1" "$2" | sed -n 2p; }
# findings DB: every finding, without row ids.
findings() {
	"$RT" sql -d "$1" "SELECT kind, severity, client_ip, auth_user, time,
	    recipients, delivered, deferred, bounced, summary FROM findings
	    ORDER BY epoch, kind, client_ip, summary"
}
# verdicts DB: every recipient's judgement and hop, by host and queue id.
verdicts() {
	"$RT" sql -d "$1" "SELECT m.server, m.queue_id, r.rcpt_raw,
	    r.outcome, r.direction, r.authority, r.verdict, r.handoff,
	    um.server, um.queue_id, u.rcpt_raw, mu.server, mu.queue_id
	    FROM recipients r JOIN messages m ON m.id = r.message_id
	    LEFT JOIN recipients u ON u.id = r.upstream_id
	    LEFT JOIN messages um ON um.id = u.message_id
	    LEFT JOIN messages mu ON mu.id = m.upstream_id
	    ORDER BY 1, 2, 3"
}

"$RT" ingest -q -d "$tmp/ei.db" --mta-config "$cfg" "$E" "$I"
is $? 0 "edge then inner, one run"
"$RT" ingest -q -d "$tmp/ie.db" --mta-config "$cfg" "$I" "$E"
is $? 0 "inner then edge, one run"
"$RT" ingest -q -d "$tmp/e-i.db" --mta-config "$cfg" "$E"
"$RT" ingest -q -d "$tmp/e-i.db" --mta-config "$cfg" "$I"
is $? 0 "edge, then inner in a later run"
"$RT" ingest -q -d "$tmp/i-e.db" --mta-config "$cfg" "$I"
"$RT" ingest -q -d "$tmp/i-e.db" --mta-config "$cfg" "$E"
is $? 0 "inner, then edge in a later run"
"$RT" ingest -q -d "$tmp/m.db" --mta-config "$cfg" "$H/merged.log"
is $? 0 "the central log host's merged copy"
is "$(Q "$tmp/m.db" "SELECT group_concat(DISTINCT server) FROM (SELECT
    server FROM messages ORDER BY server)")" "edge,inner" \
    "merged copy: both hosts in one source"

# Both logs (plan rows h-01 to h-07).  127.0.0.66 relayed h-02 (3
# recipients, all delivered by inner) and h-03 (2: one delivered, one
# refused by the blocklisted sink, so bounced at inner) through the edge,
# and was refused by inner itself (h-06).  Inner's copy of h-03 was
# refused naming a blocklist, and inner's bounce of it went to the forged
# sender: both are the spammer's.  The edge's own bounce of h-04 (an
# unknown user inner refused) is 127.0.0.50's backscatter, handed to inner
# and delivered.  The web server 127.0.0.10 relayed through inner (h-05).
# 127.0.0.2 is the edge; its only finding is h-07, sent to inner from the
# edge's address by something that is not its MTA: no upstream message.
for db in ei ie e-i i-e m; do
	is "$(f "$tmp/$db.db" 127.0.0.66 open-relay)" "2/5/4/0/1" \
	    "$db: 127.0.0.66 open relay through the edge, outcome at inner"
	is "$(f "$tmp/$db.db" 127.0.0.66 relay-attempt)" "1/1/0/0/0" \
	    "$db: 127.0.0.66 refused by inner"
	is "$(f "$tmp/$db.db" 127.0.0.66 blacklisted)" "1/1/0/0/1" \
	    "$db: inner's blocklist refusal is 127.0.0.66's"
	is "$(f "$tmp/$db.db" 127.0.0.66 backscatter)" "1/1/1/0/0" \
	    "$db: inner's bounce of the spam is 127.0.0.66's"
	is "$(f "$tmp/$db.db" 127.0.0.50 backscatter)" "1/1/1/0/0" \
	    "$db: the edge's bounce is 127.0.0.50's, delivered by inner"
	is "$(f "$tmp/$db.db" 127.0.0.10 trusted-relay)" "1/2/2/0/0" \
	    "$db: the web server through inner"
	is "$(f "$tmp/$db.db" 127.0.0.2 trusted-relay)" "1/2/2/0/0" \
	    "$db: 127.0.0.2 only for h-07, which has no upstream"
	is "$(Q "$tmp/$db.db" "SELECT count(*) FROM findings WHERE client_ip
	    = '127.0.0.2' AND kind != 'trusted-relay'")" 0 \
	    "$db: nothing else is 127.0.0.2's"
	is "$(Q "$tmp/$db.db" "SELECT count(*) FROM findings WHERE client_ip
	    = '127.0.0.21'")" 0 "$db: the legitimate sender is not named"
	is "$(Q "$tmp/$db.db" "SELECT count(*) FROM findings")" 8 \
	    "$db: 8 findings in all"
	is "$(Q "$tmp/$db.db" "SELECT count(*) || '/' || count(DISTINCT
	    message_id) FROM recipients WHERE authority = 'hop'")" "8/4" \
	    "$db: 8 recipients of 4 messages came from the edge (h-01 to h-04)"
	is "$(Q "$tmp/$db.db" "SELECT count(*) FROM recipients WHERE
	    upstream_id IS NOT NULL AND verdict IS NOT NULL")" 0 \
	    "$db: no hop has a verdict"
	is "$(Q "$tmp/$db.db" "SELECT count(*) FROM messages WHERE
	    upstream_id IS NOT NULL")" 4 "$db: 4 messages name their upstream"
	is "$(Q "$tmp/$db.db" "SELECT count(*) || '/' || sum(handoff =
	    'joined') FROM recipients WHERE handoff IS NOT NULL")" "8/8" \
	    "$db: every hand-off of the edge is joined"
done
findings "$tmp/ei.db" >"$tmp/f.ei"
verdicts "$tmp/ei.db" >"$tmp/v.ei"
for db in ie e-i i-e m; do
	findings "$tmp/$db.db" | cmp -s - "$tmp/f.ei"
	is $? 0 "$db: the same findings as edge then inner"
	verdicts "$tmp/$db.db" | cmp -s - "$tmp/v.ei"
	is $? 0 "$db: the same verdicts and hops as edge then inner"
done
is "$(Q "$tmp/ei.db" "SELECT um.client_ip FROM messages m JOIN messages
    um ON um.id = m.upstream_id WHERE m.server = 'inner' AND m.message_id
    LIKE '%.h-03@%'")" 127.0.0.66 "h-03 on inner names the edge's copy"

# The inner log alone: the edge's address is a trusted client that
# relayed (h-02, h-03 and h-07): a hop whose upstream is not in the store
# is judged as any other message.
"$RT" ingest -q -d "$tmp/i.db" --mta-config "$cfg" "$I"
is "$(f "$tmp/i.db" 127.0.0.2 trusted-relay)" "3/7/6/0/1" \
    "inner alone: 127.0.0.2 relayed h-02, h-03, h-07"
is "$(f "$tmp/i.db" 127.0.0.2 blacklisted)" "1/1/0/0/1" \
    "inner alone: the blocklist refusal is 127.0.0.2's"
is "$(f "$tmp/i.db" 127.0.0.2 backscatter)" "1/1/1/0/0" \
    "inner alone: so is the bounce"
is "$(Q "$tmp/i.db" "SELECT count(*) FROM recipients WHERE authority =
    'hop' OR upstream_id IS NOT NULL OR handoff IS NOT NULL")" 0 \
    "inner alone: no hops"

# The edge log alone: its spam counts as delivered (to inner), and every
# hand-off to inner, one of ours (127.0.0.3 is in inner's mynetworks;
# inner.corp.example is in corp.example), is one whose copy is missing.
"$RT" investigate -d "$tmp/e.db" --mta-config "$cfg" "$E" \
    >"$tmp/e.txt" 2>"$tmp/e.err"
is $? 0 "edge alone"
is "$(f "$tmp/e.db" 127.0.0.66 open-relay)" "2/5/5/0/0" \
    "edge alone: 127.0.0.66 relayed h-02 and h-03"
is "$(f "$tmp/e.db" 127.0.0.50 backscatter)" "1/1/1/0/0" \
    "edge alone: 127.0.0.50's backscatter"
is "$(Q "$tmp/e.db" "SELECT count(*) FROM findings")" 3 \
    "edge alone: 3 findings"
is "$(Q "$tmp/e.db" "SELECT count(*) || '/' || count(DISTINCT message_id)
    FROM recipients WHERE handoff = 'unseen'")" "8/4" \
    "edge alone: 8 recipients of 4 messages handed to a host not stored"
contains "$tmp/e.err" "8 recipients were handed to one of our MTAs whose copy is not in the store" \
    "edge alone: said on standard error"
contains "$tmp/e.txt" "inner.corp.example[127.0.0.3]:25: 4 messages, 8 recipients" \
    "edge alone: the report names the next hop"
"$RT" ingest -q -d "$tmp/e.db" --mta-config "$cfg" "$I"
is "$(Q "$tmp/e.db" "SELECT count(*) FROM recipients WHERE handoff =
    'unseen'")" 0 "edge, then inner: none unseen any more"
findings "$tmp/e.db" | cmp -s - "$tmp/f.ei"
is $? 0 "edge, then inner: the same findings"

# Judging again changes nothing.
"$RT" sql -d "$tmp/ei.db" "SELECT * FROM recipients ORDER BY id" \
    >"$tmp/r.before"
"$RT" report -q -d "$tmp/ei.db" --mta-config "$cfg" >/dev/null
"$RT" sql -d "$tmp/ei.db" "SELECT * FROM recipients ORDER BY id" |
    cmp -s - "$tmp/r.before"
is $? 0 "classified again: the same rows"

# Without the locality: no network of ours is known but the server
# itself; inner's syslog name still names the next hop, so the hops are
# joined.
"$RT" ingest -q -d "$tmp/n.db" "$E" "$I"
is "$(Q "$tmp/n.db" "SELECT count(*) FROM recipients WHERE authority =
    'hop'")" 8 "no locality given: the same 8 hops"

# The report and show follow the message across the hosts.
"$RT" report -d "$tmp/ei.db" >"$tmp/ei.txt"
contains "$tmp/ei.txt" "edge -> inner: 4 messages, 8 recipients" \
    "report: the hops between the hosts"
contains "$tmp/ei.txt" "(came in at edge, seen on inner)" \
    "report: a finding of inner's copy says where it came in"
sed -n '/^Clients that relayed/,/^$/p' "$tmp/ei.txt" >"$tmp/ranked"
is "$(grep -c '^  127\.0\.0\.2 ' "$tmp/ranked")" 1 \
    "report: 127.0.0.2 ranked (h-07)"
contains "$tmp/ranked" "127.0.0.2             6         1              2" \
    "report: ... for one message of 2 recipients"
sed -n '/^Is the hole closed/,/^$/p' "$tmp/ei.txt" >"$tmp/hole"
contains "$tmp/hole" "On edge:" "report: the hole is judged per host"
contains "$tmp/hole" "the hole looks OPEN" \
    "report: inner's refusal does not close the edge's hole"
sid=$(Q "$tmp/ei.db" "SELECT session_id FROM messages WHERE server =
    'edge' AND message_id LIKE '%.h-03@%'")
"$RT" show -d "$tmp/ei.db" "$sid" >"$tmp/show.e"
contains "$tmp/show.e" ": bounced there" \
    "show, edge: the refused recipient's fate at inner"
contains "$tmp/show.e" "blacklisted (high): 127.0.0.66" \
    "show, edge: the spammer's session has inner's blocklist finding"
sid=$(Q "$tmp/ei.db" "SELECT session_id FROM messages WHERE server =
    'inner' AND message_id LIKE '%.h-03@%'")
"$RT" show -d "$tmp/ei.db" "$sid" >"$tmp/show.i"
contains "$tmp/show.i" "from 127.0.0.66" \
    "show, inner: where the message came in"
contains "$tmp/show.i" "; relay, hop" "show, inner: the recipients are hops"
contains "$tmp/show.i" "blacklisted (high)" \
    "show, inner: and its findings are listed"
"$RT" report -d "$tmp/ei.db" -f json >"$tmp/ei.json"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/ei.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["totals"]["hops"] == {"messages": 4, "recipients": 8,
    "unseen_recipients": 0}, d["totals"]["hops"]
o = d["open_relay"]
assert o["state"] == "open", o
assert [s["server"] for s in o["servers"]] == ["edge"], o
c = {x["ip"]: x for x in d["clients"]}
assert set(c["127.0.0.2"]["findings"]) == {"trusted-relay"}, c["127.0.0.2"]
PY
	is $? 0 "JSON: the hops, the hole per host, 127.0.0.2's findings"
else
	ok 0 "# SKIP python3 not installed"
fi

# A store made before the hop columns: read as it is, then upgraded when
# written to (the columns added, the hops found).
if command -v sqlite3 >/dev/null 2>&1; then
	"$RT" ingest -q -d "$tmp/e1.db" --mta-config "$cfg" "$E"
	sqlite3 "$tmp/old.db" <"$top_srcdir/tests/data/schema-bfd53b7.sql"
	for t in sources sessions messages recipients findings \
	    evidence_blocks evidence_lines anomalies local_domains local_nets; do
		cols=$(sqlite3 "$tmp/old.db" "SELECT group_concat(name, ', ')
		    FROM pragma_table_info('$t')")
		sqlite3 "$tmp/old.db" "ATTACH '$tmp/e1.db' AS n;
		    INSERT INTO main.$t ($cols) SELECT $cols FROM n.$t"
	done
	"$RT" sql -d "$tmp/old.db" "SELECT count(*) FROM messages" \
	    >"$tmp/old.out" 2>&1
	is "$(sed -n 2p "$tmp/old.out")" 5 "old store: read (the edge's 5 messages)"
	"$RT" report -d "$tmp/old.db" >"$tmp/old.txt" 2>&1
	is $? 0 "old store: reported read-only"
	"$RT" show -d "$tmp/old.db" 1 >/dev/null 2>&1
	is $? 0 "old store: shown read-only"
	is "$(sqlite3 "$tmp/old.db" "SELECT count(*) FROM
	    pragma_table_info('recipients') WHERE name = 'handoff'")" 0 \
	    "old store: not changed by reading"
	"$RT" ingest -q -d "$tmp/old.db" --mta-config "$cfg" "$I"
	is $? 0 "old store: the inner log added"
	findings "$tmp/old.db" | cmp -s - "$tmp/f.ei"
	is $? 0 "old store, upgraded: the same findings as edge then inner"
	"$RT" sql -d "$tmp/old.db" "SELECT name FROM sqlite_schema WHERE
	    type = 'index' ORDER BY 1" >"$tmp/old.idx"
	contains "$tmp/old.idx" "recipients_upstream" \
	    "old store, upgraded: the new index made"
	is "$(sqlite3 "$tmp/old.db" "SELECT count(abspath) || '/' ||
	    count(*) FROM sources")" "1/2" \
	    "old store, upgraded: sources.abspath, set for the new source"
else
	for i in 1 2 3 4 5 6 7 8; do ok 0 "# SKIP sqlite3 not installed"; done
fi

done_testing
