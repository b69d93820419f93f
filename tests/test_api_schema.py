"""The API against its own OpenAPI document (schemathesis), logged in as a deputy."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import CSRF_FIELD
from werkzeug.serving import make_server

from inspect_app.demo.seed import DEMO_PASSWORD


@pytest.fixture
def api_server(make_app):
    app = make_app(TESTING=False)  # errors answer as in production, not raised into the server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def api_schema(api_server):
    document = requests.get(f"{api_server}/api/v1/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(document)


@pytest.fixture
def deputy_session(api_server):
    session = requests.Session()
    page = session.get(f"{api_server}/login", timeout=30).text
    token = CSRF_FIELD.search(page).group(1) or CSRF_FIELD.search(page).group(2)
    form = {"login": "demo-deputy", "password": DEMO_PASSWORD, "csrf_token": token}
    session.post(f"{api_server}/login", data=form, timeout=30)
    home = session.get(f"{api_server}/", timeout=30).text
    match = CSRF_FIELD.search(home)
    session.headers["X-CSRFToken"] = match.group(1) or match.group(2)
    return session


CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def exercise(operation, api_server, session, statuses):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def run(case):
        response = case.call_and_validate(
            base_url=api_server, session=session, timeout=60, checks=CHECKS
        )
        statuses.add((operation.method.upper(), operation.path, response.status_code))

    run()


def test_api_conforms_to_its_openapi_document(api_schema, api_server, deputy_session):
    """Every operation, with generated valid and invalid input: no 500, no schema violation."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 7
    statuses = set()
    for operation in operations:
        exercise(operation, api_server, deputy_session, statuses)
    assert ("GET", "/api/v1/reference", 200) in statuses  # logged in, not refused
    assert 500 not in {status for _m, _p, status in statuses}


def test_the_same_visit_sent_from_several_tabs_at_once_is_stored_once(api_server, deputy_session):
    reference = deputy_session.get(f"{api_server}/api/v1/reference", timeout=30).json()
    group = reference["groups"][0]
    body = {
        "client_uuid": str(uuid.uuid4()),
        "group_id": group["id"],
        "project_id": group["projects"][0]["id"],
        "visited_on": "2025-07-21",
        "summary": "几个标签页同时发送。",
        "attendee_ids": [reference["user_id"]],
        "problems": [
            {"client_uuid": str(uuid.uuid4()), "category": "land", "description": "同一个问题。"}
        ],
    }

    def send(_n):
        return deputy_session.post(f"{api_server}/api/v1/visits", json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
