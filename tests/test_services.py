"""Unit tests of the embedded and "bring your own" services (trek/services).

The real servers this machine (and CI) runs are used when they answer:
``TREK_TEST_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/test) and
``TREK_TEST_REDIS_URL`` (default redis://127.0.0.1:6379/0); tests needing them are skipped,
with the reason, when they do not. Unreachable overrides only ever target 127.0.0.1.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
import redis as redis_client

from trek import services
from trek.services import ServiceUnavailable, paths

pg_module = importlib.import_module("trek.services.postgres")
redis_module = importlib.import_module("trek.services.redis")

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_DATABASE_URL = os.environ.get(
    "TREK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REAL_REDIS_URL = os.environ.get("TREK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_WITHIN = 6.0


def closed_port() -> int:
    """A loopback port nothing listens on (bound by us a moment ago, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_postgres(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return services.postgres()


@pytest.fixture
def override(monkeypatch):
    """Set an override variable with the module's "already checked" memory reset."""

    def set_override(variable: str, url: str) -> None:
        module = pg_module if variable == "DATABASE_URL" else redis_module
        monkeypatch.setattr(module, "_checked_override", None)
        monkeypatch.setenv(variable, url)

    return set_override


@pytest.fixture(scope="module")
def real_database_url():
    try:
        with psycopg.connect(REAL_DATABASE_URL, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL at {REAL_DATABASE_URL} to test DATABASE_URL with: {exc}")
    return REAL_DATABASE_URL


@pytest.fixture(scope="module")
def real_redis_url():
    try:
        redis_client.Redis.from_url(REAL_REDIS_URL, socket_connect_timeout=3).ping()
    except redis_client.RedisError as exc:
        pytest.skip(f"no Redis at {REAL_REDIS_URL} to test REDIS_URL with: {exc}")
    return REAL_REDIS_URL


def under_repo(path: str | Path) -> bool:
    return Path(path).resolve().is_relative_to(REPO_ROOT)


# --------------------------------------------------------------------------------------------
# Embedded PostgreSQL
# --------------------------------------------------------------------------------------------
def test_embedded_postgres_runs_sql(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(pg_module, "_server", None)  # measure a start, not the cached URL
    started = time.perf_counter()
    url = services.postgres()
    elapsed = time.perf_counter() - started
    print(f"\nembedded PostgreSQL ready in {elapsed * 1000:.0f} ms (expected < 2 s warm)")
    with psycopg.connect(url) as conn:
        conn.execute("create temporary table t (n int)")
        conn.execute("insert into t values (1), (2), (3)")
        assert conn.execute("select sum(n) from t").fetchone() == (6,)
        assert int(conn.execute("show server_version_num").fetchone()[0]) >= 160000
    assert services.postgres() == url


def test_embedded_postgres_data_is_not_in_the_repo(embedded_postgres):
    socket_dir = parse_qs(urlsplit(embedded_postgres).query)["host"][0]
    assert not under_repo(socket_dir)
    assert not under_repo(pg_module._server.pgdata)
    assert not under_repo(paths.cache_dir())


def test_cache_dir_honours_trek_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TREK_CACHE", str(tmp_path / "cache"))
    assert paths.cache_dir("redis") == tmp_path / "cache" / "redis"
    assert (tmp_path / "cache" / "redis").is_dir()


def test_create_database_is_fresh_isolated_and_droppable(embedded_postgres):
    url = services.create_database("unit_iso", drop_at_exit=False)
    name = f"unit_iso_{os.getpid()}"
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("select current_database()").fetchone() == (name,)
            conn.execute("create table leftovers (n int)")
        # Running the notebook again starts from an empty database.
        assert services.create_database("unit_iso", drop_at_exit=False) == url
        with psycopg.connect(url) as conn:
            assert conn.execute("select to_regclass('leftovers')").fetchone() == (None,)
    finally:
        services.drop_database(name)
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(url, connect_timeout=3)
    services.drop_database(name)  # dropping twice is quiet


@pytest.mark.parametrize("prefix", ["bad-name", "x; drop table", "9lives", "a" * 70])
def test_create_database_refuses_poor_names(prefix):
    with pytest.raises(ValueError, match="poor database name"):
        services.create_database(prefix)


# --------------------------------------------------------------------------------------------
# DATABASE_URL
# --------------------------------------------------------------------------------------------
def test_database_url_override_is_used_as_is(real_database_url, override):
    override("DATABASE_URL", real_database_url)
    assert services.postgres() == real_database_url
    other = services.postgres("postgres")
    assert urlsplit(other).path == "/postgres"
    assert urlsplit(other).netloc == urlsplit(real_database_url).netloc


def test_create_database_on_the_override_server(real_database_url, override):
    override("DATABASE_URL", real_database_url)
    url = services.create_database("unit_override", drop_at_exit=False)
    try:
        assert urlsplit(url).netloc == urlsplit(real_database_url).netloc
        with psycopg.connect(url) as conn:
            row = conn.execute("select current_database()").fetchone()
            assert row == (f"unit_override_{os.getpid()}",)
    finally:
        services.drop_database(f"unit_override_{os.getpid()}")


def unreachable_message(variable: str, call) -> str:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        call()
    assert time.monotonic() - started < UNREACHABLE_WITHIN
    message = str(caught.value)
    assert variable in message
    assert f"unset {variable}" in message  # what to do about it
    assert "\n" not in message
    return message


def test_database_url_closed_port(override):
    port = closed_port()
    override("DATABASE_URL", f"postgresql://postgres:hunter2@127.0.0.1:{port}/db")
    message = unreachable_message("DATABASE_URL", services.postgres)
    assert "hunter2" not in message
    assert f"postgresql://postgres:***@127.0.0.1:{port}/db" in message
    # create_database goes through the same check.
    unreachable_message("DATABASE_URL", lambda: services.create_database("unit"))


def test_database_url_keyword_form_is_redacted_too(override):
    override("DATABASE_URL", f"host=127.0.0.1 port={closed_port()} user=me password=hunter2")
    assert "hunter2" not in unreachable_message("DATABASE_URL", services.postgres)


def test_database_url_wrong_database_name(real_database_url, override):
    missing = f"trek_missing_{uuid.uuid4().hex[:8]}"
    url = urlsplit(real_database_url)._replace(path=f"/{missing}").geturl()
    override("DATABASE_URL", url)
    message = unreachable_message("DATABASE_URL", services.postgres)
    assert missing in message


def test_redact():
    assert paths.redact("redis://:s3cret@h:1/0") == "redis://:***@h:1/0"
    assert paths.redact("postgresql://u:s3cret@h/db") == "postgresql://u:***@h/db"
    assert paths.redact("postgresql://u@h/db?password=s3cret&x=1") == (
        "postgresql://u@h/db?password=***&x=1"
    )
    assert paths.redact("host=h password='s3 cret' user=u") == "host=h password=*** user=u"
    assert paths.redact("postgresql://u@h/db") == "postgresql://u@h/db"


# --------------------------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------------------------
CHILD_REDIS = """
import importlib, json, sys
import redis
from trek import services
url = services.redis()
server = importlib.import_module("trek.services.redis")._embedded_server
value = redis.Redis.from_url(url).get(sys.argv[1])
print(json.dumps({"url": url, "db": server.db, "value": value and value.decode()}))
"""


def test_embedded_redis_works_and_is_per_process(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    url = services.redis()
    assert url.startswith("unix://")
    assert services.redis() == url
    client = redis_client.Redis.from_url(url)
    key = f"trek-test-{uuid.uuid4().hex[:8]}"
    client.set(key, "mine")
    assert client.get(key) == b"mine"
    assert not under_repo(urlsplit(url).path)
    assert not under_repo(redis_module._embedded_server.db)

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD_REDIS, key],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    seen = json.loads(child.stdout)
    assert seen["url"] != url
    assert seen["value"] is None  # another process, another server
    assert not Path(seen["db"]).parent.exists(), "the child's data directory outlived it"


def test_redis_url_override_is_used_as_is(real_redis_url, override):
    override("REDIS_URL", real_redis_url)
    assert services.redis() == real_redis_url


def test_redis_url_closed_port(override):
    port = closed_port()
    override("REDIS_URL", f"redis://:hunter2@127.0.0.1:{port}/0")
    message = unreachable_message("REDIS_URL", services.redis)
    assert "hunter2" not in message
    assert f"redis://:***@127.0.0.1:{port}/0" in message
    assert ".." not in message


def test_redis_url_wrong_database(real_redis_url, override):
    override("REDIS_URL", urlsplit(real_redis_url)._replace(path="/9999").geturl())
    unreachable_message("REDIS_URL", services.redis)
