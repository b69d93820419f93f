"""Importing the project list and the deputy roster: all rows valid, or nothing written."""

from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from inspect_app.auditing import record_event, snapshot
from inspect_app.auth.passwords import initial_password, password_problem
from inspect_app.extensions import db
from inspect_app.models import Campaign, Group, GroupMember, Project, Role, User
from inspect_app.spreadsheets.imports import (
    FieldSpec,
    RowError,
    duplicate_errors,
    read_rows,
    template_workbook,
)

STAGES = {
    "签约": "signed",
    "拿地": "land",
    "开工": "started",
    "在建": "building",
    "投产": "operating",
}
ROLES = ("代表", "联络员")  # 联络员: a deputy marked is_secretary in the group

PROJECT_SPECS = [
    FieldSpec("code", "项目编号", aliases=("编号",), max_length=40, note="有编号时按编号更新，"),
    FieldSpec("name", "项目名称", required=True, note="没有编号时按名称更新。"),
    FieldSpec("town", "镇街", aliases=("所在镇街",), max_length=50),
    FieldSpec("industry", "行业", aliases=("所属行业", "产业"), max_length=50),
    FieldSpec("owner", "建设单位", aliases=("业主单位", "项目业主")),
    FieldSpec(
        "investment",
        "总投资（亿元）",
        kind="decimal",
        aliases=("总投资", "投资额（亿元）", "投资额"),
        note="单位：亿元。",
    ),
    FieldSpec("stage", "项目阶段", kind="choice", choices=tuple(STAGES), aliases=("阶段",)),
    FieldSpec("address", "地址", aliases=("项目地址",), max_length=300),
    FieldSpec("longitude", "经度", kind="float"),
    FieldSpec("latitude", "纬度", kind="float"),
]


def deputy_specs(group_names: tuple[str, ...]) -> list[FieldSpec]:
    return [
        FieldSpec("name", "姓名", required=True, max_length=50),
        FieldSpec("phone", "手机号", required=True, kind="phone", aliases=("手机", "手机号码")),
        FieldSpec("group", "视察组", required=True, kind="choice", choices=group_names),
        FieldSpec("role", "角色", kind="choice", choices=ROLES, note="不填为代表。"),
        FieldSpec("delegation", "代表团", max_length=50),
        FieldSpec("employer", "工作单位", aliases=("单位",)),
        FieldSpec(
            "password",
            "初始密码",
            max_length=64,
            note="仅用于新账户；不填则自动生成并在导入结果中显示一次。",
        ),
    ]


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    passwords: list[tuple[str, str, str]] = field(default_factory=list)  # name, phone, password

    @property
    def ok(self) -> bool:
        return not self.errors


def projects_template() -> bytes:
    return template_workbook("重大项目清单", PROJECT_SPECS)


def deputies_template(campaign: Campaign | None) -> bytes:
    names = tuple(g.name for g in campaign.groups) if campaign else ()
    return template_workbook("代表名单", deputy_specs(names))


def import_projects(user: User | None, data: bytes) -> ImportOutcome:
    """Create or update projects (by code, else by name). Raises ImportFileError.

    Existing projects are read in one query and the rows written in one flush, so 20,000
    rows take seconds, not a query per row against a growing table.
    """
    result = read_rows(data, PROJECT_SPECS)
    errors = result.errors + duplicate_errors(result.rows, "code", "项目编号")
    errors += duplicate_errors([r for r in result.rows if not r.get("code")], "name", "项目名称")
    outcome = ImportOutcome(errors=sorted(errors, key=lambda e: e.row))
    if not outcome.ok:
        return outcome
    by_code, by_name = _existing_projects()
    changed = []
    for row in result.rows:
        project = by_code.get(row["code"]) if row.get("code") else None
        project = project or by_name.get(row["name"])
        before = snapshot(project) if project else None
        if project is None:
            project = Project(name=row["name"])
            db.session.add(project)
            outcome.created += 1
        else:
            outcome.updated += 1
        _fill_project(project, row)
        by_name.setdefault(project.name, project)
        if project.code:
            by_code.setdefault(project.code, project)
        changed.append((project, before))
    db.session.flush()
    for project, before in changed:
        record_event(user, "import" if before else "create", project, before, snapshot(project))
    return outcome


def _existing_projects() -> tuple[dict[str, Project], dict[str, Project]]:
    """All projects by code and by name (the first one where a name repeats)."""
    by_code, by_name = {}, {}
    for project in db.session.scalars(select(Project).order_by(Project.id)):
        if project.code:
            by_code.setdefault(project.code, project)
        by_name.setdefault(project.name, project)
    return by_code, by_name


def _fill_project(project: Project, row: dict) -> None:
    for key in ("code", "name", "town", "industry", "owner", "investment", "address"):
        if row[key] is not None:
            setattr(project, key, row[key])
    if row["stage"]:
        project.stage = STAGES[row["stage"]]
    if row["latitude"] is not None and row["longitude"] is not None:
        project.latitude, project.longitude = row["latitude"], row["longitude"]


def import_deputies(user: User | None, data: bytes, campaign: Campaign) -> ImportOutcome:
    """Create or update deputies (by phone) and their group membership. Raises ImportFileError.

    Accounts and memberships are read in one query each, new passwords are hashed before
    anything is written (the hash is the slow part; no write lock is held meanwhile), and
    the rows are written in one flush.
    """
    groups = {g.name: g for g in campaign.groups}
    result = read_rows(data, deputy_specs(tuple(groups)))
    errors = result.errors + duplicate_errors(result.rows, "phone", "手机号")
    errors += _clashing_accounts(result.rows)
    errors += _weak_passwords(result.rows)
    outcome = ImportOutcome(errors=sorted(errors, key=lambda e: e.row))
    if not outcome.ok:
        return outcome
    accounts = _accounts_by_phone([r["phone"] for r in result.rows])
    memberships = _memberships([g.id for g in groups.values()])
    hashes = _new_password_hashes(result.rows, accounts, outcome)
    changed = []
    for row in result.rows:
        group = groups[row["group"]]
        account, before = _import_deputy(row, accounts, hashes, outcome)
        _join_group(account, group, memberships, row)
        changed.append((account, before, group))
    db.session.flush()
    for account, before, group in changed:
        after = snapshot(account, group=group.name)
        record_event(user, "import" if before else "create", account, before, after)
    return outcome


def _accounts_by_phone(phones: list[str]) -> dict[str, User]:
    accounts = {}
    for start in range(0, len(phones), 5000):
        chunk = phones[start : start + 5000]
        for account in db.session.scalars(select(User).where(User.phone.in_(chunk))):
            accounts[account.phone] = account
    return accounts


def _memberships(group_ids: list[int]) -> dict[tuple[int, int], GroupMember]:
    query = select(GroupMember).where(GroupMember.group_id.in_(group_ids))
    return {(m.group_id, m.user_id): m for m in db.session.scalars(query)}


def _new_password_hashes(rows: list[dict], accounts: dict, outcome: ImportOutcome) -> dict:
    """phone -> password hash for every new account (a generated password is shown once)."""
    hashes = {}
    for row in rows:
        if row["phone"] in accounts:
            continue
        password = row["password"] or initial_password()
        if not row["password"]:
            outcome.passwords.append((row["name"], row["phone"], password))
        hashes[row["phone"]] = generate_password_hash(password)
    return hashes


def _clashing_accounts(rows: list[dict]) -> list[RowError]:
    """A phone that belongs to a staff, department or viewer account cannot become a deputy."""
    phones = [r["phone"] for r in rows if r.get("phone")]
    if not phones:
        return []
    others = db.session.execute(
        select(User.phone, User.role).where(User.phone.in_(phones), User.role != Role.DEPUTY)
    ).all()
    clashing = {phone for phone, _role in others}
    return [
        RowError(r["_row"], "手机号", "这个手机号已属于工作人员或承办单位账户")
        for r in rows
        if r.get("phone") in clashing
    ]


def _weak_passwords(rows: list[dict]) -> list[RowError]:
    """Initial passwords given in the file follow the same rule as everywhere else."""
    errors = []
    for row in rows:
        if row.get("password"):
            problem = password_problem(row["password"], names=(row.get("phone"),))
            if problem:
                errors.append(RowError(row["_row"], "初始密码", problem))
    return errors


def _import_deputy(row: dict, accounts: dict, hashes: dict, outcome: ImportOutcome):
    """The account of a row, created or updated (not yet flushed), and its snapshot before."""
    role = Role.DEPUTY  # 联络员 is a membership flag (_join_group), not a role
    account = accounts.get(row["phone"])
    before = snapshot(account) if account else None
    if account is None:
        account = User(username=row["phone"], phone=row["phone"], name=row["name"], role=role)
        account.password_hash = hashes[row["phone"]]
        account.must_change_password = True  # an initial password: changed at first login
        db.session.add(account)
        outcome.created += 1
    else:
        outcome.updated += 1
        account.name = row["name"]
        account.role = role
    for key in ("delegation", "employer"):
        if row[key] is not None:
            setattr(account, key, row[key])
    return account, before


def _join_group(account: User, group: Group, memberships: dict, row: dict) -> None:
    is_secretary = row["role"] == "联络员"
    membership = memberships.get((group.id, account.id)) if account.id else None
    if membership is None:
        group.members.append(GroupMember(user=account, is_secretary=is_secretary))
    else:
        membership.is_secretary = is_secretary
