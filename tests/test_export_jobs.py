"""Exports as background jobs: start from the page, progress, download, scope, recovery."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from inspect_app.extensions import db, queue
from inspect_app.jobs import services, tasks
from inspect_app.models import ExportJob, JobState, Problem, utcnow

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("demo-deputy", "demo-secretary", "demo-staff", "demo-department", "demo-viewer")
FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>\s*<input[^>]*value="([^"]+)">'
                  r'\s*<input type="hidden" name="request_token" value="([^"]+)">')  # fmt: skip


def _redis_url() -> str | None:
    url = os.environ.get("INSPECT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not running at {url}: .ci/run must start redis-server")
        return None
    return url


@pytest.fixture(params=["sqlite", "redis"])
def app(request, make_app, tmp_path):
    """The app on the embedded SQLite queue, and again on Redis (the database is the suite's:
    SQLite, or PostgreSQL with INSPECT_TEST_DATABASE_URL)."""
    # a queue of this process's own: Redis db 15 is shared by pytest-xdist workers and runs
    settings = {"QUEUE_NAME": f"inspect-test-{os.getpid()}-{tmp_path.name}"}
    if request.param == "redis":
        settings["REDIS_URL"] = _redis_url()
        if settings["REDIS_URL"] is None:
            pytest.skip("no Redis here (CI runs these against redis-server)")
    app = make_app(**settings)
    keys = ("INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "PHOTO_ROOT", "SECRET_KEY", "REDIS_URL",
            "QUEUE_NAME")  # fmt: skip
    app.config_for_workers = {key: app.config.get(key) for key in keys}
    yield app
    queue.storage.flush_all()


def export_forms(client, url: str) -> list[tuple[str, str, str]]:
    """(action, csrf token, request token) of every export button on a page."""
    page = client.get(url).get_data(as_text=True)
    return [
        (action.replace("&amp;", "&"), csrf, token) for action, csrf, token in FORM.findall(page)
    ]


def start(client, action, csrf, token):
    response = client.post(action, data={"csrf_token": csrf, "request_token": token})
    assert response.status_code == 302
    return int(re.search(r"/exports/(\d+)", response.headers["Location"]).group(1))


def no_file_offered(client, job_id) -> bool:
    """The owner's download link sends him back to the job page (which says why), no file."""
    response = client.get(f"/exports/{job_id}/download")
    return response.status_code == 302 and response.headers["Location"] == f"/exports/{job_id}"


def job_row(app, job_id) -> ExportJob:
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def test_export_from_the_page_moves_progress_and_downloads(app, client, login, monkeypatch):
    login("demo-staff")
    action, csrf, token = export_forms(client, "/problems/")[0]
    assert action.startswith("/ledger/export.xlsx")
    job_id = start(client, action, csrf, token)
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "排队中" in page and "刷新进度" in page and 'hidden href="/exports/' in page
    assert client.get(f"/exports/{job_id}/status").get_json()["state"] == "queued"
    assert no_file_offered(client, job_id)

    seen = []  # the job row as another connection sees it after each progress save
    database = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    read = text("SELECT state, phase, rows_done, rows_total FROM export_job WHERE id = :id")
    save = services.ProgressReporter._save

    def save_and_look(self, **values):
        save(self, **values)
        with database.connect() as connection:
            seen.append(tuple(connection.execute(read, {"id": job_id}).one()))

    monkeypatch.setattr(services.ProgressReporter, "_save", save_and_look)
    assert queue.run_pending() == 1
    database.dispose()
    done = [rows for state, phase, rows, _total in seen if state == "running" and phase is None]
    assert len(done) > 3 and done == sorted(done) and done[0] < done[-1] <= seen[-1][3]
    assert seen[-1][:2] == ("running", "packing")

    status = client.get(f"/exports/{job_id}/status").get_json()
    assert status["state"] == "done" and status["ready"] and status["percent"] == 100
    with app.app_context():
        problems = db.session.query(Problem).count()
    assert status["rows_total"] == problems
    with client.get(f"/exports/{job_id}/download") as response:
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.data))
    rows = [r for r in book["问题台账"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == problems
    listing = client.get("/exports/").get_data(as_text=True)
    assert "完成" in listing and f"/exports/{job_id}/download" in listing


def test_double_tap_starts_one_job(app, client, login):
    login("demo-department")
    action, csrf, token = export_forms(client, "/problems/")[1]
    first = start(client, action, csrf, token)
    assert start(client, action, csrf, token) == first
    again_csrf = export_forms(client, "/problems/")[1]
    assert start(client, action, again_csrf[1], again_csrf[2]) == first  # same request, 10 s
    with app.app_context():
        assert db.session.query(ExportJob).count() == 1
    assert queue.run_pending() == 1
    assert job_row(app, first).state == JobState.DONE


@pytest.mark.parametrize("who", ROLES)
def test_another_users_job_answers_404(app, client, login, who):
    login("demo-viewer")
    job_id = start(client, *export_forms(client, "/problems/")[0])
    queue.run_pending()
    client.post("/logout", data={"csrf_token": export_forms(client, "/problems/")[0][1]})
    login(who)
    for url in (f"/exports/{job_id}", f"/exports/{job_id}/status", f"/exports/{job_id}/download"):
        expected = 200 if who in ("demo-viewer", "demo-staff") else 404
        with client.get(url) as response:
            assert response.status_code == expected, url
    listing = client.get("/exports/").get_data(as_text=True)
    assert (f"/exports/{job_id}" in listing) == (who == "demo-viewer")


def test_a_job_writes_the_scope_of_its_requester_at_the_click(app, client, login, demo):
    login("demo-department")
    forms = export_forms(client, "/ledger/handover/?assigned_from=")  # every 交办 day
    assert len(forms) == 2  # its own 交办单 and 交办函 only
    assert ".xlsx" in forms[0][0] and ".docx" in forms[1][0]
    job_id = start(client, *forms[0])
    queue.run_pending()
    with client.get(f"/exports/{job_id}/download") as response:
        book = load_workbook(io.BytesIO(response.data))
    codes = {r[1] for r in book["交办单"].iter_rows(min_row=4, values_only=True) if r[0]}
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert job.scope["role"] == "department" and job.scope["department_id"] == demo["housing"]
        assigned = set(db.session.scalars(
            select(Problem.code).where(Problem.lead_department_id == demo["housing"])))  # fmt: skip
    assert assigned <= codes
    other = demo["housing"] + 1
    csrf = forms[0][1]
    refused = client.post(f"/ledger/handover/{other}.xlsx", data={"csrf_token": csrf})
    assert refused.status_code == 404


def test_a_failed_export_says_why(app, client, login, monkeypatch):
    login("demo-staff")
    job_id = start(client, *export_forms(client, "/problems/")[0])

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("inspect_app.exports.services.export_ledger", broken)
    queue.run_pending()
    status = client.get(f"/exports/{job_id}/status").get_json()
    assert status["state"] == "failed" and "导出失败" in status["error"] and not status["ready"]
    assert "失败" in client.get("/exports/").get_data(as_text=True)
    assert not [p for p in Path(app.config["JOB_FILES_DIR"]).iterdir()]


def test_periodic_cleanup_removes_expired_files(app, client, login):
    login("demo-staff")
    job_id = start(client, *export_forms(client, "/problems/")[0])
    queue.run_pending()
    path = Path(job_row(app, job_id).file_path)
    assert path.is_file()
    stray = Path(app.config["JOB_FILES_DIR"]) / ".tmp-99-dead"
    stray.write_bytes(b"half")
    os.utime(stray, (time.time() - 7200, time.time() - 7200))
    tasks.cleanup.call_local()
    assert path.is_file() and not stray.exists()  # not expired yet
    with app.app_context():
        db.session.get(ExportJob, job_id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    report = tasks.cleanup.call_local()
    assert report["exports_expired"] == 1 and not path.exists()
    assert no_file_offered(client, job_id)
    assert "已过期删除" in client.get("/exports/").get_data(as_text=True)


def test_a_job_whose_worker_vanished_is_retried_then_failed(app):
    with app.app_context():
        job = ExportJob(user_id=1, kind="ledger", parameters={"args": {}}, scope={"id": 1,
                        "role": "staff"}, state=JobState.RUNNING, attempts=1, rows_done=40,
                        rows_total=56, heartbeat_at=utcnow() - timedelta(minutes=5))  # fmt: skip
        db.session.add(job)
        db.session.commit()
        assert tasks.sweep_interrupted_jobs.call_local()["retried"] == 1
        db.session.refresh(job)
        assert job.state == JobState.QUEUED and job.rows_done == 0
        job.state, job.attempts, job.heartbeat_at = JobState.RUNNING, 2, utcnow() - timedelta(1)
        db.session.commit()
        assert tasks.sweep_interrupted_jobs.call_local()["failed"] == 1
        db.session.refresh(job)
        assert job.state == JobState.FAILED and "导出中断" in job.error


def _worker(app, tmp_path, factory: str) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": factory, "PYTHONPATH": str(ROOT / "tests")}
    for key in ("INSTANCE_PATH", "SQLALCHEMY_DATABASE_URI", "PHOTO_ROOT", "SECRET_KEY",
                "REDIS_URL", "QUEUE_NAME"):  # fmt: skip
        if app.config_for_workers.get(key):
            env[f"INSPECT_{key}"] = str(app.config_for_workers[key])
    command = [str(Path(sys.executable).parent / "flask"), "jobs", "worker", "--no-periodic"]
    with (tmp_path / f"worker-{factory.replace(':', '-')}.log").open("w") as log:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def _wait_for(check, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        assert process.poll() is None, "the worker stopped"
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the worker")


def test_worker_killed_mid_job_is_retried_and_no_partial_file_offered(app, client, login, tmp_path):
    login("demo-staff")
    job_id = start(client, *export_forms(client, "/problems/")[0])
    worker = _worker(app, tmp_path, "job_worker:paused_app")
    try:
        _wait_for(lambda: job_row(app, job_id).rows_done >= 5, worker)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    status = client.get(f"/exports/{job_id}/status").get_json()
    assert status["state"] == "running" and not status["ready"]
    assert no_file_offered(client, job_id)
    folder = Path(app.config["JOB_FILES_DIR"])
    assert [p.name.startswith(".tmp-") for p in folder.iterdir()] == [True]  # only the half file

    worker = _worker(app, tmp_path, "inspect_app")  # the real worker, started again
    try:
        _wait_for(lambda: job_row(app, job_id).state == JobState.DONE, worker)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    job = job_row(app, job_id)
    assert job.attempts == 2 and job.error is None
    with client.get(f"/exports/{job_id}/download") as response:
        book = load_workbook(io.BytesIO(response.data))
    assert book["问题台账"].max_row > 4


def test_a_large_export_by_link_offers_the_button_small_comes_straight_back(app, client, login):
    login("demo-staff")
    with client.get("/ledger/export.xlsx?images=0") as response:
        assert response.status_code == 200 and response.mimetype.endswith("sheet")
    app.config["INLINE_EXPORT_MAX_ROWS"] = 10
    page = client.get("/ledger/export.xlsx?images=0").get_data(as_text=True)
    assert "开始导出" in page and "后台生成" in page
    action, csrf, token = export_forms(client, "/ledger/export.xlsx?images=0")[0]
    job_id = start(client, action, csrf, token)
    assert job_row(app, job_id).parameters["args"]["images"] == "0"


def test_word_documents_run_as_jobs_too(app, client, login, demo):
    """交办函, the 周报 in Word and the 视察报告: started by their buttons or links, written by
    the worker, read back with python-docx."""
    from docx import Document

    login("demo-staff")
    letter = next(f for f in export_forms(client, "/ledger/handover/") if ".docx" in f[0])
    csrf = letter[1]
    urls = [
        letter[0],
        f"/ledger/weekly.docx?group_id={demo['group']}&date_from=2025-07-01&date_to=2025-07-31",
        "/ledger/report.docx",
    ]
    jobs = [start(client, url, csrf, f"token-{n}") for n, url in enumerate(urls)]
    assert queue.run_pending() == 3
    expected = ("交办", "周报", "视察")
    for job_id, words in zip(jobs, expected, strict=True):
        status = client.get(f"/exports/{job_id}/status").get_json()
        assert status["state"] == "done" and status["ready"], status
        with client.get(f"/exports/{job_id}/download") as response:
            assert response.mimetype.endswith("wordprocessingml.document")
            text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
        assert words in text
    listing = client.get("/exports/").get_data(as_text=True)
    assert "交办函" in listing and "周报（Word）" in listing and "视察报告" in listing


def test_the_weekly_form_starts_a_job_whose_bar_moves_as_problems_are_read(
    app, client, login, demo, monkeypatch
):
    login("demo-staff")
    page = client.get(f"/ledger/weekly?group_id={demo['group']}").get_data(as_text=True)
    token = re.search(r'name="request_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "request_token": token, "group_id": demo["group"], "date_from": "2025-07-01",
            "date_to": "2025-07-31", "plan": "下周继续视察", "word": "1"}  # fmt: skip
    first = client.post("/ledger/weekly", data=form)
    again = client.post("/ledger/weekly", data=form)  # a double tap
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    job_id = int(re.search(r"/exports/(\d+)", first.headers["Location"]).group(1))
    saved = []
    save = services.ProgressReporter._save
    monkeypatch.setattr(
        services.ProgressReporter,
        "_save",
        lambda self, **values: (saved.append(values["rows_done"]), save(self, **values)),
    )
    assert queue.run_pending() == 1
    assert len(set(saved)) > 2 and saved == sorted(saved)  # the bar moves while rows are read
    job = job_row(app, job_id)
    assert job.state == JobState.DONE and job.filename.endswith(".docx")
    assert "2025年7月1日至2025年7月31日" in client.get("/exports/").get_data(as_text=True)


def test_a_waiting_job_a_lost_file_and_a_failed_job_say_what_to_do(app, client, login):
    login("demo-staff")
    job_id = start(client, *export_forms(client, "/problems/")[0])
    with app.app_context():
        db.session.get(ExportJob, job_id).created_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    status = client.get(f"/exports/{job_id}/status").get_json()
    assert status["state"] == "queued" and "后台导出服务" in status["notice"]
    response = client.get(f"/exports/{job_id}/download", follow_redirects=True)
    assert "后台导出服务" in response.get_data(as_text=True)  # the owner is told, not 404
    queue.run_pending()
    path = Path(job_row(app, job_id).file_path)
    path.unlink()  # as the periodic cleanup does after EXPORT_KEEP_DAYS
    page = client.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "已超过保留期限" in page and "重新导出" in page
    action, csrf, token = export_forms(client, f"/exports/{job_id}")[0]
    assert action.startswith("/ledger/export.xlsx")
    assert start(client, action, csrf, token) != job_id  # 重新导出 starts a new job
