#!/bin/sh
# test_cli.sh CORM MIG_SCRATCH ENGINE — `corm migrate`, `diff` and
# `inspect` end to end on one engine: make (and its refusal of
# destructive changes), up with --dry-run, two concurrent ups applying
# each migration once, check for drift, status (text and JSON), an
# edited migration blocking up until resolved, sql, down to empty.
# Exit 77 (skip) when the engine is not configured.
set -u
# meson passes paths relative to the build directory; the test cds away.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
CORM=$(abs "$1")
SCRATCH=$(abs "$2")
ENGINE=$3

T=$(mktemp -d "${TMPDIR:-/tmp}/corm-mig-cli-XXXXXX")
URL=
cleanup() {
	if [ -n "$URL" ] && [ "$ENGINE" != sqlite ]; then
		"$SCRATCH" "$ENGINE" drop "$URL" >/dev/null 2>&1
	fi
	rm -rf "$T"
}
trap cleanup EXIT

if [ "$ENGINE" = sqlite ]; then
	URL="sqlite:$T/app.db"
else
	URL=$("$SCRATCH" "$ENGINE")
	rc=$?
	[ $rc -eq 0 ] || exit $rc
fi
export DATABASE_URL="$URL"
cd "$T" || exit 1

fails=0
check() { # NAME EXPECTED_RC ACTUAL_RC
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, expected $2"
		sed 's/^/    out: /' out 2>/dev/null
		sed 's/^/    err: /' err 2>/dev/null
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}
has() { # NAME FILE PATTERN
	if grep -q -- "$3" "$2"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: '$3' not in $2:"
		sed 's/^/    /' "$2"
		fails=$((fails + 1))
	fi
}
run() { "$CORM" "$@" >out 2>err; }
# `status --format json` parsed (docs/migrations.md has the shape):
# prints "state,state,...;blocked|free" and the first message.
json_status() {
	python3 -c 'import json, sys
d = json.load(open("out"))
assert sorted(d) == ["blocked", "migrations"], sorted(d)
keys = ["version", "name", "state", "applied_at", "blocks", "message"]
for m in d["migrations"]:
    for k in keys:
        assert k in m, (k, m)
    assert isinstance(m["blocks"], bool) and len(m["version"]) == 14
    assert (m["applied_at"] is None) == (m["state"] == "pending"), m
    assert (m["message"] is not None) == m["blocks"], m
    if m["state"] in ("failed", "interrupted"):
        assert isinstance(m["step"], int) and m["status"] != "applied", m
msgs = [m["message"] for m in d["migrations"] if m["message"]]
print(",".join(m["state"] for m in d["migrations"]) + ";" +
      ("blocked" if d["blocked"] else "free"))
print(msgs[0] if msgs else "")' >json.out 2>json.err
	rc=$?
	[ $rc -eq 0 ] || { echo "FAIL: status JSON does not parse:"; cat out json.err; fails=$((fails + 1)); }
	sed -n 1p json.out
}

cat >schema.corm <<'EOF'
enum Status { draft published }

model Author {
    id    i64 @id @auto
    name  string(100)
    email string(200) @unique
    bio   text?
}
EOF
run migrate make init --dry-run; check "make --dry-run" 0 $?
has "make --dry-run shows the SQL" out "CREATE TABLE"
[ ! -e migrations ] || [ -z "$(ls migrations)" ]; check "make --dry-run writes nothing" 0 $?
run migrate make init; check "make init" 0 $?
has "make prints the folder" out "Created migrations/"
n=$(ls migrations | wc -l); check "one folder" 1 "$n"
for f in up.sqlite.sql up.postgres.sql up.mysql.sql down.sqlite.sql \
	down.postgres.sql down.mysql.sql schema.corm; do
	[ -f migrations/*_init/$f ]; check "file $f" 0 $?
done
run migrate make nothing; check "make with no change" 0 $?
has "make says so" out "No changes"
n=$(ls migrations | wc -l); check "still one folder" 1 "$n"

sleep 1
cat >schema.corm <<'EOF'
enum Status { draft published archived }

model Author {
    id    i64 @id @auto
    name  string(100)
    email string(200) @unique
    bio   text?
}

model Post {
    id     i64 @id @auto
    author Author @on_delete(cascade)
    title  string(200)
    status Status @default(draft)
}
EOF
run migrate make posts; check "make posts" 0 $?
sleep 1
cat >>schema.corm <<'EOF'

model Tag {
    id    i32 @id @auto
    label string(40) @unique
}
EOF
run migrate make tags; check "make tags" 0 $?

if [ "$ENGINE" = sqlite ]; then
	# No database file yet: an error, and none is created.
	run migrate check; check "check before the file exists" 2 $?
	has "check names the missing file" err "no SQLite database at"
	[ ! -e app.db ] || { echo "FAIL: check created app.db"; fails=$((fails + 1)); }
	run migrate status; check "status before the file exists" 2 $?
else
	run migrate check; check "check before up: drift" 1 $?
	has "check names the change" err "create table author"
fi

run migrate up --dry-run; check "up --dry-run" 0 $?
has "dry run prints SQL" out "CREATE TABLE"
run migrate status; check "status, pending: exit 1" 1 $?
has "still pending after a dry run" out "pending"
run migrate status --format json; check "status json, pending" 1 $?
check "JSON: three pending" "pending,pending,pending;free" "$(json_status)"

# Two migrators at once: each migration runs exactly once, both exit 0.
"$CORM" migrate up >up1.out 2>up1.err &
p1=$!
"$CORM" migrate up >up2.out 2>up2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "first concurrent up" 0 $r1
check "second concurrent up" 0 $r2
applied=$(cat up1.out up2.out | grep -c ' ms)$')
check "each migration applied once (3 timed lines)" 3 "$applied"
cat up1.err up2.err

run migrate status --format json; check "status json" 0 $?
n=$(grep -o '"state": "applied"' out | wc -l)
check "three applied in JSON" 3 "$n"
check "JSON: three applied" "applied,applied,applied;free" "$(json_status)"
run migrate check; check "check after up" 0 $?
run diff schema.corm "$URL"; check "diff file db" 0 $?
[ ! -s out ]; check "no difference" 0 $?
run inspect --schema schema.corm; check "inspect" 0 $?
has "inspect shows Post" out "model Post"

# Destructive changes are refused, by name, without the flag.
sleep 1
sed -e '/bio   text?/d' -e 's/string(100)/string(50)/' schema.corm >s2
mv s2 schema.corm
run migrate make shrink; check "make destructive refused" 1 $?
has "refusal names the dropped column" err "drop column author.bio"
has "refusal names the narrowing" err "string(100) -> string(50)"
run migrate make shrink --allow-destructive; check "make --allow-destructive" 0 $?
run migrate up; check "up shrink" 0 $?
has "up prints name and time" out "_shrink ("

# An applied migration edited afterwards blocks up.
v=$(ls migrations | head -1 | cut -c1-14)
echo "-- edited" >>migrations/${v}_init/up.$ENGINE.sql
run migrate up; check "edited blocks up" 1 $?
has "edited is reported" err "was edited"
run migrate status; has "status shows edited" out "edited"
run migrate status --format json; check "status json, edited" 1 $?
check "JSON: edited blocks" "edited,applied,applied,applied;blocked" \
	"$(json_status)"
has "JSON: the message says what to do" json.out \
	"was edited after it was applied.*resolve $v --applied"
run migrate resolve "$v" --applied; check "resolve --applied" 0 $?
run migrate up; check "up after resolve" 0 $?

run migrate sql "$v" --dialect postgres; check "sql" 0 $?
has "sql prints the postgres file" out "GENERATED BY DEFAULT AS IDENTITY"

run migrate down; check "down 1" 0 $?
has "down prints the name" out "Reverted"
run migrate down 10; check "down all" 0 $?
run inspect; check "inspect empty" 0 $?
[ ! -s out ]; check "nothing but the history table" 0 $?
run migrate up 2; check "up 2" 0 $?
n=$(grep -c ' ms)$' out); check "two applied" 2 "$n"

# A migration that fails half-way.
run migrate new bad; check "migrate new" 0 $?
bad=$(ls -d migrations/*_bad)
bv=$(basename "$bad" | cut -c1-14)
printf 'CREATE TABLE mig_bad (id INTEGER PRIMARY KEY);\nINSERT INTO mig_no_such_table VALUES (1);\n' >"$bad/up.$ENGINE.sql"
run migrate up; check "failing migration" 4 $?
has "the failure names the statement" err "statement 2 of 2"
if [ "$ENGINE" = mysql ]; then
	run migrate status; has "marked failed" out "failed"
	run migrate status --format json; check "status json, failed" 1 $?
	json_status >/dev/null
	has "JSON: failed blocks" json.out "failed;blocked"
	has "JSON: the failure's message" json.out "is failed at statement 2"
	run migrate up; check "up refuses after a failure" 1 $?
	has "up says to resolve" err "migrate resolve $bv"
	run migrate resolve "$bv" --applied; check "resolve a failure" 0 $?
	run migrate up; check "up after resolving" 0 $?
	run migrate status; has "resolved as applied" out "applied  ${bv}_bad"
else
	run inspect; check "inspect after the failure" 0 $?
	if grep -q MigBad out; then
		echo "FAIL: the failed migration left its table"; fails=$((fails + 1))
	fi
	run migrate status; has "still pending" out "pending  ${bv}_bad"
	printf 'CREATE TABLE mig_bad (id INTEGER PRIMARY KEY);\n' >"$bad/up.$ENGINE.sql"
	run migrate up; check "fixed migration applies" 0 $?
fi

# A NUL byte in a migration file would cut its statement short (issue
# 13): up refuses the file before anything of it runs, naming the line.
sleep 1 # one migration a second: the version is the time
run migrate new nul; check "migrate new nul" 0 $?
nul=$(ls -d migrations/*_nul)
printf 'CREATE TABLE mig_nul_a (id INTEGER PRIMARY KEY);\nCREATE TABLE mig_nul_b (id INTEGER PRIMARY KEY)\0 trailing;\n' \
	>"$nul/up.$ENGINE.sql"
run migrate up; check "up refuses a NUL byte" 3 $?
has "the refusal names file and line" err "up.$ENGINE.sql line 2 holds a NUL byte"
run migrate status --format json; check "status json, NUL" 1 $?
json_status >/dev/null
has "JSON: the NUL file blocks" json.out "pending;blocked"
has "JSON: the NUL file's message" json.out "line 2 holds a NUL byte"
printf 'CREATE TABLE mig_nul_a (id INTEGER PRIMARY KEY);\n' >"$nul/up.$ENGINE.sql"
run migrate up; check "nothing of it ran: the fixed file applies" 0 $?

# A hand-written migration with compound statements (issue 13): a trigger
# body (SQLite, MySQL), a procedure (MySQL), a function (PostgreSQL). The
# migration uses them, and its CHECK fails unless the trigger fired twice.
sleep 1 # one migration a second: the version is the time
run migrate new compound; check "migrate new compound" 0 $?
cmp=$(ls -d migrations/*_compound)
{
	echo "CREATE TABLE cli_item (id INT PRIMARY KEY, qty INT NOT NULL);"
	echo "CREATE TABLE cli_log (what VARCHAR(10));"
	case $ENGINE in
	sqlite) cat <<'EOF'
CREATE TRIGGER cli_item_ai AFTER INSERT ON cli_item
BEGIN
  INSERT INTO cli_log VALUES ('one;');
  INSERT INTO cli_log VALUES (CASE WHEN NEW.qty > 1 THEN 'two' END);
END;
INSERT INTO cli_item VALUES (1, 2);
EOF
	;;
	mysql) cat <<'EOF'
CREATE TRIGGER cli_item_ai AFTER INSERT ON cli_item FOR EACH ROW
BEGIN
  INSERT INTO cli_log VALUES ('one;');
  IF NEW.qty > 1 THEN INSERT INTO cli_log VALUES ('two'); END IF;
END;
CREATE PROCEDURE cli_add(IN q INT)
BEGIN
  INSERT INTO cli_item VALUES (1, q);
END;
CALL cli_add(2);
EOF
	;;
	postgres) cat <<'EOF'
CREATE FUNCTION cli_log_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cli_log VALUES ('one;');
  INSERT INTO cli_log VALUES (CASE WHEN NEW.qty > 1 THEN 'two' END);
  RETURN NEW;
END $$;
CREATE TRIGGER cli_item_ai AFTER INSERT ON cli_item FOR EACH ROW
  EXECUTE FUNCTION cli_log_it();
INSERT INTO cli_item VALUES (1, 2);
EOF
	;;
	esac
	echo "CREATE TABLE cli_proof (n INT CHECK (n = 2));"
	echo "INSERT INTO cli_proof SELECT count(*) FROM cli_log WHERE what IN ('one;', 'two');"
} >"$cmp/up.$ENGINE.sql"
{
	echo "DROP TABLE cli_proof; DROP TABLE cli_log; DROP TABLE cli_item;"
	[ "$ENGINE" = mysql ] && echo "DROP PROCEDURE cli_add;"
	[ "$ENGINE" = postgres ] && echo "DROP FUNCTION cli_log_it;"
} >"$cmp/down.$ENGINE.sql"
run migrate up; check "up runs a compound migration" 0 $?
run migrate status; has "compound applied" out "applied  $(basename "$cmp")"
run migrate down; check "down reverts it" 0 $?
run migrate status; has "compound pending again" out "pending  $(basename "$cmp")"
rm -r "$cmp"

# MySQL: a table under a PAD SPACE collation (as corm made them before
# issue 12) is reported with the SQL that converts it; once that runs as
# a migration, nothing is reported.
if [ "$ENGINE" = mysql ]; then
	run migrate new to_pad; check "migrate new to_pad" 0 $?
	printf 'ALTER TABLE `author` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n' \
		>"$(ls -d migrations/*_to_pad)/up.mysql.sql"
	run migrate up; check "up to_pad" 0 $?
	run migrate check
	has "check warns of PAD SPACE" err "PAD SPACE"
	has "check prints the conversion" err 'ALTER TABLE `author` CONVERT TO CHARACTER SET utf8mb4'
	sed -n '/^SET foreign_key_checks = 0;$/,/^SET foreign_key_checks = 1;$/p' err >fix.sql
	sleep 1 # one migration a second: the version is the time
	run migrate new nopad; check "migrate new nopad" 0 $?
	cp fix.sql "$(ls -d migrations/*_nopad)/up.mysql.sql"
	run migrate up; check "up nopad" 0 $?
	run migrate check
	if grep -q "PAD SPACE" err; then
		echo "FAIL: still PAD SPACE after the conversion"; fails=$((fails + 1))
	else
		echo "ok: nothing to convert after the conversion"
	fi
fi

# A narrowing that rows do not fit is refused before any change, on
# every engine (MySQL too: no history row, nothing to resolve), with the
# rows counted; once the data is fixed, up runs (issue 13).
sleep 1
run migrate new seed; check "migrate new seed" 0 $?
printf "INSERT INTO author (name, email) VALUES ('a name of twenty ch', 'n@x');\n" \
	>"$(ls -d migrations/*_seed)/up.$ENGINE.sql"
run migrate up; check "up seed" 0 $?
sleep 1
sed 's/name  string(50)/name  string(10)/' schema.corm >s2
mv s2 schema.corm
run migrate make narrow --allow-destructive; check "make narrow" 0 $?
narrow=$(ls -d migrations/*_narrow)
run migrate up; check "narrowing refused (exit 4)" 4 $?
has "the refusal counts and says what would happen" err \
	'refused before any change: 1 row of "author" whose "name" is longer than 10 characters: changing "name" from string(50) to string(10) would cut them'
has "the refusal says to run up again" err "then run 'corm migrate up' again"
if grep -q "committed" err; then
	echo "FAIL: a refused migration is said to have committed something"
	fails=$((fails + 1))
fi
run migrate status; has "the narrowing is still pending" out "pending  $(basename "$narrow")"
{ echo "UPDATE author SET name = 'short' WHERE email = 'n@x';"
  cat "$narrow/up.$ENGINE.sql"; } >s2
mv s2 "$narrow/up.$ENGINE.sql"
run migrate up; check "up after the data is fixed" 0 $?
run inspect; check "inspect after the narrowing" 0 $?
has "the column is narrowed" out "name *string(10)"

for c in diff inspect migrate; do
	run $c --help; check "$c --help" 0 $?
done
run migrate bogus; check "unknown subcommand" 2 $?
run migrate up --db "$URL" --nope; check "unknown option" 2 $?
run migrate status --db="$URL"; check "--db=URL spelling" 0 $?

# Mistakes fail loudly (issue 16, point 5).
run migrate up --dir typo; check "up with a missing folder" 2 $?
has "missing folder named" err "no migrations folder 'typo'"
run migrate status --dir typo; check "status with a missing folder" 2 $?
for c in "inspect --db" "migrate status --db" "migrate check --db" \
	"migrate down --db" "diff schema.corm"; do
	# shellcheck disable=SC2086
	run $c sqlite:typo.db; check "$c sqlite:typo.db" 2 $?
	has "$c: no such SQLite file" err "no SQLite database at 'typo.db'"
	[ ! -e typo.db ] || { echo "FAIL: $c created typo.db"; fails=$((fails + 1)); rm -f typo.db; }
done
run inspect --db app.db; check "inspect --db without a scheme" 2 $?
has "did you mean sqlite:" err "did you mean sqlite:app.db?"
run migrate status --db app.db; check "migrate --db without a scheme" 2 $?
has "migrate: did you mean sqlite:" err "did you mean sqlite:app.db?"
run gen schema.corm -o missing/; check "gen into a missing folder" 2 $?
has "gen names the folder" err "output folder 'missing/' does not exist"
if grep -q '\.new' err; then
	echo "FAIL: gen names its temporary file"; fails=$((fails + 1))
fi
# The version after ...59 is the next minute, never ...60; a folder
# whose version is no time stops make.
mkdir vers && cp -r "$(ls -d migrations/*_init | head -1)" vers/29991231235959_a
run migrate new --dir vers next; check "new after ...59" 0 $?
[ -d vers/30000101000000_next ] && echo "ok: ...59 then 30000101000000" ||
	{ echo "FAIL: version after 29991231235959:"; ls vers; fails=$((fails + 1)); }
mv vers/29991231235959_a vers/29991331000000_a && rm -rf vers/30000101000000_next
run migrate new --dir vers next; check "new after a version that is no time" 3 $?
has "version no time named" err "29991331000000 is not a UTC time"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
exit 0
