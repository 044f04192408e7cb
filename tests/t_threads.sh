#!/bin/sh
# The fast ingest (a reader thread parsing, this one correlating and
# writing, a third compressing evidence; a new store's indexes made after
# the ingest; lookups skipped when they cannot find anything) against the
# plain one (RELAYTRACE_PLAIN=1: one thread handing each event on as it
# is parsed, every index kept row by row, every lookup made): the same
# database, table by table, and the same report, on every sample
# (logs of each MTA, captures, compressed journald exports, the logs of two
# hosts that hand mail to each other) and on damaged
# input (unparsed lines, overlong lines, bad packets), read together in
# one store so that events of one source join rows of another.
. "${top_srcdir:-.}/tests/tap.sh"
RT=$RELAYTRACE
S=$top_srcdir/samples
D=$top_srcdir/tests/data/pcap
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_threads.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

dump() {
	for t in sessions messages recipients findings evidence anomalies \
	    local_domains local_nets account_flags headers; do
		echo "== $t"
		"$RT" sql -d "$1" "SELECT * FROM $t ORDER BY 1"
	done
	"$RT" sql -d "$1" "SELECT path, sha256, bytes, kind, format, host,
	    first_time, last_time, lines, parsed, other, unparsed, long_lines,
	    error FROM sources ORDER BY id"
}

# A log with lines no parser knows and a line over the 64 KiB cap.
{
	head -n 40 "$S/postfix/mail.log"
	printf 'garbage line one\n\001\002 binary\n'
	head -c 70000 /dev/zero | tr '\0' x
	printf '\n'
	sed -n '41,$p' "$S/postfix/mail.log"
} >"$tmp/damaged.log"

# run NAME ARGS...: investigate both ways, compare.
run() {
	_n=$1
	shift
	RELAYTRACE_PLAIN=1 "$RT" investigate -q -d "$tmp/$_n.1.db" "$@" \
	    >"$tmp/$_n.1.out" 2>"$tmp/$_n.1.err"
	_r1=$?
	"$RT" investigate -q -d "$tmp/$_n.2.db" "$@" >"$tmp/$_n.2.out" \
	    2>"$tmp/$_n.2.err"
	is "$?" "$_r1" "$_n: the same exit status ($_r1)"
	dump "$tmp/$_n.1.db" >"$tmp/$_n.1.dump"
	dump "$tmp/$_n.2.db" >"$tmp/$_n.2.dump"
	ok $(cmp -s "$tmp/$_n.1.dump" "$tmp/$_n.2.dump"; echo $?) \
	    "$_n: the same database"
	sed "s|$_n\.[12]\.db|DB|g" "$tmp/$_n.1.out" >"$tmp/$_n.1.rep"
	sed "s|$_n\.[12]\.db|DB|g" "$tmp/$_n.2.out" >"$tmp/$_n.2.rep"
	ok $(cmp -s "$tmp/$_n.1.rep" "$tmp/$_n.2.rep"; echo $?) \
	    "$_n: the same report"
	ok $(t=$(wc -l <"$tmp/$_n.1.dump"); [ "$t" -gt 50 ]; echo $?) \
	    "$_n: and it is not empty"
}

run postfix --mta-config "$S/postfix/main.cf" "$S/postfix/mail.log" \
    "$S/pcap/incident.pcapng"
run exim --mta-config "$S/exim/update-exim4.conf.conf" "$S/exim/mainlog" \
    "$S/exim/incident.pcap"
# the second copies of syslog_duplication are told in the reader thread
run exim-dup --mta-config "$S/exim/update-exim4.conf.conf" \
    "$S/exim/mail-dup.log"
run sendmail --local-domain example.test "$S/sendmail/mail.log"
run opensmtpd --local-domain example.test "$S/opensmtpd/mail.log" \
    "$S/opensmtpd/incident.pcap"
run microsoft --local-domain corp.example "$S/exchange" "$S/iis"
run journald "$S/journald/mail.json.gz" "$S/journald/mail.export.gz"
run hops --mta-config "$S/hops/inner/main.cf" "$S/hops/edge/mail.log" \
    "$S/hops/inner/mail.log"
run damaged "$tmp/damaged.log" "$D/garbage.pcap" "$D/snaplen.pcap"
done_testing
