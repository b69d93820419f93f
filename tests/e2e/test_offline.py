"""Offline capture on a phone: drafts, the send queue, and exactly-once delivery.

Each test cuts the connection (context.set_offline) or drops answers (route interception)
at a chosen moment and then counts what reached the server.
"""

import pytest
from sqlalchemy import func, select
from support import TESTDATA
from test_phone_flow import check_phone_layout

from inspect_app.extensions import db
from inspect_app.models import GroupMember, Photo, Problem, Visit

PHONE = {"width": 390, "height": 844}

PICTURES = TESTDATA / "exif-orientation"
WAIT = 60_000


@pytest.fixture
def phone_context(browser, live_server):
    """make(service_workers=..., javascript=...) opens a phone-sized context on the server."""
    _app, base_url = live_server
    contexts = []

    def make(service_workers="allow", javascript=True):
        context = browser.new_context(
            viewport=PHONE,
            base_url=base_url,
            locale="zh-CN",
            has_touch=True,
            is_mobile=True,
            service_workers=service_workers,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(WAIT)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page, username="demo-deputy"):
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", "inspect-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("text=记录一次视察")


def open_form(page):
    page.goto("/visits/new")
    page.wait_for_selector("form[data-offline-ready]")


def fill_visit(page, summary, problems=1, photos=()):
    page.select_option("#project_id", index=1)
    page.fill("#visited_on", "2025-07-20")
    page.fill("#summary", summary)
    for n in range(problems):
        if n:
            page.click("button[value=add_problem]")
        page.select_option(f"#problems-{n}-category", index=1)
        page.fill(f"#problems-{n}-description", f"{summary}：问题{n + 1}")
    for n, (field, name) in enumerate(photos, start=1):
        page.set_input_files(f"input[name='{field}']", str(PICTURES / name))
        page.wait_for_function(f"() => document.querySelectorAll('[data-photo]').length === {n}")


def wait_sent(page):
    page.wait_for_selector("[data-outbox-item][data-state=sent]", timeout=WAIT)


def stored(app, summary) -> list[dict]:
    """The visits with this summary, each with its problem and photo counts."""
    with app.app_context():
        visits = db.session.scalars(select(Visit).where(Visit.summary == summary)).all()
        result = []
        for visit in visits:
            photos = db.session.scalar(
                select(func.count()).select_from(Photo).where(Photo.visit_id == visit.id)
            )
            problems = db.session.scalar(
                select(func.count()).select_from(Problem).where(Problem.visit_id == visit.id)
            )
            result.append({"problems": problems, "photos": photos})
        db.session.remove()
        return result


def test_offline_from_the_start_then_one_visit_arrives(phone_context, live_server):
    app, base_url = live_server
    context = phone_context()
    page = context.new_page()
    log_in(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    open_form(page)  # kept by the service worker while online
    page.goto("/")

    context.set_offline(True)
    open_form(page)
    photos = [
        ("photos", "Landscape_1.jpg"),
        ("problems-0-photos", "Portrait_6.jpg"),
        ("problems-1-photos", "Landscape_3.jpg"),
    ]
    fill_visit(page, "离线视察：厂房封顶", problems=2, photos=photos)
    page.click("button[value=save]")
    page.wait_for_selector("[data-outbox-item][data-state=waiting]")
    page.reload()  # the item is still on the phone; a try on load fails and it waits again
    page.wait_for_selector("[data-outbox-item][data-state=waiting]")
    assert "1 条记录在手机上等待发送" in page.inner_text("[data-outbox-banner]")
    assert stored(app, "离线视察：厂房封顶") == []

    context.set_offline(False)
    wait_sent(page)
    assert stored(app, "离线视察：厂房封顶") == [{"problems": 2, "photos": 3}]
    assert page.locator("[data-outbox-banner]").is_hidden()


def test_a_lost_answer_after_the_server_saved_is_retried_into_one_record(
    phone_context, live_server
):
    app, _base = live_server
    context = phone_context(service_workers="block")
    page = context.new_page()
    answers = []

    def drop_first_answer(route):
        response = route.fetch()  # the server saves the visit...
        answers.append(response.status)
        if len(answers) == 1:
            route.abort("connectionreset")  # ...and its answer never reaches the phone
        else:
            route.fulfill(response=response)

    page.route("**/api/v1/visits", drop_first_answer)
    log_in(page)
    open_form(page)
    fill_visit(page, "回执丢失的视察", problems=1, photos=[("photos", "Landscape_2.jpg")])
    page.click("button[value=save]")
    wait_sent(page)
    assert answers == [201, 200]  # created, then the stored visit returned
    assert stored(app, "回执丢失的视察") == [{"problems": 1, "photos": 1}]


def test_double_tap_and_back_resubmit_store_one_record_with_javascript(phone_context, live_server):
    app, _base = live_server
    page = phone_context().new_page()
    log_in(page)
    open_form(page)
    fill_visit(page, "连点两下的视察", problems=1)
    page.dblclick("button[value=save]")
    wait_sent(page)
    page.go_back()
    page.wait_for_selector("form[data-offline-ready]")
    assert page.input_value("#summary") == "连点两下的视察"  # the browser shows what was sent
    page.click("button[value=save]")
    page.wait_for_selector("[data-outbox-item]")
    page.wait_for_function("() => document.querySelector('[data-outbox]').dataset.pending === '0'")
    assert len(stored(app, "连点两下的视察")) == 1


def test_double_tap_and_back_resubmit_store_one_record_without_javascript(
    phone_context, live_server
):
    app, _base = live_server
    page = phone_context(javascript=False).new_page()
    log_in(page)
    page.goto("/visits/new")
    page.select_option("#project_id", index=1)
    page.fill("#visited_on", "2025-07-20")
    page.fill("#summary", "没有脚本的视察")
    page.select_option("#problems-0-category", index=1)
    page.fill("#problems-0-description", "没有脚本的问题")
    page.dblclick("button[value=save]")
    page.wait_for_selector("text=没有脚本的问题")
    page.go_back()
    page.wait_for_selector("#summary")
    if page.input_value("#summary"):  # the browser kept the filled form: send it again
        page.click("button[value=save]")
        page.wait_for_selector("text=没有脚本的问题")
    assert len(stored(app, "没有脚本的视察")) == 1


def test_an_aborted_photo_upload_is_retried_into_one_photo(phone_context, live_server):
    app, _base = live_server
    context = phone_context(service_workers="block")
    page = context.new_page()
    attempts = []

    def cut_first_upload(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.fetch()  # the photo reaches the server, the connection drops before the answer
            route.abort("connectionaborted")
        else:
            route.continue_()

    page.route("**/api/v1/problems/*/photos", cut_first_upload)
    log_in(page)
    open_form(page)
    fill_visit(page, "照片中断的视察", problems=1, photos=[("problems-0-photos", "Portrait_3.jpg")])
    page.click("button[value=save]")
    wait_sent(page)
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert stored(app, "照片中断的视察") == [{"problems": 1, "photos": 1}]


def test_a_draft_survives_closing_the_page_photos_included(phone_context, live_server, tmp_path):
    context = phone_context()
    page = context.new_page()
    log_in(page)
    open_form(page)
    fill_visit(
        page, "还没写完的视察", problems=2, photos=[("problems-1-photos", "Landscape_5.jpg")]
    )
    page.fill("#problems-1-description", "第二个问题，写到一半")
    page.wait_for_selector("text=草稿已保存在手机上")
    visit_uuid = page.input_value("input[name=client_uuid]")
    problem_uuid = page.input_value("input[name='problems-1-client_uuid']")
    page.close()

    page = context.new_page()
    page.goto("/")
    draft = page.wait_for_selector("[data-outbox-item][data-state=draft]")
    assert "还没写完的视察" in draft.inner_text()
    check_phone_layout(page)
    page.click("text=继续填写")
    page.wait_for_selector("form[data-offline-ready]")
    assert page.input_value("#summary") == "还没写完的视察"
    assert page.input_value("#problems-1-description") == "第二个问题，写到一半"
    assert page.input_value("input[name=client_uuid]") == visit_uuid
    assert page.input_value("input[name='problems-1-client_uuid']") == problem_uuid
    thumb = page.locator(".problem-block").nth(1).locator("[data-photo] img")
    assert thumb.count() == 1
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    check_phone_layout(page)
    page.screenshot(path=tmp_path / "restored-draft.png", full_page=True)


def test_reference_lists_kept_on_the_phone_fill_another_group_offline(phone_context, live_server):
    app, _base = live_server
    context = phone_context()
    page = context.new_page()
    log_in(page, "demo-staff")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    open_form(page)
    first_member = page.input_value("fieldset.checklist input >> nth=0")

    context.set_offline(True)
    page.select_option("#group_id", index=20)
    page.wait_for_function(
        f"() => document.querySelector('fieldset.checklist input').value !== '{first_member}'"
    )
    page.check("fieldset.checklist input >> nth=0")
    page.select_option("#project_id", index=1)
    page.fill("#visited_on", "2025-07-20")
    page.fill("#summary", "离线换组的视察")
    page.click("button[value=save]")
    page.wait_for_selector("[data-outbox-item][data-state=waiting]")

    context.set_offline(False)
    wait_sent(page)
    with app.app_context():
        visit = db.session.scalar(select(Visit).where(Visit.summary == "离线换组的视察"))
        assert visit.group.sort_order == 21
        members = set(
            db.session.scalars(
                select(GroupMember.user_id).where(GroupMember.group_id == visit.group_id)
            )
        )
        assert len(visit.attendees) == 1 and visit.attendees[0].id in members
        db.session.remove()


def test_a_second_tab_never_restarts_an_upload_in_progress(phone_context, live_server):
    app, _base = live_server
    context = phone_context(service_workers="block")
    held = []
    context.route("**/api/v1/visits/*/photos", lambda route: held.append(route))  # hangs
    page = context.new_page()
    log_in(page)
    open_form(page)
    fill_visit(page, "上传中再开一个标签页", problems=1, photos=[("photos", "Landscape_7.jpg")])
    with page.expect_request("**/api/v1/visits/*/photos"):
        page.click("button[value=save]")
    page.wait_for_selector("[data-outbox-item][data-state=sending]")
    page.wait_for_function("() => document.querySelector('[data-outbox-item] progress') !== null")
    assert len(held) == 1

    other = context.new_page()
    other.goto("/")
    other.wait_for_selector("[data-outbox-item][data-state=sending]")
    other.click("text=记录一次视察")  # taps elsewhere in the app while the photo is on its way
    other.wait_for_selector("form[data-offline-ready]")
    other.goto("/")
    other.wait_for_selector("[data-outbox-item]")
    assert len(held) == 1  # still the one upload: no second start

    held[0].continue_()
    wait_sent(page)
    assert len(held) == 1
    assert stored(app, "上传中再开一个标签页") == [{"problems": 1, "photos": 1}]
