"""Error pages in plain language; the server keeps serving."""

from flask import Flask, current_app, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from inspect_app.database import is_locked
from inspect_app.extensions import db

MESSAGES = {
    400: (_l("请求有误"), _l("提交的内容无法识别，请返回重试。")),
    404: (_l("找不到页面"), _l("您要找的记录不存在，或您没有查看它的权限。")),
    405: (_l("操作不允许"), _l("此页面不支持这种操作。")),
    413: (
        _l("文件太大"),
        _l("上传的文件总量超过了上限。请少选几张照片，或在手机上压缩后再上传。"),
    ),
    500: (
        _l("服务器出错"),
        _l("服务器处理时出错，已记录。您填写的内容请返回上一页查看，稍后再试。"),
    ),
}


def _render(code: int, title: str, message: str):
    if request.path.startswith("/api/"):  # the JSON API answers errors in JSON too
        body = {"error": str(code), "message": message, "details": []}
        return jsonify(body), code
    return render_template("error.html", code=code, title=title, message=message), code


def _server_error(_error):
    """Roll the failed transaction back, then answer without touching the database.

    The page extends nothing that reads the user or the session's rows, and the language
    comes from the cookie session only (the user's own setting would need a query).
    """
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the page must be served whatever state the session is in
        current_app.logger.exception("rollback after a server error failed")
    lang = "en" if session.get("lang") == "en" else "zh_Hans_CN"
    title, message = MESSAGES[500]
    if request.path.startswith("/api/"):
        with force_locale(lang):
            return jsonify({"error": "500", "message": str(message), "details": []}), 500
    with force_locale(lang):  # rendered bare: no context processor may load the user
        page = current_app.jinja_env.get_template("error_plain.html").render(
            lang="en" if lang == "en" else "zh-CN",
            title=str(title),
            message=str(message),
            brand=_("人大代表视察"),
            home=_("回到首页"),
        )
    return page, 500


def register(app: Flask) -> None:
    app.register_error_handler(500, _server_error)
    for code, (title, message) in MESSAGES.items():
        if code == 500:
            continue

        def handler(_error, code=code, title=title, message=message):
            return _render(code, str(title), str(message))

        app.register_error_handler(code, handler)

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """Still locked after every retry: say so, and keep what was typed (503, not 500)."""
        if not is_locked(error):
            raise error
        db.session.rollback()  # the page below reads the user again
        app.logger.warning("database still locked after retries: %s", error.orig)
        message = _("现在提交的人很多，这次没有保存成功。请返回上一页，稍等片刻再提交一次。")
        return _render(503, _("服务器繁忙"), message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _render(
            400, _("页面已过期"), _("页面已过期或登录已失效，请返回上一页刷新后再提交。")
        )
