"""Special populations use cases: supervision files (restricted to security officers), their
visits, re-screenings and closure, the per-community counts; floating-population checks and
their check rate.

Every supervision use case refuses any role but ``security_officer`` first (403), before a row
is read, so a list, a count or an id tells other roles nothing. A file is scoped by its
resident's grid: out of scope is answered exactly like missing (404). Membership is asked by the
entrypoints (the resident, the floating residents); the use cases get plain dicts. "Today" is
the UTC date unless a caller (a test) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select, update

from services.security.domain import special_populations as rules
from services.security.domain.catalogue import SECURITY_ROLES, WORKER_ROLES
from services.security.models.special_populations import (
    FloatingCheck,
    SupervisionFile,
    SupervisionScreening,
    SupervisionVisit,
)
from services.security.schemas.special_populations import (
    FloatingCheckCreateSchema,
    FloatingCheckListQuerySchema,
    FloatingCheckSchema,
    FloatingRateQuerySchema,
    SupervisionClosureSchema,
    SupervisionFileCreateSchema,
    SupervisionFileListQuerySchema,
    SupervisionFileSchema,
    SupervisionFileUpdateSchema,
    SupervisionHistoryQuerySchema,
    SupervisionScreeningCreateSchema,
    SupervisionScreeningSchema,
    SupervisionSummaryQuerySchema,
    SupervisionVisitCreateSchema,
    SupervisionVisitSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, decode_cursor, page_of
from shared.personal_data import mask_phone
from shared.validation import load

_file_schema = SupervisionFileSchema()
_visit_schema = SupervisionVisitSchema()
_screening_schema = SupervisionScreeningSchema()
_check_schema = FloatingCheckSchema()


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _officer(uow: UnitOfWork):
    """The caller, if a security officer: every other role is refused before anything is read."""
    caller = require_caller(uow.caller)
    require_role(caller, *SECURITY_ROLES)
    return caller


def _scope_prefix(caller, code: str | None) -> str:
    require_scope(caller, caller.scope or "", "scope")
    if code:
        require_scope(caller, code, "code")
        return code
    return caller.scope


# --- rendering --------------------------------------------------------------------------------

def render_file(row: SupervisionFile, today: date | None = None) -> dict:
    today = _today(today)
    is_open = row.status == rules.OPEN
    return _file_schema.dump({
        "id": row.id, "resident_id": row.resident_id, "resident_name": row.resident_name,
        "org_code": row.org_code, "category": row.category, "released_on": row.released_on,
        "supervision_until": row.supervision_until, "opened_on": row.opened_on,
        "risk_level": row.risk_level,
        "visit_every_days": rules.visit_every_days(row.risk_level, row.visit_every_days_override),
        "visit_every_days_overridden": row.visit_every_days_override is not None,
        "helper": {"name": row.helper_name, "phone": mask_phone(row.helper_phone),
                   "relation": row.helper_relation},
        "last_visited_on": row.last_visited_on, "next_visit_due": row.next_visit_due,
        "visit_overdue": is_open and rules.overdue(row.next_visit_due, today),
        "last_screened_on": row.last_screened_on, "next_screening_due": row.next_screening_due,
        "screening_overdue": is_open and rules.overdue(row.next_screening_due, today),
        "status": row.status, "closure_reason": row.closure_reason, "closed_on": row.closed_on,
        "created_by": row.created_by, "created_at": row.created_at, "updated_at": row.updated_at})


def _render_visit(visit: SupervisionVisit) -> dict:
    return _visit_schema.dump({
        "id": visit.id, "supervision_file_id": visit.file_id, "visited_on": visit.visited_on,
        "visitor": visit.visitor, "outcome": visit.outcome, "notes": visit.notes,
        "recorded_by": visit.recorded_by, "created_at": visit.created_at})


def _render_screening(screening: SupervisionScreening) -> dict:
    return _screening_schema.dump({
        "id": screening.id, "supervision_file_id": screening.file_id,
        "screened_on": screening.screened_on, "risk_level": screening.risk_level,
        "notes": screening.notes, "recorded_by": screening.recorded_by,
        "created_at": screening.created_at})


def _render_check(check: FloatingCheck) -> dict:
    return _check_schema.dump({
        "id": check.id, "resident_id": check.resident_id, "resident_name": check.resident_name,
        "org_code": check.org_code, "checked_on": check.checked_on, "checker": check.checker,
        "result": check.result, "notes": check.notes, "recorded_by": check.recorded_by,
        "created_at": check.created_at})


# --- supervision files ------------------------------------------------------------------------

def _visible_file(uow: UnitOfWork, file_id, for_update: bool = False) -> SupervisionFile:
    _officer(uow)
    return find_by_id(uow, SupervisionFile, file_id, code_column=SupervisionFile.org_code,
                      what="supervision file", for_update=for_update)


def _lock(uow: UnitOfWork, row: SupervisionFile) -> None:
    """Bump the lock version first (SQLite's write lock, PostgreSQL's row lock), so two visits
    or a visit and a closure on one file are applied one after the other."""
    uow.session.execute(update(SupervisionFile).where(SupervisionFile.id == row.id)
                        .values(lock_version=SupervisionFile.lock_version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.refresh(row)


def _reschedule(row: SupervisionFile) -> None:
    every = rules.visit_every_days(row.risk_level, row.visit_every_days_override)
    row.next_visit_due = rules.next_visit_due(row.opened_on, row.last_visited_on, every)
    row.next_screening_due = rules.next_screening_due(row.opened_on, row.last_screened_on)


def check_file_create(uow: UnitOfWork, payload: dict) -> dict:
    """The file to open, loaded, from a security officer; refused before membership is asked."""
    _officer(uow)
    return load(SupervisionFileCreateSchema, payload)


def _check_resident(uow: UnitOfWork, resident: dict, resident_id: int) -> None:
    """``resident`` is membership's answer for ``resident_id`` (only what the caller sees)."""
    if resident.get("id") != resident_id or not require_caller(uow.caller).can_see(
            resident.get("grid_code") or "-"):
        raise NotFound(f"resident_id: no resident {resident_id} in your scope",
                       field="resident_id")


def open_file(uow: UnitOfWork, payload: dict, resident: dict, today: date | None = None) -> dict:
    """Open a resident's supervision file (one open file per resident) with its helper; the
    first visit is due after the risk level's cadence, the first re-screening after 90 days."""
    data = check_file_create(uow, payload)
    today = _today(today)
    _check_resident(uow, resident, data["resident_id"])
    rules.check_supervised(resident, data["resident_id"])
    opened_on = data["opened_on"] or today
    rules.check_supervision_dates(data["released_on"], data["supervision_until"], opened_on,
                                  today)
    if uow.session.scalar(select(SupervisionFile.id).where(
            SupervisionFile.resident_id == data["resident_id"],
            SupervisionFile.status == rules.OPEN)):
        raise Conflict(f"resident_id: resident {data['resident_id']} already has an open "
                       "supervision file", field="resident_id")
    helper = data["helper"]
    row = SupervisionFile(
        resident_id=resident["id"], resident_name=(resident.get("name") or "")[:100],
        org_code=resident["grid_code"], category=data["category"],
        released_on=data["released_on"], supervision_until=data["supervision_until"],
        opened_on=opened_on, risk_level=data["risk_level"],
        visit_every_days_override=data["visit_every_days"],
        helper_name=helper["name"].strip(), helper_phone=helper["phone"],
        helper_relation=helper["relation"], status=rules.OPEN, lock_version=0,
        created_by=_actor(uow))
    _reschedule(row)
    uow.session.add(row)
    uow.session.flush()
    uow.emit("security.supervision_file_opened", {
        "supervision_file_id": row.id, "resident_id": row.resident_id, "org_code": row.org_code,
        "category": row.category, "risk_level": row.risk_level,
        "opened_on": row.opened_on.isoformat()}, org_code=row.org_code)
    return render_file(row, today)


def get_file(uow: UnitOfWork, file_id, today: date | None = None) -> dict:
    return render_file(_visible_file(uow, file_id), today)


def list_files(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    caller = _officer(uow)
    args = load(SupervisionFileListQuerySchema, query_args)
    today = _today(today)
    prefix = _scope_prefix(caller, args["code"])
    query = select(SupervisionFile).where(SupervisionFile.org_code.startswith(prefix))
    for name in ("status", "category", "risk_level", "resident_id"):
        if args[name] is not None:
            query = query.where(getattr(SupervisionFile, name) == args[name])
    for name, column in (("overdue_visit", SupervisionFile.next_visit_due),
                         ("overdue_screening", SupervisionFile.next_screening_due)):
        if args[name] is True:
            query = query.where(SupervisionFile.status == rules.OPEN, column < today)
        elif args[name] is False:
            query = query.where(or_(SupervisionFile.status != rules.OPEN, column >= today))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(SupervisionFile.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(SupervisionFile.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda r: r.id, render=lambda r: render_file(r, today))


def update_file(uow: UnitOfWork, file_id, payload: dict, today: date | None = None) -> dict:
    """Change the supervision end, the helper, or the file's own visit cadence (null: the risk
    level's again)."""
    _officer(uow)
    data = load(SupervisionFileUpdateSchema, payload)
    row = _visible_file(uow, file_id)
    _lock(uow, row)
    rules.check_open(row.status)
    if "supervision_until" in data:
        until = data["supervision_until"]
        if until is not None and until < row.released_on:
            raise InvalidInput(f"supervision_until: {until} is before released_on "
                               f"{row.released_on}", field="supervision_until")
        row.supervision_until = until
    if "helper" in data:
        helper = data["helper"]
        row.helper_name, row.helper_phone = helper["name"].strip(), helper["phone"]
        row.helper_relation = helper["relation"]
    if "visit_every_days" in data:
        row.visit_every_days_override = data["visit_every_days"]
        _reschedule(row)
    row.updated_at = utcnow()
    uow.session.flush()
    return render_file(row, today)


def record_visit(uow: UnitOfWork, file_id, payload: dict, today: date | None = None) -> dict:
    """A visit to the supervised person; one that met them moves the next visit due."""
    _officer(uow)
    data = load(SupervisionVisitCreateSchema, payload)
    today = _today(today)
    row = _visible_file(uow, file_id)
    _lock(uow, row)
    rules.check_open(row.status)
    rules.check_record_date(data["visited_on"], row.opened_on, today, "visited_on")
    visit = SupervisionVisit(file_id=row.id, visited_on=data["visited_on"],
                             visitor=data["visitor"].strip(), outcome=data["outcome"],
                             notes=_clean(data["notes"]), recorded_by=_actor(uow))
    uow.session.add(visit)
    if rules.counts_as_visit(data["outcome"]) and (
            row.last_visited_on is None or data["visited_on"] > row.last_visited_on):
        row.last_visited_on = data["visited_on"]
        _reschedule(row)
    row.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.supervision_visit_recorded", {
        "supervision_file_id": row.id, "visit_id": visit.id, "resident_id": row.resident_id,
        "org_code": row.org_code, "visited_on": visit.visited_on.isoformat(),
        "outcome": visit.outcome}, org_code=row.org_code)
    return {"visit": _render_visit(visit), "file": render_file(row, today)}


def record_screening(uow: UnitOfWork, file_id, payload: dict,
                     today: date | None = None) -> dict:
    """A re-screening; the latest one sets the file's risk level, and so its visit cadence."""
    _officer(uow)
    data = load(SupervisionScreeningCreateSchema, payload)
    today = _today(today)
    row = _visible_file(uow, file_id)
    _lock(uow, row)
    rules.check_open(row.status)
    rules.check_record_date(data["screened_on"], row.opened_on, today, "screened_on")
    screening = SupervisionScreening(file_id=row.id, screened_on=data["screened_on"],
                                     risk_level=data["risk_level"], notes=_clean(data["notes"]),
                                     recorded_by=_actor(uow))
    uow.session.add(screening)
    if row.last_screened_on is None or data["screened_on"] >= row.last_screened_on:
        row.last_screened_on = data["screened_on"]
        row.risk_level = data["risk_level"]
        _reschedule(row)
    row.updated_at = utcnow()
    uow.session.flush()
    return {"screening": _render_screening(screening), "file": render_file(row, today)}


def _history(uow: UnitOfWork, file_id, query_args: dict, model, render) -> dict:
    """A file's visits or screenings, in the order they were recorded."""
    _officer(uow)
    args = load(SupervisionHistoryQuerySchema, query_args)
    row = _visible_file(uow, file_id)
    query = select(model).where(model.file_id == row.id)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(model.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(model.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda r: r.id, render=render)


def list_visits(uow: UnitOfWork, file_id, query_args: dict) -> dict:
    return _history(uow, file_id, query_args, SupervisionVisit, _render_visit)


def list_screenings(uow: UnitOfWork, file_id, query_args: dict) -> dict:
    return _history(uow, file_id, query_args, SupervisionScreening, _render_screening)


def close_file(uow: UnitOfWork, file_id, payload: dict, today: date | None = None) -> dict:
    _officer(uow)
    data = load(SupervisionClosureSchema, payload)
    today = _today(today)
    row = _visible_file(uow, file_id)
    _lock(uow, row)
    rules.check_open(row.status)
    rules.check_record_date(data["closed_on"], row.opened_on, today, "closed_on")
    row.status, row.closure_reason, row.closed_on = rules.CLOSED, data["reason"], data["closed_on"]
    row.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.supervision_file_closed", {
        "supervision_file_id": row.id, "resident_id": row.resident_id, "org_code": row.org_code,
        "reason": row.closure_reason, "closed_on": row.closed_on.isoformat()},
        org_code=row.org_code)
    return render_file(row, today)


def _community_page(rows: list[dict], args: dict) -> dict:
    after = decode_cursor(args["cursor"])
    if after is not None:
        rows = [r for r in rows if r["community_code"] > str(after)]
    return page_of(rows[:args["limit"] + 1], args["limit"], key=lambda r: r["community_code"],
                   render=lambda r: r)


def summary(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    """Per community: open files, those with a visit or re-screening overdue, and files closed
    as reintegrated this year."""
    caller = _officer(uow)
    args = load(SupervisionSummaryQuerySchema, query_args)
    today = _today(today)
    prefix = _scope_prefix(caller, args["code"])
    is_open = SupervisionFile.status == rules.OPEN
    counted = select(
        SupervisionFile.org_code,
        func.sum(case((is_open, 1), else_=0)),
        func.sum(case((and_(is_open, or_(SupervisionFile.next_visit_due < today,
                                         SupervisionFile.next_screening_due < today)), 1),
                      else_=0)),
        func.sum(case((and_(SupervisionFile.closure_reason == "reintegrated",
                            SupervisionFile.closed_on >= date(today.year, 1, 1),
                            SupervisionFile.closed_on <= today), 1), else_=0)),
    ).where(SupervisionFile.org_code.startswith(prefix)).group_by(SupervisionFile.org_code)
    by_community: dict[str, dict] = {}
    for grid, n_open, n_overdue, n_back in uow.session.execute(counted):
        row = by_community.setdefault(rules.community_of(grid), {
            "community_code": rules.community_of(grid), "open": 0, "overdue": 0,
            "reintegrated_this_year": 0})
        row["open"] += int(n_open or 0)
        row["overdue"] += int(n_overdue or 0)
        row["reintegrated_this_year"] += int(n_back or 0)
    rows = [by_community[code] for code in sorted(by_community)]
    return {"code": prefix, "as_of": today.isoformat(), **_community_page(rows, args)}


# --- floating-population checks ---------------------------------------------------------------

def check_floating_create(uow: UnitOfWork, payload: dict) -> dict:
    data = load(FloatingCheckCreateSchema, payload)
    require_role(require_caller(uow.caller), *WORKER_ROLES)
    return data


def record_floating_check(uow: UnitOfWork, payload: dict, resident: dict,
                          today: date | None = None) -> dict:
    """A registration check of a floating resident (``resident`` is membership's answer)."""
    data = check_floating_create(uow, payload)
    today = _today(today)
    _check_resident(uow, resident, data["resident_id"])
    rules.check_floating(resident, data["resident_id"])
    if data["checked_on"] > today:
        raise InvalidInput(f"checked_on: {data['checked_on']} is in the future",
                           field="checked_on")
    check = FloatingCheck(
        resident_id=resident["id"], resident_name=(resident.get("name") or "")[:100],
        org_code=resident["grid_code"], checked_on=data["checked_on"],
        checker=data["checker"].strip(), result=data["result"], notes=_clean(data["notes"]),
        recorded_by=_actor(uow))
    uow.session.add(check)
    uow.session.flush()
    uow.emit("security.floating_check_recorded", {
        "floating_check_id": check.id, "resident_id": check.resident_id,
        "org_code": check.org_code, "checked_on": check.checked_on.isoformat(),
        "result": check.result}, org_code=check.org_code)
    return _render_check(check)


def list_floating_checks(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(FloatingCheckListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    prefix = _scope_prefix(caller, args["code"])
    query = select(FloatingCheck).where(FloatingCheck.org_code.startswith(prefix))
    for name in ("resident_id", "result"):
        if args[name] is not None:
            query = query.where(getattr(FloatingCheck, name) == args[name])
    if args["from_"]:
        query = query.where(FloatingCheck.checked_on >= args["from_"])
    if args["to"]:
        query = query.where(FloatingCheck.checked_on <= args["to"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(FloatingCheck.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(FloatingCheck.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda r: r.id, render=_render_check)


def check_rate_query(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    """The query loaded, its code (default: the caller's scope) in scope and its period
    resolved; refused before membership is asked for the floating residents."""
    args = load(FloatingRateQuerySchema, query_args)
    caller = require_caller(uow.caller)
    today = _today(today)
    args["code"] = _scope_prefix(caller, args["code"])
    args["from_"] = args["from_"] or date(today.year, 1, 1)
    args["to"] = args["to"] or today
    rules.check_period(args["from_"], args["to"])
    return args


def rate_report(uow: UnitOfWork, query_args: dict, floating: list[dict],
                today: date | None = None) -> dict:
    """Per community: its floating residents now (membership's ``floating``), how many of them
    were checked in the period (distinct), the rate against the 100% target."""
    args = check_rate_query(uow, query_args, today)
    caller = require_caller(uow.caller)
    code = args["code"]
    by_community: dict[str, set[int]] = {}
    for resident in floating:
        grid = resident.get("grid_code") or "-"
        if grid.startswith(code) and caller.can_see(grid):
            by_community.setdefault(rules.community_of(grid), set()).add(resident["id"])
    checked: dict[str, set[int]] = {}
    for resident_id, grid in uow.session.execute(
            select(FloatingCheck.resident_id, FloatingCheck.org_code).distinct().where(
                FloatingCheck.org_code.startswith(code),
                FloatingCheck.checked_on >= args["from_"],
                FloatingCheck.checked_on <= args["to"])):
        checked.setdefault(rules.community_of(grid), set()).add(resident_id)
    rows = []
    for community in sorted(set(by_community) | set(checked)):
        residents = by_community.get(community, set())
        rows.append({"community_code": community,
                     **rules.check_rate(len(residents),
                                        len(residents & checked.get(community, set())))})
    return {"code": code, "from": args["from_"].isoformat(), "to": args["to"].isoformat(),
            **_community_page(rows, args)}
