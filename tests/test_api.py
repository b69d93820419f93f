"""The JSON API: reference lists, exactly-once visits and photos, JSON errors, scope."""

import io
import uuid
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import Photo, Problem, Project, Visit


def jpeg(color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def api_client(login, username="demo-deputy"):
    client = login(username)
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client, "/")
    return client


def visit_body(client, **changes) -> dict:
    answer = client.get("/api/v1/reference")
    reference = answer.get_json()
    assert answer.status_code == 200, answer.get_data(as_text=True)
    group = reference["groups"][0]
    body = {
        "client_uuid": str(uuid.uuid4()),
        "group_id": group["id"],
        "project_id": group["projects"][0]["id"],
        "visited_on": "2025-07-20",
        "summary": "厂房主体已封顶。",
        "attendee_ids": [reference["user_id"]],
        "problems": [
            {"client_uuid": str(uuid.uuid4()), "category": "land", "description": "用地未落实。"},
            {
                "client_uuid": str(uuid.uuid4()),
                "category": "infrastructure",
                "description": "道路未接通。",
                "suggestion": "建议限期接通。",
            },
        ],
        "suggestions": [{"client_uuid": str(uuid.uuid4()), "text": "加强扬尘治理。"}],
    }
    body.update(changes)
    return body


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def test_reference_lists_hold_only_the_users_groups_and_their_projects(login):
    client = api_client(login)
    answer = client.get("/api/v1/reference")
    reference = answer.get_json()
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [g["name"] for g in reference["groups"]] == ["东城街道视察组"]
    group = reference["groups"][0]
    assert 0 < len(group["projects"]) < 81
    assert any(m["id"] == reference["user_id"] for m in group["members"])
    assert {c["label"] for c in reference["categories"]} >= {"审批", "用地", "其他"}


def test_project_search_is_paged(app, login):
    client = api_client(login)
    total = count(app, Project)
    pages = -(-total // 30)
    first = client.get("/api/v1/projects").get_json()
    assert first["total"] == total and len(first["items"]) == 30 and first["pages"] == pages
    last = client.get(f"/api/v1/projects?page={pages}").get_json()
    assert len(last["items"]) == total - 30 * (pages - 1)
    town = first["items"][0]["town"]
    found = client.get("/api/v1/projects", query_string={"q": town}).get_json()
    assert found["total"] >= 1 and all(p["town"] == town for p in found["items"])


def test_same_uuid_same_content_returns_the_stored_visit(app, login):
    client = api_client(login)
    body = visit_body(client)
    first = client.post("/api/v1/visits", json=body)
    again = client.post("/api/v1/visits", json=body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(app, Visit, client_uuid=body["client_uuid"]) == 1
    stored = first.get_json()
    assert len(stored["problems"]) == 2 and stored["problems"][1]["suggestion"] == "建议限期接通。"
    assert [s["text"] for s in stored["suggestions"]] == ["加强扬尘治理。"]


def test_same_uuid_other_content_is_a_conflict_with_an_explanation(app, login):
    client = api_client(login)
    body = visit_body(client)
    assert client.post("/api/v1/visits", json=body).status_code == 201
    changed = dict(body, summary="另一段文字。")
    answer = client.post("/api/v1/visits", json=changed)
    assert answer.status_code == 409
    assert "内容与已保存的不同" in answer.get_json()["message"]
    assert answer.get_json()["details"] == ["进展情况不同"]


def test_a_photo_sent_twice_is_stored_once(app, login):
    client = api_client(login)
    body = visit_body(client)
    problem_uuid = body["problems"][0]["client_uuid"]
    client.post("/api/v1/visits", json=body)
    url = f"/api/v1/problems/{problem_uuid}/photos"
    photo_uuid = str(uuid.uuid4())

    def send(uid, data):
        return client.post(url, data={"client_uuid": uid, "file": (io.BytesIO(data), "a.jpg")})

    assert send(photo_uuid, jpeg()).status_code == 201
    assert send(photo_uuid, jpeg()).status_code == 200  # same UUID
    assert send(str(uuid.uuid4()), jpeg()).status_code == 200  # same bytes, same problem
    assert send(str(uuid.uuid4()), jpeg((0, 0, 200))).status_code == 201
    with app.app_context():
        problem = db.session.scalar(select(Problem).where(Problem.client_uuid == problem_uuid))
        assert len(problem.photos) == 2
    visit_url = f"/api/v1/visits/{body['client_uuid']}/photos"
    reused = client.post(
        visit_url, data={"client_uuid": photo_uuid, "file": (io.BytesIO(jpeg()), "b")}
    )
    assert reused.status_code == 409


def test_a_bad_photo_is_refused_in_chinese(login):
    client = api_client(login)
    body = visit_body(client)
    client.post("/api/v1/visits", json=body)
    answer = client.post(
        f"/api/v1/visits/{body['client_uuid']}/photos",
        data={"client_uuid": str(uuid.uuid4()), "file": (io.BytesIO(b"not a picture"), "x.jpg")},
    )
    assert answer.status_code == 400 and "不是照片" in answer.get_json()["message"]


def test_update_keeps_photos_and_changes_text(app, login):
    client = api_client(login)
    body = visit_body(client)
    client.post("/api/v1/visits", json=body)
    client.post(
        f"/api/v1/visits/{body['client_uuid']}/photos",
        data={"client_uuid": str(uuid.uuid4()), "file": (io.BytesIO(jpeg()), "a.jpg")},
    )
    update = {k: body[k] for k in ("project_id", "visited_on", "attendee_ids", "problems")}
    update["summary"] = "已投产。"
    answer = client.put(f"/api/v1/visits/{body['client_uuid']}", json=update)
    assert answer.status_code == 200
    assert answer.get_json()["summary"] == "已投产。" and len(answer.get_json()["photos"]) == 1


def test_errors_are_json_in_chinese(client, login):
    assert client.get("/api/v1/reference").status_code == 401
    assert client.get("/api/v1/reference").get_json()["message"] == "请先登录。"
    login("demo-deputy")
    no_token = client.post("/api/v1/visits", json={})
    assert no_token.status_code == 400 and "页面已过期" in no_token.get_json()["message"]
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client, "/")
    invalid = client.post("/api/v1/visits", json={"summary": ""})
    assert invalid.status_code == 400 and invalid.get_json()["message"].startswith("提交的内容")


def test_another_groups_visit_is_absent(app, login, demo):
    client = api_client(login)
    with app.app_context():
        other = db.session.get(Visit, demo["other_visit"]).client_uuid
    photos_before = count(app, Photo)
    files_before = sorted(Path(app.config["PHOTO_ROOT"]).rglob("*"))
    assert client.get(f"/api/v1/visits/{other}").status_code == 404
    photo_uuid = str(uuid.uuid4())
    answer = client.post(
        f"/api/v1/visits/{other}/photos",
        data={"client_uuid": photo_uuid, "file": (io.BytesIO(jpeg()), "a.jpg")},
    )
    assert answer.status_code == 404
    # refused means stored nowhere: no row (not even a loose upload), no file
    assert count(app, Photo, client_uuid=photo_uuid) == 0
    assert count(app, Photo) == photos_before
    assert sorted(Path(app.config["PHOTO_ROOT"]).rglob("*")) == files_before
