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
 * Capture input: libpcap offline, then decode.c and tcpflow.c.
 *
 * A path or "-" (standard input) is opened once.  A regular file that
 * does not start with the gzip magic goes to libpcap as a stdio stream
 * with a large buffer; anything else (gzip, or a pipe, which cannot be
 * sniffed without consuming it) goes through zlib, whose gzread also
 * passes plain data through, behind a fopencookie() stream.  libpcap is
 * asked for nanosecond time stamps, so micro- and nanosecond files both
 * keep their full precision; flow positions carry microseconds.
 *
 * libpcap reads pcap in either byte order and pcapng, but refuses a
 * pcapng file whose interfaces differ in link type or snapshot length,
 * or whose sections differ in byte order (sf-pcapng.c, 1.10 and later).
 * Then the file is opened again, read by pcapng.c, and the packets libpcap
 * already delivered are skipped: the result is the same as if libpcap
 * had read it all, each packet with its own interface's link type.
 * Standard input cannot be read again: there the refusal is the error.
 *
 * Records are hostile.  libpcap checks record headers against its own
 * limits; here a record claiming fewer bytes on the wire than captured is
 * counted bad and skipped, one claiming more than PCAPIN_WIRE_MAX on the
 * wire is counted implausible (not cut by the snapshot length: its header
 * is wrong) and read as the bytes captured, and decode_frame() never
 * reads past the captured bytes whatever the wire length says.  Each bad
 * or implausible record is also handed, with its number, to the caller's
 * pcapin_set_flag() function.  A damaged or cut capture (or gzip stream)
 * ends the run with -1 and a message; every packet before it has been
 * delivered and every flow closed (EOF).  Messages do not name the file:
 * the caller does.
 */

#include "config.h"

#include "pcapin.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>

#include "compat.h"
#include "pcapng.h"
#include "xmalloc.h"

#define PCAPIN_BUFSIZE	(256 * 1024)

struct pcapin {
	char			*path;		/* to open (again) */
	bool			 is_stdin;
	FILE			*fp;		/* read by libpcap or pcapng */
	char			*iobuf;		/* fp's buffer */
	gzFile			 gz;		/* behind fp, when inflating */
	uint8_t			 magic[4];	/* the data's first bytes */
	size_t			 nmagic;
	pcap_t			*pc;
	struct pcapng		*ng;
	int			 dlt;		/* libpcap's link type */
	struct tcpflow_limits	 lim;
	int			 last_lt;	/* for the link type list */
	int			 seen[8];
	size_t			 nseen;
	pcapin_flag_fn		 flag;		/* or NULL */
	void			*flag_arg;
	char			 gzerr[256];
	char			 err[512];
};

/* pcapin_cookie_read - inflate for libpcap; -1 (EIO) on a damaged stream. */
static ssize_t
pcapin_cookie_read(void *cookie, char *buf, size_t n)
{
	struct pcapin	*pi = cookie;
	const char	*msg;
	int		 r, zerr, i;

	if (n > INT_MAX)
		n = INT_MAX;
	r = gzread(pi->gz, buf, (unsigned)n);
	if (r <= 0) {
		msg = gzerror(pi->gz, &zerr);
		if (strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": ") != NULL)
			msg = strstr(msg, ": ") + 2;
		if (zerr != Z_OK && zerr != Z_STREAM_END) {
			snprintf(pi->gzerr, sizeof(pi->gzerr), "%s", msg);
			if (r < 0) {
				errno = EIO;
				return (-1);
			}
		}
		return (r < 0 ? 0 : r);
	}
	for (i = 0; pi->nmagic < sizeof(pi->magic) && i < r; i++)
		pi->magic[pi->nmagic++] = (uint8_t)buf[i];
	return (r);
}

/* pcapin_cookie_close - the zlib side of the stream. */
static int
pcapin_cookie_close(void *cookie)
{
	struct pcapin	*pi = cookie;
	int		 rc;

	rc = gzclose(pi->gz);
	pi->gz = NULL;
	return (rc == Z_OK || rc == Z_BUF_ERROR ? 0 : -1);
}

/*
 * pcapin_buffer - give fp a buffer of n bytes (glibc's setvbuf() ignores
 * the size when it is to allocate the buffer itself, leaving st_blksize:
 * a read(2) per 4 KB).
 */
static void
pcapin_buffer(struct pcapin *pi, size_t n)
{
	free(pi->iobuf);		/* the stream using it is closed */
	pi->iobuf = xmalloc(n);
	(void)setvbuf(pi->fp, pi->iobuf, _IOFBF, n);
}

/* pcapin_stream - open the path as a stream for libpcap; -1 on failure. */
static int
pcapin_stream(struct pcapin *pi)
{
	static const cookie_io_functions_t	 io = {
		.read = pcapin_cookie_read,
		.close = pcapin_cookie_close,
	};
	struct stat				 st;
	uint8_t					 m[4];
	ssize_t					 n;
	int					 fd;

	pi->nmagic = 0;
	pi->gzerr[0] = '\0';
	fd = pi->is_stdin ? dup(STDIN_FILENO) :
	    open(pi->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		snprintf(pi->err, sizeof(pi->err), "%s", strerror(errno));
		if (fd != -1)
			(void)close(fd);
		return (-1);
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(pi->err, sizeof(pi->err), "is a directory");
		(void)close(fd);
		return (-1);
	}
	if (S_ISREG(st.st_mode)) {
		n = pread(fd, m, sizeof(m), 0);
		if (n >= 2 && !(m[0] == 0x1f && m[1] == 0x8b)) {
			memcpy(pi->magic, m, (size_t)n);
			pi->nmagic = (size_t)n;
			if ((pi->fp = fdopen(fd, "rb")) == NULL)
				goto fail;
			pcapin_buffer(pi, PCAPIN_BUFSIZE);
			return (0);
		}
	}
	if ((pi->gz = gzdopen(fd, "rb")) == NULL)
		goto fail;
	(void)gzbuffer(pi->gz, PCAPIN_BUFSIZE);
	if ((pi->fp = fopencookie(pi, "rb", io)) == NULL) {
		(void)gzclose(pi->gz);
		pi->gz = NULL;
		snprintf(pi->err, sizeof(pi->err), "%s", strerror(errno));
		return (-1);
	}
	pcapin_buffer(pi, 64 * 1024);
	return (0);
fail:
	snprintf(pi->err, sizeof(pi->err), "%s", strerror(errno));
	(void)close(fd);
	return (-1);
}

/*
 * pcapin_open - open a capture (path, or "-" for standard input) and
 * read its file header.  NULL with a message in err if it cannot be
 * opened or is not a capture libpcap knows.
 */
struct pcapin *
pcapin_open(const char *path, char *err, size_t errlen)
{
	struct pcapin	*pi;
	char		 ebuf[PCAP_ERRBUF_SIZE];

	pi = xcalloc(1, sizeof(*pi));
	pi->is_stdin = strcmp(path, "-") == 0;
	pi->path = xstrdup(pi->is_stdin ? "standard input" : path);
	tcpflow_limits_default(&pi->lim);
	pi->last_lt = -1;
	if (pcapin_stream(pi) == -1)
		goto fail;
	ebuf[0] = '\0';
	pi->pc = pcap_fopen_offline_with_tstamp_precision(pi->fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pi->pc == NULL) {
		if (pi->gzerr[0] != '\0')
			snprintf(pi->err, sizeof(pi->err),
			    "damaged gzip data: %s", pi->gzerr);
		else
			snprintf(pi->err, sizeof(pi->err), "%s", ebuf);
		(void)fclose(pi->fp);
		pi->fp = NULL;
		goto fail;
	}
	pi->dlt = pcap_datalink(pi->pc);
	return (pi);
fail:
	snprintf(err, errlen, "%s", pi->err);
	pcapin_close(pi);
	return (NULL);
}

/* pcapin_set_limits - reassembly limits for pcapin_run(). */
void
pcapin_set_limits(struct pcapin *pi, const struct tcpflow_limits *lim)
{
	pi->lim = *lim;
}

/*
 * pcapin_set_flag - call fn(arg, flag) for each record that cannot be
 * used (counted bad) or whose wire length cannot be true (implausible).
 */
void
pcapin_set_flag(struct pcapin *pi, pcapin_flag_fn fn, void *arg)
{
	pi->flag = fn;
	pi->flag_arg = arg;
}

static void	pcapin_flag(struct pcapin *, uint64_t, const char *,
		    const uint8_t *, uint32_t, const char *, ...)
		    __attribute__((__format__(__printf__, 6, 7)));

/* pcapin_flag - tell the caller about a record, if it asked. */
static void
pcapin_flag(struct pcapin *pi, uint64_t packet, const char *kind,
    const uint8_t *data, uint32_t caplen, const char *fmt, ...)
{
	struct pcapin_flag	fl;
	char			what[160];
	va_list			ap;

	if (pi->flag == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fl.packet = packet;
	fl.kind = kind;
	fl.what = what;
	fl.data = data;
	fl.caplen = caplen;
	pi->flag(pi->flag_arg, &fl);
}

/* pcapin_refused - libpcap stopped at something pcapng.c can read. */
static bool
pcapin_refused(const char *msg)
{
	return (strstr(msg, "different from the type of the first") != NULL ||
	    strstr(msg, "different from the snapshot length") != NULL ||
	    strstr(msg, "sections with different byte orders") != NULL);
}

/* pcapin_native - reopen for pcapng.c and skip what libpcap delivered. */
static int
pcapin_native(struct pcapin *pi, struct pcapin_stats *st, const char *msg)
{
	struct pcapng_pkt	pk;
	uint64_t		i;
	char			ebuf[256];

	snprintf(st->refusal, sizeof(st->refusal), "%s", msg);
	if (pi->is_stdin) {
		snprintf(pi->err, sizeof(pi->err), "libpcap: %s (standard "
		    "input cannot be read again)", msg);
		return (-1);
	}
	pcap_close(pi->pc);		/* closes fp */
	pi->pc = NULL;
	pi->fp = NULL;
	if (pcapin_stream(pi) == -1)
		return (-1);
	if ((pi->ng = pcapng_open(pi->fp, ebuf, sizeof(ebuf))) == NULL) {
		snprintf(pi->err, sizeof(pi->err), "%s", ebuf);
		return (-1);
	}
	for (i = 0; i < st->packets; i++)
		if (pcapng_next(pi->ng, &pk) != 1) {
			snprintf(pi->err, sizeof(pi->err), "changed while "
			    "being read");
			return (-1);
		}
	st->native = true;
	st->native_from = st->packets + 1;
	return (0);
}

/* pcapin_linktype - add a link type's name to the list once. */
static void
pcapin_linktype(struct pcapin *pi, struct pcapin_stats *st, int lt)
{
	const char	*name;
	char		 num[32];
	size_t		 i;

	pi->last_lt = lt;
	for (i = 0; i < pi->nseen; i++)
		if (pi->seen[i] == lt)
			return;
	if (pi->nseen == sizeof(pi->seen) / sizeof(pi->seen[0]))
		return;
	pi->seen[pi->nseen++] = lt;
	if ((name = decode_link_name(lt)) == NULL &&
	    (name = pcap_datalink_val_to_name(lt)) == NULL) {
		snprintf(num, sizeof(num), "LINKTYPE_%d", lt);
		name = num;
	}
	if (st->linktypes[0] != '\0')
		(void)strlcat(st->linktypes, ",", sizeof(st->linktypes));
	(void)strlcat(st->linktypes, name, sizeof(st->linktypes));
}

/* pcapin_packet - one record: count, decode, reassemble. */
static void
pcapin_packet(struct pcapin *pi, struct decode *dc, struct tcpflow *tf,
    struct pcapin_stats *st, int lt, int64_t sec, uint32_t nsec,
    const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct decoded	d;
	struct flow_pos	pos;

	st->packets++;
	st->bytes += caplen;
	st->wire_bytes += len;
	if (st->packets == 1) {
		st->first_sec = sec;
		st->first_nsec = nsec;
	}
	st->last_sec = sec;
	st->last_nsec = nsec;
	if (lt != pi->last_lt)
		pcapin_linktype(pi, st, lt);
	if (caplen > len) {
		st->bad++;
		pcapin_flag(pi, st->packets, "caplen-over-len", data, caplen,
		    "%u bytes captured of a frame of %u: skipped", caplen,
		    len);
		return;
	}
	if (len > PCAPIN_WIRE_MAX) {
		/* Not cut by the snapshot length: the header is wrong. */
		st->implausible++;
		pcapin_flag(pi, st->packets, "wire-length-implausible", data,
		    caplen, "claims %u bytes on the wire, more than any link "
		    "carries: read as the %u bytes captured", len, caplen);
		len = caplen;
	} else if (caplen < len)
		st->truncated++;
	switch (decode_frame(dc, lt, data, caplen, len, sec, &d)) {
	case DECODE_TCP:
		st->tcp++;
		pos.packet = st->packets;
		pos.sec = sec;
		pos.usec = (int32_t)(nsec / 1000);
		pos.offset = 0;
		tcpflow_add_segment(tf, &d, &pos);
		break;
	case DECODE_HELD:
	case DECODE_TRUNCATED:
		break;
	case DECODE_NOT_IP:
		st->non_ip++;
		break;
	case DECODE_NOT_TCP:
		st->non_tcp++;
		break;
	case DECODE_BAD:
		st->bad++;
		pcapin_flag(pi, st->packets, decode_why_name(d.why), data,
		    caplen, "%s: skipped", decode_why_text(d.why));
		break;
	default:
		st->unsupported++;
		break;
	}
}

/* pcapin_format - what the first bytes say the file is. */
static void
pcapin_format(const struct pcapin *pi, struct pcapin_stats *st)
{
	const uint8_t	*m = pi->magic;

	st->compressed = pi->gz != NULL ? gzdirect(pi->gz) == 0 : false;
	st->format = "pcap";
	if (pi->nmagic < 4)
		return;
	if (memcmp(m, "\x0a\x0d\x0d\x0a", 4) == 0)
		st->format = "pcapng";
	else if (memcmp(m, "\x4d\x3c\xb2\xa1", 4) == 0 ||
	    memcmp(m, "\xa1\xb2\x3c\x4d", 4) == 0)
		st->nanosecond = true;
	st->swapped = pi->pc != NULL && pcap_is_swapped(pi->pc) == 1;
}

/*
 * pcapin_run - read every packet, calling sink as flows open, carry data
 * and close.  Fills st.  Returns 0 at the end of a sound capture, -1 if
 * it was damaged or cut (pcapin_error() says how); in both cases every
 * packet read was delivered and every flow closed.  Call once.
 */
int
pcapin_run(struct pcapin *pi, const struct flow_sink *sink,
    struct pcapin_stats *st)
{
	struct decode		*dc;
	struct tcpflow		*tf;
	struct pcap_pkthdr	*hdr;
	const u_char		*data;
	struct pcapng_pkt	 pk;
	const char		*msg;
	int			 rc;

	memset(st, 0, sizeof(*st));
	pcapin_format(pi, st);
	dc = decode_new();
	tf = tcpflow_new(sink, &pi->lim);
	for (;;) {
		if (pi->ng != NULL) {
			if ((rc = pcapng_next(pi->ng, &pk)) == 1) {
				pcapin_packet(pi, dc, tf, st, pk.linktype,
				    pk.sec, pk.nsec, pk.data, pk.caplen,
				    pk.len);
				continue;
			}
			if (rc == -1)
				snprintf(pi->err, sizeof(pi->err), "%s",
				    pcapng_error(pi->ng));
			break;
		}
		if (pi->pc == NULL) {
			rc = -1;
			break;
		}
		rc = pcap_next_ex(pi->pc, &hdr, &data);
		if (rc == 1) {
			pcapin_packet(pi, dc, tf, st, pi->dlt, hdr->ts.tv_sec,
			    (uint32_t)hdr->ts.tv_usec, data, hdr->caplen,
			    hdr->len);
			continue;
		}
		if (rc == PCAP_ERROR_BREAK) {
			rc = 0;
			break;
		}
		msg = pcap_geterr(pi->pc);
		if (pcapin_refused(msg) && pcapin_native(pi, st, msg) == 0)
			continue;
		if (pi->gzerr[0] != '\0')
			snprintf(pi->err, sizeof(pi->err),
			    "damaged gzip data: %s", pi->gzerr);
		else if (pi->err[0] == '\0')
			snprintf(pi->err, sizeof(pi->err), "%s", msg);
		rc = -1;
		break;
	}
	if (rc == 0 && pi->gzerr[0] != '\0') {
		snprintf(pi->err, sizeof(pi->err), "damaged gzip data: %s",
		    pi->gzerr);
		rc = -1;
	}
	tcpflow_finish(tf);
	decode_flush(dc);
	st->decode = *decode_stats(dc);
	st->flow = *tcpflow_stats(tf);
	tcpflow_free(tf);
	decode_free(dc);
	return (rc);
}

/* pcapin_error - what went wrong, or "". */
const char *
pcapin_error(const struct pcapin *pi)
{
	return (pi->err);
}

/* pcapin_close - close the capture; NULL is a no-op. */
void
pcapin_close(struct pcapin *pi)
{
	if (pi == NULL)
		return;
	if (pi->pc != NULL)
		pcap_close(pi->pc);
	else if (pi->fp != NULL)
		(void)fclose(pi->fp);
	pcapng_close(pi->ng);
	free(pi->iobuf);
	free(pi->path);
	free(pi);
}
