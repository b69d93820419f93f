"""Housekeeping of the photo store: uploads never saved, files without a row, temp leftovers."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from inspect_app.auditing import record_event, snapshot
from inspect_app.extensions import db
from inspect_app.models import Photo
from inspect_app.photos import delete_photo_files

PENDING_AGE = timedelta(days=1)
# A file is written before its row is committed; younger files may belong to an upload
# still in flight and are left alone.
FILE_GRACE = timedelta(hours=1)


@dataclass
class CleanupReport:
    pending_rows: int = 0
    orphan_files: int = 0
    temp_files: int = 0


def remove_stale_pending(root: Path, now: datetime) -> int:
    """Delete photos uploaded more than a day ago and never attached to a visit."""
    query = select(Photo).where(Photo.visit_id.is_(None), Photo.created_at < now - PENDING_AGE)
    stale = list(db.session.scalars(query))
    for photo in stale:
        record_event(None, "delete", photo, before=snapshot(photo))
        db.session.delete(photo)
    db.session.flush()
    for photo in stale:
        delete_photo_files(root, photo.storage_key)
    return len(stale)


def _storage_key(path: Path) -> str:
    return path.name.removesuffix(".jpg").removesuffix(".thumb")


def remove_stray_files(root: Path, wall_clock: float) -> tuple[int, int]:
    """Delete `.tmp-*` leftovers and photo files no row points to; (orphans, temps) removed."""
    if not root.is_dir():
        return 0, 0
    known = set(db.session.scalars(select(Photo.storage_key)))
    cutoff = wall_clock - FILE_GRACE.total_seconds()
    orphans = temps = 0
    for path in root.glob("*/*"):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.name.startswith(".tmp-"):
            path.unlink(missing_ok=True)
            temps += 1
        elif path.suffix == ".jpg" and _storage_key(path) not in known:
            path.unlink(missing_ok=True)
            orphans += 1
    return orphans, temps


def clean_photo_store(root: Path, now: datetime, wall_clock: float | None = None) -> CleanupReport:
    report = CleanupReport(pending_rows=remove_stale_pending(root, now))
    report.orphan_files, report.temp_files = remove_stray_files(root, wall_clock or time.time())
    return report
