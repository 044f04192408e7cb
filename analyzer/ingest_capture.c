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
 * A capture's ingest: packets to TCP streams to SMTP events (reader
 * thread), hashed beside the reading, messages extracted on request.
 */

#include "config.h"

#include "ingest.h"
#include "ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "correlate.h"
#include "evpipe.h"
#include "log.h"
#include "pcapin.h"
#include "smtpwire.h"
#include "source.h"
#include "store.h"

struct extract_ctx {
	const char	*dir;
	FILE		*fp;
	char		 tmp[4096];
	uint64_t	 written;
	uint64_t	 failed;
};

/* extract_begin - a message body starts: open a temporary file. */
static void
extract_begin(void *arg, uint64_t flow)
{
	struct extract_ctx	*x = arg;
	int			 fd;

	if (x->fp != NULL)
		fclose(x->fp);
	x->fp = NULL;
	snprintf(x->tmp, sizeof(x->tmp), "%s/.relaytrace-XXXXXX", x->dir);
	if ((fd = mkstemp(x->tmp)) == -1 || (x->fp = fdopen(fd, "w")) ==
	    NULL) {
		if (x->failed++ == 0)
			log_warn("--extract %s", x->dir);
		if (fd != -1)
			close(fd);
	}
}

static void
extract_data(void *arg, uint64_t flow, const uint8_t *p, size_t n)
{
	struct extract_ctx	*x = arg;

	if (x->fp != NULL && fwrite(p, 1, n, x->fp) != n) {
		fclose(x->fp);
		x->fp = NULL;
		(void)unlink(x->tmp);
		x->failed++;
	}
}

/* extract_end - the body is complete: name it by its SHA-256. */
static void
extract_end(void *arg, uint64_t flow, const char *sha256)
{
	struct extract_ctx	*x = arg;
	char			 path[4096];

	if (x->fp == NULL)
		return;
	if (fclose(x->fp) != 0 || sha256 == NULL || *sha256 == '\0') {
		x->fp = NULL;
		(void)unlink(x->tmp);
		return;
	}
	x->fp = NULL;
	snprintf(path, sizeof(path), "%s/%s.eml", x->dir, sha256);
	if (rename(x->tmp, path) == -1) {
		(void)unlink(x->tmp);
		x->failed++;
	} else
		x->written++;
}

/* A capture's hash, made in a thread of its own beside the reading. */
struct hash_job {
	const char	*path;
	char		 sha[65];
	uint64_t	 bytes;
	int		 rc;
	char		 err[512];
};

static void *
hash_job_run(void *arg)
{
	struct hash_job	*h = arg;

	h->rc = source_hash_file(h->path, h->sha, &h->bytes, h->err,
	    sizeof(h->err));
	return (NULL);
}

/* The reader's side of a capture. */
struct capture_reader {
	struct pcapin		*pc;
	uint32_t		 index;
	const char		*display;
	bool			 quiet;
	struct smtpwire_body	*body;		/* --extract, or NULL */
	struct smtpwire		*sw;		/* left for its counts */
	struct evpipe		*pipe;
	struct pcapin_stats	 ps;
	uint64_t		 flagged;	/* records pcapin flagged */
};

/*
 * capture_flag - a record that could not be used: an anomaly at its
 * packet number, with its bytes, and the first few shown.
 */
static void
capture_flag(void *arg, const struct pcapin_flag *fl)
{
	struct capture_reader	*cr = arg;
	struct evpipe_anomaly	 a;

	if (cr->flagged++ < INGEST_ANOMALIES_MAX) {
		a.line = fl->packet;
		a.offset = 0;
		a.kind = fl->kind;
		a.text.p = (const char *)fl->data;
		a.text.n = fl->caplen < INGEST_ANOMALY_TEXT_MAX ? fl->caplen :
		    INGEST_ANOMALY_TEXT_MAX;
		evpipe_anomaly(cr->pipe, &a);
	}
	if (!cr->quiet && cr->flagged <= INGEST_WARN_MAX)
		log_warnx("%s: packet %llu: %s", cr->display,
		    (unsigned long long)fl->packet, fl->what);
}

/* capture_read - packets to TCP streams to SMTP events. */
static int
capture_read(void *arg, struct evpipe *p)
{
	struct capture_reader	*cr = arg;
	struct flow_sink	 fs;

	cr->pipe = p;
	pcapin_set_flag(cr->pc, capture_flag, cr);
	cr->sw = smtpwire_new(evpipe_event, p, cr->index);
	if (cr->body != NULL)
		smtpwire_set_body(cr->sw, cr->body);
	fs = smtpwire_flow_sink(cr->sw);
	return (pcapin_run(cr->pc, &fs, &cr->ps));
}

/*
 * ingest_capture - read one packet capture: TCP reassembly, SMTP on top,
 * events into the correlator, in one transaction.  Lines in the sources
 * row count packets.
 */
int
ingest_capture(struct store *st, struct corr *corr, const char *path,
    const char *display, uint32_t index, const char *sha, uint64_t bytes,
    struct ingest_totals *tot, const struct ingest_opts *o)
{
	struct ingest_src	 is;
	struct ingest_dest	 dest;
	struct evpipe_consumer	 cons = { &dest, ingest_dest_event,
				    ingest_anomaly };
	struct capture_reader	 cr;
	struct hash_job		 hj;
	pthread_t		 ht;
	bool			 hashing = false;
	struct pcapin		*pc;
	struct pcapin_stats	 ps;
	struct smtpwire		*sw;
	const struct smtpwire_stats *ws;
	struct extract_ctx	 x;
	struct smtpwire_body	 body = { &x, extract_begin, extract_data,
				    extract_end };
	sqlite3_stmt		*s;
	char			 err[512], now[32], t1[32], t2[32];
	char			 fmt[160], why[600];
	int64_t			 sid;
	int			 rc;

	if ((pc = pcapin_open(path, err, sizeof(err))) == NULL) {
		log_warnx("%s: %s", display, err);
		tot->failed++;
		return (-1);
	}
	memset(&hj, 0, sizeof(hj));
	hj.path = path;
	if (sha == NULL && pthread_create(&ht, NULL, hash_job_run, &hj) == 0)
		hashing = true;
	else if (sha == NULL) {
		(void)hash_job_run(&hj);
		if (hj.rc == -1) {
			log_warnx("%s", hj.err);
			pcapin_close(pc);
			tot->failed++;
			return (-1);
		}
		sha = hj.sha;
	}
	if (store_begin(st) == -1)
		fatalx("%s: cannot start a transaction", display);
	store_time_iso((int64_t)time(NULL), now);
	s = store_stmt(st, STMT_SOURCE_INSERT);
	store_bind_text(s, 1, display);
	store_bind_text(s, 2, sha != NULL ? sha : "(being read)");
	store_bind_i64(s, 3, (int64_t)bytes);
	store_bind_text(s, 4, "pcap");
	store_bind_text(s, 5, "unknown");
	store_bind_text(s, 6, now);
	ingest_bind_abspath(s, 7, path, display);
	store_step_done(st, s);
	sid = sqlite3_last_insert_rowid(st->db);
	corr_set_source(corr, sid);

	memset(&is, 0, sizeof(is));
	is.corr = corr;
	is.display = display;
	is.quiet = o->quiet;
	is.capture = true;
	memset(&x, 0, sizeof(x));
	x.dir = o->extract;
	memset(&cr, 0, sizeof(cr));
	cr.pc = pc;
	cr.index = index;
	cr.display = display;
	cr.quiet = o->quiet;
	cr.body = o->extract != NULL ? &body : NULL;
	dest.st = st;
	dest.sid = sid;
	dest.is = &is;
	rc = evpipe_run(capture_read, &cr, &cons);
	sw = cr.sw;
	ps = cr.ps;
	ws = smtpwire_stats(sw);
	why[0] = '\0';
	if (rc == -1) {
		snprintf(why, sizeof(why), "%s", pcapin_error(pc)[0] != '\0' ?
		    pcapin_error(pc) : "damaged capture");
		log_warnx("%s: after packet %llu: %s; the %llu packets before "
		    "it are kept", display, (unsigned long long)ps.packets,
		    why, (unsigned long long)ps.packets);
	}
	if (!o->quiet && cr.flagged > INGEST_WARN_MAX)
		log_warnx("%s: %llu packets flagged in all, %llu more not "
		    "shown (see the anomalies table)", display,
		    (unsigned long long)cr.flagged,
		    (unsigned long long)(cr.flagged - INGEST_WARN_MAX));
	if (!o->quiet && is.long_lines > INGEST_WARN_MAX)
		log_warnx("%s: %llu SMTP lines longer than %d octets in all, "
		    "%llu more not shown", display,
		    (unsigned long long)is.long_lines, SMTPWIRE_LINE_MAX,
		    (unsigned long long)(is.long_lines - INGEST_WARN_MAX));
	if (!o->quiet && ws->tls_flows > 0)
		log_warnx("%s: %llu SMTP sessions went TLS and are unreadable "
		    "after the greeting", display,
		    (unsigned long long)ws->tls_flows);
	if (ps.truncated > 0 && !o->quiet)
		log_warnx("%s: %llu packets cut short by the snapshot length",
		    display, (unsigned long long)ps.truncated);
	snprintf(fmt, sizeof(fmt), "%s%s %s", ps.format != NULL ? ps.format :
	    "pcap", ps.compressed ? ".gz" : "", ps.linktypes);
	if (hashing) {
		pthread_join(ht, NULL);
		if (hj.rc == -1)
			fatalx("%s", hj.err);
		sha = hj.sha;
		bytes = hj.bytes;
		ingest_same_sha(st, display, sha);
	}

	s = store_stmt(st, STMT_SOURCE_UPDATE);
	store_bind_i64(s, 1, sid);
	store_bind_text(s, 2, sha);
	store_bind_i64(s, 3, (int64_t)bytes);
	store_bind_text(s, 4, fmt);
	if (is.have_time) {
		store_time_iso(is.first, t1);
		store_time_iso(is.last, t2);
		store_bind_text(s, 6, t1);
		store_bind_i64(s, 7, is.first);
		store_bind_text(s, 8, t2);
		store_bind_i64(s, 9, is.last);
	}
	store_bind_i64(s, 10, (int64_t)ps.packets);
	store_bind_i64(s, 11, (int64_t)ps.tcp);
	store_bind_i64(s, 12, (int64_t)(ps.non_ip + ps.non_tcp +
	    ps.unsupported));
	store_bind_i64(s, 13, (int64_t)ps.bad);
	store_bind_i64(s, 14, (int64_t)ps.truncated);
	store_bind_text(s, 15, why[0] != '\0' ? why : NULL);
	store_step_done(st, s);
	corr_checkpoint(corr);
	if (store_commit(st) == -1)
		fatalx("%s: cannot commit", display);
	if (o->extract != NULL && !o->quiet)
		log_info("%s: %llu messages extracted to %s", display,
		    (unsigned long long)x.written, o->extract);
	if (x.fp != NULL) {
		fclose(x.fp);
		(void)unlink(x.tmp);
	}
	tot->sources++;
	tot->lines += ps.packets;
	tot->parsed += ps.tcp;
	tot->unparsed += ps.bad;
	free(is.host);
	smtpwire_free(sw);
	pcapin_close(pc);
	if (rc == -1) {
		tot->failed++;
		return (-1);
	}
	return (0);
}

