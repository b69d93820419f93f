"""Editing a problem and a suggestion."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from inspect_app import labels
from inspect_app.extensions import db
from inspect_app.models import Department


class ProblemForm(FlaskForm):
    category = SelectField(_l("问题类别"), choices=labels.choices("problem_category"))
    description = TextAreaField(
        _l("问题描述"),
        validators=[DataRequired(_l("请描述这个问题。")), Length(max=5000)],
    )


class AssignmentFields(ProblemForm):
    """Staff also set the lead and co-departments and the deadline."""

    lead_department_id = SelectField(_l("主办单位"), coerce=int, validate_choice=False)
    co_department_ids = SelectMultipleField(_l("协办单位"), coerce=int, validate_choice=False)
    deadline = DateField(_l("办理时限"), validators=[Optional()])

    def validate_lead_department_id(self, field):
        if field.data and db.session.get(Department, field.data) is None:
            raise ValidationError(_l("没有这个承办单位，请从列表中选择。"))

    def validate_co_department_ids(self, field):
        chosen = set(field.data or [])
        known = set(db.session.scalars(select(Department.id).where(Department.id.in_(chosen))))
        if chosen - known:
            raise ValidationError(_l("没有这个承办单位，请从列表中选择。"))
        if self.lead_department_id.data and self.lead_department_id.data in (field.data or []):
            raise ValidationError(_l("主办单位不能同时是协办单位。"))

    def validate_deadline(self, field):
        if field.data and not self.lead_department_id.data:
            raise ValidationError(_l("设定办理时限前请先选择主办单位。"))


class SuggestionForm(FlaskForm):
    text = TextAreaField(
        _l("意见建议"), validators=[DataRequired(_l("请填写意见建议。")), Length(max=5000)]
    )
