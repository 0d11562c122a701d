"""Diagrams as plain SVG, drawn by Python: they render offline, in JupyterLab and in the book.

Two kinds cover what the course draws:

* :func:`sequence` — who sends what to whom, in order (a request's life, a TLS handshake,
  a retry timeline, a cache revalidation);
* :func:`boxes` — named boxes placed on a grid, joined by labelled arrows (an event loop, an
  ER diagram, a request's path through an app).

Both return a :class:`Diagram`: the last expression of a cell displays it; ``.svg`` is the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

FONT = "font-family='system-ui, -apple-system, Segoe UI, sans-serif'"
INK = "#1d2733"
ACCENT = "#2f6db5"
MUTED = "#6b7280"
FILL = "#eef4fb"


@dataclass(frozen=True)
class Diagram:
    """An SVG drawing. Jupyter shows it through ``_repr_svg_``."""

    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg


def _text(
    x: float, y: float, text: str, size: int = 13, anchor: str = "middle", fill: str = INK, **style
) -> str:
    extra = " ".join(f"{k.replace('_', '-')}='{v}'" for k, v in style.items())
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' {FONT} "
        f"fill='{fill}' {extra}>{escape(text)}</text>"
    )


def _arrow_defs() -> str:
    return (
        "<defs><marker id='trek-arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        f"markerHeight='7' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{INK}'/>"
        "</marker></defs>"
    )


def _svg(width: float, height: float, body: list[str], title: str) -> Diagram:
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='{width:.0f}' height='{height:.0f}' role='img' aria-label='{escape(title)}'>"
        f"<title>{escape(title)}</title>{_arrow_defs()}"
        f"<rect width='100%' height='100%' fill='white'/>"
    )
    return Diagram(head + "".join(body) + "</svg>")


def sequence(
    participants: list[str],
    steps: list[tuple[str, str, str]],
    title: str = "",
    width: int = 760,
) -> Diagram:
    """A sequence diagram.

    ``steps`` are ``(sender, receiver, label)``; a step whose sender equals its receiver is a
    note drawn on that participant's lifeline; a sender of ``"--"`` draws a section divider
    with the label across the whole diagram.
    """
    if len(participants) < 2:
        raise ValueError("a sequence diagram needs at least two participants")
    margin, row, top = 70, 34, 70 if title else 44
    gap = (width - 2 * margin) / (len(participants) - 1)
    x = {name: margin + i * gap for i, name in enumerate(participants)}
    height = top + row * (len(steps) + 1) + 20
    body = []
    if title:
        body.append(_text(width / 2, 22, title, size=15, font_weight="600"))
    head_y = top - 26
    for name, px in x.items():
        body.append(
            f"<rect x='{px - 58:.1f}' y='{head_y - 16:.1f}' width='116' height='26' rx='5' "
            f"fill='{FILL}' stroke='{ACCENT}'/>"
        )
        body.append(_text(px, head_y + 2, name, size=13, font_weight="600"))
        body.append(
            f"<line x1='{px:.1f}' y1='{head_y + 10:.1f}' x2='{px:.1f}' y2='{height - 12:.1f}' "
            f"stroke='{MUTED}' stroke-dasharray='4 4'/>"
        )
    for index, (sender, receiver, label) in enumerate(steps):
        y = top + row * (index + 1)
        if sender == "--":
            body.append(
                f"<line x1='10' y1='{y - 4:.1f}' x2='{width - 10}' y2='{y - 4:.1f}' "
                f"stroke='{ACCENT}' stroke-width='0.6'/>"
            )
            body.append(
                f"<rect x='{width / 2 - 150:.1f}' y='{y - 16:.1f}' width='300' height='22' "
                "fill='white'/>"
            )
            body.append(_text(width / 2, y, label, size=12, font_style="italic"))
            continue
        for name in (sender, receiver):
            if name not in x:
                raise ValueError(f"{name!r} is not one of the participants {participants}")
        x1, x2 = x[sender], x[receiver]
        if x1 == x2:
            # Wide enough for the text (about 7 px a character at 12 px), within the drawing.
            note_width = min(max(min(260, gap - 12), len(label) * 7 + 14), width - 10 - x1)
            body.append(
                f"<rect x='{x1 + 6:.1f}' y='{y - 15:.1f}' width='{note_width:.0f}' "
                f"height='22' rx='4' fill='#fff8db' stroke='#d4b106'/>"
            )
            body.append(_text(x1 + 12, y, label, size=12, anchor="start"))
            continue
        body.append(
            f"<line x1='{x1:.1f}' y1='{y:.1f}' x2='{x2 - (6 if x2 > x1 else -6):.1f}' "
            f"y2='{y:.1f}' stroke='{INK}' stroke-width='1.3' marker-end='url(#trek-arrow)'/>"
        )
        body.append(_text((x1 + x2) / 2, y - 6, label, size=12))
    return _svg(width, height, body, title or "sequence diagram")


def boxes(
    nodes: dict[str, tuple[float, float, list[str] | str]],
    edges: list[tuple[str, str, str]] = (),
    title: str = "",
    cell: tuple[int, int] = (190, 110),
) -> Diagram:
    """Boxes on a grid joined by arrows.

    ``nodes`` maps a key to ``(column, row, lines)``: the first line is the box's heading, the
    rest (e.g. table columns) are listed under it. ``edges`` are ``(from, to, label)``.
    """
    cw, ch = cell
    box_w = cw - 40
    top = 40 if title else 12

    def geometry(key: str) -> tuple[float, float, float, float]:
        col, row, lines = nodes[key]
        lines = [lines] if isinstance(lines, str) else lines
        height = 28 + 16 * max(0, len(lines) - 1)
        return 20 + col * cw, top + row * ch, box_w, height

    body = []
    width = max(20 + (col + 1) * cw for col, _, _ in nodes.values())
    height = max(geometry(k)[1] + geometry(k)[3] for k in nodes) + 20
    if title:
        body.append(_text(width / 2, 24, title, size=15, font_weight="600"))
    for src, dst, label in edges:
        for name in (src, dst):
            if name not in nodes:
                raise ValueError(f"edge refers to unknown box {name!r}")
        ax, ay, aw, ah = geometry(src)
        bx, by, bw, bh = geometry(dst)
        (x1, y1), (x2, y2) = _anchor(ax, ay, aw, ah, bx, by, bw, bh)
        body.append(
            f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='{INK}' "
            "stroke-width='1.3' marker-end='url(#trek-arrow)'/>"
        )
        if label:
            body.append(_text((x1 + x2) / 2, (y1 + y2) / 2 - 5, label, size=11, fill=MUTED))
    for key, (_col, _row, lines) in nodes.items():
        lines = [lines] if isinstance(lines, str) else lines
        x, y, w, h = geometry(key)
        body.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{w:.0f}' height='{h:.0f}' rx='6' "
            f"fill='{FILL}' stroke='{ACCENT}'/>"
        )
        body.append(_text(x + w / 2, y + 18, lines[0], size=13, font_weight="600"))
        for index, line in enumerate(lines[1:], start=1):
            body.append(_text(x + 10, y + 18 + 16 * index, line, size=11, anchor="start"))
    return _svg(width, height, body, title or "diagram")


def _anchor(ax, ay, aw, ah, bx, by, bw, bh):
    """Points on the facing edges of two boxes."""
    acx, acy, bcx, bcy = ax + aw / 2, ay + ah / 2, bx + bw / 2, by + bh / 2
    if abs(bcx - acx) >= abs(bcy - acy):
        if bcx > acx:
            return (ax + aw, acy), (bx - 2, bcy)
        return (ax, acy), (bx + bw + 2, bcy)
    if bcy > acy:
        return (acx, ay + ah), (bcx, by - 2)
    return (acx, ay), (bcx, by + bh + 2)
