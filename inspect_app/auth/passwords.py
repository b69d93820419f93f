"""The one password rule (web, command line, roster import) and one-time initial passwords."""

import secrets

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
RULE_TEXT = _l("密码至少 8 个字符，且同时包含字母和数字。")


def password_problem(password: str, *, names: tuple[str | None, ...] = ()) -> str | None:
    """Why a password is refused (a Chinese message), or None when it follows the rule."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("密码至少要 8 个字符。"))
    if len(password) > MAX_PASSWORD_LENGTH:
        return str(_l("密码最多 128 个字符。"))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return str(_l("密码要同时包含字母和数字。"))
    if any(name and password.lower() == name.lower() for name in names):
        return str(_l("密码不能与用户名或手机号相同。"))
    return None


def initial_password() -> str:
    """A random password that follows the rule, easy to read out (no 0/O, 1/l/I)."""
    letters = "abcdefghjkmnpqrstuvwxyz"
    digits = "23456789"
    while True:
        text = "".join(secrets.choice(letters + digits) for _ in range(10))
        if any(c in letters for c in text) and any(c in digits for c in text):
            return text
