"""Ledger export at scale: 10,000 problems, each with a suggestion and 2 photos.

Prints median seconds and peak memory growth of the ledger export with and without sheet
thumbnails, beside bare XlsxWriter (constant_memory) writing the same cells with the same
formats from plain Python lists read before the clock starts. The modes are interleaved run
by run. Goals: without images at most 1.2x bare and flat memory from 1,000 to 10,000
problems (growth within 20 MB); with thumbnails at most 2x bare, growth within 60 MB and a
file under 100 MB at 10,000. Each run is a fresh process (peak memory via VmHWM).
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
    """One measured run in this (fresh) process: 'bare', 'ledger' or 'ledger-images'."""
    from flask_babel import force_locale

    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.ledger import services
    from inspect_app.listing import Filters
    from inspect_app.models import Role, User

    app = create_app(_config(Path(folder)))
    with app.app_context(), force_locale("zh_Hans_CN"), tempfile.TemporaryFile() as out:
        ctx = services.ExportContext(
            User(role=Role.STAFF), date(2026, 11, 21), datetime(2026, 11, 21, 9), app.config["PHOTO_ROOT"], "http://x/"
        )  # fmt: skip
        ctx.images = mode == "ledger-images"
        if mode == "bare":
            sheets = bare_sheets(ctx)  # read and laid out before timing: bare is writing only
            before, start = _peak_kb(), time.perf_counter()
            write_bare(out, sheets)
        else:
            before, start = _peak_kb(), time.perf_counter()
            services.export_ledger(out, ctx, Filters())
        seconds = time.perf_counter() - start
        size = out.seek(0, 2)
        db.engine.dispose()
    return {"seconds": seconds, "peak_mb": (_peak_kb() - before) / 1024, "bytes": size}


def bare_sheets(ctx):
    """The ledger's sheets as (name, columns, rows): the very cells the ledger writes (its
    problem, photo, suggestion and visit sheets, with the photo links), long text already
    broken into lines, as plain lists."""
    from inspect_app.ledger import services
    from inspect_app.listing import Filters
    from inspect_app.spreadsheets import ledger
    from inspect_app.spreadsheets.sheets import WRAPPED, line_capacity, wrap_lines

    def laid_out(columns, rows):
        capacity = [line_capacity(c.width) for c in columns]
        return [
            ["\n".join(wrap_lines(v, k)) if isinstance(v, str) and c.kind in WRAPPED else v
             for v, c, k in zip(row, columns, capacity, strict=False)]
            for row in rows
        ]  # fmt: skip

    user, filters = ctx.user, Filters()
    problems = list(services.problem_rows(services.problem_query(user, filters), ctx))
    photos = [r for r in problems if r.photo_count]
    return [
        ("问题台账", ledger.PROBLEM_COLUMNS,
         laid_out(ledger.PROBLEM_COLUMNS, [ledger.problem_values(n, r) for n, r in enumerate(problems, 1)])),
        ("照片", ledger.PHOTO_COLUMNS,
         laid_out(ledger.PHOTO_COLUMNS, [[*ledger.photo_values(n, r)[:-1], ("查看照片", r.photo_url)] for n, r in enumerate(photos, 1)])),
        ("意见建议", ledger.SUGGESTION_COLUMNS,
         laid_out(ledger.SUGGESTION_COLUMNS, [[n, *ledger.suggestion_values(r)] for n, r in enumerate(services.suggestion_rows(user, filters), 1)])),
        ("视察记录", ledger.VISIT_COLUMNS,
         laid_out(ledger.VISIT_COLUMNS, [[n, *ledger.visit_values(r)] for n, r in enumerate(services.visit_rows(user, filters), 1)])),
    ]  # fmt: skip


def write_bare(stream, sheets) -> None:
    """XlsxWriter's public API, constant_memory, the same formats, nothing else."""
    import xlsxwriter

    from inspect_app.spreadsheets.sheets import Book

    book = Book(stream)  # the same workbook options and the same format objects
    formats = book.formats
    for name, columns, rows in sheets:
        ws = book.workbook.add_worksheet(name)
        kinds = [c.kind for c in columns]
        for index, column in enumerate(columns):
            ws.set_column(index, index, column.width)
        for row_number, row in enumerate(rows, start=3):
            ws.set_row(row_number, 45)
            for col, (value, kind) in enumerate(zip(row, kinds, strict=False)):
                if isinstance(value, tuple):  # the photo link
                    ws.write_url(row_number, col, value[1], formats["link"], string=value[0])
                elif value is None or value == "":
                    ws.write_blank(row_number, col, None, formats["text"])
                elif kind == "date":
                    ws.write_datetime(row_number, col, value, formats["date"])
                elif isinstance(value, int | float):
                    ws.write_number(row_number, col, value, formats.get(kind, formats["int"]))
                else:
                    ws.write_string(
                        row_number, col, value, formats["center" if kind == "center" else "text"]
                    )
    book.close()
    assert xlsxwriter


def run_once(mode: str, folder: Path) -> dict:
    code = CHILD.format(
        root=str(ROOT), bench=str(Path(__file__).parent), mode=mode, folder=str(folder)
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


MODES = ("bare", "ledger", "ledger-images")


def measure_all(folder: Path) -> dict:
    """RUNS rounds, each running every mode once (interleaved); medians per mode."""
    runs = {mode: [] for mode in MODES}
    for _ in range(RUNS):
        for mode in MODES:
            runs[mode].append(run_once(mode, folder))
    return {
        mode: {
            "seconds": round(statistics.median(r["seconds"] for r in found), 2),
            "peak_mb": round(statistics.median(r["peak_mb"] for r in found), 1),
            "mb_file": round(found[0]["bytes"] / 1e6, 1),
        }
        for mode, found in runs.items()
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
            results[size] = measure_all(folder)
            for mode, figures in results[size].items():
                print(
                    f"  {mode:<14} median {figures['seconds']:>6.2f} s   peak memory "
                    f"+{figures['peak_mb']:>6.1f} MB   file {figures['mb_file']} MB"
                )
    big, small = results[SIZES[1]], results[SIZES[0]]
    ratio = big["ledger"]["seconds"] / big["bare"]["seconds"]
    image_ratio = big["ledger-images"]["seconds"] / big["bare"]["seconds"]
    growth = big["ledger"]["peak_mb"] - small["ledger"]["peak_mb"]
    image_growth = big["ledger-images"]["peak_mb"] - small["ledger-images"]["peak_mb"]
    print(f"ledger vs bare XlsxWriter at {SIZES[1]}: {ratio:.2f}x (goal <= 1.2x)")
    print(f"ledger with thumbnails vs bare at {SIZES[1]}: {image_ratio:.2f}x (goal <= 2x)")
    print(
        f"memory growth {SIZES[0]} -> {SIZES[1]} without images: {growth:+.1f} MB (goal <= 20 MB)"
    )
    print(
        f"memory growth {SIZES[0]} -> {SIZES[1]} with thumbnails: {image_growth:+.1f} MB (goal <= 60 MB)"
    )
    print(json.dumps({"results": results, "ratio": ratio, "image_ratio": image_ratio,
                      "growth_mb": growth, "image_growth_mb": image_growth}))  # fmt: skip


if __name__ == "__main__":
    main()
