# Sourced by run.sh: starts a small huddle cluster on loopback (four `huddle upstream`, each with
# its fault-control API on $CONTROL_uN, one `huddle proxy` with the thermal policy and the embedded
# engine) and remembers every pid it started in $PIDS.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_upstream() {  # name port control_port [extra args...]
  local name=$1 port=$2 control=$3
  shift 3
  "$HUDDLE" upstream --port "$port" --control-port "$control" --name "$name" --latency-ms 4 \
    --jitter-ms 2 "$@" >"$WORK/$name.log" 2>&1 &
  echo $! >"$WORK/$name.pid"
  PIDS+=($!)
}

start_cluster() {
  ADMIN_PORT=$(free_port)
  LISTEN_PORT=$(free_port)
  local backends=""
  for i in 1 2 3 4; do
    local p c
    p=$(free_port)
    c=$(free_port)
    eval "PORT_u$i=$p CONTROL_u$i=$c"
    backends+="      - { name: u$i, address: 127.0.0.1:$p }"$'\n'
    # Healthy at start; the browser test injects faults through each one's control API.
    start_upstream "u$i" "$p" "$c"
  done
  cat >"$WORK/proxy.yaml" <<YAML
threads: 1
admin:
  address: 127.0.0.1:$ADMIN_PORT
listeners:
  - name: web
    address: 127.0.0.1:$LISTEN_PORT
    cluster: app
clusters:
  - name: app
    policy: thermal
    backends:
$backends    health_check: { path: /healthz, interval: 500ms, timeout: 300ms, rise: 2, fall: 2 }
    retries: { attempts: 2 }
# The embedded engine feeds the page's engine sections; observe only (no shedding of the load).
engine: { enabled: true, tick: 500ms, shedding: false }
YAML
  "$HUDDLE" proxy -c "$WORK/proxy.yaml" >"$WORK/proxy.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "run.sh: the proxy did not come up; its log:" >&2
  cat "$WORK/proxy.log" >&2
  return 1
}
