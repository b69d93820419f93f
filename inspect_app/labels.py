"""Display labels for stored codes, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from inspect_app.models import (
    Adoption,
    CampaignKind,
    CampaignStatus,
    GroupLevel,
    ProblemCategory,
    ProblemStatus,
    ProjectStage,
    Role,
    Satisfaction,
    VisitStatus,
)

ROLE = {
    Role.DEPUTY: _l("代表"),
    Role.STAFF: _l("工作人员"),
    Role.DEPARTMENT: _l("承办单位"),
    Role.VIEWER: _l("领导"),
}
CAMPAIGN_KIND = {
    CampaignKind.INSPECTION: _l("视察"),
    CampaignKind.RESEARCH: _l("调研"),
    CampaignKind.MONITORING: _l("监测"),
    CampaignKind.INQUIRY: _l("询问"),
}
CAMPAIGN_STATUS = {
    CampaignStatus.PLANNING: _l("筹备中"),
    CampaignStatus.ACTIVE: _l("进行中"),
    CampaignStatus.CLOSED: _l("已结束"),
}
GROUP_LEVEL = {GroupLevel.CITY: _l("市级"), GroupLevel.TOWN: _l("镇街")}
PROJECT_STAGE = {
    ProjectStage.SIGNED: _l("签约"),
    ProjectStage.LAND: _l("拿地"),
    ProjectStage.STARTED: _l("开工"),
    ProjectStage.BUILDING: _l("在建"),
    ProjectStage.OPERATING: _l("投产"),
}
VISIT_STATUS = {VisitStatus.SUBMITTED: _l("待审核"), VisitStatus.REVIEWED: _l("已审核")}
PROBLEM_STATUS = {
    ProblemStatus.DRAFT: _l("草稿"),
    ProblemStatus.SUBMITTED: _l("已提交"),
    ProblemStatus.REVIEWED: _l("已审核"),
    ProblemStatus.ASSIGNED: _l("已交办"),
    ProblemStatus.IN_PROGRESS: _l("办理中"),
    ProblemStatus.ANSWERED: _l("已答复"),
    ProblemStatus.CLOSED: _l("已办结"),
    ProblemStatus.REOPENED: _l("重新办理"),
    ProblemStatus.MERGED: _l("已合并"),
}
PROBLEM_CATEGORY = {
    ProblemCategory.APPROVAL: _l("审批"),
    ProblemCategory.LAND: _l("用地"),
    ProblemCategory.FUNDING: _l("资金"),
    ProblemCategory.TALENT: _l("人才"),
    ProblemCategory.INFRASTRUCTURE: _l("基础设施"),
    ProblemCategory.SUPPORTING: _l("配套"),
    ProblemCategory.POLICY: _l("政策落实"),
    ProblemCategory.BUSINESS: _l("营商环境"),
    ProblemCategory.OTHER: _l("其他"),
}
SATISFACTION = {
    Satisfaction.SATISFIED: _l("满意"),
    Satisfaction.BASICALLY: _l("基本满意"),
    Satisfaction.UNSATISFIED: _l("不满意"),
}
ADOPTION = {
    Adoption.ADOPTED: _l("采纳"),
    Adoption.PARTIAL: _l("部分采纳"),
    Adoption.NOT_ADOPTED: _l("暂不采纳"),
}

ALL = {
    "role": ROLE,
    "campaign_kind": CAMPAIGN_KIND,
    "campaign_status": CAMPAIGN_STATUS,
    "group_level": GROUP_LEVEL,
    "project_stage": PROJECT_STAGE,
    "visit_status": VISIT_STATUS,
    "problem_status": PROBLEM_STATUS,
    "problem_category": PROBLEM_CATEGORY,
    "satisfaction": SATISFACTION,
    "adoption": ADOPTION,
}


def label(kind: str, code: str | None) -> str:
    """The display label of a stored code, or the code itself if unknown, or ''."""
    if not code:
        return ""
    return str(ALL[kind].get(code, code))


def pairs(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs, for templates."""
    return [(code.value, text) for code, text in ALL[kind].items()]


def choices(kind: str, blank: str | None = None) -> list[SelectChoice]:
    """Options for a SelectField, optionally with a blank first option."""
    options = [SelectChoice(code, text) for code, text in pairs(kind)]
    return [SelectChoice("", blank), *options] if blank is not None else options
