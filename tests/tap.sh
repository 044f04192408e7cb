# TAP helpers for shell tests (sourced).  ok COND DESC; is GOT WANT DESC.
tap_n=0
tap_failed=0
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
is() {
	tap_n=$((tap_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $tap_n - $3"
	else
		echo "not ok $tap_n - $3"
		echo "# got '$1', want '$2'"
		tap_failed=$((tap_failed + 1))
	fi
}
# contains FILE STRING DESC: the file holds the fixed string.
contains() {
	if grep -qF -- "$2" "$1"; then ok 0 "$3"; else
		ok 1 "$3"; echo "# '$2' not in $1:"; sed 's/^/#   /' "$1" | head -20
	fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
: "${RELAYTRACE:=./relaytrace}"
: "${top_srcdir:=.}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rt-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# q SQL: one value from the test database.
q() {
	"$RELAYTRACE" sql -d "$tmp/t.db" "$1" | sed -n 2p
}
# evidence_bad DB SOURCE_ID FILE [SQL-CONDITION]: how many evidence rows
# of the source differ from the file's line at their number, compared
# byte for byte (as hex), every row.
evidence_bad() {
	"$RELAYTRACE" sql -d "$1" "SELECT DISTINCT line, lower(hex(text))
	    FROM evidence WHERE source_id = $2 ${4:+AND $4} ORDER BY line" |
	    sed 1d >"$tmp/ev.hex"
	od -An -v -tx1 -w1 "$3" | awk '
		{ b = $1; if (b == "0a") { print n + 1 "\t" h; n++; h = "" }
		  else h = h b }
		END { if (h != "") print n + 1 "\t" h }' >"$tmp/file.hex"
	awk -F '\t' 'NR == FNR { want[$1] = $2; next }
		!($1 in want) || want[$1] != $2 { bad++ }
		END { print bad + 0 }' "$tmp/file.hex" "$tmp/ev.hex"
}
