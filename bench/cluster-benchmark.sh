#!/usr/bin/env bash
# Cluster throughput: redis-benchmark --cluster against 3 Magpie nodes (--cluster-enabled yes) and against
# 3 redis-server nodes (cluster-enabled yes), both made with redis-cli --cluster create, in the same run,
# alternating rounds; prints requests/s and p99 per test and the Magpie/Redis ratio.
#
#   bench/cluster-benchmark.sh [--rounds N] [--requests N] [--tests set,get]
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
requests=200000
tests="set,get"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done

command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null || ./scripts/install-test-deps.sh
dotnet build src/Magpie -c Release -nologo -v quiet >/dev/null
magpie_dll=src/Magpie/bin/Release/net10.0/magpie.dll

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 3000); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "server on $1 did not start"; exit 1; }

work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
redis_ports=() magpie_ports=()
for i in 0 1 2; do
  p=$(free_port); redis_ports+=("$p"); mkdir -p "$work/r$i"
  redis-server --port "$p" --cluster-enabled yes --cluster-config-file "$work/r$i/nodes.conf" --dir "$work/r$i" \
    --save "" --appendonly no --daemonize no >/dev/null & pids+=($!)
  p=$(free_port); magpie_ports+=("$p")
  dotnet "$magpie_dll" server --port "$p" --http-port -1 --log-level Warning --cluster-enabled yes >/dev/null & pids+=($!)
done
for p in "${redis_ports[@]}" "${magpie_ports[@]}"; do wait_port "$p"; done
create() { redis-cli --cluster create "${@/#/127.0.0.1:}" --cluster-yes >/dev/null; }
create "${redis_ports[@]}"
create "${magpie_ports[@]}"
wait_ok() { for p in "$@"; do until redis-cli -p "$p" cluster info | grep -q cluster_state:ok; do sleep 0.1; done; done; }
wait_ok "${redis_ports[@]}" "${magpie_ports[@]}"

echo "# redis-benchmark --cluster, 3 Magpie nodes vs 3 redis-server nodes, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "# machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); -c 50 -n $requests -r 100000, $rounds alternating rounds, median shown"
# "rps p99" of one run.
run() { redis-benchmark --cluster -p "$1" -t "$2" -c 50 -n "$requests" -r 100000 --csv 2>/dev/null | grep -i "^\"$2\"" | tail -n 1 | tr -d '"' | awk -F, '{print $2, $7}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf "%-6s %12s %10s %12s %10s %7s\n" test magpie_rps p99_ms redis_rps p99_ms ratio
for t in ${tests//,/ }; do
  m_rps=() m_p99=() r_rps=() r_p99=()
  for _ in $(seq 1 "$rounds"); do
    read -r a b < <(run "${magpie_ports[0]}" "$t"); m_rps+=("$a"); m_p99+=("$b")
    read -r a b < <(run "${redis_ports[0]}" "$t"); r_rps+=("$a"); r_p99+=("$b")
  done
  mr=$(printf "%s\n" "${m_rps[@]}" | median); mp=$(printf "%s\n" "${m_p99[@]}" | median)
  rr=$(printf "%s\n" "${r_rps[@]}" | median); rp=$(printf "%s\n" "${r_p99[@]}" | median)
  printf "%-6s %12s %10s %12s %10s %7.2f\n" "$t" "$mr" "$mp" "$rr" "$rp" "$(echo "$mr / $rr" | bc -l)"
done
