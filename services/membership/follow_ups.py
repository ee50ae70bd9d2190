"""Follow-ups 组织处置 of party members: opened when assessments reports a member rated
unqualified 不合格 in a democratic appraisal, closed by the branch with an outcome
(``schemas.follow_ups.OUTCOMES``: 限期改正 / 劝退 / 除名). The outcome is recorded here; a change
of the member's own status is a step of its own on the party member.

A follow-up is scoped as its party member is (the member's ``org_code``): out of scope is 404
like missing. At most one follow-up per (member, appraisal round): an event delivered again,
or sent again under a new id, opens nothing more.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from services.membership.models.follow_ups import FollowUp
from services.membership.models.party_members import PartyMember
from services.membership.party_members import find_member
from services.membership.party_members import today as utc_today
from services.membership.schemas.follow_ups import (
    FollowUpClosureSchema,
    FollowUpListQuerySchema,
    FollowUpSchema,
)
from shared.context import require_caller, require_role
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.lookup import is_row_id, lock_row
from shared.pagination import after_id, page_of
from shared.validation import load

CLOSER_ROLES = ("community_worker", "street_admin", "district_admin")
APPRAISAL = "democratic_appraisal"
UNQUALIFIED_REASON = "民主评议不合格 (rated unqualified in the democratic appraisal)"
OPEN, CLOSED = "open", "closed"
_schema = FollowUpSchema()


def render(follow_up: FollowUp) -> dict:
    return _schema.dump(follow_up)


def open_for_unqualified(uow: UnitOfWork, envelope: dict) -> dict | None:
    """Open the follow-up an ``assessments.member_rated_unqualified`` event asks for; nothing
    when the member has one for that round already, or is unknown here (None)."""
    data = envelope["data"]
    member_id, round_ref = data["party_member_id"], str(data["round_id"])
    if uow.session.get(PartyMember, member_id) is None:
        return None
    existing = uow.session.scalar(select(FollowUp).where(
        FollowUp.party_member_id == member_id, FollowUp.source == APPRAISAL,
        FollowUp.source_ref == round_ref))
    if existing is not None:
        return None
    opened_on = datetime.fromisoformat(envelope["occurred_at"]).date()
    follow_up = FollowUp(party_member_id=member_id, reason=UNQUALIFIED_REASON,
                         source=APPRAISAL, source_ref=round_ref,
                         source_event_id=str(envelope["event_id"]), year=data.get("year"),
                         status=OPEN, opened_on=opened_on, lock_version=0)
    uow.session.add(follow_up)
    uow.session.flush()
    return render(follow_up)


def list_for_member(uow: UnitOfWork, member_id, query_args: dict) -> dict:
    args = load(FollowUpListQuerySchema, query_args)
    member = find_member(uow, member_id)
    query = select(FollowUp).where(FollowUp.party_member_id == member.id)
    if args["status"] is not None:
        query = query.where(FollowUp.status == args["status"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(FollowUp.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(FollowUp.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id, render=render)


def close(uow: UnitOfWork, follow_up_id, payload: dict, today: date | None = None) -> dict:
    """Close an open follow-up with its outcome (a closed one is 409)."""
    data = load(FollowUpClosureSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *CLOSER_ROLES)
    missing = NotFound(f"id: no follow-up {str(follow_up_id)[:20]} in your scope", field="id")
    follow_up = uow.session.get(FollowUp, follow_up_id) if is_row_id(follow_up_id) else None
    if follow_up is None:
        raise missing
    member = uow.session.get(PartyMember, follow_up.party_member_id)
    if not caller.can_see(member.org_code):
        raise missing
    lock_row(uow, follow_up)
    if follow_up.status != OPEN:
        raise Conflict(f"status: follow-up {follow_up.id} is already closed "
                       f"({follow_up.outcome})", field="status")
    today = today or utc_today()
    on = data["on"] or today
    if on > today or on < follow_up.opened_on:
        raise InvalidInput(f"on: {on} is not between the opening {follow_up.opened_on} and "
                           f"today {today}", field="on")
    follow_up.status, follow_up.outcome, follow_up.closed_on = CLOSED, data["outcome"], on
    follow_up.outcome_note = (data["note"] or "").strip() or None
    follow_up.closed_by = caller.actor
    uow.session.flush()
    return render(follow_up)
