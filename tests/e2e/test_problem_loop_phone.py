"""On a phone: a department signs for a problem and answers it with a reply letter; the
deputy who raised it rates the answer."""

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Department, Problem, User
from inspect_app.problems import actions

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TAPPABLE = (
    "() => [...document.querySelectorAll('main button, main .button, main select,"
    " main input:not([type=hidden]):not([type=file]), nav a')]"
    ".filter(el => el.offsetParent !== null)"
    ".map(el => (['checkbox', 'radio'].includes(el.type) && el.closest('label')) || el)"
    ".map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])"
    ".filter(([_html, h]) => h < 44)"
)


def check_layout(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal scroll"
    assert page.evaluate(TAPPABLE) == []


def assigned_to_housing(app) -> tuple[int, str]:
    """The demo deputy's submitted problem, reviewed by his secretary and assigned by staff."""
    with app.app_context():
        deputy = db.session.scalar(select(User).where(User.username == "demo-deputy"))
        secretary = db.session.scalar(select(User).where(User.username == "demo-secretary"))
        staff = db.session.scalar(select(User).where(User.username == "demo-staff"))
        housing = db.session.scalar(
            select(Department).where(Department.name == "市住房和城乡建设局")
        )
        problem = db.session.scalar(
            select(Problem)
            .where(Problem.author_id == deputy.id, Problem.status == "submitted")
            .order_by(Problem.id)
        )
        actions.review(secretary, problem)
        actions.assign(staff, problem, housing, [], actions.default_deadline(), "请按时答复")
        db.session.commit()
        return problem.id, problem.code


def sign_in(browser, base_url, username):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=base_url,
        locale="zh-CN",
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", "inspect-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return context, page


def test_department_answers_with_a_letter_and_the_deputy_rates_it(browser, live_server, tmp_path):
    app, base_url = live_server
    pid, code = assigned_to_housing(app)
    shots = tmp_path / "screenshots"
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(PDF)

    context, page = sign_in(browser, base_url, "demo-department")
    assert "新交办" in page.content()
    check_layout(page)
    page.screenshot(path=shots / "1-department-home.png", full_page=True)
    page.goto(f"/problems/{pid}")
    page.click("button:has-text('签收')")
    page.wait_for_selector(".badge.status-in_progress")
    check_layout(page)
    page.click("a.button:has-text('答复')")
    page.wait_for_url(f"**/problems/{pid}/answer")
    page.fill("#text", "已完成审批手续，项目已于本月开工。")
    for radio in page.locator("input[type=radio][value=adopted]").all():
        radio.check()
    page.set_input_files("input[name=letter]", str(letter))
    check_layout(page)
    page.screenshot(path=shots / "2-answer.png", full_page=True)
    page.click("button:has-text('提交答复')")
    page.wait_for_selector(".badge.status-answered")
    assert "下载答复函" in page.content()
    with page.expect_download() as download:
        page.click("a:has-text('下载答复函')")
    assert download.value.suggested_filename == "答复函.pdf"
    context.close()

    context, page = sign_in(browser, base_url, "demo-deputy")
    assert "待评价" in page.content()
    page.goto(f"/problems/{pid}")
    assert "已完成审批手续" in page.content() and code in page.content()
    page.click("a.button:has-text('评价')")
    page.wait_for_url(f"**/problems/{pid}/rate")
    check_layout(page)
    page.check("input[type=radio][value=satisfied]")
    page.fill("#comment", "办理及时。")
    page.click("button:has-text('提交')")
    page.wait_for_selector(".badge.status-closed")
    check_layout(page)
    page.screenshot(path=shots / "3-rated.png", full_page=True)
    assert "办理及时。" in page.content() and "办理记录" in page.content()
    context.close()
