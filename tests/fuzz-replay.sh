#!/bin/sh
# Replay every fuzz target's corpus (tests/fuzz/corpus/<target>/*): each
# input must run to the end without a crash or a sanitizer report.
. "${top_srcdir:-.}/tests/tap.sh"
for t in ${FUZZ_TARGETS:-fuzz_postfix fuzz_address fuzz_source fuzz_smtpwire \
    fuzz_decode fuzz_pcap}; do
	bin="${top_builddir:-.}/tests/fuzz/$t"
	dir="$top_srcdir/tests/fuzz/corpus/${t#fuzz_}"
	n=$(ls "$dir" 2>/dev/null | wc -l)
	if [ ! -x "$bin" ]; then
		ok 1 "$t: not built"
		continue
	fi
	ok $([ "$n" -gt 0 ] && echo 0 || echo 1) "$t: corpus has $n inputs"
	"$bin" "$dir"/* >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/out" | tail -20
	is $rc 0 "$t: replays its corpus"
done
done_testing
