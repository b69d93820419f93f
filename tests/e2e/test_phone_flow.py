"""A deputy on a phone: log in, log a visit with a problem, a suggestion and a photo."""

import io
import re
from datetime import datetime

from PIL import Image
from support import TESTDATA

SCROLL_WIDTH = "document.documentElement.scrollWidth"
VISIT_DAY = "2025-07-20"  # within the demo campaign (July 2025)
TARGETS = ", ".join(
    [
        "main button",
        "main .button",
        "main select",
        "main input:not([type=hidden]):not([type=file])",
        "main a",
        "nav a",
    ]
)
SMALL_TARGETS = (
    "() => [...document.querySelectorAll('" + TARGETS + "')]"
    ".filter(el => el.offsetParent !== null)"
    ".map(el => (el.type === 'checkbox' && el.closest('label')) || el)"
    ".map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])"
    ".filter(([_html, h]) => h < 44)"
)


def check_phone_layout(page):
    assert page.evaluate(SCROLL_WIDTH) <= 390, "horizontal scroll on a phone"
    assert page.evaluate(SMALL_TARGETS) == []


def wait_saved(page):
    """The send queue on the home page delivered the visit; open it."""
    link = "[data-outbox-item][data-state=sent] a"
    page.wait_for_selector(link, timeout=60_000)
    page.click(link)
    page.wait_for_url(re.compile(r".*/visits/\d+$"))


def log_in(page, username="demo-deputy"):
    """Log in and wait until the home page has loaded (not just the click)."""
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", "inspect-demo")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit]")
    assert "/login" not in page.url, "login failed"
    page.wait_for_selector("nav.nav")


def test_deputy_logs_a_visit_on_a_phone(phone, live_server, tmp_path):
    app, base_url = live_server
    shots = tmp_path / "screenshots"
    phone.goto("/login")
    check_phone_layout(phone)
    phone.screenshot(path=shots / "1-login.png", full_page=True)

    log_in(phone)
    phone.wait_for_url(f"{base_url}/")
    assert "东城街道视察组" in phone.content()
    check_phone_layout(phone)
    phone.screenshot(path=shots / "2-home.png", full_page=True)

    phone.click("text=记录一次视察")
    phone.wait_for_url("**/visits/new")
    camera = phone.locator("input[type=file][name=photos]")
    assert (
        camera.get_attribute("accept") == "image/*"
        and camera.get_attribute("capture") == "environment"
    )
    check_phone_layout(phone)
    phone.select_option("#project_id", index=1)
    phone.fill("#visited_on", VISIT_DAY)
    project = phone.eval_on_selector(
        "#project_id", "el => el.options[el.selectedIndex].text"
    ).split("（")[0]
    phone.fill("#summary", "厂房主体已封顶，正在安装设备。")
    phone.select_option("#problems-0-category", "land")
    phone.fill("#problems-0-description", "二期用地征拆未完成，影响开工。")
    phone.fill("#problems-0-suggestion", "建议镇街限期完成补偿协商。")
    phone.fill("#suggestions-0-text", "建议加强施工扬尘治理。")
    phone.set_input_files(
        "input[name='problems-0-photos']", str(TESTDATA / "exif-orientation" / "Portrait_6.jpg")
    )
    phone.wait_for_selector(".problem-block .thumb.pending img")
    phone.screenshot(path=shots / "3-form.png", full_page=True)

    phone.click("button[value=save]")
    wait_saved(phone)
    assert "二期用地征拆未完成，影响开工。" in phone.content()
    assert phone.locator(".thumbs img").count() == 1
    check_phone_layout(phone)
    phone.screenshot(path=shots / "4-saved.png", full_page=True)

    phone.click("nav >> text=视察记录")
    phone.wait_for_url("**/visits/")
    assert project in phone.content()
    phone.screenshot(path=shots / "5-list.png", full_page=True)
    assert sorted(p.name for p in shots.iterdir()) == [
        "1-login.png",
        "2-home.png",
        "3-form.png",
        "4-saved.png",
        "5-list.png",
    ]
    outside = [u for u in phone.requests_seen if not u.startswith((base_url, "blob:", "data:"))]
    assert outside == [], "a request left the app's server"

    width, height = _query(app, "select width, height from photo order by id desc limit 1")
    assert height > width  # the EXIF-rotated portrait was stored upright


def _query(app, sql: str) -> tuple:
    """The first row of a query on the live server's database (SQLite or PostgreSQL)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(text(sql)).one())
    finally:
        engine.dispose()


def _big_photo_with_exif() -> bytes:
    """A 12 MP noisy JPEG (several MB), taken sideways (orientation 6), with a capture time."""
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = "2025:07:15 10:30:00"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def test_big_photo_is_shrunk_in_the_browser_keeping_time_and_orientation(
    phone, live_server, tmp_path
):
    app, _base_url = live_server
    original = _big_photo_with_exif()
    path = tmp_path / "big.jpg"
    path.write_bytes(original)
    log_in(phone)
    phone.goto("/visits/new")
    phone.select_option("#project_id", index=1)
    phone.fill("#visited_on", VISIT_DAY)
    phone.fill("#summary", "现场照片较大。")
    phone.set_input_files("input[name=photos]", str(path))
    phone.wait_for_selector("[data-photo-picker] .thumb.pending img")
    phone.click("button[value=save]")
    wait_saved(phone)
    size, width, height, captured = _query(
        app, "select byte_size, width, height, captured_at from photo order by id desc limit 1"
    )
    assert size < len(original) / 2  # shrunk before upload
    assert (width, height) == (1536, 2048)  # upright portrait, not rotated twice
    # the capture time is kept (SQLite returns text, PostgreSQL a datetime)
    assert datetime.fromisoformat(str(captured)) == datetime(2025, 7, 15, 2, 30)


def test_typed_text_survives_a_reload(phone, live_server):
    log_in(phone)
    phone.goto("/visits/new")
    phone.fill("#summary", "还没提交的草稿内容")
    phone.fill("#problems-0-description", "草稿里的问题")
    phone.evaluate("document.querySelector('[data-draft-status]').textContent = ''")
    phone.wait_for_function(  # the draft (both fields, read when it is saved) is stored
        "() => { const f = document.querySelector('form[data-text-saved]');"
        " return f.querySelector('[data-draft-status]').textContent"
        ".startsWith(f.dataset.textSaved); }",
        timeout=20_000,
    )
    phone.reload()
    phone.wait_for_function(  # the draft is read back from IndexedDB after the page loads
        "() => document.querySelector('[data-draft-status]').textContent.includes('已恢复')",
        timeout=20_000,
    )
    assert phone.input_value("#summary") == "还没提交的草稿内容"
    assert phone.input_value("#problems-0-description") == "草稿里的问题"
    assert "已恢复" in phone.inner_text("[data-draft-status]")


def test_double_tap_on_save_stores_one_visit(phone, live_server):
    app, _base_url = live_server
    log_in(phone)
    phone.goto("/visits/new")
    phone.select_option("#project_id", index=1)
    phone.fill("#visited_on", VISIT_DAY)
    phone.fill("#summary", "连点两次保存")
    (before,) = _query(app, "select count(*) from visit")
    phone.dblclick("button[value=save]")
    wait_saved(phone)
    assert _query(app, "select count(*) from visit") == (before + 1,)


def test_office_pages_fit_a_phone(phone, live_server):
    """Secretary and staff pages: no sideways scrolling at 360 px, targets at least 44 px."""
    phone.set_viewport_size({"width": 360, "height": 740})
    for username, urls in (
        ("demo-secretary", ["/problems/", "/ledger/weekly", "/suggestions/", "/visits/"]),
        (
            "demo-staff",
            ["/imports/", "/ledger/handover/", "/admin/projects/", "/admin/groups/9/edit"],
        ),
    ):
        log_in(phone, username)
        for url in urls:
            phone.goto(url)
            assert phone.evaluate(SCROLL_WIDTH) <= 360, url
        phone.click("text=退出")
