"""A live server on a copy of the demo database, and headless Chromium at phone size."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server(app):
    """The session's app (put back to the demo) served on a free port, errors as in production."""
    app.config.update(SECRET_KEY="e2e", TESTING=False)  # both read per request; put back after
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run must install it")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _open_phone(browser, base_url: str, javascript: bool = True):
    context = browser.new_context(
        viewport=PHONE,
        base_url=base_url,
        locale="zh-CN",
        has_touch=True,
        is_mobile=True,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.requests_seen = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    return context, page


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page; every request it makes is recorded."""
    context, page = _open_phone(browser, live_server[1])
    yield page
    context.close()


@pytest.fixture
def phone_without_js(browser, live_server):
    """The same phone with JavaScript switched off: every page must still work."""
    context, page = _open_phone(browser, live_server[1], javascript=False)
    yield page
    context.close()


@pytest.fixture
def queue_worker(live_server):
    """The queue consumer's loop in a thread of this test: export jobs run as under `make run`."""
    import threading

    from inspect_app.extensions import queue

    stop = threading.Event()

    def work():
        while not stop.is_set():
            queue.run_pending()
            stop.wait(0.2)

    consumer = threading.Thread(target=work, daemon=True)
    consumer.start()
    yield
    stop.set()
    consumer.join(10)
