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
 * Fuzz target: the SMTP wire parser driven through its flow_sink.  The
 * first byte chooses the connection (SYN seen or not, port 25 or 465);
 * then each record is a control byte and a length byte: bit 0 the
 * direction, bits 1-2 the kind (gap of 37 * length bytes, or data), bit 3
 * a close and a new connection; the data follows.  A last record may be
 * short.  Every byte of every event is read, so a bad span shows.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smtpwire.h"

#define FUZZ_MAXLEN	(256 * 1024)

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

/* fuzz_open - a new connection as reassembly would announce it. */
static void *
fuzz_open(struct flow_sink *fs, uint64_t id, uint8_t how,
    struct flow_pos *pos)
{
	struct flow_info	fi;

	memset(&fi, 0, sizeof(fi));
	fi.id = id;
	fi.family = 4;
	(void)snprintf(fi.client_ip, sizeof(fi.client_ip), "192.0.2.1");
	(void)snprintf(fi.server_ip, sizeof(fi.server_ip), "192.0.2.25");
	fi.client_port = 40000;
	fi.server_port = how & 2 ? 465 : 25;
	fi.saw_syn = !(how & 1);
	fi.start = *pos;
	return (fs->open(fs->arg, &fi));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtpwire		*sw;
	struct flow_sink	 fs;
	struct flow_pos		 pos;
	uint64_t		 off[2] = { 0, 0 }, id = 1;
	size_t			 i = 1, n;
	void			*f;
	uint8_t			 c;

	if (size < 1 || size > FUZZ_MAXLEN)
		return (0);
	sw = smtpwire_new(fuzz_sink, NULL, 0);
	fs = smtpwire_flow_sink(sw);
	memset(&pos, 0, sizeof(pos));
	pos.packet = 1;
	pos.sec = 1796157062;
	f = fuzz_open(&fs, id, data[0], &pos);
	while (i < size) {
		c = data[i++];
		n = i < size ? data[i++] : 0;
		pos.packet++;
		pos.usec = (pos.usec + 1000) % 1000000;
		if (c & 8) {
			pos.offset = off[0];
			fs.close(fs.arg, f, (enum flow_end)(1 + c % 5), &pos);
			off[0] = off[1] = 0;
			f = fuzz_open(&fs, ++id, c >> 4, &pos);
			continue;
		}
		pos.offset = off[c & 1];
		if (((c >> 1) & 3) == 1) {
			fs.gap(fs.arg, f, (enum flow_dir)(c & 1), n * 37, &pos);
			off[c & 1] += n * 37;
			continue;
		}
		if (n > size - i)
			n = size - i;
		fs.data(fs.arg, f, (enum flow_dir)(c & 1), data + i, n, &pos);
		off[c & 1] += n;
		i += n;
	}
	pos.offset = off[0];
	fs.close(fs.arg, f, FLOW_END_EOF, &pos);
	smtpwire_free(sw);
	return (0);
}
