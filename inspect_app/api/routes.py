"""/api/v1: thin JSON views over api.services; every answer, errors included, is JSON."""

from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from inspect_app.api import schemas, services
from inspect_app.api.openapi import document, openapi_document
from inspect_app.api.services import ApiError
from inspect_app.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PREFIX = "/api/v1"
UUID_PARAM = {
    "name": "client_uuid",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
WRITE_ERRORS = {400: schemas.ErrorOut, 401: schemas.ErrorOut, 404: schemas.ErrorOut}


def error_response(status: int, code: str, message: str, details: list[str] | None = None):
    body = schemas.ErrorOut(error=code, message=message, details=details or [])
    return jsonify(body.model_dump()), status


def _json(model: BaseModel, status: int = 200):
    response = current_app.response_class(model.model_dump_json(), mimetype="application/json")
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def api_view(view):
    """Login required (answered 401 as JSON); ApiError and bad bodies become JSON errors."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return error_response(401, "login_required", _("请先登录。"))
        try:
            return view(*args, **kwargs)
        except ApiError as error:
            db.session.rollback()
            return error_response(error.status, error.code, error.message, error.details)
        except ValidationError as error:
            db.session.rollback()
            details = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
            return error_response(400, "invalid", _("提交的内容不完整或格式不对。"), details)

    return wrapped


def _body(model: type[BaseModel]):
    raw = request.get_data()
    if not request.is_json:
        raise ApiError(400, "invalid", _("请以 JSON 格式提交。"))
    return model.model_validate_json(raw)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/reference")
@document(
    path=f"{PREFIX}/reference",
    method="get",
    summary="本人的视察组、组员、本组项目与问题类别（离线填报用）",
    responses={200: schemas.ReferenceOut, 401: schemas.ErrorOut},
)
@api_view
def reference():
    return _json(services.reference_lists(current_user))


PROJECT_PARAMS = [
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
    {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 100000},
    },
]


@bp.get("/projects")
@document(
    path=f"{PREFIX}/projects",
    method="get",
    summary="按名称或镇街分页搜索项目",
    parameters=PROJECT_PARAMS,
    responses={200: schemas.ProjectPage, 400: schemas.ErrorOut, 401: schemas.ErrorOut},
)
@api_view
def projects():
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= 100000:
        raise ApiError(400, "invalid", _("页码不对。"))
    words = request.args.get("q", "")[:100].replace("\x00", "")
    per_page = current_app.config["PAGE_SIZE"]
    return _json(services.search_projects(words, int(page), per_page))


@bp.post("/visits")
@document(
    path=f"{PREFIX}/visits",
    method="post",
    summary="新建视察记录（含问题和建议）；同一 UUID 同样内容再次提交返回已保存的记录",
    body=schemas.VisitIn,
    responses={200: schemas.VisitOut, 201: schemas.VisitOut, 409: schemas.ErrorOut} | WRITE_ERRORS,
)
@api_view
def create_visit():
    body = _body(schemas.VisitIn)
    try:
        visit, created = services.create_visit(current_user, body)
        db.session.flush()
    except IntegrityError:  # the same visit sent twice at the same moment (two tabs)
        db.session.rollback()
        visit, created = services.create_visit(current_user, body)
    return _json(services.visit_out(visit), 201 if created else 200)


@bp.get("/visits/<client_uuid>")
@document(
    path=f"{PREFIX}/visits/{{client_uuid}}",
    method="get",
    summary="按客户端 UUID 读取一条视察记录",
    parameters=[UUID_PARAM],
    responses={200: schemas.VisitOut, 401: schemas.ErrorOut, 404: schemas.ErrorOut},
)
@api_view
def show_visit(client_uuid: str):
    return _json(services.visit_out(services.scoped_visit(current_user, client_uuid)))


@bp.put("/visits/<client_uuid>")
@document(
    path=f"{PREFIX}/visits/{{client_uuid}}",
    method="put",
    summary="修改视察记录及其问题和建议",
    parameters=[UUID_PARAM],
    body=schemas.VisitUpdate,
    responses={200: schemas.VisitOut, 409: schemas.ErrorOut} | WRITE_ERRORS,
)
@api_view
def update_visit(client_uuid: str):
    body = _body(schemas.VisitUpdate)
    return _json(services.visit_out(services.update_visit(current_user, client_uuid, body)))


def _upload(kind: str, client_uuid: str):
    visit, problem = services.photo_target(current_user, kind, client_uuid)
    photo_uuid = request.form.get("client_uuid", "")
    upload = request.files.get("file")
    try:
        schemas.PhotoUpload.model_validate({"client_uuid": photo_uuid, "file": b""})
    except ValidationError as error:
        raise ApiError(400, "invalid", _("照片缺少有效的 UUID。")) from error
    if upload is None:
        raise ApiError(400, "invalid", _("没有收到照片文件。"))
    try:
        photo, created = services.add_photo(current_user, visit, problem, photo_uuid, upload)
        db.session.flush()
    except IntegrityError:  # the same photo sent twice at the same moment
        db.session.rollback()
        photo, created = services.add_photo(current_user, visit, problem, photo_uuid, upload)
    return _json(services.photo_out(photo), 201 if created else 200)


PHOTO_RESPONSES = {
    200: schemas.PhotoOut,
    201: schemas.PhotoOut,
    409: schemas.ErrorOut,
    413: schemas.ErrorOut,
} | WRITE_ERRORS


@bp.post("/visits/<client_uuid>/photos")
@document(
    path=f"{PREFIX}/visits/{{client_uuid}}/photos",
    method="post",
    summary="给视察记录上传一张现场照片；同一 UUID 或同一文件只保存一次",
    parameters=[UUID_PARAM],
    body=schemas.PhotoUpload,
    multipart=True,
    responses=PHOTO_RESPONSES,
)
@api_view
def visit_photo(client_uuid: str):
    return _upload("visit", client_uuid)


@bp.post("/problems/<client_uuid>/photos")
@document(
    path=f"{PREFIX}/problems/{{client_uuid}}/photos",
    method="post",
    summary="给问题上传一张照片；同一 UUID 或同一文件只保存一次",
    parameters=[UUID_PARAM],
    body=schemas.PhotoUpload,
    multipart=True,
    responses=PHOTO_RESPONSES,
)
@api_view
def problem_photo(client_uuid: str):
    return _upload("problem", client_uuid)
