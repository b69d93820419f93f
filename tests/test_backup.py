"""flask data backup under writes, flask data restore into an empty instance, damaged archives
refused."""

import io
import tarfile
import threading
import uuid
from datetime import date
from pathlib import Path

import instances
from PIL import Image
from sqlalchemy import MetaData, create_engine, select
from werkzeug.datastructures import FileStorage

from inspect_app import create_app
from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import Group, Photo, User, Visit
from inspect_app.photo_files.services import save_upload
from inspect_app.photos import photo_paths
from inspect_app.visits.services import ProblemInput, VisitInput, create_visit


def _jpeg(shade: int) -> FileStorage:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (shade % 256, 90, 60)).save(out, "JPEG")
    out.seek(0)
    return FileStorage(out, filename=f"site-{shade}.jpg")


class Writer(threading.Thread):
    """Saves visits with a photo and a problem, one after another, until stopped."""

    def __init__(self, app, user_id: int, group_id: int):
        super().__init__(daemon=True)
        self.app, self.user_id, self.group_id = app, user_id, group_id
        self.saved, self.errors = 0, []
        self.stop, self.progress = threading.Event(), threading.Condition()

    def run(self):
        with self.app.app_context():
            project_id = db.session.get(Group, self.group_id).projects[0].id
            while not self.stop.is_set():
                try:
                    self._save(project_id)
                except Exception as error:  # noqa: BLE001 - the test reports every failure
                    db.session.rollback()
                    self.errors.append(repr(error))
                    return
                with self.progress:
                    self.saved += 1
                    self.progress.notify_all()
            db.session.remove()

    def _save(self, project_id: int):
        with writing():
            user = db.session.get(User, self.user_id)
            photo = save_upload(user, _jpeg(self.saved))
            create_visit(
                user,
                VisitInput(
                    client_uuid=str(uuid.uuid4()),
                    group_id=self.group_id,
                    project_id=project_id,
                    visited_on=date(2025, 7, 21),
                    summary=f"备份期间写入 {self.saved}",
                    attendee_ids=[self.user_id],
                    photos=[photo],
                    problems=[ProblemInput(client_uuid="", category="其他", description="问题")],
                ),
            )
            db.session.commit()

    def wait_for(self, count: int):
        with self.progress:
            self.progress.wait_for(lambda: self.saved >= count or self.errors, timeout=120)
        assert not self.errors, self.errors


def _empty_instance(tmp_path: Path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    url = instances.empty_database(folder)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "PHOTO_ROOT": str(folder / "photos"),
            "SECRET_KEY": "restore",
        }
    )
    return app, url


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(bind=engine)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(select(table).order_by(*table.primary_key))
                ]
                for table in tables.sorted_tables
            }
    finally:
        engine.dispose()


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def _with_dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_taken_while_writing_restores_every_row_and_file(app, demo, tmp_path):
    writer = Writer(app, demo["users"]["demo-deputy"], demo["group"])
    writer.start()
    try:
        writer.wait_for(3)
        archive = tmp_path / "backup.tar"
        result = app.test_cli_runner().invoke(args=["data", "backup", str(archive)])
        assert result.exit_code == 0, result.output
        saved_at_backup = writer.saved
        writer.wait_for(saved_at_backup + 2)  # writes go on after the backup too
    finally:
        writer.stop.set()
        writer.join()
    assert writer.errors == []

    target, target_url = _empty_instance(tmp_path, "restored")
    try:
        result = target.test_cli_runner().invoke(args=["data", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        _with_dispose(target)
        source, restored = _rows(app.config["SQLALCHEMY_DATABASE_URI"]), _rows(target_url)
        assert set(restored) == set(source)
        columns = MetaData()
        reflecting = create_engine(target_url)
        columns.reflect(bind=reflecting)
        reflecting.dispose()
        for name, rows in restored.items():
            table = columns.tables[name]
            if "id" in table.c:  # a consistent moment: exactly the rows up to the last one copied
                last = max((row[list(table.c.keys()).index("id")] for row in rows), default=0)
                index = list(table.c.keys()).index("id")
                assert rows == [row for row in source[name] if row[index] <= last], name
            else:
                assert set(rows) <= set(source[name]), name
        visits = len(restored["visit"])
        assert len(source["visit"]) > visits  # the source went on writing
        with target.app_context():
            assert db.session.scalar(select(Visit).where(Visit.summary.like("备份期间写入%")))
            photos = db.session.scalars(select(Photo)).all()
        _with_dispose(target)
        restored_files = _files(Path(target.config["PHOTO_ROOT"]))
        source_files = _files(Path(app.config["PHOTO_ROOT"]))
        assert all(source_files[name] == data for name, data in restored_files.items())
        root = Path(target.config["PHOTO_ROOT"])
        for photo in photos:  # every photo row has its picture and thumbnail
            for path in photo_paths(root, photo.storage_key):
                assert path.relative_to(root).as_posix() in restored_files
    finally:
        instances.drop(target_url)


def _damage(archive: Path, member_prefix: str) -> None:
    """Flip one byte inside the first member whose name starts with member_prefix."""
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith(member_prefix))
    with archive.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, io.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_restore_refuses_a_damaged_archive_and_a_database_with_data(app, tmp_path):
    archive = tmp_path / "backup.tar"
    assert app.test_cli_runner().invoke(args=["data", "backup", str(archive)]).exit_code == 0
    target, target_url = _empty_instance(tmp_path, "target")
    try:
        check = target.test_cli_runner().invoke(args=["data", "restore", "--check", str(archive)])
        assert check.exit_code == 0 and "intact" in check.output

        damaged = tmp_path / "damaged.tar"
        damaged.write_bytes(archive.read_bytes())
        _damage(damaged, "photos/")
        result = target.test_cli_runner().invoke(args=["data", "restore", str(damaged)])
        assert result.exit_code != 0 and "damaged" in result.output
        assert "does not match its SHA-256" in result.output

        truncated = tmp_path / "truncated.tar"
        truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 3])
        result = target.test_cli_runner().invoke(args=["data", "restore", str(truncated)])
        assert result.exit_code != 0 and "damaged" in result.output

        _with_dispose(target)
        assert _rows(target_url) == {}  # nothing was restored from a bad archive
        assert not Path(target.config["PHOTO_ROOT"]).exists()

        result = app.test_cli_runner().invoke(args=["data", "restore", str(archive)])
        assert result.exit_code != 0 and "not empty" in result.output
    finally:
        instances.drop(target_url)
