"""Party study 学习型党组织: the rules, plain Python, no I/O.

A party branch studies on a cadence: a weekly study day (Thursday in Xiguan), and the "three
meetings and one lesson" 三会一课 — the branch meeting, the branch committee meeting and the
group meeting monthly, the party lesson quarterly. Attendance (sign-in) is compulsory, each
member writes study notes of a minimum length, and each member has yearly quotas: at least 12
distinct days of centralised study and 24 sessions of any kind.

Where a cadence falls:

=================  =========  ===================================================================
kind               cadence    the dates in a range
=================  =========  ===================================================================
study_day          weekly     every ``weekday`` (default Thursday)
branch_meeting     monthly    the ``nth`` ``weekday`` of each month (default the first Thursday)
committee_meeting  monthly    as branch_meeting
group_meeting      monthly    as branch_meeting
party_lesson       quarterly  the ``nth`` ``weekday`` of the first month of each quarter
=================  =========  ===================================================================

A member is *behind* when, pro rata to today, they have attended fewer study days or sessions
than the year so far asks for: ``floor(quota × elapsed days / days in the year)`` (the floor, so
no one is behind on the first days of January); in a year that has ended, behind means the quota
was not met.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from services.learning.domain.catalogue import (
    DEFAULT_MIN_STUDY_DAYS,
    DEFAULT_MIN_STUDY_SESSIONS,
    DEFAULT_NOTE_MIN_CHARS,
    STUDY_SESSION_KINDS,
)
from shared.errors import Conflict, InvalidInput

KINDS = tuple(STUDY_SESSION_KINDS)
STUDY_DAY = "study_day"
WEEKLY, MONTHLY, QUARTERLY = "weekly", "monthly", "quarterly"
CADENCES = {"study_day": WEEKLY, "branch_meeting": MONTHLY, "committee_meeting": MONTHLY,
            "group_meeting": MONTHLY, "party_lesson": QUARTERLY}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WEEKDAY = "thursday"
MAX_NTH = 4  # the 1st to 4th weekday of a month: every month has at least four of each
MAX_PLAN_DAYS = 366  # a plan covers at most a year

SCHEDULED, HELD, CANCELLED = "scheduled", "held", "cancelled"
STATUSES = (SCHEDULED, HELD, CANCELLED)
ATTENDED = ("present", "late")  # what counts towards the quotas
BRANCH_KIND = "branch"  # sessions belong to a 党支部 (where members are registered)

MIN_NOTE_FLOOR, MAX_NOTE_CHARS = 50, 20000


# --- cadences ---------------------------------------------------------------------------------

def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def cadence_dates(kind: str, start: date, end: date, weekday: str = DEFAULT_WEEKDAY,
                  nth: int = 1) -> list[date]:
    """The dates, in order, that ``kind``'s cadence gives from ``start`` to ``end`` inclusive."""
    if kind not in CADENCES:
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}", field="kind")
    if weekday not in WEEKDAYS:
        raise InvalidInput(f"weekday: one of {', '.join(WEEKDAYS)}", field="weekday")
    if not 1 <= nth <= MAX_NTH:
        raise InvalidInput(f"nth: between 1 and {MAX_NTH}", field="nth")
    day_no = WEEKDAYS.index(weekday)
    if end < start:
        return []
    if CADENCES[kind] == WEEKLY:
        first = start + timedelta(days=(day_no - start.weekday()) % 7)
        return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)] \
            if first <= end else []
    months = range(1, 13) if CADENCES[kind] == MONTHLY else (1, 4, 7, 10)
    dates = []
    for year in range(start.year, end.year + 1):
        for month in months:
            day = _nth_weekday(year, month, day_no, nth)
            if start <= day <= end:
                dates.append(day)
    return dates


def dates_in_year(kind: str, year: int, weekday: str = DEFAULT_WEEKDAY, nth: int = 1) -> list[date]:
    return cadence_dates(kind, date(year, 1, 1), date(year, 12, 31), weekday, nth)


def check_plan_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput(f"to: {end} is before from {start}", field="to")
    if (end - start).days >= MAX_PLAN_DAYS:
        raise InvalidInput(f"to: a plan covers at most {MAX_PLAN_DAYS} days", field="to")


# --- sessions ---------------------------------------------------------------------------------

def check_branch(branch: dict, field: str = "branch_id") -> None:
    """Study sessions are held by a branch 党支部 that has not been dissolved."""
    if branch.get("kind") != BRANCH_KIND:
        raise InvalidInput(f"{field}: {branch.get('id')} is a {branch.get('kind')}, not a branch",
                           field=field)
    if branch.get("status") != "active":
        raise Conflict(f"{field}: branch {branch.get('id')} was dissolved", field=field)


def check_recordable(status: str, held_on: date, today: date) -> None:
    """Attendance and notes are recorded for a session that is not cancelled, from its day on."""
    if status == CANCELLED:
        raise Conflict("status: the study session was cancelled", field="status")
    if held_on > today:
        raise Conflict(f"held_on: the session is on {held_on}; attendance and notes are "
                       f"recorded from that day", field="held_on")


def check_cancellable(status: str) -> None:
    if status == HELD:
        raise Conflict("status: the session was held (attendance is recorded); it cannot be "
                       "cancelled", field="status")


def clean_text(value: str | None) -> str | None:
    cleaned = " ".join(value.split()) if value else ""
    return cleaned or None


# --- study notes ------------------------------------------------------------------------------

def note_length(text: str) -> int:
    """A note's length in characters, whitespace not counted: each Chinese character is one,
    and spaces or line breaks do not pad a note to the minimum."""
    return sum(1 for char in text if not char.isspace())


def check_note(text: str, min_chars: int = DEFAULT_NOTE_MIN_CHARS) -> int:
    """The note's length, or a refusal naming the minimum and the length given."""
    length = note_length(text)
    if length < min_chars:
        raise InvalidInput(f"text: a study note has at least {min_chars} characters "
                           f"(whitespace not counted); this one has {length}", field="text")
    return length


# --- yearly quotas ----------------------------------------------------------------------------

def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def elapsed_days(year: int, today: date) -> int:
    """Days of ``year`` gone by today, today included (0 before it starts, all once it ended)."""
    if year < today.year:
        return days_in_year(year)
    if year > today.year:
        return 0
    return today.timetuple().tm_yday


def expected_so_far(quota: int, year: int, today: date) -> int:
    """What the year so far asks for, pro rata (rounded down)."""
    return quota * elapsed_days(year, today) // days_in_year(year)


@dataclass(frozen=True)
class Quota:
    min_study_days: int = DEFAULT_MIN_STUDY_DAYS
    min_sessions: int = DEFAULT_MIN_STUDY_SESSIONS

    def met(self, study_days: int, sessions: int) -> bool:
        return study_days >= self.min_study_days and sessions >= self.min_sessions

    def expected(self, year: int, today: date) -> dict:
        return {"study_days": expected_so_far(self.min_study_days, year, today),
                "sessions": expected_so_far(self.min_sessions, year, today)}

    def standing(self, study_days: int, sessions: int, year: int, today: date) -> dict:
        """A member's standing for the year: met, behind (pro rata to today) and how many
        study days and sessions are still short of the yearly quota."""
        met = self.met(study_days, sessions)
        expected = self.expected(year, today)
        behind = not met and (study_days < expected["study_days"]
                              or sessions < expected["sessions"])
        return {"met": met, "behind": behind,
                "shortfall": {"study_days": max(0, self.min_study_days - study_days),
                              "sessions": max(0, self.min_sessions - sessions)}}


DEFAULT_QUOTA = Quota()
