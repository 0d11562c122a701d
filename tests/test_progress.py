"""Unit tests of progress tracking (trek/progress.py) and ``python -m trek progress``."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trek import progress, stages
from trek.stages import STAGES, Stage

WRITERS, RECORDS_EACH = 4, 25


def test_record_and_load(trek_home):
    progress.record(1, "http-ex-a", "incorrect")
    entry = progress.load()["http-ex-a"]
    assert entry["stage"] == 1 and entry["attempts"] == 1
    assert entry["last_status"] == "incorrect" and not entry.get("solved_at")
    assert (trek_home / "progress.json").is_file()


def test_solved_stays_solved_and_attempts_are_counted():
    progress.record(1, "http-ex-a", "unattempted")
    assert progress.load()["http-ex-a"]["attempts"] == 0  # running an untouched cell is no try
    progress.record(1, "http-ex-a", "incorrect")
    progress.record(1, "http-ex-a", "correct")
    solved_at = progress.load()["http-ex-a"]["solved_at"]
    assert solved_at
    progress.record(1, "http-ex-a", "incorrect")
    entry = progress.load()["http-ex-a"]
    assert entry["solved_at"] == solved_at
    assert entry["last_status"] == "incorrect"
    assert entry["attempts"] == 3


def test_reset_forgets_everything():
    progress.record(1, "http-ex-a", "correct")
    progress.reset()
    assert progress.load() == {}


def test_default_home_is_dot_trek(monkeypatch, tmp_path):
    monkeypatch.delenv("TREK_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.home() == tmp_path / ".trek"


@pytest.mark.parametrize(
    "content", ['{"exercises": {"http-ex-a": ', "[]", '{"schema": 1}', "\x00\xff"]
)
def test_a_corrupt_file_is_set_aside_not_fatal(trek_home, content):
    trek_home.mkdir(parents=True)
    (trek_home / "progress.json").write_text(content, encoding="latin-1")
    assert progress.load() == {}
    progress.record(2, "language-ex-b", "correct")
    assert progress.load()["language-ex-b"]["solved_at"]
    kept = list(trek_home.glob("progress.corrupt-*.json"))
    assert len(kept) == 1
    assert kept[0].read_text(encoding="latin-1") == content


def test_a_corrupted_file_falls_back_to_the_last_good_copy(trek_home):
    """Entries written before the damage survive it: the write before last left a backup."""
    progress.record(1, "http-ex-first", "correct")
    progress.record(1, "http-ex-second", "correct")
    (trek_home / "progress.json").write_bytes(b'{"exercises": {"http-ex-fi')  # truncated
    recovered = progress.load()
    assert recovered["http-ex-first"]["solved_at"]
    progress.record(1, "http-ex-third", "correct")
    assert {"http-ex-first", "http-ex-third"} <= set(progress.load())
    assert len(list(trek_home.glob("progress.corrupt-*.json"))) == 1


def _write_records(home: str, writer: int, start, count: int) -> None:
    os.environ["TREK_HOME"] = home
    start.wait()
    for index in range(count):
        progress.record(1, f"http-ex-w{writer}-{index}", "correct")
        progress.record(1, "http-ex-shared", "incorrect")


def test_concurrent_writers_lose_nothing(trek_home):
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_write_records, args=(str(trek_home), w, start, RECORDS_EACH))
        for w in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * WRITERS
    recorded = progress.load()
    assert len(recorded) == WRITERS * RECORDS_EACH + 1
    assert all(
        recorded[f"http-ex-w{w}-{i}"]["solved_at"] for w in range(WRITERS) for i in range(25)
    )
    assert recorded["http-ex-shared"]["attempts"] == WRITERS * RECORDS_EACH
    assert not list(trek_home.glob("progress.corrupt-*"))
    assert not list(trek_home.glob(".progress-*.json"))  # no temporary file left behind


def test_export_then_import_merges(tmp_path, monkeypatch):
    progress.record(1, "http-ex-a", "correct")
    progress.record(1, "http-ex-b", "incorrect")
    exported = progress.export(tmp_path / "mine.json")
    theirs_solved_at = progress.load()["http-ex-a"]["solved_at"]

    monkeypatch.setenv("TREK_HOME", str(tmp_path / "other-machine"))
    for _ in range(5):
        progress.record(1, "http-ex-a", "incorrect")
    progress.record(3, "sql-ex-c", "correct")
    assert progress.import_(exported) == 2
    merged = progress.load()
    assert set(merged) == {"http-ex-a", "http-ex-b", "sql-ex-c"}
    assert merged["http-ex-a"]["solved_at"] == theirs_solved_at
    assert merged["http-ex-a"]["attempts"] == 5
    assert merged["http-ex-b"]["attempts"] == 1 and not merged["http-ex-b"].get("solved_at")
    assert merged["sql-ex-c"]["solved_at"]


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"exercises": []}', '{"exercises": {"http-ex-a": 5}}'],
)
def test_import_refuses_what_is_not_a_progress_file(tmp_path, content):
    progress.record(1, "http-ex-a", "correct")
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(ValueError):
        progress.import_(bad)
    assert progress.load()["http-ex-a"]["solved_at"]  # nothing was lost


class _FakeStage(Stage):
    def exercises(self) -> list:
        if not self.available:
            return []
        return [type(f"Ex{i}", (), {"label": f"{self.slug}-ex-{i}"}) for i in range(3)]


def test_summary_counts_solved_per_stage(monkeypatch):
    fake = (_FakeStage(1, "one", "One", "01-one.ipynb"), _FakeStage(2, "two", "Two"))
    monkeypatch.setattr(stages, "STAGES", fake)
    progress.record(1, "one-ex-0", "correct")
    progress.record(1, "one-ex-1", "incorrect")
    progress.record(1, "elsewhere-ex-0", "correct")  # not part of any stage: not counted
    assert progress.summary() == [
        {"stage": 1, "title": "One", "solved": 1, "total": 3},
        {"stage": 2, "title": "Two", "solved": 0, "total": None},
    ]
    text = progress.table_text()
    assert " 1/3  [#..]" in text and "coming soon" in text
    html = progress.show()._repr_html_()
    assert html.count("<tr><td>") == 2 and '<progress value="1" max="3">' in html


def test_summary_lists_the_thirteen_stages():
    rows = progress.summary()
    assert [row["stage"] for row in rows] == list(range(1, 14))
    for row, stage in zip(rows, STAGES, strict=True):
        assert row["title"] == stage.title
        assert row["total"] == (len(stage.exercises()) if stage.available else None)
        assert row["solved"] == 0


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TREK_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "trek", "progress", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_cli_prints_the_table(trek_home):
    result = run_cli(home=trek_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert str(trek_home / "progress.json") in lines[0]
    stage_lines = [line for line in lines[2:] if line.strip()]
    assert len(stage_lines) == 13
    for line, stage in zip(stage_lines, STAGES, strict=True):
        assert line.split()[0] == str(stage.number)
        assert stage.title in line
        assert ("coming soon" in line) != stage.available


def test_cli_export_and_import(trek_home, tmp_path):
    progress.record(1, "http-ex-a", "correct")
    target = tmp_path / "exported.json"
    result = run_cli("--export", str(target), home=trek_home)
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stdout
    assert json.loads(target.read_text())["exercises"]["http-ex-a"]["solved_at"]

    elsewhere = tmp_path / "elsewhere"
    imported = run_cli("--import", str(target), home=elsewhere)
    assert imported.returncode == 0, imported.stderr
    assert "Merged 1 exercises" in imported.stdout
    assert json.loads((elsewhere / "progress.json").read_text())["exercises"]["http-ex-a"]


@pytest.mark.parametrize("content", [None, "not json", '{"exercises": {"x": 5}}'])
def test_cli_import_of_a_bad_file_exits_1(trek_home, tmp_path, content):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    result = run_cli("--import", str(bad), home=trek_home)
    assert result.returncode == 1
    assert result.stderr.startswith("Could not import progress:")
    assert "Traceback" not in result.stderr


def test_cli_export_to_an_impossible_place_exits_1(trek_home, tmp_path):
    result = run_cli("--export", str(tmp_path / "no" / "such" / "dir.json"), home=trek_home)
    assert result.returncode == 1
    assert result.stderr.startswith("Could not export progress:")
    assert "Traceback" not in result.stderr
