"""Charts drawn on the server as SVG (no JavaScript, no library), sized to read at 360 px.

Pure functions: rows in, markup out. Every text is escaped. Colours come from CSS classes
(static/css/app.css), so the strict CSP needs no inline style.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320  # viewBox units; the SVG scales to the page width
LABEL = 100  # room for a label left of the bars
ROW = 26
FONT = 13


@dataclass
class Bar:
    label: str
    value: float  # the whole bar
    part: float = 0  # a darker part of it (e.g. closed of assigned)
    text: str = ""  # shown at the end of the bar; the value by default


def _shorten(label: str, limit: int = 7) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(bars: list[Bar], title: str, maximum: float | None = None) -> Markup:
    """Horizontal bars, one row each, label on the left, figure at the end."""
    top = maximum or max((b.value for b in bars), default=0) or 1
    room = WIDTH - LABEL - 48
    height = ROW * max(len(bars), 1) + 4
    parts = [_open(WIDTH, height, title)]
    for index, bar in enumerate(bars):
        y = index * ROW + 2
        whole = room * bar.value / top
        part = room * min(bar.part, bar.value) / top
        text = bar.text or _number(bar.value)
        parts.append(
            f'<text class="chart-label" x="{LABEL - 4}" y="{y + 18}" text-anchor="end">'
            f"{escape(_shorten(bar.label))}</text>"
            f'<rect class="chart-bar" x="{LABEL}" y="{y + 4}" width="{whole:.1f}" height="18"/>'
        )
        if part:
            parts.append(
                f'<rect class="chart-part" x="{LABEL}" y="{y + 4}" width="{part:.1f}" height="18"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{LABEL + whole + 4:.1f}" y="{y + 18}">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(labels: list[str], series: list[tuple[str, list[int]]], title: str) -> Markup:
    """Grouped columns, one group per label (weeks), one column per series."""
    height, base, left = 200, 162, 8
    top = max((v for _name, values in series for v in values), default=0) or 1
    slot = (WIDTH - left) / max(len(labels), 1)
    width = min(24, (slot - 8) / max(len(series), 1))
    parts = [_open(WIDTH, height, title)]
    for index, label in enumerate(labels):
        x0 = left + index * slot + (slot - width * len(series)) / 2
        for number, (_name, values) in enumerate(series):
            value = values[index]
            tall = (base - 20) * value / top
            x = x0 + number * width
            parts.append(
                f'<rect class="chart-series-{number}" x="{x:.1f}" y="{base - tall:.1f}" '
                f'width="{width - 2:.1f}" height="{tall:.1f}"/>'
                f'<text class="chart-value" x="{x + (width - 2) / 2:.1f}" y="{base - tall - 3:.1f}"'
                f' text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text class="chart-label" x="{left + index * slot + slot / 2:.1f}" y="{base + 17}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<line class="chart-axis" x1="{left}" x2="{WIDTH}" y1="{base}" y2="{base}"/>')
    legend_x = left
    for number, (name, _values) in enumerate(series):
        parts.append(
            f'<rect class="chart-series-{number}" x="{legend_x}" y="{height - 13}" '
            f'width="10" height="10"/><text class="chart-label" x="{legend_x + 14}" '
            f'y="{height - 3}">{escape(name)}</text>'
        )
        legend_x += 20 + FONT * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT}">'
        f"<title>{escape(title)}</title>"
    )


def _number(value: float) -> str:
    return f"{value:g}"
