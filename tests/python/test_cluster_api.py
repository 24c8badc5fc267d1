"""The huddle module's own API: every call of include/huddle/cluster.h, from Python."""

import asyncio
import gc
import json
import time

import pytest

import huddle
from conftest import make_cluster


def test_policies_lists_every_policy_the_cluster_accepts():
    names = huddle.policies()
    assert {"round_robin", "peak_ewma", "thermal", "consistent_hash"} <= set(names)
    for name in names:
        assert make_cluster(3, policy=name).health_report()["policy"] == name


def test_default_policy_is_huddles_default():
    assert make_cluster(3).health_report()["policy"] == "peak_ewma"


def test_round_robin_visits_every_server_in_turn_and_counts_requests():
    c = make_cluster(3, policy="round_robin")
    picks = []
    for _ in range(6):
        s = c.pick()
        picks.append(s.id)
        c.record(s, 5.0)
    assert sorted(picks[:3]) == ["s1", "s2", "s3"]
    assert picks[3:] == picks[:3]
    report = c.health_report()
    assert [s["requests"] for s in report["servers"]] == [2, 2, 2]
    assert all(s["in_flight"] == 0 for s in report["servers"])
    assert report["servers"][0]["mean_latency_ms"] == pytest.approx(5.0)


def test_a_server_is_one_reused_object_with_id_host_port():
    c = make_cluster(2, policy="round_robin")
    a, b, a_again = c.pick(), c.pick(), c.pick()
    assert a is a_again and a is not b
    assert (a.id, a.host, a.port) == ("s1", "127.0.0.1", 9001)
    assert repr(a) == "Server(id='s1', host='127.0.0.1', port=9001)"


def test_a_picked_server_outlives_its_cluster_object():
    c = make_cluster(2, policy="round_robin")
    s = c.pick()
    del c
    gc.collect()
    assert (s.id, s.port) == ("s1", 9001)


def test_record_failure_and_status_count_as_errors():
    c = make_cluster(2, policy="round_robin", outlier_detection=False)
    s = c.pick()
    c.record(s, 3.0, False, failure="connect_refused")
    t = c.pick()
    c.record(t, 3.0, status=503)
    servers = {x["id"]: x for x in c.health_report()["servers"]}
    assert servers[s.id]["errors"] == 1 and servers[t.id]["errors"] == 1


def test_with_server_records_latency_and_failure_when_the_block_raises():
    clock = huddle.ManualClock(50.0)
    c = make_cluster(1, policy="round_robin", clock=clock, outlier_detection=False)
    with c.server() as s:
        assert s.id == "s1"
        clock.advance(0.040)
    with pytest.raises(ConnectionRefusedError):
        with c.server():
            clock.advance(0.010)
            raise ConnectionRefusedError()
    (server,) = c.health_report()["servers"]
    assert server["requests"] == 2 and server["errors"] == 1
    assert server["mean_latency_ms"] == pytest.approx(25.0)
    assert server["in_flight"] == 0


def test_with_server_yields_none_when_nothing_can_take_traffic():
    c = make_cluster(1, policy="round_robin")
    c.drain("s1")
    assert c.pick() is None
    with c.server() as s:
        assert s is None


def test_async_with_picks_and_records():
    c = make_cluster(2, policy="round_robin", outlier_detection=False)

    async def main():
        async with c.server() as s:
            await asyncio.sleep(0)
            return s.id

    assert asyncio.run(main()) == "s1"
    assert sum(s["requests"] for s in c.health_report()["servers"]) == 1


def test_drain_enable_add_remove_set_weight():
    c = make_cluster(3, policy="round_robin")
    c.drain("s2")
    assert "s2" not in {c.pick().id for _ in range(9)}
    c.enable("s2")
    assert "s2" in {c.pick().id for _ in range(9)}
    c.add_server(("s4", "127.0.0.1", 9004, 2.0))
    c.add_server({"id": "s5", "host": "::1", "port": 9005})
    c.remove_server("s1")
    assert {c.pick().id for _ in range(12)} == {"s2", "s3", "s4", "s5"}
    c.set_weight("s3", 3.0)
    weights = {s["id"]: s["weight"] for s in c.health_report()["servers"]}
    assert weights["s3"] == 3.0 and weights["s4"] == 2.0


def test_health_checks_and_metrics_reach_known_servers_only():
    c = make_cluster(2, policy="metrics_weighted")
    assert c.report_metrics("s1", 0.9, 0.5, 120) is True
    assert c.report_metrics("nobody", 0.1, 0.1, 0) is False
    assert c.report_health_check("s2", True, 2.0) is True
    assert c.report_health_check("nobody", False) is False


def test_events_reach_python_callbacks_outside_the_lock():
    c = make_cluster(10, policy="round_robin")
    seen = []

    @c.on_event
    def on(event):
        # Calling back into the cluster from a callback must not deadlock.
        seen.append((event.kind, event.server_id, c.health_report()["policy"]))

    for _ in range(200):
        s = c.pick()
        c.record(s, 1.0, status=500 if s.id == "s3" else 200)
        if seen:
            break
    assert seen and seen[0] == ("eject", "s3", "round_robin")


def test_a_raising_callback_is_reported_not_raised(monkeypatch):
    c = make_cluster(10, policy="round_robin")
    unraisable = []
    monkeypatch.setattr("sys.unraisablehook", lambda u: unraisable.append(u.exc_value))
    c.on_event(lambda e: 1 / 0)
    for _ in range(200):
        s = c.pick()
        c.record(s, 1.0, status=500 if s.id == "s3" else 200)  # never raises ZeroDivisionError
        if unraisable:
            break
    assert isinstance(unraisable[0], ZeroDivisionError)


def test_consistent_hash_keys_are_stable_for_str_bytes_and_negative_ints():
    c = make_cluster(5, policy="consistent_hash")
    for key in ("user-42", b"user-42", -12345, 2**70):
        first = c.pick(key)
        c.record(first, 1.0)
        for _ in range(5):
            again = c.pick(key)
            c.record(again, 1.0)
            assert again is first
    assert c.pick("user-42") is c.pick(b"user-42")


def test_prometheus_text_and_json_report():
    c = make_cluster(3, policy="thermal")
    for _ in range(10):
        c.record(c.pick(), 4.0)
    text = c.prometheus_metrics()
    assert '# TYPE huddle_server_requests_total counter' in text
    assert 'huddle_server_requests_total{server="s1"}' in text
    json.dumps(c.health_report())  # plain data


def test_start_and_stop_tick_in_the_background():
    # Four servers: the median is a fast one, so the slow "b" scores the full anomaly.
    c = huddle.Cluster([(sid, "127.0.0.1", 1) for sid in "abcd"], policy="thermal",
                       policy_options={"rotation_interval": "10ms", "rotation_cooldown": 0,
                                       "outer_dwell": 0, "min_inner": 1},
                       tick_interval=0.005)
    evicted = []
    c.on_event(lambda e: evicted.append(e.server_id) if e.kind == "evict" else None)
    with c:
        assert c.running
        deadline = time.monotonic() + 20
        while not evicted and time.monotonic() < deadline:
            s = c.pick()
            c.record(s, 200.0 if s.id == "b" else 5.0)
            time.sleep(0.001)
    assert not c.running
    assert evicted and evicted[0] == "b"


def _stub_classes(path):
    import ast
    tree = ast.parse(open(path).read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {n.name for n in node.body
                              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return out


def test_type_stubs_cover_every_public_method():
    import os
    import huddle_cluster
    stubs = _stub_classes(os.path.join(os.path.dirname(huddle.__file__), "__init__.pyi"))
    for name in ("Cluster", "Server", "Request", "Event", "ManualClock"):
        runtime = {m for m in dir(getattr(huddle, name)) if not m.startswith("_")}
        runtime |= {m for m in ("__enter__", "__exit__", "__aenter__", "__aexit__")
                    if hasattr(getattr(huddle, name), m)}
        assert runtime <= stubs[name] | {"__init__"}, (name, runtime - stubs[name])
    compat = _stub_classes(huddle_cluster.__file__ + "i")
    public = {m for m in dir(huddle_cluster.HuddleCluster) if not m.startswith("_")}
    public |= {"get_server", "record_latency", "get_server_context", "prometheus_metrics"}
    assert public <= compat["HuddleCluster"], public - compat["HuddleCluster"]
