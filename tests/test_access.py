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


@pytest.fixture
def loop_ids(ids, app, make_problem):
    """The loop's ids plus a duplicate to merge into, a raiser and a later deadline."""
    from datetime import timedelta

    from inspect_app.extensions import db
    from inspect_app.models import Problem

    duplicate = make_problem(visit=ids["own_visit"])  # the same project: it may be merged
    with app.app_context():
        problem = db.session.get(Problem, ids["in_progress_problem"])
        later = problem.deadline + timedelta(days=60)
        raiser = db.session.get(Problem, ids["assigned_problem"]).raised_by[0].id
        advice = [s.id for s in problem.suggestions]  # each answered with its adoption
        return {**ids, "merge_target": duplicate.id, "later": later, "raiser": raiser,
                "advice": advice}  # fmt: skip


@pytest.mark.parametrize(
    ("url", "role", "status"),
    [
        pytest.param(url, role, status, id=f"POST {role}:{url}")
        for url, expected in POSTS.items()
        for role, status in zip(ROLES, expected, strict=True)
    ],
)
def test_loop_posts_for_every_role(app, client, login, loop_ids, url, role, status):
    """An allowed action shows its effect; a refused or hidden one changes nothing at all."""
    effect = LOOP_EFFECTS[url]
    login(role)
    before = effect.state(app, loop_ids, role)
    answer = _post(client, url, effect, loop_ids, from_page=False)
    assert answer.status_code == (404 if status == N else 302), _errors(answer)
    effect.check(before, effect.state(app, loop_ids, role), allowed=status == A)


@pytest.mark.parametrize("url", list(POSTS))
def test_every_loop_post_has_an_effect_to_check(url):
    assert url in LOOP_EFFECTS


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
    "/visits/{other_open_visit}/review": (N, N, A, N, N),
    "/visits/{own_visit}/delete": (A, A, A, N, N),
    "/visits/{other_open_visit}/delete": (N, N, A, N, N),
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
    "/ledger/handover/{housing}.xlsx?assigned_from=2000-01-01": (N, N, A, A, N),
    "/ledger/handover.zip?assigned_from=2000-01-01": (N, N, A, N, N),
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
def post_ids(app, demo, make_visit, make_user):
    """The demo ids, another group's visit still open to review, a deputy of no group."""
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Suggestion, Visit

    with app.app_context():
        own_project = db.session.get(Visit, demo["own_visit"]).project_id
        other = db.session.scalar(
            select(Suggestion)
            .where(Suggestion.group_id == demo["other_group"], Suggestion.problem_id.is_(None))
            .order_by(Suggestion.id)
        )
    return {
        **demo,
        "other_suggestion": other.id,
        "deputy": demo["users"]["demo-deputy"],
        "other_open_visit": make_visit(group=demo["other_group"]).id,
        "newcomer": make_user(role="deputy").username,
        "project": own_project,
    }


def _audit_count(app) -> int:
    from sqlalchemy import func, select

    from inspect_app.extensions import db
    from inspect_app.models import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize(("url", "role", "status"), list(_post_cases()))
def test_post_matrix(app, client, login, post_ids, url, role, status):
    """An allowed POST with a filled form does what it says; a hidden one changes nothing."""
    effect = POST_EFFECTS[url]
    login(role)
    before = effect.state(app, post_ids, role)
    answer = _post(client, url, effect, post_ids, from_page=status == A)
    assert answer.status_code in {N: (404,), R: (302,), A: (200, 302)}[status], _errors(answer)
    effect.check(before, effect.state(app, post_ids, role), allowed=status == A)


def test_every_post_has_an_effect_to_check():
    assert set(POST_MATRIX) == set(POST_EFFECTS)


@pytest.mark.parametrize("url", list(POST_MATRIX))
def test_anonymous_post_is_sent_to_login(app, client, post_ids, url):
    from support import csrf_token

    token = csrf_token(client, "/login")
    before = _audit_count(app)
    response = client.post(url.format(**post_ids), data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _audit_count(app) == before


# What each POST does. An allowed POST (A) must leave its mark where the probe looks: the
# probe is SQL on the row the URL changes, `done(before, after)` says the change is there.
# A refused (R) or hidden (N) POST must change nothing: neither the probe's row nor the
# number of rows in any table nor the latest change of any row.


class Effect:
    def __init__(self, probe: str, done=None, fields=None, page=False, prefix=""):
        self.probe = probe  # SQL with the ids as {placeholders}, and {role}
        self.done = done  # None: no role may do it
        self.fields = fields or {}  # the form as filled in; values may name {ids}
        self.page = page  # an allowed role fills the form on the page itself first
        self.prefix = prefix  # the form's field prefix (its CSRF field carries it too)

    def data(self, ids: dict) -> dict:
        if callable(self.fields):
            return self.fields(ids)
        return {
            name: value(ids) if callable(value) else str(value).format(**ids)
            for name, value in self.fields.items()
        }

    def state(self, app, ids: dict, role: str):
        from sqlalchemy import text

        from inspect_app.extensions import db

        with app.app_context():
            probe = db.session.scalar(text(self.probe.format(**ids, role=role)))
            return probe, _fingerprint(db)

    def check(self, before, after, allowed: bool) -> None:
        if allowed:
            assert self.done is not None, "an allowed POST needs an effect to check"
            assert self.done(before[0], after[0]), (before[0], after[0])
        else:
            assert after == before  # the row, every table's rows, every row's last change


def _fingerprint(db) -> dict:
    """Rows per table, and the latest updated_at of the tables that keep one."""
    from sqlalchemy import func, select

    found = {}
    for table in db.metadata.sorted_tables:
        found[table.name] = db.session.scalar(select(func.count()).select_from(table))
        if "updated_at" in table.c:
            found[f"{table.name}.updated_at"] = db.session.scalar(
                select(func.max(table.c.updated_at))
            )
    return found


def becomes(value):
    return lambda before, after: before != value and after == value


def grows(by: int = 1):
    return lambda before, after: after == before + by


def changes(before, after) -> bool:
    return after != before


def _post(client, url: str, effect: Effect, ids: dict, from_page: bool):
    from support import csrf_token, form_values

    target = url.format(**ids)
    if from_page and effect.page:
        data = form_values(client.get(target).get_data(as_text=True), target)
    else:
        data = {"csrf_token": csrf_token(client, "/account")}
    data.update(effect.data(ids))
    if effect.prefix:
        data[f"{effect.prefix}-csrf_token"] = data["csrf_token"]
    return client.post(target, data=data)


def _status(table: str, key: str) -> str:
    return f"SELECT status FROM {table} WHERE id = {{{key}}}"


def _projects_file(_ids) -> tuple:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["项目名称", "镇街", "项目编号"])
    book.active.append(["矩阵测试项目", "大朗镇", "MATRIX-001"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out, "projects.xlsx"


COUNT_JOBS = "SELECT count(*) FROM export_job"
LOOP_EFFECTS = {
    "/review/visits/{own_visit}/send-back": Effect(
        "SELECT sent_back_reason FROM visit WHERE id = {own_visit}",
        becomes("请补充参加人员。"),
        {"reason": "请补充参加人员。"},
    ),
    "/review/visits/{own_visit}/approve": Effect(
        _status("visit", "own_visit"), becomes("reviewed")
    ),
    "/review/visits/{own_visit}/resubmit": Effect(_status("visit", "own_visit")),
    "/problems/assign": Effect(
        _status("problem", "reviewed_problem"),
        becomes("assigned"),
        {
            "problem_id": "{reviewed_problem}",
            "lead_id": "{housing}",
            "preset": "30",
            "do_assign": "1",
        },
    ),  # fmt: skip
    "/problems/{own_problem}/review": Effect(
        _status("problem", "own_problem"), becomes("reviewed")
    ),
    "/problems/{own_problem}/send-back": Effect(
        "SELECT sent_back_reason FROM problem WHERE id = {own_problem}",
        becomes("请写明涉及的户数。"),
        {"reason": "请写明涉及的户数。"},
    ),
    "/problems/{own_problem}/resubmit": Effect(_status("problem", "own_problem")),
    "/problems/{own_problem}/merge": Effect(
        _status("problem", "own_problem"), becomes("merged"), {"into_id": "{merge_target}"}
    ),
    "/problems/{own_problem}/unmerge": Effect(_status("problem", "own_problem")),
    "/problems/{reviewed_problem}/assign": Effect(
        _status("problem", "reviewed_problem"),
        becomes("assigned"),
        {"lead_id": "{housing}", "preset": "30", "do_assign": "1"},
    ),
    "/problems/{assigned_problem_open}/unassign": Effect(
        _status("problem", "assigned_problem_open"), becomes("reviewed")
    ),
    "/problems/{assigned_problem_open}/sign": Effect(
        _status("problem", "assigned_problem_open"), becomes("in_progress")
    ),
    "/problems/{assigned_problem_open}/return": Effect(
        _status("problem", "assigned_problem_open"),
        becomes("reviewed"),
        {"reason": "该问题由市自然资源局牵头，建议改交。"},
    ),
    "/problems/{in_progress_problem}/progress": Effect(
        "SELECT count(*) FROM progress_note WHERE problem_id = {in_progress_problem}",
        grows(),
        {"text": "已约谈企业，正在协调。"},
    ),
    "/problems/{in_progress_problem}/co-opinion": Effect(
        "SELECT count(*) FROM progress_note WHERE problem_id = {in_progress_problem}",
        fields={"text": "将配合做好群众工作。"},
    ),
    "/problems/{in_progress_problem}/extension": Effect(
        "SELECT count(*) FROM extension_request WHERE problem_id = {in_progress_problem}",
        grows(),
        {"new_deadline": "{later}", "reason": "补偿评估需时。"},
    ),
    "/problems/{in_progress_problem}/extension/decide": Effect(
        "SELECT deadline FROM problem WHERE id = {in_progress_problem}",
        fields={"decision": "approve"},
    ),
    "/problems/{in_progress_problem}/answer": Effect(
        _status("problem", "in_progress_problem"),
        becomes("answered"),
        lambda ids: {"text": "已办理完毕。", **{f"adoption_{s}": "adopted" for s in ids["advice"]}},
    ),
    "/problems/{in_progress_problem}/urge": Effect(
        "SELECT count(*) FROM urge WHERE problem_id = {in_progress_problem}",
        grows(),
        {"message": "请加快进度，月底前答复。"},
    ),
    "/problems/{assigned_problem}/rate": Effect(
        _status("problem", "assigned_problem"), becomes("closed"), {"satisfaction": "satisfied"}
    ),
    "/problems/{assigned_problem}/paper-rating": Effect(
        _status("problem", "assigned_problem"),
        becomes("closed"),
        {"deputy_id": "{raiser}", "satisfaction": "basically"},
    ),
}

ME = "SELECT {column} FROM \"user\" WHERE username = '{{role}}'"
POST_EFFECTS = {
    "/visits/new": Effect(
        "SELECT count(*) FROM visit WHERE summary = '矩阵：新的视察记录。'",
        becomes(1),
        {
            "summary": "矩阵：新的视察记录。",
            "group_id": "{group}",
            "project_id": "{project}",
            "visited_on": "2025-07-20",
            "attendee_ids": "{deputy}",
        },
        page=True,
    ),  # fmt: skip
    "/visits/{own_visit}/edit": Effect(
        "SELECT summary FROM visit WHERE id = {own_visit}",
        becomes("矩阵：修改后的小结。"),
        {"summary": "矩阵：修改后的小结。"},
        page=True,
    ),
    "/visits/{other_visit}/edit": Effect(
        "SELECT summary FROM visit WHERE id = {other_visit}",
        becomes("矩阵：工作人员更正的小结。"),
        {"summary": "矩阵：工作人员更正的小结。"},
        page=True,
    ),
    "/visits/{own_visit}/review": Effect(_status("visit", "own_visit"), becomes("reviewed")),
    "/visits/{other_open_visit}/review": Effect(
        _status("visit", "other_open_visit"), becomes("reviewed")
    ),
    "/visits/{own_visit}/delete": Effect(
        "SELECT count(*) FROM visit WHERE id = {own_visit}", becomes(0)
    ),
    "/visits/{other_open_visit}/delete": Effect(
        "SELECT count(*) FROM visit WHERE id = {other_open_visit}", becomes(0)
    ),
    "/problems/{own_problem}/edit": Effect(
        "SELECT description FROM problem WHERE id = {own_problem}",
        becomes("矩阵：改写的问题描述。"),
        {"description": "矩阵：改写的问题描述。"},
        page=True,
    ),
    "/problems/{assigned_problem}/edit": Effect(
        "SELECT description FROM problem WHERE id = {assigned_problem}",
        becomes("矩阵：联络员更正的描述。"),
        {"description": "矩阵：联络员更正的描述。"},
        page=True,
    ),
    "/problems/{unassigned_problem}/edit": Effect(
        "SELECT description FROM problem WHERE id = {unassigned_problem}",
        becomes("矩阵：工作人员更正的描述。"),
        {"description": "矩阵：工作人员更正的描述。"},
        page=True,
    ),
    "/suggestions/{other_suggestion}/edit": Effect(
        "SELECT text FROM suggestion WHERE id = {other_suggestion}",
        becomes("矩阵：改写的建议。"),
        {"text": "矩阵：改写的建议。"},
        page=True,
    ),
    "/admin/campaigns/new": Effect(
        "SELECT count(*) FROM campaign WHERE title = '矩阵测试活动'",
        becomes(1),
        {"title": "矩阵测试活动"},
        page=True,
    ),
    "/admin/groups/{group}/edit": Effect(
        "SELECT name FROM inspection_group WHERE id = {group}",
        becomes("东城街道视察组（矩阵）"),
        {"name": "东城街道视察组（矩阵）"},
        page=True,
    ),
    "/admin/groups/{group}/members": Effect(
        "SELECT count(*) FROM group_member WHERE group_id = {group}",
        grows(),
        {"member-login": "{newcomer}"},
        prefix="member",
    ),
    "/admin/groups/{group}/members/{deputy}/remove": Effect(
        "SELECT count(*) FROM group_member WHERE group_id = {group} AND user_id = {deputy}",
        becomes(0),
    ),
    "/admin/projects/new": Effect(
        "SELECT count(*) FROM project WHERE name = '矩阵新项目'",
        becomes(1),
        {"name": "矩阵新项目"},
        page=True,
    ),
    "/admin/departments/{housing}/edit": Effect(
        "SELECT contact_name FROM department WHERE id = {housing}",
        becomes("矩阵联系人"),
        {"contact_name": "矩阵联系人"},
        page=True,
    ),
    "/imports/": Effect(
        "SELECT count(*) FROM project WHERE code = 'MATRIX-001'",
        becomes(1),
        {"kind": "projects", "campaign_id": "1", "file": _projects_file},
    ),
    "/ledger/export.xlsx": Effect(COUNT_JOBS, grows(), {"request_token": "matrix"}),
    "/ledger/handover/{housing}.xlsx?assigned_from=2000-01-01": Effect(
        COUNT_JOBS, grows(), {"request_token": "matrix"}
    ),
    "/ledger/handover.zip?assigned_from=2000-01-01": Effect(
        COUNT_JOBS, grows(), {"request_token": "matrix"}
    ),
    "/ledger/weekly.xlsx?group_id={group}": Effect(
        COUNT_JOBS, grows(), {"request_token": "matrix"}
    ),
    "/ledger/weekly.xlsx?group_id={other_group}": Effect(
        COUNT_JOBS, grows(), {"request_token": "matrix"}
    ),
    "/account": Effect(
        ME.format(column="password_hash"),
        changes,
        {"current": "inspect-demo", "new": "Matrix2025x", "confirm": "Matrix2025x"},
    ),
    "/account/language": Effect(
        ME.format(column="locale"), becomes("en"), {"lang-locale": "en"}, prefix="lang"
    ),
    "/logout": Effect(ME.format(column="session_version"), grows()),
}


def _errors(answer) -> str:
    """The messages a page shows (for a failing assertion)."""
    import re

    page = answer.get_data(as_text=True)
    return " | ".join(re.findall(r'class="[^"]*(?:error|alert|flash)[^"]*"[^>]*>([^<]+)', page))
