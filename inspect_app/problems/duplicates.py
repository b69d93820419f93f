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
    query = select(Problem).where(
        problem_scope(user),
        Problem.project_id == problem.project_id,
        Problem.id != problem.id,
        Problem.status != ProblemStatus.MERGED,
    )
    scored = [
        (other, similarity(problem.description, other.description))
        for other in db.session.scalars(query)
    ]
    found = [(other, score) for other, score in scored if score >= THRESHOLD]
    found.sort(key=lambda pair: (-pair[1], pair[0].id))
    return found[:limit]
