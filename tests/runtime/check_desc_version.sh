#!/usr/bin/env bash
# Generated code checks the descriptor version both ways (model.h,
# CORM_DESC_VERSION): the golden blog.c compiles against these headers,
# and does not once the headers claim to be older than it (too old) or to
# no longer read its version (too new), each with its own #error.
# Usage: check_desc_version.sh SRC_ROOT CC [CC ARGS...]
set -euo pipefail
root=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-std=c11 -Wall -Wextra -Werror -fsyntax-only -I$root/tests/codegen/golden -I$root/orm/include"

# compile NAME PREAMBLE: blog.c after PREAMBLE; its diagnostics in $tmp/NAME.err
compile() {
  printf '%s\n#include "blog.c"\n' "$2" > "$tmp/$1.c"
  # shellcheck disable=SC2086
  "${cc[@]}" $flags "$tmp/$1.c" 2> "$tmp/$1.err"
}
cc=("$@")
status=0
if ! compile ok ''; then
  echo "FAIL blog.c does not compile against these headers:"; cat "$tmp/ok.err"; exit 1
fi
echo "ok   blog.c compiles against descriptor version headers it was made for"
check() { # NAME PREAMBLE EXPECTED-TEXT
  if compile "$1" "$2"; then
    echo "FAIL $1: blog.c compiled"; status=1
  elif ! grep -q "$3" "$tmp/$1.err"; then
    echo "FAIL $1: not the expected #error ($3):"; cat "$tmp/$1.err"; status=1
  else
    echo "ok   $1: $(grep -m1 'error:' "$tmp/$1.err" | sed 's/^[^ ]* //')"
  fi
}
check headers-too-old '#include <corm/model.h>
#undef CORM_DESC_VERSION
#define CORM_DESC_VERSION 0' 'these corm headers are older'
check headers-too-new '#include <corm/model.h>
#undef CORM_DESC_VERSION_MIN
#define CORM_DESC_VERSION_MIN 99' 'no longer read; run corm gen again'
exit $status
