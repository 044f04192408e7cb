#!/bin/sh
# End-to-end on the IIS 6.0 / Exchange 2003 sample (samples/iis/): the
# per-IP counts are the ground truth of samples/iis/expected.md, worked
# out by make-sample.py from its plan, not from this program.  The W3C
# log has the sessions and every RCPT reply, the tracking log what became
# of each message; read together, each tracking-log message joins the
# W3C transaction whose DATA line names its MSGID.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/iis"
RT=$RELAYTRACE
LOC="--local-domain corp.example --local-net 10.0.0.0/8"

Q() {
	"$RT" sql -d "$1" "$2" | sed -n 2p
}
F() {
	Q "$1" "SELECT count(*) || '/' || coalesce(sum(recipients), 0) || '/' ||
	    coalesce(sum(delivered), 0) || '/' || coalesce(sum(deferred), 0) ||
	    '/' || coalesce(sum(bounced), 0) FROM findings
	    WHERE client_ip = '$2' AND kind = '$3'"
}

# --- The W3C log alone. ---
w="$tmp/w3c.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$w" $LOC "$S/ex261201.log"
is $? 0 "ingest the W3C log"
is "$(Q "$w" "SELECT format || ' ' || parsed || '/' || lines FROM sources")" \
    "iis 56/56" "W3C: detected, every line understood"
for pair in 10.0.0.31:1 198.51.100.66:2 198.51.100.77:2 198.51.100.88:1 \
    203.0.113.21:1 203.0.113.22:1 203.0.113.45:1; do
	ip=${pair%:*}
	is "$(Q "$w" "SELECT count(*) FROM sessions WHERE client_ip = '$ip'")" \
	    "${pair#*:}" "W3C: sessions from $ip, rebuilt without a session id"
done
is "$(F "$w" 198.51.100.66 open-relay | cut -d/ -f1-2)" "2/5" \
    "W3C: 198.51.100.66 open relay msgs/pairs"
is "$(F "$w" 198.51.100.77 open-relay | cut -d/ -f1-2)" "1/2" \
    "W3C: 198.51.100.77 open relay"
is "$(F "$w" 198.51.100.66 relay-attempt | cut -d/ -f1-2)" "1/2" \
    "W3C: 198.51.100.66 refused after the fix"
is "$(F "$w" 198.51.100.77 relay-attempt | cut -d/ -f1-2)" "1/1" \
    "W3C: 198.51.100.77 refused"
is "$(F "$w" 198.51.100.88 relay-attempt | cut -d/ -f1-2)" "1/1" \
    "W3C: the scanner refused"
is "$(Q "$w" "SELECT count(*) FROM messages WHERE accepted")" 7 \
    "W3C: 7 messages queued"
is "$(Q "$w" "SELECT auth_method FROM sessions WHERE
    client_ip = '203.0.113.45'")" LOGIN "W3C: dave's session authenticated"
is "$(F "$w" 203.0.113.45 auth-relay | cut -d/ -f1-2)" "1/1" \
    "W3C: dave's relaying is authenticated"
for ip in 10.0.0.31 203.0.113.21 203.0.113.22; do
	is "$(Q "$w" "SELECT count(*) FROM findings WHERE client_ip = '$ip'")" \
	    0 "W3C: no finding against $ip"
done

# --- The tracking log alone. ---
t="$tmp/trk.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$t" $LOC "$S/20261201.log"
is $? 0 "ingest the Exchange 2003 tracking log"
is "$(Q "$t" "SELECT format || ' ' || parsed || '/' || lines FROM sources")" \
    "exchange2003 57/57" "tracking: detected, every line understood"
is "$(F "$t" 198.51.100.66 open-relay)" "2/5/4/0/1" \
    "tracking: 198.51.100.66 open relay, sent/bounced"
is "$(F "$t" 198.51.100.77 open-relay)" "1/2/2/0/0" \
    "tracking: 198.51.100.77 open relay, sent"
is "$(F "$t" 198.51.100.66 backscatter | cut -d/ -f1)" 1 \
    "tracking: the NDR to the forged sender"
is "$(Q "$t" "SELECT count(*) FROM findings WHERE client_ip IN
    ('10.0.0.31', '203.0.113.21', '203.0.113.22')")" 0 \
    "tracking: no finding against the innocent"
# Delivery attempts: each recipient has one 1028 (local mailbox), 1031
# (sent) or 1030 (NDR) line; the 1019 lines are its arrival.  13
# recipients: s01.1 2, s02.1 1, s03.1 3, s03.2 2, s04.1 2, s05.1 1,
# s09.1 1 and the NDR's 1.
is "$(Q "$t" "SELECT count(*) || '/' || sum(attempts) || '/' ||
    max(attempts) FROM recipients")" "13/13/1" \
    "tracking: 13 recipients, one delivery attempt each"
is "$(Q "$t" "SELECT outcome || ' ' || attempts FROM recipients WHERE
    rcpt_raw = 'r3@blocked.example'")" "bounced 1" \
    "tracking: r3's one attempt bounced"

# --- Both. ---
b="$tmp/both.db"
# shellcheck disable=SC2086
"$RT" investigate -q -d "$b" $LOC "$S/ex261201.log" "$S/20261201.log" \
    >"$tmp/report.txt"
is $? 0 "investigate both logs"
is "$(F "$b" 198.51.100.66 relay-attempt | cut -d/ -f1-2)" "1/2" \
    "both: 198.51.100.66 refused"
is "$(F "$b" 198.51.100.66 open-relay)" "2/5/4/0/1" \
    "both: 198.51.100.66 open relay with outcomes"
is "$(F "$b" 198.51.100.77 open-relay)" "1/2/2/0/0" \
    "both: 198.51.100.77 open relay with outcomes"
is "$(F "$b" 203.0.113.45 auth-relay)" "1/1/1/0/0" \
    "both: dave's relaying is authenticated, and was sent"
is "$(F "$b" 198.51.100.66 backscatter | cut -d/ -f1)" 1 \
    "both: the NDR to the forged sender"
is "$(Q "$b" "SELECT count(*) FROM messages WHERE accepted AND
    origin = 'smtpd'")" 7 "both: 7 client messages, each once"
# 7 queued + 3 refused transactions (20:35, 20:37, 20:40) + the NDR.
is "$(Q "$b" "SELECT count(*) FROM messages")" 11 "both: 11 messages in all"
is "$(Q "$b" "SELECT count(*) || '/' || sum(program = 'iis/smtpsvc')
    FROM sessions")" "9/9" "both: only the W3C log's 9 sessions"
is "$(Q "$b" "SELECT p.session_id IS NOT NULL FROM messages n
    JOIN messages p ON p.id = n.parent_id WHERE n.origin = 'bounce'")" 1 \
    "both: the NDR's parent is the W3C transaction"
# s03.1: MAIL, 3 RCPT and DATA in W3C; 3 x 1019, then 1033 1034 1020
# 1031 for r1, 1034 1020 1031 for r2, 1034 1020 1030 for r3.
is "$(Q "$b" "SELECT count(*) FROM evidence e JOIN messages m ON
    m.id = e.message_id WHERE m.queue_id = 's03.1@bulk-offers.example'")" \
    18 "both: s03.1's 18 lines from the two logs on one message"
is "$(Q "$b" "SELECT count(*) FROM recipients r JOIN messages m ON
    m.id = r.message_id WHERE m.queue_id = 's03.1@bulk-offers.example'")" \
    3 "both: s03.1's 3 recipients, each once"
# The W3C log's 12 accepted and 4 refused RCPTs, the NDR's recipient
# from the tracking log: the 13 accepted have one attempt each, the 4
# refused (r6, r7, pay3, the scanner's probe) none.
is "$(Q "$b" "SELECT count(*) || '/' || sum(attempts) || '/' ||
    max(attempts) FROM recipients WHERE outcome != 'rejected'")" "13/13/1" \
    "both: 13 recipients, one delivery attempt each"
is "$(Q "$b" "SELECT count(*) || '/' || sum(attempts) FROM recipients
    WHERE outcome = 'rejected'")" "4/0" "both: 4 refused, no attempt"
is "$(Q "$w" "SELECT count(*) || '/' || sum(attempts) FROM recipients
    WHERE outcome = 'accepted'")" "12/0" \
    "W3C alone: 12 accepted, nothing delivered yet"
contains "$tmp/report.txt" "the hole looks CLOSED" "both: the fix is seen"

# --- Both, the tracking log in a later run. ---
b2="$tmp/both2.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b2" $LOC "$S/ex261201.log" &&
    "$RT" ingest -q -d "$b2" "$S/20261201.log"
is $? 0 "two runs"
is "$(Q "$b2" "SELECT count(*) FROM messages WHERE accepted AND
    origin = 'smtpd'")" 7 "two runs: 7 client messages, each once"
is "$(F "$b2" 198.51.100.66 open-relay)" "2/5/4/0/1" \
    "two runs: 198.51.100.66 open relay with outcomes"

# --- Both, the tracking log in an earlier run: the store is made again
# with the W3C log read first, so it is that of one run with both. ---
b3="$tmp/both3.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b3" $LOC "$S/20261201.log" &&
    "$RT" ingest -d "$b3" $LOC "$S/ex261201.log" 2>"$tmp/b3.err"
is $? 0 "the tracking log first, the W3C log in a later run"
contains "$tmp/b3.err" "reading them again" \
    "tracking log first: the store is made again"
for t in sessions messages recipients findings; do
	"$RT" sql -d "$b" "SELECT * FROM $t ORDER BY 1"
done >"$tmp/b.rows"
for t in sessions messages recipients findings; do
	"$RT" sql -d "$b3" "SELECT * FROM $t ORDER BY 1"
done >"$tmp/b3.rows"
cmp -s "$tmp/b.rows" "$tmp/b3.rows"
is $? 0 "tracking log first: the rows of one run with both"

# --- A Message-ID is the client's to choose: client and time must agree. ---
# s04.1's arrival lines name another client, s09.1's come an hour late:
# neither joins, so each is a message of its own beside the W3C one.
awk -F '\t' -v OFS='\t' '
    $9 == "1019" && $10 == "s04.1@corp.example" { $3 = "192.0.2.99" }
    $9 == "1019" && $10 == "s09.1@customer.example" { $2 = "21:45:0 GMT" }
    { print }' "$S/20261201.log" >"$tmp/forged.log"
f="$tmp/forged.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$f" $LOC "$S/ex261201.log" "$tmp/forged.log"
is $? 0 "forged: ingest"
is "$(Q "$f" "SELECT count(*) FROM messages WHERE accepted AND
    origin = 'smtpd'")" 9 "forged: 5 joined, 2 W3C and 2 tracking alone"
is "$(Q "$f" "SELECT count(*) FROM sessions WHERE
    client_ip = '192.0.2.99'")" 1 "forged: the other client's own session"
is "$(Q "$f" "SELECT count(*) FROM messages WHERE
    queue_id = 's09.1@customer.example'")" 2 "forged: the late one apart"

done_testing
