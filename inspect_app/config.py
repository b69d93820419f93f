"""Default configuration; the instance config and the environment override it."""

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
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # remember-me is off unless ticked
    SESSION_COOKIE_SECURE = False  # true when served over HTTPS: both cookies get Secure
    PROXY_FIX = 0  # proxies in front of the app whose X-Forwarded-* headers are trusted
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
    # The office's defaults (read through inspect_app.office.office_settings()).
    OFFICE_NAME = "东莞市人大常委会办公室"
    OFFICE_HANDOVER_NUMBER_PATTERN = "莞人常办交〔{year}〕{n}号"
    OFFICE_CONTACT_NAME = "联络科"
    OFFICE_CONTACT_PHONE = "0769-22830000"
    OFFICE_ASSIGN_DAYS = 30
    OFFICE_REOPEN_DAYS = 15
    OFFICE_REMINDER_DAYS = (7, 1)


TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


def parse_setting(name: str, text: str):
    """An environment string as the type of the setting's default (bool, int, days, tuple)."""
    default = getattr(DefaultConfig, name, None)
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered not in TRUE + FALSE:
            raise ValueError(f"{PREFIX}{name} must be true or false, not {text!r}")
        return lowered in TRUE
    if isinstance(default, int):
        return int(text)
    if isinstance(default, timedelta):
        return timedelta(days=float(text))
    if isinstance(default, tuple):
        return tuple(int(part) for part in text.replace(",", " ").split())
    return text


def from_environment() -> dict:
    """Settings from the environment: DATABASE_URL, SECRET_KEY, REDIS_URL and INSPECT_*."""
    values = {}
    for key, name in (
        ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
        ("SECRET_KEY", "SECRET_KEY"),
        ("REDIS_URL", "REDIS_URL"),
    ):
        if os.environ.get(key):
            values[name] = os.environ[key]
    for key, value in os.environ.items():
        if key.startswith(PREFIX):
            name = key[len(PREFIX) :]
            values[name] = parse_setting(name, value)
    return values
