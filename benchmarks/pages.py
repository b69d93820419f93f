"""Page weight: compressed bytes of each main page (HTML, CSS, JS; photos excluded).

For each page, as a deputy (or staff) on the demo data: the HTML and every stylesheet and
script it links, compressed as the server sends them (gzip and Brotli), and without
compression. Then the capture page again with 40,000 extra projects in the database, the
case that used to make it 2.2 MB. Goal: the capture page's first load at most 100 KB
compressed. Later loads come from the service worker (versioned files, long-cache headers).
"""

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    ("登录 login", None, "/login"),
    ("首页 deputy home", "demo-deputy", "/"),
    ("记录视察 capture page", "demo-deputy", "/visits/new"),
    ("视察记录 visits", "demo-deputy", "/visits/"),
    ("问题 problems", "demo-staff", "/problems/"),
    ("首页 staff dashboard", "demo-staff", "/"),
]
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js)(?:\?[^"]*)?)"')
LIMIT = 100 * 1024


def make_app(folder: Path):
    from flask_migrate import upgrade

    from inspect_app import create_app
    from inspect_app.database import writing
    from inspect_app.demo.seed import seed_demo
    from inspect_app.extensions import db

    app = create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'inspect.sqlite'}",
            "PHOTO_ROOT": str(folder / "photos"),
        }
    )
    with app.app_context(), writing():
        upgrade()
        seed_demo(app.config["PHOTO_ROOT"])
        db.session.commit()
    return app


def client_for(app, username):
    from inspect_app.demo.seed import DEMO_PASSWORD

    client = app.test_client()
    if username:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        form = {"login": username, "password": DEMO_PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 302
    return client


def weigh(client, url) -> dict:
    """Bytes of the page and its CSS/JS: raw, gzip, br."""
    sizes = {"raw": 0, "gzip": 0, "br": 0}
    html = client.get(url).get_data(as_text=True)
    urls = [url, *sorted(set(ASSET.findall(html)))]
    for address in urls:
        sizes["raw"] += len(client.get(address).get_data())
        for encoding in ("gzip", "br"):
            response = client.get(address, headers={"Accept-Encoding": encoding})
            assert response.headers.get("Content-Encoding") == encoding, address
            sizes[encoding] += len(response.get_data())
    sizes["files"] = len(urls)
    return sizes


def add_projects(app, count: int) -> None:
    from sqlalchemy import insert

    from inspect_app.database import writing
    from inspect_app.extensions import db
    from inspect_app.models import Project

    towns = ["东城街道", "南城街道", "虎门镇", "长安镇", "松山湖"]
    rows = [
        {"name": f"省重点项目{i:05d}号智能制造产业园", "town": towns[i % 5], "stage": "在建"}
        for i in range(count)
    ]
    with app.app_context(), writing():
        db.session.execute(insert(Project), rows)
        db.session.commit()


def report(label, sizes) -> None:
    print(
        f"{label:<28} {sizes['files']:>3} files  raw {sizes['raw'] / 1024:7.1f} KB  "
        f"gzip {sizes['gzip'] / 1024:6.1f} KB  br {sizes['br'] / 1024:6.1f} KB"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        print("Page weight, first load (HTML + linked CSS/JS), demo data:")
        capture = None
        for label, user, url in PAGES:
            sizes = weigh(client_for(app, user), url)
            report(label, sizes)
            if url == "/visits/new":
                capture = sizes
        add_projects(app, 40_000)
        print("With 40,000 more projects in the database:")
        big = weigh(client_for(app, "demo-deputy"), "/visits/new")
        report("记录视察 capture page", big)
        worst = max(capture["gzip"], big["gzip"])
        verdict = "ok" if worst <= LIMIT else "OVER"
        print(f"capture page first load: {worst / 1024:.1f} KB gzip (goal ≤ 100 KB): {verdict}")
        print(f"ratio 40k projects / demo: {big['gzip'] / capture['gzip']:.2f}")


if __name__ == "__main__":
    main()
