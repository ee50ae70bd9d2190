"""Special populations, the rules: visit cadences by risk, re-screening every 90 days, what is
overdue, how a file closes, and the floating-population check rate. Plain Python (no database)."""
from __future__ import annotations

from datetime import date, timedelta

from services.security.domain.catalogue import (
    FLOATING_CHECK_TARGET,
    SCREENING_EVERY_DAYS,
    VISIT_EVERY_DAYS,
)
from shared.errors import Conflict, InvalidInput

OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
NOT_MET = "not_met"
"""A visit that did not meet the person: recorded, but it does not count as the visit due."""
FLOATING = "floating"
COMMUNITY_CODE_LENGTH = 12
SUPERVISED_FLAG = "released_prisoner"
"""Membership's restricted flag (刑释解教 / 社区矫正): only a security officer sees it."""


def visit_every_days(risk_level: str, override: int | None = None) -> int:
    """Days between visits: the file's own cadence when set, else the risk level's."""
    return override if override is not None else VISIT_EVERY_DAYS[risk_level]


def next_visit_due(opened_on: date, last_visited_on: date | None, every_days: int) -> date:
    """The next visit is due ``every_days`` after the last one (or after the file opened)."""
    return (last_visited_on or opened_on) + timedelta(days=every_days)


def next_screening_due(opened_on: date, last_screened_on: date | None) -> date:
    """Re-screening every 90 days after the last one (the opening is the first screening)."""
    return (last_screened_on or opened_on) + timedelta(days=SCREENING_EVERY_DAYS)


def overdue(due_on: date | None, today: date) -> bool:
    """Overdue once the due day has passed (due today is not overdue yet)."""
    return due_on is not None and due_on < today


def days_overdue(due_on: date | None, today: date) -> int:
    return max((today - due_on).days, 0) if due_on is not None else 0


def counts_as_visit(outcome: str) -> bool:
    return outcome != NOT_MET


def check_supervision_dates(released_on: date, supervision_until: date | None,
                            opened_on: date, today: date) -> None:
    if supervision_until is not None and supervision_until < released_on:
        raise InvalidInput(f"supervision_until: {supervision_until} is before released_on "
                           f"{released_on}", field="supervision_until")
    if opened_on > today:
        raise InvalidInput(f"opened_on: {opened_on} is in the future", field="opened_on")


def check_resident(resident: dict, resident_id: int) -> None:
    """Only an active resident gets a file."""
    if resident.get("status", "active") != "active":
        raise InvalidInput(f"resident_id: resident {resident_id} has moved out",
                           field="resident_id")


def flags_of(resident: dict) -> set[str]:
    """Membership's current flags of a resident (``{"flag": ...}`` objects or plain names)."""
    return {f["flag"] if isinstance(f, dict) else f for f in resident.get("flags") or ()}


def check_supervised(resident: dict, resident_id: int) -> None:
    """A file is opened for a resident membership flags as released / under correction (the
    officer sets that flag in membership first): the restricted records agree."""
    check_resident(resident, resident_id)
    if SUPERVISED_FLAG not in flags_of(resident):
        raise InvalidInput(f"resident_id: resident {resident_id} is not flagged "
                           f"{SUPERVISED_FLAG} in membership (set the flag first)",
                           field="resident_id")


def check_floating(resident: dict, resident_id: int) -> None:
    if resident.get("residence") != FLOATING:
        raise InvalidInput(f"resident_id: resident {resident_id} is not a floating resident "
                           "(流动人口)", field="resident_id")
    check_resident(resident, resident_id)


def check_open(status: str) -> None:
    if status != OPEN:
        raise Conflict("status: the supervision file is closed", field="status")


def check_record_date(day: date, opened_on: date, today: date, field: str) -> None:
    """A visit, screening or closure happens between the file's opening and today."""
    if day > today:
        raise InvalidInput(f"{field}: {day} is in the future", field=field)
    if day < opened_on:
        raise InvalidInput(f"{field}: {day} is before the file was opened on {opened_on}",
                           field=field)


def check_period(from_: date, to: date) -> None:
    if to < from_:
        raise InvalidInput(f"to: {to} is before from {from_}", field="to")


def community_of(code: str) -> str:
    return code[:COMMUNITY_CODE_LENGTH]


def check_rate(floating: int, checked: int) -> dict:
    """Per community: the share of its floating residents checked in the period, against the
    100% target. No floating residents: nothing to check, the target is met."""
    rate = round(checked / floating, 4) if floating else None
    return {"floating_residents": floating, "checked": checked, "rate": rate,
            "target": FLOATING_CHECK_TARGET,
            "met": floating == 0 or checked >= FLOATING_CHECK_TARGET * floating}
