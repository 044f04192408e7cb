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
 * Unit tests for address.c.  Every expected value below is derived from
 * the rules in address.h, not from the program's output.
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "tap.h"

#define NONE	ADDR_TRICK_NONE
#define PCT	ADDR_TRICK_PERCENT
#define BANG	ADDR_TRICK_BANG
#define ROUTE	ADDR_TRICK_SOURCE_ROUTE
#define QAT	ADDR_TRICK_QUOTED_AT
#define DAT	ADDR_TRICK_DOUBLE_AT
#define IMCEA	ADDR_TRICK_IMCEA

#define F_NULL	ADDR_F_NULL
#define F_NODOM	ADDR_F_NODOMAIN
#define F_IPLIT	ADDR_F_IPLITERAL
#define F_TRUNC	ADDR_F_TRUNCATED
#define F_BAD	ADDR_F_BAD
#define F_QUOT	ADDR_F_QUOTED
#define F_LONG	ADDR_F_LONG
#define F_8BIT	ADDR_F_8BIT
#define F_NEST	ADDR_F_NESTED
#define F_ROUT	ADDR_F_ROUTED
#define F_ENC	ADDR_F_ENCAPSULATED

/* check_span - decode sp and compare every field with the expectation. */
static void
check_span(const char *name, struct span sp, int rv, const char *local,
    const char *domain, const char *surface, enum addr_trick trick,
    unsigned int flags)
{
	struct address	a;
	int		got;

	memset(&a, 0x5a, sizeof(a));
	got = address_decode(sp, &a);
	if (!ok(got == rv && strcmp(a.local, local) == 0 &&
	    strcmp(a.domain, domain) == 0 &&
	    strcmp(a.surface, surface) == 0 && a.trick == trick &&
	    a.flags == flags && a.raw.p == sp.p, "%s", name)) {
		diag("rv %d want %d", got, rv);
		diag("local '%s' want '%s'", a.local, local);
		diag("domain '%s' want '%s'", a.domain, domain);
		diag("surface '%s' want '%s'", a.surface, surface);
		diag("trick %s want %s", address_trick_name(a.trick),
		    address_trick_name(trick));
		diag("flags 0x%x want 0x%x", a.flags, flags);
	}
}

/* check - check_span() on a C string, which is also the test name. */
static void
check(const char *in, int rv, const char *local, const char *domain,
    const char *surface, enum addr_trick trick, unsigned int flags)
{
	check_span(in, span_from_cstr(in), rv, local, domain, surface, trick,
	    flags);
}

/* fmt - decode and format. */
static const char *
fmt(const char *in)
{
	static char	out[1024];
	struct address	a;

	(void)address_decode(span_from_cstr(in), &a);
	(void)address_format(&a, out, sizeof(out));
	return (out);
}

/* differs - decode and ask address_domain_differs(). */
static bool
differs(const char *in)
{
	struct address	a;

	(void)address_decode(span_from_cstr(in), &a);
	return (address_domain_differs(&a));
}

static void
test_plain(void)
{
	check("user@corp.example", 0, "user", "corp.example", "corp.example",
	    NONE, 0);
	check("<user@corp.example>", 0, "user", "corp.example",
	    "corp.example", NONE, 0);
	check("  <user@corp.example>\t", 0, "user", "corp.example",
	    "corp.example", NONE, 0);
	check("user@corp.example\r\n", 0, "user", "corp.example",
	    "corp.example", NONE, 0);
	check("User.Name@CORP.Example", 0, "User.Name", "corp.example",
	    "corp.example", NONE, 0);
	check("user@corp.example.", 0, "user", "corp.example", "corp.example",
	    NONE, 0);
	check("<User@Corp.Example.>", 0, "User", "corp.example",
	    "corp.example", NONE, 0);
	check("user+tag@corp.example", 0, "user+tag", "corp.example",
	    "corp.example", NONE, 0);
	check("user@corp_host.example", 0, "user", "corp_host.example",
	    "corp_host.example", NONE, 0);
	check("user@xn--bcher-kva.example", 0, "user", "xn--bcher-kva.example",
	    "xn--bcher-kva.example", NONE, 0);
	check("postmaster", 0, "postmaster", "", "", NONE, F_NODOM);
	check("<Postmaster>", 0, "Postmaster", "", "", NONE, F_NODOM);
	check("\"john smith\"@corp.example", 0, "john smith", "corp.example",
	    "corp.example", NONE, F_QUOT);
	check("\"a\\\"b\"@x.example", 0, "a\"b", "x.example", "x.example",
	    NONE, F_QUOT);
	check("\"a\\\\b\"@x.example", 0, "a\\b", "x.example", "x.example",
	    NONE, F_QUOT);
	check("\"\"@corp.example", 0, "", "corp.example", "corp.example",
	    NONE, F_QUOT);
	check("<\"a>b\"@corp.example>", 0, "a>b", "corp.example",
	    "corp.example", NONE, F_QUOT);
	check("us\xc3\xa9r@corp.example", 0, "us\xc3\xa9r", "corp.example",
	    "corp.example", NONE, F_8BIT);
	check("user@b\xc3\xbc" "cher.example", 0, "user",
	    "b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example", NONE,
	    F_8BIT);
}

static void
test_null(void)
{
	check("<>", 0, "", "", "", NONE, F_NULL);
	check("", 0, "", "", "", NONE, F_NULL);
	check("   ", 0, "", "", "", NONE, F_NULL);
	check("  <>  ", 0, "", "", "", NONE, F_NULL);
	check_span("SPAN_NULL", SPAN_NULL, 0, "", "", "", NONE, F_NULL);
	check("<", -1, "", "", "", NONE, F_NULL | F_BAD);
	check("<> x", -1, "", "", "", NONE, F_NULL | F_BAD);
}

static void
test_literal(void)
{
	check("user@[192.0.2.1]", 0, "user", "[192.0.2.1]", "[192.0.2.1]",
	    NONE, F_IPLIT);
	check("user@[IPv6:2001:db8::1]", 0, "user", "[IPv6:2001:db8::1]",
	    "[IPv6:2001:db8::1]", NONE, F_IPLIT);
	check("user@[ipv6:2001:DB8::1]", 0, "user", "[IPv6:2001:db8::1]",
	    "[IPv6:2001:db8::1]", NONE, F_IPLIT);
	check("user@[192.0.2.1].", 0, "user", "[192.0.2.1]", "[192.0.2.1]",
	    NONE, F_IPLIT);
	check("user@[192.0.2.256]", -1, "user", "[192.0.2.256]",
	    "[192.0.2.256]", NONE, F_IPLIT | F_BAD);
	check("user@[192.0.2.1", -1, "user", "[192.0.2.1", "[192.0.2.1",
	    NONE, F_IPLIT | F_BAD);
	check("user@[IPv6:192.0.2.1]", -1, "user", "[ipv6:192.0.2.1]",
	    "[ipv6:192.0.2.1]", NONE, F_IPLIT | F_BAD);
	check("user@[2001:db8::1]", -1, "user", "[2001:db8::1]",
	    "[2001:db8::1]", NONE, F_IPLIT | F_BAD);
	check("user@[]", -1, "user", "[]", "[]", NONE, F_IPLIT | F_BAD);
	check("victim%foreign.example@[192.0.2.1]", 0, "victim",
	    "foreign.example", "[192.0.2.1]", PCT, 0);
	check("user%[192.0.2.7]@corp.example", -1, "user", "[192.0.2.7]",
	    "corp.example", PCT, F_IPLIT | F_BAD);
}

static void
test_route(void)
{
	check("@corp.example:victim@foreign.example", 0, "victim",
	    "foreign.example", "corp.example", ROUTE, 0);
	check("<@hop1.example,@hop2.example:user@final.example>", 0, "user",
	    "final.example", "hop1.example", ROUTE, 0);
	check("<@HOP1.example.:user@Final.example>", 0, "user",
	    "final.example", "hop1.example", ROUTE, 0);
	check("@[192.0.2.1]:user@foreign.example", 0, "user",
	    "foreign.example", "[192.0.2.1]", ROUTE, 0);
	check("@[IPv6:2001:db8::1]:user@foreign.example", 0, "user",
	    "foreign.example", "[IPv6:2001:db8::1]", ROUTE, 0);
	/* The mailbox is opened further only when it is local too. */
	check("@corp.example:victim%foreign.example@corp.example", 0,
	    "victim", "foreign.example", "corp.example", ROUTE, F_NEST);
	check("@corp.example:victim%foreign.example@other.example", 0,
	    "victim%foreign.example", "other.example", "corp.example", ROUTE,
	    F_ROUT);
	check("<@corp.example:\"victim@foreign.example\"@corp.example>", 0,
	    "victim", "foreign.example", "corp.example", ROUTE,
	    F_NEST | F_QUOT);
	check("@corp.example:postmaster", 0, "postmaster", "",
	    "corp.example", ROUTE, F_NODOM);
	check("@corp.example:user@corp.example", 0, "user", "corp.example",
	    "corp.example", ROUTE, 0);
	/* Broken routes. */
	check("@a.example,b.example:user@x.example", -1, "user", "x.example",
	    "a.example", ROUTE, F_BAD);
	check("@:user@x.example", -1, "user", "x.example", "", ROUTE, F_BAD);
	check("@corp.example:", -1, "", "", "corp.example", ROUTE,
	    F_BAD | F_NODOM);
	check("@corp.example:@other.example:user@foreign.example", -1,
	    "@other.example:user", "foreign.example", "corp.example", ROUTE,
	    F_BAD | F_ROUT);
	check("@b.example", -1, "", "b.example", "b.example", NONE, F_BAD);
}

static void
test_percent(void)
{
	check("victim%foreign.example@corp.example", 0, "victim",
	    "foreign.example", "corp.example", PCT, 0);
	check("<Victim%Foreign.EXAMPLE@corp.example>", 0, "Victim",
	    "foreign.example", "corp.example", PCT, 0);
	/* Rightmost '%' is the next hop; c is not local: stop there. */
	check("a%b%c@local.example", 0, "a%b", "c", "local.example", PCT,
	    F_ROUT);
	/* The next hop is the surface again: open one more layer. */
	check("a%b.example%local.example@local.example", 0, "a", "b.example",
	    "local.example", PCT, F_NEST);
	/* Decodes, but does not leave the domain. */
	check("user%corp.example@corp.example", 0, "user", "corp.example",
	    "corp.example", PCT, 0);
	check("user%CORP.example.@corp.example", 0, "user", "corp.example",
	    "corp.example", PCT, 0);
	/* No '@' at all: the server qualifies it, the '%' routes it. */
	check("victim%foreign.example", 0, "victim", "foreign.example", "",
	    PCT, 0);
	check("victim%@corp.example", -1, "victim%", "corp.example",
	    "corp.example", NONE, F_BAD | F_ROUT);
	check("%foreign.example@corp.example", -1, "%foreign.example",
	    "corp.example", "corp.example", NONE, F_BAD | F_ROUT);
	check("victim%foreign..example@corp.example", -1, "victim",
	    "foreign..example", "corp.example", PCT, F_BAD);
	check("\"victim%foreign.example\"@corp.example", 0, "victim",
	    "foreign.example", "corp.example", PCT, F_QUOT);
}

static void
test_bang(void)
{
	check("foreign.example!victim@corp.example", 0, "victim",
	    "foreign.example", "corp.example", BANG, 0);
	/* UUCP: host1 is the next hop, host2 is host1's business. */
	check("host1!host2!user@local.example", 0, "host2!user", "host1",
	    "local.example", BANG, F_ROUT);
	check("local.example!foreign.example!victim@local.example", 0,
	    "victim", "foreign.example", "local.example", BANG, F_NEST);
	check("foreign.example!victim", 0, "victim", "foreign.example", "",
	    BANG, 0);
	check("<Foreign.Example!Victim>", 0, "Victim", "foreign.example", "",
	    BANG, 0);
	check("!victim@corp.example", -1, "!victim", "corp.example",
	    "corp.example", NONE, F_BAD | F_ROUT);
	check("foreign.example!@corp.example", -1, "foreign.example!",
	    "corp.example", "corp.example", NONE, F_BAD | F_ROUT);
	/* Postfix order: '!' before '%'. */
	check("a.example!b%c.example@local.example", 0, "b%c.example",
	    "a.example", "local.example", BANG, F_ROUT);
	check("b%a.example!c@local.example", -1, "c", "b%a.example",
	    "local.example", BANG, F_BAD);
}

static void
test_at(void)
{
	check("\"victim@foreign.example\"@corp.example", 0, "victim",
	    "foreign.example", "corp.example", QAT, F_QUOT);
	check("<\"Victim@Foreign.Example.\"@CORP.example>", 0, "Victim",
	    "foreign.example", "corp.example", QAT, F_QUOT);
	check("\"victim\\@foreign.example\"@corp.example", 0, "victim",
	    "foreign.example", "corp.example", QAT, F_QUOT);
	check("\"victim@corp.example\"@corp.example", 0, "victim",
	    "corp.example", "corp.example", QAT, F_QUOT);
	check("victim@foreign.example@corp.example", 0, "victim",
	    "foreign.example", "corp.example", DAT, 0);
	check("a@b.example@c.example@d.example", 0, "a@b.example",
	    "c.example", "d.example", DAT, F_ROUT);
	check("a@b.example@d.example@d.example", 0, "a", "b.example",
	    "d.example", DAT, F_NEST);
	/* The rightmost '@' of the local part is the unquoted one. */
	check("\"a@b.example\"@c.example@d.example", 0, "a@b.example",
	    "c.example", "d.example", DAT, F_QUOT | F_ROUT);
	check("\"victim@\"@corp.example", -1, "victim@", "corp.example",
	    "corp.example", NONE, F_BAD | F_QUOT | F_ROUT);
	check("\"@foreign.example\"@corp.example", -1, "@foreign.example",
	    "corp.example", "corp.example", NONE, F_BAD | F_QUOT | F_ROUT);
	/* Unterminated quote: nothing unquoted to split at. */
	check("\"victim@foreign.example", -1, "victim", "foreign.example", "",
	    QAT, F_BAD | F_QUOT);
}

static void
test_imcea(void)
{
	check("IMCEASMTP-victim+40foreign+2Eexample@corp.example", 0,
	    "victim", "foreign.example", "corp.example", IMCEA, 0);
	check("imceasmtp-victim+40foreign+2eexample@corp.example", 0,
	    "victim", "foreign.example", "corp.example", IMCEA, 0);
	check("IMCEASMTP-Victim+40Foreign.Example@corp.example", 0,
	    "Victim", "foreign.example", "corp.example", IMCEA, 0);
	check("IMCEASMTP-victim+25foreign.example+40corp.example@corp.example",
	    0, "victim", "foreign.example", "corp.example", IMCEA, F_NEST);
	check("IMCEAEX-_O=ORG_OU=SITE_CN=RECIPIENTS_CN=USER@corp.example", 0,
	    "IMCEAEX-_O=ORG_OU=SITE_CN=RECIPIENTS_CN=USER", "corp.example",
	    "corp.example", NONE, F_ENC);
	check("IMCEASMTP-victim+4Xforeign.example@corp.example", 0,
	    "IMCEASMTP-victim+4Xforeign.example", "corp.example",
	    "corp.example", NONE, 0);
	check("IMCEASMTP-victim+4@corp.example", 0, "IMCEASMTP-victim+4",
	    "corp.example", "corp.example", NONE, 0);
	check("IMCEASMTP-victim@corp.example", 0, "IMCEASMTP-victim",
	    "corp.example", "corp.example", NONE, 0);
	check("IMCEASMTP-+40foreign.example@corp.example", 0,
	    "IMCEASMTP-+40foreign.example", "corp.example", "corp.example",
	    NONE, 0);
	check("IMCEA-victim+40foreign.example@corp.example", 0,
	    "IMCEA-victim+40foreign.example", "corp.example", "corp.example",
	    NONE, 0);
	check("IMCEASMTP-vic+00tim+40foreign.example@corp.example", -1,
	    "vic?tim", "foreign.example", "corp.example", IMCEA, F_BAD);
}

static void
test_garbage(void)
{
	static const char	 nul1[] = "user@corp.example\0evil";
	static const char	 nul2[] = "us\0er@corp.example";
	static const char	 tail[] = "user@corp.exampleXYZ";
	char			*big;
	size_t			 i;

	check("<<<", -1, "<<", "", "", NONE, F_BAD | F_NODOM);
	check(">>>", -1, ">>", "", "", NONE, F_BAD | F_NODOM);
	check("@", -1, "", "", "", NONE, F_BAD | F_NODOM);
	check("a@", -1, "a", "", "", NONE, F_BAD | F_NODOM);
	check("@@", -1, "@", "", "", NONE, F_BAD | F_NODOM | F_ROUT);
	check("<user@corp.example", -1, "user", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("user@corp.example>", -1, "user", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("<user@corp.example> SIZE=1000", -1, "user", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("<<user@corp.example>>", -1, "<user", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("john smith@corp.example", -1, "john smith", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("us\ter@corp.example", -1, "us?er", "corp.example",
	    "corp.example", NONE, F_BAD);
	check("user@.corp.example", -1, "user", ".corp.example",
	    ".corp.example", NONE, F_BAD);
	check("user@corp..example", -1, "user", "corp..example",
	    "corp..example", NONE, F_BAD);
	check("user@corp.example..", -1, "user", "corp.example..",
	    "corp.example..", NONE, F_BAD);
	check("user@.", -1, "user", ".", ".", NONE, F_BAD);
	check("user@corp example", -1, "user", "corp example",
	    "corp example", NONE, F_BAD);
	check("user@corp.example;rm", -1, "user", "corp.example;rm",
	    "corp.example;rm", NONE, F_BAD);
	check("\"a\\", -1, "a", "", "", NONE, F_BAD | F_QUOT | F_NODOM);
	check("user@-corp.example", 0, "user", "-corp.example",
	    "-corp.example", NONE, 0);
	check_span("NUL in domain", (struct span){ nul1, sizeof(nul1) - 1 },
	    -1, "user", "corp.example?evil", "corp.example?evil", NONE, F_BAD);
	check_span("NUL in local", (struct span){ nul2, sizeof(nul2) - 1 },
	    -1, "us?er", "corp.example", "corp.example", NONE, F_BAD);
	check_span("span not NUL-terminated", (struct span){ tail, 17 }, 0,
	    "user", "corp.example", "corp.example", NONE, 0);

	/* Sizes: RFC 5321 local part 64, domain 255, path 256. */
	big = malloc(12000);
	if (big == NULL)
		exit(99);
	{
		char	want[66];

		memset(want, 'a', 64);
		want[64] = '\0';
		memset(big, 'a', 64);
		strcpy(big + 64, "@corp.example");
		check_span("local part of 64", span_from_cstr(big), 0, want,
		    "corp.example", "corp.example", NONE, 0);
		memset(want, 'a', 65);
		want[65] = '\0';
		memset(big, 'a', 65);
		strcpy(big + 65, "@corp.example");
		check_span("local part of 65", span_from_cstr(big), 0, want,
		    "corp.example", "corp.example", NONE, F_LONG);
	}
	memset(big, 'a', 300);
	strcpy(big + 300, "@corp.example");
	{
		char	want[ADDR_LOCAL_MAX + 1];

		memset(want, 'a', ADDR_LOCAL_MAX);
		want[ADDR_LOCAL_MAX] = '\0';
		check_span("local part of 300", span_from_cstr(big), 0, want,
		    "corp.example", "corp.example", NONE, F_LONG | F_TRUNC);
		memset(big, 'a', 10240);
		strcpy(big + 10240, "@corp.example");
		check_span("local part of 10 KB", span_from_cstr(big), -1,
		    want, "corp.example", "corp.example", NONE,
		    F_LONG | F_TRUNC | F_BAD);
		/* 1000 "a%" then "b": the rightmost '%' names b. */
		for (i = 0; i < 1000; i++)
			memcpy(big + 2 * i, "a%", 2);
		strcpy(big + 2000, "b@corp.example");
		memcpy(want, big, ADDR_LOCAL_MAX);
		check_span("1000 percent signs", span_from_cstr(big), 0, want,
		    "b", "corp.example", PCT, F_LONG | F_TRUNC | F_ROUT);
	}
	memset(big, '@', 10240);
	big[10240] = '\0';
	{
		char	want[ADDR_LOCAL_MAX + 1];

		memset(want, '@', ADDR_LOCAL_MAX);
		want[ADDR_LOCAL_MAX] = '\0';
		check_span("10 KB of @", span_from_cstr(big), -1, want, "", "",
		    NONE, F_LONG | F_TRUNC | F_BAD | F_NODOM | F_ROUT);
	}
	/* A domain of 307 octets is cut to 255. */
	strcpy(big, "u@");
	for (i = 0; i < 6; i++) {
		memset(big + 2 + 50 * i, 'a', 49);
		big[2 + 50 * i + 49] = '.';
	}
	strcpy(big + 302, "example");
	{
		char	want[ADDR_DOMAIN_MAX + 1];

		memcpy(want, big + 2, ADDR_DOMAIN_MAX);
		want[ADDR_DOMAIN_MAX] = '\0';
		check_span("domain of 307", span_from_cstr(big), 0, "u", want,
		    want, NONE, F_LONG | F_TRUNC);
	}
	/* A label of 64 octets is beyond RFC 1035. */
	strcpy(big, "u@");
	memset(big + 2, 'b', 64);
	strcpy(big + 66, ".example");
	{
		char	want[80];

		strcpy(want, big + 2);
		check_span("label of 64", span_from_cstr(big), 0, "u", want,
		    want, NONE, F_LONG);
	}
	/* Ten layers, each back to the surface: opened up to the limit. */
	check("a%x%x%x%x%x%x%x%x%x%x@x", 0, "a%x%x", "x", "x", PCT,
	    F_NEST | F_ROUT);
	free(big);
}

/* only_c - an is_local() that knows one domain. */
static bool
only_c(void *arg, const char *domain)
{
	return (strcmp(domain, (const char *)arg) == 0);
}

static void
test_resolve(void)
{
	struct address	a;
	int		rv;

	rv = address_resolve(SPAN_LIT("a%b.example%c.example@local.example"),
	    &a, only_c, "c.example");
	ok(rv == 0 && strcmp(a.local, "a") == 0 &&
	    strcmp(a.domain, "b.example") == 0 &&
	    strcmp(a.surface, "local.example") == 0 &&
	    a.trick == ADDR_TRICK_PERCENT && a.flags == ADDR_F_NESTED,
	    "resolve: opens a layer the callback calls local");
	rv = address_resolve(SPAN_LIT(
	    "local.example!foreign.example!victim@local.example"), &a, only_c,
	    "nothing.example");
	ok(rv == 0 && strcmp(a.local, "foreign.example!victim") == 0 &&
	    strcmp(a.domain, "local.example") == 0 &&
	    a.trick == ADDR_TRICK_BANG && a.flags == ADDR_F_ROUTED &&
	    !address_domain_differs(&a),
	    "resolve: the outermost layer only, when nothing is local");
	rv = address_resolve(SPAN_LIT("@hop.example:v%w.example@c.example"),
	    &a, only_c, "c.example");
	ok(rv == 0 && strcmp(a.local, "v") == 0 &&
	    strcmp(a.domain, "w.example") == 0 &&
	    strcmp(a.surface, "hop.example") == 0 &&
	    a.trick == ADDR_TRICK_SOURCE_ROUTE && a.flags == ADDR_F_NESTED,
	    "resolve: source route to a local mailbox opens it");
}

static void
test_format(void)
{
	struct address	a;
	char		small[8];
	size_t		n;

	is_str(fmt("<User@CORP.example.>"), "User@corp.example",
	    "format plain");
	is_str(fmt("victim%foreign.example@corp.example"),
	    "victim@foreign.example", "format percent");
	is_str(fmt("\"john smith\"@corp.example"),
	    "\"john smith\"@corp.example", "format quotes a space");
	is_str(fmt("\"a\\\"b\"@x.example"), "\"a\\\"b\"@x.example",
	    "format escapes a quote");
	is_str(fmt("\"a\\\\b\"@x.example"), "\"a\\\\b\"@x.example",
	    "format escapes a backslash");
	is_str(fmt("\"john\"@corp.example"), "john@corp.example",
	    "format drops needless quotes");
	is_str(fmt("\"\"@corp.example"), "\"\"@corp.example",
	    "format empty local part");
	is_str(fmt("\".a\"@x.example"), "\".a\"@x.example",
	    "format quotes a leading dot");
	is_str(fmt("\"a..b\"@x.example"), "\"a..b\"@x.example",
	    "format quotes a double dot");
	is_str(fmt("a@b.example@c.example@d.example"),
	    "\"a@b.example\"@c.example", "format quotes an inner @");
	is_str(fmt("host1!host2!user@local.example"), "host2!user@host1",
	    "format bang path");
	is_str(fmt("postmaster"), "postmaster", "format without domain");
	is_str(fmt("<>"), "", "format null sender");
	is_str(fmt("user@[IPv6:2001:DB8::1]"), "user@[IPv6:2001:db8::1]",
	    "format IPv6 literal");

	(void)address_decode(SPAN_LIT("victim@foreign.example"), &a);
	n = address_format(&a, small, sizeof(small));
	is_int(n, 22, "format returns the length needed");
	is_str(small, "victim@", "format truncates and terminates");
	n = address_format(&a, small, 0);
	is_int(n, 22, "format with size 0 only measures");
}

static void
test_differs(void)
{
	ok(!differs("user@corp.example"), "differs: plain");
	ok(differs("victim%foreign.example@corp.example"), "differs: percent");
	ok(!differs("user%CORP.example@corp.example"),
	    "differs: percent to the same domain");
	ok(differs("@corp.example:victim@foreign.example"),
	    "differs: source route");
	ok(!differs("@corp.example:user@corp.example"),
	    "differs: source route to itself");
	ok(differs("foreign.example!victim"), "differs: bare bang path");
	ok(!differs("postmaster"), "differs: no domain at all");
	ok(!differs("<>"), "differs: null sender");
	ok(differs("\"victim@foreign.example\"@corp.example"),
	    "differs: quoted at");
	ok(!differs("\"john smith\"@corp.example"), "differs: quoted space");
	ok(differs("IMCEASMTP-victim+40foreign+2Eexample@corp.example"),
	    "differs: imcea");
}

static void
test_names(void)
{
	is_str(address_trick_name(ADDR_TRICK_NONE), "none", "name none");
	is_str(address_trick_name(ADDR_TRICK_PERCENT), "percent",
	    "name percent");
	is_str(address_trick_name(ADDR_TRICK_BANG), "bang", "name bang");
	is_str(address_trick_name(ADDR_TRICK_SOURCE_ROUTE), "source-route",
	    "name source-route");
	is_str(address_trick_name(ADDR_TRICK_QUOTED_AT), "quoted-at",
	    "name quoted-at");
	is_str(address_trick_name(ADDR_TRICK_DOUBLE_AT), "double-at",
	    "name double-at");
	is_str(address_trick_name(ADDR_TRICK_IMCEA), "imcea", "name imcea");
	is_str(address_trick_name((enum addr_trick)99), "unknown",
	    "name out of range");
}

/*
 * test_random - random addresses from an alphabet of the bytes that
 * matter: nothing may crash, fields stay terminated within their sizes,
 * and the return value agrees with ADDR_F_BAD.
 */
static void
test_random(void)
{
	static const char	 alpha[] = "@%!\"\\<>[]:,. aZ9.-_\0\t\x80"
	    "IMCEASMTP+4";
	char			 in[600], out[1200];
	struct address		 a;
	uint32_t		 x = 2463534242u;
	size_t			 i, n;
	int			 k, rv, bad = 0;

	for (k = 0; k < 200000; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = x % sizeof(in);
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			in[i] = alpha[x % (sizeof(alpha) - 1)];
		}
		rv = address_decode((struct span){ in, n }, &a);
		if (memchr(a.local, '\0', sizeof(a.local)) == NULL ||
		    memchr(a.domain, '\0', sizeof(a.domain)) == NULL ||
		    memchr(a.surface, '\0', sizeof(a.surface)) == NULL ||
		    (rv == -1) != ((a.flags & ADDR_F_BAD) != 0) ||
		    (rv != 0 && rv != -1))
			bad++;
		if (address_format(&a, out, sizeof(out)) >= sizeof(out))
			bad++;
	}
	is_int(bad, 0, "200000 random addresses keep the invariants");
}

int
main(void)
{
	test_plain();
	test_null();
	test_literal();
	test_route();
	test_percent();
	test_bang();
	test_at();
	test_imcea();
	test_garbage();
	test_resolve();
	test_format();
	test_differs();
	test_names();
	test_random();
	return (done_testing());
}
