"""Bulk import of residents: accept a file as a job, then work through it in batches.

``create_import`` (one RPC) reads the file into numbered rows and stores them with the job; ID
numbers are checked, hashed and sealed at once (a row never keeps one in clear), and rows whose
number is invalid or repeats an earlier line of the same file are rejected there and then. It
emits ``membership.resident_import_queued``. ``work_batch`` handles that event and each
``membership.resident_import_progressed`` it emits itself: one batch of rows per event, in one
transaction with the event's inbox record, so the progress is visible between batches and a
crash resumes at the first row still pending (the event is redelivered).

Each row is judged completely before anything is written, so a row is applied whole (its
household, resident and events) or not at all. A row whose ID number is already registered is
rejected as "already registered" and changes nothing: importing the same file twice adds no one.
Rows are applied as the importer (the job keeps who asked, their roles and scope): a grid
outside that scope is a rejected row.
"""
from __future__ import annotations

import json

from sqlalchemy import func, insert, select

from services.membership import residents
from services.membership.domain import imports as rules
from services.membership.domain import residents as resident_rules
from services.membership.models import Household, Resident
from services.membership.models.imports import ResidentImport, ResidentImportRow
from services.membership.schemas.imports import (
    ImportCreateSchema,
    ImportErrorQuerySchema,
    ImportSchema,
)
from services.membership.schemas.residents import ResidentCreateSchema
from shared.context import CallerContext
from shared.db import UnitOfWork
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import MAX_ROW_ID
from shared.pagination import decode_cursor, page_of
from shared.personal_data import PersonalData, check_phone, mask_id_number, parse_id_number
from shared.validation import load

_import_schema = ImportSchema()
SEALED = "id_number_sealed"


def render(job: ResidentImport) -> dict:
    return _import_schema.dump({
        "id": job.id, "status": job.status, "format": job.format, "scope": job.scope,
        "total": job.total, "processed": job.processed, "applied": job.applied,
        "rejected": job.rejected, "progress": rules.progress(job.total, job.processed),
        "created_at": job.created_at, "updated_at": job.updated_at,
        "finished_at": job.finished_at})


# --- accepting a file ----------------------------------------------------------------------

def _seal_row(personal: PersonalData, row: dict, seen: dict[str, int]) -> dict:
    """The row as stored: its ID number hashed and sealed, or the row rejected at once."""
    values = dict(row["values"])
    stored = {"import_id": None, "line": row["line"], "state": "pending",
              "id_number_hash": None, "field": row.get("field"), "reason": row.get("reason"),
              "resident_id": None}
    if stored["reason"] is None and "id_number" in values:
        raw = values.pop("id_number")
        try:
            id_number = parse_id_number(raw if isinstance(raw, str) else str(raw))
        except DomainError as exc:
            stored["field"], stored["reason"] = exc.field, rules.reason_of(exc.detail, exc.field)
        else:
            id_hash = personal.id_hash(id_number)
            if id_hash in seen:
                stored["field"] = "id_number"
                stored["reason"] = f"appears again in this file (first on line {seen[id_hash]})"
            else:
                seen[id_hash] = row["line"]
                stored["id_number_hash"] = id_hash
                values[SEALED] = personal.seal(id_number)
    values.pop("id_number", None)
    if stored["reason"] is not None:
        stored["state"] = "rejected"
        values = {}
    if stored["reason"] is not None:
        stored["reason"] = stored["reason"][:500]
    stored["values"] = json.dumps(values, default=str)
    return stored


def create_import(uow: UnitOfWork, personal: PersonalData, payload: dict) -> dict:
    rules.require_importer(uow.caller)
    scope = uow.caller.scope
    if not scope:
        raise InvalidInput("scope: an import is made by a caller with a territory scope",
                           field="scope")
    data = load(ImportCreateSchema, payload)
    rows = rules.parse(data["format"], data["text"])
    seen: dict[str, int] = {}
    stored = [_seal_row(personal, row, seen) for row in rows]
    rejected = sum(1 for row in stored if row["state"] == "rejected")
    job = ResidentImport(status="queued", format=data["format"], principal=uow.caller.actor,
                         roles=",".join(uow.caller.roles), scope=scope, total=len(stored),
                         processed=rejected, applied=0, rejected=rejected)
    uow.session.add(job)
    uow.session.flush()
    for row in stored:
        row["import_id"] = job.id
    # with RETURNING, SQLAlchemy sends many rows per statement ("insertmanyvalues") where a
    # plain executemany would make pg8000 send one statement per row
    uow.session.execute(insert(ResidentImportRow).returning(ResidentImportRow.id), stored)
    if rejected == len(stored):
        _finish(uow, job)
    else:
        uow.emit("membership.resident_import_queued", {"import_id": job.id, "total": job.total},
                 org_code=scope)
    return render(job)


# --- working through it --------------------------------------------------------------------

def _finish(uow: UnitOfWork, job: ResidentImport) -> None:
    job.status = "done"
    job.finished_at = utcnow()
    uow.session.flush()
    uow.emit("membership.resident_import_finished", {
        "import_id": job.id, "total": job.total, "applied": job.applied,
        "rejected": job.rejected}, org_code=job.scope)


def _household_for(uow: UnitOfWork, grid_code: str, address: str) -> Household:
    """The household at this address in this grid, recorded now if there is none."""
    household = uow.session.scalar(
        select(Household).where(Household.grid_code == grid_code, Household.address == address)
        .order_by(Household.id).limit(1))
    if household is None:
        household = Household(address=address, grid_code=grid_code, learning_family=False,
                              civilised_family=False)
        uow.session.add(household)
        uow.session.flush()
        uow.emit("membership.household_created", {
            "household_id": household.id, "grid_code": household.grid_code,
            "designations": []}, org_code=household.grid_code)
    return household


def apply_row(uow: UnitOfWork, personal: PersonalData, values: dict) -> Resident:
    """Register the resident of one row (and their household), or raise the refusal before
    writing anything."""
    values = dict(values)
    sealed = values.pop(SEALED, None)
    if sealed is None:
        raise InvalidInput("id_number: missing", field="id_number")
    household_address = values.pop("household_address", None)
    values.setdefault("residence", "registered")
    payload = {key: value if isinstance(value, str) else str(value)
               for key, value in values.items()}
    payload["id_number"] = personal.unseal(sealed)
    data = load(ResidentCreateSchema, payload)
    id_number = parse_id_number(data["id_number"])
    resident_rules.check_identity(id_number, data["birth_date"], data["gender"])
    name, address = data["name"].strip(), data["address"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    phone = check_phone(data["phone"]) if data["phone"] else None
    if household_address is not None:
        household_address = str(household_address).strip()
        if len(household_address) > 200:
            raise InvalidInput("household_address: at most 200 characters",
                               field="household_address")
    grid = residents.find_grid(uow, data["grid_code"])
    found = residents.find_by_id_number(uow, personal, id_number.value)
    if found is not None:
        raise Conflict("id_number: already registered" + (
            "" if uow.caller.can_see(found.grid_code) else " (outside your scope)"),
            field="id_number")
    household = _household_for(uow, grid.code, household_address) \
        if household_address else None
    resident = Resident(
        name=name, gender=id_number.gender, birth_date=id_number.birth_date,
        id_number_hash=personal.id_hash(id_number), id_number_sealed=personal.seal(id_number),
        id_number_masked=mask_id_number(id_number.value), phone=phone, address=address,
        grid_code=grid.code, household_id=household.id if household else None,
        residence=data["residence"], status="active")
    uow.session.add(resident)
    uow.session.flush()
    uow.emit("membership.resident_registered", {
        "resident_id": resident.id, "grid_code": resident.grid_code,
        "household_id": resident.household_id, "residence": resident.residence,
        "gender": resident.gender, "birth_date": resident.birth_date.isoformat()},
        org_code=resident.grid_code)
    if household is not None:
        uow.emit("membership.household_member_added", {
            "household_id": household.id, "grid_code": household.grid_code,
            "resident_id": resident.id}, org_code=household.grid_code)
    return resident


def work_batch(uow: UnitOfWork, personal: PersonalData, import_id: int,
               batch_size: int = rules.BATCH_SIZE) -> dict | None:
    """Apply or reject the next batch of an import's pending rows (as the importer)."""
    job = uow.session.scalar(select(ResidentImport).where(ResidentImport.id == import_id)
                             .with_for_update())
    if job is None or job.status == "done":
        return None
    rows = list(uow.session.scalars(
        select(ResidentImportRow).where(ResidentImportRow.import_id == job.id,
                                        ResidentImportRow.state == "pending")
        .order_by(ResidentImportRow.line).limit(batch_size)))
    job.status = "running"
    worker_caller = uow.caller
    uow.caller = CallerContext(job.principal, tuple(filter(None, job.roles.split(","))),
                               job.scope, worker_caller.correlation_id if worker_caller
                               else CallerContext.system().correlation_id)
    try:
        for row in rows:
            try:
                resident = apply_row(uow, personal, json.loads(row.values))
            except DomainError as exc:
                row.state, row.field = "rejected", exc.field
                row.reason = rules.reason_of(exc.detail, exc.field)[:500]
                job.rejected += 1
            else:
                row.state, row.resident_id = "applied", resident.id
                job.applied += 1
            row.values = "{}"  # judged: the sealed number is no longer needed
            job.processed += 1
    finally:
        uow.caller = worker_caller
    uow.session.flush()
    remaining = uow.session.scalar(select(func.count()).select_from(ResidentImportRow).where(
        ResidentImportRow.import_id == job.id, ResidentImportRow.state == "pending"))
    if remaining:
        uow.emit("membership.resident_import_progressed", {
            "import_id": job.id, "processed": job.processed, "total": job.total},
            org_code=job.scope)
    else:
        _finish(uow, job)
    return render(job)


# --- reading -------------------------------------------------------------------------------

def find_import(uow: UnitOfWork, import_id: int) -> ResidentImport:
    rules.require_importer(uow.caller)
    job = None
    if isinstance(import_id, int) and 0 < import_id <= MAX_ROW_ID:
        job = uow.session.get(ResidentImport, import_id)
    if job is None or not uow.caller.can_see(job.scope):
        raise NotFound(f"id: no import has the id {import_id}", field="id")
    return job


def get_import(uow: UnitOfWork, import_id: int) -> dict:
    return render(find_import(uow, import_id))


def list_errors(uow: UnitOfWork, import_id: int, query_args: dict) -> dict:
    args = load(ImportErrorQuerySchema, query_args)
    job = find_import(uow, import_id)
    after = decode_cursor(args["cursor"])
    if after is not None and not isinstance(after, int):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
    query = select(ResidentImportRow).where(ResidentImportRow.import_id == job.id,
                                            ResidentImportRow.state == "rejected")
    if after is not None:
        query = query.where(ResidentImportRow.line > after)
    rows = list(uow.session.scalars(query.order_by(ResidentImportRow.line)
                                    .limit(args["limit"] + 1)))
    return page_of(rows, args["limit"], key=lambda r: r.line,
                   render=lambda r: {"line": r.line, "field": r.field, "reason": r.reason})
