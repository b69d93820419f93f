"""A problem after review: 交办, 办理 (签收, 进展, 协办意见, 延期, 退回, 答复), 督办, 评价.

Routes are thin: each loads the problem in the user's scope (404 outside it), runs one
action from problems.actions (which checks the transition table) and redirects. An illegal
move is refused with its message and changes nothing.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    render_template,
    request,
    send_file,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from inspect_app import labels
from inspect_app.access import get_problem_or_404, require_role
from inspect_app.extensions import db
from inspect_app.models import NoteKind, ReplyLetter, Role, User
from inspect_app.problems import actions, forms
from inspect_app.problems.assigning import assign_page
from inspect_app.problems.letters import LetterError, check_letter, letter_path
from inspect_app.problems.pages import back, button, form_page, loaded, refused
from inspect_app.problems.workflow import WorkflowError

bp = Blueprint("handling", __name__)


# 交办 (staff)


@bp.route("/problems/<int:problem_id>/assign", methods=["GET", "POST"])
@login_required
def assign(problem_id: int):
    problem, refusal = loaded(problem_id, "assign")
    if refusal:
        return refused(problem, refusal)
    return assign_page([problem])


@bp.route("/problems/assign", methods=["GET", "POST"])
@login_required
def assign_many():
    require_role(current_user, Role.STAFF)
    return assign_page(None)


@bp.post("/problems/<int:problem_id>/unassign")
@login_required
def unassign(problem_id: int):
    return button(problem_id, "unassign", lambda p: actions.unassign(current_user, p))


# 办理 (departments)


@bp.post("/problems/<int:problem_id>/sign")
@login_required
def sign(problem_id: int):
    return button(problem_id, "sign", lambda p: actions.sign(current_user, p))


@bp.route("/problems/<int:problem_id>/return", methods=["GET", "POST"])
@login_required
def request_return(problem_id: int):
    return form_page(
        problem_id,
        "request_return",
        forms.ReasonForm,
        lambda p, f: actions.request_return(current_user, p, f.reason.data),
        _("申请退回"),
        _("已申请退回，工作人员将重新交办。"),
        _("例如：不属于本单位职责，建议交由哪个单位办理。"),
    )


@bp.route("/problems/<int:problem_id>/progress", methods=["GET", "POST"])
@login_required
def progress(problem_id: int):
    return form_page(
        problem_id,
        "progress",
        forms.NoteForm,
        lambda p, f: actions.add_note(current_user, p, f.text.data),
        _("办理进展"),
        _("办理进展已记录。"),
    )


@bp.route("/problems/<int:problem_id>/co-opinion", methods=["GET", "POST"])
@login_required
def co_opinion(problem_id: int):
    return form_page(
        problem_id,
        "co_opinion",
        forms.NoteForm,
        lambda p, f: actions.add_note(current_user, p, f.text.data, NoteKind.CO_OPINION),
        _("协办意见"),
        _("协办意见已记录。"),
    )


@bp.route("/problems/<int:problem_id>/extension", methods=["GET", "POST"])
@login_required
def request_extension(problem_id: int):
    return form_page(
        problem_id,
        "request_extension",
        forms.ExtensionForm,
        lambda p, f: actions.request_extension(current_user, p, f.new_deadline.data, f.reason.data),
        _("申请延期"),
        _("延期申请已提交，等待工作人员审批。"),
    )


@bp.post("/problems/<int:problem_id>/extension/decide")
@login_required
def decide_extension(problem_id: int):
    problem, refusal = loaded(problem_id, "decide_extension")
    if refusal:
        return refused(problem, refusal)
    form = forms.DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "refuse"):
        abort(400)
    approve = form.decision.data == "approve"
    try:
        actions.decide_extension(current_user, problem, approve, form.note.data)
    except WorkflowError as error:
        return refused(problem, error)
    flash(_("已同意延期。") if approve else _("已不同意延期。"), "success")
    return back(problem)


@bp.route("/problems/<int:problem_id>/answer", methods=["GET", "POST"])
@login_required
def answer(problem_id: int):
    problem, refusal = loaded(problem_id, "answer")
    if refusal:
        return refused(problem, refusal)
    form = forms.AnswerForm()
    error = None
    adoptions = {
        s.id: (request.form.get(f"adoption_{s.id}", ""), request.form.get(f"reason_{s.id}", ""))
        for s in problem.suggestions
    }
    if form.validate_on_submit():
        try:
            actions.answer(current_user, problem, form.text.data, adoptions, _letter(form))
        except (WorkflowError, LetterError) as failure:
            db.session.rollback()
            error = _letter_message(failure) if isinstance(failure, LetterError) else str(failure)
        else:
            flash(_("已答复，等待代表评价。"), "success")
            return back(problem)
    return render_template(
        "problems/answer.html",
        problem=problem,
        form=form,
        adoptions=adoptions,
        adoption_choices=labels.pairs("adoption"),
        letter_mb=int(current_app.config["REPLY_MAX_BYTES"]) // (1024 * 1024),
        error=error,
    )


def _letter(form):
    upload = form.letter.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    limit = int(current_app.config["REPLY_MAX_BYTES"])
    data = upload.read(limit + 1)
    return check_letter(data, limit), upload.filename


def _letter_message(error: LetterError) -> str:
    limit = int(current_app.config["REPLY_MAX_BYTES"]) // (1024 * 1024)
    return {
        "empty": _("答复函是空文件。"),
        "too_large": _("答复函不能超过 %(mb)s MB。", mb=limit),
        "not_allowed": _("答复函只接受 PDF、Word（.doc、.docx）或照片（JPEG、PNG、WebP）。"),
    }[error.code]


@bp.get("/problems/<int:problem_id>/letters/<int:letter_id>")
@login_required
def letter(problem_id: int, letter_id: int):
    problem = get_problem_or_404(current_user, problem_id)
    found = db.session.get(ReplyLetter, letter_id)
    if found is None or found.problem_id != problem.id:
        abort(404)
    path = letter_path(actions.reply_root(), found.storage_key)
    if not path.exists():
        abort(404)
    response = send_file(
        path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# 督办 (staff)


@bp.route("/problems/<int:problem_id>/urge", methods=["GET", "POST"])
@login_required
def urge(problem_id: int):
    return form_page(
        problem_id,
        "urge",
        forms.UrgeForm,
        lambda p, f: actions.urge(current_user, p, f.message.data),
        _("督办"),
        _("已督办，承办单位会在首页看到督办意见。"),
    )


# 满意度 (deputies; staff for paper ratings)


@bp.route("/problems/<int:problem_id>/rate", methods=["GET", "POST"])
@login_required
def rate(problem_id: int):
    problem = get_problem_or_404(current_user, problem_id)
    if not actions.may_rate(current_user, problem):
        flash(_rate_refusal(problem), "warning")
        return back(problem)
    return _rating_page(problem, forms.RateForm(), None)


@bp.route("/problems/<int:problem_id>/paper-rating", methods=["GET", "POST"])
@login_required
def paper_rating(problem_id: int):
    require_role(current_user, Role.STAFF)
    problem = get_problem_or_404(current_user, problem_id)
    if problem.answered_at is None:
        flash(_("这个问题还没有答复，不能评价。"), "warning")
        return back(problem)
    form = forms.PaperRateForm()
    form.deputy_id.choices = [SelectChoice(u.id, u.name) for u in problem.raised_by]
    return _rating_page(problem, form, form.deputy_id)


def _rate_refusal(problem) -> str:
    if problem.answered_at is None:
        return _("这个问题还没有答复，不能评价。")
    if current_user.id not in {u.id for u in problem.raised_by}:
        return _("只有提出这个问题的代表才能评价。")
    return _("您已经评价过这次答复。")


def _rating_page(problem, form, deputy_field):
    error = None
    if form.validate_on_submit():
        deputy = db.session.get(User, deputy_field.data) if deputy_field else None
        try:
            actions.rate(current_user, problem, form.satisfaction.data, form.comment.data, deputy)
        except WorkflowError as failure:
            db.session.rollback()
            error = str(failure)
        else:
            flash(_("评价已保存。"), "success")
            return back(problem)
    return render_template(
        "problems/action.html",
        problem=problem,
        form=form,
        title=_("纸质评价录入") if deputy_field else _("评价办理结果"),
        hint=_("满意或基本满意即办结；不满意将退回承办单位重新办理。"),
        error=error,
        radio=True,
    )
