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
 * SMTP on the wire: AUTH (RFC 4954) and the SASL exchange after it.  The
 * user name is taken where the mechanism shows it: PLAIN (RFC 4616) the
 * authentication identity, LOGIN the first response (never the one the
 * server asked "Password:" for), CRAM-MD5 (RFC 2195) what precedes the
 * digest, XOAUTH2 "user=", OAUTHBEARER (RFC 7628) the gs2 "a=", SCRAM
 * (RFC 5802) "n=".  Other mechanisms give only their name.
 *
 * SECURITY.  Passwords and tokens must not leave this file.  The lines
 * that carry them are queued, cited and flagged only as "AUTH MECH
 * <redacted>" and "<redacted>"; a response is base64-decoded (strictly,
 * bounded) into a stack buffer only when it may hold the user name, only
 * the user name is copied out, and the buffer is wiped with
 * explicit_bzero() on every path.  Once the user name is known, nothing
 * more is decoded.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "smtpwire_int.h"

enum sw_mech {
	SW_M_OTHER = 0,
	SW_M_PLAIN,
	SW_M_LOGIN,
	SW_M_CRAM,
	SW_M_XOAUTH2,
	SW_M_OAUTHBEARER,
	SW_M_SCRAM
};

static size_t	 sw_user_plain(const uint8_t *, size_t, size_t *);
static size_t	 sw_user_login(const uint8_t *, size_t, size_t *);
static size_t	 sw_user_cram(const uint8_t *, size_t, size_t *);
static size_t	 sw_user_xoauth2(const uint8_t *, size_t, size_t *);
static size_t	 sw_user_oauthbearer(const uint8_t *, size_t, size_t *);
static size_t	 sw_user_scram(const uint8_t *, size_t, size_t *);

/*
 * Mechanisms by name (a trailing '-' matches a family).  user finds the
 * user name in a decoded response: its length, its start in *off.
 */
static const struct {
	const char	*name;
	enum sw_mech	 mech;
	size_t		 (*user)(const uint8_t *, size_t, size_t *);
} sw_mechs[] = {
	{ "PLAIN", SW_M_PLAIN, sw_user_plain },
	{ "LOGIN", SW_M_LOGIN, sw_user_login },
	{ "CRAM-MD5", SW_M_CRAM, sw_user_cram },
	{ "XOAUTH2", SW_M_XOAUTH2, sw_user_xoauth2 },
	{ "OAUTHBEARER", SW_M_OAUTHBEARER, sw_user_oauthbearer },
	{ "SCRAM-", SW_M_SCRAM, sw_user_scram },
};

/* Bytes a SW_SASL_B64_MAX-character response decodes to, at most. */
#define SW_SASL_DEC_MAX		(SW_SASL_B64_MAX / 4 * 3 + 3)

/* sw_b64_value - the value of a base64 character, -1 if not one. */
static int
sw_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/*
 * sw_b64_decode - decode base64 (RFC 4648) into out, at most cap bytes.
 * Padding only at the end, or none; "=" alone is empty (RFC 4954).
 * Returns -1 for anything else or when too long.
 */
int
sw_b64_decode(struct span in, uint8_t *out, size_t cap, size_t *outlen)
{
	uint32_t	acc = 0;
	size_t		i, q = 0, pad = 0, n = 0;
	int		v, bits = 0;

	*outlen = 0;
	while (in.n > 0 && (in.p[in.n - 1] == ' ' || in.p[in.n - 1] == '\t'))
		in.n--;
	if (in.n == 1 && in.p[0] == '=')
		return (0);
	if (in.n > SW_SASL_B64_MAX)
		return (-1);
	for (i = 0; i < in.n; i++) {
		if (in.p[i] == '=') {
			if (++pad > 2)
				return (-1);
			continue;
		}
		if (pad > 0 || (v = sw_b64_value((unsigned char)in.p[i])) < 0)
			return (-1);
		q++;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return (-1);
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (q % 4 == 1 || (pad > 0 && (q + pad) % 4 != 0))
		return (-1);
	*outlen = n;
	return (0);
}

/* sw_b64_like - could s be a base64 SASL response (never to be shown)? */
bool
sw_b64_like(struct span s)
{
	size_t	i;

	if (s.n < 4)
		return (false);
	for (i = 0; i < s.n; i++)
		if (s.p[i] != '=' && sw_b64_value((unsigned char)s.p[i]) < 0)
			return (false);
	return (true);
}

/* sw_find - the first c in d[from, n), or n. */
static size_t
sw_find(const uint8_t *d, size_t from, size_t n, uint8_t c)
{
	const uint8_t	*p;

	if (from >= n)
		return (n);
	p = memchr(d + from, c, n - from);
	return (p != NULL ? (size_t)(p - d) : n);
}

/* sw_user_plain - "authzid NUL authcid NUL passwd": the authcid. */
static size_t
sw_user_plain(const uint8_t *d, size_t n, size_t *off)
{
	size_t	a, b;

	a = sw_find(d, 0, n, '\0');
	b = sw_find(d, a + 1, n, '\0');
	if (a == n || b == n)
		return (0);
	if (b > a + 1) {
		*off = a + 1;
		return (b - a - 1);
	}
	*off = 0;
	return (a);
}

/* sw_user_login - the whole response is the user name. */
static size_t
sw_user_login(const uint8_t *d, size_t n, size_t *off)
{
	*off = 0;
	return (n);
}

/* sw_user_cram - "user SP digest": what precedes the last space. */
static size_t
sw_user_cram(const uint8_t *d, size_t n, size_t *off)
{
	size_t	i;

	*off = 0;
	for (i = n; i > 0; i--)
		if (d[i - 1] == ' ')
			return (i - 1);
	return (0);
}

/* sw_user_xoauth2 - "user=NAME^Aauth=Bearer TOKEN^A^A": NAME. */
static size_t
sw_user_xoauth2(const uint8_t *d, size_t n, size_t *off)
{
	if (n < 5 || memcmp(d, "user=", 5) != 0)
		return (0);
	*off = 5;
	return (sw_find(d, 5, n, 0x01) - 5);
}

/* sw_user_oauthbearer - gs2 header "n,a=NAME,^A...": NAME. */
static size_t
sw_user_oauthbearer(const uint8_t *d, size_t n, size_t *off)
{
	size_t	a, end;

	end = sw_find(d, 0, n, 0x01);
	a = sw_find(d, 0, end, ',');
	if (a + 3 > end || d[a + 1] != 'a' || d[a + 2] != '=')
		return (0);
	*off = a + 3;
	return (sw_find(d, a + 3, end, ',') - *off);
}

/* sw_user_scram - client-first "n,,n=NAME,r=...": NAME. */
static size_t
sw_user_scram(const uint8_t *d, size_t n, size_t *off)
{
	size_t	a, b;

	a = sw_find(d, 0, n, ',');
	b = sw_find(d, a + 1, n, ',');
	if (b + 3 > n || d[b + 1] != 'n' || d[b + 2] != '=')
		return (0);
	*off = b + 3;
	return (sw_find(d, b + 3, n, ',') - *off);
}

/* sw_auth_reset - forget the exchange, wiping the user name. */
void
sw_auth_reset(struct sw_auth *a)
{
	explicit_bzero(a->user, sizeof(a->user));
	a->user_len = 0;
	a->active = false;
	a->mech = SW_M_OTHER;
	a->step = 0;
	a->want_pass = false;
	a->mech_len = 0;
	a->mech_name[0] = '\0';
	buf_reset(&a->raw);
}

/*
 * sw_auth_decode - a response (or initial response) that may hold the
 * user name.  Only the user name leaves the decoded buffer.
 */
static void
sw_auth_decode(struct sw_flow *f, struct span b64, const struct flow_pos *at)
{
	struct sw_auth	*a = &f->auth;
	uint8_t		 dec[SW_SASL_DEC_MAX];
	size_t		 i, n, len, off = 0;

	if (a->user_len > 0 || a->want_pass || a->mech == SW_M_OTHER)
		return;
	if (a->mech == SW_M_SCRAM && a->step > 0)
		return;
	for (i = 0; i < sizeof(sw_mechs) / sizeof(sw_mechs[0]); i++)
		if ((int)sw_mechs[i].mech == a->mech)
			break;
	if (i == sizeof(sw_mechs) / sizeof(sw_mechs[0]))
		return;
	if (sw_b64_decode(b64, dec, sizeof(dec), &n) == -1) {
		explicit_bzero(dec, sizeof(dec));
		sw_warn(f, at, "bad-base64", "SASL response is not base64",
		    "C: ", SPAN_LIT("<redacted>"));
		return;
	}
	len = sw_mechs[i].user(dec, n, &off);
	if (len > sizeof(a->user))
		len = sizeof(a->user);
	if (len > 0 && off + len <= n) {
		memcpy(a->user, dec + off, len);
		a->user_len = len;
	}
	explicit_bzero(dec, sizeof(dec));
	if (a->mech == SW_M_LOGIN && a->user_len > 0)
		a->want_pass = true;
}

/* sw_auth_wait - what the client sends next depends on the reply. */
static void
sw_auth_wait(struct sw_flow *f)
{
	if (sw_server_silent(f))
		f->cmode = SW_C_SASL_GUESS;
	else
		f->blocked = true;
}

/* sw_auth_command - "AUTH mechanism [initial-response]" (arg: after AUTH). */
void
sw_auth_command(struct sw_flow *f, struct span arg, const struct flow_pos *at)
{
	struct sw_auth	*a = &f->auth;
	struct span	 mech, ir;
	char		 render[SW_SASL_MECH_MAX + 24];
	size_t		 i, nlen;

	sw_auth_reset(a);
	a->active = true;
	a->at = *at;
	for (nlen = 0; nlen < arg.n && arg.p[nlen] != ' '; nlen++)
		continue;
	mech.p = arg.p;
	mech.n = nlen;
	ir.p = arg.p + nlen;
	ir.n = arg.n - nlen;
	ir = span_trim(ir);
	if (mech.n >= sizeof(a->mech_name))
		mech.n = sizeof(a->mech_name) - 1;
	for (i = 0; i < mech.n; i++)
		a->mech_name[i] = mech.p[i] >= 'a' && mech.p[i] <= 'z' ?
		    mech.p[i] - 'a' + 'A' : mech.p[i];
	a->mech_name[mech.n] = '\0';
	a->mech_len = mech.n;
	for (i = 0; i < sizeof(sw_mechs) / sizeof(sw_mechs[0]); i++) {
		nlen = strlen(sw_mechs[i].name);
		if (sw_mechs[i].name[nlen - 1] == '-' ?
		    strncmp(a->mech_name, sw_mechs[i].name, nlen) == 0 :
		    strcmp(a->mech_name, sw_mechs[i].name) == 0) {
			a->mech = sw_mechs[i].mech;
			break;
		}
	}
	(void)snprintf(render, sizeof(render), "AUTH %s%s", a->mech_name,
	    ir.n > 0 ? " <redacted>" : "");
	(void)sw_queue(f, SW_V_AUTH, span_from_cstr(render), at);
	sw_raw_reset(&a->raw);
	sw_raw_line(&a->raw, "C: ", span_from_cstr(render));
	f->sw->st.auth++;
	if (ir.n > 0) {
		sw_auth_decode(f, ir, at);
		a->step = 1;
	}
	sw_auth_wait(f);
}

/* sw_auth_response - a SASL response line, or "*" to cancel. */
void
sw_auth_response(struct sw_flow *f, struct span line, const struct flow_pos *at)
{
	struct sw_auth	*a = &f->auth;
	struct span	 render;
	bool		 cancel;

	cancel = line.n == 1 && line.p[0] == '*';
	render = cancel ? SPAN_LIT("*") : SPAN_LIT("<redacted>");
	(void)sw_queue(f, SW_V_SASL, render, at);
	sw_raw_line(&a->raw, "C: ", render);
	f->sw->st.commands++;
	if (a->active && !cancel)
		sw_auth_decode(f, line, at);
	a->step++;
	sw_auth_wait(f);
}

/* sw_auth_challenge - LOGIN: does the server ask for the password now? */
static void
sw_auth_challenge(struct sw_auth *a, const struct sw_reply *r)
{
	uint8_t		dec[64];
	struct span	word;
	size_t		n;

	if (sw_b64_decode(buf_span(&r->text), dec, sizeof(dec), &n) == -1)
		return;
	word.p = (const char *)dec;
	word.n = n;
	if (span_casestartswith(word, "password"))
		a->want_pass = true;
	else if (span_casestartswith(word, "username"))
		a->want_pass = a->user_len > 0;
}

/*
 * sw_auth_reply - a reply to AUTH or to a SASL response: 334 asks for
 * another response, 2xx ends in EV_AUTH, anything else in EV_AUTH_FAIL.
 */
void
sw_auth_reply(struct sw_flow *f, struct sw_pend *pd, const struct sw_reply *r)
{
	struct sw_auth	*a = &f->auth;
	struct event	 ev;
	enum ev_type	 t;

	if (r == NULL) {
		if (f->qlen > 1 &&
		    f->q[(f->qhead + 1) % f->qcap].verb == SW_V_SASL)
			return;
		if (a->active) {
			sw_event(f, &ev, EV_INFO, &a->at);
			ev.stage = SPAN_LIT("AUTH");
			ev.sasl_method = span_from_cstr(a->mech_name);
			ev.sasl_user.p = a->user;
			ev.sasl_user.n = a->user_len;
			ev.ref.raw = buf_span(&a->raw);
			sw_emit(f, &ev);
		}
		sw_auth_reset(a);
		/* Whatever was held may be credentials: not read. */
		if (f->blocked)
			sw_hold_drop(f);
		if (f->cmode == SW_C_SASL)
			f->cmode = SW_C_CMD;
		return;
	}
	if (pd->verb == SW_V_AUTH)
		f->cnt_total[SW_V_AUTH]++;
	sw_raw_reply(&a->raw, r);
	if (r->code / 100 == 3 && a->active) {
		if (a->mech == SW_M_LOGIN)
			sw_auth_challenge(a, r);
		f->cmode = SW_C_SASL;
		if (f->blocked)
			f->replay = true;
		return;
	}
	t = r->code / 100 == 2 ? EV_AUTH : EV_AUTH_FAIL;
	sw_event(f, &ev, t, a->active ? &a->at : &pd->at);
	sw_reply_fields(&ev, r);
	ev.sasl_method = span_from_cstr(a->mech_name);
	ev.sasl_user.p = a->user;
	ev.sasl_user.n = a->user_len;
	if (a->raw.len == 0) {
		sw_raw_line(&a->raw, "C: ", sw_pend_text(f, pd));
		sw_raw_reply(&a->raw, r);
	}
	ev.ref.raw = buf_span(&a->raw);
	sw_emit(f, &ev);
	if (t == EV_AUTH)
		f->cnt_ok[SW_V_AUTH]++;
	sw_auth_reset(a);
	f->cmode = SW_C_CMD;
	if (f->blocked)
		f->replay = true;
}
