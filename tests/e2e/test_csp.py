"""Every page of every role loads under the strict Content-Security-Policy with no violation.

The pages come from the app's url_map: each GET endpoint is visited for each demo role (and
logged out), with its arguments taken from links the role actually sees, so a new page is
covered without changing this test.
"""

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import ExportJob, JobState, Notice, Problem, User, Visit
from inspect_app.models.records import ReplyLetter
from inspect_app.problems.actions import reply_root
from inspect_app.problems.letters import check_letter, store_letter

PHONE = {"width": 390, "height": 844}
ROLES = (None, "demo-deputy", "demo-secretary", "demo-staff", "demo-department", "demo-viewer")
SKIPPED = {"static", "auth.logout"}
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""

# A GET form (filters, the weekly export) as the URL its default values submit to.
FORM_URLS = """forms => forms
  .filter(f => (f.getAttribute("method") || "get").toLowerCase() === "get")
  .map(f => f.action + "?" + new URLSearchParams(new FormData(f)).toString())"""


def _get_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIPPED
    }


def _plain_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in SKIPPED and not rule.arguments:
            urls.append(rule.rule)
    return sorted(urls)


def _add_reply_letter() -> None:
    """The demo has answers without letters: attach one to an answered problem."""
    answered = db.session.scalar(
        select(Problem).where(Problem.status == "answered").order_by(Problem.id)
    )
    checked = check_letter(b"%PDF-1.4\n%%EOF\n", 1_000_000)
    store_letter(checked.data, reply_root(), "csp-letter")
    answered.reply_letters.append(
        ReplyLetter(
            uploaded_by_id=answered.author_id,
            storage_key="csp-letter",
            original_name="答复函.pdf",
            content_type=checked.content_type,
            byte_size=len(checked.data),
            sha256=checked.sha256,
        )
    )


def _finished_jobs() -> list[int]:
    """A finished ledger export job for every demo role, its file in the jobs folder."""
    folder = Path(current_app.config["JOB_FILES_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    with writing():
        for user in db.session.scalars(select(User).where(User.username.in_(ROLES))):
            path = folder / f"csp-{user.id}.xlsx"
            path.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: only its headers matter
            job = ExportJob(user_id=user.id, kind="ledger", parameters={"args": {}},
                            scope={"id": user.id, "role": user.role}, filename="问题台账.xlsx",
                            state=JobState.DONE, file_path=str(path))  # fmt: skip
            db.session.add(job)
            db.session.flush()
            jobs.append(job.id)
        db.session.commit()
    return jobs


def _seeds(app) -> list[str]:
    """Pages that only a record in a certain state links to: a problem of every status, a
    reply letter, a notice for every demo user, a visit through the API."""
    with app.app_context():
        with writing():
            for user in db.session.scalars(select(User).where(User.username.in_(ROLES))):
                db.session.add(Notice(user=user, kind="test", text="提醒", link="/"))
            _add_reply_letter()
            db.session.commit()
        problems = db.session.scalars(select(func.min(Problem.id)).group_by(Problem.status))
        actions = ("", "/answer", "/assign", "/co-opinion", "/merge", "/paper-rating")
        actions += ("/progress", "/rate", "/extension", "/return", "/send-back", "/urge", "/edit")
        urls = [f"/problems/{pid}{action}" for pid in problems for action in actions]
        urls += [
            f"/problems/{p}/letters/{i}"
            for p, i in db.session.execute(select(ReplyLetter.problem_id, ReplyLetter.id))
        ]
        urls += [f"/notices/{n}" for n in db.session.scalars(select(Notice.id))]
        visit = db.session.scalar(select(Visit.client_uuid).order_by(Visit.id))
        urls.append(f"/api/v1/visits/{visit}")
        group = db.session.scalar(select(Problem.group_id).order_by(Problem.id))
        urls.append(f"/ledger/weekly.docx?group_id={group}")  # the weekly form POSTs, then here
        lead = db.session.scalar(select(func.min(Problem.lead_department_id)))
        urls += [f"/ledger/handover/{lead}.{kind}?assigned_from=" for kind in ("xlsx", "docx")]
        for job in _finished_jobs():  # an export job of every role (its page, status, file)
            urls += [f"/exports/{job}", f"/exports/{job}/status", f"/exports/{job}/download"]
        db.session.remove()
    return urls


def _endpoint(adapter, url: str) -> str | None:
    parts = urlsplit(url)
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except HTTPException:
        return None
    return endpoint if endpoint not in SKIPPED else None


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("#login", username)
    page.fill("#password", "inspect-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _crawl(browser, base_url, app, username, seeds):
    """Visit each GET endpoint once as `username`; (endpoint → status, violations)."""
    # No service worker: it would fetch the app shell again behind every page (the offline
    # tests cover it); its script is still checked as a page's resource.
    context = browser.new_context(
        viewport=PHONE, base_url=base_url, locale="zh-CN", service_workers="block"
    )
    context.add_init_script(LISTEN)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    adapter = app.url_map.bind("localhost")
    statuses, violations = {}, []
    try:
        if username:
            _log_in(page, username)
        queue, fallback = ["/"], _plain_urls(app) + seeds  # links first: real arguments
        while queue or fallback:
            url = queue.pop(0) if queue else fallback.pop(0)
            endpoint = _endpoint(adapter, url)
            if endpoint is None or statuses.get(endpoint) == 200:
                continue
            if endpoint in statuses and url not in seeds:  # seeds try until one answers 200
                continue
            response = context.request.get(url, max_redirects=0)
            statuses[endpoint] = response.status
            csp = response.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp, f"{url}: no CSP header"
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue  # a photo, workbook or zip: the header is all that applies
            page.goto(url)
            page.wait_for_load_state("load")
            found = page.evaluate("window.__cspViolations")
            violations += [f"{username} {url}: {v}" for v in found + console]
            console.clear()
            links = page.eval_on_selector_all(
                "a[href], img[src]", "found => found.map(e => e.href || e.src)"
            ) + page.eval_on_selector_all("form", FORM_URLS)
            queue += [link for link in links if link.startswith(base_url)]
    finally:
        context.close()
    return statuses, violations


def test_no_page_of_any_role_breaks_the_content_security_policy(browser, live_server):
    app, base_url = live_server
    seen, violations = {}, []
    seeds = _seeds(app)
    for username in ROLES:
        statuses, found = _crawl(browser, base_url, app, username, seeds)
        violations += found
        for endpoint, status in statuses.items():
            seen.setdefault(endpoint, set()).add(status)
    assert violations == []
    unseen = _get_endpoints(app) - set(seen)
    assert unseen == set(), "pages no role reached"
    never_ok = {endpoint for endpoint, codes in seen.items() if not {200, 302} & codes}
    assert never_ok == set(), "pages that answered no role with a page or a redirect"
