"""Charts as PNG, drawn with Pillow on the server (no browser): bars with their values."""

import functools
import io
import shutil
import subprocess
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

SCALE = 2  # drawn at twice the size for print
COLORS = ("#2F5597", "#C55A11", "#548235", "#7F6000")


@functools.cache
def chart_font_path() -> str | None:
    """A CJK font file for the labels (fontconfig's match for Noto Sans CJK SC)."""
    if shutil.which("fc-match") is None:
        return None
    done = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
        capture_output=True,
        text=True,
        check=False,
        timeout=20,
    )
    return done.stdout.strip() or None


def _font(size: int, path: str | None):
    if path:
        return ImageFont.truetype(path, size * SCALE)
    return ImageFont.load_default(size * SCALE)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str = "",
    font_path: str | None = None,
    percent: bool = False,
) -> bytes:
    """Horizontal bars: one row per label, one bar per series; returns PNG bytes."""
    labels = [str(label) for label in labels] or ["（无）"]
    font, small = _font(18, font_path), _font(15, font_path)
    bar, gap = 20 * SCALE, 10 * SCALE
    row_height = bar * max(1, len(series)) + gap
    label_width = min(200 * SCALE, max(int(font.getlength(label)) for label in labels) + 12 * SCALE)
    width = 600 * SCALE
    top = 50 * SCALE + (26 * SCALE if len(series) > 1 else 0)
    height = top + row_height * len(labels) + 20 * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, 14 * SCALE), title, fill="black", font=font, anchor="mt")
    if len(series) > 1:
        x = label_width
        for index, (name, _values) in enumerate(series):
            draw.rectangle((x, 46 * SCALE, x + 14 * SCALE, 60 * SCALE), fill=COLORS[index % 4])
            draw.text((x + 18 * SCALE, 53 * SCALE), name, fill="black", font=small, anchor="lm")
            x += int(small.getlength(name)) + 40 * SCALE
    peak = max([max(values, default=0) for _n, values in series] + [1e-9])
    if percent:
        peak = max(peak, 1.0)
    room = width - label_width - 90 * SCALE
    for row, label in enumerate(labels):
        y = top + row * row_height
        draw.text(
            (label_width - 8 * SCALE, y + row_height // 2 - gap // 2),
            label,
            fill="black",
            font=small,
            anchor="rm",
        )
        for index, (_name, values) in enumerate(series):
            value = values[row] if row < len(values) else 0
            value = value or 0
            y0 = y + index * bar
            length = int(room * value / peak)
            draw.rectangle(
                (label_width, y0, label_width + max(length, 1), y0 + bar - 3 * SCALE),
                fill=COLORS[index % 4],
            )
            text = f"{value * 100:.1f}%" if percent else f"{value:g}{unit}"
            draw.text(
                (label_width + length + 6 * SCALE, y0 + bar // 2),
                text,
                fill="black",
                font=small,
                anchor="lm",
            )
    draw.line((label_width, top - 4 * SCALE, label_width, height - 16 * SCALE), fill="#666666")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
