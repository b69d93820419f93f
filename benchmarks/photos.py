"""Photo pipeline vs a naive Pillow open + exif_transpose + resize, on a synthetic 12 MP JPEG.

Prints median time and peak memory growth of each, and the ratios (goal: time <= 0.4x,
peak memory <= 0.5x). Memory is measured as growth of the peak RSS in a fresh process
per run, because Pillow allocates image memory outside Python's allocator.
"""

import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspect_app.photos import process_photo  # noqa: E402

RUNS = 7
MEMORY_RUNS = 3


def synthetic_photo() -> bytes:
    """4032x3024 with texture (so it compresses like a photo), EXIF orientation 6."""
    base = Image.radial_gradient("L").resize((4032, 3024)).convert("RGB")
    noise = Image.effect_noise((4032, 3024), 40).convert("RGB")
    image = Image.blend(base, noise, 0.35)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def naive(data: bytes) -> tuple[bytes, bytes]:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    scale = 2048 / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((320, 320), Image.LANCZOS)
    outputs = []
    for picture in (image, thumb):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=82)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1]


def ours(data: bytes) -> tuple[bytes, bytes]:
    result = process_photo(data)
    return result.image, result.thumbnail


PIPELINES = {"naive": naive, "inspect": ours}

# VmHWM (peak resident set) is per memory map and starts afresh at exec, unlike ru_maxrss,
# which a child inherits from its parent on Linux.
CHILD = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import photos as bench

def peak_kb():
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('VmHWM'))

data = open({path!r}, 'rb').read()
before = peak_kb()
bench.PIPELINES[{name!r}](data)
print((peak_kb() - before) / 1024)
"""


def peak_memory_mb(name: str, path: str) -> float:
    code = CHILD.format(root=str(ROOT), bench=str(Path(__file__).parent), path=path, name=name)
    runs = []
    for _ in range(MEMORY_RUNS):
        output = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(float(output.stdout.strip().splitlines()[-1]))
    return statistics.median(runs)


def median_seconds(function, data: bytes) -> float:
    function(data)  # warm up
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function(data)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    data = synthetic_photo()
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(data)
        handle.flush()
        figures = {
            name: {
                "median_ms": round(median_seconds(function, data) * 1000, 1),
                "peak_mb": round(peak_memory_mb(name, handle.name), 1),
            }
            for name, function in PIPELINES.items()
        }
    time_ratio = figures["inspect"]["median_ms"] / figures["naive"]["median_ms"]
    memory_ratio = figures["inspect"]["peak_mb"] / max(figures["naive"]["peak_mb"], 0.1)
    print(f"photo: 4032x3024 JPEG, {len(data) / 1e6:.1f} MB, EXIF orientation 6")
    for name, values in figures.items():
        median, peak = values["median_ms"], values["peak_mb"]
        print(f"  {name:<8} median {median:>7.1f} ms   peak memory +{peak:.1f} MB")
    print(f"  time ratio   {time_ratio:.2f}x  (goal <= 0.40x)")
    print(f"  memory ratio {memory_ratio:.2f}x  (goal <= 0.50x)")
    print(json.dumps({"figures": figures, "time_ratio": time_ratio, "memory_ratio": memory_ratio}))


if __name__ == "__main__":
    main()
