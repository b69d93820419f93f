"""The photo pipeline: check, orient, shrink, strip metadata, store. Pure: no Flask here.

Order matters (it keeps memory and time low): read EXIF (orientation, capture time, GPS) first,
then ask the JPEG decoder for a reduced-size draft, resize with a reducing gap, and only
then apply the orientation to the already-small image. Pixel counts are checked from the
header before anything is decoded, against a budget per format: JPEG decodes at a fraction
of its size through draft(); PNG, WebP and HEIF have no such mode and decode in full
(shared/FACTS.md: an 89 MP PNG of 347 KB costs 2-4 s and up to 1.26 GB). A `DecodeBudget`
bounds what one request may decode in total.

Files are staged before the database rows exist and published after they commit
(`stage_photo`): a process killed in between leaves no file behind.
"""

import hashlib
import io
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pillow_heif
from PIL import Image, UnidentifiedImageError

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 100_000_000
# What a picture may declare, by format: JPEG decodes at 1/8 at most through draft(), the
# others in full (a 48 MP iPhone HEIC fits; a 24 MP PNG costs about 1 s and 300 MB).
FORMAT_MAX_PIXELS = {"JPEG": 100_000_000, "PNG": 24_000_000, "WEBP": 24_000_000, "HEIF": 50_000_000}
REFUSED_SIGNATURES = {b"GIF87a": "GIF", b"GIF89a": "GIF"}

# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011


class PhotoError(ValueError):
    """A photo we refuse; `code` says why (the app turns it into a translated message)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class PhotoSettings:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    format_max_pixels: tuple = tuple(FORMAT_MAX_PIXELS.items())
    long_side: int = 2048
    thumb_side: int = 320
    quality: int = 82


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes  # JPEG, upright, no metadata
    thumbnail: bytes  # JPEG, upright, no metadata
    width: int
    height: int
    sha256: str  # of the upload as received
    byte_size: int  # of the upload as received
    source_format: str
    captured_at: datetime | None  # UTC, naive
    latitude: float | None
    longitude: float | None


class DecodeBudget:
    """How many files and decoded pixels one request may still spend."""

    def __init__(self, files: int, pixels: int):
        self.files, self.pixels = files, pixels

    def charge(self, pixels: int) -> None:
        """Take one file of `pixels` decoded pixels, or raise PhotoError("over_budget")."""
        if self.files < 1 or pixels > self.pixels:
            raise PhotoError("over_budget", f"{pixels} pixels")
        self.files -= 1
        self.pixels -= pixels


def process_photo(
    data: bytes,
    settings: PhotoSettings = PhotoSettings(),
    local_tz: timezone | None = None,
    budget: DecodeBudget | None = None,
) -> ProcessedPhoto:
    """Check an upload by content and return the stored image and thumbnail as JPEG bytes."""
    if not data:
        raise PhotoError("empty")
    if len(data) > settings.max_bytes:
        raise PhotoError("too_large", f"{len(data)} bytes")
    im = _open_checked(data, settings)
    source_format = im.format or ""
    orientation, captured_at, latitude, longitude = _read_metadata(im, local_tz)
    _plan_draft(im, settings.long_side)
    if budget is not None:
        budget.charge(im.width * im.height)  # after draft(): what will really be decoded
    im = _load(im)
    im = _flatten(im)
    im = _fit(im, settings.long_side)
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
    thumb = _fit(im, settings.thumb_side)
    return ProcessedPhoto(
        image=_encode(im, settings.quality),
        thumbnail=_encode(thumb, settings.quality),
        width=im.width,
        height=im.height,
        sha256=hashlib.sha256(data).hexdigest(),
        byte_size=len(data),
        source_format=source_format,
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
    )


def _open_checked(data: bytes, settings: PhotoSettings) -> Image.Image:
    """Open by content (JPEG/PNG/WebP/HEIF only) and refuse pixel bombs before decoding."""
    if REFUSED_SIGNATURES.get(data[:6]):
        raise PhotoError("gif", REFUSED_SIGNATURES[data[:6]])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError("too_many_pixels") from exc
    except UnidentifiedImageError as exc:
        raise PhotoError("not_an_image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("corrupt", str(exc)) from exc
    format_limit = dict(settings.format_max_pixels).get(im.format, settings.max_pixels)
    if im.width * im.height > min(settings.max_pixels, format_limit):
        raise PhotoError("too_many_pixels", f"{im.format} {im.width}x{im.height}")
    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    return im


def _read_metadata(im: Image.Image, local_tz: timezone | None):
    """Orientation, capture time (as UTC) and GPS position, read before anything is stripped."""
    try:
        exif = im.getexif()
    except Exception:  # a broken EXIF block must not lose the photo
        return 1, None, None, None
    orientation = exif.get(_ORIENTATION, 1)
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:
        sub, gps = {}, {}
    raw_time = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    captured_at = _parse_exif_time(raw_time, sub.get(_OFFSET_TIME_ORIGINAL), local_tz)
    latitude, longitude = _parse_gps(gps)
    return (orientation if isinstance(orientation, int) else 1), captured_at, latitude, longitude


def _parse_exif_time(value, offset, local_tz: timezone | None) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        naive = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    tz = local_tz or timezone(timedelta(hours=8))
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            sign = 1 if offset[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            pass
    return naive.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _parse_gps(gps) -> tuple[float | None, float | None]:
    try:
        lat = _dms(gps[2], gps.get(1, "N"), "S")
        lon = _dms(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return round(lat, 7), round(lon, 7)


def _dms(parts, ref, negative_ref: str) -> float:
    degrees, minutes, seconds = (float(p) for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref).upper().startswith(negative_ref) else value


DRAFT_FLOOR = 0.75  # a draft may come out this much below the target long side


def _plan_draft(im: Image.Image, long_side: int) -> None:
    """Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding (im.size follows).

    draft() picks the largest reduction that keeps the image at least the requested size,
    so we ask for 3/4 of the target (same aspect ratio): a 4032 px photo then decodes at
    2016 px, at most 2048, with no resize at all. Asking for the full 2048 would decode
    it at full size.
    """
    if im.format == "JPEG":
        scale = long_side * DRAFT_FLOOR / max(im.width, im.height)
        if scale < 0.5:
            size = (max(1, math.ceil(im.width * scale)), max(1, math.ceil(im.height * scale)))
            im.draft("RGB", size)


def _load(im: Image.Image) -> Image.Image:
    try:
        im.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoError("corrupt", str(exc)) from exc
    return im


def _flatten(im: Image.Image) -> Image.Image:
    """RGB on white: transparency and palettes become what a printed page shows."""
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        return im.point(lambda v: v / 256).convert("L").convert("RGB")
    return im.convert("RGB") if im.mode != "RGB" else im


def _fit(im: Image.Image, side: int) -> Image.Image:
    if max(im.size) <= side:
        return im
    scale = side / max(im.size)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(im: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def photo_paths(root: Path, storage_key: str) -> tuple[Path, Path]:
    """Where a photo and its thumbnail live: root/ab/<key>.jpg and root/ab/<key>.thumb.jpg."""
    folder = root / storage_key[:2]
    return folder / f"{storage_key}.jpg", folder / f"{storage_key}.thumb.jpg"


def store_photo(processed: ProcessedPhoto, root: Path, storage_key: str) -> None:
    """Write the image and thumbnail atomically (temporary file, fsync, rename)."""
    image_path, thumb_path = photo_paths(root, storage_key)
    image_path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(thumb_path, processed.thumbnail)
    _write_atomically(image_path, processed.image)


# A staged file on a filesystem without O_TMPFILE: named like the atomic writes' temporary
# files, so `flask data cleanup` (photo_files/cleanup.py) removes one a killed worker left.
PENDING_PREFIX = ".tmp-"


class StagedFile:
    """Bytes written and synced but not yet under their name; `publish` gives them the name.

    On Linux the file has no name at all until then (O_TMPFILE): if the process dies, the
    kernel frees it. Elsewhere it waits as `.tmp-*` beside its final place.
    """

    def __init__(self, path: Path, data: bytes):
        self.path, self._pending = path, None
        try:
            self._fd = os.open(path.parent, os.O_TMPFILE | os.O_RDWR, 0o600)
        except (AttributeError, OSError):
            self._fd, name = tempfile.mkstemp(dir=path.parent, prefix=PENDING_PREFIX)
            self._pending = Path(name)
        try:
            _write_all(self._fd, data)
        except BaseException:
            self.discard()
            raise

    def publish(self) -> None:
        if self._pending is not None:
            os.replace(self._pending, self.path)
        else:
            try:
                os.link(f"/proc/self/fd/{self._fd}", self.path)
            except OSError:  # no /proc, or an overlay filesystem (EXDEV): copy the bytes out
                size = os.fstat(self._fd).st_size
                _write_atomically(self.path, os.pread(self._fd, size, 0))
        self._close()

    def discard(self) -> None:
        self._close()
        if self._pending is not None:
            self._pending.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class StagedPhoto:
    """A photo's image and thumbnail, staged together."""

    def __init__(self, processed: ProcessedPhoto, root: Path, storage_key: str):
        image_path, thumb_path = photo_paths(root, storage_key)
        image_path.parent.mkdir(parents=True, exist_ok=True)
        self.storage_key = storage_key
        self._files = [StagedFile(thumb_path, processed.thumbnail)]
        try:
            self._files.append(StagedFile(image_path, processed.image))
        except BaseException:
            self.discard()
            raise

    def publish(self) -> None:
        for staged in self._files:
            staged.publish()

    def discard(self) -> None:
        for staged in self._files:
            staged.discard()


def stage_photo(processed: ProcessedPhoto, root: Path, storage_key: str) -> StagedPhoto:
    """Write a photo's files where nobody sees them until `publish()` (after the rows commit)."""
    return StagedPhoto(processed, root, storage_key)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def delete_photo_files(root: Path, storage_key: str) -> None:
    for path in (*photo_paths(root, storage_key), sheet_thumbnail_path(root, storage_key)):
        path.unlink(missing_ok=True)


SHEET_THUMBNAIL_HEIGHT = 72  # pixels: the picture as a spreadsheet cell shows it


def sheet_thumbnail_path(root: Path, storage_key: str) -> Path:
    return root / storage_key[:2] / f"{storage_key}.sheet.jpg"


def sheet_thumbnail(root: Path, storage_key: str) -> Path | None:
    """A small JPEG (about 5 KB) for a spreadsheet cell, made from the thumbnail once."""
    path = sheet_thumbnail_path(root, storage_key)
    if path.exists():
        return path
    _image, thumb = photo_paths(root, storage_key)
    if not thumb.exists():
        return None
    with Image.open(thumb, formats=["JPEG"]) as source:
        source.draft("RGB", (source.width // 2, source.height // 2))
        picture = source.convert("RGB")
    width = max(1, round(picture.width * SHEET_THUMBNAIL_HEIGHT / max(picture.height, 1)))
    picture = picture.resize((width, SHEET_THUMBNAIL_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70, optimize=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(out.getvalue())  # a cache file: rename for atomicity, no fsync
    os.replace(partial, path)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
