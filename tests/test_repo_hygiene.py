"""Repository hygiene: clean notebooks, pinned requirements, lint, valid YAML/JSON, and
notebooks that agree with their stage modules.

Each checker is a pure function in ``nbtools`` with a unit test here proving it can fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import nbformat.v4 as v4
import nbtools
import pytest
import yaml

REPO = nbtools.REPO
NOTEBOOKS = nbtools.notebook_paths()
PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[A-Za-z0-9.+!_-]+$")


def _ids(paths):
    return [p.name for p in paths]


# --------------------------------------------------------------------------------------------
# Notebooks are committed without outputs, without execution counts, without allow_errors
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_clean(path):
    problems = nbtools.output_problems(nbtools.read(path))
    assert not problems, (
        f"{path.name} must be committed without outputs: {problems}. Clear them with "
        f"`.venv/bin/jupyter nbconvert --clear-output --inplace {path.relative_to(REPO)}`"
    )


def test_output_checker_catches_outputs_and_counts():
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# Title"), v4.new_code_cell("1 + 1")]
    assert nbtools.output_problems(nb) == []
    nb.cells[1].outputs = [v4.new_output("execute_result", data={"text/plain": "2"})]
    nb.cells[1].execution_count = 3
    assert nbtools.output_problems(nb) == [
        "cell 1 has 1 output(s)",
        "cell 1 has execution_count 3",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_never_allows_errors_globally(path):
    problems = nbtools.allow_errors_problems(nbtools.read(path))
    assert not problems, f"{path.name}: {problems}; tag the one cell `raises-exception` instead"


def test_allow_errors_checker_catches_tags_and_metadata():
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("1/0", metadata={"tags": ["raises-exception"]})]
    assert nbtools.allow_errors_problems(nb) == []
    nb.cells.append(v4.new_code_cell("1/0", metadata={"tags": ["allow-errors"]}))
    nb.metadata["execution"] = {"allow_errors": True}
    assert nbtools.allow_errors_problems(nb) == [
        "cell 1 is tagged allow-errors (use raises-exception)",
        "notebook metadata sets execution.allow_errors",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_valid_nbformat(path):
    nbformat.validate(nbtools.read(path))


# --------------------------------------------------------------------------------------------
# Notebook <-> trek/stages.py <-> stage module
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_exercises_match_the_stage_module(path):
    stage = nbtools.stage_of(path)
    assert stage is not None, f"{path.name} is not the notebook of any stage in trek/stages.py"
    exercises = stage.exercises()
    assert exercises, f"{stage.module_name}.EXERCISES is empty"
    for cls in exercises:
        assert cls.label.startswith(f"{stage.slug}-ex-"), (
            f"{cls.__name__}.label {cls.label!r} must start with '{stage.slug}-ex-'"
        )
        assert cls.stage == stage.number, f"{cls.__name__}.stage is {cls.stage}"
        assert cls.solution_source().strip(), f"{cls.__name__} has an empty solution file"
    problems = nbtools.exercise_problems(nbtools.read(path), exercises)
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_exercise_checker_catches_mismatches():
    class One:
        label = "http-ex-one"

    class Two:
        label = "http-ex-two"

    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell("```{exercise-start} One\n:label: http-ex-one\n```"),
        v4.new_code_cell("x = ____", metadata={"tags": ["exercise-q1"]}),
        v4.new_code_cell("q1.check()\n# q1.hint()\n# q1.solution()"),
        v4.new_markdown_cell("```{exercise-end}\n```"),
        v4.new_markdown_cell(
            "````{solution} http-ex-one\n:class: dropdown\n:label: http-sol-one\n````"
        ),
    ]
    assert nbtools.exercise_problems(nb, [One]) == []
    problems = nbtools.exercise_problems(nb, [One, Two])
    assert any("do not match the 2 exercises" in p for p in problems), problems
    assert "no cell runs q2.check()" in problems
    assert "exercise label 'http-ex-two' does not appear as ':label:'" in problems
    assert "exercise 'http-ex-two' has no {solution} block" in problems
    nb.cells[2].source = "q3.check()"
    assert "a cell runs q3.check() but the stage has no exercise 3" in (
        nbtools.exercise_problems(nb, [One])
    )


# --------------------------------------------------------------------------------------------
# Dependencies, lint, data files
# --------------------------------------------------------------------------------------------
def requirement_problems(text: str) -> list[str]:
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line and not PINNED.match(line):
            problems.append(f"line {number}: {raw.strip()!r} is not pinned with ==")
    return problems


def test_requirements_are_pinned():
    problems = requirement_problems((REPO / "requirements.txt").read_text(encoding="utf-8"))
    assert not problems, problems


def test_requirement_checker_catches_loose_pins():
    assert requirement_problems("# c\n\nfoo==1.0\npsycopg[binary]==3.3.9  # why\n") == []
    assert requirement_problems("foo>=1.0\nbar\nbaz~=2.0\n") == [
        "line 1: 'foo>=1.0' is not pinned with ==",
        "line 2: 'bar' is not pinned with ==",
        "line 3: 'baz~=2.0' is not pinned with ==",
    ]


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check", "--diff"]], ids=["check", "format"]
)
def test_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "trek", "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"ruff {' '.join(command)} found problems (fix with `.venv/bin/ruff check --fix trek "
        f"tests` and `.venv/bin/ruff format trek tests`):\n{result.stdout}{result.stderr}"
    )


DATA_FILES = [p for p in nbtools.repo_files(".yml", ".yaml", ".json") if "egg-info" not in str(p)]


@pytest.mark.parametrize("path", DATA_FILES, ids=[str(p.relative_to(REPO)) for p in DATA_FILES])
def test_data_file_parses(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        json.loads(text)
    else:
        yaml.safe_load(text)


def test_executable_scripts_are_executable():
    import os

    for name in (".ci/run", "postBuild"):
        path = REPO / name
        assert path.exists(), name
        assert os.access(path, os.X_OK), f"{name} must be executable (chmod +x)"
        assert path.read_text(encoding="utf-8").startswith("#!"), f"{name} needs a shebang"


# --------------------------------------------------------------------------------------------
# Whitespace in the repository's text files (Python is ruff's job, notebooks nbformat's)
# --------------------------------------------------------------------------------------------
TEXT_SUFFIXES = (".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".sh", ".svg")
TEXT_NAMES = {"Makefile", "postBuild", "run", ".gitignore"}


def whitespace_problems(text: str) -> list[str]:
    problems = [
        f"line {number} ends in whitespace"
        for number, line in enumerate(text.split("\n"), start=1)
        if line != line.rstrip()
    ]
    if text and not text.endswith("\n"):
        problems.append("no newline at the end")
    return problems


def test_whitespace_checker():
    assert whitespace_problems("a\nb\n") == []
    assert whitespace_problems("a \nb") == ["line 1 ends in whitespace", "no newline at the end"]


def test_text_files_are_tidy():
    files = [p for p in nbtools.repo_files("") if p.suffix in TEXT_SUFFIXES or p.name in TEXT_NAMES]
    problems = {}
    for path in files:
        found = whitespace_problems(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(REPO))] = found[:3]
    assert not problems, problems
