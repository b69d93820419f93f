"""Helpers shared by the tests."""

import re
from pathlib import Path

TESTDATA = Path(__file__).resolve().parent / "data"
CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on a page."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


# The demo users' password hash in tests: one PBKDF2 round instead of scrypt (tests only).
TEST_PASSWORD_METHOD = "pbkdf2:sha256:1"


def row_count(app, model, *where) -> int:
    """How many rows of a model (matching `where`) the app's database holds now."""
    from sqlalchemy import func, select

    from inspect_app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))
