#!/usr/bin/env bash
# test_blog.sh — the blog example end to end on one engine (meson runs it
# once per engine; see meson.build):
#
#   test_blog.sh ENGINE BLOG_SERVER CORM BLOG_SCRATCH EXAMPLE_DIR
#
# 1. a fresh database: a temporary SQLite file, or a scratch database on
#    the PostgreSQL / MySQL test server (blog_scratch; exit 77 skips when
#    the engine is not configured, unless CORM_REQUIRE_ENGINES=1); the
#    server must refuse to start on it before it is migrated;
# 2. `corm migrate up` with the shipped migrations, then `migrate check`:
#    the migrations give exactly the schema in blog.corm;
# 3. the server on a free port (--port 0; it prints the port), ready when
#    /health answers (bounded wait);
# 4. smoke.sh --full: every request checked;
# 5. `migrate check` again: hostile input changed no table;
# 6. SIGTERM: the server must exit 0 (under ASan, with no leak).
set -uo pipefail

ENGINE=$1 SERVER=$2 CORM=$3 SCRATCH=$4 DIR=$5
WORK=$(mktemp -d "${TMPDIR:-/tmp}/corm-blog-XXXXXX")
URL= PID=
log() { printf 'test_blog %s: %s\n' "$ENGINE" "$*"; }

cleanup() {
    local rc=$?
    if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
        kill -KILL "$PID" 2>/dev/null; wait "$PID" 2>/dev/null
    fi
    if [[ $ENGINE != sqlite && -n $URL ]]; then
        "$SCRATCH" "$ENGINE" drop "$URL" || log "could not drop the scratch database"
    fi
    if (( rc != 0 )) && [[ -s $WORK/server.err ]]; then
        log "server log (last 40 lines):"; tail -n 40 "$WORK/server.err"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

for tool in curl jq; do
    command -v "$tool" >/dev/null || { log "FAILED: $tool is not installed"; exit 1; }
done

if [[ $ENGINE == sqlite ]]; then
    URL="sqlite:$WORK/blog.db"
else
    URL=$("$SCRATCH" "$ENGINE"); rc=$?
    if (( rc != 0 )); then printf '%s\n' "$URL"; URL=; exit "$rc"; fi
fi

log "refusing to start on a database with no tables; usage errors"
rc=0; DATABASE_URL=$URL "$SERVER" --port 0 >/dev/null 2>"$WORK/server.err" || rc=$?
(( rc == 1 )) && grep -q 'Migrate first' "$WORK/server.err" ||
    { log "FAILED: started (or failed badly, $rc) without tables"; exit 1; }
"$SERVER" --help | grep -q '^Usage: blog-server' || { log "FAILED: --help"; exit 1; }
rc=0; "$SERVER" --port 70000 2>/dev/null || rc=$?
(( rc == 2 )) || { log "FAILED: --port 70000 gave $rc, not 2"; exit 1; }
rc=0; "$SERVER" --frobnicate 2>/dev/null || rc=$?
(( rc == 2 )) || { log "FAILED: an unknown option gave $rc, not 2"; exit 1; }

log "migrating"
"$CORM" migrate up --db "$URL" --dir "$DIR/migrations" || { log "FAILED: migrate up"; exit 1; }
"$CORM" migrate check --db "$URL" --dir "$DIR/migrations" --schema "$DIR/blog.corm" ||
    { log "FAILED: the migrations do not give blog.corm's schema"; exit 1; }

log "starting the server"
DATABASE_URL=$URL "$SERVER" --port 0 --threads 4 >"$WORK/server.out" 2>"$WORK/server.err" &
PID=$!
PORT=
for _ in $(seq 1 300); do          # up to 30 s to print its port
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/server.out")
    [[ -n $PORT ]] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
[[ -n $PORT ]] || { log "FAILED: the server did not start"; exit 1; }
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 50); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/health") == 200 ]] && break
    sleep 0.1
done

log "running the session at $BASE"
SMOKE_QUIET=1 "$DIR/smoke.sh" --full "$BASE" || { log "FAILED: the session"; exit 1; }
if grep -q ' -> 500 ' "$WORK/server.err"; then
    log "FAILED: the server answered 500:"; grep ' -> 500 ' "$WORK/server.err"; exit 1
fi

"$CORM" migrate check --db "$URL" --dir "$DIR/migrations" --schema "$DIR/blog.corm" ||
    { log "FAILED: the schema changed during the session"; exit 1; }

log "stopping the server"
kill -TERM "$PID"
rc=0; wait "$PID" || rc=$?
PID=
(( rc == 0 )) || { log "FAILED: the server exited with $rc"; exit 1; }
log "passed"
