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
 * A pcapng block reader for the files libpcap refuses: interfaces of
 * different link types or snapshot lengths in one file, sections of
 * different byte orders.  Used by pcapin.c; knows nothing of libpcap.
 */

#ifndef PCAPNG_H
#define PCAPNG_H

#include <stdint.h>
#include <stdio.h>

/* Largest block read; libpcap's own limit is the same order. */
#define PCAPNG_BLOCK_MAX	(16 * 1024 * 1024)
#define PCAPNG_IF_MAX		65536	/* interfaces per section */

struct pcapng_pkt {
	int		 linktype;	/* LINKTYPE_* of its interface */
	uint32_t	 ifid;
	int64_t		 sec;
	uint32_t	 nsec;
	uint32_t	 caplen;
	uint32_t	 len;
	const uint8_t	*data;		/* valid until the next call */
};

struct pcapng;

struct pcapng	*pcapng_open(FILE *, char *, size_t);
int		 pcapng_next(struct pcapng *, struct pcapng_pkt *);
const char	*pcapng_error(const struct pcapng *);
void		 pcapng_close(struct pcapng *);

#endif /* PCAPNG_H */
