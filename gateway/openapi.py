"""The OpenAPI 3 document, generated from the gateway's routes and their marshmallow schemas."""
from __future__ import annotations

import functools
import inspect
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from shared.errors import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "the input at fault"},
        "errors": {"type": "object"},
        "instance": {"type": "string"},
        "correlation_id": {"type": "string"},
    },
}
ERROR_STATUSES = {
    "400": "Malformed request", "401": "Not authenticated", "403": "Forbidden or out of scope",
    "404": "Not found", "409": "Conflict", "422": "Invalid input", "503": "A service is down",
}


def _routes():
    from gateway.http import ApiRoute
    from gateway.service import GatewayService

    for _, method in inspect.getmembers(GatewayService, inspect.isfunction):
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, ApiRoute):
                yield method.__name__, entrypoint


@functools.cache
def openapi_document() -> dict:
    spec = APISpec(
        title="Linli (邻里) platform API", version="1", openapi_version="3.0.3",
        info={"description": "Communities, their people and their territory. Every list is "
                             "cursor-paginated; every error is application/problem+json."},
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header",
                                               "name": "X-API-Key"})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    paths: dict[str, dict] = {}
    for operation_id, route in sorted(_routes(), key=lambda r: r[1].url):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.url)
        operation = {
            "operationId": operation_id,
            "summary": route.summary,
            "tags": [route.tag] if route.tag else [],
            "parameters": [{"in": "path", "name": name, "required": True,
                            "schema": {"type": "string"}}
                           for name in re.findall(r"\{(\w+)\}", path)],
            "responses": {str(route.status): {"description": "OK"}},
        }
        if route.query_schema is not None:
            operation["parameters"].append({"in": "query", "schema": route.query_schema})
        if route.body_schema is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": route.body_schema}}}
        if route.response_schema is not None:
            operation["responses"][str(route.status)]["content"] = {
                "application/json": {"schema": route.response_schema}}
        for status, text in route.also.items():
            operation["responses"][str(status)] = {"description": text, "content": {
                "application/json": {"schema": route.response_schema}}}
        if route.public:
            operation["security"] = []
            problem_statuses = {}
        else:
            operation["security"] = [{"bearer": []}, {"apiKey": []}]
            if route.roles:
                operation["description"] = "Roles: " + ", ".join(route.roles)
            problem_statuses = ERROR_STATUSES
        for status, text in problem_statuses.items():
            operation["responses"].setdefault(status, {"description": text, "content": {
                PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
        for method in route.method.split(","):
            paths.setdefault(path, {})[method.strip().lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
