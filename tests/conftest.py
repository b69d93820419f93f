"""Fixtures: a migrated demo database built once, copied fresh for every test.

SQLite by default; INSPECT_TEST_DATABASE_URL=postgresql+psycopg://… runs on PostgreSQL
(see tests/instances.py).
"""

import shutil
from pathlib import Path

import instances
import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from support import csrf_token

from inspect_app import create_app
from inspect_app.database import writing
from inspect_app.demo.seed import DEMO_PASSWORD, seed_demo
from inspect_app.extensions import db
from inspect_app.models import Department, Group, Problem, User, Visit


def _config(folder: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PHOTO_ROOT": str(folder / "photos"),
    }


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    """A database migrated by Alembic and loaded with the demo data, once per session."""
    folder = tmp_path_factory.mktemp("demo")
    url = instances.demo_url(folder)
    app = create_app(_config(folder, url))
    with app.app_context():
        upgrade()
        with writing():
            seed_demo(app.config["PHOTO_ROOT"])
            db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    yield folder
    instances.drop_working_database()
    instances.drop(url)


@pytest.fixture
def make_app(demo_folder, tmp_path):
    """make_app(**settings): an app on its own copy of the demo database and photos.

    make_app(beside=app, **settings): a second app server on that app's database.
    Every app made here is disposed of when the test ends (no connection left open).
    """
    made = []

    def make(beside=None, **settings):
        if beside is not None:
            app = create_app({**beside.config, **settings})
            made.append((app, None))
            return app
        folder = tmp_path if not made else tmp_path / f"app{len(made)}"
        folder.mkdir(exist_ok=True)
        url = instances.copy_of_demo(demo_folder, folder, reuse=not made)
        shutil.copytree(demo_folder / "photos", folder / "photos")
        app = create_app({**_config(folder, url), **settings})
        made.append((app, url))
        return app

    yield make
    for app, _url in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    for _app, url in made:
        if url is not None:
            instances.drop(url)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login(username) signs the test client in with the demo password."""

    def sign_in(username: str, password: str = DEMO_PASSWORD):
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"login": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, f"login failed for {username}"
        return client

    return sign_in


@pytest.fixture
def demo(app):
    """Ids of demo records that tests refer to by meaning."""
    with app.app_context():
        dongcheng = db.session.scalar(select(Group).where(Group.town == "东城街道"))
        other = db.session.scalar(select(Group).where(Group.town == "虎门镇"))
        housing = db.session.scalar(
            select(Department).where(Department.name == "市住房和城乡建设局")
        )
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        own_visit = db.session.scalar(
            select(Visit).where(Visit.group_id == dongcheng.id, Visit.status == "submitted")
        )
        other_visit = db.session.scalar(select(Visit).where(Visit.group_id == other.id))
        assigned = db.session.scalar(
            select(Problem).where(Problem.lead_department_id == housing.id).order_by(Problem.id)
        )
        unassigned = db.session.scalar(
            select(Problem).where(
                Problem.group_id != dongcheng.id, Problem.lead_department_id != housing.id
            )
        )
        return {
            "group": dongcheng.id,
            "other_group": other.id,
            "users": users,
            "own_visit": own_visit.id,
            "other_visit": other_visit.id,
            "own_problem": own_visit.problems[0].id,
            "assigned_problem": assigned.id,
            "unassigned_problem": unassigned.id,
            "housing": housing.id,
        }
