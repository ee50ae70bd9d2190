"""Volunteers 志愿者, their teams, and the service-hours ledger 服务储蓄 (a time bank).

A volunteer is a resident enrolled in a community. The ledger is double-entry: every
transaction is a set of postings on accounts that sums to zero. Each volunteer has an account;
hours credited to it come out of a "granted" account of the volunteer's community for the kind
of work (ticket, patrol, class, manual…), hours redeemed go to the community's "redeemed"
account. So the sum over every account is always zero, a volunteer's balance is the sum of
their postings, and nothing is ever updated or deleted: a correction is a reversing transaction.

Amounts are whole hundredths of an hour (so sums are exact); the API speaks hours.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

WRITER_ROLES = ("community_worker", "street_admin", "district_admin", "integration")
STATUSES = ("active", "inactive")
COMMUNITY_CODE_LENGTH = 12
MAX_SKILLS = 30
MAX_HOURS_PER_ITEM = 24
UNITS_PER_HOUR = 100  # amounts are stored in hundredths of an hour

# Where credited hours come from. The first three arrive as events from other services.
SOURCE_TYPES = ("ticket", "patrol", "class", "activity", "manual")
EVENT_SOURCE_TYPES = ("ticket", "patrol", "class", "activity")
TRANSACTION_KINDS = ("credit", "debit", "reversal")
TEAM_KINDS = ("patrol", "disability_help", "elderly_care", "culture", "environment",
              "education", "medical", "mediation", "other")


def require_writer(caller: CallerContext | None) -> None:
    require_role(caller, *WRITER_ROLES)


def community_of(code: str) -> str:
    """The community a grid (or community) code belongs to."""
    return code[:COMMUNITY_CODE_LENGTH]


def normalise_skills(skills: list[str], field: str = "skills") -> list[str]:
    """Trimmed, de-duplicated (case-insensitively, first spelling kept), in the given order."""
    seen, result = set(), []
    for index, skill in enumerate(skills):
        cleaned = " ".join(skill.split())
        if not cleaned:
            raise InvalidInput(f"{field}.{index}: a skill must not be blank",
                               field=f"{field}.{index}")
        if cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            result.append(cleaned)
    if len(result) > MAX_SKILLS:
        raise InvalidInput(f"{field}: at most {MAX_SKILLS} skills", field=field)
    return result


def apply_skill_changes(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    """The skills after adding ``add`` and removing ``remove`` (removing a missing one is a
    no-op, so a retried request is harmless)."""
    gone = {skill.casefold() for skill in normalise_skills(remove, "remove_skills")}
    kept = [skill for skill in current if skill.casefold() not in gone]
    return normalise_skills(kept + normalise_skills(add, "add_skills"), "add_skills")


def check_enrolment(resident_status: str, already_enrolled: bool, community_code: str) -> None:
    if len(community_code) != COMMUNITY_CODE_LENGTH:
        raise InvalidInput(f"community_code: {community_code} is not a community code",
                           field="community_code")
    if already_enrolled:
        raise Conflict("resident_id: this resident is already enrolled as a volunteer",
                       field="resident_id")
    if resident_status != "active":
        raise Conflict("resident_id: a resident who moved out cannot be enrolled",
                       field="resident_id")


def check_can_join(volunteer_status: str, already_member: bool) -> None:
    if volunteer_status != "active":
        raise Conflict("volunteer_id: an inactive volunteer cannot join a team",
                       field="volunteer_id")
    if already_member:
        raise Conflict("volunteer_id: already a member of this team", field="volunteer_id")


# --- the ledger -------------------------------------------------------------------------------

def hours_to_units(hours: float, field: str = "hours") -> int:
    """Hours (at most two decimals, more than 0, at most 24) as hundredths of an hour."""
    units = round(hours * UNITS_PER_HOUR)
    if abs(hours * UNITS_PER_HOUR - units) > 1e-6:
        raise InvalidInput(f"{field}: at most two decimal places", field=field)
    if units <= 0:
        raise InvalidInput(f"{field}: must be more than 0", field=field)
    if units > MAX_HOURS_PER_ITEM * UNITS_PER_HOUR:
        raise InvalidInput(f"{field}: at most {MAX_HOURS_PER_ITEM} hours at a time", field=field)
    return units


def units_to_hours(units: int) -> float:
    return round(units / UNITS_PER_HOUR, 2)


def volunteer_account_key(volunteer_id: int) -> str:
    return f"volunteer:{volunteer_id}"


def granted_account_key(community_code: str, source_type: str) -> str:
    """Where hours of one kind of work in one community come from."""
    return f"granted:{community_code}:{source_type}"


def redeemed_account_key(community_code: str) -> str:
    """Where hours redeemed for services in one community go."""
    return f"redeemed:{community_code}"


def source_key(source_type: str, source_id: str, volunteer_id: int) -> str:
    """What makes a credit unique: one piece of work credits one volunteer once, however many
    times (and under however many event ids) it is reported."""
    return f"{source_type}:{source_id}:{volunteer_id}"


@dataclass(frozen=True)
class Posting:
    account_key: str
    amount: int  # hundredths of an hour; positive adds to the account


def balanced(postings: list[Posting]) -> list[Posting]:
    """Refuse a transaction whose postings do not sum to zero (a bug, never user input)."""
    if len(postings) < 2 or sum(p.amount for p in postings) != 0 or any(
            p.amount == 0 for p in postings):
        raise ValueError(f"an unbalanced transaction: {postings}")
    return postings


def credit_postings(volunteer_id: int, community_code: str, source_type: str,
                    units: int) -> list[Posting]:
    return balanced([Posting(granted_account_key(community_code, source_type), -units),
                     Posting(volunteer_account_key(volunteer_id), units)])


def debit_postings(volunteer_id: int, community_code: str, units: int,
                   balance: int) -> list[Posting]:
    """Redeeming hours: refused when it would take the balance below zero."""
    if units > balance:
        raise Conflict(f"hours: the balance is {units_to_hours(balance)} hours, "
                       f"{units_to_hours(units)} cannot be redeemed", field="hours")
    return balanced([Posting(volunteer_account_key(volunteer_id), -units),
                     Posting(redeemed_account_key(community_code), units)])


def reversal_postings(original: list[Posting], volunteer_account: str, balance: int,
                      already_reversed: bool, original_kind: str) -> list[Posting]:
    """The mirror image of a transaction. A reversal is not reversed (post the original
    again instead), a transaction is reversed once, and reversing a credit whose hours were
    already redeemed would take the balance below zero, so it is refused."""
    if original_kind == "reversal":
        raise Conflict("transaction_id: a reversal cannot itself be reversed",
                       field="transaction_id")
    if already_reversed:
        raise Conflict("transaction_id: this transaction was already reversed",
                       field="transaction_id")
    mirror = [Posting(p.account_key, -p.amount) for p in original]
    change = sum(p.amount for p in mirror if p.account_key == volunteer_account)
    if balance + change < 0:
        raise Conflict(f"transaction_id: reversing it would take the balance below zero "
                       f"(balance {units_to_hours(balance)} hours)", field="transaction_id")
    return balanced(mirror)
