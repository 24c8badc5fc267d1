# Sourced by run.sh: starts a small huddle cluster on loopback (four `huddle upstream`, each with
# its fault-control API on $CONTROL_uN, one `huddle proxy` with the thermal policy and the embedded
# engine) and remembers every pid it started in $PIDS.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_http() {  # url log
  for _ in $(seq 100); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "run.sh: $1 did not come up; its log:" >&2
  cat "$2" >&2
  return 1
}

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
  wait_http "http://127.0.0.1:$ADMIN_PORT/healthz" "$WORK/proxy.log"
}

# A task coordinator in overlay mode (Echo and Finn waves every second) and four workers on a small
# tree (hub - a - c, hub - b). Five long synthetic tasks are submitted while only `hub` runs, so the
# first waves find it loaded and move tasks to the others; the coordinator serves the dashboard
# itself (its Topology view reads the same origin). Sets TASKS_URL.
start_tasks() {
  local port
  port=$(free_port)
  TASKS_URL="http://127.0.0.1:$port"
  cat >"$WORK/topology.yaml" <<YAML
nodes: [hub, a, b, c]
edges: [[hub, a], [hub, b], [a, c]]
initiator: hub
YAML
  cat >"$WORK/tasks.yaml" <<YAML
listen: 127.0.0.1:$port
# Loopback and explicit: the dashboard test drives the API without a token (docs/security.md).
token: none
heartbeat_interval: 300ms
history: ''
overlay:
  topology: $WORK/topology.yaml
  wave_interval: 1s
YAML
  "$HUDDLE" tasks coordinator -c "$WORK/tasks.yaml" >"$WORK/coordinator.log" 2>&1 &
  PIDS+=($!)
  wait_http "$TASKS_URL/healthz" "$WORK/coordinator.log" || return 1
  start_worker hub
  local tasks="" i
  for i in 1 2 3 4 5; do
    tasks+="${tasks:+,}{\"name\":\"job$i\",\"kind\":\"synthetic\",\"duration\":\"600s\"}"
  done
  curl -sf -XPOST -d "{\"tasks\":[$tasks]}" "$TASKS_URL/api/tasks" >/dev/null
  # hub takes four (its slots); the fifth waits for another worker.
  for _ in $(seq 100); do
    [[ $(curl -sf "$TASKS_URL/api/tasks?state=running" | grep -o '"id"' | wc -l) -ge 4 ]] && break
    sleep 0.1
  done
  for n in a b c; do start_worker "$n"; done
}

start_worker() {  # node name
  "$HUDDLE" tasks worker --coordinator "$TASKS_URL" --name "$1" --node "$1" \
    --topology "$WORK/topology.yaml" --cores 2 --max-tasks 4 --synthetic sleep \
    >"$WORK/worker-$1.log" 2>&1 &
  PIDS+=($!)
}

