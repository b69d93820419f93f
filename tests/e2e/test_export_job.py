"""Staff on a phone export the ledger: the progress bar moves, then the file downloads."""

import threading

from openpyxl import load_workbook
from test_phone_flow import check_phone_layout, log_in

from inspect_app.extensions import queue
from inspect_app.jobs import services


def test_export_shows_progress_then_downloads(phone, live_server, monkeypatch, tmp_path):
    app, _base_url = live_server
    gate, stop = threading.Event(), threading.Event()
    report = services.ProgressReporter.__call__

    def report_then_wait(self, done, total):  # hold the job half-way until the test has looked
        report(self, done, total)
        if done == 20:
            gate.wait(60)

    monkeypatch.setattr(services.ProgressReporter, "__call__", report_then_wait)

    def worker():  # the queue consumer's loop, in a thread of this test
        while not stop.is_set():
            queue.run_pending()
            stop.wait(0.2)

    consumer = threading.Thread(target=worker, daemon=True)
    consumer.start()
    try:
        log_in(phone, "demo-staff")
        phone.goto("/problems/")
        check_phone_layout(phone)
        with phone.expect_navigation(wait_until="load"):
            phone.click("form.export-form button:has-text('导出（不含照片）')")
        assert "/exports/" in phone.url
        phone.wait_for_function("() => document.getElementById('job-progress').value > 0")
        assert "进行中" in phone.inner_text("#job-state")
        assert phone.is_hidden("#job-download")
        check_phone_layout(phone)
        phone.screenshot(path=tmp_path / "export-progress.png", full_page=True)
        with phone.expect_download(timeout=60_000) as started:
            gate.set()  # the job finishes; the page offers (and starts) the download
        download = started.value
        phone.wait_for_selector("#job-download", state="visible")
        assert "完成" in phone.inner_text("#job-state")
        phone.screenshot(path=tmp_path / "export-done.png", full_page=True)
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert path.name.startswith("问题台账_")
        book = load_workbook(path)
        assert book["问题台账"].max_row > 4
        phone.goto("/exports/")
        assert "完成" in phone.inner_text("main")
        check_phone_layout(phone)
    finally:
        gate.set()
        stop.set()
        consumer.join(10)
