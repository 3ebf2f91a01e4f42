#!/usr/bin/env bash
# The generated blog code must equal the reviewed golden files byte for
# byte. Usage: check_golden.sh GOLDEN_DIR GENERATED_FILE...
# With CORM_REGEN_GOLDEN=1 it copies the generated files over the golden
# ones instead (scripts/regen-golden does that for every golden file).
set -euo pipefail
golden=$1
shift
if [ "${CORM_REGEN_GOLDEN:-}" = 1 ]; then
  cp "$@" "$golden/"
  exit 0
fi
status=0
for f in "$@"; do
  g="$golden/$(basename "$f")"
  if ! diff -u "$g" "$f"; then
    echo "$(basename "$f") differs from $g: if the change is intended, run scripts/regen-golden and review the diff" >&2
    status=1
  fi
done
exit $status
