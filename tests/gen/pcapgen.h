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
 * The capture generator's pieces: a writer for pcap (either byte order,
 * micro- or nanoseconds) and pcapng, and a builder of TCP conversations
 * over Ethernet (with VLAN tags), Linux cooked v1/v2, BSD null/loop and
 * raw IP, with IPv4 and IPv6 fragments and IPv6 extension headers.
 */

#ifndef PCAPGEN_H
#define PCAPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <zlib.h>

#define GEN_FRAME_MAX	70000
#define GEN_IF_MAX	8

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PUSH		0x08
#define TH_ACK		0x10

#define C2S		0
#define S2C		1

enum gen_fmt {
	GEN_PCAP,		/* little-endian, microseconds */
	GEN_PCAP_BE_NS,		/* big-endian, nanoseconds */
	GEN_PCAPNG
};

enum gen_link {
	GEN_ETH = 1,		/* values are LINKTYPE_* */
	GEN_NULL = 0,
	GEN_RAW = 101,
	GEN_LOOP = 108,
	GEN_SLL = 113,
	GEN_SLL2 = 276
};

struct gen_out {
	FILE		*fp;
	gzFile		 gz;
	enum gen_fmt	 fmt;
	uint32_t	 snaplen;
	int64_t		 t_ns;		/* time of the next packet */
	uint32_t	 step_ns;	/* added after each packet */
	unsigned	 nif;
	uint8_t		 if_tsresol[GEN_IF_MAX];
	uint64_t	 npackets;
	uint64_t	 bytes;		/* written so far */
	uint64_t	 last_off;	/* where the last record starts */
};

struct gen_conv {
	int		 family;	/* 4 or 6 */
	uint8_t		 ip[2][16];	/* client, server */
	uint16_t	 port[2];
	uint32_t	 seq[2];	/* next sequence number to send */
	uint16_t	 ipid;
	enum gen_link	 link;
	unsigned	 ifid;
	unsigned	 nvlan;
	uint16_t	 vlan_tpid[4];
	uint16_t	 vlan_id[4];
	unsigned	 next[2];	/* IPv6 extension headers to add, */
	uint8_t		 ext[2][4];	/* by direction: 0, 43, 51, 60 */
	uint32_t	 af6;		/* null/loop: AF_INET6 value */
};

struct gen_pkt {
	uint8_t		 l3[GEN_FRAME_MAX];	/* IP datagram */
	size_t		 l3len;
	int		 dir;
};

/* pcapgen.c */
void	 gen_open(struct gen_out *, const char *, enum gen_fmt, int,
	    uint32_t);
void	 gen_idb(struct gen_out *, int, uint32_t, uint8_t);
void	 gen_record(struct gen_out *, unsigned, const uint8_t *, size_t,
	    size_t);
void	 gen_close(struct gen_out *);
void	 gen_conv_init(struct gen_conv *, int, const char *, uint16_t,
	    const char *, uint16_t, uint32_t, uint32_t, enum gen_link);
void	 gen_prepare(struct gen_conv *, int, uint8_t, const void *, size_t,
	    struct gen_pkt *);
void	 gen_prepare_at(struct gen_conv *, int, uint8_t, uint32_t, uint32_t,
	    const void *, size_t, struct gen_pkt *);
void	 gen_emit(struct gen_out *, const struct gen_conv *,
	    const struct gen_pkt *);
void	 gen_emit_l3(struct gen_out *, const struct gen_conv *, int,
	    const uint8_t *, size_t);
void	 gen_send(struct gen_out *, struct gen_conv *, int, uint8_t,
	    const char *);
void	 gen_open_conv(struct gen_out *, struct gen_conv *);
void	 gen_close_conv(struct gen_out *, struct gen_conv *);
void	 gen_smtp(struct gen_out *, struct gen_conv *, const char *const *);
void	 gen_frag4(struct gen_out *, const struct gen_conv *,
	    const struct gen_pkt *, size_t, const int *, int);
void	 gen_frag6(struct gen_out *, const struct gen_conv *,
	    const struct gen_pkt *, size_t, const int *, int);
void	 gen_bench(const char *, unsigned long);

/* hostile.c */
void	 gen_hostile_longline(const char *, unsigned long);
void	 gen_hostile_rcpts(const char *, unsigned long);

/* scenarios.c */
struct gen_scenario {
	const char	*file;
	void		 (*fn)(const char *);
};
extern const struct gen_scenario gen_scenarios[];

/* The session every scenario starts from. */
extern const char *const gen_session[];

#endif /* PCAPGEN_H */
