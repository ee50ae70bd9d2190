"""Ticket use cases: create, read, list, move along the closed loop, the callback 回访.

Load, apply the rules in ``domain.tickets``, store, append the change to the ticket's history
(``history.append_transition``) and emit its one event, all in the caller's transaction. What
needs another service (the grid, the reporter, a volunteer) is looked up by the entrypoint and
passed in. A ticket outside the caller's scope is answered exactly like one that does not exist.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, not_, select

from services.tickets.domain import categories as category_rules
from services.tickets.domain import tickets as rules
from services.tickets.history import append_transition
from services.tickets.models import Ticket, TicketAttachment, TicketCategory, TicketTransition
from services.tickets.schemas.tickets import (
    TicketCreateSchema,
    TicketListQuerySchema,
    TicketRatingRequestSchema,
    TicketSchema,
    TicketTransitionRequestSchema,
    TicketTransitionSchema,
)
from shared.context import CallerContext, require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events.outbox import utcnow
from shared.events.tickets.tickets import ACTION_EVENTS
from shared.lookup import find_by_id
from shared.pagination import PageRequestSchema, after_id, page_of
from shared.personal_data import mask_phone
from shared.validation import load

_ticket_schema = TicketSchema()
_transition_schema = TicketTransitionSchema()
# a ticket counts as overdue while it is past due and still being worked on
NOT_OVERDUE_STATUSES = ("resolved", "closed", "rejected")

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

def _mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


# --- rendering ----------------------------------------------------------------------------------

def _attachments_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[TicketAttachment]]:
    found: dict[int, list[TicketAttachment]] = {i: [] for i in ids}
    if ids:
        for row in uow.session.scalars(select(TicketAttachment)
                                       .where(TicketAttachment.ticket_id.in_(ids))
                                       .order_by(TicketAttachment.id)):
            found[row.ticket_id].append(row)
    return found


def _reporter(ticket: Ticket) -> dict | None:
    if ticket.anonymous:
        return None
    reporter = {"resident_id": ticket.reporter_resident_id, "name": ticket.reporter_name,
                "phone": mask_phone(ticket.reporter_phone),
                "email": _mask_email(ticket.reporter_email)}
    return reporter if any(v is not None for v in reporter.values()) else None


def _render(ticket: Ticket, attachments: list[TicketAttachment], now: datetime) -> dict:
    assignee = ({"kind": ticket.assignee_kind, "ref": ticket.assignee_ref}
                if ticket.assignee_kind else None)
    return _ticket_schema.dump({
        "id": ticket.id, "token": ticket.token, "status": ticket.status,
        "allowed_actions": rules.allowed_actions(ticket.status),
        "category_code": ticket.category_code, "channel": ticket.channel,
        "description": ticket.description, "priority": ticket.priority,
        "fee_class": ticket.fee_class, "anonymous": ticket.anonymous,
        "reporter": _reporter(ticket),
        "location": {"grid_code": ticket.grid_code, "community_code": ticket.community_code,
                     "street_code": ticket.street_code, "address": ticket.address,
                     "lat": ticket.lat, "lon": ticket.lon},
        "attributes": ticket.attributes or {},
        "attachments": [{"id": a.id, "url": a.url, "sha256": a.sha256,
                         "media_type": a.media_type, "added_by": a.added_by,
                         "added_at": a.added_at} for a in attachments],
        "level": ticket.level, "responsible_code": ticket.responsible_code,
        "accountable_code": ticket.accountable_code, "assignee": assignee,
        "due_at": ticket.due_at,
        "overdue": ticket.status not in NOT_OVERDUE_STATUSES and ticket.due_at < now,
        "accepted_at": ticket.accepted_at, "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at, "sla_breached_at": ticket.sla_breached_at,
        "extension_requested_until": ticket.extension_requested_until,
        "reopen_count": ticket.reopen_count, "escalation_count": ticket.escalation_count,
        "rating": ticket.rating, "satisfied": ticket.satisfied,
        "rating_comment": ticket.rating_comment, "rated_at": ticket.rated_at,
        "created_by": ticket.created_by, "created_at": ticket.created_at,
        "updated_at": ticket.updated_at})


def render_tickets(uow: UnitOfWork, tickets: list[Ticket]) -> list[dict]:
    attachments = _attachments_of(uow, [t.id for t in tickets])
    now = utcnow()
    return [_render(t, attachments[t.id], now) for t in tickets]


def render_ticket(uow: UnitOfWork, ticket: Ticket) -> dict:
    return render_tickets(uow, [ticket])[0]


def _visible(uow: UnitOfWork, ticket_id, *, for_update: bool = False) -> Ticket:
    require_caller(uow.caller)
    return find_by_id(uow, Ticket, ticket_id, code_column=Ticket.grid_code, what="ticket",
                      field="id", for_update=for_update)


# --- events -------------------------------------------------------------------------------------

def _change(ticket: Ticket, transition: TicketTransition) -> dict:
    return {"ticket_id": ticket.id, "transition_id": transition.id, "seq": transition.seq,
            "action": transition.action, "from_status": transition.from_status,
            "status": ticket.status, "comment": transition.comment,
            "category_code": ticket.category_code, "grid_code": ticket.grid_code,
            "community_code": ticket.community_code, "street_code": ticket.street_code,
            "level": ticket.level, "responsible_code": ticket.responsible_code,
            "accountable_code": ticket.accountable_code, "due_at": _iso(ticket.due_at),
            "at": _iso(transition.at)}


def _record(uow: UnitOfWork, ticket: Ticket, action: str, now: datetime, *,
            to_status: str | None = None, comment: str | None = None,
            details: dict | None = None, extra: dict | None = None) -> TicketTransition:
    """One change: the history row and its event, in this transaction."""
    ticket.updated_at = now
    transition = append_transition(uow.session, ticket, action, require_caller(uow.caller).principal,
                                   to_status=to_status, comment=comment, details=details, at=now)
    uow.emit(ACTION_EVENTS[action], {**_change(ticket, transition), **(extra or {})},
             org_code=ticket.grid_code)
    return transition


def _assignee(ticket: Ticket) -> dict | None:
    return ({"kind": ticket.assignee_kind, "ref": ticket.assignee_ref}
            if ticket.assignee_kind else None)


# --- create -------------------------------------------------------------------------------------

def check_create(uow: UnitOfWork, payload: dict) -> dict:
    """The create payload, loaded, from a caller allowed to create tickets in its grid; refused
    before anything is looked up (so the entrypoint's lookups cannot be used to probe)."""
    data = load(TicketCreateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *rules.CREATOR_ROLES)
    require_scope(caller, data["location"]["grid_code"], "location.grid_code")
    return data


def place_of(grid: dict, field: str = "location.grid_code") -> tuple[str, str, str]:
    """(grid, community, street) codes of a territory node from membership, which must be an
    active grid (an old code of a re-coded grid resolves to its new code)."""
    if grid.get("level") != "grid":
        raise InvalidInput(f"{field}: {grid.get('code')} is a {grid.get('level')}, not a grid",
                           field=field)
    if grid.get("status", "active") != "active":
        raise InvalidInput(f"{field}: the grid {grid['code']} is no longer in use", field=field)
    code = grid["code"]
    community = grid.get("parent_code") or code[:12]
    return code, community, community[:9]


def create_ticket(uow: UnitOfWork, payload: dict, grid: dict, resident: dict | None = None,
                  now: datetime | None = None) -> dict:
    """A new ticket (status submitted) in ``grid`` (a membership territory node), reported by
    ``resident`` (a membership resident, when ``reporter.resident_id`` is given)."""
    return render_ticket(uow, add_ticket(uow, payload, grid, resident, now))


def add_ticket(uow: UnitOfWork, payload: dict, grid: dict, resident: dict | None = None,
               now: datetime | None = None) -> Ticket:
    """``create_ticket`` without rendering the result (demo data, bulk imports)."""
    data = check_create(uow, payload)
    caller = require_caller(uow.caller)
    now = now or utcnow()
    grid_code, community_code, street_code = place_of(grid)
    require_scope(caller, grid_code, "location.grid_code")
    category = uow.session.scalar(select(TicketCategory).where(
        TicketCategory.code == data["category_code"]))
    if category is None:
        raise InvalidInput(f"category_code: no ticket category {data['category_code']!r}",
                           field="category_code")
    if not category.active:
        raise InvalidInput(f"category_code: {category.code} takes no new tickets",
                           field="category_code")
    answers = category_rules.check_answers(category.attributes or [], data["attributes"])
    reporter = data["reporter"] or {}
    resident_id = reporter.get("resident_id")
    if resident_id is not None and (resident is None or resident.get("id") != resident_id):
        raise InvalidInput(f"reporter.resident_id: no resident {resident_id} in your scope",
                           field="reporter.resident_id")
    name = reporter.get("name") or (resident or {}).get("name")
    phone = reporter.get("phone") or (resident or {}).get("phone")
    location = data["location"]
    ticket = Ticket(
        token=str(uuid.uuid4()), channel=data["channel"], category_code=category.code,
        description=data["description"], status="submitted", priority=data["priority"],
        fee_class=data["fee_class"] or category.fee_class, anonymous=data["anonymous"],
        reporter_resident_id=None if data["anonymous"] else resident_id,
        reporter_name=None if data["anonymous"] else name,
        reporter_phone=None if data["anonymous"] else phone,
        reporter_email=None if data["anonymous"] else reporter.get("email"),
        address=location["address"], grid_code=grid_code, community_code=community_code,
        street_code=street_code, lat=location["lat"], lon=location["lon"], attributes=answers,
        level="community", responsible_code=community_code, accountable_code=community_code,
        due_at=now + timedelta(hours=category.sla_hours), reopen_count=0, escalation_count=0,
        created_by=caller.principal, created_at=now, updated_at=now)
    uow.session.add(ticket)
    uow.session.flush()
    uow.session.add_all(TicketAttachment(ticket_id=ticket.id, url=a["url"],
                                         sha256=a["sha256"].lower() if a["sha256"] else None,
                                         media_type=a["media_type"], added_by=caller.principal,
                                         added_at=now)
                        for a in data["attachments"])
    _record(uow, ticket, "submit", now, to_status="submitted",
            details={"channel": ticket.channel},
            extra={"channel": ticket.channel, "priority": ticket.priority,
                   "fee_class": ticket.fee_class, "anonymous": ticket.anonymous,
                   "reporter_resident_id": ticket.reporter_resident_id,
                   "is_dispute": category.is_dispute, "created_at": _iso(now)})
    if category.is_dispute:
        uow.emit("tickets.dispute_reported", {
            "ticket_id": ticket.id, "category_code": category.code,
            "description": ticket.description, "grid_code": grid_code,
            "community_code": community_code, "street_code": street_code,
            "address": ticket.address, "reporter_resident_id": ticket.reporter_resident_id,
            "attributes": answers, "reported_at": _iso(now)}, org_code=grid_code)
    return ticket


# --- read ---------------------------------------------------------------------------------------

def get_ticket(uow: UnitOfWork, ticket_id: int) -> dict:
    return render_ticket(uow, _visible(uow, ticket_id))


def list_tickets(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(TicketListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(Ticket).where(Ticket.grid_code.like(f"{caller.scope}%"))
    if args["community"]:
        require_scope(caller, args["community"], "community")
        query = query.where(Ticket.grid_code.like(f"{args['community']}%"))
    if args["status"]:
        query = query.where(Ticket.status.in_([s.strip() for s in args["status"].split(",")]))
    if args["category"]:
        query = query.where(Ticket.category_code == args["category"])
    if args["channel"]:
        query = query.where(Ticket.channel == args["channel"])
    if args["overdue"] is not None:
        overdue = and_(Ticket.due_at < utcnow(), Ticket.status.not_in(NOT_OVERDUE_STATUSES))
        query = query.where(overdue if args["overdue"] else not_(overdue))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Ticket.id < after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Ticket.id.desc()).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda t: t.id, render=lambda t: t)
    page["items"] = render_tickets(uow, page["items"])
    return page


def list_transitions(uow: UnitOfWork, ticket_id: int, query_args: dict) -> dict:
    args = load(PageRequestSchema, query_args)
    ticket = _visible(uow, ticket_id)
    query = select(TicketTransition).where(TicketTransition.ticket_id == ticket.id)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(TicketTransition.seq > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(TicketTransition.seq).limit(limit + 1)))
    return page_of(rows, limit, key=lambda t: t.seq, render=lambda t: _transition_schema.dump({
        "id": t.id, "seq": t.seq, "action": t.action, "from_status": t.from_status,
        "to_status": t.to_status, "actor": t.actor, "comment": t.comment,
        "details": t.details or {}, "at": t.at}))


# --- the lifecycle ------------------------------------------------------------------------------

def check_transition(uow: UnitOfWork, payload: dict) -> dict:
    """The transition request, loaded, from a caller whose role may take its action."""
    data = load(TicketTransitionRequestSchema, payload)
    require_role(require_caller(uow.caller), *rules.ACTION_ROLES[data["action"]])
    return data


def _refuse_illegal(action: str, status: str) -> str:
    try:
        return rules.target_status(action, status)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc), field="action") from None


def _require_where_handled(caller: CallerContext, action: str, ticket: Ticket) -> None:
    if not rules.may_act(caller.scope, action, ticket.level, ticket.responsible_code,
                         ticket.grid_code):
        raise Forbidden(f"action: this ticket is handled at {ticket.level} level by "
                        f"{ticket.responsible_code}, above your scope {caller.scope}",
                        field="action")


def transition(uow: UnitOfWork, ticket_id: int, payload: dict, now: datetime | None = None,
               volunteer: dict | None = None) -> dict:
    """Take ``payload['action']`` on the ticket. ``volunteer``: the membership volunteer a
    dispatch to a volunteer names (the entrypoint looks it up)."""
    return render_ticket(uow, apply_transition(uow, ticket_id, payload, now, volunteer))


def apply_transition(uow: UnitOfWork, ticket_id: int, payload: dict,
                     now: datetime | None = None, volunteer: dict | None = None) -> Ticket:
    """``transition`` without rendering the result."""
    data = check_transition(uow, payload)
    caller = require_caller(uow.caller)
    now = now or utcnow()
    action = data["action"]
    ticket = _visible(uow, ticket_id, for_update=True)
    _require_where_handled(caller, action, ticket)
    target = _refuse_illegal(action, ticket.status)
    comment = data["comment"]
    details: dict = {}
    extra: dict = {}

    if action in rules.REASON_REQUIRED and not data["reason"]:
        raise InvalidInput(f"reason: required to {action} a ticket", field="reason")
    if data["hours"] is not None and action != "resolve":
        raise InvalidInput("hours: only given when resolving", field="hours")
    if data["assignee"] is not None and action != "dispatch":
        raise InvalidInput("assignee: only given when dispatching", field="assignee")
    if data["extension_until"] is not None and action != "request_extension":
        raise InvalidInput("extension_until: only given when requesting an extension",
                           field="extension_until")

    if action == "accept":
        ticket.accepted_at = ticket.accepted_at or now
        category = uow.session.scalar(select(TicketCategory).where(
            TicketCategory.code == ticket.category_code))
        extra = {"created_at": _iso(ticket.created_at), "accepted_at": _iso(ticket.accepted_at),
                 "responded_in_time": ticket.accepted_at - ticket.created_at
                 <= timedelta(hours=category.response_hours)}
    elif action == "reject":
        details = {"reason": data["reason"]}
        extra = {"reason": data["reason"]}
        ticket.closed_at = now
    elif action == "dispatch":
        assignee = data["assignee"]
        if assignee is None:
            raise InvalidInput("assignee: required to dispatch (kind and ref)", field="assignee")
        if assignee["kind"] == "volunteer":
            if not assignee["ref"].isdigit() or volunteer is None \
                    or str(volunteer.get("id")) != assignee["ref"]:
                raise InvalidInput(f"assignee.ref: no volunteer {assignee['ref']} in your scope",
                                   field="assignee.ref")
            if volunteer.get("status", "active") != "active":
                raise InvalidInput(f"assignee.ref: volunteer {assignee['ref']} is inactive",
                                   field="assignee.ref")
        ticket.assignee_kind, ticket.assignee_ref = assignee["kind"], assignee["ref"]
        details = {"assignee": dict(assignee)}
        extra = {"assignee": dict(assignee)}
    elif action == "sign_for":
        extra = {"assignee": _assignee(ticket)}
    elif action == "return":
        returned_by = _assignee(ticket)
        ticket.assignee_kind = ticket.assignee_ref = None
        ticket.extension_requested_until = None
        details = {"reason": data["reason"], "returned_by": returned_by}
        extra = {"reason": data["reason"], "returned_by": returned_by}
    elif action == "request_extension":
        until = data["extension_until"]
        if until is None:
            raise InvalidInput("extension_until: required to request an extension",
                               field="extension_until")
        if ticket.extension_requested_until is not None:
            raise Conflict("action: an extension request awaits a decision already",
                           field="action")
        if until <= ticket.due_at or until <= now:
            raise InvalidInput("extension_until: must be later than the due time "
                               f"{_iso(ticket.due_at)}", field="extension_until")
        if until > now + timedelta(days=rules.MAX_EXTENSION_DAYS):
            raise InvalidInput(f"extension_until: at most {rules.MAX_EXTENSION_DAYS} days ahead",
                               field="extension_until")
        ticket.extension_requested_until = until
        details = {"extension_until": _iso(until)}
        extra = {"extension_until": _iso(until)}
    elif action in ("approve_extension", "refuse_extension"):
        until = ticket.extension_requested_until
        if until is None:
            raise Conflict(f"action: no extension request awaits a decision; "
                           f"{action} needs one", field="action")
        ticket.extension_requested_until = None
        if action == "approve_extension":
            old_due = ticket.due_at
            ticket.due_at = until
            ticket.due_soon_reminded_at = None  # the SLA clock's reminder counts from the new time
            details = {"old_due_at": _iso(old_due), "due_at": _iso(until)}
            extra = {"old_due_at": _iso(old_due)}
        else:
            details = extra = {"extension_until": _iso(until)}
    elif action == "remind":
        details = extra = {"overdue": ticket.due_at < now}
    elif action == "escalate":
        level = rules.next_level(ticket.level)
        if level is None:
            raise Conflict("action: the ticket is at the district already; it cannot be "
                           "escalated further", field="action")
        from_level, from_code = ticket.level, ticket.responsible_code
        ticket.level = level
        ticket.responsible_code = rules.responsible_code_at(level, ticket.grid_code)
        ticket.escalation_count += 1
        ticket.assignee_kind = ticket.assignee_ref = None
        ticket.extension_requested_until = None
        details = {"from_level": from_level, "to_level": level,
                   "from_responsible_code": from_code,
                   "responsible_code": ticket.responsible_code}
        extra = {"from_level": from_level, "from_responsible_code": from_code,
                 "escalation_count": ticket.escalation_count}
    elif action == "resolve":
        if data["hours"] is not None and ticket.assignee_kind != "volunteer":
            raise InvalidInput("hours: only a ticket dispatched to a volunteer earns hours",
                               field="hours")
        ticket.resolved_at = now
        ticket.extension_requested_until = None
        details = {"on_time": rules.on_time(ticket.due_at, now)}
        if data["hours"] is not None:
            details["hours"] = data["hours"]
        extra = {"created_at": _iso(ticket.created_at), "accepted_at": _iso(ticket.accepted_at),
                 "resolved_at": _iso(now), "on_time": rules.on_time(ticket.due_at, now),
                 "assignee": _assignee(ticket), "reopen_count": ticket.reopen_count,
                 "escalation_count": ticket.escalation_count}
    elif action == "reopen":
        deadline = rules.reopen_deadline(ticket.status, ticket.resolved_at, ticket.closed_at)
        if deadline is not None and now > deadline:
            raise Conflict(f"action: the reporter could reopen this ticket until "
                           f"{_iso(deadline)} ({rules.REOPEN_WINDOW_DAYS} days)", field="action")
        _reopen_fields(ticket)
        details = {"by_callback": False}
        extra = {"reopen_count": ticket.reopen_count, "by_callback": False}
    elif action == "close":
        ticket.closed_at = now
        details = {"by_callback": False}
        extra = {"closed_at": _iso(now), "by_callback": False}

    _record(uow, ticket, action, now, to_status=target, comment=comment, details=details,
            extra=extra)
    if action == "resolve" and data["hours"] is not None:
        uow.emit("tickets.volunteer_hours_earned", {
            "volunteer_id": int(ticket.assignee_ref), "hours": data["hours"],
            "activity_date": now.date().isoformat(), "source_type": "ticket",
            "source_id": str(ticket.id), "org_code": ticket.grid_code,
            "description": f"ticket {ticket.id} ({ticket.category_code})"},
            org_code=ticket.grid_code)
    return ticket


def _reopen_fields(ticket: Ticket) -> None:
    ticket.reopen_count += 1
    ticket.resolved_at = None
    ticket.closed_at = None
    ticket.assignee_kind = ticket.assignee_ref = None


def rate(uow: UnitOfWork, ticket_id: int, payload: dict, now: datetime | None = None) -> dict:
    """The callback 回访 on a resolved ticket: satisfied (rating ≥ 4) closes it, unsatisfied
    reopens it (back to accepted, to be dispatched again)."""
    return render_ticket(uow, apply_rating(uow, ticket_id, payload, now))


def apply_rating(uow: UnitOfWork, ticket_id: int, payload: dict,
                 now: datetime | None = None) -> Ticket:
    """``rate`` without rendering the result."""
    data = load(TicketRatingRequestSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *rules.RATER_ROLES)
    now = now or utcnow()
    ticket = _visible(uow, ticket_id, for_update=True)
    if ticket.status != "resolved":
        already = f" (rated {ticket.rating} at {_iso(ticket.rated_at)})" if ticket.rating else ""
        raise Conflict(f"rating: only a resolved ticket is rated at its callback; this one is "
                       f"{ticket.status}{already}", field="rating")
    satisfied = rules.is_satisfied(data["rating"])
    resolved_at = ticket.resolved_at
    ticket.rating, ticket.satisfied = data["rating"], satisfied
    ticket.rating_comment, ticket.rated_at = data["comment"], now
    _record(uow, ticket, "rate", now, comment=data["comment"],
            details={"rating": data["rating"], "satisfied": satisfied},
            extra={"rating": data["rating"], "satisfied": satisfied,
                   "rating_comment": data["comment"], "resolved_at": _iso(resolved_at),
                   "on_time": rules.on_time(ticket.due_at, resolved_at)})
    if satisfied:
        ticket.closed_at = now
        _record(uow, ticket, "close", now, to_status="closed", details={"by_callback": True},
                extra={"closed_at": _iso(now), "by_callback": True})
    else:
        _reopen_fields(ticket)
        _record(uow, ticket, "reopen", now, to_status="accepted", details={"by_callback": True},
                extra={"reopen_count": ticket.reopen_count, "by_callback": True})
    return ticket

