"""Generated demo photos: a construction-site-like scene, different for every seed."""

import io
import random

from PIL import Image, ImageDraw


def demo_picture(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A JPEG of sky, ground, buildings and a crane; deterministic for a seed."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.55, 0.7))
    for y in range(horizon):
        shade = int(150 + 90 * y / horizon)
        draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20, 255))
    draw.rectangle([0, horizon, width, height], fill=(150, 120, 90))
    for _ in range(rng.randrange(2, 5)):
        left = rng.randrange(0, width - 300)
        top = rng.randrange(height // 5, horizon - 50)
        right = left + rng.randrange(150, 400)
        grey = rng.randrange(150, 220)
        draw.rectangle([left, top, right, horizon], fill=(grey, grey, grey - 10))
        for floor in range(top + 20, horizon - 10, 40):
            draw.line([(left, floor), (right, floor)], fill=(90, 90, 90), width=3)
    mast = rng.randrange(width // 4, width * 3 // 4)
    draw.rectangle([mast, height // 8, mast + 24, horizon], fill=(240, 190, 20))
    draw.rectangle([mast - 400, height // 8, mast + 300, height // 8 + 20], fill=(240, 190, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
