"""The visit form: one visit, its problems (with photos and a suggestion), free suggestions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from inspect_app import labels
from inspect_app.clock import today_local
from inspect_app.form_messages import CatalogueMeta
from inspect_app.visits.services import visit_date_error

TEXT_LIMIT = 5000


def photo_id_list(raw: str | None) -> list[int]:
    """'3,5,9' -> [3, 5, 9]; anything else is ignored."""
    return [int(part) for part in (raw or "").split(",") if part.strip().isdigit()]


def optional_int(value) -> int | None:
    """A select's value as an id; the blank 「请选择」 option is None."""
    if value in (None, ""):
        return None
    return int(value)


def too_long():
    return Length(max=TEXT_LIMIT, message=_l("内容太长，最多 5000 字。"))


class ProblemEntryForm(Form):
    """One problem block. A block with anything in it is kept or refused, never dropped."""

    class Meta(CatalogueMeta):
        pass

    id = HiddenField()
    client_uuid = HiddenField()
    category = SelectField(
        _l("问题类别"),
        choices=labels.choices("problem_category", blank=_l("请选择")),
        validate_choice=False,
    )
    description = TextAreaField(_l("问题描述"), validators=[too_long()])
    suggestion = TextAreaField(_l("对这个问题的意见建议"), validators=[too_long()])
    photos = MultipleFileField(_l("问题照片"))
    photo_ids = HiddenField()
    delete = BooleanField(_l("删除这个问题"))
    locked = False  # past 已审核: shown read-only, never changed through the visit form

    def is_blank(self) -> bool:
        return not (
            (self.description.data or "").strip()
            or (self.suggestion.data or "").strip()
            or photo_id_list(self.photo_ids.data)
            or self.category.data
        )

    def is_stored(self) -> bool:
        return (self.id.data or "").isdigit()

    def skips_checks(self) -> bool:
        return self.locked or bool(self.delete.data) or (self.is_blank() and not self.is_stored())

    def validate_category(self, field):
        if self.skips_checks():
            return
        if field.data not in {code for code, _text in labels.pairs("problem_category")}:
            raise ValidationError(_l("请选择问题类别。"))

    def validate_description(self, field):
        if self.skips_checks() or (field.data or "").strip():
            return
        if self.is_blank():
            raise ValidationError(_l("要删除这个问题，请勾选“删除这个问题”。"))
        raise ValidationError(_l("请描述这个问题（已填的建议和照片都保留着）。"))


class SuggestionEntryForm(Form):
    class Meta(CatalogueMeta):
        pass

    id = HiddenField()
    client_uuid = HiddenField()
    text = TextAreaField(_l("意见建议"), validators=[too_long()])
    delete = BooleanField(_l("删除这条建议"))

    def validate_text(self, field):
        stored = (self.id.data or "").isdigit()
        if stored and not self.delete.data and not (field.data or "").strip():
            raise ValidationError(_l("要删除这条建议，请勾选“删除这条建议”。"))


class VisitForm(FlaskForm):
    client_uuid = HiddenField()
    group_id = SelectField(_l("视察组"), coerce=int, validate_choice=True)
    project_query = StringField(_l("搜索项目（名称或镇街）"))
    project_id = SelectField(
        _l("视察项目"),
        coerce=optional_int,
        validators=[InputRequired(_l("请选择视察的项目。"))],
        validate_choice=False,
    )
    visited_on = DateField(_l("视察日期"), validators=[InputRequired(_l("请填写视察日期。"))])
    attendee_ids = SelectMultipleField(_l("参加代表"), coerce=int, validate_choice=False)
    summary = TextAreaField(
        _l("看到的进展情况"),
        validators=[DataRequired(_l("请写下看到的进展情况。")), too_long()],
    )
    photos = MultipleFileField(_l("现场照片"))
    photo_ids = HiddenField()
    problems = FieldList(FormField(ProblemEntryForm), min_entries=1, max_entries=30)
    suggestions = FieldList(FormField(SuggestionEntryForm), min_entries=1, max_entries=30)

    def __init__(self, *args, project_ids=(), member_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_project_ids = set(project_ids)
        self.allowed_member_ids = set(member_ids)
        self.campaign = None  # the chosen group's campaign: its dates bound the visit date
        self.visited_on.render_kw = {"max": today_local().isoformat()}  # the phone's picker

    def validate_project_id(self, field):
        if field.data not in self.allowed_project_ids:
            raise ValidationError(_l("请选择视察的项目。"))

    def validate_visited_on(self, field):
        if field.data is None:  # not a date: its own message is already there
            return
        message = visit_date_error(self.campaign, field.data)
        if message:
            raise ValidationError(message)

    def validate_attendee_ids(self, field):
        if not field.data:
            raise ValidationError(_l("请至少选择一位参加的代表。"))
        if not set(field.data) <= self.allowed_member_ids:
            raise ValidationError(_l("参加代表必须是本组成员。"))


class ReviewForm(FlaskForm):
    """A bare form for the review button (CSRF only)."""


class VisitFilterForm(Form):
    date_from = DateField(_l("从"), validators=[Optional()])
    date_to = DateField(_l("到"), validators=[Optional()])
    group_id = SelectField(_l("视察组"), coerce=str, validate_choice=False)
    town = SelectField(_l("镇街"), validate_choice=False)
    project_id = SelectField(_l("项目"), validate_choice=False)
    author_id = SelectField(_l("填报人"), validate_choice=False)
    q = StringField(_l("关键词"))
