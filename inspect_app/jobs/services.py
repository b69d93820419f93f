"""Export jobs: start one (once per click), run it with its frozen scope, recover, clean up."""

import logging
import os
import secrets
import socket
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspect_app.access import ScopeSnapshot
from inspect_app.auditing import record_event
from inspect_app.database import write_intent, writing
from inspect_app.extensions import db, queue
from inspect_app.jobs.kinds import get_kind
from inspect_app.models import ExportJob, JobState, Role, User, utcnow
from inspect_app.photo_files.cleanup import clean_photo_store

log = logging.getLogger(__name__)
DEDUPE_WINDOW = timedelta(seconds=10)  # an identical request this soon is the same click
TEMP_PREFIX = ".tmp-"
TEMP_GRACE = timedelta(hours=1)
PACKING = "packing"
INTERRUPTED = "导出中断：处理进程意外退出，已自动重试 {n} 次仍未完成，请重新导出。"
FAILED = "导出失败：生成文件时出错，请稍后重试；如仍失败请联系管理员。"
MISSING = "导出失败：要导出的内容已不存在。"


# ---------- starting ----------


def start_export(user: User, kind: str, params: dict, filename: str, token: str | None):
    """The job for this click: an existing one for the same token or identical recent request."""
    existing = _same_request(user, kind, params, token)
    if existing is not None:
        return existing
    job = ExportJob(
        user_id=user.id,
        kind=kind,
        parameters=params,
        scope=ScopeSnapshot.of(user).as_dict(),
        client_token=(token or None) and token[:64],
        filename=filename,
        state=JobState.QUEUED,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # the same token committed a moment ago by a parallel request
        return _same_request(user, kind, params, token)
    record_event(user, "create", job, after={"kind": kind, "parameters": params})
    enqueue_after_commit(job.id)
    return job


def _same_request(user: User, kind: str, params: dict, token: str | None):
    if token:
        found = db.session.scalar(
            select(ExportJob).where(ExportJob.user_id == user.id, ExportJob.client_token == token)
        )
        if found is not None:
            return found
    recent = db.session.scalars(
        select(ExportJob).where(
            ExportJob.user_id == user.id,
            ExportJob.kind == kind,
            ExportJob.state.in_((JobState.QUEUED, JobState.RUNNING)),
            ExportJob.created_at > utcnow() - DEDUPE_WINDOW,
        )
    )
    return next((job for job in recent if job.parameters == params), None)


def enqueue_after_commit(job_id: int) -> None:
    """Queue the job once its row is committed (a worker must be able to read it)."""
    db.session().info.setdefault("export_jobs", []).append(job_id)


@queue.app_task()
def run_export(job_id: int) -> str:
    """The queue task: run the export job (see run_export_job)."""
    return run_export_job(job_id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for job_id in session.info.pop("export_jobs", []):
        run_export(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("export_jobs", None)


# ---------- reading ----------


def visible_job(user: User, job_id: int) -> ExportJob | None:
    """The job if this user asked for it (staff see every job); None otherwise."""
    job = db.session.get(ExportJob, job_id)
    if job is None or (job.user_id != user.id and user.role != Role.STAFF):
        return None
    return job


def user_jobs(user: User, limit: int = 50) -> list[ExportJob]:
    query = (
        select(ExportJob)
        .where(ExportJob.user_id == user.id)
        .order_by(ExportJob.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def downloadable_path(job: ExportJob) -> Path | None:
    """The finished file, only when the job is complete and the file is still there."""
    if job.state != JobState.DONE or not job.file_path:
        return None
    path = Path(job.file_path)
    return path if path.is_file() else None


def status(job: ExportJob, now: datetime | None = None) -> dict:
    return {
        "id": job.id,
        "state": job.state,
        "phase": job.phase,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent(),
        "error": job.error,
        "ready": downloadable_path(job) is not None,
        "notice": job_notice(job, now or utcnow()),
    }


def job_notice(job: ExportJob, now: datetime) -> str | None:
    """What the user should know beyond the state: a job that waits or stalls, a lost file."""
    config = current_app.config
    stale = timedelta(seconds=float(config["JOB_STALE_SECONDS"]))
    if job.state == JobState.QUEUED and job.created_at < now - stale:
        return _(
            "任务仍在排队：后台导出服务可能正忙或没有运行。可以离开此页，稍后在“我的导出”查看；"
            "长时间没有变化请联系管理员。"
        )
    if job.state == JobState.RUNNING and (job.heartbeat_at or job.created_at) < now - stale:
        return _("后台处理进程没有响应，任务会自动重新开始；长时间没有变化请联系管理员。")
    if job.state == JobState.DONE and downloadable_path(job) is None:
        days = config["EXPORT_KEEP_DAYS"]
        return _("文件已超过保留期限（%(days)s 天）被删除，请重新导出。", days=days)
    return None


# ---------- running ----------


def _write_job(engine, job_id: int, **values) -> int:
    """Update the job row in its own short write transaction (never the export's session)."""
    token = write_intent.set(True)
    try:
        with engine.begin() as connection:
            query = update(ExportJob).where(ExportJob.id == job_id)
            if "expect_state" in values:
                query = query.where(ExportJob.state == values.pop("expect_state"))
            return connection.execute(query.values(**values)).rowcount
    finally:
        write_intent.reset(token)


class ProgressReporter:
    """progress(done, total) for the writers: saves rows done in batches, then 打包中."""

    def __init__(self, engine, job_id: int, total: int):
        self.engine, self.job_id, self.total = engine, job_id, total
        self.step = max(1, min(500, total // 50))
        self.saved, self.saved_at = 0, time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        if total is not None and done >= total:
            self._save(rows_done=done, phase=PACKING)
        elif done - self.saved >= self.step or time.monotonic() - self.saved_at > 2:
            self._save(rows_done=min(done, self.total))

    def _save(self, **values) -> None:
        self.saved, self.saved_at = values["rows_done"], time.monotonic()
        _write_job(self.engine, self.job_id, heartbeat_at=utcnow(), **values)


class Heartbeat:
    """A thread that keeps the job's heartbeat fresh while it runs (also while packing)."""

    def __init__(self, engine, job_id: int, interval: float):
        self.engine, self.job_id, self.interval = engine, job_id, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            _write_job(self.engine, self.job_id, heartbeat_at=utcnow())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_export_job(job_id: int) -> str:
    """Run a queued job (claimed atomically: a job queued twice runs once); its final state."""
    config, engine = current_app.config, db.engine
    now = utcnow()
    claimed = _write_job(
        engine, job_id, expect_state=JobState.QUEUED, state=JobState.RUNNING,
        attempts=ExportJob.attempts + 1, worker=worker_name(), heartbeat_at=now,
        started_at=now, rows_done=0, phase=None, error=None,
    )  # fmt: skip
    if not claimed:
        return "skipped"
    job = db.session.get(ExportJob, job_id)
    folder = Path(config["JOB_FILES_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f"{TEMP_PREFIX}{job_id}-{secrets.token_hex(8)}"
    with Heartbeat(engine, job_id, float(config["JOB_HEARTBEAT_SECONDS"])):
        try:
            final = _produce(engine, job, temp, folder)
        except LookupError:
            temp.unlink(missing_ok=True)
            return _fail(engine, job_id, MISSING)
        except Exception:
            log.exception("export job %s failed", job_id)
            temp.unlink(missing_ok=True)
            return _fail(engine, job_id, FAILED)
    db.session.rollback()  # end the export's read transaction
    finished = utcnow()
    keep = timedelta(days=float(config["EXPORT_KEEP_DAYS"]))
    _write_job(
        engine, job_id, state=JobState.DONE, phase=None, file_path=str(final),
        finished_at=finished, expires_at=finished + keep, heartbeat_at=finished,
    )  # fmt: skip
    return JobState.DONE


def _produce(engine, job: ExportJob, temp: Path, folder: Path) -> Path:
    """Write the file under a temporary name, then rename it: a half file is never offered."""
    kind = get_kind(job.kind)
    user = ScopeSnapshot.from_dict(job.scope)
    with force_locale("zh_Hans_CN"):
        total = _total(kind, user, job.parameters)
        _write_job(engine, job.id, rows_total=total)
        reporter = ProgressReporter(engine, job.id, total)
        with temp.open("wb") as out:
            kind.write(out, user, job.parameters, reporter)
            out.flush()
            os.fsync(out.fileno())
    final = folder / f"{job.id}-{secrets.token_hex(8)}{kind.suffix}"
    os.replace(temp, final)
    return final


def _total(kind, user, params) -> int:
    try:
        return kind.total(user, params)
    except (AttributeError, KeyError, TypeError) as error:  # the group/department is gone
        raise LookupError(str(error)) from error


def _fail(engine, job_id: int, message: str) -> str:
    now = utcnow()
    _write_job(engine, job_id, state=JobState.FAILED, phase=None, error=message,
               finished_at=now, heartbeat_at=now)  # fmt: skip
    return JobState.FAILED


# ---------- recovery and housekeeping ----------


def _process_gone(worker: str | None) -> bool:
    """True when `worker` (host:pid) names a process on this host that no longer runs."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted(now: datetime | None = None) -> dict:
    """Take back jobs whose worker died (stale heartbeat, or a dead process on this host).

    Each is queued again while it has attempts left, else marked 失败 with the reason.
    Queued jobs whose queue message may have been lost with a worker are queued again
    (running a job twice is impossible: run_export_job claims it atomically).
    """
    config = current_app.config
    now = now or utcnow()
    stale = now - timedelta(seconds=float(config["JOB_STALE_SECONDS"]))
    limit = int(config["JOB_MAX_ATTEMPTS"])
    report = {"retried": 0, "failed": 0, "requeued": 0}
    running = db.session.scalars(select(ExportJob).where(ExportJob.state == JobState.RUNNING))
    for job in running:
        if not (job.heartbeat_at is None or job.heartbeat_at < stale or _process_gone(job.worker)):
            continue
        if job.attempts < limit:
            job.state, job.rows_done, job.phase, job.worker = JobState.QUEUED, 0, None, None
            job.heartbeat_at = now
            enqueue_after_commit(job.id)
            report["retried"] += 1
        else:
            job.state, job.phase, job.finished_at = JobState.FAILED, None, now
            job.error = INTERRUPTED.format(n=job.attempts - 1)
            report["failed"] += 1
    lost = now - timedelta(seconds=10 * float(config["JOB_STALE_SECONDS"]))
    waiting = select(ExportJob).where(
        ExportJob.state == JobState.QUEUED, ExportJob.created_at < lost
    )
    for job in db.session.scalars(waiting):
        if job.heartbeat_at is None or job.heartbeat_at < lost:
            job.heartbeat_at = now
            enqueue_after_commit(job.id)
            report["requeued"] += 1
    return report


def remove_old_exports(now: datetime, wall_clock: float | None = None) -> dict:
    """Delete files of jobs past their expiry, temp leftovers and files no job points to."""
    folder = Path(current_app.config["JOB_FILES_DIR"])
    expired = select(ExportJob).where(ExportJob.file_path.is_not(None), ExportJob.expires_at < now)
    report = {"expired": 0, "stray": 0}
    for job in db.session.scalars(expired):
        Path(job.file_path).unlink(missing_ok=True)
        job.file_path = None
        report["expired"] += 1
    db.session.flush()
    if folder.is_dir():
        known = set(db.session.scalars(select(ExportJob.file_path).where(
            ExportJob.file_path.is_not(None))))  # fmt: skip
        cutoff = (wall_clock or time.time()) - TEMP_GRACE.total_seconds()
        for path in folder.iterdir():
            if path.is_file() and str(path) not in known and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                report["stray"] += 1
    return report


def run_cleanup(now: datetime | None = None) -> dict:
    """Everything `flask data cleanup` and the periodic task remove, in one transaction."""
    now = now or utcnow()
    with writing():
        photos = clean_photo_store(Path(current_app.config["PHOTO_ROOT"]), now)
        exports = remove_old_exports(now)
        db.session.commit()
    return {**photos.__dict__, **{f"exports_{k}": v for k, v in exports.items()}}
