"""The gateway's HTTP entrypoint: authenticate, authorise, parse, answer JSON or problem+json.

``route`` replaces nameko's ``@http``. Before a worker starts it identifies the caller, checks
the route's roles and that every territory code in the path lies in the caller's scope, and puts
the caller in the worker's context data (so it travels with every RPC the handler makes). Every
failure — unknown route, wrong method, bad JSON, a domain refusal from a service, a service
that does not answer — leaves as an RFC 7807 document; nothing leaves as a traceback.
"""
from __future__ import annotations

import json
import logging
import re
import socket
import uuid
from functools import partial
from pathlib import Path

from eventlet.event import Event
from nameko.exceptions import RemoteError
from nameko.extensions import SharedExtension
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from gateway.auth import CORRELATION_PATTERN, Authenticator
from gateway.models import Base
from shared.config import settings_from_container
from shared.context import require_scope
from shared.db import ServiceDatabase
from shared.errors import (
    PROBLEM_CONTENT_TYPE,
    DomainError,
    Forbidden,
    InvalidInput,
    MalformedRequest,
)
from shared.logs import correlation_id_var

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
ANY_ROLE = None
MAX_JSON_BYTES = 1_000_000
PATH_CODE = re.compile(r"\d{6,18}")


class PayloadTooLarge(MalformedRequest):
    status, slug, title = 413, "payload-too-large", "Payload too large"


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


def correlation_id_of(request) -> str:
    """The client's X-Correlation-ID when it is sane, else a new one."""
    given = request.headers.get("X-Correlation-ID", "")
    return given if CORRELATION_PATTERN.fullmatch(given) else uuid.uuid4().hex


def problem_response(error: DomainError, instance: str | None = None,
                     correlation_id: str | None = None, headers: dict | None = None) -> Response:
    problem = error.to_problem(instance)
    headers = dict(headers or {})
    if correlation_id:
        problem["correlation_id"] = correlation_id
        headers["X-Correlation-ID"] = correlation_id
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="linli", ApiKey realm="linli"'
    return Response(json.dumps(problem, ensure_ascii=False), status=error.status,
                    headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def as_domain_error(exc: Exception) -> DomainError:
    """What the caller is told about any exception (details of internal ones stay in the log)."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, HTTPException):
        error = DomainError(exc.description or exc.name)
        error.status, error.slug, error.title = exc.code, exc.name.lower().replace(" ", "-"), exc.name
        return error
    error = DomainError("an internal error occurred; it has been logged")
    error.status, error.slug, error.title = 500, "internal-error", "Internal error"
    if isinstance(exc, RemoteError):
        log.error("service error", extra={"remote_error": str(exc)})
    return error


class ProblemWsgiApp(WsgiApp):
    """nameko's WSGI app, with unknown routes and wrong methods answered as problem+json."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as exc:
            allowed = {k: v for k, v in exc.get_headers(environ) if k == "Allow"}
            response = problem_response(as_domain_error(exc), request.path,
                                        correlation_id_of(request), headers=allowed)
        return response(environ, start_response)


class ApiServer(WebServer):
    def get_wsgi_app(self):
        return ProblemWsgiApp(self)

    def process_request(self, sock, address):
        # eventlet's wsgi writes an answer's headers and its body separately: on a kept-alive
        # connection Nagle's algorithm then holds the body back until the client's delayed
        # ACK, ~40 ms on every answer longer than a few lines.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().process_request(sock, address)


class GatewayAuth(SharedExtension):
    """One authenticator per gateway container, over the gateway's own database."""

    def setup(self):
        settings = settings_from_container(self.container.config)
        self.settings = settings
        self.database = ServiceDatabase(Base, settings.database_url("gateway"), MIGRATIONS)
        self.database.migrate()
        self.authenticator = Authenticator(
            settings.secret_key, sessionmaker(self.database.engine))

    def stop(self):
        self.database.dispose()


class ApiRoute(HttpRequestHandler):
    server = ApiServer()
    auth = GatewayAuth()

    def __init__(self, method: str, url: str, *, roles=ANY_ROLE, public: bool = False,
                 summary: str = "", tag: str = "", body=None, query=None, response=None,
                 status: int = 200, also: dict[int, str] | None = None, **kwargs):
        super().__init__(method, url, **kwargs)
        self.also = also or {}  # other statuses answered with the response schema (OpenAPI)
        self.roles = tuple(roles) if roles else None
        self.public = public
        self.summary = summary
        self.tag = tag
        self.body_schema = body
        self.query_schema = query
        self.response_schema = response
        self.status = status

    def handle_request(self, request):
        request.shallow = False
        correlation_id = correlation_id_of(request)
        correlation_id_var.set(correlation_id)
        try:
            context_data = {"correlation_id": correlation_id}
            if not self.public:
                caller = self.auth.authenticator.authenticate(request.headers, correlation_id)
                if self.roles and not caller.has_role(*self.roles):
                    raise Forbidden(f"this needs one of the roles: {', '.join(self.roles)}")
                for name, value in request.path_values.items():
                    if name.endswith("code"):
                        if not PATH_CODE.fullmatch(value):
                            raise InvalidInput(f"{name}: not a territory code: {value!r}", field=name)
                        require_scope(caller, value, field=name)
                context_data = caller.to_context_data()
            args, kwargs = self.get_entrypoint_parameters(request)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            response = self.response_from_result(event.wait())
        except Exception as exc:
            error = as_domain_error(exc)
            if error.status >= 500:
                log.error("request failed", exc_info=exc, extra={"path": request.path})
            response = problem_response(error, request.path, correlation_id)
        response.headers["X-Correlation-ID"] = correlation_id
        return response

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        return json_response(result, status=self.status)


route = ApiRoute.decorator


def read_json(request) -> dict:
    """The request body as a JSON object, or a 400 naming the body."""
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"body: larger than {MAX_JSON_BYTES} bytes", field="body")
    raw = request.get_data(cache=True)
    if not raw:
        raise MalformedRequest("body: a JSON object is required", field="body")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedRequest(f"body: not valid JSON ({exc})", field="body") from None
    except RecursionError:
        raise MalformedRequest("body: nested too deeply", field="body") from None
    if not isinstance(body, dict):
        raise MalformedRequest("body: must be a JSON object", field="body")
    return body


def query_args(request) -> dict:
    """Query parameters as a flat dict (a repeated parameter is refused, not silently dropped)."""
    args = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            raise MalformedRequest(f"{name}: given more than once", field=name)
        args[name] = values[0]
    return args


