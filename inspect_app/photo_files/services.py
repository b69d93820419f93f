"""Uploads become Photo rows: run the pure pipeline, store the files, keep pending ones safe."""

import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspect_app.extensions import db
from inspect_app.models import Photo, User
from inspect_app.photos import PhotoError, PhotoSettings, process_photo, store_photo


def photo_settings() -> PhotoSettings:
    config = current_app.config
    return PhotoSettings(
        max_bytes=config["PHOTO_MAX_BYTES"],
        max_pixels=config["PHOTO_MAX_PIXELS"],
        long_side=int(config["PHOTO_LONG_SIDE"]),
        thumb_side=int(config["PHOTO_THUMB_SIDE"]),
        quality=int(config["PHOTO_QUALITY"]),
    )


def photo_root() -> Path:
    return Path(current_app.config["PHOTO_ROOT"])


def error_message(error: PhotoError, filename: str) -> str:
    """A plain-Chinese sentence for a refused photo."""
    limit_mb = current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024)
    messages = {
        "empty": _("“%(name)s”是空文件。", name=filename),
        "too_large": _("“%(name)s”太大，每张照片不能超过 %(mb)s MB。", name=filename, mb=limit_mb),
        "too_many_pixels": _("“%(name)s”的像素太多，无法处理。", name=filename),
        "not_an_image": _("“%(name)s”不是照片：只接受 JPEG、PNG、WebP 格式的图片。", name=filename),
        "corrupt": _("“%(name)s”已损坏或不完整，请重新拍摄或选择。", name=filename),
    }
    return messages.get(error.code, messages["corrupt"])


def save_upload(user: User, upload: FileStorage, client_uuid: str | None = None) -> Photo:
    """Process and store one uploaded file as a pending photo of `user`. Raises PhotoError."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    processed = process_photo(data, photo_settings())
    storage_key = uuid.uuid4().hex
    store_photo(processed, photo_root(), storage_key)
    photo = Photo(
        client_uuid=client_uuid or str(uuid.uuid4()),
        uploaded_by_id=user.id,
        storage_key=storage_key,
        width=processed.width,
        height=processed.height,
        byte_size=processed.byte_size,
        sha256=processed.sha256,
        captured_at=processed.captured_at,
        latitude=processed.latitude,
        longitude=processed.longitude,
        original_name=(upload.filename or "")[:255] or None,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def save_uploads(user: User, uploads: list[FileStorage]) -> tuple[list[Photo], list[str]]:
    """Save every real file of a multiple-file field; return the photos and the error messages."""
    photos, errors = [], []
    for upload in uploads:
        if not isinstance(upload, FileStorage) or not upload.filename:
            continue
        try:
            photos.append(save_upload(user, upload))
        except PhotoError as error:
            errors.append(error_message(error, upload.filename))
    return photos, errors


def usable_photos(user: User, ids: list[int], owner_visit_id: int | None = None) -> list[Photo]:
    """The photos of `ids` this form may attach: the user's pending ones, or the visit's own."""
    if not ids:
        return []
    photos = db.session.scalars(select(Photo).where(Photo.id.in_(ids))).all()
    usable = []
    for photo in photos:
        pending = photo.visit_id is None and photo.uploaded_by_id == user.id
        own = owner_visit_id is not None and photo.visit_id == owner_visit_id
        if pending or own:
            usable.append(photo)
    return sorted(usable, key=lambda p: ids.index(p.id))


def without_repeats(photos: list[Photo]) -> tuple[list[Photo], int]:
    """Drop a photo whose original bytes (SHA-256) are already in the list; count the drops."""
    seen, kept = set(), []
    for photo in photos:
        if photo.sha256 not in seen:
            seen.add(photo.sha256)
            kept.append(photo)
    return kept, len(photos) - len(kept)
