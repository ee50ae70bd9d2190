"""Petitions 信访 (after the 信访工作条例, simplified): the time limits, the group-petition rule,
and which step may follow which. Pure rules: no database, no nameko.

A petition is registered 登记; within ``ACCEPT_WITHIN_DAYS`` it is accepted 受理 or declined
不予受理 (with a reason); an accepted petition is answered 办理意见 within
``ANSWER_WITHIN_DAYS`` of acceptance, extendable once by at most ``MAX_EXTENSION_DAYS`` (with a
reason); the petitioner may ask for a review 复查 within ``REVIEW_REQUEST_WITHIN_DAYS`` of the
answer, and the review is given within ``REVIEW_WITHIN_DAYS``. Overdue = past the current
deadline without the step it waits for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import Conflict, InvalidInput

GROUP_PETITION_MIN_PEOPLE = 5
"""Five or more petitioners together make a group petition 集体访 (counted for the zero target)."""
ACCEPT_WITHIN_DAYS = 15
ANSWER_WITHIN_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_REQUEST_WITHIN_DAYS = 30
REVIEW_WITHIN_DAYS = 30

CHANNELS = {"visit": "来访", "letter": "来信", "phone": "来电", "online": "网上信访"}

REGISTERED = "registered"
ACCEPTED = "accepted"
DECLINED = "declined"
ANSWERED = "answered"
REVIEW_REQUESTED = "review_requested"
REVIEWED = "reviewed"
CLOSED = "closed"
STATUSES = (REGISTERED, ACCEPTED, DECLINED, ANSWERED, REVIEW_REQUESTED, REVIEWED, CLOSED)

ACCEPT, DECLINE, EXTEND, ANSWER = "accept", "decline", "extend", "answer"
REQUEST_REVIEW, REVIEW, CLOSE = "request_review", "review", "close"
ACTIONS = (ACCEPT, DECLINE, EXTEND, ANSWER, REQUEST_REVIEW, REVIEW, CLOSE)

STEPS = {ACCEPT: (ACCEPTED, "accepted"), DECLINE: (DECLINED, "declined"),
         EXTEND: (ACCEPTED, "extended"), ANSWER: (ANSWERED, "answered"),
         REQUEST_REVIEW: (REVIEW_REQUESTED, "review_requested"),
         REVIEW: (REVIEWED, "reviewed"), CLOSE: (CLOSED, "closed")}
"""Action → (the status it leads to, the step's name in ``security.petition_<step>``)."""

FOLLOWS = {REGISTERED: (ACCEPT, DECLINE), ACCEPTED: (EXTEND, ANSWER),
           DECLINED: (CLOSE,), ANSWERED: (REQUEST_REVIEW, CLOSE),
           REVIEW_REQUESTED: (REVIEW,), REVIEWED: (CLOSE,), CLOSED: ()}
"""The actions each status may take (before the time and once-only rules)."""


def is_group(petitioners: int) -> bool:
    return petitioners >= GROUP_PETITION_MIN_PEOPLE


def accept_by(registered_on: date) -> date:
    return registered_on + timedelta(days=ACCEPT_WITHIN_DAYS)


def answer_by(accepted_on: date) -> date:
    return accepted_on + timedelta(days=ANSWER_WITHIN_DAYS)


def latest_extension(accepted_on: date) -> date:
    return answer_by(accepted_on) + timedelta(days=MAX_EXTENSION_DAYS)


def review_request_by(answered_on: date) -> date:
    return answered_on + timedelta(days=REVIEW_REQUEST_WITHIN_DAYS)


def review_by(review_requested_on: date) -> date:
    return review_requested_on + timedelta(days=REVIEW_WITHIN_DAYS)


@dataclass(frozen=True)
class Progress:
    """What the rules need to know of a petition."""

    status: str
    registered_on: date
    accepted_on: date | None = None
    extended_until: date | None = None
    answered_on: date | None = None
    review_requested_on: date | None = None
    last_step_on: date | None = None

    @property
    def answer_deadline(self) -> date | None:
        if self.accepted_on is None:
            return None
        return self.extended_until or answer_by(self.accepted_on)

    def deadlines(self) -> dict:
        return {
            "accept_by": accept_by(self.registered_on),
            "answer_by": self.answer_deadline,
            "review_request_by": review_request_by(self.answered_on) if self.answered_on else None,
            "review_by": (review_by(self.review_requested_on)
                          if self.review_requested_on else None),
        }

    def current_deadline(self) -> date | None:
        """The deadline of the step the petition waits for (None: it waits for none)."""
        if self.status == REGISTERED:
            return accept_by(self.registered_on)
        if self.status == ACCEPTED:
            return self.answer_deadline
        if self.status == REVIEW_REQUESTED:
            return review_by(self.review_requested_on)
        return None

    def overdue(self, today: date) -> bool:
        deadline = self.current_deadline()
        return deadline is not None and today > deadline

    def answered_on_time(self) -> bool | None:
        if self.answered_on is None or self.accepted_on is None:
            return None
        return self.answered_on <= self.answer_deadline

    def allowed_actions(self, today: date) -> list[str]:
        allowed = []
        for action in FOLLOWS[self.status]:
            if action == EXTEND and self.extended_until is not None:
                continue  # once only
            if action == REQUEST_REVIEW and today > review_request_by(self.answered_on):
                continue  # the window has closed
            allowed.append(action)
        return allowed


def check_action(progress: Progress, action: str, on: date) -> None:
    """Refuse a step the petition cannot take on ``on``, naming the ones it can (409)."""
    allowed = progress.allowed_actions(on)
    if action not in allowed:
        can = ", ".join(allowed) or "none (the petition is closed)"
        raise Conflict(f"action: a {progress.status} petition cannot {action} now; "
                       f"allowed: {can}", field="action")


def check_step_day(progress: Progress, on: date, today: date) -> None:
    if on > today:
        raise InvalidInput(f"on: {on} is in the future", field="on")
    previous = progress.last_step_on or progress.registered_on
    if on < previous:
        raise InvalidInput(f"on: {on} is before the petition's last step on {previous}",
                           field="on")


def check_registered_on(registered_on: date, today: date) -> None:
    if registered_on > today:
        raise InvalidInput(f"registered_on: {registered_on} is in the future",
                           field="registered_on")


def check_extension(progress: Progress, until: date, on: date) -> None:
    """Once, decided before the answer deadline has passed, to a later day no more than
    ``MAX_EXTENSION_DAYS`` past the original deadline."""
    original = answer_by(progress.accepted_on)
    if on > original:
        raise InvalidInput(f"on: the answer deadline {original} has passed; an extension is "
                           "decided before it", field="on")
    if until <= original:
        raise InvalidInput(f"until: must be after the answer deadline {original}", field="until")
    if until > latest_extension(progress.accepted_on):
        raise InvalidInput(f"until: at most {MAX_EXTENSION_DAYS} days past {original} "
                           f"({latest_extension(progress.accepted_on)})", field="until")


def clean_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def required_text(value: str | None, field: str) -> str:
    text = clean_text(value)
    if text is None:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return text


def on_time_rate(on_time: int, late: int) -> float | None:
    answered = on_time + late
    return round(on_time / answered, 4) if answered else None
