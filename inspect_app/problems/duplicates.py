"""Likely duplicates: same project, similar text by character n-grams (no word segmenter)."""

from sqlalchemy import select

from inspect_app.access import problem_scope
from inspect_app.extensions import db
from inspect_app.models import Problem, ProblemStatus, User

THRESHOLD = 0.35


def ngrams(text: str, n: int = 2) -> set[str]:
    """Character n-grams of the text with spaces and punctuation removed."""
    chars = "".join(ch for ch in text if ch.isalnum())
    if len(chars) < n:
        return {chars} if chars else set()
    return {chars[i : i + n] for i in range(len(chars) - n + 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams (0..1)."""
    first, second = ngrams(a), ngrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def likely_duplicates(user: User, problem: Problem, limit: int = 5) -> list[tuple[Problem, float]]:
    """Problems of the same project in the user's scope whose text is similar, best first."""
    return likely_duplicates_of_many(user, [problem], limit)[problem.id]


def likely_duplicates_of_many(
    user: User, problems: list[Problem], limit: int = 5
) -> dict[int, list[tuple[Problem, float]]]:
    """likely_duplicates for a list of problems, reading the candidates in one query."""
    projects = {p.project_id for p in problems}
    query = select(Problem).where(
        problem_scope(user),
        Problem.project_id.in_(projects),
        Problem.status != ProblemStatus.MERGED,
    )
    by_project: dict[int, list[Problem]] = {}
    for candidate in db.session.scalars(query):
        by_project.setdefault(candidate.project_id, []).append(candidate)
    found = {}
    for problem in problems:
        scored = [
            (other, similarity(problem.description, other.description))
            for other in by_project.get(problem.project_id, [])
            if other.id != problem.id
        ]
        close = [(other, score) for other, score in scored if score >= THRESHOLD]
        close.sort(key=lambda pair: (-pair[1], pair[0].id))
        found[problem.id] = close[:limit]
    return found
