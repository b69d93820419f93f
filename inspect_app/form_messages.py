"""WTForms' own messages, routed through this app's catalogue so every form speaks Chinese.

WTForms writes its built-in messages in English ("Not a valid choice."); a plain
`wtforms.Form` (the visit form's problem blocks) never translated them at all. Each one is
mapped here to a Chinese source string in messages.po, with its English beside it.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.meta import DefaultMeta

SINGULAR = {
    "This field is required.": _l("此项必填。"),
    "Invalid input.": _l("输入无效。"),
    "Field must be equal to %(other_name)s.": _l("必须与 %(other_name)s 一致。"),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "长度须在 %(min)d 到 %(max)d 个字之间。"
    ),
    "Number must be at least %(min)s.": _l("数值不能小于 %(min)s。"),
    "Number must be at most %(max)s.": _l("数值不能大于 %(max)s。"),
    "Number must be between %(min)s and %(max)s.": _l("数值须在 %(min)s 到 %(max)s 之间。"),
    "Date must be at least %(min)s.": _l("日期不能早于 %(min)s。"),
    "Date must be at most %(max)s.": _l("日期不能晚于 %(max)s。"),
    "Date must be between %(min)s and %(max)s.": _l("日期须在 %(min)s 到 %(max)s 之间。"),
    "Invalid email address.": _l("电子邮箱地址无效。"),
    "Invalid URL.": _l("网址无效。"),
    "Invalid value, must be one of: %(values)s.": _l("只能是以下之一：%(values)s。"),
    "Invalid value, can't be any of: %(values)s.": _l("不能是以下任何一个：%(values)s。"),
    "This field cannot be edited.": _l("此项不能修改。"),
    "This field is disabled and cannot have a value.": _l("此项已停用，不能填写。"),
    "Invalid CSRF Token.": _l("页面已过期，请刷新后再提交。"),
    "CSRF token missing.": _l("页面已过期，请刷新后再提交。"),
    "CSRF token expired.": _l("页面已过期，请刷新后再提交。"),
    "CSRF failed.": _l("页面已过期，请刷新后再提交。"),
    "Invalid Choice: could not coerce.": _l("请从列表中选择。"),
    "Choices cannot be None.": _l("请从列表中选择。"),
    "Not a valid choice.": _l("请从列表中选择。"),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("请从列表中选择。"),
    "Not a valid datetime value.": _l("请填写有效的日期和时间。"),
    "Not a valid date value.": _l("请填写有效的日期。"),
    "Not a valid time value.": _l("请填写有效的时间。"),
    "Not a valid week value.": _l("请填写有效的周。"),
    "Not a valid integer value.": _l("请填写整数。"),
    "Not a valid decimal value.": _l("请填写数字。"),
    "Not a valid float value.": _l("请填写数字。"),
}
PLURAL = {
    "Field must be at least %(min)d character long.": _l("至少要 %(min)d 个字。"),
    "Field cannot be longer than %(max)d character.": _l("最多 %(max)d 个字。"),
    "Field must be exactly %(max)d character long.": _l("必须是 %(max)d 个字。"),
    "'%(value)s' is not a valid choice for this field.": _l("“%(value)s”不在可选范围内。"),
}


class CatalogueTranslations:
    """The gettext interface WTForms asks for, answered from the app's catalogue."""

    def gettext(self, string: str) -> str:
        found = SINGULAR.get(string)
        return str(found) if found is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = PLURAL.get(singular)
        if found is not None:
            return str(found)
        return singular if n == 1 else plural


TRANSLATIONS = CatalogueTranslations()


def catalogue_translations(_meta, _form) -> CatalogueTranslations:
    return TRANSLATIONS


class CatalogueMeta(DefaultMeta):
    """Meta for plain `wtforms.Form` sub-forms: messages from the catalogue."""

    get_translations = catalogue_translations


def install() -> None:
    """Every FlaskForm takes WTForms' messages from the catalogue (Flask-WTF's own are partial)."""
    FlaskForm.Meta.get_translations = catalogue_translations
