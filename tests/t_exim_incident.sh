#!/bin/sh
# End-to-end on the Exim incident (samples/exim/): the per-IP and
# per-account counts are the ground truth of samples/exim/expected.md,
# derived from the traffic plan (samples/exim/plan.tsv) that drove the
# real Exim, not from this program.  Differences forced by what Exim logs
# are noted where they occur.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/exim"
RT=$RELAYTRACE
db="$tmp/t.db"

# The locality of samples/exim/update-exim4.conf.conf (phase 2), as flags.
"$RT" investigate -q -d "$db" --local-domain corp.example \
    --local-domain mx.corp.example --local-domain localhost \
    --local-domain partner.example --local-net 127.0.0.1/32 \
    --local-net ::1/128 --local-net 127.0.0.10/32 "$S/mainlog" \
    >"$tmp/report.txt"
is $? 0 "investigate the Exim incident"
is "$(q "SELECT format FROM sources")" exim "the mainlog is Exim's format"
is "$(q "SELECT parsed || '/' || lines FROM sources")" "391/391" \
    "every mainlog line understood"

# f IP KIND: "messages/recipients/delivered/deferred/bounced" of a finding.
f() {
	q "SELECT count(*) || '/' || coalesce(sum(recipients), 0) || '/' ||
	    coalesce(sum(delivered), 0) || '/' || coalesce(sum(deferred), 0) ||
	    '/' || coalesce(sum(bounced), 0) FROM findings
	    WHERE client_ip = '$1' AND kind = '$2'"
}
fa() {
	q "SELECT count(*) || '/' || coalesce(sum(recipients), 0) || '/' ||
	    coalesce(sum(delivered), 0) || '/' || coalesce(sum(deferred), 0) ||
	    '/' || coalesce(sum(bounced), 0) FROM findings
	    WHERE auth_user = '$1' AND kind = '$2'"
}

# Open relay (expected.md: msgs/pairs, and foreign sent/deferred/bounced).
is "$(f 127.0.0.66 open-relay)" "4/14/9/1/4" "127.0.0.66 open relay"
is "$(f 127.0.0.77 open-relay)" "2/6/4/0/2" "127.0.0.77 open relay"
# expected.md has 1/3 for 127.0.0.88: one accepted RCPT came from a probe
# that quit before DATA (p1-14b); Exim logs nothing of it but the
# connection and "closed by QUIT".
is "$(f 127.0.0.88 open-relay)" "1/2/2/0/0" "127.0.0.88 open relay"

# Relay attempts (tx/pairs).  Exim logs a RCPT refused for its syntax
# without the sender: until correlate keeps the refused transaction open
# across a refusal whose sender is unknown, 127.0.0.77's 3 transactions
# show as 6.
is "$(f 127.0.0.66 relay-attempt)" "2/5/0/0/0" "127.0.0.66 refused"
is "$(f 127.0.0.77 relay-attempt)" "3/12/0/0/0" "127.0.0.77 refused"
is "$(q "SELECT sum(recipients) FROM findings WHERE client_ip =
    '127.0.0.77' AND kind = 'relay-attempt'")" 12 "127.0.0.77 refused pairs"
# p2-05 and p2-06 never got past their refused HELO names (503 to MAIL
# and RCPT): the one relay attempt of 127.0.0.88 is p2-06b.
is "$(f 127.0.0.88 relay-attempt)" "1/1/0/0/0" "127.0.0.88 refused"
is "$(f 127.0.0.105 relay-attempt)" "1/1/0/0/0" "127.0.0.105 refused"

is "$(f 127.0.0.10 trusted-relay)" "2/11/8/1/2" "127.0.0.10 trusted relay"

is "$(f 127.0.0.101 auth-relay)" "2/10/10/0/0" "127.0.0.101 as dave"
is "$(f 127.0.0.102 auth-relay)" "1/4/2/0/2" "127.0.0.102 as dave"
is "$(f 127.0.0.103 auth-relay)" "1/3/2/0/1" "127.0.0.103 as dave"
is "$(f 127.0.0.104 auth-relay)" "1/3/3/0/0" "127.0.0.104 as dave"
is "$(f 127.0.0.105 auth-relay)" "1/3/2/1/0" "127.0.0.105 as dave"
is "$(fa dave auth-relay)" "6/23/19/1/3" "dave in all"
is "$(fa alice auth-relay)" "3/4/4/0/0" "alice in all"
is "$(fa bob auth-relay)" "1/1/1/0/0" "bob in all"
is "$(q "SELECT group_concat(auth_user) FROM account_flags")" dave \
    "only dave is flagged"
is "$(q "SELECT sum(auth_failures) FROM sessions")" 4 \
    "4 failed AUTH attempts (dave 2, alice 1, admin 1)"

# Address tricks: expected.md counts 2 accepted and 10 refused; the source
# route accepted in phase 1 is logged stripped in the "for" list
# (route@foreign.example), so the log shows 1 and 10.
is "$(q "SELECT sum(outcome != 'rejected') || '/' || sum(outcome =
    'rejected') FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.tricked AND m.client_ip = '127.0.0.77'")" "1/10" \
    "127.0.0.77 address tricks accepted/refused"

# Backscatter and blocklisting.
is "$(f 127.0.0.99 backscatter | cut -d/ -f1)" 4 "127.0.0.99 backscatter"
is "$(f 127.0.0.10 backscatter | cut -d/ -f1)" 2 "127.0.0.10 backscatter"
is "$(f 127.0.0.77 backscatter | cut -d/ -f1)" 1 \
    "127.0.0.77 backscatter (the unknown IMCEASMTP user bounced)"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'backscatter'")" 10 \
    "10 bounces to foreign senders in all"
is "$(q "SELECT sum(recipients) FROM findings WHERE kind = 'blacklisted'")" \
    9 "9 deliveries refused naming a blocklist"

# Totals (expected.md: 38 client messages, one of them local).
is "$(q "SELECT count(*) FROM messages WHERE origin = 'smtpd' AND
    accepted")" 37 "37 SMTP client messages accepted"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'pickup'")" 1 \
    "1 local submission"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'bounce'")" 11 \
    "11 bounces made by Exim"

# Sessions per client IP (expected.md).
for pair in 127.0.0.1:3 127.0.0.10:4 127.0.0.21:2 127.0.0.22:3 \
    127.0.0.23:2 127.0.0.30:3 127.0.0.31:1 127.0.0.40:1 127.0.0.50:1 \
    127.0.0.66:6 127.0.0.77:4 127.0.0.88:10 127.0.0.99:4 127.0.0.101:2 \
    127.0.0.102:1 127.0.0.103:1 127.0.0.104:1 127.0.0.105:3; do
	ip=${pair%:*}
	is "$(q "SELECT count(*) FROM sessions WHERE client_ip = '$ip'")" \
	    "${pair#*:}" "sessions from $ip"
done
is "$(q "SELECT count(*) FROM sessions WHERE client_ip = '127.0.0.22'
    AND tls")" 3 "the STARTTLS sessions"

# The innocent are not named.
for ip in 127.0.0.1 127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.30 \
    127.0.0.31 127.0.0.40 127.0.0.50; do
	is "$(q "SELECT count(*) FROM findings WHERE client_ip = '$ip' AND
	    kind NOT IN ('auth-relay')")" 0 "no finding against $ip"
done
contains "$tmp/report.txt" "the hole looks CLOSED" "the fix is recognised"

# Every evidence line is the exact line of the file at that number.
is "$(evidence_bad "$db" 1 "$S/mainlog")" 0 \
    "evidence lines match the source by number, byte for byte"

# Delivery attempts: one per =>, ->, ** and == line of the mainlog (104;
# the "for" list of an arrival is none).  Each of the 98 accepted
# recipients (expected.md's 88 accepted RCPTs less the probe's Exim did
# not log, and the 11 NDRs') has at least one; the 6 more are
# z@slow.example and q3@slow.example, deferred 3 times (the 21:10:10
# queue run among them), lucky11@slow.example deferred twice, and the
# bounce to victim4@blocked.example, frozen and tried again by the last
# queue run.
is "$(q "SELECT count(*) || '/' || sum(attempts) || '/' || min(attempts)
    FROM recipients WHERE outcome != 'rejected'")" "98/104/1" \
    "a delivery attempt per delivery line"
is "$(q "SELECT group_concat(rcpt_raw || '=' || attempts, ' ') FROM
    (SELECT rcpt_raw, attempts FROM recipients WHERE attempts > 1
    ORDER BY rcpt_raw)")" "lucky11@slow.example=2 q3@slow.example=3 \
victim4@blocked.example=2 z@slow.example=3" "the recipients tried again"

# --- The rejectlog: each refusal again, also in the mainlog. ---
# By hand from samples/exim/rejectlog (34 lines): refused RCPTs 127.0.0.77
# 3 + 2 + 5, 127.0.0.66 4 + 1, 127.0.0.50 3 (Unrouteable, local),
# 127.0.0.88 1, 127.0.0.105 1 = 20; 4 authenticator failures.  The
# mainlog adds the two "SMTP syntax error" RCPTs of 127.0.0.77 (22).
L="--local-domain corp.example --local-domain mx.corp.example
    --local-domain localhost --local-domain partner.example
    --local-net 127.0.0.1/32 --local-net ::1/128 --local-net 127.0.0.10/32"
Qd() { "$RT" sql -d "$1" "$2" | sed -n 2p; }
# fd DB IP KIND: "messages/recipients" of the findings.
fd() {
	Qd "$1" "SELECT count(*) || '/' || coalesce(sum(recipients), 0)
	    FROM findings WHERE client_ip = '$2' AND kind = '$3'"
}
# rows DB: the rows a run made, without row ids and evidence.
rows() {
	"$RT" sql -d "$1" "SELECT client_ip, client_port, start_epoch,
	    end_epoch, helo, auth_user, auth_failures, messages, rejects
	    FROM sessions ORDER BY start_epoch, client_port, id"
	"$RT" sql -d "$1" "SELECT m.queue_id, m.client_ip, m.sender_raw,
	    m.accepted, r.rcpt_raw, r.outcome, r.reply_code, r.attempts,
	    r.verdict FROM messages m LEFT JOIN recipients r ON
	    r.message_id = m.id ORDER BY m.id, r.id"
	"$RT" sql -d "$1" "SELECT kind, client_ip, auth_user, recipients,
	    delivered, deferred, bounced FROM findings ORDER BY 1, 2, 3, 4"
}
r="$tmp/rej.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$r" $L "$S/rejectlog"
is $? 0 "the rejectlog alone"
# Its lines are refusals only (no arrival, delivery, connection or queue
# run), so its format says it is a rejectlog.
is "$(Qd "$r" "SELECT format || ' ' || parsed || '/' || lines FROM
    sources")" "exim-rejectlog 34/34" \
    "rejectlog: Exim's rejectlog format, every line understood"
is "$(Qd "$r" "SELECT count(*) FROM recipients WHERE outcome =
    'rejected'")" 20 "rejectlog: 20 refused RCPTs"
is "$(fd "$r" 127.0.0.77 relay-attempt)" "3/10" "rejectlog: 127.0.0.77"
is "$(fd "$r" 127.0.0.66 relay-attempt)" "2/5" "rejectlog: 127.0.0.66"
is "$(fd "$r" 127.0.0.88 relay-attempt)" "1/1" "rejectlog: 127.0.0.88"
is "$(fd "$r" 127.0.0.105 relay-attempt)" "1/1" "rejectlog: 127.0.0.105"
is "$(Qd "$r" "SELECT sum(auth_failures) FROM sessions")" 4 \
    "rejectlog: 4 failed AUTH attempts"

m1="$tmp/main.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$m1" $L "$S/mainlog"
rows "$m1" >"$tmp/main.rows"
b="$tmp/mr.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b" $L "$S/mainlog" "$S/rejectlog" 2>"$tmp/mr.err"
is $? 0 "mainlog and rejectlog in one run"
is "$(Qd "$b" "SELECT count(*) FROM recipients WHERE outcome =
    'rejected'")" 22 "both: 22 refused RCPTs, as the mainlog alone"
is "$(fd "$b" 127.0.0.77 relay-attempt)" "3/12" "both: 127.0.0.77 refused"
is "$(fd "$b" 127.0.0.66 relay-attempt)" "2/5" "both: 127.0.0.66 refused"
is "$(Qd "$b" "SELECT sum(auth_failures) FROM sessions")" 4 \
    "both: 4 failed AUTH attempts, not 8"
rows "$b" >"$tmp/mr.rows"
cmp -s "$tmp/main.rows" "$tmp/mr.rows"
is $? 0 "both: the sessions, messages, recipients and findings of the mainlog"
is "$(Qd "$b" "SELECT count(*) FROM evidence WHERE source_id = 2")" 34 \
    "both: the rejectlog's 34 lines kept as evidence"
is "$(evidence_bad "$b" 2 "$S/rejectlog")" 0 \
    "both: the rejectlog's evidence is its lines, byte for byte"
is "$(Qd "$b" "SELECT count(*) FROM evidence r JOIN evidence m ON
    m.source_id = 1 AND m.text = r.text AND m.session_id = r.session_id
    AND m.message_id IS r.message_id WHERE r.source_id = 2")" 34 \
    "both: each tied to the session and message of its mainlog copy"
is "$(wc -c <"$tmp/mr.err" | tr -d ' ')" 0 "both: nothing to warn about"

b2="$tmp/mr2.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b2" $L "$S/mainlog" &&
    "$RT" ingest -q -d "$b2" $L "$S/rejectlog"
is $? 0 "the rejectlog in a run after the mainlog's"
rows "$b2" >"$tmp/mr2.rows"
cmp -s "$tmp/main.rows" "$tmp/mr2.rows"
is $? 0 "two runs: the rows of the mainlog alone"
is "$(Qd "$b2" "SELECT count(*) FROM evidence WHERE source_id = 2 AND
    session_id IS NOT NULL")" 34 "two runs: the rejectlog's lines as evidence"

# The rejectlog named first: it is read after the mainlog all the same
# (a rejectlog is read in the last pass), so the rows are the mainlog's.
b3="$tmp/rm.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b3" $L "$S/rejectlog" "$S/mainlog" 2>"$tmp/rm.err"
is $? 0 "the rejectlog named before the mainlog"
rows "$b3" >"$tmp/rm.rows"
cmp -s "$tmp/main.rows" "$tmp/rm.rows"
is $? 0 "rejectlog named first: the rows of the mainlog alone"
is "$(Qd "$b3" "SELECT count(*) FROM sessions WHERE client_ip =
    '127.0.0.88'")" 10 "rejectlog named first: 127.0.0.88's 10 sessions"
is "$(Qd "$b3" "SELECT count(*) FROM evidence WHERE source_id = (SELECT id
    FROM sources WHERE path LIKE '%rejectlog') AND session_id IS NOT
    NULL")" 34 "rejectlog named first: the rejectlog's lines as evidence"

# The rejectlog in an earlier run than the mainlog: the store is made
# again with the mainlog first, so it is the store of one run with both.
b4="$tmp/rm2.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$b4" $L "$S/rejectlog" &&
    "$RT" ingest -d "$b4" $L "$S/mainlog" 2>"$tmp/rm2.err"
is $? 0 "the rejectlog in a run before the mainlog's"
contains "$tmp/rm2.err" "reading them again" \
    "rejectlog run first: the store is made again"
rows "$b4" >"$tmp/rm2.rows"
cmp -s "$tmp/main.rows" "$tmp/rm2.rows"
is $? 0 "rejectlog run first: the rows of the mainlog alone"

# A rejectlog under another name is known by its lines (refusals only, no
# arrival, delivery, connection or queue run): it is read after the
# mainlog whatever the order, named before or after it, from standard
# input, or in a run before the mainlog's (the store is made again).
cp "$S/rejectlog" "$tmp/exim-reject.log"
for order in first last stdin-first stdin-last; do
	d="$tmp/rn-$order.db"
	case $order in
	first)	set -- "$tmp/exim-reject.log" "$S/mainlog" ;;
	last)	set -- "$S/mainlog" "$tmp/exim-reject.log" ;;
	stdin-first) set -- - "$S/mainlog" ;;
	stdin-last) set -- "$S/mainlog" - ;;
	esac
	# shellcheck disable=SC2086
	"$RT" ingest -q -d "$d" $L "$@" <"$tmp/exim-reject.log" \
	    2>"$tmp/rn-$order.err"
	is $? 0 "renamed rejectlog ($order): ingested"
	rows "$d" >"$tmp/rn-$order.rows"
	cmp -s "$tmp/main.rows" "$tmp/rn-$order.rows"
	is $? 0 "renamed rejectlog ($order): the rows of the mainlog alone"
	is "$(Qd "$d" "SELECT count(*) FROM sessions")" 52 \
	    "renamed rejectlog ($order): 52 sessions"
	is "$(Qd "$d" "SELECT group_concat(format, ' ') FROM (SELECT format
	    FROM sources ORDER BY id)")" "exim exim-rejectlog" \
	    "renamed rejectlog ($order): read second, as a rejectlog"
	is "$(Qd "$d" "SELECT count(*) FROM evidence WHERE source_id = 2 AND
	    session_id IS NOT NULL")" 34 \
	    "renamed rejectlog ($order): its 34 lines as evidence"
	is "$(wc -c <"$tmp/rn-$order.err" | tr -d ' ')" 0 \
	    "renamed rejectlog ($order): nothing to warn about"
done
d="$tmp/rn-runs.db"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$d" $L "$tmp/exim-reject.log" &&
    "$RT" ingest -d "$d" $L "$S/mainlog" 2>"$tmp/rn-runs.err"
is $? 0 "renamed rejectlog in a run before the mainlog's"
contains "$tmp/rn-runs.err" "reading them again" \
    "renamed rejectlog run first: the store is made again"
rows "$d" >"$tmp/rn-runs.rows"
cmp -s "$tmp/main.rows" "$tmp/rn-runs.rows"
is $? 0 "renamed rejectlog run first: the rows of the mainlog alone"
# The mainlog under another name stays a mainlog.
cp "$S/mainlog" "$tmp/exim-main.log"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$tmp/rn-main.db" $L "$tmp/exim-main.log"
is "$(Qd "$tmp/rn-main.db" "SELECT format FROM sources")" exim \
    "a renamed mainlog: Exim's format, not a rejectlog"

# Copies are counted: a refusal logged twice in one file is two refusals,
# a copy in another file takes one of them, and a copy more than there
# are counts again.  (Each second file ends with a header line of its
# own, so that its bytes differ: the same bytes would be skipped.)
grep -F '[127.0.0.66]:43355 ' "$S/rejectlog" >"$tmp/one"
cat "$tmp/one" "$tmp/one" >"$tmp/A.log"
for n in 1 2 3; do
	i=0
	while [ $i -lt $n ]; do cat "$tmp/one"; i=$((i + 1)); done >"$tmp/B$n.log"
	echo "Envelope-to: <z@isp-mail.example>" >>"$tmp/B$n.log"
done
for pair in A:2 A+B1:2 A+B2:2 A+B3:3 B1+A:2 B2+A:2; do
	files=$(echo "${pair%:*}" | tr '+' ' ')
	d="$tmp/c$(echo "${pair%:*}" | tr -d '+').db"
	args=""
	for f in $files; do args="$args $tmp/$f.log"; done
	# shellcheck disable=SC2086
	"$RT" ingest -q -d "$d" $L $args 2>/dev/null
	is "$(Qd "$d" "SELECT sum(rejects) || '/' || count(*) FROM sessions")" \
	    "${pair#*:}/1" "copies: ${pair%:*} gives ${pair#*:} refusals"
done

# The same run through syslog (rsyslog, RFC 3339): the same findings.
"$RT" ingest -q -d "$tmp/sl.db" --local-domain corp.example \
    --local-domain mx.corp.example --local-domain localhost \
    --local-domain partner.example --local-net 127.0.0.1/32 \
    --local-net 127.0.0.10/32 "$S/mail.log"
is $? 0 "ingest the syslog copy"
qs() { "$RT" sql -d "$tmp/sl.db" "$1" | sed -n 2p; }
is "$(qs "SELECT format FROM sources")" exim-syslog-rfc3339 \
    "the syslog copy's format"
is "$(qs "SELECT kind || ':' || count(*) || '/' || sum(recipients) FROM
    findings WHERE kind = 'open-relay'")" "open-relay:7/22" \
    "syslog copy: the same open relaying"
# ... and in RFC 5424's form (with structured data), as rsyslog's
# RSYSLOG_SyslogProtocol23Format writes it: the same again.
sed -E 's/^([^ ]+) ([^ ]+) ([^ :[]+)\[([0-9]+)\]: /<22>1 \1 \2 \3 \4 - [origin software="exim"] /' \
    "$S/mail.log" >"$tmp/5424.log"
"$RT" ingest -q -d "$tmp/s5.db" --local-domain corp.example \
    --local-domain mx.corp.example --local-domain localhost \
    --local-domain partner.example --local-net 127.0.0.1/32 \
    --local-net 127.0.0.10/32 "$tmp/5424.log"
q5() { "$RT" sql -d "$tmp/s5.db" "$1" | sed -n 2p; }
is "$(q5 "SELECT format || ' ' || parsed || '/' || lines FROM sources")" \
    "exim-syslog-rfc5424 $(qs "SELECT lines FROM sources")/$(qs "SELECT lines
    FROM sources")" "RFC 5424 copy: its format, every line understood"
"$RT" sql -d "$tmp/sl.db" "SELECT kind, client_ip, recipients, delivered
    FROM findings ORDER BY 1, 2, 3" >"$tmp/sl.f"
"$RT" sql -d "$tmp/s5.db" "SELECT kind, client_ip, recipients, delivered
    FROM findings ORDER BY 1, 2, 3" >"$tmp/s5.f"
cmp -s "$tmp/sl.f" "$tmp/s5.f"
is $? 0 "RFC 5424 copy: the findings of the RFC 3339 copy"

# --- The same plan logged with syslog_duplication = true ---
# samples/exim/mail-dup.log, another run of the plan (other pids, ports and
# times): every line Exim writes to its mainlog and its rejectlog reaches
# syslog twice, the mainlog's copy and then the rejectlog's, from the same
# process.  That run's mainlog had 391 lines and its rejectlog 34
# (run/syslog-dup-check.txt): 425 lines.  The pairs, found with awk (a
# message, after the syslog time stamp and host, equal to the line
# before's): 34, each the line right after its first copy.
D="$S/mail-dup.log"
awk '{ m = $0; sub(/^[^ ]+ [^ ]+ /, "", m); if (m == prev) print NR;
    prev = m }' "$D" >"$tmp/dup.lines"
is "$(wc -l <"$tmp/dup.lines" | tr -d ' ')" 34 "mail-dup.log: 34 second copies"
# shellcheck disable=SC2086
"$RT" ingest -q -d "$tmp/dup.db" $L "$D"
is $? 0 "ingest the duplicated syslog copy"
qd() { Qd "$tmp/dup.db" "$1"; }
is "$(qd "SELECT format || ' ' || parsed || '/' || lines FROM sources")" \
    "exim-syslog-rfc3339 425/425" "duplicated: its format, every line read"
# By hand from mail-dup.log, each pair once: 20 rejected RCPT, 4 rejected
# EHLO, 4 rejected MAIL, 2 dropped sessions, and the 6 syntax and 6
# protocol errors the mainlog alone has (they are not doubled) = 42
# refusals; 4 failed AUTH (8 lines); 22 refused RCPTs (the 20 and the 2
# syntax errors of 127.0.0.77's address tricks).
is "$(qd "SELECT count(*) || '/' || sum(rejects) || '/' ||
    sum(auth_failures) FROM sessions")" "52/42/4" \
    "duplicated: 52 sessions, 42 refusals, 4 failed AUTH"
is "$(qd "SELECT count(*) FROM recipients WHERE outcome = 'rejected'")" \
    22 "duplicated: 22 refused RCPTs"
# Per client address: the sessions, refusals, failed AUTH and findings of
# the mainlog (the ground truth above), one line each.
perip() {
	"$RT" sql -d "$1" "SELECT client_ip, count(*), sum(rejects),
	    sum(auth_failures), sum(messages) FROM sessions GROUP BY 1
	    ORDER BY 1"
	"$RT" sql -d "$1" "SELECT kind, client_ip, auth_user, count(*),
	    sum(recipients), sum(delivered), sum(deferred), sum(bounced)
	    FROM findings GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
}
perip "$m1" >"$tmp/main.perip"
perip "$tmp/dup.db" >"$tmp/dup.perip"
cmp -s "$tmp/main.perip" "$tmp/dup.perip"
is $? 0 "duplicated: per client address, the mainlog's sessions, refusals and findings"
for pair in 127.0.0.66:6:5 127.0.0.77:4:12 127.0.0.88:10:21 \
    127.0.0.105:3:1 127.0.0.50:1:3; do
	ip=${pair%%:*}
	is "$(qd "SELECT count(*) || ':' || sum(rejects) FROM sessions WHERE
	    client_ip = '$ip'")" "${pair#*:}" "duplicated: $ip sessions:refusals"
done
is "$(qd "SELECT kind || ':' || count(*) || '/' || sum(recipients) FROM
    findings WHERE kind = 'open-relay'")" "open-relay:7/22" \
    "duplicated: the same open relaying"
# Each second copy is evidence only, tied to its first copy's rows.
lines=$(paste -sd, "$tmp/dup.lines")
is "$(qd "SELECT count(*) FROM evidence WHERE line IN ($lines)")" 34 \
    "duplicated: one evidence row per second copy"
is "$(qd "SELECT count(*) FROM evidence c JOIN evidence f ON f.source_id =
    c.source_id AND f.line = c.line - 1 AND f.session_id = c.session_id AND
    f.message_id IS c.message_id WHERE c.line IN ($lines)")" 34 \
    "duplicated: each tied to the session and message of the line before"
is "$(qd "SELECT count(*) FROM evidence WHERE line NOT IN ($lines)")" \
    "$(Qd "$m1" "SELECT count(*) FROM evidence")" \
    "duplicated: the other lines' evidence, as many rows as the mainlog's"
# The session of 127.0.0.105 with two failed AUTH: four lines shown.
s105=$(qd "SELECT id FROM sessions WHERE client_ip = '127.0.0.105' AND
    auth_failures = 2")
"$RT" show -d "$tmp/dup.db" "$s105" >"$tmp/dup.show"
contains "$tmp/dup.show" "(2 failed attempts)" \
    "duplicated: show counts 2 failed AUTH"
is "$(grep -c 'authenticator failed for' "$tmp/dup.show")" 4 \
    "duplicated: show lists both copies of both"

# A refusal the client really repeated counts as often as it happened.
# 127.0.0.66's second session got one refused RCPT (z@isp-mail.example):
# with syslog_duplication its two lines, given twice (the client sent the
# RCPT again in the same second), are two refusals; in mail.log (each
# line once), its line given twice is two refusals too.
zd=$(grep -n 'rejected RCPT <z@isp-mail.example>' "$D" | head -1 | cut -d: -f1)
awk -v a="$zd" '{ print } NR == a + 1 { print l1; print $0 } NR == a {
    l1 = $0 }' "$D" >"$tmp/dup-repeat.log"
zs=$(grep -n 'rejected RCPT <z@isp-mail.example>' "$S/mail.log" | cut -d: -f1)
awk -v a="$zs" '{ print } NR == a { print }' "$S/mail.log" \
    >"$tmp/once-repeat.log"
port() { sed -n "$2p" "$1" | sed 's/.*\]:\([0-9]*\) F=.*/\1/'; }
for f in dup-repeat:"$(port "$D" "$zd")" once-repeat:"$(port "$S/mail.log" "$zs")"; do
	p=${f#*:}
	f=${f%:*}
	# shellcheck disable=SC2086
	"$RT" ingest -q -d "$tmp/$f.db" $L "$tmp/$f.log"
	is "$(Qd "$tmp/$f.db" "SELECT sum(rejects) FROM sessions")" 43 \
	    "$f: 43 refusals, the repeat counted"
	is "$(Qd "$tmp/$f.db" "SELECT rejects FROM sessions WHERE
	    client_ip = '127.0.0.66' AND client_port = $p")" 2 \
	    "$f: that session's refusal twice"
done

# --mta-config with Debian's debconf answers gives the same locality.
"$RT" ingest -q -d "$tmp/mc.db" --mta-config "$S/update-exim4.conf.conf" \
    --local-domain mx.corp.example "$S/mainlog" 2>"$tmp/mc.err"
qm() { "$RT" sql -d "$tmp/mc.db" "$1" | sed -n 2p; }
is "$(qm "SELECT count(*) || '/' || sum(recipients) FROM findings WHERE
    kind = 'open-relay'")" "7/22" "--mta-config update-exim4.conf.conf"

done_testing
