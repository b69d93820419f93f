"""Default configuration; the instance config and the environment override it."""

import json
import os
from datetime import timedelta

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
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # remember-me is off unless ticked
    SESSION_COOKIE_SECURE = False  # true when served over HTTPS: both cookies get Secure
    # Login throttling: failures per account and per address in a window, then a lockout.
    LOGIN_ACCOUNT_FAILURES = 5
    LOGIN_ADDRESS_FAILURES = 30
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    REDIS_URL = None  # login counters live in Redis when set, else in the database
    # Notices by e-mail (SMTP) and SMS (an HTTP gateway); unset means in-app notices only.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "inspect@localhost"
    # e.g. https://sms.example.gov.cn/send?user={user}&key={password}&mobile={phone}&text={text}
    SMS_URL = None
    SMS_USER = None
    SMS_PASSWORD = None
    NOTICE_MAX_ATTEMPTS = 5
    NOTICE_TIMEOUT_SECONDS = 10
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
    REPLY_ROOT = None  # reply letters (答复函); default instance/replies
    REPLY_MAX_BYTES = 20 * 1024 * 1024
    # What one request may decode: files, and pixels as decoded (a JPEG counts at its draft size).
    PHOTO_REQUEST_MAX_FILES = 20
    PHOTO_REQUEST_MAX_PIXELS = 64_000_000  # 20 phone photos (a 12 or 48 MP JPEG decodes at 3 MP)
    DB_LOCK_ATTEMPTS = 3  # a write request that met a locked SQLite database runs again
    MAX_CONTENT_LENGTH = 220 * 1024 * 1024
    MAX_FORM_PARTS = 5000
    PAGE_SIZE = 30
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 6
    DASHBOARD_CACHE_SECONDS = 60  # the dashboard's figures, kept per process (0: always count)
    EXTERNAL_URL = "http://127.0.0.1:5000/"  # links in command-line exports
    EXPORT_DIR = None  # filled in by create_app: exports/ beside the package
    # Background exports (inspect_app/jobs): the queue is SQLite in the instance folder unless
    # REDIS_URL is set; finished files live in JOB_FILES_DIR for EXPORT_KEEP_DAYS days.
    REDIS_URL = None
    QUEUE_NAME = "inspect"
    JOB_FILES_DIR = None  # filled in by create_app: instance/exports
    EXPORT_KEEP_DAYS = 7
    INLINE_EXPORT_MAX_ROWS = 300  # a GET of an export this small is written in the request
    JOB_HEARTBEAT_SECONDS = 10.0
    JOB_STALE_SECONDS = 60.0  # a running job without a heartbeat this long is taken back
    JOB_MAX_ATTEMPTS = 2
    # The office's defaults (read through inspect_app.settings.office.office_settings()).
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
    """Settings from the environment: DATABASE_URL, SECRET_KEY, REDIS_URL and INSPECT_*.

    Each INSPECT_<NAME> is parsed to the type of the default it replaces.
    """
    environ = os.environ if environ is None else environ
    values = {}
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = database_url(environ["DATABASE_URL"])
    for key in ("SECRET_KEY", "REDIS_URL"):
        if environ.get(key):
            values[key] = environ[key]
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
    if isinstance(default, timedelta):
        return timedelta(days=float(text))
    if isinstance(default, tuple | list):
        items = [item.strip() for item in text.split(",") if item.strip()]
        kinds = {type(item) for item in default}
        if kinds == {int}:
            return tuple(int(item) for item in items)
        return tuple(items)
    if isinstance(default, dict):
        return json.loads(text)
    return text
