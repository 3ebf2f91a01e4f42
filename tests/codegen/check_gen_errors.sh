#!/usr/bin/env bash
# `corm gen` on each schema in bad/ whose C names would not compile: exit
# 3, stderr exactly bad/NAME.err (every error, at its declaration), and no
# file written. CORM_REGEN_GOLDEN=1 rewrites the .err files instead.
# Usage: check_gen_errors.sh CORM   (run from anywhere)
set -euo pipefail
corm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for schema in bad/*.corm; do
  name=$(basename "$schema" .corm)
  rc=0
  "$corm" gen "$schema" -o "$out" 2>"$out/stderr" || rc=$?
  if [ "${CORM_REGEN_GOLDEN:-}" = 1 ]; then
    cp "$out/stderr" "bad/$name.err"
    continue
  fi
  if [ "$rc" != 3 ]; then
    echo "FAIL $schema: exit status $rc, expected 3"; status=1
  fi
  if ls "$out"/*.h "$out"/*.c >/dev/null 2>&1; then
    echo "FAIL $schema: files were written"; status=1
  fi
  if ! diff -u "bad/$name.err" "$out/stderr"; then
    echo "FAIL $schema: diagnostics differ from bad/$name.err"; status=1
  fi
done
exit $status
