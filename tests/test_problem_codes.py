"""Problem codes stay unique per group when deputies save at the same moment (SQLite and PG)."""

import threading
import uuid
from collections import Counter
from datetime import date

from sqlalchemy import select

from inspect_app.database import writing
from inspect_app.extensions import db
from inspect_app.models import Group, Problem, User
from inspect_app.visits.services import ProblemInput, VisitInput, create_visit

SAVERS = 8


def _save_visit_with_problems(app, user_id, group_id, project_id, start, errors, index):
    with app.app_context():
        try:
            start.wait()
            with writing():
                create_visit(
                    db.session.get(User, user_id),
                    VisitInput(
                        client_uuid=str(uuid.uuid4()),
                        group_id=group_id,
                        project_id=project_id,
                        visited_on=date(2025, 7, 20),
                        summary=f"同时保存 {index}",
                        attendee_ids=[user_id],
                        problems=[
                            ProblemInput(client_uuid="", category="其他", description=f"问题{n}")
                            for n in range(2)
                        ],
                    ),
                )
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - every failure is reported by the test
            db.session.rollback()
            errors.append(repr(error))
        finally:
            db.session.remove()


def test_concurrent_saves_get_distinct_consecutive_codes(app, demo):
    with app.app_context():
        group = db.session.get(Group, demo["group"])
        project_id = group.projects[0].id
        before = set(db.session.scalars(select(Problem.code).where(Problem.group_id == group.id)))
    start, errors = threading.Barrier(SAVERS), []
    savers = [
        threading.Thread(
            target=_save_visit_with_problems,
            args=(app, demo["users"]["demo-deputy"], demo["group"], project_id, start, errors, i),
        )
        for i in range(SAVERS)
    ]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join()
    assert errors == []
    with app.app_context():
        codes = list(db.session.scalars(select(Problem.code).where(Problem.group_id == group.id)))
    new = [code for code in codes if code not in before]
    assert len(new) == SAVERS * 2 and Counter(codes).most_common(1)[0][1] == 1
    sequences = sorted(int(code.rsplit("-", 1)[1]) for code in new)
    highest_before = max(int(code.rsplit("-", 1)[1]) for code in before)
    assert sequences == list(range(highest_before + 1, highest_before + 1 + SAVERS * 2))
