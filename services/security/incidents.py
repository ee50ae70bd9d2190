"""Incident use cases: report, the closed loop of steps, escalation, the work list of a grid
worker, and the zero-target indicators.

Load, apply the rules in ``domain.incidents``, store, emit. An incident is scoped by its grid:
out of scope is answered exactly like missing (404). The grid is checked with membership by the
entrypoint; the use cases get plain dicts.

Escalation of a serious incident left unhandled past its due time is made by the service's
incident clock (``escalate_overdue``, a nameko timer on ``shared.clock``); reads show
``overdue`` computed from the due time.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update

from services.security import petitions
from services.security.domain import incidents as rules
from services.security.domain.catalogue import (
    INCIDENT_KINDS,
    MANAGER_ROLES,
    REPORTER_KINDS,
    RESPONSE_LEVELS,
    SEVERITIES,
    WORKER_ROLES,
    ZERO_TARGET_KINDS,
)
from services.security.models.incidents import GridWorkerAssignment, Incident, IncidentTransition
from services.security.schemas.incidents import (
    IncidentCreateSchema,
    IncidentListQuerySchema,
    IncidentSchema,
    IndicatorQuerySchema,
    TransitionRequestSchema,
    TransitionSchema,
    WorkListQuerySchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load, storable_text

REPORTER_ROLES = WORKER_ROLES + ("integration",)
VERIFIER_ACTIONS = ("verify", "reject_verification", "close", "evaluate")
DISPUTE_ROLES = MANAGER_ROLES + ("integration",)  # on the reporter's behalf (a resident, 12345)
_incident_schema = IncidentSchema()
_transition_schema = TransitionSchema()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


# --- rendering --------------------------------------------------------------------------------

def _history(uow: UnitOfWork, incident_id: int) -> list[IncidentTransition]:
    return list(uow.session.scalars(select(IncidentTransition)
                                    .where(IncidentTransition.incident_id == incident_id)
                                    .order_by(IncidentTransition.seq)))


def _transition(row: IncidentTransition) -> dict:
    return {"seq": row.seq, "action": row.action, "from_status": row.from_status,
            "to_status": row.to_status, "actor": row.actor, "comment": row.comment,
            "details": row.details or {}, "at": row.at}


def _render_transition(row: IncidentTransition) -> dict:
    return _transition_schema.dump(_transition(row))


def render(uow: UnitOfWork, incident: Incident, *, with_history: bool = True,
           now: datetime | None = None) -> dict:
    now = now or utcnow()
    assignee = ({"kind": incident.assignee_kind, "ref": incident.assignee_ref}
                if incident.assignee_kind else None)
    return _incident_schema.dump({
        "id": incident.id, "kind": incident.kind, "severity": incident.severity,
        "level": incident.level, "status": incident.status, "grid_code": incident.grid_code,
        "community_code": incident.community_code, "address": incident.address,
        "description": incident.description, "reporter_kind": incident.reporter_kind,
        "reporter_ref": incident.reporter_ref, "reported_by": incident.reported_by,
        "source_type": incident.source_type, "source_id": incident.source_id,
        "occurred_at": incident.occurred_at, "reported_at": incident.reported_at,
        "due_at": incident.due_at,
        "overdue": rules.is_overdue(incident.status, incident.due_at, now),
        "assignee": assignee, "handled_by": incident.handled_by,
        "handled_at": incident.handled_at, "result": incident.result,
        "verified_by": incident.verified_by, "closed_at": incident.closed_at,
        "dispute_until": (rules.dispute_deadline(incident.closed_at)
                          if incident.status == "closed" else None),
        "rating": incident.rating, "escalated_to": incident.escalated_to,
        "escalated_at": incident.escalated_at, "disputed": incident.disputed,
        "allowed_actions": rules.allowed_actions(incident.status),
        "history": ([_transition(t) for t in _history(uow, incident.id)]
                    if with_history else []),
        "created_at": incident.created_at, "updated_at": incident.updated_at})


# --- history and events -----------------------------------------------------------------------

def _append(uow: UnitOfWork, incident: Incident, action: str, *, to_status: str | None = None,
            comment: str | None = None, details: dict | None = None,
            at: datetime | None = None) -> IncidentTransition:
    """Record ``action`` on ``incident`` (locked or just created), move it to ``to_status``
    (default: where it is) and emit ``security.incident_<step>``."""
    session = uow.session
    if incident.id is None:
        session.flush()
    last = session.scalar(select(func.max(IncidentTransition.seq))
                          .where(IncidentTransition.incident_id == incident.id))
    from_status = incident.status if last else None
    target = to_status or incident.status
    at = at or utcnow()
    row = IncidentTransition(incident_id=incident.id, seq=(last or 0) + 1, action=action,
                             from_status=from_status, to_status=target, actor=_actor(uow),
                             comment=comment, details=details or {}, at=at)
    incident.status = target
    incident.updated_at = at
    session.add(row)
    session.flush()
    data = {"incident_id": incident.id, "kind": incident.kind, "severity": incident.severity,
            "level": incident.level, "grid_code": incident.grid_code,
            "community_code": incident.community_code, "action": action,
            "from_status": from_status, "status": target, "at": at.isoformat(),
            "due_at": incident.due_at.isoformat()}
    if action == "report":
        data.update(reporter_kind=incident.reporter_kind, source_type=incident.source_type,
                    source_id=incident.source_id)
    elif action == "dispatch":
        data.update(assignee_kind=incident.assignee_kind, assignee_ref=incident.assignee_ref)
    elif action == "evaluate":
        data.update(rating=incident.rating)
    elif action == "escalated":
        data.update(escalated_to=incident.escalated_to, street_code=incident.grid_code[:9],
                    reason=(details or {}).get("reason", "major"))
    uow.emit(f"security.{rules.EVENT_NAMES[action]}", data, org_code=incident.grid_code)
    return row


def _escalate(uow: UnitOfWork, incident: Incident, reason: str, at: datetime | None = None):
    at = at or utcnow()
    incident.escalated_to = rules.ESCALATION_LEVEL
    incident.escalated_at = at
    _append(uow, incident, "escalated", at=at,
            details={"to": rules.ESCALATION_LEVEL, "street_code": incident.grid_code[:9],
                     "reason": reason})


# --- report -----------------------------------------------------------------------------------

def _check_open_data(data: dict) -> None:
    """What a use case of another area (a patrol finding) passes: the vocabulary checked."""
    for name, allowed in (("kind", INCIDENT_KINDS), ("severity", SEVERITIES),
                          ("reporter_kind", REPORTER_KINDS)):
        if data.get(name) not in allowed:
            raise InvalidInput(f"{name}: must be one of {', '.join(allowed)}", field=name)
    if data.get("level") is not None and data["level"] not in RESPONSE_LEVELS:
        raise InvalidInput(f"level: must be one of {', '.join(RESPONSE_LEVELS)}", field="level")
    grid = data.get("grid_code")
    if not isinstance(grid, str) or len(grid) != 15 or not grid.isdigit():
        raise InvalidInput("grid_code: must be a grid code of 15 digits", field="grid_code")
    if not isinstance(data.get("description"), str) or not data["description"].strip():
        raise InvalidInput("description: must not be blank", field="description")
    occurred = data.get("occurred_at")
    if occurred is not None and (not isinstance(occurred, datetime) or occurred.tzinfo is None):
        raise InvalidInput("occurred_at: must be an aware datetime", field="occurred_at")


def open_incident(uow: UnitOfWork, data: dict, *, source_type: str | None = None,
                  source_id: str | None = None, at: datetime | None = None) -> dict:
    """Store a reported incident (status ``reported``) with its first transition, emit
    ``security.incident_reported``, escalate a major one at once; the rendered incident.

    ``data``: kind, severity, grid_code, description, reporter_kind; optional address,
    reporter_ref, occurred_at (aware), level (default from severity). The grid is the caller's
    to have checked with membership. ``at``: when it was reported (default now; demo data)."""
    caller = require_caller(uow.caller)
    _check_open_data(data)
    require_scope(caller, data["grid_code"], "grid_code")
    at = at or utcnow()
    level = data.get("level") or rules.default_level(data["severity"])
    incident = Incident(
        kind=data["kind"], severity=data["severity"], level=level, status="reported",
        grid_code=data["grid_code"], community_code=data["grid_code"][:12],
        address=(data.get("address") or "").strip()[:200] or None,
        description=data["description"].strip(), reporter_kind=data["reporter_kind"],
        reporter_ref=(data.get("reporter_ref") or None), reported_by=_actor(uow),
        source_type=source_type, source_id=None if source_id is None else str(source_id)[:64],
        occurred_at=data.get("occurred_at"), reported_at=at, due_at=rules.due_at(at, level),
        disputed=False, created_at=at, updated_at=at)
    uow.session.add(incident)
    _append(uow, incident, "report", to_status="reported", at=at,
            details={"level": level, "reporter_kind": incident.reporter_kind})
    if rules.escalates_at_once(incident.severity):
        _escalate(uow, incident, "major", at=at)
    return render(uow, incident)


def check_report(uow: UnitOfWork, payload: dict) -> dict:
    """The incident to report, loaded, from a caller who may report; refused before membership
    is asked about the grid."""
    data = load(IncidentCreateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *REPORTER_ROLES)
    require_scope(caller, data["grid_code"], "grid_code")
    return data


def report_incident(uow: UnitOfWork, payload: dict, grid: dict) -> dict:
    """``grid`` is membership's answer for the payload's grid_code."""
    data = check_report(uow, payload)
    check_grid(grid, data["grid_code"])
    return open_incident(uow, data)


def check_grid(grid: dict, grid_code: str, field: str = "grid_code") -> None:
    if grid.get("level") != "grid" or grid.get("code") != grid_code:
        raise InvalidInput(f"{field}: no grid has the code {grid_code}", field=field)


# --- reading ----------------------------------------------------------------------------------

def _visible(uow: UnitOfWork, incident_id, for_update: bool = False) -> Incident:
    require_caller(uow.caller)
    return find_by_id(uow, Incident, incident_id, code_column=Incident.grid_code,
                      what="incident", for_update=for_update)


def get_incident(uow: UnitOfWork, incident_id) -> dict:
    return render(uow, _visible(uow, incident_id))


def worker_grids(uow: UnitOfWork, worker_id: str, on: date | None = None) -> list[str]:
    """The grids ``worker_id`` holds today (or on ``on``)."""
    on = on or utcnow().date()
    return sorted(set(uow.session.scalars(
        select(GridWorkerAssignment.grid_code).where(
            GridWorkerAssignment.worker_id == worker_id, GridWorkerAssignment.since <= on,
            (GridWorkerAssignment.until.is_(None)) | (GridWorkerAssignment.until > on)))))


def _page(uow: UnitOfWork, query, args: dict, now: datetime) -> dict:
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Incident.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Incident.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda i: i.id,
                   render=lambda i: render(uow, i, with_history=False, now=now))


def list_incidents(uow: UnitOfWork, query_args: dict) -> dict:
    """Incidents within the caller's scope, filtered; ``mine``: what is open in the caller's own
    grids (their work list)."""
    args = load(IncidentListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    now = utcnow()
    query = select(Incident).where(Incident.grid_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(Incident.grid_code.startswith(args["code"]))
    for name in ("status", "kind", "severity", "level"):
        if args[name] is not None:
            query = query.where(getattr(Incident, name) == args[name])
    if args["overdue"] is not None:
        overdue = Incident.status.in_(rules.UNHANDLED_STATUSES) & (Incident.due_at < now)
        query = query.where(overdue if args["overdue"] else ~overdue)
    if args["mine"]:
        query = query.where(Incident.grid_code.in_(worker_grids(uow, caller.principal)),
                            Incident.status.in_(rules.OPEN_STATUSES))
    return _page(uow, query, args, now)


def work_list(uow: UnitOfWork, worker_id: str, query_args: dict) -> dict:
    """What is open in ``worker_id``'s grids, within the caller's scope (the worker themself,
    or anyone whose scope covers those grids)."""
    args = load(WorkListQuerySchema, query_args)
    if not storable_text(worker_id):  # from the path, past no schema: PostgreSQL refuses a NUL
        raise InvalidInput("worker_id: contains a NUL or a lone surrogate character",
                           field="worker_id")
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    grids = [g for g in worker_grids(uow, worker_id) if caller.can_see(g)]
    if not grids:
        raise NotFound(f"worker_id: no grid worker {worker_id} in your scope", field="worker_id")
    query = select(Incident).where(Incident.grid_code.in_(grids),
                                   Incident.status.in_(rules.OPEN_STATUSES))
    return _page(uow, query, args, utcnow())


def list_transitions(uow: UnitOfWork, incident_id, query_args: dict) -> dict:
    from shared.pagination import PageRequestSchema
    args = load(PageRequestSchema, query_args)
    incident = _visible(uow, incident_id)
    query = select(IncidentTransition).where(IncidentTransition.incident_id == incident.id)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(IncidentTransition.seq > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(IncidentTransition.seq).limit(limit + 1)))
    return page_of(rows, limit, key=lambda t: t.seq, render=_render_transition)


# --- the closed loop --------------------------------------------------------------------------

def _lock(uow: UnitOfWork, incident_id) -> Incident:
    """The incident, visible and locked (an UPDATE first: portable to SQLite and PG)."""
    incident = _visible(uow, incident_id)
    uow.session.execute(update(Incident).where(Incident.id == incident.id)
                        .values(updated_at=utcnow()))
    uow.session.refresh(incident)
    return incident


def take_step(uow: UnitOfWork, incident_id, payload: dict, *, at: datetime | None = None) -> dict:
    """One step of the closed loop by ``action``; an illegal one is 409 naming the allowed."""
    data = load(TransitionRequestSchema, payload)
    caller = require_caller(uow.caller)
    action = data["action"]
    incident = _lock(uow, incident_id)
    if action == "dispute":
        if incident.reported_by != caller.principal and not caller.has_role(*DISPUTE_ROLES):
            raise Forbidden("only the reporter (or a manager or integration on their behalf) "
                            "may dispute the closure")
    else:
        require_role(caller, *(MANAGER_ROLES if action in VERIFIER_ACTIONS else WORKER_ROLES))
    try:
        target = rules.target_status(action, incident.status)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc), field="action") from None
    at = at or utcnow()
    details: dict = {}
    if action == "dispatch":
        incident.assignee_kind = data["assignee"]["kind"]
        incident.assignee_ref = data["assignee"]["ref"].strip()
        details = {"assignee": {"kind": incident.assignee_kind, "ref": incident.assignee_ref}}
    elif action == "handled":
        incident.result = data["result"].strip()
        incident.handled_by = caller.principal
        incident.handled_at = at
        details = {"result": incident.result}
    elif action in ("verify", "reject_verification"):
        if rules.self_verification(incident.handled_by, caller.principal):
            raise Conflict(f"action: {caller.principal} handled this incident and may not "
                           "verify their own handling; someone else must verify it",
                           field="action")
        if action == "verify":
            incident.verified_by = caller.principal
    elif action == "close":
        incident.closed_at = at
    elif action == "evaluate":
        if incident.rating is not None:
            raise Conflict(f"action: the incident was already evaluated ({incident.rating})",
                           field="action")
        incident.rating = data["rating"]
        details = {"rating": incident.rating}
    elif action == "dispute":
        if not rules.may_dispute(incident.closed_at, at):
            raise Conflict(f"action: the closure may be disputed within "
                           f"{rules.DISPUTE_WINDOW_DAYS} days of it; that time has passed",
                           field="action")
        incident.disputed = True
        incident.verified_by = None
        incident.closed_at = None
    _append(uow, incident, action, to_status=target, comment=data["comment"], details=details,
            at=at)
    return render(uow, incident)


# --- escalation of overdue serious incidents (the incident clock) -----------------------------

def escalate_overdue(uow: UnitOfWork, now: datetime | None = None, limit: int = 100) -> int:
    """Escalate to the street every serious incident still unhandled past its due time (once
    each; safe to run twice at once: the row is locked and checked again). The count."""
    now = now or utcnow()
    ids = list(uow.session.scalars(
        select(Incident.id).where(Incident.severity == "serious", Incident.escalated_to.is_(None),
                                  Incident.status.in_(rules.UNHANDLED_STATUSES),
                                  Incident.due_at < now).order_by(Incident.id).limit(limit)))
    escalated = 0
    for incident_id in ids:
        uow.session.execute(update(Incident).where(Incident.id == incident_id)
                            .values(updated_at=now))
        incident = uow.session.get(Incident, incident_id)
        uow.session.refresh(incident)
        if rules.escalates_when_overdue(incident.severity, incident.status, incident.due_at,
                                        now, incident.escalated_to):
            _escalate(uow, incident, "overdue", at=now)
            escalated += 1
    return escalated


# --- zero-target indicators -------------------------------------------------------------------

def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, tzinfo=timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc))


def zero_target_counts(uow: UnitOfWork, area: str, start: date, end: date) -> dict:
    """Mass incidents and group petitions in ``area`` from ``start`` to ``end`` (inclusive
    days, UTC), per community: {community_code: {"mass_incidents": n, "group_petitions": n}}.
    Group petitions are those reported as incidents plus those registered as petitions 信访 of
    five or more people. Dismissed reports are not counted (no case)."""
    low, high = _bounds(start, end)
    counts: dict[str, dict] = {}
    for community, kind, count in uow.session.execute(
            select(Incident.community_code, Incident.kind, func.count())
            .where(Incident.grid_code.startswith(area), Incident.kind.in_(ZERO_TARGET_KINDS),
                   Incident.status != "dismissed", Incident.reported_at >= low,
                   Incident.reported_at < high)
            .group_by(Incident.community_code, Incident.kind)):
        line = counts.setdefault(community, {"mass_incidents": 0, "group_petitions": 0})
        line["mass_incidents" if kind == "mass_incident" else "group_petitions"] += count
    for community, count in petitions.group_petitions_by_community(uow, area, start, end).items():
        counts.setdefault(community, {"mass_incidents": 0, "group_petitions": 0})
        counts[community]["group_petitions"] += count
    return counts


def check_indicators(uow: UnitOfWork, query_args: dict) -> str:
    """The area asked about, checked, before membership is asked for its communities."""
    args = load(IndicatorQuerySchema, query_args)
    require_scope(require_caller(uow.caller), args["area"], "area")
    return args["area"]


def indicators(uow: UnitOfWork, query_args: dict, communities: list[str] | None = None) -> dict:
    """The zero targets for ``area``: counts, target 0, met, per community (every community
    given in ``communities`` is listed, even with nothing to count)."""
    args = load(IndicatorQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, args["area"], "area")
    counts = zero_target_counts(uow, args["area"], args["from_"], args["to"])
    for community in communities or ():
        if community.startswith(args["area"]):
            counts.setdefault(community, {"mass_incidents": 0, "group_petitions": 0})
    lines = [{"community_code": code, **line, "target": 0,
              "met": line["mass_incidents"] + line["group_petitions"] == 0}
             for code, line in sorted(counts.items())]
    mass = sum(line["mass_incidents"] for line in lines)
    petitions = sum(line["group_petitions"] for line in lines)
    return {"area": args["area"], "from": args["from_"].isoformat(), "to": args["to"].isoformat(),
            "mass_incidents": mass, "group_petitions": petitions, "target": 0,
            "met": mass + petitions == 0, "communities": lines}
