"""What the dashboard shows: figures from dashboard.stats, and charts drawn from them."""

import time
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from inspect_app.dashboard import stats
from inspect_app.dashboard.charts import Bar, bar_chart, column_chart
from inspect_app.extensions import db
from inspect_app.labels import label
from inspect_app.models import Campaign, Group

# The figures of a scope, kept for DASHBOARD_CACHE_SECONDS (one process): at 10^5 problems
# they take about a second to count. Any write through the ORM in this process forgets them;
# another worker's write shows here within the same time at most.
_remembered: dict[tuple, tuple[float, object]] = {}


def remembered(name: str, scope: stats.Scope, today: date, compute):
    seconds = float(current_app.config.get("DASHBOARD_CACHE_SECONDS", 60))
    groups = tuple(scope.group_ids) if scope.group_ids is not None else None
    key = (id(current_app._get_current_object()), name, scope.campaign_id, groups, today)
    now = time.monotonic()
    found = _remembered.get(key)
    if found is None or now - found[0] >= seconds:
        found = (now, compute(scope, today))
        _remembered[key] = found
    return found[1]


def forget_figures(name: str | None = None) -> None:
    """Forget the kept figures (those of one page, e.g. "overview", or all)."""
    for key in [k for k in _remembered if name is None or k[1] == name]:
        del _remembered[key]


@event.listens_for(Session, "after_flush")
def _forget_after_writes(session, _context) -> None:
    if session.new or session.dirty or session.deleted:
        forget_figures()


def campaigns(group_ids: list[int] | None) -> list[Campaign]:
    """Campaigns the user may choose, newest first (a secretary: his groups' campaigns)."""
    query = select(Campaign).order_by(Campaign.id.desc())
    if group_ids is not None:
        query = query.where(
            Campaign.id.in_(select(Group.campaign_id).where(Group.id.in_(group_ids)))
        )
    return list(db.session.scalars(query))


def choose_campaign(choices: list[Campaign], wanted: int | None) -> Campaign | None:
    return next((c for c in choices if c.id == wanted), choices[0] if choices else None)


def scope_for(campaign: Campaign | None, group_ids: list[int] | None) -> stats.Scope:
    return stats.Scope(campaign_id=campaign.id if campaign else -1, group_ids=group_ids)


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:g}%"


def rate_bars(figures: stats.Figures) -> list[Bar]:
    rates = (
        (_("交办率"), figures.assigned_rate),
        (_("答复率"), figures.answered_rate),
        (_("按期答复率"), figures.on_time_rate),
        (_("办结率"), figures.closed_rate),
        (_("满意率"), figures.satisfied_rate),
    )
    return [Bar(name, rate or 0, text=_rate_text(rate)) for name, rate in rates]


def _overview_figures(scope: stats.Scope, today: date) -> dict:
    return {
        "top": stats.headline(scope, today),
        "groups": stats.by_group(scope, today),
        "towns": stats.by_town(scope, today),
        "categories": stats.by_category(scope, today),
        "departments": stats.by_department(scope, today),
        "statuses": stats.by_status(scope),
        "weeks": stats.by_week(scope, today),
    }


def overview(scope: stats.Scope, today: date) -> dict:
    """Everything the dashboard page shows, with a chart per breakdown."""
    found = remembered("overview", scope, today, _overview_figures)
    top, groups, towns = found["top"], found["groups"], found["towns"]
    categories, statuses, weeks = found["categories"], found["statuses"], found["weeks"]
    departments = [d for d in found["departments"] if d.problems or d.co_assigned]

    def problem_bars(rows):
        return [Bar(r.name, r.problems, r.closed) for r in rows]

    status_bars = [Bar(label("problem_status", code), n) for code, n in statuses]
    series = [
        (_("视察"), [w.visits for w in weeks]),
        (_("问题"), [w.problems for w in weeks]),
        (_("已办结"), [w.closed for w in weeks]),
    ]
    return {
        "top": top,
        "figures": top["figures"],
        "groups": groups,
        "towns": towns,
        "categories": categories,
        "departments": departments,
        "statuses": statuses,
        "weeks": weeks,
        "charts": {
            "rates": bar_chart(rate_bars(top["figures"]), _("主要比率"), maximum=100),
            "statuses": bar_chart(status_bars, _("按办理状态")),
            "groups": bar_chart(problem_bars(groups), _("按视察组")),
            "towns": bar_chart(problem_bars(towns), _("按镇街")),
            "categories": bar_chart(problem_bars(categories), _("按问题类别")),
            "departments": bar_chart(
                [Bar(d.name, d.assigned, d.closed) for d in departments], _("按承办单位")
            ),
            "weeks": column_chart([w.name for w in weeks], series, _("按周趋势")),
        },
    }


def department_table(scope: stats.Scope, today: date) -> dict:
    rows = remembered("departments", scope, today, stats.by_department)
    total = stats.Figures(name=_("合计"))
    for row in rows:
        for name in ("assigned", "co_assigned", "answered", "on_time", "closed", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in ("urged", "rated", "satisfied", "problems"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    active = [r for r in rows if r.assigned or r.co_assigned]
    chart = bar_chart(
        [Bar(r.name, r.assigned, r.answered) for r in active], _("各承办单位交办与答复")
    )
    return {"rows": rows, "total": total, "chart": chart}
