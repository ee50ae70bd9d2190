"""Organisations: the party organisation tree, civil organisations and their filing, units based
in the area with their co-building agreements, and cultural teams.

Plain rules, no I/O. Every organisation hangs on a territory node (its ``org_code``); which
levels of node each kind may hang on, which kinds may sit under which, and the order of the
filing and agreement workflows are decided here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

# Party organisation tree changes are the street's and the district's; the rest of the area
# is also written by community workers and district systems.
PARTY_EDITOR_ROLES = ("district_admin", "street_admin")
EDITOR_ROLES = ("district_admin", "street_admin", "community_worker", "integration")

MAX_ID = 2 ** 31 - 1

# --- the party organisation tree -------------------------------------------------------------

STREET_COMMITTEE = "street_working_committee"      # 街道党工委
COMMUNITY_COMMITTEE = "community_party_committee"  # 社区党委
GENERAL_BRANCH = "general_branch"                  # 党总支
BRANCH = "branch"                                  # 党支部
GROUP = "group"                                    # 党小组
PARTY_KINDS = (STREET_COMMITTEE, COMMUNITY_COMMITTEE, GENERAL_BRANCH, BRANCH, GROUP)

# the territory levels each kind hangs on
PARTY_NODE_LEVELS = {
    STREET_COMMITTEE: ("street",),
    COMMUNITY_COMMITTEE: ("community",),
    GENERAL_BRANCH: ("community",),
    BRANCH: ("community", "grid"),
    GROUP: ("community", "grid"),
}
# the kinds each kind may sit under (a street working committee is the top of the tree)
PARTY_PARENT_KINDS = {
    STREET_COMMITTEE: (),
    COMMUNITY_COMMITTEE: (STREET_COMMITTEE,),
    GENERAL_BRANCH: (STREET_COMMITTEE, COMMUNITY_COMMITTEE),
    BRANCH: (COMMUNITY_COMMITTEE, GENERAL_BRANCH),
    GROUP: (BRANCH,),
}
ACTIVE, DISSOLVED = "active", "dissolved"


@dataclass(frozen=True)
class PartyOrg:
    id: int
    kind: str
    org_code: str
    status: str = ACTIVE
    founded_on: date | None = None


def check_party_placement(kind: str, node_level: str, node_code: str,
                          parent: PartyOrg | None) -> None:
    """Refuse a party organisation on the wrong level of node, or under the wrong parent."""
    levels = PARTY_NODE_LEVELS[kind]
    if node_level not in levels:
        raise InvalidInput(
            f"org_code: a {kind} hangs on a {' or a '.join(levels)}, not a {node_level}",
            field="org_code")
    allowed = PARTY_PARENT_KINDS[kind]
    if not allowed:
        if parent is not None:
            raise InvalidInput(f"parent_id: a {kind} is the top of the tree and has no parent",
                               field="parent_id")
        return
    if parent is None:
        raise InvalidInput(f"parent_id: a {kind} belongs under a {' or a '.join(allowed)}",
                           field="parent_id")
    if parent.kind not in allowed:
        raise InvalidInput(
            f"parent_id: a {kind} belongs under a {' or a '.join(allowed)}, not a {parent.kind}",
            field="parent_id")
    if parent.status != ACTIVE:
        raise Conflict(f"parent_id: {parent.id} was dissolved and takes no new organisations",
                       field="parent_id")
    if not node_code.startswith(parent.org_code):
        raise InvalidInput(
            f"org_code: {node_code} lies outside the parent's territory {parent.org_code}",
            field="org_code")


def check_dissolution(org: PartyOrg, active_children: int, dissolved_on: date,
                      today: date) -> None:
    if org.status != ACTIVE:
        raise Conflict(f"status: {org.id} is already dissolved", field="status")
    if active_children:
        raise Conflict(f"id: {org.id} still has {active_children} active organisation(s) "
                       "beneath it; dissolve or move them first", field="id")
    check_not_future(dissolved_on, today, "dissolved_on")
    if org.founded_on and dissolved_on < org.founded_on:
        raise InvalidInput(f"dissolved_on: before the founding date {org.founded_on}",
                           field="dissolved_on")


def check_renamable(org: PartyOrg) -> None:
    if org.status != ACTIVE:
        raise Conflict(f"status: {org.id} was dissolved and keeps its last name", field="status")


# --- civil organisations and their filing 备案 -----------------------------------------------

CIVIL_CATEGORIES = ("cultural", "sports", "charity", "elderly", "mutual_aid", "education",
                    "environment", "other")
UNFILED, FILED, REVOKED = "unfiled", "filed", "revoked"
FILING_STATUSES = (UNFILED, FILED, REVOKED)
FILING_NEXT = {UNFILED: FILED, FILED: REVOKED}  # one step at a time, forward only
CIVIL_NODE_LEVELS = ("community",)
FILING_TARGET_PER_DISTRICT = 30  # the seeds: 30 filed per district by year end

PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def check_filing_step(current: str, wanted: str) -> None:
    """unfiled → filed → revoked; a skipped, repeated or backward step is a conflict."""
    if FILING_NEXT.get(current) == wanted:
        return
    if current == wanted:
        raise Conflict(f"status: the organisation is already {current}", field="status")
    if current == REVOKED:
        raise Conflict("status: a revoked filing is final", field="status")
    raise Conflict(f"status: {current} can only move to {FILING_NEXT[current]}, not {wanted}",
                   field="status")


def target_progress(filed: int, target: int = FILING_TARGET_PER_DISTRICT) -> dict:
    return {"target": target, "filed": filed, "remaining": max(target - filed, 0),
            "progress": round(min(filed / target, 1.0), 4), "met": filed >= target}


# --- units based in the area 驻区单位 and co-building agreements 共建协议 -----------------------

UNIT_KINDS = ("government", "enterprise", "school", "hospital", "army", "other")
UNIT_NODE_LEVELS = ("community",)
AGREEMENT_STATUSES = ("active", "expired", "terminated")


def check_agreement_terms(signed_on: date, term_end: date, today: date) -> None:
    check_not_future(signed_on, today, "signed_on")
    if term_end <= signed_on:
        raise InvalidInput("term_end: must come after signed_on", field="term_end")


def check_agreement_end(current: str, wanted: str, term_end: date, today: date) -> None:
    """An active agreement expires (once its term has ended) or is terminated; nothing else."""
    if wanted == "active":
        raise Conflict("status: an agreement becomes active only by being signed", field="status")
    if current != "active":
        raise Conflict(f"status: the agreement is already {current}", field="status")
    if wanted == "expired" and term_end > today:
        raise Conflict(f"status: the term runs until {term_end}; terminate it to end it early",
                       field="status")


# --- cultural teams 文艺队伍 ------------------------------------------------------------------

TEAM_KINDS = ("choir", "yangge", "waist_drum", "tai_chi", "dance", "opera", "other")
TEAM_NODE_LEVELS = ("community",)


# --- shared -----------------------------------------------------------------------------------

def check_not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise InvalidInput(f"{field}: {day} is in the future", field=field)


def check_node_level(level: str, allowed: tuple[str, ...], field: str = "org_code") -> None:
    if level not in allowed:
        raise InvalidInput(f"{field}: must be a {' or a '.join(allowed)}, not a {level}",
                           field=field)


def parse_id(value, field: str = "id") -> int:
    """A record id from a path or payload: a positive integer that fits the column."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{field}: not an id: {str(value)[:20]!r}", field=field)
    return value


def require_party_editor(caller: CallerContext | None) -> None:
    require_role(caller, *PARTY_EDITOR_ROLES)


def require_editor(caller: CallerContext | None) -> None:
    require_role(caller, *EDITOR_ROLES)
