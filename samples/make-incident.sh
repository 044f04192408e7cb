#!/bin/bash
# make-incident.sh: regenerate the relaytrace sample incident.
#
# Runs Debian's own Postfix and rsyslog packages inside a private mount and
# network namespace (only a loopback interface exists there, so nothing can
# leave the machine, DNS included), replays the traffic plan (plan.tsv) from
# many 127.0.0.x client addresses, captures the SMTP traffic with tcpdump, and
# copies the logs, captures and configuration into this directory.
#
# Usage (as root):   ./make-incident.sh            regenerate everything
#                    KEEP_WORK=1 ./make-incident.sh   keep the work directory
#                    ./make-incident.sh --shell       set up the namespace, start
#                        rsyslog + postfix + sink, and open a shell in it (debug)
#
# Needs: postfix rsyslog tcpdump sasl2-bin libsasl2-modules python3 openssl
#        iproute2 util-linux; editcap (wireshark-common, optional) for pcapng.
# Nothing outside the work directory (/tmp/relaytrace-incident.*) and this
# directory is changed: /etc/postfix, the Postfix spool, /var/mail, /var/log,
# /etc/passwd, /etc/group, /etc/hosts, /etc/resolv.conf, /etc/nsswitch.conf
# and /dev are private bind mounts inside the namespace and vanish with it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)

die() { echo "make-incident: $*" >&2; exit 1; }
say() { echo "make-incident: $*" >&2; }

# ---------------------------------------------------------------- outer part
if [ "${1:-}" != "--inner" ]; then
    [ "$(id -u)" = 0 ] || die "must run as root (namespaces, postfix)"
    for c in postfix postconf postmap postalias postqueue rsyslogd tcpdump \
             saslpasswd2 python3 openssl ip unshare; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    ls /usr/lib/*/sasl2/libplain.so /usr/lib/*/sasl2/liblogin.so >/dev/null 2>&1 \
        || die "missing libsasl2-modules (PLAIN/LOGIN)"
    WORK=$(mktemp -d /tmp/relaytrace-incident.XXXXXX)
    export WORK HERE
    MODE=${1:-run}
    say "work directory $WORK"
    rc=0
    unshare --mount --net --uts --propagation private "$0" --inner "$MODE" || rc=$?
    if [ "$MODE" = run ] && [ $rc = 0 ]; then
        say "copying results into $HERE"
        mkdir -p "$HERE/postfix/rotated" "$HERE/pcap" "$HERE/run"
        cp "$WORK/log/mail.log"            "$HERE/postfix/mail.log"
        cp "$WORK/log/mail-bsd.log"        "$HERE/postfix/mail-bsd.log"
        cp "$WORK/log/maillog_file.log"    "$HERE/postfix/maillog_file.log"
        rm -f "$HERE/postfix/rotated/"*
        cp "$WORK/log/rotated/mail.log"    "$HERE/postfix/rotated/mail.log"
        cp "$WORK/log/rotated/mail.log.1"  "$HERE/postfix/rotated/mail.log.1"
        cp "$WORK/log/rotated/mail.log.2.gz" "$HERE/postfix/rotated/mail.log.2.gz"
        cp "$WORK/etc/postfix/main.cf"     "$HERE/postfix/main.cf"
        cp "$WORK/etc/postfix/master.cf"   "$HERE/postfix/master.cf"
        cp "$WORK/pcap/incident.pcap"      "$HERE/pcap/incident.pcap"
        [ -e "$WORK/pcap/incident.pcapng" ] && cp "$WORK/pcap/incident.pcapng" "$HERE/pcap/incident.pcapng"
        cp "$WORK/run/client-results.tsv"  "$HERE/run/client-results.tsv"
        cp "$WORK/run/sink-received.tsv"   "$HERE/run/sink-received.tsv"
        cp "$WORK/run/queue-at-stop.txt"   "$HERE/run/queue-at-stop.txt"
        cp "$WORK/run/versions.txt"        "$HERE/run/versions.txt"
        cp "$WORK/run/dns-check.txt"       "$HERE/run/dns-check.txt"
        chmod 644 "$HERE"/postfix/*.log "$HERE"/postfix/rotated/* "$HERE"/pcap/* "$HERE"/run/*
        python3 "$HERE/lib/expected.py" --plan "$HERE/plan.tsv" \
            --rules "$HERE/sink-rules.tsv" --pairs > "$HERE/expected-recipients.tsv"
        python3 "$HERE/lib/expected.py" --plan "$HERE/plan.tsv" \
            --rules "$HERE/sink-rules.tsv" --markdown > "$HERE/expected.md"
    fi
    if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc != 0 ]; then
        say "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
fi

# ---------------------------------------------------------------- inner part
# From here on we are root in a private mount + network namespace.
MODE=${2:-run}
: "${WORK:?}" "${HERE:?}"
mkdir -p "$WORK"/{etc,dev,spool,spool2,lib,mail,log/rotated,varlog,run,pcap,rsyslog}

PIDS_TO_STOP=()        # entries "PID:COMM" of the processes started here
wait_master_gone() {
    local pid
    pid=$(cat /var/spool/postfix/pid/master.pid 2>/dev/null | tr -d ' ') || true
    [ -n "$pid" ] || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    die "postfix master $pid did not stop"
}
# stop one process we started, by pid, only if it still is that program
stop_pid() {
    local pid=${1%%:*} comm=${1#*:}
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
    set +e
    if [ -s /var/spool/postfix/pid/master.pid ] && kill -0 "$(tr -d ' ' < /var/spool/postfix/pid/master.pid)" 2>/dev/null; then
        postfix stop >/dev/null 2>&1
        wait_master_gone
    fi
    for p in "${PIDS_TO_STOP[@]}"; do stop_pid "$p"; done
}
trap cleanup EXIT

# --- network: a fresh namespace has only a down loopback interface.
ip link set lo up
[ "$(ip -o link | wc -l)" = 1 ] || die "unexpected interfaces in the namespace"

# --- a private /dev (so rsyslog's /dev/log socket exists only in here)
mount -t tmpfs -o mode=0755 tmpfs "$WORK/dev"
for n in null zero full random urandom tty; do
    touch "$WORK/dev/$n"; mount --bind "/dev/$n" "$WORK/dev/$n"
done
ln -s /proc/self/fd "$WORK/dev/fd"
ln -s fd/0 "$WORK/dev/stdin"; ln -s fd/1 "$WORK/dev/stdout"; ln -s fd/2 "$WORK/dev/stderr"
mkdir "$WORK/dev/pts" "$WORK/dev/shm"
mount --rbind "$WORK/dev" /dev

# --- private users, hosts, resolver
E=$WORK/etc
cp /etc/passwd "$E/passwd"; cp /etc/group "$E/group"
uid=2001
for u in alice bob carol dave; do
    echo "$u:x:$uid:$uid:$u:/nonexistent:/usr/sbin/nologin" >> "$E/passwd"
    echo "$u:x:$uid:" >> "$E/group"
    uid=$((uid + 1))
done
cat > "$E/hosts" <<'EOF'
127.0.0.1	localhost
127.0.0.1	mx.corp.example mx
127.0.0.10	web01.corp.example
127.0.0.21	mail.example.net
127.0.0.22	smtp.customer.example
127.0.0.23	mx-out.backup-sender.example
127.0.0.30	dsl-30.home-isp.example
127.0.0.31	bob-laptop.home-isp.example
127.0.0.40	mx.remote-isp.example
127.0.0.77	static-77.hosting.example
EOF
echo "nameserver 127.0.0.1" > "$E/resolv.conf"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nservices: files\nprotocols: files\n' > "$E/nsswitch.conf"
for f in passwd group hosts resolv.conf nsswitch.conf; do
    [ -e "/etc/$f" ] || die "/etc/$f missing (cannot bind over it)"
    mount --bind "$E/$f" "/etc/$f"
done
hostname mx          # private UTS namespace: the machine keeps its own name

# --- Postfix configuration (a copy of the package's /etc/postfix)
P=$E/postfix
cp -a /etc/postfix "$P"
rm -f "$P/main.cf"
# start from the package's pristine master.cf, whatever the machine's says
if [ -e /usr/share/postfix/master.cf.dist ]; then cp /usr/share/postfix/master.cf.dist "$P/master.cf"; fi
mount --bind "$P" /etc/postfix
mount --bind "$WORK/spool" /var/spool/postfix
mount --bind "$WORK/lib" /var/lib/postfix
mount --bind "$WORK/mail" /var/mail
mount --bind "$WORK/varlog" /var/log
chown root:mail "$WORK/mail"; chmod 2775 "$WORK/mail"
chown postfix:postfix "$WORK/lib"

# the phase-2 (fixed) main.cf; phase 1 overrides smtpd_relay_restrictions
cat > /etc/postfix/main.cf <<'EOF'
# mx.corp.example -- relaytrace sample incident server (Postfix 3.7, Debian 12)
compatibility_level = 3.6
smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no

myhostname = mx.corp.example
mydomain = corp.example
myorigin = $mydomain
mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain
# backup MX for a partner: mail to partner.example is relayed on purpose
relay_domains = partner.example
# the server itself and the internal web server. During the incident
# (phase 1) this was Debian's stock line, which here covers every client:
#   mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mynetworks = 127.0.0.1/32, 127.0.0.10/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps = hash:/etc/postfix/aliases
alias_database = hash:/etc/postfix/aliases
mailbox_size_limit = 0
recipient_delimiter = +
disable_vrfy_command = yes

# "The Internet" is a loopback sink: all non-local mail goes there.
default_transport = smtp:[127.0.0.2]:2525
relay_transport = relay:[127.0.0.3]:2525

# no DNS anywhere (host names of clients come from /etc/hosts)
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native

# SASL (Cyrus, sasldb) on port 25 and on submission
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = /etc/postfix/sasl
smtpd_sasl_local_domain = corp.example
smtpd_sasl_security_options = noanonymous

# TLS (self-signed, made per run)
smtpd_tls_cert_file = /etc/postfix/tls/mx.corp.example.pem
smtpd_tls_key_file = /etc/postfix/tls/mx.corp.example.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtp_tls_security_level = may
smtp_tls_loglevel = 1

# relay policy (Postfix's default rule, the same in both phases)
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
EOF

# master.cf: the package's, without chroot, plus submission on 587
postconf -F '*/*/chroot = n'
postconf -M submission/inet="submission inet n - n - - smtpd"
postconf -P "submission/inet/syslog_name=postfix/submission" \
            "submission/inet/smtpd_tls_security_level=may" \
            "submission/inet/smtpd_sasl_auth_enable=yes" \
            "submission/inet/smtpd_client_restrictions=permit_sasl_authenticated,reject" \
            "submission/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject"

cat > /etc/postfix/aliases <<'EOF'
postmaster:    root
MAILER-DAEMON: postmaster
root:          alice
abuse:         alice
webmaster:     carol
ceo:           carol
# an old autoresponder whose program is gone: every delivery to it fails,
# so Postfix bounces to whatever sender was given (backscatter)
bouncer:       "|/bin/false"
EOF
postalias /etc/postfix/aliases

mkdir -p /etc/postfix/tls
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mx.corp.example" \
    -keyout /etc/postfix/tls/mx.corp.example.key -out /etc/postfix/tls/mx.corp.example.pem 2>/dev/null
chmod 600 /etc/postfix/tls/mx.corp.example.key

# Cyrus SASL with sasldb
cat > /etc/postfix/sasl/smtpd.conf <<'EOF'
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: /etc/postfix/sasl/sasldb2
EOF
while IFS=$'\t' read -r user pw _; do
    case "$user" in ''|\#*) continue ;; esac
    printf '%s' "$pw" | saslpasswd2 -p -c -f /etc/postfix/sasl/sasldb2 -u corp.example "$user"
done < "$HERE/accounts.tsv"
chown root:postfix /etc/postfix/sasl/sasldb2; chmod 640 /etc/postfix/sasl/sasldb2

# --- rsyslog: Debian 12's stock settings (RSYSLOG_FileFormat, i.e. RFC 3339
# high-precision timestamps), host name "mx", plus a second action in the
# traditional format and a third file that gets rotated during the run.
L=$WORK/log
cat > "$E/rsyslog.conf" <<EOF
global(localHostname="mx" workDirectory="$WORK/rsyslog")
module(load="imuxsock")
\$FileOwner root
\$FileGroup adm
\$FileCreateMode 0640
\$DirCreateMode 0755
\$Umask 0022
mail.*		-$L/mail.log
mail.*		-$L/mail-bsd.log;RSYSLOG_TraditionalFileFormat
mail.*		-$L/rotated/mail.log
*.*		$L/everything.log
EOF
rsyslogd -f "$E/rsyslog.conf" -i "$WORK/run/rsyslogd.pid"
for _ in $(seq 50); do [ -S /dev/log ] && [ -s "$WORK/run/rsyslogd.pid" ] && break; sleep 0.1; done
[ -S /dev/log ] || die "rsyslogd did not create /dev/log"
RSYSLOG_PID=$(cat "$WORK/run/rsyslogd.pid"); PIDS_TO_STOP+=("$RSYSLOG_PID:rsyslogd")
export RSYSLOG_PID

# --- captures: SMTP in (25, 587), SMTP out to the sink (2525), and DNS watch
tcpdump -i lo -n -s 0 -U -Z root -w "$WORK/pcap/incident.pcap" 'tcp port 25 or tcp port 587' 2>"$WORK/run/tcpdump-in.err" &
TCPDUMP_IN="$!:tcpdump"; PIDS_TO_STOP+=("$TCPDUMP_IN")
tcpdump -i lo -n -s 0 -U -Z root -w "$WORK/pcap/outbound.pcap" 'tcp port 2525' 2>"$WORK/run/tcpdump-out.err" &
TCPDUMP_OUT="$!:tcpdump"; PIDS_TO_STOP+=("$TCPDUMP_OUT")
tcpdump -i any -n -s 0 -U -Z root -w "$WORK/pcap/dns-watch.pcap" 'port 53 or port 5353 or port 853' 2>"$WORK/run/tcpdump-dns.err" &
PIDS_TO_STOP+=("$!:tcpdump")
for f in in out dns; do
    for _ in $(seq 50); do grep -q listening "$WORK/run/tcpdump-$f.err" 2>/dev/null && break; sleep 0.1; done
done

# --- the sink ("the Internet")
python3 "$HERE/lib/smtp_sink.py" --listen 127.0.0.2:2525 --listen 127.0.0.3:2525 \
    --rules "$HERE/sink-rules.tsv" --log "$WORK/run/sink-received.tsv" \
    --pidfile "$WORK/run/sink.pid" &
PIDS_TO_STOP+=("$!:python3")
for _ in $(seq 50); do [ -s "$WORK/run/sink.pid" ] && break; sleep 0.1; done

# --- Postfix, phase 1 configuration (the misconfigured open relay): Debian's
# stock mynetworks line, which on this loopback-only stage covers every
# client (the same hole as a NAT or container gateway inside mynetworks).
# (Postfix 3.7 refuses to run smtpd at all with
# smtpd_relay_restrictions = ..., permit: see README.md.)
postconf -e 'mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128'
postfix check
postfix start
for _ in $(seq 50); do [ -s /var/spool/postfix/pid/master.pid ] && break; sleep 0.1; done
sleep 1

{
    echo "# captured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release; echo "$PRETTY_NAME")"
    dpkg-query -W -f '${Package}\t${Version}\n' postfix rsyslog tcpdump sasl2-bin libsasl2-modules python3 openssl 2>/dev/null
    postconf -h mail_version | sed 's/^/postfix mail_version\t/'
} > "$WORK/run/versions.txt"

if [ "$MODE" = --shell ] || [ "$MODE" = shell ]; then
    if [ -n "${SHELL_CMD:-}" ]; then
        bash -c "$SHELL_CMD" || true
    else
        say "debug shell; exit to stop everything"
        bash -i || true
    fi
    exit 0
fi

# --- the traffic plan (phases, rotations and the fix are rows of plan.tsv)
export ROTATE_DIR="$L/rotated"
python3 "$HERE/lib/drive.py" --plan "$HERE/plan.tsv" --accounts "$HERE/accounts.tsv" \
    --results "$WORK/run/client-results.tsv"

# let the queue settle, then stop Postfix and rsyslog (the syslog part ends here)
sleep 3
postqueue -p > "$WORK/run/queue-at-stop.txt" 2>&1 || true
postfix stop
wait_master_gone
sleep 1
stop_pid "$RSYSLOG_PID:rsyslogd"
stop_pid "$TCPDUMP_IN"      # the captures cover exactly the syslog part
stop_pid "$TCPDUMP_OUT"

# --- second, short run: Postfix's own maillog_file (postlogd), fresh queue
mount --bind "$WORK/spool2" /var/spool/postfix
postconf -e 'maillog_file = /var/log/postfix.log'
postfix check
postfix start
for _ in $(seq 50); do [ -s /var/spool/postfix/pid/master.pid ] && break; sleep 0.1; done
sleep 1
python3 "$HERE/lib/drive.py" --plan "$HERE/plan-maillog.tsv" --accounts "$HERE/accounts.tsv" \
    --results "$WORK/run/client-results-maillog.tsv"
sleep 3
postfix stop
wait_master_gone
postconf -X maillog_file
cp /var/log/postfix.log "$L/maillog_file.log"

# --- stop the sink and the DNS watch (by pid)
sleep 1
trap - EXIT
cleanup

# --- finish outputs
gzip -9 -n "$L/rotated/mail.log.2"
if command -v editcap >/dev/null; then
    editcap -F pcapng "$WORK/pcap/incident.pcap" "$WORK/pcap/incident.pcapng"
fi
n_dns=$(tcpdump -n -r "$WORK/pcap/dns-watch.pcap" 2>/dev/null | wc -l)
{
    echo "tcpdump -i any 'port 53 or port 5353 or port 853' inside the run's network namespace"
    echo "interfaces in the namespace: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')"
    echo "packets captured: $n_dns"
} > "$WORK/run/dns-check.txt"
[ "$n_dns" = 0 ] || die "DNS packets seen during the run (see $WORK/pcap/dns-watch.pcap)"
say "done"
