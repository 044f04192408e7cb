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
 * Diagnostics: "relaytrace: message" on standard error.  The fatal path is
 * the only place besides main() that ends the program.  log_escape() turns
 * hostile bytes (HELO names, addresses, packet data) into printable ASCII
 * so that they cannot forge lines or drive a terminal.
 */

#include "config.h"

#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char	*log_progname = "relaytrace";
static int		 log_verbose;

/* log_init - set the program name and verbosity for later messages. */
void
log_init(const char *progname, int verbose)
{
	if (progname != NULL)
		log_progname = progname;
	log_verbose = verbose;
}

/*
 * log_put - write a message's bytes to stderr, with what could drive the
 * terminal escaped as \ooo: C0 controls, DEL, and C1 controls encoded in
 * UTF-8.  Messages quote file names and configuration lines, which may
 * come off an attacked server; log_escape() has already made the rest
 * printable.
 */
static void
log_put(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\%03o", c);
		else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)p[i + 1] >= 0x80 &&
		    (unsigned char)p[i + 1] <= 0x9f) {
			fprintf(stderr, "\\%03o\\%03o", c,
			    (unsigned char)p[i + 1]);
			i++;
		} else
			fputc(c, stderr);
	}
}

/*
 * log_vmsg - print one message, optionally with strerror(errno).  One
 * line whole: the reader thread and the main thread both report.
 */
static void __attribute__((__format__(__printf__, 1, 0)))
log_vmsg(const char *fmt, va_list ap, int errnum)
{
	char	buf[8192];
	int	n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		n = 0;
	else if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	flockfile(stderr);
	fprintf(stderr, "%s: ", log_progname);
	log_put(buf, (size_t)n);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	log_vmsg(fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vmsg(fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(fmt, ap, saved);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

/*
 * log_escape - write a printable rendering of len bytes at p into dst of
 * size dstsize (at least LOG_ESCAPE_SIZE(len) to avoid truncation).  Tab,
 * newline, CR, backslash and double quote become C escapes, other bytes
 * outside 0x20-0x7e become \ooo.  Returns dst, always NUL-terminated.
 */
char *
log_escape(char *dst, size_t dstsize, const char *p, size_t len)
{
	static const char	 hex[] = "01234567";
	size_t			 o = 0, i;

	if (dstsize == 0)
		return (dst);
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)p[i];
		char		 e[5];
		size_t		 n;

		switch (c) {
		case '\t':	memcpy(e, "\\t", n = 2); break;
		case '\n':	memcpy(e, "\\n", n = 2); break;
		case '\r':	memcpy(e, "\\r", n = 2); break;
		case '\\':	memcpy(e, "\\\\", n = 2); break;
		case '"':	memcpy(e, "\\\"", n = 2); break;
		default:
			if (c >= 0x20 && c < 0x7f) {
				e[0] = (char)c;
				n = 1;
			} else {
				e[0] = '\\';
				e[1] = hex[(c >> 6) & 7];
				e[2] = hex[(c >> 3) & 7];
				e[3] = hex[c & 7];
				n = 4;
			}
		}
		if (o + n >= dstsize)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return (dst);
}
