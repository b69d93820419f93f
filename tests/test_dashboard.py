"""The dashboard, the department table and the 统计 sheet: figures against the database."""

import gzip
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, insert, select
from support import row_count

from inspect_app.clock import today_local
from inspect_app.dashboard import stats
from inspect_app.dashboard.services import forget_figures
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Group, Problem, Suggestion, User, Visit

ASSIGNED = ("assigned", "in_progress", "answered", "closed", "reopened")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole, 1):g}%"


def _own_counts() -> dict:
    """The headline counted in Python from every problem row, not through dashboard.stats."""
    today = today_local()
    problems = db.session.scalars(select(Problem)).all()
    assigned = [p for p in problems if p.status in ASSIGNED]
    answered = [p for p in problems if p.status in ("answered", "closed")]
    on_time = [p for p in answered if p.answered_at.date() <= p.deadline]  # demo: 08:00 UTC+
    rated = [p for p in problems if p.satisfaction]
    return {
        "problems": len(problems),
        "assigned": len(assigned),
        "answered": len(answered),
        "on_time": len(on_time),
        "closed": sum(p.status == "closed" for p in problems),
        "overdue": sum(p.is_overdue(today) for p in problems),
        "rated": len(rated),
        "satisfied": sum(p.satisfaction in ("satisfied", "basically") for p in rated),
    }


def test_headline_on_the_demo_data(app):
    with app.app_context():
        top = stats.headline(stats.Scope(campaign_id=1), today_local())
        assert (top["groups"], top["deputies"], top["projects"]) == (38, 417, 81)
        assert (top["figures"].problems, top["figures"].suggestions) == (56, 118)
        assert top["figures"].visits == db.session.scalar(select(func.count(Visit.id)))


def test_rates_agree_with_counts_from_the_database(app, client, login):
    with app.app_context():
        own = _own_counts()
    login("demo-viewer")
    page = client.get("/dashboard/").get_data(as_text=True)
    for name, part, whole in (
        ("办结率", own["closed"], own["assigned"]),
        ("满意率", own["satisfied"], own["rated"]),
        ("按期答复率", own["on_time"], own["answered"]),
        ("答复率", own["answered"], own["assigned"]),
        ("交办率", own["assigned"], own["problems"]),
    ):
        assert f"<dt>{name}</dt><dd>{_percent(part, whole)}（{part} / {whole}）</dd>" in page
    for figure, text in ((38, "视察组"), (417, "参加代表"), (81, "视察项目"), (56, "问题")):
        assert f"<b>{figure}</b><span>{text}</span>" in page
    assert f"<b>{own['overdue']}</b><span>超期未办结</span>" in page


def test_every_group_is_listed_also_those_without_problems(app, client, login):
    with app.app_context():
        names = db.session.scalars(select(Group.name)).all()
        with_problems = set(db.session.scalars(select(Problem.group_id).distinct()))
        assert len(names) == 38 and len(with_problems) < 38
    login("demo-staff")
    page = client.get("/dashboard/").get_data(as_text=True)
    table = page.split("各视察组（含尚无问题的组）")[1].split("</table>")[0]
    assert all(f'<th scope="row">{name}</th>' in table for name in names)


def test_charts_are_svg_with_their_figures_as_text(client, login):
    login("demo-staff")
    page = client.get("/dashboard/").get_data(as_text=True)
    charts = re.findall(r'<svg class="chart"[^>]*role="img"[^>]*><title>([^<]+)</title>', page)
    assert {"主要比率", "按办理状态", "按周趋势", "按视察组", "按镇街", "按问题类别"} <= set(charts)
    assert "<script" not in page.split("<main")[1] and 'style="' not in page
    statuses = page.split("<h2>按办理状态</h2>")[1].split("</section>")[0]
    assert "<span>已办结</span> <b>14</b>" in statuses  # the chart's figures as text
    assert statuses.index("已提交") < statuses.index("已交办") < statuses.index("已办结")


def test_secretary_sees_only_his_group(app, client, login, demo):
    with app.app_context():
        own = db.session.get(Group, demo["group"]).name
        others = db.session.scalars(select(Group.name).where(Group.id != demo["group"])).all()
        problems = db.session.scalar(
            select(func.count(Problem.id)).where(Problem.group_id == demo["group"])
        )
    login("demo-secretary")
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "本组数据" in page and f'<th scope="row">{own}</th>' in page
    assert not any(f'<th scope="row">{name}</th>' in page for name in others)
    assert "<b>1</b><span>视察组</span>" in page and f"<b>{problems}</b><span>问题</span>" in page
    assert "/dashboard/" in client.get("/").get_data(as_text=True)  # linked from the menu


@pytest.mark.parametrize("role", ["demo-deputy", "demo-department"])
def test_deputies_and_departments_get_404_and_no_link(client, login, role):
    login(role)
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/dashboard/departments").status_code == 404
    assert 'href="/dashboard/"' not in client.get("/").get_data(as_text=True)


def _department_row(page: str, name: str) -> dict[str, str]:
    row = page.split(f">{name}</a></th>")[1].split("</tr>")[0]
    return dict(re.findall(r'data-label="([^"]+)">(?:<strong[^>]*>)?([^<（]+)', row))


def test_department_table_counts_urges_and_overdue(app, client, login, demo):
    today = today_local()
    with app.app_context():
        housing = select(Problem).where(Problem.lead_department_id == demo["housing"])
        theirs = [p for p in db.session.scalars(housing) if p.status in ASSIGNED]
        overdue = sum(p.is_overdue(today) for p in theirs)
        answered = [p for p in theirs if p.status in ("answered", "closed")]
        for problem in theirs[:2]:
            db.session.add(AuditEvent(action="urge", entity="problem", entity_id=problem.id))
        db.session.add(AuditEvent(action="update", entity="problem", entity_id=theirs[0].id))
        db.session.commit()
    login("demo-staff")
    page = client.get("/dashboard/departments").get_data(as_text=True)
    row = _department_row(page, "市住房和城乡建设局")
    assert row["主办"] == str(len(theirs)) and row["督办"] == "2"
    assert row["超期"] == str(overdue) and row["已答复"] == str(len(answered))
    assert "市科学技术局" in page  # departments with nothing assigned are listed too


def test_statistics_sheet_has_rates_every_group_and_workflow_order(app, client, login):
    with app.app_context():
        own = _own_counts()
        groups = db.session.scalars(select(Group.name)).all()
    login("demo-staff")
    with client.get("/ledger/export.xlsx?images=0") as response:
        book = load_workbook(io.BytesIO(response.data))
    rows = list(book["统计"].iter_rows(values_only=True))
    headers = next(r for r in rows if r[0] == "项目")
    total = dict(zip(headers, next(r for r in rows if r[0] == "全部问题"), strict=True))
    assert total["问题数"] == own["problems"] and total["已交办"] == own["assigned"]
    assert total["办结率"] == pytest.approx(own["closed"] / own["assigned"])
    assert total["满意率"] == pytest.approx(own["satisfied"] / own["rated"])
    assert total["按期答复率"] == pytest.approx(own["on_time"] / own["answered"])
    first = [r[0] for r in rows]
    assert all(name in first for name in groups)
    statuses = first[first.index("按办理状态") + 2 :]
    assert statuses[:3] == ["已提交", "已审核", "已交办"]
    assert statuses.index("已答复") < statuses.index("已办结")


def _statements(app, client, urls) -> list[int]:
    counts = []
    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args, **_kwargs):
        seen.append(1)

    for url in urls:
        forget_figures()
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        assert client.get(url).status_code == 200
        event.remove(engine, "before_cursor_execute", count)
        counts.append(len(seen))
    return counts


def _grow(app, problems: int, deputies: int) -> None:
    """Many more problems, suggestions and deputies of the demo's shape (bulk inserts)."""
    with app.app_context():
        visit = db.session.scalar(select(Visit).order_by(Visit.id))
        top = db.session.scalar(select(func.max(Problem.id)))
        db.session.execute(insert(User), [
            {"username": f"bulk{i}", "name": f"代表{i:05d}", "role": "deputy", "password_hash": "x"}
            for i in range(deputies)
        ])  # fmt: skip
        db.session.execute(insert(Problem), [
            {"client_uuid": f"bulk-{i}", "code": f"2099-{i:05d}", "campaign_id": 1,
             "group_id": visit.group_id, "visit_id": visit.id, "project_id": visit.project_id,
             "category": "land", "description": "批量问题", "author_id": visit.author_id,
             "status": ("assigned", "closed")[i % 2], "lead_department_id": 1,
             "deadline": date(2025, 9, 1), "satisfaction": ("satisfied", None)[i % 2]}
            for i in range(top + 1, top + 1 + problems)
        ])  # fmt: skip
        db.session.execute(insert(Suggestion), [
            {"client_uuid": f"bulk-s{i}", "campaign_id": 1, "group_id": visit.group_id,
             "visit_id": visit.id, "text": "批量建议", "author_id": visit.author_id}
            for i in range(problems)
        ])  # fmt: skip
        db.session.commit()


LIST_PAGES = ["/problems/", "/problems/?page=2", "/suggestions/", "/visits/"]
FIGURE_PAGES = ["/dashboard/", "/dashboard/departments", "/problems/?sort=deadline"]


def test_query_count_does_not_grow_with_the_data(app, client, login):
    login("demo-staff")
    urls = LIST_PAGES + FIGURE_PAGES
    before = _statements(app, client, urls)
    _grow(app, problems=600, deputies=300)
    assert _statements(app, client, urls) == before


def test_list_pages_stay_small_with_thousands_of_deputies(app, client, login):
    _grow(app, problems=300, deputies=17_000)
    login("demo-staff")
    for url in LIST_PAGES:
        body = client.get(url).get_data()
        assert len(gzip.compress(body)) < 60_000, url
        assert "代表16999" not in body.decode()  # no deputy is listed in a drop-down


def test_typed_names_filter_without_javascript(client, login):
    login("demo-staff")
    page = client.get("/problems/?project=模具").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert rows and all("模具" in row for row in rows)
    assert 'value="模具"' in page
    assert "没有符合条件的问题" in client.get("/problems/?author=无此人").get_data(as_text=True)


def test_ledger_sorts_by_deadline_on_the_server(client, login):
    login("demo-staff")
    page = client.get("/problems/?sort=deadline&dir=desc").get_data(as_text=True)
    days = re.findall(r'<td class="muted date"><span class="on-phone">时限 </span>([\d-]+)', page)
    assert days and days == sorted(days, reverse=True)
    assert 'aria-sort="descending"' in page


def _search(client, url: str, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.get(url, headers=headers)


def _token(client) -> str:
    page = client.get("/problems/").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def test_search_endpoint_needs_the_page_token(client, login):
    login("demo-staff")
    assert _search(client, "/search/projects.json?q=模具", None).status_code == 400
    assert _search(client, "/search/projects.json?q=模具", "forged").status_code == 400
    answer = _search(client, "/search/projects.json?q=模具", _token(client)).get_json()
    assert answer["results"] and all("模具" in r["name"] for r in answer["results"])


def test_search_endpoint_is_scoped(app, client, login, demo):
    with app.app_context():
        authors = select(Visit.author_id).where(Visit.group_id == demo["group"])
        members = set(db.session.scalars(select(User.name).where(User.id.in_(authors))))
        stranger = db.session.scalar(select(User).where(User.username == "d001"))
        visited = set(
            db.session.scalars(
                select(Visit.project_id).where(Visit.group_id == demo["group"]).distinct()
            )
        )
    login("demo-deputy")
    token = _token(client)
    found = _search(client, f"/search/people.json?q={stranger.name}", token).get_json()
    assert stranger.name not in {r["name"] for r in found["results"]}
    author = sorted(members)[0]
    found = _search(client, f"/search/people.json?q={author}", token).get_json()
    assert author in {r["name"] for r in found["results"]}
    projects = _search(client, "/search/projects.json?q=项目", token).get_json()["results"]
    projects += _search(client, "/search/projects.json?q=园", token).get_json()["results"]
    assert projects and {r["id"] for r in projects} <= visited | _listed(app, demo["group"])


def _listed(app, group_id: int) -> set[int]:
    from inspect_app.models import group_project

    with app.app_context():
        query = select(group_project.c.project_id).where(group_project.c.group_id == group_id)
        return set(db.session.scalars(query))


def test_department_may_not_search_people(client, login):
    login("demo-department")
    token = _token(client)
    assert _search(client, "/search/people.json?q=陈", token).status_code == 404


def test_ledger_counts_every_problem_and_a_page_past_the_end_shows_the_last(
    app, client, login, make_problem
):
    make_problem(state="reviewed", suggestion="建议加快审批。")  # the counts follow the rows
    size = app.config["PAGE_SIZE"]
    problems, suggestions = row_count(app, Problem), row_count(app, Suggestion)
    pages = -(-problems // size)
    login("demo-staff")
    listing = client.get("/problems/").get_data(as_text=True)
    assert f"第 1 / {pages} 页，共 {problems} 条" in listing
    last = client.get("/problems/?page=999").get_data(as_text=True)
    assert f"第 {pages} / {pages} 页，共 {problems} 条" in last
    page = client.get("/suggestions/").get_data(as_text=True)
    assert f"第 1 / {-(-suggestions // size)} 页，共 {suggestions} 条" in page


def test_counts_stop_at_the_cap(app, client, login, monkeypatch):
    from inspect_app.listing import filters as listing

    monkeypatch.setattr(listing, "COUNT_CAP", 40)
    monkeypatch.setattr(listing.Page.__init__, "__defaults__", (40,))
    login("demo-staff")
    page = client.get("/problems/").get_data(as_text=True)
    assert "第 1 页，超过 40 条" in page and "page=2" in page


def test_a_write_shows_on_the_dashboard_at_once(app, client, login, demo):
    login("demo-staff")
    before = client.get("/dashboard/departments").get_data(as_text=True)
    assert _department_row(before, "市住房和城乡建设局")["督办"] == "0"
    with app.app_context():
        problem = db.session.scalar(
            select(Problem).where(
                Problem.lead_department_id == demo["housing"], Problem.status == "in_progress"
            )
        )
        from inspect_app.auditing import record_event

        record_event(None, "urge", problem, after={"message": "请加快办理"})
        db.session.commit()
    after = client.get("/dashboard/departments").get_data(as_text=True)
    assert _department_row(after, "市住房和城乡建设局")["督办"] == "1"


def test_a_merged_duplicate_leaves_the_counts(app, demo):
    today = today_local()
    with app.app_context():
        scope = stats.Scope(campaign_id=1)
        before = stats.headline(scope, today)["figures"].problems
        duplicate = db.session.scalar(select(Problem).where(Problem.status == "submitted"))
        duplicate.status = stats.MERGED
        db.session.commit()
        assert stats.headline(scope, today)["figures"].problems == before - 1
        assert stats.MERGED not in dict(stats.by_status(scope))
