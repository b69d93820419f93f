"""The office's own settings that documents and the workflow need.

`office_settings()` is the one way to read them. Values saved on the 设置 page live in the
`setting` table; a key never saved there falls back to the app config (OFFICE_* keys).
"""

from dataclasses import dataclass, fields

from flask import current_app
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Setting


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str  # the issuing office, e.g. 东莞市人大常委会办公室
    handover_number_pattern: str  # e.g. 莞人常办交〔{year}〕{n}号
    contact_name: str
    contact_phone: str
    assign_days: int  # default 办理时限 for 交办
    reopen_days: int  # default new deadline after 不满意 (重新办理)
    reminder_days: tuple[int, ...]  # days before a deadline a department is reminded


CONFIG_KEYS = {
    "office_name": "OFFICE_NAME",
    "handover_number_pattern": "OFFICE_HANDOVER_NUMBER_PATTERN",
    "contact_name": "OFFICE_CONTACT_NAME",
    "contact_phone": "OFFICE_CONTACT_PHONE",
    "assign_days": "OFFICE_ASSIGN_DAYS",
    "reopen_days": "OFFICE_REOPEN_DAYS",
    "reminder_days": "OFFICE_REMINDER_DAYS",
}


def _typed(name: str, value):
    if name in ("assign_days", "reopen_days"):
        return int(value)
    if name == "reminder_days":
        return tuple(sorted({int(d) for d in value}, reverse=True))
    return str(value)


def stored_settings() -> dict:
    """The values saved on the settings page, by field name."""
    rows = db.session.scalars(select(Setting).where(Setting.key.in_(CONFIG_KEYS)))
    return {row.key: row.value for row in rows}


def office_settings() -> OfficeSettings:
    stored = stored_settings()
    config = current_app.config
    values = {}
    for field in fields(OfficeSettings):
        raw = stored.get(field.name, config[CONFIG_KEYS[field.name]])
        values[field.name] = _typed(field.name, raw)
    return OfficeSettings(**values)
