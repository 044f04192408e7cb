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
 * Frame decoding: link header (dlt_table[]), IPv4 or IPv6, TCP.
 *
 * Input is hostile: any bytes, with a captured length and a claimed wire
 * length.  Every field is fetched through a cursor that knows both how
 * many bytes were captured and how many were on the wire, so a header
 * that runs past the captured bytes is told apart: DECODE_TRUNCATED when
 * the wire had it (the snapshot length cut it), DECODE_BAD when even the
 * wire did not (garbage).  IP lengths, not the frame length, bound the
 * TCP payload, so Ethernet padding never becomes data.  Checksums are not
 * verified: captures taken on the sending host carry offloaded, unfilled
 * checksums.
 *
 * Link types: Ethernet with up to DECODE_VLAN_MAX 802.1Q / 802.1ad
 * (0x88a8) / 0x9100 / 0x9200 tags and LLC/SNAP, Linux cooked v1 and v2,
 * raw IP (sniffed by version, or fixed IPv4 / IPv6), BSD null and loop
 * (the address family in either byte order; AF_INET6 is 24, 28 or 30
 * depending on the BSD).
 *
 * IPv4 options are skipped; a total length of 0 in a frame above the
 * minimum size is taken as segmentation offload and the frame's length
 * used (counted as "ipv4-length-zero-tso").  IPv6 extension headers
 * (hop-by-hop, routing, destination options, mobility, HIP, shim6, AH)
 * are followed up to DECODE_EXT_MAX; ESP and "no next header" end the
 * walk as not TCP.
 *
 * Fragments of TCP datagrams (IPv4, and the IPv6 fragment header) are
 * reassembled in DECODE_FRAG_SLOTS slots keyed by family, addresses, id
 * and protocol, in 8-byte units tracked by a bitmap.  Overlaps keep the
 * first copy and are counted; a datagram not completed within
 * DECODE_FRAG_TIMEOUT seconds of capture time, pushed out by the slot or
 * DECODE_FRAG_MEMCAP limit, or with a fragment cut by the snapshot length
 * is given up and counted as failed.  A reassembled payload lives in the
 * cache until the next call.
 */

#include "config.h"

#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define ETHERTYPE_IP		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD1	0x9100
#define ETHERTYPE_QINQ_OLD2	0x9200

#define IPPROTO_TCP_		6
#define FRAG_DATA_MAX		65535
#define FRAG_UNITS		((FRAG_DATA_MAX + 8) / 8)
#define FRAG_ALLOC_STEP		4096

/* Captured bytes left, and bytes left on the wire (never fewer). */
struct cur {
	const uint8_t	*p;
	size_t		 len;
	size_t		 wire;
};

struct decode_frag {
	bool		 used;
	bool		 failed;
	bool		 have_last;
	int		 family;
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint32_t	 id;
	uint8_t		 proto;
	int64_t		 first;		/* capture second of its first piece */
	uint64_t	 age;		/* creation order, for eviction */
	size_t		 total;		/* with have_last: datagram length */
	size_t		 units;		/* 8-byte units present */
	size_t		 maxend;	/* highest end seen */
	uint8_t		*data;
	size_t		 cap;
	uint32_t	 have[(FRAG_UNITS + 31) / 32];
};

struct decode {
	struct decode_stats	 stats;
	struct decode_frag	 frag[DECODE_FRAG_SLOTS];
	size_t			 frag_mem;
	uint64_t		 frag_age;
	int			 release;	/* slot to free at next call */
};

typedef int (*decode_link_fn)(struct decode *, struct cur *, int64_t,
    struct decoded *);

static int	decode_null(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_ether(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_sll(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_sll2(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_raw(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_ip4(struct decode *, struct cur *, int64_t,
		    struct decoded *);
static int	decode_ip6(struct decode *, struct cur *, int64_t,
		    struct decoded *);

static const struct {
	int		 lt;
	const char	*name;
	decode_link_fn	 fn;
} dlt_table[] = {
	{ DECODE_LT_NULL,		"NULL",		decode_null },
	{ DECODE_LT_EN10MB,		"EN10MB",	decode_ether },
	{ DECODE_LT_RAW,		"RAW",		decode_raw },
	{ DECODE_LT_RAW_OPENBSD,	"RAW",		decode_raw },
	{ DECODE_LT_LINKTYPE_RAW,	"RAW",		decode_raw },
	{ DECODE_LT_LOOP,		"LOOP",		decode_null },
	{ DECODE_LT_LINUX_SLL,		"LINUX_SLL",	decode_sll },
	{ DECODE_LT_IPV4,		"IPV4",		decode_ip4 },
	{ DECODE_LT_IPV6,		"IPV6",		decode_ip6 },
	{ DECODE_LT_LINUX_SLL2,		"LINUX_SLL2",	decode_sll2 },
	{ -1,				NULL,		NULL }
};

static const char *why_names[DECODE_W__MAX] = {
	[DECODE_W_NONE] = "none",
	[DECODE_W_LINK_SHORT] = "link-header-short",
	[DECODE_W_VLAN_DEPTH] = "vlan-too-deep",
	[DECODE_W_IP_VERSION] = "ip-version-mismatch",
	[DECODE_W_IP4_HEADER] = "ipv4-bad-header",
	[DECODE_W_IP4_LENGTH] = "ipv4-bad-length",
	[DECODE_W_IP6_LENGTH] = "ipv6-bad-length",
	[DECODE_W_IP6_EXT] = "ipv6-bad-extension-header",
	[DECODE_W_TCP_HEADER] = "tcp-bad-header",
	[DECODE_W_TRUNC_HEADER] = "truncated-header",
	[DECODE_W_TRUNC_PAYLOAD] = "truncated-payload",
	[DECODE_W_IP4_TSO] = "ipv4-length-zero-tso",
	[DECODE_W_FRAG_BAD] = "fragment-bad",
	[DECODE_W_FRAG_OVERLAP] = "fragment-overlap",
	[DECODE_W_FRAG_TRUNC] = "fragment-truncated",
	[DECODE_W_FRAG_TIMEOUT] = "fragment-timeout",
	[DECODE_W_FRAG_EVICTED] = "fragment-evicted",
};

/* What each anomaly means, for a person reading a warning. */
static const char *why_texts[DECODE_W__MAX] = {
	[DECODE_W_NONE] = "no anomaly",
	[DECODE_W_LINK_SHORT] = "frame shorter than its link header",
	[DECODE_W_VLAN_DEPTH] = "more than 4 stacked VLAN tags",
	[DECODE_W_IP_VERSION] = "IP version disagrees with the link header",
	[DECODE_W_IP4_HEADER] = "IPv4 header length under 20 or over the "
	    "total length",
	[DECODE_W_IP4_LENGTH] = "IPv4 total length beyond the frame",
	[DECODE_W_IP6_LENGTH] = "IPv6 payload length zero or beyond the frame",
	[DECODE_W_IP6_EXT] = "IPv6 extension headers malformed or more than "
	    "16",
	[DECODE_W_TCP_HEADER] = "TCP data offset under 5 or beyond the "
	    "datagram",
	[DECODE_W_TRUNC_HEADER] = "headers cut by the snapshot length",
	[DECODE_W_TRUNC_PAYLOAD] = "payload cut by the snapshot length",
	[DECODE_W_IP4_TSO] = "IPv4 total length 0 (segmentation offload)",
	[DECODE_W_FRAG_BAD] = "IP fragment beyond 65535 octets or "
	    "inconsistent",
	[DECODE_W_FRAG_OVERLAP] = "overlapping IP fragments",
	[DECODE_W_FRAG_TRUNC] = "IP fragment cut by the snapshot length",
	[DECODE_W_FRAG_TIMEOUT] = "IP datagram never completed",
	[DECODE_W_FRAG_EVICTED] = "IP datagram pushed out of reassembly",
};

/* cur_skip - advance n bytes; -1 if fewer were captured. */
static inline int
cur_skip(struct cur *c, size_t n)
{
	if (n > c->len)
		return (-1);
	c->p += n;
	c->len -= n;
	c->wire -= n;
	return (0);
}

/* cur_be16 - big-endian 16 bits at offset off, without advancing. */
static inline uint16_t
cur_be16(const struct cur *c, size_t off)
{
	return ((uint16_t)(c->p[off] << 8 | c->p[off + 1]));
}

/* cur_be32 - big-endian 32 bits at offset off, without advancing. */
static inline uint32_t
cur_be32(const struct cur *c, size_t off)
{
	return ((uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
	    (uint32_t)c->p[off + 2] << 8 | (uint32_t)c->p[off + 3]);
}

/* cur_limit - keep only the first n wire bytes (IP length, padding). */
static inline void
cur_limit(struct cur *c, size_t n)
{
	if (c->wire > n)
		c->wire = n;
	if (c->len > n)
		c->len = n;
}

/*
 * decode_short - fewer than n bytes captured: truncated if the wire had
 * them, else malformed with reason why.
 */
static int
decode_short(const struct cur *c, size_t n, enum decode_why why,
    struct decoded *out)
{
	if (c->wire >= n) {
		out->why = DECODE_W_TRUNC_HEADER;
		return (DECODE_TRUNCATED);
	}
	out->why = why;
	return (DECODE_BAD);
}

/* decode_bad - record why and return DECODE_BAD. */
static int
decode_bad(struct decoded *out, enum decode_why why)
{
	out->why = why;
	return (DECODE_BAD);
}

/* decode_tcp - the TCP header and payload in c. */
static int
decode_tcp(struct cur *c, struct decoded *out)
{
	size_t	hl;

	out->proto = IPPROTO_TCP_;
	if (c->len < 20)
		return (decode_short(c, 20, DECODE_W_TCP_HEADER, out));
	out->sport = cur_be16(c, 0);
	out->dport = cur_be16(c, 2);
	out->seq = cur_be32(c, 4);
	out->ack = cur_be32(c, 8);
	hl = (size_t)(c->p[12] >> 4) * 4;
	out->flags = c->p[13] & 0x3f;
	out->win = cur_be16(c, 14);
	if (hl < 20 || hl > c->wire)
		return (decode_bad(out, DECODE_W_TCP_HEADER));
	if (cur_skip(c, hl) == -1) {
		out->why = DECODE_W_TRUNC_HEADER;
		return (DECODE_TRUNCATED);
	}
	out->payload = c->p;
	out->paylen = c->len;
	out->wirelen = c->wire;
	if (c->len < c->wire) {
		out->truncated = true;
		out->why = DECODE_W_TRUNC_PAYLOAD;
	}
	return (DECODE_TCP);
}

/* frag_drop - forget a reassembly slot. */
static void
frag_drop(struct decode *d, struct decode_frag *f)
{
	d->frag_mem -= f->cap;
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/*
 * frag_fail - give up a datagram, counting why.  The slot keeps its key
 * until it times out, so the datagram's later fragments are swallowed.
 */
static void
frag_fail(struct decode *d, struct decode_frag *f, enum decode_why why)
{
	d->stats.failed++;
	d->stats.anomaly[why]++;
	d->frag_mem -= f->cap;
	free(f->data);
	f->data = NULL;
	f->cap = 0;
	f->failed = true;
}

/* frag_oldest - the oldest slot other than skip holding memory, or NULL. */
static struct decode_frag *
frag_oldest(struct decode *d, const struct decode_frag *skip, bool any)
{
	struct decode_frag	*f, *old = NULL;

	for (f = d->frag; f < d->frag + DECODE_FRAG_SLOTS; f++)
		if (f->used && f != skip && (any || f->cap > 0) &&
		    (old == NULL || f->age < old->age))
			old = f;
	return (old);
}

/* frag_slot - the slot for a datagram, made (evicting) if new. */
static struct decode_frag *
frag_slot(struct decode *d, const struct decoded *out, uint32_t id,
    uint8_t proto, int64_t now)
{
	struct decode_frag	*f, *free_slot = NULL;

	for (f = d->frag; f < d->frag + DECODE_FRAG_SLOTS; f++) {
		if (!f->used) {
			if (free_slot == NULL)
				free_slot = f;
			continue;
		}
		if (now - f->first > DECODE_FRAG_TIMEOUT ||
		    f->first - now > DECODE_FRAG_TIMEOUT) {
			if (!f->failed)
				frag_fail(d, f, DECODE_W_FRAG_TIMEOUT);
			frag_drop(d, f);
			if (free_slot == NULL)
				free_slot = f;
			continue;
		}
		if (f->id == id && f->proto == proto &&
		    f->family == out->family &&
		    memcmp(f->src, out->src, 16) == 0 &&
		    memcmp(f->dst, out->dst, 16) == 0)
			return (f);
	}
	if ((f = free_slot) == NULL) {
		f = frag_oldest(d, NULL, true);
		if (!f->failed)
			frag_fail(d, f, DECODE_W_FRAG_EVICTED);
		frag_drop(d, f);
	}
	f->used = true;
	f->family = out->family;
	memcpy(f->src, out->src, 16);
	memcpy(f->dst, out->dst, 16);
	f->id = id;
	f->proto = proto;
	f->first = now;
	f->age = ++d->frag_age;
	return (f);
}

/* frag_grow - make room for end bytes within the memory cap. */
static int
frag_grow(struct decode *d, struct decode_frag *f, size_t end)
{
	struct decode_frag	*old;
	size_t			 ncap;

	if (end <= f->cap)
		return (0);
	ncap = (end + FRAG_ALLOC_STEP - 1) / FRAG_ALLOC_STEP * FRAG_ALLOC_STEP;
	while (d->frag_mem - f->cap + ncap > DECODE_FRAG_MEMCAP) {
		if ((old = frag_oldest(d, f, false)) == NULL)
			return (-1);
		frag_fail(d, old, DECODE_W_FRAG_EVICTED);
	}
	f->data = xreallocarray(f->data, 1, ncap);
	memset(f->data + f->cap, 0, ncap - f->cap);
	d->frag_mem += ncap - f->cap;
	f->cap = ncap;
	return (0);
}

/*
 * decode_frag - add the fragment in c (offset off, more-fragments mf) of
 * datagram id.  DECODE_TCP with c set to the whole reassembled payload
 * when this completes it; else DECODE_HELD or the reason it was dropped.
 */
static int
decode_frag(struct decode *d, struct cur *c, uint32_t id, uint8_t proto,
    size_t off, bool mf, int64_t now, struct decoded *out)
{
	struct decode_frag	*f;
	size_t			 end, u, ulast, n;
	bool			 overlap = false;

	if (d == NULL)
		return (DECODE_HELD);
	d->stats.fragments++;
	f = frag_slot(d, out, id, proto, now);
	if (f->failed)
		return (DECODE_HELD);
	if (c->len < c->wire) {
		frag_fail(d, f, DECODE_W_FRAG_TRUNC);
		out->why = DECODE_W_FRAG_TRUNC;
		return (DECODE_TRUNCATED);
	}
	end = off + c->len;
	if (end > FRAG_DATA_MAX || c->len == 0 || (mf && c->len % 8 != 0) ||
	    (!mf && f->have_last && f->total != end) ||
	    (!mf && f->maxend > end) || (f->have_last && end > f->total)) {
		frag_fail(d, f, DECODE_W_FRAG_BAD);
		return (decode_bad(out, DECODE_W_FRAG_BAD));
	}
	if (frag_grow(d, f, end) == -1) {
		frag_fail(d, f, DECODE_W_FRAG_EVICTED);
		out->why = DECODE_W_FRAG_EVICTED;
		return (DECODE_HELD);
	}
	if (!mf) {
		f->have_last = true;
		f->total = end;
	}
	if (end > f->maxend)
		f->maxend = end;
	ulast = (end + 7) / 8;
	for (u = off / 8; u < ulast; u++) {
		if (f->have[u / 32] >> (u % 32) & 1) {
			overlap = true;
			continue;
		}
		f->have[u / 32] |= 1U << (u % 32);
		f->units++;
		n = end - u * 8 < 8 ? end - u * 8 : 8;
		memcpy(f->data + u * 8, c->p + (u * 8 - off), n);
	}
	if (overlap) {
		d->stats.anomaly[DECODE_W_FRAG_OVERLAP]++;
		out->why = DECODE_W_FRAG_OVERLAP;
	}
	if (!f->have_last || f->units != (f->total + 7) / 8)
		return (DECODE_HELD);
	d->stats.reassembled++;
	d->release = (int)(f - d->frag);
	out->reassembled = true;
	c->p = f->data;
	c->len = c->wire = f->total;
	return (DECODE_TCP);
}

/* decode_ip4 - an IPv4 datagram. */
static int
decode_ip4(struct decode *d, struct cur *c, int64_t now, struct decoded *out)
{
	size_t		 ihl, tot, off;
	uint16_t	 fo, id;
	int		 rc;

	if (c->len < 20)
		return (decode_short(c, 20, DECODE_W_IP4_HEADER, out));
	if (c->p[0] >> 4 != 4)
		return (decode_bad(out, DECODE_W_IP_VERSION));
	ihl = (size_t)(c->p[0] & 0x0f) * 4;
	tot = cur_be16(c, 2);
	if (tot == 0 && ihl >= 20 && c->wire > 46) {
		/*
		 * Segmentation offload on the capturing host: the length is
		 * left for the NIC to fill in (Wireshark presumes the same).
		 * Minimum-sized frames are excluded: their padding would
		 * pass for payload.
		 */
		tot = c->wire;
		out->why = DECODE_W_IP4_TSO;
	}
	if (ihl < 20 || tot < ihl)
		return (decode_bad(out, DECODE_W_IP4_HEADER));
	if (tot > c->wire)
		return (decode_bad(out, DECODE_W_IP4_LENGTH));
	out->family = 4;
	out->proto = c->p[9];
	memcpy(out->src, c->p + 12, 4);
	memcpy(out->dst, c->p + 16, 4);
	id = cur_be16(c, 4);
	fo = cur_be16(c, 6);
	off = (size_t)(fo & 0x1fff) * 8;
	cur_limit(c, tot);
	if (cur_skip(c, ihl) == -1) {
		out->why = DECODE_W_TRUNC_HEADER;
		return (DECODE_TRUNCATED);
	}
	if (out->proto != IPPROTO_TCP_)
		return (DECODE_NOT_TCP);
	if ((fo & 0x2000) || off != 0) {
		rc = decode_frag(d, c, id, out->proto, off,
		    (fo & 0x2000) != 0, now, out);
		if (rc != DECODE_TCP)
			return (rc);
	}
	return (decode_tcp(c, out));
}

/* decode_ip6 - an IPv6 datagram and its extension headers. */
static int
decode_ip6(struct decode *d, struct cur *c, int64_t now, struct decoded *out)
{
	size_t		 plen, hl, off;
	uint16_t	 fo;
	uint32_t	 id;
	uint8_t		 nh, next;
	unsigned	 n;
	int		 rc;

	if (c->len < 40)
		return (decode_short(c, 40, DECODE_W_IP6_LENGTH, out));
	if (c->p[0] >> 4 != 6)
		return (decode_bad(out, DECODE_W_IP_VERSION));
	plen = cur_be16(c, 4);
	nh = c->p[6];
	if (plen == 0 || plen + 40 > c->wire)
		return (decode_bad(out, DECODE_W_IP6_LENGTH));
	out->family = 6;
	memcpy(out->src, c->p + 8, 16);
	memcpy(out->dst, c->p + 24, 16);
	cur_limit(c, plen + 40);
	(void)cur_skip(c, 40);
	for (n = 0; nh != IPPROTO_TCP_; n++) {
		out->proto = nh;
		if (n >= DECODE_EXT_MAX)
			return (decode_bad(out, DECODE_W_IP6_EXT));
		switch (nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
		case 51:	/* AH */
			if (c->len < 2)
				return (decode_short(c, 2, DECODE_W_IP6_EXT,
				    out));
			next = c->p[0];
			hl = nh == 51 ? ((size_t)c->p[1] + 2) * 4 :
			    ((size_t)c->p[1] + 1) * 8;
			if (hl > c->wire)
				return (decode_bad(out, DECODE_W_IP6_EXT));
			if (cur_skip(c, hl) == -1)
				return (decode_short(c, hl, DECODE_W_IP6_EXT,
				    out));
			nh = next;
			break;
		case 44:	/* fragment */
			if (c->len < 8)
				return (decode_short(c, 8, DECODE_W_IP6_EXT,
				    out));
			next = c->p[0];
			fo = cur_be16(c, 2);
			id = cur_be32(c, 4);
			(void)cur_skip(c, 8);
			off = fo & 0xfff8;
			nh = next;
			if (off == 0 && (fo & 1) == 0)
				break;		/* atomic fragment, RFC 6946 */
			if (out->reassembled)
				return (decode_bad(out, DECODE_W_IP6_EXT));
			if (next != IPPROTO_TCP_ && next != 60) {
				out->proto = next;
				return (DECODE_NOT_TCP);
			}
			rc = decode_frag(d, c, id, next, off, (fo & 1) != 0,
			    now, out);
			if (rc != DECODE_TCP)
				return (rc);
			break;
		default:	/* ESP, no next header, UDP, ICMPv6, ... */
			return (DECODE_NOT_TCP);
		}
	}
	return (decode_tcp(c, out));
}

/* decode_raw - raw IP: the version nibble says which. */
static int
decode_raw(struct decode *d, struct cur *c, int64_t now, struct decoded *out)
{
	if (c->len < 1)
		return (decode_short(c, 1, DECODE_W_LINK_SHORT, out));
	switch (c->p[0] >> 4) {
	case 4:
		return (decode_ip4(d, c, now, out));
	case 6:
		return (decode_ip6(d, c, now, out));
	default:
		return (decode_bad(out, DECODE_W_IP_VERSION));
	}
}

/* decode_ethertype - dispatch on an ethertype, through VLAN tags. */
static int
decode_ethertype(struct decode *d, struct cur *c, uint16_t type, int64_t now,
    struct decoded *out)
{
	static const uint8_t	snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };

	for (;;) {
		switch (type) {
		case ETHERTYPE_IP:
			return (decode_ip4(d, c, now, out));
		case ETHERTYPE_IPV6:
			return (decode_ip6(d, c, now, out));
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD1:
		case ETHERTYPE_QINQ_OLD2:
			if (++out->vlans > DECODE_VLAN_MAX)
				return (decode_bad(out, DECODE_W_VLAN_DEPTH));
			if (c->len < 4)
				return (decode_short(c, 4, DECODE_W_LINK_SHORT,
				    out));
			type = cur_be16(c, 2);
			(void)cur_skip(c, 4);
			break;
		default:
			/* 802.3 length field: only LLC/SNAP can carry IP. */
			if (type > 1500 || c->len < 8 ||
			    memcmp(c->p, snap, sizeof(snap)) != 0)
				return (DECODE_NOT_IP);
			type = cur_be16(c, 6);
			(void)cur_skip(c, 8);
			if (type <= 1500)
				return (DECODE_NOT_IP);
			break;
		}
	}
}

/* decode_ether - Ethernet II / 802.3. */
static int
decode_ether(struct decode *d, struct cur *c, int64_t now,
    struct decoded *out)
{
	uint16_t	type;

	if (c->len < 14)
		return (decode_short(c, 14, DECODE_W_LINK_SHORT, out));
	type = cur_be16(c, 12);
	(void)cur_skip(c, 14);
	return (decode_ethertype(d, c, type, now, out));
}

/* decode_sll - Linux cooked capture v1 (16-byte header). */
static int
decode_sll(struct decode *d, struct cur *c, int64_t now, struct decoded *out)
{
	uint16_t	type;

	if (c->len < 16)
		return (decode_short(c, 16, DECODE_W_LINK_SHORT, out));
	type = cur_be16(c, 14);
	(void)cur_skip(c, 16);
	if (type <= 1500)
		return (DECODE_NOT_IP);		/* 802.2, 802.3, CAN, ... */
	return (decode_ethertype(d, c, type, now, out));
}

/* decode_sll2 - Linux cooked capture v2 (20-byte header). */
static int
decode_sll2(struct decode *d, struct cur *c, int64_t now,
    struct decoded *out)
{
	uint16_t	type;

	if (c->len < 20)
		return (decode_short(c, 20, DECODE_W_LINK_SHORT, out));
	type = cur_be16(c, 0);
	(void)cur_skip(c, 20);
	if (type <= 1500)
		return (DECODE_NOT_IP);
	return (decode_ethertype(d, c, type, now, out));
}

/* decode_null - BSD null/loop: a 4-byte address family, either order. */
static int
decode_null(struct decode *d, struct cur *c, int64_t now, struct decoded *out)
{
	uint32_t	af;

	if (c->len < 4)
		return (decode_short(c, 4, DECODE_W_LINK_SHORT, out));
	af = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 |
	    (uint32_t)c->p[2] << 16 | (uint32_t)c->p[3] << 24;
	if (af > 0xffff)
		af = cur_be32(c, 0);
	(void)cur_skip(c, 4);
	switch (af) {
	case 2:				/* AF_INET everywhere */
		return (decode_ip4(d, c, now, out));
	case 24:			/* AF_INET6: NetBSD, OpenBSD */
	case 28:			/* FreeBSD, DragonFly */
	case 30:			/* Darwin */
		return (decode_ip6(d, c, now, out));
	default:
		return (DECODE_NOT_IP);
	}
}

/* decode_link - the dlt_table[] entry for a link type, or -1. */
static int
decode_link(int lt)
{
	int	i;

	for (i = 0; dlt_table[i].name != NULL; i++)
		if (dlt_table[i].lt == lt)
			return (i);
	return (-1);
}

/* decode_new - an empty decoder with its fragment cache. */
struct decode *
decode_new(void)
{
	struct decode	*d;

	d = xcalloc(1, sizeof(*d));
	d->release = -1;
	return (d);
}

/* decode_free - free a decoder and any datagrams in reassembly. */
void
decode_free(struct decode *d)
{
	int	i;

	if (d == NULL)
		return;
	for (i = 0; i < DECODE_FRAG_SLOTS; i++)
		free(d->frag[i].data);
	free(d);
}

/*
 * decode_frame - decode one frame of link type lt: caplen bytes captured
 * at p, wirelen on the wire, at capture second now (for the fragment
 * timeout).  d may be NULL: then fragments are not reassembled (HELD).
 * Returns a decode_result; on DECODE_TCP out holds the segment, whose
 * payload points into p or, when reassembled, into d until the next call.
 */
int
decode_frame(struct decode *d, int lt, const uint8_t *p, size_t caplen,
    size_t wirelen, int64_t now, struct decoded *out)
{
	struct cur	c;
	int		i, rc;

	memset(out, 0, sizeof(*out));
	if (d != NULL && d->release != -1) {
		frag_drop(d, &d->frag[d->release]);
		d->release = -1;
	}
	if ((i = decode_link(lt)) == -1)
		return (DECODE_UNSUPPORTED);
	if (now > (int64_t)1 << 40 || now < -((int64_t)1 << 40))
		now = 0;	/* hostile: keep the timeout arithmetic sane */
	c.p = p;
	c.len = caplen;
	c.wire = wirelen < caplen ? caplen : wirelen;
	rc = dlt_table[i].fn(d, &c, now, out);
	if (d != NULL && out->why != DECODE_W_NONE &&
	    out->why < DECODE_W_FRAG_BAD)
		d->stats.anomaly[out->why]++;
	return (rc);
}

/* decode_flush - give up every datagram still in reassembly. */
void
decode_flush(struct decode *d)
{
	int	i;

	for (i = 0; i < DECODE_FRAG_SLOTS; i++) {
		if (!d->frag[i].used)
			continue;
		if (i != d->release && !d->frag[i].failed)
			frag_fail(d, &d->frag[i], DECODE_W_FRAG_TIMEOUT);
		frag_drop(d, &d->frag[i]);
	}
	d->release = -1;
}

/* decode_stats - counters so far; valid until decode_free(). */
const struct decode_stats *
decode_stats(const struct decode *d)
{
	return (&d->stats);
}

/* decode_why_name - a short name for an anomaly, for stats and logs. */
const char *
decode_why_name(enum decode_why why)
{
	if (why < 0 || why >= DECODE_W__MAX)
		return ("unknown");
	return (why_names[why]);
}

/* decode_why_text - what an anomaly means, as a phrase. */
const char *
decode_why_text(enum decode_why why)
{
	if (why < 0 || why >= DECODE_W__MAX)
		return ("unknown anomaly");
	return (why_texts[why]);
}

/* decode_link_name - the name of a supported link type, else NULL. */
const char *
decode_link_name(int lt)
{
	int	i;

	return ((i = decode_link(lt)) == -1 ? NULL : dlt_table[i].name);
}

/* decode_link_supported - whether decode_frame() handles link type lt. */
bool
decode_link_supported(int lt)
{
	return (decode_link(lt) != -1);
}
