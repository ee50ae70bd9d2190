"""Mediation 人民调解 use cases: a case opened by hand or from a dispute ticket (exactly once per
ticket), its sessions, its outcome (which closes it and tells tickets and assessments).

Load, apply the rules in ``domain.mediation``, store, emit. A case is scoped by its grid's code
(or its community's when no grid is known): out of scope is answered exactly like missing (404).
Membership is asked by the entrypoints (the community or grid exists); the use cases get plain
dicts. "Today" is the UTC date unless a caller (a test) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from services.security.domain import mediation as rules
from services.security.domain.catalogue import MANAGER_ROLES, SESSION_ROLES
from services.security.models.mediation import MediationCase, MediationParty, MediationSession
from services.security.schemas.mediation import (
    MediationCaseCreateSchema,
    MediationCaseListQuerySchema,
    MediationCaseSchema,
    MediationCaseSummarySchema,
    MediationOutcomeSchema,
    MediationSessionCreateSchema,
    MediationSessionSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import InvalidInput
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.personal_data import mask_phone
from shared.validation import load

_case_schema = MediationCaseSchema()
_summary_schema = MediationCaseSummarySchema()
_session_schema = MediationSessionSchema()
SYSTEM_ACTOR = "system"


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else SYSTEM_ACTOR


# --- rendering --------------------------------------------------------------------------------

def _session_counts(uow: UnitOfWork, case_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(case_ids, 0)
    if case_ids:
        counts.update(uow.session.execute(
            select(MediationSession.case_id, func.count()).where(
                MediationSession.case_id.in_(case_ids)).group_by(MediationSession.case_id)).all())
    return counts


def _session_fields(session: MediationSession) -> dict:
    return {"id": session.id, "case_id": session.case_id, "held_on": session.held_on,
            "notes": session.notes, "attendees": list(session.attendees or []),
            "recorded_by": session.recorded_by, "created_at": session.created_at}


def _render_session(session: MediationSession) -> dict:
    return _session_schema.dump(_session_fields(session))


def _mediator(case: MediationCase) -> dict | None:
    return {"name": case.mediator_name, "kind": case.mediator_kind} if case.mediator_name else None


def render_case(uow: UnitOfWork, case: MediationCase) -> dict:
    parties = uow.session.scalars(select(MediationParty).where(
        MediationParty.case_id == case.id).order_by(MediationParty.id))
    sessions = list(uow.session.scalars(select(MediationSession).where(
        MediationSession.case_id == case.id).order_by(MediationSession.held_on,
                                                      MediationSession.id)))
    return _case_schema.dump({
        "id": case.id, "ticket_id": case.ticket_id, "community_code": case.community_code,
        "grid_code": case.grid_code, "dispute_type": case.dispute_type, "summary": case.summary,
        "mediator": _mediator(case), "status": case.status, "outcome": case.outcome,
        "agreement_text": case.agreement_text, "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "parties": [{"id": p.id, "name": p.name, "role": p.role, "resident_id": p.resident_id,
                     "phone": mask_phone(p.phone)} for p in parties],
        "sessions": [_session_fields(s) for s in sessions], "session_count": len(sessions),
        "created_by": case.created_by, "created_at": case.created_at,
        "updated_at": case.updated_at})


def _render_summaries(uow: UnitOfWork, cases: list[MediationCase]) -> list[dict]:
    counts = _session_counts(uow, [c.id for c in cases])
    return [_summary_schema.dump({
        "id": c.id, "ticket_id": c.ticket_id, "community_code": c.community_code,
        "grid_code": c.grid_code, "dispute_type": c.dispute_type, "summary": c.summary,
        "status": c.status, "outcome": c.outcome, "opened_on": c.opened_on,
        "closed_on": c.closed_on, "session_count": counts[c.id]}) for c in cases]


def _case_ref(case: MediationCase) -> dict:
    """What every mediation event carries: ids and codes, never a name."""
    return {"case_id": case.id, "ticket_id": case.ticket_id, "dispute_type": case.dispute_type,
            "community_code": case.community_code, "grid_code": case.grid_code}


# --- opening ----------------------------------------------------------------------------------

def check_create(uow: UnitOfWork, payload: dict) -> dict:
    """The case to open, loaded, from a caller who may open one in that place; refused before
    membership is asked about the community or grid. Adds ``place``: (community, grid)."""
    data = load(MediationCaseCreateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *MANAGER_ROLES)
    community, grid = rules.place(data["community_code"], data["grid_code"])
    field = "grid_code" if grid else "community_code"
    require_scope(caller, grid or community, field)
    rules.check_parties(data["parties"])
    data["place"] = (community, grid)
    return data


def _check_node(node: dict, code: str, level: str, field: str) -> None:
    """``node`` is membership's answer for ``code`` (it shows only what the caller sees)."""
    if node.get("code") != code or node.get("level") != level:
        raise InvalidInput(f"{field}: {code} is not a {level}", field=field)
    if node.get("status", "active") != "active":
        raise InvalidInput(f"{field}: {code} is no longer in use", field=field)


def _open(uow: UnitOfWork, *, community: str, grid: str | None, dispute_type: str, summary: str,
          parties: list[dict], opened_on: date, mediator: dict | None = None,
          ticket_id: int | None = None) -> MediationCase:
    case = MediationCase(
        ticket_id=ticket_id, org_code=grid or community, community_code=community,
        grid_code=grid, dispute_type=dispute_type, summary=summary,
        mediator_name=mediator["name"].strip() if mediator else None,
        mediator_kind=mediator["kind"] if mediator else None, status=rules.OPEN,
        opened_on=opened_on, lock_version=0, created_by=_actor(uow))
    uow.session.add(case)
    uow.session.flush()
    uow.session.add_all(MediationParty(case_id=case.id, name=rules.clean_text(p.get("name")),
                                       role=p["role"], resident_id=p.get("resident_id"),
                                       phone=p.get("phone"))
                        for p in parties)
    uow.session.flush()
    uow.emit("security.mediation_case_opened", {
        **_case_ref(case), "opened_on": opened_on.isoformat(), "parties": len(parties)},
        org_code=case.org_code)
    return case


def create_case(uow: UnitOfWork, payload: dict, node: dict, today: date | None = None) -> dict:
    """Open a case by hand. ``node`` is membership's grid (or community) of the case."""
    data = check_create(uow, payload)
    community, grid = data["place"]
    if grid:
        _check_node(node, grid, "grid", "grid_code")
    else:
        _check_node(node, community, "community", "community_code")
    summary = rules.clean_text(data["summary"])
    if summary is None:
        raise InvalidInput("summary: must not be blank", field="summary")
    for index, party in enumerate(data["parties"]):
        if rules.clean_text(party["name"]) is None:
            raise InvalidInput(f"parties.{index}.name: must not be blank",
                               field=f"parties.{index}.name")
    if data["mediator"] and rules.clean_text(data["mediator"]["name"]) is None:
        raise InvalidInput("mediator.name: must not be blank", field="mediator.name")
    opened_on = data["opened_on"] or _today(today)
    if opened_on > _today(today):
        raise InvalidInput(f"opened_on: {opened_on} is in the future", field="opened_on")
    case = _open(uow, community=community, grid=grid, dispute_type=data["dispute_type"],
                 summary=summary, parties=data["parties"], opened_on=opened_on,
                 mediator=data["mediator"])
    return render_case(uow, case)


def open_from_ticket(uow: UnitOfWork, envelope: dict) -> dict:
    """Apply ``tickets.dispute_reported`` (its payload is checked by the registry): one case per
    ticket. A redelivery stops at the inbox; a second event for the same ticket finds the case
    (and two at once: the unique ``ticket_id`` fails the second commit, whose retry finds it)."""
    data = envelope["data"]
    existing = uow.session.scalar(select(MediationCase.id).where(
        MediationCase.ticket_id == data["ticket_id"]))
    if existing is not None:
        return {"case_id": existing, "action": "exists"}
    reporter = data.get("reporter_resident_id")
    parties = [{"name": None, "role": "applicant", "resident_id": reporter, "phone": None}] \
        if reporter else []
    summary = (rules.clean_text(data["description"]) or "dispute ticket")[:4000]
    case = _open(uow, community=data["community_code"], grid=data["grid_code"],
                 dispute_type=rules.dispute_type_of_ticket(data["category_code"],
                                                           data["attributes"]),
                 summary=summary, parties=parties, ticket_id=data["ticket_id"],
                 opened_on=date.fromisoformat(data["reported_at"][:10]))
    return {"case_id": case.id, "action": "open"}


# --- reading ----------------------------------------------------------------------------------

def _visible_case(uow: UnitOfWork, case_id) -> MediationCase:
    require_caller(uow.caller)
    return find_by_id(uow, MediationCase, case_id, code_column=MediationCase.org_code,
                      what="mediation case")


def get_case(uow: UnitOfWork, case_id) -> dict:
    return render_case(uow, _visible_case(uow, case_id))


def list_cases(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(MediationCaseListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(MediationCase).where(MediationCase.org_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(MediationCase.org_code.startswith(args["code"]))
    for name in ("status", "dispute_type", "outcome", "ticket_id"):
        if args[name] is not None:
            query = query.where(getattr(MediationCase, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(MediationCase.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(MediationCase.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda c: c.id, render=lambda c: c)
    page["items"] = _render_summaries(uow, page["items"])
    return page


# --- sessions and the outcome -----------------------------------------------------------------

def _locked(uow: UnitOfWork, case: MediationCase) -> MediationCase:
    """Bump the case's lock version first: on SQLite that takes the write lock, on PostgreSQL
    the row lock, so a session and the outcome (or two outcomes) are applied one at a time."""
    uow.session.execute(update(MediationCase).where(MediationCase.id == case.id)
                        .values(lock_version=MediationCase.lock_version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.refresh(case)
    return case


def record_session(uow: UnitOfWork, case_id, payload: dict, today: date | None = None) -> dict:
    data = load(MediationSessionCreateSchema, payload)
    require_role(require_caller(uow.caller), *SESSION_ROLES)
    case = _locked(uow, _visible_case(uow, case_id))
    rules.check_open(case.status)
    rules.check_session_day(data["held_on"], case.opened_on, _today(today))
    notes = rules.clean_text(data["notes"])
    if notes is None:
        raise InvalidInput("notes: must not be blank", field="notes")
    attendees = [name for name in (rules.clean_text(a) for a in data["attendees"]) if name]
    session = MediationSession(case_id=case.id, held_on=data["held_on"], notes=notes,
                               attendees=attendees, recorded_by=_actor(uow))
    uow.session.add(session)
    case.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.mediation_session_held", {
        **_case_ref(case), "session_id": session.id,
        "session_no": _session_counts(uow, [case.id])[case.id],
        "held_on": session.held_on.isoformat()}, org_code=case.org_code)
    return _render_session(session)


def record_outcome(uow: UnitOfWork, case_id, payload: dict, today: date | None = None) -> dict:
    """The outcome closes the case for good (a second is 409) and raises
    ``security.mediation_closed`` for the originating ticket and for assessments."""
    data = load(MediationOutcomeSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    case = _locked(uow, _visible_case(uow, case_id))
    rules.check_open(case.status)
    last_session_on = uow.session.scalar(select(func.max(MediationSession.held_on)).where(
        MediationSession.case_id == case.id))
    case.agreement_text = rules.check_outcome(data["outcome"], data["agreement_text"],
                                              data["closed_on"], case.opened_on, last_session_on,
                                              _today(today))
    case.status, case.outcome, case.closed_on = rules.CLOSED, data["outcome"], data["closed_on"]
    case.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.mediation_closed", {
        **_case_ref(case), "outcome": case.outcome, "closed_on": case.closed_on.isoformat(),
        "sessions": _session_counts(uow, [case.id])[case.id]}, org_code=case.org_code)
    return render_case(uow, case)
