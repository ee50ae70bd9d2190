"""Schools, venues, teachers, courses and their sessions: the rules, plain Python, no I/O.

- A school serves a street (9 digits) or a community (12 digits). Only a branch school 分校 has a
  parent school, and it must: the parent is a school that is not itself a branch, and the
  branch lies in the parent's area.
- A course's enrolment window opens before it closes; its eligibility names an age band
  (min ≤ max), party members or laid-off residents only, and/or one community of the school's
  area. Its attendance weights override the defaults status by status; full attendance
  (``present``) always weighs 1, and no status weighs more than one attended more fully
  (present ≥ late ≥ excused ≥ absent).
- A session runs over ``[starts_at, ends_at)``: two sessions that merely touch (one ends when the
  next begins) do not overlap. A venue holds one non-cancelled session at a time, a teacher
  teaches one at a time; a venue smaller than the course cannot host it.
- A held session earns a volunteer teacher its length in hours, to two decimals, at most 24
  (the volunteer-hours contract's cap).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.learning.domain.catalogue import (
    DEFAULT_ATTENDANCE_WEIGHTS,
    MANAGER_ROLES,
)
from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

STREET_CODE_LENGTH = 9
COMMUNITY_CODE_LENGTH = 12
SCHOOL_AREA_LENGTHS = (STREET_CODE_LENGTH, COMMUNITY_CODE_LENGTH)
BRANCH_SCHOOL = "branch_school"
MAX_SESSION_HOURS = 24
MAX_SESSIONS_AT_ONCE = 60  # an 8-week course twice a week is 16; a year of weekly classes 52
WEIGHT_ORDER = ("present", "late", "excused", "absent")


def require_manager(caller: CallerContext | None) -> None:
    require_role(caller, *MANAGER_ROLES)


def check_school_area(org_code: str, field: str = "org_code") -> None:
    if not org_code.isdigit() or len(org_code) not in SCHOOL_AREA_LENGTHS:
        raise InvalidInput(f"{field}: must be a street (9 digits) or a community (12 digits) code",
                           field=field)


def check_school_parent(kind: str, org_code: str, parent_kind: str | None,
                        parent_org_code: str | None) -> None:
    """A branch school needs a parent school whose area holds it; no other kind has a parent."""
    if kind == BRANCH_SCHOOL and parent_kind is None:
        raise InvalidInput("parent_id: a branch school needs the school it is a branch of",
                           field="parent_id")
    if kind != BRANCH_SCHOOL and parent_kind is not None:
        raise InvalidInput(f"parent_id: only a branch school has a parent, not a {kind}",
                           field="parent_id")
    if parent_kind is None:
        return
    if parent_kind == BRANCH_SCHOOL:
        raise InvalidInput("parent_id: a branch school cannot be the parent of another",
                           field="parent_id")
    if not org_code.startswith(parent_org_code or ""):
        raise InvalidInput(f"org_code: a branch school lies in its school's area "
                           f"{parent_org_code}, not {org_code}", field="org_code")


def check_within(org_code: str, area: str, field: str, what: str) -> None:
    if not org_code.startswith(area):
        raise InvalidInput(f"{field}: {org_code} is not in the area {area} of {what}", field=field)


def check_enrolment_window(opens_at: datetime, closes_at: datetime) -> None:
    if not opens_at < closes_at:
        raise InvalidInput("enrol_closes_at: the enrolment window must close after it opens",
                           field="enrol_closes_at")


def check_eligibility(eligibility: dict, school_org_code: str) -> dict:
    """The eligibility as stored: only the conditions given (an empty one means anyone)."""
    rule = {key: value for key, value in eligibility.items() if value is not None}
    if "age_min" in rule and "age_max" in rule and rule["age_min"] > rule["age_max"]:
        raise InvalidInput("eligibility.age_max: must not be below age_min",
                           field="eligibility.age_max")
    community = rule.get("community_code")
    if community is not None:
        if len(community) != COMMUNITY_CODE_LENGTH:
            raise InvalidInput("eligibility.community_code: must be a community code of 12 digits",
                               field="eligibility.community_code")
        if not (community.startswith(school_org_code) or school_org_code.startswith(community)):
            raise InvalidInput(f"eligibility.community_code: {community} is not in the school's "
                               f"area {school_org_code}", field="eligibility.community_code")
    for flag in ("party_member", "laid_off"):
        if rule.get(flag) is False:  # "not required" is the same as not saying it
            del rule[flag]
    return rule


def attendance_weights(override: dict | None) -> dict:
    """The weights a course counts attendance with: the defaults, overridden status by status."""
    weights = {**DEFAULT_ATTENDANCE_WEIGHTS, **{k: v for k, v in (override or {}).items()
                                                if v is not None}}
    if weights["present"] != 1:
        raise InvalidInput("attendance_weights.present: full attendance always weighs 1",
                           field="attendance_weights.present")
    for better, worse in zip(WEIGHT_ORDER, WEIGHT_ORDER[1:], strict=False):
        if weights[worse] > weights[better]:
            raise InvalidInput(f"attendance_weights.{worse}: must not weigh more than {better}",
                               field=f"attendance_weights.{worse}")
    return weights


def effective_weights(stored: dict | None) -> dict:
    """The weights of a stored course (rows made before weights were stored hold ``{}``)."""
    return {**DEFAULT_ATTENDANCE_WEIGHTS, **(stored or {})}


def check_capacity_change(capacity: int, seats_taken: int) -> None:
    if capacity < seats_taken:
        raise Conflict(f"capacity: {seats_taken} seats are taken; the capacity cannot go below",
                       field="capacity")


def check_course_status(status: str, doing: str) -> None:
    """Only an open course changes: a cancelled or finished one is history."""
    if status != "open":
        raise Conflict(f"status: the course is {status}; cannot {doing}", field="status")


def enrolment_open(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    return status == "open" and opens_at <= now < closes_at


def check_session_times(starts_at: datetime, ends_at: datetime, field: str = "ends_at") -> None:
    if not starts_at < ends_at:
        raise InvalidInput(f"{field}: a session must end after it starts", field=field)
    if (ends_at - starts_at).total_seconds() > MAX_SESSION_HOURS * 3600:
        raise InvalidInput(f"{field}: a session lasts at most {MAX_SESSION_HOURS} hours",
                           field=field)


def check_session_status(status: str, doing: str) -> None:
    """A held or cancelled session is history: it is not moved or cancelled."""
    if status != "scheduled":
        raise Conflict(f"status: the session is {status}; cannot {doing}", field="status")


def check_venue_fits(venue_capacity: int, course_capacity: int, field: str = "venue_id") -> None:
    if venue_capacity < course_capacity:
        raise InvalidInput(f"{field}: the venue seats {venue_capacity}, fewer than the course's "
                           f"capacity {course_capacity}", field=field)


def check_room_for(capacity: int, venue_id: int, venue_name: str, venue_capacity: int) -> None:
    """A course growing past a venue its scheduled sessions are booked in: move them first."""
    if venue_capacity < capacity:
        raise Conflict(f"capacity: sessions of the course are booked in venue {venue_id} "
                       f"({venue_name}) seating {venue_capacity}; move them first",
                       field="capacity")


def check_venue_shrink(capacity: int, course_id: int, course_title: str,
                       course_capacity: int) -> None:
    """A venue shrinking below a course with sessions still scheduled in it."""
    if capacity < course_capacity:
        raise Conflict(f"capacity: course {course_id} «{course_title}» of {course_capacity} "
                       f"seats has sessions scheduled here; move them first", field="capacity")


def overlaps(starts_at: datetime, ends_at: datetime, other_starts_at: datetime,
             other_ends_at: datetime) -> bool:
    """Half-open intervals: back to back is not an overlap."""
    return starts_at < other_ends_at and other_starts_at < ends_at


@dataclass(frozen=True)
class BookedSession:
    """A session already holding a venue or a teacher, as a clash names it."""

    id: int
    course_title: str
    starts_at: datetime
    ends_at: datetime

    def view(self) -> dict:
        return {"session_id": self.id, "course_title": self.course_title,
                "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat()}


def clash(field: str, what: str, booked: BookedSession) -> Conflict:
    """The 409 refusing a booking, naming the session it clashes with."""
    return Conflict(
        f"{field}: {what} is taken by session {booked.id} of «{booked.course_title}» from "
        f"{booked.starts_at.isoformat()} to {booked.ends_at.isoformat()}",
        field=field, errors={"clash": booked.view()})


def volunteer_hours(starts_at: datetime, ends_at: datetime) -> float:
    """What a volunteer teacher earns for a held session: its length in hours, two decimals,
    at most the contract's cap."""
    hours = (ends_at - starts_at).total_seconds() / 3600
    return round(min(max(hours, 0.0), MAX_SESSION_HOURS), 2)
