"""Chinese by default, English beside it, dates in Asia/Shanghai."""

from datetime import datetime
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
METHODS = [("inspect_app/**.py", "python"), ("templates/**.html", "jinja2")]


def test_chinese_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "手机号或用户名" in page


def test_english_on_request_and_remembered(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page and "Phone number or user name" in page
    assert "Phone number or user name" in client.get("/login").get_data(as_text=True)


def test_user_setting_chooses_english(client, login):
    from support import csrf_token

    login("demo-deputy")
    token = csrf_token(client, "/account")
    client.post("/account/language", data={"lang-locale": "en", "lang-csrf_token": token})
    assert "Log a visit" in client.get("/").get_data(as_text=True)


def test_english_catalogue_is_complete():
    """Every message in the code and templates has an English translation."""
    with (ROOT / "inspect_app/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    wanted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords={**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
        )
    }
    ids = {m if isinstance(m, str) else m[0] for m in wanted}
    missing = [m for m in ids if not (catalogue.get(m) and catalogue.get(m).string)]
    assert not missing, f"untranslated: {missing[:10]}"


def test_dates_shown_in_shanghai(app):
    from inspect_app.templating import local_datetime

    with app.test_request_context("/"):
        assert local_datetime(datetime(2025, 7, 1, 16, 30)) == "2025-07-02 00:30"
