#!/bin/bash
# make-incident.sh: regenerate the OpenSMTPD sample incident (samples/opensmtpd).
#
# Runs Debian 12's own OpenSMTPD (the opensmtpd package, fetched with
# `apt-get download` and unpacked with `dpkg -x`, never installed: it
# would remove the machine's MTA) and rsyslog inside a private mount,
# network and UTS namespace with only a loopback interface, replays the
# traffic plan (plan.tsv) with ../lib/drive.py from many 127.0.0.x
# addresses, captures the SMTP traffic with tcpdump and copies the log,
# the capture and the configuration here.  The stage is ../lib/stage.sh.
#
# Usage (as root):   ./make-incident.sh             regenerate everything
#                    KEEP_WORK=1 ./make-incident.sh    keep the work directory
#                    ./make-incident.sh --shell        the stage and a shell in it
#
# Needs: rsyslog tcpdump python3 openssl iproute2 util-linux, and the
#        libraries opensmtpd depends on (libevent-2.1-7 ...).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLES=$(cd "$HERE/.." && pwd)
LIB=$SAMPLES/lib
MTA_NAME=opensmtpd
MTA_PKGS="opensmtpd"
STAGE_USERS="opensmtpd opensmtpq"
STAGE_CERT_KEY=ec
STAGE_CERT_OPTS="-pkeyopt ec_paramgen_curve:prime256v1"
. "$LIB/stage.sh"

# smtpd_conf PHASE - /etc/smtpd.conf; phase 1 relays for anybody
smtpd_conf() {
    if [ "$1" = 1 ]; then
        awk '/^match from src <trusted> for any action "outbound"$/ {
                 print "match from any for any action \"outbound\""; next }
             /^match auth from any for any action "outbound"$/ { next }
             { print }' "$HERE/smtpd.conf" > /etc/smtpd.conf
    else
        cp "$HERE/smtpd.conf" /etc/smtpd.conf
    fi
    smtpd -n -f /etc/smtpd.conf >/dev/null
}

smtpd_pid() { cat "$WORK/run/smtpd.pid" 2>/dev/null || true; }

smtpd_start() {
    smtpd -F -f /etc/smtpd.conf &
    echo $! > "$WORK/run/smtpd.pid"
    for _ in $(seq 50); do [ -S /run/smtpd.sock ] && break; sleep 0.1; done
    [ -S /run/smtpd.sock ] || { tail -5 /var/log/everything.log >&2; die "smtpd did not start"; }
    sleep 1
}

smtpd_stop() {
    local p
    p=$(smtpd_pid)
    [ -n "$p" ] || return 0
    smtpctl stop >/dev/null 2>&1 || true
    for _ in $(seq 50); do [ "$(cat /proc/$p/comm 2>/dev/null)" = smtpd ] || break; sleep 0.1; done
    stop_pid "$p:smtpd"
    rm -f "$WORK/run/smtpd.pid"
}

# smtpd_wait_queue - until nothing is in flight and every envelope was tried
smtpd_wait_queue() {
    local out
    for _ in $(seq 600); do
        out=$(smtpctl show queue 2>/dev/null || true)
        # evpid|family|type|flags|from|to|dest|ctime|lasttry|expire|retry|state|...
        if ! awk -F'|' '$12 == "inflight" || ($12 == "pending" && $11 == 0) { busy = 1 }
                        END { exit busy ? 0 : 1 }' <<<"$out"; then
            return 0
        fi
        sleep 0.1
    done
    say "queue did not settle"
}

# hook ACTION [ARGS] - the plan's actions: drive.py --hook runs this script
# with the action as its first argument, inside the namespace
hook() {
    case "$1" in
    @wait-queue) sleep 0.5; smtpd_wait_queue ;;
    @flush) smtpctl schedule all ;;
    @sendmail) shift; from=$1; shift
        # a local submission as cron does it (OpenSMTPD's sendmail)
        /usr/sbin/sendmail -f "$from" -- "$@" ;;
    @fix)
        smtpd_stop
        smtpd_conf 2
        smtpd_start ;;
    *) die "unknown action $1" ;;
    esac
}

case "${1:-}" in @*) hook "$@"; exit 0 ;; esac

# ---------------------------------------------------------------- outer part
if [ "${1:-}" != "--inner" ]; then
    stage_outer
    MODE=${1:-run}
    rc=0
    unshare --mount --net --uts --propagation private "$0" --inner "$MODE" || rc=$?
    if [ "$MODE" = run ] && [ $rc = 0 ]; then
        say "copying results into $HERE"
        mkdir -p "$HERE/run"
        cp "$WORK/out/mail.log"              "$HERE/mail.log"
        cp "$WORK/pcap/incident.pcap"        "$HERE/incident.pcap"
        for f in client-results.tsv sink-received.tsv queue-at-stop.txt \
                 versions.txt dns-check.txt; do
            cp "$WORK/run/$f" "$HERE/run/$f"
        done
        chmod 644 "$HERE/mail.log" "$HERE/incident.pcap" "$HERE"/run/*
        python3 "$LIB/expected.py" --profile opensmtpd --plan "$HERE/plan.tsv" \
            --rules "$SAMPLES/sink-rules.tsv" --pairs > "$HERE/expected-recipients.tsv"
        python3 "$LIB/expected.py" --profile opensmtpd --plan "$HERE/plan.tsv" \
            --rules "$SAMPLES/sink-rules.tsv" --markdown > "$HERE/expected.md"
    fi
    if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc != 0 ]; then
        say "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
fi

# ---------------------------------------------------------------- inner part
MODE=${2:-run}
: "${WORK:?}" "${HERE:?}" "${LIB:?}"
cleanup() {
    set +e
    smtpd_stop
    stop_all
}
trap cleanup EXIT
stage_namespace

# --- OpenSMTPD's files where the package's postinst would put them
mkdir -p /etc/smtpd/tls /var/spool/smtpd /var/lib/opensmtpd/empty
chmod 711 /var/spool/smtpd
# smtpctl (also sendmail) must be setgid to the queue user
chgrp opensmtpq /usr/sbin/smtpctl; chmod 2555 /usr/sbin/smtpctl
cp "$HERE/aliases" /etc/smtpd/aliases
stage_cert /etc/smtpd/tls
# the listener's credentials: login and bcrypt hash (smtpctl encrypt)
while IFS=$'\t' read -r user pw _; do
    case "$user" in ''|\#*) continue ;; esac
    printf '%s\t%s\n' "$user" "$(printf '%s\n' "$pw" | /usr/libexec/opensmtpd/encrypt)"
done < "$SAMPLES/accounts.tsv" > /etc/smtpd/credentials
chmod 640 /etc/smtpd/credentials; chgrp opensmtpd /etc/smtpd/credentials
# OpenSMTPD's resolver (asr) reads resolv.conf itself: files only
echo "lookup file" >> /etc/resolv.conf
smtpd_conf 1

stage_rsyslog
stage_capture
stage_sink

# --- OpenSMTPD, phase 1 (match from any for any: the open relay)
smtpd_start

{
    echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release; echo "$PRETTY_NAME")"
    cat "$WORK/pkg-versions.txt"
    dpkg-query -W -f '${Package}\t${Version}\n' rsyslog tcpdump python3 openssl 2>/dev/null
    { smtpd -h 2>&1 || true; } | sed -n '1s/^[Vv]ersion: /opensmtpd version\t/p'
} > "$WORK/run/versions.txt"

if [ "$MODE" = --shell ] || [ "$MODE" = shell ]; then
    if [ -n "${SHELL_CMD:-}" ]; then bash -c "$SHELL_CMD" || true
    else say "debug shell; exit to stop everything"; bash -i || true; fi
    exit 0
fi

# --- the traffic plan (the fix is a row of plan.tsv)
python3 "$LIB/drive.py" --plan "$HERE/plan.tsv" --accounts "$SAMPLES/accounts.tsv" \
    --results "$WORK/run/client-results.tsv" --hook "$HERE/make-incident.sh"

sleep 3
smtpctl show queue > "$WORK/run/queue-at-stop.txt" 2>&1 || true
smtpd_stop
sleep 1
stop_pid "$RSYSLOG_PID:rsyslogd"
stop_pid "$TCPDUMP_IN"
stop_pid "$TCPDUMP_OUT"
sleep 1
trap - EXIT
cleanup
cp /var/log/mail.log "$WORK/out/mail.log"
stage_dns_check
say "done"
