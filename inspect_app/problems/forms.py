"""A problem's forms: editing it and its suggestions, and each workflow action."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from inspect_app import labels

PRESET_DAYS = (15, 30, 60, 90)


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


class BareForm(FlaskForm):
    """A button: CSRF only."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("原因"), validators=[DataRequired(_l("请写明原因。")), Length(max=2000)]
    )


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("内容"), validators=[DataRequired(_l("请填写内容。")), Length(max=5000)]
    )


class UrgeForm(FlaskForm):
    message = TextAreaField(
        _l("督办意见"), validators=[DataRequired(_l("请填写督办意见。")), Length(max=2000)]
    )


class ExtensionForm(FlaskForm):
    new_deadline = DateField(
        _l("申请延至"), validators=[DataRequired(_l("请选择申请延至的日期。"))]
    )
    reason = TextAreaField(
        _l("延期原因"), validators=[DataRequired(_l("请写明申请延期的原因。")), Length(max=2000)]
    )


class DecisionForm(FlaskForm):
    decision = HiddenField()
    note = StringField(_l("审批意见"), validators=[Optional(), Length(max=500)])


class AssignForm(FlaskForm):
    """主办 and 协办 come from a server-side search (dq), not a list of every department."""

    dq = StringField(_l("查找单位"), validators=[Optional(), Length(max=50)])
    lead_id = IntegerField(_l("主办单位"), validators=[Optional()])
    preset = StringField(_l("办理时限"), validators=[Optional()])  # days, or "custom"
    deadline = DateField(_l("指定日期"), validators=[Optional()])
    note = TextAreaField(_l("交办意见"), validators=[Optional(), Length(max=2000)])


class AnswerForm(FlaskForm):
    text = TextAreaField(
        _l("答复内容"), validators=[DataRequired(_l("请填写答复内容。")), Length(max=10000)]
    )
    letter = FileField(_l("答复函（PDF、Word 或照片，可选）"))


class RateForm(FlaskForm):
    satisfaction = RadioField(
        _l("评价"),
        choices=labels.choices("satisfaction"),
        validators=[DataRequired(_l("请选择满意、基本满意或不满意。"))],
    )
    comment = TextAreaField(_l("意见"), validators=[Optional(), Length(max=2000)])


class PaperRateForm(RateForm):
    deputy_id = SelectField(
        _l("评价代表"), coerce=int, validators=[DataRequired(_l("请选择代表。"))]
    )


class MergeForm(FlaskForm):
    into_id = IntegerField(_l("合并到"), validators=[Optional()])
    into_code = StringField(_l("或输入问题编号"), validators=[Optional(), Length(max=40)])
