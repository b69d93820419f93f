"""The ledger through the job path at 1,000, 10,000 and 100,000 problems, beside bare XlsxWriter.

Each measurement is a fresh process, modes interleaved run by run:
  job            a queued ExportJob run by the worker code (Huey task, progress rows, heartbeat,
                 temp file renamed), without pictures
  bare           XlsxWriter (constant_memory) writing the same cells with the same formats
  writer         the same workbook written by calling the export directly (no job): the
                 difference to `job` is what the queue, progress rows and heartbeat cost
  job-pictures   the job with two thumbnails per problem (writer-pictures likewise)
  bare-pictures  XlsxWriter with the same pictures inserted
Peak memory is the worker process's peak RSS (VmHWM; the whole process, imports included).
Goals (issue 12): job <= 1.2x bare without pictures, <= 2x with; peak <= 300 MB at 100,000
with pictures. `--max 10000` leaves the 100,000 size out (it takes minutes).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import export as ledger_bench  # noqa: E402 - the database builder of benchmarks/export.py

SIZES = (1_000, 10_000, 100_000)
MODES = ("job", "writer", "bare", "job-pictures", "writer-pictures", "bare-pictures")
CHILD = r"""
import json, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import export_jobs as bench
print(json.dumps(bench.child({mode!r}, {folder!r})))
"""


def _config(folder: Path) -> dict:
    return {**ledger_bench._config(folder), "SECRET_KEY": "bench", "JOB_HEARTBEAT_SECONDS": 5}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited on exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def child(mode: str, folder: str) -> dict:
    from inspect_app import create_app

    app = create_app(_config(Path(folder)))
    with app.app_context():
        if mode.startswith("job"):
            seconds, size = run_job(app, pictures=mode == "job-pictures")
        elif mode.startswith("writer"):
            seconds, size = run_writer(app, pictures=mode == "writer-pictures")
        else:
            seconds, size = run_bare(app, pictures=mode == "bare-pictures")
    return {"seconds": seconds, "peak_mb": _peak_mb(), "bytes": size}


def run_job(app, pictures: bool) -> tuple[float, int]:
    """Queue an export job as the button does, then run it as the worker does."""
    from inspect_app.database import writing
    from inspect_app.extensions import db, queue
    from inspect_app.jobs import services as jobs
    from inspect_app.models import ExportJob

    with writing():
        job = ExportJob(
            user_id=1, kind="ledger", filename="问题台账.xlsx",
            parameters={"args": {} if pictures else {"images": "0"}},
            scope={"id": 1, "role": "staff", "department_id": None, "group_ids": [],
                   "secretary_group_ids": []},
        )  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    db.session.remove()
    start = time.perf_counter()
    jobs.run_export(job_id)
    assert queue.run_pending() == 1
    seconds = time.perf_counter() - start
    finished = db.session.get(ExportJob, job_id)
    assert finished.state == "done", finished.error
    return seconds, Path(finished.file_path).stat().st_size


def run_writer(app, pictures: bool) -> tuple[float, int]:
    """The same export called directly, as a request did before jobs."""
    from datetime import datetime

    from flask_babel import force_locale

    from inspect_app.access import ScopeSnapshot
    from inspect_app.exports import services
    from inspect_app.listing.filters import Filters

    now = datetime(2026, 11, 21, 9)
    staff = ScopeSnapshot(1, "staff", None, (), ())
    ctx = services.ExportContext(staff, now.date(), now, app.config["PHOTO_ROOT"], "http://x/")
    ctx.images = pictures
    with tempfile.TemporaryFile() as out, force_locale("zh_Hans_CN"):
        start = time.perf_counter()
        services.export_ledger(out, ctx, Filters())
        return time.perf_counter() - start, out.tell()


def run_bare(app, pictures: bool) -> tuple[float, int]:
    """benchmarks/export.py's bare XlsxWriter peer: the ledger's very cells (and thumbnails)
    read and laid out before the clock starts, written with the same formats."""
    from datetime import datetime

    from flask_babel import force_locale

    from inspect_app.access import ScopeSnapshot
    from inspect_app.exports import services

    now = datetime(2026, 11, 21, 9)
    staff = ScopeSnapshot(1, "staff", None, (), ())
    ctx = services.ExportContext(staff, now.date(), now, app.config["PHOTO_ROOT"], "http://x/")
    ctx.images = pictures
    with tempfile.TemporaryFile() as out, force_locale("zh_Hans_CN"):
        sheets = ledger_bench.bare_sheets(ctx)
        start = time.perf_counter()
        ledger_bench.write_bare(out, sheets)
        return time.perf_counter() - start, out.tell()


def measure(mode: str, folder: Path) -> dict:
    code = CHILD.format(
        root=str(ROOT), bench=str(Path(__file__).parent), mode=mode, folder=str(folder)
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest size to run")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="sizes to run")
    options = parser.parse_args()
    summary = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in [s for s in options.sizes if s <= options.max]:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            ledger_bench.build_database(folder, size)
            print(
                f"{size:,} problems: database built in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            runs = 1 if size >= 100_000 else options.runs
            results = {mode: [] for mode in MODES}
            for _ in range(runs):  # interleaved: job, bare, job-pictures, bare-pictures, again
                for mode in MODES:
                    results[mode].append(measure(mode, folder))
            figures = {
                mode: {
                    "seconds": statistics.median(r["seconds"] for r in rs),
                    "peak_mb": max(r["peak_mb"] for r in rs),
                    "mb_file": rs[0]["bytes"] / 1e6,
                }
                for mode, rs in results.items()
            }
            summary[size] = figures
            for mode, f in figures.items():
                print(
                    f"  {mode:<14} median {f['seconds']:>7.2f} s   peak RSS {f['peak_mb']:>6.0f} MB   file {f['mb_file']:.1f} MB"
                )
            plain = figures["job"]["seconds"] / figures["bare"]["seconds"]
            with_pictures = figures["job-pictures"]["seconds"] / figures["bare-pictures"]["seconds"]
            print(
                f"  ratio job/bare: {plain:.2f}x without pictures (goal <= 1.2x), {with_pictures:.2f}x with (goal <= 2x)",
                flush=True,
            )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
