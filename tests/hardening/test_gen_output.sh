#!/bin/sh
# test_gen_output.sh CORM SCHEMA [CASE] — `corm gen` that fails to write its
# output leaves no file behind: no partial file, no temporary file, and
# not one file of the pair without the other.
#   1. a file-size limit smaller than the header: the first write fails;
#   2. DIR/<base>.c is a directory: the header could be written, the
#      source cannot, so neither may be left;
#   3. an invalid schema writes nothing (exit 3);
#   4. the control: the same command with room writes both files.
# CASE (1..4) runs one case only; default all.
set -u
corm=$1
schema=$2
only=${3:-}
base=$(basename "$schema" .corm)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# Files left in $1 other than those named in $2...
leftovers() {
	dir=$1
	shift
	( cd "$dir" && ls -A ) | while read -r f; do
		keep=no
		for k in "$@"; do [ "$f" = "$k" ] && keep=yes; done
		[ $keep = no ] && echo "$f"
	done
}

# 1. EFBIG on the first write. SIGXFSZ ignored so write() returns an error.
if [ -z "$only" ] || [ "$only" = 1 ]; then
out=$tmp/fsize
mkdir "$out"
( trap '' XFSZ; ulimit -f 1; "$corm" gen "$schema" -o "$out" ) 2>"$tmp/err1"
rc=$?
[ $rc -eq 2 ] || fail "file-size limit: exit $rc, want 2 ($(cat "$tmp/err1"))"
left=$(leftovers "$out")
[ -z "$left" ] || fail "file-size limit: left behind: $left"
fi

# 2. The header can be written, the source cannot.
if [ -z "$only" ] || [ "$only" = 2 ]; then
out=$tmp/half
mkdir -p "$out/$base.c"
"$corm" gen "$schema" -o "$out" 2>"$tmp/err2"
rc=$?
[ $rc -eq 2 ] || fail "source name taken: exit $rc, want 2 ($(cat "$tmp/err2"))"
left=$(leftovers "$out" "$base.c")
[ -z "$left" ] || fail "source name taken: left behind: $left (a header without its source)"
fi

# 3. An invalid schema.
if [ -z "$only" ] || [ "$only" = 3 ]; then
out=$tmp/bad
mkdir "$out"
printf 'model X { id strng @id }\n' >"$tmp/bad.corm"
"$corm" gen "$tmp/bad.corm" -o "$out" 2>/dev/null
rc=$?
[ $rc -eq 3 ] || fail "invalid schema: exit $rc, want 3"
left=$(leftovers "$out")
[ -z "$left" ] || fail "invalid schema: left behind: $left"
fi

# 4. Control: with room, both files and nothing else.
if [ -z "$only" ] || [ "$only" = 4 ]; then
out=$tmp/ok
mkdir "$out"
"$corm" gen "$schema" -o "$out" || fail "control: corm gen failed"
[ -s "$out/$base.h" ] && [ -s "$out/$base.c" ] || fail "control: files missing"
left=$(leftovers "$out" "$base.h" "$base.c")
[ -z "$left" ] || fail "control: extra files: $left"
fi

if [ $fails -eq 0 ]; then
	echo "ok: corm gen leaves no partial output"
	exit 0
fi
exit 1
