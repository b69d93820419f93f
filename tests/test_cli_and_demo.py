"""Command-line tools and the demo data's shape."""

from collections import Counter
from datetime import date

import instances
from sqlalchemy import func, select

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.models import (
    Group,
    GroupMember,
    Photo,
    Problem,
    Project,
    Role,
    Suggestion,
    User,
    Visit,
)


def test_demo_data_has_the_real_campaign_scale(app):
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Problem) == 56 and count(Suggestion) == 118 and count(Project) == 81
        assert count(Group) == 38
        secretaries = select(GroupMember.user_id).where(GroupMember.is_secretary)
        deputies = db.session.scalar(
            select(func.count(User.id)).where(User.role == Role.DEPUTY, User.id.not_in(secretaries))
        )
        assert deputies == 417
        levels = Counter(db.session.scalars(select(Group.level)))
        assert levels == {"city": 6, "town": 32}
        visits = db.session.scalars(select(Visit.visited_on)).all()
        assert all(date(2025, 7, 1) <= d <= date(2025, 7, 31) for d in visits)
        assert count(Photo) > 0


def test_demo_problems_stand_in_every_state(app):
    with app.app_context():
        statuses = set(db.session.scalars(select(Problem.status)))
        assert statuses >= {
            "submitted",
            "reviewed",
            "assigned",
            "in_progress",
            "answered",
            "closed",
            "reopened",
        }
        ratings = set(
            db.session.scalars(
                select(Problem.satisfaction).where(Problem.satisfaction.is_not(None))
            )
        )
        assert ratings == {"satisfied", "basically", "unsatisfied"}
        problems = db.session.scalars(select(Problem)).all()
        today = date(2026, 11, 21)
        assert any(p.is_overdue(today) for p in problems)
        assert any(p.co_departments for p in problems)


def test_demo_accounts_fit_their_roles(app):
    with app.app_context():
        users = {
            u.username: u
            for u in db.session.scalars(select(User).where(User.username.like("demo-%")))
        }
        assert {u: users[u].role for u in users} == {
            "demo-staff": "staff",
            "demo-secretary": "deputy",  # 联络员 through the membership
            "demo-deputy": "deputy",
            "demo-department": "department",
            "demo-viewer": "viewer",
        }
        secretary_groups = db.session.scalars(
            select(GroupMember.group_id).where(
                GroupMember.user_id == users["demo-secretary"].id, GroupMember.is_secretary
            )
        ).all()
        deputy_groups = db.session.scalars(
            select(GroupMember.group_id).where(GroupMember.user_id == users["demo-deputy"].id)
        ).all()
        assert secretary_groups == deputy_groups and len(deputy_groups) == 1
        assert (
            db.session.scalar(
                select(func.count(Visit.id)).where(Visit.group_id == deputy_groups[0])
            )
            > 0
        )


def test_seed_demo_is_deterministic(tmp_path, app):
    from flask_migrate import upgrade

    from inspect_app.database import writing
    from inspect_app.demo.seed import seed_demo

    def fingerprint(app):
        with app.app_context():
            rows = db.session.execute(
                select(Problem.code, Problem.description, Problem.status).order_by(Problem.code)
            ).all()
            db.session.remove()
            db.engine.dispose()
            return rows

    folder = tmp_path / "fresh"
    folder.mkdir()
    url = instances.empty_database(folder)  # the same database system as the test run
    fresh = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "PHOTO_ROOT": str(folder / "photos"),
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    try:
        with fresh.app_context():
            upgrade()
            with writing():
                seed_demo(fresh.config["PHOTO_ROOT"])
                db.session.commit()
        assert fingerprint(fresh) == fingerprint(app)
    finally:
        instances.drop(url)


def test_seed_demo_refuses_a_database_with_data(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "not empty" in result.output
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output


def test_create_user_and_log_in(runner, client, app):
    result = runner.invoke(
        args=[
            "create-user",
            "wang",
            "--name",
            "王伟",
            "--role",
            "staff",
            "--phone",
            "13912345678",
            "--password",
            "s3cret-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "wang"))
        assert user.role == "staff" and user.check_password("s3cret-pass")
    duplicate = runner.invoke(
        args=["create-user", "wang", "--name", "x", "--password", "s3cret-pass"]
    )
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_create_user_refuses_short_password(runner):
    result = runner.invoke(args=["create-user", "li", "--name", "李", "--password", "short"])
    assert result.exit_code != 0 and "密码至少要 8 个字符" in result.output


def test_secret_key_is_made_per_instance_not_shipped(tmp_path):
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    first = create_app({**config, "SECRET_KEY": None})
    assert first.config["SECRET_KEY"] and len(first.config["SECRET_KEY"]) == 64
    again = create_app({**config, "SECRET_KEY": None})
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive a restart
    assert "secret" not in first.config["SECRET_KEY"]


def test_readme_names_exactly_the_demo_accounts(app):
    """The README's account ranges (with their exceptions) are the demo's accounts."""
    import re
    from pathlib import Path

    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    claimed = set()
    pattern = r"`(\w)(\d+)`…`\w(\d+)` except `(\w+)`"
    for prefix, first, last, missing in re.findall(pattern, readme):
        width = len(first)
        numbers = range(int(first), int(last) + 1)
        claimed |= {f"{prefix}{n:0{width}d}" for n in numbers} - {missing}
    assert len(claimed) == 416 + 37
    with app.app_context():
        numbered = {
            u for u in db.session.scalars(select(User.username)) if re.fullmatch(r"[ds]\d+", u)
        }
    assert numbered == claimed


def test_commands_come_in_groups_and_the_old_names_still_work(runner, tmp_path):
    listed = runner.invoke(args=["--help"]).output
    for group in ("data", "export", "import", "jobs", "notices"):
        assert f"\n  {group} " in listed
    names = [line.split()[0] for line in listed.split("Commands:")[1].splitlines() if line.strip()]
    assert not {"export-ledger", "import-projects", "send-notices", "worker", "cleanup"} & set(
        names
    )
    new = runner.invoke(args=["notices", "send"])
    old = runner.invoke(args=["send-notices"])
    assert new.exit_code == old.exit_code == 0
    assert new.output == "notices: none due\n"
    assert "notices: none due" in old.output and "Use `flask notices send`" in old.output
    out = tmp_path / "ledger.xlsx"
    exported = runner.invoke(args=["export-ledger", "--no-images", "--out", str(out)])
    assert exported.exit_code == 0 and out.stat().st_size > 0
    assert "Use `flask export ledger`" in exported.output
    assert runner.invoke(args=["worker", "--help"]).exit_code == 0
