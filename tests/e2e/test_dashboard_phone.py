"""Leaders' figures and the ledger's search fields in a real browser, at phone width."""

from test_phone_flow import SCROLL_WIDTH, check_phone_layout, log_in


def test_dashboard_reads_on_a_phone(phone, live_server):
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, "demo-viewer")
    phone.click("nav >> text=统计")
    phone.wait_for_url("**/dashboard/")
    assert phone.locator("svg.chart").count() >= 7
    assert phone.locator(".stat:has-text('视察组') b").text_content() == "38"
    assert phone.evaluate(SCROLL_WIDTH) <= 360
    phone.click("text=承办单位办理情况")
    phone.wait_for_url("**/dashboard/departments**")
    assert phone.locator("table.stack tbody tr").count() > 10
    assert phone.evaluate(SCROLL_WIDTH) <= 360
    check_phone_layout(phone)


def test_project_filter_searches_as_typed(phone, live_server):
    log_in(phone, "demo-staff")
    phone.goto("/problems/")
    phone.click("details.filters summary")
    phone.fill("input[name=project]", "模具")
    option = phone.locator(".search-results button").first
    option.wait_for()
    chosen = option.text_content().split("（")[0]
    option.click()
    phone.click(".filter-form button[type=submit]")
    phone.wait_for_url("**project_id=**")
    rows = phone.locator("table.ledger tbody tr")
    assert rows.count() >= 1
    assert all(chosen in text for text in rows.all_text_contents())
    check_phone_layout(phone)


def test_ledger_is_a_sortable_table_on_a_wide_screen(phone, live_server):
    phone.set_viewport_size({"width": 1280, "height": 900})
    log_in(phone, "demo-staff")
    phone.goto("/problems/")
    assert phone.locator("table.ledger thead").is_visible()
    phone.click("table.ledger thead >> text=办理时限")
    phone.wait_for_url("**sort=deadline**")
    assert phone.locator("th[aria-sort=ascending]").text_content().startswith("办理时限")
    box = phone.locator("table.ledger tbody tr").first.bounding_box()
    assert box["height"] < 140  # a table row, not a phone card
