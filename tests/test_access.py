"""Every role against every page: allowed (200), not there (404), or sent to log in."""

import pytest

ROLES = ("demo-deputy", "demo-secretary", "demo-staff", "demo-department", "demo-viewer")
A, N, C = 200, 404, 400  # allowed, answers 404, refused without the page's CSRF token
R = 302  # in scope, but refused with a message (sent back to the problem page)

# page -> expected status for deputy, secretary, staff, department, viewer
MATRIX = {
    "/": (A, A, A, A, A),
    "/visits/": (A, A, A, N, A),
    "/visits/new": (A, A, A, N, N),
    "/visits/{own_visit}": (A, A, A, N, A),
    "/visits/{own_visit}/edit": (A, A, A, N, N),
    "/visits/{other_visit}": (N, N, A, N, A),
    "/visits/{other_visit}/edit": (N, N, A, N, N),
    "/problems/": (A, A, A, A, A),
    "/problems/{own_problem}": (A, A, A, N, A),
    "/problems/{own_problem}/edit": (A, A, A, N, N),
    "/problems/{assigned_problem}": (A, A, A, A, A),
    "/problems/{unassigned_problem}": (N, N, A, N, A),
    "/problems/{unassigned_problem}/edit": (N, N, A, N, N),
    "/suggestions/": (A, A, A, A, A),
    "/account": (A, A, A, A, A),
    "/admin/campaigns/": (N, N, A, N, N),
    "/admin/groups/": (N, N, A, N, N),
    "/admin/groups/{group}/edit": (N, N, A, N, N),
    "/admin/projects/": (N, N, A, N, N),
    "/admin/projects/new": (N, N, A, N, N),
    "/admin/departments/": (N, N, A, N, N),
    "/admin/departments/{housing}/edit": (N, N, A, N, N),
    "/ledger/export.xlsx": (N, A, A, A, A),
    "/ledger/handover/": (N, N, A, A, N),
    "/ledger/handover/{housing}.xlsx?assigned_from=2000-01-01": (N, N, A, A, N),
    "/ledger/handover.zip": (N, N, A, N, N),
    "/ledger/weekly": (N, A, A, N, N),
    "/ledger/weekly.xlsx?group_id={group}": (N, A, A, N, N),
    "/ledger/weekly.xlsx?group_id={other_group}": (N, N, A, N, N),
    "/imports/": (N, N, A, N, N),
    "/exports/": (A, A, A, A, A),
    "/imports/template/projects.xlsx": (N, N, A, N, N),
    "/admin/users/": (N, N, A, N, N),
    "/admin/users/new": (N, N, A, N, N),
    "/admin/users/{users[demo-deputy]}": (N, N, A, N, N),
    "/admin/log/": (N, N, A, N, N),
    "/admin/log/?entity=problem&entity_id={assigned_problem}": (N, N, A, N, N),
    "/admin/log/export.xlsx": (N, N, A, N, N),
    "/admin/settings/": (N, N, A, N, N),
    "/admin/projects/?visited=no": (N, N, A, N, N),
    "/notices/": (A, A, A, A, A),
    "/dashboard/": (N, A, A, N, A),
    "/dashboard/departments": (N, A, A, N, A),
    "/dashboard/?campaign_id=1": (N, A, A, N, A),
    "/search/projects.json?q=项目": (C, C, C, C, C),
    "/search/people.json?q=陈": (C, C, C, N, C),
}

# The problem loop's pages, checked per page for all roles on one database (GETs change nothing)
LOOP_PAGES = {
    "/review/": (N, A, A, N, N),
    "/review/visits/{own_visit}/send-back": (N, A, A, N, N),
    "/todo": (A, A, A, A, N),
    "/problems/assign": (N, N, A, N, N),
    "/problems/{own_problem}/send-back": (R, A, A, N, R),
    "/problems/{own_problem}/merge": (R, A, A, N, R),
    "/problems/{own_problem}/assign": (R, R, R, N, R),
    "/problems/{reviewed_problem}/assign": (N, N, A, N, R),
    "/problems/{assigned_problem_open}/return": (N, N, R, A, R),
    "/problems/{in_progress_problem}/progress": (N, N, R, A, R),
    "/problems/{in_progress_problem}/co-opinion": (N, N, R, R, R),
    "/problems/{in_progress_problem}/extension": (N, N, R, A, R),
    "/problems/{in_progress_problem}/answer": (N, N, R, A, R),
    "/problems/{in_progress_problem}/urge": (N, N, A, R, R),
    "/problems/{assigned_problem}/rate": (A, R, R, R, R),
    "/problems/{assigned_problem}/paper-rating": (N, N, A, N, N),
}

# POST: N answers 404; R is refused and changes nothing; A may act (200 or 302)
POSTS = {
    "/review/visits/{own_visit}/send-back": (N, A, A, N, N),
    "/review/visits/{own_visit}/approve": (N, A, A, N, N),
    "/review/visits/{own_visit}/resubmit": (R, R, R, N, R),
    "/problems/assign": (N, N, A, N, N),
    "/problems/{own_problem}/review": (R, A, A, N, R),
    "/problems/{own_problem}/send-back": (R, A, A, N, R),
    "/problems/{own_problem}/resubmit": (R, R, R, N, R),
    "/problems/{own_problem}/merge": (R, A, A, N, R),
    "/problems/{own_problem}/unmerge": (R, R, R, N, R),
    "/problems/{reviewed_problem}/assign": (N, N, A, N, R),
    "/problems/{assigned_problem_open}/unassign": (N, N, A, R, R),
    "/problems/{assigned_problem_open}/sign": (N, N, R, A, R),
    "/problems/{assigned_problem_open}/return": (N, N, R, A, R),
    "/problems/{in_progress_problem}/progress": (N, N, R, A, R),
    "/problems/{in_progress_problem}/co-opinion": (N, N, R, R, R),
    "/problems/{in_progress_problem}/extension": (N, N, R, A, R),
    "/problems/{in_progress_problem}/extension/decide": (N, N, R, R, R),
    "/problems/{in_progress_problem}/answer": (N, N, R, A, R),
    "/problems/{in_progress_problem}/urge": (N, N, A, R, R),
    "/problems/{assigned_problem}/rate": (A, R, R, R, R),
    "/problems/{assigned_problem}/paper-rating": (N, N, A, N, N),
}


def _cases():
    for url, expected in MATRIX.items():
        for role, status in zip(ROLES, expected, strict=True):
            yield pytest.param(url, role, status, id=f"{role}:{url}")


@pytest.fixture
def ids(app, demo):
    """The demo ids plus problems in the states the loop's pages need."""
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Problem

    def first(*where):
        return db.session.scalar(select(Problem.id).where(*where).order_by(Problem.id))

    with app.app_context():
        housing = Problem.lead_department_id == demo["housing"]
        return {
            **demo,
            "reviewed_problem": first(
                Problem.status == "reviewed", Problem.group_id != demo["group"]
            ),
            "assigned_problem_open": first(Problem.status == "assigned", housing),
            "in_progress_problem": first(Problem.status == "in_progress", housing),
        }


@pytest.mark.parametrize(("url", "role", "status"), list(_cases()))
def test_access_matrix(client, login, ids, url, role, status):
    login(role)
    with client.get(url.format(**ids)) as response:
        assert response.status_code == status


def _signed_in(app, role: str):
    from support import csrf_token

    from inspect_app.demo.seed import DEMO_PASSWORD

    client = app.test_client()
    token = csrf_token(client, "/login")
    data = {"login": role, "password": DEMO_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return client


@pytest.mark.parametrize("url", list(LOOP_PAGES))
def test_loop_pages_for_every_role(app, ids, url):
    for role, status in zip(ROLES, LOOP_PAGES[url], strict=True):
        with _signed_in(app, role).get(url.format(**ids)) as response:
            assert response.status_code == status, role


@pytest.mark.parametrize("url", list(POSTS))
def test_loop_posts_for_every_role(app, ids, url):
    """Refused and out-of-scope roles first (they must change nothing), then those allowed."""
    from sqlalchemy import func, select
    from support import csrf_token

    from inspect_app.extensions import db
    from inspect_app.models import AuditEvent

    def events():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEvent))

    cases = sorted(zip(ROLES, POSTS[url], strict=True), key=lambda pair: pair[1] == A)
    for role, status in cases:
        client = _signed_in(app, role)
        token = csrf_token(client, "/account")
        before = events()
        with client.post(url.format(**ids), data={"csrf_token": token}) as response:
            if status == N:
                assert response.status_code == 404, role
            else:
                assert response.status_code in (200, 302), role
        if status != A:
            assert events() == before, role


@pytest.mark.parametrize("url", [u for u in MATRIX if u != "/"] + list(LOOP_PAGES) + ["/"])
def test_anonymous_is_sent_to_login(client, ids, url):
    with client.get(url.format(**ids)) as response:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_lists_hold_only_rows_in_scope(client, login, demo, app):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Problem

    with app.app_context():
        own_codes = set(
            db.session.scalars(select(Problem.code).where(Problem.group_id == demo["group"]))
        )
        other_codes = set(
            db.session.scalars(select(Problem.code).where(Problem.group_id != demo["group"]))
        )
    login("demo-deputy")
    page = client.get("/problems/").get_data(as_text=True)
    assert all(code in page for code in own_codes)
    assert not any(code in page for code in other_codes)


def test_department_list_holds_only_its_problems(client, login, demo, app):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Problem

    with app.app_context():
        theirs = set(
            db.session.scalars(
                select(Problem.code).where(Problem.lead_department_id == demo["housing"])
            )
        )
        never = set(
            db.session.scalars(select(Problem.code).where(Problem.lead_department_id.is_(None)))
        )
    login("demo-department")
    page = client.get("/problems/").get_data(as_text=True)
    assert theirs and all(code in page for code in theirs)
    assert never and not any(code in page for code in never)


def test_photo_of_another_group_answers_404(client, login, app, demo):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Photo

    with app.app_context():
        photos = db.session.scalars(select(Photo)).all()
        own = next(p.id for p in photos if p.visit.group_id == demo["group"])
        other = next(p.id for p in photos if p.visit.group_id != demo["group"])
    login("demo-deputy")
    with client.get(f"/photos/{own}/thumb") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert client.get(f"/photos/{other}/thumb").status_code == 404
    assert client.get(f"/photos/{other}").status_code == 404


def test_post_without_csrf_token_is_refused(client, login, demo):
    login("demo-deputy")
    response = client.post(f"/visits/{demo['own_visit']}/delete")
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get(f"/visits/{demo['own_visit']}").status_code == 200


# state-changing route -> expected answer to a POST (with a valid CSRF token) for deputy,
# secretary, staff, department, viewer: A = handled (the form answers or the change is
# made), N = 404 and nothing written
POST_MATRIX = {
    "/visits/new": (A, A, A, N, N),
    "/visits/{own_visit}/edit": (A, A, A, N, N),
    "/visits/{other_visit}/edit": (N, N, A, N, N),
    "/visits/{own_visit}/review": (N, A, A, N, N),
    "/visits/{other_visit}/review": (N, N, A, N, N),
    "/visits/{own_visit}/delete": (A, A, A, N, N),
    "/visits/{other_visit}/delete": (N, N, A, N, N),
    "/problems/{own_problem}/edit": (A, A, A, N, N),
    "/problems/{assigned_problem}/edit": (N, A, A, N, N),
    "/problems/{unassigned_problem}/edit": (N, N, A, N, N),
    "/suggestions/{other_suggestion}/edit": (N, N, A, N, N),
    "/admin/campaigns/new": (N, N, A, N, N),
    "/admin/groups/{group}/edit": (N, N, A, N, N),
    "/admin/groups/{group}/members": (N, N, A, N, N),
    "/admin/groups/{group}/members/{deputy}/remove": (N, N, A, N, N),
    "/admin/projects/new": (N, N, A, N, N),
    "/admin/departments/{housing}/edit": (N, N, A, N, N),
    "/imports/": (N, N, A, N, N),
    "/ledger/export.xlsx": (N, A, A, A, A),
    "/ledger/handover/{housing}.xlsx": (N, N, A, A, N),
    "/ledger/handover.zip": (N, N, A, N, N),
    "/ledger/weekly.xlsx?group_id={group}": (N, A, A, N, N),
    "/ledger/weekly.xlsx?group_id={other_group}": (N, N, A, N, N),
    "/account": (A, A, A, A, A),
    "/account/language": (A, A, A, A, A),
    "/logout": (A, A, A, A, A),
}


def _post_cases():
    for url, expected in POST_MATRIX.items():
        for role, status in zip(ROLES, expected, strict=True):
            yield pytest.param(url, role, status, id=f"POST {role}:{url}")


@pytest.fixture
def post_ids(app, demo):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Suggestion

    with app.app_context():
        other = db.session.scalar(
            select(Suggestion).where(
                Suggestion.group_id == demo["other_group"], Suggestion.problem_id.is_(None)
            )
        )
    return {**demo, "other_suggestion": other.id, "deputy": demo["users"]["demo-deputy"]}


def _audit_count(app) -> int:
    from sqlalchemy import func, select

    from inspect_app.extensions import db
    from inspect_app.models import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize(("url", "role", "status"), list(_post_cases()))
def test_post_matrix(app, client, login, post_ids, url, role, status):
    from support import csrf_token

    login(role)
    token = csrf_token(client, "/account")
    before = _audit_count(app)
    response = client.post(url.format(**post_ids), data={"csrf_token": token})
    if status == N:
        assert response.status_code == 404
        assert _audit_count(app) == before  # refused means nothing was written
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize("url", list(POST_MATRIX))
def test_anonymous_post_is_sent_to_login(app, client, post_ids, url):
    from support import csrf_token

    token = csrf_token(client, "/login")
    before = _audit_count(app)
    response = client.post(url.format(**post_ids), data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _audit_count(app) == before
