#!/bin/sh
# End-to-end on the capture of the sample incident (samples/pcap/): the
# capture alone gives the same per-IP relay counts as the logs, the two
# together give the same counts, not double, and no password seen on the
# wire reaches the database or any output.
. "${top_srcdir:-.}/tests/tap.sh"
S=$(cd "$top_srcdir/samples" && pwd)
RT=$RELAYTRACE
cfg="$S/postfix/main.cf"

"$RT" ingest -q -d "$tmp/log.db" --mta-config "$cfg" "$S/postfix/mail.log"
is $? 0 "the log alone"
"$RT" ingest -q -d "$tmp/wire.db" --mta-config "$cfg" \
    --extract "$tmp/eml" "$S/pcap/incident.pcap" 2>"$tmp/err"
is $? 2 "--extract to a missing directory: usage error"
contains "$tmp/err" "not a directory" "--extract: says why"
mkdir -p "$tmp/eml"
"$RT" ingest -d "$tmp/wire.db" --mta-config "$cfg" --extract "$tmp/eml" \
    "$S/pcap/incident.pcap" 2>"$tmp/err"
is $? 0 "the capture alone"
contains "$tmp/err" "3 SMTP sessions went TLS" "STARTTLS sessions named"
"$RT" ingest -q -d "$tmp/both.db" --mta-config "$cfg" \
    "$S/postfix/mail.log" "$S/pcap/incident.pcap"
is $? 0 "log and capture together (capture read first)"

# A log message finds its captured copy by queue id alone (the capture
# does not know the server's syslog name): through the index, not a scan
# of every message (the same WHERE as store.c's STMT_MESSAGE_FIND_WIRE).
"$RT" sql -d "$tmp/both.db" "EXPLAIN QUERY PLAN SELECT id FROM messages
    WHERE queue_id = 'X' AND evidence_kind = 'wire'
    AND first_epoch BETWEEN 1 - 600 AND 1 + 600
    ORDER BY abs(first_epoch - 1), id LIMIT 1" >"$tmp/plan"
contains "$tmp/plan" "USING INDEX messages_queue (queue_id=?)" \
    "a queue id is looked up through the index"

# The log in one run, the capture in a later one: the store is made again
# with the capture read first, so it is the store of one run with both.
"$RT" ingest -q -d "$tmp/later.db" --mta-config "$cfg" "$S/postfix/mail.log"
"$RT" ingest -d "$tmp/later.db" --mta-config "$cfg" \
    "$S/pcap/incident.pcap" 2>"$tmp/later.err"
is $? 0 "the capture in a later run than the log"
contains "$tmp/later.err" "reading them again after it" \
    "later capture: says the store is made again"
tables() {
	for t in sessions messages recipients findings evidence headers \
	    local_domains local_nets; do
		"$RT" sql -d "$1" "SELECT * FROM $t ORDER BY 1"
	done
}
tables "$tmp/both.db" >"$tmp/t.both"
tables "$tmp/later.db" >"$tmp/t.later"
cmp -s "$tmp/t.both" "$tmp/t.later"
is $? 0 "later capture: the same rows as log and capture in one run"
is "$(ls "$tmp" | grep -c rebuild)" 0 \
    "later capture: no temporary database left"
"$RT" ingest -d "$tmp/later.db" --mta-config "$cfg" \
    "$S/pcap/incident.pcap" 2>"$tmp/later.err"
is $? 0 "the same capture again"
grep -q "reading them again" "$tmp/later.err"
is $? 1 "the same capture again: skipped, nothing made again"
# A stored log that is gone: the capture is stored beside it, unjoined.
cp "$S/postfix/mail.log" "$tmp/gone.log"
"$RT" ingest -q -d "$tmp/gone.db" --mta-config "$cfg" "$tmp/gone.log"
rm "$tmp/gone.log"
"$RT" ingest -d "$tmp/gone.db" --mta-config "$cfg" \
    "$S/pcap/incident.pcap" 2>"$tmp/gone.err"
is $? 0 "later capture, the stored log gone: exit 0"
contains "$tmp/gone.err" "gone.log: No such file" \
    "later capture, the stored log gone: names it"
contains "$tmp/gone.err" "not joined" \
    "later capture, the stored log gone: says the capture is not joined"
is "$("$RT" sql -d "$tmp/gone.db" "SELECT count(*) FROM sources")" \
    "$(printf 'count(*)\n2')" "later capture, the stored log gone: both stored"

# Stored sources found again for the store made again: from another
# directory (the path as given was relative), in an incident folder moved
# since, beside the new source or the database; never a file of the same
# name with other bytes.  Each time the store is the one of log and
# capture read together.
mkdir -p "$tmp/case/logs" "$tmp/case/pcap" "$tmp/elsewhere"
cp "$S/postfix/mail.log" "$tmp/case/logs/mail.log"
cp "$S/pcap/incident.pcap" "$tmp/case/pcap/incident.pcap"
cp -R "$tmp/case" "$tmp/case2"
cp -R "$tmp/case" "$tmp/case3"
case_abs=$(cd "$tmp/case" && pwd -P)
(cd "$tmp/case" && "$RT" ingest -q -d ../cwd.db --mta-config "$cfg" \
    logs/mail.log)
is "$("$RT" sql -d "$tmp/cwd.db" "SELECT path || ' ' || abspath FROM
    sources" | sed -n 2p)" "logs/mail.log $case_abs/logs/mail.log" \
    "a source's path is kept as given and made absolute"
(cd "$tmp/elsewhere" && "$RT" ingest -d ../cwd.db --mta-config "$cfg" \
    "$tmp/case/pcap/incident.pcap") 2>"$tmp/cwd.err"
is $? 0 "from another directory: a later capture"
contains "$tmp/cwd.err" \
    "stored source logs/mail.log: read from $case_abs/logs/mail.log" \
    "from another directory: the log found where it was read"
tables "$tmp/cwd.db" >"$tmp/t.cwd"
cmp -s "$tmp/t.both" "$tmp/t.cwd"
is $? 0 "from another directory: the store of log and capture together"

(cd "$tmp/case2" && "$RT" ingest -q -d ../moved.db --mta-config "$cfg" \
    logs/mail.log)
mv "$tmp/case2" "$tmp/case2.moved"
(cd "$tmp/elsewhere" && "$RT" ingest -d ../moved.db --mta-config "$cfg" \
    "$tmp/case2.moved/pcap/incident.pcap") 2>"$tmp/moved.err"
is $? 0 "a moved folder: a later capture from it"
contains "$tmp/moved.err" "case2.moved/logs/mail.log (the same SHA-256)" \
    "a moved folder: the log found above the capture's directory"
tables "$tmp/moved.db" >"$tmp/t.moved"
cmp -s "$tmp/t.both" "$tmp/t.moved"
is $? 0 "a moved folder: the store of log and capture together"

mkdir "$tmp/flat"
cp "$S/postfix/mail.log" "$tmp/flat/mail.log"
"$RT" ingest -q -d "$tmp/flat.db" --mta-config "$cfg" "$tmp/flat/mail.log"
mv "$tmp/flat" "$tmp/flat.moved"
cp "$S/pcap/incident.pcap" "$tmp/flat.moved/incident.pcap"
"$RT" ingest -q -d "$tmp/flat.db" --mta-config "$cfg" \
    "$tmp/flat.moved/incident.pcap" 2>"$tmp/flat.err"
is $? 0 "beside the new source: a later capture"
tables "$tmp/flat.db" >"$tmp/t.flat"
cmp -s "$tmp/t.both" "$tmp/t.flat"
is $? 0 "beside the new source: the store of log and capture together"
is "$("$RT" sql -d "$tmp/flat.db" "SELECT group_concat(path, ' ') FROM
    (SELECT path FROM sources ORDER BY id)" | sed -n 2p)" \
    "$tmp/flat.moved/incident.pcap $tmp/flat.moved/mail.log" \
    "beside the new source: the sources as read now"

(cd "$tmp/case3" && "$RT" ingest -q -d case.db --mta-config "$cfg" \
    logs/mail.log)
mv "$tmp/case3" "$tmp/case3.moved"
(cd "$tmp/elsewhere" && "$RT" ingest -q -d ../case3.moved/case.db \
    --mta-config "$cfg" "$S/pcap/incident.pcap") 2>"$tmp/db.err"
is $? 0 "moved with the database: a capture from elsewhere"
tables "$tmp/case3.moved/case.db" >"$tmp/t.db"
cmp -s "$tmp/t.both" "$tmp/t.db"
is $? 0 "moved with the database: the log found beside it"

mkdir "$tmp/other" "$tmp/other2"
cp "$S/postfix/mail.log" "$tmp/other/mail.log"
"$RT" ingest -q -d "$tmp/other.db" --mta-config "$cfg" "$tmp/other/mail.log"
rm "$tmp/other/mail.log"
cp "$S/postfix/mail-bsd.log" "$tmp/other2/mail.log"
cp "$S/pcap/incident.pcap" "$tmp/other2/incident.pcap"
"$RT" ingest -d "$tmp/other.db" --mta-config "$cfg" \
    "$tmp/other2/incident.pcap" 2>"$tmp/other.err"
is $? 0 "another file of the name beside the capture: exit 0"
contains "$tmp/other.err" "other/mail.log: No such file" \
    "another file of the name: not taken, the stored one named"
contains "$tmp/other.err" "not joined" \
    "another file of the name: the capture is stored unjoined"
is "$("$RT" sql -d "$tmp/other.db" "SELECT count(*) FROM sources WHERE
    path LIKE '%other2/mail.log'")" "$(printf 'count(*)\n0')" \
    "another file of the name: never read"

counts() {
	"$RT" sql -d "$1" "SELECT client_ip, kind, count(*), sum(recipients)
	    FROM findings WHERE kind IN ('open-relay', 'relay-attempt',
	    'trusted-relay', 'auth-relay') AND NOT (client_ip = '127.0.0.88'
	    AND kind = 'open-relay') GROUP BY 1, 2 ORDER BY 1, 2"
}
counts "$tmp/log.db" >"$tmp/c.log"
counts "$tmp/wire.db" >"$tmp/c.wire"
counts "$tmp/both.db" >"$tmp/c.both"
ok $([ "$(wc -l <"$tmp/c.log")" -gt 10 ] && echo 0 || echo 1) \
    "the log has relay findings to compare"
cmp -s "$tmp/c.log" "$tmp/c.wire"
is $? 0 "capture alone: the same per-IP relay counts as the log"
cmp -s "$tmp/c.log" "$tmp/c.both"
is $? 0 "log and capture: the same counts, not double"
[ $? -eq 0 ] || diff "$tmp/c.log" "$tmp/c.both" | sed 's/^/# /'
# 127.0.0.88's probe: RCPT accepted, then QUIT before DATA.  The log has
# no address for it (samples/expected.md: 1 message, 3 pairs); the wire
# has the pair.
is "$(q_() { "$RT" sql -d "$1" "$2" | sed -n 2p; }; q_ "$tmp/wire.db" \
    "SELECT sum(recipients) FROM findings WHERE client_ip = '127.0.0.88'
    AND kind = 'open-relay'")" 3 "the capture sees the probe's pair"

w() { "$RT" sql -d "$tmp/wire.db" "$1" | sed -n 2p; }
b() { "$RT" sql -d "$tmp/both.db" "$1" | sed -n 2p; }
is "$(w "SELECT count(*) FROM sessions")" 48 "48 sessions on the wire"
is "$(w "SELECT count(*) FROM sessions WHERE unreadable")" 3 \
    "3 sessions hidden by STARTTLS"
is "$(b "SELECT count(*) || '/' || sum(kind = 'both') FROM sessions")" \
    "48/48" "together: 48 sessions, every one joined"
is "$(b "SELECT count(*) FROM messages WHERE origin = 'smtpd' AND
    accepted")" 37 "together: 37 client messages, as in the log"
is "$(b "SELECT count(*) FROM messages WHERE evidence_kind = 'both'
    AND accepted")" "$(w "SELECT count(*) FROM messages WHERE accepted")" \
    "every message the capture saw queued is joined to its log lines"
is "$(b "SELECT sum(delivered) FROM findings WHERE kind = 'open-relay'")" \
    19 "together: deliveries from the log on the capture's messages"
# Source routes: the capture keeps what the log loses.
is "$(w "SELECT count(*) FROM recipients WHERE trick = 'source-route'")" \
    2 "the two source-routed recipients are on the wire"
is "$(w "SELECT count(*) FROM recipients r JOIN messages m ON
    m.id = r.message_id WHERE r.tricked AND m.client_ip = '127.0.0.77'")" \
    12 "127.0.0.77: 12 address tricks (expected.md: 5 + 7)"
is "$(w "SELECT subject FROM messages WHERE queue_id = '6C805A72062'")" \
    "You have won 1,000,000 EUR" "headers from the wire"
n=$(ls "$tmp/eml" | wc -l)
is "$n" "$(w "SELECT count(DISTINCT body_sha256) FROM messages WHERE
    body_sha256 IS NOT NULL")" "--extract wrote one .eml per distinct body"
f=$(ls "$tmp/eml" | head -n 1)
is "$(sha256sum "$tmp/eml/$f" | cut -c1-64).eml" "$f" \
    "an extracted message is named by its SHA-256"

# The show command prints the wire transcript beside the log lines.
sid=$(b "SELECT session_id FROM findings WHERE client_ip = '127.0.0.66'
    AND kind = 'open-relay' ORDER BY id LIMIT 1")
"$RT" show -d "$tmp/both.db" "$sid" >"$tmp/show"
contains "$tmp/show" "Wire transcript" "show: the wire transcript"
contains "$tmp/show" "Log lines" "show: the log lines"
contains "$tmp/show" "queued as" "show: the reply that joins them"

# Passwords never leave: not in the database file, not in any output.
for db in wire both; do
	"$RT" report -d "$tmp/$db.db" >"$tmp/out.$db"
	"$RT" report -d "$tmp/$db.db" -f json >>"$tmp/out.$db"
	for s in $("$RT" sql -d "$tmp/$db.db" "SELECT id FROM sessions" |
	    sed 1d); do
		"$RT" show -d "$tmp/$db.db" "$s"
	done >>"$tmp/out.$db"
	for t in evidence headers sessions messages recipients findings; do
		"$RT" sql -d "$tmp/$db.db" "SELECT * FROM $t"
	done >>"$tmp/out.$db"
done
cat "$tmp/err" >>"$tmp/out.wire"
leaks=0
for pw in Wonderland-2026 Builder-2026 dave1234 dave2025 password; do
	b64=$(printf '%s' "$pw" | base64)
	plain=$(printf '\000dave\000%s' "$pw" | base64)
	plain2=$(printf '\000dave@corp.example\000%s' "$pw" | base64)
	for f in "$tmp/wire.db" "$tmp/both.db" "$tmp/out.wire" \
	    "$tmp/out.both" "$tmp"/eml/*; do
		for needle in "$pw" "$b64" "$plain" "$plain2"; do
			[ "$pw" = password ] && [ "$needle" = "$pw" ] && continue
			if grep -aqF -- "$needle" "$f"; then
				leaks=$((leaks + 1))
				echo "# '$needle' found in $f"
			fi
		done
	done
done
is "$leaks" 0 "no password, plain or base64, in any database or output"
contains "$tmp/out.wire" "<redacted>" "AUTH lines are kept, redacted"
is "$(w "SELECT group_concat(DISTINCT auth_user) FROM (SELECT auth_user
    FROM sessions WHERE auth_user IS NOT NULL ORDER BY 1)")" \
    "alice,bob,dave" "the user names are kept"

done_testing
