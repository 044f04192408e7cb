#!/bin/sh
# Makes samples/journald/mail.json.gz, mail.export.gz and mail.short-iso.gz
# with Debian 12's own
# systemd-journald (systemd 252): the lines of samples/postfix/mail.log are
# replayed into its syslog socket (replay.py) and journalctl writes them
# out.  Runs as root, in private mount and UTS namespaces (host name "mx",
# a tmpfs /run and /var/log, journald reading no kernel messages): nothing
# on the machine changes.
#
#   sudo samples/journald/make-journal.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" != --inside ]; then
	exec unshare --mount --uts sh "$0" --inside
fi
hostname mx
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/log
mkdir -p /run/systemd/journal /run/relaytrace
cat >/run/relaytrace/journald.conf <<'CONF'
[Journal]
Storage=volatile
ReadKMsg=no
RateLimitIntervalSec=0
ForwardToSyslog=no
ForwardToWall=no
CONF
mount --bind /run/relaytrace/journald.conf /etc/systemd/journald.conf
/lib/systemd/systemd-journald &
jpid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -S /run/systemd/journal/dev-log ] && break
	sleep 0.5
done
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
(cd "$here" && "$py" replay.py ../postfix/mail.log)
sleep 2
journalctl -D /run/log/journal --no-pager SYSLOG_FACILITY=2 -o json \
    >"$here/mail.json"
journalctl -D /run/log/journal --no-pager SYSLOG_FACILITY=2 -o export \
    >"$here/mail.export"
journalctl -D /run/log/journal --no-pager SYSLOG_FACILITY=2 -o short-iso \
    >"$here/mail.short-iso"
kill "$jpid"
wait "$jpid" 2>/dev/null || true
dpkg-query -W systemd >"$here/versions.txt"
date -u +%Y-%m-%dT%H:%M:%SZ >>"$here/versions.txt"
gzip -9nf "$here/mail.json" "$here/mail.export" "$here/mail.short-iso"
ls -l "$here"/mail.*
