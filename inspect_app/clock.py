"""The office's clock: Asia/Shanghai, where every date a user sees or types is a local date."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_local() -> date:
    """Today in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()
