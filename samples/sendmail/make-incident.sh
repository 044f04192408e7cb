#!/bin/bash
# make-incident.sh: regenerate the Sendmail sample incident (samples/sendmail).
#
# Runs Debian 12's own sendmail (sendmail-bin, sendmail-base, sendmail-cf,
# fetched with `apt-get download` and unpacked with `dpkg -x`, never
# installed: it would remove the machine's MTA) and rsyslog inside a private
# mount, network and UTS namespace with only a loopback interface, replays
# the traffic plan (plan.tsv) with ../lib/drive.py from many 127.0.0.x
# addresses, captures the SMTP traffic with tcpdump and copies the log,
# the capture and the configuration here.  The stage is ../lib/stage.sh.
#
# Usage (as root):   ./make-incident.sh             regenerate everything
#                    KEEP_WORK=1 ./make-incident.sh    keep the work directory
#                    ./make-incident.sh --shell        the stage and a shell in it
#
# Needs: rsyslog tcpdump sasl2-bin libsasl2-modules python3 openssl m4
#        iproute2 util-linux, and the libraries sendmail-bin depends on
#        (liblockfile1 libwrap0 ...; lockfile-progs for sendmail-base).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLES=$(cd "$HERE/.." && pwd)
LIB=$SAMPLES/lib
MTA_NAME=sendmail
MTA_PKGS="sendmail-bin sendmail-base sendmail-cf"
STAGE_USERS="smmta smmsp"
SM=/usr/sbin/sendmail-mta
. "$LIB/stage.sh"

# sm_build PHASE - sendmail.cf from sendmail.mc, phase 1 with the hole
sm_build() {
    if [ "$1" = 1 ]; then
        sed 's/^dnl # Default Mailer setup$/FEATURE(`promiscuous_relay'"'"')dnl\n&/' \
            /etc/mail/sendmail.mc > /etc/mail/sendmail-phase1.mc
        m4 /etc/mail/sendmail-phase1.mc > /etc/mail/sendmail.cf 2>"$WORK/run/m4.err"
    else
        m4 /etc/mail/sendmail.mc > /etc/mail/sendmail.cf 2>"$WORK/run/m4.err"
    fi
    chmod 644 /etc/mail/sendmail.cf
}

sm_pid() { head -1 /run/sendmail/mta/sendmail.pid 2>/dev/null || true; }

# sm_wait_queue - until every queued message has had its first attempt
sm_wait_queue() {
    local out
    for _ in $(seq 600); do
        out=$("$SM" -bp 2>/dev/null || true)
        if ! awk '/^[A-Za-z0-9]{14}/ { n++; if ($1 ~ /\*$/) busy = 1; last = n }
                  /^ *\(/ { why[n] = 1 }
                  END { for (i = 1; i <= n; i++) if (!(i in why)) busy = 1; exit busy ? 0 : 1 }' <<<"$out"; then
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
    @wait-queue) sm_wait_queue ;;
    @flush) "$SM" -L sm-mta -q ;;
    @sendmail) shift; from=$1; shift
        # a local submission as cron does it, straight into the MTA queue
        "$SM" -Am -f "$from" -- "$@" ;;
    @fix)
        sm_build 2
        kill -HUP "$(sm_pid)"
        sleep 2 ;;
    *) die "unknown action $1" ;;
    esac
}

case "${1:-}" in @*) hook "$@"; exit 0 ;; esac

# ---------------------------------------------------------------- outer part
if [ "${1:-}" != "--inner" ]; then
    for c in saslpasswd2 m4; do command -v "$c" >/dev/null || die "missing command: $c"; done
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
        python3 "$LIB/expected.py" --profile sendmail --plan "$HERE/plan.tsv" \
            --rules "$SAMPLES/sink-rules.tsv" --pairs > "$HERE/expected-recipients.tsv"
        python3 "$LIB/expected.py" --profile sendmail --plan "$HERE/plan.tsv" \
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
    local p
    p=$(sm_pid)
    [ -n "$p" ] && stop_pid "$p:sendmail-mta"
    [ -n "$p" ] && stop_pid "$p:sendmail"
    stop_all
}
trap cleanup EXIT
stage_namespace

# --- sendmail's files where the package's postinst would put them
ln -sf ../libexec/sendmail/sendmail /usr/sbin/sendmail-mta
ln -sf ../libexec/sendmail/sendmail /usr/sbin/sendmail
mkdir -p /etc/mail/m4 /etc/mail/tls /etc/sasl2 /var/spool/mqueue /var/lib/sendmail/host_status \
    /run/sendmail/mta
chmod 700 /var/spool/mqueue
# mail.local creates its lock files in /var/mail as the recipient
chmod 1777 /var/mail
for f in sendmail.mc access local-host-names mailertable aliases; do
    cp "$HERE/$f" "/etc/mail/$f"
done
touch /etc/mail/relay-domains /etc/mail/trusted-users
sm_build 1
makemap hash /etc/mail/access < /etc/mail/access
makemap hash /etc/mail/mailertable < /etc/mail/mailertable
stage_cert /etc/mail/tls
cat > /etc/sasl2/Sendmail.conf <<'EOF'
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: /etc/sasldb2
EOF
while IFS=$'\t' read -r user pw _; do
    case "$user" in ''|\#*) continue ;; esac
    printf '%s' "$pw" | saslpasswd2 -p -c -f /etc/sasldb2 -u corp.example "$user"
done < "$SAMPLES/accounts.tsv"
chmod 600 /etc/sasldb2
"$SM" -bi -L sm-mta >/dev/null              # newaliases

stage_rsyslog
stage_capture
stage_sink

# --- sendmail, phase 1 (FEATURE(`promiscuous_relay'): the open relay)
"$SM" -L sm-mta -bd -q10m
for _ in $(seq 50); do [ -n "$(sm_pid)" ] && break; sleep 0.1; done
[ -n "$(sm_pid)" ] || die "sendmail did not start"
sleep 1

{
    echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release; echo "$PRETTY_NAME")"
    cat "$WORK/pkg-versions.txt"
    dpkg-query -W -f '${Package}\t${Version}\n' rsyslog tcpdump sasl2-bin libsasl2-modules python3 openssl 2>/dev/null
    "$SM" -d0.1 -bt </dev/null 2>/dev/null | sed -n 's/^Version /sendmail version\t/p'
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
"$SM" -bp > "$WORK/run/queue-at-stop.txt" 2>&1 || true
p=$(sm_pid)
stop_pid "$p:sendmail"
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
