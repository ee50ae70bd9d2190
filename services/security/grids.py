"""Grid workers 网格员: assigned to grids of the territory (a worker may hold several), listed
with their phones masked, unassigned by a delete or an ``until``.

The grid is checked with membership by the entrypoint; the use cases get its answer as a dict.
An assignment is scoped by its grid: out of scope is answered exactly like missing (404).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.security.domain.catalogue import MANAGER_ROLES
from services.security.incidents import check_grid
from services.security.models.incidents import GridWorkerAssignment
from services.security.schemas.grids import (
    GridWorkerAssignSchema,
    GridWorkerListQuerySchema,
    GridWorkerSchema,
    GridWorkerUntilSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.personal_data import check_phone, mask_phone
from shared.validation import load

_schema = GridWorkerSchema()
GRID_LENGTH = 15


def _today() -> date:
    return utcnow().date()


def _holds(row: GridWorkerAssignment, on: date) -> bool:
    return row.since <= on and (row.until is None or row.until > on)


def render(row: GridWorkerAssignment) -> dict:
    return _schema.dump({
        "id": row.id, "grid_code": row.grid_code, "worker_id": row.worker_id, "name": row.name,
        "phone": mask_phone(row.phone), "since": row.since, "until": row.until,
        "current": _holds(row, _today()), "created_by": row.created_by,
        "created_at": row.created_at, "updated_at": row.updated_at})


def _check_grid_code(uow: UnitOfWork, grid_code: str) -> None:
    caller = require_caller(uow.caller)
    if not (isinstance(grid_code, str) and len(grid_code) == GRID_LENGTH and grid_code.isdigit()):
        raise InvalidInput("grid_code: must be a grid code of 15 digits", field="grid_code")
    require_scope(caller, grid_code, "grid_code")


def check_assign(uow: UnitOfWork, grid_code: str, payload: dict) -> dict:
    """The assignment, loaded, from a caller who may assign; refused before membership is
    asked about the grid."""
    data = load(GridWorkerAssignSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    _check_grid_code(uow, grid_code)
    if data["phone"]:
        data["phone"] = check_phone(data["phone"])
    if not data["name"].strip():
        raise InvalidInput("name: must not be blank", field="name")
    return data


def assign(uow: UnitOfWork, grid_code: str, payload: dict, grid: dict) -> dict:
    data = check_assign(uow, grid_code, payload)
    check_grid(grid, grid_code)
    overlapping = uow.session.scalars(select(GridWorkerAssignment).where(
        GridWorkerAssignment.grid_code == grid_code,
        GridWorkerAssignment.worker_id == data["worker_id"]))
    for row in overlapping:
        if (row.until is None or row.until > data["since"]) and (
                data["until"] is None or data["until"] > row.since):
            raise Conflict(f"worker_id: {data['worker_id']} already holds grid {grid_code} "
                           f"(assignment {row.id})", field="worker_id")
    row = GridWorkerAssignment(
        grid_code=grid_code, worker_id=data["worker_id"], name=data["name"].strip(),
        phone=data["phone"], since=data["since"], until=data["until"],
        created_by=require_caller(uow.caller).actor)
    uow.session.add(row)
    uow.session.flush()
    uow.emit("security.grid_worker_assigned", {
        "assignment_id": row.id, "worker_id": row.worker_id, "grid_code": grid_code,
        "since": row.since.isoformat()}, org_code=grid_code)
    return render(row)


def list_workers(uow: UnitOfWork, grid_code: str, query_args: dict) -> dict:
    args = load(GridWorkerListQuerySchema, query_args)
    _check_grid_code(uow, grid_code)
    query = select(GridWorkerAssignment).where(GridWorkerAssignment.grid_code == grid_code)
    today = _today()
    if args["current"] is not None:
        holding = (GridWorkerAssignment.since <= today) & (
            GridWorkerAssignment.until.is_(None) | (GridWorkerAssignment.until > today))
        query = query.where(holding if args["current"] else ~holding)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(GridWorkerAssignment.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(GridWorkerAssignment.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda r: r.id, render=render)


def unassign(uow: UnitOfWork, grid_code: str, assignment_id, payload: dict | None = None) -> dict:
    """End an assignment on ``until`` (default today); the record stays, as history."""
    data = load(GridWorkerUntilSchema, payload or {})
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    _check_grid_code(uow, grid_code)
    row = find_by_id(uow, GridWorkerAssignment, assignment_id,
                     code_column=GridWorkerAssignment.grid_code, what="grid worker assignment",
                     field="assignment_id")
    if row.grid_code != grid_code:
        raise NotFound(f"assignment_id: no grid worker assignment {assignment_id} in grid "
                       f"{grid_code}", field="assignment_id")
    until = data["until"] or _today()
    if row.until is not None and row.until <= until:
        raise Conflict(f"until: the assignment already ended on {row.until}", field="until")
    if until < row.since:
        raise InvalidInput(f"until: {until} is before since {row.since}", field="until")
    row.until = until
    row.updated_at = utcnow()
    uow.emit("security.grid_worker_unassigned", {
        "assignment_id": row.id, "worker_id": row.worker_id, "grid_code": row.grid_code,
        "until": until.isoformat()}, org_code=row.grid_code)
    return render(row)
