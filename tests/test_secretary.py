"""联络员 lives in one place, the group membership: the admin's tick makes a secretary."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text
from support import csrf_token

from inspect_app.extensions import db
from inspect_app.models import GroupMember, User, Visit


def test_admin_secretary_tick_makes_the_review_reachable(app, client, login, demo):
    with app.app_context():
        deputy = db.session.scalar(
            select(User)
            .join(GroupMember)
            .where(GroupMember.group_id == demo["group"], User.username.like("d%"))
            .where(User.username != "demo-deputy")
        )
        username, user_id = deputy.username, deputy.id
    login(username)
    visit_url = f"/visits/{demo['own_visit']}"
    assert "审核通过" not in client.get(visit_url).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})

    login("demo-staff")
    group_url = f"/admin/groups/{demo['group']}/edit"
    token = csrf_token(client, group_url)
    data = {"csrf_token": token, "member-login": username, "member-is_secretary": "y"}
    client.post(f"/admin/groups/{demo['group']}/members", data=data)
    client.post("/logout", data={"csrf_token": token})

    login(username)
    page = client.get(visit_url).get_data(as_text=True)
    assert "审核通过" in page
    token = csrf_token(client, visit_url)
    response = client.post(f"{visit_url}/review", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Visit, demo["own_visit"]).reviewed_by_id == user_id


def test_migration_turns_secretary_accounts_into_deputies(app):
    with app.app_context():
        downgrade(revision="0001_initial")
        secretary = db.session.execute(
            text("""SELECT role FROM "user" WHERE username = 'demo-secretary'""")
        ).scalar()
        assert secretary == "secretary"  # the old two-place model, restored by downgrade
        db.session.rollback()  # end the read, so the next one sees the upgrade
        upgrade()
        roles = set(db.session.execute(text('SELECT DISTINCT role FROM "user"')).scalars())
        assert "secretary" not in roles
        db.session.remove()
