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
 * Link, network and transport decoding of one captured frame, below
 * libpcap: a frame in, a TCP segment (or the reason there is none) out.
 * Every read is bounded by the captured length; nothing is cast onto the
 * packet bytes.  IP fragments are reassembled in a small cache owned by a
 * struct decode.
 */

#ifndef DECODE_H
#define DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Link types.  decode_frame() takes either the value pcap_datalink()
 * returns (DLT_*) or the one stored in the file (LINKTYPE_*): they agree
 * for everything here except raw IP, and every raw IP value is accepted.
 */
#define DECODE_LT_NULL		0	/* BSD loopback, host byte order */
#define DECODE_LT_EN10MB	1	/* Ethernet */
#define DECODE_LT_RAW		12	/* DLT_RAW (14 on OpenBSD) */
#define DECODE_LT_RAW_OPENBSD	14
#define DECODE_LT_LINKTYPE_RAW	101	/* LINKTYPE_RAW */
#define DECODE_LT_LOOP		108	/* loopback, network byte order */
#define DECODE_LT_LINUX_SLL	113
#define DECODE_LT_IPV4		228
#define DECODE_LT_IPV6		229
#define DECODE_LT_LINUX_SLL2	276

/* TCP flags in struct decoded. */
#define DECODE_TH_FIN		0x01
#define DECODE_TH_SYN		0x02
#define DECODE_TH_RST		0x04
#define DECODE_TH_PUSH		0x08
#define DECODE_TH_ACK		0x10
#define DECODE_TH_URG		0x20

/* Limits (RFC 791: a datagram is at most 65535 bytes). */
#define DECODE_VLAN_MAX		4	/* stacked VLAN tags followed */
#define DECODE_EXT_MAX		16	/* IPv6 extension headers followed */
#define DECODE_FRAG_SLOTS	64	/* datagrams being reassembled */
#define DECODE_FRAG_MEMCAP	(4 * 1024 * 1024)
#define DECODE_FRAG_TIMEOUT	60	/* seconds of capture time */

enum decode_result {
	DECODE_TCP = 0,		/* out holds a TCP segment */
	DECODE_HELD,		/* an IP fragment, kept for reassembly */
	DECODE_NOT_IP,		/* ARP, LLDP, other ethertypes */
	DECODE_NOT_TCP,		/* UDP, ICMP, ESP, ... */
	DECODE_TRUNCATED,	/* headers cut by the snapshot length */
	DECODE_BAD,		/* malformed: out->why says how */
	DECODE_UNSUPPORTED	/* a link type not in the table */
};

/* What was wrong; indexes decode_stats.anomaly[] and decode_why_name(). */
enum decode_why {
	DECODE_W_NONE = 0,
	DECODE_W_LINK_SHORT,	/* frame shorter than its link header */
	DECODE_W_VLAN_DEPTH,	/* more than DECODE_VLAN_MAX tags */
	DECODE_W_IP_VERSION,	/* version nibble disagrees with the link */
	DECODE_W_IP4_HEADER,	/* IHL < 5 or total length < IHL */
	DECODE_W_IP4_LENGTH,	/* total length beyond the frame on the wire */
	DECODE_W_IP6_LENGTH,	/* payload length beyond the frame, jumbo */
	DECODE_W_IP6_EXT,	/* extension header chain malformed or long */
	DECODE_W_TCP_HEADER,	/* data offset < 5 or beyond the datagram */
	DECODE_W_TRUNC_HEADER,	/* headers cut by the snapshot length */
	DECODE_W_TRUNC_PAYLOAD,	/* payload cut (the segment is still used) */
	DECODE_W_IP4_TSO,	/* total length 0: offload (still used) */
	DECODE_W_FRAG_BAD,	/* beyond 65535, odd length, conflicting ends */
	DECODE_W_FRAG_OVERLAP,	/* overlapping fragments: the first is kept */
	DECODE_W_FRAG_TRUNC,	/* a fragment cut by the snapshot length */
	DECODE_W_FRAG_TIMEOUT,	/* never completed */
	DECODE_W_FRAG_EVICTED,	/* pushed out by the slot or memory cap */
	DECODE_W__MAX
};

struct decoded {
	int		 family;	/* 4 or 6 */
	uint8_t		 src[16];	/* IPv4: the first 4 bytes */
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 seq;
	uint32_t	 ack;
	uint8_t		 flags;		/* DECODE_TH_* */
	uint16_t	 win;
	uint8_t		 proto;		/* IP protocol, also for NOT_TCP */
	unsigned	 vlans;		/* VLAN tags passed */
	bool		 reassembled;	/* from IP fragments */
	bool		 truncated;	/* paylen < wirelen: snapshot length */
	const uint8_t	*payload;
	size_t		 paylen;	/* payload bytes present */
	size_t		 wirelen;	/* payload bytes the segment carried */
	enum decode_why	 why;		/* for BAD and TRUNCATED, or a note */
};

struct decode_stats {
	uint64_t	 fragments;	/* IP fragments seen */
	uint64_t	 reassembled;	/* datagrams completed */
	uint64_t	 failed;	/* datagrams given up */
	uint64_t	 anomaly[DECODE_W__MAX];
};

struct decode;

struct decode	*decode_new(void);
void		 decode_free(struct decode *);
int		 decode_frame(struct decode *, int, const uint8_t *, size_t,
		    size_t, int64_t, struct decoded *);
void		 decode_flush(struct decode *);
const struct decode_stats *decode_stats(const struct decode *);
const char	*decode_why_name(enum decode_why);
const char	*decode_why_text(enum decode_why);
const char	*decode_link_name(int);
bool		 decode_link_supported(int);

#endif /* DECODE_H */
