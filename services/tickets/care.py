"""Care plan use cases: open and close from membership's flag events, record visits, list.

Load, apply the rules in ``domain.care``, store, emit. A plan outside the caller's scope is
answered exactly like one that does not exist (404), so ids cannot be probed. "Today" is the UTC
date unless a caller (the demo, a test) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select

from services.tickets import tickets
from services.tickets.domain import care as rules
from services.tickets.domain import tickets as ticket_rules
from services.tickets.models.care import CarePlan, CareScheduleLine, CareVisit
from services.tickets.schemas.care import (
    CarePlanListQuerySchema,
    CarePlanSchema,
    CareVisitCreateSchema,
    CareVisitListQuerySchema,
    CareVisitSchema,
    LifeEventCreateSchema,
)
from shared.context import require_caller, require_community_filter, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.territory import refile_codes
from shared.validation import load

_plan_schema = CarePlanSchema()
_visit_schema = CareVisitSchema()


def _today(today: date | None) -> date:
    return today or utcnow().date()
def _lines(uow: UnitOfWork, plan_ids: list[int]) -> dict[int, list[CareScheduleLine]]:
    lines: dict[int, list[CareScheduleLine]] = {i: [] for i in plan_ids}
    if plan_ids:
        for line in uow.session.scalars(select(CareScheduleLine).where(
                CareScheduleLine.plan_id.in_(plan_ids)).order_by(CareScheduleLine.id)):
            lines[line.plan_id].append(line)
    return lines


def _visit_counts(uow: UnitOfWork, plan_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(plan_ids, 0)
    if plan_ids:
        counts.update(uow.session.execute(
            select(CareVisit.plan_id, func.count()).where(CareVisit.plan_id.in_(plan_ids))
            .group_by(CareVisit.plan_id)).all())
    return counts


def render_plans(uow: UnitOfWork, plans: list[CarePlan], today: date | None = None) -> list[dict]:
    today = _today(today)
    ids = [plan.id for plan in plans]
    lines, counts = _lines(uow, ids), _visit_counts(uow, ids)
    rendered = []
    for plan in plans:
        schedule = [rules.ScheduleLine(line.kind, line.every_days, line.last_visited_on,
                                       line.next_due_on).view(today) for line in lines[plan.id]]
        if plan.status != "open":  # a closed plan is owed nothing
            for line in schedule:
                line["missed"], line["days_overdue"] = False, 0
        rendered.append(_plan_schema.dump({
            "id": plan.id, "resident_id": plan.resident_id, "flag": plan.flag,
            "grid_code": plan.grid_code, "community_code": plan.community_code,
            "status": plan.status, "flagged_on": plan.flagged_on, "starts_on": plan.starts_on,
            "closed_on": plan.closed_on, "close_reason": plan.close_reason,
            "schedule": schedule, "missed": [line["kind"] for line in schedule if line["missed"]],
            "visit_count": counts[plan.id], "opened_by": plan.opened_by,
            "created_at": plan.created_at, "updated_at": plan.updated_at}))
    return rendered


def _schedule_payload(lines) -> list[dict]:
    return [{"kind": line.kind, "every_days": line.every_days,
             "next_due_on": line.next_due_on.isoformat()} for line in lines]


def _plan_event_data(plan: CarePlan) -> dict:
    return {"care_plan_id": plan.id, "resident_id": plan.resident_id, "flag": plan.flag,
            "grid_code": plan.grid_code, "community_code": plan.community_code}


# --- from membership's events -----------------------------------------------------------------

def open_plan(uow: UnitOfWork, resident_id: int, grid_code: str, flag: str, flagged_on: date,
              today: date | None = None) -> tuple[CarePlan | None, str]:
    """Open (or reopen) the plan of (resident, flag); returns it and what was done. The unique
    constraint on (resident_id, flag) makes a concurrent second opening fail its commit; its
    retry then finds the plan and does nothing."""
    if not rules.is_care_flag(flag):
        return None, rules.IGNORE
    today = _today(today)
    plan = uow.session.scalar(select(CarePlan).where(
        CarePlan.resident_id == resident_id, CarePlan.flag == flag).with_for_update())
    action = rules.on_flagged(plan.status if plan else None, plan.closed_on if plan else None,
                              flagged_on)
    if action == rules.IGNORE:
        return plan, action
    actor = uow.caller.actor if uow.caller else "system"
    if plan is None:
        plan = CarePlan(resident_id=resident_id, flag=flag, grid_code=grid_code,
                        community_code=rules.community_of(grid_code), status="open",
                        flagged_on=flagged_on, starts_on=today, opened_by=actor)
        uow.session.add(plan)
        uow.session.flush()
        lines = [CareScheduleLine(plan_id=plan.id, kind=kind, every_days=every,
                                  next_due_on=rules.next_due(today, None, every))
                 for kind, every in rules.cadences_for(flag).items()]
        uow.session.add_all(lines)
    else:  # reopened: a fresh start, the old visits stay on record
        plan.status, plan.closed_on, plan.close_reason = "open", None, None
        plan.flagged_on, plan.starts_on, plan.grid_code = flagged_on, today, grid_code
        plan.community_code = rules.community_of(grid_code)
        plan.updated_at = utcnow()
        lines = _lines(uow, [plan.id])[plan.id]
        for line in lines:
            line.last_visited_on = None
            line.next_due_on = rules.next_due(today, None, line.every_days)
    uow.session.flush()
    uow.emit("tickets.care_plan_opened", {
        **_plan_event_data(plan), "starts_on": plan.starts_on.isoformat(),
        "schedule": _schedule_payload(lines), "reopened": action == rules.REOPEN},
        org_code=plan.grid_code)
    return plan, action


def open_from_event(uow: UnitOfWork, envelope: dict, today: date | None = None) -> dict:
    """Apply ``membership.resident_flagged`` (its payload is checked by the registry)."""
    data = envelope["data"]
    plan, action = open_plan(uow, data["resident_id"], data["grid_code"], data["flag"],
                             date.fromisoformat(data["on"]), today)
    return {"care_plan_id": plan.id if plan else None, "action": action}


def close_from_event(uow: UnitOfWork, envelope: dict) -> dict:
    """Apply ``membership.resident_unflagged``: the plan of that flag closes."""
    data = envelope["data"]
    plan = uow.session.scalar(select(CarePlan).where(
        CarePlan.resident_id == data["resident_id"], CarePlan.flag == data["flag"])
        .with_for_update())
    if plan is None or not rules.on_unflagged(plan.status):
        return {"care_plan_id": plan.id if plan else None, "action": rules.IGNORE}
    plan.status = "closed"
    plan.closed_on = date.fromisoformat(data["on"])
    plan.close_reason = "flag cleared"
    plan.updated_at = utcnow()
    uow.session.flush()
    uow.emit("tickets.care_plan_closed", {
        **_plan_event_data(plan), "closed_on": plan.closed_on.isoformat(),
        "reason": plan.close_reason}, org_code=plan.grid_code)
    return {"care_plan_id": plan.id, "action": "close"}


def follow_resident_move(uow: UnitOfWork, envelope: dict) -> dict:
    """Apply ``membership.resident_moved``: within the territory the resident's plans follow
    them to the new grid; out of it, the open plans close (``moved out``)."""
    data = envelope["data"]
    plans = list(uow.session.scalars(select(CarePlan).where(
        CarePlan.resident_id == data["resident_id"]).order_by(CarePlan.id).with_for_update()))
    closed = 0
    for plan in plans:
        if data["kind"] == "within" and data["to_grid_code"]:
            plan.grid_code = data["to_grid_code"]
            plan.community_code = rules.community_of(data["to_grid_code"])
        elif data["kind"] == "out" and plan.status == "open":
            plan.status, plan.close_reason = "closed", "moved out"
            plan.closed_on = date.fromisoformat(data["moved_on"])
            uow.session.flush()
            uow.emit("tickets.care_plan_closed", {
                **_plan_event_data(plan), "closed_on": plan.closed_on.isoformat(),
                "reason": plan.close_reason}, org_code=plan.grid_code)
            closed += 1
        plan.updated_at = utcnow()
    uow.session.flush()
    return {"plans": len(plans), "closed": closed}


def follow_merge(uow: UnitOfWork, data: dict) -> dict:
    """Apply ``membership.communities_merged``: plans in the absorbed community's grids take the
    grids' new codes (and so the surviving community)."""
    return refile_codes(uow, [CarePlan.grid_code, CarePlan.community_code], data["moves"])


# --- reading ----------------------------------------------------------------------------------

def _visible_plan(uow: UnitOfWork, plan_id, for_update: bool = False) -> CarePlan:
    require_caller(uow.caller)
    return find_by_id(uow, CarePlan, plan_id, code_column=CarePlan.grid_code, what="care plan",
                      for_update=for_update)


def get_plan(uow: UnitOfWork, plan_id: int, today: date | None = None) -> dict:
    return render_plans(uow, [_visible_plan(uow, plan_id)], today)[0]



def list_plans(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    args = load(CarePlanListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    today = _today(today)
    query = select(CarePlan).where(CarePlan.grid_code.like(f"{caller.scope}%"))
    if args["community"]:
        require_community_filter(caller, args["community"])
        query = query.where(CarePlan.community_code == args["community"])
    if args["flag"]:
        query = query.where(CarePlan.flag == args["flag"])
    if args["status"]:
        query = query.where(CarePlan.status == args["status"])
    if args["resident_id"]:
        query = query.where(CarePlan.resident_id == args["resident_id"])
    if args["missed"] is not None:
        overdue = exists().where(CareScheduleLine.plan_id == CarePlan.id,
                                 CareScheduleLine.next_due_on < today)
        query = query.where(CarePlan.status == "open", overdue if args["missed"] else ~overdue)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(CarePlan.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(CarePlan.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda plan: plan.id, render=lambda plan: plan)
    page["items"] = render_plans(uow, page["items"], today)
    return page


def _render_visit(visit: CareVisit) -> dict:
    return _visit_schema.dump({
        "id": visit.id, "care_plan_id": visit.plan_id, "kind": visit.kind,
        "visited_on": visit.visited_on, "visitor": visit.visitor, "outcome": visit.outcome,
        "notes": visit.notes, "recorded_by": visit.recorded_by,
        "recorded_at": visit.recorded_at})


def list_visits(uow: UnitOfWork, plan_id: int, query_args: dict) -> dict:
    """A plan's visits, newest first."""
    args = load(CareVisitListQuerySchema, query_args)
    plan = _visible_plan(uow, plan_id)
    query = select(CareVisit).where(CareVisit.plan_id == plan.id)
    if args["kind"]:
        query = query.where(CareVisit.kind == args["kind"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(CareVisit.id < after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(CareVisit.id.desc()).limit(limit + 1)))
    return page_of(rows, limit, key=lambda visit: visit.id, render=_render_visit)


# --- visits -----------------------------------------------------------------------------------

def add_visit(uow: UnitOfWork, plan: CarePlan, kind: str, visited_on: date, visitor: str,
              outcome: str, notes: str | None, today: date) -> CareVisit:
    """Store a visit and move its schedule line (the plan's row is locked or new)."""
    rules.check_visit(plan.status, plan.starts_on, visited_on, today)
    line = uow.session.scalar(select(CareScheduleLine).where(
        CareScheduleLine.plan_id == plan.id, CareScheduleLine.kind == kind))
    actor = uow.caller.actor if uow.caller else "system"
    visit = CareVisit(plan_id=plan.id, kind=kind, visited_on=visited_on, visitor=visitor,
                      outcome=outcome, notes=notes, recorded_by=actor)
    uow.session.add(visit)
    line.last_visited_on = rules.after_visit(line.last_visited_on, visited_on, outcome)
    line.next_due_on = rules.next_due(plan.starts_on, line.last_visited_on, line.every_days)
    plan.updated_at = utcnow()
    uow.session.flush()
    uow.emit("tickets.care_visit_recorded", {
        **_plan_event_data(plan), "visit_id": visit.id, "kind": kind,
        "visited_on": visited_on.isoformat(), "outcome": outcome,
        "counted": rules.counts_for_schedule(outcome),
        "next_due_on": line.next_due_on.isoformat()}, org_code=plan.grid_code)
    return visit


def record_visit(uow: UnitOfWork, plan_id: int, payload: dict, today: date | None = None) -> dict:
    data = load(CareVisitCreateSchema, payload)
    rules.require_writer(require_caller(uow.caller))
    today = _today(today)
    visitor = rules.clean_text(data["visitor"], "visitor", required=True)
    notes = (data["notes"] or "").strip() or None
    plan = _visible_plan(uow, plan_id, for_update=True)
    visit = add_visit(uow, plan, data["kind"], data["visited_on"] or today, visitor,
                      data["outcome"], notes, today)
    return {"visit": _render_visit(visit), "care_plan": render_plans(uow, [plan], today)[0]}



# --- life events 八到家 ------------------------------------------------------------------------

def check_life_event(uow: UnitOfWork, payload: dict) -> dict:
    """The life event, loaded, from a caller who may open tickets in its grid; refused before
    anything is looked up in membership."""
    data = load(LifeEventCreateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *ticket_rules.CREATOR_ROLES)
    require_scope(caller, data["grid_code"], "grid_code")
    return data


def record_life_event(uow: UnitOfWork, payload: dict, grid: dict, resident: dict | None,
                      today: date | None = None) -> dict:
    """A life event opens a visit ticket through the ticket core. ``grid`` is membership's
    territory node, ``resident`` ({"id", "grid_code", "address"}) the resident concerned. The
    ticket names the resident by id only (no name or phone copied into tickets)."""
    data = check_life_event(uow, payload)
    today = _today(today)
    occurred_on = data["occurred_on"] or today
    rules.check_life_event(occurred_on, today)
    grid_code, community_code, _street = tickets.place_of(grid, "grid_code")
    resident_id = data["resident_id"]
    if resident_id is not None:
        if resident is None or resident.get("id") != resident_id:
            raise NotFound(f"resident_id: no resident {resident_id} in your scope",
                           field="resident_id")
        rules.check_resident_grid(resident["grid_code"], grid_code)
    notes = (data["notes"] or "").strip() or None
    address = ((resident or {}).get("address") or "")[:300] or None
    ticket = tickets.add_ticket(uow, {
        "category_code": rules.VISIT_TICKET_CATEGORY, "channel": rules.VISIT_TICKET_CHANNEL,
        "description": rules.life_event_ticket_text(data["kind"], occurred_on, notes),
        "priority": rules.life_event_priority(data["kind"]),
        "reporter": {"resident_id": resident_id} if resident_id else None,
        "location": {"grid_code": grid_code, "address": address}},
        grid, {"id": resident_id} if resident_id else None)
    event = {"ticket_id": ticket.id, "kind": data["kind"], "resident_id": resident_id,
             "grid_code": grid_code, "community_code": community_code,
             "occurred_on": occurred_on.isoformat(),
             "restricted": data["kind"] in rules.RESTRICTED_LIFE_EVENTS}
    uow.emit("tickets.life_event_recorded", event, org_code=grid_code)
    return {"life_event": {key: event[key] for key in (
        "kind", "resident_id", "grid_code", "community_code", "occurred_on", "ticket_id")},
        "ticket": tickets.render_ticket(uow, ticket)}
