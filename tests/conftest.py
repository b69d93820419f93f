"""Fixtures: one app for the session, on a working copy of the demo put back before each test.

The demo database is migrated and seeded once per session (SQLite by default;
INSPECT_TEST_DATABASE_URL=postgresql+psycopg://… runs on PostgreSQL, see tests/instances.py).
Building an app costs about a second (every URL rule compiled), so `app` is the same app in
every test: before each test that asks for it, its database and photo folder are put back to
the demo, its settings to those it was built with, and the process's caches and its task
queue emptied. A test that needs other settings at start-up, or adds routes or hooks, builds
its own with make_app(**settings). The demo users' passwords carry a cheap hash here (tests
only: the app and `flask seed-demo` keep the default), so a login costs no scrypt.

New rows for a test come from the factories in tests/factories.py (make_problem, make_visit,
make_user, …) rather than from counting the demo.
"""

import copy
import gc
import shutil
import warnings
from pathlib import Path

import instances
import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text, update
from support import TEST_PASSWORD_METHOD, csrf_token
from werkzeug.security import generate_password_hash

from inspect_app import create_app
from inspect_app.database import writing
from inspect_app.demo.seed import DEMO_PASSWORD, seed_demo
from inspect_app.extensions import db, queue
from inspect_app.models import Department, Group, Problem, User, Visit

pytest_plugins = ("factories",)


def _config(folder: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PHOTO_ROOT": str(folder / "photos"),
    }


def _demo_ids() -> dict:
    """Ids of demo records that tests refer to by meaning."""
    dongcheng = db.session.scalar(select(Group).where(Group.town == "东城街道"))
    other = db.session.scalar(select(Group).where(Group.town == "虎门镇"))
    housing = db.session.scalar(select(Department).where(Department.name == "市住房和城乡建设局"))
    users = {u.username: u.id for u in db.session.scalars(select(User))}
    own_visit = db.session.scalar(
        select(Visit)
        .where(Visit.group_id == dongcheng.id, Visit.status == "submitted")
        .order_by(Visit.id)
    )
    other_visit = db.session.scalar(
        select(Visit).where(Visit.group_id == other.id).order_by(Visit.id)
    )
    assigned = db.session.scalar(
        select(Problem).where(Problem.lead_department_id == housing.id).order_by(Problem.id)
    )
    unassigned = db.session.scalar(
        select(Problem)
        .where(Problem.group_id != dongcheng.id, Problem.lead_department_id != housing.id)
        .order_by(Problem.id)
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
            cheap = generate_password_hash(DEMO_PASSWORD, method=TEST_PASSWORD_METHOD)
            db.session.execute(update(User).values(password_hash=cheap))
            db.session.commit()
        (folder / "ids").write_text(repr(_demo_ids()))
        db.session.rollback()  # end the read before the checkpoint
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    yield folder
    instances.drop_working_database()
    instances.drop(url)


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Workspace:
    """The session's working database, photo and instance folders, and the app built on them."""

    def __init__(self, demo_folder: Path, folder: Path):
        self.demo_folder, self.folder = demo_folder, folder
        self.url = ""
        self.app = None
        self.settings: dict = {}

    def reset(self) -> str:
        """Put the database and the files back to the demo (no connection left open)."""
        if self.app is not None:
            _dispose(self.app)
        if instances.ON_POSTGRES:  # a psycopg connection an earlier test dropped unclosed
            with warnings.catch_warnings():  # is collected here, not inside a later test
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()
        self.url = instances.working_copy(self.demo_folder, self.folder)
        shutil.rmtree(self.folder / "photos", ignore_errors=True)
        shutil.copytree(self.demo_folder / "photos", self.folder / "photos")
        instance = self.folder / "instance"
        instance.mkdir(exist_ok=True)
        for path in instance.iterdir():  # replies, export files; the queue is emptied below
            if not path.name.startswith("queue.sqlite"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        return self.url

    def shared_app(self):
        """The session's app, as it was built: settings, caches and queue put back."""
        if self.app is None:
            self.app = create_app(_config(self.folder, self.url))
            self.settings = copy.deepcopy(dict(self.app.config))
        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.settings))
        app.extensions.pop("inspect.redis_counters", None)
        from inspect_app.dashboard.services import forget_figures

        forget_figures()
        if queue.flask_app is not app:  # an app made by a test took the queue
            queue.init_app(app)
        queue.storage.flush_all()
        return app


@pytest.fixture(scope="session")
def workspace(demo_folder, tmp_path_factory) -> Workspace:
    made = Workspace(demo_folder, tmp_path_factory.mktemp("work"))
    yield made
    if made.app is not None:
        _dispose(made.app)


class _TestApps:
    """The apps of one test: the first one takes the working copy, any other one a copy."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.claimed = False

    def claim(self) -> bool:
        """Put the working copy back to the demo for this test, unless already taken."""
        if self.claimed:
            return False
        self.claimed = True
        self.workspace.reset()
        return True


@pytest.fixture
def _apps(workspace) -> _TestApps:
    return _TestApps(workspace)


@pytest.fixture
def make_app(_apps, workspace, demo_folder, tmp_path):
    """make_app(**settings): an app built for the test, on a fresh copy of the demo data.

    The test's first database is the working copy (put back to the demo); a second app
    gets a database and photo folder of its own. make_app(beside=app, **settings): a second
    app server on that app's database. Every app made here is disposed of when the test ends
    (no connection left open).
    """
    made = []

    def make(beside=None, **settings):
        if beside is not None:
            app = create_app({**beside.config, **settings})
            made.append((app, None))
            return app
        if _apps.claim():
            config = _config(workspace.folder, workspace.url)
            config["INSTANCE_PATH"] = str(tmp_path / "instance")
            app = create_app({**config, **settings})
            made.append((app, None))
            return app
        folder = tmp_path / f"app{len(made)}"
        folder.mkdir()
        url = instances.copy_of_demo(demo_folder, folder)
        shutil.copytree(demo_folder / "photos", folder / "photos")
        app = create_app({**_config(folder, url), **settings})
        made.append((app, url))
        return app

    yield make
    for app, _url in made:
        _dispose(app)
    for _app, url in made:
        if url is not None:
            instances.drop(url)


@pytest.fixture
def app(_apps, workspace, make_app):
    """The session's app on the demo data, as fresh as a new one."""
    if not _apps.claim():  # a fixture's make_app() took the working copy: one of its own
        yield make_app()
        return
    app = workspace.shared_app()
    yield app
    _dispose(app)


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
def demo(app, demo_folder):
    """Ids of demo records that tests refer to by meaning (the same in every copy)."""
    import ast

    return ast.literal_eval((demo_folder / "ids").read_text())
