"""The 统计 sheet's and the 视察报告's tables: the dashboard's figures (inspect_app.dashboard.stats)
for exactly the exported problems, so the paper and the dashboard always agree."""

from datetime import date

from inspect_app import labels
from inspect_app.access import stats_group_ids
from inspect_app.dashboard import stats
from inspect_app.listing.filters import Filters
from inspect_app.models import Problem, User
from inspect_app.spreadsheets.sheets import Block

RATE_HEADERS = ["问题数", "已交办", "已办结", "超期", "办结率", "满意率", "按期答复率"]
RATE_KINDS = ["int", "int", "int", "int", "percent", "percent", "percent"]
DEPARTMENT_HEADERS = ["承办单位", "主办", "协办", "已答复", "按期答复", "超期", "督办", "已办结"]
DEPARTMENT_HEADERS += ["满意率"]


def fraction(part: int, whole: int) -> float | None:
    """A rate as a number (0.25 for 25 %), printed with a percent format."""
    return part / whole if whole else None


def rates(f: stats.Figures) -> list:
    """办结率, 满意率, 按期答复率 of one slice."""
    return [
        fraction(f.closed, f.assigned),
        fraction(f.satisfied, f.rated),
        fraction(f.on_time, f.answered),
    ]


def rate_cells(f: stats.Figures) -> list:
    return [f.problems, f.assigned, f.closed, f.overdue, *rates(f)]


def export_scope(user: User, filters: Filters, problems) -> stats.Scope:
    """The stats scope of the exported problems (a select of Problem.id)."""
    groups = [filters.group_id] if filters.group_id else stats_group_ids(user)
    return stats.Scope(filters.campaign_id, groups, [Problem.id.in_(problems)])


def ledger_blocks(user: User, filters: Filters, problems, today: date) -> list[Block]:
    """The 统计 sheet: one block per breakdown, each kept on one printed page."""
    scope = export_scope(user, filters, problems)
    total = stats.headline(scope, today)["figures"]
    headline = [["全部问题", *rate_cells(total)]]
    blocks = [Block("总计", ["项目", *RATE_HEADERS], headline, RATE_KINDS)]
    categories = [[f.name, *rate_cells(f)] for f in stats.by_category(scope, today)]
    blocks.append(Block("按问题类别", ["问题类别", *RATE_HEADERS], categories, RATE_KINDS))
    statuses = [[labels.label("problem_status", c), n] for c, n in stats.by_status(scope)]
    blocks.append(Block("按办理状态", ["办理状态", "问题数"], statuses))
    # the short blocks share the first page; each long one gets a page of its own
    for heading, first, rows in (
        ("按视察组", "视察组", stats.by_group(scope, today)),
        ("按镇街", "镇街", stats.by_town(scope, today)),
    ):
        cells = [[f.name, *rate_cells(f)] for f in rows]
        blocks.append(Block(heading, [first, *RATE_HEADERS], cells, RATE_KINDS))
    departments = [
        [d.name, d.problems, d.co_assigned, d.answered, d.on_time, d.overdue, d.urged, d.closed,
         fraction(d.satisfied, d.rated)]
        for d in stats.by_department(scope, today, every=False)
    ]  # fmt: skip
    blocks.append(Block("按承办单位", DEPARTMENT_HEADERS, departments, ["int"] * 7 + ["percent"]))
    return blocks
