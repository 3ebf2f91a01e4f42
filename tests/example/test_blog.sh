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
# 5. a NUL (%00) in the path or a query parameter is a 400; HEAD answers
#    as GET without the body; concurrent posts naming the same new tags
#    in different orders all succeed, with no deadlock (PostgreSQL's
#    count, read once the server's sessions have ended);
#    then `migrate check` again: hostile input changed no table;
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

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

log "a NUL (%00) in a query parameter or the path is refused"
[[ $(code "$BASE/posts?q=Hell%00zzz") == 400 ]] || { log "FAILED: ?q=Hell%00zzz was not 400"; exit 1; }
curl -s "$BASE/posts?tag=a%00b" | jq -e '.error.message | test("NUL")' >/dev/null ||
    { log "FAILED: ?tag=a%00b did not say why"; exit 1; }
[[ $(code "$BASE/posts/1%00") == 400 ]] || { log "FAILED: /posts/1%00 was not 400"; exit 1; }
[[ $(code -X POST -H 'Content-Type: application/json' -d '{}' "$BASE/authors?x=%00") == 400 ]] ||
    { log "FAILED: POST with %00 was not 400"; exit 1; }
[[ $(code "$BASE/posts?q=Hell%2500zzz") == 200 ]] || { log "FAILED: a literal %00 (%2500) was refused"; exit 1; }

log "HEAD answers as GET does, without the body"
for path in /posts /tags /health "/posts?limit=1"; do
    want=$(curl -s "$BASE$path" | wc -c)
    head=$(curl -s -I "$BASE$path")
    status=$(printf '%s' "$head" | sed -n '1s|^HTTP/[0-9.]* \([0-9]*\).*|\1|p')
    len=$(printf '%s' "$head" | tr -d '\r' | sed -n 's|^[Cc]ontent-[Ll]ength: *||p')
    [[ $status == 200 && $len == "$want" ]] ||
        { log "FAILED: HEAD $path gave $status, length '$len' (GET: $want bytes)"; exit 1; }
    # HTTP/1.0: the server closes the connection after the reply, so
    # curl sees at once whatever body came (none, else a HEAD bug).
    [[ $(curl -s --http1.0 -X HEAD --max-time 5 -o /dev/null -w '%{size_download}' "$BASE$path") == 0 ]] ||
        { log "FAILED: HEAD $path sent a body"; exit 1; }
done
[[ $(code -I "$BASE/posts/999999999") == 404 ]] || { log "FAILED: HEAD of a missing post was not 404"; exit 1; }
head=$(curl -s -I "$BASE/comments/1")
printf '%s' "$head" | head -1 | grep -q ' 405' && printf '%s' "$head" | grep -qi '^Allow: DELETE' ||
    { log "FAILED: HEAD /comments/1 was not a 405 with Allow"; exit 1; }
curl -s -I -X PUT "$BASE/posts" | tr -d '\r' | grep -qi '^Allow: GET, HEAD, POST$' ||
    { log "FAILED: the Allow header of /posts does not list HEAD"; exit 1; }

log "concurrent posts naming the same new tags in different orders"
deadlocks() {   # PostgreSQL's count of deadlocks in this database
    [[ $ENGINE == postgres ]] || { echo 0; return; }
    psql "$URL" -Atc "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
}
before=$(deadlocks)
author=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"tags-$$@example.com\",\"name\":\"Tagger\"}" "$BASE/authors" | jq -r .id)
[[ $author =~ ^[0-9]+$ ]] || { log "FAILED: could not create the author"; exit 1; }
orders=('"t5-X","t5-B","t5-C","t5-D","t5-E"' '"t5-E","t5-D","t5-C","t5-B","t5-X"'
        '"t5-C","t5-E","t5-X","t5-D","t5-B"' '"t5-D","t5-X","t5-E","t5-B","t5-C"')
pids=()
for round in 1 2 3; do
    for i in "${!orders[@]}"; do
        tags=${orders[$i]//t5-/t$round-$$-}
        curl -s -o "$WORK/tags-$round-$i.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
            -d "{\"author_id\":$author,\"title\":\"tags $round $i\",\"body\":\"b\",\"tags\":[$tags]}" \
            "$BASE/posts" >"$WORK/tags-$round-$i.code" &
        pids+=($!)
    done
done
wait "${pids[@]}"
for f in "$WORK"/tags-*.code; do
    [[ $(cat "$f") == 201 ]] || { log "FAILED: a concurrent post gave $(cat "$f"): $(cat "${f%.code}.out")"; exit 1; }
done
for round in 1 2 3; do
    n=$(curl -s "$BASE/tags?limit=100" | jq "[.items[] | select(.name | startswith(\"t$round-$$-\"))] | length")
    [[ $n == 5 ]] || { log "FAILED: round $round made $n tags, not 5"; exit 1; }
done

"$CORM" migrate check --db "$URL" --dir "$DIR/migrations" --schema "$DIR/blog.corm" ||
    { log "FAILED: the schema changed during the session"; exit 1; }

log "stopping the server"
kill -TERM "$PID"
rc=0; wait "$PID" || rc=$?
PID=
(( rc == 0 )) || { log "FAILED: the server exited with $rc"; exit 1; }
# Its sessions have ended, so their statistics are in.
if [[ $ENGINE == postgres ]]; then
    after=$before
    for _ in $(seq 1 20); do
        after=$(deadlocks); (( after > before )) && break; sleep 0.1
    done
    (( after == before )) || { log "FAILED: $((after - before)) deadlocks among the concurrent posts"; exit 1; }
fi
log "passed"
