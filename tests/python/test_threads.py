"""Threads hammering one cluster: counts stay exact, nothing deadlocks, nothing crashes.
Real clock, real threads (the GIL is released in every call that takes the cluster's lock, so
the C++ side really runs concurrently)."""

import threading

import huddle

THREADS = 8
PER_THREAD = 4000


def test_concurrent_pick_record_and_with_keep_counts_exact():
    c = huddle.Cluster([(f"s{i}", "127.0.0.1", 9000 + i) for i in range(8)],
                       policy="least_request", seed=5)
    errors = []
    barrier = threading.Barrier(THREADS)

    def worker(n):
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                if (i + n) % 2:
                    s = c.pick()
                    c.record(s, 1.0 + i % 7, i % 50 != 0)
                else:
                    with c.server() as s:
                        assert s is not None
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    servers = c.health_report()["servers"]
    assert sum(s["requests"] for s in servers) == THREADS * PER_THREAD
    assert all(s["in_flight"] == 0 for s in servers)


def test_membership_changes_ticks_and_reports_race_with_traffic():
    c = huddle.Cluster([(f"s{i}", "127.0.0.1", 9000 + i) for i in range(6)], policy="thermal",
                       policy_options={"rotation_interval": "1ms", "rotation_cooldown": 0,
                                       "outer_dwell": 0, "min_inner": 1},
                       tick_interval=0.001)
    events = []
    c.on_event(events.append)
    stop = threading.Event()
    recorded = [0] * 4
    errors = []

    def traffic(n):
        # Counts the requests to the six servers that stay; the x* servers come and go, and a
        # removed server leaves the report.
        try:
            while not stop.is_set():
                try:
                    with c.server() as s:
                        if s is not None and s.id.startswith("s"):
                            recorded[n] += 1
                        if s is not None and s.id == "s1":
                            raise ConnectionResetError()
                except ConnectionResetError:
                    pass
        except BaseException as e:
            errors.append(e)

    def churn():
        try:
            for i in range(300):
                sid = f"x{i}"
                c.add_server((sid, "127.0.0.1", 10000 + i))
                c.drain("s2")
                c.tick()
                c.enable("s2")
                c.set_weight("s3", 1.0 + i % 3)
                c.health_report()
                c.prometheus_metrics()
                c.remove_server(sid)
        except BaseException as e:
            errors.append(e)
        finally:
            stop.set()

    workers = [threading.Thread(target=traffic, args=(n,)) for n in range(4)]
    churner = threading.Thread(target=churn)
    with c:  # the background ticker runs too
        for t in workers + [churner]:
            t.start()
        for t in workers + [churner]:
            t.join(120)
    assert not any(t.is_alive() for t in workers + [churner]), "a thread hung"
    assert not errors
    report = c.health_report()
    assert all(s["in_flight"] == 0 for s in report["servers"])
    assert sum(s["requests"] for s in report["servers"]) == sum(recorded)
    assert len(report["servers"]) == 6
    # Events from every thread reached the callback: each of the 300 added servers joined.
    assert sum(e.kind == "join" and e.server_id.startswith("x") for e in events) == 300


def test_calls_into_the_cluster_release_the_gil():
    # With a 100 s switch interval a thread keeps the GIL until it releases it explicitly. Thread
    # B waits for the GIL to count to 1000. While A runs C code that keeps the GIL (json.dumps),
    # B cannot count at all; while A calls into the cluster, B gets the GIL and finishes.
    import json
    import sys
    import time

    c = huddle.Cluster([(f"s{i}", "127.0.0.1", 1) for i in range(2000)], policy="round_robin")
    big = list(range(200_000))
    go = threading.Event()
    counted = [0]

    def counter():
        go.wait()
        for _ in range(1000):
            counted[0] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    b = threading.Thread(target=counter)
    try:
        b.start()
        go.set()
        for _ in range(20):
            json.dumps(big)  # holds the GIL throughout
        held = counted[0]
        deadline = time.monotonic() + 60
        while counted[0] < 1000 and time.monotonic() < deadline:
            c.prometheus_metrics()
        while_calling = counted[0]
    finally:
        sys.setswitchinterval(old)
        b.join()
    assert held == 0
    assert while_calling == 1000
