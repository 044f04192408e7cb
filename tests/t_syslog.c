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
 * Syslog headers and the clock: the three time stamp forms, zones, year
 * inference, and lines that are cut short or not syslog at all.  Expected
 * epochs were computed with date(1), e.g. date -u -d '2026-12-01
 * 20:31:02' +%s.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "syslog.h"
#include "tap.h"

/* sp - a span as a C string, for is_str (a few rotating buffers). */
static const char *
sp(struct span s)
{
	static char	bufs[4][512];
	static int	i;
	char		*b;

	if (s.p == NULL)
		return ("(null)");
	b = bufs[i++ % 4];
	if (s.n >= sizeof(bufs[0]))
		s.n = sizeof(bufs[0]) - 1;
	memcpy(b, s.p, s.n);
	b[s.n] = '\0';
	return (b);
}

static int
parse(struct syslog_clock *c, const char *line, struct syslog_msg *m)
{
	return (syslog_parse(c, span_from_cstr(line), m));
}

/* t_rfc3339 - time stamps that carry their zone. */
static void
t_rfc3339(void)
{
	struct syslog_clock	*c;
	struct syslog_msg	 m;

	c = syslog_clock_new(0, "UTC");
	is_int(parse(c, "2026-12-01T20:31:02.123456+00:00 mx "
	    "postfix/smtpd[123]: connect from x[192.0.2.1]", &m), 0,
	    "rfc3339: parsed");
	is_int(m.form, SYSLOG_RFC3339, "rfc3339: form");
	is_int(m.form_sure, 1, "rfc3339: form sure");
	is_int(m.time, 1796157062, "rfc3339: 2026-12-01 20:31:02 UTC");
	is_int(m.usec, 123456, "rfc3339: microseconds");
	is_str(sp(m.host), "mx", "rfc3339: host");
	is_str(sp(m.program), "postfix/smtpd", "rfc3339: program");
	is_int(m.pid, 123, "rfc3339: pid");
	is_str(sp(m.msg), "connect from x[192.0.2.1]", "rfc3339: message");

	is_int(parse(c, "2026-12-01T20:31:02Z mx postfix/qmgr[9]: x", &m), 0,
	    "rfc3339 Z: parsed");
	is_int(m.time, 1796157062, "rfc3339 Z: time");
	is_int(m.usec, 0, "rfc3339 Z: no fraction");

	is_int(parse(c, "2026-12-01T20:31:02.5+01:00 mx p[1]: x", &m), 0,
	    "rfc3339 +01:00: parsed");
	is_int(m.time, 1796153462, "rfc3339 +01:00: 19:31:02 UTC");
	is_int(m.usec, 500000, "rfc3339 .5: 500000 us");

	is_int(parse(c, "2026-12-01T20:31:02.123456789-05:00 mx p[1]: x",
	    &m), 0, "rfc3339 -05:00: parsed");
	is_int(m.time, 1796175062, "rfc3339 -05:00: next day 01:31:02 UTC");
	is_int(m.usec, 123456, "rfc3339: nanoseconds cut to microseconds");

	is_int(parse(c, "2026-12-01T20:31:02+0530 mx p[1]: x", &m), 0,
	    "journalctl short-iso +0530: parsed");
	is_int(m.time, 1796137262, "+0530: 15:01:02 UTC");

	/* No zone: local time in the clock's zone (UTC here). */
	is_int(parse(c, "2026-12-01T20:31:02 mx p[1]: x", &m), 0,
	    "rfc3339 without zone: parsed");
	is_int(m.time, 1796157062, "rfc3339 without zone: clock zone");

	is_int(parse(c, "2026-02-30T20:31:02Z mx p[1]: x", &m), -1,
	    "rfc3339 February 30: refused");
	is_int(parse(c, "2026-12-01T24:31:02Z mx p[1]: x", &m), -1,
	    "rfc3339 hour 24: refused");
	is_int(parse(c, "2026-12-01T20:31:02+99:00 mx p[1]: x", &m), -1,
	    "rfc3339 offset +99:00: refused");
	is_int(parse(c, "2026-12-01T20:31:02.123456+00:00", &m), -1,
	    "rfc3339 stamp alone: refused");
	syslog_clock_free(c);
}

/* t_bsd - yearless forms, with a UTC clock and a known anchor. */
static void
t_bsd(void)
{
	struct syslog_clock	*c;
	struct syslog_msg	 m;

	c = syslog_clock_new(0, "UTC");
	syslog_clock_begin(c, 1796428800);	/* 2026-12-05 00:00 UTC */
	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd[123]: hello", &m),
	    0, "bsd: parsed");
	is_int(m.form, SYSLOG_BSD, "bsd: form");
	is_int(m.form_sure, 1, "bsd: space-padded day is sure");
	is_int(m.time, 1796157062, "bsd: 2026-12-01 20:31:02");
	is_str(sp(m.host), "mx", "bsd: host");
	is_str(sp(m.program), "postfix/smtpd", "bsd: program");
	is_int(m.pid, 123, "bsd: pid");
	is_str(sp(m.msg), "hello", "bsd: message");

	is_int(parse(c, "Dec 01 20:31:02 mx postfix/smtpd[123]: hello", &m),
	    0, "maillog_file: parsed");
	is_int(m.form, SYSLOG_MAILLOG, "maillog_file: zero-padded day");
	is_int(m.form_sure, 1, "maillog_file: sure");
	is_int(m.time, 1796157062, "maillog_file: same time");

	is_int(parse(c, "Nov 11 20:31:02 mx postfix/smtpd[123]: x", &m), 0,
	    "day 11: parsed");
	is_int(m.form, SYSLOG_BSD, "day 11: reported as bsd");
	is_int(m.form_sure, 0, "day 11: not sure");

	is_int(parse(c, "Mar 7 02:09:33 server postfix/smtpd[27246]: x", &m),
	    0, "single-digit day after one space: parsed");
	is_int(m.time, 1772849373, "Mar 7 02:09:33 is 2026");

	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd: no pid", &m), 0,
	    "tag without pid: parsed");
	is_int(m.pid, -1, "tag without pid: pid -1");
	is_str(sp(m.program), "postfix/smtpd", "tag without pid: program");
	is_str(sp(m.msg), "no pid", "tag without pid: message");

	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd[1]:", &m), 0,
	    "empty message: parsed");
	is_int(m.msg.n, 0, "empty message: empty");

	is_int(parse(c, "Dec  1 20:31:02 mx last message repeated 3 times",
	    &m), 0, "syslogd note: parsed");
	is_int(m.program.n, 0, "syslogd note: no program");

	is_int(parse(c, "Dec  1 20:3", &m), -1, "truncated stamp: refused");
	is_int(parse(c, "Dec  1 20:31:02", &m), -1, "stamp only: refused");
	is_int(parse(c, "Dec  1 20:31:02 mx", &m), -1, "no tag: refused");
	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd[12", &m), -1,
	    "pid cut short: refused");
	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd[]: x", &m), -1,
	    "empty pid: refused");
	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd[1x]: x", &m), -1,
	    "pid not a number: refused");
	is_int(parse(c, "Dec  1 20:31:02 mx postfix/smtpd x", &m), -1,
	    "tag without colon: refused");
	is_int(parse(c, "Dec 32 20:31:02 mx p[1]: x", &m), -1,
	    "day 32: refused");
	is_int(parse(c, "Feb 30 20:31:02 mx p[1]: x", &m), -1,
	    "February 30: refused");
	is_int(parse(c, "Dec  1 25:31:02 mx p[1]: x", &m), -1,
	    "hour 25: refused");
	is_int(parse(c, "dec  1 20:31:02 mx p[1]: x", &m), -1,
	    "lower-case month: refused");
	is_int(parse(c, "Foo  1 20:31:02 mx p[1]: x", &m), -1,
	    "unknown month: refused");
	is_int(parse(c, "", &m), -1, "empty line: refused");
	is_int(parse(c, "garbage", &m), -1, "garbage: refused");
	is_int(syslog_parse(c, SPAN_LIT("Dec  1 20:31:02 mx p\0q[1]: x"), &m),
	    -1, "NUL in the tag: refused");
	is_int(syslog_parse(c, SPAN_LIT("Dec  1 20:31:02 mx p[1]: a\0b"), &m),
	    0, "NUL in the message: kept");
	is_int(m.msg.n, 3, "NUL in the message: three bytes");
	syslog_clock_free(c);
}

/* t_years - year inference from the anchor, and a forced year. */
static void
t_years(void)
{
	struct syslog_clock	*c;
	struct syslog_msg	 m;

	c = syslog_clock_new(0, "UTC");
	syslog_clock_begin(c, 1799150400);	/* 2027-01-05 12:00 UTC */
	(void)parse(c, "Dec 30 10:00:00 mx p[1]: x", &m);
	is_int(m.time, 1798624800, "anchor Jan 5: Dec 30 is 2026");
	(void)parse(c, "Jan  2 10:00:00 mx p[1]: x", &m);
	is_int(m.time, 1798884000, "anchor Jan 5: Jan 2 is 2027");

	syslog_clock_begin(c, 1798758600);	/* 2026-12-31 23:10 UTC */
	(void)parse(c, "Jan  1 00:10:00 mx p[1]: x", &m);
	is_int(m.time, 1798762200,
	    "an hour after the anchor, across New Year: next year");

	syslog_clock_begin(c, 1803859200);	/* 2027-03-01 00:00 UTC */
	(void)parse(c, "Feb 29 12:00:00 mx p[1]: x", &m);
	is_int(m.time, 1709208000, "Feb 29: the latest leap year, 2024");
	syslog_clock_free(c);

	c = syslog_clock_new(2025, "UTC");
	syslog_clock_begin(c, 1799150400);
	(void)parse(c, "Dec 31 23:59:59 mx p[1]: x", &m);
	is_int(m.time, 1767225599, "forced 2025: Dec 31 is 2025");
	(void)parse(c, "Jan  1 00:00:01 mx p[1]: x", &m);
	is_int(m.time, 1767225601, "forced 2025: then Jan 1 rolls to 2026");
	syslog_clock_begin(c, 1799150400);
	(void)parse(c, "Mar 10 08:00:00 mx p[1]: x", &m);
	is_int(m.time, 1741593600, "new source: forced year again, 2025");
	(void)parse(c, "Feb 10 08:00:00 mx p[1]: x", &m);
	is_int(m.time, 1739174400,
	    "a month backwards is disorder, not a new year");
	syslog_clock_free(c);

	ok(syslog_clock_new(1969, NULL) == NULL, "year 1969: refused");
	ok(syslog_clock_new(10000, NULL) == NULL, "year 10000: refused");
}

/* t_zones - fixed offsets, IANA names and the process zone. */
static void
t_zones(void)
{
	struct syslog_clock	*c;
	struct syslog_msg	 m;
	const char		*tz;

	c = syslog_clock_new(0, "+01:00");
	ok(c != NULL, "tz +01:00: accepted");
	syslog_clock_begin(c, 1796428800);
	(void)parse(c, "Dec  1 20:31:02 mx p[1]: x", &m);
	is_int(m.time, 1796153462, "tz +01:00: 19:31:02 UTC");
	syslog_clock_free(c);

	c = syslog_clock_new(0, "-0500");
	ok(c != NULL, "tz -0500: accepted");
	syslog_clock_begin(c, 1796428800);
	(void)parse(c, "Dec  1 20:31:02 mx p[1]: x", &m);
	is_int(m.time, 1796175062, "tz -0500: 01:31:02 UTC next day");
	syslog_clock_free(c);

	c = syslog_clock_new(0, "UTC+1");
	ok(c != NULL, "tz UTC+1: accepted");
	syslog_clock_begin(c, 1796428800);
	(void)parse(c, "Dec  1 20:31:02 mx p[1]: x", &m);
	is_int(m.time, 1796153462, "tz UTC+1: one hour east, ISO sign");
	syslog_clock_free(c);

	c = syslog_clock_new(0, "utc");
	ok(c != NULL, "tz utc, lower case: accepted");
	syslog_clock_free(c);
	ok(syslog_clock_new(0, "+25:00") == NULL, "tz +25:00: refused");
	ok(syslog_clock_new(0, "Mars/Olympus_Mons") == NULL,
	    "unknown zone name: refused");
	ok(syslog_clock_new(0, "../../etc/passwd") == NULL,
	    "zone name with ..: refused");
	ok(syslog_clock_new(0, "/etc/localtime") == NULL,
	    "absolute zone path: refused");

	(void)setenv("TZ", "UTC0", 1);
	tzset();
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0 ||
	    getenv("TZDIR") != NULL) {
		c = syslog_clock_new(0, "Europe/Berlin");
		ok(c != NULL, "tz Europe/Berlin: accepted");
		syslog_clock_begin(c, 1796428800);
		(void)parse(c, "Jul  1 12:00:00 mx p[1]: x", &m);
		is_int(m.time, 1782900000, "Berlin summer: 10:00 UTC");
		(void)parse(c, "Dec  1 12:00:00 mx p[1]: x", &m);
		is_int(m.time, 1796122800, "Berlin winter: 11:00 UTC");
		(void)parse(c, "Dec  1 12:30:00 mx p[1]: x", &m);
		is_int(m.time, 1796122800 + 1800, "Berlin, same hour: cached");
		tz = getenv("TZ");
		is_str(tz, "UTC0", "TZ restored after a named zone");
		syslog_clock_free(c);
	} else
		diag("no zoneinfo: Europe/Berlin not tested");

	/* No --tz: the process zone. */
	(void)setenv("TZ", "EST5", 1);
	tzset();
	c = syslog_clock_new(0, NULL);
	syslog_clock_begin(c, 1796428800);
	(void)parse(c, "Dec  1 20:31:02 mx p[1]: x", &m);
	is_int(m.time, 1796175062, "local zone EST5: five hours behind");
	syslog_clock_free(c);
}

/* t_civil - the calendar arithmetic. */
static void
t_civil(void)
{
	is_int(syslog_days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(syslog_days_from_civil(1969, 12, 31), -1, "1969-12-31 is -1");
	is_int(syslog_days_from_civil(2000, 3, 1), 11017,
	    "2000-03-01 is 951868800 / 86400");
	is_int(syslog_days_from_civil(2026, 12, 1), 20788,
	    "2026-12-01 is 1796083200 / 86400");
	is_str(syslog_form_name(SYSLOG_MAILLOG), "maillog", "form name");
}

/* t_rfc5424 - RFC 5424 headers, with and without <PRI>, and their data. */
static void
t_rfc5424(void)
{
	struct syslog_clock	*c;
	struct syslog_msg	 m;

	c = syslog_clock_new(0, "UTC");
	is_int(parse(c, "<22>1 2026-12-01T20:31:02.123456+00:00 mx "
	    "postfix/smtpd 123 - - connect from x[192.0.2.1]", &m), 0,
	    "rfc5424: parsed");
	is_int(m.form, SYSLOG_RFC5424, "rfc5424: form");
	is_int(m.form_sure, 1, "rfc5424: form sure");
	is_int(m.time, 1796157062, "rfc5424: time");
	is_int(m.usec, 123456, "rfc5424: usec");
	is_str(sp(m.host), "mx", "rfc5424: host");
	is_str(sp(m.program), "postfix/smtpd", "rfc5424: app-name");
	is_int(m.pid, 123, "rfc5424: procid");
	is_str(sp(m.msg), "connect from x[192.0.2.1]", "rfc5424: message");

	is_int(parse(c, "1 2026-12-01T21:31:02+01:00 mx postfix/qmgr - ID47 "
	    "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\] \\\"x\"]"
	    "[meta sequenceId=\"1\"] \xef\xbb\xbf" "4F12: removed", &m), 0,
	    "rfc5424 without <PRI>, with structured data");
	is_int(m.time, 1796157062, "rfc5424: zone offset");
	is_int(m.pid, -1, "rfc5424: nil procid");
	is_str(sp(m.msg), "4F12: removed", "rfc5424: message after SD and BOM");

	is_int(parse(c, "<13>1 2026-12-01T20:31:02Z - - - - -", &m), 0,
	    "rfc5424: every value nil, no message");
	ok(m.host.n == 0 && m.program.n == 0 && m.msg.n == 0,
	    "rfc5424: empty host, program and message");
	is_int(parse(c, "<13>1 - mx p 1 - - x", &m), -1,
	    "rfc5424: a nil time stamp is refused");
	is_int(parse(c, "<13>1 2026-12-01T20:31:02Z mx p 1 - [a b=\"c] x", &m),
	    -1, "rfc5424: an unclosed element");
	is_int(parse(c, "<13>1 2026-12-01T20:31:02Z mx p 1 - x", &m), -1,
	    "rfc5424: no structured data");
	is_int(parse(c, "<192>1 2026-12-01T20:31:02Z mx p 1 - - x", &m), -1,
	    "rfc5424: PRI over 191");
	is_int(parse(c, "<13>1 2026-12-01T20:31:02Z mx", &m), -1,
	    "rfc5424: cut short");
	is_int(parse(c, "<22>Dec  1 20:31:02 mx postfix/smtpd[7]: hello", &m),
	    0, "RFC 3164 with its <PRI>");
	is_int(m.form, SYSLOG_BSD, "<PRI> BSD: form");
	is_int(m.pid, 7, "<PRI> BSD: pid");
	is_int(parse(c, "<22>", &m), -1, "only a <PRI>");
	is_str(syslog_form_name(SYSLOG_RFC5424), "rfc5424", "form name 5424");
	syslog_clock_free(c);
}

/*
 * t_facpri - "<facility.priority>" where syslogds put it, and a BSD line
 * with the <PRI> it was sent with.  mail.info is 2 * 8 + 6 = 22.
 */
static void
t_facpri(void)
{
	static const char *const same[] = {
		"Dec  1 20:31:02 <mail.info> mx postfix/smtpd[123]: hello",
		"Dec  1 20:31:02 mx <mail.info> postfix/smtpd[123]: hello",
		"Dec  1 20:31:02 <2.6> mx postfix/smtpd[123]: hello",
		"Dec  1 20:31:02 mx <mail.notice> postfix/smtpd[123]: hello",
		"Dec  1 20:31:02 <local7.debug> mx postfix/smtpd[123]: hello",
		"Dec  1 20:31:02 <23.7> mx <mail.err> postfix/smtpd[123]: "
		    "hello",
		"<22>Dec  1 20:31:02 mx postfix/smtpd[123]: hello",
		"<22>Dec 1 20:31:02 mx postfix/smtpd[123]: hello",
		"<0>Dec  1 20:31:02 <mail.info> mx postfix/smtpd[123]: hello",
		"2026-12-01T20:31:02Z <mail.info> mx postfix/smtpd[123]: hello",
		"<191>2026-12-01T20:31:02+00:00 mx <mail.warning> "
		    "postfix/smtpd[123]: hello",
	};
	static const char *const refused[] = {
		"Dec  1 20:31:02 <mail.bogus> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <bogus.info> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <25.6> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <2.8> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <02.6> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <mail.> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <.info> mx postfix/smtpd[1]: x",
		"Dec  1 20:31:02 <mail.info>",
		"Dec  1 20:31:02 <mail.info> ",
		"Dec  1 20:31:02 mx <mail.info>",
		"Dec  1 20:31:02 <mail.info> <mail.info> mx p[1]: x",
		"<x>Dec  1 20:31:02 mx p[1]: x",
		"<>Dec  1 20:31:02 mx p[1]: x",
		"<192>Dec  1 20:31:02 mx p[1]: x",
		"<1234>Dec  1 20:31:02 mx p[1]: x",
		"<22>",
		"<22",
	};
	struct syslog_clock	*c;
	struct syslog_msg	 m;
	size_t			 i;

	c = syslog_clock_new(0, "UTC");
	syslog_clock_begin(c, 1796428800);	/* 2026-12-05 00:00 UTC */
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		is_int(parse(c, same[i], &m), 0, "facpri %zu: parsed", i);
		ok(m.time == 1796157062 && m.pid == 123 &&
		    strcmp(sp(m.host), "mx") == 0 &&
		    strcmp(sp(m.program), "postfix/smtpd") == 0 &&
		    strcmp(sp(m.msg), "hello") == 0,
		    "facpri %zu: 20:31:02, host mx, postfix/smtpd[123], hello "
		    "(got %lld, %s, %s[%lld], %s)", i, (long long)m.time,
		    sp(m.host), sp(m.program), (long long)m.pid, sp(m.msg));
	}
	is_int(parse(c, same[0], &m), 0, "facpri after the time");
	is_int(m.form, SYSLOG_BSD, "facpri after the time: still bsd");
	is_int(parse(c, same[9], &m), 0, "facpri after an RFC 3339 time");
	is_int(m.form, SYSLOG_RFC3339, "facpri after an RFC 3339 time: form");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		is_int(parse(c, refused[i], &m), -1, "not facpri %zu: refused",
		    i);
	/* In the message it is text, kept as it is. */
	is_int(parse(c, "Dec  1 20:31:02 mx p[1]: <mail.info> text", &m), 0,
	    "facpri in the message: parsed");
	is_str(sp(m.msg), "<mail.info> text", "facpri in the message: kept");
	/* Cut anywhere, a line is refused, never read past its end. */
	for (i = 0; i < strlen(same[5]); i++)
		if (syslog_parse(c, (struct span){ same[5], i }, &m) == 0 &&
		    i < strlen("Dec  1 20:31:02 <23.7> mx <mail.err> "
		    "postfix/smtpd[123]:"))
			break;
	is_int(i, strlen(same[5]), "facpri lines cut short: refused");
	syslog_clock_free(c);
}

int
main(void)
{
	t_rfc3339();
	t_bsd();
	t_years();
	t_zones();
	t_civil();
	t_rfc5424();
	t_facpri();
	return (done_testing());
}
