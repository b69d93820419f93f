"""What each list page shows of a row, loaded with the page instead of one query per row."""

from sqlalchemy.orm import selectinload

from inspect_app.models import Problem, Suggestion, Visit

VISIT_ROW = (
    selectinload(Visit.project),
    selectinload(Visit.group),
    selectinload(Visit.author),
    selectinload(Visit.problems),
    selectinload(Visit.suggestions),
)
PROBLEM_ROW = (
    selectinload(Problem.project),
    selectinload(Problem.group),
    selectinload(Problem.visit),
    selectinload(Problem.lead_department),
)
SUGGESTION_ROW = (
    selectinload(Suggestion.visit).selectinload(Visit.project),
    selectinload(Suggestion.group),
    selectinload(Suggestion.author),
    selectinload(Suggestion.problem),
)
