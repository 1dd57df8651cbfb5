#!/usr/bin/env bash
# Syscalls per request at -P 1: strace -c -f attached to each server (all its threads) during one
# redis-benchmark GET run (-c 50 -P 1). strace slows the server; the count per request is what matters.
#   bench/syscalls.sh [--short|--full] [--test get]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/servers.sh
n=100000; test=get
while [ $# -gt 0 ]; do
  case "$1" in --short) n=20000; shift ;; --full) n=100000; shift ;; --test) test=$2; shift 2 ;; *) echo "unknown option $1"; exit 2 ;; esac
done
bench_init
servers=$(bench_servers)
tmp=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$tmp"' EXIT
echo "# syscalls per request, $test -c 50 -P 1 -n $n, $(date -u +%Y-%m-%dT%H:%M:%SZ), MAGPIE_BENCH_ENV=${MAGPIE_BENCH_ENV:-}"
echo
echo "| server | syscalls/request | top calls per request |"
echo "|---|---|---|"
declare -A per
for who in $servers; do
  start_server "$who"
  redis-benchmark -p "$SERVER_PORT" -t "$test" -c 50 -n 5000 -r 100000 -q >/dev/null 2>&1 # warm up (JIT)
  strace -c -f -q -p "$SERVER_PID" -o "$tmp/strace.$who" &
  st=$!
  sleep 1
  redis-benchmark -p "$SERVER_PORT" -t "$test" -c 50 -n "$n" -r 100000 -q >/dev/null 2>&1
  kill -INT "$st"; wait "$st" 2>/dev/null || true
  stop_server "$SERVER_PID"
  # strace -c: "% time seconds usecs/call calls errors syscall"; the total line's calls column.
  total=$(awk '$NF=="total" {print $(NF-2)}' "$tmp/strace.$who" | head -n 1)
  per[$who]=$(awk -v t="${total:-0}" -v n="$n" 'BEGIN {printf "%.2f", t/n}')
  top=$(awk '$1 ~ /^[0-9.]+$/ && $NF!="total" {print $4, $NF}' "$tmp/strace.$who" \
    | sort -rn | head -n 4 | awk -v n="$n" '{printf "%s %.2f, ", $2, $1/n}' | sed 's/, $//')
  echo "| $who | ${per[$who]} | $top |"
done
echo
echo "magpie/redis: $(ratio "${per[magpie]:-}" "${per[redis]:-}")${GARNET:+, magpie/garnet: $(ratio "${per[magpie]:-}" "${per[garnet]:-}")}"
