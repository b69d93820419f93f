"""Staff forms for people's accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from inspect_app import labels
from inspect_app.extensions import db
from inspect_app.models import Role, User

REQUIRED = _l("此项必填。")


def account_roles() -> list[SelectChoice]:
    """Kinds of account. 联络员 is not one: it is ticked per group (GroupMember.is_secretary)."""
    return [c for c in labels.choices("role") if c.value != "secretary"]


def search_roles() -> list[SelectChoice]:
    """For searching, 联络员 (anyone who is secretary of a group) sits beside the kinds."""
    roles = account_roles()
    return [
        SelectChoice("", _l("全部身份")),
        roles[0],
        SelectChoice("secretary", _l("联络员")),
        *roles[1:],
    ]


class AccountForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[DataRequired(REQUIRED), Length(max=50)])
    phone = StringField(
        _l("手机号"),
        validators=[
            Optional(),
            Regexp(r"^1\d{10}$", message=_l("手机号应为 11 位数字，以 1 开头。")),
        ],
    )
    username = StringField(
        _l("用户名"),
        validators=[Optional(), Length(max=64)],
        description=_l("不填则用手机号登录。"),
    )
    email = StringField(
        _l("电子邮箱"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("邮箱格式不正确。")),
            Length(max=120),
        ],
        description=_l("填写后，提醒也会发到邮箱。"),
    )
    role = SelectField(
        _l("身份"),
        choices=account_roles(),
        description=_l("代表在下面勾选「担任联络员的组」后即为该组联络员。"),
    )
    department_id = SelectField(_l("承办单位"), coerce=int, default=0)
    group_ids = SelectMultipleField(_l("所在视察组"), coerce=int, default=[])
    secretary_group_ids = SelectMultipleField(_l("担任联络员的组"), coerce=int, default=[])
    delegation = StringField(_l("代表团"), validators=[Optional(), Length(max=50)])
    employer = StringField(_l("工作单位"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, current_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_id = current_id

    def _taken(self, column, value) -> bool:
        other = db.session.scalar(
            select(User.id).where(or_(User.username == value, User.phone == value))
        )
        return other is not None and other != self.current_id

    def validate_phone(self, field):
        field.data = "".join((field.data or "").split()) or None
        if field.data and self._taken(User.phone, field.data):
            raise ValidationError(_l("这个手机号已被其他账户使用。"))

    def validate_username(self, field):
        field.data = "".join((field.data or "").split()) or None
        if not field.data and not self.phone.data:
            raise ValidationError(_l("请填写手机号或用户名，作为登录名。"))
        if field.data and self._taken(User.username, field.data):
            raise ValidationError(_l("这个用户名已被使用。"))

    def validate_department_id(self, field):
        if self.role.data == Role.DEPARTMENT and not field.data:
            raise ValidationError(_l("承办单位账户要选择所属单位。"))

    def validate_secretary_group_ids(self, field):
        if field.data and self.role.data != Role.DEPUTY:
            raise ValidationError(_l("只有代表能担任视察组联络员。"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("姓名、手机号或用户名"))
    role = SelectField(_l("身份"), choices=search_roles())
    group_id = SelectField(_l("视察组"), coerce=int, default=0)
    department_id = SelectField(_l("承办单位"), coerce=int, default=0)
