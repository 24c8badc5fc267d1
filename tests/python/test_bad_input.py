"""Hostile and broken input: every bad value is a ValueError (or TypeError for a wrong type)
with a clear message, never a crash, and the cluster keeps working afterwards."""

import math

import pytest

import huddle
from conftest import make_cluster

BAD_SERVER_LISTS = [
    ([("s1", "h", 70000)], ValueError, "port"),
    ([("s1", "h", -1)], ValueError, "port"),
    ([("s1", "h", 2**80)], ValueError, "port"),
    ([("s1", "h", True)], TypeError, "port"),
    ([("s1", "h", "80")], TypeError, "port"),
    ([("s1", "h")], ValueError, "fields"),
    ([("s1", "h", 1, 1.0, 5)], ValueError, "fields"),
    ([("", "h", 1)], ValueError, "id"),
    ([("s1", "h", 1), ("s1", "h", 2)], ValueError, "s1"),
    ([("s1", "h", 1, 0.0)], ValueError, "weight"),
    ([("s1", "h", 1, -2.0)], ValueError, "weight"),
    ([("s1", "h", 1, math.nan)], ValueError, "weight"),
    ([("s1", "h", 1, math.inf)], ValueError, "weight"),
    ([(1, "h", 1)], TypeError, "id"),
    ([("s1", None, 1)], TypeError, "host"),
    ([{"id": "s1", "host": "h"}], ValueError, "port"),
    ([{"id": "s1", "host": "h", "port": 1, "colour": "red"}], ValueError, "colour"),
    ([42], TypeError, "tuple"),
    ("s1,h,1", TypeError, "list"),
    ([("s\x00", "h", 1), ("s\x00", "h", 2)], ValueError, "s"),
]


@pytest.mark.parametrize("servers, error, word", BAD_SERVER_LISTS)
def test_bad_server_lists_are_rejected(servers, error, word):
    with pytest.raises(error, match=word):
        huddle.Cluster(servers)


BAD_OPTIONS = [
    ({"policy": "fastest"}, ValueError, "fastest"),
    ({"policy": "thermal", "policy_options": {"alpha": 0}}, ValueError, "alpha"),
    ({"policy": "thermal", "policy_options": {"colour": 1}}, ValueError, "colour"),
    ({"policy": "thermal", "policy_options": {"alpha": None}}, TypeError, "alpha"),
    ({"policy": "thermal", "policy_options": {"alpha": math.inf}}, ValueError, "alpha"),
    ({"policy": "thermal", "policy_options": {1: 2}}, TypeError, "option name"),
    ({"policy_options": "alpha=1"}, TypeError, "dict"),
    ({"outlier_options": {"interval": "soon"}}, ValueError, "interval"),
    ({"health_check_options": {"rise": -1}}, ValueError, "rise"),
    ({"slow_start_options": {"window": "x"}}, ValueError, "window"),
    ({"panic_threshold_percent": 101.0}, ValueError, "panic"),
    ({"panic_threshold_percent": math.nan}, ValueError, "panic"),
    ({"tick_interval": 0.0}, ValueError, "tick_interval"),
    ({"tick_interval": math.inf}, ValueError, "tick_interval"),
    ({"clock": object()}, TypeError, "ManualClock"),
    ({"seed": -1}, TypeError, ""),
]


@pytest.mark.parametrize("options, error, word", BAD_OPTIONS)
def test_bad_options_are_rejected(options, error, word):
    with pytest.raises(error, match=word):
        huddle.Cluster([("s1", "h", 1)], **options)


@pytest.mark.parametrize("latency", [-1.0, math.nan, math.inf, -math.inf, 1e9 + 1, 1e300])
def test_bad_latencies_are_rejected_and_not_counted(latency):
    c = make_cluster(2, policy="round_robin")
    s = c.pick()
    with pytest.raises(ValueError, match="latency_ms"):
        c.record(s, latency)
    c.record(s, 1.0)  # the request can still be ended properly
    assert sum(x["requests"] for x in c.health_report()["servers"]) == 1


def test_bad_record_arguments():
    c = make_cluster(2, policy="round_robin")
    s = c.pick()
    with pytest.raises(ValueError, match="status"):
        c.record(s, 1.0, status=1000)
    with pytest.raises(ValueError, match="status"):
        c.record(s, 1.0, status=-5)
    with pytest.raises(ValueError, match="failure"):
        c.record(s, 1.0, False, failure="gremlins")
    with pytest.raises(TypeError):
        c.record("s1", 1.0)
    with pytest.raises(TypeError):
        c.record(None, 1.0)
    with pytest.raises(TypeError):
        c.record(s, "fast")


def test_a_server_of_another_cluster_is_refused():
    a = make_cluster(8, policy="round_robin")
    b = make_cluster(1, policy="round_robin")
    for _ in range(8):
        foreign = a.pick()  # index up to 7: out of b's range, which would be a crash in C++
    with pytest.raises(ValueError, match="another Cluster"):
        b.record(foreign, 1.0)
    assert b.health_report()["servers"][0]["requests"] == 0


def test_servers_and_requests_cannot_be_made_by_hand():
    with pytest.raises(TypeError):
        huddle.Server()
    with pytest.raises(TypeError):
        huddle.Request()


def test_a_request_cannot_be_entered_twice():
    c = make_cluster(1, policy="round_robin")
    r = c.server()
    with r:
        pass
    with pytest.raises(ValueError, match="already entered"):
        r.__enter__()
    assert c.health_report()["servers"][0]["requests"] == 1


def test_exit_without_enter_and_double_exit_do_nothing():
    c = make_cluster(1, policy="round_robin")
    r = c.server()
    assert r.__exit__(None, None, None) is False
    with r:
        pass
    assert r.__exit__(None, None, None) is False
    assert c.health_report()["servers"][0]["requests"] == 1


def test_a_request_dropped_without_exit_is_still_recorded():
    c = make_cluster(1, policy="round_robin")
    r = c.server()
    r.__enter__()
    del r
    import gc
    gc.collect()
    (s,) = c.health_report()["servers"]
    assert s["requests"] == 1 and s["in_flight"] == 0


@pytest.mark.parametrize("call", [
    lambda c: c.remove_server("ghost"),
    lambda c: c.drain("ghost"),
    lambda c: c.enable("ghost"),
    lambda c: c.set_weight("ghost", 1.0),
    lambda c: c.set_weight("s1", 0.0),
    lambda c: c.set_weight("s1", math.nan),
    lambda c: c.add_server(("s1", "h", 1)),
    lambda c: c.add_server(("", "h", 1)),
    lambda c: c.report_metrics("s1", 1.5, 0.1, 1),
    lambda c: c.report_metrics("s1", math.nan, 0.1, 1),
    lambda c: c.report_metrics("s1", 0.5, 0.1, -1),
    lambda c: c.report_health_check("s1", True, -3.0),
])
def test_bad_calls_raise_value_error_and_leave_the_cluster_working(call):
    c = make_cluster(2, policy="round_robin")
    with pytest.raises(ValueError):
        call(c)
    s = c.pick()
    c.record(s, 1.0)
    assert len(c.health_report()["servers"]) == 2


def test_bad_hash_keys_and_clock_values():
    c = make_cluster(2, policy="consistent_hash")
    with pytest.raises(TypeError, match="hash_key"):
        c.pick(1.5)
    with pytest.raises(TypeError, match="hash_key"):
        c.server(["k"])
    clock = huddle.ManualClock()
    with pytest.raises(ValueError):
        clock.advance(math.nan)
    with pytest.raises(ValueError):
        huddle.ManualClock(math.inf)


def test_on_event_needs_a_callable():
    c = make_cluster(1)
    with pytest.raises(TypeError, match="callable"):
        c.on_event(42)


def test_ids_with_quotes_and_newlines_stay_valid_prometheus_labels():
    c = huddle.Cluster([('a"b\\c\nd', "h", 1)], policy="round_robin")
    c.record(c.pick(), 1.0)
    assert 'server="a\\"b\\\\c\\nd"' in c.prometheus_metrics()
