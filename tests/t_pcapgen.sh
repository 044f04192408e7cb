#!/bin/sh
# The captures in tests/data/pcap are exactly what tests/gen/pcapgen makes
# (so its source documents them), and pcapstat reads every one of them
# without a sanitizer complaint, with the summary README.md works out.
. "${top_srcdir:-.}/tests/tap.sh"
GEN=${top_builddir:-.}/tests/gen/pcapgen
STAT=${top_builddir:-.}/tests/gen/pcapstat
D=$top_srcdir/tests/data/pcap

"$GEN" -d "$tmp"
is $? 0 "pcapgen writes every scenario"
for f in $("$GEN" -l); do
	cmp -s "$tmp/$f" "$D/$f"
	ok $? "$f is pcapgen's output"
done

# sum FILE: the summary line of pcapstat.
sum() {
	"$STAT" "$D/$1" | sed -n 2p | sed 's/ error: .*//; s/^ *//'
}
is "$(sum normal.pcap)" "pcap EN10MB packets=19 tcp=19 non-ip=0 non-tcp=0 truncated=0 implausible=0 bad=0 unsupported=0 flows=1 capped=0 gaps=0 anomalies=0" "normal.pcap summary"
is "$(sum multi-link.pcapng)" "pcapng EN10MB,RAW,LINUX_SLL packets=41 tcp=41 non-ip=0 non-tcp=0 truncated=0 implausible=0 bad=0 unsupported=0 flows=3 capped=0 gaps=0 anomalies=0" "multi-link.pcapng summary"
is "$(sum garbage.pcap)" "pcap EN10MB packets=29 tcp=20 non-ip=1 non-tcp=0 truncated=0 implausible=1 bad=8 unsupported=0 flows=2 capped=0 gaps=0 anomalies=0" "garbage.pcap summary"
"$STAT" "$D/cut.pcap" >"$tmp/cut.out"
is $? 1 "a cut capture is an error"
contains "$tmp/cut.out" "truncated dump file" "cut.pcap: libpcap's words"
cat "$D/normal.pcap.gz" | "$STAT" - >"$tmp/stdin.out"
is $? 0 "gzip capture on standard input"
contains "$tmp/stdin.out" "pcap+gzip EN10MB packets=19" "stdin: gzip seen, 19 packets"
done_testing
