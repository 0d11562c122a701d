"""Measure what the course promises about speed and memory, and write BENCHMARKS.md.

    make bench                      # everything (about 5 minutes on 2 cores)
    .venv/bin/python tools/bench.py --quick   # skip the book builds and the fresh setup

Figures are wall-clock seconds on this machine, each the median of a few runs where a run is
cheap. Nothing here is a pass/fail test: the targets sit beside the figures so a reader sees
at once what was missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _python_seconds(code: str, runs: int = 3, env: dict | None = None) -> float:
    """Median wall time of ``code`` measured *inside* a fresh interpreter (import included)."""
    timings = []
    for _ in range(runs):
        out = subprocess.run(
            [PY, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **(env or {})},
            cwd=tempfile.gettempdir(),
        )
        timings.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


def sandbox_start() -> dict[str, float]:
    start_only = (
        "import time; from trek import sandbox; t=time.perf_counter(); sandbox.start(); "
        "print(time.perf_counter()-t)"
    )
    with_import = (
        "import time; t=time.perf_counter(); from trek import sandbox; sandbox.start(); "
        "print(time.perf_counter()-t)"
    )
    return {
        "sandbox start (server only)": _python_seconds(start_only),
        "sandbox start (import + server)": _python_seconds(with_import),
    }


def services_start() -> dict[str, float]:
    code_pg = (
        "import time; t=time.perf_counter(); from trek import services; import psycopg; "
        "psycopg.connect(services.postgres()).execute('select 1'); print(time.perf_counter()-t)"
    )
    code_redis = (
        "import time; t=time.perf_counter(); from trek import services; import redis; "
        "redis.Redis.from_url(services.redis()).ping(); print(time.perf_counter()-t)"
    )
    figures = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {"TREK_CACHE": cache}
        figures["embedded PostgreSQL, first start (initdb)"] = _python_seconds(code_pg, 1, env)
        figures["embedded PostgreSQL, start (data dir exists)"] = _python_seconds(code_pg, 3, env)
    figures["embedded Redis start"] = _python_seconds(code_redis)
    return figures


class _PeakRSS:
    """Samples the resident memory of a process tree (the kernel and its children)."""

    def __init__(self, pid_getter) -> None:
        self.pid_getter = pid_getter
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pid = self.pid_getter()
            if pid:
                try:
                    proc = psutil.Process(pid)
                    procs = [proc, *proc.children(recursive=True)]
                    total = sum(p.memory_info().rss for p in procs if p.is_running())
                    self.peak = max(self.peak, total)
                except psutil.Error:
                    pass
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_notebook(path: Path) -> tuple[float, int]:
    """Execute a notebook as `make test` does; return (seconds, peak RSS bytes)."""
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as home:
        os.environ["TREK_HOME"] = home
        client = NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )

        def kernel_pid():
            manager = client.km
            provisioner = getattr(manager, "provisioner", None) if manager else None
            process = getattr(provisioner, "process", None)
            return process.pid if process else None

        started = time.perf_counter()
        with _PeakRSS(kernel_pid) as memory:
            client.execute()
        return time.perf_counter() - started, memory.peak


def notebooks() -> list[tuple[str, float, int]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
        nbformat.write(nb, empty)
        seconds, peak = run_notebook(empty)
        rows.append(("(empty notebook: kernel start floor)", seconds, peak))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        seconds, peak = run_notebook(path)
        rows.append((path.name, seconds, peak))
    return rows


def book_builds() -> dict[str, float]:
    figures = {}
    with tempfile.TemporaryDirectory() as out:
        command = [
            str(Path(PY).parent / "jupyter-book"),
            "build",
            "--all",
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            out,
            str(ROOT),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        figures["book build, clean"] = time.perf_counter() - started
        incremental = [c for c in command if c != "--all"]
        started = time.perf_counter()
        subprocess.run(incremental, check=True, capture_output=True, cwd=ROOT)
        figures["book build, nothing changed"] = time.perf_counter() - started
    return figures


def fresh_setup() -> dict[str, float]:
    """`make lab`'s setup from nothing: a new venv and the pinned requirements (pip's cache
    may be warm, as it is for a learner's second try; the download time is not ours)."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        started = time.perf_counter()
        subprocess.run([PY, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(pip + ["-r", str(ROOT / "requirements.txt")], check=True)
        subprocess.run(pip + ["--no-deps", "-e", str(ROOT)], check=True, capture_output=True)
        seconds = time.perf_counter() - started
        size = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink())
    return {"setup from nothing (venv + pip install)": seconds, "venv size (MB)": size / 1e6}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


TARGETS = {
    "sandbox start (server only)": 0.5,
    "embedded PostgreSQL, start (data dir exists)": 2.0,
    "book build, clean": 240,
    "book build, nothing changed": 20,
    "setup from nothing (venv + pip install)": 180,
}
NOTEBOOK_TARGETS = {"01-http.ipynb": 20, "03-sql.ipynb": 40}


def _fmt(name: str, value: float) -> str:
    target = TARGETS.get(name)
    unit = "" if "MB" in name else " s"
    mark = ""
    if target is not None:
        mark = f"< {target:g} s — {'met' if value < target else '**missed**'}"
    return f"| {name} | {value:.2f}{unit} | {mark} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip book builds and fresh setup")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()

    figures: dict[str, float] = {}
    print("sandbox…", flush=True)
    figures.update(sandbox_start())
    print("services…", flush=True)
    figures.update(services_start())
    print("notebooks…", flush=True)
    nb_rows = notebooks()
    if not args.quick:
        print("book…", flush=True)
        figures.update(book_builds())
        print("fresh setup…", flush=True)
        figures.update(fresh_setup())

    total = sum(seconds for name, seconds, _ in nb_rows if not name.startswith("("))
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        "Rerun: `make bench` (all of it) or `.venv/bin/python tools/bench.py --quick`. Start",
        "times are medians of three fresh interpreters, imports included where said. Notebook",
        "times are full executions through nbclient, kernel start included, as `make test`",
        "runs them; peak memory is the kernel's process tree (the embedded PostgreSQL and",
        "Redis run as daemons of their own and are not counted).",
        "",
        "## Start-up and builds",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        *(_fmt(name, value) for name, value in figures.items()),
        "",
        "## Notebooks",
        "",
        "| notebook | execution | peak memory | target |",
        "|---|---|---|---|",
    ]
    for name, seconds, peak in nb_rows:
        target = NOTEBOOK_TARGETS.get(name, 30)
        mark = (
            ""
            if name.startswith("(")
            else f"< {target} s — {'met' if seconds < target else '**missed**'}"
        )
        lines.append(f"| {name} | {seconds:.1f} s | {peak / 2**20:.0f} MiB | {mark} |")
    lines += [
        f"| all stage notebooks | {total:.1f} s | | < 180 s — {'met' if total < 180 else '**missed**'} |",
        "",
    ]
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
