"""Build the book once per test session, exactly as ``make book`` does (warnings as errors).

Building executes every notebook and takes a minute or more, so the tests that look at the
site (``test_book.py`` on the HTML, ``test_browser.py`` in Chromium) share one build through
the session fixture ``book_build`` in ``conftest.py``. Under ``pytest -n 2 --dist loadgroup``
they all carry ``xdist_group("book")``, which puts them on one worker and so on one build.

Not a test module itself (pytest collects only ``test_*.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbtools

REPO = nbtools.REPO


@dataclass
class BookBuild:
    returncode: int
    stdout: str
    stderr: str
    out: Path
    seconds: float
    #: Files the build created or changed in the source tree (it must leave it alone).
    wrote_into_repo: list[str] = field(default_factory=list)

    @property
    def html_dir(self) -> Path:
        return self.out / "_build" / "html"

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and "build succeeded" in self.stdout

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join((self.stdout + self.stderr).splitlines()[-lines:])

    def require(self) -> Path:
        """The HTML folder; fails the calling test at once when the build failed."""
        import pytest

        if not self.ok:
            pytest.fail(
                f"the book did not build (exit {self.returncode}), see test_book:\n"
                + self.log_tail(30)
            )
        return self.html_dir


def jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def build(out: Path, trek_home: Path) -> BookBuild:
    """``jupyter-book build --all -W -n --keep-going`` of the repository into ``out``, with
    the notebooks' progress going to ``trek_home``.

    For quick iterations on the browser tests only: ``TREK_BOOK_BUILT=DIR`` (a folder that
    ``--path-output DIR`` built earlier, or the repository after ``make book``) reuses that
    build instead of building again. Never set it in CI: the site would not be this commit's.
    """
    reuse = os.environ.get("TREK_BOOK_BUILT")
    if reuse:
        html = Path(reuse) / "_build" / "html"
        ok = (html / "index.html").exists()
        return BookBuild(
            returncode=0 if ok else 1,
            stdout="build succeeded (reused TREK_BOOK_BUILT)" if ok else "",
            stderr="" if ok else f"TREK_BOOK_BUILT={reuse}: no {html}/index.html",
            out=Path(reuse),
            seconds=0.0,
        )
    env = nbtools.kernel_environment(trek_home)
    before = nbtools.tree_snapshot()
    command = [jupyter_book(), "build", "--all", "-W", "-n", "--keep-going"]
    command += ["--path-output", str(out), str(REPO)]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=3000
    )
    return BookBuild(
        returncode=result.returncode,
        stdout=result.stdout,
        stderr=result.stderr,
        out=out,
        seconds=time.monotonic() - started,
        wrote_into_repo=nbtools.changed_files(before, nbtools.tree_snapshot()),
    )
