"""Editing a problem and a suggestion."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from inspect_app import labels


class ProblemForm(FlaskForm):
    category = SelectField(_l("问题类别"), choices=labels.choices("problem_category"))
    description = TextAreaField(
        _l("问题描述"),
        validators=[DataRequired(_l("请描述这个问题。")), Length(max=5000)],
    )


class SuggestionForm(FlaskForm):
    text = TextAreaField(
        _l("意见建议"), validators=[DataRequired(_l("请填写意见建议。")), Length(max=5000)]
    )
