"""PostgreSQL: embedded (pgserver) by default, ``DATABASE_URL`` to bring your own."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import socket
import threading
import warnings
from typing import Any

from trek.services.errors import ServiceUnavailable
from trek.services.paths import CONNECT_TIMEOUT, cache_dir, redact

_lock = threading.Lock()
_server: Any = None
_checked_override: str | None = None
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _prune_dead_handles(pgdata) -> None:
    """Forget kernels that died without saying goodbye (``kill -9``), so the server stops when
    the last *living* user exits instead of running forever."""
    import psutil

    handles = pgdata / ".handle_pids.json"
    with contextlib.suppress(OSError, ValueError):
        pids = json.loads(handles.read_text())
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


@contextlib.contextmanager
def _file_lock(path):
    """An exclusive advisory lock on ``path`` across processes (no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _embedded() -> str:
    global _server
    if _server is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs complains about XDG_RUNTIME_DIR
            import pgserver

            pgdata = cache_dir("postgres16")
            try:
                # Two kernels starting at once on a fresh cache must not both run initdb:
                # serialise start-up on a lock of our own next to the data directory.
                with _file_lock(pgdata.with_name("postgres16.lock")):
                    _prune_dead_handles(pgdata)
                    _server = pgserver.get_server(pgdata, cleanup_mode="stop")
            except Exception as exc:
                raise ServiceUnavailable(
                    f"The embedded PostgreSQL could not start ({type(exc).__name__}: {exc}). "
                    f"Its log is {pgdata / 'log'}. If a previous run left it broken, delete "
                    f"{pgdata} and try again, or set DATABASE_URL to a PostgreSQL of your own."
                ) from exc
    return _server.get_uri()


def _check_reachable(url: str, variable: str = "DATABASE_URL") -> None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute("select 1")
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServiceUnavailable(
            f"Could not connect to PostgreSQL at {variable}={redact(url)}: {first_line}. "
            f"Check that the server is running and the URL is right, or unset {variable} to use "
            "the course's embedded PostgreSQL."
        ) from None


def postgres(database: str | None = None) -> str:
    """A connection URL for PostgreSQL (psycopg / SQLAlchemy ``postgresql+psycopg://`` style).

    ``DATABASE_URL`` wins when set (checked once, within ~5 s); otherwise the embedded server
    is started (shared by every notebook of this user, about a second the first time).
    """
    global _checked_override
    override = os.environ.get("DATABASE_URL")
    with _lock:
        if override:
            if _checked_override != override:
                _check_reachable(override)
                _checked_override = override
            url = override
        else:
            url = _embedded()
    return _with_database(url, database) if database else url


def _with_database(url: str, database: str) -> str:
    """``url`` pointed at another database on the same server."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        return urlunsplit(parts._replace(path="/" + database))
    from psycopg.conninfo import make_conninfo  # a "host=… dbname=…" conninfo string

    return make_conninfo(url, dbname=database)


def create_database(prefix: str, *, drop_at_exit: bool = True) -> str:
    """Create a new, empty database named ``<prefix>_<pid>`` and return its URL.

    Each kernel gets its own, so reruns and two notebooks at once never see each other's
    tables. It is dropped when the kernel exits (unless ``drop_at_exit=False``).
    """
    import psycopg

    name = f"{prefix}_{os.getpid()}".lower()
    if not _NAME.match(name):
        raise ValueError(f"{prefix!r} makes a poor database name; use letters, digits and _")
    admin = postgres()
    with psycopg.connect(admin, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
        reap_orphan_databases(conn)
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        # Who owns it, so a later start can drop it if this kernel dies without cleaning up.
        owner = f"{_OWNER_TAG}{socket.gethostname()}:{os.getpid()}"
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{owner.replace(chr(39), '')}'")
    if drop_at_exit:
        atexit.register(drop_database, name)
    return postgres(name)


_OWNER_TAG = "backend-trek kernel "


def reap_orphan_databases(conn: Any) -> list[str]:
    """Drop databases made by :func:`create_database` for kernels of *this* machine that no
    longer run (killed, or shut down without their exit hooks). Databases of other machines
    sharing the server, and anything not made by trek, are left alone."""
    import psutil

    rows = conn.execute(
        "select datname, shobj_description(oid, 'pg_database') from pg_database "
        "where shobj_description(oid, 'pg_database') like %s",
        (_OWNER_TAG + "%",),
    ).fetchall()
    dropped = []
    here = socket.gethostname()
    for name, comment in rows:
        host, _, pid = comment[len(_OWNER_TAG) :].rpartition(":")
        if host != here or not pid.isdigit() or int(pid) == os.getpid():
            continue
        if psutil.pid_exists(int(pid)):
            continue
        with contextlib.suppress(Exception):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            dropped.append(name)
    return dropped


def drop_database(name: str) -> None:
    """Drop a database made by :func:`create_database` (quietly, if it is already gone)."""
    import psycopg

    with contextlib.suppress(Exception):
        admin = postgres()
        with psycopg.connect(admin, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
