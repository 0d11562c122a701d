"""Sphinx extension of the Backend Trek book: what Jupyter Book's defaults get wrong for us.

1. **No page loads MathJax from a CDN by accident.** myst-nb keeps every MIME type of a
   notebook output in the doctree and picks one per builder later. An output that offers
   ``text/latex`` beside ``text/html`` (``IPython.display.Code``, for one) therefore counts as
   an equation for Sphinx, which then adds MathJax from a CDN to that page and to every page
   above it in the table of contents, although the HTML version is what gets shown. For HTML
   builds, drop the LaTeX alternative whenever an HTML one exists, before Sphinx looks for
   equations. Real math (``$x$``, ``{math}``) is untouched.
2. **No console errors from the theme.** sphinx-thebe adds its inline configuration script
   twice (``const THEBE_JS_URL`` declared twice: a SyntaxError on every page) and loads its
   scripts even with the live-code button off; when ``launch_buttons.thebe`` is off they are
   dropped, otherwise the duplicate is. pydata-sphinx-theme 0.17 reads an empty colour mode
   on a reader's first visit ("Got invalid theme mode") unless ``html_context.default_mode``
   is set: it defaults to ``light`` here (diagrams, plots and quizzes are drawn on white).
3. **No stray header bar.** pydata-sphinx-theme 0.17 forces a second, empty header with a
   duplicate search field onto sphinx-book-theme unless ``navbar_persistent`` is set.
4. **Exercise N is qN.** sphinx-exercise numbers exercises through the whole book, so stage
   02 would start at "Exercise 11" above a cell that runs ``q1.check()``; exercises (and the
   solutions that refer to them) are numbered per page instead.
5. **A JupyterHub launch button without a hub of our own.** The course has no public hub, so
   ``launch_buttons.jupyterhub_url`` is empty; each notebook page still gets a *JupyterHub*
   entry in its launch menu. It opens the setup page's nbgitpuller link maker for that
   notebook; once a reader has entered their hub's address there (kept in their browser's
   localStorage), the entry goes straight to ``HUB/hub/user-redirect/git-pull?...``
   (``static/trek-launch.js``). A configured ``jupyterhub_url`` makes the theme's own button
   and this entry is not added.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from docutils import nodes
from sphinx.transforms import SphinxTransform

STATIC = Path(__file__).parent / "static"


def _is_mime_bundle(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"


def drop_latex_beside_html(document: nodes.Node) -> int:
    """Remove ``text/latex`` alternatives of outputs that also have ``text/html``; returns
    how many were removed."""
    removed = 0
    for bundle in list(document.findall(_is_mime_bundle)):
        mime_types = {child.get("mime_type") for child in bundle.children}
        if "text/html" not in mime_types:
            continue
        for child in list(bundle.children):
            if child.get("mime_type") == "text/latex":
                bundle.remove(child)
                removed += 1
    return removed


class DropLatexBesideHtml(SphinxTransform):
    default_priority = 500

    def apply(self, **kwargs) -> None:
        if self.app.builder.format == "html":
            drop_latex_beside_html(self.document)


# --------------------------------------------------------------------------------------------
# Theme settings and page assets
# --------------------------------------------------------------------------------------------
def _launch_options(app) -> dict:
    return dict(app.config.html_theme_options.get("launch_buttons") or {})


def theme_defaults(app, config) -> None:
    """Defaults that Jupyter Book leaves empty (set only when _config.yml does not)."""
    options = config.html_theme_options
    options.setdefault("navbar_persistent", [])
    config.html_context.setdefault("default_mode", "light")
    config.html_static_path.append(str(STATIC))


def _is_thebe_asset(asset) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "sphinx-thebe" in filename or "THEBE_JS_URL" in body


def tidy_assets(scripts: list, styles: list, thebe: bool) -> None:
    """Drop sphinx-thebe's scripts and styles when the live-code button is off; otherwise drop
    the duplicates of its inline configuration script. Edits the lists in place."""
    if not thebe:
        scripts[:] = [s for s in scripts if not _is_thebe_asset(s)]
        styles[:] = [s for s in styles if "sphinx-thebe" not in str(getattr(s, "filename", s))]
        return
    seen, kept = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script)), repr(getattr(script, "attributes", "")))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def jupyterhub_entry(app, pagename: str, context: dict) -> dict | None:
    """The launch menu's JupyterHub entry for this page (None on pages without a launch menu
    or when the theme makes its own from ``jupyterhub_url``)."""
    options = _launch_options(app)
    if options.get("jupyterhub_url"):
        return None
    repo_url = str(app.config.html_theme_options.get("repository_url", "")).rstrip("/")
    if not repo_url:
        return None
    branch = app.config.html_theme_options.get("repository_branch") or "main"
    book_path = str(app.config.html_theme_options.get("path_to_docs", "")).strip("/")
    source = Path(app.env.doc2path(pagename)).name
    notebook = f"{book_path}/{pagename}" if book_path else pagename
    notebook += Path(source).suffix
    ui = "lab/tree" if options.get("notebook_interface") == "jupyterlab" else "tree"
    query = urlencode(
        {
            "repo": repo_url,
            "branch": branch,
            "urlpath": f"{ui}/{repo_url.rsplit('/', 1)[-1]}/{notebook}",
        },
        safe="/",
    )
    return {
        "type": "link",
        "text": "JupyterHub",
        "tooltip": "Launch on your JupyterHub (nbgitpuller)",
        "icon": "_static/images/logo_jupyterhub.svg",
        "url": f"{context['pathto']('book/setup')}?{query}#setup-jupyterhub",
        "label": "launch-jupyterhub",
    }


def page_context(app, pagename, templatename, context, doctree) -> None:
    tidy_assets(
        context.get("script_files", []),
        context.get("css_files", []),
        thebe=bool(_launch_options(app).get("thebe")),
    )
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        if any(button.get("text") == "JupyterHub" for button in group["buttons"]):
            continue
        entry = jupyterhub_entry(app, pagename, context)
        if entry:
            group["buttons"].insert(1, entry)


# --------------------------------------------------------------------------------------------
# Exercise numbers
# --------------------------------------------------------------------------------------------
def number_per_page(toc_fignumbers: dict, figtype: str = "exercise") -> list[str]:
    """Renumber ``figtype`` 1, 2, 3... on each page, in the book's order; returns the pages
    whose numbers changed."""
    changed = []
    for docname, fignumbers in toc_fignumbers.items():
        numbers = fignumbers.get(figtype)
        if not numbers:
            continue
        ordered = sorted(numbers, key=lambda ident: numbers[ident])
        renumbered = {ident: (position,) for position, ident in enumerate(ordered, start=1)}
        if renumbered != numbers:
            fignumbers[figtype] = renumbered
            changed.append(docname)
    return changed


def number_exercises_per_page(app, env) -> list[str]:
    return number_per_page(env.toc_fignumbers)


def setup(app):
    app.add_transform(DropLatexBesideHtml)
    app.connect("config-inited", theme_defaults)
    app.add_js_file("trek-launch.js", defer="defer")
    app.add_css_file("trek-book.css")
    # After sphinx-book-theme's own html-page-context handlers (priority 501).
    app.connect("html-page-context", page_context, priority=900)
    # After Sphinx's own figure numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", number_exercises_per_page, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
