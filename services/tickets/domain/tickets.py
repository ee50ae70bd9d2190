"""The rules of a service ticket 工单: plain Python, no I/O.

The closed loop of the 12345 hotline: submitted → accepted 受理 → dispatched 派遣 → signed for 签收
→ in progress 处置 → resolved 办结 → (callback 回访) → closed 结案; plus rejected, returned,
escalated, reopened. The transition table lives here; the use cases only apply it.
"""
from __future__ import annotations

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
