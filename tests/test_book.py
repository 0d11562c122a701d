"""Build the whole book exactly as `make book` does, warnings as errors, and look at the result.

The build executes every notebook (that is part of the build), so it is the slowest test. It
is ONE test function on purpose: the build happens once, on one xdist worker, whatever the
scheduler does with groups (pytest 9.2 + pytest-xdist 3.8.0 silently ignore ``xdist_group``,
pytest-dev/pytest-xdist#1386, so a module-scoped fixture shared by several tests could build
the book twice). Each check below returns a list of problems, and the test reports them all.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbtools
import pytest

from trek.stages import STAGES

REPO = nbtools.REPO
# Script tags that load code from elsewhere make a page break offline (and leak readers'
# addresses); the book serves everything itself.
EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']+[\"']", re.I)
AVAILABLE = [st for st in STAGES if st.available]


def jupyter_book() -> str:
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def stage_page(html_dir: Path, st) -> Path:
    return html_dir / "notebooks" / f"{Path(st.notebook).stem}.html"


# --------------------------------------------------------------------------------------------
# Checks on the built site (each returns a list of problems)
# --------------------------------------------------------------------------------------------
def pages_missing(html_dir: Path) -> list[str]:
    names = ["index.html", "book/intro.html", "book/setup.html", "book/glossary.html"]
    names += [str(stage_page(html_dir, st).relative_to(html_dir)) for st in AVAILABLE]
    return [f"page {name} was not built" for name in names if not (html_dir / name).exists()]


def trek_map_problems(intro_html: str) -> list[str]:
    if 'id="trek-map"' not in intro_html:
        return ["the intro page has no trek map (label trek-map)"]
    table = intro_html.split('id="trek-map"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[-1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    if len(rows) != len(STAGES):
        return [f"the trek map lists {len(rows)} stages, not {len(STAGES)}"]
    problems = []
    for row, st in zip(rows, STAGES, strict=True):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row.split("</td>")]
        if cells[0] != f"{st.number:02d}" or cells[1] != st.title:
            problems.append(f"trek map row {cells[:2]} should be {st.number:02d} {st.title!r}")
        linked = f'href="../notebooks/{Path(st.notebook).stem}.html"' in row
        if linked != st.available:
            problems.append(f"trek map: stage {st.number} link present={linked}")
    return problems


def solution_problems(page_html: str, labels: list[str], where: str) -> list[str]:
    """Every exercise is on the page, and every solution is a dropdown, closed by default."""
    problems = []
    solutions = re.findall(r'<div class="([^"]*\bsolution\b[^"]*)" id="([^"]+)"', page_html)
    if len(solutions) != len(labels):
        problems.append(f"{where}: {len(solutions)} solutions for {len(labels)} exercises")
    for classes, ident in solutions:
        if "dropdown" not in classes.split():
            problems.append(f"{where}: solution {ident} is not a dropdown ({classes})")
        if "toggle-shown" in classes.split():
            problems.append(f"{where}: solution {ident} is open by default")
    for label in labels:
        if f'id="{label}"' not in page_html:
            problems.append(f"{where}: exercise {label} is not on the page")
    return problems


def feedback_problems(page_html: str, count: int, where: str) -> list[str]:
    """The book shows notebooks as a learner first meets them: every check not attempted."""
    statuses = re.findall(r'class="trek-feedback trek-(\w+)"', page_html)
    problems = []
    if statuses.count("unattempted") < count:
        problems.append(f"{where}: {statuses.count('unattempted')} 'Not attempted' for {count}")
    if {"correct", "incorrect"} & set(statuses):
        problems.append(f"{where}: the unsolved page shows {statuses}")
    return problems


def external_script_problems(html_dir: Path) -> list[str]:
    problems = []
    for path in sorted(html_dir.rglob("*.html")):
        for tag in EXTERNAL_SCRIPT.findall(path.read_text(encoding="utf-8")):
            problems.append(
                f"{path.relative_to(html_dir)} loads {tag}: a CDN script (Mermaid, widgets, "
                "MathJax for $…$ math?) breaks the page offline; use trek.diagrams, plain text "
                "or an escaped dollar (\\$)"
            )
    return problems


def launch_button_problems(page_html: str, st) -> list[str]:
    url = re.search(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', page_html)
    if not url:
        return [f"stage {st.number}: no Binder launch button"]
    problems = []
    if not url.group(1).endswith(f"/main?urlpath=lab/tree/notebooks/{st.notebook}"):
        problems.append(f"stage {st.number}: Binder launches {url.group(1)}")
    if "/issues/new" not in page_html:
        problems.append(f"stage {st.number}: no issue button")
    return problems


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("book")
@pytest.mark.timeout(3600)
def test_book(tmp_path):
    out = tmp_path / "book"
    env = nbtools.kernel_environment(tmp_path / "trek-home")
    before = nbtools.tree_snapshot()
    command = [jupyter_book(), "build", "--all", "-W", "-n", "--keep-going"]
    command += ["--path-output", str(out), str(REPO)]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=3000
    )
    log = "\n".join((result.stdout + result.stderr).splitlines()[-80:])
    assert result.returncode == 0, f"jupyter-book build failed (exit {result.returncode}):\n{log}"
    assert "build succeeded" in result.stdout, log

    html_dir = out / "_build" / "html"
    problems = [
        f"the build wrote into the repository: {change}"
        for change in nbtools.changed_files(before, nbtools.tree_snapshot())
    ]
    problems += pages_missing(html_dir)
    if not problems:
        problems += trek_map_problems((html_dir / "book" / "intro.html").read_text("utf-8"))
        for st in AVAILABLE:
            text = stage_page(html_dir, st).read_text(encoding="utf-8")
            labels = [cls.label for cls in st.exercises()]
            where = f"stage {st.number:02d}"
            problems += solution_problems(text, labels, where)
            problems += feedback_problems(text, len(labels), where)
            problems += launch_button_problems(text, st)
        problems += external_script_problems(html_dir)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# The checks can fail (fast, no build)
# --------------------------------------------------------------------------------------------
def test_checks_catch_open_solutions_and_cdn_scripts(tmp_path):
    page_html = (
        '<div class="solution dropdown admonition" id="http-sol-a"></div>'
        '<div class="solution admonition toggle-shown" id="http-sol-b"></div>'
        '<section id="http-ex-a"></section>'
    )
    problems = solution_problems(page_html, ["http-ex-a", "http-ex-b"], "p")
    assert "p: solution http-sol-b is not a dropdown (solution admonition toggle-shown)" in problems
    assert "p: solution http-sol-b is open by default" in problems
    assert "p: exercise http-ex-b is not on the page" in problems
    (tmp_path / "a.html").write_text(
        '<script src="https://cdn.jsdelivr.net/npm/mermaid/dist/mermaid.min.js"></script>'
        '<script src="_static/local.js"></script>',
        encoding="utf-8",
    )
    problems = external_script_problems(tmp_path)
    assert len(problems) == 1 and "cdn.jsdelivr.net" in problems[0]
    assert feedback_problems('class="trek-feedback trek-correct"', 1, "p") == [
        "p: 0 'Not attempted' for 1",
        "p: the unsolved page shows ['correct']",
    ]
