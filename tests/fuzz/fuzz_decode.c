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
 * Fuzz target: a capture below libpcap.  pcap records are split here
 * (both byte orders, bounded); pcapng goes through pcapng.c on a memory
 * stream.  Every packet goes through decode_frame() and tcpflow with
 * small limits, so caps, eviction and timeouts are reached; a sink
 * checks the flow.h contract and traps on a breach.  The seed corpus is
 * the captures of tests/data/pcap.
 */

#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pcapng.h"
#include "tcpflow.h"

#define FUZZ_MAXLEN	(1024 * 1024)
#define FUZZ_FLOWS	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz_flow {
	bool		 used;
	bool		 closed;
	uint64_t	 off[2];
};

static struct fz_flow	fz[FUZZ_FLOWS + 1];
static unsigned		fz_n;

static void *
fz_open(void *arg, const struct flow_info *fi)
{
	struct fz_flow	*f = &fz[fz_n < FUZZ_FLOWS ? fz_n++ : FUZZ_FLOWS];

	memset(f, 0, sizeof(*f));
	f->used = true;
	if (fi->family != 4 && fi->family != 6)
		__builtin_trap();
	return (f);
}

/* fz_check - a callback for an open flow, at the right offset. */
static void
fz_check(void *fs, int dir, uint64_t off, uint64_t n)
{
	struct fz_flow	*f = fs;

	if (f == &fz[FUZZ_FLOWS])	/* past the flows tracked */
		return;
	if (f == NULL || !f->used || f->closed || (dir >= 0 &&
	    (f->off[dir] != off || n == 0)))
		__builtin_trap();
	if (dir >= 0)
		f->off[dir] += n;
}

static void
fz_data(void *arg, void *fs, enum flow_dir dir, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	volatile uint8_t	sum = 0;
	size_t			i;

	fz_check(fs, dir, pos->offset, n);
	for (i = 0; i < n; i++)		/* every byte must be readable */
		sum += p[i];
	(void)sum;
}

static void
fz_gap(void *arg, void *fs, enum flow_dir dir, uint64_t n,
    const struct flow_pos *pos)
{
	fz_check(fs, dir, pos->offset, n);
}

static void
fz_anomaly(void *arg, void *fs, const char *what, const struct flow_pos *pos)
{
	fz_check(fs, -1, 0, 0);
}

static void
fz_close(void *arg, void *fs, enum flow_end how, const struct flow_pos *pos)
{
	fz_check(fs, -1, 0, 0);
	if (fs != &fz[FUZZ_FLOWS])
		((struct fz_flow *)fs)->closed = true;
}

static const struct flow_sink fz_sink = {
	NULL, fz_open, fz_data, fz_gap, fz_anomaly, fz_close
};

/* fz_packet - one packet through decode and reassembly. */
static void
fz_packet(struct decode *dc, struct tcpflow *tf, int lt, uint64_t n,
    int64_t sec, const uint8_t *p, uint32_t caplen, uint32_t len)
{
	struct decoded	d;
	struct flow_pos	pos = { n, sec, 0, 0 };

	if (decode_frame(dc, lt, p, caplen, len, sec, &d) != DECODE_TCP)
		return;
	if (d.paylen > d.wirelen)
		__builtin_trap();
	tcpflow_add_segment(tf, &d, &pos);
}

/* rd32 - 32 bits in either order. */
static uint32_t
rd32(const uint8_t *p, bool be)
{
	return (be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : (uint32_t)p[3] << 24 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcpflow_limits	 lim;
	struct decode		*dc;
	struct tcpflow		*tf;
	struct pcapng		*ng;
	struct pcapng_pkt	 pk;
	FILE			*fp;
	char			 err[256];
	size_t			 off;
	uint32_t		 magic, caplen;
	uint64_t		 n = 0;
	bool			 be;
	int			 lt;

	if (size > FUZZ_MAXLEN || size < 24)
		return (0);
	tcpflow_limits_default(&lim);
	lim.hold_max = 4096;
	lim.retain_max = 1024;
	lim.memcap = 32768;
	lim.flows_max = 8;
	lim.idle_timeout = 60;
	lim.timewait = 5;
	fz_n = 0;
	dc = decode_new();
	tf = tcpflow_new(&fz_sink, &lim);
	magic = rd32(data, false);
	if (magic == 0x0a0d0d0a) {
		if ((fp = fmemopen((void *)(uintptr_t)data, size, "rb")) !=
		    NULL) {
			if ((ng = pcapng_open(fp, err, sizeof(err))) != NULL) {
				while (pcapng_next(ng, &pk) == 1)
					fz_packet(dc, tf, pk.linktype, ++n,
					    pk.sec, pk.data, pk.caplen, pk.len);
				pcapng_close(ng);
			}
			fclose(fp);
		}
	} else if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 ||
	    magic == 0xa1b23c4d || magic == 0x4d3cb2a1) {
		be = data[0] == 0xa1;
		lt = (int)(rd32(data + 20, be) & 0xffff);
		for (off = 24; size - off >= 16; off += 16 + caplen) {
			caplen = rd32(data + off + 8, be);
			if (caplen > size - off - 16)
				break;
			fz_packet(dc, tf, lt, ++n, rd32(data + off, be),
			    data + off + 16, caplen, rd32(data + off + 12, be));
		}
	}
	tcpflow_finish(tf);
	if (tcpflow_stats(tf)->mem != 0 ||
	    tcpflow_stats(tf)->mem_peak > lim.memcap)
		__builtin_trap();
	tcpflow_free(tf);
	decode_flush(dc);
	decode_free(dc);
	return (0);
}
