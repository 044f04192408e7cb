#!/bin/sh
# The fixed fuzzing runs of CI (.ci/run), runnable anywhere: each
# libFuzzer target of a build configured with --enable-fuzzing (clang),
# from a fresh copy of its corpus (tests/fuzz/corpus/<target>/), with the
# dictionary, a fixed seed and a fixed number of runs.  Time-based fuzzing
# finds different things on different machines; this finds the same
# thing wherever it runs, so what CI reports can be reproduced here.
#
#	tests/fuzz/run-fixed.sh BUILDDIR [TARGET...]
#
# For each target one line "PASS: target (...)" or "FAIL: target (...)",
# and libFuzzer's last status line (cov: edges covered, ft: features,
# corp: corpus entries/size).  A crash, sanitizer report, leak, timeout or
# out-of-memory fails the target: the report and the input that caused it
# (kept as BUILDDIR/<target>-<kind>-<sha1>) are printed; a fix goes
# with that input added to tests/fuzz/corpus/<target>/, which make check
# replays.  Exit status 1 if any target failed, 2 on a usage error.
set -u
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILDDIR [TARGET...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
shift
src=$(cd "$(dirname "$0")/../.." && pwd)

# target, -max_len, -runs.  The runs were chosen so that each target
# takes 30 to 40 s of CPU on a 2-CPU x86-64 VM (ASan and UBSan builds);
# -max_len is a few times the largest input a target means to read in
# one go (an address, a frame, a small log or capture).
runs_table='
fuzz_address	512	2400000
fuzz_postfix	16384	5200
fuzz_source	16384	380000
fuzz_smtpwire	16384	560000
fuzz_decode	8192	800000
fuzz_pcap	16384	200000
'
SEED=1
TIMEOUT=10		# seconds for one input
RSS_MB=2048

if [ $# -eq 0 ]; then
	set -- $(echo "$runs_table" | awk 'NF == 3 { print $1 }')
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/relaytrace-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# The same seed is not enough: where the heap, the stack and the
# program's own data lie changes what a target compares, and libFuzzer
# mutates with the values it saw compared (-use_cmp): a pointer's value
# depends on address randomisation, the environment, and the length of
# the source path ASan records in the binary.  So those mutations are off
# (the dictionary gives the words they would find), address space
# randomisation is off (setarch -R; a container may refuse it), and each
# target runs with the same arguments and environment everywhere: an
# empty environment, and relative names in a directory of its own.
norand="setarch $(uname -m) -R"
if ! $norand true 2>/dev/null; then
	echo "run-fixed.sh: setarch -R refused: addresses are random," \
	    "runs may differ from elsewhere" >&2
	norand=
fi
if [ -x /usr/bin/time ]; then
	timer="/usr/bin/time -f %U+%S -o time"
else
	timer=
fi

failed=0
for t in "$@"; do
	set -- $(echo "$runs_table" | awk -v t="$t" '$1 == t { print $2, $3 }')
	if [ $# -ne 2 ]; then
		echo "FAIL: $t (not a target in the table)"
		failed=$((failed + 1))
		continue
	fi
	maxlen=$1
	runs=$2
	bin=$build/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "FAIL: $t (not built in $build)"
		failed=$((failed + 1))
		continue
	fi
	d=$work/$t
	mkdir "$d" "$d/corpus" "$d/found"
	cp "$src/tests/fuzz/corpus/${t#fuzz_}"/* "$d/corpus/" 2>/dev/null
	cp "$src/tests/fuzz/smtp.dict" "$d/dict"
	ln -s "$bin" "$d/fuzz"
	rm -f "$build/$t-"*
	(cd "$d" && exec env -i PATH=/usr/bin:/bin $timer $norand ./fuzz \
	    -seed=$SEED -runs="$runs" -max_len="$maxlen" \
	    -timeout=$TIMEOUT -rss_limit_mb=$RSS_MB -reload=0 -use_cmp=0 \
	    -print_final_stats=1 -dict=dict -artifact_prefix=found/ \
	    corpus >log 2>&1)
	rc=$?
	cpu=$(tail -n 1 "$d/time" 2>/dev/null | awk -F+ 'NF == 2 {
	    printf "%.1f s CPU, ", $1 + $2 }')
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$d/log" | tail -n 1)
	cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
		echo "PASS: $t (seed $SEED, $runs runs, ${cpu}cov $cov)"
		echo "$t: $done_line"
		continue
	fi
	failed=$((failed + 1))
	echo "FAIL: $t (seed $SEED, $runs runs, exit $rc)"
	grep -E -A40 '^(==[0-9]+==|SUMMARY|ALARM|.*runtime error)' "$d/log" |
	    head -60
	for a in "$d/found/"*; do
		[ -f "$a" ] || continue
		cp "$a" "$build/$t-${a##*/}"
		echo "input $build/$t-${a##*/}:"
		od -A d -c "$a" | head -20
	done
done
[ $failed -eq 0 ]
