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
 * relaytrace - forensic analysis of SMTP relay abuse.
 *
 * Commands are dispatched through a table.  Exit status: 0 when the job
 * was done (finding abuse is not an error), 1 when it could not be done
 * completely (an unreadable input, an unusable database), 2 for a usage
 * error.
 */

#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "ingest.h"
#include "locality.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "xmalloc.h"

#define EXIT_USAGE	2
#define DEFAULT_DB	"relaytrace.db"

struct opts {
	const char		*db;
	const char		*format;
	const char		*output;
	const char		*mta_config;
	struct ingest_opts	 ingest;
	struct sessions_filter	 filter;
	char			**domains;
	size_t			 ndomains;
	char			**nets;
	size_t			 nnets;
	char			**rdomains;
	size_t			 nrdomains;
	bool			 locality_given;
};

struct cmd {
	const char	*name;
	int		(*fn)(struct opts *, int, char **);
	const char	*usage;
	const char	*help;
};

static int	cmd_investigate(struct opts *, int, char **);
static int	cmd_ingest(struct opts *, int, char **);
static int	cmd_report(struct opts *, int, char **);
static int	cmd_sessions(struct opts *, int, char **);
static int	cmd_show(struct opts *, int, char **);
static int	cmd_sql(struct opts *, int, char **);

static const struct cmd cmds[] = {
	{ "investigate", cmd_investigate, "[options] FILE...",
	  "ingest the files into the database and print the report" },
	{ "ingest", cmd_ingest, "[options] FILE...",
	  "read MTA logs and packet captures (plain or .gz, '-' for standard "
	  "input)" },
	{ "report", cmd_report, "[options] [-f text|json] [-o FILE]",
	  "print the incident report" },
	{ "sessions", cmd_sessions, "[options] [--client IP] [--finding KIND]"
	  " [--user NAME] [--since T] [--until T] [--limit N]",
	  "list sessions" },
	{ "show", cmd_show, "[options] SESSION",
	  "print one session with its verdicts and evidence lines" },
	{ "sql", cmd_sql, "[options] 'SELECT ...'",
	  "run a read-only SQL query on the database" },
	{ NULL, NULL, NULL, NULL }
};

static const char common_help[] =
"options:\n"
"  -d, --db FILE          database (default ./" DEFAULT_DB ")\n"
"      --local-domain D   a domain of ours (repeatable)\n"
"      --local-net CIDR   a trusted network of ours (repeatable)\n"
"      --relay-domain D   a domain we relay for, a backup MX (repeatable)\n"
"      --mta-config FILE  read local domains and networks from main.cf,\n"
"                         exim4.conf, sendmail.cf/.mc or smtpd.conf\n"
"      --year Y           year of log lines that carry none\n"
"      --tz ZONE          zone of log lines that carry none (UTC, +0100,\n"
"                         Europe/Berlin; default: this machine's)\n"
"      --format NAME      read logs as NAME (postfix, syslog, ...) instead\n"
"                         of detecting the format per file\n"
"      --extract DIR      write each message seen in a capture to\n"
"                         DIR/<sha256>.eml\n"
"  -f, --report-format F  report format: text or json (for report also\n"
"                         --format F)\n"
"  -o, --output FILE      write the report to FILE\n"
"  -q, --quiet            fewer messages on standard error\n"
"  -v, --verbose          more messages on standard error\n"
"  -h, --help             this help\n";

enum {
	OPT_LOCAL_DOMAIN = 256,
	OPT_LOCAL_NET,
	OPT_RELAY_DOMAIN,
	OPT_MTA_CONFIG,
	OPT_YEAR,
	OPT_TZ,
	OPT_FORMAT,
	OPT_EXTRACT,
	OPT_CLIENT,
	OPT_FINDING,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_USER,
	OPT_LIMIT
};

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "report-format", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "extract", required_argument, NULL, OPT_EXTRACT },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "local-domain", required_argument, NULL, OPT_LOCAL_DOMAIN },
	{ "local-net", required_argument, NULL, OPT_LOCAL_NET },
	{ "relay-domain", required_argument, NULL, OPT_RELAY_DOMAIN },
	{ "mta-config", required_argument, NULL, OPT_MTA_CONFIG },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "finding", required_argument, NULL, OPT_FINDING },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ NULL, 0, NULL, 0 }
};

static int	verbose;

static void
usage_cmd(FILE *fp, const struct cmd *c)
{
	fprintf(fp, "usage: relaytrace %s %s\n%s.\n\n%s", c->name, c->usage,
	    c->help, common_help);
}

static void
usage(FILE *fp)
{
	const struct cmd	*c;

	fputs("usage: relaytrace [--version] [--help] COMMAND [options] "
	    "[args]\n\nForensic analysis of SMTP relay abuse in MTA logs.\n\n"
	    "commands:\n", fp);
	for (c = cmds; c->name != NULL; c++)
		fprintf(fp, "  %-12s %s\n", c->name, c->help);
	fputs("\n'relaytrace COMMAND --help' tells more; see relaytrace(1)."
	    "\n", fp);
}

/* push - append s to a growing array of strings. */
static void
push(char ***arr, size_t *n, char *s)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = s;
}

/* parse_num - a whole decimal number in [lo, hi], else -1. */
static long long
parse_num(const char *s, long long lo, long long hi)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return (-1);
	return (v);
}

/*
 * parse_opts - the options common to every command.  Returns the index of
 * the first operand, or -1 after printing a usage error (or help, with
 * *helped set).
 */
static int
parse_opts(struct opts *o, const struct cmd *c, int argc, char **argv,
    bool *helped)
{
	long long	v;
	int		ch;

	*helped = false;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:f:o:qvh", long_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->ingest.quiet = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage_cmd(stdout, c);
			*helped = true;
			return (-1);
		case OPT_LOCAL_DOMAIN:
			push(&o->domains, &o->ndomains, optarg);
			o->locality_given = true;
			break;
		case OPT_RELAY_DOMAIN:
			push(&o->rdomains, &o->nrdomains, optarg);
			o->locality_given = true;
			break;
		case OPT_LOCAL_NET:
			push(&o->nets, &o->nnets, optarg);
			o->locality_given = true;
			break;
		case OPT_MTA_CONFIG:
			o->mta_config = optarg;
			o->locality_given = true;
			break;
		case OPT_YEAR:
			if ((v = parse_num(optarg, 1970, 9999)) == -1) {
				log_warnx("%s: --year wants a year such as "
				    "2026", c->name);
				return (-1);
			}
			o->ingest.year = (int)v;
			break;
		case OPT_TZ:
			o->ingest.tz = optarg;
			break;
		case OPT_EXTRACT:
			o->ingest.extract = optarg;
			break;
		case OPT_FORMAT:
			/* report has no input: there it is the output's. */
			if (strcmp(c->name, "report") == 0)
				o->format = optarg;
			else
				o->ingest.format = optarg;
			break;
		case OPT_CLIENT:
			o->filter.client = optarg;
			break;
		case OPT_FINDING:
			o->filter.finding = optarg;
			break;
		case OPT_SINCE:
			o->filter.since = optarg;
			break;
		case OPT_UNTIL:
			o->filter.until = optarg;
			break;
		case OPT_USER:
			o->filter.user = optarg;
			break;
		case OPT_LIMIT:
			if ((v = parse_num(optarg, 1, INT64_MAX)) == -1) {
				log_warnx("%s: --limit wants a positive "
				    "number", c->name);
				return (-1);
			}
			o->filter.limit = v;
			break;
		case ':':
			log_warnx("%s: option %s needs an argument", c->name,
			    argv[optind - 1]);
			return (-1);
		default:
			log_warnx("%s: unknown option %s", c->name,
			    argv[optind - 1]);
			return (-1);
		}
	}
	if (o->format != NULL && strcmp(o->format, "text") != 0 &&
	    strcmp(o->format, "json") != 0) {
		log_warnx("%s: -f wants text or json", c->name);
		return (-1);
	}
	return (optind);
}

/* open_store - the database, or exit 1 with the reason. */
static struct store *
open_store(const struct opts *o, int flags)
{
	struct store	*st;
	char		 err[1024];

	if ((st = store_open(o->db, flags, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	return (st);
}

/*
 * warn_cb - print one locality warning, escaped: it may hold bytes of a
 * configuration copied off an attacked server.
 */
static void
warn_cb(void *arg, const char *msg)
{
	char	esc[LOG_ESCAPE_SIZE(512)];

	(void)arg;
	log_warnx("%s", log_escape(esc, sizeof(esc), msg, strnlen(msg, 512)));
}

/*
 * build_locality - this run's locality: flags, then the MTA config.
 * Returns NULL after a message when an option value is bad.
 */
static struct locality *
build_locality(const struct opts *o)
{
	struct locality	*loc = locality_new();
	char		 err[1024];
	size_t		 i;

	for (i = 0; i < o->ndomains; i++)
		if (locality_add_domain(loc, o->domains[i], LOC_LOCAL,
		    LOC_ORIGIN_FLAG, "--local-domain") == -1) {
			log_warnx("--local-domain %s: not a domain",
			    o->domains[i]);
			goto bad;
		}
	for (i = 0; i < o->nrdomains; i++)
		if (locality_add_domain(loc, o->rdomains[i], LOC_RELAY,
		    LOC_ORIGIN_FLAG, "--relay-domain") == -1) {
			log_warnx("--relay-domain %s: not a domain",
			    o->rdomains[i]);
			goto bad;
		}
	for (i = 0; i < o->nnets; i++)
		if (locality_add_net(loc, o->nets[i], LOC_ORIGIN_FLAG,
		    "--local-net") == -1) {
			log_warnx("--local-net %s: not an address or CIDR "
			    "network", o->nets[i]);
			goto bad;
		}
	if (o->mta_config != NULL &&
	    locality_load_mta(loc, o->mta_config, err, sizeof(err)) == -1) {
		log_warnx("--mta-config: %s", err);
		goto bad;
	}
	locality_foreach_warning(loc, warn_cb, NULL);
	return (loc);
bad:
	locality_free(loc);
	return (NULL);
}

/* classify - recompute verdicts; 0 or -1. */
static int
classify(struct store *st, struct locality *loc, const struct opts *o)
{
	struct classify_stats	cs;

	if (classify_run(st, loc, &cs) == -1) {
		log_warnx("classification failed");
		return (-1);
	}
	if (!o->ingest.quiet)
		log_info("%llu recipients judged, %llu findings",
		    (unsigned long long)cs.recipients,
		    (unsigned long long)cs.findings);
	if (!o->ingest.quiet && cs.hops > 0)
		log_info("%llu recipients handed over by another of our MTAs,"
		    " judged where they came in", (unsigned long long)cs.hops);
	if (!o->ingest.quiet && cs.unseen > 0)
		log_warnx("%llu recipients were handed to one of our MTAs "
		    "whose copy is not in the store: its logs are missing "
		    "(see the report)", (unsigned long long)cs.unseen);
	return (0);
}

/*
 * rebuild - make the store again in a file beside it, from the stored
 * sources and the new paths, all read in the right order (captures
 * first), then put it in the old one's place.  Until the rename the old
 * store is untouched, so an interrupted rebuild loses nothing.  The
 * stored sources are known to be the bytes read before, so they read as
 * they did (a source that could not be read fully then cannot now).
 * *stp is the store to go on with; the result as for ingest_files().
 */
static int
rebuild(struct opts *o, struct store **stp, char **old, size_t nold,
    char **paths, size_t npaths, struct ingest_totals *t)
{
	struct store	*nst;
	char		**all, *tmp, err[1024];
	size_t		 i, n = 0;
	int		 rv;

	if (!o->ingest.quiet)
		log_warnx("new sources to be read before %zu already stored "
		    "(a capture before logs, a protocol log before its "
		    "message tracking log, a mainlog before its rejectlog): "
		    "reading them again after it, into a new database, so "
		    "that they are joined", nold);
	xasprintf(&tmp, "%s.rebuild-%ld", o->db, (long)getpid());
	(void)unlink(tmp);
	if ((nst = store_open(tmp, 0, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (ingest_copy_locality(nst, o->db) == -1)
		fatalx("%s: cannot copy what %s knows of local domains",
		    tmp, o->db);
	all = xcalloc(nold + npaths + 1, sizeof(*all));
	for (i = 0; i < nold; i++)
		all[n++] = old[i];
	for (i = 0; i < npaths; i++)
		all[n++] = paths[i];
	ingest_order(all, n);
	rv = ingest_files(nst, all, n, &o->ingest, t);
	free(all);
	if (rv == -2) {
		/* A usage error: the old store stays as it was. */
		store_close(nst);
		(void)unlink(tmp);
		free(tmp);
		return (rv);
	}
	store_close(*stp);
	store_close(nst);
	if (rename(tmp, o->db) == -1)
		fatal("rename %s to %s", tmp, o->db);
	free(tmp);
	*stp = open_store(o, 0);
	return (rv);
}

/* do_ingest - ingest the operands and classify; the exit status. */
static int
do_ingest(struct opts *o, struct store **stp, int argc, char **argv)
{
	struct ingest_totals	 t;
	struct locality		*loc;
	char			**paths = NULL, **old = NULL;
	size_t			 npaths = 0, nold = 0;
	int			 rv, empty;

	if ((loc = build_locality(o)) == NULL)
		return (EXIT_USAGE);
	/*
	 * Also what the ingest judges by as it writes (it adds the store's;
	 * classification adds the same again, and inference).
	 */
	o->ingest.loc = loc;
	empty = ingest_expand_dirs(&paths, &npaths, argv, (size_t)argc);
	ingest_order(paths, npaths);
	if (ingest_rebuild_plan(*stp, paths, npaths, &old, &nold,
	    o->ingest.quiet) == 1) {
		rv = rebuild(o, stp, old, nold, paths, npaths, &t);
		ingest_free_paths(old, nold);
	} else
		rv = ingest_files(*stp, paths, npaths, &o->ingest, &t);
	if (empty > 0 && rv == 0)
		rv = -1;
	ingest_free_paths(paths, npaths);
	o->ingest.loc = NULL;
	if (rv == -2) {
		locality_free(loc);
		return (EXIT_USAGE);
	}
	if (!o->ingest.quiet)
		log_warnx("read %llu sources (%llu already ingested, %llu with"
		    " errors): %llu lines, %llu understood, %llu from other "
		    "programs, %llu not understood; %llu sessions, %llu "
		    "messages, %llu recipients",
		    (unsigned long long)t.sources,
		    (unsigned long long)t.skipped,
		    (unsigned long long)t.failed,
		    (unsigned long long)t.lines, (unsigned long long)t.parsed,
		    (unsigned long long)t.other,
		    (unsigned long long)t.unparsed,
		    (unsigned long long)t.sessions,
		    (unsigned long long)t.messages,
		    (unsigned long long)t.recipients);
	if (classify(*stp, loc, o) == -1)
		rv = -1;
	locality_free(loc);
	return (rv == 0 ? 0 : 1);
}

/* write_report - to -o FILE or standard output; the exit status. */
static int
write_report(struct opts *o, struct store *st)
{
	FILE	*fp = stdout;
	int	 rv = 0;

	if (o->output != NULL && (fp = fopen(o->output, "w")) == NULL) {
		log_warn("%s", o->output);
		return (1);
	}
	(void)report_write(st, fp, o->format != NULL ? o->format : "text",
	    o->db);
	if (fflush(fp) == EOF || ferror(fp)) {
		log_warn("%s", o->output != NULL ? o->output :
		    "standard output");
		rv = 1;
	}
	if (fp != stdout && fclose(fp) == EOF) {
		log_warn("%s", o->output);
		rv = 1;
	}
	return (rv);
}

/* check_extract - --extract must name a directory; 0 or -1. */
static int
check_extract(const struct opts *o)
{
	struct stat	sb;

	if (o->ingest.extract == NULL)
		return (0);
	if (stat(o->ingest.extract, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_warnx("--extract %s: not a directory", o->ingest.extract);
		return (-1);
	}
	return (0);
}

static int
cmd_ingest(struct opts *o, int argc, char **argv)
{
	struct store	*st;
	int		 rv;

	if (argc == 0) {
		log_warnx("ingest: no files given (use '-' for standard "
		    "input)");
		return (EXIT_USAGE);
	}
	if (check_extract(o) == -1)
		return (EXIT_USAGE);
	st = open_store(o, 0);
	rv = do_ingest(o, &st, argc, argv);
	store_close(st);
	return (rv);
}

static int
cmd_investigate(struct opts *o, int argc, char **argv)
{
	struct store	*st;
	int		 rv, rv2;

	if (argc == 0) {
		log_warnx("investigate: no files given");
		return (EXIT_USAGE);
	}
	if (check_extract(o) == -1)
		return (EXIT_USAGE);
	st = open_store(o, 0);
	rv = do_ingest(o, &st, argc, argv);
	if (rv == EXIT_USAGE) {
		store_close(st);
		return (rv);
	}
	rv2 = write_report(o, st);
	store_close(st);
	return (rv != 0 ? rv : rv2);
}

static int
cmd_report(struct opts *o, int argc, char **argv)
{
	struct store	*st;
	struct locality	*loc;
	int		 rv;

	if (argc != 0) {
		log_warnx("report: unexpected argument %s", argv[0]);
		return (EXIT_USAGE);
	}
	if (o->locality_given) {
		/* New locality: judge again before reporting. */
		if ((loc = build_locality(o)) == NULL)
			return (EXIT_USAGE);
		st = open_store(o, 0);
		rv = classify(st, loc, o);
		locality_free(loc);
		if (rv == -1) {
			store_close(st);
			return (1);
		}
	} else
		st = open_store(o, STORE_RDONLY);
	rv = write_report(o, st);
	store_close(st);
	return (rv);
}

static int
cmd_sessions(struct opts *o, int argc, char **argv)
{
	struct store	*st;

	if (argc != 0) {
		log_warnx("sessions: unexpected argument %s", argv[0]);
		return (EXIT_USAGE);
	}
	st = open_store(o, STORE_RDONLY);
	(void)show_sessions(st, stdout, &o->filter);
	store_close(st);
	return (0);
}

static int
cmd_show(struct opts *o, int argc, char **argv)
{
	struct store	*st;
	long long	 id;
	int		 rv = 0;

	if (argc != 1 || (id = parse_num(argv[0], 1, INT64_MAX)) == -1) {
		log_warnx("show: give one session number (see 'relaytrace "
		    "sessions')");
		return (EXIT_USAGE);
	}
	st = open_store(o, STORE_RDONLY);
	if (show_session(st, stdout, id) == -1) {
		log_warnx("show: no session %lld", id);
		rv = 1;
	}
	store_close(st);
	return (rv);
}

static int
cmd_sql(struct opts *o, int argc, char **argv)
{
	struct store	*st;
	int		 rv;

	if (argc != 1) {
		log_warnx("sql: give one SQL statement as one argument");
		return (EXIT_USAGE);
	}
	st = open_store(o, STORE_RDONLY);
	rv = show_sql(st, stdout, argv[0]) == 0 ? 0 : 1;
	store_close(st);
	return (rv);
}

int
main(int argc, char **argv)
{
	const struct cmd	*c;
	struct opts		 o;
	bool			 helped;
	int			 first, rv;

	log_init("relaytrace", 0);
	if (argc < 2) {
		usage(stderr);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("relaytrace %s\n", PACKAGE_VERSION);
		return (0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return (0);
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (c->name == NULL) {
		log_warnx("unknown command '%.64s'", argv[1]);
		usage(stderr);
		return (EXIT_USAGE);
	}
	memset(&o, 0, sizeof(o));
	o.db = DEFAULT_DB;
	first = parse_opts(&o, c, argc - 1, argv + 1, &helped);
	if (first == -1) {
		if (!helped)
			usage_cmd(stderr, c);
		rv = helped ? 0 : EXIT_USAGE;
	} else {
		log_init("relaytrace", verbose + (o.ingest.quiet ? 0 : 1));
		rv = c->fn(&o, argc - 1 - first, argv + 1 + first);
	}
	free(o.domains);
	free(o.nets);
	free(o.rdomains);
	return (rv);
}
