"""Hostile uploads cannot stall other deputies: decoding happens before the write lock,
costs are bounded by format and per request, a killed save leaves no stray file, and a
write that meets a locked database is retried."""

import io
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import zlib
from pathlib import Path

import instances
import pillow_heif
import pytest
from PIL import Image
from sqlalchemy import select
from support import csrf_token
from test_visits import count, hidden_fields, jpeg, post_form, visit_form

from inspect_app import database, photos
from inspect_app.demo.seed import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import Photo, Visit
from inspect_app.photos import photo_paths

SQLITE_WRITE_LOCK = pytest.mark.skipif(
    instances.ON_POSTGRES,
    reason="SQLite's database-wide write lock and busy timeout; PostgreSQL locks rows",
)


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG that announce width × height pixels (a decompression bomb)."""
    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    data = bytearray(small.getvalue())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def png(size=(800, 600)) -> tuple:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, "PNG")
    out.seek(0)
    return (out, "screen.png")


def photo_files(app) -> set[str]:
    """Every file under the photo root, hidden staging files included."""
    root = Path(app.config["PHOTO_ROOT"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def signed_in(app, username="demo-deputy"):
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"login": username, "password": DEMO_PASSWORD, "csrf_token": token})
    return client


def test_89_megapixel_png_is_refused_in_chinese_and_nothing_is_stored(app, client, login):
    login("demo-deputy")
    photos_before = count(app, Photo)
    bomb = (io.BytesIO(png_declaring(10000, 8950)), "huge.png")
    response = post_form(client, "/visits/new", visit_form(client, photos=[bomb]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“huge.png”的像素太多，无法处理。" in page
    assert count(app, Photo) == photos_before


def test_a_save_succeeds_while_another_request_is_decoding(app, monkeypatch):
    """The decoding request holds no database lock: another deputy's save goes through."""
    decoding, release = threading.Event(), threading.Event()
    load = photos._load

    def slow_load(im):
        if im.format == "PNG":
            decoding.set()
            assert release.wait(30)
        return load(im)

    monkeypatch.setattr(photos, "_load", slow_load)
    slow_client, other_client = signed_in(app), signed_in(app)
    slow_form = visit_form(slow_client, photos=[png()], summary="慢的那一次")
    other_form = visit_form(other_client, **{"problems-0-photos": [jpeg()]})
    outcome = {}

    def slow_save():
        outcome["slow"] = post_form(slow_client, "/visits/new", slow_form).status_code

    thread = threading.Thread(target=slow_save)
    thread.start()
    try:
        assert decoding.wait(30)
        response = post_form(other_client, "/visits/new", other_form)
        assert response.status_code == 302  # saved while the PNG was still being decoded
    finally:
        release.set()
        thread.join(30)
    assert outcome["slow"] == 302
    with app.app_context():
        summaries = set(db.session.scalars(select(Visit.summary)))
        assert {"慢的那一次", "主体厂房已封顶，设备正在进场。"} <= summaries


def heic_rotated() -> bytes:
    """A landscape HEIC (left quarter blue) that an iPhone held upright would tag orientation 6."""
    image = Image.new("RGB", (400, 200), (220, 30, 30))
    image.paste((30, 30, 220), (0, 0, 100, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_heic_photo_is_stored_upright_as_jpeg(app, client, login):
    login("demo-deputy")
    upload = (io.BytesIO(heic_rotated()), "IMG_0001.HEIC")
    response = post_form(client, "/visits/new", visit_form(client, photos=[upload]))
    assert response.status_code == 302
    with app.app_context():
        photo = db.session.scalar(select(Photo).order_by(Photo.id.desc()))
        assert photo.original_name == "IMG_0001.HEIC"
        image_path, _thumb = photo_paths(Path(app.config["PHOTO_ROOT"]), photo.storage_key)
    stored = Image.open(image_path)
    assert stored.format == "JPEG" and stored.size == (200, 400)  # turned upright
    red, _green, blue = stored.convert("RGB").getpixel((100, 20))
    assert blue > 150 and red < 100  # the blue side is at the top


def test_gif_is_refused_with_the_accepted_formats(app, client, login):
    login("demo-deputy")
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "GIF")
    out.seek(0)
    response = post_form(client, "/visits/new", visit_form(client, photos=[(out, "dance.gif")]))
    page = response.get_data(as_text=True)
    expected = "“dance.gif”是 GIF 动图，不能作为照片保存：只接受 JPEG、PNG、WebP、HEIC 格式的照片。"
    assert expected in page


def test_request_budget_of_files_refuses_the_rest_and_keeps_the_first(app, client, login):
    app.config["PHOTO_REQUEST_MAX_FILES"] = 2
    login("demo-deputy")
    uploads = [jpeg(f"p{i}.jpg", color=(10 * i, 90, 60)) for i in range(3)]
    response = post_form(client, "/visits/new", visit_form(client, photos=uploads))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“p2.jpg”没有处理：一次提交的照片太多或太大（最多 2 张）。" in page
    kept = hidden_fields(page)["photo_ids"].split(",")
    assert len(kept) == 2  # the first two are stored and shown, not asked for again


def test_request_budget_of_pixels_counts_what_is_decoded(app, client, login):
    app.config["PHOTO_REQUEST_MAX_PIXELS"] = 1_000_000
    login("demo-deputy")
    uploads = [png((1000, 700)), png((1000, 700))]  # 0.7 MP each: the second is over budget
    uploads[1] = (uploads[1][0], "second.png")
    response = post_form(client, "/visits/new", visit_form(client, photos=uploads))
    page = response.get_data(as_text=True)
    assert "“second.png”没有处理" in page and "“screen.png”" not in page


def test_decode_budget_charges_a_jpeg_at_its_draft_size():
    budget = photos.DecodeBudget(files=5, pixels=4_000_000)
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), "gray").save(out, "JPEG")
    photos.process_photo(out.getvalue(), budget=budget)  # 12 MP declared, 3 MP decoded
    assert budget.files == 4 and budget.pixels == 4_000_000 - 2000 * 1500


def test_per_format_pixel_budget():
    settings = photos.PhotoSettings()
    with pytest.raises(photos.PhotoError) as caught:
        photos.process_photo(png_declaring(6000, 4500), settings)  # 27 MP: too much for a PNG
    assert caught.value.code == "too_many_pixels"
    out = io.BytesIO()
    Image.new("RGB", (6000, 4500), "gray").save(out, "JPEG", quality=50)
    assert photos.process_photo(out.getvalue(), settings).source_format == "JPEG"


@SQLITE_WRITE_LOCK
def test_write_waiting_past_the_busy_timeout_is_retried(app, client, login, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    login("demo-deputy")
    data = visit_form(client, photos=[jpeg()])
    blocker = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    blocker.isolation_level = None
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    waits = []

    def release_lock_then_wait(seconds):
        waits.append(seconds)
        blocker.execute("COMMIT")

    monkeypatch.setattr(database.time, "sleep", release_lock_then_wait)
    visits, photos_before = count(app, Visit), count(app, Photo)
    response = post_form(client, "/visits/new", data)
    blocker.close()
    assert response.status_code == 302 and len(waits) == 1
    assert count(app, Visit) == visits + 1 and count(app, Photo) == photos_before + 1
    with app.app_context():
        photo = db.session.scalar(select(Photo).order_by(Photo.id.desc()))
        image, thumb = photo_paths(Path(app.config["PHOTO_ROOT"]), photo.storage_key)
        assert image.exists() and thumb.exists()
    assert not [f for f in photo_files(app) if "/." in f]  # nothing staged is left


@SQLITE_WRITE_LOCK
def test_write_still_locked_after_the_retries_says_so_in_chinese(app, client, login, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(database.time, "sleep", lambda _seconds: None)
    login("demo-deputy")
    data = visit_form(client, photos=[jpeg()])
    files_before = photo_files(app)
    blocker = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    blocker.isolation_level = None
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = post_form(client, "/visits/new", data)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert "这次没有保存成功" in response.get_data(as_text=True)
    assert photo_files(app) == files_before  # the staged photo went away with the request


KILLED_SAVE = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from flask import request
    from flask_sqlalchemy.session import Session
    from support import csrf_token
    from test_visits import jpeg, post_form, visit_form
    from inspect_app import create_app

    commit = Session.commit

    def commit_or_die(self):
        if request and request.path == "/visits/new" and request.method == "POST":
            self.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # rows written, not committed: the worker dies
        return commit(self)

    Session.commit = commit_or_die
    app = create_app({config!r})
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={{"login": "demo-deputy", "password": "inspect-demo",
                                 "csrf_token": token}})
    post_form(client, "/visits/new", visit_form(client, photos=[jpeg()]))
    """
)


def test_a_worker_killed_during_a_save_leaves_no_file_without_a_row(app):
    files_before, photos_before = photo_files(app), count(app, Photo)
    config = {k: app.config[k] for k in ("INSTANCE_PATH", "SECRET_KEY", "PHOTO_ROOT")}
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    config.update(TESTING=True, INSTANCE_PATH=app.instance_path)
    script = KILLED_SAVE.format(tests=str(Path(__file__).parent), config=config)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert count(app, Photo) == photos_before
    assert photo_files(app) == files_before  # no photo, thumbnail or staging file left over
    assert os.path.isdir(app.config["PHOTO_ROOT"])


def _small_photo() -> photos.ProcessedPhoto:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), "gray").save(out, "JPEG")
    return photos.process_photo(out.getvalue())


def test_a_staged_photo_has_no_name_until_published(tmp_path):
    processed = _small_photo()
    staged = photos.stage_photo(processed, tmp_path, "ab0001")
    image, thumb = photo_paths(tmp_path, "ab0001")
    assert list(image.parent.iterdir()) == []  # nothing to find, nothing left if we die now
    staged.publish()
    assert image.read_bytes() == processed.image and thumb.read_bytes() == processed.thumbnail
    photos.stage_photo(processed, tmp_path, "ab0002").discard()
    assert sorted(p.name for p in image.parent.iterdir()) == ["ab0001.jpg", "ab0001.thumb.jpg"]


def test_without_o_tmpfile_a_staged_photo_waits_under_a_cleanup_name(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE")
    processed = _small_photo()
    staged = photos.stage_photo(processed, tmp_path, "ab0001")
    image, _thumb = photo_paths(tmp_path, "ab0001")
    waiting = [p.name for p in image.parent.iterdir()]
    assert len(waiting) == 2 and all(n.startswith(".tmp-") for n in waiting)  # flask cleanup's
    staged.publish()
    assert sorted(p.name for p in image.parent.iterdir()) == ["ab0001.jpg", "ab0001.thumb.jpg"]
    photos.stage_photo(processed, tmp_path, "ab0002").discard()
    assert sorted(p.name for p in image.parent.iterdir()) == ["ab0001.jpg", "ab0001.thumb.jpg"]
