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
 * The Exchange 2000/2003 message tracking log (SERVER.log\yyyymmdd.log,
 * Microsoft KB 246965): tab separated, one line per event per recipient,
 * under a header of comment lines:
 *
 *	# Message Tracking Log File
 *	# Exchange System Attendant Version 6.5.7638.1
 *	# Date<TAB>Time<TAB>client-ip<TAB>Client-hostname<TAB>...
 *
 * (the column list may also come as "#Fields: ...").  Date and Time are
 * GMT, written "2006-10-9" and "5:0:15 GMT".  Columns are found by name.
 *
 * Every event has program "exchange2003/msgtrk" (service "msgtrk"), pid
 * -1, host = Server-hostname (its first label), queue_id = MSGID without
 * <>, the key of a message in these logs (and in the IIS W3C log's DATA
 * line).  Per Event-ID (KB 821905 lists them):
 *
 *  1019 (SMTP submit	first line of a MSGID: EV_CLIENT (client_ip,
 *  message to AQ),	client_name, server_ip, proto "SMTP") when
 *  1027 (submit from	client-ip is given and the event is 1019, else
 *  the store), 1000	EV_PICKUP (sender, text "STORE"); or EV_BOUNCE
 *  (local delivery,	(queue_id = Linked-MSGID, new_queue_id = MSGID)
 *  Exchange 2000)	for a report the server made about another
 *			message.  Then EV_MSGID, EV_MSGINFO (sender =
 *			Sender-Address, null for a report; size =
 *			total-bytes; nrcpt = Number-Recipients).  Every
 *			1019 line: EV_RCPT (rcpt, stage "RECEIVE")
 *  1031 (SMTP end	EV_DELIVERY status "sent", relay =
 *  outbound transfer)	"Client-hostname[client-ip]": the remote side
 *  1028 (store driver	EV_DELIVERY status "sent", relay = Server-hostname
 *  local delivery),	(a local mailbox)
 *  1023, 1000
 *  1030 (NDR all)	EV_DELIVERY status "bounced", relay "none"
 *  1037 (retry local	EV_DELIVERY status "deferred", relay "none"
 *  delivery)
 *  other numbers	EV_INFO (text = Event-ID, rcpt): 1020, 1033, ...
 *
 * A line whose Event-ID is not a number, or whose time is not a time, is
 * PARSE_BAD.  Which MSGIDs were seen is remembered in a bounded table.
 */

#include "config.h"

#include "iis.h"

#include <stdlib.h>
#include <string.h>

#include "msft.h"
#include "source.h"
#include "xmalloc.h"

#define TRACK_TAB_MAX	50000
#define TRACK_TMP_MAX	1024

enum track_col {
	TC_DATE,
	TC_TIME,
	TC_CLIENT_IP,
	TC_CLIENT_HOSTNAME,
	TC_SERVER_HOSTNAME,
	TC_SERVER_IP,
	TC_RECIPIENT_ADDRESS,
	TC_EVENT_ID,
	TC_MSGID,
	TC_TOTAL_BYTES,
	TC_NUMBER_RECIPIENTS,
	TC_LINKED_MSGID,
	TC_SENDER_ADDRESS,
	TC__MAX
};

static const char *const track_col_names[TC__MAX] = {
	[TC_DATE] = "date",
	[TC_TIME] = "time",
	[TC_CLIENT_IP] = "client-ip",
	[TC_CLIENT_HOSTNAME] = "client-hostname",
	[TC_SERVER_HOSTNAME] = "server-hostname",
	[TC_SERVER_IP] = "server-ip",
	[TC_RECIPIENT_ADDRESS] = "recipient-address",
	[TC_EVENT_ID] = "event-id",
	[TC_MSGID] = "msgid",
	[TC_TOTAL_BYTES] = "total-bytes",
	[TC_NUMBER_RECIPIENTS] = "number-recipients",
	[TC_LINKED_MSGID] = "linked-msgid",
	[TC_SENDER_ADDRESS] = "sender-address",
};

/* KB 246965's columns, for a log whose header is missing. */
static const char *const track_default[] = {
	"date", "time", "client-ip", "client-hostname", "partner-name",
	"server-hostname", "server-ip", "recipient-address", "event-id",
	"msgid", "priority", "recipient-report-status", "total-bytes",
	"number-recipients", "origination-time", "encryption",
	"service-version", "linked-msgid", "message-subject",
	"sender-address", NULL
};

struct track {
	struct msft_fields	 fields;
	int			 col[TC__MAX];
	struct msft_row		 row;
	struct msft_tab		*seen;		/* server, MSGID */
	char			 tmp[TRACK_TMP_MAX];
};

/* track_get - column c of the current row, "-" read as empty. */
static struct span
track_get(const struct track *tr, enum track_col c)
{
	struct span	s = span_trim(msft_row_get(&tr->row, tr->col[c]));

	if (s.n == 1 && s.p[0] == '-')
		s.n = 0;
	return (s);
}

/* track_unbracket - s without one pair of surrounding angle brackets. */
static struct span
track_unbracket(struct span s)
{
	if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>') {
		s.p++;
		s.n -= 2;
	}
	return (s);
}

/* track_map - the columns by name; -1 without the ones every row needs. */
static int
track_map(struct track *tr)
{
	size_t	i;

	for (i = 0; i < TC__MAX; i++)
		tr->col[i] = msft_fields_index(&tr->fields,
		    track_col_names[i]);
	if (tr->col[TC_DATE] < 0 || tr->col[TC_TIME] < 0 ||
	    tr->col[TC_EVENT_ID] < 0 || tr->col[TC_MSGID] < 0)
		return (-1);
	return (0);
}

/*
 * iis_track_detect - the tracking log's first header lines, or its
 * column list.
 */
bool
iis_track_detect(struct span line)
{
	line = msft_bom(line);
	return (span_startswith(line, "# Message Tracking Log File") ||
	    span_startswith(line, "# Exchange System Attendant Version") ||
	    (span_startswith(line, "# Date\tTime\t") &&
	    span_find(line, "Event-ID") != NULL));
}

/* iis_track_create - the parser's state. */
void *
iis_track_create(struct syslog_clock *clock)
{
	struct track	*tr;

	(void)clock;
	tr = xcalloc(1, sizeof(*tr));
	msft_row_init(&tr->row, SOURCE_LINE_MAX);
	tr->seen = msft_tab_new(TRACK_TAB_MAX);
	iis_track_begin(tr);
	return (tr);
}

/* iis_track_destroy - release the parser; NULL is fine. */
void
iis_track_destroy(void *v)
{
	struct track	*tr = v;

	if (tr == NULL)
		return;
	msft_row_free(&tr->row);
	msft_tab_free(tr->seen, free);
	free(tr);
}

/* iis_track_begin - a new source: KB 246965's columns until a header. */
void
iis_track_begin(void *v)
{
	struct track	*tr = v;

	msft_fields_set(&tr->fields, track_default);
	(void)track_map(tr);
}

/* track_event - an event of type t with the row's common fields. */
static void
track_event(const struct track *tr, struct event *ev, enum ev_type t,
    const struct ev_ref *ref, int64_t time, struct span qid)
{
	struct span	h = track_get(tr, TC_SERVER_HOSTNAME);
	size_t		i;

	for (i = 0; i < h.n && h.p[i] != '.'; i++)
		;
	ev_init(ev, t);
	ev->time = time;
	ev->ref = *ref;
	ev->host = (struct span){ h.p, i };
	ev->program = SPAN_LIT("exchange2003/msgtrk");
	ev->instance = SPAN_LIT("exchange2003");
	ev->service = SPAN_LIT("msgtrk");
	ev->queue_id = qid;
}

/* track_first - the first line of a message: who or what sent it. */
static void
track_first(struct track *tr, const struct ev_ref *ref, int64_t t,
    struct span qid, int64_t id, ev_sink sink, void *arg)
{
	struct event	ev;
	struct span	linked, sender;
	int64_t		v;

	linked = track_unbracket(track_get(tr, TC_LINKED_MSGID));
	sender = track_unbracket(track_get(tr, TC_SENDER_ADDRESS));
	if (linked.n > 0 && !span_eq(linked, qid)) {
		track_event(tr, &ev, EV_BOUNCE, ref, t, linked);
		ev.new_queue_id = qid;
		ev.text = track_get(tr, TC_EVENT_ID);
		sender = (struct span){ "", 0 };
	} else if (id == 1019 && track_get(tr, TC_CLIENT_IP).n > 0) {
		track_event(tr, &ev, EV_CLIENT, ref, t, qid);
		ev.client_ip = track_get(tr, TC_CLIENT_IP);
		ev.client_name = track_get(tr, TC_CLIENT_HOSTNAME);
		ev.server_ip = track_get(tr, TC_SERVER_IP);
		ev.proto = SPAN_LIT("SMTP");
	} else {
		track_event(tr, &ev, EV_PICKUP, ref, t, qid);
		ev.sender = sender;
		ev.text = SPAN_LIT("STORE");
	}
	sink(arg, &ev);
	track_event(tr, &ev, EV_MSGID, ref, t, qid);
	ev.message_id = qid;
	sink(arg, &ev);
	track_event(tr, &ev, EV_MSGINFO, ref, t, qid);
	ev.sender = sender;
	if (span_to_i64(track_get(tr, TC_TOTAL_BYTES), &v) == 0 && v >= 0)
		ev.size = v;
	if (span_to_i64(track_get(tr, TC_NUMBER_RECIPIENTS), &v) == 0 &&
	    v >= 0)
		ev.nrcpt = v;
	sink(arg, &ev);
}

/* track_row - one tracking line into events. */
static enum parse_result
track_row(struct track *tr, const struct ev_ref *ref, ev_sink sink,
    void *arg)
{
	struct event	 ev;
	struct span	 qid, rcpt, h, ip;
	char		*one;
	int64_t		 t, id;
	int32_t		 us;
	uint64_t	 key;
	size_t		 n;

	if (msft_ymd_hms(track_get(tr, TC_DATE), track_get(tr, TC_TIME), &t,
	    &us) == -1 ||
	    span_to_i64(track_get(tr, TC_EVENT_ID), &id) == -1 || id < 0)
		return (PARSE_BAD);
	qid = track_unbracket(track_get(tr, TC_MSGID));
	rcpt = track_unbracket(track_get(tr, TC_RECIPIENT_ADDRESS));
	if (qid.n == 0)
		return (PARSE_BAD);
	h = track_get(tr, TC_SERVER_HOSTNAME);
	key = msft_hash(msft_hash(0, h), SPAN_LIT("\n"));
	key = msft_hash(key, qid);
	if ((id == 1019 || id == 1027 || id == 1000) &&
	    msft_tab_get(tr->seen, key) == NULL) {
		one = xstrdup("1");
		if (msft_tab_put(tr->seen, key, one) == -1) {
			msft_tab_clear(tr->seen, free);
			(void)msft_tab_put(tr->seen, key, one);
		}
		track_first(tr, ref, t, qid, id, sink, arg);
	}
	track_event(tr, &ev, EV_INFO, ref, t, qid);
	ev.rcpt = rcpt;
	switch (id) {
	case 1019:
		ev.type = EV_RCPT;
		ev.stage = SPAN_LIT("RECEIVE");
		break;
	case 1031:
		ev.type = EV_DELIVERY;
		ev.status = SPAN_LIT("sent");
		h = track_get(tr, TC_CLIENT_HOSTNAME);
		ip = track_get(tr, TC_CLIENT_IP);
		n = h.n + ip.n + 2;
		if (n <= sizeof(tr->tmp)) {
			if (h.n > 0)
				memcpy(tr->tmp, h.p, h.n);
			tr->tmp[h.n] = '[';
			if (ip.n > 0)
				memcpy(tr->tmp + h.n + 1, ip.p, ip.n);
			tr->tmp[n - 1] = ']';
			ev.relay = (struct span){ tr->tmp, n };
		}
		break;
	case 1000:
	case 1023:
	case 1028:
		ev.type = EV_DELIVERY;
		ev.status = SPAN_LIT("sent");
		ev.relay = ev.host.n > 0 ? ev.host : SPAN_LIT("local");
		break;
	case 1030:
		ev.type = EV_DELIVERY;
		ev.status = SPAN_LIT("bounced");
		ev.relay = SPAN_LIT("none");
		break;
	case 1037:
		ev.type = EV_DELIVERY;
		ev.status = SPAN_LIT("deferred");
		ev.relay = SPAN_LIT("none");
		break;
	default:
		ev.text = track_get(tr, TC_EVENT_ID);
		break;
	}
	if (ev.type == EV_DELIVERY && rcpt.n == 0)
		return (PARSE_BAD);
	sink(arg, &ev);
	return (PARSE_OK);
}

/*
 * iis_track_parse - one line of an Exchange 2000/2003 tracking log: a
 * header line (a column list is read) or a row.
 */
enum parse_result
iis_track_parse(void *v, struct mtalog *ml, const struct ev_ref *ref,
    ev_sink sink, void *arg)
{
	struct track	*tr = v;
	struct span	 line = msft_bom(ref->raw), list;

	(void)ml;
	if (line.n > 0 && line.p[0] == '#') {
		list = (struct span){ line.p + 1, line.n - 1 };
		if (span_startswith(line, "#Fields:"))
			list = (struct span){ line.p + 8, line.n - 8 };
		else if (!span_startswith(span_trim(list), "Date\t") &&
		    !span_startswith(span_trim(list), "Date "))
			return (PARSE_OK);
		if (msft_fields_parse(&tr->fields, list, ' ') == -1 ||
		    track_map(tr) == -1) {
			msft_fields_set(&tr->fields, track_default);
			(void)track_map(tr);
			return (PARSE_BAD);
		}
		return (PARSE_OK);
	}
	if (msft_sep_split(&tr->row, line, '\t') == -1)
		return (PARSE_BAD);
	if (tr->row.n == tr->fields.n + 1 && tr->row.f[tr->row.n - 1].n == 0)
		tr->row.n--;		/* a tab at the end of the line */
	if (tr->row.n != tr->fields.n)
		return (PARSE_BAD);
	return (track_row(tr, ref, sink, arg));
}
