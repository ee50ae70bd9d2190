"""The event envelope and the registry of event types, each with its marshmallow schema.

Every event on the platform is an envelope::

    {"event_id": UUID, "type": "membership.territory_node_created", "version": 1,
     "occurred_at": ISO-8601 UTC, "org_code": territory code, "actor": principal, "data": {...}}

``data`` must match the schema registered for ``type``; a producer emitting anything else gets
an ``InvalidEvent`` at once, before anything is stored. The registry also writes the event
catalogue (``linli events catalogue`` → docs/events.md).
"""
from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate


class InvalidEvent(Exception):
    """An event that does not match its contract. A bug at the producer, or poison at a consumer."""


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    schema: type[Schema]
    description: str
    consumers: tuple[str, ...] = field(default=())

    @property
    def producer(self) -> str:
        return self.name.split(".", 1)[0]

    @functools.cached_property
    def checker(self) -> Schema:
        """One instance of the payload schema, reused: building a schema costs more than
        checking a payload with it (marshmallow schemas keep no state between loads)."""
        return self.schema()


REGISTRY: dict[str, EventType] = {}
HANDLERS: dict[str, set[str]] = {}
"""Who handles each event type: filled in by ``shared.entrypoints.handles`` as services load."""


def note_handler(event_name: str, handler_module: str) -> None:
    """Record that a service (named by its module, ``services.<name>.…``) handles the event."""
    parts = handler_module.split(".")
    if parts[0] == "services" and len(parts) > 1:
        HANDLERS.setdefault(event_name, set()).add(parts[1])


def event_type(name: str, description: str, version: int = 1, consumers: tuple[str, ...] = ()):
    """Class decorator registering a marshmallow schema as the payload of event ``name``."""

    def register(schema_cls: type[Schema]) -> type[Schema]:
        if name in REGISTRY:
            raise ValueError(f"event type {name} registered twice")
        REGISTRY[name] = EventType(name, version, schema_cls, description, tuple(consumers))
        return schema_cls

    return register


def lookup(name: str) -> EventType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise InvalidEvent(f"unknown event type {name!r}") from None


def exchange_name(event_name: str) -> str:
    """Events are published on their producer's topic exchange, as nameko does."""
    return f"{event_name.split('.', 1)[0]}.events"


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=3, max=120))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    org_code = fields.String(required=True, validate=validate.Regexp(r"^\d{0,18}$"))
    actor = fields.String(required=True)
    data = fields.Dict(required=True)


def make_envelope(name: str, data: dict, org_code: str, actor: str) -> dict:
    """A new envelope for ``data``, validated against the schema of ``name``."""
    kind = lookup(name)
    schema = kind.checker
    try:
        payload = schema.dump(schema.load(data))
    except ValidationError as exc:
        raise InvalidEvent(f"{name} payload does not match its schema: {exc.messages}") from exc
    return {
        "event_id": str(uuid.uuid4()),
        "type": name,
        "version": kind.version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "org_code": org_code,
        "actor": actor,
        "data": payload,
    }


def read_envelope(body: dict) -> dict:
    """Check a received envelope and its payload; returns it with ``data`` loaded."""
    if not isinstance(body, dict):
        raise InvalidEvent(f"an event must be a JSON object, got {type(body).__name__}")
    try:
        EnvelopeSchema().load(body)
    except ValidationError as exc:
        raise InvalidEvent(f"bad envelope: {exc.messages}") from exc
    kind = REGISTRY.get(body["type"])
    if kind is not None and body["version"] == kind.version:
        try:
            kind.checker.load(body["data"])
        except ValidationError as exc:
            raise InvalidEvent(f"{body['type']} payload: {exc.messages}") from exc
    return body


def _consumers(kind: EventType) -> list[str]:
    """The services that handle the event (from their code), then any consumer declared with
    the event type that is not one of them (one still to come, or a note on what it does)."""
    handlers = sorted(HANDLERS.get(kind.name, ()))
    return handlers + [c for c in kind.consumers if c.split(" ", 1)[0] not in handlers]


def catalogue_markdown() -> str:
    """The event catalogue, generated from the registry (docs/events.md is this, verbatim).
    The services must be imported first, so that their handlers are known."""
    lines = [
        "# Event catalogue",
        "",
        "Generated by `linli events catalogue` from the schemas in `shared/events/`; a test keeps",
        "this file equal to the code. Every event travels in the envelope `event_id`, `type`,",
        "`version`, `occurred_at`, `org_code`, `actor`, `data`, on the producer's topic exchange",
        "`<producer>.events` with the type as routing key, published from the producer's outbox.",
        "",
    ]
    for name in sorted(REGISTRY):
        kind = REGISTRY[name]
        lines += [
            f"## `{name}` (v{kind.version})",
            "",
            kind.description,
            "",
            f"- producer: {kind.producer}",
            f"- consumers: {', '.join(_consumers(kind)) or 'none yet'}",
            "",
            "| field | type | required | notes |",
            "|---|---|---|---|",
        ]
        for field_name, schema_field in kind.schema().fields.items():
            notes = (schema_field.metadata or {}).get("description", "")
            lines.append(
                f"| `{field_name}` | {type(schema_field).__name__} | "
                f"{'yes' if schema_field.required else 'no'} | {notes} |"
            )
        lines.append("")
    return "\n".join(lines)
