#!/usr/bin/env python3
"""Memory per idle keep-alive client connection, and N concurrent connections held.

    idle_connections.py HUDDLE_CLI [N]

Starts one `huddle upstream` and `huddle proxy` (1 worker), opens N client connections, sends one
request on each (so every session has served a request and sits idle in keep-alive), reads the
proxy's RSS before and after, then checks that every connection still works."""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

cli = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

def wait_port(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"port {port} did not open")

procs = []
try:
    procs.append(subprocess.Popen([cli, "upstream", "--port", "9151"], stderr=subprocess.DEVNULL))
    wait_port(9151)
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write("threads: 1\nadmin: { enabled: false }\nlisteners:\n"
              "  - { name: web, address: 127.0.0.1:8150, cluster: app, max_connections: 100000 }\n"
              "clusters:\n  - name: app\n    policy: round_robin\n"
              "    backends: [ { name: u, address: 127.0.0.1:9151 } ]\n")
    cfg.close()
    proxy = subprocess.Popen([cli, "proxy", "-c", cfg.name], stderr=subprocess.DEVNULL)
    procs.append(proxy)
    wait_port(8150)
    request = b"GET / HTTP/1.1\r\nhost: m\r\n\r\n"
    # Warm up: one connection, a few requests (pools, allocator arenas).
    warm = socket.create_connection(("127.0.0.1", 8150))
    for _ in range(10):
        warm.sendall(request)
        warm.recv(4096)
    time.sleep(0.3)
    before = rss_kib(proxy.pid)
    conns = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", 8150))
        s.sendall(request)
        conns.append(s)
    for s in conns:
        data = b""
        while b"hello" not in data and len(data) < 200:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    time.sleep(0.5)
    after = rss_kib(proxy.pid)
    alive = 0
    for s in conns[:: max(1, n // 200)]:
        s.sendall(request)
        if b"200 OK" in s.recv(4096):
            alive += 1
    checked = len(conns[:: max(1, n // 200)])
    print(f"connections={n} rss_before_kib={before} rss_after_kib={after} "
          f"per_connection_bytes={(after - before) * 1024 / n:.0f} still_serving={alive}/{checked}")
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
