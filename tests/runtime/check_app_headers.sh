#!/usr/bin/env bash
# The application headers do not expose driver internals (corm/sys/driver.h):
# with all of them included, the connection struct is still opaque and the
# driver vtable unknown, while the allocator (corm/alloc.h) is there.
# Usage: check_app_headers.sh SRC_ROOT CC [CC ARGS...]
set -euo pipefail
root=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-std=c11 -Wall -Wextra -Werror -fsyntax-only -I$root/orm/include"
app='#include <corm/corm.h>
#include <corm/arena.h>
#include <corm/batch.h>
#include <corm/buf.h>
#include <corm/dialect.h>
#include <corm/model.h>
#include <corm/pool.h>
#include <corm/query.h>
#include <corm/rel.h>
#include <corm/types.h>'
status=0
try() { # NAME SHOULD-COMPILE BODY
  printf '%s\n%s\n' "$app" "$3" > "$tmp/$1.c"
  # shellcheck disable=SC2086
  if "${cc[@]}" $flags "$tmp/$1.c" 2> "$tmp/$1.err"; then got=yes; else got=no; fi
  if [ "$got" = "$2" ]; then
    echo "ok   $1 (compiles: $got)"
  else
    echo "FAIL $1: compiles: $got, expected $2"; cat "$tmp/$1.err"; status=1
  fi
}
cc=("$@")
try allocator yes 'void *f(void); void *f(void) { char *p = corm_strdup("x"); corm_free(p); return corm_malloc(1); }'
try conn-is-opaque no 'int f(corm_conn *c); int f(corm_conn *c) { return c->tx_depth; }'
try no-vtable no 'int f(void); int f(void) { return (int)sizeof(corm_driver); }'
try no-driver-helpers no 'int f(corm_conn *c); int f(corm_conn *c) { return corm_conn__set_error(c, -1, 0, "x"); }'
exit $status
