"""Login, logout, password and language."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from inspect_app.auditing import record_event
from inspect_app.auth.forms import LanguageForm, LoginForm, PasswordForm
from inspect_app.auth.services import authenticate, change_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    is_local = target and target.startswith("/") and not target.startswith("//")
    if is_local and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            record_event(user, "login", user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("手机号/用户名或密码不正确。"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.pop("lang", None)
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm(current_user)
    language = LanguageForm(locale=current_user.locale or "zh_Hans_CN", prefix="lang")
    if form.validate_on_submit():
        change_password(current_user, form.new.data)
        flash(_("密码已修改。"), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, language=language)


@bp.post("/account/language")
@login_required
def set_language():
    form = LanguageForm(prefix="lang")
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
    return redirect(url_for("auth.account"))
