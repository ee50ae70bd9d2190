"""Open311 GeoReport v2 use cases: the standard's reads over the ticket model, and the check of a
POST Service Request before it becomes a ticket.

Every read of service requests is bounded by the caller's territory (the API key's scope), and
nothing about the reporter ever leaves: requests carry the place, the category, the description
and the clock, never a name, phone, email or account. A request outside the scope is answered
exactly like one that does not exist (404).
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.tickets.domain import open311 as rules
from services.tickets.domain.tickets import CLOSED_STATUSES, OPEN_STATUSES
from services.tickets.models import Ticket, TicketAttachment, TicketCategory, TicketTransition
from shared.db import UnitOfWork
from shared.errors import InvalidInput, NotAuthenticated, NotFound
from shared.events.outbox import utcnow


def _scope(uow: UnitOfWork) -> str:
    if uow.caller is None or uow.caller.scope is None:
        raise NotAuthenticated("api_key: an API key is required to read service requests")
    return uow.caller.scope


def _in_scope(uow: UnitOfWork):
    return Ticket.grid_code.like(f"{_scope(uow)}%")


def _category(uow: UnitOfWork, code: str) -> TicketCategory:
    category = uow.session.scalar(select(TicketCategory).where(TicketCategory.code == code,
                                                               TicketCategory.active.is_(True)))
    if category is None:
        raise NotFound(f"service_code: {code!r} was not found", field="service_code")
    return category


def list_services(uow: UnitOfWork, query: dict) -> list[dict]:
    """GET Service List: the active categories (public: no personal data in it)."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    categories = uow.session.scalars(select(TicketCategory).where(TicketCategory.active.is_(True))
                                     .order_by(TicketCategory.group, TicketCategory.code))
    return [rules.service_of(category) for category in categories]


def changeset(uow: UnitOfWork) -> str:
    """Discovery's ``changeset``: when the service list or a definition last changed."""
    latest = uow.session.scalar(select(func.max(TicketCategory.updated_at)))
    return rules.w3_datetime(latest) if latest else rules.w3_datetime(utcnow())


def service_definition(uow: UnitOfWork, service_code: str, query: dict) -> dict:
    """GET Service Definition: the category's attributes (404 naming service_code if unknown)."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    return rules.service_definition_of(_category(uow, service_code))


def _render(uow: UnitOfWork, tickets: list[Ticket]) -> list[dict]:
    """Requests with their category, latest status note and first media URL (three queries)."""
    if not tickets:
        return []
    ids = [ticket.id for ticket in tickets]
    categories = {c.code: c for c in uow.session.scalars(select(TicketCategory).where(
        TicketCategory.code.in_({ticket.category_code for ticket in tickets})))}
    notes: dict[int, str] = {}
    for ticket_id, comment in uow.session.execute(
            select(TicketTransition.ticket_id, TicketTransition.comment)
            .where(TicketTransition.ticket_id.in_(ids), TicketTransition.comment.is_not(None),
                   TicketTransition.comment != "",
                   TicketTransition.action.not_in(rules.PRIVATE_COMMENTS))
            .order_by(TicketTransition.ticket_id, TicketTransition.seq)):
        notes[ticket_id] = comment  # the last one wins
    media: dict[int, str] = {}
    for ticket_id, url in uow.session.execute(
            select(TicketAttachment.ticket_id, TicketAttachment.url)
            .where(TicketAttachment.ticket_id.in_(ids)).order_by(TicketAttachment.id)):
        media.setdefault(ticket_id, url)
    return [rules.request_of(ticket, categories.get(ticket.category_code), notes.get(ticket.id),
                             media.get(ticket.id)) for ticket in tickets]


def list_requests(uow: UnitOfWork, query: dict) -> dict:
    """GET Service Requests with the spec's filters, and ``page`` / ``page_size`` (the Austin /
    SeeClickFix extension). ``service_request_id`` overrides every other argument."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    page = rules.parse_int(query.get("page"), "page", 1, 1, 1_000_000)
    page_size = rules.parse_int(query.get("page_size"), "page_size", rules.MAX_REQUESTS, 1,
                                rules.MAX_REQUESTS)
    statement = select(Ticket).where(_in_scope(uow))
    ids = rules.parse_ids(query.get("service_request_id"))
    if ids:
        statement = statement.where(Ticket.id.in_(ids))
    else:
        codes = rules.parse_list(query.get("service_code"), "service_code")
        statuses = rules.parse_list(query.get("status"), "status", rules.OPEN311_STATUSES)
        start = (rules.parse_datetime(query["start_date"], "start_date")
                 if (query.get("start_date") or "").strip() else None)
        end = (rules.parse_datetime(query["end_date"], "end_date")
               if (query.get("end_date") or "").strip() else None)
        start, end = rules.request_window(start, end, utcnow())
        statement = statement.where(Ticket.created_at >= start, Ticket.created_at <= end)
        if codes:
            statement = statement.where(Ticket.category_code.in_(codes))
        if statuses and set(statuses) != set(rules.OPEN311_STATUSES):
            internal = OPEN_STATUSES if set(statuses) == {"open"} else CLOSED_STATUSES
            statement = statement.where(Ticket.status.in_(internal))
    rows = list(uow.session.scalars(statement.order_by(Ticket.created_at.desc(), Ticket.id.desc())
                                    .offset((page - 1) * page_size).limit(page_size + 1)))
    return {"requests": _render(uow, rows[:page_size]), "page": page, "page_size": page_size,
            "more": len(rows) > page_size}


def get_request(uow: UnitOfWork, service_request_id: int, query: dict) -> list[dict]:
    """GET Service Request: a list of one (404 when absent or outside the caller's scope)."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    _scope(uow)
    missing = NotFound(f"service_request_id: {service_request_id} was not found",
                       field="service_request_id")
    if not isinstance(service_request_id, int) or not 0 < service_request_id < 2**31:
        raise missing
    ticket = uow.session.scalar(select(Ticket).where(Ticket.id == service_request_id, _in_scope(uow)))
    if ticket is None:
        raise missing
    return _render(uow, [ticket])


def request_id_from_token(uow: UnitOfWork, token: str, query: dict) -> list[dict]:
    """GET service_request_id from a token."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    _scope(uow)
    ticket_id = uow.session.scalar(select(Ticket.id).where(Ticket.token == token.strip(),
                                                           _in_scope(uow))) if len(token) <= 36 else None
    if ticket_id is None:
        raise NotFound(f"token: {token!r} was not found", field="token")
    return [{"service_request_id": ticket_id, "token": token}]


def list_updates(uow: UnitOfWork, query: dict) -> dict:
    """GET Service Request Updates (mySociety's extension): every transition of the requests in
    scope, oldest first; ``since`` (an update_id) resumes after the last one a client saw."""
    rules.check_jurisdiction(query.get("jurisdiction_id"))
    page_size = rules.parse_int(query.get("page_size"), "page_size", rules.DEFAULT_UPDATES, 1,
                                rules.MAX_UPDATES)
    since = rules.parse_int(query.get("since"), "since", 0, 0, 2**31 - 1)
    statement = (select(TicketTransition).join(Ticket, Ticket.id == TicketTransition.ticket_id)
                 .where(_in_scope(uow), TicketTransition.id > since))
    ids = rules.parse_ids(query.get("service_request_id"))
    if ids:
        statement = statement.where(TicketTransition.ticket_id.in_(ids))
    for name, compare in (("start_date", TicketTransition.at.__ge__),
                          ("end_date", TicketTransition.at.__le__)):
        if (query.get(name) or "").strip():
            statement = statement.where(compare(rules.parse_datetime(query[name], name)))
    rows = list(uow.session.scalars(statement.order_by(TicketTransition.id).limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    return {"updates": [rules.update_of(row) for row in rows], "page_size": page_size,
            "next_since": rows[-1].id if more else None}


def ticket_payload(uow: UnitOfWork, form: dict) -> dict:
    """POST Service Request: check the Open311 arguments (jurisdiction, service_code, place,
    attributes) and answer the tickets payload; the ticket itself is made by the tickets core."""
    rules.check_jurisdiction(form.get("jurisdiction_id"))
    code = (form.get("service_code") or "").strip()
    if not code:
        raise InvalidInput("service_code: required (see GET services)", field="service_code")
    category = _category(uow, code)
    return {"payload": rules.ticket_payload(form, category),
            "service_notice": rules.service_notice_of(category)}

