"""Enrolment: the rules, plain Python, no I/O.

A course has ``capacity`` seats and an enrolment window. A resident enrolling while a seat is
free takes it (``enrolled``); once the course is full they join the waitlist (``waitlisted``),
ordered by ``queue_no`` — the order of arrival, never reshuffled. When a seat frees (a
withdrawal, an offer not confirmed in time, more capacity) the FIRST on the waitlist is
``offered`` the seat and holds it until ``confirm_by`` (``confirm_hours`` later); confirming
makes them ``enrolled``, letting the deadline pass makes the offer ``expired`` and the seat goes
to the next in line. Seats are held by enrolled, offered and completed enrolments.

Eligibility, when a course requires it (``course.eligibility``): an age band (``age_min``,
``age_max``, in whole years on the day of enrolment), being a party member, being flagged
laid-off in membership, living in a community (``community_code``: the resident's grid lies
under it). ``target_group`` alone is a label for the catalogue, not a rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.learning.domain.catalogue import HOLDS_A_SEAT
from shared.errors import Conflict, InvalidInput

ENROLLED, WAITLISTED, OFFERED = "enrolled", "waitlisted", "offered"
WITHDRAWN, EXPIRED, COMPLETED = "withdrawn", "expired", "completed"
ACTIVE = (ENROLLED, WAITLISTED, OFFERED)  # may be withdrawn; may not enrol again
ENDED = (WITHDRAWN, EXPIRED)  # may enrol again (same row, at the end of the queue)
SOURCES = ("self", "offer")
PARTY_MEMBER_STAGES = ("probationary", "full")  # 预备党员 and 正式党员; applicants are not yet


# --- eligibility ------------------------------------------------------------------------------

def age_on(birth_date: date, day: date) -> int:
    """Whole years lived on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def requires_party_membership(eligibility: dict | None) -> bool:
    return bool((eligibility or {}).get("party_member"))


def unmet_rules(eligibility: dict | None, *, birth_date: date | None, flags: list[str],
                grid_code: str, party_member: bool | None, today: date) -> list[str]:
    """What of the course's eligibility the resident does not meet, in words (empty: eligible).

    ``party_member`` is None when it was not asked (the course does not require it)."""
    rules = eligibility or {}
    unmet = []
    age_min, age_max = rules.get("age_min"), rules.get("age_max")
    if age_min is not None or age_max is not None:
        age = age_on(birth_date, today) if birth_date else None
        band = f"{age_min if age_min is not None else ''}–{age_max if age_max is not None else ''}"
        if age is None:
            unmet.append(f"age band {band}: the resident's birth date is not known")
        elif (age_min is not None and age < age_min) or (age_max is not None and age > age_max):
            unmet.append(f"age band {band}: the resident is {age}")
    if rules.get("party_member") and not party_member:
        unmet.append("party member: the resident is not a party member (probationary or full)")
    if rules.get("laid_off") and "laid_off" not in flags:
        unmet.append("laid-off: the resident is not flagged laid_off")
    community = rules.get("community_code")
    if community and not grid_code.startswith(community):
        unmet.append(f"community: the course is for residents of {community}")
    return unmet


def check_eligible(eligibility: dict | None, *, birth_date: date | None, flags: list[str],
                   grid_code: str, party_member: bool | None, today: date) -> None:
    unmet = unmet_rules(eligibility, birth_date=birth_date, flags=flags, grid_code=grid_code,
                        party_member=party_member, today=today)
    if unmet:
        raise InvalidInput("resident_id: not eligible for this course: " + "; ".join(unmet),
                           field="resident_id")


def is_party_member(memberships: list[dict]) -> bool:
    """From membership's party-member records of one resident: an active probationary or full
    member."""
    return any(m.get("status") == "active" and m.get("stage") in PARTY_MEMBER_STAGES
               for m in memberships)


# --- the course and its window ----------------------------------------------------------------

def check_course_open(status: str) -> None:
    if status != "open":
        raise Conflict(f"course: the course is {status}; enrolment is closed", field="course")


def check_window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    """Enrolment is open from ``opens_at`` (inclusive) until ``closes_at`` (exclusive)."""
    if now < opens_at:
        raise Conflict(f"enrolment_window: enrolment opens at {opens_at.isoformat()}",
                       field="enrolment_window")
    if now >= closes_at:
        raise Conflict(f"enrolment_window: enrolment closed at {closes_at.isoformat()}",
                       field="enrolment_window")


def window_state(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    if now < opens_at:
        return "not_open"
    return "open" if now < closes_at else "closed"


# --- a new enrolment --------------------------------------------------------------------------

def check_can_enrol(existing_status: str | None) -> None:
    """A resident is on a course once: again only after withdrawing or letting an offer lapse."""
    if existing_status is None or existing_status in ENDED:
        return
    if existing_status == COMPLETED:
        raise Conflict("resident_id: the resident has completed this course", field="resident_id")
    raise Conflict(f"resident_id: the resident is already {existing_status} on this course",
                   field="resident_id")


def seats_free(capacity: int, seats_taken: int) -> int:
    return max(capacity - seats_taken, 0)


def status_for_new(capacity: int, seats_taken: int, waitlist_length: int) -> str:
    """A seat if one is free and nobody is waiting for it; otherwise the end of the waitlist
    (someone already waiting — e.g. holding no offer yet — is never overtaken)."""
    if seats_free(capacity, seats_taken) > 0 and waitlist_length == 0:
        return ENROLLED
    return WAITLISTED


# --- leaving, confirming, promoting -----------------------------------------------------------

def holds_a_seat(status: str) -> bool:
    return status in HOLDS_A_SEAT


def check_can_withdraw(status: str) -> None:
    if status not in ACTIVE:
        raise Conflict(f"status: the enrolment is {status}; only enrolled, waitlisted or offered "
                       "enrolments can be withdrawn", field="status")


def check_can_confirm(status: str, confirm_by: datetime | None, now: datetime) -> None:
    if status != OFFERED:
        raise Conflict(f"status: the enrolment is {status}; only an offered seat is confirmed",
                       field="status")
    if confirm_by is not None and now > confirm_by:
        raise Conflict(f"confirm_by: the offer lapsed at {confirm_by.isoformat()}",
                       field="confirm_by")


def confirm_deadline(now: datetime, confirm_hours: int) -> datetime:
    return now + timedelta(hours=confirm_hours)


def offer_lapsed(status: str, confirm_by: datetime | None, now: datetime) -> bool:
    return status == OFFERED and confirm_by is not None and now > confirm_by


@dataclass(frozen=True)
class Waiting:
    enrolment_id: int
    queue_no: int


def to_promote(capacity: int, seats_taken: int, course_status: str,
               waitlist: list[Waiting]) -> list[Waiting]:
    """Who is offered a seat now: the first on the waitlist (lowest ``queue_no``), as many as
    there are free seats, while the course is open."""
    if course_status != "open":
        return []
    return sorted(waitlist, key=lambda w: w.queue_no)[:seats_free(capacity, seats_taken)]


def positions(queue_nos: list[int]) -> dict[int, int]:
    """Each waitlisted queue number's place in the line, from 1."""
    return {queue_no: place for place, queue_no in enumerate(sorted(queue_nos), start=1)}


# --- targeted offers --------------------------------------------------------------------------

OFFER_STATUSES = ("offered", "accepted", "declined")
OFFER_FLAG = "laid_off"
OFFER_CATEGORY = "re_employment"


def course_serves(org_code: str, eligibility: dict | None, grid_code: str) -> bool:
    """The course is for residents of this grid: its eligibility's community covers the grid,
    or (without one) the school's own territory does."""
    community = (eligibility or {}).get("community_code")
    return grid_code.startswith(community or org_code)


@dataclass(frozen=True)
class Candidate:
    course_id: int
    org_code: str
    eligibility: dict
    enrol_closes_at: datetime
    first_session_at: datetime | None


def choose_offer_course(candidates: list[Candidate], grid_code: str,
                        skip_course_ids: set[int]) -> Candidate | None:
    """The next re-employment course for a laid-off resident of ``grid_code``: one that serves
    their grid, not one they were offered or are on already; the one starting first (its first
    session, or without sessions yet its enrolment deadline), then the lowest id."""
    fitting = [c for c in candidates
               if c.course_id not in skip_course_ids
               and course_serves(c.org_code, c.eligibility, grid_code)]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (c.first_session_at or c.enrol_closes_at, c.course_id))


def check_offer_open(status: str) -> None:
    if status != "offered":
        raise Conflict(f"status: the offer was already {status}", field="status")
