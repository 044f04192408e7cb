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
 * Packet captures read offline: pcap or pcapng, plain or gzip-compressed,
 * from a path or standard input, decoded and reassembled into the
 * flow_sink of flow.h.  The only user of libpcap.
 */

#ifndef PCAPIN_H
#define PCAPIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "tcpflow.h"

struct pcapin_stats {
	const char		*format;	/* "pcap" or "pcapng" */
	bool			 compressed;	/* gzip */
	bool			 swapped;	/* pcap: other byte order */
	bool			 nanosecond;	/* pcap: nanosecond magic */
	char			 linktypes[128]; /* "EN10MB" or "EN10MB,RAW" */
	uint64_t		 packets;	/* records read */
	uint64_t		 bytes;		/* captured bytes */
	uint64_t		 wire_bytes;	/* bytes on the wire */
	uint64_t		 tcp;		/* segments reassembled */
	uint64_t		 non_ip;
	uint64_t		 non_tcp;
	uint64_t		 truncated;	/* caplen < len */
	uint64_t		 implausible;	/* len > PCAPIN_WIRE_MAX */
	uint64_t		 bad;		/* caplen > len, bad headers */
	uint64_t		 unsupported;	/* of a link type not handled */
	int64_t			 first_sec;	/* time of the first record */
	uint32_t		 first_nsec;
	int64_t			 last_sec;	/* of the last record */
	uint32_t		 last_nsec;
	bool			 native;	/* libpcap refused the file */
	uint64_t		 native_from;	/* first packet read natively */
	char			 refusal[256];	/* libpcap's words */
	struct decode_stats	 decode;	/* fragments, anomalies */
	struct tcpflow_stats	 flow;		/* flows, gaps, caps */
};

/*
 * A wire length above this is no frame's: no link and no segmentation
 * offload (Linux BIG TCP: 512 KiB) makes one that large.
 */
#define PCAPIN_WIRE_MAX		(16 * 1024 * 1024)

/* A record that could not be used, or whose header cannot be true. */
struct pcapin_flag {
	uint64_t	 packet;	/* 1-based */
	const char	*kind;		/* "caplen-over-len", ... */
	const char	*what;		/* what is wrong, what is done */
	const uint8_t	*data;		/* the captured bytes */
	uint32_t	 caplen;
};

typedef void	(*pcapin_flag_fn)(void *, const struct pcapin_flag *);

struct pcapin;

struct pcapin	*pcapin_open(const char *, char *, size_t);
void		 pcapin_set_limits(struct pcapin *,
		    const struct tcpflow_limits *);
void		 pcapin_set_flag(struct pcapin *, pcapin_flag_fn, void *);
int		 pcapin_run(struct pcapin *, const struct flow_sink *,
		    struct pcapin_stats *);
const char	*pcapin_error(const struct pcapin *);
void		 pcapin_close(struct pcapin *);

#endif /* PCAPIN_H */
