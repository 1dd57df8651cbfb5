#!/usr/bin/env bash
# EVALSHA of a small script, XADD, PFADD and GEOSEARCH: redis-server 7.0.15 and a Magpie node side by
# side in one run, with redis-benchmark running arbitrary commands. Prints requests per second for
# each server and the ratio Magpie/redis; short by default (seconds), results in docs/performance.md.
#   bench/scripting-families.sh [requests-per-test (default 20000)] [pipeline (default 1)]
set -euo pipefail
set -f  # the commands hold "*" (XADD ids)
cd "$(dirname "$0")/.."
n=${1:-20000}
pipeline=${2:-1}

[ -n "${NO_BUILD:-}" ] || dotnet build src/Magpie -c Release -nologo -v quiet >/dev/null
magpie_dll=src/Magpie/bin/Release/net10.0/magpie.dll
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start"; exit 1; }

redis_port=$(free_port)
magpie_port=$(free_port)
redis-server --port "$redis_port" --save "" --appendonly no --daemonize no >/dev/null &
redis_pid=$!
dotnet "$magpie_dll" server --port "$magpie_port" --http-port -1 --log-level Warning >/dev/null &
magpie_pid=$!
trap 'kill $redis_pid $magpie_pid 2>/dev/null || true' EXIT
wait_port "$redis_port"
wait_port "$magpie_port"

script="return redis.call('incrby', KEYS[1], ARGV[1])"
for port in "$redis_port" "$magpie_port"; do
  redis-cli -p "$port" script load "$script" >/dev/null
  # 1,000 points around Palermo for GEOSEARCH to scan.
  for i in $(seq 0 999); do echo "GEOADD geo $(( 13 + i % 40 )).$(( 100 + i )) 38.$(( 100 + i % 37 )) m$i"; done | redis-cli -p "$port" >/dev/null
done
sha=$(redis-cli -p "$redis_port" script load "$script")

declare -A commands=(
  [evalsha]="EVALSHA $sha 1 counter:__rand_int__ 1"
  [xadd]="XADD stream * field __rand_int__"
  [pfadd]="PFADD hll el:__rand_int__"
  [geosearch]="GEOSEARCH geo FROMLONLAT 15 38.5 BYRADIUS 100 km ASC COUNT 10"
)

rps() { redis-benchmark -p "$1" -c 50 -n "$n" -P "$pipeline" -r 100000 --csv $2 2>/dev/null | tail -n 1 | cut -d, -f2 | tr -d '"'; }

printf "%-10s %14s %14s %8s\n" test redis_rps magpie_rps ratio
for t in evalsha xadd pfadd geosearch; do
  r=$(rps "$redis_port" "${commands[$t]}")
  m=$(rps "$magpie_port" "${commands[$t]}")
  printf "%-10s %14s %14s %8s\n" "$t" "$r" "$m" "$(python3 -c "print(f'{$m/$r:.2f}')")"
done
