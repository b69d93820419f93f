"""The 待审核 queue (联络员, staff) and the visit review actions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.access import can_review, can_review_any, get_visit_or_404
from inspect_app.extensions import db
from inspect_app.handling.forms import BareForm, ReasonForm
from inspect_app.problems.workflow import WorkflowError
from inspect_app.review import services

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@login_required
def index():
    if not can_review_any(current_user):
        abort(404)
    group_id = request.args.get("group_id", type=int)
    found = services.queue(current_user, group_id)
    return render_template("review/index.html", form=BareForm(), **found)


def _reviewable_visit(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not can_review(current_user, visit.group_id):
        abort(404)
    return visit


def _back(visit):
    return redirect(url_for("visits.show", visit_id=visit.id))


@bp.route("/visits/<int:visit_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back_visit(visit_id: int):
    visit = _reviewable_visit(visit_id)
    form = ReasonForm()
    error = None
    if form.validate_on_submit():
        try:
            services.send_back_visit(current_user, visit, form.reason.data)
        except WorkflowError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            flash(_("已退回填报人修改。"), "success")
            return _back(visit)
    return render_template("review/send_back_visit.html", visit=visit, form=form, error=error)


@bp.post("/visits/<int:visit_id>/approve")
@login_required
def approve_visit(visit_id: int):
    visit = _reviewable_visit(visit_id)
    if not BareForm().validate_on_submit():
        abort(400)
    try:
        services.approve_visit(current_user, visit)
    except WorkflowError as refused:
        db.session.rollback()
        flash(str(refused), "warning")
    else:
        flash(_("已审核。"), "success")
    return redirect(_local(request.form.get("next")) or url_for("review.index"))


def _local(target: str | None) -> str | None:
    """Only a path on this site (no scheme, host or protocol-relative URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.post("/visits/<int:visit_id>/resubmit")
@login_required
def resubmit_visit(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not BareForm().validate_on_submit():
        abort(400)
    try:
        services.resubmit_visit(current_user, visit)
    except WorkflowError as refused:
        db.session.rollback()
        flash(str(refused), "warning")
    else:
        flash(_("已重新提交，等待审核。"), "success")
    return _back(visit)
