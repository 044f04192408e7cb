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
 * pcapstat: read captures through pcapin (libpcap, decode, reassembly)
 * and print what came out.  For the corpus runs, the benchmark
 * (tests/gen/bench.sh) and checking tests/data/pcap/README.md by hand.
 *
 *	pcapstat [-n | -v | -x] FILE...
 *
 * Default: one summary line per file.  -n: a null sink (every callback
 * NULL), the cost of decoding and reassembly alone.  -v: also a line per
 * flow as it closes.  -x: -v plus every callback, data escaped.
 * Exit 0, or 1 if a file could not be read to its end.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pcapin.h"
#include "xmalloc.h"

static const char *end_names[] = {
	"?", "fin", "rst", "timeout", "eof", "cap"
};

struct stat_flow {
	struct flow_info	 fi;
	uint64_t		 bytes[2];
	uint64_t		 gaps[2];
	unsigned		 anomalies;
};

struct stat_run {
	int		 verbose;
	uint64_t	 anomalies;
};

/* st_open - a flow opened. */
static void *
st_open(void *arg, const struct flow_info *fi)
{
	struct stat_run		*r = arg;
	struct stat_flow	*f;

	f = xcalloc(1, sizeof(*f));
	f->fi = *fi;
	if (r->verbose > 1)
		printf("  open %llu %s:%u > %s:%u syn=%d pkt=%llu\n",
		    (unsigned long long)fi->id, fi->client_ip, fi->client_port,
		    fi->server_ip, fi->server_port, fi->saw_syn,
		    (unsigned long long)fi->start.packet);
	return (f);
}

/* st_data - bytes of one direction. */
static void
st_data(void *arg, void *fs, enum flow_dir dir, const uint8_t *p, size_t n,
    const struct flow_pos *pos)
{
	struct stat_run		*r = arg;
	struct stat_flow	*f = fs;
	char			*esc;

	f->bytes[dir] += n;
	if (r->verbose > 1) {
		esc = xmalloc(LOG_ESCAPE_SIZE(n));
		log_escape(esc, LOG_ESCAPE_SIZE(n), (const char *)p, n);
		printf("  data %llu %s pkt=%llu off=%llu \"%s\"\n",
		    (unsigned long long)f->fi.id, dir == FLOW_C2S ? "c2s" :
		    "s2c", (unsigned long long)pos->packet,
		    (unsigned long long)pos->offset, esc);
		free(esc);
	}
}

/* st_gap - missing bytes. */
static void
st_gap(void *arg, void *fs, enum flow_dir dir, uint64_t n,
    const struct flow_pos *pos)
{
	struct stat_run		*r = arg;
	struct stat_flow	*f = fs;

	f->gaps[dir] += n;
	if (r->verbose > 1)
		printf("  gap %llu %s pkt=%llu off=%llu %llu\n",
		    (unsigned long long)f->fi.id, dir == FLOW_C2S ? "c2s" :
		    "s2c", (unsigned long long)pos->packet,
		    (unsigned long long)pos->offset, (unsigned long long)n);
}

/* st_anomaly - something worth recording. */
static void
st_anomaly(void *arg, void *fs, const char *what, const struct flow_pos *pos)
{
	struct stat_run		*r = arg;
	struct stat_flow	*f = fs;

	f->anomalies++;
	r->anomalies++;
	if (r->verbose > 1)
		printf("  anomaly %llu pkt=%llu %s\n",
		    (unsigned long long)f->fi.id,
		    (unsigned long long)pos->packet, what);
}

/* st_close - a flow closed: its line. */
static void
st_close(void *arg, void *fs, enum flow_end how, const struct flow_pos *pos)
{
	struct stat_run		*r = arg;
	struct stat_flow	*f = fs;

	if (r->verbose > 0)
		printf("  flow %llu %s:%u > %s:%u syn=%d c2s=%llu s2c=%llu "
		    "gap=%llu/%llu anom=%u end=%s pkt=%llu\n",
		    (unsigned long long)f->fi.id, f->fi.client_ip,
		    f->fi.client_port, f->fi.server_ip, f->fi.server_port,
		    f->fi.saw_syn, (unsigned long long)f->bytes[0],
		    (unsigned long long)f->bytes[1],
		    (unsigned long long)f->gaps[0],
		    (unsigned long long)f->gaps[1], f->anomalies,
		    end_names[how], (unsigned long long)pos->packet);
	free(f);
}

/* stat_file - read one capture and print its summary. */
static int
stat_file(const char *path, bool null_sink, int verbose)
{
	struct flow_sink	 sink;
	struct stat_run		 r;
	struct pcapin_stats	 st;
	struct pcapin		*pi;
	char			 err[512];
	int			 rc, i;

	memset(&sink, 0, sizeof(sink));
	memset(&r, 0, sizeof(r));
	r.verbose = verbose;
	if (!null_sink) {
		sink.arg = &r;
		sink.open = st_open;
		sink.data = st_data;
		sink.gap = st_gap;
		sink.anomaly = st_anomaly;
		sink.close = st_close;
	}
	if ((pi = pcapin_open(path, err, sizeof(err))) == NULL) {
		printf("%s: open failed: %s\n", path, err);
		return (1);
	}
	printf("%s:\n", path);
	rc = pcapin_run(pi, &sink, &st);
	printf("  %s%s %s packets=%llu tcp=%llu non-ip=%llu non-tcp=%llu "
	    "truncated=%llu implausible=%llu bad=%llu unsupported=%llu "
	    "flows=%llu "
	    "capped=%llu gaps=%llu anomalies=%llu%s%s\n",
	    st.format, st.compressed ? "+gzip" : "", st.linktypes,
	    (unsigned long long)st.packets, (unsigned long long)st.tcp,
	    (unsigned long long)st.non_ip, (unsigned long long)st.non_tcp,
	    (unsigned long long)st.truncated,
	    (unsigned long long)st.implausible, (unsigned long long)st.bad,
	    (unsigned long long)st.unsupported,
	    (unsigned long long)st.flow.flows,
	    (unsigned long long)st.flow.flows_capped,
	    (unsigned long long)st.flow.gaps,
	    (unsigned long long)st.flow.anomalies,
	    rc == -1 ? " error: " : "", rc == -1 ? pcapin_error(pi) : "");
	printf("  ends fin=%llu rst=%llu timeout=%llu eof=%llu cap=%llu "
	    "ooo=%llu retrans=%llu differ=%llu stray=%llu late=%llu "
	    "frags=%llu/%llu/%llu mem_peak=%zu flows_peak=%zu\n",
	    (unsigned long long)st.flow.ends[FLOW_END_FIN],
	    (unsigned long long)st.flow.ends[FLOW_END_RST],
	    (unsigned long long)st.flow.ends[FLOW_END_TIMEOUT],
	    (unsigned long long)st.flow.ends[FLOW_END_EOF],
	    (unsigned long long)st.flow.ends[FLOW_END_CAP],
	    (unsigned long long)st.flow.out_of_order,
	    (unsigned long long)st.flow.retransmitted,
	    (unsigned long long)st.flow.overlaps_differ,
	    (unsigned long long)st.flow.stray,
	    (unsigned long long)st.flow.late,
	    (unsigned long long)st.decode.fragments,
	    (unsigned long long)st.decode.reassembled,
	    (unsigned long long)st.decode.failed,
	    st.flow.mem_peak, st.flow.flows_peak);
	for (i = 1; i < DECODE_W__MAX; i++)
		if (st.decode.anomaly[i] > 0)
			printf("  decode %s=%llu\n", decode_why_name(i),
			    (unsigned long long)st.decode.anomaly[i]);
	if (st.native)
		printf("  libpcap refused (%s); read natively from packet "
		    "%llu\n", st.refusal, (unsigned long long)st.native_from);
	pcapin_close(pi);
	return (rc == -1 ? 1 : 0);
}

int
main(int argc, char *argv[])
{
	bool	null_sink = false;
	int	ch, verbose = 0, rc = 0;

	log_init("pcapstat", 0);
	while ((ch = getopt(argc, argv, "nvx")) != -1) {
		switch (ch) {
		case 'n':
			null_sink = true;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'x':
			verbose = 2;
			break;
		default:
			fprintf(stderr, "usage: pcapstat [-n | -v | -x] "
			    "file ...\n");
			return (2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "usage: pcapstat [-n | -v | -x] file ...\n");
		return (2);
	}
	for (; argc > 0; argc--, argv++)
		if (stat_file(*argv, null_sink, verbose) != 0)
			rc = 1;
	return (rc);
}
