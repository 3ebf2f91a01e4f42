#!/bin/sh
# run.sh FUZZER SEED_DIR [SECONDS] — fuzz for a bounded time (default 30 s)
# starting from SEED_DIR, without writing into it: new inputs go to a
# temporary directory that is deleted afterwards. Crashes are written to
# the current directory (crash-*), as libFuzzer does.
set -eu
fuzzer=$1
seeds=$2
secs=${3:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -print_final_stats=1 "$work" "$seeds"
