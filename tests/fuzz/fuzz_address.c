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
 * Fuzz target: address decoding, formatting, and the locality lookups
 * of the decoded domain.  Checks the invariants every caller relies on.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "locality.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct locality	*loc;
	struct address		 a;
	struct span		 sp = { (const char *)data, size };
	char			 out[2 * ADDR_LOCAL_MAX + ADDR_DOMAIN_MAX + 8];

	if (loc == NULL) {
		loc = locality_new();
		(void)locality_add_domain(loc, "corp.example", LOC_LOCAL,
		    LOC_ORIGIN_FLAG, "fuzz");
		(void)locality_add_domain(loc, ".sub.example", LOC_LOCAL,
		    LOC_ORIGIN_FLAG, "fuzz");
		(void)locality_add_net(loc, "10.0.0.0/8", LOC_ORIGIN_FLAG,
		    "fuzz");
	}
	(void)address_decode(sp, &a);
	if (strlen(a.local) > ADDR_LOCAL_MAX ||
	    strlen(a.domain) > ADDR_DOMAIN_MAX ||
	    strlen(a.surface) > ADDR_DOMAIN_MAX)
		abort();
	(void)address_format(&a, out, sizeof(out));
	(void)address_domain_differs(&a);
	(void)locality_domain(loc, a.domain);
	(void)locality_domain(loc, a.surface);
	if (size < 64) {
		char	ip[64];

		memcpy(ip, data, size);
		ip[size] = '\0';
		(void)locality_ip_trusted(loc, ip);
		(void)locality_add_net(loc, ip, LOC_ORIGIN_INFERRED, "fuzz");
	}
	return (0);
}
