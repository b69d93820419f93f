"""Request and response bodies of /api/v1: pydantic models, the source of the OpenAPI document."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from inspect_app.models import ProblemCategory

TEXT_LIMIT = 5000
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _storable(value: str) -> str:
    """Text a database can store: valid UTF-8 without NUL characters."""
    if "\x00" in value:
        raise ValueError("NUL")
    value.encode("utf-8")  # raises on lone surrogates
    return value


Text = Annotated[str, Field(max_length=TEXT_LIMIT), AfterValidator(_storable)]
RequiredText = Annotated[
    str, Field(min_length=1, max_length=TEXT_LIMIT, pattern=r"\S"), AfterValidator(_storable)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemIn(Strict):
    client_uuid: UUID
    category: ProblemCategory
    description: RequiredText
    suggestion: Text = ""
    delete: bool = False


class SuggestionIn(Strict):
    client_uuid: UUID
    text: RequiredText
    delete: bool = False


class VisitIn(Strict):
    client_uuid: UUID
    group_id: Id
    project_id: Id
    visited_on: date
    summary: RequiredText
    attendee_ids: list[Id] = Field(min_length=1, max_length=500)
    problems: list[ProblemIn] = Field(default_factory=list, max_length=30)
    suggestions: list[SuggestionIn] = Field(default_factory=list, max_length=30)


class VisitUpdate(Strict):
    project_id: Id
    visited_on: date
    summary: RequiredText
    attendee_ids: list[Id] = Field(min_length=1, max_length=500)
    problems: list[ProblemIn] = Field(default_factory=list, max_length=30)
    suggestions: list[SuggestionIn] = Field(default_factory=list, max_length=30)


class PhotoOut(BaseModel):
    id: int
    client_uuid: str
    sha256: str
    width: int
    height: int
    thumb_url: str


class ProblemOut(BaseModel):
    id: int
    client_uuid: str
    code: str | None
    category: str
    description: str
    suggestion: str
    status: str
    photos: list[PhotoOut]


class SuggestionOut(BaseModel):
    id: int
    client_uuid: str
    text: str


class VisitOut(BaseModel):
    id: int
    client_uuid: str
    group_id: int
    project_id: int
    visited_on: date
    summary: str
    attendee_ids: list[int]
    status: str
    url: str
    photos: list[PhotoOut]
    problems: list[ProblemOut]
    suggestions: list[SuggestionOut]


class ProjectOut(BaseModel):
    id: int
    name: str
    town: str | None


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    page: int
    pages: int
    total: int


class MemberOut(BaseModel):
    id: int
    name: str


class GroupOut(BaseModel):
    id: int
    name: str
    campaign_title: str
    members: list[MemberOut]
    projects: list[ProjectOut]


class CategoryOut(BaseModel):
    code: str
    label: str


class ReferenceOut(BaseModel):
    user_id: int
    user_name: str
    groups: list[GroupOut]
    categories: list[CategoryOut]


class ErrorOut(BaseModel):
    error: str = Field(description="机器可读的错误代码")
    message: str = Field(description="给用户看的中文说明")
    details: list[str] = Field(default_factory=list)


class PhotoUpload(BaseModel):
    """multipart/form-data of a photo upload."""

    client_uuid: UUID
    file: bytes = Field(description="JPEG, PNG 或 WebP 照片")
