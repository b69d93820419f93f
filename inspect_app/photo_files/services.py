"""Uploads become Photo rows: run the pure pipeline, store the files, keep pending ones safe.

A request first prepares all its uploads (`prepare_uploads`: check, decode within the
request's budget, stage the files) while it holds no database lock; then it adds the rows,
which opens the short write transaction. Staged files get their names only after the rows
commit (`_publish_committed`) and vanish if the request fails or the process dies.
"""

import contextlib
import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from inspect_app.extensions import db
from inspect_app.models import Photo, User
from inspect_app.photos import (
    DecodeBudget,
    PhotoError,
    PhotoSettings,
    ProcessedPhoto,
    StagedPhoto,
    process_photo,
    stage_photo,
)

log = logging.getLogger(__name__)


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
    config = current_app.config
    limit_mb = config["PHOTO_MAX_BYTES"] // (1024 * 1024)
    formats = "JPEG、PNG、WebP、HEIC"
    messages = {
        "empty": _("“%(name)s”是空文件。", name=filename),
        "too_large": _("“%(name)s”太大，每张照片不能超过 %(mb)s MB。", name=filename, mb=limit_mb),
        "too_many_pixels": _(
            "“%(name)s”的像素太多，无法处理。请上传相机拍摄的原图，或缩小后再上传。",
            name=filename,
        ),
        "not_an_image": _(
            "“%(name)s”不是照片：只接受 %(formats)s 格式的图片。", name=filename, formats=formats
        ),
        "gif": _(
            "“%(name)s”是 GIF 动图，不能作为照片保存：只接受 %(formats)s 格式的照片。",
            name=filename,
            formats=formats,
        ),
        "over_budget": _(
            "“%(name)s”没有处理：一次提交的照片太多或太大（最多 %(n)s 张）。"
            "请先保存，再分几次添加其余照片。",
            name=filename,
            n=int(config["PHOTO_REQUEST_MAX_FILES"]),
        ),
        "corrupt": _("“%(name)s”已损坏或不完整，请重新拍摄或选择。", name=filename),
    }
    return messages.get(error.code, messages["corrupt"])


_PREPARED = "inspect_prepared_uploads"  # id(FileStorage) -> (upload, (processed, key) | error)
_STAGED = "inspect_staged_photos"  # storage key -> StagedPhoto, until published or discarded
_FLUSHED = "inspect_flushed_photo_keys"  # staged keys whose rows are in the open transaction
_BUDGET = "inspect_decode_budget"


def _request_budget() -> DecodeBudget:
    if _BUDGET not in g:
        config = current_app.config
        files, pixels = config["PHOTO_REQUEST_MAX_FILES"], config["PHOTO_REQUEST_MAX_PIXELS"]
        setattr(g, _BUDGET, DecodeBudget(int(files), int(pixels)))
    return g.get(_BUDGET)


def prepare_uploads(uploads: Iterable[FileStorage]) -> None:
    """Check, decode and stage every real file now, before the request writes any row."""
    for upload in uploads:
        if isinstance(upload, FileStorage) and upload.filename:
            with contextlib.suppress(PhotoError):  # kept; save_upload raises it again
                _prepared(upload)


def _prepared(upload: FileStorage) -> tuple[ProcessedPhoto, str]:
    """The processed photo and its staged storage key (once per upload). Raises PhotoError."""
    cache = g.setdefault(_PREPARED, {})
    if id(upload) not in cache:
        try:
            result = _process_and_stage(upload)
        except PhotoError as error:
            result = error
        cache[id(upload)] = (upload, result)
    result = cache[id(upload)][1]
    if isinstance(result, PhotoError):
        raise result
    return result


def _process_and_stage(upload: FileStorage) -> tuple[ProcessedPhoto, str]:
    limit = current_app.config["PHOTO_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    processed = process_photo(data, photo_settings(), budget=_request_budget())
    storage_key = uuid.uuid4().hex
    staged: dict[str, StagedPhoto] = g.setdefault(_STAGED, {})
    staged[storage_key] = stage_photo(processed, photo_root(), storage_key)
    return processed, storage_key


def save_upload(user: User, upload: FileStorage, client_uuid: str | None = None) -> Photo:
    """Add one uploaded file as a pending photo of `user`. Raises PhotoError."""
    processed, storage_key = _prepared(upload)
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


@event.listens_for(Session, "after_flush")
def _note_flushed_photos(session, _context) -> None:
    staged = g.get(_STAGED) if has_app_context() else None
    if staged:
        new = [o.storage_key for o in session.new if isinstance(o, Photo)]
        g.setdefault(_FLUSHED, set()).update(k for k in new if k in staged)


@event.listens_for(Session, "after_commit")
def _publish_committed(_session) -> None:
    """The rows are committed: give their staged files their names."""
    if not has_app_context():
        return
    staged = g.get(_STAGED) or {}
    for key in g.pop(_FLUSHED, ()):
        try:
            staged.pop(key).publish()
        except OSError:
            log.exception("photo %s: committed but its files could not be published", key)


@event.listens_for(Session, "after_rollback")
def _forget_flushed(_session) -> None:
    if has_app_context():
        g.pop(_FLUSHED, None)


def discard_staged() -> None:
    """At the end of a request: staged files whose rows never committed disappear."""
    for staged in (g.pop(_STAGED, None) or {}).values():
        staged.discard()


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
