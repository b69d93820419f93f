"""Login, logout, password and language."""

from datetime import UTC
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from inspect_app.auditing import record_event
from inspect_app.auth.forms import EmailForm, LanguageForm, LoginForm, PasswordForm
from inspect_app.auth.services import authenticate, change_password
from inspect_app.clock import SHANGHAI
from inspect_app.models import utcnow

bp = Blueprint("auth", __name__)

# What a user who must change his password may still open.
OPEN_WHILE_CHANGING = {
    "auth.account",
    "auth.logout",
    "auth.set_language",
    "auth.set_email",
    "static",
    "main.healthz",
}


@bp.before_app_request
def require_password_change():
    """A user with an initial (one-time) password changes it before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_WHILE_CHANGING
    ):
        flash(_("请先修改初始密码，再继续使用。"), "warning")
        return redirect(url_for("auth.account"))
    return None


def _safe_next(target: str | None) -> str:
    is_local = target and target.startswith("/") and not target.startswith("//")
    if is_local and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("main.home")


def lockout_message(until) -> str:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    local = until.replace(tzinfo=UTC).astimezone(SHANGHAI)
    return _(
        "登录失败次数过多，已暂停登录。请在 %(time)s 以后（约 %(minutes)s 分钟后）再试，"
        "或请工作人员解锁。",
        time=local.strftime("%H:%M"),
        minutes=minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.login.data, form.password.data, request.remote_addr)
        if result.user is not None:
            login_user(result.user, remember=form.remember.data)
            record_event(result.user, "login", result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_until is not None:
            form.password.errors.append(lockout_message(result.locked_until))
            return render_template("auth/login.html", form=form), 429
        form.password.errors.append(_("手机号/用户名或密码不正确。"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Logging out ends every session of the user, on every device, remember-me included."""
    current_user.end_sessions()
    record_event(current_user, "logout", current_user)
    logout_user()
    session.pop("lang", None)
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm(current_user)
    language = LanguageForm(locale=current_user.locale or "zh_Hans_CN", prefix="lang")
    email = EmailForm(email=current_user.email, prefix="mail")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        change_password(user, form.new.data)
        login_user(user)  # this session goes on with the new session version
        flash(_("密码已修改。其他设备上的登录已退出。"), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, language=language, email=email)


@bp.post("/account/email")
@login_required
def set_email():
    """Each person may give an e-mail address for his notices."""
    form = EmailForm(prefix="mail")
    if form.validate_on_submit():
        before = {"email": current_user.email}
        current_user.email = (form.email.data or "").strip() or None
        record_event(current_user, "update", current_user, before, {"email": current_user.email})
        flash(_("已保存。"), "success")
    else:
        for error in form.email.errors:
            flash(error, "error")
    return redirect(url_for("auth.account"))


@bp.post("/account/language")
@login_required
def set_language():
    form = LanguageForm(prefix="lang")
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
    return redirect(url_for("auth.account"))
