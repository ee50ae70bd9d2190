"""Patrols: the rules, plain Python, no I/O.

- A team patrols a street (9 digits) or a community (12 digits); its patrol points lie in grids
  of that area.
- A shift runs over ``[starts_at, ends_at)``, from a quarter of an hour to 12 hours long.
- A check-in is made at a point of the shift's team, by one of the shift's members (or by the
  team as a whole), at a time from 30 minutes before the shift starts to 30 minutes after it
  ends; a completed shift takes no more check-ins nor findings.
- Completing a shift needs at least one check-in (a shift nobody walked credits nobody) and a
  shift that has begun. Each member is credited the same hours: the time actually walked, from
  the first check-in to the last, when that span is at least a quarter of an hour; otherwise
  (one check-in, or all at once) the planned length. Two decimals, at most 12 (well within the
  volunteer-hours contract's 24).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from services.security.domain.catalogue import MANAGER_ROLES, WORKER_ROLES
from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

STREET_CODE_LENGTH = 9
COMMUNITY_CODE_LENGTH = 12
TEAM_AREA_LENGTHS = (STREET_CODE_LENGTH, COMMUNITY_CODE_LENGTH)
MAX_SHIFT_HOURS = 12
CHECK_IN_GRACE = timedelta(minutes=30)
SHORTEST_WALK = timedelta(minutes=15)
PLANNED, COMPLETED = "planned", "completed"


def require_manager(caller: CallerContext | None) -> None:
    require_role(caller, *MANAGER_ROLES)


def require_worker(caller: CallerContext | None) -> None:
    require_role(caller, *WORKER_ROLES)


def check_team_area(org_code: str, field: str = "org_code") -> None:
    if not org_code.isdigit() or len(org_code) not in TEAM_AREA_LENGTHS:
        raise InvalidInput(f"{field}: must be a street (9 digits) or a community (12 digits) code",
                           field=field)


def check_point_grid(grid_code: str, team_org_code: str, field: str = "grid_code") -> None:
    """A patrol point lies in a grid of its team's area."""
    if not grid_code.startswith(team_org_code) or len(grid_code) <= len(team_org_code):
        raise InvalidInput(f"{field}: grid {grid_code} is not in the team's area {team_org_code}",
                           field=field)


def check_shift_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput(f"ends_at: {ends_at.isoformat()} is not after starts_at "
                           f"{starts_at.isoformat()}", field="ends_at")
    if ends_at - starts_at < SHORTEST_WALK:
        raise InvalidInput(f"ends_at: a shift lasts at least "
                           f"{int(SHORTEST_WALK.total_seconds() // 60)} minutes", field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise InvalidInput(f"ends_at: a shift lasts at most {MAX_SHIFT_HOURS} hours",
                           field="ends_at")


def check_open(status: str, action: str) -> None:
    if status != PLANNED:
        raise Conflict(f"status: the shift is {status}; cannot {action}", field="status")


def check_in_window(starts_at: datetime, ends_at: datetime, at: datetime) -> None:
    """A check-in belongs to the shift's time, give or take half an hour."""
    if not starts_at - CHECK_IN_GRACE <= at <= ends_at + CHECK_IN_GRACE:
        raise InvalidInput(
            f"at: {at.isoformat()} is outside the shift's time {starts_at.isoformat()} – "
            f"{ends_at.isoformat()} (give or take {int(CHECK_IN_GRACE.total_seconds() // 60)} "
            f"minutes)", field="at")


def check_completable(starts_at: datetime, now: datetime, check_in_count: int) -> None:
    if now < starts_at:
        raise Conflict("status: the shift has not begun; it cannot be completed yet",
                       field="status")
    if check_in_count == 0:
        raise Conflict("check_ins: nobody checked in on this shift; record its check-ins "
                       "before completing it", field="check_ins")


def _hours(span: timedelta) -> float:
    return round(min(span.total_seconds() / 3600, MAX_SHIFT_HOURS), 2)


def planned_hours(starts_at: datetime, ends_at: datetime) -> float:
    return _hours(ends_at - starts_at)


def shift_hours(starts_at: datetime, ends_at: datetime, check_in_times: list[datetime]) -> float:
    """The hours credited to each member of a completed shift (see the module's rules)."""
    if len(check_in_times) >= 2:
        walked = max(check_in_times) - min(check_in_times)
        if walked >= SHORTEST_WALK:
            return _hours(walked)
    return planned_hours(starts_at, ends_at)
