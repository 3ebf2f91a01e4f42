#!/usr/bin/env bash
# Hostile and extreme schemas through `corm gen`, the output compiled by
# gcc AND clang under -std=c11 -Wall -Wextra -Wpedantic -Werror (issue 13):
# extreme/hostile.corm (fixed cases) and what extreme/gen_extreme.py makes
# from SEED (500 fields, 150 models, random schemas with hostile comments,
# every extreme default, the longest names). A compiler that is missing
# fails the test: both must be installed (scripts/test installs clang).
# Usage: check_extreme.sh CORM PYTHON3 SEED INCLUDE_DIR (CORM_EXTREME_SEED
# in the environment overrides SEED, to try others)
set -euo pipefail
corm=$1 python=$2 seed=${CORM_EXTREME_SEED:-$3} inc=$4
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I"$out" -I"$inc" -c)
status=0
for cc in gcc clang; do
  if ! command -v "$cc" >/dev/null; then
    echo "FAIL $cc is not installed"; status=1
  fi
done
[ $status = 0 ] || exit 1
"$python" "$here/extreme/gen_extreme.py" "$seed" "$out"
cp "$here/extreme/hostile.corm" "$out/"
n=0
for schema in "$out"/*.corm; do
  name=$(basename "$schema" .corm)
  if ! "$corm" gen "$schema" -o "$out" 2>"$out/$name.err"; then
    echo "FAIL $name.corm (seed $seed): corm gen refused it:"
    head -20 "$out/$name.err"; status=1; continue
  fi
  for cc in gcc clang; do
    if ! "$cc" "${flags[@]}" "$out/$name.c" -o "$out/$name.$cc.o" \
        2>"$out/$name.$cc.log"; then
      echo "FAIL $name.c (seed $seed) does not compile with $cc:"
      head -20 "$out/$name.$cc.log"; status=1
    else
      n=$((n + 1))
    fi
  done
done
# The longest SQL must really be past a literal's limit, or this tests
# nothing: Wide's upsert is written as characters.
if ! grep -q '(const char\[\])' "$out/wide.c"; then
  echo "FAIL wide.c has no SQL over 4,095 bytes"; status=1
fi
echo "$n compilations of $(ls "$out"/*.corm | wc -l) schemas (seed $seed)"
exit $status
