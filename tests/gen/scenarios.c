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
 * The built-in scenarios of pcapgen, one function per file of
 * tests/data/pcap.  Each comment says what is special; the expected
 * results are in tests/data/pcap/README.md.
 */

#include "config.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapgen.h"

#define SNAP	262144

/* The base session: server first, then alternating. */
const char *const gen_session[] = {
	"220 mx.example.net ESMTP\r\n",
	"EHLO client.example.org\r\n",
	"250-mx.example.net\r\n250 PIPELINING\r\n",
	"MAIL FROM:<alice@example.org>\r\n",
	"250 2.1.0 Ok\r\n",
	"RCPT TO:<bob@example.com>\r\n",
	"250 2.1.5 Ok\r\n",
	"DATA\r\n",
	"354 End data with <CR><LF>.<CR><LF>\r\n",
	"Subject: test\r\n\r\nhello\r\n.\r\n",
	"250 2.0.0 Ok: queued as 4XYZ1\r\n",
	"QUIT\r\n",
	"221 2.0.0 Bye\r\n",
	NULL
};

/* A short session for the link-type files. */
static const char *const short_session[] = {
	"220 mx.example.net ESMTP\r\n",
	"EHLO client.example.org\r\n",
	"250 mx.example.net\r\n",
	"QUIT\r\n",
	"221 2.0.0 Bye\r\n",
	NULL
};

/* line - line i of the base session, as sent. */
static const char *
line(int i)
{
	return (gen_session[i]);
}

/* send_line - base session line i in its direction. */
static void
send_line(struct gen_out *o, struct gen_conv *c, int i)
{
	gen_send(o, c, i % 2 == 0 ? S2C : C2S, TH_PUSH | TH_ACK, line(i));
}

/* prep_line - base session line i, prepared but not written. */
static void
prep_line(struct gen_conv *c, int i, struct gen_pkt *pk)
{
	gen_prepare(c, i % 2 == 0 ? S2C : C2S, TH_PUSH | TH_ACK, line(i),
	    strlen(line(i)), pk);
}

/* whole - one complete base session on a conversation. */
static void
whole(struct gen_out *o, struct gen_conv *c, const char *const *lines)
{
	gen_open_conv(o, c);
	gen_smtp(o, c, lines);
	gen_close_conv(o, c);
}

/* normal_in - the base session, IPv4 over Ethernet, in a given format. */
static void
normal_in(const char *path, enum gen_fmt fmt)
{
	struct gen_out	o;
	struct gen_conv	c;

	gen_open(&o, path, fmt, GEN_ETH, SNAP);
	if (fmt == GEN_PCAP_BE_NS) {
		o.t_ns += 123;
		o.step_ns = 1000001;
	}
	gen_conv_init(&c, 4, "192.0.2.1", 40000, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	whole(&o, &c, gen_session);
	gen_close(&o);
}

/* sc_normal - little-endian microsecond pcap. */
static void
sc_normal(const char *path)
{
	normal_in(path, GEN_PCAP);
}

/* sc_normal_be_ns - big-endian nanosecond pcap. */
static void
sc_normal_be_ns(const char *path)
{
	normal_in(path, GEN_PCAP_BE_NS);
}

/* sc_normal_ng - pcapng, one interface. */
static void
sc_normal_ng(const char *path)
{
	normal_in(path, GEN_PCAPNG);
}

/*
 * sc_multi - pcapng with three interfaces of three link types (Ethernet,
 * raw IP with nanoseconds, Linux cooked), the second described after
 * packets of the first: libpcap delivers those and then refuses.
 */
static void
sc_multi(const char *path)
{
	struct gen_out	o;
	struct gen_conv	a, b, c;
	int		i;

	gen_open(&o, path, GEN_PCAPNG, GEN_ETH, SNAP);
	gen_conv_init(&a, 4, "192.0.2.10", 41000, "198.51.100.25", 25, 10000,
	    20000, GEN_ETH);
	gen_open_conv(&o, &a);
	send_line(&o, &a, 0);
	send_line(&o, &a, 1);
	gen_idb(&o, GEN_RAW, 65535, 9);
	gen_conv_init(&b, 6, "2001:db8::10", 41001, "2001:db8::25", 587,
	    30000, 40000, GEN_RAW);
	b.ifid = 1;
	whole(&o, &b, short_session);
	gen_idb(&o, GEN_SLL, SNAP, 6);
	gen_conv_init(&c, 4, "192.0.2.11", 41002, "198.51.100.25", 25, 50000,
	    60000, GEN_SLL);
	c.ifid = 2;
	whole(&o, &c, short_session);
	for (i = 2; line(i) != NULL; i++)
		send_line(&o, &a, i);
	gen_close_conv(&o, &a);
	gen_close(&o);
}

/*
 * sc_ooo - the client pipelines MAIL, RCPT and DATA in three segments
 * written in the order DATA, RCPT, MAIL; the client's sequence numbers
 * wrap through zero inside MAIL.
 */
static void
sc_ooo(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	struct gen_pkt	seg[3];
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.2", 40001, "198.51.100.25", 25,
	    0xffffffd0, 5000, GEN_ETH);
	gen_open_conv(&o, &c);
	for (i = 0; i < 3; i++)
		send_line(&o, &c, i);
	prep_line(&c, 3, &seg[0]);
	prep_line(&c, 5, &seg[1]);
	prep_line(&c, 7, &seg[2]);
	gen_emit(&o, &c, &seg[2]);
	gen_emit(&o, &c, &seg[1]);
	gen_emit(&o, &c, &seg[0]);
	send_line(&o, &c, 4);
	send_line(&o, &c, 6);
	send_line(&o, &c, 8);
	for (i = 9; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/*
 * sc_retrans - EHLO sent twice before the reply (same bytes), MAIL sent
 * again after its reply acknowledged it, and a keepalive probe (one
 * garbage byte just before the next sequence number) before QUIT.
 */
static void
sc_retrans(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	struct gen_pkt	pk;
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.3", 40002, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	send_line(&o, &c, 0);
	prep_line(&c, 1, &pk);
	gen_emit(&o, &c, &pk);
	gen_emit(&o, &c, &pk);
	send_line(&o, &c, 2);
	prep_line(&c, 3, &pk);
	gen_emit(&o, &c, &pk);
	send_line(&o, &c, 4);
	gen_emit(&o, &c, &pk);
	for (i = 5; i < 11; i++)
		send_line(&o, &c, i);
	gen_prepare_at(&c, C2S, TH_ACK, c.seq[C2S] - 1, c.seq[S2C], "", 1,
	    &pk);
	gen_emit(&o, &c, &pk);
	for (i = 11; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/*
 * sc_overlap - RCPT sent again at the same sequence number with another
 * recipient before it was acknowledged; the message body's second
 * segment written first, then again with other bytes, then the first
 * segment.  Both times the first copy must win.
 */
static void
sc_overlap(const char *path)
{
	static const char	rcpt2[] = "RCPT TO:<eve@attacker.io>\r\n";
	struct gen_out		o;
	struct gen_conv		c;
	struct gen_pkt		pk, a, b, b2;
	uint32_t		seq;
	int			i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.4", 40003, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	for (i = 0; i < 5; i++)
		send_line(&o, &c, i);
	seq = c.seq[C2S];
	send_line(&o, &c, 5);
	gen_prepare_at(&c, C2S, TH_PUSH | TH_ACK, seq, c.seq[S2C], rcpt2,
	    strlen(rcpt2), &pk);
	gen_emit(&o, &c, &pk);
	for (i = 6; i < 9; i++)
		send_line(&o, &c, i);
	seq = c.seq[C2S];
	gen_prepare(&c, C2S, TH_ACK, "Subject: test\r\n\r\n", 17, &a);
	gen_prepare(&c, C2S, TH_PUSH | TH_ACK, "hello\r\n.\r\n", 10, &b);
	gen_prepare_at(&c, C2S, TH_PUSH | TH_ACK, seq + 17, c.seq[S2C],
	    "HELLO\r\n.\r\n", 10, &b2);
	gen_emit(&o, &c, &b);
	gen_emit(&o, &c, &b2);
	gen_emit(&o, &c, &a);
	for (i = 10; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/*
 * sc_gap - the segment carrying RCPT is missing from the capture; the
 * server's reply to DATA acknowledges past it.
 */
static void
sc_gap(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	struct gen_pkt	pk;
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.5", 40004, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	for (i = 0; line(i) != NULL; i++) {
		if (i == 5)
			prep_line(&c, i, &pk);		/* lost */
		else
			send_line(&o, &c, i);
	}
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/* sc_vlan - 802.1Q, 802.1ad QinQ and 0x9100 tags; an ARP and an STP frame. */
static void
sc_vlan(const char *path)
{
	static const uint8_t	arp[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
		0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1,
		192, 0, 2, 20, 0, 0, 0, 0, 0, 0, 198, 51, 100, 25
	};
	static const uint8_t	stp[60] = {
		0x01, 0x80, 0xc2, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0x26,
		0x42, 0x42, 0x03
	};
	struct gen_out		o;
	struct gen_conv		c1, c2, c3;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_record(&o, 0, arp, sizeof(arp), sizeof(arp));
	gen_conv_init(&c1, 4, "192.0.2.20", 40020, "198.51.100.25", 25, 100,
	    200, GEN_ETH);
	c1.nvlan = 1;
	c1.vlan_tpid[0] = 0x8100;
	c1.vlan_id[0] = 100;
	whole(&o, &c1, short_session);
	gen_conv_init(&c2, 4, "192.0.2.21", 40021, "198.51.100.25", 25, 300,
	    400, GEN_ETH);
	c2.nvlan = 2;
	c2.vlan_tpid[0] = 0x88a8;
	c2.vlan_id[0] = 200;
	c2.vlan_tpid[1] = 0x8100;
	c2.vlan_id[1] = 300;
	whole(&o, &c2, short_session);
	gen_record(&o, 0, stp, sizeof(stp), sizeof(stp));
	gen_conv_init(&c3, 4, "192.0.2.22", 40022, "198.51.100.25", 25, 500,
	    600, GEN_ETH);
	c3.nvlan = 2;
	c3.vlan_tpid[0] = 0x9100;
	c3.vlan_id[0] = 10;
	c3.vlan_tpid[1] = 0x8100;
	c3.vlan_id[1] = 20;
	whole(&o, &c3, short_session);
	gen_close(&o);
}

/* big_body - a 2905-byte message body: 40 lines of 70 digits. */
static char *
big_body(void)
{
	static char	body[4096];
	size_t		n, i;
	int		l;

	n = sizeof("Subject: fragments\r\n\r\n") - 1;
	memcpy(body, "Subject: fragments\r\n\r\n", n);
	for (l = 0; l < 40; l++) {
		for (i = 0; i < 70; i++)
			body[n++] = (char)('0' + (l + i) % 10);
		body[n++] = '\r';
		body[n++] = '\n';
	}
	memcpy(body + n, ".\r\n", 4);
	return (body);
}

/*
 * sc_frag4 - the message body in one 2925-byte TCP segment, as three IPv4
 * fragments written 2nd, 1st, 2nd again, 3rd; and the first fragment of a
 * SYN of another connection that never completes.
 */
static void
sc_frag4(const char *path)
{
	static const int	order[] = { 1, 0, 1, 2 };
	static const int	first[] = { 0 };
	struct gen_out		o;
	struct gen_conv		c, d;
	struct gen_pkt		pk;
	const char		*body = big_body();
	int			i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.30", 40030, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	for (i = 0; i < 9; i++)
		send_line(&o, &c, i);
	gen_prepare(&c, C2S, TH_PUSH | TH_ACK, body, strlen(body), &pk);
	gen_frag4(&o, &c, &pk, 1208, order, 4);
	for (i = 10; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_conv_init(&d, 4, "192.0.2.31", 40031, "198.51.100.25", 25, 1, 2,
	    GEN_ETH);
	gen_prepare(&d, C2S, TH_SYN, NULL, 0, &pk);
	gen_frag4(&o, &d, &pk, 16, first, 1);
	gen_close(&o);
}

/*
 * sc_ipv6 - IPv6: the client's segments carry hop-by-hop, destination
 * options and routing headers, the server's an AH; the message body is
 * sent as two fragments, the second first.
 */
static void
sc_ipv6(const char *path)
{
	static const int	order[] = { 1, 0 };
	struct gen_out		o;
	struct gen_conv		c;
	struct gen_pkt		pk;
	int			i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 6, "2001:db8::1", 40040, "2001:db8::25", 25, 1000,
	    5000, GEN_ETH);
	c.next[C2S] = 3;
	c.ext[C2S][0] = 0;
	c.ext[C2S][1] = 60;
	c.ext[C2S][2] = 43;
	c.next[S2C] = 1;
	c.ext[S2C][0] = 51;
	gen_open_conv(&o, &c);
	for (i = 0; i < 9; i++)
		send_line(&o, &c, i);
	c.next[C2S] = 0;
	prep_line(&c, 9, &pk);
	gen_frag6(&o, &c, &pk, 24, order, 2);
	c.next[C2S] = 3;
	for (i = 10; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/* link_file - short sessions over one link type, given conversations. */
static void
link_file(const char *path, int linktype, struct gen_conv *c, int n)
{
	struct gen_out	o;
	int		i;

	gen_open(&o, path, GEN_PCAP, linktype, SNAP);
	for (i = 0; i < n; i++)
		whole(&o, &c[i], short_session);
	gen_close(&o);
}

/* sc_sll - Linux cooked v1, IPv4. */
static void
sc_sll(const char *path)
{
	struct gen_conv	c;

	gen_conv_init(&c, 4, "192.0.2.40", 40050, "198.51.100.25", 25, 1000,
	    5000, GEN_SLL);
	link_file(path, GEN_SLL, &c, 1);
}

/* sc_sll2 - Linux cooked v2, IPv6. */
static void
sc_sll2(const char *path)
{
	struct gen_conv	c;

	gen_conv_init(&c, 6, "2001:db8::40", 40051, "2001:db8::25", 25, 1000,
	    5000, GEN_SLL2);
	link_file(path, GEN_SLL2, &c, 1);
}

/*
 * sc_null - BSD null (host order, little-endian here): IPv4 (AF 2) and
 * IPv6 (AF 24, NetBSD/OpenBSD), and a frame of AF 7 (not IP).
 */
static void
sc_null(const char *path)
{
	static const uint8_t	other[24] = { 7, 0, 0, 0, 0x45 };
	struct gen_out		o;
	struct gen_conv		c[2];

	gen_conv_init(&c[0], 4, "192.0.2.41", 40052, "198.51.100.25", 25,
	    1000, 5000, GEN_NULL);
	gen_conv_init(&c[1], 6, "2001:db8::41", 40053, "2001:db8::25", 25,
	    1000, 5000, GEN_NULL);
	gen_open(&o, path, GEN_PCAP, GEN_NULL, SNAP);
	gen_record(&o, 0, other, sizeof(other), sizeof(other));
	whole(&o, &c[0], short_session);
	whole(&o, &c[1], short_session);
	gen_close(&o);
}

/* sc_loop - BSD loop (network order): IPv6 (AF 30, Darwin), IPv4. */
static void
sc_loop(const char *path)
{
	struct gen_conv	c[2];

	gen_conv_init(&c[0], 6, "2001:db8::42", 40054, "2001:db8::25", 25,
	    1000, 5000, GEN_LOOP);
	c[0].af6 = 30;
	gen_conv_init(&c[1], 4, "192.0.2.42", 40055, "198.51.100.25", 25,
	    1000, 5000, GEN_LOOP);
	link_file(path, GEN_LOOP, c, 2);
}

/* sc_raw - LINKTYPE_RAW: IPv4 and IPv6. */
static void
sc_raw(const char *path)
{
	struct gen_conv	c[2];

	gen_conv_init(&c[0], 4, "192.0.2.43", 40056, "198.51.100.25", 25,
	    1000, 5000, GEN_RAW);
	gen_conv_init(&c[1], 6, "2001:db8::43", 40057, "2001:db8::25", 25,
	    1000, 5000, GEN_RAW);
	link_file(path, GEN_RAW, c, 2);
}

/* sc_snaplen - the base session captured with a snapshot length of 80. */
static void
sc_snaplen(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, 80);
	gen_conv_init(&c, 4, "192.0.2.50", 40060, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	whole(&o, &c, gen_session);
	gen_close(&o);
}

/* sc_cut - the base session, the file cut inside the record of QUIT. */
static void
sc_cut(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.51", 40061, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	for (i = 0; i < 12; i++)
		send_line(&o, &c, i);
	gen_close(&o);
	if (truncate(path, (off_t)o.last_off + 16 + 10) == -1)
		err(1, "%s", path);
}

/* garbage_ip4 - a 60-byte Ethernet/IPv4/TCP frame to spoil. */
static void
garbage_ip4(uint8_t *f, size_t *n)
{
	static struct gen_conv	c;
	static struct gen_pkt	pk;

	gen_conv_init(&c, 4, "192.0.2.99", 40099, "198.51.100.25", 25, 1, 2,
	    GEN_ETH);
	gen_prepare(&c, C2S, TH_ACK, "garbage", 6, &pk);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	memcpy(f + 14, pk.l3, pk.l3len);
	*n = 14 + pk.l3len;
}

/*
 * sc_garbage - a good session between frames that are not: too short,
 * wrong IP version, IHL 3, total length past the frame, TCP data offset
 * 2, 17 IPv6 extension headers, IPv6 payload length 0, caplen > len, an
 * LLDP frame, and a record claiming 4 GB on the wire.
 */
static void
sc_garbage(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	uint8_t		f[256];
	size_t		n;
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.60", 40070, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	memset(f, 0xee, sizeof(f));
	gen_record(&o, 0, f, 10, 10);
	garbage_ip4(f, &n);
	f[14] = 0x55;
	gen_record(&o, 0, f, n, n);
	garbage_ip4(f, &n);
	f[14] = 0x43;
	gen_record(&o, 0, f, n, n);
	send_line(&o, &c, 0);
	garbage_ip4(f, &n);
	f[16] = 0x03;
	f[17] = 0xe8;
	gen_record(&o, 0, f, n, n);
	garbage_ip4(f, &n);
	f[14 + 20 + 12] = 0x20;
	gen_record(&o, 0, f, n, n);
	memset(f, 0, sizeof(f));
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd\x60", 15);
	f[14 + 4] = 0;
	f[14 + 5] = 17 * 8;
	f[14 + 6] = 60;
	for (i = 0; i < 17; i++)
		f[14 + 40 + i * 8] = i < 16 ? 60 : 6;
	gen_record(&o, 0, f, 14 + 40 + 17 * 8, 14 + 40 + 17 * 8);
	f[14 + 5] = 0;
	gen_record(&o, 0, f, 14 + 40 + 8, 14 + 40 + 8);
	send_line(&o, &c, 1);
	garbage_ip4(f, &n);
	gen_record(&o, 0, f, n, n - 20);
	memset(f, 0x5a, 64);
	f[12] = 0x88;
	f[13] = 0xcc;
	gen_record(&o, 0, f, 64, 64);
	garbage_ip4(f, &n);
	gen_record(&o, 0, f, n, 0xffffffffU);
	for (i = 2; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	gen_close(&o);
}

/*
 * sc_bigrecord - a short session, then a record header claiming
 * 2147483647 captured bytes: libpcap stops there.
 */
static void
sc_bigrecord(const char *path)
{
	static const uint8_t	hdr[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f,
		0xff, 0xff, 0xff, 0xff
	};
	struct gen_out		o;
	struct gen_conv		c;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.61", 40071, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	gen_smtp(&o, &c, short_session);
	if (fwrite(hdr, 1, sizeof(hdr), o.fp) != sizeof(hdr))
		err(1, "%s", path);
	gen_close(&o);
}

/*
 * sc_portreuse - one tuple, four connections: the first closes and its
 * last ACK comes again; the second reuses the tuple with new ISNs; the
 * third opens, gets its banner and is superseded by a fourth SYN.
 */
static void
sc_portreuse(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c;
	struct gen_pkt	pk;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "192.0.2.70", 40080, "198.51.100.25", 25, 100,
	    200, GEN_ETH);
	whole(&o, &c, short_session);
	gen_prepare_at(&c, C2S, TH_ACK, c.seq[C2S], c.seq[S2C], NULL, 0, &pk);
	gen_emit(&o, &c, &pk);
	gen_conv_init(&c, 4, "192.0.2.70", 40080, "198.51.100.25", 25,
	    900000, 800000, GEN_ETH);
	whole(&o, &c, short_session);
	gen_conv_init(&c, 4, "192.0.2.70", 40080, "198.51.100.25", 25,
	    3000000, 4000000, GEN_ETH);
	gen_open_conv(&o, &c);
	gen_send(&o, &c, S2C, TH_PUSH | TH_ACK, short_session[0]);
	gen_conv_init(&c, 4, "192.0.2.70", 40080, "198.51.100.25", 25,
	    7000000, 8000000, GEN_ETH);
	whole(&o, &c, short_session);
	gen_close(&o);
}

/*
 * sc_midstream - the capture starts after EHLO: no handshake, the first
 * packet is the client's MAIL, server on port 2525 above the client's
 * 1024.  A second connection, ports 4000 and 3000 (neither SMTP), is
 * first seen from its server.
 */
static void
sc_midstream(const char *path)
{
	struct gen_out	o;
	struct gen_conv	c, d;
	struct gen_pkt	pk;
	int		i;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&c, 4, "203.0.113.5", 1024, "198.51.100.25", 2525,
	    7000, 9000, GEN_ETH);
	gen_conv_init(&d, 4, "192.0.2.80", 4000, "192.0.2.81", 3000, 11000,
	    12000, GEN_ETH);
	gen_prepare(&c, C2S, TH_SYN, NULL, 0, &pk);
	gen_prepare(&c, S2C, TH_SYN | TH_ACK, NULL, 0, &pk);
	gen_prepare(&d, C2S, TH_SYN, NULL, 0, &pk);
	gen_prepare(&d, S2C, TH_SYN | TH_ACK, NULL, 0, &pk);
	for (i = 0; i < 3; i++) {
		prep_line(&c, i, &pk);
		prep_line(&d, i, &pk);
	}
	for (i = 3; line(i) != NULL; i++)
		send_line(&o, &c, i);
	gen_close_conv(&o, &c);
	prep_line(&d, 3, &pk);
	for (i = 4; line(i) != NULL; i++)
		send_line(&o, &d, i);
	gen_close_conv(&o, &d);
	gen_close(&o);
}

/*
 * sc_ends - a reset, an idle connection overtaken by 700 s of silence,
 * and a connection still open when the capture ends.
 */
static void
sc_ends(const char *path)
{
	struct gen_out	o;
	struct gen_conv	a, b, c;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, SNAP);
	gen_conv_init(&a, 4, "192.0.2.90", 40090, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_conv_init(&b, 4, "192.0.2.91", 40091, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_conv_init(&c, 4, "192.0.2.92", 40092, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &a);
	gen_send(&o, &a, S2C, TH_PUSH | TH_ACK, short_session[0]);
	gen_send(&o, &a, C2S, TH_PUSH | TH_ACK, short_session[1]);
	gen_send(&o, &a, S2C, TH_RST | TH_ACK, NULL);
	gen_open_conv(&o, &b);
	gen_send(&o, &b, S2C, TH_PUSH | TH_ACK, short_session[0]);
	o.t_ns += 700 * 1000000000LL;
	gen_open_conv(&o, &c);
	gen_send(&o, &c, S2C, TH_PUSH | TH_ACK, short_session[0]);
	gen_send(&o, &c, C2S, TH_PUSH | TH_ACK, short_session[1]);
	gen_close(&o);
}

const struct gen_scenario gen_scenarios[] = {
	{ "normal.pcap",	sc_normal },
	{ "normal.pcap.gz",	sc_normal },
	{ "normal-be-ns.pcap",	sc_normal_be_ns },
	{ "normal.pcapng",	sc_normal_ng },
	{ "multi-link.pcapng",	sc_multi },
	{ "multi-link.pcapng.gz", sc_multi },
	{ "ooo.pcap",		sc_ooo },
	{ "retrans.pcap",	sc_retrans },
	{ "overlap.pcap",	sc_overlap },
	{ "gap.pcap",		sc_gap },
	{ "vlan.pcap",		sc_vlan },
	{ "frag4.pcap",		sc_frag4 },
	{ "ipv6-ext.pcap",	sc_ipv6 },
	{ "sll.pcap",		sc_sll },
	{ "sll2.pcap",		sc_sll2 },
	{ "null.pcap",		sc_null },
	{ "loop.pcap",		sc_loop },
	{ "raw.pcap",		sc_raw },
	{ "snaplen.pcap",	sc_snaplen },
	{ "cut.pcap",		sc_cut },
	{ "garbage.pcap",	sc_garbage },
	{ "bigrecord.pcap",	sc_bigrecord },
	{ "portreuse.pcap",	sc_portreuse },
	{ "midstream.pcap",	sc_midstream },
	{ "ends.pcap",		sc_ends },
	{ NULL,			NULL }
};
