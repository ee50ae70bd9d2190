"""Volunteer use cases: enrol, skills and status, teams and members, the hours ledger.

Load, apply the rules in ``domain.volunteers``, store, emit. A volunteer or team outside the
caller's scope is answered exactly like one that does not exist (404), so ids cannot be probed.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, exists, func, select, update

from services.membership.domain import volunteers as rules
from services.membership.models.residents import Resident
from services.membership.models.territory import TerritoryNode
from services.membership.models.volunteers import (
    HoursAccount,
    HoursPosting,
    HoursTransaction,
    Volunteer,
    VolunteerSkill,
    VolunteerTeam,
    VolunteerTeamMember,
)
from services.membership.schemas.volunteers import (
    HoursEntrySchema,
    HoursLineSchema,
    VolunteerEnrolSchema,
    VolunteerListQuerySchema,
    VolunteerSchema,
    VolunteerTeamCreateSchema,
    VolunteerTeamJoinSchema,
    VolunteerTeamListQuerySchema,
    VolunteerTeamMemberSchema,
    VolunteerTeamSchema,
    VolunteerUpdateSchema,
)
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.events.registry import InvalidEvent
from shared.lookup import find_by_id
from shared.pagination import PageRequestSchema, after_id, page_of
from shared.validation import load

_volunteer_schema = VolunteerSchema()
_team_schema = VolunteerTeamSchema()
_member_schema = VolunteerTeamMemberSchema()


def _scope_filter(uow: UnitOfWork, column, org_code: str | None):
    """Rows of the caller's part of the territory (and beneath ``org_code`` when given)."""
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    clauses = [column.like(f"{caller.scope}%")]
    if org_code:
        require_scope(caller, org_code, "org_code")
        clauses.append(column.like(f"{org_code}%"))
    return clauses


def _community(uow: UnitOfWork, code: str, field: str = "community_code") -> TerritoryNode:
    require_scope(require_caller(uow.caller), code, field)
    node = uow.session.scalar(select(TerritoryNode).where(TerritoryNode.code == code))
    if node is None or node.level != "community":
        raise NotFound(f"{field}: no community has the code {code}", field=field)
    if node.status != "active":
        raise Conflict(f"{field}: {code} was merged into {node.merged_into}", field=field)
    return node


# --- volunteers -------------------------------------------------------------------------------

def _skills_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[str]]:
    skills: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = uow.session.execute(
            select(VolunteerSkill.volunteer_id, VolunteerSkill.skill)
            .where(VolunteerSkill.volunteer_id.in_(ids)).order_by(VolunteerSkill.id))
        for volunteer_id, skill in rows:
            skills[volunteer_id].append(skill)
    return skills


def _teams_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[int]]:
    teams: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = uow.session.execute(
            select(VolunteerTeamMember.volunteer_id, VolunteerTeamMember.team_id)
            .where(VolunteerTeamMember.volunteer_id.in_(ids))
            .order_by(VolunteerTeamMember.team_id))
        for volunteer_id, team_id in rows:
            teams[volunteer_id].append(team_id)
    return teams


def _render_volunteers(uow: UnitOfWork, rows: list[tuple[Volunteer, str]]) -> list[dict]:
    ids = [volunteer.id for volunteer, _ in rows]
    skills, teams = _skills_of(uow, ids), _teams_of(uow, ids)
    return [_volunteer_schema.dump({
        "id": v.id, "resident_id": v.resident_id, "name": name,
        "community_code": v.community_code, "status": v.status, "skills": skills[v.id],
        "team_ids": teams[v.id], "enrolled_by": v.enrolled_by, "created_at": v.created_at,
        "updated_at": v.updated_at,
    }) for v, name in rows]


def _render_volunteer(uow: UnitOfWork, volunteer: Volunteer) -> dict:
    name = uow.session.scalar(select(Resident.name).where(Resident.id == volunteer.resident_id))
    return _render_volunteers(uow, [(volunteer, name)])[0]


def _visible_volunteer(uow: UnitOfWork, volunteer_id, field: str = "id") -> Volunteer:
    require_caller(uow.caller)
    return find_by_id(uow, Volunteer, volunteer_id, code_column=Volunteer.community_code,
                      what="volunteer", field=field)


def _store_skills(uow: UnitOfWork, volunteer_id: int, skills: list[str]) -> None:
    uow.session.execute(delete(VolunteerSkill).where(VolunteerSkill.volunteer_id == volunteer_id))
    uow.session.add_all(VolunteerSkill(volunteer_id=volunteer_id, skill=skill,
                                       skill_key=skill.casefold()) for skill in skills)


def enrol_volunteer(uow: UnitOfWork, payload: dict) -> dict:
    data = load(VolunteerEnrolSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    skills = rules.normalise_skills(data["skills"])
    if data["community_code"]:  # refused before any lookup, so nothing can be probed
        require_scope(caller, data["community_code"], "community_code")
    resident = uow.session.get(Resident, data["resident_id"])
    if resident is None or not caller.can_see(resident.grid_code):
        raise NotFound(f"resident_id: no resident {data['resident_id']} in your scope",
                       field="resident_id")
    community_code = data["community_code"] or rules.community_of(resident.grid_code)
    _community(uow, community_code)
    enrolled = uow.session.scalar(select(Volunteer.id).where(
        Volunteer.resident_id == resident.id)) is not None
    rules.check_enrolment(resident.status, enrolled, community_code)
    volunteer = Volunteer(resident_id=resident.id, community_code=community_code,
                          status="active", enrolled_by=caller.principal)
    uow.session.add(volunteer)
    uow.session.flush()
    _store_skills(uow, volunteer.id, skills)
    uow.session.add(HoursAccount(key=rules.volunteer_account_key(volunteer.id), kind="volunteer",
                                 volunteer_id=volunteer.id, community_code=community_code))
    uow.session.flush()
    uow.emit("membership.volunteer_enrolled",
             {"volunteer_id": volunteer.id, "resident_id": resident.id,
              "community_code": community_code, "skills": skills}, org_code=community_code)
    return _render_volunteer(uow, volunteer)


def get_volunteer(uow: UnitOfWork, volunteer_id: int) -> dict:
    return _render_volunteer(uow, _visible_volunteer(uow, volunteer_id))


def update_volunteer(uow: UnitOfWork, volunteer_id: int, payload: dict) -> dict:
    data = load(VolunteerUpdateSchema, payload)
    rules.require_writer(require_caller(uow.caller))
    volunteer = _visible_volunteer(uow, volunteer_id)
    current = _skills_of(uow, [volunteer.id])[volunteer.id]
    skills = rules.apply_skill_changes(current, data["add_skills"], data["remove_skills"])
    old_status, status = volunteer.status, data.get("status", volunteer.status)
    if status == "active" and old_status != "active" and uow.session.scalar(
            select(Resident.status).where(Resident.id == volunteer.resident_id)) != "active":
        raise Conflict("status: the resident has moved out of the territory", field="status")
    before = {s.casefold() for s in current}
    after = {s.casefold() for s in skills}
    added = [s for s in skills if s.casefold() not in before]
    removed = [s for s in current if s.casefold() not in after]
    if added or removed or status != old_status:
        if added or removed:
            _store_skills(uow, volunteer.id, skills)
        volunteer.status = status
        volunteer.updated_at = utcnow()
        uow.session.flush()
        uow.emit("membership.volunteer_updated",
                 {"volunteer_id": volunteer.id, "community_code": volunteer.community_code,
                  "status": status, "old_status": old_status, "skills": skills,
                  "added_skills": added, "removed_skills": removed},
                 org_code=volunteer.community_code)
    return _render_volunteer(uow, volunteer)


def stand_down_moved_out(uow: UnitOfWork, resident_id: int) -> None:
    """A resident who moved out of the territory serves no more: their volunteer record becomes
    inactive (its hours, teams and history are kept; a worker may make it active again)."""
    volunteer = uow.session.scalar(select(Volunteer).where(Volunteer.resident_id == resident_id)
                                   .with_for_update())
    if volunteer is None or volunteer.status == "inactive":
        return
    volunteer.status, volunteer.updated_at = "inactive", utcnow()
    uow.session.flush()
    uow.emit("membership.volunteer_updated",
             {"volunteer_id": volunteer.id, "community_code": volunteer.community_code,
              "status": "inactive", "old_status": "active",
              "skills": _skills_of(uow, [volunteer.id])[volunteer.id],
              "added_skills": [], "removed_skills": []},
             org_code=volunteer.community_code)


def list_volunteers(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(VolunteerListQuerySchema, query_args)
    query = (select(Volunteer, Resident.name).join(Resident, Resident.id == Volunteer.resident_id)
             .where(*_scope_filter(uow, Volunteer.community_code, args["org_code"])))
    if args["skill"]:
        query = query.where(exists().where(
            VolunteerSkill.volunteer_id == Volunteer.id,
            VolunteerSkill.skill_key == " ".join(args["skill"].split()).casefold()))
    if args["team_id"]:
        query = query.where(exists().where(VolunteerTeamMember.volunteer_id == Volunteer.id,
                                           VolunteerTeamMember.team_id == args["team_id"]))
    if args["status"]:
        query = query.where(Volunteer.status == args["status"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Volunteer.id > after)
    limit = args["limit"]
    rows = [tuple(row) for row in uow.session.execute(query.order_by(Volunteer.id).limit(limit + 1))]
    page = page_of(rows, limit, key=lambda row: row[0].id, render=lambda row: row)
    page["items"] = _render_volunteers(uow, page["items"])
    return page


# --- teams ------------------------------------------------------------------------------------

def _member_counts(uow: UnitOfWork, ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(uow.session.execute(
            select(VolunteerTeamMember.team_id, func.count())
            .where(VolunteerTeamMember.team_id.in_(ids)).group_by(VolunteerTeamMember.team_id)).all())
    return counts


def _render_teams(uow: UnitOfWork, teams: list[VolunteerTeam]) -> list[dict]:
    counts = _member_counts(uow, [team.id for team in teams])
    return [_team_schema.dump({
        "id": t.id, "community_code": t.community_code, "name": t.name, "kind": t.kind,
        "description": t.description, "member_count": counts[t.id],
        "created_by": t.created_by, "created_at": t.created_at}) for t in teams]


def _visible_team(uow: UnitOfWork, team_id, field: str = "id") -> VolunteerTeam:
    require_caller(uow.caller)
    return find_by_id(uow, VolunteerTeam, team_id, code_column=VolunteerTeam.community_code,
                      what="volunteer team", field=field)


def create_team(uow: UnitOfWork, payload: dict) -> dict:
    data = load(VolunteerTeamCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    community = _community(uow, data["community_code"])
    name = " ".join(data["name"].split())
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if uow.session.scalar(select(VolunteerTeam.id).where(
            VolunteerTeam.community_code == community.code, VolunteerTeam.name == name)):
        raise Conflict(f"name: {community.code} already has a team called {name}", field="name")
    team = VolunteerTeam(community_code=community.code, name=name, kind=data["kind"],
                         description=(data["description"] or "").strip() or None,
                         created_by=caller.principal)
    uow.session.add(team)
    uow.session.flush()
    uow.emit("membership.volunteer_team_created",
             {"team_id": team.id, "community_code": team.community_code, "name": name,
              "kind": team.kind}, org_code=team.community_code)
    return _render_teams(uow, [team])[0]


def get_team(uow: UnitOfWork, team_id: int) -> dict:
    return _render_teams(uow, [_visible_team(uow, team_id)])[0]


def list_teams(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(VolunteerTeamListQuerySchema, query_args)
    query = select(VolunteerTeam).where(
        *_scope_filter(uow, VolunteerTeam.community_code, args["org_code"]))
    if args["kind"]:
        query = query.where(VolunteerTeam.kind == args["kind"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(VolunteerTeam.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(VolunteerTeam.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda team: team.id, render=lambda team: team)
    page["items"] = _render_teams(uow, page["items"])
    return page


def join_team(uow: UnitOfWork, team_id: int, payload: dict) -> dict:
    data = load(VolunteerTeamJoinSchema, payload)
    rules.require_writer(require_caller(uow.caller))
    team = _visible_team(uow, team_id)
    volunteer = _visible_volunteer(uow, data["volunteer_id"], "volunteer_id")
    if volunteer.community_code != team.community_code:
        raise Conflict(f"volunteer_id: the volunteer serves {volunteer.community_code}, "
                       f"the team belongs to {team.community_code}", field="volunteer_id")
    member = uow.session.scalar(select(VolunteerTeamMember).where(
        VolunteerTeamMember.team_id == team.id, VolunteerTeamMember.volunteer_id == volunteer.id))
    rules.check_can_join(volunteer.status, member is not None)
    member = VolunteerTeamMember(team_id=team.id, volunteer_id=volunteer.id)
    uow.session.add(member)
    uow.session.flush()
    uow.emit("membership.volunteer_joined_team",
             {"team_id": team.id, "volunteer_id": volunteer.id,
              "community_code": team.community_code}, org_code=team.community_code)
    return _render_members(uow, [(member, volunteer)])[0]


def leave_team(uow: UnitOfWork, team_id: int, volunteer_id: int) -> dict:
    rules.require_writer(require_caller(uow.caller))
    team = _visible_team(uow, team_id)
    volunteer = _visible_volunteer(uow, volunteer_id, "volunteer_id")
    member = uow.session.scalar(select(VolunteerTeamMember).where(
        VolunteerTeamMember.team_id == team.id, VolunteerTeamMember.volunteer_id == volunteer.id))
    if member is None:
        raise NotFound(f"volunteer_id: volunteer {volunteer.id} is not in team {team.id}",
                       field="volunteer_id")
    uow.session.delete(member)
    uow.session.flush()
    uow.emit("membership.volunteer_left_team",
             {"team_id": team.id, "volunteer_id": volunteer.id,
              "community_code": team.community_code}, org_code=team.community_code)
    return _render_teams(uow, [team])[0]


def _render_members(uow: UnitOfWork, rows: list[tuple[VolunteerTeamMember, Volunteer]]) -> list:
    ids = [volunteer.resident_id for _, volunteer in rows]
    names = dict(uow.session.execute(
        select(Resident.id, Resident.name).where(Resident.id.in_(ids))).all()) if ids else {}
    return [_member_schema.dump({
        "volunteer_id": v.id, "name": names.get(v.resident_id, ""),
        "community_code": v.community_code, "status": v.status, "joined_at": m.joined_at})
        for m, v in rows]


def list_members(uow: UnitOfWork, team_id: int, query_args: dict) -> dict:
    args = load(PageRequestSchema, query_args)
    team = _visible_team(uow, team_id)
    query = (select(VolunteerTeamMember, Volunteer)
             .join(Volunteer, Volunteer.id == VolunteerTeamMember.volunteer_id)
             .where(VolunteerTeamMember.team_id == team.id))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Volunteer.id > after)
    limit = args["limit"]
    rows = [tuple(row) for row in uow.session.execute(
        query.order_by(Volunteer.id).limit(limit + 1))]
    page = page_of(rows, limit, key=lambda row: row[1].id, render=lambda row: row)
    page["items"] = _render_members(uow, page["items"])
    return page


# --- the service-hours ledger -----------------------------------------------------------------

_line_schema = HoursLineSchema()


def _account(uow: UnitOfWork, key: str, kind: str, community_code: str) -> HoursAccount:
    account = uow.session.scalar(select(HoursAccount).where(HoursAccount.key == key))
    if account is None:  # two first postings racing: the unique key fails one, which retries
        account = HoursAccount(key=key, kind=kind, community_code=community_code)
        uow.session.add(account)
        uow.session.flush()
    return account


def _volunteer_account(uow: UnitOfWork, volunteer: Volunteer, lock: bool = False) -> HoursAccount:
    """The volunteer's account. ``lock``: take its row lock first (a write on both SQLite and
    PostgreSQL), so that a balance read next cannot change before this transaction commits."""
    key = rules.volunteer_account_key(volunteer.id)
    if lock:
        uow.session.execute(update(HoursAccount).where(HoursAccount.key == key)
                            .values(updated_at=utcnow()))
    account = uow.session.scalar(select(HoursAccount).where(HoursAccount.key == key))
    if account is None:
        raise RuntimeError(f"volunteer {volunteer.id} has no hours account")
    return account


def _balance(uow: UnitOfWork, account_id: int) -> int:
    return uow.session.scalar(select(func.coalesce(func.sum(HoursPosting.amount), 0))
                              .where(HoursPosting.account_id == account_id))


def _record(uow: UnitOfWork, volunteer: Volunteer, account: HoursAccount, kind: str,
            postings: list[rules.Posting], *, source_type: str, source_id: str, key: str,
            org_code: str, actor: str, event_id: str | None = None, activity_date=None,
            reason: str | None = None, reverses_id: int | None = None) -> HoursTransaction:
    """Store one balanced transaction and its postings (never updated afterwards), and emit it."""
    transaction = HoursTransaction(
        kind=kind, volunteer_id=volunteer.id, source_key=key, source_type=source_type,
        source_id=source_id, event_id=event_id, org_code=org_code, activity_date=activity_date,
        reason=reason, reverses_id=reverses_id, actor=actor)
    uow.session.add(transaction)
    uow.session.flush()
    for posting in rules.balanced(postings):
        target = account if posting.account_key == account.key else _account(
            uow, posting.account_key, posting.account_key.split(":", 1)[0],
            volunteer.community_code)
        uow.session.add(HoursPosting(transaction_id=transaction.id, account_id=target.id,
                                     amount=posting.amount))
    uow.session.flush()
    change = sum(p.amount for p in postings if p.account_key == account.key)
    uow.emit("membership.volunteer_hours_recorded", {
        "transaction_id": transaction.id, "volunteer_id": volunteer.id,
        "community_code": volunteer.community_code, "kind": kind,
        "hours": rules.units_to_hours(change),
        "balance_hours": rules.units_to_hours(_balance(uow, account.id)),
        "source_type": source_type, "source_id": source_id,
        "activity_date": activity_date.isoformat() if activity_date else None,
        "reverses_transaction_id": reverses_id}, org_code=volunteer.community_code)
    return transaction


def _existing(uow: UnitOfWork, key: str) -> HoursTransaction | None:
    return uow.session.scalar(select(HoursTransaction).where(HoursTransaction.source_key == key))


def credit_hours(uow: UnitOfWork, volunteer: Volunteer, units: int, *, source_type: str,
                 source_id: str, org_code: str, actor: str, event_id: str | None = None,
                 activity_date=None, reason: str | None = None) -> tuple[HoursTransaction, bool]:
    """Credit a piece of work once: the same (source_type, source_id, volunteer) again returns
    the first transaction and ``False``."""
    key = rules.source_key(source_type, source_id, volunteer.id)
    existing = _existing(uow, key)
    if existing is not None:
        return existing, False
    account = _volunteer_account(uow, volunteer)
    postings = rules.credit_postings(volunteer.id, volunteer.community_code, source_type, units)
    return _record(uow, volunteer, account, "credit", postings, source_type=source_type,
                   source_id=source_id, key=key, org_code=org_code, actor=actor,
                   event_id=event_id, activity_date=activity_date, reason=reason), True


def credit_from_event(uow: UnitOfWork, envelope: dict) -> dict:
    """Apply a ``*.volunteer_hours_earned`` event (its payload is checked by the registry)."""
    data = envelope["data"]
    volunteer = uow.session.get(Volunteer, data["volunteer_id"])
    if volunteer is None:  # nothing a retry could fix: straight to the dead letters
        raise InvalidEvent(f"{envelope['type']}: no volunteer {data['volunteer_id']}")
    transaction, created = credit_hours(
        uow, volunteer, rules.hours_to_units(data["hours"]), source_type=data["source_type"],
        source_id=data["source_id"], org_code=data["org_code"], actor=envelope["actor"],
        event_id=str(envelope["event_id"]),
        activity_date=date.fromisoformat(data["activity_date"]),
        reason=data.get("description"))
    return {"transaction_id": transaction.id, "created": created}


def _lines(uow: UnitOfWork, account: HoursAccount, transactions: list[HoursTransaction]) -> list:
    ids = [t.id for t in transactions]
    amounts = dict(uow.session.execute(
        select(HoursPosting.transaction_id, HoursPosting.amount)
        .where(HoursPosting.transaction_id.in_(ids), HoursPosting.account_id == account.id)
    ).all()) if ids else {}
    reversed_by = dict(uow.session.execute(
        select(HoursTransaction.reverses_id, HoursTransaction.id)
        .where(HoursTransaction.reverses_id.in_(ids))).all()) if ids else {}
    return [_line_schema.dump({
        "transaction_id": t.id, "kind": t.kind, "hours": rules.units_to_hours(amounts[t.id]),
        "source_type": t.source_type, "source_id": t.source_id, "event_id": t.event_id,
        "org_code": t.org_code, "activity_date": t.activity_date, "reason": t.reason,
        "reverses_transaction_id": t.reverses_id, "reversed_by_transaction_id":
        reversed_by.get(t.id), "actor": t.actor, "created_at": t.created_at,
    }) for t in transactions]


def hours_ledger(uow: UnitOfWork, volunteer_id: int, query_args: dict) -> dict:
    args = load(PageRequestSchema, query_args)
    volunteer = _visible_volunteer(uow, volunteer_id)
    account = _volunteer_account(uow, volunteer)
    query = (select(HoursTransaction)
             .join(HoursPosting, HoursPosting.transaction_id == HoursTransaction.id)
             .where(HoursPosting.account_id == account.id))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(HoursTransaction.id < after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(HoursTransaction.id.desc()).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda t: t.id, render=lambda t: t)
    return {"volunteer_id": volunteer.id,
            "balance_hours": rules.units_to_hours(_balance(uow, account.id)),
            "items": _lines(uow, account, page["items"]), "next_cursor": page["next_cursor"]}


def record_hours(uow: UnitOfWork, volunteer_id: int, payload: dict) -> dict:
    """A staff entry: a manual credit, a debit (hours redeemed), or a reversal."""
    data = load(HoursEntrySchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    volunteer = _visible_volunteer(uow, volunteer_id)
    reason = " ".join(data["reason"].split())
    if not reason:
        raise InvalidInput("reason: must not be blank", field="reason")
    kind = data["kind"]
    if data["activity_date"] and data["activity_date"] > utcnow().date():
        raise InvalidInput("activity_date: must not be in the future", field="activity_date")
    common = {"org_code": volunteer.community_code, "actor": caller.principal, "reason": reason}
    if kind == "credit":
        source_id = data["request_id"] or uuid.uuid4().hex
        key = rules.source_key("manual", source_id, volunteer.id)
        transaction = _same_request(uow, key, kind, data)
        if transaction is None:
            transaction, _ = credit_hours(
                uow, volunteer, rules.hours_to_units(data["hours"]), source_type="manual",
                source_id=source_id, activity_date=data["activity_date"], **common)
    elif kind == "debit":
        source_id = data["request_id"] or uuid.uuid4().hex
        key = rules.source_key("redemption", source_id, volunteer.id)
        transaction = _same_request(uow, key, kind, data)
        if transaction is None:
            account = _volunteer_account(uow, volunteer, lock=True)
            postings = rules.debit_postings(volunteer.id, volunteer.community_code,
                                            rules.hours_to_units(data["hours"]),
                                            _balance(uow, account.id))
            transaction = _record(uow, volunteer, account, "debit", postings,
                                  source_type="redemption", source_id=source_id, key=key,
                                  activity_date=data["activity_date"], **common)
    else:
        transaction = _reverse(uow, volunteer, data["transaction_id"], common)
    account = _volunteer_account(uow, volunteer)
    return {"transaction": _lines(uow, account, [transaction])[0],
            "balance_hours": rules.units_to_hours(_balance(uow, account.id))}


def _same_request(uow: UnitOfWork, key: str, kind: str, data: dict) -> HoursTransaction | None:
    """A repeated request id answers with its first transaction, if it asked the same."""
    existing = _existing(uow, key) if data["request_id"] else None
    if existing is None:
        return None
    amount = uow.session.scalar(select(func.max(func.abs(HoursPosting.amount)))
                                .where(HoursPosting.transaction_id == existing.id))
    if existing.kind != kind or amount != rules.hours_to_units(data["hours"]):
        raise Conflict(f"request_id: {data['request_id']} was used for a different entry",
                       field="request_id")
    return existing


def _reverse(uow: UnitOfWork, volunteer: Volunteer, transaction_id: int,
             common: dict) -> HoursTransaction:
    original = uow.session.get(HoursTransaction, transaction_id)
    if original is None or original.volunteer_id != volunteer.id:
        raise NotFound(f"transaction_id: volunteer {volunteer.id} has no transaction "
                       f"{transaction_id}", field="transaction_id")
    account = _volunteer_account(uow, volunteer, lock=True)
    rows = uow.session.execute(
        select(HoursAccount.key, HoursPosting.amount)
        .join(HoursAccount, HoursAccount.id == HoursPosting.account_id)
        .where(HoursPosting.transaction_id == original.id).order_by(HoursPosting.id)).all()
    reversed_already = uow.session.scalar(select(HoursTransaction.id).where(
        HoursTransaction.reverses_id == original.id)) is not None
    postings = rules.reversal_postings([rules.Posting(k, a) for k, a in rows], account.key,
                                       _balance(uow, account.id), reversed_already, original.kind)
    # the reversal goes to the accounts of the original, whatever community they belong to
    return _record(uow, volunteer, account, "reversal", postings, source_type="reversal",
                   source_id=str(original.id), key=f"reversal:{original.id}",
                   reverses_id=original.id, activity_date=original.activity_date, **common)


# --- territory changes ------------------------------------------------------------------------

def follow_merge(uow: UnitOfWork, data: dict) -> dict:
    """Volunteers and teams of a community merged into another now belong to the survivor (so
    scope and lists keep finding them). A team whose name the survivor already uses keeps it
    with the old community's code appended. Ledger accounts keep their keys (their history),
    and new hours come from the survivor's accounts."""
    old, new = data["absorbed_code"], data["surviving_code"]
    session = uow.session
    taken = set(session.scalars(select(VolunteerTeam.name)
                                .where(VolunteerTeam.community_code == new)))
    teams = list(session.scalars(select(VolunteerTeam).where(VolunteerTeam.community_code == old)
                                 .order_by(VolunteerTeam.id)))
    for team in teams:
        if team.name in taken:
            team.name = f"{team.name}（{old}）"[:100]
        team.community_code = new
        taken.add(team.name)
    moved = session.execute(update(Volunteer).where(Volunteer.community_code == old)
                            .values(community_code=new, updated_at=utcnow())
                            .execution_options(synchronize_session=False)).rowcount or 0
    session.execute(update(HoursAccount).where(HoursAccount.community_code == old)
                    .values(community_code=new).execution_options(synchronize_session=False))
    session.flush()
    return {"volunteers": moved, "teams": len(teams)}


# --- a skill learned (learning.course_completed) -----------------------------------------------

def record_learned_skill(uow: UnitOfWork, envelope: dict) -> dict:
    """A volunteer who completed a course of a community school has its category as a skill
    (``computing``, ``health``…), once; a resident who is not a volunteer is left alone, as is
    a volunteer who has the skill already or has as many skills as a volunteer may."""
    data = envelope["data"]
    volunteer = uow.session.scalar(select(Volunteer).where(
        Volunteer.resident_id == data["resident_id"]).with_for_update())
    if volunteer is None:
        return {"volunteer_id": None, "action": "ignore"}
    current = _skills_of(uow, [volunteer.id])[volunteer.id]
    skill = " ".join(data["category"].split())
    if skill.casefold() in {s.casefold() for s in current} or len(current) >= rules.MAX_SKILLS:
        return {"volunteer_id": volunteer.id, "action": "ignore"}
    skills = [*current, skill]
    _store_skills(uow, volunteer.id, skills)
    volunteer.updated_at = utcnow()
    uow.session.flush()
    uow.emit("membership.volunteer_updated",
             {"volunteer_id": volunteer.id, "community_code": volunteer.community_code,
              "status": volunteer.status, "old_status": volunteer.status, "skills": skills,
              "added_skills": [skill], "removed_skills": []},
             org_code=volunteer.community_code)
    return {"volunteer_id": volunteer.id, "action": "add_skill", "skill": skill}
