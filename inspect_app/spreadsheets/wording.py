"""How official documents write dates, money and numbers."""

from datetime import date
from decimal import Decimal

CN_DIGITS = "零一二三四五六七八九十"


def cn_date(day: date | None) -> str:
    """2025年7月21日 (no leading zeros), or '' for no date."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month_day(day: date | None) -> str:
    return f"{day.month}月{day.day}日" if day else ""


def yi_yuan(amount: Decimal | float | None) -> str:
    """An investment in 亿元 as the office writes it: 12.5亿元, 3亿元."""
    if amount is None:
        return ""
    text = f"{Decimal(str(amount)).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{text}亿元"


def cn_ordinal(n: int) -> str:
    """一、二、…、十、十一 … 九十九: the numbering of sections in a 公文."""
    if n <= 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def with_project(project: str, description: str) -> str:
    """'项目：问题', or the description alone when it begins with the project's name already
    (as deputies write them: 瑞丰食品饮料智能工厂规划调整…)."""
    description = description.strip()
    return description if description.startswith(project) else f"{project}：{description}"
