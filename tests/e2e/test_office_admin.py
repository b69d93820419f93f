"""The office on a phone: accounts, operations log, settings, notices at 360 px."""

from test_phone_flow import SCROLL_WIDTH, SMALL_TARGETS, log_in

OFFICE_PAGES = [
    "/admin/users/",
    "/admin/users/new",
    "/admin/log/",
    "/admin/settings/",
    "/admin/projects/?visited=no",
    "/admin/groups/",
    "/notices/",
]


def _fits(page, url):
    page.goto(url)
    assert page.evaluate(SCROLL_WIDTH) <= 360, url
    assert page.evaluate(SMALL_TARGETS) == [], url


def test_office_pages_fit_a_phone(phone, live_server):
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, "demo-staff")
    phone.wait_for_selector("text=管理")
    for url in OFFICE_PAGES:
        _fits(phone, url)


def test_staff_reset_a_password_and_the_deputy_must_change_it(phone, live_server):
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, "demo-staff")
    phone.wait_for_selector("text=管理")
    phone.goto("/admin/users/?q=demo-deputy")
    phone.click("main .cards a")
    phone.click("text=重置为初始密码")
    password = phone.inner_text("code.password").strip()
    assert len(password) == 10
    _fits(phone, phone.url.replace(phone.url.split("/admin")[0], ""))
    phone.click("text=退出")
    phone.goto("/login")  # the old password no longer works
    phone.fill("#login", "demo-deputy")
    phone.fill("#password", "inspect-demo")
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=手机号/用户名或密码不正确。")
    phone.fill("#login", "demo-deputy")
    phone.fill("#password", password)
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=请先修改初始密码")
    phone.fill("#current", password)
    phone.fill("#new", "short")
    phone.fill("#confirm", "short")
    phone.click("form button.primary")
    phone.wait_for_selector("text=密码至少要 8 个字符。")
    phone.fill("#current", password)
    phone.fill("#new", "site-visit-2025")
    phone.fill("#confirm", "site-visit-2025")
    phone.click("form button.primary")
    phone.wait_for_selector("text=密码已修改。")
    phone.goto("/visits/")
    phone.wait_for_selector("h1")
    assert "/visits/" in phone.url
