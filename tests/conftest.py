"""Fixtures shared by every test file.

* ``trek_home`` (autouse): each test gets its own empty ``TREK_HOME`` under ``tmp_path``, so
  progress written by the checks under test never touches the real ``~/.trek`` and no test
  sees another's progress. Request it by name to get the directory (it may not exist yet).
* ``sb``: the HTTP sandbox, started once per test session exactly as a notebook starts it
  (``sandbox.start()``), on 127.0.0.1 and a port the OS picks. Tests share it, so use keys
  and names of your own (``/flaky/<unique>``, ``/etag/<unique>``) and never stop it: a test
  that needs to stop a server starts its own ``BackgroundServer(create_app())``.
* ``book_build``: the book, built once per session (``tests/bookbuild.py``).

``DATABASE_URL`` and ``REDIS_URL`` are left as they are: the suite must pass with the
embedded services and in "services mode" pointed at real servers alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trek import sandbox


@pytest.fixture(autouse=True)
def trek_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "trek-home"
    monkeypatch.setenv("TREK_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sb() -> sandbox.Sandbox:
    return sandbox.start()


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory):
    """The book, built once per session (per xdist worker) by tests/bookbuild.py; tests that
    use it carry ``xdist_group("book")`` so that they share one worker and so one build."""
    import bookbuild

    out = tmp_path_factory.mktemp("book")
    return bookbuild.build(out / "site", out / "trek-home")
