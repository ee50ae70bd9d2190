"""The three rates 响应率 / 解决率 / 满意率, per area and per community or street, per period.

Computed in SQL: one ``GROUP BY`` over the tickets of the area touching the period (created,
due or rated in it), counting each rate's numerator, denominator and pending tickets with
conditional sums — never by loading tickets. The definitions are in ``domain.sla``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, and_, case, func, literal, or_, select

from services.tickets.domain import sla as rules
from services.tickets.models import Ticket, TicketCategory
from services.tickets.schemas.sla import RatesQuerySchema, RatesReportSchema
from services.tickets.sla import epoch_us, hours_in_microseconds, microseconds, visible_area
from shared.db import UnitOfWork
from shared.errors import InvalidInput
from shared.events.outbox import utcnow
from shared.pagination import decode_cursor, encode_cursor
from shared.validation import load

_report_schema = RatesReportSchema()


def _count(*conditions):
    return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)


def _counts(start: datetime, end: datetime, now: datetime) -> list:
    """The labelled conditional sums a row of the report is made of."""
    created_in = and_(Ticket.created_at >= start, Ticket.created_at < end)
    due_in = and_(Ticket.due_at >= start, Ticket.due_at < end)
    rated_in = and_(Ticket.rated_at >= start, Ticket.rated_at < end)
    # the first response: the acceptance, or the rejection of a ticket never accepted
    responded_at = case((Ticket.accepted_at.is_not(None), Ticket.accepted_at),
                        (Ticket.status == "rejected", Ticket.closed_at), else_=None)
    window = hours_in_microseconds(TicketCategory.response_hours)
    in_time = epoch_us(responded_at) - epoch_us(Ticket.created_at) <= window
    still_open = (epoch_us(Ticket.created_at) + window
                  > literal(microseconds(now), BigInteger))
    response_pending = and_(responded_at.is_(None), still_open)
    not_rejected = Ticket.status != "rejected"
    resolution_pending = and_(Ticket.resolved_at.is_(None), Ticket.due_at > now)
    return [
        _count(created_in, responded_at.is_not(None), in_time).label("responded_in_time"),
        _count(created_in, ~response_pending).label("response_judged"),
        _count(created_in, response_pending).label("response_pending"),
        _count(due_in, not_rejected, Ticket.resolved_at.is_not(None),
               Ticket.resolved_at <= Ticket.due_at).label("resolved_on_time"),
        _count(due_in, not_rejected, ~resolution_pending).label("resolution_judged"),
        _count(due_in, not_rejected, resolution_pending).label("resolution_pending"),
        _count(rated_in, Ticket.satisfied.is_(True)).label("satisfied"),
        _count(rated_in, Ticket.satisfied.is_not(None)).label("rated"),
    ]


def _row(code: str, mapping) -> dict:
    return {"code": code, **rules.rates_row({key: int(value) for key, value in mapping.items()
                                              if key != "key"})}


def ticket_rates(uow: UnitOfWork, query_args: dict) -> dict:
    """The three rates of ``area`` for the period, and with ``group_by`` one row per community
    or street of the area that has tickets in the period (paginated, by code)."""
    args = load(RatesQuerySchema, query_args)
    area = visible_area(uow, args["area"])
    now = utcnow()
    first, last = rules.default_period(now)
    first, last = args["from_"] or first, args["to"] or last
    if args["from_"] is None and args["to"] is not None:
        first = last.replace(day=1)
    start, end = rules.period_bounds(first, last)
    group_by = args["group_by"]
    rules.check_group_by(area, group_by)

    base = (select(*_counts(start, end, now)).select_from(Ticket)
            .join(TicketCategory, TicketCategory.code == Ticket.category_code)
            .where(Ticket.grid_code.like(f"{area}%"),
                   or_(and_(Ticket.created_at >= start, Ticket.created_at < end),
                       and_(Ticket.due_at >= start, Ticket.due_at < end),
                       and_(Ticket.rated_at >= start, Ticket.rated_at < end))))
    total = _row(area, uow.session.execute(base).mappings().one())
    items, next_cursor = [], None
    if group_by:
        key = Ticket.community_code if group_by == "community" else Ticket.street_code
        query = base.add_columns(key.label("key")).group_by(key).order_by(key)
        after = decode_cursor(args["cursor"])
        if after is not None:
            if not isinstance(after, str) or not after.isdigit():
                raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
            query = query.where(key > after)
        rows = uow.session.execute(query.limit(args["limit"] + 1)).mappings().all()
        items = [_row(row["key"], row) for row in rows[:args["limit"]]]
        if len(rows) > args["limit"]:
            next_cursor = encode_cursor(items[-1]["code"])
    return _report_schema.dump({
        "area": area, "from_": first, "to": last, "timezone": "UTC+08:00", "as_of": now,
        "group_by": group_by, "total": total, "items": items, "next_cursor": next_cursor})
