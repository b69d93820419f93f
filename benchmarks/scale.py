"""Pages at a province's scale: 1,000, 10,000 and 100,000 problems, 17,000 deputies.

Builds one SQLite database per size, of the demo's shape (38 groups, 81 projects, the
departments, two visits and two suggestions per problem, urges on some), with bulk inserts.
Then, signed in as staff, requests each page of each size and /healthz in turn
(interleaved across pages and sizes, one process, one run) and prints per page: the median
time, the time beside /healthz, the bytes (raw and gzip), and the SQL statements. Goal: at 100,000 problems each
page within 3x the same page at 1,000, and a query count that does not grow with the data.
"(cold)" rows count the dashboard's figures afresh; the others read them as kept for a minute.

    .venv/bin/python benchmarks/scale.py            # BENCH_SIZES=1000,10000 BENCH_RUNS=7
"""

import gzip
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = tuple(int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
DEPUTIES = 17_000
GROUPS, PROJECTS = 38, 81
STATUSES = ("submitted", "reviewed", "assigned", "in_progress", "answered", "closed", "reopened")
CATEGORIES = ("approval", "land", "funding", "talent", "infrastructure", "supporting", "policy")
TEXT = "企业反映项目施工许可证办理时间较长，消防设计审查意见反复修改，影响主体工程按期开工。"
PASSWORD = "bench-password"


def _config(folder: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'scale.sqlite'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "PHOTO_ROOT": str(folder / "photos"),
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
    }


def _rows(table: str, columns: tuple, rows, cursor) -> None:
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)


def build(folder: Path, problems: int) -> None:
    """A migrated database with `problems` problems of the demo's shape (raw bulk inserts)."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from inspect_app import create_app
    from inspect_app.demo.data import DEPARTMENTS
    from inspect_app.extensions import db

    app = create_app(_config(folder))
    with app.app_context():
        upgrade()
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        cur.execute("PRAGMA foreign_keys = OFF")
        cur.execute("PRAGMA synchronous = OFF")
        now = datetime(2025, 8, 1).isoformat(" ")
        day0 = date(2025, 7, 1)
        _rows("campaign", ("id", "title", "kind", "status", "starts_on", "ends_on", "created_at"),
              [(1, "2025年重大项目集中视察", "inspection", "active", "2025-07-01", "2025-07-31", now)],
              cur)  # fmt: skip
        departments = list(DEPARTMENTS) + [f"{n}镇人民政府" for n in range(32)]
        _rows("department", ("id", "name", "is_town_government", "sort_order"),
              [(i, name, i > len(DEPARTMENTS), i) for i, name in enumerate(departments, 1)],
              cur)  # fmt: skip
        n_departments = len(departments)
        users = [(1, "staff", "工作人员", "staff", generate_password_hash(PASSWORD), True, now)]
        users += [(i, f"d{i}", f"代表{i:05d}", "deputy", "x", True, now)
                  for i in range(2, DEPUTIES + 2)]  # fmt: skip
        _rows("user", ("id", "username", "name", "role", "password_hash", "active", "created_at"),
              users, cur)  # fmt: skip
        _rows("inspection_group", ("id", "campaign_id", "name", "level", "town", "sort_order"),
              [(g, 1, f"第{g:02d}视察组", "town", f"镇街{g % 32:02d}", g)
               for g in range(1, GROUPS + 1)], cur)  # fmt: skip
        _rows("group_member", ("group_id", "user_id", "is_secretary"),
              [(u % GROUPS + 1, u, False) for u in range(2, DEPUTIES + 2)], cur)  # fmt: skip
        _rows("project", ("id", "name", "town"),
              [(p, f"重大项目{p:03d}号", f"镇街{p % 32:02d}") for p in range(1, PROJECTS + 1)],
              cur)  # fmt: skip
        _rows(
            "group_project",
            ("group_id", "project_id"),
            [(g, p) for p in range(1, PROJECTS + 1) for g in (p % GROUPS + 1,)],
            cur,
        )
        visits = problems * 2
        _rows("visit", ("id", "client_uuid", "campaign_id", "group_id", "project_id", "visited_on",
                        "summary", "author_id", "status", "created_at", "updated_at"),
              ((v, f"v{v}", 1, v % GROUPS + 1, v % PROJECTS + 1,
                (day0 + timedelta(days=v % 31)).isoformat(), TEXT, 2 + v % DEPUTIES, "reviewed",
                now, now) for v in range(1, visits + 1)), cur)  # fmt: skip
        _rows(
            "visit_attendee",
            ("visit_id", "user_id"),
            ((v, 2 + (v + k) % DEPUTIES) for v in range(1, visits + 1) for k in (0, 1)),
            cur,
        )
        _rows("problem", ("id", "client_uuid", "code", "campaign_id", "group_id", "visit_id",
                          "project_id", "category", "description", "author_id", "status",
                          "lead_department_id", "deadline", "answered_at", "satisfaction",
                          "created_at", "updated_at"),
              (_problem(i, n_departments, now) for i in range(1, problems + 1)), cur)  # fmt: skip
        _rows(
            "problem_raiser",
            ("problem_id", "user_id"),
            ((i, 2 + (2 * i) % DEPUTIES) for i in range(1, problems + 1)),
            cur,
        )
        _rows(
            "problem_co_department",
            ("problem_id", "department_id"),
            ((i, (i + 5) % n_departments + 1) for i in range(3, problems + 1, 3)),
            cur,
        )
        _rows("suggestion", ("id", "client_uuid", "campaign_id", "group_id", "visit_id",
                             "problem_id", "text", "author_id", "created_at", "updated_at"),
              ((s, f"s{s}", 1, ((s + 1) // 2 * 2) % GROUPS + 1, (s + 1) // 2 * 2,
                (s + 1) // 2 if s % 2 else None, TEXT, 2 + s % DEPUTIES, now, now)
               for s in range(1, problems * 2 + 1)), cur)  # fmt: skip
        _rows(
            "audit_event",
            ("actor_id", "action", "entity", "entity_id", "created_at"),
            ((1, "urge", "problem", i, now) for i in range(7, problems + 1, 10)),
            cur,
        )
        raw.commit()
        cur.execute("ANALYZE")
        raw.close()
        db.engine.dispose()


def _problem(i: int, departments: int, now: str) -> tuple:
    status = STATUSES[i % len(STATUSES)]
    assigned = status not in ("submitted", "reviewed")
    answered = status in ("answered", "closed")
    deadline = (date(2025, 9, 30) if i % 4 == 0 else date(2027, 3, 31)) if assigned else None
    rating = ("satisfied", "basically", "unsatisfied")[i % 3] if status == "closed" else None
    return (
        i, f"p{i}", f"2025-{i % GROUPS + 1:02d}-{i:06d}", 1, (2 * i) % GROUPS + 1, 2 * i,
        (2 * i) % PROJECTS + 1, CATEGORIES[i % len(CATEGORIES)], TEXT * (1 + i % 3),
        2 + (2 * i) % DEPUTIES, status, (i % departments) + 1 if assigned else None,
        deadline and deadline.isoformat(), now if answered else None, rating, now, now,
    )  # fmt: skip


COLD = "(cold)"  # the dashboard's figures counted afresh, not the ones kept for a minute


def pages(problems: int) -> dict[str, str]:
    deep = max(1, problems // 30 - 5)  # 30 rows a page: five pages before the end
    return {
        f"dashboard {COLD}": "/dashboard/",
        f"departments {COLD}": "/dashboard/departments",
        "dashboard": "/dashboard/",
        "ledger": "/problems/",
        "ledger by deadline": "/problems/?sort=deadline",
        "ledger filtered": "/problems/?status=in_progress&group_id=5&project=重大项目01",
        "ledger deep": f"/problems/?page={deep}",
        "departments": "/dashboard/departments",
        "visits": "/visits/",
        "suggestions": "/suggestions/",
    }


def open_site(folder: Path):
    """A signed-in test client on one database, and the list its SQL statements go to."""
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from inspect_app import create_app
    from inspect_app.extensions import db

    app = create_app(_config(folder))
    statements = []
    with app.app_context():
        upgrade()  # a database built by an older version gets the newer indexes
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
    client = app.test_client()
    client.post("/login", data={"login": "staff", "password": PASSWORD})
    return client, statements


def _forget_if_cold(name: str) -> None:
    from inspect_app.dashboard.services import forget_figures

    if COLD in name:
        forget_figures("overview" if "dashboard" in name else "departments")


def measure(sites: dict) -> dict:
    """Every page of every size in turn, each beside /healthz: load changes hit all alike."""
    times = {size: {name: [] for name in [*pages(size), "healthz"]} for size in sites}
    for size, (client, _statements) in sites.items():
        for path in pages(size).values():  # warm up caches and the template compiler
            client.get(path)
    for _ in range(RUNS):
        for size, (client, _statements) in sites.items():
            for name, path in pages(size).items():
                times[size]["healthz"].append(_time(client, "/healthz"))
                _forget_if_cold(name)
                times[size][name].append(_time(client, path))
    results = {}
    for size, (client, statements) in sites.items():
        results[size] = {"healthz": {"ms": statistics.median(times[size]["healthz"]) * 1000}}
        for name, path in pages(size).items():
            _forget_if_cold(name)
            statements.clear()
            body = client.get(path).get_data()
            results[size][name] = {
                "ms": statistics.median(times[size][name]) * 1000,
                "queries": len(statements),
                "bytes": len(body),
                "gzip": len(gzip.compress(body)),
            }
    return results


def _time(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def main() -> None:
    keep = os.environ.get("BENCH_DIR")  # reuse databases built there before
    with tempfile.TemporaryDirectory() as tmp:
        sites = {}
        for size in SIZES:
            folder = Path(keep or tmp) / str(size)
            if not (folder / "scale.sqlite").exists():
                folder.mkdir(parents=True, exist_ok=True)
                start = time.perf_counter()
                build(folder, size)
                print(f"built {size:,} problems in {time.perf_counter() - start:.1f} s")
            sites[size] = open_site(folder)
        table = measure(sites)
    first = SIZES[0]
    print(f"\nmedian of {RUNS} interleaved runs; ratio = the page at this size / at {first:,}")
    header = f"{'page':<17}{'problems':>9}{'ms':>8}{'×healthz':>9}{'×' + str(first):>8}"
    print(header + f"{'bytes':>9}{'gzip':>8}{'queries':>8}")
    for name in pages(first):
        for size in SIZES:
            row, base = table[size][name], table[first][name]
            print(
                f"{name:<17}{size:>9,}{row['ms']:>8.1f}"
                f"{row['ms'] / table[size]['healthz']['ms']:>9.1f}{row['ms'] / base['ms']:>8.2f}"
                f"{row['bytes']:>9,}{row['gzip']:>8,}{row['queries']:>8}"
            )
    for size in SIZES:
        print(f"healthz at {size:,}: {table[size]['healthz']['ms']:.2f} ms")


if __name__ == "__main__":
    main()
