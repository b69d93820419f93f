"""The factories make rows the app takes for its own: the states its workflow would reach."""

import pytest
from support import csrf_token, row_count

from inspect_app.extensions import db
from inspect_app.labels import label
from inspect_app.models import Group, Problem, ProblemStatus, Visit

STATES = [s for s in ProblemStatus if s != ProblemStatus.DRAFT]


@pytest.mark.parametrize("state", STATES)
def test_a_made_problem_is_shown_in_its_state(client, login, make_problem, state):
    problem = make_problem(state=state)
    login("demo-staff")
    page = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert problem.code in page and label("problem_status", state) in page


def test_a_made_problem_goes_on_through_the_workflow(app, client, login, make_problem):
    problem = make_problem(state="in_progress", lead="市住房和城乡建设局")
    login("demo-department")
    token = csrf_token(client, f"/problems/{problem.id}/answer")
    client.post(f"/problems/{problem.id}/answer", data={"csrf_token": token, "text": "已办结。"})
    with app.app_context():
        assert db.session.get(Problem, problem.id).status == "answered"


def test_a_made_group_has_deputies_who_log_in_and_see_only_its_visits(
    app, client, login, make_group, make_visit
):
    group = make_group(town="测试镇")
    with app.app_context():
        deputy = db.session.get(Group, group.id).members[0].user.username
    visit = make_visit(group=group.id, summary="只有本组看得到的小结。")
    login(deputy)
    assert group.name in client.get("/visits/new").get_data(as_text=True)
    listing = client.get("/visits/").get_data(as_text=True)
    assert f"/visits/{visit.id}" in listing
    assert row_count(app, Visit, Visit.group_id == group.id) == 1


def test_a_made_user_logs_in_with_the_demo_password(client, login, make_user, make_visit):
    secretary = make_user(group="虎门镇", secretary=True)
    visit = make_visit(group="虎门镇")
    login(secretary.username)
    assert client.get(f"/visits/{visit.id}").status_code == 200
    assert "/review/" in client.get("/").get_data(as_text=True)  # he reviews that group
