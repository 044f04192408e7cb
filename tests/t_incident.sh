#!/bin/sh
# End-to-end on the bundled incident (samples/): the per-IP and per-account
# counts are the ground truth of samples/expected.md, which was derived
# from the traffic plan (samples/plan.tsv) that drove the real Postfix, not
# from this program.  Two differences are forced by what Postfix logs and
# are noted where they occur.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/postfix"
RT=$RELAYTRACE
db="$tmp/t.db"

"$RT" investigate -q -d "$db" --mta-config "$S/main.cf" "$S/mail.log" \
    >"$tmp/report.txt"
is $? 0 "investigate the sample incident"

# f IP KIND: "messages/recipients/delivered/deferred/bounced" of a finding.
f() {
	q "SELECT count(*) || '/' || coalesce(sum(recipients), 0) || '/' ||
	    coalesce(sum(delivered), 0) || '/' || coalesce(sum(deferred), 0) ||
	    '/' || coalesce(sum(bounced), 0) FROM findings
	    WHERE client_ip = '$1' AND kind = '$2'"
}
# fa USER KIND: the same per SASL account.
fa() {
	q "SELECT count(*) || '/' || coalesce(sum(recipients), 0) || '/' ||
	    coalesce(sum(delivered), 0) || '/' || coalesce(sum(deferred), 0) ||
	    '/' || coalesce(sum(bounced), 0) FROM findings
	    WHERE auth_user = '$1' AND kind = '$2'"
}

# Open relay (expected.md: msgs/pairs, and foreign sent/deferred/bounced).
is "$(f 127.0.0.66 open-relay)" "4/14/9/1/4" "127.0.0.66 open relay"
is "$(f 127.0.0.77 open-relay)" "2/9/8/0/1" "127.0.0.77 open relay"
# expected.md has 1/3 for 127.0.0.88: its third accepted RCPT came from a
# probe that quit before DATA; Postfix logs a queue id but no address.
is "$(f 127.0.0.88 open-relay)" "1/2/2/0/0" "127.0.0.88 open relay"
is "$(q "SELECT count(*) FROM messages WHERE client_ip = '127.0.0.88'
    AND origin = 'smtpd' AND accepted")" 1 \
    "the aborted probe is not an accepted message"

# Relay attempts (tx/pairs).
is "$(f 127.0.0.66 relay-attempt)" "2/5/0/0/0" "127.0.0.66 refused"
is "$(f 127.0.0.77 relay-attempt)" "3/9/0/0/0" "127.0.0.77 refused"
is "$(f 127.0.0.88 relay-attempt)" "2/2/0/0/0" "127.0.0.88 refused"
is "$(f 127.0.0.105 relay-attempt)" "1/1/0/0/0" "127.0.0.105 refused"

# Trusted relay: the compromised internal host.
is "$(f 127.0.0.10 trusted-relay)" "2/11/8/1/2" "127.0.0.10 trusted relay"

# Authenticated relaying, per IP and per account.
is "$(f 127.0.0.101 auth-relay)" "2/10/10/0/0" "127.0.0.101 as dave"
is "$(f 127.0.0.102 auth-relay)" "1/4/2/0/2" "127.0.0.102 as dave"
is "$(f 127.0.0.103 auth-relay)" "1/3/2/0/1" "127.0.0.103 as dave"
is "$(f 127.0.0.104 auth-relay)" "1/3/3/0/0" "127.0.0.104 as dave"
is "$(f 127.0.0.105 auth-relay)" "1/3/2/1/0" "127.0.0.105 as dave"
is "$(fa dave@corp.example auth-relay)" "6/23/19/1/3" "dave in all"
is "$(fa alice@corp.example auth-relay)" "3/4/4/0/0" "alice in all"
is "$(fa bob@corp.example auth-relay)" "1/1/1/0/0" "bob in all"
is "$(q "SELECT group_concat(auth_user) FROM account_flags")" \
    "dave@corp.example" "only dave is flagged"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'auth-relay' AND
    severity = 'high' AND auth_user != 'dave@corp.example'")" 0 \
    "no other account's relaying is high"

# Address tricks: expected.md counts 5 accepted and 7 refused; the two
# source routes (@corp.example:route@foreign.example) are logged by
# Postfix already stripped (to=<route@foreign.example>), so the log shows
# 4 and 6.
is "$(q "SELECT sum(outcome != 'rejected') || '/' || sum(outcome =
    'rejected') FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.tricked AND m.client_ip = '127.0.0.77'")" "4/6" \
    "127.0.0.77 address tricks accepted/refused"
is "$(q "SELECT group_concat(trick, ',') FROM (SELECT DISTINCT trick FROM
    recipients WHERE tricked ORDER BY trick)")" \
    "bang,imcea,percent,quoted-at" "the kinds of trick seen"

# Backscatter (NDRs to foreign forged senders) and blocklisting.
is "$(f 127.0.0.99 backscatter | cut -d/ -f1)" 4 "127.0.0.99 backscatter"
is "$(f 127.0.0.10 backscatter | cut -d/ -f1)" 2 "127.0.0.10 backscatter"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'backscatter'")" 9 \
    "9 NDRs to foreign senders in all"
is "$(q "SELECT sum(recipients) FROM findings WHERE kind = 'blacklisted'")" \
    9 "9 deliveries refused naming a blocklist"

# Totals.
# expected.md: 38 messages accepted, one of them the local sendmail one.
is "$(q "SELECT count(*) FROM messages WHERE origin = 'smtpd' AND
    accepted")" 37 "37 SMTP client messages accepted"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'pickup'")" 1 \
    "1 local submission (pickup)"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'bounce'")" 10 \
    "10 NDRs"

# Sessions per client IP (expected.md).
for pair in 127.0.0.1:3 127.0.0.10:4 127.0.0.21:2 127.0.0.22:3 \
    127.0.0.23:2 127.0.0.30:3 127.0.0.31:1 127.0.0.40:1 127.0.0.50:1 \
    127.0.0.66:6 127.0.0.77:4 127.0.0.88:6 127.0.0.99:4 127.0.0.101:2 \
    127.0.0.102:1 127.0.0.103:1 127.0.0.104:1 127.0.0.105:3; do
	ip=${pair%:*}
	is "$(q "SELECT count(*) FROM sessions WHERE client_ip = '$ip'")" \
	    "${pair#*:}" "sessions from $ip"
done

# The innocent are not named.
for ip in 127.0.0.1 127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.30 \
    127.0.0.31 127.0.0.40 127.0.0.50; do
	is "$(q "SELECT count(*) FROM findings WHERE client_ip = '$ip' AND
	    kind NOT IN ('auth-relay')")" 0 "no finding against $ip"
done

# The text report: the abusers, and no innocent, in the ranking.
sed -n '/^Clients that relayed/,/^$/p' "$tmp/report.txt" >"$tmp/ranked"
ranked=$(grep -o '^  127\.0\.0\.[0-9]*' "$tmp/ranked" | tr -d ' ' | sort |
    tr '\n' ' ')
is "$ranked" "127.0.0.10 127.0.0.101 127.0.0.102 127.0.0.103 127.0.0.104 \
127.0.0.105 127.0.0.66 127.0.0.77 127.0.0.88 " "ranked abusers, exactly"
contains "$tmp/report.txt" "the hole looks CLOSED" "the fix is recognised"
contains "$tmp/report.txt" "FLAGGED (stolen credentials?)" "dave flagged"
contains "$tmp/report.txt" "relaytrace show" "evidence command given"
contains "$tmp/report.txt" "corp.example  local, config: main.cf" \
    "local domain with its origin"
cmd=$(sed -n 's/^  \(relaytrace show .*\)$/\1/p' "$tmp/report.txt")
"$RT" show -d "$db" "${cmd##* }" >"$tmp/show.txt"
is $? 0 "the suggested show command works"
contains "$tmp/show.txt" "mail.log:" "show cites file:line"
contains "$tmp/show.txt" "=> open-relay" "show gives the verdict"

# Every evidence line is the exact line of the file at that number.
is "$(evidence_bad "$db" 1 "$S/mail.log")" 0 \
    "evidence lines match the source by number, byte for byte"
is "$(q "SELECT count(DISTINCT line) > 300 FROM evidence")" 1 \
    "and there are hundreds of them"
# The lines are kept compressed; the sqlite3 shell (its own
# sqlar_uncompress) reads the view evidence as relaytrace does.
if command -v sqlite3 >/dev/null 2>&1 &&
    sqlite3 :memory: "SELECT sqlar_uncompress(x'00', 1)" >/dev/null 2>&1; then
	"$RT" sql -d "$db" "SELECT id, line, time, hex(text) FROM evidence
	    ORDER BY id" | sed 1d >"$tmp/ev-rt.txt"
	sqlite3 -separator '	' "$db" "SELECT id, line, time, hex(text) FROM
	    evidence ORDER BY id" >"$tmp/ev-sh.txt"
	cmp -s "$tmp/ev-rt.txt" "$tmp/ev-sh.txt"
	ok $? "the sqlite3 shell reads the same evidence ($(wc -l <"$tmp/ev-sh.txt") rows)"
else
	ok 0 "# SKIP no sqlite3 shell with sqlar_uncompress"
fi
is "$(q "SELECT count(*) FROM evidence_blocks WHERE length(data) >= size")" 0 \
    "every block of log lines is compressed"

# The same incident through the other forms gives the same findings.
dump() {
	"$RT" sql -d "$1" "SELECT kind, client_ip, auth_user, recipients,
	    delivered, deferred, bounced, summary FROM findings
	    ORDER BY epoch, kind, client_ip, summary"
}
dump "$db" >"$tmp/f.main"
"$RT" ingest -q -d "$tmp/rot.db" --mta-config "$S/main.cf" \
    "$S/rotated/mail.log" "$S/rotated/mail.log.2.gz" "$S/rotated/mail.log.1"
is $? 0 "rotated set, given out of order"
dump "$tmp/rot.db" >"$tmp/f.rot"
cmp -s "$tmp/f.main" "$tmp/f.rot"; is $? 0 "rotated set: same findings"
"$RT" ingest -q -d "$tmp/bsd.db" --year 2026 --tz UTC \
    --mta-config "$S/main.cf" "$S/mail-bsd.log"
is $? 0 "BSD syslog form"
dump "$tmp/bsd.db" >"$tmp/f.bsd"
cmp -s "$tmp/f.main" "$tmp/f.bsd"; is $? 0 "BSD form: same findings"
# The same lines as other syslogds write them: FreeBSD's syslogd -vv puts
# "<mail.info>" after the time, other templates after the host; a line
# kept as it was sent starts with its <PRI> (mail.info is 2 * 8 + 6).
qb() { "$RT" sql -d "$1" "SELECT format || ' ' || unparsed FROM sources" |
    sed -n 2p; }
for v in "after-time:s/^\(... .. ..:..:..\) /\1 <mail.info> /" \
    "after-host:s/^\(... .. ..:..:.. mx\) /\1 <mail.notice> /" \
    "numeric:s/^\(... .. ..:..:..\) /\1 <2.6> /" "pri:s/^/<22>/"; do
	sed "${v#*:}" "$S/mail-bsd.log" >"$tmp/bsd-${v%%:*}.log"
	"$RT" ingest -q -d "$tmp/bsd-${v%%:*}.db" --year 2026 --tz UTC \
	    --mta-config "$S/main.cf" "$tmp/bsd-${v%%:*}.log"
	is "$(qb "$tmp/bsd-${v%%:*}.db")" "postfix-bsd 0" \
	    "BSD form, ${v%%:*}: recognised, every line understood"
	dump "$tmp/bsd-${v%%:*}.db" >"$tmp/f.bsd-${v%%:*}"
	cmp -s "$tmp/f.main" "$tmp/f.bsd-${v%%:*}"
	is $? 0 "BSD form, ${v%%:*}: same findings"
done

# Postfix's own maillog_file form (samples/plan-maillog.tsv: m-02 refused,
# m-03 dave to two foreign recipients, one bounced with a blocklist reply,
# m-04 a failed login, m-05 a local submission).
"$RT" ingest -q -d "$tmp/ml.db" --year 2026 --tz UTC \
    --mta-config "$S/main.cf" "$S/maillog_file.log"
is $? 0 "maillog_file form"
qm() { "$RT" sql -d "$tmp/ml.db" "$1" | sed -n 2p; }
is "$(qm "SELECT format || ' ' || unparsed FROM sources")" \
    "postfix-maillog 0" "maillog_file: recognised, every line understood"
is "$(qm "SELECT count(*) || '/' || sum(recipients) FROM findings WHERE
    kind = 'relay-attempt' AND client_ip = '127.0.0.66'")" "1/1" \
    "maillog_file: the refused relay attempt"
is "$(qm "SELECT recipients || '/' || delivered || '/' || bounced FROM
    findings WHERE kind = 'auth-relay'")" "2/1/1" \
    "maillog_file: dave's relaying, one delivered, one bounced"
is "$(qm "SELECT sum(auth_failures) FROM sessions WHERE
    client_ip = '127.0.0.105'")" 1 "maillog_file: the failed login"
is "$(qm "SELECT start_time FROM sessions ORDER BY id LIMIT 1")" \
    "2026-12-01T20:43:36Z" "maillog_file: time with --year and --tz"

# Reproducible: a second database from the same input is the same.
"$RT" investigate -q -d "$tmp/t2.db" --mta-config "$S/main.cf" \
    "$S/mail.log" >"$tmp/report2.txt"
sed 's/t2\.db/t.db/' "$tmp/report2.txt" | cmp -s - "$tmp/report.txt"
is $? 0 "same input, same report"
for t in sessions messages recipients findings evidence; do
	a=$("$RT" sql -d "$db" "SELECT * FROM $t ORDER BY id" | cksum)
	b=$("$RT" sql -d "$tmp/t2.db" "SELECT * FROM $t ORDER BY id" | cksum)
	is "$a" "$b" "same input, same $t table"
done

# JSON: the documented keys, valid JSON when python3 is there to check.
"$RT" report -d "$db" -f json >"$tmp/r.json"
for k in '"sources"' '"local_domains"' '"local_nets"' '"clients"' \
    '"accounts"' '"findings"' '"helos"' '"auth_users"' '"first_seen"' \
    '"sha256"' '"unparsed"' '"origin"'; do
	contains "$tmp/r.json" "$k" "JSON has $k"
done
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["ip"]: x for x in d["clients"]}
o = c["127.0.0.66"]["findings"]["open-relay"]
assert (o["messages"], o["recipients"], o["delivered"]) == (4, 14, 9), o
assert c["127.0.0.1"]["findings"] == {}, c["127.0.0.1"]
a = {x["user"]: x for x in d["accounts"]}
assert a["dave@corp.example"]["flagged"] is True
assert a["alice@corp.example"]["flagged"] is False
assert d["open_relay"]["state"] == "closed"
PY
	is $? 0 "JSON parses and holds the counts"
else
	ok 0 "# SKIP python3 not installed"
fi

done_testing
