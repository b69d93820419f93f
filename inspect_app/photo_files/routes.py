"""Serve stored photos and thumbnails to those who may see them."""

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from inspect_app.access import can_see_photo
from inspect_app.extensions import db
from inspect_app.models import Photo
from inspect_app.photo_files.services import discard_staged, photo_root
from inspect_app.photos import photo_paths

bp = Blueprint("photos", __name__, url_prefix="/photos")


@bp.teardown_app_request
def _discard_uncommitted_uploads(_exc):
    discard_staged()


def _send(photo_id: int, thumbnail: bool):
    photo = db.session.get(Photo, photo_id)
    if photo is None or not can_see_photo(current_user, photo):
        abort(404)
    image, thumb = photo_paths(photo_root(), photo.storage_key)
    path = thumb if thumbnail else image
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/<int:photo_id>")
@login_required
def full(photo_id: int):
    return _send(photo_id, thumbnail=False)


@bp.get("/<int:photo_id>/thumb")
@login_required
def thumb(photo_id: int):
    return _send(photo_id, thumbnail=True)
