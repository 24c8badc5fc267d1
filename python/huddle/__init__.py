"""huddle's embeddable load balancer for Python.

    import huddle
    cluster = huddle.Cluster([("s1", "10.0.0.1", 8080), ("s2", "10.0.0.2", 8080, 2.0)],
                             policy="peak_ewma")
    cluster.start()                       # rotation, outlier sweeps and decay in the background
    with cluster.server() as server:      # picks; records the latency (a failure if it raises)
        call(server.host, server.port)
    cluster.stop()

The brain is C++ (include/huddle/cluster.h); this package is a thin layer over the _huddle
extension: a background ticker thread, and the `async with` forms. See docs/python.md.
"""

from __future__ import annotations

import threading

from ._huddle import MAX_LATENCY_MS, Event, ManualClock, Request, Server, policies
from ._huddle import Cluster as _NativeCluster

__all__ = ["Cluster", "Event", "ManualClock", "Request", "Server", "policies", "MAX_LATENCY_MS"]


async def _request_aenter(self):
    return self.__enter__()


async def _request_aexit(self, exc_type, exc, tb):
    return self.__exit__(exc_type, exc, tb)


# `async with cluster.server() as s:` does the same as `with`: picking and recording never block
# on I/O (they take the cluster's lock for well under a microsecond).
Request.__aenter__ = _request_aenter
Request.__aexit__ = _request_aexit


class Cluster(_NativeCluster):
    """huddle's load balancer for one set of servers (see the _huddle.Cluster docstrings).

    Adds start()/stop(): a daemon thread that calls tick() every tick_interval seconds, and the
    context-manager forms `with cluster:` / `async with cluster:` that start and stop it.
    """

    def __init__(self, servers=(), **options):
        self._ticker: threading.Thread | None = None
        self._stop_ticker = threading.Event()
        self._ticker_lock = threading.Lock()
        super().__init__(servers, **options)

    def start(self, interval: float | None = None) -> None:
        """Ticks in a background thread every `interval` seconds (default tick_interval).
        Calling start() on a started cluster does nothing."""
        period = self.tick_interval if interval is None else float(interval)
        if not (0.001 <= period <= 3600.0):
            raise ValueError("interval must be in [0.001, 3600] seconds")
        with self._ticker_lock:
            if self._ticker is not None:
                return
            self._stop_ticker.clear()
            self._ticker = threading.Thread(
                target=self._tick_loop, args=(period,), name="huddle-ticker", daemon=True)
            self._ticker.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stops the background ticker and waits for it (up to `timeout` seconds)."""
        with self._ticker_lock:
            ticker, self._ticker = self._ticker, None
        if ticker is None:
            return
        self._stop_ticker.set()
        if ticker is not threading.current_thread():
            ticker.join(timeout)

    @property
    def running(self) -> bool:
        """True while the background ticker runs."""
        return self._ticker is not None

    def _tick_loop(self, period: float) -> None:
        while not self._stop_ticker.wait(period):
            self.tick()

    def __enter__(self) -> "Cluster":
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.stop()
        return False

    async def __aenter__(self) -> "Cluster":
        return self.__enter__()

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        return self.__exit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"<huddle.Cluster running={self.running}>"
