"""The rules of an incident 事件: plain Python, no I/O.

The closed loop of urban grid management 城市网格化管理: reported 上报 → filed 立案 → dispatched 派遣
→ in progress 处置 → handled 处置完毕 → fed back 反馈 → verified 核查 → closed 结案 → evaluated 评价.
A verification that fails sends it back to handling; the reporter may dispute a closure within
seven days (back to handling too). A report that is no case at all is dismissed 不予立案.
Escalation goes to the street: a major incident at once, a serious one when its due time passes
before it is handled.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from services.security.domain.catalogue import RESPONSE_LEVELS

STATUSES = ("reported", "filed", "dispatched", "in_progress", "handled", "fed_back", "verified",
            "closed", "dismissed")
FINAL_STATUSES = ("closed", "dismissed")
OPEN_STATUSES = tuple(s for s in STATUSES if s not in FINAL_STATUSES)
UNHANDLED_STATUSES = ("reported", "filed", "dispatched", "in_progress")
"""Not yet handled: a serious incident still here after its due time is escalated."""
ASSIGNEE_KINDS = ("unit", "department")

# action → (the statuses it may be taken from, the status it leads to; None = stays).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "file": (("reported",), "filed"),
    "dismiss": (("reported",), "dismissed"),
    "dispatch": (("filed",), "dispatched"),
    "start": (("dispatched",), "in_progress"),
    "handled": (("in_progress",), "handled"),
    "feedback": (("handled",), "fed_back"),
    "verify": (("fed_back",), "verified"),
    "reject_verification": (("fed_back",), "in_progress"),
    "close": (("verified",), "closed"),
    "evaluate": (("closed",), None),
    "dispute": (("closed",), "in_progress"),
}
ACTIONS = tuple(TRANSITIONS)
INTERNAL_ACTIONS = ("report", "escalated")
"""Recorded by the platform itself, never asked for on the transitions route."""
EVENT_NAMES = {
    "report": "incident_reported", "file": "incident_filed", "dismiss": "incident_dismissed",
    "dispatch": "incident_dispatched", "start": "incident_started",
    "handled": "incident_handled", "feedback": "incident_fed_back",
    "verify": "incident_verified", "reject_verification": "incident_verification_rejected",
    "close": "incident_closed", "evaluate": "incident_evaluated",
    "dispute": "incident_disputed", "escalated": "incident_escalated",
}
REASON_REQUIRED = ("dismiss", "reject_verification", "dispute")
DISPUTE_WINDOW_DAYS = 7
ESCALATION_LEVEL = "street"
LEVEL_BY_SEVERITY = {"major": "red", "serious": "red", "general": "yellow", "minor": "blue"}


class IllegalTransition(Exception):
    """``action`` may not be taken from ``status``; ``allowed`` are the ones that may."""

    def __init__(self, action: str, status: str, allowed: list[str]):
        self.action, self.status, self.allowed = action, status, allowed
        super().__init__(f"action: {action} is not allowed on a {status} incident; allowed from "
                         f"{status}: {', '.join(allowed) or 'nothing (the incident is final)'}")


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def target_status(action: str, status: str) -> str:
    """Where ``action`` takes an incident in ``status``, or IllegalTransition."""
    if action not in TRANSITIONS or status not in TRANSITIONS[action][0]:
        raise IllegalTransition(action, status, allowed_actions(status))
    return TRANSITIONS[action][1] or status


def default_level(severity: str) -> str:
    return LEVEL_BY_SEVERITY[severity]


def due_at(reported_at: datetime, level: str) -> datetime:
    return reported_at + timedelta(hours=RESPONSE_LEVELS[level])


def escalates_at_once(severity: str) -> bool:
    return severity == "major"


def escalates_when_overdue(severity: str, status: str, due: datetime, now: datetime,
                           escalated_to: str | None) -> bool:
    """A serious incident still unhandled after its due time goes to the street (once)."""
    return (severity == "serious" and escalated_to is None and status in UNHANDLED_STATUSES
            and now > due)


def is_overdue(status: str, due: datetime, now: datetime) -> bool:
    return status in UNHANDLED_STATUSES and now > due


def self_verification(handled_by: str | None, verifier: str) -> bool:
    """The unit that handled an incident may not verify its own work."""
    return handled_by is not None and handled_by == verifier


def dispute_deadline(closed_at: datetime | None) -> datetime | None:
    return closed_at + timedelta(days=DISPUTE_WINDOW_DAYS) if closed_at else None


def may_dispute(closed_at: datetime | None, now: datetime) -> bool:
    deadline = dispute_deadline(closed_at)
    return deadline is not None and now <= deadline
