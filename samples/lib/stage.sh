# stage.sh: the loopback stage shared by samples/sendmail/make-incident.sh
# and samples/opensmtpd/make-incident.sh (sourced, bash).
#
# The MTA packages are never installed: Debian's MTAs conflict with each
# other (installing one removes the others).  Instead `apt-get download`
# fetches the .deb files and `dpkg -x` unpacks them into the work
# directory; inside a private mount namespace overlay mounts put the
# unpacked files where the binaries expect them (/usr, /etc) and private
# directories cover /var/spool, /var/mail, /var/log and /run.  The network
# namespace has only a loopback interface, so nothing leaves the machine.
# Every process started here is recorded as PID:COMM and stopped by pid.
#
# The caller sets HERE (its samples/<mta> directory), LIB (samples/lib),
# WORK (made by stage_outer) and MTA_PKGS (package names to unpack).

die() { echo "make-incident: $*" >&2; exit 1; }
say() { echo "make-incident: $*" >&2; }

PIDS_TO_STOP=()        # "PID:COMM" of the processes started here

# stop_pid PID:COMM - stop one process we started, if it still is that program
stop_pid() {
    local pid=${1%%:*} comm=${1#*:}
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$comm" ] || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

stop_all() {
    local p
    for p in "${PIDS_TO_STOP[@]}"; do stop_pid "$p"; done
    PIDS_TO_STOP=()
}

# stage_fetch - download and unpack the MTA packages (outside the namespace)
stage_fetch() {
    local p
    mkdir -p "$WORK/debs" "$WORK/pkg"
    (cd "$WORK/debs" && apt-get download $MTA_PKGS >/dev/null 2>&1) \
        || die "apt-get download $MTA_PKGS failed (apt-get update first?)"
    for p in "$WORK"/debs/*.deb; do dpkg -x "$p" "$WORK/pkg"; done
    for p in $MTA_PKGS; do
        dpkg-deb -f "$WORK"/debs/${p}_*.deb Package Version | sed 's/^[A-Za-z]*: //' | paste -sd'\t'
    done > "$WORK/pkg-versions.txt"
}

# stage_outer ARGS - the part outside the namespace: checks, work
# directory, packages, then this script again with --inner in the namespace.
stage_outer() {
    [ "$(id -u)" = 0 ] || die "must run as root (namespaces)"
    for c in rsyslogd tcpdump python3 openssl ip unshare apt-get dpkg; do
        command -v "$c" >/dev/null || die "missing command: $c"
    done
    WORK=$(mktemp -d /tmp/relaytrace-$MTA_NAME.XXXXXX)
    export WORK HERE LIB SAMPLES
    say "work directory $WORK"
    stage_fetch
}

# stage_namespace - inside the namespace: loopback up, private /dev, the
# package files in place, private /var, users, hosts, resolver, host name.
stage_namespace() {
    local d
    ip link set lo up
    [ "$(ip -o link | wc -l)" = 1 ] || die "unexpected interfaces in the namespace"
    mkdir -p "$WORK"/{dev,log,mail,spool,varlib,run,pcap,rsyslog,out,ov}

    # a private /dev, so rsyslog's /dev/log socket exists only in here
    mount -t tmpfs -o mode=0755 tmpfs "$WORK/dev"
    for n in null zero full random urandom tty; do
        touch "$WORK/dev/$n"; mount --bind "/dev/$n" "$WORK/dev/$n"
    done
    ln -s /proc/self/fd "$WORK/dev/fd"
    ln -s fd/0 "$WORK/dev/stdin"; ln -s fd/1 "$WORK/dev/stdout"; ln -s fd/2 "$WORK/dev/stderr"
    mkdir "$WORK/dev/pts" "$WORK/dev/shm"
    mount --rbind "$WORK/dev" /dev

    # the unpacked package over /usr and /etc (overlays: the machine's
    # files below, the package's above, writes go to the work directory)
    for d in usr etc; do
        mkdir -p "$WORK/ov/$d-up" "$WORK/ov/$d-wk" "$WORK/pkg/$d"
        mount -t overlay overlay -o "lowerdir=$WORK/pkg/$d:/$d,upperdir=$WORK/ov/$d-up,workdir=$WORK/ov/$d-wk" "/$d"
    done
    mkdir -p "$WORK/ov/varlib-up" "$WORK/ov/varlib-wk"
    mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$WORK/ov/varlib-up,workdir=$WORK/ov/varlib-wk" /var/lib
    mount --bind "$WORK/spool" /var/spool
    mount --bind "$WORK/mail" /var/mail
    mount --bind "$WORK/log" /var/log
    mount -t tmpfs -o mode=0755 tmpfs /run
    chown root:mail /var/mail; chmod 2775 /var/mail

    # users: the mailbox owners, plus whatever the MTA needs (STAGE_USERS)
    local uid=2001 u
    for u in alice bob carol dave; do
        echo "$u:x:$uid:$uid:$u:/nonexistent:/usr/sbin/nologin" >> /etc/passwd
        echo "$u:x:$uid:" >> /etc/group
        uid=$((uid + 1))
    done
    for u in ${STAGE_USERS:-}; do
        getent passwd "$u" >/dev/null && continue
        echo "$u:x:$uid:$uid:$u:/nonexistent:/usr/sbin/nologin" >> /etc/passwd
        echo "$u:x:$uid:" >> /etc/group
        uid=$((uid + 1))
    done
    cat > /etc/hosts <<'EOF'
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
    echo "nameserver 127.0.0.1" > /etc/resolv.conf
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nservices: files\nprotocols: files\n' > /etc/nsswitch.conf
    hostname mx          # private UTS namespace
}

# stage_rsyslog - rsyslogd with Debian 12's stock settings (RSYSLOG_FileFormat,
# RFC 3339 time stamps), host name mx, mail.* into /var/log/mail.log
stage_rsyslog() {
    cat > "$WORK/rsyslog.conf" <<EOF
global(localHostname="mx" workDirectory="$WORK/rsyslog")
module(load="imuxsock")
\$FileOwner root
\$FileGroup adm
\$FileCreateMode 0640
\$DirCreateMode 0755
\$Umask 0022
mail.*		-/var/log/mail.log
*.*		/var/log/everything.log
EOF
    rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/run/rsyslogd.pid"
    for _ in $(seq 50); do [ -S /dev/log ] && [ -s "$WORK/run/rsyslogd.pid" ] && break; sleep 0.1; done
    [ -S /dev/log ] || die "rsyslogd did not create /dev/log"
    RSYSLOG_PID=$(cat "$WORK/run/rsyslogd.pid"); PIDS_TO_STOP+=("$RSYSLOG_PID:rsyslogd")
    export RSYSLOG_PID
}

# stage_capture - SMTP in (25, 587), to the sink (2525), and a DNS watch
stage_capture() {
    tcpdump -i lo -n -s 0 -U -Z root -w "$WORK/pcap/incident.pcap" 'tcp port 25 or tcp port 587' 2>"$WORK/run/tcpdump-in.err" &
    TCPDUMP_IN="$!:tcpdump"; PIDS_TO_STOP+=("$TCPDUMP_IN")
    tcpdump -i lo -n -s 0 -U -Z root -w "$WORK/pcap/outbound.pcap" 'tcp port 2525' 2>"$WORK/run/tcpdump-out.err" &
    TCPDUMP_OUT="$!:tcpdump"; PIDS_TO_STOP+=("$TCPDUMP_OUT")
    tcpdump -i any -n -s 0 -U -Z root -w "$WORK/pcap/dns-watch.pcap" 'port 53 or port 5353 or port 853' 2>"$WORK/run/tcpdump-dns.err" &
    PIDS_TO_STOP+=("$!:tcpdump")
    for f in in out dns; do
        for _ in $(seq 50); do grep -q listening "$WORK/run/tcpdump-$f.err" 2>/dev/null && break; sleep 0.1; done
    done
}

# stage_sink - the loopback "Internet" (lib/smtp_sink.py)
stage_sink() {
    python3 "$LIB/smtp_sink.py" --listen 127.0.0.2:2525 --listen 127.0.0.3:2525 \
        --rules "$SAMPLES/sink-rules.tsv" --log "$WORK/run/sink-received.tsv" \
        --pidfile "$WORK/run/sink.pid" &
    PIDS_TO_STOP+=("$!:python3")
    for _ in $(seq 50); do [ -s "$WORK/run/sink.pid" ] && break; sleep 0.1; done
}

# stage_cert - a self-signed certificate for mx.corp.example into DIR
stage_cert() {
    mkdir -p "$1"
    # STAGE_CERT_KEY: openssl -newkey argument (OpenSMTPD 6.8 with OpenSSL 3
    # fails RSA handshakes with "EVP lib"; an EC key works)
    openssl req -x509 -newkey "${STAGE_CERT_KEY:-rsa:2048}" ${STAGE_CERT_OPTS:-} -nodes -days 30 -subj "/CN=mx.corp.example" \
        -keyout "$1/mx.corp.example.key" -out "$1/mx.corp.example.pem" 2>/dev/null
    chmod 600 "$1/mx.corp.example.key"
}

# stage_dns_check - count DNS packets seen (must be 0)
stage_dns_check() {
    local n
    n=$(tcpdump -n -r "$WORK/pcap/dns-watch.pcap" 2>/dev/null | wc -l)
    {
        echo "tcpdump -i any 'port 53 or port 5353 or port 853' inside the run's network namespace"
        echo "interfaces in the namespace: $(ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')"
        echo "packets captured: $n"
    } > "$WORK/run/dns-check.txt"
    [ "$n" = 0 ] || die "DNS packets seen during the run (see $WORK/pcap/dns-watch.pcap)"
}
