"""Inspect: a mobile-first app for people's-congress inspection work."""

import os
import secrets
from pathlib import Path

from flask import Flask, abort, has_request_context, request, session
from flask_login import current_user

from inspect_app import database
from inspect_app.config import DefaultConfig, from_environment
from inspect_app.extensions import babel, compress, csrf, db, login_manager, migrate, queue

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
INSTALLED = (PACKAGE / "templates").is_dir()  # a built package carries its folders inside


def app_folder(name: str) -> Path:
    """templates/, static/ or migrations/: the checkout's folder, or an installed package's copy."""
    return PACKAGE / name if INSTALLED else ROOT / name


class InspectApp(Flask):
    """Flask, with a write request's view run again when SQLite says "database is locked".

    Overriding dispatch_request is Flask's documented way to change how views are called
    (the "Subclassing Flask" pattern). A write request's view runs inside
    `database.retrying`: its rows are flushed there, so a write that waited past SQLite's
    busy timeout runs the view again from a clean session (uploads stay prepared, files
    rewound, flashed messages as they were) instead of ending in a 500; after
    DB_LOCK_ATTEMPTS it ends in errors.py's 503, in Chinese.
    """

    def dispatch_request(self):
        dispatch = super().dispatch_request
        if not database.write_intent.get():
            return dispatch()
        flashes = list(session.get("_flashes", []))

        def attempt():
            response = self.make_response(dispatch())
            if response.status_code < 400:
                db.session.flush()
            return response

        def undo():
            db.session.rollback()
            if flashes:
                session["_flashes"] = list(flashes)
            else:
                session.pop("_flashes", None)
            for _name, upload in request.files.items(multi=True):
                upload.stream.seek(0)

        return database.retrying(attempt, undo, int(self.config["DB_LOCK_ATTEMPTS"]))


def create_app(config: dict | None = None) -> Flask:
    """Application factory: defaults, then instance/config.py, then the environment.

    `config` (tests) comes last; its INSTANCE_PATH, or $INSPECT_INSTANCE_PATH, moves the
    instance folder (database, photos, secret key) away from ./instance.
    """
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("INSPECT_INSTANCE_PATH")
    app = InspectApp(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(app_folder("templates")),
        static_folder=str(app_folder("static")),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    _fill_instance_defaults(app)
    _secure_cookies(app)
    _refuse_nameless_form_fields(app)  # before CSRFProtect, which fails on them with a 500
    _init_extensions(app)
    _register_request_hooks(app)  # first: a write request's first query must BEGIN IMMEDIATE
    _register_blueprints(app)
    from inspect_app import cli, errors, form_messages, security, templating
    from inspect_app.offline import assets

    assets.register(app)
    security.register(app)
    form_messages.install()
    errors.register(app)
    templating.register(app)
    cli.register(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'inspect.sqlite'}"
    app.config["PHOTO_ROOT"] = str(app.config.get("PHOTO_ROOT") or instance / "photos")
    app.config["EXPORT_DIR"] = str(app.config.get("EXPORT_DIR") or _default_export_dir(instance))
    app.config["JOB_FILES_DIR"] = str(app.config.get("JOB_FILES_DIR") or instance / "exports")
    for key in ("PHOTO_MAX_BYTES", "PHOTO_MAX_PIXELS", "MAX_CONTENT_LENGTH", "PAGE_SIZE"):
        app.config[key] = int(app.config[key])


def _secure_cookies(app: Flask) -> None:
    """Remember-me lasts 30 days at most and is Secure when the session cookie is."""
    from datetime import timedelta

    limit = timedelta(days=30)
    duration = app.config.get("REMEMBER_COOKIE_DURATION") or limit
    if not isinstance(duration, timedelta):
        duration = timedelta(seconds=int(duration))
    app.config["REMEMBER_COOKIE_DURATION"] = min(duration, limit)
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))


def _default_export_dir(instance: Path) -> Path:
    """exports/ beside the package in a checkout; the instance folder's exports/ when installed."""
    return instance / "exports" if INSTALLED else ROOT / "exports"


def _instance_secret(path: Path) -> str:
    """A random secret made on first start and kept in the instance folder (never in the repo)."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            database.tune(engine)
    migrate.init_app(app, db, directory=str(app_folder("migrations")), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    queue.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"

    from inspect_app.models import User

    @login_manager.user_loader
    def load_user(token: str):
        """The user of a session or remember-me cookie, if that session has not been ended."""
        user_id, _, version = token.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


def select_locale() -> str:
    """?lang= (remembered in the session), then the user's setting, then zh-CN."""
    languages = ("zh_Hans_CN", "en")
    if not has_request_context():
        return "zh_Hans_CN"
    wanted = request.args.get("lang")
    if wanted:
        wanted = "zh_Hans_CN" if wanted.lower().startswith("zh") else wanted
        if wanted in languages:
            session["lang"] = wanted
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "zh_Hans_CN"


def _register_blueprints(app: Flask) -> None:
    from inspect_app.accounts.routes import bp as accounts_bp
    from inspect_app.admin.routes import bp as admin_bp
    from inspect_app.api.routes import bp as api_bp
    from inspect_app.audit_log.routes import bp as audit_log_bp
    from inspect_app.auth.routes import bp as auth_bp
    from inspect_app.dashboard.routes import bp as dashboard_bp
    from inspect_app.exports.routes import bp as exports_bp
    from inspect_app.imports.routes import bp as imports_bp
    from inspect_app.jobs.routes import bp as jobs_bp
    from inspect_app.listing.routes import bp as search_bp
    from inspect_app.main.routes import bp as main_bp
    from inspect_app.notices import listeners
    from inspect_app.notices.routes import bp as notices_bp
    from inspect_app.offline.routes import bp as offline_bp
    from inspect_app.photo_files.routes import bp as photo_files_bp
    from inspect_app.problems.handling_routes import bp as handling_bp
    from inspect_app.problems.review_routes import bp as review_bp
    from inspect_app.problems.routes import bp as problems_bp
    from inspect_app.settings.routes import bp as settings_bp
    from inspect_app.visits.routes import bp as visits_bp

    for blueprint in (
        main_bp,
        auth_bp,
        visits_bp,
        problems_bp,
        review_bp,
        handling_bp,
        photo_files_bp,
        admin_bp,
        exports_bp,
        imports_bp,
        api_bp,
        offline_bp,
        dashboard_bp,
        search_bp,
        jobs_bp,
        accounts_bp,
        audit_log_bp,
        settings_bp,
        notices_bp,
    ):
        app.register_blueprint(blueprint)
    listeners.register(app)
    from inspect_app.exports import kinds  # noqa: F401 - registers the export kinds with jobs


def _refuse_nameless_form_fields(app: Flask) -> None:
    """A multipart part without a name is a broken request: answer 400, not 500."""

    @app.before_request
    def refuse_nameless():
        if request.method not in ("GET", "HEAD", "OPTIONS") and None in request.form:
            abort(400)


def _register_request_hooks(app: Flask) -> None:
    """One commit point per request: commit after a successful response, roll back otherwise.

    A request that may write (not GET, HEAD or OPTIONS) is marked so that SQLite starts its
    transaction IMMEDIATE at the first write, and its view is retried on a lock (InspectApp).
    """

    @app.before_request
    def mark_writes():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.environ["inspect.write_token"] = database.write_intent.set(True)

    @app.after_request
    def commit_session(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def release(exc):
        if exc is not None:
            db.session.rollback()
        token = request.environ.pop("inspect.write_token", None)
        if token is not None:
            database.write_intent.reset(token)
