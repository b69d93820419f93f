"""Notices: each event reaches the right people only; e-mail, SMS, retries, reminders."""

import email
import email.policy
import socket
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from support import csrf_token
from test_visits import post_form, visit_form

from inspect_app import signals
from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import (
    Department,
    Notice,
    OutboxMessage,
    Problem,
    ProblemStatus,
    Role,
    User,
    Visit,
    utcnow,
)
from inspect_app.notices.delivery import deliver_due


def _send(app, kind, record_id, action, actor="demo-staff", extra=None):
    """Send a domain event as the workflow would, inside a request, and commit."""
    with app.test_request_context(), writing():
        actor_user = db.session.scalar(select(User).where(User.username == actor))
        if kind == "problem":
            problem = db.session.get(Problem, record_id)
            signals.problem_changed.send(
                app, problem=problem, action=action, actor=actor_user, extra=extra or {}
            )
        else:
            visit = db.session.get(Visit, record_id)
            signals.visit_changed.send(
                app, visit=visit, action=action, actor=actor_user, extra=extra or {}
            )
        db.session.commit()


def _notified(app) -> dict[str, list[str]]:
    """Usernames → texts of their notices."""
    with app.app_context():
        rows = db.session.execute(
            select(User.username, Notice.text).join(User, User.id == Notice.user_id)
        ).all()
    found: dict[str, list[str]] = {}
    for username, text in rows:
        found.setdefault(username, []).append(text)
    return found


def _problem(app, demo, key="assigned_problem"):
    with app.app_context():
        problem = db.session.get(Problem, demo[key])
        return {
            "id": problem.id,
            "code": problem.code,
            "raisers": {u.username for u in problem.raised_by} | {problem.author.username},
            "author": problem.author.username,
            "departments": {
                u.username
                for u in db.session.scalars(
                    select(User).where(
                        User.role == Role.DEPARTMENT,
                        User.department_id.in_(
                            [problem.lead_department_id, *(d.id for d in problem.co_departments)]
                        ),
                    )
                )
            },
        }


def _staff(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(User.username).where(User.role == Role.STAFF)))


@pytest.mark.parametrize("action", ["assign", "urge", "reopen", "rate_unsatisfied"])
def test_department_hears_of_assign_urge_reopen(app, demo, action):
    problem = _problem(app, demo)
    _send(app, "problem", problem["id"], action)
    found = _notified(app)
    assert problem["departments"] and set(found) == problem["departments"]
    assert all(len(texts) == 1 and problem["code"] in texts[0] for texts in found.values())


def test_deputies_hear_their_problem_was_answered(app, demo):
    problem = _problem(app, demo)
    _send(app, "problem", problem["id"], "answer", actor="demo-department")
    found = _notified(app)
    assert set(found) == problem["raisers"] and "已答复" in next(iter(found.values()))[0]


def test_author_hears_of_a_record_sent_back(app, demo):
    problem = _problem(app, demo, "own_problem")
    _send(
        app,
        "problem",
        problem["id"],
        "send_back",
        actor="demo-secretary",
        extra={"reason": "请补充照片"},
    )
    found = _notified(app)
    assert set(found) == {problem["author"]} and "请补充照片" in found[problem["author"]][0]


def test_visit_sent_back_reaches_its_author_only(app, demo):
    with app.app_context():
        author = db.session.get(Visit, demo["own_visit"]).author.username
    _send(app, "visit", demo["own_visit"], "send_back", actor="demo-secretary")
    assert set(_notified(app)) == {author}


@pytest.mark.parametrize("action", ["request_return", "request_extension"])
def test_staff_hear_of_department_requests(app, demo, action):
    problem = _problem(app, demo)
    _send(
        app,
        "problem",
        problem["id"],
        action,
        actor="demo-department",
        extra={"reason": "不属于本单位职责"},
    )
    found = _notified(app)
    assert set(found) == _staff(app)


def test_actions_without_a_notice_send_none(app, demo):
    problem = _problem(app, demo)
    for action in ("sign", "rate", "review", "merge"):
        _send(app, "problem", problem["id"], action)
    assert _notified(app) == {}


def test_the_actor_is_not_told_of_his_own_action(app, demo):
    problem = _problem(app, demo)
    staff = sorted(_staff(app))[0]
    _send(app, "problem", problem["id"], "request_extension", actor=staff)
    assert staff not in _notified(app)


def test_a_new_visit_tells_the_group_secretaries(app, client, login, demo):
    login("demo-deputy")
    response = post_form(client, "/visits/new", visit_form(client))
    assert response.status_code == 302
    found = _notified(app)
    assert set(found) == {"demo-secretary"} and "待您审核" in found["demo-secretary"][0]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login("demo-secretary")
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge count"' in page and ">1</span>" in page
    notices = client.get("/notices/").get_data(as_text=True)
    assert "待您审核" in notices and "未读" in notices
    with app.app_context():
        notice_id = db.session.scalar(select(Notice.id))
    opened = client.get(f"/notices/{notice_id}")
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/visits/")
    assert '<span class="badge count"' not in client.get("/").get_data(as_text=True)


def test_nobody_opens_another_persons_notice(app, client, login, demo):
    _send(app, "problem", _problem(app, demo)["id"], "assign")
    with app.app_context():
        notice_id = db.session.scalar(select(Notice.id))
    login("demo-deputy")
    assert client.get(f"/notices/{notice_id}").status_code == 404


def test_without_configuration_nothing_is_queued(app, demo):
    _send(app, "problem", _problem(app, demo)["id"], "assign")
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


# --- e-mail and SMS --------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_GET(self):
        type(self).received.append(self.path)
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway():
    handler = type("TestGateway", (Gateway,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _give_emails(app):
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.role == Role.DEPARTMENT)):
            user.email = f"{user.username}@example.gov.cn"
        db.session.commit()


def test_email_reaches_a_local_smtp_server(app, demo, smtp_server):
    port, inbox = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="office@example.cn")
    _give_emails(app)
    problem = _problem(app, demo)
    _send(app, "problem", problem["id"], "assign")
    with app.app_context():
        assert deliver_due() == {"sent": len(problem["departments"])}
        sent = db.session.scalars(select(OutboxMessage)).all()
        assert all(m.status == "sent" and m.sent_at for m in sent)
    assert len(inbox.messages) == len(problem["departments"])
    recipients = {r for m in inbox.messages for r in m.rcpt_tos}
    assert recipients == {f"{u}@example.gov.cn" for u in problem["departments"]}
    assert inbox.messages[0].mail_from == "office@example.cn"
    parsed = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    assert problem["code"] in parsed.get_content() and "交办" in str(parsed["Subject"])


def test_sms_goes_through_the_http_gateway(app, demo, sms_gateway):
    url, handler = sms_gateway
    app.config.update(
        SMS_URL=url + "/send?u={user}&p={password}&to={phone}&msg={text}",
        SMS_USER="office",
        SMS_PASSWORD="s&cret",
    )
    problem = _problem(app, demo)
    _send(app, "problem", problem["id"], "urge")
    with app.app_context():
        assert deliver_due()["sent"] >= 1
    assert handler.received
    path = handler.received[0]
    assert "u=office" in path and "p=s%26cret" in path and "to=1" in path
    assert "%E7%9D%A3%E5%8A%9E" in path  # 督办, URL-encoded


def test_a_failing_gateway_retries_and_never_breaks_the_action(app, client, login, sms_gateway):
    url, handler = sms_gateway
    handler.status = 500
    app.config.update(SMS_URL=url + "/send?to={phone}&msg={text}", NOTICE_MAX_ATTEMPTS=3)
    login("demo-deputy")
    response = post_form(client, "/visits/new", visit_form(client))
    assert response.status_code == 302  # the visit is saved whatever the gateway does
    with app.app_context():
        assert db.session.scalar(select(Visit).order_by(Visit.id.desc())).author.username == (
            "demo-deputy"
        )
        message = db.session.scalar(select(OutboxMessage))
        assert message.channel == "sms"
        for expected_attempts in (1, 2, 3):
            if message.attempts < expected_attempts:
                message.next_attempt_at = utcnow() - timedelta(seconds=1)
                db.session.commit()
                deliver_due()
            message = db.session.scalar(select(OutboxMessage))
            assert message.attempts == expected_attempts
            assert "500" in message.last_error
        assert message.status == "failed"
        assert deliver_due() == {}  # given up: no endless retries
    assert len(handler.received) == 3


def test_send_notices_command_sends_what_waits(app, runner, demo, sms_gateway):
    url, handler = sms_gateway
    app.config.update(SMS_URL=url + "/send?to={phone}&msg={text}")
    _send(app, "problem", _problem(app, demo)["id"], "assign")
    result = runner.invoke(args=["notices", "send"])
    assert result.exit_code == 0 and "sent" in result.output
    assert handler.received
    again = runner.invoke(args=["notices", "send"])
    assert "none due" in again.output


# --- reminders -------------------------------------------------------------------------------


def _deadline_in(app, problem_id, days):
    today = date(2025, 8, 1)
    with app.app_context():
        problem = db.session.get(Problem, problem_id)
        problem.status = ProblemStatus.IN_PROGRESS
        problem.deadline = today + timedelta(days=days)
        db.session.commit()
    return today


def test_send_reminders_twice_sends_once(app, runner, demo):
    problem = _problem(app, demo)
    today = _deadline_in(app, problem["id"], 7)
    first = runner.invoke(args=["notices", "remind", "--today", today.isoformat()])
    assert first.exit_code == 0, first.output
    found = _notified(app)
    assert problem["departments"] <= set(found)
    mine = {u: [t for t in texts if problem["code"] in t] for u, texts in found.items()}
    assert all(len(mine[u]) == 1 and "7 天" in mine[u][0] for u in problem["departments"])
    runner.invoke(args=["notices", "remind", "--today", today.isoformat()])
    assert _notified(app) == found
    one_day = runner.invoke(
        args=["notices", "remind", "--today", (today + timedelta(6)).isoformat()]
    )
    assert one_day.exit_code == 0
    texts = _notified(app)[sorted(problem["departments"])[0]]
    assert sum(problem["code"] in t for t in texts) == 2


def test_no_reminder_far_from_the_deadline_or_for_closed_problems(app, runner, demo):
    problem = _problem(app, demo)
    today = _deadline_in(app, problem["id"], 20)
    with app.app_context():
        for other in db.session.scalars(select(Problem).where(Problem.id != problem["id"])):
            other.deadline = None
        db.session.commit()
    runner.invoke(args=["notices", "remind", "--today", today.isoformat()])
    assert _notified(app) == {}
    with app.app_context():
        closed = db.session.get(Problem, problem["id"])
        closed.status = ProblemStatus.CLOSED
        closed.deadline = today + timedelta(days=1)
        db.session.commit()
    runner.invoke(args=["notices", "remind", "--today", today.isoformat()])
    assert _notified(app) == {}


def test_reminder_schedule_comes_from_the_settings(app, runner, demo):
    from inspect_app.models import Setting

    problem = _problem(app, demo)
    today = _deadline_in(app, problem["id"], 3)
    with app.app_context():
        for other in db.session.scalars(select(Problem).where(Problem.id != problem["id"])):
            other.deadline = None
        db.session.add(Setting(key="reminder_days", value=[3]))
        db.session.commit()
        assert db.session.scalar(select(Department.id))
    runner.invoke(args=["notices", "remind", "--today", today.isoformat()])
    assert set(_notified(app)) == problem["departments"]


def test_messages_go_out_after_the_response_not_before(app, client, login, sms_gateway):
    url, handler = sms_gateway
    app.config.update(SMS_URL=url + "/send?to={phone}&msg={text}")
    login("demo-deputy")
    response = post_form(client, "/visits/new", visit_form(client))
    assert response.status_code == 302
    assert handler.received == []  # the page answered without waiting for the gateway
    response.close()  # the server has sent the response: now the outbox is delivered
    assert len(handler.received) == 1
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "sent" and message.attempts == 1
