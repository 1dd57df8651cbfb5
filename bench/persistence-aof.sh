#!/usr/bin/env bash
# The append-only file on Magpie and on a redis-server started here, in the same run, both with
# appendonly yes and appendfsync everysec: BGREWRITEAOF of N keys (its time, and GET/SET p50/p99 of
# redis-benchmark, 50 clients, before and during the rewrite), and SET/INCR throughput with the AOF on.
#
#   bench/persistence-aof.sh [--keys N] [--requests N] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

keys=1000000
requests=200000
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) keys=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done

[ $build = 1 ] && dotnet build src/Magpie -c Release -nologo -v quiet >/dev/null
magpie_dll=src/Magpie/bin/Release/net10.0/magpie.dll
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start"; exit 1; }
now_ms() { date +%s%3N; }

work=$(mktemp -d)
redis_port=$(free_port)
magpie_port=$(free_port)
mkdir -p "$work/redis" "$work/magpie"
redis-server --port "$redis_port" --dir "$work/redis" --save "" --appendonly yes --appendfsync everysec >/dev/null &
redis_pid=$!
dotnet "$magpie_dll" server --port "$magpie_port" --http-port -1 --data-dir "$work/magpie" --appendonly yes --appendfsync everysec --log-level Warning >/dev/null &
magpie_pid=$!
trap 'kill $redis_pid $magpie_pid 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
wait_port "$redis_port"
wait_port "$magpie_port"

/usr/bin/python3 - "$keys" > "$work/load.resp" <<'PY'
import sys
n = int(sys.argv[1]); v = b"v" * 32; out = sys.stdout.buffer
for i in range(n):
    k = b"key:%d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$32\r\n%s\r\n" % (len(k), k, v))
PY

bench() { # port tests -> "NAME rps p50 p99" per test
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c 50 -r "$keys" -d 32 --csv 2>/dev/null |
    awk -F'"' '/^"(SET|GET|INCR)"/ {printf "%s rps=%s p50=%s p99=%s  ", $2, $4, $10, $14}'
}
rewriting() { redis-cli -p "$1" info persistence | grep -q 'aof_rewrite_in_progress:1'; }

for name in magpie redis; do
  port=$([ $name = magpie ] && echo "$magpie_port" || echo "$redis_port")
  echo "$name (appendfsync everysec):"
  echo "  throughput:       $(bench "$port" set,incr)"
  redis-cli -p "$port" --pipe < "$work/load.resp" >/dev/null
  echo "  $(redis-cli -p "$port" dbsize) keys"
  echo "  idle:             $(bench "$port" get,set)"
  start=$(now_ms)
  redis-cli -p "$port" bgrewriteaof >/dev/null
  during=$(bench "$port" get,set)
  while rewriting "$port"; do sleep 0.05; done
  echo "  during rewrite:   $during"
  echo "  BGREWRITEAOF + concurrent benchmark: $(( $(now_ms) - start )) ms; status $(redis-cli -p "$port" info persistence | grep aof_last_bgrewrite_status | tr -d '\r')"
  start=$(now_ms)
  redis-cli -p "$port" bgrewriteaof >/dev/null
  sleep 0.05
  while rewriting "$port"; do sleep 0.02; done
  echo "  BGREWRITEAOF alone: $(( $(now_ms) - start )) ms, dir $(du -sb "$work/$name/appendonlydir" | cut -f1) bytes"
done
