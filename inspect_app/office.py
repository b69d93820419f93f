"""The office's own settings that documents and the workflow need.

`office_settings()` is the one way to read them. Today they come from the app config
(OFFICE_* keys); the settings page stores them in the database and this function reads there.
"""

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str  # the issuing office, e.g. 东莞市人大常委会办公室
    handover_number_pattern: str  # e.g. 莞人常办交〔{year}〕{n}号
    contact_name: str
    contact_phone: str
    assign_days: int  # default 办理时限 for 交办
    reopen_days: int  # default new deadline after 不满意 (重新办理)
    reminder_days: tuple[int, ...]  # days before a deadline a department is reminded


def office_settings() -> OfficeSettings:
    config = current_app.config
    return OfficeSettings(
        office_name=config["OFFICE_NAME"],
        handover_number_pattern=config["OFFICE_HANDOVER_NUMBER_PATTERN"],
        contact_name=config["OFFICE_CONTACT_NAME"],
        contact_phone=config["OFFICE_CONTACT_PHONE"],
        assign_days=int(config["OFFICE_ASSIGN_DAYS"]),
        reopen_days=int(config["OFFICE_REOPEN_DAYS"]),
        reminder_days=tuple(int(d) for d in config["OFFICE_REMINDER_DAYS"]),
    )
