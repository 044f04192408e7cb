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
 * SMTP on the wire: the two reassembled byte streams of a TCP connection
 * (flow.h) turned into events (event.h, "Wire events").  smtpwire_new()
 * makes a parser for one source; smtpwire_flow_sink() gives the callbacks
 * TCP reassembly drives, one per-flow state per connection.  Flows that
 * are not SMTP are recognised from their first line and ignored.  The
 * events and their fields are listed at the top of smtpwire.c.
 */

#ifndef SMTPWIRE_H
#define SMTPWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "flow.h"

/* RFC 5321 4.5.3.1.6 says 1000 octets; this many are taken, then cut. */
#define SMTPWIRE_LINE_MAX	4096
/* Commands waiting for their replies (RFC 2920 pipelining). */
#define SMTPWIRE_PENDING_MAX	1000

struct smtpwire;

struct smtpwire_stats {
	uint64_t	 flows;		/* connections offered */
	uint64_t	 smtp_flows;	/* recognised as SMTP */
	uint64_t	 other_flows;	/* not SMTP (or silent): ignored */
	uint64_t	 midstream_flows; /* SMTP picked up without the start */
	uint64_t	 tls_flows;	/* STARTTLS or implicit TLS */
	uint64_t	 gaps;		/* holes reported by reassembly */
	uint64_t	 gap_bytes;
	uint64_t	 bad_lines;	/* long, bare CR, NUL, bad reply */
	uint64_t	 commands;	/* client lines taken as commands */
	uint64_t	 replies;	/* complete server replies */
	uint64_t	 unpaired;	/* replies nothing waited for */
	uint64_t	 unanswered;	/* commands without a reply */
	uint64_t	 skipped_lines;	/* dropped resynchronising */
	uint64_t	 messages;	/* message bodies read to their end */
	uint64_t	 incomplete;	/* bodies cut by a gap or the end */
	uint64_t	 auth;		/* AUTH exchanges */
	uint64_t	 unreadable_bytes; /* after TLS started */
	uint64_t	 other_bytes;	/* in flows that are not SMTP */
	uint64_t	 anomalies;	/* reported by reassembly */
	uint64_t	 warnings;	/* anomalies (EV_WARNING) */
	uint64_t	 events;	/* events handed to the sink */
};

/*
 * Optional: the bytes of each message as transmitted (dot-unstuffed, or
 * the BDAT chunks), for writing it out.  begin and end bracket one
 * message of a flow; end gets the SHA-256 in hex (the EV_DATA text2), or
 * NULL when the message is incomplete.
 */
struct smtpwire_body {
	void	*arg;
	void	 (*begin)(void *arg, uint64_t flow);
	void	 (*data)(void *arg, uint64_t flow, const uint8_t *, size_t);
	void	 (*end)(void *arg, uint64_t flow, const char *sha256);
};

struct smtpwire	*smtpwire_new(ev_sink, void *, uint32_t);
void		 smtpwire_free(struct smtpwire *);
struct flow_sink smtpwire_flow_sink(struct smtpwire *);
void		 smtpwire_set_body(struct smtpwire *,
		    const struct smtpwire_body *);
const struct smtpwire_stats *smtpwire_stats(const struct smtpwire *);

#endif /* SMTPWIRE_H */
