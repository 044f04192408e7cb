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
 * The inside of the SMTP wire parser, shared by smtpwire.c (flows and
 * detection), smtpwire_frame.c (framing, holding, events), smtpwire_cmd.c
 * (commands, the queue of commands waiting), smtpwire_reply.c (replies
 * and their events), smtpwire_msg.c (message bodies and headers) and
 * smtpwire_auth.c (SASL).
 */

#ifndef SMTPWIRE_INT_H
#define SMTPWIRE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "flow.h"
#include "smtpwire.h"

/* Bytes of reply lines kept per reply (raw and text); more are counted. */
#define SW_REPLY_MAX		4096
/* Bytes of command text kept for the commands waiting for replies. */
#define SW_PTEXT_MAX		(256 * 1024)
/* An event's ref.raw: a command, its reply, a few notes. */
#define SW_RAW_MAX		(3 * SW_REPLY_MAX + 2 * SMTPWIRE_LINE_MAX)
/* Client bytes held while a DATA, AUTH or STARTTLS reply is awaited. */
#define SW_HOLD_MAX		(64 * 1024)
#define SW_HOLD_SEGS		256
/* Detection: the longest first line and how far to look mid-stream. */
#define SW_DETECT_LINE_MAX	512
#define SW_DETECT_CLIENT_MAX	(64 * 1024)
#define SW_DETECT_SERVER_LINES	2
/* EV_WARNING events per flow; the rest are only counted. */
#define SW_WARN_MAX		32
/* RFC 5322 2.1.1: 998 octets per line; header values are cut there. */
#define SW_HDR_VALUE_MAX	998
#define SW_HDR_NAME_MAX		64
#define SW_HDR_KEEP_MAX		100
#define SW_HDR_STORE_MAX	(64 * 1024)
#define SW_HDR_SCAN_MAX		(256 * 1024)
/* Finished messages waiting for their reply that keep their headers. */
#define SW_MSG_LIVE_MAX		8
/* SASL: the longest response decoded, a user name, a mechanism name. */
#define SW_SASL_B64_MAX		4096
#define SW_SASL_USER_MAX	256
#define SW_SASL_MECH_MAX	32
/* The AUTH exchange rendered (redacted) for its event. */
#define SW_AUTH_RAW_MAX		(2 * SW_REPLY_MAX)

enum sw_state {
	SW_DETECT = 0,		/* not yet known */
	SW_SMTP,		/* SMTP in clear text */
	SW_TLS,			/* encrypted: the rest is unreadable */
	SW_OTHER		/* not SMTP: ignored */
};

/* What the client's next bytes are. */
enum sw_cmode {
	SW_C_CMD = 0,		/* command lines */
	SW_C_SASL,		/* one SASL response line (after 334) */
	SW_C_SASL_GUESS,	/* one-sided: responses until a command */
	SW_C_TLS_GUESS,		/* one-sided STARTTLS: 0x16 next? */
	SW_C_BODY,		/* DATA: the message, up to CRLF.CRLF */
	SW_C_BDAT		/* inside a BDAT chunk */
};

enum sw_verb {
	SW_V_UNKNOWN = 0,
	SW_V_HELO,
	SW_V_EHLO,
	SW_V_MAIL,
	SW_V_RCPT,
	SW_V_DATA,
	SW_V_BDAT,
	SW_V_RSET,
	SW_V_VRFY,
	SW_V_EXPN,
	SW_V_HELP,
	SW_V_NOOP,
	SW_V_QUIT,
	SW_V_STARTTLS,
	SW_V_AUTH,
	SW_V_ETRN,
	SW_V_XCLIENT,
	SW_V_XFORWARD,
	SW_V_CONNECT,		/* pseudo: the greeting answers it */
	SW_V_EOM,		/* pseudo: the end of DATA's message */
	SW_V_SASL,		/* pseudo: a SASL response line */
	SW_V__MAX
};

/* A pending command's flags. */
#define SW_P_LONG	0x01	/* the line was cut at SMTPWIRE_LINE_MAX */
#define SW_P_LAST	0x02	/* BDAT ... LAST */
#define SW_P_BAD	0x04	/* malformed arguments (BDAT size) */
#define SW_P_STARTED	0x08	/* DATA, STARTTLS: taken as accepted */

/* DATA body scanner: where in a line it is. */
#define SW_B_MID	0	/* inside a line */
#define SW_B_BOL	1	/* at the start of a line */
#define SW_B_DOT	2	/* after a dot starting a line */
#define SW_B_DOTCR	3	/* after ".\r" starting a line */

/* Verb flags and argument syntax (what resynchronising accepts). */
#define SW_K_SYNC	0x01

enum sw_syntax {
	SW_SYN_ANY = 0,
	SW_SYN_NONE,		/* no argument */
	SW_SYN_WORD,		/* one word (HELO name) */
	SW_SYN_PREFIX,		/* starts with prefix ("FROM:") */
	SW_SYN_BDAT,		/* chunk-size [LAST] */
	SW_SYN_MECH		/* a SASL mechanism name */
};

/* Header section parse state of the message being read. */
struct sw_hdr {
	bool		 active;	/* still in the header section */
	bool		 first;		/* next line is the first */
	bool		 keep;		/* the field is wanted */
	bool		 cut;		/* the line was too long */
	uint64_t	 scanned;
	struct buf	 line;		/* the physical line */
	uint64_t	 line_off;
	char		 name[SW_HDR_NAME_MAX];
	size_t		 name_len;
	char		 value[SW_HDR_VALUE_MAX];
	size_t		 value_len;
	struct flow_pos	 at;		/* the field's first line */
};

/* A message read by DATA or BDAT, until its reply is seen. */
struct sw_msg {
	int64_t		 size;		/* octets, unstuffed */
	char		 sha[65];	/* hex SHA-256 when complete */
	bool		 done;		/* the end was seen */
	bool		 gap;		/* bytes of it are missing */
	bool		 keep;		/* headers are stored */
	bool		 sink_open;	/* the body sink has begun it */
	uint32_t	 nhdrs;
	struct buf	 hdrs;		/* see sw_hdr_flush() */
	struct buf	 prefix;	/* "C: DATA\nS: 354 ..." */
	struct flow_pos	 end;		/* the line that ended it */
	struct sw_hdr	 hdr;		/* while it is being read */
};

/* A command waiting for its reply. */
struct sw_pend {
	enum sw_verb	 verb;
	uint8_t		 flags;
	uint32_t	 toff;		/* its text in the flow's ptext */
	uint32_t	 tlen;
	int64_t		 size;		/* BDAT: chunk size */
	struct sw_msg	*msg;		/* EOM, BDAT LAST: owned */
	struct flow_pos	 at;		/* offset: the line's */
};

/* A server reply being assembled. */
struct sw_reply {
	int		 code;
	uint32_t	 nlines;
	uint32_t	 dropped;	/* lines past SW_REPLY_MAX */
	struct buf	 lines;		/* "S: ..." lines, \n */
	struct buf	 text;		/* line texts joined with \n */
	char		 dsn[16];	/* of the first line */
	struct flow_pos	 first;
	struct flow_pos	 at;		/* its last packet */
};

/* One direction's framing. */
struct sw_dir {
	struct buf	 line;		/* a line across packets */
	uint64_t	 line_off;	/* stream offset of its first byte */
	uint64_t	 line_pkt;	/* the packet of its first byte */
	uint64_t	 bytes;		/* bytes delivered */
	uint64_t	 lines;
	bool		 skip;		/* discarding to an LF */
	bool		 cut;		/* the line was too long */
	bool		 cut_warned;	/* ... and was flagged then */
};

struct sw_hold_seg {
	size_t		 len;
	struct flow_pos	 pos;
};

/* The SASL exchange of one AUTH command. */
struct sw_auth {
	bool		 active;
	int		 mech;		/* SW_M_* in smtpwire_auth.c */
	int		 step;		/* responses sent */
	bool		 want_pass;	/* LOGIN: the next response */
	char		 mech_name[SW_SASL_MECH_MAX];
	size_t		 mech_len;
	char		 user[SW_SASL_USER_MAX];
	size_t		 user_len;
	struct buf	 raw;		/* redacted transcript */
	struct flow_pos	 at;		/* the AUTH command */
};


struct sw_flow;

/* The parser of one source. */
struct smtpwire {
	ev_sink			 sink;
	void			*arg;
	uint32_t		 source;
	struct smtpwire_body	 body;
	bool			 has_body;
	struct smtpwire_stats	 st;
	struct sw_flow		*flows;		/* open ones */
	struct buf		 raw;		/* ref.raw of an event */
	struct buf		 raw2;		/* while raw is used */
};

struct sw_flow {
	struct smtpwire	*sw;
	struct sw_flow	*prev, *next;
	struct flow_info info;
	enum sw_state	 state;
	bool		 gapped;	/* a gap before detection */
	uint64_t	 detect_lines[2];
	struct sw_dir	 d[2];

	/* Client side. */
	enum sw_cmode	 cmode;
	bool		 resync;	/* after a gap or mid-stream */
	bool		 unsure;	/* replies may be for lost ones */
	bool		 blocked;	/* holding bytes for a reply */
	bool		 replay;	/* release the hold when possible */
	struct buf	 hold;
	size_t		 hold_off;	/* held bytes already read */
	struct sw_hold_seg *hsegs;	/* SW_HOLD_SEGS, on first use */
	size_t		 nhsegs;
	size_t		 hseg_first;	/* the first not read */
	bool		 quit;		/* QUIT was sent */
	bool		 banner_seen;
	uint32_t	 nrcpt_ok;	/* RCPTs accepted so far */

	/* The message being read. */
	struct sw_msg	*msg;		/* or a pend's, BDAT LAST */
	bool		 msg_owned;	/* msg is not in the queue yet */
	void		*md;		/* EVP_MD_CTX */
	int		 b_state;	/* DATA body scanner, SW_B_* */
	bool		 b_crlf;	/* the last line ended in CRLF */
	bool		 b_lastcr;	/* the last byte scanned was CR */
	uint64_t	 b_dot_off;	/* stream offset of the dot line */
	int64_t		 bdat_left;
	bool		 bdat_last;
	uint32_t	 msgs_live;

	/* Commands waiting for replies. */
	struct sw_pend	*q;
	size_t		 qcap, qhead, qlen;
	struct buf	 ptext;
	uint64_t	 skip_replies;	/* replies of evicted commands */

	/* Server side. */
	struct sw_reply	 r;

	struct sw_auth	 auth;

	uint32_t	 cnt_total[SW_V__MAX];
	uint32_t	 cnt_ok[SW_V__MAX];
	uint64_t	 unreadable;
	uint32_t	 warnings;
};

struct sw_reply;

/* A verb: name, resync syntax, reply classes, client and reply handlers. */
struct sw_cmd {
	const char	*name;
	uint8_t		 flags;
	enum sw_syntax	 syntax;
	const char	*prefix;
	uint8_t		 classes;	/* bit n: a reply n.. fits */
	int		 ok_code;	/* the 2xx it gets, if only one */
	const char	*ok_dsn;	/* the enhanced code of that 2xx */
	int		 anchor;	/* a reply only it gets (354, 334) */
	void		 (*cmd)(struct sw_flow *, struct sw_pend *,
			    struct span);
	void		 (*reply)(struct sw_flow *, struct sw_pend *,
			    const struct sw_reply *);
};

extern const struct sw_cmd sw_cmds[SW_V__MAX];

/* smtpwire.c */
void	 sw_detect_line(struct sw_flow *, enum flow_dir, struct span,
	    const struct flow_pos *, bool);
void	 sw_go_tls(struct sw_flow *);
void	 sw_resync(struct sw_flow *);

/* smtpwire_frame.c */
void	 sw_event(struct sw_flow *, struct event *, enum ev_type,
	    const struct flow_pos *);
void	 sw_emit(struct sw_flow *, struct event *);
void	 sw_warn(struct sw_flow *, const struct flow_pos *, const char *,
	    const char *, const char *, struct span);
void	 sw_client_input(struct sw_flow *, const uint8_t *, size_t,
	    const struct flow_pos *);
void	 sw_hold_release(struct sw_flow *);
void	 sw_hold_drop(struct sw_flow *);
void	 sw_server_input(struct sw_flow *, const uint8_t *, size_t,
	    const struct flow_pos *);
void	 sw_unreadable(struct sw_flow *, size_t);
void	 sw_line(struct sw_flow *, enum flow_dir, struct span,
	    const struct flow_pos *, bool);
void	 sw_line_smtp(struct sw_flow *, enum flow_dir, struct span,
	    const struct flow_pos *, bool);
bool	 sw_server_silent(const struct sw_flow *);
void	 sw_raw_reset(struct buf *);
void	 sw_raw_put(struct buf *, struct span);
void	 sw_raw_line(struct buf *, const char *, struct span);
void	 sw_raw_note(struct buf *, const char *);

/* smtpwire_cmd.c */
enum sw_verb sw_verb_lookup(struct span, struct span *);
bool	 sw_verb_sync(enum sw_verb, struct span);
const char *sw_verb_name(enum sw_verb);
int	 sw_bdat_parse(struct span, int64_t *, bool *);
void	 sw_client_line(struct sw_flow *, struct span,
	    const struct flow_pos *, bool);
struct sw_pend *sw_queue(struct sw_flow *, enum sw_verb, struct span,
	    const struct flow_pos *);
void	 sw_queue_flush(struct sw_flow *);
void	 sw_pop(struct sw_flow *);
struct span sw_pend_text(const struct sw_flow *, const struct sw_pend *);
struct span sw_pend_arg(const struct sw_flow *, const struct sw_pend *);
void	 sw_data_start(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_data_assume(struct sw_flow *, struct sw_pend *);

/* smtpwire_reply.c */
bool	 sw_reply_like(struct span);
void	 sw_server_line(struct sw_flow *, struct span,
	    const struct flow_pos *, bool);
void	 sw_reply_reset(struct sw_reply *);
void	 sw_reply_fields(struct event *, const struct sw_reply *);
void	 sw_raw_reply(struct buf *, const struct sw_reply *);
void	 sw_answer(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_counters(const struct sw_flow *, struct buf *);
struct span sw_queue_id(struct span);
void	 sw_r_banner(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_info(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_helo(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_mail(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_rcpt(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_data(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_eom(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_bdat(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_rset(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_r_starttls(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_tls_assumed(struct sw_flow *);

/* smtpwire_msg.c */
void	 sw_msg_begin(struct sw_flow *);
void	 sw_msg_finish(struct sw_flow *, const struct flow_pos *);
void	 sw_msg_free(struct sw_flow *, struct sw_msg *);
void	 sw_msg_headers(struct sw_flow *, const struct sw_msg *);
struct span sw_msg_msgid(const struct sw_msg *);
size_t	 sw_body_data(struct sw_flow *, const uint8_t *, size_t,
	    const struct flow_pos *);
size_t	 sw_bdat_data(struct sw_flow *, const uint8_t *, size_t,
	    const struct flow_pos *);
void	 sw_bdat_end(struct sw_flow *, const struct flow_pos *);
void	 sw_msg_gap(struct sw_flow *, uint64_t);
void	 sw_msg_close(struct sw_flow *, const struct flow_pos *);

/* smtpwire_auth.c */
void	 sw_auth_command(struct sw_flow *, struct span,
	    const struct flow_pos *);
void	 sw_auth_response(struct sw_flow *, struct span,
	    const struct flow_pos *);
void	 sw_auth_reply(struct sw_flow *, struct sw_pend *,
	    const struct sw_reply *);
void	 sw_auth_reset(struct sw_auth *);
int	 sw_b64_decode(struct span, uint8_t *, size_t, size_t *);
bool	 sw_b64_like(struct span);

#endif /* SMTPWIRE_INT_H */
