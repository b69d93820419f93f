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
    answered_on: date | None = None
    closed_on: date | None = None
    overdue_days: int = 0
    rating: str = ""  # 代表评价: 满意 / 基本满意 / 不满意 and the comment
    role: str = ""  # 主办 / 协办, for a department's handover
    pictures: list[Picture] = field(default_factory=list)
    photo_count: int = 0
    photo_url: str | None = None
    overdue: bool = False
    closed: bool = False
    problem_id: int = 0
    rated: bool = False
    satisfied: bool = False
    answered: bool = False
    answered_in_time: bool = False
    assigned: bool = False


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


@dataclass
class NoteRow:
    """One progress note (办理进展) of a problem."""

    problem_code: str
    department: str
    written_on: date | None
    text: str


@dataclass
class HandoverLetter:
    """One department's 交办单: who hands what over, by when, with its problems."""

    number: str  # 文号, e.g. 莞人常办交〔2025〕12号
    campaign: str
    office: str
    department: str
    issued_on: date
    reply_by: date
    contact: str
    phone: str
    batch: str  # the batch in words
    problems: list[ProblemRow]

    def counts(self) -> tuple[int, int]:
        """(主办, 协办) problems of this department."""
        lead = sum(1 for p in self.problems if p.role == "主办")
        return lead, len(self.problems) - lead


@dataclass
class WeekFigures:
    """What a group did in a period: visits, projects, deputies, problems, suggestions."""

    visits: int = 0
    projects: int = 0
    deputies: int = 0
    problems: int = 0
    suggestions: int = 0
    assigned: int = 0
    closed: int = 0
    categories: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    project_names: list[str] = field(default_factory=list)


@dataclass
class WeeklyReport:
    """A group's 周报: the week, the running total, the records and the secretary's plan."""

    group: str
    start: date
    end: date
    reported_on: date
    secretaries: str
    week: WeekFigures
    total: WeekFigures
    visits: list[VisitRow]
    problems: list[ProblemRow]
    suggestions: list[SuggestionRow]
    plan: str = ""

    @property
    def title(self) -> str:
        return f"{self.group}视察工作周报"
