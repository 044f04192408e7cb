/*
 * Copyright (c) 2026 The relaytrace authors.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
 */

/*
 * Unit tests: TCP reassembly.  First the captures of tests/data/pcap read
 * through pcapin, each stream compared with the one written out by hand
 * below (the session of tests/gen/scenarios.c, typed again, not copied
 * from any output); then segments made in memory for what a file would
 * make awkward: caps, the memory cap, a full flow table, wraparound,
 * timeouts, resets, windows.  A recording sink checks the flow.h
 * contract on every callback: one open, offsets that add up, nothing
 * after close, close exactly once.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "decode.h"
#include "flow.h"
#include "pcapin.h"
#include "tap.h"
#include "tcpflow.h"

/* The base session, by direction. */
#define C_EHLO	"EHLO client.example.org\r\n"
#define C_MAIL	"MAIL FROM:<alice@example.org>\r\n"
#define C_RCPT	"RCPT TO:<bob@example.com>\r\n"
#define C_DATA	"DATA\r\n"
#define C_BODY	"Subject: test\r\n\r\nhello\r\n.\r\n"
#define C_QUIT	"QUIT\r\n"
#define S_220	"220 mx.example.net ESMTP\r\n"
#define S_EHLO	"250-mx.example.net\r\n250 PIPELINING\r\n"
#define S_MAIL	"250 2.1.0 Ok\r\n"
#define S_RCPT	"250 2.1.5 Ok\r\n"
#define S_354	"354 End data with <CR><LF>.<CR><LF>\r\n"
#define S_250Q	"250 2.0.0 Ok: queued as 4XYZ1\r\n"
#define S_221	"221 2.0.0 Bye\r\n"
#define C_ALL	C_EHLO C_MAIL C_RCPT C_DATA C_BODY C_QUIT
#define S_ALL	S_220 S_EHLO S_MAIL S_RCPT S_354 S_250Q S_221
/* The short session of the link-type files. */
#define C_SHORT	C_EHLO C_QUIT
#define S_SHORT	S_220 "250 mx.example.net\r\n" S_221

#define REC_FLOWS	16
#define REC_STREAM	8192

struct rec_flow {
	struct flow_info fi;
	char		 s[2][REC_STREAM];	/* "[gap N]" marks holes */
	size_t		 n[2];
	uint64_t	 off[2];		/* bytes so far, gaps too */
	char		 anomalies[256];
	int		 closes;
	enum flow_end	 how;
	uint64_t	 close_packet;
};

struct rec {
	struct rec_flow	 f[REC_FLOWS];
	int		 nflows;
	int		 violations;
	char		 order[512];		/* o1 c1 ... */
};

static struct rec	rec;

/* rec_flow - the flow of a callback; checks it is open. */
static struct rec_flow *
rec_check(void *fs)
{
	struct rec_flow	*f = fs;

	if (f == NULL || f < rec.f || f >= rec.f + rec.nflows ||
	    f->closes != 0) {
		rec.violations++;
		return (NULL);
	}
	return (f);
}

/* rec_put - append to a stream. */
static void
rec_put(struct rec_flow *f, int dir, const void *p, size_t n)
{
	if (f->n[dir] + n >= REC_STREAM)
		n = REC_STREAM - 1 - f->n[dir];
	memcpy(f->s[dir] + f->n[dir], p, n);
	f->n[dir] += n;
}

static void *
rec_open(void *arg, const struct flow_info *fi)
{
	struct rec_flow	*f;
	char		 t[16];

	if (rec.nflows == REC_FLOWS) {
		rec.violations++;
		return (NULL);
	}
	f = &rec.f[rec.nflows++];
	memset(f, 0, sizeof(*f));
	f->fi = *fi;
	snprintf(t, sizeof(t), "o%llu ", (unsigned long long)fi->id);
	strlcat(rec.order, t, sizeof(rec.order));
	return (f);
}

static void
rec_data(void *arg, void *fs, enum flow_dir dir, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct rec_flow	*f;

	if ((f = rec_check(fs)) == NULL)
		return;
	if (pos->offset != f->off[dir] || n == 0)
		rec.violations++;
	f->off[dir] += n;
	rec_put(f, dir, p, n);
}

static void
rec_gap(void *arg, void *fs, enum flow_dir dir, uint64_t n,
    const struct flow_pos *pos)
{
	struct rec_flow	*f;
	char		 t[32];

	if ((f = rec_check(fs)) == NULL)
		return;
	if (pos->offset != f->off[dir] || n == 0)
		rec.violations++;
	f->off[dir] += n;
	snprintf(t, sizeof(t), "[gap %llu]", (unsigned long long)n);
	rec_put(f, dir, t, strlen(t));
}

static void
rec_anomaly(void *arg, void *fs, const char *what, const struct flow_pos *pos)
{
	struct rec_flow	*f;

	if ((f = rec_check(fs)) == NULL)
		return;
	if (f->anomalies[0] != '\0')
		strlcat(f->anomalies, ",", sizeof(f->anomalies));
	strlcat(f->anomalies, what, sizeof(f->anomalies));
}

static void
rec_close(void *arg, void *fs, enum flow_end how, const struct flow_pos *pos)
{
	struct rec_flow	*f;
	char		 t[16];

	if ((f = rec_check(fs)) == NULL)
		return;
	f->closes++;
	f->how = how;
	f->close_packet = pos->packet;
	if (pos->offset != f->off[FLOW_C2S])
		rec.violations++;
	snprintf(t, sizeof(t), "c%llu ", (unsigned long long)f->fi.id);
	strlcat(rec.order, t, sizeof(rec.order));
}

static const struct flow_sink rec_sink = {
	NULL, rec_open, rec_data, rec_gap, rec_anomaly, rec_close
};

/* rec_reset - forget the previous run. */
static void
rec_reset(void)
{
	memset(&rec, 0, sizeof(rec));
}

/* stream - a recorded stream as a C string. */
static const char *
stream(int flow, int dir)
{
	struct rec_flow	*f = &rec.f[flow - 1];

	f->s[dir][f->n[dir]] = '\0';
	return (f->s[dir]);
}

/* run - read a capture of tests/data/pcap; pcapin_run's result. */
static int
run(const char *name, struct pcapin_stats *st, char *err, size_t errlen)
{
	struct pcapin	*pi;
	char		 path[1024];
	const char	*top = getenv("top_srcdir");
	int		 rc;

	rec_reset();
	snprintf(path, sizeof(path), "%s/tests/data/pcap/%s",
	    top != NULL ? top : ".", name);
	if ((pi = pcapin_open(path, err, errlen)) == NULL) {
		diag("%s: %s", name, err);
		return (-2);
	}
	rc = pcapin_run(pi, &rec_sink, st);
	snprintf(err, errlen, "%s", pcapin_error(pi));
	pcapin_close(pi);
	return (rc);
}

/* flow_is - one flow's endpoints, streams, anomalies and end. */
static void
flow_is(const char *name, int id, const char *cip, unsigned cport,
    const char *sip, unsigned sport, int syn, const char *c2s,
    const char *s2c, const char *anomalies, enum flow_end how)
{
	struct rec_flow	*f = &rec.f[id - 1];

	if (!ok(id <= rec.nflows, "%s: flow %d exists", name, id))
		return;
	is_int(f->fi.id, id, "%s: flow %d id", name, id);
	is_str(f->fi.client_ip, cip, "%s: flow %d client address", name, id);
	is_int(f->fi.client_port, cport, "%s: flow %d client port", name, id);
	is_str(f->fi.server_ip, sip, "%s: flow %d server address", name, id);
	is_int(f->fi.server_port, sport, "%s: flow %d server port", name, id);
	is_int(f->fi.saw_syn, syn, "%s: flow %d saw_syn", name, id);
	is_str(stream(id, FLOW_C2S), c2s, "%s: flow %d client stream", name,
	    id);
	is_str(stream(id, FLOW_S2C), s2c, "%s: flow %d server stream", name,
	    id);
	is_str(f->anomalies, anomalies, "%s: flow %d anomalies", name, id);
	is_int(f->closes, 1, "%s: flow %d closed once", name, id);
	is_int(f->how, how, "%s: flow %d end", name, id);
}

/* test_files - every capture of tests/data/pcap. */
static void
test_files(void)
{
	static const struct {
		const char	*file;
		const char	*cip;
		unsigned	 cport;
		const char	*anomalies;
	} normal[] = {
		{ "normal.pcap",	"192.0.2.1", 40000, "" },
		{ "normal.pcap.gz",	"192.0.2.1", 40000, "" },
		{ "normal-be-ns.pcap",	"192.0.2.1", 40000, "" },
		{ "normal.pcapng",	"192.0.2.1", 40000, "" },
		{ "ooo.pcap",		"192.0.2.2", 40001, "" },
		{ "retrans.pcap",	"192.0.2.3", 40002, "" },
		{ "overlap.pcap",	"192.0.2.4", 40003,
		    "overlap-different-data,overlap-different-data" },
	};
	struct pcapin_stats	 st;
	char			 err[512];
	char			 body[4096];
	size_t			 i, n;
	int			 l;

	for (i = 0; i < sizeof(normal) / sizeof(normal[0]); i++) {
		is_int(run(normal[i].file, &st, err, sizeof(err)), 0,
		    "%s: read", normal[i].file);
		is_int(rec.nflows, 1, "%s: one flow", normal[i].file);
		flow_is(normal[i].file, 1, normal[i].cip, normal[i].cport,
		    "198.51.100.25", 25, 1, C_ALL, S_ALL, normal[i].anomalies,
		    FLOW_END_FIN);
		is_int(rec.violations, 0, "%s: sink contract kept",
		    normal[i].file);
	}
	run("normal-be-ns.pcap", &st, err, sizeof(err));
	ok(st.nanosecond && st.swapped, "normal-be-ns.pcap: ns, swapped");
	is_int(rec.f[0].fi.start.sec, 1796083200, "ns: first second");
	/* 19 packets from 123 ns, 1000001 ns apart: the last at 18000141. */
	is_int(st.last_sec, 1796083200, "ns: last second");
	is_int(st.last_nsec, 18000141, "ns: last nanoseconds kept");
	is_int(rec.f[0].close_packet, 18, "ns: closed by packet 18 (FIN)");
	run("normal.pcap.gz", &st, err, sizeof(err));
	ok(st.compressed && strcmp(st.format, "pcap") == 0, "gz: compressed");
	run("ooo.pcap", &st, err, sizeof(err));
	is_int(st.flow.out_of_order, 2, "ooo.pcap: two segments held");
	run("retrans.pcap", &st, err, sizeof(err));
	is_int(st.flow.retransmitted, 2, "retrans.pcap: two retransmissions");

	is_int(run("multi-link.pcapng", &st, err, sizeof(err)), 0,
	    "multi-link.pcapng: read past libpcap's refusal");
	ok(st.native && st.native_from == 6, "multi-link: native from 6");
	is_str(st.linktypes, "EN10MB,RAW,LINUX_SLL", "multi-link: link types");
	is_int(rec.nflows, 3, "multi-link: three flows");
	flow_is("multi-link", 1, "192.0.2.10", 41000, "198.51.100.25", 25, 1,
	    C_ALL, S_ALL, "", FLOW_END_FIN);
	flow_is("multi-link", 2, "2001:db8::10", 41001, "2001:db8::25", 587, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	flow_is("multi-link", 3, "192.0.2.11", 41002, "198.51.100.25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	is_int(run("multi-link.pcapng.gz", &st, err, sizeof(err)), 0,
	    "multi-link.pcapng.gz: reopened through zlib");
	is_int(rec.nflows, 3, "multi-link.gz: three flows");

	run("gap.pcap", &st, err, sizeof(err));
	flow_is("gap.pcap", 1, "192.0.2.5", 40004, "198.51.100.25", 25, 1,
	    C_EHLO C_MAIL "[gap 27]" C_DATA C_BODY C_QUIT, S_ALL, "",
	    FLOW_END_FIN);

	run("vlan.pcap", &st, err, sizeof(err));
	is_int(st.non_ip, 2, "vlan.pcap: ARP and STP are not IP");
	for (l = 1; l <= 3; l++)
		flow_is("vlan.pcap", l, l == 1 ? "192.0.2.20" : l == 2 ?
		    "192.0.2.21" : "192.0.2.22", (unsigned)(40019 + l),
		    "198.51.100.25", 25, 1, C_SHORT, S_SHORT, "",
		    FLOW_END_FIN);

	n = strlcpy(body, "Subject: fragments\r\n\r\n", sizeof(body));
	for (l = 0; l < 40; l++) {
		for (i = 0; i < 70; i++)
			body[n++] = (char)('0' + (l + i) % 10);
		body[n++] = '\r';
		body[n++] = '\n';
	}
	strlcpy(body + n, ".\r\n" C_QUIT, sizeof(body) - n);
	run("frag4.pcap", &st, err, sizeof(err));
	is_int(rec.nflows, 1, "frag4.pcap: one flow (the lone SYN piece none)");
	if (strlen(C_EHLO C_MAIL C_RCPT C_DATA) + strlen(body) < REC_STREAM) {
		char	want[REC_STREAM];

		snprintf(want, sizeof(want), "%s%s",
		    C_EHLO C_MAIL C_RCPT C_DATA, body);
		flow_is("frag4.pcap", 1, "192.0.2.30", 40030, "198.51.100.25",
		    25, 1, want, S_ALL, "", FLOW_END_FIN);
	}
	ok(st.decode.fragments == 5 && st.decode.reassembled == 1 &&
	    st.decode.failed == 1, "frag4.pcap: 5 fragments, 1 whole, 1 not");
	ok(st.decode.anomaly[DECODE_W_FRAG_OVERLAP] == 1 &&
	    st.decode.anomaly[DECODE_W_FRAG_TIMEOUT] == 1,
	    "frag4.pcap: one overlap, one never completed");

	run("ipv6-ext.pcap", &st, err, sizeof(err));
	flow_is("ipv6-ext.pcap", 1, "2001:db8::1", 40040, "2001:db8::25", 25,
	    1, C_ALL, S_ALL, "", FLOW_END_FIN);
	ok(st.decode.fragments == 2 && st.decode.reassembled == 1,
	    "ipv6-ext.pcap: the body from two fragments");

	run("sll.pcap", &st, err, sizeof(err));
	flow_is("sll.pcap", 1, "192.0.2.40", 40050, "198.51.100.25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	run("sll2.pcap", &st, err, sizeof(err));
	flow_is("sll2.pcap", 1, "2001:db8::40", 40051, "2001:db8::25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	run("null.pcap", &st, err, sizeof(err));
	is_int(st.non_ip, 1, "null.pcap: AF 7 is not IP");
	flow_is("null.pcap", 1, "192.0.2.41", 40052, "198.51.100.25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	flow_is("null.pcap", 2, "2001:db8::41", 40053, "2001:db8::25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	run("loop.pcap", &st, err, sizeof(err));
	flow_is("loop.pcap", 1, "2001:db8::42", 40054, "2001:db8::25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	flow_is("loop.pcap", 2, "192.0.2.42", 40055, "198.51.100.25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);
	run("raw.pcap", &st, err, sizeof(err));
	flow_is("raw.pcap", 2, "2001:db8::43", 40057, "2001:db8::25", 25, 1,
	    C_SHORT, S_SHORT, "", FLOW_END_FIN);

	run("snaplen.pcap", &st, err, sizeof(err));
	is_int(st.truncated, 6, "snaplen.pcap: six records cut");
	flow_is("snaplen.pcap", 1, "192.0.2.50", 40060, "198.51.100.25", 25,
	    1, C_EHLO "MAIL FROM:<alice@example.o[gap 5]"
	    "RCPT TO:<bob@example.com>\r[gap 1]" C_DATA
	    "Subject: test\r\n\r\nhello\r\n.\r[gap 1]" C_QUIT,
	    S_220 "250-mx.example.net\r\n250 PI[gap 10]" S_MAIL S_RCPT
	    "354 End data with <CR><LF>[gap 11]"
	    "250 2.0.0 Ok: queued as 4X[gap 5]" S_221, "", FLOW_END_FIN);

	is_int(run("cut.pcap", &st, err, sizeof(err)), -1, "cut.pcap: error");
	ok(strstr(err, "truncated dump file") != NULL, "cut.pcap: %s", err);
	is_int(st.packets, 14, "cut.pcap: 14 whole records");
	flow_is("cut.pcap", 1, "192.0.2.51", 40061, "198.51.100.25", 25, 1,
	    C_EHLO C_MAIL C_RCPT C_DATA C_BODY, S_220 S_EHLO S_MAIL S_RCPT
	    S_354 S_250Q, "", FLOW_END_EOF);
	is_int(run("bigrecord.pcap", &st, err, sizeof(err)), -1,
	    "bigrecord.pcap: error");
	ok(strstr(err, "invalid packet capture length") != NULL,
	    "bigrecord.pcap: %s", err);
	flow_is("bigrecord.pcap", 1, "192.0.2.61", 40071, "198.51.100.25", 25,
	    1, C_SHORT, S_SHORT, "", FLOW_END_EOF);

	is_int(run("garbage.pcap", &st, err, sizeof(err)), 0, "garbage.pcap");
	ok(st.bad == 8 && st.non_ip == 1 && st.implausible == 1 &&
	    st.truncated == 0, "garbage.pcap: 8 bad, 1 not IP, 1 claiming "
	    "4 GB on the wire (not cut by the snapshot length)");
	for (l = DECODE_W_LINK_SHORT; l <= DECODE_W_TCP_HEADER; l++)
		if (l != DECODE_W_VLAN_DEPTH)
			is_int(st.decode.anomaly[l], 1, "garbage.pcap: one %s",
			    decode_why_name(l));
	flow_is("garbage.pcap", 1, "192.0.2.60", 40070, "198.51.100.25", 25,
	    1, C_ALL, S_ALL, "", FLOW_END_FIN);
	flow_is("garbage.pcap", 2, "192.0.2.99", 40099, "198.51.100.25", 25,
	    0, "garbag", "", "", FLOW_END_EOF);

	run("portreuse.pcap", &st, err, sizeof(err));
	is_int(rec.nflows, 4, "portreuse.pcap: four flows on one tuple");
	for (l = 1; l <= 4; l++)
		flow_is("portreuse.pcap", l, "192.0.2.70", 40080,
		    "198.51.100.25", 25, 1, l == 3 ? "" : C_SHORT,
		    l == 3 ? S_220 : S_SHORT, l == 3 ? "syn-on-open-flow" : "",
		    l == 3 ? FLOW_END_TIMEOUT : FLOW_END_FIN);
	is_int(st.flow.late, 4, "portreuse.pcap: four late ACKs ignored");

	run("midstream.pcap", &st, err, sizeof(err));
	flow_is("midstream.pcap", 1, "203.0.113.5", 1024, "198.51.100.25",
	    2525, 0, C_MAIL C_RCPT C_DATA C_BODY C_QUIT,
	    S_MAIL S_RCPT S_354 S_250Q S_221, "", FLOW_END_FIN);
	flow_is("midstream.pcap", 2, "192.0.2.80", 4000, "192.0.2.81", 3000,
	    0, C_RCPT C_DATA C_BODY C_QUIT, S_MAIL S_RCPT S_354 S_250Q S_221,
	    "", FLOW_END_FIN);

	run("ends.pcap", &st, err, sizeof(err));
	flow_is("ends.pcap", 1, "192.0.2.90", 40090, "198.51.100.25", 25, 1,
	    C_EHLO, S_220, "", FLOW_END_RST);
	flow_is("ends.pcap", 2, "192.0.2.91", 40091, "198.51.100.25", 25, 1,
	    "", S_220, "", FLOW_END_TIMEOUT);
	flow_is("ends.pcap", 3, "192.0.2.92", 40092, "198.51.100.25", 25, 1,
	    C_EHLO, S_220, "", FLOW_END_EOF);
	is_str(rec.order, "o1 c1 o2 c2 o3 c3 ", "ends.pcap: the idle flow "
	    "closes when capture time passes it");
	is_int(st.flow.mem, 0, "ends.pcap: nothing held at the end");
}

/* Segments made in memory: client 10.0.0.1:5000, server 10.0.0.2:25. */
static struct tcpflow	*tf;
static uint64_t		 npkt;
static int64_t		 now = 1000;

/* seg - one segment from the client (c2s true) or the server. */
static void
seg(bool c2s, uint8_t flags, uint32_t seq, uint32_t ack, const char *data)
{
	static const uint8_t	cip[4] = { 10, 0, 0, 1 }, sip[4] = {
		10, 0, 0, 2 };
	struct decoded		d;
	struct flow_pos		pos;

	memset(&d, 0, sizeof(d));
	d.family = 4;
	memcpy(d.src, c2s ? cip : sip, 4);
	memcpy(d.dst, c2s ? sip : cip, 4);
	d.sport = c2s ? 5000 : 25;
	d.dport = c2s ? 25 : 5000;
	d.seq = seq;
	d.ack = ack;
	d.flags = flags;
	d.payload = (const uint8_t *)data;
	d.paylen = d.wirelen = data == NULL ? 0 : strlen(data);
	pos.packet = ++npkt;
	pos.sec = now;
	pos.usec = 0;
	pos.offset = 0;
	tcpflow_add_segment(tf, &d, &pos);
}

/* start - a fresh table with limits, and a handshake (ISNs given). */
static void
start(const struct tcpflow_limits *lim, uint32_t cisn, uint32_t sisn)
{
	rec_reset();
	tcpflow_free(tf);
	tf = tcpflow_new(&rec_sink, lim);
	npkt = 0;
	seg(true, DECODE_TH_SYN, cisn, 0, NULL);
	seg(false, DECODE_TH_SYN | DECODE_TH_ACK, sisn, cisn + 1, NULL);
	seg(true, DECODE_TH_ACK, cisn + 1, sisn + 1, NULL);
}

#define A	(DECODE_TH_ACK)
#define PA	(DECODE_TH_PUSH | DECODE_TH_ACK)
#define FA	(DECODE_TH_FIN | DECODE_TH_ACK)

/* test_memory - in-memory segments. */
static void
test_memory(void)
{
	struct tcpflow_limits		 lim;
	const struct tcpflow_stats	*st;
	uint32_t			 c;

	/* The client's stream wraps through zero, reordered around it. */
	c = 0xfffffff0;
	start(NULL, c, 100);
	seg(true, PA, c + 1 + 20, 101, "WORLD");	/* 0x00000005 */
	seg(true, PA, c + 1, 101, "0123456789abcdefghij"); /* to 0x5 */
	is_str(stream(1, FLOW_C2S), "0123456789abcdefghijWORLD",
	    "wrap: reordered across 2^32");
	is_str(rec.f[0].anomalies, "", "wrap: no anomaly");

	/* An in-order segment over a held piece: the held copy wins. */
	start(NULL, 1000, 100);
	seg(true, PA, 1006, 101, "WORLD");
	seg(true, PA, 1001, 101, "HELLOworld!");
	is_str(stream(1, FLOW_C2S), "HELLOWORLD!", "held piece is the first "
	    "copy");
	is_str(rec.f[0].anomalies, "overlap-different-data", "and differs");

	/* Retransmission after the ACK: not kept, not compared. */
	start(NULL, 1000, 100);
	seg(true, PA, 1001, 101, "hello");
	seg(false, A, 101, 1006, NULL);
	seg(true, PA, 1001, 101, "HELLO");
	seg(true, A, 1005, 101, "\x01");		/* keepalive */
	is_str(rec.f[0].anomalies, "", "acknowledged bytes and keepalive: "
	    "no comparison");
	tcpflow_finish(tf);
	is_int(rec.f[0].how, FLOW_END_EOF, "finish: EOF");

	/* Data past the FIN, and far beyond the window. */
	start(NULL, 1000, 100);
	seg(true, PA | DECODE_TH_FIN, 1001, 101, "abc");
	seg(true, PA, 1004, 101, "zzz");
	seg(true, PA, 1001 + (1U << 30) + 5, 101, "far");
	is_str(rec.f[0].anomalies, "data-after-fin,data-after-fin",
	    "data after the FIN dropped");
	seg(false, PA, 101, 1005, "x");
	seg(false, PA, 102 + (1U << 30) + 1, 1005, "far");
	is_str(rec.f[0].anomalies, "data-after-fin,data-after-fin,"
	    "segment-out-of-window", "out of window dropped");
	seg(false, FA, 102, 1005, NULL);
	is_int(rec.f[0].how, FLOW_END_FIN, "both FINs reached: FIN");
	is_str(stream(1, FLOW_C2S), "abc", "stream ends at the FIN");
	seg(true, A, 1005, 103, NULL);
	is_int(rec.f[0].closes, 1, "late ACK: still closed once");
	is_int(tcpflow_stats(tf)->late, 1, "late ACK counted");

	/* The per-flow hold cap: give up the holes, keep streaming. */
	tcpflow_limits_default(&lim);
	lim.hold_max = 100;
	start(&lim, 1000, 100);
	seg(true, PA, 1011, 101, "BBBBBBBBBB");
	seg(true, PA, 1031, 101, "DDDDDDDDDD");
	seg(true, PA, 1001, 101, "AAAAAAAAAA");
	seg(true, PA, 1041, 101, "EEEE");
	is_str(stream(1, FLOW_C2S), "[gap 10]BBBBBBBBBB[gap 10]DDDDDDDDDDEEEE",
	    "cap: holes given up, bytes streamed");
	is_str(rec.f[0].anomalies, "reassembly-cap", "cap: anomaly");
	seg(true, FA, 1045, 101, NULL);
	seg(false, FA, 101, 1046, NULL);
	is_int(rec.f[0].how, FLOW_END_CAP, "cap: the end says truncated");
	is_int(tcpflow_stats(tf)->flows_capped, 1, "cap: counted");

	/* The global memory cap, across two flows. */
	tcpflow_limits_default(&lim);
	lim.memcap = 150;
	lim.retain_max = 0;
	start(&lim, 1000, 100);
	seg(true, PA, 1011, 101, "0123456789");	/* held: 10 + overhead */
	seg(true, PA, 1031, 101, "abcdefghij");
	seg(true, PA, 1051, 101, "ABCDEFGHIJ");
	ok(strstr(rec.f[0].anomalies, "memcap") != NULL, "memcap: anomaly");
	ok(tcpflow_stats(tf)->mem_peak <= 150, "memcap: held at most 150 "
	    "(%zu)", tcpflow_stats(tf)->mem_peak);
	tcpflow_finish(tf);
	is_str(stream(1, FLOW_C2S), "[gap 10]0123456789[gap 10]abcdefghij"
	    "[gap 10]ABCDEFGHIJ", "memcap: every byte delivered once");
	is_int(tcpflow_stats(tf)->mem, 0, "memcap: nothing held after");

	/* A full table: the least recently active flow gives way. */
	tcpflow_limits_default(&lim);
	lim.flows_max = 2;
	start(&lim, 1000, 100);
	{
		struct decoded	d;
		struct flow_pos	pos = { 10, 1000, 0, 0 };
		int		i;

		for (i = 0; i < 2; i++) {
			memset(&d, 0, sizeof(d));
			d.family = 4;
			d.src[0] = 10;
			d.src[3] = (uint8_t)(10 + i);
			d.dst[0] = 10;
			d.dst[3] = 2;
			d.sport = 6000;
			d.dport = 25;
			d.flags = DECODE_TH_SYN;
			pos.packet++;
			tcpflow_add_segment(tf, &d, &pos);
		}
	}
	is_int(rec.nflows, 3, "table full: the third flow opens");
	is_int(rec.f[0].how, FLOW_END_CAP, "table full: the oldest ends CAP");
	is_str(rec.f[0].anomalies, "flow-table-full", "table full: anomaly");
	is_int(tcpflow_stats(tf)->flows_now, 2, "table full: two flows left");

	/* Reset; idle timeout; a SYN-ACK whose SYN was missed. */
	start(NULL, 1000, 100);
	seg(false, PA, 101, 1001, "220 hi\r\n");
	seg(true, DECODE_TH_RST, 1001, 0, NULL);
	is_int(rec.f[0].how, FLOW_END_RST, "reset: RST");
	seg(false, PA, 109, 1001, "more");
	is_int(rec.f[0].closes, 1, "reset: nothing after the close");
	now = 1000;
	start(NULL, 1000, 100);
	tcpflow_expire(tf, now + 600);
	is_int(rec.f[0].closes, 0, "idle 600 s: still open");
	tcpflow_expire(tf, now + 601);
	is_int(rec.f[0].how, FLOW_END_TIMEOUT, "idle 601 s: timeout");
	rec_reset();
	seg(false, DECODE_TH_SYN | DECODE_TH_ACK, 5000, 7001, NULL);
	seg(false, PA, 5001, 7001, "220 late\r\n");
	seg(true, PA, 7001, 5011, "EHLO x\r\n");
	is_int(rec.f[0].fi.client_port, 5000, "SYN-ACK: its receiver is the "
	    "client");
	ok(rec.f[0].fi.saw_syn && strcmp(stream(1, FLOW_C2S), "EHLO x\r\n") ==
	    0 && strcmp(stream(1, FLOW_S2C), "220 late\r\n") == 0,
	    "SYN-ACK: both streams from their start");

	/* Mid-stream with a worthless ACK: the data is trusted instead. */
	rec_reset();
	tcpflow_free(tf);
	tf = tcpflow_new(&rec_sink, NULL);
	seg(true, PA, 777, 0, "MAIL FROM:<a@b>\r\n");
	seg(false, PA, 0x80001234, 794, "250 ok\r\n");
	is_str(stream(1, FLOW_S2C), "250 ok\r\n", "bad ACK: resynced on data");
	is_int(rec.f[0].fi.saw_syn, 0, "mid-stream: saw_syn false");
	seg(true, DECODE_TH_ACK, 794, 0x8000123c, NULL);
	seg(false, DECODE_TH_ACK, 0x8000123c, 794, NULL);
	is_int(tcpflow_stats(tf)->stray, 0, "pure ACKs of a known flow");
	tcpflow_finish(tf);
	st = tcpflow_stats(tf);
	is_int(st->mem, 0, "nothing held at the end");
	is_int(rec.violations, 0, "sink contract kept in memory tests");
	tcpflow_free(tf);
	tf = NULL;
}

int
main(void)
{
	test_files();
	test_memory();
	return (done_testing());
}
