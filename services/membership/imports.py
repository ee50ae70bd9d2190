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

from sqlalchemy import case, func, insert, select, update

from services.membership import residents
from services.membership.domain import imports as rules
from services.membership.domain import residents as resident_rules
from services.membership.models import Household, Resident, TerritoryNode
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
from shared.pagination import MAX_ROW_ID, decode_cursor, page_of
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
        "finished_at": job.finished_at, "failure": job.failure})


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


class _Batch:
    """One batch of rows, judged completely before anything is written, then written in bulk.

    What every row needs from the database is fetched once per batch (its grid, whether its ID
    number is registered, the households at its addresses), and the batch's residents and
    households are inserted together: a batch costs a few statements, not a few per row.
    """

    def __init__(self, uow: UnitOfWork, personal: PersonalData, rows: list[ResidentImportRow]):
        self.uow = uow
        self.personal = personal
        self._grids: dict[str, object] = {}
        codes = {json.loads(row.values).get("grid_code") for row in rows} - {None}
        self._nodes = {node.code: node for node in uow.session.scalars(
            select(TerritoryNode).where(TerritoryNode.code.in_(
                [c for c in codes if isinstance(c, str)])))} if codes else {}
        hashes = [row.id_number_hash for row in rows if row.id_number_hash]
        self._registered: dict[str, str] = dict(uow.session.execute(
            select(Resident.id_number_hash, Resident.grid_code)
            .where(Resident.id_number_hash.in_(hashes))).all()) if hashes else {}

    def _grid(self, code: str):
        """The grid (or the refusal) of this code, looked up once per batch."""
        if code not in self._grids:
            try:
                self._grids[code] = residents.find_grid(self.uow, code,
                                                        node=self._nodes.get(code))
            except DomainError as exc:
                self._grids[code] = exc
        found = self._grids[code]
        if isinstance(found, DomainError):
            raise found
        return found

    def judge(self, row: ResidentImportRow) -> dict:
        """Everything needed to register this row's resident, or the refusal (nothing written)."""
        values = json.loads(row.values)
        sealed = values.pop(SEALED, None)
        if sealed is None or row.id_number_hash is None:
            raise InvalidInput("id_number: missing", field="id_number")
        household_address = values.pop("household_address", None)
        values.setdefault("residence", "registered")
        payload = {key: value if isinstance(value, str) else str(value)
                   for key, value in values.items()}
        payload["id_number"] = self.personal.unseal(sealed)
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
        grid = self._grid(data["grid_code"])
        if row.id_number_hash in self._registered:
            visible = self.uow.caller.can_see(self._registered[row.id_number_hash])
            raise Conflict("id_number: already registered"
                           + ("" if visible else " (outside your scope)"), field="id_number")
        return {"name": name, "id_number": id_number, "id_hash": row.id_number_hash,
                "sealed": sealed, "phone": phone, "address": address, "grid_code": grid.code,
                "residence": data["residence"], "household_address": household_address or None}

    def _households(self, plans: list[dict]) -> dict[tuple[str, str], Household]:
        """The household at each (grid, address) the plans name, recorded now where none is."""
        wanted = {(p["grid_code"], p["household_address"]) for p in plans if p["household_address"]}
        if not wanted:
            return {}
        found: dict[tuple[str, str], Household] = {}
        for household in self.uow.session.scalars(
                select(Household).where(Household.grid_code.in_({g for g, _ in wanted}),
                                        Household.address.in_({a for _, a in wanted}))
                .order_by(Household.id)):
            found.setdefault((household.grid_code, household.address), household)
        new = [Household(address=address, grid_code=grid, learning_family=False,
                         civilised_family=False)
               for grid, address in sorted(wanted - found.keys())]
        if new:
            self.uow.session.add_all(new)
            self.uow.session.flush()
            for household in new:
                found[(household.grid_code, household.address)] = household
                self.uow.emit("membership.household_created", {
                    "household_id": household.id, "grid_code": household.grid_code,
                    "designations": []}, org_code=household.grid_code)
        return found

    def register(self, plans: list[dict]) -> list[Resident]:
        """Insert the judged rows' residents (and households) and announce them."""
        households = self._households(plans)
        registered = []
        for plan in plans:
            household = households.get((plan["grid_code"], plan["household_address"]))
            registered.append(Resident(
                name=plan["name"], gender=plan["id_number"].gender,
                birth_date=plan["id_number"].birth_date, id_number_hash=plan["id_hash"],
                id_number_sealed=plan["sealed"],
                id_number_masked=mask_id_number(plan["id_number"].value), phone=plan["phone"],
                address=plan["address"], grid_code=plan["grid_code"],
                household_id=household.id if household else None,
                residence=plan["residence"], status="active"))
        self.uow.session.add_all(registered)
        self.uow.session.flush()
        for resident in registered:
            self.uow.emit("membership.resident_registered", {
                "resident_id": resident.id, "grid_code": resident.grid_code,
                "household_id": resident.household_id, "residence": resident.residence,
                "gender": resident.gender, "birth_date": resident.birth_date.isoformat()},
                org_code=resident.grid_code)
            if resident.household_id is not None:
                self.uow.emit("membership.household_member_added", {
                    "household_id": resident.household_id, "grid_code": resident.grid_code,
                    "resident_id": resident.id}, org_code=resident.grid_code)
        return registered


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
    job.status, job.failure, job.finished_at = "running", None, None  # a replay resumes a failed one
    worker_caller = uow.caller
    uow.caller = CallerContext(job.principal, tuple(filter(None, job.roles.split(","))),
                               job.scope, worker_caller.correlation_id if worker_caller
                               else CallerContext.system().correlation_id)
    try:
        batch = _Batch(uow, personal, rows)
        accepted, plans = [], []
        with uow.session.no_autoflush:  # judging reads; the rejections are written at the end
            for row in rows:
                try:
                    plans.append(batch.judge(row))
                except DomainError as exc:
                    row.state, row.field = "rejected", exc.field
                    row.reason = rules.reason_of(exc.detail, exc.field)[:500]
                    row.values = "{}"  # judged: the sealed number is no longer needed
                    job.rejected += 1
                else:
                    accepted.append(row.id)
                job.processed += 1
        registered = batch.register(plans)
    finally:
        uow.caller = worker_caller
    if accepted:  # one statement for the applied rows, not one per row
        resident_of = {row_id: resident.id
                       for row_id, resident in zip(accepted, registered, strict=True)}
        uow.session.execute(
            update(ResidentImportRow).where(ResidentImportRow.id.in_(accepted))
            .values(state="applied", values="{}",
                    resident_id=case(resident_of, value=ResidentImportRow.id))
            .execution_options(synchronize_session=False))
        job.applied += len(accepted)
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


def fail_job(uow: UnitOfWork, envelope: dict, error: BaseException) -> None:
    """A batch of this import was given up on (dead-lettered): the job stops as failed instead
    of looking "running" for ever. Only the kind of error is kept: its text could quote a row."""
    job = uow.session.scalar(select(ResidentImport).where(
        ResidentImport.id == envelope["data"]["import_id"]).with_for_update())
    if job is None or job.status == "done":
        return
    job.status, job.finished_at = "failed", utcnow()
    job.failure = (f"a batch failed {type(error).__name__} on every attempt and was set aside "
                   f"in the dead letters; rows {job.processed + 1}… are still pending")[:300]
    uow.emit("membership.resident_import_failed", {
        "import_id": job.id, "processed": job.processed, "total": job.total}, org_code=job.scope)


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
