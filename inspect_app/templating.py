"""Jinja filters and globals: Shanghai dates, labels, the current locale."""

from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale

from inspect_app import labels

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_local() -> date:
    """Today in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | None, fmt: str = "yyyy-MM-dd") -> str:
    return format_date(value, fmt) if value else ""


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for filters and paging)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    if request.endpoint is None:  # error pages of unmatched URLs
        return request.path + (f"?{urlencode(args)}" if args else "")
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def url_keeping_filters(endpoint: str, **changes) -> str:
    """A URL for another page with the current filters (not the page number)."""
    args = {k: v for k, v in request.args.to_dict().items() if k not in ("page", "lang")}
    args.update(changes)
    return url_for(endpoint, **args)


def register(app: Flask) -> None:
    app.jinja_env.filters["localdatetime"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.globals.update(
        label=labels.label,
        url_with=url_with,
        url_keeping_filters=url_keeping_filters,
        today_local=today_local,
        html_lang=lambda: "en" if str(get_locale()).startswith("en") else "zh-CN",
    )
