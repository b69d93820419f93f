"""Visits: the phone form, the group's list, one visit, review and delete."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.access import (
    can_delete_visit,
    can_edit_visit,
    can_review,
    get_visit_or_404,
    require_role,
    visit_scope,
)
from inspect_app.extensions import db
from inspect_app.listing.filters import (
    Page,
    filter_options,
    filter_visits,
    page_number,
    read_filters,
)
from inspect_app.listing.rows import VISIT_ROW
from inspect_app.models import Role, Visit
from inspect_app.photo_files.services import photo_root
from inspect_app.photos import delete_photo_files
from inspect_app.visits import services
from inspect_app.visits.formflow import run_visit_form, visit_input
from inspect_app.visits.forms import ReviewForm

bp = Blueprint("visits", __name__, url_prefix="/visits")


@bp.get("/")
@login_required
def index():
    require_role(current_user, Role.DEPUTY, Role.STAFF, Role.VIEWER)
    filters = read_filters(request.args, current_user)
    query = select(Visit).where(visit_scope(current_user))
    query = filter_visits(query, filters, current_user)
    query = query.order_by(Visit.visited_on.desc(), Visit.id.desc()).options(*VISIT_ROW)
    page = Page(query, page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template(
        "visits/index.html", page=page, filters=filters, options=filter_options(current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    groups = services.loggable_groups(current_user)
    if not groups:
        abort(404)
    if request.method == "POST":
        existing = services.find_by_uuid(request.form.get("client_uuid", ""))
        if existing is not None:
            return _already_saved(existing)
    state = run_visit_form(current_user, groups)
    if state.ready:
        data = visit_input(state)
        stored = services.stored_submission(current_user, data)
        if stored is not None and services.adds_to(stored, data):
            state.saved_as = stored  # reached again by Back, then more typed: nothing is dropped
            state.ready = False
        elif stored is not None:
            return _already_saved(stored)
    if state.ready:
        try:
            visit = services.create_visit(current_user, data)
        except IntegrityError:  # the same submission arrived twice at once
            db.session.rollback()
            existing = services.find_by_uuid(state.form.client_uuid.data)
            if existing is None:
                raise
            return _already_saved(existing)
        flash(_("视察记录已保存。"), "success")
        return redirect(url_for("visits.show", visit_id=visit.id))
    return render_template("visits/form.html", state=state, form=state.form, visit=None)


def _already_saved(visit: Visit):
    if visit.author_id != current_user.id:
        abort(404)
    flash(_("这条视察记录已经保存过了，没有重复保存。"), "info")
    return redirect(url_for("visits.show", visit_id=visit.id))


@bp.get("/<int:visit_id>")
@login_required
def show(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    return render_template(
        "visits/show.html",
        visit=visit,
        can_edit=can_edit_visit(current_user, visit),
        can_delete=can_delete_visit(current_user, visit),
        can_review=can_review(current_user, visit.group_id) and not visit.is_reviewed,
        action_form=ReviewForm(),
    )


@bp.route("/<int:visit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not can_edit_visit(current_user, visit):
        if visit.author_id != current_user.id:
            abort(404)
        flash(_("这条记录已审核，不能再修改。如需更正请联系本组联络员。"), "warning")
        return redirect(url_for("visits.show", visit_id=visit.id))
    state = run_visit_form(current_user, [visit.group], visit)
    if state.ready:
        services.update_visit(current_user, visit, visit_input(state))
        flash(_("修改已保存。"), "success")
        return redirect(url_for("visits.show", visit_id=visit.id))
    return render_template("visits/form.html", state=state, form=state.form, visit=visit)


@bp.post("/<int:visit_id>/review")
@login_required
def review(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    if not can_review(current_user, visit.group_id):
        abort(404)
    if ReviewForm().validate_on_submit() and not visit.is_reviewed:
        services.review_visit(current_user, visit)
        flash(_("已审核。"), "success")
    return redirect(url_for("visits.show", visit_id=visit.id))


@bp.route("/<int:visit_id>/delete", methods=["GET", "POST"])
@login_required
def delete(visit_id: int):
    """GET asks for confirmation (works without JavaScript); POST deletes."""
    visit = get_visit_or_404(current_user, visit_id)
    if not can_edit_visit(current_user, visit):
        abort(404)
    if not can_delete_visit(current_user, visit):
        flash(_("这条记录里有问题已交办给承办单位，不能删除。如需更正请联系工作人员。"), "warning")
        return redirect(url_for("visits.show", visit_id=visit.id))
    form = ReviewForm()
    if request.method == "GET":
        photos = services.photo_count(visit)
        return render_template("visits/delete.html", visit=visit, form=form, photo_count=photos)
    if not form.validate_on_submit():
        abort(400)
    keys = services.delete_visit(current_user, visit)
    db.session.commit()
    for key in keys:
        delete_photo_files(photo_root(), key)
    flash(_("视察记录已删除。"), "success")
    return redirect(url_for("visits.index"))
