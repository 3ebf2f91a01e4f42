#!/bin/sh
# test_secrets.sh CORM MIG_SCRATCH ENGINE — nothing `corm` prints ever
# holds a password (issue 13). Every command that takes a schema, a
# folder or a database is run on its error paths with URLs carrying a
# marked password: typos taken for file names, unreachable hosts, a
# wrong password and a missing database on the engine's real server,
# DATABASE_URL, key=value strings, --opt=value spellings. All of stdout
# and stderr is searched for the password. On MySQL, a URL naming no
# database is refused with words saying what to add, by every command.
set -u
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
CORM=$(abs "$1")
SCRATCH=$(abs "$2")
ENGINE=$3
PW='Pw0rd-Xq7Zk'   # a password no message could hold by chance

T=$(mktemp -d "${TMPDIR:-/tmp}/corm-secrets-XXXXXX")
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
cd "$T" || exit 1
unset DATABASE_URL

fails=0
runs=0
# try ARGS...: run corm, fail if the password is in anything it printed
# or if it crashed (exit > 4).
try() {
	"$CORM" "$@" >out 2>err
	rc=$?
	runs=$((runs + 1))
	if cat out err | grep -q -- "$PW"; then
		echo "FAIL: password printed by: corm $*" | sed "s/$PW/<pw>/g"
		sed "s/^/    /" out err | head -5
		fails=$((fails + 1))
	elif [ $rc -gt 4 ]; then
		echo "FAIL: exit $rc from: corm $*" | sed "s/$PW/<pw>/g"
		fails=$((fails + 1))
	fi
}

printf 'model a {\n  id i64 @id\n  name string(20)\n}\n' > s.corm
mkdir -p m
"$CORM" migrate make --schema s.corm --dir m init >/dev/null 2>&1

# The engine's own server: a user and host that exist, so the wrong
# password reaches authentication; a database that does not exist.
case $ENGINE in
sqlite)
	real_host=127.0.0.1:1; scheme=postgres ;;
postgres)
	real_host=$(echo "$URL" | sed 's|^[a-z]*://[^@]*@\([^/]*\)/.*|\1|')
	scheme=postgres ;;
mysql)
	real_host=$(echo "$URL" | sed 's|^[a-z]*://[^@]*@\([^/]*\)/.*|\1|')
	scheme=mysql ;;
esac
user=$(echo "$URL" | sed -n 's|^[a-z]*://\([^:@]*\).*|\1|p')
[ -n "$user" ] || user=corm

urls="
$scheme://$user:$PW@$real_host/corm_no_such_db
$scheme://$user:$PW@$real_host/$(basename "$URL")
$scheme://$user:$PW@127.0.0.1:1/db
$scheme:/$user:$PW@$real_host/db
$scheme:$user:$PW@$real_host/db
${scheme}//$user:$PW@$real_host/db
$scheme://$user:p@$PW@$real_host/db
$scheme://$user:$PW@$real_host/db?sslmode=bogus
$scheme://$user@$real_host/db?password=$PW
host=127.0.0.1 port=1 password=$PW
"
old_ifs=$IFS
IFS='
'
for u in $urls; do
	try inspect --db "$u"
	try inspect "$u"
	try inspect --db="$u"
	try inspect --db "$u" --schema s.corm
	try check "$u"
	try check --format json "$u"
	try fmt "$u"
	try gen "$u" -o out.d
	try diff "$u" s.corm
	try diff s.corm "$u"
	try diff "$u" "$u"
	for sub in up down status check sql resolve; do
		try migrate $sub --dir m --db "$u"
		try migrate $sub --dir m --db="$u" --schema s.corm
		try migrate $sub "$u"
		DATABASE_URL=$u try migrate $sub --dir m
	done
	DATABASE_URL=$u try migrate check --dir m --schema s.corm
	try migrate make --schema "$u" --dir m x
	try migrate make --schema s.corm --dir "$u" x
	try migrate new --dir "$u" x
	try "$u"
	try migrate "$u"
done
IFS=$old_ifs
echo "ok: $runs runs searched for the password"

# A URL with a typo gets a hint that it looks like a URL.
"$CORM" check "$scheme:/$user:$PW@$real_host/db" >out 2>err
if grep -q "looks like a database URL" err; then
	echo "ok: typo URL hint"
else
	echo "FAIL: no hint for a URL taken for a file"; cat err
	fails=$((fails + 1))
fi

if [ "$ENGINE" = mysql ]; then
	nodb=$(echo "$URL" | sed 's|/[^/]*$||')
	for c in "migrate up --dir m --db" "migrate down --dir m --db" \
		"migrate status --dir m --db" \
		"migrate check --dir m --schema s.corm --db" \
		"inspect --db" "diff s.corm"; do
		# shellcheck disable=SC2086
		"$CORM" $c "$nodb" >out 2>err
		rc=$?
		if [ $rc -eq 2 ] && grep -q "names no database" err; then
			echo "ok: $c: URL without a database refused"
		else
			echo "FAIL: $c with no database: exit $rc"; cat out err
			fails=$((fails + 1))
		fi
	done
fi

[ $fails -eq 0 ] || { echo "$fails failures"; exit 1; }
