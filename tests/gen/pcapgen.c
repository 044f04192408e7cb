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
 * pcapgen: synthetic captures of SMTP conversations, for the shapes a
 * real TCP stack on loopback will not produce (reordering, overlaps,
 * holes, VLAN tags, fragments, odd link types, damage).
 *
 *	pcapgen -d DIR			every scenario into DIR
 *	pcapgen -l			list the scenarios
 *	pcapgen NAME FILE		one scenario
 *	pcapgen --bench N FILE		N sessions (about 12.8 KB each), 64
 *					at a time, 100 us a packet, for
 *					benchmarks
 *	pcapgen --longline MIB FILE	a session with a MIB MiB line
 *	pcapgen --rcpts N FILE		a transaction of N recipients
 *					(both in hostile.c)
 *
 * The output is a pure function of the arguments: times start at
 * 2026-12-01 00:00:00 UTC and advance 1 ms a packet, sequence numbers
 * are fixed, checksums are correct.  The expected result of every
 * scenario is worked out in tests/data/pcap/README.md.
 */

#include "config.h"

#include <arpa/inet.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define GEN_T0		1796083200LL	/* 2026-12-01T00:00:00Z */

/* put16 - big-endian 16 bits. */
static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* put32 - big-endian 32 bits. */
static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* putle32 - little-endian 32 bits. */
static void
putle32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* out_write - bytes to the file, plain or gzip. */
static void
out_write(struct gen_out *o, const void *p, size_t n)
{
	if (o->gz != NULL) {
		if (n > 0 && gzwrite(o->gz, p, (unsigned)n) != (int)n)
			errx(1, "gzwrite failed");
	} else if (fwrite(p, 1, n, o->fp) != n)
		err(1, "write");
	o->bytes += n;
}

/* out_u32 - 32 bits in the file's byte order. */
static void
out_u32(struct gen_out *o, uint32_t v)
{
	uint8_t	b[4];

	if (o->fmt == GEN_PCAP_BE_NS)
		put32(b, v);
	else
		putle32(b, v);
	out_write(o, b, 4);
}

/* out_u16 - 16 bits in the file's byte order. */
static void
out_u16(struct gen_out *o, uint16_t v)
{
	uint8_t	b[2];

	if (o->fmt == GEN_PCAP_BE_NS)
		put16(b, v);
	else {
		b[0] = v & 0xff;
		b[1] = v >> 8;
	}
	out_write(o, b, 2);
}

/*
 * gen_open - start a capture file (".gz" names are compressed).  For
 * pcap, linktype and snaplen go in the file header; for pcapng an IDB is
 * written for linktype unless it is negative.
 */
void
gen_open(struct gen_out *o, const char *path, enum gen_fmt fmt, int linktype,
    uint32_t snaplen)
{
	size_t	n = strlen(path);

	memset(o, 0, sizeof(*o));
	o->fmt = fmt;
	o->snaplen = snaplen;
	o->t_ns = GEN_T0 * 1000000000LL;
	o->step_ns = 1000000;
	if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
		if ((o->gz = gzopen(path, "wb9")) == NULL)
			err(1, "%s", path);
	} else {
		if ((o->fp = fopen(path, "wb")) == NULL)
			err(1, "%s", path);
		(void)setvbuf(o->fp, NULL, _IOFBF, 1 << 20);
	}
	if (fmt == GEN_PCAPNG) {
		out_u32(o, 0x0a0d0d0a);
		out_u32(o, 28);
		out_u32(o, 0x1a2b3c4d);
		out_u16(o, 1);
		out_u16(o, 0);
		out_u32(o, 0xffffffff);		/* section length unknown */
		out_u32(o, 0xffffffff);
		out_u32(o, 28);
		if (linktype >= 0)
			gen_idb(o, linktype, snaplen, 6);
		return;
	}
	out_u32(o, fmt == GEN_PCAP_BE_NS ? 0xa1b23c4d : 0xa1b2c3d4);
	out_u16(o, 2);
	out_u16(o, 4);
	out_u32(o, 0);
	out_u32(o, 0);
	out_u32(o, snaplen);
	out_u32(o, (uint32_t)linktype);
}

/* gen_idb - a pcapng interface; tsresol 6 (us) or 9 (ns). */
void
gen_idb(struct gen_out *o, int linktype, uint32_t snaplen, uint8_t tsresol)
{
	uint8_t	opt[8] = { 9, 0, 1, 0, tsresol, 0, 0, 0 };

	if (o->nif == GEN_IF_MAX)
		errx(1, "too many interfaces");
	o->if_tsresol[o->nif++] = tsresol;
	out_u32(o, 1);
	out_u32(o, 20 + 8 + 4);
	out_u16(o, (uint16_t)linktype);
	out_u16(o, 0);
	out_u32(o, snaplen);
	out_write(o, opt, sizeof(opt));	/* if_tsresol, then opt_endofopt */
	out_u32(o, 0);
	out_u32(o, 20 + 8 + 4);
}

/*
 * gen_record - one record of caplen bytes claiming wirelen on the wire,
 * at the current time, which then advances.
 */
void
gen_record(struct gen_out *o, unsigned ifid, const uint8_t *p, size_t caplen,
    size_t wirelen)
{
	static const uint8_t	 zero[4];
	uint64_t		 t = (uint64_t)o->t_ns, ticks;
	size_t			 pad = (4 - caplen % 4) % 4;

	o->last_off = o->bytes;
	if (o->fmt == GEN_PCAPNG) {
		ticks = o->if_tsresol[ifid] == 9 ? t : t / 1000;
		out_u32(o, 6);
		out_u32(o, (uint32_t)(32 + caplen + pad));
		out_u32(o, ifid);
		out_u32(o, (uint32_t)(ticks >> 32));
		out_u32(o, (uint32_t)ticks);
		out_u32(o, (uint32_t)caplen);
		out_u32(o, (uint32_t)wirelen);
		out_write(o, p, caplen);
		out_write(o, zero, pad);
		out_u32(o, (uint32_t)(32 + caplen + pad));
	} else {
		out_u32(o, (uint32_t)(t / 1000000000));
		out_u32(o, (uint32_t)(o->fmt == GEN_PCAP_BE_NS ?
		    t % 1000000000 : t % 1000000000 / 1000));
		out_u32(o, (uint32_t)caplen);
		out_u32(o, (uint32_t)wirelen);
		out_write(o, p, caplen);
	}
	o->npackets++;
	o->t_ns += o->step_ns;
}

/* gen_close - finish the file. */
void
gen_close(struct gen_out *o)
{
	if (o->gz != NULL) {
		if (gzclose(o->gz) != Z_OK)
			errx(1, "gzclose failed");
	} else if (fclose(o->fp) != 0)
		err(1, "close");
}

/* gen_conv_init - a conversation between two addresses (text form). */
void
gen_conv_init(struct gen_conv *c, int family, const char *cip, uint16_t cport,
    const char *sip, uint16_t sport, uint32_t cisn, uint32_t sisn,
    enum gen_link link)
{
	int	af = family == 6 ? AF_INET6 : AF_INET;

	memset(c, 0, sizeof(*c));
	c->family = family;
	if (inet_pton(af, cip, c->ip[C2S]) != 1 ||
	    inet_pton(af, sip, c->ip[S2C]) != 1)
		errx(1, "bad address %s or %s", cip, sip);
	c->port[C2S] = cport;
	c->port[S2C] = sport;
	c->seq[C2S] = cisn;
	c->seq[S2C] = sisn;
	c->ipid = (uint16_t)(cisn ^ sisn);
	c->link = link;
	c->af6 = 24;
}

/* cksum_add - add bytes to a ones' complement sum. */
static uint32_t
cksum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return (sum);
}

/* cksum_fold - fold and complement. */
static uint16_t
cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/* gen_ext6 - write one IPv6 extension header; its length. */
static size_t
gen_ext6(uint8_t *p, uint8_t type, uint8_t next)
{
	memset(p, 0, 24);
	p[0] = next;
	switch (type) {
	case 51:			/* AH with a 12-byte ICV */
		p[1] = 4;
		put32(p + 4, 0x100);	/* SPI */
		put32(p + 8, 1);
		return (24);
	case 43:			/* routing, type 253, none left */
		p[2] = 253;
		return (8);
	default:			/* hop-by-hop, destination: PadN */
		p[2] = 1;
		p[3] = 4;
		return (8);
	}
}

/* gen_prepare_at - a segment with explicit sequence numbers. */
void
gen_prepare_at(struct gen_conv *c, int dir, uint8_t flags, uint32_t seq,
    uint32_t ack, const void *data, size_t len, struct gen_pkt *pk)
{
	uint8_t		*ip = pk->l3, *th;
	size_t		 ihl, thl = (flags & TH_SYN) ? 24 : 20, i;
	uint32_t	 sum;
	uint8_t		 nh;

	pk->dir = dir;
	if (c->family == 4) {
		ihl = 20;
		memset(ip, 0, ihl);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(ihl + thl + len));
		put16(ip + 4, c->ipid++);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, c->ip[dir], 4);
		memcpy(ip + 16, c->ip[!dir], 4);
		put16(ip + 10, cksum_fold(cksum_add(0, ip, ihl)));
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[7] = 64;
		memcpy(ip + 8, c->ip[dir], 16);
		memcpy(ip + 24, c->ip[!dir], 16);
		ihl = 40;
		nh = c->next[dir] > 0 ? c->ext[dir][0] : 6;
		ip[6] = nh;
		for (i = 0; i < c->next[dir]; i++)
			ihl += gen_ext6(ip + ihl, c->ext[dir][i],
			    i + 1 < c->next[dir] ? c->ext[dir][i + 1] : 6);
		put16(ip + 4, (uint16_t)(ihl - 40 + thl + len));
	}
	th = ip + ihl;
	memset(th, 0, thl);
	put16(th, c->port[dir]);
	put16(th + 2, c->port[!dir]);
	put32(th + 4, seq);
	put32(th + 8, (flags & TH_ACK) ? ack : 0);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	put16(th + 14, 65535);
	if (thl == 24) {		/* MSS 1460 */
		th[20] = 2;
		th[21] = 4;
		put16(th + 22, 1460);
	}
	if (len > 0)
		memcpy(th + thl, data, len);
	if (c->family == 4)
		sum = cksum_add(0, ip + 12, 8);
	else
		sum = cksum_add(0, ip + 8, 32);
	sum += 6 + (uint32_t)(thl + len);
	put16(th + 16, cksum_fold(cksum_add(sum, th, thl + len)));
	pk->l3len = ihl + thl + len;
}

/* gen_prepare - the next segment of a direction; sequence advances. */
void
gen_prepare(struct gen_conv *c, int dir, uint8_t flags, const void *data,
    size_t len, struct gen_pkt *pk)
{
	gen_prepare_at(c, dir, flags, c->seq[dir], c->seq[!dir], data, len,
	    pk);
	c->seq[dir] += (uint32_t)len + ((flags & TH_SYN) ? 1 : 0) +
	    ((flags & TH_FIN) ? 1 : 0);
}

/* gen_link_hdr - the link header for a datagram; its length. */
static size_t
gen_link_hdr(const struct gen_conv *c, int dir, int family, uint8_t *f)
{
	uint16_t	type = family == 6 ? 0x86dd : 0x0800;
	uint32_t	af = family == 6 ? c->af6 : 2;
	size_t		n = 0, i;

	switch (c->link) {
	case GEN_ETH:
		memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
		memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
		f[5] = (uint8_t)(2 - dir);
		f[11] = (uint8_t)(1 + dir);
		n = 12;
		for (i = 0; i < c->nvlan; i++, n += 4) {
			put16(f + n, c->vlan_tpid[i]);
			put16(f + n + 2, c->vlan_id[i]);
		}
		put16(f + n, type);
		return (n + 2);
	case GEN_SLL:
		memset(f, 0, 16);
		put16(f, dir == C2S ? 0 : 4);
		put16(f + 2, 1);
		put16(f + 4, 6);
		memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
		f[11] = (uint8_t)(1 + dir);
		put16(f + 14, type);
		return (16);
	case GEN_SLL2:
		memset(f, 0, 20);
		put16(f, type);
		put32(f + 4, 2);
		put16(f + 8, 1);
		f[10] = dir == C2S ? 0 : 4;
		f[11] = 6;
		memcpy(f + 12, "\x02\x00\x00\x00\x00\x01", 6);
		f[17] = (uint8_t)(1 + dir);
		return (20);
	case GEN_NULL:
		putle32(f, af);
		return (4);
	case GEN_LOOP:
		put32(f, af);
		return (4);
	default:
		return (0);
	}
}

/* gen_emit_l3 - wrap a datagram in the conversation's link and write it. */
void
gen_emit_l3(struct gen_out *o, const struct gen_conv *c, int dir,
    const uint8_t *l3, size_t l3len)
{
	static uint8_t	frame[GEN_FRAME_MAX + 64];
	size_t		n, cap;

	n = gen_link_hdr(c, dir, l3[0] >> 4 == 6 ? 6 : 4, frame);
	memcpy(frame + n, l3, l3len);
	n += l3len;
	cap = o->snaplen != 0 && n > o->snaplen ? o->snaplen : n;
	gen_record(o, c->ifid, frame, cap, n);
}

/* gen_emit - write a prepared segment. */
void
gen_emit(struct gen_out *o, const struct gen_conv *c, const struct gen_pkt *pk)
{
	gen_emit_l3(o, c, pk->dir, pk->l3, pk->l3len);
}

/* gen_send - prepare and write the next segment of a direction. */
void
gen_send(struct gen_out *o, struct gen_conv *c, int dir, uint8_t flags,
    const char *data)
{
	static struct gen_pkt	pk;

	gen_prepare(c, dir, flags, data, data == NULL ? 0 : strlen(data), &pk);
	gen_emit(o, c, &pk);
}

/* gen_open_conv - the three-way handshake. */
void
gen_open_conv(struct gen_out *o, struct gen_conv *c)
{
	gen_send(o, c, C2S, TH_SYN, NULL);
	gen_send(o, c, S2C, TH_SYN | TH_ACK, NULL);
	gen_send(o, c, C2S, TH_ACK, NULL);
}

/* gen_close_conv - FIN from the client, FIN from the server, last ACK. */
void
gen_close_conv(struct gen_out *o, struct gen_conv *c)
{
	gen_send(o, c, C2S, TH_FIN | TH_ACK, NULL);
	gen_send(o, c, S2C, TH_FIN | TH_ACK, NULL);
	gen_send(o, c, C2S, TH_ACK, NULL);
}

/* gen_smtp - lines alternately from the server and the client, NULL-ended. */
void
gen_smtp(struct gen_out *o, struct gen_conv *c, const char *const *lines)
{
	int	i;

	for (i = 0; lines[i] != NULL; i++)
		gen_send(o, c, i % 2 == 0 ? S2C : C2S, TH_PUSH | TH_ACK,
		    lines[i]);
}

/*
 * gen_frag4 - write an IPv4 datagram as fragments of at most size payload
 * bytes (a multiple of 8), in the order given (indexes of fragments).
 */
void
gen_frag4(struct gen_out *o, const struct gen_conv *c, const struct gen_pkt *pk,
    size_t size, const int *order, int n)
{
	uint8_t		f[GEN_FRAME_MAX];
	size_t		ihl = 20, plen = pk->l3len - ihl, off, len;
	int		i;

	for (i = 0; i < n; i++) {
		off = (size_t)order[i] * size;
		if (off >= plen)
			errx(1, "fragment %d beyond the datagram", order[i]);
		len = plen - off > size ? size : plen - off;
		memcpy(f, pk->l3, ihl);
		memcpy(f + ihl, pk->l3 + ihl + off, len);
		put16(f + 2, (uint16_t)(ihl + len));
		put16(f + 6, (uint16_t)((off / 8) |
		    (off + len < plen ? 0x2000 : 0)));
		put16(f + 10, 0);
		put16(f + 10, cksum_fold(cksum_add(0, f, ihl)));
		gen_emit_l3(o, c, pk->dir, f, ihl + len);
	}
}

/*
 * gen_frag6 - write an IPv6 datagram (built without extension headers)
 * as fragments after a fragment header, as gen_frag4.
 */
void
gen_frag6(struct gen_out *o, const struct gen_conv *c, const struct gen_pkt *pk,
    size_t size, const int *order, int n)
{
	uint8_t		f[GEN_FRAME_MAX];
	size_t		plen = pk->l3len - 40, off, len;
	int		i;

	for (i = 0; i < n; i++) {
		off = (size_t)order[i] * size;
		if (off >= plen)
			errx(1, "fragment %d beyond the datagram", order[i]);
		len = plen - off > size ? size : plen - off;
		memcpy(f, pk->l3, 40);
		f[6] = 44;
		memset(f + 40, 0, 8);
		f[40] = pk->l3[6];
		put16(f + 42, (uint16_t)(off | (off + len < plen ? 1 : 0)));
		put32(f + 44, 0xcafe0001);
		memcpy(f + 48, pk->l3 + 40 + off, len);
		put16(f + 4, (uint16_t)(8 + len));
		gen_emit_l3(o, c, pk->dir, f, 48 + len);
	}
}

#define BENCH_SLOTS	64
#define BENCH_MSS	1448

struct bench_sess {
	struct gen_conv	 c;
	int		 step;
	size_t		 body_off;
	unsigned	 chunks;
	bool		 active;
};

static const char *const bench_lines[] = {
	"220 mx.example.net ESMTP Postfix\r\n",
	"EHLO client.example.org\r\n",
	"250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 CHUNKING\r\n",
	"MAIL FROM:<bulk@example.org> SIZE=10500\r\n",
	"250 2.1.0 Ok\r\n",
	"RCPT TO:<victim1@example.com>\r\n",
	"250 2.1.5 Ok\r\n",
	"RCPT TO:<victim2@example.net>\r\n",
	"250 2.1.5 Ok\r\n",
	"DATA\r\n",
	"354 End data with <CR><LF>.<CR><LF>\r\n",
};

static char	bench_body[10 * 1024 + 512];
static size_t	bench_body_len;

/* bench_body_make - one message of about 10 KB, dot-terminated. */
static void
bench_body_make(void)
{
	static const char	hdr[] = "From: <bulk@example.org>\r\n"
	    "To: <victim1@example.com>\r\nSubject: benchmark\r\n"
	    "Message-ID: <bench@example.org>\r\n\r\n";
	size_t			n, i;

	memcpy(bench_body, hdr, sizeof(hdr) - 1);
	n = sizeof(hdr) - 1;
	while (n < 10 * 1024) {
		for (i = 0; i < 76; i++)
			bench_body[n + i] = (char)('a' + (n + i) % 26);
		n += 76;
		bench_body[n++] = '\r';
		bench_body[n++] = '\n';
	}
	memcpy(bench_body + n, ".\r\n", 3);
	bench_body_len = n + 3;
}

/* bench_start - session number id in a slot. */
static void
bench_start(struct bench_sess *b, unsigned long id)
{
	char		cip[32];
	uint32_t	h = (uint32_t)(id * 2654435761UL);

	/* Clients from all over the address space, as spam comes. */
	snprintf(cip, sizeof(cip), "%u.%u.%u.%u", 1 + (h >> 24) % 223,
	    (h >> 16) & 0xff, (h >> 8) & 0xff, 1 + (unsigned)(id % 254));
	gen_conv_init(&b->c, 4, cip, (uint16_t)(1024 + id % 64000),
	    "192.0.2.25", 25, (uint32_t)(id * 2654435761UL),
	    (uint32_t)(id * 40503UL + 7), GEN_ETH);
	b->step = 0;
	b->body_off = 0;
	b->chunks = 0;
	b->active = true;
}

/* bench_step - write the session's next packet; false when it is done. */
static bool
bench_step(struct gen_out *o, struct bench_sess *b)
{
	static struct gen_pkt	 pk;
	struct gen_conv		*c = &b->c;
	size_t			 n;

	switch (b->step) {
	case 0:
		gen_send(o, c, C2S, TH_SYN, NULL);
		break;
	case 1:
		gen_send(o, c, S2C, TH_SYN | TH_ACK, NULL);
		break;
	case 2:
		gen_send(o, c, C2S, TH_ACK, NULL);
		break;
	case 14:
		n = bench_body_len - b->body_off;
		if (n > BENCH_MSS)
			n = BENCH_MSS;
		gen_prepare(c, C2S, TH_ACK, bench_body + b->body_off, n, &pk);
		gen_emit(o, c, &pk);
		b->body_off += n;
		if (b->body_off < bench_body_len) {
			if (++b->chunks % 2 == 0)
				b->step = 15;
			return (true);
		}
		b->step = 16;
		return (true);
	case 15:
		gen_send(o, c, S2C, TH_ACK, NULL);
		b->step = 14;
		return (true);
	case 16:
		gen_send(o, c, S2C, TH_PUSH | TH_ACK,
		    "250 2.0.0 Ok: queued as 4dQ1x23Zz9\r\n");
		break;
	case 17:
		gen_send(o, c, C2S, TH_PUSH | TH_ACK, "QUIT\r\n");
		break;
	case 18:
		gen_send(o, c, S2C, TH_PUSH | TH_ACK, "221 2.0.0 Bye\r\n");
		break;
	case 19:
		gen_send(o, c, C2S, TH_FIN | TH_ACK, NULL);
		break;
	case 20:
		gen_send(o, c, S2C, TH_FIN | TH_ACK, NULL);
		break;
	case 21:
		gen_send(o, c, C2S, TH_ACK, NULL);
		return (false);
	default:
		gen_send(o, c, (b->step - 3) % 2 == 0 ? S2C : C2S,
		    TH_PUSH | TH_ACK, bench_lines[b->step - 3]);
		break;
	}
	b->step++;
	return (true);
}

/*
 * gen_bench - n sessions, BENCH_SLOTS open at a time, each with a 10 KB
 * message in full-sized segments: an Ethernet pcap for benchmarks.
 */
void
gen_bench(const char *path, unsigned long n)
{
	static struct bench_sess	 slot[BENCH_SLOTS];
	struct gen_out			 o;
	unsigned long			 started = 0;
	int				 i, active;

	bench_body_make();
	gen_open(&o, path, GEN_PCAP, GEN_ETH, 262144);
	o.step_ns = 100000;
	do {
		active = 0;
		for (i = 0; i < BENCH_SLOTS; i++) {
			if (!slot[i].active) {
				if (started == n)
					continue;
				bench_start(&slot[i], ++started);
			}
			active++;
			if (!bench_step(&o, &slot[i]))
				slot[i].active = false;
		}
	} while (active > 0);
	gen_close(&o);
	fprintf(stderr, "%s: %lu sessions, %llu packets, %llu bytes\n", path,
	    n, (unsigned long long)o.npackets, (unsigned long long)o.bytes);
}

/* usage - how to run pcapgen. */
static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: pcapgen -d dir\n"
	    "       pcapgen -l\n"
	    "       pcapgen name file\n"
	    "       pcapgen --bench sessions file\n"
	    "       pcapgen --longline mib file\n"
	    "       pcapgen --rcpts n file\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const struct gen_scenario	*s;
	char				*path, *end;
	unsigned long			 n;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (s = gen_scenarios; s->file != NULL; s++)
			printf("%s\n", s->file);
		return (0);
	}
	if (argc == 3 && strcmp(argv[1], "-d") == 0) {
		for (s = gen_scenarios; s->file != NULL; s++) {
			if (asprintf(&path, "%s/%s", argv[2], s->file) == -1)
				err(1, "asprintf");
			s->fn(path);
			free(path);
		}
		return (0);
	}
	if (argc == 4 && strcmp(argv[1], "--bench") == 0) {
		n = strtoul(argv[2], &end, 10);
		if (*end != '\0' || n == 0)
			usage();
		gen_bench(argv[3], n);
		return (0);
	}
	if (argc == 4 && (strcmp(argv[1], "--longline") == 0 ||
	    strcmp(argv[1], "--rcpts") == 0)) {
		n = strtoul(argv[2], &end, 10);
		if (*end != '\0' || n == 0)
			usage();
		if (argv[1][2] == 'l')
			gen_hostile_longline(argv[3], n);
		else
			gen_hostile_rcpts(argv[3], n);
		return (0);
	}
	if (argc != 3)
		usage();
	for (s = gen_scenarios; s->file != NULL; s++)
		if (strcmp(s->file, argv[1]) == 0) {
			s->fn(argv[2]);
			return (0);
		}
	errx(2, "%s: no such scenario (pcapgen -l)", argv[1]);
}
