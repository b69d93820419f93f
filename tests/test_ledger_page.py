"""The ledger page: filters, counts by status, pagination, scope."""

import re

import pytest
from sqlalchemy import func, or_, select
from support import row_count

from inspect_app.extensions import db
from inspect_app.models import Problem
from inspect_app.models.records import problem_co_department


def codes(page: str) -> set[str]:
    return set(re.findall(r">(\d{4}-\d{2}-\d{3})</a></th>", page))


def test_counts_by_status_and_status_filter(app, client, login, make_problem):
    made = make_problem(state="closed")  # one more closed problem: the counts follow the rows
    counts = {
        status: row_count(app, Problem, Problem.status == status)
        for status in ("closed", "submitted", "reopened")
    }
    login("demo-staff")
    page = client.get("/problems/").get_data(as_text=True)
    assert f"已办结 {counts['closed']}" in page and f"已提交 {counts['submitted']}" in page
    assert f"重新办理 {counts['reopened']}" in page
    closed = client.get("/problems/?status=closed").get_data(as_text=True)
    assert made.code in codes(closed)
    assert len(codes(closed)) == counts["closed"] and f"共 {counts['closed']} 条" in closed


def test_pagination_covers_every_problem_once(client, login, app):
    login("demo-staff")
    seen = set()
    for number in (1, 2):
        page = client.get(f"/problems/?page={number}").get_data(as_text=True)
        seen |= codes(page)
    with app.app_context():
        assert len(seen) == db.session.scalar(select(func.count(Problem.id)))


def test_filters_by_town_category_department_dates_and_words(client, login, demo, app):
    login("demo-staff")
    page = client.get("/problems/?town=东城街道").get_data(as_text=True)
    assert codes(page) and all("东城街道" in block for block in page.split("<tr>")[2:])
    page = client.get("/problems/?category=land").get_data(as_text=True)
    assert codes(page) and page.count(">用地<") >= len(codes(page))
    page = client.get(f"/problems/?department_id={demo['housing']}").get_data(as_text=True)
    assert codes(page) == codes_where(app, _handled_by(demo["housing"]))
    assert codes(client.get("/problems/?date_from=2025-08-01").get_data(as_text=True)) == set()
    page = client.get("/problems/?q=征拆").get_data(as_text=True)
    assert codes(page) == codes_where(app, Problem.description.contains("征拆"))


def _handled_by(department_id: int):
    co = select(problem_co_department.c.problem_id).where(
        problem_co_department.c.department_id == department_id
    )
    return or_(Problem.lead_department_id == department_id, Problem.id.in_(co))


def codes_where(app, condition) -> set[str]:
    """The codes of the problems the database holds for a filter: what the rows must show."""
    with app.app_context():
        found = set(db.session.scalars(select(Problem.code).where(condition)))
    assert 0 < len(found) < 56, "the filter must keep some problems and drop others"
    return found


def test_export_buttons_carry_the_filters(client, login):
    login("demo-staff")
    page = client.get("/problems/?status=closed&page=2").get_data(as_text=True)
    assert 'action="/ledger/export.xlsx?status=closed"' in page
    assert "images=0" in page and "page=2" not in page.split("/ledger/export.xlsx")[1][:40]


@pytest.mark.parametrize("page", ["/problems/", "/visits/", "/suggestions/"])
def test_reversed_dates_are_named_not_silently_empty(client, login, page):
    login("demo-staff")
    body = client.get(f"{page}?date_from=2025-07-31&date_to=2025-07-01").get_data(as_text=True)
    assert "开始日期晚于结束日期" in body
    assert "开始日期晚于结束日期" not in client.get(page).get_data(as_text=True)
