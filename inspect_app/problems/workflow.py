"""A problem's life: the one transition table (state, action, who → new state).

Pages, services and tests all read TRANSITIONS. `check(user, problem, action)` refuses an
illegal move with a Chinese message; `target(problem, action)` is the state it leads to.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from inspect_app import labels
from inspect_app.access import member_group_ids, secretary_group_ids
from inspect_app.models import Problem, ProblemStatus, Role, User

S = ProblemStatus
SAME = "same"  # the action keeps the state
BEFORE_MERGE = "before_merge"  # undoing a merge restores the state it had

# Who may act, relative to the problem:
STAFF = "staff"  # standing-committee staff
REVIEWER = "reviewer"  # the group's secretary, or staff
AUTHOR = "author"  # the deputy who wrote it
LEAD = "lead"  # the lead department (主办)
CO = "co"  # a co-department (协办)
HANDLER = "handler"  # lead or co-department
RAISER = "raiser"  # a deputy who raised it


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    action: str
    who: tuple[str, ...]
    to: str
    label: object  # the button's words


_OPEN = (S.IN_PROGRESS, S.REOPENED)
TRANSITIONS = (
    Transition((S.SUBMITTED,), "review", (REVIEWER,), S.REVIEWED, _l("审核通过")),
    Transition((S.SUBMITTED,), "send_back", (REVIEWER,), SAME, _l("退回修改")),
    Transition((S.SUBMITTED,), "resubmit", (AUTHOR,), SAME, _l("重新提交")),
    Transition((S.SUBMITTED, S.REVIEWED), "merge", (REVIEWER,), S.MERGED, _l("合并重复")),
    Transition((S.MERGED,), "unmerge", (REVIEWER,), BEFORE_MERGE, _l("撤销合并")),
    Transition((S.REVIEWED,), "assign", (STAFF,), S.ASSIGNED, _l("交办")),
    Transition((S.ASSIGNED,), "unassign", (STAFF,), S.REVIEWED, _l("撤销交办")),
    Transition((S.ASSIGNED,), "request_return", (LEAD,), S.REVIEWED, _l("申请退回")),
    Transition((S.ASSIGNED,), "sign", (LEAD,), S.IN_PROGRESS, _l("签收")),
    Transition(_OPEN, "progress", (LEAD,), SAME, _l("办理进展")),
    Transition((S.ASSIGNED, *_OPEN), "co_opinion", (CO,), SAME, _l("协办意见")),
    Transition(_OPEN, "request_extension", (LEAD,), SAME, _l("申请延期")),
    Transition(_OPEN, "decide_extension", (STAFF,), SAME, _l("审批延期")),
    Transition((S.ASSIGNED, *_OPEN), "urge", (STAFF,), SAME, _l("督办")),
    Transition(_OPEN, "answer", (LEAD,), S.ANSWERED, _l("答复")),
    Transition((S.ANSWERED,), "rate_satisfied", (RAISER, STAFF), S.CLOSED, _l("满意")),
    Transition((S.ANSWERED,), "rate_unsatisfied", (RAISER, STAFF), S.REOPENED, _l("不满意")),
    Transition((S.CLOSED, S.REOPENED), "add_rating", (RAISER, STAFF), SAME, _l("补充评价")),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}


class WorkflowError(Exception):
    """An illegal move: nothing was changed; str(error) is the message for the user."""


def relations(user: User, problem: Problem) -> set[str]:
    """How the user stands to the problem (staff, reviewer, author, lead, co, raiser)."""
    found = set()
    if user.role == Role.STAFF:
        found |= {STAFF, REVIEWER}
    if problem.group_id in secretary_group_ids(user):
        found.add(REVIEWER)
    in_group = user.role == Role.DEPUTY
    if in_group and problem.group_id in member_group_ids(user):
        if problem.author_id == user.id:
            found.add(AUTHOR)
        if any(u.id == user.id for u in problem.raised_by):
            found.add(RAISER)
    if user.role == Role.DEPARTMENT and user.department_id:
        if problem.lead_department_id == user.department_id:
            found |= {LEAD, HANDLER}
        if any(d.id == user.department_id for d in problem.co_departments):
            found |= {CO, HANDLER}
    return found


def may_act(user: User, problem: Problem, action: str) -> bool:
    """Whether the action is legal now for this user (for showing buttons)."""
    try:
        check(user, problem, action)
    except WorkflowError:
        return False
    return True


def allowed_actions(user: User, problem: Problem) -> set[str]:
    mine = relations(user, problem)
    return {
        t.action
        for t in TRANSITIONS
        if problem.status in t.sources and mine & set(t.who) and _extra_rule(user, problem, t)
    }


def check(user: User, problem: Problem, action: str) -> Transition:
    """The transition for the action, or WorkflowError saying why it is refused."""
    transition = BY_ACTION[action]
    if not relations(user, problem) & set(transition.who):
        raise WorkflowError(_refusal_who(transition))
    if problem.status not in transition.sources:
        raise WorkflowError(_refusal_state(problem, transition))
    if not _extra_rule(user, problem, transition):
        raise WorkflowError(_refusal_extra(action))
    return transition


def target(problem: Problem, transition: Transition) -> str:
    if transition.to == SAME:
        return problem.status
    if transition.to == BEFORE_MERGE:
        return problem.merged_from_status or ProblemStatus.SUBMITTED
    return transition.to


def _extra_rule(user: User, problem: Problem, transition: Transition) -> bool:
    """Rules the state alone does not express."""
    if transition.action == "resubmit":
        return bool(problem.sent_back_reason)
    if transition.action == "send_back":
        return not problem.sent_back_reason
    if transition.action == "decide_extension":
        return any(r.status == "pending" for r in problem.extension_requests)
    if transition.action == "request_extension":
        return not any(r.status == "pending" for r in problem.extension_requests)
    return True


def _refusal_who(transition: Transition) -> str:
    if transition.action in ("answer", "sign", "progress", "request_extension"):
        return str(_l("只有主办单位才能“%(action)s”。", action=transition.label))
    if transition.who[0] == RAISER:
        return str(_l("只有提出这个问题的代表才能评价。"))
    return str(_l("您不能对这个问题执行“%(action)s”。", action=transition.label))


def _refusal_state(problem: Problem, transition: Transition) -> str:
    if transition.action == "answer" and problem.status == ProblemStatus.ASSIGNED:
        return str(_l("请先签收，再答复。"))
    if transition.action.startswith("rate") and problem.status != ProblemStatus.ANSWERED:
        return str(_l("这个问题还没有答复，不能评价。"))
    if transition.action == "assign" and problem.status == ProblemStatus.MERGED:
        return str(_l("已合并的问题不能交办。"))
    if transition.action == "assign" and problem.status == ProblemStatus.SUBMITTED:
        return str(_l("问题审核通过后才能交办。"))
    label = transition.label
    status = labels.label("problem_status", problem.status)
    return str(_l("问题现在是“%(status)s”，不能%(action)s。", status=status, action=label))


def _refusal_extra(action: str) -> str:
    messages = {
        "resubmit": _l("这个问题没有被退回，不需要重新提交。"),
        "send_back": _l("这个问题已退回，等待填报人修改后重新提交。"),
        "decide_extension": _l("没有待审批的延期申请。"),
        "request_extension": _l("已有一条延期申请在等待审批。"),
    }
    return str(messages[action])
