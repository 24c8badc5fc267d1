#!/usr/bin/env bash
# The conformance table against three proxies: huddle, haproxy and nginx, each configured as a
# plain reverse proxy (one backend, no retries, no health checks) in front of the same recording
# upstream, driven by the same tool and vectors (tests/conformance/conformance_runner).
#   bench/conformance/run.sh [BUILD_DIR]
# env: PROXIES="huddle haproxy nginx"  OUT=/tmp/dir (raw TSV per proxy)
#      DOC=docs/benchmarks/conformance.md (the table is written between its table markers)
#      NO_BUILD=1 (use the binaries already in BUILD_DIR)
# Every process it starts is stopped by its PID.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
PROXIES=${PROXIES:-huddle haproxy nginx}
OUT=${OUT:-$(mktemp -d /tmp/huddle-conformance.XXXXXX)}
DOC=${DOC:-$root/docs/benchmarks/conformance.md}
UPSTREAM_PORT=${UPSTREAM_PORT:-9390}
mkdir -p "$OUT"

[[ -n ${NO_BUILD:-} ]] || cmake --build "$build" --target conformance_runner huddle >/dev/null
RUNNER="$build/tests/conformance/conformance_runner"
HUDDLE="$build/apps/huddle/huddle"
VECTORS=("$root/tests/conformance/request_vectors.txt" "$root/tests/conformance/response_vectors.txt")

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

cat >"$OUT/huddle.yaml" <<YAML
threads: 1
admin: { address: 127.0.0.1:9391 }
listeners:
  - { name: web, address: 127.0.0.1:9380, cluster: app, header_timeout: 2s }
clusters:
  - name: app
    backends:
      - { name: rec, address: 127.0.0.1:$UPSTREAM_PORT }
    health_check: { enabled: false }
    outlier_detection: off
    retries: { attempts: 0 }
    timeouts: { connect: 1s, response: 3s }
YAML

cat >"$OUT/haproxy.cfg" <<HAP
global
    nbthread 1
    maxconn 1000
    tune.bufsize 65536
defaults
    mode http
    option http-keep-alive
    timeout connect 1s
    timeout client 5s
    timeout server 3s
    timeout http-request 2s
    timeout http-keep-alive 5s
    retries 0
    http-reuse always
frontend fe
    bind 127.0.0.1:9381
    default_backend be
backend be
    server rec 127.0.0.1:$UPSTREAM_PORT
HAP

mkdir -p "$OUT/nginx"
chmod 777 "$OUT/nginx"
cat >"$OUT/nginx.conf" <<NGINX
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/nginx.error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $OUT/nginx/body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    uwsgi_temp_path $OUT/nginx/uwsgi;
    scgi_temp_path $OUT/nginx/scgi;
    client_header_timeout 2s;
    client_max_body_size 64m;
    large_client_header_buffers 4 16k;
    upstream rec {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:9382;
        location / {
            proxy_pass http://rec;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_next_upstream off;
            proxy_connect_timeout 1s;
            proxy_read_timeout 3s;
        }
    }
}
NGINX

for proxy in $PROXIES; do
  case $proxy in
    huddle) "$HUDDLE" proxy -c "$OUT/huddle.yaml" 2>>"$OUT/huddle.log" & port=9380 ;;
    haproxy) /usr/sbin/haproxy -db -f "$OUT/haproxy.cfg" >>"$OUT/haproxy.log" 2>&1 & port=9381 ;;
    nginx) /usr/sbin/nginx -c "$OUT/nginx.conf" -g 'daemon off;' 2>>"$OUT/nginx.log" & port=9382 ;;
    *) echo "unknown proxy $proxy" >&2; exit 2 ;;
  esac
  proxy_pid=$!; pids+=("$proxy_pid")
  wait_port "$port"
  echo "# $proxy on port $port" >&2
  "$RUNNER" --proxy-port "$port" --upstream-port "$UPSTREAM_PORT" "${VECTORS[@]}" >"$OUT/$proxy.tsv"
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
done
/usr/bin/python3 "$root/bench/conformance/table.py" "$OUT" "$DOC" $PROXIES
echo "# raw results: $OUT; table: $DOC" >&2
