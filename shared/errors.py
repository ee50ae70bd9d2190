"""Domain errors: raised by services, carried across RPC as themselves, shown as problem+json.

Each class is registered with nameko so that an RPC caller gets an instance of the same class
back, not a generic ``RemoteError``. The gateway turns them into RFC 7807 documents with the
class's status and a stable ``type``.
"""
from __future__ import annotations

from nameko.exceptions import deserialize_to_instance

PROBLEM_BASE = "https://linli.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class DomainError(Exception):
    """A refusal the caller can act on. ``field`` names the input at fault, if one is."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, field: str | None = None, errors: dict | None = None):
        # nameko rebuilds the error from its args, stringifying anything but str/dict/list
        super().__init__(detail, field or "", errors or {})
        self.detail = detail
        self.field = field or None
        self.errors = errors or None

    def __str__(self) -> str:
        return self.detail

    def to_problem(self, instance: str | None = None) -> dict:
        problem = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field:
            problem["field"] = self.field
        if self.errors:
            problem["errors"] = self.errors
        if instance:
            problem["instance"] = instance
        return problem


@deserialize_to_instance
class InvalidInput(DomainError):
    status, slug, title = 422, "invalid-input", "Invalid input"


@deserialize_to_instance
class MalformedRequest(DomainError):
    status, slug, title = 400, "malformed-request", "Malformed request"


@deserialize_to_instance
class NotAuthenticated(DomainError):
    status, slug, title = 401, "not-authenticated", "Not authenticated"


@deserialize_to_instance
class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


@deserialize_to_instance
class OutOfScope(Forbidden):
    slug, title = "out-of-scope", "Outside your territory"


@deserialize_to_instance
class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


@deserialize_to_instance
class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


@deserialize_to_instance
class Unavailable(DomainError):
    status, slug, title = 503, "unavailable", "Service unavailable"


def invalid_from_marshmallow(messages: dict | list, prefix: str = "") -> InvalidInput:
    """One InvalidInput naming the first offending field, with every message attached."""
    if isinstance(messages, dict) and messages:
        first = next(iter(messages))
        detail_messages = messages[first]
        while isinstance(detail_messages, dict) and detail_messages:  # nested schema
            inner = next(iter(detail_messages))
            first = f"{first}.{inner}"
            detail_messages = detail_messages[inner]
        text = detail_messages[0] if isinstance(detail_messages, list) else str(detail_messages)
        field = f"{prefix}{first}" if first != "_schema" else (prefix.rstrip(".") or None)
        return InvalidInput(f"{field or 'body'}: {text}", field=field, errors=messages)
    return InvalidInput(f"{prefix or 'body'}: {messages}", field=prefix.rstrip(".") or None)
