"""Attendance, completion and certificates: the rules, plain Python, no I/O.

**Attendance rate.** Each attendance status has a weight (``catalogue.DEFAULT_ATTENDANCE_WEIGHTS``:
present 1, late 0.75, excused 0.5, absent 0), which a course may override status by status. A
resident's rate is the sum of the weights of their statuses in the course's sessions divided by
the number of the course's sessions that are not cancelled — held *or still to come*. So a
resident completes only once enough sessions have actually been attended: after 3 of 4 sessions
with "present" the rate is 3/4 and meets the default threshold of 75%; after 2 it is 2/4.
A cancelled session counts neither way. A course with no sessions completes nobody.

**Completion** happens once: the rate reaching the course's threshold (inclusive) completes an
enrolment and issues its certificate; a later correction that lowers the rate changes neither.

**Certificate numbers** read ``LX-350502-2026-000123-K``: ``LX`` (邻里 学习), the district of the
course, the year issued, a sequence of at least six digits, and a check character. The check
character is Luhn's scheme taken modulo 32 over the fifteen-plus digits, written in Crockford's
base-32 alphabet: every single mistyped digit and every swap of two neighbouring digits changes
it, so such a number is caught as malformed before anything is looked up.

**Signing in** opens an hour before a session starts (residents arrive early) and stays open
afterwards (a paper sign-in sheet is entered later); a cancelled session takes none.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from services.learning.domain.catalogue import ATTENDANCE_STATUSES, DEFAULT_COMPLETION_THRESHOLD
from services.learning.domain.courses import effective_weights
from shared.errors import Conflict, InvalidInput

SIGN_IN_OPENS_BEFORE = timedelta(hours=1)
LOCAL_TIMEZONE = timezone(timedelta(hours=8), "CST")  # a certificate's day and year are China's
RATE_TOLERANCE = 1e-9  # weights are floats: 0.1 + 0.2 must still meet a threshold of 0.3

NUMBER_PREFIX = "LX"
CHECK_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
NUMBER_PATTERN = re.compile(r"LX-(\d{6})-(\d{4})-(\d{6,10})-([0-9A-Z])", re.ASCII)


# --- weights, rate, completion ----------------------------------------------------------------

def attendance_rate(statuses: list[str], countable_sessions: int,
                    course_weights: dict | None = None) -> float:
    """Sum of the weights of ``statuses`` (one per attended, non-cancelled session) over the
    number of non-cancelled sessions of the course; 0 when the course has none."""
    if countable_sessions <= 0:
        return 0.0
    weights = effective_weights(course_weights)
    rate = sum(weights[status] for status in statuses) / countable_sessions
    return min(max(rate, 0.0), 1.0)


def meets_threshold(rate: float, threshold: float | None) -> bool:
    """The threshold is inclusive: exactly 75% of 75% completes."""
    required = DEFAULT_COMPLETION_THRESHOLD if threshold is None else threshold
    return rate + RATE_TOLERANCE >= required


def completes(enrolment_status: str, rate: float, threshold: float | None) -> bool:
    """An enrolled resident meeting the threshold completes; a completed one does not again."""
    return enrolment_status == "enrolled" and meets_threshold(rate, threshold)


def shown_rate(rate: float) -> float:
    return round(rate, 4)


def local_date(moment: datetime) -> date:
    """The day a moment falls on in China (completion days, the year in a certificate number)."""
    return moment.astimezone(LOCAL_TIMEZONE).date()


# --- signing in ---------------------------------------------------------------------------------

def check_sign_in(session_status: str, starts_at: datetime, now: datetime,
                  course_status: str = "open") -> None:
    """Refuse attendance for a cancelled session or course, or a session too far ahead."""
    if course_status == "cancelled":
        raise Conflict("course: the course was cancelled; it takes no attendance", field="course")
    if session_status == "cancelled":
        raise Conflict("session: the session was cancelled; it takes no attendance",
                       field="session")
    if starts_at - SIGN_IN_OPENS_BEFORE > now:
        raise Conflict(f"session: sign-in opens an hour before the session starts "
                       f"({starts_at.isoformat()})", field="session")


def check_sheet_size(rows: int, capacity: int) -> None:
    """A sheet has at most a row per seat (each resident once, and only seat holders)."""
    if rows > capacity:
        raise InvalidInput(f"records: {rows} rows for a course of {capacity} seats",
                           field="records")


def check_unique_rows(rows: list[tuple[str, int]]) -> None:
    """Each resident once per sign-in. ``rows`` are, in order, the field a row named its
    resident by and the enrolment that resolved to; a repeat is refused naming its field."""
    seen: dict[int, int] = {}
    for index, (field, enrolment_id) in enumerate(rows):
        if enrolment_id in seen:
            raise InvalidInput(f"records.{index}.{field}: the same resident as "
                               f"records.{seen[enrolment_id]}", field=f"records.{index}.{field}")
        seen[enrolment_id] = index


def status_counts(statuses: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(ATTENDANCE_STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


# --- certificate numbers ------------------------------------------------------------------------

def check_character(digits: str) -> str:
    """Luhn mod 32 over decimal digits: from the right, every second digit counts double."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("a check character is computed over decimal digits")
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        total += value * 2 if position % 2 == 0 else value
    return CHECK_ALPHABET[-total % len(CHECK_ALPHABET)]


def certificate_number(district_code: str, year: int, sequence: int) -> str:
    district, year_text, sequence_text = district_code[:6], f"{year:04d}", f"{sequence:06d}"
    check = check_character(district + year_text + sequence_text)
    return f"{NUMBER_PREFIX}-{district}-{year_text}-{sequence_text}-{check}"


def normalise_number(text: str) -> str:
    return text.strip().upper()


def malformed_reason(text: str) -> str | None:
    """Why ``text`` is not a certificate number, or None when it is one."""
    if not isinstance(text, str) or len(text) > 40:
        return "not a certificate number"
    match = NUMBER_PATTERN.fullmatch(normalise_number(text))
    if match is None:
        return "not a certificate number (they read like LX-350502-2026-000123-K)"
    district, year, sequence, check = match.groups()
    if check_character(district + year + sequence) != check:
        return "its check character does not match: the number was mistyped"
    return None
