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
