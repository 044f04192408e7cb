#!/bin/sh
# A log read again later: grown since (the live mail.log), rotated, or
# rotated and compressed.  What a stored source held already is not read
# again: the database is the one a single read of the whole log makes,
# and a copy with nothing new adds nothing.  Sizes and line numbers come
# from head, wc and gzip here, not from the program.
. "${top_srcdir:-.}/tests/tap.sh"
S="$top_srcdir/samples/postfix"
RT=$RELAYTRACE
cf="$S/main.cf"
all=$(wc -l <"$S/mail.log")

# rows DB: the tables a run makes, without the sources.
rows() {
	for t in sessions messages recipients findings; do
		echo "== $t"
		"$RT" sql -d "$1" "SELECT * FROM $t ORDER BY id"
	done
	echo "== evidence"
	"$RT" sql -d "$1" "SELECT line, offset, time, event, session_id,
	    message_id, hex(text) FROM evidence ORDER BY line, id"
}
sq() {
	"$RT" sql -d "$1" "$2" | sed -n 2p
}

"$RT" ingest -q -d "$tmp/one.db" --mta-config "$cf" "$S/mail.log"
rows "$tmp/one.db" >"$tmp/one.rows"

# 1. The live log, read at 200 lines and again at its end.
head -n 200 "$S/mail.log" >"$tmp/mail.log"
b200=$(wc -c <"$tmp/mail.log")
"$RT" ingest -q -d "$tmp/g.db" --mta-config "$cf" "$tmp/mail.log"
cp "$S/mail.log" "$tmp/mail.log"
"$RT" ingest -d "$tmp/g.db" --mta-config "$cf" "$tmp/mail.log" \
    2>"$tmp/err"
is $? 0 "grown log: ingested again"
contains "$tmp/err" "starts with the content of source 1" \
    "grown log: says it continues source 1"
is "$(sq "$tmp/g.db" "SELECT continues || ' ' || from_line || ' ' || lines
    FROM sources WHERE id = 2")" "1 201 $((all - 200))" \
    "grown log: read from line 201, $((all - 200)) lines"
is "$(sq "$tmp/g.db" "SELECT content_bytes FROM sources WHERE id = 1")" \
    "$b200" "the first read's content: $b200 bytes, its 200 lines"
rows "$tmp/g.db" >"$tmp/g.rows"
ok "$(cmp -s "$tmp/one.rows" "$tmp/g.rows"; echo $?)" \
    "grown log: the database of one read, table by table"
"$RT" report -d "$tmp/g.db" >"$tmp/g.rep"
contains "$tmp/g.rep" "read from line 201 on: the lines before are those of" \
    "the report says where the second read began"

# 2. Rotated and compressed (mail.log.2.gz): nothing new.
gzip -c "$S/mail.log" >"$tmp/mail.log.2.gz"
"$RT" ingest -d "$tmp/g.db" --mta-config "$cf" "$tmp/mail.log.2.gz" \
    2>"$tmp/err"
is $? 0 "compressed rotation: exit 0"
contains "$tmp/err" "already ingested (its content is that of source 2" \
    "compressed rotation: the content is known"
is "$(sq "$tmp/g.db" "SELECT count(*) FROM sources")" 2 \
    "compressed rotation: no source added"
rows "$tmp/g.db" >"$tmp/g2.rows"
ok "$(cmp -s "$tmp/one.rows" "$tmp/g2.rows"; echo $?)" \
    "compressed rotation: nothing counted twice"

# 3. Rotated, compressed and grown, then the new log: 200 lines read,
# then a .gz of 300 (100 new), then the last lines as a new file.
rm -f "$tmp/r.db"
head -n 200 "$S/mail.log" >"$tmp/mail.log"
"$RT" ingest -q -d "$tmp/r.db" --mta-config "$cf" "$tmp/mail.log"
head -n 300 "$S/mail.log" | gzip -c >"$tmp/mail.log.1.gz"
sed -n '301,$p' "$S/mail.log" >"$tmp/mail.log"
"$RT" ingest -q -d "$tmp/r.db" --mta-config "$cf" "$tmp/mail.log.1.gz" \
    "$tmp/mail.log"
is $? 0 "rotated set: exit 0"
is "$(sq "$tmp/r.db" "SELECT group_concat(coalesce(continues, '-') || ':' ||
    from_line || ':' || lines, ' ') FROM (SELECT * FROM sources ORDER BY
    id)")" "-:1:200 1:201:100 -:1:$((all - 300))" \
    "rotated set: 200 lines, the .gz from line 201 (100), the new file"
rows "$tmp/r.db" | sed '/^== evidence/,$d' >"$tmp/r.rows"
sed '/^== evidence/,$d' "$tmp/one.rows" >"$tmp/one.noev"
ok "$(cmp -s "$tmp/one.noev" "$tmp/r.rows"; echo $?)" \
    "rotated set: the sessions, messages, recipients and findings of one read"
is "$(sq "$tmp/r.db" "SELECT count(*) FROM evidence")" \
    "$(sq "$tmp/one.db" "SELECT count(*) FROM evidence")" \
    "rotated set: as many evidence lines"

# 4. Cut in the middle of a line: the content known ends at the last
# newline; the next read takes up the cut line whole.
head -c $((b200 + 40)) "$S/mail.log" >"$tmp/cut.log"
rm -f "$tmp/c.db"
"$RT" ingest -q -d "$tmp/c.db" --mta-config "$cf" "$tmp/cut.log"
is "$(sq "$tmp/c.db" "SELECT content_bytes || ' ' || lines FROM sources")" \
    "$b200 201" "a cut last line is read, the content known ends before it"
cp "$S/mail.log" "$tmp/cut.log"
"$RT" ingest -q -d "$tmp/c.db" --mta-config "$cf" "$tmp/cut.log"
is "$(sq "$tmp/c.db" "SELECT from_line FROM sources WHERE id = 2")" 201 \
    "the next read begins with the cut line, whole"

# 5. The same first lines, then others: not a continuation.
{ head -n 100 "$S/mail.log"; sed -n '201,300p' "$S/mail.log"; } \
    >"$tmp/other.log"
"$RT" ingest -q -d "$tmp/g.db" --mta-config "$cf" "$tmp/other.log"
is "$(sq "$tmp/g.db" "SELECT coalesce(continues, '-') || ' ' || from_line ||
    ' ' || lines FROM sources WHERE path LIKE '%other.log'")" "- 1 200" \
    "same head, other content: read whole"

done_testing
