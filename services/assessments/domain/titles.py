"""Titles and awards 荣誉称号: the pure rules (no database, no nameko).

nominated ──review: approve──▶ in_notice (public notice 公示, 7 days) ──grant (after the notice,
no objection pending)──▶ granted. A title is withdrawn when review rejects it, when an objection
raised during the notice is upheld, or by a withdrawal (revocation, also after granting).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.assessments.domain.catalogue import (
    TITLE_KINDS,
    TITLE_NOTICE_DAYS,
)
from shared.errors import Conflict, InvalidInput
from shared.personal_data import mask_name

NOMINATED, IN_NOTICE, GRANTED, WITHDRAWN = "nominated", "in_notice", "granted", "withdrawn"
LIVE_STATUSES = (NOMINATED, IN_NOTICE, GRANTED)

REVIEW, OBJECT, DECIDE_OBJECTION, GRANT, WITHDRAW = (
    "review", "object", "decide_objection", "grant", "withdraw")
APPROVE, REJECT = "approve", "reject"
DECISIONS = (APPROVE, REJECT)
PERSON_HOLDERS = ("resident", "volunteer", "party_member")


def kind_name(kind: str) -> str:
    return TITLE_KINDS[kind][0]


def holder_kind_of(kind: str) -> str:
    return TITLE_KINDS[kind][1]


def check_level(kind: str, level: str) -> None:
    levels = TITLE_KINDS[kind][2]
    if level not in levels:
        raise InvalidInput(f"level: a {kind} title is awarded at {', '.join(levels)}, not "
                           f"{level}", field="level")


def check_year(year: int, nominated_on: date) -> None:
    """A title honours a year that has begun: this year's or an earlier one."""
    if year > nominated_on.year:
        raise InvalidInput(f"year: {year} has not begun on {nominated_on}", field="year")


def live_key(kind: str, level: str, year: int, holder_kind: str, holder_ref: str) -> str:
    """One live title per holder, kind, level and year: a unique column while live, cleared
    when withdrawn (so it can be nominated again)."""
    return f"{kind}:{level}:{year}:{holder_kind}:{holder_ref}"


def notice_window(starts_on: date) -> tuple[date, date]:
    """The public notice's first and last day (both included)."""
    return starts_on, starts_on + timedelta(days=TITLE_NOTICE_DAYS - 1)


@dataclass(frozen=True)
class Progress:
    status: str
    last_step_on: date
    notice_from: date | None = None
    notice_until: date | None = None
    pending_objections: int = 0

    def in_notice_on(self, day: date) -> bool:
        return (self.status == IN_NOTICE and self.notice_from is not None
                and self.notice_from <= day <= self.notice_until)

    def notice_over_on(self, day: date) -> bool:
        return self.status == IN_NOTICE and self.notice_until is not None and day > self.notice_until

    def allowed_actions(self, day: date) -> list[str]:
        if self.status == NOMINATED:
            return [REVIEW, WITHDRAW]
        if self.status == IN_NOTICE:
            allowed = []
            if self.in_notice_on(day):
                allowed.append(OBJECT)
            if self.pending_objections:
                allowed.append(DECIDE_OBJECTION)
            elif self.notice_over_on(day):
                allowed.append(GRANT)
            return [*allowed, WITHDRAW]
        if self.status == GRANTED:
            return [WITHDRAW]
        return []


def check_action(progress: Progress, action: str, on: date) -> None:
    """A step the title cannot take on day ``on`` is 409, saying why and what it can do."""
    allowed = progress.allowed_actions(on)
    if action in allowed:
        return
    why = f"a {progress.status} title cannot take the step {action}"
    if action == GRANT and progress.status == IN_NOTICE:
        why = (f"the public notice runs until {progress.notice_until}: granted from the day after"
               if not progress.notice_over_on(on) else
               f"{progress.pending_objections} objection(s) wait for a decision")
    elif action == OBJECT and progress.status == IN_NOTICE:
        why = (f"objections are raised during the public notice, {progress.notice_from} to "
               f"{progress.notice_until}")
    raise Conflict(f"{why}; allowed now: {', '.join(allowed) or 'nothing'}", field="action")


def check_step_day(progress: Progress, on: date, today: date) -> None:
    """A step is dated today or earlier, never before the title's last step."""
    if on > today:
        raise InvalidInput(f"on: {on} is in the future", field="on")
    if on < progress.last_step_on:
        raise InvalidInput(f"on: {on} is before the last step, on {progress.last_step_on}",
                           field="on")


def required_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return text


def public_holder_name(holder_kind: str, holder_name: str) -> str:
    """What a public notice shows of the holder: a community by its name, a household as the
    family of its representative (masked), a person masked."""
    if holder_kind == "community":
        return holder_name
    masked = mask_name(holder_name)
    if holder_kind == "household":
        return f"{masked}家庭" if masked else "家庭"
    return masked
