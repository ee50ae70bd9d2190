"""Assistance cases 救助审批 (minimum-living allowance 低保, medical aid 医疗救助): the rules, plain
Python, no I/O.

The procedure every street office runs, one stage after another, none skipped:

    investigation 入户调查 ──complete_investigation──▶ document_review 材料审核
    document_review ──complete_review──▶ democratic_appraisal 民主评议
    democratic_appraisal ──record_appraisal (votes for > against)──▶ public_notice 公示
    public_notice ──post_notice (×3, 三榜公示)──▶ public_notice
    public_notice ──approve (notice period over, 3 postings, no pending objection)──▶ approved
    any open stage ──reject (reason required)──▶ rejected

An appraisal that does not pass records its votes and leaves the case in democratic_appraisal
(appraise again, or reject). An objection 异议 lodged during the notice period sends the case
back to document_review; the next ``complete_review`` answers it, and the case goes through the
appraisal and a new notice period again. ``approved`` and ``rejected`` are final.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.context import CallerContext, require_role
from shared.errors import Conflict, InvalidInput

KINDS = ("minimum_allowance", "medical_aid")
STAGES = ("investigation", "document_review", "democratic_appraisal", "public_notice",
          "approved", "rejected")
FINAL_STAGES = ("approved", "rejected")
OPEN_STAGES = tuple(s for s in STAGES if s not in FINAL_STAGES)
ACTIONS = ("complete_investigation", "complete_review", "record_appraisal", "post_notice",
           "approve", "reject")

# action → (the stage it is taken in, the stage it leads to); reject is taken in any open stage
_STEPS = {
    "complete_investigation": ("investigation", "document_review"),
    "complete_review": ("document_review", "democratic_appraisal"),
    "record_appraisal": ("democratic_appraisal", "public_notice"),
    "post_notice": ("public_notice", "public_notice"),
    "approve": ("public_notice", "approved"),
}

DEFAULT_NOTICE_DAYS = 7
MIN_NOTICE_DAYS, MAX_NOTICE_DAYS = 7, 30
POSTINGS_REQUIRED = 3  # 三榜公示

WRITER_ROLES = ("community_worker", "street_admin", "district_admin", "integration")
DECIDER_ROLES = ("street_admin", "district_admin", "integration")  # approve / reject
OBJECTION_ROLES = ("community_worker", "grid_worker", "street_admin", "district_admin",
                   "integration")
COMMUNITY_CODE_LENGTH = 12


def community_of(grid_code: str) -> str:
    return grid_code[:COMMUNITY_CODE_LENGTH]


def require_writer(caller: CallerContext | None, action: str | None = None) -> None:
    require_role(caller, *(DECIDER_ROLES if action in ("approve", "reject") else WRITER_ROLES))


def require_objection_taker(caller: CallerContext | None) -> None:
    require_role(caller, *OBJECTION_ROLES)


def next_actions(stage: str, appraisal_passed: bool | None = None) -> list[str]:
    """What can be done in ``stage`` (for the API's hints and the 409's wording)."""
    if stage in FINAL_STAGES:
        return []
    actions = [action for action, (source, _) in _STEPS.items() if source == stage]
    return actions + ["reject"]


@dataclass(frozen=True)
class CaseState:
    stage: str
    notice_ends_on: date | None = None
    postings: int = 0  # of the current notice period
    pending_objections: int = 0


def _refuse(action: str, stage: str) -> Conflict:
    allowed = next_actions(stage)
    hint = f" (possible: {', '.join(allowed)})" if allowed else " (the case is closed)"
    return Conflict(f"action: {action} is not possible in stage {stage}{hint}", field="action")


def target_stage(action: str, state: CaseState, today: date) -> str:
    """The stage ``action`` leads to from ``state``, or a 409 naming ``action``."""
    if action not in ACTIONS:
        raise InvalidInput(f"action: must be one of {', '.join(ACTIONS)}", field="action")
    if state.stage in FINAL_STAGES:
        raise _refuse(action, state.stage)
    if action == "reject":
        return "rejected"
    source, target = _STEPS[action]
    if state.stage != source:
        raise _refuse(action, state.stage)
    if action == "post_notice" and state.postings >= POSTINGS_REQUIRED:
        raise Conflict(f"action: the {POSTINGS_REQUIRED} postings of this notice period are "
                       f"recorded already", field="action")
    if action == "approve":
        check_approval(state, today)
    return target


def check_approval(state: CaseState, today: date) -> None:
    if state.notice_ends_on is None or today <= state.notice_ends_on:
        ends = state.notice_ends_on
        raise Conflict(f"action: the notice period runs until {ends}; approve from "
                       f"{ends + timedelta(days=1) if ends else 'its end'}", field="action")
    if state.pending_objections:
        raise Conflict(f"action: {state.pending_objections} objection(s) are pending",
                       field="action")
    if state.postings < POSTINGS_REQUIRED:
        raise Conflict(f"action: only {state.postings} of the {POSTINGS_REQUIRED} postings "
                       f"(三榜公示) are recorded", field="action")


def appraisal_passes(votes_for: int, votes_against: int) -> bool:
    """A democratic appraisal 民主评议 passes with more votes for than against."""
    return votes_for > votes_against


def check_votes(votes_for: int | None, votes_against: int | None, abstentions: int) -> None:
    if votes_for is None:
        raise InvalidInput("votes_for: record_appraisal needs the votes for", field="votes_for")
    if votes_against is None:
        raise InvalidInput("votes_against: record_appraisal needs the votes against",
                           field="votes_against")
    if votes_for + votes_against + abstentions == 0:
        raise InvalidInput("votes_for: nobody voted", field="votes_for")


def notice_period(starts_on: date, days: int) -> tuple[date, date]:
    """The notice period: ``days`` days from ``starts_on``, both ends included."""
    if not MIN_NOTICE_DAYS <= days <= MAX_NOTICE_DAYS:
        raise InvalidInput(f"notice_days: between {MIN_NOTICE_DAYS} and {MAX_NOTICE_DAYS}",
                           field="notice_days")
    return starts_on, starts_on + timedelta(days=days - 1)


def check_posting_day(posted_on: date, starts_on: date, ends_on: date, today: date) -> None:
    if posted_on > today:
        raise InvalidInput(f"posted_on: {posted_on} is in the future", field="posted_on")
    if not starts_on <= posted_on <= ends_on:
        raise InvalidInput(f"posted_on: the notice period runs from {starts_on} to {ends_on}",
                           field="posted_on")


def check_objection(stage: str, notice_ends_on: date | None, today: date) -> None:
    """Objections are taken during the notice period only."""
    if stage != "public_notice":
        raise Conflict(f"stage: objections are lodged during the public notice; the case is "
                       f"in {stage}", field="stage")
    if notice_ends_on is not None and today > notice_ends_on:
        raise Conflict(f"stage: the notice period ended on {notice_ends_on}", field="stage")


def check_review(pending_objections: int, comment: str | None) -> None:
    """A review after an objection must answer it (the comment is the answer)."""
    if pending_objections and not comment:
        raise InvalidInput(f"comment: answer the {pending_objections} pending objection(s)",
                           field="comment")


def check_reason(action: str, reason: str | None) -> None:
    if action == "reject" and not reason:
        raise InvalidInput("reason: a rejection needs its reason", field="reason")


def clean_text(value: str | None, field: str, required: bool = False) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return cleaned or None
