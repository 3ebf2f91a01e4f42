#!/usr/bin/env bash
# `corm gen` on a schema whose C names would not compile: exit 3, one
# error per problem at its declaration, and no file written.
# Usage: check_gen_errors.sh CORM SCHEMA
set -euo pipefail
corm=$1
schema=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
"$corm" gen "$schema" -o "$out" 2>"$out/stderr" || rc=$?
fail() { echo "FAIL: $*"; cat "$out/stderr"; exit 1; }
[ "$rc" = 3 ] || fail "exit status $rc, expected 3"
[ ! -e "$out/names.h" ] && [ ! -e "$out/names.c" ] || fail "files were written"
grep -q "names.corm:1:7: error: the C name of this model, 'int', is a C keyword" "$out/stderr" || fail "keyword model not reported"
grep -q "names.corm:4:6: error: the C name of this enum, 'double', is a C keyword" "$out/stderr" || fail "keyword enum not reported"
grep -q "names.corm:6:7: error: the generated C name 'author_insert' of this model is already used by the model at line 5" "$out/stderr" || fail "clash not reported"
[ "$(grep -c ': error:' "$out/stderr")" = 3 ] || fail "expected exactly 3 errors"
echo "ok"
