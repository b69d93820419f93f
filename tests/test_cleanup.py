"""`flask data cleanup`: unsaved uploads, files with no row and temporary leftovers go away."""

import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from test_visits import jpeg, post_form, visit_form

from inspect_app.extensions import db
from inspect_app.models import Photo, utcnow
from inspect_app.photos import photo_paths


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_cleanup_removes_stale_uploads_orphans_and_temp_files(app, client, login, runner):
    login("demo-deputy")
    photos = [jpeg("old.jpg"), jpeg("new.jpg", color=(1, 2, 3))]
    data = visit_form(client, summary="", photos=photos)
    post_form(client, "/visits/new", data)  # an error: the two uploads stay pending
    root = Path(app.config["PHOTO_ROOT"])
    with app.app_context():
        old, new = db.session.scalars(
            select(Photo).where(Photo.visit_id.is_(None)).order_by(Photo.id)
        ).all()
        old.created_at = utcnow() - timedelta(days=2)
        old_key, new_key, old_id = old.storage_key, new.storage_key, old.id
        attached = db.session.scalar(select(Photo).where(Photo.visit_id.is_not(None)))
        attached_key = attached.storage_key
        db.session.commit()
    folder = photo_paths(root, attached_key)[0].parent
    orphan, young_orphan = folder / ("ab" * 16 + ".jpg"), folder / ("cd" * 16 + ".jpg")
    leftover, young_leftover = folder / ".tmp-killed.jpg", folder / ".tmp-writing.jpg"
    for path in (orphan, young_orphan, leftover, young_leftover):
        path.write_bytes(b"x")
    for path in (orphan, leftover, *photo_paths(root, attached_key)):
        _age(path, 3)

    result = runner.invoke(args=["data", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "1 unsaved uploads, 1 files without a photo row, 1 temporary files" in result.output
    with app.app_context():
        assert db.session.get(Photo, old_id) is None
    assert not any(p.exists() for p in photo_paths(root, old_key))
    assert all(p.exists() for p in photo_paths(root, new_key))  # less than a day old
    assert all(p.exists() for p in photo_paths(root, attached_key))
    assert not orphan.exists() and not leftover.exists()
    assert young_orphan.exists() and young_leftover.exists()  # may be an upload in flight


def test_make_run_cleans_up_before_serving():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    recipe = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert recipe.index("flask data cleanup") < recipe.index("flask run")
