"""Nothing typed is lost, nothing is stored twice, problems past review stay as handed over."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select
from support import csrf_token
from test_visits import count, hidden_fields, jpeg, post_form, visit_form

from inspect_app.extensions import db
from inspect_app.form_messages import PLURAL, SINGULAR, TRANSLATIONS
from inspect_app.models import Problem, Suggestion, Visit


def test_problem_block_without_description_keeps_everything(app, client, login):
    login("demo-deputy")
    visits = count(app, Visit)
    data = visit_form(
        client, **{"problems-0-description": "", "problems-0-photos": [jpeg("crack.jpg")]}
    )
    response = post_form(client, "/visits/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and count(app, Visit) == visits
    block = page.split('class="card problem-block"')[1]
    assert "请描述这个问题（已填的建议和照片都保留着）。" in block
    assert "建议限期完成补偿协商。" in block  # the suggestion typed in the block
    kept = hidden_fields(page)["problems-0-photo_ids"]
    assert kept and f"/photos/{kept}/thumb" in block and "crack.jpg" in block
    # describing it saves the block whole: its suggestion and its photo
    data.update(hidden_fields(page))
    data.pop("problems-0-photos")
    data["problems-0-description"] = "围墙出现裂缝。"
    assert post_form(client, "/visits/new", data).status_code == 302
    with app.app_context():
        problem = db.session.scalar(select(Problem).where(Problem.description == "围墙出现裂缝。"))
        assert [p.id for p in problem.photos] == [int(kept)]
        assert problem.suggestions[0].text == "建议限期完成补偿协商。"


def test_problem_block_with_only_a_category_is_refused_not_dropped(app, client, login):
    login("demo-deputy")
    data = visit_form(client, **{"problems-0-description": "", "problems-0-suggestion": ""})
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert "请描述这个问题" in page.split('class="card problem-block"')[1]


def test_back_and_resubmit_stores_one_visit(app, client, login):
    """Back reloads the form with a fresh UUID; the same content lands on the stored visit."""
    login("demo-deputy")
    visits = count(app, Visit)
    data = visit_form(client)
    first = post_form(client, "/visits/new", dict(data))
    again = visit_form(client)  # the page reached again: a new client UUID
    assert again["client_uuid"] != data["client_uuid"]
    second = post_form(client, "/visits/new", again)
    assert first.headers["Location"] == second.headers["Location"]
    assert "已经保存过了" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert count(app, Visit) == visits + 1
    with app.app_context():
        typed = Problem.description == "二期用地尚未完成征拆。"
        query = select(func.count(Problem.id)).where(typed)
        assert db.session.scalar(query) == 1


def test_back_then_more_typed_keeps_it_and_stores_nothing_twice(app, client, login):
    login("demo-deputy")
    post_form(client, "/visits/new", visit_form(client))
    visits, problems = count(app, Visit), count(app, Problem)
    data = visit_form(client, **{"problems-0-description": "后来补充的问题。"})
    response = post_form(client, "/visits/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "这次视察已经保存过了" in page
    assert "后来补充的问题。" in page
    assert (count(app, Visit), count(app, Problem)) == (visits, problems)


def test_project_and_category_start_unchosen_and_must_be_chosen(client, login):
    login("demo-deputy")
    page = client.get("/visits/new").get_data(as_text=True)
    project = page.split('name="project_id"')[1].split("</select>")[0]
    category = page.split('name="problems-0-category"')[1].split("</select>")[0]
    for select_html in (project, category):
        assert re.search(r'<option[^>]*value=""[^>]*>请选择</option>', select_html)
        assert not re.search(r'<option[^>]*selected[^>]*value="[^"]+"', select_html)
    data = visit_form(client, project_id="", **{"problems-0-category": ""})
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert "请选择视察的项目。" in page and "请选择问题类别。" in page


def test_visit_date_in_future_or_outside_campaign_is_refused(app, client, login):
    login("demo-deputy")
    visits = count(app, Visit)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    for day in ("2025-06-30", "2025-08-01", tomorrow):
        page = post_form(client, "/visits/new", visit_form(client, visited_on=day))
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "视察日期要在本次视察活动期间（2025-07-01 至 2025-07-31）。" in text or (
            "视察日期不能晚于今天。" in text
        )
    assert count(app, Visit) == visits


def test_wtforms_messages_are_chinese_and_english_from_the_catalogue(client, login):
    login("demo-deputy")
    data = visit_form(client, visited_on="2025-13-45", **{"problems-0-category": "bogus"})
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert "请选择问题类别。" in page and "请填写有效的日期。" in page
    assert "Not a valid" not in page
    client.get("/?lang=en")
    data = visit_form(client, visited_on="2025-13-45", **{"problems-0-category": "bogus"})
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert "Choose a problem category." in page and "Enter a valid date." in page


def test_every_wtforms_message_maps_to_a_catalogue_entry(app):
    with app.test_request_context("/"):
        for english in [*SINGULAR, *PLURAL]:
            translated = (
                TRANSLATIONS.gettext(english)
                if english in SINGULAR
                else TRANSLATIONS.ngettext(english, english, 2)
            )
            assert translated != english and not translated.isascii()


def test_delete_asks_for_confirmation_without_javascript(app, client, login, demo):
    login("demo-deputy")
    url = f"/visits/{demo['own_visit']}"
    show = client.get(url).get_data(as_text=True)
    assert f'action="{url}/delete"' not in show  # no one-tap delete button
    assert f'href="{url}/delete"' in show
    confirm = client.get(f"{url}/delete").get_data(as_text=True)
    assert "删除这条视察记录？" in confirm and "确定删除" in confirm
    assert client.get(url).status_code == 200  # asking deleted nothing
    token = csrf_token(client, f"{url}/delete")
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 302
    assert client.get(url).status_code == 404


def test_chosen_photo_shows_name_and_size_without_javascript(client, login):
    login("demo-deputy")
    page = client.get("/visits/new").get_data(as_text=True)
    assert 'value="upload"' in page  # a way to send the chosen photos before saving
    data = visit_form(client, action="upload", photos=[jpeg("gate.jpg")])
    page = post_form(client, "/visits/new", data).get_data(as_text=True)
    assert re.search(r"gate\.jpg · [\d.]+ kB", page)


def _hand_over(app, problem_id: int) -> None:
    with app.app_context():
        db.session.get(Problem, problem_id).status = "assigned"
        db.session.commit()


def test_handed_over_problem_is_read_only_in_the_visit_form(app, client, login, demo):
    _hand_over(app, demo["own_problem"])
    with app.app_context():
        before = db.session.get(Problem, demo["own_problem"]).description
    login("demo-deputy")
    url = f"/visits/{demo['own_visit']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "这个问题已交给承办单位办理，在这里不能修改或删除。" in page
    assert 'name="problems-0-description"' not in page
    data = visit_form(
        client,
        url,
        **{
            "problems-0-id": str(demo["own_problem"]),
            "problems-0-description": "偷偷改掉的描述",
            "problems-0-delete": "y",
        },
    )
    assert post_form(client, url, data).status_code == 302
    with app.app_context():
        problem = db.session.get(Problem, demo["own_problem"])
        assert problem is not None and problem.description == before


def test_author_cannot_delete_a_visit_holding_handed_over_problems(app, client, login, demo):
    _hand_over(app, demo["own_problem"])
    login("demo-deputy")
    url = f"/visits/{demo['own_visit']}"
    assert f'href="{url}/delete"' not in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    response = client.post(f"{url}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert "不能删除" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(url).status_code == 200


def test_cleared_saved_suggestion_needs_the_delete_tick(app, client, login, demo):
    login("demo-deputy")
    url = f"/visits/{demo['own_visit']}/edit"
    page = client.get(url).get_data(as_text=True)
    fields = hidden_fields(page)
    if not fields.get("suggestions-0-id"):
        post_form(client, url, visit_form(client, url))
        fields = hidden_fields(client.get(url).get_data(as_text=True))
    suggestions = count(app, Suggestion)
    data = visit_form(client, url, **{"suggestions-0-text": ""})
    response = post_form(client, url, data)
    assert response.status_code == 200
    assert "要删除这条建议，请勾选“删除这条建议”。" in response.get_data(as_text=True)
    assert count(app, Suggestion) == suggestions
