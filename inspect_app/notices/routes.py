"""The notice list (提醒) for every role, and the unread count in the navigation."""

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import Notice
from inspect_app.notices.services import mark_read, notices_of, unread_count

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.app_context_processor
def notice_count():
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return unread_count(current_user)

    return {"unread_notices": unread}


@bp.get("/")
@login_required
def index():
    page = db.paginate(
        notices_of(current_user), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template("notices/index.html", page=page, form=FlaskForm())


@bp.get("/<int:notice_id>")
@login_required
def open_notice(notice_id: int):
    """Mark one notice read and go to what it is about."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    if notice.read_at is None:
        db.session.commit()  # end the read; the write below starts as a write (SQLite)
        with writing():
            mark_read(current_user, notice_id)
    return redirect(notice.link or url_for("notices.index"))


@bp.post("/read")
@login_required
def read_all():
    if not FlaskForm().validate_on_submit():
        abort(400)
    mark_read(current_user)
    return redirect(url_for("notices.index"))
