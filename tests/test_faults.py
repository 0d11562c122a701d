"""Kernels die: restarted, killed, crashed. The embedded services must survive that and never
leave a server running for longer than the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.xdist_group("faults")

STARTS_AND_WAITS = """
import sys, time
from trek import services
url = services.{service}()
print(url, flush=True)
time.sleep(60)
"""

STARTS_AND_EXITS = """
from trek import services
import psycopg, redis
pg = services.postgres()
with psycopg.connect(pg) as conn:
    conn.execute("create table if not exists survivors (n int)")
    conn.execute("insert into survivors values (1)")
    print("rows", conn.execute("select count(*) from survivors").fetchone()[0], flush=True)
client = redis.Redis.from_url(services.redis())
client.incr("visits")
print("redis ok", flush=True)
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache dir: these tests start and kill their own embedded servers."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    directory = tmp_path / "cache"
    directory.mkdir()
    return directory


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return {**env, "TREK_CACHE": str(cache)}


def _start_and_kill(service: str, cache: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", STARTS_AND_WAITS.format(service=service)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(cache),
    )
    line = proc.stdout.readline()
    assert line.strip(), "the service did not start"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def _servers_under(cache: Path, name: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if name not in (proc.info["name"] or ""):
                continue
            cwd = proc.cwd()
            cmdline = " ".join(proc.info["cmdline"] or [])
            if str(cache) in cwd or str(cache) in cmdline:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _run(script: str, cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_env(cache),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_killed_kernel_leaves_no_orphan_redis_after_next_start(cache):
    _start_and_kill("redis", cache)
    assert _servers_under(cache, "redis"), "expected the killed kernel's redis-server to linger"
    _run("from trek import services; services.redis()", cache)
    assert not _servers_under(cache, "redis"), "the next start must stop the orphan"


def test_killed_kernel_postgres_is_adopted_then_stopped(cache):
    _start_and_kill("postgres", cache)
    assert _servers_under(cache, "postgres"), "the killed kernel's server still runs"
    out = _run(STARTS_AND_EXITS, cache)
    assert "rows 1" in out and "redis ok" in out
    deadline = time.monotonic() + 10
    while _servers_under(cache, "postgres") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _servers_under(cache, "postgres"), "the last living user's exit must stop it"


def test_data_survives_a_kernel_restart(cache):
    assert "rows 1" in _run(STARTS_AND_EXITS, cache)
    assert "rows 2" in _run(STARTS_AND_EXITS, cache)
    assert not _servers_under(cache, "postgres")
    assert not _servers_under(cache, "redis")
