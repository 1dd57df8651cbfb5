#!/usr/bin/env bash
# Runs redis-benchmark against Magpie and against a redis-server started here, in the same run,
# alternating, and prints requests/s, p50/p99 and the Magpie/Redis ratio; then loads 1,000,000
# keys (16-byte keys, 32-byte values) into each and prints memory per key (RSS delta).
#
#   bench/compare-redis.sh [--rounds N] [--tests set,get] [--extra lpush,...|""] [--skip-memory]
# The extra tests (default lpush,lpop,sadd,hset,zadd,lrange_100) run at -P 1 and -P 16 too.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
tests="set,get"
skip_memory=0
extra_tests="${MAGPIE_BENCH_EXTRA_TESTS:-lpush,lpop,sadd,hset,zadd,lrange_100}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --extra) extra_tests=$2; shift 2 ;;
    --skip-memory) skip_memory=1; shift ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done

command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null || ./scripts/install-test-deps.sh
dotnet build src/Magpie -c Release -nologo -v quiet >/dev/null
magpie_dll=src/Magpie/bin/Release/net10.0/magpie.dll

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start"; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

redis_port=$(free_port)
magpie_port=$(free_port)
redis-server --port "$redis_port" --save "" --appendonly no --daemonize no >/dev/null &
redis_pid=$!
env ${MAGPIE_BENCH_ENV:-} dotnet "$magpie_dll" server --port "$magpie_port" --http-port -1 --log-level Warning >/dev/null &
magpie_pid=$!
trap 'kill $redis_pid $magpie_pid 2>/dev/null || true' EXIT
wait_port "$redis_port"
wait_port "$magpie_port"

echo "# Magpie vs redis-server, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "# redis-server $(redis-server --version | awk '{print $3}' | cut -d= -f2), dotnet $(dotnet --version), $rounds alternating rounds, median shown"
echo

# One redis-benchmark run of one test; prints "rps p50 p99 cpu_us_per_request" where the last is the
# server's own CPU time (user+sys) per request: steadier than rps on a shared, noisy machine.
run_bench() {
  local port=$1 pid=$2 t=$3 pipeline=$4 n=$5
  local before after
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local line
  line=$(redis-benchmark -p "$port" -t "$t" -c 50 -n "$n" -P "$pipeline" -r 100000 --csv 2>/dev/null | tail -n 1 | tr -d '"')
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local hz; hz=$(getconf CLK_TCK)
  echo "$line" | awk -F, -v d=$((after - before)) -v hz="$hz" -v n="$n" '{printf "%s %s %s %.2f\n", $2, $5, $7, d*1e6/hz/n}'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

compare() {
  local pipeline=$2 n=$3
  for t in ${1//,/ }; do
    local tmp; tmp=$(mktemp -d)
    for _ in $(seq 1 "$rounds"); do
      run_bench "$magpie_port" "$magpie_pid" "$t" "$pipeline" "$n" >> "$tmp/magpie"
      run_bench "$redis_port" "$redis_pid" "$t" "$pipeline" "$n" >> "$tmp/redis"
    done
    col() { awk -v c="$2" '{print $c}' "$tmp/$1" | median; }
    local m_rps r_rps m_cpu r_cpu
    m_rps=$(col magpie 1); r_rps=$(col redis 1); m_cpu=$(col magpie 4); r_cpu=$(col redis 4)
    printf "| %-10s | %3s | %10.0f | %6s | %6s | %6s | %10.0f | %6s | %6s | %6s | %5.2fx | %5.2fx |\n" \
      "$t" "$pipeline" "$m_rps" "$(col magpie 2)" "$(col magpie 3)" "$m_cpu" "$r_rps" "$(col redis 2)" "$(col redis 3)" "$r_cpu" \
      "$(awk -v a="$m_rps" -v b="$r_rps" 'BEGIN {print a/b}')" "$(awk -v a="$m_cpu" -v b="$r_cpu" 'BEGIN {print (a>0)? b/a : 0}')"
    rm -rf "$tmp"
  done
}

echo "rps ratio = magpie/redis requests per second; cpu ratio = redis/magpie server CPU per request (>1: Magpie uses less)."
echo
echo "| test       |  -P | magpie rps | p50 ms | p99 ms | cpu us | redis rps  | p50 ms | p99 ms | cpu us | rps ratio | cpu ratio |"
echo "|------------|-----|------------|--------|--------|--------|------------|--------|--------|--------|-----------|-----------|"
compare "$tests" 1 200000
compare "$tests" 16 2000000
if [ -n "$extra_tests" ]; then
  compare "$extra_tests" 1 200000
  compare "$extra_tests" 16 1000000
fi

if [ "$skip_memory" = 0 ]; then
  echo
  echo "| memory: 1,000,000 keys (16 B keys, 32 B values) | magpie | redis | ratio |"
  echo "|---|---|---|---|"
  payload=$(mktemp)
  python3 - "$payload" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    value = b"v" * 32
    for i in range(1_000_000):
        key = b"k%015d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$16\r\n" + key + b"\r\n$32\r\n" + value + b"\r\n")
PY
  declare -A per_key
  # Fresh processes, so the throughput runs above don't leave a grown heap behind.
  kill "$redis_pid" "$magpie_pid" 2>/dev/null || true
  wait "$redis_pid" "$magpie_pid" 2>/dev/null || true
  redis-server --port "$redis_port" --save "" --appendonly no --daemonize no >/dev/null &
  redis_pid=$!
  env ${MAGPIE_BENCH_ENV:-} dotnet "$magpie_dll" server --port "$magpie_port" --http-port -1 --log-level Warning >/dev/null &
  magpie_pid=$!
  wait_port "$redis_port"
  wait_port "$magpie_port"
  for who in magpie redis; do
    if [ "$who" = magpie ]; then port=$magpie_port; pid=$magpie_pid; else port=$redis_port; pid=$redis_pid; fi
    sleep 1
    before=$(rss_kb "$pid")
    redis-cli -p "$port" --pipe < "$payload" >/dev/null
    sleep 2
    after=$(rss_kb "$pid")
    keys=$(redis-cli -p "$port" dbsize)
    per_key[$who]=$(awk -v a="$after" -v b="$before" -v k="$keys" 'BEGIN {printf "%.1f", (a-b)*1024/k}')
  done
  rm -f "$payload"
  printf "| RSS delta per key (bytes) | %s | %s | %.2fx |\n" "${per_key[magpie]}" "${per_key[redis]}" \
    "$(awk -v a="${per_key[magpie]}" -v b="${per_key[redis]}" 'BEGIN {print a/b}')"
fi
