"""In the browser, with and without JavaScript: nothing typed is lost, nothing stored twice."""

from support import TESTDATA
from test_phone_flow import VISIT_DAY, _query, check_phone_layout, log_in

PHOTO = str(TESTDATA / "exif-orientation" / "Landscape_1.jpg")
IN_VIEW = (
    "el => { const r = el.getBoundingClientRect();"
    " return r.top >= 0 && r.bottom <= window.innerHeight; }"
)


def _count(app, table: str) -> int:
    return _query(app, f"select count(*) from {table}")[0]  # noqa: S608


def _fill_visit(page, summary: str) -> None:
    page.goto("/visits/new")
    page.select_option("#project_id", index=1)
    page.fill("#visited_on", VISIT_DAY)
    page.fill("#summary", summary)


def test_problem_block_without_description_keeps_everything(phone_without_js, live_server):
    app, _base_url = live_server
    page, visits = phone_without_js, _count(app, "visit")
    log_in(page)
    _fill_visit(page, "主体完工。")
    page.select_option("#problems-0-category", "land")
    page.fill("#problems-0-suggestion", "建议尽快协调用地。")
    page.set_input_files("input[name='problems-0-photos']", PHOTO)
    page.click("button[value=save]")
    error = page.wait_for_selector(".problem-block .error")
    assert "请描述这个问题" in error.inner_text()
    assert page.input_value("#problems-0-suggestion") == "建议尽快协调用地。"
    assert page.locator(".problem-block .thumb.kept img").count() == 1
    assert "Landscape_1.jpg" in page.inner_text(".problem-block .photo-name")
    assert _count(app, "visit") == visits
    page.fill("#problems-0-description", "二期用地未落实。")
    page.click("button[value=save]")
    page.wait_for_selector("text=视察记录已保存。")
    assert "建议尽快协调用地。" in page.content()
    assert page.locator("article .thumbs img").count() == 1


def test_problem_block_without_description_keeps_everything_in_the_phone_form(phone, live_server):
    """With JavaScript the form checks before queueing; the photo stays as a preview."""
    app, _base_url = live_server
    page = phone
    visits, suggestions = _count(app, "visit"), _count(app, "suggestion")
    problem_photos = _count(app, "photo where problem_id is not null")
    log_in(page)
    _fill_visit(page, "主体完工。")
    page.wait_for_selector("form[data-offline-ready]")
    page.select_option("#problems-0-category", "land")
    page.fill("#problems-0-suggestion", "建议尽快协调用地。")
    page.set_input_files("input[name='problems-0-photos']", PHOTO)
    page.wait_for_selector(".problem-block [data-photo]")
    page.click("button[value=save]")
    error = page.wait_for_selector(".problem-block .error")
    assert "请描述这个问题" in error.inner_text()
    assert page.input_value("#problems-0-suggestion") == "建议尽快协调用地。"
    assert page.locator(".problem-block [data-photo]").count() == 1
    assert _count(app, "visit") == visits
    page.fill("#problems-0-description", "二期用地未落实。")
    page.click("button[value=save]")
    page.wait_for_selector("[data-outbox-item][data-state=sent]", timeout=60_000)
    assert _count(app, "visit") == visits + 1
    assert _count(app, "suggestion") == suggestions + 1
    assert _count(app, "photo where problem_id is not null") == problem_photos + 1


def test_first_error_is_scrolled_into_view(phone, live_server):
    log_in(phone)
    _fill_visit(phone, "主体完工。")
    phone.fill("#visited_on", "2025-08-20")  # after the campaign
    phone.fill("#suggestions-0-text", "远在页面下方的建议。")
    phone.click("button[value=save]")
    first = phone.wait_for_selector("main .error")
    assert "视察日期要在本次视察活动期间" in first.inner_text()
    assert first.evaluate(IN_VIEW)


def test_back_and_resubmit_stores_one_visit(phone_without_js, live_server):
    """Without JavaScript; with it, tests/e2e/test_offline.py sends the same draft again."""
    app, _base_url = live_server
    page = phone_without_js
    log_in(page)
    _fill_visit(page, "返回后再次保存。")
    page.select_option("#problems-0-category", "funding")
    page.fill("#problems-0-description", "资金没有到位。")
    page.click("button[value=save]")
    page.wait_for_selector("text=视察记录已保存。")
    saved_url = page.url
    visits, problems = _count(app, "visit"), _count(app, "problem")
    page.go_back()
    page.wait_for_selector("button[value=save]")
    page.click("button[value=save]")
    page.wait_for_selector("text=这条视察记录已经保存过了，没有重复保存。")
    assert page.url == saved_url
    assert (_count(app, "visit"), _count(app, "problem")) == (visits, problems)
    page.reload()  # reloading the saved page stores nothing either
    assert (_count(app, "visit"), _count(app, "problem")) == (visits, problems)


def test_delete_asks_first_without_javascript(phone_without_js, live_server):
    app, _base_url = live_server
    page = phone_without_js
    log_in(page)
    _fill_visit(page, "要删除的记录。")
    page.click("button[value=save]")
    page.wait_for_selector("text=视察记录已保存。")
    visits = _count(app, "visit")
    page.click("a.button.danger")
    page.wait_for_selector("text=删除这条视察记录？")
    check_phone_layout(page)
    assert _count(app, "visit") == visits  # one tap deleted nothing
    page.click("button.danger")
    page.wait_for_selector("text=视察记录已删除。")
    assert _count(app, "visit") == visits - 1


def test_chosen_photo_shows_name_and_size_without_javascript(phone_without_js, live_server):
    page = phone_without_js
    log_in(page)
    page.goto("/visits/new")
    page.set_input_files("input[name=photos]", PHOTO)
    assert page.locator("input[name=photos]").is_visible()  # the browser shows the name
    page.click("[data-photo-picker] button[value=upload]")
    caption = page.wait_for_selector("[data-photo-picker] .photo-name")
    assert "Landscape_1.jpg" in caption.inner_text() and "kB" in caption.inner_text()
    check_phone_layout(page)
