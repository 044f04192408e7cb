# shellcheck shell=sh disable=SC2034
# Shell functions shared by the benchmarks (tests/bench/bench.sh, the log
# benchmark, and tests/gen/bench.sh, the capture benchmark): timing with
# peak memory, medians, the results table, installing a missing tool.
# Sourced, not run.  The caller sets B_TMP (a scratch directory) and
# B_TABLE (the file rows are appended to), and may set BENCH_RUNS.
#
# A row is: workload, what, median wall ms, peak RSS KB (the largest of
# the runs), input bytes, input lines, runs.

: "${BENCH_RUNS:=3}"
B_FAILED=0

# bench_median N... - the median of integers (the lower middle one).
bench_median()
{
	printf '%s\n' "$@" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# bench_max N... - the largest of integers.
bench_max()
{
	printf '%s\n' "$@" | sort -n | tail -n 1
}

# bench_once CMD... - run CMD once, output discarded; sets T_MS (wall
# milliseconds) and T_KB (peak resident set, from GNU time, or 0).
bench_once()
{
	_s=$(date +%s%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$B_TMP/time" "$@" \
		    >"$B_TMP/out" 2>"$B_TMP/err"
	else
		echo 0 >"$B_TMP/time"
		"$@" >"$B_TMP/out" 2>"$B_TMP/err"
	fi
	_rc=$?
	_e=$(date +%s%N)
	T_MS=$(( (_e - _s) / 1000000 ))
	T_KB=$(tail -n 1 "$B_TMP/time")
	case $T_KB in
	''|*[!0-9]*) T_KB=0 ;;
	esac
	if [ "$_rc" -ne 0 ]; then
		echo "bench: exit $_rc: $*" >&2
		head -n 5 "$B_TMP/err" | sed 's/^/bench:   /' >&2
		B_FAILED=1
	fi
	return 0
}

# bench_newer A B - A was modified after B.
bench_newer()
{
	[ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]
}

# bench_row WORKLOAD WHAT MS KB BYTES LINES - add a row to the table.
bench_row()
{
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
	    "$6" "$BENCH_RUNS" >>"$B_TABLE"
}

# bench_measure WORKLOAD WHAT BYTES LINES CMD... - CMD BENCH_RUNS times;
# a row with the median time and the peak memory.  Sets B_MS and B_KB.
bench_measure()
{
	_w=$1 _what=$2 _bytes=$3 _lines=$4
	shift 4
	_ms='' _kb=''
	_i=0
	while [ "$_i" -lt "$BENCH_RUNS" ]; do
		bench_once "$@"
		_ms="$_ms $T_MS"
		_kb="$_kb $T_KB"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	B_MS=$(bench_median $_ms)
	# shellcheck disable=SC2086
	B_KB=$(bench_max $_kb)
	bench_row "$_w" "$_what" "$B_MS" "$B_KB" "$_bytes" "$_lines"
}

# bench_table - print the table: median wall time, throughput of the
# input (MB = 2^20 bytes), peak memory.
bench_table()
{
	awk -F '\t' '
	BEGIN {
		printf "%-11s %-40s %9s %8s %11s %9s\n", "workload", "what",
		    "wall s", "MB/s", "lines/s", "RSS MB"
	}
	{
		s = $3 / 1000
		mbs = s > 0 ? $5 / 1048576 / s : 0
		lps = s > 0 ? $6 / s : 0
		printf "%-11s %-40s %9.2f %8.1f %11.0f %9.1f\n", $1, $2, s,
		    mbs, lps, $4 / 1024
	}' "$B_TABLE"
}

# bench_tool CMD PACKAGE - true if CMD can be run; if not, install
# PACKAGE from Debian when allowed (root, apt-get, BENCH_INSTALL not 0).
bench_tool()
{
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${BENCH_INSTALL:-1}" != 0 ] && [ "$(id -u)" = 0 ] &&
	    command -v apt-get >/dev/null 2>&1; then
		echo "bench: $1 missing: apt-get install -y $2" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" \
		    >"$B_TMP/apt.log" 2>&1 ||
		    { apt-get update >/dev/null 2>&1 &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" \
		    >"$B_TMP/apt.log" 2>&1; } ||
		    echo "bench: could not install $2" >&2
	fi
	command -v "$1" >/dev/null 2>&1
}

# bench_check NAME VALUE OP LIMIT - print a target and whether it holds
# (OP is ge or le; VALUE "" means not measured).
bench_check()
{
	if [ -z "$2" ]; then
		printf '  %-58s %10s  %s\n' "$1" "-" "not measured"
		return 0
	fi
	if awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN {
	    exit !(op == "ge" ? v + 0 >= l + 0 : v + 0 <= l + 0) }'; then
		printf '  %-58s %10s  met (%s %s)\n' "$1" "$2" \
		    "$(test "$3" = ge && echo '>=' || echo '<=')" "$4"
	else
		printf '  %-58s %10s  MISSED (%s %s)\n' "$1" "$2" \
		    "$(test "$3" = ge && echo '>=' || echo '<=')" "$4"
		B_MISSED=$((${B_MISSED:-0} + 1))
	fi
}

# bench_ratio A B - A / B with two decimals, "" if either is missing.
bench_ratio()
{
	if [ -z "$1" ] || [ -z "$2" ] || [ "$2" = 0 ]; then
		echo ""
		return 0
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
