# Shared by the bench scripts (source it): start and stop Magpie, redis-server and Garnet on free
# ports, read a process's CPU time and RSS, and clean up on exit. Every server started here is
# recorded in BENCH_PIDS and killed by bench_cleanup (installed as the EXIT trap by bench_init).
#
#   MAGPIE_BENCH_ENV="DOTNET_gcServer=1 ..."  environment for the Magpie process (GC experiments)
#   GARNET=/path/to/garnet-server             use this Garnet; else one is installed into a temp folder
#   BENCH_NO_GARNET=1                         leave Garnet out
#   BENCH_SERVERS="magpie"                    only these servers (memory.sh, syscalls.sh)

BENCH_PIDS=()
magpie_dll=src/Magpie/bin/Release/net10.0/magpie.dll
garnet_dir=${BENCH_GARNET_DIR:-/tmp/magpie-bench-garnet}

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  BENCH_PIDS=()
}

bench_init() {
  trap bench_cleanup EXIT
  command -v redis-benchmark >/dev/null && command -v redis-server >/dev/null || ./scripts/install-test-deps.sh
  # strace is the bench's own need (syscalls per request), not the tests'.
  if ! command -v strace >/dev/null; then apt-get install -y -qq strace >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq strace >/dev/null); fi
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then dotnet build src/Magpie -c Release -nologo -v quiet >/dev/null; fi
  if [ -z "${BENCH_NO_GARNET:-}" ] && [ -z "${GARNET:-}" ]; then
    if [ ! -x "$garnet_dir/garnet-server" ]; then
      dotnet tool install garnet-server --tool-path "$garnet_dir" >/dev/null 2>&1 || true
    fi
    if [ -x "$garnet_dir/garnet-server" ]; then GARNET=$garnet_dir/garnet-server; else
      echo "# garnet-server could not be installed (dotnet tool install failed): Garnet left out"; BENCH_NO_GARNET=1; fi
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 300); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done; echo "server on $1 did not start"; exit 1; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
used_memory() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1=="used_memory" {print $2}'; }

# start_server NAME [extra args...]: NAME is magpie, redis or garnet; sets SERVER_PORT and SERVER_PID.
# maxmemory is given in Redis's form (--maxmemory 50mb --maxmemory-policy allkeys-lru) and
# translated for Garnet: its main-log memory size (4 MB pages), from which it drops the oldest records.
start_server() {
  local who=$1; shift
  SERVER_PORT=$(free_port)
  case "$who" in
    magpie) env ${MAGPIE_BENCH_ENV:-} dotnet "$magpie_dll" server --port "$SERVER_PORT" --http-port -1 --log-level Warning "$@" >/dev/null 2>&1 & ;;
    redis) redis-server --port "$SERVER_PORT" --save "" --appendonly no --daemonize no "$@" >/dev/null 2>&1 & ;;
    garnet)
      local args=() a
      while [ $# -gt 0 ]; do
        a=$1; shift
        case "$a" in
          --maxmemory) args+=(--memory "${1%b}" --page 4m); shift ;; # Garnet needs at least 4 pages
          --maxmemory-policy) shift ;;
          *) args+=("$a") ;;
        esac
      done
      "$GARNET" --port "$SERVER_PORT" --bind 127.0.0.1 --logger-level Warning "${args[@]}" >/dev/null 2>&1 & ;;
    *) echo "unknown server $who"; exit 2 ;;
  esac
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  wait_port "$SERVER_PORT"
}

stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() pid
  for pid in "${BENCH_PIDS[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  BENCH_PIDS=("${keep[@]}")
}

# The servers of this run: magpie and redis, and garnet unless left out.
# BENCH_SERVERS="magpie" narrows it (GC experiments: Magpie alone, no ratios).
bench_servers() { if [ -n "${BENCH_SERVERS:-}" ]; then echo "$BENCH_SERVERS"; elif [ -n "${BENCH_NO_GARNET:-}" ]; then echo "magpie redis"; else echo "magpie redis garnet"; fi; }

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b+0>0) printf "%.2fx", a/b; else print "-"}'; }
