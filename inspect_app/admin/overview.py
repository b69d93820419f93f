"""What the office asks of the groups and projects lists: members, visits, problems."""

from sqlalchemy import distinct, func, select

from inspect_app.extensions import db
from inspect_app.models import Campaign, CampaignStatus, Group, GroupMember, Problem, User, Visit


def current_campaign(campaign_id: int | None = None) -> Campaign | None:
    """The campaign asked for, else the latest active one, else the latest."""
    if campaign_id:
        found = db.session.get(Campaign, campaign_id)
        if found is not None:
            return found
    active = select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE)
    return db.session.scalar(active.order_by(Campaign.id.desc())) or db.session.scalar(
        select(Campaign).order_by(Campaign.id.desc())
    )


def _counts(column, key, ids) -> dict[int, int]:
    if not ids:
        return {}
    query = select(key, func.count(column)).where(key.in_(ids)).group_by(key)
    return dict(db.session.execute(query).all())


def group_rows(groups: list[Group]) -> dict[int, dict]:
    """Per group: member count, secretaries' names, visits and problems."""
    ids = [g.id for g in groups]
    members = _counts(GroupMember.user_id, GroupMember.group_id, ids)
    visits = _counts(Visit.id, Visit.group_id, ids)
    problems = _counts(Problem.id, Problem.group_id, ids)
    secretaries: dict[int, list[str]] = {}
    if ids:
        query = (
            select(GroupMember.group_id, User.name)
            .join(User, User.id == GroupMember.user_id)
            .where(GroupMember.group_id.in_(ids), GroupMember.is_secretary.is_(True))
            .order_by(User.name)
        )
        for group_id, name in db.session.execute(query):
            secretaries.setdefault(group_id, []).append(name)
    return {
        i: {
            "members": members.get(i, 0),
            "secretaries": "、".join(secretaries.get(i, [])),
            "visits": visits.get(i, 0),
            "problems": problems.get(i, 0),
        }
        for i in ids
    }


def visited_projects(campaign: Campaign | None):
    """A subquery of project ids visited in the campaign."""
    query = select(Visit.project_id)
    if campaign is not None:
        query = query.where(Visit.campaign_id == campaign.id)
    return query


def project_rows(project_ids: list[int], campaign: Campaign | None) -> dict[int, dict]:
    """Per project, in the campaign: groups that visited it, visits, problems found."""
    if not project_ids:
        return {}
    visits = select(
        Visit.project_id,
        func.count(distinct(Visit.group_id)),
        func.count(Visit.id),
    ).where(Visit.project_id.in_(project_ids))
    problems = select(Problem.project_id, func.count(Problem.id)).where(
        Problem.project_id.in_(project_ids)
    )
    if campaign is not None:
        visits = visits.where(Visit.campaign_id == campaign.id)
        problems = problems.where(Problem.campaign_id == campaign.id)
    by_visits = {
        pid: (groups, count)
        for pid, groups, count in db.session.execute(visits.group_by(Visit.project_id))
    }
    by_problems = dict(db.session.execute(problems.group_by(Problem.project_id)).all())
    return {
        pid: {
            "visited": pid in by_visits,
            "groups": by_visits.get(pid, (0, 0))[0],
            "visits": by_visits.get(pid, (0, 0))[1],
            "problems": by_problems.get(pid, 0),
        }
        for pid in project_ids
    }
