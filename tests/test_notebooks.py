"""Every stage notebook runs top to bottom, unsolved and solved.

* ``nbval``: ``pytest --nbval-lax`` executes each notebook as committed (no outputs to compare,
  so "lax": every cell must run, except cells tagged ``raises-exception``). It runs **in
  place**, with the kernel's working directory in ``notebooks/`` exactly as when a learner
  opens the notebook in JupyterLab; a snapshot of the source tree before and after proves the
  notebook wrote nothing into it. (Running a copy elsewhere would hide exactly that bug.)
* The unsolved run: every ``qN.check()`` says "Not attempted yet".
* The solved run: every ``exercise-qN`` cell is replaced by exercise N's reference solution
  file, and every ``qN.check()`` must then say "Correct".

Both runs execute in memory with nbclient (the notebook file is never written), with
``cwd = notebooks/`` and a throwaway ``TREK_HOME``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbtools
import pytest


def _notebook_params():
    return [
        pytest.param(
            path,
            id=path.stem,
            # nbval, unsolved and solved runs of one notebook stay on one xdist worker (one
            # kernel with its embedded services at a time); different notebooks and the book
            # build spread over the workers. (Needs a pytest whose node ids pytest-xdist can
            # still suffix: pytest 9.2 breaks xdist_group, pytest-dev/pytest-xdist#1386. The
            # tests are correct either way, only the spread changes.)
            marks=[
                pytest.mark.slow,
                pytest.mark.xdist_group(f"notebook-{path.stem}"),
                pytest.mark.timeout(1200),
            ],
        )
        for path in nbtools.notebook_paths()
    ]


def exercises_for(path: Path) -> list[type]:
    stage = nbtools.stage_of(path)
    assert stage is not None, f"{path.name} is not the notebook of any stage in trek/stages.py"
    return stage.exercises()


def test_changed_files_detects_a_write(tmp_path):
    before = {"notebooks/01-http.ipynb": (10, 1)}
    after = {"notebooks/01-http.ipynb": (10, 2), "notebooks/data.csv": (5, 3)}
    assert nbtools.changed_files(before, after) == [
        "created notebooks/data.csv",
        "modified notebooks/01-http.ipynb",
    ]
    assert nbtools.changed_files(before, dict(before)) == []
    # Someone editing trek/ during the run is not the notebook's doing; a file next to
    # the notebook is.
    before = {"trek/sandbox/app.py": (1, 1)}
    after = {"trek/sandbox/app.py": (1, 2), "notebooks/app.py": (1, 2)}
    assert nbtools.changed_files(before, after) == ["created notebooks/app.py"]


@pytest.mark.parametrize("path", _notebook_params())
def test_nbval(path, tmp_path):
    env = nbtools.kernel_environment(tmp_path / "trek-home")
    before = nbtools.tree_snapshot()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",  # the kernel is this interpreter, not some other "python3"
        f"--nbval-cell-timeout={nbtools.CELL_TIMEOUT}",
        "-p",
        "no:cacheprovider",  # no .pytest_cache written into the repository
        "-q",
        str(path.relative_to(nbtools.REPO)),
    ]
    result = subprocess.run(
        command, cwd=nbtools.REPO, env=env, capture_output=True, text=True, timeout=1200
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, (
        f"nbval failed for {path.name} (exit {result.returncode}):\n{tail}"
    )
    assert " passed" in result.stdout, tail
    changes = nbtools.changed_files(before, nbtools.tree_snapshot())
    assert not changes, f"running {path.name} wrote into the source tree: {changes}"


def _check_outputs(nb) -> dict[int, str]:
    texts = {}
    for number, indexes in nbtools.check_cells(nb).items():
        texts[number] = "\n".join(nbtools.output_text(nb.cells[i]) for i in indexes)
    return texts


@pytest.mark.parametrize("path", _notebook_params())
def test_unsolved_run_reports_not_attempted(path, tmp_path):
    exercises = exercises_for(path)
    nb = nbtools.execute(nbtools.read(path), tmp_path)
    outputs = _check_outputs(nb)
    assert sorted(outputs) == list(range(1, len(exercises) + 1))
    wrong = {n: text for n, text in outputs.items() if not text.startswith("Not attempted")}
    assert not wrong, f"checks that should say 'Not attempted yet' in {path.name}: {wrong}"


@pytest.mark.parametrize("path", _notebook_params())
def test_solved_run_reports_correct(path, tmp_path):
    exercises = exercises_for(path)
    assert exercises, f"{path.name}: its stage module lists no EXERCISES"
    nb = nbtools.solved(nbtools.read(path), exercises)
    nb = nbtools.execute(nb, tmp_path)
    outputs = _check_outputs(nb)
    assert sorted(outputs) == list(range(1, len(exercises) + 1))
    wrong = {
        f"q{n} ({exercises[n - 1].label})": text
        for n, text in outputs.items()
        if not text.startswith("Correct")
        or "Incorrect" in text
        or "Not attempted" in text
        or "Traceback" in text
    }
    assert not wrong, f"reference solutions that do not pass in {path.name}: {wrong}"


def test_solved_copy_replaces_only_exercise_cells():
    nb = _tiny_notebook()

    class Ex:
        @staticmethod
        def solution_source():
            return "answer = 42\n"

    result = nbtools.solved(nb, [Ex])
    assert result.cells[1].source == "answer = 42\n"
    assert nb.cells[1].source == "answer = ____\n", "the original must stay untouched"
    assert [c.source for i, c in enumerate(result.cells) if i != 1] == [
        c.source for i, c in enumerate(nb.cells) if i != 1
    ]


def _tiny_notebook():
    import nbformat.v4 as v4

    nb = v4.new_notebook()
    nb.cells = [
        v4.new_code_cell("____ = object()"),
        v4.new_code_cell("answer = ____\n", metadata={"tags": ["exercise-q1"]}),
        v4.new_code_cell("q1.check()\n# q1.hint()\n# q1.solution()"),
    ]
    return nb


def test_kernel_is_this_interpreter(tmp_path):
    """The executed notebook runs on the course's interpreter and sees the throwaway home."""
    import nbformat.v4 as v4

    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("import os, sys\nprint(sys.executable)\nprint(os.getcwd())")]
    nb.cells.append(v4.new_code_cell("print(os.environ['TREK_HOME'])"))
    nbtools.execute(nb, tmp_path, cwd=tmp_path)
    executable, cwd = nbtools.output_text(nb.cells[0]).split()
    assert os.path.realpath(executable) == os.path.realpath(sys.executable)
    assert Path(cwd).resolve() == tmp_path.resolve()
    assert nbtools.output_text(nb.cells[1]).strip() == str(tmp_path / "trek-home")
