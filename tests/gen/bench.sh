#!/bin/sh
#
# Copyright (c) 2026 The relaytrace authors.
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
#
# bench.sh (captures) - relaytrace on a packet capture of SMTP, beside
# tcpdump and tshark.  Run by tests/bench/bench.sh (make bench), which
# shares its table, or alone from the build directory.
#
# The capture: pcapgen --bench N (N sessions of about 12.8 KB, 64 open at
# a time: EHLO, MAIL, two RCPT, a 10 KB DATA), N chosen to make
# BENCH_CAPTURE bytes (default 100M), kept in BENCH_DIR.  Measured,
# BENCH_RUNS times each:
#   relaytrace ingest, then report, into a fresh database
#   pcapstat -n F        libpcap, decoding and reassembly into a null
#                        sink: the floor under relaytrace's capture path
#   tcpdump -nr F        a packet per line
#   tshark -r F -Y smtp -T fields -e smtp.req.command
#       -e smtp.req.parameter
#                        the SMTP commands, dissected
# Checked: relaytrace found the N sessions and their 2N recipients.
#
# Environment: RELAYTRACE, PCAPGEN, PCAPSTAT, BENCH_DIR (./bench),
# BENCH_CAPTURE, BENCH_RUNS (3), BENCH_INSTALL, top_srcdir; B_TABLE and
# B_CHECKS when run by tests/bench/bench.sh.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RELAYTRACE:=./relaytrace}"
: "${PCAPGEN:=./tests/gen/pcapgen}"
: "${PCAPSTAT:=./tests/gen/pcapstat}"
: "${BENCH_DIR:=./bench}"
: "${BENCH_CAPTURE:=100M}"
: "${BENCH_RUNS:=3}"

mkdir -p "$BENCH_DIR" || exit 1
B_TMP=$(mktemp -d "${TMPDIR:-/tmp}/relaytrace-capbench.XXXXXX") || exit 1
trap 'rm -rf "$B_TMP"' EXIT
trap 'exit 2' HUP INT TERM
alone=0
if [ -z "${B_TABLE:-}" ]; then
	alone=1
	B_TABLE=$B_TMP/table
	B_CHECKS=$B_TMP/checks
	: >"$B_TABLE"
	: >"$B_CHECKS"
fi
# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

for p in "$RELAYTRACE" "$PCAPGEN" "$PCAPSTAT"; do
	if [ ! -x "$p" ]; then
		echo "bench: $p: not built (make)" >&2
		exit 1
	fi
done

case $BENCH_CAPTURE in
*[kK]) bytes=$((${BENCH_CAPTURE%?} * 1024)) ;;
*M) bytes=$((${BENCH_CAPTURE%M} * 1048576)) ;;
*G) bytes=$((${BENCH_CAPTURE%G} * 1073741824)) ;;
*) bytes=$BENCH_CAPTURE ;;
esac
n=$((bytes / 12841 + 1))
cap=$BENCH_DIR/capture-$BENCH_CAPTURE.pcap
if [ ! -s "$cap" ] || bench_newer "$PCAPGEN" "$cap"; then
	echo "bench: generating $cap ($n sessions)" >&2
	"$PCAPGEN" --bench "$n" "$cap.tmp" 2>/dev/null && mv "$cap.tmp" "$cap" ||
	    exit 1
fi
w=capture-$BENCH_CAPTURE
cbytes=$(wc -c <"$cap")
cat "$cap" >/dev/null
# The "lines" of a capture are its packets: 31 a session.
pkts=$((n * 31))

db=$B_TMP/cap.db
i=0
ti='' tr='' tt='' ki='' kr=''
while [ "$i" -lt "$BENCH_RUNS" ]; do
	rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
	bench_once "$RELAYTRACE" ingest -q -d "$db" "$cap"
	ti="$ti $T_MS" ki="$ki $T_KB" a=$T_MS
	bench_once "$RELAYTRACE" report -d "$db"
	tr="$tr $T_MS" kr="$kr $T_KB" tt="$tt $((a + T_MS))"
	if [ "$i" = 0 ]; then
		got=$("$RELAYTRACE" sql -d "$db" "SELECT (SELECT count(*) FROM\
 sessions) || ' ' || (SELECT count(*) FROM recipients)" | tail -n 1)
		if [ "$got" = "$n $((2 * n))" ]; then
			echo "  capture: relaytrace found all $n sessions and" \
			    "$((2 * n)) recipients" >>"$B_CHECKS"
		else
			echo "  capture: MISMATCH: $n sessions and $((2 * n))" \
			    "recipients sent, relaytrace found $got" >>"$B_CHECKS"
			B_FAILED=1
		fi
	fi
	i=$((i + 1))
done
rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
# shellcheck disable=SC2086
{
	bench_row "$w" "relaytrace ingest" "$(bench_median $ti)" \
	    "$(bench_max $ki)" "$cbytes" "$pkts"
	bench_row "$w" "relaytrace ingest+report" "$(bench_median $tt)" \
	    "$(bench_max $ki $kr)" "$cbytes" "$pkts"
}
bench_measure "$w" "pcapstat -n F (decode+reassembly)" "$cbytes" "$pkts" \
    "$PCAPSTAT" -n "$cap"
# shellcheck disable=SC2086
rt_ms=$(bench_median $ti)
# shellcheck disable=SC2086
rt_kb=$(bench_max $ki)
td_ms='' ts_ms=''
if bench_tool tcpdump tcpdump; then
	bench_measure "$w" "tcpdump -nr F" "$cbytes" "$pkts" \
	    tcpdump -nr "$cap"
	td_ms=$B_MS
fi
if bench_tool tshark tshark; then
	bench_measure "$w" "tshark -Y smtp -T fields (cmd, param)" "$cbytes" \
	    "$pkts" tshark -r "$cap" -Y smtp -T fields -e smtp.req.command \
	    -e smtp.req.parameter
	ts_ms=$B_MS
fi
# The targets of issue 3, on relaytrace ingest (the whole job on the
# capture: sessions, verdicts, evidence in the database).
{
	echo "targets, $w:"
	bench_check "relaytrace ingest / tcpdump -nr (times)" \
	    "$(bench_ratio "$rt_ms" "$td_ms")" le 2
	bench_check "relaytrace vs tshark -Y smtp (times faster)" \
	    "$(bench_ratio "$ts_ms" "$rt_ms")" ge 10
	bench_check "peak RSS, MB" "$(bench_ratio "$rt_kb" 1024)" le 64
} >>"$B_CHECKS"

if [ "$alone" = 1 ]; then
	echo
	echo "relaytrace capture benchmark: median of $BENCH_RUNS runs;" \
	    "lines/s are packets/s"
	bench_table
	echo
	cat "$B_CHECKS"
fi
[ "$B_FAILED" = 0 ]
