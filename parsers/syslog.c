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
 * Syslog headers and the clock that turns their time stamps into UTC.
 * RFC 3164 (BSD, also with the <PRI> it was sent with), RFC 3339 stamps
 * (rsyslog), Postfix's maillog_file and RFC 5424 (with or without its
 * <PRI>; structured data is skipped).  A "<facility.priority>" after the
 * time stamp (FreeBSD's and NetBSD's syslogd -v, -vv) or after the host
 * (other syslogds' templates) is skipped.
 *
 * Input is any line of a log file, hostile or truncated; parsing is ASCII
 * only, never writes into the line and never reads past its end.  A line
 * whose header is not one of the forms in syslog.h is refused (-1).
 *
 * Times with a zone (RFC 3339) need nothing else.  Yearless local times
 * are resolved by a syslog_clock, configured with:
 *
 *  - a forced year (--year), or 0.  With a forced year, the first line of
 *    a source gets that year, and a line more than half a year earlier
 *    than the previous one (December, then January) moves to the next
 *    year.
 *  - a zone (--tz): "UTC", a fixed offset ("+01:00", "-0500", "UTC+1",
 *    east of Greenwich as in ISO 8601, not as in POSIX TZ), or an IANA
 *    name ("Europe/Berlin", looked up through TZ and mktime).
 *    Without one, the machine's local zone (TZ in the environment) is
 *    used.  Offsets are cached per local hour, so mktime runs about once
 *    per hour of log, not per line.
 *  - an anchor per source (the file's mtime, or now for standard input).
 *    Without a forced year a line gets the latest year that does not put
 *    it after the anchor, with one day of slack for a zone or clock that
 *    disagrees with the machine that wrote the log: in a file last
 *    written on 5 January, "Dec 30" is last year's and "Jan 2" this
 *    year's; "Feb 29" goes to the latest leap year.
 *
 * UTC arithmetic is done here (days from the civil date), not by timegm,
 * and no locale function is used: month names are the C locale's.
 */

#include "config.h"

#include "syslog.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

#define DAY			86400
#define CLOCK_SLACK		DAY
#define CLOCK_ROLLBACK		(183 * (int64_t)DAY)
#define CLOCK_TZNAME_MAX	200

enum clock_zone {
	CLOCK_LOCAL,			/* TZ of the process */
	CLOCK_FIXED,			/* offset */
	CLOCK_NAMED			/* tzname through TZ */
};

struct syslog_clock {
	int		 forced_year;
	enum clock_zone	 zone;
	int32_t		 offset;	/* CLOCK_FIXED: seconds east of UTC */
	char		*tzname;	/* CLOCK_NAMED */

	int64_t		 anchor_civil;	/* the anchor as local wall time */
	int64_t		 anchor_year;

	int64_t		 year;		/* forced year in effect */
	bool		 have_last;
	int64_t		 last_civil;

	bool		 cache_ok;	/* local hour -> UTC offset */
	int64_t		 cache_hour;
	int64_t		 cache_offset;
};

static const char clock_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* floordiv - division rounding towards minus infinity. */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (q);
}

/*
 * syslog_days_from_civil - days since 1970-01-01 of a proleptic Gregorian
 * date (month 1-12).  Exact for any year an int64_t can hold a day of.
 */
int64_t
syslog_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* civil_from_days - the inverse of syslog_days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* is_leap - a Gregorian leap year? */
static bool
is_leap(int64_t y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* days_in_month - 28 to 31; February 29 days when leap. */
static int
days_in_month(int m, bool leap)
{
	static const int	mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return (m == 2 && leap ? 29 : mdays[m - 1]);
}

/* digits - the value of n ASCII digits at p, or -1. */
static int
digits(const char *p, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!ASCII_ISDIGIT(p[i]))
			return (-1);
		v = v * 10 + (p[i] - '0');
	}
	return (v);
}

/*
 * parse_offset - "[+-]H", "[+-]HH", "[+-]HHMM" or "[+-]HH:MM" filling all
 * of s, as seconds east of UTC.  Returns -1 on anything else.
 */
static int
parse_offset(const char *s, size_t n, int32_t *off)
{
	size_t	i = 1;
	int	sign, hh = 0, mm = 0;

	if (n < 2 || (s[0] != '+' && s[0] != '-'))
		return (-1);
	sign = s[0] == '-' ? -1 : 1;
	while (i < n && i < 3 && ASCII_ISDIGIT(s[i]))
		hh = hh * 10 + (s[i++] - '0');
	if (i == 1)
		return (-1);
	if (i < n && s[i] == ':' && i == 3)
		i++;
	if (i < n) {
		if (n - i != 2 || (mm = digits(s + i, 2)) < 0)
			return (-1);
	}
	if (hh > 23 || mm > 59)
		return (-1);
	*off = sign * (hh * 3600 + mm * 60);
	return (0);
}

/* tzname_ok - is name a plausible IANA zone that exists on this system? */
static bool
tzname_ok(const char *name)
{
	const char	*dir, *p;
	char		*path;
	bool		 ok;

	if (*name == '\0' || *name == '/' || strlen(name) > CLOCK_TZNAME_MAX ||
	    strstr(name, "..") != NULL)
		return (false);
	for (p = name; *p != '\0'; p++)
		if (!ASCII_ISALPHA(*p) && !ASCII_ISDIGIT(*p) && *p != '/' &&
		    *p != '_' && *p != '-' && *p != '+' && *p != '.')
			return (false);
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	(void)xasprintf(&path, "%s/%s", dir, name);
	ok = access(path, R_OK) == 0;
	free(path);
	return (ok);
}

/*
 * syslog_clock_new - a clock for yearless time stamps.  year is a forced
 * year (1970-9999) or 0; tz is NULL for the local zone, or a zone as
 * described above.  Returns NULL if either is not acceptable.  The anchor
 * is the current time until syslog_clock_begin() sets one.
 */
struct syslog_clock *
syslog_clock_new(int year, const char *tz)
{
	struct syslog_clock	*c;
	const char		*s;
	int32_t			 off;

	if (year != 0 && (year < 1970 || year > 9999))
		return (NULL);
	c = xcalloc(1, sizeof(*c));
	c->forced_year = year;
	c->zone = CLOCK_LOCAL;
	if (tz != NULL) {
		s = tz;
		if (span_casestartswith(span_from_cstr(s), "UTC") ||
		    span_casestartswith(span_from_cstr(s), "GMT"))
			s += 3;
		if (*s == '\0' || span_caseeq_cstr(span_from_cstr(tz), "Z")) {
			c->zone = CLOCK_FIXED;
			c->offset = 0;
		} else if (parse_offset(s, strlen(s), &off) == 0) {
			c->zone = CLOCK_FIXED;
			c->offset = off;
		} else {
			if (*tz == ':')
				tz++;
			if (!tzname_ok(tz)) {
				free(c);
				return (NULL);
			}
			c->zone = CLOCK_NAMED;
			c->tzname = xstrdup(tz);
		}
	}
	syslog_clock_begin(c, (int64_t)time(NULL));
	return (c);
}

/* syslog_clock_free - release c; NULL is fine. */
void
syslog_clock_free(struct syslog_clock *c)
{
	if (c == NULL)
		return;
	free(c->tzname);
	free(c);
}

/* tz_enter - switch the process to the clock's named zone. */
static char *
tz_enter(const struct syslog_clock *c)
{
	const char	*old;
	char		*saved;

	if (c->zone != CLOCK_NAMED)
		return (NULL);
	old = getenv("TZ");
	saved = old != NULL ? xstrdup(old) : NULL;
	(void)setenv("TZ", c->tzname, 1);
	tzset();
	return (saved);
}

/* tz_leave - undo tz_enter(), restoring TZ as it was. */
static void
tz_leave(const struct syslog_clock *c, char *saved)
{
	if (c->zone != CLOCK_NAMED)
		return;
	if (saved != NULL) {
		(void)setenv("TZ", saved, 1);
		free(saved);
	} else
		(void)unsetenv("TZ");
	tzset();
}

/* civil_seconds - a wall-clock date and time as seconds on a UTC scale. */
static int64_t
civil_seconds(int64_t y, int mo, int d, int64_t sod)
{
	return (syslog_days_from_civil(y, mo, d) * DAY + sod);
}

/* clock_to_utc - UTC seconds of a wall-clock time in the clock's zone. */
static int64_t
clock_to_utc(struct syslog_clock *c, int64_t civil)
{
	struct tm	 tm;
	int64_t		 hour, y, sod;
	time_t		 t;
	char		*saved;
	int		 mo, d;

	if (c->zone == CLOCK_FIXED)
		return (civil - c->offset);
	hour = floordiv(civil, 3600);
	if (c->cache_ok && c->cache_hour == hour)
		return (civil - c->cache_offset);

	civil_from_days(floordiv(civil, DAY), &y, &mo, &d);
	if (y < 1900 || y > 9999)
		return (civil);
	sod = civil - floordiv(civil, DAY) * DAY;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)(sod / 3600);
	tm.tm_min = (int)(sod / 60 % 60);
	tm.tm_sec = (int)(sod % 60);
	tm.tm_isdst = -1;
	saved = tz_enter(c);
	t = mktime(&tm);
	tz_leave(c, saved);
	if (t == (time_t)-1 && tm.tm_year != 69)
		return (civil);
	c->cache_ok = true;
	c->cache_hour = hour;
	c->cache_offset = civil - (int64_t)t;
	return ((int64_t)t);
}

/* clock_from_utc - wall-clock seconds in the clock's zone of a UTC time. */
static int64_t
clock_from_utc(const struct syslog_clock *c, int64_t utc)
{
	struct tm	 tm, *r;
	time_t		 t = (time_t)utc;
	char		*saved;

	if (c->zone == CLOCK_FIXED)
		return (utc + c->offset);
	saved = tz_enter(c);
	r = localtime_r(&t, &tm);
	tz_leave(c, saved);
	if (r == NULL)
		return (utc);
	return (civil_seconds((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec));
}

/*
 * syslog_clock_begin - start a source whose lines were written no later
 * than anchor (UTC seconds: the file's mtime, or now).
 */
void
syslog_clock_begin(struct syslog_clock *c, int64_t anchor)
{
	int64_t	y;
	int	m, d;

	c->anchor_civil = clock_from_utc(c, anchor);
	civil_from_days(floordiv(c->anchor_civil, DAY), &y, &m, &d);
	c->anchor_year = y;
	c->year = c->forced_year;
	c->have_last = false;
}

/* clock_year - the year of a yearless month, day and time of day. */
static int64_t
clock_year(struct syslog_clock *c, int mo, int d, int64_t sod)
{
	int64_t	y, civ;
	int	i;

	if (c->forced_year != 0) {
		civ = civil_seconds(c->year, mo, d, sod);
		if (c->have_last && civ < c->last_civil - CLOCK_ROLLBACK &&
		    c->year < 9999) {
			c->year++;
			civ = civil_seconds(c->year, mo, d, sod);
		}
		c->have_last = true;
		c->last_civil = civ;
		return (c->year);
	}
	y = c->anchor_year + 1;
	for (i = 0; i < 12; i++, y--) {
		if (mo == 2 && d == 29 && !is_leap(y))
			continue;
		if (civil_seconds(y, mo, d, sod) <= c->anchor_civil +
		    CLOCK_SLACK)
			return (y);
	}
	return (c->anchor_year);
}

/* parse_fraction - ".ddd..." at *pp: microseconds, *pp moved past it. */
static int32_t
parse_fraction(const char **pp, const char *end)
{
	const char	*p = *pp;
	int32_t		 us = 0;
	int		 nd = 0;

	if (p >= end || *p != '.' || p + 1 >= end || !ASCII_ISDIGIT(p[1]))
		return (0);
	for (p++; p < end && ASCII_ISDIGIT(*p); p++, nd++)
		if (nd < 6)
			us = us * 10 + (*p - '0');
	for (; nd < 6; nd++)
		us *= 10;
	*pp = p;
	return (us);
}

/* parse_hms - "HH:MM:SS" at p (8 bytes known to be there): seconds. */
static int64_t
parse_hms(const char *p)
{
	int	hh, mm, ss;

	if (p[2] != ':' || p[5] != ':')
		return (-1);
	hh = digits(p, 2);
	mm = digits(p + 3, 2);
	ss = digits(p + 6, 2);
	if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60)
		return (-1);
	return (hh * 3600 + mm * 60 + ss);
}

/*
 * parse_rfc3339 - "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|+HHMM)" and a space.
 * A stamp without a zone is local time in the clock's zone.  Returns the
 * position after the space, or NULL.
 */
static const char *
parse_rfc3339(struct syslog_clock *c, const char *p, const char *end,
    struct syslog_msg *m)
{
	const char	*z;
	int64_t		 sod, civ;
	int32_t		 off;
	int		 y, mo, d;

	if (end - p < 20 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != 't'))
		return (NULL);
	y = digits(p, 4);
	mo = digits(p + 5, 2);
	d = digits(p + 8, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(mo, is_leap(y)))
		return (NULL);
	if ((sod = parse_hms(p + 11)) < 0)
		return (NULL);
	p += 19;
	m->usec = parse_fraction(&p, end);
	civ = civil_seconds(y, mo, d, sod);
	for (z = p; z < end && *z != ' '; z++)
		;
	if (z == end)
		return (NULL);
	if (z == p)
		m->time = clock_to_utc(c, civ);
	else if (z - p == 1 && (*p == 'Z' || *p == 'z'))
		m->time = civ;
	else if (parse_offset(p, (size_t)(z - p), &off) == 0)
		m->time = civ - off;
	else
		return (NULL);
	m->form = SYSLOG_RFC3339;
	m->form_sure = true;
	return (z + 1);
}

/*
 * parse_bsd - "Mmm dd HH:MM:SS" (day " 1", "01", "1" or "11"), an
 * optional fraction, and a space.  Returns the position after the space,
 * or NULL.
 */
static const char *
parse_bsd(struct syslog_clock *c, const char *p, const char *end,
    struct syslog_msg *m)
{
	const char	*mp;
	int64_t		 sod, y;
	int		 mo, d;

	if (end - p < 15 || p[3] != ' ')
		return (NULL);
	for (mp = clock_months, mo = 1; *mp != '\0'; mp += 3, mo++)
		if (memcmp(p, mp, 3) == 0)
			break;
	if (*mp == '\0')
		return (NULL);
	p += 4;
	if (p[0] == ' ' && ASCII_ISDIGIT(p[1])) {
		d = p[1] - '0';
		m->form = SYSLOG_BSD;
		m->form_sure = true;
		p += 2;
	} else if (ASCII_ISDIGIT(p[0]) && p[1] == ' ') {
		d = p[0] - '0';
		m->form = SYSLOG_BSD;
		m->form_sure = true;
		p += 1;
	} else if ((d = digits(p, 2)) >= 0) {
		m->form = p[0] == '0' ? SYSLOG_MAILLOG : SYSLOG_BSD;
		m->form_sure = p[0] == '0';
		p += 2;
	} else
		return (NULL);
	if (d < 1 || d > days_in_month(mo, true))
		return (NULL);
	if (end - p < 10 || p[0] != ' ' || (sod = parse_hms(p + 1)) < 0)
		return (NULL);
	p += 9;
	m->usec = parse_fraction(&p, end);
	if (p >= end || *p != ' ')
		return (NULL);
	y = clock_year(c, mo, d, sod);
	m->time = clock_to_utc(c, civil_seconds(y, mo, d, sod));
	return (p + 1);
}

/* tag_ch - may ch appear in a host name or program tag?  Printable ASCII. */
static bool
tag_ch(char ch)
{
	return (ch > ' ' && ch < 0x7f);
}

/* facpri_word - is s one of words, or a number from 0 to max? */
static bool
facpri_word(struct span s, const char *const *words, int max)
{
	size_t	i;
	int	v = 0;

	for (i = 0; words[i] != NULL; i++)
		if (span_eq_cstr(s, words[i]))
			return (true);
	if (s.n == 0 || s.n > 2 || (s.n == 2 && s.p[0] == '0'))
		return (false);
	for (i = 0; i < s.n; i++) {
		if (!ASCII_ISDIGIT(s.p[i]))
			return (false);
		v = v * 10 + (s.p[i] - '0');
	}
	return (v <= max);
}

/*
 * skip_facpri - "<facility.priority> " at p, as syslog.conf names them
 * ("<mail.info> ") or as numbers ("<2.6> "): the position after it, or p
 * when there is none.
 */
static const char *
skip_facpri(const char *p, const char *end)
{
	static const char *const facilities[] = { "auth", "authpriv",
		"console", "cron", "daemon", "ftp", "kern", "lpr", "mail",
		"mark", "news", "ntp", "security", "syslog", "user", "uucp",
		"local0", "local1", "local2", "local3", "local4", "local5",
		"local6", "local7", NULL };
	static const char *const priorities[] = { "emerg", "panic", "alert",
		"crit", "err", "error", "warning", "warn", "notice", "info",
		"debug", "none", NULL };
	const char	*dot, *gt;

	if (end - p < 6 || *p != '<')
		return (p);
	for (dot = p + 1; dot < end && dot - p < 12 && *dot != '.'; dot++)
		;
	if (dot == end || *dot != '.')
		return (p);
	for (gt = dot + 1; gt < end && gt - dot < 12 && *gt != '>'; gt++)
		;
	if (gt + 1 >= end || *gt != '>' || gt[1] != ' ' ||
	    !facpri_word((struct span){ p + 1, (size_t)(dot - p - 1) },
	    facilities, 24) ||
	    !facpri_word((struct span){ dot + 1, (size_t)(gt - dot - 1) },
	    priorities, 7))
		return (p);
	return (gt + 2);
}

/* syslogd_note - syslogd's own lines, which have no tag. */
static bool
syslogd_note(struct span s)
{
	return (span_startswith(s, "last message repeated ") ||
	    span_startswith(s, "-- MARK --"));
}

/* rfc5424_token - a header field up to the next space; "-" is empty. */
static const char *
rfc5424_token(const char *p, const char *end, struct span *out)
{
	const char	*q;

	for (q = p; q < end && *q != ' '; q++)
		if (!tag_ch(*q))
			return (NULL);
	if (q == p || q == end)
		return (NULL);
	*out = (q - p == 1 && *p == '-') ? (struct span){ p, 0 } :
	    (struct span){ p, (size_t)(q - p) };
	return (q + 1);
}

/*
 * rfc5424_sd - skip STRUCTURED-DATA: "-", or "[id k="v" ...]" elements
 * one after another, where a value may escape '"', '\\' and ']' with a
 * backslash.  Returns the position after it, or NULL.
 */
static const char *
rfc5424_sd(const char *p, const char *end)
{
	bool	quoted;

	if (p < end && *p == '-')
		return (p + 1);
	if (p >= end || *p != '[')
		return (NULL);
	while (p < end && *p == '[') {
		for (p++, quoted = false; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p == end)
			return (NULL);
		p++;
	}
	return (p);
}

/*
 * parse_rfc5424 - "<PRI>1 " (or just "1 "), TIMESTAMP, HOSTNAME,
 * APP-NAME, PROCID, MSGID, STRUCTURED-DATA and the message (a UTF-8 byte
 * order mark before it is dropped).  A nil time stamp is refused: every
 * event needs a time.  Returns 0 or -1.
 */
static int
parse_rfc5424(struct syslog_clock *c, const char *p, const char *end,
    struct syslog_msg *m)
{
	struct span	msgid, procid;
	int64_t		pid = 0;
	size_t		i;
	int		pri = 0;

	if (*p == '<') {
		for (p++, i = 0; p < end && ASCII_ISDIGIT(*p) && i < 3;
		    p++, i++)
			pri = pri * 10 + (*p - '0');
		if (i == 0 || p == end || *p != '>' || pri > 191)
			return (-1);
		p++;
	}
	if (end - p < 3 || p[0] != '1' || p[1] != ' ' ||
	    !ASCII_ISDIGIT(p[2]) || (p = parse_rfc3339(c, p + 2, end, m)) ==
	    NULL)
		return (-1);
	if ((p = rfc5424_token(p, end, &m->host)) == NULL ||
	    (p = rfc5424_token(p, end, &m->program)) == NULL ||
	    (p = rfc5424_token(p, end, &procid)) == NULL ||
	    (p = rfc5424_token(p, end, &msgid)) == NULL ||
	    (p = rfc5424_sd(p, end)) == NULL)
		return (-1);
	for (i = 0; i < procid.n && ASCII_ISDIGIT(procid.p[i]) &&
	    pid <= (INT64_MAX - 9) / 10; i++)
		pid = pid * 10 + (procid.p[i] - '0');
	m->pid = procid.n > 0 && i == procid.n ? pid : -1;
	if (p < end && *p++ != ' ')
		return (-1);
	if (end - p >= 3 && (unsigned char)p[0] == 0xef &&
	    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3;
	m->msg = (struct span){ p, (size_t)(end - p) };
	m->form = SYSLOG_RFC5424;
	m->form_sure = true;
	return (0);
}

/*
 * syslog_parse - split one line (without its newline) into m, resolving
 * its time with c.  Returns 0, or -1 if the line is not a syslog line in
 * one of the known forms (or is cut short before the message).  m's
 * spans point into line.
 */
int
syslog_parse(struct syslog_clock *c, struct span line, struct syslog_msg *m)
{
	const char	*p = line.p, *end = line.p + line.n, *q;
	int64_t		 pid;

	memset(m, 0, sizeof(*m));
	m->pid = -1;
	if (line.p == NULL || line.n == 0)
		return (-1);
	if (*p == '<' || (line.n > 2 && p[0] == '1' && p[1] == ' ')) {
		if (parse_rfc5424(c, p, end, m) == 0)
			return (0);
		/* "<13>Dec  1 ...": RFC 3164 as sent, its <PRI> kept. */
		memset(m, 0, sizeof(*m));
		m->pid = -1;
		if (*p != '<')
			return (-1);
		for (q = p + 1, pid = 0; q < end && q - p <= 3 &&
		    ASCII_ISDIGIT(*q); q++)
			pid = pid * 10 + (*q - '0');
		if (q == p + 1 || q >= end - 1 || *q != '>' || pid > 191)
			return (-1);
		p = q + 1;
	}
	if (ASCII_ISDIGIT(*p))
		p = parse_rfc3339(c, p, end, m);
	else
		p = parse_bsd(c, p, end, m);
	if (p == NULL)
		return (-1);
	p = skip_facpri(p, end);

	for (q = p; q < end && *q != ' '; q++)
		if (!tag_ch(*q))
			return (-1);
	if (q == p || q == end)
		return (-1);
	m->host.p = p;
	m->host.n = (size_t)(q - p);
	p = skip_facpri(q + 1, end);

	for (q = p; q < end && *q != '[' && *q != ':' && *q != ' '; q++)
		if (!tag_ch(*q))
			break;
	if (q == end || *q == ' ' || q == p || !tag_ch(*q)) {
		m->msg.p = p;
		m->msg.n = (size_t)(end - p);
		if (!syslogd_note(m->msg))
			return (-1);
		m->program = SPAN_NULL;
		return (0);
	}
	m->program.p = p;
	m->program.n = (size_t)(q - p);
	if (*q == '[') {
		for (pid = 0, q++; q < end && ASCII_ISDIGIT(*q); q++) {
			if (pid > (INT64_MAX - 9) / 10)
				return (-1);
			pid = pid * 10 + (*q - '0');
		}
		if (q == end || *q != ']' || q[-1] == '[')
			return (-1);
		m->pid = pid;
		q++;
	}
	if (q == end || *q != ':')
		return (-1);
	q++;
	if (q < end && *q == ' ')
		q++;
	m->msg.p = q;
	m->msg.n = (size_t)(end - q);
	return (0);
}

/* syslog_form_name - "rfc3339", "bsd", "maillog" or "rfc5424". */
const char *
syslog_form_name(enum syslog_form f)
{
	switch (f) {
	case SYSLOG_RFC3339:
		return ("rfc3339");
	case SYSLOG_BSD:
		return ("bsd");
	case SYSLOG_MAILLOG:
		return ("maillog");
	case SYSLOG_RFC5424:
		return ("rfc5424");
	default:
		return ("none");
	}
}
