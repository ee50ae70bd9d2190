"""Honour use cases: a title granted by assessments shows on its holder's record; a withdrawn
one is marked revoked (never deleted). Each title is one honour, however often its events are
delivered (the inbox stops a redelivery; ``title_id`` is unique besides). The holder's own read
(a resident, a household, a community node) carries its current honours; the list shows one
holder's, revoked ones included, scoped like the holder.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.membership.models import (
    Household,
    PartyMember,
    Resident,
    TerritoryNode,
    Volunteer,
)
from services.membership.models.honours import Honour
from services.membership.schemas.honours import HonourListQuerySchema, HonourSchema
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load

_honour_schema = HonourSchema()
PERSON_RECORDS = {"volunteer": Volunteer, "party_member": PartyMember}


def render(honour: Honour) -> dict:
    return _honour_schema.dump(honour)


# --- from assessments' events -------------------------------------------------------------------

def _people_behind(uow: UnitOfWork, holder_kind: str, holder_ref: str) -> dict:
    """The resident (or household) whose record shows a title of this holder."""
    if holder_kind == "household":
        return {"household_id": int(holder_ref)}
    if holder_kind == "resident":
        return {"resident_id": int(holder_ref)}
    if holder_kind in PERSON_RECORDS:
        record = uow.session.get(PERSON_RECORDS[holder_kind], int(holder_ref))
        return {"resident_id": record.resident_id if record else None}
    return {}


def _honour_of(uow: UnitOfWork, title_id: int) -> Honour | None:
    return uow.session.scalar(select(Honour).where(Honour.title_id == title_id))


def _new_honour(uow: UnitOfWork, data: dict) -> Honour:
    honour = Honour(title_id=data["title_id"], kind=data["kind"], level=data["level"],
                    year=data["year"], holder_kind=data["holder_kind"],
                    holder_ref=data["holder_ref"], org_code=data["org_code"],
                    **_people_behind(uow, data["holder_kind"], data["holder_ref"]))
    uow.session.add(honour)
    return honour


def record_granted(uow: UnitOfWork, envelope: dict) -> dict:
    """``assessments.title_granted``: the holder's honour (once per title; a title already
    revoked by an earlier-delivered withdrawal stays revoked)."""
    data = envelope["data"]
    honour = _honour_of(uow, data["title_id"])
    if honour is not None:
        return {"honour_id": honour.id, "created": False}
    honour = _new_honour(uow, data)
    honour.granted_on = date.fromisoformat(data["on"])
    uow.session.flush()
    return {"honour_id": honour.id, "created": True}


def record_withdrawn(uow: UnitOfWork, envelope: dict) -> dict:
    """``assessments.title_withdrawn``: a granted title's honour is marked revoked (kept, so the
    record's history stays whole). A title withdrawn before it was granted left no honour."""
    data = envelope["data"]
    if not data["was_granted"]:
        return {"honour_id": None, "revoked": False}
    honour = _honour_of(uow, data["title_id"])
    if honour is None:  # the withdrawal overtook the grant: the grant will find it revoked
        honour = _new_honour(uow, data)
    if honour.revoked_on is None:
        honour.revoked_on = date.fromisoformat(data["on"])
    uow.session.flush()
    return {"honour_id": honour.id, "revoked": True}


# --- on the holder's record ---------------------------------------------------------------------

def current_honours(uow: UnitOfWork, *, resident_id: int | None = None,
                    household_id: int | None = None, community_code: str | None = None
                    ) -> list[dict]:
    """The honours a holder's record shows now (granted, not revoked), oldest first."""
    if resident_id is not None:
        holder = Honour.resident_id == resident_id
    elif household_id is not None:
        holder = Honour.household_id == household_id
    else:
        holder = (Honour.holder_kind == "community") & (Honour.holder_ref == community_code)
    return [render(h) for h in uow.session.scalars(
        select(Honour).where(holder, Honour.granted_on.is_not(None), Honour.revoked_on.is_(None))
        .order_by(Honour.id))]


def _holder_filter(uow: UnitOfWork, holder_kind: str, ref: str):
    """The honours of one holder the caller can see (an unseen holder: 404, like a missing
    one). A resident's include those of their volunteer and party-member records."""
    caller = require_caller(uow.caller)
    if holder_kind == "community":
        require_scope(caller, ref, "holder_ref")
        if uow.session.scalar(select(TerritoryNode.code).where(
                TerritoryNode.code == ref, TerritoryNode.level == "community")) is None:
            raise NotFound(f"holder_ref: no community has the code {ref}", field="holder_ref")
        return (Honour.holder_kind == "community") & (Honour.holder_ref == ref)
    model, code_column = {
        "resident": (Resident, Resident.grid_code), "household": (Household, Household.grid_code),
        "volunteer": (Volunteer, Volunteer.community_code),
        "party_member": (PartyMember, PartyMember.org_code)}[holder_kind]
    holder = find_by_id(uow, model, int(ref), code_column=code_column,
                        what=holder_kind.replace("_", " "), field="holder_ref")
    if holder_kind == "resident":
        return Honour.resident_id == holder.id
    if holder_kind == "household":
        return Honour.household_id == holder.id
    return (Honour.holder_kind == holder_kind) & (Honour.holder_ref == str(holder.id))


def list_honours(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(HonourListQuerySchema, query_args)
    query = select(Honour).where(_holder_filter(uow, args["holder_kind"], args["holder_ref"]))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Honour.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Honour.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda h: h.id, render=render)
