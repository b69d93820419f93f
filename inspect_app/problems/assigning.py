"""The 交办 page, for one problem or many (ticked in the ledger, or all with its filters).

Departments are found by a server-side search (dq) instead of a list of every department;
the chosen ones stay on the page between searches, so it works without JavaScript.
"""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from inspect_app.access import problem_scope
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.listing.filters import filter_problems, read_filters
from inspect_app.models import Department, Problem, ProblemStatus
from inspect_app.problems import actions
from inspect_app.problems.forms import PRESET_DAYS, AssignForm
from inspect_app.problems.workflow import WorkflowError, check
from inspect_app.settings.office import office_settings

MAX_RESULTS = 12
MAX_BATCH = 500


def search_departments(words: str, exclude: set[int]) -> list[Department]:
    words = (words or "").strip()
    if not words:
        return []
    query = (
        select(Department)
        .where(Department.name.contains(words), Department.id.not_in(exclude or {0}))
        .order_by(Department.sort_order)
        .limit(MAX_RESULTS)
    )
    return list(db.session.scalars(query))


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _batch() -> list[Problem]:
    """The problems to assign: ticked ids, or every reviewed one matching the ledger filters."""
    if request.values.get("all") == "1":
        query = filter_problems(
            select(Problem).where(problem_scope(current_user)),
            read_filters(request.args),
            current_user,
        )
        query = query.where(
            Problem.status == ProblemStatus.REVIEWED, Problem.merged_into_id.is_(None)
        )
        return list(db.session.scalars(query.order_by(Problem.id).limit(MAX_BATCH)))
    ids = _ids(request.form.getlist("problem_id"))
    query = select(Problem).where(problem_scope(current_user), Problem.id.in_(ids))
    return list(db.session.scalars(query.order_by(Problem.id)))


def _chosen(form: AssignForm) -> tuple[Department | None, list[Department]]:
    lead = db.session.get(Department, form.lead_id.data) if form.lead_id.data else None
    co_ids = [i for i in _ids(request.form.getlist("co_id")) if not lead or i != lead.id]
    co = list(db.session.scalars(select(Department).where(Department.id.in_(co_ids))))
    return lead, sorted(co, key=lambda d: d.sort_order)


def _unknown_departments(form: AssignForm, lead, co) -> list[str]:
    """A department id that does not exist (a stale page, a forged form) is refused."""
    co_ids = set(_ids(request.form.getlist("co_id"))) - ({lead.id} if lead else set())
    if (form.lead_id.data and lead is None) or len(co_ids) != len(co):
        return [_("没有这个承办单位，请从列表中选择。")]
    return []


def _deadline(form: AssignForm):
    if form.preset.data == "custom":
        return form.deadline.data
    days = int(form.preset.data) if (form.preset.data or "").isdigit() else None
    return today_local() + timedelta(days=days) if days else None


def _default_preset() -> str:
    days = office_settings().assign_days
    return str(days) if days in PRESET_DAYS else "custom"


def assign_page(problems: list[Problem] | None):
    """GET shows the form; POST with `do_assign` assigns, any other POST searches."""
    single = problems is not None
    problems = problems if single else _batch()
    form = AssignForm()
    errors = []
    if request.method == "GET" or not request.form.get("preset"):
        form.preset.data = _default_preset()
        form.deadline.data = actions.default_deadline()
    lead, co = _chosen(form) if request.method == "POST" else (None, [])
    if request.method == "POST" and request.form.get("do_assign") and form.validate_on_submit():
        errors = _unknown_departments(form, lead, co) or _assign_all(
            problems, lead, co, _deadline(form), form.note.data
        )
        if not errors:
            flash(_("已交办 %(n)s 个问题。", n=len(problems)), "success")
            if single:
                return redirect(url_for("problems.show", problem_id=problems[0].id))
            return redirect(url_for("problems.index", status="assigned"))
    chosen_ids = {d.id for d in ([lead] if lead else []) + co}
    return render_template(
        "problems/assign.html",
        form=form,
        problems=problems,
        single=single,
        lead=lead,
        co=co,
        results=search_departments(form.dq.data, chosen_ids),
        errors=errors + [e for field in form for e in field.errors],
        presets=PRESET_DAYS,
        today=today_local(),
        days_delta=lambda days: timedelta(days=days),
    )


def _assign_all(problems, lead, co, deadline, note) -> list[str]:
    """Assign every problem, or none: the messages of the refused ones."""
    if not problems:
        return [_("没有选中可以交办的问题。")]
    if lead is None:
        return [_("请选择主办单位。")]
    if deadline is None:
        return [_("请选择办理时限。")]
    if deadline < today_local():
        return [_("办理时限不能早于今天。")]
    errors = []
    for problem in problems:
        try:
            check(current_user, problem, "assign")
        except WorkflowError as error:
            errors.append(f"{problem.code}：{error}")
    if errors:
        return errors
    for problem in problems:
        actions.assign(current_user, problem, lead, co, deadline, note)
    return []
