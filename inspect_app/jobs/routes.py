"""我的导出: the user's export jobs, their progress, and the finished files."""

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inspect_app.jobs import services
from inspect_app.jobs.kinds import get_kind
from inspect_app.models import utcnow

bp = Blueprint("jobs", __name__, url_prefix="/exports")


@bp.app_template_global()
def new_request_token() -> str:
    """A token per rendered export button: a double tap sends it twice, one job is made."""
    return uuid.uuid4().hex


@bp.app_template_global()
def export_kind_label(name: str) -> str:
    return str(get_kind(name).label)


def _job_or_404(job_id: int):
    job = services.visible_job(current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/")
@login_required
def index():
    return render_template("jobs/index.html", jobs=services.user_jobs(current_user))


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    job = _job_or_404(job_id)
    return render_template("jobs/show.html", job=job, status=services.status(job))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int):
    response = jsonify(services.status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _job_or_404(job_id)
    path = services.downloadable_path(job)
    if path is None:  # not written yet, failed or expired: the job page says which
        notice = services.job_notice(job, utcnow()) or job.error
        flash(notice or _("文件还没有生成好，请稍候。"), "warning")
        return redirect(url_for("jobs.show", job_id=job.id))
    kind = get_kind(job.kind)
    return send_file(path, mimetype=kind.mimetype, as_attachment=True, download_name=job.filename)
