"""Login throttling per account and per address, shared by every app server.

Counters live in the database, or in Redis when REDIS_URL is set: never in one process's
memory. A key that reaches its limit of failures within the window is locked for a while.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_

from inspect_app.extensions import db
from inspect_app.models import LoginThrottle, utcnow


@dataclass(frozen=True)
class Policy:
    limit: int
    window: timedelta
    lockout: timedelta


def account_key(login: str, user_id: int | None) -> str:
    return f"user:{user_id}" if user_id is not None else f"login:{login[:100]}"


def address_key(address: str | None) -> str:
    return f"addr:{(address or 'unknown')[:100]}"


def policies() -> dict[str, Policy]:
    config = current_app.config
    window = timedelta(minutes=int(config["LOGIN_WINDOW_MINUTES"]))
    lockout = timedelta(minutes=int(config["LOGIN_LOCKOUT_MINUTES"]))
    return {
        "account": Policy(int(config["LOGIN_ACCOUNT_FAILURES"]), window, lockout),
        "address": Policy(int(config["LOGIN_ADDRESS_FAILURES"]), window, lockout),
    }


class DatabaseCounter:
    """Counters as rows of login_throttle, written in the request's transaction."""

    def locked_until(self, key: str) -> datetime | None:
        row = db.session.get(LoginThrottle, key)
        if row is None or row.locked_until is None or row.locked_until <= utcnow():
            return None
        return row.locked_until

    def fail(self, key: str, policy: Policy) -> None:
        now = utcnow()
        self._forget_old(now - policy.window - policy.lockout)
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
            db.session.add(row)
        if row.window_started_at + policy.window <= now or (
            row.locked_until is not None and row.locked_until <= now
        ):
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= policy.limit:
            row.locked_until = now + policy.lockout

    def clear(self, key: str) -> None:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))

    def _forget_old(self, before) -> None:
        """Counters of long-past failures (e.g. made-up login names) do not pile up."""
        db.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.window_started_at < before,
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < before),
            )
        )


class RedisCounter:
    """Counters in Redis: a failure count expiring with the window, and a lock key."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def locked_until(self, key: str) -> datetime | None:
        value = self.redis.get(f"inspect:lock:{key}")
        return datetime.fromisoformat(value.decode()) if value else None

    def fail(self, key: str, policy: Policy) -> None:
        count_key = f"inspect:fail:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(count_key)
        pipe.expire(count_key, int(policy.window.total_seconds()), nx=True)
        failures = pipe.execute()[0]
        if failures >= policy.limit:
            until = utcnow() + policy.lockout
            seconds = int(policy.lockout.total_seconds())
            self.redis.set(f"inspect:lock:{key}", until.isoformat(), ex=seconds)
            self.redis.delete(count_key)

    def clear(self, key: str) -> None:
        self.redis.delete(f"inspect:fail:{key}", f"inspect:lock:{key}")


def counter() -> DatabaseCounter | RedisCounter:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseCounter()
    cache = current_app.extensions.setdefault("inspect.redis_counters", {})
    if url not in cache:
        cache[url] = RedisCounter(url)
    return cache[url]


def locked_until(keys: list[str]) -> datetime | None:
    """The latest lockout among the keys, or None when login may be tried."""
    store = counter()
    times = [t for t in (store.locked_until(k) for k in keys) if t is not None]
    return max(times) if times else None


def record_failure(account: str, address: str) -> None:
    store, rules = counter(), policies()
    store.fail(account, rules["account"])
    store.fail(address, rules["address"])


def clear(key: str) -> None:
    counter().clear(key)


def is_locked(user_id: int) -> bool:
    return locked_until([account_key("", user_id)]) is not None
