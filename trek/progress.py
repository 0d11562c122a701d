"""Progress: which exercises a learner has solved, saved locally.

Stored as JSON in ``$TREK_HOME/progress.json`` (``~/.trek`` by default). Writes take a file
lock and replace the file atomically, so two notebooks checking at once never lose an entry,
and a corrupt file is set aside rather than crashing a check.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SCHEMA = 1


def home() -> Path:
    """The directory where trek keeps the learner's state."""
    return Path(os.environ.get("TREK_HOME") or Path.home() / ".trek").expanduser()


def progress_file() -> Path:
    return home() / "progress.json"


@contextlib.contextmanager
def _locked():
    directory = home()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".progress.lock", "a+") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _empty() -> dict[str, Any]:
    return {"schema": SCHEMA, "exercises": {}}


def _backup_file() -> Path:
    return home() / "progress.backup.json"


def _parse(path: Path) -> dict[str, Any] | None:
    """The progress stored in ``path``; None if it is missing, unreadable or not progress."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), dict):
        return None
    return data


def _read() -> dict[str, Any]:
    path = progress_file()
    if not path.exists():
        return _empty()
    data = _parse(path)
    if data is not None:
        return data
    # Unreadable (a crash mid-copy, a hand edit gone wrong, a foreign file): keep it for
    # inspection, and carry on from the copy taken before the last write.
    with contextlib.suppress(OSError):
        path.replace(path.with_name(f"progress.corrupt-{os.getpid()}.json"))
    restored = _parse(_backup_file())
    if restored is None:
        return _empty()
    with contextlib.suppress(OSError):
        _write(restored)
    return restored


def _write(data: dict[str, Any]) -> None:
    """Replace the progress file atomically, keeping the previous good version as a backup."""
    path = progress_file()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    if _parse(path) is not None:
        with contextlib.suppress(OSError):
            shutil.copyfile(path, _backup_file())
    os.replace(tmp, path)


def load() -> dict[str, Any]:
    """All recorded exercises: ``{label: {"stage": n, "status": ..., "solved_at": ...}}``."""
    return _read()["exercises"]


def record(stage: int, label: str, status: str) -> None:
    """Record the outcome of a check. A solved exercise stays solved."""
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    with _locked():
        data = _read()
        entry = data["exercises"].setdefault(label, {"stage": stage, "attempts": 0})
        entry["stage"] = stage
        if status != "unattempted":
            entry["attempts"] = int(entry.get("attempts", 0)) + 1
        entry["last_status"] = status
        entry["last_checked_at"] = now
        if status == "correct" and not entry.get("solved_at"):
            entry["solved_at"] = now
        _write(data)


def reset() -> None:
    """Forget all progress."""
    with _locked():
        _write(_empty())


def export(path: str | os.PathLike[str]) -> Path:
    """Copy the progress to ``path`` (for example before a Binder session ends)."""
    with _locked():
        data = _read()
    target = Path(path)
    target.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return target


def import_(path: str | os.PathLike[str]) -> int:
    """Merge progress exported elsewhere into this machine's; returns entries merged."""
    incoming = json.loads(Path(path).read_text(encoding="utf-8"))
    if (
        not isinstance(incoming, dict)
        or not isinstance(incoming.get("exercises"), dict)
        or not all(isinstance(entry, dict) for entry in incoming["exercises"].values())
    ):
        raise ValueError(f"{path} is not a trek progress file")
    with _locked():
        data = _read()
        for label, theirs in incoming["exercises"].items():
            ours = data["exercises"].get(label)
            if ours is None:
                data["exercises"][label] = theirs
                continue
            ours["attempts"] = max(int(ours.get("attempts", 0)), int(theirs.get("attempts", 0)))
            solved = [t for t in (ours.get("solved_at"), theirs.get("solved_at")) if t]
            if solved:
                ours["solved_at"] = min(solved)
        _write(data)
    return len(incoming["exercises"])


def summary() -> list[dict[str, Any]]:
    """One row per stage: number, title, solved, total (None for stages still to come)."""
    from trek.stages import STAGES

    exercises = load()
    rows = []
    for st in STAGES:
        labels = [cls.label for cls in st.exercises()]
        solved = sum(1 for label in labels if exercises.get(label, {}).get("solved_at"))
        rows.append(
            {
                "stage": st.number,
                "title": st.title,
                "solved": solved,
                "total": len(labels) if st.available else None,
            }
        )
    return rows


def table_text() -> str:
    rows = summary()
    lines = [f"Backend Trek progress ({progress_file()})", ""]
    for row in rows:
        if row["total"] is None:
            status = "coming soon"
        else:
            bar = "#" * row["solved"] + "." * (row["total"] - row["solved"])
            status = f"{row['solved']:>2}/{row['total']:<2} [{bar}]"
        lines.append(f"{row['stage']:>2}  {row['title']:<40} {status}")
    return "\n".join(lines)


class ProgressTable:
    """The progress table, displayed as HTML in a notebook and as text elsewhere."""

    def __repr__(self) -> str:
        return table_text()

    def _repr_html_(self) -> str:
        cells = []
        for row in summary():
            if row["total"] is None:
                status = '<span style="color:#777">coming soon</span>'
            else:
                pct = 100 * row["solved"] // max(row["total"], 1)
                status = (
                    f'<progress value="{row["solved"]}" max="{row["total"]}"></progress> '
                    f"{row['solved']}/{row['total']} ({pct}%)"
                )
            cells.append(
                f"<tr><td>{row['stage']:02d}</td><td>{html.escape(row['title'])}</td>"
                f"<td>{status}</td></tr>"
            )
        return (
            '<table class="trek-progress"><thead><tr><th>Stage</th><th>Title</th>'
            f"<th>Solved</th></tr></thead><tbody>{''.join(cells)}</tbody></table>"
        )


def show() -> ProgressTable:
    """The progress table; the last expression of a cell renders it."""
    return ProgressTable()
