"""Installable and light: manifest, root service worker, versioned static files, compression."""

import gzip
import re

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js)\?v=[0-9a-f]+)"')


def test_the_capture_page_first_load_is_at_most_100_kb_compressed(login):
    client = login("demo-deputy")
    page = client.get("/visits/new", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.get_data()).decode()
    assets = ASSET.findall(html)
    assert any("offline.js" in a for a in assets) and any("app.css" in a for a in assets)
    total = len(page.get_data())
    for url in assets:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        total += len(response.get_data())
    assert total <= 100 * 1024


def test_the_capture_page_lists_only_the_groups_projects_until_a_search(login):
    client = login("demo-deputy")
    html = client.get("/visits/new").get_data(as_text=True)
    options = re.findall(
        r'<option value="\d+"', html.split('id="project_id"')[1].split("</select>")[0]
    )
    assert 0 < len(options) < 81
    assert "其他项目" not in html.split('id="project_id"')[1].split("</select>")[0]


def test_service_worker_is_served_from_the_root_and_never_long_cached(client, login):
    login("demo-deputy")
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    config = client.get("/sw-config.json").get_json()
    assert "/visits/new" in config["pages"] and "/api/v1/reference" in config["data"]
    assert all("?v=" in url for url in config["assets"] if url.startswith("/static/"))


def test_manifest_names_the_app_and_its_icons(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["name"] == "人大代表视察" and body["display"] == "standalone"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pages_link_the_manifest_and_load_no_inline_script(login):
    html = login("demo-deputy").get("/visits/new").get_data(as_text=True)
    assert 'rel="manifest"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
