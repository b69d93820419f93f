"""Login and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from inspect_app.auth.passwords import RULE_TEXT, password_problem


class LoginForm(FlaskForm):
    login = StringField(
        _l("手机号或用户名"), validators=[DataRequired(_l("请输入手机号或用户名。"))]
    )
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])
    remember = BooleanField(_l("在这台手机上保持登录（30 天）"), default=False)


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))])
    new = PasswordField(
        _l("新密码"), validators=[DataRequired(_l("请输入新密码。"))], description=RULE_TEXT
    )
    confirm = PasswordField(
        _l("再输一次新密码"),
        validators=[EqualTo("new", message=_l("两次输入的新密码不一致。"))],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("当前密码不正确。"))

    def validate_new(self, field):
        problem = password_problem(field.data, names=(self.user.username, self.user.phone))
        if problem:
            raise ValidationError(problem)
        if self.user.check_password(field.data or ""):
            raise ValidationError(_l("新密码不能与当前密码相同。"))


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("界面语言"),
        choices=[SelectChoice("zh_Hans_CN", "简体中文"), SelectChoice("en", "English")],
    )


class EmailForm(FlaskForm):
    email = StringField(
        _l("电子邮箱"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("邮箱格式不正确。")),
            Length(max=120),
        ],
        description=_l("填写后，提醒也会发到邮箱。"),
    )
