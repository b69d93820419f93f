"""Helpers shared by the tests."""

import re
from html.parser import HTMLParser
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


class _Forms(HTMLParser):
    """Every form of a page: its action and the fields a browser would submit, as filled."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            fields: list = []
            self.forms.append({"action": attrs.get("action") or "", "fields": fields})
            self.forms[-1]["method"] = (attrs.get("method") or "get").lower()
        if not self.forms or attrs.get("name") is None and tag != "option":
            return
        fields = self.forms[-1]["fields"]
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and kind not in ("submit", "button", "file", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                fields.append((attrs["name"], attrs.get("value", "on" if kind != "text" else "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            fields.append(self._textarea)
        elif tag == "select":
            self._select = {"name": attrs["name"], "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if "selected" in attrs:
                self._select["chosen"].append(value)
            if self._select["first"] is None:
                self._select["first"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            first = [] if self._select["first"] is None else [self._select["first"]]
            chosen = self._select["chosen"] or first
            self.forms[-1]["fields"] += [(self._select["name"], v) for v in chosen]
            self._select = None


def form_values(page: str, action: str) -> dict:
    """The fields of the page's POST form sent to `action` (or to the page itself), as a
    browser would submit them untouched."""
    parser = _Forms()
    parser.feed(page)
    path = action.split("?")[0]
    for form in parser.forms:
        if form["method"] == "post" and form["action"].split("?")[0] in ("", path):
            values: dict = {}
            for name, value in form["fields"]:
                if isinstance(value, list):  # a textarea: a browser drops its first newline
                    value = value[1].removeprefix("\r\n").removeprefix("\n")
                values.setdefault(name, []).append(value)
            return {k: v[0] if len(v) == 1 else v for k, v in values.items()}
    raise AssertionError(f"no form posting to {action}")


def row_count(app, model, *where) -> int:
    """How many rows of a model (matching `where`) the app's database holds now."""
    from sqlalchemy import func, select

    from inspect_app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))
