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
 * Text mail logs: syslog header, then dispatch by program tag through a
 * table of MTA parsers.  A line no parser claims is some other program's
 * (PARSE_SKIP); a line that is not syslog at all, or that its parser does
 * not understand, is PARSE_BAD.  Per source, the lines each parser claims
 * are counted by header form, which names the source's format
 * ("postfix-bsd").  Lines are hostile; nothing here looks past the spans
 * syslog_parse() returns.
 */

#include "config.h"

#include "mtalog.h"

#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "iis.h"
#include "journald.h"
#include "exim.h"
#include "mtalog_int.h"
#include "opensmtpd.h"
#include "postfix.h"
#include "sendmail.h"
#include "syslog.h"
#include "xmalloc.h"

/* Lines looked at to decide a source's format. */
#define MTALOG_SNIFF_LINES	50

/* One MTA's parser, behind a uniform face. */
struct mtalog_parser {
	const char	*name;
	const char	*formats[SYSLOG__MAX];
	void		*(*create)(void);
	void		 (*destroy)(void *);
	void		 (*begin)(void *);	/* a new source; may be NULL */
	bool		 (*match)(const struct syslog_msg *);
	enum parse_result (*parse)(void *, const struct syslog_msg *,
			    const struct ev_ref *, ev_sink, void *);
};

static void		*mt_postfix_new(void);
static void		 mt_postfix_free(void *);
static enum parse_result mt_postfix_parse(void *, const struct syslog_msg *,
			    const struct ev_ref *, ev_sink, void *);

static void		*mt_sendmail_new(void);
static void		 mt_sendmail_free(void *);
static enum parse_result mt_sendmail_parse(void *, const struct syslog_msg *,
			    const struct ev_ref *, ev_sink, void *);

static void		*mt_opensmtpd_new(void);
static void		 mt_opensmtpd_free(void *);
static enum parse_result mt_opensmtpd_parse(void *, const struct syslog_msg *,
			    const struct ev_ref *, ev_sink, void *);

static const struct mtalog_parser mtalog_parsers[] = {
	{ "postfix",
	    { [SYSLOG_RFC3339] = "postfix-rfc3339",
	      [SYSLOG_BSD] = "postfix-bsd",
	      [SYSLOG_MAILLOG] = "postfix-maillog",
	      [SYSLOG_RFC5424] = "postfix-rfc5424" },
	    mt_postfix_new, mt_postfix_free, NULL, postfix_match,
	    mt_postfix_parse },
	{ "sendmail",
	    { [SYSLOG_RFC3339] = "sendmail-rfc3339",
	      [SYSLOG_BSD] = "sendmail-bsd",
	      [SYSLOG_RFC5424] = "sendmail-rfc5424" },
	    mt_sendmail_new, mt_sendmail_free, NULL, sendmail_match,
	    mt_sendmail_parse },
	{ "opensmtpd",
	    { [SYSLOG_RFC3339] = "opensmtpd-rfc3339",
	      [SYSLOG_BSD] = "opensmtpd-bsd",
	      [SYSLOG_RFC5424] = "opensmtpd-rfc5424" },
	    mt_opensmtpd_new, mt_opensmtpd_free, NULL, opensmtpd_match,
	    mt_opensmtpd_parse },
	{ "exim-syslog",
	    { [SYSLOG_RFC3339] = "exim-syslog-rfc3339",
	      [SYSLOG_BSD] = "exim-syslog-bsd",
	      [SYSLOG_RFC5424] = "exim-syslog-rfc5424" },
	    exim_syslog_new, exim_syslog_free, exim_syslog_begin, exim_match,
	    exim_syslog_parse },
};
#define MTALOG_NPARSERS	(sizeof(mtalog_parsers) / sizeof(mtalog_parsers[0]))

/*
 * Formats that are not syslog lines: each knows its own line shape.  A
 * source is syslog unless one of these claims one of its first lines (or
 * --format names it).  Entries end with a NULL name.
 */
static const struct mtalog_native mtalog_natives[] = {
	{ "exchange", exchange_detect, exchange_create, exchange_destroy,
	    exchange_begin, exchange_parse, NULL },
	{ "iis", iis_detect, iis_create, iis_destroy, iis_begin, iis_parse,
	    NULL },
	{ "exchange2003", iis_track_detect, iis_track_create,
	    iis_track_destroy, iis_track_begin, iis_track_parse, NULL },
	{ "journald", journald_detect, journald_create, journald_destroy,
	    journald_begin, journald_parse, NULL },
	{ "exim", exim_detect, exim_native_new, exim_native_free,
	    exim_native_begin, exim_native_parse, exim_native_format },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

struct mtalog {
	struct syslog_clock	*clock;
	char			*force;		/* --format, or NULL */
	const struct mtalog_native *native;	/* this source's, or NULL */
	void			*nstate[sizeof(mtalog_natives) /
				    sizeof(mtalog_natives[0])];
	uint64_t		 sniffed;	/* lines looked at */
	bool			 syslog_seen;
	void			*state[MTALOG_NPARSERS];
	struct mtalog_stats	 stats;
	uint64_t		 forms[MTALOG_NPARSERS][SYSLOG__MAX];
	uint64_t		 unsure[MTALOG_NPARSERS];
};

/* Counts the events of one line on their way to the caller's sink. */
struct mt_tally {
	ev_sink		 sink;
	void		*arg;
	uint64_t	 n;
};

/* mt_postfix_new - the Postfix parser's state, behind void *. */
static void *
mt_postfix_new(void)
{
	return (postfix_new());
}

/* mt_postfix_free - release the Postfix parser's state. */
static void
mt_postfix_free(void *p)
{
	postfix_free(p);
}

/* mt_postfix_parse - one Postfix line. */
static enum parse_result
mt_postfix_parse(void *p, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	return (postfix_parse(p, sm, ref, sink, arg));
}

/* mt_sendmail_new - the Sendmail parser's state, behind void *. */
static void *
mt_sendmail_new(void)
{
	return (sendmail_new());
}

/* mt_sendmail_free - release the Sendmail parser's state. */
static void
mt_sendmail_free(void *p)
{
	sendmail_free(p);
}

/* mt_sendmail_parse - one Sendmail line. */
static enum parse_result
mt_sendmail_parse(void *p, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	return (sendmail_parse(p, sm, ref, sink, arg));
}

/* mt_opensmtpd_new - the OpenSMTPD parser's state, behind void *. */
static void *
mt_opensmtpd_new(void)
{
	return (opensmtpd_new());
}

/* mt_opensmtpd_free - release the OpenSMTPD parser's state. */
static void
mt_opensmtpd_free(void *p)
{
	opensmtpd_free(p);
}

/* mt_opensmtpd_parse - one OpenSMTPD line. */
static enum parse_result
mt_opensmtpd_parse(void *p, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	return (opensmtpd_parse(p, sm, ref, sink, arg));
}

/* mt_count - the sink between a parser and the caller. */
static void
mt_count(void *arg, const struct event *ev)
{
	struct mt_tally	*t = arg;

	t->n++;
	t->sink(t->arg, ev);
}

/*
 * mtalog_new - a text log parser.  opts->year forces the year of yearless
 * time stamps (0 infers it), opts->tz is their zone (NULL: the local
 * zone).  Returns NULL if either option is not acceptable.
 */
struct mtalog *
mtalog_new(const struct mtalog_opts *opts)
{
	struct mtalog	*ml;
	size_t		 i;

	ml = xcalloc(1, sizeof(*ml));
	if ((ml->clock = syslog_clock_new(opts != NULL ? opts->year : 0,
	    opts != NULL ? opts->tz : NULL)) == NULL) {
		free(ml);
		return (NULL);
	}
	for (i = 0; i < MTALOG_NPARSERS; i++)
		ml->state[i] = mtalog_parsers[i].create();
	for (i = 0; mtalog_natives[i].name != NULL; i++)
		ml->nstate[i] = mtalog_natives[i].create(ml->clock);
	if (opts != NULL && opts->format != NULL) {
		if (!mtalog_format_known(opts->format)) {
			mtalog_free(ml);
			return (NULL);
		}
		ml->force = xstrdup(opts->format);
	}
	return (ml);
}

/*
 * mtalog_format_known - is name a format --format accepts: a syslog
 * parser's name ("postfix") or a native format's?
 */
bool
mtalog_format_known(const char *name)
{
	size_t	i;

	for (i = 0; i < MTALOG_NPARSERS; i++)
		if (strcmp(name, mtalog_parsers[i].name) == 0)
			return (true);
	for (i = 0; mtalog_natives[i].name != NULL; i++)
		if (strcmp(name, mtalog_natives[i].name) == 0)
			return (true);
	return (strcmp(name, "syslog") == 0);
}

/* mtalog_native_index - the native format called name, or -1. */
static int
mtalog_native_index(const char *name)
{
	int	i;

	for (i = 0; mtalog_natives[i].name != NULL; i++)
		if (strcmp(name, mtalog_natives[i].name) == 0)
			return (i);
	return (-1);
}

/* mtalog_free - release ml; NULL is fine. */
void
mtalog_free(struct mtalog *ml)
{
	size_t	i;

	if (ml == NULL)
		return;
	for (i = 0; i < MTALOG_NPARSERS; i++)
		if (ml->state[i] != NULL)
			mtalog_parsers[i].destroy(ml->state[i]);
	for (i = 0; mtalog_natives[i].name != NULL; i++)
		if (ml->nstate[i] != NULL)
			mtalog_natives[i].destroy(ml->nstate[i]);
	free(ml->force);
	syslog_clock_free(ml->clock);
	free(ml);
}

/*
 * mtalog_begin_source - start a new source whose last line was written at
 * anchor (UTC seconds: its mtime, or now for standard input).  Resets the
 * per-source counters and the year inference.
 */
void
mtalog_begin_source(struct mtalog *ml, int64_t anchor)
{
	size_t	i;
	int	n;

	syslog_clock_begin(ml->clock, anchor);
	ml->native = NULL;
	ml->sniffed = 0;
	ml->syslog_seen = false;
	if (ml->force != NULL && (n = mtalog_native_index(ml->force)) >= 0)
		ml->native = &mtalog_natives[n];
	for (i = 0; mtalog_natives[i].name != NULL; i++)
		if (mtalog_natives[i].begin != NULL)
			mtalog_natives[i].begin(ml->nstate[i]);
	for (i = 0; i < MTALOG_NPARSERS; i++)
		if (mtalog_parsers[i].begin != NULL)
			mtalog_parsers[i].begin(ml->state[i]);
	memset(&ml->stats, 0, sizeof(ml->stats));
	memset(ml->forms, 0, sizeof(ml->forms));
	memset(ml->unsure, 0, sizeof(ml->unsure));
}

/*
 * mtalog_line - parse ref->raw, one line without its newline, and give
 * its events to sink(arg, ev).  Every event carries *ref.  Spans in the
 * events point into ref->raw and are valid during the call only.
 */
enum parse_result
mtalog_line(struct mtalog *ml, const struct ev_ref *ref, ev_sink sink,
    void *arg)
{
	struct syslog_msg	 sm;
	struct mt_tally		 t = { sink, arg, 0 };
	enum parse_result	 r;
	size_t			 i;

	ml->stats.lines++;
	if (span_trim(ref->raw).n == 0) {
		ml->stats.skip++;
		ml->stats.blank++;
		return (PARSE_SKIP);
	}
	/* Decide the source's format from its first lines. */
	if (ml->native == NULL && ml->force == NULL && !ml->syslog_seen &&
	    ml->sniffed < MTALOG_SNIFF_LINES) {
		ml->sniffed++;
		if (syslog_parse(ml->clock, ref->raw, &sm) == 0)
			ml->syslog_seen = true;
		else
			for (i = 0; mtalog_natives[i].name != NULL; i++)
				if (mtalog_natives[i].detect(ref->raw)) {
					ml->native = &mtalog_natives[i];
					break;
				}
	}
	if (ml->native != NULL) {
		i = (size_t)(ml->native - mtalog_natives);
		r = ml->native->parse(ml->nstate[i], ml, ref, mt_count, &t);
	} else if (syslog_parse(ml->clock, ref->raw, &sm) == -1) {
		ml->stats.bad++;
		ml->stats.bad_syslog++;
		return (PARSE_BAD);
	} else
		r = mtalog_syslog_dispatch(ml, &sm, ref, mt_count, &t);
	ml->stats.events += t.n;
	switch (r) {
	case PARSE_OK:
		ml->stats.ok++;
		break;
	case PARSE_SKIP:
		ml->stats.skip++;
		break;
	case PARSE_BAD:
		ml->stats.bad++;
		break;
	}
	return (r);
}

/*
 * mtalog_syslog_dispatch - give one parsed syslog message to the parser of
 * its program (for native formats that carry syslog messages, such as
 * journald's JSON).  PARSE_SKIP when no parser claims the program.
 */
enum parse_result
mtalog_syslog_dispatch(struct mtalog *ml, const struct syslog_msg *sm,
    const struct ev_ref *ref, ev_sink sink, void *arg)
{
	const struct mtalog_parser	*mp;
	size_t				 i;

	for (i = 0; sm->program.n > 0 && i < MTALOG_NPARSERS; i++) {
		mp = &mtalog_parsers[i];
		if (ml->force != NULL && strcmp(ml->force, "syslog") != 0 &&
		    strcmp(ml->force, mp->name) != 0)
			continue;
		if (!mp->match(sm))
			continue;
		if (sm->form_sure)
			ml->forms[i][sm->form]++;
		else
			ml->unsure[i]++;
		return (mp->parse(ml->state[i], sm, ref, sink, arg));
	}
	return (PARSE_SKIP);
}

/* mtalog_clock - the clock native parsers use for time stamps. */
struct syslog_clock *
mtalog_clock(struct mtalog *ml)
{
	return (ml->clock);
}

/*
 * mtalog_format - the format of most lines parsed in the current source
 * ("postfix-rfc3339", "postfix-bsd", "postfix-maillog"), or NULL if no
 * line was claimed by a parser.  A native format's name, or the closer
 * one it gives ("exim-rejectlog").  A day of 10 or more cannot tell BSD
 * syslog from maillog_file; such lines go with whichever of the two the
 * other lines showed, BSD by default.
 */
const char *
mtalog_format(const struct mtalog *ml)
{
	const char	*best = NULL;
	uint64_t	 n, most = 0;
	size_t		 i;
	int		 f, amb;

	if (ml->native != NULL) {
		i = (size_t)(ml->native - mtalog_natives);
		if (ml->native->format != NULL &&
		    (best = ml->native->format(ml->nstate[i])) != NULL)
			return (best);
		return (ml->native->name);
	}

	for (i = 0; i < MTALOG_NPARSERS; i++) {
		amb = ml->forms[i][SYSLOG_MAILLOG] > ml->forms[i][SYSLOG_BSD] ?
		    SYSLOG_MAILLOG : SYSLOG_BSD;
		for (f = SYSLOG_NONE + 1; f < SYSLOG__MAX; f++) {
			n = ml->forms[i][f] + (f == amb ? ml->unsure[i] : 0);
			if (n > most && mtalog_parsers[i].formats[f] != NULL) {
				most = n;
				best = mtalog_parsers[i].formats[f];
			}
		}
	}
	return (best);
}

/* mtalog_stats - the counters of the current source. */
const struct mtalog_stats *
mtalog_stats(const struct mtalog *ml)
{
	return (&ml->stats);
}

/* mtalog_result_name - "ok", "skip" or "bad". */
const char *
mtalog_result_name(enum parse_result r)
{
	switch (r) {
	case PARSE_OK:
		return ("ok");
	case PARSE_SKIP:
		return ("skip");
	case PARSE_BAD:
		return ("bad");
	}
	return ("unknown");
}
