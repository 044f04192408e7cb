#!/bin/sh
# End-to-end on the OpenSMTPD sample incident (samples/opensmtpd): the
# per-IP counts are the ground truth of samples/opensmtpd/expected.md,
# derived from the traffic plan that drove the real OpenSMTPD, not from this
# program.  Where the log cannot show what the plan did, the log's value is
# asserted and the reason given.  The locality is given by flags first;
# partner.example, the backup-MX domain, is given as local, which judges
# mail to it inbound as expected.md does.  At the end, --mta-config with
# the sample's smtpd.conf must give the same verdicts.  There is no SASL
# in this sample: Debian 12's OpenSMTPD cannot do TLS (see
# samples/README.md).
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/opensmtpd"
RT=$RELAYTRACE
db="$tmp/t.db"

"$RT" investigate -q -d "$db" --local-domain corp.example \
    --local-domain mx.corp.example --local-domain localhost.corp.example \
    --local-domain localhost --local-domain partner.example \
    --local-net 127.0.0.1/32 --local-net 127.0.0.10/32 "$S/mail.log" \
    >"$tmp/report.txt"
is $? 0 "investigate the OpenSMTPD sample"
is "$(q "SELECT format || ' ' || unparsed FROM sources")" \
    "opensmtpd-rfc3339 0" "recognised, every line understood"

# f IP KIND: "findings/recipients/delivered/deferred/bounced".
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

# Open relay (phase 1, match from any for any): msgs/pairs and foreign
# sent/deferred/bounced.  Without SASL, the clients that log in elsewhere
# are unauthenticated here.
is "$(f 127.0.0.66 open-relay)" "4/14/9/1/4" "127.0.0.66 open relay"
is "$(f 127.0.0.101 open-relay)" "1/5/5/0/0" "127.0.0.101 open relay"
is "$(f 127.0.0.102 open-relay)" "1/4/2/0/2" "127.0.0.102 open relay"
is "$(f 127.0.0.105 open-relay)" "1/3/2/1/0" "127.0.0.105 open relay"
is "$(f 127.0.0.30 open-relay)" "2/3/3/0/0" "127.0.0.30 open relay"
# expected.md has 2/5 pairs for 127.0.0.77 and an accepted address trick:
# the source route @corp.example:route@foreign.example was accepted, but
# OpenSMTPD logs the envelope already stripped (to=<route@foreign.example>).
is "$(f 127.0.0.77 open-relay)" "2/5/4/0/1" "127.0.0.77 open relay"

# Relay attempts (tx/pairs): "550 Invalid recipient".
is "$(f 127.0.0.66 relay-attempt)" "2/5/0/0/0" "127.0.0.66 refused"
is "$(f 127.0.0.77 relay-attempt)" "3/13/0/0/0" "127.0.0.77 refused"
for pair in 127.0.0.101:1/5 127.0.0.103:1/3 127.0.0.104:1/3 \
    127.0.0.105:1/1 127.0.0.30:1/1 127.0.0.31:1/1; do
	is "$(f "${pair%:*}" relay-attempt | cut -d/ -f1,2)" "${pair#*:}" \
	    "${pair%:*} refused"
done
# 127.0.0.88's probes got 503 to RCPT (EHLO refused, so no MAIL): the
# server never judged a recipient; expected.md counts no attempt.
is "$(f 127.0.0.88 relay-attempt | cut -d/ -f1,2)" "0/0" \
    "127.0.0.88: a 503 to RCPT is not a relay attempt"

# Trusted relay: the compromised internal web server.
is "$(f 127.0.0.10 trusted-relay)" "2/11/8/1/2" "127.0.0.10 trusted relay"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'auth-relay'")" 0 \
    "no SASL, no auth-relay"

# Address tricks: the five routing forms and IMCEA, refused (550 or 501)
# in both phases; the accepted source route is logged stripped (above).
is "$(q "SELECT sum(outcome != 'rejected') || '/' || sum(outcome =
    'rejected') FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.tricked AND m.client_ip = '127.0.0.77'")" "0/11" \
    "127.0.0.77 address tricks accepted/refused"

# Backscatter: OpenSMTPD logs a bounce as a local message from <>; the
# parser links it to the message whose envelope failed for good.
is "$(f 127.0.0.99 backscatter | cut -d/ -f1)" 4 "127.0.0.99 backscatter"
is "$(f 127.0.0.10 backscatter | cut -d/ -f1)" 2 "127.0.0.10 backscatter"
is "$(f 127.0.0.66 backscatter | cut -d/ -f1)" 1 "127.0.0.66 backscatter"
is "$(f 127.0.0.102 backscatter | cut -d/ -f1)" 1 "127.0.0.102 backscatter"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'backscatter'")" 8 \
    "8 bounces to foreign senders in all"
is "$(q "SELECT sum(recipients) FROM findings WHERE kind = 'blacklisted'")" \
    9 "9 deliveries refused naming a blocklist"
for pair in 127.0.0.10:2 127.0.0.66:3 127.0.0.77:1 127.0.0.99:1 \
    127.0.0.102:2; do
	is "$(q "SELECT coalesce(sum(recipients), 0) FROM findings WHERE
	    kind = 'blacklisted' AND client_ip = '${pair%:*}'")" \
	    "${pair#*:}" "blacklisted deliveries of ${pair%:*}"
done

# Totals: expected.md's messages less the local submission.
is "$(q "SELECT count(*) FROM messages WHERE origin = 'smtpd' AND
    accepted")" 31 "31 SMTP client messages accepted"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'pickup'")" 1 \
    "1 local submission"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'bounce'")" 9 \
    "9 bounces linked to their messages"

# Sessions per client IP (expected.md).
for pair in 127.0.0.1:3 127.0.0.10:4 127.0.0.21:2 127.0.0.22:3 \
    127.0.0.23:2 127.0.0.30:3 127.0.0.31:1 127.0.0.40:1 127.0.0.50:1 \
    127.0.0.66:6 127.0.0.77:4 127.0.0.88:6 127.0.0.99:4 \
    127.0.0.101:2 127.0.0.102:1 127.0.0.103:1 127.0.0.104:1 \
    127.0.0.105:3; do
	ip=${pair%:*}
	is "$(q "SELECT count(*) FROM sessions WHERE client_ip = '$ip'")" \
	    "${pair#*:}" "sessions from $ip"
done

# The innocent are not named.
for ip in 127.0.0.1 127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.40 \
    127.0.0.50; do
	is "$(q "SELECT count(*) FROM findings WHERE client_ip = '$ip'")" 0 \
	    "no finding against $ip"
done
contains "$tmp/report.txt" "the hole looks CLOSED" "the fix is recognised"

# The credentials OpenSMTPD logged (AUTH arguments in failed-command) are
# in no field of the database but the raw evidence line.
is "$(q "SELECT count(*) FROM recipients WHERE reply_text LIKE '%AGRh%'
    OR rcpt_raw LIKE '%AGRh%'")" 0 "no credentials outside the evidence"

# Every evidence line is the exact line of the file at that number.
is "$(evidence_bad "$db" 1 "$S/mail.log" "instr(CAST(text AS TEXT), '<redacted>') = 0")" 0 \
    "evidence lines match the source by number, byte for byte"

# OpenSMTPD logs the AUTH argument (base64 credentials) in failed-command
# lines; the evidence keeps the line with it redacted.
leaks=0
for b64 in $(grep -o 'command="AUTH [A-Z0-9-]* [^"]*"' "$S/mail.log" |
    sed 's/.* \([^ "]*\)"$/\1/' | sort -u); do
	if grep -aqF -- "$b64" "$db"; then
		leaks=$((leaks + 1))
		echo "# $b64 is in the database"
	fi
done
ok $([ "$(grep -c 'command="AUTH ' "$S/mail.log")" -gt 0 ] && echo 0 ||
    echo 1) "the sample's log holds AUTH arguments"
is "$leaks" 0 "no logged AUTH credentials in the database"
contains_db=$("$RT" sql -d "$db" "SELECT count(*) FROM evidence WHERE
    instr(CAST(text AS TEXT), 'AUTH PLAIN <redacted>') > 0" | sed -n 2p)
ok $([ "$contains_db" -gt 0 ] && echo 0 || echo 1) \
    "the AUTH lines are kept, redacted ($contains_db)"

# --- --mta-config smtpd.conf instead of the flags. ---
# <ourdomains> is delivered by action "local" (mbox): local; "for local"
# adds localhost; <partner> is relayed for any client: a relay domain;
# <trusted> may relay for any: trusted networks.
c="$tmp/conf.db"
"$RT" ingest -q -d "$c" --mta-config "$S/smtpd.conf" "$S/mail.log" \
    2>"$tmp/conf.err"
is $? 0 "--mta-config smtpd.conf: ingest"
qc() { "$RT" sql -d "$c" "$1" | sed -n 2p; }
is "$(qc "SELECT group_concat(domain || ' ' || class, ', ') FROM
    (SELECT * FROM local_domains WHERE origin = 'config' ORDER BY domain)")" \
    "corp.example local, localhost local, localhost.corp.example local, mx.corp.example local, partner.example relay" \
    "--mta-config smtpd.conf: the domains"
is "$(qc "SELECT group_concat(cidr, ', ') FROM
    (SELECT * FROM local_nets WHERE origin = 'config' ORDER BY cidr)")" \
    "127.0.0.1/32, 127.0.0.10/32" "--mta-config smtpd.conf: the networks"
contains "$tmp/conf.err" "for local: the server's host name" \
    "--mta-config smtpd.conf: the host name it cannot know is named"
digest="SELECT group_concat(x, ' | ') FROM (SELECT client_ip || ' ' || kind
    || ' ' || count(*) || '/' || sum(recipients) || '/' || sum(delivered) ||
    '/' || sum(deferred) || '/' || sum(bounced) AS x FROM findings
    GROUP BY client_ip, kind ORDER BY client_ip, kind)"
verdicts="SELECT group_concat(x, ' | ') FROM (SELECT coalesce(verdict, '-')
    || ' ' || direction || ' ' || authority || ' ' || count(*) AS x
    FROM recipients GROUP BY verdict, direction, authority ORDER BY 1)"
is "$(qc "$digest")" "$(q "$digest")" \
    "--mta-config smtpd.conf: the findings of the flags, per client and kind"
is "$(qc "$verdicts")" "$(q "$verdicts")" \
    "--mta-config smtpd.conf: the verdicts of the flags"
case "$(q "$digest") $(q "$verdicts")" in
"127.0.0.10 "*" | "*"open-relay relay none "*) ok 0 "--mta-config smtpd.conf: the digests are not empty" ;;
*) ok 1 "--mta-config smtpd.conf: the digests are not empty" ;;
esac
is "$(qc "SELECT count(*) || '/' || sum(recipients) FROM findings WHERE
    client_ip = '127.0.0.66' AND kind = 'open-relay'")" "4/14" \
    "--mta-config smtpd.conf: 127.0.0.66 open relay"

# Phase 1's configuration, made as make-incident.sh made it, is named an
# open relay.
awk '/^match from src <trusted> for any action "outbound"$/ {
         print "match from any for any action \"outbound\""; next }
     /^match auth from any for any action "outbound"$/ { next }
     { print }' "$S/smtpd.conf" >"$tmp/smtpd.conf"
"$RT" ingest -q -d "$tmp/p1.db" --mta-config "$tmp/smtpd.conf" /dev/null \
    2>"$tmp/p1.err"
contains "$tmp/p1.err" "every client may relay to any domain: an open relay" \
    "phase 1's smtpd.conf: an open relay"

done_testing
