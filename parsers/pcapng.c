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
 * pcapng (draft-ietf-opsawg-pcapng) read block by block from a stream.
 *
 * libpcap 1.10 (and its master branch) stops at an Interface Description
 * Block whose link type or snapshot length differs from the first one's
 * ("an interface has a type N different from the type of the first
 * interface") and at a section in the other byte order.  This reader
 * takes every interface as it comes: each packet carries its own link
 * type and time stamp resolution (if_tsresol, decimal or binary, and
 * if_tsoffset).  Packets are Enhanced, Simple and the obsolete Packet
 * blocks, counted exactly as libpcap counts them, so that pcapin.c can
 * pick up where libpcap stopped.  Other blocks are skipped.
 *
 * The input is hostile: every block length is checked against the block
 * (at least 12 bytes, a multiple of 4, at most PCAPNG_BLOCK_MAX, the
 * trailing copy equal), every field against its block, an interface id
 * against the section's interfaces.  A damaged or cut block ends the
 * reading with an error; everything before it has been returned.
 */

#include "config.h"

#include "pcapng.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define BT_SHB		0x0a0d0d0a
#define BT_IDB		1
#define BT_PB		2
#define BT_SPB		3
#define BT_EPB		6
#define BOM		0x1a2b3c4d

#define OPT_END		0
#define OPT_TSRESOL	9
#define OPT_TSOFFSET	14

#define TIME_LIMIT	((int64_t)1 << 40)

struct pcapng_if {
	int		 linktype;
	uint32_t	 snaplen;
	uint8_t		 tsresol;	/* as in if_tsresol */
	uint64_t	 units;		/* ticks per second */
	int64_t		 tsoffset;
};

struct pcapng {
	FILE			*fp;
	bool			 be;		/* this section is big-endian */
	bool			 section;	/* an SHB was read */
	uint8_t			*buf;
	size_t			 cap;
	struct pcapng_if	*ifs;
	size_t			 nif;
	size_t			 ifcap;
	char			 err[256];
};

/* rd16 - 16 bits in the section's byte order. */
static uint16_t
rd16(const struct pcapng *ng, const uint8_t *p)
{
	return (ng->be ? (uint16_t)(p[0] << 8 | p[1]) :
	    (uint16_t)(p[1] << 8 | p[0]));
}

/* rd32 - 32 bits in the section's byte order. */
static uint32_t
rd32(const struct pcapng *ng, const uint8_t *p)
{
	if (ng->be)
		return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3]);
	return ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0]);
}

/* rd64 - 64 bits in the section's byte order. */
static uint64_t
rd64(const struct pcapng *ng, const uint8_t *p)
{
	uint64_t	hi = rd32(ng, ng->be ? p : p + 4);
	uint64_t	lo = rd32(ng, ng->be ? p + 4 : p);

	return (hi << 32 | lo);
}

/* ng_read - exactly n bytes; 1, 0 at a clean EOF (when eof_ok), -1. */
static int
ng_read(struct pcapng *ng, void *p, size_t n, bool eof_ok)
{
	size_t	got;

	got = fread(p, 1, n, ng->fp);
	if (got == n)
		return (1);
	if (ferror(ng->fp)) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: read error");
		return (-1);
	}
	if (got == 0 && eof_ok)
		return (0);
	snprintf(ng->err, sizeof(ng->err),
	    "pcapng: truncated block (%zu of %zu bytes)", got, n);
	return (-1);
}

/*
 * ng_block - the next block into buf: type, and body (after type and
 * length, before the trailing length).  1, 0 at EOF, -1 on error.
 */
static int
ng_block(struct pcapng *ng, uint32_t *type, const uint8_t **body,
    size_t *blen)
{
	uint8_t		 hdr[12];
	uint32_t	 len, bom;
	size_t		 have = 8;
	int		 rc;

	if ((rc = ng_read(ng, hdr, 8, true)) != 1)
		return (rc);
	*type = rd32(ng, hdr);
	if (*type == BT_SHB) {
		if (ng_read(ng, hdr + 8, 4, false) == -1)
			return (-1);
		bom = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8 |
		    (uint32_t)hdr[10] << 16 | (uint32_t)hdr[11] << 24;
		if (bom == BOM)
			ng->be = false;
		else if (bom == 0x4d3c2b1a)
			ng->be = true;
		else {
			snprintf(ng->err, sizeof(ng->err),
			    "pcapng: bad byte-order magic");
			return (-1);
		}
		have = 12;
	} else if (!ng->section) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: no section header");
		return (-1);
	}
	len = rd32(ng, hdr + 4);
	if (len > PCAPNG_BLOCK_MAX) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: a block claims "
		    "%u bytes, more than the %u a block may have", len,
		    (unsigned)PCAPNG_BLOCK_MAX);
		return (-1);
	}
	if (len < 12 + (have - 8) || len % 4 != 0) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: bad block length "
		    "%u (under %zu or not a multiple of 4)", len,
		    12 + (have - 8));
		return (-1);
	}
	if (ng->cap < len) {
		ng->buf = xreallocarray(ng->buf, 1, len);
		ng->cap = len;
	}
	memcpy(ng->buf, hdr, have);
	if (ng_read(ng, ng->buf + have, len - have, false) == -1)
		return (-1);
	if (rd32(ng, ng->buf + len - 4) != len) {
		snprintf(ng->err, sizeof(ng->err),
		    "pcapng: block lengths disagree");
		return (-1);
	}
	*body = ng->buf + 8;
	*blen = len - 12;
	return (1);
}

/* ng_idb - an Interface Description Block: link type, resolution. */
static int
ng_idb(struct pcapng *ng, const uint8_t *b, size_t n)
{
	struct pcapng_if	*ifp;
	uint64_t		 units;
	uint16_t		 code, olen;
	uint8_t			 r;
	unsigned		 i;

	if (n < 8) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: short IDB");
		return (-1);
	}
	if (ng->nif >= PCAPNG_IF_MAX) {
		snprintf(ng->err, sizeof(ng->err), "pcapng: too many IDBs");
		return (-1);
	}
	if (ng->nif == ng->ifcap) {
		ng->ifcap = ng->ifcap == 0 ? 4 : ng->ifcap * 2;
		ng->ifs = xreallocarray(ng->ifs, ng->ifcap, sizeof(*ng->ifs));
	}
	ifp = &ng->ifs[ng->nif++];
	ifp->linktype = rd16(ng, b);
	ifp->snaplen = rd32(ng, b + 4);
	ifp->tsresol = 6;
	ifp->units = 1000000;
	ifp->tsoffset = 0;
	for (b += 8, n -= 8; n >= 4; b += 4 + ((olen + 3) & ~3U),
	    n -= 4 + ((olen + 3) & ~3U)) {
		code = rd16(ng, b);
		olen = rd16(ng, b + 2);
		if (code == OPT_END || 4 + ((size_t)olen + 3) / 4 * 4 > n)
			break;
		if (code == OPT_TSRESOL && olen == 1) {
			r = b[4];
			if (r & 0x80) {
				if ((r & 0x7f) > 63)
					continue;	/* unusable: default */
				units = (uint64_t)1 << (r & 0x7f);
			} else {
				if (r > 19)
					continue;
				for (units = 1, i = 0; i < r; i++)
					units *= 10;
			}
			ifp->tsresol = r;
			ifp->units = units;
		} else if (code == OPT_TSOFFSET && olen == 8)
			ifp->tsoffset = (int64_t)rd64(ng, b + 4);
	}
	return (0);
}

/* ng_time - ticks of an interface to seconds and nanoseconds. */
static void
ng_time(const struct pcapng_if *ifp, uint64_t t, struct pcapng_pkt *pk)
{
	uint64_t	frac = t % ifp->units;
	int64_t		sec = (int64_t)(t / ifp->units);
	unsigned	r = ifp->tsresol & 0x7f, i;

	if (ifp->tsresol & 0x80) {
		if (r <= 30)
			pk->nsec = (uint32_t)((frac * 1000000000ULL) >> r);
		else
			pk->nsec = (uint32_t)(((frac >> (r - 30)) *
			    1000000000ULL) >> 30);
	} else if (r <= 9) {
		for (i = r; i < 9; i++)
			frac *= 10;
		pk->nsec = (uint32_t)frac;
	} else {
		for (i = 9; i < r; i++)
			frac /= 10;
		pk->nsec = (uint32_t)frac;
	}
	if (sec > TIME_LIMIT)
		sec = TIME_LIMIT;
	if (ifp->tsoffset > TIME_LIMIT || ifp->tsoffset < -TIME_LIMIT)
		pk->sec = sec;
	else
		pk->sec = sec + ifp->tsoffset;
}

/* ng_packet - fill pk from a packet block; -1 if it does not fit. */
static int
ng_packet(struct pcapng *ng, uint32_t type, const uint8_t *b, size_t n,
    struct pcapng_pkt *pk)
{
	struct pcapng_if	*ifp;
	size_t			 hl;
	uint64_t		 t = 0;

	memset(pk, 0, sizeof(*pk));
	if (type == BT_SPB) {
		hl = 4;
		if (n < hl || ng->nif == 0)
			goto bad;
		pk->ifid = 0;
		pk->len = rd32(ng, b);
		pk->caplen = pk->len;
		if (ng->ifs[0].snaplen != 0 && pk->caplen > ng->ifs[0].snaplen)
			pk->caplen = ng->ifs[0].snaplen;
		if (pk->caplen > n - hl)
			pk->caplen = (uint32_t)(n - hl);
	} else {
		hl = 20;
		if (n < hl)
			goto bad;
		pk->ifid = type == BT_PB ? rd16(ng, b) : rd32(ng, b);
		t = (uint64_t)rd32(ng, b + 4) << 32 | rd32(ng, b + 8);
		pk->caplen = rd32(ng, b + 12);
		pk->len = rd32(ng, b + 16);
		if (pk->caplen > n - hl)
			goto bad;
	}
	if (pk->ifid >= ng->nif) {
		snprintf(ng->err, sizeof(ng->err),
		    "pcapng: packet on undescribed interface %u", pk->ifid);
		return (-1);
	}
	ifp = &ng->ifs[pk->ifid];
	pk->linktype = ifp->linktype;
	if (type != BT_SPB)
		ng_time(ifp, t, pk);
	pk->data = b + hl;
	return (0);
bad:
	snprintf(ng->err, sizeof(ng->err), "pcapng: malformed packet block");
	return (-1);
}

/*
 * pcapng_open - start reading fp, which must begin with a Section Header
 * Block.  fp stays the caller's.  NULL with a message in err on failure.
 */
struct pcapng *
pcapng_open(FILE *fp, char *err, size_t errlen)
{
	struct pcapng	*ng;

	if (ferror(fp)) {
		snprintf(err, errlen, "pcapng: unreadable stream");
		return (NULL);
	}
	ng = xcalloc(1, sizeof(*ng));
	ng->fp = fp;
	return (ng);
}

/*
 * pcapng_next - the next packet: 1 with pk filled (data valid until the
 * next call), 0 at the end, -1 on a damaged or cut file (pcapng_error).
 */
int
pcapng_next(struct pcapng *ng, struct pcapng_pkt *pk)
{
	const uint8_t	*b;
	uint32_t	 type;
	size_t		 n;
	int		 rc;

	for (;;) {
		if ((rc = ng_block(ng, &type, &b, &n)) != 1)
			return (rc);
		switch (type) {
		case BT_SHB:
			if (n < 16 || rd16(ng, b + 4) != 1) {
				snprintf(ng->err, sizeof(ng->err),
				    "pcapng: unsupported section version");
				return (-1);
			}
			ng->section = true;
			ng->nif = 0;
			break;
		case BT_IDB:
			if (ng_idb(ng, b, n) == -1)
				return (-1);
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_PB:
			if (ng_packet(ng, type, b, n, pk) == -1)
				return (-1);
			return (1);
		default:
			break;
		}
	}
}

/* pcapng_error - the message of the last failure. */
const char *
pcapng_error(const struct pcapng *ng)
{
	return (ng->err);
}

/* pcapng_close - free the reader (not its stream). */
void
pcapng_close(struct pcapng *ng)
{
	if (ng == NULL)
		return;
	free(ng->buf);
	free(ng->ifs);
	free(ng);
}
