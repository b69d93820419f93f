"""Staff forms for campaigns, groups, projects and departments."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from inspect_app import labels
from inspect_app.extensions import db
from inspect_app.models import Department, Group, Project, User

REQUIRED = _l("此项必填。")


def blank_to_none(value):
    """An empty text box or the blank option stores NULL, not ''."""
    return value or None


def sort_order_field():
    return IntegerField(
        _l("序号"),
        default=0,
        validators=[InputRequired(_l("请填写序号（数字）。"))],
    )


class CampaignForm(FlaskForm):
    title = StringField(_l("活动名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("类型"), choices=labels.choices("campaign_kind"))
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    status = SelectField(_l("状态"), choices=labels.choices("campaign_status"))
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("结束日期不能早于开始日期。"))


class GroupForm(FlaskForm):
    campaign_id = SelectField(_l("视察活动"), coerce=int)
    name = StringField(_l("组名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    level = SelectField(_l("层级"), choices=labels.choices("group_level"))
    town = StringField(_l("镇街"), validators=[Optional(), Length(max=50)])
    sort_order = sort_order_field()

    def __init__(self, *args, current_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_id = current_id

    def validate_name(self, field):
        query = select(Group).where(
            Group.campaign_id == self.campaign_id.data, Group.name == (field.data or "").strip()
        )
        other = db.session.scalar(query)
        if other is not None and other.id != self.current_id:
            raise ValidationError(_l("这个视察活动里已有同名的视察组。"))


class MemberForm(FlaskForm):
    login = StringField(
        _l("添加成员（手机号或用户名）"), validators=[DataRequired(REQUIRED), Length(max=64)]
    )
    is_secretary = BooleanField(_l("联络员"))

    def validate_login(self, field):
        login = "".join((field.data or "").split())
        user = db.session.scalar(
            select(User).where((User.username == login) | (User.phone == login))
        )
        if user is None:
            raise ValidationError(_l("找不到这个用户。"))
        self.user = user


class ProjectForm(FlaskForm):
    code = StringField(_l("项目编号"), validators=[Optional(), Length(max=40)])
    name = StringField(_l("项目名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    town = StringField(_l("镇街"), validators=[Optional(), Length(max=50)])
    industry = StringField(_l("行业"), validators=[Optional(), Length(max=50)])
    owner = StringField(_l("建设单位"), validators=[Optional(), Length(max=200)])
    investment = DecimalField(
        _l("总投资（亿元）"),
        places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("投资额不能为负数。"))],
    )
    stage = SelectField(
        _l("阶段"), choices=labels.choices("project_stage", blank="—"), coerce=blank_to_none
    )
    address = StringField(_l("地址"), validators=[Optional(), Length(max=300)])
    latitude = FloatField(_l("纬度"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(_l("经度"), validators=[Optional(), NumberRange(-180, 180)])

    def __init__(self, *args, current_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_id = current_id

    def validate_code(self, field):
        field.data = (field.data or "").strip() or None
        if field.data is None:
            return
        other = db.session.scalar(select(Project).where(Project.code == field.data))
        if other is not None and other.id != self.current_id:
            raise ValidationError(_l("项目编号已被其他项目使用。"))


class DepartmentForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(REQUIRED), Length(max=100)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])
    is_town_government = BooleanField(_l("镇街政府"))
    sort_order = sort_order_field()

    def __init__(self, *args, current_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_id = current_id

    def validate_name(self, field):
        name = (field.data or "").strip()
        other = db.session.scalar(select(Department).where(Department.name == name))
        if other is not None and other.id != self.current_id:
            raise ValidationError(_l("已有同名的承办单位。"))
