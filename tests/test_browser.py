"""The built book in a real browser (Chromium driven by Playwright), with no network.

The site is served from a static HTTP server on 127.0.0.1, as a web host would serve it, and
every request that is not for that server is blocked and recorded: a page that needs a CDN
for what it shows (a diagram renderer, a widget library, MathJax, a web font) fails here.
Clicking a launch button is a navigation, not a load, and is allowed (blocked, but not held
against the page).

* every built page: zero console errors, zero failed requests to the site, nothing loaded
  from elsewhere, every image drawn, every internal link (and its #fragment) resolves; a
  full-page screenshot of each goes to ``_build/screenshots/`` (look at them);
* the search page finds "idempotent";
* each stage page: the solutions start collapsed and open on click, a quiz answer click shows
  feedback, every diagram (a trek.diagrams cell) is an SVG image, the launch menu offers
  Binder on the right notebook path and JupyterHub through nbgitpuller, and no Colab;
* the JupyterHub link maker of the setup page, end to end;
* the page checks themselves catch a CDN-only diagram, a missing file and a dead link.

The book is built once per session by the ``book_build`` fixture (shared with test_book.py;
same ``xdist_group``). JupyterLab end to end is in test_jupyterlab_e2e.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import browser
import nbtools
import pytest
import yaml

from trek.stages import STAGES

AVAILABLE = [st for st in STAGES if st.available]
CONFIG = yaml.safe_load((nbtools.REPO / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
OWNER_REPO = REPO_URL.removeprefix("https://github.com/")
BRANCH = CONFIG["repository"]["branch"]
#: Functions of trek.diagrams whose result a cell displays as a diagram.
DIAGRAM_CALL = re.compile(r"^\s*(?:\w+\s*=\s*)?(?:diagrams\.)?(sequence|boxes)\(", re.MULTILINE)

needs_browser = browser.needs_browser
#: Tests of the built book: on the worker that builds it (see tests/bookbuild.py).
ON_THE_BOOK = [pytest.mark.slow, pytest.mark.xdist_group("book"), pytest.mark.timeout(900)]


def on_the_book(test):
    for mark in reversed(ON_THE_BOOK):
        test = mark(test)
    return test


# --------------------------------------------------------------------------------------------
# Serving the site, and the offline guard
# --------------------------------------------------------------------------------------------
@dataclass
class Site:
    root: Path
    base: str

    def url(self, page: str) -> str:
        return self.base + page

    def pages(self) -> list[str]:
        """Every HTML page of the site (not the theme's or Sphinx's own files)."""
        return sorted(
            str(p.relative_to(self.root))
            for p in self.root.rglob("*.html")
            if not p.relative_to(self.root).parts[0].startswith("_")
        )


@dataclass
class Visit:
    """What one page load did that it should not have."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_loads: list[str] = field(default_factory=list)
    navigations_elsewhere: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"failed request to the site: {r}" for r in self.failed_requests]
            + [f"needs the network (blocked): {r}" for r in self.blocked_loads]
        )


class OfflineGuard:
    """Playwright routing for a browser context: requests to the site go through, everything
    else is aborted and recorded on the current :class:`Visit`."""

    def __init__(self, base: str):
        self.base = base
        self.visit = Visit()

    def route(self, route) -> None:
        request = route.request
        if request.url.startswith(self.base):
            route.continue_()
            return
        if request.is_navigation_request():
            self.visit.navigations_elsewhere.append(request.url)
        else:
            self.visit.blocked_loads.append(f"{request.resource_type} {request.url}")
        route.abort()


def watch(page, guard: OfflineGuard) -> None:
    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            guard.visit.console_errors.append(f"{message.text} ({where})")

    def on_response(response) -> None:
        if response.url.startswith(guard.base) and response.status >= 400:
            guard.visit.failed_requests.append(f"{response.status} {response.url}")

    def on_failed(request) -> None:
        if request.url.startswith(guard.base):
            guard.visit.failed_requests.append(f"{request.failure} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: guard.visit.console_errors.append(f"uncaught {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)


def open_page(context, guard: OfflineGuard, url: str):
    """A new tab on ``url``, loaded and quiet (no request for 500 ms); ``guard.visit`` starts
    afresh for it."""
    guard.visit = Visit()
    page = context.new_page()
    watch(page, guard)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page


# --------------------------------------------------------------------------------------------
# Checks on a loaded page (each returns a list of problems)
# --------------------------------------------------------------------------------------------
IMAGES_JS = """() => Array.from(document.images).map(img => ({
  src: img.currentSrc || img.src, drawn: img.complete && img.naturalWidth > 0,
  inOutput: !!img.closest('.cell_output'), visible: img.getClientRects().length > 0 }))"""

# Elements of diagram tools that draw in the browser from a script (usually from a CDN).
SCRIPT_DIAGRAMS = ".mermaid, pre.mermaid, div.graphviz, .vega-embed, .plotly-graph-div, .bk-root"


def image_problems(page) -> list[str]:
    problems = []
    for image in page.evaluate(IMAGES_JS):
        if image["visible"] and not image["drawn"]:
            problems.append(f"image not drawn: {image['src']}")
        if image["inOutput"] and not re.search(r"\.(svg|png)$", urlsplit(image["src"]).path):
            problems.append(f"an output image is neither SVG nor PNG: {image['src']}")
    for element in page.eval_on_selector_all(SCRIPT_DIAGRAMS, "els => els.map(e => e.className)"):
        problems.append(f"a diagram drawn by a script, not an SVG: <… class={element!r}>")
    return problems


@cache
def _ids(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(r'\b(?:id|name)="([^"]+)"', text))


def link_problems(page, site: Site) -> list[str]:
    """Every link to the site (and the favicon) points at a file that exists, and at an
    element that exists when it names a #fragment."""
    problems = []
    icons = page.eval_on_selector_all('link[rel~="icon"]', "links => links.map(l => l.href)")
    if not icons:
        problems.append("no favicon (link rel=icon)")
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)") + icons
    for href in sorted(set(hrefs)):
        if not href.startswith(site.base):
            continue
        parts = urlsplit(href)
        relative = unquote(parts.path[len(urlsplit(site.base).path) :])
        target = site.root / relative
        if not relative or target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"link to a missing page: {href}")
        elif parts.fragment and target.suffix == ".html":
            if unquote(parts.fragment) not in _ids(target):
                problems.append(f"link to a missing anchor: {href}")
    return problems


def page_problems(page, site: Site, guard: OfflineGuard) -> list[str]:
    return guard.visit.problems() + image_problems(page) + link_problems(page, site)


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(book_build):
    root = book_build.require()
    with browser.static_site(root) as base:
        yield Site(root, base)


@pytest.fixture(scope="module")
def chromium():
    with browser.chromium() as instance:
        yield instance


@pytest.fixture
def guarded(chromium, site):
    """A fresh browser context (own storage) whose requests go through an OfflineGuard."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    guard = OfflineGuard(site.base)
    context.route("**/*", guard.route)
    yield context, guard
    context.close()


def stage_page_name(st) -> str:
    return f"notebooks/{Path(st.notebook).stem}.html"


# --------------------------------------------------------------------------------------------
# Every page
# --------------------------------------------------------------------------------------------
@needs_browser
@on_the_book
def test_every_page_loads_offline_and_clean(site, guarded):
    context, guard = guarded
    pages = site.pages()
    assert {"index.html", "search.html", "book/intro.html"} <= set(pages), pages
    problems = []
    for name in pages:
        page = open_page(context, guard, site.url(name))
        found = page_problems(page, site, guard)
        problems += [f"{name}: {problem}" for problem in found]
        browser.full_page_screenshot(page, browser.SCREENSHOTS / browser.screenshot_name(name))
        page.close()
    assert not problems, "\n".join(problems)


@needs_browser
@on_the_book
def test_search_finds_idempotent(site, guarded):
    context, guard = guarded
    page = open_page(context, guard, site.url("search.html?q=idempotent"))
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=20_000)
    targets = results.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert any("notebooks/01-http.html" in href for href in targets), targets
    page.screenshot(path=str(browser.SCREENSHOTS / "search__idempotent.png"), full_page=True)
    assert not guard.visit.problems(), guard.visit.problems()


# --------------------------------------------------------------------------------------------
# Stage pages
# --------------------------------------------------------------------------------------------
def diagram_cells(st) -> tuple[list[int], int]:
    """Positions, among the cells the page shows, of the cells that draw a trek.diagrams
    diagram, and how many code cells the page shows (remove-cell ones are not on it)."""
    nb = nbtools.read(nbtools.NOTEBOOKS_DIR / st.notebook)
    shown = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and "remove-cell" not in nbtools.tags(cell)
    ]
    return [i for i, cell in enumerate(shown) if DIAGRAM_CALL.search(cell.source)], len(shown)


@needs_browser
@pytest.mark.parametrize(
    "st", [pytest.param(st, id=f"{st.number:02d}-{st.slug}", marks=ON_THE_BOOK) for st in AVAILABLE]
)
def test_stage_page(site, guarded, st):
    context, guard = guarded
    page = open_page(context, guard, site.url(stage_page_name(st)))
    problems = guard.visit.problems()

    # Solutions start collapsed and open on click.
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("#solution-content, .highlight").first
    assert solution.count() and not body.is_visible(), "the first solution is open at load"
    toggle = solution.locator("button.toggle-button")
    toggle.click()
    body.wait_for(state="visible", timeout=5_000)
    solution.screenshot(
        path=str(browser.SCREENSHOTS / f"notebooks__{Path(st.notebook).stem}__solution-open.png")
    )
    toggle.click()  # and closes again
    body.wait_for(state="hidden", timeout=5_000)

    # A quiz answer click shows feedback.
    quiz = page.locator(".Quiz").first
    quiz.scroll_into_view_if_needed()
    feedback = quiz.locator(".Feedback").first
    assert not feedback.inner_text().strip(), "the quiz shows feedback before any click"
    quiz.locator(".MCButton").first.click()
    page.wait_for_function(
        "(el) => el.innerText.trim().length > 0", arg=feedback.element_handle(), timeout=5_000
    )
    assert re.search(r"correct|incorrect|right|wrong", feedback.inner_text(), re.I) or (
        len(feedback.inner_text().strip()) > 10
    ), f"unexpected quiz feedback: {feedback.inner_text()!r}"

    # Every trek.diagrams cell shows its diagram as an SVG image, drawn.
    expected, shown = diagram_cells(st)
    cells = page.locator("div.cell")
    assert cells.count() == shown, (
        f"the page shows {cells.count()} code cells, the notebook has {shown} (not remove-cell)"
    )
    for position in expected:
        images = cells.nth(position).locator(".cell_output img")
        found = images.evaluate_all(
            "imgs => imgs.map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])"
        )
        if not found:
            problems.append(f"diagram cell {position}: no image in its output")
        for src, drawn in found:
            if not urlsplit(src).path.endswith(".svg") or not drawn:
                problems.append(f"diagram cell {position}: {src} (drawn={drawn}) is not an SVG")
            else:
                svg = (site.root / unquote(urlsplit(src).path).lstrip("/")).read_text()
                if "<svg" not in svg[:300]:
                    problems.append(f"diagram cell {position}: {src} holds no SVG")

    # The launch menu: Binder on this notebook, JupyterHub through nbgitpuller, no Colab.
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
    binder = menu.locator('a[href^="https://mybinder.org/"]')
    binder.wait_for(state="visible", timeout=5_000)
    expected_binder = (
        f"https://mybinder.org/v2/gh/{OWNER_REPO}/{BRANCH}?urlpath=lab/tree/notebooks/{st.notebook}"
    )
    assert binder.get_attribute("href") == expected_binder
    hub = menu.locator("a.btn-launch-jupyterhub")
    assert hub.is_visible(), "no JupyterHub entry in the launch menu"
    query = parse_qs(urlsplit(hub.get_attribute("href")).query)
    assert query["urlpath"] == [f"lab/tree/{OWNER_REPO.split('/')[1]}/notebooks/{st.notebook}"]
    assert query["repo"] == [REPO_URL] and query["branch"] == [BRANCH]
    assert not menu.locator("text=Colab").count(), "a Colab entry (see book/setup.md: why not)"
    page.screenshot(
        path=str(browser.SCREENSHOTS / f"notebooks__{Path(st.notebook).stem}__launch-menu.png")
    )

    # Repository and issue buttons.
    assert page.locator(f'a[href="{REPO_URL}"]').count(), "no repository button"
    assert page.locator(f'a[href^="{REPO_URL}/issues/new"]').count(), "no issue button"
    problems += guard.visit.problems()
    assert not problems, "\n".join(problems)


@needs_browser
@on_the_book
def test_jupyterhub_launch_goes_through_nbgitpuller(site, guarded):
    """The JupyterHub entry opens the link maker with the notebook filled in; the address the
    reader types is remembered, and the entry then goes straight to their hub."""
    context, guard = guarded
    st = AVAILABLE[0]
    page = open_page(context, guard, site.url(stage_page_name(st)))
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    with context.expect_page() as opened:
        page.locator("a.btn-launch-jupyterhub").click()
    maker = opened.value
    watch(maker, guard)
    maker.wait_for_load_state("networkidle")
    assert maker.url.startswith(site.url("book/setup.html"))
    maker.fill("#trek-hub-url", "hub.example.edu/")
    maker.click("#trek-hub-form button[type=submit]")
    link = maker.locator("#trek-hub-link a")
    link.wait_for(state="visible", timeout=5_000)
    made = urlsplit(link.get_attribute("href"))
    assert (made.scheme, made.netloc, made.path) == (
        "https",
        "hub.example.edu",
        "/hub/user-redirect/git-pull",
    )
    assert parse_qs(made.query) == {
        "repo": [REPO_URL],
        "branch": [BRANCH],
        "urlpath": [f"lab/tree/{OWNER_REPO.split('/')[1]}/notebooks/{st.notebook}"],
    }
    maker.locator("#trek-hub-form").scroll_into_view_if_needed()
    maker.screenshot(path=str(browser.SCREENSHOTS / "book__setup__hub-link.png"))

    page.reload(wait_until="load")
    direct = page.locator("a.btn-launch-jupyterhub").get_attribute("href")
    assert direct == link.get_attribute("href"), "the launch entry does not use the saved hub"
    assert not guard.visit.problems(), guard.visit.problems()


# --------------------------------------------------------------------------------------------
# The checks can fail
# --------------------------------------------------------------------------------------------
BROKEN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>broken</title>
<script src="https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.min.js"></script>
</head><body>
<pre class="mermaid">graph LR; client --> server</pre>
<div class="cell_output"><img src="_images/missing.svg" alt="a diagram that is not there"></div>
<a href="nowhere.html">a dead link</a> <a href="#no-such-anchor">a dead anchor</a>
<script>window.mermaid.initialize({startOnLoad: true});</script>
</body></html>"""


@needs_browser
@pytest.mark.timeout(120)
def test_page_checks_catch_a_cdn_diagram_and_dead_links(chromium, tmp_path):
    (tmp_path / "page.html").write_text(BROKEN_PAGE, encoding="utf-8")
    with browser.static_site(tmp_path) as base:
        site = Site(tmp_path, base)
        context = chromium.new_context()
        guard = OfflineGuard(base)
        context.route("**/*", guard.route)
        try:
            page = open_page(context, guard, site.url("page.html"))
            problems = "\n".join(page_problems(page, site, guard))
        finally:
            context.close()
    assert "needs the network (blocked): script https://cdn.jsdelivr.net/npm/mermaid" in problems
    assert "a diagram drawn by a script, not an SVG" in problems
    assert "failed request to the site: 404" in problems and "missing.svg" in problems
    assert "image not drawn" in problems
    assert "uncaught" in problems  # mermaid is undefined without its CDN script
    assert f"link to a missing page: {base}nowhere.html" in problems
    assert "link to a missing anchor" in problems and "no-such-anchor" in problems
