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
 * Unit tests for the Sendmail and OpenSMTPD configuration readers
 * (locality_sendmail.c, locality_opensmtpd.c) and locality_load_mta()'s
 * choice of reader.  The configurations are written to a temporary
 * directory, with the files they name beside them.  Expected values
 * follow from the rules at the top of each reader, worked out by hand
 * for each fixture.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "locality.h"
#include "tap.h"

static char	tmpdir[256];
static char	dump[256 * 1024];

/* dump_domain - one "name class" line per domain entry. */
static void
dump_domain(void *arg, const char *name, enum loc_class c,
    enum loc_origin o, const char *detail)
{
	size_t	n = strlen(dump);

	(void)arg;
	(void)o;
	(void)detail;
	(void)snprintf(dump + n, sizeof(dump) - n, "%s %s\n", name,
	    locality_class_name(c));
}

/* dump_net - one line per network. */
static void
dump_net(void *arg, const char *cidr, enum loc_origin o, const char *detail)
{
	size_t	n = strlen(dump);

	(void)arg;
	(void)o;
	(void)detail;
	(void)snprintf(dump + n, sizeof(dump) - n, "%s\n", cidr);
}

/* dump_warning - one line per warning. */
static void
dump_warning(void *arg, const char *msg)
{
	size_t	n = strlen(dump);

	(void)arg;
	(void)snprintf(dump + n, sizeof(dump) - n, "%s\n", msg);
}

static const char *
domains(const struct locality *loc)
{
	dump[0] = '\0';
	locality_foreach_domain(loc, dump_domain, NULL);
	return (dump);
}

static const char *
nets(const struct locality *loc)
{
	dump[0] = '\0';
	locality_foreach_net(loc, dump_net, NULL);
	return (dump);
}

static const char *
warnings(const struct locality *loc)
{
	dump[0] = '\0';
	locality_foreach_warning(loc, dump_warning, NULL);
	return (dump);
}

/* warned - is there a warning holding s? */
static bool
warned(const struct locality *loc, const char *s)
{
	return (strstr(warnings(loc), s) != NULL);
}

/* count_lines - lines in s. */
static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return (n);
}

/* path_of - tmpdir/name, in one of 16 static buffers used in turn. */
static const char *
path_of(const char *name)
{
	static char	path[16][512];
	static size_t	next;
	char		*p = path[next++ % 16];

	(void)snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return (p);
}

/* write_bytes - create tmpdir/name holding n bytes. */
static const char *
write_bytes(const char *name, const void *text, size_t n)
{
	const char	*path = path_of(name);
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	return (path);
}

/* write_file - create tmpdir/name holding a string. */
static const char *
write_file(const char *name, const char *text)
{
	return (write_bytes(name, text, strlen(text)));
}

/* --- Sendmail ------------------------------------------------------- */

static void
test_sendmail_cf(void)
{
	struct locality	*loc = locality_new();
	char		 err[512], big[6000];
	const char	*cf;
	int		 rv;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cf = write_file("sendmail.cf",
	    "V10/Berkeley\n"
	    "Cwlocalhost mail.corp.example\n"
	    "Cw[192.0.2.25]\n"
	    "# file containing names of hosts for which we receive email\n"
	    "Fw/etc/mail/local-host-names\n"
	    "F{VirtHost}-o /etc/mail/virthosts\n"
	    "FR-o /etc/mail/relay-domains\n"
	    "#Dj$w.Foo.COM\n"
	    "Djmx.corp.example\n"
	    "CP.\n"
	    "C{Accept}OK RELAY\n"
	    "Kaccess hash -T<TMPF> -o /etc/mail/access.db\n"
	    "Kmailertable hash -o /etc/mail/mailertable.db\n"
	    "Kdomaintable hash -o /etc/mail/domaintable\n");
	/* A line too long is skipped; the next one is read. */
	(void)snprintf(dump, sizeof(dump), "corp.example\n# a comment\n"
	    "other.example  third.example # trailing words\nbad..name\n"
	    "%s.example\nafter.example\n", big);
	(void)write_file("local-host-names", dump);
	(void)write_file("virthosts", "virtual.example\n");
	(void)write_file("relay-domains", "backup.example\n10.20\n"
	    "192.168.1\n010.1\n1.2.3.4.5\n");
	(void)write_file("access",
	    "# the access map's source text\n"
	    "Connect:10.1.2.3\tRELAY\n"
	    "Connect:IPv6:2001:db8\tRELAY\n"
	    "Connect:IPv6:2001:db8::25 RELAY\n"
	    "Connect:host.example\tRELAY\n"
	    "Connect:300.1.1.1\tRELAY\n"
	    "Connect:192.0.2.99\tOK\n"
	    "To:relay-to.example\tRELAY\n"
	    "To:user@one.example\tRELAY\n"
	    "To:refused.example\tREJECT\n"
	    "To:Mixed.Example\trelay\n"
	    "From:boss@corp.example\tRELAY\n"
	    "192.0.2\tRELAY\n"
	    "untagged.example\tRELAY\n"
	    "GreetPause:localhost\t0\n"
	    "QGRP:x\tRELAY\n"
	    "Connect:\tRELAY\n"
	    "   \n");
	(void)write_file("mailertable", "corp-local.example\tlocal:\n"
	    "routed.example\tesmtp:[10.0.0.1]\n.sub.example\tlocal:user\n"
	    "bad!key\tlocal:\n");
	ok(locality_is_sendmail(cf), "sendmail.cf: recognised");
	rv = locality_load_mta(loc, cf, err, sizeof(err));
	is_str(domains(loc),
	    "[192.0.2.25] local\n"
	    "after.example local\n"
	    "backup.example relay\n"
	    ".backup.example relay\n"
	    "corp-local.example local\n"
	    "corp.example local\n"
	    "localhost local\n"
	    "mail.corp.example local\n"
	    "mixed.example relay\n"
	    ".mixed.example relay\n"
	    "mx.corp.example local\n"
	    "other.example local\n"
	    "relay-to.example relay\n"
	    ".relay-to.example relay\n"
	    ".sub.example local\n"
	    "third.example local\n"
	    "untagged.example relay\n"
	    ".untagged.example relay\n"
	    "virtual.example local\n",
	    "sendmail.cf: the domains");
	is_str(nets(loc),
	    "10.1.2.3/32\n"
	    "10.20.0.0/16\n"
	    "192.0.2.0/24\n"
	    "192.168.1.0/24\n"
	    "2001:db8::/32\n"
	    "2001:db8::25/128\n",
	    "sendmail.cf: the networks");
	ok(warned(loc, "local-host-names:5: line too long"),
	    "sendmail.cf: the long line is named");
	ok(warned(loc, "bad..name: not a domain"), "sendmail.cf: bad..name");
	ok(warned(loc, "010.1: not an address or prefix"),
	    "sendmail.cf: a leading zero is no prefix");
	ok(warned(loc, "1.2.3.4.5: not an address or prefix"),
	    "sendmail.cf: five numbers are no prefix");
	ok(warned(loc, "Connect:host.example RELAY: a client by its DNS name"),
	    "sendmail.cf: Connect by name");
	ok(warned(loc, "Connect:300.1.1.1 RELAY: not an address"),
	    "sendmail.cf: Connect:300.1.1.1");
	ok(warned(loc, "To:user@one.example RELAY: one address"),
	    "sendmail.cf: To: one address");
	ok(warned(loc, "From:boss@corp.example RELAY: relaying by the sender"),
	    "sendmail.cf: From: RELAY");
	ok(warned(loc, "mailertable bad!key: not a domain"),
	    "sendmail.cf: a bad mailertable key");
	ok(warned(loc, "sendmail.cf class R (/etc/mail/relay-domains): a "
	    "name there also lets clients whose DNS name is in that domain "
	    "relay"),
	    "sendmail.cf: names that also name clients, once");
	ok(!warned(loc, "own host name"), "sendmail.cf: $j is known");
	ok(!warned(loc, "relay-domains (optional)"),
	    "sendmail.cf: relay-domains was there");
	is_int(rv, count_lines(warnings(loc)), "sendmail.cf: returns the "
	    "number of warnings");
	is_int(rv, 10, "sendmail.cf: 10 warnings");
	ok(strstr(err, "warnings (see the report)") != NULL,
	    "sendmail.cf: err says so");
	locality_free(loc);
}

static void
test_sendmail_mc(void)
{
	struct locality	*loc = locality_new();
	char		 err[512];
	const char	*mc;
	int		 rv;

	mc = write_file("sendmail.mc",
	    "divert(-1)dnl\n"
	    "# FEATURE(`promiscuous_relay') in an m4 comment\n"
	    "divert(0)dnl\n"
	    "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\n"
	    "VERSIONID(`$Id: a (quoted, with a comma) $')\n"
	    "OSTYPE(`debian')dnl\n"
	    "define(`confDOMAIN_NAME', `mx.example.net')dnl\n"
	    "define(`confCW_FILE', `-o /etc/mail/names')dnl\n"
	    "FEATURE(`use_cw_file')dnl\n"
	    "FEATURE(`access_db', `hash -T<TMPF> -o /etc/mail/acc.db')dnl\n"
	    "LOCAL_DOMAIN(`loc1.example loc2.example')dnl\n"
	    "RELAY_DOMAIN(`rel1.example 10.9')dnl\n"
	    "FEATURE(relay_hosts_only)dnl\n"
	    "define(`confPRIVACY_FLAGS',dnl\n"
	    "`needmailhelo,noexpn')dnl\n"
	    "dnl FEATURE(`promiscuous_relay')\n"
	    "FEATURE(`relay_based_on_MX')dnl\n"
	    "FEATURE(`mailertable')dnl\n"
	    "MAILER(`local')dnl\n");
	(void)write_file("names", "n1.example\n");
	(void)write_file("acc", "To:r2.example RELAY\n");
	(void)unlink(path_of("relay-domains"));
	(void)unlink(path_of("mailertable"));
	ok(locality_is_sendmail(mc), "sendmail.mc: recognised");
	ok(!locality_is_opensmtpd(mc) && !locality_is_exim(mc),
	    "sendmail.mc: not another MTA's");
	rv = locality_load_mta(loc, mc, err, sizeof(err));
	is_str(domains(loc),
	    "loc1.example local\n"
	    "loc2.example local\n"
	    "localhost local\n"
	    "mx.example.net local\n"
	    "n1.example local\n"
	    "r2.example relay\n"
	    "rel1.example relay\n",
	    "sendmail.mc: the domains (relay_hosts_only: no subdomains)");
	is_str(nets(loc), "10.9.0.0/16\n", "sendmail.mc: the networks");
	ok(!warned(loc, "promiscuous"), "sendmail.mc: comments are not read");
	ok(warned(loc, "FEATURE(relay_based_on_MX): domains whose MX"),
	    "sendmail.mc: relay_based_on_MX is named");
	ok(warned(loc, "/etc/mail/relay-domains (optional): No such file"),
	    "sendmail.mc: the missing relay-domains");
	ok(warned(loc, "mailertable /etc/mail/mailertable: No such file"),
	    "sendmail.mc: the missing mailertable");
	is_int(rv, 4, "sendmail.mc: 4 warnings");
	locality_free(loc);
}

static void
test_sendmail_hostile(void)
{
	static const char *const texts[] = {
		/* a call that does not end */
		"OSTYPE(`debian')\nFEATURE(`access_db', `hash /etc/x\n",
		/* a quote that does not close: the rest is quoted */
		"OSTYPE(`debian')\nLOCAL_DOMAIN(`a.example b.example)\n"
		    "FEATURE(`promiscuous_relay')\n",
		/* quotes closed without being opened, nested parentheses */
		"OSTYPE(debian)'')\nLOCAL_DOMAIN((a.example)) ))\n",
		/* nothing to read */
		"FEATURE(\n",
		"V10\nF\nC\nFw\nFw-o\nFw|/bin/names\nK\nKaccess\n"
		    "Kaccess ldap -k x\nDj\nDj$w.$m\nF{w\nCw..\n",
	};
	struct locality	*loc;
	char		 err[512], *big;
	size_t		 i, n;
	int		 rv;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		loc = locality_new();
		rv = locality_load_sendmail(loc, write_file("odd.mc",
		    texts[i]), err, sizeof(err));
		ok(rv >= 0, "hostile sendmail file %zu: read (%d warnings)", i,
		    rv);
		if (i == 0)
			ok(warned(loc, "FEATURE( does not end"),
			    "hostile 0: the open call is named");
		if (i == 1)
			ok(!warned(loc, "promiscuous") && strstr(domains(loc),
			    "a.example") == NULL,
			    "hostile 1: nothing after the open quote is used");
		if (i == 4) {
			ok(warned(loc, "a program's output"),
			    "hostile 4: Fw|program is named");
			ok(warned(loc, "a ldap map cannot be read"),
			    "hostile 4: an ldap access map is named");
			ok(warned(loc, "macros cannot be expanded"),
			    "hostile 4: Dj$w.$m is named");
			ok(warned(loc, "own host name"),
			    "hostile 4: $j is not known");
		}
		locality_free(loc);
	}
	/* An argument too long to keep whole is not used cut. */
	big = malloc(4000);
	if (big == NULL)
		exit(99);
	(void)snprintf(big, 4000, "OSTYPE(`x')\nLOCAL_DOMAIN(`");
	for (n = strlen(big); n < 3000; n += 12)
		memcpy(big + n, "a.example.n ", 12);
	memcpy(big + n, "')\nLOCAL_DOMAIN(`short.example')\n", 34);
	big[n + 34] = '\0';
	loc = locality_new();
	(void)locality_load_sendmail(loc, write_file("long.mc", big), err,
	    sizeof(err));
	ok(warned(loc, "LOCAL_DOMAIN(: an argument longer than 2048 bytes"),
	    "an argument too long: named");
	is_str(domains(loc), "localhost local\nshort.example local\n",
	    "an argument too long: skipped, the next call read");
	locality_free(loc);
	free(big);

	/* Bigger than sendmail.mc may be, with a NUL in the middle. */
	n = 1024 * 1024 + 100;
	big = malloc(n);
	if (big == NULL)
		exit(99);
	memset(big, ' ', n);
	memcpy(big, "OSTYPE(`x')\nLOCAL_DOMAIN(`big.example')\n", 40);
	big[500] = '\0';
	loc = locality_new();
	rv = locality_load_sendmail(loc, write_bytes("big.mc", big, n), err,
	    sizeof(err));
	ok(warned(loc, "longer than 1048576 bytes") &&
	    warned(loc, "holds a NUL byte") &&
	    strstr(domains(loc), "big.example local") != NULL,
	    "a big sendmail.mc with a NUL: read up to the NUL (%d)", rv);
	locality_free(loc);
	free(big);
	loc = locality_new();
	is_int(locality_load_sendmail(loc, path_of("no-such.mc"), err,
	    sizeof(err)), -1, "a missing sendmail.mc");
	ok(strstr(err, "no-such.mc: No such file") != NULL,
	    "a missing sendmail.mc: err");
	locality_free(loc);
}

/* --- OpenSMTPD ------------------------------------------------------ */

static void
test_opensmtpd(void)
{
	struct locality	*loc = locality_new();
	char		 err[512];
	const char	*conf;
	int		 rv;

	conf = write_file("smtpd.conf",
	    "# match from any for any action \"x\" in a comment\n"
	    "dom = \"macro.example\"\n"
	    "nets = \"{ 192.0.2.0/24, 2001:db8::/32 }\"\n"
	    "table locals { corp.example, $dom,\n"
	    "\tsecond.example }\n"
	    "table map { a.example = x, b.example = \"y, z\" }\n"
	    "table file1 file:/etc/smtpd/domains\n"
	    "table db1 db:/etc/smtpd/relays.db\n"
	    "table ldap1 ldap:/etc/smtpd/ldap.conf\n"
	    "table srcs \"/etc/smtpd/srcs\"\n"
	    "table locals { defined.again }\n"
	    "listen on lo0 port 25\n"
	    "action \"deliver\" maildir alias <map>\n"
	    "action relay relay host smtp://10.0.0.1\n"
	    "action \"bad\" frobnicate\n"
	    "match from any for domain <locals> action \"deliver\"\n"
	    "match from any for domain <map> action deliver\n"
	    "match from any for domain <file1> action \"deliver\"\n"
	    "match from any for domain <db1> action relay\n"
	    "match from any for domain <ldap1> action relay\n"
	    "match from any for domain \"inline.example\" action relay\n"
	    "match from src <srcs> for any action relay\n"
	    "match from src $nets for any action relay\n"
	    "match from src 198.51.100.7 for any action relay\n"
	    "match auth from any for any action relay\n"
	    "match from any mail-from <srcs> for domain \"narrow.example\" "
	    "action relay\n"
	    "match from src <srcs> for domain \"src-only.example\" action "
	    "relay\n"
	    "match from any for domain <nosuch> action \"deliver\"\n"
	    "match from any for domain \"x.example\" action \"undefined\"\n"
	    "match ! from src <srcs> for any action relay\n"
	    "match from any for ! domain <locals> action relay\n"
	    "match from local for any action relay\n"
	    "match for local action \"deliver\"\n"
	    "match from any for rcpt-to <map> action \"deliver\"\n"
	    "match from any for any reject\n"
	    "match from any for domain \"noaction.example\"\n"
	    "match from any \\\n"
	    "\tfor domain \"cont.example\" action relay\n"
	    "include \"/etc/smtpd/extra.conf\"\n"
	    "include \"../../../etc/passwd\"\n"
	    "x = $undefined_macro\n");
	(void)write_file("domains", "file1.example\n# c\n"
	    "file2.example extra words\n\n   \nbad..dom\n");
	(void)write_file("relays", "relay-db.example ok\n");
	(void)write_file("srcs", "203.0.113.0/24\nhost.name.example\n");
	(void)write_file("extra.conf", "match from any for domain "
	    "\"included.example\" action \"deliver\"\n"
	    "include \"extra.conf\"\n");
	ok(locality_is_opensmtpd(conf), "smtpd.conf: recognised");
	ok(!locality_is_sendmail(conf) && !locality_is_exim(conf),
	    "smtpd.conf: not another MTA's");
	rv = locality_load_mta(loc, conf, err, sizeof(err));
	is_str(domains(loc),
	    "a.example local\n"
	    "b.example local\n"
	    "cont.example relay\n"
	    "corp.example local\n"
	    "file1.example local\n"
	    "file2.example local\n"
	    "included.example local\n"
	    "inline.example relay\n"
	    "localhost local\n"
	    "macro.example local\n"
	    "relay-db.example relay\n"
	    "second.example local\n",
	    "smtpd.conf: the domains");
	is_str(nets(loc),
	    "127.0.0.1/32\n"
	    "192.0.2.0/24\n"
	    "198.51.100.7/32\n"
	    "203.0.113.0/24\n"
	    "::1/128\n"
	    "2001:db8::/32\n",
	    "smtpd.conf: the networks");
	ok(warned(loc, "ldap:/etc/smtpd/ldap.conf: this table backend"),
	    "smtpd.conf: the ldap table is named");
	ok(warned(loc, "bad..dom: not a domain"), "smtpd.conf: bad..dom");
	ok(warned(loc, "host.name.example: not an address"),
	    "smtpd.conf: a host name in a src table");
	ok(warned(loc, "table locals: defined again"),
	    "smtpd.conf: a table defined twice");
	ok(warned(loc, "frobnicate: not a method"),
	    "smtpd.conf: an unknown method");
	ok(warned(loc, "<nosuch>: no such table"),
	    "smtpd.conf: an unknown table");
	ok(warned(loc, "action undefined: not defined"),
	    "smtpd.conf: an unknown action");
	ok(warned(loc, "match without action or reject"),
	    "smtpd.conf: a rule without action");
	ok(warned(loc, "from local: the server's own addresses"),
	    "smtpd.conf: from local");
	ok(warned(loc, "for local: the server's host name"),
	    "smtpd.conf: for local");
	ok(warned(loc, "includes nest too deep"),
	    "smtpd.conf: an include of itself ends");
	ok(warned(loc, "include ../../../etc/passwd: No such file"),
	    "smtpd.conf: an include is looked for beside smtpd.conf only");
	ok(warned(loc, "$undefined_macro: no such macro"),
	    "smtpd.conf: an unknown macro");
	ok(!warned(loc, "open relay"), "smtpd.conf: no open relay");
	is_int(rv, count_lines(warnings(loc)),
	    "smtpd.conf: returns the number of warnings");
	locality_free(loc);
}

static void
test_opensmtpd_old(void)
{
	struct locality	*loc = locality_new();
	char		 err[512];
	const char	*conf;

	conf = write_file("old.conf",
	    "listen on lo\n"
	    "table aliases db:/etc/mail/aliases.db\n"
	    "table relay { relay.example }\n"
	    "accept from any for domain \"old.example\" alias <relay> "
	    "deliver to mbox\n"
	    "accept from local for any relay\n"
	    "accept from source { 192.0.2.1 } for any relay via "
	    "\"smtp://x\"\n"
	    "accept for local alias <aliases> deliver to mbox\n"
	    "accept from any for domain <relay> relay backup\n"
	    "reject from any for any\n");
	ok(locality_is_opensmtpd(conf), "old smtpd.conf: recognised");
	(void)locality_load_mta(loc, conf, err, sizeof(err));
	is_str(domains(loc), "localhost local\nold.example local\n"
	    "relay.example relay\n", "old smtpd.conf: the domains");
	is_str(nets(loc), "127.0.0.1/32\n192.0.2.1/32\n::1/128\n",
	    "old smtpd.conf: the networks");
	locality_free(loc);

	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_file("open.conf",
	    "action \"out\" relay\nmatch from any for any action \"out\"\n"),
	    err, sizeof(err));
	ok(warned(loc, "open.conf:2: every client may relay to any domain: "
	    "an open relay"), "the open relay is named");
	ok(domains(loc)[0] == '\0' && nets(loc)[0] == '\0',
	    "the open relay: no domain, no network");
	locality_free(loc);
}

static void
test_opensmtpd_hostile(void)
{
	static const char	 odd[] = "table t \"a.example\n"
	    "match \0from any for domain < action\n"
	    "match from src < for any action x\n"
	    "match from any for domain { a, b action y\n"
	    "}\n"
	    "action\n"
	    "table\n"
	    "table x\n"
	    "include\n"
	    "\"\"\n"
	    "accept from any !\n"
	    "match !\n";
	struct locality	*loc;
	char		 err[512], *big;
	size_t		 n, i;
	int		 rv;

	/* Macros that refer to each other. */
	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_file("loop.conf",
	    "a = \"$b\"\nb = \"$a\"\ntable t { $a }\n"
	    "action d mbox\nmatch from any for domain <t> action d\n"),
	    err, sizeof(err));
	ok(warned(loc, "loop.conf:3: macros nest too deep"),
	    "a macro loop ends");
	locality_free(loc);

	/* A brace that never closes swallows the rest. */
	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_file("brace.conf",
	    "action d mbox\ntable t { a.example,\n"
	    "match from any for domain \"b.example\" action d\n"),
	    err, sizeof(err));
	ok(warned(loc, "brace.conf:2: statement does not end") &&
	    domains(loc)[0] == '\0', "an open brace: nothing is guessed");
	locality_free(loc);

	/*
	 * A statement longer than 64 KiB (lines of 4000 bytes in an open
	 * brace), one of more than 4096 tokens, one line longer than 8 KiB;
	 * each is skipped, and the statement after it is read.
	 */
	n = 80 * 4002 + 200;
	big = malloc(n);
	if (big == NULL)
		exit(99);
	memcpy(big, "table t {\n", 10);
	for (i = 10; i < 10 + 80 * 4002; i += 4002) {
		memset(big + i, ',', 4001);
		big[i + 4001] = '\n';
	}
	(void)snprintf(big + i, n - i, "}\naction d mbox\n"
	    "match from any for domain \"after.example\" action d\n");
	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_bytes("toks.conf", big,
	    strlen(big)), err, sizeof(err));
	ok(warned(loc, "toks.conf:1: statement longer than 65536 bytes"),
	    "a statement longer than 64 KiB is skipped");
	is_str(domains(loc), "after.example local\n",
	    "and the next statement is read");
	locality_free(loc);
	memcpy(big, "table t {", 9);
	for (i = 9; i < 9 + 5000 * 2; i += 2)
		memcpy(big + i, (i - 9) % 2000 == 1998 ? "\n," : " ,", 2);
	big[i] = '\0';
	(void)strlcat(big, " }\naction d mbox\n"
	    "match from any for domain \"after.example\" action d\n", n);
	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_bytes("toks2.conf", big,
	    strlen(big)), err, sizeof(err));
	ok(warned(loc, "toks2.conf:1: more than 4096 tokens"),
	    "a statement of 10000 tokens is skipped");
	is_str(domains(loc), "after.example local\n",
	    "and the next statement is read");
	locality_free(loc);
	memset(big, 'x', 9000);
	memcpy(big, "table t ", 8);
	big[9000] = '\0';
	(void)strlcat(big, "\naction d mbox\n"
	    "match from any for domain \"after.example\" action d\n", n);
	loc = locality_new();
	(void)locality_load_opensmtpd(loc, write_bytes("toks3.conf", big,
	    strlen(big)), err, sizeof(err));
	ok(warned(loc, "toks3.conf:1: line too long"),
	    "a line longer than 8 KiB is skipped");
	is_str(domains(loc), "after.example local\n",
	    "and the next statement is read");
	locality_free(loc);
	free(big);

	/* Quotes that do not close, NUL bytes, a lone '<', empty words. */
	loc = locality_new();
	rv = locality_load_opensmtpd(loc, write_bytes("odd.conf", odd,
	    sizeof(odd) - 1), err, sizeof(err));
	ok(rv >= 0, "odd smtpd.conf: read (%d warnings)", rv);
	ok(warned(loc, "odd.conf:6: action: no name or method") &&
	    warned(loc, "odd.conf:7: table: no name or value") &&
	    warned(loc, "odd.conf:9: include: no file"),
	    "odd smtpd.conf: the short statements are named");
	locality_free(loc);
	loc = locality_new();
	is_int(locality_load_opensmtpd(loc, path_of("no-such.conf"), err,
	    sizeof(err)), -1, "a missing smtpd.conf");
	locality_free(loc);
}

/*
 * test_random - bytes from a fixed pseudo-random sequence, made of the
 * readers' own words and punctuation, through every reader: no crash,
 * no leak (under the sanitizers), and warnings counted right.
 */
static void
test_random(void)
{
	static const char *const words[] = {
		"match", "from", "for", "any", "local", "src", "domain",
		"action", "relay", "mbox", "table", "include", "<", ">", "{",
		"}", ",", "=", "!", "\"", "\\", "\n", " ", "#", "$a", "a =",
		"FEATURE(", "`", "'", ")", "dnl", "Cw", "Fw", "FR", "Dj",
		"Kaccess hash ", "Connect:", "To:", "RELAY", "10.1",
		"x.example",
		"IPv6:", "::", "/", "*.", "..", "-o ", "access", "smtpd.conf",
		"sendmail.mc", "\t", "\0",
	};
	char		 text[4096], err[256];
	struct locality	*loc;
	uint32_t	 seed = 12345;
	size_t		 n, w, len;
	int		 round, bad = 0, rv;

	for (round = 0; round < 300; round++) {
		n = 0;
		while (n < sizeof(text) - 40) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 97 == 0)
				break;
			w = (seed >> 8) % (sizeof(words) / sizeof(words[0]));
			len = w == sizeof(words) / sizeof(words[0]) - 1 ? 1 :
			    strlen(words[w]);
			memcpy(text + n, words[w], len);
			n += len;
		}
		(void)write_bytes("access", text, n);
		(void)write_bytes("local-host-names", text, n);
		loc = locality_new();
		rv = locality_load_sendmail(loc, write_bytes("r.mc", text, n),
		    err, sizeof(err));
		if (rv < 0 || (size_t)rv != locality_nwarnings(loc))
			bad++;
		locality_free(loc);
		loc = locality_new();
		rv = locality_load_opensmtpd(loc, write_bytes("r.conf", text,
		    n), err, sizeof(err));
		if (rv < 0 || (size_t)rv != locality_nwarnings(loc))
			bad++;
		locality_free(loc);
		loc = locality_new();
		(void)locality_load_mta(loc, path_of("r.conf"), err,
		    sizeof(err));
		locality_free(loc);
	}
	is_int(bad, 0, "300 random files through the readers");
}

/* rm_tree - remove the temporary files. */
static void
rm_tree(void)
{
	static const char *const files[] = { "sendmail.cf",
		"local-host-names", "virthosts", "relay-domains", "access",
		"mailertable", "sendmail.mc", "names", "acc", "odd.mc",
		"long.mc",
		"big.mc", "smtpd.conf", "domains", "relays", "srcs",
		"extra.conf", "old.conf", "open.conf", "loop.conf",
		"brace.conf", "toks.conf", "toks2.conf", "toks3.conf",
		"odd.conf", "r.mc",
		"r.conf" };
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		(void)unlink(path_of(files[i]));
	(void)rmdir(tmpdir);
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");

	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t_locality_mta.XXXXXX",
	    t != NULL && strlen(t) < 100 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (99);
	}
	test_sendmail_cf();
	test_sendmail_mc();
	test_sendmail_hostile();
	test_opensmtpd();
	test_opensmtpd_old();
	test_opensmtpd_hostile();
	test_random();
	rm_tree();
	return (done_testing());
}
