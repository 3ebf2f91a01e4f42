#!/bin/sh
# test_cli.sh CORM SRCDIR — the `corm` tool's exit codes and output for
# check, fmt, help and version. SRCDIR is tests/schema in the source tree.
# Exit codes (DESIGN.md): 0 ok, 1 difference found, 2 usage or unreadable
# file, 3 invalid schema.
set -u
CORM=$1
SRC=$2
case $CORM in /*) ;; *) CORM=$(pwd)/$CORM ;; esac
case $SRC in /*) ;; *) SRC=$(pwd)/$SRC ;; esac
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect CODE CMD... : run CMD (stdout/stderr to $TMP/out, $TMP/err).
expect() {
	want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want"
		sed 's/^/  stderr: /' "$TMP/err" >&2
	fi
}

contains() { # FILE TEXT
	grep -qF -- "$2" "$1" || fail "$1 does not contain '$2'"
}

lacks() { # FILE TEXT
	if grep -qF -- "$2" "$1"; then fail "$1 contains '$2'"; fi
}

# --- global options and dispatch
expect 0 "$CORM" --help
contains "$TMP/out" "check SCHEMA.corm"
contains "$TMP/out" "fmt SCHEMA.corm [--check]"
contains "$TMP/out" "gen SCHEMA.corm"
# Every command --help lists exists and answers its own --help.
for cmd in $(sed -n '/^Commands:/,/^$/p' "$TMP/out" | awk 'NR > 1 && NF { print $1 }'); do
    expect 0 "$CORM" "$cmd" --help
done
expect 0 "$CORM" -h
expect 0 "$CORM" help
expect 0 "$CORM" --version
grep -qE '^corm [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out" || fail "--version: $(cat "$TMP/out")"
expect 2 "$CORM"
expect 2 "$CORM" --bogus
expect 2 "$CORM" frobnicate
expect 2 "$CORM" chek "$SRC/schemas/blog.corm"
contains "$TMP/err" "did you mean 'check'?"
expect 0 "$CORM" help check
contains "$TMP/out" "Usage: corm check"
expect 0 "$CORM" check --help
contains "$TMP/out" "Usage: corm check"
expect 0 "$CORM" fmt -h
contains "$TMP/out" "Usage: corm fmt"
expect 2 "$CORM" help nosuch
expect 2 "$CORM" help check fmt

# --- check
expect 0 "$CORM" check "$SRC/schemas/blog.corm"
[ -s "$TMP/err" ] && fail "check of a valid schema printed: $(cat "$TMP/err")"
expect 0 "$CORM" check - <"$SRC/schemas/relations.corm"
expect 3 "$CORM" check "$SRC/bad/unknown_names.corm"
contains "$TMP/err" "error: unknown type 'strng' (did you mean 'string'?)"
expect 2 "$CORM" check
expect 2 "$CORM" check "$TMP/does-not-exist.corm"
contains "$TMP/err" "cannot read"
expect 2 "$CORM" check "$TMP"
expect 2 "$CORM" check --frob "$SRC/schemas/blog.corm"
expect 2 "$CORM" check "$SRC/schemas/blog.corm" "$SRC/schemas/blog.corm"
expect 2 "$CORM" check --format yaml "$SRC/schemas/blog.corm"
expect 0 "$CORM" check --format json "$SRC/schemas/blog.corm"
contains "$TMP/out" '"valid": true'
expect 3 "$CORM" check --format=json "$SRC/bad/unknown_names.corm"
contains "$TMP/out" '"valid": false'
contains "$TMP/out" '"line": 6, "column": 11'
expect 0 "$CORM" check -- "$SRC/schemas/blog.corm"
# A warning alone is not a failure.
printf 'model A {\n  id i64 @id @unique\n}\n' >"$TMP/warn.corm"
expect 0 "$CORM" check "$TMP/warn.corm"
contains "$TMP/err" "warning:"

# Golden stderr: the same text the library test compares.
for f in "$SRC"/bad/*.corm; do
	name=bad/$(basename "$f")
	(cd "$SRC" && "$CORM" check "$name") >/dev/null 2>"$TMP/golden"
	code=$?
	[ "$code" -eq 3 ] || fail "check $name exited $code, expected 3"
	cmp -s "$TMP/golden" "${f%.corm}.err" || {
		fail "check $name: stderr differs from ${f%.corm}.err"
		diff "${f%.corm}.err" "$TMP/golden" | head -20 >&2
	}
done

# --- fmt
cp "$SRC/schemas/messy.corm" "$TMP/messy.corm"
chmod 640 "$TMP/messy.corm"
expect 1 "$CORM" fmt --check "$TMP/messy.corm"
contains "$TMP/err" "not formatted"
cmp -s "$SRC/schemas/messy.corm" "$TMP/messy.corm" || fail "fmt --check wrote the file"
expect 0 "$CORM" fmt "$TMP/messy.corm"
cmp -s "$SRC/schemas/messy.fmt" "$TMP/messy.corm" || fail "fmt result differs from messy.fmt"
[ "$(stat -c %a "$TMP/messy.corm")" = 640 ] || fail "fmt changed the file mode"
ls -A "$TMP" | grep -q '^\.messy' && fail "fmt left a temporary file"
expect 0 "$CORM" fmt --check "$TMP/messy.corm"
expect 0 "$CORM" fmt "$TMP/messy.corm"
cmp -s "$SRC/schemas/messy.fmt" "$TMP/messy.corm" || fail "second fmt changed the file"
# Through a symlink: the target is rewritten, the link stays a link.
cp "$SRC/schemas/messy.corm" "$TMP/target.corm"
ln -s "$TMP/target.corm" "$TMP/link.corm"
expect 0 "$CORM" fmt "$TMP/link.corm"
[ -L "$TMP/link.corm" ] || fail "fmt replaced the symlink"
cmp -s "$SRC/schemas/messy.fmt" "$TMP/target.corm" || fail "fmt via symlink"
# stdin to stdout
expect 0 "$CORM" fmt - <"$SRC/schemas/messy.corm"
cmp -s "$SRC/schemas/messy.fmt" "$TMP/out" || fail "fmt - output differs"
expect 1 "$CORM" fmt --check - <"$SRC/schemas/messy.corm"
[ -s "$TMP/out" ] && fail "fmt --check - wrote to stdout"
expect 0 "$CORM" fmt --check - <"$SRC/schemas/messy.fmt"
# Invalid schemas are never formatted.
cp "$SRC/bad/syntax.corm" "$TMP/bad.corm"
expect 3 "$CORM" fmt "$TMP/bad.corm"
cmp -s "$SRC/bad/syntax.corm" "$TMP/bad.corm" || fail "fmt touched an invalid file"
contains "$TMP/err" "error:"
expect 3 "$CORM" fmt --check "$TMP/bad.corm"
expect 2 "$CORM" fmt
expect 2 "$CORM" fmt --wat "$TMP/messy.corm"
expect 2 "$CORM" fmt "$TMP/nope.corm"

# --- gen: files named after the schema, with the usual permissions
mkdir "$TMP/gen"
(umask 022 && "$CORM" gen "$SRC/schemas/blog.corm" -o "$TMP/gen") ||
	fail "gen blog.corm failed"
[ "$(stat -c %a "$TMP/gen/blog.h")" = 644 ] ||
	fail "gen wrote blog.h with mode $(stat -c %a "$TMP/gen/blog.h"), not 644"
[ -f "$TMP/gen/blog.c" ] || fail "gen wrote no blog.c"
expect 2 "$CORM" gen "$SRC/schemas/blog.corm" -o "$TMP/no/such/dir"

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "all CLI checks passed"
