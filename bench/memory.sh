#!/usr/bin/env bash
# Memory of Magpie, redis-server and Garnet, each in a fresh process per measurement:
#   - bytes per key for 1M keys of 16 B with 32 B values and with 8 B values (RSS delta and
#     used_memory delta, loaded with redis-cli --pipe);
#   - RSS under --maxmemory 50mb (allkeys-lru) while 1 GB of 1 KB values overwrite 1M random keys
#     (peak sampled every 200 ms, and at the end); the issue's bound is 1.5 x 50 MB + 64 MB = 139 MB;
#   - idle RSS (a fresh process, 5 s after start), RSS with a 400 MB value, and RSS 10 s after it
#     is deleted.
#   bench/memory.sh [--short|--full] [--parts perkey,maxmemory,large]
#   (--short: 100k keys, 100 MB of overwrites, a 100 MB value)
# Garnet has no maxmemory: its main-log memory is set to the same size (--memory 50m --page 4m) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/servers.sh
mode=full; parts=perkey,maxmemory,large
while [ $# -gt 0 ]; do
  case "$1" in --short) mode=short; shift ;; --full) mode=full; shift ;; --parts) parts=$2; shift 2 ;; *) echo "unknown option $1"; exit 2 ;; esac
done
part() { [[ ",$parts," == *",$1,"* ]]; }
if [ "$mode" = short ]; then keys=100000; overwrites=100000; big_mb=100; idle_wait=3; else keys=1000000; overwrites=1000000; big_mb=400; idle_wait=5; fi
bench_init
servers=$(bench_servers)

payload_file() { # $1 file, $2 value length
  python3 - "$1" "$2" "$keys" <<'PY'
import sys
path, vlen, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
value = b"v" * vlen
head = b"*3\r\n$3\r\nSET\r\n$16\r\n"
tail = b"\r\n$%d\r\n" % vlen + value + b"\r\n"
with open(path, "wb") as f:
    f.write(b"".join(head + (b"k%015d" % i) + tail for i in range(n)))
PY
}

per_key() { # $1 who, $2 payload; prints "rss_per_key used_per_key"
  start_server "$1"
  sleep 1
  local rb ra ub ua k
  rb=$(rss_kb "$SERVER_PID"); ub=$(used_memory "$SERVER_PORT")
  redis-cli -p "$SERVER_PORT" --pipe < "$2" >/dev/null
  sleep 2
  ra=$(rss_kb "$SERVER_PID"); ua=$(used_memory "$SERVER_PORT"); k=$(redis-cli -p "$SERVER_PORT" dbsize)
  stop_server "$SERVER_PID"
  awk -v ra="$ra" -v rb="$rb" -v ua="${ua:-}" -v ub="${ub:-}" -v k="$k" \
    'BEGIN {printf "%.1f %s\n", (ra-rb)*1024/k, (ua=="" || ub=="") ? "-" : sprintf("%.1f", (ua-ub)/k)}'
}

tmp=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$tmp"' EXIT
echo "# memory, $(date -u +%Y-%m-%dT%H:%M:%SZ), $mode mode, MAGPIE_BENCH_ENV=${MAGPIE_BENCH_ENV:-}"
echo
echo "| measurement | $(echo $servers | sed 's/ / | /g') | magpie/redis |${GARNET:+ magpie/garnet |}"
echo "|---|$(for _ in $servers; do printf -- '---|'; done)---|${GARNET:+---|}"
row() { # $1 label, then one value per server in $servers order
  local label=$1; shift
  local -a v=("$@")
  printf "| %s | %s | %s |" "$label" "$(IFS='|'; echo "${v[*]}" | sed 's/|/ | /g')" "$(ratio "${v[0]}" "${v[1]:-}")"
  if [ -n "${GARNET:-}" ]; then printf " %s |" "$(ratio "${v[0]}" "${v[2]:-}")"; fi
  echo
}

part perkey && for vlen in 32 8; do
  payload_file "$tmp/payload" "$vlen"
  rss=(); used=()
  for who in $servers; do
    read -r r u < <(per_key "$who" "$tmp/payload"); rss+=("$r"); used+=("$u")
    echo "# $who: 16 B/$vlen B per key: RSS $r B, used_memory $u B" >&2
  done
  row "$keys keys 16 B/$vlen B: RSS delta per key (B)" "${rss[@]}"
  row "$keys keys 16 B/$vlen B: used_memory delta per key (B)" "${used[@]}"
done
rm -f "$tmp/payload"

# RSS under maxmemory with overwrites.
if part maxmemory; then
peak=(); final=(); used=()
for who in $servers; do
  start_server "$who" --maxmemory 50mb --maxmemory-policy allkeys-lru
  ( trap - EXIT; while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb "$SERVER_PID" 2>/dev/null || true; sleep 0.2; done ) > "$tmp/rss.$who" &
  sampler=$!
  redis-benchmark -p "$SERVER_PORT" -t set -d 1024 -n "$overwrites" -r 1000000 -c 50 -P 16 -q >/dev/null 2>&1 || true
  sleep 1
  final+=("$(awk -v k="$(rss_kb "$SERVER_PID")" 'BEGIN {printf "%.0f", k/1024}')")
  u=$(used_memory "$SERVER_PORT" || true); used+=("$(awk -v u="${u:-0}" 'BEGIN {printf "%.0f", u/1048576}')")
  stop_server "$SERVER_PID"
  wait "$sampler" 2>/dev/null || true
  peak+=("$(sort -n "$tmp/rss.$who" | tail -n 1 | awk '{printf "%.0f", $1/1024}')")
  echo "# $who: maxmemory peak ${peak[-1]} MB, end ${final[-1]} MB, used_memory ${used[-1]} MB" >&2
done
row "maxmemory 50mb, $((overwrites / 1000))k x 1 KB overwrites: peak RSS (MB; bound 139)" "${peak[@]}"
row "same: RSS at the end (MB)" "${final[@]}"
row "same: used_memory at the end (MB)" "${used[@]}"
fi

# Idle RSS, then a large value set and deleted.
part large || exit 0
idle=(); with=(); after=()
for who in $servers; do
  start_server "$who"
  sleep "$idle_wait"
  idle+=("$(awk -v k="$(rss_kb "$SERVER_PID")" 'BEGIN {printf "%.0f", k/1024}')")
  if /usr/bin/python3 -c "import redis,sys; redis.Redis(port=$SERVER_PORT, socket_timeout=120).set('big', b'x'*($big_mb<<20))" 2>/dev/null; then
    with+=("$(awk -v k="$(rss_kb "$SERVER_PID")" 'BEGIN {printf "%.0f", k/1024}')")
    redis-cli -p "$SERVER_PORT" del big >/dev/null
    sleep 10
    after+=("$(awk -v k="$(rss_kb "$SERVER_PID")" 'BEGIN {printf "%.0f", k/1024}')")
  else
    with+=("failed"); after+=("-")
  fi
  echo "# $who: idle ${idle[-1]} MB, with the value ${with[-1]} MB, 10 s after DEL ${after[-1]} MB" >&2
  stop_server "$SERVER_PID"
done
row "idle RSS, ${idle_wait} s after start (MB)" "${idle[@]}"
row "RSS with a $big_mb MB value (MB)" "${with[@]}"
row "RSS 10 s after deleting it (MB)" "${after[@]}"
