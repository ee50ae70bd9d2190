"""Care plans 关爱计划: the rules, plain Python, no I/O.

A resident flagged vulnerable in membership gets a care plan with recurring visits — "one home
visit, one phone call, one neighbour visit" (一次上门探访、一次电话问候、一次邻里看望). Each
kind of visit has a cadence (every so many days) that depends on the flag; the next visit of a
kind is due ``every_days`` after the last one that counted (or after the plan started), and a
visit is *missed* once its due date has passed with no visit of that kind.

Default cadences (days), chosen from what community workers do for each group:

=====================  ==========  ==========  ===============
flag                   phone_call  home_visit  neighbour_visit
=====================  ==========  ==========  ===============
elderly_living_alone   7           30          7
extremely_poor         7           30          14
disabled               14          30          14
chronically_ill        14          30          30
minimum_allowance      30          90          30
=====================  ==========  ==========  ===============

Not every flag is a care flag: ``laid_off`` is for learning (training offers), ``veteran`` and
``floating`` are not needs, and the restricted ``released_prisoner`` / ``mental_illness`` belong
to public security.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

VISIT_KINDS = ("home_visit", "phone_call", "neighbour_visit")
STATUSES = ("open", "closed")
# how the visit went; a visit that did not reach the resident does not count for the schedule
OUTCOMES = ("well", "needs_help", "not_reached")
COUNTING_OUTCOMES = ("well", "needs_help")

DEFAULT_CADENCES: dict[str, dict[str, int]] = {
    "elderly_living_alone": {"phone_call": 7, "home_visit": 30, "neighbour_visit": 7},
    "extremely_poor": {"phone_call": 7, "home_visit": 30, "neighbour_visit": 14},
    "disabled": {"phone_call": 14, "home_visit": 30, "neighbour_visit": 14},
    "chronically_ill": {"phone_call": 14, "home_visit": 30, "neighbour_visit": 30},
    "minimum_allowance": {"phone_call": 30, "home_visit": 90, "neighbour_visit": 30},
}
CARE_FLAGS = tuple(DEFAULT_CADENCES)

WRITER_ROLES = ("community_worker", "grid_worker", "street_admin", "district_admin",
                "integration")
COMMUNITY_CODE_LENGTH = 12
STREET_CODE_LENGTH = 9


def require_writer(caller: CallerContext | None) -> None:
    require_role(caller, *WRITER_ROLES)


def community_of(grid_code: str) -> str:
    return grid_code[:COMMUNITY_CODE_LENGTH]


def is_care_flag(flag: str) -> bool:
    return flag in DEFAULT_CADENCES


def cadences_for(flag: str) -> dict[str, int]:
    """The visit kinds and their cadence in days for a plan opened for ``flag``."""
    return dict(DEFAULT_CADENCES[flag])


# What a flag event does to the plan of that (resident, flag)
OPEN, REOPEN, IGNORE = "open", "reopen", "ignore"


def on_flagged(plan_status: str | None, closed_on: date | None, flagged_on: date) -> str:
    """A flag set: open a plan if there is none; reopen a closed one if the flag was set again
    on or after the day it was cleared (an older flag event arriving late changes nothing);
    an open plan stays as it is (the same flag twice, or two events for one flag)."""
    if plan_status is None:
        return OPEN
    if plan_status == "closed" and closed_on is not None and flagged_on >= closed_on:
        return REOPEN
    return IGNORE


def on_unflagged(plan_status: str | None) -> bool:
    """A flag cleared closes an open plan; otherwise nothing happens."""
    return plan_status == "open"


def next_due(starts_on: date, last_visited_on: date | None, every_days: int) -> date:
    return (last_visited_on or starts_on) + timedelta(days=every_days)


def is_missed(next_due_on: date, today: date) -> bool:
    """Missed once the due day has passed (a visit on the due day is in time)."""
    return next_due_on < today


@dataclass(frozen=True)
class ScheduleLine:
    kind: str
    every_days: int
    last_visited_on: date | None
    next_due_on: date

    def view(self, today: date) -> dict:
        missed = is_missed(self.next_due_on, today)
        return {"kind": self.kind, "every_days": self.every_days,
                "last_visited_on": self.last_visited_on, "next_due_on": self.next_due_on,
                "missed": missed,
                "days_overdue": (today - self.next_due_on).days if missed else 0}


def check_visit(plan_status: str, starts_on: date, visited_on: date, today: date) -> None:
    if plan_status != "open":
        raise Conflict("status: the care plan is closed; visits are recorded on open plans",
                       field="status")
    if visited_on > today:
        raise InvalidInput(f"visited_on: {visited_on} is in the future", field="visited_on")
    if visited_on < starts_on:
        raise InvalidInput(f"visited_on: the plan started on {starts_on}", field="visited_on")


def counts_for_schedule(outcome: str) -> bool:
    return outcome in COUNTING_OUTCOMES


def after_visit(line_last: date | None, visited_on: date, outcome: str) -> date | None:
    """The schedule's last counted visit after recording this one (a late entry of an older
    visit does not move it back)."""
    if not counts_for_schedule(outcome):
        return line_last
    return visited_on if line_last is None or visited_on > line_last else line_last


def clean_text(value: str | None, field: str, required: bool = False) -> str | None:
    cleaned = " ".join(value.split()) if value else ""
    if required and not cleaned:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return cleaned or None


# --- life events 八到家 ------------------------------------------------------------------------
#
# A life event in a household brings the community to its door: each opens a visit ticket
# (category ``home_visit``, channel ``visit``) through the ticket core. ``released_person``
# (刑释解教) is a restricted category: its ticket's text does not name it, and its event says
# ``restricted: true`` (the gateway never relays restricted events).

LIFE_EVENT_KINDS = ("wedding", "death", "hospital", "new_resident", "released_person",
                    "hardship", "laid_off_placement", "family_dispute")
LIFE_EVENT_LABELS = {
    "wedding": "喜事到家（婚嫁）", "death": "丧事到家（亲人去世）", "hospital": "病困到家（住院）",
    "new_resident": "新居民到家（新迁入）", "released_person": "上门走访",
    "hardship": "困难到家（生活困难）", "laid_off_placement": "就业到家（下岗失业安置）",
    "family_dispute": "纠纷到家（家庭矛盾）",
}
RESTRICTED_LIFE_EVENTS = ("released_person",)
URGENT_LIFE_EVENTS = ("death", "hospital", "hardship", "family_dispute")  # priority high
VISIT_TICKET_CATEGORY = "home_visit"
VISIT_TICKET_CHANNEL = "visit"


def life_event_ticket_text(kind: str, occurred_on: date, notes: str | None) -> str:
    text = f"八到家·{LIFE_EVENT_LABELS[kind]}，{occurred_on.isoformat()}"
    return f"{text}：{notes}" if notes else text


def life_event_priority(kind: str) -> str:
    return "high" if kind in URGENT_LIFE_EVENTS else "normal"


def check_life_event(occurred_on: date, today: date) -> None:
    if occurred_on > today:
        raise InvalidInput(f"occurred_on: {occurred_on} is in the future", field="occurred_on")


def check_resident_grid(resident_grid: str, grid_code: str) -> None:
    if resident_grid != grid_code:
        raise InvalidInput(f"grid_code: the resident lives in grid {resident_grid}",
                           field="grid_code")
