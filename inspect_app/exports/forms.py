"""The 周报 export form: group, week, and the secretary's 下周安排 (kept for next time)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from inspect_app.exports.weekly import PLAN_MAX


class WeeklyForm(FlaskForm):
    group_id = SelectField(_l("视察组"), coerce=int, validators=[DataRequired()])
    date_from = DateField(
        _l("从"), validators=[DataRequired(message=_l("请填写开始日期（如 2025-07-21）。"))]
    )
    date_to = DateField(
        _l("到"), validators=[DataRequired(message=_l("请填写结束日期（如 2025-07-27）。"))]
    )
    plan = TextAreaField(
        _l("下周安排"),
        validators=[Optional(), Length(max=PLAN_MAX, message=_l("下周安排最多 2000 字。"))],
    )
    excel = SubmitField(_l("下载周报 Excel"))
    word = SubmitField(_l("下载周报 Word"))

    def validate_date_to(self, field) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("结束日期不能早于开始日期。"))
