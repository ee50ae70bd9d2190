"""The Open311 entrypoint: like ``gateway.http.route`` (same server, same authenticator), but it
speaks GeoReport v2 — a ``.json`` / ``.xml`` suffix chooses the format, the caller is identified
by ``api_key`` (a query or form argument, or the usual headers), and every failure, whatever it
is, leaves as the spec's error list with 400, 403 or 404. Nothing under ``/open311`` answers
problem+json, and nothing answers 500.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial

from eventlet.event import Event
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from gateway.auth import find_api_key, read_token
from gateway.http import ApiRoute, ApiServer, GatewayAuth, correlation_id_of
from gateway.open311.format import FORMATS, error_response, format_of, render
from services.tickets.domain.open311 import open311_field
from shared.context import CallerContext
from shared.errors import DomainError, Forbidden, MalformedRequest, NotAuthenticated, NotFound
from shared.logs import correlation_id_var
from shared.validation import storable_text

log = logging.getLogger(__name__)
PREFIX = "/open311/v2"
MAX_FORM_BYTES = 100_000


@dataclass
class Open311Result:
    """What a handler may answer instead of bare data: a status and headers as well."""

    data: object
    status: int = 200
    headers: dict = field(default_factory=dict)


def http_status(exc: Exception) -> int:
    """The spec: 404 for what does not exist, 403 for a wrong or missing api_key, 400 otherwise."""
    if isinstance(exc, (NotAuthenticated, Forbidden)):
        return 403
    if isinstance(exc, NotFound) or isinstance(exc, HTTPException) and exc.code == 404:
        return 404
    return 400


def description_of(exc: Exception) -> str:
    """The error's text in Open311 words (``location.grid_code: …`` → ``address_id: …``)."""
    if isinstance(exc, DomainError):
        detail = exc.detail
        if exc.field and detail.startswith(exc.field + ":"):
            detail = open311_field(exc.field) + detail[len(exc.field):]
        return detail
    if isinstance(exc, HTTPException):
        return exc.description or exc.name
    return "General service error: the request could not be processed; it has been logged"


def error_for(fmt: str, exc: Exception, path: str) -> Response:
    status = http_status(exc)
    if not isinstance(exc, (DomainError, HTTPException)):
        log.error("open311 request failed", exc_info=exc, extra={"path": path})
    return error_response(fmt, status, description_of(exc))


def _refuse_unstorable(request) -> None:
    """A NUL or a lone surrogate in any argument is refused here, naming it (no database takes it)."""
    arguments = list(request.path_values.items()) + list(request.args.items(multi=True))
    if request.method == "POST":
        arguments += list(request.form.items(multi=True))
    for name, value in arguments:
        if isinstance(value, str) and not storable_text(value):
            raise MalformedRequest(f"{name}: contains a NUL or a lone surrogate character", field=name)


class Open311Route(ApiRoute):
    """``@open311(method, "/services", root="services")`` → ``/open311/v2/services.<format>``.

    ``key``: ``"required"`` (the caller's API key or token bounds what it sees and files) or
    ``None`` (a public read). The handler returns data (or an ``Open311Result``), rendered under
    the ``root`` element in the format of the suffix.
    """

    def __init__(self, method: str, path: str, *, root: str, key: str | None = "required",
                 summary: str = "", query=None, response=None, status: int = 200, **kwargs):
        super().__init__(method, PREFIX + path + ".<format>", public=True, summary=summary,
                         tag="open311", query=query, response=response, status=status, **kwargs)
        self.root = root
        self.key = key

    def identify(self, request, correlation_id: str) -> CallerContext:
        """``api_key`` (query, form, or X-API-Key), or a bearer token; else 403 (the spec's code
        for a missing or invalid api_key)."""
        raw = (request.args.get("api_key") or request.headers.get("X-API-Key") or "").strip()
        if not raw and request.method == "POST":
            raw = (request.form.get("api_key") or "").strip()
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if not raw and scheme.lower() == "bearer" and credentials.strip():
            principal, roles, scope = read_token(self.auth.authenticator.secret, credentials.strip())
            return CallerContext(principal, roles, scope, correlation_id)
        if not raw:
            raise Forbidden("api_key: missing; an API key is required for this call", field="api_key")
        with self.auth.authenticator.session_factory() as session:
            key = find_api_key(session, raw)
            if key is None:
                raise Forbidden("api_key: invalid or revoked; can't proceed", field="api_key")
            return CallerContext(f"apikey:{key.name}", tuple(key.roles), key.scope, correlation_id)

    def handle_request(self, request):
        request.shallow = False
        correlation_id = correlation_id_of(request)
        correlation_id_var.set(correlation_id)
        fmt = request.path_values.get("format", "")
        try:
            if fmt not in FORMATS:
                raise MalformedRequest(f"format: {fmt!r} is not supported; append .json or .xml",
                                       field="format")
            if (request.content_length or 0) > MAX_FORM_BYTES:
                raise MalformedRequest(f"body: larger than {MAX_FORM_BYTES} bytes", field="body")
            _refuse_unstorable(request)
            context_data = {"correlation_id": correlation_id}
            if self.key:
                context_data = self.identify(request, correlation_id).to_context_data()
            args, kwargs = self.get_entrypoint_parameters(request)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            result = event.wait()
            if not isinstance(result, Open311Result):
                result = Open311Result(result, self.status)
            response = render(fmt, self.root, result.data, result.status, result.headers)
        except Exception as exc:  # every failure is an Open311 error list, never a traceback
            response = error_for(fmt if fmt in FORMATS else format_of(request.path), exc, request.path)
        response.headers["X-Correlation-ID"] = correlation_id
        return response


open311 = Open311Route.decorator


class Open311Fallback(HttpRequestHandler):
    """Anything else under /open311: a path that names no resource (404), or a method the
    resource does not take (400), answered as an Open311 error list."""

    server = ApiServer()
    auth = GatewayAuth()

    def __init__(self, url: str, known_paths: tuple[str, ...] = (), **kwargs):
        super().__init__("GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS", url, **kwargs)
        self.known_paths = known_paths

    def handle_request(self, request):
        correlation_id = correlation_id_of(request)
        fmt = format_of(request.path)
        adapter = Map([Rule(PREFIX + path + ".<format>") for path in self.known_paths]).bind("")
        try:
            adapter.match(request.path, method="GET")
        except HTTPException:
            error = NotFound(f"no Open311 resource at {request.path}; the endpoints are under "
                             f"{PREFIX}/ (see {PREFIX}/discovery.xml), ending in .json or .xml")
        else:
            error = MalformedRequest(f"method: {request.method} is not accepted by {request.path}")
        response = error_for(fmt, error, request.path)
        response.headers["X-Correlation-ID"] = correlation_id
        return response


fallback = Open311Fallback.decorator
