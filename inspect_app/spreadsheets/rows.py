"""Plain rows handed to the workbook writers (built from the database elsewhere)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from inspect_app.spreadsheets.sheets import Picture


@dataclass
class ExportMeta:
    title: str
    filters: str  # "视察组：…；镇街：…" or "全部"
    exported_at: datetime  # local (Asia/Shanghai) wall-clock time

    def line(self) -> str:
        return (
            f"筛选条件：{self.filters}　　导出时间：{self.exported_at:%Y-%m-%d %H:%M}（北京时间）"
        )


@dataclass
class ProblemRow:
    code: str
    group: str
    town: str
    project: str
    visited_on: date | None
    category: str
    description: str
    suggestions: str
    raised_by: str
    lead_department: str
    co_departments: str
    deadline: date | None
    status: str
    handling: str
    satisfaction: str
    assigned_on: date | None = None
    role: str = ""  # 主办 / 协办, for a department's handover
    pictures: list[Picture] = field(default_factory=list)
    photo_count: int = 0
    photo_url: str | None = None
    overdue: bool = False
    closed: bool = False


@dataclass
class SuggestionRow:
    problem_code: str
    group: str
    town: str
    project: str
    visited_on: date | None
    text: str
    author: str
    department: str
    adoption: str
    reason: str


@dataclass
class VisitRow:
    group: str
    town: str
    project: str
    visited_on: date | None
    attendees: str
    summary: str
    author: str
    status: str
    problems: int
    suggestions: int
