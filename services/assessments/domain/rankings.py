"""Scorecards ranked and read, and the arithmetic of the human inputs (manual scores, survey
results, corrections). Pure: no database, no nameko. Totals are integer hundredths.

Ranking rules (decided here, documented in the README):
- ranks are competition ranks: ties share a rank and the next rank skips (1, 2, 2, 4);
- stars are how many of the scheme's ``star_thresholds`` (points, ascending) the total reaches;
- the bottom ``bottom_n`` of a group are flagged. Subjects tied with the last flagged place are
  flagged too (docking one of two equal subjects would be arbitrary), a subject tied with the
  top of its group never is, and a group of ``bottom_n`` or fewer flags at most all but its top
  (in a street of two communities only the lower one, and only when it is lower).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.assessments.domain.scoring import to_hundredths
from shared.errors import InvalidInput

PERIOD_KEY_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}
PERIOD_KEY_EXAMPLES = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}


def points(hundredths: int) -> float:
    """Hundredths shown as points (1234 → 12.34)."""
    return hundredths / 100


# --- ranking ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entrant:
    """A subject in a ranking: the group it is ranked in and its total (0 without entries)."""

    group_code: str
    subject_ref: str
    total_hundredths: int
    scorecard_id: int | None = None


@dataclass(frozen=True)
class Standing:
    group_code: str
    subject_ref: str
    total_hundredths: int
    scorecard_id: int | None
    rank: int
    group_size: int
    stars: int
    bottom: bool


def competition_ranks(totals: list[int]) -> list[int]:
    """The rank of each total (1 = the highest), in the order given; ties share (1, 2, 2, 4)."""
    first_place: dict[int, int] = {}
    for place, total in enumerate(sorted(totals, reverse=True), start=1):
        first_place.setdefault(total, place)
    return [first_place[total] for total in totals]


def stars(total_hundredths: int, thresholds: list) -> int:
    """How many thresholds (in points) the total reaches."""
    return sum(1 for threshold in thresholds or () if total_hundredths >= to_hundredths(threshold))


def bottom_flags(totals: list[int], bottom_n: int) -> list[bool]:
    """Which totals (in the order given) are in the bottom ``bottom_n`` of their group."""
    places = min(bottom_n, len(totals) - 1)
    if places <= 0:
        return [False] * len(totals)
    top = max(totals)
    cut = sorted(totals)[places - 1]
    return [total <= cut and total < top for total in totals]


def rank(entrants: list[Entrant], thresholds: list, bottom_n: int) -> list[Standing]:
    """Every entrant ranked within its group; in group order, then rank, then subject."""
    groups: dict[str, list[Entrant]] = {}
    for entrant in entrants:
        groups.setdefault(entrant.group_code, []).append(entrant)
    standings = []
    for group_code in sorted(groups):
        members = groups[group_code]
        totals = [member.total_hundredths for member in members]
        for member, place, flagged in zip(members, competition_ranks(totals),
                                          bottom_flags(totals, bottom_n), strict=True):
            standings.append(Standing(group_code, member.subject_ref, member.total_hundredths,
                                      member.scorecard_id, place, len(members),
                                      stars(member.total_hundredths, thresholds), flagged))
    return sorted(standings, key=standing_key)


def standing_key(standing: Standing) -> tuple[str, int, str]:
    """The order of a ranking (and its cursor)."""
    return standing.group_code, standing.rank, standing.subject_ref


def with_zero_subjects(entrants: list[Entrant], subject_refs: list[str],
                       group_of) -> list[Entrant]:
    """``entrants`` plus a zero entrant for each subject listed without one (a community with
    no entries yet still ranks, with 0); ``group_of(ref)`` is the group it ranks in."""
    present = {entrant.subject_ref for entrant in entrants}
    return entrants + [Entrant(group_of(ref), ref, 0) for ref in sorted(set(subject_refs))
                       if ref not in present]


# --- periods ----------------------------------------------------------------------------------

def period_bounds(period: str, key: str) -> tuple[date, date]:
    """The first and last day of a period key ("2026-11", "2026-Q4", "2026"); ValueError when
    the key is not one of that period."""
    match = PERIOD_KEY_PATTERNS[period].match(key or "")
    if not match:
        raise ValueError(f"{key!r} is not a {period} key (like {PERIOD_KEY_EXAMPLES[period]})")
    year = int(match.group(1))
    if period == "year":
        return date(year, 1, 1), date(year, 12, 31)
    number = int(match.group(2))
    first_month, months = (number, 1) if period == "month" else ((number - 1) * 3 + 1, 3)
    end_month = first_month + months
    last = (date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1))
    return date(year, first_month, 1), date.fromordinal(last.toordinal() - 1)


def check_period_key(period: str, key: str, counts_from: date, counts_until: date | None,
                     field: str = "period_key") -> tuple[date, date]:
    """A period of the scheme's kind that overlaps its window [counts_from, counts_until]."""
    try:
        first, last = period_bounds(period, key)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}", field=field) from None
    if last < counts_from or (counts_until is not None and first > counts_until):
        until = counts_until.isoformat() if counts_until else "open"
        raise InvalidInput(f"{field}: {key} lies outside the scheme's window "
                           f"{counts_from.isoformat()} to {until}", field=field)
    return first, last


# --- the human inputs -------------------------------------------------------------------------

def survey_hundredths(full_marks: float, satisfied: int, respondents: int) -> int:
    """A survey's points: full marks × satisfied ÷ respondents, rounded half away from zero."""
    return to_hundredths(Decimal(str(full_marks)) * satisfied / respondents)


def satisfaction_rate(satisfied: int, respondents: int) -> float:
    return round(satisfied / respondents, 4)


def check_survey_counts(respondents: int, satisfied: int) -> None:
    if respondents <= 0:
        raise InvalidInput("respondents: at least one person answers a survey",
                           field="respondents")
    if not 0 <= satisfied <= respondents:
        raise InvalidInput(f"satisfied: between 0 and the {respondents} respondents",
                           field="satisfied")


def correction_hundredths(current_hundredths: int, new_hundredths: int) -> int:
    """What a correction adds: the new value less what the entry (with its corrections) is
    worth now. A correction that changes nothing is refused."""
    difference = new_hundredths - current_hundredths
    if difference == 0:
        raise InvalidInput(f"points: the entry is already worth {points(current_hundredths)}",
                           field="points")
    return difference


def check_reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"{field}: say why (a manual score or correction is explained)",
                           field=field)
    return text
