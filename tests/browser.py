"""Helpers of the browser tests: Debian's Chromium driven by Playwright, a static server for the
built book, and full-page screenshots that stay readable on very long pages.

Not a test module itself (pytest collects only ``test_*.py``).

Playwright cannot download its own browser on the course's machines (no network but the
package registries), so the tests drive the distribution's Chromium (``apt-get install
chromium``, ``/usr/bin/chromium``). Where it or the ``playwright`` package is missing, every
browser test is skipped with :data:`SKIP_REASON`, by name.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbtools
import pytest

CHROMIUM = Path(os.environ.get("TREK_CHROMIUM", "/usr/bin/chromium"))
#: Where every test that drives a browser saves what it saw (``make test`` keeps them).
SCREENSHOTS = nbtools.REPO / "_build" / "screenshots"

# Chromium phones home (component updates, safe browsing lists, sync, field trials) unless
# told not to; on a closed network each of those is a refused connection in the logs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-domain-reliability",
]


def _skip_reason() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (it is in requirements.txt: make venv)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (Debian/Ubuntu: apt-get install -y chromium)"
    return ""


#: Why the browser tests cannot run on this machine; empty when they can.
SKIP_REASON = _skip_reason()


def needs_browser(test):
    """Skip ``test`` where Chromium or Playwright is missing, saying which test and why."""
    reason = f"{test.__name__}: {SKIP_REASON}"
    return pytest.mark.skipif(bool(SKIP_REASON), reason=reason)(test)


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium (Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def static_site(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 and a free port, as a web host would; yields the base URL
    (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# Sticky and fixed elements (headers, sidebars, a back-to-top button) would show up again in
# every slice of a long page, over its content: put them back into the flow first.
_UNSTICK_JS = """() => { for (const el of document.querySelectorAll('body *')) {
  const position = getComputedStyle(el).position;
  if (position === 'sticky') el.style.setProperty('position', 'relative', 'important');
  if (position === 'fixed') el.style.setProperty('position', 'absolute', 'important');
} }"""
_SCROLL_JS = """(y) => new Promise(done => { window.scrollTo(0, y);
  requestAnimationFrame(() => requestAnimationFrame(done)); })"""


def full_page_screenshot(page, path: Path, slice_height: int = 4000) -> Path:
    """Save the whole page as one PNG, also when it is very long.

    Chromium draws one ``full_page`` capture of a page taller than its largest texture
    (16,384 px; a stage page is 40,000+) with blank holes where the text should be. So the
    page is shown in a window ``slice_height`` tall, scrolled slice by slice, and the slices
    are stitched together. Sticky and fixed elements are unstuck first (the page keeps that).
    """
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    if height <= slice_height:
        page.screenshot(path=str(path), full_page=True)
        return path
    page.evaluate(_UNSTICK_JS)
    page.set_viewport_size({"width": viewport["width"], "height": slice_height})
    try:
        height = page.evaluate("document.documentElement.scrollHeight")
        canvas = Image.new("RGB", (viewport["width"], height), "white")
        part = path.with_suffix(".part.png")
        tops = list(range(0, height - slice_height, slice_height)) + [height - slice_height]
        for top in tops:
            page.evaluate(_SCROLL_JS, top)
            page.screenshot(path=str(part))
            with Image.open(part) as image:
                canvas.paste(image.convert("RGB"), (0, top))
        part.unlink()
        canvas.save(path)
    finally:
        page.set_viewport_size(viewport)
    return path


def screenshot_name(url_path: str) -> str:
    """``notebooks/01-http.html`` → ``notebooks__01-http.png``."""
    stem = url_path.removesuffix(".html").strip("/") or "index"
    return stem.replace("/", "__") + ".png"
