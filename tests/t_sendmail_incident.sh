#!/bin/sh
# End-to-end on the Sendmail sample incident (samples/sendmail): the per-IP
# and per-account counts are the ground truth of samples/sendmail/expected.md,
# derived from the traffic plan that drove the real sendmail, not from this
# program.  Where the log cannot show what the plan did, the log's value is
# asserted and the reason given.  The locality is given by flags first;
# partner.example, the backup-MX domain, is given as local, which judges
# mail to it inbound as expected.md does.  At the end, --mta-config with
# the sample's sendmail.mc (and the files beside it) must give the same
# verdicts.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/sendmail"
RT=$RELAYTRACE
db="$tmp/t.db"

"$RT" investigate -q -d "$db" --local-domain corp.example \
    --local-domain mx.corp.example --local-domain localhost.corp.example \
    --local-domain localhost --local-domain partner.example \
    --local-net 127.0.0.1/32 --local-net 127.0.0.10/32 "$S/mail.log" \
    >"$tmp/report.txt"
is $? 0 "investigate the Sendmail sample"
is "$(q "SELECT format || ' ' || unparsed FROM sources")" \
    "sendmail-rfc3339 0" "recognised, every line understood"

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

# Open relay (phase 1, FEATURE(`promiscuous_relay')): msgs/pairs and
# foreign sent/deferred/bounced.
is "$(f 127.0.0.66 open-relay)" "4/14/9/1/4" "127.0.0.66 open relay"
is "$(f 127.0.0.77 open-relay)" "2/8/7/0/1" "127.0.0.77 open relay"
is "$(f 127.0.0.88 open-relay)" "0/0/0/0/0" "127.0.0.88 relayed nothing"

# Relay attempts (tx/pairs).
is "$(f 127.0.0.66 relay-attempt)" "2/5/0/0/0" "127.0.0.66 refused"
is "$(f 127.0.0.77 relay-attempt)" "3/10/0/0/0" "127.0.0.77 refused"
is "$(f 127.0.0.105 relay-attempt)" "1/1/0/0/0" "127.0.0.105 refused"
# expected.md has 1/2 for 127.0.0.88: its pipelined transaction (p1-17) got
# 550 to both RCPTs, but sendmail logs only "rejecting server EHLO ... due
# to traffic before response"; the recipients are only in the capture.
is "$(f 127.0.0.88 relay-attempt)" "0/0/0/0/0" \
    "127.0.0.88: the refused pipelined RCPTs are not in the log"

# Trusted relay: the compromised internal web server.
is "$(f 127.0.0.10 trusted-relay)" "2/11/8/1/2" "127.0.0.10 trusted relay"

# Authenticated relaying (AUTH=server ... authid=), per IP and account.
is "$(f 127.0.0.101 auth-relay)" "2/10/10/0/0" "127.0.0.101 as dave"
is "$(f 127.0.0.102 auth-relay)" "1/4/2/0/2" "127.0.0.102 as dave"
is "$(f 127.0.0.103 auth-relay)" "1/3/2/0/1" "127.0.0.103 as dave"
is "$(f 127.0.0.104 auth-relay)" "1/3/3/0/0" "127.0.0.104 as dave"
is "$(f 127.0.0.105 auth-relay)" "1/3/2/1/0" "127.0.0.105 as dave"
is "$(fa dave auth-relay)" "6/23/19/1/3" "dave in all"
is "$(fa alice auth-relay)" "3/4/4/0/0" "alice in all"
is "$(fa bob auth-relay)" "1/1/1/0/0" "bob in all"
is "$(q "SELECT group_concat(auth_user) FROM account_flags")" "dave" \
    "only dave is flagged"
is "$(q "SELECT sum(auth_failures) FROM sessions
    WHERE client_ip = '127.0.0.105'")" 4 "127.0.0.105: 4 failed logins"

# Address tricks: sendmail logs them raw, the source route included.
is "$(q "SELECT sum(outcome != 'rejected') || '/' || sum(outcome =
    'rejected') FROM recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.tricked AND m.client_ip = '127.0.0.77'")" "4/8" \
    "127.0.0.77 address tricks accepted/refused"

# Backscatter (DSNs to foreign forged senders) and blocklisting.
is "$(f 127.0.0.99 backscatter | cut -d/ -f1)" 4 "127.0.0.99 backscatter"
is "$(f 127.0.0.10 backscatter | cut -d/ -f1)" 2 "127.0.0.10 backscatter"
is "$(f 127.0.0.66 backscatter | cut -d/ -f1)" 1 "127.0.0.66 backscatter"
is "$(f 127.0.0.102 backscatter | cut -d/ -f1)" 1 "127.0.0.102 backscatter"
is "$(f 127.0.0.103 backscatter | cut -d/ -f1)" 1 "127.0.0.103 backscatter"
is "$(q "SELECT count(*) FROM findings WHERE kind = 'backscatter'")" 9 \
    "9 DSNs to foreign senders in all"
is "$(q "SELECT sum(recipients) FROM findings WHERE kind = 'blacklisted'")" \
    9 "9 deliveries refused naming a blocklist"
for pair in 127.0.0.10:2 127.0.0.66:3 127.0.0.77:1 127.0.0.99:1 \
    127.0.0.102:2; do
	is "$(q "SELECT coalesce(sum(recipients), 0) FROM findings WHERE
	    kind = 'blacklisted' AND client_ip = '${pair%:*}'")" \
	    "${pair#*:}" "blacklisted deliveries of ${pair%:*}"
done

# Totals: 36 SMTP messages and one local submission; 10 DSNs plus the
# refused one returned to the postmaster ("return to sender").
is "$(q "SELECT count(*) FROM messages WHERE origin = 'smtpd' AND
    accepted")" 36 "36 SMTP client messages accepted"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'pickup'")" 1 \
    "1 local submission"
is "$(q "SELECT count(*) FROM messages WHERE origin = 'bounce'")" 11 \
    "10 DSNs and the returned one"

# Sessions per client IP (expected.md).
for pair in 127.0.0.1:3 127.0.0.10:4 127.0.0.21:2 127.0.0.22:3 \
    127.0.0.23:2 127.0.0.30:3 127.0.0.31:1 127.0.0.40:1 127.0.0.50:1 \
    127.0.0.66:6 127.0.0.77:4 127.0.0.88:7 127.0.0.89:4 127.0.0.99:4 \
    127.0.0.101:2 127.0.0.102:1 127.0.0.103:1 127.0.0.104:1 \
    127.0.0.105:3; do
	ip=${pair%:*}
	is "$(q "SELECT count(*) FROM sessions WHERE client_ip = '$ip'")" \
	    "${pair#*:}" "sessions from $ip"
done

# The innocent are not named.
for ip in 127.0.0.1 127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.30 \
    127.0.0.31 127.0.0.40 127.0.0.50 127.0.0.89; do
	is "$(q "SELECT count(*) FROM findings WHERE client_ip = '$ip' AND
	    kind NOT IN ('auth-relay')")" 0 "no finding against $ip"
done
contains "$tmp/report.txt" "the hole looks CLOSED" "the fix is recognised"

# Every evidence line is the exact line of the file at that number.
is "$(evidence_bad "$db" 1 "$S/mail.log")" 0 \
    "evidence lines match the source by number, byte for byte"

# --- --mta-config sendmail.mc instead of the flags. ---
# FEATURE(`use_cw_file'): local-host-names (4 names, local);
# confDOMAIN_NAME mx.corp.example and Cwlocalhost (already there);
# access: To:partner.example RELAY (a relay domain, its subdomains too),
# Connect:127.0.0.1 and Connect:127.0.0.10 RELAY (trusted), the two
# Connect:localhost... entries name clients by DNS name (warned about);
# mailertable routes partner.example, which makes it neither.
c="$tmp/conf.db"
"$RT" ingest -q -d "$c" --mta-config "$S/sendmail.mc" "$S/mail.log" \
    2>"$tmp/conf.err"
is $? 0 "--mta-config sendmail.mc: ingest"
qc() { "$RT" sql -d "$c" "$1" | sed -n 2p; }
is "$(qc "SELECT group_concat(domain || ' ' || class, ', ') FROM
    (SELECT * FROM local_domains WHERE origin = 'config' ORDER BY domain)")" \
    ".partner.example relay, corp.example local, localhost local, localhost.corp.example local, mx.corp.example local, partner.example relay" \
    "--mta-config sendmail.mc: the domains"
is "$(qc "SELECT group_concat(cidr, ', ') FROM
    (SELECT * FROM local_nets WHERE origin = 'config' ORDER BY cidr)")" \
    "127.0.0.1/32, 127.0.0.10/32" "--mta-config sendmail.mc: the networks"
contains "$tmp/conf.err" "Connect:localhost RELAY: a client by its DNS name" \
    "--mta-config sendmail.mc: a client by name is named as unknowable"
contains "$tmp/conf.err" "/etc/mail/relay-domains (optional)" \
    "--mta-config sendmail.mc: the missing relay-domains is named"
digest="SELECT group_concat(x, ' | ') FROM (SELECT client_ip || ' ' || kind
    || ' ' || count(*) || '/' || sum(recipients) || '/' || sum(delivered) ||
    '/' || sum(deferred) || '/' || sum(bounced) AS x FROM findings
    GROUP BY client_ip, kind ORDER BY client_ip, kind)"
verdicts="SELECT group_concat(x, ' | ') FROM (SELECT coalesce(verdict, '-')
    || ' ' || direction || ' ' || authority || ' ' || count(*) AS x
    FROM recipients GROUP BY verdict, direction, authority ORDER BY 1)"
is "$(qc "$digest")" "$(q "$digest")" \
    "--mta-config sendmail.mc: the findings of the flags, per client and kind"
is "$(qc "$verdicts")" "$(q "$verdicts")" \
    "--mta-config sendmail.mc: the verdicts of the flags"
case "$(q "$digest") $(q "$verdicts")" in
"127.0.0.10 "*" | "*"open-relay relay none "*) ok 0 "--mta-config sendmail.mc: the digests are not empty" ;;
*) ok 1 "--mta-config sendmail.mc: the digests are not empty" ;;
esac
is "$(qc "SELECT count(*) || '/' || sum(recipients) FROM findings WHERE
    client_ip = '127.0.0.66' AND kind = 'open-relay'")" "4/14" \
    "--mta-config sendmail.mc: 127.0.0.66 open relay"

# Phase 1's sendmail.mc, made as make-incident.sh made it, is named an
# open relay.
sed 's/^dnl # Default Mailer setup$/FEATURE(`promiscuous_relay'"'"')dnl\n&/' \
    "$S/sendmail.mc" >"$tmp/sendmail.mc"
"$RT" ingest -q -d "$tmp/p1.db" --mta-config "$tmp/sendmail.mc" /dev/null \
    2>"$tmp/p1.err"
contains "$tmp/p1.err" "FEATURE(promiscuous_relay): every destination" \
    "phase 1's sendmail.mc: an open relay"

done_testing
