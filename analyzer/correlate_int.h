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
 * Inside the correlator: the open sessions, messages and recipients it
 * holds, shared by correlate.c (log events) and correlate_wire.c (events
 * from captures, and joining log rows to wire rows).
 */

#ifndef CORRELATE_INT_H
#define CORRELATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "correlate.h"
#include "evblock.h"
#include "event.h"
#include "hmap.h"

struct locality;
struct store;
struct sqlite3_stmt;

#define CORR_RECENT	64
#define CORR_EVBATCH	32	/* evidence rows per INSERT */

/*
 * Rows are written once where they can be: a session, message or
 * recipient first seen in this run gets its id at once (evidence rows
 * name it) and its row when it is written (at its close, or at the
 * checkpoint before its source is committed), fresh until then.  Rows
 * read back from the store (joined, resumed) are updated.
 */
/* Bytes kept as an event gave them (NULs and all), NULL when empty. */
struct cbytes {
	char		*p;
	size_t		 n;
};

struct crcpt {
	char		*orig;		/* as the client gave it */
	char		*final;		/* after rewriting */
	int64_t		 id;
	int		 attempts;
	bool		 refused;	/* last outcome was a refusal */
	bool		 fresh;		/* no row yet */
	bool		 dirty;		/* changed since its row was written */
	bool		 blocklisted;
	const char	*outcome;	/* a string constant */
	int		 reply_code;
	struct cbytes	 stage;
	struct cbytes	 reply_text;
	struct cbytes	 dsn;
	struct cbytes	 relay;
	int64_t		 first_epoch;
	int64_t		 last_epoch;
};

struct rindex;

struct cmsg {
	int64_t		 id;
	char		*key;		/* server NUL queue id */
	size_t		 klen;
	char		*server;
	int64_t		 session_id;
	const char	*origin;
	int64_t		 parent_id;
	char		*client_ip;
	char		*client_name;
	char		*helo;
	char		*auth_user;
	char		*sender_raw;	/* NULL unknown, "" null sender */
	int64_t		 size;
	int64_t		 nrcpt;
	char		*message_id;
	bool		 accepted;
	bool		 removed;
	bool		 adopted;	/* row made from a capture */
	const char	*evidence;	/* "log", "wire", "both" */
	char		*queue_id;	/* wire: once the server queued it */
	char		*subject;
	char		*header_from;
	char		*body_sha256;
	int64_t		 last_epoch;
	int64_t		 first_epoch;
	bool		 fresh;		/* no row yet */
	struct crcpt	*rcpts;
	size_t		 nrcpts;
	size_t		 rcap;
	struct rindex	*ri;		/* over rcpts, once there are many */
};

struct csess {
	int64_t		 id;
	char		*key;
	size_t		 klen;
	char		*client_ip;
	int64_t		 client_port;
	char		*client_name;
	char		*helo;
	char		*auth_method;
	char		*auth_user;
	char		*counters;
	bool		 tls;
	int64_t		 auth_failures;
	int64_t		 end_epoch;
	int64_t		 messages;
	int64_t		 rejects;
	const char	*kind;		/* "log", "wire", "both" */
	char		*banner;
	bool		 unreadable;
	bool		 incomplete;
	bool		 wire;		/* events come from a capture */
	bool		 resumed;	/* row written by another log or run */
	int64_t		 last_adopted;	/* last wire transaction joined */
	struct cmsg	*attempt;	/* current refused transaction */
	bool		 fresh;		/* no row yet: what only the insert sets */
	char		*server;
	char		*program;
	int64_t		 pid;
	int64_t		 start_epoch;
	uint64_t	 flow;
	char		*server_ip;
	int64_t		 server_port;
	int64_t		 source;	/* the source that opened it */
	bool		 implicit;	/* opened by a line after connect */
};

/* The rows one line of the source being read went to. */
struct corr_dup_line {
	uint64_t		 line;		/* 0: none */
	int64_t			 session;
	int64_t			 message;
};

/* Lines remembered to recognise their copies in another file. */
struct corr_dup_slot;
struct corr_dup {
	struct corr_dup_slot	*slots;
	size_t			 cap;		/* power of two, or 0 */
	size_t			 used;
	bool			 full;		/* said so once */
	bool			 seeded;	/* earlier runs' lines read */
	bool			 main;		/* this source has arrivals */
	bool			 order_told;	/* warned: rejectlog first */
	/* This source's last refusal lines, for their copies (copy_of). */
	struct corr_dup_line	 lines[EV_COPY_WINDOW];
	size_t			 nlines;	/* the next slot */
	/* The line being handled: its place, and what was decided. */
	int64_t			 source;
	uint64_t		 line;
	uint64_t		 offset;
	uint64_t		 hash;
	bool			 decided;
	bool			 copy;		/* evidence only */
	bool			 syslog_copy;	/* of a line of this source */
	bool			 record;	/* remember after handling */
	int64_t			 session;	/* the first copy's rows */
	int64_t			 message;
};

struct corr {
	struct store		*st;
	int64_t			 source_id;
	struct hmap		 sessions;
	struct hmap		 messages;
	struct buf		 key;
	struct corr_stats	 stats;
	bool			 have_wire;	/* wire rows to join */
	int64_t			 file_id;	/* the first source of the file
						   the source continues */
	bool			 resumable;	/* a message row to resume */
	bool			 resume_known;
	int			 have_txn_log;	/* logged transactions to
						   join: -1 not known yet */
	struct sqlite3_stmt	*join_logged;	/* corr_join_logged's query */
	char			 source_tag[24];	/* keys flows */
	/* Sessions just closed, for the notes logged after the close. */
	struct {
		char		 ip[46];
		uint16_t	 port;
		int64_t		 id;
	}			 recent[CORR_RECENT];
	size_t			 nrecent;
	/* The last evidence row written, so one line is stored once. */
	uint64_t		 ev_line;
	uint64_t		 ev_offset;
	int64_t			 ev_session;
	int64_t			 ev_message;
	int64_t			 ev_source;
	/* Evidence rows not yet written: one INSERT for CORR_EVBATCH. */
	struct {
		int64_t		 source;
		int64_t		 line;
		int64_t		 offset;
		int64_t		 epoch;
		const char	*event;
		int64_t		 session;
		int64_t		 message;
		int64_t		 block;		/* where its line is */
		size_t		 pos;
		size_t		 len;
	}			 evb[CORR_EVBATCH];
	size_t			 nevb;
	struct evblock		 evblk;		/* the lines, compressed */
	struct sqlite3_stmt	*evins;		/* the CORR_EVBATCH-row INSERT */
	/* Judging recipients as they are written (NULL: not judged). */
	const struct locality	*loc;
	/* The next row ids, from the store at each source. */
	int64_t			 next_session;
	int64_t			 next_message;
	int64_t			 next_rcpt;
	struct corr_dup		 dup;
};


void		 corr_set_str(char **, struct span);
void		 corr_fill_str(char **, struct span);
void		 corr_copy_str(char **, const char *);
void		 corr_evidence(struct corr *, const struct event *, int64_t,
		    int64_t);
void		 corr_evidence_flush(struct corr *);
void		 corr_evidence_rows(struct corr *);
struct cmsg	*corr_msg_new(struct corr *, const struct event *,
		    const char *, int64_t, bool);
void		 corr_msg_write(struct corr *, struct cmsg *);
void		 corr_msg_free(struct cmsg *);
void		 corr_rcpt_added(struct cmsg *);
struct crcpt	*corr_msg_rcpt(struct corr *, struct cmsg *,
		    const struct event *, struct span, struct span);
void		 corr_rcpt_update(struct corr *, struct crcpt *,
		    const struct event *, const char *, bool);
struct csess	*corr_sess_get(struct corr *, const struct event *);
struct csess	*corr_sess_open(struct corr *, const struct event *);
void		 corr_sess_close(struct corr *, struct csess *);
void		 corr_sess_close_attempt(struct corr *, struct csess *);
void		 corr_sess_end(struct corr *, const struct event *);
void		 corr_msg_from_session(struct cmsg *, const struct csess *);

/* correlate_dup.c */
bool		 corr_dup_taken(struct corr *, const struct event *);
void		 corr_dup_done(struct corr *, const struct event *);
bool		 corr_dup_adopt(const struct corr *, const struct csess *,
		    const struct event *);
void		 corr_dup_free(struct corr *);

/* correlate_join.c */
void		 corr_wire_event(struct corr *, const struct event *);
bool		 corr_adopt_session(struct corr *, struct csess *,
		    const struct event *);
struct cmsg	*corr_adopt_message(struct corr *, const struct event *,
		    struct span);
struct cmsg	*corr_adopt_refused(struct corr *, struct csess *,
		    const struct event *);
void		 corr_check_wire(struct corr *);
struct cmsg	*corr_adopt_txn(struct corr *, struct csess *,
		    const struct event *);
struct cmsg	*corr_resume_message(struct corr *, const struct event *,
		    struct span);
bool		 corr_resume_session(struct corr *, struct csess *,
		    const struct event *);
struct cmsg	*corr_join_logged(struct corr *, const struct event *);

#endif /* CORRELATE_INT_H */
