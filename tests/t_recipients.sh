#!/bin/sh
# A message's recipients, found again when later lines name them: the
# same recipient deferred then delivered is one row with two attempts; an
# alias (orig_to) expanded to several mailboxes is a row per mailbox.  The
# message has 303 recipients, more than the 256 that are searched in
# order, so the later lookups go through the recipient index
# (correlate.c), which must give the answer the search in order gives.
# Expected rows worked out from the log below.
. "${top_srcdir:-.}/tests/tap.sh"
RT=$RELAYTRACE
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_recipients.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

q=5BBBBA72000
n=0
# ln PROGRAM TEXT: a Postfix line, one second after the one before.
ln() {
	n=$((n + 1))
	printf '2026-12-02T10:%02d:%02d.000000+00:00 mx postfix/%s[8%02d]: %s\n' \
	    $((n / 60)) $((n % 60)) "$1" $((n % 7)) "$2"
}
smtp() {
	ln smtp "$q: to=<$1>, relay=mx.victim.example[198.51.100.7]:25, delay=1, delays=0/0/0/1, dsn=$2, status=$3"
}
local_() {
	ln local "$q: to=<$1@corp.example>, orig_to=<team@corp.example>, relay=local, delay=1, delays=0/0/0/1, dsn=$2, status=$3"
}
{
	ln smtpd "connect from unknown[203.0.113.20]"
	ln smtpd "$q: client=unknown[203.0.113.20]"
	ln cleanup "$q: message-id=<b@spam.example>"
	ln qmgr "$q: from=<x@spam.example>, size=900, nrcpt=303 (queue active)"
	i=1
	while [ $i -le 300 ]; do
		smtp "r$i@victim.example" 4.0.0 "deferred (450 try later)"
		i=$((i + 1))
	done
	local_ a 2.0.0 "sent (delivered to mailbox)"
	local_ b 4.2.0 "deferred (mailbox busy)"
	local_ c 2.0.0 "sent (delivered to mailbox)"
	for i in 1 2 3; do
		smtp "r$i@victim.example" 2.0.0 "sent (250 ok)"
	done
	local_ b 2.0.0 "sent (delivered to mailbox)"
} >"$tmp/many.log"

"$RT" ingest -q -d "$tmp/m.db" --local-domain corp.example "$tmp/many.log"
is $? 0 "ingest a message with 303 recipients"
Q() { "$RT" sql -d "$tmp/m.db" "$1" | sed 1d | tr '\t\n' ' ;'; }
is "$(Q "SELECT count(*) FROM recipients")" "303;" \
    "303 rows: 300 remote recipients, 3 mailboxes of the alias"
is "$(Q "SELECT rcpt_raw, outcome, attempts FROM recipients
    WHERE rcpt_domain = 'victim.example' AND outcome = 'delivered'
    ORDER BY id")" \
    "r1@victim.example delivered 2;r2@victim.example delivered 2;r3@victim.example delivered 2;" \
    "a deferred recipient delivered later is the same row, two attempts"
is "$(Q "SELECT count(*), min(attempts), max(attempts) FROM recipients
    WHERE rcpt_domain = 'victim.example' AND outcome = 'deferred'")" \
    "297 1 1;" "the other 297 deferred once"
is "$(Q "SELECT rcpt_raw, final_raw, outcome, attempts FROM recipients
    WHERE rcpt_raw = 'team@corp.example' ORDER BY id")" \
    "team@corp.example a@corp.example delivered 1;team@corp.example b@corp.example delivered 2;team@corp.example c@corp.example delivered 1;" \
    "an alias: a row per mailbox, each with its own attempts"
done_testing
