"""Jinja filters and globals: Shanghai dates, labels, the current locale."""

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from inspect_app import access, labels
from inspect_app.clock import today_local


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


PAGE_RULES = (
    "can_log_visits",
    "can_list_visits",
    "is_group_member_role",
    "can_export_ledger",
    "can_export_handover",
    "can_export_weekly",
    "can_export_report",
    "can_manage",
    "can_see_home_counts",
)


def _page_rules() -> dict:
    """access.py's page rules as can_*() helpers for templates, for the current user."""

    def bind(name):
        rule = getattr(access, name)
        return lambda: bool(current_user.is_authenticated and rule(current_user))

    return {name: bind(name) for name in PAGE_RULES}


def register(app: Flask) -> None:
    app.context_processor(_page_rules)
    app.jinja_env.filters["localdatetime"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.globals.update(
        label=labels.label,
        url_with=url_with,
        url_keeping_filters=url_keeping_filters,
        today_local=today_local,
        html_lang=lambda: "en" if str(get_locale()).startswith("en") else "zh-CN",
    )
