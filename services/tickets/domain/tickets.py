"""The rules of a service ticket 工单: plain Python, no I/O.

The closed loop of the 12345 hotline: submitted → accepted 受理 → dispatched 派遣 → signed for 签收
→ in progress 处置 → resolved 办结 → (callback 回访) → closed 结案; plus rejected, returned,
escalated, reopened. The transition table lives here; the use cases only apply it.
"""
from __future__ import annotations

from datetime import timedelta

CHANNELS = ("hotline", "walk_in", "grid_worker", "app", "district_system", "visit")
PRIORITIES = ("low", "normal", "high", "urgent")
FEE_CLASSES = ("free", "low_fee", "paid")
LEVELS = ("community", "street", "district")
ASSIGNEE_KINDS = ("community_worker", "grid_worker", "party_post", "volunteer")

STATUSES = ("submitted", "accepted", "dispatched", "signed_for", "in_progress", "resolved",
            "closed", "rejected")
CLOSED_STATUSES = ("closed", "rejected")
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)


def open311_status(status: str) -> str:
    """GeoReport v2 knows two statuses: every internal state maps to one of them."""
    return "closed" if status in CLOSED_STATUSES else "open"

# --- the transition table -----------------------------------------------------------------------
#
# action → (the statuses it may be taken from, the status it leads to; None = stays where it is).
HANDLING = ("dispatched", "signed_for", "in_progress")
ACTIVE = ("accepted",) + HANDLING
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": (("submitted",), "accepted"),
    "reject": (("submitted", "accepted"), "rejected"),
    "dispatch": (("accepted",), "dispatched"),
    "sign_for": (("dispatched",), "signed_for"),
    "return": (("dispatched", "signed_for"), "accepted"),
    "start": (("signed_for",), "in_progress"),
    "request_extension": (HANDLING, None),
    "approve_extension": (HANDLING, None),
    "refuse_extension": (HANDLING, None),
    "remind": (("submitted",) + ACTIVE, None),
    "escalate": (ACTIVE, "accepted"),
    "resolve": (("in_progress",), "resolved"),
    "reopen": (("resolved", "closed"), "accepted"),
    "close": (("resolved",), "closed"),
}
ACTIONS = tuple(TRANSITIONS)
# recorded by the platform itself, never asked for by a caller of the transitions route
INTERNAL_ACTIONS = ("submit", "rate", "mediation_outcome")  # mediation: security's outcome
REASON_REQUIRED = ("reject", "return")

# Who may take each action (always within their scope; see ``may_act``). Auditors and
# security officers read only.
STAFF = ("community_worker", "street_admin", "district_admin")
HANDLERS = STAFF + ("grid_worker",)
CREATOR_ROLES = HANDLERS + ("integration",)
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "accept": STAFF, "reject": STAFF, "dispatch": STAFF, "escalate": STAFF,
    "approve_extension": STAFF, "refuse_extension": STAFF, "close": STAFF, "remind": STAFF,
    "sign_for": HANDLERS, "return": HANDLERS, "start": HANDLERS, "resolve": HANDLERS,
    "request_extension": HANDLERS,
    "reopen": STAFF + ("integration",),  # on the reporter's behalf (hotline, district app)
}
RATER_ROLES = STAFF + ("integration",)  # the callback 回访 is made by staff or the 12345 system
# Actions a unit above may take on a ticket handled beneath it (supervision), and the
# reporter's own actions: any staff member who sees the ticket's grid.
ANY_LEVEL_ACTIONS = ("remind", "reopen")

SATISFIED_FROM = 4  # a rating of 4 or 5 (of 1–5) is "satisfied" 满意
REOPEN_WINDOW_DAYS = 7  # the reporter may reopen within this many days of resolution / closure
MAX_EXTENSION_DAYS = 90


class IllegalTransition(Exception):
    """``action`` may not be taken from ``status``; ``allowed`` are the ones that may."""

    def __init__(self, action: str, status: str, allowed: list[str]):
        self.action, self.status, self.allowed = action, status, allowed
        super().__init__(f"action: {action} is not allowed on a {status} ticket; allowed from "
                         f"{status}: {', '.join(allowed) or 'nothing (the ticket is final)'}")


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def target_status(action: str, status: str) -> str:
    """Where ``action`` takes a ticket in ``status``, or IllegalTransition."""
    if action not in TRANSITIONS:
        raise IllegalTransition(action, status, allowed_actions(status))
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(action, status, allowed_actions(status))
    return target or status


def is_satisfied(rating: int) -> bool:
    return rating >= SATISFIED_FROM


def next_level(level: str) -> str | None:
    """community → street → district; None above the district."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def responsible_code_at(level: str, grid_code: str) -> str:
    """The unit responsible at ``level`` for a ticket in ``grid_code`` (codes nest as prefixes)."""
    return {"community": grid_code[:12], "street": grid_code[:9], "district": grid_code[:6]}[level]


def may_act(scope: str | None, action: str, level: str, responsible_code: str,
            grid_code: str) -> bool:
    """A caller acts on a ticket where it is handled: at community level anyone whose scope
    covers its grid; once escalated, only the receiving unit and those above it. Reminders 催办
    (supervision) and reopening (the reporter's) come from anyone who sees the grid."""
    if scope is None:
        return False
    if action in ANY_LEVEL_ACTIONS or level == "community":
        return grid_code.startswith(scope)
    return responsible_code.startswith(scope)


def reopen_deadline(status: str, resolved_at, closed_at):
    """The last moment the reporter may reopen a resolved or closed ticket."""
    since = closed_at if status == "closed" and closed_at else resolved_at
    return since + timedelta(days=REOPEN_WINDOW_DAYS) if since else None


def on_time(due_at, resolved_at) -> bool:
    return resolved_at <= due_at
