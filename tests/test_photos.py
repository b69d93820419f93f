"""The photo pipeline, a pure module: orientation, refusals, metadata, storage."""

import io
import struct
from datetime import datetime

import pytest
from PIL import Image, ImageChops, ImageStat
from support import TESTDATA

from inspect_app.photos import PhotoError, PhotoSettings, photo_paths, process_photo, store_photo

ORIENTATION_SET = TESTDATA / "exif-orientation"


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _difference(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size, f"{a.size} != {b.size}"
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.mark.parametrize("shape", ["Landscape", "Portrait"])
@pytest.mark.parametrize("orientation", range(9))
def test_every_exif_orientation_comes_out_upright(shape, orientation):
    # the oracle: the picture stored upright (orientation 1), decoded by Pillow alone
    upright = Image.open(ORIENTATION_SET / f"{shape}_1.jpg").convert("RGB")
    source = (ORIENTATION_SET / f"{shape}_{orientation}.jpg").read_bytes()
    result = _image(process_photo(source).image)
    assert result.size == upright.size
    assert _difference(result, upright) < 6
    # and not merely "similar": the result is far from the picture turned or mirrored
    for wrong in (Image.Transpose.ROTATE_180, Image.Transpose.FLIP_LEFT_RIGHT,
                  Image.Transpose.FLIP_TOP_BOTTOM):  # fmt: skip
        assert _difference(result, upright.transpose(wrong)) > 20, wrong


def _jpeg(size=(4000, 3000), exif=None) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return out.getvalue()


def test_large_photo_is_shrunk_with_thumbnail_and_sha256():
    data = _jpeg()
    result = process_photo(data)
    # decoded by the JPEG draft at half size: under 2048 px, no resize needed
    assert 1536 <= result.width <= 2048 and result.height * 4 == result.width * 3
    assert max(_image(result.thumbnail).size) == 320
    assert result.source_format == "JPEG"
    import hashlib

    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_large_png_is_resized_to_2048_on_its_long_side():
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "gray").save(out, "PNG")
    result = process_photo(out.getvalue())
    assert (result.width, result.height) == (2048, 1365)
    assert _image(result.thumbnail).size == (320, 213)


def test_capture_time_and_gps_are_read_then_stripped():
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = "2025:07:15 10:30:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (23.0, 1.0, 12.0), 3: "E", 4: (113.0, 45.0, 0.0)})
    result = process_photo(_jpeg((800, 600), exif=exif.tobytes()))
    assert result.captured_at == datetime(2025, 7, 15, 2, 30)  # 10:30 in Shanghai, as UTC
    assert result.latitude == pytest.approx(23.02, abs=1e-3)
    assert result.longitude == pytest.approx(113.75, abs=1e-3)
    assert (result.width, result.height) == (600, 800)  # orientation 6 applied
    stored = Image.open(io.BytesIO(result.image))
    assert not stored.getexif()
    assert b"Exif" not in result.image[:2000] and b"Exif" not in result.thumbnail[:2000]


def test_truncated_jpeg_is_refused():
    data = _jpeg((1200, 900))
    with pytest.raises(PhotoError) as caught:
        process_photo(data[: len(data) // 2])
    assert caught.value.code == "corrupt"


def test_html_renamed_jpg_is_refused_by_content():
    with pytest.raises(PhotoError) as caught:
        process_photo(b"<html><script>alert(1)</script></html>")
    assert caught.value.code == "not_an_image"


def test_gif_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, "GIF")
    with pytest.raises(PhotoError) as caught:
        process_photo(out.getvalue())
    assert caught.value.code == "gif"


def _png_bomb(width: int, height: int) -> bytes:
    """A PNG header announcing a huge picture (decoding would need gigabytes)."""
    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    data = bytearray(small.getvalue())
    struct.pack_into(">II", data, 16, width, height)
    import zlib

    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    struct.pack_into(">I", data, 29, crc)
    return bytes(data)


@pytest.mark.parametrize("size", [(12000, 12000), (50000, 50000)])
def test_pixel_bomb_is_refused_before_decoding(size):
    with pytest.raises(PhotoError) as caught:
        process_photo(_png_bomb(*size))
    assert caught.value.code == "too_many_pixels"


def test_pixel_limit_is_a_setting():
    with pytest.raises(PhotoError) as caught:
        process_photo(_jpeg((1000, 1000)), PhotoSettings(max_pixels=999_999))
    assert caught.value.code == "too_many_pixels"


def test_file_size_limit():
    with pytest.raises(PhotoError) as caught:
        process_photo(_jpeg((1000, 1000)), PhotoSettings(max_bytes=1000))
    assert caught.value.code == "too_large"


def test_png_with_alpha_becomes_jpeg_on_white():
    image = Image.new("RGBA", (400, 300), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (100, 100, 200, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    result = process_photo(out.getvalue())
    stored = Image.open(io.BytesIO(result.image))
    assert stored.format == "JPEG" and stored.mode == "RGB"
    r, g, b = stored.getpixel((10, 10))
    assert min(r, g, b) > 240  # transparent became white, not black
    r, g, b = stored.getpixel((150, 150))
    assert b > 200 and r < 40


def test_webp_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(out, "WEBP")
    assert process_photo(out.getvalue()).source_format == "WEBP"


def test_store_writes_both_files_and_no_temporary_left(tmp_path):
    result = process_photo(_jpeg((900, 600)))
    store_photo(result, tmp_path, "abcdef0123")
    image, thumb = photo_paths(tmp_path, "abcdef0123")
    assert image.read_bytes() == result.image and thumb.read_bytes() == result.thumbnail
    assert not [p for p in image.parent.iterdir() if p.name.startswith(".tmp-")]
