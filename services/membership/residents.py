"""Resident use cases: load, apply the rules in ``domain.residents``, store, emit.

ID numbers arrive in clear, are checked, and are stored only as a keyed hash and a sealed copy
(``shared.personal_data``); every answer carries the mask. Phone numbers are whole for one
resident, masked in lists and exports. Restricted flags are left out for everyone but security
officers: in reads, lists, filters and exports.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from services.membership import volunteers
from services.membership.domain import residents as rules
from services.membership.domain.territory import level_of_code
from services.membership.honours import current_honours
from services.membership.models import Household, Resident, ResidentFlag, ResidentMove
from services.membership.schemas.residents import (
    ExportPageQuerySchema,
    FlagClearSchema,
    FlagSetSchema,
    MoveSchema,
    ResidentCreateSchema,
    ResidentListQuerySchema,
    ResidentSchema,
    ResidentUpdateSchema,
)
from services.membership.territory import find_node
from shared.context import require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.personal_data import (
    PersonalData,
    check_phone,
    mask_id_number,
    mask_phone,
    parse_id_number,
)
from shared.territory import refile_codes
from shared.validation import load

_resident_schema = ResidentSchema()


def today() -> date:
    return date.today()


# --- reading -------------------------------------------------------------------------------

def _current_flags(uow: UnitOfWork, resident_ids: list[int]) -> dict[int, list[ResidentFlag]]:
    found: dict[int, list[ResidentFlag]] = {rid: [] for rid in resident_ids}
    if not resident_ids:
        return found
    rows = uow.session.scalars(
        select(ResidentFlag).where(ResidentFlag.resident_id.in_(resident_ids),
                                   ResidentFlag.cleared_on.is_(None))
        .order_by(ResidentFlag.flag))
    for row in rows:
        found[row.resident_id].append(row)
    return found


def render(uow: UnitOfWork, resident: Resident, flags: list[ResidentFlag], *,
           whole_phone: bool = False, history: list[ResidentFlag] | None = None) -> dict:
    caller = uow.caller
    shown = {
        "id": resident.id, "name": resident.name, "gender": resident.gender,
        "birth_date": resident.birth_date,
        "age_band": rules.age_band_of(resident.birth_date, today()),
        "id_number": resident.id_number_masked,
        "phone": resident.phone if whole_phone else mask_phone(resident.phone),
        "address": resident.address, "grid_code": resident.grid_code,
        "household_id": resident.household_id, "residence": resident.residence,
        "status": resident.status, "moved_out_on": resident.moved_out_on,
        "flags": [{"flag": f.flag, "since": f.set_on, "reason": f.set_reason}
                  for f in rules.visible_flags(caller, flags)],
        "created_at": resident.created_at, "updated_at": resident.updated_at,
    }
    if history is not None:
        shown["flag_history"] = [
            {"flag": f.flag, "set_on": f.set_on, "set_reason": f.set_reason, "set_by": f.set_by,
             "cleared_on": f.cleared_on, "cleared_reason": f.cleared_reason,
             "cleared_by": f.cleared_by}
            for f in rules.visible_flags(caller, history)]
    return _resident_schema.dump(shown)


def render_one(uow: UnitOfWork, resident: Resident) -> dict:
    history = list(uow.session.scalars(
        select(ResidentFlag).where(ResidentFlag.resident_id == resident.id)
        .order_by(ResidentFlag.id)))
    current = [f for f in history if f.cleared_on is None]
    return {**render(uow, resident, current, whole_phone=True, history=history),
            "honours": current_honours(uow, resident_id=resident.id)}


def find_resident(uow: UnitOfWork, resident_id: int, field: str = "id",
                  for_update: bool = False) -> Resident:
    """The resident with this id, refused if it lies outside the caller's scope."""
    return find_by_id(uow, Resident, resident_id, code_column=Resident.grid_code,
                      what="resident", field=field, for_update=for_update)


def get_resident(uow: UnitOfWork, resident_id: int) -> dict:
    return render_one(uow, find_resident(uow, resident_id))


def find_grid(uow: UnitOfWork, code: str, field: str = "grid_code", node=None):
    """An active grid in the caller's scope (refused before the lookup when out of scope).
    ``node``: the node with this code, when the caller has already read it."""
    require_scope(uow.caller, code, field)
    node = node if node is not None and node.code == code else find_node(uow, code, field)
    require_scope(uow.caller, node.code, field)
    if node.level != "grid":
        raise InvalidInput(f"{field}: {code} is a {node.level}, not a grid", field=field)
    if node.status != "active":
        raise Conflict(f"{field}: {code} was merged away", field=field)
    return node


def _household(uow: UnitOfWork, household_id: int, grid_code: str, field: str = "household_id"):
    household = uow.session.get(Household, household_id)
    if household is None:
        raise NotFound(f"{field}: no household has the id {household_id}", field=field)
    require_scope(uow.caller, household.grid_code, field)
    if household.grid_code != grid_code:
        raise Conflict(f"{field}: the household is in grid {household.grid_code}, not "
                       f"{grid_code}", field=field)
    return household


def _refuse_duplicate(uow: UnitOfWork, id_hash: str, except_id: int | None = None) -> None:
    query = select(Resident.id, Resident.status).where(Resident.id_number_hash == id_hash)
    if except_id is not None:
        query = query.where(Resident.id != except_id)
    found = uow.session.execute(query).first()
    if found is not None:
        moved = " (moved out)" if found.status == "moved_out" else ""
        raise Conflict(f"id_number: already registered, as resident {found.id}{moved}",
                       field="id_number")


def _flush_refusing_duplicates(uow: UnitOfWork) -> None:
    """Flush; the same ID number registered at the same moment by another worker (the unique
    hash) is the same 409 as one registered before."""
    try:
        uow.session.flush()
    except IntegrityError:
        raise Conflict("id_number: already registered (just now)", field="id_number") from None


# --- writing -------------------------------------------------------------------------------

def register_resident(uow: UnitOfWork, personal: PersonalData, payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(ResidentCreateSchema, payload)
    id_number = parse_id_number(data["id_number"])
    rules.check_identity(id_number, data["birth_date"], data["gender"])
    if not data["name"].strip():
        raise InvalidInput("name: must not be blank", field="name")
    if not data["address"].strip():
        raise InvalidInput("address: must not be blank", field="address")
    phone = check_phone(data["phone"]) if data["phone"] else None
    grid = find_grid(uow, data["grid_code"])
    household = _household(uow, data["household_id"], grid.code) \
        if data["household_id"] is not None else None
    id_hash = personal.id_hash(id_number)
    _refuse_duplicate(uow, id_hash)
    resident = Resident(
        name=data["name"].strip(), gender=id_number.gender, birth_date=id_number.birth_date,
        id_number_hash=id_hash, id_number_sealed=personal.seal(id_number),
        id_number_masked=mask_id_number(id_number.value), phone=phone,
        address=data["address"].strip(), grid_code=grid.code,
        household_id=household.id if household else None, residence=data["residence"],
        status="active")
    uow.session.add(resident)
    _flush_refusing_duplicates(uow)
    uow.emit("membership.resident_registered", {
        "resident_id": resident.id, "grid_code": resident.grid_code,
        "household_id": resident.household_id, "residence": resident.residence,
        "gender": resident.gender, "birth_date": resident.birth_date.isoformat()},
        org_code=resident.grid_code)
    if household is not None:
        uow.emit("membership.household_member_added", {
            "household_id": household.id, "grid_code": household.grid_code,
            "resident_id": resident.id}, org_code=household.grid_code)
    return render_one(uow, resident)


def update_resident(uow: UnitOfWork, personal: PersonalData, resident_id: int,
                    payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(ResidentUpdateSchema, payload)
    resident = find_resident(uow, resident_id, for_update=True)
    rules.require_active(resident.status)
    changed = []
    if "id_number" in data:
        id_number = parse_id_number(data["id_number"])
        id_hash = personal.id_hash(id_number)
        if id_hash != resident.id_number_hash:
            _refuse_duplicate(uow, id_hash, except_id=resident.id)
            resident.id_number_hash = id_hash
            resident.id_number_sealed = personal.seal(id_number)
            resident.id_number_masked = mask_id_number(id_number.value)
            changed.append("id_number")
            _flush_refusing_duplicates(uow)
        rules.check_identity(id_number, data.get("birth_date"), data.get("gender"))
        for field, value in (("birth_date", id_number.birth_date), ("gender", id_number.gender)):
            if getattr(resident, field) != value:
                setattr(resident, field, value)
                changed.append(field)
    else:
        for field in ("birth_date", "gender"):
            if field in data and data[field] != getattr(resident, field):
                raise InvalidInput(f"{field}: is read from the ID number; correct the ID number",
                                   field=field)
    for field in ("name", "address"):
        if field in data:
            value = data[field].strip()
            if not value:
                raise InvalidInput(f"{field}: must not be blank", field=field)
            if value != getattr(resident, field):
                setattr(resident, field, value)
                changed.append(field)
    if "phone" in data:
        phone = check_phone(data["phone"]) if data["phone"] else None
        if phone != resident.phone:
            resident.phone = phone
            changed.append("phone")
    if "residence" in data and data["residence"] != resident.residence:
        resident.residence = data["residence"]
        changed.append("residence")
    if changed:
        uow.session.flush()
        uow.emit("membership.resident_updated", {
            "resident_id": resident.id, "grid_code": resident.grid_code, "changed": changed},
            org_code=resident.grid_code)
    return render_one(uow, resident)


def leave_household(uow: UnitOfWork, resident: Resident) -> None:
    """Take the resident out of their household (clearing its representative if it was them)."""
    if resident.household_id is None:
        return
    household = uow.session.get(Household, resident.household_id)
    resident.household_id = None
    if household is None:
        return
    if household.representative_id == resident.id:
        household.representative_id = None
    uow.emit("membership.household_member_removed", {
        "household_id": household.id, "grid_code": household.grid_code,
        "resident_id": resident.id}, org_code=household.grid_code)


def move_resident(uow: UnitOfWork, resident_id: int, payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(MoveSchema, payload)
    resident = find_resident(uow, resident_id, for_update=True)
    rules.require_active(resident.status)
    moved_on = data["moved_on"] or today()
    rules.check_move(data["kind"], resident.grid_code, data["to_grid_code"], moved_on, today())
    from_grid = resident.grid_code
    to_grid = None
    if data["kind"] == "within":
        to_grid = find_grid(uow, data["to_grid_code"], "to_grid_code").code
        if data["address"] is not None:
            if not data["address"].strip():
                raise InvalidInput("address: must not be blank", field="address")
            resident.address = data["address"].strip()
        resident.grid_code = to_grid
    else:
        if data["address"] is not None:
            raise InvalidInput("address: a move out of the territory records no new address",
                               field="address")
        resident.status = "moved_out"
        resident.moved_out_on = moved_on
        volunteers.stand_down_moved_out(uow, resident.id)
    leave_household(uow, resident)
    uow.session.add(ResidentMove(resident_id=resident.id, kind=data["kind"],
                                 from_grid_code=from_grid, to_grid_code=to_grid,
                                 moved_on=moved_on, reason=data["reason"]))
    uow.session.flush()
    uow.emit("membership.resident_moved", {
        "resident_id": resident.id, "kind": data["kind"], "from_grid_code": from_grid,
        "to_grid_code": to_grid, "moved_on": moved_on.isoformat()}, org_code=from_grid)
    return render_one(uow, resident)


# --- flags ---------------------------------------------------------------------------------

def _flag_event(uow: UnitOfWork, event: str, resident: Resident, flag: str, on: date,
                reason: str) -> None:
    restricted = flag in rules.RESTRICTED_FLAGS
    uow.emit(event, {
        "resident_id": resident.id, "grid_code": resident.grid_code, "flag": flag,
        "restricted": restricted, "on": on.isoformat(),
        "reason": None if restricted else reason}, org_code=resident.grid_code)


def set_flag(uow: UnitOfWork, resident_id: int, payload: dict) -> dict:
    data = load(FlagSetSchema, payload)
    rules.require_flag_editor(uow.caller, data["flag"])
    resident = find_resident(uow, resident_id, for_update=True)
    rules.require_active(resident.status)
    on = data["on"] or today()
    rules.check_flag_date(on, today())
    if not data["reason"].strip():
        raise InvalidInput("reason: must not be blank", field="reason")
    current = uow.session.scalar(select(ResidentFlag).where(
        ResidentFlag.resident_id == resident.id, ResidentFlag.flag == data["flag"],
        ResidentFlag.cleared_on.is_(None)))
    if current is not None:
        raise Conflict(f"flag: {data['flag']} is already set (since {current.set_on})",
                       field="flag")
    uow.session.add(ResidentFlag(resident_id=resident.id, flag=data["flag"], set_on=on,
                                 set_reason=data["reason"].strip(), set_by=uow.caller.actor))
    uow.session.flush()
    _flag_event(uow, "membership.resident_flagged", resident, data["flag"], on,
                data["reason"].strip())
    return render_one(uow, resident)


def clear_flag(uow: UnitOfWork, resident_id: int, flag: str, payload: dict) -> dict:
    data = load(FlagClearSchema, payload)
    rules.require_flag_editor(uow.caller, flag)
    resident = find_resident(uow, resident_id, for_update=True)
    on = data["on"] or today()
    rules.check_flag_date(on, today())
    if not data["reason"].strip():
        raise InvalidInput("reason: must not be blank", field="reason")
    current = uow.session.scalar(select(ResidentFlag).where(
        ResidentFlag.resident_id == resident.id, ResidentFlag.flag == flag,
        ResidentFlag.cleared_on.is_(None)))
    if current is None:
        raise NotFound(f"flag: {flag} is not set on this resident", field="flag")
    if on < current.set_on:
        raise InvalidInput(f"on: the flag was set on {current.set_on}; it cannot be cleared "
                           f"before", field="on")
    current.cleared_on = on
    current.cleared_reason = data["reason"].strip()
    current.cleared_by = uow.caller.actor
    uow.session.flush()
    _flag_event(uow, "membership.resident_unflagged", resident, flag, on,
                data["reason"].strip())
    return render_one(uow, resident)


# --- lists and export ----------------------------------------------------------------------

def _filtered(uow: UnitOfWork, args: dict, prefix: str):
    query = select(Resident).where(Resident.grid_code.like(f"{prefix}%"))
    if args.get("status", "active") != "all":
        query = query.where(Resident.status == args.get("status", "active"))
    if args.get("q"):
        query = query.where(Resident.name.contains(args["q"], autoescape=True))
    if args.get("residence"):
        query = query.where(Resident.residence == args["residence"])
    if args.get("household_id"):
        query = query.where(Resident.household_id == args["household_id"])
    if args.get("age_band"):
        earliest, latest = rules.birth_dates_for_band(args["age_band"], today())
        query = query.where(Resident.birth_date <= latest)
        if earliest is not None:
            query = query.where(Resident.birth_date >= earliest)
    if args.get("flag"):
        rules.require_flag_filter(uow.caller, args["flag"])
        query = query.where(exists().where(
            ResidentFlag.resident_id == Resident.id, ResidentFlag.flag == args["flag"],
            ResidentFlag.cleared_on.is_(None)))
    return query


def find_by_id_number(uow: UnitOfWork, personal: PersonalData, id_number: str) -> Resident | None:
    """The resident registered with this ID number (through its keyed hash), in scope or not:
    for callers inside the service (a bulk import matching rows). ID numbers never travel in
    URLs, where access logs would keep them."""
    return uow.session.scalar(select(Resident).where(
        Resident.id_number_hash == personal.id_hash(parse_id_number(id_number))))


def _page(uow: UnitOfWork, query, cursor, limit: int) -> tuple[list[Resident], dict, bool]:
    after = after_id(cursor)
    if after is not None:
        query = query.where(Resident.id > after)
    rows = list(uow.session.scalars(query.order_by(Resident.id).limit(limit + 1)))
    return rows, _current_flags(uow, [r.id for r in rows[:limit]]), len(rows) > limit


def list_residents(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(ResidentListQuerySchema, query_args)
    scope = uow.caller.scope if uow.caller else None
    require_scope(uow.caller, scope or "")
    prefix = scope
    if args["code"]:
        require_scope(uow.caller, args["code"], "code")
        prefix = args["code"]
    query = _filtered(uow, args, prefix)
    rows, flags, _ = _page(uow, query, args["cursor"], args["limit"])
    return page_of(rows, args["limit"], key=lambda r: r.id,
                   render=lambda r: render(uow, r, flags[r.id]))


def export_page(uow: UnitOfWork, query_args: dict) -> dict:
    """One page of a community's residents (all statuses) for the CSV export, masked."""
    args = load(ExportPageQuerySchema, query_args)
    code = args["community"]
    require_scope(uow.caller, code, "community")
    node = find_node(uow, code, "community")
    require_scope(uow.caller, node.code, "community")
    if level_of_code(node.code) != "community":
        raise InvalidInput(f"community: {code} is a {node.level}, not a community",
                           field="community")
    query = _filtered(uow, {"status": "all"}, node.code)
    rows, flags, _ = _page(uow, query, args["cursor"], args["limit"])
    return page_of(rows, args["limit"], key=lambda r: r.id,
                   render=lambda r: render(uow, r, flags[r.id]))


# --- territory changes ---------------------------------------------------------------------

def follow_merge(uow: UnitOfWork, moves: list[dict]) -> dict:
    """Residents and households of grids re-coded by a community merge follow their grid."""
    return refile_codes(uow, [Resident.grid_code, Household.grid_code], moves)
