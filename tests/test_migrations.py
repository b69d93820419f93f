"""The Alembic migrations create exactly the schema the models describe, and carry data."""

from pathlib import Path

import instances
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, func, insert, select, text

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import Base


def test_migrations_match_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.skipif(instances.ON_POSTGRES, reason="SQLite settings; this run is on PostgreSQL")
def test_sqlite_runs_in_wal_with_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_tuning_stays_on_the_apps_own_engine(app, tmp_path):
    """Another engine in the same process (a script, a test) keeps SQLite's defaults."""
    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    other.dispose()


def _revisions(app) -> list[str]:
    """Revision ids from the first migration to head."""
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_migration_files_sort_in_the_order_they_apply(app):
    """Listing migrations/versions by name reads them in apply order, numbered 0001, 0002, …"""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    in_order = [Path(rev.path).name for rev in reversed(list(script.walk_revisions()))]
    assert in_order == sorted(in_order)
    assert [name[:5] for name in in_order] == [f"{n:04d}_" for n in range(1, len(in_order) + 1)]


def _copy_demo_rows(source, target) -> dict[str, int]:
    """Copy the demo rows into the older schema (its columns only); rows per table."""
    source_tables = MetaData()
    source_tables.reflect(bind=source)
    target_tables = MetaData()
    target_tables.reflect(bind=target)
    counts = {}
    with source.connect() as reading, target.begin() as writing:
        for table in target_tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            columns = [c.name for c in table.columns]
            old = source_tables.tables[table.name]
            rows = [dict(r._mapping) for r in reading.execute(select(*(old.c[c] for c in columns)))]
            if rows:
                writing.execute(insert(table), rows)
            counts[table.name] = len(rows)
            if target.dialect.name == "postgresql" and "id" in columns and rows:
                writing.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), :n)"),
                    {"n": max(row["id"] for row in rows)},
                )
    return counts


def _row_counts(engine, names) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(bind=engine, only=list(names))
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(tables.tables[name]))
            for name in names
        }


def test_a_populated_database_upgrades_from_the_first_migration_and_steps_down(app, tmp_path):
    folder = tmp_path / "chain"
    folder.mkdir()
    url = instances.empty_database(folder)
    chain = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(folder / "instance")})
    try:
        with chain.app_context():
            revisions = _revisions(chain)
            upgrade(revision=revisions[0])
            chain_engine = db.engine
            with app.app_context():
                counts = _copy_demo_rows(db.engine, chain_engine)
            assert counts["user"] > 400 and counts["problem"] > 50  # really populated
            upgrade()
            assert _row_counts(chain_engine, counts) == counts
            downgrade(revision="-1")
            if len(revisions) > 1:  # a step down keeps the data the previous step knew
                assert _row_counts(chain_engine, counts) == counts
            upgrade()
            if len(revisions) > 1:
                assert _row_counts(chain_engine, counts) == counts
            with chain_engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"render_as_batch": True})
                assert compare_metadata(context, Base.metadata) == []
                assert context.get_current_revision() == revisions[-1]
            db.session.remove()
            chain_engine.dispose()
    finally:
        instances.drop(url)
