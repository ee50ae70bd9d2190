"""Loading input through a marshmallow schema, with failures as ``InvalidInput`` naming the field."""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from shared.errors import InvalidInput, invalid_from_marshmallow


def storable_text(value: str) -> bool:
    """False for NUL (PostgreSQL cannot store it) and lone surrogates (not UTF-8 at all)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_unstorable_text(value, path: str = "") -> None:
    if isinstance(value, str):
        if not storable_text(value):
            raise InvalidInput(f"{path or 'body'}: contains a NUL or a lone surrogate character",
                               field=path or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable_text(str(key), path or "body")
            _refuse_unstorable_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_unstorable_text(item, f"{path}.{index}" if path else str(index))


def load(schema: Schema | type[Schema], data, partial=False) -> dict:
    if isinstance(schema, type):
        schema = schema()
    if not isinstance(data, dict):
        raise InvalidInput("body: expected a JSON object", field="body")
    _refuse_unstorable_text(data)
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise invalid_from_marshmallow(exc.messages) from None
