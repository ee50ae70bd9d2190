"""The SLA clock and the three rates 响应率 / 解决率 / 满意率: the rules, in plain Python, no I/O.

The clock
---------
A ticket's SLA runs from its creation to ``due_at`` (set from its category's ``sla_hours``;
an approved extension moves it later). The clock runs while the ticket is in one of
``CLOCK_STATUSES`` — open and not yet resolved: resolution stops it, closure and rejection end it.

- **Due soon (催办 before the due time).** When ``due_soon_share`` of the category's SLA has
  elapsed — i.e. at most ``(1 - share) × sla_hours`` remain before ``due_at`` — the clock sends
  one reminder (``tickets.ticket_due_soon``) and stamps ``due_soon_reminded_at``. Once per ticket:
  an extension after the reminder does not send a second one.
- **Breach (超时).** A ticket still on the clock when ``due_at`` passes is marked
  ``sla_breached_at`` and announced (``tickets.ticket_sla_breached``) exactly once. A breach is
  never undone. A ticket not yet breached whose ``due_at`` moves later is judged against the new
  ``due_at``.

The three rates (per territory node, per period)
------------------------------------------------
A period is ``from`` … ``to``, whole calendar days in China Standard Time (UTC+8), both included.
Each rate is ``numerator ÷ denominator``, ``None`` (not zero) when the denominator is zero, and
each figure is served with its numerator, denominator and the tickets not yet judgeable
(``pending``), so every rate can be checked by hand.

- **Response rate 响应率** — cohort: tickets *created* in the period. Numerator: those first
  responded to within their category's ``response_hours`` of creation. The first response is the
  acceptance 受理 (``accepted_at``), or, for a ticket rejected without being accepted, its
  rejection (``closed_at``; a rejection is an answer too). Denominator: the cohort, less the
  tickets still inside their response window without a response (``pending``: they may yet
  respond in time). A ticket past its window without a response counts, as a miss.
- **On-time resolution rate 按时解决率** — cohort: tickets *due* in the period (by their
  current ``due_at``, extensions included), rejected tickets left out (there is nothing to
  resolve). Numerator: those resolved (``resolved_at``) by ``due_at`` — the same rule as
  ``on_time`` in ``tickets.ticket_resolved``. Denominator: the cohort, less the tickets not yet
  resolved whose ``due_at`` is still ahead (``pending``). A ticket past due and unresolved counts,
  as a miss; so does one resolved late.
- **Satisfaction rate 满意率** — cohort: tickets *rated* (the callback 回访) in the period.
  Numerator: satisfied callbacks (``satisfied``: a rating of 4 or 5). Denominator: the rated
  tickets. The district target is ``SATISFACTION_TARGET`` (80%): each figure says whether it is
  met (``None`` when nothing was rated).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from services.tickets.domain.tickets import OPEN_STATUSES
from shared.errors import InvalidInput

CLOCK_STATUSES = tuple(status for status in OPEN_STATUSES if status != "resolved")
DEFAULT_DUE_SOON_SHARE = 0.8
DEFAULT_INTERVAL_SECONDS = 60.0
DEFAULT_BATCH_SIZE = 100
MAX_BATCHES_PER_TICK = 50  # at most this many batches per tick; the next tick goes on
SATISFACTION_TARGET = 0.8
LOCAL_TIMEZONE = timezone(timedelta(hours=8), "CST")  # China Standard Time, no daylight saving
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_WITHIN_HOURS = 24 * 90
RISKS = ("breached", "overdue", "due_soon")
GROUP_BY = ("community", "street")
RATE_NAMES = ("response", "resolution", "satisfaction")
MICROSECONDS_PER_HOUR = 3_600_000_000


def check_share(share: float) -> float:
    """The share of the SLA after which the clock reminds: more than 0 and less than 1."""
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
        raise ValueError(f"due_soon_share must be a number between 0 and 1 (exclusive), "
                         f"not {share!r}")
    return float(share)


def reminder_window_per_sla_hour(share: float) -> int:
    """Microseconds before ``due_at`` the reminder is due, per hour of the category's SLA."""
    return round((1 - check_share(share)) * MICROSECONDS_PER_HOUR)


def due_soon_from(due_at: datetime, sla_hours: int, share: float) -> datetime:
    """The moment the reminder becomes due: ``(1 - share) × sla_hours`` before ``due_at``."""
    return due_at - timedelta(microseconds=sla_hours * reminder_window_per_sla_hour(share))


def on_the_clock(status: str) -> bool:
    return status in CLOCK_STATUSES


def is_breach(status: str, due_at: datetime, breached_at: datetime | None, now: datetime) -> bool:
    """Whether the clock must mark this ticket now (not yet marked, still on the clock, past due)."""
    return breached_at is None and on_the_clock(status) and due_at <= now


def is_due_soon(status: str, due_at: datetime, sla_hours: int, share: float,
                breached_at: datetime | None, reminded_at: datetime | None,
                now: datetime) -> bool:
    """Whether the clock must send this ticket's reminder now (once, before the due time)."""
    return (reminded_at is None and breached_at is None and on_the_clock(status)
            and now < due_at and due_soon_from(due_at, sla_hours, share) <= now)


def risk(due_at: datetime, breached_at: datetime | None, now: datetime) -> str:
    """How an open ticket on the at-risk list stands: breached (marked by the clock), overdue
    (past due, the clock has not come round yet) or due soon."""
    if breached_at is not None:
        return "breached"
    return "overdue" if due_at <= now else "due_soon"


def hours_left(due_at: datetime, now: datetime) -> float:
    """Hours until ``due_at`` (negative once past), to one decimal."""
    return round((due_at - now).total_seconds() / 3600, 1)


# --- periods and rates ------------------------------------------------------------------------

def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of the local (UTC+8) days ``first`` … ``last``, both included."""
    if last < first:
        raise InvalidInput(f"to: {last.isoformat()} is before from {first.isoformat()}",
                           field="to")
    for name, day in (("from", first), ("to", last)):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise InvalidInput(f"{name}: must lie between {EARLIEST_DAY} and {LATEST_DAY}",
                               field=name)
    start = datetime.combine(first, time(0), LOCAL_TIMEZONE).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), LOCAL_TIMEZONE)
    return start, end.astimezone(timezone.utc)


def default_period(now: datetime) -> tuple[date, date]:
    """The current month so far, in local days."""
    today = now.astimezone(LOCAL_TIMEZONE).date()
    return today.replace(day=1), today


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator`` to four decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(numerator / denominator, 4)


def figure(numerator: int, denominator: int, pending: int = 0,
           target: float | None = None) -> dict:
    """One rate with everything needed to check it (and its target, when it has one)."""
    result = {"numerator": numerator, "denominator": denominator, "pending": pending,
              "rate": rate(numerator, denominator)}
    if target is not None:
        result["target"] = target
        result["target_met"] = None if result["rate"] is None else result["rate"] >= target
    return result


def rates_row(counts: dict) -> dict:
    """The three figures from the counts one GROUP BY row carries."""
    return {
        "response": figure(counts["responded_in_time"], counts["response_judged"],
                           counts["response_pending"]),
        "resolution": figure(counts["resolved_on_time"], counts["resolution_judged"],
                             counts["resolution_pending"]),
        "satisfaction": figure(counts["satisfied"], counts["rated"], 0,
                               target=SATISFACTION_TARGET),
    }


def group_key_length(group_by: str) -> int:
    return {"street": 9, "community": 12}[group_by]


def check_group_by(area: str, group_by: str | None) -> None:
    """Grouping by a level above the area would add nothing but a single row: refuse it."""
    if group_by and len(area) > group_key_length(group_by):
        raise InvalidInput(f"group_by: {area} lies within one {group_by}; group by a level "
                           f"beneath the area", field="group_by")


# --- event payloads ---------------------------------------------------------------------------

def clock_payload(ticket, transition_id: int) -> dict:
    """What both clock events say about the ticket."""
    return {
        "ticket_id": ticket.id, "transition_id": transition_id,
        "category_code": ticket.category_code,
        "community_code": ticket.community_code, "street_code": ticket.street_code,
        "grid_code": ticket.grid_code, "status": ticket.status, "level": ticket.level,
        "responsible_code": ticket.responsible_code,
        "accountable_code": ticket.accountable_code, "due_at": ticket.due_at.isoformat(),
    }
