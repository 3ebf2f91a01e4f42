#!/usr/bin/env bash
# Type errors in query code are compile errors: every file in
# compile_fail/ except ok.c must fail to compile with -Werror, and ok.c
# must compile. Usage: check_compile_fail.sh GENERATED_DIR CC [CC ARGS...]
set -euo pipefail
gen=$1
shift
src=$(cd "$(dirname "$0")" && pwd)/compile_fail
inc="-I$gen -I$(cd "$(dirname "$0")/../../orm/include" && pwd)"
flags="-std=c11 -Wall -Wextra -Werror -fsyntax-only"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
# shellcheck disable=SC2086
if ! "$@" $flags $inc "$src/ok.c" 2>"$out"; then
  echo "FAIL ok.c does not compile (the harness is broken):"; cat "$out"; exit 1
fi
for f in "$src"/*.c; do
  [ "$(basename "$f")" = ok.c ] && continue
  # shellcheck disable=SC2086
  if "$@" $flags $inc "$f" 2>"$out"; then
    echo "FAIL $(basename "$f") compiled: $(head -1 "$f")"; status=1
  else
    echo "ok   $(basename "$f") is refused: $(grep -m1 'error:' "$out" | sed 's/^[^ ]* //')"
  fi
done
exit $status
