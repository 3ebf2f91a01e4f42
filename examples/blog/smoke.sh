#!/usr/bin/env bash
# smoke.sh — a scripted session against a running blog server: each
# request and its response are printed, and each response is checked
# (status and content). Exits 0 when every check passed, 1 otherwise.
#
#   examples/blog/smoke.sh http://127.0.0.1:8080          # the demo session
#   examples/blog/smoke.sh --full http://127.0.0.1:8080   # + hostile input
#
# The demo session works on any migrated database: what it creates is
# named with a run id, and its filters select only that. --full adds what
# the end-to-end test needs, and needs an empty database: malformed and
# hostile bodies, and injection attempts in every query parameter, which
# must be treated as data (a 400 or the right rows, never a 500).
# Needs curl and jq.
set -uo pipefail

FULL=0
if [[ ${1:-} == --full ]]; then FULL=1; shift; fi
BASE=${1:?usage: smoke.sh [--full] BASE_URL}
QUIET=${SMOKE_QUIET:-0}      # 1: print only failures and the summary
OUT=$(mktemp)
trap 'rm -f "$OUT" "$OUT".*' EXIT
fails=0 checks=0
RUN=${SMOKE_RUN:-$(date +%s)$$}   # names this run's authors and tags
C=c-$RUN ORM=orm-$RUN NEWS=news-$RUN

say() { (( QUIET )) || printf '%s\n' "$*"; }
fail() { fails=$((fails + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# The percent-encoded form of $1, for a query parameter.
enc() { jq -rn --arg v "$1" '$v|@uri'; }

# call EXPECTED_STATUS METHOD PATH [BODY] [extra curl args...]
# BODY "@file" sends a file. The response body is left in $OUT.
call() {
    local expect=$1 method=$2 path=$3 body=${4-} status shown
    local args=(-s --max-time 60 -o "$OUT" -w '%{http_code}' -X "$method")
    shift 3; (( $# )) && shift
    if [[ -n $body ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
        shown=$body
        [[ $body == @* ]] && shown="<$(stat -c %s "${body#@}") bytes from ${body#@}>"
        (( ${#shown} > 200 )) && shown="${shown:0:200}..."
        say "> $method $path $shown"
    else
        say "> $method $path"
    fi
    status=$(curl "${args[@]}" "$@" "$BASE$path") || status="curl-failed"
    say "< $status $(head -c 600 "$OUT")"
    checks=$((checks + 1))
    if [[ $status != "$expect" ]]; then
        fail "$method $path: expected $expect, got $status: $(head -c 300 "$OUT")"
        return 1
    fi
    return 0
}

# check JQ_EXPR EXPECTED: the last response's value (compact JSON).
check() {
    local got
    got=$(jq -c "$1" "$OUT" 2>/dev/null) || got="<not JSON>"
    checks=$((checks + 1))
    [[ $got == "$2" ]] || fail "last response: $1 is $got, expected $2"
}

# get_id: the "id" of the last response.
get_id() { jq -r .id "$OUT"; }

# ------------------------------------------------------ the demo session
say "== health"
call 200 GET /health && check .ok true

say "== authors"
call 201 POST /authors "{\"email\":\"ann-$RUN@example.com\",\"name\":\"Ann\",\"bio\":\"Writes C.\"}"
ANN=$(get_id); check .name '"Ann"'
call 201 POST /authors "{\"email\":\"bob-$RUN@example.com\",\"name\":\"Bob\"}"
BOB=$(get_id); check .bio null

say "== posts with tags (one transaction each)"
call 201 POST /posts "{\"author_id\":$ANN,\"title\":\"Hello, corm\",\"body\":\"Typed queries in C.\",\"status\":\"published\",\"tags\":[\"$C\",\"$ORM\"]}"
P1=$(get_id); check .tags "[\"$C\",\"$ORM\"]"; check '.published_at != null' true
call 201 POST /posts "{\"author_id\":$ANN,\"title\":\"Draft notes\",\"body\":\"Not yet.\",\"tags\":[\"$C\"]}"
P2=$(get_id); check .status '"draft"'; check .published_at null
call 201 POST /posts "{\"author_id\":$BOB,\"title\":\"Bob's post\",\"body\":\"Hi.\",\"status\":\"published\",\"tags\":[\"$ORM\"]}"
P3=$(get_id); check .author.name '"Bob"'

say "== a comment"
call 201 POST "/posts/$P1/comments" '{"name":"Carol","body":"Nice!"}'
check .post_id "$P1"

say "== lists: filters, sorting, pagination"
call 200 GET "/posts?tag=$C" && check '[.total, (.items|map(.id))]' "[2,[$P2,$P1]]"
call 200 GET "/posts?author=$BOB" && check '[.items[].title]' '["Bob'"'"'s post"]'
call 200 GET "/posts?status=published&tag=$ORM&sort=title" &&
    check '[.items[].title]' '["Bob'"'"'s post","Hello, corm"]'
call 200 GET "/posts?q=corm&author=$ANN" && check '[.items[].id]' "[$P1]"
call 200 GET "/posts?author=$ANN&sort=id&limit=1&offset=1" &&
    check '[.total, .limit, .offset, [.items[].id]]' "[2,1,1,[$P2]]"
call 200 GET "/posts?tag=$ORM&sort=-title" && check '[.items[].id]' "[$P1,$P3]"

say "== one post, with author, tags and comments"
call 200 GET "/posts/$P1" &&
    check '[.author.name, .tags, [.comments[].name]]' "[\"Ann\",[\"$C\",\"$ORM\"],[\"Carol\"]]"

say "== update: publish, replace the tags"
call 200 PATCH "/posts/$P2" "{\"status\":\"published\",\"tags\":[\"$C\",\"$NEWS\"]}" &&
    check '[.status, .tags, .published_at != null]' "[\"published\",[\"$C\",\"$NEWS\"],true]"
call 200 GET "/tags?limit=100"
if [[ $(jq .total "$OUT") -le 100 ]]; then
    check "[.items[] | select(.name | endswith(\"-$RUN\")) | [.name, .posts]]" \
        "[[\"$C\",2],[\"$NEWS\",1],[\"$ORM\",2]]"
fi

say "== delete"
call 204 DELETE "/posts/$P3"
call 404 GET "/posts/$P3" && check .error.code '"not_found"'

say "== errors"
call 400 POST /posts '{"author_id": 1, "title": "Oops",' && check .error.code '"malformed_json"'
call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"T\",\"body\":\"B\",\"colour\":\"red\"}" &&
    check .error.message '"unknown field '"'"'colour'"'"'"'
call 400 POST /posts "{\"author_id\":\"$ANN\",\"title\":\"T\",\"body\":\"B\"}" &&
    check .error.message '"field '"'"'author_id'"'"' must be a positive integer"'
call 400 POST /posts "{\"author_id\":$ANN,\"body\":\"B\"}" &&
    check .error.message '"missing field '"'"'title'"'"'"'
call 409 POST /posts "{\"author_id\":$ANN,\"title\":\"Hello, corm\",\"body\":\"again\"}" &&
    check .error.code '"conflict"'
call 409 POST /posts '{"author_id":999999,"title":"Nobody","body":"B"}'
call 409 POST /authors "{\"email\":\"ann-$RUN@example.com\",\"name\":\"Ann again\"}"
head -c 100000 /dev/zero | tr '\0' x >"$OUT.big"
call 413 POST /posts "@$OUT.big" && check .error.code '"too_large"'
call 405 PUT "/posts/$P1" '{}' && check .error.code '"method_not_allowed"'
call 404 GET /nowhere

if (( FULL )); then
    say "== hostile bodies"
    call 400 POST /posts '[1,2,3]'
    call 400 POST /posts ''
    call 400 POST /posts 'null'
    call 400 POST /posts '{"author_id":1,"author_id":2,"title":"T","body":"B"}'
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":null,\"body\":\"B\"}"
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"a\\u0000b\",\"body\":\"B\"}"
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"$(printf 'x%.0s' {1..201})\",\"body\":\"B\"}"
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"T\",\"body\":\"B\",\"tags\":\"c\"}"
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"T\",\"body\":\"B\",\"tags\":[\"c\",\"c\"]}"
    call 400 POST /posts "{\"author_id\":$ANN,\"title\":\"T\",\"body\":\"B\",\"status\":\"live\"}"
    call 400 POST /posts "{\"author_id\":-5,\"title\":\"T\",\"body\":\"B\"}"
    call 400 POST /posts "{\"author_id\":1.5,\"title\":\"T\",\"body\":\"B\"}"
    call 400 POST /posts "$(printf '{"author_id":1,"title":"\xff\xfe","body":"B"}')"
    call 400 PATCH "/posts/$P1" '{"author_id":2}'
    call 404 PATCH /posts/999999 '{"title":"x"}'
    call 404 POST /posts/999999/comments '{"name":"n","body":"b"}'
    call 413 POST /posts "@$OUT.big" -H 'Transfer-Encoding: chunked'
    call 413 POST /posts "@$OUT.big" -H 'Expect:'    # no 100-continue
    # A title of exactly 200 characters, some of them 4 bytes long.
    long=$(printf 'é%.0s' {1..100})$(printf '😀%.0s' {1..100})
    call 201 POST /posts "{\"author_id\":$BOB,\"title\":\"$long\",\"body\":\"B\"}"
    call 204 DELETE "/posts/$(get_id)"

    say "== text that looks like SQL or patterns is data"
    # title, then a query q that must find exactly that post
    declare -A titles=(
        [pct]='100% sure' [us]='snake_case' [bs]='back\slash'
        [quote]="it's" [dq]='say "hi"' [uni]='naïve café ☕ 😀'
        [semi]='semi;--colon' [bang]='wow!'
    )
    declare -A ids
    for k in pct us bs quote dq uni semi bang; do
        body=$(jq -cn --arg t "${titles[$k]}" --argjson a "$BOB" \
            '{author_id:$a,title:$t,body:"b",tags:[$t|.[0:50]]}')
        call 201 POST /posts "$body" && ids[$k]=$(get_id)
        check .title "$(jq -cn --arg t "${titles[$k]}" '$t')"
    done
    for pair in 'pct:%' 'us:_' 'bs:\' 'quote:'"'" 'dq:"' 'uni:é' 'uni:😀' \
            'semi:;--' 'bang:!'; do
        k=${pair%%:*} q=${pair#*:}
        call 200 GET "/posts?q=$(enc "$q")" && check '[.items[].id]' "[${ids[$k]}]"
        call 200 GET "/posts?tag=$(enc "${titles[$k]}")" && check '[.items[].id]' "[${ids[$k]}]"
    done
    total_before=$(curl -s "$BASE/posts?limit=1" | jq .total)
    inject=("' OR '1'='1" "1; DROP TABLE post;--" "\"; DROP TABLE author; --"
        "%' OR 1=1 --" "\\' OR 1=1 #" "1) OR (1=1" "_%" "%%" "\\\\%"
        "' UNION SELECT id, email FROM author --" "😀'; --" $'a\tb'
        "Robert'); DROP TABLE comment;--")
    for v in "${inject[@]}"; do
        e=$(enc "$v")
        call 200 GET "/posts?q=$e" && check .total 0
        call 200 GET "/posts?tag=$e" && check .total 0
        call 400 GET "/posts?author=$e"
        call 400 GET "/posts?status=$e"
        call 400 GET "/posts?sort=$e"
        call 400 GET "/posts?limit=$e"
        call 400 GET "/posts?offset=$e"
        call 400 GET "/posts?$e=1"
        call 400 GET "/authors?limit=$e"
        call 400 GET "/tags?offset=$e"
        call 404 GET "/posts/$e"
    done
    call 400 GET "/posts?q=%FF%FE"          # not UTF-8
    call 400 GET "/posts?q="                # empty
    call 400 GET "/posts?q=a&q=b"           # repeated
    call 400 GET "/posts?limit=101"
    call 400 GET "/posts?limit=0"
    call 400 GET "/posts?offset=-1"
    call 400 GET "/posts?author=99999999999999999999"
    call 400 GET "/posts?sort=-title,id"
    call 200 GET "/posts?sort=-published_at&limit=100" && check .total "$total_before"
    call 200 GET /posts?limit=1 && check .total "$total_before"
    call 200 GET /health

    say "== concurrent writers (the pool, and retried transactions)"
    for i in $(seq 1 16); do
        curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST "$BASE/posts" \
            --data-binary "{\"author_id\":$ANN,\"title\":\"parallel $i\",\"body\":\"b\",\"tags\":[\"par\",\"t$((i % 3))\"]}" &
    done >"$OUT.par"
    wait
    checks=$((checks + 1))
    [[ $(sort -u "$OUT.par") == 201 ]] || fail "parallel creates: $(sort "$OUT.par" | uniq -c | tr '\n' ' ')"
    call 200 GET "/posts?tag=par&limit=100" && check .total 16
    call 204 DELETE "/authors/$ANN"
    call 200 GET "/posts?author=$ANN" && check .total 0
fi

if (( fails )); then
    printf 'smoke: %d of %d checks FAILED\n' "$fails" "$checks" >&2
    exit 1
fi
printf 'smoke: all %d checks passed\n' "$checks"
