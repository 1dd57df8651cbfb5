#!/usr/bin/env bash
# Replication, Magpie primary -> Magpie replica against redis-server -> redis-server, in one run:
#   1. primary throughput: redis-benchmark SET (50 clients, 32-byte values) at -P 1 and -P 16,
#      with no replica and with one replica attached;
#   2. replication lag under that load: the primary's master_repl_offset and the replica's
#      slave_repl_offset (INFO replication) sampled every ~50 ms, p50/p99/max of the byte difference;
#   3. full-sync time: N keys loaded into the primary (redis-cli --pipe), then a fresh replica's
#      REPLICAOF, timed until master_link_status:up and the two offsets are equal.
#
#   bench/replication.sh [--short] [--keys N] [--requests N]
#     default: 1,000,000 keys for the full sync, 1,000,000 SETs per -P 16 round (200k at -P 1)
#     --short: 100,000 keys, 200,000 SETs at -P 16 and 50,000 at -P 1 (seconds per round)
#   BENCH_SKIP_BUILD=1 reuses src/Magpie/bin/Release (no dotnet build).
#
# Every server runs on a free loopback port and is stopped on exit (bench/lib/servers.sh's trap).
# redis-server's primary gets repl-diskless-sync-delay 0 (its default waits 5 s for more replicas),
# so the full-sync times compare the transfers, not a configured wait.
set -euo pipefail
cd "$(dirname "$0")/.."

keys=1000000
requests=1000000
requests_p1=200000
while [ $# -gt 0 ]; do
  case "$1" in
    --short) keys=100000; requests=200000; requests_p1=50000; shift ;;
    --keys) keys=$2; shift 2 ;;
    --requests) requests=$2; requests_p1=$(( $2 / 5 )); shift 2 ;;
    *) echo "unknown option $1"; exit 2 ;;
  esac
done

BENCH_NO_GARNET=1
. bench/lib/servers.sh
bench_init
work=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$work"' EXIT

# The sampler: runs redis-benchmark and samples both offsets every ~50 ms while it runs.
# lag = primary offset (mean of the reads just before and just after the replica's) - replica offset.
cat > "$work/lag.py" <<'PY'
import subprocess, sys, time, redis
primary, replica = int(sys.argv[1]), int(sys.argv[2])
bench = sys.argv[3:]
p = redis.Redis(port=primary); r = redis.Redis(port=replica)
def off(c, field):
    return int(c.info("replication")[field])
proc = subprocess.Popen(bench, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
lags = []
while proc.poll() is None:
    a = off(p, "master_repl_offset"); b = off(r, "slave_repl_offset"); c = off(p, "master_repl_offset")
    lags.append(max(0, (a + c) / 2 - b))
    time.sleep(0.05)
out = proc.stdout.read()
rps = "0"
for line in out.splitlines():
    f = line.split('","')
    if f[0].strip('"') == "SET": rps = f[1].strip('"')
lags.sort()
def pct(q): return int(lags[min(len(lags) - 1, int(q * len(lags)))]) if lags else 0
print(rps, pct(0.50), pct(0.99), int(lags[-1]) if lags else 0, len(lags))
PY

now_ms() { date +%s%3N; }
repl_field() { redis-cli -p "$1" info replication | tr -d '\r' | awk -F: -v f="$2" '$1==f {print $2}'; }
set_rps() { # port pipeline requests -> SET requests per second
  redis-benchmark -p "$1" -t set -n "$3" -c 50 -P "$2" -r 100000 -d 32 --csv 2>/dev/null |
    awk -F'"' '/^"SET"/ {print $4}'
}
# wait_in_sync replica primary: until the link is up and the replica's offset equals the primary's.
wait_in_sync() {
  for _ in $(seq 1 6000); do
    if [ "$(repl_field "$1" master_link_status)" = up ] &&
       [ "$(repl_field "$1" slave_repl_offset)" = "$(repl_field "$2" master_repl_offset)" ]; then return 0; fi
    sleep 0.02
  done
  echo "replica on $1 did not catch up with $2"; exit 1
}
# The full-sync load: key:0..N-1 with 32-byte values, as RESP for redis-cli --pipe.
/usr/bin/python3 - "$keys" > "$work/load.resp" <<'PY'
import sys
n = int(sys.argv[1]); v = b"v" * 32; out = sys.stdout.buffer
for i in range(n):
    k = b"key:%d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$32\r\n%s\r\n" % (len(k), k, v))
PY

primary_args() { [ "$1" = redis ] && echo "--repl-diskless-sync-delay 0" || true; }

declare -A result
echo "# replication bench: $keys keys for the full sync, SET x $requests_p1 at -P 1, x $requests at -P 16, 50 clients"
for who in magpie redis; do
  # shellcheck disable=SC2046
  start_server "$who" $(primary_args "$who"); p_port=$SERVER_PORT; p_pid=$SERVER_PID
  result[$who,p1_alone]=$(set_rps "$p_port" 1 "$requests_p1")
  result[$who,p16_alone]=$(set_rps "$p_port" 16 "$requests")
  start_server "$who"; r_port=$SERVER_PORT; r_pid=$SERVER_PID
  redis-cli -p "$r_port" replicaof 127.0.0.1 "$p_port" >/dev/null
  wait_in_sync "$r_port" "$p_port"
  for P in 1 16; do
    n=$([ "$P" = 1 ] && echo "$requests_p1" || echo "$requests")
    read -r rps p50 p99 max samples < <(/usr/bin/python3 "$work/lag.py" "$p_port" "$r_port" \
      redis-benchmark -p "$p_port" -t set -n "$n" -c 50 -P "$P" -r 100000 -d 32 --csv)
    result[$who,p${P}_repl]=$rps
    result[$who,p${P}_lag]="p50=${p50} p99=${p99} max=${max} bytes (${samples} samples)"
    wait_in_sync "$r_port" "$p_port"
  done
  stop_server "$r_pid"

  # Full sync: the primary holds exactly the N loaded keys, the replica starts empty.
  redis-cli -p "$p_port" flushall >/dev/null
  redis-cli -p "$p_port" --pipe < "$work/load.resp" >/dev/null
  start_server "$who"; r_port=$SERVER_PORT; r_pid=$SERVER_PID
  t0=$(now_ms)
  redis-cli -p "$r_port" replicaof 127.0.0.1 "$p_port" >/dev/null
  wait_in_sync "$r_port" "$p_port"
  result[$who,fullsync]=$(( $(now_ms) - t0 ))
  result[$who,fullsync_keys]=$(redis-cli -p "$r_port" dbsize)
  stop_server "$r_pid"
  stop_server "$p_pid"
done

for who in magpie redis; do
  echo "$who:"
  echo "  SET -P 1:  alone ${result[$who,p1_alone]} rps, with a replica ${result[$who,p1_repl]} rps; lag ${result[$who,p1_lag]}"
  echo "  SET -P 16: alone ${result[$who,p16_alone]} rps, with a replica ${result[$who,p16_repl]} rps; lag ${result[$who,p16_lag]}"
  echo "  full sync of ${result[$who,fullsync_keys]} keys: ${result[$who,fullsync]} ms"
done
echo "magpie / redis-server:"
echo "  SET -P 1 with a replica: $(ratio "${result[magpie,p1_repl]}" "${result[redis,p1_repl]}"), alone: $(ratio "${result[magpie,p1_alone]}" "${result[redis,p1_alone]}")"
echo "  SET -P 16 with a replica: $(ratio "${result[magpie,p16_repl]}" "${result[redis,p16_repl]}"), alone: $(ratio "${result[magpie,p16_alone]}" "${result[redis,p16_alone]}")"
echo "  full-sync time: $(ratio "${result[magpie,fullsync]}" "${result[redis,fullsync]}")"
