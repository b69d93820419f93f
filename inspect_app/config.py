"""Default configuration; the instance config and the environment override it."""

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
    REMEMBER_COOKIE_HTTPONLY = True
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
    # The office's defaults (read through inspect_app.office.office_settings()).
    OFFICE_NAME = "东莞市人大常委会办公室"
    OFFICE_HANDOVER_NUMBER_PATTERN = "莞人常办交〔{year}〕{n}号"
    OFFICE_CONTACT_NAME = "联络科"
    OFFICE_CONTACT_PHONE = "0769-22830000"
    OFFICE_ASSIGN_DAYS = 30
    OFFICE_REOPEN_DAYS = 15
    OFFICE_REMINDER_DAYS = (7, 1)


def from_environment() -> dict:
    """Settings from the environment: DATABASE_URL, SECRET_KEY and INSPECT_* variables."""
    values = {}
    if os.environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        values["REDIS_URL"] = os.environ["REDIS_URL"]
    if os.environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = os.environ["SECRET_KEY"]
    for key, value in os.environ.items():
        if key.startswith(PREFIX):
            values[key[len(PREFIX) :]] = value
    return values
