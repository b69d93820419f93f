"""审核: the 待审核 queue (联络员, staff); approving, sending back, resubmitting and merging
problems and visits. URLs: /review/…, /problems/<id>/review|send-back|resubmit|merge|unmerge.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from inspect_app.access import (
    can_review,
    can_review_any,
    get_problem_or_404,
    get_visit_or_404,
    problem_scope,
)
from inspect_app.extensions import db
from inspect_app.models import Problem
from inspect_app.problems import actions, review
from inspect_app.problems.duplicates import likely_duplicates
from inspect_app.problems.forms import BareForm, MergeForm, ReasonForm
from inspect_app.problems.pages import button, form_page, loaded, refused
from inspect_app.problems.workflow import WorkflowError

bp = Blueprint("review", __name__)


@bp.get("/review/")
@login_required
def index():
    if not can_review_any(current_user):
        abort(404)
    group_id = request.args.get("group_id", type=int)
    found = review.queue(current_user, group_id)
    return render_template("problems/review_queue.html", form=BareForm(), **found)


# Problems


@bp.post("/problems/<int:problem_id>/review")
@login_required
def review_problem(problem_id: int):
    return button(problem_id, "review", lambda p: actions.review(current_user, p))


@bp.route("/problems/<int:problem_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back_problem(problem_id: int):
    return form_page(
        problem_id,
        "send_back",
        ReasonForm,
        lambda p, f: actions.send_back(current_user, p, f.reason.data),
        _("退回修改"),
        _("已退回填报人修改。"),
        _("填报人会在首页和问题页看到这个原因。"),
    )


@bp.post("/problems/<int:problem_id>/resubmit")
@login_required
def resubmit_problem(problem_id: int):
    return button(problem_id, "resubmit", lambda p: actions.resubmit(current_user, p))


@bp.route("/problems/<int:problem_id>/merge", methods=["GET", "POST"])
@login_required
def merge(problem_id: int):
    problem, refusal = loaded(problem_id, "merge")
    if refusal:
        return refused(problem, refusal)
    form = MergeForm()
    error = None
    if form.validate_on_submit():
        into = _merge_target(form)
        try:
            if into is None and not (form.into_code.data or "").strip():
                raise WorkflowError(_("请选择要合并到的问题。"))
            if into is None:
                raise WorkflowError(_("没有找到这个编号的问题。"))
            actions.merge(current_user, problem, into)
        except WorkflowError as failure:
            db.session.rollback()
            error = str(failure)
        else:
            flash(_("已合并至 №%(code)s。", code=into.code), "success")
            return redirect(url_for("problems.show", problem_id=into.id))
    return render_template(
        "problems/merge.html",
        problem=problem,
        form=form,
        duplicates=likely_duplicates(current_user, problem, limit=10),
        error=error,
    )


def _merge_target(form):
    """The chosen problem (in scope, else 404), or the one with the typed code, or None."""
    if form.into_id.data:
        return get_problem_or_404(current_user, form.into_id.data)
    code = (form.into_code.data or "").strip().lstrip("№")
    if not code:
        return None
    return db.session.scalar(
        select(Problem).where(problem_scope(current_user), Problem.code == code)
    )


@bp.post("/problems/<int:problem_id>/unmerge")
@login_required
def unmerge(problem_id: int):
    return button(problem_id, "unmerge", lambda p: actions.unmerge(current_user, p))


# Visits


def _reviewable_visit(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not can_review(current_user, visit.group_id):
        abort(404)
    return visit


def _back_to_visit(visit):
    return redirect(url_for("visits.show", visit_id=visit.id))


@bp.route("/review/visits/<int:visit_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back_visit(visit_id: int):
    visit = _reviewable_visit(visit_id)
    form = ReasonForm()
    error = None
    if form.validate_on_submit():
        try:
            review.send_back_visit(current_user, visit, form.reason.data)
        except WorkflowError as failure:
            db.session.rollback()
            error = str(failure)
        else:
            flash(_("已退回填报人修改。"), "success")
            return _back_to_visit(visit)
    return render_template("problems/send_back_visit.html", visit=visit, form=form, error=error)


@bp.post("/review/visits/<int:visit_id>/approve")
@login_required
def approve_visit(visit_id: int):
    visit = _reviewable_visit(visit_id)
    if not BareForm().validate_on_submit():
        abort(400)
    try:
        review.approve_visit(current_user, visit)
    except WorkflowError as failure:
        db.session.rollback()
        flash(str(failure), "warning")
    else:
        flash(_("已审核。"), "success")
    return redirect(_local(request.form.get("next")) or url_for("review.index"))


def _local(target: str | None) -> str | None:
    """Only a path on this site (no scheme, host or protocol-relative URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.post("/review/visits/<int:visit_id>/resubmit")
@login_required
def resubmit_visit(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not BareForm().validate_on_submit():
        abort(400)
    try:
        review.resubmit_visit(current_user, visit)
    except WorkflowError as failure:
        db.session.rollback()
        flash(str(failure), "warning")
    else:
        flash(_("已重新提交，等待审核。"), "success")
    return _back_to_visit(visit)
