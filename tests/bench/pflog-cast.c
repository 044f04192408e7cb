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
 * pflog-gen cast: who is in the generated world, made once from the seed.
 * Foreign domains (the popular ones picked more often), mail servers
 * that send to us, our users with their home and office hosts, the
 * stolen account's borrowers, the spammers in the hole range
 * 198.51.100.0/24, relay probers, DNSBL-listed bots, scanners, and our
 * own hosts in mynetworks (10.20.0.0/16, 2001:db8:20::/48).  Public
 * addresses are random but never private, reserved, or taken twice.
 */

#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "pflog-gen.h"

const char *const gen_local_domains[] = {
	"corp.example", "mx.corp.example", "localhost.corp.example",
	"localhost", "corp-group.example", NULL
};
const char *const gen_relay_domains[] = {
	"partner.example", "partner-two.example", NULL
};

const char *const gen_first[] = {
	"anna", "ben", "carla", "david", "elena", "felix", "greta", "hugo",
	"ida", "jonas", "klara", "lukas", "mia", "noah", "olga", "paul",
	"rosa", "simon", "tara", "ulf", "vera", "walter", "xenia", "yusuf",
	"zoe", "adam", "bianca", "cem", "dora", "emil", "frida", "georg",
	"hanna", "igor", "jana", "karl", "lena", "max", "nina", "oskar"
};
const char *const gen_last[] = {
	"meyer", "schmidt", "keller", "novak", "rossi", "garcia", "martin",
	"jansen", "berg", "nilsen", "kowalski", "horvat", "silva", "dubois",
	"weber", "fischer", "wagner", "becker", "hoffmann", "koch", "richter",
	"klein", "wolf", "neumann", "schulz", "kraus", "lang", "frank",
	"vogel", "jung", "hahn", "roth", "beck", "lorenz", "baumann",
	"franke", "albrecht", "graf", "winter", "sommer"
};
const int gen_nfirst = sizeof(gen_first) / sizeof(gen_first[0]);
const int gen_nlast = sizeof(gen_last) / sizeof(gen_last[0]);

static const char *const syl[] = {
	"al", "ber", "cor", "dan", "el", "fin", "gal", "har", "in", "jor",
	"kel", "lin", "mar", "nor", "ost", "pel", "quin", "ros", "sel", "tor",
	"ul", "ven", "wes", "xan", "yor", "zen", "bright", "cloud", "delta",
	"echo", "fox", "green", "hill", "iron", "lake", "moon", "nova",
	"oak", "pine", "river", "stone", "sun", "tide", "vale", "wood"
};
static const char *const dom_suffix[] = {
	"", "", "", "mail", "net", "shop", "-online", "-group", "tech", "-isp"
};

/* ip_reserved - not an address of the public Internet (or one we use). */
static bool
ip_reserved(uint32_t a)
{
	static const struct {
		uint32_t	net, mask;
	} r[] = {
		{ 0x00000000, 0xff000000 }, { 0x0a000000, 0xff000000 },
		{ 0x64400000, 0xffc00000 }, { 0x7f000000, 0xff000000 },
		{ 0xa9fe0000, 0xffff0000 }, { 0xac100000, 0xfff00000 },
		{ 0xc0000000, 0xffffff00 }, { 0xc0000200, 0xffffff00 },
		{ 0xc0a80000, 0xffff0000 }, { 0xc6120000, 0xfffe0000 },
		{ 0xc6336400, 0xffffff00 }, { 0xcb007100, 0xffffff00 },
		{ 0xe0000000, 0xe0000000 },
	};
	size_t	i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if ((a & r[i].mask) == r[i].net)
			return (true);
	return ((a & 0xff) == 0 || (a & 0xff) == 255);
}

/* ipset_add - remember a; false if it was taken already. */
static bool
ipset_add(uint32_t *set, uint32_t cap, uint32_t a)
{
	uint32_t	i = (a * 2654435761U) & (cap - 1);

	while (set[i] != 0) {
		if (set[i] == a)
			return (false);
		i = (i + 1) & (cap - 1);
	}
	set[i] = a;
	return (true);
}

#define IPSET_CAP	65536

/* client_make - a client with a fresh public address. */
static void
client_make(struct gen *g, uint32_t *set, struct gen_client *c, bool v6,
    uint32_t fixed)
{
	uint32_t	a;

	memset(c, 0, sizeof(*c));
	c->dom = -1;
	if (v6) {
		c->v6 = true;
		(void)snprintf(c->ip, sizeof(c->ip), "2a0%x:%x:%x:%x::%x",
		    1 + gen_below(g, 14), 0x1000 + gen_below(g, 0xefff),
		    gen_below(g, 0xffff) + 1, gen_below(g, 0xffff) + 1,
		    1 + gen_below(g, 0xfff));
		return;
	}
	do {
		a = fixed != 0 ? fixed : (uint32_t)gen_rand(g);
		fixed = 0;
	} while ((ip_reserved(a) && (a & 0xffffff00) != 0xc6336400) ||
	    !ipset_add(set, IPSET_CAP, a));
	(void)snprintf(c->ip, sizeof(c->ip), "%u.%u.%u.%u", a >> 24,
	    (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* client_dynname - a name an ISP gives a dial-up or DSL address. */
static void
client_dynname(struct gen *g, struct gen_client *c)
{
	const char	*d = g->dom[gen_below(g, 40)];
	char		 dashed[48], *p;

	(void)strlcpy(dashed, c->ip, sizeof(dashed));
	for (p = dashed; *p != '\0'; p++)
		if (*p == '.' || *p == ':')
			*p = '-';
	(void)snprintf(c->name, sizeof(c->name), "%s.dyn.%s", dashed, d);
}

/* spam_helo - what bots say in HELO. */
static void
spam_helo(struct gen *g, struct gen_client *c)
{
	static const char *const h[] = {
		"User", "ylmf-pc", "friend", "localhost", "mail", "WIN-",
		"DESKTOP-", "[ip]", "ip", "smtp."
	};
	uint32_t	i = gen_below(g, sizeof(h) / sizeof(h[0]));

	if (i == 5 || i == 6)
		(void)snprintf(c->helo, sizeof(c->helo), "%s%04X", h[i],
		    gen_below(g, 0xffff));
	else if (i == 7 || i == 8)
		(void)snprintf(c->helo, sizeof(c->helo), "%s%s%s",
		    i == 7 ? "[" : "", c->ip, i == 7 ? "]" : "");
	else if (i == 9)
		(void)snprintf(c->helo, sizeof(c->helo), "smtp.%s",
		    g->dom[gen_below(g, (uint32_t)g->ndom)]);
	else
		(void)strlcpy(c->helo, h[i], sizeof(c->helo));
}

/* clients_make - n clients; named like what they are. */
static struct gen_client *
clients_make(struct gen *g, uint32_t *set, int n, double v6, double named,
    bool bots)
{
	struct gen_client	*v;
	int			 i;

	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		err(1, "clients");
	for (i = 0; i < n; i++) {
		client_make(g, set, &v[i], gen_chance(g, v6), 0);
		if (gen_chance(g, named))
			client_dynname(g, &v[i]);
		else
			(void)strlcpy(v[i].name, "unknown", sizeof(v[i].name));
		if (bots)
			spam_helo(g, &v[i]);
		else
			(void)strlcpy(v[i].helo, v[i].name,
			    sizeof(v[i].helo));
		v[i].listed = bots && gen_chance(g, 0.4);
	}
	return (v);
}

/* gen_cast - the domains, hosts and users of the generated world. */
void
gen_cast(struct gen *g)
{
	static const char *const pfx[] = { "mail", "mx", "smtp-out", "mta" };
	uint32_t	*set;
	int		 i, j;
	char		 buf[64];

	if ((set = calloc(IPSET_CAP, sizeof(*set))) == NULL)
		err(1, "ipset");
	g->ndom = 2500;
	if ((g->dom = calloc((size_t)g->ndom, sizeof(*g->dom))) == NULL)
		err(1, "domains");
	for (i = 0; i < g->ndom; i++) {
		(void)snprintf(buf, sizeof(buf), "%s%s%s.example",
		    syl[gen_below(g, sizeof(syl) / sizeof(syl[0]))],
		    syl[gen_below(g, sizeof(syl) / sizeof(syl[0]))],
		    dom_suffix[gen_below(g, sizeof(dom_suffix) /
		    sizeof(dom_suffix[0]))]);
		if (i > 0 && gen_chance(g, 0.1))
			(void)snprintf(buf + strlen(buf) - 8, 24, "%d.example",
			    i % 10000);
		if ((g->dom[i] = strdup(buf)) == NULL)
			err(1, "strdup");
	}

	/* Mail servers that send us mail. */
	g->nmta = 900;
	g->mta = clients_make(g, set, g->nmta, 0.06, 0, false);
	for (i = 0; i < g->nmta; i++) {
		g->mta[i].dom = (int)gen_below(g, gen_below(g,
		    (uint32_t)g->ndom) + 1);
		(void)snprintf(g->mta[i].name, sizeof(g->mta[i].name),
		    "%s%s.%s", pfx[gen_below(g, 4)], gen_chance(g, 0.5) ? "" :
		    (i % 2 ? "1" : "2"), g->dom[g->mta[i].dom]);
		(void)strlcpy(g->mta[i].helo, g->mta[i].name,
		    sizeof(g->mta[i].helo));
	}

	/* Spammers in the hole: 198.51.100.16 and up. */
	g->nspam = 40;
	if ((g->spam = calloc((size_t)g->nspam, sizeof(*g->spam))) == NULL)
		err(1, "spam");
	for (i = 0; i < g->nspam; i++) {
		do {
			j = 16 + (int)gen_below(g, 238);
		} while (!ipset_add(set, IPSET_CAP, 0xc6336400U | (uint32_t)j));
		memset(&g->spam[i], 0, sizeof(g->spam[i]));
		(void)snprintf(g->spam[i].ip, sizeof(g->spam[i].ip),
		    "198.51.100.%d", j);
		if (gen_chance(g, 0.5))
			(void)snprintf(g->spam[i].name, sizeof(g->spam[i].name),
			    "vps%d.cheap-hosting.example", j);
		else
			(void)strlcpy(g->spam[i].name, "unknown",
			    sizeof(g->spam[i].name));
		spam_helo(g, &g->spam[i]);
		g->spam[i].dom = -1;
	}

	g->nprobe = 1500;
	g->probe = clients_make(g, set, g->nprobe, 0.02, 0.3, true);
	g->nstolen = 260;
	g->stolen = clients_make(g, set, g->nstolen, 0.05, 0.6, false);
	for (i = 0; i < g->nstolen; i++)
		spam_helo(g, &g->stolen[i]);
	g->nbot = 3000;
	g->bot = clients_make(g, set, g->nbot, 0.03, 0.4, true);
	g->nnoise = 400;
	g->noise = clients_make(g, set, g->nnoise, 0.02, 0.3, true);

	/* Our own hosts, in mynetworks. */
	g->ninternal = 4;
	g->internal_hosts = calloc(5, sizeof(*g->internal_hosts));
	if (g->internal_hosts == NULL)
		err(1, "internal");
	{
		static const char *const in[][2] = {
			{ "10.20.1.10", "web01.corp.example" },
			{ "10.20.1.11", "app01.corp.example" },
			{ "10.20.2.5", "scan01.corp.example" },
			{ "2001:db8:20::25", "intranet.corp.example" },
			{ "10.20.5.17", "wp-staging.corp.example" },
		};

		for (i = 0; i < 5; i++) {
			(void)strlcpy(g->internal_hosts[i].ip, in[i][0],
			    sizeof(g->internal_hosts[i].ip));
			(void)strlcpy(g->internal_hosts[i].name, in[i][1],
			    sizeof(g->internal_hosts[i].name));
			(void)strlcpy(g->internal_hosts[i].helo, in[i][1],
			    sizeof(g->internal_hosts[i].helo));
			g->internal_hosts[i].dom = -1;
		}
		g->compromised = &g->internal_hosts[4];
	}

	/* Users, each with a host or two; some in the office network. */
	g->nuser = 320;
	if ((g->user = calloc((size_t)g->nuser, sizeof(*g->user))) == NULL)
		err(1, "users");
	for (i = 0; i < g->nuser; i++) {
		struct gen_user	*u = &g->user[i];

		(void)snprintf(u->addr, sizeof(u->addr), "%s.%s%s@%s",
		    gen_first[i % gen_nfirst], gen_last[(i / gen_nfirst +
		    i * 7) % gen_nlast], i >= gen_nfirst * gen_nlast ? "2" : "",
		    i % 7 == 6 ? "corp-group.example" : "corp.example");
		u->nhome = 1 + (int)gen_below(g, 2);
		for (j = 0; j < u->nhome; j++) {
			if ((u->home[j] = calloc(1, sizeof(*u->home[j]))) ==
			    NULL)
				err(1, "home");
			if (gen_chance(g, 0.12)) {
				(void)snprintf(u->home[j]->ip,
				    sizeof(u->home[j]->ip), "10.20.10.%d",
				    10 + (i * 3 + j) % 240);
				(void)snprintf(u->home[j]->name,
				    sizeof(u->home[j]->name),
				    "pc%03d.office.corp.example",
				    10 + (i * 3 + j) % 240);
			} else {
				client_make(g, set, u->home[j],
				    gen_chance(g, 0.05), 0);
				if (gen_chance(g, 0.7))
					client_dynname(g, u->home[j]);
				else
					(void)strlcpy(u->home[j]->name,
					    "unknown",
					    sizeof(u->home[j]->name));
			}
			(void)strlcpy(u->home[j]->helo, "[192.168.1.23]",
			    sizeof(u->home[j]->helo));
			u->home[j]->dom = -1;
		}
	}
	g->stolen_user = 3;
	free(set);
}

/* gen_domain - a foreign domain, the popular ones more often. */
const char *
gen_domain(struct gen *g)
{
	return (g->dom[gen_below(g, gen_below(g, (uint32_t)g->ndom) + 1)]);
}

/* gen_local_part - a plausible local part. */
void
gen_local_part(struct gen *g, char *buf, size_t sz)
{
	static const char *const role[] = {
		"info", "sales", "office", "contact", "support", "billing",
		"hr", "admin", "news", "team"
	};

	switch (gen_below(g, 4)) {
	case 0:
		(void)snprintf(buf, sz, "%s", role[gen_below(g, 10)]);
		break;
	case 1:
		(void)snprintf(buf, sz, "%s%u", gen_first[gen_below(g,
		    (uint32_t)gen_nfirst)], gen_below(g, 1000));
		break;
	default:
		(void)snprintf(buf, sz, "%s.%s", gen_first[gen_below(g,
		    (uint32_t)gen_nfirst)], gen_last[gen_below(g,
		    (uint32_t)gen_nlast)]);
		break;
	}
}
