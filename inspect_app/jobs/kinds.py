"""The kinds of export a job can run: one registry entry each.

A kind knows how many rows it will write (the progress bar's total) and how to write its
file to a stream, reporting `progress(done, total)` as it goes. Both get the requester's
scope as frozen at the click (an access.ScopeSnapshot) and the job's parameters. Adding an
export (a Word document, say) is one `register(ExportKind(...))` in the feature that owns it
(inspect_app/exports/kinds.py); the job runner knows no feature.
"""

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str  # what 我的导出 calls it (Chinese, through the catalogue)
    suffix: str  # ".xlsx", ".zip", ".docx"
    total: Callable[..., int]  # total(user, params) -> rows to write
    write: Callable[..., object]  # write(stream, user, params, progress)

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.suffix]


MIMETYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> ExportKind:
    """The registered kind (create_app imports the modules that register them)."""
    return KINDS[name]
