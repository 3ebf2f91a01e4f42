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
# libFuzzer's progress lines go to a log: a summary on success, the
# log's end (with the crash) on failure.
rc=0
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-max_len=8192 -print_final_stats=1 "$work" "$seeds" >"$work/log" 2>&1 ||
	rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$work/log"
	exit "$rc"
fi
grep -E '^Done|^stat::(number_of_executed_units|peak_rss_mb)' "$work/log"
