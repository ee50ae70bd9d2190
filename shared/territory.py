"""What every service does with ``membership.communities_merged``: re-file its records."""
from __future__ import annotations

from sqlalchemy import update


def refile_codes(uow, columns: list, moves: list[dict]) -> dict:
    """Move records on merged-away codes to the codes they became (``moves`` of a
    ``membership.communities_merged`` event), so prefix lists and scope keep finding them.

    ``columns`` are the territory-code columns to re-file (e.g. ``Resident.grid_code``); returns
    how many rows moved per table. Ids, history and everything else stay.
    """
    moved = {}
    for column in columns:
        table = column.class_
        total = 0
        for move in moves:
            result = uow.session.execute(
                update(table).where(column == move["old_code"]).values({column.key: move["new_code"]})
                .execution_options(synchronize_session=False))
            total += result.rowcount or 0
        # two columns of one table (a grid and its community) move the same rows
        moved[table.__tablename__] = max(moved.get(table.__tablename__, 0), total)
    return moved
