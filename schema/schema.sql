-- relaytrace database schema.
--
-- Times are stored twice: as UTC ISO 8601 text (for people) and as an
-- integer epoch (for arithmetic).  Untrusted text (HELO names, addresses,
-- reply texts, evidence lines) is stored as given; outputs escape it.
-- The only wall-clock value is sources.ingested_at.

PRAGMA user_version = 2;

-- One row per input file or stream, identified by the SHA-256 of its bytes
-- as stored: ingesting the same bytes again adds nothing.
CREATE TABLE sources (
	id		INTEGER PRIMARY KEY,
	path		TEXT NOT NULL,		-- as given on the command line
	sha256		TEXT NOT NULL UNIQUE,	-- of the raw (compressed) bytes
	bytes		INTEGER NOT NULL,
	kind		TEXT NOT NULL,		-- text, gzip, pcap, pcapng
	format		TEXT NOT NULL,		-- e.g. postfix-rfc3339
	host		TEXT,			-- syslog host most seen
	first_time	TEXT,
	first_epoch	INTEGER,
	last_time	TEXT,
	last_epoch	INTEGER,
	lines		INTEGER NOT NULL,	-- lines (or packets) read
	parsed		INTEGER NOT NULL,	-- understood
	other		INTEGER NOT NULL,	-- from programs we do not read
	unparsed	INTEGER NOT NULL,	-- not understood
	long_lines	INTEGER NOT NULL,	-- cut at the line limit
	error		TEXT,			-- why reading stopped early
	ingested_at	TEXT NOT NULL,
	-- A log's content (decompressed) through its last newline: a later
	-- copy that starts with it (the log grown, or rotated and compressed)
	-- is read only from there on, or not at all when it is all of it.
	content_sha256	TEXT,
	content_bytes	INTEGER,
	head		BLOB,			-- its first bytes (up to 64)
	continues	INTEGER REFERENCES sources(id),	-- whose content this
						-- one starts with
	from_line	INTEGER,		-- the first line read
	abspath		TEXT			-- path made absolute when it
						-- was read (NULL for standard
						-- input): where a later run
						-- looks for it
) STRICT;

-- One SMTP session: a connection from a client to the server.
CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,		-- log, wire, or both (joined)
	server		TEXT,			-- syslog host of the MTA
	program		TEXT,			-- e.g. postfix/smtpd
	pid		INTEGER,
	client_ip	TEXT,
	client_port	INTEGER,
	client_name	TEXT,			-- reverse name as logged
	helo		TEXT,			-- last HELO/EHLO argument
	tls		INTEGER NOT NULL DEFAULT 0,
	auth_method	TEXT,
	auth_user	TEXT,			-- SASL user; never a password
	auth_failures	INTEGER NOT NULL DEFAULT 0,
	start_time	TEXT,
	start_epoch	INTEGER,
	end_time	TEXT,
	end_epoch	INTEGER,
	counters	TEXT,			-- Postfix disconnect counters
	messages	INTEGER NOT NULL DEFAULT 0,	-- accepted
	rejects		INTEGER NOT NULL DEFAULT 0,
	flow		INTEGER,		-- wire: connection in its source
	server_ip	TEXT,			-- wire
	server_port	INTEGER,		-- wire
	banner		TEXT,			-- wire: the 220 greeting
	unreadable	INTEGER NOT NULL DEFAULT 0,	-- TLS hid the rest
	incomplete	INTEGER NOT NULL DEFAULT 0	-- capture had gaps
) STRICT;
CREATE INDEX sessions_client ON sessions(client_ip);

-- One mail transaction: a queued message, or a refused attempt (no queue
-- id), or a message the server made itself (bounce, local pickup).
CREATE TABLE messages (
	id		INTEGER PRIMARY KEY,
	session_id	INTEGER REFERENCES sessions(id),
	server		TEXT,
	queue_id	TEXT,			-- NULL for NOQUEUE attempts
	origin		TEXT NOT NULL,		-- smtpd, pickup, bounce, unknown
	parent_id	INTEGER REFERENCES messages(id),	-- for bounces
	client_ip	TEXT,			-- copied from the session
	client_name	TEXT,
	helo		TEXT,
	auth_user	TEXT,
	sender_raw	TEXT,			-- as logged, NULL if unknown
	sender		TEXT,			-- decoded
	sender_domain	TEXT,
	size		INTEGER,
	nrcpt		INTEGER,
	message_id	TEXT,			-- Message-ID header
	subject		TEXT,			-- wire: Subject header
	header_from	TEXT,			-- wire: From header
	body_sha256	TEXT,			-- wire: of the message as sent
	evidence_kind	TEXT NOT NULL DEFAULT 'log',	-- log, wire, both
	accepted	INTEGER NOT NULL,	-- 1 if the server queued it
	removed		INTEGER NOT NULL DEFAULT 0,	-- left the queue
	first_time	TEXT,
	first_epoch	INTEGER,
	last_time	TEXT,
	last_epoch	INTEGER,
	-- Set by classification: the message another of our MTAs (or this
	-- one, through a content filter) handed over as this one.
	upstream_id	INTEGER REFERENCES messages(id)
) STRICT;
CREATE INDEX messages_session ON messages(session_id);
-- Queue id first: the capture joins look a queue id up without a server.
CREATE INDEX messages_queue ON messages(queue_id, server);
CREATE INDEX messages_client ON messages(client_ip);
CREATE INDEX messages_upstream ON messages(upstream_id)
    WHERE upstream_id IS NOT NULL;
-- Bounces by the message that bounced (hop.c follows them).
CREATE INDEX messages_parent ON messages(parent_id)
    WHERE parent_id IS NOT NULL;

-- One recipient of one message, with what happened to it and its verdict.
CREATE TABLE recipients (
	id		INTEGER PRIMARY KEY,
	message_id	INTEGER NOT NULL REFERENCES messages(id),
	rcpt_raw	TEXT NOT NULL,		-- as the client gave it
	final_raw	TEXT,			-- after rewriting (Postfix to=)
	final_domain	TEXT,			-- its domain
	rcpt		TEXT,			-- decoded real destination
	rcpt_domain	TEXT,
	surface_domain	TEXT,			-- the domain it appears to have
	trick		TEXT,			-- percent, bang, ... or NULL
	stage		TEXT,			-- where it was refused
	reply_code	INTEGER,
	reply_text	TEXT,
	dsn		TEXT,
	outcome		TEXT NOT NULL,		-- rejected, accepted,
						-- delivered, deferred, bounced
	relay		TEXT,			-- next hop of the last attempt
	attempts	INTEGER NOT NULL DEFAULT 0,
	blocklisted	INTEGER NOT NULL DEFAULT 0,	-- refused naming a DNSBL
	first_epoch	INTEGER,
	last_epoch	INTEGER,
	-- Set by classification:
	direction	TEXT,			-- inbound, outbound, local, relay
	authority	TEXT,			-- auth, trusted, server, none,
						-- unknown, hop
	verdict		TEXT,			-- finding kind, or NULL
	tricked		INTEGER NOT NULL DEFAULT 0,	-- looks local, is not
	-- The recipient of the upstream message whose delivery this one is
	-- (authority 'hop': judged there).
	upstream_id	INTEGER REFERENCES recipients(id),
	handoff		TEXT			-- delivered to one of our MTAs:
						-- joined (its copy there is
						-- upstream of a recipient),
						-- unseen (its copy is not in
						-- the store)
) STRICT;
CREATE INDEX recipients_message ON recipients(message_id);
CREATE INDEX recipients_verdict ON recipients(verdict)
    WHERE verdict IS NOT NULL;
CREATE INDEX recipients_upstream ON recipients(upstream_id)
    WHERE upstream_id IS NOT NULL;
CREATE INDEX recipients_handoff ON recipients(handoff)
    WHERE handoff IS NOT NULL;

-- One finding per message and kind.
CREATE TABLE findings (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL,		-- open-relay, relay-attempt, ...
	severity	TEXT NOT NULL,		-- info, low, medium, high
	client_ip	TEXT,
	auth_user	TEXT,
	session_id	INTEGER REFERENCES sessions(id),
	message_id	INTEGER REFERENCES messages(id),
	time		TEXT,
	epoch		INTEGER,
	recipients	INTEGER NOT NULL,	-- message-recipient pairs
	delivered	INTEGER NOT NULL DEFAULT 0,
	deferred	INTEGER NOT NULL DEFAULT 0,
	bounced		INTEGER NOT NULL DEFAULT 0,
	summary		TEXT NOT NULL
) STRICT;
CREATE INDEX findings_kind ON findings(kind);
CREATE INDEX findings_client ON findings(client_ip);
CREATE INDEX findings_message ON findings(message_id);

-- Message headers seen on the wire, in order.
CREATE TABLE headers (
	id		INTEGER PRIMARY KEY,
	message_id	INTEGER NOT NULL REFERENCES messages(id),
	name		TEXT NOT NULL,
	value		BLOB NOT NULL
) STRICT;
CREATE INDEX headers_message ON headers(message_id);

-- The original lines, exactly as read, each tied to what it proves.
-- The lines are kept compressed, a few hundred to a block: evidence_lines
-- says where each is (block, byte position, length) and what it proves;
-- the view evidence puts them together.  A block is a source's lines
-- joined by newlines, as the sqlite3 shell's sqlar_compress() makes it: a
-- zlib stream, or the bytes as they are when that is not smaller, so
-- sqlar_uncompress(data, size) gives them back (relaytrace defines the
-- function for its own connections; the sqlite3 shell has it).
CREATE TABLE evidence_blocks (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	size		INTEGER NOT NULL,	-- bytes uncompressed
	data		BLOB NOT NULL
) STRICT;

CREATE TABLE evidence_lines (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER NOT NULL,	-- 1-based line (or packet) number
	offset		INTEGER NOT NULL,	-- byte offset in the source (in
						-- the TCP stream for captures)
	epoch		INTEGER,
	event		TEXT NOT NULL,		-- connect, client, delivery, ...
	session_id	INTEGER REFERENCES sessions(id),
	message_id	INTEGER REFERENCES messages(id),
	block_id	INTEGER NOT NULL REFERENCES evidence_blocks(id),
	pos		INTEGER NOT NULL,	-- byte position in the block
	len		INTEGER NOT NULL
) STRICT;
CREATE INDEX evidence_session ON evidence_lines(session_id);
CREATE INDEX evidence_message ON evidence_lines(message_id)
    WHERE message_id IS NOT NULL;

CREATE VIEW evidence AS
SELECT l.id AS id, l.source_id AS source_id, l.line AS line,
       l.offset AS offset,
       strftime('%Y-%m-%dT%H:%M:%SZ', l.epoch, 'unixepoch') AS time,
       l.epoch AS epoch, l.event AS event, l.session_id AS session_id,
       l.message_id AS message_id,
       substr(sqlar_uncompress(b.data, b.size), l.pos + 1, l.len) AS text
FROM evidence_lines l JOIN evidence_blocks b ON b.id = l.block_id;

-- Lines that could not be understood (the first few per source), with the
-- reason; all of them are counted in sources.unparsed (a long line in
-- sources.long_lines).  For a capture, line is the packet number, offset
-- 0, text the bytes captured and kind why (link-header-short, ...,
-- caplen-over-len, and wire-length-implausible, which is not counted).
CREATE TABLE anomalies (
	id		INTEGER PRIMARY KEY,
	source_id	INTEGER NOT NULL REFERENCES sources(id),
	line		INTEGER NOT NULL,
	offset		INTEGER NOT NULL,
	kind		TEXT NOT NULL,		-- unparsed, long-line, nul-byte
	text		BLOB NOT NULL
) STRICT;
CREATE INDEX anomalies_source ON anomalies(source_id);

-- SASL accounts whose relaying looks like stolen credentials.
CREATE TABLE account_flags (
	auth_user	TEXT PRIMARY KEY,
	why		TEXT NOT NULL
) STRICT;

-- Which domains are ours, and how we know.
CREATE TABLE local_domains (
	domain		TEXT PRIMARY KEY,
	class		TEXT NOT NULL,		-- local, relay (authorized),
						-- foreign (seen refused)
	origin		TEXT NOT NULL,		-- flag, config, inferred
	detail		TEXT
) STRICT;

CREATE TABLE local_nets (
	cidr		TEXT PRIMARY KEY,
	origin		TEXT NOT NULL,
	detail		TEXT
) STRICT;

-- Relaying per client IP: accepted and refused foreign recipients.
CREATE VIEW relay_by_client AS
SELECT f.client_ip AS client_ip, f.kind AS kind,
       count(*) AS messages, sum(f.recipients) AS recipients,
       sum(f.delivered) AS delivered, sum(f.deferred) AS deferred,
       sum(f.bounced) AS bounced,
       min(f.time) AS first_seen, max(f.time) AS last_seen
FROM findings f
GROUP BY f.client_ip, f.kind;

-- Relaying per SASL account.
CREATE VIEW relay_by_account AS
SELECT f.auth_user AS auth_user, f.kind AS kind,
       count(*) AS messages, sum(f.recipients) AS recipients,
       sum(f.delivered) AS delivered,
       count(DISTINCT f.client_ip) AS client_ips,
       min(f.time) AS first_seen, max(f.time) AS last_seen
FROM findings f
WHERE f.auth_user IS NOT NULL
GROUP BY f.auth_user, f.kind;

-- Findings per hour (UTC).
CREATE VIEW timeline_hourly AS
SELECT strftime('%Y-%m-%dT%H:00Z', f.epoch, 'unixepoch') AS hour,
       f.kind AS kind, count(*) AS messages,
       sum(f.recipients) AS recipients
FROM findings f
GROUP BY hour, f.kind;

-- First and last abuse per client IP (accepted relaying only).
CREATE VIEW abuse_window AS
SELECT f.client_ip AS client_ip, min(f.time) AS first_abuse,
       max(f.time) AS last_abuse, count(*) AS messages
FROM findings f
WHERE f.kind IN ('open-relay', 'trusted-relay', 'auth-relay',
    'address-trick')
GROUP BY f.client_ip;
