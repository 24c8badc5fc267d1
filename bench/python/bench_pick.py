#!/usr/bin/env python3
"""Per-call cost of routing from Python: huddle's module against HuddleCluster's figures.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/bench_pick.py
    ... --seed-module /path/to/huddle_cluster.py   # also time the pure-Python seed, same machine

Measured per call in a tight loop, as CPU time (median of --repeats runs of --calls calls) and
as wall time (best of 200 bursts of 1000 calls); see per_call_us():
  get_server            compat huddle_cluster.get_server() (thermal), the seed's "HC get_server()"
  get_server+record     s = get_server(); record_latency(s, 1.0), the seed's "pick + record"
  with server()         `with cluster.server() as s: pass` (pick, time, record)
  pick+record <policy>  huddle.Cluster.pick() + record() for several policies
and the same pick+record loop in 1, 2 and 4 threads (calls per second over all threads, the wall
time per call seen by one thread, the process CPU time per call). Results go to stdout as
Markdown tables.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time

import huddle
import huddle_cluster

SERVERS = [(f"s{i}", "10.0.0.%d" % (i + 1), 8080) for i in range(6)]


def per_call_us(loop, calls: int, repeats: int) -> tuple[float, float]:
    """(CPU µs per call, wall µs per call) of loop(n).

    CPU: this thread's CPU time over `calls` calls, median of `repeats` runs. It does not count
    the time the thread waits for a core, so it holds on a shared, loaded machine.
    Wall: the best of 200 bursts of 1000 calls. A burst is short enough to run within one
    scheduler slice, so the best one shows the unloaded wall time.
    """
    loop(min(calls, 10_000))  # warm-up
    cpu = []
    for _ in range(repeats):
        t0 = time.thread_time_ns()
        loop(calls)
        cpu.append((time.thread_time_ns() - t0) / calls / 1000.0)
    best_wall = float("inf")
    for _ in range(200):
        t0 = time.perf_counter_ns()
        loop(1000)
        best_wall = min(best_wall, (time.perf_counter_ns() - t0) / 1000 / 1000.0)
    return statistics.median(cpu), best_wall


def loops_for(cluster_get, record, server_ctx):
    def get_only(n):
        for _ in range(n):
            cluster_get()

    def get_record(n):
        for _ in range(n):
            s = cluster_get()
            record(s, 1.0)

    def with_server(n):
        for _ in range(n):
            with server_ctx() as s:
                pass

    return get_only, get_record, with_server


def empty_loop(n):
    for _ in range(n):
        pass


def threaded(make_loop, threads: int, calls: int) -> tuple[float, float, float]:
    """(calls per second over all threads, wall µs per call seen by one thread, process CPU µs
    per call)."""
    barrier = threading.Barrier(threads + 1)
    spans = []

    def worker():
        loop = make_loop()
        loop(1000)
        barrier.wait()
        t0 = time.perf_counter_ns()
        loop(calls)
        spans.append(time.perf_counter_ns() - t0)

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    c0 = time.process_time_ns()
    for t in ts:
        t.join()
    wall = time.perf_counter_ns() - t0
    cpu = time.process_time_ns() - c0
    total = threads * calls
    return total / (wall / 1e9), statistics.mean(spans) / calls / 1000.0, cpu / total / 1000.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2, 4])
    ap.add_argument("--seed-module", help="path of the seed's huddle_cluster.py to time too")
    args = ap.parse_args()

    rows: list[tuple[str, str, tuple[float, float]]] = []
    rows.append(("empty Python loop", "-", per_call_us(empty_loop, args.calls, args.repeats)))

    compat = huddle_cluster.create_cluster(SERVERS, seed=1)
    get_only, get_record, with_server = loops_for(
        compat.get_server, compat.record_latency, compat.get_server_context)
    rows.append(("get_server()", "huddle_cluster (thermal)",
                 per_call_us(get_only, args.calls, args.repeats)))
    rows.append(("get_server() + record_latency()", "huddle_cluster (thermal)",
                 per_call_us(get_record, args.calls, args.repeats)))
    rows.append(("with get_server_context()", "huddle_cluster (thermal)",
                 per_call_us(with_server, args.calls, args.repeats)))

    for policy in ("round_robin", "peak_ewma", "least_request", "thermal"):
        c = huddle.Cluster(SERVERS, policy=policy, seed=1)
        _, pr, ws = loops_for(c.pick, c.record, c.server)
        rows.append(("pick() + record()", f"huddle.Cluster {policy}",
                     per_call_us(pr, args.calls, args.repeats)))
        rows.append(("with server()", f"huddle.Cluster {policy}",
                     per_call_us(ws, args.calls, args.repeats)))

    if args.seed_module:
        import logging
        spec = importlib.util.spec_from_file_location("seed_huddle_cluster", args.seed_module)
        seed = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(seed)
        logging.getLogger("huddle").setLevel(logging.WARNING)
        sc = seed.create_cluster(SERVERS)
        g, gr, ws = loops_for(sc.get_server, sc.record_latency, sc.get_server_context)
        rows.append(("get_server()", "seed HuddleCluster (pure Python)",
                     per_call_us(g, args.calls, args.repeats)))
        rows.append(("get_server() + record_latency()", "seed HuddleCluster (pure Python)",
                     per_call_us(gr, args.calls // 10, args.repeats)))
        rows.append(("with get_server_context()", "seed HuddleCluster (pure Python)",
                     per_call_us(ws, args.calls // 10, args.repeats)))

    print(f"Python {sys.version.split()[0]}, {args.calls} calls x {args.repeats} repeats "
          "(median), 6 servers\n")
    print("| call | implementation | CPU µs per call | wall µs per call (best burst) |")
    print("|---|---|---:|---:|")
    for call, impl, (cpu, wall) in rows:
        print(f"| {call} | {impl} | {cpu:.3f} | {wall:.3f} |")

    print("\nThreads (pick() + record(), huddle.Cluster peak_ewma, one shared cluster):\n")
    print("| threads | calls/s, all threads | wall µs per call, one thread | CPU µs per call |")
    print("|---:|---:|---:|---:|")
    shared = huddle.Cluster(SERVERS, policy="peak_ewma", seed=1)
    for n in args.threads:
        def make():
            return loops_for(shared.pick, shared.record, shared.server)[1]
        rate, us, cpu = threaded(make, n, args.calls // 2)
        print(f"| {n} | {rate:,.0f} | {us:.3f} | {cpu:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
