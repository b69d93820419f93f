"""Test databases: a demo database built once per session, and copies of it for the tests.

SQLite by default (the file is copied). With INSPECT_TEST_DATABASE_URL set to a PostgreSQL
URL (a role that may create databases), the demo is built in a template database. The
session's working database (`working_copy`) is put back to the demo before each test that
uses it: on SQLite the demo file copied over it, on PostgreSQL TRUNCATE, then COPY of the rows
kept in memory (much faster than CREATE DATABASE; if a test migrated it, a new copy of the
template). Any further app or empty database is created for the test and dropped when it
ends. Names carry the process id, so pytest-xdist workers never share a database.
"""

import itertools
import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

TEST_DATABASE_URL = os.environ.get("INSPECT_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
_names = itertools.count(1)


def demo_url(folder: Path) -> str:
    """Where the session's demo database is built."""
    if ON_POSTGRES:
        return _create(f"inspect_demo_{os.getpid()}")
    return f"sqlite:///{folder / 'inspect.sqlite'}"


def copy_of_demo(demo_folder: Path, folder: Path) -> str:
    """A new database holding the demo data, beside the working copy; its URL."""
    if ON_POSTGRES:
        return _create(f"inspect_t{os.getpid()}_{next(_names)}", template=demo_url_name())
    shutil.copy(demo_folder / "inspect.sqlite", folder / "inspect.sqlite")
    return f"sqlite:///{folder / 'inspect.sqlite'}"


def working_copy(demo_folder: Path, folder: Path) -> str:
    """The session's working database put back to the demo data; its URL (always the same).

    No connection to it may be open (SQLite: its write-ahead log goes with the old file).
    """
    if ON_POSTGRES:
        return _working.reset()
    target = folder / "inspect.sqlite"
    for leftover in ("-wal", "-shm", "-journal"):
        Path(f"{target}{leftover}").unlink(missing_ok=True)
    shutil.copyfile(demo_folder / "inspect.sqlite", target)
    return f"sqlite:///{target}"


def empty_database(folder: Path) -> str:
    """A new empty database; its URL."""
    if ON_POSTGRES:
        return _create(f"inspect_t{os.getpid()}_{next(_names)}")
    return f"sqlite:///{folder / 'empty.sqlite'}"


def demo_url_name() -> str:
    return f"inspect_demo_{os.getpid()}"


def drop(url: str) -> None:
    """Remove a database made by this module (SQLite files go with tmp_path)."""
    if url == _working.url:
        return  # reset before the next test, dropped at the end of the session
    if url.startswith("postgresql"):
        with _admin() as connection:
            name = make_url(url).database
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _create(name: str, template: str | None = None) -> str:
    with _admin() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


class _admin:
    """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""

    def __enter__(self):
        self.engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *_exc):
        self.connection.close()
        self.engine.dispose()


# The shape of the public schema: tables, columns, indexes and the Alembic revision.
SCHEMA = text(
    "SELECT md5(coalesce((SELECT string_agg(table_name || '.' || column_name || ' ' || data_type"
    "  || ' ' || is_nullable, ',' ORDER BY table_name, column_name)"
    "  FROM information_schema.columns WHERE table_schema = 'public'), '')"
    " || coalesce((SELECT string_agg(indexdef, ',' ORDER BY indexdef)"
    "  FROM pg_indexes WHERE schemaname = 'public'), '')"
    " || coalesce((SELECT string_agg(version_num, ',') FROM alembic_version), ''))"
)


class _WorkingDatabase:
    """One PostgreSQL database per session, put back to the demo rows for each test."""

    def __init__(self):
        self.url = None
        self.tables: list[str] = []
        self.rows: dict[str, bytes] = {}
        self.sequences: dict[str, int] = {}
        self.schema = ""

    def reset(self) -> str:
        if self.url is None:
            self._capture()
            self.url = _create(f"inspect_w{os.getpid()}", template=demo_url_name())
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'"  # not autovacuum: not ours to end
                    )
                )
                changed = self._schema(connection) != self.schema  # a test migrated it
                if not changed:
                    self._restore_rows(connection.connection.driver_connection)
        finally:
            engine.dispose()
        if changed:  # rows alone cannot put the schema back: a new copy of the template
            _create(make_url(self.url).database, template=demo_url_name())
        return self.url

    def _restore_rows(self, raw) -> None:
        with raw.cursor() as cursor:
            names = ", ".join(f'"{name}"' for name in self.tables)
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            for name in self.tables:
                if self.rows[name]:
                    with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT binary)') as copy:
                        copy.write(self.rows[name])
            for sequence, value in self.sequences.items():
                cursor.execute("SELECT setval(%s, %s)", (sequence, value))

    @staticmethod
    def _schema(connection) -> str:
        try:
            return connection.execute(SCHEMA).scalar()
        except ProgrammingError:  # alembic_version itself is gone
            return ""

    def drop(self) -> None:
        if self.url is not None:
            url, self.url = self.url, None
            drop(url)

    def _capture(self) -> None:
        """The demo template's rows (binary COPY) and sequence positions, in FK order."""
        from sqlalchemy import MetaData

        engine = create_engine(make_url(TEST_DATABASE_URL).set(database=demo_url_name()))
        try:
            tables = MetaData()
            tables.reflect(bind=engine)
            self.tables = [t.name for t in tables.sorted_tables if t.name != "alembic_version"]
            with engine.connect() as connection:
                self.schema = self._schema(connection)
                raw = connection.connection.driver_connection
                with raw.cursor() as cursor:
                    for name in self.tables:
                        data = bytearray()
                        with cursor.copy(f'COPY "{name}" TO STDOUT (FORMAT binary)') as copy:
                            for chunk in copy:
                                data += chunk
                        self.rows[name] = bytes(data) if self._has_rows(cursor, name) else b""
                    cursor.execute(
                        "SELECT schemaname || '.' || sequencename, last_value "
                        "FROM pg_sequences WHERE last_value IS NOT NULL"
                    )
                    self.sequences = dict(cursor.fetchall())
                raw.rollback()
        finally:
            engine.dispose()

    @staticmethod
    def _has_rows(cursor, name: str) -> bool:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')
        return cursor.fetchone()[0]


_working = _WorkingDatabase()


def drop_working_database() -> None:
    _working.drop()
