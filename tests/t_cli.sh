#!/bin/sh
# End-to-end: the command line, exit codes and bad input.  Every case
# checks the message and the status, and that nothing already read is
# lost.
. "${top_srcdir:-.}/tests/tap.sh"
log="$top_srcdir/samples/postfix/mail.log"
RT=$RELAYTRACE
lines=$(wc -l <"$log")

# Usage.
"$RT" >/dev/null 2>&1; is $? 2 "no command: usage, exit 2"
"$RT" frobnicate >/dev/null 2>"$tmp/err"; is $? 2 "unknown command: exit 2"
contains "$tmp/err" "unknown command" "unknown command: says so"
"$RT" --version >"$tmp/out"; is $? 0 "--version"
contains "$tmp/out" "relaytrace 0.1" "--version prints the version"
for c in investigate ingest report sessions show sql; do
	"$RT" $c --help >"$tmp/out" 2>&1; is $? 0 "$c --help exits 0"
	contains "$tmp/out" "usage: relaytrace $c" "$c --help prints usage"
done
"$RT" ingest -d "$tmp/u.db" --bogus x >/dev/null 2>"$tmp/err"
is $? 2 "unknown option: exit 2"
"$RT" ingest -d "$tmp/u.db" >/dev/null 2>&1; is $? 2 "ingest without files"
"$RT" ingest -d "$tmp/u.db" --year 12ab "$log" >/dev/null 2>&1
is $? 2 "bad --year: exit 2"
"$RT" ingest -d "$tmp/u.db" --local-net 10.0.0.0/33 "$log" >/dev/null \
    2>"$tmp/err"
is $? 2 "bad --local-net: exit 2"
contains "$tmp/err" "10.0.0.0/33" "bad --local-net: names the value"
"$RT" ingest -d "$tmp/u.db" --tz Mars/Olympus_Mons "$log" >/dev/null \
    2>"$tmp/err"
is $? 2 "bad --tz: exit 2"
contains "$tmp/err" "not a time zone" "bad --tz: says so"
"$RT" ingest -d "$tmp/u.db" --format bogus "$log" >/dev/null 2>"$tmp/err"
is $? 2 "unknown --format: exit 2"
contains "$tmp/err" "not a format" "unknown --format: says so"
"$RT" ingest -q -d "$tmp/f.db" --format postfix "$log"
is $? 0 "--format postfix forces the Postfix parser"
"$RT" show -d "$tmp/u.db" 12x >/dev/null 2>&1; is $? 2 "show wants a number"

# A normal ingest, then the same bytes again: nothing added.
"$RT" ingest -q -d "$tmp/t.db" "$log"; is $? 0 "ingest the sample"
is "$(q 'SELECT lines FROM sources')" "$lines" "every line counted"
ev1=$(q 'SELECT count(*) FROM evidence')
s1=$(q 'SELECT count(*) FROM sessions')
"$RT" ingest -d "$tmp/t.db" "$log" 2>"$tmp/err"; is $? 0 "re-ingest: exit 0"
contains "$tmp/err" "already ingested" "re-ingest: says so"
is "$(q 'SELECT count(*) FROM evidence')" "$ev1" "re-ingest: no evidence added"
is "$(q 'SELECT count(*) FROM sessions')" "$s1" "re-ingest: no session added"
is "$(q 'SELECT count(*) FROM sources')" 1 "re-ingest: one source"
# The first ingest hashed the log as it read it (no source of its size was
# stored), the second before reading (one was): both the file's SHA-256.
is "$(q 'SELECT sha256 || " " || bytes FROM sources')" \
    "$(sha256sum <"$log" | cut -c1-64) $(wc -c <"$log" | tr -d ' ')" \
    "the stored hash and size are the file's"
# Other bytes of the same size: hashed first, not taken for the same.
tr 'a' 'b' <"$log" >"$tmp/same-size.log"
cp "$tmp/t.db" "$tmp/t2.db"
"$RT" ingest -q -d "$tmp/t2.db" "$tmp/same-size.log"
is $? 0 "a log of the same size, other bytes: ingested"
is "$("$RT" sql -d "$tmp/t2.db" "SELECT sha256 FROM sources
    WHERE path LIKE '%same-size.log'" | sed -n 2p)" \
    "$(sha256sum <"$tmp/same-size.log" | cut -c1-64)" \
    "... with its own hash"
# A capture: hashed beside the reading.
"$RT" ingest -q -d "$tmp/cap.db" "$top_srcdir/samples/pcap/incident.pcap"
is "$("$RT" sql -d "$tmp/cap.db" 'SELECT sha256 FROM sources' | sed -n 2p)" \
    "$(sha256sum <"$top_srcdir/samples/pcap/incident.pcap" | cut -c1-64)" \
    "a capture's stored hash is the file's"
# The same bytes compressed are other bytes: a new source, same sessions?
# No: they are the same lines, so they would double. Refusing them is the
# user's call; we only promise identical bytes are recognised.

# Report is deterministic.
"$RT" report -d "$tmp/t.db" >"$tmp/r1"; is $? 0 "report"
"$RT" report -d "$tmp/t.db" >"$tmp/r2"
cmp -s "$tmp/r1" "$tmp/r2"; is $? 0 "same database, same report"
"$RT" report -d "$tmp/t.db" -f json >"$tmp/j1"; is $? 0 "json report"
"$RT" report -d "$tmp/t.db" -f xml >/dev/null 2>&1; is $? 2 "bad format: 2"

# sql is read-only.
"$RT" sql -d "$tmp/t.db" "DELETE FROM sessions" >/dev/null 2>"$tmp/err"
is $? 1 "sql refuses to write"
is "$(q 'SELECT count(*) FROM sessions')" "$s1" "nothing deleted"
"$RT" sql -d "$tmp/t.db" "SELECT 1; DELETE FROM sessions" >/dev/null 2>&1
is $? 1 "sql refuses a second statement"
"$RT" sql -d "$tmp/t.db" "ATTACH '$tmp/other.db' AS o" >/dev/null 2>&1
is $? 1 "sql refuses ATTACH"
"$RT" sql -d "$tmp/t.db" "PRAGMA journal_mode = DELETE" >/dev/null 2>&1
is $? 1 "sql refuses a pragma that sets"
is "$("$RT" sql -d "$tmp/t.db" "PRAGMA user_version" | sed -n 2p)" 2 \
    "sql allows reading the schema version"
"$RT" sql -d "$tmp/t.db" "SELEC nonsense" >/dev/null 2>"$tmp/err"
is $? 1 "bad SQL: exit 1"
contains "$tmp/err" "syntax error" "bad SQL: SQLite's message"

# Missing file among good ones: the good ones are kept, exit 1.
"$RT" ingest -q -d "$tmp/m.db" "$tmp/nonexistent.log" "$log" 2>"$tmp/err"
is $? 1 "missing file: exit 1"
contains "$tmp/err" "nonexistent.log: No such file or directory" \
    "missing file: names it"
is "$(q_db() { "$RT" sql -d "$tmp/m.db" "$1" | sed -n 2p; }; \
    q_db 'SELECT lines FROM sources')" "$lines" "the good file was read"

# A directory of mixed logs: every file read, each format detected.
mkdir -p "$tmp/mixed/sub"
cp "$log" "$tmp/mixed/mail.log"
cp "$top_srcdir/samples/exim/mainlog" "$tmp/mixed/mainlog"
cp "$top_srcdir/samples/exchange/MSGTRK20261201-1.LOG" "$tmp/mixed/"
cp "$top_srcdir/samples/iis/"*.log "$tmp/mixed/" 2>/dev/null
: >"$tmp/mixed/.hidden"
"$RT" ingest -d "$tmp/mx.db" "$tmp/mixed" 2>"$tmp/err"
is $? 0 "a directory of mixed logs"
fmt() {
	"$RT" sql -d "$tmp/mx.db" "SELECT format FROM sources WHERE
	    path = '$tmp/mixed/$1'" | sed -n 2p
}
is "$(fmt mail.log) $(fmt mainlog) $(fmt MSGTRK20261201-1.LOG)" \
    "postfix-rfc3339 exim exchange" \
    "each file's format detected (Postfix, Exim, Exchange)"
is "$(fmt 20261201.log) $(fmt ex261201.log)" "exchange2003 iis" \
    "and Exchange 2003 tracking, IIS W3C"
contains "$tmp/err" "mainlog: read as exim" "the chosen format is said"
is "$("$RT" sql -d "$tmp/mx.db" "SELECT count(*) FROM sources WHERE
    path LIKE '%hidden%'" | sed -n 2p)" 0 "hidden files are not read"

# postscreen logs no DISCONNECT for a client it passes to smtpd: the
# session ends at PASS, so open sessions do not pile up.
{
	echo "2026-12-01T20:00:00.000001+00:00 mx postfix/postscreen[5]: CONNECT from [192.0.2.9]:4000 to [192.0.2.1]:25"
	echo "2026-12-01T20:00:01.000001+00:00 mx postfix/postscreen[5]: PASS NEW [192.0.2.9]:4000"
} >"$tmp/ps.log"
"$RT" ingest -q -d "$tmp/ps.db" "$tmp/ps.log"
is "$("$RT" sql -d "$tmp/ps.db" "SELECT end_time FROM sessions" | sed -n 2p)" \
    "2026-12-01T20:00:01Z" "postscreen: a passed client's session ends at PASS"

# A gzip-compressed capture is read as a capture (pcapng's magic starts
# with a newline, so it cannot be told from its first line).
"$RT" ingest -q -d "$tmp/gzc.db" \
    "$top_srcdir/tests/data/pcap/multi-link.pcapng.gz"
is "$("$RT" sql -d "$tmp/gzc.db" "SELECT count(*) FROM sessions" |
    sed -n 2p)" 3 "a .pcapng.gz: its 3 connections"
is "$("$RT" sql -d "$tmp/gzc.db" "SELECT substr(format, 1, 9) FROM
    sources" | sed -n 2p)" "pcapng.gz" "a .pcapng.gz: recorded as such"

# Empty file.
: >"$tmp/empty.log"
"$RT" ingest -q -d "$tmp/e.db" "$tmp/empty.log"; is $? 0 "empty file: ok"
is "$("$RT" sql -d "$tmp/e.db" 'SELECT lines FROM sources' | sed -n 2p)" 0 \
    "empty file: recorded with 0 lines"

# Binary garbage: counted, not fatal.
head -c 20000 /dev/urandom >"$tmp/garbage.bin" 2>/dev/null ||
    dd if=/dev/urandom of="$tmp/garbage.bin" bs=1000 count=20 2>/dev/null
printf '\n' >>"$tmp/garbage.bin"
"$RT" ingest -d "$tmp/g.db" "$tmp/garbage.bin" 2>"$tmp/err"
rc=$?
ok $([ $rc -eq 0 ] && echo 0 || echo 1) "binary garbage: exit 0 (rc $rc)"
contains "$tmp/err" "not understood" "binary garbage: lines counted"
n=$("$RT" sql -d "$tmp/g.db" 'SELECT unparsed > 0 FROM sources' | sed -n 2p)
is "$n" 1 "binary garbage: unparsed lines recorded"

# NUL bytes and a 1 MB line between good lines.
{
	head -n 5 "$log"
	printf 'a NUL \000 byte\n'
	head -c 1048576 /dev/zero | tr '\000' 'x'; printf '\n'
	sed -n '6,$p' "$log"
} >"$tmp/hostile.log"
"$RT" ingest -q -d "$tmp/h.db" "$tmp/hostile.log"; is $? 0 "hostile: exit 0"
is "$("$RT" sql -d "$tmp/h.db" 'SELECT lines || "/" || long_lines FROM sources' \
    | sed -n 2p)" "$((lines + 2))/1" "hostile: all lines read, long one cut"
is "$("$RT" sql -d "$tmp/h.db" 'SELECT count(*) FROM sessions' | sed -n 2p)" \
    "$s1" "hostile: the same sessions as the clean log"

# Hostile bytes in a line reach the terminal escaped, and JSON stays valid.
esc=$(printf '\033')
bel=$(printf '\007')
hi=$(printf '\377\376')
{
	echo "2026-12-01T20:43:14.721465+00:00 mx postfix/smtpd[9]: connect from evil.example[192.0.2.66]"
	echo "2026-12-01T20:43:14.721466+00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT from evil.example[192.0.2.66]: 554 5.7.1 <a@foreign.example>: Relay access denied; from=<x${hi}@foreign.example> to=<a@foreign.example> proto=ESMTP helo=<${esc}]0;pwned${bel}${esc}[2J<script>>"
	echo "2026-12-01T20:43:14.721467+00:00 mx postfix/smtpd[9]: disconnect from evil.example[192.0.2.66] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"
} >"$tmp/evil.log"
"$RT" investigate -q -d "$tmp/ev.db" --local-domain corp.example \
    "$tmp/evil.log" >"$tmp/out"
is $? 0 "hostile HELO: investigate"
"$RT" show -d "$tmp/ev.db" 1 >>"$tmp/out"
"$RT" sessions -d "$tmp/ev.db" >>"$tmp/out"
"$RT" sql -d "$tmp/ev.db" "SELECT helo, sender_raw FROM messages" >>"$tmp/out"
grep -q "$esc" "$tmp/out"; is $? 1 "no raw ESC byte reaches the terminal"
grep -q "$bel" "$tmp/out"; is $? 1 "no raw BEL byte reaches the terminal"
contains "$tmp/out" '\033]0;pwned\007\033[2J' "the HELO is shown escaped"
contains "$tmp/out" 'x\377\376@foreign.example' "high bytes shown escaped"
"$RT" report -d "$tmp/ev.db" -f json >"$tmp/ev.json"
grep -q "$esc" "$tmp/ev.json"; is $? 1 "no raw ESC byte in JSON"
grep -q '<script>' "$tmp/ev.json"; is $? 1 "no raw <script> in JSON"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); h=d["clients"][0]["helos"][0]; assert h.startswith("\x1b]0;pwned"), h; assert d["clients"][0]["findings"]["relay-attempt"]["recipients"] == 1' "$tmp/ev.json"
	is $? 0 "JSON valid UTF-8, HELO intact after decoding"
else
	ok 0 "# SKIP python3 not installed"
fi

# Truncated .gz: what was read is kept, exit 1.
gzip -c "$log" >"$tmp/full.gz"
size=$(wc -c <"$tmp/full.gz")
head -c $((size * 2 / 3)) "$tmp/full.gz" >"$tmp/trunc.log.gz"
"$RT" ingest -d "$tmp/tr.db" "$tmp/trunc.log.gz" 2>"$tmp/err"
is $? 1 "truncated .gz: exit 1"
contains "$tmp/err" "truncated gzip data" "truncated .gz: says so"
kept=$("$RT" sql -d "$tmp/tr.db" 'SELECT lines FROM sources' | sed -n 2p)
ok $([ "$kept" -gt 0 ] && [ "$kept" -lt "$lines" ] && echo 0 || echo 1) \
    "truncated .gz: $kept of $lines lines kept"
contains "$tmp/err" "are kept" "truncated .gz: says the lines are kept"
is "$("$RT" sql -d "$tmp/tr.db" 'SELECT error IS NOT NULL FROM sources' | \
    sed -n 2p)" 1 "truncated .gz: the error is recorded"

# Standard input is a source like any other.
"$RT" ingest -q -d "$tmp/s.db" - <"$log"; is $? 0 "stdin"
is "$("$RT" sql -d "$tmp/s.db" 'SELECT path || " " || lines FROM sources' | \
    sed -n 2p)" "- $lines" "stdin recorded as -"
"$RT" ingest -d "$tmp/s.db" "$log" 2>"$tmp/err"
contains "$tmp/err" "already ingested" "file with stdin's bytes: skipped"

# Unwritable database.
mkdir -p "$tmp/ro"
if [ "$(id -u)" -eq 0 ]; then
	db="/proc/relaytrace-test.db"
else
	chmod 555 "$tmp/ro"; db="$tmp/ro/x.db"
fi
"$RT" ingest -d "$db" "$log" >/dev/null 2>"$tmp/err"
is $? 1 "unwritable database: exit 1"
contains "$tmp/err" "cannot open database" "unwritable database: says so"
"$RT" report -d "$tmp/none.db" >/dev/null 2>"$tmp/err"
is $? 1 "report on a missing database: exit 1"
"$RT" sql -d "$log" "SELECT 1" >/dev/null 2>"$tmp/err"
is $? 1 "a log file is not a database: exit 1"

# A configuration's bytes reach the terminal escaped in its warnings.
printf 'table t { "a\033[31mred.example" }\naction d mbox\nmatch from any for domain <t> action d\n' \
    >"$tmp/esc.conf"
"$RT" ingest -q -d "$tmp/esc.db" --mta-config "$tmp/esc.conf" /dev/null \
    2>"$tmp/err"
is "$(grep -c "$(printf '\033')" "$tmp/err")" 0 \
    "--mta-config warnings: no raw escape byte"
contains "$tmp/err" 'a\033[31mred.example: not a domain' \
    "--mta-config warnings: the byte is shown escaped"

# Many abusers: the text report gives HELO names and accounts for the
# first 50 it lists, and says so.
gen="${top_builddir:-.}/tests/bench/pflog-gen"
if [ -x "$gen" ]; then
	"$gen" --seed 3 --size 3M --main-cf "$tmp/g.cf" -o "$tmp/g.log" \
	    2>/dev/null
	"$RT" investigate -q -d "$tmp/g.db" --mta-config "$tmp/g.cf" \
	    "$tmp/g.log" >"$tmp/g.rep"
	awk '/^Clients that relayed/ { on = 1; next } /^$/ { on = 0 }
	    on && /^  [0-9a-f]/ && $1 ~ /[.:]/ { n++ }
	    on && n > 50 && /^      (HELO|accounts):/ { late++ }
	    END { print (n > 50) " " late + 0 }' "$tmp/g.rep" >"$tmp/g.cnt"
	is "$(cat "$tmp/g.cnt")" "1 0" \
	    "over 50 abusers: no HELO or account lines after the 50th"
	contains "$tmp/g.rep" "(HELO names and accounts for the first 50;" \
	    "over 50 abusers: the report says so"
else
	ok 0 "# SKIP no pflog-gen"
	ok 0 "# SKIP no pflog-gen"
fi

done_testing
