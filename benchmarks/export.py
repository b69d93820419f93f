"""Ledger export at scale: 10,000 problems, each with a suggestion and 2 thumbnails.

Prints median seconds and peak memory growth of the ledger export with and without images,
against the floor: openpyxl's write-only mode writing the same cells from plain Python lists.
Goals: without images at most 1.3x the floor's time, and the same peak memory at 1,000 and
at 10,000 problems (within 20 MB). Each run is a fresh process (peak memory via VmHWM).
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SIZES = (1_000, 10_000)
TEXT = "企业反映项目施工许可证办理时间较长，消防设计审查意见反复修改，影响主体工程按期开工，希望相关部门加快审批。"


def build_database(folder: Path, problems: int) -> None:
    """A migrated SQLite database with `problems` problems, suggestions and 2 photos each."""
    from flask_migrate import upgrade
    from PIL import Image
    from sqlalchemy import insert

    from inspect_app import create_app
    from inspect_app.database import writing
    from inspect_app.extensions import db
    from inspect_app.models import (
        Campaign,
        Department,
        Group,
        Photo,
        Problem,
        Project,
        Suggestion,
        User,
        Visit,
    )  # fmt: skip
    from inspect_app.photos import photo_paths

    app = create_app(_config(folder))
    with app.app_context(), writing():
        upgrade()
        session = db.session
        session.add(Campaign(id=1, title="性能测试视察活动", starts_on=date(2025, 7, 1)))
        session.execute(insert(User), [
            {"id": i, "username": f"u{i}", "name": f"代表{i}", "role": "deputy", "password_hash": "x"}
            for i in range(1, 51)
        ])  # fmt: skip
        session.execute(insert(Department), [{"id": i, "name": f"部门{i}"} for i in range(1, 13)])
        session.execute(insert(Group), [
            {"id": i, "campaign_id": 1, "name": f"第{i}视察组", "sort_order": i} for i in range(1, 39)
        ])  # fmt: skip
        session.execute(insert(Project), [
            {"id": i, "name": f"重大项目{i}号", "town": f"镇街{i % 32}"} for i in range(1, 82)
        ])  # fmt: skip
        day = date(2025, 7, 1)
        session.execute(insert(Visit), [
            {"id": i, "client_uuid": f"v{i}", "campaign_id": 1, "group_id": i % 38 + 1,
             "project_id": i % 81 + 1, "visited_on": day + timedelta(days=i % 31),
             "summary": TEXT * 2, "author_id": i % 50 + 1}
            for i in range(1, problems + 1)
        ])  # fmt: skip
        session.execute(insert(Problem), [
            {"id": i, "client_uuid": f"p{i}", "code": f"2025-{i % 38 + 1:02d}-{i:05d}",
             "campaign_id": 1, "group_id": i % 38 + 1, "visit_id": i, "project_id": i % 81 + 1,
             "category": "approval", "description": TEXT * (1 + i % 4), "author_id": i % 50 + 1,
             "status": "assigned", "lead_department_id": i % 12 + 1,
             "deadline": date(2025, 10, 31), "answer": TEXT}
            for i in range(1, problems + 1)
        ])  # fmt: skip
        session.execute(insert(Suggestion), [
            {"id": i, "client_uuid": f"s{i}", "campaign_id": 1, "group_id": i % 38 + 1,
             "visit_id": i, "problem_id": i, "text": TEXT, "author_id": i % 50 + 1}
            for i in range(1, problems + 1)
        ])  # fmt: skip
        sources = []
        for shade in (90, 160):
            out = io.BytesIO()
            Image.new("RGB", (320, 240), (shade, 120, 80)).save(out, "JPEG", quality=82)
            sources.append(out.getvalue())
        photos = []
        root = Path(app.config["PHOTO_ROOT"])
        for i in range(1, problems * 2 + 1):
            key = f"{i:032x}"
            _image, thumb = photo_paths(root, key)
            thumb.parent.mkdir(parents=True, exist_ok=True)
            thumb.write_bytes(sources[i % 2])
            photos.append(
                {"id": i, "client_uuid": f"f{i}", "uploaded_by_id": 1, "visit_id": (i + 1) // 2,
                 "problem_id": (i + 1) // 2, "storage_key": key, "width": 2048, "height": 1536,
                 "byte_size": 1, "sha256": "0" * 64}
            )  # fmt: skip
        session.execute(insert(Photo), photos)
        session.commit()
        db.engine.dispose()


def _config(folder: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
        "PHOTO_ROOT": str(folder / "photos"),
        "INSTANCE_PATH": str(folder / "instance"),
    }


CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import export as bench
print(json.dumps(bench.child({mode!r}, {folder!r})))
"""


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))


def child(mode: str, folder: str) -> dict:
    """One measured run in this (fresh) process: 'floor', 'ledger' or 'ledger-images'."""
    from flask_babel import force_locale

    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.ledger import services
    from inspect_app.listing import Filters
    from inspect_app.models import Role, User

    app = create_app(_config(Path(folder)))
    with app.app_context(), force_locale("zh_Hans_CN"), tempfile.TemporaryFile() as out:
        if mode == "floor":
            rows = floor_rows()  # read before timing: the floor is writing only
            before, start = _peak_kb(), time.perf_counter()
            write_floor(out, rows)
        else:
            ctx = services.ExportContext(
                User(role=Role.STAFF), date(2026, 11, 21), datetime(2026, 11, 21, 9), app.config["PHOTO_ROOT"], "http://x/"
            )  # fmt: skip
            ctx.images = mode == "ledger-images"
            before, start = _peak_kb(), time.perf_counter()
            services.export_ledger(out, ctx, Filters())
        seconds = time.perf_counter() - start
        size = out.tell()
        db.engine.dispose()
    return {"seconds": seconds, "peak_mb": (_peak_kb() - before) / 1024, "bytes": size}


def floor_rows():
    """The same cell values as the ledger's three sheets, as plain lists."""
    from sqlalchemy import text

    from inspect_app.extensions import db

    problems = db.session.execute(text(
        "select p.id, p.code, g.name, pr.town, pr.name, v.visited_on, p.category, p.description, "
        "s.text, u.name, d.name, '', p.deadline, p.status, p.answer, '', 'photo' "
        "from problem p join inspection_group g on g.id = p.group_id join project pr on pr.id = p.project_id "
        "join visit v on v.id = p.visit_id join suggestion s on s.problem_id = p.id "
        "join user u on u.id = p.author_id left join department d on d.id = p.lead_department_id"
    )).all()  # fmt: skip
    suggestions = [[r[0], r[1], r[2], r[3], r[4], r[5], r[8], r[9], "", "", ""] for r in problems]
    visits = [
        [r[0], r[2], r[3], r[4], r[5], r[9], TEXT * 2, r[9], "已审核", 1, 1] for r in problems
    ]
    return [list(r) for r in problems], suggestions, visits


def write_floor(stream, rows) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, sheet_rows in zip(("问题台账", "意见建议", "视察记录"), rows, strict=True):
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    workbook.save(stream)


def measure(mode: str, folder: Path) -> dict:
    code = CHILD.format(
        root=str(ROOT), bench=str(Path(__file__).parent), mode=mode, folder=str(folder)
    )
    runs = []
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "seconds": round(statistics.median(r["seconds"] for r in runs), 2),
        "peak_mb": round(statistics.median(r["peak_mb"] for r in runs), 1),
        "mb_file": round(runs[0]["bytes"] / 1e6, 1),
    }


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            build_database(folder, size)
            print(f"{size} problems: database built in {time.perf_counter() - started:.1f} s")
            results[size] = {m: measure(m, folder) for m in ("floor", "ledger", "ledger-images")}
            for mode, figures in results[size].items():
                print(
                    f"  {mode:<14} median {figures['seconds']:>6.2f} s   peak memory "
                    f"+{figures['peak_mb']:>6.1f} MB   file {figures['mb_file']} MB"
                )
    big, small = results[SIZES[1]], results[SIZES[0]]
    ratio = big["ledger"]["seconds"] / big["floor"]["seconds"]
    growth = big["ledger"]["peak_mb"] - small["ledger"]["peak_mb"]
    image_growth = big["ledger-images"]["peak_mb"] - small["ledger-images"]["peak_mb"]
    print(f"time without images vs floor at {SIZES[1]}: {ratio:.2f}x (goal <= 1.30x)")
    print(
        f"memory growth {SIZES[0]} -> {SIZES[1]} without images: {growth:+.1f} MB (goal within 20 MB)"
    )
    print(f"memory growth {SIZES[0]} -> {SIZES[1]} with images: {image_growth:+.1f} MB")
    print(json.dumps({"results": results, "ratio": ratio, "growth_mb": growth}))


if __name__ == "__main__":
    main()
