"""Finding one row by its id, inside the caller's part of the territory."""
from __future__ import annotations

from sqlalchemy import select

from shared.context import require_caller
from shared.errors import NotFound
from shared.pagination import MAX_ROW_ID


def is_row_id(value) -> bool:
    """An id a row can have: a positive integer within the columns' range (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def find_by_id(uow, model, row_id, *, code_column, what: str, field: str = "id",
               for_update: bool = False):
    """The ``model`` row with this id, refused when absent or outside the caller's scope.

    ``code_column`` is the row's territory code. A row out of scope is the same 404 as a
    missing one, so ids cannot be probed across the territory.
    """
    missing = NotFound(f"{field}: no {what} {row_id} in your scope", field=field)
    if not is_row_id(row_id):
        raise missing
    query = select(model).where(model.id == row_id)
    if for_update:
        query = query.with_for_update()
    row = uow.session.scalar(query)
    if row is None:
        raise missing
    if not require_caller(uow.caller).can_see(getattr(row, code_column.key)):
        raise missing
    return row
