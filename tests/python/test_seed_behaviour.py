"""HuddleCluster's own test intentions (seeds/huddlecluster.md, reference §1 "Tests"), ported as
behaviour tests of huddle_cluster on huddle's brain. Time is a huddle.ManualClock: one rotation
per simulated second, no sleeps."""

import math

import pytest

import huddle
import huddle_cluster
from huddle_cluster import HuddleCluster, create_cluster


def seed_cluster(n=6, **options):
    clock = huddle.ManualClock(100.0)
    options.setdefault("rotation_cooldown_sec", 0.0)
    options.setdefault("min_outer_dwell_sec", 0.0)
    servers = [(f"s{i + 1}", "127.0.0.1", 8001 + i) for i in range(n)]
    return create_cluster(servers, clock=clock, seed=3, **options), clock


def run(cluster, clock, seconds, latency_ms, probe_ms=None):
    """`seconds` simulated seconds: 12 requests a second through get_server/record_latency,
    health-check probes when probe_ms is given, then one rotation."""
    for _ in range(seconds):
        for _ in range(12):
            s = cluster.get_server()
            cluster.record_latency(s, latency_ms(s.id))
        if probe_ms is not None:
            for sid in cluster.inner_server_ids() + cluster.outer_server_ids():
                cluster.native.report_health_check(sid, True, probe_ms(sid))
        clock.advance(1.0)
        cluster.rotate()


def test_a_slow_server_rotates_out_and_the_others_stay():
    rotations = []
    c, clock = seed_cluster(on_rotation=rotations.append)
    run(c, clock, 5, lambda sid: 100.0 if sid == "s2" else 20.0)
    assert c.outer_server_ids() == ["s2"]
    assert sorted(c.inner_server_ids()) == ["s1", "s3", "s4", "s5", "s6"]
    (event,) = rotations
    assert (event.server_id, event.direction, event.reason) == ("s2", "inner->outer", "hot")
    assert event.temperature >= 0.55
    report = c.health_report()
    assert [e["id"] for e in report["outer_ring"]] == ["s2"]
    assert report["recent_rotations"][0]["server_id"] == "s2"
    # Traffic now skips it.
    assert "s2" not in {c.get_server().id for _ in range(20)}


def test_a_recovered_server_returns_on_probe_evidence():
    # The seed's evicted servers never cooled (reference §1); huddle's outer ring does.
    rotations = []
    c, clock = seed_cluster(on_rotation=rotations.append)
    slow = {"s2"}
    run(c, clock, 5, lambda sid: 100.0 if sid in slow else 20.0,
        probe_ms=lambda sid: 100.0 if sid in slow else 20.0)
    assert "s2" in c.outer_server_ids()
    slow.clear()
    run(c, clock, 10, lambda sid: 20.0, probe_ms=lambda sid: 20.0)
    assert "s2" in c.inner_server_ids()
    assert [r.direction for r in rotations if r.server_id == "s2"] == [
        "inner->outer", "outer->inner"]


def test_at_most_a_third_of_the_inner_ring_leaves_per_rotation():
    # Seven servers, three equally slow: all three are hot at the same rotation, but the cap is
    # max(1, 7 // 3) = 2, so the third waits for the next rotation (cap max(1, 5 // 3) = 1).
    evictions = []
    c, clock = seed_cluster(7, on_eviction=lambda sid, reason: evictions.append((clock.now, sid)))
    hot = {"s2", "s4", "s6"}
    run(c, clock, 1, lambda sid: 100.0 if sid in hot else 20.0)
    while not evictions:
        run(c, clock, 1, lambda sid: 100.0 if sid in hot else 20.0)
    first = [sid for t, sid in evictions if t == evictions[0][0]]
    assert len(first) == 2
    run(c, clock, 1, lambda sid: 100.0 if sid in hot else 20.0)
    assert sorted(sid for _, sid in evictions) == ["s2", "s4", "s6"]


def test_the_inner_ring_never_drops_below_min_inner():
    c, clock = seed_cluster(4, min_inner_size=2)
    for _ in range(10):
        run(c, clock, 1, lambda sid: 20.0 if sid == "s1" else 500.0)
        assert len(c.inner_server_ids()) >= 2


def test_emergency_promotion_puts_a_resting_server_in_the_ring():
    # The seed only routed to the coolest server and left it outside; huddle promotes it. Dwell
    # (10 s) is ignored: serving beats resting.
    rotations = []
    c, clock = seed_cluster(3, min_inner_size=2, max_inner_size=2, min_outer_dwell_sec=10.0,
                            on_rotation=rotations.append)
    run(c, clock, 1, lambda sid: 20.0)
    assert c.outer_server_ids() == ["s3"]
    c.native.drain("s1")
    run(c, clock, 1, lambda sid: 20.0)
    assert sorted(c.inner_server_ids()) == ["s2", "s3"]
    promoted = [r for r in rotations if r.direction == "outer->inner"]
    assert [(r.server_id, r.reason) for r in promoted] == [("s3", "emergency")]
    assert {c.get_server().id for _ in range(10)} == {"s2", "s3"}


def test_unhealthy_servers_leave_through_the_error_breaker():
    # The seed: error_rate > 0.3 after 30 failed requests. huddle's breaker (0.5) evicts it.
    # Outlier detection off: it would eject s3 after five failures, before the breaker's turn.
    c, clock = seed_cluster(4, min_inner_size=1, outlier_detection=False)
    failures = 0
    while failures < 30:
        try:
            with c.get_server_context() as s:
                if s.id == "s3":
                    failures += 1
                    raise TimeoutError("upstream timeout")
        except TimeoutError:
            pass
    clock.advance(1.0)
    c.rotate()
    assert "s3" in c.outer_server_ids()
    s3 = next(e for e in c.health_report()["outer_ring"] if e["id"] == "s3")
    assert s3["errors"] == 30


def test_fairness_is_zero_while_all_serve_and_grows_while_one_rests():
    c, clock = seed_cluster()
    run(c, clock, 1, lambda sid: 20.0)
    assert c.fairness_score() == 0.0
    run(c, clock, 5, lambda sid: 100.0 if sid == "s2" else 20.0)
    assert "s2" in c.outer_server_ids()
    before = c.fairness_score()
    run(c, clock, 5, lambda sid: 100.0 if sid == "s2" else 20.0)
    after = c.fairness_score()
    assert 0.0 < before < after < 1.0
    assert c.health_report()["fairness_score"] == round(after, 4)


SEED_METRICS = [
    "huddle_server_temperature", "huddle_server_avg_latency_ms", "huddle_server_anomaly_score",
    "huddle_server_rotations_total", "huddle_cluster_inner_count", "huddle_cluster_fairness_gini",
    "huddle_cluster_heat_threshold", "huddle_cluster_p95_latency_ms",
]


def test_prometheus_text_has_every_metric_name_the_seed_documents():
    c, clock = seed_cluster()
    run(c, clock, 3, lambda sid: 100.0 if sid == "s2" else 20.0)
    text = c.prometheus_metrics()
    for name in SEED_METRICS:
        assert f"# TYPE {name} " in text, name
    assert 'huddle_server_temperature{server="s2"}' in text


def test_health_report_has_the_seed_shape_and_heat_threshold():
    c = create_cluster([("s1", "10.0.0.1", 8080), ("s2", "10.0.0.2", 8080, 2.0),
                        {"id": "s3", "host": "10.0.0.3", "port": 8080, "tags": {"az": "a"}}],
                       heat_threshold=0.6, cool_threshold=0.2)
    c.record_latency(c.get_server(), 12.0)
    c.rotate()
    r = c.health_report()
    assert r["heat_threshold"] == pytest.approx(0.6)
    assert r["cool_threshold"] == pytest.approx(0.2)
    assert r["status"] == "healthy" and r["inner_count"] == 3 and r["total_servers"] == 3
    by_id = {e["id"]: e for e in r["inner_ring"]}
    assert by_id["s2"]["weight"] == 2.0 and by_id["s3"]["tags"] == {"az": "a"}
    for key in ("temp", "rotations", "avg_latency_ms", "anomaly_score"):
        assert key in by_id["s1"]
    assert r["huddle"]["policy"] == "thermal"


def test_cold_start_keeps_a_new_server_out_until_it_has_warmed():
    c, clock = seed_cluster(3, cold_start_sec=5.0)
    run(c, clock, 1, lambda sid: 20.0)
    c.add_server(("s9", "127.0.0.1", 8009))
    run(c, clock, 3, lambda sid: 20.0, probe_ms=lambda sid: 20.0)
    assert "s9" in c.outer_server_ids()
    run(c, clock, 4, lambda sid: 20.0, probe_ms=lambda sid: 20.0)
    assert "s9" in c.inner_server_ids()


def test_absolute_latency_floor_evicts_when_the_whole_cluster_is_slow_but_one_more():
    c, clock = seed_cluster(4, absolute_latency_floor_ms=300.0)
    run(c, clock, 3, lambda sid: 400.0 if sid == "s4" else 250.0)
    assert c.outer_server_ids() == ["s4"]
    assert c.health_report()["recent_rotations"][0]["reason"] == "latency_floor"


def test_round_robin_covers_every_inner_server():
    c, _ = seed_cluster(3)
    assert {c.get_server().id for _ in range(9)} == {"s1", "s2", "s3"}


def test_empty_cluster_gives_no_server():
    c = HuddleCluster()
    assert c.get_server() is None
    with c.get_server_context() as s:
        assert s is None


def test_start_and_stop_run_the_background_rotation():
    c = create_cluster([("a", "127.0.0.1", 1), ("b", "127.0.0.1", 2)])
    c.start()
    c.start()  # idempotent
    c.stop()
    c.stop()


@pytest.mark.parametrize("options, word", [
    ({"cool_threshold": 0.6, "heat_threshold": 0.5}, "cool"),
    ({"ema_alpha": 0.0}, "alpha"),
    ({"ema_alpha": 1.5}, "alpha"),
    ({"min_inner_size": 0}, "min_inner"),
    ({"min_inner_size": 3, "max_inner_size": 2}, "max_inner"),
    ({"heat_threshold": math.nan}, "heat"),
    ({"heat_threshold": "hot"}, "heat"),
    ({"min_inner_size": 2.5}, "min_inner"),
    ({"rotation_cooldown_sec": -1.0}, "rotation_cooldown"),
    ({"policy": "fastest"}, "fastest"),
    ({"policy": "round_robin", "ema_alpha": 0.9}, "ema_alpha"),
])
def test_invalid_options_raise_value_error_with_huddles_message(options, word):
    with pytest.raises(ValueError, match=word):
        HuddleCluster(**options)


def test_gossip_is_refused_clearly():
    with pytest.raises(ImportError, match="GossipAgent"):
        from huddle_cluster import GossipAgent  # noqa: F401
    with pytest.raises(TypeError, match="gossip"):
        HuddleCluster(gossip_agent=object())


def test_metrics_updater_feeds_cpu_memory_and_connections():
    seen = []

    def updater(server):
        seen.append(server.id)
        server.metrics.cpu_usage = 0.5
        server.metrics.active_connections = 10

    c, _ = seed_cluster(2, metrics_updater=updater)
    c.rotate()
    assert sorted(seen) == ["s1", "s2"]


def test_a_non_thermal_policy_keeps_the_api():
    c = create_cluster([("a", "127.0.0.1", 1), ("b", "127.0.0.1", 2)], policy="peak_ewma")
    s = c.get_server()
    c.record_latency(s, 3.0)
    r = c.health_report()
    assert r["policy"] == "peak_ewma" and r["inner_count"] == 2 and r["heat_threshold"] is None


def test_add_server_takes_the_seeds_server_objects():
    c, _ = seed_cluster(2)
    c.add_server(huddle_cluster.Server(id="s9", host="10.0.0.9", port=81, weight=2.0,
                                       tags={"az": "b"}), force_inner=True)
    by_id = {e["id"]: e for e in c.health_report()["inner_ring"] + c.health_report()["outer_ring"]}
    assert by_id["s9"]["weight"] == 2.0 and by_id["s9"]["tags"] == {"az": "b"}
    with pytest.raises(ValueError, match="weight"):
        huddle_cluster.Server(id="s", host="h", port=1, weight=0)
    with pytest.raises(ValueError, match="s9"):
        c.add_server(("s9", "h", 1))  # duplicate id
    assert c.remove_server("s9") is True and c.remove_server("s9") is False


def test_adaptive_thresholds_loosen_when_the_cluster_p95_climbs():
    # Every server slows together from 10 ms to 100 ms: nobody is an outlier, but the cluster P95
    # ratio (recent / older half) passes 1.5, so heat becomes the base 0.55 + 0.10.
    c, clock = seed_cluster(4, adaptive_thresholds=True)
    assert c.health_report()["heat_threshold"] == pytest.approx(0.55)
    for second in range(30):
        run(c, clock, 1, lambda sid: 10.0 + 3.0 * second)
    r = c.health_report()
    assert r["heat_threshold"] == pytest.approx(0.65)
    assert r["cool_threshold"] == pytest.approx(0.35)
    assert r["outer_count"] == 0
