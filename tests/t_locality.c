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
 * Unit tests for locality.c, locality_postfix.c and postconf.c.  The
 * fixtures are under tests/data/locality (found through $top_srcdir);
 * odd main.cf files are written to a temporary directory.  Expected
 * values follow from the rules in locality.h and postconf(5).
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locality.h"
#include "tap.h"

static char	dump[1024 * 1024];

/* dump_domain - locality_foreach_domain() callback: one line each. */
static void
dump_domain(void *arg, const char *name, enum loc_class c,
    enum loc_origin o, const char *detail)
{
	size_t	n = strlen(dump);

	(void)arg;
	(void)snprintf(dump + n, sizeof(dump) - n, "%s %s %s %s\n", name,
	    locality_class_name(c), locality_origin_name(o), detail);
}

/* dump_net - locality_foreach_net() callback. */
static void
dump_net(void *arg, const char *cidr, enum loc_origin o, const char *detail)
{
	size_t	n = strlen(dump);

	(void)arg;
	(void)snprintf(dump + n, sizeof(dump) - n, "%s %s %s\n", cidr,
	    locality_origin_name(o), detail);
}

/* dump_warning - locality_foreach_warning() callback. */
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

/* count_lines - lines in s. */
static int
count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return (n);
}

static void
test_names(void)
{
	is_str(locality_origin_name(LOC_ORIGIN_FLAG), "flag", "origin flag");
	is_str(locality_origin_name(LOC_ORIGIN_CONFIG), "config",
	    "origin config");
	is_str(locality_origin_name(LOC_ORIGIN_INFERRED), "inferred",
	    "origin inferred");
	is_str(locality_origin_name((enum loc_origin)7), "unknown",
	    "origin out of range");
	is_str(locality_class_name(LOC_FOREIGN), "foreign", "class foreign");
	is_str(locality_class_name(LOC_LOCAL), "local", "class local");
	is_str(locality_class_name(LOC_RELAY), "relay", "class relay");
	is_str(locality_class_name((enum loc_class)7), "unknown",
	    "class out of range");
}

static void
test_domains(void)
{
	static const char	*bad[] = { "", ".", "..", "a..b", "a b",
				    "exa$mple.com", "*.", "*", "a.b..",
				    "[1.2.3.4", "[]", ".a..b", "-.x y" };
	struct locality		*loc = locality_new();
	enum loc_class		 c;
	enum loc_origin		 o;
	const char		*d;
	char			 big[300];
	size_t			 i;

	is_int(locality_add_domain(loc, "Example.COM.", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, "--local-domain"), 0, "add Example.COM.");
	is_int(locality_domain(loc, "example.com"), LOC_LOCAL, "exact");
	is_int(locality_domain(loc, "EXAMPLE.com."), LOC_LOCAL,
	    "case and trailing dot ignored");
	is_int(locality_domain(loc, "www.example.com"), LOC_FOREIGN,
	    "no subdomains without a pattern");
	is_int(locality_domain(loc, "xexample.com"), LOC_FOREIGN,
	    "suffix is not enough");
	is_int(locality_domain(loc, "example.co"), LOC_FOREIGN, "prefix");
	is_int(locality_domain(loc, "com"), LOC_FOREIGN, "parent");
	is_int(locality_domain(loc, "example.com.."), LOC_FOREIGN,
	    "two trailing dots");

	is_int(locality_add_domain(loc, ".example.com", LOC_RELAY,
	    LOC_ORIGIN_CONFIG, "main.cf relay_domains"), 0, "add pattern");
	is_int(locality_domain(loc, "www.example.com"), LOC_RELAY,
	    "pattern matches a subdomain");
	is_int(locality_domain(loc, "a.b.Example.com"), LOC_RELAY,
	    "pattern matches deeper");
	is_int(locality_domain(loc, "example.com"), LOC_LOCAL,
	    "pattern does not match its parent; exact stays");
	is_int(locality_domain(loc, "wwwexample.com"), LOC_FOREIGN,
	    "pattern needs a dot boundary");
	is_int(locality_add_domain(loc, "*.wild.example", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, NULL), 0, "add *.wild.example");
	is_int(locality_domain(loc, "x.wild.example"), LOC_LOCAL,
	    "*. pattern");
	is_int(locality_domain(loc, "wild.example"), LOC_FOREIGN,
	    "*. pattern not the parent");
	is_int(locality_add_domain(loc, "deep.a.example.com", LOC_FOREIGN,
	    LOC_ORIGIN_INFERRED, "refused"), 0, "add exact foreign");
	is_int(locality_domain(loc, "deep.a.example.com"), LOC_FOREIGN,
	    "exact beats pattern");
	ok(locality_domain_known(loc, "deep.a.example.com"),
	    "foreign but known");
	is_int(locality_domain(loc, "x.deep.a.example.com"), LOC_RELAY,
	    "an exact entry is no pattern");
	is_int(locality_add_domain(loc, ".a.example.com", LOC_LOCAL,
	    LOC_ORIGIN_INFERRED, NULL), 0, "add longer pattern");
	is_int(locality_domain(loc, "x.a.example.com"), LOC_LOCAL,
	    "longest pattern wins");
	is_int(locality_domain(loc, "x.b.example.com"), LOC_RELAY,
	    "shorter pattern elsewhere");
	ok(!locality_domain_known(loc, "nowhere.example"), "unknown");
	ok(!locality_domain_known(loc, "example"), "unknown parent");
	ok(!locality_domain_known(loc, NULL), "NULL unknown");
	is_int(locality_domain(loc, NULL), LOC_FOREIGN, "NULL foreign");
	is_int(locality_domain(loc, ""), LOC_FOREIGN, "empty foreign");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(locality_domain(loc, big), LOC_FOREIGN, "300 octets foreign");

	/* Address literals are foreign unless listed. */
	is_int(locality_domain(loc, "[192.0.2.1]"), LOC_FOREIGN,
	    "IP literal not listed");
	is_int(locality_add_domain(loc, "[IPv6:2001:db8::1]", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, NULL), 0, "add IPv6 literal");
	is_int(locality_domain(loc, "[IPv6:2001:DB8::1]"), LOC_LOCAL,
	    "IPv6 literal listed");
	is_int(locality_add_domain(loc, "b\xc3\xbc" "cher.example", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, NULL), 0, "8-bit domain");
	is_int(locality_add_domain(loc, "under_score.example", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, NULL), 0, "underscore");

	ok(locality_domain_lookup(loc, "www.example.com", &c, &o, &d) &&
	    c == LOC_RELAY && o == LOC_ORIGIN_CONFIG &&
	    strcmp(d, "main.cf relay_domains") == 0, "lookup details");
	ok(locality_domain_lookup(loc, "x.wild.example", NULL, NULL, &d) &&
	    strcmp(d, "") == 0, "NULL detail stored as empty");
	ok(!locality_domain_lookup(loc, "nowhere.example", &c, &o, &d),
	    "lookup miss");

	is_str(domains(loc),
	    "[ipv6:2001:db8::1] local flag \n"
	    ".a.example.com local inferred \n"
	    "b\xc3\xbc" "cher.example local flag \n"
	    "deep.a.example.com foreign inferred refused\n"
	    "example.com local flag --local-domain\n"
	    ".example.com relay config main.cf relay_domains\n"
	    "under_score.example local flag \n"
	    ".wild.example local flag \n",
	    "foreach: sorted, patterns after their parent");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(locality_add_domain(loc, bad[i], LOC_LOCAL,
		    LOC_ORIGIN_FLAG, NULL), -1, "reject \"%s\"", bad[i]);
	is_int(locality_add_domain(loc, NULL, LOC_LOCAL, LOC_ORIGIN_FLAG,
	    NULL), -1, "reject NULL");
	memset(big, 'a', 256);
	big[256] = '\0';
	for (i = 63; i < 255; i += 64)
		big[i] = '.';
	is_int(locality_add_domain(loc, big, LOC_LOCAL, LOC_ORIGIN_FLAG, NULL),
	    -1, "reject 256 octets");
	big[255] = '\0';
	is_int(locality_add_domain(loc, big, LOC_LOCAL, LOC_ORIGIN_FLAG, NULL),
	    0, "accept 255 octets");
	ok(locality_domain(loc, big) == LOC_LOCAL, "255 octets found");
	is_int(count_lines(domains(loc)), 9, "rejects changed nothing");
	locality_free(loc);
	locality_free(NULL);
}

static void
test_priority(void)
{
	struct locality	*loc = locality_new();
	enum loc_class	 c;
	enum loc_origin	 o;
	const char	*d;

	(void)locality_add_domain(loc, "x.example", LOC_LOCAL,
	    LOC_ORIGIN_INFERRED, "delivered locally (3 recipients)");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_LOCAL && o == LOC_ORIGIN_INFERRED, "inferred first");
	(void)locality_add_domain(loc, "x.example", LOC_RELAY,
	    LOC_ORIGIN_CONFIG, "main.cf relay_domains");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_RELAY && o == LOC_ORIGIN_CONFIG &&
	    strcmp(d, "main.cf relay_domains") == 0, "config beats inferred");
	(void)locality_add_domain(loc, "X.Example.", LOC_FOREIGN,
	    LOC_ORIGIN_INFERRED, "refused");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_RELAY && o == LOC_ORIGIN_CONFIG,
	    "inferred does not override config");
	(void)locality_add_domain(loc, "x.example", LOC_LOCAL,
	    LOC_ORIGIN_CONFIG, "main.cf mydestination");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_RELAY && strcmp(d, "main.cf relay_domains") == 0,
	    "equal origin: the first stays");
	(void)locality_add_domain(loc, "x.example", LOC_LOCAL,
	    LOC_ORIGIN_FLAG, "--local-domain");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_LOCAL && o == LOC_ORIGIN_FLAG &&
	    strcmp(d, "--local-domain") == 0, "flag beats config");
	(void)locality_add_domain(loc, "x.example", LOC_FOREIGN,
	    LOC_ORIGIN_FLAG, "again");
	ok(locality_domain_lookup(loc, "x.example", &c, &o, &d) &&
	    c == LOC_LOCAL && strcmp(d, "--local-domain") == 0,
	    "flag twice: the first stays");
	is_int(count_lines(domains(loc)), 1, "one entry throughout");
	locality_free(loc);
}

/* test_many - enough domains to grow the table several times. */
static void
test_many(void)
{
	struct locality	*loc = locality_new();
	char		 name[64], prev[64] = "";
	const char	*p, *q;
	int		 i, bad = 0, sorted = 1;

	for (i = 0; i < 10000; i++) {
		(void)snprintf(name, sizeof(name), "d%05d.Example", i * 7919 %
		    10000);
		if (locality_add_domain(loc, name, i % 2 ? LOC_LOCAL :
		    LOC_RELAY, LOC_ORIGIN_INFERRED, NULL) != 0)
			bad++;
	}
	for (i = 0; i < 10000; i++) {
		(void)snprintf(name, sizeof(name), "D%05d.example.", i);
		if (locality_domain(loc, name) == LOC_FOREIGN)
			bad++;
		(void)snprintf(name, sizeof(name), "x.d%05d.example", i);
		if (locality_domain_known(loc, name))
			bad++;
	}
	is_int(bad, 0, "10000 domains added and found");
	p = domains(loc);
	is_int(count_lines(p), 10000, "10000 in foreach");
	for (i = 0; *p != '\0'; i++) {
		q = strchr(p, ' ');
		if ((size_t)(q - p) >= sizeof(name))
			break;
		memcpy(name, p, (size_t)(q - p));
		name[q - p] = '\0';
		if (strcmp(prev, name) >= 0)
			sorted = 0;
		strcpy(prev, name);
		p = strchr(p, '\n') + 1;
	}
	ok(sorted && i == 10000, "foreach is sorted");
	locality_free(loc);
}

static void
test_parse_ip(void)
{
	static const char	*bad[] = { "1.2.3", "1.2.3.4.5", "010.1.1.1",
				    "256.0.0.1", "", " 1.2.3.4", "1.2.3.4 ",
				    "1.2.3.4%eth0", "gggg::1", "1::2::3", ":::",
				    "[::1", "::1]", "1.2.3.4/32", "%eth0",
				    "0x7f.0.0.1", "12345::", "1.2.3.-4",
				    "::1:2:3:4:5:6:7:8", "[]", "IPv6:",
				    "2001:db8::1 " };
	static const uint8_t	 v4[16] = { 192, 0, 2, 1 };
	static const uint8_t	 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t	 mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff, 1, 2, 3, 4 };
	uint8_t			 a[16];
	char			 big[100];
	size_t			 i;
	int			 fam;

	ok(locality_parse_ip("192.0.2.1", a, &fam) == 0 && fam == AF_INET &&
	    memcmp(a, v4, 16) == 0, "IPv4");
	ok(locality_parse_ip("[192.0.2.1]", a, &fam) == 0 && fam == AF_INET &&
	    memcmp(a, v4, 16) == 0, "IPv4 in brackets");
	ok(locality_parse_ip("2001:db8::1", a, &fam) == 0 &&
	    fam == AF_INET6 && memcmp(a, v6, 16) == 0, "IPv6");
	ok(locality_parse_ip("2001:0DB8:0000:0:0:0:0:0001", a, &fam) == 0 &&
	    fam == AF_INET6 && memcmp(a, v6, 16) == 0,
	    "IPv6 uncompressed with leading zeros");
	ok(locality_parse_ip("[IPv6:2001:db8::1]", a, &fam) == 0 &&
	    fam == AF_INET6 && memcmp(a, v6, 16) == 0, "IPv6 literal form");
	ok(locality_parse_ip("ipv6:2001:db8::1", a, &fam) == 0 &&
	    fam == AF_INET6, "IPv6 tag without brackets");
	ok(locality_parse_ip("2001:db8::1%eth0", a, &fam) == 0 &&
	    fam == AF_INET6 && memcmp(a, v6, 16) == 0, "IPv6 zone ignored");
	ok(locality_parse_ip("::ffff:1.2.3.4", a, &fam) == 0 &&
	    fam == AF_INET6 && memcmp(a, mapped, 16) == 0,
	    "IPv4-mapped stays IPv6");
	ok(locality_parse_ip("::", a, &fam) == 0 && fam == AF_INET6, "::");
	ok(locality_parse_ip("0.0.0.0", a, &fam) == 0 && fam == AF_INET,
	    "0.0.0.0");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(locality_parse_ip(bad[i], a, &fam), -1, "reject \"%s\"",
		    bad[i]);
	is_int(locality_parse_ip(NULL, a, &fam), -1, "reject NULL");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(locality_parse_ip(big, a, &fam), -1, "reject 99 octets");
}

/* net_is - add cidr alone and compare its normalised form. */
static void
net_is(const char *cidr, const char *want)
{
	struct locality	*loc = locality_new();
	char		 line[128];

	(void)snprintf(line, sizeof(line), "%s flag \n", want);
	ok(locality_add_net(loc, cidr, LOC_ORIGIN_FLAG, NULL) == 0 &&
	    strcmp(nets(loc), line) == 0, "net %s is %s", cidr, want);
	if (strcmp(dump, line) != 0)
		diag("got '%s'", dump);
	locality_free(loc);
}

static void
test_nets(void)
{
	static const char	*bad[] = { "1.2.3.4/33", "::1/129", "1.2.3",
				    "1.2.3.4.5", "010.0.0.1", "1.2.3.4/",
				    "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/08",
				    "1.2.3.4/8/8", "/8", "", "1.2.3.4 ",
				    "[::1/128]", "fe80::1%eth0/64", "!",
				    "!!1.2.3.4", "1.2.3.4/1000", "host.example",
				    "::1/0128", "1.2.3.4/3a", " 1.2.3.4/8" };
	struct locality		*loc;
	size_t			 i;

	net_is("0.0.0.0/0", "0.0.0.0/0");
	net_is("::/0", "::/0");
	net_is("::/128", "::/128");
	net_is("::1/128", "::1/128");
	net_is("2001:db8::/127", "2001:db8::/127");
	net_is("2001:DB8:0:0:0:0:0:1", "2001:db8::1/128");
	net_is("[2001:db8::]/32", "2001:db8::/32");
	net_is("[::1]/128", "::1/128");
	net_is("[::1]", "::1/128");
	net_is("2001:0db8::/32", "2001:db8::/32");
	net_is("192.0.2.1", "192.0.2.1/32");
	net_is("[192.0.2.2]/32", "192.0.2.2/32");
	net_is("10.0.0.0/8", "10.0.0.0/8");
	net_is("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104");
	net_is("!203.0.113.0/24", "!203.0.113.0/24");
	net_is("192.0.2.77/24", "192.0.2.0/24");
	net_is("2001:db8::1/127", "2001:db8::/127");
	net_is("2001:db8:ffff::1/33", "2001:db8:8000::/33");

	loc = locality_new();
	(void)locality_add_net(loc, "192.0.2.0/24", LOC_ORIGIN_CONFIG, "x");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(locality_add_net(loc, bad[i], LOC_ORIGIN_FLAG, NULL),
		    -1, "reject net \"%s\"", bad[i]);
	is_int(locality_add_net(loc, NULL, LOC_ORIGIN_FLAG, NULL), -1,
	    "reject net NULL");
	is_str(nets(loc), "192.0.2.0/24 config x\n", "rejects changed nothing");
	is_str(warnings(loc), "", "rejects warn nothing");
	(void)locality_add_net(loc, "192.0.2.9/24", LOC_ORIGIN_FLAG, "f");
	is_str(nets(loc), "192.0.2.0/24 flag f\n",
	    "same block: flag replaces config");
	is_str(warnings(loc), "192.0.2.9/24: host bits set, using "
	    "192.0.2.0/24\n", "host bits are warned about");
	(void)locality_add_net(loc, "192.0.2.0/24", LOC_ORIGIN_INFERRED, "i");
	is_str(nets(loc), "192.0.2.0/24 flag f\n", "inferred changes nothing");
	is_int(locality_nwarnings(loc), 1, "one warning");
	locality_free(loc);
}

static void
test_trust(void)
{
	struct locality	*loc = locality_new();
	enum loc_origin	 o;
	const char	*cidr, *d;

	(void)locality_add_net(loc, "10.0.0.0/8", LOC_ORIGIN_CONFIG, "c");
	(void)locality_add_net(loc, "!10.1.0.0/16", LOC_ORIGIN_CONFIG, "x");
	(void)locality_add_net(loc, "10.1.2.0/24", LOC_ORIGIN_FLAG, "f");
	(void)locality_add_net(loc, "[::ffff:192.168.0.0]/112",
	    LOC_ORIGIN_CONFIG, "m");
	(void)locality_add_net(loc, "2001:db8::/32", LOC_ORIGIN_INFERRED,
	    "i");
	ok(locality_ip_trusted(loc, "10.9.9.9"), "inside /8");
	ok(!locality_ip_trusted(loc, "10.1.9.9"), "excluded /16");
	ok(locality_ip_trusted(loc, "10.1.2.3"), "/24 inside the exclusion");
	ok(locality_ip_trusted(loc, "::ffff:10.1.2.3"), "mapped client");
	ok(!locality_ip_trusted(loc, "::FFFF:10.1.9.9"),
	    "mapped client excluded");
	ok(locality_ip_trusted(loc, "192.168.5.5"),
	    "IPv4 client, mapped block");
	ok(locality_ip_trusted(loc, "[::ffff:192.168.5.5]"),
	    "mapped client, mapped block");
	ok(!locality_ip_trusted(loc, "192.169.0.1"), "outside");
	ok(!locality_ip_trusted(loc, "11.0.0.1"), "outside /8");
	ok(locality_ip_trusted(loc, "2001:db8::5"), "IPv6 inside");
	ok(locality_ip_trusted(loc, "2001:DB8:FFFF:FFFF::1"), "IPv6 edge");
	ok(!locality_ip_trusted(loc, "2001:db9::1"), "IPv6 outside");
	ok(!locality_ip_trusted(loc, "::ffff:2001:db8"),
	    "::ffff:2001:db8 is 32.1.13.184, mapped");
	ok(!locality_ip_trusted(loc, ""), "empty");
	ok(!locality_ip_trusted(loc, "unknown"), "word");
	ok(!locality_ip_trusted(loc, NULL), "NULL");
	ok(!locality_ip_trusted(loc, "10.0.0.256"), "bad IPv4");
	ok(!locality_ip_lookup(loc, "10.1.9.9", &cidr, &o, &d) &&
	    strcmp(cidr, "!10.1.0.0/16") == 0 && o == LOC_ORIGIN_CONFIG &&
	    strcmp(d, "x") == 0, "lookup names the exclusion");
	ok(locality_ip_lookup(loc, "10.1.2.200", &cidr, NULL, NULL) &&
	    strcmp(cidr, "10.1.2.0/24") == 0, "lookup names the block");
	ok(!locality_ip_lookup(loc, "203.0.113.1", &cidr, &o, &d),
	    "lookup miss");
	(void)locality_add_net(loc, "!2001:db8::/32", LOC_ORIGIN_FLAG, "nf");
	ok(!locality_ip_trusted(loc, "2001:db8::5"),
	    "same block excluded by a flag");
	(void)locality_add_net(loc, "2001:db8::/32", LOC_ORIGIN_FLAG, "yf");
	ok(!locality_ip_trusted(loc, "2001:db8::5"),
	    "same block, same origin: exclusion wins");
	(void)locality_add_net(loc, "::/0", LOC_ORIGIN_CONFIG, "all6");
	ok(locality_ip_trusted(loc, "2001:db9::1"), "::/0 covers IPv6");
	ok(!locality_ip_trusted(loc, "203.0.113.1"), "::/0 not IPv4");
	ok(!locality_ip_trusted(loc, "::ffff:203.0.113.1"),
	    "::/0 not mapped IPv4");
	(void)locality_add_net(loc, "0.0.0.0/0", LOC_ORIGIN_CONFIG, "all4");
	ok(locality_ip_trusted(loc, "203.0.113.1"), "0.0.0.0/0");
	ok(locality_ip_trusted(loc, "::ffff:203.0.113.1"),
	    "0.0.0.0/0 covers mapped");
	ok(!locality_ip_trusted(loc, "10.1.9.9"),
	    "more specific exclusion still wins");
	is_str(nets(loc),
	    "0.0.0.0/0 config all4\n"
	    "10.0.0.0/8 config c\n"
	    "!10.1.0.0/16 config x\n"
	    "10.1.2.0/24 flag f\n"
	    "::/0 config all6\n"
	    "::ffff:192.168.0.0/112 config m\n"
	    "2001:db8::/32 flag yf\n"
	    "!2001:db8::/32 flag nf\n", "nets sorted");
	locality_free(loc);
}

/* fixture - path of a file in tests/data/locality. */
static const char *
fixture(const char *name)
{
	static char	 path[1024];
	const char	*top = getenv("top_srcdir");

	(void)snprintf(path, sizeof(path), "%s/tests/data/locality/%s",
	    top != NULL ? top : ".", name);
	return (path);
}

static void
test_main_cf(void)
{
	struct locality	*loc = locality_new();
	enum loc_class	 c;
	enum loc_origin	 o;
	const char	*d, *w;
	char		 err[512];
	int		 rv;

	rv = locality_load_postfix(loc, fixture("main.cf"), err, sizeof(err));
	is_int(rv, 4, "main.cf: four warnings");
	ok(strstr(err, "line 6: \"not..a.domain\" is not a domain") != NULL,
	    "main.cf: err holds the first");
	if (strstr(err, "not..a.domain") == NULL)
		diag("err '%s'", err);
	is_str(domains(loc),
	    "alias-if-set.example local config main.cf virtual_alias_domains\n"
	    "alias-if-unset.example local config main.cf "
	    "virtual_alias_domains\n"
	    "alias.example local config main.cf virtual_alias_domains "
	    "texthash:$(config_directory)/virtual_domains\n"
	    "backup.example relay config main.cf relay_domains\n"
	    "corp.example local config main.cf mydestination\n"
	    "inline1.example local config main.cf virtual_alias_domains "
	    "inline:{inline1.example=x, { inline2.example = y }}\n"
	    "inline2.example local config main.cf virtual_alias_domains "
	    "inline:{inline1.example=x, { inline2.example = y }}\n"
	    "localhost local config main.cf mydestination\n"
	    "localhost.corp.example local config main.cf mydestination\n"
	    "mail.corp.example local config main.cf mydestination\n"
	    "mx1.corp.example local config main.cf mydestination\n"
	    "old.corp.example foreign config main.cf mydestination "
	    "(excluded)\n"
	    "partner.example relay config main.cf relay_domains "
	    "hash:/etc/postfix-fixture/relay_domains\n"
	    "partner2.example relay config main.cf relay_domains "
	    "hash:/etc/postfix-fixture/relay_domains\n"
	    ".sub.partner.example relay config main.cf relay_domains "
	    "hash:/etc/postfix-fixture/relay_domains\n"
	    "virtual.example local config main.cf virtual_alias_domains "
	    "texthash:$(config_directory)/virtual_domains\n",
	    "main.cf: domains");
	is_str(nets(loc),
	    "10.0.0.0/8 config main.cf mynetworks "
	    "cidr:${config_directory}/mynetworks.cidr\n"
	    "127.0.0.0/8 config main.cf mynetworks\n"
	    "172.17.0.0/16 config main.cf mynetworks "
	    "cidr:${config_directory}/mynetworks.cidr\n"
	    "192.0.2.0/24 config main.cf mynetworks\n"
	    "192.168.1.0/24 config main.cf mynetworks "
	    "cidr:${config_directory}/mynetworks.cidr\n"
	    "198.51.100.0/24 config main.cf mynetworks\n"
	    "!198.51.100.7/32 config main.cf mynetworks\n"
	    "::1/128 config main.cf mynetworks\n"
	    "::ffff:127.0.0.0/104 config main.cf mynetworks\n"
	    "2001:db8:1::/48 config main.cf mynetworks\n"
	    "2001:db8:2::/48 config main.cf mynetworks "
	    "cidr:${config_directory}/mynetworks.cidr\n",
	    "main.cf: networks");
	w = warnings(loc);
	ok(count_lines(w) == 4 &&
	    strstr(w, "virtual_domains, line 6: \"not..a.domain\"") != NULL &&
	    strstr(w, "main.cf virtual_mailbox_domains: cannot read "
	    "/nonexistent-fixture/vmailbox: No such file or directory") !=
	    NULL && strstr(w, "main.cf virtual_mailbox_domains: "
	    "ldap:/etc/postfix/ldap-vmailbox.cf: a ldap table cannot be read")
	    != NULL && strstr(w, "192.168.1.5/24: host bits set, using "
	    "192.168.1.0/24") != NULL, "main.cf: the warnings");
	if (count_lines(w) != 4)
		diag("%s", w);

	is_int(locality_domain(loc, "MX1.corp.example."), LOC_LOCAL,
	    "main.cf: myhostname");
	is_int(locality_domain(loc, "old.corp.example"), LOC_FOREIGN,
	    "main.cf: excluded");
	ok(locality_domain_known(loc, "old.corp.example"),
	    "main.cf: excluded is known");
	is_int(locality_domain(loc, "x.sub.partner.example"), LOC_RELAY,
	    "main.cf: table pattern");
	is_int(locality_domain(loc, "sub.partner.example"), LOC_FOREIGN,
	    "main.cf: pattern not its parent");
	is_int(locality_domain(loc, "www.corp.example"), LOC_FOREIGN,
	    "main.cf: no parent matching at level 3");
	ok(!locality_domain_known(loc, "user@virtual.example") &&
	    !locality_domain_known(loc, "still.value.example"),
	    "main.cf: address keys and continuations skipped");
	ok(locality_domain_lookup(loc, "alias.example", &c, &o, &d) &&
	    c == LOC_LOCAL && o == LOC_ORIGIN_CONFIG, "main.cf: lookup");

	ok(locality_ip_trusted(loc, "127.0.0.1"), "main.cf: 127.0.0.1");
	ok(locality_ip_trusted(loc, "::1"), "main.cf: ::1");
	ok(locality_ip_trusted(loc, "::ffff:127.0.0.1"),
	    "main.cf: ::ffff:127.0.0.1");
	ok(locality_ip_trusted(loc, "192.0.2.77"), "main.cf: 192.0.2.77");
	ok(!locality_ip_trusted(loc, "198.51.100.7"),
	    "main.cf: excluded host");
	ok(!locality_ip_trusted(loc, "::ffff:198.51.100.7"),
	    "main.cf: excluded host, mapped");
	ok(locality_ip_trusted(loc, "198.51.100.8"), "main.cf: its network");
	ok(locality_ip_trusted(loc, "10.255.255.255"), "main.cf: cidr 10/8");
	ok(locality_ip_trusted(loc, "172.17.0.1"), "main.cf: Docker bridge");
	ok(!locality_ip_trusted(loc, "172.18.0.1"), "main.cf: 172.18");
	ok(locality_ip_trusted(loc, "192.168.1.200"), "main.cf: masked /24");
	ok(!locality_ip_trusted(loc, "203.0.113.5"), "main.cf: outsider");
	ok(locality_ip_trusted(loc, "2001:db8:1:ffff::1"), "main.cf: v6 /48");
	ok(locality_ip_trusted(loc, "2001:db8:2::abcd"), "main.cf: cidr v6");
	ok(!locality_ip_trusted(loc, "2001:db8:3::1"), "main.cf: v6 outside");

	rv = locality_load_postfix(loc, fixture("main.cf"), err, sizeof(err));
	is_int(rv, 4, "main.cf again: its own warnings only");
	is_int(locality_nwarnings(loc), 8, "main.cf again: all kept");
	is_int(count_lines(domains(loc)), 16, "main.cf again: same domains");
	locality_free(loc);
}

static void
test_legacy_cf(void)
{
	struct locality	*loc = locality_new();
	const char	*w;
	char		 err[512];
	int		 rv;

	rv = locality_load_postfix(loc, fixture("main-legacy.cf"), err,
	    sizeof(err));
	is_int(rv, 5, "legacy: five warnings");
	is_str(err, "main-legacy.cf mydestination: skipped \"$myhostname\": "
	    "myhostname is not set", "legacy: myhostname is not invented");
	is_str(domains(loc),
	    "legacy-backup.example relay config main-legacy.cf relay_domains\n"
	    ".legacy-backup.example relay config main-legacy.cf "
	    "relay_domains\n"
	    "legacy.example local config main-legacy.cf mydestination\n"
	    "list1.example local config main-legacy.cf mydestination "
	    "$config_directory/legacy-destinations\n"
	    "list2.example local config main-legacy.cf mydestination "
	    "$config_directory/legacy-destinations\n"
	    "list3.example local config main-legacy.cf mydestination "
	    "$config_directory/legacy-destinations\n"
	    "localhost local config main-legacy.cf mydestination\n"
	    "localhost.legacy.example local config main-legacy.cf "
	    "mydestination\n", "legacy: domains");
	is_str(nets(loc),
	    "127.0.0.0/8 config main-legacy.cf mynetworks unset: "
	    "loopback only\n"
	    "::1/128 config main-legacy.cf mynetworks unset: loopback only\n",
	    "legacy: loopback only");
	w = warnings(loc);
	ok(strstr(w, "mydestination: skipped \"$a\": expansion nested too "
	    "deep") != NULL, "legacy: the $a/$b loop ends");
	ok(strstr(w, "virtual_alias_domains: skipped \"x$a\": expansion "
	    "nested too deep") != NULL, "legacy: a loop inside text ends");
	ok(strstr(w, "virtual_alias_domains: skipped \"$(unterminated\": "
	    "unterminated $(") != NULL, "legacy: unterminated $(");
	ok(strstr(w, "mynetworks is not set: Postfix trusts what "
	    "mynetworks_style = subnet finds") != NULL,
	    "legacy: says why only loopback");
	if (count_lines(w) != 5)
		diag("%s", w);
	is_int(locality_domain(loc, "mx.legacy-backup.example"), LOC_RELAY,
	    "legacy: relay_domains matches subdomains");
	ok(locality_ip_trusted(loc, "127.1.2.3") &&
	    !locality_ip_trusted(loc, "192.0.2.1"), "legacy: trust");
	locality_free(loc);
}

static char	tmpdir[64];

/* write_bytes - create tmpdir/name holding n bytes of text. */
static const char *
write_bytes(const char *name, const char *text, size_t n)
{
	static char	 path[256];
	FILE		*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(text, 1, n, fp) != n || fclose(fp) != 0) {
		perror(path);
		exit(99);
	}
	return (path);
}

/* load_text - load a main.cf written from text into a new locality. */
static struct locality *
load_text(const char *name, const char *text, size_t n, int *rv,
    char *err, size_t errlen)
{
	struct locality	*loc = locality_new();

	*rv = locality_load_postfix(loc, write_bytes(name, text, n), err,
	    errlen);
	return (loc);
}

/* write_file - create tmpdir/name holding a string. */
static void
write_file(const char *name, const char *text)
{
	(void)write_bytes(name, text, strlen(text));
}

static void
test_expansion_limits(void)
{
	struct locality	*loc;
	char		 text[8192], err[512];
	size_t		 n = 0;
	int		 i, rv;

	/* Doubling: 2^16 copies of 100 octets would be 6.5 MB. */
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "x%d = $x%d$x%d\n", i, i + 1, i + 1);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "x16 = %0100d\n"
	    "mydestination = $x0, ok.example\nmynetworks =\n", 0);
	loc = load_text("blowup.cf", text, n, &rv, err, sizeof(err));
	is_int(rv, 1, "doubling: one warning");
	is_str(err, "blowup.cf mydestination: skipped \"$x1$x1\": expands "
	    "to more than 65536 octets", "doubling: stopped at the cap");
	is_str(domains(loc), "ok.example local config blowup.cf "
	    "mydestination\n", "doubling: the rest is kept");
	is_str(nets(loc), "", "empty mynetworks trusts nothing");
	locality_free(loc);

	/* A chain of 30 sole references, and one of 30 inside text. */
	for (n = 0, i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "c%d = $c%d\nt%d = ${t%d}x\n", i, i + 1, i, i + 1);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "c30 = far.example\n"
	    "t30 = far\nmydestination = $c0, ${t0}.example, $c15\n"
	    "mynetworks = 192.0.2.0/24\n");
	loc = load_text("chain.cf", text, n, &rv, err, sizeof(err));
	is_int(rv, 2, "chains: two warnings");
	ok(strstr(warnings(loc), "skipped \"$c") != NULL &&
	    strstr(dump, "skipped \"${t0}.example\": expansion nested too "
	    "deep at $t") != NULL, "chains: both cut off");
	is_str(domains(loc), "far.example local config chain.cf "
	    "mydestination\n", "chains: a chain of 15 resolves");
	locality_free(loc);

	/* Ten levels of ${name?...} and ${name:...}. */
	n = (size_t)snprintf(text, sizeof(text), "set = yes\nempty =\n"
	    "mydestination = ${set?a.example} ${set:b.example} "
	    "${empty?c.example} ${empty:d.example} ${unset:e.example} "
	    "${set?{f.example}} ${set?${set?g.example}} ${{$set} == {yes}}\n"
	    "mynetworks = 127.0.0.1\n");
	loc = load_text("cond.cf", text, n, &rv, err, sizeof(err));
	is_int(rv, 1, "conditionals: one warning");
	ok(strstr(err, "unsupported expression ${{$set} == {yes}") != NULL,
	    "conditionals: comparison not supported");
	is_str(domains(loc),
	    "a.example local config cond.cf mydestination\n"
	    "d.example local config cond.cf mydestination\n"
	    "e.example local config cond.cf mydestination\n"
	    "f.example local config cond.cf mydestination\n"
	    "g.example local config cond.cf mydestination\n",
	    "conditionals");
	locality_free(loc);
}

static void
test_syntax(void)
{
	static const char	 text[] =
	    "  leading = continuation without text\n"
	    "myhostname=host.syntax.example\r\n"
	    "mydestination = first.example\n"
	    "mydestination = $myhostname, second.example\r\n"
	    "garbage line without equals\n"
	    "=novalue\n"
	    "relay_domains = a.example,,b.example , ,c.example\n"
	    "virtual_alias_domains = $$literal.example\n"
	    "virtual_mailbox_domains = bad_char!.example [192.0.2.1]\n"
	    "  # comment\n"
	    "\n"
	    "   *.wild.example\n"
	    "mynetworks = 1.2.3.4/33, 10.0.0.1, [::1], fe80::/10\n"
	    "nul = a\0b\n";
	struct locality		*loc;
	char			 err[512];
	const char		*w;
	int			 rv;

	loc = load_text("syntax.cf", text, sizeof(text) - 1, &rv, err,
	    sizeof(err));
	is_int(rv, 7, "syntax: seven warnings");
	ok(strstr(err, "line 1: continuation line without text") != NULL,
	    "syntax: leading white space");
	w = warnings(loc);
	ok(strstr(w, "line 5: not \"name = value\": garbage line") != NULL,
	    "syntax: no '='");
	ok(strstr(w, "line 6: not \"name = value\": =novalue") != NULL,
	    "syntax: no name");
	ok(strstr(w, "line 14: NUL byte, ignored") != NULL, "syntax: NUL");
	ok(strstr(w, "virtual_alias_domains: \"$literal.example\" is not a "
	    "domain") != NULL, "syntax: $$ is a dollar");
	ok(strstr(w, "\"bad_char!.example\" is not a domain") != NULL,
	    "syntax: bad domain");
	ok(strstr(w, "mynetworks: \"1.2.3.4/33\" is not a network") != NULL,
	    "syntax: bad network");
	is_str(domains(loc),
	    "[192.0.2.1] local config syntax.cf virtual_mailbox_domains\n"
	    "a.example relay config syntax.cf relay_domains\n"
	    ".a.example relay config syntax.cf relay_domains\n"
	    "b.example relay config syntax.cf relay_domains\n"
	    ".b.example relay config syntax.cf relay_domains\n"
	    "c.example relay config syntax.cf relay_domains\n"
	    ".c.example relay config syntax.cf relay_domains\n"
	    "host.syntax.example local config syntax.cf mydestination\n"
	    "second.example local config syntax.cf mydestination\n"
	    ".wild.example local config syntax.cf virtual_mailbox_domains\n",
	    "syntax: domains");
	is_str(nets(loc),
	    "10.0.0.1/32 config syntax.cf mynetworks\n"
	    "::1/128 config syntax.cf mynetworks\n"
	    "fe80::/10 config syntax.cf mynetworks\n", "syntax: networks");
	locality_free(loc);
}

static void
test_tables(void)
{
	static const char	 text[] =
	    "compatibility_level = 3.6\n"
	    "parent_domain_matches_subdomains = mydestination\n"
	    "mydestination = p.example, proxy:texthash:rel.txt\n"
	    "relay_domains = texthash:rel.txt hash:/etc/postfix/sub/relay2,\n"
	    "\tstatic:all regexp:/etc/postfix/relay.re inline:nobraces\n"
	    "\t/etc/postfix/not-allowed-here\n"
	    "virtual_alias_domains = unknowntype:/x\n"
	    "mynetworks = hash:/var/lib/fixture-nets, texthash:nets.txt\n";
	struct locality		*loc;
	char			 err[512], dir[300];
	const char		*w;
	int			 rv;

	write_file("rel.txt", "rel1.example OK\nrel2.example OK\n");
	(void)snprintf(dir, sizeof(dir), "%s/sub", tmpdir);
	if (mkdir(dir, 0700) == -1) {
		perror(dir);
		exit(99);
	}
	write_file("sub/relay2", "# mapped from /etc/postfix/sub\n"
	    "relay2.example OK\n");
	write_file("fixture-nets", "192.0.2.0/25 OK\nnot-a-net OK\n");
	write_file("nets.txt", "[2001:db8::]/64 OK\n");
	loc = load_text("tables.cf", text, sizeof(text) - 1, &rv, err,
	    sizeof(err));
	w = warnings(loc);
	is_int(rv, 6, "tables: six warnings");
	if (rv != 6)
		diag("%s", w);
	ok(strstr(w, "static:all: a static table cannot be read") != NULL,
	    "tables: static");
	ok(strstr(w, "regexp:/etc/postfix/relay.re: a regexp table cannot") !=
	    NULL, "tables: regexp");
	ok(strstr(w, "\"inline:nobraces\": inline table without {}") != NULL,
	    "tables: inline without braces");
	ok(strstr(w, "unknowntype:/x: a unknowntype table cannot") != NULL,
	    "tables: unknown type");
	ok(strstr(w, "fixture-nets, line 2: \"not-a-net\" is not a network") !=
	    NULL, "tables: bad network key");
	ok(strstr(w, "cannot read /etc/postfix/not-allowed-here") != NULL,
	    "tables: a missing list file");
	is_str(domains(loc),
	    "p.example local config tables.cf mydestination\n"
	    ".p.example local config tables.cf mydestination\n"
	    "rel1.example local config tables.cf mydestination "
	    "proxy:texthash:rel.txt\n"
	    ".rel1.example local config tables.cf mydestination "
	    "proxy:texthash:rel.txt\n"
	    "rel2.example local config tables.cf mydestination "
	    "proxy:texthash:rel.txt\n"
	    ".rel2.example local config tables.cf mydestination "
	    "proxy:texthash:rel.txt\n"
	    "relay2.example relay config tables.cf relay_domains "
	    "hash:/etc/postfix/sub/relay2\n", "tables: domains");
	is_str(nets(loc),
	    "192.0.2.0/25 config tables.cf mynetworks "
	    "hash:/var/lib/fixture-nets\n"
	    "2001:db8::/64 config tables.cf mynetworks texthash:nets.txt\n",
	    "tables: networks");
	locality_free(loc);
}

static void
test_unreadable(void)
{
	struct locality	*loc = locality_new();
	char		 err[512];

	is_int(locality_load_postfix(loc, "/nonexistent-relaytrace/main.cf",
	    err, sizeof(err)), -1, "missing main.cf");
	is_str(err, "/nonexistent-relaytrace/main.cf: No such file or "
	    "directory", "missing main.cf: err");
	is_int(locality_load_postfix(loc, tmpdir, err, sizeof(err)), -1,
	    "a directory");
	ok(strstr(err, ": Is a directory") != NULL, "a directory: err");
	ok(domains(loc)[0] == '\0' && nets(loc)[0] == '\0' &&
	    locality_nwarnings(loc) == 0, "nothing changed");
	is_int(locality_load_postfix(loc, "/nonexistent-relaytrace/main.cf",
	    err, 0), -1, "errlen 0");
	locality_free(loc);
}

/* rm_tree - remove the temporary files (one level of subdirectory). */
static void
rm_tree(void)
{
	static const char	*files[] = { "blowup.cf", "chain.cf", "cond.cf",
				    "syntax.cf", "tables.cf", "rel.txt",
				    "sub/relay2", "fixture-nets", "nets.txt" };
	char			 path[300];
	size_t			 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		(void)unlink(path);
	}
	(void)snprintf(path, sizeof(path), "%s/sub", tmpdir);
	(void)rmdir(path);
	(void)rmdir(tmpdir);
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");

	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t_locality.XXXXXX",
	    t != NULL && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (99);
	}
	test_names();
	test_domains();
	test_priority();
	test_many();
	test_parse_ip();
	test_nets();
	test_trust();
	test_main_cf();
	test_legacy_cf();
	test_expansion_limits();
	test_syntax();
	test_tables();
	test_unreadable();
	rm_tree();
	return (done_testing());
}
