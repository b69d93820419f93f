"""问题台账 and 意见建议: the lists, one problem's page, editing them; 待我处理 (/todo)."""

from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app import labels
from inspect_app.access import (
    can_edit_problem,
    can_edit_suggestion,
    get_problem_or_404,
    get_suggestion_or_404,
    problem_scope,
    require_role,
    suggestion_editor,
    suggestion_scope,
    visit_scope,
)
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.listing.filters import (
    COUNT_CAP,
    Page,
    capped_count,
    filter_options,
    filter_problems,
    filter_suggestions,
    page_number,
    read_filters,
    sort_problems,
    status_counts,
)
from inspect_app.listing.rows import PROBLEM_ROW, SUGGESTION_ROW
from inspect_app.models import Problem, Role, Suggestion, Visit
from inspect_app.problems import actions, services, todo
from inspect_app.problems.duplicates import likely_duplicates
from inspect_app.problems.forms import BareForm, DecisionForm, ProblemForm, SuggestionForm
from inspect_app.problems.timeline import timeline
from inspect_app.problems.workflow import allowed_actions

bp = Blueprint("problems", __name__)


@bp.get("/problems/")
@login_required
def index():
    filters = read_filters(request.args, current_user)
    query = filter_problems(
        select(Problem).where(problem_scope(current_user)), filters, current_user
    )
    statuses = labels.pairs("problem_status")
    counts = status_counts(query, [code for code, _text in statuses])
    query = sort_problems(query, filters).options(*PROBLEM_ROW)
    page = Page(query, page_number(request.args), current_app.config["PAGE_SIZE"])
    overdue = capped_count(
        filter_problems(
            select(Problem).where(problem_scope(current_user)),
            replace(filters, due="overdue", status=""),
            current_user,
        )
    )
    return render_template(
        "problems/index.html",
        overdue=overdue,
        bulk=BareForm(),
        may_assign=current_user.role == Role.STAFF,
        page=page,
        filters=filters,
        counts=counts,
        count_cap=COUNT_CAP,
        options=filter_options(current_user),
        statuses=labels.pairs("problem_status"),
        categories=labels.pairs("problem_category"),
        today=today_local(),
    )


@bp.get("/problems/<int:problem_id>")
@login_required
def show(problem_id: int):
    problem = get_problem_or_404(current_user, problem_id)
    visit_visible = db.session.scalar(
        select(Visit.id).where(Visit.id == problem.visit_id, visit_scope(current_user))
    )
    allowed = allowed_actions(current_user, problem)
    return render_template(
        "problems/show.html",
        problem=problem,
        can_edit=can_edit_problem(current_user, problem),
        visit_visible=visit_visible is not None,
        today=today_local(),
        allowed=allowed,
        duplicates=likely_duplicates(current_user, problem) if "merge" in allowed else [],
        steps=timeline(problem),
        pending_extension=actions.pending_extension(problem),
        may_rate=actions.may_rate(current_user, problem),
        may_paper_rate=current_user.role == Role.STAFF and problem.answered_at is not None,
        button=BareForm(),
        decision=DecisionForm(),
    )


@bp.route("/problems/<int:problem_id>/edit", methods=["GET", "POST"])
@login_required
def edit(problem_id: int):
    problem = get_problem_or_404(current_user, problem_id)
    if not can_edit_problem(current_user, problem):
        abort(404)
    form = ProblemForm(obj=problem)
    if form.validate_on_submit():
        services.edit_problem(current_user, problem, form.category.data, form.description.data)
        flash(_("问题已保存。"), "success")
        return redirect(url_for("problems.show", problem_id=problem.id))
    return render_template("problems/edit.html", form=form, problem=problem)


@bp.get("/suggestions/")
@login_required
def suggestions():
    filters = read_filters(request.args, current_user)
    query = select(Suggestion).where(suggestion_scope(current_user))
    query = filter_suggestions(query, filters, current_user)
    query = query.order_by(Suggestion.id.desc()).options(*SUGGESTION_ROW)
    page = Page(query, page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template(
        "problems/suggestions.html",
        page=page,
        may_edit=suggestion_editor(current_user),
        filters=filters,
        options=filter_options(current_user),
    )


@bp.route("/suggestions/<int:suggestion_id>/edit", methods=["GET", "POST"])
@login_required
def edit_suggestion(suggestion_id: int):
    suggestion = get_suggestion_or_404(current_user, suggestion_id)
    if not can_edit_suggestion(current_user, suggestion):
        abort(404)
    form = SuggestionForm(obj=suggestion)
    if form.validate_on_submit():
        services.edit_suggestion(current_user, suggestion, form.text.data)
        flash(_("意见建议已保存。"), "success")
        return redirect(url_for("problems.suggestions"))
    return render_template("problems/suggestion_edit.html", form=form, suggestion=suggestion)


@bp.get("/todo")
@login_required
def todo_list():
    require_role(current_user, Role.DEPUTY, Role.STAFF, Role.DEPARTMENT)
    found = todo.sections(current_user, today_local())
    return render_template("problems/todo.html", sections=found, total=todo.total(found))
