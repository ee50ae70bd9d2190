"""Finding one row by its id, inside the caller's part of the territory."""
from __future__ import annotations

from sqlalchemy import select, update

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


def lock_row(uow, row) -> None:
    """Lock ``row`` for the rest of the transaction, portably: bump its ``lock_version`` first
    (on SQLite that takes the database write lock, on PostgreSQL the row lock), then re-read it,
    so two changes of one row are checked one after the other."""
    model = type(row)
    uow.session.execute(update(model).where(model.id == row.id)
                        .values(lock_version=model.lock_version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.refresh(row)
