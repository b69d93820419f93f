"""The visit form's round trips: uploads kept across errors, blocks added without JavaScript.

Every POST first stores the photos that came with it (so a form sent back with an error
never asks for them again), then either adds a block, filters the projects, or saves.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import request
from flask_babel import gettext as _
from wtforms import SelectChoice

from inspect_app.access import is_handed_over
from inspect_app.clock import today_local
from inspect_app.extensions import db
from inspect_app.models import Photo, Problem, Project, User, Visit
from inspect_app.photo_files.services import (
    prepare_uploads,
    save_uploads,
    usable_photos,
    without_repeats,
)
from inspect_app.visits import services
from inspect_app.visits.forms import VisitForm, photo_id_list

ACTIONS = ("save", "add_problem", "add_suggestion", "search_project", "upload")


@dataclass
class FormState:
    form: VisitForm
    groups: list
    members: list
    own_projects: list
    other_projects: list
    photos: dict[int, Photo] = field(default_factory=dict)
    photo_errors: dict[str, list[str]] = field(default_factory=dict)
    locked: dict[int, Problem] = field(default_factory=dict)  # past 已审核: read-only here
    ready: bool = False  # True when the form is valid and asked to be saved
    saved_as: Visit | None = None  # the visit this content was already stored as


def visit_form_data(visit: Visit) -> dict:
    """The form's initial data for editing an existing visit."""
    problems = [
        {
            "id": str(p.id),
            "client_uuid": p.client_uuid,
            "category": p.category,
            "description": p.description,
            "suggestion": p.suggestions[0].text if p.suggestions else "",
            "photo_ids": ",".join(str(ph.id) for ph in p.photos),
        }
        for p in visit.problems
    ]
    suggestions = [
        {"id": str(s.id), "client_uuid": s.client_uuid, "text": s.text}
        for s in visit.suggestions
        if s.problem_id is None
    ]
    return {
        "client_uuid": visit.client_uuid,
        "group_id": visit.group_id,
        "project_id": visit.project_id,
        "visited_on": visit.visited_on,
        "attendee_ids": [u.id for u in visit.attendees],
        "summary": visit.summary,
        "photo_ids": ",".join(str(p.id) for p in visit.photos),
        "problems": problems or [{}],
        "suggestions": suggestions or [{}],
    }


def run_visit_form(user: User, groups: list, visit: Visit | None = None) -> FormState:
    data = visit_form_data(visit) if visit is not None else _new_visit_data(user, groups)
    form = VisitForm(data=data if request.method == "GET" else None)
    form.group_id.choices = [SelectChoice(g.id, f"{g.campaign.title} · {g.name}") for g in groups]
    if visit is not None:
        form.group_id.data = visit.group_id
    elif form.group_id.data not in {g.id for g in groups}:
        form.group_id.data = groups[0].id
    state = _prepare_choices(form, groups)
    _lock_handed_over(state, visit)
    if request.method == "POST":
        _take_uploads(user, state, visit)
        state.ready = _dispatch(state)
    else:
        ids = photo_id_list(form.photo_ids.data)
        ids += [i for e in form.problems for i in photo_id_list(e.form.photo_ids.data)]
        owner = visit.id if visit is not None else None
        state.photos = {p.id: p for p in usable_photos(user, ids, owner)}
    _fill_uuids(form)
    return state


def _default_date(campaign) -> date | None:
    """Today, when it falls within the campaign; otherwise the deputy must pick the date."""
    today = today_local()
    if (campaign.starts_on and today < campaign.starts_on) or (
        campaign.ends_on and today > campaign.ends_on
    ):
        return None
    return today


def _new_visit_data(user: User, groups: list) -> dict:
    return {
        "client_uuid": services.new_uuid(),
        "group_id": groups[0].id,
        "visited_on": _default_date(groups[0].campaign),
        "attendee_ids": [user.id],
        "problems": [{}],
        "suggestions": [{}],
    }


def _prepare_choices(form: VisitForm, groups: list) -> FormState:
    members = services.group_members(form.group_id.data)
    own, others = services.project_choices(form.group_id.data, form.project_query.data or "")
    selected = form.project_id.data
    listed = {p.id for p in own + others}
    if selected and selected not in listed:
        chosen = db.session.get(Project, selected)
        if chosen is not None:
            others.append(chosen)
    choices = [
        SelectChoice(p.id, f"{p.name}（{p.town or ''}）", optgroup=_("本组项目")) for p in own
    ]
    choices += [
        SelectChoice(p.id, f"{p.name}（{p.town or ''}）", optgroup=_("其他项目")) for p in others
    ]
    blank = _("请选择") if choices else _("没有找到项目")
    form.project_id.choices = [SelectChoice("", blank), *choices]
    form.allowed_project_ids = set(services.all_project_ids())
    form.campaign = next((g.campaign for g in groups if g.id == form.group_id.data), None)
    form.attendee_ids.choices = [SelectChoice(u.id, u.name) for u in members]
    form.allowed_member_ids = {u.id for u in members}
    return FormState(form, groups, members, own, others)


def _take_uploads(user: User, state: FormState, visit: Visit | None) -> None:
    """Store new files, drop removed ones, and keep the ids in the hidden fields."""
    removed = {int(v) for v in request.form.getlist("remove_photo") if v.isdigit()}
    owner = visit.id if visit is not None else None
    targets = [(state.form.photos, state.form.photo_ids)]
    targets += [
        (entry.form.photos, entry.form.photo_ids)
        for entry in state.form.problems
        if not entry.form.locked
    ]
    for file_field, _ids in targets:  # decode and stage them all before any row is written
        prepare_uploads(request.files.getlist(file_field.name))
    for file_field, ids_field in targets:
        kept = [i for i in photo_id_list(ids_field.data) if i not in removed]
        photos = usable_photos(user, kept, owner)
        new, errors = save_uploads(user, request.files.getlist(file_field.name))
        photos, repeats = without_repeats(photos + new)
        if repeats:
            errors.append(_("有 %(n)s 张照片重复，已只保留一张。", n=repeats))
        if errors:
            state.photo_errors[file_field.name] = errors
        ids_field.data = ",".join(str(p.id) for p in photos)
        state.photos.update({p.id: p for p in photos})


def _lock_handed_over(state: FormState, visit: Visit | None) -> None:
    """Problems already past 已审核 are shown as they are and never changed from here."""
    if visit is None:
        return
    state.locked = {p.id: p for p in visit.problems if is_handed_over(p)}
    for entry in state.form.problems:
        entry_id = entry.form.id.data or ""
        entry.form.locked = entry_id.isdigit() and int(entry_id) in state.locked


def _dispatch(state: FormState) -> bool:
    form = state.form
    action = request.form.get("action", "save")
    if action == "add_problem" and len(form.problems) < form.problems.max_entries:
        form.problems.append_entry()
    elif action == "add_suggestion" and len(form.suggestions) < form.suggestions.max_entries:
        form.suggestions.append_entry()
    elif action == "save":
        valid = form.validate()
        return valid and not state.photo_errors
    return False


def _fill_uuids(form: VisitForm) -> None:
    if not form.client_uuid.data:
        form.client_uuid.data = services.new_uuid()
    for entry in list(form.problems) + list(form.suggestions):
        if not entry.form.client_uuid.data:
            entry.form.client_uuid.data = services.new_uuid()


def visit_input(state: FormState) -> services.VisitInput:
    form = state.form

    def photos_of(ids_field):
        return [state.photos[i] for i in photo_id_list(ids_field.data) if i in state.photos]

    problems = [
        services.ProblemInput(
            id=int(e.form.id.data) if (e.form.id.data or "").isdigit() else None,
            client_uuid=e.form.client_uuid.data or services.new_uuid(),
            category=e.form.category.data,
            description=e.form.description.data or "",
            suggestion=e.form.suggestion.data or "",
            photos=photos_of(e.form.photo_ids),
            delete=bool(e.form.delete.data),
        )
        for e in form.problems
        if not e.form.locked
    ]
    suggestions = [
        services.SuggestionInput(
            id=int(e.form.id.data) if (e.form.id.data or "").isdigit() else None,
            client_uuid=e.form.client_uuid.data or services.new_uuid(),
            text=e.form.text.data or "",
            delete=bool(e.form.delete.data),
        )
        for e in form.suggestions
    ]
    return services.VisitInput(
        client_uuid=form.client_uuid.data,
        group_id=form.group_id.data,
        project_id=form.project_id.data,
        visited_on=form.visited_on.data,
        summary=form.summary.data or "",
        attendee_ids=list(form.attendee_ids.data or []),
        photos=photos_of(form.photo_ids),
        problems=problems,
        suggestions=suggestions,
    )
