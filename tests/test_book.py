"""Build the whole book exactly as `make book` does, warnings as errors, and look at the result.

The build executes every notebook (that is part of the build), so it is the slowest test. It
happens once per session in the ``book_build`` fixture (tests/bookbuild.py), shared with the
browser tests of tests/test_browser.py: all of them carry ``xdist_group("book")`` so that
pytest-xdist runs them on one worker (pytest 9.1.1 is pinned because pytest 9.2 +
pytest-xdist 3.8.0 silently ignore ``xdist_group``, pytest-dev/pytest-xdist#1386; on such a
pair the tests stay correct, the browser tests' worker would only build the book again).
Each check below returns a list of problems, and the test reports them all.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbtools
import pytest
import yaml

from trek.stages import STAGES

REPO = nbtools.REPO
# Script tags that load code from elsewhere make a page break offline (and leak readers'
# addresses); the book serves everything itself.
EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']+[\"']", re.I)
AVAILABLE = [st for st in STAGES if st.available]


def stage_page(html_dir: Path, st) -> Path:
    return html_dir / "notebooks" / f"{Path(st.notebook).stem}.html"


# --------------------------------------------------------------------------------------------
# Checks on the built site (each returns a list of problems)
# --------------------------------------------------------------------------------------------
def pages_missing(html_dir: Path) -> list[str]:
    names = ["index.html", "book/intro.html", "book/setup.html", "book/glossary.html"]
    names += [str(stage_page(html_dir, st).relative_to(html_dir)) for st in AVAILABLE]
    return [f"page {name} was not built" for name in names if not (html_dir / name).exists()]


def toc_pages() -> set[str]:
    """The documents _toc.yml lists (``book/intro``, ``notebooks/01-http``, ...)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    found = {toc["root"]}

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                found.add(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []))
    return found


#: Pages Sphinx writes besides the documents: the redirect to the root, search and index.
GENERATED_PAGES = {"index", "search", "genindex"}


def pages_beyond_toc(html_dir: Path) -> list[str]:
    """Only the pages of _toc.yml are built: no README, no .pytest_cache, no stray notes."""
    built = {
        str(p.relative_to(html_dir).with_suffix(""))
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith("_")
    }
    extra = sorted(built - toc_pages() - GENERATED_PAGES)
    return [f"page {name}.html was built but _toc.yml does not list it" for name in extra]


def trek_map_problems(intro_html: str) -> list[str]:
    if 'id="trek-map"' not in intro_html:
        return ["the intro page has no trek map (label trek-map)"]
    # One table per part (Foundations, Building blocks, Production), all after the label.
    after = intro_html.split('id="trek-map"', 1)[1]
    bodies = re.findall(r"<tbody>(.*?)</tbody>", after, re.S)
    rows = [row for body in bodies for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
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


def exercise_number_problems(page_html: str, count: int, where: str) -> list[str]:
    """A stage's exercises are numbered 1..n on its page, so that "Exercise 3" is ``q3``."""
    numbers = [int(n) for n in re.findall(r'class="caption-number">Exercise (\d+)', page_html)]
    if numbers != list(range(1, count + 1)):
        return [f"{where}: exercises are numbered {numbers}, not 1..{count} (their qN)"]
    return []


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
def test_book(book_build):
    assert book_build.returncode == 0, (
        f"jupyter-book build failed (exit {book_build.returncode}):\n{book_build.log_tail()}"
    )
    assert "build succeeded" in book_build.stdout, book_build.log_tail()

    html_dir = book_build.html_dir
    problems = [
        f"the build wrote into the repository: {change}" for change in book_build.wrote_into_repo
    ]
    problems += pages_missing(html_dir)
    problems += pages_beyond_toc(html_dir)
    if not problems:
        problems += trek_map_problems((html_dir / "book" / "intro.html").read_text("utf-8"))
        for st in AVAILABLE:
            text = stage_page(html_dir, st).read_text(encoding="utf-8")
            labels = [cls.label for cls in st.exercises()]
            where = f"stage {st.number:02d}"
            problems += solution_problems(text, labels, where)
            problems += exercise_number_problems(text, len(labels), where)
            problems += feedback_problems(text, len(labels), where)
            problems += launch_button_problems(text, st)
        problems += external_script_problems(html_dir)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------
# The checks can fail (fast, no build)
# --------------------------------------------------------------------------------------------
def test_only_toc_pages_may_be_built(tmp_path):
    for name in ("index.html", "book/intro.html", "README.html", ".pytest_cache/README.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>", encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "x.html").write_text("", encoding="utf-8")
    assert pages_beyond_toc(tmp_path) == [
        "page .pytest_cache/README.html was built but _toc.yml does not list it",
        "page README.html was built but _toc.yml does not list it",
    ]


def test_exercises_are_numbered_per_page():
    import sys

    sys.path.insert(0, str(REPO / "book" / "_ext"))
    try:
        from trek_book import number_per_page
    finally:
        sys.path.pop(0)
    numbers = {
        "notebooks/01-http": {"exercise": {"a": (1,), "b": (2,)}},
        "notebooks/02-language": {"exercise": {"d": (12,), "c": (11,)}, "figure": {"f": (3,)}},
    }
    assert number_per_page(numbers) == ["notebooks/02-language"]
    assert numbers["notebooks/02-language"] == {
        "exercise": {"c": (1,), "d": (2,)},
        "figure": {"f": (3,)},
    }


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
    numbered = '<span class="caption-number">Exercise 11 </span>'
    assert exercise_number_problems(numbered, 1, "p") == [
        "p: exercises are numbered [11], not 1..1 (their qN)"
    ]
    assert feedback_problems('class="trek-feedback trek-correct"', 1, "p") == [
        "p: 0 'Not attempted' for 1",
        "p: the unsolved page shows ['correct']",
    ]
