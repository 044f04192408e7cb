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
 * Which domains and networks are ours.  A locality holds domains, each
 * with a class (foreign, local, or relay: a domain we are authorized to
 * relay for, such as a backup MX's, which counts as inbound), and trusted
 * networks.  Every entry remembers where it came from (command-line flag,
 * MTA configuration, or inference from the logs) and a free-text detail
 * ("main.cf mydestination", "delivered locally (12 lines)") for the
 * report.
 *
 * Domains are compared case-insensitively (ASCII) with one trailing dot
 * ignored.  ".example.com" (or "*.example.com") is a pattern matching
 * every subdomain of example.com but not example.com itself.  The most
 * specific entry wins: an exact entry, then the longest pattern.  IP
 * literals such as "[192.0.2.1]" are foreign unless listed as such.
 * When the same entry is added twice, the higher-priority origin wins
 * (flag over config over inferred); between equal origins the first one
 * stays.
 *
 * Networks are IPv4 or IPv6 CIDR blocks; "!block" excludes (Postfix
 * mynetworks syntax).  The most specific matching block decides; at equal
 * prefix length the higher-priority origin, then the exclusion.  Unlike
 * Postfix's first match this does not depend on the order blocks were
 * added in (they come back from the database sorted); for the usual
 * "!host, network" the two agree.  An IPv4 host is the same host written
 * ::ffff:a.b.c.d: such clients are matched as IPv4, against IPv4 blocks
 * and IPv4-mapped IPv6 blocks (prefix 96 or more inside ::ffff:0:0/96);
 * "::/0" covers IPv6 clients only, as in Postfix.
 *
 * Loaders (locality_load_postfix(), _exim(), _sendmail(), _opensmtpd();
 * locality_load_mta() picks one by the file's content) record what they
 * could not resolve as warnings, kept in the locality.  Lookups cost no allocation: domains
 * sit in a hash table and a pattern lookup walks the dots of the name.
 * Nothing here is thread-safe.
 */

#ifndef LOCALITY_H
#define LOCALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum loc_origin {
	LOC_ORIGIN_FLAG = 0,	/* "flag": --local-domain, --local-net */
	LOC_ORIGIN_CONFIG,	/* "config": the MTA's configuration */
	LOC_ORIGIN_INFERRED	/* "inferred": what the logs suggest */
};

enum loc_class {
	LOC_FOREIGN = 0,	/* "foreign" */
	LOC_LOCAL,		/* "local": delivered here */
	LOC_RELAY		/* "relay": authorized relay destination */
};

struct locality;

struct locality	*locality_new(void);
void		 locality_free(struct locality *);

int		 locality_add_domain(struct locality *, const char *,
		    enum loc_class, enum loc_origin, const char *);
int		 locality_add_net(struct locality *, const char *,
		    enum loc_origin, const char *);
void		 locality_add_warning(struct locality *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

enum loc_class	 locality_domain(const struct locality *, const char *);
bool		 locality_domain_known(const struct locality *, const char *);
bool		 locality_domain_lookup(const struct locality *, const char *,
		    enum loc_class *, enum loc_origin *, const char **);
bool		 locality_ip_trusted(const struct locality *, const char *);
bool		 locality_ip_lookup(const struct locality *, const char *,
		    const char **, enum loc_origin *, const char **);

void		 locality_foreach_domain(const struct locality *,
		    void (*)(void *, const char *, enum loc_class,
		    enum loc_origin, const char *), void *);
void		 locality_foreach_net(const struct locality *,
		    void (*)(void *, const char *, enum loc_origin,
		    const char *), void *);
void		 locality_foreach_warning(const struct locality *,
		    void (*)(void *, const char *), void *);
size_t		 locality_nwarnings(const struct locality *);

int		 locality_load_postfix(struct locality *, const char *,
		    char *, size_t);
int		 locality_load_exim(struct locality *, const char *, char *,
		    size_t);
int		 locality_load_sendmail(struct locality *, const char *,
		    char *, size_t);
int		 locality_load_opensmtpd(struct locality *, const char *,
		    char *, size_t);
int		 locality_load_mta(struct locality *, const char *, char *,
		    size_t);

/* For the loaders: which MTA wrote a file, and the files it names. */
bool		 locality_is_exim(const char *);
bool		 locality_is_sendmail(const char *);
bool		 locality_is_opensmtpd(const char *);
FILE		*locality_conf_open(const char *, const char *);
int		 locality_conf_line(FILE *, char *, size_t);

int		 locality_parse_ip(const char *, uint8_t [16], int *);
const char	*locality_origin_name(enum loc_origin);
const char	*locality_class_name(enum loc_class);

#endif /* LOCALITY_H */
