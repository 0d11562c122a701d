"""Sphinx extension of the Backend Trek book: no page loads MathJax from a CDN by accident.

myst-nb keeps every MIME type of a notebook output in the doctree and picks one per builder
later. An output that offers ``text/latex`` beside ``text/html`` (``IPython.display.Code``,
for one) therefore counts as an equation for Sphinx, which then adds MathJax from a CDN to
that page and to every page above it in the table of contents, although the HTML version is
what gets shown. For HTML builds, drop the LaTeX alternative whenever an HTML one exists,
before Sphinx looks for equations. Real math (``$x$``, ``{math}``) is untouched.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform


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


def setup(app):
    app.add_transform(DropLatexBesideHtml)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
