"""Two copies of a notebook running at once never collide, agree on every outcome (with each
other and with a third run after them), and leave no process behind once their kernels have
shut down.

Each notebook is executed twice *concurrently*, solved (so every check really talks to the
sandbox, PostgreSQL or Redis), sharing one private TREK_CACHE (the same embedded-services
data dir, as for two notebooks open in one JupyterLab).
Meanwhile a sampler records every process the kernels started, directly or as daemons under
that cache; after both kernels exit, none of them may remain.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from pathlib import Path

import nbtools
import psutil
import pytest

OUTCOME = re.compile(r"^(Correct|Incorrect|Not attempted yet)", re.MULTILINE)


class ProcessWatcher:
    """Remembers every process descended from the kernels or running out of ``cache``."""

    def __init__(self, cache: Path) -> None:
        self.cache = str(cache)
        self.kernel_pids: set[int] = set()
        self.seen: dict[int, psutil.Process] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _scan(self) -> None:
        for pid in list(self.kernel_pids):
            try:
                kernel = psutil.Process(pid)
                self.seen.setdefault(pid, kernel)
                for child in kernel.children(recursive=True):
                    self.seen.setdefault(child.pid, child)
            except psutil.Error:
                pass
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if self.cache in " ".join(proc.info["cmdline"] or []) or self.cache in proc.cwd():
                    self.seen.setdefault(proc.pid, proc)
            except psutil.Error:
                continue

    def _run(self) -> None:
        while not self._stop.is_set():
            self._scan()
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def survivors(self) -> list[str]:
        alive = []
        for proc in self.seen.values():
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
            except psutil.Error:
                continue
        return alive


def _outcomes(nb) -> list[str]:
    results = []
    for number, indexes in sorted(nbtools.check_cells(nb).items()):
        for index in indexes:
            text = nbtools.output_text(nb.cells[index])
            match = OUTCOME.search(text)
            outcome = match.group(1) if match else repr(text[:200])
            results.append(f"q{number}: {outcome}")
    return results


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.stem, marks=[pytest.mark.slow, pytest.mark.xdist_group("isolation")])
        for p in nbtools.notebook_paths()
    ],
)
def test_two_runs_at_once_agree_and_leave_nothing_behind(path, tmp_path, monkeypatch):
    stage = nbtools.stage_of(path)
    assert stage is not None
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("TREK_CACHE", str(cache))  # inherited by both kernels
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    solved = nbtools.solved(nbtools.read(path), stage.exercises())

    results: dict[str, object] = {}
    watcher = ProcessWatcher(cache)

    def run(name: str) -> None:
        workdir = tmp_path / name
        workdir.mkdir()
        try:
            results[name] = nbtools.execute(
                copy.deepcopy(solved), workdir, on_kernel=watcher.kernel_pids.add
            )
        except Exception as exc:  # reported below, with the other run's outcome
            results[name] = exc

    with watcher:
        threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)

        # "Restart & Run All" once more, after both: same cache, data left by the runs above.
        run("again")

    for name in ("a", "b", "again"):
        assert not isinstance(results[name], Exception), f"run {name} failed: {results[name]}"
    first, second = _outcomes(results["a"]), _outcomes(results["b"])
    assert first == second == _outcomes(results["again"])
    assert all(line.endswith("Correct") for line in first), first

    deadline = time.monotonic() + 15
    while watcher.survivors() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not watcher.survivors(), "processes outlived their kernels"


def test_watcher_reports_a_daemon_left_in_the_cache(tmp_path):
    """The leftover check can fail: a process started out of the cache dir is a survivor."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path)
    try:
        with ProcessWatcher(tmp_path) as watcher:
            time.sleep(0.5)
        assert any(str(proc.pid) in line for line in watcher.survivors())
    finally:
        proc.kill()
        proc.wait()
    assert not watcher.survivors()
