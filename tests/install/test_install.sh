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
for h in migrate.h corm.h alloc.h driver.h sys/driver.h dialect.h buf.h arena.h types.h model.h pool.h query.h rel.h; do
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
echo "installed library, headers and corm.pc work from a plain cc build"

# Migrating from a program: libcorm-migrate, corm/migrate.h, corm-migrate.pc.
mkdir -p "$tmp/mig/20260101000000_init"
for d in sqlite postgres mysql; do
  echo "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT);" >"$tmp/mig/20260101000000_init/up.$d.sql"
  echo "DROP TABLE note;" >"$tmp/mig/20260101000000_init/down.$d.sql"
done
cat > "$tmp/migapp.c" <<'C'
#include <corm/corm.h>
#include <corm/migrate.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	corm_conn *db = NULL;
	size_t pending = 1;
	int rc = corm_conn_open(&db, "sqlite::memory:");

	if (rc == CORM_ESCHEME)
		return 0;
	if (rc == CORM_OK && argc > 1)
		rc = corm_migrate_up(db, argv[1], NULL, NULL);
	if (rc == CORM_OK)
		rc = corm_migrate_pending(&pending, db, argv[1]);
	if (rc == CORM_OK)
		rc = corm_exec(db, "INSERT INTO note (id, body) VALUES (1, 'x')");
	if (rc != CORM_OK)
		fprintf(stderr, "migrate: %s\n", corm_errmsg(db));
	corm_conn_close(db);
	return rc == CORM_OK && pending == 0 ? 0 : 1;
}
C
flags=$(pkg-config --cflags --libs corm-migrate)
cc -std=c11 -Wall -Wextra -Werror "$@" "$tmp/migapp.c" -o "$tmp/migapp" $flags
LD_LIBRARY_PATH=$libdir "$tmp/migapp" "$tmp/mig"
echo "libcorm-migrate and corm-migrate.pc migrate a database from a program"

# The downstream meson project of docs/codegen.md: corm gen at build time
# through find_program('corm'), linked through dependency('corm').
bindir=$(dirname "$(find "$tmp/root" -path '*/bin/corm' -print -quit)")
[ -x "$bindir/corm" ] || { echo "the corm tool was not installed"; exit 1; }
mkdir "$tmp/app2"
cat > "$tmp/app2/schema.corm" <<'CORM'
model Note {
    id    i64          @id @auto
    text  string(100)
}
CORM
cat > "$tmp/app2/meson.build" <<'MESON'
project('myapp', 'c', default_options: ['c_std=c11'])

corm_dep = dependency('corm')
corm_exe = find_program('corm')

models = custom_target('models',
  input: 'schema.corm',
  output: ['schema.h', 'schema.c'],
  command: [corm_exe, 'gen', '@INPUT@', '-o', '@OUTDIR@'])

executable('myapp', 'main.c', models, dependencies: corm_dep)
MESON
cat > "$tmp/app2/main.c" <<'C'
#include <stdio.h>

#include "schema.h"

int main(void)
{
	corm_conn *db = NULL;
	note n;
	int rc = corm_conn_open(&db, "sqlite::memory:");

	if (rc == CORM_ESCHEME) /* built without SQLite */
		return 0;
	if (rc != CORM_OK ||
		corm_exec(db, "CREATE TABLE note (id INTEGER PRIMARY KEY "
			"AUTOINCREMENT, text VARCHAR(100) NOT NULL)") != CORM_OK)
		return 1;
	note_init(&n);
	n.text = CORM_STR("hello");
	rc = note_insert(db, &n);
	corm_conn_close(db);
	return rc == CORM_OK && n.id == 1 ? 0 : 1;
}
C
sanitize=none
for f in "$@"; do
  case $f in -fsanitize=*) sanitize=${f#-fsanitize=};; esac
done
(
  cd "$tmp/app2"
  export PATH="$bindir:$PATH" LD_LIBRARY_PATH=$libdir
  meson setup build -Db_sanitize="$sanitize" -Db_lundef=false >setup.log 2>&1 ||
    { cat setup.log; exit 1; }
  meson compile -C build >compile.log 2>&1 || { cat compile.log; exit 1; }
  ./build/myapp
)
echo "a downstream meson project runs corm gen and links corm through pkg-config"

# The README's first snippet, as a newcomer runs it: its schema, corm gen,
# corm migrate make, its C code in a main(), on a fresh SQLite file.
readme=$(dirname "$0")/../../README.md
mkdir "$tmp/readme"
awk '/^\/\/ blog.corm$/{on=1; next} on && /^```/{exit} on' "$readme" >"$tmp/readme/blog.corm"
awk '/^#include <corm\/migrate.h>$/{on=1} on && /^```/{exit} on' "$readme" >"$tmp/readme/body.c"
grep -q 'corm_migrate_up' "$tmp/readme/body.c" || { echo "README snippet not found"; exit 1; }
{
  echo '#include <stdio.h>'
  echo '#include <stdlib.h>'
  sed -n '/^#include/p' "$tmp/readme/body.c"
  echo 'int main(void)'
  echo '{'
  sed '/^#include/d' "$tmp/readme/body.c"
  echo 'return 0;'
  echo '}'
} >"$tmp/readme/main.c"
(
  cd "$tmp/readme"
  export LD_LIBRARY_PATH=$libdir
  "$bindir/corm" gen blog.corm -o . >/dev/null
  "$bindir/corm" migrate make --schema blog.corm init >/dev/null
  cc -std=c11 -Wall -Wextra -Werror "$@" -I. main.c blog.c -o readme_app \
    $(pkg-config --cflags --libs corm-migrate)
  out=$(DATABASE_URL=sqlite:fresh.db ./readme_app)
  [ -z "$out" ] || { echo "README snippet printed: $out"; exit 1; }
  # Again on the same file: the email is taken now.
  out=$(DATABASE_URL=sqlite:fresh.db ./readme_app)
  [ "$out" = taken ] || { echo "README snippet, second run: '$out'"; exit 1; }
)
echo "the README's first snippet migrates a fresh database and runs"
