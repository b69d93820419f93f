"""The built wheel carries templates, static files, migrations and translations, and serves
with the production command (gunicorn with the settings that ship in the package).

Offline: the wheel is built without build isolation, installed with --no-deps into a fresh
venv that borrows the project venv's packages through a .pth file, and run from a folder
outside the checkout, so only the installed copy of inspect_app can be imported.
"""

import os
import re
import subprocess
import sys
import sysconfig
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (
    "inspect_app/templates/base.html",
    "inspect_app/templates/auth/login.html",
    "inspect_app/static/js/app.js",
    "inspect_app/static/css/app.css",
    "inspect_app/migrations/env.py",
    "inspect_app/migrations/alembic.ini",
    "inspect_app/migrations/script.py.mako",
    "inspect_app/migrations/versions/0001_initial_schema.py",
    "inspect_app/translations/en/LC_MESSAGES/messages.mo",
    "inspect_app/gunicorn_conf.py",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps"]
    subprocess.run([*command, "--quiet", "-w", str(out), str(ROOT)], check=True, timeout=600)
    (built,) = out.glob("inspect_app-*.whl")
    return built


def test_the_wheel_carries_the_app_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert missing == []
    templates = {n for n in names if n.startswith("inspect_app/templates/")}
    assert len(templates) == len(list((ROOT / "templates").rglob("*.html")))
    assert not [n for n in names if "__pycache__" in n or n.endswith(".po")]


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A venv holding only the wheel, with the project venv's dependencies importable."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    return python


def test_the_installed_wheel_migrates_and_serves_from_any_folder(wheel, tmp_path):
    python = _fresh_venv(tmp_path / "venv", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("INSPECT_", "FLASK"))
    }
    access_log = tmp_path / "access.log"
    environment.update(
        INSPECT_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONDONTWRITEBYTECODE="1",
        GUNICORN_ACCESS_LOG=str(access_log),  # read by inspect_app/gunicorn_conf.py
    )
    environment.pop("DATABASE_URL", None)

    def run(*arguments):
        return subprocess.run(
            [python, *arguments],
            cwd=elsewhere,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )

    where = run("-c", "import inspect_app; print(inspect_app.__file__)")
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout + where.stderr
    upgrade = run("-m", "flask", "--app", "inspect_app", "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "instance" / "inspect.sqlite").exists()

    production = ["-m", "gunicorn", "-c", "python:inspect_app.gunicorn_conf"]  # as in README
    server = subprocess.Popen(
        [python, *production, "-w", "1", "--bind", "127.0.0.1:0", "inspect_app:create_app()"],
        cwd=elsewhere,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = None
        for line in server.stderr:
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = match.group(1)
                break
        assert port, "gunicorn did not start"
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as response:
            assert response.read() == b"ok"
        with urllib.request.urlopen(f"{base}/login", timeout=30) as response:
            page = response.read().decode()
            assert "登录" in page and 'name="csrf_token"' in page
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        with urllib.request.urlopen(f"{base}/login?lang=en", timeout=30) as response:
            assert "Log in" in response.read().decode()  # the compiled English catalogue
        css = re.search(r'href="(/static/[^"]+\.css[^"]*)"', page).group(1)
        with urllib.request.urlopen(f"{base}{css}", timeout=30) as response:
            assert response.status == 200 and len(response.read()) > 100
        # the shipped settings are in force: their access log format ends in the time in µs
        assert re.search(r'"GET /healthz HTTP/1\.1" 200 2 \d+us ', access_log.read_text())
    finally:
        server.terminate()
        server.wait(timeout=60)
        server.stderr.close()
