"""What every action page on a problem shares: load it in scope, check the move, go back.

An action is refused with its message and changes nothing: the session is rolled back and
the user returns to the problem (a button) or sees the message on the form (a page).
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.access import get_problem_or_404
from inspect_app.extensions import db
from inspect_app.problems.forms import BareForm
from inspect_app.problems.workflow import BY_ACTION, WorkflowError, check


def back(problem):
    return redirect(url_for("problems.show", problem_id=problem.id))


def refused(problem, error: WorkflowError):
    db.session.rollback()
    flash(str(error), "warning")
    return back(problem)


def loaded(problem_id: int, action: str):
    """The problem in scope (else 404) and whether the action is legal now (else a message)."""
    problem = get_problem_or_404(current_user, problem_id)
    try:
        check(current_user, problem, action)
    except WorkflowError as error:
        return problem, error
    return problem, None


def button(problem_id: int, action: str, run):
    """A button action: CSRF-checked POST, run, back to the problem."""
    problem, refusal = loaded(problem_id, action)
    if refusal:
        return refused(problem, refusal)
    if not BareForm().validate_on_submit():
        abort(400)
    try:
        run(problem)
    except WorkflowError as error:
        return refused(problem, error)
    flash(_("已%(action)s。", action=BY_ACTION[action].label), "success")
    return back(problem)


def form_page(problem_id, action, form_class, run, title, done, hint=None):
    """A small form page for an action that needs words (a reason, a note, a message)."""
    problem, refusal = loaded(problem_id, action)
    if refusal:
        return refused(problem, refusal)
    form = form_class()
    error = None
    if form.validate_on_submit():
        try:
            run(problem, form)
        except WorkflowError as failure:
            db.session.rollback()
            error = str(failure)
        else:
            flash(done, "success")
            return back(problem)
    return render_template(
        "problems/action.html", problem=problem, form=form, title=title, hint=hint, error=error
    )
