"""Ledger export at scale: N problems, each with a suggestion, 2 photos and a progress note.

Prints, per size, the median seconds of the ledger export (`services.export_ledger`) with and
without sheet thumbnails beside bare XlsxWriter (constant_memory) writing the same cells with
the same formats (every sheet the ledger writes, the 统计 blocks and the photo links, laid out
before the clock starts), and bare XlsxWriter also inserting the same pictures; the ratios,
peak memory and file sizes; and which goals are met. The modes are interleaved run by run,
each run a fresh process (peak memory from VmHWM: growth during the export, and the process's
peak), and CPU time beside wall time (this machine is shared: wall time is noisy).

Goals (issues 10 and 12): without pictures at most 1.2x bare at every size, memory growth
within 20 MB from 1,000 to 10,000 problems and within 30 MB from 1,000 to 100,000; with
thumbnails at most 2x bare at every size, growth within 60 MB at 10,000, a peak of at most
300 MB at 100,000 and a 10,000-problem file under 100 MB, the thumbnails about 5 KB.
A goal on time is counted as met only when the ratio of CPU times meets it too.

Every photo's sheet thumbnail is a distinct file (two realistic thumbnails, each copy stamped
with a JPEG comment), as real photos are: XlsxWriter stores identical images once, which would
make the file and its writing unrealistically cheap. They exist before the clock starts, as
they do for every export after a photo's first (`photos.sheet_thumbnail` keeps them).

    .venv/bin/python benchmarks/export.py                       # 1,000 and 10,000 (make bench)
    BENCH_SIZES=1000,10000,100000 BENCH_RUNS=1 .venv/bin/python benchmarks/export.py
    BENCH_MODES=bare,ledger ...                                 # a subset of the modes
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
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(","))
ALL_MODES = ("bare", "ledger", "bare-images", "ledger-images")
MODES = tuple(os.environ.get("BENCH_MODES", ",".join(ALL_MODES)).split(","))
TEXT = "企业反映项目施工许可证办理时间较长，消防设计审查意见反复修改，影响主体工程按期开工，希望相关部门加快审批。"
# half the descriptions carry numbers and Latin, as real ones do
MIXED = "3号楼东侧消防通道被占用约120米，G107国道路口缺少交通信号灯，早晚高峰拥堵，存在安全隐患。"


def build_database(folder: Path, problems: int) -> None:
    """A migrated SQLite database with `problems` problems, suggestions and 2 photos each."""
    from flask_migrate import upgrade
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
        ProgressNote,
        Project,
        Suggestion,
        User,
        Visit,
    )  # fmt: skip
    from inspect_app.photos import sheet_thumbnail_path

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
             "category": "approval", "description": (TEXT, MIXED)[i % 2] * (1 + i % 4),
             "author_id": i % 50 + 1, "status": "assigned", "lead_department_id": i % 12 + 1,
             "assigned_at": datetime(2025, 8, 1, 2), "deadline": date(2025, 10, 31), "answer": TEXT}
            for i in range(1, problems + 1)
        ])  # fmt: skip
        session.execute(insert(Suggestion), [
            {"id": i, "client_uuid": f"s{i}", "campaign_id": 1, "group_id": i % 38 + 1,
             "visit_id": i, "problem_id": i, "text": TEXT, "author_id": i % 50 + 1}
            for i in range(1, problems + 1)
        ])  # fmt: skip
        session.execute(insert(ProgressNote), [
            {"id": i, "problem_id": i * 2, "author_id": 1, "department_id": i % 12 + 1,
             "text": TEXT, "created_at": datetime(2025, 8, 20, 3)}
            for i in range(1, problems // 2 + 1)
        ])  # fmt: skip
        sources = sheet_thumbnails(folder)
        photos, folders = [], set()
        root = Path(app.config["PHOTO_ROOT"])
        for i in range(1, problems * 2 + 1):
            key = f"{i * 2654435761 % 2**32:08x}{i:024x}"  # spread over folders as uuids are
            path = sheet_thumbnail_path(root, key)
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            path.write_bytes(stamped(sources[i % 2], i))
            photos.append(
                {"id": i, "client_uuid": f"f{i}", "uploaded_by_id": 1, "visit_id": (i + 1) // 2,
                 "problem_id": (i + 1) // 2, "storage_key": key, "width": 2048, "height": 1536,
                 "byte_size": 1, "sha256": "0" * 64}
            )  # fmt: skip
        session.execute(insert(Photo), photos)
        session.commit()
        db.engine.dispose()


def sheet_thumbnails(folder: Path) -> list[bytes]:
    """Two sheet thumbnails made by `photos.sheet_thumbnail` from photo-like thumbnails (about
    3 KB each; a real photo's is 2 to 3 KB)."""
    import random

    from PIL import Image

    from inspect_app.photos import photo_paths, sheet_thumbnail

    made = []
    for seed, (width, height) in enumerate([(48, 36), (64, 48)]):
        small = Image.frombytes(
            "RGB", (width, height), random.Random(seed).randbytes(width * height * 3)
        )
        key = f"{seed:032x}"
        _image, thumb = photo_paths(folder / "sources", key)
        thumb.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        small.resize((320, 240), Image.Resampling.BILINEAR).save(out, "JPEG", quality=82)
        thumb.write_bytes(out.getvalue())
        made.append(sheet_thumbnail(folder / "sources", key).read_bytes())
    return made


def stamped(jpeg: bytes, number: int) -> bytes:
    """The same picture as distinct bytes: a JPEG comment (COM) segment after the SOI marker."""
    comment = number.to_bytes(16, "big")
    return jpeg[:2] + b"\xff\xfe" + (2 + len(comment)).to_bytes(2, "big") + comment + jpeg[2:]


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
    """One measured run in this (fresh) process: one of ALL_MODES."""
    from flask_babel import force_locale

    from inspect_app import create_app
    from inspect_app.exports import services
    from inspect_app.extensions import db
    from inspect_app.listing.filters import Filters
    from inspect_app.models import Role, User

    app = create_app(_config(Path(folder)))
    with app.app_context(), force_locale("zh_Hans_CN"), tempfile.TemporaryFile() as out:
        ctx = services.ExportContext(
            User(role=Role.STAFF), date(2026, 11, 21), datetime(2026, 11, 21, 9), app.config["PHOTO_ROOT"], "http://x/"
        )  # fmt: skip
        ctx.images = mode.endswith("-images")
        if mode.startswith("bare"):
            sheets = bare_sheets(ctx)  # read and laid out before timing: bare is writing only
            before, start, cpu = _peak_kb(), time.perf_counter(), time.process_time()
            write_bare(out, sheets)
        else:
            before, start, cpu = _peak_kb(), time.perf_counter(), time.process_time()
            services.export_ledger(out, ctx, Filters())
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = out.seek(0, 2)
        db.engine.dispose()
    peak = _peak_kb()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": (peak - before) / 1024,
        "vmhwm_mb": peak / 1024,
        "bytes": size,
    }


def bare_sheets(ctx):
    """The ledger's sheets as (name, columns, rows): the very cells the ledger writes (its
    problem, photo, suggestion, progress and visit sheets, with the photo links and, with
    ctx.images, the pictures), long text already broken into lines, as plain lists; and the
    统计 sheet's blocks."""
    from inspect_app.exports import services
    from inspect_app.exports.figures import ledger_blocks
    from inspect_app.listing.filters import Filters
    from inspect_app.models import Problem
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
    exported = services.problem_query(user, filters).with_only_columns(Problem.id).order_by(None)
    pictures = [[(p.path, p.width) for p in r.pictures] for r in photos]
    return [
        ("问题台账", ledger.PROBLEM_COLUMNS,
         laid_out(ledger.PROBLEM_COLUMNS, [ledger.problem_values(n, r) for n, r in enumerate(problems, 1)]), None),
        ("照片", ledger.PHOTO_COLUMNS,
         laid_out(ledger.PHOTO_COLUMNS, [[*ledger.photo_values(n, r)[:-1], ("查看照片", r.photo_url)] for n, r in enumerate(photos, 1)]),
         pictures if ctx.images else None),
        ("意见建议", ledger.SUGGESTION_COLUMNS,
         laid_out(ledger.SUGGESTION_COLUMNS, [[n, *ledger.suggestion_values(r)] for n, r in enumerate(services.suggestion_rows(user, filters), 1)]), None),
        ("办理进展", ledger.NOTE_COLUMNS,
         laid_out(ledger.NOTE_COLUMNS, [[n, *ledger.note_values(r)] for n, r in enumerate(services.note_rows(user, filters), 1)]), None),
        ("视察记录", ledger.VISIT_COLUMNS,
         laid_out(ledger.VISIT_COLUMNS, [[n, *ledger.visit_values(r)] for n, r in enumerate(services.visit_rows(user, filters), 1)]), None),
        ("统计", None, ledger_blocks(user, filters, exported, ctx.today), None),
    ]  # fmt: skip


def write_bare(stream, sheets) -> None:
    """XlsxWriter's public API, constant_memory, the same formats, nothing else."""
    from inspect_app.spreadsheets.sheets import Book

    book = Book(stream)  # the same workbook options and the same format objects
    formats = book.formats
    for name, columns, rows, pictures in sheets:
        ws = book.workbook.add_worksheet(name)
        if columns is None:  # the 统计 blocks: heading, header, rows of a label and figures
            write_blocks(ws, formats, rows)
            continue
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
            if pictures:
                left = 4
                for path, width in pictures[row_number - 3]:
                    ws.insert_image(row_number, len(columns) - 1, path,
                                    {"x_offset": left, "y_offset": 4, "object_position": 1, "description": "照片"})  # fmt: skip
                    left += width + 4
                    book.pictures += 1  # ZIP64 past 60,000 pictures, as the ledger
    book.close()


def write_blocks(ws, formats, blocks) -> None:
    row = 2
    for block in blocks:
        ws.write_string(row, 0, block.heading, formats["section"])
        for col, text in enumerate(block.headers):
            ws.write_string(row + 1, col, text, formats["header"])
        row += 2
        for values in block.rows:
            ws.write_string(row, 0, values[0], formats["text"])
            for col, value in enumerate(values[1:], start=1):
                if value is None:
                    ws.write_blank(row, col, None, formats["text"])
                else:
                    ws.write_number(
                        row, col, value, formats["percent" if isinstance(value, float) else "int"]
                    )
            row += 1
        row += 1


def run_once(mode: str, folder: Path) -> dict:
    code = CHILD.format(
        root=str(ROOT), bench=str(Path(__file__).parent), mode=mode, folder=str(folder)
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_all(folder: Path) -> dict:
    """RUNS rounds, each running every mode once (interleaved); medians per mode."""
    runs = {mode: [] for mode in MODES}
    for _ in range(RUNS):
        for mode in MODES:
            runs[mode].append(run_once(mode, folder))
    return {
        mode: {
            "seconds": round(statistics.median(r["seconds"] for r in found), 2),
            "cpu": round(statistics.median(r["cpu"] for r in found), 2),
            "runs": [round(r["seconds"], 2) for r in found],
            "peak_mb": round(statistics.median(r["peak_mb"] for r in found), 1),
            "vmhwm_mb": round(statistics.median(r["vmhwm_mb"] for r in found), 1),
            "mb_file": round(found[0]["bytes"] / 1e6, 1),
        }
        for mode, found in runs.items()
    }


def thumbnail_kb(folder: Path) -> float:
    sizes = [p.stat().st_size for p in (folder / "photos").glob("*/*.sheet.jpg")]
    return sum(sizes) / max(len(sizes), 1) / 1024


def main() -> None:
    results, goals = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            build_database(folder, size)
            print(f"{size} problems: database built in {time.perf_counter() - started:.1f} s, "
                  f"sheet thumbnails {thumbnail_kb(folder):.1f} KB on average", flush=True)  # fmt: skip
            results[size] = found = measure_all(folder)
            for mode, figures in found.items():
                print(f"  {mode:<14} median {figures['seconds']:>7.2f} s {ratios(mode, found, 'seconds'):<30}"
                      f"CPU {figures['cpu']:>7.2f} s {ratios(mode, found, 'cpu'):<30}"
                      f"peak +{figures['peak_mb']:>6.1f} MB (VmHWM {figures['vmhwm_mb']:.0f} MB)"
                      f"  file {figures['mb_file']} MB  runs {figures['runs']}", flush=True)  # fmt: skip
            goals += size_goals(size, found)
    goals += growth_goals(results)
    print("goals:")
    for text, met in goals:
        print(f"  [{'met' if met else 'NOT met'}] {text}")
    print(json.dumps({"results": results, "goals": [{"goal": t, "met": m} for t, m in goals]}))


def ratios(mode: str, found: dict, measure: str) -> str:
    if not mode.startswith("ledger") or "bare" not in found:
        return ""
    text = f"{found[mode][measure] / found['bare'][measure]:.2f}x bare"
    if mode == "ledger-images" and "bare-images" in found:
        text += f", {found[mode][measure] / found['bare-images'][measure]:.2f}x bare-images"
    return text


def size_goals(size: int, found: dict) -> list[tuple[str, bool]]:
    goals, bare = [], found.get("bare")
    for mode, limit, what in (
        ("ledger", 1.2, "without pictures"),
        ("ledger-images", 2, "with thumbnails"),
    ):
        if bare and mode in found:
            ratio = found[mode]["seconds"] / bare["seconds"]
            cpu = found[mode]["cpu"] / bare["cpu"]
            text = f"{size}: ledger {what} {ratio:.2f}x bare (CPU time {cpu:.2f}x) <= {limit}x"
            goals.append((text, ratio <= limit and cpu <= limit))  # both: wall time is noisy here
    images = found.get("ledger-images")
    if images and size == 10_000:
        megabytes = images["mb_file"]
        goals.append((f"10000: file with pictures {megabytes} MB < 100 MB", megabytes < 100))
    if images and size == 100_000:
        peak = images["vmhwm_mb"]
        goals.append((f"100000: peak memory with pictures {peak:.0f} MB <= 300 MB", peak <= 300))
    return goals


def growth_goals(results: dict) -> list[tuple[str, bool]]:
    goals, small = [], results.get(1_000)
    for size, mode, limit in (
        (10_000, "ledger", 20), (100_000, "ledger", 30), (10_000, "ledger-images", 60),
    ):  # fmt: skip
        if not small or mode not in small or mode not in results.get(size, {}):
            continue
        growth = results[size][mode]["peak_mb"] - small[mode]["peak_mb"]
        bare = "bare-images" if mode.endswith("images") else "bare"
        floor = ""
        if bare in results[size] and bare in small:
            floor = f" (bare: {results[size][bare]['peak_mb'] - small[bare]['peak_mb']:+.1f} MB)"
        text = f"memory growth 1000 -> {size}, {mode}: {growth:+.1f} MB{floor} <= {limit} MB"
        goals.append((text, growth <= limit))
    return goals


if __name__ == "__main__":
    main()
