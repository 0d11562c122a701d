"""Helpers shared by the repository-level tests: the stage notebooks, their exercise cells,
and executing them with a kernel from this very environment.

Not a test module itself (pytest collects only ``test_*.py``).
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from trek.stages import STAGES, Stage

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"

#: Folders never scanned when walking the repository (environments, caches, build output).
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "_build",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".jupyter_cache",
    ".ipynb_checkpoints",
}

EXERCISE_TAG = re.compile(r"^exercise-q(\d+)$")
CHECK_CALL = re.compile(r"^\s*q(\d+)\.check\(\)\s*$", re.MULTILINE)

CELL_TIMEOUT = 120


def notebook_paths() -> list[Path]:
    """Every stage notebook committed under ``notebooks/``."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def repo_files(*suffixes: str) -> Iterable[Path]:
    """Files of the repository (not its environments or caches) ending in ``suffixes``."""
    for root, dirs, files in os.walk(REPO):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            if name.endswith(suffixes):
                yield Path(root, name)


def tree_snapshot() -> dict[str, tuple[int, int]]:
    """Size and modification time of every file in the source tree (caches excluded)."""
    snapshot = {}
    for path in repo_files(""):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we walked
            continue
        snapshot[str(path.relative_to(REPO))] = (stat.st_size, stat.st_mtime_ns)
    return snapshot


def changed_files(before: dict, after: dict) -> list[str]:
    """Files created or modified between two snapshots.

    Python sources outside ``notebooks/`` are left out: people edit those while tests run
    (never a notebook or the book build), and a run that wrote code would do so next to the
    notebook, in ``notebooks/``, which is watched in full, like every other kind of file.
    """

    def watched(path: str) -> bool:
        return path.startswith("notebooks/") or not path.endswith(".py")

    created = sorted(p for p in set(after) - set(before) if watched(p))
    modified = sorted(p for p in set(after) & set(before) if after[p] != before[p] and watched(p))
    return [f"created {p}" for p in created] + [f"modified {p}" for p in modified]


def stage_of(path: Path) -> Stage | None:
    """The stage whose ``notebook`` is this file, or None if trek/stages.py does not list it."""
    for st in STAGES:
        if st.notebook == path.name:
            return st
    return None


def tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


# --------------------------------------------------------------------------------------------
# Hygiene checks: pure functions over an in-memory notebook, so tests can prove they fail
# --------------------------------------------------------------------------------------------
def output_problems(nb: Any) -> list[str]:
    """Why this notebook may not be committed as it is: outputs or execution counts."""
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has execution_count {cell['execution_count']}")
    return problems


def allow_errors_problems(nb: Any) -> list[str]:
    """Places that let errors pass silently: an ``allow-errors`` tag or an ``allow_errors``
    setting anywhere in the notebook's metadata (myst-nb reads ``execution.allow_errors``)."""
    problems = []
    for index, cell in enumerate(nb.get("cells", [])):
        if "allow-errors" in tags(cell):
            problems.append(f"cell {index} is tagged allow-errors (use raises-exception)")

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("allow_errors", "allow-errors") and item:
                    problems.append(f"notebook metadata sets {where}{key}")
                walk(item, f"{where}{key}.")

    walk(nb.get("metadata", {}), "")
    return problems


def exercise_cells(nb: Any) -> dict[int, list[int]]:
    """``{N: [cell indexes tagged exercise-qN]}``."""
    found: dict[int, list[int]] = {}
    for index, cell in enumerate(nb.get("cells", [])):
        for tag in tags(cell):
            match = EXERCISE_TAG.match(tag)
            if match:
                found.setdefault(int(match.group(1)), []).append(index)
    return found


def check_cells(nb: Any) -> dict[int, list[int]]:
    """``{N: [indexes of code cells that run qN.check()]}``."""
    found: dict[int, list[int]] = {}
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for match in CHECK_CALL.finditer(cell.get("source", "")):
            found.setdefault(int(match.group(1)), []).append(index)
    return found


def markdown_text(nb: Any) -> str:
    return "\n".join(
        c.get("source", "") for c in nb.get("cells", []) if c["cell_type"] == "markdown"
    )


def exercise_problems(nb: Any, exercises: list[type]) -> list[str]:
    """Disagreements between a notebook's exercise cells and its stage module's EXERCISES."""
    problems = []
    expected = set(range(1, len(exercises) + 1))
    tagged = exercise_cells(nb)
    if set(tagged) != expected:
        problems.append(
            f"exercise-qN tags {sorted(tagged)} do not match the {len(exercises)} exercises "
            f"of the stage module (expected q1..q{len(exercises)})"
        )
    for number, indexes in sorted(tagged.items()):
        if len(indexes) != 1:
            problems.append(f"exercise-q{number} tags {len(indexes)} cells, expected exactly one")
        for index in indexes:
            if nb["cells"][index]["cell_type"] != "code":
                problems.append(f"exercise-q{number} tags a markdown cell ({index})")
    checked = check_cells(nb)
    for number in sorted(expected - set(checked)):
        problems.append(f"no cell runs q{number}.check()")
    for number in sorted(set(checked) - expected):
        problems.append(f"a cell runs q{number}.check() but the stage has no exercise {number}")
    text = markdown_text(nb)
    for cls in exercises:
        if not re.search(rf"^:label:\s*{re.escape(cls.label)}\s*$", text, re.MULTILINE):
            problems.append(f"exercise label {cls.label!r} does not appear as ':label:'")
        if not re.search(rf"\{{solution\}}\s*{re.escape(cls.label)}\s*$", text, re.MULTILINE):
            problems.append(f"exercise {cls.label!r} has no {{solution}} block")
    return problems


# --------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------
def solved(nb: Any, exercises: list[type]) -> Any:
    """A copy of ``nb`` with every ``exercise-qN`` cell replaced by exercise N's solution."""
    result = copy.deepcopy(nb)
    for number, indexes in exercise_cells(result).items():
        source = exercises[number - 1].solution_source()
        for index in indexes:
            result.cells[index].source = source
    return result


def kernel_manager(workdir: Path):
    """A kernel manager that starts ``python -m ipykernel`` with *this* interpreter (the
    course's .venv), whatever ``python3`` kernels the user has installed elsewhere."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = workdir / "kernels"
    spec_dir = kernels / "trek-test-python"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Backend Trek tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelManager(
        kernel_name="trek-test-python",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
    )


def kernel_environment(trek_home: Path) -> dict[str, str]:
    """The environment notebooks run in under test: progress goes to a throwaway TREK_HOME."""
    env = dict(os.environ)
    env["TREK_HOME"] = str(trek_home)
    return env


def execute(
    nb: Any,
    workdir: Path,
    cwd: Path = NOTEBOOKS_DIR,
    timeout: int = CELL_TIMEOUT,
    on_kernel: Any = None,
):
    """Execute ``nb`` in memory (nothing is written back) with ``cwd`` as the kernel's working
    directory and a fresh TREK_HOME under ``workdir``; returns the executed notebook.

    A cell that raises fails the run unless it is tagged ``raises-exception``.
    ``on_kernel(pid)`` is called once the kernel process has started.
    """
    from nbclient import NotebookClient

    trek_home = workdir / "trek-home"
    trek_home.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(
        nb,
        km=kernel_manager(workdir),
        timeout=timeout,
        startup_timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    if on_kernel is not None:
        client.on_notebook_start = lambda **_: on_kernel(client.km.provisioner.process.pid)
    # We pass our own kernel manager, so nbclient would leave the kernel running (and its
    # atexit clean-up, e.g. dropping per-kernel databases, unrun): ask it to shut down.
    client.execute(env=kernel_environment(trek_home), cleanup_kc=True)
    return nb


def output_text(cell: Any) -> str:
    """Everything a code cell showed, as plain text."""
    parts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(output.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            parts.append(data.get("text/plain", "") or data.get("text/html", ""))
        elif kind == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "\n".join(parts)
