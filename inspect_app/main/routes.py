"""Home page for every role, and the health check."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from inspect_app import labels
from inspect_app.access import secretary_group_ids
from inspect_app.clock import today_local
from inspect_app.main.services import (
    dashboard,
    group_recent_visits,
    recent_visits,
    visits_to_review,
)
from inspect_app.models import Role
from inspect_app.problems import todo
from inspect_app.visits.services import loggable_groups

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/")
@login_required
def home():
    today = today_local()
    context = {"today": today, "statuses": labels.pairs("problem_status")}
    if current_user.role in (Role.DEPUTY, Role.STAFF):
        context["groups"] = loggable_groups(current_user)
    if current_user.role == Role.DEPUTY:  # no dashboard: their own (联络员: the group's) visits
        context["is_group_secretary"] = bool(secretary_group_ids(current_user))
        if context["is_group_secretary"]:
            context["recent"] = group_recent_visits(current_user)
            context["stats"] = {"to_review": visits_to_review(current_user)}
            context["review_group"] = secretary_group_ids(current_user)[0]
        else:
            context["recent"] = recent_visits(current_user)
    else:
        context["stats"] = dashboard(current_user, today)
    if current_user.role != Role.VIEWER:
        context["todo"] = todo.sections(current_user, today)
        context["todo_total"] = todo.total(context["todo"])
    if current_user.role == Role.DEPARTMENT:
        context["urges"] = todo.active_urges(current_user)
        context["tiles"] = todo.department_tiles(current_user, today)
    return render_template("main/home.html", **context)
