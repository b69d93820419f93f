"""The OpenAPI 3 document, built from the routes' declared pydantic schemas (not by hand)."""

from dataclasses import dataclass, field

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from inspect_app.api import schemas

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "请求内容有误",
    401: "未登录",
    404: "记录不存在或无权查看",
    409: "同一 UUID 已保存了不同的内容",
    413: "文件太大",
}


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    responses: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    multipart: bool = False
    parameters: list[dict] = field(default_factory=list)


OPERATIONS: list[Operation] = []


def document(**kwargs):
    """Declare a route's OpenAPI operation next to the route itself."""

    def register(view):
        OPERATIONS.append(Operation(**kwargs))
        return view

    return register


def _content(model: type[BaseModel]) -> dict:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def _operation(op: Operation) -> dict:
    responses = {}
    for status, model in sorted(op.responses.items()):
        description = ERROR_TEXT.get(status, "成功")
        responses[str(status)] = {"description": description}
        if model is not None:
            responses[str(status)]["content"] = _content(model)
    spec = {"summary": op.summary, "responses": responses, "operationId": _operation_id(op)}
    if op.parameters:
        spec["parameters"] = op.parameters
    if op.body is not None and op.multipart:
        spec["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
            },
        }
    elif op.body is not None:
        spec["requestBody"] = {"required": True, "content": _content(op.body)}
    return spec


def _operation_id(op: Operation) -> str:
    words = [w.strip("{}") for w in op.path.split("/") if w]
    return "_".join([op.method, *words])


def openapi_document() -> dict:
    models = {schemas.ErrorOut}
    for op in OPERATIONS:
        models.update(m for m in op.responses.values() if m is not None)
        if op.body is not None:
            models.add(op.body)
    ordered = sorted(models, key=lambda m: m.__name__)
    _keys, definitions = models_json_schema([(m, "validation") for m in ordered], ref_template=REF)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inspect 人大代表视察 API",
            "version": "1",
            "description": "手机端离线填报与发送队列使用的接口。"
            "登录后调用，写操作需带 X-CSRFToken 头。",
        },
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }
