"""The book's own pages and configuration agree with trek/stages.py and with each other.

Fast checks on the sources; tests/test_book.py builds the real site.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbtools
import pytest
import yaml

from trek.stages import STAGES

REPO = nbtools.REPO
MAP_ROW = re.compile(r"^\|\s*(\d{2})\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$")
LINK = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<target>[^)]+)\)$")


def config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))


def toc() -> dict:
    return yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))


def trek_map(text: str) -> list[dict]:
    """The rows of the trek map tables in intro.md: number, title, link target, status and
    the part (the ``###`` heading above the row's table)."""
    rows = []
    part = None
    for line in text.splitlines():
        if line.startswith("### "):
            part = line[4:].strip()
        match = MAP_ROW.match(line)
        if not match:
            continue
        number, title_cell, goal, status = match.groups()
        link = LINK.match(title_cell)
        # A status is plain text or a sphinx-design badge: {bdg-success}`available`
        status = re.sub(r"^\{[\w-]+\}`(.*)`$", r"\1", status.strip())
        rows.append(
            {
                "number": int(number),
                "title": link["title"] if link else title_cell,
                "target": link["target"] if link else None,
                "goal": goal,
                "status": status.strip("*_").lower(),
                "part": part,
            }
        )
    return rows


def toc_files(entries) -> list[str]:
    """Every ``file:`` of the toc, depth first."""
    found = []
    for entry in entries:
        if "file" in entry:
            found.append(entry["file"])
        for key in ("parts", "chapters", "sections"):
            found.extend(toc_files(entry.get(key, [])))
    return found


def test_trek_map_matches_the_stages():
    rows = trek_map((REPO / "book" / "intro.md").read_text(encoding="utf-8"))
    assert [row["number"] for row in rows] == [st.number for st in STAGES], (
        "the trek map in book/intro.md must list every stage of trek/stages.py, in order"
    )
    for row, st in zip(rows, STAGES, strict=True):
        assert row["title"] == st.title, f"stage {st.number}: map says {row['title']!r}"
        assert row["goal"].startswith("*") and row["goal"].endswith("*"), (
            f"stage {st.number}: the roadmap goal is quoted in italics"
        )
        if st.available:
            assert row["target"] == f"../notebooks/{st.notebook}", (
                f"stage {st.number} is available: its title links to its notebook"
            )
            assert row["status"] != "coming soon"
        else:
            assert row["target"] is None, f"stage {st.number} is not available yet: no link"
            assert row["status"] == "coming soon"


def test_trek_map_parser_sees_links_and_coming_soon():
    text = (
        "### Foundations\n\n| Stage | Title | Goal | Status |\n|---|---|---|---|\n"
        "| 01 | [Web](../notebooks/01-http.ipynb) | *g* | {bdg-success}`available` |\n"
        "### Building blocks\n\n| Stage | Title | Goal | Status |\n|---|---|---|---|\n"
        "| 02 | Language | *g* | {bdg-secondary-line}`coming soon` |\n"
        "| 03 | SQL | *g* | *coming soon* |\n"
    )
    assert trek_map(text) == [
        {
            "number": 1,
            "title": "Web",
            "target": "../notebooks/01-http.ipynb",
            "goal": "*g*",
            "status": "available",
            "part": "Foundations",
        },
        {
            "number": 2,
            "title": "Language",
            "target": None,
            "goal": "*g*",
            "status": "coming soon",
            "part": "Building blocks",
        },
        {
            "number": 3,
            "title": "SQL",
            "target": None,
            "goal": "*g*",
            "status": "coming soon",
            "part": "Building blocks",
        },
    ]


def toc_parts(contents: dict) -> dict[str, str]:
    """``{document: caption of the part that lists it}``."""
    return {
        name: part["caption"]
        for part in contents.get("parts", [])
        for name in toc_files(part.get("chapters", []))
    }


def test_toc_parts_follow_the_trek_map():
    """A stage sits in the same part in the table of contents as on the trek map, and the
    parts come in the map's order."""
    rows = trek_map((REPO / "book" / "intro.md").read_text(encoding="utf-8"))
    assert all(row["part"] for row in rows), "every trek map row sits under a ### part heading"
    parts_of_map = list(dict.fromkeys(row["part"] for row in rows))
    placed = toc_parts(toc())
    for row, st in zip(rows, STAGES, strict=True):
        if st.available:
            name = f"notebooks/{Path(st.notebook).stem}"
            assert placed.get(name) == row["part"], (
                f"stage {st.number}: the trek map puts it under {row['part']!r}, _toc.yml under "
                f"{placed.get(name)!r}"
            )
    toc_order = [p for p in dict.fromkeys(placed.values()) if p in parts_of_map]
    assert toc_order == [p for p in parts_of_map if p in toc_order]


def test_toc_lists_existing_pages_and_exactly_the_available_stages():
    contents = toc()
    assert contents["format"] == "jb-book"
    files = [contents["root"], *toc_files(contents.get("parts", []))]
    assert len(files) == len(set(files)), f"_toc.yml lists a page twice: {files}"
    for name in files:
        candidates = [REPO / f"{name}{suffix}" for suffix in (".md", ".ipynb")]
        assert any(p.exists() for p in candidates), f"_toc.yml lists {name}, which does not exist"
    listed = {name for name in files if name.startswith("notebooks/")}
    available = {f"notebooks/{Path(st.notebook).stem}" for st in STAGES if st.available}
    assert listed == available, (
        "_toc.yml must list exactly the notebooks of the available stages in trek/stages.py "
        f"(missing: {sorted(available - listed)}, extra: {sorted(listed - available)})"
    )


def test_every_notebook_belongs_to_a_stage_and_every_stage_notebook_exists():
    on_disk = {p.name for p in nbtools.notebook_paths()}
    declared = {st.notebook for st in STAGES if st.available}
    assert on_disk == declared, (
        f"notebooks/ holds {sorted(on_disk)} but trek/stages.py declares {sorted(declared)}"
    )
    for st in STAGES:
        if st.available:
            assert st.notebook == f"{st.number:02d}-{st.slug}.ipynb", (
                f"stage {st.number}: notebook files are named NN-slug.ipynb"
            )


def test_book_configuration():
    cfg = config()
    assert cfg["title"] == "Backend Trek"
    assert cfg["only_build_toc_files"] is True
    execute = cfg["execute"]
    # "auto" would silently skip a notebook that happens to hold outputs.
    assert execute["execute_notebooks"] in ("cache", "force")
    assert execute.get("allow_errors", False) is False
    assert execute.get("run_in_temp") is True, "executing the book must not write into the repo"
    assert "sphinx_exercise" in cfg["sphinx"]["extra_extensions"]
    assert cfg["repository"]["branch"] == "main"
    assert cfg["repository"]["url"].startswith("https://")
    assert cfg["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert cfg["launch_buttons"]["notebook_interface"] == "jupyterlab"
    for path in (cfg["logo"], cfg["html"]["favicon"]):
        assert (REPO / path).exists(), path


@pytest.mark.parametrize("page", ["README.md", "book/setup.md", "book/intro.md"])
def test_pages_name_the_configured_repository(page):
    """The repository's address lives in _config.yml; pages that print it (clone commands,
    nbgitpuller links) must follow it when it changes."""
    url = config()["repository"]["url"].rstrip("/")
    owner_repo = url.removeprefix("https://github.com/")
    text = (REPO / page).read_text(encoding="utf-8")
    pattern = r"(?:github\.com(?:/|%2F)|mybinder\.org/v2/gh/)([\w.-]+(?:/|%2F)[\w.-]+)"
    mentioned = set(re.findall(pattern, text))
    mentioned = {m.replace("%2F", "/").removesuffix(".git") for m in mentioned}
    assert mentioned <= {owner_repo}, (
        f"{page} names {sorted(mentioned - {owner_repo})}; _config.yml says {owner_repo}"
    )


def test_glossary_defines_enough_terms():
    text = (REPO / "book" / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    terms = [line for line in block.splitlines() if line and not line.startswith((" ", ":"))]
    assert len(terms) >= 25, terms
    assert len(terms) == len(set(t.lower() for t in terms)), "duplicate glossary terms"


def test_book_extension_drops_latex_only_beside_html():
    import sys

    from docutils import nodes

    sys.path.insert(0, str(REPO / "book" / "_ext"))
    try:
        from trek_book import drop_latex_beside_html
    finally:
        sys.path.pop(0)

    def bundle(*mime_types):
        node = nodes.container(nb_element="mime_bundle")
        for mime_type in mime_types:
            node += nodes.container(mime_type=mime_type)
        return node

    document = nodes.section()
    document += bundle("text/html", "text/latex", "text/plain")
    document += bundle("text/latex", "text/plain")
    assert drop_latex_beside_html(document) == 1
    kept = [[c["mime_type"] for c in b.children] for b in document.children]
    assert kept == [["text/html", "text/plain"], ["text/latex", "text/plain"]]
    assert config()["sphinx"]["local_extensions"] == {"trek_book": "book/_ext"}


def test_book_extension_drops_unused_thebe_assets():
    import sys
    from types import SimpleNamespace as Asset

    sys.path.insert(0, str(REPO / "book" / "_ext"))
    try:
        from trek_book import tidy_assets
    finally:
        sys.path.pop(0)

    thebe_config = Asset(filename=None, attributes={"body": 'const THEBE_JS_URL = "x"'})
    scripts = [Asset(filename="doctools.js", attributes={}), thebe_config, thebe_config]
    scripts.append(Asset(filename="sphinx-thebe.js", attributes={"async": "async"}))
    styles = [Asset(filename="sphinx-thebe.css"), Asset(filename="pygments.css")]
    kept_scripts, kept_styles = list(scripts), list(styles)
    tidy_assets(kept_scripts, kept_styles, thebe=False)
    assert [s.filename for s in kept_scripts] == ["doctools.js"]
    assert [s.filename for s in kept_styles] == ["pygments.css"]
    kept_scripts = list(scripts)
    tidy_assets(kept_scripts, list(styles), thebe=True)  # live code on: only the duplicate goes
    assert kept_scripts == [scripts[0], thebe_config, scripts[3]]
