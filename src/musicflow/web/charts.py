"""Charts as SVG drawn on the server: no script, no CDN, readable on a phone and by a screen reader.

Each chart is a `role="img"` with a title naming what it shows; every text in it is escaped. A screen reader
reads an image's name, not the texts inside it, and a bar's exact count otherwise shows only to a mouse
hovering over it: so each chart is followed by its numbers as a table (`The numbers`, folded until opened),
row by row, with headers. Bars take their colours from classes styled in `static/style.css` (the page's
security policy allows no inline style); no colour carries a meaning alone (a reason's sign is written
beside its bar, this song's bar is solid and your top songs' hollow).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 340  # a phone's width: on a wider screen the chart scales up to its container
ROW = 38
LABEL_GAP = 14
BAR = 14
LABEL_CHARS = 44  # a longer label wraps onto the next lines, at a space, as many as it takes
LINE = 15  # the height of a label's further line


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    tone: str = "main"  # a CSS class: main, other, good, bad, muted


@dataclass(frozen=True)
class Pair:
    label: str
    first: float  # already scaled to 0..1
    second: float | None
    first_text: str
    second_text: str


def _svg(
    height: float, title: str, body: list[str], head: Sequence[str], rows: Sequence[Sequence[str]]
) -> Markup:
    safe_title = escape(title)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{safe_title}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{safe_title}</title>{"".join(body)}</svg>'
        + _numbers(title, head, rows)
    )


def _numbers(title: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The chart's numbers as a table, folded under "The numbers": each row's first cell names it."""
    safe_title = escape(title)
    heads = "".join(f'<th scope="col">{escape(name)}</th>' for name in head)
    cells = ["".join(f"<td>{escape(cell)}</td>" for cell in row[1:]) for row in rows]
    body = "".join(
        f'<tr><th scope="row">{escape(row[0])}</th>{values}</tr>'
        for row, values in zip(rows, cells, strict=True)
    )
    return (
        f'<details class="numbers"><summary>The numbers<span class="sr-only">: {safe_title}</span></summary>'
        f'<table><caption class="sr-only">{safe_title}</caption><thead><tr>{heads}</tr></thead>'
        f"<tbody>{body}</tbody></table></details>"
    )


def _text(x: float, y: float, text: str, cls: str = "label", anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}">{escape(text)}</text>'


def _lines(label: str) -> list[str]:
    """A label as the lines it is written on: words are never cut, nor is the label (a reason read in
    part may say the opposite of the whole)."""
    return textwrap.wrap(label, LABEL_CHARS) or [""]


def _label(x: float, y: float, label: str) -> tuple[str, float]:
    """A label's text, wrapped, and the height its further lines add to its row."""
    lines = _lines(label)
    last = len(lines) - 1
    spans = "".join(  # a line that wraps keeps its space: the text reads whole ("Stone Temple Pilots")
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE}">{escape(line if i == last else line + " ")}</tspan>'
        for i, line in enumerate(lines)
    )
    text = f'<text x="{x:.1f}" y="{y:.1f}" class="label" text-anchor="start">{spans}</text>'
    return text, (len(lines) - 1) * LINE


def _rect(x: float, y: float, w: float, h: float, cls: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" height="{h:.1f}" rx="3" class="{cls}"/>'


def _fraction(value: float, lo: float, hi: float) -> float:
    return 0.0 if hi <= lo else min(max((value - lo) / (hi - lo), 0.0), 1.0)


def hbars(
    bars: Sequence[Bar], title: str, lo: float = 0.0, hi: float | None = None, *, head: tuple[str, str]
) -> Markup:
    """Horizontal bars, each with its label above and its value at the end; `hi` defaults to the largest.
    `head` names the table's columns: what a row is, and what its value is."""
    top = hi if hi is not None else max((b.value for b in bars), default=1.0) or 1.0
    usable = WIDTH - 64
    body: list[str] = []
    y = 0.0
    for bar in bars:
        length = usable * _fraction(bar.value, lo, top)
        label, extra = _label(0, y + LABEL_GAP, bar.label)
        body.append(label)
        body.append(_rect(0, y + extra + LABEL_GAP + 5, usable, BAR, "track"))
        body.append(_rect(0, y + extra + LABEL_GAP + 5, length, BAR, f"bar {bar.tone}"))
        body.append(_text(usable + 6, y + extra + LABEL_GAP + 16, bar.text, "value"))
        y += ROW + extra
    return _svg(y + 4, title, body, head, [(bar.label, bar.text) for bar in bars])


def diverging(bars: Sequence[Bar], title: str, *, head: tuple[str, str]) -> Markup:
    """Bars from a middle line: right pushes the prediction up, left pulls it down; the longest is full.
    A bar's text carries its sign: the side and the colour are not all that says which way it moved."""
    largest = max((abs(b.value) for b in bars), default=1.0) or 1.0
    middle = WIDTH / 2
    half = middle - 4
    body: list[str] = []
    y = 0.0
    for bar in bars:
        length = half * abs(bar.value) / largest
        x = middle if bar.value >= 0 else middle - length
        label, extra = _label(0, y + LABEL_GAP, bar.label)
        body.append(label)
        tone = "good" if bar.value >= 0 else "bad"
        top = y + extra + LABEL_GAP + 5
        # The middle line beside the bar only: drawn through the rows it would cross their labels.
        body.append(
            f'<line x1="{middle}" y1="{top - 3:.1f}" x2="{middle}" y2="{top + BAR + 3:.1f}" class="axis"/>'
        )
        body.append(_rect(x, top, length, BAR, f"bar {tone}"))
        anchor, tx = ("end", middle - 6) if bar.value >= 0 else ("start", middle + 6)
        body.append(_text(tx, y + extra + LABEL_GAP + 16, bar.text, "value", anchor))
        y += ROW + extra
    return _svg(y + 4, title, body, head, [(bar.label, bar.text) for bar in bars])


def pairs(rows: Sequence[Pair], title: str, first_name: str, second_name: str, *, row_head: str) -> Markup:
    """Two bars per row (this song, your taste) over a 0..1 range, with a legend: the first bar solid, the
    second hollow, told apart by more than their colour. `row_head` names what a row is, in the table."""
    usable = WIDTH - 70
    height = 22 + len(rows) * (ROW + 8)
    body = [
        _rect(0, 4, 12, 12, "bar main"),
        _text(18, 15, first_name, "legend"),
        _rect(171, 5, 10, 10, "bar other hollow"),
        _text(188, 15, second_name, "legend"),
    ]
    for i, row in enumerate(rows):
        y = 22 + i * (ROW + 8)
        body.append(_text(0, y + LABEL_GAP, row.label))
        body.append(_rect(0, y + 19, usable * row.first, 10, "bar main"))
        body.append(_text(usable + 6, y + 28, row.first_text, "value"))
        if row.second is not None:
            body.append(_rect(0.5, y + 31.5, max(usable * row.second - 1, 0.0), 9, "bar other hollow"))
            body.append(_text(usable + 6, y + 41, row.second_text, "value"))
    table = [(row.label, row.first_text, row.second_text if row.second is not None else "") for row in rows]
    return _svg(height, title, body, (row_head, first_name, second_name), table)


def columns(
    values: Sequence[tuple[str, int]], title: str, every: int = 1, *, head: tuple[str, str]
) -> Markup:
    """Vertical bars (streams per month, hour, weekday); every `every`-th label is written under its bar,
    and each bar's count is in the table."""
    height, base = 150, 126
    most = max((v for _, v in values), default=0)
    top = most or 1  # the scale of the bars
    step = WIDTH / max(len(values), 1)
    body = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" class="axis"/>']
    for i, (label, value) in enumerate(values):
        bar_height = (base - 16) * value / top
        x = i * step
        body.append(
            f'<rect x="{x + step * 0.12:.1f}" y="{base - bar_height:.1f}" width="{step * 0.76:.1f}" '
            f'height="{bar_height:.1f}" class="bar main"><title>{escape(label)}: {value:,}</title></rect>'
        )
        if i % every == 0:
            centre = min(max(x + step / 2, 24.0), WIDTH - 24.0)  # the first and last labels stay inside
            body.append(_text(centre, base + 16, label, "tick", "middle"))
    body.append(_text(WIDTH, 10, f"most: {most:,}", "tick", "end"))
    return _svg(height, title, body, head, [(label, f"{value:,}") for label, value in values])
