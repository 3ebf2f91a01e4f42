#!/usr/bin/env bash
# A downstream user's view of `meson install`: install into a temporary
# destdir, then build and run a program against it using only pkg-config.
# Usage: test_install.sh BUILD_DIR [EXTRA_CFLAGS...]  (sanitizer flags, when
# the library was built with them)
set -euo pipefail
build=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet
pc=$(find "$tmp/root" -name corm.pc -print -quit)
[ -n "$pc" ] || { echo "corm.pc was not installed"; exit 1; }
for h in corm.h driver.h dialect.h buf.h arena.h types.h model.h pool.h; do
  [ -n "$(find "$tmp/root" -path "*/include/corm/$h" -print -quit)" ] ||
    { echo "header corm/$h was not installed"; exit 1; }
done

cat > "$tmp/app.c" <<'C'
#include <corm/corm.h>
#include <stdio.h>

int main(void)
{
	corm_conn *c = NULL;
	int rc = corm_conn_open(&c, "sqlite::memory:");

	if (rc == CORM_ESCHEME) /* built without SQLite: linking was the test */
		return 0;
	if (rc != CORM_OK) {
		fprintf(stderr, "open: %s\n", corm_errmsg(NULL));
		return 1;
	}
	rc = corm_exec(c, "CREATE TABLE t (x INTEGER)");
	corm_conn_close(c);
	return rc == CORM_OK && corm_runtime_version() == CORM_RUNTIME_VERSION
		? 0 : 1;
}
C
export PKG_CONFIG_PATH=$(dirname "$pc")
# The .pc names /usr/local paths; the sysroot points them into the destdir.
export PKG_CONFIG_SYSROOT_DIR=$tmp/root
flags=$(pkg-config --cflags --libs corm)
cc -std=c11 -Wall -Wextra -Werror "$@" "$tmp/app.c" -o "$tmp/app" $flags
libdir=$tmp/root$(pkg-config --variable=libdir corm | sed "s|^$tmp/root||")
LD_LIBRARY_PATH=$libdir "$tmp/app"
echo "installed library, headers and corm.pc work from a downstream build"
