"""Factory fixtures: the rows a test needs, made for it, instead of counting the demo.

Each factory writes its rows in one committed transaction of the test's `app` and returns
the new row detached, its columns loaded (`problem.id`, `problem.code`, `visit.group_id`;
relationships are not loaded). References may be given as ids or as names:

    make_user(role="deputy", group="东城街道", secretary=True)   # logs in with the demo password
    make_group(town="新塘镇")                                     # an empty group of its own
    make_visit(group=group.id, author="demo-deputy")
    make_problem(state="in_progress", lead="市住房和城乡建设局", co=["市财政局"], deadline=day)

A problem's fields follow its state as the workflow would have left them (reviewer, lead
department, deadline, sign date, progress note, answer, rating); no audit event is written.
"""

import itertools
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import TEST_PASSWORD_METHOD
from werkzeug.security import generate_password_hash

from inspect_app.database import writing
from inspect_app.demo.seed import DEMO_DEPARTMENT, DEMO_PASSWORD, DEMO_TOWN
from inspect_app.extensions import db
from inspect_app.models import (
    Campaign,
    Department,
    Group,
    GroupLevel,
    GroupMember,
    Problem,
    ProblemStatus,
    ProgressNote,
    Project,
    Rating,
    Role,
    Satisfaction,
    Suggestion,
    User,
    Visit,
    VisitStatus,
    utcnow,
)
from inspect_app.templating import today_local
from inspect_app.visits.services import next_problem_code

S = ProblemStatus
REVIEWED_OR_LATER = {S.REVIEWED, S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED, S.REOPENED}
ASSIGNED_OR_LATER = {S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED, S.REOPENED}
SIGNED_OR_LATER = {S.IN_PROGRESS, S.ANSWERED, S.CLOSED, S.REOPENED}
ANSWERED_OR_LATER = {S.ANSWERED, S.CLOSED, S.REOPENED}
_numbers = itertools.count(1)


def _number() -> int:
    return next(_numbers)


def _saved(*rows):
    """Commit, then hand back the rows detached with their columns loaded."""
    db.session.commit()
    for row in rows:
        db.session.refresh(row)
        db.session.expunge(row)
    return rows[0] if len(rows) == 1 else rows


def group_row(ref) -> Group:
    """A group by id, town or name; None is the demo group (东城街道)."""
    if isinstance(ref, Group):
        return db.session.get(Group, ref.id)
    if isinstance(ref, int):
        return db.session.get(Group, ref)
    name = ref or DEMO_TOWN
    found = db.session.scalar(
        select(Group).where((Group.town == name) | (Group.name == name)).order_by(Group.id)
    )
    assert found is not None, f"no group {name!r}"
    return found


def department_row(ref) -> Department | None:
    """A department by id or name (None stays None)."""
    if ref is None or isinstance(ref, Department | int):
        return db.session.get(Department, getattr(ref, "id", ref)) if ref is not None else None
    found = db.session.scalar(select(Department).where(Department.name == ref))
    assert found is not None, f"no department {ref!r}"
    return found


def user_row(ref) -> User | None:
    """A user by id or user name (None stays None)."""
    if ref is None or isinstance(ref, User | int):
        return db.session.get(User, getattr(ref, "id", ref)) if ref is not None else None
    found = db.session.scalar(select(User).where(User.username == ref))
    assert found is not None, f"no user {ref!r}"
    return found


def _deputies(group: Group) -> list[User]:
    return [m.user for m in group.members if not m.is_secretary]


def _reviewer(group: Group) -> User:
    return next(iter(group.secretaries), None) or user_row("demo-staff")


@pytest.fixture
def make_user(app):
    """make_user(role=, group=, secretary=, department=, username=, name=, password=, active=)."""

    def make(
        role: str = Role.DEPUTY,
        group=None,
        secretary: bool = False,
        department=None,
        username: str | None = None,
        name: str | None = None,
        password: str = DEMO_PASSWORD,
        active: bool = True,
        **fields,
    ) -> User:
        number = _number()
        with app.app_context(), writing():
            if role == Role.DEPARTMENT and department is None:
                department = DEMO_DEPARTMENT
            user = User(
                username=username or f"made-{role}-{number}",
                name=name or f"测试用户{number}",
                role=role,
                department=department_row(department),
                active=active,
                password_hash=generate_password_hash(password, method=TEST_PASSWORD_METHOD),
                **fields,
            )
            db.session.add(user)
            if group is not None or secretary:
                member = GroupMember(group=group_row(group), user=user, is_secretary=secretary)
                db.session.add(member)
            return _saved(user)

    return make


@pytest.fixture
def make_group(app):
    """make_group(town=, name=, projects=1, deputies=2): a group of the demo campaign.

    It has its own projects and deputies (with the demo password) and a 联络员.
    """

    def make(town: str | None = None, name: str | None = None, projects: int = 1, deputies=2):
        number = _number()
        with app.app_context(), writing():
            campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
            town = town or f"测试镇{number}"
            group = Group(
                campaign=campaign,
                name=name or f"{town}测试视察组{number}",
                level=GroupLevel.TOWN,
                town=town,
                sort_order=90 + number % 9,
            )
            group.projects = [
                Project(name=f"{town}测试项目{number}-{n}", town=town) for n in range(projects)
            ]
            hashed = generate_password_hash(DEMO_PASSWORD, method=TEST_PASSWORD_METHOD)
            for n in range(deputies + 1):
                person = User(
                    username=f"made-{number}-{'s' if n == deputies else 'd'}{n}",
                    name=f"测试代表{number}-{n}",
                    role=Role.DEPUTY,
                    password_hash=hashed,
                )
                group.members.append(GroupMember(user=person, is_secretary=n == deputies))
            db.session.add(group)
            db.session.flush()
            group.leader = group.members[0].user
            return _saved(group)

    return make


def _visit(group_ref, author, project, visited_on, status, summary) -> Visit:
    group = group_row(group_ref)
    author = user_row(author) or _deputies(group)[0]
    if project is None:
        project = group.projects[0] if group.projects else db.session.scalar(select(Project))
    elif isinstance(project, int):
        project = db.session.get(Project, project)
    visit = Visit(
        client_uuid=str(uuid.uuid4()),
        campaign_id=group.campaign_id,
        group=group,
        project=project,
        visited_on=visited_on,
        summary=summary,
        author=author,
        attendees=[author],
        status=status,
    )
    if status == VisitStatus.REVIEWED:
        visit.reviewed_by, visit.reviewed_at = _reviewer(group), utcnow()
    db.session.add(visit)
    db.session.flush()
    return visit


@pytest.fixture
def make_visit(app):
    """make_visit(group=, author=, project=, visited_on=, status=, summary=)."""

    def make(
        group=None,
        author=None,
        project=None,
        visited_on: date = date(2025, 7, 15),
        status: str = VisitStatus.SUBMITTED,
        summary: str = "测试视察：项目现场施工正常。",
    ) -> Visit:
        with app.app_context(), writing():
            return _saved(_visit(group, author, project, visited_on, status, summary))

    return make


@pytest.fixture
def make_problem(app):
    """make_problem(state=, group=, visit=, author=, lead=, co=, deadline=, …): one problem.

    lead: the 主办 department once assigned (default 市住房和城乡建设局, the demo
    department's); deadline: for an open problem, 30 days from today (Shanghai) unless given;
    merged_into: the problem a merged one went into; suggestion: a linked 意见建议.
    """

    def make(
        state: str = S.SUBMITTED,
        group=None,
        visit=None,
        author=None,
        lead=None,
        co=(),
        deadline: date | None = None,
        description: str | None = None,
        category: str = "approval",
        raisers=None,
        merged_into=None,
        suggestion: str | None = None,
        answered_at: datetime | None = None,
    ) -> Problem:
        state = S(state)
        if state == S.MERGED and merged_into is None:
            merged_into = make(group=getattr(visit, "group_id", None) or group)
        with app.app_context(), writing():
            if visit is None:
                status = VisitStatus.REVIEWED if state in REVIEWED_OR_LATER else "submitted"
                summary = "测试视察：发现问题。"
                visit = _visit(group, author, None, date(2025, 7, 15), status, summary)
            else:
                visit = db.session.get(Visit, getattr(visit, "id", visit))
            author = user_row(author) or visit.author
            number = _number()
            problem = Problem(
                client_uuid=str(uuid.uuid4()),
                code=next_problem_code(visit.group),
                campaign_id=visit.campaign_id,
                group_id=visit.group_id,
                visit=visit,
                project_id=visit.project_id,
                category=category,
                description=description or f"测试问题{number}：项目审批材料多次退回，进度滞后。",
                author=author,
                raised_by=[user_row(r) for r in raisers] if raisers else [author],
                status=state,
            )
            db.session.add(problem)
            _fill_state(problem, state, visit.group, lead, co, deadline, answered_at)
            if state == S.MERGED:
                problem.merged_into_id = getattr(merged_into, "id", merged_into)
                problem.merged_from_status = S.SUBMITTED
            if suggestion:
                db.session.add(
                    Suggestion(
                        client_uuid=str(uuid.uuid4()),
                        campaign_id=visit.campaign_id,
                        group_id=visit.group_id,
                        visit=visit,
                        problem=problem,
                        text=suggestion,
                        author=author,
                        department=problem.lead_department,
                    )
                )
            db.session.flush()
            return _saved(problem)

    return make


def _fill_state(problem, state, group, lead, co, deadline, answered_at) -> None:
    """The fields the workflow would have set on the way to `state`."""
    now = utcnow()
    if state in REVIEWED_OR_LATER:
        problem.reviewed_by, problem.reviewed_at = _reviewer(group), now - timedelta(days=20)
    if state in ASSIGNED_OR_LATER:
        problem.lead_department = department_row(lead or DEMO_DEPARTMENT)
        problem.co_departments = [department_row(d) for d in co]
        problem.assigned_at = now - timedelta(days=15)
        problem.assigned_by_id = user_row("demo-staff").id
        problem.deadline = deadline or today_local() + timedelta(days=30)
    if state in SIGNED_OR_LATER:
        problem.signed_at = now - timedelta(days=14)
        clerk = next(iter(problem.lead_department.users), None) or user_row("demo-staff")
        problem.progress_notes.append(
            ProgressNote(
                author=clerk,
                department=problem.lead_department,
                text="已召开专题协调会，正在与企业对接。",
                created_at=now - timedelta(days=10),
            )
        )
    if state in ANSWERED_OR_LATER:
        problem.answer = "经研究，已明确责任分工和完成时限，相关工作正在按计划推进。"
        problem.answered_at = answered_at or now - timedelta(days=5)
    if state in (S.CLOSED, S.REOPENED):
        satisfied = state == S.CLOSED
        problem.satisfaction = Satisfaction.SATISFIED if satisfied else Satisfaction.UNSATISFIED
        problem.rated_by, problem.rated_at = problem.author, now - timedelta(days=2)
        problem.closed_at = now - timedelta(days=2) if satisfied else None
        problem.ratings.append(
            Rating(
                deputy=problem.author,
                recorded_by=problem.author,
                satisfaction=problem.satisfaction,
                comment="" if satisfied else "答复内容较原则，请重新办理。",
                decisive=True,
            )
        )
