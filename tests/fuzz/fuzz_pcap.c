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
 * Fuzz target: a whole capture file (pcap or pcapng, plain or gzip) read
 * the way ingest reads one: pcapin_open() on a memory file, libpcap or
 * the fallback pcapng reader, decode, reassembly with small limits (so
 * the caps, eviction and timeouts are reached), the SMTP wire parser on
 * top with a body sink.  Every byte of every event is read, so a bad
 * span shows.  The seed corpus is tests/data/pcap and damaged variants.
 */

#include "config.h"

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pcapin.h"
#include "smtpwire.h"

#define FUZZ_MAXLEN	(1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static unsigned int	fuzz_sum;

/* fuzz_touch - read every byte of a span. */
static void
fuzz_touch(struct span s)
{
	size_t	i;

	for (i = 0; i < s.n; i++)
		fuzz_sum += (unsigned char)s.p[i];
}

/* fuzz_sink - read the whole event. */
static void
fuzz_sink(void *arg, const struct event *ev)
{
	fuzz_touch(ev->ref.raw);
	fuzz_touch(ev->host);
	fuzz_touch(ev->program);
	fuzz_touch(ev->service);
	fuzz_touch(ev->client_ip);
	fuzz_touch(ev->server_ip);
	fuzz_touch(ev->helo);
	fuzz_touch(ev->sasl_method);
	fuzz_touch(ev->sasl_user);
	fuzz_touch(ev->sender);
	fuzz_touch(ev->rcpt);
	fuzz_touch(ev->queue_id);
	fuzz_touch(ev->message_id);
	fuzz_touch(ev->stage);
	fuzz_touch(ev->dsn);
	fuzz_touch(ev->status);
	fuzz_touch(ev->text);
	fuzz_touch(ev->text2);
	fuzz_touch(ev->counters);
}

/* fuzz_body_begin - a message body starts. */
static void
fuzz_body_begin(void *arg, uint64_t flow)
{
	fuzz_sum += (unsigned int)flow;
}

/* fuzz_body_data - read every byte of a piece of the body. */
static void
fuzz_body_data(void *arg, uint64_t flow, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fuzz_sum += p[i];
}

/* fuzz_body_end - the body ends, with its digest when complete. */
static void
fuzz_body_end(void *arg, uint64_t flow, const char *sha256)
{
	if (sha256 != NULL)
		fuzz_sum += (unsigned int)strlen(sha256);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct smtpwire_body body = { NULL, fuzz_body_begin,
				    fuzz_body_data, fuzz_body_end };
	struct tcpflow_limits	 lim;
	struct pcapin_stats	 st;
	struct pcapin		*pi;
	struct smtpwire		*sw;
	struct flow_sink	 fs;
	char			 path[64], err[512];
	int			 fd;

	if (size > FUZZ_MAXLEN)
		return (0);
	if ((fd = memfd_create("fuzz", 0)) == -1)
		return (0);
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return (0);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((pi = pcapin_open(path, err, sizeof(err))) == NULL) {
		close(fd);
		return (0);
	}
	tcpflow_limits_default(&lim);
	lim.hold_max = 16 * 1024;
	lim.retain_max = 2048;
	lim.memcap = 64 * 1024;
	lim.flows_max = 8;
	lim.idle_timeout = 30;
	lim.timewait = 2;
	pcapin_set_limits(pi, &lim);
	sw = smtpwire_new(fuzz_sink, NULL, 0);
	smtpwire_set_body(sw, &body);
	fs = smtpwire_flow_sink(sw);
	memset(&st, 0, sizeof(st));
	(void)pcapin_run(pi, &fs, &st);
	(void)pcapin_error(pi);
	if (st.tcp > st.packets || st.truncated > st.packets)
		__builtin_trap();
	smtpwire_free(sw);
	pcapin_close(pi);
	close(fd);
	return (0);
}
