"""The server keeps serving: a database error gets the plain Chinese 500 page."""

import pytest
from sqlalchemy import event, text

from inspect_app.extensions import db


@pytest.fixture
def app(make_app):
    """An app of this test's own: it gains a route."""
    return make_app()


def test_database_error_page_rolls_back_and_never_queries(app, client, login):
    statements = []

    @app.get("/test-broken-write")
    def broken_write():
        db.session.expire_all()  # the page would have to reload the user from the database
        db.session.execute(text("INSERT INTO department (id, name) VALUES (1, 'x')"))
        db.session.flush()
        raise AssertionError("unreachable: the insert above breaks a unique key")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    login("demo-staff")
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get("/test-broken-write")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器出错" in page and "Internal Server Error" not in page
    after_failure = statements[statements.index(next(s for s in statements if "INSERT" in s)) + 1 :]
    assert after_failure == []  # nothing queried once the write failed
    assert client.get("/healthz").status_code == 200


def test_a_form_part_without_a_name_is_a_bad_request_not_a_server_error(client, login):
    login("demo-deputy")
    body = b"--frontier\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--frontier--\r\n"
    response = client.post(
        "/api/v1/visits",
        data=body,
        content_type="multipart/form-data; boundary=frontier",
    )
    assert response.status_code == 400
