"""An asyncio HTTP client routing real calls to real `huddle upstream` processes through the
module: every response must come from the server the module picked, every call must be
recorded, and a dead server must be ejected by huddle's outlier detection."""

import asyncio

import huddle


async def http_get(host: str, port: int, path: str = "/") -> tuple[int, str]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    status = int(head.split(" ", 2)[1])
    upstream = ""
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-upstream":
            upstream = value.strip()
    return status, upstream


async def call(cluster: huddle.Cluster, path: str = "/") -> tuple[str, int, str]:
    request = cluster.server()
    async with request as s:
        status, upstream = await http_get(s.host, s.port, path)
        request.set_status(status)
        return s.id, status, upstream


def test_asyncio_client_routes_real_calls_through_the_module(upstreams):
    ups = [upstreams(f"u{i}") for i in range(3)]
    cluster = huddle.Cluster([(u.name, "127.0.0.1", u.port) for u in ups], policy="round_robin")

    async def main():
        return await asyncio.gather(*(call(cluster) for _ in range(60)))

    results = asyncio.run(main())
    assert all(picked == answered for picked, _, answered in results)
    assert {picked for picked, _, _ in results} == {"u0", "u1", "u2"}
    assert all(status == 200 for _, status, _ in results)
    servers = cluster.health_report()["servers"]
    assert [s["requests"] for s in servers] == [20, 20, 20]
    assert all(s["errors"] == 0 and s["in_flight"] == 0 for s in servers)
    assert all(s["mean_latency_ms"] > 0 for s in servers)


def test_http_statuses_reach_the_cluster(upstreams):
    # /status/503 answers 503: recorded through set_status, counted as errors.
    ups = [upstreams(f"e{i}") for i in range(2)]
    cluster = huddle.Cluster([(u.name, "127.0.0.1", u.port) for u in ups], policy="round_robin",
                             outlier_detection=False)

    async def main():
        return await asyncio.gather(*(call(cluster, "/status/503") for _ in range(4)))

    results = asyncio.run(main())
    assert [status for _, status, _ in results] == [503] * 4
    servers = cluster.health_report()["servers"]
    assert [s["errors"] for s in servers] == [2, 2]


def test_a_killed_upstream_is_ejected_and_traffic_moves_on(upstreams):
    ups = [upstreams(f"k{i}") for i in range(4)]
    # Envoy's defaults: five consecutive failures (a refused connection is one) eject a server.
    cluster = huddle.Cluster([(u.name, "127.0.0.1", u.port) for u in ups], policy="round_robin")
    ejected = []
    cluster.on_event(lambda e: ejected.append(e.server_id) if e.kind == "eject" else None)
    ups[2].stop()  # connection refused from now on

    async def one():
        try:
            async with cluster.server() as s:
                status, _ = await http_get(s.host, s.port)
                return status
        except ConnectionRefusedError:
            return -1

    async def until_ejected():
        for _ in range(200):
            await one()
            if ejected:
                return
    asyncio.run(until_ejected())
    assert ejected == ["k2"]
    # The brain rebuilds its routing table at the next tick (start() runs them every
    # tick_interval); tick once by hand to keep the test deterministic.
    cluster.tick()
    async def thirty():
        return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(30))), 60)

    after = asyncio.run(thirty())
    assert after == [200] * 30
    dead = next(s for s in cluster.health_report()["servers"] if s["id"] == "k2")
    assert dead["ejected"] and dead["errors"] >= 1
