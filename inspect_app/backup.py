"""Backups: the database and the photo files in one tar archive with a SHA-256 manifest.

The database is copied first, online and consistent (SQLite's backup API; pg_dump's snapshot
for PostgreSQL), then the photo files. A photo's files are written before its row commits, so
every photo row in the copy has its files in the archive. Restoring checks every hash before
it touches anything, and only restores into an empty database.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import inspect as inspect_schema
from sqlalchemy.engine import URL, Engine, make_url

FORMAT = "inspect-backup"
VERSION = 1
MANIFEST = "manifest.json"
PHOTOS = "photos"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class BackupSummary:
    archive: Path
    database_bytes: int
    photo_files: int
    photo_bytes: int


def back_up(engine: Engine, photo_root: Path, out: Path, pg_bin_dir: str | None = None):
    """Write the archive `out` (via a temporary file renamed at the end)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="inspect-backup-") as work:
        dump = Path(work) / ("database.sqlite" if _is_sqlite(engine) else "database.pgdump")
        if _is_sqlite(engine):
            _copy_sqlite(engine.url, dump)
        else:
            _pg_dump(engine.url, dump, pg_bin_dir)
        partial = out.with_name(f".{out.name}.partial")
        files = {}
        with tarfile.open(partial, "w") as archive:
            files[dump.name] = _add(archive, dump, dump.name)
            photo_bytes = 0
            for path in _photo_files(Path(photo_root)):
                name = f"{PHOTOS}/{path.relative_to(photo_root).as_posix()}"
                files[name] = _add(archive, path, name)
                photo_bytes += files[name]["size"]
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {"dialect": engine.dialect.name, "file": dump.name},
                "files": files,
            }
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, out)
    return BackupSummary(out, files[dump.name]["size"], len(files) - 1, photo_bytes)


def restore(archive_path: Path, engine: Engine, photo_root: Path, pg_bin_dir: str | None = None):
    """Check the archive whole, then load it into an empty database and the photo folder."""
    manifest = verify(archive_path)
    if inspect_schema(engine).get_table_names():
        raise BackupError(
            "the target database is not empty: restore only into a new, empty database"
        )
    dialect = manifest["database"]["dialect"]
    if dialect != engine.dialect.name:
        raise BackupError(
            f"the archive holds a {dialect} database, the target is {engine.dialect.name}"
        )
    photo_root = Path(photo_root)
    with (
        tempfile.TemporaryDirectory(prefix="inspect-restore-") as work,
        tarfile.open(archive_path) as archive,
    ):
        dump = Path(work) / manifest["database"]["file"]
        _extract(archive, manifest, manifest["database"]["file"], dump)
        engine.dispose()
        if dialect == "sqlite":
            _restore_sqlite(dump, engine.url)
        else:
            _pg_restore(dump, engine.url, pg_bin_dir)
        count = 0
        for name in manifest["files"]:
            if name.startswith(f"{PHOTOS}/"):
                target = photo_root / PurePosixPath(name).relative_to(PHOTOS)
                target.parent.mkdir(parents=True, exist_ok=True)
                _extract(archive, manifest, name, target)
                count += 1
    return count


def verify(archive_path: Path) -> dict:
    """The manifest of an intact archive; BackupError naming the first damage found."""
    try:
        with tarfile.open(archive_path) as archive:
            members = {member.name: member for member in archive.getmembers()}
            if MANIFEST not in members:
                raise BackupError("not an Inspect backup: the archive has no manifest.json")
            manifest = json.loads(archive.extractfile(members[MANIFEST]).read())
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise BackupError("not an Inspect backup of a format this version can read")
            files = manifest["files"]
            extra = set(members) - set(files) - {MANIFEST}
            if extra:
                raise BackupError(f"the archive holds files its manifest does not list: {extra}")
            for name, expected in files.items():
                _check_name(name)
                member = members.get(name)
                if member is None or not member.isfile():
                    raise BackupError(f"the archive is damaged: {name} is missing")
                digest, size = _hash(archive.extractfile(member))
                if digest != expected["sha256"] or size != expected["size"]:
                    raise BackupError(f"the archive is damaged: {name} does not match its SHA-256")
            if manifest["database"]["file"] not in files:
                raise BackupError("the archive is damaged: the database copy is missing")
            return manifest
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"the archive is damaged or not a backup ({error})") from error


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _photo_files(root: Path):
    """Photo files under the root, leaving out half-written temporary files."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp-"):
            yield path


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict:
    """Add one file (photos are never rewritten in place, the dump is ours); its hash and size."""
    with path.open("rb") as handle:
        digest, size = _hash(handle)
        handle.seek(0)
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(path.stat().st_mtime)
        info.mode = 0o644
        archive.addfile(info, handle)
    return {"sha256": digest, "size": size}


def _hash(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"the archive is damaged: unsafe file name {name!r}")


def _extract(archive: tarfile.TarFile, manifest: dict, name: str, target: Path) -> None:
    """Write one member to target (temporary file, hash check, rename)."""
    partial = target.with_name(f".tmp-restore-{target.name}")
    digest = hashlib.sha256()
    with archive.extractfile(name) as source, partial.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != manifest["files"][name]["sha256"]:
        partial.unlink()
        raise BackupError(f"the archive is damaged: {name} does not match its SHA-256")
    os.replace(partial, target)


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("only a SQLite database in a file can be backed up or restored")
    return url.database


def _copy_sqlite(url: URL, target: Path) -> None:
    """A consistent copy while the app keeps writing (the online backup API, in one step)."""
    source = sqlite3.connect(_sqlite_path(url), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _restore_sqlite(dump: Path, url: URL) -> None:
    source = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_path(url), timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_tool(name: str, pg_bin_dir: str | None) -> str:
    """pg_dump or pg_restore: PG_BIN_DIR, else PATH, else the newest Debian install."""
    candidates = [Path(pg_bin_dir) / name] if pg_bin_dir else []
    found = shutil.which(name)
    candidates += [Path(found)] if found else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    candidates += list(reversed(versions))
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    raise BackupError(f"{name} not found: install postgresql-client or set PG_BIN_DIR")


def _pg_arguments(url: URL) -> tuple[list[str], dict]:
    """libpq connection arguments for a SQLAlchemy URL; the password goes in the environment."""
    url = make_url(url)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    arguments = ["--dbname", url.database or ""]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            arguments += [flag, str(value)]
    return arguments, environment


def _run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(url: URL, target: Path, pg_bin_dir: str | None) -> None:
    arguments, environment = _pg_arguments(url)
    tool = _pg_tool("pg_dump", pg_bin_dir)
    _run([tool, "--format=custom", "--no-owner", "--file", str(target), *arguments], environment)


def _pg_restore(dump: Path, url: URL, pg_bin_dir: str | None) -> None:
    arguments, environment = _pg_arguments(url)
    tool = _pg_tool("pg_restore", pg_bin_dir)
    command = [tool, "--no-owner", "--no-privileges", "--exit-on-error", *arguments, str(dump)]
    _run(command, environment)
