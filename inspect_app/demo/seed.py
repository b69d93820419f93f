"""The demo campaign at its real scale, deterministic: same data every run."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from werkzeug.security import generate_password_hash

from inspect_app.auditing import record_event
from inspect_app.demo import data
from inspect_app.demo.pictures import demo_picture
from inspect_app.extensions import db
from inspect_app.models import (
    Adoption,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Department,
    Group,
    GroupLevel,
    GroupMember,
    Photo,
    Problem,
    ProblemStatus,
    ProgressNote,
    Project,
    ProjectStage,
    Rating,
    Role,
    Satisfaction,
    Suggestion,
    User,
    Visit,
    VisitStatus,
)
from inspect_app.photos import process_photo, store_photo

DEMO_PASSWORD = "inspect-demo"
DEMO_ACCOUNTS = (
    ("demo-staff", "staff 工作人员"),
    ("demo-secretary", "secretary 联络员 (东城街道视察组)"),
    ("demo-deputy", "deputy 代表 (东城街道视察组)"),
    ("demo-department", "department 承办单位 (市住房和城乡建设局)"),
    ("demo-viewer", "viewer 领导"),
)
DEMO_TOWN = "东城街道"
DEMO_DEPARTMENT = "市住房和城乡建设局"
DEPUTIES = 417
PROBLEMS = 56
SUGGESTIONS = 118
CATEGORY_DEPARTMENT = {
    "approval": "市住房和城乡建设局",
    "land": "市自然资源局",
    "funding": "市财政局",
    "talent": "市人力资源和社会保障局",
    "infrastructure": "市交通运输局",
    "supporting": "市发展和改革局",
    "policy": "市工业和信息化局",
    "business": "市市场监督管理局",
}
# The demo group's three problems first, then the rest of the ledger.
STATUSES = (
    ["submitted", "answered", "reopened"]
    + ["submitted"] * 3
    + ["reviewed"] * 4
    + ["assigned"] * 10
    + ["in_progress"] * 10
    + ["answered"] * 9
    + ["closed"] * 14
    + ["reopened"] * 3
)
OVERDUE_DEADLINES = (date(2025, 9, 30), date(2025, 10, 15), date(2025, 10, 31))
FUTURE_DEADLINE = date(2027, 3, 31)


def _utc(day: date, hour: int) -> datetime:
    """A Shanghai wall-clock hour on `day`, as naive UTC."""
    return datetime(day.year, day.month, day.day, hour) - timedelta(hours=8)


class Seeder:
    def __init__(self, photo_root: str):
        self.rng = random.Random(20250701)
        self.photo_root = Path(photo_root)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)
        self.photo_count = 0

    def run(self) -> dict:
        self.departments = self._departments()
        self.campaign = Campaign(
            title="2025年重大项目集中视察",
            kind=CampaignKind.INSPECTION,
            starts_on=date(2025, 7, 1),
            ends_on=date(2025, 7, 31),
            status=CampaignStatus.ACTIVE,
            description="“6+32”视察组对全市81个重大项目开展集中视察。",
        )
        db.session.add(self.campaign)
        self.projects = self._projects()
        self.groups = self._groups()
        self._people()
        db.session.flush()
        visits = self._visits()
        problems = self._problems(visits)
        free = self._free_suggestions(visits, SUGGESTIONS - len(problems))
        db.session.flush()
        record_event(None, "seed_demo", self.campaign, after={"demo": True})
        return {
            "groups": len(self.groups),
            "deputies": DEPUTIES,
            "projects": len(self.projects),
            "departments": len(self.departments),
            "visits": len(visits),
            "problems": len(problems),
            "suggestions": len(problems) + free,
            "photos": self.photo_count,
        }

    def _user(self, username, name, role, phone=None, **fields) -> User:
        user = User(
            username=username,
            name=name,
            role=role,
            phone=phone,
            password_hash=self.password_hash,
            **fields,
        )
        db.session.add(user)
        return user

    def _departments(self) -> dict[str, Department]:
        departments = {}
        for order, name in enumerate(data.DEPARTMENTS, start=1):
            departments[name] = Department(name=name, sort_order=order, contact_name="联络员")
        for order, town in enumerate(data.TOWNS, start=100):
            suffix = "办事处" if town.endswith("街道") else "人民政府"
            name = f"{town}{suffix}"
            departments[name] = Department(name=name, sort_order=order, is_town_government=True)
        db.session.add_all(departments.values())
        return departments

    def _town_government(self, town: str) -> Department:
        suffix = "办事处" if town.endswith("街道") else "人民政府"
        return self.departments[f"{town}{suffix}"]

    def _projects(self) -> list[Project]:
        projects, stages = [], list(ProjectStage)
        for index in range(81):
            town = data.TOWNS[index % 32]
            kind, industry = data.PROJECT_KINDS[index % len(data.PROJECT_KINDS)]
            brand = data.BRANDS[index % len(data.BRANDS)]
            phase = "（二期）" if index >= 54 else ""
            project = Project(
                code=f"ZD2025-{index + 1:03d}",
                name=f"{brand}{kind}{phase}",
                town=town,
                industry=industry,
                owner=f"东莞市{brand}{industry}有限公司",
                investment=Decimal(self.rng.randrange(300, 12000)) / 100,
                stage=stages[self.rng.randrange(len(stages))],
                address=f"{town}{self.rng.choice(data.ROADS)}{self.rng.randrange(1, 300)}号",
            )
            projects.append(project)
        db.session.add_all(projects)
        return projects

    def _groups(self) -> list[Group]:
        groups = []
        for order, number in enumerate(data.CITY_GROUPS, start=1):
            group = Group(name=f"市级{number}视察组", level=GroupLevel.CITY, sort_order=order)
            group.projects = self.projects[order - 1 :: 6]
            groups.append(group)
        for order, town in enumerate(data.TOWNS, start=7):
            group = Group(name=f"{town}视察组", level=GroupLevel.TOWN, town=town, sort_order=order)
            group.projects = [p for p in self.projects if p.town == town]
            groups.append(group)
        for group in groups:
            group.campaign = self.campaign
        db.session.add_all(groups)
        return groups

    def _deputy_name(self, index: int) -> str:
        surname = data.SURNAMES[index % len(data.SURNAMES)]
        given = data.GIVEN[(index * 7 + index // len(data.SURNAMES)) % len(data.GIVEN)]
        return surname + given

    def _people(self) -> None:
        sizes = [12] * 6 + [11] * 25 + [10] * 7
        demo_group = self.demo_group = next(g for g in self.groups if g.town == DEMO_TOWN)
        index = 0
        for group, size in zip(self.groups, sizes, strict=True):
            for _slot in range(size):
                index += 1
                is_demo = group is demo_group and not any(
                    m.user.username == "demo-deputy" for m in group.members
                )
                username = "demo-deputy" if is_demo else f"d{index:03d}"
                name = "陈建国" if is_demo else self._deputy_name(index)
                deputy = self._user(
                    username,
                    name,
                    Role.DEPUTY,
                    phone=f"1380769{index:04d}",
                    delegation=data.DELEGATIONS[index % len(data.DELEGATIONS)],
                    employer=data.EMPLOYERS[index % len(data.EMPLOYERS)],
                )
                group.members.append(GroupMember(user=deputy))
            group.leader = group.members[0].user
        for number, group in enumerate(self.groups, start=1):
            is_demo = group is demo_group
            secretary = self._user(
                "demo-secretary" if is_demo else f"s{number:02d}",
                "李晓东" if is_demo else f"{self._deputy_name(number + 500)}",
                Role.DEPUTY,  # 联络员 through the membership below
                phone=f"1390769{number:04d}",
                employer=f"{group.town or '市人大常委会'}人大工作室",
            )
            group.members.append(GroupMember(user=secretary, is_secretary=True))
        self._user("demo-staff", "周志强", Role.STAFF, phone="13700000001", employer="市人大常委会")
        self._user("staff-2", "何丽娟", Role.STAFF, phone="13700000002", employer="市人大常委会")
        self._user("demo-viewer", "郑宏伟", Role.VIEWER, phone="13600000001")
        for number, name in enumerate(data.DEPARTMENTS, start=1):
            username = "demo-department" if name == DEMO_DEPARTMENT else f"dept{number:02d}"
            self._user(
                username,
                f"{name}联络员",
                Role.DEPARTMENT,
                phone=f"1350769{number:04d}",
                department=self.departments[name],
            )
        for number, town in enumerate(data.TOWNS, start=1):
            government = self._town_government(town)
            self._user(
                f"town{number:02d}",
                f"{government.name}联络员",
                Role.DEPARTMENT,
                phone=f"1350770{number:04d}",
                department=government,
            )

    def _visits(self) -> list[Visit]:
        visits = []
        for group in self.groups:
            projects = group.projects if group.level == GroupLevel.TOWN else group.projects[:6]
            deputies = [m.user for m in group.members if not m.is_secretary]
            for number, project in enumerate(projects):
                visited_on = date(2025, 7, 1) + timedelta(days=self.rng.randrange(31))
                author = deputies[0] if group is self.demo_group else self.rng.choice(deputies)
                others = self.rng.sample(deputies, k=min(len(deputies), self.rng.randrange(2, 6)))
                text = self.rng.choice(data.SUMMARIES).format(
                    n=self.rng.randrange(80, 600),
                    pct=self.rng.randrange(20, 90),
                    c=self.rng.randrange(2, 6),
                )
                visit = Visit(
                    client_uuid=f"00000000-0000-4000-8000-{len(visits) + 1:012d}",
                    campaign=self.campaign,
                    group=group,
                    project=project,
                    visited_on=visited_on,
                    summary=text,
                    author=author,
                    attendees=sorted({author, *others}, key=lambda u: u.username),
                    status=VisitStatus.REVIEWED,
                    created_at=_utc(visited_on, 17),
                    updated_at=_utc(visited_on, 17),
                )
                if group is self.demo_group and number == 0:
                    visit.status = VisitStatus.SUBMITTED
                visits.append(visit)
        db.session.add_all(visits)
        db.session.flush()
        return visits

    def _problems(self, visits: list[Visit]) -> list[Problem]:
        demo_visits = [v for v in visits if v.group is self.demo_group]
        rest = [v for v in visits if v.group is not self.demo_group]
        self.rng.shuffle(rest)
        chosen = demo_visits[:3] + rest[: PROBLEMS - 3]
        problems, sequence = [], {}
        for number, (visit, status) in enumerate(zip(chosen, STATUSES, strict=True)):
            template = data.PROBLEMS[0 if number in (1, 2) else number % len(data.PROBLEMS)]
            sequence[visit.group_id] = sequence.get(visit.group_id, 0) + 1
            problem = self._problem(visit, status, template, sequence[visit.group_id], number)
            problems.append(problem)
        db.session.flush()
        for problem in problems[:6]:
            self._photo(problem.visit, problem, problem.id)
        for visit in demo_visits[:2]:
            self._photo(visit, None, 100 + visit.id)
        return problems

    def _problem(self, visit, status, template, sequence, number) -> Problem:
        category, description, suggestion = template
        created = visit.created_at
        problem = Problem(
            client_uuid=f"00000000-0000-4000-9000-{number + 1:012d}",
            code=f"2025-{visit.group.sort_order:02d}-{sequence:03d}",
            campaign=self.campaign,
            group=visit.group,
            visit=visit,
            project=visit.project,
            category=category,
            description=description.format(p=visit.project.name),
            author=visit.author,
            raised_by=visit.attendees[:2]
            if visit.author in visit.attendees[:2]
            else [visit.author],
            status=status,
            created_at=created,
            updated_at=created,
        )
        if status != "submitted":
            secretary = visit.group.secretaries[0]
            problem.reviewed_by, problem.reviewed_at = secretary, created + timedelta(days=2)
        if status not in ("submitted", "reviewed"):
            self._assign(problem, number, created)
        if status in ("in_progress", "answered", "closed", "reopened"):
            self._progress(problem, created)
        if status in ("answered", "closed", "reopened"):
            problem.answer = (
                f"经研究，我单位已会同{visit.project.town}对该问题进行专题协调，"
                "已明确责任分工和完成时限，相关工作正在按计划推进，将持续跟踪落实。"
            )
            problem.answered_at = created + timedelta(days=40)
        if status in ("closed", "reopened"):
            self._rate(problem, status, number, created)
        db.session.add(problem)
        suggestion_row = Suggestion(
            client_uuid=f"00000000-0000-4000-a000-{number + 1:012d}",
            campaign=self.campaign,
            group=visit.group,
            visit=visit,
            problem=problem,
            text=suggestion,
            author=visit.author,
            department=problem.lead_department,
            created_at=created,
        )
        if status == "closed":
            suggestion_row.adoption = Adoption.ADOPTED if number % 3 else Adoption.PARTIAL
            suggestion_row.adoption_reason = "已纳入部门年度重点工作。"
        db.session.add(suggestion_row)
        return problem

    def _assign(self, problem: Problem, number: int, created: datetime) -> None:
        if problem.group is self.demo_group:
            lead = self.departments[DEMO_DEPARTMENT]
        else:
            lead = self.departments[CATEGORY_DEPARTMENT[problem.category]]
        problem.lead_department = lead
        if number % 3 == 0:
            problem.co_departments = [self._town_government(problem.project.town)]
        if number % 5 == 0:
            problem.co_departments.append(self.departments["市发展和改革局"])
        problem.assigned_at = created + timedelta(days=5)
        open_status = problem.status in ("assigned", "in_progress", "reopened")
        if open_status and number % 3 == 1:
            problem.deadline = OVERDUE_DEADLINES[number % 3]
        elif open_status:
            problem.deadline = FUTURE_DEADLINE
        else:
            problem.deadline = date(2025, 10, 31)

    def _progress(self, problem: Problem, created: datetime) -> None:
        problem.signed_at = created + timedelta(days=7)
        liaison = next(u for u in problem.lead_department.users)
        problem.progress_notes.append(
            ProgressNote(
                author=liaison,
                department=problem.lead_department,
                text="已召开专题协调会，明确牵头科室和经办人，正在与企业对接具体诉求。",
                created_at=created + timedelta(days=15),
            )
        )

    def _rate(self, problem: Problem, status: str, number: int, created: datetime) -> None:
        if status == "reopened":
            problem.satisfaction = Satisfaction.UNSATISFIED
            problem.satisfaction_comment = "答复内容较原则，未明确完成时间，请重新办理。"
        else:
            problem.satisfaction = Satisfaction.SATISFIED if number % 3 else Satisfaction.BASICALLY
            problem.closed_at = created + timedelta(days=50)
        problem.rated_by = problem.author
        problem.rated_at = created + timedelta(days=48)
        problem.ratings.append(
            Rating(
                deputy=problem.author,
                recorded_by=problem.author,
                satisfaction=problem.satisfaction,
                comment=problem.satisfaction_comment or "",
                decisive=True,
                created_at=problem.rated_at,
            )
        )

    def _photo(self, visit: Visit, problem: Problem | None, seed: int) -> None:
        processed = process_photo(demo_picture(seed))
        key = f"demo{seed:04d}{'p' if problem else 'v'}".ljust(32, "0")
        store_photo(processed, self.photo_root, key)
        db.session.add(
            Photo(
                client_uuid=f"00000000-0000-4000-b000-{seed:012d}",
                uploaded_by=visit.author,
                visit=visit,
                problem=problem,
                storage_key=key,
                width=processed.width,
                height=processed.height,
                byte_size=processed.byte_size,
                sha256=processed.sha256,
                captured_at=visit.created_at - timedelta(hours=6),
                original_name=f"IMG_{seed:04d}.jpg",
                created_at=visit.created_at,
            )
        )
        self.photo_count += 1

    def _free_suggestions(self, visits: list[Visit], count: int) -> int:
        for number in range(count):
            visit = visits[(number * 7) % len(visits)]
            row = Suggestion(
                client_uuid=f"00000000-0000-4000-c000-{number + 1:012d}",
                campaign=self.campaign,
                group=visit.group,
                visit=visit,
                text=data.FREE_SUGGESTIONS[number % len(data.FREE_SUGGESTIONS)],
                author=visit.author,
                created_at=visit.created_at,
            )
            if number % 4 == 0:
                row.department = self.departments[data.DEPARTMENTS[number % 12]]
                row.adoption = (Adoption.ADOPTED, Adoption.PARTIAL, Adoption.NOT_ADOPTED)[
                    number % 3
                ]
                row.adoption_reason = "结合部门职责研究办理。"
            db.session.add(row)
        return count


def seed_demo(photo_root: str) -> dict:
    """Load the demo campaign into an empty database (the caller commits)."""
    return Seeder(photo_root).run()


__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "ProblemStatus", "seed_demo"]
