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
 * Mail address decoding.  address_decode() takes an address exactly as a
 * log or the wire had it (hostile: it may keep its angle brackets, carry
 * quotes, NULs or control bytes, or be kilobytes long) and says where it
 * really routes to, and which routing trick, if any, hides that behind a
 * different surface domain.
 *
 * Terms:
 *
 *  surface	The domain a relay check sees first: the domain after the
 *		last unquoted '@', or for a source route (@hop1,@hop2:
 *		user@final) the first hop, where the mail goes first.  Empty
 *		when the address has no domain: the server would qualify it
 *		with its own, so an empty surface is a local one.
 *  layer	One routing operator unwrapped, as an MTA that honours it
 *		would: the rightmost '@' inside the local part (quoted-at,
 *		double-at), an Exchange IMCEASMTP- encapsulation, the first
 *		'!' (bang path: "host!user" is user@host) or the rightmost
 *		'%' (percent hack).  This is Postfix's order (resolve.c and
 *		rewrite.c): '@' first, then '!', then '%'.
 *  decoded	local and domain after unwrapping.  The outermost layer is
 *		always unwrapped, because the surface is presumed local
 *		(that is the premise of every trick).  Further layers are
 *		unwrapped only while the next hop is local too: by default
 *		while it equals the surface, or as the caller's is_local()
 *		says with address_resolve().  So "a%b%c@local" decodes to
 *		a%b@c (c is the next hop), "a%b%local@local" to a@b, and
 *		"host1!host2!user@local" to host2!user@host1 (UUCP: host1 is
 *		the next hop; host2 only if host1 forwards it).  A source
 *		route is ignored as RFC 5321 section 3.6.1 and Appendix C
 *		tell servers to do: "@corp:victim@foreign" decodes to
 *		victim@foreign with surface corp.
 *  trick	The kind of the outermost layer, recorded even when the
 *		decoded domain equals the surface ("user%corp@corp"); use
 *		address_domain_differs() to ask whether it crossed domains.
 *
 * Domains are lower-cased (ASCII only) and lose one trailing dot; IP
 * literals keep their brackets, as "[192.0.2.1]" or "[IPv6:2001:db8::1]".
 * The local part is kept in its decoded form, without quotes or escapes
 * ("john smith", a"b); address_format() quotes it again when needed.
 * Local parts keep their case.  Bytes below 0x20 and 0x7f are stored as
 * '?' and make the address ADDR_F_BAD.
 *
 * RFC 5321 section 4.5.3.1 limits the local part to 64 octets, the domain
 * to 255 and the path to 256.  Longer local parts are kept up to
 * ADDR_LOCAL_MAX and flagged ADDR_F_LONG; anything cut is flagged
 * ADDR_F_TRUNCATED.  A local part longer than ADDR_WORK_MAX is not
 * decoded at all.
 */

#ifndef ADDRESS_H
#define ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define ADDR_LOCAL_MAX	256	/* kept; RFC 5321 allows 64 */
#define ADDR_DOMAIN_MAX	255	/* RFC 5321 */
#define ADDR_WORK_MAX	2048	/* longest local part decoded */
#define ADDR_LAYERS_MAX	8	/* routing layers unwrapped at most */

enum addr_trick {
	ADDR_TRICK_NONE = 0,
	ADDR_TRICK_PERCENT,		/* victim%foreign@local */
	ADDR_TRICK_BANG,		/* foreign!victim@local */
	ADDR_TRICK_SOURCE_ROUTE,	/* @local:victim@foreign */
	ADDR_TRICK_QUOTED_AT,		/* "victim@foreign"@local */
	ADDR_TRICK_DOUBLE_AT,		/* victim@foreign@local */
	ADDR_TRICK_IMCEA		/* IMCEASMTP-victim+40foreign@local */
};

#define ADDR_F_NULL		0x0001	/* <> or empty: the null sender */
#define ADDR_F_NODOMAIN		0x0002	/* decoded address has no domain */
#define ADDR_F_IPLITERAL	0x0004	/* decoded domain is [address] */
#define ADDR_F_TRUNCATED	0x0008	/* a field was cut to fit */
#define ADDR_F_BAD		0x0010	/* malformed; fields as far as parsed */
#define ADDR_F_QUOTED		0x0020	/* local part as written used quotes */
#define ADDR_F_LONG		0x0040	/* beyond the RFC 5321 size limits */
#define ADDR_F_8BIT		0x0080	/* non-ASCII bytes (SMTPUTF8?) */
#define ADDR_F_NESTED		0x0100	/* more than one layer unwrapped */
#define ADDR_F_ROUTED		0x0200	/* decoded local part still routes */
#define ADDR_F_ENCAPSULATED	0x0400	/* IMCEA of a non-SMTP address */

struct address {
	struct span	 raw;		/* the input: the caller's bytes */
	char		 local[ADDR_LOCAL_MAX + 1];	/* decoded */
	char		 domain[ADDR_DOMAIN_MAX + 1];	/* decoded */
	char		 surface[ADDR_DOMAIN_MAX + 1];	/* as routed first */
	enum addr_trick	 trick;
	unsigned int	 flags;		/* ADDR_F_* */
};

int		 address_decode(struct span, struct address *);
int		 address_resolve(struct span, struct address *,
		    bool (*)(void *, const char *), void *);
const char	*address_trick_name(enum addr_trick);
size_t		 address_format(const struct address *, char *, size_t);
bool		 address_domain_differs(const struct address *);

#endif /* ADDRESS_H */
