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


CREATES_DATABASE_AND_WAITS = """
import time
from trek import services
print(services.create_database("reapme"), flush=True)
time.sleep(60)
"""


def _database_exists(name_prefix: str, pid: int, env: dict[str, str]) -> bool:
    out = _run_env(
        "from trek import services; import psycopg\n"
        "with psycopg.connect(services.postgres()) as c:\n"
        f"    print(c.execute(\"select count(*) from pg_database where datname = '{name_prefix}_{pid}'\").fetchone()[0])",
        env,
    )
    return out.strip().endswith("1")


def _run_env(script: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_killed_kernels_database_is_dropped_by_the_next_one(tmp_path):
    """In either mode (embedded, or DATABASE_URL when set): no database outlives its kernel
    for longer than the next create_database."""
    env = dict(os.environ)
    if "DATABASE_URL" not in env:
        env["TREK_CACHE"] = str(tmp_path / "cache")
    proc = subprocess.Popen(
        [sys.executable, "-c", CREATES_DATABASE_AND_WAITS],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    keeper = None
    try:
        assert proc.stdout.readline().strip(), "create_database did not answer"
        if "DATABASE_URL" not in env:
            # Keep the embedded server up after the kill, as a second open notebook would.
            keeper = subprocess.Popen(
                [sys.executable, "-c", STARTS_AND_WAITS.format(service="postgres")],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            assert keeper.stdout.readline().strip()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert _database_exists("reapme", proc.pid, env)
        _run_env("from trek import services; services.create_database('other')", env)
        assert not _database_exists("reapme", proc.pid, env)
    finally:
        for p in (proc, keeper):
            if p is not None and p.poll() is None:
                p.terminate()
                p.wait(10)
