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
 * The contract between TCP reassembly (tcpflow.c) and the protocol parser
 * on top of it (smtpwire.c).  Reassembly calls a flow_sink: open once per
 * connection, data with in-order bytes of one direction, gap where bytes
 * are missing, anomaly for things worth recording (overlap with different
 * data, memcap reached, ...), close once at the end.  Pointers passed to
 * the callbacks are valid only during the call.
 */

#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum flow_dir {
	FLOW_C2S = 0,		/* client to server */
	FLOW_S2C = 1		/* server to client */
};

enum flow_end {
	FLOW_END_FIN = 1,	/* both sides closed */
	FLOW_END_RST,		/* reset */
	FLOW_END_TIMEOUT,	/* idle too long */
	FLOW_END_EOF,		/* the capture ended first */
	FLOW_END_CAP		/* memory cap reached: truncated */
};

/* Where in the capture something happened. */
struct flow_pos {
	uint64_t	 packet;	/* 1-based packet number in the source */
	int64_t		 sec;		/* UTC */
	int32_t		 usec;
	uint64_t	 offset;	/* byte offset in this direction's stream */
};

struct flow_info {
	uint64_t	 id;		/* unique within the source, from 1 */
	int		 family;	/* 4 or 6 */
	char		 client_ip[46];
	char		 server_ip[46];
	uint16_t	 client_port;
	uint16_t	 server_port;
	bool		 saw_syn;	/* false: picked up mid-stream */
	struct flow_pos	 start;
};

struct flow_sink {
	void	*arg;
	/* A new connection; returns the parser's per-flow state (or NULL). */
	void	*(*open)(void *arg, const struct flow_info *);
	void	 (*data)(void *arg, void *fs, enum flow_dir, const uint8_t *,
		    size_t, const struct flow_pos *);
	void	 (*gap)(void *arg, void *fs, enum flow_dir, uint64_t,
		    const struct flow_pos *);
	void	 (*anomaly)(void *arg, void *fs, const char *,
		    const struct flow_pos *);
	void	 (*close)(void *arg, void *fs, enum flow_end,
		    const struct flow_pos *);
};

#endif /* FLOW_H */
