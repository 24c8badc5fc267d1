"""HuddleCluster's API on huddle's brain.

Code written for the `huddle_cluster` library (HuddleCluster 1.3) runs unchanged for the calls
below; the routing, rotation and health decisions are huddle's C++ `thermal` policy with outlier
detection (include/huddle/cluster.h), not a Python re-implementation.

    from huddle_cluster import create_cluster
    cluster = create_cluster([("s1", "10.0.0.1", 8080), ("s2", "10.0.0.2", 8080, 2.0)])
    cluster.start()
    server = cluster.get_server()
    cluster.record_latency(server, 12.5)
    with cluster.get_server_context() as server:
        ...
    print(cluster.health_report()["heat_threshold"])
    cluster.stop()

What differs on purpose is listed in docs/python.md.
"""

from __future__ import annotations

import collections
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import huddle

__version__ = "1.3.2+huddle"
__all__ = ["HuddleCluster", "RotationEvent", "ServerMetrics", "create_cluster", "Server"]


class Server:
    """A server to add, as HuddleCluster's `Server(id, host, port, weight=1.0, tags=None)`.

    get_server() returns huddle.Server objects (id, host, port), not these."""

    def __init__(self, id: str, host: str, port: int, weight: float = 1.0,
                 tags: Optional[dict] = None):
        if not weight > 0:
            raise ValueError("weight must be > 0")
        self.id, self.host, self.port, self.weight = id, host, port, float(weight)
        self.tags = dict(tags or {})

    def __repr__(self) -> str:
        return f"Server(id={self.id!r}, host={self.host!r}, port={self.port})"

# HuddleCluster option -> huddle thermal option (durations: bare numbers are seconds).
_THERMAL_OPTIONS: dict[str, str] = {
    "heat_threshold": "heat",
    "cool_threshold": "cool",
    "min_inner_size": "min_inner",
    "max_inner_size": "max_inner",
    "rotation_cooldown_sec": "rotation_cooldown",
    "min_outer_dwell_sec": "outer_dwell",
    "ema_alpha": "alpha",
    "absolute_latency_floor_ms": "absolute_latency_floor_ms",
    "cold_start_sec": "cold_start",
    "adaptive_thresholds": "adaptive_thresholds",
    "circuit_breaker_threshold": "error_breaker",
    "rotation_interval_sec": "rotation_interval",
}


@dataclass
class RotationEvent:
    """A ring change, as HuddleCluster's on_rotation callback receives it."""

    timestamp: float  # time.time() when it was delivered
    server_id: str
    direction: str  # "inner->outer" or "outer->inner"
    reason: str
    temperature: float


@dataclass
class ServerMetrics:
    """What a metrics_updater may set on `server.metrics` (utilisations in [0, 1])."""

    cpu_usage: float = 0.0
    memory_usage: float = 0.0
    active_connections: int = 0


@dataclass
class _ServerView:
    """The object a metrics_updater receives: the server's address and its metrics to fill."""

    id: str
    host: str
    port: int
    weight: float
    metrics: ServerMetrics


def _spec(entry: Any) -> tuple[tuple, dict]:
    """(id, host, port[, weight[, tags]]) or a dict or a Server-like object -> (spec, tags)."""
    if isinstance(entry, dict):
        entry = dict(entry)
        tags = entry.pop("tags", None) or {}
        return (entry,), tags
    if isinstance(entry, (tuple, list)):
        if len(entry) == 5:
            return tuple(entry[:4]), dict(entry[4] or {})
        return tuple(entry), {}
    if all(hasattr(entry, a) for a in ("id", "host", "port")):
        spec = (entry.id, entry.host, entry.port, float(getattr(entry, "weight", 1.0)))
        return spec, dict(getattr(entry, "tags", None) or {})
    raise TypeError("a server is a tuple (id, host, port[, weight[, tags]]), a dict or a Server")


def _parse(entry: Any) -> tuple[Any, Any, dict, _ServerView]:
    """One server entry -> (what huddle.Cluster takes, id, tags, metrics view)."""
    spec, tags = _spec(entry)
    if len(spec) == 1:
        d = spec[0]
        sid, host, port, weight = d.get("id"), d.get("host"), d.get("port"), d.get("weight", 1.0)
        native: Any = d
    else:
        sid, host, port = spec[0], spec[1] if len(spec) > 1 else None, spec[2] if len(spec) > 2 else None
        weight = spec[3] if len(spec) > 3 else 1.0
        native = spec
    return native, sid, tags, _ServerView(sid, host, port, weight, ServerMetrics())


class HuddleCluster:
    """HuddleCluster's class, backed by huddle.Cluster with the thermal policy.

    Options keep HuddleCluster's names and defaults, except max_inner_size (default: no cap;
    the seed's 5 benched a sixth server forever). Invalid values raise ValueError with huddle's
    message. Extra keyword-only options: policy (any name from huddle.policies(); the thermal
    options then must stay at their defaults), seed, clock (a huddle.ManualClock) and
    outlier_detection.
    """

    def __init__(
        self,
        heat_threshold: float = 0.55,
        cool_threshold: float = 0.30,
        min_inner_size: int = 2,
        max_inner_size: Optional[int] = None,
        rotation_cooldown_sec: float = 5.0,
        min_outer_dwell_sec: float = 10.0,
        ema_alpha: float = 0.60,
        absolute_latency_floor_ms: Optional[float] = None,
        cold_start_sec: float = 0.0,
        adaptive_thresholds: bool = False,
        gossip_agent: Any = None,
        request_timeout_ms: float = 500.0,
        circuit_breaker_threshold: float = 0.5,
        metrics_updater: Optional[Callable[[Any], None]] = None,
        on_rotation: Optional[Callable[[RotationEvent], None]] = None,
        on_eviction: Optional[Callable[[str, str], None]] = None,
        *,
        rotation_interval_sec: float = 1.0,
        policy: str = "thermal",
        seed: int = 0,
        clock: Optional[huddle.ManualClock] = None,
        outlier_detection: bool = True,
        servers: Iterable[Any] = (),
    ):
        if gossip_agent is not None:
            raise TypeError("huddle_cluster has no gossip (HuddleCluster stored peer states but "
                            "never routed on them); see docs/python.md")
        del request_timeout_ms  # unused by HuddleCluster itself; accepted for compatibility
        given = {
            "heat_threshold": heat_threshold, "cool_threshold": cool_threshold,
            "min_inner_size": min_inner_size, "max_inner_size": max_inner_size,
            "rotation_cooldown_sec": rotation_cooldown_sec,
            "min_outer_dwell_sec": min_outer_dwell_sec, "ema_alpha": ema_alpha,
            "absolute_latency_floor_ms": absolute_latency_floor_ms,
            "cold_start_sec": cold_start_sec, "adaptive_thresholds": adaptive_thresholds,
            "circuit_breaker_threshold": circuit_breaker_threshold,
            "rotation_interval_sec": rotation_interval_sec,
        }
        # Values go to huddle as they are: huddle's option parser checks types and ranges (2.5
        # for min_inner_size is an error there, not a silent 2).
        options = {_THERMAL_OPTIONS[name]: value for name, value in given.items()
                   if value is not None}  # None: no floor / no cap, huddle's 0
        if policy != "thermal":
            defaults = HuddleCluster.__init__.__defaults__  # type: ignore[attr-defined]
            changed = [n for n, d in zip(list(given)[:10], defaults[:10]) if given[n] != d]
            if changed:
                raise ValueError(f"{', '.join(changed)} only apply to policy='thermal'")
            options = {}
        self.min_inner_size = min_inner_size
        self._tags: dict[str, dict] = {}
        self._on_rotation = on_rotation
        self._on_eviction = on_eviction
        self._metrics_updater = metrics_updater
        self._metrics: dict[str, _ServerView] = {}
        self._rotations: collections.deque[RotationEvent] = collections.deque(maxlen=1000)
        self._rotation_count = 0
        # The servers given here are the cluster as it starts (no cold start for them), so they
        # go to the constructor, not through add_server one by one.
        specs = [self._remember(entry) for entry in servers]
        self._cluster = huddle.Cluster(
            specs, policy=policy, policy_options=options, seed=seed, clock=clock,
            outlier_detection=outlier_detection)
        # A weak reference: the native cluster cannot take part in Python's cycle collection,
        # so a callback holding `self` would keep both alive forever.
        this = weakref.ref(self)

        def forward(event: huddle.Event) -> None:
            cluster = this()
            if cluster is not None:
                cluster._event(event)

        self._cluster.on_event(forward)
        # The hot path goes straight to C++: no Python frame per call.
        self.get_server = self._cluster.pick
        self.record_latency = self._cluster.record
        self.get_server_context = self._cluster.server
        self.prometheus_metrics = self._cluster.prometheus_metrics
        self._ticker: Optional[threading.Thread] = None
        self._stop = threading.Event()

    def _remember(self, entry: Any) -> Any:
        """Keeps one server entry's tags and metrics view; returns what huddle.Cluster takes."""
        native, sid, tags, view = _parse(entry)
        if isinstance(sid, str):
            self._tags[sid] = tags
            self._metrics[sid] = view
        return native

    # -- servers ---------------------------------------------------------------------------

    def add_server(self, server: Any, force_inner: bool = False) -> None:
        """Adds (id, host, port[, weight[, tags]]), a dict, or a Server-like object. huddle's
        rings decide where it starts (force_inner is accepted and has no effect)."""
        del force_inner
        native, sid, tags, view = _parse(server)
        self._cluster.add_server(native)  # ValueError/TypeError before anything is kept
        self._tags[sid] = tags
        self._metrics[sid] = view

    def remove_server(self, server_id: str) -> bool:
        """Removes a server; False when there is no such server."""
        try:
            self._cluster.remove_server(server_id)
        except ValueError:
            return False
        self._tags.pop(server_id, None)
        self._metrics.pop(server_id, None)
        return True

    # -- rotation --------------------------------------------------------------------------

    def rotate(self) -> bool:
        """Runs one tick (the thermal policy rotates once per rotation_interval_sec); True when
        a server changed rings."""
        before = self._rotation_count
        self._feed_metrics()
        self._cluster.tick()
        return self._rotation_count != before

    def start(self, rotation_interval_sec: Optional[float] = None) -> None:
        """Starts the background ticker (a daemon thread). It ticks every rotation_interval_sec
        / 10, at most every 0.1 s; the policy rotates once per rotation_interval_sec given at
        construction."""
        if self._ticker is not None:
            return
        period = 0.1 if rotation_interval_sec is None else min(0.1, rotation_interval_sec / 10)
        if not period > 0:
            raise ValueError("rotation_interval_sec must be positive")
        self._stop.clear()
        self._ticker = threading.Thread(target=self._loop, args=(period,),
                                        name="huddle-rotation", daemon=True)
        self._ticker.start()

    def stop(self, timeout: float = 5.0, drain_timeout_sec: float = 0.0) -> None:
        """Stops the ticker. With drain_timeout_sec, first waits (up to that long) until no
        picked request is still in flight."""
        deadline = time.monotonic() + drain_timeout_sec
        while drain_timeout_sec > 0 and time.monotonic() < deadline:
            servers = self._cluster.health_report()["servers"]
            if all(s["in_flight"] == 0 for s in servers):
                break
            time.sleep(0.01)
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            self._stop.set()
            ticker.join(timeout)

    def _loop(self, period: float) -> None:
        while not self._stop.wait(period):
            self._feed_metrics()
            self._cluster.tick()

    def _feed_metrics(self) -> None:
        if self._metrics_updater is None:
            return
        for view in list(self._metrics.values()):
            self._metrics_updater(view)
            m = view.metrics
            self._cluster.report_metrics(view.id, float(m.cpu_usage), float(m.memory_usage),
                                         float(m.active_connections))

    def _event(self, event: huddle.Event) -> None:
        if event.kind not in ("evict", "promote"):
            return
        direction = "inner->outer" if event.kind == "evict" else "outer->inner"
        reason = event.reason.split(":", 1)[0]
        temperature = float("nan")
        for s in self._cluster.health_report()["servers"]:
            if s["id"] == event.server_id:
                temperature = s["policy"].get("temperature", temperature)
        rotation = RotationEvent(time.time(), event.server_id, direction, reason, temperature)
        self._rotations.append(rotation)
        self._rotation_count += 1
        if self._on_rotation is not None:
            self._on_rotation(rotation)
        if self._on_eviction is not None and event.kind == "evict":
            self._on_eviction(event.server_id, reason)

    # -- reports ---------------------------------------------------------------------------

    def health_report(self) -> dict:
        """HuddleCluster's report shape (status, inner_ring, outer_ring, counts, temperatures,
        fairness_score, heat_threshold, ...) plus huddle's own report under "huddle"."""
        native = self._cluster.health_report()
        gauges = native["cluster"]
        inner, outer = [], []
        for s in native["servers"]:
            p = s["policy"]
            is_inner = bool(p["inner"]) if "inner" in p else bool(s["in_rotation"])
            entry = {
                "id": s["id"],
                "weight": s["weight"],
                "tags": self._tags.get(s["id"], {}),
                "temp": round(p.get("temperature", 0.0), 4),
                "rotations": int(p.get("rotations_total", 0)),
                "avg_latency_ms": round(p.get("avg_latency_ms", s["mean_latency_ms"]), 2),
                "anomaly_score": round(p.get("anomaly_score", 0.0), 4),
                "requests": s["requests"],
                "errors": s["errors"],
                "healthy": s["healthy"] and not s["ejected"],
            }
            (inner if is_inner else outer).append(entry)
        temps = [e["temp"] for e in inner]
        return {
            "status": "degraded" if len(inner) < self.min_inner_size else "healthy",
            "policy": native["policy"],
            "inner_ring": inner,
            "outer_ring": outer,
            "inner_count": len(inner),
            "outer_count": len(outer),
            "total_servers": len(inner) + len(outer),
            "avg_inner_temp": round(sum(temps) / len(temps), 4) if temps else 0,
            "max_inner_temp": round(max(temps), 4) if temps else 0,
            "fairness_score": round(gauges.get("fairness_gini", 0.0), 4),
            "total_rotations": sum(e["rotations"] for e in inner + outer),
            "heat_threshold": gauges.get("heat_threshold"),
            "cool_threshold": gauges.get("cool_threshold"),
            "p95_latency_ms": gauges.get("p95_latency_ms"),
            "requests_total": sum(s["requests"] for s in native["servers"]),
            "recent_rotations": [
                {"server_id": e.server_id, "direction": e.direction, "reason": e.reason,
                 "temperature": e.temperature}
                for e in list(self._rotations)[-10:]
            ],
            "huddle": native,
        }

    def fairness_score(self) -> float:
        """Gini coefficient of the share of its life each server spent in the inner ring."""
        return float(self._cluster.health_report()["cluster"].get("fairness_gini", 0.0))

    def _ring(self, inner: bool) -> list[str]:
        servers = self._cluster.health_report()["servers"]
        return [s["id"] for s in servers
                if bool(s["policy"].get("inner", s["in_rotation"])) == inner]

    def inner_server_ids(self) -> list[str]:
        """Ids of the servers in the inner ring (taking traffic)."""
        return self._ring(True)

    def outer_server_ids(self) -> list[str]:
        """Ids of the servers in the outer ring (resting)."""
        return self._ring(False)

    @property
    def native(self) -> huddle.Cluster:
        """The huddle.Cluster underneath: drain, set_weight, on_event, report_health_check..."""
        return self._cluster

    def __repr__(self) -> str:
        ids = self.inner_server_ids()
        return f"HuddleCluster(inner={len(ids)}, running={self._ticker is not None})"


def create_cluster(server_addresses: Iterable[Any], **kwargs: Any) -> HuddleCluster:
    """HuddleCluster(**kwargs) with the given servers: tuples (id, host, port[, weight[, tags]])
    or dicts with those keys."""
    return HuddleCluster(servers=list(server_addresses), **kwargs)


def __getattr__(name: str) -> Any:
    if name == "GossipAgent":
        raise ImportError("huddle_cluster has no GossipAgent: HuddleCluster stored gossiped peer "
                          "states but never routed on them (see docs/python.md)")
    raise AttributeError(f"module 'huddle_cluster' has no attribute {name!r}")
