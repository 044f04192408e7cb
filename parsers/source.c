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
 * Sources: a path or standard input, read in raw blocks that are hashed
 * (SHA-256 of the bytes as stored) and, when they start with the gzip
 * magic, inflated (every member of a multi-member file).  The result is
 * split into lines.  A line longer than SOURCE_LINE_MAX keeps its first
 * SOURCE_LINE_MAX bytes and is flagged; the rest of it is skipped.  A
 * damaged or truncated gzip stream ends the source with an error message
 * but every line read before the damage has been delivered.  CR before LF
 * is dropped; NUL bytes are kept and flagged.
 */

#include "config.h"

#include "source.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "xmalloc.h"

#define SOURCE_BLOCK	(128 * 1024)

struct source {
	char			*path;
	int			 fd;
	enum source_kind	 kind;
	int64_t			 mtime;

	EVP_MD_CTX		*md;
	char			 sha256[65];
	uint64_t		 raw_bytes;

	/*
	 * The content (decompressed) through its last newline: what a
	 * later, longer copy of this log (grown, or rotated and
	 * compressed) starts with.
	 */
	EVP_MD_CTX		*cmd;		/* all content so far */
	EVP_MD_CTX		*cnl;		/* through the last newline */
	uint64_t		 content_all;
	uint64_t		 content_nl;
	char			 content_sha256[65];
	unsigned char		 head[SOURCE_HEAD_MAX];
	size_t			 head_len;

	z_stream		 zs;
	bool			 zinit;
	bool			 zend;		/* member ended, maybe more */

	unsigned char		*in;		/* raw block */
	size_t			 in_len;
	bool			 in_eof;

	char			*out;		/* uncompressed block */
	size_t			 out_pos;
	size_t			 out_len;

	struct buf		 line;
	uint64_t		 lineno;
	uint64_t		 offset;	/* of the next line */
	uint64_t		 pos;		/* uncompressed bytes consumed */
	bool			 done;
	char			 err[256];
};

/* source_read_raw - read the next raw block and hash it; 0 at EOF. */
static ssize_t
source_read_raw(struct source *s)
{
	ssize_t	n;

	if (s->in_eof)
		return (0);
	do {
		n = read(s->fd, s->in, SOURCE_BLOCK);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		snprintf(s->err, sizeof(s->err), "read error: %s",
		    strerror(errno));
		s->in_eof = true;
		return (-1);
	}
	if (n == 0) {
		s->in_eof = true;
		return (0);
	}
	if (s->md != NULL)
		(void)EVP_DigestUpdate(s->md, s->in, (size_t)n);
	s->raw_bytes += (uint64_t)n;
	return (n);
}

/* source_sniff - classify the first bytes of the stream. */
static enum source_kind
source_sniff(const unsigned char *p, size_t n)
{
	static const unsigned char pcap_magic[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
	};
	size_t	i;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return (SOURCE_GZIP);
	if (n >= 4 && memcmp(p, "\x0a\x0d\x0d\x0a", 4) == 0)
		return (SOURCE_PCAPNG);
	for (i = 0; i < sizeof(pcap_magic) / sizeof(pcap_magic[0]); i++)
		if (n >= 4 && memcmp(p, pcap_magic[i], 4) == 0)
			return (SOURCE_PCAP);
	return (SOURCE_TEXT);
}

/*
 * source_open - open path ("-" is standard input) for reading lines.  With
 * hash set, the raw bytes are hashed as they are read.  On failure returns
 * NULL with a message in err.
 */
struct source *
source_open(const char *path, bool hash, char *err, size_t errlen)
{
	struct source	*s;
	struct stat	 st;
	ssize_t		 n;

	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (strcmp(path, "-") == 0)
		s->fd = STDIN_FILENO;
	else if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(s->fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		goto fail;
	}
	s->mtime = S_ISREG(st.st_mode) ? (int64_t)st.st_mtime : -1;
	if (hash) {
		if ((s->md = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
			snprintf(err, errlen, "%s: cannot start SHA-256", path);
			goto fail;
		}
	}
	if ((s->cmd = EVP_MD_CTX_new()) == NULL ||
	    (s->cnl = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->cmd, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(s->cnl, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "%s: cannot start SHA-256", path);
		goto fail;
	}
	s->in = xmalloc(SOURCE_BLOCK);
	s->out = xmalloc(SOURCE_BLOCK);
	buf_init(&s->line, SOURCE_LINE_MAX);
	if ((n = source_read_raw(s)) == -1) {
		snprintf(err, errlen, "%s: %s", path, s->err);
		goto fail;
	}
	s->in_len = (size_t)n;
	s->kind = source_sniff(s->in, s->in_len);
	if (s->kind == SOURCE_GZIP) {
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "%s: cannot start inflate", path);
			goto fail;
		}
		s->zinit = true;
		s->zs.next_in = s->in;
		s->zs.avail_in = (uInt)s->in_len;
	} else {
		s->out_len = 0;
	}
	return (s);
fail:
	source_close(s);
	return (NULL);
}

/*
 * source_fill_gzip - inflate more output into s->out.  Returns the number
 * of bytes produced, 0 at the clean end, -1 on damage (s->err set).
 */
static ssize_t
source_fill_gzip(struct source *s)
{
	ssize_t	n;
	int	rc;

	for (;;) {
		if (s->zs.avail_in == 0) {
			if ((n = source_read_raw(s)) == -1)
				return (-1);
			if (n == 0) {
				if (s->zend)
					return (0);
				snprintf(s->err, sizeof(s->err),
				    "truncated gzip data (unexpected end of "
				    "file)");
				return (-1);
			}
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)n;
		}
		if (s->zend) {
			/* Another member, or padding after the last one. */
			if (s->zs.next_in[0] != 0x1f) {
				size_t	i;

				for (i = 0; i < s->zs.avail_in; i++)
					if (s->zs.next_in[i] != 0)
						break;
				if (i == s->zs.avail_in) {
					s->zs.avail_in = 0;
					continue;
				}
				snprintf(s->err, sizeof(s->err),
				    "trailing garbage after gzip data");
				return (-1);
			}
			if (inflateReset(&s->zs) != Z_OK) {
				snprintf(s->err, sizeof(s->err),
				    "cannot reset inflate");
				return (-1);
			}
			s->zend = false;
		}
		s->zs.next_out = (unsigned char *)s->out;
		s->zs.avail_out = SOURCE_BLOCK;
		rc = inflate(&s->zs, Z_NO_FLUSH);
		n = (ssize_t)(SOURCE_BLOCK - s->zs.avail_out);
		if (rc == Z_STREAM_END)
			s->zend = true;
		else if (rc != Z_OK && !(rc == Z_BUF_ERROR && n > 0)) {
			if (rc == Z_BUF_ERROR && s->zs.avail_in == 0)
				continue;
			snprintf(s->err, sizeof(s->err),
			    "corrupt gzip data: %s",
			    s->zs.msg != NULL ? s->zs.msg : "inflate error");
			if (n > 0)
				return (n);
			return (-1);
		}
		if (n > 0)
			return (n);
	}
}

/*
 * source_content - n more bytes of content: hash them, keeping the hash
 * as it was after the last newline, and the first SOURCE_HEAD_MAX.
 */
static void
source_content(struct source *s, const char *p, size_t n)
{
	const char	*nl;
	size_t		 k;

	if (s->head_len < SOURCE_HEAD_MAX) {
		k = SOURCE_HEAD_MAX - s->head_len;
		if (k > n)
			k = n;
		memcpy(s->head + s->head_len, p, k);
		s->head_len += k;
	}
	if (s->cmd == NULL)
		return;
	if ((nl = memrchr(p, '\n', n)) != NULL) {
		k = (size_t)(nl - p) + 1;
		(void)EVP_DigestUpdate(s->cmd, p, k);
		(void)EVP_MD_CTX_copy_ex(s->cnl, s->cmd);
		s->content_nl = s->content_all + k;
		if (k < n)
			(void)EVP_DigestUpdate(s->cmd, p + k, n - k);
	} else
		(void)EVP_DigestUpdate(s->cmd, p, n);
	s->content_all += n;
}

/* source_fill_raw - the next uncompressed bytes of either kind. */
static ssize_t
source_fill_raw(struct source *s)
{
	ssize_t	n;

	if (s->kind == SOURCE_GZIP)
		return (source_fill_gzip(s));
	if (s->in_len > 0) {
		/* The first block, read while sniffing. */
		memcpy(s->out, s->in, s->in_len);
		n = (ssize_t)s->in_len;
		s->in_len = 0;
		return (n);
	}
	if ((n = source_read_raw(s)) <= 0)
		return (n);
	memcpy(s->out, s->in, (size_t)n);
	return (n);
}

/* source_fill - make more uncompressed bytes available; see above. */
static ssize_t
source_fill(struct source *s)
{
	ssize_t	n;

	if (s->err[0] != '\0')
		return (-1);
	if ((n = source_fill_raw(s)) > 0)
		source_content(s, s->out, (size_t)n);
	return (n);
}

/*
 * source_next_line - deliver the next line in *ln.  Returns 1 with a line,
 * 0 at the end, -1 when the source broke off (source_error() tells why;
 * lines already delivered stand).  The span stays valid until the next
 * call.
 */
int
source_next_line(struct source *s, struct source_line *ln)
{
	bool	truncated = false;
	size_t	taken = 0;

	if (s->done)
		return (s->err[0] != '\0' ? -1 : 0);
	buf_reset(&s->line);
	for (;;) {
		char	*nl;
		size_t	 avail, chunk;
		ssize_t	 n;

		if (s->out_pos == s->out_len) {
			n = source_fill(s);
			if (n <= 0) {
				s->done = true;
				if (taken == 0)
					return (n < 0 ? -1 : 0);
				break;	/* last line without newline */
			}
			s->out_pos = 0;
			s->out_len = (size_t)n;
		}
		avail = s->out_len - s->out_pos;
		nl = memchr(s->out + s->out_pos, '\n', avail);
		chunk = nl != NULL ? (size_t)(nl - (s->out + s->out_pos)) :
		    avail;
		if (!truncated) {
			size_t	room = SOURCE_LINE_MAX - s->line.len;
			size_t	keep = chunk < room ? chunk : room;

			(void)buf_append(&s->line, s->out + s->out_pos, keep);
			if (keep < chunk)
				truncated = true;
		}
		taken += chunk + (nl != NULL);
		s->out_pos += chunk + (nl != NULL);
		if (nl != NULL)
			break;
	}
	s->lineno++;
	ln->lineno = s->lineno;
	ln->offset = s->offset;
	s->offset += taken;
	s->pos = s->offset;
	if (!truncated && s->line.len > 0 &&
	    s->line.data[s->line.len - 1] == '\r')
		s->line.len--;
	ln->text = buf_span(&s->line);
	ln->truncated = truncated;
	ln->has_nul = memchr(ln->text.p, '\0', ln->text.n) != NULL;
	return (1);
}

/*
 * source_content_kind - what the source holds once decompressed: for a
 * gzip stream the kind of its first uncompressed bytes (a compressed
 * capture says SOURCE_PCAP or SOURCE_PCAPNG), else source_kind().  It
 * reads ahead one block, which the next source_next_line() still
 * delivers.
 */
enum source_kind
source_content_kind(struct source *s)
{
	ssize_t			n;
	enum source_kind	k;

	if (s->kind != SOURCE_GZIP)
		return (s->kind);
	if (s->out_len == 0 && s->lineno == 0 && !s->done) {
		if ((n = source_fill(s)) <= 0)
			return (SOURCE_GZIP);
		s->out_pos = 0;
		s->out_len = (size_t)n;
	}
	k = source_sniff((const unsigned char *)s->out, s->out_len);
	return (k == SOURCE_PCAP || k == SOURCE_PCAPNG ? k : SOURCE_GZIP);
}

enum source_kind
source_kind(const struct source *s)
{
	return (s->kind);
}

const char *
source_kind_name(enum source_kind k)
{
	switch (k) {
	case SOURCE_TEXT:	return ("text");
	case SOURCE_GZIP:	return ("gzip");
	case SOURCE_PCAP:	return ("pcap");
	case SOURCE_PCAPNG:	return ("pcapng");
	}
	return ("unknown");
}

const char *
source_path(const struct source *s)
{
	return (s->path);
}

/* source_mtime - modification time of a regular file, -1 otherwise. */
int64_t
source_mtime(const struct source *s)
{
	return (s->mtime);
}

/*
 * source_finish_hash - read whatever raw bytes remain unread (after an
 * error, say) so that the hash covers the whole source, and finish it.
 */
void
source_finish_hash(struct source *s)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	if (s->md == NULL)
		return;
	while (source_read_raw(s) > 0)
		;
	if (EVP_DigestFinal_ex(s->md, md, &mdlen) == 1 && mdlen == 32)
		for (i = 0; i < mdlen; i++)
			snprintf(s->sha256 + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(s->md);
	s->md = NULL;
}

/* source_sha256 - hex digest after source_finish_hash(), else "". */
const char *
source_sha256(const struct source *s)
{
	return (s->sha256);
}

/*
 * source_content_sha256 - the SHA-256 (hex) of the content read, through
 * its last newline (source_content_bytes() bytes).  Call at the end.
 */
const char *
source_content_sha256(struct source *s)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	if (s->content_sha256[0] == '\0' && s->cnl != NULL &&
	    EVP_DigestFinal_ex(s->cnl, md, &mdlen) == 1 && mdlen == 32)
		for (i = 0; i < mdlen; i++)
			snprintf(s->content_sha256 + 2 * i, 3, "%02x", md[i]);
	return (s->content_sha256);
}

uint64_t
source_content_bytes(const struct source *s)
{
	return (s->content_nl);
}

/*
 * source_head - the first bytes of the content it covers: at most
 * SOURCE_HEAD_MAX, and no more than source_content_bytes().
 */
struct span
source_head(const struct source *s)
{
	size_t	n = s->head_len;

	if (n > s->content_nl)
		n = (size_t)s->content_nl;
	return ((struct span){ (const char *)s->head, n });
}

/* source_bytes - raw bytes read so far (all of them once finished). */
uint64_t
source_bytes(const struct source *s)
{
	return (s->raw_bytes);
}

uint64_t
source_lines(const struct source *s)
{
	return (s->lineno);
}

/* source_error - why the source broke off, or NULL. */
const char *
source_error(const struct source *s)
{
	return (s->err[0] != '\0' ? s->err : NULL);
}

void
source_close(struct source *s)
{
	if (s == NULL)
		return;
	if (s->zinit)
		inflateEnd(&s->zs);
	if (s->md != NULL)
		EVP_MD_CTX_free(s->md);
	EVP_MD_CTX_free(s->cmd);
	EVP_MD_CTX_free(s->cnl);
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	buf_free(&s->line);
	free(s->in);
	free(s->out);
	free(s->path);
	free(s);
}

/* prefix_hex - the digest of a copy of md, in hex. */
static void
prefix_hex(EVP_MD_CTX *md, EVP_MD_CTX *tmp, char hex[65])
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	dn = 0, i;

	hex[0] = '\0';
	if (EVP_MD_CTX_copy_ex(tmp, md) != 1 ||
	    EVP_DigestFinal_ex(tmp, d, &dn) != 1 || dn != 32)
		return;
	for (i = 0; i < dn; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/*
 * source_scan_prefixes - which of the contents p[0..n-1] (sorted by
 * length) does the content of path start with?  A candidate whose head is
 * not the content's first bytes is dropped at the first block; the rest
 * are hashed as the content passes their length, and reading stops just
 * past the longest.  Sets p[i].match; *more says whether the content goes
 * on past the longest match.  -1 with a message in err.
 */
int
source_scan_prefixes(const char *path, struct source_prefix *p, size_t n,
    bool *more, char *err, size_t errlen)
{
	struct source	*s;
	EVP_MD_CTX	*md = NULL, *tmp = NULL;
	bool		*alive;
	char		 hex[65];
	uint64_t	 pos = 0, last;
	size_t		 i, next = 0, k;
	ssize_t		 got = 0;
	int		 rc = -1;

	*more = false;
	alive = xcalloc(n > 0 ? n : 1, sizeof(*alive));
	for (i = 0; i < n; i++) {
		p[i].match = false;
		alive[i] = p[i].bytes > 0 && p[i].head.n <= SOURCE_HEAD_MAX &&
		    p[i].head.n <= p[i].bytes;
	}
	if ((s = source_open(path, false, err, errlen)) == NULL) {
		free(alive);
		return (-1);
	}
	if ((md = EVP_MD_CTX_new()) == NULL || (tmp = EVP_MD_CTX_new()) ==
	    NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "%s: cannot start SHA-256", path);
		goto out;
	}
	for (;;) {
		if ((got = source_fill(s)) <= 0)
			break;
		/* Heads: the first bytes, as far as they have come. */
		for (i = 0; i < n; i++)
			if (alive[i] && s->head_len >= p[i].head.n &&
			    memcmp(p[i].head.p, s->head, p[i].head.n) != 0)
				alive[i] = false;
		/* Hash up to each candidate's length within this block. */
		k = 0;
		for (; next < n && p[next].bytes <= pos + (uint64_t)got;
		    next++) {
			if (!alive[next] || p[next].bytes <= pos)
				continue;
			(void)EVP_DigestUpdate(md, s->out + k,
			    (size_t)(p[next].bytes - pos) - k);
			k = (size_t)(p[next].bytes - pos);
			prefix_hex(md, tmp, hex);
			p[next].match = strcmp(hex, p[next].sha256) == 0;
		}
		(void)EVP_DigestUpdate(md, s->out + k, (size_t)got - k);
		pos += (uint64_t)got;
		for (last = 0, i = 0; i < n; i++)
			if (alive[i] && p[i].bytes > last)
				last = p[i].bytes;
		if (pos > last)
			break;		/* past the longest still possible */
	}
	if (got < 0) {
		snprintf(err, errlen, "%s: %s", path, s->err);
		goto out;
	}
	for (last = 0, i = 0; i < n; i++)
		if (p[i].match && p[i].bytes > last)
			last = p[i].bytes;
	*more = pos > last;
	rc = 0;
out:
	free(alive);
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(tmp);
	source_close(s);
	return (rc);
}

/*
 * source_hash_file - SHA-256 (hex) and size of the file at path, as
 * stored.  Returns -1 with a message in err.
 */
int
source_hash_file(const char *path, char hex[65], uint64_t *bytes, char *err,
    size_t errlen)
{
	struct source	*s;

	if ((s = source_open(path, true, err, errlen)) == NULL)
		return (-1);
	source_finish_hash(s);
	if (s->err[0] != '\0') {
		snprintf(err, errlen, "%s: %s", path, s->err);
		source_close(s);
		return (-1);
	}
	memcpy(hex, s->sha256, 65);
	*bytes = s->raw_bytes;
	source_close(s);
	return (0);
}
