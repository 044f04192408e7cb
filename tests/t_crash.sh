#!/bin/sh
# Crash safety: an ingest killed with SIGKILL at random points leaves a
# consistent database (integrity_check), no half-stored source, and
# running the ingest again gives exactly the database a clean run gives.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/postfix"
RT=$RELAYTRACE
runs=${CRASH_RUNS:-16}

# A rotated set large enough to be killed in the middle of.
for i in 1 2 3; do
	: >"$tmp/mail.log.$i"
	n=0
	while [ $n -lt 20 ]; do
		cat "$S/mail.log" >>"$tmp/mail.log.$i"
		n=$((n + 1))
	done
done
set -- "$tmp/mail.log.3" "$tmp/mail.log.2" "$tmp/mail.log.1"

dump() {
	for t in sessions messages recipients findings evidence anomalies \
	    local_domains local_nets account_flags headers; do
		echo "== $t"
		"$RT" sql -d "$1" "SELECT * FROM $t ORDER BY 1"
	done
	# A new store makes some indexes at the end of its first ingest; a
	# run cut off before leaves them to the next one that writes.
	"$RT" sql -d "$1" "SELECT name, sql FROM sqlite_schema WHERE type =
	    'index' ORDER BY name"
	"$RT" sql -d "$1" "SELECT path, sha256, bytes, kind, format, host,
	    first_time, last_time, lines, parsed, other, unparsed, long_lines,
	    error FROM sources ORDER BY id"
}

"$RT" ingest -q -d "$tmp/clean.db" --mta-config "$S/main.cf" "$@"
is $? 0 "clean run"
is "$("$RT" sql -d "$tmp/clean.db" "PRAGMA foreign_key_check" | wc -l)" 0 \
    "every row's references resolve (foreign_key_check)"
dump "$tmp/clean.db" >"$tmp/clean.dump"
is "$("$RT" sql -d "$tmp/clean.db" "SELECT count(*) FROM sqlite_schema
    WHERE type = 'index' AND name IN ('sessions_client', 'messages_queue',
    'messages_client', 'recipients_verdict', 'evidence_session',
    'evidence_message')" | sed -n 2p)" 6 \
    "the indexes made after the first ingest are there"

i=0
bad_integrity=0
bad_same=0
killed=0
while [ $i -lt $runs ]; do
	i=$((i + 1))
	rm -f "$tmp/k.db" "$tmp/k.db-wal" "$tmp/k.db-shm"
	"$RT" ingest -q -d "$tmp/k.db" --mta-config "$S/main.cf" "$@" &
	pid=$!
	# 0 to ~250 ms, spread over the runs.
	ms=$(( (i * 23) % 250 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	if [ -f "$tmp/k.db" ]; then
		r=$("$RT" sql -d "$tmp/k.db" "PRAGMA integrity_check" 2>/dev/null |
		    sed -n 2p)
		case "$r" in
		ok|"") ;;
		*) bad_integrity=$((bad_integrity + 1));
		   echo "# run $i after ${ms}ms: integrity: $r" ;;
		esac
	fi
	"$RT" ingest -q -d "$tmp/k.db" --mta-config "$S/main.cf" "$@" \
	    2>/dev/null
	dump "$tmp/k.db" >"$tmp/k.dump"
	if ! cmp -s "$tmp/clean.dump" "$tmp/k.dump"; then
		bad_same=$((bad_same + 1))
		echo "# run $i killed after ${ms}ms differs:"
		diff "$tmp/clean.dump" "$tmp/k.dump" | head -5 | sed 's/^/#   /'
	fi
done
ok 0 "# $killed of $runs runs were killed before they finished"
is "$bad_integrity" 0 "integrity_check passes after every kill"
is "$bad_same" 0 "re-running after a kill gives the clean database"
done_testing
