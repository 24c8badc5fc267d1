"""Type stubs for huddle_cluster, HuddleCluster's API on huddle."""

from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Iterable, Optional

import huddle

class Server:
    id: str
    host: str
    port: int
    weight: float
    tags: dict[str, Any]
    def __init__(self, id: str, host: str, port: int, weight: float = 1.0,
                 tags: Optional[dict[str, Any]] = None) -> None: ...

@dataclass
class RotationEvent:
    timestamp: float
    server_id: str
    direction: str
    reason: str
    temperature: float

@dataclass
class ServerMetrics:
    cpu_usage: float = ...
    memory_usage: float = ...
    active_connections: int = ...

class HuddleCluster:
    min_inner_size: int
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
        gossip_agent: None = None,
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
    ) -> None: ...
    def get_server(self, hash_key: huddle.HashKey = None) -> Optional[huddle.Server]: ...
    def record_latency(
        self, server: huddle.Server, latency_ms: float, ok: bool = True, *, status: int = 200,
        failure: str = "other",
    ) -> None: ...
    def get_server_context(self, hash_key: huddle.HashKey = None) -> huddle.Request: ...
    def prometheus_metrics(self) -> str: ...
    def add_server(self, server: Any, force_inner: bool = False) -> None: ...
    def remove_server(self, server_id: str) -> bool: ...
    def rotate(self) -> bool: ...
    def start(self, rotation_interval_sec: Optional[float] = None) -> None: ...
    def stop(self, timeout: float = 5.0, drain_timeout_sec: float = 0.0) -> None: ...
    def health_report(self) -> dict[str, Any]: ...
    def fairness_score(self) -> float: ...
    def inner_server_ids(self) -> list[str]: ...
    def outer_server_ids(self) -> list[str]: ...
    @property
    def native(self) -> huddle.Cluster: ...

def create_cluster(server_addresses: Iterable[Any], **kwargs: Any) -> HuddleCluster: ...
