"""Shared helpers for the Python module's tests.

The module comes from the build tree: CTest sets PYTHONPATH=build/<preset>/python and HUDDLE_BIN
to the huddle binary. By hand:
    PYTHONPATH=build/release/python HUDDLE_BIN=build/release/apps/huddle/huddle \\
        /usr/bin/python3 -m pytest tests/python
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

import huddle


def make_cluster(n: int = 4, **options) -> huddle.Cluster:
    """n servers s1..sn on 127.0.0.1:9001.. with a manual clock unless one is given."""
    options.setdefault("clock", huddle.ManualClock(1000.0))
    options.setdefault("seed", 7)
    servers = [(f"s{i + 1}", "127.0.0.1", 9001 + i) for i in range(n)]
    return huddle.Cluster(servers, **options)


class Upstream:
    """A real `huddle upstream` process on a free loopback port."""

    def __init__(self, binary: str, name: str, *extra: str):
        self.name = name
        self.proc = subprocess.Popen(
            [binary, "upstream", "--port", "0", "--name", name, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        self.port = 0
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r" on [0-9.]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if not self.port:
            self.stop()
            raise RuntimeError(f"huddle upstream {name} did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


@pytest.fixture
def huddle_bin() -> str:
    binary = os.environ.get("HUDDLE_BIN", "")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail("HUDDLE_BIN must name the built huddle binary (CTest sets it)")
    return binary


@pytest.fixture
def upstreams(huddle_bin):
    started: list[Upstream] = []

    def start(name: str, *extra: str) -> Upstream:
        u = Upstream(huddle_bin, name, *extra)
        started.append(u)
        return u

    yield start
    for u in started:
        u.stop()
