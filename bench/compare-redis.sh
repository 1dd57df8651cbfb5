#!/usr/bin/env bash
# Magpie against redis-server and Garnet on this machine, in the same run, alternating between the
# servers, and the median of the rounds. The machine is shared and noisy: compare the ratios of one
# run, never figures from two runs.
#
#   bench/compare-redis.sh [--short|--full] [--rounds N] [--tests set,get] [--extra lpush,...|""]
#                          [--skip-memory] [--skip-syscalls] [--no-garnet]
#
# Throughput: redis-benchmark -c 50 -r 100000 for SET/GET and the six extra tests
# (lpush,lpop,sadd,hset,zadd,lrange_100) at -P 1 and -P 16: requests/s, p50/p99 and each server's
# CPU time per request (user+sys from /proc/PID/stat before and after). Then bench/memory.sh (memory
# per key, RSS under maxmemory, a deleted large value, idle RSS) and bench/syscalls.sh (syscalls per
# request at -P 1). --short (about a minute) runs one round with few requests and smaller memory
# loads, for trying a change; --full (the default) is the issue's measurement: 3 rounds, 1M keys,
# 1 GB of overwrites, a 400 MB value.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/servers.sh

mode=full
rounds=""
tests="set,get"
skip_memory=0
skip_syscalls=0
extra_tests="${MAGPIE_BENCH_EXTRA_TESTS:-lpush,lpop,sadd,hset,zadd,lrange_100}"
while [ $# -gt 0 ]; do
  case "$1" in
    --short) mode=short; shift ;;
    --full) mode=full; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --extra) extra_tests=$2; shift 2 ;;
    --skip-memory) skip_memory=1; shift ;;
    --skip-syscalls) skip_syscalls=1; shift ;;
    --no-garnet) export BENCH_NO_GARNET=1; shift ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done
if [ "$mode" = short ]; then
  rounds=${rounds:-1}; n1=20000; n16=200000; n16_extra=100000
else
  rounds=${rounds:-3}; n1=200000; n16=2000000; n16_extra=1000000
fi

bench_init
export BENCH_SKIP_BUILD=1 GARNET="${GARNET:-}" BENCH_NO_GARNET="${BENCH_NO_GARNET:-}"
servers=$(bench_servers)

echo "# Magpie vs redis-server${GARNET:+ vs Garnet}, $(date -u +%Y-%m-%dT%H:%M:%SZ), $mode mode"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2), dotnet $(dotnet --version)${GARNET:+, garnet-server $("$GARNET" --version 2>/dev/null | head -n 1)}, $rounds alternating rounds, median shown"
echo "# MAGPIE_BENCH_ENV=${MAGPIE_BENCH_ENV:-}"
echo

declare -A port pid
for who in $servers; do start_server "$who"; port[$who]=$SERVER_PORT; pid[$who]=$SERVER_PID; done

# One redis-benchmark run; prints "rps p50 p99 cpu_us_per_request".
run_bench() {
  local p=$1 pr=$2 t=$3 pipeline=$4 n=$5 before after line hz
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$pr")
  line=$(redis-benchmark -p "$p" -t "$t" -c 50 -n "$n" -P "$pipeline" -r 100000 --csv 2>/dev/null | tail -n 1 | tr -d '"')
  after=$(cpu_ticks "$pr")
  echo "$line" | awk -F, -v d=$((after - before)) -v hz="$hz" -v n="$n" '{printf "%s %s %s %.2f\n", $2, $5, $7, d*1e6/hz/n}'
}

compare() {
  local pipeline=$2 n=$3 t who tmp
  for t in ${1//,/ }; do
    tmp=$(mktemp -d)
    for _ in $(seq 1 "$rounds"); do
      for who in $servers; do run_bench "${port[$who]}" "${pid[$who]}" "$t" "$pipeline" "$n" >> "$tmp/$who"; done
    done
    declare -A rps p50 p99 cpu
    for who in $servers; do
      rps[$who]=$(awk '{print $1}' "$tmp/$who" | median); p50[$who]=$(awk '{print $2}' "$tmp/$who" | median)
      p99[$who]=$(awk '{print $3}' "$tmp/$who" | median); cpu[$who]=$(awk '{print $4}' "$tmp/$who" | median)
    done
    for who in $servers; do
      printf "| %-10s | %3s | %-6s | %10.0f | %6s | %7s | %6s | %7s | %7s | %7s | %7s |\n" "$t" "$pipeline" "$who" \
        "${rps[$who]}" "${p50[$who]}" "${p99[$who]}" "${cpu[$who]}" \
        "$(ratio "${rps[$who]}" "${rps[redis]}")" "$( [ -n "$GARNET" ] && ratio "${rps[$who]}" "${rps[garnet]}" || echo -)" \
        "$(ratio "${p99[$who]}" "${p99[redis]}")" "$(ratio "${cpu[$who]}" "${cpu[redis]}")"
    done
    rm -rf "$tmp"
  done
}

echo "Ratios are this server's figure over redis-server's (or Garnet's) in the same run: rps > 1 is faster; p99 and cpu < 1 are better."
echo
echo "| test       |  -P | server |        rps | p50 ms |  p99 ms | cpu us | rps/red | rps/gar | p99/red | cpu/red |"
echo "|------------|-----|--------|------------|--------|---------|--------|---------|---------|---------|---------|"
compare "$tests" 1 "$n1"
compare "$tests" 16 "$n16"
if [ -n "$extra_tests" ]; then
  compare "$extra_tests" 1 "$n1"
  compare "$extra_tests" 16 "$n16_extra"
fi
bench_cleanup

if [ "$skip_memory" = 0 ]; then echo; bench/memory.sh "--$mode"; fi
if [ "$skip_syscalls" = 0 ]; then echo; bench/syscalls.sh "--$mode"; fi
