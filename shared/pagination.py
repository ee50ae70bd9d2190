"""Cursor pagination: every list is ordered by a unique key and resumes after the last one seen."""
from __future__ import annotations

import base64
import json

from marshmallow import Schema, fields, validate

from shared.errors import InvalidInput
from shared.validation import storable_text

MAX_ROW_ID = 2 ** 31 - 1  # ids are 32-bit signed integers in every table

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def encode_cursor(last_key) -> str:
    return base64.urlsafe_b64encode(json.dumps([last_key]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None):
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        (last_key,) = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):
        last_key = None
    if isinstance(last_key, str) and storable_text(last_key) or isinstance(last_key, int):
        return last_key
    raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")


def after_id(cursor: str | None) -> int | None:
    """The row id an id-ordered list resumes after (None: from the start)."""
    after = decode_cursor(cursor)
    if after is not None and (type(after) is not int or not 0 <= after <= MAX_ROW_ID):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
    return after


class PageRequestSchema(Schema):
    cursor = fields.String(load_default=None, metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


def page_of(rows: list, limit: int, key, render) -> dict:
    """Rows fetched with ``limit + 1``: the page, and a cursor when there is more."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [render(row) for row in rows],
        "next_cursor": encode_cursor(key(rows[-1])) if more and rows else None,
    }


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """The response schema of a page of ``item_schema`` (for the OpenAPI document)."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema), required=True),
         "next_cursor": fields.String(allow_none=True, required=True)},
        name=name,
    )
