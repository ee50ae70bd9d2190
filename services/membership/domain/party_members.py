"""Party members 党员: categories and the development pipeline as a state machine.

Plain rules, no I/O. The pipeline is applicant → activist 积极分子 → development target 发展对象
→ probationary 预备党员 → full 正式党员, one step at a time and forward only; a probationary
member's period ends with an outcome: convert (→ full), extend (once), or reject.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

WRITER_ROLES = ("community_worker", "street_admin", "district_admin", "integration")

CATEGORIES = ("resident", "in_service", "mobile", "retired")  # 居民 在职 流动 离退休

APPLICANT, ACTIVIST, TARGET = "applicant", "activist", "development_target"
PROBATIONARY, FULL = "probationary", "full"
STAGES = (APPLICANT, ACTIVIST, TARGET, PROBATIONARY, FULL)
# the plain steps: each stage's one next stage (a probationary member moves on by an outcome)
NEXT_STAGE = {APPLICANT: ACTIVIST, ACTIVIST: TARGET, TARGET: PROBATIONARY}

CONVERT, EXTEND, REJECT = "convert", "extend", "reject"
OUTCOMES = (CONVERT, EXTEND, REJECT)
STEPS = (ACTIVIST, TARGET, PROBATIONARY, *OUTCOMES)
REGISTER = "register"  # the first line of a member's history: the stage they were recorded at

ACTIVE, REJECTED, TRANSFERRED_OUT = "active", "rejected", "transferred_out"
STATUSES = (ACTIVE, REJECTED, TRANSFERRED_OUT)

OUT, IN = "out", "in"
DIRECTIONS = (OUT, IN)
OBSERVATION_DAYS = 182  # a probationary member transferred in is observed 6 months first


@dataclass(frozen=True)
class Step:
    """What a step does: the stage it leads to and the status after it."""
    step: str
    from_stage: str
    to_stage: str
    status: str


def next_step(stage: str, status: str, step: str, extended: bool) -> Step:
    """The step ``step`` from ``stage``, or a conflict naming ``stage`` when it is skipped,
    backward, repeated or not open to a member in this state."""
    if status == TRANSFERRED_OUT:
        raise Conflict("stage: the member was transferred out; the receiving community takes "
                       "the next step", field="stage")
    if status != ACTIVE:
        raise Conflict(f"stage: the member was {status} at {stage}; the pipeline is closed",
                       field="stage")
    if step in OUTCOMES:
        if stage != PROBATIONARY:
            raise Conflict(f"stage: {step} is an outcome of the probationary period; the member "
                           f"is {stage}", field="stage")
        if step == CONVERT:
            return Step(step, stage, FULL, ACTIVE)
        if step == EXTEND:
            if extended:
                raise Conflict("stage: the probationary period was already extended once",
                               field="stage")
            return Step(step, stage, PROBATIONARY, ACTIVE)
        return Step(step, stage, PROBATIONARY, REJECTED)
    wanted = NEXT_STAGE.get(stage)
    if stage == FULL:
        raise Conflict("stage: the member is already full; there is no further step",
                       field="stage")
    if stage == PROBATIONARY:
        raise Conflict(f"stage: a probationary member moves on by an outcome "
                       f"({', '.join(OUTCOMES)}), not to {step}", field="stage")
    if step != wanted:
        how = "backward" if STAGES.index(step) <= STAGES.index(stage) else "skipped"
        raise Conflict(f"stage: {stage} can only move to {wanted}, not to {step} ({how})",
                       field="stage")
    return Step(step, stage, wanted, ACTIVE)


def check_observation(observed_since: date | None, on: date) -> None:
    """A member transferred in is converted only after the receiving community has observed
    them for ``OBSERVATION_DAYS`` from the transfer-in date."""
    if observed_since is None:
        return
    possible = observed_since + timedelta(days=OBSERVATION_DAYS)
    if on < possible:
        raise Conflict(f"stage: transferred in on {observed_since}, the member must be observed "
                       f"{OBSERVATION_DAYS} days; conversion is possible from {possible}",
                       field="stage")


def check_transfer_out(status: str, from_community: str, to_code: str | None,
                       destination: str | None) -> None:
    if status != ACTIVE:
        raise Conflict(f"status: a member who is {status} cannot be transferred out",
                       field="status")
    if to_code is None and not destination:
        raise InvalidInput("destination: required for a transfer outside the platform "
                           "(or name the receiving community in to_code)", field="destination")
    if to_code is not None and to_code == from_community:
        raise InvalidInput(f"to_code: the member already belongs to {to_code}", field="to_code")


def check_transfer_in(status: str, pending_to_code: str | None, origin: str | None,
                      branch_code: str | None) -> None:
    """In from a community of the platform (pending: the branch must lie in that community) or
    from outside it (``origin`` says where from)."""
    if status == REJECTED:
        raise Conflict("status: a rejected member cannot be transferred in", field="status")
    if pending_to_code is not None:
        if branch_code is None:
            raise InvalidInput("branch_id: required to receive a member transferred from "
                               "another community", field="branch_id")
        if not branch_code.startswith(pending_to_code):
            raise InvalidInput(f"branch_id: the member is being transferred to {pending_to_code}"
                               f", the branch is at {branch_code}", field="branch_id")
        return
    if not origin:
        raise InvalidInput("origin: required for a member arriving from outside the platform",
                           field="origin")


# --- in-service members: registering 报到, posts 认岗, the yearly quota 四个一 ----------------

POSTS = ("youth_education", "neighbour_mutual_aid", "mediation", "culture_publicity",
         "community_service", "poverty_relief", "sanitation_supervision", "security_patrol")
QUOTA_KINDS = ("activity", "care", "good_deed", "suggestion")  # 一次活动 一次关爱 一件好事 一条建议
IN_SERVICE = "in_service"


def check_registration(category: str, status: str, current_code: str | None,
                       community_code: str) -> None:
    if category != IN_SERVICE:
        raise Conflict(f"category: only in-service members register 报到; this member is "
                       f"{category}", field="category")
    if status != ACTIVE:
        raise Conflict(f"status: a member who is {status} does not register", field="status")
    if current_code == community_code:
        raise Conflict(f"community_code: already registered with {community_code}",
                       field="community_code")


def check_claim(registered_code: str | None, claimed_post: str | None, year: int,
                status: str) -> None:
    """One post per member per year, claimed with the community they registered with."""
    if status != ACTIVE:
        raise Conflict(f"status: a member who is {status} claims no post", field="status")
    if registered_code is None:
        raise Conflict("registration: the member has not registered 报到 with a residential "
                       "community", field="registration")
    if claimed_post is not None:
        raise Conflict(f"post: the member already claimed {claimed_post} for {year}",
                       field="post")


def quota_report(kinds_done: dict[str, int]) -> dict:
    """Which of the four the year's records meet."""
    met = {kind: kinds_done.get(kind, 0) >= 1 for kind in QUOTA_KINDS}
    return {"counts": {kind: kinds_done.get(kind, 0) for kind in QUOTA_KINDS}, "met": met,
            "all_met": all(met.values())}


# --- mobile members 流动党员 -----------------------------------------------------------------

MOBILE = "mobile"


def check_mobile(category: str, status: str) -> None:
    if category != MOBILE:
        raise Conflict(f"category: only mobile members are kept in the ledger; this member is "
                       f"{category}", field="category")
    if status != ACTIVE:
        raise Conflict(f"status: a member who is {status} is not kept in the ledger",
                       field="status")


def check_contact(member_id: int, member_community: str, contact_id: int, contact_community: str,
                  contact_status: str, contact_category: str, contact_of: int | None) -> None:
    """The contact person is another active, non-mobile party member of the same community,
    and the contact of this one mobile member only."""
    if contact_id == member_id:
        raise InvalidInput("contact_id: a member cannot be their own contact", field="contact_id")
    if contact_community != member_community:
        raise InvalidInput(f"contact_id: {contact_id} belongs to {contact_community}, not "
                           f"{member_community}", field="contact_id")
    if contact_status != ACTIVE or contact_category == MOBILE:
        raise InvalidInput(f"contact_id: {contact_id} is {contact_status} and {contact_category}"
                           "; the contact is an active member who stays", field="contact_id")
    if contact_of is not None and contact_of != member_id:
        raise Conflict(f"contact_id: {contact_id} is already the contact of member {contact_of}",
                       field="contact_id")


def check_step_date(on: date, last_on: date, today: date, field: str = "on") -> None:
    """Steps are recorded in order: never in the future, never before the last one."""
    if on > today:
        raise InvalidInput(f"{field}: {on} is in the future", field=field)
    if on < last_on:
        raise InvalidInput(f"{field}: {on} is before the last recorded step ({last_on})",
                           field=field)


def check_not_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise InvalidInput(f"{field}: {day} is in the future", field=field)


def check_branch(kind: str, status: str, branch_id: int) -> None:
    if kind != "branch":
        raise InvalidInput(f"branch_id: {branch_id} is a {kind}, not a branch", field="branch_id")
    if status != "active":
        raise Conflict(f"branch_id: {branch_id} was dissolved", field="branch_id")


def check_group(kind: str, status: str, parent_id: int | None, group_id: int,
                branch_id: int) -> None:
    if kind != "group":
        raise InvalidInput(f"group_id: {group_id} is a {kind}, not a group", field="group_id")
    if parent_id != branch_id:
        raise InvalidInput(f"group_id: {group_id} is not a group of branch {branch_id}",
                           field="group_id")
    if status != "active":
        raise Conflict(f"group_id: {group_id} was dissolved", field="group_id")


def require_writer(caller: CallerContext | None) -> None:
    require_role(caller, *WRITER_ROLES)
