"""The ledger page: filters, counts by status, pagination, scope."""

import re

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Problem


def codes(page: str) -> set[str]:
    return set(re.findall(r">(\d{4}-\d{2}-\d{3})</a></th>", page))


def test_counts_by_status_and_status_filter(client, login):
    login("demo-staff")
    page = client.get("/problems/").get_data(as_text=True)
    assert "已办结 14" in page and "已提交 4" in page and "重新办理 4" in page
    closed = client.get("/problems/?status=closed").get_data(as_text=True)
    assert len(codes(closed)) == 14 and "共 14 条" in closed


def test_pagination_covers_every_problem_once(client, login, app):
    login("demo-staff")
    seen = set()
    for number in (1, 2):
        page = client.get(f"/problems/?page={number}").get_data(as_text=True)
        seen |= codes(page)
    with app.app_context():
        assert len(seen) == db.session.scalar(select(func.count(Problem.id))) == 56


def test_filters_by_town_category_department_dates_and_words(client, login, demo):
    login("demo-staff")
    page = client.get("/problems/?town=东城街道").get_data(as_text=True)
    assert codes(page) and all("东城街道" in block for block in page.split("<tr>")[2:])
    page = client.get("/problems/?category=land").get_data(as_text=True)
    assert codes(page) and page.count(">用地<") >= len(codes(page))
    page = client.get(f"/problems/?department_id={demo['housing']}").get_data(as_text=True)
    assert codes(page) and "市住房和城乡建设局" in page
    assert codes(client.get("/problems/?date_from=2025-08-01").get_data(as_text=True)) == set()
    page = client.get("/problems/?q=征拆").get_data(as_text=True)
    assert codes(page) and "征拆" in page


def test_export_buttons_carry_the_filters(client, login):
    login("demo-staff")
    page = client.get("/problems/?status=closed&page=2").get_data(as_text=True)
    assert 'href="/ledger/export.xlsx?status=closed"' in page
    assert "images=0" in page and "page=2" not in page.split("/ledger/export.xlsx")[1][:40]
