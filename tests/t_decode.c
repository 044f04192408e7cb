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
 * Unit tests: frame decoding.  A frame typed out byte by byte; then frames
 * built here for every link type, VLAN tags, IPv4 options and padding,
 * IPv6 extension headers, truncation against malformation, IPv4 and IPv6
 * fragment reassembly (order, overlap, timeout, eviction, bad pieces),
 * and random bytes for every link type, checked to stay in bounds.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "tap.h"

static uint8_t	f[70000];

/* A SYN, 192.0.2.1:40000 > 198.51.100.25:25, seq 1000, MSS 1460. */
static const uint8_t syn_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x19,
	0x9c, 0x40, 0x00, 0x19, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
	0x60, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4
};

/* be16 - store big-endian. */
static void
be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* be32 - store big-endian. */
static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xffff);
}

/* tcp - a 20-byte TCP header and data at p; the length. */
static size_t
tcp(uint8_t *p, uint32_t seq, uint8_t flags, const char *data, size_t n)
{
	memset(p, 0, 20);
	be16(p, 40000);
	be16(p + 2, 25);
	be32(p + 4, seq);
	be32(p + 8, 77);
	p[12] = 0x50;
	p[13] = flags;
	be16(p + 14, 512);
	memcpy(p + 20, data, n);
	return (20 + n);
}

/* ip4 - an IPv4 header before l4len bytes already at p + 20; length. */
static size_t
ip4(uint8_t *p, uint8_t proto, uint16_t id, uint16_t fo, size_t l4len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	be16(p + 2, (unsigned)(20 + l4len));
	be16(p + 4, id);
	be16(p + 6, fo);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x19", 8);
	return (20 + l4len);
}

/* ip6 - an IPv6 header before plen bytes at p + 40; the length. */
static size_t
ip6(uint8_t *p, uint8_t nh, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	be16(p + 4, (unsigned)plen);
	p[6] = nh;
	p[7] = 64;
	p[8] = 0x20;
	p[9] = 0x01;
	p[23] = 1;
	p[24] = 0x20;
	p[25] = 0x01;
	p[39] = 0x25;
	return (40 + plen);
}

/* eth - an Ethernet header of a type; 14. */
static size_t
eth(uint8_t *p, unsigned type)
{
	memset(p, 0x02, 12);
	be16(p + 12, type);
	return (14);
}

/* v4frame - Ethernet, IPv4, TCP with data: the frame length. */
static size_t
v4frame(uint8_t *p, const char *data)
{
	size_t	n = strlen(data);

	eth(p, 0x0800);
	tcp(p + 34, 1000, DECODE_TH_PUSH | DECODE_TH_ACK, data, n);
	return (14 + ip4(p + 14, 6, 1, 0x4000, 20 + n));
}

/* payload_is - a TCP result with the given payload. */
static void
payload_is(int rc, const struct decoded *d, const char *want, const char *what)
{
	if (!ok(rc == DECODE_TCP, "%s: TCP", what)) {
		diag("result %d, why %s", rc, decode_why_name(d->why));
		return;
	}
	ok(d->paylen == strlen(want) && memcmp(d->payload, want,
	    d->paylen) == 0, "%s: payload", what);
}

/* test_literal - the typed-out SYN. */
static void
test_literal(void)
{
	struct decoded	d;
	int		rc;

	rc = decode_frame(NULL, DECODE_LT_EN10MB, syn_frame, sizeof(syn_frame),
	    sizeof(syn_frame), 0, &d);
	is_int(rc, DECODE_TCP, "SYN frame decodes");
	is_int(d.family, 4, "family 4");
	ok(memcmp(d.src, "\xc0\x00\x02\x01", 4) == 0 &&
	    memcmp(d.dst, "\xc6\x33\x64\x19", 4) == 0 && d.src[4] == 0,
	    "addresses 192.0.2.1 and 198.51.100.25, rest zero");
	is_int(d.sport, 40000, "source port");
	is_int(d.dport, 25, "destination port");
	is_int(d.seq, 1000, "sequence");
	is_int(d.flags, DECODE_TH_SYN, "flags");
	is_int(d.win, 65535, "window");
	ok(d.paylen == 0 && d.wirelen == 0 && !d.truncated, "no payload "
	    "(the MSS option skipped)");
	rc = decode_frame(NULL, DECODE_LT_EN10MB, syn_frame, 40,
	    sizeof(syn_frame), 0, &d);
	ok(rc == DECODE_TRUNCATED && d.why == DECODE_W_TRUNC_HEADER,
	    "cut inside the TCP header: truncated");
	rc = decode_frame(NULL, DECODE_LT_EN10MB, syn_frame, 40, 40, 0, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_IP4_LENGTH,
	    "the same bytes as the whole frame: bad length");
	rc = decode_frame(NULL, DECODE_LT_EN10MB, syn_frame, sizeof(syn_frame),
	    0xffffffffU, 0, &d);
	ok(rc == DECODE_TCP && d.wirelen == 0, "4 GB on the wire: the IP "
	    "length rules");
}

/* test_links - every link type of the table. */
static void
test_links(void)
{
	static const uint32_t	 af6[] = { 24, 28, 30 };
	struct decoded		 d;
	size_t			 n, l;
	int			 rc, i;

	n = v4frame(f, "EHLO x\r\n");
	payload_is(decode_frame(NULL, 1, f, n, n, 0, &d), &d, "EHLO x\r\n",
	    "Ethernet");
	memset(f + n, 0, 6);
	f[14 + 3] -= 8;			/* IP says 8 bytes fewer: padding */
	payload_is(decode_frame(NULL, 1, f, n + 6, n + 6, 0, &d), &d, "",
	    "padding is not payload");

	/* Total length 0: segmentation offload, unless minimum-sized. */
	n = v4frame(f, "offloaded segment");
	be16(f + 16, 0);
	rc = decode_frame(NULL, 1, f, n, n, 0, &d);
	payload_is(rc, &d, "offloaded segment", "IPv4 length 0 (TSO)");
	is_int(d.why, DECODE_W_IP4_TSO, "TSO noted");
	n = v4frame(f, "");
	be16(f + 16, 0);
	memset(f + n, 0, 6);
	is_int(decode_frame(NULL, 1, f, n + 6, n + 6, 0, &d), DECODE_BAD,
	    "IPv4 length 0 in a minimum frame: bad");

	/* IPv4 options: IHL 6 with four NOPs. */
	eth(f, 0x0800);
	tcp(f + 38, 1, DECODE_TH_ACK, "hi", 2);
	ip4(f + 14, 6, 1, 0, 24);
	f[14] = 0x46;
	be16(f + 16, 46);
	memset(f + 34, 1, 4);
	payload_is(decode_frame(NULL, 1, f, 60, 60, 0, &d), &d, "hi",
	    "IPv4 options");

	/* VLAN tags, one to five deep. */
	for (i = 1; i <= 5; i++) {
		memset(f, 0x02, 12);
		for (l = 0; l < (size_t)i; l++) {
			if (l == 0 && i > 1)
				be16(f + 12, i == 3 ? 0x9100 : 0x88a8);
			else
				be16(f + 12 + l * 4, 0x8100);
			be16(f + 14 + l * 4, (unsigned)(100 + l));
		}
		be16(f + 12 + (size_t)i * 4, 0x0800);
		tcp(f + 34 + i * 4, 1, DECODE_TH_ACK, "v", 1);
		n = 14 + (size_t)i * 4 + ip4(f + 14 + i * 4, 6, 1, 0, 21);
		rc = decode_frame(NULL, 1, f, n, n, 0, &d);
		if (i <= DECODE_VLAN_MAX)
			ok(rc == DECODE_TCP && d.vlans == (unsigned)i,
			    "%d VLAN tag(s)", i);
		else
			ok(rc == DECODE_BAD && d.why == DECODE_W_VLAN_DEPTH,
			    "%d VLAN tags: too deep", i);
	}

	/* 802.3 with LLC/SNAP carrying IPv4; ARP. */
	memset(f, 0x02, 12);
	be16(f + 12, 50);
	memcpy(f + 14, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	tcp(f + 42, 1, DECODE_TH_ACK, "snap", 4);
	n = 22 + ip4(f + 22, 6, 1, 0, 24);
	payload_is(decode_frame(NULL, 1, f, n, n, 0, &d), &d, "snap", "SNAP");
	eth(f, 0x0806);
	is_int(decode_frame(NULL, 1, f, 42, 42, 0, &d), DECODE_NOT_IP, "ARP");

	/* Linux cooked v1 and v2. */
	memset(f, 0, 16);
	be16(f + 14, 0x0800);
	tcp(f + 36, 1, DECODE_TH_ACK, "sll", 3);
	n = 16 + ip4(f + 16, 6, 1, 0, 23);
	payload_is(decode_frame(NULL, DECODE_LT_LINUX_SLL, f, n, n, 0, &d),
	    &d, "sll", "Linux cooked v1");
	be16(f + 14, 0x0004);
	is_int(decode_frame(NULL, DECODE_LT_LINUX_SLL, f, n, n, 0, &d),
	    DECODE_NOT_IP, "Linux cooked v1, 802.2");
	memset(f, 0, 20);
	be16(f, 0x86dd);
	tcp(f + 60, 1, DECODE_TH_ACK, "sll2", 4);
	n = 20 + ip6(f + 20, 6, 24);
	payload_is(decode_frame(NULL, DECODE_LT_LINUX_SLL2, f, n, n, 0, &d),
	    &d, "sll2", "Linux cooked v2, IPv6");
	ok(d.family == 6 && d.src[0] == 0x20 && d.src[15] == 1 &&
	    d.dst[15] == 0x25, "IPv6 addresses");

	/* BSD null in both byte orders, loop in network order. */
	memcpy(f, "\x02\0\0\0", 4);
	tcp(f + 24, 1, DECODE_TH_ACK, "null", 4);
	n = 4 + ip4(f + 4, 6, 1, 0, 24);
	payload_is(decode_frame(NULL, DECODE_LT_NULL, f, n, n, 0, &d), &d,
	    "null", "null, AF_INET little-endian");
	memcpy(f, "\0\0\0\x02", 4);
	payload_is(decode_frame(NULL, DECODE_LT_NULL, f, n, n, 0, &d), &d,
	    "null", "null, AF_INET big-endian");
	payload_is(decode_frame(NULL, DECODE_LT_LOOP, f, n, n, 0, &d), &d,
	    "null", "loop, AF_INET");
	tcp(f + 44, 1, DECODE_TH_ACK, "six", 3);
	n = 4 + ip6(f + 4, 6, 23);
	for (i = 0; i < 3; i++) {
		be32(f, af6[i]);
		payload_is(decode_frame(NULL, DECODE_LT_LOOP, f, n, n, 0, &d),
		    &d, "six", "loop, AF_INET6 (BSD value)");
		f[0] = (uint8_t)af6[i];
		f[3] = 0;
		payload_is(decode_frame(NULL, DECODE_LT_NULL, f, n, n, 0, &d),
		    &d, "six", "null, AF_INET6 little-endian");
	}
	memcpy(f, "\x07\0\0\0", 4);
	is_int(decode_frame(NULL, DECODE_LT_NULL, f, n, n, 0, &d),
	    DECODE_NOT_IP, "null, AF 7");

	/* Raw IP under every number; fixed IPv4 / IPv6. */
	n = ip4(f, 6, 1, 0, tcp(f + 20, 1, DECODE_TH_ACK, "raw", 3));
	payload_is(decode_frame(NULL, 12, f, n, n, 0, &d), &d, "raw", "DLT 12");
	payload_is(decode_frame(NULL, 14, f, n, n, 0, &d), &d, "raw", "DLT 14");
	payload_is(decode_frame(NULL, 101, f, n, n, 0, &d), &d, "raw",
	    "LINKTYPE_RAW");
	payload_is(decode_frame(NULL, 228, f, n, n, 0, &d), &d, "raw",
	    "DLT_IPV4");
	rc = decode_frame(NULL, 229, f, n, n, 0, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_IP_VERSION,
	    "IPv4 under DLT_IPV6: bad version");
	f[0] = 0x55;
	is_int(decode_frame(NULL, 101, f, n, n, 0, &d), DECODE_BAD,
	    "raw, version 5");
	is_int(decode_frame(NULL, 147, f, n, n, 0, &d), DECODE_UNSUPPORTED,
	    "DLT_USER0: unsupported");
	ok(!decode_link_supported(147) && decode_link_supported(276),
	    "decode_link_supported");
	is_str(decode_link_name(101), "RAW", "name of 101");
}

/* test_ip6 - extension headers. */
static void
test_ip6(void)
{
	static const uint8_t	chain[] = { 0, 60, 43, 51 };
	struct decoded		d;
	size_t			n, off;
	int			i, rc;

	off = 40;
	for (i = 0; i < 4; i++) {
		memset(f + off, 0, 24);
		f[off] = i < 3 ? chain[i + 1] : 6;
		f[off + 1] = chain[i] == 51 ? 4 : 0;	/* AH: 24 bytes */
		off += chain[i] == 51 ? 24 : 8;
	}
	off += tcp(f + off, 5, DECODE_TH_ACK, "ext", 3);
	n = ip6(f, 0, off - 40);
	payload_is(decode_frame(NULL, 229, f, n, n, 0, &d), &d, "ext",
	    "hop-by-hop, destination, routing, AH");
	f[6] = 50;
	rc = decode_frame(NULL, 229, f, n, n, 0, &d);
	ok(rc == DECODE_NOT_TCP && d.proto == 50, "ESP: not TCP");
	f[6] = 59;
	is_int(decode_frame(NULL, 229, f, n, n, 0, &d), DECODE_NOT_TCP,
	    "no next header");
	f[6] = 0;
	f[41] = 200;			/* hop-by-hop longer than the packet */
	rc = decode_frame(NULL, 229, f, n, n, 0, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_IP6_EXT, "extension header "
	    "past the end");
	for (i = 0; i < 17; i++) {
		memset(f + 40 + i * 8, 0, 8);
		f[40 + i * 8] = i < 16 ? 60 : 6;
	}
	n = ip6(f, 60, 17 * 8 + 20);
	rc = decode_frame(NULL, 229, f, n, n, 0, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_IP6_EXT, "17 headers: bad");
	n = ip6(f, 6, 0);
	rc = decode_frame(NULL, 229, f, n, n, 0, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_IP6_LENGTH, "payload length "
	    "0 (jumbogram): bad");
}

/* frag4 - an IPv4 fragment of datagram id at offset, l4 bytes from src. */
static size_t
frag4(uint16_t id, size_t off, bool mf, const uint8_t *src, size_t len)
{
	eth(f, 0x0800);
	memcpy(f + 34, src, len);
	return (14 + ip4(f + 14, 6, id, (uint16_t)(off / 8 | (mf ? 0x2000 : 0)),
	    len));
}

/* test_frag - IPv4 and IPv6 reassembly. */
static void
test_frag(void)
{
	const struct decode_stats	*st;
	struct decode			*dc = decode_new();
	struct decoded			 d;
	uint8_t				 dg[64], alt[64];
	size_t				 n;
	int				 rc, i;

	tcp(dg, 1, DECODE_TH_ACK, "0123456789abcdefghij", 20); /* 40 bytes */
	memcpy(alt, dg, sizeof(dg));
	memset(alt + 20, 'X', 20);
	st = decode_stats(dc);

	n = frag4(7, 24, false, dg + 24, 16);
	is_int(decode_frame(dc, 1, f, n, n, 10, &d), DECODE_HELD,
	    "last piece first: held");
	n = frag4(7, 0, true, dg, 24);
	rc = decode_frame(dc, 1, f, n, n, 10, &d);
	payload_is(rc, &d, "0123456789abcdefghij", "two pieces, reordered");
	ok(d.reassembled && d.seq == 1, "reassembled, TCP header whole");
	ok(st->fragments == 2 && st->reassembled == 1, "counted");

	n = frag4(8, 0, true, dg, 24);
	decode_frame(dc, 1, f, n, n, 10, &d);
	n = frag4(8, 0, true, alt, 24);
	is_int(decode_frame(dc, 1, f, n, n, 10, &d), DECODE_HELD,
	    "the same piece again, other bytes");
	n = frag4(8, 24, false, alt + 24, 16);
	rc = decode_frame(dc, 1, f, n, n, 10, &d);
	ok(rc == DECODE_TCP && memcmp(d.payload, "0123XXXXXXXXXXXXXXXX", 20) ==
	    0, "overlap: the first copy of bytes 0-23 kept");
	is_int(st->anomaly[DECODE_W_FRAG_OVERLAP], 1, "overlap counted");

	n = frag4(9, 0, true, dg, 20);
	rc = decode_frame(dc, 1, f, n, n, 10, &d);
	ok(rc == DECODE_BAD && d.why == DECODE_W_FRAG_BAD, "20-byte middle "
	    "piece: not a multiple of 8");
	n = frag4(10, 65528, false, dg, 16);
	is_int(decode_frame(dc, 1, f, n, n, 10, &d), DECODE_BAD,
	    "piece beyond 65535");
	n = frag4(11, 0, true, dg, 24);
	is_int(decode_frame(dc, 1, f, n - 4, n, 10, &d), DECODE_TRUNCATED,
	    "piece cut by the snapshot length");
	n = frag4(11, 24, false, dg + 24, 16);
	is_int(decode_frame(dc, 1, f, n, n, 10, &d), DECODE_HELD,
	    "the rest of a failed datagram: swallowed");
	n = frag4(12, 0, true, dg, 24);
	f[23] = 17;
	is_int(decode_frame(dc, 1, f, n, n, 10, &d), DECODE_NOT_TCP,
	    "UDP pieces are not kept");
	n = frag4(13, 0, true, dg, 24);
	decode_frame(dc, 1, f, n, n, 10, &d);
	n = frag4(14, 0, true, dg, 24);
	decode_frame(dc, 1, f, n, n, 100, &d);
	ok(st->anomaly[DECODE_W_FRAG_TIMEOUT] >= 1, "a datagram 90 s old "
	    "times out");
	for (i = 0; i < DECODE_FRAG_SLOTS + 1; i++) {
		n = frag4((uint16_t)(100 + i), 0, true, dg, 24);
		decode_frame(dc, 1, f, n, n, 100, &d);
	}
	ok(st->anomaly[DECODE_W_FRAG_EVICTED] >= 1, "slots full: the oldest "
	    "gives way");
	decode_flush(dc);
	is_int(st->failed, st->anomaly[DECODE_W_FRAG_BAD] +
	    st->anomaly[DECODE_W_FRAG_TRUNC] +
	    st->anomaly[DECODE_W_FRAG_TIMEOUT] +
	    st->anomaly[DECODE_W_FRAG_EVICTED], "every failure has a reason");
	n = frag4(7, 0, true, dg, 24);
	is_int(decode_frame(NULL, 1, f, n, n, 0, &d), DECODE_HELD,
	    "no decoder: pieces are not reassembled");

	/* IPv6: fragment header, two pieces, then an atomic fragment. */
	memset(f, 0, 8);
	f[0] = 6;
	be16(f + 2, 0 | 1);
	be32(f + 4, 0xabcd);
	memcpy(f + 8, dg, 24);
	memmove(f + 40, f, 32);
	n = ip6(f, 44, 32);
	is_int(decode_frame(dc, 229, f, n, n, 10, &d), DECODE_HELD,
	    "IPv6 first piece held");
	memset(f + 40, 0, 8);
	f[40] = 6;
	be16(f + 42, 24);
	be32(f + 44, 0xabcd);
	memcpy(f + 48, dg + 24, 16);
	n = ip6(f, 44, 24);
	payload_is(decode_frame(dc, 229, f, n, n, 10, &d), &d,
	    "0123456789abcdefghij", "IPv6 fragments");
	be16(f + 42, 0);
	memcpy(f + 48, dg, 40);
	n = ip6(f, 44, 48);
	payload_is(decode_frame(dc, 229, f, n, n, 10, &d), &d,
	    "0123456789abcdefghij", "IPv6 atomic fragment");
	decode_free(dc);
}

/* test_random - random bytes under every link type stay in bounds. */
static void
test_random(void)
{
	static const int	 lts[] = { 0, 1, 12, 14, 101, 108, 113, 228,
	    229, 276 };
	struct decode		*dc = decode_new();
	struct decoded		 d;
	uint32_t		 x = 12345;
	size_t			 n, i, bad = 0;
	int			 k, rc;

	for (k = 0; k < 200000; k++) {
		n = (x = x * 1103515245 + 12345) >> 16 & 0x7f;
		for (i = 0; i < n; i++)
			f[i] = (uint8_t)((x = x * 1103515245 + 12345) >> 16);
		if (n > 14 && k % 3 == 0) {	/* mostly IPv4 or IPv6 */
			be16(f + 12, k % 2 ? 0x0800 : 0x86dd);
			f[14] = k % 2 ? 0x45 : 0x60;
		}
		rc = decode_frame(dc, lts[k % 10], f, n, n + (size_t)(k % 7),
		    k / 1000, &d);
		if (rc < DECODE_TCP || rc > DECODE_UNSUPPORTED)
			bad++;
		if (rc == DECODE_TCP && !d.reassembled &&
		    (d.payload < f || d.payload + d.paylen > f + n))
			bad++;
		if (rc == DECODE_TCP && d.paylen > d.wirelen)
			bad++;
	}
	is_int(bad, 0, "200000 random frames: results in range, in bounds");
	decode_free(dc);
}

int
main(void)
{
	test_literal();
	test_links();
	test_ip6();
	test_frag();
	test_random();
	return (done_testing());
}
