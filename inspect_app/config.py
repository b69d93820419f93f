"""Default configuration; the instance config and the environment override it."""

import json
import os

PREFIX = "INSPECT_"


class DefaultConfig:
    SECRET_KEY = None  # from the environment, instance/config.py, or instance/secret_key
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: instance/inspect.sqlite
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # a form filled slowly on a site must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # cookies are marked Secure anyway on an HTTPS request
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PROXY_COUNT = 0  # reverse proxies in front (X-Forwarded-For/-Proto/-Host trusted from them)
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    PG_BIN_DIR = None  # where pg_dump/pg_restore live, if not on PATH (backups of PostgreSQL)
    PHOTO_ROOT = None  # filled in by create_app: instance/photos
    PHOTO_MAX_BYTES = 25 * 1024 * 1024
    PHOTO_MAX_PIXELS = 100_000_000
    PHOTO_LONG_SIDE = 2048
    PHOTO_THUMB_SIDE = 320
    PHOTO_QUALITY = 82
    MAX_CONTENT_LENGTH = 220 * 1024 * 1024
    MAX_FORM_PARTS = 5000
    PAGE_SIZE = 30
    EXTERNAL_URL = "http://127.0.0.1:5000/"  # links in command-line exports
    EXPORT_DIR = None  # filled in by create_app: exports/ beside the package
    # The office's defaults (read through inspect_app.office.office_settings()).
    OFFICE_NAME = "东莞市人大常委会办公室"
    OFFICE_HANDOVER_NUMBER_PATTERN = "莞人常办交〔{year}〕{n}号"
    OFFICE_CONTACT_NAME = "联络科"
    OFFICE_CONTACT_PHONE = "0769-22830000"
    OFFICE_ASSIGN_DAYS = 30
    OFFICE_REOPEN_DAYS = 15
    OFFICE_REMINDER_DAYS = (7, 1)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def from_environment(environ=None) -> dict:
    """Settings from the environment: DATABASE_URL, SECRET_KEY and INSPECT_* variables.

    Each INSPECT_<NAME> is parsed to the type of the default it replaces.
    """
    environ = os.environ if environ is None else environ
    values = {}
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = environ["SECRET_KEY"]
    for key, text in environ.items():
        if key.startswith(PREFIX) and key != "INSPECT_INSTANCE_PATH":
            name = key[len(PREFIX) :]
            values[name] = parse_setting(name, text, getattr(DefaultConfig, name, None))
    return values


def database_url(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg 3."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def parse_setting(name: str, text: str, default):
    """The text of an environment variable as the type of the setting's default."""
    if isinstance(default, bool):
        word = text.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{PREFIX}{name}: expected true or false, got {text!r}")
        return word in TRUE_WORDS
    if isinstance(default, int):
        return int(text.strip().replace("_", ""))
    if isinstance(default, float):
        return float(text)
    if isinstance(default, tuple | list):
        items = [item.strip() for item in text.split(",") if item.strip()]
        kinds = {type(item) for item in default}
        if kinds == {int}:
            return tuple(int(item) for item in items)
        return tuple(items)
    if isinstance(default, dict):
        return json.loads(text)
    return text
