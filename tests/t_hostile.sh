#!/bin/sh
# Hostile input, end to end with the real binary: the bad inputs of issue
# 5 that t_cli.sh does not already cover.  Each case checks the message
# (naming the file, and the line or packet where there is one), the exit
# status (0 when the job was done, 1 when an input could not be read
# fully or the database could not be written), that memory stays bounded,
# and that everything read before the damage is kept.
. "${top_srcdir:-.}/tests/tap.sh"
RT=$RELAYTRACE
GEN=${top_builddir:-.}/tests/gen/pcapgen
S=$top_srcdir/samples
D=$top_srcdir/tests/data/pcap
log=$S/postfix/mail.log
lines=$(wc -l <"$log")
MEM_MB=200		# peak RSS allowed for any one run
BIG_FACTOR=12		# 100,000 recipients may cost this many times 10,000

mounts=
bg=
trap 'for p in $bg; do kill "$p" 2>/dev/null; done
    for m in $mounts; do umount "$m" 2>/dev/null; done; rm -rf "$tmp"' EXIT

have() { command -v "$1" >/dev/null 2>&1; }
# t TEST...: 0 when the test command holds, else 1 (for ok).
t() { if "$@"; then echo 0; else echo 1; fi; }
# skip WHY: a skipped check.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }
# Q DB SQL: one value.
Q() { "$RT" sql -d "$1" "$2" 2>/dev/null | sed -n 2p; }
# counts DB: sources/lines and sessions, messages, recipients, findings.
counts() {
	Q "$1" "SELECT (SELECT count(*) || '/' || coalesce(sum(lines), 0)
	    FROM sources) || ' s=' || (SELECT count(*) FROM sessions) ||
	    ' m=' || (SELECT count(*) FROM messages) || ' r=' ||
	    (SELECT count(*) FROM recipients) || ' f=' ||
	    (SELECT count(*) FROM findings)"
}
# to SECONDS CMD...: CMD, killed after SECONDS when timeout(1) exists.
to() {
	if have timeout; then timeout "$@"; else shift; "$@"; fi
}
# run NAME CMD...: CMD with its stderr in $tmp/NAME.err and its peak RSS
# in KiB in $tmp/NAME.rss (empty without /usr/bin/time).  ASan's
# quarantine would count freed memory, so it is off for these runs.
run() {
	_n=$1
	shift
	: >"$tmp/$_n.rss"
	if [ -x /usr/bin/time ]; then
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" \
		    /usr/bin/time -v -o "$tmp/$_n.time" "$@" 2>"$tmp/$_n.err"
		_rc=$?
		sed -n 's/.*Maximum resident set size (kbytes): *//p' \
		    "$tmp/$_n.time" >"$tmp/$_n.rss" 2>/dev/null
	else
		"$@" 2>"$tmp/$_n.err"
		_rc=$?
	fi
	return $_rc
}
# mem NAME DESC: the run stayed under MEM_MB.
mem() {
	_kb=$(cat "$tmp/$1.rss" 2>/dev/null)
	case "$_kb" in
	''|*[!0-9]*) skip "no /usr/bin/time: $2 memory"; return ;;
	esac
	ok $(t [ "$_kb" -lt $((MEM_MB * 1024)) ]) \
	    "$2: peak RSS $((_kb / 1024)) MB < $MEM_MB MB"
}
# rcpt_log N: one Postfix transaction from 203.0.113.9 with N recipients.
rcpt_log() {
	awk -v n="$1" 'BEGIN {
	t = "2026-12-02T10:00:00.000000+00:00 mx postfix/"
	print t "smtpd[700]: connect from unknown[203.0.113.9]"
	print t "smtpd[700]: 4AAAAA72000: client=unknown[203.0.113.9]"
	print t "cleanup[701]: 4AAAAA72000: message-id=<bulk@spam.example>"
	print t "qmgr[702]: 4AAAAA72000: from=<bulk@spam.example>, size=900, " \
	    "nrcpt=" n " (queue active)"
	print t "smtpd[700]: disconnect from unknown[203.0.113.9] ehlo=1 " \
	    "mail=1 rcpt=" n " data=1 quit=1 commands=" n + 4
	for (i = 1; i <= n; i++)
		printf "%ssmtp[703]: 4AAAAA72000: to=<v%d@victim%d.example>, " \
		    "relay=mx.victim.example[198.51.100.7]:25, delay=1, " \
		    "delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n", t, i,
		    i % 50
	print t "qmgr[702]: 4AAAAA72000: removed"
	}'
}
gen_ok=1
[ -x "$GEN" ] && gen_ok=0

# --- Recipients in one transaction: 10,000 (log and capture) must all
# be kept; 100,000 then run in the background with a CPU-time limit of
# BIG_FACTOR times what 10,000 took (linear cost takes about 10 times),
# and are checked at the end. ---
rcpt_log 10000 >"$tmp/rcpt10k.log"
rcpt_log 100000 >"$tmp/rcpt100k.log"
run r10k "$RT" ingest -q -d "$tmp/r10k.db" "$tmp/rcpt10k.log"
is $? 0 "10,000 recipients (log): exit 0"
is "$(Q "$tmp/r10k.db" "SELECT count(*) || ' ' ||
    sum(outcome = 'delivered') FROM recipients")" "10000 10000" \
    "10,000 recipients (log): all kept, delivered"
mem r10k "10,000 recipients (log)"
if [ $gen_ok = 0 ]; then
	"$GEN" --rcpts 10000 "$tmp/rcpt10k.pcap"
	"$GEN" --rcpts 100000 "$tmp/rcpt100k.pcap"
	run c10k "$RT" ingest -q -d "$tmp/c10k.db" "$tmp/rcpt10k.pcap"
	is $? 0 "10,000 recipients (capture): exit 0"
	is "$(Q "$tmp/c10k.db" "SELECT count(*) FROM recipients")" 10000 \
	    "10,000 recipients (capture): all kept"
	mem c10k "10,000 recipients (capture)"
fi
# limit NAME: BIG_FACTOR times the CPU seconds of run NAME, at least 10.
limit() {
	sed -n -e 's/.*User time (seconds): *//p' \
	    -e 's/.*System time (seconds): *//p' "$tmp/$1.time" 2>/dev/null |
	    awk -v f="$BIG_FACTOR" '{ s += $1 } END { if (NR == 0) s = 2;
	    s = int(s * f + 0.999); print s < 10 ? 10 : s }'
}
# big_start NAME DB FILE SECONDS: ingest FILE in the background, with
# SECONDS of CPU at most.
big_start() {
	(ulimit -c 0; ulimit -t "$4"; run "$1" "$RT" ingest -q -d "$2" "$3"
	    echo $? >"$tmp/$1.rc") &
	bg="$bg $!"
}
lim_log=$(limit r10k)
big_start rcpt-log "$tmp/r100k.db" "$tmp/rcpt100k.log" "$lim_log"
if [ $gen_ok = 0 ]; then
	lim_cap=$(limit c10k)
	big_start rcpt-cap "$tmp/c100k.db" "$tmp/rcpt100k.pcap" "$lim_cap"
fi

# --- Invalid UTF-8 in the fields that reach the report, the session
# listing and JSON: overlong, surrogate, cut short, 5-byte, a lone high
# byte, a C1 control encoded in UTF-8, and valid UTF-8 around them. ---
{
	h='2026-12-01T20:43:14.0000'
	printf '%s01+00:00 mx postfix/smtpd[9]: connect from evil.example[192.0.2.66]\n' "$h"
	printf '%s02+00:00 mx postfix/smtpd[9]: 6CCCCA72000: client=evil.example[192.0.2.66], sasl_method=PLAIN, sasl_username=jos\303\251\370\210\200\200\200\n' "$h"
	printf '%s03+00:00 mx postfix/cleanup[10]: 6CCCCA72000: message-id=<m\355\240\200@x>\n' "$h"
	printf '%s04+00:00 mx postfix/qmgr[11]: 6CCCCA72000: from=<s\355\240\200nder@foreign.example>, size=9, nrcpt=1 (queue active)\n' "$h"
	printf '%s05+00:00 mx postfix/smtpd[9]: disconnect from evil.example[192.0.2.66] ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6\n' "$h"
	printf '%s06+00:00 mx postfix/smtp[12]: 6CCCCA72000: to=<v\377@foreign.example>, relay=x[198.51.100.7]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok \300\200)\n' "$h"
	printf '%s07+00:00 mx postfix/qmgr[11]: 6CCCCA72000: removed\n' "$h"
	printf '%s08+00:00 mx postfix/smtpd[13]: connect from probe.example[192.0.2.67]\n' "$h"
	printf '%s09+00:00 mx postfix/smtpd[13]: NOQUEUE: reject: RCPT from probe.example[192.0.2.67]: 554 5.7.1 <r\342\202@foreign.example>: Relay access denied; from=<jos\303\251@foreign.example> to=<r\342\202@foreign.example> proto=ESMTP helo=<h\300\257\360\237\230\200\302\233[2J\342>\n' "$h"
	printf '%s10+00:00 mx postfix/smtpd[13]: disconnect from probe.example[192.0.2.67] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n' "$h"
} >"$tmp/utf.log"
"$RT" investigate -q -d "$tmp/utf.db" --local-domain corp.example \
    "$tmp/utf.log" >"$tmp/utf.txt"
is $? 0 "invalid UTF-8: investigate exits 0"
is "$(counts "$tmp/utf.db")" "1/10 s=2 m=2 r=2 f=2" \
    "invalid UTF-8: every line, session and recipient kept"
"$RT" report -d "$tmp/utf.db" >>"$tmp/utf.txt"
"$RT" sessions -d "$tmp/utf.db" >>"$tmp/utf.txt"
"$RT" show -d "$tmp/utf.db" 1 >>"$tmp/utf.txt"
"$RT" show -d "$tmp/utf.db" 2 >>"$tmp/utf.txt"
"$RT" report -d "$tmp/utf.db" -f json >"$tmp/utf.json"
is $? 0 "invalid UTF-8: JSON report exits 0"
contains "$tmp/utf.txt" 'h\300\257' "invalid UTF-8: the HELO is shown escaped"
if have python3; then
	python3 - "$tmp/utf.txt" "$tmp/utf.json" <<'EOF'
import json, sys
bad = 0
text = open(sys.argv[1], "rb").read().decode("utf-8")	# strict
for c in text:
    if c not in "\n\t" and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f):
        print("# control character %r in the text output" % c)
        bad = 1
d = json.loads(open(sys.argv[2], "rb").read().decode("utf-8"))
helos = [h for c in d["clients"] for h in c["helos"]]
helos += [h for c in d.get("refused", []) for h in c.get("helos", [])]
if not any("\U0001F600" in h and "\ufffd" in h for h in helos):
    print("# HELO with U+1F600 and U+FFFD not found in %r" % helos)
    bad = 1
users = [u for c in d["clients"] for u in c["auth_users"]]
if not any(u.startswith("jos\u00e9\ufffd") for u in users):
    print("# SASL user with U+00E9 and U+FFFD not found in %r" % users)
    bad = 1
sys.exit(bad)
EOF
	is $? 0 "invalid UTF-8: text valid, no controls; JSON valid, UTF-8 kept"
elif have iconv; then
	iconv -f UTF-8 -t UTF-8 "$tmp/utf.txt" >/dev/null 2>&1 &&
	    iconv -f UTF-8 -t UTF-8 "$tmp/utf.json" >/dev/null 2>&1
	is $? 0 "invalid UTF-8: text and JSON are valid UTF-8 (no python3)"
else
	skip "neither python3 nor iconv"
fi
c1=$(printf '\302\233')
grep -q "$c1" "$tmp/utf.txt"
is $? 1 "invalid UTF-8: no raw C1 CSI reaches the terminal"

# --- CRLF logs: the same database as with LF, format by format (and
# Exchange and IIS, which write CRLF, read the same with LF). ---
dump() {
	for x in "SELECT * FROM sessions" "SELECT * FROM messages" \
	    "SELECT * FROM recipients" "SELECT line, time, event, session_id,
	    message_id, text FROM evidence"; do
		"$RT" sql -d "$1" "$x ORDER BY 1"
	done
}
for f in postfix/mail.log exim/mainlog sendmail/mail.log \
    exchange/RECV20261201-1.LOG iis/ex261201.log; do
	case $f in
	exchange/*|iis/*)
		tr -d '\r' <"$S/$f" >"$tmp/lf.log"
		cp "$S/$f" "$tmp/crlf.log" ;;
	*)
		cp "$S/$f" "$tmp/lf.log"
		sed 's/$/\r/' "$S/$f" >"$tmp/crlf.log" ;;
	esac
	touch -r "$S/$f" "$tmp/lf.log" "$tmp/crlf.log"
	rm -f "$tmp/lf.db" "$tmp/crlf.db"
	"$RT" ingest -q -d "$tmp/lf.db" --tz UTC "$tmp/lf.log"
	"$RT" ingest -q -d "$tmp/crlf.db" --tz UTC "$tmp/crlf.log"
	is $? 0 "CRLF $f: exit 0"
	dump "$tmp/lf.db" >"$tmp/lf.dump"
	dump "$tmp/crlf.db" >"$tmp/crlf.dump"
	cmp -s "$tmp/lf.dump" "$tmp/crlf.dump" &&
	    [ "$(counts "$tmp/lf.db")" = "$(counts "$tmp/crlf.db")" ] &&
	    [ "$(Q "$tmp/crlf.db" "SELECT unparsed FROM sources")" = 0 ] &&
	    [ "$(Q "$tmp/crlf.db" "SELECT count(*) FROM sessions")" -gt 0 ]
	ok $? "CRLF $f: the same rows as LF, every line understood"
done

# --- A 10 MB line between good lines, and one at the end of a .gz with
# no newline. ---
{
	head -n 100 "$log"
	head -c 10485760 /dev/zero | tr '\000' 'y'
	printf '\n'
	sed -n '101,$p' "$log"
} >"$tmp/big.log"
run big "$RT" ingest -d "$tmp/big.db" "$tmp/big.log"
is $? 0 "10 MB line: exit 0"
contains "$tmp/big.err" "big.log:101:" "10 MB line: the message names file:line"
is "$(Q "$tmp/big.db" "SELECT lines || '/' || long_lines FROM sources")" \
    "$((lines + 1))/1" "10 MB line: every line read, the long one flagged"
is "$(Q "$tmp/big.db" "SELECT line || ' ' || kind || ' ' ||
    (length(text) <= 65536) FROM anomalies WHERE kind = 'long-line'")" \
    "101 long-line 1" \
    "10 MB line: an anomaly row at line 101, its text bounded"
"$RT" ingest -q -d "$tmp/clean.db" "$log"
is "$(Q "$tmp/big.db" "SELECT count(*) FROM sessions")" \
    "$(Q "$tmp/clean.db" "SELECT count(*) FROM sessions")" \
    "10 MB line: the same sessions as the clean log"
mem big "10 MB line"
{ cat "$log"; head -c 10485760 /dev/zero | tr '\000' 'z'; } | gzip -c \
    >"$tmp/bigend.log.gz"
run bigend "$RT" ingest -d "$tmp/bigend.db" "$tmp/bigend.log.gz"
is $? 0 "10 MB last line without newline, gzip: exit 0"
is "$(Q "$tmp/bigend.db" "SELECT lines || '/' || long_lines FROM sources")" \
    "$((lines + 1))/1" "10 MB last line: counted and flagged"
mem bigend "10 MB last line"

# --- gzip: trailing garbage after a member, concatenated members (one
# of them empty), zero padding after the last. ---
head -n 200 "$log" | gzip -c >"$tmp/a.gz"
: | gzip -c >"$tmp/empty.gz"
sed -n '201,$p' "$log" | gzip -c >"$tmp/b.gz"
{ cat "$tmp/a.gz"; printf 'GARBAGE\001\002 not gzip\n'; } >"$tmp/tg.log.gz"
"$RT" ingest -d "$tmp/tg.db" "$tmp/tg.log.gz" 2>"$tmp/err"
is $? 1 "gzip trailing garbage: exit 1"
contains "$tmp/err" "tg.log.gz: after line 200: trailing garbage after gzip data;" \
    "gzip trailing garbage: the message names the file and the line"
grep -q "data after line" "$tmp/err"
is $? 1 "gzip trailing garbage: the message reads as a sentence"
is "$(Q "$tmp/tg.db" "SELECT lines || ' ' || (error IS NOT NULL)
    FROM sources")" "200 1" \
    "gzip trailing garbage: the 200 lines before it kept, error recorded"
cat "$tmp/a.gz" "$tmp/empty.gz" "$tmp/b.gz" >"$tmp/cat.log.gz"
"$RT" ingest -q -d "$tmp/cat.db" "$tmp/cat.log.gz"
is $? 0 "concatenated gzip members: exit 0"
is "$(counts "$tmp/cat.db")" "$(counts "$tmp/clean.db")" \
    "concatenated gzip members: the same rows as the plain log"
{ cat "$tmp/a.gz" "$tmp/b.gz"; head -c 512 /dev/zero; } >"$tmp/pad.log.gz"
"$RT" ingest -q -d "$tmp/pad.db" "$tmp/pad.log.gz"
is $? 0 "gzip with zero padding after the last member (as gzip allows): exit 0"
is "$(Q "$tmp/pad.db" "SELECT lines FROM sources")" "$lines" \
    "gzip with zero padding: every line"

# --- Captures cut short: pcap mid-record, pcapng mid-block, .gz. ---
"$RT" ingest -d "$tmp/cut.db" "$D/cut.pcap" 2>"$tmp/err"
is $? 1 "pcap cut mid-record: exit 1"
contains "$tmp/err" "cut.pcap" "pcap cut mid-record: names the file"
contains "$tmp/err" "cut.pcap: after packet 14: truncated dump file" \
    "pcap cut mid-record: and the packet"
is "$(Q "$tmp/cut.db" "SELECT lines || ' ' || (error IS NOT NULL)
    FROM sources")" \
    "14 1" "pcap cut mid-record: 14 packets kept, error recorded"
is "$(Q "$tmp/cut.db" "SELECT count(*) FROM sessions
    WHERE client_ip = '192.0.2.51'")" \
    1 "pcap cut mid-record: the session is kept"
"$RT" ingest -d "$tmp/cutin.db" - <"$D/cut.pcap" 2>"$tmp/err"
is $? 1 "pcap cut mid-record on standard input: exit 1"
contains "$tmp/err" "relaytrace: -: after packet 14: truncated dump file" \
    "... the message names standard input as given"
grep -q "relaytrace-stdin" "$tmp/err"
is $? 1 "... not the file it was spooled to"
is "$(Q "$tmp/cutin.db" "SELECT path || ' ' || instr(error, 'stdin')
    FROM sources")" "- 0" "... nor does the recorded error"
head -c 500 "$D/normal.pcapng" >"$tmp/cut.pcapng"
"$RT" ingest -d "$tmp/cutng.db" "$tmp/cut.pcapng" 2>"$tmp/err"
is $? 1 "pcapng cut mid-block: exit 1"
contains "$tmp/err" "cut.pcapng" "pcapng cut mid-block: names the file"
contains "$tmp/err" "after packet 4" "pcapng cut mid-block: and the packet"
is "$(Q "$tmp/cutng.db" "SELECT lines FROM sources")" 4 \
    "pcapng cut mid-block: 4 packets kept"
head -c 500 "$D/normal.pcap.gz" >"$tmp/cut.pcap.gz"
"$RT" ingest -d "$tmp/cutgz.db" "$tmp/cut.pcap.gz" 2>"$tmp/err"
is $? 1 "gzip capture cut short: exit 1"
contains "$tmp/err" "cut.pcap.gz" "gzip capture cut short: names the file"
ok $(t [ "$(Q "$tmp/cutgz.db" "SELECT lines FROM sources")" -gt 0 ]) \
    "gzip capture cut short: the packets before it kept"

# --- pcapng with unknown block types (unknown, local-use, custom)
# after the interface and between packets: skipped, nothing lost. ---
# le32 N: N as 4 little-endian bytes.
le32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
	    $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"
}
unknown_blocks() {
	le32 48879; le32 20; printf 'unknown!'; le32 20
	le32 2147488308; le32 28; printf 'local use block.'; le32 28
	le32 2989; le32 24; le32 32473; printf 'custom\000\000'; le32 24
}
# normal.pcapng: SHB 28 bytes, IDB 32, then 19 EPBs; the 9th at 900.
{
	head -c 60 "$D/normal.pcapng"
	unknown_blocks
	tail -c +61 "$D/normal.pcapng" | head -c 840
	unknown_blocks
	tail -c +901 "$D/normal.pcapng"
} >"$tmp/unknown.pcapng"
"$RT" ingest -q -d "$tmp/ng0.db" "$D/normal.pcapng"
"$RT" ingest -d "$tmp/unk.db" "$tmp/unknown.pcapng" 2>"$tmp/err"
is $? 0 "pcapng with unknown block types: exit 0"
is "$(counts "$tmp/unk.db")" "$(counts "$tmp/ng0.db")" \
    "pcapng with unknown block types: the same rows as without them"

# --- A packet claiming 4 GB: on the wire (garbage.pcap), as captured
# length (pcap and pcapng), as a pcapng block length. ---
run g4 "$RT" ingest -d "$tmp/g4.db" "$D/garbage.pcap"
is $? 0 "packet claiming 4 GB on the wire (garbage.pcap): exit 0"
is "$(Q "$tmp/g4.db" "SELECT lines || ' ' || unparsed FROM sources")" "29 8" \
    "garbage.pcap: every packet counted, the 8 bad ones as such"
is "$(counts "$tmp/g4.db" | cut -d' ' -f2-)" "s=1 m=1 r=1 f=1" \
    "garbage.pcap: the good session between them kept whole"
contains "$tmp/g4.err" "garbage.pcap" "garbage.pcap: the message names the file"
# tests/data/pcap/README.md: bad 4, 5, 6, 8, 9, 10, 11 (decode), 13
# (caplen > len), and 15 claims 4294967295 bytes on the wire.
contains "$tmp/g4.err" \
    "garbage.pcap: packet 4: frame shorter than its link header: skipped" \
    "garbage.pcap: the first bad packet is reported by number and why"
contains "$tmp/g4.err" \
    "garbage.pcap: packet 9: TCP data offset under 5 or beyond the datagram" \
    "garbage.pcap: ... and the fifth"
is "$(grep -c 'garbage.pcap: packet [0-9]*:' "$tmp/g4.err")" 5 \
    "garbage.pcap: five reported by number, no more"
contains "$tmp/g4.err" \
    "garbage.pcap: 9 packets flagged in all, 4 more not shown" \
    "garbage.pcap: the rest are counted"
is "$(Q "$tmp/g4.db" "SELECT group_concat(line || ':' || kind, ' ')
    FROM (SELECT line, kind FROM anomalies ORDER BY line)")" \
    "4:link-header-short 5:ip-version-mismatch 6:ipv4-bad-header 8:ipv4-bad-length 9:tcp-bad-header 10:ipv6-bad-extension-header 11:ipv6-bad-length 13:caplen-over-len 15:wire-length-implausible" \
    "garbage.pcap: every flagged packet is an anomaly at its number"
is "$(Q "$tmp/g4.db" "SELECT length(text) FROM anomalies WHERE line = 4")" \
    10 "garbage.pcap: the anomaly keeps the packet's bytes (10)"
grep -q "snapshot length" "$tmp/g4.err"
is $? 1 "garbage.pcap: the 4 GB claim is not called cut by the snapshot length"
is "$(Q "$tmp/g4.db" "SELECT long_lines FROM sources")" 0 \
    "garbage.pcap: and not counted as cut short"
mem g4 "garbage.pcap"
"$RT" ingest -q -d "$tmp/g4q.db" "$D/garbage.pcap" 2>"$tmp/err"
is "$(grep -c 'packet' "$tmp/err")" 0 "garbage.pcap: -q shows no packet"
{ cat "$D/normal.pcap"; le32 0; le32 0; le32 4294967295; le32 4294967295;
    printf 'tail'; } >"$tmp/cap4g.pcap"
run c4 "$RT" ingest -d "$tmp/c4.db" "$tmp/cap4g.pcap"
is $? 1 "pcap record claiming 4 GB captured: exit 1"
contains "$tmp/c4.err" "cap4g.pcap: after packet 19: " \
    "4 GB record: names the file and the packet"
is "$(grep -o 'cap4g\.pcap' "$tmp/c4.err" | wc -l)" 1 \
    "4 GB record: the file is named once"
is "$(counts "$tmp/c4.db" | cut -d' ' -f1-4)" "1/19 s=1 m=1 r=1" \
    "4 GB record: the 19 packets and the session before it kept"
mem c4 "4 GB record"
{ head -c 900 "$D/normal.pcapng"; le32 6; le32 4294967280;
    head -c 64 /dev/zero; } >"$tmp/blk4g.pcapng"
run b4 "$RT" ingest -d "$tmp/b4.db" "$tmp/blk4g.pcapng"
is $? 1 "pcapng block claiming 4 GB: exit 1"
contains "$tmp/b4.err" "blk4g.pcapng: after packet 8: " \
    "4 GB block: names the file and the packet"
is "$(Q "$tmp/b4.db" "SELECT lines FROM sources")" 8 \
    "4 GB block: the 8 packets before it kept"
mem b4 "4 GB block"

# --- Snapshot length 80: every payload cut. ---
"$RT" ingest -d "$tmp/snap.db" "$D/snaplen.pcap" 2>"$tmp/err"
is $? 0 "snaplen-truncated packets: exit 0"
contains "$tmp/err" "snaplen.pcap: 6 packets cut short" \
    "snaplen-truncated packets: the message names the file and counts them"
is "$(Q "$tmp/snap.db" "SELECT lines || '/' || long_lines FROM sources")" \
    "19/6" "snaplen-truncated packets: every packet read, the cut ones counted"
is "$(Q "$tmp/snap.db" "SELECT count(*) FROM sessions
    WHERE client_ip = '192.0.2.50'")" \
    1 "snaplen-truncated packets: the session is kept"

# --- A TCP stream of 1 GB with no newline (a normal session first). ---
if [ $gen_ok = 0 ]; then
	"$GEN" --longline 1024 "$tmp/long.pcap.gz"
	run long "$RT" ingest -d "$tmp/long.db" "$tmp/long.pcap.gz"
	is $? 0 "1 GB TCP stream without a newline: exit 0"
	mem long "1 GB TCP stream"
	is "$(Q "$tmp/long.db" "SELECT count(*) FROM sessions")" 2 \
	    "1 GB stream: both sessions kept"
	is "$(Q "$tmp/long.db" "SELECT count(*) FROM recipients r
	    JOIN messages m ON m.id = r.message_id
	    JOIN sessions s ON s.id = m.session_id
	    WHERE s.client_ip = '192.0.2.100'")" 1 \
	    "1 GB stream: the session before it whole"
	# Packets: 1-19 the first session, 20-22 the handshake, 23 the
	# banner, 24 EHLO, 25 its reply, 26 "MAIL FROM:<" (11 bytes), 27
	# the first 65000 bytes of x: over 4096 there.
	is "$(Q "$tmp/long.db" "SELECT group_concat(e.line) FROM evidence e
	    JOIN sessions s ON s.id = e.session_id
	    WHERE s.client_ip = '192.0.2.101' AND e.event = 'warning'
	    AND length(e.text) <= 8192")" 27 \
	    "1 GB stream: the endless line is one bounded warning at packet 27"
	contains "$tmp/long.err" "long.pcap.gz: packet 27: client line longer than 4096 octets: cut, in this packet, begun in packet 26 ([192.0.2.101]:40101 -> [198.51.100.25]:25)" \
	    "1 GB stream: a message names the file, the packet and where it began"
	is "$(grep -c 'packet' "$tmp/long.err")" 1 \
	    "1 GB stream: one message about it"
	rm -f "$tmp/long.pcap.gz"
else
	skip "pcapgen not built: 1 GB stream"
fi

# --- Sessions that never end: a log session without disconnect, a
# capture that ends with a connection open, 50,000 open sessions. ---
{
	h='2026-12-02T10:00:0'
	printf '%s5.000000+00:00 mx postfix/smtpd[800]: connect from unknown[203.0.113.20]\n' "$h"
	printf '%s6.000000+00:00 mx postfix/smtpd[800]: 5BBBBA72000: client=unknown[203.0.113.20]\n' "$h"
	printf '%s6.100000+00:00 mx postfix/cleanup[801]: 5BBBBA72000: message-id=<n@spam.example>\n' "$h"
	printf '%s6.200000+00:00 mx postfix/qmgr[802]: 5BBBBA72000: from=<x@spam.example>, size=900, nrcpt=1 (queue active)\n' "$h"
} >"$tmp/never.log"
"$RT" ingest -q -d "$tmp/never.db" "$tmp/never.log"
is $? 0 "a session that never ends (log): exit 0"
is "$(Q "$tmp/never.db" "SELECT count(*) || ' ' || count(end_time) || ' ' ||
    sum(messages) FROM sessions")" "1 0 1" \
    "never-ending log session: kept open, its message counted"
"$RT" show -d "$tmp/never.db" 1 >"$tmp/out" 2>&1
contains "$tmp/out" "no disconnect seen" \
    "never-ending log session: show says so"
"$RT" ingest -q -d "$tmp/ends.db" "$D/ends.pcap"
is $? 0 "a connection still open when the capture ends: exit 0"
is "$(Q "$tmp/ends.db" "SELECT count(*) FROM sessions")" 3 \
    "ends.pcap: the reset, the idle and the unfinished session kept"
is "$(Q "$tmp/ends.db" "SELECT count(*) FROM evidence e JOIN sessions s ON
    s.id = e.session_id WHERE s.client_ip = '192.0.2.92' AND
    e.event = 'disconnect' AND e.line = 15")" 1 \
    "ends.pcap: the unfinished session ends at the last packet"
awk 'BEGIN { for (i = 1; i <= 50000; i++)
	printf "2026-12-02T10:%02d:%02d.000000+00:00 mx postfix/smtpd[%d]: " \
	    "connect from unknown[203.0.%d.%d]\n", int(i / 60) % 60, i % 60,
	    10000 + i, int(i / 250) % 250, i % 250 + 1 }' >"$tmp/open.log"
run open "$RT" ingest -q -d "$tmp/open.db" "$tmp/open.log"
is $? 0 "50,000 sessions that never end: exit 0"
is "$(Q "$tmp/open.db" "SELECT count(*) || ' ' || count(end_time)
    FROM sessions")" \
    "50000 0" "50,000 open sessions: all kept"
mem open "50,000 open sessions"

# --- The clock going backwards: the second half of the sample two hours
# earlier, and one session whose later lines are an hour before its
# connect (an NTP step). ---
awk 'NR > 215 { sub(/^2026-12-01T20/, "2026-12-01T18") } { print }' "$log" \
    >"$tmp/back.log"
"$RT" ingest -q -d "$tmp/back.db" "$tmp/back.log" 2>"$tmp/err"
is $? 0 "clock going backwards: exit 0"
is "$(wc -c <"$tmp/err")" 0 "clock going backwards, -q: nothing said"
is "$(counts "$tmp/back.db")" "$(counts "$tmp/clean.db")" \
    "clock going backwards: the same sessions, messages, recipients, findings"
is "$(Q "$tmp/back.db" "SELECT first_time || ' ' || last_time FROM sources")" \
    "2026-12-01T18:43:03Z 2026-12-01T20:43:03Z" \
    "clock going backwards: the source spans the earliest and latest times"
# Line 215 is at 20:43:03.897231, line 216 at 18:43:03.897796: back by
# 7199.999435 s.
"$RT" ingest -d "$tmp/back2.db" "$tmp/back.log" 2>"$tmp/err"
contains "$tmp/err" "back.log:216: time goes back 7200 s, from 2026-12-01T20:43:03Z to 2026-12-01T18:43:03Z (1 such step back of more than 60 s" \
    "clock going backwards: the warning names back.log:216 and the step"
{
	printf '2026-12-02T10:00:05.000000+00:00 mx postfix/smtpd[800]: connect from unknown[203.0.113.20]\n'
	printf '2026-12-02T10:00:06.000000+00:00 mx postfix/smtpd[800]: 5BBBBA72000: client=unknown[203.0.113.20]\n'
	printf '2026-12-02T09:00:06.100000+00:00 mx postfix/cleanup[801]: 5BBBBA72000: message-id=<b@spam.example>\n'
	printf '2026-12-02T09:00:06.200000+00:00 mx postfix/qmgr[802]: 5BBBBA72000: from=<x@spam.example>, size=900, nrcpt=1 (queue active)\n'
	printf '2026-12-02T09:00:06.300000+00:00 mx postfix/smtpd[800]: disconnect from unknown[203.0.113.20] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n'
	printf '2026-12-02T09:00:07.000000+00:00 mx postfix/smtp[803]: 5BBBBA72000: to=<v@victim.example>, relay=mx.victim.example[198.51.100.7]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n'
	printf '2026-12-02T09:00:07.100000+00:00 mx postfix/qmgr[802]: 5BBBBA72000: removed\n'
} >"$tmp/step.log"
"$RT" ingest -d "$tmp/step.db" "$tmp/step.log" 2>"$tmp/err"
is $? 0 "clock stepped back inside a session: exit 0"
is "$(counts "$tmp/step.db")" "1/7 s=1 m=1 r=1 f=1" \
    "clock stepped back: the session, message and recipient kept"
is "$(Q "$tmp/step.db" "SELECT outcome FROM recipients")" delivered \
    "clock stepped back: the delivery is still joined to its message"
# Line 2 at 10:00:06.0, line 3 at 09:00:06.1: back by 3599.9 s.
contains "$tmp/err" "step.log:3: time goes back 3600 s, from 2026-12-02T10:00:06Z to 2026-12-02T09:00:06Z (1 such step back" \
    "clock stepped back: a warning names step.log:3, where time went back"
is "$(grep -c 'goes back' "$tmp/err")" 1 \
    "clock stepped back: one warning for the source"
# Syslog lines of several processes are not strictly ordered: 60 s back
# is tolerated (line 2), 61 s is not (line 4), and each step is counted
# (line 6, 119.5 s back), the first one named.
{
	p='mx postfix/smtpd'
	printf '2026-12-02T10:00:00.000000+00:00 %s[901]: connect from unknown[203.0.113.31]\n' "$p"
	printf '2026-12-02T09:59:00.000000+00:00 %s[902]: connect from unknown[203.0.113.32]\n' "$p"
	printf '2026-12-02T10:01:00.000000+00:00 %s[903]: connect from unknown[203.0.113.33]\n' "$p"
	printf '2026-12-02T09:59:59.000000+00:00 %s[904]: connect from unknown[203.0.113.34]\n' "$p"
	printf '2026-12-02T10:05:00.000000+00:00 %s[905]: connect from unknown[203.0.113.35]\n' "$p"
	printf '2026-12-02T10:03:00.500000+00:00 %s[906]: connect from unknown[203.0.113.36]\n' "$p"
} >"$tmp/jitter.log"
"$RT" ingest -d "$tmp/jitter.db" "$tmp/jitter.log" 2>"$tmp/err"
is $? 0 "clock jitter: exit 0"
contains "$tmp/err" "jitter.log:4: time goes back 61 s, from 2026-12-02T10:01:00Z to 2026-12-02T09:59:59Z (2 such steps back of more than 60 s in this source" \
    "clock jitter: 60 s back tolerated, 61 s named, both steps counted"
is "$(grep -c 'goes back' "$tmp/err")" 1 "clock jitter: one warning"

# --- A directory: empty, and one holding a FIFO, a subdirectory and a
# log (only the log is read). ---
mkdir "$tmp/emptydir"
"$RT" ingest -d "$tmp/ed.db" "$tmp/emptydir" >/dev/null 2>"$tmp/err"
is $? 1 "an empty directory: exit 1"
contains "$tmp/err" "emptydir: no files in the directory" \
    "an empty directory: the message names it"
grep -q -e xcalloc -e "runtime error" -e Sanitizer "$tmp/err"
ok $(t [ $? -ne 0 ]) \
    "an empty directory: no internal error (xcalloc, qsort(NULL))"
mkdir -p "$tmp/dir/sub"
cp "$log" "$tmp/dir/mail.log"
mkfifo "$tmp/dir/fifo" 2>/dev/null
to 20 "$RT" ingest -q -d "$tmp/dir.db" "$tmp/dir"
is $? 0 "a directory with a FIFO and a subdirectory in it: exit 0, no hang"
is "$(Q "$tmp/dir.db" "SELECT count(*) || '/' || sum(lines) FROM sources")" \
    "1/$lines" "directory: only the log is read"

# --- A FIFO given by name: read like standard input, or refused with a
# message naming it; never a hang. ---
if have timeout && mkfifo "$tmp/fifo" 2>/dev/null; then
	(cat "$log" >"$tmp/fifo") &
	wpid=$!
	bg="$bg $wpid"
	to 5 "$RT" ingest -d "$tmp/fifo.db" "$tmp/fifo" >/dev/null \
	    2>"$tmp/err"
	rc=$?
	kill "$wpid" 2>/dev/null
	exec 3<>"$tmp/fifo"	# a writer blocked in open() goes on, then
	exec 3<&-		# finds no reader and ends
	ok $(t [ $rc -ne 124 ]) "a FIFO: read or refused, no hang (rc $rc)"
	if [ $rc -eq 0 ]; then
		is "$(Q "$tmp/fifo.db" "SELECT lines FROM sources")" "$lines" \
		    "a FIFO: every line read"
	elif [ $rc -eq 1 ]; then
		contains "$tmp/err" "fifo" "a FIFO: refused with a message naming it"
	fi
else
	skip "a FIFO needs mkfifo and timeout"
fi

# --- An unreadable file (not as root: root reads it anyway), a dangling
# symbolic link, a database or report in a directory that is not there. ---
if [ "$(id -u)" -eq 0 ]; then
	for c in "file: exit 1" "file: message" "file: the other is read" \
	    "directory: exit 1" "directory: message"; do
		skip "as root chmod 000 is still readable: unreadable $c"
	done
else
	cp "$log" "$tmp/unreadable.log"
	chmod 000 "$tmp/unreadable.log"
	"$RT" ingest -q -d "$tmp/unr.db" "$tmp/unreadable.log" "$tmp/never.log" \
	    2>"$tmp/err"
	is $? 1 "an unreadable file: exit 1"
	contains "$tmp/err" "unreadable.log: Permission denied" \
	    "an unreadable file: the message names it"
	is "$(Q "$tmp/unr.db" "SELECT count(*) FROM sessions")" 1 \
	    "an unreadable file: the other file is read"
	chmod 600 "$tmp/unreadable.log"
	mkdir "$tmp/unreadable.dir"
	chmod 000 "$tmp/unreadable.dir"
	"$RT" ingest -q -d "$tmp/unrd.db" "$tmp/unreadable.dir" "$tmp/never.log" \
	    2>"$tmp/err"
	is $? 1 "an unreadable directory: exit 1"
	contains "$tmp/err" "unreadable.dir" \
	    "an unreadable directory: the message names it"
	chmod 700 "$tmp/unreadable.dir"
fi
ln -s "$tmp/nowhere/x.log" "$tmp/dangling.log"
"$RT" ingest -q -d "$tmp/dl.db" "$tmp/dangling.log" "$tmp/never.log" \
    2>"$tmp/err"
is $? 1 "a dangling symbolic link: exit 1"
contains "$tmp/err" "dangling.log: No such file or directory" \
    "a dangling symbolic link: the message names it"
is "$(Q "$tmp/dl.db" "SELECT count(*) FROM sessions")" 1 \
    "a dangling symbolic link: the other file is read"
# A file name that would retitle the terminal: the message names it with
# its control bytes escaped (ESC is \033, BEL \007, C1 CSI \302\233).
evil=$(printf '%s/evil\033]0;pwned\007\302\233m.log' "$tmp")
"$RT" ingest -q -d "$tmp/evil.db" "$evil" 2>"$tmp/err"
is $? 1 "a missing file with control bytes in its name: exit 1"
contains "$tmp/err" 'evil\033]0;pwned\007\302\233m.log' \
    "... the message names it, escaped"
LC_ALL=C grep -q "$(printf '[\033\007\233]')" "$tmp/err"
ok $(t [ $? -ne 0 ]) "... and no raw control byte reaches the terminal"
"$RT" ingest -q -d "$tmp/nowhere/x.db" "$log" 2>"$tmp/err"
is $? 1 "a database in a directory that does not exist: exit 1"
contains "$tmp/err" "nowhere/x.db" "... the message names the database"
"$RT" report -d "$tmp/clean.db" -o "$tmp/nowhere/report.txt" 2>"$tmp/err"
is $? 1 "a report to a directory that does not exist: exit 1"
contains "$tmp/err" "nowhere/report.txt" "... the message names the file"

# --- Disk full: a 1 MB tmpfs (root only). The first source is kept, the
# one that did not fit is absent, the database is consistent, and with
# room again the same command completes. ---
full=$tmp/full
mkdir "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$full" \
    2>/dev/null; then
	mounts="$mounts $full"
	"$RT" ingest -q -d "$full/t.db" "$log" "$tmp/rcpt10k.log" 2>"$tmp/err"
	is $? 1 "disk full: exit 1"
	contains "$tmp/err" "full/t.db" "disk full: the message names the database"
	contains "$tmp/err" "disk is full" "disk full: and says why"
	is "$(Q "$full/t.db" "PRAGMA integrity_check")" ok \
	    "disk full: the database is consistent"
	is "$(Q "$full/t.db" "SELECT group_concat(lines) FROM sources")" \
	    "$lines" "disk full: the source that fit is kept, the other absent"
	mount -o remount,size=64m "$full"
	"$RT" ingest -q -d "$full/t.db" "$log" "$tmp/rcpt10k.log" 2>"$tmp/err"
	is $? 0 "disk full: with room again the same command completes"
	is "$(Q "$full/t.db" "SELECT count(*) FROM recipients")" \
	    "$((10000 + $(Q "$tmp/clean.db" "SELECT count(*) FROM recipients")))" \
	    "disk full: and every recipient is there"
	umount "$full" && mounts=
else
	skip "disk full needs root and tmpfs"
fi

# --- A read-only database: a read-only mount as root, chmod 444 else. ---
rodir=$tmp/rodir
mkdir "$rodir"
if [ "$(id -u)" -eq 0 ]; then
	if mount -t tmpfs -o size=16m tmpfs "$rodir" 2>/dev/null; then
		mounts="$mounts $rodir"
		"$RT" ingest -q -d "$rodir/t.db" "$log"
		mount -o remount,ro "$rodir"
		"$RT" ingest -q -d "$rodir/t.db" "$tmp/never.log" 2>"$tmp/err"
		is $? 1 "database on a read-only mount: ingest exits 1"
		contains "$tmp/err" "rodir/t.db" \
		    "read-only mount: the message names the database"
		"$RT" report -d "$rodir/t.db" >"$tmp/out" 2>"$tmp/err"
		is $? 0 "read-only mount: the report can still be read"
		mount -o remount,rw "$rodir"
		is "$(Q "$rodir/t.db" "SELECT count(*) || '/' || sum(lines) FROM sources")" \
		    "1/$lines" "read-only mount: the database is unchanged"
		# A database left in WAL mode (by an earlier version, or
		# by the user), then read from read-only media: no -shm.
		cp "$rodir/t.db" "$tmp/wal.db"
		python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode = WAL").fetchall()
c.close()' "$rodir/t.db" 2>/dev/null
		mount -o remount,ro "$rodir"
		"$RT" report -d "$rodir/t.db" >"$tmp/wal.out" 2>"$tmp/err"
		is $? 0 "read-only mount, WAL database: the report can be read"
		"$RT" report -d "$tmp/wal.db" >"$tmp/rw.out" 2>/dev/null
		is "$(grep -v -e ' -d ' "$tmp/wal.out" | cksum)" \
		    "$(grep -v -e ' -d ' "$tmp/rw.out" | cksum)" \
		    "read-only mount, WAL database: the same report"
		# An ingest killed on it: the journal cannot be played back.
		mount -o remount,rw "$rodir"
		printf 'not a journal' >"$rodir/t.db-journal"
		mount -o remount,ro "$rodir"
		"$RT" report -d "$rodir/t.db" >/dev/null 2>"$tmp/err"
		is $? 1 "read-only mount with a journal left: the report exits 1"
		contains "$tmp/err" "cannot be rolled back" \
		    "read-only mount with a journal left: and says why"
		mount -o remount,rw "$rodir"
		umount "$rodir"
	else
		skip "read-only database: mount failed"
	fi
else
	"$RT" ingest -q -d "$rodir/t.db" "$log"
	chmod 444 "$rodir/t.db"
	"$RT" ingest -q -d "$rodir/t.db" "$tmp/never.log" 2>"$tmp/err"
	is $? 1 "read-only database: ingest exits 1"
	contains "$tmp/err" "rodir/t.db" "read-only database: the message names it"
	"$RT" report -d "$rodir/t.db" >/dev/null 2>&1
	is $? 0 "read-only database: the report can still be read"
	is "$(Q "$rodir/t.db" "SELECT count(*) || '/' || sum(lines) FROM sources")" \
	    "1/$lines" "read-only database: unchanged"
fi

# --- 100,000 recipients: the background runs.  Either done within the
# limit with every row, or (killed at the limit) the database is
# consistent and holds no half-stored source. ---
wait
bg=
# big NAME DB DESC LIMIT
big() {
	_rc=$(cat "$tmp/$1.rc" 2>/dev/null)
	ok $(t [ "$_rc" = 0 ]) \
	    "100,000 recipients ($3): done within ${4}s of CPU (rc $_rc)"
	if [ "$_rc" = 0 ]; then
		is "$(Q "$2" "SELECT count(*) FROM recipients")" 100000 \
		    "100,000 recipients ($3): all kept"
		mem "$1" "100,000 recipients ($3)"
	else
		is "$(Q "$2" "PRAGMA integrity_check")" ok \
		    "100,000 recipients ($3), stopped: the database is consistent"
		is "$(Q "$2" "SELECT count(*) FROM sources")" 0 \
		    "100,000 recipients ($3), stopped: no half-stored source"
	fi
}
big rcpt-log "$tmp/r100k.db" log "$lim_log"
[ $gen_ok = 0 ] && big rcpt-cap "$tmp/c100k.db" capture "$lim_cap"

done_testing
