#!/bin/sh
# The Postfix sample incident as systemd-journald stored it (samples/
# journald/: the lines of samples/postfix/mail.log replayed into Debian
# 12's journald, then written out by journalctl as JSON, export and
# short-iso): each form must give the findings the syslog file gives,
# with the journal's own time (the replay's).  And the same lines in
# RFC 5424 framing.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples"
RT=$RELAYTRACE

dump() {
	"$RT" sql -d "$1" "SELECT kind, client_ip, auth_user, recipients,
	    delivered, deferred, bounced FROM findings ORDER BY kind,
	    client_ip, auth_user, recipients, delivered, deferred, bounced"
}
Q() {
	"$RT" sql -d "$1" "$2" | sed -n 2p
}

"$RT" ingest -q -d "$tmp/p.db" --mta-config "$S/postfix/main.cf" \
    "$S/postfix/mail.log"
is $? 0 "the syslog file"
dump "$tmp/p.db" >"$tmp/f.p"
for form in json export short-iso; do
	"$RT" ingest -q -d "$tmp/$form.db" --mta-config "$S/postfix/main.cf" \
	    "$S/journald/mail.$form.gz"
	is $? 0 "journalctl -o $form"
	dump "$tmp/$form.db" >"$tmp/f.$form"
	cmp -s "$tmp/f.p" "$tmp/f.$form"
	is $? 0 "journalctl -o $form: the same findings"
	is "$(Q "$tmp/$form.db" "SELECT count(*) FROM sessions")" \
	    "$(Q "$tmp/p.db" "SELECT count(*) FROM sessions")" \
	    "journalctl -o $form: the same sessions"
	is "$(Q "$tmp/$form.db" "SELECT unparsed FROM sources")" 0 \
	    "journalctl -o $form: every line understood"
done
is "$(Q "$tmp/json.db" "SELECT format FROM sources")" journald \
    "JSON: detected as journald"
is "$(Q "$tmp/export.db" "SELECT format FROM sources")" journald \
    "export: detected as journald"
is "$(Q "$tmp/short-iso.db" "SELECT format FROM sources")" \
    postfix-rfc3339 "short-iso is RFC 3339 syslog"
# RFC 5424 framing of the same lines, as rsyslog's
# RSYSLOG_SyslogProtocol23Format writes them ("<22>1 TIME HOST APP PROCID
# - - MSG"), with and without structured data and the <PRI>.
awk '{ t = $3; sub(/:$/, "", t); pid = "-";
	if (match(t, /\[[0-9]+\]$/)) {
		pid = substr(t, RSTART + 1, RLENGTH - 2); t = substr(t, 1, RSTART - 1)
	}
	msg = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", msg)
	sd = NR % 2 ? "-" : "[meta sequenceId=\"" NR "\"]"
	pri = NR % 3 ? "<22>" : ""
	print pri "1 " $1 " " $2 " " t " " pid " - " sd " " msg }' \
    "$S/postfix/mail.log" >"$tmp/mail5424.log"
"$RT" ingest -q -d "$tmp/5424.db" --mta-config "$S/postfix/main.cf" \
    "$tmp/mail5424.log"
is $? 0 "RFC 5424 framing"
dump "$tmp/5424.db" >"$tmp/f.5424"
cmp -s "$tmp/f.p" "$tmp/f.5424"
is $? 0 "RFC 5424: the same findings"
is "$(Q "$tmp/5424.db" "SELECT format || ' ' || unparsed FROM sources")" \
    "postfix-rfc5424 0" "RFC 5424: detected, every line understood"

# The journal's time: the replay's day, with the year, in UTC.
is "$(Q "$tmp/json.db" "SELECT substr(min(start_time), 1, 10) FROM
    sessions")" "$(Q "$tmp/json.db" "SELECT substr(first_time, 1, 10) FROM
    sources")" "JSON: times from __REALTIME_TIMESTAMP"
# Evidence cites the JSON line, and the MESSAGE line of an export entry.
is "$(Q "$tmp/json.db" "SELECT count(*) FROM evidence WHERE
    CAST(text AS TEXT) NOT LIKE '{%'")" 0 "JSON: evidence is the entry"
is "$(Q "$tmp/export.db" "SELECT count(*) FROM evidence WHERE
    CAST(text AS TEXT) NOT LIKE 'MESSAGE=%'")" 0 \
    "export: evidence is the MESSAGE line"

done_testing
