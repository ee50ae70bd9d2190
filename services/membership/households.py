"""Household use cases: a household 户 in a grid, its members, representative and designations."""
from __future__ import annotations

from sqlalchemy import func, select

from services.membership.domain import residents as rules
from services.membership.honours import current_honours
from services.membership.models import Household, Resident
from services.membership.residents import (
    find_grid,
    find_resident,
    leave_household,
    today,
)
from services.membership.schemas.residents import (
    HouseholdCreateSchema,
    HouseholdListQuerySchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
    MemberAddSchema,
)
from shared.context import require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load

_household_schema = HouseholdSchema()


def _designations(household: Household) -> list[str]:
    return [name for name in rules.DESIGNATIONS if getattr(household, name)]


def render(household: Household, member_count: int, members: list[Resident] | None = None) -> dict:
    shown = {
        "id": household.id, "address": household.address, "grid_code": household.grid_code,
        "representative_id": household.representative_id,
        "designations": _designations(household), "member_count": member_count,
        "created_at": household.created_at, "updated_at": household.updated_at,
    }
    if members is not None:
        shown["members"] = [{"id": m.id, "name": m.name, "gender": m.gender,
                             "age_band": rules.age_band_of(m.birth_date, today())}
                            for m in members]
    return _household_schema.dump(shown)


def _members(uow: UnitOfWork, household: Household) -> list[Resident]:
    return list(uow.session.scalars(
        select(Resident).where(Resident.household_id == household.id).order_by(Resident.id)))


def render_one(uow: UnitOfWork, household: Household) -> dict:
    members = _members(uow, household)
    return {**render(household, len(members), members),
            "honours": current_honours(uow, household_id=household.id)}


def find_household(uow: UnitOfWork, household_id: int, field: str = "id",
                   for_update: bool = False) -> Household:
    return find_by_id(uow, Household, household_id, code_column=Household.grid_code,
                      what="household", field=field, for_update=for_update)


def get_household(uow: UnitOfWork, household_id: int) -> dict:
    return render_one(uow, find_household(uow, household_id))


def create_household(uow: UnitOfWork, payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(HouseholdCreateSchema, payload)
    if not data["address"].strip():
        raise InvalidInput("address: must not be blank", field="address")
    grid = find_grid(uow, data["grid_code"])
    household = Household(address=data["address"].strip(), grid_code=grid.code,
                          learning_family="learning_family" in data["designations"],
                          civilised_family="civilised_family" in data["designations"])
    uow.session.add(household)
    uow.session.flush()
    uow.emit("membership.household_created", {
        "household_id": household.id, "grid_code": household.grid_code,
        "designations": _designations(household)}, org_code=household.grid_code)
    return {**render(household, 0, []), "honours": []}


def update_household(uow: UnitOfWork, household_id: int, payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(HouseholdUpdateSchema, payload)
    household = find_household(uow, household_id, for_update=True)
    changed = []
    if "address" in data:
        address = data["address"].strip()
        if not address:
            raise InvalidInput("address: must not be blank", field="address")
        if address != household.address:
            household.address = address
            changed.append("address")
    if "representative_id" in data and data["representative_id"] != household.representative_id:
        representative = data["representative_id"]
        if representative is not None:
            member = uow.session.get(Resident, representative)
            if member is None or member.household_id != household.id:
                raise Conflict("representative_id: the representative must be a member of the "
                               "household", field="representative_id")
            if member.status != "active":
                raise Conflict("representative_id: the resident has moved out",
                               field="representative_id")
        household.representative_id = representative
        changed.append("representative_id")
    if "designations" in data:
        for name in rules.DESIGNATIONS:
            wanted = name in data["designations"]
            if getattr(household, name) != wanted:
                setattr(household, name, wanted)
                if "designations" not in changed:
                    changed.append("designations")
    if changed:
        uow.session.flush()
        uow.emit("membership.household_updated", {
            "household_id": household.id, "grid_code": household.grid_code, "changed": changed,
            "representative_id": household.representative_id,
            "designations": _designations(household)}, org_code=household.grid_code)
    return render_one(uow, household)


def add_member(uow: UnitOfWork, household_id: int, payload: dict) -> dict:
    rules.require_writer(uow.caller)
    data = load(MemberAddSchema, payload)
    household = find_household(uow, household_id, for_update=True)
    resident = find_resident(uow, data["resident_id"], field="resident_id", for_update=True)
    rules.require_active(resident.status, field="resident_id")
    if resident.household_id == household.id:
        raise Conflict("resident_id: already a member of this household", field="resident_id")
    if resident.household_id is not None:
        raise Conflict(f"resident_id: a member of household {resident.household_id}; remove "
                       f"them there first", field="resident_id")
    rules.check_member_grid(household.grid_code, resident.grid_code)
    resident.household_id = household.id
    uow.session.flush()
    uow.emit("membership.household_member_added", {
        "household_id": household.id, "grid_code": household.grid_code,
        "resident_id": resident.id}, org_code=household.grid_code)
    return render_one(uow, household)


def remove_member(uow: UnitOfWork, household_id: int, resident_id: int) -> dict:
    rules.require_writer(uow.caller)
    household = find_household(uow, household_id, for_update=True)
    resident = find_resident(uow, resident_id, field="resident_id", for_update=True)
    if resident.household_id != household.id:
        raise NotFound("resident_id: not a member of this household", field="resident_id")
    leave_household(uow, resident)
    uow.session.flush()
    return render_one(uow, household)


def list_households(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(HouseholdListQuerySchema, query_args)
    scope = uow.caller.scope if uow.caller else None
    require_scope(uow.caller, scope or "")
    prefix = scope
    if args["code"]:
        require_scope(uow.caller, args["code"], "code")
        prefix = args["code"]
    query = select(Household).where(Household.grid_code.like(f"{prefix}%"))
    if args["designation"]:
        query = query.where(getattr(Household, args["designation"]).is_(True))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Household.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Household.id).limit(limit + 1)))
    ids = [h.id for h in rows[:limit]]
    counts = dict(uow.session.execute(
        select(Resident.household_id, func.count()).where(Resident.household_id.in_(ids))
        .group_by(Resident.household_id)).all()) if ids else {}
    return page_of(rows, limit, key=lambda h: h.id,
                   render=lambda h: render(h, counts.get(h.id, 0)))
