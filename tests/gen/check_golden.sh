#!/usr/bin/env bash
# The generated blog code must equal the reviewed golden files byte for
# byte. Usage: check_golden.sh GOLDEN_DIR GENERATED_FILE...
# After an intended change to the generator: scripts/regen-golden, then
# review `git diff tests/gen/golden`.
set -euo pipefail
golden=$1
shift
status=0
for f in "$@"; do
  g="$golden/$(basename "$f")"
  if ! diff -u "$g" "$f"; then
    echo "$(basename "$f") differs from $g: if the change is intended, run scripts/regen-golden and review the diff" >&2
    status=1
  fi
done
exit $status
