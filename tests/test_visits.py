"""The deputy's visit form, end to end through the test client (no JavaScript)."""

import io
import re

from PIL import Image
from sqlalchemy import func, select
from support import TESTDATA
from werkzeug.test import EnvironBuilder

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Photo, Problem, Suggestion, Visit

HIDDEN = re.compile(
    r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"|'
    r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"|'
    r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*type="hidden"'
)


def hidden_fields(page: str) -> dict:
    fields = {}
    for match in HIDDEN.finditer(page):
        groups = [g for g in match.groups() if g is not None]
        fields.setdefault(groups[0], groups[1])
    return fields


def first_project(page: str) -> str:
    return re.search(
        r'<select[^>]*name="project_id"[^>]*>.*?<option[^>]*value="(\d+)"', page, re.S
    ).group(1)


def jpeg(name="site.jpg", size=(1600, 1200), color=(120, 90, 60)) -> tuple:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    out.seek(0)
    return (out, name)


def visit_form(client, url="/visits/new", **changes) -> dict:
    page = client.get(url).get_data(as_text=True)
    data = hidden_fields(page)
    data.update(
        {
            "project_id": first_project(page),
            "visited_on": "2025-07-20",
            "attendee_ids": re.search(r'name="attendee_ids" value="(\d+)" checked', page).group(1),
            "summary": "主体厂房已封顶，设备正在进场。",
            "problems-0-category": "land",
            "problems-0-description": "二期用地尚未完成征拆。",
            "problems-0-suggestion": "建议限期完成补偿协商。",
            "suggestions-0-text": "建议加强扬尘治理。",
            "action": "save",
        }
    )
    data.update(changes)
    return data


def post_form(client, url: str, data: dict):
    """POST multipart form data, closing the request body afterwards (it may be a temp file)."""
    builder = EnvironBuilder(path=url, method="POST", data=data, content_type="multipart/form-data")
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_deputy_logs_a_visit_with_problem_suggestion_and_photo(app, client, login):
    login("demo-deputy")
    before = (count(app, Visit), count(app, Problem), count(app, Suggestion), count(app, Photo))
    data = visit_form(client, **{"problems-0-photos": [jpeg()]})
    response = post_form(client, "/visits/new", data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "视察记录已保存" in page
    assert "二期用地尚未完成征拆。" in page and "建议加强扬尘治理。" in page
    after = (count(app, Visit), count(app, Problem), count(app, Suggestion), count(app, Photo))
    assert after == (before[0] + 1, before[1] + 1, before[2] + 2, before[3] + 1)
    with app.app_context():
        visit = db.session.scalar(select(Visit).order_by(Visit.id.desc()))
        problem = visit.problems[0]
        assert problem.status == "submitted" and problem.code.startswith("2025-")
        assert [p.id for p in problem.photos] and problem.photos[0].visit_id == visit.id
        assert problem.raised_by[0].username == "demo-deputy"
        entities = {
            e.entity
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create"))
        }
        assert {"visit", "problem", "suggestion"} <= entities


def test_a_form_with_an_error_keeps_text_and_uploaded_photos(app, client, login):
    login("demo-deputy")
    data = visit_form(client, summary="", **{"problems-0-photos": [jpeg()]})
    response = post_form(client, "/visits/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请写下看到的进展情况。" in page
    assert "二期用地尚未完成征拆。" in page  # typed text is still there
    kept = hidden_fields(page)["problems-0-photo_ids"]
    assert kept and "/photos/" + kept + "/thumb" in page  # the photo is shown, not asked for again
    # fix the error without uploading the photo again: it is attached
    data = visit_form(client)
    data.update(hidden_fields(page))
    data["summary"] = "补写的进展情况。"
    response = post_form(client, "/visits/new", data)
    assert response.status_code == 302
    with app.app_context():
        photo = db.session.get(Photo, int(kept))
        assert (
            photo.problem_id is not None and photo.problem.description == "二期用地尚未完成征拆。"
        )


def test_double_submission_is_stored_once(app, client, login):
    login("demo-deputy")
    data = visit_form(client)
    first = post_form(client, "/visits/new", dict(data))
    second = post_form(client, "/visits/new", dict(data))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "已经保存过了" in page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Visit)
                .where(Visit.client_uuid == data["client_uuid"])
            )
            == 1
        )


def test_wrong_file_gets_a_plain_chinese_message_and_nothing_is_lost(app, client, login):
    login("demo-deputy")
    visits_before = count(app, Visit)
    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.jpg")
    data = visit_form(client, **{"photos": [fake]})
    response = post_form(client, "/visits/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“photo.jpg”不是照片：只接受 JPEG、PNG、WebP、HEIC 格式的图片。" in page
    assert "主体厂房已封顶，设备正在进场。" in page
    assert count(app, Visit) == visits_before  # nothing saved while the form has an error
    assert "视察记录已保存" not in page


def test_every_exif_orientation_uploads_upright(app, client, login):
    login("demo-deputy")
    files = [
        ((TESTDATA / "exif-orientation" / f"Portrait_{n}.jpg").open("rb"), f"p{n}.jpg")
        for n in range(9)
    ]
    data = visit_form(client, photos=files)
    response = post_form(client, "/visits/new", data)
    for handle, _name in files:
        handle.close()
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalar(select(Visit).order_by(Visit.id.desc()))
        assert len(visit.photos) == 9
        assert all(p.height > p.width for p in visit.photos)


def test_same_photo_twice_is_kept_once(client, login):
    login("demo-deputy")
    data = visit_form(client, photos=[jpeg("a.jpg"), jpeg("b.jpg")], summary="")
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert "有 1 张照片重复，已只保留一张。" in page
    assert len(hidden_fields(page)["photo_ids"].split(",")) == 1


def test_add_problem_block_without_javascript(client, login):
    login("demo-deputy")
    data = visit_form(client, action="add_problem")
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert 'name="problems-1-description"' in page
    assert "二期用地尚未完成征拆。" in page


def test_project_search_filters_and_keeps_input(client, login):
    login("demo-deputy")
    data = visit_form(client, action="search_project", project_query="虎门")
    data.pop("project_id")
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    options = re.findall(
        r"<option[^>]*value=\"\d+\"[^>]*>([^<]+)</option>",
        page.split('name="project_id"')[1].split("</select>")[0],
    )
    assert options and all("虎门" in o for o in options)
    assert "主体厂房已封顶，设备正在进场。" in page


def test_deputy_edits_own_visit_until_reviewed(app, client, login, demo):
    login("demo-deputy")
    url = f"/visits/{demo['own_visit']}/edit"
    data = visit_form(
        client,
        url,
        summary="修改后的进展情况",
        **{"problems-0-category": "funding", "problems-0-description": "修改后的问题描述"},
    )
    assert post_form(client, url, data).status_code == 302
    with app.app_context():
        visit = db.session.get(Visit, demo["own_visit"])
        assert visit.summary == "修改后的进展情况" and visit.problems[0].category == "funding"
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity == "visit", AuditEvent.action == "update")
        )
        assert (
            event.after["summary"] == "修改后的进展情况"
            and event.before["summary"] != event.after["summary"]
        )
    # the secretary reviews; the deputy can no longer edit
    client.post("/logout", data={"csrf_token": _token(client, f"/visits/{demo['own_visit']}")})
    login("demo-secretary")
    token = _token(client, f"/visits/{demo['own_visit']}")
    client.post(f"/visits/{demo['own_visit']}/review", data={"csrf_token": token})
    client.post("/logout", data={"csrf_token": token})
    login("demo-deputy")
    response = client.get(url)
    assert response.status_code == 302
    assert "已审核，不能再修改" in client.get(response.headers["Location"]).get_data(as_text=True)


def _token(client, url):
    from support import csrf_token

    return csrf_token(client, url)


def test_xss_in_user_text_is_shown_escaped(client, login):
    login("demo-deputy")
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = visit_form(client, summary=payload, **{"problems-0-description": payload})
    response = post_form(client, "/visits/new", data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in client.get("/problems/").get_data(as_text=True)


def test_deputy_deletes_own_unreviewed_visit(app, client, login, demo):
    login("demo-deputy")
    token = _token(client, f"/visits/{demo['own_visit']}")
    response = client.post(f"/visits/{demo['own_visit']}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get(f"/visits/{demo['own_visit']}").status_code == 404
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.entity == "visit", AuditEvent.action == "delete")
        )
        assert event.entity_id == demo["own_visit"] and event.before["summary"]


def test_secretary_home_says_how_many_visits_await_review(client, login):
    login("demo-secretary")
    assert "本组有 1 条视察记录待审核。" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _token(client, "/account")})
    login("demo-deputy")
    assert "待审核。" not in client.get("/").get_data(as_text=True)
