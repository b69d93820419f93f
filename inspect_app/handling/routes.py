"""The problem's life after submission: review, merge, 交办, 办理, 督办, 评价, 待我处理.

Routes are thin: each loads the problem in the user's scope (404 outside it), runs one
action from problems.actions (which checks the transition table) and redirects. An illegal
move is refused with its message and changes nothing.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from inspect_app import labels
from inspect_app.access import get_problem_or_404, problem_scope, require_role
from inspect_app.extensions import db
from inspect_app.handling import forms, todo
from inspect_app.handling.assigning import assign_page
from inspect_app.models import NoteKind, Problem, ReplyLetter, Role, User
from inspect_app.problems import actions
from inspect_app.problems.duplicates import likely_duplicates
from inspect_app.problems.letters import LetterError, check_letter, letter_path
from inspect_app.problems.workflow import BY_ACTION, WorkflowError, check
from inspect_app.templating import today_local

bp = Blueprint("handling", __name__)


def _back(problem):
    return redirect(url_for("problems.show", problem_id=problem.id))


def _refused(problem, error: WorkflowError):
    db.session.rollback()
    flash(str(error), "warning")
    return _back(problem)


def _loaded(problem_id: int, action: str):
    """The problem in scope (else 404) and whether the action is legal now (else a message)."""
    problem = get_problem_or_404(current_user, problem_id)
    try:
        check(current_user, problem, action)
    except WorkflowError as error:
        return problem, error
    return problem, None


def _button(problem_id: int, action: str, run):
    """A button action: CSRF-checked POST, run, back to the problem."""
    problem, refusal = _loaded(problem_id, action)
    if refusal:
        return _refused(problem, refusal)
    if not forms.BareForm().validate_on_submit():
        abort(400)
    try:
        run(problem)
    except WorkflowError as error:
        return _refused(problem, error)
    flash(_("已%(action)s。", action=BY_ACTION[action].label), "success")
    return _back(problem)


def _form_page(problem_id, action, form_class, run, title, done, hint=None):
    """A small form page for an action that needs words (a reason, a note, a message)."""
    problem, refusal = _loaded(problem_id, action)
    if refusal:
        return _refused(problem, refusal)
    form = form_class()
    error = None
    if form.validate_on_submit():
        try:
            run(problem, form)
        except WorkflowError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            flash(done, "success")
            return _back(problem)
    return render_template(
        "handling/action.html", problem=problem, form=form, title=title, hint=hint, error=error
    )


# Review (联络员, staff)


@bp.post("/problems/<int:problem_id>/review")
@login_required
def review(problem_id: int):
    return _button(problem_id, "review", lambda p: actions.review(current_user, p))


@bp.route("/problems/<int:problem_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back(problem_id: int):
    return _form_page(
        problem_id,
        "send_back",
        forms.ReasonForm,
        lambda p, f: actions.send_back(current_user, p, f.reason.data),
        _("退回修改"),
        _("已退回填报人修改。"),
        _("填报人会在首页和问题页看到这个原因。"),
    )


@bp.post("/problems/<int:problem_id>/resubmit")
@login_required
def resubmit(problem_id: int):
    return _button(problem_id, "resubmit", lambda p: actions.resubmit(current_user, p))


@bp.route("/problems/<int:problem_id>/merge", methods=["GET", "POST"])
@login_required
def merge(problem_id: int):
    problem, refusal = _loaded(problem_id, "merge")
    if refusal:
        return _refused(problem, refusal)
    form = forms.MergeForm()
    error = None
    if form.validate_on_submit():
        into = _merge_target(form)
        try:
            if into is None and not (form.into_code.data or "").strip():
                raise WorkflowError(_("请选择要合并到的问题。"))
            if into is None:
                raise WorkflowError(_("没有找到这个编号的问题。"))
            actions.merge(current_user, problem, into)
        except WorkflowError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            flash(_("已合并至 №%(code)s。", code=into.code), "success")
            return redirect(url_for("problems.show", problem_id=into.id))
    return render_template(
        "handling/merge.html",
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
    return _button(problem_id, "unmerge", lambda p: actions.unmerge(current_user, p))


# 交办 (staff)


@bp.route("/problems/<int:problem_id>/assign", methods=["GET", "POST"])
@login_required
def assign(problem_id: int):
    problem, refusal = _loaded(problem_id, "assign")
    if refusal:
        return _refused(problem, refusal)
    return assign_page([problem])


@bp.route("/problems/assign", methods=["GET", "POST"])
@login_required
def assign_many():
    require_role(current_user, Role.STAFF)
    return assign_page(None)


@bp.post("/problems/<int:problem_id>/unassign")
@login_required
def unassign(problem_id: int):
    return _button(problem_id, "unassign", lambda p: actions.unassign(current_user, p))


# 办理 (departments)


@bp.post("/problems/<int:problem_id>/sign")
@login_required
def sign(problem_id: int):
    return _button(problem_id, "sign", lambda p: actions.sign(current_user, p))


@bp.route("/problems/<int:problem_id>/return", methods=["GET", "POST"])
@login_required
def request_return(problem_id: int):
    return _form_page(
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
    return _form_page(
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
    return _form_page(
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
    return _form_page(
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
    problem, refusal = _loaded(problem_id, "decide_extension")
    if refusal:
        return _refused(problem, refusal)
    form = forms.DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "refuse"):
        abort(400)
    approve = form.decision.data == "approve"
    try:
        actions.decide_extension(current_user, problem, approve, form.note.data)
    except WorkflowError as error:
        return _refused(problem, error)
    flash(_("已同意延期。") if approve else _("已不同意延期。"), "success")
    return _back(problem)


@bp.route("/problems/<int:problem_id>/answer", methods=["GET", "POST"])
@login_required
def answer(problem_id: int):
    problem, refusal = _loaded(problem_id, "answer")
    if refusal:
        return _refused(problem, refusal)
    form = forms.AnswerForm()
    error = None
    adoptions = {
        s.id: (request.form.get(f"adoption_{s.id}", ""), request.form.get(f"reason_{s.id}", ""))
        for s in problem.suggestions
    }
    if form.validate_on_submit():
        try:
            actions.answer(current_user, problem, form.text.data, adoptions, _letter(form))
        except (WorkflowError, LetterError) as refused:
            db.session.rollback()
            error = _letter_message(refused) if isinstance(refused, LetterError) else str(refused)
        else:
            flash(_("已答复，等待代表评价。"), "success")
            return _back(problem)
    return render_template(
        "handling/answer.html",
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
    return _form_page(
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
        return _back(problem)
    return _rating_page(problem, forms.RateForm(), None)


@bp.route("/problems/<int:problem_id>/paper-rating", methods=["GET", "POST"])
@login_required
def paper_rating(problem_id: int):
    require_role(current_user, Role.STAFF)
    problem = get_problem_or_404(current_user, problem_id)
    if problem.answered_at is None:
        flash(_("这个问题还没有答复，不能评价。"), "warning")
        return _back(problem)
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
        except WorkflowError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            flash(_("评价已保存。"), "success")
            return _back(problem)
    return render_template(
        "handling/action.html",
        problem=problem,
        form=form,
        title=_("纸质评价录入") if deputy_field else _("评价办理结果"),
        hint=_("满意或基本满意即办结；不满意将退回承办单位重新办理。"),
        error=error,
        radio=True,
    )


# 待我处理


@bp.get("/todo")
@login_required
def todo_list():
    require_role(current_user, Role.DEPUTY, Role.STAFF, Role.DEPARTMENT)
    found = todo.sections(current_user, today_local())
    return render_template("handling/todo.html", sections=found, total=todo.total(found))
