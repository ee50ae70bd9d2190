"""The SLA clock (reminders before the due time, breaches after it) and the at-risk dashboard.

The clock runs in every instance of the tickets service at once, so each of its effects is
claimed, not assumed: a batch of candidate tickets is selected ``FOR UPDATE SKIP LOCKED`` (on
PostgreSQL another instance's batch is skipped, not waited for), and each ticket is then marked
by a conditional ``UPDATE … WHERE sla_breached_at IS NULL …`` (``due_soon_reminded_at`` for the
reminder) whose ``RETURNING`` says which rows this instance won. Only those get their
transition and their event, in the same transaction as the mark (the outbox). SQLite, which
has no row locks, serialises writers, and the conditional update alone keeps it exactly once.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import BigInteger, and_, cast, literal, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from services.tickets.domain import sla as rules
from services.tickets.history import append_transition
from services.tickets.models import Ticket, TicketCategory
from services.tickets.schemas.sla import AtRiskQuerySchema, AtRiskTicketSchema
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import InvalidInput
from shared.events.outbox import utcnow
from shared.pagination import decode_cursor, page_of
from shared.validation import load

Transaction = Callable[[], AbstractContextManager[UnitOfWork]]
"""Opens one unit of work (one transaction) as the platform: the clock's batches each use one."""

SYSTEM = "system"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_at_risk_schema = AtRiskTicketSchema()


class epoch_us(FunctionElement):
    """A timestamp as whole microseconds since 1970, exactly, on SQLite and PostgreSQL alike
    (so that time arithmetic in SQL has no rounding at its boundaries)."""

    type = BigInteger()
    name = "epoch_us"
    inherit_cache = True


@compiles(epoch_us, "sqlite")
def _epoch_us_sqlite(element, compiler, **kw):
    # SQLAlchemy stores SQLite timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, by UtcDateTime)
    value = compiler.process(element.clauses, **kw)
    return (f"(CAST(strftime('%s', {value}) AS INTEGER) * 1000000"
            f" + CAST(substr({value}, 21, 6) AS INTEGER))")


@compiles(epoch_us, "postgresql")
def _epoch_us_postgresql(element, compiler, **kw):
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"


def microseconds(moment: datetime) -> int:
    """``moment`` as whole microseconds since 1970 (the Python side of ``epoch_us``)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def hours_in_microseconds(hours_column, per_hour: int = rules.MICROSECONDS_PER_HOUR):
    return cast(hours_column, BigInteger) * literal(per_hour, BigInteger)


# --- the clock: breaches ----------------------------------------------------------------------

def _breach_conditions(now: datetime) -> tuple:
    return (Ticket.sla_breached_at.is_(None), Ticket.status.in_(rules.CLOCK_STATUSES),
            Ticket.due_at <= now)


def find_breaches(uow: UnitOfWork, now: datetime, limit: int) -> list[int]:
    """Up to ``limit`` tickets the clock must mark, oldest due first, locked for this
    transaction (rows another instance has locked are skipped)."""
    return list(uow.session.scalars(
        select(Ticket.id).where(*_breach_conditions(now))
        .order_by(Ticket.due_at, Ticket.id).limit(limit).with_for_update(skip_locked=True)))


def _loaded(uow: UnitOfWork, ids: list[int]) -> list[Ticket]:
    return list(uow.session.scalars(
        select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)
        .execution_options(populate_existing=True)))


def mark_breaches(uow: UnitOfWork, ids: list[int], now: datetime) -> list[int]:
    """Mark those of ``ids`` still breaching and not marked yet (by anyone); for each one won,
    append the ``sla_breached`` transition and emit ``tickets.ticket_sla_breached``."""
    if not ids:
        return []
    won = sorted(uow.session.scalars(
        update(Ticket).where(Ticket.id.in_(ids), *_breach_conditions(now))
        .values(sla_breached_at=now, updated_at=now).returning(Ticket.id)
        .execution_options(synchronize_session=False)))
    for ticket in _loaded(uow, won):
        transition = append_transition(
            uow.session, ticket, "sla_breached", SYSTEM,
            comment=f"超时: not resolved by its due time {ticket.due_at.isoformat()}",
            details={"due_at": ticket.due_at.isoformat(), "breached_at": now.isoformat()}, at=now)
        uow.emit("tickets.ticket_sla_breached",
                 {**rules.clock_payload(ticket, transition.id), "breached_at": now.isoformat()},
                 org_code=ticket.community_code)
    return won


# --- the clock: reminders before the due time ---------------------------------------------------

def _due_soon_conditions(now: datetime, share: float) -> tuple:
    sla_hours = (select(TicketCategory.sla_hours)
                 .where(TicketCategory.code == Ticket.category_code).scalar_subquery())
    window = hours_in_microseconds(sla_hours, rules.reminder_window_per_sla_hour(share))
    return (Ticket.due_soon_reminded_at.is_(None), Ticket.sla_breached_at.is_(None),
            Ticket.status.in_(rules.CLOCK_STATUSES), Ticket.due_at > now,
            epoch_us(Ticket.due_at) - literal(microseconds(now), BigInteger) <= window)


def find_due_soon(uow: UnitOfWork, now: datetime, share: float, limit: int) -> list[int]:
    return list(uow.session.scalars(
        select(Ticket.id).where(*_due_soon_conditions(now, share))
        .order_by(Ticket.due_at, Ticket.id).limit(limit).with_for_update(skip_locked=True)))


def mark_due_soon(uow: UnitOfWork, ids: list[int], now: datetime, share: float) -> list[int]:
    """Stamp the reminder on those of ``ids`` still due soon and not reminded yet; for each one
    won, append the ``due_soon_reminder`` transition and emit ``tickets.ticket_due_soon``."""
    if not ids:
        return []
    won = sorted(uow.session.scalars(
        update(Ticket).where(Ticket.id.in_(ids), *_due_soon_conditions(now, share))
        .values(due_soon_reminded_at=now, updated_at=now).returning(Ticket.id)
        .execution_options(synchronize_session=False)))
    tickets = _loaded(uow, won)
    sla_hours = dict(uow.session.execute(
        select(TicketCategory.code, TicketCategory.sla_hours)
        .where(TicketCategory.code.in_({t.category_code for t in tickets}))).all())
    for ticket in tickets:
        transition = append_transition(
            uow.session, ticket, "due_soon_reminder", SYSTEM,
            comment=f"催办: due at {ticket.due_at.isoformat()}",
            details={"due_at": ticket.due_at.isoformat(), "share": share}, at=now)
        uow.emit("tickets.ticket_due_soon",
                 {**rules.clock_payload(ticket, transition.id), "reminded_at": now.isoformat(),
                  "sla_hours": sla_hours[ticket.category_code]},
                 org_code=ticket.community_code)
    return won


def _in_batches(transaction: Transaction, find, mark, batch_size: int) -> list[int]:
    marked: list[int] = []
    for _ in range(rules.MAX_BATCHES_PER_TICK):
        with transaction() as uow:
            ids = find(uow, batch_size)
            marked += mark(uow, ids)
        if len(ids) < batch_size:
            break
    return marked


def run_clock(transaction: Transaction, now: datetime | None = None,
              share: float = rules.DEFAULT_DUE_SOON_SHARE,
              batch_size: int = rules.DEFAULT_BATCH_SIZE) -> dict:
    """One tick of the clock: remind the tickets now due soon, mark those now breached.

    Each batch is its own transaction (``transaction()`` opens one). Safe to run in any number
    of instances at once: each ticket is reminded and marked by exactly one of them. Returns the
    ticket ids this call reminded and marked.
    """
    now = now or utcnow()
    share = rules.check_share(share)
    reminded = _in_batches(transaction, lambda uow, n: find_due_soon(uow, now, share, n),
                           lambda uow, ids: mark_due_soon(uow, ids, now, share), batch_size)
    breached = _in_batches(transaction, lambda uow, n: find_breaches(uow, now, n),
                           lambda uow, ids: mark_breaches(uow, ids, now), batch_size)
    return {"reminded": reminded, "breached": breached}


# --- the at-risk dashboard --------------------------------------------------------------------

def visible_area(uow: UnitOfWork, area: str | None) -> str:
    """The territory asked about: ``area`` (refused outside the caller's scope), else the scope."""
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    if area is None:
        return caller.scope
    require_scope(caller, area, "area")
    return area


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    after = decode_cursor(cursor)
    if after is None:
        return None
    try:
        due, ticket_id = str(after).split("|")
        moment, ticket_id = datetime.fromisoformat(due), int(ticket_id)
        if moment.tzinfo is None or not 0 < ticket_id < 2 ** 31:
            raise ValueError(after)
        moment = moment.astimezone(timezone.utc)
    except (ValueError, TypeError, OverflowError):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor") from None
    return moment, ticket_id


def list_at_risk(uow: UnitOfWork, query_args: dict) -> dict:
    """Open tickets (not yet resolved) due within ``within_hours``, overdue or breached, in the
    area, the most urgent first (by due time)."""
    args = load(AtRiskQuerySchema, query_args)
    area = visible_area(uow, args["area"])
    now = utcnow()
    horizon = now + timedelta(hours=args["within_hours"])
    query = (select(Ticket, TicketCategory.name)
             .join(TicketCategory, TicketCategory.code == Ticket.category_code)
             .where(Ticket.grid_code.like(f"{area}%"), Ticket.status.in_(rules.CLOCK_STATUSES),
                    or_(Ticket.due_at <= horizon, Ticket.sla_breached_at.is_not(None))))
    if args["category"]:
        query = query.where(Ticket.category_code == args["category"])
    if args["risk"] == "breached":
        query = query.where(Ticket.sla_breached_at.is_not(None))
    elif args["risk"] == "overdue":
        query = query.where(Ticket.sla_breached_at.is_(None), Ticket.due_at <= now)
    elif args["risk"] == "due_soon":
        query = query.where(Ticket.sla_breached_at.is_(None), Ticket.due_at > now)
    after = _after(args["cursor"])
    if after is not None:
        query = query.where(or_(Ticket.due_at > after[0],
                                and_(Ticket.due_at == after[0], Ticket.id > after[1])))
    rows = uow.session.execute(
        query.order_by(Ticket.due_at, Ticket.id).limit(args["limit"] + 1)).all()

    def render(row) -> dict:
        ticket, category_name = row
        return _at_risk_schema.dump({
            **{name: getattr(ticket, name) for name in (
                "id", "category_code", "status", "priority", "grid_code", "community_code",
                "street_code", "level", "responsible_code", "accountable_code", "assignee_kind",
                "created_at", "due_at", "sla_breached_at", "due_soon_reminded_at")},
            "category_name": category_name, "hours_left": rules.hours_left(ticket.due_at, now),
            "risk": rules.risk(ticket.due_at, ticket.sla_breached_at, now)})

    return page_of(rows, args["limit"], lambda row: f"{row[0].due_at.isoformat()}|{row[0].id}",
                   render)
