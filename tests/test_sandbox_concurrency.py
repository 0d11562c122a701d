"""The sandbox's /work/{key} endpoint: it measures how many requests a client had in flight."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from trek.sandbox import create_app


@pytest.fixture
def app():
    return create_app()


def _key() -> str:
    return f"t-{uuid.uuid4().hex[:8]}"


async def _fetch(app, paths, *, concurrently):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        if concurrently:
            return await asyncio.gather(*(client.get(p) for p in paths))
        return [await client.get(p) for p in paths]


async def _stats(app, key):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        return (await client.get(f"/work/{key}/stats")).json()


def test_sequential_requests_peak_at_one(app):
    key = _key()
    responses = asyncio.run(_fetch(app, [f"/work/{key}?ms=20"] * 3, concurrently=False))
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json()["seq"] for r in responses] == [1, 2, 3]
    stats = asyncio.run(_stats(app, key))
    assert stats["peak"] == 1 and stats["total"] == 3 and stats["completed"] == 3
    assert stats["in_flight"] == 0
    assert len(stats["intervals"]) == 3
    assert stats["intervals"][0]["start"] == 0.0


def test_concurrent_requests_are_counted(app):
    key = _key()
    paths = [f"/work/{key}?ms=150&i={i}" for i in range(5)]
    responses = asyncio.run(_fetch(app, paths, concurrently=True))
    assert sorted(r.json()["query"]["i"] for r in responses) == ["0", "1", "2", "3", "4"]
    stats = asyncio.run(_stats(app, key))
    assert stats["peak"] == 5 and stats["total"] == 5
    # Intervals overlap: every request started before the first one ended.
    first_end = min(i["end"] for i in stats["intervals"])
    assert all(i["start"] < first_end for i in stats["intervals"])
    assert app.state.sandbox.work[key].peak == 5


def test_keys_are_independent_and_unknown_keys_are_empty(app):
    a, b = _key(), _key()
    asyncio.run(_fetch(app, [f"/work/{a}?ms=0"] * 2, concurrently=True))
    asyncio.run(_fetch(app, [f"/work/{b}?ms=0"], concurrently=True))
    assert asyncio.run(_stats(app, a))["total"] == 2
    assert asyncio.run(_stats(app, b))["total"] == 1
    empty = asyncio.run(_stats(app, _key()))
    assert empty["total"] == 0 and empty["peak"] == 0 and empty["intervals"] == []


def test_status_and_bounds(app):
    key = _key()
    responses = asyncio.run(
        _fetch(
            app,
            [f"/work/{key}?ms=0&status=503", f"/work/{key}?ms=-5&status=42"],
            concurrently=False,
        )
    )
    assert responses[0].status_code == 503 and responses[0].json()["ms"] == 0
    assert responses[1].status_code == 200  # an impossible status falls back to 200
    stats = asyncio.run(_stats(app, key))
    assert [i["status"] for i in stats["intervals"]] == [503, 200]


def test_a_request_still_running_is_in_flight(app):
    key = _key()
    transport = httpx.ASGITransport(app=app)

    async def probe():
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            task = asyncio.ensure_future(client.get(f"/work/{key}?ms=999999"))
            await asyncio.sleep(0.05)
            stats = (await client.get(f"/work/{key}/stats")).json()
            task.cancel()
            return stats

    stats = asyncio.run(probe())
    assert stats["in_flight"] == 1 and stats["completed"] == 0


def test_real_server_sees_client_concurrency():
    """Over real sockets (the way the checkers use it), a semaphore's limit is what the
    server measures."""
    from trek import sandbox

    sb = sandbox.start()
    key = _key()

    async def bounded():
        semaphore = asyncio.Semaphore(3)
        async with httpx.AsyncClient() as client:

            async def one(i):
                async with semaphore:
                    return await client.get(sb.url(f"/work/{key}?ms=100&i={i}"))

            return await asyncio.gather(*(one(i) for i in range(7)))

    asyncio.run(bounded())
    stats = httpx.get(sb.url(f"/work/{key}/stats")).json()
    assert stats["peak"] == 3 and stats["total"] == 7
