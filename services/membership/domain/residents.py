"""Residents 居民 and households 户: the rules, in plain Python (no I/O).

Who may change people's records, which flags exist and which are restricted (seen, set and
cleared only by security officers), age bands, and how identity details must agree with the ID
number.
"""
from __future__ import annotations

from datetime import date, timedelta

from shared.context import CallerContext, require_role
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.personal_data import IdNumber

WRITER_ROLES = ("community_worker", "grid_worker", "street_admin", "district_admin", "integration")
SECURITY_ROLE = "security_officer"
GENDERS = ("male", "female")
RESIDENCES = ("registered", "floating")  # 户籍 / 流动人口
STATUSES = ("active", "moved_out")
MOVE_KINDS = ("within", "out")

FLAGS = {
    "elderly_living_alone": "孤寡老人",
    "disabled": "残疾",
    "minimum_allowance": "低保",
    "extremely_poor": "特困",
    "laid_off": "下岗失业",
    "chronically_ill": "慢性病",
    "veteran": "退役军人",
    "floating": "流动人口",
    "released_prisoner": "刑释解教 / 社区矫正",
    "mental_illness": "精神障碍",
}
RESTRICTED_FLAGS = frozenset({"released_prisoner", "mental_illness"})

AGE_BANDS = {"0-17": (0, 17), "18-34": (18, 34), "35-59": (35, 59), "60-79": (60, 79),
             "80+": (80, None)}

DESIGNATIONS = {"learning_family": "学习型家庭", "civilised_family": "文明家庭"}


def sees_restricted(caller: CallerContext | None) -> bool:
    """Only security officers (and the platform itself) see the restricted flags."""
    return caller is not None and caller.has_role(SECURITY_ROLE)


def visible_flags(caller: CallerContext | None, flags) -> list:
    """``flags`` (names, or objects with a ``flag``) without the ones the caller may not see."""
    if sees_restricted(caller):
        return list(flags)
    return [f for f in flags if (f if isinstance(f, str) else f.flag) not in RESTRICTED_FLAGS]


def require_writer(caller: CallerContext | None) -> None:
    require_role(caller, *WRITER_ROLES)


def require_flag_editor(caller: CallerContext | None, flag: str) -> None:
    """Ordinary flags are kept by the writers; restricted ones only by security officers."""
    check_flag(flag)
    if flag in RESTRICTED_FLAGS:
        if caller is None:
            require_role(caller, SECURITY_ROLE)  # 401: nobody identified
        if not sees_restricted(caller):
            raise Forbidden(f"flag: only a {SECURITY_ROLE} may set or clear {flag}", field="flag")
    else:
        require_writer(caller)


def check_flag(flag: str, field: str = "flag") -> None:
    if flag not in FLAGS:
        raise InvalidInput(f"{field}: must be one of {', '.join(FLAGS)}", field=field)


def require_flag_filter(caller: CallerContext | None, flag: str) -> None:
    """Filtering by a restricted flag would reveal it: only security officers may."""
    check_flag(flag)
    if flag in RESTRICTED_FLAGS and not sees_restricted(caller):
        raise Forbidden(f"flag: only a {SECURITY_ROLE} may filter by {flag}", field="flag")


def check_identity(id_number: IdNumber, birth_date: date | None, gender: str | None) -> None:
    """A given birth date and gender must agree with what the ID number encodes."""
    if birth_date is not None and birth_date != id_number.birth_date:
        raise InvalidInput("birth_date: does not match the birth date in the ID number",
                           field="birth_date")
    if gender is not None and gender != id_number.gender:
        raise InvalidInput("gender: does not match the ID number (its 17th digit)",
                           field="gender")


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month,
                                                                        birth_date.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_dates_for_band(band: str, today: date) -> tuple[date | None, date]:
    """``(earliest, latest)`` birth dates of people whose age on ``today`` is in ``band``
    (``earliest`` None: no lower limit). Both ends inclusive."""
    if band not in AGE_BANDS:
        raise InvalidInput(f"age_band: must be one of {', '.join(AGE_BANDS)}", field="age_band")
    youngest, oldest = AGE_BANDS[band]
    latest = _years_before(today, youngest)
    earliest = None
    if oldest is not None:
        earliest = _years_before(today, oldest + 1) + timedelta(days=1)
    return earliest, latest


def age_band_of(birth_date: date, today: date) -> str:
    age = age_on(birth_date, today)
    for band, (youngest, oldest) in AGE_BANDS.items():
        if age >= youngest and (oldest is None or age <= oldest):
            return band
    return "0-17"


def require_active(status: str, field: str = "id") -> None:
    if status != "active":
        raise Conflict(f"{field}: the resident has moved out; their record is kept read-only",
                       field=field)


def check_move(kind: str, from_grid: str, to_grid: str | None, moved_on: date,
               today: date) -> None:
    if kind == "within":
        if not to_grid:
            raise InvalidInput("to_grid_code: a move within the territory needs the new grid",
                               field="to_grid_code")
        if to_grid == from_grid:
            raise InvalidInput("to_grid_code: the resident already lives in this grid",
                               field="to_grid_code")
    elif to_grid:
        raise InvalidInput("to_grid_code: a move out of the territory has no new grid",
                           field="to_grid_code")
    if moved_on > today:
        raise InvalidInput("moved_on: a move is recorded once it has happened", field="moved_on")


def check_flag_date(on: date, today: date, field: str = "on") -> None:
    if on > today:
        raise InvalidInput(f"{field}: must not be in the future", field=field)


def check_member_grid(household_grid: str, resident_grid: str) -> None:
    if household_grid != resident_grid:
        raise Conflict(f"resident_id: the resident lives in grid {resident_grid}, the household "
                       f"in {household_grid}", field="resident_id")
