#!/usr/bin/env bash
# Side-by-side data-plane benchmark: huddle vs nginx vs haproxy, same run, same pinning.
#   bench/e2e/run.sh [BUILD_DIR]
# env: REPS=2 SECONDS_PER_RUN=10 CONNECTIONS=64 SCENARIOS="capacity normal slow kill error500"
#      PROXIES="huddle nginx haproxy" HUDDLE_CLUSTER_EXTRA="    policy: peak_ewma"
#      HUDDLE_EXTRA="access_log: /tmp/access.jsonl"   (top-level keys of huddle's config)
# The proxy runs alone on CPU 0; the load generator and six `huddle upstream` processes share
# CPU 1. Runs are interleaved (huddle, nginx, haproxy, huddle, ...). Writes a markdown table to
# stdout and raw lines to $OUT/raw.txt. Every process it starts is stopped by its PID.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
REPS=${REPS:-2}
SECS=${SECONDS_PER_RUN:-10}
CONNS=${CONNECTIONS:-64}
SCENARIOS=${SCENARIOS:-capacity normal slow kill error500}
PROXIES=${PROXIES:-huddle nginx haproxy}
# Extra YAML lines for huddle's cluster (indent 4), e.g. a policy and its options.
HUDDLE_CLUSTER_EXTRA=${HUDDLE_CLUSTER_EXTRA:-}
HUDDLE_EXTRA=${HUDDLE_EXTRA:-}
OUT=${OUT:-$(mktemp -d /tmp/huddle-e2e.XXXXXX)}
mkdir -p "$OUT"

need=()
for tool in nginx haproxy wrk; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  pkgs=()
  for t in "${need[@]}"; do [[ $t == nginx ]] && pkgs+=(nginx-light) || pkgs+=("$t"); done
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
fi
"$root/bench/e2e/build_cli.sh" "$build" >/dev/null
HUDDLE="$build/apps/huddle/huddle"
LOADGEN="$build/loadgen"
ulimit -n 20000 2>/dev/null || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_port() {  # wait_port PORT: up to 5 s
  for _ in $(seq 1 500); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.01
  done
  echo "port $1 did not open" >&2; return 1
}

up_pids=()
start_upstreams() {  # start_upstreams SCENARIO
  up_pids=()
  for i in 1 2 3 4 5 6; do
    args=(--port $((9100 + i)) --latency-ms "$LAT" --name "u$i")
    if [[ $i == 6 ]]; then
      case $1 in
        slow) args=(--port 9106 --latency-ms $((LAT * 5)) --name u6) ;;
        error500) args+=(--fault error:rate=1,status=500) ;;
      esac
    fi
    taskset -c 1 "$HUDDLE" upstream "${args[@]}" 2>/dev/null &
    up_pids+=($!); pids+=($!)
  done
  for i in 1 2 3 4 5 6; do wait_port $((9100 + i)); done
}
stop_upstreams() { for p in "${up_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }

write_configs() {
  cat >"$OUT/huddle.yaml" <<YAML
threads: 1
admin: { address: 127.0.0.1:9911 }
$HUDDLE_EXTRA
listeners:
  - { name: web, address: 127.0.0.1:8090, cluster: app }
clusters:
  - name: app
    backends:
$(for i in 1 2 3 4 5 6; do echo "      - { name: u$i, address: 127.0.0.1:910$i }"; done)
    health_check: { path: /healthz, interval: 1s, timeout: 500ms, rise: 2, fall: 2 }
    retries: { attempts: 2 }
    timeouts: { connect: 1s, response: 5s }
$HUDDLE_CLUSTER_EXTRA
YAML
  cat >"$OUT/nginx.conf" <<NGINX
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/nginx.error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    upstream backends {
$(for i in 1 2 3 4 5 6; do echo "        server 127.0.0.1:910$i max_fails=1 fail_timeout=10s;"; done)
        keepalive 128;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:8091 backlog=4096;
        location / {
            proxy_pass http://backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_500;
            proxy_connect_timeout 1s;
            proxy_read_timeout 5s;
        }
    }
}
NGINX
  cat >"$OUT/haproxy.cfg" <<HAP
global
    nbthread 1
    maxconn 8000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 5s
    timeout http-keep-alive 30s
    option redispatch
    retries 2
    http-reuse always
frontend fe
    bind 127.0.0.1:8092 backlog 4096
    default_backend be
backend be
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
$(for i in 1 2 3 4 5 6; do echo "    server u$i 127.0.0.1:910$i"; done)
HAP
}

start_proxy() {  # start_proxy NAME -> sets proxy_pid, port
  case $1 in
    huddle) taskset -c 0 "$HUDDLE" proxy -c "$OUT/huddle.yaml" 2>>"$OUT/huddle.log" & port=8090 ;;
    nginx) taskset -c 0 nginx -c "$OUT/nginx.conf" -g 'daemon off;' 2>>"$OUT/nginx.log" & port=8091 ;;
    haproxy) taskset -c 0 haproxy -db -f "$OUT/haproxy.cfg" >>"$OUT/haproxy.log" 2>&1 & port=8092 ;;
  esac
  proxy_pid=$!; pids+=($proxy_pid)
  wait_port "$port"
}

write_configs
echo "# raw results: $OUT/raw.txt" >&2
: >"$OUT/raw.txt"
for rep in $(seq 1 "$REPS"); do
  for scenario in $SCENARIOS; do
    LAT=5; [[ $scenario == capacity ]] && LAT=0
    for proxy in $PROXIES; do
      start_upstreams "$scenario"
      start_proxy "$proxy"
      sleep 0.5  # first health checks
      if [[ $scenario == kill ]]; then
        ( sleep "$(echo "$SECS / 2" | bc -l)"; kill -9 "${up_pids[5]}" ) &
        killer=$!
      fi
      line=$(taskset -c 1 "$LOADGEN" "$port" "$CONNS" "$SECS")
      [[ $scenario == kill ]] && wait "$killer" 2>/dev/null || true
      echo "rep=$rep scenario=$scenario proxy=$proxy $line" | tee -a "$OUT/raw.txt" >&2
      kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
      stop_upstreams
    done
  done
done
python3 "$root/bench/e2e/report.py" "$OUT/raw.txt"
