"""GET /search/projects.json?q= and /search/people.json?q= for the filter fields' script.

Read-only, scoped like every list, and asked with the page's CSRF token in the X-CSRFToken
header: another site cannot read the answers (no CORS) nor include them as a script.
"""

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from inspect_app.access import require_role
from inspect_app.listing import search
from inspect_app.models import Role

SEARCH_PEOPLE_ROLES = (Role.DEPUTY, Role.STAFF, Role.VIEWER)

bp = Blueprint("search", __name__, url_prefix="/search")


def _answer(find):
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            abort(400)
    text = (request.args.get("q") or "").strip()[:50]
    results = find(current_user, text) if text else []
    response = jsonify({"q": text, "results": results})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/projects.json")
@login_required
def projects():
    return _answer(search.projects)


@bp.get("/people.json")
@login_required
def people():
    require_role(current_user, *SEARCH_PEOPLE_ROLES)
    return _answer(search.people)
