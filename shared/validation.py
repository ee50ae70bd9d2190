"""Loading input through a marshmallow schema, with failures as ``InvalidInput`` naming the field."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from shared.errors import InvalidInput, invalid_from_marshmallow


def load(schema: Schema | type[Schema], data, partial=False) -> dict:
    if isinstance(schema, type):
        schema = schema()
    if not isinstance(data, dict):
        raise InvalidInput("body: expected a JSON object", field="body")
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise invalid_from_marshmallow(exc.messages) from None
