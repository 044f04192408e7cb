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
 * journalctl output, two forms (systemd.journal-fields(7) names the
 * fields):
 *
 *  -o json	one JSON object per line (json.c): MESSAGE a string, or an
 *		array of byte values when it is not UTF-8
 *  -o export	"KEY=value" lines, or a binary field: "KEY", a newline, a
 *		64-bit little-endian length, the bytes, a newline; entries
 *		are separated by an empty line
 *
 * From an entry: time = __REALTIME_TIMESTAMP (microseconds since the
 * epoch: the journal's own time, with the year and in UTC; else
 * _SOURCE_REALTIME_TIMESTAMP), host = _HOSTNAME, program =
 * SYSLOG_IDENTIFIER (else _COMM), pid = SYSLOG_PID (else _PID), message
 * = MESSAGE.  That syslog message goes to mtalog_syslog_dispatch(), and
 * the line's result is the MTA parser's: PARSE_SKIP for programs no
 * parser reads.  An entry without MESSAGE or a time, or a line that is
 * not JSON, is PARSE_BAD.
 *
 * The export form is read line by line, and mtalog never passes on empty
 * lines: an entry ends where line numbers skip (its empty line), at the
 * next "__CURSOR=", or as soon as it has all of the fields above with
 * SYSLOG_PID itself (those that follow are not needed).  Its events cite
 * the MESSAGE line.  A
 * binary field is put back together from its lines and the bytes between
 * them, counted from the offsets and read back as newlines (a CR before a
 * newline, or a line of white space, comes back as a newline).  The
 * last entry of a source is lost if it lacks one of those fields (no
 * SYSLOG_PID, say): there is no end-of-source call.
 */

#include "config.h"

#include "journald.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mtalog_int.h"
#include "source.h"
#include "syslog.h"
#include "xmalloc.h"

#define JD_VALUE_MAX	(64 * 1024)
#define JD_NAME_MAX	256

/* The fields of an export entry gathered so far. */
struct jd_entry {
	bool		 any;		/* a field was read */
	bool		 done;		/* handed on already */
	bool		 have_msg;
	bool		 have_time;
	bool		 have_stime;
	int64_t		 us;
	int64_t		 sus;		/* _SOURCE_REALTIME_... */
	int64_t		 spid;		/* SYSLOG_PID, or -1 */
	int64_t		 ppid;		/* _PID, or -1 */
	char		 host[JD_NAME_MAX];
	char		 ident[JD_NAME_MAX];
	char		 comm[JD_NAME_MAX];
	struct buf	 msg;
	struct buf	 msg_raw;	/* the MESSAGE line, for evidence */
	struct ev_ref	 msg_ref;
};

struct journald {
	struct json_obj	 obj;
	struct jd_entry	 e;
	bool		 have_last;
	uint64_t	 last_line;
	/* A binary field being read. */
	bool		 bin;
	char		 bin_key[64];
	struct buf	 bin_data;
	uint64_t	 bin_need;	/* its length once known, + 8 */
	uint64_t	 bin_start;	/* offset of its length */
	uint64_t	 bin_next;	/* offset after what was read */
	uint64_t	 bin_end;	/* where an overlong one ends */
};

/* jd_entry_reset - forget the entry read so far. */
static void
jd_entry_reset(struct jd_entry *e)
{
	e->any = e->done = e->have_msg = e->have_time = e->have_stime = false;
	e->us = e->sus = 0;
	e->spid = e->ppid = -1;
	e->host[0] = e->ident[0] = e->comm[0] = '\0';
	buf_reset(&e->msg);
	buf_reset(&e->msg_raw);
	memset(&e->msg_ref, 0, sizeof(e->msg_ref));
}

/* journald_detect - a journalctl JSON line or the start of an export. */
bool
journald_detect(struct span line)
{
	line = span_trim(line);
	if (line.n > 0 && line.p[0] == '{')
		return (span_find(line, "\"__REALTIME_TIMESTAMP\"") != NULL ||
		    (span_find(line, "\"MESSAGE\"") != NULL &&
		    span_find(line, "\"_HOSTNAME\"") != NULL));
	return (span_startswith(line, "__CURSOR=") ||
	    span_startswith(line, "__REALTIME_TIMESTAMP="));
}

/* journald_create - the parser's state. */
void *
journald_create(struct syslog_clock *clock)
{
	struct journald	*j;

	(void)clock;
	j = xcalloc(1, sizeof(*j));
	json_obj_init(&j->obj);
	buf_init(&j->e.msg, JD_VALUE_MAX);
	buf_init(&j->e.msg_raw, SOURCE_LINE_MAX);
	buf_init(&j->bin_data, JD_VALUE_MAX + 8);
	journald_begin(j);
	return (j);
}

/* journald_destroy - release the parser; NULL is fine. */
void
journald_destroy(void *v)
{
	struct journald	*j = v;

	if (j == NULL)
		return;
	json_obj_free(&j->obj);
	buf_free(&j->e.msg);
	buf_free(&j->e.msg_raw);
	buf_free(&j->bin_data);
	free(j);
}

/* journald_begin - a new source: nothing of an entry is carried over. */
void
journald_begin(void *v)
{
	struct journald	*j = v;

	jd_entry_reset(&j->e);
	j->have_last = false;
	j->bin = false;
	buf_reset(&j->bin_data);
}

/* jd_digits - a decimal number filling s, or -1. */
static int64_t
jd_digits(struct span s)
{
	int64_t	v;

	if (s.n == 0 || s.n > 19 || span_to_i64(s, &v) == -1 || v < 0 ||
	    !ASCII_ISDIGIT(s.p[0]))
		return (-1);
	return (v);
}

/* jd_copy - sp into a fixed field, cut to fit. */
static void
jd_copy(char *dst, size_t size, struct span sp)
{
	size_t	n = sp.n < size - 1 ? sp.n : size - 1;

	if (n > 0)
		memcpy(dst, sp.p, n);
	dst[n] = '\0';
}

/*
 * jd_dispatch - hand one entry on as a syslog message.  us is the time
 * in microseconds.
 */
static enum parse_result
jd_dispatch(struct mtalog *ml, const struct ev_ref *ref, ev_sink sink,
    void *arg, int64_t us, struct span host, struct span prog, int64_t pid,
    struct span msg)
{
	struct syslog_msg	sm;

	memset(&sm, 0, sizeof(sm));
	sm.form = SYSLOG_RFC3339;
	sm.form_sure = true;
	sm.time = us / 1000000;
	sm.usec = (int32_t)(us % 1000000);
	sm.host = host;
	sm.program = prog;
	sm.pid = pid;
	sm.msg = msg;
	if (prog.n == 0)
		return (PARSE_SKIP);
	return (mtalog_syslog_dispatch(ml, &sm, ref, sink, arg));
}

/* jd_json_text - a string or bytes member, or an empty span. */
static struct span
jd_json_text(const struct json_obj *o, const char *key)
{
	const struct json_field	*f = json_obj_get(o, key);

	if (f == NULL || (f->type != JSON_STRING && f->type != JSON_BYTES &&
	    f->type != JSON_NUMBER))
		return (SPAN_NULL);
	return (f->value);
}

/* jd_json - one journalctl -o json line. */
static enum parse_result
jd_json(struct journald *j, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	const struct json_field	*msg;
	struct span		 prog;
	int64_t			 us, pid;

	if (json_obj_parse(&j->obj, ref->raw) == -1)
		return (PARSE_BAD);
	msg = json_obj_get(&j->obj, "MESSAGE");
	if (msg == NULL || (msg->type != JSON_STRING &&
	    msg->type != JSON_BYTES))
		return (PARSE_BAD);
	if ((us = jd_digits(jd_json_text(&j->obj,
	    "__REALTIME_TIMESTAMP"))) < 0 &&
	    (us = jd_digits(jd_json_text(&j->obj,
	    "_SOURCE_REALTIME_TIMESTAMP"))) < 0)
		return (PARSE_BAD);
	prog = jd_json_text(&j->obj, "SYSLOG_IDENTIFIER");
	if (prog.n == 0)
		prog = jd_json_text(&j->obj, "_COMM");
	if ((pid = jd_digits(jd_json_text(&j->obj, "SYSLOG_PID"))) < 0)
		pid = jd_digits(jd_json_text(&j->obj, "_PID"));
	return (jd_dispatch(ml, ref, sink, arg, us,
	    jd_json_text(&j->obj, "_HOSTNAME"), prog, pid, msg->value));
}

/*
 * jd_ready - does the export entry have all it could want?  _PID is the
 * process that wrote to the journal, not always the one the message is
 * about, so an entry waits for SYSLOG_PID (else for its end).
 */
static bool
jd_ready(const struct jd_entry *e)
{
	return (e->have_msg && e->have_time && e->host[0] != '\0' &&
	    e->ident[0] != '\0' && e->spid >= 0);
}

/* jd_flush - hand the export entry on if it can be and was not yet. */
static enum parse_result
jd_flush(struct journald *j, struct mtalog *ml, ev_sink sink, void *arg,
    bool *sent)
{
	struct jd_entry	*e = &j->e;
	struct ev_ref	 ref;

	*sent = false;
	if (e->done || !e->have_msg || (!e->have_time && !e->have_stime))
		return (PARSE_OK);
	e->done = *sent = true;
	ref = e->msg_ref;
	ref.raw = buf_span(&e->msg_raw);
	return (jd_dispatch(ml, &ref, sink, arg, e->have_time ? e->us : e->sus,
	    span_from_cstr(e->host), span_from_cstr(e->ident[0] != '\0' ?
	    e->ident : e->comm), e->spid >= 0 ? e->spid : e->ppid,
	    buf_span(&e->msg)));
}

/*
 * jd_field - one field of an export entry, its value decoded; ref is its
 * line (NULL for a binary field, whose "KEY" line was noted already).
 */
static void
jd_field(struct journald *j, struct span key, struct span val,
    const struct ev_ref *ref)
{
	struct jd_entry	*e = &j->e;

	e->any = true;
	if (span_eq_cstr(key, "MESSAGE") && !e->have_msg) {
		buf_reset(&e->msg);
		if (buf_append_span(&e->msg, val) == -1)
			return;
		if (ref != NULL) {
			buf_reset(&e->msg_raw);
			(void)buf_append_span(&e->msg_raw, ref->raw);
			e->msg_ref = *ref;
		}
		e->have_msg = true;
	} else if (span_eq_cstr(key, "__REALTIME_TIMESTAMP") &&
	    (e->us = jd_digits(val)) >= 0)
		e->have_time = true;
	else if (span_eq_cstr(key, "_SOURCE_REALTIME_TIMESTAMP") &&
	    (e->sus = jd_digits(val)) >= 0)
		e->have_stime = true;
	else if (span_eq_cstr(key, "_HOSTNAME"))
		jd_copy(e->host, sizeof(e->host), val);
	else if (span_eq_cstr(key, "SYSLOG_IDENTIFIER"))
		jd_copy(e->ident, sizeof(e->ident), val);
	else if (span_eq_cstr(key, "_COMM"))
		jd_copy(e->comm, sizeof(e->comm), val);
	else if (span_eq_cstr(key, "SYSLOG_PID"))
		e->spid = jd_digits(val);
	else if (span_eq_cstr(key, "_PID"))
		e->ppid = jd_digits(val);
}

/* jd_key_ok - a journal field name: upper case, digits, underscores. */
static bool
jd_key_ok(struct span k)
{
	size_t	i;

	if (k.n == 0 || k.n >= 64)
		return (false);
	for (i = 0; i < k.n; i++)
		if (!(k.p[i] >= 'A' && k.p[i] <= 'Z') &&
		    !ASCII_ISDIGIT(k.p[i]) && k.p[i] != '_')
			return (false);
	return (true);
}

/*
 * jd_binary - the next line of a binary field.  The bytes between the
 * field's last line and this one (its line break, and lines mtalog left
 * out for being white space) are put back as newlines: their number is
 * exact, from the offsets.  Returns true when the field is complete.
 */
static bool
jd_binary(struct journald *j, const struct ev_ref *ref)
{
	struct buf	*b = &j->bin_data;
	uint64_t	 len = 0, fill;
	int		 i;

	fill = ref->offset > j->bin_next ? ref->offset - j->bin_next : 0;
	while (fill-- > 0)
		(void)buf_putc(b, '\n');
	(void)buf_append_span(b, ref->raw);
	j->bin_next = ref->offset + ref->raw.n;
	if (j->bin_need == 0 && b->len >= 8) {
		for (i = 7; i >= 0; i--)
			len = len << 8 | (unsigned char)b->data[i];
		if (len > JD_VALUE_MAX) {
			/* Too long to keep: skip to its end. */
			j->bin_end = j->bin_start + 8 + len;
			if (j->bin_end < j->bin_start)
				j->bin_end = UINT64_MAX;
			return (false);
		}
		j->bin_need = len + 8;
	}
	return (j->bin_need != 0 && b->len >= j->bin_need);
}

/* jd_export - one line of journalctl -o export. */
static enum parse_result
jd_export(struct journald *j, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct span		 line = ref->raw, key;
	const char		*eq;
	enum parse_result	 r = PARSE_OK, fr;
	bool			 sent;

	if (j->bin && j->bin_end != 0 && ref->offset >= j->bin_end)
		j->bin = false;		/* an overlong field ended */
	if (j->bin) {
		if (jd_binary(j, ref)) {
			j->bin = false;
			jd_field(j, span_from_cstr(j->bin_key),
			    (struct span){ j->bin_data.data + 8,
			    j->bin_need - 8 }, NULL);
			if (!j->e.done && jd_ready(&j->e))
				return (jd_flush(j, ml, sink, arg, &sent));
		}
		return (PARSE_OK);
	}
	/* An entry ends at its empty line, which mtalog skips. */
	if (j->e.any && ((j->have_last && ref->line > j->last_line + 1) ||
	    span_startswith(line, "__CURSOR="))) {
		fr = jd_flush(j, ml, sink, arg, &sent);
		if (sent)
			r = fr;
		jd_entry_reset(&j->e);
	}
	eq = memchr(line.p, '=', line.n);
	key = (struct span){ line.p, eq != NULL ? (size_t)(eq - line.p) :
	    line.n };
	if (!jd_key_ok(key))
		return (PARSE_BAD);
	if (eq == NULL) {
		/* A binary field: its length and bytes follow. */
		jd_copy(j->bin_key, sizeof(j->bin_key), key);
		j->bin = true;
		j->bin_need = j->bin_end = 0;
		j->bin_start = j->bin_next = ref->offset + ref->raw.n + 1;
		buf_reset(&j->bin_data);
		if (span_eq_cstr(key, "MESSAGE") && !j->e.have_msg) {
			j->e.msg_ref = *ref;
			buf_reset(&j->e.msg_raw);
			(void)buf_append_span(&j->e.msg_raw, ref->raw);
		}
		j->e.any = true;
		return (r);
	}
	jd_field(j, key, (struct span){ eq + 1,
	    (size_t)(line.p + line.n - eq - 1) }, ref);
	if (!j->e.done && jd_ready(&j->e)) {
		fr = jd_flush(j, ml, sink, arg, &sent);
		if (sent)
			r = fr;
	}
	return (r);
}

/*
 * journald_parse - one line of journalctl output: a JSON entry, or a line
 * of an export stream.
 */
enum parse_result
journald_parse(void *v, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct journald		*j = v;
	enum parse_result	 r;
	struct span		 t = span_trim(ref->raw);

	if (!j->bin && t.n > 0 && t.p[0] == '{')
		r = jd_json(j, ml, ref, sink, arg);
	else
		r = jd_export(j, ml, ref, sink, arg);
	j->have_last = true;
	j->last_line = ref->line;
	return (r);
}
