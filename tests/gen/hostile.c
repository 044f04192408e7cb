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
 * Captures too large to keep in tests/data/pcap, made on the fly by
 * tests/t_hostile.sh:
 *
 *	pcapgen --longline MIB FILE	a normal session, then one whose
 *					client sends "MAIL FROM:<" and MIB
 *					MiB with no line end, then closes
 *	pcapgen --rcpts N FILE		one session giving N recipients in
 *					one transaction (pipelined, 100
 *					commands a segment), then a message
 *
 * Both are written segment by segment, so the generator's memory does not
 * grow with the size asked for.
 */

#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define HOSTILE_SEG	65000		/* payload bytes a segment */
#define HOSTILE_BATCH	100		/* RCPT commands a segment */
#define HOSTILE_SNAP	262144

/* hostile_send - n bytes in the next segment of a direction. */
static void
hostile_send(struct gen_out *o, struct gen_conv *c, int dir, const void *p,
    size_t n)
{
	static struct gen_pkt	pk;

	gen_prepare(c, dir, TH_PUSH | TH_ACK, p, n, &pk);
	gen_emit(o, c, &pk);
}

/*
 * gen_hostile_longline - the base session from 192.0.2.100, then from
 * 192.0.2.101 a session whose MAIL command is mib MiB long and never
 * ends; the client then closes the connection.
 */
void
gen_hostile_longline(const char *path, unsigned long mib)
{
	static char		 seg[HOSTILE_SEG];
	static const char *const start[] = {
		"220 mx.example.net ESMTP\r\n",
		"EHLO flood.example.org\r\n",
		"250 mx.example.net\r\n",
		NULL
	};
	struct gen_out		 o;
	struct gen_conv		 a, b;
	unsigned long long	 left = (unsigned long long)mib << 20;
	size_t			 n;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, HOSTILE_SNAP);
	gen_conv_init(&a, 4, "192.0.2.100", 40100, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &a);
	gen_smtp(&o, &a, gen_session);
	gen_close_conv(&o, &a);

	gen_conv_init(&b, 4, "192.0.2.101", 40101, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &b);
	gen_smtp(&o, &b, start);
	hostile_send(&o, &b, C2S, "MAIL FROM:<", 11);
	memset(seg, 'x', sizeof(seg));
	while (left > 0) {
		n = left < sizeof(seg) ? (size_t)left : sizeof(seg);
		hostile_send(&o, &b, C2S, seg, n);
		left -= n;
	}
	gen_close_conv(&o, &b);
	gen_close(&o);
}

/*
 * gen_hostile_rcpts - one session from 192.0.2.102 to a server that takes
 * everything: MAIL, then n RCPT TO:<vN@victimM.example>, each answered
 * 250, then a message and QUIT.
 */
void
gen_hostile_rcpts(const char *path, unsigned long n)
{
	static char		 cmds[HOSTILE_BATCH * 64];
	static char		 oks[HOSTILE_BATCH * 16];
	static const char *const start[] = {
		"220 mx.example.net ESMTP\r\n",
		"EHLO bulk.example.org\r\n",
		"250-mx.example.net\r\n250 PIPELINING\r\n",
		"MAIL FROM:<bulk@spam.example>\r\n",
		"250 2.1.0 Ok\r\n",
		NULL
	};
	static const char *const end[] = {
		"DATA\r\n",
		"354 End data with <CR><LF>.<CR><LF>\r\n",
		"Subject: offer\r\n\r\nbuy\r\n.\r\n",
		"250 2.0.0 Ok: queued as 4BULK1\r\n",
		"QUIT\r\n",
		"221 2.0.0 Bye\r\n",
		NULL
	};
	struct gen_out		 o;
	struct gen_conv		 c;
	unsigned long		 i = 0, k;
	size_t			 nc, no;

	gen_open(&o, path, GEN_PCAP, GEN_ETH, HOSTILE_SNAP);
	gen_conv_init(&c, 4, "192.0.2.102", 40102, "198.51.100.25", 25, 1000,
	    5000, GEN_ETH);
	gen_open_conv(&o, &c);
	gen_send(&o, &c, S2C, TH_PUSH | TH_ACK, start[0]);
	for (k = 1; start[k] != NULL; k++)
		gen_send(&o, &c, k % 2 == 1 ? C2S : S2C, TH_PUSH | TH_ACK,
		    start[k]);
	while (i < n) {
		nc = no = 0;
		for (k = 0; k < HOSTILE_BATCH && i < n; k++, i++) {
			nc += (size_t)snprintf(cmds + nc, sizeof(cmds) - nc,
			    "RCPT TO:<v%lu@victim%lu.example>\r\n", i + 1,
			    (i + 1) % 50);
			memcpy(oks + no, "250 2.1.5 Ok\r\n", 14);
			no += 14;
		}
		hostile_send(&o, &c, C2S, cmds, nc);
		hostile_send(&o, &c, S2C, oks, no);
	}
	for (k = 0; end[k] != NULL; k++)
		gen_send(&o, &c, k % 2 == 0 ? C2S : S2C, TH_PUSH | TH_ACK,
		    end[k]);
	gen_close_conv(&o, &c);
	gen_close(&o);
}
