"""Loading input through a marshmallow schema, with failures as ``InvalidInput`` naming the field."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from shared.errors import InvalidInput, invalid_from_marshmallow


def _refuse_nul_characters(value, path: str = "") -> None:
    """NUL cannot be stored by PostgreSQL and is never meant; refuse it up front, by field."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{path or 'body'}: contains a NUL character", field=path or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul_characters(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul_characters(item, f"{path}.{index}" if path else str(index))


def load(schema: Schema | type[Schema], data, partial=False) -> dict:
    if isinstance(schema, type):
        schema = schema()
    if not isinstance(data, dict):
        raise InvalidInput("body: expected a JSON object", field="body")
    _refuse_nul_characters(data)
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise invalid_from_marshmallow(exc.messages) from None
