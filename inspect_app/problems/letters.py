"""Reply letters (答复函): check an upload by its content and store it. Pure: no Flask."""

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from inspect_app.photos import PhotoError, PhotoSettings, process_photo

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc


class LetterError(ValueError):
    """A refused upload; `code` says why (empty, too_large, not_allowed)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckedLetter:
    data: bytes  # what is stored (a photo is re-encoded without metadata)
    content_type: str
    extension: str
    sha256: str


def check_letter(data: bytes, max_bytes: int) -> CheckedLetter:
    """Accept PDF, Word (.docx, .doc) or a photo, judged by content, within max_bytes."""
    if not data:
        raise LetterError("empty")
    if len(data) > max_bytes:
        raise LetterError("too_large")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        return CheckedLetter(data, "application/pdf", "pdf", digest)
    if data.startswith(OLE_MAGIC):
        return CheckedLetter(data, "application/msword", "doc", digest)
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return CheckedLetter(data, docx, "docx", digest)
    try:
        photo = process_photo(data, PhotoSettings(max_bytes=max_bytes))
    except PhotoError as error:
        raise LetterError("not_allowed") from error
    return CheckedLetter(photo.image, "image/jpeg", "jpg", digest)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def letter_path(root: Path, storage_key: str) -> Path:
    return Path(root) / storage_key[:2] / storage_key


def store_letter(data: bytes, root: Path, storage_key: str) -> None:
    """Write the file atomically (a temporary file renamed into place)."""
    path = letter_path(root, storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
