"""The whole life of a problem through the web pages, as each role in turn."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import csrf_token
from test_visits import post_form, visit_form

from inspect_app.clock import today_local
from inspect_app.dashboard import stats
from inspect_app.demo.seed import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Problem, Rating, Suggestion, Urge, Visit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def users(app):
    """users(name) -> a test client signed in as that demo user (one client per user)."""
    clients = {}

    def signed_in(username: str):
        if username not in clients:
            client = app.test_client()
            token = csrf_token(client, "/login")
            response = client.post(
                "/login", data={"login": username, "password": DEMO_PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 302
            clients[username] = client
        return clients[username]

    return signed_in


def post(client, url: str, data: dict | None = None, form_url: str | None = None):
    """POST with the CSRF token of the form page (or of the problem page for buttons)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, form_url or url)
    return client.post(url, data=data)


def problem_page(client, pid: int) -> str:
    return client.get(f"/problems/{pid}").get_data(as_text=True)


def status(app, pid: int) -> str:
    with app.app_context():
        return db.session.get(Problem, pid).status


def figures(app):
    """The dashboard's headline figures (the same queries as its page and the 统计 sheet)."""
    with app.app_context():
        found = stats.headline(stats.Scope(), today_local())["figures"]
        db.session.remove()
        return found


def todo_count(client, key: str) -> int:
    page = client.get("/todo").get_data(as_text=True)
    match = re.search(
        rf'<section id="{key}">\s*<h2>[^<]*<span class="badge[^"]*">(\d+)</span>', page
    )
    assert match, f"no section {key}"
    return int(match.group(1))


def submit_problem(client, description: str) -> int:
    data = visit_form(
        client, summary=f"现场：{description}", **{"problems-0-description": description}
    )
    response = post_form(client, "/visits/new", data)
    assert response.status_code == 302
    visit_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    return int(re.search(r'href="/problems/(\d+)"', page).group(1))


def ids(app, **names) -> dict:
    from inspect_app.models import Department, User

    with app.app_context():
        found = {}
        for key, name in names.items():
            department = db.session.scalar(select(Department).where(Department.name == name))
            found[key] = department.id if department else None
            if department is None:
                found[key] = db.session.scalar(select(User.id).where(User.username == name))
        return found


def test_the_whole_life_of_a_problem(app, users):
    deputy, secretary, staff = users("demo-deputy"), users("demo-secretary"), users("demo-staff")
    housing, town = users("demo-department"), users("town03")  # 东城街道办事处
    dept = ids(app, housing="市住房和城乡建设局", town="东城街道办事处")

    to_rate = todo_count(deputy, "to_rate")
    # submit (two records of the same thing on the same project)
    pid = submit_problem(deputy, "二期用地尚未完成征拆，影响厂房按期开工。")
    dup = submit_problem(deputy, "二期用地征拆尚未完成，影响厂房按期开工建设。")
    assert status(app, pid) == "submitted"
    assert todo_count(secretary, "to_review") >= 2
    review_queue = secretary.get("/review/").get_data(as_text=True)
    assert "可能重复" in review_queue

    # 退回修改: the author sees the reason on his home page and on the record
    before = todo_count(secretary, "to_review")
    post(secretary, f"/problems/{pid}/send-back", {"reason": "请写明征拆涉及的户数。"})
    assert "请写明征拆涉及的户数。" in deputy.get("/").get_data(as_text=True)
    assert "请写明征拆涉及的户数。" in problem_page(deputy, pid)
    assert todo_count(deputy, "sent_back") == 1
    assert todo_count(secretary, "to_review") == before - 1

    # he edits and resubmits; the reason stays in the history
    edit = f"/problems/{pid}/edit"
    post(deputy, edit, {"category": "land", "description": "二期用地尚有12户未完成征拆。"})
    post(deputy, f"/problems/{pid}/resubmit", form_url=f"/problems/{pid}")
    assert todo_count(deputy, "sent_back") == 0
    page = problem_page(deputy, pid)
    assert "退回修改" in page and "请写明征拆涉及的户数。" in page and "重新提交" in page
    assert "原文：二期用地尚未完成征拆，影响厂房按期开工。" in page

    # review, then merge the duplicate into it; the dashboard's figures follow each step
    before = figures(app)
    post(secretary, f"/problems/{pid}/review", form_url=f"/problems/{pid}")
    assert status(app, pid) == "reviewed"
    merge_page = secretary.get(f"/problems/{dup}/merge").get_data(as_text=True)
    assert f'value="{pid}"' in merge_page
    post(secretary, f"/problems/{dup}/merge", {"into_id": pid})
    assert status(app, dup) == "merged"
    assert figures(app).problems == before.problems - 1  # a merged duplicate leaves the counts
    assert "已合并至" in problem_page(secretary, dup)
    with app.app_context():
        kept = db.session.get(Problem, pid)
        assert len(kept.suggestions) == 2  # the duplicate's suggestion came along
    ledger = staff.get("/problems/?q=二期用地").get_data(as_text=True)
    assert kept.code in ledger and db_code(app, dup) not in ledger  # leaves the counts

    # 交办 to the town; the town asks to return it
    assert todo_count(staff, "to_assign") >= 1
    assign = f"/problems/{pid}/assign"
    search = staff.post(assign, data={"csrf_token": csrf_token(staff, assign), "dq": "东城"})
    assert "东城街道办事处" in search.get_data(as_text=True)
    post(staff, assign, {"lead_id": dept["town"], "preset": "30", "note": "请核实", "do_assign": 1})
    assert status(app, pid) == "assigned"
    post(town, f"/problems/{pid}/return", {"reason": "征拆由市自然资源局牵头，建议改交。"})
    assert status(app, pid) == "reviewed"
    assert todo_count(staff, "returned") == 1

    # reassign: lead 住建局, co 东城街道办事处, 30 days
    data = {"lead_id": dept["housing"], "co_id": dept["town"], "preset": "30", "do_assign": 1}
    post(staff, assign, data)
    assert status(app, pid) == "assigned" and todo_count(staff, "returned") == 0
    assert figures(app).assigned == before.assigned + 1
    assert todo_count(housing, "new") >= 1
    assert "新交办" in housing.get("/").get_data(as_text=True)

    # 签收, 办理进展, 申请延期 → staff approve
    post(housing, f"/problems/{pid}/sign", form_url=f"/problems/{pid}")
    assert status(app, pid) == "in_progress"
    post(housing, f"/problems/{pid}/progress", {"text": "已约谈12户，9户签订补偿协议。"})
    later = (today_local() + timedelta(days=60)).isoformat()
    post(housing, f"/problems/{pid}/extension", {"new_deadline": later, "reason": "补偿评估需时。"})
    assert todo_count(staff, "extensions") == 1
    post(staff, f"/problems/{pid}/extension/decide", {"decision": "approve"}, f"/problems/{pid}")
    with app.app_context():
        assert db.session.get(Problem, pid).deadline.isoformat() == later
    assert todo_count(staff, "extensions") == 0

    # 督办: shown at the top of the department's home, counted per problem
    post(staff, f"/problems/{pid}/urge", {"message": "请加快进度，月底前答复。"})
    assert "请加快进度，月底前答复。" in housing.get("/").get_data(as_text=True)
    assert todo_count(housing, "urged") == 1
    with app.app_context():
        urges = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "urge", AuditEvent.entity_id == pid)
        ).all()
        assert [e.after for e in urges] == [{"message": "请加快进度，月底前答复。"}]

    # the co-department gives its opinion; only the lead answers
    post(town, f"/problems/{pid}/co-opinion", {"text": "街道将配合做好群众工作。"})
    refused = post(town, f"/problems/{pid}/answer", {"text": "x"}, f"/problems/{pid}")
    assert refused.status_code == 302 and status(app, pid) == "in_progress"

    # 答复 with a reply letter and a decision per suggestion
    answer_once(app, housing, pid, "已完成12户征拆补偿协议签订。")
    assert status(app, pid) == "answered"
    assert todo_count(housing, "urged") == 0
    assert todo_count(deputy, "to_rate") == to_rate + 1
    with app.app_context():
        letter = db.session.get(Problem, pid).reply_letters[0]
        letter_url = f"/problems/{pid}/letters/{letter.id}"
    with deputy.get(letter_url) as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")

    # 不满意 → 重新办理 with a new deadline, back on the department's list
    post(
        deputy, f"/problems/{pid}/rate", {"satisfaction": "unsatisfied", "comment": "未明确时间。"}
    )
    assert status(app, pid) == "reopened"
    with app.app_context():
        assert db.session.get(Problem, pid).deadline == today_local() + timedelta(days=15)
    reopened = todo_count(housing, "reopened")
    assert reopened >= 1 and todo_count(deputy, "to_rate") == to_rate

    # 答复 again, then 满意 closes it
    answer_once(app, housing, pid, "已明确9月底前完成交地。")
    assert todo_count(deputy, "to_rate") == to_rate + 1
    post(deputy, f"/problems/{pid}/rate", {"satisfaction": "satisfied", "comment": ""})
    assert status(app, pid) == "closed"
    after = figures(app)
    assert (after.closed, after.satisfied) == (before.closed + 1, before.satisfied + 1)
    assert todo_count(deputy, "to_rate") == to_rate
    assert todo_count(housing, "reopened") == reopened - 1

    timeline = problem_page(staff, pid)
    for words in (
        "退回修改",
        "重新提交",
        "审核通过",
        "合并进重复问题",
        "交办",
        "申请退回",
        "签收",
        "办理进展",
        "申请延期",
        "同意延期",
        "督办",
        "协办意见",
        "答复",
        "不满意",
        "满意",
    ):
        assert words in timeline, words


def db_code(app, pid: int) -> str:
    with app.app_context():
        return db.session.get(Problem, pid).code


def answer_once(app, client, pid: int, text: str):
    url = f"/problems/{pid}/answer"
    with app.app_context():
        suggestions = db.session.scalars(
            select(Suggestion.id).where(Suggestion.problem_id == pid)
        ).all()
    data = {"csrf_token": csrf_token(client, url), "text": text}
    for sid in suggestions:
        data[f"adoption_{sid}"] = "partial"
        data[f"reason_{sid}"] = "部分内容需市政府统筹。"
    data["letter"] = (io.BytesIO(PDF), "答复函.pdf")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)


def _problem(app, **where) -> int:
    with app.app_context():
        query = select(Problem.id)
        for key, value in where.items():
            query = query.where(getattr(Problem, key) == value)
        return db.session.scalar(query.order_by(Problem.id))


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_illegal_moves_are_refused_and_change_nothing(app, users, demo):
    deputy, staff, housing = users("demo-deputy"), users("demo-staff"), users("demo-department")
    submitted = demo["own_problem"]
    in_progress = _problem(app, status="in_progress", lead_department_id=demo["housing"])
    assigned = _problem(app, status="assigned", lead_department_id=demo["housing"])
    with app.app_context():
        other_dept = db.session.scalar(
            select(Problem.id).where(
                Problem.status == "assigned", Problem.lead_department_id != demo["housing"]
            )
        )
    events = _events(app)

    def refused(client, url, data, message, form_url=None):
        response = post(client, url, data, form_url)
        page = (
            client.get(response.headers["Location"]).get_data(as_text=True)
            if (response.status_code == 302)
            else response.get_data(as_text=True)
        )
        assert message in page, (url, message)

    # rating a problem with no answer
    data = {"satisfaction": "satisfied"}
    refused(deputy, f"/problems/{submitted}/rate", data, "还没有答复", f"/problems/{submitted}")
    # assigning an unreviewed problem
    refused(
        staff, f"/problems/{submitted}/assign", {}, "审核通过后才能交办", f"/problems/{submitted}"
    )
    # a department answering one it has not signed for
    refused(
        housing, f"/problems/{assigned}/answer", {"text": "x"}, "请先签收", f"/problems/{assigned}"
    )
    # a deadline in the past
    reviewed = _problem(app, status="reviewed")
    past = (today_local() - timedelta(days=1)).isoformat()
    data = {"lead_id": demo["housing"], "preset": "custom", "deadline": past, "do_assign": 1}
    refused(staff, f"/problems/{reviewed}/assign", data, "办理时限不能早于今天")
    # an extension to a date before the deadline
    data = {"new_deadline": past, "reason": "x"}
    refused(housing, f"/problems/{in_progress}/extension", data, "必须晚于")
    assert _events(app) == events
    assert status(app, submitted) == "submitted" and status(app, reviewed) == "reviewed"
    assert status(app, assigned) == "assigned"
    # a department answering a problem not assigned to it: not there at all
    assert housing.get(f"/problems/{other_dept}/answer").status_code == 404
    assert post(housing, f"/problems/{other_dept}/sign", {}, "/").status_code == 404


def test_rating_one_did_not_raise_and_merged_cannot_be_assigned(app, users, demo):
    staff = users("demo-staff")
    answered = _problem(app, status="answered", group_id=demo["group"])
    with app.app_context():
        problem = db.session.get(Problem, answered)
        raisers = {u.username for u in problem.raised_by}
        members = [m.user.username for m in problem.group.members if not m.is_secretary]
        outsider = next(u for u in members if u not in raisers)
    client = users(outsider)
    response = post(client, f"/problems/{answered}/rate", {"satisfaction": "satisfied"}, "/")
    assert "只有提出这个问题的代表才能评价" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert status(app, answered) == "answered"
    # a merged problem cannot be assigned
    first = _problem(app, status="reviewed")
    with app.app_context():
        first_problem = db.session.get(Problem, first)
        second = db.session.scalar(
            select(Problem.id).where(Problem.status == "reviewed", Problem.id != first)
        )
        db.session.get(Problem, second).project_id = first_problem.project_id
        db.session.commit()
    page = post(staff, f"/problems/{second}/merge", {}).get_data(as_text=True)
    assert "请选择要合并到的问题" in page
    page = post(staff, f"/problems/{second}/merge", {"into_code": "nope"}).get_data(as_text=True)
    assert "没有找到这个编号的问题" in page and status(app, second) == "reviewed"
    post(staff, f"/problems/{second}/merge", {"into_code": db_code(app, first)})
    assert status(app, second) == "merged"
    page = staff.get(f"/problems/{second}/assign", follow_redirects=True).get_data(as_text=True)
    assert "已合并的问题不能交办" in page
    # undo the merge: it comes back with its suggestion
    post(staff, f"/problems/{second}/unmerge", {}, f"/problems/{second}")
    assert status(app, second) == "reviewed"
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Suggestion).where(Suggestion.problem_id == second)
            )
            == 1
        )


def test_several_raisers_first_rating_decides_and_staff_record_a_paper_rating(app, users, demo):
    answered = _problem(app, status="answered", group_id=demo["group"])
    staff = users("demo-staff")
    with app.app_context():
        problem = db.session.get(Problem, answered)
        raisers = [u for u in problem.raised_by]
        assert len(raisers) >= 1
        first = raisers[0].id
    page = staff.get(f"/problems/{answered}/paper-rating").get_data(as_text=True)
    assert "评价代表" in page
    data = {"deputy_id": first, "satisfaction": "basically", "comment": "纸质评价表"}
    post(staff, f"/problems/{answered}/paper-rating", data)
    assert status(app, answered) == "closed"
    with app.app_context():
        rating = db.session.scalar(select(Rating).where(Rating.problem_id == answered))
        assert rating.on_paper and rating.decisive and rating.deputy_id == first
    assert "纸质评价" in problem_page(staff, answered)


def test_bulk_assign_from_the_ledger(app, users):
    staff = users("demo-staff")
    with app.app_context():
        reviewed = db.session.scalars(
            select(Problem.id).where(Problem.status == "reviewed").order_by(Problem.id)
        ).all()
    dept = ids(app, lead="市财政局")
    assert len(reviewed) >= 2
    ledger = staff.get("/problems/?status=reviewed").get_data(as_text=True)
    assert 'name="problem_id"' in ledger
    token = csrf_token(staff, "/problems/?status=reviewed")
    ticked = staff.post(
        "/problems/assign", data={"csrf_token": token, "problem_id": reviewed[:2]}
    ).get_data(as_text=True)
    assert "共 2 个问题" in ticked
    data = {"csrf_token": token, "problem_id": reviewed[:2], "lead_id": dept["lead"]}
    data.update({"preset": "15", "do_assign": "1"})
    assert staff.post("/problems/assign", data=data).status_code == 302
    assert [status(app, pid) for pid in reviewed[:2]] == ["assigned", "assigned"]
    # all with the current filters
    url = "/problems/assign?all=1&status=reviewed"
    page = staff.get(url).get_data(as_text=True)
    assert f"共 {len(reviewed) - 2} 个问题" in page
    data = {"csrf_token": token, "all": "1", "lead_id": dept["lead"], "preset": "90"}
    data["do_assign"] = "1"
    assert staff.post(url, data=data).status_code == 302
    assert all(status(app, pid) == "assigned" for pid in reviewed)
    with app.app_context():
        deadline = db.session.get(Problem, reviewed[-1]).deadline
        assert deadline == today_local() + timedelta(days=90)


def test_unassign_returns_to_reviewed(app, users):
    staff = users("demo-staff")
    pid = _problem(app, status="assigned")
    post(staff, f"/problems/{pid}/unassign", {}, f"/problems/{pid}")
    with app.app_context():
        problem = db.session.get(Problem, pid)
        assert problem.status == "reviewed" and problem.lead_department_id is None


def test_reply_letter_refuses_other_files(app, users, demo):
    housing = users("demo-department")
    pid = _problem(app, status="in_progress", lead_department_id=demo["housing"])
    url = f"/problems/{pid}/answer"
    data = {"csrf_token": csrf_token(housing, url), "text": "答复内容保留"}
    with app.app_context():
        for sid in db.session.scalars(select(Suggestion.id).where(Suggestion.problem_id == pid)):
            data[f"adoption_{sid}"] = "adopted"
    data["letter"] = (io.BytesIO(b"MZ\x90\x00 not a letter"), "virus.exe")
    page = housing.post(url, data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "答复函只接受" in page and "答复内容保留" in page
    assert status(app, pid) == "in_progress"


def test_overdue_is_derived_and_linked(app, users):
    staff = users("demo-staff")
    home = staff.get("/").get_data(as_text=True)
    assert 'href="/problems/?due=overdue"' in home
    ledger = staff.get("/problems/?due=overdue").get_data(as_text=True)
    with app.app_context():
        from inspect_app.models import OPEN_STATUSES

        overdue = db.session.scalars(
            select(Problem.code).where(
                Problem.deadline < today_local(), Problem.status.in_(OPEN_STATUSES)
            )
        ).all()
        on_time = db.session.scalars(
            select(Problem.code).where(Problem.deadline >= today_local())
        ).all()
    assert overdue and all(code in ledger for code in overdue)
    assert not any(code in ledger for code in on_time)
    sorted_page = staff.get("/problems/?sort=deadline").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", sorted_page, re.S)
    with app.app_context():
        first = db.session.scalars(
            select(Problem.deadline)
            .where(Problem.deadline.is_not(None), Problem.merged_into_id.is_(None))
            .order_by(Problem.deadline, Problem.id)
            .limit(len(rows))
        ).all()
    assert len(rows) == 30  # every row of the page shows its deadline, earliest first
    assert [d.isoformat() in row for d, row in zip(first, rows, strict=True)] == [True] * 30


def test_secretary_home_shows_the_groups_recent_visits(app, users, demo):
    secretary = users("demo-secretary")
    with app.app_context():
        names = db.session.scalars(
            select(Visit).where(Visit.group_id == demo["group"]).order_by(Visit.visited_on.desc())
        ).all()
        authors = {v.author.name for v in names[:10]}
    page = secretary.get("/").get_data(as_text=True)
    assert "本组最近的视察" in page and all(name in page for name in authors)
    assert f'href="/review/?group_id={demo["group"]}"' in page


def test_visit_send_back_and_resubmit(app, users, demo):
    deputy, secretary = users("demo-deputy"), users("demo-secretary")
    vid = demo["own_visit"]
    url = f"/review/visits/{vid}/send-back"
    post(secretary, url, {"reason": "请补充参加人员。"})
    assert "请补充参加人员。" in deputy.get("/").get_data(as_text=True)
    assert "请补充参加人员。" in deputy.get(f"/visits/{vid}").get_data(as_text=True)
    post(deputy, f"/review/visits/{vid}/resubmit", {}, f"/visits/{vid}")
    with app.app_context():
        assert db.session.get(Visit, vid).sent_back_reason is None
    post(secretary, f"/review/visits/{vid}/approve", {}, "/review/")
    with app.app_context():
        assert db.session.get(Visit, vid).status == "reviewed"
        actions = db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity == "visit", AuditEvent.entity_id == vid
            )
        ).all()
        assert {"send_back", "resubmit", "transition"} <= set(actions)


def test_every_town_government_has_a_login(app):
    from inspect_app.models import Department, User

    with app.app_context():
        towns = db.session.scalars(
            select(Department).where(Department.is_town_government.is_(True))
        ).all()
        assert len(towns) == 32
        assert sum(d.name.endswith("人民政府") for d in towns) == 28
        assert sum(d.name.endswith("街道办事处") for d in towns) == 4
        for town in towns:
            assert db.session.scalar(select(User).where(User.department_id == town.id))


def test_signals_are_sent_for_each_action(app, users):
    from inspect_app.signals import problem_changed

    seen = []

    def listen(sender, **kwargs):
        seen.append(kwargs["action"])

    staff = users("demo-staff")
    pid = _problem(app, status="in_progress")
    with problem_changed.connected_to(listen, app):
        post(staff, f"/problems/{pid}/urge", {"message": "请尽快答复。"})
    assert seen == ["urge"]
    with app.app_context():
        assert (
            db.session.scalar(select(Urge.message).where(Urge.problem_id == pid)) == "请尽快答复。"
        )


def test_first_rating_decides_and_other_raisers_add_theirs(app, users):
    with app.app_context():
        answered = [
            p for p in db.session.scalars(select(Problem).where(Problem.status == "answered"))
        ]
        problem = next(p for p in answered if len(p.raised_by) >= 2)
        pid, first, second = problem.id, problem.raised_by[0], problem.raised_by[1]
        first, second = first.username, second.username
    post(users(first), f"/problems/{pid}/rate", {"satisfaction": "satisfied", "comment": "好"})
    assert status(app, pid) == "closed"
    later = users(second)
    rating = {"satisfaction": "unsatisfied", "comment": "仍有遗留问题。"}
    post(later, f"/problems/{pid}/rate", rating)
    assert status(app, pid) == "closed"  # the first rating decided
    page = problem_page(later, pid)
    assert "仍有遗留问题。" in page and "首次评价" in page
    with app.app_context():
        ratings = db.session.scalars(select(Rating).where(Rating.problem_id == pid)).all()
        assert [(r.satisfaction, r.decisive) for r in ratings] == [
            ("satisfied", True),
            ("unsatisfied", False),
        ]
    again = later.get(f"/problems/{pid}/rate", follow_redirects=True).get_data(as_text=True)
    assert "您已经评价过这次答复" in again
