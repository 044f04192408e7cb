#!/bin/bash
# make-incident.sh: regenerate the two-host sample (samples/hops/).
#
# Two real Postfix instances of this machine's Debian package, each as its
# own host: edge.corp.example (127.0.0.2, the MX, an open relay) hands all
# its mail to inner.corp.example (127.0.0.3, the mailboxes and the only
# way out), which delivers foreign mail to the loopback "Internet"
# (../lib/smtp_sink.py on 127.0.0.200:2525).  Each host has its own mount
# and UTS namespace (its own /etc/postfix, spool, /dev/log, host name) and
# its own rsyslogd, which writes the host's /var/log/mail.log and forwards
# every mail line over TCP to a third rsyslogd, the central log host,
# which writes the merged log.  All of them share one network namespace
# that has only a loopback interface.  ../lib/drive.py replays plan.tsv.
#
# Usage (as root):   ./make-incident.sh            regenerate everything
#                    KEEP_WORK=1 ./make-incident.sh   keep the work directory
#                    ./make-incident.sh --shell       the stage and a shell in it
#
# Needs: postfix rsyslog tcpdump python3 iproute2 util-linux (unshare,
# nsenter).  Nothing outside the work directory (/tmp/relaytrace-hops.*)
# and this directory is changed: every file the MTAs use is a private bind
# mount inside the namespaces and vanishes with them.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLES=$(cd "$HERE/.." && pwd)
LIB=$SAMPLES/lib
MTA_NAME=hops
. "$LIB/stage.sh"

HOSTS="edge inner"
host_ip() { case "$1" in edge) echo 127.0.0.2 ;; inner) echo 127.0.0.3 ;; esac; }

# on HOST CMD... - run a command in a host's namespaces (its rsyslogd's)
on() {
    local h=$1
    shift
    nsenter -t "$(cat "$WORK/$h/run/rsyslogd.pid")" -m -u -- "$@"
}

# master_pid HOST - the host's Postfix master, or nothing
master_pid() { tr -d ' ' 2>/dev/null < "$WORK/$1/spool/pid/master.pid" || true; }

# wait_queues - until neither host has a message in incoming, active or
# maildrop, twice in a row (a hand-off puts one in the other's queue)
wait_queues() {
    local h calm=0 busy
    for _ in $(seq 600); do
        busy=0
        for h in $HOSTS; do
            on "$h" postqueue -j | python3 -c '
import json, sys
sys.exit(any(json.loads(l).get("queue_name") in ("incoming", "active", "maildrop")
             for l in sys.stdin if l.strip()))' || busy=1
        done
        if [ $busy = 0 ]; then
            calm=$((calm + 1))
            [ $calm -ge 5 ] && return 0
        else
            calm=0
        fi
        sleep 0.2
    done
    die "the queues did not settle"
}

# hook ACTION - the plan's actions (drive.py --hook runs this script)
hook() {
    case "$1" in
    @wait-queue) sleep 0.5; wait_queues ;;
    @flush) for h in $HOSTS; do on "$h" postqueue -f; done ;;
    *) die "unknown action $1" ;;
    esac
}

case "${1:-}" in @*) hook "$@"; exit 0 ;; esac

# main_cf HOST - the host's main.cf
main_cf() {
    cat <<EOF
# $1.corp.example -- relaytrace two-host sample (Postfix 3.7, Debian 12)
compatibility_level = 3.6
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
myhostname = $1.corp.example
mydomain = corp.example
myorigin = \$mydomain
inet_interfaces = $(host_ip "$1")
inet_protocols = ipv4
smtp_bind_address = $(host_ip "$1")
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
alias_maps = hash:/etc/postfix/aliases
alias_database = hash:/etc/postfix/aliases
EOF
    if [ "$1" = edge ]; then
        cat <<'EOF'
# The MX: no mailboxes here; corp.example is relayed to the inner host,
# and so is everything else (the inner host is the only way out).
mydestination = $myhostname, localhost
relay_domains = corp.example
relay_transport = relay:[inner.corp.example]:25
default_transport = smtp:[inner.corp.example]:25
# Debian's stock line, meant to be "127.0.0.2/32, 127.0.0.3/32": on this
# loopback stage it covers every client, so the edge relays for anybody.
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
EOF
    else
        cat <<'EOF'
# The mailboxes, and the way out to the Internet.
mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain
# the edge, this host, and the internal web server
mynetworks = 127.0.0.2/32, 127.0.0.3/32, 127.0.0.10/32
mailbox_size_limit = 0
recipient_delimiter = +
default_transport = smtp:[127.0.0.200]:2525
EOF
    fi
}

# host_setup HOST - inside the host's new mount and UTS namespaces: its
# files, its host name, its rsyslogd and its Postfix.  Returns when both
# run (they keep the namespaces alive).
host_setup() {
    local h=$1 W=$WORK/$1
    mkdir -p "$W"/{dev,etc,spool,lib,mail,log,run,rsyslog}
    hostname "$h"
    mount -t tmpfs -o mode=0755 tmpfs "$W/dev"
    for n in null zero full random urandom tty; do
        touch "$W/dev/$n"; mount --bind "/dev/$n" "$W/dev/$n"
    done
    ln -s /proc/self/fd "$W/dev/fd"
    ln -s fd/0 "$W/dev/stdin"; ln -s fd/1 "$W/dev/stdout"; ln -s fd/2 "$W/dev/stderr"
    mkdir "$W/dev/pts" "$W/dev/shm"
    mount --rbind "$W/dev" /dev

    cp -a /etc/postfix "$W/etc/postfix"
    rm -f "$W/etc/postfix/main.cf"
    cp /usr/share/postfix/master.cf.dist "$W/etc/postfix/master.cf"
    mount --bind "$W/etc/postfix" /etc/postfix
    mount --bind "$W/spool" /var/spool/postfix
    mount --bind "$W/lib" /var/lib/postfix
    mount --bind "$W/mail" /var/mail
    mount --bind "$W/log" /var/log
    chown root:mail /var/mail; chmod 2775 /var/mail
    chown postfix:postfix /var/lib/postfix
    main_cf "$h" > /etc/postfix/main.cf
    postconf -F '*/*/chroot = n'
    printf 'postmaster: root\nroot: alice\nabuse: alice\nwebmaster: carol\n' > /etc/postfix/aliases
    postalias /etc/postfix/aliases

    cat > "$W/rsyslog.conf" <<EOF
global(localHostname="$h" workDirectory="$W/rsyslog")
module(load="imuxsock")
\$FileOwner root
\$FileGroup adm
\$FileCreateMode 0640
\$DirCreateMode 0755
\$Umask 0022
mail.*		-/var/log/mail.log
mail.*		action(type="omfwd" target="127.0.0.1" port="10514" protocol="tcp"
		       template="RSYSLOG_ForwardFormat")
*.*		/var/log/everything.log
EOF
    rsyslogd -f "$W/rsyslog.conf" -i "$W/run/rsyslogd.pid"
    for _ in $(seq 50); do [ -S /dev/log ] && [ -s "$W/run/rsyslogd.pid" ] && break; sleep 0.1; done
    [ -S /dev/log ] || die "$h: rsyslogd did not create /dev/log"
    postfix check
    postfix start
    for _ in $(seq 50); do [ -s /var/spool/postfix/pid/master.pid ] && break; sleep 0.1; done
    [ -s /var/spool/postfix/pid/master.pid ] || die "$h: postfix did not start"
}

# ---------------------------------------------------------------- host part
if [ "${1:-}" = "--host" ]; then
    : "${WORK:?}"
    host_setup "$2"
    exit 0
fi

# ---------------------------------------------------------------- outer part
if [ "${1:-}" != "--inner" ]; then
    [ "$(id -u)" = 0 ] || die "must run as root (namespaces, postfix)"
    for c in postfix postconf postalias postqueue rsyslogd tcpdump python3 \
             ip unshare nsenter; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    WORK=$(mktemp -d /tmp/relaytrace-hops.XXXXXX)
    export WORK HERE LIB SAMPLES
    MODE=${1:-run}
    say "work directory $WORK"
    rc=0
    unshare --mount --net --uts --propagation private "$0" --inner "$MODE" || rc=$?
    if [ "$MODE" = run ] && [ $rc = 0 ]; then
        say "copying results into $HERE"
        mkdir -p "$HERE/edge" "$HERE/inner" "$HERE/run"
        for h in $HOSTS; do
            cp "$WORK/$h/log/mail.log" "$HERE/$h/mail.log"
            cp "$WORK/$h/etc/postfix/main.cf" "$HERE/$h/main.cf"
        done
        cp "$WORK/central/mail.log" "$HERE/merged.log"
        for f in client-results.tsv sink-received.tsv queue-at-stop.txt \
                 versions.txt dns-check.txt; do
            cp "$WORK/run/$f" "$HERE/run/$f"
        done
        chmod 644 "$HERE"/*/mail.log "$HERE"/*/main.cf "$HERE/merged.log" "$HERE"/run/*
    fi
    if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc != 0 ]; then
        say "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
fi

# ---------------------------------------------------------------- inner part
# Root in a private network, mount and UTS namespace: the central log host.
MODE=${2:-run}
: "${WORK:?}" "${HERE:?}" "${LIB:?}"
mkdir -p "$WORK"/{dev,etc,central,rsyslog,run,pcap}

stop_hosts() {
    local h p
    for h in $HOSTS; do
        p=$(master_pid "$h")
        [ -n "$p" ] && [ -s "$WORK/$h/run/rsyslogd.pid" ] || continue
        kill -0 "$p" 2>/dev/null || continue
        on "$h" postfix stop >/dev/null 2>&1 || true
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
    sleep 1
    for h in $HOSTS; do
        [ -s "$WORK/$h/run/rsyslogd.pid" ] && stop_pid "$(cat "$WORK/$h/run/rsyslogd.pid"):rsyslogd"
    done
    return 0
}
cleanup() {
    set +e
    stop_hosts
    stop_all
}
trap cleanup EXIT

ip link set lo up
[ "$(ip -o link | wc -l)" = 1 ] || die "unexpected interfaces in the namespace"
# the hosts' own addresses (Postfix binds only to an interface's address)
for h in $HOSTS; do ip addr add "$(host_ip "$h")/32" dev lo; done
mount -t tmpfs -o mode=0755 tmpfs "$WORK/dev"
for n in null zero full random urandom tty; do
    touch "$WORK/dev/$n"; mount --bind "/dev/$n" "$WORK/dev/$n"
done
ln -s /proc/self/fd "$WORK/dev/fd"
ln -s fd/0 "$WORK/dev/stdin"; ln -s fd/1 "$WORK/dev/stdout"; ln -s fd/2 "$WORK/dev/stderr"
mkdir "$WORK/dev/pts" "$WORK/dev/shm"
mount --rbind "$WORK/dev" /dev

E=$WORK/etc
cp /etc/passwd "$E/passwd"; cp /etc/group "$E/group"
uid=2001
for u in alice bob carol; do
    echo "$u:x:$uid:$uid:$u:/nonexistent:/usr/sbin/nologin" >> "$E/passwd"
    echo "$u:x:$uid:" >> "$E/group"
    uid=$((uid + 1))
done
cat > "$E/hosts" <<'EOF'
127.0.0.1	localhost loghost
127.0.0.2	edge.corp.example edge
127.0.0.3	inner.corp.example inner
127.0.0.10	web01.corp.example
127.0.0.21	mail.example.net
127.0.0.200	mx.internet.example
EOF
echo "nameserver 127.0.0.1" > "$E/resolv.conf"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nservices: files\nprotocols: files\n' > "$E/nsswitch.conf"
for f in passwd group hosts resolv.conf nsswitch.conf; do
    [ -e "/etc/$f" ] || die "/etc/$f missing (cannot bind over it)"
    mount --bind "$E/$f" "/etc/$f"
done
hostname loghost

# --- the central log host: every mail line of both hosts, as received
cat > "$WORK/rsyslog.conf" <<EOF
global(localHostname="loghost" workDirectory="$WORK/rsyslog")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="10514")
\$FileOwner root
\$FileGroup adm
\$FileCreateMode 0640
\$Umask 0022
mail.*		-$WORK/central/mail.log
EOF
rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/run/rsyslogd.pid"
for _ in $(seq 50); do [ -s "$WORK/run/rsyslogd.pid" ] && break; sleep 0.1; done
CENTRAL_PID=$(cat "$WORK/run/rsyslogd.pid"); PIDS_TO_STOP+=("$CENTRAL_PID:rsyslogd")
sleep 0.5

# --- captures (SMTP on 25 and 2525, kept in the work directory) and the
# DNS watch
stage_capture

# --- the sink ("the Internet")
python3 "$LIB/smtp_sink.py" --listen 127.0.0.200:2525 \
    --rules "$SAMPLES/sink-rules.tsv" --log "$WORK/run/sink-received.tsv" \
    --pidfile "$WORK/run/sink.pid" &
PIDS_TO_STOP+=("$!:python3")
for _ in $(seq 50); do [ -s "$WORK/run/sink.pid" ] && break; sleep 0.1; done

# --- the two hosts, each in its own mount and UTS namespace
for h in $HOSTS; do
    unshare --mount --uts --propagation private "$0" --host "$h"
done
sleep 1

{
    echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release; echo "$PRETTY_NAME")"
    dpkg-query -W -f '${Package}\t${Version}\n' postfix rsyslog tcpdump python3 2>/dev/null
    on edge postconf -h mail_version | sed 's/^/postfix mail_version\t/'
} > "$WORK/run/versions.txt"

if [ "$MODE" = --shell ] || [ "$MODE" = shell ]; then
    say "debug shell (on edge|inner CMD runs a command on a host); exit to stop everything"
    export -f on
    export HOSTS
    bash -i || true
    exit 0
fi

python3 "$LIB/drive.py" --plan "$HERE/plan.tsv" --accounts "$SAMPLES/accounts.tsv" \
    --results "$WORK/run/client-results.tsv" --hook "$HERE/make-incident.sh"

sleep 2
for h in $HOSTS; do
    echo "== $h"
    on "$h" postqueue -p 2>&1 || true
done > "$WORK/run/queue-at-stop.txt"
stop_hosts
sleep 1
trap - EXIT
cleanup
stage_dns_check
say "done"
