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
 * The one contract between parsers/ and analyzer/.  A parser turns a log
 * line (or a reassembled SMTP stream) into zero or more events and hands
 * each to an ev_sink callback.  Every span in an event points into bytes
 * owned by the parser and is valid only for the duration of the callback:
 * a consumer that keeps anything copies it.  Spans are never assumed to be
 * NUL-terminated and hold bytes exactly as the input had them (hostile).
 *
 * Field use per type (fields not listed are empty / zero):
 *
 *  EV_CONNECT	 client_name, client_ip, client_port (0 = unknown)
 *  EV_DISCONNECT	 client_name, client_ip, counters ("ehlo=1 mail=1 ...")
 *  EV_HELO	 helo
 *  EV_TLS		 text (protocol/cipher as logged)
 *  EV_AUTH	 sasl_method, sasl_user; reply_code 0 or 2xx = success
 *  EV_AUTH_FAIL	 sasl_method, reply_code, text, sasl_user if known
 *  EV_CLIENT	 queue_id, client_name, client_ip, client_port,
 *		 sasl_method, sasl_user (Postfix "QID: client=..."; the
 *		 session's current transaction gets this queue id)
 *  EV_MAIL	 sender (wire: MAIL FROM with reply_code, text)
 *  EV_RCPT	 rcpt (wire: RCPT TO with reply_code, text)
 *  EV_REJECT	 stage ("RCPT", "DATA", "END-OF-MESSAGE", "CONNECT",
 *		 "HELO", "MAIL", "VRFY", "ETRN", ...), queue_id (empty for
 *		 NOQUEUE), client_name/ip/port, reply_code, dsn, text (the
 *		 reply text after the codes), sender, rcpt, proto, helo
 *  EV_QUEUED	 queue_id (wire: "250 ... queued as X")
 *  EV_PICKUP	 queue_id, sender, text ("uid=0")
 *  EV_MSGID	 queue_id, message_id
 *  EV_MSGINFO	 queue_id, sender, size (-1 unknown), nrcpt (-1 unknown)
 *  EV_DELIVERY	 queue_id, rcpt, orig_rcpt, relay, delay_s (-1), dsn,
 *		 status ("sent", "deferred", "bounced", "expired",
 *		 "undeliverable", "deliverable"), reply_code (0 unknown),
 *		 text (everything inside the final parentheses)
 *  EV_BOUNCE	 queue_id (original message), new_queue_id (the
 *		 notification), text ("sender non-delivery notification")
 *  EV_EXPIRED	 queue_id, sender, text
 *  EV_REMOVED	 queue_id
 *  EV_WARNING	 text; client_* when the line names a client
 *		 (e.g. "improper command pipelining after ... from ..."),
 *		 stage, and queue_id when the line has one; for policy
 *		 actions that do not refuse (reject_warning, warn) also the
 *		 EV_REJECT fields, with status the action word
 *  EV_INFO	 text: understood but not about a message (postscreen
 *		 PASS/DNSBL, daemon started, discard/hold/filter actions,
 *		 ...); client_* and queue_id if named
 *
 * EV_REJECT carries status = the action word ("reject", "milter-reject",
 * "proxy-reject"); EV_AUTH_FAIL and EV_TLS carry client_*.
 *
 * Wire events (parsers/smtpwire.c, program "smtp-wire") carry flow, the
 * connection's id within the source, client_ip/port and server_ip/port on
 * every event, ref.line = the packet number that completed the line and
 * ref.raw = the SMTP line as sent ("C: MAIL FROM:<a@b>", "S: 250 ok"),
 * with credentials replaced by "<redacted>".  Wire-only types:
 *
 *  EV_BANNER	 reply_code, text (the 220 greeting)
 *  EV_RSET	 (the transaction is abandoned)
 *  EV_DATA	 reply_code, text: the reply to end of data; queue_id
 *		 parsed from it when accepted; size (bytes as transmitted,
 *		 dot-unstuffed), text2 = SHA-256 hex of the message
 *  EV_HEADER	 stage = header name, text = value (first 998 bytes)
 *  EV_TLS	 on the wire: STARTTLS accepted, the rest is unreadable
 *  EV_GAP	 bytes missing in the capture (size = count)
 *
 * host is the syslog host (the server), program the full syslog tag
 * ("postfix-out/smtpd"), instance its part before the last '/' and
 * service its part after ("postfix-out", "smtpd"), pid the process id. *
 * copy_of is set on every event of a log line that is a second copy of an
 * earlier line of the same source, the line Exim wrote to syslog again
 * for its rejectlog (syslog_duplication; parsers/exim_logs.c says how it
 * is told from a client's repeat): that earlier line's number, one of the
 * last EV_COPY_WINDOW lines the parser took as entries.  0 otherwise.
 */

#ifndef EVENT_H
#define EVENT_H

#include <stdint.h>

#include "buf.h"

enum ev_type {
	EV_CONNECT = 1,
	EV_DISCONNECT,
	EV_HELO,
	EV_TLS,
	EV_AUTH,
	EV_AUTH_FAIL,
	EV_CLIENT,
	EV_MAIL,
	EV_RCPT,
	EV_REJECT,
	EV_QUEUED,
	EV_PICKUP,
	EV_MSGID,
	EV_MSGINFO,
	EV_DELIVERY,
	EV_BOUNCE,
	EV_EXPIRED,
	EV_REMOVED,
	EV_WARNING,
	EV_INFO,
	EV_BANNER,
	EV_RSET,
	EV_DATA,
	EV_HEADER,
	EV_GAP,
	EV__MAX
};

/* How far back (in entries) the line a copy_of names can be. */
#define EV_COPY_WINDOW	16

/* Where an event came from: the exact bytes a person can cite. */
struct ev_ref {
	uint32_t	 source;	/* index given by the caller */
	uint64_t	 line;		/* 1-based line (or packet) number */
	uint64_t	 offset;	/* byte offset of the line in the source */
	struct span	 raw;		/* the whole line, without its newline */
};

struct event {
	enum ev_type	 type;
	int64_t		 time;		/* UTC seconds since the epoch */
	int32_t		 usec;		/* microseconds, 0 if unknown */
	struct ev_ref	 ref;
	uint64_t	 copy_of;	/* 0, or the line this one copies */

	struct span	 host;
	struct span	 program;
	struct span	 instance;
	struct span	 service;
	int64_t		 pid;		/* -1 unknown */

	struct span	 queue_id;
	struct span	 new_queue_id;

	struct span	 client_name;
	struct span	 client_ip;
	uint16_t	 client_port;
	struct span	 server_ip;	/* wire: the server's address */
	uint16_t	 server_port;
	uint64_t	 flow;		/* wire: connection id in the source */
	struct span	 helo;
	struct span	 proto;

	struct span	 sasl_method;
	struct span	 sasl_user;

	struct span	 sender;	/* address as logged, without <> */
	struct span	 rcpt;
	struct span	 orig_rcpt;
	struct span	 message_id;
	int64_t		 size;
	int64_t		 nrcpt;

	struct span	 stage;
	int		 reply_code;
	struct span	 dsn;
	struct span	 status;
	struct span	 relay;
	double		 delay_s;
	struct span	 text;
	struct span	 text2;
	struct span	 counters;
};

/* A consumer of events; arg is the consumer's own state. */
typedef void	(*ev_sink)(void *arg, const struct event *);

const char	*ev_type_name(enum ev_type);
void		 ev_init(struct event *, enum ev_type);

#endif /* EVENT_H */
