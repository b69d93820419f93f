"""The office settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

REQUIRED = _l("此项必填。")


class SettingsForm(FlaskForm):
    office_name = StringField(_l("发文单位"), validators=[DataRequired(REQUIRED), Length(max=100)])
    handover_number_pattern = StringField(
        _l("交办文号格式"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("{year} 换成年份，{n} 换成序号，例如 莞人常办交〔{year}〕{n}号"),
    )
    contact_name = StringField(_l("联系人"), validators=[DataRequired(REQUIRED), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[DataRequired(REQUIRED), Length(max=30)])
    assign_days = IntegerField(
        _l("交办默认办理时限（天）"),
        validators=[
            DataRequired(_l("请填 1 到 365 之间的天数。")),
            NumberRange(1, 365, _l("请填 1 到 365 之间的天数。")),
        ],
    )
    reopen_days = IntegerField(
        _l("重新办理默认时限（天）"),
        validators=[
            DataRequired(_l("请填 1 到 365 之间的天数。")),
            NumberRange(1, 365, _l("请填 1 到 365 之间的天数。")),
        ],
    )
    reminder_days = StringField(
        _l("到期前提醒（天，逗号分隔）"),
        validators=[DataRequired(REQUIRED), Length(max=50)],
        description=_l("例如 7,1：到期前 7 天和 1 天提醒承办单位"),
    )

    def validate_handover_number_pattern(self, field):
        if "{n}" not in field.data:
            raise ValidationError(_l("文号格式里要有 {n}（序号）。"))
        try:
            field.data.format(year=2025, n=1)
        except (KeyError, IndexError, ValueError) as error:
            raise ValidationError(_l("文号格式只能使用 {year} 和 {n}。")) from error

    def validate_reminder_days(self, field):
        parts = field.data.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
        try:
            days = sorted({int(p) for p in parts if p.strip()}, reverse=True)
        except ValueError as error:
            raise ValidationError(_l("请填天数，用逗号分隔，例如 7,1。")) from error
        if not days or any(d < 1 or d > 90 for d in days):
            raise ValidationError(_l("每个天数在 1 到 90 之间。"))
        self.reminder_list = days
