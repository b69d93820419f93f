"""The import upload form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("导入内容"),
        choices=[
            SelectChoice("projects", _l("重大项目清单")),
            SelectChoice("deputies", _l("代表名单")),
        ],
    )
    campaign_id = SelectField(_l("视察活动（代表名单用）"), coerce=int, validate_choice=False)
    file = FileField(
        _l("Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要上传的文件。"))]
    )
